"""What a session owns for any backend: the network jail and the host's device helpers.

Both are created here, before the backend starts, and handed to it as
:class:`backends.base.Resources`; the backend only plugs its sandbox into them (the
namespace sandbox joins the jail's namespaces, a VM's network card runs inside it).
They are read live while the session runs and closed after the sandbox has ended,
whatever backend ran it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from ..backends.base import CAPTURE_LIMIT, HasHelpers, HomeFiles, Resources, SandboxHandle
from ..core.keeper import Keeper
from ..core.plan import LaunchPlan
from ..devices.usage import Use
from .helpers_watch import Watched

if TYPE_CHECKING:  # loaded when a session has them: `run generic` needs neither
    from ..devices.host import HostDevices
    from ..netjail.geo import CountryDB
    from ..netjail.jail import Jail


def _start_jail(plan: LaunchPlan, closed: bool) -> Keeper[Jail]:
    """The jail of *plan*, started on a keeper thread (its processes die with it)."""
    from ..netjail.jail import Jail

    return Keeper("jail-keeper", lambda: Jail.start(plan.network, closed=closed))


def _close_jail(jail: Jail) -> None:
    jail.close()


class LiveResources(Protocol):
    """What the session reads and switches while it runs (:class:`SessionResources`;
    unit tests give a fake)."""

    handle: SandboxHandle | None
    network_report: dict[str, Any]
    devices_report: dict[str, Any]

    def for_backend(self, workdir: Path, seed: HomeFiles | None = None,
                    capture: tuple[str, ...] = (), limit: int = CAPTURE_LIMIT) -> Resources:
        """What the backend is handed."""
        ...

    def network_fd(self) -> int | None:
        """Readable when the jail has events; None without a jail."""
        ...

    def network_events(self) -> list[dict[str, Any]]:
        """Events the jail sent since the last call."""
        ...

    def network_snapshot(self) -> dict[str, Any]:
        """The network report as it stands now."""
        ...

    def device_fd(self) -> int | None:
        """Readable when a device grant has live news."""
        ...

    def device_events(self) -> list[dict[str, Any]]:
        """Live device events since the last call."""
        ...

    def device_usage(self) -> dict[str, Use]:
        """Which granted devices are in use now."""
        ...

    def mic_switchable(self) -> bool:
        """Whether the session has a microphone that may be switched on."""
        ...

    def set_mic(self, muted: bool) -> bool:
        """Switch the microphone; whether it is muted now."""
        ...

    def helpers(self) -> list[Watched]:
        """The helper processes that should be running now (watched for dying)."""
        ...

    def close(self) -> None:
        """After the sandbox ended: stop everything; the reports are final."""
        ...


#: Starts a session's resources for a plan in its state dir, with the sockets bound in
#: the backend's runtime dir inside.
ResourceFactory = Callable[[LaunchPlan, Path, str], LiveResources]


@dataclass
class SessionResources:
    """The running jail and device helpers of one session."""

    plan: LaunchPlan
    devices: HostDevices
    jail: Jail | None = None
    #: The sandbox, once started: device-use probes look at its processes.
    handle: SandboxHandle | None = None
    network_report: dict[str, Any] = field(default_factory=dict)
    devices_report: dict[str, Any] = field(default_factory=dict)
    _geo: CountryDB | None = None
    #: The firewall's last counters: all there is once the holder was killed.
    _table: dict[str, Any] = field(default_factory=dict)
    #: The thread the jail's processes were started from (they die with it).
    _keeper: Keeper[Jail] | None = None

    @classmethod
    def start(cls, plan: LaunchPlan, workdir: Path, runtime_inside: str, *,
              closed: bool = False) -> SessionResources:
        """Start the device helpers (their sockets bound in *runtime_inside*, the
        backend's runtime dir) and, at the same time, the jail (if the plan has network);
        on failure stop what was started and raise. *closed*: the jail gets no route out
        until it is opened (a spare session's, session/spare.py)."""
        from ..devices.host import HostDevices

        # The jail starts on a keeper thread while the helpers start here: both mostly
        # wait for programs to come up (a cold start saves the shorter of the two).
        keeper = _start_jail(plan, closed) if plan.network.mode == "allowlist" else None
        # A spare's window waits hidden under a title of its own (show_display).
        title = f"{plan.title or plan.profile} (sandboxed)" + (
            f" [{workdir.name}]" if closed else "")
        try:
            devices = HostDevices.start(plan.devices, runtime_inside, workdir, title=title)
        except BaseException:
            if keeper is not None:
                keeper.close(_close_jail)
            raise
        try:
            if closed and devices.nested_title:
                devices.show_display(False)
            jail = keeper.result() if keeper is not None else None
        except BaseException:
            devices.stop()
            if keeper is not None:
                keeper.close(_close_jail)
            raise
        return cls(plan, devices, jail, network_report=plan.network.to_dict(),
                   _keeper=keeper)

    def for_backend(self, workdir: Path, seed: HomeFiles | None = None,
                    capture: tuple[str, ...] = (), limit: int = CAPTURE_LIMIT) -> Resources:
        """What the backend is handed."""
        return Resources(workdir=workdir, devices=self.devices, jail=self.jail,
                         home_seed=dict(seed or {}), home_capture=capture,
                         capture_limit=limit)

    # ------------------------------------------------------------------ network

    def network_fd(self) -> int | None:
        """Readable when the jail has events (DNS questions) to report; None without one."""
        return self.jail.fileno() if self.jail else None

    def network_events(self) -> list[dict[str, Any]]:
        """Events the jail sent since the last call."""
        return self.jail.read_events() if self.jail else []

    def network_snapshot(self) -> dict[str, Any]:
        """The network report as it stands now (the firewall's live counters)."""
        if self.jail is None:
            return self.network_report
        return self._network_report(self.jail, self._stats(self.jail))

    def _stats(self, jail: Jail) -> dict[str, Any]:
        """The counters now; the last ones read when the holder is gone (empty answer)."""
        self._table = jail.stats() or self._table
        return self._table

    def _network_report(self, jail: Jail, table: dict[str, Any]) -> dict[str, Any]:
        from ..netjail import report as netreport
        from ..netjail.geo import CountryDB

        if self._geo is None:
            self._geo = CountryDB(self.plan.network.country_overrides)
        summary = {**self.plan.network.to_dict(), "setup_ms": round(jail.setup_seconds * 1e3, 1),
                   **({"open_ms": round(jail.open_seconds * 1e3, 1)} if jail.open_seconds else {})}
        return netreport.build(jail.events, table, self._geo, summary)

    # ------------------------------------------------------------------ devices

    def show_display(self) -> None:
        """A spare's click: its hidden nested display shows, under the session's title."""
        if self.devices.nested_title:
            self.devices.show_display(
                True, f"{self.plan.title or self.plan.profile} (sandboxed)")

    def device_fd(self) -> int | None:
        """Readable when a device grant has live news (a shared window closed)."""
        return self.devices.screen_fd()

    def device_events(self) -> list[dict[str, Any]]:
        """Live device events (``screen``, ``device``) since the last call."""
        return self.devices.screen_events()

    def device_usage(self) -> dict[str, Use]:
        """Which granted devices are in use now (the camera: open by a session process)."""
        handle = self.handle
        return self.devices.usage(handle.members if handle is not None else list)

    def mic_switchable(self) -> bool:
        """Whether the session has a microphone that may be switched on."""
        return self.devices.mic_switchable

    def set_mic(self, muted: bool) -> bool:
        """Start or stop the microphone's forwarder; returns whether it is muted now."""
        return self.devices.set_mic(muted)

    # ------------------------------------------------------------------ helpers

    def helpers(self) -> list[Watched]:
        """The helper processes that should be running now, each with the grant it
        carries (session/helpers_watch.py watches them for dying)."""
        found: list[Watched] = []
        if self.jail is not None:
            found += [Watched("holder", "names", self.jail.holder.pid, self.jail.holder),
                      Watched("pasta", "network", self.jail.pasta_pid)]
        grants = {"xephyr": "display", "dbus-proxy": "bus"}
        found += [Watched(h.name, grants[h.name], h.process.pid, h.process)
                  for h in self.devices.helpers if h.name in grants]
        sound = self.devices.sound
        if sound is not None:
            if sound.server is not None:
                found.append(Watched("pulseaudio", "sound", sound.server.process.pid,
                                     sound.server.process))
            for grant, forwarder in (("speakers", sound.speakers), ("microphone", sound.mic)):
                if forwarder is not None:  # None: muted on purpose, or no speakers
                    found.append(Watched(forwarder.pacat.name, grant,
                                         forwarder.pacat.process.pid, forwarder.pacat.process))
        mirror = self.devices.mirror
        if mirror is not None:
            found.append(Watched("mirror", "screen", mirror.helper.process.pid,
                                 mirror.helper.process, quiet_ok=True))
        # A VM's QEMU, passt and viewer. Not isinstance(HasHelpers): a runtime protocol
        # check costs more than the rest of this list, and this runs four times a second.
        if getattr(self.handle, "helper_processes", None) is not None:
            vm = cast(HasHelpers, self.handle)
            found += [Watched(h.name, h.grant, h.pid, h.process, h.quiet_ok)
                      for h in vm.helper_processes()]
        return found

    # ------------------------------------------------------------------ end

    def close(self) -> None:
        """After the sandbox ended: read the jail's final counters, stop everything.

        Idempotent; the reports are final afterwards."""
        if self.jail is not None:
            jail, self.jail = self.jail, None
            try:
                # The counters live in the jail's firewall: read them before it goes.
                jail.read_events()
                lost = jail.holder.poll() is not None
                self.network_report = self._network_report(jail, self._stats(jail))
                if lost:
                    self.network_report["error"] = (
                        "the network jail's holder stopped during the session: the "
                        "counters are those read last before it did")
            except (OSError, ValueError) as exc:
                self.network_report = {**self.plan.network.to_dict(),
                                       "error": f"the jail's counters were lost: {exc}"}
            finally:
                jail.close()
        if self._keeper is not None:
            self._keeper.close(_close_jail)  # the jail is closed: the thread may end
            self._keeper = None
        if not self.devices_report:
            self.devices_report = self.devices.stop()
