"""Device grants decided at plan time: share folders, cameras, D-Bus names, display, policy."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from sandbox_launcher.backends.namespace.environment import sandbox_env
from sandbox_launcher.backends.namespace.layout import device_view
from sandbox_launcher.core.errors import ProfileError, UsageError
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.policy import DevicePolicy, Policy, load_policy
from sandbox_launcher.core.profile import Profile, load_profiles
from sandbox_launcher.devices import window_manager, xauth
from sandbox_launcher.devices.camera import CameraFinder
from sandbox_launcher.devices.checks import check_talk_name
from sandbox_launcher.devices.dbus_proxy import proxy_argv
from sandbox_launcher.devices.host import Link, Mount
from sandbox_launcher.devices.share import collect_downloads, parse_share
from sandbox_launcher.session.planning import make_plan


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home" / "alice"
    (path / "Meeting").mkdir(parents=True)
    (path / ".ssh").mkdir()
    return path


def test_share_is_read_only_unless_rw(home: Path) -> None:
    assert not parse_share(str(home / "Meeting"), str(home)).writable
    grant = parse_share(f"{home / 'Meeting'}:rw", str(home))
    assert grant.writable and grant.host == str(home / "Meeting")
    assert grant.to_dict()["inside"] == "/home/user/Shared"


@pytest.mark.parametrize(("spec", "why"), [
    ("{home}/missing", "no such file"),
    ("{home}", "your home folder"),
    ("{home}/", "your home folder"),
    ("/", "whole file system"),
    ("{parent}", "contains your home"),
    ("{home}/.ssh", "settings and keys"),
    ("{home}/link-to-home", "your home folder (it leads to"),
    ("{home}/Meeting/up:rw", "contains your home"),
    ("/etc", "system folder /etc"),
    ("{home}/file.txt", "not a folder"),
])
def test_share_refusals(home: Path, spec: str, why: str) -> None:
    (home / "link-to-home").symlink_to(home)
    (home / "Meeting" / "up").symlink_to(home.parent)
    (home / "file.txt").write_text("x")
    with pytest.raises(UsageError) as caught:
        parse_share(spec.format(home=home, parent=home.parent), str(home))
    assert why in caught.value.summary and caught.value.hint


def test_share_forbidden_by_policy(home: Path) -> None:
    with pytest.raises(UsageError, match="system policy forbids"):
        parse_share(str(home / "Meeting"), str(home), forbidden=[str(home / "Meeting")])
    with pytest.raises(UsageError, match="system policy forbids"):  # a parent of it, too
        parse_share(str(home / "Meeting"), str(home), forbidden=[str(home / "Meeting/x")])


def test_downloads_discarded_or_kept(tmp_path: Path) -> None:
    root = tmp_path / "dl"
    (root / "sub").mkdir(parents=True)
    (root / "a.pdf").write_text("one")
    (root / "sub" / "b.txt").write_text("two")
    (root / "evil").symlink_to("/etc/passwd")
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "a.pdf").write_text("older")
    report = collect_downloads(root, str(keep))
    assert [f["name"] for f in report["files"]] == ["a.pdf", "sub/b.txt"]
    assert report["skipped_not_regular"] == ["evil"]
    assert (keep / "a.1.pdf").read_text() == "one" and (keep / "a.pdf").read_text() == "older"
    assert (keep / "sub" / "b.txt").read_text() == "two" and not root.exists()
    (root).mkdir()
    (root / "c").write_text("x")
    gone = collect_downloads(root, None)
    assert gone["discarded"] and gone["files"] == [{"name": "c", "bytes": 1}]
    assert not root.exists()


def _fake_sysfs(tmp_path: Path) -> CameraFinder:
    sysfs = tmp_path / "video4linux"
    for name, card, dev, index in (("video0", "Integrated Camera", "81:0", "0"),
                                   ("video1", "Integrated Camera", "81:1", "1"),
                                   ("video10", "USB Cam", "81:10", "0")):
        (sysfs / name).mkdir(parents=True)
        (sysfs / name / "name").write_text(card + "\n")
        (sysfs / name / "dev").write_text(dev + "\n")
        (sysfs / name / "index").write_text(index + "\n")
    return CameraFinder(sysfs=sysfs, dev=tmp_path / "dev")


def test_cameras_are_listed_from_sysfs_in_order(tmp_path: Path) -> None:
    cameras = _fake_sysfs(tmp_path).list()
    assert [c.name for c in cameras] == ["video0", "video1", "video10"]
    assert cameras[2].card == "USB Cam" and (cameras[2].major, cameras[2].minor) == (81, 10)
    assert cameras[0].node == str(tmp_path / "dev" / "video0")


def test_camera_refusals(tmp_path: Path) -> None:
    finder = _fake_sysfs(tmp_path)
    with pytest.raises(UsageError, match="no camera 'video7'"):
        finder.resolve("video7")
    with pytest.raises(UsageError, match="is missing"):  # listed, but its node is gone
        finder.resolve("video0")
    with pytest.raises(UsageError, match="not a video device"):
        finder.resolve("/dev/null")
    with pytest.raises(UsageError, match="no camera"):
        finder.resolve(str(tmp_path / "nothing"))


@pytest.mark.parametrize("name", ["org.freedesktop.Notifications", "org.example.Thing.*",
                                  "org.kde.StatusNotifierWatcher"])
def test_dbus_names_allowed(name: str) -> None:
    assert check_talk_name(name) is None


@pytest.mark.parametrize(("name", "why"), [
    ("org.freedesktop.secrets", "passwords"),
    ("org.freedesktop.*", "org.freedesktop.secrets"),
    ("org.*", "not a D-Bus name"),  # a prefix needs two elements
    ("*", "whole bus"),
    ("", "not a D-Bus name"),
    ("org.freedesktop.systemd1", "outside the sandbox"),
    ("com.*", "not a D-Bus name"),
    ("org.freedesktop.secrets.collection", "never granted"),
])
def test_dbus_names_refused(name: str, why: str) -> None:
    problem = check_talk_name(name)
    assert problem is not None and why in problem


def test_proxy_argv_filters_and_refuses_secrets(tmp_path: Path) -> None:
    argv = proxy_argv("xdg-dbus-proxy", 5, "unix:path=/b", tmp_path / "bus",
                      ("org.freedesktop.Notifications",))
    assert argv[1:] == ["--fd=5", "unix:path=/b", str(tmp_path / "bus"), "--filter",
                        "--talk=org.freedesktop.Notifications"]
    with pytest.raises(ValueError, match="never granted"):
        proxy_argv("p", 5, "a", tmp_path, ("org.freedesktop.secrets",))


def test_xauth_round_trip(tmp_path: Path) -> None:
    entry = xauth.wild_cookie(0, b"\x01" * 16)
    host = xauth.XauthEntry(256, b"myhost", b"5", xauth.MIT_COOKIE, b"\x02" * 16)
    path = tmp_path / "Xauthority"
    path.write_bytes(host.pack() + entry.pack() + b"\x00")  # a truncated tail is ignored
    assert xauth.parse(path.read_bytes()) == [host, entry]
    assert xauth.host_cookie(path, "5") == b"\x02" * 16 and xauth.host_cookie(path, "7") is None


def _profile(tmp_path: Path, text: str = "") -> Profile:
    profiles = tmp_path / "profiles"
    profiles.mkdir(exist_ok=True)
    (profiles / "dev.toml").write_text(text)
    return load_profiles(profiles).get("dev")


def test_isolated_display_is_the_default_on_x11(tmp_path: Path) -> None:
    plan = make_plan(_profile(tmp_path), RunOptions(command=("x",)),
                     {"DISPLAY": ":3", "HOME": str(tmp_path)})
    assert plan.devices.display.mode == "isolated" and plan.devices.display.host_number == "3"
    env = sandbox_env(plan)
    assert env["DISPLAY"] == ":0" and env["XAUTHORITY"].endswith("/Xauthority")
    assert plan.grants()["display"].startswith("isolated")
    headless = make_plan(_profile(tmp_path), RunOptions(command=("x",)), {})
    assert headless.devices.display.mode == "none" and "DISPLAY" not in sandbox_env(headless)
    assert any("no display" in note for note in headless.notes)


def test_a_browsers_nested_display_is_filled_others_get_a_window_manager(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    host = {"DISPLAY": ":3", "HOME": str(tmp_path)}
    web = make_plan(_profile(tmp_path, 'client = "browser"\n'), RunOptions(command=("x",)),
                    host)
    own = make_plan(_profile(tmp_path), RunOptions(command=("x",)), host)
    assert web.devices.display.fill and not own.devices.display.fill
    assert own.devices.display.window_manager and not web.devices.display.window_manager
    monkeypatch.setattr(window_manager, "binary", lambda: "/usr/bin/openbox")
    assert window_manager.wanted(own.devices.display)
    assert not window_manager.wanted(web.devices.display)
    assert window_manager.note(own.devices.display) is None
    monkeypatch.setattr(window_manager, "binary", lambda: None)  # openbox not installed
    assert "install the package openbox" in (window_manager.note(own.devices.display) or "")
    assert window_manager.note(web.devices.display) is None
    config = (Path(window_manager.__file__).parents[1] / "resources" / "openbox" / "rc.xml"
              ).read_bytes()
    assert b"<mouse>" in config  # title bars and borders work
    assert b"Execute" not in config and b"ShowMenu" not in config  # it starts nothing
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    with socket.socket(socket.AF_UNIX) as compositor:
        compositor.bind(str(runtime / "wayland-0"))
        wayland = make_plan(_profile(tmp_path, 'client = "browser"\n'),
                            RunOptions(command=("x",)),
                            {**host, "WAYLAND_DISPLAY": "wayland-0",
                             "XDG_RUNTIME_DIR": str(runtime)})
    assert wayland.devices.display.wayland and not wayland.devices.display.fill
    assert not wayland.devices.display.window_manager


def test_policy_forbids_grants(tmp_path: Path, home: Path) -> None:
    strict = Policy(devices=DevicePolicy(allow_camera=False, allow_share=False,
                                         allow_host_x11=False, allow_dbus=False))
    host = {"DISPLAY": ":3", "HOME": str(home), "DBUS_SESSION_BUS_ADDRESS": "unix:path=/b"}
    cases = [
        (_profile(tmp_path), RunOptions(command=("x",), camera="video0"), "--camera"),
        (_profile(tmp_path), RunOptions(command=("x",), shares=(str(home / "Meeting"),)),
         "--share"),
        (_profile(tmp_path, '[devices]\ndisplay = "insecure_host_x11"\n'),
         RunOptions(command=("x",)), "insecure_host_x11"),
        (_profile(tmp_path, '[devices]\ndbus_talk = ["org.freedesktop.Notifications"]\n'),
         RunOptions(command=("x",)), "dbus_talk"),
    ]
    for profile, options, flag in cases:
        with pytest.raises(UsageError, match="forbidden by the system policy") as caught:
            make_plan(profile, options, host, strict)
        assert flag in caught.value.summary


def test_profile_refuses_secrets_and_the_whole_bus(tmp_path: Path) -> None:
    for talk in ('"org.freedesktop.secrets"', '"*"'):
        profiles = tmp_path / talk.strip('"*') / "p"
        profiles.mkdir(parents=True)
        (profiles / "bad.toml").write_text(f"[devices]\ndbus_talk = [{talk}]\n")
        found = load_profiles(profiles)
        assert "bad" not in found.profiles and found.broken
        assert "devices.dbus_talk" in found.broken[0].summary


def test_policy_file_device_keys(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[devices]\nallow_camera = false\nforbid_share = ["/srv/secret"]\n')
    policy = load_policy(path)
    assert policy.devices.allow_camera is False and policy.devices.forbid_share == ("/srv/secret",)
    path.write_text("[devices]\nallow_camera = 1\n")
    with pytest.raises(ProfileError, match="true or false"):
        load_policy(path)
    path.write_text("[devices]\nallow_microwave = true\n")
    with pytest.raises(ProfileError, match="unknown key"):
        load_policy(path)


def test_device_view_renders_bwrap_options() -> None:
    fd = os.open("/", os.O_PATH)
    try:
        argv = [a for option in device_view([
            Mount("/dev/video0", "/dev/video0", kind="dev"),
            Mount("/home/user/Shared", fd=fd, kind="ro"),
            Mount("/home/user/Downloads", "/run/x/downloads", kind="rw"),
            Link("/sys/devices/v", "/sys/class/video4linux/video0"),
        ]) for a in option.argv()]
    finally:
        os.close(fd)
    assert argv == ["--dev-bind", "/dev/video0", "/dev/video0",
                    "--ro-bind-fd", str(fd), "/home/user/Shared",
                    "--bind", "/run/x/downloads", "/home/user/Downloads",
                    "--symlink", "/sys/devices/v", "/sys/class/video4linux/video0"]
