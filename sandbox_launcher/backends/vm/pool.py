"""A warm pool of disposable VMs: booted ahead, paused, handed out once, never reused.

Qubes 4.3's preloaded disposables: a launch becomes a resume instead of a boot. Each
pooled VM is a full :func:`machine.boot` whose agent has said hello, then paused
(``virDomainSuspend``: its vCPUs stop, it costs memory only). :meth:`WarmPool.take`
resumes one, checks its agent answers, and hands it over; the pool forgets it (used
VMs are wiped by their session, never returned) and refills in the background.

Pooled VMs boot without a NIC (the network is plugged at boot, into one session's jail),
so the pool serves sessions without network; sessions with a jail boot cold. The size
is 0 on battery (:func:`effective_size`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ...host.power import POWER_SUPPLY, on_battery
from .errors import AgentError, VmError
from .image import Image
from .machine import Machine, boot, save_state, wipe
from .protocol import Pong


def effective_size(configured: int, locked: int | None = None,
                   power_dir: Path = POWER_SUPPLY) -> int:
    """The pool size to keep: the policy's lock wins over the user's choice; 0 on battery."""
    size = configured if locked is None else locked
    return 0 if size <= 0 or on_battery(power_dir) else size


class WarmPool:
    """Keeps ``size`` paused VMs of one image ready; thread-safe."""

    def __init__(self, image: Image, base: Path, size: int, *,
                 boot_vm: Callable[[Image, Path, str], Machine] | None = None,
                 power_dir: Path = POWER_SUPPLY) -> None:
        self.image = image
        #: Checked before every boot: unplugged, the pool stops refilling (0 on battery).
        self._power_dir = power_dir
        self.base = base
        self.size = size
        self._boot = boot_vm or boot
        self._ready: list[Machine] = []
        self._lock = threading.Lock()
        self._filling: threading.Thread | None = None
        self._closed = False
        #: Seconds from resume to the agent's answer, for every VM handed out.
        self.takes: list[float] = []

    def ready(self) -> int:
        """How many paused VMs are waiting."""
        with self._lock:
            return len(self._ready)

    def fill(self) -> None:
        """Boot and pause VMs until the pool is full (blocking; one at a time)."""
        while not self._closed:
            with self._lock:
                if len(self._ready) >= self.size or on_battery(self._power_dir):
                    return
            name = f"pool-{os.urandom(4).hex()}"
            workdir = self.base / name
            workdir.mkdir(mode=0o700, parents=True)
            vm: Machine | None = None
            try:
                vm = self._boot(self.image, workdir, name)
                vm.state.pooled = True  # its session's wipe removes the pool's dir too
                save_state(vm.state)
                vm.domain.suspend()
            except BaseException:
                if vm is not None:  # booted but not pausable: never left running
                    _discard(vm)
                shutil.rmtree(workdir, ignore_errors=True)
                raise
            with self._lock:
                if self._closed:
                    _discard(vm)
                    return
                self._ready.append(vm)

    def refill_in_background(self) -> None:
        """Start filling in a thread unless one is already at it."""
        with self._lock:
            if self._filling is not None and self._filling.is_alive():
                return
            self._filling = threading.Thread(target=self._fill_quietly, daemon=True,
                                             name="vm-pool-refill")
            self._filling.start()

    def _fill_quietly(self) -> None:
        with contextlib.suppress(VmError, AgentError, OSError):
            self.fill()

    def take(self, timeout: float = 30.0) -> Machine | None:
        """A resumed VM whose agent answers, or None when the pool is empty."""
        while True:
            with self._lock:
                if not self._ready:
                    return None
                vm = self._ready.pop(0)
            self.refill_in_background()
            started = time.monotonic()
            try:
                vm.domain.resume()
                vm.channel.send("ping")
                if isinstance(vm.channel.receive(timeout), Pong):
                    vm.timings["pool_take_s"] = time.monotonic() - started
                    self.takes.append(vm.timings["pool_take_s"])
                    return vm
            except Exception:  # libvirt's errors too: such a VM is unusable
                pass
            _discard(vm)  # a pooled VM that does not answer is never handed out

    def close(self) -> None:
        """Destroy and wipe every pooled VM (the app quits, or the size went to 0)."""
        self._closed = True
        if self._filling is not None:
            self._filling.join()
        with self._lock:
            pooled, self._ready = self._ready, []
        for vm in pooled:
            _discard(vm)


def _discard(vm: Machine) -> None:
    vm.destroy()
    wipe(vm.state)
    with contextlib.suppress(OSError):
        Path(vm.state.workdir).rmdir()
