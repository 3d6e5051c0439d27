"""How each client takes a second meeting link, and which links a running session refuses."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sandbox_launcher.clients import launch, links
from sandbox_launcher.clients.store import ClientStore
from sandbox_launcher.core.client import Handover
from sandbox_launcher.core.errors import MeetingLinkError
from sandbox_launcher.core.profile import Profile, load_profiles

HOME = "/home/user"
ZOOM = "https://us02web.zoom.us/j/1234567890?pwd=abc.1"
ZOOM_ARGUMENT = "zoommtg://zoom.us/join?action=join&confno=1234567890&pwd=abc.1"
ROOM_A = "https://meet.example.org/room"
ROOM_A2 = "https://meet.example.org/other-room?x=1&y=2"
ROOM_B = "https://meet.example.net/room"
TEAMS = "https://teams.microsoft.com/meet/1234567890?p=abc"


def _profile(name: str, tmp_path: Path, text: str = "") -> Profile:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    if text:
        (folder / f"{name}.toml").write_text(text)
    return load_profiles(folder).get(name)


def _store(tmp_path: Path) -> ClientStore:
    root = tmp_path / "data" / "clients"
    (root / "zoom" / "6.1.0").mkdir(parents=True, exist_ok=True)
    (root / "zoom" / "state.json").write_text(json.dumps(
        {"current": "6.1.0", "last_started": None, "versions": {"6.1.0": {}}}))
    return ClientStore(root)


def _browsers(tmp_path: Path, *names: str) -> str:
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    for name in names:
        (bindir / name).write_text("#!/bin/sh\n")
        (bindir / name).chmod(0o755)
    return str(bindir)


def _setup(profile: Profile, tmp_path: Path, join: str | None = None,
           command: tuple[str, ...] = (), path: str = "") -> launch.ClientSetup:
    return launch.setup(profile, command, join, sandbox_home=HOME,
                        path=path or _browsers(tmp_path, "chromium"), store=_store(tmp_path))


def test_zoom_takes_its_own_links_as_the_vendor_argument(tmp_path: Path) -> None:
    client = _setup(_profile("zoom", tmp_path), tmp_path, ZOOM)
    second = client.handover.argv_for(links.parse(
        "zoommtg://zoom.us/join?confno=987654321&pwd=x.y"), "zoom")
    assert client.command == ("/opt/zoom/ZoomLauncher", ZOOM_ARGUMENT)
    assert second == ("/opt/zoom/ZoomLauncher",
                      "zoommtg://zoom.us/join?action=join&confno=987654321&pwd=x.y")
    # without a link at the start, the client still takes one later
    assert _setup(_profile("zoom", tmp_path), tmp_path).handover.argv_for(
        links.parse(ZOOM), "zoom") == ("/opt/zoom/ZoomLauncher", ZOOM_ARGUMENT)


@pytest.mark.parametrize("other", [TEAMS, ROOM_A])
def test_zoom_refuses_other_services(tmp_path: Path, other: str) -> None:
    handover = _setup(_profile("zoom", tmp_path), tmp_path, ZOOM).handover
    with pytest.raises(MeetingLinkError, match="takes only zoom links") as caught:
        handover.argv_for(links.parse(other), "zoom")
    assert "new session" in caught.value.hint


def test_chromium_is_run_again_on_the_same_profile_with_the_new_page(tmp_path: Path) -> None:
    client = _setup(_profile("web-meeting", tmp_path), tmp_path, ROOM_A)
    second = client.handover.argv_for(links.parse(ROOM_A2), "web-meeting")
    assert second[:-1] == client.command[:-1]  # same browser, same --user-data-dir, flags
    assert f"--user-data-dir={HOME}/.browser-profile" in second
    assert client.command[-1] == f"--app={ROOM_A}" and second[-1] == f"--app={ROOM_A2}"


def test_headless_chromium_gets_the_page_as_a_plain_argument(tmp_path: Path) -> None:
    profile = _profile("web-meeting", tmp_path, '[web]\nbrowser_args = ["--headless=new"]\n')
    second = _setup(profile, tmp_path, ROOM_A).handover.argv_for(links.parse(ROOM_A2), "w")
    assert second[-1] == ROOM_A2 and "--headless=new" in second


def test_a_web_session_takes_only_the_hosts_its_allowlist_was_made_for(tmp_path: Path) -> None:
    handover = _setup(_profile("web-meeting", tmp_path), tmp_path, ROOM_A).handover
    assert handover.hosts == ("meet.example.org",)
    with pytest.raises(MeetingLinkError, match=r"meet\.example\.net is not allowed") as caught:
        handover.argv_for(links.parse(ROOM_B), "web-meeting")
    assert "made for meet.example.org" in caught.value.summary
    assert "new session" in caught.value.hint
    with pytest.raises(MeetingLinkError, match="is a Zoom link"):
        handover.argv_for(links.parse(ZOOM), "web-meeting")


def test_a_vendor_web_profile_takes_links_to_its_own_servers(tmp_path: Path) -> None:
    handover = _setup(_profile("teams-web", tmp_path), tmp_path, TEAMS).handover
    assert handover.argv_for(links.parse(TEAMS), "teams-web")[-1] == f"--app={TEAMS}"
    with pytest.raises(MeetingLinkError, match="not allowed"):
        handover.argv_for(links.parse(ROOM_A), "teams-web")


def test_firefox_takes_no_second_link_and_says_why(tmp_path: Path) -> None:
    profile = _profile("web-meeting", tmp_path, '[web]\nbrowser = "firefox"\n')
    client = _setup(profile, tmp_path, ROOM_A, path=_browsers(tmp_path, "firefox-esr"))
    with pytest.raises(MeetingLinkError, match="session bus") as caught:
        client.handover.argv_for(links.parse(ROOM_A2), "web-meeting")
    assert "new session" in caught.value.hint


def test_a_replacing_command_gets_the_new_link_last(tmp_path: Path) -> None:
    command = ("/usr/bin/python3", "-c", "pass", "--flag")
    web = _setup(_profile("web-meeting", tmp_path), tmp_path, ROOM_A, command)
    assert web.command == (*command, ROOM_A)
    assert web.handover.argv_for(links.parse(ROOM_A2), "w") == (*command, ROOM_A2)
    zoom = _setup(_profile("zoom", tmp_path), tmp_path, ZOOM, command)
    assert zoom.handover.argv_for(links.parse(ZOOM), "zoom") == (*command, ZOOM_ARGUMENT)


def test_a_profile_without_a_meeting_client_takes_no_link(tmp_path: Path) -> None:
    client = launch.setup(_profile("generic", tmp_path), ("/bin/sh",), None, sandbox_home=HOME,
                          path=os.defpath)
    with pytest.raises(MeetingLinkError, match="runs no meeting client"):
        client.handover.argv_for(links.parse(ROOM_A), "generic")


def test_the_record_survives_json_and_a_broken_one_takes_nothing(tmp_path: Path) -> None:
    handover = _setup(_profile("web-meeting", tmp_path), tmp_path, ROOM_A).handover
    again = Handover.from_dict(json.loads(json.dumps(handover.to_dict())))
    assert again == handover
    for broken in ({}, {"argv": 3}, {**handover.to_dict(), "form": "shell"}):
        with pytest.raises(MeetingLinkError, match="unreadable"):
            Handover.from_dict(broken).argv_for(links.parse(ROOM_A), "web-meeting")


def test_shell_characters_in_an_accepted_link_stay_one_argument(tmp_path: Path) -> None:
    handover = _setup(_profile("web-meeting", tmp_path), tmp_path, ROOM_A,
                      ("/usr/bin/true",)).handover
    link = "https://meet.example.org/r~o%20om@x:y,z?a=1&id&b=2+3"
    assert handover.argv_for(links.parse(link), "w") == ("/usr/bin/true", link)
