"""Pure parts behind the desktop app: profile writing, autostart entry, end summary."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from sandbox_launcher.core import profile_write, schema
from sandbox_launcher.core.errors import ProfileError
from sandbox_launcher.core.profile import load_profiles
from sandbox_launcher.host import autostart
from sandbox_launcher.session.entries import end_summary


def test_dump_round_trips_every_kind_through_the_schema(tmp_path: Path) -> None:
    values = {"title": 'Quote " and \\ back', "command": ["/bin/sh", "-c", "echo 'x'"],
              "sandbox.nested_userns": True, "sandbox.home_size": "2G",
              "sandbox.env": {"A_B": "line1\nline2"}, "network.mode": "allowlist",
              "network.ports": ["tcp/443"]}
    path = profile_write.save(tmp_path / "mine.toml", values)
    assert schema.validate(tomllib.loads(path.read_text()), path=str(path),
                           text=path.read_text()) == values
    assert load_profiles(tmp_path).get("mine")["sandbox.env"] == {"A_B": "line1\nline2"}


def test_save_refuses_invalid_values_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="not a size"):
        profile_write.save(tmp_path / "bad.toml", {"sandbox.home_size": "lots"})
    assert not any(tmp_path.iterdir())


def test_changed_keys_keeps_only_differences_in_schema_order() -> None:
    base = schema.defaults()
    values = {**base, "network.mode": "allowlist", "title": "T"}
    assert list(profile_write.changed_keys(values, base)) == ["title", "network.mode"]


def test_autostart_entry_starts_in_the_tray(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert not autostart.is_enabled()
    path = autostart.set_enabled(True)
    assert path == tmp_path / "autostart" / "sandbox-launcher.desktop"
    text = path.read_text()
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert "Type=Application" in text and exec_line.endswith(" --tray")
    assert autostart.is_enabled()
    autostart.set_enabled(False)
    assert not path.exists() and not autostart.is_enabled()


def test_end_summary_reads_the_report() -> None:
    report = {"network": {"summary": {"hosts_contacted": 3, "countries": ["DE", "US"],
                                      "blocked": 2}},
              "wipe": {"verified": True}, "exit": {"status": 0}}
    summary = end_summary(report)
    assert (summary.hosts, summary.countries, summary.blocked) == (3, ("DE", "US"), 2)
    assert summary.wipe_verified and summary.exit_status == 0
    assert end_summary({}).hosts == 0 and not end_summary({}).wipe_verified
