"""``sandbox-launcher``: the command-line contract of DESIGN.md §5.

This module must stay light: ``run`` is on the hot path of every launch and the
CLI never imports Qt (the desktop app is imported only when asked for).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ..core.errors import LauncherError
from ..core.policy import SystemFiles
from ..core.schema import FIELDS_BY_KEY, VENDORS
from . import app_start, cameras, client, desktop, help_text, manage
from . import image as image_cli
from . import join as join_cli
from . import policy as policy_cli
from . import vault as vault_cli
from . import verify as verify_cli

if TYPE_CHECKING:
    from ..session.launch import Launcher

#: ``run`` exit statuses for failures of the launcher itself, as ``env`` and
#: ``podman run`` use them, so scripts can tell them from the client's own status.
EXIT_LAUNCHER_FAILED = 125
EXIT_NOT_FOUND = 127


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sandbox-launcher",
        description="Run untrusted conferencing clients in throwaway sandboxes.")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log every external command line to stderr")
    parser.add_argument("--tray", action="store_true", help="start the app in the tray")
    parser.add_argument("--open-link", action="store_true",
                        help="start the app and ask for a meeting link")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run a profile in a fresh sandbox, then wipe it",
                         **help_text.RUN)
    run.add_argument("profile", help="the profile to run (names: 'sandbox-launcher "
                                     "profiles'), e.g. zoom, jitsi-web, generic")
    run.add_argument("--backend", choices=FIELDS_BY_KEY["backend"].choices,
                     help="how to isolate: Linux namespaces (default) or a throwaway VM")
    run.add_argument("--join", metavar="URL", help="meeting link to hand to the client")
    run.add_argument("--camera", metavar="DEVICE", help="camera device to grant, or none")
    run.add_argument("--mic", dest="mic", action="store_true", default=None,
                     help="microphone on from the start (default: muted; kill -USR1/-USR2 "
                          "the launcher switches it on/off)")
    run.add_argument("--no-mic", dest="mic", action="store_false",
                     help="no microphone at all in this session")
    run.add_argument("--share", metavar="DIR[:ro|:rw]", action="append", default=[],
                     help="folder to share with the client (read-only unless :rw)")
    run.add_argument("--keep-downloads", metavar="DIR",
                     help="move the client's ~/Downloads here at the end "
                          "(default: list them in the report and discard them)")
    run.add_argument("--network", choices=FIELDS_BY_KEY["network.mode"].choices,
                     help="allowlist: only the profile's servers (default); none: no "
                          "network at all")
    _share_flags(run)
    run.add_argument("--report", metavar="FILE.json", help="write the session report here")
    opener = sub.add_parser("open", help="open a meeting link in the right profile",
                            **help_text.OPEN)
    opener.add_argument("url", help="the meeting link from the invitation (https://… or "
                                    "zoommtg://…; 'meet.jit.si/Room' means https)")
    opener.add_argument("--profile", metavar="NAME",
                        help="open it in this profile rather than the one that fits best")
    join_cli.add_open_flags(opener)
    _share_flags(opener)
    opener.add_argument("--report", metavar="FILE.json", help="write the session report here")
    for name, text in (("profiles", "list the profiles"), ("doctor", "check this host"),
                       ("sessions", "list running and stale sessions")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--json", action="store_true", help="machine-readable output")
    stop = sub.add_parser("stop", help="stop a session and wipe it")
    stop.add_argument("id")
    ranges = sub.add_parser("ranges", help="vendors' published address lists")
    ranges_sub = ranges.add_subparsers(dest="ranges_command", required=True)
    refresh = ranges_sub.add_parser("refresh", help="fetch a vendor's current list")
    refresh.add_argument("vendor", choices=VENDORS)
    refresh.add_argument("--from", dest="source", metavar="URL|FILE",
                         help="fetch from here instead of the vendor's URL")
    join_cli.add_parser(sub)
    client.add_parser(sub)
    cameras.add_parser(sub)
    desktop.add_parser(sub)
    vault_cli.add_parser(sub)
    policy_cli.add_parser(sub)
    image_cli.add_parser(sub)
    manage.add_parsers(sub)
    verify_cli.add_parser(sub)
    wipe = sub.add_parser("wipe", help="wipe sessions left by a launcher that died")
    wipe.add_argument("--stale", action="store_true", required=True,
                      help="wipe every session whose launcher is gone")
    return parser


def _share_flags(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--share-window", metavar="ID|pick",
                     help="X11: mirror this one host window (id as xwininfo shows it, or "
                          "'pick' to click it) into the sandbox's display, where the client "
                          "can share the window 'Shared: TITLE'")
    cmd.add_argument("--share-screen", action="store_true",
                     help="let the client share the screen: on Wayland through the desktop "
                          "portal (you pick in its dialog); on X11 with --share-window")


def _print_error(exc: LauncherError, err: TextIO) -> None:
    print(f"sandbox-launcher: error: {exc.summary}", file=err)
    if exc.hint:
        print(f"  what to do: {exc.hint}", file=err)
    if exc.details:
        print("  details:\n    " + exc.details.replace("\n", "\n    "), file=err)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None, launcher: Launcher | None = None, *,
         system: SystemFiles | None = None) -> int:
    """Entry point; returns the process exit status.

    *launcher*: the launch path with its dependencies (registry of backends, profile
    locations, sessions dir); the user's own when not given. *system*: where the
    administrator's policy and profiles are (``/etc`` unless a test passes others;
    nothing the user sets moves them).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after the first "--" belongs to the client, options included;
    # argparse's REMAINDER would also swallow the launcher's own options.
    client_command: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, client_command = argv[:split], argv[split + 1:]
    if len(argv) == 1 and help_text.looks_like_link(argv[0]):
        # A bare link, as the desktop entry's "Exec=sandbox-launcher %u" passes it: to the
        # running app if there is one (it routes it and asks), else opened here.
        if app_start.hand_to_running_app(argv[0]):
            print("sandbox-launcher: handed the link to the running app", file=err)
            return 0
        argv = ["open", argv[0]]
    parser = _parser()
    args = parser.parse_args(argv)
    if client_command and args.command != "run":
        parser.error("'-- COMMAND' is only for 'run'")
    args.client_command = client_command
    args.system = system or SystemFiles()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="sandbox-launcher: %(message)s", stream=err)
    # Only now: the session code is what a command runs, not what --help needs.
    from . import commands

    try:
        if args.command == "open":
            return commands.open_link(args, out, err, launcher)
        if args.command == "run":
            return commands.run(args, out, err, launcher)
        return _dispatch(args, out, err, launcher)
    except LauncherError as exc:
        _print_error(exc, err)
        if args.command in ("run", "open"):
            return exc.exit_code if exc.exit_code == EXIT_NOT_FOUND else EXIT_LAUNCHER_FAILED
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, out: TextIO, err: TextIO,
              launcher: Launcher | None) -> int:
    from . import commands

    if args.command == "profiles":
        return commands.profiles(args.json, out, err, args.system)
    if args.command == "policy":
        return policy_cli.main(args, out, err)
    if args.command == "doctor":
        from . import doctor

        return doctor.main(args.json, out)
    if args.command == "sessions":
        return commands.sessions(args.json, out)
    if args.command == "stop":
        return commands.stop(args.id, out, launcher)
    if args.command == "join":
        return join_cli.main(args, out)
    if args.command == "wipe":
        return commands.wipe_stale(out, launcher)
    if args.command == "cameras":
        return cameras.main(args, out)
    if args.command == "client":
        return client.main(args, out, err)
    if args.command == "image":
        return image_cli.main(args, out)
    if args.command == "desktop":
        return desktop.main(args, out)
    if args.command == "profile":
        return manage.profile_main(args, out)
    if args.command == "downloads":
        return manage.downloads_main(args, out)
    if args.command == "vault":
        return vault_cli.main(args, out, err)
    if args.command == "verify":
        return verify_cli.main(args, out, err, launcher)
    if args.command == "ranges":
        from . import ranges

        return ranges.main(args.vendor, args.source, out)
    return app_start.app(args.tray, out, err, ask_link=args.open_link, system=args.system)


if __name__ == "__main__":
    sys.exit(main())
