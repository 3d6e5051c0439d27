"""Where the system policy meets a launch: the one place locks are enforced.

Profiles (built-in, the administrator's, the user's) are layered first; then
:func:`apply_policy` turns the profile and the launch's own choices into the effective
settings. Every front end (the command line, the app, a link handler) reaches a plan
only through here (``session/planning.py``), so none of them can skip a lock, and none
of them repeats the decision.

- a locked key takes the administrator's value whatever the profile file says (a note
  says so); a launch option (``--backend``, ``--network``, the launch panel) that asks
  for another value is refused with the lock named;
- an allowed set: a list keeps only the allowed items (noted); a single choice outside
  the set is refused;
- a ceiling lowers a size to it (noted).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from .errors import PolicyRefused, ProfileNotFound
from .policy import Policy, constrain_values
from .profile import Profile
from .schema import FIELDS_BY_KEY

_ASK_ADMIN = "launch without that choice, or ask your administrator"


class LaunchChoices(Protocol):
    """The per-launch options the policy looks at (``RunOptions`` has them)."""

    @property
    def network(self) -> str | None:
        """``--network`` (None: the profile's)."""


def apply_policy(profile: Profile, options: LaunchChoices,
                 policy: Policy) -> tuple[Profile, list[str]]:
    """The profile as the policy lets it run, and notes on what it changed.

    Raises :class:`PolicyRefused` for a launch option or a profile choice that the
    policy does not allow.
    """
    if not policy.profile_allowed(profile.name):
        raise ProfileNotFound(f"the profile {profile.name!r} is not available on this machine",
                              f"your administrator allows only: "
                              f"{', '.join(policy.get('profiles.only'))}")
    for key, rule in sorted(policy.constraints.items()):
        option = FIELDS_BY_KEY[key].launch_option
        asked = getattr(options, option, None) if option else None
        if asked is None or asked == ():
            continue
        value = list(asked) if isinstance(asked, tuple) else asked
        if not rule.permits(value):
            raise PolicyRefused(f"{key} cannot be {value!r} for this launch: it is "
                                f"{rule.describe()}", _ASK_ADMIN)
    if (policy.forbid_additions and options.network not in (None, "none")
            and profile["network.mode"] == "none"):
        raise PolicyRefused(
            f"the profile {profile.name!r} has no network, and your administrator forbids "
            f"adding network access ({policy.origin('network.forbid_additions')})",
            _ASK_ADMIN)
    values, notes = constrain_values(profile.values, policy)
    for key, rule in sorted(policy.constraints.items()):
        if not rule.permits(values[key]):
            raise PolicyRefused(
                f"the profile {profile.name!r} sets {key} = {values[key]!r}, which is not "
                f"allowed: {rule.describe()}",
                f"choose an allowed value for {key} in the profile, or ask your "
                "administrator")
    return replace(profile, values=values), notes


def check_added_domains(domains: tuple[str, ...], policy: Policy) -> None:
    """Refuse names the plan allows beyond a locked or allowed ``network.domains``.

    A meeting link adds its host to the allowlist (``web.any_host``) after the profile's
    values were settled: that addition must stay inside the administrator's list too.
    """
    rule = policy.constraints.get("network.domains")
    if rule is None:
        return
    allowed = rule.value if rule.locked else rule.allowed or ()
    extra = [d for d in domains if d not in allowed]
    if extra:
        raise PolicyRefused(
            f"the meeting link needs {', '.join(extra)}, which network.domains does not "
            f"allow: {rule.describe()}", "use a link on an allowed host, or ask your "
            "administrator")
