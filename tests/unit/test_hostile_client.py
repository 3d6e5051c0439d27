"""The hostile stand-in's probes, run on the host where the escapes DO work.

An escape test that passes because its probe can never report an escape proves nothing, so
each probe is shown here reporting ``escaped: true`` when the thing it looks for is really
there, and ``false`` when it is not. No sandbox, no root: the client runs as we do.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import secrets
import shutil
import signal
import socket
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.json_output import last_json

from sandbox_launcher.verify import PROBE_SCRIPT

CLIENT = PROBE_SCRIPT
#: Debian's interpreter: the one the sandbox sees, so the one the probes must work with.
PYTHON = "/usr/bin/python3"

RunClient = Callable[..., subprocess.CompletedProcess[str]]


def marked_pids(marker: str) -> list[int]:
    """Return the pids whose command line contains *marker*."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError), open(f"/proc/{entry}/cmdline", "rb") as fh:
            if marker.encode() in fh.read():
                pids.append(int(entry))
    return pids


def kill_marked(marker: str) -> None:
    """SIGKILL whatever carries *marker* (the probes ignore SIGTERM on purpose)."""
    for pid in marked_pids(marker):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def marker() -> Iterator[str]:
    """A unique marker; processes and files named after it are removed afterwards."""
    value = f"slhc{secrets.token_hex(6)}"
    yield value
    kill_marked(value)
    for place in ("/tmp", "/var/tmp", "/dev/shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(place, value))


@pytest.fixture
def client_env(tmp_path: Path) -> dict[str, str]:
    """A small environment whose HOME and runtime dir are throwaway directories."""
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "LANG": "C.UTF-8",
    }


