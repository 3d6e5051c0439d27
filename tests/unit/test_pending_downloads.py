"""Downloads held for the app's question: planning, holding, listing, keeping, discarding,
and the report's record of the decision (real files in tmp dirs; no Qt, no root)."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from sandbox_launcher.core import paths
from sandbox_launcher.core.devices import DevicePlan
from sandbox_launcher.core.errors import LauncherError, UsageError
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.policy import DevicePolicy, Policy
from sandbox_launcher.core.profile import load_profiles
from sandbox_launcher.devices.pending import (
    PendingFile,
    display_name,
    end_downloads,
    keep_pending,
    list_pending,
    read_pending,
    valid_session_id,
)
from sandbox_launcher.devices.share import POLICY_DISCARDS
from sandbox_launcher.session import report
from sandbox_launcher.session.downloads import HeldDownloads, apply_decision
from sandbox_launcher.session.events import DownloadsDecided
from sandbox_launcher.session.planning import make_plan

AWKWARD = "-Bericht März 2024 (final).txt"


def _downloads(tmp_path: Path) -> Path:
    """A sandbox's downloads folder: two files (one awkwardly named, one in a subfolder),
    a symlink to a host secret and a FIFO, neither of which may ever be held."""
    root = tmp_path / "session" / "downloads"
    (root / "sub").mkdir(parents=True)
    (root / AWKWARD).write_text("one\n")
    (root / "sub" / "notes.txt").write_text("second file\n")
    (root / "passwd").symlink_to("/etc/passwd")
    os.mkfifo(root / "pipe")
    return root


def test_the_app_holds_downloads_in_a_private_folder_named_by_the_session(
        tmp_path: Path) -> None:
    pending = tmp_path / "state" / "pending-downloads"
    plan = DevicePlan(downloads=True, pending_downloads=str(pending))
    result = end_downloads(_downloads(tmp_path), plan, "generic-abc123")
    folder = pending / "generic-abc123"
    assert result["decision"] == "pending" and result["pending_in"] == str(folder)
    assert result["discarded"] is False and result["kept_in"] is None
    assert [f["name"] for f in result["files"]] == [AWKWARD, "sub/notes.txt"]
    assert all("kept_as" not in f for f in result["files"])
    assert result["skipped_not_regular"] == ["passwd", "pipe"]
    assert not (tmp_path / "session" / "downloads").exists()
    for path in (pending, folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert (folder / AWKWARD).read_text() == "one\n"
    assert stat.S_IMODE((folder / AWKWARD).stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == [AWKWARD, "sub"]  # no link, no FIFO


def test_nothing_downloaded_leaves_nothing_to_ask(tmp_path: Path) -> None:
    pending = tmp_path / "pending"
    empty = tmp_path / "downloads"
    empty.mkdir()
    result = end_downloads(empty, DevicePlan(downloads=True, pending_downloads=str(pending)),
                           "generic-abc123")
    assert result["discarded"] is True and "pending_in" not in result
    assert not pending.exists()


def test_the_command_line_and_a_chosen_folder_are_unchanged(tmp_path: Path) -> None:
    keep = tmp_path / "keep"
    keep.mkdir()
    chosen = DevicePlan(downloads=True, keep_downloads=str(keep),
                        pending_downloads=str(tmp_path / "pending"))
    result = end_downloads(_downloads(tmp_path), chosen, "generic-abc123")
    assert result["kept_in"] == str(keep) and "decision" not in result
    assert (keep / AWKWARD).read_text() == "one\n" and not (tmp_path / "pending").exists()
    cli = end_downloads(_downloads(tmp_path / "2"), DevicePlan(downloads=True), "g-1")
    assert cli["discarded"] is True and "discard_reason" not in cli


def test_the_policy_discards_and_the_report_says_why(tmp_path: Path) -> None:
    plan = DevicePlan(downloads=True, discard_reason=POLICY_DISCARDS)
    result = end_downloads(_downloads(tmp_path), plan, "generic-abc123")
    assert result["discarded"] is True and result["discard_reason"] == POLICY_DISCARDS
    assert "discarded at the end (the system policy" in plan.grants()["downloads"]


def test_the_plan_holds_only_what_the_policy_lets_be_kept(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "dev.toml").write_text('command = ["/bin/true"]\n')
    profile = load_profiles(profiles).get("dev")
    hold = str(tmp_path / "pending")
    asked = make_plan(profile, RunOptions(hold_downloads=hold), {})
    assert asked.devices.pending_downloads == hold and not asked.devices.discard_reason
    assert "until the user keeps or discards them" in asked.grants()["downloads"]
    keep = tmp_path / "keep"
    keep.mkdir()
    chosen = make_plan(profile, RunOptions(hold_downloads=hold, keep_downloads=str(keep)), {})
    assert chosen.devices.pending_downloads is None
    assert chosen.devices.keep_downloads == str(keep)
    locked = Policy(devices=DevicePolicy(allow_keep_downloads=False))
    refused = make_plan(profile, RunOptions(hold_downloads=hold), {}, locked)
    assert refused.devices.pending_downloads is None
    assert refused.devices.discard_reason == POLICY_DISCARDS
    assert make_plan(profile, RunOptions(), {}).devices.pending_downloads is None  # the CLI


def test_names_are_shown_with_their_hidden_characters_visible() -> None:
    assert display_name(AWKWARD) == AWKWARD
    assert display_name("a\nb") == "a\\u000ab"
    assert display_name("invoice\u202efdp.exe") == "invoice\\u202efdp.exe"
    assert display_name("bad\udcff") == "bad\\udcff"  # an undecodable byte
    assert [valid_session_id(n) for n in ("zoom-3fa9c1", "", ".", "..", "a/b")] == [
        True, False, False, False, False]


def _held(root: Path, session_id: str, files: dict[str, str], age: float = 0) -> Path:
    folder = root / session_id
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    when = time.time() - age
    os.utime(folder, (when, when))
    return folder


def test_listing_is_oldest_first_and_forgets_empty_and_foreign_folders(
        tmp_path: Path) -> None:
    root = tmp_path / "pending"
    _held(root, "b-000002", {"x.txt": "xx"}, age=10)
    _held(root, "a-000001", {"sub/y": "y"}, age=5)
    (root / "empty-000003").mkdir()
    (root / "linked").symlink_to(tmp_path)
    (root / "b-000002" / "link").symlink_to("/etc/passwd")
    old = time.time() - 10
    os.utime(root / "b-000002", (old, old))  # the link made it new again
    found = list_pending(root)
    assert [p.session_id for p in found] == ["b-000002", "a-000001"]
    assert found[0].files == (PendingFile("x.txt", 2),) and found[0].total == 2
    assert found[1].files == (PendingFile("sub/y", 1),)
    assert not (root / "empty-000003").exists()
    assert list_pending(tmp_path / "missing") == []


def test_keeping_never_overwrites_and_empties_the_pending_folder(tmp_path: Path) -> None:
    folder = _held(tmp_path / "pending", "g-000001",
                   {AWKWARD: "new", "sub/b.txt": "b", "plain": "p"})
    target = tmp_path / "Downloads"
    target.mkdir()
    (target / AWKWARD).write_text("older")
    (target / "plain").write_text("older plain")
    kept, failed = keep_pending(read_pending(folder), target)
    assert failed == []
    names = {k["name"]: Path(k["kept_as"]).name for k in kept}
    assert names == {AWKWARD: "-Bericht März 2024 (final).1.txt", "sub/b.txt": "b.txt",
                     "plain": "plain.1"}
    assert (target / AWKWARD).read_text() == "older"
    assert (target / "-Bericht März 2024 (final).1.txt").read_text() == "new"
    assert (target / "sub" / "b.txt").read_text() == "b"
    assert not folder.exists()


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's state dir (where reports are kept), private to the test."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state"


def _report(session_id: str, files: list[str]) -> None:
    downloads = {"files": [{"name": n, "bytes": 1} for n in files], "kept_in": None,
                 "discarded": False, "pending_in": "x", "decision": "pending",
                 "skipped_not_regular": ["passwd"]}
    stored = report.Report(id=session_id, profile="generic", backend="namespace", command=(),
                           started=1_699_999_990.0, ended=1_700_000_000.0,
                           exit=report.exit_info(0), wipe=report.wipe_section([], 0),
                           devices={"downloads": downloads})
    assert report.save(stored) == []


def test_keep_records_where_and_tells_the_app(state: Path, tmp_path: Path) -> None:
    root = tmp_path / "pending"
    _held(root, "generic-000001", {"a.txt": "a", "b.txt": "b"})
    _report("generic-000001", ["a.txt", "b.txt"])
    told: list[tuple[str, DownloadsDecided]] = []
    held = HeldDownloads(root, lambda sid, decision: told.append((sid, decision)))
    [waiting] = held.waiting()
    assert waiting.profile == "generic" and waiting.skipped == ("passwd",)
    assert waiting.ended == 1_700_000_000.0
    target = tmp_path / "keep"
    target.mkdir()
    with pytest.raises(UsageError, match="no such folder"):
        held.keep("generic-000001", str(tmp_path / "missing"))
    with pytest.raises(UsageError, match="where they wait now"):
        held.keep("generic-000001", str(root / "generic-000001"))
    decision = held.keep("generic-000001", str(target))
    assert decision["action"] == "kept"
    assert told == [("generic-000001", DownloadsDecided.from_dict(decision))]
    assert told[0][1].target == str(target) and told[0][1].to_dict()["type"] == "downloads"
    assert (target / "a.txt").read_text() == "a" and held.waiting() == []
    stored = json.loads((paths.reports_dir() / "generic-000001.json").read_text())
    downloads = stored["devices"]["downloads"]
    assert downloads["decision"] == "kept" and downloads["kept_in"] == str(target)
    assert downloads["pending_in"] is None
    assert [f["kept_as"] for f in downloads["files"]] == [str(target / "a.txt"),
                                                          str(target / "b.txt")]
    with pytest.raises(UsageError, match="no longer waiting"):
        held.discard("generic-000001")


def test_a_file_that_cannot_be_kept_stays_waiting(state: Path, tmp_path: Path) -> None:
    root = tmp_path / "pending"
    _held(root, "generic-000002", {"a.txt": "a", "sub/b.txt": "b"})
    _report("generic-000002", ["a.txt", "sub/b.txt"])
    target = tmp_path / "keep"
    target.mkdir()
    (target / "sub").write_text("a file where the folder would go")
    held = HeldDownloads(root)
    with pytest.raises(LauncherError, match="1 file of 2 could not be kept") as caught:
        held.keep("generic-000002", str(target))
    assert "sub/b.txt" in caught.value.details and "still waits" in caught.value.hint
    [left] = held.waiting()
    assert left.files == (PendingFile("sub/b.txt", 1),)
    downloads = json.loads((paths.reports_dir() / "generic-000002.json").read_text())[
        "devices"]["downloads"]
    assert downloads["decision"] == "pending" and downloads["not_kept"][0]["name"] == (
        "sub/b.txt")
    held.discard("generic-000002")
    assert held.waiting() == [] and not (root / "generic-000002").exists()
    downloads = json.loads((paths.reports_dir() / "generic-000002.json").read_text())[
        "devices"]["downloads"]
    assert downloads["decision"] == "discarded" and downloads["discarded"] is True


def test_apply_decision_is_pure() -> None:
    section = {"files": [{"name": "a", "bytes": 1}, {"name": "b", "bytes": 2}],
               "decision": "pending", "pending_in": "/p"}
    kept = apply_decision(section, {"action": "kept", "target": "/t", "at": 5.0,
                                    "kept": [{"name": "a", "kept_as": "/t/a"}],
                                    "failed": [{"name": "b", "error": "No space"}]})
    assert section["files"] == [{"name": "a", "bytes": 1}, {"name": "b", "bytes": 2}]
    assert kept["decision"] == "pending" and kept["files"][0]["kept_as"] == "/t/a"
    assert "kept_as" not in kept["files"][1] and kept["not_kept"][0]["name"] == "b"
    gone = apply_decision(kept, {"action": "discarded", "at": 6.0})
    assert gone["decision"] == "discarded" and gone["pending_in"] is None
    assert gone["decided"] == 6.0
