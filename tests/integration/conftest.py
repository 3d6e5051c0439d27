"""Run the real launcher as an unprivileged desktop user, next to the user's real services.

DESIGN §6: the app runs as an ordinary user, no root, no setuid helper. CI runs as root, so
these fixtures create the user ``sltest`` (with a logind-like ``/run/user/UID``) and drop to
it with ``setpriv`` for every launcher run; a developer who is not root runs as themselves.
The environment the launcher sees is always built here from nothing, so a test controls
exactly what a desktop session would hand it.

``host_services`` starts, *as that user*, the things a hostile client would go after: an X
server, a session bus, an ssh-agent, a secret file in the home and a process with a marker.
They are the user's own, which is the realistic threat: the kernel would let the client in,
so only the sandbox stands in the way.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import pwd
import shutil
import subprocess
import tempfile
import termios
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
from support.json_output import last_json

from sandbox_launcher.verify import PROBE_SCRIPT

REPO_ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = REPO_ROOT / ".venv" / "bin" / "sandbox-launcher"
HOSTILE_CLIENT = PROBE_SCRIPT
#: Debian's interpreter: visible inside the sandbox (host /usr) and runnable by any user.
SYSTEM_PYTHON = "/usr/bin/python3"
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
#: Parallel checkouts on one machine each use their own user (their sessions must not meet).
TEST_USER = os.environ.get("SANDBOX_LAUNCHER_TEST_USER", "sltest")
#: Where a stray marker could survive a session on the host.
LEFTOVER_ROOTS = ("/tmp", "/var/tmp", "/dev/shm", "/run/user", "/home")
SERVICE_START_TIMEOUT = 20.0


@dataclass(frozen=True)
class LauncherUser:
    """The desktop user the launcher runs as."""

    name: str
    uid: int
    gid: int
    home: Path
    runtime_dir: Path

    @property
    def switch(self) -> bool:
        """True when we are root and must drop to this user for every command."""
        return os.geteuid() == 0 and self.uid != 0


def _run_quiet(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def _ensure_test_user() -> LauncherUser:
    """Create ``sltest`` and its runtime dir as logind would (root only)."""
    if _run_quiet(["id", TEST_USER]).returncode != 0:
        made = _run_quiet(["useradd", "-m", "-s", "/bin/bash", TEST_USER])
        if made.returncode != 0:
            pytest.fail(f"useradd {TEST_USER} failed: {made.stderr.strip()}")
    entry = pwd.getpwnam(TEST_USER)
    home = Path(entry.pw_dir)
    if not home.is_dir():  # a user made earlier without -m
        home.mkdir(mode=0o755, parents=True)
        os.chown(home, entry.pw_uid, entry.pw_gid)
    runtime = Path("/run/user") / str(entry.pw_uid)
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chown(runtime, entry.pw_uid, entry.pw_gid)
    runtime.chmod(0o700)
    return LauncherUser(TEST_USER, entry.pw_uid, entry.pw_gid, home, runtime)


@pytest.fixture(scope="session")
def launcher_user() -> LauncherUser:
    """The unprivileged user: ``sltest`` when we are root, else whoever runs the tests."""
    if os.geteuid() == 0:
        return _ensure_test_user()
    entry = pwd.getpwuid(os.getuid())
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if not runtime:
        pytest.skip("XDG_RUNTIME_DIR is not set: run from a desktop login session, or as root")
    return LauncherUser(
        entry.pw_name, entry.pw_uid, entry.pw_gid, Path(entry.pw_dir), Path(runtime)
    )


def user_environment(
    user: LauncherUser, *, path: str | None = None, env_extra: dict[str, str] | None = None
) -> dict[str, str]:
    """Build the whole environment of a desktop session from nothing."""
    env = {
        "HOME": str(user.home),
        "USER": user.name,
        "LOGNAME": user.name,
        "PATH": path if path is not None else DEFAULT_PATH,
        "XDG_RUNTIME_DIR": str(user.runtime_dir),
        "XDG_CONFIG_HOME": str(user.home / ".config"),
        "LANG": "C.UTF-8",
    }
    env.update(env_extra or {})
    return env


def as_user_argv(user: LauncherUser, argv: Sequence[str]) -> list[str]:
    """Prefix *argv* so it runs as *user*.

    setpriv execs the command in place (unlike runuser, which stays as a parent), so a
    Popen's pid is the launcher itself, and SIGKILL tests hit the right process. The
    environment is the one given to subprocess; setpriv passes it through untouched.
    """
    if not user.switch:
        return list(argv)
    # Absolute: the child's PATH may be a test's deliberately broken one.
    setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
    return [
        setpriv,
        f"--reuid={user.uid}",
        f"--regid={user.gid}",
        "--init-groups",
        "--",
        *argv,
    ]


def _chown_to(user: LauncherUser, path: Path) -> None:
    if user.switch:
        os.chown(path, user.uid, user.gid)


StdinArg = str | int | IO[Any] | None


@dataclass
class Spawned:
    """Processes a fixture started; all are killed and reaped at teardown."""

    procs: list[subprocess.Popen[str]] = field(default_factory=list)

    def reap(self) -> None:
        """Kill what is still running, reap everything, close the pipes."""
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=30)
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()


RunLauncher = Callable[..., subprocess.CompletedProcess[str]]
SpawnLauncher = Callable[..., subprocess.Popen[str]]


def _run_on_terminal(
    user: LauncherUser,
    argv: Sequence[str],
    env_extra: dict[str, str] | None,
    path: str | None,
    timeout: float,
) -> subprocess.CompletedProcess[str]:
    """Run *argv* with a pty as stdin and controlling terminal, as from a terminal window.

    That is where TIOCSTI matters: a client that can push bytes into the terminal's input
    types commands into the user's shell once the launcher exits.
    """
    primary, secondary = pty.openpty()

    def take_terminal() -> None:  # runs in the child, after setsid
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    try:
        return subprocess.run(
            as_user_argv(user, argv),
            env={**user_environment(user, path=path, env_extra=env_extra), "TERM": "xterm"},
            cwd=user.home,
            stdin=secondary,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=True,
            preexec_fn=take_terminal,
        )
    finally:
        os.close(secondary)
        os.close(primary)


@pytest.fixture
def run_as_user(launcher_user: LauncherUser) -> RunLauncher:
    """Run any command as the test user, in its clean environment, from its home."""

    def run(
        argv: Sequence[str],
        *,
        env_extra: dict[str, str] | None = None,
        path: str | None = None,
        stdin: StdinArg = None,
        timeout: float = 120,
        tty: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        if tty:
            return _run_on_terminal(launcher_user, argv, env_extra, path, timeout)
        # A str is fed as input; no stdin at all is /dev/null, as under CI.
        text_input = stdin if isinstance(stdin, str) else None
        stdin_arg: int | IO[Any] | None = None
        if text_input is None:
            stdin_arg = subprocess.DEVNULL if stdin is None or isinstance(stdin, str) else stdin
        return subprocess.run(
            as_user_argv(launcher_user, argv),
            env=user_environment(launcher_user, path=path, env_extra=env_extra),
            cwd=launcher_user.home,
            input=text_input,
            stdin=stdin_arg,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture
def run_launcher(run_as_user: RunLauncher) -> RunLauncher:
    """``run_launcher(args, *, env_extra, path, stdin, timeout, check, tty)`` -> result.

    *tty*: run on a fresh pty that is the launcher's stdin and controlling terminal.
    *check*: None accepts any status; True requires 0; an int requires that status. A
    failed check shows the launcher's stdout and stderr.
    """

    def run(
        args: Sequence[str],
        *,
        env_extra: dict[str, str] | None = None,
        path: str | None = None,
        stdin: StdinArg = None,
        timeout: float = 120,
        check: bool | int | None = None,
        tty: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        done = run_as_user(
            [str(LAUNCHER), *args],
            env_extra=env_extra,
            path=path,
            stdin=stdin,
            timeout=timeout,
            tty=tty,
        )
        expected = 0 if check is True else None if check in (None, False) else int(check)
        if expected is not None and done.returncode != expected:
            pytest.fail(
                f"sandbox-launcher {' '.join(args[:3])}… exited {done.returncode}, "
                f"expected {expected}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
            )
        return done

    return run


@pytest.fixture
def spawn_launcher(launcher_user: LauncherUser) -> Iterator[SpawnLauncher]:
    """Like run_launcher but returns the Popen (text pipes); killed at teardown if alive."""
    spawned = Spawned()

    def spawn(
        args: Sequence[str],
        *,
        env_extra: dict[str, str] | None = None,
        path: str | None = None,
        stdin: int | IO[Any] | None = None,
    ) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            as_user_argv(launcher_user, [str(LAUNCHER), *args]),
            env=user_environment(launcher_user, path=path, env_extra=env_extra),
            cwd=launcher_user.home,
            stdin=subprocess.DEVNULL if stdin is None else stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        spawned.procs.append(proc)
        return proc

    yield spawn
    spawned.reap()


def stop_process(proc: subprocess.Popen[Any], grace: float = 10) -> None:
    """SIGTERM a test server, SIGKILL it if it does not go within *grace* seconds, reap it."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(grace)


