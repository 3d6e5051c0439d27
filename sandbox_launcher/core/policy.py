"""The system policy: what an IT department fixes for every user of the machine.

``/etc/sandbox-launcher/policy.toml`` is read-only for users. What it says is never
widened by a profile or a command-line option: denied countries add up, allowed
countries intersect. A broken policy file stops every launch (fail closed) with the
file, line and key named.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..netjail.geo import check_country_code
from .errors import ProfileError
from .schema import check_cidr, locate_keys

SYSTEM_POLICY = Path("/etc/sandbox-launcher/policy.toml")

_KEYS: dict[str, str] = {
    "network.allow_countries": "list of country codes",
    "network.deny_countries": "list of country codes",
    "network.country_overrides": "table of CIDR = country code",
    "devices.allow_camera": "true or false: whether a camera may be granted",
    "devices.allow_share": "true or false: whether a share folder may be granted",
    "devices.forbid_share": "list of folders never shared (nor any folder in or above them)",
    "devices.allow_host_x11": "true or false: whether insecure_host_x11 may be granted",
    "devices.allow_dbus": "true or false: whether profiles may talk to session-bus services",
    "devices.allow_keep_downloads": "true or false: whether downloads may be kept",
    "devices.allow_mic": "true or false: whether the microphone may be switched on",
    "devices.allow_screen_share": "true or false: whether a window or the screen may be "
                                  "shared",
    "vault.allow": "true or false: whether profiles may remember sign-in in an encrypted "
                   "vault",
}


@dataclass(frozen=True)
class DevicePolicy:
    """What the administrator allows of the device grants (everything, by default)."""

    allow_camera: bool = True
    allow_share: bool = True
    forbid_share: tuple[str, ...] = ()
    allow_host_x11: bool = True
    allow_dbus: bool = True
    allow_keep_downloads: bool = True
    allow_mic: bool = True
    allow_screen_share: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON form for reports."""
        return {"allow_camera": self.allow_camera, "allow_share": self.allow_share,
                "forbid_share": list(self.forbid_share), "allow_host_x11": self.allow_host_x11,
                "allow_dbus": self.allow_dbus,
                "allow_keep_downloads": self.allow_keep_downloads,
                "allow_mic": self.allow_mic, "allow_screen_share": self.allow_screen_share}


@dataclass(frozen=True)
class Policy:
    """The system policy in force (empty when there is no policy file)."""

    allow_countries: tuple[str, ...] = ()
    deny_countries: tuple[str, ...] = ()
    country_overrides: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    devices: DevicePolicy = field(default_factory=DevicePolicy)
    #: Whether profiles may remember sign-in (``[vault] allow``).
    allow_vault: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON form for reports."""
        return {"source": self.source or None, "allow_countries": list(self.allow_countries),
                "deny_countries": list(self.deny_countries),
                "country_overrides": dict(self.country_overrides),
                "devices": self.devices.to_dict(), "vault": {"allow": self.allow_vault}}


def load_policy(path: Path = SYSTEM_POLICY) -> Policy:
    """Read and validate the policy file; a missing file is an empty policy."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Policy()
    except OSError as exc:
        raise ProfileError(f"the system policy cannot be read: {exc.strerror}",
                           "ask your administrator to fix its permissions",
                           path=str(path)) from exc
    where = locate_keys(text)

    def fail(key: str, message: str) -> ProfileError:
        return ProfileError(message, "ask your administrator to fix the system policy",
                            path=str(path), line=where.get(key), key=key)

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"the system policy is not valid TOML: {exc}",
                           "ask your administrator to fix the system policy",
                           path=str(path)) from exc
    network = doc.get("network", {})
    for key in doc:
        if key not in ("network", "devices", "vault") or not isinstance(doc[key], dict):
            raise fail(key, f"unknown key {key!r} in the system policy")
    for section in ("network", "devices", "vault"):
        for key in doc.get(section, {}):
            if f"{section}.{key}" not in _KEYS:
                raise fail(f"{section}.{key}",
                           f"unknown key '{section}.{key}' in the system policy")
    lists: dict[str, tuple[str, ...]] = {}
    for name in ("allow_countries", "deny_countries"):
        value = network.get(name, [])
        problem = (None if isinstance(value, list) else "expected a list of country codes")
        problem = problem or next(filter(None, map(check_country_code, value)), None)
        if problem:
            raise fail(f"network.{name}", problem)
        lists[name] = tuple(value)
    overrides = network.get("country_overrides", {})
    if not isinstance(overrides, dict):
        raise fail("network.country_overrides", "expected a table of CIDR = country code")
    for cidr, code in overrides.items():
        problem = check_cidr(cidr) or check_country_code(code)
        if problem:
            raise fail("network.country_overrides", problem)
    allow_vault = doc.get("vault", {}).get("allow", True)
    if not isinstance(allow_vault, bool):
        raise fail("vault.allow", "expected true or false")
    return Policy(lists["allow_countries"], lists["deny_countries"], dict(overrides), str(path),
                  _device_policy(doc.get("devices", {}), fail), allow_vault=allow_vault)


def _device_policy(section: dict[str, Any],
                   fail: Callable[[str, str], ProfileError]) -> DevicePolicy:
    values: dict[str, Any] = {}
    for key, value in section.items():
        if key == "forbid_share":
            if not (isinstance(value, list) and all(isinstance(v, str) and v for v in value)):
                raise fail("devices.forbid_share", "expected a list of folders")
            values[key] = tuple(value)
        elif not isinstance(value, bool):
            raise fail(f"devices.{key}", "expected true or false")
        else:
            values[key] = value
    return DevicePolicy(**values)
