"""A host-side helper of one session (Xephyr, xdg-dbus-proxy, PulseAudio) and its stopping."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..core import proc
from ..core.errors import SessionError

STOP_SECONDS = 3.0
#: Top-level paths that merged-/usr systems keep as symlinks into /usr.
_USR_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


@dataclass
class Helper:
    """A started helper; *keep_fds* are closed when it is stopped (its stop signal)."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    keep_fds: list[int] = field(default_factory=list)

    def log_tail(self, lines: int = 8) -> str:
        """The end of its error output, for error details."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> bool:
        """Close its fds, TERM, then KILL; True once it is reaped."""
        for fd in self.keep_fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.keep_fds = []
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(STOP_SECONDS)
        return self.process.poll() is not None


def start(name: str, argv: list[str], workdir: Path, *, pass_fds: tuple[int, ...] = (),
          env: dict[str, str] | None = None, stdin: int = subprocess.DEVNULL,
          stdout: int = subprocess.DEVNULL) -> Helper:
    """Spawn *argv* with its stderr in ``workdir/NAME.log``; it dies with the launcher.

    *stdin*/*stdout*: fds (a pipe between two helpers), /dev/null by default.
    """
    log = workdir / f"{name}.log"
    with open(log, "wb") as sink:
        process = proc.spawn(argv, pass_fds=pass_fds, env=env, stdin=stdin,
                             stdout=stdout, stderr=sink.fileno(), die_with_parent=True)
    return Helper(name, process, log)


def read_ready(helper: Helper, fd: int, timeout: float, what: str) -> bytes:
    """Wait for the helper to write to *fd* (its readiness signal); raise if it dies first."""
    deadline = time.monotonic() + timeout
    data = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            chunk = os.read(fd, 64)
            data += chunk
            if not chunk or data.endswith((b"\n", b"x")):
                break
        elif helper.process.poll() is not None:
            break
    if not data.strip():
        helper.stop()
        raise SessionError(f"{what} did not start (exit status {helper.process.poll()})",
                           "see the details for its error output", details=helper.log_tail())
    return data


def confined(bwrap: str, folder: Path, inside: str, argv: list[str],
             binds: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """*argv* under bwrap: every namespace new, host system read-only, *folder* writable.

    A neutral host name, *folder* at *inside* (a client may read both from a server:
    ``pactl info``); *binds* are (host, inside) paths bound read-write after it.
    """
    out = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
           "--hostname", "sandbox", "--ro-bind", "/usr", "/usr"]
    for name in _USR_LINKS:
        path = Path("/") / name
        if path.is_symlink():
            out += ["--symlink", os.readlink(path), f"/{name}"]
        elif path.is_dir():
            out += ["--ro-bind", f"/{name}", f"/{name}"]
    out += ["--ro-bind", "/etc", "/etc", "--dev", "/dev", "--proc", "/proc",
            "--tmpfs", "/tmp", "--tmpfs", "/run", "--bind", str(folder), inside]
    for host, there in binds:
        out += ["--bind", host, there]
    # Named on the command line for wipe --stale (see devices.stale).
    out += ["--setenv", "SANDBOX_LAUNCHER_STATE", str(folder), "--", *argv]
    return out
