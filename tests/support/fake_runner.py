"""A recording Runner for unit tests: the calls a test expects, and what each returns.

In the style of the Qubes admin client's tests: the test states the expected calls up
front (``expect``) with their answers; an unexpected call fails the test at once, and
:meth:`RecordingRunner.done` checks that every expected call was made.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sandbox_launcher.core.errors import MissingTool
from sandbox_launcher.core.proc import Result


@dataclass
class RecordingRunner:
    """Implements ``core.runner.Runner`` from a script of expected calls."""

    #: program name → path (``which``); a missing name raises MissingTool.
    programs: dict[str, str] = field(default_factory=dict)
    expected: list[tuple[tuple[str, ...], Result]] = field(default_factory=list)
    calls: list[tuple[str, ...]] = field(default_factory=list)

    def expect(self, argv: Sequence[str], returncode: int = 0, stdout: str = "",
               stderr: str = "") -> None:
        """The next ``run`` must be *argv*; it answers this."""
        self.expected.append((tuple(argv), Result(tuple(argv), returncode, stdout, stderr)))

    def run(self, argv: Sequence[str], *, timeout: float = 30.0, check: bool = True,
            env: Mapping[str, str] | None = None,
            input_text: str | None = None) -> Result:
        self.calls.append(tuple(argv))
        if not self.expected:
            raise AssertionError(f"unexpected call: {list(argv)}")
        want, answer = self.expected.pop(0)
        if want != tuple(argv):
            raise AssertionError(f"expected {list(want)}, got {list(argv)}")
        return answer

    def spawn(self, argv: Sequence[str], *, pass_fds: Sequence[int] = (),
              env: Mapping[str, str] | None = None, stdin: int | None = None,
              stdout: int | None = None, stderr: int | None = None,
              die_with_parent: bool = False) -> subprocess.Popen[bytes]:
        raise AssertionError(f"unexpected spawn: {list(argv)}")

    def which(self, program: str, purpose: str, path: str | None = None) -> str:
        self.calls.append(("which", program))
        if program not in self.programs:
            raise MissingTool(program, program, purpose)
        return self.programs[program]

    def done(self) -> None:
        """Every expected call was made."""
        assert not self.expected, f"calls not made: {[list(a) for a, _ in self.expected]}"
