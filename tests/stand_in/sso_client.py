"""A stand-in meeting client that signs in with SSO: it opens an address with ``xdg-open``
and waits for the sign-in's return link.

Run inside the sandbox as ``/usr/bin/python3 -c "<this file>" --open URL [--open URL…]
[--seconds S] [LINK]`` (standard library only: the repository is not visible in there).
Like Zoom it is a single instance per sandbox: the first process takes a lock in /tmp, runs
``xdg-open URL`` for each (found on PATH, as a client finds it) and prints
``{"ready": true, "opened": [{"status", "stderr", "program", "seconds"}, …]}``; every later
process (the return link, handed over through the join path) writes its argv to
/tmp/sso-client.return and exits. The first prints ``{"returned": ARGV or null}`` once a
return link came, or after ``--seconds``, and exits 0.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time

LOCK = "/tmp/sso-client.lock"
RETURNED = "/tmp/sso-client.return"


def open_address(url: str) -> dict[str, object]:
    """Run xdg-open as a client would: by name, on PATH."""
    program = shutil.which("xdg-open") or "xdg-open"
    started = time.monotonic()
    done = subprocess.run([program, url], capture_output=True, text=True, timeout=400,
                          check=False)
    return {"status": done.returncode, "stderr": done.stderr.strip(), "program": program,
            "seconds": round(time.monotonic() - started, 3)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", action="append", required=True)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("link", nargs="?")
    args = parser.parse_args()
    lock = os.open(LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        tmp = RETURNED + ".tmp"
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(sys.argv[1:], out)
        os.replace(tmp, RETURNED)
        return 0
    print(json.dumps({"ready": True, "opened": [open_address(u) for u in args.open]}),
          flush=True)
    deadline = time.monotonic() + args.seconds
    returned = None
    while time.monotonic() < deadline:
        try:
            with open(RETURNED, encoding="utf-8") as fh:
                returned = json.load(fh)
            break
        except (OSError, ValueError):
            time.sleep(0.1)
    print(json.dumps({"returned": returned}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