@pytest.fixture
def run_client(client_env: dict[str, str]) -> RunClient:
    """Run the client as a file; ``via_c=True`` passes its source with -c like the tests do."""

    def run(
        *args: str, via_c: bool = False, env: dict[str, str] | None = None, **kwargs: Any
    ) -> subprocess.CompletedProcess[str]:
        head = ["-c", CLIENT.read_text()] if via_c else [str(CLIENT)]
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        return subprocess.run(
            [PYTHON, *head, *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env if env is not None else client_env,
            check=False,
            **kwargs,
        )

    return run


def probe(run_client: RunClient, *args: str, **kwargs: Any) -> dict[str, Any]:
    """Run ``probe ARGS`` and return its report, failing on a non-zero exit."""
    proc = run_client("probe", *args, **kwargs)
    assert proc.returncode == 0, proc.stderr
    return last_json(proc.stdout)


@pytest.fixture
def listening_socket(tmp_path: Path) -> Iterator[str]:
    """A unix socket on a path, listening, like the user's X/D-Bus/agent sockets."""
    path = str(tmp_path / "listening.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(path)
        sock.listen(8)
        yield path


@pytest.fixture
def abstract_socket() -> Iterator[str]:
    """An abstract unix socket, listening; the name is given without the leading NUL."""
    name = f"/tmp/.X11-unix/X-slhc-{secrets.token_hex(6)}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind("\0" + name)
        sock.listen(8)
        yield name


def test_source_is_small_enough_for_argv() -> None:
    """The tests pass the source through argv; one argument may be at most 128 KiB."""
    assert len(CLIENT.read_bytes()) < 100 * 1024


def test_canary_in_reach_escapes(run_client: RunClient, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    canary.write_text(secrets.token_hex(16))
    report = probe(run_client, "--canary", str(canary), via_c=True)
    assert report["attempts"]["read_canary"]["escaped"] is True
    assert report["escapes"] == ["read_canary"]


def test_missing_canary_does_not_escape(run_client: RunClient, tmp_path: Path) -> None:
    report = probe(run_client, "--canary", str(tmp_path / "absent"))
    attempt = report["attempts"]["read_canary"]
    assert attempt["escaped"] is False
    assert "FileNotFoundError" in attempt["detail"]


def test_home_listing(run_client: RunClient, tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "secret.txt").write_text("x")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert probe(run_client, "--home", str(full))["escapes"] == ["list_home"]
    assert probe(run_client, "--home", str(empty))["escapes"] == []


def test_skipped_attempts_are_not_recorded(run_client: RunClient) -> None:
    report = probe(run_client)
    assert report == {"mode": "probe", "attempts": {}, "escapes": []}


@pytest.mark.parametrize("option", ["--x11-socket", "--dbus-socket"])
def test_listening_path_socket_escapes(
    run_client: RunClient, listening_socket: str, option: str
) -> None:
    report = probe(run_client, option, listening_socket)
    name = {"--x11-socket": "x11_socket", "--dbus-socket": "dbus_session"}[option]
    assert report["attempts"][name]["escaped"] is True
    assert listening_socket in report["attempts"][name]["detail"]


@pytest.mark.parametrize("option", ["--x11-abstract", "--dbus-abstract"])
def test_abstract_socket_escapes(run_client: RunClient, abstract_socket: str, option: str) -> None:
    report = probe(run_client, option, abstract_socket)
    name = option.removeprefix("--").replace("-", "_")
    assert report["attempts"][name]["escaped"] is True


def test_unbound_abstract_socket_does_not_escape(run_client: RunClient) -> None:
    report = probe(run_client, "--x11-abstract", f"/tmp/.X11-unix/X-none-{secrets.token_hex(4)}")
    assert report["escapes"] == []


def test_dbus_address_from_environment_escapes(
    run_client: RunClient, client_env: dict[str, str], abstract_socket: str, tmp_path: Path
) -> None:
    env = {**client_env, "DBUS_SESSION_BUS_ADDRESS": f"unix:abstract={abstract_socket},guid=00"}
    report = probe(run_client, "--dbus-socket", str(tmp_path / "no-bus"), env=env)
    assert report["attempts"]["dbus_session"]["escaped"] is True


def test_ssh_agent_and_socket_scan_escape(
    run_client: RunClient,
    client_env: dict[str, str],
    listening_socket: str,
    abstract_socket: str,
    tmp_path: Path,
) -> None:
    env = {**client_env, "SSH_AUTH_SOCK": listening_socket}
    report = probe(run_client, "--ssh-socket", str(tmp_path / "not-the-agent"), env=env)
    assert report["attempts"]["ssh_agent"]["escaped"] is True
    # The scan reaches at least the abstract socket we hold open.
    assert report["attempts"]["socket_scan"]["escaped"] is True


def test_host_process_is_seen_but_our_own_argv_is_not(run_client: RunClient, marker: str) -> None:
    sleeper = subprocess.Popen([PYTHON, "-c", "import time; time.sleep(60)", marker])
    try:
        seen = probe(run_client, "--host-pid", str(sleeper.pid), "--host-marker", marker)
        assert seen["escapes"] == ["host_marker", "host_pid"]
    finally:
        sleeper.kill()
        sleeper.wait()
    # The marker is in the probe's own argv; that must not count as seeing a host process.
    unseen = probe(run_client, "--host-marker", f"{marker}-nobody")
    assert unseen["escapes"] == []


def test_host_identifiers_escape_when_equal(run_client: RunClient) -> None:
    boot_id = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    report = probe(run_client, "--host-boot-id", boot_id, "--host-hostname", socket.gethostname())
    assert report["escapes"] == ["boot_id", "hostname"]
    other = probe(run_client, "--host-boot-id", "0" * 32, "--host-hostname", "not-this-host")
    assert other["escapes"] == []


def test_matching_machine_id_escapes(run_client: RunClient) -> None:
    machine_id_file = Path("/etc/machine-id")
    if not machine_id_file.exists():
        pytest.skip("this host has no /etc/machine-id to match")
    report = probe(run_client, "--host-machine-id", machine_id_file.read_text().strip())
    assert report["escapes"] == ["machine_id"]
    assert probe(run_client, "--host-machine-id", "f" * 32)["escapes"] == []


def test_host_macs_are_seen() -> None:
    """On the host every real interface has a MAC; the probe must notice a match."""
    macs = []
    for name in os.listdir("/sys/class/net"):
        address = Path(f"/sys/class/net/{name}/address").read_text().strip()
        if address and address != "00:00:00:00:00:00":
            macs.append(address)
    proc = subprocess.run(
        [PYTHON, str(CLIENT), "probe", "--host-macs", ",".join(macs or ["02:00:00:00:00:01"])],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    attempt = last_json(proc.stdout)["attempts"]["host_macs"]
    assert attempt["escaped"] is bool(macs), attempt["detail"]


def test_tiocsti_on_controlling_terminal(run_client: RunClient) -> None:
    """Give the client a pty as controlling terminal; TIOCSTI must be tried and reported."""
    primary, secondary = pty.openpty()

    def make_controlling_tty() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    try:
        proc = run_client(
            "probe",
            "--tiocsti",
            stdin=secondary,
            start_new_session=True,
            preexec_fn=make_controlling_tty,
        )
    finally:
        os.close(secondary)
        os.close(primary)
    attempt = last_json(proc.stdout)["attempts"]["tiocsti"]
    legacy = Path("/proc/sys/dev/tty/legacy_tiocsti")
    # Since Linux 6.2 the kernel may forbid TIOCSTI to all but CAP_SYS_ADMIN.
    kernel_forbids = legacy.exists() and legacy.read_text().strip() == "0" and os.geteuid() != 0
    assert attempt["escaped"] is not kernel_forbids, attempt["detail"]


def test_leaked_directory_fd_escapes(run_client: RunClient, tmp_path: Path) -> None:
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        report = probe(run_client, "--inherited-fds", pass_fds=(fd,))
    finally:
        os.close(fd)
    assert report["escapes"] == ["inherited_fds"]
    assert probe(run_client, "--inherited-fds")["escapes"] == []


def _fd_targets(pid: int) -> set[str]:
    """What *pid*'s descriptors point at now (one closed between listing and reading, as
    a starting interpreter does, is simply not there)."""
    found = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            found.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except FileNotFoundError:
            continue
    return found


def test_foreign_directory_fd_escapes(run_client: RunClient, tmp_path: Path) -> None:
    """Another process of ours holding a directory fd is reachable through /proc/PID/fd."""
    code = "import os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); time.sleep(60)"
    holder = subprocess.Popen([PYTHON, "-c", code, str(tmp_path)])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and str(tmp_path) not in _fd_targets(holder.pid):
            time.sleep(0.05)
        attempt = probe(run_client, "--foreign-fds")["attempts"]["foreign_fds"]
    finally:
        holder.kill()
        holder.wait()
    assert attempt["escaped"] is True
    assert f"'{holder.pid}'" in attempt["detail"]


def test_session_secret_in_environment_escapes(
    run_client: RunClient, client_env: dict[str, str]
) -> None:
    secret = secrets.token_hex(12)
    env = {**client_env, "GITHUB_TOKEN": secret}
    found = probe(run_client, "--env-secret", secret, env=env)["attempts"]["env_secret"]
    assert found["escaped"] is True and "$GITHUB_TOKEN" in found["detail"]
    # Only in our own argv: that is not a leak.
    assert probe(run_client, "--env-secret", secret)["escapes"] == []


def test_leave_marker_files_and_daemon_outlive_the_client(
    run_client: RunClient, client_env: dict[str, str], marker: str, tmp_path: Path
) -> None:
    real_home = tmp_path / "real-home"
    real_home.mkdir()
    report = probe(run_client, "--leave-marker", marker, "--home", str(real_home))
    # Writing into the real home is the escape visible from inside.
    assert report["attempts"]["leave_files"]["escaped"] is True
    assert (real_home / marker).exists()
    assert (Path(client_env["HOME"]) / marker).exists()
    assert Path("/tmp", marker).exists()
    # The client has exited; its daemon must still be alive, or no_leftovers tests nothing.
    deadline = time.monotonic() + 10
    while not marked_pids(f"{marker}-daemon") and time.monotonic() < deadline:
        time.sleep(0.1)
    daemons = marked_pids(f"{marker}-daemon")
    assert len(daemons) == 1
    with open(f"/proc/{daemons[0]}/status") as fh:
        sigign = next(line for line in fh if line.startswith("SigIgn:"))
    ignored = int(sigign.split()[1], 16)
    assert ignored & (1 << (signal.SIGTERM - 1)) and ignored & (1 << (signal.SIGHUP - 1))


def test_sysinfo_is_reported(run_client: RunClient) -> None:
    info = probe(run_client, "--sysinfo")["sysinfo"]
    assert info["uid"] == os.getuid()
    assert "NoNewPrivs" in info["status"]
    assert info["nested_userns"]  # "allowed" or "denied: …": either way it was tried
    assert isinstance(info["proc_pids"], list) and info["proc_pids"]


def test_linger_reports_first_then_stays(client_env: dict[str, str]) -> None:
    """Kill/stop tests need the session up after the report; the JSON must come first."""
    proc = subprocess.Popen(
        [PYTHON, str(CLIENT), "probe", "--linger", "30"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        env=client_env,
    )
    try:
        assert proc.stdout is not None
        assert json.loads(proc.stdout.readline())["mode"] == "probe"
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_crash_dies_by_sigsegv(run_client: RunClient) -> None:
    proc = run_client("crash")
    assert proc.returncode == -signal.SIGSEGV
    assert last_json(proc.stdout)["signal"] == signal.SIGSEGV


def test_exit_code_is_passed_through(run_client: RunClient) -> None:
    assert run_client("exit", "7").returncode == 7


def test_sleep_zero_says_ready(run_client: RunClient, client_env: dict[str, str]) -> None:
    proc = run_client("sleep", "0")
    assert proc.returncode == 0
    assert last_json(proc.stdout) == {"ready": True}


def test_sleep_leaves_its_marker(
    run_client: RunClient, client_env: dict[str, str], marker: str
) -> None:
    assert run_client("sleep", "0", "--marker", marker).returncode == 0
    assert (Path(client_env["HOME"]) / marker).exists()
    assert Path("/tmp", marker).exists()


def test_fill_home_reports_what_stopped_it(run_client: RunClient, tmp_path: Path) -> None:
    """A tmpfs needs root to mount; /dev/full gives ENOSPC without one."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this host")
    target = tmp_path / "full"
    target.mkdir()
    (target / "fill-home.bin").symlink_to("/dev/full")
    proc = run_client("fill-home", "--dir", str(target))
    assert proc.returncode == 0, proc.stdout
    assert last_json(proc.stdout) == {"mode": "fill-home", "errno": "ENOSPC", "bytes_written": 0}


def test_fill_home_exits_3_on_other_errors(run_client: RunClient, tmp_path: Path) -> None:
    proc = run_client("fill-home", "--dir", str(tmp_path / "absent"))
    assert proc.returncode == 3
    assert last_json(proc.stdout)["errno"] == "ENOENT"


def test_peers_on_one_host_see_each_other(client_env: dict[str, str], tmp_path: Path) -> None:
    """Unconfined, two peers must see each other, or the sandboxed test proves nothing."""
    first, second = f"slpa{secrets.token_hex(5)}", f"slpb{secrets.token_hex(5)}"
    procs = []
    try:
        for mine, other in ((first, second), (second, first)):
            procs.append(
                subprocess.Popen(
                    [
                        PYTHON,
                        str(CLIENT),
                        "peer",
                        "--marker",
                        mine,
                        "--other",
                        other,
                        "--seconds",
                        "2",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    text=True,
                    env=client_env,
                )
            )
        reports = [last_json(p.communicate(timeout=60)[0]) for p in procs]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        for name in (first, second):
            kill_marked(name)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"/tmp/{name}")
    for report in reports:
        assert report == {
            "mode": "peer",
            "saw_other_process": True,
            "saw_other_file": True,
            "saw_other_socket": True,
            "sees_own": {"process": True, "file": True, "socket": True},
        }


def test_system_python_exists() -> None:
    """Every probe above relies on Debian's interpreter, as the sandbox does."""
    assert shutil.which(PYTHON) == PYTHON


# --------------------------------------------------------------------------- net mode
# Loopback only: the unit tests run on the real host, where any other address would be real.


@pytest.fixture
def loopback_servers() -> Iterator[tuple[int, int, int]]:
    """A TCP banner server, a UDP echo server and a closed TCP port, all on 127.0.0.1."""
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(4)
    udp.bind(("127.0.0.1", 0))
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _peer = tcp.accept()
            conn.sendall(b"unit-banner\n")
            conn.close()
            data, peer = udp.recvfrom(512)
            udp.sendto(b"unit-echo " + data, peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield tcp.getsockname()[1], udp.getsockname()[1], closed.getsockname()[1]
    for sock in (tcp, udp, closed):
        sock.close()
    thread.join(5)


def test_net_reports_banners_echoes_and_refusals(
    run_client: RunClient, loopback_servers: tuple[int, int, int]
) -> None:
    tcp_port, udp_port, closed_port = loopback_servers
    proc = run_client(
        "net",
        "--connect", f"127.0.0.1:{tcp_port}", f"127.0.0.1:{closed_port}",
        "--udp", f"127.0.0.1:{udp_port}",
        via_c=True,
    )
    assert proc.returncode == 0, proc.stderr
    report = last_json(proc.stdout)
    assert report["mode"] == "net"
    assert "lo" in report["interfaces"]
    reached = report["connect"][f"127.0.0.1:{tcp_port}"]
    assert reached == {"address": "127.0.0.1", "connected": True, "banner": "unit-banner",
                       "error": None}
    refused = report["connect"][f"127.0.0.1:{closed_port}"]
    assert refused["connected"] is False and "ConnectionRefusedError" in refused["error"]
    assert report["udp"][f"127.0.0.1:{udp_port}"]["reply"].startswith("unit-echo hostile-udp-")


def test_net_listener_says_so_first_and_records_who_came(run_client: RunClient) -> None:
    with socket.socket() as probe_port:  # a port that was free a moment ago
        probe_port.bind(("127.0.0.1", 0))
        port = probe_port.getsockname()[1]
    proc = subprocess.Popen(
        [PYTHON, str(CLIENT), "net", "--listen", str(port), "--linger", "3"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert first["ready"] is True and first["listening"] == port, first
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            assert conn.recv(64) == f"hostile-listener-{port}\n".encode()
        report = last_json(proc.communicate(timeout=30)[0])
    finally:
        proc.kill()
        proc.wait()
    assert "0.0.0.0" in report["listen"]["bound"]
    assert report["listen"]["accepted"] == ["127.0.0.1"]
