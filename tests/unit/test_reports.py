"""The typed, versioned report: round trips, old reports, the published schema, one Check."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from schemas import old_report, problems

from sandbox_launcher.cli import doctor
from sandbox_launcher.core.check import Check, CheckFormatError, all_ok
from sandbox_launcher.core.errors import LauncherError
from sandbox_launcher.core.plan import LaunchPlan, RunOptions
from sandbox_launcher.core.profile import load_profiles
from sandbox_launcher.session import report
from sandbox_launcher.session.planning import make_plan
from sandbox_launcher.session.report import Report, ReportFormatError

OLD = ("generic", "jailed", "stale")
LINK = "https://meet.example.org/room-42?jwt=secret"


# --- Check ---------------------------------------------------------------------------


@pytest.mark.parametrize("check", [
    Check("no file left", True, "/run/x removed"),
    Check("no file left", False, "/run/x still exists"),
    Check("pasta", False, "not installed", "warn", "sudo apt-get install passt",
          "network jail"),
    Check("libseccomp", False, "not installed", "fail", "install it", "namespace backend",
          "ldconfig found nothing"),
])
def test_a_check_round_trips_through_json(check: Check) -> None:
    assert Check.from_dict(json.loads(json.dumps(check.to_dict()))) == check


def test_a_wipe_check_keeps_the_shape_reports_always_had() -> None:
    assert Check("no file left", True, "gone").to_dict() == {
        "name": "no file left", "ok": True, "detail": "gone"}
    # A passed check's severity says nothing and is not written.
    assert "severity" not in Check("x", True, "", "warn").to_dict()


def test_doctor_status_maps_onto_ok_and_severity() -> None:
    assert Check.of_status("a", "ok", "fine").status == "ok"
    warn = Check.of_status("b", "warn", "missing", "install it")
    assert (warn.ok, warn.severity, warn.status) == (False, "warn", "warn")
    assert Check.of_status("c", "fail", "broken").status == "fail"
    assert doctor.from_json_form(doctor.json_form(warn)) == warn


@pytest.mark.parametrize("bad", [
    {}, {"name": "x"}, {"name": "x", "ok": "yes", "detail": ""},
    {"name": 3, "ok": True, "detail": ""}, {"name": "x", "ok": False, "severity": "meh"},
    {"name": "x", "ok": True, "hint": 5}, ["name", "ok"],
])
def test_a_broken_check_is_refused(bad: Any) -> None:
    with pytest.raises(CheckFormatError):
        Check.from_dict(bad)


def test_no_checks_prove_nothing() -> None:
    assert not all_ok([])
    assert all_ok([Check("a", True)]) and not all_ok([Check("a", True), Check("b", False)])


# --- reports written before the typed report ----------------------------------------


@pytest.mark.parametrize("name", OLD)
def test_a_version_1_report_loads_and_keeps_every_field(name: str) -> None:
    raw = old_report(name)
    loaded = Report.from_dict(raw)
    assert loaded.schema_version == 1
    written = loaded.to_dict()
    assert written.pop("schema_version") == report.SCHEMA_VERSION
    assert written == {k: v for k, v in raw.items() if k != "schema"}
    assert problems("report", raw) == []
    assert problems("report", written) == []
    # Written again, it is a version-2 report with the same content.
    assert Report.from_json(loaded.to_json()) == replace(loaded, schema_version=2)


def test_the_old_jailed_report_is_typed_to_its_leaves() -> None:
    loaded = Report.from_dict(old_report("jailed"))
    assert loaded.network is not None and loaded.network.mode == "allowlist"
    assert [q.name for q in loaded.network.dns or ()] == ["zoom.us"] * 2 + ["example.org"] * 2
    assert {q.verdict for q in loaded.network.dns or ()} == {"refused"}
    [blocked] = loaded.network.connections or ()
    assert (blocked.ip, blocked.port, blocked.verdict) == ("192.0.2.1", 443, "blocked")
    assert loaded.network.contacted == ()
    assert loaded.network.summary is not None and loaded.network.summary.blocked == 1
    assert loaded.network.plan["dataset"]["name"].startswith("iptocc")
    assert loaded.verified and all(isinstance(c, Check) for c in loaded.wipe.checks)
    assert loaded.exit.code == 0 and loaded.grants["network"]["mode"] == "allowlist"


def test_the_old_stale_recovery_report_loads_as_one() -> None:
    loaded = Report.from_dict(old_report("stale"))
    assert loaded.recovered_stale and loaded.last_state == "running"
    assert loaded.exit.status is None and loaded.network is None
    assert "durations" not in loaded.to_dict()


def test_a_report_without_any_version_key_is_version_1() -> None:
    raw = old_report("generic")
    del raw["schema"]
    assert Report.from_dict(raw).schema_version == 1
    assert problems("report", raw) == []


@pytest.mark.parametrize(("change", "why"), [
    (lambda r: r.update(schema=99), "unknown report version 99"),
    (lambda r: r.update(schema_version=True), "unknown report version"),
    (lambda r: r.pop("wipe"), "'wipe' is missing"),
    (lambda r: r["wipe"]["checks"][0].update(ok="yes"), "wipe.checks"),
    (lambda r: r["exit"].update(code="0"), "'code' has the wrong type"),
    (lambda r: r["network"].update(mode=None), "'mode' has the wrong type"),
    (lambda r: r.update(started="yesterday"), "'started' has the wrong type"),
])
def test_a_broken_report_is_refused_with_a_reason(change: Any, why: str) -> None:
    raw = old_report("jailed")
    change(raw)
    with pytest.raises(ReportFormatError, match=why):
        Report.from_dict(raw)
    assert problems("report", raw) != []  # the schema refuses it too


def test_not_json_is_a_report_format_error() -> None:
    with pytest.raises(ReportFormatError, match="not JSON"):
        Report.from_json("{")
    with pytest.raises(ReportFormatError, match="JSON object"):
        Report.from_dict([])  # type: ignore[arg-type]


def test_the_schema_refuses_what_no_launcher_writes() -> None:
    raw = old_report("generic")
    for change in (lambda r: r.update(surprise=1), lambda r: r.update(schema_version=2),
                   lambda r: r["wipe"].update(verified="yes"),
                   lambda r: r["network"].update(mode="everything")):
        broken = copy.deepcopy(raw)
        change(broken)
        assert problems("report", broken) != [], broken


def test_save_writes_the_history_and_the_requested_file(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    loaded = Report.from_dict(old_report("generic"))
    assert report.save(loaded, tmp_path / "r.json") == []
    for path in (tmp_path / "r.json",
                 tmp_path / "state" / "sandbox-launcher" / "reports" / f"{loaded.id}.json"):
        assert json.loads(path.read_text())["schema_version"] == report.SCHEMA_VERSION
        assert Report.load(path) == Report.from_dict(json.loads(path.read_text()))
    assert report.save(loaded, tmp_path / "missing-dir" / "file" / "r.json") == []
    (tmp_path / "blocked").write_text("a file, not a folder")
    [problem] = report.save(loaded, tmp_path / "blocked" / "r.json")
    assert "could not write the report" in problem


# --- every built-in profile's report -------------------------------------------------


def builtin_plans() -> dict[str, LaunchPlan]:
    """Each built-in profile's real plan: its own client with a link if it takes one, its
    own client alone, or (generic; zoom without its client installed) a command."""
    plans = {}
    for name, profile in load_profiles(Path("/nonexistent/sandbox-launcher")).profiles.items():
        for options in (RunOptions(join_url=LINK), RunOptions(),
                        RunOptions(command=("/bin/true",))):
            try:
                plans[name] = make_plan(profile, options, {})
                break
            except LauncherError:
                continue
    return plans


def test_every_builtin_profile_has_a_plan() -> None:
    assert set(builtin_plans()) == set(
        load_profiles(Path("/nonexistent/sandbox-launcher")).profiles)


@pytest.mark.parametrize("name", sorted(builtin_plans()))
def test_every_builtin_profiles_report_validates(name: str) -> None:
    plan = builtin_plans()[name]
    jailed = plan.network.mode == "allowlist"
    network = report.NetworkSection.from_dict(old_report("jailed")["network"]) if jailed \
        else None
    built = report.build(
        plan, session_id=f"{name}-0a1b2c", started=1_800_000_000.0, ended=1_800_000_060.5,
        durations={"prepare_s": 0.1, "run_s": 60.0, "wipe_s": 0.4}, status=0, stopped=True,
        error=None,
        network=({**network.to_dict(), **plan.network.to_dict()} if network else {}),
        devices={"helpers": [], "downloads": None, "audio": None, "screen": None,
                 "checks": [Check("device helpers stopped", True, "none were started")]},
        joins={"links": [{"service": "web", "host": "meet.example.org", "at": 1.0,
                          "pid": 7}], "not_listed": 0},
        checks=[Check("no process left", True, "none"),
                Check("device helpers stopped", True, "none were started")], killed=0)
    data = built.to_dict()
    assert problems("report", data) == []
    assert "checks" not in data["devices"] and data["wipe"]["verified"] is True
    assert data["grants"]["network"]["mode"] == plan.network.mode
    assert Report.from_json(built.to_json()) == built
