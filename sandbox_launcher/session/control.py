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

from ..backends.base import BackendState
from ..backends.registry import Registry
from ..core import paths
from ..core.check import Check
from ..core.errors import LauncherError, SessionError
from ..host import procs
from . import audit, join, report, store, wipe


@dataclass(frozen=True)
class StaleWipe:
    """What wiping one stale session found and did."""

    id: str
    profile: str
    killed: int
    verified: bool
    report: dict[str, Any]
    #: What could not be recorded (the audit line), in words.
    problems: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for the terminal (and one per problem)."""
        proof = "wipe verified" if self.verified else "wipe NOT verified (see the report)"
        return "\n".join([f"wiped stale session {self.id} ({self.profile}) left by a launcher "
                          f"that died: {self.killed} process(es) killed; {proof}",
                          *self.problems])


def _sweep_vm_domains(base: Path | None) -> list[StaleWipe]:
    """VM domains no live session owns, when a session libvirtd runs (never start one);
    first the warm pools of apps that are gone (their overlays are files in the runtime
    dir; their domains died with the app's connection unless libvirtd forgot them)."""
    pools = paths.vm_pool_dir()
    if pools.is_dir() and any(pools.iterdir()):
        # Only then: the VM code costs every `run` ~35 ms of imports.
        from .vm_pool import sweep_dead_pools

        sweep_dead_pools(pools)
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if not runtime or not (Path(runtime) / "libvirt" / "libvirt-sock").exists():
        return []
    from ..backends.vm.machine import DEFAULT_URI
    from ..backends.vm.stale import sweep_stale

    live = {s.record.id for s in store.list_sessions(base) if not s.stale}
    swept = []
    for domain, checks in sweep_stale(DEFAULT_URI, live):
        now = time.time()
        result = report.Report(
            id=domain, profile="?", backend="vm", command=(), started=now, ended=now,
            recovered_stale=True, last_state="unknown", exit=report.exit_info(None),
            wipe=report.wipe_section(list(checks), 1))
        problems = report.save(result) + audit.record(result)
        swept.append(StaleWipe(domain, "?", 1, result.verified, result.to_dict(),
                               tuple(problems)))
    return swept


def _recover(found: store.FoundSession, registry: Registry) -> tuple[int, list[Check]]:
    """The backend's part of a stale wipe: kill what is left, then verify."""
    state = BackendState.from_dict(found.record.backend_state)
    if not state.data:
        return 0, []  # the sandbox was never started, or its record never written
    try:
        backend = registry.get(state.backend or found.record.backend)
    except LauncherError as exc:
        return 0, [Check("sandbox recovered", False,
                         f"{exc.summary}: this launcher cannot clean it up")]
    killed = backend.recover(state)
    return killed, backend.verify(state, {})


def wipe_stale(base: Path | None = None,
               registry: Registry | None = None) -> list[StaleWipe]:
    """Find every session whose owner is gone and wipe it."""
    registry = registry or Registry()
    done = []
    for found in store.list_sessions(base):
        if not found.stale:
            continue
        rec = found.record
        from ..devices.stale import wipe_helpers  # only when a stale session is found

        helpers, device_checks = wipe_helpers(found.dir)
        killed, checks = _recover(found, registry)
        wipe.remove_state_dir(found.dir)
        checks.append(wipe.state_dir_gone(found.dir))
        checks += device_checks
        killed += helpers
        result = report.Report(
            id=rec.id, profile=rec.profile, backend=rec.backend, command=tuple(rec.command),
            started=rec.started, ended=time.time(), recovered_stale=True,
            last_state=rec.state, exit=report.exit_info(None),
            wipe=report.wipe_section(checks, killed))
        problems = report.save(result) + audit.record(result)
        done.append(StaleWipe(rec.id, rec.profile, killed, result.verified,
                              result.to_dict(), tuple(problems)))
    return done + _sweep_vm_domains(base)


#: Left in a session's state dir by :func:`stop` before its SIGTERM: the launcher then
#: knows the stop was asked for (and exits with the client's status), not a signal sent
#: to it from elsewhere (Ctrl-C, ``kill``, ``timeout``: it exits 128+N).
STOP_MARK = "stop-requested"


def stop_was_requested(session_id: str, base: Path | None = None) -> bool:
    """Whether ``stop ID`` sent the SIGTERM the launcher of *session_id* just got."""
    return (store.state_dir(session_id, base) / STOP_MARK).exists()


def stop(session_id: str, base: Path | None = None, timeout: float = 30.0,
         registry: Registry | None = None) -> str:
    """Stop a session and wait until it is wiped; returns a line for the terminal."""
    found = store.find_session(session_id, base)
    if found.stale:
        wiped = [w for w in wipe_stale(base, registry) if w.id == session_id]
        return wiped[0].describe() if wiped else f"session {session_id} was already gone"
    if not join.ask_to_stop(found.dir):
        # A launcher without an inbox (an older one): SIGTERM stops all it runs.
        with contextlib.suppress(OSError):  # without it, it exits 143, not the client's
            (found.dir / STOP_MARK).touch()
        with contextlib.suppress(ProcessLookupError):
            os.kill(found.record.launcher_pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    saved = paths.reports_dir() / f"{session_id}.json"
    # The final report is written after the verified wipe, so it is the sign that all is
    # done (a provisional one comes just before the verify step, session/lifecycle.py).
    while found.dir.exists() or not _final_report(saved):
        if not procs.is_alive(found.record.launcher_pid):
            # Its launcher is gone (killed, or it could not stop cleanly): waiting for
            # it is pointless. Wipe what it left, now, and say so.
            if found.dir.exists():
                wiped = [w for w in wipe_stale(base, registry) if w.id == session_id]
                if wiped:
                    return wiped[0].describe()
            if not found.dir.exists():
                proof = "wipe verified" if _report_verified(saved) else "wipe NOT verified"
                return (f"session {session_id} ({found.record.profile}) ended; its "
                        f"launcher died before it finished; {proof}")
        if time.monotonic() > deadline:
            raise SessionError(
                f"session {session_id} did not stop within {timeout:g} s",
                f"try again, or kill its launcher (pid {found.record.launcher_pid}) and run "
                "'sandbox-launcher wipe --stale'")
        time.sleep(0.05)
    proof = "wipe verified" if _report_verified(saved) else "wipe NOT verified"
    return f"stopped session {session_id} ({found.record.profile}); {proof}"


def _final_report(path: Path) -> bool:
    try:
        saved = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return not saved.get("provisional")


def _report_verified(path: Path) -> bool:
    try:
        saved = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return bool(saved.get("wipe", {}).get("verified"))
