"""A fake sandbox for unit tests of the session lifecycle: it runs until told to end.

Implements the SandboxHandle protocol with nothing behind it; records microphone switches
(and the thread that made them) so tests can check they run on the session's thread.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from sandbox_launcher.backends.base import SandboxInfo
from sandbox_launcher.core.plan import LaunchPlan
from sandbox_launcher.devices.usage import Use


class FakeHandle:
    """A sandbox that runs until told to end; records mic switches and their thread."""

    def __init__(self, switchable: bool = False) -> None:
        self.info = SandboxInfo(launcher_pid=os.getpid(), leader_pid=0)
        self.network_report: dict[str, Any] = {}
        self.devices_report: dict[str, Any] = {}
        self.switchable = switchable
        self.calls: list[tuple[bool, str]] = []
        self.muted = True
        self._end_r, self._end_w = os.pipe()

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

    def fileno(self) -> int:
        return self._end_r

    def mic_switchable(self) -> bool:
        return self.switchable

    def set_mic(self, muted: bool) -> bool:
        self.calls.append((muted, threading.current_thread().name))
        self.muted = muted
        return muted

    def terminate(self) -> None:
        os.write(self._end_w, b"x")

    def kill(self) -> None:
        self.terminate()

    def wait(self) -> int:
        os.close(self._end_r)
        os.close(self._end_w)
        return 0


class FakeBackend:
    """Starts its one :class:`FakeHandle` (a new one unless given)."""

    name = "fake"

    def __init__(self, handle: FakeHandle | None = None) -> None:
        self.handle = handle or FakeHandle()

    def check_host(self) -> None:
        pass

    def start(self, plan: LaunchPlan, workdir: Path | None = None) -> FakeHandle:
        return self.handle
