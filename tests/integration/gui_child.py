"""Runs GUI tests (tests/gui) in a child pytest as the desktop user and reads its verdict.

The GUI tests hold the QApplication and the app service in one process, and that process
starts bubblewrap for every session, so it must be the desktop user's (DESIGN §6).
"""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path

from conftest import REPO_ROOT, LauncherUser, as_user_argv, user_environment

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"


def run_gui_child(user: LauncherUser, tmp: Path, targets: Sequence[str], *,
                  screenshots: Sequence[str] = (),
                  wrap: Callable[[list[str]], list[str]] | None = None,
                  env_extra: dict[str, str] | None = None) -> dict[str, int]:
    """Run pytest on *targets* as *user*; assert it passed with nothing skipped.

    *wrap* turns the child's argv into what runs it (default: switch to the user; the
    fake internet's variant also enters its host namespace). *screenshots* are removed
    first, so a stale picture from an earlier run is never mistaken for this one's.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    os.chown(ARTIFACTS, user.uid, user.gid)
    for name in screenshots:
        (ARTIFACTS / name).unlink(missing_ok=True)
    junit = tmp / "gui.xml"
    env = user_environment(user, env_extra={
        "PYTHONDONTWRITEBYTECODE": "1", "CI": os.environ.get("CI", ""),
        "TMPDIR": str(tmp), **(env_extra or {})})
    argv = [str(REPO_ROOT / ".venv" / "bin" / "pytest"), "-p", "no:cacheprovider", "-q",
            "-rA", f"--junitxml={junit}", *targets]
    done = subprocess.run(
        wrap(argv) if wrap else as_user_argv(user, argv), env=env, cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=900, check=False)
    report = f"--- child pytest (as {user.name})\n{done.stdout[-20000:]}\n{done.stderr}"
    assert junit.exists(), report
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None, report
    counts = {k: int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped")}
    print(f"GUI tests as {user.name}: {counts}")
    assert done.returncode == 0, report
    assert counts["skipped"] == 0, report
    for name in screenshots:
        assert (ARTIFACTS / name).exists(), f"the GUI tests did not save {name}\n{report}"
    return counts
