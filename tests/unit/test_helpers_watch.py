"""A helper dying mid-session: noticed through its pidfd, announced once as a typed
:class:`HelperLost` with its sentence, recorded in the report, and the display's loss
stops the session. The helpers here are real ``sleep`` processes; the sandbox is faked."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from support.fake_sandbox import FakeBackend, FakeResources

from sandbox_launcher.backends.base import HelperProcess
from sandbox_launcher.core.plan import LaunchPlan, RunOptions
from sandbox_launcher.core.profile import load_profiles
from sandbox_launcher.session import runtime_guard
from sandbox_launcher.session.events import HelperLost, from_dict
from sandbox_launcher.session.helpers_watch import HelperWatch, Watched
from sandbox_launcher.session.lifecycle import Event, Session
from sandbox_launcher.session.planning import make_plan
from sandbox_launcher.session.report import Report
from sandbox_launcher.session.resources import SessionResources


@pytest.fixture
def sleepers() -> Iterator[list[subprocess.Popen[bytes]]]:
    made: list[subprocess.Popen[bytes]] = []
    yield made
    for proc in made:
        proc.kill()
        proc.wait()


def _sleeper(made: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    made.append(subprocess.Popen(["sleep", "60"]))
    return made[-1]


def _wait_lost(watch: HelperWatch, timeout: float = 5.0) -> list[HelperLost]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = watch.lost()
        if found:
            return found
        time.sleep(0.01)
    return []


def test_a_killed_helper_is_announced_once_with_its_status(
        sleepers: list[subprocess.Popen[bytes]]) -> None:
    proxy, xephyr = _sleeper(sleepers), _sleeper(sleepers)
    watch = HelperWatch.start(lambda: [Watched("dbus-proxy", "bus", proxy.pid, proxy),
                                       Watched("xephyr", "display", xephyr.pid, xephyr)])
    assert watch.lost() == []
    proxy.send_signal(signal.SIGKILL)
    [lost] = _wait_lost(watch)
    assert (lost.helper, lost.grant, lost.status, lost.stops) == (
        "dbus-proxy", "bus", "killed by SIGKILL", False)
    assert lost.effect.startswith("the session bus proxy stopped: ")
    assert watch.lost() == []  # once
    xephyr.terminate()
    [display] = _wait_lost(watch)
    assert display.stops and display.status == "killed by SIGTERM"
    assert [e.helper for e in watch.log] == ["dbus-proxy", "xephyr"]
    assert from_dict(display.to_dict()) == display
    watch.close()


def test_a_pair_is_one_loss_and_a_covering_loss_hides_what_died_with_it(
        sleepers: list[subprocess.Popen[bytes]]) -> None:
    record, play, server = (_sleeper(sleepers) for _ in range(3))
    helpers = [Watched("pulseaudio", "sound", server.pid, server),
               Watched("speakers-record", "speakers", record.pid, record, unit=7),
               Watched("speakers-play", "speakers", play.pid, play, unit=7)]
    watch = HelperWatch.start(lambda: helpers)
    record.kill()
    play.kill()
    record.wait()
    play.wait()
    assert [e.helper for e in _wait_lost(watch)] == ["speakers-record"]  # the killed one
    time.sleep(0.4)
    assert watch.lost() == []
    server.kill()
    [sound] = _wait_lost(watch)
    assert sound.grant == "sound" and "no speakers and no microphone" in sound.effect
    watch.close()


def test_forwarders_that_go_just_before_their_server_are_its_loss_alone(
        sleepers: list[subprocess.Popen[bytes]]) -> None:
    """They see the server's socket close before its bwrap has exited."""
    record, play, server = (_sleeper(sleepers) for _ in range(3))
    watch = HelperWatch.start(lambda: [
        Watched("pulseaudio", "sound", server.pid, server),
        Watched("microphone-record", "microphone", record.pid, record, unit=record.pid),
        Watched("microphone-play", "microphone", play.pid, play, unit=record.pid)])
    record.kill()
    play.kill()
    time.sleep(0.1)
    assert watch.lost() == []  # held a moment for the server
    server.kill()
    assert [e.grant for e in _wait_lost(watch)] == ["sound"]
    time.sleep(0.5)
    assert watch.lost() == []
    watch.close()


def test_a_helper_stopped_on_purpose_is_not_a_loss(
        sleepers: list[subprocess.Popen[bytes]]) -> None:
    mic = _sleeper(sleepers)
    listed = [Watched("microphone-record", "microphone", mic.pid, mic)]
    watch = HelperWatch.start(lambda: listed)
    listed.clear()  # muted: the session stopped it and no longer lists it
    mic.terminate()
    mic.wait()
    assert watch.lost() == []


