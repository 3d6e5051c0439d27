"""``sandbox-launcher verify [PROFILE…] [--backend …] [--json]``: test the box itself.

Prints one table per profile (each escape attempt blocked or ESCAPED, each expected
permission working or BROKEN, or not tested and why) or, with ``--json``, the result
as docs/verify.schema.json describes it. Exits 1 when anything escaped, a grant is
broken or a profile could not be verified.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

from ..core.schema import FIELDS_BY_KEY

if TYPE_CHECKING:  # imported when the command runs: the probe's code is heavy
    from ..session.launch import Launcher
    from ..session.verify import VerifyResult

EXIT_FAILED = 1


def add_parser(sub: Any) -> None:
    """Register ``verify`` on the main parser's subcommands."""
    cmd = sub.add_parser("verify", help="run a hostile probe in each profile's sandbox "
                                        "and show what it could reach")
    cmd.add_argument("profiles", nargs="*", metavar="PROFILE",
                     help="profiles to verify (default: every built-in profile)")
    cmd.add_argument("--backend", choices=FIELDS_BY_KEY["backend"].choices,
                     help="verify this backend")
    cmd.add_argument("--json", action="store_true", help="machine-readable output")
    cmd.add_argument("--no-network", action="store_true",
                     help="skip the network half (no fake internet is built)")


def table(result: VerifyResult) -> str:
    """The result for people: one block per profile."""
    lines: list[str] = []
    for profile in result.profiles:
        verdict = "FAILED" if profile.failed else "passed"
        lines.append(f"{profile.profile} ({profile.backend}, network {profile.network or '?'})"
                     f": {verdict}")
        if profile.error:
            lines.append(f"  could not verify: {profile.error}")
        width = max((len(r.title) for r in profile.rows), default=0)
        for row in profile.rows:
            lines.append(f"  {row.title:<{width}}  {row.status.value:<10}  {row.detail[:70]}")
        lines.append("")
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines).rstrip() + "\n"


def main(args: argparse.Namespace, out: TextIO, err: TextIO,
         launcher: Launcher | None = None) -> int:
    """Run verify and print the table or the JSON."""
    from ..session.launch import Launcher
    from ..session.verify import Verifier, VerifyResult, default_profiles, save

    launcher = launcher or Launcher(files=args.system)
    names = list(args.profiles) or default_profiles(launcher)
    progress = None if args.json else (lambda text: print(f"verify: {text}", file=err))
    verifier = Verifier(launcher, backend=args.backend, progress=progress,
                        network=not args.no_network)
    result = verifier.run(names, skip_unplannable=not args.profiles)
    for profile in result.profiles:
        save(VerifyResult(result.started, [profile], result.notes), profile.profile)
    if args.json:
        json.dump(result.to_dict(), out, indent=2)
        out.write("\n")
    else:
        out.write(table(result))
    return EXIT_FAILED if result.failed else 0
