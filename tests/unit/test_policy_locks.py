"""The system policy's locks: no profile file, flag or environment gets around them.

Every profile key is lockable (the policy schema is derived from the profile schema),
so the tests run over every key: a user profile sets one value, the policy another,
and what reaches the plan is the policy's. The command-line flags and the device
switches are run through the real ``main()`` with the policy passed in, which stops
before anything is started.
"""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from sandbox_launcher.cli.main import main
from sandbox_launcher.core import profile_write, schema
from sandbox_launcher.core.errors import LauncherError, PolicyRefused, ProfileError
from sandbox_launcher.core.fields import Field
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.policy import SystemFiles, load_policy
from sandbox_launcher.core.policy_apply import apply_policy
from sandbox_launcher.session import launch
from sandbox_launcher.session.planning import plan_launch, profiles_under_policy

#: Two valid values of each key that bool/choice/size alone cannot make up.
_SAMPLES: dict[str, tuple[Any, Any]] = {
    "title": ("Mine", "Theirs"), "description": ("a", "b"), "client": ("none", "browser"),
    "command": (["/bin/echo", "mine"], ["/bin/echo", "admin"]),
    "sandbox.seccomp_allow": (["ptrace"], []), "sandbox.env": ({"A": "1"}, {"B": "2"}),
    "sandbox.pass_env": (["SECRET_TOKEN"], []),
    "network.domains": (["mine.example.org"], ["admin.example.org"]),
    "network.cidrs": (["192.0.2.0/24"], ["198.51.100.0/24"]),
    "network.ports": (["tcp/8443"], ["tcp/443"]), "network.vendor_ranges": (["zoom"], []),
    "network.allow_countries": (["FR"], ["DE"]), "network.deny_countries": ([], ["KP"]),
    "devices.display_size": ("1024x768", "800x600"),
    "devices.dbus_talk": (["org.freedesktop.Notifications"], []),
    "sandbox.home_files": ({".a": "mine"}, {}), "web.url": ("https://a.example.org/", ""),
    "web.browser_args": (["--mine"], []),
    "signin_paths": ([".mine"], [".config/admin"]),
}


def _two(fld: Field) -> tuple[Any, Any]:
    if fld.kind == "bool":
        return True, False
    if fld.kind == "choice":
        return fld.choices[-1], fld.choices[0]
    if fld.kind == "size":
        return "3M", "2M"
    return _SAMPLES[fld.key]


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SystemFiles:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    # A unit test starts no sandbox: a launch that gets past planning stops here.
    monkeypatch.setattr(launch, "Session", _NoLaunch)
    return SystemFiles(policy=tmp_path / "etc" / "policy.toml",
                       admin_profiles=tmp_path / "etc" / "profiles")


