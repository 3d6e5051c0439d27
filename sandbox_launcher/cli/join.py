"""A second meeting link: ``join ID URL``, and what ``open URL`` does when a session runs.

``open URL`` while a session of the link's profile runs (under a live launcher):

- ``--join-running``: hand the link to that session (the newest, if several run);
  an error when none runs.
- ``--new``: start a new session, as before.
- neither, on a terminal: ask. Without a terminal (the desktop entry, scripts): start a
  new session, as ``open`` always did, with a note naming the running one; so what
  DESIGN §5 documents for ``open URL`` stays true for every caller that does not ask.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, TextIO

from ..core.errors import SessionError
from ..session import store

if TYPE_CHECKING:
    from ..session.launch import Launcher, LinkRoute

_ASK_TRIES = 3


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``join ID URL``."""
    cmd = sub.add_parser("join", help="hand a meeting link to a running session "
                                      "(its client takes it, confined as it is)")
    cmd.add_argument("id", help="the session, as 'sandbox-launcher sessions' lists it")
    cmd.add_argument("url", help="the meeting link")


def add_open_flags(opener: argparse.ArgumentParser) -> None:
    """``open URL [--join-running | --new]``."""
    choice = opener.add_mutually_exclusive_group()
    choice.add_argument("--join-running", action="store_true",
                        help="hand the link to the running session of its profile")
    choice.add_argument("--new", action="store_true",
                        help="start a new session even if one of that profile runs "
                             "(what happens without a terminal to ask on)")


def main(args: argparse.Namespace, out: TextIO) -> int:
    """``join ID URL``."""
    from ..session.launch import Launcher

    joined = Launcher().join(args.id, args.url)
    print(joined.describe(), file=out)
    return 0


def _ask(found: store.FoundSession, profile: str, err: TextIO, answers: TextIO) -> str:
    """"join", "new" or "cancel", as the person at the terminal says."""
    started = time.strftime("%H:%M", time.localtime(found.record.started))
    print(f"sandbox-launcher: a {profile} session is running: {found.record.id} "
          f"(started {started})", file=err)
    for _ in range(_ASK_TRIES):
        print("  join the meeting in that session [j], start a new session [n], "
              "or cancel [c]? ", end="", file=err, flush=True)
        line = answers.readline()
        if not line:
            return "cancel"
        word = line.strip().lower()
        for choice in ("join", "new", "cancel"):
            if word and choice.startswith(word):
                return choice
    return "cancel"


def choose(route: LinkRoute, args: argparse.Namespace, err: TextIO,
           answers: TextIO | None = None) -> store.FoundSession | str | None:
    """The running session to hand the link to; None: start a new one; "cancel": neither."""
    answers = answers if answers is not None else sys.stdin
    if args.new:
        return None
    link, profile, target = route.link, route.profile, route.running
    if args.join_running:
        if target is None:
            raise SessionError(f"no {profile} session is running to take {link.host}'s link",
                               "run 'sandbox-launcher open URL' without --join-running to "
                               "start one")
        return target
    if target is None:
        return None
    if not answers.isatty():
        print(f"sandbox-launcher: note: session {target.record.id} of {profile} is "
              "running; starting a new session (--join-running hands the link to it)",
              file=err)
        return None
    answer = _ask(target, profile, err, answers)
    if answer == "join":
        return target
    return None if answer == "new" else "cancel"


def open_in_running(route: LinkRoute, args: argparse.Namespace, err: TextIO,
                    answers: TextIO | None = None,
                    launcher: Launcher | None = None) -> int | None:
    """For ``open``: the exit status if the link went to a running session (or the person
    cancelled); None when a new session is to be started."""
    target = choose(route, args, err, answers)
    if target is None:
        return None
    if target == "cancel":
        print("sandbox-launcher: cancelled; nothing was started", file=err)
        return 1
    assert isinstance(target, store.FoundSession)
    from ..session.launch import Launcher

    joined = (launcher or Launcher()).join(target.record.id, route.link.url)
    print(f"sandbox-launcher: {joined.describe()}", file=err)
    return 0
