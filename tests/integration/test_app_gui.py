"""Runs tests/gui as the unprivileged user when the suite runs as root (as CI does).

As root, tests/gui/conftest.py leaves those tests out of this run; this test runs them in
a child pytest as ``sltest``, on its own Xvfb, and fails with the child's report
(:mod:`gui_child`). The one GUI test that needs the fake internet runs from
``test_app_gui_net.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO_ROOT, LauncherUser
from gui_child import run_gui_child

#: The screenshots tests/gui writes (the user must be able to replace them).
SCREENSHOTS = ("window-finished-session.png", "tray-menu.png", "tray-notification.png",
               "window-de.png", "editor-de.png", "launch-panel-devices.png",
               "clients-progress.png", "clients-installed.png", "window-wiping.png")


@pytest.mark.integration
def test_gui_suite_passes_as_the_desktop_user(launcher_user: LauncherUser,
                                              user_tmp: Path) -> None:
    if not launcher_user.switch:
        pytest.skip("not root: tests/gui ran directly in this run, as this user")
    counts = run_gui_child(launcher_user, user_tmp, [str(REPO_ROOT / "tests" / "gui")],
                           screenshots=SCREENSHOTS)
    assert counts["tests"] >= 10, counts
    assert shutil.which("trayer"), "trayer (the tray host) is missing: scripts/setup.sh"
