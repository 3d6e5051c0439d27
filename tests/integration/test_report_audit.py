"""Real sessions, run as the unprivileged user, write reports and audit lines that validate
against the schemas published in docs/ and carry no content.

The policy that switches the audit trail on is seen only by the launcher under test
(``private_mounts.py``): the real ``/etc/sandbox-launcher`` path, in a mount namespace of
that one process.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    LAUNCHER,
    SYSTEM_PYTHON,
    LauncherUser,
    as_user_argv,
    user_environment,
)
from conftest_net import HostNetns, write_user_profile
from private_mounts import POLICY_DIR, PrivateMounts, policy_folder
from schemas import problems

from sandbox_launcher.session.report import Report
from sandbox_launcher.verify.fake_internet import EVIL_ADDRESS, ZOOM_ADDRESS

pytestmark = pytest.mark.integration

#: A marker the client's command line carries, as a meeting link's query would: the report
#: keeps the command (the control), the audit line must not.
SECRET = f"pwd=s3cr3t{secrets.token_hex(4)}"
#: In the sandbox: talk to an allowed server, ask for a refused name, try a blocked address.
CLIENT = f"""
import socket  # {SECRET}
with socket.create_connection(("zoom.us", 443), timeout=10) as s:
    print(s.recv(64).decode())  # the server's banner (it sends it, then closes)
try:
    socket.getaddrinfo("evil.example", 443)
except OSError as exc:
    print("refused", exc)
t = socket.socket(); t.settimeout(2)
try:
    t.connect(("{EVIL_ADDRESS}", 443))
except OSError as exc:
    print("blocked", exc)
"""
PROFILE = """\
title = "Audit test"
client = "none"
[network]
mode = "allowlist"
domains = ["zoom.us"]
ports = ["tcp/443"]
[devices]
display = "none"
speakers = false
"""


@pytest.fixture(scope="module")
def world(launcher_user: LauncherUser) -> Iterator[Path]:
    """A private folder for the policies and the user's files."""
    if os.geteuid() != 0:
        pytest.skip("a private mount namespace for the policy needs root (CI runs as root)")
    path = Path(tempfile.mkdtemp(prefix="sl-audit-", dir="/tmp"))
    path.chmod(0o755)
    user_dir = path / "user"
    user_dir.mkdir(mode=0o700)
    os.chown(user_dir, launcher_user.uid, launcher_user.gid)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _policy(world: Path, text: str) -> Path:
    folder = Path(tempfile.mkdtemp(dir=world))
    folder.chmod(0o755)
    return policy_folder(folder, text)


def _run(user: LauncherUser, mounts: PrivateMounts, argv: list[str],
         netns: HostNetns | None = None, timeout: float = 120,
         ) -> subprocess.CompletedProcess[str]:
    full = netns.argv(argv) if netns is not None else as_user_argv(user, argv)
    return subprocess.run(mounts.argv(full), env=user_environment(user), cwd=user.home,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout, check=False)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _valid_report(path: Path) -> Report:
    data = json.loads(path.read_text())
    assert problems("report", data) == []
    assert data["schema_version"] == 2
    return Report.from_dict(data)


def test_generic_session_report_and_audit_line(world: Path,
                                               launcher_user: LauncherUser) -> None:
    audit_file = world / "user" / "audit.jsonl"
    mounts = PrivateMounts(_policy(world, f'[audit]\nenabled = true\ntarget = "file"\n'
                                          f'file = "{audit_file}"\n'))
    report_path = world / "user" / "generic.json"
    done = _run(launcher_user, mounts, [str(LAUNCHER), "run", "generic", "--report",
                                        str(report_path), "--", "/bin/true"])
    assert done.returncode == 0, done.stderr
    report = _valid_report(report_path)
    assert report.profile == "generic" and report.verified
    [line] = _lines(audit_file)
    assert problems("audit", line) == []
    assert (line["user"], line["uid"]) == (launcher_user.name, launcher_user.uid)
    assert (line["session"], line["profile"], line["backend"]) == (
        report.id, "generic", "namespace")
    assert line["grants"]["network"] == "none" and line["wipe_verified"] is True
    assert line["destinations"] == [] and line["exit_status"] == 0
    # The host's /etc was never touched: outside, no policy names our audit file.
    host_policy = POLICY_DIR / "policy.toml"
    assert not host_policy.exists() or str(audit_file) not in host_policy.read_text()


def test_without_the_policy_no_line_is_written(world: Path,
                                               launcher_user: LauncherUser) -> None:
    """The control of the test above: the line comes from the policy, not from a default."""
    audit_file = world / "user" / "off.jsonl"
    mounts = PrivateMounts(_policy(world, f'[audit]\nenabled = false\nfile = "{audit_file}"\n'))
    done = _run(launcher_user, mounts, [str(LAUNCHER), "run", "generic", "--", "/bin/true"])
    assert done.returncode == 0, done.stderr
    assert not audit_file.exists()


