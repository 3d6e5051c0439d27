"""Device grants bind nothing from a path with the login (issue 11, mountinfo).

``test_privacy.py`` runs every built-in profile headless (no display, bus or sound on
the test host). Here one session gets everything a desktop grants at once: the isolated
display (Xephyr's socket and its cookie), the filtered session bus, the session's own
sound server, a read-only share from the user's home and the downloads folder; the
client reads its mount tables. Each grant's mount is there (so the check below is not
vacuous), and no line names the login or the home. The control: a writable share of the
same kind in the same session is the folder itself, so its line does name the login,
and the same check finds it there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SYSTEM_PYTHON, LauncherUser, RunLauncher
from conftest_audio import HostSound
from conftest_host import HostServices

from sandbox_launcher.core.devices import DOWNLOADS_INSIDE, SHARE_INSIDE

pytestmark = pytest.mark.integration

#: Prints the client's mount tables as JSON: its own, and the sandbox init's.
READER = """
import json
tables = {}
for path in ("/proc/self/mountinfo", "/proc/1/mountinfo", "/proc/self/mounts"):
    with open(path) as f:
        tables[path] = f.read()
print(json.dumps(tables))
"""


def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.fail(f"missing {missing}: run scripts/setup.sh --with-test-tools")


@pytest.fixture
def home_folders(launcher_user: LauncherUser) -> Iterator[tuple[Path, Path]]:
    """A read-only and a writable share, both in the user's home."""
    made = []
    for name in ("Slides", "Notes"):
        path = launcher_user.home / f"{name}-{os.urandom(3).hex()}"
        path.mkdir(mode=0o700)
        (path / "file.txt").write_text(name)
        if launcher_user.switch:
            for item in (path, path / "file.txt"):
                os.chown(item, launcher_user.uid, launcher_user.gid)
        made.append(path)
    yield made[0], made[1]
    for path in made:
        shutil.rmtree(path, ignore_errors=True)


def _lines(table: str, inside: str) -> list[str]:
    return [line for line in table.splitlines() if line.split()[4] == inside]


def _run(run_launcher: RunLauncher, profile: str, share: str, env: dict[str, str],
         report: Path) -> tuple[dict[str, str], dict[str, Any]]:
    done = run_launcher(["run", profile, "--share", share, "--report", str(report), "--",
                         SYSTEM_PYTHON, "-c", READER], env_extra=env, check=True)
    return json.loads(done.stdout.splitlines()[-1]), json.loads(report.read_text())


def test_display_bus_sound_share_and_downloads_name_no_one(
        run_launcher: RunLauncher, user_profile: Any, host_services: HostServices,
        host_sound: HostSound, home_folders: tuple[Path, Path],
        launcher_user: LauncherUser, user_tmp: Path) -> None:
    _need("Xephyr", "xdg-dbus-proxy", "pulseaudio")
    user_profile("slprivdev", "[network]\nmode = 'none'\n[devices]\ndisplay = 'isolated'\n"
                              "speakers = true\ndbus_talk = ['org.freedesktop.Notifications']\n")
    env = {**host_services.session_env, **host_sound.env}
    read_only, writable = home_folders
    login, home = launcher_user.name, str(launcher_user.home)

    tables, report = _run(run_launcher, "slprivdev", str(read_only), env, user_tmp / "a.json")
    own = tables["/proc/self/mountinfo"]
    granted = {
        "display": [line for line in own.splitlines() if "/tmp/.X11-unix/X" in line
                    or line.split()[4].endswith("/Xauthority")],
        "bus": [line for line in own.splitlines() if line.split()[4].endswith("/bus")],
        "sound": [line for line in own.splitlines() if "/pulse/native" in line.split()[4]],
        "share": _lines(own, SHARE_INSIDE), "downloads": _lines(own, DOWNLOADS_INSIDE)}
    assert all(granted.values()), {k: bool(v) for k, v in granted.items()}
    names_login = re.compile(rf"(?<![A-Za-z0-9]){re.escape(login)}(?![A-Za-z0-9])")
    for path, table in tables.items():
        assert home not in table and not names_login.search(table), (path, table)
    assert report["devices"]["share"]["mode"] == "snapshot"

    # The control: the writable share is the folder itself, and the check sees its path.
    tables, report = _run(run_launcher, "slprivdev", f"{writable}:rw", env,
                          user_tmp / "b.json")
    share = _lines(tables["/proc/self/mountinfo"], SHARE_INSIDE)
    assert share and share[0].split()[3] == str(writable), share
    assert home in tables["/proc/1/mountinfo"]
    assert report["devices"]["share"]["host_path_visible"] is True
    assert [n for n in report["notes"] if f"host path {writable} is visible" in n]
