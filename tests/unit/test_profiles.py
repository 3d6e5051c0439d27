"""Loading built-in and user profiles; broken files are refused, not launched."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox_launcher.core.errors import ProfileError, ProfileNotFound
from sandbox_launcher.core.profile import load_profiles

BUILTIN = {"zoom", "teams-web", "webex-web", "jitsi-web", "generic", "bigbluebutton-web",
           "nextcloud-talk-web", "web-meeting"}


def test_builtins_load_and_validate(tmp_path: Path) -> None:
    found = load_profiles(tmp_path)
    assert set(found.profiles) == BUILTIN
    assert found.broken == []
    zoom = found.get("zoom")
    assert zoom.builtin and zoom["network.mode"] == "allowlist"
    assert zoom["network.ports"] == ["tcp/80", "tcp/443", "tcp/8801-8802", "udp/3478-3479",
                                     "udp/8801-8810"]
    assert found.get("generic")["command"] == []


def test_user_file_changes_only_its_keys(tmp_path: Path) -> None:
    (tmp_path / "zoom.toml").write_text('[sandbox]\nhome_size = "3G"\n')
    zoom = load_profiles(tmp_path).get("zoom")
    assert zoom["sandbox.home_size"] == "3G"
    assert zoom["network.mode"] == "allowlist"  # kept from the built-in
    assert zoom.builtin and len(zoom.sources) == 2


def test_user_file_adds_a_profile(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text('title = "Mine"\ncommand = ["/bin/true"]\n')
    mine = load_profiles(tmp_path).get("mine")
    assert not mine.builtin and mine.title == "Mine" and mine["backend"] == "namespace"


def test_broken_toml_is_refused_with_line(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('title = "x"\ncommand = [\n')
    found = load_profiles(tmp_path)
    assert "bad" not in found.profiles
    with pytest.raises(ProfileError) as info:
        found.get("bad")
    assert info.value.path.endswith("bad.toml") and info.value.line is not None
    assert "not valid TOML" in info.value.summary


def test_broken_override_of_builtin_is_not_silently_ignored(tmp_path: Path) -> None:
    (tmp_path / "zoom.toml").write_text("nested = 1\n")
    with pytest.raises(ProfileError, match="unknown key 'nested'"):
        load_profiles(tmp_path).get("zoom")


def test_bad_file_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Bad Name.toml").write_text("")
    found = load_profiles(tmp_path)
    assert any("name that is not allowed" in e.summary for e in found.broken)


def test_unknown_profile_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ProfileNotFound) as info:
        load_profiles(tmp_path).get("skype")
    assert "zoom" in info.value.hint
