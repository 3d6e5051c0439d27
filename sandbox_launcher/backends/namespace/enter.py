"""Running one more command inside a running namespace sandbox, confined like its client.

At start the backend keeps, in the session's host-side state dir (never visible inside),
what a later joiner needs and must not take from the sandbox: the seccomp program bwrap
loaded, the client's clean environment, uid, gid, umask and the client store mounts
(:func:`save`). The client controls its own /proc/PID/environ and its writable files;
none of that is read.

:func:`run_inside` then starts the joiner helper (:mod:`.joiner`), which enters the
session's namespaces and execs the command as a process of the session. The program is
chosen here, on the host side, as the canonical path of a file in a read-only part of
the sandbox (/usr and the other host system directories, /opt, the client store), never
a path inside the client's writable home, /tmp or runtime dir.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core import proc
from ...core.errors import CommandNotFound, SessionError
from ...core.plan import SANDBOX_HOME, LaunchPlan
from .environment import sandbox_env
from .layout import USR_LINKS

SPEC_FILE = "enter.json"
SECCOMP_FILE = "seccomp.bpf"
_TIMEOUT = 20.0
#: Host directories the sandbox sees read-only at the same path (see layout).
_READ_ONLY_ROOTS = ("/usr", "/opt", *(f"/{name}" for name in USR_LINKS))


@dataclass(frozen=True)
class EnterSpec:
    """What a joined process gets, as the launcher recorded it when the session started."""

    env: dict[str, str]
    uid: int
    gid: int
    umask: int
    cwd: str
    mounts: tuple[tuple[str, str], ...]  # client store: (host dir, path inside), read-only
    seccomp: bytes


def _umask() -> int:
    """This process's umask, read without changing it (other threads may create files)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def save(workdir: Path, plan: LaunchPlan, seccomp_fd: int) -> None:
    """Record the client's confinement for joiners; *seccomp_fd* is left at offset 0."""
    program = os.pread(seccomp_fd, os.fstat(seccomp_fd).st_size, 0)
    _write_private(workdir / SECCOMP_FILE, program)
    spec = {
        # bwrap's --chdir sets PWD for the client; the joined process gets it too.
        "env": {**sandbox_env(plan), "PWD": SANDBOX_HOME},
        "uid": os.getuid(), "gid": os.getgid(), "umask": _umask(), "cwd": SANDBOX_HOME,
        "mounts": [list(m) for m in plan.client.mounts],
    }
    _write_private(workdir / SPEC_FILE, json.dumps(spec).encode())


def load(workdir: Path) -> EnterSpec:
    """What :func:`save` recorded, or SessionError when the session has no such record."""
    try:
        data: dict[str, Any] = json.loads((workdir / SPEC_FILE).read_text("utf-8"))
        program = (workdir / SECCOMP_FILE).read_bytes()
        return EnterSpec(env={str(k): str(v) for k, v in data["env"].items()},
                         uid=int(data["uid"]), gid=int(data["gid"]), umask=int(data["umask"]),
                         cwd=str(data["cwd"]),
                         mounts=tuple((str(s), str(d)) for s, d in data["mounts"]),
                         seccomp=program)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SessionError("the session has no record of its client's confinement, so "
                           "nothing can join it", "open the link in a new session") from exc


def _program_file(host: str) -> bool:
    return os.path.isfile(host) and os.access(host, os.X_OK)


def _inside_path(candidate: str, mounts: Sequence[tuple[str, str]]) -> str | None:
    """The canonical in-sandbox path of *candidate* if it is a program in a read-only part."""
    inside = os.path.normpath(candidate)
    for src, dest in mounts:
        if inside.startswith(dest + "/"):
            root = os.path.realpath(src)
            host = os.path.realpath(root + inside[len(dest):])
            if host.startswith(root + "/") and _program_file(host):
                return dest + host[len(root):]
            return None
    host = os.path.realpath(inside)
    if not any(host.startswith(root + "/") for root in _READ_ONLY_ROOTS):
        return None
    if any(host == dest or host.startswith(dest + "/") for _, dest in mounts):
        return None  # a host file that the client store covers inside
    return host if _program_file(host) else None


def resolve_program(program: str, spec: EnterSpec) -> str:
    """Where *program* is inside, resolved from read-only parts only, like the client's PATH.

    Raises CommandNotFound when no read-only file of that name is there.
    """
    if "/" in program:
        candidates = [program] if program.startswith("/") else []
    else:
        path = spec.env.get("PATH", "")
        candidates = [f"{d}/{program}" for d in path.split(":") if d.startswith("/")]
    for candidate in candidates:
        found = _inside_path(candidate, spec.mounts)
        if found is not None:
            return found
    raise CommandNotFound(program)


def run_inside(leader: int, namespaces: dict[str, int], spec: EnterSpec,
               argv: Sequence[str], timeout: float = _TIMEOUT) -> int:
    """Start *argv* in the session whose init is *leader*; returns its pid inside.

    The process is the session's from then on: re-parented to the sandbox's init, it
    ends with the session (and the wipe verifies that it did).
    """
    path = resolve_program(argv[0], spec)
    request = {
        "leader": leader, "namespaces": namespaces, "path": path, "argv": list(argv),
        "env": spec.env, "cwd": spec.cwd, "uid": spec.uid, "gid": spec.gid,
        "umask": spec.umask, "seccomp": base64.b64encode(spec.seccomp).decode("ascii"),
    }
    helper = proc.spawn([sys.executable, "-I", "-m", "sandbox_launcher.backends.namespace.joiner"],
                        env={"PATH": "/usr/bin:/bin"}, stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = helper.communicate(json.dumps(request).encode(), timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        helper.kill()
        helper.communicate()
        raise SessionError(f"joining the session did not finish within {timeout:g} s",
                           "try again; if it persists, start a new session") from exc
    answer: dict[str, Any] = {}
    with contextlib.suppress(ValueError, IndexError):
        answer = json.loads(out.decode(errors="replace").strip().splitlines()[-1])
    if answer.get("ok"):
        return int(answer["pid"])
    if answer.get("stage") == "executing the program" and answer.get("errno") == 2:
        raise CommandNotFound(path)
    raise SessionError(
        f"could not start the link's program in the session "
        f"({answer.get('stage', 'joining')}: {answer.get('error', 'the helper failed')})",
        "the session may have ended; start a new one",
        details=err.decode(errors="replace").strip())
