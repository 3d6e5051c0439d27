"""The one protocol both backends implement: start a LaunchPlan, return a handle."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..core.plan import LaunchPlan
from ..devices.usage import Use


@dataclass
class SandboxInfo:
    """What the session must remember to find, stop and verify the sandbox later.

    It is written to the session's state file, so a later launcher can clean up
    after one that was killed.
    """

    launcher_pid: int  # the process that owns (and waits for) the sandbox
    leader_pid: int  # the sandbox's own init; killing it ends every process inside
    namespaces: dict[str, int] = field(default_factory=dict)  # kind → inode


class SandboxHandle(Protocol):
    """A running sandbox."""

    info: SandboxInfo
    #: The ``network`` object of the report; final once :meth:`wait` has returned.
    network_report: dict[str, Any]
    #: The ``devices`` object of the report (helpers, downloads, checks); final after wait.
    devices_report: dict[str, Any]

    def network_fd(self) -> int | None:
        """Readable when the network jail has live events; None without a jail."""
        ...

    def network_events(self) -> list[dict[str, Any]]:
        """Live network events (DNS questions, …) since the last call."""
        ...

    def network_snapshot(self) -> dict[str, Any]:
        """The network report so far, with live traffic counters."""
        ...

    def device_fd(self) -> int | None:
        """Readable when a device grant has live events; None when none can have any."""
        ...

    def device_events(self) -> list[dict[str, Any]]:
        """Live device events since the last call: ``screen`` (a shared window closed),
        ``device`` (a portal screen cast started or ended)."""
        ...

    def device_usage(self) -> dict[str, Use]:
        """Which granted devices are in use now (``camera``: open; ``microphone``: on
        and recorded). Cheap: the session calls it at every live snapshot."""
        ...

    def fileno(self) -> int:
        """A descriptor that becomes readable when the sandbox has ended (a pidfd)."""
        ...

    def mic_switchable(self) -> bool:
        """Whether the microphone can be switched on in this session."""
        ...

    def set_mic(self, muted: bool) -> bool:
        """Switch the microphone from outside the sandbox; returns whether it is muted now."""
        ...

    def terminate(self) -> None:
        """Ask every process inside to end (SIGTERM)."""
        ...

    def kill(self) -> None:
        """End every process inside now."""
        ...

    def wait(self) -> int:
        """Reap the sandbox; returns the client's exit status (128+N for signal N)."""
        ...


class SandboxBackend(Protocol):
    """Starts sandboxes from plans."""

    name: str

    def check_host(self) -> None:
        """Raise a typed error naming the fix if this host cannot run the backend."""
        ...

    def start(self, plan: LaunchPlan, workdir: Path | None = None) -> SandboxHandle:
        """Start the plan's command in a fresh sandbox; *workdir*: the session's state dir."""
        ...
