"""LaunchPlan: what a session grants, decided from profile + options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox_launcher.backends.namespace.environment import sandbox_env
from sandbox_launcher.core.devices import DevicePlan
from sandbox_launcher.core.errors import UsageError
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.policy import SystemFiles
from sandbox_launcher.core.profile import Profile, load_profiles
from sandbox_launcher.session.launch import Launcher
from sandbox_launcher.session.planning import make_plan


def _profile(name: str, tmp_path: Path) -> Profile:
    return load_profiles(tmp_path).get(name)


@pytest.fixture(autouse=True)
def _zoom_in_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The zoom profile needs Zoom in the client store: a stand-in entry in a private one."""
    data = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    zoom = data / "sandbox-launcher" / "clients" / "zoom"
    (zoom / "1.0").mkdir(parents=True)
    (zoom / "state.json").write_text(json.dumps(
        {"current": "1.0", "last_started": None, "versions": {"1.0": {}}}))


def test_environment_is_an_allowlist(tmp_path: Path) -> None:
    host = {"LANG": "de_DE.UTF-8", "LC_TIME": "C", "SSH_AUTH_SOCK": "/run/ssh",
            "DISPLAY": ":0", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/bus",
            "HOME": "/home/alice", "SECRET_TOKEN": "x", "PATH": "/home/alice/bin:/usr/bin"}
    plan = make_plan(_profile("generic", tmp_path), RunOptions(command=("/bin/true",)), host)
    assert sandbox_env(plan)["LANG"] == "de_DE.UTF-8" and sandbox_env(plan)["LC_TIME"] == "C"
    for leaked in ("SSH_AUTH_SOCK", "DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "SECRET_TOKEN"):
        assert leaked not in sandbox_env(plan)
    env = sandbox_env(plan)
    assert env["HOME"] == "/home/user" and "/home/alice" not in env["PATH"]
    assert "HOME" not in plan.env and "XDG_RUNTIME_DIR" not in plan.env  # the backend's


def test_nested_userns_also_allows_chroot(tmp_path: Path) -> None:
    zoom = make_plan(_profile("zoom", tmp_path), RunOptions(), {})
    generic = make_plan(_profile("generic", tmp_path), RunOptions(command=("x",)), {})
    assert zoom.nested_userns and "chroot" not in zoom.denied_syscalls
    assert not generic.nested_userns and "chroot" in generic.denied_syscalls
    assert "ptrace" in zoom.denied_syscalls


def test_network_plan_of_zoom(tmp_path: Path) -> None:
    plan = make_plan(_profile("zoom", tmp_path), RunOptions(), {})
    net = plan.network
    assert net.mode == "allowlist" and "*.zoom.us" in net.domains
    assert net.tcp_ports == ((80, 80), (443, 443), (8801, 8802))
    assert net.udp_ports == ((3478, 3479), (8801, 8810))
    assert len(net.cidrs) >= 40 and net.vendor_lists[0]["vendor"] == "zoom"
    assert plan.grants()["network"]["mode"] == "allowlist"


def test_the_plan_carries_the_profiles_title_for_window_titles(tmp_path: Path) -> None:
    # The nested display's host window is named after it (session/resources.py).
    assert make_plan(_profile("zoom", tmp_path), RunOptions(), {}).title == "Zoom"


def test_network_none_option_wins(tmp_path: Path) -> None:
    plan = make_plan(_profile("zoom", tmp_path), RunOptions(network="none"), {})
    assert plan.network.mode == "none" and plan.network.domains == ()


def test_system_policy_fence_is_merged_stricter(tmp_path: Path) -> None:
    from sandbox_launcher.core.policy import Policy

    policy = Policy(deny_countries=("KP",), country_overrides={"203.0.113.0/24": "KP"})
    plan = make_plan(_profile("zoom", tmp_path), RunOptions(), {}, policy)
    assert plan.network.fence.verdict("KP")[0] is False
    assert plan.network.country_overrides == {"203.0.113.0/24": "KP"}


def test_generic_without_command_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="has no command"):
        make_plan(_profile("generic", tmp_path), RunOptions(), {})


def test_a_vm_plan_says_which_grants_the_vm_backend_does_not_have_yet(
        tmp_path: Path) -> None:
    launcher = Launcher(profiles_dir=tmp_path / "none",
                        files=SystemFiles(tmp_path / "no-policy", tmp_path / "no-admin"))
    plan = launcher.plan("generic", RunOptions(command=("x",), backend="vm"))
    assert plan.backend == "vm"
    # generic: no display, no sound; its downloads folder is one a VM does not have yet.
    assert plan.devices == DevicePlan(display=plan.devices.display, audio=plan.devices.audio)
    assert plan.devices.display.mode == "none" and not plan.devices.downloads
    assert any("a VM session has no downloads folder yet" in n for n in plan.notes)
    with pytest.raises(UsageError, match="there is no backend 'nope'"):
        launcher.plan("generic", RunOptions(command=("x",), backend="nope"))


def test_no_mic_and_no_camera_are_fine(tmp_path: Path) -> None:
    plan = make_plan(_profile("generic", tmp_path),
                     RunOptions(command=("x",), mic=False, camera="none"), {})
    assert plan.grants()["microphone"].startswith("none")


def test_the_policy_names_the_image_every_vm_session_boots(tmp_path: Path) -> None:
    from sandbox_launcher.backends.vm.backend import VmBackend

    policy = tmp_path / "policy.toml"
    policy.write_text('[vm]\nimage = "hardened"\n')
    launcher = Launcher(profiles_dir=tmp_path / "none",
                        files=SystemFiles(policy, tmp_path / "no-admin"))
    plan = launcher.plan("generic", RunOptions(command=("x",), backend="vm"))
    assert plan.image == "hardened" and plan.grants()["vm_image"] == "hardened"
    backend = VmBackend(image="default")
    assert backend.image_for(plan) == "hardened"
    free = Launcher(profiles_dir=tmp_path / "none",
                    files=SystemFiles(tmp_path / "no-policy", tmp_path / "no-admin"))
    assert backend.image_for(free.plan("generic", RunOptions(command=("x",),
                                                              backend="vm"))) == "default"
