"""The system policy with the real launcher, run as the unprivileged user.

The administrator's files are passed into ``main()`` (``SystemFiles``), as the app and
the command line take them: a root-owned stand-in for /etc made by this test, so the
real /etc (which other checkouts on this machine may use) is never touched. Nothing a
user sets moves them, which ``test_the_environment_moves_no_lock`` shows from outside.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import REPO_ROOT, LauncherUser

pytestmark = pytest.mark.integration

Run = Callable[..., subprocess.CompletedProcess[str]]

#: The launcher's own main(), with the administrator's files given, as the test user.
_MAIN = ("import sys; from pathlib import Path; from sandbox_launcher.cli.main import main; "
         "from sandbox_launcher.core.policy import SystemFiles; "
         "sys.exit(main(sys.argv[3:], system=SystemFiles(Path(sys.argv[1]), "
         "Path(sys.argv[2]))))")
_SHOW = ["/bin/sh", "-c", 'echo "LEAK=${LEAK:-none}"; df -k "$HOME" | tail -n 1']


class AdminFiles:
    """A root-owned, world-readable /etc stand-in: policy.toml and profiles/."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="sl-etc-"))
        self.root.chmod(0o755)
        self.policy = self.root / "policy.toml"
        self.profiles = self.root / "profiles"
        self.profiles.mkdir(mode=0o755)

    def write_policy(self, text: str) -> None:
        self.policy.write_text(text, encoding="utf-8")
        self.policy.chmod(0o644)

    def write_profile(self, name: str, text: str) -> None:
        path = self.profiles / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)


@pytest.fixture
def admin() -> Iterator[AdminFiles]:
    files = AdminFiles()
    yield files
    shutil.rmtree(files.root, ignore_errors=True)


@pytest.fixture
def launch(run_as_user: Run, admin: AdminFiles) -> Run:
    """``launch(ARGS…, env_extra=…)``: the real launcher under *admin*'s files."""

    def run(*args: str, env_extra: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        python = str(REPO_ROOT / ".venv" / "bin" / "python")
        return run_as_user([python, "-c", _MAIN, str(admin.policy), str(admin.profiles),
                            *args], env_extra=env_extra, timeout=180)

    return run


def _leak_and_home_kib(stdout: str) -> tuple[str, int]:
    lines = stdout.strip().splitlines()
    leak = next(line for line in lines if line.startswith("LEAK="))
    return leak, int(lines[-1].split()[1])


def test_a_broken_policy_blocks_every_launch(launch: Run, admin: AdminFiles,
                                             launcher_user: LauncherUser) -> None:
    admin.write_policy('[lock]\nbackend = "namespace"\n\n[devices]\nallow_camra = false\n')
    done = launch("run", "generic", "--", "/bin/echo", "SANDBOX-RAN")
    assert done.returncode == 125, done.stderr
    assert "SANDBOX-RAN" not in done.stdout
    assert f"{admin.policy}:5 [devices.allow_camra]: unknown key" in done.stderr
    assert "what to do: ask your administrator to fix the system policy" in done.stderr
    assert "policy check" in done.stderr
    assert "did you mean 'devices.allow_camera'" in done.stderr
    listed = launch("profiles")
    assert listed.returncode != 0 and "devices.allow_camra" in listed.stderr
    checked = launch("policy", "check")
    assert checked.returncode == 1 and f"{admin.policy}:5 [devices.allow_camra]" in (
        checked.stdout)
    # Control: the same launch runs once the administrator fixed the file.
    admin.write_policy('[lock]\nbackend = "namespace"\n\n[devices]\nallow_camera = false\n')
    done = launch("run", "generic", "--", "/bin/echo", "SANDBOX-RAN")
    assert done.returncode == 0, done.stderr
    assert "SANDBOX-RAN" in done.stdout
    assert launch("policy", "check").returncode == 0


def test_locks_hold_in_a_real_sandbox(launch: Run, admin: AdminFiles,
                                      user_profile: Callable[[str, str], Path]) -> None:
    user_profile("leaky", f'command = {json.dumps(_SHOW)}\nbackend = "namespace"\n'
                          '[sandbox]\nhome_size = "1G"\nenv = { LEAK = "yes" }\n')
    # Control: without a policy the profile's values reach the sandbox.
    leak, home_kib = _leak_and_home_kib(launch("run", "leaky").stdout)
    assert leak == "LEAK=yes" and home_kib == 1 << 20
    admin.write_policy('[lock.sandbox]\nenv = {}\n[max.sandbox]\nhome_size = "16M"\n'
                       '[lock]\nbackend = "namespace"\n')
    done = launch("run", "leaky")
    assert done.returncode == 0, done.stderr
    assert _leak_and_home_kib(done.stdout) == ("LEAK=none", 16 << 10)
    assert "set by your administrator" in done.stderr  # the note says why
    refused = launch("run", "leaky", "--backend", "vm")
    assert refused.returncode == 125
    assert "backend cannot be 'vm'" in refused.stderr
    assert f"set by your administrator in {admin.policy}:6" in refused.stderr


def test_the_environment_moves_no_lock(launch: Run, admin: AdminFiles, user_tmp: Path,
                                       launcher_user: LauncherUser) -> None:
    """Profiles found through XDG_CONFIG_HOME, host variables, a made-up variable that
    could name another policy: none of it moves a lock."""
    elsewhere = user_tmp / "config" / "sandbox-launcher" / "profiles"
    subprocess.run(["mkdir", "-p", str(elsewhere)], check=True)
    (elsewhere / "passer.toml").write_text(
        f'command = {json.dumps(_SHOW)}\n[sandbox]\npass_env = ["LEAK"]\n')
    shutil.chown(user_tmp / "config", launcher_user.uid, launcher_user.gid)
    empty = user_tmp / "empty.toml"
    empty.write_text("")
    env = {"XDG_CONFIG_HOME": str(user_tmp / "config"), "LEAK": "from-host",
           "SANDBOX_LAUNCHER_POLICY": str(empty)}
    # Control: without a lock the host variable reaches the sandbox.
    done = launch("run", "passer", env_extra=env)
    assert done.returncode == 0, done.stderr
    assert "LEAK=from-host" in done.stdout
    admin.write_policy("[lock.sandbox]\npass_env = []\n")
    done = launch("run", "passer", env_extra=env)
    assert done.returncode == 0, done.stderr
    assert "LEAK=none" in done.stdout


def test_admin_profiles_appear_and_user_profiles_hide(
        launch: Run, admin: AdminFiles, user_profile: Callable[[str, str], Path]) -> None:
    admin.write_profile("corp-meet", 'title = "Corporate meeting"\n'
                                     'command = ["/bin/echo", "CORP-MEET-RAN"]\n')
    user_profile("mine", 'command = ["/bin/true"]\n')

    def names() -> dict[str, bool]:
        listed = launch("profiles", "--json")
        assert listed.returncode == 0, listed.stderr
        return {p["name"]: p["admin"] for p in json.loads(listed.stdout)["profiles"]}

    assert names()["corp-meet"] is True and "mine" in names()
    admin.write_policy("[profiles]\nhide_user = true\n")
    assert "corp-meet" in names() and "mine" not in names()
    assert launch("run", "mine").returncode == 125
    ran = launch("run", "corp-meet")
    assert ran.returncode == 0 and "CORP-MEET-RAN" in ran.stdout
    shown = json.loads(launch("policy", "show", "--json").stdout)
    assert shown["settings"]["profiles.hide_user"] == {"value": True,
                                                       "from": f"{admin.policy}:2"}
