"""A launcher killed during its verify step still leaves a report (issue 16, item 4).

The state dir goes before the verify step (it is one of the things verified), so after
that moment ``wipe --stale`` has nothing to find: the session writes a provisional
report first ("wipe not verified"), and the verified one replaces it. The recording
fake backend looks at the disk at the moment verify is called, where a SIGKILL would
stop everything.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from support.fake_sandbox import FakeBackend, FakeResources

from sandbox_launcher.backends.base import BackendState
from sandbox_launcher.backends.registry import Registry
from sandbox_launcher.core.check import Check
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.policy import SystemFiles
from sandbox_launcher.session.launch import Launcher


class WatchingBackend(FakeBackend):
    """Records what a launcher killed at the start of its verify step would leave."""

    reports: Path
    at_verify: dict[str, Any]

    def verify(self, state: BackendState, listeners_before: Mapping[int, str]) -> list[Check]:
        saved = sorted(self.reports.glob("*.json"))
        self.at_verify = {"reports": [json.loads(p.read_text()) for p in saved]}
        return super().verify(state, listeners_before)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "p.toml").write_text("[network]\nmode = 'none'\n")
    (tmp_path / "sessions").mkdir()
    return tmp_path


def test_a_report_exists_before_the_verify_step_and_is_then_replaced(env: Path) -> None:
    backend = WatchingBackend()
    backend.reports = env / "state" / "sandbox-launcher" / "reports"
    launcher = Launcher(Registry({"fake": lambda: backend}), profiles_dir=env / "profiles",
                        files=SystemFiles(env / "no-policy.toml", env / "no-admin"),
                        sessions_base=env / "sessions")
    plan = launcher.plan("p", RunOptions(command=("client",), backend="fake"))
    session = launcher.session(plan)
    session._start_resources = lambda *_: FakeResources()
    threading.Timer(0.05, session.request_stop).start()
    outcome = session.run()
    [early] = backend.at_verify["reports"]
    assert early["id"] == session.id and early["provisional"] is True
    assert early["wipe"]["verified"] is False
    assert "before its wipe was verified" in early["wipe"]["checks"][0]["detail"]
    assert not (env / "sessions" / session.id).exists()
    final = json.loads((backend.reports / f"{session.id}.json").read_text())
    assert "provisional" not in final and final["wipe"]["verified"] is True
    assert outcome.wipe_verified
