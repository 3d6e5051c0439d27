"""The one profile schema: field metadata that validates TOML and drives forms and docs.

Each :class:`Field` says what a key means, its type, default and allowed values.
``validate()`` turns a parsed TOML document into flat ``{"section.key": value}``
with defaults filled in, refusing unknown keys and wrong types with the file,
line and key named. The machinery (``fields.py``) is shared with the system policy,
whose locks are derived from these fields (``policy_schema.py``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from .checks import check_country_code, check_display_size, check_talk_name
from .fields import Field, Schema, check_size, locate_keys, parse_size
from .seccomp_policy import DENIED_SYSCALLS

__all__ = ["FIELDS", "FIELDS_BY_KEY", "NAME_RE", "PROFILE", "SECTIONS", "VENDORS", "Field",
           "check_cidr", "check_domain_pattern", "check_port_rule", "check_value",
           "defaults", "locate_keys", "parse_size", "validate"]


#: A profile's name (its file name without .toml).
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN_RE = re.compile(rf"^(\*\.)?{_LABEL}(\.{_LABEL})+$")


def check_domain_pattern(value: Any) -> str | None:
    """``zoom.us`` or ``*.zoom.us``: lower-case ASCII labels, one leading wildcard at most."""
    if not isinstance(value, str) or not _DOMAIN_RE.match(value):
        return f"{value!r} is not a domain pattern such as zoom.us or *.zoom.us"
    return None


def check_cidr(value: Any) -> str | None:
    """An IPv4 or IPv6 network in CIDR notation with no host bits set."""
    try:
        ipaddress.ip_network(str(value), strict=True)
    except ValueError as exc:
        return f"{value!r} is not a network such as 203.0.113.0/24 ({exc})"
    return None


_PORT_RE = re.compile(r"^(tcp|udp)/(\d{1,5})(?:-(\d{1,5}))?$")


def check_port_rule(value: Any) -> str | None:
    """``tcp/443`` or ``udp/8801-8810``."""
    match = _PORT_RE.match(str(value))
    if not match:
        return f"{value!r} is not a port rule such as tcp/443 or udp/8801-8810"
    low = int(match.group(2))
    high = int(match.group(3) or low)
    if not 1 <= low <= high <= 65535:
        return f"{value!r}: ports must be 1 … 65535, low before high"
    return None


#: Where each vendor publishes its address list (data for ``network.vendor_ranges``; the
#: fetching lives in netjail.ranges, whose HTTP client would slow every launch). Zoom's
#: support article "Zoom network firewall or proxy server settings" links this file;
#: ZoomMeetings.txt there carries the same list.
VENDOR_SOURCES: dict[str, str] = {
    "zoom": "https://assets.zoom.us/docs/ipranges/Zoom.txt",
}
#: The vendor names, as ``network.vendor_ranges`` and ``ranges refresh`` accept them.
VENDORS = tuple(VENDOR_SOURCES)


def _check_vendor(value: Any) -> str | None:
    if value not in VENDORS:
        return f"{value!r} is not a vendor with a published address list ({', '.join(VENDORS)})"
    return None


def _check_syscall(value: Any) -> str | None:
    if value not in DENIED_SYSCALLS:
        return f"{value!r} is not a system call the filter denies ({', '.join(DENIED_SYSCALLS)})"
    return None


_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Variables that hand the client a host resource; only the device grants may set them.
RESERVED_ENV = frozenset({
    "DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS",
    "SSH_AUTH_SOCK", "GNUPGHOME", "PULSE_SERVER", "XDG_RUNTIME_DIR", "HOME",
    "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT",
})


def _check_env_name(value: Any) -> str | None:
    if not isinstance(value, str) or not _ENV_NAME_RE.match(value):
        return f"{value!r} is not an environment variable name"
    if value in RESERVED_ENV:
        return f"{value} hands the client a host resource and cannot be set by a profile"
    return None


def _check_env_map(value: Any) -> str | None:
    for name, text in value.items():
        problem = _check_env_name(name)
        if problem:
            return problem
        if "\0" in text:
            return f"the value of {name} contains a NUL byte"
    return None


_HOME_PATH_RE = re.compile(r"^(?!/)(?!(.*/)?\.\.?(/|$))[A-Za-z0-9._/-]{1,200}$")


def _check_home_files(value: Any) -> str | None:
    for path, text in value.items():
        if not _HOME_PATH_RE.match(path) or "//" in path or path.endswith("/"):
            return f"{path!r} is not a file path below the home such as .config/zoomus.conf"
        if "\0" in text or len(text) > 65536:
            return f"the content of {path} has a NUL byte or is larger than 64 KiB"
    return None


def _check_signin_path(value: Any) -> str | None:
    if (not isinstance(value, str) or not _HOME_PATH_RE.match(value) or "//" in value
            or value.endswith("/")):
        return f"{value!r} is not a path below the home such as .zoom/data"
    return None


def _check_command(value: Any) -> str | None:
    if value and not value[0]:
        return "the program (first item) is empty"
    return None


FIELDS: tuple[Field, ...] = (
    Field("title", "str", "", "Title", "Name shown in the app; the file name when empty."),
    Field("description", "str", "", "Description", "One line on what this profile runs."),
    Field("client", "str", "none", "Client",
          "Which client the profile runs: a vendor's (zoom), a browser (browser, chromium, "
          "firefox) or none for a command."),
    Field("command", "str_list", [], "Command",
          "Program and arguments started inside the sandbox; empty means the client's own.",
          check=_check_command, launch_option="command"),
    Field("backend", "choice", "namespace", "Backend",
          "namespace: bubblewrap on this kernel; vm: a disposable virtual machine.",
          choices=("namespace", "vm"), launch_option="backend"),
    Field("sandbox.home_size", "size", "1G", "Home size",
          "Size limit of the throwaway home; writes past it fail with 'no space left'.",
          check=check_size),
    Field("sandbox.tmp_size", "size", "512M", "/tmp size",
          "Size limit of the throwaway /tmp (also /var/tmp).", check=check_size),
    Field("sandbox.shm_size", "size", "256M", "/dev/shm size",
          "Size limit of shared memory (/dev/shm).", check=check_size),
    Field("sandbox.nested_userns", "bool", False, "Nested user namespaces",
          "Let the client create user namespaces of its own (the sandboxes of Chromium, CEF "
          "and Firefox need this); off, it cannot."),
    Field("sandbox.seccomp_allow", "str_list", [], "Allowed system calls",
          "System calls to take off the deny list for this client.",
          item_check=_check_syscall),
    Field("sandbox.env", "str_map", {}, "Environment",
          "Extra environment variables set inside the sandbox.", check=_check_env_map),
    Field("sandbox.pass_env", "str_list", [], "Host variables passed",
          "Names of host environment variables passed through unchanged.",
          item_check=_check_env_name),
    Field("network.mode", "choice", "none", "Network",
          "allowlist: only the vendor's servers below; none: loopback only.",
          choices=("allowlist", "none"), launch_option="network"),
    Field("network.domains", "str_list", [], "Allowed domains",
          "Names that resolve and may be reached (zoom.us, *.zoom.us).",
          item_check=check_domain_pattern),
    Field("network.cidrs", "str_list", [], "Allowed networks",
          "Address ranges reached by IP without a name (media servers).",
          item_check=check_cidr),
    Field("network.ports", "str_list", ["tcp/443"], "Allowed ports",
          "Destination ports, such as tcp/443 or udp/8801-8810.",
          item_check=check_port_rule),
    Field("network.vendor_ranges", "str_list", [], "Vendor address lists",
          "Published address lists of the vendor to allow by IP (zoom), kept as dated data.",
          item_check=_check_vendor),
    Field("network.allow_countries", "str_list", [], "Allowed countries",
          "When set, only servers registered in these countries (ISO codes such as DE) "
          "may be reached.", item_check=check_country_code),
    Field("network.deny_countries", "str_list", [], "Denied countries",
          "Servers registered in these countries are blocked even under an allowed name.",
          item_check=check_country_code),
    Field("devices.display", "choice", "isolated", "Display",
          "isolated: on Wayland the compositor's socket alone, else the client's own nested "
          "X server in a window; either way it sees only its own windows; none: no display; "
          "insecure_host_x11: the host X server, where the client can read the screen and "
          "every keystroke (the system policy may forbid it).",
          choices=("isolated", "none", "insecure_host_x11")),
    Field("devices.display_size", "str", "1280x800", "Window size",
          "Size of the isolated display's window (WIDTHxHEIGHT).", check=check_display_size),
    Field("devices.speakers", "bool", True, "Speakers",
          "Whether the client's sound reaches the host's speakers (through a sound server "
          "of the session's own; the microphone is separate, off unless switched on)."),
    Field("devices.dbus_talk", "str_list", [], "Session-bus services",
          "Services the client may call on the session bus, through a filtering proxy "
          "(org.freedesktop.Notifications); never password stores nor the whole bus.",
          item_check=check_talk_name),
    Field("sandbox.home_files", "str_map", {}, "Seeded home files",
          "Files written into the throwaway home before the client starts, path below the "
          "home = content (Zoom's .config/zoomus.conf settings).", check=_check_home_files),
    Field("remember_signin", "bool", False, "Remember sign-in",
          "Keep the client's sign-in between sessions: the sign-in paths are saved "
          "encrypted at the end of a session (key in your desktop's keyring) and put back "
          "into the next fresh home; off, every session starts signed out."),
    Field("signin_paths", "str_list", [], "Sign-in paths",
          "Files and folders below the home that hold the client's sign-in (Zoom: "
          ".zoom/data, .config/zoomus.conf); never caches or logs.",
          item_check=_check_signin_path),
    Field("web.url", "str", "", "Meeting page",
          "The page a browser client opens when no link is given (empty: a link is needed)."),
    Field("web.any_host", "bool", False, "Any meeting host",
          "Accept a link to any https:// host and allow that host (self-hosted Jitsi, "
          "BigBlueButton, Nextcloud Talk); off, the link's host must be an allowed domain."),
    Field("web.browser", "choice", "auto", "Browser",
          "Which of the host's browsers runs the meeting (client = \"browser\"): chromium, "
          "firefox (Debian's firefox-esr), or auto: Chromium if installed, else Firefox.",
          choices=("auto", "chromium", "firefox")),
    Field("web.browser_args", "str_list", [], "Browser arguments",
          "Extra arguments for the browser, after the launcher's own (fresh profile, no "
          "background networking, app mode)."),
)

#: A profile key ``remember_signin`` (keep the client's sign-in between sessions) is
#: being added beside the vault; once it is in FIELDS the system policy can lock it
#: (``[lock] remember_signin = false``) and the app shows that lock, with no change to
#: the policy code: every field here is lockable.

PROFILE = Schema(FIELDS, what="profile")
FIELDS_BY_KEY: dict[str, Field] = PROFILE.by_key
SECTIONS = PROFILE.sections


def check_value(key: str, value: Any) -> str | None:
    """Why *value* is not acceptable for *key*, or None: one field, as an editor checks it."""
    return PROFILE.check_value(key, value)


def validate(doc: Mapping[str, Any], *, path: str, text: str) -> dict[str, Any]:
    """Check *doc* against :data:`FIELDS`; return only the keys it sets, flattened.

    Raises :class:`ProfileError` naming file, line and key on the first problem.
    """
    return PROFILE.validate(doc, path=path, text=text)


def defaults() -> dict[str, Any]:
    """Every key with its default value (copies, safe to mutate)."""
    return PROFILE.defaults()
