"""Descriptions and examples for ``run --help`` and ``open --help`` (kept out of main.py)."""

from __future__ import annotations

import argparse
from typing import Any

_RAW = argparse.RawDescriptionHelpFormatter

RUN: dict[str, Any] = {
    "formatter_class": _RAW,
    "description": "Start PROFILE in a fresh sandbox; when the client ends (or you stop "
                   "it), the sandbox is wiped and the wipe verified.\nThe exit status is "
                   "the client's; 125 means the launcher failed, 127 that the command "
                   "is missing.",
    "epilog": """\
-- COMMAND ARGS…  runs COMMAND instead of the profile's client, under the same confinement;
                  the exit status is COMMAND's.

examples:
  sandbox-launcher run zoom
  sandbox-launcher run zoom --join 'https://zoom.us/j/123456789?pwd=abc' --mic --camera /dev/video0
  sandbox-launcher run jitsi-web --join https://meet.jit.si/MyRoom
  sandbox-launcher run generic -- /bin/sh -c 'id; ls ~'
  sandbox-launcher run zoom --share ~/Slides:ro --report zoom-report.json""",
}

OPEN: dict[str, Any] = {
    "formatter_class": _RAW,
    "description": "Check a meeting link with the strict parser and open it in the "
                   "profile that fits it best\n(the one that names the link's server; "
                   "a link to an unknown server goes to 'Web meeting').\n"
                   "A client's own link (zoommtg://…) goes back into the running session "
                   "that waits for it\n(one that had a sign-in page opened in the last "
                   "ten minutes).",
    "epilog": """\
examples:
  sandbox-launcher open 'https://zoom.us/j/123456789?pwd=abc'
  sandbox-launcher open meet.jit.si/MyRoom
  sandbox-launcher open https://bbb.example.org/rooms/abc/join --profile bigbluebutton-web
  sandbox-launcher open 'https://teams.microsoft.com/l/meetup-join/…' --join-running
  sandbox-launcher open 'zoommtg://zoom.us/sso?token=…'   # a sign-in's return link""",
}


def looks_like_link(arg: str) -> bool:
    """A bare command-line argument that is a link (``https://…``, ``zoommtg:…``, or
    ``host.example/path`` without a scheme), not a subcommand or an option."""
    if arg.startswith("-"):
        return False
    if ":" in arg:
        return True
    head, slash, _ = arg.partition("/")
    return bool(slash) and "." in head
