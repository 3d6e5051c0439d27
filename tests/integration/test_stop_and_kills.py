"""``stop ID`` for a session whose launcher dies of the SIGTERM it sends (issue 16, item 4).

The desktop app runs its sessions in its own process and has no SIGTERM handler, like
any program that starts sessions through the launch path and does not catch it: the
signal ends the whole launcher. ``stop`` used to wait 30 s for a report that nobody
would write and then fail; now it sees the launcher gone, wipes and verifies what it
left, and says so at once.
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


def test_stop_returns_at_once_when_the_launcher_dies_of_its_sigterm(
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
    assert proc.wait(timeout=30) != 0  # the SIGTERM ended that launcher
    assert "wipe verified" in done.stdout and "NOT" not in done.stdout, done.stdout
    # Well under the 30 s it used to wait before failing (load allows a few seconds).
    assert took < 15, f"stop took {took:.1f} s"
    listed = json.loads(run_launcher(["sessions", "--json"], check=True).stdout)
    assert session_id not in {e["id"] for e in listed}
    no_leftovers(marker)
