"""The subcommands behind :mod:`cli.main`; each returns an exit status."""

from __future__ import annotations

import argparse
import json
import os
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from ..backends.namespace.backend import NamespaceBackend
from ..core.plan import RunOptions, make_plan
from ..core.policy import load_policy
from ..core.profile import load_profiles
from ..devices.plan import PICK, PORTAL, X11WindowFinder
from ..session import control, store
from ..session.lifecycle import Event, Session, State


def print_json(data: object, out: TextIO) -> None:
    """Pretty JSON on *out*."""
    json.dump(data, out, indent=2)
    out.write("\n")


def _clean_stale(err: TextIO) -> None:
    """A launcher that was killed left sessions behind: wipe them before anything new."""
    for wiped in control.wipe_stale():
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


def _show_screen(data: dict[str, Any], err: TextIO) -> None:
    if data.get("mode") == PORTAL:
        print("sandbox-launcher: screen sharing through the desktop portal: the desktop "
              "asks you what to share", file=err)
    elif data.get("shared"):
        print(f"sandbox-launcher: sharing the window {data.get('title')!r} "
              f"(0x{int(data.get('window', 0)):x}): inside, the client can share the window "
              f"'Shared: {data.get('title')}'", file=err)
    else:
        print(f"sandbox-launcher: screen sharing ended: {data.get('reason', '')}", file=err)


def _show_use(data: dict[str, Any], err: TextIO) -> None:
    """A granted device started or stopped being in use (session/usage.py)."""
    device = str(data.get("device"))
    if data.get("in_use"):
        why = f" (assumed: {data['assumed']})" if data.get("assumed") else ""
        print(f"sandbox-launcher: {device} in use{why}", file=err)
    else:
        print(f"sandbox-launcher: {device} not in use", file=err)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``run PROFILE [options] [-- COMMAND ARGS…]``: exit status is the client's."""
    command = list(args.client_command)
    _clean_stale(err)
    profile = load_profiles().get(args.profile)
    plan = make_plan(profile, RunOptions(
        backend=args.backend, command=tuple(command), network=args.network,
        join_url=args.join, camera=args.camera, mic=args.mic, shares=tuple(args.share),
        keep_downloads=args.keep_downloads,
        share_screen=share_value(args.share_window, args.share_screen)),
        policy=load_policy(), windows=_AskingFinder(err))
    for note in plan.notes:
        print(f"sandbox-launcher: note: {note}", file=err)

    def show(event: Event) -> None:
        if event.data is not None:
            if event.data.get("type") == "mic":
                state = "muted" if event.data["muted"] else "ON"
                why = f" ({event.data['error']})" if event.data.get("error") else ""
                print(f"sandbox-launcher: microphone {state}{why}; switch it with "
                      f"kill -USR1 (on) / -USR2 (off) {os.getpid()}", file=err)
            if event.data.get("type") == "screen":
                _show_screen(event.data, err)
            if event.data.get("type") == "device":
                _show_use(event.data, err)
            if event.data.get("type") == "join":
                print(f"sandbox-launcher: the client was handed a second link: a "
                      f"{event.data['service']} meeting on {event.data['host']}", file=err)
            if args.verbose and event.data.get("type") == "dns":
                d = event.data
                print(f"sandbox-launcher: dns {d['name']} {d['qtype']}: {d['verdict']} "
                      f"({d['rule']}) {[a['ip'] for a in d['answers']]}", file=err)
            return
        if args.verbose or event.state is State.FAILED:
            print(f"sandbox-launcher: {event.session_id}: {event.state.value}"
                  + (f": {event.message}" if event.message else ""), file=err)

    session = Session(plan, NamespaceBackend(), listener=show)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: session.request_stop())
    # The microphone, from outside the sandbox: USR1 switches it on, USR2 off.
    signal.signal(signal.SIGUSR1, lambda *_: session.set_mic(False))
    signal.signal(signal.SIGUSR2, lambda *_: session.set_mic(True))
    outcome = session.run(Path(args.report) if args.report else None)
    if plan.client.store_client:
        # The new version ran: it is the known-good one now, older versions may go.
        from ..clients.store import ClientStore

        ClientStore().record_outcome(plan.client.store_client, outcome.status)
    downloads = (outcome.report.get("devices") or {}).get("downloads") or {}
    if downloads.get("files"):
        fate = f"moved to {downloads['kept_in']}" if downloads["kept_in"] else "discarded"
        print(f"sandbox-launcher: {len(downloads['files'])} download(s) {fate}; the report "
              "lists them", file=err)
    if not outcome.wipe_verified:
        failed = [c["detail"] for c in outcome.report["wipe"]["checks"] if not c["ok"]]
        print("sandbox-launcher: warning: the wipe could not be verified: "
              + "; ".join(failed), file=err)
    return outcome.status if outcome.status is not None else 125




def open_link(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``open URL``: a meeting link, checked by the strict parser, in its profile."""
    from ..clients import links, routing
    from . import join as join_cli

    link = links.parse(routing.with_scheme(args.url))
    profile = routing.choose(link, load_profiles().profiles.values(),
                             getattr(args, "profile", None) or "")
    # A session of that profile runs: join it, start another, or ask (cli/join.py).
    status = join_cli.open_in_running(link, profile, args, err)
    if status is not None:
        return status
    print(f"sandbox-launcher: opening a {link.service} meeting on {link.host} "
          f"in the {profile} profile", file=err)
    run_args = argparse.Namespace(
        profile=profile, client_command=[], backend=None, network=None, join=link.url,
        camera=None, mic=None, share=[], keep_downloads=None, report=args.report,
        verbose=args.verbose, share_window=args.share_window,
        share_screen=args.share_screen)
    return run(run_args, out, err)


def profiles(as_json: bool, out: TextIO, err: TextIO) -> int:
    """``profiles [--json]``: valid profiles, and the broken files with their errors."""
    found = load_profiles()
    if as_json:
        print_json({"profiles": [p.to_dict() for p in found.profiles.values()],
                    "broken": [e.to_dict() | {"path": e.path, "line": e.line, "key": e.key}
                               for e in found.broken]}, out)
    else:
        for profile in sorted(found.profiles.values(), key=lambda p: p.name):
            origin = "built-in" if profile.builtin else "user"
            if profile.builtin and len(profile.sources) > 1:
                origin = "built-in, changed by user"
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


def stop(session_id: str, out: TextIO) -> int:
    """``stop ID``."""
    print(control.stop(session_id), file=out)
    return 0


def wipe_stale(out: TextIO) -> int:
    """``wipe --stale``: exit 1 if any wipe could not be verified."""
    wiped = control.wipe_stale()
    if not wiped:
        print("no stale sessions", file=out)
    for item in wiped:
        print(item.describe(), file=out)
    return 0 if all(w.verified for w in wiped) else 1
