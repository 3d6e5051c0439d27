"""Load and fault runs (issue 16, item 4): the launcher holds, and leaks nothing.

``.venv/bin/python benchmarks/soak.py [--user NAME] [--markdown benchmarks/RESULTS.md]``
(as root: every launcher runs as NAME, the unprivileged user; otherwise as you):

- start/stop cycles per built-in kind: ``generic`` (no network) and ``zoom`` (the network
  jail: holder, nftables, resolver, pasta), each client ``/bin/true``;
- N sessions at once, each a peer of the hostile probe looking for its neighbour's
  processes, files and sockets while showing it sees its own;
- the launcher killed with SIGKILL at a random moment (half of them after a SIGTERM, to
  land in stopping, wiping and verifying too), then ``wipe --stale``.

After each part: no process, file or session left (``sessions --json`` empty), no
namespace held by a process of the user that was not there before. The test
(tests/integration/test_soak.py) runs the same code with small counts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAUNCHER = REPO / ".venv" / "bin" / "sandbox-launcher"
PROBE = REPO / "sandbox_launcher" / "verify" / "hostile_client.py"
PY = "/usr/bin/python3"
FULL = {"cycles": 100, "jailed_cycles": 30, "concurrent": 10, "kills": 20}


@dataclass
class Harness:
    """Runs the launcher as one user (setpriv when we are root and that user is not us)."""

    user: str | None
    env: dict[str, str]

    def argv(self, argv: Sequence[str]) -> list[str]:
        if self.user is None:
            return list(argv)
        return ["setpriv", f"--reuid={self.user}", f"--regid={self.user}", "--init-groups",
                "--", *argv]

    def run(self, args: Sequence[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.argv([str(LAUNCHER), *args]), env=self.env,
                              capture_output=True, text=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL, cwd=self.env.get("HOME", "/"))

    def spawn(self, args: Sequence[str]) -> subprocess.Popen[str]:
        return subprocess.Popen(self.argv([str(LAUNCHER), *args]), env=self.env, text=True,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=self.env.get("HOME", "/"))

    def uid(self) -> int:
        return int(subprocess.run(self.argv(["id", "-u"]), capture_output=True, text=True,
                                  check=True, timeout=30).stdout)


@dataclass
class Leaks:
    """What one check found left behind."""

    found: list[str] = field(default_factory=list)

    def add(self, what: str, items: Sequence[object]) -> None:
        self.found += [f"{what}: {item}" for item in items]


def _user_pids(uid: int) -> dict[int, str]:
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != uid:
                continue
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
            found[int(entry)] = cmd.decode(errors="replace")[:160]
        except OSError:
            continue
    return found


def _namespaces(pids: Sequence[int]) -> set[str]:
    held = set()
    for pid in pids:
        for kind in ("user", "net", "pid", "mnt"):
            try:
                held.add(os.readlink(f"/proc/{pid}/ns/{kind}"))
            except OSError:
                continue
    return held


def check_leaks(h: Harness, uid: int, before: dict[int, str], markers: Sequence[str]) -> Leaks:
    """Processes, namespaces, files and sessions left since *before*."""
    leaks = Leaks()
    deadline = time.monotonic() + 10  # reaping by the kernel is not instant under load
    while True:
        now = _user_pids(uid)
        new = {p: c for p, c in now.items() if p not in before and "setpriv" not in c}
        if not new or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    leaks.add("process", [f"{p} {c}" for p, c in new.items()])
    leaks.add("namespace", sorted(_namespaces(list(new)) - _namespaces(list(before))))
    listed = h.run(["sessions", "--json"])
    sessions = json.loads(listed.stdout or "[]") if listed.returncode == 0 else ["<failed>"]
    leaks.add("session", [s.get("id", s) if isinstance(s, dict) else s for s in sessions])
    runtime = Path(f"/run/user/{uid}")
    for root in ("/tmp", "/var/tmp", "/dev/shm", str(runtime)):
        for dirpath, dirs, files in os.walk(root):
            for name in (*dirs, *files):
                if any(m in name for m in markers):
                    leaks.add("file", [os.path.join(dirpath, name)])
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        leaks.add("mount", [line.split()[4] for line in fh if "sandbox-launcher" in line])
    return leaks


def cycles(h: Harness, profile: str, count: int) -> tuple[int, list[float]]:
    """*count* sessions of *profile* one after the other; (verified ones, seconds)."""
    ok, times = 0, []
    for _ in range(count):
        began = time.monotonic()
        done = h.run(["run", profile, "--", "/bin/true"])
        times.append(time.monotonic() - began)
        ok += done.returncode == 0 and "wipe could not be verified" not in done.stderr
    return ok, times


def concurrent(h: Harness, count: int) -> int:
    """*count* peers at once, each looking for its neighbour; how many saw nothing."""
    tag = secrets.token_hex(4)
    marks = [f"slsoak{tag}p{i}" for i in range(count)]
    procs = [h.spawn(["run", "generic", "--", PY, "-c", PROBE.read_text(), "peer",
                      "--marker", marks[i], "--other", marks[(i + 1) % count],
                      "--seconds", "4"]) for i in range(count)]
    isolated = 0
    for proc in procs:
        out, _err = proc.communicate(timeout=300)
        lines = [x for x in out.splitlines() if x.startswith("{") and '"peer"' in x]
        if proc.returncode == 0 and lines:
            result = json.loads(lines[-1])
            blind = not any(result[k] for k in ("saw_other_process", "saw_other_file",
                                                 "saw_other_socket"))
            isolated += blind and all(result["sees_own"].values())
    return isolated


def _session_of(runtime: Path, marker: str) -> tuple[str, str] | None:
    """(id, recorded state) of the session whose command carries *marker*."""
    for record in (runtime / "sandbox-launcher" / "sessions").glob("*/session.json"):
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if marker in " ".join(data.get("command", [])):
            return str(data["id"]), str(data["state"])
    return None


def _pipe_holders(proc: subprocess.Popen[str]) -> list[str]:
    """The command lines of the processes that still hold *proc*'s output pipe."""
    assert proc.stdout is not None
    pipe = os.readlink(f"/proc/self/fd/{proc.stdout.fileno()}")
    holders = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        if fd_dir.parent.name == str(os.getpid()):
            continue
        try:
            if any(os.readlink(fd) == pipe for fd in fd_dir.iterdir()):
                cmdline = (fd_dir.parent / "cmdline").read_bytes()
                holders.append(cmdline.replace(b"\0", b" ").decode(errors="replace")[:200])
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return holders


