"""``--report`` to a place the user cannot write is refused before anything starts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

MARK = "CLIENT-RAN"


@pytest.mark.parametrize(("where", "why"), [
    ("/etc/sl-report.json", "you may not write in the folder /etc"),
    ("/etc/sl-missing/deeper/r.json", "you may not write in the folder /etc"),
    ("/etc", "it is a folder"),
    ("/etc/hostname/r.json", "/etc/hostname is not a folder"),
])
def test_unwritable_report_is_refused_before_the_session(
        run_launcher: Callable[..., Any], where: str, why: str) -> None:
    done = run_launcher(["run", "generic", "--report", where, "--", "/bin/echo", MARK])
    assert done.returncode == 125, done.stdout + done.stderr
    assert MARK not in done.stdout, "the client ran although its report cannot be written"
    assert f"cannot write the report to {where}: {why}" in done.stderr, done.stderr
    assert "what to do:" in done.stderr and "Traceback" not in done.stderr, done.stderr
    sessions = run_launcher(["sessions", "--json"])
    assert json.loads(sessions.stdout) == [], sessions.stdout


def test_writable_report_in_a_new_folder_is_written(
        run_launcher: Callable[..., Any], user_tmp: Path) -> None:
    """The control: a folder the user may make is fine, and the report lands there."""
    target = user_tmp / "new" / "folder" / "r.json"
    done = run_launcher(["run", "generic", "--report", str(target), "--", "/bin/echo", MARK])
    assert done.returncode == 0 and MARK in done.stdout, done.stderr
    assert json.loads(target.read_text())["wipe"]["verified"] is True
