"""``stop ID`` for a session of a launcher that has no SIGTERM handler (issue 16, item 4).

The desktop app runs its sessions in its own process and has no SIGTERM handler, like
any program that starts sessions through the launch path and does not catch it. ``stop``
used to SIGTERM the launcher (ending the app and its other meetings), then wait 30 s for
a report nobody would write. Now it asks the session itself through its inbox: only that
session stops, wiped and verified, and the launcher goes on.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import REPO_ROOT, SYSTEM_PYTHON, LauncherUser, as_user_argv, user_environment

pytestmark = pytest.mark.integration

#: A launcher that starts one session through the one launch path and has no handler
#: for SIGTERM (as the app has none).
NO_HANDLER = """
import sys
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.launch import Launcher
launcher = Launcher()
plan = launcher.plan("generic", RunOptions(command=tuple(sys.argv[1:])))
launcher.session(plan).run()
print("the launcher goes on", file=sys.stderr)
"""


@pytest.fixture
def bare_launcher(launcher_user: LauncherUser) -> Iterator[Callable[..., Any]]:
    started: list[subprocess.Popen[str]] = []

    def start(*command: str) -> subprocess.Popen[str]:
        python = str(REPO_ROOT / ".venv" / "bin" / "python")
        proc = subprocess.Popen(
            as_user_argv(launcher_user, [python, "-c", NO_HANDLER, *command]),
            env=user_environment(launcher_user), cwd=launcher_user.home,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()


def _running(run_launcher: Callable[..., subprocess.CompletedProcess[str]],
             marker: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listed = json.loads(run_launcher(["sessions", "--json"], check=True).stdout)
        for entry in listed:
            if entry.get("state") == "running" and marker in " ".join(entry.get("command", [])):
                return str(entry["id"])
        time.sleep(0.2)
    pytest.fail(f"no running session with {marker}")


def test_stop_stops_the_session_and_leaves_its_launcher_alive(
        run_launcher: Callable[..., subprocess.CompletedProcess[str]],
        bare_launcher: Callable[..., subprocess.Popen[str]],
        no_leftovers: Callable[[str], None]) -> None:
    marker = f"slstop{secrets.token_hex(5)}"
    proc = bare_launcher(SYSTEM_PYTHON, "-c", "import time; time.sleep(300)", marker)
    session_id = _running(run_launcher, marker)
    began = time.monotonic()
    done = run_launcher(["stop", session_id], timeout=60)
    took = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    assert proc.wait(timeout=30) == 0  # no SIGTERM: the launcher outlived its session
    assert proc.stderr is not None and "the launcher goes on" in proc.stderr.read()
    assert "wipe verified" in done.stdout and "NOT" not in done.stdout, done.stdout
    # Well under the 30 s it used to wait before failing (load allows a few seconds).
    assert took < 15, f"stop took {took:.1f} s"
    listed = json.loads(run_launcher(["sessions", "--json"], check=True).stdout)
    assert session_id not in {e["id"] for e in listed}
    no_leftovers(marker)
