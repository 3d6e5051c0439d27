"""Spare namespace sandboxes: everything of a session made ahead, except its client.

Qubes' preloaded disposables, for namespaces. :func:`prepare_spare` starts bwrap exactly
as a normal start does (same namespaces, mounts, identity, seccomp filter, device view,
the jail's namespaces), but its command is a stub that waits on a pipe. The session's
jail was started *closed* (no route out, pasta not attached). :meth:`Spare.start` opens
the jail, then hands the client's argv to the stub, which execs it in place: the client
is bwrap's child, as in a cold start, and nothing ran in that sandbox before it.

A spare is started at most once; discarding one closes the pipe (the stub exits) and
the session wipes it like any other.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from ...core.client import Handover
from ...core.errors import CommandNotFound, SessionError
from ...core.plan import LaunchPlan
from ..base import BackendState, Resources
from . import enter
from .seccomp import build_filter

if TYPE_CHECKING:
    from .backend import NamespaceSandbox

#: Debian's interpreter (host /usr is the sandbox's /usr). It reads the argv, resets
#: the signals Python ignores (exec would keep them ignored for the client) and execs.
STUB_PYTHON = "/usr/bin/python3"
STUB_CODE = """\
import os, signal, sys
fd = int(sys.argv[1])
data = b""
while chunk := os.read(fd, 65536):
    data += chunk
os.close(fd)
if not data:
    os._exit(0)
argv = [a.decode("utf-8", "surrogateescape") for a in data.split(b"\\0")[:-1]]
for sig in (signal.SIGPIPE, signal.SIGXFSZ):
    signal.signal(sig, signal.SIG_DFL)
try:
    os.execvp(argv[0], argv)
except OSError:
    os._exit(127)
"""
#: The stub's name in the sandbox's process list (its argv[0] stays python's).
STUB_MARK = "sandbox-launcher-spare"

#: bwrap started with a stub command and its inherited fd → the waiting sandbox.
Starter = Callable[..., "NamespaceSandbox"]


def comparable(plan: LaunchPlan) -> LaunchPlan:
    """*plan* without what a click adds (the command, its meeting link, notes, and how a
    second link is handed over, which the session records from the click's plan): two
    plans that compare equal this way build the same sandbox."""
    return replace(plan, command=(), notes=(),
                   client=replace(plan.client, command=(), notes=(), handover=Handover.none("")))


def fits(spare: LaunchPlan, wanted: LaunchPlan) -> bool:
    """Whether a spare prepared for *spare* can run *wanted* (same sandbox, jail,
    devices and client files; only the command may differ)."""
    return comparable(spare) == comparable(wanted)


class Spare:
    """A prepared sandbox waiting for its client (used at most once)."""

    def __init__(self, plan: LaunchPlan, resources: Resources, handle: NamespaceSandbox,
                 argv_w: int, exists: Callable[[LaunchPlan], bool]) -> None:
        self.plan = plan
        self.resources = resources
        self.handle = handle
        self._argv_w: int | None = argv_w
        self._exists = exists

    @property
    def state(self) -> BackendState:
        """The waiting sandbox's state (its init and namespaces)."""
        return self.handle.state

    @property
    def used(self) -> bool:
        """Whether the spare was started or discarded (either way, never again)."""
        return self._argv_w is None

    def start(self, plan: LaunchPlan) -> NamespaceSandbox:
        """Open the jail, then hand *plan*'s command to the stub, which execs it.

        Raises (leaving the spare to be wiped) when the spare was used already, does
        not fit *plan*, the command does not exist or the jail cannot be opened.
        """
        if self._argv_w is None:
            raise SessionError("this spare session was used already",
                               "start a new session")
        if not fits(self.plan, plan):
            raise SessionError("the spare session was prepared for other settings",
                               "start the session without a spare")
        if not self._exists(plan):
            raise CommandNotFound(plan.command[0])
        if self.resources.jail is not None:
            self.resources.jail.open()  # only now does the sandbox have a route out
        fd, self._argv_w = self._argv_w, None
        try:
            payload = b"".join(os.fsencode(a) + b"\0" for a in plan.command)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
        except OSError as exc:  # the stub is gone (EPIPE): its sandbox ended meanwhile
            raise SessionError(f"the prepared sandbox ended before its client started "
                               f"({exc.strerror})", "start the session again") from exc
        finally:
            os.close(fd)
        self.plan = plan
        return self.handle

    def discard(self) -> None:
        """Never start a client in it: the stub reads end-of-file and exits."""
        fd, self._argv_w = self._argv_w, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


def prepare_spare(plan: LaunchPlan, resources: Resources, start: Starter,
                  exists: Callable[[LaunchPlan], bool]) -> Spare:
    """Start *plan*'s sandbox with the waiting stub as its command.

    *start*: the backend's own bwrap start (the same code as a cold start), called as
    ``start(plan, seccomp_fd, resources, None, (stub_argv, fd))``.
    """
    if resources.home_seed or resources.home_capture:
        # A vault's files would be the ones of when the spare was made, not of the click.
        raise SessionError("a spare session cannot carry remembered sign-in",
                           "start the session without a spare")
    seccomp_fd = build_filter(plan.denied_syscalls)
    with contextlib.suppress(OSError):  # without it, joining is refused later
        enter.save(resources.workdir, plan, seccomp_fd)
    argv_r, argv_w = os.pipe2(os.O_CLOEXEC)
    stub = [STUB_PYTHON, "-I", "-S", "-c", STUB_CODE, str(argv_r), STUB_MARK]
    try:
        handle = start(plan, seccomp_fd, resources, None, (stub, argv_r))
    except BaseException:
        os.close(argv_w)
        raise
    finally:
        os.close(argv_r)
    return Spare(plan, resources, handle, argv_w, exists)
