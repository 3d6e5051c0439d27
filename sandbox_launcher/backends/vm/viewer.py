"""The window that shows a VM's screen: Debian's ``virt-viewer``, attached through libvirt.

``virt-viewer --connect URI --attach DOMAIN`` asks libvirt for a pre-connected socket
of the display (``virDomainOpenGraphicsFD``, its man page: "ask libvirt to provide a
pre-connected socket for the display"), so the SPICE server needs no port: the domain's
graphics listen nowhere (``<listen type='none'/>``) and its fallback, a direct TCP or
unix connection, finds nothing to connect to.

Closing the viewer ends the session, as closing a namespace client's window ends it: a
VM session's screen *is* its client's window, and a guest left running without a way to
see it would keep the camera and microphone without the user seeing the meeting. The
watcher asks the client in the guest to end (SIGTERM), the agent reports its exit, and
the session stops and wipes as after any client exit.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Callable, Mapping

from ...core import proc
from .errors import VmError

_PURPOSE = "to show the VM's screen (a VM session with a display opens it in a window)"
#: How long a viewer asked to close may take before it is killed.
CLOSE_SECONDS = 5.0


def viewer_argv(uri: str, domain: str) -> list[str]:
    """The viewer's command line (``--attach``: the connection comes from libvirt). Its
    window is titled with the domain's name, which carries the session's id."""
    exe = proc.which("virt-viewer", _PURPOSE)
    return [exe, "--connect", uri, "--attach", "--domain-name", "--", domain]


def check_viewer(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Before the VM boots: the viewer is installed and there is a desktop to show it on
    (typed errors naming the package or the missing desktop). Returns the environment."""
    environ = dict(os.environ if env is None else env)
    if not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        raise VmError("the VM's screen needs a desktop to be shown on, and there is none "
                      "(no DISPLAY or WAYLAND_DISPLAY)",
                      "start the session from your desktop, or without a display")
    proc.which("virt-viewer", _PURPOSE)
    return environ


class Viewer:
    """A running viewer of one VM; :meth:`watch` calls back once when the user closes it."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self._closing = False
        self._on_close: Callable[[], None] | None = None
        self._tail = b""
        self._lock = threading.Lock()
        # Drains the viewer's stderr (a full pipe would freeze it), then notices its end.
        self._thread = threading.Thread(target=self._wait, daemon=True, name="vm-viewer")
        self._thread.start()

    def _wait(self) -> None:
        stderr = self.process.stderr
        if stderr is not None:
            with contextlib.suppress(OSError, ValueError):
                while chunk := os.read(stderr.fileno(), 4096):
                    self._tail = (self._tail + chunk)[-2000:]
        self.process.wait()
        with self._lock:
            callback = None if self._closing else self._on_close
            self._closing = True
        if callback is not None:
            callback()

    @classmethod
    def start(cls, uri: str, domain: str, env: Mapping[str, str] | None = None) -> Viewer:
        """Open the viewer on the user's desktop (*env*: the launcher's by default)."""
        environ = check_viewer(env)
        argv = viewer_argv(uri, domain)
        # die_with_parent: a killed launcher leaves no viewer of a domain that died with it.
        child = proc.spawn(argv, env=environ, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           die_with_parent=True)
        return cls(child)

    def watch(self, on_close: Callable[[], None]) -> None:
        """Call *on_close* once (from a thread) when the viewer ends without :meth:`close`."""
        with self._lock:
            self._on_close = on_close
            ended = self._closing
        if ended:  # it was closed before anyone watched: said now
            on_close()

    def running(self) -> bool:
        """Whether the viewer's window is (still) open."""
        return self.process.poll() is None

    def close(self) -> str:
        """Close the viewer (the session ends for another reason); its last words."""
        with self._lock:
            self._closing = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(CLOSE_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._thread.join(CLOSE_SECONDS)
        if self.process.stderr is not None:
            self.process.stderr.close()
        return self._tail.decode("utf-8", "replace")
