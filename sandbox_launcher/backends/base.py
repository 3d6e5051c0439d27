"""The one protocol every backend implements, and what the session hands to it.

A backend owns everything that depends on how it isolates: starting a plan, stopping,
wiping what is left, verifying that nothing is, recovering a session whose launcher was
killed, joining a link into a running session, and telling which host processes are
the session's (device-use probes, CPU and memory). The session layer keeps the
backend's :class:`BackendState` without looking inside it.

Resources any backend uses — the network jail, the host's device helpers, the files
seeded into the fresh home — belong to the session layer, which creates them and hands
them to :meth:`SandboxBackend.start` as :class:`Resources`, so the namespace sandbox and a
VM's network card plug into the same jail.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..core.check import Check
from ..core.plan import LaunchPlan

if TYPE_CHECKING:  # types only: a session without devices or network loads neither
    from ..devices.host import HostDevices
    from ..netjail.jail import Jail

#: Home-relative path → file content: what is seeded into a fresh home, and captured
#: from it before it disappears (the vault's hooks).
HomeFiles = Mapping[str, bytes]
#: The most a home capture may hold, unless the session says otherwise.
CAPTURE_LIMIT = 64 << 20


@dataclass(frozen=True)
class BackendState:
    """What a backend must remember to find, stop, wipe, verify and join its sandbox
    later, possibly from another launcher process. Opaque to the session layer."""

    backend: str
    version: int
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the session record."""
        return {"backend": self.backend, "version": self.version, "data": self.data}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> BackendState:
        """Read one back (a missing or broken record gives an empty state)."""
        data = raw.get("data")
        return cls(str(raw.get("backend", "")), int(raw.get("version", 0) or 0),
                   dict(data) if isinstance(data, dict) else {})


#: Where a backend is while it starts a sandbox that takes seconds (a VM): the keys the
#: session passes on as ``BootStep`` events, and the front ends put into words.
BOOT_STEPS = ("image", "pool", "boot", "home", "window", "client")


@dataclass
class Resources:
    """What the session layer owns for this session and hands to the backend."""

    #: The session's private state dir on the host.
    workdir: Path
    #: The host side of the device grants (display, sound, bus proxy, share folder…);
    #: None for a backend that plugs in none of them.
    devices: HostDevices | None = None
    #: The network jail the sandbox must live in; None for ``--network none``.
    jail: Jail | None = None
    #: Files written into the fresh home before the client starts.
    home_seed: HomeFiles = field(default_factory=dict)
    #: Home-relative paths to capture when the client has ended, before the home goes.
    home_capture: tuple[str, ...] = ()
    #: At most this many bytes are captured; more is refused as a whole.
    capture_limit: int = CAPTURE_LIMIT
    #: Told each of :data:`BOOT_STEPS` as the start reaches it (None: nobody listens).
    step: Callable[[str], None] | None = None

    def say(self, step: str) -> None:
        """Tell the session the start reached *step* (one of :data:`BOOT_STEPS`)."""
        if self.step is not None:
            self.step(step)


@dataclass(frozen=True)
class Captured:
    """What was captured from the home at the end of the session."""

    files: dict[str, bytes] = field(default_factory=dict)
    #: Why nothing could be captured; empty when all went well.
    problem: str = ""
    #: Entries under the named paths that were not regular files (links, devices…),
    #: left out as the client's and not ours to keep.
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class HelperProcess:
    """A host process a backend runs for its sandbox (a VM's QEMU, its passt, its viewer):
    the session watches it for dying (session/helpers_watch.py).

    *grant*: what the session loses with it (``vm``, ``network``, ``display``); *process*:
    when it is the launcher's own child (its exit status is then known); *quiet_ok*: an
    exit of its own without a signal is the user's doing (the viewer's window closed).
    """

    name: str
    grant: str
    pid: int
    process: subprocess.Popen[bytes] | None = None
    quiet_ok: bool = False


@runtime_checkable
class HasHelpers(Protocol):
    """A handle whose backend runs host helpers of its own (the VM backend's)."""

    def helper_processes(self) -> list[HelperProcess]:
        """The helpers that run now."""
        ...


class SandboxHandle(Protocol):
    """A running sandbox."""

    #: What a later launcher needs to act on this sandbox (stored with the session).
    state: BackendState

    def fileno(self) -> int:
        """A descriptor that becomes readable when the client has ended."""
        ...

    def members(self) -> list[int]:
        """Host pids of the processes that run the session (for device-use probes)."""
        ...

    def terminate(self) -> None:
        """Ask every process inside to end (SIGTERM or the guest's equivalent)."""
        ...

    def kill(self) -> None:
        """End every process inside now."""
        ...

    def wait(self) -> int:
        """Reap the sandbox; returns the client's exit status (128+N for signal N)."""
        ...

    def captured(self) -> Captured:
        """The home paths asked for in :class:`Resources`; valid once :meth:`wait` returned."""
        ...


class SandboxBackend(Protocol):
    """Starts sandboxes from plans and cleans up after them."""

    name: str

    def check_host(self) -> None:
        """Raise a typed error naming the fix if this host cannot run the backend."""
        ...

    def notes(self, plan: LaunchPlan) -> tuple[str, ...]:
        """What the user should know before this backend starts *plan* (they join the
        plan's notes, so the report keeps them too)."""
        ...

    def runtime_dir(self, plan: LaunchPlan) -> str:
        """Where the client's runtime dir is inside: the session binds the device
        helpers' sockets (display, bus, sound) there."""
        ...

    def start(self, plan: LaunchPlan, resources: Resources) -> SandboxHandle:
        """Start the plan's command in a fresh sandbox (or raise, leaving nothing)."""
        ...

    def wipe(self, state: BackendState) -> int:
        """Remove whatever of the sandbox is left; returns how many things were killed."""
        ...

    def verify(self, state: BackendState, listeners_before: Mapping[int, str]) -> list[Check]:
        """Check from outside that nothing of the sandbox is left; never raises.

        *listeners_before*: the host's listening sockets before the session started.
        """
        ...

    def recover(self, state: BackendState) -> int:
        """Clean up after a launcher that was killed; returns how many things were killed."""
        ...

    def join(self, state: BackendState, workdir: Path, argv: list[str]) -> int:
        """Run *argv* inside the running sandbox, confined like its client; its pid."""
        ...

    def members(self, state: BackendState) -> list[int]:
        """Host pids of a running session (found from its state, by any process)."""
        ...