@pytest.fixture
def client_json() -> Callable[[str], dict[str, Any]]:
    """The parser of the client's JSON report (last stdout line that is a JSON object)."""
    return last_json


def _read_in_thread(call: Callable[[], Any], timeout: float, what: str) -> Any:
    """Run a blocking read with a deadline; the reader ends when the process is killed.

    An exception in the reader is handed back here rather than left to the thread, where
    pytest would turn it into an unraisable-exception error at some later test.
    """
    box: list[Any] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            box.append(call())
        except (OSError, ValueError) as exc:  # the pipe was closed under us at teardown
            errors.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    if errors:
        raise AssertionError(f"reading {what} failed: {errors[0]!r}")
    if reader.is_alive() or not box:
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")
    return box[0]


def wait_for_ready(proc: subprocess.Popen[str], timeout: float = 60) -> dict[str, Any]:
    """Read stdout lines until the client's ``{"ready": true…}`` line and return it."""
    assert proc.stdout is not None
    stdout = proc.stdout

    def read() -> dict[str, Any] | None:
        for line in iter(stdout.readline, ""):
            with contextlib.suppress(ValueError):
                value = json.loads(line)
                if isinstance(value, dict) and value.get("ready"):
                    return value
        return None

    found = _read_in_thread(read, timeout, "the client's ready line")
    if found is None:
        raise AssertionError(f"stdout closed before the client was ready (exit {proc.poll()})")
    return dict(found)


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    """Read the rest of stdout and stderr, wait, and return ``(status, stdout, stderr)``.

    Unlike ``communicate()``, this keeps what an earlier ``readline`` left buffered.
    """
    assert proc.stdout is not None and proc.stderr is not None
    stdout, stderr = proc.stdout, proc.stderr
    err_box: list[str] = []

    def read_stderr() -> None:
        # Read concurrently so a chatty launcher cannot block on a full stderr pipe.
        with contextlib.suppress(OSError, ValueError):
            err_box.append(stderr.read())

    err_reader = threading.Thread(target=read_stderr, daemon=True)
    err_reader.start()
    out = _read_in_thread(stdout.read, timeout, "the launcher to finish")
    status = proc.wait(timeout=timeout)
    err_reader.join(timeout)
    return status, str(out), err_box[0] if err_box else ""