@pytest.mark.parametrize("builtin", [False, True], ids=["user-profile", "builtin-zoom"])
def test_jailed_session_lists_destinations_without_content(
        world: Path, launcher_user: LauncherUser, host_netns: HostNetns, builtin: bool) -> None:
    """A user profile allowing zoom.us, and the built-in zoom profile with a command of the
    test's in place of the Zoom client (its allowlist, vendor ranges and grants as shipped)."""
    name = "zoom" if builtin else f"slaudit{secrets.token_hex(3)}"
    profile = None if builtin else write_user_profile(launcher_user, name, PROFILE)
    audit_file = world / "user" / f"{name}.jsonl"
    report_path = world / "user" / f"{name}.json"
    mounts = PrivateMounts(_policy(world, f'[audit]\nenabled = true\ntarget = "file"\n'
                                          f'file = "{audit_file}"\n'))
    try:
        done = _run(launcher_user, mounts,
                    [str(LAUNCHER), "run", name, "--report", str(report_path), "--",
                     SYSTEM_PYTHON, "-c", CLIENT], netns=host_netns)
    finally:
        if profile is not None:
            profile.unlink(missing_ok=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "zoom-443" in done.stdout  # the allowed server answered
    report = _valid_report(report_path)
    assert report.network is not None and report.network.summary is not None
    assert SECRET in " ".join(report.command)  # the control: the report keeps the command
    [line] = _lines(audit_file)
    assert problems("audit", line) == []
    [contacted] = line["destinations"]
    assert (contacted["name"], contacted["ip"], contacted["port"]) == ("zoom.us",
                                                                      ZOOM_ADDRESS, 443)
    assert contacted["bytes_out"] > 0 and contacted["bytes_in"] > 0
    assert line["blocked"]["connections"] >= 1 and line["blocked"]["dns_refused"] >= 1
    assert line["blocked"]["connections"] == report.network.summary.blocked
    text = audit_file.read_text()
    assert SECRET not in text and "s3cr3t" not in text and "python" not in text
    assert "meeting" not in line and "command" not in line
    assert line["profile"] == name and line["grants"]["network"] == "allowlist"


def test_the_line_goes_to_the_journal_when_one_runs(world: Path,
                                                    launcher_user: LauncherUser) -> None:
    journal = Path(tempfile.mkdtemp(dir=world))
    journal.chmod(0o755)
    audit_file = world / "user" / "not-used.jsonl"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(journal / "socket"))
        (journal / "socket").chmod(0o666)  # as journald's socket is
        sock.settimeout(60)
        mounts = PrivateMounts(_policy(world, f'[audit]\nenabled = true\n'
                                              f'file = "{audit_file}"\n'), journal)
        done = _run(launcher_user, mounts, [str(LAUNCHER), "run", "generic", "--",
                                            "/bin/true"])
        assert done.returncode == 0, done.stderr
        fields = dict(item.split("=", 1) for item in sock.recv(1 << 20).decode().splitlines())
    assert not audit_file.exists()  # auto: the journal ran, so not the file
    assert fields["SYSLOG_IDENTIFIER"] == "sandbox-launcher"
    line = json.loads(fields["MESSAGE"])
    assert problems("audit", line) == []
    assert line["user"] == launcher_user.name and line["profile"] == "generic"


def test_a_stale_session_still_gets_its_line(world: Path,
                                             launcher_user: LauncherUser) -> None:
    audit_file = world / "user" / "stale.jsonl"
    mounts = PrivateMounts(_policy(world, f'[audit]\nenabled = true\ntarget = "file"\n'
                                          f'file = "{audit_file}"\n'))
    full = as_user_argv(launcher_user, [str(LAUNCHER), "run", "generic", "--", "/bin/sleep",
                                        "60"])
    # unshare and the mounting python exec in place: the pid is the launcher's.
    proc = subprocess.Popen(mounts.argv(full), env=user_environment(launcher_user),
                            cwd=launcher_user.home, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        sessions = launcher_user.runtime_dir / "sandbox-launcher" / "sessions"
        while not any(sessions.glob("generic-*")) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # running: the sandbox is up
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    done = _run(launcher_user, mounts, [str(LAUNCHER), "wipe", "--stale"])
    assert done.returncode == 0, done.stderr
    lines = _lines(audit_file)
    assert lines and all(problems("audit", line) == [] for line in lines)
    stale = [line for line in lines if line["recovered_stale"]]
    assert stale and stale[0]["grants"] is None and stale[0]["wipe_verified"] is True
