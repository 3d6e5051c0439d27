"""Whether the machine runs on battery: ready-made sandboxes (the VM pool, the namespace
spares) cost power while they wait, so both keep none on battery."""

from __future__ import annotations

import contextlib
from pathlib import Path

POWER_SUPPLY = Path("/sys/class/power_supply")


def on_battery(power_dir: Path = POWER_SUPPLY) -> bool:
    """True when a battery exists and no mains supply is online (laptop unplugged)."""
    kinds: dict[str, list[Path]] = {}
    for supply in power_dir.iterdir() if power_dir.is_dir() else []:
        with contextlib.suppress(OSError):
            kinds.setdefault((supply / "type").read_text().strip(), []).append(supply)
    if not kinds.get("Battery"):
        return False
    for mains in kinds.get("Mains", []):
        with contextlib.suppress(OSError):
            if (mains / "online").read_text().strip() == "1":
                return False
    return True
