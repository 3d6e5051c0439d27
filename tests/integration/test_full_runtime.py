"""A full runtime dir during a session (issue 16, item 5): the client fills what it can
write of the user's runtime dir (its downloads folder lives in the session's state dir
there) and its own runtime dir inside; the launcher still switches the microphone (a
helper that writes there), stops, wipes and reports; nothing is left and the host can
use its runtime dir again.

On a desktop ``$XDG_RUNTIME_DIR`` is a tmpfs of a tenth of the memory, shared by every
program of the login (sound server, bus, Wayland); here it is a 24 MiB tmpfs the test
mounts (as root) for the unprivileged test user, so that filling it costs nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SYSTEM_PYTHON, finish
from conftest_audio import HostSound
from schemas import problems
from test_helper_faults import _no_process_left, _user_pids, _wait_file

from sandbox_launcher.session import runtime_guard

pytestmark = pytest.mark.integration

SIZE = 24 << 20
PROFILE = """\
[network]
mode = "none"

[devices]
display = "isolated"
display_size = "640x480"
"""

#: Inside: fill its own runtime dir, check the grants, say so; then (with "downloads")
#: fill the downloads folder, which is in the user's runtime dir; then wait.
CLIENT = r"""
import errno, json, os, subprocess, sys, time
shared = os.path.expanduser("~/Shared")

def fill(folder):
    written, error = 0, None
    try:
        with open(os.path.join(folder, "filler"), "wb") as out:
            block = b"\xa5" * (1 << 16)
            while True:
                written += os.write(out.fileno(), block)
    except OSError as exc:
        error = errno.errorcode.get(exc.errno, str(exc.errno))
    return {"bytes": written, "error": error}

def works(argv):
    try:
        return subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=15).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False

def say(name, result):
    with open(f"{shared}/{name}.tmp", "w") as out:
        json.dump(result, out)
    os.rename(f"{shared}/{name}.tmp", f"{shared}/{name}.json")

say("inside", {"runtime": fill(os.environ["XDG_RUNTIME_DIR"]),
               "display": works(["xdpyinfo"]), "sound": works(["pactl", "info"])})
if sys.argv[1] == "downloads":
    say("downloads", fill(os.path.expanduser("~/Downloads")))
time.sleep(300)
"""


@pytest.fixture
def small_runtime(user_tmp: Path, launcher_user: Any) -> Iterator[Path]:
    """A 24 MiB tmpfs, 0700 and the test user's, as their runtime dir."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    path = user_tmp / "run"
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o",
                    f"size={SIZE},mode=0700,uid={launcher_user.uid},gid={launcher_user.gid}",
                    "sl-full-runtime", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _used(path: Path) -> int:
    st = os.statvfs(path)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def _as_user(user: Any, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}",
                           "--clear-groups", *argv], capture_output=True, text=True,
                          check=False, timeout=60)


@pytest.fixture
def full_session(small_runtime: Path, host_services: Any, host_sound: HostSound,
                 user_profile: Any, spawn_launcher: Any, launcher_user: Any,
                 user_tmp: Path) -> Any:
    """``start(MODE)`` runs the filling client; returns (launcher, shared folder, env)."""
    user_profile("slfull", PROFILE)
    shared = user_tmp / "shared"
    shared.mkdir()
    os.chown(shared, launcher_user.uid, launcher_user.gid)
    env = {**host_services.session_env, **host_sound.env,
           "XDG_RUNTIME_DIR": str(small_runtime)}

    def start(mode: str) -> tuple[subprocess.Popen[str], Path, dict[str, str]]:
        proc = spawn_launcher(["run", "slfull", "--share", f"{shared}:rw", "--report",
                               str(user_tmp / "full-report.json"), "--", SYSTEM_PYTHON,
                               "-c", CLIENT, mode], env_extra=env)
        _wait_file(shared / "inside.json", proc)
        inside = json.loads((shared / "inside.json").read_text())
        # Its own runtime dir (a tmpfs of the sandbox's) is full; the grants still work.
        assert inside["runtime"]["error"] == "ENOSPC", inside
        assert inside["display"] and inside["sound"], inside
        return proc, shared, env

    return start


