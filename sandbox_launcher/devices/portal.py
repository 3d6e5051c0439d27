"""Screen sharing on a Wayland desktop: the desktop portal's ScreenCast, and nothing else.

With ``--share-screen`` on a Wayland host (``ScreenGrant.mode == "portal"``) the client's
session bus is the filtering proxy (:mod:`.dbus_proxy`), even when the profile lists no
names, and the proxy lets it reach ``org.freedesktop.portal.Desktop`` only for what a
screen cast needs (:func:`screencast_rules`): the ``ScreenCast`` interface's methods on
the portal object, ``Properties.Get`` there (clients read ``version``; the proxy cannot
tell which interface's property is asked for, and the portal's properties are version
numbers and capability flags), ``Close`` of requests and sessions, and the
``Request.Response`` / ``Session.Closed`` signals. Every other portal interface
(Screenshot, RemoteDesktop, OpenURI, Settings…), introspection and every other name
stay out of reach; ``org.freedesktop.portal.Desktop`` as a ``devices.dbus_talk`` name
is refused outright (:mod:`.checks`), so without the grant nothing of the portal is
reachable. The Secret Service never is.

``OpenPipeWireRemote`` answers with a unix fd: a PipeWire connection the portal made and
restricted to the chosen streams. The proxy forwards fds (it carries the control
messages along with the bytes, as it does for Flatpak apps), so the client needs, and
gets, no PipeWire socket of its own.

Who the portal thinks is asking: the portal identifies its caller by the peer
credentials of the bus connection, and through the proxy those are the proxy's, a host
process without ``/.flatpak-info`` or a snap cgroup. So the client counts as a *host
app* with an empty app id, the same as any unsandboxed program of the user:

- there is no per-app permission to grant or revoke and no app name in the desktop's
  dialog: each new cast is decided by the back-end's picker alone;
- a cast's restore token (``persist_mode`` 2) is stored in the host's permission store
  under that empty app id, outlives the session and, brought back by the client in a
  later session, lets the backend skip its dialog (xdg-desktop-portal 1.16 with
  xdg-desktop-portal-wlr 0.7.0 does, measured). The proxy cannot filter method
  arguments, so :class:`RestoreTokens` deletes every ``screencast`` entry the session
  added when the session ends, and the report says so.

What the picker guarantees is the backend's business, not ours. GNOME's and KDE's
backends show their own dialog for a new cast (not tested here: no GNOME or KDE on the
test machine). xdg-desktop-portal-wlr 0.7.0 runs the chooser its config names
(``chooser_type``); ``none`` shares the configured (or first) output without asking, and
with no chooser configured it tries slurp, wofi and bemenu and, when none is installed,
also shares the *first output without asking* (measured: ``Start`` succeeds with no
dialog). :func:`picker_notes` warns about both before the session starts. A cast shows
only what was picked (an output, or a window where the backend offers windows); the fd
the client gets reaches only those streams.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core import proc
from ..core.check import Check
from ..core.errors import LauncherError

PORTAL_NAME = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"

#: ``--call`` rules on the portal name: ``[METHOD][@PATH]`` as xdg-dbus-proxy reads them
#: (an interface with ``.*`` for all its methods; a path with ``/*`` for its subtree).
SCREENCAST_CALLS = (
    f"org.freedesktop.portal.ScreenCast.*@{PORTAL_PATH}",
    f"org.freedesktop.DBus.Properties.Get@{PORTAL_PATH}",
    f"org.freedesktop.portal.Request.Close@{PORTAL_PATH}/request/*",
    f"org.freedesktop.portal.Session.Close@{PORTAL_PATH}/session/*",
)
#: ``--broadcast`` rules: the answers of the request/response dance and a session's end.
SCREENCAST_BROADCASTS = (
    f"org.freedesktop.portal.Request.Response@{PORTAL_PATH}/request/*",
    f"org.freedesktop.portal.Session.Closed@{PORTAL_PATH}/session/*",
)


def screencast_rules() -> list[str]:
    """The proxy options that open the portal's ScreenCast, and only that."""
    return ([f"--call={PORTAL_NAME}={rule}" for rule in SCREENCAST_CALLS]
            + [f"--broadcast={PORTAL_NAME}={rule}" for rule in SCREENCAST_BROADCASTS])


def describe_rules() -> dict[str, Any]:
    """The report's view of what the portal grant lets through."""
    return {"name": PORTAL_NAME, "calls": list(SCREENCAST_CALLS),
            "signals": list(SCREENCAST_BROADCASTS)}


# ----------------------------------------------------------------------- the picker

#: Desktops whose portal back-end is xdg-desktop-portal-wlr (its ``wlr.portal`` UseIn).
WLR_DESKTOPS = frozenset({"wlroots", "sway", "wayfire", "river", "phosh", "hyprland"})
#: What xdg-desktop-portal-wlr tries, in order, when its config names no chooser.
WLR_CHOOSERS = ("slurp", "wofi", "bemenu")


