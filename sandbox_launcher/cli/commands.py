"""The subcommands behind :mod:`cli.main`; each returns an exit status."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Mapping
from typing import TextIO

from ..core.devices import PICK, PORTAL
from ..core.plan import RunOptions
from ..core.policy import SystemFiles
from ..devices.plan import X11WindowFinder
from ..session import control, store
from ..session.launch import Launcher, record_in_store
from ..session.lifecycle import Event, State
from ..session.planning import profiles_under_policy
from ..session.report import Report, check_report_path
from . import live_lines
from .link_question import terminal_asker


def print_json(data: object, out: TextIO) -> None:
    """Pretty JSON on *out*."""
    json.dump(data, out, indent=2)
    out.write("\n")


def default_launcher(system: SystemFiles | None = None) -> Launcher:
    """The launch path of a user's command line: the user's profiles, the system policy,
    the real backends, the user's client store."""
    return Launcher(files=system or SystemFiles(), record_client=record_in_store)


def _clean_stale(launcher: Launcher, err: TextIO) -> None:
    """A launcher that was killed left sessions behind: wipe them before anything new."""
    for wiped in control.wipe_stale(launcher.sessions_base, launcher.registry):
        print(f"sandbox-launcher: {wiped.describe()}", file=err)


class _AskingFinder(X11WindowFinder):
    """Says what to do before the mouse is grabbed for ``--share-window pick``."""

    def __init__(self, err: TextIO) -> None:
        self.err = err

    def pick(self, host: Mapping[str, str]) -> int:
        """Prompt, then let the user click."""
        print("sandbox-launcher: click the window to share (within 60 seconds)",
              file=self.err, flush=True)
        return super().pick(host)


def share_value(window: str | None, screen: bool) -> str | None:
    """RunOptions.share_screen for ``--share-window`` / ``--share-screen``."""
    if window:
        return PICK if window.strip().lower() == PICK else window
    return PORTAL if screen else None


def run(args: argparse.Namespace, out: TextIO, err: TextIO,
        launcher: Launcher | None = None) -> int:
    """``run PROFILE [options] [-- COMMAND ARGS…]``: exit status is the client's."""
    launcher = launcher or default_launcher(args.system)
    if launcher.ask_link is None:
        launcher.ask_link = terminal_asker(err, sys.stdin)
    command = list(args.client_command)
    _clean_stale(launcher, err)
    plan = launcher.plan(args.profile, RunOptions(
        backend=args.backend, command=tuple(command), network=args.network,
        join_url=args.join, camera=args.camera, mic=args.mic, shares=tuple(args.share),
        keep_downloads=args.keep_downloads,
        share_screen=share_value(args.share_window, args.share_screen)),
        windows=_AskingFinder(err))

    def show(event: Event) -> None:
        if event.data is not None:
            text = live_lines.line(event.data, verbose=args.verbose, launcher_pid=os.getpid())
            if text is not None:
                print(text, file=err)
            return
        if args.verbose or event.state is State.FAILED:
            print(f"sandbox-launcher: {event.session_id}: {event.state.value}"
                  + (f": {event.message}" if event.message else ""), file=err)

    report_file = check_report_path(args.report)
    session = launcher.session(plan, listener=show)
    for note in session.plan.notes:
        print(f"sandbox-launcher: note: {note}", file=err)
    stopped_by: list[int] = []

    def stop_on(signum: int, _frame: object) -> None:
        if not (signum == signal.SIGTERM
                and control.stop_was_requested(session.id, launcher.sessions_base)):
            stopped_by.append(signum)
        session.request_stop()

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop_on)
    # The microphone, from outside the sandbox: USR1 switches it on, USR2 off.
    signal.signal(signal.SIGUSR1, lambda *_: session.set_mic(False))
    signal.signal(signal.SIGUSR2, lambda *_: session.set_mic(True))
    outcome = session.run(report_file)
    for note in launcher.finished(session, outcome):
        print(f"sandbox-launcher: {note}", file=err)
    downloads = (outcome.report.get("devices") or {}).get("downloads") or {}
    if downloads.get("files"):
        fate = f"moved to {downloads['kept_in']}" if downloads["kept_in"] else "discarded"
        print(f"sandbox-launcher: {len(downloads['files'])} download(s) {fate}; the report "
              "lists them", file=err)
    if not outcome.wipe_verified:
        checks = Report.from_dict(outcome.report).wipe.checks
        failed = [c.detail for c in checks if not c.ok]
        print("sandbox-launcher: warning: the wipe could not be verified: "
              + "; ".join(failed), file=err)
    if stopped_by:
        # Stopped by a signal (Ctrl-C, kill -TERM), not by 'stop ID': exit as a shell
        # expects of a command that signal ended (130, 143), after the wipe and report.
        return 128 + stopped_by[0]
    return outcome.status if outcome.status is not None else 125




