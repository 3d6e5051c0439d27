"""``sandbox-launcher vault status [PROFILE] [--json] | forget PROFILE | export PROFILE --to FILE``.

``export`` is the one way the sign-in leaves the vault as plain text: only to the file
the user names (a new one, 0600), after a warning, and only when confirmed (on a
terminal it asks; elsewhere ``--yes`` must say so), since the file holds what lets
anyone act as the user in the client.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..core.errors import UsageError
from ..core.profile import load_profiles

if TYPE_CHECKING:  # the vault (and cryptography) load only for ``vault`` commands
    from ..vault import VaultStatus

_WARNING = ("warning: the exported file is PLAIN TEXT: it holds the client's sign-in, and "
            "anyone who reads it can act as you in the client")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``vault status|forget|export``."""
    vault = sub.add_parser("vault", help="the encrypted vaults that remember sign-in")
    actions = vault.add_subparsers(dest="vault_command", required=True)
    show = actions.add_parser("status", help="profiles that remember sign-in, vault sizes")
    show.add_argument("profile", nargs="?")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    drop = actions.add_parser("forget", help="remove a profile's vault and its key")
    drop.add_argument("profile")
    out = actions.add_parser("export", help="write the decrypted sign-in (a tar archive, "
                                            "plain text) to a new file")
    out.add_argument("profile")
    out.add_argument("--to", dest="dest", metavar="FILE", required=True, type=Path)
    out.add_argument("--yes", action="store_true",
                     help="do not ask for confirmation (needed without a terminal)")


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp)) if stamp else "never"


def _line(row: VaultStatus) -> str:
    size = f"{row.size / 1024:.1f} KiB" if row.exists else "no vault"
    key = row.key if not row.key_problem else f"unknown ({row.key_problem})"
    text = (f"{row.profile:<14} remember={'yes' if row.remember else 'no ':<4} {size:<12} "
            f"last used {_when(row.last_used)}  key {key}")
    if row.set_aside:
        text += f"\n  {len(row.set_aside)} bad vault(s) kept for inspection: " + \
                ", ".join(row.set_aside)
    return text


def _confirm(dest: Path, yes: bool, err: TextIO) -> None:
    print(_WARNING, file=err)
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError("export needs confirmation",
                         "add --yes to write the plain-text sign-in without a terminal")
    print(f"write it to {dest}? [y/N] ", end="", file=err, flush=True)
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise UsageError("nothing exported", "answer y to export")


def main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``vault …``."""
    from ..vault import export_plain, forget, status

    if args.vault_command == "status":
        found = load_profiles()
        rows = status(found.profiles.values())
        if args.profile:
            rows = [r for r in rows if r.profile == args.profile]
            if not rows:
                found.get(args.profile)  # an unknown name is an error, not an empty list
        if args.json:
            print(json.dumps([r.to_dict() for r in rows], indent=2), file=out)
        elif not rows:
            who = f"{args.profile} does not" if args.profile else "no profile does"
            print(f"{who} remember sign-in or have a vault (remember_signin = true in a "
                  "profile turns it on)", file=out)
        for row in rows if not args.json else []:
            print(_line(row), file=out)
        return 0
    if args.vault_command == "forget":
        done = forget(args.profile)
        for path in done.removed:
            print(f"removed {path}", file=out)
        print(f"key {'removed from' if done.key_removed else 'was not in'} the keyring",
              file=out)
        return 0
    _confirm(args.dest, args.yes, err)
    result = export_plain(args.profile, args.dest)
    for note in result.notes:
        print(note, file=err)
    print(f"wrote {args.dest} (a tar archive of {args.profile}'s sign-in paths)", file=out)
    return 0
