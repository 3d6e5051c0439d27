"""The CLI path must stay light: no Qt, and clear usage errors."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from sandbox_launcher.cli.main import main


def test_cli_does_not_import_qt() -> None:
    code = ("import sys, sandbox_launcher.cli.main, sandbox_launcher.cli.commands;"
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'psutil',"
            " 'keyring', 'libvirt'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_dash_dash_only_for_run() -> None:
    err = io.StringIO()
    try:
        main(["profiles", "--", "x"], io.StringIO(), err)
    except SystemExit as exc:
        assert exc.code == 2
    else:
        raise AssertionError("'profiles -- x' was accepted")


def test_open_refuses_a_hostile_link_and_shows_it() -> None:
    err = io.StringIO()
    link = "https://zoom.us.attacker.example/j/123456789;$(touch /tmp/x)"
    assert main(["open", link], io.StringIO(), err) == 125
    assert "not a meeting link" in err.getvalue() and "attacker.example" in err.getvalue()


def test_open_routes_a_zoom_link_to_the_zoom_profile(tmp_path: object,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # an empty client store
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    err = io.StringIO()
    assert main(["open", "zoommtg://zoom.us/join?confno=123456789&pwd=abc"],
                io.StringIO(), err) == 125
    assert "in the zoom profile" in err.getvalue()
    assert "Zoom is not installed" in err.getvalue()
