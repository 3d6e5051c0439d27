"""One shape for every check the launcher makes: wipe verification, device helpers, doctor.

A :class:`Check` says what was checked (``name``), whether it passed (``ok``) and what was
found (``detail``, words for a person). A check that did not pass has a ``severity``:
``fail`` stops something (a wipe is not verified, the sandbox cannot run), ``warn`` only costs
a feature (doctor: a missing optional tool). ``hint`` is the fix, ``required_for`` what cannot
work without it, ``output`` the raw text behind a failure (a tool's error output).

The JSON form (:meth:`Check.to_dict`) leaves out empty optional fields, so a wipe check stays
``{"name", "ok", "detail"}`` as reports have always had it. Imports nothing of ours: every
layer may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["warn", "fail"]
#: ``ok``, or the severity of a check that did not pass (doctor's three-way status).
Status = Literal["ok", "warn", "fail"]

_SEVERITIES: tuple[Severity, ...] = ("warn", "fail")


class CheckFormatError(ValueError):
    """A check's JSON form is not one (a report or answer that was tampered with or cut)."""


@dataclass(frozen=True)
class Check:
    """The outcome of one check."""

    name: str
    ok: bool
    detail: str = ""
    #: How bad it is when not ok; ignored when ok.
    severity: Severity = "fail"
    hint: str = ""
    #: What cannot work without it, e.g. "namespace backend".
    required_for: str = ""
    #: Raw text behind a failure (a tool's error output), for ``--json`` and details.
    output: str = ""

    @property
    def status(self) -> Status:
        """``ok``, ``warn`` or ``fail``."""
        return "ok" if self.ok else self.severity

    @classmethod
    def of_status(cls, name: str, status: Status, detail: str, hint: str = "",
                  output: str = "", required_for: str = "") -> Check:
        """A check from a three-way status (how doctor's check functions answer)."""
        return cls(name, status == "ok", detail, "warn" if status == "warn" else "fail",
                   hint, required_for, output)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: name, ok, detail, and the optional fields that are set."""
        out: dict[str, Any] = {"name": self.name, "ok": self.ok, "detail": self.detail}
        if not self.ok and self.severity != "fail":
            out["severity"] = self.severity
        for key in ("hint", "required_for", "output"):
            value = getattr(self, key)
            if value:
                out[key] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Check:
        """Read the JSON form back; raises :class:`CheckFormatError` if it is not one."""
        try:
            name, ok, detail = data["name"], data["ok"], data.get("detail", "")
        except (KeyError, TypeError) as exc:
            raise CheckFormatError(f"a check needs a name and ok: {exc}") from exc
        severity = data.get("severity", "fail")
        texts = {k: data.get(k, "") for k in ("hint", "required_for", "output")}
        if not (isinstance(name, str) and isinstance(ok, bool) and isinstance(detail, str)
                and severity in _SEVERITIES and all(isinstance(v, str) for v in texts.values())):
            raise CheckFormatError(f"not a check: {dict(data)!r:.200}")
        return cls(name, ok, detail, severity, **texts)


def all_ok(checks: list[Check] | tuple[Check, ...]) -> bool:
    """True when there is at least one check and every one passed (a wipe's proof)."""
    return bool(checks) and all(c.ok for c in checks)
