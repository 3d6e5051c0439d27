"""What went wrong in a session, in words a person acts on: servers whose names got no
answer ("meet.jit.si did not answer — no network?"), names refused because they are not
in the allowlist, and the client's own exit status when it was not 0 (and the end was not
the user's own Stop, whose SIGTERM gives 143)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from ..session.events import Dns, LiveEvent

#: DNS verdicts that mean the question got no answer from the upstream resolver.
SILENT = ("failed", "unanswered")
_NAMED = 3


def silent_text(names: list[str]) -> str:
    """"a.example, b.example did not answer — no network?"."""
    shown = ", ".join(names[:_NAMED]) + ("…" if len(names) > _NAMED else "")
    return QCoreApplication.translate("SessionTrouble",
                                      "{names} did not answer — no network?").format(
                                          names=shown)


def trouble_text(report: Mapping[str, Any]) -> str:
    """The troubles of an ended session, one sentence each ("" when there were none)."""
    network = report.get("network") or {}
    dns = network.get("dns") or []
    silent = sorted({str(d.get("name", "")).rstrip(".") for d in dns
                     if d.get("verdict") in SILENT})
    refused = len({str(d.get("name", "")) for d in dns if d.get("verdict") == "refused"})
    parts = []
    if silent:
        parts.append(silent_text(silent))
    if refused:
        parts.append(QCoreApplication.translate(
            "SessionTrouble", "Names outside the allowlist refused: {n}.").format(n=refused))
    for lost in report.get("helpers_lost") or ():
        parts.append(QCoreApplication.translate("SessionTrouble", "Lost: {what}.").format(
            what=str(lost.get("effect", "")).rstrip(".")))
    status = (report.get("exit") or {}).get("status")
    if isinstance(status, int) and status != 0 and not report.get("stopped_by_user"):
        parts.append(QCoreApplication.translate(
            "SessionTrouble", "The client ended with status {status}.").format(status=status))
    return " ".join(parts)


def live_notice(data: LiveEvent) -> str:
    """A status-bar line for a live DNS event that got no answer ("" for others)."""
    if not isinstance(data, Dns) or data.verdict not in SILENT:
        return ""
    return silent_text([data.name.rstrip(".")])
