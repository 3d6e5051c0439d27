"""The session's own part of a wipe: its host-side state dir.

What the sandbox itself leaves (processes, namespaces, a VM's domain and disk) is the
backend's to wipe and verify (``SandboxBackend.wipe``/``verify``); the jail and the
device helpers report their own checks when they stop (session/resources.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..core.check import Check

__all__ = ["Check", "remove_state_dir", "state_dir_gone"]


def remove_state_dir(state_dir: Path) -> None:
    """Remove the session's host-side state dir (metadata only; contents live in tmpfs)."""
    shutil.rmtree(state_dir, ignore_errors=True)


def state_dir_gone(state_dir: Path) -> Check:
    """Whether the session's state dir is gone from the host."""
    gone = not state_dir.exists()
    return Check("no file left", gone,
                 f"{state_dir} removed" if gone else f"{state_dir} still exists")
