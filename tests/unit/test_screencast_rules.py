"""The portal's ScreenCast through the proxy: which rules, when, and the restore tokens.

Pure logic; the real portal, proxy and sandbox are in
tests/integration/test_screencast_portal.py.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox_launcher.backends.namespace.environment import sandbox_env
from sandbox_launcher.core.check import Check
from sandbox_launcher.core.errors import ToolFailed, UsageError
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.profile import Profile, load_profiles
from sandbox_launcher.devices import portal
from sandbox_launcher.devices.checks import check_talk_name
from sandbox_launcher.devices.dbus_proxy import proxy_argv
from sandbox_launcher.devices.portal import (
    PORTAL_NAME,
    RestoreTokens,
    parse_strings,
    picker_notes,
    screencast_rules,
)
from sandbox_launcher.session.planning import make_plan


def test_rules_open_screencast_and_nothing_else_of_the_portal() -> None:
    rules = screencast_rules()
    assert rules == [
        "--call=org.freedesktop.portal.Desktop="
        "org.freedesktop.portal.ScreenCast.*@/org/freedesktop/portal/desktop",
        "--call=org.freedesktop.portal.Desktop="
        "org.freedesktop.DBus.Properties.Get@/org/freedesktop/portal/desktop",
        "--call=org.freedesktop.portal.Desktop="
        "org.freedesktop.portal.Request.Close@/org/freedesktop/portal/desktop/request/*",
        "--call=org.freedesktop.portal.Desktop="
        "org.freedesktop.portal.Session.Close@/org/freedesktop/portal/desktop/session/*",
        "--broadcast=org.freedesktop.portal.Desktop="
        "org.freedesktop.portal.Request.Response@/org/freedesktop/portal/desktop/request/*",
        "--broadcast=org.freedesktop.portal.Desktop="
        "org.freedesktop.portal.Session.Closed@/org/freedesktop/portal/desktop/session/*",
    ]
    for rule in rules:
        option, _, value = rule.partition("=")
        name, _, method_path = value.partition("=")
        method, _, path = method_path.partition("@")
        assert option in ("--call", "--broadcast") and name == PORTAL_NAME
        # Never a blanket rule: an interface or method, always on a path.
        assert method != "*" and path.startswith("/org/freedesktop/portal/desktop")
        # xdg-dbus-proxy reads "a.b.C" as interface a.b, method C: an interface needs ".*".
        assert method.endswith(".*") or method.rsplit(".", 1)[1][0].isupper()


def test_proxy_argv_adds_the_portal_only_with_the_grant(tmp_path: Path) -> None:
    talk = ("org.freedesktop.Notifications",)
    without = proxy_argv("/usr/bin/xdg-dbus-proxy", 5, "unix:path=/b", tmp_path / "bus", talk)
    assert without == ["/usr/bin/xdg-dbus-proxy", "--fd=5", "unix:path=/b",
                       str(tmp_path / "bus"), "--filter",
                       "--talk=org.freedesktop.Notifications"]
    with_grant = proxy_argv("/usr/bin/xdg-dbus-proxy", 5, "unix:path=/b", tmp_path / "bus",
                            talk, screencast=True)
    assert with_grant == [*without, *screencast_rules()]
    alone = proxy_argv("/usr/bin/xdg-dbus-proxy", 5, "unix:path=/b", tmp_path / "bus", (),
                       screencast=True)
    assert not any(arg.startswith(("--talk", "--see", "--own")) for arg in alone)
    assert "org.freedesktop.secrets" not in " ".join(alone)


@pytest.mark.parametrize("name", [
    "org.freedesktop.portal.Desktop", "org.freedesktop.portal.*", "org.freedesktop.*",
    "org.freedesktop.impl.portal.PermissionStore", "org.freedesktop.impl.portal.desktop.wlr",
    "org.gnome.Mutter.ScreenCast", "org.gnome.Mutter.RemoteDesktop", "org.gnome.Mutter.*"])
def test_profiles_cannot_name_the_portal_or_a_screen_recorder(name: str) -> None:
    problem = check_talk_name(name)
    assert problem and "never granted" in problem, name


def test_other_names_stay_allowed() -> None:
    for name in ("org.freedesktop.Notifications", "org.freedesktop.ScreenSaver",
                 "org.kde.StatusNotifierWatcher.*"):
        assert check_talk_name(name) is None, name


@pytest.fixture
def wayland(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A Wayland host with a session bus."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(run / "w0"))
        yield {"WAYLAND_DISPLAY": "w0", "XDG_RUNTIME_DIR": str(run), "HOME": str(tmp_path),
               "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1/bus"}


def _profile(tmp_path: Path, text: str = "") -> Profile:
    profiles = tmp_path / "profiles"
    profiles.mkdir(exist_ok=True)
    (profiles / "dev.toml").write_text(text)
    return load_profiles(profiles).get("dev")


def test_portal_grant_gives_the_proxied_bus_without_talk_names(
        tmp_path: Path, wayland: dict[str, str]) -> None:
    plan = make_plan(_profile(tmp_path), RunOptions(command=("x",), share_screen="portal"),
                     wayland)
    devices = plan.devices
    assert devices.dbus_talk == () and devices.bus_proxied
    assert devices.host_bus == "unix:path=/run/user/1/bus"
    assert sandbox_env(plan)["DBUS_SESSION_BUS_ADDRESS"].endswith("/bus")
    dbus = plan.grants()["dbus"]
    assert dbus["talk"] == [] and dbus["portal"]["name"] == PORTAL_NAME
    assert dbus["portal"]["calls"][0].startswith("org.freedesktop.portal.ScreenCast.*@")
    # Without the grant: no bus at all, and nothing of the portal in the report.
    plain = make_plan(_profile(tmp_path), RunOptions(command=("x",)), wayland)
    assert not plain.devices.bus_proxied and "DBUS_SESSION_BUS_ADDRESS" not in plain.env
    assert plain.grants()["dbus"] == "none"
    talker = make_plan(_profile(tmp_path, '[devices]\ndbus_talk = ["org.freedesktop.'
                                          'Notifications"]\n'),
                       RunOptions(command=("x",)), wayland)
    assert "portal" not in talker.grants()["dbus"]


def test_portal_grant_needs_a_session_bus(tmp_path: Path, wayland: dict[str, str]) -> None:
    host = {k: v for k, v in wayland.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    with pytest.raises(UsageError, match="no session bus"):
        make_plan(_profile(tmp_path), RunOptions(command=("x",), share_screen="portal"), host)
    # The bus at $XDG_RUNTIME_DIR/bus, as logind sets it up, is found without the variable.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as bus:
        bus.bind(str(Path(host["XDG_RUNTIME_DIR"]) / "bus"))
        plan = make_plan(_profile(tmp_path), RunOptions(command=("x",), share_screen="portal"),
                         host)
    assert plan.devices.host_bus == f"unix:path={host['XDG_RUNTIME_DIR']}/bus"


def test_parse_strings() -> None:
    reply = ('method return time=1 sender=:1.18 -> destination=:1.30 serial=29\n'
             '   array [\n      string "03d0bf3a"\n      string "b"\n   ]\n')
    assert parse_strings(reply) == ["03d0bf3a", "b"]
    assert parse_strings("   array [\n   ]\n") == []


class FakeStore:
    """The permission store's screencast table, as ``dbus-send`` would answer."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.deleted: list[str] = []

    def __call__(self, address: str, method: str, *args: str) -> str:
        if method == "List":
            return "array [\n" + "".join(f'   string "{i}"\n' for i in self.ids) + "]\n"
        assert method == "Delete" and args[0] == "string:screencast"
        token = args[1].removeprefix("string:")
        self.ids.remove(token)
        self.deleted.append(token)
        return ""


