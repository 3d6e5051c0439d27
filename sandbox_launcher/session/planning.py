"""The one way from a profile and a launch's choices to a plan: under the system policy.

The command line and the app both plan here, so a lock of the administrator's is applied
in one place (``core/policy_apply.py``) and no front end can launch around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ..core.plan import LaunchPlan, RunOptions, make_plan
from ..core.policy import Policy, SystemFiles, load_policy
from ..core.policy_apply import apply_policy, check_added_domains
from ..core.profile import Profile, ProfileSet, load_profiles
from ..devices.plan import WindowFinder


def profiles_under_policy(files: SystemFiles, user_dir: Path | None = None
                          ) -> tuple[Policy, ProfileSet]:
    """The policy in force and the profiles it lets exist.

    A broken policy raises (its ProfileError names file, line and key): nothing is
    listed or launched under a policy nobody can read (fail closed).
    """
    policy = load_policy(files.policy)
    return policy, load_profiles(user_dir, admin_dir=files.admin_profiles, policy=policy)


def plan_launch(profile_name: str, options: RunOptions, files: SystemFiles, *,
                user_dir: Path | None = None, host_env: Mapping[str, str] | None = None,
                windows: WindowFinder | None = None) -> tuple[Profile, LaunchPlan]:
    """Read the policy and profiles, apply the policy's locks, and plan the launch.

    Returns the profile as it runs (locks applied) and the plan.
    """
    policy, found = profiles_under_policy(files, user_dir)
    profile, notes = apply_policy(found.get(profile_name), options, policy)
    plan = make_plan(profile, options, host_env=host_env, policy=policy, windows=windows)
    check_added_domains(plan.network.domains, policy)
    return profile, replace(plan, notes=(*profile.notes, *notes, *plan.notes))
