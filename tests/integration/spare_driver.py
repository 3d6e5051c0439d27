"""Drives the app's service with spare sessions, as the test user (tests/integration/test_spare.py).

Usage: python spare_driver.py SPEC.json. SPEC: ``{"profiles_dir": DIR, "profile": NAME,
"clients": [[argv…], …], "probe": [argv…] | null, "cold": [argv…] | null}``.

For each client argv in turn: wait for the profile's spare, record what it looks like
from outside before its client starts (its network's default route, and the ``probe``
run in its network namespace), start the client through the service (as a click does),
record the same after, wait for the session to be wiped. ``cold``: the same client
once more with spares off (a cold start). Then quit the service (``shutdown``) with a
spare waiting and record what is left of it. The client's own output goes to stdout
(the sandbox inherits it); the driver's findings are the last line, as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.host import procs
from sandbox_launcher.session import store
from sandbox_launcher.session.entries import Finished
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.session.spare import SpareSession

READY_TIMEOUT = 60.0


def has_default_route(pid: int) -> bool:
    """Whether the network namespace of *pid* has a route out (as the kernel lists it)."""
    with open(f"/proc/{pid}/net/route", encoding="ascii") as table:
        return any(line.split()[1] == "00000000" for line in list(table)[1:])


def map_state(title: str) -> str:
    """The host window *title*'s map state as xwininfo says it (IsViewable, IsUnMapped)."""
    done = subprocess.run(["xwininfo", "-name", title], capture_output=True, text=True,
                          timeout=30, check=False)
    for line in done.stdout.splitlines():
        if "Map State:" in line:
            return line.split(":", 1)[1].strip()
    return f"not found ({done.stderr.strip()})"


def holder_of(net_ns: int) -> int:
    """The jail's holder: the process of ours that owns *net_ns* and runs the holder."""
    for pid in procs.members({"net": net_ns}):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"sandbox_launcher.netjail.holder" in cmdline:
            return pid
    raise RuntimeError(f"no holder owns net:[{net_ns}]")


def probe_in(net_ns: int, argv: list[str]) -> str:
    """Run *argv* in the jail's user and network namespaces (as the launcher enters it)."""
    holder = holder_of(net_ns)
    done = subprocess.run(["nsenter", f"--target={holder}", "--user", "--net",
                           "--preserve-credentials", "--", *argv],
                          capture_output=True, text=True, timeout=60, check=False)
    return done.stdout.strip() or done.stderr.strip()


class Driver:
    """The service, its finished sessions, and what was seen of each spare."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.service = SessionService(
            profiles_dir=Path(spec["profiles_dir"]), policy_path=Path("/nonexistent/p.toml"),
            admin_profiles=Path("/nonexistent/profiles"), record_client=None)
        self.finished: dict[str, Finished] = {}
        self.cond = threading.Condition()
        self.service.set_listener(self._on_event)

    def _on_event(self, event: Any) -> None:
        if isinstance(event, Finished):
            with self.cond:
                self.finished[event.session_id] = event
                self.cond.notify_all()

    def wait_spare(self) -> SpareSession:
        profile = self.spec["profile"]
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            spare = self.service.spares.waiting(profile)
            if spare is not None:
                return spare
            if profile in self.service.spares.problems:
                break
            time.sleep(0.02)
        raise RuntimeError(f"no spare of {profile} within {READY_TIMEOUT:g} s: "
                           f"{self.service.spares.problems}")

    def outside(self, spare: SpareSession) -> dict[str, Any]:
        """The spare (or its session) seen from outside: members, route, the probe."""
        state = spare.prepared_state()
        leader = int(state.data["leader_pid"])
        namespaces = {str(k): int(v) for k, v in state.data["namespaces"].items()}
        seen: dict[str, Any] = {"leader": leader, "namespaces": namespaces,
                                "route": has_default_route(leader)}
        if self.spec.get("probe") and "net" in namespaces:
            seen["probe"] = probe_in(namespaces["net"], self.spec["probe"])
        return seen

    def run_client(self, argv: list[str]) -> dict[str, Any]:
        spare = self.wait_spare()
        found: dict[str, Any] = {"spare": spare.id, "before": self.outside(spare)}
        # The nested display's host window carries the profile's title.
        title = f"{self.service.profiles().get(self.spec['profile']).title} (sandboxed)"
        if self.spec.get("display"):
            found["window_before"] = map_state(f"{title} [{spare.id}]")
        clicked = time.monotonic()
        session_id = self.service.start(self.spec["profile"],
                                        RunOptions(command=tuple(argv)))
        found["click_ms"] = round((time.monotonic() - clicked) * 1e3, 1)
        found["session"] = session_id
        if self.spec.get("probe_after"):
            self.wait_running(session_id)  # the client runs (it waits): the jail is open
            found["after"] = self.outside(spare)
            if self.spec.get("display"):
                found["window_after"] = map_state(title)
            # The client waits to be stopped: the probes above ran while it surely ran.
            self.service.stop(session_id)
        found["end"] = self.wait_end(session_id)
        return found

    def wait_running(self, session_id: str) -> None:
        from sandbox_launcher.session.lifecycle import State

        deadline = time.monotonic() + READY_TIMEOUT
        while self.service.entry(session_id).state is not State.RUNNING:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{session_id} did not reach RUNNING")
            time.sleep(0.01)

    def wait_end(self, session_id: str) -> dict[str, Any]:
        with self.cond:
            self.cond.wait_for(lambda: session_id in self.finished, timeout=120)
        done = self.finished.get(session_id)
        if done is None:
            return {"ended": False}
        outcome = done.outcome
        return {"ended": True, "error": done.error.summary if done.error else None,
                "status": outcome.status if outcome else None,
                "verified": outcome.wipe_verified if outcome else False,
                "failed_checks": [c for c in (outcome.report.get("wipe", {}).get("checks", [])
                                              if outcome else []) if not c.get("ok")]}


def main() -> int:
    spec = json.loads(Path(sys.argv[1]).read_text())
    driver = Driver(spec)
    service = driver.service
    service.spares.keep([spec["profile"]])
    result: dict[str, Any] = {"runs": [driver.run_client(argv) for argv in spec["clients"]]}
    if spec.get("cold"):
        service.spares.keep([spec["profile"]], enabled=False)
        session_id = service.start(spec["profile"], RunOptions(command=tuple(spec["cold"])))
        result["cold"] = {"spare": None, "end": driver.wait_end(session_id)}
        service.spares.keep([spec["profile"]])
    # Quit with a spare waiting: it must be wiped with nothing left.
    last = driver.wait_spare()
    left = driver.outside(last)
    result["quit_spare"] = {"id": last.id, **left}
    result["quit_clean"] = service.shutdown(timeout=60)
    result["after_quit"] = {
        "members": procs.members({"pid": left["namespaces"]["pid"]}),
        "leader_alive": os.path.exists(f"/proc/{left['leader']}"),
        "state_dir": store.state_dir(last.id).exists(),
    }
    sys.stdout.flush()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
