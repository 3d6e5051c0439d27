"""The system policy: what an IT department fixes for every user of the machine.

``/etc/sandbox-launcher/policy.toml`` is read-only for users. It is validated by the
policy schema (``policy_schema.py``, derived from the profile schema): any profile key
can be locked, narrowed to allowed values or capped, and the device switches and
country lists of earlier versions keep their meaning. What it says is never widened by
a profile, a command-line option, the app or the environment: the locks are applied
where the effective settings are computed (``policy_apply.py``); denied countries add
up, allowed countries intersect. A broken policy file stops every launch (fail closed)
with the file, line and key named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ProfileError
from .fields import copy_default, locate_keys, parse_size, parse_toml
from .outbound import LinksRule
from .paths import SYSTEM_DIR
from .policy_schema import AUDIT_FILE, POLICY
from .schema import FIELDS_BY_KEY

#: Where the administrator's files live. Front ends take them as a dependency
#: (:class:`SystemFiles`), so tests point them elsewhere; nothing a user sets (an
#: environment variable, a flag) moves them.
SYSTEM_POLICY = SYSTEM_DIR / "policy.toml"
ADMIN_PROFILES = SYSTEM_DIR / "profiles"

#: User-profile keys that widen the network; ignored when the policy forbids additions.
NETWORK_ADDITIONS = ("network.domains", "network.cidrs", "network.ports",
                     "network.vendor_ranges", "web.any_host")

_FIX_HINT = ("ask your administrator to fix the system policy ('sandbox-launcher policy "
             "check' lists every problem); until then nothing can be launched")


@dataclass(frozen=True)
class SystemFiles:
    """The administrator's files, passed into ``main()`` and the app service."""

    policy: Path = SYSTEM_POLICY
    admin_profiles: Path = ADMIN_PROFILES




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
class Constraint:
    """What the policy fixes of one profile key, and which line of which file says so."""

    key: str
    locked: bool = False
    value: Any = None
    allowed: tuple[str, ...] | None = None
    ceiling: int | None = None
    source: str = ""

    def permits(self, value: Any) -> bool:
        """Whether *value* may stand as it is."""
        if self.locked and value != self.value:
            return False
        if self.allowed is not None:
            items = value if isinstance(value, list | tuple) else [value]
            if any(i not in self.allowed for i in items):
                return False
        return self.ceiling is None or parse_size(value) <= self.ceiling

    def describe(self) -> str:
        """``namespace``, ``one of: a, b``, ``at most 2G``: for the lock and messages."""
        if self.locked:
            text = (", ".join(map(str, self.value)) or "none") if isinstance(
                self.value, list) else str(self.value)
        elif self.allowed is not None:
            text = "only " + (", ".join(self.allowed) or "none")
        else:
            text = f"at most {(self.ceiling or 0) >> 20} MiB"
        return f"{text} (set by your administrator in {self.source})"


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
    #: Every policy key the file sets (flat), and the line that sets it.
    settings: Mapping[str, Any] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)
    #: Profile key → what the policy fixes of it.
    constraints: Mapping[str, Constraint] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        """A policy key's value in force (the file's, else the default)."""
        return self.settings.get(key, POLICY.by_key[key].default)

    def origin(self, key: str) -> str:
        """``FILE:LINE`` for a key the file sets, ``default`` otherwise."""
        if key not in self.settings:
            return "default"
        line = self.lines.get(key)
        return f"{self.source}:{line}" if line else self.source

    @property
    def forbid_additions(self) -> bool:
        """Whether user profiles and flags may not widen the network."""
        return bool(self.get("network.forbid_additions"))

    @property
    def allow_vault(self) -> bool:
        """Whether profiles may remember sign-in (``[vault] allow``)."""
        return bool(self.get("vault.allow"))

    @property
    def spares_off(self) -> str:
        """Why the app may keep no spare session (``[sessions] spares = false``), or ""."""
        if self.get("sessions.spares"):
            return ""
        return f"forbidden by the system policy ([sessions] spares = false in {self.source})"

    @property
    def hide_user_profiles(self) -> bool:
        """Whether the user's own profile files are ignored."""
        return bool(self.get("profiles.hide_user"))

    def profile_allowed(self, name: str) -> bool:
        """Whether the policy lets profile *name* exist."""
        only = self.get("profiles.only")
        return not only or name in only

    @property
    def links(self) -> LinksRule:
        """What sessions may open outside (``[links]``)."""
        return LinksRule.from_settings(self.get)

    @property
    def audit(self) -> AuditPolicy:
        """The audit trail asked for (``[audit]``)."""
        return AuditPolicy(bool(self.get("audit.enabled")), str(self.get("audit.target")),
                           str(self.get("audit.file")), bool(self.get("audit.meeting_ids")))

    def to_dict(self) -> dict[str, Any]:
        """JSON form for reports."""
        return {"source": self.source or None, "allow_countries": list(self.allow_countries),
                "deny_countries": list(self.deny_countries),
                "country_overrides": dict(self.country_overrides),
                "devices": self.devices.to_dict(), "audit": self.audit.to_dict(),
                "locks": {k: c.describe() for k, c in sorted(self.constraints.items())}}


