"""``sandbox-launcher policy show [--json]`` and ``policy check [FILE]``: for IT.

``show`` prints the policy in force: every setting with its value and where it came
from (``FILE:LINE`` or ``default``), then what it fixes of the profiles. ``check``
validates a policy file (the system one by default) and the administrator's profiles
beside it, listing every problem as ``FILE:LINE [key]: message``; it exits 0 when all
is well and 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from ..core.errors import ProfileError
from ..core.policy import Policy, SystemFiles, load_policy, policy_problems
from ..core.policy_schema import POLICY
from ..core.profile import read_profile_file


def add_parser(sub: Any) -> None:
    """Register ``policy show|check``."""
    cmd = sub.add_parser("policy", help="show or check the system policy (for IT)")
    actions = cmd.add_subparsers(dest="policy_command", required=True)
    show = actions.add_parser("show", help="the policy in force, and where each value "
                                           "came from")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    check = actions.add_parser("check", help="validate a policy file (default: the "
                                             "system policy) and the admin profiles")
    check.add_argument("file", nargs="?", help="the policy file to check")


def describe(policy: Policy) -> dict[str, Any]:
    """JSON form of ``policy show``."""
    settings = {
        fld.key: {"value": policy.get(fld.key), "from": policy.origin(fld.key)}
        for fld in POLICY.fields
        if fld.key in policy.settings or fld.default is not None}
    return {"source": policy.source or None, "settings": settings,
            "locks": {key: {"value": rule.value if rule.locked else None,
                            "allowed": list(rule.allowed) if rule.allowed is not None
                            else None,
                            "ceiling": rule.ceiling, "from": rule.source,
                            "text": rule.describe()}
                      for key, rule in sorted(policy.constraints.items())}}


def main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``policy show`` or ``policy check``; returns the exit status."""
    system: SystemFiles = args.system
    if args.policy_command == "show":
        return _show(load_policy(system.policy), system, args.json, out)
    path = Path(args.file) if args.file else system.policy
    if not path.exists():
        print(f"{path}: no such file (no policy: every setting is the user's)", file=err)
        return 1
    problems = policy_problems(path)
    if not args.file:
        problems += _admin_profile_problems(system.admin_profiles)
    for problem in problems:
        print(f"{problem.summary}", file=out)
        if problem.hint:
            print(f"  what to do: {problem.hint}", file=out)
    if not problems:
        print(f"{path}: ok", file=out)
    return 1 if problems else 0


def _admin_profile_problems(directory: Path) -> list[ProfileError]:
    found: list[ProfileError] = []
    for path in sorted(directory.glob("*.toml")) if directory.is_dir() else []:
        try:
            read_profile_file(path)
        except ProfileError as exc:
            found.append(exc)
    return found


def _show(policy: Policy, system: SystemFiles, as_json: bool, out: TextIO) -> int:
    data = describe(policy)
    data["admin_profiles"] = str(system.admin_profiles)
    if as_json:
        json.dump(data, out, indent=2)
        out.write("\n")
        return 0
    print(f"policy file: {policy.source or f'none ({system.policy} does not exist)'}",
          file=out)
    print(f"admin profiles: {system.admin_profiles}", file=out)
    for key, item in data["settings"].items():
        print(f"  {key} = {json.dumps(item['value'])}   ({item['from']})", file=out)
    if policy.constraints:
        print("fixed for every profile and launch:", file=out)
    for key, rule in sorted(policy.constraints.items()):
        print(f"  {key}: {rule.describe()}", file=out)
    return 0