def _wlr_config(host: Mapping[str, str], desktop: str) -> configparser.ConfigParser | None:
    """The xdg-desktop-portal-wlr config it would read, first found wins (as it does)."""
    home = host.get("XDG_CONFIG_HOME") or os.path.join(host.get("HOME", "/"), ".config")
    dirs = [home, *(host.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(":")]
    for base in dirs:
        for name in (desktop, "config"):
            path = os.path.join(base, "xdg-desktop-portal-wlr", name)
            if name and os.path.isfile(path):
                parser = configparser.ConfigParser(strict=False, interpolation=None)
                try:
                    parser.read(path, encoding="utf-8")
                except (configparser.Error, OSError, UnicodeDecodeError):
                    return None
                return parser
    return None


def picker_notes(host: Mapping[str, str]) -> list[str]:
    """Notes for the user when the desktop's portal may share a screen without asking."""
    desktops = [d for d in host.get("XDG_CURRENT_DESKTOP", "").split(":") if d]
    wlr = next((d for d in desktops if d.lower() in WLR_DESKTOPS), None)
    if wlr is None:
        return []
    config = _wlr_config(host, wlr)
    section = config["screencast"] if config is not None and \
        config.has_section("screencast") else {}
    chooser = section.get("chooser_type", "default").strip().lower()
    if chooser == "none":
        output = section.get("output_name", "").strip() or "the first output"
        return [f"your xdg-desktop-portal-wlr config has chooser_type=none: the portal "
                f"shares {output} without asking which; a chooser (chooser_type=simple "
                "with slurp) lets you pick"]
    if chooser == "default" and not any(shutil.which(program, path=host.get("PATH"))
                                        for program in WLR_CHOOSERS):
        return ["xdg-desktop-portal-wlr finds none of its pickers (slurp, wofi, bemenu) and "
                "then shares the first output without asking: sudo apt-get install slurp"]
    return []


# --------------------------------------------------------------------- restore tokens

STORE_NAME = "org.freedesktop.impl.portal.PermissionStore"
STORE_PATH = "/org/freedesktop/impl/portal/PermissionStore"
TABLE = "screencast"
#: The bus's answer when no permission store runs or can be started.
NO_STORE = "org.freedesktop.DBus.Error.ServiceUnknown"
_STRING_RE = re.compile(r'^\s*string "([^"]*)"\s*$', re.MULTILINE)


def parse_strings(reply: str) -> list[str]:
    """Every ``string "…"`` of a ``dbus-send --print-reply`` answer, in order."""
    return _STRING_RE.findall(reply)


def _store(address: str, method: str, *args: str) -> str:
    dbus_send = proc.which("dbus-send", "to remove the screen cast's restore tokens")
    argv = [dbus_send, f"--bus={address}", "--print-reply", "--reply-timeout=5000",
            f"--dest={STORE_NAME}", STORE_PATH, f"{STORE_NAME}.{method}", *args]
    return proc.run(argv, timeout=10, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}).stdout


def _why(exc: LauncherError) -> str:
    last = exc.details.strip().splitlines()[-1:] if exc.details else []
    return f"{exc.summary}: {last[0]}" if last else exc.summary


def _list(address: str) -> set[str]:
    """The table's ids; none when the bus has no permission store, nor can start one."""
    try:
        return set(parse_strings(_store(address, "List", f"string:{TABLE}")))
    except LauncherError as exc:
        if NO_STORE in exc.details:
            return set()  # then no portal can keep a token either
        raise


@dataclass
class RestoreTokens:
    """The permission store's ``screencast`` entries before the session, to drop the new.

    ``before`` is None when the store could not be read at the start: then nothing is
    deleted at the end (we cannot tell the session's entries from the user's) and the
    report's check says so.
    """

    address: str
    before: frozenset[str] | None
    problem: str = ""

    @classmethod
    def snapshot(cls, address: str) -> RestoreTokens:
        """Read the table's ids (starts the store on demand, as the portal would)."""
        try:
            return cls(address, frozenset(_list(address)))
        except LauncherError as exc:
            return cls(address, None, _why(exc))

    def remove_new(self) -> Check:
        """Delete the entries the session added; the report's check."""
        name = "screen cast restore tokens removed"
        if self.before is None:
            return Check(name, False, f"the permission store could not be read at the start "
                                      f"({self.problem}); tokens of this session may remain")
        try:
            added = sorted(_list(self.address) - self.before)
            for token in added:
                _store(self.address, "Delete", f"string:{TABLE}", f"string:{token}")
            still = sorted(_list(self.address) & set(added))
        except LauncherError as exc:
            return Check(name, False, _why(exc))
        return Check(name, not still,
                     f"still there: {still}" if still else
                     f"{len(added)} removed" if added else "the session stored none")
