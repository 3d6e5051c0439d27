"""The .rpm spec, built with rpmbuild (Debian's ``rpm`` package) and inspected.

It cannot be installed here (no Fedora root and no RPM database of the host's
packages), so this checks what the spec puts into the package: the same files as the
.deb, a private environment free of build paths, and requirements a Fedora system can
meet — none of the private Qt's own libraries or its optional plugins' (Oracle,
Firebird...), and the interpreter ABI the environment was made for.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from deb_root import build_rpm, prebuild_packages, prune

pytestmark = [pytest.mark.integration, pytest.mark.needs_root,
              pytest.mark.timeout(900)]  # builds the package: about 90 s on 2 cores


@pytest.fixture(scope="module")
def rpm() -> Path:
    """The package for this source."""
    prebuild_packages()
    made = build_rpm()
    prune(made.parent)
    return made


def _query(rpm: Path, *what: str) -> list[str]:
    done = subprocess.run(["rpm", "-qp", *what, str(rpm)], capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout.splitlines()


def test_rpm_holds_the_same_files_as_the_deb(rpm: Path) -> None:
    files = set(_query(rpm, "-l"))
    for path in ("/usr/bin/sandbox-launcher",
                 "/usr/lib/sandbox-launcher/bin/python3",
                 "/usr/lib/sandbox-launcher/bin/sandbox-launcher",
                 "/usr/share/applications/sandbox-launcher.desktop",
                 "/usr/share/icons/hicolor/scalable/apps/sandbox-launcher.svg",
                 "/usr/share/metainfo/io.github.sandbox_launcher.SandboxLauncher.metainfo.xml",
                 "/usr/share/bash-completion/completions/sandbox-launcher",
                 "/usr/share/zsh/site-functions/_sandbox-launcher",
                 "/usr/share/fish/vendor_completions.d/sandbox-launcher.fish",
                 "/usr/share/sandbox-launcher/apparmor/sandbox-launcher",
                 "/var/lib/sandbox-launcher"):
        assert path in files, path
    assert any(re.fullmatch(r"/usr/share/man/man1/sandbox-launcher\.1(\.gz)?", f) for f in files)
    assert not any(f.startswith("/usr/lib/.build-id") for f in files)


def test_rpm_requires_only_what_fedora_has(rpm: Path) -> None:
    requires = _query(rpm, "-R")
    assert "bubblewrap >= 0.8.0" in requires and "passt" in requires
    assert any(re.fullmatch(r"python\(abi\) = 3\.\d+", r) for r in requires), requires
    private = [r for r in requires if re.match(r"lib(Qt6|pyside6|shiboken6|clntsh|fbclient)", r)]
    assert private == [], private
    provides = _query(rpm, "--provides")
    assert not any(p.startswith("libQt6") for p in provides), provides


def test_rpm_environment_has_no_build_paths(rpm: Path, tmp_path: Path) -> None:
    cpio = subprocess.run(["rpm2cpio", str(rpm)], capture_output=True, timeout=300,
                          check=True).stdout
    subprocess.run(["cpio", "-idm", "--quiet", "./usr/lib/sandbox-launcher/pyvenv.cfg",
                    "./usr/lib/sandbox-launcher/bin/sandbox-launcher"], input=cpio,
                   cwd=tmp_path, timeout=300, check=True)
    cfg = (tmp_path / "usr/lib/sandbox-launcher/pyvenv.cfg").read_text(encoding="utf-8")
    assert "BUILDROOT" not in cfg and "sandbox-launcher-rpm." not in cfg, cfg
    script = (tmp_path / "usr/lib/sandbox-launcher/bin/sandbox-launcher").read_text(
        encoding="utf-8")
    assert script.startswith("#!/usr/lib/sandbox-launcher/bin/python3\n")
