"""Device use (pure parts): the usage log's intervals and events, the microphone's
recording streams from pactl's JSON, the portal's casts from the proxy's log, the /proc
fd scan on this very process, and the session's DeviceWatch with a recording fake."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

import pytest

from sandbox_launcher.core.devices import Camera
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.profile import load_profiles
from sandbox_launcher.devices.usage import (
    CAMERA,
    MICROPHONE,
    SCREEN,
    PortalWatch,
    Use,
    camera_use,
    recording_streams,
)
from sandbox_launcher.host import procs
from sandbox_launcher.session.events import DeviceUse, Join, LiveEvent
from sandbox_launcher.session.planning import make_plan
from sandbox_launcher.session.usage import (
    DeviceWatch,
    UsageLog,
    granted_devices,
    iso,
    note_device_event,
)


def _epoch(stamp: str) -> float:
    return datetime.datetime.fromisoformat(stamp).timestamp()


def test_the_log_announces_changes_only_and_keeps_intervals() -> None:
    log = UsageLog((CAMERA, MICROPHONE), 2.0)
    assert log.polled
    assert log.update({CAMERA: Use(False), MICROPHONE: Use(False)}, 100.0) == []
    assert log.update({CAMERA: Use(True)}, 102.0) == [
        DeviceUse(CAMERA, True, 102.0)]
    assert log.update({CAMERA: Use(True), SCREEN: Use(True)}, 104.0) == []  # not granted
    assert log.update({CAMERA: Use(False)}, 106.5) == [
        DeviceUse(CAMERA, False, 106.5)]
    log.update({CAMERA: Use(True), MICROPHONE: Use(True)}, 110.0)
    closing = log.close(111.0)
    assert [(e.device, e.in_use) for e in closing] == [(CAMERA, False), (MICROPHONE, False)]
    assert log.close(112.0) == []  # nothing is open any more
    report = log.report()
    assert [(_epoch(i["from"]), _epoch(i["to"]), i["seconds"]) for i in report[CAMERA]] == [
        (102.0, 106.5, 4.5), (110.0, 111.0, 1.0)]
    assert report[MICROPHONE] == [{"from": iso(110.0), "to": iso(111.0), "seconds": 1.0}]
    assert report["totals_s"] == {CAMERA: 5.5, MICROPHONE: 1.0}
    assert report["checked_every_s"] == 2.0 and set(report["how"]) == {CAMERA, MICROPHONE}


def test_an_assumed_use_says_why_in_the_event_and_the_interval() -> None:
    log = UsageLog((CAMERA,), 2.0)
    why = "1 process(es) of the session hide their open files (not dumpable)"
    assert log.update({CAMERA: Use(True, why)}, 1.0)[0].assumed == why
    log.close(3.0)
    assert log.report()[CAMERA][0]["assumed"] == why
    # Seen first, hidden later in the same interval: the interval says so too.
    log = UsageLog((CAMERA,), 2.0)
    log.update({CAMERA: Use(True)}, 1.0)
    assert log.update({CAMERA: Use(True, why)}, 3.0) == []
    log.close(5.0)
    assert log.report()[CAMERA][0]["assumed"] == why


def test_the_screen_is_told_how_it_is_seen_and_not_polled() -> None:
    log = UsageLog((SCREEN,), 2.0, "portal")
    assert not log.polled
    assert "ScreenCast.Start" in log.report()["how"][SCREEN]
    assert granted_devices(True, False, True) == (CAMERA, SCREEN)
    assert granted_devices(False, False, False) == ()


def test_the_app_keeps_since_when_a_device_is_in_use() -> None:
    in_use: dict[str, float] = {}
    note_device_event(in_use, DeviceUse(CAMERA, True, 5.0), now=9.0)
    note_device_event(in_use, DeviceUse(CAMERA, True, 7.0), now=9.0)
    note_device_event(in_use, DeviceUse(MICROPHONE, True), now=9.0)
    assert in_use == {CAMERA: 5.0, MICROPHONE: 9.0}
    note_device_event(in_use, DeviceUse(CAMERA, False), now=10.0)
    assert in_use == {MICROPHONE: 9.0}


def test_the_app_knows_which_use_was_assumed_not_seen() -> None:
    in_use: dict[str, float] = {}
    assumed: set[str] = set()
    note_device_event(in_use, DeviceUse(CAMERA, True, 5.0, "1 process(es) hide their open files"),
                      9.0, assumed)
    note_device_event(in_use, DeviceUse(MICROPHONE, True), 9.0, assumed)
    assert assumed == {CAMERA} and set(in_use) == {CAMERA, MICROPHONE}
    note_device_event(in_use, DeviceUse(CAMERA, False), 10.0, assumed)
    assert assumed == set()


SOURCES = json.dumps([{"index": 0, "name": "speakers.monitor"},
                      {"index": 1, "name": "microphone"}])


def _output(source: int, client: str | None = "7", corked: bool = False) -> dict[str, Any]:
    return {"index": 9, "driver": "protocol-native.c", "client": client, "source": source,
            "corked": corked}


@pytest.mark.parametrize(("outputs", "count"), [
    ([], 0),
    ([_output(1, client=None)], 0),  # a module's own stream (no client) on the microphone
    ([_output(0)], 0),  # the client recording what it plays (speakers.monitor)
    ([_output(1, corked=True)], 0),  # a paused stream records nothing
    ([_output(1)], 1),
    ([_output(1), _output(1), _output(1, client=None), _output(0)], 2),
])
def test_recording_streams_count_clients_recording_the_microphone(
        outputs: list[dict[str, Any]], count: int) -> None:
    assert recording_streams(SOURCES, json.dumps(outputs)) == count


def test_recording_streams_survive_garbage() -> None:
    assert recording_streams("not json", "[]") == 0
    assert recording_streams(SOURCES, '[1, "x", null]') == 0


def test_the_portal_watch_follows_start_and_close_in_the_proxy_log() -> None:
    read_fd, write_fd = os.pipe2(os.O_CLOEXEC)
    watch = PortalWatch(read_fd)
    try:
        portal = "org.freedesktop.portal"
        os.write(write_fd, (
            f"C2: -> {portal}.Desktop call {portal}.ScreenCast.CreateSession at "
            "/org/freedesktop/portal/desktop\n"
            f"C3: -> :1.9 call {portal}.ScreenCast.Start at /somewhere/else\n"
            f"C4: -> {portal}.Desktop call {portal}.ScreenCast.Sta").encode())
        assert watch.events() == []  # a torn line waits for its end; a wrong path is no cast
        os.write(write_fd, b"rt at /org/freedesktop/portal/desktop\n")
        assert watch.events() == [{"type": "device", "device": SCREEN, "in_use": True}]
        os.write(write_fd, (f"C5: -> {portal}.Desktop call {portal}.Session.Close at "
                            "/org/freedesktop/portal/desktop/session/1_9/t\n").encode())
        assert watch.events() == [{"type": "device", "device": SCREEN, "in_use": False}]
        os.write(write_fd, (f"C6: -> :1.9 call {portal}.ScreenCast.Start at "
                            "/org/freedesktop/portal/desktop\n"
                            f"B9: <- :1.9 signal {portal}.Session.Closed at "
                            "/org/freedesktop/portal/desktop/session/1_9/u\n").encode())
        assert watch.events() == []  # started and closed between two reads: no change
        os.write(write_fd, (f"C7: -> {portal}.Desktop call {portal}.ScreenCast.Start at "
                            "/org/freedesktop/portal/desktop\n").encode())
        assert watch.events() == [{"type": "device", "device": SCREEN, "in_use": True}]
        os.close(write_fd)  # the proxy died: its connection, and the cast, are gone
        write_fd = -1
        assert watch.events() == [{"type": "device", "device": SCREEN, "in_use": False}]
        assert watch.eof
    finally:
        if write_fd >= 0:
            os.close(write_fd)
        watch.close()


def test_the_fd_scan_finds_who_holds_a_character_device(tmp_path: Path) -> None:
    rdev = os.stat("/dev/null").st_rdev
    with open("/dev/null", "rb"):
        assert procs.char_device_holders([os.getpid()], rdev) == ([os.getpid()], [])
    assert procs.char_device_holders([os.getpid()], os.makedev(81, 250)) == ([], [])
    # Gone processes are skipped, not errors.
    assert procs.char_device_holders([2**22 + 12345], rdev) == ([], [])
    null = Camera("video9", "null", "/dev/null", os.major(rdev), os.minor(rdev))
    fd = os.open("/dev/null", os.O_PATH)  # an O_PATH fd of the node counts, too
    try:
        assert camera_use(null, lambda: [os.getpid()]) == Use(True)
    finally:
        os.close(fd)


class _Handle:
    """Answers device_usage() from a script; records nothing else."""

    def __init__(self, answers: list[dict[str, Use]], switchable: bool = True) -> None:
        self.answers = answers
        self.switchable = switchable

    def mic_switchable(self) -> bool:
        return self.switchable

    def device_usage(self) -> dict[str, Use]:
        return self.answers.pop(0) if self.answers else {}


def test_the_device_watch_polls_routes_screen_news_and_ends(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "p.toml").write_text("[network]\nmode = 'none'\n")
    plan = make_plan(load_profiles(folder).get("p"), RunOptions(command=("true",)), {})
    published: list[LiveEvent] = []
    handle = _Handle([{MICROPHONE: Use(False)}, {MICROPHONE: Use(True)}])
    watch = DeviceWatch.start(plan, handle, published.extend, 2.0)  # type: ignore[arg-type]
    assert watch is not None and watch.polled and published == []
    watch.poll()
    assert published == [DeviceUse(MICROPHONE, True, published[0].at)]  # type: ignore[union-attr]
    joined = Join("web", "meet.example.org", 1.0, 7)
    watch.device_events([joined])
    assert published[-1] == joined  # passed through
    watch.end()
    assert [(e.device, e.in_use) for e in published[-1:]  # type: ignore[union-attr]
            ] == [(MICROPHONE, False)]
    assert len(watch.log.report()[MICROPHONE]) == 1
    # Nothing granted (no camera, no microphone, no screen): nothing to watch.
    assert DeviceWatch.start(plan, _Handle([], switchable=False), published.extend,  # type: ignore[arg-type]
                             2.0) is None
