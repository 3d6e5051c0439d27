"""The host side of the X11 screen-sharing grant: the window mirror of one session.

The mirror (:mod:`.mirror`) runs as a helper of the session, outside the sandbox, with
the host's display in its environment and the nested display's cookie file on its
command line (so ``wipe --stale`` finds it by the session's state dir, like Xephyr). It
dies with the launcher (PDEATHSIG) and is stopped before the nested server. Its JSON
lines become the session's live ``screen`` events and the report's ``screen`` object.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.devices import DisplayGrant, ScreenGrant
from ..core.errors import SessionError
from .helper import Helper, read_ready, start

START_SECONDS = 15.0


def _event(grant: ScreenGrant, shared: bool, reason: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {"type": "screen", "shared": shared, "mode": grant.mode,
                            "window": grant.window, "title": grant.title}
    if reason:
        data["reason"] = reason
    return data


@dataclass
class ScreenMirror:
    """A running mirror and what it said."""

    grant: ScreenGrant
    helper: Helper
    out: int  # the read end of its stdout
    started: float = field(default_factory=time.time)
    ended: float | None = None
    ended_by: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    #: Its stdout was closed (it exited): nothing more to read.
    eof: bool = False
    _buffer: bytes = b""

    @classmethod
    def start(cls, grant: ScreenGrant, display: DisplayGrant, nested_display: str,
              nested_auth: Path, workdir: Path) -> ScreenMirror:
        """Start the mirror and wait until its window shows the host window."""
        argv = [sys.executable, "-I", "-m", "sandbox_launcher.devices.mirror",
                "--window", hex(grant.window), "--nested-display", nested_display,
                "--nested-auth", str(nested_auth)]
        env = {"DISPLAY": display.host_display, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
        if os.path.exists(display.host_xauthority):
            env["XAUTHORITY"] = display.host_xauthority
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        try:
            helper = start("mirror", argv, workdir, env=env, stdout=out_w)
        except BaseException:
            os.close(out_r)
            raise
        finally:
            os.close(out_w)
        mirror = cls(grant, helper, out_r)  # stop() closes out_r
        try:
            mirror._buffer = read_ready(helper, out_r, START_SECONDS,
                                        "the window mirror (screen sharing)")
            first = mirror._lines()[0] if mirror._buffer else {}
            if first.get("event") != "ready":
                raise SessionError("the shared window could not be mirrored: "
                                   f"{first.get('error', 'the mirror did not start')}",
                                   "check that the window is still open, then try again",
                                   details=helper.log_tail())
        except BaseException:
            mirror.stop()
            raise
        mirror.started = time.time()
        os.set_blocking(out_r, False)
        return mirror

    def _lines(self) -> list[dict[str, Any]]:
        """Complete JSON lines received so far (a torn tail waits for the rest)."""
        *lines, self._buffer = self._buffer.split(b"\n")
        found = []
        for line in lines:
            with contextlib.suppress(ValueError):
                value = json.loads(line)
                if isinstance(value, dict):
                    found.append(value)
        return found

    def fileno(self) -> int:
        """Readable when the mirror has something to say."""
        return self.out

    def _read(self) -> list[dict[str, Any]]:
        with contextlib.suppress(BlockingIOError, OSError):
            while chunk := os.read(self.out, 4096):
                self._buffer += chunk
            self.eof = True
        return self._lines()

    def _note(self, line: dict[str, Any]) -> dict[str, Any] | None:
        """Record one line of the mirror; the live event it means, if any."""
        kind = line.get("event")
        if kind == "stopped":
            self.stats = {k: line[k] for k in ("frames", "seconds", "cpu_seconds") if k in line}
        if kind in ("closed", "failed") and self.ended is None:
            self.ended = time.time()
            self.ended_by = (
                "the shared window was closed" if line.get("why") == "window" else
                "the mirror's window was closed inside the sandbox, or a display ended"
                if kind == "closed" else f"the mirror failed: {line.get('error', '')}")
            return _event(self.grant, False, self.ended_by)
        return None

    def events(self) -> list[dict[str, Any]]:
        """Live events since the last call: ``screen`` with ``shared: false`` when the
        host window went away (the grant ends there), or the mirror ended without saying
        why (killed from outside, crashed)."""
        found = [e for e in map(self._note, self._read()) if e is not None]
        if self.eof and self.ended is None:
            self.ended = time.time()
            self.ended_by = "the mirror stopped without a word (killed, or it crashed)"
            found.append(_event(self.grant, False, self.ended_by))
        return found

    def stop(self) -> dict[str, Any]:
        """Stop the mirror; the report's ``screen`` object."""
        if not self.eof:
            self.events()
        stopped = self.helper.stop()
        for line in self._read():
            self._note(line)
        with contextlib.suppress(OSError):
            os.close(self.out)
        if self.ended is None:
            self.ended, self.ended_by = time.time(), "the session ended"
        return {"mode": self.grant.mode, "window": f"0x{self.grant.window:x}",
                "title": self.grant.title, "started": self.started, "stopped": self.ended,
                "ended_by": self.ended_by, "mirror_stopped": stopped, **self.stats}


def started_event(grant: ScreenGrant) -> dict[str, Any]:
    """The live event that says a screen grant is in force (sent once the client runs)."""
    return _event(grant, True)
