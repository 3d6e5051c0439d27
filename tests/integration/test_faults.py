"""Fault tests: crashed client, killed launcher, broken profile, missing tool, full disk.

Every test runs the real launcher with real bubblewrap as the unprivileged test user.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import last_json

pytestmark = pytest.mark.integration

PY = "/usr/bin/python3"




def _sessions(run_launcher: Callable[..., Any]) -> list[dict[str, Any]]:
    done = run_launcher(["sessions", "--json"])
    assert done.returncode == 0, done.stderr
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def _marker_processes(marker: str) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                if marker.encode() in cmdline.read():
                    found.append(int(entry.name))
        except OSError:
            continue
    return found




@pytest.fixture
def runtime_dir(user_tmp: Path, launcher_user: Any) -> Path:
    """A runtime dir of this test's own, so sessions of other tests never show up."""
    path = user_tmp / "run"
    path.mkdir(mode=0o700)
    if os.geteuid() == 0:
        os.chown(path, launcher_user.uid, launcher_user.gid)
    return path


@pytest.fixture
def run_launcher(run_launcher: Any, runtime_dir: Path) -> Callable[..., Any]:
    def run(args: list[str], **kwargs: Any) -> Any:
        env = {"XDG_RUNTIME_DIR": str(runtime_dir), **(kwargs.pop("env_extra", None) or {})}
        return run_launcher(args, env_extra=env, **kwargs)
    return run


@pytest.fixture
def spawn_launcher(spawn_launcher: Any, runtime_dir: Path) -> Callable[..., Any]:
    def spawn(args: list[str], **kwargs: Any) -> Any:
        env = {"XDG_RUNTIME_DIR": str(runtime_dir), **(kwargs.pop("env_extra", None) or {})}
        return spawn_launcher(args, env_extra=env, **kwargs)
    return spawn




def _wait_ready(proc: subprocess.Popen[str], timeout: float = 30) -> dict[str, Any]:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if '"ready"' in line:
            return dict(json.loads(line))
    raise AssertionError(f"client never said ready (exit {proc.poll()})")


def test_client_crash_is_reported_and_wiped(run_launcher: Any, hostile_client_source: str,
                                            user_tmp: Path) -> None:
    report_path = user_tmp / "crash.json"
    done = run_launcher(["run", "generic", "--report", str(report_path), "--",
                         PY, "-c", hostile_client_source, "crash"])
    assert done.returncode == 128 + signal.SIGSEGV, done.stderr
    report = json.loads(report_path.read_text())
    assert report["exit"]["signal_name"] == "SIGSEGV"
    assert report["wipe"]["verified"], report["wipe"]
    assert {c["name"] for c in report["wipe"]["checks"]} >= {
        "no process left", "namespaces released", "no listening socket left", "no file left"}


def test_exit_status_is_the_clients(run_launcher: Any, hostile_client_source: str) -> None:
    done = run_launcher(["run", "generic", "--", PY, "-c", hostile_client_source, "exit", "7"])
    assert done.returncode == 7, done.stderr


def test_missing_command_exits_127(run_launcher: Any) -> None:
    done = run_launcher(["run", "generic", "--", "no-such-program-xyz"])
    assert done.returncode == 127
    assert "no-such-program-xyz: no such program inside the sandbox" in done.stderr
    assert _sessions(run_launcher) == []


