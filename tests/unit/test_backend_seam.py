"""A second backend drives the whole session lifecycle through the registry.

The recording fake (``fake_sandbox.FakeBackend``) stands for any backend: the session
starts it through :class:`Launcher`, hands it the resources, stores its opaque state,
and asks it — never namespaces — to wipe, verify, join and recover after a killed
launcher. The calls it records are the contract.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from support.fake_sandbox import FakeBackend, FakeResources

from sandbox_launcher.backends.base import BackendState
from sandbox_launcher.backends.registry import Registry
from sandbox_launcher.core.errors import LauncherError, UsageError
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.policy import SystemFiles
from sandbox_launcher.session import control, store
from sandbox_launcher.session.launch import Launcher
from sandbox_launcher.session.lifecycle import Event, Session, State


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "p.toml").write_text("[network]\nmode = 'none'\n")
    (tmp_path / "sessions").mkdir()
    return tmp_path


def _launcher(base: Path, backend: FakeBackend,
              record: list[tuple[Any, ...]] | None = None) -> Launcher:
    return Launcher(Registry({"fake": lambda: backend}), profiles_dir=base / "profiles",
                    files=SystemFiles(base / "no-policy.toml", base / "no-admin"),
                    sessions_base=base / "sessions",
                    record_client=(lambda c, s: record.append((c, s))) if record is not None
                    else None)


def test_the_registry_chooses_and_names_backends() -> None:
    registry = Registry({"a": FakeBackend, "b": FakeBackend})
    assert registry.names() == ("a", "b")
    assert registry.choose("a", None) == "a"
    assert registry.choose("a", "b") == "b"
    assert registry.choose("a", "b", locked="a") == "a"  # the policy's lock wins
    with pytest.raises(UsageError, match="there is no backend 'c'") as refused:
        registry.choose("a", "c")
    assert refused.value.hint == "choose one of: a, b"
    with pytest.raises(UsageError, match="there is no backend 'c'"):
        registry.get("c")


def test_a_session_runs_start_to_verified_wipe_through_any_backend(env: Path) -> None:
    backend = FakeBackend(token="abc", status=3)
    backend.home_after = {".config/app.conf": b"signed in"}
    launcher = _launcher(env, backend)
    plan = launcher.plan("p", RunOptions(command=("client",), backend="fake"))
    assert plan.backend == "fake"
    states: list[State] = []
    resources = FakeResources()
    session: Session

    def listen(event: Event) -> None:
        if event.data is None:
            states.append(event.state)
        if event.state is State.RUNNING and event.data is None:
            # What another process sees while it runs: the backend's opaque state.
            found = store.find_session(session.id, env / "sessions")
            assert found.record.backend_state == {"backend": "fake", "version": 1,
                                                  "data": {"token": "abc"}}
            threading.Timer(0.05, session.request_stop).start()

    session = Session(plan, launcher.registry.get(plan.backend), listener=listen,
                      sessions_base=env / "sessions", home_seed={".zoom/data/a": b"seed"},
                      home_capture=(".config/app.conf",), resources=lambda *_: resources)
    outcome = session.run()
    assert states == [State.PREPARING, State.STARTING, State.RUNNING, State.STOPPING,
                      State.WIPING, State.VERIFYING, State.WIPED]
    assert backend.calls == [("check_host",), ("start", "p", (".config/app.conf",)),
                             ("terminate",), ("wait",), ("wipe", "abc"), ("verify", "abc")]
    assert backend.seeded == {".zoom/data/a": b"seed"}
    assert outcome.captured.files == {".config/app.conf": b"signed in"}
    assert outcome.status == 3
    assert resources.closed == 1
    checks = outcome.report["wipe"]["checks"]
    assert [c["name"] for c in checks] == ["fake sandbox gone", "no file left",
                                           "device helpers stopped"]
    assert outcome.wipe_verified
    assert not (env / "sessions" / session.id).exists()


def test_what_the_backend_finds_left_fails_the_wipe(env: Path) -> None:
    backend = FakeBackend()
    backend.leftover = True
    launcher = _launcher(env, backend)
    plan = launcher.plan("p", RunOptions(command=("client",), backend="fake"))
    session = launcher.session(plan)
    session._start_resources = lambda *_: FakeResources()
    threading.Timer(0.1, session.request_stop).start()
    outcome = session.run()
    assert session.state is State.FAILED
    assert not outcome.wipe_verified
    assert {"name": "fake sandbox gone", "ok": False, "detail": "still there"} in (
        outcome.report["wipe"]["checks"])


def test_the_launch_path_records_a_store_client_outcome(env: Path) -> None:
    from dataclasses import replace

    from sandbox_launcher.session.lifecycle import Outcome

    recorded: list[tuple[Any, ...]] = []
    launcher = _launcher(env, FakeBackend(), recorded)
    plan = launcher.plan("p", RunOptions(command=("client",), backend="fake"))
    assert launcher.finished(launcher.session(plan), Outcome(0)) == ()
    assert recorded == []  # not a store client: nothing to record
    store_plan = replace(plan, client=replace(plan.client, store_client=("zoom", "6.0")))
    launcher.finished(launcher.session(store_plan), Outcome(0))
    assert recorded == [(("zoom", "6.0"), 0)]


def _killed_owner(base: Path, token: str) -> str:
    """A launcher that recorded a running fake session, then died by SIGKILL."""
    session_id = store.new_id("p")
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the launcher: owns the session, then hangs until killed
        os.close(ready_r)
        record = store.SessionRecord(
            id=session_id, profile="p", backend="fake", state="running", started=1.0,
            launcher_pid=os.getpid(),
            backend_state=BackendState("fake", 1, {"token": token}).to_dict())
        store.OwnedSession(record, base)
        os.write(ready_w, b"x")
        signal.pause()
        os._exit(0)
    os.close(ready_w)
    assert os.read(ready_r, 1) == b"x"
    os.close(ready_r)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return session_id


def test_a_killed_launchers_session_is_recovered_by_its_backend(env: Path) -> None:
    base = env / "sessions"
    session_id = _killed_owner(base, "stale1")
    found = store.find_session(session_id, base)
    assert found.stale
    backend = FakeBackend()
    wiped = control.wipe_stale(base, Registry({"fake": lambda: backend}))
    assert [w.id for w in wiped] == [session_id]
    assert backend.calls == [("recover", "stale1"), ("verify", "stale1")]
    assert wiped[0].verified and wiped[0].killed == 1
    assert wiped[0].report["recovered_stale"] is True
    assert not (base / session_id).exists()
    saved = json.loads((env / "state" / "sandbox-launcher" / "reports"
                        / f"{session_id}.json").read_text())
    assert saved["wipe"]["verified"] is True


def test_a_stale_session_of_an_unknown_backend_is_not_called_clean(env: Path) -> None:
    base = env / "sessions"
    session_id = _killed_owner(base, "x")
    wiped = control.wipe_stale(base, Registry({}))
    assert [w.id for w in wiped] == [session_id]
    assert not wiped[0].verified
    assert any("cannot clean it up" in c["detail"] for c in wiped[0].report["wipe"]["checks"])


def test_records_of_older_launchers_still_load() -> None:
    old = {"id": "zoom-1", "profile": "zoom", "backend": "namespace", "state": "running",
           "started": 1.0, "command": ["zoom"], "launcher_pid": 7, "leader_pid": 8,
           "namespaces": {"pid": 11, "mnt": 12}}
    record = store.SessionRecord.from_dict(old)
    state = BackendState.from_dict(record.backend_state)
    assert state == BackendState("namespace", 1, {"leader_pid": 8,
                                                  "namespaces": {"pid": 11, "mnt": 12}})


# --------------------------------------------------------------------------- the Runner seam


def test_the_namespace_backend_finds_bwrap_through_its_runner(env: Path) -> None:
    from support.fake_runner import RecordingRunner

    from sandbox_launcher.backends.namespace.backend import NamespaceBackend
    from sandbox_launcher.core.errors import CommandNotFound, MissingTool

    missing = RecordingRunner(programs={})
    with pytest.raises(MissingTool, match="bwrap is not installed"):
        NamespaceBackend(runner=missing).check_host()
    assert missing.calls == [("which", "bwrap")]

    # A client that does not exist is refused before anything is spawned (the fake
    # fails the test on any spawn).
    found = RecordingRunner(programs={"bwrap": "/usr/bin/bwrap"})
    launcher = _launcher(env, FakeBackend())
    plan = launcher.plan("p", RunOptions(command=("no-such-client-anywhere",), backend="fake"))
    with pytest.raises(CommandNotFound):
        NamespaceBackend(runner=found).start(plan, FakeResources().for_backend(env))
    assert found.calls == [("which", "bwrap")]
    found.done()


def test_the_command_line_takes_its_launch_path_from_the_caller(env: Path) -> None:
    import io

    from sandbox_launcher.cli.main import main

    base = env / "sessions"
    session_id = _killed_owner(base, "cli1")
    backend = FakeBackend()
    out, err = io.StringIO(), io.StringIO()
    assert main(["wipe", "--stale"], out, err, launcher=_launcher(env, backend)) == 0
    assert f"wiped stale session {session_id}" in out.getvalue()
    assert backend.calls == [("recover", "cli1"), ("verify", "cli1")]


def test_planning_asks_the_host_only_through_what_it_is_given(env: Path) -> None:
    from sandbox_launcher.core.devices import Camera
    from sandbox_launcher.session.planning import HostLookups

    asked: list[str] = []

    class Cameras:
        def resolve(self, name: str) -> Camera:
            asked.append(name)
            return Camera("video7", "Stand-in", "/dev/video7", 81, 7)

    launcher = _launcher(env, FakeBackend())
    launcher.host = lambda windows: HostLookups({"LANG": "C.UTF-8"}, windows,
                                                Cameras(), None)  # type: ignore[arg-type]
    plan = launcher.plan("p", RunOptions(command=("client",), camera="cam", backend="fake"))
    assert asked == ["cam"] and plan.devices.camera is not None
    assert plan.devices.camera.node == "/dev/video7"
    assert plan.env["LANG"] == "C.UTF-8" and "DISPLAY" not in plan.env  # not the test's env
    # A store client with no store passed in is simply not installed: nothing is read.
    with pytest.raises(LauncherError, match="not installed"):
        launcher.plan("zoom", RunOptions(backend="fake", network="none"))


def test_stop_id_stops_only_that_session_of_a_launcher_that_runs_several(env: Path) -> None:
    """``stop ID`` asks the owner through the session's inbox: an app with two meetings
    keeps the other one (and is not sent SIGTERM)."""
    base = env / "sessions"
    sessions = []
    for token in ("one", "two"):
        backend = FakeBackend(token=token)
        launcher = _launcher(env, backend)
        plan = launcher.plan("p", RunOptions(command=("client",), backend="fake"))
        session = launcher.session(plan)
        session._start_resources = lambda *_: FakeResources()
        sessions.append((session, backend))
    running = threading.Barrier(3)
    threads = []
    for session, _backend in sessions:
        session._listener = (lambda e: running.wait(5) if (
            e.state is State.RUNNING and e.data is None) else None)
        threads.append(threading.Thread(target=session.run))
        threads[-1].start()
    running.wait(5)
    first, second = sessions
    said = control.stop(first[0].id, base, timeout=10)
    assert said.startswith(f"stopped session {first[0].id}") and "wipe verified" in said
    threads[0].join(5)
    assert ("terminate",) in first[1].calls
    assert second[0].state is State.RUNNING and ("terminate",) not in second[1].calls
    second[0].request_stop()
    threads[1].join(5)
    assert second[0].state is State.WIPED


def test_a_slow_backends_start_steps_reach_the_listener_and_the_app(env: Path) -> None:
    """A VM says where its start is (image, boot, client…): each step is a BootStep event
    while the session is STARTING, timed from the session's start, in order, and `run`
    prints it."""
    from sandbox_launcher.cli.live_lines import line
    from sandbox_launcher.session.events import BootStep

    backend = FakeBackend(token="steps")
    backend.steps = ("image", "boot", "client")
    launcher = _launcher(env, backend)
    plan = launcher.plan("p", RunOptions(command=("client",), backend="fake"))
    seen: list[tuple[State, BootStep]] = []
    session: Session

    def listen(event: Event) -> None:
        if isinstance(event.data, BootStep):
            seen.append((event.state, event.data))
        if event.state is State.RUNNING and event.data is None:
            threading.Timer(0.05, session.request_stop).start()

    session = Session(plan, launcher.registry.get(plan.backend), listener=listen,
                      sessions_base=env / "sessions", resources=lambda *_: FakeResources())
    session.run()
    assert [(state, e.step) for state, e in seen] == [
        (State.STARTING, "image"), (State.STARTING, "boot"), (State.STARTING, "client")]
    times = [e.at for _, e in seen]
    assert times == sorted(times) and 0 <= times[0] < 60
    assert line(seen[1][1], verbose=False, launcher_pid=1) == (
        f"sandbox-launcher: booting the VM… ({seen[1][1].at:.1f} s)")
