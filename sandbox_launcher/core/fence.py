"""Which countries' servers a session may reach: plain data every layer may carry.

The network jail (``netjail/``) looks addresses up and applies the verdict; planning
merges the profile's fence with the system policy's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .checks import check_country_code


def _codes(values: Iterable[str], what: str) -> frozenset[str]:
    codes = frozenset(values)
    for code in sorted(codes):
        problem = check_country_code(code)
        if problem is not None:
            raise ValueError(f"{what} list: {problem}")
    return codes


@dataclass(frozen=True)
class CountryFence:
    """Which countries' servers the client may reach.

    ``deny`` always wins. A non-empty ``allow`` lets only those countries through, and
    then an address of unknown country is blocked too. ``restricted`` marks that an
    allow-list is in force even when it is empty: merging a policy and a profile whose
    allow-lists share no country must allow nothing, not fall back to "no rule".
    Construct with validated codes (see :func:`check_country_code`); others raise
    :class:`ValueError`.
    """

    allow: frozenset[str] = frozenset()
    deny: frozenset[str] = frozenset()
    restricted: bool = field(default=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "allow", _codes(self.allow, "allowed countries"))
        object.__setattr__(self, "deny", _codes(self.deny, "denied countries"))
        if self.allow:
            # A fence with an allow-list is restricted by definition.
            object.__setattr__(self, "restricted", True)

    def verdict(self, country: str | None) -> tuple[bool, str]:
        """Return (allowed, the rule that decided) for a destination in *country*."""
        if country is not None and country in self.deny:
            return False, f"country {country} is denied"
        if self.restricted:
            if not self.allow:
                return False, ("no country is allowed: the system policy's and the "
                               "profile's allowed lists have no country in common")
            if country is None:
                allowed = ", ".join(sorted(self.allow))
                return False, f"country unknown, and only {allowed} are allowed"
            if country not in self.allow:
                return False, f"country {country} is not in the allowed list"
            return True, f"country {country} is in the allowed list"
        return True, "no country rule"

    @classmethod
    def merge(cls, profile_fence: CountryFence, policy_fence: CountryFence) -> CountryFence:
        """Combine a profile's fence with the system policy's; the stricter always wins.

        Denied countries add up. Allow-lists intersect; when only one side has one, it
        applies as is. A profile can therefore narrow the policy but never widen it.
        """
        deny = profile_fence.deny | policy_fence.deny
        if profile_fence.restricted and policy_fence.restricted:
            allow = profile_fence.allow & policy_fence.allow
        elif profile_fence.restricted:
            allow = profile_fence.allow
        else:
            allow = policy_fence.allow
        restricted = profile_fence.restricted or policy_fence.restricted
        return cls(allow=allow, deny=deny, restricted=restricted)
