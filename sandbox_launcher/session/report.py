"""The JSON report of a session: what was granted, how it ended, and the wipe's proof."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path
from typing import Any

from ..core import paths
from ..core.errors import SessionError
from .wipe import Check

SCHEMA_VERSION = 1


def exit_info(status: int | None) -> dict[str, Any]:
    """Split a shell-style status (128+N for signal N) into code and signal."""
    if status is None:
        return {"status": None, "code": None, "signal": None, "signal_name": None}
    if 128 < status < 128 + signal.NSIG:
        sig = status - 128
        return {"status": status, "code": None, "signal": sig,
                "signal_name": signal.Signals(sig).name if sig in signal.valid_signals()
                else None}
    return {"status": status, "code": status, "signal": None, "signal_name": None}


def wipe_section(checks: list[Check], killed: int) -> dict[str, Any]:
    """The report's ``wipe`` object."""
    return {
        "verified": bool(checks) and all(c.ok for c in checks),
        "processes_killed": killed,
        "checks": [c.to_dict() for c in checks],
    }


def build(**fields: Any) -> dict[str, Any]:
    """A report dict with the schema version first, for readers that check it."""
    return {"schema": SCHEMA_VERSION, **fields}


def _write_atomic(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def save(report: dict[str, Any], extra: Path | None = None) -> list[str]:
    """Keep the report in the history, and at *extra* (``--report``) if given.

    Returns problems as text instead of raising: a full disk must not stop a wipe
    from being reported on the terminal.
    """
    problems = []
    targets = [paths.reports_dir() / f"{report['id']}.json"]
    if extra is not None:
        targets.append(extra)
    for target in targets:
        try:
            _write_atomic(target, report)
        except OSError as exc:
            problems.append(f"could not write the report to {target}: {exc.strerror}")
    return problems


def check_report_path(raw: str | None) -> Path | None:
    """``--report FILE`` as a path, refused before the session starts if it cannot be written.

    The report is written at the very end (atomically: a temporary file in the same
    folder, then renamed), when it is too late to ask again; so the folder must be
    writable now, or creatable in a writable one.
    """
    if not raw:
        return None
    path = Path(raw)
    hint = "choose a file in a folder you can write, e.g. --report ~/session-report.json"
    if path.is_dir():
        raise SessionError(f"cannot write the report to {path}: it is a folder", hint)
    folder = path.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # missing folders are made at the end: check where
    if not folder.is_dir():
        raise SessionError(f"cannot write the report to {path}: {folder} is not a folder",
                           hint)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SessionError(
            f"cannot write the report to {path}: you may not write in the folder {folder}",
            hint)
    return path
