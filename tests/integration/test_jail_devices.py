"""Display, session bus and sound in a networked session (DESIGN §6).

An allowlist profile runs bwrap under ``nsenter`` into the jail's user and network
namespaces. The display (Xephyr), the bus proxy and the sound server run on the host,
outside the jail, and their sockets are bound in by path: a unix socket is reached through
the file system, so the jail's network namespace must not cut it off. The launcher runs
on the fake internet's host machine; the user's Xvfb, dbus-daemon (``host_services``) and
PulseAudio (``host_sound``) are the real desktop's.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
from conftest_audio import MIC_HZ, HostSound
from conftest_net import SYSTEM_PYTHON, HostNetns
from support.jailed_desktop import JAILED_DESKTOP

pytestmark = pytest.mark.integration

CLIENT = ("xdpyinfo | grep -E '^(name of display|  dimensions)'; "
          "xwininfo -root | grep -E 'Width|Height'; "
          "gdbus call --session --dest org.freedesktop.Notifications --object-path "
          "/org/example --method org.example.Fake.Ping --timeout 5; "
          "gdbus call --session --dest org.freedesktop.secrets --object-path /org/example "
          "--method org.example.Fake.Ping --timeout 5 >/dev/null 2>&1 || echo SECRETS-REFUSED; "
          "pacat --record --raw --format=s16le --rate=48000 --channels=1 | head -c 96000 | "
          f"{SYSTEM_PYTHON} -c \"import sys, array, math; a = array.array('h', "
          "sys.stdin.buffer.read())[24000:]; print('mic-rms', round(math.sqrt(sum(x * x "
          "for x in a) / len(a))))\"")


@pytest.fixture
def jailed_profile(user_profile: Callable[[str, str], Path]) -> str:
    user_profile("sljaildev", JAILED_DESKTOP)
    return "sljaildev"


def test_display_and_bus_work_inside_the_network_jail(
        host_netns: HostNetns, host_services: Any, bus_owner: None, jailed_profile: str,
        host_sound: HostSound, user_tmp: Path) -> None:
    missing = [t for t in ("Xephyr", "xdpyinfo", "xwininfo", "gdbus", "xdg-dbus-proxy")
               if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (scripts/setup.sh --with-test-tools)")
    report = user_tmp / "jailed.json"
    done = host_netns.run_launcher(
        ["run", jailed_profile, "--mic", "--report", str(report), "--", "/bin/sh", "-c",
         CLIENT], env_extra={**host_services.session_env, **host_sound.env})
    assert done.returncode == 0, done.stdout + done.stderr
    saved = json.loads(report.read_text())
    assert saved["network"]["mode"] == "allowlist", "the session was not in the jail"
    assert saved["grants"]["display"].startswith("isolated")
    lines = done.stdout.splitlines()
    assert "name of display:    :0" in lines, done.stdout + done.stderr
    assert "  dimensions:    800x600 pixels" in [line.split(" (")[0] for line in lines]
    assert "  Width: 800" in lines and "  Height: 600" in lines
    assert "('pong',)" in lines and "SECRETS-REFUSED" in lines, done.stdout
    [rms] = [int(line.split()[1]) for line in lines if line.startswith("mic-rms ")]
    assert rms > 1000, f"the microphone ({MIC_HZ} Hz) did not reach the jailed client"
    assert saved["wipe"]["verified"] is True, saved["wipe"]


def _jail_processes(uid: int) -> list[str]:
    """The user's network-jail processes (holder, pasta), as command lines."""
    found = []
    for proc in psutil.process_iter(["uids", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            cmdline = proc.info["cmdline"] or []
            if proc.info["uids"].real == uid and cmdline and (
                    "sandbox_launcher.netjail.holder" in cmdline
                    or Path(cmdline[0]).name in ("pasta", "passt")):
                found.append(" ".join(cmdline))
    return found


def test_a_display_that_fails_while_the_jail_starts_leaves_no_jail(
        host_netns: HostNetns, host_services: Any, jailed_profile: str,
        launcher_user: Any) -> None:
    """The jail starts on its own thread while the display starts: when the display
    fails (here: the desktop it should open on is gone), the jail that came up meanwhile
    is stopped too, and the client never runs."""
    if shutil.which("Xephyr") is None:
        pytest.skip("needs Xephyr (scripts/setup.sh --with-test-tools)")
    assert _jail_processes(launcher_user.uid) == []
    done = host_netns.run_launcher(
        ["run", jailed_profile, "--", "/bin/echo", "CLIENT-STARTED"],
        env_extra={**host_services.session_env, "DISPLAY": ":9"})  # no such X server
    assert done.returncode == 125, done.stdout + done.stderr
    assert "nested X server" in done.stderr, done.stderr
    assert "CLIENT-STARTED" not in done.stdout
    assert _jail_processes(launcher_user.uid) == []
    listed = host_netns.run_launcher(["sessions", "--json"])
    assert json.loads(listed.stdout or "[]") in ([], {"sessions": []}), listed.stdout
