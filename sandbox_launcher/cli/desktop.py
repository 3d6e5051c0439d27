"""``sandbox-launcher desktop install|remove``: the menu entry, its icon, the link handler.

``install`` writes ``sandbox-launcher.desktop`` to ``$XDG_DATA_HOME/applications`` (with
``Exec`` pointing at this installation) and the icon to the hicolor theme, then, when
they are there, runs ``update-desktop-database`` and ``xdg-mime default`` so that
``zoommtg:``, ``zoomus:``, ``msteams:`` and ``webex:`` links open in the launcher,
which checks them with its strict parser before any client sees them.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import TextIO

from ..core import proc
from ..core.errors import LauncherError, UsageError
from ..host.autostart import launcher_command

DESKTOP_ID = "sandbox-launcher.desktop"
ICON_NAME = "sandbox-launcher.svg"
SCHEMES = ("zoommtg", "zoomus", "msteams", "webex")
_PLAIN_ARG = re.compile(r"^[A-Za-z0-9/._+,=@-]+$")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``desktop install|remove``."""
    desktop = sub.add_parser("desktop", help="install the menu entry and the meeting-link "
                                             "handler for this user")
    desktop.add_argument("action", choices=("install", "remove"))


def resource(*parts: str) -> Path:
    """A file shipped in ``sandbox_launcher/resources``."""
    return Path(str(resources.files("sandbox_launcher").joinpath("resources", *parts)))


def data_home() -> Path:
    """``$XDG_DATA_HOME`` (``~/.local/share``)."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def exec_quote(arg: str) -> str:
    """*arg* for an ``Exec`` key (Desktop Entry Specification, "The Exec key")."""
    if "\n" in arg or "\r" in arg:
        raise UsageError(f"cannot put {arg!r} into a desktop entry (it holds a newline)",
                         "install the launcher under a path without newlines")
    if _PLAIN_ARG.match(arg):
        return arg
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    # then the general escaping of string values (backslashes double) and field codes
    return f'"{inner}"'.replace("\\", "\\\\").replace("%", "%%")


def entry_text(command: list[str]) -> str:
    """The shipped entry with ``Exec`` starting *command* (this installation's launcher)."""
    text = resource("desktop", DESKTOP_ID).read_text(encoding="utf-8")
    start = " ".join(exec_quote(a) for a in command)
    return re.sub(r"^Exec=sandbox-launcher\b", lambda _m: f"Exec={start}", text,
                  flags=re.MULTILINE)


def _write(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(data, encoding="utf-8")
    tmp.replace(path)


def _tool(argv: list[str], out: TextIO) -> bool:
    """Run a desktop tool if it is installed; say so when it is not or it fails."""
    if shutil.which(argv[0]) is None:
        print(f"note: {argv[0]} is not installed (package "
              f"{proc.PACKAGES.get(argv[0], argv[0])}); skipped", file=out)
        return True
    try:
        proc.run(argv, timeout=30)
    except LauncherError as exc:
        print(f"warning: {exc.summary}\n  {exc.details or ''}".rstrip(), file=out)
        return False
    return True


def install(out: TextIO) -> int:
    """Write the entry and the icon, register the link handler; 1 if a tool failed."""
    apps = data_home() / "applications"
    entry = apps / DESKTOP_ID
    icon = data_home() / "icons" / "hicolor" / "scalable" / "apps" / ICON_NAME
    _write(entry, entry_text(launcher_command()))
    _write(icon, resource("icons", ICON_NAME).read_text(encoding="utf-8"))
    print(f"wrote {entry}\nwrote {icon}", file=out)
    ok = _tool(["update-desktop-database", str(apps)], out)
    ok = _tool(["xdg-mime", "default", DESKTOP_ID,
                *(f"x-scheme-handler/{s}" for s in SCHEMES)], out) and ok
    if ok:
        print("meeting links (" + ", ".join(f"{s}:" for s in SCHEMES) + ") now open in "
              "sandbox-launcher", file=out)
    return 0 if ok else 1


def remove(out: TextIO) -> int:
    """Remove the entry and the icon (other programs' link handlers are left alone)."""
    apps = data_home() / "applications"
    for path in (apps / DESKTOP_ID,
                 data_home() / "icons" / "hicolor" / "scalable" / "apps" / ICON_NAME):
        if path.exists():
            path.unlink()
            print(f"removed {path}", file=out)
    return 0 if _tool(["update-desktop-database", str(apps)], out) else 1


def main(args: argparse.Namespace, out: TextIO) -> int:
    """``desktop install|remove``."""
    return install(out) if args.action == "install" else remove(out)