def _drain(proc: subprocess.Popen[str]) -> None:
    """Read a killed launcher's output to its end; say who held it if that never came."""
    try:
        proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        holders = _pipe_holders(proc)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        raise AssertionError(f"a killed launcher's output was still held after wipe "
                             f"--stale, by: {holders}") from None


def kills(h: Harness, count: int, rng: random.Random,
          runtime: Path, reports: Path) -> tuple[int, dict[str, int], int]:
    """Kill the launcher at random moments; (cleaned, states it was killed in, sessions
    that were seen and have a report afterwards)."""
    cleaned, states, reported, seen = 0, dict[str, int](), 0, 0
    for _ in range(count):
        marker = f"slsoakkill{secrets.token_hex(4)}"
        proc = h.spawn(["run", "zoom", "--", PY, "-c", "import time; time.sleep(30)", marker])
        time.sleep(rng.uniform(0.0, 1.5))
        if rng.random() < 0.5:  # into stopping, wiping, verifying
            proc.send_signal(signal.SIGTERM)
            time.sleep(rng.uniform(0.0, 0.08))  # the stop, wipe and verify take ~50 ms
        found = _session_of(runtime, marker)
        ended_before = proc.poll() is not None
        proc.kill()
        proc.wait(timeout=60)
        where = (found[1] if found else
                 "ended before the kill" if ended_before else "no session (yet, or any more)")
        states[where] = states.get(where, 0) + 1
        # A killed launcher's session may outlive it (its client still holds the output
        # pipe) until wipe --stale ends it (DESIGN.md §4): wait for the pipe after that.
        wiped = h.run(["wipe", "--stale"])
        _drain(proc)
        gone = h.run(["sessions", "--json"])
        cleaned += (wiped.returncode == 0 and gone.returncode == 0
                    and json.loads(gone.stdout or "[]") == [])
        if found:
            seen += 1
            reported += (reports / f"{found[0]}.json").exists()
    return cleaned, states, reported - seen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="sltest" if os.geteuid() == 0 else None)
    parser.add_argument("--markdown", type=Path)
    for key, value in FULL.items():
        parser.add_argument(f"--{key.replace('_', '-')}", type=int, default=value)
    args = parser.parse_args(argv)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    if args.user:
        import pwd

        entry = pwd.getpwnam(args.user)
        env |= {"HOME": entry.pw_dir, "USER": args.user,
                "XDG_RUNTIME_DIR": f"/run/user/{entry.pw_uid}"}
    else:
        env |= {k: os.environ[k] for k in ("HOME", "USER", "XDG_RUNTIME_DIR") if k in os.environ}
    h = Harness(args.user, env)
    lines = run_all(h, args.cycles, args.jailed_cycles, args.concurrent, args.kills)
    print("\n".join(lines))
    if args.markdown:
        write_section(args.markdown, lines)
    return 0 if all("**PASS**" in x for x in lines if x.startswith("- ")) else 1


