"""Keeps a browser's windows filling the isolated display.

There is no window manager inside the nested display (display.py), so a window keeps the
size its program chose. Chromium makes its first window at most 1050 pixels wide and,
without a window manager, ignores ``--start-maximized`` and ``--kiosk``: a web meeting
showed in part of the session's window beside a black band, and stayed so when the user
made the window larger. For web profiles the launcher keeps each main window at 0,0 and
the nested screen's size: when it is mapped, when the screen changes size (Xephyr
``-resizeable`` follows its host window) and when the client moves it away. Main: a
top-level window that is not override-redirect (a menu), not transient for another (a
dialog) and of no window type or the normal one (not a notification or a splash).

A thread of the launcher with its own connection to the nested server only, never the
host's. From the client's windows it reads structure events, attributes and two
properties with python-xlib (no C parser of client data on our side), and it sends only
``ConfigureWindow``. A client that keeps resizing a window wins after a few rounds
(:data:`MAX_REFILLS`): no fight over it.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import UsageError
from .x11_windows import open_display
from .xauth import nested_cookie

if TYPE_CHECKING:
    from Xlib.display import Display

__all__ = ["MAX_REFILLS", "WindowFill"]

#: How often one window is put back after its client changed its size or place.
MAX_REFILLS = 5


class WindowFill:
    """The thread that keeps main windows at the nested screen's size.

    It connects on its own thread: the session's start does not wait for python-xlib's
    import and the connection, and a window the client maps first is filled all the same
    (the thread looks at what is mapped once it listens). Without the connection (the
    nested server went away) the thread ends and the windows keep their own size.
    """

    def __init__(self, nested_display: str, auth: Path) -> None:
        self._name, self._auth = nested_display, auth
        self._display: Display | None = None
        self._wake_r, self._wake_w = os.pipe2(os.O_CLOEXEC)
        self._refills: dict[int, int] = {}
        #: Windows filled so far (for tests), by id.
        self.filled: set[int] = set()
        #: Why the thread ended early ("" while it runs, or after a stop).
        self.failed = ""
        self._thread = threading.Thread(target=self._run, name="window-fill", daemon=True)

    @classmethod
    def start(cls, nested_display: str, auth: Path) -> WindowFill:
        """Follow *nested_display* (its cookie in *auth*) on a thread of its own."""
        fill = cls(nested_display, auth)
        fill._thread.start()
        return fill

    def stop(self) -> None:
        """End the thread; it closes its connection (the nested server may be gone)."""
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        self._thread.join(timeout=5)
        if not self._thread.is_alive():  # else it still selects on them: leave them open
            os.close(self._wake_r)
            os.close(self._wake_w)

    def _run(self) -> None:
        from Xlib import X, error

        try:
            with open_display(self._name, nested_cookie(self._auth)) as display:
                self._display = display
                root = display.screen().root
                root.change_attributes(
                    event_mask=X.SubstructureNotifyMask | X.StructureNotifyMask)
                for window in root.query_tree().children:
                    self._fill(window, first=True)
                display.flush()
                self._follow(display)
        except (UsageError, error.DisplayError, error.ConnectionClosedError, error.XError,
                OSError) as exc:
            self.failed = str(exc)  # the nested server ended: the session is ending too

    def _follow(self, display: Display) -> None:
        while True:
            if not display.pending_events():
                ready, _, _ = select.select([display.fileno(), self._wake_r], [], [])
                if self._wake_r in ready:
                    return
            while display.pending_events():
                self._event(display.next_event())
            display.flush()

    def _event(self, event: Any) -> None:
        from Xlib import X

        assert self._display is not None
        root = self._display.screen().root
        if event.type == X.MapNotify and not event.override:
            self._fill(event.window, first=True)
        elif event.type == X.ConfigureNotify and event.window.id == root.id:
            for window in root.query_tree().children:
                if window.id in self.filled:
                    self._fill(window, first=True)
        elif event.type == X.ConfigureNotify and event.window.id in self.filled:
            geometry = (event.x, event.y, event.width, event.height)
            if geometry != (0, 0, *self._size()) and not event.override:
                self._fill(event.window, first=False)
        elif event.type == X.DestroyNotify:
            self.filled.discard(event.window.id)
            self._refills.pop(event.window.id, None)

    def _size(self) -> tuple[int, int]:
        assert self._display is not None
        geometry = self._display.screen().root.get_geometry()
        return int(geometry.width), int(geometry.height)

    def _normal(self, window: Any) -> bool:
        """Whether *window* says it is an ordinary one, or says nothing (a notification,
        a splash, a toolbar or a dialog says so in ``_NET_WM_WINDOW_TYPE``)."""
        from Xlib import Xatom

        display = self._display
        assert display is not None
        typed = window.get_full_property(display.intern_atom("_NET_WM_WINDOW_TYPE"),
                                         Xatom.ATOM)
        if typed is None or not len(typed.value):
            return True
        return int(typed.value[0]) == display.intern_atom("_NET_WM_WINDOW_TYPE_NORMAL")

    def _fill(self, window: Any, *, first: bool) -> None:
        """Put *window* at 0,0 and the screen's size if it is a main window."""
        from Xlib import X, error

        try:
            attributes = window.get_attributes()
            if attributes.override_redirect or attributes.map_state != X.IsViewable:
                return
            if window.get_wm_transient_for() is not None or not self._normal(window):
                return
            if not first:
                count = self._refills.get(window.id, 0) + 1
                self._refills[window.id] = count
                if count > MAX_REFILLS:
                    return
            width, height = self._size()
            window.configure(x=0, y=0, width=width, height=height, border_width=0)
            self.filled.add(window.id)
        except (error.BadWindow, error.BadDrawable, error.BadMatch):
            return  # gone between the event and the request
