"""CPU and memory of a session's processes, for the app's sessions table.

Which host processes are the session's is the backend's answer (its ``members``: the
sandbox's processes, or a VM's QEMU and helpers). CPU is a rate, so each process is kept
from one reading to the next: a process seen for the first time only sets its baseline.
"""

from __future__ import annotations

from pathlib import Path

import psutil

from ..backends.base import BackendState
from ..backends.registry import Registry
from ..core.errors import LauncherError
from . import store
from .entries import Usage


class UsageMeter:
    """Reads the sessions' CPU and memory use; one per app service."""

    def __init__(self, registry: Registry, sessions_base: Path | None = None) -> None:
        self._registry = registry
        self._base = sessions_base
        self._procs: dict[str, dict[int, psutil.Process]] = {}

    def usage(self, session_id: str) -> Usage:
        """CPU (percent of one core, since the last reading) and memory of the session."""
        try:
            record = store.find_session(session_id, self._base).record
            state = BackendState.from_dict(record.backend_state)
            members = set(self._registry.get(state.backend).members(state)
                          if state.data else [])
        except LauncherError:
            return Usage(0.0, 0, 0)
        if not members:
            return Usage(0.0, 0, 0)
        known = self._procs.setdefault(session_id, {})
        for pid in list(known):
            if pid not in members:
                del known[pid]
        cpu, rss = 0.0, 0
        for pid in members:
            try:
                proc = known.get(pid)
                if proc is None:
                    proc = known[pid] = psutil.Process(pid)
                    proc.cpu_percent(None)  # the first call only sets the baseline
                else:
                    cpu += proc.cpu_percent(None)
                rss += proc.memory_info().rss
            except psutil.Error:
                known.pop(pid, None)
        return Usage(cpu, rss, len(members))

    def forget(self, session_id: str) -> None:
        """The session ended: drop what was kept of its processes."""
        self._procs.pop(session_id, None)
