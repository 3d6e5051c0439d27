"""Session records on the host: one small state dir per session under the runtime dir.

The launcher that owns a session holds an exclusive ``flock`` on its ``lock`` file
for as long as it lives. The kernel drops that lock when the launcher dies, however
it dies, so "the lock can be taken" means "the owner is gone": the session is stale.
This is immune to pid reuse, unlike checking whether ``launcher_pid`` is alive.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..core import paths
from ..core.errors import SessionNotFound

_RECORD = "session.json"
_LOCK = "lock"
_CREATING_GRACE = 10.0


@dataclass
class SessionRecord:
    """What is known about a session, persisted so another process can act on it."""

    id: str
    profile: str
    backend: str
    state: str
    started: float
    command: list[str] = field(default_factory=list)
    launcher_pid: int = 0
    #: The backend's own record of its sandbox (``BackendState.to_dict()``), opaque here.
    backend_state: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionRecord:
        """Read a record, also one written before backends kept their own state (then
        the namespace backend's ``leader_pid`` and ``namespaces`` were at the top)."""
        data = dict(data)
        leader = data.pop("leader_pid", None)
        namespaces = data.pop("namespaces", None)
        if not data.get("backend_state") and (leader or namespaces):
            data["backend_state"] = {"backend": data.get("backend", "namespace"),
                                     "version": 1, "data": {
                                         "leader_pid": int(leader or 0),
                                         "namespaces": dict(namespaces or {})}}
        return cls(**data)


def new_id(profile: str) -> str:
    """A short id people can type: ``zoom-3fa9c1``."""
    return f"{profile}-{os.urandom(3).hex()}"


def state_dir(session_id: str, base: Path | None = None) -> Path:
    """The host-side dir of a session."""
    return (base or paths.sessions_dir()) / session_id


class OwnedSession:
    """A session this process owns: holds the lock and writes the record."""

    def __init__(self, record: SessionRecord, base: Path | None = None) -> None:
        self.record = record
        self.dir = state_dir(record.id, base)
        self.dir.mkdir(mode=0o700)
        self._lock_fd = os.open(self.dir / _LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.save()

    def save(self) -> None:
        """Write the record atomically (a reader never sees half a file)."""
        tmp = self.dir / f".{_RECORD}.tmp"
        tmp.write_text(json.dumps(self.record.to_dict()), encoding="utf-8")
        tmp.replace(self.dir / _RECORD)

    def set_state(self, state: str) -> None:
        """Record a new lifecycle state."""
        self.record.state = state
        self.save()

    def release(self) -> None:
        """Drop the lock (after the dir is gone, nothing else can take it)."""
        with contextlib.suppress(OSError):
            os.close(self._lock_fd)


@dataclass(frozen=True)
class FoundSession:
    """A session found on disk, with whether its owner is still alive."""

    record: SessionRecord
    dir: Path
    stale: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``sessions --json``."""
        out = self.record.to_dict()
        out["state"] = "stale" if self.stale else self.record.state
        return out


def _owner_alive(directory: Path) -> bool:
    try:
        fd = os.open(directory / _LOCK, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _read(directory: Path) -> SessionRecord | None:
    try:
        data = json.loads((directory / _RECORD).read_text(encoding="utf-8"))
        return SessionRecord.from_dict(data)
    except (OSError, ValueError, TypeError):
        return None


def list_sessions(base: Path | None = None) -> list[FoundSession]:
    """Every session dir, oldest first; a dir without a readable record is stale."""
    root = base or paths.sessions_dir()
    found = []
    for directory in sorted(root.iterdir()) if root.is_dir() else []:
        if not directory.is_dir():
            continue
        record = _read(directory)
        alive = _owner_alive(directory)
        if record is None:
            if alive or time.time() - directory.stat().st_mtime < _CREATING_GRACE:
                continue  # being created right now: the lock is taken just after mkdir
            record = SessionRecord(id=directory.name, profile="?", backend="?",
                                   state="unknown", started=directory.stat().st_mtime)
        found.append(FoundSession(record, directory, stale=not alive))
    return sorted(found, key=lambda s: s.record.started)


def find_session(session_id: str, base: Path | None = None) -> FoundSession:
    """The session with that id, or :class:`SessionNotFound`."""
    for session in list_sessions(base):
        if session.record.id == session_id:
            return session
    raise SessionNotFound(f"there is no session {session_id!r}",
                          "list them with 'sandbox-launcher sessions'")
