"""The system policy file: validated, fail-closed, never widened."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox_launcher.core.errors import ProfileError
from sandbox_launcher.core.policy import load_policy


def test_missing_file_is_an_empty_policy(tmp_path: Path) -> None:
    policy = load_policy(tmp_path / "none.toml")
    assert policy.deny_countries == () and policy.source == ""


def test_valid_policy(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[network]\ndeny_countries = ["KP", "IR"]\n'
                    'country_overrides = { "203.0.113.0/24" = "KP" }\n')
    policy = load_policy(path)
    assert policy.deny_countries == ("KP", "IR")
    assert policy.to_dict()["country_overrides"] == {"203.0.113.0/24": "KP"}


@pytest.mark.parametrize(("text", "key", "line"), [
    ('[network]\ndeny_countries = ["ZZ"]\n', "network.deny_countries", 2),
    ('[network]\n\ncountry_overrides = { "203.0.113.1/24" = "KP" }\n',
     "network.country_overrides", 3),
    ('[network]\nallow = ["DE"]\n', "network.allow", 2),
    ('[camera]\nx = 1\n', "camera", 1),
])
def test_broken_policy_names_key_and_line(tmp_path: Path, text: str, key: str,
                                          line: int) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(ProfileError) as info:
        load_policy(path)
    assert (info.value.key, info.value.line) == (key, line)
