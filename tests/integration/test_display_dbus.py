"""The isolated display (a nested Xephyr) and the filtered session bus, against the test
user's real Xvfb and dbus-daemon (``host_services``).

Screenshots land in ``tests/artifacts/`` (gitignored) for a person to look at: the inside
one must show the client's green window and nothing of the host's magenta one; the host one
shows both, the green one inside Xephyr's window.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, SYSTEM_PYTHON, as_user_argv, stop_process, user_environment

pytestmark = pytest.mark.integration

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
GREEN, MAGENTA = (0, 255, 0), (255, 0, 255)
Run = Callable[..., subprocess.CompletedProcess[str]]

def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (scripts/setup.sh --with-test-tools)")


def _ping(name: str) -> list[str]:
    return ["gdbus", "call", "--session", "--dest", name, "--object-path", "/org/example",
            "--method", "org.example.Fake.Ping", "--timeout", "5"]


def test_dbus_proxy_passes_only_the_granted_name(run_launcher: Run, run_as_user: Run,
                                                 user_profile: Any, host_services: Any,
                                                 bus_owner: None, user_tmp: Path) -> None:
    _need("xdg-dbus-proxy", "gdbus")
    env = host_services.session_env
    for name in ("org.freedesktop.Notifications", "org.freedesktop.secrets"):
        control = run_as_user(_ping(name), env_extra=env)  # unconfined: both answer
        assert control.returncode == 0 and "pong" in control.stdout, control.stderr
    user_profile("notify", "[network]\nmode = 'none'\n[devices]\n"
                       "display = 'none'\ndbus_talk = ['org.freedesktop.Notifications']\n")
    report = user_tmp / "r.json"
    script = (f"{' '.join(_ping('org.freedesktop.Notifications'))}; echo status=$?; "
              f"{' '.join(_ping('org.freedesktop.secrets'))} 2>&1; echo status=$?; "
              "ls -l /run/user/*/")
    done = run_launcher(["run", "notify", "--report", str(report), "--", "/bin/sh", "-c",
                         script], env_extra=env, check=True)
    out = done.stdout
    assert "('pong',)\nstatus=0" in out, out
    secrets_part = out.split("status=0", 1)[1]
    assert "pong" not in secrets_part and "status=1" in secrets_part, out
    assert "bus" in out.splitlines()[-1]  # only the proxy's socket is there


@pytest.mark.parametrize("talk", ["org.freedesktop.secrets", "*", "org.freedesktop.*"])
def test_profile_asking_for_secrets_or_the_whole_bus_is_refused(
        run_launcher: Run, user_profile: Any, talk: str) -> None:
    user_profile("greedy", f"[devices]\ndbus_talk = ['{talk}']\n")
    done = run_launcher(["run", "greedy", "--", "/bin/echo", "STARTED"], check=125)
    assert "devices.dbus_talk" in done.stderr and "STARTED" not in done.stdout


def _ppm_pixels(raw: bytes) -> tuple[int, int, bytes]:
    parts = raw.split(maxsplit=4)
    assert parts[0] == b"P6" and parts[3] == b"255", raw[:20]
    return int(parts[1]), int(parts[2]), parts[4]


def _count(pixels: bytes, colour: tuple[int, int, int]) -> int:
    return sum(1 for i in range(0, len(pixels) - 2, 3)
               if (pixels[i], pixels[i + 1], pixels[i + 2]) == colour)


def _save_png(ppm: Path, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["convert", str(ppm), str(ARTIFACTS / name)], check=True, timeout=60)


def test_isolated_display_shows_only_the_clients_windows(
        spawn_launcher: Callable[..., subprocess.Popen[str]], user_profile: Any, run_as_user: Run,
        launcher_user: Any, host_services: Any, user_tmp: Path,
        finish_launcher: Callable[..., tuple[int, str, str]]) -> None:
    _need("Xephyr", "xmessage", "import", "convert", "xdpyinfo")
    env = host_services.session_env
    host_number = host_services.display.lstrip(":")
    # A host window the client must never see: magenta, where Xephyr's window is not.
    secret = subprocess.Popen(
        as_user_argv(launcher_user, ["xmessage", "-bg", "#ff00ff", "-fg", "#ff00ff",
                                     "-geometry", "300x200+700+100", "HOST-SECRET"]),
        env=user_environment(launcher_user, env_extra=env))
    try:
        shared = user_tmp / "shots"
        shared.mkdir()
        if launcher_user.switch:
            os.chown(shared, launcher_user.uid, launcher_user.gid)
        user_profile("xclient", "[network]\nmode = 'none'\n"
                           "[devices]\ndisplay = 'isolated'\ndisplay_size = '640x480'\n")
        script = (
            "xmessage -bg '#00ff00' -fg '#00ff00' -geometry 300x200+20+20 CLIENT & sleep 2; "
            "import -window root -depth 8 ppm:$HOME/Shared/inside.ppm; "
            f"xdpyinfo -display :{host_number} >/dev/null 2>&1 && echo HOST-OPEN "
            "|| echo HOST-REFUSED; echo DISPLAY=$DISPLAY; touch ~/Shared/ready; "
            "i=0; while [ ! -e ~/Shared/done ] && [ $i -lt 300 ]; do sleep 0.1; "
            "i=$((i+1)); done")
        proc = spawn_launcher(["run", "xclient", "--share", f"{shared}:rw", "--",
                               "/bin/sh", "-c", script], env_extra=env)
        deadline = time.monotonic() + 60
        while not (shared / "ready").exists() and proc.poll() is None:
            assert time.monotonic() < deadline, "the client never took its screenshot"
            time.sleep(0.1)
        host_shot = user_tmp / "host.ppm"
        run_as_user(["import", "-display", host_services.display, "-window", "root", "-depth", "8",
                     f"ppm:{host_shot}"], env_extra=env)
        (shared / "done").touch()
        status, stdout, stderr = finish_launcher(proc)
        assert status == 0, stderr
    finally:
        secret.kill()
        secret.wait(10)
    assert "HOST-REFUSED" in stdout and "DISPLAY=:0" in stdout, stdout
    _save_png(shared / "inside.ppm", "display-inside.png")
    _save_png(host_shot, "display-host.png")
    width, height, inside = _ppm_pixels((shared / "inside.ppm").read_bytes())
    assert (width, height) == (640, 480)
    assert _count(inside, GREEN) > 20_000, "the client's own window is missing inside"
    assert _count(inside, MAGENTA) == 0, "the host's window is visible inside the sandbox"
    _, _, host = _ppm_pixels(host_shot.read_bytes())
    assert _count(host, MAGENTA) > 20_000 and _count(host, GREEN) > 20_000, (
        "the host should show its own window and the client's, through Xephyr")


def test_nested_display_blocks_the_hosts_x11_sockets(
        run_launcher: Run, user_profile: Any, host_services: Any,
        client_argv: Callable[..., list[str]],
        client_json: Callable[[str], dict[str, Any]]) -> None:
    _need("Xephyr")
    user_profile("xprobe", "[devices]\ndisplay = 'isolated'\n")
    probe = client_argv("probe", "--x11-socket", host_services.x11_socket,
                        "--x11-abstract", host_services.x11_abstract, "--sysinfo")
    done = run_launcher(["run", "xprobe", "--", *probe], env_extra=host_services.session_env,
                        check=True)
    result = client_json(done.stdout)
    for name in ("x11_socket", "x11_abstract"):
        assert result["attempts"][name]["escaped"] is False, result["attempts"][name]
    assert "DISPLAY" in result["sysinfo"]["env_keys"]


def test_host_x11_grant_forbidden_by_policy(run_launcher: Run, user_profile: Any,
                                            host_services: Any, system_policy: Any) -> None:
    user_profile("hostx", "[devices]\ndisplay = 'insecure_host_x11'\n")
    system_policy.write("[devices]\nallow_host_x11 = false\n")
    try:
        done = run_launcher(["run", "hostx", "--", "/bin/echo", "STARTED"],
                            env_extra=host_services.session_env, check=125)
    finally:
        system_policy.write("")
    assert "insecure_host_x11" in done.stderr and "STARTED" not in done.stdout
    allowed = run_launcher(["run", "hostx", "--", "xdpyinfo"],
                           env_extra=host_services.session_env, check=True)
    assert "name of display:    :0" in allowed.stdout


#: wl_display (object 1) request 1 get_registry(new_id 2): 12 bytes, then the compositor
#: answers with one wl_registry.global event (object 2, opcode 0) per interface.
WAYLAND_HANDSHAKE = """
import os, socket, struct, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.settimeout(5)
sock.connect(os.path.join(os.environ["XDG_RUNTIME_DIR"], os.environ["WAYLAND_DISPLAY"]))
sock.sendall(struct.pack("=IHHI", 1, 1, 12, 2) + struct.pack("=IHHI", 1, 0, 12, 3))
data, names, done = b"", [], False
while not done:
    chunk = sock.recv(65536)
    if not chunk:
        break
    data += chunk
    while len(data) >= 8:
        obj, opcode, size = struct.unpack("=IHH", data[:8])
        if len(data) < size:
            break
        body, data = data[8:size], data[size:]
        if obj == 2 and opcode == 0:  # wl_registry.global(name, interface, version)
            length = struct.unpack("=I", body[4:8])[0]
            names.append(body[8:8 + length - 1].decode())
        elif obj == 3:  # wl_callback.done of the sync: every global was sent
            done = True
