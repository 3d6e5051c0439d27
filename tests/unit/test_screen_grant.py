"""Screen sharing decided at plan time (pure: the host's windows come from a fake finder).

The mirror itself, against real X servers, is tested in tests/integration/test_screen_share.py.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from sandbox_launcher.cli import commands
from sandbox_launcher.core.devices import ScreenGrant
from sandbox_launcher.core.errors import UsageError
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.policy import DevicePolicy, Policy, load_policy
from sandbox_launcher.core.profile import Profile, load_profiles
from sandbox_launcher.devices.screen import ScreenMirror
from sandbox_launcher.devices.x11_windows import HostWindow, parse_window_id
from sandbox_launcher.session import choices
from sandbox_launcher.session.entries import SessionEntry
from sandbox_launcher.session.events import from_dict
from sandbox_launcher.session.lifecycle import Event, State
from sandbox_launcher.session.live import Indicator, LiveState
from sandbox_launcher.session.planning import make_plan
from sandbox_launcher.session.service import SessionService


class FakeWindows:
    """The host's windows: 0x400001 "Slides" exists; a pick clicks 0x400001."""

    def __init__(self) -> None:
        self.picked = 0
        self.looked_up: list[int] = []

    def describe(self, host: Mapping[str, str], window: int) -> HostWindow:
        self.looked_up.append(window)
        if window != 0x400001:
            raise UsageError(f"there is no window 0x{window:x} on the host display", "look")
        return HostWindow(window, "Slides", 800, 600)

    def pick(self, host: Mapping[str, str]) -> int:
        self.picked += 1
        return 0x400001


def _profile(tmp_path: Path, text: str = "") -> Profile:
    profiles = tmp_path / "profiles"
    profiles.mkdir(exist_ok=True)
    (profiles / "dev.toml").write_text(text)
    return load_profiles(profiles).get("dev")


def _plan(tmp_path: Path, share: str | None, *, profile: str = "",
          host: Mapping[str, str] | None = None, policy: Policy | None = None,
          windows: FakeWindows | None = None) -> Any:
    env = {"DISPLAY": ":3", "HOME": str(tmp_path)} if host is None else host
    return make_plan(_profile(tmp_path, profile), RunOptions(command=("x",), share_screen=share),
                     env, policy, windows=windows or FakeWindows())


@pytest.fixture
def wayland(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A Wayland host (a listening socket in a runtime dir) that also has X11 and a
    session bus (the portal is reached through it)."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(run / "w0"))
        yield {"WAYLAND_DISPLAY": "w0", "XDG_RUNTIME_DIR": str(run), "DISPLAY": ":3",
               "HOME": str(tmp_path), "DBUS_SESSION_BUS_ADDRESS": "unix:path=/b"}


@pytest.mark.parametrize(("text", "wid"), [("0x400001", 0x400001), ("0X1e00007", 0x1E00007),
                                           ("4194305", 4194305), (" 0x10 ", 16)])
def test_window_ids_hex_or_decimal(text: str, wid: int) -> None:
    assert parse_window_id(text) == wid


@pytest.mark.parametrize("text", ["", "0", "0x0", "-5", "zz", "0x", "0x20000000", "1.5"])
def test_bad_window_ids_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="not an X11 window id") as caught:
        parse_window_id(text)
    assert "pick" in caught.value.hint


def test_nothing_is_shared_unless_asked(tmp_path: Path) -> None:
    windows = FakeWindows()
    plan = _plan(tmp_path, None, windows=windows)
    assert plan.devices.screen == ScreenGrant() and windows.looked_up == []
    assert plan.grants()["screen"] == "none"


def test_an_x11_window_is_mirrored(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "0x400001")
    assert plan.devices.screen == ScreenGrant("mirror", 0x400001, "Slides")
    assert plan.grants()["screen"].startswith("one host window, 0x400001 'Slides'")
    assert "Shared: Slides" in plan.grants()["screen"]


def test_pick_comes_after_every_other_check(tmp_path: Path) -> None:
    windows = FakeWindows()
    plan = _plan(tmp_path, "pick", windows=windows)
    assert windows.picked == 1 and plan.devices.screen.window == 0x400001
    refused = FakeWindows()
    with pytest.raises(UsageError, match="forbidden by the system policy"):
        _plan(tmp_path, "pick", windows=refused,
              policy=Policy(devices=DevicePolicy(allow_screen_share=False)))
    with pytest.raises(UsageError, match="needs a display"):
        _plan(tmp_path, "pick", windows=refused, profile='[devices]\ndisplay = "none"\n')
    assert refused.picked == 0  # the user never had to click for nothing


