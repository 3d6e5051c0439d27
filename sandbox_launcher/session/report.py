"""The JSON report of a session: what was granted, how it ended, and the wipe's proof.

:class:`Report` is the one shape of a report, with typed sections and ``to_json`` /
``from_json``. Its JSON Schema is published in ``docs/report.schema.json`` (IT scripts rely
on it; a test checks that real reports validate). Versions:

- 1: written before the typed report, with ``"schema": 1`` (or, earliest, no version key).
- 2: ``"schema_version": 2``; the same sections, so a version-1 file loads unchanged.

``grants`` (words for a person, one entry per grant) and ``devices`` (helpers, downloads,
sound, screen, usage) stay mappings: their keys follow the grants a backend offers, and the
schema describes the ones there are.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import paths
from ..core.check import Check, CheckFormatError, all_ok
from ..core.errors import SessionError
from ..core.plan import LaunchPlan
from .report_network import NetworkSection, ReportFormatError, need

__all__ = ["SCHEMA_VERSION", "ExitInfo", "Joins", "NetworkSection", "Report",
           "ReportFormatError", "WipeSection", "exit_info", "save", "wipe_section"]

SCHEMA_VERSION = 2
#: Versions :meth:`Report.from_dict` reads.
KNOWN_VERSIONS = (1, 2)


@dataclass(frozen=True)
class ExitInfo:
    """How the client ended: a shell-style status split into exit code or signal."""

    status: int | None = None
    code: int | None = None
    signal: int | None = None
    signal_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"status": self.status, "code": self.code, "signal": self.signal,
                "signal_name": self.signal_name}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExitInfo:
        """Read the JSON form."""
        opt = (int, type(None))
        return cls(need(data, "status", opt, "exit"), need(data, "code", opt, "exit"),
                   need(data, "signal", opt, "exit"),
                   need(data, "signal_name", (str, type(None)), "exit"))


def exit_info(status: int | None) -> ExitInfo:
    """Split a shell-style status (128+N for signal N) into code and signal."""
    if status is None:
        return ExitInfo()
    if 128 < status < 128 + signal.NSIG:
        sig = status - 128
        return ExitInfo(status, None, sig, signal.Signals(sig).name
                        if sig in signal.valid_signals() else None)
    return ExitInfo(status, status)


@dataclass(frozen=True)
class WipeSection:
    """The wipe's proof: every check, and whether all passed."""

    verified: bool
    processes_killed: int
    checks: tuple[Check, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"verified": self.verified, "processes_killed": self.processes_killed,
                "checks": [c.to_dict() for c in self.checks]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WipeSection:
        """Read the JSON form."""
        try:
            checks = tuple(Check.from_dict(c) for c in need(data, "checks", list, "wipe"))
        except CheckFormatError as exc:
            raise ReportFormatError(f"wipe.checks: {exc}") from exc
        return cls(need(data, "verified", bool, "wipe"),
                   need(data, "processes_killed", int, "wipe"), checks)


def wipe_section(checks: Sequence[Check], killed: int) -> WipeSection:
    """The report's ``wipe`` section: verified only when there are checks and all passed."""
    return WipeSection(all_ok(tuple(checks)), killed, tuple(checks))


@dataclass(frozen=True)
class JoinedLink:
    """A meeting link handed into the running session (host only: never the path)."""

    service: str
    host: str
    at: float
    pid: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"service": self.service, "host": self.host, "at": self.at, "pid": self.pid}


@dataclass(frozen=True)
class Joins:
    """Links joined into the session, and how many were not listed (over the limit)."""

    links: tuple[JoinedLink, ...] = ()
    not_listed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"links": [j.to_dict() for j in self.links], "not_listed": self.not_listed}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Joins:
        """Read the JSON form."""
        links = tuple(JoinedLink(need(j, "service", str, "joins"), need(j, "host", str, "joins"),
                                 float(need(j, "at", (int, float), "joins")),
                                 need(j, "pid", int, "joins"))
                      for j in need(data, "links", list, "joins"))
        return cls(links, int(data.get("not_listed", 0)))


#: Keys only a report of a session that ran (not a stale recovery) has.
_RUN_KEYS = ("durations", "stopped_by_user", "error", "grants", "network", "devices",
             "notes", "joins")


