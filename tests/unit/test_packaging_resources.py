"""What the packages install (``resources/``), kept true to the code that it describes.

No root, no Qt: the completions are regenerated from the parser and compared, run in
real bash and fish; the man page is built with scdoc and checked to name every command,
option and exit status the code has; versions and paths agree across the packaging.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox_launcher.cli import completion, desktop
from sandbox_launcher.cli.main import EXIT_LAUNCHER_FAILED, EXIT_NOT_FOUND, _parser
from sandbox_launcher.core import errors
from sandbox_launcher.host import apparmor

REPO = Path(__file__).resolve().parents[2]
RESOURCES = REPO / "resources"
MAN_SOURCE = RESOURCES / "man" / "sandbox-launcher.1.scd"


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: scripts/setup.sh --with-test-tools"
    return found


# --- one source for what the package reads at run time -----------------------------


@pytest.mark.parametrize(("parts", "top"), [
    (("desktop", desktop.DESKTOP_ID), "desktop/sandbox-launcher.desktop"),
    (("icons", desktop.ICON_NAME), "icons/sandbox-launcher.svg"),
])
def test_the_packages_runtime_copy_is_the_top_level_file(parts: tuple[str, str],
                                                         top: str) -> None:
    inside = REPO / "sandbox_launcher" / "resources" / Path(*parts)
    # A symlink in the source tree (wheels and the .deb carry the file itself), so the
    # two cannot drift: there is only one file.
    assert inside.is_symlink()
    assert inside.resolve() == (RESOURCES / top).resolve()
    assert desktop.resource(*parts).read_bytes() == (RESOURCES / top).read_bytes()


# --- completions ----------------------------------------------------------------------


def test_committed_completions_are_the_generated_ones() -> None:
    made = completion.scripts()
    for name, text in made.items():
        committed = (RESOURCES / "completions" / name).read_text(encoding="utf-8")
        assert committed == text, (
            f"resources/completions/{name} is stale: run "
            "python -m sandbox_launcher.cli.completion --write resources/completions")


def test_every_command_path_of_the_parser_is_in_the_table() -> None:
    levels = {level.path: level for level in completion.walk(_parser())}
    assert ("client", "install") in levels and ("ranges", "refresh") in levels
    assert levels[("run",)].valued["--backend"] == ["namespace", "vm"]
    assert "--json" in levels[("doctor",)].options


def _bash_complete(line: str) -> list[str]:
    script = RESOURCES / "completions" / "sandbox-launcher"
    program = (f'source "{script}"\n'
               'read -ra COMP_WORDS <<< "$LINE"\n'
               '[[ $LINE == *" " ]] && COMP_WORDS+=("")\n'
               'COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n'
               '_sandbox_launcher\n'
               'printf "%s\\n" "${COMPREPLY[@]}"\n')
    done = subprocess.run([_tool("bash"), "-c", program], capture_output=True, text=True,
                          timeout=30, check=True, env={"LINE": line, "PATH": "/usr/bin:/bin"})
    return done.stdout.split()


@pytest.mark.parametrize(("line", "expected"), [
    ("sandbox-launcher run --ba", {"--backend"}),
    ("sandbox-launcher run zoom --network ", {"allowlist", "none"}),
    ("sandbox-launcher client ", {"install", "update", "list", "remove", "trust"}),
    ("sandbox-launcher client install ", {"zoom"}),
    ("sandbox-launcher desktop ", {"install", "remove"}),
    ("sandbox-launcher doctor --", {"--json"}),
])
def test_bash_completes_from_the_table(line: str, expected: set[str]) -> None:
    assert set(_bash_complete(line)) == expected


def test_bash_offers_every_subcommand_of_the_parser() -> None:
    (root,) = (level for level in completion.walk(_parser()) if not level.path)
    assert set(_bash_complete("sandbox-launcher ")) == set(root.subcommands)
    assert {"run", "open", "doctor", "client", "desktop", "wipe"} <= set(root.subcommands)


def test_bash_offers_no_option_of_another_command() -> None:
    assert "--backend" not in _bash_complete("sandbox-launcher doctor --")
    assert _bash_complete("sandbox-launcher run --no-such") == []


def test_fish_completes_from_its_file() -> None:
    script = RESOURCES / "completions" / "sandbox-launcher.fish"

    def complete(line: str) -> set[str]:
        done = subprocess.run([_tool("fish"), "--no-config", "-c",
                               f"source {script}; complete -C{line!r}"],
                              capture_output=True, text=True, timeout=30, check=True)
        return {row.split("\t")[0] for row in done.stdout.splitlines()}

    assert {"run", "client", "doctor"} <= complete("sandbox-launcher ")
    assert complete("sandbox-launcher run --ba") == {"--backend"}
    assert complete("sandbox-launcher client install ") == {"zoom"}
    assert "install" in complete("sandbox-launcher client ")


def test_zsh_reads_its_file() -> None:
    done = subprocess.run([_tool("zsh"), "-n", str(RESOURCES / "completions" /
                                                   "_sandbox-launcher")],
                          capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr


# --- the man page ------------------------------------------------------------------------


def _man_source() -> str:
    return MAN_SOURCE.read_text(encoding="utf-8")


def test_man_page_names_every_command_and_option() -> None:
    text = _man_source()
    for level in completion.walk(_parser()):
        if level.path:
            command = " ".join(level.path)
            assert re.search(rf"\*{command}[* ]", text), f"command {command}"
        for option in level.options:
            assert re.search(rf"[*\s]{re.escape(option)}\b", text), (
                f"{' '.join(level.path) or 'global'} option {option} is not in "
                f"{MAN_SOURCE.relative_to(REPO)}")


def _exit_codes() -> set[int]:
    codes = {0, 2, EXIT_LAUNCHER_FAILED, EXIT_NOT_FOUND, 130}  # 2: argparse's usage errors
    stack: list[type[errors.LauncherError]] = [errors.LauncherError]
    while stack:
        kind = stack.pop()
        codes.add(kind.exit_code)
        stack.extend(kind.__subclasses__())
    return codes


def test_man_page_documents_every_exit_status_the_code_uses() -> None:
    # Modules whose errors subclass ours, so that __subclasses__ sees them.
    import sandbox_launcher.clients.store
    import sandbox_launcher.netjail.ranges
    import sandbox_launcher.session.clients

    del sandbox_launcher

    section = _man_source().split("# EXIT STATUS", 1)[1].split("\n# ", 1)[0]
    documented = {int(n) for n in re.findall(r"^\*(\d+)\*", section, re.MULTILINE)}
    assert _exit_codes() <= documented, _exit_codes() - documented
    assert "*128*+_N_" in section


def test_man_page_builds_and_renders_without_warnings(tmp_path: Path) -> None:
    page = tmp_path / "sandbox-launcher.1"
    with MAN_SOURCE.open("rb") as source, page.open("wb") as out:
        subprocess.run([_tool("scdoc")], stdin=source, stdout=out, check=True, timeout=30)
    shown = subprocess.run([_tool("man"), "--warnings", "-l", str(page)], capture_output=True,
                           text=True, timeout=60, check=False,
                           env={"PATH": "/usr/bin:/bin", "MANWIDTH": "100", "LANG": "C.UTF-8"})
    assert shown.returncode == 0 and not shown.stderr.strip(), shown.stderr
    assert "EXIT STATUS" in re.sub(".\b", "", shown.stdout)


# --- the AppArmor profile, metainfo, versions ---------------------------------------------


def test_apparmor_profile_is_narrow_and_matches_doctor_and_the_package() -> None:
    text = (RESOURCES / "apparmor" / apparmor.PROFILE_NAME).read_text(encoding="utf-8")
    rules = [line.strip() for line in text.splitlines()
             if line.strip() and not line.strip().startswith("#")]
    header = next(r for r in rules if r.startswith("profile "))
    name, attachment = header.split()[1:3]
    assert name == apparmor.PROFILE_NAME
    assert attachment.startswith(apparmor.PROFILE_COVERS)
    assert "/usr/bin/" not in attachment  # never the system's python3 or bwrap
    body = rules[rules.index(header) + 1:]
    assert body == ["userns,", f"include if exists <local/{apparmor.PROFILE_NAME}>", "}"]
    build_rules = (REPO / "packaging" / "debian" / "rules").read_text(encoding="utf-8")
    assert "PREFIX   := /usr/lib/$(PKG)" in build_rules
    assert apparmor.PROFILE_COVERS == "/usr/lib/sandbox-launcher/bin/python3"


def test_metainfo_validates_and_launches_the_desktop_entry() -> None:
    (metainfo,) = (RESOURCES / "metainfo").glob("*.metainfo.xml")
    done = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", str(metainfo)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    text = metainfo.read_text(encoding="utf-8")
    assert f'<launchable type="desktop-id">{desktop.DESKTOP_ID}</launchable>' in text
    component_id = re.search(r"<id>([^<]+)</id>", text)
    assert component_id is not None and metainfo.name == f"{component_id[1]}.metainfo.xml"


def test_package_versions_follow_pyproject() -> None:
    import tomllib

    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["version"]
    changelog = (REPO / "packaging" / "debian" / "changelog").read_text(encoding="utf-8")
    deb_version = re.match(r"sandbox-launcher \(([^)]+)\)", changelog)
    assert deb_version is not None and deb_version[1].split("-")[0] == version
    spec = (REPO / "packaging" / "rpm" / "sandbox-launcher.spec").read_text(encoding="utf-8")
    assert re.search(rf"^Version:\s+{re.escape(version)}$", spec, re.MULTILINE)


def test_requirements_leave_libvirt_to_the_distribution() -> None:
    done = subprocess.run([sys.executable, str(REPO / "packaging" / "requirements.py"),
                           str(REPO / "pyproject.toml")], capture_output=True, text=True,
                          timeout=30, check=True)
    wanted = done.stdout.split()
    assert any(r.startswith("PySide6-Essentials") for r in wanted)
    assert not any(r.startswith("libvirt-python") for r in wanted)


def test_parser_is_argparse() -> None:
    # completion.walk reads argparse's own tables; a different parser needs a new walk.
    assert isinstance(_parser(), argparse.ArgumentParser)
