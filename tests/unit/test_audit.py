"""The audit trail: what a line holds (and never holds), the policy keys, file and journal."""

from __future__ import annotations

import datetime
import json
import os
import socket
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from schemas import old_report, problems

from sandbox_launcher.core.errors import ProfileError
from sandbox_launcher.core.plan import LaunchPlan, RunOptions
from sandbox_launcher.core.policy import AUDIT_FILE, AuditPolicy, load_policy
from sandbox_launcher.core.profile import load_profiles
from sandbox_launcher.devices.plan import ScreenGrant
from sandbox_launcher.session import audit
from sandbox_launcher.session.planning import make_plan
from sandbox_launcher.session.report import Report

LINK = "https://meet.example.org/room-42?jwt=s3cr3t-token"
TITLE = "Quarterly numbers - CONFIDENTIAL.xlsx"
ON = AuditPolicy(enabled=True, target="file")


@pytest.fixture
def meeting_plan() -> LaunchPlan:
    """web-meeting with a link carrying a secret query, sharing a window with a title."""
    plan = make_plan(load_profiles(Path("/nonexistent/x")).get("web-meeting"),
                     RunOptions(join_url=LINK), {})
    return replace(plan, devices=replace(plan.devices,
                                         screen=ScreenGrant("mirror", 0x400001, TITLE)))


def _report(plan: LaunchPlan) -> Report:
    """The old jailed report, as if it were this plan's session (command, grants)."""
    raw = old_report("jailed")
    raw["network"]["connections"].append({
        "name": "meet.example.org", "ip": "192.0.2.10", "port": 443, "protocol": "tcp",
        "country": None, "packets_out": 9, "bytes_out": 900, "packets_in": 7,
        "bytes_in": 7000, "verdict": "allowed", "rule": "resolved from meet.example.org"})
    raw["joins"]["links"] = [{"service": "web", "host": "meet.example.org", "at": 2.0,
                              "pid": 9}]
    return replace(Report.from_dict(raw), command=plan.command, grants=plan.grants())


def test_the_report_itself_carries_the_secrets_the_line_must_not(
        meeting_plan: LaunchPlan) -> None:
    """The control: without it, the absence below would prove nothing."""
    text = _report(meeting_plan).to_json()
    assert TITLE in text and "s3cr3t-token" in text and "room-42" in text


def test_a_line_validates_and_carries_no_content(meeting_plan: LaunchPlan) -> None:
    line = audit.line(_report(meeting_plan), ON, meeting_plan, user=("alice", 1000))
    assert problems("audit", line) == []
    text = audit.render(line).decode()
    for secret in (TITLE, "CONFIDENTIAL", "s3cr3t-token", "jwt", "room-42", "?"):
        assert secret not in text, secret
    assert not {"command", "title", "url", "meeting", "window"} & set(line)
    assert line["grants"]["screen"] == "mirror" and line["grants"]["network"] == "allowlist"
    assert line["destinations"] == [{"name": "meet.example.org", "ip": "192.0.2.10",
                                     "port": 443, "protocol": "tcp", "country": None,
                                     "bytes_out": 900, "bytes_in": 7000}]
    assert line["blocked"] == {"connections": 1, "dns_refused": 4}
    assert line["joins"] == [{"service": "web", "host": "meet.example.org"}]
    assert (line["user"], line["uid"], line["wipe_verified"]) == ("alice", 1000, True)
    start = datetime.datetime.fromisoformat(line["start"])
    assert start.tzinfo is not None and start.timestamp() == pytest.approx(
        old_report("jailed")["started"], abs=0.001)


def test_meeting_ids_only_when_the_policy_asks_and_never_the_query(
        meeting_plan: LaunchPlan) -> None:
    line = audit.line(_report(meeting_plan), replace(ON, meeting_ids=True), meeting_plan,
                      user=("alice", 1000))
    assert problems("audit", line) == []
    assert line["meeting"] == {"service": "web", "host": "meet.example.org", "id": "room-42"}
    text = audit.render(line).decode()
    assert "s3cr3t-token" not in text and "jwt" not in text and TITLE not in text


def test_a_zoom_meeting_id_is_the_conference_number() -> None:
    assert audit.meeting_in(("zoom", "zoommtg://zoom.us/join?action=join&confno=123456789"
                             "&pwd=abc")) == {"service": "zoom", "host": "zoom.us",
                                              "id": "123456789"}
    assert audit.meeting_in(("/bin/true",)) is None


def test_a_stale_recovery_line_has_no_grants() -> None:
    line = audit.line(Report.from_dict(old_report("stale")), ON, None, user=("bob", 1001))
    assert problems("audit", line) == []
    assert line["recovered_stale"] is True and line["grants"] is None
    assert line["destinations"] == [] and line["exit_status"] is None


def test_the_schema_refuses_content_fields(meeting_plan: LaunchPlan) -> None:
    line = audit.line(_report(meeting_plan), ON, meeting_plan, user=("alice", 1000))
    for extra in ({"command": ["x"]}, {"title": TITLE}, {"url": LINK},
                  {"meeting": {"service": "web", "host": "h", "id": "room?jwt=x"}}):
        assert problems("audit", {**line, **extra}) != [], extra
    bad_grants = {**line, "grants": {**line["grants"], "screen_title": TITLE}}
    assert problems("audit", bad_grants) != []