def test_a_mirror_that_ends_its_grant_itself_is_not_a_loss(
        sleepers: list[subprocess.Popen[bytes]]) -> None:
    done = subprocess.Popen(["true"])
    sleepers.append(done)
    killed = _sleeper(sleepers)
    watch = HelperWatch.start(lambda: [Watched("mirror", "screen", done.pid, done, True),
                                       Watched("mirror", "screen", killed.pid, killed, True,
                                               unit=1)])
    time.sleep(0.1)
    assert watch.lost() == []
    killed.kill()
    [lost] = _wait_lost(watch)
    assert lost.grant == "screen" and lost.status == "killed by SIGKILL"


@pytest.fixture
def plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LaunchPlan:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "p.toml").write_text("[network]\nmode = 'none'\n")
    return make_plan(load_profiles(folder).get("p"), RunOptions(command=("true",)), {})


@pytest.mark.parametrize(("grant", "stops"), [("bus", False), ("display", True)])
def test_the_session_reports_a_lost_helper_and_stops_only_for_the_display(
        plan: LaunchPlan, tmp_path: Path, sleepers: list[subprocess.Popen[bytes]],
        grant: str, stops: bool) -> None:
    resources = FakeResources()
    helper = _sleeper(sleepers)
    resources.watched = [Watched("helper", grant, helper.pid, helper)]
    events: list[HelperLost] = []
    states: list[str] = []
    times: dict[str, float] = {}
    session: Session

    def listen(event: Event) -> None:
        times.setdefault(event.state.value if event.data is None else "lost",
                         time.monotonic())
        if isinstance(event.data, HelperLost):
            events.append(event.data)
            if not stops:  # the app's user stops it later
                threading.Timer(0.3, session.request_stop).start()
        elif event.data is None:
            states.append(event.message)
            if event.state.value == "running":
                threading.Timer(0.2, helper.kill).start()

    (tmp_path / "sessions").mkdir()
    report_path = tmp_path / "report.json"
    session = Session(plan, FakeBackend(), listener=listen,
                      sessions_base=tmp_path / "sessions", resources=lambda *_: resources)
    started = time.monotonic()
    session.run(report_path)
    assert time.monotonic() - started < 10
    [lost] = events
    assert lost.grant == grant and lost.stops is stops
    report = Report.load(report_path)
    assert [dict(h) for h in report.helpers_lost] == [lost.to_dict()]
    assert report.wipe.verified
    assert "stop requested" in states  # by the display's loss, or by the test's timer
    # The display's loss stops it at once; the bus's leaves it running until asked.
    waited = times["stopping"] - times["lost"]
    assert waited < 0.25 if stops else waited >= 0.25, waited
    assert report.stopped_by_user is not stops


class _Vfs:
    def __init__(self, size: int, free: int) -> None:
        self.f_frsize, self.f_blocks, self.f_bavail = 4096, size // 4096, free // 4096


@pytest.mark.parametrize(("size", "free", "ours", "stops"), [
    (1 << 30, 100 << 20, 200 << 20, False),  # room left
    (1 << 30, 8 << 20, 200 << 20, True),  # full, and the session's files fill it
    (1 << 30, 8 << 20, 1 << 20, False),  # full, but of others' files: not ours to stop
    (24 << 20, 2 << 20, 20 << 20, True),  # a small one: a tenth is the reserve
])
def test_the_runtime_guard_stops_only_a_session_that_filled_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, free: int, ours: int,
        stops: bool) -> None:
    (tmp_path / "downloads").mkdir()
    with open(tmp_path / "downloads" / "big", "wb") as out:
        out.write(b"\1" * ours)
    monkeypatch.setattr(runtime_guard.os, "statvfs", lambda _path: _Vfs(size, free))
    why = runtime_guard.full(tmp_path)
    assert bool(why) is stops
    if stops:
        assert why.startswith("your runtime folder is full") and "MiB" in why


@pytest.mark.parametrize(("low", "within"), [(False, 1.6), (True, 0.6)])
def test_the_guard_looks_each_second_and_four_times_a_second_once_low(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, low: bool, within: float) -> None:
    """While the runtime dir has room an idle session's launcher wakes once a second for
    it; once it runs low, four times a second."""
    monkeypatch.setattr(runtime_guard, "full", lambda _path: "your runtime folder is full")
    if low:
        monkeypatch.setattr(runtime_guard, "interval",
                            lambda _path: runtime_guard.LOW_INTERVAL_S)
    else:
        assert runtime_guard.interval(tmp_path) == runtime_guard.INTERVAL_S
    watch = HelperWatch.start(list, tmp_path)
    watch.lost()  # the session's loop: the first call paces the timer
    started = time.monotonic()
    [lost] = _wait_lost(watch, 3.0)
    took = time.monotonic() - started
    assert took < within
    if not low:
        assert took > runtime_guard.LOW_INTERVAL_S + 0.1  # not four times a second
    assert (lost.grant, lost.helper, lost.stops) == ("storage", "runtime dir", True)
    assert lost.effect.startswith("your runtime folder is full: the session is stopped")
    time.sleep(0.3)
    assert watch.lost() == []  # once
    watch.close()


