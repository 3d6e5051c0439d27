"""Desktop app benchmark: start to window shown, and idle memory in the tray.

``python benchmarks/app.py [--runs N]``, or ``run.py --suite app`` (which runs
``app.py suite N`` and reads its last line, JSON). Starts its own Xvfb and a real tray host
(trayer), and as root first becomes the unprivileged user ``sltest``, as the launch
suite does. Each run is a fresh interpreter, so the figures include Python's and Qt's
start. "Window shown" is the first Expose of the main window: the moment the X server
can show it. The clock is CLOCK_MONOTONIC, shared by this process and the child.
Targets (issue 5): start ≤ 1.5 s, idle RSS with the tray only ≤ 150 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import statistics
import subprocess
import sys
import time
from pathlib import Path

import run  # run.py, next to this file: the machine description for RESULTS.md

BENCH_USER = "sltest"
TARGET_START_S = 1.5
TARGET_RSS_BYTES = 150_000_000
IDLE_SECONDS = 3.0
PYTHON = Path(sys.prefix) / "bin" / "python"

CHILD = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
mode = sys.argv[1]
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import build
app = build(SessionService(), tray_only=(mode == "tray"))

class Exposed(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Expose and obj.isExposed():
            print(f"shown {time.monotonic():.6f}", flush=True)
            app.qapp.quit()
        return False

if mode == "window":
    handle = app.window.windowHandle()
    watcher = Exposed()
    handle.installEventFilter(watcher)
else:
    def measure():
        rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS"))
        print(f"rss {rss * 1024} tray {int(app.tray_shown)}", flush=True)
        app.qapp.quit()
    QTimer.singleShot(int(float(sys.argv[2]) * 1000), measure)
app.qapp.exec()
"""


def drop_privileges() -> None:
    """As root, become the benchmark user (the app never runs as root)."""
    if os.geteuid() != 0:
        return
    user = pwd.getpwnam(BENCH_USER)
    runtime = Path(f"/run/user/{user.pw_uid}")
    runtime.mkdir(parents=True, exist_ok=True)
    os.chown(runtime, user.pw_uid, user.pw_gid)
    os.environ.update(HOME=user.pw_dir, USER=user.pw_name, LOGNAME=user.pw_name,
                      XDG_RUNTIME_DIR=str(runtime))
    os.setgroups(os.getgrouplist(user.pw_name, user.pw_gid))
    os.setgid(user.pw_gid)
    os.setuid(user.pw_uid)


def start_display() -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]:
    """Xvfb on a free display, and trayer docked on it."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                             "1280x800x24", "-nolisten", "tcp", "+bs"],
                            pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        os.environ["DISPLAY"] = ":" + pipe.readline().strip().decode()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    tray = subprocess.Popen(["trayer", "--edge", "top", "--align", "right"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # trayer takes the tray selection
    return xvfb, tray


def run_child(*args: str) -> tuple[float, str]:
    """Spawn one app; return (spawn time, its output line)."""
    start = time.monotonic()
    done = subprocess.run([str(PYTHON), "-c", CHILD, *args], capture_output=True, text=True,
                          timeout=60, check=False)
    line = next((out for out in done.stdout.splitlines()
                 if out.startswith(("shown", "rss"))), "")
    if not line:
        raise RuntimeError(f"the app did not report (status {done.returncode}): "
                           f"{done.stderr.strip()[-500:]}")
    return start, line


def measure(runs: int) -> tuple[list[float], list[int], float]:
    """Start times (s), idle RSS (bytes) and the interpreter's bare start (s)."""
    xvfb, tray = start_display()
    starts: list[float] = []
    rss: list[int] = []
    try:
        run_child("window")  # warm-up: page cache, bytecode
        for _ in range(runs):
            spawned, line = run_child("window")
            starts.append(float(line.split()[1]) - spawned)
            _, line = run_child("tray", str(IDLE_SECONDS))
            fields = line.split()
            if fields[3] != "1":
                raise RuntimeError("the tray icon was not shown: is trayer running?")
            rss.append(int(fields[1]))
        _, baseline = run_child_python()
    finally:
        tray.terminate()
        xvfb.terminate()
        tray.wait(10)
        xvfb.wait(10)
    return starts, rss, baseline


def render(runs: int, starts: list[float], rss: list[int], baseline: float) -> list[str]:
    """The table with PASS/MISS against the targets (RESULTS.md's "App suite")."""
    med_start, med_rss = statistics.median(starts), statistics.median(rss)
    ok_start, ok_rss = med_start <= TARGET_START_S, med_rss <= TARGET_RSS_BYTES
    return [
        f"{runs} runs each after 1 warm-up, as the user {pwd.getpwuid(os.getuid()).pw_name}; "
        "each a fresh interpreter that builds the app as `sandbox-launcher` does "
        "(`ui.app.build`, real app service): from spawn to the main window's first Expose "
        "on Xvfb, and tray-only (`--tray`, trayer as the tray host) its RSS "
        f"{IDLE_SECONDS:g} s after start.", "",
        "| measure | median | min | max | target | |",
        "|---|---:|---:|---:|---:|---|",
        f"| start → main window shown | {med_start * 1000:.0f} ms | "
        f"{min(starts) * 1000:.0f} ms | {max(starts) * 1000:.0f} ms | "
        f"≤ {TARGET_START_S * 1000:.0f} ms | **{'PASS' if ok_start else 'MISS'}** |",
        f"| idle RSS, tray only | {med_rss / 1e6:.1f} MB | {min(rss) / 1e6:.1f} MB | "
        f"{max(rss) / 1e6:.1f} MB | ≤ {TARGET_RSS_BYTES / 1e6:.0f} MB | "
        f"**{'PASS' if ok_rss else 'MISS'}** |",
        f"| baseline: `python -c pass` | {baseline * 1000:.0f} ms | | | | |",
    ]


def main(argv: list[str]) -> int:
    """Measure and print the table; ``suite N``: also a JSON last line for run.py."""
    suite = argv[:1] == ["suite"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(["--runs", *argv[1:2]] if suite else argv)
    drop_privileges()
    try:
        starts, rss, baseline = measure(args.runs)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        print(f"app.py: error: {exc}", file=sys.stderr)
        return 1
    body = render(args.runs, starts, rss, baseline)
    print("\n".join(body), file=sys.stderr if suite else sys.stdout)
    if suite:
        print(json.dumps({"body": body, "machine": run.machine_info()}))
        return 0
    ok = statistics.median(starts) <= TARGET_START_S and (
        statistics.median(rss) <= TARGET_RSS_BYTES)
    return 0 if ok else 1


def run_child_python() -> tuple[float, float]:
    """The interpreter's bare start, measured the same way, as a baseline."""
    start = time.monotonic()
    subprocess.run([str(PYTHON), "-c", "pass"], check=True)
    return start, time.monotonic() - start


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
