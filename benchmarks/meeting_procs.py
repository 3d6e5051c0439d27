"""The helpers of a running session, found by its process tree, and what they cost.

Every process below the launcher is either the sandbox (bubblewrap with the client in
it: not a helper) or one of its helpers, named by program: the jail's holder (it also
runs the filtering resolver) and its pasta, Xephyr, the window manager (bubblewrap
around openbox), the sound server (bubblewrap around PulseAudio), the pacat forwarders,
xdg-dbus-proxy. CPU is user + system time from ``/proc/PID/stat``; memory is PSS
(``smaps_rollup``: shared pages split between their users, so the sum is not inflated)
and RSS beside it.
"""

from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
#: Helper kinds in the order the tables show them.
KINDS = ("launcher", "holder + resolver", "pasta", "Xephyr", "window manager",
         "sound server", "forwarders", "D-Bus proxy", "other")


def _stat(pid: int) -> tuple[int, float] | None:
    """Parent pid and CPU seconds of *pid*, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def _cmdline(pid: int) -> list[str]:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    return []


def children_map() -> dict[int, list[int]]:
    """Every process's children, from one pass over /proc."""
    out: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            out[found[0]].append(int(entry.name))
    return out


def subtree(pid: int, children: dict[int, list[int]]) -> list[int]:
    """*pid* and all its descendants."""
    out, todo = [], [pid]
    while todo:
        out.append(current := todo.pop())
        todo.extend(children.get(current, ()))
    return out


def classify(launcher: int) -> tuple[dict[int, str], list[int]]:
    """The session's helpers (pid → kind) and the sandbox's processes (the client's)."""
    children = children_map()
    helpers: dict[int, str] = {launcher: "launcher"}
    sandbox: list[int] = []
    for child in children.get(launcher, ()):
        argv = _cmdline(child)
        program = os.path.basename(argv[0]) if argv else ""
        tree = subtree(child, children)
        if "sandbox_launcher.netjail.holder" in argv:
            helpers[child] = "holder + resolver"
            helpers.update((pid, "pasta") for pid in tree if pid != child)
            continue
        confined = {os.path.basename((_cmdline(pid) or [""])[0]) for pid in tree}
        if program == "bwrap" and "pulseaudio" in confined:
            helpers.update((pid, "sound server") for pid in tree)
            continue
        if program == "bwrap" and "openbox" in confined:
            helpers.update((pid, "window manager") for pid in tree)
            continue
        kind = {"Xephyr": "Xephyr", "pacat": "forwarders", "xdg-dbus-proxy": "D-Bus proxy",
                "pasta": "pasta", "pasta.avx2": "pasta"}.get(program)
        if kind is not None:
            helpers.update((pid, kind) for pid in tree)
        elif program in ("bwrap", "nsenter"):
            sandbox += tree
        else:
            helpers.update((pid, "other") for pid in tree)
    return helpers, sandbox


def cpu(pids: Iterable[int]) -> dict[int, float]:
    """CPU seconds so far of each live pid."""
    return {pid: found[1] for pid in pids if (found := _stat(pid)) is not None}


def memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of *pid* in bytes; zeros once it is gone."""
    pss = rss = 0
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Pss:", "Rss:")):
                value = int(line.split()[1]) * 1024
                if line.startswith("Pss:"):
                    pss = value
                else:
                    rss = value
    return pss, rss


@dataclass
class Cost:
    """Per helper kind: % of one core over a window, PSS and RSS bytes at its end."""

    cpu_percent: dict[str, float]
    pss: dict[str, int]
    rss: dict[str, int]
    processes: dict[str, int]

    @property
    def total_cpu(self) -> float:
        """All helpers' CPU, % of one core."""
        return sum(self.cpu_percent.values())

    @property
    def total_pss(self) -> int:
        """All helpers' PSS, bytes."""
        return sum(self.pss.values())


class Window:
    """CPU of a session's helpers between :meth:`open` and :meth:`close`."""

    def __init__(self, launcher: int, extra: dict[int, str] | None = None) -> None:
        self.launcher = launcher
        self.extra = extra or {}
        self.helpers: dict[int, str] = {}
        self.sandbox: list[int] = []
        self.before: dict[int, float] = {}
        self.started = 0.0

    def open(self, now: float) -> None:
        """Find the helpers and note their CPU time."""
        self.helpers, self.sandbox = classify(self.launcher)
        self.helpers.update(self.extra)
        self.before = cpu([*self.helpers, *self.sandbox])
        self.started = now

    def close(self, now: float) -> tuple[Cost, float]:
        """The helpers' cost over the window, and the sandbox's (client's) CPU %."""
        after = cpu([*self.helpers, *self.sandbox])
        wall = now - self.started
        used: dict[str, float] = defaultdict(float)
        pss: dict[str, int] = defaultdict(int)
        rss: dict[str, int] = defaultdict(int)
        count: dict[str, int] = defaultdict(int)
        for pid, kind in self.helpers.items():
            if pid in after and pid in self.before:
                used[kind] += (after[pid] - self.before[pid]) / wall * 100
            p, r = memory(pid)
            pss[kind] += p
            rss[kind] += r
            count[kind] += 1
        client = sum(after[p] - self.before[p] for p in self.sandbox
                     if p in after and p in self.before) / wall * 100
        return Cost(dict(used), dict(pss), dict(rss), dict(count)), client