def test_the_guard_looks_soon_when_little_is_free(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    mib = 1 << 20
    monkeypatch.setattr(runtime_guard.os, "statvfs", lambda _path: _Vfs(2048 * mib, 100 * mib))
    assert runtime_guard.interval(tmp_path) == runtime_guard.LOW_INTERVAL_S
    monkeypatch.setattr(runtime_guard.os, "statvfs", lambda _path: _Vfs(2048 * mib, 900 * mib))
    assert runtime_guard.interval(tmp_path) == runtime_guard.INTERVAL_S
    # A small runtime dir (64 MiB): low below a quarter of it.
    monkeypatch.setattr(runtime_guard.os, "statvfs", lambda _path: _Vfs(64 * mib, 15 * mib))
    assert runtime_guard.interval(tmp_path) == runtime_guard.LOW_INTERVAL_S


def test_a_vms_qemu_ending_ends_the_session_and_covers_its_passt_and_viewer(
        sleepers: list[subprocess.Popen[bytes]]) -> None:
    qemu, passt, viewer = (_sleeper(sleepers) for _ in range(3))
    # QEMU is libvirt's child, not ours: watched by pid alone, its status unknown.
    watch = HelperWatch.start(lambda: [
        Watched("qemu", "vm", qemu.pid), Watched("passt", "network", passt.pid, passt),
        Watched("virt-viewer", "display", viewer.pid, viewer, quiet_ok=True)])
    for proc in (passt, viewer, qemu):  # passt and the viewer may see it first
        proc.kill()
    [lost] = _wait_lost(watch)
    assert (lost.helper, lost.grant, lost.stops, lost.status) == ("qemu", "vm", True, "")
    assert lost.effect == "the VM stopped unexpectedly: the meeting ended; everything was wiped"
    time.sleep(0.4)
    assert watch.lost() == []  # what died with it is not news
    watch.close()


def test_a_vms_passt_and_viewer_have_sentences_of_their_own(
        sleepers: list[subprocess.Popen[bytes]]) -> None:
    passt, killed = _sleeper(sleepers), _sleeper(sleepers)
    closed = subprocess.Popen(["sleep", "0.2"])  # the user closing the window: exit 0
    sleepers.append(closed)
    # The viewer's own thread reaps it (backends/vm/viewer.py): its status must still be
    # known, or a killed viewer would pass for one the user closed.
    for viewer in (closed, killed):
        threading.Thread(target=viewer.wait, daemon=True).start()
    watch = HelperWatch.start(lambda: [
        Watched("passt", "network", passt.pid, passt),
        Watched("virt-viewer", "display", closed.pid, closed, quiet_ok=True),
        Watched("virt-viewer", "display", killed.pid, killed, quiet_ok=True)])
    time.sleep(0.5)
    assert watch.lost() == []  # closed by the user: the session ends as the client's does
    passt.kill()
    [net] = _wait_lost(watch)
    assert (net.helper, net.grant, net.stops, net.status) == (
        "passt", "network", False, "killed by SIGKILL")
    assert net.effect == ("the VM's network helper (passt) stopped: the meeting has no "
                          "network now; nothing else is reachable")
    killed.kill()
    [window] = _wait_lost(watch)
    assert (window.helper, window.grant, window.stops, window.status) == (
        "virt-viewer", "display", True, "killed by SIGKILL")
    assert window.effect.startswith("the VM's window (virt-viewer) stopped: ")
    watch.close()


def test_the_session_watches_the_helpers_a_vm_handle_names() -> None:
    """session/resources.py lists a backend's own helpers (backends/base.HasHelpers)
    with the session's: the VM's QEMU, passt and viewer."""
    class VmLike:
        def helper_processes(self) -> list[HelperProcess]:
            return [HelperProcess("qemu", "vm", 101),
                    HelperProcess("virt-viewer", "display", 102, quiet_ok=True)]

    devices = SimpleNamespace(helpers=[], sound=None, mirror=None)
    resources = SessionResources(plan=None, devices=devices)  # type: ignore[arg-type]
    assert resources.helpers() == []  # a namespace handle names none
    resources.handle = VmLike()  # type: ignore[assignment]
    assert resources.helpers() == [Watched("qemu", "vm", 101),
                                   Watched("virt-viewer", "display", 102, quiet_ok=True)]