def test_a_session_that_fills_the_runtime_dir_is_stopped_and_frees_it(
        full_session: Any, small_runtime: Path, launcher_user: Any, user_tmp: Path) -> None:
    users_before = _user_pids(launcher_user.uid)
    used_before = _used(small_runtime)
    proc, _shared, _env = full_session("downloads")
    # The client fills its downloads folder, in the user's runtime dir; the launcher
    # notices within a quarter second once the dir runs low (a second while it has room)
    # and stops the session itself. How long the dir
    # stays short of room (below the guard's reserve) is what the rest of the desktop
    # suffers: sampled every 5 ms.
    reserve = min(runtime_guard.RESERVE, SIZE // 10)
    short_since: float | None = None
    short_s = -1.0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        st = os.statvfs(small_runtime)
        short = st.f_bavail * st.f_frsize < reserve
        if short and short_since is None:
            short_since = time.monotonic()
        elif not short and short_since is not None:
            short_s = time.monotonic() - short_since
            break
        time.sleep(0.005)
    status, out, err = finish(proc, timeout=60)
    print(f"the runtime dir was short of room for {short_s:.2f} s")
    # A quarter second to notice, up to the client's 5 s grace after SIGTERM (this one
    # goes at once), then the wipe: never the whole session.
    assert 0 <= short_s < 6, short_s
    assert status == 128 + signal.SIGTERM, out + err
    report = json.loads((user_tmp / "full-report.json").read_text())
    lost_all = report.get("helpers_lost", [])
    assert len(lost_all) == 1, (lost_all, err)
    lost = lost_all[0]
    assert lost["grant"] == "storage" and lost["stops"] and lost["helper"] == "runtime dir"
    assert "your runtime folder is full" in lost["effect"] and lost["effect"] in err
    assert report["stopped_by_user"] is False
    assert report["wipe"]["verified"], report["wipe"]
    assert problems("report", report) == []
    downloads = report["devices"]["downloads"]
    assert [f["name"] for f in downloads["files"]] == ["filler"], downloads
    assert downloads["discarded"] is True
    # Nothing left, the space is back, and the user's programs can write there again.
    _no_process_left(launcher_user.uid, users_before)
    assert _used(small_runtime) <= used_before + (64 << 10), os.listdir(small_runtime)
    done = _as_user(launcher_user, "dd", "if=/dev/zero", f"of={small_runtime}/host-file",
                    "bs=64k", "count=16")
    assert done.returncode == 0, done.stderr


def test_a_runtime_dir_filled_by_others_still_lets_the_session_stop_wipe_and_report(
        full_session: Any, small_runtime: Path, launcher_user: Any, user_tmp: Path,
        run_launcher: Any) -> None:
    users_before = _user_pids(launcher_user.uid)
    proc, _shared, env = full_session("runtime")
    # Another program of the login fills the runtime dir: not the session's doing, so the
    # guard leaves the meeting alone.
    filled = _as_user(launcher_user, "dd", "if=/dev/zero", f"of={small_runtime}/other",
                      "bs=64k")
    assert "No space left on device" in filled.stderr, filled.stderr
    # The microphone's forwarder starts with its log in the full state dir.
    os.kill(proc.pid, signal.SIGUSR1)
    time.sleep(1)  # four looks of the guard
    assert proc.poll() is None, "the guard stopped a session that did not fill the dir"
    sessions = run_launcher(["sessions", "--json"], env_extra=env)
    assert sessions.returncode == 0, sessions.stderr
    [session] = json.loads(sessions.stdout)
    stopped = run_launcher(["stop", session["id"]], env_extra=env, timeout=60)
    assert stopped.returncode == 0 and "wipe verified" in stopped.stdout, (
        stopped.stdout + stopped.stderr)
    status, _out, err = finish(proc, timeout=60)
    assert status == 128 + signal.SIGTERM, err
    assert "microphone ON" in err, err
    report = json.loads((user_tmp / "full-report.json").read_text())
    assert "helpers_lost" not in report
    assert report["stopped_by_user"] is True and report["wipe"]["verified"], report["wipe"]
    assert [c["muted"] for c in report["devices"]["audio"]["mic_changes"]] == [True, False]
    _no_process_left(launcher_user.uid, users_before)
    assert sorted(os.listdir(small_runtime)) in (["other"], ["other", "sandbox-launcher"]), (
        os.listdir(small_runtime))
    assert not list((small_runtime / "sandbox-launcher" / "sessions").iterdir())


def test_a_session_started_in_a_full_runtime_dir_is_refused_and_leaves_nothing(
        small_runtime: Path, host_services: Any, host_sound: HostSound, user_profile: Any,
        run_launcher: Any, launcher_user: Any, user_tmp: Path) -> None:
    user_profile("slfull", PROFILE)
    env = {**host_services.session_env, **host_sound.env,
           "XDG_RUNTIME_DIR": str(small_runtime)}
    users_before = _user_pids(launcher_user.uid)
    filled = _as_user(launcher_user, "dd", "if=/dev/zero", f"of={small_runtime}/other",
                      "bs=64k")
    assert "No space left on device" in filled.stderr, filled.stderr
    done = run_launcher(["run", "slfull", "--", "/bin/echo", "CLIENT-STARTED"],
                        env_extra=env, timeout=60)
    assert done.returncode == 125, done.stderr
    assert "could not create the session's state dir: No space left on device" in done.stderr
    assert "XDG_RUNTIME_DIR" in done.stderr and "CLIENT-STARTED" not in done.stdout
    _no_process_left(launcher_user.uid, users_before)
    assert sorted(os.listdir(small_runtime)) in (["other"], ["other", "sandbox-launcher"])
    assert not list((small_runtime / "sandbox-launcher" / "sessions").glob("*"))
