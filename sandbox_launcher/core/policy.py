"""The system policy: what an IT department fixes for every user of the machine.

``/etc/sandbox-launcher/policy.toml`` is read-only for users. What it says is never
widened by a profile or a command-line option: denied countries add up, allowed
countries intersect. A broken policy file stops every launch (fail closed) with the
file, line and key named.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
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
}


@dataclass(frozen=True)
class Policy:
    """The system policy in force (empty when there is no policy file)."""

    allow_countries: tuple[str, ...] = ()
    deny_countries: tuple[str, ...] = ()
    country_overrides: Mapping[str, str] = field(default_factory=dict)
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON form for reports."""
        return {"source": self.source or None, "allow_countries": list(self.allow_countries),
                "deny_countries": list(self.deny_countries),
                "country_overrides": dict(self.country_overrides)}


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
        if key != "network":
            raise fail(key, f"unknown key {key!r} in the system policy")
    for key in network:
        if f"network.{key}" not in _KEYS:
            raise fail(f"network.{key}", f"unknown key 'network.{key}' in the system policy")
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
    return Policy(lists["allow_countries"], lists["deny_countries"], dict(overrides), str(path))
