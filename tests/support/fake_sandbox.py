"""A recording fake backend for unit tests of the session layer (no process behind it).

:class:`FakeBackend` implements the whole ``SandboxBackend`` protocol and records every
call in order, so tests state the calls they expect (the Qubes admin client's style).
Its sandbox runs until told to end. :class:`FakeResources` stands in for the jail and
the device helpers, and records microphone switches with the thread that made them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sandbox_launcher.backends.base import (
    CAPTURE_LIMIT,
    BackendState,
    Captured,
    HomeFiles,
    Resources,
)
from sandbox_launcher.core.check import Check
from sandbox_launcher.core.devices import DevicePlan
from sandbox_launcher.core.plan import LaunchPlan
from sandbox_launcher.devices.host import HostDevices
from sandbox_launcher.devices.usage import Use
from sandbox_launcher.session.helpers_watch import Watched


class FakeResources:
    """The session's jail and devices, faked: a microphone that may be switchable, and
    network events the test queues."""

    def __init__(self, switchable: bool = False) -> None:
        self.handle: Any = None
        self.network_report: dict[str, Any] = {}
        self.devices_report: dict[str, Any] = {}
        self.switchable = switchable
        self.calls: list[tuple[bool, str]] = []
        self.muted = True
        self.closed = 0
        self.given: Resources | None = None
        #: Helper processes the session watches (real processes a test starts).
        self.watched: list[Watched] = []

    def for_backend(self, workdir: Path, seed: HomeFiles | None = None,
                    capture: tuple[str, ...] = (), limit: int = CAPTURE_LIMIT) -> Resources:
        devices = HostDevices(DevicePlan(), workdir, own_workdir=False)
        self.given = Resources(workdir, devices, None, dict(seed or {}), capture, limit)
        return self.given

    def network_fd(self) -> int | None:
        return None

    def network_events(self) -> list[dict[str, Any]]:
        return []

    def network_snapshot(self) -> dict[str, Any]:
        return {}

    def device_fd(self) -> int | None:
        return None

    def device_events(self) -> list[dict[str, Any]]:
        return []

    def device_usage(self) -> dict[str, Use]:
        return {}

    def mic_switchable(self) -> bool:
        return self.switchable

    def set_mic(self, muted: bool) -> bool:
        self.calls.append((muted, threading.current_thread().name))
        self.muted = muted
        return muted

    def helpers(self) -> list[Watched]:
        return list(self.watched)

    def close(self) -> None:
        self.closed += 1
        self.devices_report = {"checks": [Check("device helpers stopped", True,
                                                "none were started")]}


class FakeHandle:
    """A sandbox that runs until told to end."""

    def __init__(self, backend: FakeBackend, status: int = 0) -> None:
        self.backend = backend
        self.state = BackendState("fake", 1, {"token": backend.token})
        self.status = status
        self._end_r, self._end_w = os.pipe()
        self.ended = False

    def fileno(self) -> int:
        return self._end_r

    def members(self) -> list[int]:
        return []

    def terminate(self) -> None:
        self.backend.calls.append(("terminate",))
        self.end()

    def kill(self) -> None:
        self.backend.calls.append(("kill",))
        self.end()

    def end(self) -> None:
        """The client exits."""
        if not self.ended:
            self.ended = True
            os.write(self._end_w, b"x")

    def wait(self) -> int:
        self.backend.calls.append(("wait",))
        os.close(self._end_r)
        os.close(self._end_w)
        return self.status

    def captured(self) -> Captured:
        return Captured(dict(self.backend.home_after))


class FakeBackend:
    """Records every call; its sandboxes end when stopped (or when a test ends them)."""

    name = "fake"

    def __init__(self, token: str = "t1", status: int = 0) -> None:
        self.token = token
        self.status = status
        self.calls: list[tuple[Any, ...]] = []
        self.handle: FakeHandle | None = None
        self.seeded: dict[str, bytes] = {}
        #: What the client's home holds when it ends (the capture returns it).
        self.home_after: dict[str, bytes] = {}
        #: Whether verify finds something left.
        self.leftover = False
        #: Start steps the backend says (``backends.base.BOOT_STEPS``), as a VM does.
        self.steps: tuple[str, ...] = ()

    def check_host(self) -> None:
        self.calls.append(("check_host",))

    def notes(self, plan: LaunchPlan) -> tuple[str, ...]:
        return ()

    def runtime_dir(self, plan: LaunchPlan) -> str:
        return "/run/user/1"

    def start(self, plan: LaunchPlan, resources: Resources) -> FakeHandle:
        self.calls.append(("start", plan.profile, tuple(resources.home_capture)))
        for step in self.steps:  # as a slow backend (a VM) says where its start is
            resources.say(step)
        self.seeded = dict(resources.home_seed)
        self.handle = FakeHandle(self, self.status)
        return self.handle

    def wipe(self, state: BackendState) -> int:
        self.calls.append(("wipe", state.data.get("token")))
        return 0

    def verify(self, state: BackendState, listeners_before: Mapping[int, str]) -> list[Check]:
        self.calls.append(("verify", state.data.get("token")))
        return [Check("fake sandbox gone", not self.leftover,
                      "still there" if self.leftover else "gone")]

    def recover(self, state: BackendState) -> int:
        self.calls.append(("recover", state.data.get("token")))
        return 1

    def join(self, state: BackendState, workdir: Path, argv: list[str]) -> int:
        self.calls.append(("join", state.data.get("token"), tuple(argv)))
        return 4242

    def members(self, state: BackendState) -> list[int]:
        self.calls.append(("members", state.data.get("token")))
        return []
