"""Host fixtures of the integration tests: the host's identity the sandbox must not show,
real host services (Xvfb, a session bus, ssh-agent) the escape tests attack as the
unprivileged user, and the check that nothing of a session is left on the host."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    LEFTOVER_ROOTS,
    SERVICE_START_TIMEOUT,
    SYSTEM_PYTHON,
    LauncherUser,
    _chown_to,
    _read_in_thread,
    as_user_argv,
    user_environment,
)
from support.jailed_desktop import bus_names_owned, owner_argv

# --------------------------------------------------------------------------- host identity


@dataclass(frozen=True)
class HostIdentity:
    """What identifies this machine; the client must see none of it."""

    machine_id: str | None
    boot_id: str
    hostname: str
    macs: tuple[str, ...]


@pytest.fixture(scope="session")
def host_identity() -> HostIdentity:
    """Read the host's identifiers once."""
    machine_id = None
    for candidate in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        with contextlib.suppress(OSError):
            machine_id = Path(candidate).read_text().strip() or None
        if machine_id:
            break
    macs = []
    for name in sorted(os.listdir("/sys/class/net")):
        with contextlib.suppress(OSError):
            mac = Path(f"/sys/class/net/{name}/address").read_text().strip().lower()
            if mac and mac != "00:00:00:00:00:00":
                macs.append(mac)
    return HostIdentity(
        machine_id=machine_id,
        boot_id=Path("/proc/sys/kernel/random/boot_id").read_text().strip(),
        hostname=socket.gethostname(),
        macs=tuple(macs),
    )


# --------------------------------------------------------------------------- host services


@dataclass(frozen=True)
class HostServices:
    """The user's live services and secrets that a sandboxed client must not reach."""

    display: str
    x11_socket: str
    x11_abstract: str
    dbus_socket: str
    dbus_abstract: str
    ssh_socket: str
    canary: Path
    canary_secret: str
    host_pid: int
    host_marker: str
    #: A token in the session's environment, as many users keep (GITHUB_TOKEN, AWS keys…).
    env_secret: str

    @property
    def session_env(self) -> dict[str, str]:
        """What a desktop session exports; the launcher gets it and must not pass it on."""
        return {
            "DISPLAY": self.display,
            "DBUS_SESSION_BUS_ADDRESS": f"unix:path={self.dbus_socket}",
            "SSH_AUTH_SOCK": self.ssh_socket,
            "SL_SESSION_TOKEN": self.env_secret,
        }


_DBUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={path}</listen>{abstract}
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def dbus_session_config(path: str | Path, abstract: str | None = None) -> str:
    """A dbus-daemon config for a private session bus on *path* (and an abstract address)."""
    extra = f"\n  <listen>unix:abstract={abstract}</listen>" if abstract else ""
    return _DBUS_CONFIG.format(path=path, abstract=extra)


def _abstract_sockets() -> set[str]:
    """Abstract socket names listening in our network namespace (the host's)."""
    with open("/proc/net/unix", encoding="utf-8", errors="replace") as fh:
        lines = fh.read().splitlines()[1:]
    return {f[7][1:] for f in (line.split() for line in lines) if len(f) >= 8 and f[7][0] == "@"}


def _wait_until(ready: Callable[[], bool], proc: subprocess.Popen[Any], what: str) -> bool:
    """Poll *ready*; False if *proc* died first, AssertionError on timeout."""
    deadline = time.monotonic() + SERVICE_START_TIMEOUT
    while time.monotonic() < deadline:
        if ready():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    raise AssertionError(f"{what} did not come up within {SERVICE_START_TIMEOUT}s")


def _free_path(preferred: Path) -> Path:
    """*preferred* unless a live socket is there (another test run), then a unique sibling."""
    if preferred.exists():
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.connect(str(preferred))
        except OSError:
            preferred.unlink()  # stale: its server is gone
            return preferred
        return preferred.with_name(f"{preferred.name}-{secrets.token_hex(4)}")
    return preferred


