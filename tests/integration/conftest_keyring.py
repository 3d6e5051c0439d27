"""A real Secret Service of the test user's own: Debian's gnome-keyring-daemon, headless.

``secret_service`` starts, as the unprivileged user and in a dir of its own (nothing lands
in the user's real runtime or data dirs), a private session bus (``dbus-daemon
--session`` with the config the other desktops use, no service activation) and
``gnome-keyring-daemon --unlock --components=secrets`` on it, which reads a known
password on stdin and creates the ``login`` keyring unlocked with it, as a desktop login
does through PAM. No prompter can run, so a locked keyring stays locked: that is the
"user does not unlock it" case. Imported by the tests that use it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    REPO_ROOT,
    LauncherUser,
    as_user_argv,
    dbus_session_config,
    stop_process,
    user_environment,
)

__all__ = ["PASSWORD", "SecretService", "secret_service"]

PASSWORD = "vault-test-password"
START_SECONDS = 20.0
PYTHON = str(REPO_ROOT / ".venv" / "bin" / "python")
CHILD = str(REPO_ROOT / "tests" / "integration" / "vault_child.py")
SESSION_CHILD = str(REPO_ROOT / "tests" / "integration" / "vault_session_child.py")
LAUNCHER = str(REPO_ROOT / ".venv" / "bin" / "sandbox-launcher")


@dataclass
class SecretService:
    """The running bus + keyring; ``env`` is what the user's desktop session would hand on."""

    user: LauncherUser
    root: Path  # on disk: the bus socket, the keyring files, the vaults, the config
    shm: Path  # on tmpfs: the stand-ins for the sessions' fresh homes
    procs: dict[str, subprocess.Popen[Any]] = field(default_factory=dict)

    @property
    def bus(self) -> str:
        return f"unix:path={self.root}/bus"

    @property
    def data_home(self) -> Path:
        """XDG_DATA_HOME: gnome-keyring's keyrings/ and the launcher's vaults/."""
        return self.root / "data"

    @property
    def vault_dir(self) -> Path:
        return self.data_home / "sandbox-launcher" / "vaults"

    def env(self, *, bus: bool = True, **more: str) -> dict[str, str]:
        """The user's session environment, with or without the session bus."""
        extra = {**more, "XDG_RUNTIME_DIR": str(self.root), "XDG_DATA_HOME": str(self.data_home),
                 "XDG_CONFIG_HOME": str(self.root / "config"),
                 "XDG_STATE_HOME": str(self.root / "state")}
        if bus:
            extra["DBUS_SESSION_BUS_ADDRESS"] = self.bus
        return user_environment(self.user, env_extra=extra)

    def start(self, name: str, argv: list[str], stdin: str | None = None) -> None:
        with open(self.root / f"{name}.log", "wb") as log:
            proc = subprocess.Popen(as_user_argv(self.user, argv), env=self.env(),
                                    cwd=self.root, stdin=subprocess.PIPE, stdout=log,
                                    stderr=log)
        assert proc.stdin is not None
        if stdin is not None:
            proc.stdin.write(stdin.encode())
        proc.stdin.close()
        self.procs[name] = proc

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")[-3000:]

    def wait(self, what: str, ready: Any, name: str) -> None:
        deadline = time.monotonic() + START_SECONDS
        while not ready():
            if self.procs[name].poll() is not None:
                pytest.fail(f"{name} exited before {what}:\n{self.log(name)}")
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not within {START_SECONDS:g}s\n{self.log(name)}")
            time.sleep(0.05)

    def has_secrets(self) -> bool:
        done = subprocess.run(as_user_argv(self.user, [
            "dbus-send", f"--bus={self.bus}", "--print-reply", "--reply-timeout=2000",
            "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets"]),
            env=self.env(), capture_output=True, text=True, timeout=10, check=False)
        return "boolean true" in done.stdout

    def home(self, name: str) -> Path:
        """A fresh, empty home on tmpfs, the user's."""
        path = self.shm / name
        path.mkdir(mode=0o700)
        shutil.chown(path, self.user.uid, self.user.gid)
        return path

    def run(self, argv: list[str], *, bus: bool = True, timeout: float = 60,
            **env: str) -> subprocess.CompletedProcess[str]:
        """Run *argv* as the user in the session environment (plus *env*)."""
        return subprocess.run(as_user_argv(self.user, argv), env=self.env(bus=bus, **env),
                              cwd=self.root, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)

    def child(self, *args: str, bus: bool = True) -> dict[str, Any]:
        """One vault_child.py operation's JSON answer (fails the test on a crash)."""
        done = self.run([PYTHON, CHILD, *args], bus=bus)
        assert done.returncode == 0, done.stderr
        result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
        return result

    def session(self, op: str, profile: str, *, bus: bool = True,
                **env: str) -> tuple[dict[str, Any], str]:
        """A real bubblewrap session with the vault's hooks: (its JSON, the client's output)."""
        done = self.run([PYTHON, SESSION_CHILD, op, profile], bus=bus, timeout=180, **env)
        assert done.returncode == 0, done.stdout + done.stderr
        *output, last = done.stdout.splitlines()
        result: dict[str, Any] = json.loads(last)
        return result, "\n".join(output)

    def launcher(self, *args: str, bus: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run([LAUNCHER, *args], bus=bus)

    def spawn_child(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(as_user_argv(self.user, [PYTHON, CHILD, *args]),
                                env=self.env(), cwd=self.root, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            stop_process(proc, grace=5)


def _private_dir(user: LauncherUser, base: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix="sl-vault-", dir=base))
    path.chmod(0o700)
    shutil.chown(path, user.uid, user.gid)
    return path


@pytest.fixture
def secret_service(launcher_user: LauncherUser) -> Iterator[SecretService]:
    """A session bus and an unlocked gnome-keyring (password :data:`PASSWORD`), as the user."""
    for tool, package in (("dbus-daemon", "dbus"), ("gnome-keyring-daemon", "gnome-keyring"),
                          ("dbus-send", "dbus-bin")):
        if shutil.which(tool) is None:
            pytest.fail(f"the vault tests need {tool} (package {package})")
    service = SecretService(launcher_user, _private_dir(launcher_user, "/tmp"),
                            _private_dir(launcher_user, "/dev/shm"))
    try:
        conf = service.root / "bus.conf"
        conf.write_text(dbus_session_config(service.root / "bus"))
        shutil.chown(conf, launcher_user.uid, launcher_user.gid)
        service.start("dbus", ["dbus-daemon", f"--config-file={conf}", "--nofork"])
        service.wait("the session bus listens", (service.root / "bus").is_socket, "dbus")
        service.start("keyring", ["gnome-keyring-daemon", "--unlock", "--foreground",
                                  "--components=secrets",
                                  f"--control-directory={service.root}/keyring"],
                      stdin=PASSWORD)
        service.wait("the Secret Service", service.has_secrets, "keyring")
        yield service
    finally:
        service.stop()
        shutil.rmtree(service.root, ignore_errors=True)
        shutil.rmtree(service.shm, ignore_errors=True)
