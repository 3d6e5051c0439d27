"""The image build's processes and its scratch folder: cancellable, and leaving nothing.

mmdebstrap (unshare mode) and qemu-img run in a process group of their own; a cancel
kills the group (SIGTERM first, so mmdebstrap unmounts and removes its chroot itself,
then SIGKILL). mmdebstrap's chroot is made under the build's own scratch folder (its
``TMPDIR``), and files in it belong to the user's subordinate ids: the user cannot
delete them, so :func:`remove_tree` removes what is left from inside a user namespace
that maps those ids, the way mmdebstrap made them.

A build (or a removal) holds a lock on each folder it works in for as long as it runs;
the kernel drops it when the process dies, so a folder nobody holds was left by a
launcher that was killed, and :func:`sweep_abandoned` removes it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from ...core import proc
from .errors import BuildCancelled, DiskFull, ImageError, MirrorUnreachable

#: (step, detail): called as the build goes; the CLI prints it, the app shows it.
Progress = Callable[[str, str], None]
BUILD_TIMEOUT = 1800.0
#: How long mmdebstrap gets to clean up after SIGTERM before the group is killed.
TERM_GRACE = 15.0
#: Output lines kept for the details of a failed build.
TAIL = 40
_NO_SPACE = ("No space left on device", "Could not allocate", "not enough free space",
             "ENOSPC", "Disk quota exceeded")
#: The names of the folders a build or a removal works in (in the store, in the temp dir).
WORK_PREFIXES = (".build-", ".removing-")
SCRATCH_PREFIX = "sandbox-launcher-build-"
#: A folder this young is left alone: its build may not have taken its lock yet.
SWEEP_GRACE = 60.0
#: apt's words when it got nothing from the mirror.
_NO_MIRROR = ("Temporary failure resolving", "Could not resolve", "Failed to fetch",
              "Unable to connect to", "Could not connect to", "Network is unreachable")


def _stop_group(child: subprocess.Popen[bytes]) -> None:
    """SIGTERM the child's process group, then SIGKILL it if it has not ended in time."""
    for sig, wait in ((signal.SIGTERM, TERM_GRACE), (signal.SIGKILL, 30.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, sig)
        try:
            child.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # Helpers that outlived the leader (the group id stays theirs) go as well.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)


def run_streamed(argv: list[str], progress: Progress, step: str, *,
                 cancel: threading.Event, env: Mapping[str, str], needed: int,
                 where: Path, mirror: str = "") -> None:
    """Run a long build tool, handing each ``I:``/``W:``/``E:`` line to *progress*;
    stop it when *cancel* is set (then raise :class:`BuildCancelled`)."""
    try:
        child = proc.spawn(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, die_with_parent=True)
    except OSError as exc:
        raise ImageError(f"cannot start {argv[0]}: {exc}", "check the installation") from exc
    ended = threading.Event()

    def watch() -> None:
        while not ended.is_set():
            if cancel.wait(0.2):
                _stop_group(child)
                return

    watcher = threading.Thread(target=watch, name=f"build-cancel-{step}", daemon=True)
    watcher.start()
    tail: list[str] = []
    try:
        assert child.stdout is not None
        with child.stdout:
            for raw in child.stdout:
                line = raw.decode("utf-8", "replace").rstrip()
                tail = [*tail[-TAIL:], line]
                if line.startswith(("I: ", "E: ", "W: ")):
                    progress(step, line[3:])
        status = child.wait(timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        _stop_group(child)
        raise ImageError(f"{os.path.basename(argv[0])} did not finish within "
                         f"{BUILD_TIMEOUT / 60:.0f} minutes", "try again later",
                         details="\n".join(tail)) from None
    finally:
        ended.set()
        watcher.join()
    if cancel.is_set():
        raise BuildCancelled("the build was cancelled", "nothing of it was kept")
    if status != 0:
        output = "\n".join(tail)
        if any(marker in output for marker in _NO_SPACE):
            raise DiskFull(str(where), needed, free_space(where), details=output)
        if mirror and any(marker in output for marker in _NO_MIRROR):
            raise MirrorUnreachable(mirror, details=output)
        raise ImageError(f"{os.path.basename(argv[0])} failed with exit status {status}",
                         "see the details; a network error means Debian's mirror was "
                         "not reachable", details=output)


def free_space(path: Path) -> int:
    """Bytes an unprivileged user may still write on *path*'s file system."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    st = os.statvfs(probe)
    return st.f_bavail * st.f_frsize


def check_space(where: Path, needed: int) -> None:
    """Refuse to start a build that cannot fit (before minutes of downloading)."""
    free = free_space(where)
    if free < needed:
        raise DiskFull(str(where), needed, free)


def raise_if_full(exc: OSError, where: Path, needed: int) -> None:
    """Turn ENOSPC/EDQUOT into :class:`DiskFull` (other OS errors are the caller's)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        raise DiskFull(str(where), needed, free_space(where), details=str(exc)) from exc


def _unshare_rm(path: Path) -> None:
    """``rm -rf`` *path* as the root of a user namespace mapping the user's subordinate
    ids (those own mmdebstrap's chroot) and the user (who owns the folders around it)."""
    argv = ["unshare", "--map-users=auto", "--map-groups=auto", "--map-user=65536",
            "--map-group=65536", "--setuid", "0", "--setgid", "0",
            "rm", "-rf", "--one-file-system", "--", str(path)]
    with contextlib.suppress(ImageError, OSError):
        proc.run(argv, timeout=300, check=False)


def remove_tree(path: Path) -> None:
    """Remove a build's scratch folder, whoever owns its files; raise if any is left."""
    if not path.exists():
        return

    def writable(_func: object, name: str, _exc: object) -> None:
        # read-only files and folders of a build that ended half-way
        with contextlib.suppress(OSError):
            parent = os.path.dirname(name)
            os.chmod(parent, 0o755)
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, 0o755)
                shutil.rmtree(name, ignore_errors=True)
            else:
                os.unlink(name)

    with contextlib.suppress(OSError):
        path.chmod(0o755)
    shutil.rmtree(path, onerror=writable)
    if path.exists():
        _unshare_rm(path)
    if path.exists():
        raise ImageError(f"the build's scratch folder {path} could not be removed",
                         "remove it by hand; it holds nothing of yours")


def _lock(folder: Path, *, wait: bool) -> int | None:
    """An fd of *folder* holding its lock, or None (gone, or held by a live build)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


@contextlib.contextmanager
def claimed(*folders: Path) -> Iterator[None]:
    """Hold *folders* as this process's work while the block runs."""
    fds = [fd for fd in (_lock(folder, wait=True) for folder in folders) if fd is not None]
    try:
        yield
    finally:
        for fd in fds:
            os.close(fd)


def sweep_abandoned(store: Path, temp_dirs: Iterable[str]) -> list[Path]:
    """Remove the work folders of builds and removals whose launcher died (nobody holds
    them): in *store*, and this user's scratch folders in *temp_dirs*. Returns them."""
    found = [p for p in store.iterdir() if p.name.startswith(WORK_PREFIXES)] \
        if store.is_dir() else []
    uid = os.getuid()
    for parent in dict.fromkeys(temp_dirs):
        with contextlib.suppress(OSError):
            found += [p for p in Path(parent).glob(SCRATCH_PREFIX + "*")
                      if p.is_dir() and not p.is_symlink() and p.stat().st_uid == uid]
    removed = []
    for folder in found:
        with contextlib.suppress(OSError):
            if time.time() - folder.stat().st_ctime < SWEEP_GRACE:
                continue
        fd = _lock(folder, wait=False)
        if fd is None:
            continue
        try:
            remove_tree(folder)
            removed.append(folder)
        except ImageError:
            continue  # tried again at the next listing
        finally:
            os.close(fd)
    return removed
