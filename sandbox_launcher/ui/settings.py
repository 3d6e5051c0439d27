"""The app's own small settings (not profiles, not policy): questions, notices, use counts.

Kept in ``$XDG_CONFIG_HOME/sandbox-launcher/app.ini`` through QSettings; tests pass a file
of their own. Nothing here weakens a grant: these only decide what the app asks and in
which order it lists profiles.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from ..core import paths

#: Built-in profiles in the order a newcomer most likely needs them (before any use).
FIRST_ORDER = ("zoom", "teams-web", "webex-web", "jitsi-web", "web-meeting",
               "bigbluebutton-web", "nextcloud-talk-web", "generic")


class UiSettings:
    """Read and write the app's settings file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.config_dir() / "app.ini"
        self.store = QSettings(str(self.path), QSettings.Format.IniFormat)

    def _bool(self, key: str, default: bool) -> bool:
        value = self.store.value(key, default)
        return value in (True, "true", "1", 1) if not isinstance(value, bool) else value

    @property
    def confirm_stop(self) -> bool:
        """Ask before Stop & Wipe ends a running meeting (default: yes)."""
        return self._bool("sessions/confirm_stop", True)

    @confirm_stop.setter
    def confirm_stop(self, value: bool) -> None:
        self.store.setValue("sessions/confirm_stop", value)
        self.store.sync()

    @property
    def tray_notice_shown(self) -> bool:
        """Whether the app already said that the close button keeps it running in the tray."""
        return self._bool("window/tray_notice_shown", False)

    @tray_notice_shown.setter
    def tray_notice_shown(self, value: bool) -> None:
        self.store.setValue("window/tray_notice_shown", value)
        self.store.sync()

    @property
    def vm_pool_size(self) -> int:
        """How many paused VMs the app keeps ready for VM sessions (default 0: none;
        the system policy's ``vm.pool_size`` wins over it)."""
        value = self.store.value("vm/pool_size", 0)
        try:
            return max(0, min(16, int(str(value))))
        except ValueError:
            return 0

    @vm_pool_size.setter
    def vm_pool_size(self, value: int) -> None:
        self.store.setValue("vm/pool_size", value)
        self.store.sync()

    @property
    def spares(self) -> bool:
        """Keep a spare session of the most used profiles ready (default: yes; the system
        policy may forbid it, and none is kept on battery)."""
        return self._bool("sessions/spares", True)

    @spares.setter
    def spares(self, value: bool) -> None:
        self.store.setValue("sessions/spares", value)
        self.store.sync()

    def most_used(self, count: int) -> list[str]:
        """The *count* profiles launched most often (at least once), most used first."""
        self.store.beginGroup("uses")
        names = self.store.childKeys()
        self.store.endGroup()
        used = sorted((n for n in names if self.uses(n) > 0), key=lambda n: -self.uses(n))
        return used[:count]

    def uses(self, profile: str) -> int:
        """How often *profile* was launched from this app."""
        value = self.store.value(f"uses/{profile}", 0)
        try:
            return int(str(value))
        except ValueError:
            return 0

    def count_use(self, profile: str) -> None:
        """One more launch of *profile*."""
        self.store.setValue(f"uses/{profile}", self.uses(profile) + 1)
        self.store.sync()

    def order_key(self, name: str, title: str) -> tuple[int, int, str]:
        """Sort key: most used first, then the newcomer's order (Zoom first), then title."""
        rank = FIRST_ORDER.index(name) if name in FIRST_ORDER else len(FIRST_ORDER)
        return (-self.uses(name), rank, title.lower())
