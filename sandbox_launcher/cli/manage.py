"""What the app's profile editor and its downloads question do, for scripts and IT.

``profile new NAME --from TEMPLATE``, ``profile reset NAME``, ``profile delete NAME``;
``downloads list [--json]``, ``downloads keep ID --to DIR``, ``downloads discard ID``.
They call the same service functions as the app, so a file is written, removed, kept or
discarded exactly as there.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from ..core.errors import ProfileError
from ..core.profile import load_profiles


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``profile …`` and ``downloads …``."""
    profile = sub.add_parser("profile", help="make, reset or delete a profile of your own "
                                             "(what the app's profile editor does)")
    psub = profile.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    new = psub.add_parser("new", help="a new profile of yours, a copy of another's values")
    new.add_argument("name", help="the new profile's name (lower case, digits, - and _)")
    new.add_argument("--from", dest="template", required=True, metavar="PROFILE",
                     help="the profile whose values it starts with, e.g. zoom or generic")
    for action, text in (("reset", "undo your changes to a built-in profile"),
                         ("delete", "delete a profile of your own")):
        cmd = psub.add_parser(action, help=text)
        cmd.add_argument("name", help="the profile")
    downloads = sub.add_parser("downloads", help="keep or discard the downloads ended "
                                                 "sessions of the app left for you")
    dsub = downloads.add_subparsers(dest="downloads_command", metavar="ACTION",
                                    required=True)
    listed = dsub.add_parser("list", help="what waits for your decision")
    listed.add_argument("--json", action="store_true", help="machine-readable output")
    keep = dsub.add_parser("keep", help="move a session's downloads into a folder")
    keep.add_argument("id", help="the session, as 'downloads list' shows it")
    keep.add_argument("--to", dest="folder", required=True, metavar="DIR",
                      help="where to move them (files already there are never overwritten)")
    discard = dsub.add_parser("discard", help="delete a session's downloads")
    discard.add_argument("id", help="the session, as 'downloads list' shows it")


def profile_main(args: argparse.Namespace, out: TextIO) -> int:
    """``profile new|reset|delete``."""
    from ..session.service import SessionService

    service = SessionService(policy_path=args.system.policy,
                             admin_profiles=args.system.admin_profiles)
    if args.profile_command == "new":
        found = service.profiles()
        if args.name in found.profiles:
            raise ProfileError(f"a profile called {args.name!r} exists already",
                               "choose another name, or change that profile")
        template = found.get(args.template)
        values = {**template.values, "title": args.name}
        path = service.save_profile(args.name, values)
        print(f"profile {args.name} made from {args.template}: {path}", file=out)
        return 0
    builtin = args.name in load_profiles(service.user_profiles_dir() / "nonexistent").profiles
    if args.profile_command == "delete" and builtin:
        raise ProfileError(f"{args.name!r} is a built-in profile and cannot be deleted",
                           f"undo your changes to it with: sandbox-launcher profile reset "
                           f"{args.name}")
    removed = service.remove_user_profile(args.name)
    if removed is None:
        raise ProfileError(f"you have no file for the profile {args.name!r}",
                           "see 'sandbox-launcher profiles' for what is yours")
    done = "back to its built-in values" if builtin else "deleted"
    print(f"profile {args.name} {done} (removed {removed})", file=out)
    return 0


def downloads_main(args: argparse.Namespace, out: TextIO) -> int:
    """``downloads list|keep|discard``."""
    from ..core import paths
    from ..session.downloads import HeldDownloads

    held = HeldDownloads(paths.pending_downloads_dir())
    if args.downloads_command == "list":
        waiting = held.waiting()
        if args.json:
            json.dump([{"id": p.session_id, "profile": p.profile, "ended": p.ended,
                        "files": [{"name": f.name, "size": f.size} for f in p.files],
                        "bytes": p.total} for p in waiting], out, indent=2)
            out.write("\n")
        elif not waiting:
            print("no downloads wait for a decision", file=out)
        for pending in waiting if not args.json else ():
            print(f"{pending.session_id:<20} {pending.profile or '?':<12} "
                  f"{len(pending.files)} file(s), {pending.total} bytes", file=out)
        return 0
    if args.downloads_command == "keep":
        decision = held.keep(args.id, args.folder)
        print(f"kept {len(decision['kept'])} file(s) in {decision['target']}", file=out)
        return 0
    held.discard(args.id)
    print(f"discarded the downloads of {args.id}", file=out)
    return 0
