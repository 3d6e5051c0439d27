"""Addresses out of the sandbox (sign-in with SSO), for real: bubblewrap, as the test user.

The client is the SSO stand-in (``tests/stand_in/sso_client.py``) in a Zoom session: it
runs ``xdg-open ADDRESS`` as a client does (by name, on PATH) and waits for its sign-in's
return link. The host's browser is a fake (``SANDBOX_LAUNCHER_BROWSER``): a program that
records its argv. The administrator's policy (``[links] open``) is given to the real
launcher's ``main()``, as in test_policy_enforced.py.

- ``allow``: the fake browser gets exactly the address, as one argument; a ``file:``
  address asked first is refused and never reaches it; the client's xdg-open exits 0;
  ``open zoommtg://…`` then goes into that very session (not a new one) through the
  join path; the report lists both, with hosts only (no path, query or token).
- ``deny`` (the control of the above: same client, same address): nothing is opened,
  the client's xdg-open fails, and the return link finds no session waiting.
- ``ask`` without a terminal: nobody can be asked, so nothing is opened, and ``run``
  says so; on a terminal, ``run`` asks there and does what the person types.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    REPO_ROOT,
    SYSTEM_PYTHON,
    LauncherUser,
    Spawned,
    as_user_argv,
    finish,
    last_json,
    user_environment,
)
from schemas import problems
from stand_in_session import session_of, stand_in_source, start_stand_in

pytestmark = pytest.mark.integration

SSO_CLIENT = stand_in_source("sso_client")
SIGN_IN = "https://sso.example/login?x=1"
RETURN = "zoommtg://zoom.us/join?confno=1&token=x"
COPY_ME = "https://help.example/article?id=7"
PYTHON = str(REPO_ROOT / ".venv" / "bin" / "python")
_MAIN = ("import sys; from pathlib import Path; from sandbox_launcher.cli.main import main; "
         "from sandbox_launcher.core.policy import SystemFiles; "
         "sys.exit(main(sys.argv[3:], system=SystemFiles(Path(sys.argv[1]), "
         "Path(sys.argv[2]))))")
FAKE_BROWSER = """#!/usr/bin/python3
import json, sys
with open({out!r}, "a", encoding="utf-8") as fh:
    fh.write(json.dumps(sys.argv[1:]) + "\\n")
"""


@dataclass
class World:
    """The administrator's files (root-owned, world-readable) and the fake browser."""

    user: LauncherUser
    etc: Path
    tmp: Path
    spawned: Spawned

    @property
    def browser_log(self) -> Path:
        return self.tmp / "browser.log"

    def policy(self, text: str) -> None:
        path = self.etc / "policy.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)

    def _argv(self, *args: str) -> list[str]:
        return as_user_argv(self.user, [PYTHON, "-c", _MAIN, str(self.etc / "policy.toml"),
                                        str(self.etc / "profiles"), *args])

    def _env(self) -> dict[str, str]:
        return user_environment(self.user, env_extra={
            "SANDBOX_LAUNCHER_BROWSER": str(self.tmp / "browser")})

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(self._argv(*args), env=self._env(), cwd=self.user.home,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.spawned.procs.append(proc)
        return proc

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self._argv(*args), env=self._env(), cwd=self.user.home,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120, check=False)

    def session(self, *addresses: str, seconds: float) -> tuple[subprocess.Popen[str],
                                                                 dict[str, Any], Path]:
        """``run zoom`` with the stand-in asking for *addresses*, until it is ready."""
        opens = [a for address in addresses for a in ("--open", address)]
        started = start_stand_in(lambda args: self.spawn(*args), self.tmp, "zoom", SSO_CLIENT,
                                 *opens, "--seconds", str(seconds))
        return started.proc, started.ready, started.report


@pytest.fixture
def world(launcher_user: LauncherUser, user_tmp: Path) -> Iterator[World]:
    etc = Path(tempfile.mkdtemp(prefix="sl-etc-"))
    etc.chmod(0o755)
    (etc / "profiles").mkdir(mode=0o755)
    browser = user_tmp / "browser"
    browser.write_text(FAKE_BROWSER.format(out=str(user_tmp / "browser.log")))
    browser.chmod(0o755)
    if launcher_user.switch:
        import os
        os.chown(browser, launcher_user.uid, launcher_user.gid)
    found = World(launcher_user, etc, user_tmp, Spawned())
    yield found
    found.spawned.reap()
    shutil.rmtree(etc, ignore_errors=True)


def _session_id(world: World, launcher_pid: int) -> str:
    return session_of(world.run("sessions", "--json").stdout, launcher_pid)


