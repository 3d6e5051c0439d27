"""A stand-in client (``tests/stand_in/``) started in a real session and waited for.

The link tests (test_join.py) and the links-out tests (test_links_out.py) start their
stand-ins the same way: ``run PROFILE --network MODE [--join LINK] --report REPORT --
python3 -c STAND-IN ARGS…`` (the repository is not inside the sandbox, so the source is
passed whole), until the stand-in prints its ready line; then they find the session the
launcher runs through ``sessions --json``. How the launcher is started (the test
user's ``spawn_launcher``, or ``main()`` with an administrator's policy) is theirs.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import REPO_ROOT, SYSTEM_PYTHON, wait_for_ready

STAND_INS = REPO_ROOT / "tests" / "stand_in"
#: Starts ``sandbox-launcher ARGS`` with text pipes.
Spawn = Callable[[Sequence[str]], subprocess.Popen[str]]


def stand_in_source(name: str) -> str:
    """The source of ``tests/stand_in/NAME.py``, run with ``python3 -c``."""
    return (STAND_INS / f"{name}.py").read_text()


@dataclass
class StandIn:
    """A launcher running a stand-in that said it is ready."""

    proc: subprocess.Popen[str]
    #: The stand-in's ready line.
    ready: dict[str, Any]
    #: Where the launcher writes the session's report.
    report: Path


def start_stand_in(spawn: Spawn, tmp: Path, profile: str, source: str, *client_args: str,
                   network: str = "none", join: str | None = None) -> StandIn:
    """Start *source* in a session of *profile* and wait until it is ready."""
    report = tmp / f"report-{secrets.token_hex(3)}.json"
    link = ["--join", join] if join is not None else []
    proc = spawn(["run", profile, "--network", network, *link, "--report", str(report),
                  "--", SYSTEM_PYTHON, "-c", source, *client_args])
    return StandIn(proc, wait_for_ready(proc, timeout=90), report)


def session_of(sessions_json: str, launcher_pid: int) -> str:
    """The id of the session *launcher_pid* runs, from ``sessions --json``'s output."""
    listed = json.loads(sessions_json)
    found = [s["id"] for s in listed if s["launcher_pid"] == launcher_pid]
    assert found, f"no session of launcher {launcher_pid}: {listed}"
    return str(found[0])
