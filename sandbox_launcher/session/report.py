"""The JSON report of a session: what was granted, how it ended, and the wipe's proof."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path
from typing import Any

from ..core import paths
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
