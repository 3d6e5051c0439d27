"""Qt signals carrying the app service's events, and worker calls, to the GUI thread.

The service calls its listener on session threads; emitting a signal from there queues
the call to the receivers in the GUI thread (qutebrowser's message bridge, in small).
Blocking service calls run on short-lived worker threads; their result comes back the
same way. Sessions themselves run on the service's own dedicated threads, not here.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

from ..core.errors import LauncherError
from ..session.entries import Finished, ServiceEvent
from ..session.lifecycle import Event
from ..session.service import SessionService

Done = Callable[[Any], None]
Failed = Callable[[LauncherError], None]


class ServiceBridge(QObject):
    """The GUI's only link to the service: signals in, worker calls out."""

    #: A lifecycle state change or a live network event (``Event``).
    session_event = Signal(object)
    #: A session's thread ended (``Finished``).
    session_finished = Signal(object)
    #: Sessions were started or ended: the tray and window refresh their lists.
    sessions_changed = Signal()
    _call_done = Signal(int, object, object)

    def __init__(self, service: SessionService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self._pending: dict[int, tuple[Done | None, Failed | None, QObject | None]] = {}
        self._ids = itertools.count()
        self._call_done.connect(self._deliver)
        service.set_listener(self._forward)

    def _forward(self, event: ServiceEvent) -> None:  # on a session thread
        if isinstance(event, Finished):
            self.session_finished.emit(event)
            self.sessions_changed.emit()
        elif isinstance(event, Event):
            self.session_event.emit(event)

    def call(self, fn: Callable[[], Any], done: Done | None = None,
             failed: Failed | None = None, *, owner: QObject | None = None) -> None:
        """Run *fn* on a worker thread; *done(result)* or *failed(error)* in the GUI thread.

        Only LauncherErrors are expected; anything else is wrapped as one, so the GUI
        always shows a summary with the details behind a button. When *owner* (the
        window the answer is for) is deleted before the answer comes, it is dropped.
        """
        token = next(self._ids)
        self._pending[token] = (done, failed, owner)

        def work() -> None:
            try:
                result, error = fn(), None
            except LauncherError as exc:
                result, error = None, exc
            except Exception as exc:  # a bug: still shown, never silently lost
                result, error = None, LauncherError(
                    f"unexpected error: {exc}", "report this as a bug", details=repr(exc))
            self._call_done.emit(token, result, error)

        threading.Thread(target=work, name="ui-worker", daemon=True).start()

    @Slot(int, object, object)
    def _deliver(self, token: int, result: object, error: object) -> None:
        done, failed, owner = self._pending.pop(token, (None, None, None))
        if owner is not None and not shiboken6.isValid(owner):
            return
        if isinstance(error, LauncherError):
            if failed is not None:
                failed(error)
        elif done is not None:
            done(result)

    def busy(self) -> bool:
        """Whether worker calls are still out (tests wait for this)."""
        return bool(self._pending)
