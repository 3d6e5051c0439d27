"""The host's X11 windows, for sharing one of them: look one up, list them, let the user
pick one with the mouse.

Everything here runs in the launcher (outside any sandbox) and talks to the host's X
server with python-xlib, imported only when a window is shared or listed. A window is
refused when sharing it makes no sense or would leak more than the window: the root
window (the whole screen), a nested X server's window (another sandbox's display, or
this one's), a window of a depth the mirror cannot copy, or a host X server without the
Composite extension (without it, copying a window copies whatever covers it).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import UsageError
from .xauth import host_cookie

if TYPE_CHECKING:
    from Xlib.display import Display

_DISPLAY_RE = re.compile(r"^(?:unix)?:(\d+)(?:\.\d+)?$")
#: X resource ids fit in 29 bits.
_MAX_XID = 0x1FFFFFFF
#: Depths the mirror copies as they are: 32 bits a pixel, the nested server's layout.
COPYABLE_DEPTHS = (24, 32)
_auth_lock = threading.Lock()


def parse_window_id(text: str) -> int:
    """``0x1e00007`` or ``31457287`` as an X window id; UsageError for anything else."""
    value = text.strip().lower()
    try:
        wid = int(value, 16) if value.startswith("0x") else int(value, 10)
    except ValueError:
        wid = -1
    if not 0 < wid <= _MAX_XID:
        raise UsageError(f"{text!r} is not an X11 window id",
                         "give the id as xwininfo or xdotool show it (0x1e00007 or "
                         "31457287), or use --share-window pick and click the window")
    return wid


def display_number(name: str) -> str:
    """The number of a local display name (``:0``), or "" for anything else."""
    match = _DISPLAY_RE.match(name)
    return match[1] if match else ""


def xauthority_of(host: Mapping[str, str]) -> Path:
    """The host's Xauthority file, as Xlib finds it."""
    home = host.get("HOME") or os.path.expanduser("~")
    return Path(host.get("XAUTHORITY") or os.path.join(home, ".Xauthority"))


@contextlib.contextmanager
def open_display(name: str, cookie: bytes | None) -> Iterator[Display]:
    """Connect to the local display *name* with *cookie* (None: no authentication).

    python-xlib picks cookies itself, but ignores FamilyWild entries (which display
    managers and our nested servers write), so the cookie is chosen here and handed to
    its connect step; the lock keeps two threads of the app from mixing their cookies.
    """
    from Xlib import display, error
    from Xlib.support import connect

    auth = (b"MIT-MAGIC-COOKIE-1", cookie) if cookie else (b"", b"")
    with _auth_lock:
        original = connect.get_auth
        connect.get_auth = lambda *_args: auth
        try:
            disp = display.Display(name)
        except (error.DisplayError, OSError) as exc:
            raise UsageError(f"the X display {name} cannot be opened: {exc}",
                             "check DISPLAY and XAUTHORITY") from exc
        finally:
            connect.get_auth = original
    try:
        yield disp
    finally:
        with contextlib.suppress(Exception):
            disp.close()


def host_display(host: Mapping[str, str]) -> tuple[str, bytes | None]:
    """The host's display name and its cookie; UsageError when it has no local X11."""
    name = host.get("DISPLAY", "")
    number = display_number(name)
    if not number:
        raise UsageError(f"DISPLAY={name!r} is not a local X server",
                         "windows can be shared only from a local X11 desktop")
    return name, host_cookie(xauthority_of(host), number)


@dataclass(frozen=True)
class HostWindow:
    """A top-level window of the host that may be shared."""

    id: int
    title: str
    width: int
    height: int

    def label(self) -> str:
        """"Title (0x1e00007)" for lists."""
        return f"{self.title or '(untitled)'} (0x{self.id:x})"


def _title(disp: Display, window: Any) -> str:
    utf8 = disp.intern_atom("UTF8_STRING")
    for atom, kind in ((disp.intern_atom("_NET_WM_NAME"), utf8),
                       (disp.intern_atom("WM_NAME"), 0)):
        with contextlib.suppress(Exception):
            prop = window.get_full_property(atom, kind)
            if prop is not None and prop.value:
                raw = prop.value if isinstance(prop.value, bytes) else bytes(prop.value)
                return raw.decode("utf-8", "replace").replace("\n", " ").strip()[:200]
    return ""


def _owner_program(disp: Display, wid: int) -> str:
    """The program that created *wid* (X-Resource extension), or "" when unknown."""
    from Xlib.ext import res

    if not disp.has_extension(res.extname):
        return ""
    with contextlib.suppress(Exception):
        ids = disp.res_query_client_ids([{"client": wid, "mask": res.LocalClientPIDMask}])
        for item in ids.ids:
            if item.value:
                return os.path.basename(os.readlink(f"/proc/{int(item.value[0])}/exe"))
    return ""


def _is_nested_server(disp: Display, window: Any) -> bool:
    """A nested X server's window: its owner is Xephyr (or it says it is one)."""
    if _owner_program(disp, window.id).lower().startswith(("xephyr", "xnest", "xpra")):
        return True
    with contextlib.suppress(Exception):
        wm_class = window.get_wm_class() or ()
        return any(str(c).lower().startswith(("xephyr", "xnest")) for c in wm_class)
    return False


