"""Runs tests/gui as the unprivileged user when the suite runs as root (as CI does).

As root, tests/gui/conftest.py leaves those tests out of this run; this test runs them in
a child pytest as ``sltest``, on its own Xvfb, and fails with the child's report
(:mod:`gui_child`). The one GUI test that needs the fake internet runs from
``test_app_gui_net.py``. Root makes the stand-in camera node that
``tests/gui/test_camera_use.py`` grants (mknod needs root) and names it in
``SL_STAND_IN_CAMERA``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO_ROOT, LauncherUser
from gui_child import run_gui_child

#: The screenshots tests/gui writes (the user must be able to replace them).
SCREENSHOTS = ("window-finished-session.png", "tray-menu.png", "tray-notification.png",
               "window-de.png", "editor-de.png", "launch-panel-devices.png",
               "clients-progress.png", "clients-installed.png", "window-wiping.png",
               "downloads-question.png", "window-downloads-waiting.png", "images-window.png",
               "window-camera-in-use.png", "sso-question.png")


@pytest.mark.integration
@pytest.mark.timeout(900)  # the whole GUI suite, a real guest image build included
def test_gui_suite_passes_as_the_desktop_user(launcher_user: LauncherUser,
                                              user_tmp: Path) -> None:
    if not launcher_user.switch:
        pytest.skip("not root: tests/gui ran directly in this run, as this user")
    camera = user_tmp / "video7"  # a V4L2 major (81) without a driver: see test_camera_use
    os.mknod(camera, 0o660 | 0o020000, os.makedev(81, 7))
    os.chown(camera, launcher_user.uid, launcher_user.gid)
    counts = run_gui_child(launcher_user, user_tmp, [str(REPO_ROOT / "tests" / "gui")],
                           screenshots=SCREENSHOTS,
                           env_extra={"SL_STAND_IN_CAMERA": str(camera)})
    assert counts["tests"] >= 10, counts
    assert shutil.which("trayer"), "trayer (the tray host) is missing: scripts/setup.sh"
