"""verify's verdicts: how the probe's findings, confined and unconfined, become rows.

Pure logic over :class:`~.verify_run.ProbeRun` (and, for the wipe rows, what the bait
finds left on the host): :mod:`.verify` runs the sessions, this module judges them. Each
escape row needs its control, the same attempt unconfined, to have worked; a grant row
says whether what the profile grants works inside.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..backends.namespace.environment import runtime_dir as namespace_runtime_dir
from ..core.devices import INSIDE_DISPLAY, INSIDE_WAYLAND
from ..core.outbound import INSIDE_DIR, LINKS_SOCKET
from ..core.plan import SANDBOX_HOME, LaunchPlan
from ..verify import bait as bait_mod
from ..verify import fake_internet as fi
from ..verify.checks import NETWORK_ESCAPES, Row, Status, escape_row, grant_row
from .verify_run import ProbeRun

#: How long the network probe stays after reporting (its listener waits for the knock).
LISTEN_LINGER = "2"
#: Below this loudness the probe's recording of the microphone is silence.
SILENCE_RMS = 50.0


def granted_sockets(plan: LaunchPlan) -> list[str]:
    """The sockets the plan grants inside (a nested display, the filtered bus, the
    session's own sound server): reaching them is the grant, not an escape. The host's
    own X server (``insecure_host_x11``) is never among them."""
    runtime = namespace_runtime_dir()
    devices = plan.devices
    found = []
    if devices.display.mode == "isolated" and devices.display.wayland:
        found.append(f"{runtime}/{INSIDE_WAYLAND}")
    elif devices.display.mode == "isolated" and devices.display.host_display:
        found.append(f"/tmp/.X11-unix/X{INSIDE_DISPLAY}")
    if devices.dbus_talk:
        found.append(f"{runtime}/bus")
    if devices.audio.host_server:
        found.append(f"{runtime}/pulse/native")
    # Every namespace session's xdg-open stand-in asks the launcher there (links_out.py);
    # what it hands over is checked and asked about, so reaching it is no escape.
    found.append(f"{INSIDE_DIR}/{LINKS_SOCKET}")
    return found


def net_args(allowed: str | None, port: int) -> list[str]:
    """The network probe's arguments: forbidden targets, and the allowed name if any."""
    targets = ["evil.example:443", f"{fi.EVIL_ADDRESS}:443", "127.0.0.1:8080",
               f"{fi.ROUTER_ADDRESS}:8080", f"{fi.HOST_ADDRESS}:8081",
               f"{fi.HOST_SECOND_ADDRESS}:8082", f"{fi.LAN_HOST}:80"]
    resolve = ["evil.example"]
    if allowed:
        targets.append(f"{allowed}:443")
        resolve.append(allowed)
    return ["net", "--resolve", *resolve, "--connect", *targets, "--listen", str(port),
            "--linger", LISTEN_LINGER, "--dns-exfil", "evil.example"]


def _banners(run: ProbeRun) -> dict[str, str]:
    connect = run.findings.get("connect", {})
    return {t: str(r.get("banner") or "") for t, r in connect.items() if r.get("connected")}


def network_rows(net: ProbeRun, control: ProbeRun, events: list[dict[str, Any]]) -> list[Row]:
    """The network escape rows from the confined and unconfined runs."""
    titles = dict(NETWORK_ESCAPES)
    asked = [str(e.get("name") or "").lower() for e in events if e.get("kind") == "dns"]

    def verdict(run: ProbeRun) -> dict[str, tuple[bool, str]]:
        banners = _banners(run)
        seen = sorted(set(banners.values()))
        label = str((run.findings.get("dns_exfil") or {}).get("label", "")).lower()
        listen = run.findings.get("listen") or {}
        evil = run.findings.get("resolve", {}).get("evil.example", {})
        leaked = bool(label) and any(label in n for n in asked)
        return {
            "host_loopback": ("host-loopback-8080" in seen, f"banners seen {seen}"),
            "host_addresses": (bool({"host-address-8081", "host-second-8082"} & set(seen)),
                               f"banners seen {seen}"),
            "lan": ("lan-80" in seen, f"banners seen {seen}"),
            "listener": (bool(run.knocks or listen.get("accepted")),
                         f"knocks answered {run.knocks}; accepted {listen.get('accepted')}"),
            "name_not_allowed": (bool(evil.get("ok")) or "evil.example:443" in banners,
                                 f"evil.example: {evil.get('error') or evil.get('addresses')}"),
            "raw_ip": (f"{fi.EVIL_ADDRESS}:443" in banners,
                       str(run.findings.get("connect", {}).get(f"{fi.EVIL_ADDRESS}:443"))),
            "dns_exfiltration": (leaked, f"random label {label[:12]}… "
                                 f"{'reached' if leaked else 'never reached'} the DNS server"),
        }

    inside, outside = verdict(net), verdict(control)
    return [escape_row(name, titles[name], escaped=inside[name][0], shown=outside[name][0],
                       detail=inside[name][1],
                       why_not=f"unconfined it did not work either: {outside[name][1]}")
            for name, _title in NETWORK_ESCAPES]


def allowed_row(net: ProbeRun, allowed: str | None, mode: str) -> Row:
    """The grant every allowlist profile exists for: its allowed name is reachable."""
    title = "an allowed name is reachable"
    if mode != "allowlist":
        return grant_row("allowed_name", title, None, f"the profile has no network ({mode})")
    if allowed is None:
        return grant_row("allowed_name", title, None,
                         "the profile allows no name until a meeting link names one")
    record = net.findings.get("connect", {}).get(f"{allowed}:443", {})
    working = record.get("banner") == "vendor-443"
    detail = f"{allowed}:443 -> {record.get('banner') or record.get('error')}"
    return grant_row("allowed_name", title, {"working": working, "detail": detail}, "")


def mic_row(has_mic: bool, inside: dict[str, Any] | None,
            outside: dict[str, Any] | None) -> Row:
    """Muted means silence: the client records nothing of the host's microphone."""
    title = "microphone muted when muted"
    if not has_mic:
        return grant_row("microphone", title, None,
                         "the profile or this host gives no microphone to switch")
    heard = (outside or {}).get("rms")
    if not isinstance(heard, (int, float)) or heard < SILENCE_RMS:
        return grant_row("microphone", title, None,
                         f"unconfined, your microphone records silence or nothing ({outside})")
    level = (inside or {}).get("rms")
    if not isinstance(level, (int, float)):
        return grant_row("microphone", title, {
            "working": False, "detail": f"the client cannot record at all: {inside}"}, "")
    return grant_row("microphone", title, {
        "working": level < SILENCE_RMS,
        "detail": f"muted, the client recorded RMS {level} (your microphone: {heard})"}, "")


def wipe_rows(marker: str, home: Path, local: ProbeRun,
              inside_home: str = SANDBOX_HOME) -> list[Row]:
    """After the session: no file, no daemon, and the launcher's own checks passed."""
    files = bait_mod.leftover_files(marker, home)
    daemons = bait_mod.leftover_processes(marker)
    bait_mod.kill_all(daemons)  # a broken sandbox's daemon must not outlive verify
    tried = inside_home in json.dumps(local.findings.get("attempts", {}).get(
        "leave_files", {}))
    rows = [
        escape_row("file_left", "a file left after the session", escaped=bool(files),
                   shown=tried, detail=f"found {files}" if files else "none found",
                   why_not="the probe could not write its files"),
        escape_row("daemon_left", "a daemon left after the session", escaped=bool(daemons),
                   shown="leave_daemon" in local.findings.get("attempts", {}),
                   detail=f"still running: {daemons}" if daemons else "none running",
                   why_not="the probe could not start its daemon"),
    ]
    wiped = local.wipe_verified
    rows.append(Row("wipe", "the launcher's own wipe checks", "escape",
                    Status.BLOCKED if wiped else Status.ESCAPED,
                    "all passed" if wiped else "; ".join(local.wipe_failed) or local.error))
    return rows