def test_many_destinations_are_capped_and_counted(meeting_plan: LaunchPlan) -> None:
    raw = _report(meeting_plan).to_dict()
    one = raw["network"]["connections"][-1]
    raw["network"]["connections"] = [{**one, "port": p} for p in range(1, 302)]
    line = audit.line(Report.from_dict(raw), ON, meeting_plan, user=("a", 1))
    assert len(line["destinations"]) == audit.MAX_DESTINATIONS
    assert line["destinations_not_listed"] == 301 - audit.MAX_DESTINATIONS
    assert len(audit.render(line)) < 212_000  # journald's datagram limit is far above


# --- where it goes -------------------------------------------------------------------


def test_lines_from_many_writers_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    lines = [audit.render({"session": f"s{i}", "pad": "x" * (3000 + i)}) for i in range(40)]

    def write(chunk: list[bytes]) -> None:
        for text in chunk:
            audit.append_line(path, text)

    threads = [threading.Thread(target=write, args=(lines[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = [json.loads(raw) for raw in path.read_bytes().splitlines()]
    assert sorted(g["session"] for g in got) == sorted(f"s{i}" for i in range(40))
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_a_symlinked_audit_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    (tmp_path / "audit.jsonl").symlink_to(target)
    with pytest.raises(OSError):
        audit.append_line(tmp_path / "audit.jsonl", b"{}\n")
    assert not target.exists()


def _journal(tmp_path: Path) -> tuple[socket.socket, Path]:
    path = tmp_path / "journal.socket"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)
    return sock, path


def _fields(datagram: bytes) -> dict[str, str]:
    return dict(item.split("=", 1) for item in datagram.decode().splitlines())


def test_auto_goes_to_the_journal_when_it_runs(tmp_path: Path,
                                               meeting_plan: LaunchPlan) -> None:
    sock, path = _journal(tmp_path)
    policy = AuditPolicy(enabled=True, target="auto", file=str(tmp_path / "audit.jsonl"))
    with sock:
        assert audit.record(_report(meeting_plan), meeting_plan, policy, journal=path) == []
        fields = _fields(sock.recv(1 << 20))
    assert not (tmp_path / "audit.jsonl").exists()
    assert fields["SYSLOG_IDENTIFIER"] == "sandbox-launcher"
    assert fields["MESSAGE_ID"] == audit.MESSAGE_ID
    line = json.loads(fields["MESSAGE"])
    assert fields["SANDBOX_LAUNCHER_SESSION"] == line["session"]
    assert problems("audit", line) == []


def test_auto_falls_back_to_the_file(tmp_path: Path, meeting_plan: LaunchPlan) -> None:
    policy = AuditPolicy(enabled=True, target="auto", file=str(tmp_path / "audit.jsonl"))
    assert audit.record(_report(meeting_plan), meeting_plan, policy,
                        journal=tmp_path / "no-journal") == []
    [line] = (tmp_path / "audit.jsonl").read_text().splitlines()
    assert problems("audit", json.loads(line)) == []


def test_off_by_default_and_problems_are_told_not_raised(tmp_path: Path,
                                                         meeting_plan: LaunchPlan) -> None:
    report = _report(meeting_plan)
    assert audit.record(report, meeting_plan, AuditPolicy(file=str(tmp_path / "a"))) == []
    assert not (tmp_path / "a").exists()
    [problem] = audit.record(report, meeting_plan,
                             replace(ON, file=str(tmp_path / "missing" / "audit.jsonl")))
    assert "audit line was not written" in problem
    [problem] = audit.record(report, meeting_plan, replace(ON, target="journal"),
                             journal=tmp_path / "no-journal")
    assert "audit line was not written (journal)" in problem


# --- the policy keys ------------------------------------------------------------------


def test_the_policy_section(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    assert load_policy(path).audit == AuditPolicy()
    assert AuditPolicy().file == AUDIT_FILE and not AuditPolicy().enabled
    path.write_text('[audit]\nenabled = true\ntarget = "journal"\nfile = "/var/log/a.jsonl"\n'
                    "meeting_ids = true\n")
    assert load_policy(path).audit == AuditPolicy(True, "journal", "/var/log/a.jsonl", True)
    assert load_policy(path).to_dict()["audit"]["meeting_ids"] is True


@pytest.mark.parametrize(("text", "key"), [
    ("[audit]\nenabled = 1\n", "audit.enabled"),
    ('[audit]\ntarget = "syslog"\n', "audit.target"),
    ('[audit]\nfile = "relative.jsonl"\n', "audit.file"),
    ("[audit]\nmeeting_ids = 'yes'\n", "audit.meeting_ids"),
    ("[audit]\nurls = true\n", "audit.urls"),
])
def test_a_broken_audit_key_names_file_line_and_key(tmp_path: Path, text: str,
                                                    key: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(ProfileError) as raised:
        load_policy(path)
    error = raised.value
    assert (error.path, error.line, error.key) == (str(path), 2, key)
    assert error.summary.startswith(f"{path}:2 [{key}]: ")


def test_a_stale_wipe_says_what_could_not_be_recorded() -> None:
    from sandbox_launcher.session.control import StaleWipe

    wiped = StaleWipe("generic-1", "generic", 0, True, {},
                      ("the audit line was not written (file): Permission denied",))
    first, second = wiped.describe().splitlines()
    assert first.startswith("wiped stale session generic-1") and "Permission denied" in second