print("WAYLAND-GLOBALS", " ".join(names))
"""


@pytest.fixture
def weston(launcher_user: Any, user_tmp: Path) -> Any:
    """A real headless Wayland compositor of the user's, on a socket in its runtime dir."""
    _need("weston")
    name = f"wayland-sltest-{secrets.token_hex(3)}"
    path = launcher_user.runtime_dir / name
    log = user_tmp / "weston.log"
    with open(log, "wb") as out:
        compositor = subprocess.Popen(
            as_user_argv(launcher_user, ["weston", "--backend=headless-backend.so",
                                         f"--socket={name}", "--shell=kiosk-shell.so",
                                         "--no-config", "--idle-time=0"]),
            env=user_environment(launcher_user), stdin=subprocess.DEVNULL, stdout=out,
            stderr=out)
    try:
        deadline = time.monotonic() + 20
        while not path.is_socket():
            assert compositor.poll() is None, f"weston died:\n{log.read_text(errors='replace')}"
            assert time.monotonic() < deadline, "weston's socket never appeared"
            time.sleep(0.05)
        yield name
    finally:
        stop_process(compositor)
        for leftover in (path, path.with_name(f"{name}.lock")):
            leftover.unlink(missing_ok=True)


def test_wayland_host_gets_only_the_wayland_socket(
        run_launcher: Run, user_profile: Any, host_services: Any, weston: str,
        launcher_user: Any, user_tmp: Path, client_argv: Callable[..., list[str]],
        client_json: Callable[[str], dict[str, Any]]) -> None:
    _need("wayland-info")
    env = {**host_services.session_env, "WAYLAND_DISPLAY": weston}
    host_runtime = sorted(os.listdir(launcher_user.runtime_dir))
    assert "bus" in host_runtime and weston in host_runtime, host_runtime  # what could leak
    user_profile("wl", "[network]\nmode = 'none'\n"
                       "[devices]\ndisplay = 'isolated'\nspeakers = false\n")
    report = user_tmp / "wl.json"
    script = ("wayland-info | grep -c \"interface: 'wl_compositor'\"; "
              f"{SYSTEM_PYTHON} -c '{WAYLAND_HANDSHAKE}'; "
              "echo ENV=$WAYLAND_DISPLAY,$XDG_SESSION_TYPE,${DISPLAY-unset}; "
              "echo RUNTIME=$(ls -A $XDG_RUNTIME_DIR | tr '\\n' ' ')")
    done = run_launcher(["run", "wl", "--report", str(report), "--", "/bin/sh", "-c", script],
                        env_extra=env, check=True)
    lines = done.stdout.splitlines()
    assert lines[0] == "1", done.stdout + done.stderr  # wayland-info saw the compositor
    globals_line = next(line for line in lines if line.startswith("WAYLAND-GLOBALS"))
    assert "wl_compositor" in globals_line.split(), globals_line
    assert "ENV=wayland-0,wayland,unset" in lines, done.stdout
    runtime_line = next(line for line in lines if line.startswith("RUNTIME="))
    assert runtime_line.split("=", 1)[1].split() == ["wayland-0"], runtime_line
    grants = json.loads(report.read_text())["grants"]
    assert grants["display"] == "wayland socket (host compositor)", grants["display"]

    # The hostile client: the host's X server and session bus stay out of reach.
    probe = client_argv("probe", "--x11-socket", host_services.x11_socket,
                        "--x11-abstract", host_services.x11_abstract,
                        "--dbus-socket", host_services.dbus_socket,
                        "--dbus-abstract", host_services.dbus_abstract, "--sysinfo")
    hostile = run_launcher(["run", "wl", "--", *probe], env_extra=env, check=True)
    result = client_json(hostile.stdout)
    for name in ("x11_socket", "x11_abstract", "dbus_session", "dbus_abstract"):
        assert result["attempts"][name]["escaped"] is False, result["attempts"][name]
    assert "DISPLAY" not in result["sysinfo"]["env_keys"]
    assert "WAYLAND_DISPLAY" in result["sysinfo"]["env_keys"]
