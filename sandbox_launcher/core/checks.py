"""One shape for every check the launcher reports: wipe, devices, backends, doctor."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Check:
    """One verified statement: what was checked, whether it holds, and the evidence."""

    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form for reports."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Check:
        """Read one back from a report (or a helper's dict)."""
        return cls(str(data["name"]), bool(data["ok"]), str(data.get("detail", "")))
