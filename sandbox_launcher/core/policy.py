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
    "audit.enabled": "true or false: one audit line per session (docs/audit.schema.json)",
    "audit.target": "auto, journal or file: where audit lines go (auto: the system journal "
                    "when it runs, else the file)",
    "audit.file": "absolute path of the audit file (lines are appended)",
    "audit.meeting_ids": "true or false: whether audit lines name the meeting joined",
}

#: Where audit lines go when no journal runs and the policy names no file.
AUDIT_FILE = "/var/log/sandbox-launcher/audit.jsonl"
AUDIT_TARGETS = ("auto", "journal", "file")


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
class AuditPolicy:
    """The audit trail the administrator asks for (none, by default)."""

    enabled: bool = False
    target: str = "auto"
    file: str = AUDIT_FILE
    meeting_ids: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"enabled": self.enabled, "target": self.target, "file": self.file,
                "meeting_ids": self.meeting_ids}


@dataclass(frozen=True)
class Policy:
    """The system policy in force (empty when there is no policy file)."""

    allow_countries: tuple[str, ...] = ()
    deny_countries: tuple[str, ...] = ()
    country_overrides: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    devices: DevicePolicy = field(default_factory=DevicePolicy)
    audit: AuditPolicy = field(default_factory=AuditPolicy)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for reports."""
        return {"source": self.source or None, "allow_countries": list(self.allow_countries),
                "deny_countries": list(self.deny_countries),
                "country_overrides": dict(self.country_overrides),
                "devices": self.devices.to_dict(), "audit": self.audit.to_dict()}


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
        if key not in ("network", "devices", "audit") or not isinstance(doc[key], dict):
            raise fail(key, f"unknown key {key!r} in the system policy")
    for section in ("network", "devices", "audit"):
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
    return Policy(lists["allow_countries"], lists["deny_countries"], dict(overrides), str(path),
                  _device_policy(doc.get("devices", {}), fail),
                  _audit_policy(doc.get("audit", {}), fail))


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


def _audit_policy(section: dict[str, Any],
                  fail: Callable[[str, str], ProfileError]) -> AuditPolicy:
    for key in ("enabled", "meeting_ids"):
        if not isinstance(section.get(key, False), bool):
            raise fail(f"audit.{key}", "expected true or false")
    target = section.get("target", "auto")
    if target not in AUDIT_TARGETS:
        raise fail("audit.target", f"expected one of {', '.join(AUDIT_TARGETS)}")
    file = section.get("file", AUDIT_FILE)
    if not (isinstance(file, str) and file.startswith("/") and "\0" not in file):
        raise fail("audit.file", "expected an absolute path")
    return AuditPolicy(section.get("enabled", False), target, file,
                       section.get("meeting_ids", False))
