"""The audit trail: one JSON line per session, when the system policy asks for it.

For compliance without surveillance (issue 14): a line says who ran which profile in which
backend when, what was granted, which destinations were contacted (name, country, bytes) and
how many were blocked, and whether the wipe was verified. It never carries content: no window
titles (a shared window's title is in the report, not here), no command line and no URL (a
meeting link's path and query are the meeting), no meeting ID unless ``[audit] meeting_ids``
is true. ``docs/audit.schema.json`` describes the line; tests validate real ones.

Where it goes (``[audit] target``): the system journal when one runs (``auto``; fields
``MESSAGE`` = the line, ``SYSLOG_IDENTIFIER=sandbox-launcher``,
``SANDBOX_LAUNCHER_SESSION``; journald adds the user's uid itself, which a user cannot fake),
else the policy's file, appended with ``O_APPEND`` in one ``write`` so concurrent sessions
never interleave a line.
"""

from __future__ import annotations

import datetime
import json
import os
import pwd
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..clients import links
from ..core.errors import LauncherError
from ..core.plan import LaunchPlan
from ..core.policy import AuditPolicy, load_policy
from .report import Report

AUDIT_VERSION = 1
JOURNAL_SOCKET = Path("/run/systemd/journal/socket")
#: journald's MESSAGE_ID for these lines (``journalctl MESSAGE_ID=…`` finds them all).
MESSAGE_ID = "6d1b0f3c9a8e4b5f8a2c7e41d95b03aa"
#: A line lists at most this many destinations (and says how many more there were), so it
#: fits one journal datagram.
MAX_DESTINATIONS = 200


def _iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).isoformat(
        timespec="milliseconds")


def grants_of(plan: LaunchPlan) -> dict[str, Any]:
    """What was granted, as kinds only: no window title, no folder path, no device name."""
    dev = plan.devices
    display = ("none" if dev.display.mode == "none" else "wayland" if dev.display.wayland
               else "host_x11" if dev.display.mode == "insecure_host_x11" else "nested_x11")
    downloads = ("none" if not dev.downloads else "kept" if dev.keep_downloads
                 else "held" if dev.pending_downloads else "discarded")
    return {
        "network": plan.network.mode,
        "display": display,
        "camera": dev.camera is not None,
        "speakers": dev.audio.speakers,
        "microphone": dev.audio.mic_allowed,
        "screen": dev.screen.mode,
        "share": "none" if dev.share is None else "rw" if dev.share.writable else "ro",
        "downloads": downloads,
        "dbus": sorted(dev.dbus_talk),
    }


def meeting_in(command: tuple[str, ...] | list[str]) -> dict[str, str] | None:
    """Service, host and meeting ID of the meeting link the client was started with (the
    plan keeps only the client's argv, where the link parser's rebuilt link is)."""
    for arg in command:
        if "://" in arg:
            found = meeting_of(arg.removeprefix("--app="))
            if found is not None:
                return found
    return None


def meeting_of(url: str) -> dict[str, str] | None:
    """Service, host and meeting ID of a meeting link; None if it is not one."""
    try:
        link = links.parse(url)
    except LauncherError:
        return None
    if link.service == "zoom":
        query = dict(part.partition("=")[::2] for part in
                     link.client_argument.partition("?")[2].split("&"))
        meeting = query.get("confno", "")
    else:  # the path names the room; the query (tokens, passwords) never goes in
        meeting = link.url.split("://", 1)[-1].partition("/")[2].partition("?")[0]
    return {"service": link.service, "host": link.host, "id": meeting}


def line(report: Report, policy: AuditPolicy, plan: LaunchPlan | None = None,
         user: tuple[str, int] | None = None) -> dict[str, Any]:
    """The audit line of a finished session (a dict; :func:`render` makes the text)."""
    if user is None:
        uid = os.getuid()
        try:
            user = (pwd.getpwuid(uid).pw_name, uid)
        except KeyError:
            user = (str(uid), uid)
    network = report.network
    contacted = network.contacted if network is not None else ()
    summary = network.summary if network is not None else None
    out: dict[str, Any] = {
        "audit_version": AUDIT_VERSION,
        "session": report.id,
        "user": user[0], "uid": user[1],
        "host": socket.gethostname(),
        "start": _iso(report.started), "end": _iso(report.ended),
        "profile": report.profile, "backend": report.backend,
        "recovered_stale": report.recovered_stale,
        "exit_status": report.exit.status,
        "grants": grants_of(plan) if plan is not None else None,
        "destinations": [{"name": c.name, "ip": c.ip, "port": c.port,
                          "protocol": c.protocol, "country": c.country,
                          "bytes_out": c.bytes_out, "bytes_in": c.bytes_in}
                         for c in contacted[:MAX_DESTINATIONS]],
        "destinations_not_listed": max(0, len(contacted) - MAX_DESTINATIONS),
        "blocked": {"connections": summary.blocked if summary else 0,
                    "dns_refused": summary.dns_refused if summary else 0},
        "joins": [{"service": j.service, "host": j.host} for j in report.joins.links],
        "wipe_verified": report.verified,
    }
    if policy.meeting_ids:
        out["meeting"] = meeting_in(report.command)
    return out


def render(data: Mapping[str, Any]) -> bytes:
    """One line of compact JSON, newline-terminated (no newline inside: JSON escapes it)."""
    return (json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def append_line(path: Path, text: bytes) -> None:
    """Append *text* to *path* in one write with O_APPEND: lines of concurrent sessions
    never interleave. Refuses a symlink (a user must not redirect the trail)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW,
                 0o600)
    try:
        written = os.write(fd, text)
    finally:
        os.close(fd)
    if written != len(text):  # a full disk: say so rather than leave half a line unsaid
        raise OSError(28, f"only {written} of {len(text)} bytes written")


def send_journal(text: bytes, session_id: str, sock_path: Path = JOURNAL_SOCKET) -> None:
    """Send one entry to journald over its native protocol (one datagram)."""
    fields = {"MESSAGE": text.decode().rstrip("\n"), "MESSAGE_ID": MESSAGE_ID,
              "SYSLOG_IDENTIFIER": "sandbox-launcher", "PRIORITY": "6",
              "SANDBOX_LAUNCHER_SESSION": session_id}
    datagram = "".join(f"{key}={value}\n" for key, value in fields.items()).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        sock.sendto(datagram, str(sock_path))


def write(data: Mapping[str, Any], policy: AuditPolicy,
          journal: Path = JOURNAL_SOCKET) -> str:
    """Write one line where *policy* says; returns where it went (for the message)."""
    text = render(data)
    use_journal = policy.target == "journal" or (policy.target == "auto" and journal.exists())
    if use_journal:
        send_journal(text, str(data["session"]), journal)
        return "the system journal"
    append_line(Path(policy.file), text)
    return policy.file


def record(report: Report, plan: LaunchPlan | None = None,
           policy: AuditPolicy | None = None, journal: Path = JOURNAL_SOCKET) -> list[str]:
    """Write the session's audit line if the system policy asks for one.

    Returns problems as text (a session that ran is reported even when its audit line could
    not be written; the problem is shown to the user and in the launcher's output).
    """
    try:
        audit = policy if policy is not None else load_policy().audit
    except LauncherError as exc:
        return [f"the audit line was not written: {exc.summary}"]
    if not audit.enabled:
        return []
    try:
        write(line(report, audit, plan), audit, journal)
    except OSError as exc:
        return [f"the audit line was not written ({audit.target}): "
                f"{exc.strerror or exc}"]
    return []
