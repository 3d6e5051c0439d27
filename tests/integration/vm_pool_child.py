"""Run as the unprivileged user by test_vm_sessions.py: the app's service with a warm pool
of one VM, a VM session without network started through it, the pool's refill, then the
app's quit (``SessionService.shutdown``), as ui/app.py does. Prints one JSON object: how
long the pool took to fill, the session's status, wipe and the domain it ran in, the
pool's take time, the refilled VM, and what libvirt and the runtime dir hold after the
quit.
"""

from __future__ import annotations

import json
import queue
import sys
import time
from typing import Any

from sandbox_launcher.backends.vm import machine
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.entries import Finished, ServiceEvent
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.session.vm_pool import pool_root

#: A TCG boot under the load of parallel developers.
BOOT_SECONDS = 240
COMMAND = ("/bin/sh", "-c", "echo in-guest $(hostname); cat /proc/uptime")


def main() -> None:
    finished: queue.Queue[Finished] = queue.Queue()

    def listener(event: ServiceEvent) -> None:
        if isinstance(event, Finished):
            finished.put(event)

    service = SessionService(record_client=None)
    service.set_listener(listener)
    pool = service.start_vm_pool(1)
    result: dict[str, Any] = {"problem": pool.problem, "sessions": []}

    def wait_ready() -> float:
        begin = time.monotonic()
        while pool.ready() < 1 and time.monotonic() - begin < BOOT_SECONDS:
            time.sleep(0.2)
        return time.monotonic() - begin

    result["fill_s"] = wait_ready()
    for _ in range(1):
        result.setdefault("ready_before", []).append(pool.ready())
        begin = time.monotonic()
        session_id = service.start("generic", RunOptions(backend="vm", command=COMMAND,
                                                         network="none"))
        done = finished.get(timeout=BOOT_SECONDS)
        outcome = done.outcome
        result["sessions"].append({
            "id": session_id, "error": done.error.summary if done.error else None,
            "status": outcome.status if outcome else None,
            "wiped": outcome.wipe_verified if outcome else False,
            "seconds": time.monotonic() - begin,
            "notes": list(outcome.report.get("notes", [])) if outcome else []})
        wait_ready()  # refilled in the background before the next one
    result["handed_out"] = list(pool.handed_out)
    warm = pool._warm  # the one waiting now: the refill
    result["waiting"] = [vm.state.domain for vm in warm._ready] if warm else []
    domains = machine.open_connection(machine.DEFAULT_URI)
    try:
        result["domains_before_quit"] = [d.name() for d in domains.listAllDomains()]
    finally:
        domains.close()
    result["takes"] = pool.takes()
    base = pool.base
    result["pool_dir_before_quit"] = sorted(p.name for p in base.iterdir())
    ended = service.shutdown()
    conn = machine.open_connection(machine.DEFAULT_URI)
    try:
        result["domains_after"] = [d.name() for d in conn.listAllDomains()]
    finally:
        conn.close()
    result["shutdown_ok"] = ended
    result["pool_dir_after_quit"] = base.exists()
    result["pool_root_after_quit"] = sorted(p.name for p in pool_root().iterdir())
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(main())
