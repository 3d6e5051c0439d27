"""Whether a granted device is in use right now, seen from outside the sandbox.

A grant says what the client *may* use; these checks say when it *does*, so the app can
show a camera as live only while it is open and a microphone only while it is recorded:

- camera: a process of the session holds the camera's device node open (any open fd of
  it, whatever the open mode, so an ``O_PATH`` fd counts too: erring towards "in use");
  the session's ``/proc/PID/fd`` are read, by :func:`camera_use`. A process that is not
  dumpable hides its fds from us (see ``host.procs.char_device_holders``): then the
  camera is *assumed* in use, and the reason says so;
- microphone: unmuted, and a client of the session's own sound server records from its
  microphone (an uncorked recording stream on ``microphone``),
  by :func:`recording_streams` on ``pactl -f json`` output;
- screen: the window mirror from its start to its end; through the desktop portal from
  the client's ``ScreenCast.Start`` call, as the bus proxy logs it, to the close of its
  portal session (:class:`PortalWatch`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..core.devices import Camera
from ..host import procs
from .portal import PORTAL_PATH

CAMERA = "camera"
MICROPHONE = "microphone"
SCREEN = "screen"
#: The session sound server's sources that carry the host's microphone (devices/sound.py).
MIC_SOURCES = frozenset({"microphone"})


@dataclass(frozen=True)
class Use:
    """One device's state at one moment."""

    in_use: bool
    #: Why the use is assumed rather than seen ("" when it was seen).
    assumed: str = ""


def camera_use(camera: Camera, members: Callable[[], Iterable[int]]) -> Use:
    """Whether a process of the session (*members*) has *camera*'s node open."""
    rdev = os.makedev(camera.major, camera.minor)
    holding, hidden = procs.char_device_holders(members(), rdev)
    if holding:
        return Use(True)
    if hidden:
        return Use(True, f"{len(hidden)} process(es) of the session hide their open files "
                         "(not dumpable), so the camera may be open")
    return Use(False)


def recording_streams(sources_json: str, outputs_json: str) -> int:
    """How many clients record the microphone, from ``pactl -f json list short sources``
    and ``pactl -f json list source-outputs`` of the session's server.

    Streams of the server's own modules have no client and do not count; nor do corked
    (paused) streams, nor the client recording its own ``speakers.monitor``.
    """
    try:
        sources = json.loads(sources_json)
        outputs = json.loads(outputs_json)
    except ValueError:
        return 0
    mic = {s.get("index") for s in sources if isinstance(s, dict)
           and s.get("name") in MIC_SOURCES}
    return sum(1 for o in outputs if isinstance(o, dict) and o.get("client") is not None
               and o.get("source") in mic and not o.get("corked"))


#: A call or signal line of ``xdg-dbus-proxy --log``: serial, direction, peer, kind,
#: interface.member, path.
_LOG_LINE = re.compile(r"^[BC]\d+: (?:->|<-) \S+ (call|signal) (\S+) at (\S*)$")
_START = "org.freedesktop.portal.ScreenCast.Start"
_ENDS = frozenset({"org.freedesktop.portal.Session.Close",
                   "org.freedesktop.portal.Session.Closed"})


class PortalWatch:
    """Reads the bus proxy's message log (``--log``) and says when a screen cast runs.

    Only the header of each message is logged (no arguments, never the bus traffic's
    content): a cast counts from the client's ``ScreenCast.Start`` call until the client
    closes a portal session or the portal says one closed. The desktop's answer to Start
    is not in the log, so a cast the user cancelled in the desktop's dialog counts until
    the client closes its session (clients do, at once). Nor is the session a Close names:
    a client bent on hiding a cast could close a made-up one. The desktop's own
    screen-sharing indicator stays the authority; this is the launcher's view of it.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        os.set_blocking(fd, False)
        self.casts = 0
        self.eof = False
        self._buffer = b""

    def fileno(self) -> int:
        """Readable when the proxy logged something."""
        return self.fd

    def events(self) -> list[dict[str, Any]]:
        """``device`` events for the screen since the last call (changes only)."""
        before = self.casts > 0
        data = b""
        with contextlib.suppress(BlockingIOError, OSError):
            while chunk := os.read(self.fd, 65536):
                data += chunk
            self.eof = True
        *lines, self._buffer = (self._buffer + data).split(b"\n")
        for line in lines:
            match = _LOG_LINE.match(line.decode("utf-8", "replace"))
            if match is None:
                continue
            if match[1] == "call" and match[2] == _START and match[3] == PORTAL_PATH:
                self.casts += 1
            elif match[2] in _ENDS:
                self.casts = max(0, self.casts - 1)
        if self.eof:  # the proxy is gone, and with its bus connection the client's casts
            self.casts = 0
        now = self.casts > 0
        return [] if now == before else [
            {"type": "device", "device": SCREEN, "in_use": now}]

    def close(self) -> None:
        """Close the log's read end (the proxy gets EPIPE if it writes again)."""
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.eof = True
