"""The command-line equivalents of the app's profile editor and downloads question."""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path

import pytest

from sandbox_launcher.cli.main import main
from sandbox_launcher.core.policy import SystemFiles


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


def _cli(home: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err,
                  system=SystemFiles(home / "no-policy.toml", home / "no-admin"))
    return status, out.getvalue(), err.getvalue()


def test_profiles_are_made_reset_and_deleted_as_the_editor_does(home: Path) -> None:
    mine = home / "config" / "sandbox-launcher" / "profiles" / "mine.toml"
    status, out, _ = _cli(home, "profile", "new", "mine", "--from", "generic")
    assert status == 0 and str(mine) in out
    assert tomllib.loads(mine.read_text())["title"] == "mine"
    listed = json.loads(_cli(home, "profiles", "--json")[1])
    assert "mine" in {p["name"] for p in listed["profiles"]}
    status, _, err = _cli(home, "profile", "new", "mine", "--from", "zoom")
    assert status != 0 and "exists already" in err

    status, _, err = _cli(home, "profile", "delete", "zoom")
    assert status != 0 and "built-in" in err and "profile reset zoom" in err
    status, _, err = _cli(home, "profile", "reset", "zoom")
    assert status != 0 and "no file" in err
    zoom = mine.with_name("zoom.toml")
    zoom.write_text('title = "My Zoom"\n')
    status, out, _ = _cli(home, "profile", "reset", "zoom")
    assert status == 0 and "built-in values" in out and not zoom.exists()

    status, out, _ = _cli(home, "profile", "delete", "mine")
    assert status == 0 and "deleted" in out and not mine.exists()


def test_held_downloads_are_listed_kept_and_discarded(home: Path) -> None:
    root = home / "state" / "sandbox-launcher" / "pending-downloads"
    for session, name in (("zoom-aaaaaa", "slides.pdf"), ("zoom-bbbbbb", "x.bin")):
        (root / session).mkdir(parents=True)
        (root / session / name).write_text(session)
    status, out, _ = _cli(home, "downloads", "list", "--json")
    listed = {item["id"]: item for item in json.loads(out)}
    assert status == 0 and set(listed) == {"zoom-aaaaaa", "zoom-bbbbbb"}
    assert listed["zoom-aaaaaa"]["files"] == [{"name": "slides.pdf", "size": 11}]
    target = home / "kept"
    target.mkdir()
    status, out, _ = _cli(home, "downloads", "keep", "zoom-aaaaaa", "--to", str(target))
    assert status == 0 and (target / "slides.pdf").read_text() == "zoom-aaaaaa"
    status, out, _ = _cli(home, "downloads", "discard", "zoom-bbbbbb")
    assert status == 0 and not (root / "zoom-bbbbbb").exists()
    assert _cli(home, "downloads", "list")[1].strip() == "no downloads wait for a decision"
