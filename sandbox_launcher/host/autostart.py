"""Opt-in "start in the tray at login": an XDG autostart entry in ~/.config/autostart."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

FILE_NAME = "sandbox-launcher.desktop"


def autostart_file() -> Path:
    """``$XDG_CONFIG_HOME/autostart/sandbox-launcher.desktop``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / FILE_NAME


def launcher_command() -> list[str]:
    """How to start this installation of the launcher (the venv's script when there is one)."""
    script = Path(sys.executable).parent / "sandbox-launcher"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "sandbox_launcher.cli.main"]


def entry_text() -> str:
    """The .desktop entry that starts the app in the tray."""
    exec_line = " ".join(shlex.quote(a) for a in [*launcher_command(), "--tray"])
    return ("[Desktop Entry]\nType=Application\nName=Sandbox Launcher\n"
            "Comment=Run conferencing clients in throwaway sandboxes\n"
            f"Exec={exec_line}\nIcon=security-high\nTerminal=false\n"
            "X-GNOME-Autostart-enabled=true\n")


def is_enabled() -> bool:
    """Whether the entry exists."""
    return autostart_file().is_file()


def set_enabled(enabled: bool) -> Path:
    """Write or remove the entry; returns its path."""
    path = autostart_file()
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(entry_text(), encoding="utf-8")
        tmp.replace(path)
    else:
        path.unlink(missing_ok=True)
    return path
