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

from ..backends.registry import VM
from ..core import paths, proc
from ..core.errors import LauncherError
from ..core.plan import SANDBOX_HOME, LaunchPlan, RunOptions
from ..verify import bait as bait_mod
from ..verify import hostile_client as hc
from ..verify import world as world_mod
from ..verify.checks import (
    NETWORK_ESCAPES,
    SCHEMA_VERSION,
    Row,
    Status,
    grant_row,
    local_rows,
    not_tested,
)
from .launch import Launcher
from .verify_rows import (
    allowed_row,
    granted_sockets,
    mic_row,
    net_args,
    network_rows,
    wipe_rows,
)
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
#: How long the probe records the microphone (verify_rows.py judges the recording).
MIC_SECONDS = "1.5"


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


def verify_profile(launcher: Launcher, profile: str, backend: str | None = None,
                   progress: Progress | None = None) -> dict[str, Any]:
    """Verify one profile and save the result; returns it as the published JSON.

    The app's service call (run it on a worker thread: it takes seconds)."""
    result = Verifier(launcher, backend=backend, progress=progress).run([profile])
    save(result, profile)
    return result.to_dict()