def read_policy(path: Path) -> tuple[str, dict[str, Any]] | None:
    """The file's text and TOML document; None when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"the system policy cannot be read: {exc}",
                           "ask your administrator to fix its permissions",
                           path=str(path)) from exc
    return text, parse_toml(text, path=str(path), hint=_FIX_HINT)


def policy_problems(path: Path) -> list[ProfileError]:
    """Every problem of the policy file (for ``policy check``); [] when it is fine."""
    try:
        read = read_policy(path)
    except ProfileError as exc:
        return [exc]
    if read is None:
        return []
    flat, found = POLICY.problems(read[1], path=str(path), text=read[0], hint=_FIX_HINT)
    return found or _conflicts(Policy(source=str(path), settings=flat,
                                      lines=locate_keys(read[0])))


def load_policy(path: Path = SYSTEM_POLICY) -> Policy:
    """Read and validate the policy file; a missing file is an empty policy."""
    read = read_policy(path)
    if read is None:
        return Policy()
    text, doc = read
    flat = POLICY.validate(doc, path=str(path), text=text, hint=_FIX_HINT)
    lines = locate_keys(text)
    base = Policy(source=str(path), settings=flat, lines=lines)
    conflicts = _conflicts(base)
    if conflicts:
        raise conflicts[0]
    switches = {key.partition(".")[2]: bool(value) for key, value in flat.items()
                if key.startswith("devices.allow_")}
    devices = DevicePolicy(forbid_share=tuple(base.get("devices.forbid_share")), **switches)
    return Policy(
        allow_countries=tuple(base.get("network.allow_countries")),
        deny_countries=tuple(base.get("network.deny_countries")),
        country_overrides=dict(base.get("network.country_overrides")),
        source=str(path), devices=devices, settings=flat, lines=lines,
        constraints=_constraints(base, devices))


def _conflicts(policy: Policy) -> list[ProfileError]:
    """A lock outside the same key's allowed values or ceiling contradicts itself."""
    found = []
    for setting, value in policy.settings.items():
        table, _, key = setting.partition(".")
        if table != "lock":
            continue
        allowed = policy.settings.get(f"allow.{key}")
        ceiling = policy.settings.get(f"max.{key}")
        items = value if isinstance(value, list) else [value]
        limit = f"allow.{key}" if allowed is not None and any(
            i not in allowed for i in items) else f"max.{key}" if ceiling is not None and (
            parse_size(value) > parse_size(ceiling)) else ""
        if limit:
            found.append(ProfileError(
                f"{setting} = {value!r} contradicts {limit} in the same policy",
                f"{_FIX_HINT} (the lock must be within {limit})",
                path=policy.source, line=policy.lines.get(setting), key=setting))
    return found


def _constraints(policy: Policy, devices: DevicePolicy) -> dict[str, Constraint]:
    """Profile key → constraint, from ``[lock]``, ``[allow]``, ``[max]`` and the switches."""
    found: dict[str, Constraint] = {}

    def add(key: str, origin: str, **what: Any) -> None:
        old = found.get(key)
        if old is not None and old.allowed is not None and what.get("allowed") is not None:
            what["allowed"] = tuple(a for a in old.allowed if a in what["allowed"])
        values = {"locked": old.locked, "value": old.value, "allowed": old.allowed,
                  "ceiling": old.ceiling, "source": old.source} if old else {}
        found[key] = Constraint(key, **(values | what | {"source": origin}))

    for setting, value in policy.settings.items():
        table, _, key = setting.partition(".")
        if key not in FIELDS_BY_KEY:
            continue
        origin = policy.origin(setting)
        if table == "lock":
            add(key, origin, locked=True, value=value)
        elif table == "allow":
            add(key, origin, allowed=tuple(value))
        elif table == "max":
            add(key, origin, ceiling=parse_size(value))
    # The switches of earlier policies say the same as a lock: show and enforce them so.
    if not devices.allow_host_x11:
        display = FIELDS_BY_KEY["devices.display"].choices
        add("devices.display", policy.origin("devices.allow_host_x11"),
            allowed=tuple(c for c in display if c != "insecure_host_x11"))
    if not devices.allow_dbus:
        add("devices.dbus_talk", policy.origin("devices.allow_dbus"), locked=True, value=[])
    if policy.forbid_additions:
        add("web.any_host", policy.origin("network.forbid_additions"), locked=True,
            value=False)
    return found


def constrain_values(values: dict[str, Any], policy: Policy) -> tuple[dict[str, Any], list[str]]:
    """Locks, allowed list items and ceilings applied to a profile's values.

    Returns the new values and a note for each change. A single choice outside an
    allowed set is left as it is (:func:`apply_policy` refuses it at launch).
    """
    found = dict(values)
    notes: list[str] = []
    for key, rule in sorted(policy.constraints.items()):
        value = found[key]
        if rule.permits(value):
            continue
        if rule.locked:
            found[key] = copy_default(rule.value)
        elif rule.ceiling is not None and parse_size(value) > rule.ceiling:
            found[key] = rule.ceiling
        elif rule.allowed is not None and isinstance(value, list):
            found[key] = [item for item in value if item in rule.allowed]
        else:
            continue
        notes.append(f"the profile's {key} = {value!r} is not used: {rule.describe()}")
    return found, notes
