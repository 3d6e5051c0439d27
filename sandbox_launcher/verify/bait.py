"""The host side of the local probe: what there is to steal, and what stayed behind.

:class:`Bait` puts a canary file in the user's home, starts a marked process and a
secret in the environment, and finds the user's real X11, D-Bus, ssh-agent and
gpg-agent sockets; :meth:`Bait.probe_args` aims the probe at all of them. Everything it
made is removed by :meth:`Bait.close`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..core import proc
from ..host import procs

#: Where a file left by the probe could survive a session.
LEFTOVER_ROOTS = ("/tmp", "/var/tmp", "/dev/shm")
_SCAN_LIMIT = 20000


def x11_sockets(display: str) -> tuple[str, str]:
    """The socket file and abstract name of a local ``:N`` display ('' when remote)."""
    host, _, number = display.partition(":")
    number = number.split(".")[0]
    if host not in ("", "unix") or not number.isdigit():
        return "", ""
    return f"/tmp/.X11-unix/X{number}", f"/tmp/.X11-unix/X{number}"


def dbus_sockets(address: str, runtime_dir: str) -> tuple[str, str]:
    """The session bus's socket path and abstract name, from its address."""
    path = abstract = ""
    for part in address.split(";"):
        if not part.startswith("unix:"):
            continue
        for pair in part[len("unix:"):].split(","):
            key, _, value = pair.partition("=")
            if key == "path" and not path:
                path = value
            elif key == "abstract" and not abstract:
                abstract = value
    if not path and runtime_dir:
        path = os.path.join(runtime_dir, "bus")
    return path, abstract


def host_macs() -> list[str]:
    """The host's non-zero MAC addresses."""
    macs = []
    with contextlib.suppress(OSError):
        for name in sorted(os.listdir("/sys/class/net")):
            with contextlib.suppress(OSError):
                mac = Path(f"/sys/class/net/{name}/address").read_text().strip().lower()
                if mac and mac != "00:00:00:00:00:00":
                    macs.append(mac)
    return macs


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


@dataclass
class Bait:
    """Canary, marked process and secret for one verify run; always :meth:`close` it."""

    home: Path
    env: dict[str, str]
    marker: str = field(default_factory=lambda: f"slverify{secrets.token_hex(6)}")
    canary: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    secret: str = field(default_factory=lambda: f"slsecret{secrets.token_hex(12)}")

    @classmethod
    def lay(cls, env: dict[str, str] | None = None) -> Bait:
        """Lay the bait in the current user's home and session."""
        bait = cls(Path.home(), dict(os.environ if env is None else env))
        try:
            bait.canary = bait.home / f".sl-verify-canary-{secrets.token_hex(6)}"
            fd = os.open(bait.canary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(f"canary {secrets.token_hex(8)}\n")
            # Its argv carries the marker, as a process of the user's would its name.
            bait.process = proc.spawn(
                [sys.executable, "-c", "import time; time.sleep(3600)", bait.marker],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, die_with_parent=True)
        except BaseException:
            bait.close()
            raise
        return bait

    def close(self) -> None:
        """Remove the canary and stop the marked process."""
        if self.canary is not None:
            with contextlib.suppress(OSError):
                self.canary.unlink()
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            self.process.wait()

    @property
    def ids(self) -> dict[str, str]:
        """The host's identifiers."""
        machine_id = _read("/etc/machine-id") or _read("/var/lib/dbus/machine-id")
        return {"machine_id": machine_id or secrets.token_hex(16),
                "boot_id": _read("/proc/sys/kernel/random/boot_id"),
                "hostname": socket.gethostname()}

    def probe_args(self, *, leave_marker: str | None, granted_devs: list[str],
                   granted_sockets: list[str] | None = None) -> list[str]:
        """The probe's ``probe`` arguments, aimed at the user's real things."""
        runtime = self.env.get("XDG_RUNTIME_DIR", "")
        args = ["probe", "--home", str(self.home), "--host-marker", self.marker,
                "--ptrace-marker", self.marker, "--env-secret", self.secret,
                "--tiocsti", "--inherited-fds", "--foreign-fds", "--dmi", "--devices",
                "--host-macs", ",".join(host_macs()) or "02:00:00:00:00:00"]
        if self.canary is not None:
            args += ["--canary", str(self.canary)]
        if self.process is not None:
            args += ["--host-pid", str(self.process.pid)]
        ids = self.ids
        args += ["--host-machine-id", ids["machine_id"], "--host-boot-id", ids["boot_id"],
                 "--host-hostname", ids["hostname"]]
        x11_path, x11_abstract = x11_sockets(self.env.get("DISPLAY", ""))
        if x11_path:
            args += ["--x11-socket", x11_path, "--x11-abstract", x11_abstract]
            with contextlib.suppress(OSError):
                st = os.stat(x11_path)
                args += ["--x11-ident", f"{st.st_dev}:{st.st_ino}"]
        bus_path, bus_abstract = dbus_sockets(self.env.get("DBUS_SESSION_BUS_ADDRESS", ""),
                                              runtime)
        if bus_path:
            args += ["--dbus-socket", bus_path]
        if bus_abstract:
            args += ["--dbus-abstract", bus_abstract]
        # Without an agent, a path nobody listens on: the control then says "not tested".
        args += ["--ssh-socket", self.env.get("SSH_AUTH_SOCK")
                 or os.path.join(runtime or "/tmp", "ssh-agent.none")]
        args += ["--gpg-socket", os.path.join(runtime or "/tmp", "gnupg", "S.gpg-agent")]
        for dev in granted_devs:
            args += ["--granted-dev", dev]
        for path in granted_sockets or []:
            args += ["--granted-socket", path]
        if leave_marker:
            args += ["--leave-marker", leave_marker]
        return args

    def secret_env(self) -> dict[str, str]:
        """The environment the launcher runs with: the user's, plus the secret."""
        return {"SL_VERIFY_SECRET": self.secret}


def leftover_files(marker: str, home: Path) -> list[str]:
    """Files named after *marker* anywhere a session's trace could survive."""
    roots = [*LEFTOVER_ROOTS, str(home)]
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        roots.append(runtime)
    found: list[str] = []
    for root in roots:
        for path in _walk(root):
            if marker in os.path.basename(path) and not path.endswith("-canary"):
                found.append(path)
    return found


def _walk(root: str) -> Iterator[str]:
    seen = 0
    for dirpath, dirs, files in os.walk(root, onerror=lambda _e: None):
        for name in (*dirs, *files):
            seen += 1
            if seen > _SCAN_LIMIT:
                return
            yield os.path.join(dirpath, name)


def leftover_processes(marker: str) -> list[int]:
    """Processes whose command line shows *marker* (the probe's daemon)."""
    found = []
    for pid in procs.pids():
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in raw and pid != os.getpid():
            found.append(pid)
    return found


def kill_all(pids: list[int]) -> None:
    """Stop what a broken sandbox let stay (verify cleans up after its own probe)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
