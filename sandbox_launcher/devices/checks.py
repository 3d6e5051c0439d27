"""Checks of the profile's device keys; imported by the schema, so it imports nothing.

Which session-bus names a profile may ask to talk to, and why some never:

A profile lists names (``org.freedesktop.Notifications``) or prefixes
(``org.kde.StatusNotifierWatcher.*``). Names whose service hands out the user's secrets,
runs programs outside the sandbox or sees the screen are refused, as is anything that
amounts to the whole bus.
"""

from __future__ import annotations

import re
from typing import Any

_ELEMENT = r"[A-Za-z_-][A-Za-z0-9_-]*"
_NAME_RE = re.compile(rf"^{_ELEMENT}(\.{_ELEMENT})+(\.\*)?$")

#: Services that would undo the sandbox, with the reason given to the user.
DENIED_NAMES: dict[str, str] = {
    "org.freedesktop.secrets": "it hands out the user's stored passwords (Secret Service)",
    "org.gnome.keyring": "it hands out the user's stored passwords and keys",
    "org.kde.kwalletd5": "it hands out the user's stored passwords (KWallet)",
    "org.kde.kwalletd6": "it hands out the user's stored passwords (KWallet)",
    "org.freedesktop.systemd1": "it starts programs outside the sandbox (transient units)",
    "org.freedesktop.Flatpak": "it starts programs outside the sandbox (flatpak-spawn --host)",
    "org.freedesktop.portal.Flatpak": "it starts programs in other sandboxes",
    "org.freedesktop.DBus": "the bus itself; the proxy already answers what a client needs",
    "org.gnome.Shell": "its Eval and Screenshot calls read and drive the whole desktop",
    "org.gnome.SessionManager": "it can log the user out and inhibit the session",
    "org.freedesktop.impl.portal": "portal back-ends and the permission store trust their "
                                   "caller completely",
    "org.freedesktop.portal.Desktop": "through it the client counts as a host app: OpenURI "
                                      "opens host programs, Screenshot and RemoteDesktop see "
                                      "and drive the desktop; screen sharing is its own "
                                      "grant (--share-screen), which opens ScreenCast alone",
    "org.gnome.Mutter.ScreenCast": "it records the screen without asking anyone",
    "org.gnome.Mutter.RemoteDesktop": "it records the screen and drives keyboard and mouse",
    "org.gnome.Terminal": "it opens terminals outside the sandbox",
    "org.kde.klauncher5": "it starts programs outside the sandbox",
}


def _covers(pattern: str, name: str) -> bool:
    """Whether a talk *pattern* (a name or ``prefix.*``) reaches bus name *name*."""
    if pattern.endswith(".*"):
        prefix = pattern[:-2]
        return name == prefix or name.startswith(prefix + ".")
    return name == pattern or pattern.startswith(name + ".")


def check_talk_name(value: Any) -> str | None:
    """Why *value* cannot be a ``devices.dbus_talk`` entry, or None when it can."""
    if not isinstance(value, str) or not _NAME_RE.match(value) or len(value) > 255:
        return (f"{value!r} is not a D-Bus name such as org.freedesktop.Notifications "
                "(or a prefix such as org.example.*); the whole bus is never granted")
    for denied, why in DENIED_NAMES.items():
        if _covers(value, denied):
            return f"{value!r} reaches {denied}, which is never granted: {why}"
    return None


_SIZE_RE = re.compile(r"^(\d{3,5})x(\d{3,5})$")


def check_display_size(value: Any) -> str | None:
    """``1280x800``: at least 320x200, at most 7680x4320."""
    match = _SIZE_RE.match(str(value))
    if not match or not (320 <= int(match[1]) <= 7680 and 200 <= int(match[2]) <= 4320):
        return f"{value!r} is not a window size such as 1280x800"
    return None