def check_window(disp: Display, wid: int) -> HostWindow:
    """*wid* as a shareable window, or UsageError saying why it cannot be shared."""
    from Xlib import error
    from Xlib.ext import composite

    hint = ("list the windows with 'xwininfo -root -tree', or use --share-window pick "
            "and click the window")
    if wid == disp.screen().root.id:
        raise UsageError("the root window is the whole screen, not one window",
                         "share one window: --share-window pick, then click it")
    window = disp.create_resource_object("window", wid)
    try:
        geometry = window.get_geometry()
        attrs = window.get_attributes()
    except (error.BadWindow, error.BadDrawable, error.BadMatch) as exc:
        raise UsageError(f"there is no window 0x{wid:x} on the host display", hint) from exc
    if attrs.win_class != 1:  # InputOutput: an InputOnly window has no pixels
        raise UsageError(f"window 0x{wid:x} has no contents to share", hint)
    if attrs.map_state != 2:  # IsViewable: an unmapped window has no pixels to copy
        raise UsageError(f"window 0x{wid:x} is not shown (minimized or hidden)",
                         "show the window on the desktop, then start the session")
    if _is_nested_server(disp, window):
        raise UsageError(f"window 0x{wid:x} is a sandbox's nested display",
                         "share a window of your own desktop, not another sandbox")
    if geometry.depth not in COPYABLE_DEPTHS:
        raise UsageError(f"window 0x{wid:x} has a colour depth of {geometry.depth} bits, "
                         "which the mirror cannot copy", "share another window")
    if not disp.has_extension(composite.extname):
        raise UsageError("the host X server has no Composite extension: a copy of the "
                         "window would include whatever covers it",
                         "enable Composite in the X server's configuration")
    return HostWindow(wid, _title(disp, window), geometry.width, geometry.height)


def _client_windows(disp: Display) -> list[int]:
    """Top-level client windows: the window manager's list, else the root's mapped
    children (no window manager)."""
    root = disp.screen().root
    with contextlib.suppress(Exception):
        prop = root.get_full_property(disp.intern_atom("_NET_CLIENT_LIST"), 33)  # WINDOW
        if prop is not None and len(prop.value):
            return [int(w) for w in prop.value]
    found = []
    for child in root.query_tree().children:
        with contextlib.suppress(Exception):
            if child.get_attributes().map_state == 2 and not \
                    child.get_attributes().override_redirect:
                found.append(child.id)
    return found


def list_windows(host: Mapping[str, str]) -> list[HostWindow]:
    """The host's top-level windows that could be shared, with titles; sorted by title."""
    name, cookie = host_display(host)
    windows = []
    with open_display(name, cookie) as disp:
        for wid in _client_windows(disp):
            with contextlib.suppress(UsageError):
                found = check_window(disp, wid)
                if found.title and found.width > 1 and found.height > 1:
                    windows.append(found)
    return sorted(windows, key=lambda w: (w.title.lower(), w.id))


def _client_below(disp: Display, window: Any) -> Any:
    """The client window in a window manager's frame: the first one with WM_STATE."""
    wm_state = disp.intern_atom("WM_STATE")
    queue = [window]
    while queue:
        current = queue.pop(0)
        with contextlib.suppress(Exception):
            if current.get_full_property(wm_state, 0) is not None:
                return current
            queue.extend(current.query_tree().children)
    return window


def pick_window(host: Mapping[str, str], timeout: float = 60.0) -> int:
    """Let the user click a window on the host; its id (UsageError if none was clicked)."""
    import select

    from Xlib import X, Xcursorfont

    name, cookie = host_display(host)
    with open_display(name, cookie) as disp:
        root = disp.screen().root
        font: Any = disp.open_font("cursor")
        cursor = font.create_glyph_cursor(font, Xcursorfont.crosshair,
                                          Xcursorfont.crosshair + 1,
                                          (65535, 65535, 65535), (0, 0, 0))
        grabbed = root.grab_pointer(False, X.ButtonPressMask, X.GrabModeAsync,
                                    X.GrabModeAsync, X.NONE, cursor, X.CurrentTime)
        if grabbed != X.GrabSuccess:
            raise UsageError("another program holds the mouse: the window cannot be picked",
                             "give the window's id instead: --share-window 0x…")
        clicked = None
        try:
            deadline = timeout
            while clicked is None and deadline > 0:
                if not disp.pending_events():
                    ready, _, _ = select.select([disp.fileno()], [], [], 0.5)
                    deadline -= 0.5
                    if not ready:
                        continue
                event = disp.next_event()
                if event.type == X.ButtonPress:
                    # The root's child under the pointer (a frame), or None: the root.
                    child = event.child
                    clicked = child if isinstance(child, int) else int(child.id)
        finally:
            disp.ungrab_pointer(X.CurrentTime)
            disp.flush()
        if clicked is None:
            raise UsageError("no window was clicked", "click the window to share")
        if clicked == X.NONE:
            raise UsageError("the desktop (the root window) was clicked, not a window",
                             "click the window to share")
        window = _client_below(disp, disp.create_resource_object("window", clicked))
        return check_window(disp, int(window.id)).id


def describe_window(host: Mapping[str, str], wid: int) -> HostWindow:
    """Look *wid* up on the host's display (UsageError when it cannot be shared)."""
    name, cookie = host_display(host)
    with open_display(name, cookie) as disp:
        return check_window(disp, wid)
