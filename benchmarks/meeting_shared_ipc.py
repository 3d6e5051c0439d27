"""What would make a SysV MIT-SHM client cheap in the nested display (measured, not built).

``ximagesink`` (and any client that passes MIT-SHM segments by SysV id) falls back to
``XPutImage`` over the socket in the sandbox, because the client's IPC namespace is not
Xephyr's. Run as ``unshare --user --map-current-user --ipc -- python3
meeting_shared_ipc.py -- CLIENT...``: Xephyr (with the session's options) and the client
then share one IPC namespace that is not the host's, as they would if the launcher
started Xephyr inside the sandbox's IPC namespace. Xephyr draws to the host X server by
``XPutImage`` either way (Debian 12's makes no shared segment of its own: ``strace``
shows it attaching the client's segments only), so the move changes the client's side.

No X authority: a benchmark's display on a private Xvfb, no other users on it.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys

#: Options as ``sandbox_launcher/devices/display.py`` starts the session's Xephyr.
XEPHYR = ["Xephyr", "-nolisten", "tcp", "-no-host-grab", "-noreset", "-resizeable",
          "-screen", "1280x720", "-title", "shared IPC namespace"]


def _display(fd: int, timeout: float) -> str:
    """The number Xephyr writes to its ``-displayfd`` once it listens."""
    got = b""
    while not got.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], timeout)
        chunk = os.read(fd, 64) if ready else b""
        if not chunk:
            raise RuntimeError("Xephyr did not start in the shared IPC namespace")
        got += chunk
    return got.decode().strip()


def main(argv: list[str]) -> int:
    """Start Xephyr, run the client on it with our stdout, stop Xephyr; the client's status."""
    if argv[:1] != ["--"] or len(argv) < 2:
        print("usage: meeting_shared_ipc.py -- CLIENT...", file=sys.stderr)
        return 2
    read, write = os.pipe()
    xephyr = subprocess.Popen([XEPHYR[0], "-displayfd", str(write), *XEPHYR[1:]],
                              pass_fds=(write,), stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        number = _display(read, 30)
        return subprocess.call(argv[1:], env={**os.environ, "DISPLAY": f":{number}"})
    finally:
        os.close(read)
        xephyr.terminate()
        xephyr.wait(30)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
