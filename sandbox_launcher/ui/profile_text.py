"""The built-in profiles' titles and descriptions in the user's language.

The profiles are data (TOML) and stay English there; the strings are marked here for
lupdate, and a unit test keeps this list equal to the shipped files. A user's own
profile is shown as written.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from ..core.profile import Profile

_BUILTIN = (
    QT_TRANSLATE_NOOP("Profiles", "BigBlueButton (web)"),
    QT_TRANSLATE_NOOP("Profiles", "A BigBlueButton meeting in a throwaway browser window, "
                                  "network only to its server."),
    QT_TRANSLATE_NOOP("Profiles", "Generic sandbox"),
    QT_TRANSLATE_NOOP("Profiles", "An empty throwaway sandbox for a command you name; "
                                  "no network."),
    QT_TRANSLATE_NOOP("Profiles", "Jitsi Meet (web)"),
    QT_TRANSLATE_NOOP("Profiles", "Jitsi Meet in a throwaway browser window, network only "
                                  "to the meeting's server."),
    QT_TRANSLATE_NOOP("Profiles", "Nextcloud Talk (web)"),
    QT_TRANSLATE_NOOP("Profiles", "A Nextcloud Talk call in a throwaway browser window, "
                                  "network only to its server."),
    QT_TRANSLATE_NOOP("Profiles", "Microsoft Teams (web)"),
    QT_TRANSLATE_NOOP("Profiles", "Teams in a throwaway browser window, network only to "
                                  "Microsoft's servers."),
    QT_TRANSLATE_NOOP("Profiles", "Web meeting"),
    QT_TRANSLATE_NOOP("Profiles", "Any https:// meeting page in a throwaway browser window, "
                                  "network only to its host."),
    QT_TRANSLATE_NOOP("Profiles", "Webex (web)"),
    QT_TRANSLATE_NOOP("Profiles", "Webex in a throwaway browser window, network only to "
                                  "Cisco Webex's servers."),
    QT_TRANSLATE_NOOP("Profiles", "Zoom"),
    QT_TRANSLATE_NOOP("Profiles", "Zoom desktop client, network only to Zoom's servers."),
)


def _text(profile: Profile, value: str) -> str:
    return QCoreApplication.translate("Profiles", value) if profile.builtin else value


def plain_title(profile: Profile) -> str:
    """The profile's title as plain text (menus, accessible names)."""
    return _text(profile, profile.title)


def title(profile: Profile) -> str:
    """The profile's title for rich-text labels (escaped: a user's file may hold markup)."""
    return html.escape(plain_title(profile))


def description(profile: Profile) -> str:
    """The profile's one-line description, escaped like :func:`title`."""
    return html.escape(_text(profile, str(profile["description"])))