def test_launcher_sigkilled_leaves_nothing_running_and_is_wiped_later(
        run_launcher: Any, spawn_launcher: Any, hostile_client_source: str) -> None:
    marker = f"slkill{os.getpid()}x{time.monotonic_ns() % 100000}"
    daemon = f"{marker}-daemon"  # only the daemon's command line has this
    # The probe leaves a daemon behind; the shell then keeps the session alive.
    script = 'python3 -c "$0" probe --leave-marker "$1" >/dev/null; sleep 300'
    proc = spawn_launcher(["run", "generic", "--", "/bin/sh", "-c", script,
                           hostile_client_source, marker])
    deadline = time.monotonic() + 30
    while not _marker_processes(daemon) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _marker_processes(daemon), "the daemon never started"
    [session] = [s for s in _sessions(run_launcher) if s["state"] == "running"]

    os.kill(session["launcher_pid"], signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _marker_processes(daemon) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _marker_processes(daemon) == [], "a process of the session outlived the launcher"

    [stale] = _sessions(run_launcher)
    assert stale["id"] == session["id"] and stale["state"] == "stale"
    wiped = run_launcher(["wipe", "--stale"])
    assert wiped.returncode == 0, wiped.stderr
    assert f"wiped stale session {session['id']}" in wiped.stdout
    assert "wipe verified" in wiped.stdout
    assert _sessions(run_launcher) == []


def test_next_run_wipes_what_a_killed_launcher_left(run_launcher: Any, spawn_launcher: Any,
                                                    hostile_client_source: str) -> None:
    proc = spawn_launcher(["run", "generic", "--", PY, "-c", hostile_client_source,
                           "sleep", "300"])
    _wait_ready(proc)
    [session] = _sessions(run_launcher)
    os.kill(session["launcher_pid"], signal.SIGKILL)
    proc.wait(timeout=30)
    done = run_launcher(["run", "generic", "--", "/bin/true"])
    assert done.returncode == 0, done.stderr
    assert f"wiped stale session {session['id']}" in done.stderr
    assert _sessions(run_launcher) == []


def test_stop_ends_and_wipes_a_running_session(run_launcher: Any, spawn_launcher: Any,
                                               hostile_client_source: str,
                                               user_tmp: Path) -> None:
    report_path = user_tmp / "stopped.json"
    proc = spawn_launcher(["run", "generic", "--report", str(report_path), "--", PY, "-c",
                           hostile_client_source, "sleep", "300"])
    _wait_ready(proc)
    [session] = _sessions(run_launcher)
    done = run_launcher(["stop", session["id"]])
    assert done.returncode == 0, done.stderr
    assert "wipe verified" in done.stdout
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    report = json.loads(report_path.read_text())
    assert report["stopped_by_user"] and report["wipe"]["verified"]
    assert _sessions(run_launcher) == []


def test_stop_kills_a_client_that_ignores_sigterm(run_launcher: Any,
                                                  spawn_launcher: Any) -> None:
    script = 'trap "" TERM; echo \'{"ready": true}\'; while :; do sleep 0.2; done'
    proc = spawn_launcher(["run", "generic", "--", "/bin/sh", "-c", script])
    _wait_ready(proc)
    [session] = _sessions(run_launcher)
    started = time.monotonic()
    done = run_launcher(["stop", session["id"]])
    assert done.returncode == 0 and "wipe verified" in done.stdout, done.stderr
    assert proc.wait(timeout=30) == 128 + signal.SIGKILL
    assert time.monotonic() - started >= 4.5  # it had its grace period first
    assert _sessions(run_launcher) == []


def test_stop_unknown_session(run_launcher: Any) -> None:
    done = run_launcher(["stop", "generic-000000"])
    assert done.returncode == 2 and "there is no session" in done.stderr


@pytest.mark.parametrize(("text", "expected"), [
    ('title = "x"\ncommand = ["/bin/true"\n', "is not valid TOML"),
    ('title = "x"\n[sandbox]\nhome_sise = "1G"\n', ":3 [sandbox.home_sise]: unknown key"),
    ('[sandbox]\nnested_userns = "yes"\n', "expected true or false, got a string"),
])
def test_broken_profile_is_refused_and_nothing_runs(run_launcher: Any, user_profile: Any,
                                                    text: str, expected: str) -> None:
    path = user_profile("broken", text)
    done = run_launcher(["run", "broken", "--", "/bin/true"])
    assert done.returncode == 125
    assert str(path) in done.stderr and expected in done.stderr, done.stderr
    assert _sessions(run_launcher) == []
    listed = run_launcher(["profiles", "--json"])
    assert listed.returncode == 1
    assert [b["path"] for b in json.loads(listed.stdout)["broken"]] == [str(path)]


def test_missing_bwrap_gives_the_fix(run_launcher: Any) -> None:
    done = run_launcher(["run", "generic", "--", "/bin/true"], path="/nonexistent")
    assert done.returncode == 125
    assert "bwrap is not installed" in done.stderr
    assert "apt-get install bubblewrap" in done.stderr
    assert _sessions(run_launcher) == []


def test_full_home_gives_enospc_and_the_host_is_fine(run_launcher: Any, user_profile: Any,
                                                      hostile_client_source: str) -> None:
    user_profile("tiny", 'command = ["/bin/true"]\n[sandbox]\nhome_size = "8M"\n')
    free_before = os.statvfs("/tmp").f_bavail
    done = run_launcher(["run", "tiny", "--", PY, "-c", hostile_client_source, "fill-home"])
    assert done.returncode == 0, done.stdout + done.stderr
    result = last_json(done.stdout)
    assert result["errno"] == "ENOSPC"
    assert 6 << 20 <= result["bytes_written"] <= 8 << 20
    # The writes went to the sandbox's own tmpfs, not to any host file system.
    assert abs(os.statvfs("/tmp").f_bavail - free_before) * os.statvfs("/tmp").f_frsize < 4 << 20


def test_seccomp_and_userns_limits_hold_and_profiles_can_relax_them(run_launcher: Any) -> None:
    code = ("import ctypes, os; libc = ctypes.CDLL(None, use_errno=True);"
            "r = libc.syscall(101, 0, 0, 0, 0);"  # ptrace(PTRACE_TRACEME) on x86_64
            "print('ptrace', r, os.strerror(ctypes.get_errno()))")
    done = run_launcher(["run", "generic", "--", PY, "-c", code])
    assert done.returncode == 0, done.stderr
    assert "ptrace -1 Operation not permitted" in done.stdout
    nested = run_launcher(["run", "generic", "--", "unshare", "--user", "true"])
    assert nested.returncode != 0
    allowed = run_launcher(["run", "zoom", "--", "unshare", "--user", "true"])
    assert allowed.returncode == 0, allowed.stderr


def test_missing_pasta_never_starts_the_client_with_open_network(
        run_launcher: Any, user_tmp: Path) -> None:
    tools = user_tmp / "bin"
    tools.mkdir()
    for tool in ("bwrap", "nsenter"):  # everything the jail needs except pasta
        (tools / tool).symlink_to(f"/usr/bin/{tool}")
    done = run_launcher(["run", "zoom", "--", "/bin/echo", "CLIENT-STARTED"], path=str(tools))
    assert done.returncode == 125
    assert "pasta is not installed" in done.stderr and "apt-get install passt" in done.stderr
    assert "CLIENT-STARTED" not in done.stdout
    assert _sessions(run_launcher) == []


@pytest.mark.parametrize(("text", "key"), [
    ('[network]\ndomains = ["zoom.us", "*.*.bad"]\n', "network.domains"),
    ('[network]\ncidrs = ["203.0.113.7/24"]\n', "network.cidrs"),
    ('[network]\ndeny_countries = ["XX"]\n', "network.deny_countries"),
    ('[network]\nports = ["tcp/99999"]\n', "network.ports"),
])
def test_bad_network_settings_are_refused_with_the_key(run_launcher: Any, user_profile: Any,
                                                       text: str, key: str) -> None:
    user_profile("badnet", 'command = ["/bin/echo", "CLIENT-STARTED"]\n' + text)
    done = run_launcher(["run", "badnet"])
    assert done.returncode == 125
    assert f"[{key}]" in done.stderr, done.stderr
    assert "CLIENT-STARTED" not in done.stdout
