"""What a profile's client adds to a launch: command, read-only mounts, seeded files, link."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from sandbox_launcher.backends.namespace import layout
from sandbox_launcher.backends.namespace.bwrap import Bind, FileCopy, Tmpfs
from sandbox_launcher.clients import launch
from sandbox_launcher.clients.store import ClientStore
from sandbox_launcher.core.errors import (
    ClientStoreError,
    MeetingLinkError,
    MissingTool,
    UsageError,
)
from sandbox_launcher.core.plan import SANDBOX_PATH, RunOptions
from sandbox_launcher.core.profile import Profile, load_profiles
from sandbox_launcher.session.planning import make_plan

ZOOM_LINK = "https://us02web.zoom.us/j/1234567890?pwd=abc.1"
HOME = "/home/user"


def profile(name: str, tmp_path: Path) -> Profile:
    return load_profiles(tmp_path / "no-user-profiles").get(name)


def fake_store(tmp_path: Path, version: str = "6.1.0") -> ClientStore:
    root = tmp_path / "data" / "sandbox-launcher" / "clients"
    (root / "zoom" / version).mkdir(parents=True)
    (root / "zoom" / "state.json").write_text(json.dumps(
        {"current": version, "last_started": None, "versions": {version: {}}}))
    return ClientStore(root)


def fake_browser(tmp_path: Path, name: str = "chromium") -> str:
    bindir = tmp_path / f"bin-{name}"
    bindir.mkdir(exist_ok=True)
    browser = bindir / name
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    return str(bindir)


def setup(name: str, tmp_path: Path, join: str | None = None, command: tuple[str, ...] = (),
          store: ClientStore | None = None, path: str | None = None) -> launch.ClientSetup:
    return launch.setup(profile(name, tmp_path), command, join, sandbox_home=HOME,
                        path=path if path is not None else fake_browser(tmp_path),
                        store=store or ClientStore(tmp_path / "empty-store"))


def test_zoom_not_installed_is_refused_with_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(ClientStoreError, match="not installed") as caught:
        setup("zoom", tmp_path)
    assert "sandbox-launcher client install zoom" in caught.value.hint


def test_zoom_mounts_the_current_version_read_only_and_seeds_its_settings(
        tmp_path: Path) -> None:
    store = fake_store(tmp_path)
    got = setup("zoom", tmp_path, store=store)
    assert got.command == ("/opt/zoom/ZoomLauncher",)
    assert got.mounts == ((str(store.root / "zoom" / "6.1.0"), "/opt/zoom"),)
    assert got.store_client == ("zoom", "6.1.0")
    files = dict(got.home_files)
    assert "enableWaylandShare=true" in files[".config/zoomus.conf"]


def test_zoom_link_becomes_one_zoommtg_argument(tmp_path: Path) -> None:
    got = setup("zoom", tmp_path, join=ZOOM_LINK, store=fake_store(tmp_path))
    assert got.command == ("/opt/zoom/ZoomLauncher",
                           "zoommtg://zoom.us/join?action=join&confno=1234567890&pwd=abc.1")


@pytest.mark.parametrize("link", ["https://teams.microsoft.com/meet/31234567890",
                                  "https://meet.example.org/room"])
def test_zoom_refuses_other_services_links(tmp_path: Path, link: str) -> None:
    with pytest.raises(MeetingLinkError, match="not a Zoom link"):
        setup("zoom", tmp_path, join=link, store=fake_store(tmp_path))


def test_web_profile_builds_a_fresh_confined_browser(tmp_path: Path) -> None:
    got = setup("jitsi-web", tmp_path)
    assert got.command[0].endswith("/chromium")
    assert f"--user-data-dir={HOME}/{launch.BROWSER_PROFILE}" in got.command
    assert "--disable-background-networking" in got.command
    assert got.command[-1] == "--app=https://meet.jit.si/"
    assert not any("no-sandbox" in arg for arg in got.command)
    assert got.domains == ()


def test_self_hosted_link_adds_its_host_only(tmp_path: Path) -> None:
    got = setup("bigbluebutton-web", tmp_path, join="https://bbb.example.org/b/abc-def")
    assert got.domains == ("bbb.example.org",)
    assert got.command[-1] == "--app=https://bbb.example.org/b/abc-def"


def test_link_under_an_allowed_domain_adds_nothing(tmp_path: Path) -> None:
    got = setup("jitsi-web", tmp_path, join="https://meet.jit.si/Room")
    assert got.domains == ()


def test_vendor_web_profile_refuses_foreign_hosts(tmp_path: Path) -> None:
    with pytest.raises(MeetingLinkError, match="not a link of Microsoft Teams"):
        setup("teams-web", tmp_path, join="https://meet.example.org/room")
    teams = setup("teams-web", tmp_path,
                  join="https://teams.microsoft.com/meet/31234567890?p=AbC1")
    assert teams.command[-1] == "--app=https://teams.microsoft.com/meet/31234567890?p=AbC1"


def test_zoom_link_in_a_web_profile_points_to_zoom(tmp_path: Path) -> None:
    with pytest.raises(MeetingLinkError, match="is a Zoom link") as caught:
        setup("web-meeting", tmp_path, join=ZOOM_LINK)
    assert "run zoom --join" in caught.value.hint


def test_web_meeting_needs_a_link(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="needs a meeting link"):
        setup("web-meeting", tmp_path)


def test_no_browser_installed(tmp_path: Path) -> None:
    pinned = with_keys("jitsi-web", tmp_path, **{"web.browser": "chromium"})
    with pytest.raises(MissingTool, match="chromium is not installed") as caught:
        launch.setup(pinned, (), None, sandbox_home=HOME, path=str(tmp_path / "nowhere"))
    assert "apt-get install chromium" in caught.value.hint


def test_no_browser_at_all_names_both_packages(tmp_path: Path) -> None:
    with pytest.raises(MissingTool, match="chromium or firefox-esr") as caught:
        setup("web-meeting", tmp_path, join="https://meet.example.org/x",
              path=str(tmp_path / "nowhere"))
    assert "chromium" in caught.value.hint and "firefox-esr" in caught.value.hint


def with_keys(name: str, tmp_path: Path, **keys: object) -> Profile:
    base = profile(name, tmp_path)
    return dataclasses.replace(base, values={**base.values, **keys})


def firefox_setup(tmp_path: Path, prof: Profile,
                  join: str = "https://meet.example.org/room") -> launch.ClientSetup:
    return launch.setup(prof, (), join, sandbox_home=HOME,
                        path=fake_browser(tmp_path, "firefox-esr"))


def test_auto_falls_back_to_firefox_with_a_fresh_seeded_profile(tmp_path: Path) -> None:
    got = firefox_setup(tmp_path, profile("web-meeting", tmp_path))
    assert got.command[0].endswith("/firefox-esr")
    assert got.command[1:5] == ("-no-remote", "-new-instance", "-profile",
                                f"{HOME}/{launch.BROWSER_PROFILE}")
    assert got.command[-2:] == ("--kiosk", "https://meet.example.org/room")
    user_js = dict(got.home_files)[f"{launch.BROWSER_PROFILE}/user.js"]
    for pref in ('"network.trr.mode", 5', '"app.normandy.enabled", false',
                 '"toolkit.telemetry.enabled", false', '"dom.push.enabled", false',
                 '"network.captive-portal-service.enabled", false',
                 '"browser.safebrowsing.downloads.remote.enabled", false',
                 '"app.update.auto", false'):
        assert f"user_pref({pref});  // " in user_js, pref
    assert "security.sandbox.content.level" not in user_js.replace(
        "// security.sandbox.content.level is left", "")


def test_browser_choice_and_headless_firefox(tmp_path: Path) -> None:
    both = fake_browser(tmp_path) + ":" + fake_browser(tmp_path, "firefox-esr")
    auto = launch.setup(profile("jitsi-web", tmp_path), (), None, sandbox_home=HOME,
                        path=both)
    assert auto.command[0].endswith("/chromium")
    chosen = with_keys("jitsi-web", tmp_path, **{
        "web.browser": "firefox", "web.browser_args": ["--headless", "--screenshot", "x.png"]})
    got = launch.setup(chosen, (), None, sandbox_home=HOME, path=both)
    assert got.command[0].endswith("/firefox-esr")
    assert got.command[-1] == "https://meet.jit.si/" and "--kiosk" not in got.command
    with pytest.raises(MissingTool, match="chromium is not installed"):
        launch.setup(with_keys("jitsi-web", tmp_path, **{"web.browser": "chromium"}), (),
                     None, sandbox_home=HOME, path=fake_browser(tmp_path, "firefox-esr"))


def test_firefox_sandbox_is_never_weakened_silently(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="needs nested user namespaces"):
        firefox_setup(tmp_path, with_keys("web-meeting", tmp_path,
                                          **{"sandbox.nested_userns": False}))
    with pytest.raises(UsageError, match="MOZ_DISABLE_CONTENT_SANDBOX"):
        firefox_setup(tmp_path, with_keys("web-meeting", tmp_path, **{
            "sandbox.env": {"MOZ_DISABLE_CONTENT_SANDBOX": "1"}}))


def test_pinned_client_conflicting_with_web_browser_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"web\.browser"):
        firefox_setup(tmp_path, with_keys("web-meeting", tmp_path, **{
            "client": "chromium", "web.browser": "firefox"}))


def test_user_command_gets_the_link_appended(tmp_path: Path) -> None:
    got = setup("web-meeting", tmp_path, join="https://meet.example.org/x",
                command=("/usr/bin/env", "probe"))
    assert got.command == ("/usr/bin/env", "probe", "https://meet.example.org/x")


def test_generic_profile_has_no_client_for_a_link(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no meeting client"):
        setup("generic", tmp_path, join=ZOOM_LINK, command=("x",))


def test_plan_allows_the_link_host_and_reports_the_client(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if not any(Path(d, "chromium").exists() for d in SANDBOX_PATH.split(":")):
        pytest.skip("chromium is not installed (scripts/setup.sh --with-test-tools)")
    plan = make_plan(profile("web-meeting", tmp_path),
                     RunOptions(join_url="https://meet.example.org/room"), {})
    assert plan.network.domains == ("meet.example.org",)
    assert plan.grants()["client"]["link_hosts_allowed"] == ["meet.example.org"]


def test_layout_puts_the_client_at_opt_and_the_settings_in_the_home(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = fake_store(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    plan = make_plan(profile("zoom", tmp_path), RunOptions(), {})
    host_opt = tmp_path / "opt"
    for name in ("other-vendor", "zoom"):
        (host_opt / name).mkdir(parents=True)
    options = layout.client_files(plan, opt=host_opt)
    assert options[0] == Tmpfs("/opt", 1 << 20, 0o755)
    assert Bind(str(host_opt / "other-vendor"), "/opt/other-vendor") in options
    assert not any(isinstance(o, Bind) and o.dest == "/opt/zoom" and "other" in o.src
                   for o in options)
    assert Bind(str(store.root / "zoom" / "6.1.0"), "/opt/zoom") in options
    seeded = [o for o in options if isinstance(o, FileCopy)]
    assert [o.dest for o in seeded] == [f"{HOME}/.config/zoomus.conf"]
    assert seeded[0].argv()[:3] == ["--perms", "600", "--file"]
    for option in options:
        for fd in option.fds():
            os.close(fd)
