"""``verify``: the hostile probe in each profile's real confinement, as a table.

For each profile, two sessions through the one launch path (:class:`~.launch.Launcher`):
the *local* probe on this machine (files, processes, X11, D-Bus, agents, TIOCSTI, ptrace,
identifiers, devices, a file and a daemon left behind) and the *network* probe on a fake
internet that verify builds in namespaces it owns (:mod:`..verify.world`). Each probe
also runs unconfined, as its control: an attempt that does not work even there is "not
tested", never "blocked". The result is plain data (:class:`VerifyResult`) for the
command line's table and JSON (docs/verify.schema.json) and for the app's dialog.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..backends.namespace.environment import runtime_dir as namespace_runtime_dir
from ..backends.registry import VM
from ..core import paths, proc
from ..core.devices import INSIDE_DISPLAY, INSIDE_WAYLAND
from ..core.errors import LauncherError
from ..core.outbound import INSIDE_DIR, LINKS_SOCKET
from ..core.plan import SANDBOX_HOME, LaunchPlan, RunOptions
from ..verify import bait as bait_mod
from ..verify import fake_internet as fi
from ..verify import hostile_client as hc
from ..verify import world as world_mod
from ..verify.checks import (
    NETWORK_ESCAPES,
    SCHEMA_VERSION,
    Row,
    Status,
    escape_row,
    grant_row,
    local_rows,
    not_tested,
)
from .launch import Launcher
from .verify_run import (
    VM_HOME,
    ProbeRun,
    control_probe,
    extra_environment,
    session_probe,
)

Progress = Callable[[str], None]
#: How long one network session (or control) may take inside the fake internet.
INSIDE_TIMEOUT = 180.0
LISTEN_LINGER = "2"
#: How long the probe records the microphone, and below which loudness it is silence.
MIC_SECONDS = "1.5"
SILENCE_RMS = 50.0


@dataclass
class ProfileResult:
    """One profile's table."""

    profile: str
    backend: str
    network: str
    rows: list[Row] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def failed(self) -> bool:
        """An escape, a broken grant, or a profile that could not be verified."""
        return bool(self.error) or any(r.status.failed for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (docs/verify.schema.json, ``profiles`` items)."""
        return {"profile": self.profile, "backend": self.backend, "network": self.network,
                "passed": not self.failed, "error": self.error or None,
                "reports": self.reports, "checks": [r.to_dict() for r in self.rows]}


@dataclass
class VerifyResult:
    """Every profile verified in one run."""

    started: float
    profiles: list[ProfileResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Whether anything escaped, a grant is broken or a profile could not run."""
        return any(p.failed for p in self.profiles)

    def to_dict(self) -> dict[str, Any]:
        """The published JSON form."""
        return {"schema_version": SCHEMA_VERSION, "started": self.started,
                "ended": time.time(), "passed": not self.failed, "notes": self.notes,
                "profiles": [p.to_dict() for p in self.profiles]}


def default_profiles(launcher: Launcher) -> list[str]:
    """Every built-in profile that plans on this host (the others are named in notes)."""
    found = launcher.profiles()
    return sorted(name for name, profile in found.profiles.items() if profile.builtin)


def save(result: VerifyResult, profile: str) -> Path:
    """Keep *profile*'s latest result where the app shows it again."""
    directory = paths.reports_dir().parent / "verify"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"{profile}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    tmp.replace(path)
    return path


def load_saved(profile: str) -> dict[str, Any] | None:
    """The latest saved result of *profile*, if there is one."""
    path = paths.reports_dir().parent / "verify" / f"{profile}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


@dataclass
class Verifier:
    """Runs ``verify`` for a list of profiles with one launcher."""

    launcher: Launcher
    backend: str | None = None
    progress: Progress | None = None
    #: Build the fake internet for the network half (off: those rows say why not).
    network: bool = True

    def say(self, text: str) -> None:
        """Tell the front end what is going on."""
        if self.progress is not None:
            self.progress(text)

    def run(self, names: Sequence[str], *, skip_unplannable: bool = False) -> VerifyResult:
        """Verify every profile in *names*; with *skip_unplannable* (the default list),
        one this host cannot run is a note, not a failure."""
        result = VerifyResult(time.time())
        plans = {}
        for name in names:
            try:
                plans[name] = self.launcher.plan(name, RunOptions(
                    backend=self.backend, command=(sys.executable,)))
            except LauncherError as exc:
                if skip_unplannable:
                    result.notes.append(f"{name} not verified: {exc.summary}")
                else:
                    result.profiles.append(ProfileResult(name, self.backend or "", "",
                                                         error=exc.summary))
        if not plans:
            return result  # nothing to start: no bait, no fake internet
        domains = sorted({d for p in plans.values() for d in p.network.domains})
        world, why_no_world = self._world(domains)
        bait = bait_mod.Bait.lay()
        try:
            with extra_environment(bait.secret_env()):
                env = dict(os.environ)
                self.say("running the probe unconfined (its control)")
                control = control_probe([*bait.probe_args(leave_marker=None, granted_devs=[]),
                                         "--record-mic", MIC_SECONDS], env)
                port = 20000 + secrets.randbelow(20000)
                net_control = (self._inside(world, {"mode": "control",
                                                    "args": net_args(None, port),
                                                    "knock_port": port})
                               if world is not None else None)
                for name, plan in plans.items():
                    self.say(f"verifying {name}")
                    result.profiles.append(self._profile(
                        plan, bait, control, world, net_control, why_no_world))
        finally:
            bait.close()
            if world is not None:
                world.close()
        if why_no_world:
            result.notes.append(f"network not tested: {why_no_world}")
        return result

    def _world(self, domains: list[str]) -> tuple[world_mod.World | None, str]:
        if not self.network:
            return None, "not asked for"
        self.say("building the fake internet")
        try:
            return world_mod.World.start(world_mod.records_for(domains)), ""
        except LauncherError as exc:
            return None, exc.summary + (f" ({exc.hint})" if exc.hint else "")

    def _inside(self, world: world_mod.World, request: dict[str, Any]) -> ProbeRun:
        request = {"policy_path": str(self.launcher.files.policy),
                   "admin_profiles": str(self.launcher.files.admin_profiles),
                   "profiles_dir": str(self.launcher.profiles_dir or "") or None,
                   "sessions_base": str(self.launcher.sessions_base or "") or None,
                   "backend": self.backend, **request}
        argv = [*world.enter_argv(), sys.executable, "-m",
                "sandbox_launcher.session.verify_inside"]
        try:
            done = proc.run(argv, input_text=json.dumps(request), timeout=INSIDE_TIMEOUT,
                            check=False)
        except LauncherError as exc:
            return ProbeRun(error=f"the network probe did not finish: {exc.summary}")
        lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
        try:
            return ProbeRun.from_dict(json.loads(lines[-1]))
        except (IndexError, ValueError):
            return ProbeRun(error=f"the network probe said nothing: {done.stderr[-500:]}")

    def _profile(self, plan: LaunchPlan, bait: bait_mod.Bait, control: ProbeRun,
                 world: world_mod.World | None, net_control: ProbeRun | None,
                 why_no_world: str) -> ProfileResult:
        name, mode, domains = plan.profile, plan.network.mode, plan.network.domains
        out = ProfileResult(name, plan.backend, mode)
        left = f"slleft{secrets.token_hex(6)}"
        args = bait.probe_args(leave_marker=left, granted_devs=[],
                               granted_sockets=granted_sockets(plan))
        if mode != "none":
            args.append("--host-macs-only")  # the jail's own interface has a MAC
        if plan.backend == VM:  # the guest's DMI table and devices are QEMU's, not ours
            args += ["--vm-guest", *(f"--host-dmi={k}={v}" for k, v in hc.dmi_values().items())]
        has_mic = plan.devices.audio.mic_allowed and bool(plan.devices.audio.host_server)
        if has_mic:
            args += ["--record-mic", MIC_SECONDS]  # it starts muted
        local = session_probe(self.launcher, name, args, RunOptions(backend=self.backend))
        if local.error or control.error:
            out.error = local.error or control.error
        else:
            out.rows += local_rows(local.findings, control.findings)
            grants = local.findings.get("grants", {})
            out.rows.append(grant_row("share", "share folder, read-write as granted",
                                      grants.get("share"), "the probe did not check it"))
            out.rows.append(grant_row("camera", "granted camera present", None,
                                      "no camera is granted by verify yet"))
            out.rows.append(mic_row(has_mic, grants.get("microphone"),
                                    control.findings.get("grants", {}).get("microphone")))
        out.reports.append(local.report_id)
        out.rows += wipe_rows(left, bait.home, local,
                              VM_HOME if plan.backend == VM else SANDBOX_HOME)
        if world is None or net_control is None:
            out.rows += not_tested(NETWORK_ESCAPES, f"no fake internet: {why_no_world}")
            return out
        port = 20000 + secrets.randbelow(20000)
        allowed = world_mod.concrete_name(domains)
        net = self._inside(world, {"mode": "session", "profile": name,
                                   "args": net_args(allowed, port), "knock_port": port})
        out.reports.append(net.report_id)
        if net.error or net_control.error:
            out.error = out.error or net.error or net_control.error
            return out
        out.rows += network_rows(net, net_control, world.events())
        out.rows.append(allowed_row(net, allowed, mode))
        if not net.wipe_verified:
            out.rows.append(Row("network_wipe", "the network session's wipe checks", "escape",
                                Status.ESCAPED, "; ".join(net.wipe_failed)))
        return out


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


def verify_profile(launcher: Launcher, profile: str, backend: str | None = None,
                   progress: Progress | None = None) -> dict[str, Any]:
    """Verify one profile and save the result; returns it as the published JSON.

    The app's service call (run it on a worker thread: it takes seconds)."""
    result = Verifier(launcher, backend=backend, progress=progress).run([profile])
    save(result, profile)
    return result.to_dict()