@pytest.fixture
def wait_ready() -> Callable[..., dict[str, Any]]:
    """``wait_ready(proc, timeout=60)``: the client's ready line from a spawned launcher."""
    return wait_for_ready


@pytest.fixture
def finish_launcher() -> Callable[..., tuple[int, str, str]]:
    """``finish_launcher(proc, timeout=120)`` -> ``(status, stdout, stderr)``."""
    return finish


@pytest.fixture
def user_tmp(launcher_user: LauncherUser) -> Iterator[Path]:
    """A private (0700) directory under /tmp owned by the test user; removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="sl-user-", dir="/tmp"))
    _chown_to(launcher_user, path)
    path.chmod(0o700)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def hostile_client_source() -> str:
    """The stand-in's source, passed with ``python3 -c`` (the repo is not in the sandbox)."""
    return HOSTILE_CLIENT.read_text()


@pytest.fixture
def client_argv(hostile_client_source: str) -> Callable[..., list[str]]:
    """``client_argv(MODE, ARGS…)`` -> the command line that runs the stand-in in a sandbox."""

    def argv(*args: str) -> list[str]:
        return [SYSTEM_PYTHON, "-c", hostile_client_source, *args]

    return argv


from conftest_audio import audio_profile, host_sound  # noqa: E402, F401
from conftest_host import (  # noqa: E402, F401
    HostIdentity,
    HostServices,
    assert_no_leftovers,
    bus_owner,
    dbus_session_config,
    host_identity,
    host_services,
    no_leftovers,
)
from conftest_net import fake_internet, host_netns, system_policy, user_profile  # noqa: E402, F401
from conftest_vm import (  # noqa: E402, F401
    desktop_libvirtd,
    vm_default_image,
    vm_images,
    vm_test_image,
    vm_workdir,
)
