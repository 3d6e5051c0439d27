"""The window mirror: copies one host window, one way, into a window on a nested display.

Run by the launcher outside the sandbox (``python -m sandbox_launcher.devices.mirror``),
because it needs the host display, which the sandbox must never get. It opens a window
titled "Shared: <title>" on the session's nested X server (Xephyr) and copies the host
window's pixels into it; the client shares that window with its own window-share feature.

Why a small python-xlib program rather than ``ffmpeg -f x11grab | ffplay``:

- it copies only what changed: the DAMAGE extension says which part of the window was
  drawn, so a still window (slides, a document) costs nothing, and a busy one costs only
  its changed rectangle, at most ``--fps`` times a second;
- it copies the *window*, not the screen area it covers: the window is redirected
  (Composite, automatic mode: the host still shows it as before) and read from its own
  pixmap, so a window lying on top of it, the meeting's own or any other, is never
  copied; x11grab reads the screen, with whatever covers the window;
- it follows resizes and sees the window close (StructureNotify), shows that, and
  ends the grant by closing its host connection; ffmpeg would need restarting for a new
  size and has no notion of the window going away;
- it is a few hundred lines with no new system package (ffmpeg pulls ~100 MB).

A host window larger than the nested screen (a 1920x1080 browser into the default
1280x800) would be cropped, so the mirror scales it down by the smallest whole factor k
(2, 3, ...) that makes it fit, keeping its aspect ratio: nearest-neighbour subsampling,
every k-th pixel of every k-th row, done by C-level slicing (a memoryview of GetImage's
data cast to 32-bit pixels, ``row[::k]``), never a Python loop over pixels. Why whole
factors and no filtering: the mirror is pure Python on a 2-core machine that also runs
the meeting client; a smooth resample (even a 2x2 box average) would touch every pixel
in Python, or need numpy/Pillow or an XRender transform, for several times the CPU.
The cost is sharpness: 1 pixel in k*k is kept and the rest dropped, not averaged, so
1-pixel lines and the stems of small text vanish or come and go as the window scrolls,
and edges alias: slides, large text and video survive k=2, small text may not; and the
picture can be smaller than the screen allows (a 1300-pixel-wide window into 1280 is
halved). Damage is mapped to the scaled picture, rounded outwards; a window that fits is
copied 1:1. Reads and writes go in bands of rows (python-xlib joins a large reply's
chunks by copying, quadratic in its size: one 2560x1440 GetImage costs ~70 ms of CPU, in
bands ~4 ms); a band read while the window changes may tear, and the damage it caused
copies it again on the next beat.

The price is Python's speed for a busy window: a 1280x720 window that changes every
pixel 30 times a second is copied 10 times a second for about 10 % of one core (plus
~3 % in the host's X server), a busy 2560x1440 one, halved, for about 18 % (plus ~8 %);
a still window costs nothing (``benchmarks/screen.py``).

One way only: the mirror selects no input on the nested display (nothing typed or
clicked there is read, let alone sent on), and to the host it sends only requests that
read (GetImage, DAMAGE, the automatic redirect). It prints JSON lines on stdout for the
launcher: ``ready``, ``closed`` (the host window went away, or a display connection
ended), ``failed`` and ``stopped`` (on SIGTERM, with the frame count).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .x11_windows import check_window, host_display, open_display
from .xauth import nested_cookie

#: X11 requests without BIG-REQUESTS are at most 256 KiB; PutImage is sent in bands.
_MAX_REQUEST = 262_140 - 64
#: GetImage is read in bands of about this many bytes (see the module's docstring).
_MAX_READ = 1 << 20
_BG = 0x303030
#: Copies a second at most: enough for slides and documents, and a video still moves.
DEFAULT_FPS = 10.0


class _Stop(Exception):
    """SIGTERM: the session ends."""


def _emit(event: str, **data: Any) -> None:
    print(json.dumps({"event": event, **data}), flush=True)


def scale_factor(width: int, height: int, screen_width: int, screen_height: int) -> int:
    """1 if the window fits the screen, else the smallest k >= 2 that makes it fit."""
    k = 1
    while -(-width // k) > screen_width or -(-height // k) > screen_height:
        k += 1
    return k


def scaled_size(width: int, height: int, k: int) -> tuple[int, int]:
    """The size of a width x height picture keeping every k-th pixel and row (from 0)."""
    return -(-width // k), -(-height // k)


def scale_rect(x0: int, y0: int, x1: int, y1: int, k: int) -> tuple[int, int, int, int]:
    """The rectangle [x0, x1) x [y0, y1) in the scaled picture, rounded outwards."""
    return x0 // k, y0 // k, -(-x1 // k), -(-y1 // k)


def subsample(data: bytes, width: int, height: int, k: int) -> bytes:
    """Every k-th pixel of every k-th row (from the first) of 32-bit pixels, row-major.

    C-level slicing only: one memoryview slice per kept row, no loop over pixels.
    """
    if k == 1:
        return data
    pixels = memoryview(data).cast("I")
    if len(pixels) < width * height:
        raise ValueError(f"{len(data)} bytes is not {width}x{height} 32-bit pixels")
    return b"".join(pixels[top:top + width:k].tobytes()
                    for top in range(0, height * width, width * k))


class Mirror:
    """The copy loop between one host window and one window on the nested display."""

    def __init__(self, host: Any, nested: Any, wid: int, title: str, fps: float) -> None:
        from Xlib import X
        from Xlib.ext import composite, damage

        self.host, self.nested, self.fps = host, nested, fps
        # Both extensions answer nothing before the client has said which version it speaks.
        host.composite_query_version()
        host.damage_query_version()
        self.source = host.create_resource_object("window", wid)
        self.source.change_attributes(event_mask=X.StructureNotifyMask)
        # Automatic redirection keeps the window on the host's screen as it was, and
        # gives it a pixmap of its own that holds only its pixels.
        self.source.composite_redirect_window(composite.RedirectAutomatic)
        self.damage = self.source.damage_create(damage.DamageReportBoundingBox)
        geometry = self.source.get_geometry()
        self.width, self.height = geometry.width, geometry.height
        self.pixmap: Any = None
        self._name_pixmap()
        screen = nested.screen()
        if screen.root_depth != 24:
            raise RuntimeError(f"the nested display has depth {screen.root_depth}, not 24")
        self.screen_size = screen.width_in_pixels, screen.height_in_pixels
        #: The scale: 1 (copied 1:1) unless the window is larger than the nested screen.
        self.k = scale_factor(self.width, self.height, *self.screen_size)
        self.target = screen.root.create_window(
            0, 0, *scaled_size(self.width, self.height, self.k), 0, screen.root_depth,
            X.InputOutput,
            X.CopyFromParent, background_pixel=_BG,
            # Exposure only: nothing typed or clicked in it is even read.
            event_mask=X.ExposureMask)
        self.target.set_wm_name(f"Shared: {title}")
        self.target.change_property(nested.intern_atom("_NET_WM_NAME"),
                                    nested.intern_atom("UTF8_STRING"), 8,
                                    f"Shared: {title}".encode())
        self.target.set_wm_class("sandbox-launcher-share", "Sandbox-launcher-share")
        self.gc = self.target.create_gc(foreground=screen.white_pixel, background=_BG)
        self.target.map()
        self.dirty: tuple[int, int, int, int] | None = (0, 0, self.width, self.height)
        self.frames = 0
        self.closed = False

    def _name_pixmap(self) -> None:
        if self.pixmap is not None:
            self.pixmap.free()
        self.pixmap = self.source.composite_name_window_pixmap()

    def _add_dirty(self, x: int, y: int, w: int, h: int) -> None:
        if self.dirty is None:
            self.dirty = (x, y, x + w, y + h)
        else:
            a, b, c, d = self.dirty
            self.dirty = (min(a, x), min(b, y), max(c, x + w), max(d, y + h))

    def _host_events(self) -> None:
        from Xlib import X

        while self.host.pending_events():
            event = self.host.next_event()
            if event.type == self.host.extension_event.DamageNotify:
                area = event.area
                self._add_dirty(area.x, area.y, area.width, area.height)
            elif event.type == X.ConfigureNotify and event.window.id == self.source.id and \
                    (event.width, event.height) != (self.width, self.height):
                self.width, self.height = event.width, event.height
                self._name_pixmap()
                self.k = scale_factor(self.width, self.height, *self.screen_size)
                width, height = scaled_size(self.width, self.height, self.k)
                self.target.configure(width=width, height=height)
                self.dirty = (0, 0, self.width, self.height)
            elif event.type == X.MapNotify:
                self._name_pixmap()  # a window that was unmapped has a new pixmap
                self.dirty = (0, 0, self.width, self.height)
            elif event.type == X.DestroyNotify and event.window.id == self.source.id:
                self.closed = True

    def _nested_events(self) -> None:
        from Xlib import X

        while self.nested.pending_events():
            event = self.nested.next_event()
            if event.type == X.Expose and not self.closed:
                k = self.k  # the nested window's coordinates are the scaled ones
                self._add_dirty(event.x * k, event.y * k, event.width * k, event.height * k)

    def copy(self) -> None:
        """Copy the changed rectangle (clipped to the window) from host to nested, scaled
        down by ``k`` when the window is larger than the nested screen."""
        from Xlib import X

        if self.dirty is None:
            return
        k = self.k
        # The dirty rectangle is in the host window's pixels; the copy covers the scaled
        # pixels it touches (rounded outwards), each read from the host pixel (kx, ky).
        x0, y0, x1, y1 = scale_rect(*self.dirty, k)
        self.dirty = None
        # Reset the damage before reading: a change while we copy is then seen again.
        self.host.damage_subtract(self.damage)
        width, height = scaled_size(self.width, self.height, k)
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(width, x1), min(height, y1)
        if x1 <= x0 or y1 <= y0:
            return
        w = x1 - x0
        source_w = (w - 1) * k + 1  # host pixels from x0*k up to the last one kept
        rows = max(1, min(_MAX_REQUEST // (w * 4), _MAX_READ // (source_w * 4 * k)))
        depth = self.nested.screen().root_depth
        for top in range(y0, y1, rows):
            n = min(rows, y1 - top)
            source_h = (n - 1) * k + 1
            image = self.pixmap.get_image(x0 * k, top * k, source_w, source_h, X.ZPixmap,
                                          0xFFFFFFFF)
            band = subsample(image.data, source_w, source_h, k)
            self.target.put_image(self.gc, x0, top, w, n, X.ZPixmap, depth, 0, band)
        self.nested.flush()
        self.frames += 1

    def show_closed(self) -> None:
        """The host window is gone: say so where the picture was."""
        self.target.clear_area()
        for line, text in enumerate(("The shared window was closed.",
                                     "Nothing is shared any more.")):
            self.target.image_text(self.gc, 20, 30 + 20 * line, text.encode())
        self.nested.flush()

    def run(self) -> None:
        """Copy at most ``fps`` times a second until the host window closes."""
        from Xlib import error

        period = 1.0 / self.fps
        next_frame = 0.0
        host_fd, nested_fd = self.host.fileno(), self.nested.fileno()
        while not self.closed:
            now = time.monotonic()
            wait = max(0.0, next_frame - now) if self.dirty else 1.0
            if not (self.host.pending_events() or self.nested.pending_events()):
                select.select([host_fd, nested_fd], [], [], wait)
            self._nested_events()
            try:
                self._host_events()
                if not self.closed and self.dirty and time.monotonic() >= next_frame:
                    self.copy()
                    # On a fixed beat, not a pause after each copy: --fps is the rate.
                    next_frame = max(time.monotonic(), next_frame + period)
            except (error.BadWindow, error.BadDrawable, error.BadMatch, error.BadPixmap):
                self.closed = True  # gone between the event and the read


def _after_close(nested: Any, mirror: Mirror) -> None:
    """Keep the notice on screen (redrawn when uncovered) until the session ends."""
    from Xlib import X

    mirror.show_closed()
    while True:
        select.select([nested.fileno()], [], [], 5.0)
        while nested.pending_events():
            if nested.next_event().type == X.Expose:
                mirror.show_closed()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the mirror process.

    The host display comes from ``DISPLAY``/``XAUTHORITY`` in its environment (a cookie
    on the command line would be readable by every user of the machine).
    """
    parser = argparse.ArgumentParser(prog="sandbox-launcher-mirror")
    parser.add_argument("--window", required=True, type=lambda s: int(s, 0))
    parser.add_argument("--nested-display", required=True)
    parser.add_argument("--nested-auth", required=True, type=Path)
    parser.add_argument("--fps", type=float, default=DEFAULT_FPS)
    args = parser.parse_args(argv)
    from Xlib.error import ConnectionClosedError

    def stop(*_: object) -> None:
        raise _Stop

    signal.signal(signal.SIGTERM, stop)
    started = time.monotonic()
    mirror = None
    try:
        host_name, cookie = host_display(os.environ)
        with open_display(args.nested_display, nested_cookie(args.nested_auth)) as nested:
            with open_display(host_name, cookie) as host:
                found = check_window(host, args.window)
                mirror = Mirror(host, nested, args.window, found.title, args.fps)
                mirror.copy()
                _emit("ready", window=args.window, title=found.title,
                      size=[mirror.width, mirror.height], scale=mirror.k)
                mirror.run()
            # The grant ends here: the host connection is closed, the notice stays.
            _emit("closed", why="window", frames=mirror.frames)
            _after_close(nested, mirror)
    except ConnectionClosedError as exc:
        # A display went away: the client killed the mirror's connection to its nested
        # server (XKillClient), or a server ended. Nothing reaches the host either way.
        _emit("closed", why="connection", error=str(exc))
        return 0
    except _Stop:
        _emit("stopped", frames=mirror.frames if mirror is not None else 0,
              seconds=round(time.monotonic() - started, 3),
              cpu_seconds=round(time.process_time(), 3))
        return 0
    except Exception as exc:  # the launcher shows this line as the reason
        _emit("failed", error=f"{type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
