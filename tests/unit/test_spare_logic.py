"""Spare sessions without a sandbox: matching plans, the pool's off switches, and the
lifecycle of a spare through a recording backend (the real one: tests/integration/
test_spare.py)."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from support.fake_sandbox import FakeBackend, FakeHandle, FakeResources

from sandbox_launcher.backends.base import BackendState, Resources
from sandbox_launcher.backends.namespace.spare import comparable, fits
from sandbox_launcher.backends.registry import Registry
from sandbox_launcher.core.errors import LauncherError
from sandbox_launcher.core.plan import LaunchPlan, RunOptions
from sandbox_launcher.core.policy import Policy, SystemFiles
from sandbox_launcher.session.launch import Launcher
from sandbox_launcher.session.lifecycle import Event, Outcome, State
from sandbox_launcher.session.spare import SparePool, SpareSession


class FakePrepared:
    """A prepared fake sandbox: records start and discard."""

    def __init__(self, backend: PreparingFake, plan: LaunchPlan) -> None:
        self.backend = backend
        self.plan = plan
        self.handle = FakeHandle(backend, backend.status)
        backend.handle = self.handle

    @property
    def state(self) -> BackendState:
        return self.handle.state

    def start(self, plan: LaunchPlan) -> FakeHandle:
        self.backend.calls.append(("spare-start", plan.command))
        return self.handle

    def discard(self) -> None:
        self.backend.calls.append(("discard",))


class PreparingFake(FakeBackend):
    def prepare(self, plan: LaunchPlan, resources: Resources) -> FakePrepared:
        self.calls.append(("prepare", plan.command, dict(resources.home_seed)))
        return FakePrepared(self, plan)


def _run_quietly(session: Any) -> None:
    """The app's runner, as far as the pool sees it: returns after the wipe."""
    with contextlib.suppress(LauncherError):  # a discarded spare says so
        session.run()


class FakePool(SparePool):
    """Plans its spares for the recording backend (a profile cannot name it)."""

    def options(self, profile: str) -> RunOptions:
        return replace(super().options(profile), backend="fake")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "p.toml").write_text("[network]\nmode = 'none'\n")
    (tmp_path / "sessions").mkdir()
    return tmp_path


def _launcher(base: Path, backend: FakeBackend) -> Launcher:
    return Launcher(Registry({"fake": lambda: backend}), profiles_dir=base / "profiles",
                    files=SystemFiles(base / "no-policy.toml", base / "no-admin"),
                    sessions_base=base / "sessions")


def _plan(launcher: Launcher, command: str = "client", **options: Any) -> LaunchPlan:
    return launcher.plan("p", RunOptions(command=(command,), backend="fake", **options))


def test_a_spare_fits_plans_that_differ_only_in_command_and_notes(env: Path) -> None:
    launcher = _launcher(env, PreparingFake())
    spare = _plan(launcher, "stand-in")
    wanted = replace(_plan(launcher, "zoom-client"), notes=("a link note",))
    assert fits(spare, wanted)
    assert comparable(spare) == comparable(wanted)
    # Anything that shapes the sandbox does not fit: its network, size, filter, env.
    assert not fits(spare, replace(wanted, home_size=wanted.home_size * 2))
    assert not fits(spare, replace(wanted, nested_userns=not wanted.nested_userns))
    assert not fits(spare, replace(wanted, env={**wanted.env, "X": "1"}))
    assert not fits(spare, replace(wanted, network=replace(wanted.network,
                                                           domains=("evil.example",))))
    assert not fits(spare, replace(wanted, client=replace(wanted.client,
                                                          mounts=(("/a", "/opt/x"),))))


def _run_spare(session: SpareSession) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []

    def target() -> None:
        try:
            result.append(session.run())
        except LauncherError as exc:
            result.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    assert session.ready.wait(10)
    return thread, result


def test_a_used_spare_runs_the_click_plan_and_says_nothing_before(env: Path) -> None:
    backend = PreparingFake(status=7)
    launcher = _launcher(env, backend)
    session = SpareSession(_plan(launcher, "stand-in"), backend, env / "sessions",
                           resources=lambda plan, workdir, runtime: FakeResources())
    thread, result = _run_spare(session)
    events: list[Event] = []
    assert session.prepared_state().data == {"token": "t1"}
    wanted = _plan(launcher, "real-client")
    assert not session.use(replace(wanted, home_size=1 << 20), events.append)  # other sandbox
    clicked = time.time()
    assert session.use(wanted, events.append)
    assert not session.use(wanted, events.append)  # once only
    while session.state is not State.RUNNING:
        thread.join(0.01)
    assert backend.handle is not None
    backend.handle.end()  # the client exits
    thread.join(10)
    outcome = result[0]
    assert isinstance(outcome, Outcome) and outcome.status == 7 and outcome.wipe_verified
    assert ("prepare", ("stand-in",), {}) in backend.calls
    assert ("spare-start", ("real-client",)) in backend.calls
    assert session.plan.command == ("real-client",)
    assert outcome.report["command"] == ["real-client"]
    assert outcome.report["started"] >= clicked  # the click, not when it was prepared
    assert [p.name for p in (env / "state").rglob("*.json")] == [f"{session.id}.json"]
    # The listener heard the session from the click on, never the spare's preparing.
    assert events[0].state is State.STARTING and events[-1].state is State.WIPED
    assert State.PREPARING not in [e.state for e in events]


