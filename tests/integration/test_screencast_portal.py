"""Screen sharing on a Wayland host: the desktop portal's ScreenCast through the proxy.

Against a real desktop of the test user's (``conftest_portal``): sway, PipeWire,
xdg-desktop-portal with its wlr back-end, a Secret Service. The stand-in client
(``tests/stand_in/screencast_client.py``) runs inside the sandbox, as a conferencing
client would, and does CreateSession -> SelectSources -> Start -> OpenPipeWireRemote.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, SYSTEM_PYTHON, last_json
from conftest_portal import SIZE, TICKER_CORNER, Desktop, screencast_desktop  # noqa: F401

pytestmark = pytest.mark.integration

Run = Callable[..., subprocess.CompletedProcess[str]]
CLIENT = REPO_ROOT / "tests" / "stand_in" / "screencast_client.py"
PROFILE = ("[network]\nmode = 'none'\n"
           "[devices]\ndisplay = 'isolated'\nspeakers = false\n")
#: What the proxy answers: a call the rules refuse on a name the client may reach, and
#: a name it may not see at all.
DENIED = "org.freedesktop.DBus.Error.AccessDenied"
UNKNOWN = "org.freedesktop.DBus.Error.ServiceUnknown"
STEPS = ["version", "CreateSession", "SelectSources", "Start", "OpenPipeWireRemote", "Close"]


def _client(*args: str) -> list[str]:
    return [SYSTEM_PYTHON, "-c", CLIENT.read_text(), *args]


def _tokens(run_as_user: Run, desktop: Desktop) -> list[str]:
    done = run_as_user(["dbus-send", f"--bus={desktop.bus}", "--print-reply",
                        "--dest=org.freedesktop.impl.portal.PermissionStore",
                        "/org/freedesktop/impl/portal/PermissionStore",
                        "org.freedesktop.impl.portal.PermissionStore.List",
                        "string:screencast"], env_extra=desktop.env)
    assert done.returncode == 0, done.stderr
    return [line.strip().removeprefix('string "').removesuffix('"')
            for line in done.stdout.splitlines() if line.strip().startswith("string ")]


def _policy(desktop: Desktop) -> str:
    """WirePlumber's linking decisions, to say why a stream got no frames."""
    lines = desktop.log("wireplumber", tail=0).splitlines()
    return "\n".join(line for line in lines if "policy-node" in line)[-3000:]


def test_screen_cast_through_the_portal_from_inside_the_sandbox(
        run_launcher: Run, run_as_user: Run, user_profile: Any,
        screencast_desktop: Desktop, user_tmp: Path) -> None:  # noqa: F811
    desktop = screencast_desktop
    # Control: outside the sandbox the same client reaches the portal and the keyring.
    control = last_json(run_as_user(_client(), env_extra=desktop.env).stdout)
    assert control["steps"].get("Start") == "ok", control
    assert control["others"]["secrets"] == {"answered": True}, control["others"]

    user_profile("cast", PROFILE)
    report = user_tmp / "cast.json"
    done = run_launcher(["run", "cast", "--share-screen", "--report", str(report), "--",
                         *_client("--frame", "/tmp/frame.raw", "--persist")],
                        env_extra=desktop.env, timeout=180)
    assert done.returncode == 0, done.stderr
    result = last_json(done.stdout)
    assert list(result["steps"]) == STEPS and "failed" not in result, (
        f"{json.dumps(result, indent=1)}\n--- xdpw\n{desktop.log('xdpw')}"
        f"\n--- portal\n{desktop.log('portal')}")
    assert result["bus"].endswith("/bus") and str(desktop.runtime_dir) not in result["bus"]
    assert result["version"] >= 4
    (stream,) = result["streams"]
    assert stream["size"] == list(SIZE)  # the whole (and only) output
    # The PipeWire connection came over D-Bus, through the proxy; there is no socket.
    assert result["pipewire_fd"]["socket"] is True
    assert result["own_pipewire_socket"] is False
    frame = result["frame"]
    assert frame.get("status") == 0 and frame["pixels"] == SIZE[0] * SIZE[1], (
        f"{frame}\n--- wireplumber\n{_policy(desktop)}")
    # sway's green output, really, with the corner of the desktop's one window in it.
    assert frame["pixels"] - TICKER_CORNER == frame["green"], frame

    # Everything else stays out of reach: other portals, introspection, the keyring.
    others = {name: outcome.get("error") for name, outcome in result["others"].items()}
    assert others == {"screenshot": DENIED, "remote_desktop": DENIED,
                      "introspect_portal": DENIED, "secrets": UNKNOWN}, result["others"]

    # The portal took the sandboxed client for a host app (the proxy's credentials, no
    # /.flatpak-info): the app id it hands the back-end is empty, as for the control run.
    app_ids = re.findall(r"dbus: app_id: (.*)", desktop.log("xdpw", tail=0))
    assert app_ids and set(app_ids) == {""}, app_ids

    # The restore token the client asked for does not outlive the session.
    token = result["restore_token"]
    assert token and token not in _tokens(run_as_user, desktop)
    data = json.loads(report.read_text())
    assert "portal" in data["grants"]["screen"]
    # In use from the client's Start to its Close, as the proxy's message log shows them.
    usage = data["devices"]["usage"]
    (cast,) = usage["screen"]
    assert cast["seconds"] > 0 and "ScreenCast.Start" in usage["how"]["screen"]
    uses = [line for line in done.stderr.splitlines() if line.endswith(" in use")]
    assert uses == ["sandbox-launcher: screen in use", "sandbox-launcher: screen not in use"], (
        done.stderr)
    dbus = data["grants"]["dbus"]
    assert dbus["talk"] == [] and dbus["portal"]["name"] == "org.freedesktop.portal.Desktop"
    checks = {c["name"]: c for c in data["wipe"]["checks"]}
    check = checks["screen cast restore tokens removed"]
    assert check["ok"] and check["detail"] == "1 removed", check


def test_without_the_grant_the_portal_is_out_of_reach(
        run_launcher: Run, user_profile: Any, screencast_desktop: Desktop) -> None:  # noqa: F811
    desktop = screencast_desktop
    # A profile that talks to another name gets the proxy, and still no portal.
    user_profile("talker", PROFILE + "dbus_talk = ['org.freedesktop.Notifications']\n")
    done = run_launcher(["run", "talker", "--", *_client()], env_extra=desktop.env,
                        check=True)
    result = last_json(done.stdout)
    assert result["failed"]["error"] == UNKNOWN and result["steps"] == {}, result
    assert result["bus"].endswith("/bus")  # the proxy is there, the portal is not
    for name, outcome in result["others"].items():
        assert outcome.get("error") == UNKNOWN, (name, outcome)
    # Without any bus grant the client has no session bus at all.
    user_profile("quiet", PROFILE)
    bare = last_json(run_launcher(["run", "quiet", "--", *_client()], env_extra=desktop.env,
                                  check=True).stdout)
    assert "connect" in bare and bare["steps"] == {} and bare["bus"] == "", bare
    # And a profile cannot simply name the portal.
    user_profile("sneaky", PROFILE + "dbus_talk = ['org.freedesktop.portal.Desktop']\n")
    refused = run_launcher(["run", "sneaky", "--", "/bin/true"], env_extra=desktop.env,
                           check=125)
    assert "org.freedesktop.portal.Desktop" in refused.stderr