def run_all(h: Harness, n_cycles: int, n_jailed: int, n_concurrent: int,
            n_kills: int) -> list[str]:
    """Every part with its leak check; Markdown lines with PASS/FAIL."""
    uid = h.uid()
    before = _user_pids(uid)
    lines = []

    def verdict(good: bool) -> str:
        return "**PASS**" if good else "**FAIL**"

    for profile, n in (("generic", n_cycles), ("zoom", n_jailed)):
        ok, times = cycles(h, profile, n)
        leaks = check_leaks(h, uid, before, ["slsoak"])
        kind = "no network" if profile == "generic" else "jailed"
        lines.append(f"- {n} start/stop cycles of `{profile}` ({kind}): "
                     f"{ok}/{n} wiped and verified, median {statistics.median(times):.2f} s, "
                     f"leaks {len(leaks.found)} {leaks.found[:3]}: "
                     f"{verdict(ok == n and not leaks.found)}")
    isolated = concurrent(h, n_concurrent)
    leaks = check_leaks(h, uid, before, ["slsoak"])
    lines.append(f"- {n_concurrent} sessions at once: {isolated}/{n_concurrent} blind to their "
                 f"neighbour (processes, files, sockets) and seeing their own, leaks "
                 f"{len(leaks.found)} {leaks.found[:3]}: "
                 f"{verdict(isolated == n_concurrent and not leaks.found)}")
    home = Path(h.env.get("HOME", "/"))
    cleaned, states, missing = kills(h, n_kills, random.Random(16), Path(f"/run/user/{uid}"),
                                     home / ".local" / "state" / "sandbox-launcher" / "reports")
    leaks = check_leaks(h, uid, before, ["slsoakkill"])
    where = ", ".join(f"{k} {v}" for k, v in sorted(states.items()))
    lines.append(f"- {n_kills} launchers killed with SIGKILL at random points (half after "
                 f"SIGTERM; killed while: {where}), then `wipe --stale`: {cleaned}/{n_kills} "
                 f"cleaned, sessions without a report {-missing}, leaks "
                 f"{len(leaks.found)} {leaks.found[:3]}: "
                 f"{verdict(cleaned == n_kills and not leaks.found and missing == 0)}")
    return lines


def write_section(path: Path, lines: list[str]) -> None:
    """Replace (or add) the "Load and fault runs" section of RESULTS.md."""
    title = "## Load and fault runs"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    body = (f"{title}\n\nMade by `.venv/bin/python benchmarks/soak.py --markdown "
            f"benchmarks/RESULTS.md` as root (launchers as the unprivileged user), "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, nproc {os.cpu_count()}.\n\n"
            + "\n".join(lines) + "\n")
    if title in text:
        head, _, rest = text.partition(title)
        tail = rest[rest.find("\n## "):] if "\n## " in rest else ""
        text = head + body + tail
    else:
        text = text.rstrip("\n") + "\n\n" + body
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
