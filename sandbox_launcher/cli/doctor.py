"""``sandbox-launcher doctor [--json]``: tell the user what this host can and cannot do."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from ..core.check import Check
from ..host.doctor import run_checks

_LABELS = {"ok": "[ ok ]", "warn": "[warn]", "fail": "[FAIL]"}
#: Lines of a failed check's detail shown in the human output (--json has all of it).
_DETAIL_LINES = 5


def is_ready(checks: Sequence[Check]) -> bool:
    """The namespace sandbox can run when no check failed; warnings only cost features."""
    return all(check.status != "fail" for check in checks)


def exit_code(checks: Sequence[Check]) -> int:
    """0 when ready, 1 when any check failed."""
    return 0 if is_ready(checks) else 1


def format_human(checks: Sequence[Check]) -> str:
    """One line per check, a ``fix:`` line under each that is not ok, then a verdict."""
    lines: list[str] = []
    for check in checks:
        line = f"{_LABELS[check.status]} {check.name}: {check.detail}"
        if check.status != "ok" and check.required_for:
            line += f" — needed for {check.required_for}"
        lines.append(line)
        if check.status != "ok" and check.hint:
            lines.append(f"       fix: {check.hint}")
        if check.status == "fail" and check.output:
            detail = check.output.strip().splitlines()
            lines.extend(f"       | {text}" for text in detail[-_DETAIL_LINES:])
    if is_ready(checks):
        lines.append("namespace sandbox: ready")
    else:
        lines.append("namespace sandbox: NOT ready — fix the FAIL lines above")
    return "\n".join(lines) + "\n"


def json_form(check: Check) -> dict[str, Any]:
    """One check as ``doctor --json`` has always printed it (IT scripts read these keys)."""
    return {"name": check.name, "status": check.status, "summary": check.detail,
            "hint": check.hint, "detail": check.output, "required_for": check.required_for}


def from_json_form(item: dict[str, Any]) -> Check:
    """The inverse of :func:`json_form`."""
    return Check.of_status(item["name"], item["status"], item["summary"], item["hint"],
                           item["detail"], item["required_for"])


def format_json(checks: Sequence[Check]) -> str:
    """``{"ready": bool, "checks": [...]}``, pretty printed, for scripts and IT tooling."""
    report = {"ready": is_ready(checks), "checks": [json_form(check) for check in checks]}
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def main(json_output: bool, out: TextIO, *, checks: Sequence[Check] | None = None) -> int:
    """Run the host checks (or report the given *checks*), print them, return the exit code."""
    found = run_checks() if checks is None else checks
    out.write(format_json(found) if json_output else format_human(found))
    out.flush()
    return exit_code(found)
