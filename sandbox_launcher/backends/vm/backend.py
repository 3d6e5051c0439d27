"""The disposable-VM backend: the sandbox protocol (backends/base.py) over :mod:`.machine`.

``start(plan, resources)`` boots a VM of the verified image, its network card inside the
session's jail, runs the plan's command through the guest agent and returns a handle;
``wipe``/``verify``/``recover`` work from the handle's opaque state, as the session
stores it, so a later launcher can clean up after a killed one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import psutil

from ...core.check import Check
from ...core.devices import VM_DISPLAY
from ...core.errors import LauncherError, SessionError
from ...core.plan import LaunchPlan
from ...host.kvm import probe_kvm
from ..base import CAPTURE_LIMIT, BackendState, Captured, HelperProcess, Resources
from . import machine
from .devices import guest_devices, plan_notes
from .errors import AgentError
from .home import capture_home, seed_home, spawn_in_guest
from .image import images_store, verify_image
from .machine import Machine, MachineState
from .network import GuestNetwork, start_passt
from .viewer import Viewer, check_viewer

#: Host-side variables that mean nothing in the guest (its display and bus are its own).
_HOST_ONLY = ("DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR",
              "DBUS_SESSION_BUS_ADDRESS", "PULSE_SERVER", "PULSE_COOKIE", "HOME")
GUEST_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}
#: The KVM probe's timeout: working KVM answers in ~20 ms; TCG hosts should not wait 3 s.
KVM_PROBE_TIMEOUT = 1.5
#: After the viewer was closed, how long the client may take to end on SIGTERM.
VIEWER_GRACE = 10.0
#: After the agent's port closed, how long QEMU may take to exit (it was killed, or the
#: guest crashed: the domain is destroyed then).
QEMU_EXIT_WAIT = 2.0


def _write_all(fd: int, data: bytes) -> None:
    with contextlib.suppress(OSError):
        while data:
            data = data[os.write(fd, data):]


class VmHandle:
    """A running VM session; readable :meth:`fileno` once the client has ended."""

    def __init__(self, vm: Machine, output: Callable[[str, bytes], None],
                 net: GuestNetwork | None = None, capture: tuple[str, ...] = (),
                 viewer: Viewer | None = None,
                 capture_limit: int = CAPTURE_LIMIT) -> None:
        self.vm = vm
        self.net = net
        self.viewer = viewer
        self._capture = capture
        self._capture_limit = capture_limit
        self._captured = Captured(problem="the VM ended before the client's state could "
                                          "be handed back") if capture else Captured()
        #: What a later launcher needs (the session stores it with the record).
        self.state = BackendState(VmBackend.name, machine.STATE_VERSION, {
            **vm.state.to_dict(), "hello_uptime": vm.hello.uptime, "timings": vm.timings})
        #: Found once: the session's helper watch asks for it on every wake-up.
        self._qemu = machine.qemu_pid(vm.state)
        self._read_end, self._write_end = os.pipe2(os.O_CLOEXEC)
        self._status: int | None = None
        self._error: LauncherError | None = None
        self._thread = threading.Thread(target=self._relay, args=(output,), daemon=True,
                                        name=f"vm-{vm.state.session_id}")
        self._thread.start()
        if viewer is not None:
            viewer.watch(self._viewer_closed)

    def _viewer_closed(self) -> None:
        """The user closed the VM's window: end the client, as closing its window would
        (SIGKILL after a grace period if it ignores SIGTERM)."""
        self.terminate()
        timer = threading.Timer(VIEWER_GRACE, self._kill_client)
        timer.daemon = True
        timer.start()

    def _kill_client(self) -> None:
        with contextlib.suppress(AgentError):
            self.vm.signal(signal.SIGKILL)

    def _relay(self, output: Callable[[str, bytes], None]) -> None:
        try:
            self._status = self.vm.wait_command(output)
            if self._capture:  # the guest still runs: its home is still there
                self._captured = capture_home(self.vm, self._capture, self._capture_limit)
        except AgentError as exc:  # the guest died or misbehaved: the client is over
            self._error = exc
            self._status = 128 + signal.SIGKILL
            # The agent's port closes while QEMU's threads are still exiting: once QEMU
            # is gone, the session's helper watch sees the loss with the client's end.
            with contextlib.suppress(psutil.Error):
                if self._qemu is not None:
                    psutil.Process(self._qemu).wait(QEMU_EXIT_WAIT)
        finally:
            os.write(self._write_end, b"x")

    def fileno(self) -> int:
        """Readable when the guest's client has ended."""
        return self._read_end

    def terminate(self) -> None:
        """Ask the client in the guest to end (SIGTERM to its process group)."""
        with contextlib.suppress(AgentError):
            self.vm.signal(signal.SIGTERM)

    def kill(self) -> None:
        """End everything now: the domain is destroyed, which ends the client with it."""
        if self.viewer is not None:
            self.viewer.close()
        self.vm.destroy()
        if self.net is not None:
            self.net.close()

    def wait(self) -> int:
        """The client's exit status (128+N for signal N; 137 when the VM was destroyed)."""
        self._thread.join()
        if self.viewer is not None:  # the client ended: its window goes with it
            self.viewer.close()
        os.close(self._read_end)
        os.close(self._write_end)
        assert self._status is not None
        return self._status

    @property
    def error(self) -> LauncherError | None:
        """Why the client's end was not an orderly exit, if it was not."""
        return self._error

    def helper_processes(self) -> list[HelperProcess]:
        """The host processes this session needs, watched by the session for dying: the
        VM's QEMU (its end is the guest's), its passt (the guest's network) and its
        viewer (the guest's screen; closed by the user, it exits 0: not a loss)."""
        found = [] if self._qemu is None else [HelperProcess("qemu", "vm", self._qemu)]
        if self.net is not None:
            found.append(HelperProcess("passt", "network", self.net.passt.pid, self.net.passt))
        if self.viewer is not None:
            found.append(HelperProcess("virt-viewer", "display", self.viewer.process.pid,
                                       self.viewer.process, quiet_ok=True))
        return found

    def members(self) -> list[int]:
        """The host processes that run this VM (its QEMU and its passt)."""
        return machine.session_processes(self.vm.state)

    def captured(self) -> Captured:
        """What the agent handed back of the home paths, after the client ended and
        before the domain was destroyed (a problem when the VM died first)."""
        return self._captured


