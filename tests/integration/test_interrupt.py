"""Ctrl-C and ``kill -TERM -PGID`` during a jailed session (issue 11).

The launcher runs as the unprivileged user on the fake internet's host machine, on a real
pty that is its controlling terminal, in the terminal's foreground process group, as from
a shell. Ctrl-C is typed into the terminal (the line discipline sends SIGINT to the whole
foreground group); SIGTERM goes to the whole group, as ``timeout`` or ``kill -- -PGID``
send it. Either way the helpers (the jail's holder and pasta) must not die with the group:
the launcher stops the client, wipes, verifies and reports, exits 130 or 143, without a
traceback, and leaves no session behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import select
import signal
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import LAUNCHER, user_environment
from conftest_net import HostNetns

pytestmark = pytest.mark.integration

READY = "CLIENT-READY"
#: A jailed built-in profile; the client only says it is up and waits.
CLIENT = ["/bin/sh", "-c", f"echo {READY}; exec sleep 300"]


class Terminal:
    """The launcher on a fresh pty, as the foreground job of a terminal."""

    def __init__(self, host_netns: HostNetns, args: list[str]) -> None:
        self.primary, secondary = pty.openpty()

        def take_terminal() -> None:  # in the child, after setsid: this pty is its tty
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        try:
            self.proc = subprocess.Popen(
                host_netns.argv([str(LAUNCHER), *args]),
                env={**user_environment(host_netns.user), "TERM": "xterm"},
                cwd=host_netns.user.home, stdin=secondary, stdout=secondary,
                stderr=subprocess.PIPE, start_new_session=True,
                # The tests start no threads that could hold a lock across the fork.
                preexec_fn=take_terminal)  # noqa: PLW1509
        finally:
            os.close(secondary)
        self.output = b""

    def read_until(self, text: str, timeout: float) -> None:
        """Read the terminal until *text* shows (the client's output goes there)."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} never showed; terminal: {self.output!r}"
            if select.select([self.primary], [], [], left)[0]:
                with contextlib.suppress(OSError):
                    self.output += os.read(self.primary, 4096)

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        """Wait for the launcher; its status and stderr."""
        try:
            _, err = self.proc.communicate(timeout=timeout)
        finally:
            with contextlib.suppress(OSError):
                self.output += os.read(self.primary, 65536)
            os.close(self.primary)
        return self.proc.returncode, err.decode(errors="replace")

    def kill(self) -> None:
        """Teardown: nothing may outlive a failed test."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    """Launchers started on terminals; killed at teardown if a test failed."""
    made: list[Terminal] = []
    yield made
    for terminal in made:
        terminal.kill()


def _jail_pids(launcher_pid: int) -> list[int]:
    """The session's holder (its last argument is the launcher's pid) and its pasta."""
    holders, pastas = [], []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argv = Path(f"/proc/{entry.name}/cmdline").read_bytes().split(b"\0")[:-1]
            if b"sandbox_launcher.netjail.holder" in argv and argv[-1] == str(
                    launcher_pid).encode():
                holders.append(int(entry.name))
            elif argv and argv[0].endswith(b"pasta"):
                pastas.append((int(entry.name), argv[-1]))
    return holders + [pid for pid, parent in pastas if int(parent) in holders]


def _run_and_signal(host_netns: HostNetns, terminals: list[Terminal], tmp: Path,
                    send: str) -> tuple[int, str, dict[str, Any], list[int]]:
    report = tmp / f"{send}.json"
    terminal = Terminal(host_netns, ["run", "zoom", "--report", str(report), "--", *CLIENT])
    terminals.append(terminal)
    terminal.read_until(READY, timeout=60)
    helpers = _jail_pids(terminal.proc.pid)
    assert len(helpers) == 2, f"the jail's holder and pasta should run: {helpers}"
    # They run in sessions of their own, not in the terminal's group.
    assert all(os.getpgid(p) != terminal.proc.pid for p in helpers)
    if send == "ctrl-c":
        # Typed into the terminal: the kernel signals the whole foreground group.
        assert os.tcgetpgrp(terminal.primary) == terminal.proc.pid
        os.write(terminal.primary, b"\x03")
    else:
        os.killpg(terminal.proc.pid, signal.SIGTERM)
    status, stderr = terminal.finish()
    assert report.exists(), f"no report; stderr:\n{stderr}"
    return status, stderr, json.loads(report.read_text()), helpers


@pytest.mark.parametrize(("send", "expected"), [("ctrl-c", 130), ("sigterm", 143)])
def test_signal_to_the_group_stops_wipes_verifies_and_reports(
        host_netns: HostNetns, terminals: list[Terminal], user_tmp: Path, send: str,
        expected: int) -> None:
    status, stderr, report, helpers = _run_and_signal(host_netns, terminals, user_tmp, send)
    assert "Traceback" not in stderr and "Errno" not in stderr, stderr
    assert status == expected, f"status {status}; stderr:\n{stderr}"
    assert report["stopped_by_user"] is True, report
    wipe = report["wipe"]
    assert wipe["verified"] is True, [c for c in wipe["checks"] if not c["ok"]]
    # The jail lived to the end: its counters made it into the report.
    assert report["network"]["mode"] == "allowlist", report["network"]
    assert "connections" in report["network"], report["network"]
    assert not [p for p in helpers if os.path.exists(f"/proc/{p}")], "a helper outlived it"
    sessions = host_netns.run_launcher(["sessions", "--json"])
    assert sessions.returncode == 0 and json.loads(sessions.stdout) == [], sessions.stdout