def open_link(args: argparse.Namespace, out: TextIO, err: TextIO,
              launcher: Launcher | None = None) -> int:
    """``open URL``: a meeting link, checked by the strict parser, in its profile."""
    from . import join as join_cli

    launcher = launcher or default_launcher(args.system)
    returning = None if args.new else launcher.return_route(args.url)
    if returning is not None:  # a sign-in's return: to the session that asked
        joined = launcher.hand_back(*returning)
        print(f"sandbox-launcher: the sign-in link went back to the session that asked: "
              f"{joined.describe()}", file=err)
        return 0
    route = launcher.route(args.url, getattr(args, "profile", None) or "")
    link, profile = route.link, route.profile
    # A session of that profile runs: join it, start another, or ask (cli/join.py).
    status = join_cli.open_in_running(route, args, err, launcher=launcher)
    if status is not None:
        return status
    print(f"sandbox-launcher: opening a {link.service} meeting on {link.host} "
          f"in the {profile} profile", file=err)
    run_args = argparse.Namespace(
        profile=profile, client_command=[], backend=None, network=None, join=link.url,
        camera=None, mic=None, share=[], keep_downloads=None, report=args.report,
        verbose=args.verbose, share_window=args.share_window,
        share_screen=args.share_screen, system=args.system)
    return run(run_args, out, err, launcher)


def profiles(as_json: bool, out: TextIO, err: TextIO, system: SystemFiles) -> int:
    """``profiles [--json]``: the profiles the policy lets exist, and the broken files."""
    found = profiles_under_policy(system)[1]
    if as_json:
        print_json({"profiles": [p.to_dict() for p in found.profiles.values()],
                    "broken": [e.to_dict() | {"path": e.path, "line": e.line, "key": e.key}
                               for e in found.broken]}, out)
    else:
        for profile in sorted(found.profiles.values(), key=lambda p: p.name):
            origin = "built-in" if profile.builtin else "admin" if profile.admin else "user"
            changed = ["admin"] if profile.builtin and profile.admin else []
            if len(profile.sources) > profile.builtin + profile.admin:
                changed.append("user")
            if changed and origin != "user":
                origin += f", changed by {' and '.join(changed)}"
            print(f"{profile.name:<14} {profile.title:<26} backend={profile['backend']:<9} "
                  f"network={profile['network.mode']:<9} ({origin})", file=out)
        for error in found.broken:
            print(f"broken: {error.summary}", file=err)
            if error.hint:
                print(f"  what to do: {error.hint}", file=err)
    return 1 if found.broken else 0


def sessions(as_json: bool, out: TextIO) -> int:
    """``sessions [--json]``: running sessions, and stale ones left by a dead launcher."""
    found = store.list_sessions()
    if as_json:
        print_json([s.to_dict() for s in found], out)
        return 0
    if not found:
        print("no sessions", file=out)
    for session in found:
        data = session.to_dict()
        print(f"{data['id']:<20} {data['profile']:<12} {data['backend']:<9} "
              f"{data['state']:<9} launcher pid {data['launcher_pid']}", file=out)
    if any(s.stale for s in found):
        print("stale sessions: their launcher died; run 'sandbox-launcher wipe --stale'",
              file=out)
    return 0


def stop(session_id: str, out: TextIO, launcher: Launcher | None = None) -> int:
    """``stop ID``."""
    launcher = launcher or default_launcher()
    print(control.stop(session_id, launcher.sessions_base, registry=launcher.registry),
          file=out)
    return 0


def wipe_stale(out: TextIO, launcher: Launcher | None = None) -> int:
    """``wipe --stale``: exit 1 if any wipe could not be verified."""
    launcher = launcher or default_launcher()
    wiped = control.wipe_stale(launcher.sessions_base, launcher.registry)
    if not wiped:
        print("no stale sessions", file=out)
    for item in wiped:
        print(item.describe(), file=out)
    return 0 if all(w.verified for w in wiped) else 1


