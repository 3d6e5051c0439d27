"""The system policy file for tests that need one (root only), put back afterwards.

Test-only, so it stayed in tests/ when the fake internet moved into the package.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

POLICY_PATH = Path("/etc/sandbox-launcher/policy.toml")


class SystemPolicy:
    """Writes the system policy file for a test and puts back exactly what was there."""

    def __init__(self, path: Path = POLICY_PATH) -> None:
        self.path = path
        self.previous: bytes | None = path.read_bytes() if path.exists() else None
        self.previous_mode = path.stat().st_mode & 0o7777 if path.exists() else None
        # The directories we make, deepest last, so restore() removes only those.
        self.made_dirs = [p for p in reversed(path.parents) if not p.exists()]

    def write(self, text: str) -> None:
        """Install *text* as the policy, readable by everyone (as IT would deploy it)."""
        for directory in self.made_dirs:
            directory.mkdir(mode=0o755, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o644)
        tmp.replace(self.path)

    def restore(self) -> None:
        """Put the previous file back, or remove ours and the directories we made."""
        if self.previous is not None:
            self.path.write_bytes(self.previous)
            if self.previous_mode is not None:
                self.path.chmod(self.previous_mode)
        else:
            self.path.unlink(missing_ok=True)
            for directory in reversed(self.made_dirs):
                with contextlib.suppress(OSError):
                    directory.rmdir()
