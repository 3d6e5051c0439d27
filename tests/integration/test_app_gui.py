"""Runs tests/gui as the unprivileged user when the suite runs as root (as CI does).

The GUI tests hold the QApplication and the app service in one process, and that process
starts bubblewrap for every session, so it must be the desktop user's (DESIGN §6). As
root, tests/gui/conftest.py leaves those tests out of this run; this test runs them in a
child pytest as ``sltest``, on its own Xvfb, and fails with the child's report.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import REPO_ROOT, LauncherUser, as_user_argv, user_environment

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
#: The screenshots tests/gui writes (the user must be able to replace them).
SCREENSHOTS = ("window-finished-session.png", "tray-menu.png", "tray-notification.png",
               "window-de.png", "editor-de.png", "launch-panel-devices.png")


@pytest.mark.integration
def test_gui_suite_passes_as_the_desktop_user(launcher_user: LauncherUser,
                                              user_tmp: Path) -> None:
    if not launcher_user.switch:
        pytest.skip("not root: tests/gui ran directly in this run, as this user")
    ARTIFACTS.mkdir(exist_ok=True)
    os.chown(ARTIFACTS, launcher_user.uid, launcher_user.gid)
    for name in SCREENSHOTS:
        (ARTIFACTS / name).unlink(missing_ok=True)
    junit = user_tmp / "gui.xml"
    env = user_environment(launcher_user, env_extra={
        "PYTHONDONTWRITEBYTECODE": "1", "CI": os.environ.get("CI", ""),
        "TMPDIR": str(user_tmp)})
    done = subprocess.run(
        as_user_argv(launcher_user, [str(REPO_ROOT / ".venv" / "bin" / "pytest"),
                                     "-p", "no:cacheprovider", "-q", "-rA",
                                     f"--junitxml={junit}", str(REPO_ROOT / "tests" / "gui")]),
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900, check=False)
    report = f"--- child pytest (as {launcher_user.name})\n{done.stdout[-20000:]}\n{done.stderr}"
    assert junit.exists(), report
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None, report
    counts = {k: int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped")}
    print(f"GUI tests as {launcher_user.name}: {counts}")
    assert done.returncode == 0, report
    assert counts["tests"] >= 10 and counts["skipped"] == 0, report
    assert shutil.which("trayer"), "trayer (the tray host) is missing: scripts/setup.sh"
