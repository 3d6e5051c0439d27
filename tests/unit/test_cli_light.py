"""The CLI path must stay light: no Qt, and clear usage errors."""

from __future__ import annotations

import io
import subprocess
import sys

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


def test_open_says_not_yet_available() -> None:
    err = io.StringIO()
    assert main(["open", "https://zoom.us/j/1"], io.StringIO(), err) == 2
    assert "not available yet" in err.getvalue() and "what to do" in err.getvalue()
