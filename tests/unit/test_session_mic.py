"""Session.set_mic from other threads: applied by the session's own thread, in order,
announced as :class:`Mic` events; and the audio grant's planning."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from support.fake_sandbox import FakeBackend, FakeResources

from sandbox_launcher.core.errors import UsageError
from sandbox_launcher.core.plan import LaunchPlan, RunOptions
from sandbox_launcher.core.policy import DevicePolicy, Policy
from sandbox_launcher.core.profile import Profile, load_profiles
from sandbox_launcher.devices.audio import host_sound_server, plan_audio
from sandbox_launcher.session.events import Mic
from sandbox_launcher.session.lifecycle import Event, Session
from sandbox_launcher.session.planning import make_plan


def _profile(tmp_path: Path) -> Profile:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "p.toml").write_text("[network]\nmode = 'none'\n")
    return load_profiles(folder).get("p")


@pytest.fixture
def plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LaunchPlan:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return make_plan(_profile(tmp_path), RunOptions(command=("true",)), {})


def _run_with(plan: LaunchPlan, tmp_path: Path, switchable: bool,
              requests: list[bool]) -> tuple[FakeResources, list[Mic]]:
    handle = FakeResources(switchable)
    (tmp_path / "sessions").mkdir(exist_ok=True)
    events: list[Mic] = []
    session: Session

    def listen(event: Event) -> None:
        if isinstance(event.data, Mic):
            events.append(event.data)
            if len(events) == 1:  # running: the app's thread switches, then stops
                def app() -> None:
                    for muted in requests:
                        session.set_mic(muted)
                    session.request_stop()
                threading.Thread(target=app, name="app").start()

    session = Session(plan, FakeBackend(), listener=listen,
                      sessions_base=tmp_path / "sessions", resources=lambda *_: handle)
    if not switchable:
        def app() -> None:
            session.set_mic(False)
            session.request_stop()
        threading.Timer(0.2, app).start()
    session.run()
    session.set_mic(False)  # after the end: ignored, never written to a closed fd
    return handle, events


def test_set_mic_from_another_thread_is_applied_by_the_session(plan: LaunchPlan,
                                                               tmp_path: Path) -> None:
    handle, events = _run_with(plan, tmp_path, True, [False, True, False])
    assert [muted for muted, _ in handle.calls] == [False, True, False]
    assert {thread for _, thread in handle.calls} == {"MainThread"}
    assert events == [Mic(True), Mic(False), Mic(True), Mic(False)]


def test_set_mic_without_a_microphone_says_why(plan: LaunchPlan, tmp_path: Path) -> None:
    handle, events = _run_with(plan, tmp_path, False, [])
    assert handle.calls == []
    assert events == [Mic(True, "this session has no microphone to switch on")]


def test_audio_plan(tmp_path: Path) -> None:
    sock = tmp_path / "native"
    sock.touch()
    host = {"PULSE_SERVER": f"unix:{sock}", "HOME": "/home/a", "DISPLAY": ":0"}
    assert host_sound_server(host) == f"unix:{sock}"
    assert host_sound_server({"PULSE_SERVER": "tcp:10.0.0.1"}) == ""
    assert host_sound_server({"XDG_RUNTIME_DIR": str(tmp_path)}) == ""
    (tmp_path / "pulse").mkdir()
    (tmp_path / "pulse" / "native").touch()
    assert host_sound_server({"XDG_RUNTIME_DIR": str(tmp_path)}).endswith("/pulse/native")
    grant, refused = plan_audio(True, None, True, host)
    assert grant.enabled and grant.mic_allowed and not grant.mic_at_start and not refused
    assert dict(grant.host_env) == {"HOME": "/home/a"}  # never the display or the like
    assert plan_audio(True, True, True, host)[0].mic_at_start
    no_mic = plan_audio(True, False, True, host)[0]
    assert no_mic.enabled and not no_mic.mic_allowed and "--no-mic" in no_mic.describe_mic()
    assert not plan_audio(False, None, True, host)[0].enabled  # no speakers, no --mic
    assert plan_audio(False, True, True, host)[0].enabled
    assert plan_audio(True, True, False, host)[1] == \
        "the system policy never grants the microphone"
    assert "no sound system" in str(plan_audio(True, True, True, {})[1])
    without = plan_audio(True, None, True, {**host, "PATH": str(tmp_path)})
    assert not without[0].enabled and "pulseaudio-utils" in without[0].reason


def test_mic_refused_before_launch(tmp_path: Path) -> None:
    profile = _profile(tmp_path)
    options = RunOptions(command=("true",), mic=True)
    with pytest.raises(UsageError, match="no sound system"):
        make_plan(profile, options, {})
    with pytest.raises(UsageError, match="policy never grants"):
        make_plan(profile, options, {}, Policy(devices=DevicePolicy(allow_mic=False)))
    grants = make_plan(profile, RunOptions(command=("true",)), {}).grants()
    assert grants["audio"].startswith("none (no sound system")