def _write(path: Path, values: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(profile_write.dump(values), encoding="utf-8")
    return path


def _user_dir(files: SystemFiles) -> Path:
    return files.policy.parent.parent / "config" / "sandbox-launcher" / "profiles"


def test_every_field_has_samples() -> None:
    for fld in schema.FIELDS:
        mine, theirs = _two(fld)
        assert mine != theirs
        assert schema.check_value(fld.key, mine) is None, fld.key
        assert schema.check_value(fld.key, theirs) is None, fld.key


@pytest.mark.parametrize("key", [f.key for f in schema.FIELDS])
def test_profile_file_cannot_override_a_lock(files: SystemFiles, key: str) -> None:
    mine, theirs = _two(schema.FIELDS_BY_KEY[key])
    _write(files.policy, {f"lock.{key}": theirs})
    _write(_user_dir(files) / "mine.toml", {key: mine})
    policy, found = profiles_under_policy(files)
    assert found.profiles["mine"][key] == theirs
    assert any(key in note and "administrator" in note for note in found.profiles["mine"].notes)
    # And again where the launch is planned, with nothing asked for the launch itself.
    profile, _notes = apply_policy(found.get("mine"), RunOptions(), policy)
    assert profile[key] == theirs
    assert str(files.policy) in policy.constraints[key].describe()


def test_a_lock_holds_over_the_admin_layer_and_builtins(files: SystemFiles) -> None:
    _write(files.policy, {"lock.network.mode": "none", "lock.sandbox.home_size": "64M"})
    _write(files.admin_profiles / "zoom.toml", {"network.mode": "allowlist"})
    _, found = profiles_under_policy(files)
    assert {p["network.mode"] for p in found.profiles.values()} == {"none"}
    assert {p["sandbox.home_size"] for p in found.profiles.values()} == {"64M"}


@pytest.mark.parametrize(("policy", "args", "words"), [
    ({"lock.backend": "namespace"}, ["--backend", "vm"], "backend cannot be 'vm'"),
    ({"allow.backend": ["namespace"]}, ["--backend", "vm"], "only namespace"),
    ({"lock.network.mode": "none"}, ["--network", "allowlist"], "network.mode cannot be"),
    ({"network.forbid_additions": True}, ["--network", "allowlist"], "forbids adding"),
    ({"lock.command": ["/bin/true"]}, [], "command cannot be"),
    ({"devices.allow_camera": False}, ["--camera", "video0"], "--camera is forbidden"),
    ({"devices.allow_mic": False}, ["--mic"], "system policy never grants the microphone"),
    ({"devices.allow_share": False}, ["--share", "/tmp"], "--share is forbidden"),
    ({"devices.forbid_share": ["{tmp}"]}, ["--share", "{tmp}/x"], "system policy forbids"),
    ({"devices.allow_keep_downloads": False}, ["--keep-downloads", "/tmp"],
     "forbidden by the system policy"),
    ({"devices.allow_screen_share": False}, ["--share-screen"],
     "forbidden by the system policy"),
])
def test_command_line_flag_cannot_override(files: SystemFiles, policy: dict[str, Any],
                                           args: list[str], words: str,
                                           tmp_path: Path) -> None:
    (tmp_path / "share" / "x").mkdir(parents=True)
    args = [a.replace("{tmp}", str(tmp_path / "share")) for a in args]
    policy = json.loads(json.dumps(policy).replace("{tmp}", str(tmp_path / "share")))
    _write(files.policy, policy)
    err = io.StringIO()
    status = main(["run", "generic", *args, "--", "/bin/echo", "hello"], io.StringIO(), err,
                  system=files)
    assert status == 125, err.getvalue()
    assert words in err.getvalue()
    assert "reached the launch" not in err.getvalue()
    # Control: the same launch without the policy gets past the lock (it may stop for a
    # reason of this host, such as no camera, but not for the policy).
    files.policy.unlink()
    err = io.StringIO()
    main(["run", "generic", *args, "--", "/bin/echo", "hello"], io.StringIO(), err,
         system=files)
    assert words not in err.getvalue() and "policy" not in err.getvalue()


class _NoLaunch:
    """Stands in for the session: planning is over when it is made."""

    def __init__(self, *_args: object, **_kwargs: object) -> None:
        raise LauncherError("reached the launch")


def test_host_x11_switch_refuses_the_profile_choice(files: SystemFiles) -> None:
    _write(files.policy, {"devices.allow_host_x11": False})
    _write(_user_dir(files) / "x11.toml", {"devices.display": "insecure_host_x11",
                                           "command": ["/bin/true"]})
    with pytest.raises(PolicyRefused, match=r"devices\.display") as info:
        plan_launch("x11", RunOptions(), files)
    assert str(files.policy) in info.value.summary


def test_allowed_lists_and_ceilings(files: SystemFiles) -> None:
    _write(files.policy, {"allow.network.domains": ["*.zoom.us", "zoom.us"],
                          "max.sandbox.home_size": "256M"})
    _write(_user_dir(files) / "zoom.toml", {"network.domains": ["zoom.us", "evil.example"],
                                            "sandbox.home_size": "4G"})
    _, found = profiles_under_policy(files)
    assert found.profiles["zoom"]["network.domains"] == ["zoom.us"]
    assert found.profiles["zoom"]["sandbox.home_size"] == 256 << 20


def test_network_additions_of_user_files_are_ignored(files: SystemFiles) -> None:
    _write(files.policy, {"network.forbid_additions": True})
    _write(_user_dir(files) / "zoom.toml", {"network.domains": ["evil.example.org"],
                                            "title": "My Zoom"})
    _write(_user_dir(files) / "web-meeting.toml", {"web.any_host": True})
    _, found = profiles_under_policy(files)
    assert "evil.example.org" not in found.profiles["zoom"]["network.domains"]
    assert found.profiles["zoom"].title == "My Zoom"
    assert found.profiles["web-meeting"]["web.any_host"] is False


def test_environment_cannot_override(files: SystemFiles, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    """The user's environment moves the user's files, never the administrator's locks."""
    _write(files.policy, {"lock.sandbox.pass_env": [], "lock.backend": "namespace",
                          "lock.sandbox.env": {}})
    elsewhere = tmp_path / "elsewhere"
    _write(elsewhere / "sandbox-launcher" / "profiles" / "mine.toml", {
        "command": ["/bin/true"], "sandbox.pass_env": ["SECRET_TOKEN"], "backend": "vm",
        "sandbox.env": {"LEAK": "1"}})
    monkeypatch.setenv("XDG_CONFIG_HOME", str(elsewhere))
    monkeypatch.setenv("SECRET_TOKEN", "s3cret")
    # Names a policy path could be moved with, if anything read them: nothing does.
    _write(tmp_path / "empty.toml", {})
    for name in ("SANDBOX_LAUNCHER_POLICY", "SANDBOX_LAUNCHER_POLICY_PATH",
                 "SANDBOX_LAUNCHER_SYSTEM_DIR"):
        monkeypatch.setenv(name, str(tmp_path / "empty.toml"))
    profile, plan = plan_launch("mine", RunOptions(), files, host_env={"SECRET_TOKEN": "x"})
    assert profile["sandbox.pass_env"] == [] and "SECRET_TOKEN" not in plan.env
    assert "LEAK" not in plan.env and plan.backend == "namespace"
    # The default system files are /etc's, whatever the environment says.
    assert SystemFiles().policy == Path("/etc/sandbox-launcher/policy.toml")


def test_admin_profiles_appear_and_user_profiles_hide(files: SystemFiles) -> None:
    _write(files.admin_profiles / "corp-meet.toml", {"title": "Corporate meeting",
                                                     "command": ["/bin/true"]})
    _write(_user_dir(files) / "mine.toml", {"command": ["/bin/true"]})
    _write(_user_dir(files) / "zoom.toml", {"title": "Changed by user"})
    _, found = profiles_under_policy(files)
    assert found.profiles["corp-meet"].admin and "mine" in found.profiles
    assert found.profiles["zoom"].title == "Changed by user"
    out = io.StringIO()
    main(["profiles"], out, io.StringIO(), system=files)
    lines = {line.split()[0]: line for line in out.getvalue().splitlines()}
    assert lines["corp-meet"].endswith("(admin)") and lines["mine"].endswith("(user)")
    assert lines["zoom"].endswith("(built-in, changed by user)")
    _write(files.policy, {"profiles.hide_user": True})
    _, hidden = profiles_under_policy(files)
    assert "corp-meet" in hidden.profiles and "mine" not in hidden.profiles
    assert hidden.profiles["zoom"].title != "Changed by user"
    out = io.StringIO()
    main(["profiles", "--json"], out, io.StringIO(), system=files)
    names = {p["name"] for p in json.loads(out.getvalue())["profiles"]}
    assert "corp-meet" in names and "mine" not in names
    _write(files.policy, {"profiles.only": ["corp-meet", "zoom"]})
    _, only = profiles_under_policy(files)
    assert set(only.profiles) == {"corp-meet", "zoom"}
    err = io.StringIO()
    assert main(["run", "generic", "--", "/bin/true"], io.StringIO(), err,
                system=files) == 125
    assert "no profile called 'generic'" in err.getvalue()


def test_old_policy_files_still_load(tmp_path: Path) -> None:
    path = _write(tmp_path / "policy.toml", {})
    path.write_text('[network]\ndeny_countries = ["KP"]\nallow_countries = ["DE", "FR"]\n'
                    'country_overrides = { "203.0.113.0/24" = "KP" }\n[devices]\n'
                    'allow_camera = false\nforbid_share = ["/srv/secret"]\n'
                    'allow_host_x11 = false\nallow_dbus = false\nallow_keep_downloads = false\n'
                    'allow_mic = false\nallow_screen_share = false\nallow_share = true\n')
    policy = load_policy(path)
    assert policy.allow_countries == ("DE", "FR") and not policy.devices.allow_mic
    assert policy.constraints["devices.dbus_talk"].value == []


@pytest.mark.parametrize(("text", "key", "line"), [
    ("[lock]\nbackend = \"kvm\"\n", "lock.backend", 2),
    ("[lock.network]\n\nmode = 3\n", "lock.network.mode", 3),
    ("[lock]\nnosuch = 1\n", "lock.nosuch", 2),
    ("[allow]\nbackend = [\"namespace\", \"xen\"]\n", "allow.backend", 2),
    ("[max.sandbox]\nhome_size = \"lots\"\n", "max.sandbox.home_size", 2),
    ("[profiles]\nhide_user = \"yes\"\n", "profiles.hide_user", 2),
    ("[vm]\npool_size = 99\n", "vm.pool_size", 2),
    ("[devices]\nforbid_share = [\"relative\"]\n", "devices.forbid_share", 2),
    ("[lock]\nbackend = \"namespace\"\nmode = = 1\n", "", 3),  # not TOML at all
    ("[allow]\nbackend = [\"namespace\"]\n[lock]\nbackend = \"vm\"\n", "lock.backend", 4),
])
def test_broken_policy_names_file_line_key(tmp_path: Path, text: str, key: str,
                                           line: int) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(ProfileError) as info:
        load_policy(path)
    assert (info.value.path, info.value.line, info.value.key) == (str(path), line, key)
    assert "administrator" in info.value.hint and "policy check" in info.value.hint


def test_policy_check_and_show(files: SystemFiles, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[lock]\nbackend = \"kvm\"\n[devices]\nallow_camera = 1\n")
    out = io.StringIO()
    assert main(["policy", "check", str(bad)], out, io.StringIO(), system=files) == 1
    assert f"{bad}:2 [lock.backend]" in out.getvalue()
    assert f"{bad}:4 [devices.allow_camera]" in out.getvalue()  # every problem, not the first
    _write(files.policy, {"lock.backend": "namespace", "devices.allow_mic": False})
    out = io.StringIO()
    assert main(["policy", "check"], out, io.StringIO(), system=files) == 0
    out = io.StringIO()
    assert main(["policy", "show", "--json"], out, io.StringIO(), system=files) == 0
    shown = json.loads(out.getvalue())
    assert shown["settings"]["devices.allow_mic"] == {"value": False,
                                                     "from": f"{files.policy}:7"}
    assert shown["settings"]["devices.allow_camera"]["from"] == "default"
    assert shown["locks"]["backend"]["value"] == "namespace"
    assert shown["locks"]["backend"]["from"] == f"{files.policy}:4"


def test_broken_policy_blocks_the_launch(files: SystemFiles) -> None:
    files.policy.parent.mkdir(parents=True)
    files.policy.write_text("[lock]\nbackend = \"namespace\"\nnetwork = 1\n")
    err = io.StringIO()
    assert main(["run", "generic", "--", "/bin/true"], io.StringIO(), err,
                system=files) == 125
    assert f"{files.policy}:3 [lock.network]" in err.getvalue()
    assert "what to do: ask your administrator" in err.getvalue()


def test_a_link_adds_no_host_beyond_the_allowed_names(files: SystemFiles) -> None:
    _write(files.policy, {"allow.network.domains": ["meet.example.org"]})
    _write(_user_dir(files) / "room.toml", {
        "client": "browser", "network.mode": "allowlist", "web.any_host": True,
        "network.domains": ["meet.example.org"]})
    _, plan = plan_launch("room", RunOptions(command=("/bin/echo",),
                                             join_url="https://meet.example.org/a"),
                          files, host_env={})
    assert plan.network.domains == ("meet.example.org",)  # control: the allowed host
    with pytest.raises(PolicyRefused, match=r"other\.example\.org"):
        plan_launch("room", RunOptions(command=("/bin/echo",),
                                       join_url="https://other.example.org/a"),
                    files, host_env={})
    files.policy.unlink()  # control: without the policy the link's host is added
    _, plan = plan_launch("room", RunOptions(command=("/bin/echo",),
                                             join_url="https://other.example.org/a"),
                          files, host_env={})
    assert "other.example.org" in plan.network.domains


def test_the_editor_never_writes_the_administrators_value(files: SystemFiles) -> None:
    from sandbox_launcher.session.service import SessionService

    _write(files.policy, {"lock.backend": "namespace"})
    user = _user_dir(files)
    _write(user / "mine.toml", {"command": ["/bin/true"], "backend": "vm"})
    service = SessionService(profiles_dir=user, policy_path=files.policy,
                             admin_profiles=files.admin_profiles)
    shown = service.profiles().get("mine").values  # what the editor shows: the lock
    assert shown["backend"] == "namespace"
    service.save_profile("mine", shown | {"sandbox.home_size": "3G"})
    saved = tomllib.loads((user / "mine.toml").read_text())
    assert saved["backend"] == "vm" and saved["sandbox"] == {"home_size": "3G"}
    service.save_profile("fresh", shown)
    assert "backend" not in tomllib.loads((user / "fresh.toml").read_text())
    assert service.locked_fields()["backend"].startswith("namespace (set by your administrator")


@pytest.mark.parametrize(("flag", "key"), [("--backend", "backend"),
                                           ("--network", "network.mode")])
def test_cli_choices_come_from_the_schema(flag: str, key: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "generic", flag, "nosuch"], io.StringIO(), io.StringIO())
    choices = schema.FIELDS_BY_KEY[key].choices
    assert f"(choose from {', '.join(repr(c) for c in choices)})" in capsys.readouterr().err


def test_ranges_vendors_come_from_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ranges", "refresh", "nosuch"], io.StringIO(), io.StringIO())
    assert f"choose from {', '.join(repr(v) for v in schema.VENDORS)}" in (
        capsys.readouterr().err)


def test_every_front_end_plans_through_the_policy() -> None:
    """The lock is applied in one place: nothing but session/planning.py calls make_plan."""
    package = Path(__file__).parents[2] / "sandbox_launcher"
    callers = {str(p.relative_to(package)) for p in package.rglob("*.py")
               if "make_plan(" in p.read_text(encoding="utf-8")}
    assert callers == {"session/planning.py"}
