"""The isolated display on a Wayland host: the compositor's socket alone, checked first."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox_launcher.backends.namespace.environment import sandbox_env
from sandbox_launcher.core.devices import DevicePlan, DisplayGrant
from sandbox_launcher.core.errors import UsageError
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.profile import Profile, load_profiles
from sandbox_launcher.devices.host import HostDevices, Mount
from sandbox_launcher.devices.wayland import open_socket, wayland_socket
from sandbox_launcher.session.planning import make_plan


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Path]:
    """A runtime dir with a listening socket ``w0`` in it (short: sun_path is 108 bytes)."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(run / "w0"))
        yield run


def _profile(tmp_path: Path, text: str = "") -> Profile:
    profiles = tmp_path / "profiles"
    profiles.mkdir(exist_ok=True)
    (profiles / "dev.toml").write_text(text)
    return load_profiles(profiles).get("dev")


def test_wayland_is_preferred_over_x11(tmp_path: Path, runtime: Path) -> None:
    host = {"WAYLAND_DISPLAY": "w0", "XDG_RUNTIME_DIR": str(runtime), "DISPLAY": ":3",
            "HOME": str(tmp_path)}
    plan = make_plan(_profile(tmp_path), RunOptions(command=("x",)), host)
    display = plan.devices.display
    assert display.mode == "isolated" and display.wayland == str(runtime / "w0")
    assert sandbox_env(plan)["WAYLAND_DISPLAY"] == "wayland-0"
    assert sandbox_env(plan)["XDG_SESSION_TYPE"] == "wayland"
    assert "DISPLAY" not in sandbox_env(plan) and "XAUTHORITY" not in sandbox_env(plan)
    assert plan.grants()["display"] == "wayland socket (host compositor)"
    absolute = {**host, "WAYLAND_DISPLAY": str(runtime / "w0")}
    assert wayland_socket(absolute) == (str(runtime / "w0"), "")


def test_insecure_host_x11_stays_x11(tmp_path: Path, runtime: Path) -> None:
    host = {"WAYLAND_DISPLAY": "w0", "XDG_RUNTIME_DIR": str(runtime), "DISPLAY": ":3",
            "HOME": str(tmp_path)}
    plan = make_plan(_profile(tmp_path, '[devices]\ndisplay = "insecure_host_x11"\n'),
                     RunOptions(command=("x",)), host)
    assert plan.devices.display.wayland == "" and sandbox_env(plan)["DISPLAY"] == ":0"
    assert "WAYLAND_DISPLAY" not in sandbox_env(plan)


def test_bad_wayland_sockets_are_refused(tmp_path: Path, runtime: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as other:
        other.bind(str(outside / "w1"))
        (runtime / "link").symlink_to(runtime / "w0")
        (runtime / "plain").write_text("")
        cases = {
            str(outside / "w1"): "outside the runtime dir",
            "../elsewhere/w1": "outside the runtime dir",
            "link": "is a symlink",
            "plain": "is not a socket",
            "missing": "No such file",
        }
        for name, why in cases.items():
            host = {"WAYLAND_DISPLAY": name, "XDG_RUNTIME_DIR": str(runtime)}
            path, problem = wayland_socket(host)
            assert path == "" and why in problem, (name, problem)
        assert wayland_socket({"WAYLAND_DISPLAY": "w0", "XDG_RUNTIME_DIR": str(runtime)},
                              uid=os.getuid() + 1)[1].endswith("not to you")
        # Refused: the nested X server as before, and a note that says why.
        host = {"WAYLAND_DISPLAY": "link", "XDG_RUNTIME_DIR": str(runtime), "DISPLAY": ":3",
                "HOME": str(tmp_path)}
        plan = make_plan(_profile(tmp_path), RunOptions(command=("x",)), host)
        assert plan.devices.display.wayland == "" and sandbox_env(plan)["DISPLAY"] == ":0"
        assert any("Wayland socket is not granted" in note for note in plan.notes)
        alone = make_plan(_profile(tmp_path), RunOptions(command=("x",)),
                          {k: v for k, v in host.items() if k != "DISPLAY"})
        assert alone.devices.display.mode == "none" and "WAYLAND_DISPLAY" not in alone.env
    assert wayland_socket({}) == ("", "")


def test_the_checked_socket_is_bound_by_fd(tmp_path: Path, runtime: Path) -> None:
    grant = DisplayGrant("isolated", wayland=str(runtime / "w0"))
    devices = HostDevices.start(DevicePlan(display=grant), "/run/user/1", tmp_path / "dev")
    try:
        (mount,) = devices.view
        assert isinstance(mount, Mount) and mount.dest == "/run/user/1/wayland-0"
        assert mount.fd >= 0 and mount.src == "" and devices.fds == [mount.fd]
        assert devices.helpers == []  # no nested X server beside it
    finally:
        devices.stop()
    assert devices.fds == []
    (runtime / "w0").unlink()
    (runtime / "w0").symlink_to(tmp_path)  # swapped after the check
    with pytest.raises(UsageError, match="replaced after it was checked"):
        open_socket(str(runtime / "w0"))