def test_allow_opens_exactly_the_address_and_the_return_link_reaches_the_asking_session(
        world: World) -> None:
    world.policy('[links]\nopen = "allow"\n')
    proc, ready, report_path = world.session("file:///etc/passwd", SIGN_IN, seconds=90)
    refused, opened = ready["opened"]
    print(f"xdg-open inside, policy allow, fake browser: {opened['seconds']} s; "
          f"refused by the launcher's check: {refused['seconds']} s")
    assert opened["program"] == "/run/sandbox-launcher/bin/xdg-open"
    assert refused["status"] == 4 and "only http and https" in refused["stderr"], refused
    assert opened["status"] == 0, opened
    # Exactly the address, as one argument, once; the file: address never got there.
    lines = world.browser_log.read_text().splitlines()
    assert [json.loads(line) for line in lines] == [[SIGN_IN]]
    session_id = _session_id(world, proc.pid)

    back = world.run("open", RETURN)
    assert back.returncode == 0, back.stderr
    assert "went back to the session that asked" in back.stderr
    assert f"running session {session_id}" in back.stderr
    status, stdout, stderr = finish(proc, timeout=120)
    assert status == 0, stderr
    returned = last_json(stdout)["returned"]
    assert returned == ["--open", "file:///etc/passwd", "--open", SIGN_IN, "--seconds", "90",
                        RETURN], returned
    assert "was opened (by policy)" in stderr
    # Only one session ran: the return link started none.
    assert world.run("sessions", "--json").stdout.strip() in ("[]", "")
    report = json.loads(report_path.read_text())
    assert problems("report", report) == []
    asked = report["devices"]["links_out"]["requests"]
    assert [(r["scheme"], r["host"], r["answer"], r["by"]) for r in asked] == [
        ("", "", "refused", "launcher"), ("https", "sso.example", "opened", "policy")]
    assert [(j["service"], j["host"]) for j in report["joins"]["links"]] == [
        ("zoom", "zoom.us")]
    # (The command line, which names the address itself, is in the report as given.)
    text = json.dumps([report["devices"]["links_out"], report["joins"]])
    assert "x=1" not in text and "token" not in text and "/login" not in text


@pytest.mark.parametrize(("policy", "why"), [
    ('[links]\nopen = "deny"\n', "your administrator does not let sessions open addresses"),
    ("", "there was no one to ask"),
])
def test_deny_and_ask_without_a_terminal_open_nothing_and_the_client_sees_a_failure(
        world: World, policy: str, why: str) -> None:
    world.policy(policy)
    proc, ready, report_path = world.session(SIGN_IN, seconds=4)
    [opened] = ready["opened"]
    assert opened["status"] == 4 and why in opened["stderr"], opened
    back = world.run("open", RETURN)
    # No session waits for it, so it is read as a meeting link, which it is not.
    assert back.returncode == 125 and "not a meeting link" in back.stderr, back.stderr
    assert "went back" not in back.stderr
    status, stdout, stderr = finish(proc, timeout=120)
    assert status == 0, stderr
    assert last_json(stdout)["returned"] is None
    assert not world.browser_log.exists()
    assert f"was refused (by {'policy' if policy else 'nobody'}): {why}" in stderr
    report = json.loads(report_path.read_text())
    assert problems("report", report) == []
    asked = report["devices"]["links_out"]["requests"]
    assert [(r["host"], r["answer"]) for r in asked] == [("sso.example", "refused")], asked


def test_run_on_a_terminal_asks_and_opens_what_the_person_says(world: World) -> None:
    """``run`` from a terminal: the question on stderr, the answer typed on the terminal
    (o: open, r: refuse), one question at a time."""
    import os
    import pty
    import select
    import time

    world.policy("")
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.Popen(
            world._argv("run", "zoom", "--network", "none", "--", SYSTEM_PYTHON, "-c",
                        SSO_CLIENT, "--open", SIGN_IN, "--open", COPY_ME,
                        "--seconds", "1"),
            env={**world._env(), "TERM": "xterm"}, cwd=world.user.home, stdin=secondary,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=False)
        world.spawned.procs.append(proc)  # type: ignore[arg-type]
        assert proc.stderr is not None
        err = proc.stderr.fileno()
        seen = b""
        for answer in (b"o\n", b"r\n"):
            deadline = time.monotonic() + 90
            while seen.count(b"[o], or refuse [r]? ") < (1 if answer == b"o\n" else 2):
                assert time.monotonic() < deadline, seen.decode()
                if select.select([err], [], [], 1)[0]:
                    chunk = os.read(err, 4096)
                    assert chunk, seen.decode()
                    seen += chunk
            os.write(primary, answer)
        stdout, rest = proc.communicate(timeout=120)
    finally:
        os.close(secondary)
        os.close(primary)
    stderr = (seen + rest).decode()
    assert proc.returncode == 0, stderr
    assert "asks to open an address in your browser:\n    " + SIGN_IN in stderr
    assert "host: SSO.EXAMPLE" in stderr
    opened, refused = json.loads(stdout.decode().splitlines()[0])["opened"]
    assert opened["status"] == 0 and refused["status"] == 4, (opened, refused)
    assert "you refused" in refused["stderr"]
    assert [json.loads(line) for line in world.browser_log.read_text().splitlines()] == [
        [SIGN_IN]]
