"""The desktop entry, its icon, ``desktop install`` and bare links on the command line."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sandbox_launcher.cli import desktop
from sandbox_launcher.cli.main import main

SCHEMES = ("zoommtg", "zoomus", "msteams", "webex")


def _validate(path: Path) -> None:
    tool = shutil.which("desktop-file-validate")
    assert tool, "desktop-file-validate is missing: scripts/setup.sh --with-test-tools"
    done = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=30,
                          check=False)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def _keys(text: str, group: str = "Desktop Entry") -> dict[str, str]:
    found: dict[str, str] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("["):
            current = line.strip("[]")
        elif "=" in line and current == group:
            key, _, value = line.partition("=")
            found[key] = value
    return found


def test_shipped_entry_is_valid_and_handles_the_meeting_schemes() -> None:
    path = desktop.resource("desktop", desktop.DESKTOP_ID)
    _validate(path)
    keys = _keys(path.read_text(encoding="utf-8"))
    assert keys["Exec"] == "sandbox-launcher %u"
    assert keys["MimeType"] == "".join(f"x-scheme-handler/{s};" for s in SCHEMES)
    assert keys["Icon"] == "sandbox-launcher"
    assert desktop.resource("icons", "sandbox-launcher.svg").read_text().lstrip().startswith(
        "<?xml")
    action = _keys(path.read_text(encoding="utf-8"), "Desktop Action open-link")
    assert action == {"Name": "Open meeting link", "Exec": "sandbox-launcher --open-link"}


@pytest.mark.parametrize(("arg", "quoted"), [
    ("/usr/bin/sandbox-launcher", "/usr/bin/sandbox-launcher"),
    ("/opt/my apps/sl", '"/opt/my apps/sl"'),
    ('/x/a"b$c`d\\e', '"/x/a\\\\"b\\\\$c\\\\`d\\\\\\\\e"'),
    ("/x/50%", '"/x/50%%"'),
])
def test_exec_quoting_follows_the_specification(arg: str, quoted: str) -> None:
    assert desktop.exec_quote(arg) == quoted


def test_install_writes_a_valid_entry_and_registers_the_schemes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.delenv("XDG_CURRENT_DESKTOP", raising=False)
    out = io.StringIO()
    assert main(["desktop", "install"], out, io.StringIO()) == 0, out.getvalue()
    entry = tmp_path / "xdg_data_home" / "applications" / "sandbox-launcher.desktop"
    icon = (tmp_path / "xdg_data_home" / "icons" / "hicolor" / "scalable" / "apps"
            / "sandbox-launcher.svg")
    assert entry.is_file() and icon.is_file()
    _validate(entry)
    keys = _keys(entry.read_text(encoding="utf-8"))
    program = keys["Exec"].removesuffix(" %u")
    assert os.path.isabs(program) and os.access(program, os.X_OK)  # this installation
    assert shutil.which("xdg-mime"), "xdg-mime is missing (package xdg-utils)"
    for scheme in SCHEMES:
        done = subprocess.run(["xdg-mime", "query", "default", f"x-scheme-handler/{scheme}"],
                              capture_output=True, text=True, timeout=30, check=True)
        assert done.stdout.strip() == "sandbox-launcher.desktop"
    assert (entry.parent / "mimeinfo.cache").is_file()  # update-desktop-database ran
    assert main(["desktop", "remove"], out, io.StringIO()) == 0
    assert not entry.exists() and not icon.exists()


def test_a_bare_link_is_opened_like_open() -> None:
    err = io.StringIO()
    link = "zoommtg://zoom.us/join?confno=123456789&cmd=$(id)"
    assert main([link], io.StringIO(), err) == 125
    assert "not a meeting link" in err.getvalue() and "unknown parameter 'cmd'" in \
        err.getvalue()
