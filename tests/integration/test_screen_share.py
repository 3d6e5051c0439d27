"""Screen sharing on X11: one host window mirrored into the session's nested display.

Real parts: the test user's Xvfb as the host display (``host_services``), host windows
painted by ``x11_painter.py`` (python-xlib, as the user), the real launcher with its
nested Xephyr and the mirror, and a stand-in client that screenshots its own display with
ImageMagick's ``import`` inside the sandbox. Screenshots land in ``tests/artifacts/``
(gitignored): ``share-inside-*.png`` must show the striped orange window and never the
green one; ``share-host.png`` shows the host with both windows and Xephyr's;
``share-inside-scaled*.png`` a 1000x700 window of four coloured quarters halved into a
640x400 nested screen, whole, with (``-corner``) its far corner repainted magenta.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, SYSTEM_PYTHON, as_user_argv, stop_process, user_environment

pytestmark = pytest.mark.integration

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
PAINTER = Path(__file__).with_name("x11_painter.py")
VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
ORANGE, BLUE, GREEN, CYAN = (255, 128, 0), (0, 0, 255), (0, 255, 0), (0, 255, 255)
#: The mirror's background, shown with its notice once the host window closed.
GREY = (0x30, 0x30, 0x30)
Run = Callable[..., subprocess.CompletedProcess[str]]
Spawn = Callable[..., subprocess.Popen[str]]

#: The stand-in client, inside the sandbox: screenshots of its own (nested) display.
CLIENT = r"""
import json, os, subprocess, sys, time
shared = os.path.expanduser("~/Shared")
host_display, mode = sys.argv[1], sys.argv[2]
ORANGE, CYAN, GREY = (255, 128, 0), (0, 255, 255), (0x30, 0x30, 0x30)

def shot(name):
    path = f"{shared}/{name}.ppm"
    subprocess.run(["import", "-window", "root", "-depth", "8", f"ppm:{path}"], check=True,
                   timeout=30)
    return path

def count(path, rgb):
    raw = open(path, "rb").read()
    head = raw.split(maxsplit=4)
    pixels, want = head[4], bytes(rgb)
    return sum(1 for i in range(0, len(pixels) - 2, 3) if pixels[i:i + 3] == want)

def wait_file(name, timeout=60):
    deadline = time.monotonic() + timeout
    while not os.path.exists(f"{shared}/{name}") and time.monotonic() < deadline:
        time.sleep(0.05)

def until(name, test, timeout=10):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        path = shot(name)
        if test(path):
            return round(time.monotonic() - start, 2)
    return None

result = {"mirror_seen_s": until("first", lambda p: count(p, ORANGE) > 5000, 20)}
tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True).stdout
result["windows"] = [line.strip() for line in tree.splitlines() if "Shared:" in line]
result["host_display_rc"] = subprocess.run(["xdpyinfo", "-display", host_display],
                                           capture_output=True).returncode
open(f"{shared}/ready", "w").close()
if mode == "full":
    wait_file("repainted")
    result["repaint_s"] = until("after", lambda p: count(p, CYAN) > 5000)
    open(f"{shared}/seen", "w").close()
    wait_file("resized")
    start = time.monotonic()
    while time.monotonic() - start < 10 and "resize_s" not in result:
        info = subprocess.run(["xwininfo", "-name", "Shared: Quarterly slides"],
                              capture_output=True, text=True).stdout
        if "Width: 500" in info and "Height: 350" in info:
            result["resize_s"] = round(time.monotonic() - start, 2)
    result["resized_s"] = until("resized", lambda p: count(p, CYAN) > 80000)
    open(f"{shared}/seen-resize", "w").close()
    wait_file("host-closed")
    result["closed_s"] = until("closed", lambda p: count(p, CYAN) == 0 and count(p, GREY) > 5000)
elif mode == "big":
    info = subprocess.run(["xwininfo", "-name", "Shared: Wide dashboard"],
                          capture_output=True, text=True).stdout
    result["size"] = [int(line.split(":")[1]) for line in info.splitlines()
                      if line.strip().startswith(("Width:", "Height:"))]
    wait_file("repainted")
    result["corner_s"] = until("corner", lambda p: count(p, (255, 0, 255)) > 2000)