@pytest.mark.parametrize(("share", "profile", "policy", "host", "summary", "hint"), [
    ("0x400002", "", None, None, "there is no window 0x400002", ""),
    ("0x400001", "", DevicePolicy(allow_screen_share=False), None,
     "--share-window is forbidden by the system policy", "ask your administrator"),
    ("portal", "", DevicePolicy(allow_screen_share=False), None,
     "--share-screen is forbidden by the system policy", ""),
    ("0x400001", '[devices]\ndisplay = "none"\n', None, None,
     "--share-window needs a display in the sandbox", "isolated"),
    ("0x400001", "", None, {}, "needs a display in the sandbox", ""),
    ("0x400001", '[devices]\ndisplay = "insecure_host_x11"\n', None, None,
     "pointless with devices.display = insecure_host_x11", "drop --share-window"),
    ("portal", "", None, None, "--share-screen needs --share-window", "--share-window pick"),
])
def test_refusals(tmp_path: Path, share: str, profile: str, policy: DevicePolicy | None,
                  host: dict[str, str] | None, summary: str, hint: str) -> None:
    with pytest.raises(UsageError) as caught:
        _plan(tmp_path, share, profile=profile, host=host,
              policy=Policy(devices=policy) if policy else None)
    assert summary in caught.value.summary, caught.value.summary
    assert hint in caught.value.hint and caught.value.hint


def test_wayland_uses_the_portal_and_refuses_a_window(tmp_path: Path,
                                                      wayland: dict[str, str]) -> None:
    plan = _plan(tmp_path, "portal", host=wayland)
    assert plan.devices.screen.mode == "portal"
    assert "desktop portal" in plan.grants()["screen"]
    with pytest.raises(UsageError, match="is for X11 desktops") as caught:
        _plan(tmp_path, "0x400001", host=wayland)
    assert "--share-screen" in caught.value.hint


def test_cli_flags_map_to_one_option() -> None:
    assert commands.share_value(None, False) is None
    assert commands.share_value(None, True) == "portal"
    assert commands.share_value("0x400001", True) == "0x400001"  # X11: the window
    assert commands.share_value("PICK", False) == "pick"


def test_policy_key(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("[devices]\nallow_screen_share = false\n")
    policy = load_policy(path)
    assert policy.devices.allow_screen_share is False
    assert policy.to_dict()["devices"]["allow_screen_share"] is False
    assert DevicePolicy().allow_screen_share is True


def test_launch_panel_choices(tmp_path: Path, wayland: dict[str, str]) -> None:
    locked = choices.screen_choices(DevicePolicy(allow_screen_share=False), {"DISPLAY": ":3"})
    assert locked == ("", choices.POLICY_SCREEN, ())
    assert choices.screen_choices(DevicePolicy(), wayland) == ("portal", "", ())
    assert choices.screen_choices(DevicePolicy(), {}) == ("", choices.NO_DESKTOP, ())
    assert HostWindow(0x400001, "", 1, 1).label() == "(untitled) (0x400001)"


def test_screen_events_reach_the_live_state(tmp_path: Path) -> None:
    assert LiveState(sessions=1, mic=True, screen=True).indicator is Indicator.SCREEN
    assert LiveState(sessions=1, screen=True, camera=True).indicator is Indicator.CAMERA
    service = SessionService(profiles_dir=tmp_path)
    service._entries["a"] = SessionEntry("a", "zoom", "Zoom", state=State.RUNNING)
    grant = {"type": "screen", "mode": "mirror", "window": 5, "title": "Slides"}
    use = {"type": "device", "device": "screen", "at": 10.0}
    # In the wire form the layers below send, typed at the session boundary.
    service._on_event(Event("a", State.RUNNING, data=from_dict({**grant, "shared": True})))
    service._on_event(Event("a", State.RUNNING, data=from_dict({**use, "in_use": True})))
    assert service.entry("a").screen == "Slides" and service.live_state().screen
    service._on_event(Event("a", State.RUNNING, data=from_dict({**grant, "shared": False,
                                                                "reason": "closed"})))
    service._on_event(Event("a", State.RUNNING, data=from_dict({**use, "in_use": False})))
    assert service.entry("a").screen is None and not service.live_state().screen


def test_mirror_lines_become_events_and_the_report(tmp_path: Path) -> None:
    """The launcher's reading of the mirror's JSON lines (a pipe, no X server)."""
    import os
    import subprocess

    from sandbox_launcher.devices.helper import Helper

    read_fd, write_fd = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
    process = subprocess.Popen(["/bin/sleep", "30"])
    mirror = ScreenMirror(ScreenGrant("mirror", 0x400001, "Slides"),
                          Helper("mirror", process, tmp_path / "mirror.log"), read_fd)
    os.write(write_fd, json.dumps({"event": "closed", "why": "window"}).encode() + b"\n{\"ev")
    events = mirror.events()
    assert events == [{"type": "screen", "shared": False, "mode": "mirror",
                       "window": 0x400001, "title": "Slides",
                       "reason": "the shared window was closed"}]
    os.write(write_fd, b"ent\": \"stopped\", \"frames\": 3, \"cpu_seconds\": 0.1}\n")
    os.close(write_fd)
    report = mirror.stop()
    assert report["ended_by"] == "the shared window was closed"
    assert report["window"] == "0x400001" and report["frames"] == 3
    assert report["mirror_stopped"] is True and report["stopped"] >= report["started"]
    assert process.poll() is not None
