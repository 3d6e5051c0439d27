"""Fixtures for the network jail tests: the fake internet, and the launcher inside it.

Imported at the bottom of ``conftest.py`` (one line), so its fixtures are the suite's and it
can reuse that module's helpers for running as the unprivileged user. Everything here runs
the launcher and the clients *inside* the fake internet's host namespace, whose only way
out is the fake internet: no test packet can reach a real address (DESIGN §6).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# The integration conftest is mid-import when it imports us, and complete up to that line;
# these are its helpers for running as the test user, not copies of them.
from conftest import (
    LAUNCHER,
    SYSTEM_PYTHON,
    LauncherUser,
    Spawned,
    as_user_argv,
    finish,
    last_json,
    user_environment,
    wait_for_ready,
)
from system_policy import SystemPolicy

from sandbox_launcher.verify.fake_internet import FakeInternet, ns_argv
from sandbox_launcher.verify.fake_internet import fake_internet as build_fake_internet

__all__ = [
    "SYSTEM_PYTHON",
    "HostNetns",
    "fake_internet",
    "finish",
    "host_netns",
    "last_json",
    "system_policy",
    "wait_for_ready",
    "write_user_profile",
]

REQUIRED_TOOLS = (("ip", "iproute2"), ("setpriv", "util-linux"))


@pytest.fixture(scope="module")
def fake_internet() -> Iterator[FakeInternet]:
    """Namespaces host/inet/lan with fake DNS, vendor, LAN and host servers; torn down after.

    Module-scoped: building it takes a moment, and the tests of one module share the logs
    (each test reads only what came after its own :meth:`FakeInternet.mark`).
    """
    if os.geteuid() != 0:
        pytest.skip("the fake internet needs root to make network namespaces (CI runs as root)")
    missing = [f"{tool} (package {pkg})" for tool, pkg in REQUIRED_TOOLS if not shutil.which(tool)]
    if missing:
        pytest.skip("the fake internet needs " + ", ".join(missing))
    with build_fake_internet() as net:
        yield net


@dataclass
class HostNetns:
    """Runs commands as the test user on the fake internet's host machine."""

    net: FakeInternet
    user: LauncherUser
    spawned: Spawned = field(default_factory=Spawned)

    def argv(self, argv: Sequence[str]) -> list[str]:
        """*argv* as the test user, inside the host namespace (ip netns exec, then setpriv)."""
        return ns_argv(self.net.host_ns, as_user_argv(self.user, argv))

    def run(self, argv: Sequence[str], *, timeout: float = 120,
            env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run *argv* to the end, from the user's home, in the user's clean environment."""
        return subprocess.run(
            self.argv(argv), env=user_environment(self.user, env_extra=env_extra),
            cwd=self.user.home, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=timeout, check=False,
        )

    def spawn(self, argv: Sequence[str], *,
              env_extra: dict[str, str] | None = None) -> subprocess.Popen[str]:
        """Start *argv* with text pipes; killed at the fixture's teardown if still alive."""
        proc = subprocess.Popen(
            self.argv(argv), env=user_environment(self.user, env_extra=env_extra),
            cwd=self.user.home, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )
        self.spawned.procs.append(proc)
        return proc

    def run_launcher(self, args: Sequence[str], *, timeout: float = 120,
                     env_extra: dict[str, str] | None = None,
                     ) -> subprocess.CompletedProcess[str]:
        """``sandbox-launcher ARGS`` as the user on the host machine."""
        return self.run([str(LAUNCHER), *args], timeout=timeout, env_extra=env_extra)

    def spawn_launcher(self, args: Sequence[str], *,
                       env_extra: dict[str, str] | None = None) -> subprocess.Popen[str]:
        """Like :meth:`run_launcher`, but returns the running process."""
        return self.spawn([str(LAUNCHER), *args], env_extra=env_extra)

    def reap(self) -> None:
        """Kill and reap whatever was spawned (setpriv execs, so the pid is the program)."""
        self.spawned.reap()


@pytest.fixture(scope="module")
def host_netns(fake_internet: FakeInternet, launcher_user: LauncherUser) -> Iterator[HostNetns]:
    """Run things as the test user on the fake internet's host machine (the user's desktop)."""
    host = HostNetns(fake_internet, launcher_user)
    yield host
    host.reap()


@pytest.fixture(scope="module")
def system_policy() -> Iterator[SystemPolicy]:
    """``system_policy.write(TOML)`` installs /etc/sandbox-launcher/policy.toml (root only).

    Whatever was there before is put back at the end of the module, byte for byte.
    """
    if os.geteuid() != 0:
        pytest.skip("writing the system policy in /etc needs root (CI runs as root)")
    policy = SystemPolicy()
    yield policy
    policy.restore()


@pytest.fixture
def user_profile(launcher_user: LauncherUser) -> Iterator[Callable[[str, str], Path]]:
    """``user_profile(NAME, TOML)``: a profile of the test user's, removed afterwards."""
    written: list[Path] = []

    def write(name: str, text: str) -> Path:
        written.append(write_user_profile(launcher_user, name, text))
        return written[-1]

    yield write
    for path in written:
        path.unlink(missing_ok=True)


def write_user_profile(user: LauncherUser, name: str, text: str) -> Path:
    """Write ``~/.config/sandbox-launcher/profiles/NAME.toml`` owned by *user*."""
    directory = user.home / ".config" / "sandbox-launcher" / "profiles"
    # Made as the user, so every directory on the way is theirs, as if they had made it.
    made = subprocess.run(as_user_argv(user, ["mkdir", "-p", str(directory)]),
                          capture_output=True, text=True, timeout=30, check=False)
    if made.returncode != 0:
        pytest.fail(f"cannot make {directory}: {made.stderr.strip()}")
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    if user.switch:
        os.chown(path, user.uid, user.gid)
    return path
