"""Network-jail benchmark: throughput, round trip, DNS and set-up, jailed vs unconfined.

``network.py suite RUNS`` (run by ``run.py`` as root, DESIGN §6) builds the integration
tests' fake internet (``sandbox_launcher/verify/fake_internet.py``) with a bulk sender and an
echo server on fake zoom.us, then runs ``network.py measure`` in its host namespace as the
benchmark user: the same stdlib client unconfined (the baseline), behind bare pasta, and in
``sandbox-launcher run PROFILE -- /usr/bin/python3 -c CLIENT``, in interleaved rounds.
Every packet stays in namespaces made here, on documentation addresses.
"""
from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import run  # the launch suite (run.py, next to this file): user switch, timing, machine

from sandbox_launcher.netjail.jail import PASTA_OPTIONS
from sandbox_launcher.verify import fake_internet as fi

BULK_PORT, ECHO_PORT = 443, 8801
SYSTEM_PYTHON = "/usr/bin/python3"  # the client's interpreter: the host's, seen in the sandbox
BULK_START = 256 << 20  # doubled until one unconfined transfer takes BULK_SECONDS
BULK_SECONDS = 1.0
TRIPS = 2000  # 1-byte round trips per sample, after 200 unmeasured ones
NAMES = 20  # distinct allowed and refused names looked up per round
KINDS = ("unconfined", "pasta", "jailed")
CLIENT_TIMEOUT = 600.0
SERVER_TIMEOUT = 20.0
TARGETS = {"ratio": 0.5, "added_rtt_us": 500.0, "dns_ms": 2.0, "setup_ms": 150.0}
PROFILE_TEXT = """\
# Written by benchmarks/network.py for one run, removed at its end.
command = ["/bin/true"]

[network]
mode = "allowlist"
domains = ["zoom.us", "*.zoom.us"]
ports = ["tcp/443", "tcp/8801"]
"""

# Run with the host's /usr/bin/python3, unconfined and jailed alike: stdlib only. argv[1] is
# [bytes to receive, round trips, names to look up, a tag that makes every name unique].
CLIENT = r"""
import json, socket, statistics, sys, time
size, trips, names, tag = json.loads(sys.argv[1])
now = time.perf_counter
ip = socket.getaddrinfo("zoom.us", 443, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
out = {}
if size:
    with socket.create_connection((ip, 443)) as s:
        buf, got, start = bytearray(1 << 20), 0, now()
        s.sendall(size.to_bytes(8, "big"))
        while got < size and (n := s.recv_into(buf)):
            got += n
        out["bulk"] = [got, now() - start]
if trips:
    with socket.create_connection((ip, 8801)) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rtts = []
        for _ in range(trips + 200):
            start = now()
            s.sendall(b"x")
            if s.recv(1) != b"x":
                sys.exit("echo server closed the connection")
            rtts.append(now() - start)
        out["rtt_us"] = statistics.median(rtts[200:]) * 1e6
def lookup(name):
    start = now()
    try:
        socket.getaddrinfo(name, 443, type=socket.SOCK_STREAM)
        ok = True
    except socket.gaierror:
        ok = False
    return [(now() - start) * 1e3, ok]
out["allowed"] = [lookup(f"a{i}-{tag}.zoom.us") for i in range(names)]
out["refused"] = [lookup(f"r{i}-{tag}.refused.example") for i in range(names)]
print(json.dumps(out))
"""