def test_a_discarded_spare_is_wiped_and_verified(env: Path) -> None:
    backend = PreparingFake()
    launcher = _launcher(env, backend)
    session = SpareSession(_plan(launcher), backend, env / "sessions",
                           resources=lambda plan, workdir, runtime: FakeResources())
    thread, result = _run_spare(session)
    session.discard()
    assert not session.use(_plan(launcher), None)  # discarded: never used afterwards
    thread.join(10)
    assert isinstance(result[0], LauncherError)
    assert result[0].summary == "the spare session was not needed"
    assert ("discard",) in backend.calls and ("kill",) in backend.calls
    # The wipe found the sandbox through its recorded state, and verified it gone.
    assert ("wipe", "t1") in backend.calls and ("verify", "t1") in backend.calls
    assert not list((env / "sessions").iterdir())
    # Nobody's session: no report, no audit line (a used one has both, above).
    assert not list((env / "state").rglob("*.json"))


def test_the_pool_keeps_none_on_battery_when_off_or_forbidden(env: Path,
                                                              tmp_path: Path) -> None:
    power = tmp_path / "power"
    (power / "BAT0").mkdir(parents=True)
    (power / "BAT0" / "type").write_text("Battery\n")
    (power / "AC").mkdir()
    (power / "AC" / "type").write_text("Mains\n")
    (power / "AC" / "online").write_text("1\n")
    pool = SparePool(_launcher(env, PreparingFake()), lambda session: None, power_dir=power)
    assert pool.off_reason() == ""  # plugged in
    (power / "AC" / "online").write_text("0\n")
    assert pool.off_reason() == "the computer runs on battery"
    (power / "AC" / "online").write_text("1\n")
    pool.enabled = False
    assert pool.off_reason() == "turned off in the settings"
    pool.locked_off = Policy(settings={"sessions.spares": False}, source="/etc/p").spares_off
    assert "sessions] spares = false in /etc/p" in pool.off_reason()
    assert Policy().spares_off == ""


def test_the_pool_builds_hands_out_once_and_closes(env: Path) -> None:
    backend = PreparingFake()
    launcher = _launcher(env, backend)
    ran: list[SpareSession] = []

    def run(session: Any) -> None:
        ran.append(session)
        with contextlib.suppress(LauncherError):  # a discarded spare says so
            session.run()

    pool = FakePool(launcher, run, power_dir=env / "no-power",
                     resources=lambda plan, workdir, runtime: FakeResources())
    def waiting() -> SpareSession:
        for _ in range(500):
            if (found := pool.waiting("p")) is not None:
                return found
            threading.Event().wait(0.01)
        raise AssertionError(f"no spare: {pool.problems}")

    pool.keep(["p"])
    stale = waiting()
    # A click the spare does not fit (the profile changed since): it is replaced.
    assert pool.take(replace(_plan(launcher), home_size=1 << 20)) is None
    spare = waiting()
    assert spare is not stale and stale.taken and spare.thread is not None
    assert pool.take(_plan(launcher, "real")) is spare
    assert pool.take(_plan(launcher, "real")) is None  # handed out once
    spare.discard()  # the taker's now: the pool does not wait for it
    assert pool.close(10)
    spare.thread.join(10)
    assert [s for s in ran if s.thread is not None and s.thread.is_alive()] == []


def test_unplugged_the_pool_discards_its_spares_and_builds_them_again_plugged_in(
        env: Path, tmp_path: Path) -> None:
    power = tmp_path / "power"
    for name, kind in (("BAT0", "Battery"), ("AC", "Mains")):
        (power / name).mkdir(parents=True)
        (power / name / "type").write_text(kind + "\n")
    (power / "AC" / "online").write_text("1\n")
    backend = PreparingFake()
    pool = FakePool(_launcher(env, backend), _run_quietly, power_dir=power,
                    resources=lambda plan, workdir, runtime: FakeResources())

    def spare() -> SpareSession | None:
        for _ in range(300):
            if (found := pool.waiting("p")) is not None:
                return found
            threading.Event().wait(0.01)
        return None

    pool.keep(["p"])
    first = spare()
    assert first is not None
    (power / "AC" / "online").write_text("0\n")
    pool.refill()  # what the power watch does every minute
    assert first.taken and pool.waiting("p") is None
    assert first.thread is not None
    first.thread.join(10)  # its thread discards and wipes it
    assert ("discard",) in backend.calls and ("verify", "t1") in backend.calls
    (power / "AC" / "online").write_text("1\n")
    pool.refill()
    second = spare()
    assert second is not None and second is not first
    assert pool.close(10)