def test_restore_tokens_of_the_session_are_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    store = FakeStore(["users-own"])
    monkeypatch.setattr(portal, "_store", store)
    tokens = RestoreTokens.snapshot("unix:path=/b")
    assert tokens.before == frozenset({"users-own"})
    store.ids += ["the-clients", "another"]
    check = tokens.remove_new()
    assert store.deleted == ["another", "the-clients"] and store.ids == ["users-own"]
    assert check == Check("screen cast restore tokens removed", True, "2 removed")
    assert tokens.remove_new().detail == "the session stored none"


def test_unreadable_store_is_reported_not_guessed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(address: str, method: str, *args: str) -> str:
        raise ToolFailed("dbus-send failed with exit status 1", "",
                         details="$ dbus-send …\nError org.freedesktop.DBus.Error.NoReply")

    monkeypatch.setattr(portal, "_store", broken)
    tokens = RestoreTokens.snapshot("unix:path=/b")
    assert tokens.before is None and "NoReply" in tokens.problem
    check = tokens.remove_new()
    assert check.ok is False and "may remain" in check.detail


def _wlr_host(tmp_path: Path, config: str | None, *, choosers: tuple[str, ...] = ()) -> dict[
        str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for program in choosers:
        (bin_dir / program).write_text("#!/bin/sh\n")
        (bin_dir / program).chmod(0o755)
    home = tmp_path / "home"
    if config is not None:
        (home / ".config" / "xdg-desktop-portal-wlr").mkdir(parents=True, exist_ok=True)
        (home / ".config" / "xdg-desktop-portal-wlr" / "config").write_text(config)
    return {"XDG_CURRENT_DESKTOP": "sway", "HOME": str(home), "PATH": str(bin_dir),
            "XDG_CONFIG_DIRS": str(tmp_path / "etc-xdg")}


def test_picker_notes_warn_where_wlr_would_not_ask(tmp_path: Path) -> None:
    # No chooser configured and none installed: xdpw shares the first output silently.
    (silent,) = picker_notes(_wlr_host(tmp_path, None))
    assert "without asking" in silent and "slurp" in silent
    assert picker_notes(_wlr_host(tmp_path, None, choosers=("wofi",))) == []
    (none,) = picker_notes(_wlr_host(
        tmp_path, "[screencast]\nchooser_type=none\noutput_name=DP-1\n", choosers=("slurp",)))
    assert "chooser_type=none" in none and "DP-1" in none
    assert picker_notes(_wlr_host(
        tmp_path, "[screencast]\nchooser_type=simple\nchooser_cmd=slurp -f %o -or\n")) == []
    # Other desktops decide with their own dialogs: nothing to say.
    gnome = {**_wlr_host(tmp_path, None), "XDG_CURRENT_DESKTOP": "GNOME"}
    assert picker_notes(gnome) == [] and picker_notes({}) == []


def test_plan_notes_the_silent_picker(tmp_path: Path, wayland: dict[str, str]) -> None:
    host = {**wayland, "XDG_CURRENT_DESKTOP": "sway", "PATH": str(tmp_path / "nothing")}
    plan = make_plan(_profile(tmp_path), RunOptions(command=("x",), share_screen="portal"),
                     host)
    assert any("without asking" in note for note in plan.notes)


def test_a_bus_without_permission_store_has_no_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    def absent(address: str, method: str, *args: str) -> str:
        raise ToolFailed("dbus-send failed with exit status 1", "", details=(
            "$ dbus-send …\nError org.freedesktop.DBus.Error.ServiceUnknown: The name "
            "org.freedesktop.impl.portal.PermissionStore was not provided by any .service "
            "files"))

    monkeypatch.setattr(portal, "_store", absent)
    tokens = RestoreTokens.snapshot("unix:path=/b")
    assert tokens.before == frozenset()
    assert tokens.remove_new() == Check("screen cast restore tokens removed", True,
                                        "the session stored none")