def serve() -> int:
    """``network.py serve`` (inside the internet namespace): bulk sender and echo server."""
    chunk = memoryview(bytes(1 << 20))

    def bulk(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            left = int.from_bytes(conn.recv(8, socket.MSG_WAITALL), "big")
            while left > 0:
                left -= conn.send(chunk[: min(left, len(chunk))])

    def echo(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while data := conn.recv(4096):
                conn.sendall(data)

    for port, handler in ((BULK_PORT, bulk), (ECHO_PORT, echo)):
        listener = socket.create_server((fi.ZOOM_ADDRESS, port), backlog=64)

        def accept(sock: socket.socket = listener, job: Any = handler) -> None:
            while True:
                threading.Thread(target=job, args=(sock.accept()[0],), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)


def start_servers(net: fi.FakeInternet) -> None:
    """Start :func:`serve` in the internet; torn down with the rest by ``net.teardown()``."""
    proc = subprocess.Popen(fi.ns_argv(net.inet_ns, [sys.executable, __file__, "serve"]),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    net.servers.append(proc)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], SERVER_TIMEOUT)
    if not ready or proc.stdout.readline().strip() != "ready":
        raise fi.SetupError("the benchmark servers did not start in the fake internet")


def run_client(prefix: list[str], args: list[Any]) -> dict[str, Any]:
    """Run the client after *prefix* (none, pasta or the launcher); return its JSON."""
    argv = [*prefix, SYSTEM_PYTHON, "-c", CLIENT, json.dumps(args)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=CLIENT_TIMEOUT,
                          check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"client {' '.join(prefix[:3]) or 'unconfined'} exited "
                           f"{done.returncode}: {done.stderr.strip()[-800:]}")
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if out.get("bulk", [args[0]])[0] != args[0]:
        raise RuntimeError(f"bulk transfer short: {out['bulk'][0]} of {args[0]} bytes")
    if not all(ok for _, ok in out["allowed"]) or any(ok for _, ok in out["refused"]):
        raise RuntimeError(f"unexpected DNS verdicts: {out['allowed']} {out['refused']}")
    return out


def received_in_jail(report: Path) -> int:
    """Bytes the jail's firewall counted in from fake zoom.us:443 (proves the path)."""
    network = json.loads(report.read_text())["network"]
    return sum(int(c["bytes_in"]) for c in network["connections"]
               if (c["ip"], c["port"], c["protocol"]) == (fi.ZOOM_ADDRESS, BULK_PORT, "tcp"))


def measure(runs: int, profile: str) -> dict[str, Any]:
    """``network.py measure RUNS PROFILE`` (in the host namespace): all samples as JSON."""
    run.drop_privileges()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as the launch suite: see run.main
    launcher = str(run.BIN / "sandbox-launcher")
    profile_dir = Path.home() / ".config" / "sandbox-launcher" / "profiles"
    profile_dir.mkdir(parents=True, exist_ok=True)
    (profile_dir / f"{profile}.toml").write_text(PROFILE_TEXT, encoding="utf-8")
    samples: dict[str, list[float]] = {f"{k}_{v}": [] for k in KINDS
                                       for v in ("mbps", "rtt_us", "allowed_ms", "refused_ms")}
    try:
        with tempfile.TemporaryDirectory(prefix="sl-bench-net-") as work:
            os.environ["PYTHONPYCACHEPREFIX"] = str(Path(work) / "pyc")
            report = Path(work) / "report.json"
            jail = [launcher, "run", profile, "--report", str(report), "--"]
            prefixes = {"unconfined": [], "pasta": ["pasta", *PASTA_OPTIONS, "--"],
                        "jailed": jail}
            rate = max(got / secs for got, secs in
                       (run_client([], [BULK_START, 0, 0, f"c{i}"])["bulk"] for i in range(2)))
            size = BULK_START
            while size / rate < BULK_SECONDS:
                size *= 2
            for round_no in range(1 + runs):  # round 0 warms up and is dropped
                print(f"network: round {round_no}/{runs}", file=sys.stderr, flush=True)
                for kind in KINDS[round_no % 3 :] + KINDS[: round_no % 3]:
                    out = run_client(prefix := prefixes[kind],
                                     [size, TRIPS, NAMES, f"{round_no}{kind[0]}"])
                    if prefix is jail and received_in_jail(report) < size:
                        raise RuntimeError("the jail's counters missed the bulk transfer")
                    if round_no:
                        samples[f"{kind}_mbps"].append(size / out["bulk"][1] / 1e6)
                        samples[f"{kind}_rtt_us"].append(out["rtt_us"])
                        samples[f"{kind}_allowed_ms"] += [ms for ms, _ in out["allowed"]]
                        samples[f"{kind}_refused_ms"] += [ms for ms, _ in out["refused"]]
            variants = [run.Variant("jailed", [*jail, "/bin/true"]), run.Variant(
                "unconfined", [launcher, "run", "generic", "--", "/bin/true"])]
            setup: list[float] = []
            with tempfile.TemporaryFile() as errors:
                for round_no in range(run.WARMUP_RUNS + runs):
                    for variant in variants[:: 1 if round_no % 2 else -1]:
                        run.time_once(variant, errors.fileno())
                        if variant is variants[0]:
                            setup.append(json.loads(report.read_text())["network"]["setup_ms"])
    finally:
        (profile_dir / f"{profile}.toml").unlink(missing_ok=True)
    del setup[: run.WARMUP_RUNS]
    machine = [*run.machine_info(), ("pasta", subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", "passt"], capture_output=True, text=True,
        check=False).stdout.strip() or "unknown")]
    return {**samples, "size": size, "jailed_setup_ms": setup, "machine": machine,
            **{f"{v.name}_wall_ms": v.wall_ms[run.WARMUP_RUNS:] for v in variants}}


