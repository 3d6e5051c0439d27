"""The home hooks of a VM session, through the guest agent, and joins through its join port.

Seed: the files the session layer hands over (the decrypted sign-in vault, verify's
probe) are packed into a tar in memory and sent in bounded ``seed`` chunks before the
client starts; the agent writes them into the guest home. Capture: after the client
ended, and before the domain is destroyed, the agent packs the named home paths and
streams them back in ``archive`` chunks; the host counts every byte against the
session's limit (the guest is hostile: its own check is not trusted) and reads the tar
with the namespace backend's filter (``backends/home_archive.py``): only regular files
under the named paths. Plain text exists in the launcher's memory and in the guest
(whose disk overlay lies in the runtime dir, a tmpfs), never in a file of the host.
"""

from __future__ import annotations

import base64
import io
import tarfile
from collections.abc import Mapping
from pathlib import Path

from ..base import Captured
from ..home_archive import read_members
from .errors import AgentError
from .machine import Machine
from .protocol import (
    MAX_ARCHIVE_CHUNK,
    AgentChannel,
    Archive,
    GuestError,
    Seeded,
    Started,
)

#: Seeding and capturing are a few round trips; under software emulation and load, slow.
HOME_TIMEOUT = 60.0
#: A join's answer comes from the agent's loop at once (it polls the port every 0.2 s).
JOIN_TIMEOUT = 30.0


def _tar(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path, data in sorted(files.items()):
            info = tarfile.TarInfo(path)
            info.size, info.mode = len(data), 0o600
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def seed_home(vm: Machine, files: Mapping[str, bytes], timeout: float = HOME_TIMEOUT) -> int:
    """Write *files* (home-relative path → content) into the guest home; how many."""
    data = _tar(files)
    for start in range(0, len(data), MAX_ARCHIVE_CHUNK):
        piece = data[start:start + MAX_ARCHIVE_CHUNK]
        vm.channel.send("seed", data=base64.b64encode(piece).decode(),
                        more=start + MAX_ARCHIVE_CHUNK < len(data))
    answer = vm.channel.receive(timeout)
    if isinstance(answer, Seeded):
        return answer.files
    detail = answer.message if isinstance(answer, GuestError) else repr(answer)
    raise AgentError("the guest agent could not write the session's files into the guest "
                     "home", "the VM was ended", details=detail[:500])


def capture_home(vm: Machine, paths: tuple[str, ...], limit: int,
                 timeout: float = HOME_TIMEOUT) -> Captured:
    """The named home paths of the guest, after its client ended (never raises)."""
    too_big = Captured(problem=(f"the client's saved state is larger than "
                                f"{limit / (1 << 20):g} MiB or damaged; nothing was kept "
                                "from this session"))
    try:
        vm.channel.send("capture", paths=list(paths), limit=limit)
        received = bytearray()
        while True:
            answer = vm.channel.receive(timeout)
            if isinstance(answer, GuestError):
                text = "".join(c for c in answer.message if c.isprintable())[:200]
                return too_big if "more than" in text else Captured(
                    problem=f"the guest could not pack the client's state ({text})")
            if not isinstance(answer, Archive):
                raise AgentError("the guest agent answered a capture out of turn",
                                 "the VM was ended", details=repr(answer)[:200])
            received += answer.data
            if len(received) > limit:
                return too_big  # counted here: the guest's own limit is not trusted
            if not answer.more:
                break
    except AgentError as exc:
        return Captured(problem=f"the guest did not hand the client's state back "
                                f"({exc.summary})")
    return read_capture(bytes(received), paths)


def read_capture(data: bytes, paths: tuple[str, ...]) -> Captured:
    """The regular files of the guest's tar that lie under *paths*; the rest is skipped."""
    if not data:
        return Captured()
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            return read_members(archive, paths).captured()
    except (tarfile.TarError, EOFError) as exc:
        return Captured(problem=f"the guest handed back a damaged archive ({exc})")


def spawn_in_guest(join_socket: Path, argv: list[str], timeout: float = JOIN_TIMEOUT) -> int:
    """Start *argv* in a running guest through its join port; the guest pid."""
    channel = AgentChannel.connect(join_socket, timeout=5.0)
    try:
        channel.send("spawn", id=1, argv=argv)
        answer = channel.receive(timeout)
    finally:
        channel.close()
    if isinstance(answer, Started) and answer.id == 1:
        return answer.pid
    detail = answer.message if isinstance(answer, GuestError) else repr(answer)
    raise AgentError("the VM did not start the client for the link",
                     "open the link in a new session",
                     details="".join(c for c in detail if c.isprintable())[:300])
