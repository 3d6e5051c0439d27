"""The seam through which the launcher runs programs: passed in, so tests can record.

:class:`Runner` is what the rest of the code is given; :class:`SystemRunner` runs real
programs through :mod:`core.proc` (argv lists, timeouts, logged command lines, typed
errors). A test hands a recording fake instead (``tests/support/fake_runner.py``) and states
the calls it expects, rather than patching module functions.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from typing import Protocol

from . import proc
from .proc import Result


class Runner(Protocol):
    """Runs, starts and finds external programs."""

    def run(self, argv: Sequence[str], *, timeout: float = 30.0, check: bool = True,
            env: Mapping[str, str] | None = None,
            input_text: str | None = None) -> Result:
        """Run *argv* to completion; see :func:`core.proc.run`."""
        ...

    def spawn(self, argv: Sequence[str], *, pass_fds: Sequence[int] = (),
              env: Mapping[str, str] | None = None, stdin: int | None = None,
              stdout: int | None = None, stderr: int | None = None,
              die_with_parent: bool = False) -> subprocess.Popen[bytes]:
        """Start *argv* in the background; see :func:`core.proc.spawn`."""
        ...

    def which(self, program: str, purpose: str, path: str | None = None) -> str:
        """The absolute path of *program*, or MissingTool; see :func:`core.proc.which`."""
        ...


class SystemRunner:
    """Runs real programs (implements :class:`Runner`)."""

    def run(self, argv: Sequence[str], *, timeout: float = 30.0, check: bool = True,
            env: Mapping[str, str] | None = None,
            input_text: str | None = None) -> Result:
        """Run *argv* to completion and capture its output."""
        return proc.run(argv, timeout=timeout, check=check, env=env, input_text=input_text)

    def spawn(self, argv: Sequence[str], *, pass_fds: Sequence[int] = (),
              env: Mapping[str, str] | None = None, stdin: int | None = None,
              stdout: int | None = None, stderr: int | None = None,
              die_with_parent: bool = False) -> subprocess.Popen[bytes]:
        """Start *argv* in the background; the caller reaps it."""
        return proc.spawn(argv, pass_fds=pass_fds, env=env, stdin=stdin, stdout=stdout,
                          stderr=stderr, die_with_parent=die_with_parent)

    def which(self, program: str, purpose: str, path: str | None = None) -> str:
        """Find *program* on PATH."""
        return proc.which(program, purpose, path)
