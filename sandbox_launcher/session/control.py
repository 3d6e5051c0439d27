"""Acting on sessions owned by other processes: stop them, and wipe stale ones.

A stale session is one whose launcher died (even by SIGKILL). Its sandbox died
with it (``--die-with-parent``), but its state dir and, in the worst case, a
process that escaped the pid namespace's teardown may remain: find and wipe both.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import paths
from ..core.errors import SessionError
from ..devices.stale import wipe_helpers
from . import report, store, wipe


@dataclass(frozen=True)
class StaleWipe:
    """What wiping one stale session found and did."""

    id: str
    profile: str
    killed: int
    verified: bool
    report: dict[str, Any]

    def describe(self) -> str:
        """One line for the terminal."""
        proof = "wipe verified" if self.verified else "wipe NOT verified (see the report)"
        return (f"wiped stale session {self.id} ({self.profile}) left by a launcher that "
                f"died: {self.killed} process(es) killed; {proof}")


def _recover_vm(directory: Path) -> list[dict[str, Any]]:
    """A VM session's leftovers (domain, passt, libvirt's log), as wipe checks."""
    if not (directory / "vm.json").exists():
        return []
    from ..backends.vm.backend import VmBackend

    checks = VmBackend().recover_dir(directory) or []
    return [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks]


def _sweep_vm_domains(base: Path | None) -> list[StaleWipe]:
    """VM domains no live session owns, when a session libvirtd runs (never start one)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if not runtime or not (Path(runtime) / "libvirt" / "libvirt-sock").exists():
        return []
    from ..backends.vm.machine import DEFAULT_URI
    from ..backends.vm.stale import sweep_stale

    live = {s.record.id for s in store.list_sessions(base) if not s.stale}
    swept = []
    for domain, checks in sweep_stale(DEFAULT_URI, live):
        result = report.build(
            id=domain, profile="?", backend="vm", command=[], started=time.time(),
            ended=time.time(), recovered_stale=True, last_state="unknown",
            exit=report.exit_info(None),
            wipe=report.wipe_section([wipe.Check(c.name, c.ok, c.detail) for c in checks], 1))
        report.save(result)
        swept.append(StaleWipe(domain, "?", 1, result["wipe"]["verified"], result))
    return swept


def wipe_stale(base: Path | None = None) -> list[StaleWipe]:
    """Find every session whose owner is gone and wipe it."""
    done = []
    for found in store.list_sessions(base):
        if not found.stale:
            continue
        rec = found.record
        killed = wipe.kill_remaining(rec.namespaces) if rec.namespaces else 0
        helpers, device_checks = wipe_helpers(found.dir)
        device_checks += _recover_vm(found.dir)
        wipe.remove_state_dir(found.dir)
        checks = wipe.verify(rec.namespaces, found.dir, listeners_before={})
        checks += [wipe.Check(c["name"], c["ok"], c["detail"]) for c in device_checks]
        killed += helpers
        result = report.build(
            id=rec.id, profile=rec.profile, backend=rec.backend, command=rec.command,
            started=rec.started, ended=time.time(), recovered_stale=True,
            last_state=rec.state, exit=report.exit_info(None),
            wipe=report.wipe_section(checks, killed))
        report.save(result)
        done.append(StaleWipe(rec.id, rec.profile, killed,
                              result["wipe"]["verified"], result))
    return done + _sweep_vm_domains(base)


def stop(session_id: str, base: Path | None = None, timeout: float = 30.0) -> str:
    """Stop a session and wait until it is wiped; returns a line for the terminal."""
    found = store.find_session(session_id, base)
    if found.stale:
        wiped = [w for w in wipe_stale(base) if w.id == session_id]
        return wiped[0].describe() if wiped else f"session {session_id} was already gone"
    with contextlib.suppress(ProcessLookupError):
        os.kill(found.record.launcher_pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    saved = paths.reports_dir() / f"{session_id}.json"
    # The report is written after the verified wipe, so it is the sign that all is done.
    while found.dir.exists() or not saved.exists():
        if time.monotonic() > deadline:
            raise SessionError(
                f"session {session_id} did not stop within {timeout:g} s",
                f"try again, or kill its launcher (pid {found.record.launcher_pid}) and run "
                "'sandbox-launcher wipe --stale'")
        time.sleep(0.05)
    proof = "wipe verified" if _report_verified(saved) else "wipe NOT verified"
    return f"stopped session {session_id} ({found.record.profile}); {proof}"


def _report_verified(path: Path) -> bool:
    try:
        saved = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return bool(saved.get("wipe", {}).get("verified"))
