"""The one place that starts external programs.

Every call takes an argv list (never a shell string), has a timeout, and logs the
command line, so a bug report shows exactly what ran.
"""

from __future__ import annotations

import functools
import logging
import os
import shlex
import shutil
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import MissingTool, ToolFailed

log = logging.getLogger(__name__)

#: Which Debian package provides each program we call; used for the hint of MissingTool.
PACKAGES: dict[str, str] = {
    "bwrap": "bubblewrap",
    "pasta": "passt",
    "passt": "passt",
    "nft": "nftables",
    "xdg-dbus-proxy": "xdg-dbus-proxy",
    "qemu-img": "qemu-utils",
    "virt-viewer": "virt-viewer",
    "virsh": "libvirt-clients",
    "ip": "iproute2",
    "nsenter": "util-linux",
    "unshare": "util-linux",
    "gpgv": "gpgv",
    "zstd": "zstd",
    "chromium": "chromium",
    "firefox-esr": "firefox-esr",
    "Xephyr": "xserver-xephyr",
    "openbox": "openbox",
    "pulseaudio": "pulseaudio",
    "pacat": "pulseaudio-utils",
    "update-desktop-database": "desktop-file-utils",
    "xdg-mime": "xdg-utils",
    "dbus-send": "dbus-bin",
    "gpg": "gpg",
}

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """In the child, before exec: SIGKILL me when the launcher dies, however it dies."""
    import ctypes  # only helpers that ask for it pay for the import

    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        # The launcher died between the fork and the prctl: no signal will ever come.
        os.kill(os.getpid(), signal.SIGKILL)


def which(program: str, purpose: str, path: str | None = None) -> str:
    """Return the absolute path of *program* on PATH, or raise :class:`MissingTool`.

    *purpose* completes the sentence "it is needed …" in the error.
    """
    found = shutil.which(program, path=path)
    if found is None:
        raise MissingTool(program, PACKAGES.get(program, program), purpose)
    return found


@dataclass(frozen=True)
class Result:
    """What a finished program returned."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run(
    argv: Sequence[str],
    *,
    timeout: float = 30.0,
    check: bool = True,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
) -> Result:
    """Run *argv* to completion and capture its output.

    Raises :class:`ToolFailed` on a non-zero exit (when *check*) or on timeout, and
    :class:`MissingTool` when the program does not exist.
    """
    cmdline = shlex.join(argv)
    log.debug("run: %s", cmdline)
    try:
        done = subprocess.run(
            list(argv),
            input=input_text,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(env) if env is not None else None,
            check=False,
        )
    except FileNotFoundError as exc:
        raise MissingTool(argv[0], PACKAGES.get(os.path.basename(argv[0]), argv[0]),
                          "by the launcher") from exc
    except subprocess.TimeoutExpired as exc:
        raise ToolFailed(
            f"{os.path.basename(argv[0])} did not finish within {timeout:g} s",
            "the host may be overloaded; try again",
            details=cmdline,
        ) from exc
    result = Result(tuple(argv), done.returncode, done.stdout, done.stderr)
    if check and done.returncode != 0:
        raise ToolFailed(
            f"{os.path.basename(argv[0])} failed with exit status {done.returncode}",
            "see the details for its error output",
            details=f"$ {cmdline}\n{done.stderr.strip()}",
        )
    return result


def spawn(
    argv: Sequence[str],
    *,
    pass_fds: Sequence[int] = (),
    env: Mapping[str, str] | None = None,
    stdin: int | None = None,
    stdout: int | None = None,
    stderr: int | None = None,
    die_with_parent: bool = False,
) -> subprocess.Popen[bytes]:
    """Start *argv* in the background; the caller owns and must reap the process.

    Standard streams are inherited unless given: ``run -- COMMAND`` passes the
    client's output straight through to the user. *die_with_parent*: the kernel kills
    the program when the launcher dies (host-side helpers of a session: Xephyr…).

    Every program gets a session (and process group) of its own: Ctrl-C in a terminal,
    or ``kill -TERM -PGID``, signals the launcher's group, and only the launcher may
    decide what that means (stop, wipe, verify, report). A helper in that group would
    die mid-session instead, taking the jail's counters or the display with it.
    """
    log.debug("spawn: %s", shlex.join(argv))
    try:
        return subprocess.Popen(
            list(argv),
            pass_fds=tuple(pass_fds),
            env=dict(env) if env is not None else None,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            close_fds=True,
            start_new_session=True,
            preexec_fn=(functools.partial(_die_with_parent, os.getpid())  # noqa: PLW1509
                        if die_with_parent else None),
        )
    except FileNotFoundError as exc:
        raise MissingTool(argv[0], PACKAGES.get(os.path.basename(argv[0]), argv[0]),
                          "by the launcher") from exc
