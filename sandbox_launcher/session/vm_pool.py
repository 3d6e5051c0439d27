"""The app's warm pool of disposable VMs (issue 13 item 5), kept by the long-running service.

Transient domains die with the libvirt connection that made them, so the pool lives in
the process that outlives sessions: the desktop app's :class:`~.service.SessionService`.
A VM session it starts without a network takes a paused VM from here (a resume instead of
a boot); a session with a network boots cold (pooled VMs have no NIC: the NIC is plugged
at boot into one session's jail). Each VM is handed out once and wiped by its session;
the pool refills in the background. Its size is the user's setting unless the system
policy sets ``vm.pool_size`` (the lock wins), and 0 on battery. Quitting the app
destroys and wipes every pooled VM; files a killed app left are removed at the next
start (its domains died with its connection).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path

import psutil

from ..backends.registry import VM, Registry
from ..backends.vm import machine
from ..backends.vm.backend import VmBackend
from ..backends.vm.image import verify_image
from ..backends.vm.machine import Machine
from ..backends.vm.pool import WarmPool, effective_size
from ..core import paths
from ..core.errors import LauncherError
from ..core.policy import Policy
from ..host.power import POWER_SUPPLY

POLICY_KEY = "vm.pool_size"
DEFAULT_IMAGE = "default"


def pool_size(configured: int, policy: Policy, power_dir: Path = POWER_SUPPLY) -> int:
    """The size to keep: the policy's ``vm.pool_size`` when its file sets it, else the
    user's setting; 0 on battery."""
    locked = int(policy.get(POLICY_KEY)) if POLICY_KEY in policy.settings else None
    return effective_size(configured, locked, power_dir)


def pool_root() -> Path:
    """Where every app's pool keeps its VMs' files (the runtime dir: a tmpfs)."""
    return paths.vm_pool_dir()


def sweep_dead_pools(root: Path) -> list[str]:
    """Remove what pools of apps that are gone left (overlays, sockets); their names."""
    removed = []
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if entry.name.isdigit() and psutil.pid_exists(int(entry.name)):
            continue
        for vm_dir in sorted(entry.iterdir()) if entry.is_dir() else []:
            with contextlib.suppress(LauncherError, OSError):
                state = machine.load_state(vm_dir)
                if state is not None:
                    machine.wipe(state)  # its domain too, if libvirtd forgot autodestroy
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry.name)
    return removed


class VmPool:
    """Paused VMs of one image for the app's VM sessions without network; thread-safe."""

    def __init__(self, size: int, *, image: str = DEFAULT_IMAGE, store: Path | None = None,
                 root: Path | None = None, uri: str = machine.DEFAULT_URI,
                 accel: tuple[str, str] = ("tcg", "pool"), memory_mib: int = 512) -> None:
        self.size = size
        self.image_name = image
        self._store = store
        self.base = (root or pool_root()) / str(os.getpid())
        self._uri, self._accel, self._memory = uri, accel, memory_mib
        self._warm: WarmPool | None = None
        self._lock = threading.Lock()
        #: Why the pool is not kept, for the app to show ("" while it is).
        self.problem = ""
        #: The domains handed out, in order (each once: a used VM is never pooled again).
        self.handed_out: list[str] = []

    def start(self) -> None:
        """Sweep dead apps' leftovers, then fill in the background (returns at once)."""
        sweep_dead_pools(self.base.parent)
        if self.size <= 0:
            self.problem = "the warm pool is off (size 0, or on battery)"
            return
        try:
            image = verify_image(self.image_name, self._store)
        except LauncherError as exc:
            self.problem = f"no warm pool: {exc.summary}"
            return
        self.base.mkdir(mode=0o700, parents=True, exist_ok=True)

        def boot_vm(img: object, workdir: Path, name: str) -> Machine:
            return machine.boot(image, workdir, name, uri=self._uri, accel=self._accel,
                                memory_mib=self._memory)

        with self._lock:
            self._warm = WarmPool(image, self.base, self.size, boot_vm=boot_vm)
            self._warm.refill_in_background()

    def ready(self) -> int:
        """Paused VMs waiting now."""
        with self._lock:
            return self._warm.ready() if self._warm is not None else 0

    def takes(self) -> list[float]:
        """Seconds from resume to the agent's answer, per VM handed out."""
        with self._lock:
            return list(self._warm.takes) if self._warm is not None else []

    def take(self, image: str) -> Machine | None:
        """A resumed VM of *image* whose agent answers, or None (empty, another image)."""
        with self._lock:
            warm = self._warm
        if warm is None or image != self.image_name:
            return None
        vm = warm.take()
        if vm is not None:
            with self._lock:
                self.handed_out.append(vm.state.domain)
        return vm

    def close(self) -> None:
        """Destroy and wipe every pooled VM and the pool's dir (the app quits)."""
        with self._lock:
            warm, self._warm = self._warm, None
        if warm is not None:
            warm.close()
        shutil.rmtree(self.base, ignore_errors=True)


def start_for_app(configured: int, policy: Policy, registry: Registry | None) -> VmPool:
    """Start the app's pool (sized by :func:`pool_size`, of the policy's image if it locks
    one) and make *registry*'s VM backend take from it."""
    size = pool_size(configured, policy)
    cold = VmBackend()
    pool = VmPool(size, image=str(policy.get("vm.image") or DEFAULT_IMAGE), uri=cold.uri,
                  accel=cold.accel() if size > 0 else ("tcg", "no pool"))
    if registry is not None:
        registry.replace(VM, lambda: VmBackend(pool=pool.take))
    pool.start()
    return pool