class _ServiceStarter:
    """Starts the user's services one by one and stops them all, whatever happened."""

    def __init__(self, user: LauncherUser, workdir: Path) -> None:
        self.user = user
        self.workdir = workdir
        self.procs: list[subprocess.Popen[Any]] = []
        self.cleanup_paths: list[Path] = []

    def start(self, name: str, argv: Sequence[str], *, stdout: int = subprocess.DEVNULL) -> Any:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed once the child has it
        proc = subprocess.Popen(
            as_user_argv(self.user, argv),
            env=user_environment(self.user),
            cwd=self.user.home,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=log,
        )
        log.close()  # the child holds its own copy
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def xvfb(self) -> tuple[str, str, str]:
        """Start Xvfb on the first free display from :90; return (display, path, abstract)."""
        x11_dir = Path("/tmp/.X11-unix")
        if os.geteuid() == 0 and not x11_dir.exists():
            # As systemd-tmpfiles would: root-owned and sticky, or Xvfb complains.
            x11_dir.mkdir()
            x11_dir.chmod(0o1777)
        for number in range(90, 190):
            sock = x11_dir / f"X{number}"
            lock = Path(f"/tmp/.X{number}-lock")
            if sock.exists() or lock.exists() or str(sock) in _abstract_sockets():
                continue
            proc = self.start("xvfb", ["Xvfb", f":{number}", "-nolisten", "tcp"])

            def listening(path: Path = sock) -> bool:
                # Both: the client may try the file and the abstract name.
                return path.exists() and str(path) in _abstract_sockets()

            up = _wait_until(listening, proc, "Xvfb")
            if up:
                self.cleanup_paths += [sock, lock]
                return f":{number}", str(sock), str(sock)
            proc.wait()  # lost a race for that display: try the next one
            self.procs.remove(proc)
        raise AssertionError(f"no free X display from :90 on; last log:\n{self.log('xvfb')}")

    def dbus(self) -> tuple[str, str]:
        """Start a session bus on ``$XDG_RUNTIME_DIR/bus`` and an abstract address."""
        path = _free_path(self.user.runtime_dir / "bus")
        abstract = f"/tmp/dbus-{secrets.token_hex(5)}"
        config = self.workdir / "session.conf"
        config.write_text(dbus_session_config(path, abstract))
        config.chmod(0o644)
        argv = ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address"]
        proc = self.start("dbus", argv, stdout=subprocess.PIPE)
        assert proc.stdout is not None
        # --print-address is written once the bus listens on every address.
        line = _read_in_thread(proc.stdout.readline, SERVICE_START_TIMEOUT, "dbus-daemon")
        if not line:
            raise AssertionError(f"dbus-daemon did not start:\n{self.log('dbus')}")
        self.cleanup_paths.append(path)
        return str(path), abstract

    def ssh_agent(self) -> str:
        path = _free_path(self.user.runtime_dir / "ssh-agent.sock")
        proc = self.start("ssh-agent", ["ssh-agent", "-a", str(path), "-D"])
        if not _wait_until(path.exists, proc, "ssh-agent"):
            raise AssertionError(f"ssh-agent did not start:\n{self.log('ssh-agent')}")
        self.cleanup_paths.append(path)
        return str(path)

    def marked_process(self, marker: str) -> int:
        code = "import time; time.sleep(3600)"
        proc = self.start("marked", [SYSTEM_PYTHON, "-c", code, marker])
        return int(proc.pid)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()
        for path in self.cleanup_paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


@pytest.fixture
def host_services(launcher_user: LauncherUser) -> Iterator[HostServices]:
    """The user's X server, session bus, ssh-agent, a canary and a marked process."""
    missing = [
        f"{tool} (package {package})"
        for tool, package in (
            ("Xvfb", "xvfb"),
            ("dbus-daemon", "dbus"),
            ("ssh-agent", "openssh-client"),
        )
        if shutil.which(tool) is None
    ]
    if missing:
        pytest.skip("host services need " + ", ".join(missing))
    workdir = Path(tempfile.mkdtemp(prefix="sl-services-"))
    workdir.chmod(0o755)  # the user's dbus-daemon reads its config from here
    starter = _ServiceStarter(launcher_user, workdir)
    secret = secrets.token_hex(24)
    canary = launcher_user.home / f".sl-canary-{secrets.token_hex(4)}"
    try:
        display, x11_socket, x11_abstract = starter.xvfb()
        dbus_socket, dbus_abstract = starter.dbus()
        ssh_socket = starter.ssh_agent()
        marker = f"slhost{secrets.token_hex(6)}"
        host_pid = starter.marked_process(marker)
        canary.write_text(f"{secret}\n")
        _chown_to(launcher_user, canary)
        canary.chmod(0o600)
        yield HostServices(
            display=display,
            x11_socket=x11_socket,
            x11_abstract=x11_abstract,
            dbus_socket=dbus_socket,
            dbus_abstract=dbus_abstract,
            ssh_socket=ssh_socket,
            canary=canary,
            canary_secret=secret,
            host_pid=host_pid,
            host_marker=marker,
            env_secret=secrets.token_hex(16),
        )
    finally:
        starter.stop()
        canary.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def bus_owner(host_services: HostServices, launcher_user: LauncherUser) -> Iterator[None]:
    """Notifications and a fake Secret Service owned on the user's bus, outside any
    sandbox; each answers ``Ping`` with ``pong`` (support/jailed_desktop.py)."""
    argv = as_user_argv(launcher_user, owner_argv(SYSTEM_PYTHON))
    with bus_names_owned(argv, user_environment(launcher_user,
                                                env_extra=host_services.session_env)):
        yield


# --------------------------------------------------------------------------- leftovers


def _marked_pids(marker: str) -> list[tuple[int, str]]:
    found = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        with contextlib.suppress(OSError), open(f"/proc/{entry}/cmdline", "rb") as fh:
            raw = fh.read()
            if marker.encode() in raw:
                found.append((int(entry), raw.replace(b"\0", b" ").decode(errors="replace")[:200]))
    return found


def _marked_files(marker: str) -> list[str]:
    roots = [r for r in LEFTOVER_ROOTS if os.path.isdir(r)]
    done = subprocess.run(
        ["find", *roots, "-xdev", "-name", f"*{marker}*", "-print"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,  # unreadable directories make find exit 1; what it printed still counts
    )
    return done.stdout.split()


def assert_no_leftovers(marker: str) -> None:
    """Assert no host process carries *marker* and no file named after it is left.

    Whatever is found is killed and removed before failing, so one broken wipe does not
    leak into the next test.
    """
    processes = _marked_pids(marker)
    files = _marked_files(marker)
    for pid, _cmdline in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for path in files:
        with contextlib.suppress(OSError):
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
    problems = [f"process {pid}: {cmd}" for pid, cmd in processes] + [f"file {f}" for f in files]
    assert not problems, f"the session left traces of {marker!r}:\n" + "\n".join(problems)


@pytest.fixture
def no_leftovers() -> Callable[[str], None]:
    """``no_leftovers(marker)``: fail if any host process or file still carries *marker*."""
    return assert_no_leftovers


# The network jail's fixtures (fake internet in network namespaces) and the host's sound
# server for the audio tests live in their own modules.
