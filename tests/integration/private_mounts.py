"""Run the launcher with a system policy (and a journal socket) that only it sees.

The system policy lives at a fixed path (``/etc/sandbox-launcher``), which no user path may
override. Writing it for real would change every other launcher on a machine that several
checkouts test at once, so the test's launcher gets a mount namespace of its own, made as
root (``unshare`` and this file) just before it drops to the test user: the test's policy
folder appears at ``/etc/sandbox-launcher`` there (an overlay over /etc), and a tmpfs with
the test's journal socket over ``/run/systemd``. The launcher reads the real path; nothing
outside that process changes.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_MS_BIND = 4096
POLICY_DIR = Path("/etc/sandbox-launcher")
JOURNAL_DIR = Path("/run/systemd/journal")


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


@dataclass(frozen=True)
class PrivateMounts:
    """What the launcher's own mount namespace shows instead of the host's files."""

    policy_dir: Path
    journal_dir: Path | None = None

    def argv(self, inner: Sequence[str]) -> list[str]:
        """*inner* (already dropping to the test user) in a mount namespace of its own.

        ``unshare`` makes the namespace, private so nothing propagates back to the host;
        this file, run as root by Debian's python, mounts and then execs *inner*. No
        ``preexec_fn``: forking a threaded test process must not run Python in the child.
        """
        journal = str(self.journal_dir) if self.journal_dir is not None else "-"
        return ["unshare", "--mount", "--propagation", "private", "--", "/usr/bin/python3",
                str(Path(__file__).resolve()), str(self.policy_dir), journal, "--", *inner]


def _enter(policy: str, journal: str) -> None:
    """Show *policy* (a folder) at /etc/sandbox-launcher; the host's /etc stays as it is.

    An overlay over /etc rather than a bind over /etc/sandbox-launcher: the bind would need
    that folder on the host, which other checkouts' tests make and remove at any moment.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    scratch = f"{policy}.overlay"
    os.makedirs(scratch, exist_ok=True)
    _check(libc.mount(b"tmpfs", scratch.encode(), b"tmpfs", 0, b"mode=0755"), "tmpfs")
    upper = Path(scratch, "upper")
    (upper / POLICY_DIR.name).mkdir(mode=0o755, parents=True)
    Path(scratch, "work").mkdir()
    for item in Path(policy).iterdir():
        target = upper / POLICY_DIR.name / item.name
        target.write_bytes(item.read_bytes())
        target.chmod(0o644)
    upper.chmod(0o755)
    options = f"lowerdir=/etc,upperdir={upper},workdir={scratch}/work"
    _check(libc.mount(b"overlay", b"/etc", b"overlay", 0, options.encode()), "overlay /etc")
    if journal != "-":
        _check(libc.mount(b"tmpfs", b"/run/systemd", b"tmpfs", 0, b"mode=0755"), "tmpfs")
        os.mkdir(JOURNAL_DIR, 0o755)
        _check(libc.mount(journal.encode(), bytes(JOURNAL_DIR), None, _MS_BIND, None),
               "bind journal")


def policy_folder(tmp: Path, text: str) -> Path:
    """A folder holding ``policy.toml`` with *text*, readable by every user (as IT deploys)."""
    folder = tmp / "etc-sandbox-launcher"
    folder.mkdir(mode=0o755)
    (folder / "policy.toml").write_text(text, encoding="utf-8")
    (folder / "policy.toml").chmod(0o644)
    folder.chmod(0o755)
    return folder


if __name__ == "__main__":  # PrivateMounts.argv: POLICY_DIR JOURNAL_DIR|- -- ARGV...
    _enter(sys.argv[1], sys.argv[2])
    os.execvp(sys.argv[4], sys.argv[4:])