def run_suite(runs: int) -> tuple[list[str], list[list[str]]]:
    """Build the fake internet, measure in it, tear it all down: (table lines, machine)."""
    fake_zoom = {(fi.ZOOM_ADDRESS, BULK_PORT), (fi.ZOOM_ADDRESS, ECHO_PORT)}
    net = fi.FakeInternet(
        inet_services=tuple(s for s in fi.INET_SERVICES
                            if s.proto != "tcp" or (s.address, s.port) not in fake_zoom),
        dns_records={**fi.DNS_RECORDS, "*.zoom.us": fi.ZOOM_ADDRESS})
    profile = f"slbench{secrets.token_hex(3)}"
    try:
        net.build()
        start_servers(net)
        done = subprocess.run(
            fi.ns_argv(net.host_ns, [sys.executable, __file__, "measure", str(runs), profile]),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
            timeout=CLIENT_TIMEOUT * (runs + 2), check=False)
        if done.returncode != 0:
            raise RuntimeError(f"the measurement failed (exit {done.returncode}; see above)")
        results: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        leaked = [q["name"] for q in net.dns_questions()
                  if "j.refused.example" in str(q["name"]).lower()]
    finally:
        net.teardown()
        with contextlib.suppress(KeyError):  # a measurement killed before its own clean-up
            home = Path(pwd.getpwnam(run.BENCH_USER).pw_dir)
            (home / ".config/sandbox-launcher/profiles" / f"{profile}.toml").unlink(
                missing_ok=True)
    return render(results, runs, leaked), results["machine"]


