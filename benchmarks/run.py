"""Benchmarks: ``python benchmarks/run.py [--suite launch|network|app|screen|usage|meeting|all]
[--markdown FILE]``.

The launch suite times ``sandbox-launcher run generic -- /bin/true`` against baselines
measured in the same run (DESIGN.md §6): bare ``/bin/true``, a comparable bare ``bwrap``
and the interpreter's own start. Variants are interleaved so that drift hits all of them
alike. The network suite (``network.py``, root only: it builds a fake internet in network
namespaces) compares the same client jailed and unconfined. The app suite (``app.py``)
times the desktop app's start to its window and its idle memory in the tray. The screen
suite (``screen.py``) measures the X11 window mirror of screen sharing: CPU and frames a
second for a busy and a still 1280x720 window. The usage suite (``usage.py``) measures
what the live "device in use" checks cost at every snapshot. The meeting suite
(``meeting.py``, root only) compares a stand-in meeting client's voice delay, video,
media packets and helper cost in a session and unconfined. The spare suite
(``spare.py``, root only) times a click to the client's first instruction with a spare
session and cold.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import pwd
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

#: The unprivileged user the launcher runs as (parallel checkouts: their own, as the tests).
BENCH_USER = os.environ.get("SANDBOX_LAUNCHER_TEST_USER", "sltest")
WARMUP_RUNS = 3
TARGET_MS = 250.0
TARGET_RSS_BYTES = 60_000_000  # "60 MB" in the issue; read as decimal MB, the stricter one
BIN = Path(sys.prefix) / "bin"  # the venv whose python runs this script
TOP_IMPORTS = 5
SECTIONS = ("Launch suite", "Network suite", "App suite", "Screen suite",
            "Usage suite", "VM suite", "Meeting suite", "Spare suite")  # RESULTS.md order


@dataclass
class Variant:
    """One command line to time, with its samples."""

    name: str
    argv: list[str]
    wall_ms: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)


def drop_privileges(name: str = BENCH_USER) -> None:
    """As root, become the unprivileged benchmark user, as the app runs for real users.

    Done in-process rather than with ``runuser`` so no variant pays for a PAM session.
    """
    if os.geteuid() != 0:
        return
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "-m", "-s", "/bin/bash", name], check=True)
        user = pwd.getpwnam(name)
    runtime_dir = Path(f"/run/user/{user.pw_uid}")
    runtime_dir.mkdir(parents=True, exist_ok=True)
    os.chown(runtime_dir, user.pw_uid, user.pw_gid)
    runtime_dir.chmod(0o700)
    os.environ.update(HOME=user.pw_dir, USER=user.pw_name, LOGNAME=user.pw_name,
                      XDG_RUNTIME_DIR=str(runtime_dir))
    os.setgroups(os.getgrouplist(user.pw_name, user.pw_gid))
    os.setgid(user.pw_gid)
    os.setuid(user.pw_uid)  # last: after it we could no longer change groups


def bare_bwrap_argv() -> list[str]:
    """``bwrap`` with the launcher's namespaces, read-only /usr and fresh /proc, /dev, tmpfs."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SystemExit("run.py: error: bwrap is not installed")
    argv = [bwrap, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr"]
    for link in ("/bin", "/lib", "/lib64", "/sbin"):
        if os.path.islink(link):  # merged /usr: recreate the host's links, as the launcher does
            argv += ["--symlink", os.readlink(link), link]
    return [*argv, "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/home",
            "--", "/bin/true"]


def time_once(variant: Variant, stderr_fd: int) -> None:
    """Spawn, wait, record wall time and the child tree's peak RSS; raise if it failed."""
    os.ftruncate(stderr_fd, 0)
    os.lseek(stderr_fd, 0, os.SEEK_SET)
    actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_DUP2, stderr_fd, 2)]
    start = time.perf_counter()
    pid = os.posix_spawn(variant.argv[0], variant.argv, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        os.lseek(stderr_fd, 0, os.SEEK_SET)
        output = os.read(stderr_fd, 4096).decode(errors="replace").strip()
        raise RuntimeError(f"{variant.name} exited with status "
                           f"{os.waitstatus_to_exitcode(status)}: {output or '(no stderr)'}")
    variant.wall_ms.append(elapsed * 1000)
    variant.rss_kib.append(usage.ru_maxrss)  # KiB on Linux


def run_rounds(variants: list[Variant], runs: int) -> None:
    """Round-robin; the start rotates every round so no variant always follows the same one."""
    with tempfile.TemporaryFile() as stderr_file:
        for round_no in range(WARMUP_RUNS + runs):
            shift = round_no % len(variants)
            for variant in variants[shift:] + variants[:shift]:
                time_once(variant, stderr_file.fileno())
    for variant in variants:  # warm-ups fill caches (page cache, bytecode); drop them
        del variant.wall_ms[:WARMUP_RUNS], variant.rss_kib[:WARMUP_RUNS]


def p90(values: list[float]) -> float:
    """Nearest-rank 90th percentile: always one of the measured values."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 9 // 10) - 1)]


def import_cost() -> tuple[list[tuple[int, str]], bool]:
    """Top cumulative imports of the CLI path, and whether that path pulls in Qt."""
    code = ("import sys, sandbox_launcher.cli.main, sandbox_launcher.cli.commands; "
            "print(any(m.split('.')[0] == 'PySide6' for m in sys.modules))")
    done = subprocess.run([str(BIN / "python"), "-X", "importtime", "-c", code],
                          capture_output=True, text=True, check=True)
    rows: list[tuple[int, str]] = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    rows.sort(reverse=True)
    return rows[:TOP_IMPORTS], done.stdout.strip() == "True"


def machine_info() -> list[tuple[str, str]]:
    """What the figures depend on, for RESULTS.md."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    bwrap = subprocess.run(["bwrap", "--version"], capture_output=True, text=True, check=False)
    return [("nproc", str(len(os.sched_getaffinity(0)))), ("kernel", platform.release()),
            ("CPU", cpu), ("bwrap", bwrap.stdout.strip()),
            ("python", sys.version.split()[0] + f" ({sys.executable})"),
            ("user", f"{pwd.getpwuid(os.getuid()).pw_name} (uid {os.getuid()})"),
            ("date", datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"))]


def report(variants: list[Variant], runs: int) -> list[str]:
    """The result table and target verdicts as Markdown lines (readable as plain text)."""
    base_true, base_bwrap = (statistics.median(v.wall_ms) for v in variants[:2])
    lines = [f"{runs} runs per variant after {WARMUP_RUNS} warm-ups, interleaved.", "",
             "| variant | median ms | p90 ms | median peak RSS MiB | vs /bin/true | vs bwrap |",
             "|---|---:|---:|---:|---:|---:|"]
    # Linux copies the spawning process's RSS high-water mark into the child's at exec, so
    # no child can report less than this script's own peak: such figures are only a bound.
    floor_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for v in variants:
        med, rss_kib = statistics.median(v.wall_ms), statistics.median(v.rss_kib)
        rss_text = f"≤ {rss_kib / 1024:.1f} (floor)" if rss_kib <= floor_kib else (
            f"{rss_kib / 1024:.1f}")
        lines.append(f"| `{v.name}` | {med:.1f} | {p90(v.wall_ms):.1f} | {rss_text} | "
                     f"{med / base_true:.1f} | {med / base_bwrap:.2f} |")
    launcher = variants[2]
    med_ms = statistics.median(launcher.wall_ms)
    rss = statistics.median(launcher.rss_kib) * 1024
    nproc = len(os.sched_getaffinity(0))
    lines += ["", f"- launcher median {med_ms:.1f} ms, target ≤ {TARGET_MS:.0f} ms "
              f"(on 2 cores; this machine has {nproc}): "
              f"**{'PASS' if med_ms <= TARGET_MS else 'MISS'}**",
              f"- launcher peak RSS {rss / 1e6:.1f} MB ({rss / 2**20:.1f} MiB), "
              f"target ≤ {TARGET_RSS_BYTES / 1e6:.0f} MB: "
              f"**{'PASS' if rss <= TARGET_RSS_BYTES else 'MISS'}**",
              "- peak RSS is `wait4()`'s `ru_maxrss`: the maximum over the child and the "
              "descendants it reaped, not their sum; for the launcher its own python "
              "process dominates.",
              f"- floor: the kernel starts a spawned child's `ru_maxrss` at its parent's peak "
              f"(here this script, {floor_kib / 1024:.1f} MiB), so figures marked (floor) "
              "are an upper bound, not the program's own size."]
    return lines


def import_lines(top: list[tuple[int, str]], imports_qt: bool) -> list[str]:
    """Import-cost section: ``-X importtime`` top entries and the Qt check."""
    lines = ["`python -X importtime -c 'import sandbox_launcher.cli.main, "
             "sandbox_launcher.cli.commands'`, top cumulative:", ""]
    lines += [f"- {us / 1000:.1f} ms `{name.strip()}`" for us, name in top]
    return [*lines, "", f"CLI imports Qt: {'yes' if imports_qt else 'no'}"]


def section(body: list[str], machine: list[tuple[str, str]]) -> list[str]:
    """One suite's part of RESULTS.md: its figures plus the machine they were measured on."""
    return [*body, "", "### Machine", "", *(f"- {key}: {value}" for key, value in machine)]


def write_markdown(out: TextIO, sections: dict[str, list[str]]) -> None:
    """RESULTS.md: replace the sections measured now, keep the other suite's last ones."""
    out.seek(0)
    kept: dict[str, list[str]] = {}
    for part in out.read().split("\n## ")[1:]:
        title, _, text = part.partition("\n")
        kept[title.strip()] = text.strip("\n").splitlines()
    kept.update(sections)
    out.seek(0)
    out.truncate()
    out.write("# Benchmark results\n\nMade by `.venv/bin/python benchmarks/run.py --markdown "
              "benchmarks/RESULTS.md` as root; `--suite launch`, `--suite network`, "
              "`--suite app`, `--suite screen`, `--suite usage`, `--suite vm`, "
              "`--suite meeting` or `--suite spare` re-measures one section and keeps the "
              "others.\n")
    # Sections no suite of this runner writes (the soak and verify runs' own) stay, after ours.
    order = [t for t in SECTIONS if t in kept] + [t for t in kept if t not in SECTIONS]
    for title in order:
        out.write(f"\n## {title}\n\n" + "\n".join(kept[title]) + "\n")


def launch_suite(runs: int) -> list[str] | None:
    """Drop root, measure the launch, print; the section for RESULTS.md, None on failure."""
    drop_privileges()
    launcher = BIN / "sandbox-launcher"
    if not launcher.exists():
        print(f"run.py: error: {launcher} is missing; install the project in its venv",
              file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory(prefix="sl-bench-pyc-") as pycache:
        # An installed package ships .pyc files; without a writable cache (a checkout owned
        # by another user, PYTHONDONTWRITEBYTECODE) every launch would recompile the
        # launcher. A private prefix gives that cache without writing into the checkout.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = pycache
        variants = [Variant("/bin/true", ["/bin/true"]),
                    Variant("bwrap (bare)", bare_bwrap_argv()),
                    Variant("sandbox-launcher run generic -- /bin/true",
                            [str(launcher), "run", "generic", "--", "/bin/true"]),
                    Variant("python -I -c pass", [str(BIN / "python"), "-I", "-c", "pass"]),
                    # Parsing only: what every command pays before it does anything.
                    Variant("sandbox-launcher --help", [str(launcher), "--help"])]
        try:
            run_rounds(variants, runs)
            top, imports_qt = import_cost()
        except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
            print(f"run.py: error: {exc}", file=sys.stderr)
            return None
    body = [*report(variants, runs), "", *import_lines(top, imports_qt)]
    print("\n".join(body))
    return section(body, machine_info())


def network_suite(runs: int, script: str = "network.py") -> list[str] | None:
    """As root: ``network.py suite`` measures and prints; the section, None on failure.

    A child process, so that its memory does not raise this script's peak RSS: the
    launch suite's children would inherit that as their floor (see :func:`report`).
    The meeting suite (``meeting.py suite SECONDS``) is run the same way.
    """
    argv = [sys.executable, str(Path(__file__).with_name(script)), "suite", str(runs)]
    # Not subprocess.run: on Ctrl-C it would kill the suite before it tears its fake
    # internet down. Popen's exit waits for the child instead.
    with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          text=True) as suite:
        out, _ = suite.communicate()
    if suite.returncode != 0 or not out.strip():
        print(f"run.py: error: the {script[:-3]} suite failed (exit {suite.returncode})",
              file=sys.stderr)
        return None
    result = json.loads(out.splitlines()[-1])
    print("\n".join(result["body"]))
    return section(result["body"], [(str(k), str(v)) for k, v in result["machine"]])


def app_suite(runs: int, script: str = "app.py") -> list[str] | None:
    """``app.py suite N`` in a child (it becomes the benchmark user itself): the section.

    The screen suite (``screen.py suite N``) is run the same way.
    """
    argv = [sys.executable, str(Path(__file__).with_name(script)), "suite", str(runs)]
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                          timeout=1800, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        print(f"run.py: error: the {script[:-3]} suite failed (exit {done.returncode})",
              file=sys.stderr)
        return None
    result = json.loads(done.stdout.splitlines()[-1])
    return section(result["body"], [(str(k), str(v)) for k, v in result["machine"]])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=("launch", "network", "app", "screen", "usage",
                                            "vm", "meeting", "spare", "all"),
                        default="all",
                        help="which benchmarks to run (default: all; network needs root)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per launch variant")
    parser.add_argument("--net-runs", type=int, default=15,
                        help="rounds (samples per variant) of the network suite")
    parser.add_argument("--app-runs", type=int, default=10,
                        help="app starts (window and tray each) of the app suite")
    parser.add_argument("--screen-runs", type=int, default=3,
                        help="runs (10 s per case) of the screen suite")
    parser.add_argument("--usage-scans", type=int, default=500,
                        help="checks (each timed) of the usage suite")
    parser.add_argument("--vm-runs", type=int, default=3,
                        help="rounds (bare QEMU and libvirt VM each) of the vm suite")
    parser.add_argument("--meeting-seconds", type=int, default=30,
                        help="seconds of each call (unconfined and sandboxed) of the "
                             "meeting suite")
    parser.add_argument("--spare-runs", type=int, default=10,
                        help="rounds (each profile spare and cold) of the spare suite (root)")
    parser.add_argument("--markdown", metavar="FILE", type=Path, help="also write Markdown here")
    return parser


def main() -> int:
    """Parse options, drop root, measure, print, optionally write Markdown."""
    parser = _parser()
    args = parser.parse_args()
    if min(args.runs, args.net_runs, args.app_runs, args.screen_runs, args.usage_scans,
           args.meeting_seconds, args.spare_runs) < 1:
        parser.error("every count (--runs, --net-runs, ...) must be at least 1")
    if args.suite in ("network", "meeting") and os.geteuid() != 0:
        parser.error("the network suite needs root: it builds a fake internet in network "
                     "namespaces (it runs the launcher as the user sltest)")
    # Opened before dropping root (the benchmark user may not write into the checkout), but
    # not emptied: a failed run leaves the previous results; rewritten only on success.
    markdown = args.markdown.open("a+", encoding="utf-8") if args.markdown else None
    root = os.geteuid() == 0
    if args.suite == "all" and not root:
        print("run.py: skipping the network, meeting and spare suites: they need root",
              file=sys.stderr)
    # In this order: the ones that need root (a fake internet) and the children first, the
    # launch suite last (it gives up root for good).
    suites: list[tuple[str, str, Callable[[], list[str] | None], bool]] = [
        ("network", "Network suite", lambda: network_suite(args.net_runs), True),
        ("meeting", "Meeting suite",
         lambda: network_suite(args.meeting_seconds, "meeting.py"), True),
        ("app", "App suite", lambda: app_suite(args.app_runs), False),
        ("screen", "Screen suite", lambda: app_suite(args.screen_runs, "screen.py"), False),
        ("usage", "Usage suite", lambda: app_suite(args.usage_scans, "usage.py"), False),
        ("vm", "VM suite", lambda: app_suite(args.vm_runs, "vm.py"), False),
        ("spare", "Spare suite", lambda: app_suite(args.spare_runs, "spare.py"), True),
        ("launch", "Launch suite", lambda: launch_suite(args.runs), False),
    ]
    sections: dict[str, list[str]] = {}
    for name, title, measure, needs_root in suites:
        if args.suite not in (name, "all") or (needs_root and not root):
            continue
        if (body := measure()) is None:
            return 1
        sections[title] = body
        print()
    if markdown:
        with markdown:
            write_markdown(markdown, sections)
    return 0


if __name__ == "__main__":
    sys.exit(main())
