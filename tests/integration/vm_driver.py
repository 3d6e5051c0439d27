"""Drive the VM backend as the unprivileged user, for tests/integration/test_vm.py.

``run WORKDIR ARGV...``: boot, run ARGV in the guest, wipe, verify; print one JSON line.
``hold WORKDIR``: boot, start a long command, print the state, wait (the test kills us).
``recover WORKDIR``: stale recovery of the session saved in WORKDIR; print the checks.
``net WORKDIR ARGV...``: as ``run``, with a network jail that allows zoom.us on tcp/443
(run inside the fake internet's host namespace); adds the jail's events and counters.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

from sandbox_launcher.backends.vm.backend import VmBackend, VmResources


def main() -> int:
    mode, workdir, argv = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    output: list[tuple[str, str]] = []
    backend = VmBackend(image="test",
                        output=lambda s, d: output.append((s, d.decode(errors="replace"))))
    if mode == "recover":
        checks = backend.recover_dir(workdir)
        print(json.dumps({"checks": None if checks is None else [asdict(c) for c in checks]}))
        return 0
    plan = SimpleNamespace(command=tuple(argv or ["/bin/sleep", "600"]), env={})
    jail = None
    if mode == "net":
        from sandbox_launcher.core.plan import NetworkPlan
        from sandbox_launcher.netjail.jail import Jail

        jail = Jail.start(NetworkPlan("allowlist", domains=("zoom.us",),
                                      tcp_ports=((443, 443),)))
    started = time.monotonic()
    handle = backend.start(plan, VmResources(workdir, jail))  # type: ignore[arg-type]
    state = handle.state()
    if mode == "hold":
        print(json.dumps({"state": state}), flush=True)
        time.sleep(600)
        return 1
    status = handle.wait()
    ended = time.monotonic()
    handle.kill()
    backend.wipe(state)
    wiped = time.monotonic()
    checks = backend.verify(state)
    jail_report: dict[str, object] = {}
    if jail is not None:
        jail_report = {"events": jail.read_events(), "stats": jail.stats()}
        jail.close()
    print(json.dumps({
        "status": status, "state": state, "output": output, "jail": jail_report,
        "run_s": ended - started, "wipe_s": wiped - ended,
        "checks": [asdict(c) for c in checks]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
