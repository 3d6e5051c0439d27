"""One probe session through the one launch path, and the probe run unconfined.

Used by :mod:`.verify` on the user's machine and by :mod:`.verify_inside` on the fake
internet's: the probe script is seeded into the fresh home (a file the sandbox sees),
writes its findings to a file there, and the session's home capture hands that file
back before the home is wiped. Nothing reads the client's stdout, so the app and the
command line run it the same way.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..backends.registry import VM
from ..core import proc
from ..core.errors import LauncherError
from ..core.plan import SANDBOX_HOME, RunOptions
from ..verify import PROBE_SCRIPT
from .launch import Launcher
from .lifecycle import Outcome

SYSTEM_PYTHON = "/usr/bin/python3"
PROBE_HOME_PATH = ".sl-verify/probe.py"
#: The share folder's place in the sandbox's home, and the probe's findings in it.
SHARE_INSIDE = "Shared"
OUT_NAME = ".sl-verify-out.json"
#: In a VM: the guest's home (the agent's), and the findings' place in it.
VM_HOME = "/root"
VM_OUT_PATH = ".sl-verify/out.json"
#: How long an unconfined control may take (its blocked network attempts time out).
CONTROL_TIMEOUT = 120.0


@dataclass
class ProbeRun:
    """What one run of the probe found, and how its session ended."""

    findings: dict[str, Any] = field(default_factory=dict)
    status: int | None = None
    wipe_verified: bool = False
    wipe_failed: list[str] = field(default_factory=list)
    report_id: str = ""
    knocks: list[str] = field(default_factory=list)
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON form (crosses into and out of the fake internet)."""
        return {"findings": self.findings, "status": self.status,
                "wipe_verified": self.wipe_verified, "wipe_failed": self.wipe_failed,
                "report_id": self.report_id, "knocks": self.knocks, "error": self.error}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ProbeRun:
        """Read one back."""
        return cls(dict(raw.get("findings") or {}), raw.get("status"),
                   bool(raw.get("wipe_verified")), list(raw.get("wipe_failed") or []),
                   str(raw.get("report_id", "")), list(raw.get("knocks") or []),
                   str(raw.get("error", "")))


class Knocker:
    """Knocks on a port of this machine while a probe listens: it must not answer."""

    def __init__(self, port: int | None, addresses: Sequence[str]) -> None:
        self.port = port
        self.addresses = tuple(addresses)
        self.answered: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Knocker:
        if self.port is not None:
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        assert self.port is not None
        while not self._stop.wait(0.2):
            for address in self.addresses:
                with contextlib.suppress(OSError), socket.create_connection(
                        (address, self.port), timeout=0.3) as sock:
                    banner = sock.recv(64).decode("utf-8", "replace").strip()
                    entry = f"{address}:{self.port} {banner}"
                    if entry not in self.answered:
                        self.answered.append(entry)


def session_probe(launcher: Launcher, profile: str, args: Sequence[str],
                  options: RunOptions) -> ProbeRun:
    """Run the probe with *args* as *profile*'s client, in its real confinement.

    Its findings come back through a read-write share folder (granted, and checked as
    a grant): the home capture would add a descriptor the probe then rightly reports.
    """
    if options.backend == VM:
        return _vm_probe(launcher, profile, args, options)
    run = ProbeRun()
    share = Path(tempfile.mkdtemp(prefix="sl-verify-share-"))
    try:
        (share / "shared.txt").write_text("shared with the sandbox by verify\n")
        inside = f"{SANDBOX_HOME}/{SHARE_INSIDE}"
        command = (SYSTEM_PYTHON, f"{SANDBOX_HOME}/{PROBE_HOME_PATH}", *args,
                   *(["--share-dir", inside, "--share-mode", "rw"] if args[:1] == ["probe"]
                     else []), "--out", f"{inside}/{OUT_NAME}")
        try:
            plan = launcher.plan(profile, RunOptions(
                backend=options.backend, command=command, network=options.network,
                shares=(f"{share}:rw",), camera=options.camera, mic=options.mic))
            session = launcher.session(
                plan, home_seed={PROBE_HOME_PATH: PROBE_SCRIPT.read_bytes()})
            outcome = session.run()
        except LauncherError as exc:
            run.error = exc.summary + (f" ({exc.hint})" if exc.hint else "")
            return run
        _ended(run, outcome)
        try:
            run.findings = json.loads((share / OUT_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            run.error = f"the probe wrote no findings (exit status {outcome.status}): {exc}"
    finally:
        shutil.rmtree(share, ignore_errors=True)
    return run


def _ended(run: ProbeRun, outcome: Outcome) -> None:
    """How the probe's session ended, into *run*."""
    run.status = outcome.status
    run.report_id = str(outcome.report.get("id", ""))
    run.wipe_verified = outcome.wipe_verified
    run.wipe_failed = [f"{c.get('name')}: {c.get('detail', '')}"
                       for c in outcome.report.get("wipe", {}).get("checks", [])
                       if not c.get("ok")]


def _vm_probe(launcher: Launcher, profile: str, args: Sequence[str],
              options: RunOptions) -> ProbeRun:
    """The probe in a VM: seeded into the guest home by the agent, its findings handed
    back by the agent's home capture before the domain goes (a VM session has no share
    folder; the capture runs after the probe ended, so it adds nothing it could see)."""
    run = ProbeRun()
    command = (SYSTEM_PYTHON, f"{VM_HOME}/{PROBE_HOME_PATH}", *args,
               "--out", f"{VM_HOME}/{VM_OUT_PATH}")
    try:
        plan = launcher.plan(profile, RunOptions(backend=options.backend, command=command,
                                                 network=options.network))
        session = launcher.session(plan, home_seed={PROBE_HOME_PATH: PROBE_SCRIPT.read_bytes()},
                                   home_capture=(VM_OUT_PATH,))
        outcome = session.run()
    except LauncherError as exc:
        run.error = exc.summary + (f" ({exc.hint})" if exc.hint else "")
        return run
    _ended(run, outcome)
    found = outcome.captured.files.get(VM_OUT_PATH)
    try:
        run.findings = json.loads(found or b"")
    except ValueError as exc:
        problem = outcome.captured.problem or str(exc)
        run.error = f"the probe wrote no findings (exit status {outcome.status}): {problem}"
    return run


def control_probe(args: Sequence[str], env: Mapping[str, str]) -> ProbeRun:
    """Run the probe unconfined as the same user: what the sandbox must prevent."""
    run = ProbeRun()
    with tempfile.TemporaryDirectory(prefix="sl-verify-control-") as tmp:
        out = Path(tmp) / "out.json"
        try:
            # stdin stays the caller's: from a terminal, TIOCSTI is tried on it for real.
            done = proc.run([SYSTEM_PYTHON, str(PROBE_SCRIPT), *args, "--out", str(out)],
                            env=env, timeout=CONTROL_TIMEOUT, check=False)
        except LauncherError as exc:
            run.error = f"the unconfined probe failed: {exc.summary}"
            return run
        run.status = done.returncode
        try:
            run.findings = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            run.error = f"the unconfined probe wrote nothing: {exc}; {done.stderr[-300:]}"
    return run


@contextlib.contextmanager
def extra_environment(values: Mapping[str, str]) -> Iterator[None]:
    """The launcher's own environment holds *values* for a while (a secret it must not
    pass on), then exactly what it held before."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in before.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
