#!/usr/bin/python3 -I
"""``xdg-open`` inside a namespace sandbox: asks the launcher to open an address outside.

Installed read-only first in the client's PATH (and over the system's ``xdg-open`` and
``sensible-browser``) under the names ``xdg-open``, ``sensible-browser``,
``x-www-browser``, ``www-browser`` and ``gio`` (only ``gio open``; any other ``gio``
command runs the real one). It hands each address to the launcher over the session's
socket and waits for the answer: the launcher checks it, the policy or the person
decides. Exit status as xdg-open's: 0 opened (or copied for the person to paste), 1 a
usage error, 3 no launcher to ask, 4 refused.

Runs inside the sandbox with the host's ``/usr/bin/python3`` and nothing of the
launcher's installation: standard library only, no argument ever reaches a shell.
"""

import json
import os
import socket
import sys

SOCKET = "/run/sandbox-launcher/links.sock"
#: The person may take a while to answer; the launcher refuses for them after 5 minutes.
WAIT_SECONDS = 330
_MAX_ANSWER = 65536


def ask(url: str) -> int:
    """Hand *url* to the launcher; the exit status its answer means."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC) as sock:
            sock.settimeout(WAIT_SECONDS)
            sock.connect(SOCKET)
            sock.sendall(json.dumps({"url": url}).encode() + b"\n")
            sock.shutdown(socket.SHUT_WR)
            raw = b""
            while len(raw) < _MAX_ANSWER and (chunk := sock.recv(4096)):
                raw += chunk
    except OSError as exc:
        print(f"xdg-open: the launcher could not be asked to open the address: {exc}",
              file=sys.stderr)
        return 3
    try:
        answer = json.loads(raw)
    except ValueError:
        print("xdg-open: the launcher gave no answer", file=sys.stderr)
        return 4
    if answer.get("answer") in ("opened", "copied"):
        return 0
    print(f"xdg-open: not opened: {answer.get('reason') or 'refused'}", file=sys.stderr)
    return 4


def main(argv: list[str]) -> int:
    """Dispatch on the name this was started as."""
    name = os.path.basename(argv[0])
    args = argv[1:]
    if name == "gio":
        if not args or args[0] != "open":
            try:
                os.execv("/usr/bin/gio", ["gio", *args])
            except OSError as exc:
                print(f"gio: {exc}", file=sys.stderr)
                return 1
        args = args[1:]
    urls = [a for a in args if not a.startswith("-")]
    if not urls or (name == "xdg-open" and len(args) != 1):
        print(f"usage: {name} URL", file=sys.stderr)
        return 1
    status = 0
    for url in urls:
        status = ask(url) or status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
