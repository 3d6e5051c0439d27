"""Checks of single profile and policy values that need a table of their own.

They live in core because the schema (core) needs them; the domain packages
(``devices``, ``netjail``) import them from here, never the other way round.

Which session-bus names a profile may ask to talk to, and why some never:
a profile lists names (``org.freedesktop.Notifications``) or prefixes
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


#: Every ISO 3166-1 alpha-2 code in use (249, as in Debian's iso-codes 4.15 and tzdata's
#: iso3166.tab). Shipped here so validation needs no extra dependency. Registry-only
#: codes such as EU and AP are deliberately absent: they name no country.
_ISO_3166_ALPHA2_TEXT = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
ISO_3166_ALPHA2: frozenset[str] = frozenset(_ISO_3166_ALPHA2_TEXT.split())

_TWO_LETTERS = re.compile(r"[A-Za-z]{2}")


def check_country_code(value: object) -> str | None:
    """Return an error message if *value* is not an ISO 3166-1 alpha-2 code, else None.

    Codes must be written in upper case, as the standard writes them; a lower-case code
    is refused with the fix in the message rather than silently accepted, so that policy
    files read the same everywhere.
    """
    if not isinstance(value, str):
        return f"a country code must be a string, not {type(value).__name__}"
    if not _TWO_LETTERS.fullmatch(value):
        return f"{value!r} is not a two-letter country code (ISO 3166-1 alpha-2, e.g. DE)"
    if value != value.upper():
        return f"country code {value!r} must be upper case: {value.upper()!r}"
    if value not in ISO_3166_ALPHA2:
        return f"{value!r} is not an ISO 3166-1 alpha-2 country code"
    return None
