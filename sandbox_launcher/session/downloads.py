"""The user's decision on an ended session's held downloads, and the report that says it.

``devices/pending.py`` holds the files and moves or deletes them; this module checks the
folder the user picked, turns failures into errors people can act on, and writes what
happened (kept where, discarded, or still waiting) into the session's report. No Qt: the
app calls it from worker threads.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core import paths
from ..core.errors import LauncherError, UsageError
from ..devices.pending import (
    PendingSet,
    discard_pending,
    keep_pending,
    list_pending,
    read_pending,
    valid_session_id,
)
from . import report
from .events import DownloadsDecided

#: Called with a session id and the decision, typed (its ``to_dict`` is what
#: :func:`apply_decision` takes).
DecisionListener = Callable[[str, DownloadsDecided], None]


def apply_decision(section: dict[str, Any] | None, decision: dict[str, Any]) -> dict[str, Any]:
    """The report's ``devices.downloads`` after *decision* (pure; *section* is not changed).

    *decision*: ``{"action": "kept" | "discarded", "target": folder or None, "kept": [...],
    "failed": [...], "at": time}``. Files that could not be kept leave the decision
    ``"pending"`` (they still wait); the kept ones say where they went.
    """
    new = dict(section or {})
    kept = {k["name"]: k["kept_as"] for k in decision.get("kept", [])}
    new["files"] = [{**f, "kept_as": kept[f["name"]]} if f.get("name") in kept else dict(f)
                    for f in new.get("files", [])]
    new["decided"] = decision.get("at")
    if decision["action"] == "discarded":
        new.update(decision="discarded", discarded=True, pending_in=None)
    elif decision.get("failed"):
        new.update(decision="pending", kept_in=decision.get("target"),
                   not_kept=list(decision["failed"]))
    else:
        new.update(decision="kept", kept_in=decision.get("target"), pending_in=None)
        new.pop("not_kept", None)
    return new


def _count(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"


class HeldDownloads:
    """The app's pending downloads: what waits, keep, discard. Thread-safe."""

    def __init__(self, root: Path, on_decided: DecisionListener | None = None) -> None:
        self.root = root
        self._on_decided = on_decided
        self._lock = threading.Lock()

    @staticmethod
    def _stored_report(session_id: str) -> report.Report | None:
        try:
            return report.Report.load(paths.reports_dir() / f"{session_id}.json")
        except (OSError, report.ReportFormatError):
            return None

    def _with_report(self, pending: PendingSet) -> PendingSet:
        stored = self._stored_report(pending.session_id)
        if stored is None:
            return replace(pending, profile="", ended=None, skipped=())
        section = stored.devices.get("downloads") or {}
        return replace(pending, profile=stored.profile, ended=stored.ended,
                       skipped=tuple(str(s) for s in section.get("skipped_not_regular", ())))

    def waiting(self) -> list[PendingSet]:
        """Every session's files that wait, this run's and earlier runs', oldest first."""
        return [self._with_report(p) for p in list_pending(self.root)]

    def of(self, session_id: str) -> PendingSet | None:
        """The files *session_id* left waiting, or None when none wait."""
        if not valid_session_id(session_id):
            return None
        found = read_pending(self.root / session_id)
        return self._with_report(found) if found.files else None

    def _held(self, session_id: str) -> PendingSet:
        found = self.of(session_id)
        if found is None:
            raise UsageError(f"the downloads of {session_id} are no longer waiting",
                             "they were kept or discarded already")
        return found

    def _target(self, folder: str) -> Path:
        real = Path(os.path.realpath(os.path.expanduser(folder)))
        why = ("there is no such folder" if not real.is_dir() else
               "you cannot write there" if not os.access(real, os.W_OK | os.X_OK) else
               "that is where they wait now"
               if real.is_relative_to(os.path.realpath(self.root)) else "")
        if why:
            raise UsageError(f"the downloads cannot be kept in {folder}: {why}",
                             "choose another folder; the files keep waiting")
        return real

    def keep(self, session_id: str, folder: str) -> dict[str, Any]:
        """Move the files into *folder*; the decision. Raises when not all of them moved
        (those still wait, and the report says which were kept)."""
        with self._lock:
            target = self._target(folder)
            pending = self._held(session_id)
            kept, failed = keep_pending(pending, target)
            decision: dict[str, Any] = {"action": "kept", "target": str(target),
                                        "kept": kept, "failed": failed, "at": time.time()}
            self._record(session_id, decision)
        if failed:
            first = failed[0]["error"]
            raise LauncherError(
                f"{_count(len(failed))} of {len(pending.files)} could not be kept in "
                f"{target}: {first}",
                "free some space or choose another folder: what was not kept still waits",
                details="\n".join(f"{f['name']}: {f['error']}" for f in failed))
        return decision

    def discard(self, session_id: str) -> dict[str, Any]:
        """Delete the files; the decision."""
        with self._lock:
            pending = self._held(session_id)
            try:
                discard_pending(pending)
            except OSError as exc:
                raise LauncherError(
                    f"the downloads of {session_id} could not all be deleted: {exc.strerror}",
                    f"delete {pending.folder} yourself", details=str(exc)) from exc
            decision: dict[str, Any] = {"action": "discarded", "target": None,
                                        "kept": [], "failed": [], "at": time.time()}
            self._record(session_id, decision)
        return decision

    def _record(self, session_id: str, decision: dict[str, Any]) -> None:
        """Write the decision into the stored report, then tell the app's listener."""
        stored = self._stored_report(session_id)
        if stored is not None:
            devices = stored.devices
            devices["downloads"] = apply_decision(devices.get("downloads"), decision)
            report.save(stored)  # returns its problems: a report unwritten must not undo a keep
        if self._on_decided is not None:
            self._on_decided(session_id, DownloadsDecided.from_dict(decision))