elif mode == "kill":
    mirror = result["windows"][0].split()[0]
    result["xkill_rc"] = subprocess.run(["xkill", "-id", mirror], capture_output=True).returncode
    time.sleep(1)
    shot("killed")
    open(f"{shared}/killed", "w").close()
    wait_file("done")
else:
    wait_file("done", 300)
print(json.dumps(result), flush=True)
"""


def _need(*tools: str) -> None:
    # A failing assertion, not a skip: CI must have them (scripts/setup.sh).
    missing = [t for t in tools if not any(
        os.access(os.path.join(d, t), os.X_OK) for d in ("/usr/bin", "/bin"))]
    assert not missing, f"missing {missing}: install imagemagick, x11-utils, xserver-xephyr"


class HostWindow:
    """A painted window of the user's on the host display."""

    def __init__(self, launcher_user: Any, env: dict[str, str], title: str, geometry: str,
                 colour: str, stripes: str = "", quadrants: str = "") -> None:
        argv = [str(VENV_PYTHON), str(PAINTER), "--title", title, "--geometry", geometry,
                "--colour", colour] + (["--stripes", stripes] if stripes else []) + (
                    ["--quadrants", quadrants] if quadrants else [])
        self.proc = subprocess.Popen(as_user_argv(launcher_user, argv),
                                     env=user_environment(launcher_user, env_extra=env),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"the painter did not start (exit {self.proc.poll()})"
        self.id = int(json.loads(line)["window"])

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.send("quit")
            self.proc.wait(10)

    def stop(self) -> None:
        stop_process(self.proc)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


@pytest.fixture
def windows(launcher_user: Any, host_services: Any) -> Iterator[Callable[..., HostWindow]]:
    """``windows(title, geometry, colour, stripes="", quadrants="")``: host windows,
    closed at the end."""
    made: list[HostWindow] = []

    def make(title: str, geometry: str, colour: str, stripes: str = "",
             quadrants: str = "") -> HostWindow:
        made.append(HostWindow(launcher_user, host_services.session_env, title, geometry,
                               colour, stripes, quadrants))
        return made[-1]

    yield make
    for window in made:
        window.stop()


@pytest.fixture
def shared(user_tmp: Path, launcher_user: Any) -> Path:
    path = user_tmp / "shots"
    path.mkdir()
    if launcher_user.switch:
        os.chown(path, launcher_user.uid, launcher_user.gid)
    return path


PROFILE = ("[network]\nmode = 'none'\n[devices]\ndisplay = 'isolated'\n"
           "display_size = '800x600'\nspeakers = false\n")


def _ppm(path: Path) -> bytes:
    parts = path.read_bytes().split(maxsplit=4)
    assert parts[0] == b"P6", parts[:4]
    return parts[4]


def _count(pixels: bytes, colour: tuple[int, int, int]) -> int:
    want = bytes(colour)
    return sum(1 for i in range(0, len(pixels) - 2, 3) if pixels[i:i + 3] == want)


def _bbox(path: Path, colour: tuple[int, int, int]) -> tuple[int, int, int, int] | None:
    """The bounding box (x0, y0, x1, y1), exclusive, of *colour* in a P6 screenshot."""
    magic, width, _height, _max, pixels = path.read_bytes().split(maxsplit=4)
    assert magic == b"P6"
    want, w = bytes(colour), int(width)
    xs, ys = [], []
    for i in range(0, len(pixels) - 2, 3):
        if pixels[i:i + 3] == want:
            xs.append(i // 3 % w)
            ys.append(i // 3 // w)
    return (min(xs), min(ys), max(xs) + 1, max(ys) + 1) if xs else None


def _png(ppm: Path, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["convert", str(ppm), str(ARTIFACTS / name)], check=True, timeout=60)


def _wait(path: Path, proc: subprocess.Popen[str], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"the launcher ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _mirror_pids(window: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"sandbox_launcher.devices.mirror" in argv and hex(window).encode() in argv:
                found.append(int(entry))
    return found


def _check_report(saved: dict[str, Any], stderr: str, window: int) -> None:
    """What the run said and reported about the grant, and the wipe's proof."""
    assert "sharing the window 'Quarterly slides'" in stderr, stderr
    assert "screen sharing ended: the shared window was closed" in stderr, stderr
    assert saved["grants"]["screen"].startswith(f"one host window, {hex(window)} "
                                                "'Quarterly slides'"), saved["grants"]
    screen = saved["devices"]["screen"]
    assert screen["window"] == hex(window) and screen["title"] == "Quarterly slides"
    assert screen["ended_by"] == "the shared window was closed", screen
    assert saved["started"] <= screen["started"] < screen["stopped"] <= saved["ended"]
    assert screen["frames"] >= 2, screen
    # In use from the start until the window closed (the mirror's own events).
    (shared,) = saved["devices"]["usage"]["screen"]
    end = datetime.datetime.fromisoformat(shared["to"]).timestamp()
    assert abs(end - screen["stopped"]) < 1.0 and end < saved["ended"], (shared, screen)
    assert [line for line in stderr.splitlines() if line.endswith(" in use")] == [
        "sandbox-launcher: screen in use", "sandbox-launcher: screen not in use"], stderr
    checks = {c["name"]: c for c in saved["wipe"]["checks"]}
    assert saved["wipe"]["verified"], checks
    assert "mirror" in checks["device helpers stopped"]["detail"], checks


def test_one_window_is_mirrored_one_way_and_follows_changes(
        spawn_launcher: Spawn, user_profile: Any, run_as_user: Run, host_services: Any,
        windows: Callable[..., HostWindow], shared: Path, user_tmp: Path,
        finish_launcher: Callable[..., tuple[int, str, str]]) -> None:
    _need("Xephyr", "import", "xwininfo", "xdpyinfo", "convert")
    env = host_services.session_env
    slides = windows("Quarterly slides", "400x300+850+100", "ff8000", stripes="0000ff")
    # Another window of the user's, lying on top of the shared one: never copied.
    secret = windows("Private mail", "200x200+950+200", "00ff00")
    user_profile("sharer", PROFILE)
    report = user_tmp / "share.json"
    proc = spawn_launcher(["run", "sharer", "--share-window", hex(slides.id), "--share",
                           f"{shared}:rw", "--report", str(report), "--", SYSTEM_PYTHON,
                           "-c", CLIENT, host_services.display, "full"], env_extra=env)
    _wait(shared / "ready", proc, "the client's first screenshot")
    host_shot = user_tmp / "host.ppm"
    run_as_user(["import", "-display", host_services.display, "-window", "root", "-depth", "8",
                 f"ppm:{host_shot}"], env_extra=env)
    slides.send("colour 00ffff")  # the shared window changes: the mirror must follow
    (shared / "repainted").touch()
    _wait(shared / "seen", proc, "the client to see the change")
    slides.send("size 500x350")  # the mirror follows the new size
    (shared / "resized").touch()
    _wait(shared / "seen-resize", proc, "the client to see the new size")
    slides.close()  # the shared window goes away: the grant ends
    (shared / "host-closed").touch()
    status, stdout, stderr = finish_launcher(proc)
    assert status == 0, stderr
    secret.stop()
    result = json.loads(stdout.strip().splitlines()[-1])
    for name in ("first", "after", "resized", "closed"):
        _png(shared / f"{name}.ppm", f"share-inside-{name}.png")
    _png(host_shot, "share-host.png")

    first = _ppm(shared / "first.ppm")
    assert result["mirror_seen_s"] is not None, result
    assert _count(first, ORANGE) > 40_000 and _count(first, BLUE) > 40_000, (
        "the shared window's stripes are missing inside")
    assert _count(first, GREEN) == 0, "a window covering the shared one leaked into the copy"
    assert any('"Shared: Quarterly slides"' in w for w in result["windows"]), result
    assert result["host_display_rc"] != 0, "the sandbox could open the host display"
    assert result["repaint_s"] is not None and result["repaint_s"] <= 2.0, result
    assert result.get("resize_s") is not None and result["resized_s"] is not None, result
    assert _count(_ppm(shared / "resized.ppm"), GREEN) == 0
    assert result["closed_s"] is not None, "the mirror kept showing a closed window"
    after = _ppm(shared / "after.ppm")
    assert _count(after, CYAN) > 40_000 and _count(after, GREEN) == 0
    host = _ppm(host_shot)
    assert _count(host, GREEN) > 30_000, "the host should show its own green window"

    _check_report(json.loads(report.read_text()), stderr, slides.id)
    assert _mirror_pids(slides.id) == [], "the mirror outlived its session"


YELLOW, RED, MAGENTA = (255, 255, 0), (255, 0, 0), (255, 0, 255)


def test_a_window_larger_than_the_nested_screen_is_scaled_down_whole(
        spawn_launcher: Spawn, user_profile: Any, host_services: Any,
        windows: Callable[..., HostWindow], shared: Path,
        finish_launcher: Callable[..., tuple[int, str, str]]) -> None:
    """1000x700 into a 640x400 nested screen: halved (k=2) to 500x350, nothing cropped;
    a change in the far corner shows up at its scaled place."""
    _need("Xephyr", "import", "xwininfo", "convert")
    wide = windows("Wide dashboard", "1000x700+200+300", "808080",
                   quadrants="ff8000,0000ff,ffff00,ff0000")
    user_profile("sharer", PROFILE.replace("800x600", "640x400"))
    proc = spawn_launcher(["run", "sharer", "--share-window", hex(wide.id), "--share",
                           f"{shared}:rw", "--", SYSTEM_PYTHON, "-c", CLIENT,
                           host_services.display, "big"], env_extra=host_services.session_env)
    _wait(shared / "ready", proc, "the client's first screenshot")
    wide.send("fill 900 600 100 100 ff00ff")  # the far (bottom right) corner
    (shared / "repainted").touch()
    status, stdout, stderr = finish_launcher(proc)
    assert status == 0, stderr
    result = json.loads(stdout.strip().splitlines()[-1])
    _png(shared / "first.ppm", "share-inside-scaled.png")
    _png(shared / "corner.ppm", "share-inside-scaled-corner.png")
    assert result["mirror_seen_s"] is not None, result
    assert result["size"] == [500, 350], result  # ceil(1000 / 2) x ceil(700 / 2)

    def near(box: tuple[int, int, int, int] | None, want: tuple[int, int, int, int]) -> bool:
        return box is not None and all(abs(a - b) <= 2 for a, b in zip(box, want, strict=True))

    first = shared / "first.ppm"
    origin = _bbox(first, ORANGE)
    assert origin is not None, "the top left quarter is missing inside"
    ox, oy = origin[:2]  # the mirror's window, wherever it was placed
    for colour, (x0, y0, x1, y1) in ((ORANGE, (0, 0, 250, 175)), (BLUE, (250, 0, 500, 175)),
                                     (YELLOW, (0, 175, 250, 350)),
                                     (RED, (250, 175, 500, 350))):
        box = _bbox(first, colour)
        assert near(box, (ox + x0, oy + y0, ox + x1, oy + y1)), (colour, box, origin)
    assert result["corner_s"] is not None, "the far corner's repaint never showed"
    assert near(_bbox(shared / "corner.ppm", MAGENTA), (ox + 450, oy + 300, ox + 500, oy + 350))
    assert near(_bbox(shared / "corner.ppm", ORANGE), (ox, oy, ox + 250, oy + 175))


def test_the_client_can_close_the_mirror_but_never_reach_the_host_window(
        spawn_launcher: Spawn, user_profile: Any, host_services: Any,
        windows: Callable[..., HostWindow], shared: Path,
        finish_launcher: Callable[..., tuple[int, str, str]]) -> None:
    """XKillClient on the mirror's window, from inside: the mirror ends, the host window
    and its program are untouched."""
    _need("Xephyr", "import", "xwininfo", "xkill")
    doc = windows("Report draft", "300x200+850+100", "ff8000")
    user_profile("sharer", PROFILE)
    proc = spawn_launcher(["run", "sharer", "--share-window", str(doc.id), "--share",
                           f"{shared}:rw", "--", SYSTEM_PYTHON, "-c", CLIENT,
                           host_services.display, "kill"], env_extra=host_services.session_env)
    _wait(shared / "killed", proc, "the client to kill the mirror's connection")
    doc.send("colour 00ffff")  # the host window still lives and paints
    assert doc.proc.stdout is not None
    assert json.loads(doc.proc.stdout.readline()) == {"painted": "00ffff"}
    (shared / "done").touch()
    status, stdout, stderr = finish_launcher(proc)
    assert status == 0, stderr
    result = json.loads(stdout.strip().splitlines()[-1])
    assert result["xkill_rc"] == 0, result
    assert "screen sharing ended: the mirror's window was closed inside the sandbox" in stderr
    assert _count(_ppm(shared / "killed.ppm"), ORANGE) == 0  # the copy is gone inside
    assert doc.proc.poll() is None, "the host window's program was hurt"


@pytest.mark.parametrize(("profile", "policy", "window", "why"), ids=[
    "no-such-window", "not-an-id", "policy-forbids", "no-display", "insecure-host-x11"],
    argvalues=[
    (PROFILE, "", "0x1ffffff0", "there is no window 0x1ffffff0 on the host display"),
    (PROFILE, "", "root", "is not an X11 window id"),
    (PROFILE, "[devices]\nallow_screen_share = false\n", "{id}",
     "--share-window is forbidden by the system policy"),
    ("[network]\nmode = 'none'\n[devices]\ndisplay = 'none'\n", "", "{id}",
     "--share-window needs a display in the sandbox"),
    ("[network]\nmode = 'none'\n[devices]\ndisplay = 'insecure_host_x11'\n", "", "{id}",
     "pointless with devices.display = insecure_host_x11"),
])
def test_refusals_launch_nothing(run_launcher: Run, user_profile: Any, host_services: Any,
                                 system_policy: Any, windows: Callable[..., HostWindow],
                                 profile: str, policy: str, window: str, why: str) -> None:
    doc = windows("Some window", "200x100+850+100", "ff8000")
    user_profile("sharer", profile)
    system_policy.write(policy)
    try:
        done = run_launcher(["run", "sharer", "--share-window", window.format(id=doc.id),
                             "--", "/bin/echo", "STARTED"],
                            env_extra=host_services.session_env, check=125)
    finally:
        system_policy.write("")
    assert why in done.stderr and "what to do:" in done.stderr, done.stderr
    assert "STARTED" not in done.stdout


def test_the_root_and_a_nested_display_are_refused(
        spawn_launcher: Spawn, run_launcher: Run, user_profile: Any, host_services: Any,
        shared: Path) -> None:
    """Sharing the whole screen, or a sandbox's display, is refused by window id."""
    _need("Xephyr", "xwininfo")
    env = host_services.session_env
    user_profile("sharer", PROFILE)
    root = subprocess.run(["xwininfo", "-root", "-display", host_services.display],
                          capture_output=True, text=True, check=True).stdout
    root_id = root.split("Window id: ")[1].split()[0]
    done = run_launcher(["run", "sharer", "--share-window", root_id, "--", "/bin/true"],
                        env_extra=env, check=125)
    assert "the root window is the whole screen" in done.stderr, done.stderr
    other = spawn_launcher(["run", "sharer", "--share", f"{shared}:rw", "--", "/bin/sh", "-c",
                            "touch ~/Shared/ready; sleep 60"], env_extra=env)
    try:
        _wait(shared / "ready", other, "the other session")
        tree = subprocess.run(["xwininfo", "-root", "-tree", "-display", host_services.display],
                              capture_output=True, text=True, check=True).stdout
        nested = next(line.split()[0] for line in tree.splitlines()
                      if "sharer (sandboxed)" in line)
        done = run_launcher(["run", "sharer", "--share-window", nested, "--", "/bin/true"],
                            env_extra=env, check=125)
        assert "is a sandbox's nested display" in done.stderr, done.stderr
    finally:
        stop_process(other)


CLICK = """
import sys, time
from Xlib import X, display
from Xlib.ext import xtest
disp = display.Display()
x, y = int(sys.argv[1]), int(sys.argv[2])
xtest.fake_input(disp, X.MotionNotify, x=x, y=y)
disp.sync()
time.sleep(0.1)
xtest.fake_input(disp, X.ButtonPress, 1)
xtest.fake_input(disp, X.ButtonRelease, 1)
disp.sync()
"""


def _click_when_asked(proc: subprocess.Popen[str], run_as_user: Run, env: dict[str, str],
                      x: int, y: int) -> None:
    """Wait for the launcher's prompt, then click at (x, y) with XTEST, as the user."""
    assert proc.stderr is not None
    seen = []
    while not seen or "click the window to share" not in seen[-1]:
        seen.append(proc.stderr.readline())
        assert seen[-1] and len(seen) < 20, f"no prompt to click: {seen}"
    time.sleep(0.5)  # the prompt comes just before the pointer grab
    run_as_user([str(VENV_PYTHON), "-c", CLICK, str(x), str(y)], env_extra=env)


def test_pick_lets_the_user_click_the_window(
        spawn_launcher: Spawn, run_as_user: Run, user_profile: Any, host_services: Any,
        windows: Callable[..., HostWindow], shared: Path,
        finish_launcher: Callable[..., tuple[int, str, str]]) -> None:
    _need("Xephyr", "import", "xwininfo")
    env = host_services.session_env
    windows("Picked doc", "300x200+850+600", "ff8000")
    user_profile("sharer", PROFILE)
    proc = spawn_launcher(["run", "sharer", "--share-window", "pick", "--share",
                           f"{shared}:rw", "--", SYSTEM_PYTHON, "-c", CLIENT,
                           host_services.display, "pick"], env_extra=env)
    _click_when_asked(proc, run_as_user, env, 900, 650)
    if proc.poll() is not None:
        pytest.fail("".join(finish_launcher(proc)[1:]))
    _wait(shared / "ready", proc, "the client")
    (shared / "done").touch()
    status, stdout, stderr = finish_launcher(proc)
    assert status == 0, stderr
    result = json.loads(stdout.strip().splitlines()[-1])
    assert any('"Shared: Picked doc"' in w for w in result["windows"]), result
    assert "sharing the window 'Picked doc'" in stderr
    # A click on the bare desktop is the root window: refused, nothing launched.
    proc = spawn_launcher(["run", "sharer", "--share-window", "pick", "--", "/bin/echo",
                           "STARTED"], env_extra=env)
    _click_when_asked(proc, run_as_user, env, 1200, 1000)
    status, stdout, stderr = finish_launcher(proc)
    assert status == 125 and "STARTED" not in stdout
    assert "the desktop (the root window) was clicked" in stderr, stderr


def test_a_killed_launcher_takes_the_mirror_with_it(
        spawn_launcher: Spawn, run_launcher: Run, user_profile: Any, host_services: Any,
        windows: Callable[..., HostWindow], shared: Path, launcher_user: Any) -> None:
    _need("Xephyr")
    doc = windows("Long document", "300x200+850+100", "ff8000")
    user_profile("sharer", PROFILE)
    proc = spawn_launcher(["run", "sharer", "--share-window", hex(doc.id), "--share",
                           f"{shared}:rw", "--", "/bin/sh", "-c",
                           "touch ~/Shared/ready; exec sleep 300"],
                          env_extra=host_services.session_env)
    _wait(shared / "ready", proc, "the session")
    assert len(_mirror_pids(doc.id)) == 1
    listed = json.loads(run_launcher(["sessions", "--json"], check=True).stdout)
    [session] = [s for s in listed if s["profile"] == "sharer"]
    os.kill(session["launcher_pid"], signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _mirror_pids(doc.id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _mirror_pids(doc.id) == [], "the mirror outlived its killed launcher"
    wiped = run_launcher(["wipe", "--stale"])
    assert wiped.returncode == 0 and "wipe verified" in wiped.stdout, (
        wiped.stdout + wiped.stderr)
    assert doc.proc.poll() is None