class VmBackend:
    """Starts disposable VMs through libvirt (``qemu:///session`` unless told otherwise)."""

    name = "vm"

    def __init__(self, *, uri: str = machine.DEFAULT_URI, image: str = "default",
                 store: Path | None = None, memory_mib: int = 512,
                 kvm_probe: Callable[[], tuple[str, str]] | None = None,
                 output: Callable[[str, bytes], None] | None = None,
                 pool: Callable[[str], Machine | None] | None = None) -> None:
        self.uri = uri
        self.image = image
        self.store = store or images_store()
        self.memory_mib = memory_mib
        self._kvm_probe = kvm_probe or (lambda: probe_kvm(KVM_PROBE_TIMEOUT))
        self._accel: tuple[str, str] | None = None
        self._output = output or _to_host_streams
        #: Hands out a paused, booted VM of the named image (the app's warm pool), or None.
        self._pool = pool

    def accel(self) -> tuple[str, str]:
        """KVM when the probe says it really works, else TCG; probed once per backend."""
        if self._accel is None:
            self._accel = machine.choose_accel(self._kvm_probe())
        return self._accel

    def check_host(self) -> None:
        """Raise a typed error naming the fix if this host cannot run VMs (the image a
        plan names is verified when it starts)."""
        machine.open_connection(self.uri).close()

    def image_for(self, plan: LaunchPlan) -> str:
        """The image *plan* boots: the one it names (the system policy's lock), else this
        backend's default."""
        return plan.image or self.image

    def runtime_dir(self, plan: LaunchPlan) -> str:
        """The guest's own runtime dir (no host device helper is plugged in yet)."""
        return "/run/user/0"

    def notes(self, plan: LaunchPlan) -> tuple[str, ...]:
        """How the guest will run: under KVM, or software emulation and why."""
        accel, detail = self.accel()
        notes: tuple[str, ...] = (f"booting a VM ({accel.upper()}: {detail})",
                                  *plan_notes(plan.devices))
        if self._pool is not None and plan.network.mode == "none":
            notes += ("a prepared VM of the warm pool is resumed instead when one is ready "
                      "and the session needs no device",)
        return notes

    def start(self, plan: LaunchPlan, resources: Resources) -> VmHandle:
        """Boot a fresh VM (or resume one of the warm pool, when the plan has no network:
        pooled VMs have no NIC) and start the plan's command in it."""
        resources.say("image")
        image = verify_image(self.image_for(plan), self.store)
        display = plan.devices.display.mode == VM_DISPLAY
        devices = guest_devices(plan.devices, resources.devices, display)
        if display:  # refused before a VM boots for nothing
            check_viewer()
        net = None
        # Pooled VMs were booted without a NIC or devices: only a bare session fits one.
        vm = (self._pool(image.name)
              if self._pool and resources.jail is None and devices.empty else None)
        if resources.jail is not None:
            net = start_passt(resources.jail.enter_argv(), resources.workdir)
        resources.say("pool" if vm is not None else "boot")
        try:
            vm = vm or machine.boot(image, resources.workdir, resources.workdir.name,
                                    uri=self.uri, accel=self.accel(),
                                    memory_mib=self.memory_mib,
                                    net_socket=net.socket if net else None,
                                    net_args=net.kernel_args() if net else "",
                                    devices=devices)
        except BaseException:
            if net is not None:
                net.close()
            raise
        env = {**GUEST_ENV, **{k: v for k, v in plan.env.items() if k not in _HOST_ONLY}}
        viewer = None
        try:
            if resources.home_seed:
                resources.say("home")
                seed_home(vm, resources.home_seed)
            if display:
                resources.say("window")
                viewer = Viewer.start(self.uri, vm.state.domain)
            resources.say("client")
            vm.start_command(list(plan.command), env)
        except BaseException:
            if viewer is not None:
                viewer.close()
            vm.destroy()
            if net is not None:
                net.close()
            machine.wipe(vm.state)
            raise
        return VmHandle(vm, self._output, net, resources.home_capture, viewer,
                        resources.capture_limit)

    def wipe(self, state: BackendState) -> int:
        """Destroy the domain and remove overlay, sockets, state and libvirt's log; how
        many processes (QEMU, passt) had to be killed."""
        found = MachineState.from_dict(state.data)
        left = len(machine.session_processes(found))
        machine.wipe(found)
        return left

    def verify(self, state: BackendState, listeners_before: Mapping[int, str]) -> list[Check]:
        """No domain, no QEMU or passt process, no file of the session left."""
        return machine.verify(MachineState.from_dict(state.data))

    def recover(self, state: BackendState) -> int:
        """After a killed launcher (the domain died with its connection): wipe."""
        return self.wipe(state)

    def join(self, state: BackendState, workdir: Path, argv: list[str]) -> int:
        """Start *argv* (the client with the link) in the running guest through the
        agent's join port, with the client's environment; its guest pid."""
        found = MachineState.from_dict(state.data)
        if not found.join_socket:
            raise SessionError("this VM session cannot take a second link (it was started "
                               "by an older launcher)", "open the link in a new session")
        return spawn_in_guest(Path(found.join_socket), argv)

    def members(self, state: BackendState) -> list[int]:
        """The host processes of a running VM session (QEMU, passt)."""
        return machine.session_processes(MachineState.from_dict(state.data))

    def recover_dir(self, workdir: Path) -> list[Check] | None:
        """Recover the VM session saved in *workdir*, if there is one."""
        state = machine.load_state(workdir)
        return None if state is None else machine.recover(state)


def _to_host_streams(stream: str, data: bytes) -> None:
    _write_all(1 if stream == "stdout" else 2, data)