def render(r: dict[str, Any], runs: int, leaked: list[str]) -> list[str]:
    """The table and verdicts as Markdown (readable as plain text)."""
    if leaked:
        raise RuntimeError(f"refused names got past the jail's resolver: {leaked[:5]}")

    def med(kind: str, key: str) -> float:
        return float(statistics.median(r[f"{kind}_{key}"]))

    def row(label: str, key: str, fmt: str, diff: str, target: str = "—",
            ok: bool | None = None) -> str:
        values = [format(med(k, key), fmt) if f"{k}_{key}" in r else "—" for k in KINDS]
        p90 = "—" if key == "mbps" else format(run.p90(r[f"jailed_{key}"]), fmt)
        verdict = "" if ok is None else f"**{'PASS' if ok else 'MISS'}**"
        return (f"| {label} | {len(r[f'jailed_{key}'])} | {' | '.join(values)} | {p90} | "
                f"{diff} | {target} | {verdict} |")

    ratio = med("jailed", "mbps") / med("unconfined", "mbps")
    rtt, dns, refused, wall = (med("jailed", k) - med("unconfined", k)
                               for k in ("rtt_us", "allowed_ms", "refused_ms", "wall_ms"))
    dns_ms, setup_ms = med("jailed", "allowed_ms"), med("jailed", "setup_ms")
    return [
        f"{runs} rounds after 1 warm-up, the variants' order rotating; in each the same stdlib "
        f"client (`{SYSTEM_PYTHON}`) runs as the benchmark user in the fake internet's host "
        "namespace: unconfined, behind bare `pasta` with the jail's options, and in "
        "`sandbox-launcher run PROFILE -- python3 -c CLIENT` (PROFILE: allowlist `zoom.us`, "
        "`*.zoom.us`, tcp/443, tcp/8801). Set-up and launch wall: "
        f"{runs} interleaved launches each after {run.WARMUP_RUNS} warm-ups.",
        "",
        "| measure (median) | samples | unconfined | pasta alone | jailed | jailed p90 | "
        "jailed vs unconfined | target | |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
        row(f"bulk TCP receive, MB/s ({r['size'] >> 20} MiB)", "mbps", ".0f", f"{ratio:.0%}",
            f"≥ {TARGETS['ratio']:.0%}", ratio >= TARGETS["ratio"]),
        row(f"TCP 1-byte round trip, µs (median of {TRIPS})", "rtt_us", ".0f",
            f"+{rtt:.0f} µs", f"≤ +{TARGETS['added_rtt_us']:.0f} µs",
            rtt <= TARGETS["added_rtt_us"]),
        row("DNS `getaddrinfo`, allowed name, ms", "allowed_ms", ".2f", f"+{dns:.2f} ms",
            f"jailed ≤ {TARGETS['dns_ms']:.0f} ms", dns_ms <= TARGETS["dns_ms"]),
        row("DNS `getaddrinfo`, refused name, ms", "refused_ms", ".2f", f"{refused:+.2f} ms"),
        row("jail set-up, report `network.setup_ms`, ms", "setup_ms", ".1f", "—",
            f"≤ {TARGETS['setup_ms']:.0f} ms", setup_ms <= TARGETS["setup_ms"]),
        row("launch wall `run … -- /bin/true`, ms (unconfined: `run generic`)", "wall_ms",
            ".1f", f"+{wall:.1f} ms"),
        "",
        "- unconfined: straight to fake zoom.us (198.51.100.10) and the fake DNS "
        "(198.51.100.53) over a veth. Pasta alone: through pasta only; jailed minus pasta "
        "alone is what the jail's nftables (default deny, per-connection counters) and "
        "filtering resolver add.",
        f"- bulk: {r['size'] >> 20} MiB per sample (one unconfined transfer takes ≥ 1 s); the "
        "jail's report counted every byte of every jailed transfer.",
        f"- DNS: {NAMES} distinct names per round and variant (`aN-TAG.zoom.us`, answered by a "
        "wildcard; `rN-TAG.refused.example`), A and AAAA as `getaddrinfo` asks; refused names "
        "from the jail that reached the fake DNS: 0.",
    ]


def main(argv: list[str]) -> int:
    """``suite RUNS`` (for run.py), and the parts it runs in the namespaces."""
    if argv[:1] == ["serve"]:
        return serve()
    if len(argv) == 3 and argv[0] == "measure":
        print(json.dumps(measure(int(argv[1]), argv[2])))
        return 0
    if len(argv) == 2 and argv[0] == "suite":
        print("network suite: building the fake internet …", file=sys.stderr)
        try:
            body, machine = run_suite(int(argv[1]))
        except (OSError, RuntimeError, subprocess.SubprocessError, ValueError) as exc:
            print(f"network.py: error: {exc}", file=sys.stderr)
            return 1
        print(json.dumps({"body": body, "machine": machine}))
        return 0
    print("usage: network.py suite RUNS (run.py runs it as root)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
