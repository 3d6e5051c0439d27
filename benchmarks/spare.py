"""Click to client (issue 17): the app's launch call to the client's first instruction,
with a spare session and cold, for a Zoom-like and a web profile.

``python benchmarks/spare.py suite N`` as root, or ``run.py --suite spare``. Builds the
tests' fake internet (the jail's pasta needs an uplink; nothing leaves the machine), then,
as the benchmark user in its host namespace with an Xvfb of its own (the profiles' nested
display needs one), drives the app's service (``session/service.py``, no Qt): each
round clicks each profile once from a spare and once cold (``start(..., spare=False)``),
interleaved, each time after the profile's spare is ready again, so both see the same
idle spare in the background. The stand-in client's first instruction prints the wall
clock (``date +%s%N``: CLOCK_REALTIME, which the sandbox's time namespace leaves alone);
the click's time is taken just before ``start``.

- ``zoom-like``: Zoom's sandbox (its network allowlist, home, nested user namespaces,
  nested display) as a user profile whose command is the stand-in: the store's client
  mount is the one part left out (no installed client in the benchmark user's store).
- ``jitsi-web``: the built-in web profile with a meeting link; the stand-in takes the
  browser's place (the link is its argument).

Target: ≤ 100 ms from click to client with a spare.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import run  # run.py, next to this file: the user switch and the machine description

from sandbox_launcher.verify import fake_internet as fi

TARGET_MS = 100.0
READY_TIMEOUT = 60.0
#: The stand-in client: its first instruction prints the time (a link comes as $1).
STAND_IN = ("/bin/sh", "-c", "exec /bin/date +%s%N", "stand-in")
LINK = "https://meet.jit.si/SpareBenchRoom"
ZOOM_LIKE = """\
title = "Zoom-like (benchmark)"
client = "none"
command = ["/bin/sh", "-c", "exec /bin/date +%s%N", "stand-in"]

[sandbox]
home_size = "2G"
nested_userns = true

[network]
mode = "allowlist"
domains = ["zoom.us", "*.zoom.us", "zoom.com", "*.zoom.com"]
ports = ["tcp/80", "tcp/443", "tcp/8801-8802", "udp/3478-3479", "udp/8801-8810"]
"""
PROFILES = ("zoom-like", "jitsi-web")


def start_xvfb() -> subprocess.Popen[bytes]:
    """Xvfb on a free display, for the sessions' nested display (Xephyr) to open on."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                             "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        os.environ["DISPLAY"] = ":" + pipe.readline().strip().decode()
    return xvfb


