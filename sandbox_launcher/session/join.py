"""A second meeting link into a session that runs (issue 5: "join in the running session").

Any launcher process of the user can join: the CLI (``open URL --join-running``,
``join ID URL``) and the app alike. What it may run comes from the session's state dir,
written by the session's owner at start: how its client takes a second link
(:class:`clients.handover.Handover`) and the client's confinement (the backend's record).
Nothing is read from inside the sandbox.

Refused, each with the reason: a link the strict parser refuses; a session that does not
exist, is not running (starting, stopping, wiping) or whose launcher is gone (stale); a
link the session was not made for (another service, a host outside its allowlist); a
client that takes no second link.

The owner records each join (service, host and time: never the path or query, which
carry the meeting's passcode) in its report and sends it as a live ``join`` event; the
joiner tells it over a datagram socket in the state dir (:class:`JoinInbox`).
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..backends.base import BackendState
from ..backends.registry import Registry
from ..clients import links
from ..core.client import Handover
from ..core.errors import MeetingLinkError, SessionError
from ..core.plan import LaunchPlan
from . import store

HANDOVER_FILE = "handover.json"
INBOX = "joins.sock"
#: Joins a session keeps for its report; more are counted, not listed.
MAX_RECORDED = 64
_HOST = re.compile(r"^[a-z0-9.-]{1,253}$")


@dataclass(frozen=True)
class Joined:
    """A link handed to a running session."""

    session_id: str
    profile: str
    service: str
    host: str
    pid: int  # of the handed-over command, inside the session

    def describe(self) -> str:
        """One line for the terminal."""
        return (f"handed the {self.service} meeting on {self.host} to the running session "
                f"{self.session_id} ({self.profile}); pid {self.pid} inside")


def save_handover(workdir: Path, plan: LaunchPlan) -> None:
    """Keep how the session's client takes a second link (the owner, at start)."""
    data = {"profile": plan.profile, "handover": plan.client.handover.to_dict()}
    fd = os.open(workdir / HANDOVER_FILE,
                 os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out)


def _handover(workdir: Path) -> Handover:
    try:
        data: dict[str, Any] = json.loads((workdir / HANDOVER_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return Handover.none("the session keeps no record of how its client takes a link "
                             "(it was started by an older launcher)")
    return Handover.from_dict(data.get("handover") or {})


def running_of(profile: str, base: Path | None = None) -> list[store.FoundSession]:
    """Sessions of *profile* that run now under a live launcher, newest first."""
    found = [s for s in store.list_sessions(base)
             if s.record.profile == profile and not s.stale and s.record.state == "running"]
    return sorted(found, key=lambda s: s.record.started, reverse=True)


def takes(found: store.FoundSession, link: links.MeetingLink) -> bool:
    """Whether that session's client would take *link* (its service, its allowlist)."""
    try:
        _handover(found.dir).argv_for(link, found.record.profile)
    except MeetingLinkError:
        return False
    return True


def _check_joinable(found: store.FoundSession) -> None:
    record = found.record
    if found.stale:
        raise SessionError(
            f"session {record.id} was left by a launcher that is gone; nothing can join it",
            "wipe it with 'sandbox-launcher wipe --stale', then open the link in a new session")
    if record.state != "running":
        raise SessionError(f"session {record.id} is not running (it is {record.state})",
                           "open the link in a new session")
    if not BackendState.from_dict(record.backend_state).data:
        raise SessionError(f"session {record.id} cannot be joined (its sandbox left no "
                           "record)", "open the link in a new session")


def join(session_id: str, url: str, base: Path | None = None,
         registry: Registry | None = None) -> Joined:
    """Hand *url* to the running session *session_id*; raises a LauncherError if refused."""
    link = links.parse(url)
    found = store.find_session(session_id, base)
    _check_joinable(found)
    record = found.record
    argv = _handover(found.dir).argv_for(link, record.profile)
    state = BackendState.from_dict(record.backend_state)
    backend = (registry or Registry()).get(state.backend or record.backend)
    pid = backend.join(state, found.dir, list(argv))
    _tell_owner(found.dir, {"type": "join", "service": link.service, "host": link.host,
                            "at": round(time.time(), 3), "pid": pid})
    return Joined(record.id, record.profile, link.service, link.host, pid)


def _dir_path(fd: int, name: str) -> str:
    # Through the directory's descriptor: a state dir under a long base can exceed the
    # 108 bytes a socket address may have.
    return f"/proc/self/fd/{fd}/{name}"


def _tell_owner(workdir: Path, event: dict[str, Any]) -> bool:
    """Send *event* to the session's owner; whether it was delivered (a gone owner, or
    one too old to have an inbox, simply does not hear it)."""
    try:
        dirfd = os.open(workdir, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(json.dumps(event).encode(), _dir_path(dirfd, INBOX))
        finally:
            os.close(dirfd)
    except OSError:
        return False
    return True


def ask_to_stop(workdir: Path) -> bool:
    """Ask the session's owner to stop this session (and only it: an app with other
    sessions goes on); whether the owner got the request."""
    return _tell_owner(workdir, {"type": "stop"})


def _clean(raw: bytes) -> dict[str, Any] | None:
    """A join event as the report keeps it, or None for anything else."""
    try:
        data = json.loads(raw)
        service, host = str(data["service"]), str(data["host"])
        at, pid = float(data["at"]), int(data["pid"])
    except (ValueError, KeyError, TypeError):
        return None
    if service not in links.LINK_PROFILES or not _HOST.match(host):
        return None
    return {"type": "join", "service": service, "host": host, "at": at, "pid": pid}


class JoinInbox:
    """The owner's end: joiners of this session say here what they handed over, and
    ``stop ID`` asks it to stop (:func:`ask_to_stop`)."""

    def __init__(self, workdir: Path) -> None:
        self.joins: list[dict[str, Any]] = []
        self.dropped = 0
        #: Whether ``stop ID`` asked this session to stop.
        self.stop_asked = False
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                                   | socket.SOCK_NONBLOCK)
        try:
            dirfd = os.open(workdir, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                self._sock.bind(_dir_path(dirfd, INBOX))
            finally:
                os.close(dirfd)
        except OSError:
            self._sock.close()
            raise

    def fileno(self) -> int:
        """Readable when a joiner has said something."""
        return self._sock.fileno()

    def read(self) -> list[dict[str, Any]]:
        """New join events (kept for the report as well)."""
        new = []
        while True:
            try:
                raw = self._sock.recv(4096)
            except (BlockingIOError, OSError):
                break
            if raw == b'{"type": "stop"}':
                self.stop_asked = True
                continue
            event = _clean(raw)
            if event is None:
                continue
            if len(self.joins) < MAX_RECORDED:
                self.joins.append(event)
            else:
                self.dropped += 1
            new.append(event)
        return new

    def report(self) -> dict[str, Any]:
        """The report's ``joins`` object."""
        self.read()
        return {"links": [{k: v for k, v in e.items() if k != "type"} for e in self.joins],
                "not_listed": self.dropped}

    def close(self) -> None:
        """Stop listening (the socket file goes with the state dir)."""
        self._sock.close()


# The same steps for a sign-in's return link (session/return_links.py).
check_joinable = _check_joinable
handover_of = _handover
tell_owner = _tell_owner