@dataclass(frozen=True)
class Report:
    """A session's report. A stale recovery (``recovered_stale``: the launcher had died)
    knows only the session record and the wipe; it has no run sections."""

    id: str
    profile: str
    backend: str
    command: tuple[str, ...]
    started: float
    ended: float
    exit: ExitInfo
    wipe: WipeSection
    durations: Mapping[str, float] = field(default_factory=dict)
    stopped_by_user: bool = False
    #: ``LauncherError.to_dict()`` of a launcher failure.
    error: Mapping[str, Any] | None = None
    grants: Mapping[str, Any] = field(default_factory=dict)
    network: NetworkSection | None = None
    devices: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    joins: Joins = field(default_factory=Joins)
    #: Helpers that died while the session ran (``HelperLost.to_dict()``, oldest first).
    helpers_lost: tuple[Mapping[str, Any], ...] = ()
    recovered_stale: bool = False
    #: The state a stale session was left in.
    last_state: str | None = None
    #: Written before the verify step (its state dir is gone then), so a launcher killed
    #: while verifying still leaves a report; the verified one replaces it.
    provisional: bool = False
    schema_version: int = SCHEMA_VERSION

    @property
    def verified(self) -> bool:
        """Whether every wipe check passed."""
        return self.wipe.verified

    def to_dict(self) -> dict[str, Any]:
        """JSON form, the version first (readers check it before anything else)."""
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION, "id": self.id, "profile": self.profile,
            "backend": self.backend, "command": list(self.command), "started": self.started,
            "ended": self.ended}
        if self.recovered_stale:
            out |= {"recovered_stale": True, "last_state": self.last_state,
                    "exit": self.exit.to_dict()}
        else:
            out |= {"durations": dict(self.durations), "exit": self.exit.to_dict(),
                    "stopped_by_user": self.stopped_by_user,
                    "error": dict(self.error) if self.error is not None else None,
                    "grants": dict(self.grants),
                    "network": self.network.to_dict() if self.network else None,
                    "devices": dict(self.devices), "notes": list(self.notes),
                    "joins": self.joins.to_dict()}
            if self.helpers_lost:  # only then: a report of a calm session is unchanged
                out["helpers_lost"] = [dict(h) for h in self.helpers_lost]
        out["wipe"] = self.wipe.to_dict()
        if self.provisional:
            out["provisional"] = True
        return out

    def to_json(self) -> str:
        """The report file's text."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        """Read any known version; raises :class:`ReportFormatError` for anything else."""
        if not isinstance(data, Mapping):
            raise ReportFormatError("a report is a JSON object")
        version = data.get("schema_version", data.get("schema", 1))  # none: the first
        if version not in KNOWN_VERSIONS or isinstance(version, bool):
            raise ReportFormatError(f"unknown report version {version!r}: this launcher reads "
                                    f"versions {', '.join(map(str, KNOWN_VERSIONS))}")
        network = data.get("network")
        try:
            return cls(
                id=need(data, "id", str, "report"), profile=need(data, "profile", str, "report"),
                backend=need(data, "backend", str, "report"),
                command=tuple(need(data, "command", list, "report")),
                started=float(need(data, "started", (int, float), "report")),
                ended=float(need(data, "ended", (int, float), "report")),
                exit=ExitInfo.from_dict(need(data, "exit", dict, "report")),
                wipe=WipeSection.from_dict(need(data, "wipe", dict, "report")),
                durations=dict(data.get("durations") or {}),
                stopped_by_user=bool(data.get("stopped_by_user", False)),
                error=data.get("error"), grants=dict(data.get("grants") or {}),
                network=NetworkSection.from_dict(network) if network else None,
                devices=dict(data.get("devices") or {}),
                notes=tuple(data.get("notes") or ()),
                joins=Joins.from_dict(data.get("joins") or {"links": []}),
                helpers_lost=tuple(dict(h) for h in need(data, "helpers_lost", list, "report"))
                if "helpers_lost" in data else (),
                recovered_stale=bool(data.get("recovered_stale", False)),
                last_state=data.get("last_state"),
                provisional=bool(data.get("provisional", False)), schema_version=version)
        except (TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, ReportFormatError):
                raise
            raise ReportFormatError(f"not a session report: {exc}") from exc

    @classmethod
    def from_json(cls, text: str | bytes) -> Report:
        """Read a report file's text."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ReportFormatError(f"not JSON: {exc}") from exc
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: Path) -> Report:
        """Read a report file."""
        return cls.from_json(path.read_bytes())


def build(plan: LaunchPlan, *, session_id: str, started: float, ended: float,
          durations: Mapping[str, float], status: int | None, stopped: bool,
          error: Mapping[str, Any] | None, network: Mapping[str, Any],
          devices: Mapping[str, Any], joins: Mapping[str, Any], checks: Sequence[Check],
          killed: int, helpers_lost: Sequence[Mapping[str, Any]] = ()) -> Report:
    """The report of a session of *plan* that ran to its end (pure: no I/O).

    *network*, *devices*, *joins*: what the backend, the device helpers and the join inbox
    said (their JSON forms); a backend with nothing to add about the network reports what
    the plan allowed. Device checks are not kept under ``devices``: they are in *checks*.
    """
    return Report(
        id=session_id, profile=plan.profile, backend=plan.backend,
        command=tuple(plan.command), started=started, ended=ended,
        durations=dict(durations), exit=exit_info(status), stopped_by_user=stopped,
        error=error, grants=plan.grants(),
        network=NetworkSection.from_dict(network or plan.network.to_dict()),
        devices={k: v for k, v in devices.items() if k != "checks"},
        notes=tuple(plan.notes), joins=Joins.from_dict(joins),
        helpers_lost=tuple(helpers_lost), wipe=wipe_section(checks, killed))


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def save(report: Report, extra: Path | None = None) -> list[str]:
    """Keep the report in the history, and at *extra* (``--report``) if given.

    Returns problems as text instead of raising: a full disk must not stop a wipe
    from being reported on the terminal.
    """
    problems = []
    text = report.to_json()
    targets = [paths.reports_dir() / f"{report.id}.json"]
    if extra is not None:
        targets.append(extra)
    for target in targets:
        try:
            _write_atomic(target, text)
        except OSError as exc:
            problems.append(f"could not write the report to {target}: {exc.strerror}")
    return problems


def check_report_path(raw: str | None) -> Path | None:
    """``--report FILE`` as a path, refused before the session starts if it cannot be written.

    The report is written at the very end (atomically: a temporary file in the same
    folder, then renamed), when it is too late to ask again; so the folder must be
    writable now, or creatable in a writable one.
    """
    if not raw:
        return None
    path = Path(raw)
    hint = "choose a file in a folder you can write, e.g. --report ~/session-report.json"
    if path.is_dir():
        raise SessionError(f"cannot write the report to {path}: it is a folder", hint)
    folder = path.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # missing folders are made at the end: check where
    if not folder.is_dir():
        raise SessionError(f"cannot write the report to {path}: {folder} is not a folder",
                           hint)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SessionError(
            f"cannot write the report to {path}: you may not write in the folder {folder}",
            hint)
    return path
