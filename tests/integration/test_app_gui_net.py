"""The app's live connection list with real jailed traffic: tests/gui/test_live_connections.py
as the desktop user, in the fake internet's host namespace (DESIGN §6: test traffic never
leaves the namespaces the tests made)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO_ROOT, LauncherUser
from conftest_net import HostNetns
from gui_child import run_gui_child

SCREENSHOTS = ("window-live-connections.png", "window-connections-summary.png")


@pytest.mark.integration
def test_live_connection_list_as_the_desktop_user(host_netns: HostNetns,
                                                  launcher_user: LauncherUser,
                                                  user_tmp: Path) -> None:
    if not launcher_user.switch:
        pytest.skip("the fake internet needs root to build (CI runs as root)")
    counts = run_gui_child(
        launcher_user, user_tmp, [str(REPO_ROOT / "tests" / "gui" / "test_live_connections.py")],
        screenshots=SCREENSHOTS, wrap=host_netns.argv, env_extra={"SL_FAKE_INTERNET": "1"})
    assert counts["tests"] == 1, counts
