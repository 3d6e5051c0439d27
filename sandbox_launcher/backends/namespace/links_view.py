"""What a namespace sandbox sees of the launcher's "open this address" service.

The session layer listens on ``links/links.sock`` in the session's state dir
(``session/links_out.py``); this module puts the ``xdg-open`` stand-in
(:mod:`.open_shim`) next to it and binds that directory read-only at
:data:`core.outbound.INSIDE_DIR`, whose ``bin`` comes first in the client's PATH. The
system's own ``xdg-open`` and ``sensible-browser`` are covered by the stand-in too, for
clients that call them by their full path. The client can neither replace the stand-in
nor the socket: the directory is read-only inside, and its own writes land in tmpfs.
"""

from __future__ import annotations

import os
from pathlib import Path

from ...core.outbound import INSIDE_DIR, LINKS_DIR, LINKS_SOCKET
from ...devices.host import Link, Mount

SHIM = Path(__file__).with_name("open_shim.py")
#: The names a client may look for; all run the same stand-in, which reads its name.
NAMES = ("xdg-open", "sensible-browser", "x-www-browser", "www-browser", "gio")
#: System programs covered when they are regular files (a symlink would be followed to
#: wherever it points: those are left alone, and PATH finds the stand-in first anyway).
COVERED = ("/usr/bin/xdg-open", "/usr/bin/sensible-browser")


def install(workdir: Path) -> list[Mount | Link]:
    """Put the stand-in into the session's ``links`` dir; the mounts that show it inside.

    Nothing when the session does not listen (no socket: an older session layer, or one
    that could not bind it): the client then finds the system's ``xdg-open``, which has
    no browser to start inside.
    """
    links = workdir / LINKS_DIR
    if not (links / LINKS_SOCKET).exists():
        return []
    bin_dir = links / "bin"
    bin_dir.mkdir(mode=0o755, exist_ok=True)
    program = bin_dir / "xdg-open"
    fd = os.open(program, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o755)
    with os.fdopen(fd, "wb") as out:
        out.write(SHIM.read_bytes())
    for name in NAMES[1:]:
        (bin_dir / name).symlink_to("xdg-open")
    view: list[Mount | Link] = [Mount(INSIDE_DIR, str(links))]
    for system in COVERED:
        path = Path(system)
        if path.is_file() and not path.is_symlink():
            view.append(Mount(system, str(bin_dir / path.name)))
    return view

