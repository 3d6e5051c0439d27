"""verify's verdicts from probe findings (pure logic), its JSON schema and its table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from sandbox_launcher.backends.registry import Registry
from sandbox_launcher.cli.verify import table
from sandbox_launcher.core.policy import SystemFiles
from sandbox_launcher.session.launch import Launcher
from sandbox_launcher.session.verify import ProfileResult, VerifyResult
from sandbox_launcher.session.verify_rows import allowed_row, net_args, network_rows
from sandbox_launcher.session.verify_run import ProbeRun
from sandbox_launcher.verify import bait
from sandbox_launcher.verify.checks import Row, Status, local_rows
from sandbox_launcher.verify.world import concrete_name, records_for

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "verify.schema.json")
                    .read_text())


def attempt(escaped: bool, detail: str = "d") -> dict[str, Any]:
    return {"escaped": escaped, "detail": detail}


def statuses(rows: list[Row]) -> dict[str, str]:
    return {r.name: r.status.value for r in rows}


def test_an_escape_needs_its_control_to_count() -> None:
    control = {"attempts": {"x11_socket": attempt(True), "ssh_agent": attempt(False),
                            "read_canary": attempt(True), "list_home": attempt(True)}}
    confined = {"attempts": {"x11_socket": attempt(False), "ssh_agent": attempt(False),
                             "read_canary": attempt(False), "list_home": attempt(True, "4")}}
    found = statuses(local_rows(confined, control))
    assert found["x11_socket"] == "blocked"
    # Unconfined there was no agent to reach: "blocked" would prove nothing.
    assert found["ssh_agent"] == "not tested"
    # One attempt of a family escaping is enough.
    assert found["user_files"] == "ESCAPED"
    # Never attempted (nothing to aim at) is not "blocked" either.
    assert found["gpg_agent"] == "not tested"


def test_an_escape_counts_even_when_the_control_missed_it() -> None:
    confined = {"attempts": {"ptrace": attempt(True, "seized [7]")}}
    assert statuses(local_rows(confined, {"attempts": {}}))["ptrace"] == "ESCAPED"


def _net(connect: dict[str, str | None], *, knocks: list[str] | None = None,
         label: str = "abc", evil_ok: bool = False) -> ProbeRun:
    return ProbeRun(findings={
        "connect": {t: {"connected": b is not None, "banner": b} for t, b in connect.items()},
        "resolve": {"evil.example": {"ok": evil_ok, "addresses": [], "error": "nx"}},
        "dns_exfil": {"label": label}, "listen": {"accepted": []}},
        knocks=knocks or [])


def test_network_rows_from_banners_knocks_and_the_dns_log() -> None:
    control = _net({"127.0.0.1:8080": "host-loopback-8080", "192.0.2.2:8081":
                    "host-address-8081", "192.168.77.5:80": "lan-80",
                    "198.51.100.66:443": "evil-443", "evil.example:443": "evil-443"},
                   knocks=["127.0.0.1:5 hostile-listener-5"], label="ctl", evil_ok=True)
    jailed = _net({"198.51.100.66:443": "evil-443"}, label="inside")
    events = [{"kind": "dns", "name": "ctl.evil.example"}]
    found = statuses(network_rows(jailed, control, events))
    assert found == {"host_loopback": "blocked", "host_addresses": "blocked", "lan": "blocked",
                     "listener": "blocked", "name_not_allowed": "blocked",
                     "raw_ip": "ESCAPED", "dns_exfiltration": "blocked"}
    leaked = [*events, {"kind": "dns", "name": "inside.evil.example"}]
    assert statuses(network_rows(jailed, control, leaked))["dns_exfiltration"] == "ESCAPED"


def test_the_allowed_name_grant() -> None:
    ok = _net({"zoom.us:443": "vendor-443"})
    assert allowed_row(ok, "zoom.us", "allowlist").status is Status.WORKING
    assert allowed_row(_net({}), "zoom.us", "allowlist").status is Status.BROKEN
    assert allowed_row(ok, None, "allowlist").status is Status.NOT_TESTED
    assert allowed_row(ok, None, "none").status is Status.NOT_TESTED
    assert "zoom.us:443" in net_args("zoom.us", 4000)


def test_fake_dns_names_the_profiles_and_one_forbidden_name() -> None:
    records = records_for(["zoom.us", "*.zoom.us"])
    assert records["*.zoom.us"] == records["zoom.us"] != records["evil.example"]
    assert concrete_name(["*.zoom.us", "zoom.us"]) == "zoom.us"
    assert concrete_name(["*.jit.si"]) == "www.jit.si"
    assert concrete_name([]) is None


def test_result_follows_the_published_schema_and_fails_on_escape() -> None:
    good = ProfileResult("generic", "namespace", "none", [
        Row("x11_socket", "X11", "escape", Status.BLOCKED, "refused"),
        Row("share", "share", "grant", Status.WORKING, "rw")])
    bad = ProfileResult("weak", "namespace", "none", [
        Row("x11_socket", "X11", "escape", Status.ESCAPED, "connected")])
    broken = ProfileResult("broken", "namespace", "none", error="no such profile")
    result = VerifyResult(1.0, [good], ["network not tested: why"])
    jsonschema.validate(result.to_dict(), SCHEMA)
    assert result.failed is False
    for failing in (bad, broken):
        worse = VerifyResult(1.0, [good, failing])
        jsonschema.validate(worse.to_dict(), SCHEMA)
        assert worse.failed is True and worse.to_dict()["passed"] is False
    text = table(VerifyResult(1.0, [good, bad]))
    assert "generic (namespace, network none): passed" in text
    assert "weak (namespace, network none): FAILED" in text and "ESCAPED" in text


def test_socket_locations_from_the_session() -> None:
    assert bait.x11_sockets(":3") == ("/tmp/.X11-unix/X3", "/tmp/.X11-unix/X3")
    assert bait.x11_sockets("remote:0") == ("", "")
    assert bait.dbus_sockets("unix:path=/run/user/5/bus,guid=1", "/run/user/5") == (
        "/run/user/5/bus", "")
    assert bait.dbus_sockets("unix:abstract=/tmp/dbus-X", "") == ("", "/tmp/dbus-X")


def test_cli_a_profile_that_cannot_be_planned_fails_verify(
        tmp_path: Path, monkeypatch: Any) -> None:
    """A backend this launcher does not have is refused per profile, in the JSON, with
    exit status 1 (the policy locks the backend to one that does not exist here)."""
    import io

    from sandbox_launcher.cli.main import main

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    profiles = tmp_path / "config" / "sandbox-launcher" / "profiles"
    profiles.mkdir(parents=True)
    (profiles / "generic.toml").write_text("[network]\nmode = 'none'\n")
    out, err = io.StringIO(), io.StringIO()
    status = main(["verify", "--no-network", "generic", "--json"], out, err,
                  system=SystemFiles(tmp_path / "no-policy.toml", tmp_path / "no-admin"),
                  launcher=Launcher(Registry({}), files=SystemFiles(
                      tmp_path / "no-policy.toml", tmp_path / "no-admin")))
    result = json.loads(out.getvalue())
    jsonschema.validate(result, SCHEMA)
    assert status == 1 and result["passed"] is False
    [profile] = result["profiles"]
    assert profile["profile"] == "generic"
    assert "there is no backend 'namespace'" in profile["error"]
    assert (tmp_path / "state" / "sandbox-launcher" / "verify" / "generic.json").exists()
