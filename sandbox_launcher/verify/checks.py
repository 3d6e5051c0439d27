"""What ``verify`` checks, as data, and how a probe's findings become the table's rows.

Every escape row names the probe attempts behind it. A row counts only if the same
attempt *escaped* when the probe ran unconfined (its control, as the same user on the
same machine): a host without an X server cannot show that the sandbox blocks it, so
that row says "not tested" and why, instead of a "blocked" that proves nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The report's version; docs/verify.schema.json describes it.
SCHEMA_VERSION = 1


class Status(enum.Enum):
    """One row's verdict."""

    BLOCKED = "blocked"
    ESCAPED = "ESCAPED"
    WORKING = "working"
    BROKEN = "BROKEN"
    NOT_TESTED = "not tested"

    @property
    def failed(self) -> bool:
        """Whether this row makes ``verify`` fail."""
        return self in (Status.ESCAPED, Status.BROKEN)


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    name: str
    title: str
    kind: str  # "escape" or "grant"
    status: Status
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form (docs/verify.schema.json, ``checks`` items)."""
        return {"name": self.name, "title": self.title, "kind": self.kind,
                "status": self.status.value, "detail": self.detail}


@dataclass(frozen=True)
class EscapeSpec:
    """An escape the local probe tries: the row and the attempts behind it."""

    name: str
    title: str
    attempts: tuple[str, ...]


#: The local escapes (run in the sandbox with the profile's own confinement).
LOCAL_ESCAPES = (
    EscapeSpec("user_files", "your files (a canary in your home, your home's listing)",
               ("read_canary", "list_home")),
    EscapeSpec("host_processes", "host processes (see one by pid or command line)",
               ("host_pid", "host_marker")),
    EscapeSpec("x11_socket", "host X11 server, socket file", ("x11_socket",)),
    EscapeSpec("x11_abstract", "host X11 server, abstract socket", ("x11_abstract",)),
    EscapeSpec("session_bus", "session D-Bus (and the secrets service on it)",
               ("dbus_session", "dbus_abstract", "dbus_system")),
    EscapeSpec("ssh_agent", "ssh-agent socket", ("ssh_agent",)),
    EscapeSpec("gpg_agent", "gpg-agent socket", ("gpg_agent",)),
    EscapeSpec("other_sockets", "any other socket in /tmp, /run or abstract",
               ("socket_scan",)),
    EscapeSpec("tiocsti", "typing into your terminal (TIOCSTI)", ("tiocsti",)),
    EscapeSpec("ptrace", "ptrace of a host process", ("ptrace",)),
    EscapeSpec("descriptors", "descriptors leaked by the launcher or a helper",
               ("inherited_fds", "foreign_fds")),
    EscapeSpec("environment", "a secret in your session's environment", ("env_secret",)),
    EscapeSpec("machine_ids", "machine identifiers (MACs, machine-id, boot_id, hostname)",
               ("host_macs", "machine_id", "boot_id", "hostname")),
    EscapeSpec("dmi", "DMI serials and model", ("dmi",)),
    EscapeSpec("devices", "devices not granted", ("devices",)),
)

#: The network escapes (run in the fake internet): row name, title.
NETWORK_ESCAPES = (
    ("host_loopback", "host loopback (a server on your 127.0.0.1)"),
    ("host_addresses", "your machine's own addresses"),
    ("lan", "a host on your LAN"),
    ("listener", "a port the client listens on, reached from your machine"),
    ("name_not_allowed", "a name the profile does not allow"),
    ("raw_ip", "a raw IP address nobody resolved"),
    ("dns_exfiltration", "data sent out in DNS questions"),
)

#: After the session: row name, title.
WIPE_ESCAPES = (
    ("file_left", "a file left after the session"),
    ("daemon_left", "a daemon left after the session"),
    ("wipe", "the launcher's own wipe checks"),
)


def _attempt_text(attempts: Mapping[str, Any], names: tuple[str, ...]) -> str:
    return "; ".join(f"{n}: {attempts[n]['detail']}" for n in names if n in attempts)


def local_rows(confined: Mapping[str, Any], control: Mapping[str, Any]) -> list[Row]:
    """The local escape rows from the probe's JSON in the sandbox and unconfined."""
    inside = confined.get("attempts", {})
    outside = control.get("attempts", {})
    rows = []
    for spec in LOCAL_ESCAPES:
        escaped = tuple(n for n in spec.attempts if inside.get(n, {}).get("escaped"))
        tried = tuple(n for n in spec.attempts if n in inside)
        shown = tuple(n for n in spec.attempts if outside.get(n, {}).get("escaped"))
        if escaped:
            status, detail = Status.ESCAPED, _attempt_text(inside, escaped)
        elif not tried:
            status = Status.NOT_TESTED
            detail = "nothing to aim at: your session has none (e.g. no $DISPLAY)"
        elif not shown:
            status = Status.NOT_TESTED
            detail = ("unconfined it did not work either, so this host cannot show it: "
                      + (_attempt_text(outside, spec.attempts) or "nothing to try"))
        else:
            status, detail = Status.BLOCKED, _attempt_text(inside, tried)
        rows.append(Row(spec.name, spec.title, "escape", status, detail[:600]))
    return rows


def grant_row(name: str, title: str, found: Mapping[str, Any] | None,
              missing_reason: str) -> Row:
    """A granted permission: working, BROKEN, or not tested (with *missing_reason*)."""
    if found is None:
        return Row(name, title, "grant", Status.NOT_TESTED, missing_reason)
    status = Status.WORKING if found.get("working") else Status.BROKEN
    return Row(name, title, "grant", status, str(found.get("detail", ""))[:600])


def escape_row(name: str, title: str, *, escaped: bool, shown: bool, detail: str,
               why_not: str = "") -> Row:
    """An escape whose verdict the host side worked out (network, leftovers)."""
    if escaped:
        status = Status.ESCAPED
    elif not shown:
        status, detail = Status.NOT_TESTED, why_not or detail
    else:
        status = Status.BLOCKED
    return Row(name, title, "escape", status, detail[:600])


def not_tested(names: tuple[tuple[str, str], ...], why: str) -> list[Row]:
    """Rows that could not be run at all on this host, each saying why."""
    return [Row(n, t, "escape", Status.NOT_TESTED, why) for n, t in names]
