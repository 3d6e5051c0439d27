"""``run PROFILE --backend vm -- COMMAND``: the command in a disposable VM, from the CLI.

A thin path until the session layer drives any backend (issue 10): it owns a session
like any other (state dir, flock, record: ``sessions`` lists it and ``wipe --stale``
cleans it after a killed launcher), builds the network jail from the same plan, hands
both to :class:`VmBackend`, and at the end wipes and verifies. The app and profiles
with ``backend = "vm"`` are still refused by the planner until then.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from typing import TextIO

from ..backends.vm.backend import VmBackend, VmHandle, VmResources
from ..core.plan import LaunchPlan
from ..session import store


def run_vm(plan: LaunchPlan, err: TextIO, backend: VmBackend | None = None) -> int:
    """Run *plan*'s command in a fresh VM; returns its exit status (wipe verified)."""
    backend = backend or VmBackend()
    plan = dataclasses.replace(plan, backend="vm")
    record = store.SessionRecord(id=store.new_id(plan.profile), profile=plan.profile,
                                 backend="vm", state="starting", started=time.time(),
                                 command=list(plan.command), launcher_pid=os.getpid())
    owned = store.OwnedSession(record)
    jail = None
    handle: VmHandle | None = None
    try:
        if plan.network.mode == "allowlist":
            from ..netjail.jail import Jail

            jail = Jail.start(plan.network)
        print(f"sandbox-launcher: {record.id}: booting a VM "
              f"({backend.accel()[0].upper()}: {backend.accel()[1]})", file=err, flush=True)
        handle = backend.start(plan, VmResources(owned.dir, jail))
        owned.set_state("running")
        asked: list[int] = []

        def stop(signum: int, _frame: object) -> None:
            # First signal: ask the client in the guest; a second: destroy the VM.
            asked.append(signum)
            if handle is not None:
                handle.terminate() if len(asked) == 1 else handle.kill()

        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, stop)
        status = handle.wait()
        if handle.error is not None:
            print(f"sandbox-launcher: {handle.error.summary}", file=err)
    finally:
        owned.set_state("wiping")
        if handle is not None:
            handle.kill()
        if jail is not None:
            jail.close()
        checks = backend.recover_dir(owned.dir) or []
        for path in owned.dir.iterdir():
            path.unlink()
        owned.dir.rmdir()
        owned.release()
    failed = [c for c in checks if not c.ok]
    for check in failed:
        print(f"sandbox-launcher: wipe check failed: {check.name}: {check.detail}", file=err)
    if not checks or failed:
        print("sandbox-launcher: the VM's wipe could not be verified", file=err)
        return 125
    return status
