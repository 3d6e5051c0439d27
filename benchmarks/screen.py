"""Screen-sharing benchmark: what the X11 window mirror costs, in CPU and frames a second.

``python benchmarks/screen.py [--runs N] [--seconds S]``, or ``run.py --suite screen``
(which runs ``screen.py suite N`` and reads its last line, JSON). Starts its own Xvfb
(2560x1600) as the host display, a nested Xephyr on it of a session's default size
(1280x800), and a 1280x720 host window painted by ``tests/integration/x11_painter.py``,
then runs the real mirror (``python -m sandbox_launcher.devices.mirror``, at its default
rate) for S seconds:

- *busy*: the window repaints every pixel 30 times a second (a video; the worst case);
- *still*: the window does not change (slides, a document);
- *baseline*: the busy window with no mirror, for the X servers' own share;
- *large*: a busy 2560x1440 window, larger than the nested screen: the mirror halves it
  (every other pixel of every other row) to 1280x720.

CPU is user+system time from ``/proc/PID/stat`` of the mirror and of both X servers
(100 % = one core busy); frames a second are the mirror's own count of copies over its
whole run (its ``stopped`` line), the first second's full copy included.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import run  # run.py, next to this file: the machine description for RESULTS.md

ROOT = Path(__file__).resolve().parents[1]
PAINTER = ROOT / "tests" / "integration" / "x11_painter.py"
PYTHON = Path(sys.prefix) / "bin" / "python"
TICKS = os.sysconf("SC_CLK_TCK")
WINDOW = "1280x720+40+40"
#: Larger than the nested screen (1280x800): scaled down by 2.
LARGE = "2560x1440"
LARGE_WINDOW = f"{LARGE}+0+0"
NESTED = "1280x800"
#: A busy 1280x720 window must not take more than a third of one of the 2 cores.
TARGET_CPU_PERCENT = 33.0


def cpu_seconds(pid: int) -> float:
    """User + system time of *pid* so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _server(argv: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen([*argv[:1], "-displayfd", str(write_fd), *argv[1:]],
                              pass_fds=(write_fd,), env=env, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        number = pipe.readline().strip().decode()
    if not number:
        raise RuntimeError(f"{argv[0]} did not start")
    return server, f":{number}"


def measure(runs: int, seconds: float) -> dict[str, list[dict[str, float]]]:
    """Samples per case: mirror/server CPU % and frames a second."""
    from sandbox_launcher.devices.xauth import new_cookie, wild_cookie

    work = Path(tempfile.mkdtemp(prefix="sl-bench-screen-"))
    auth = work / "Xauthority"
    auth.write_bytes(wild_cookie(0, new_cookie()).pack())
    base = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(work)}
    xvfb, host = _server(["Xvfb", "-screen", "0", "2560x1600x24", "-nolisten", "tcp"], base)
    env = {**base, "DISPLAY": host}
    xephyr, nested = _server(["Xephyr", "-auth", str(auth), "-nolisten", "tcp",
                              "-no-host-grab", "-noreset", "-screen", NESTED], env)
    samples: dict[str, list[dict[str, float]]] = {"busy": [], "still": [], "baseline": [],
                                                  "large": []}
    try:
        for _ in range(runs):
            for case, found in samples.items():
                found.append(_one(case, env, nested, auth, seconds, xvfb, xephyr))
    finally:
        for server in (xephyr, xvfb):
            server.terminate()
            server.wait(10)
        auth.unlink(missing_ok=True)
        work.rmdir()
    return samples


def _one(case: str, env: dict[str, str], nested: str, auth: Path, seconds: float,
         xvfb: subprocess.Popen[bytes], xephyr: subprocess.Popen[bytes]) -> dict[str, float]:
    argv = [str(PYTHON), str(PAINTER), "--title", "bench",
            "--geometry", LARGE_WINDOW if case == "large" else WINDOW,
            "--colour", "2080c0", "--stripes", "f0a000"]
    if case != "still":
        argv += ["--animate", "30"]
    painter = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    assert painter.stdout is not None and painter.stdin is not None
    window = json.loads(painter.stdout.readline())["window"]
    mirror = None
    try:
        if case != "baseline":
            mirror = subprocess.Popen(
                [str(PYTHON), "-I", "-m", "sandbox_launcher.devices.mirror", "--window",
                 str(window), "--nested-display", nested, "--nested-auth", str(auth)],
                env=env, stdout=subprocess.PIPE, text=True)
            assert mirror.stdout is not None
            ready = json.loads(mirror.stdout.readline())
            if ready.get("event") != "ready":
                raise RuntimeError(f"the mirror did not start: {ready}")
        time.sleep(1.0)  # settle: the first full copy is not the steady state
        pids = {"xvfb": xvfb.pid, "xephyr": xephyr.pid}
        if mirror is not None:
            pids["mirror"] = mirror.pid
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        start = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - start
        used = {name: (cpu_seconds(pid) - before[name]) / elapsed * 100
                for name, pid in pids.items()}
        fps = 0.0
        if mirror is not None and mirror.stdout is not None:
            mirror.terminate()  # it says how many copies it made, over how long
            stopped = json.loads(mirror.stdout.read().splitlines()[-1])
            fps = stopped["frames"] / stopped["seconds"]
        return {**used, "fps": fps}
    finally:
        if mirror is not None:
            mirror.terminate()
            mirror.wait(10)
            if mirror.stdout is not None:
                mirror.stdout.close()
        painter.stdin.close()
        painter.wait(10)
        painter.stdout.close()


def render(runs: int, seconds: float, samples: dict[str, list[dict[str, float]]]) -> list[str]:
    """The table (RESULTS.md's "Screen suite")."""
    def med(case: str, key: str) -> float:
        return statistics.median(s.get(key, 0.0) for s in samples[case])

    lines = [f"{runs} runs of {seconds:g} s per case; a 1280x720 host window on Xvfb "
             f"mirrored into a nested {NESTED} Xephyr at the mirror's default rate (10 "
             "frames a second at most); the large window is scaled down by 2 (every other "
             "pixel of every other row) to fit. CPU: % of one core (user + system).", "",
             "| case | mirror fps | mirror CPU % | Xvfb CPU % | Xephyr CPU % |",
             "|---|---:|---:|---:|---:|"]
    for case, text in (("busy", "busy window (every pixel changes, 30 Hz)"),
                       ("still", "still window"),
                       ("baseline", "busy window, no mirror (baseline)"),
                       ("large", f"busy {LARGE} window into {NESTED} "
                                 "(scaled ÷2)")):
        lines.append(f"| {text} | {med(case, 'fps'):.1f} | {med(case, 'mirror'):.1f} | "
                     f"{med(case, 'xvfb'):.1f} | {med(case, 'xephyr'):.1f} |")
    busy = med("busy", "mirror")
    lines += ["", f"- busy mirror {busy:.1f} % of a core, target ≤ {TARGET_CPU_PERCENT:g} %: "
              f"**{'PASS' if busy <= TARGET_CPU_PERCENT else 'MISS'}**",
              f"- busy {LARGE} window, scaled: mirror "
              f"{med('large', 'mirror'):.1f} % of a core (it reads 4 times the pixels it "
              "draws)"]
    return lines


def main() -> int:
    """``screen.py [--runs N] [--seconds S]`` prints the table; ``suite N`` prints JSON."""
    if sys.argv[1:2] == ["suite"]:
        runs = int(sys.argv[2])
        body = render(runs, 10.0, measure(runs, 10.0))
        print("\n".join(body))
        print(json.dumps({"body": body, "machine": run.machine_info()}))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    print("\n".join(render(args.runs, args.seconds, measure(args.runs, args.seconds))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