class Clicks:
    """The service, and the stand-in's timestamps read from the sandboxes' stdout."""

    def __init__(self, profiles_dir: Path, out_path: Path) -> None:
        from sandbox_launcher.session.entries import Finished
        from sandbox_launcher.session.service import SessionService

        self.finished_type = Finished
        self.service = SessionService(profiles_dir=profiles_dir,
                                      policy_path=Path("/nonexistent/policy.toml"),
                                      record_client=None)
        self.out_path = out_path
        self.done: dict[str, Any] = {}
        self.cond = threading.Condition()
        self.service.set_listener(self._on_event)

    def _on_event(self, event: Any) -> None:
        if isinstance(event, self.finished_type):
            with self.cond:
                self.done[event.session_id] = (event.outcome, event.error)
                self.cond.notify_all()

    def wait_spare(self, profile: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while self.service.spares.waiting(profile) is None:
            if profile in self.service.spares.problems or time.monotonic() > deadline:
                raise RuntimeError(f"no spare of {profile}: {self.service.spares.problems}")
            time.sleep(0.01)

    def click(self, profile: str, spare: bool) -> tuple[float, float, float]:
        """One launch to the client's first instruction, in ms; and, measured apart, what
        planning it costs and how long the jail took to open (pasta attaching)."""
        from sandbox_launcher.core.plan import RunOptions

        options = RunOptions(command=STAND_IN, join_url=LINK if profile == "jitsi-web"
                             else None)
        planned = time.perf_counter()
        self.service.launcher.plan(profile, options)  # as start() does, before the click
        plan_ms = (time.perf_counter() - planned) * 1e3
        before = self.out_path.stat().st_size
        clicked = time.time_ns()
        session_id = self.service.start(profile, options, spare=spare)
        with self.cond:
            if not self.cond.wait_for(lambda: session_id in self.done, timeout=120):
                raise RuntimeError(f"{profile}: the session did not end")
        with self.out_path.open("rb") as out:
            out.seek(before)
            stamps = [int(x) for x in out.read().split() if x.isdigit()]
        outcome, error = self.done[session_id]
        if not stamps:
            said = (error.summary if error is not None else
                    outcome.report.get("error") if outcome is not None else "nothing")
            raise RuntimeError(f"{profile} ({'spare' if spare else 'cold'}): the stand-in "
                               f"printed no time; the session said: {said}")
        network = outcome.report.get("network", {}) if outcome is not None else {}
        return (stamps[0] - clicked) / 1e6, plan_ms, float(network.get("open_ms", 0.0))


def idle_cost(xvfb: int, seconds: float = 5.0) -> dict[str, float]:
    """What the waiting spares cost: PSS and RSS of every helper process (the sandboxes,
    jails, nested displays; not our Xvfb), and their CPU over *seconds*."""
    import psutil

    procs = [p for p in psutil.Process().children(recursive=True) if p.pid != xvfb]
    before = {p.pid: sum(p.cpu_times()[:2]) for p in procs}
    time.sleep(seconds)
    cpu = pss = rss = 0.0
    for proc in procs:
        try:
            cpu += sum(proc.cpu_times()[:2]) - before[proc.pid]
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        pss, rss = pss + info.pss, rss + info.rss
    return {"processes": len(procs), "pss_mib": pss / 2**20, "rss_mib": rss / 2**20,
            "cpu_percent": cpu / seconds * 100}


def measure(runs: int) -> dict[str, Any]:
    """``spare.py measure N`` (as root, in the fake internet's host namespace)."""
    run.drop_privileges()
    xvfb = start_xvfb()
    samples: dict[str, list[float]] = {f"{p}/{k}": [] for p in PROFILES
                                       for k in ("spare", "cold", "plan", "open")}
    try:
        with tempfile.TemporaryDirectory(prefix="sl-bench-spare-") as work:
            profiles = Path(work) / "profiles"
            profiles.mkdir()
            (profiles / "zoom-like.toml").write_text(ZOOM_LIKE, encoding="utf-8")
            out_path = Path(work) / "stdout"
            # The sandboxes inherit our stdout: the stand-in's timestamps land in a file.
            saved = os.dup(1)
            with out_path.open("wb") as out:
                os.dup2(out.fileno(), 1)
            clicks = Clicks(profiles, out_path)
            try:
                clicks.service.spares.keep(list(PROFILES))
                for profile in PROFILES:
                    clicks.wait_spare(profile)
                cost = idle_cost(xvfb.pid)
                for round_no in range(1 + runs):  # round 0 warms up and is dropped
                    for profile in PROFILES:
                        for kind in (("spare", "cold") if round_no % 2 else ("cold", "spare")):
                            clicks.wait_spare(profile)
                            ms, plan_ms, open_ms = clicks.click(profile, kind == "spare")
                            if round_no:
                                samples[f"{profile}/{kind}"].append(ms)
                                samples[f"{profile}/plan"].append(plan_ms)
                                if kind == "spare":
                                    samples[f"{profile}/open"].append(open_ms)
            finally:
                clicks.service.shutdown()
                os.dup2(saved, 1)
                os.close(saved)
    finally:
        xvfb.kill()
        xvfb.wait()
    return {"samples": samples, "cost": cost, "machine": run.machine_info()}


def render(samples: dict[str, list[float]], runs: int, cost: dict[str, float]) -> list[str]:
    """The section's table: medians and p90 per profile, spare against cold."""
    lines = [f"Click (the app service's `start`) to the stand-in client's first instruction; "
             f"{runs} rounds after a warm-up, spare and cold interleaved, each click with "
             "the profile's spare ready in the background.", "",
             "| profile | spare median ms | spare p90 ms | cold median ms | cold p90 ms | "
             "cold / spare | planning ms | jail opening ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    verdicts = []
    for profile in PROFILES:
        spare, cold = samples[f"{profile}/spare"], samples[f"{profile}/cold"]
        med_s, med_c = statistics.median(spare), statistics.median(cold)
        lines.append(f"| `{profile}` | {med_s:.1f} | {run.p90(spare):.1f} | {med_c:.1f} | "
                     f"{run.p90(cold):.1f} | {med_c / med_s:.1f} | "
                     f"{statistics.median(samples[f'{profile}/plan']):.1f} | "
                     f"{statistics.median(samples[f'{profile}/open']):.1f} |")
        verdicts.append(f"- `{profile}` with a spare: median {med_s:.1f} ms, target ≤ "
                        f"{TARGET_MS:.0f} ms: **{'PASS' if med_s <= TARGET_MS else 'MISS'}**")
    return [*lines, "", *verdicts, "",
            "- zoom-like: Zoom's sandbox as a user profile with the stand-in as its command "
            "(no store client mounted); jitsi-web: the built-in profile with a link, the "
            "stand-in in the browser's place. Both have the nested display (Xephyr on an "
            "Xvfb) and the network jail; no host sound server runs, so no sound helper.",
            "- a spare's jail opens (pasta attaches) inside the measured time: it has no "
            "route out before the click. Planning (the profile and policy read, the plan "
            "checked) and the jail's opening are medians of both, measured apart; the rest "
            "is handing the command to the waiting stub and its exec.",
            f"- both spares waiting (one per profile): {cost['processes']:.0f} processes, "
            f"{cost['pss_mib']:.0f} MiB PSS ({cost['rss_mib']:.0f} MiB RSS, shared libraries "
            f"counted in each), {cost['cpu_percent']:.2f} % of one core over 5 s.",
            f"- load average when done: {os.getloadavg()[0]:.1f} (other developers share "
            "the 2 cores: absolute figures vary, the ratio is the point)."]


def suite(runs: int) -> int:
    """As root: fake internet, measure in it, print the section as JSON (last line)."""
    net = fi.FakeInternet()
    try:
        net.build()
        done = subprocess.run(fi.ns_argv(net.host_ns, [sys.executable, __file__, "measure",
                                                       str(runs)]),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                              timeout=60 * (runs + 2), check=False)
    finally:
        net.teardown()
    if done.returncode != 0 or not done.stdout.strip():
        print(f"spare.py: the measurement failed (exit {done.returncode})", file=sys.stderr)
        return 1
    result = json.loads(done.stdout.strip().splitlines()[-1])
    body = render(result["samples"], runs, result["cost"])
    print("\n".join(body), file=sys.stderr)
    print(json.dumps({"body": body, "machine": result["machine"]}))
    return 0


def main(argv: list[str]) -> int:
    """``suite N`` (root) or ``measure N`` (its child)."""
    if len(argv) == 2 and argv[0] == "measure":
        print(json.dumps(measure(int(argv[1]))), flush=True)
        return 0
    if len(argv) == 2 and argv[0] == "suite":
        return suite(int(argv[1]))
    print(__doc__.splitlines()[0] + "\nusage: spare.py suite N", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
