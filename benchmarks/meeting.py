"""Meeting benchmark: voice delay, video, media packets and helper cost, sandbox vs none.

``run.py --suite meeting [--meeting-seconds S]`` runs ``meeting.py suite S`` as root: it
builds the fake internet (``sandbox_launcher/verify/fake_internet.py``; documentation
addresses only) with a UDP echo server on fake zoom.us, then ``meeting.py measure`` runs
in its host namespace as the benchmark user (``$SANDBOX_LAUNCHER_TEST_USER``, else
run.py's): it starts a desktop (:mod:`meeting_rig`: Xvfb, a real PulseAudio, a session
bus) and runs the stand-in client (:mod:`meeting_client`) twice for S seconds, the same
program doing the same work:

1. *unconfined*: straight on the host's X server, sound server and veth;
2. *sandbox*: ``sandbox-launcher run PROFILE --mic -- python3 -c CLIENT``: nested display
   (Xephyr), the session's own sound server and forwarders, the network jail (pasta,
   holder, resolver), the D-Bus proxy;

The video is drawn two ways, each in a call of its own (unconfined and sandbox):
``ximagesink``, whose MIT-SHM is SysV only (in the sandbox's own IPC namespace it falls
back to ``XPutImage`` over the socket), and :mod:`meeting_xshm`, MIT-SHM by file
descriptor as Qt's xcb backing store and Chromium use it (it crosses namespaces). The
``ximagesink`` call runs a third time, unconfined with Xephyr in an IPC namespace it
shares with the client (:mod:`meeting_shared_ipc`): what would make that stand-in cheap.

Then an idle session of the same profile (the client sleeps) for the helpers' idle cost.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import meeting_render
import run  # the launch suite (run.py, next to this file): user switch, machine
from meeting_procs import Window, classify, cpu
from meeting_rig import Host, Listener
from meeting_stats import delays, median, percentile, transit_jitter

from sandbox_launcher.verify import fake_internet as fi

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"
UDP_PORT = 8805
BPS = 3_000_000
PACKET = 1200
#: A heard impulse belongs to the latest emitted less than this before it.
MATCH_WINDOW_S = 0.95
CLIENT_TIMEOUT = 120.0
#: The nested screen is larger than the 1280x720 video: the window manager frames the
#: client's window (title bar, borders), and a screen of the video's own size cut the
#: frame's bottom rows off (29.0 "frames" a second of 30 drawn, counted by pixels).
PROFILE_TEXT = """\
# Written by benchmarks/meeting.py for one run, removed at its end.
command = ["/bin/true"]

[network]
mode = "allowlist"
domains = ["zoom.us", "*.zoom.us"]
ports = ["udp/{port}"]

[devices]
display = "isolated"
display_size = "1296x768"
speakers = true
dbus_talk = ["org.freedesktop.Notifications"]
"""


def bench_user() -> str:
    """The unprivileged user the launcher runs as."""
    return os.environ.get("SANDBOX_LAUNCHER_TEST_USER") or run.BENCH_USER


#: The ``ximagesink`` call again, unconfined but with Xephyr in an IPC namespace it shares
#: with the client: what would fix that stand-in's cost (:mod:`meeting_shared_ipc`).
SHARED_IPC = ["unshare", "--user", "--map-current-user", "--ipc", "--", SYSTEM_PYTHON,
              str(HERE / "meeting_shared_ipc.py"), "--"]

#: The video stand-ins' processes, by argv[0] (:data:`meeting_client.XSHM_NAME`).
VIDEO_PROGRAMS = {"ximagesink": ("gst-launch-1.0",),
                  "xshm": ("meeting-xshm", "gst-launch-1.0")}


def client_source() -> str:
    """The client's program: the statistics it uses, then the client itself."""
    return ((HERE / "meeting_stats.py").read_text(encoding="utf-8") + "\n"
            + (HERE / "meeting_client.py").read_text(encoding="utf-8"))


def serve() -> int:
    """``meeting.py serve`` (inside the internet namespace): echo every UDP packet."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((fi.ZOOM_ADDRESS, UDP_PORT))
    print("ready", flush=True)
    while True:
        data, peer = sock.recvfrom(65536)
        sock.sendto(data, peer)


def _lines(proc: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    """The client's next JSON line (launcher notices on stderr are not read here)."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else ""
    if not line:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(30)  # its own error is on stderr, above; the status says whose
        raise RuntimeError(f"the client said nothing (exit status {proc.poll()})")
    found: dict[str, Any] = json.loads(line)
    return found


def _pids_named(pids: list[int], programs: tuple[str, ...]) -> list[int]:
    out = []
    for pid in pids:
        with contextlib.suppress(OSError):
            argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
            if os.path.basename(argv0).decode() in programs:
                out.append(pid)
    return out


def call(argv: list[str], env: dict[str, str], host: Host, listener: Listener,
         seconds: float, jailed: bool, whole: bool = True,
         video_kind: str = "ximagesink") -> dict[str, Any]:
    """Run the client once (unconfined or through the launcher); its figures.

    *whole*: voice, video (drawn by the *video_kind* stand-in) and media at once; else
    the media stream alone.
    """
    args = {"seconds": seconds, "udp": ["media.zoom.us", UDP_PORT], "bps": BPS,
            "size": PACKET, "video": video_kind if whole else "", "audio": whole,
            "xshm_source": ""}
    programs = VIDEO_PROGRAMS[video_kind] if whole else ()
    if whole and video_kind == "xshm":
        args["xshm_source"] = (HERE / "meeting_xshm.py").read_text(encoding="utf-8")
    proc = subprocess.Popen([*argv, SYSTEM_PYTHON, "-c", client_source(), json.dumps(args)],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            text=True)
    try:
        if _lines(proc, CLIENT_TIMEOUT)["event"] != "start":
            raise RuntimeError("the client did not start")
        window = Window(proc.pid)
        if jailed:
            window.open(time.monotonic())
            video = _pids_named(window.sandbox, programs)
            xephyr = [p for p, kind in window.helpers.items() if kind == "Xephyr"]
        else:  # a shared-IPC call's Xephyr is the client's sibling (meeting_shared_ipc)
            tree = [proc.pid, *_children(proc.pid)]
            video = _pids_named(tree, programs)
            xephyr = _pids_named(tree, ("Xephyr",))
        servers = {"X server": host.xvfb_pid}
        watched = {"video client": video, **{k: [v] for k, v in servers.items()},
                   "Xephyr": xephyr}
        before = {k: sum(cpu(v).values()) for k, v in watched.items()}
        start = time.monotonic()
        if _lines(proc, seconds + CLIENT_TIMEOUT)["event"] != "stop":
            raise RuntimeError("the client did not stop")
        wall = time.monotonic() - start
        video_cpu = {k: (sum(cpu(v).values()) - before[k]) / wall * 100
                     for k, v in watched.items()}
        cost, client_cpu = window.close(time.monotonic()) if jailed else (None, 0.0)
        result = _lines(proc, CLIENT_TIMEOUT)
        status = proc.wait(CLIENT_TIMEOUT)
        if status != 0:
            raise RuntimeError(f"the client exited with status {status}")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
        if proc.stdout is not None:
            proc.stdout.close()
    return summarise(result, listener, video, video_cpu, cost, client_cpu, whole)


def _children(pid: int) -> list[int]:
    from meeting_procs import children_map, subtree

    return subtree(pid, children_map())[1:]


def summarise(result: dict[str, Any], listener: Listener, video: list[int],
              video_cpu: dict[str, float], cost: Any, client_cpu: float,
              whole: bool) -> dict[str, Any]:
    """One run's figures from the client's and the host's observations."""
    shift = result["clock"] - (time.time() - time.monotonic())  # client clock → ours
    result["mic_heard"] = [t + shift for t in result["mic_heard"]]
    result["speaker_emitted"] = [t + shift for t in result["speaker_emitted"]]
    began, ended = result["began"] + shift, result["ended"] + shift
    mic = delays([t for t in listener.mic_emitted if began - 1 <= t <= ended],
                 [t for t in result["mic_heard"] if began <= t <= ended + 1], MATCH_WINDOW_S)
    spk = delays([t for t in result["speaker_emitted"] if began <= t <= ended],
                 [t for t in listener.speaker_heard if began <= t <= ended + 1],
                 MATCH_WINDOW_S)
    echoes = result["echoes"]
    unique = {seq for seq, _, _ in echoes}
    jitter = transit_jitter([s for _, s, _ in echoes], [r for _, _, r in echoes])
    rtts = [r - s for _, s, r in echoes]
    if not ((mic and spk) or not whole) or not (echoes and jitter):
        print(json.dumps({"began": began, "ended": ended, "heard": result["mic_heard"][:5],
                          "emitted": listener.mic_emitted[-5:],
                          "spk_emitted": result["speaker_emitted"][:5],
                          "spk_heard": listener.speaker_heard[-5:]}), file=sys.stderr)
        raise RuntimeError(f"nothing measured: {len(mic)} microphone and {len(spk)} "
                           f"speaker impulses, {len(echoes)} echoes")
    seconds = ended - began
    frames, reports = listener.frames(began, ended)
    out: dict[str, Any] = {
        "seconds": seconds, "mic_ms": [d * 1000 for d in mic],
        "speaker_ms": [d * 1000 for d in spk],
        "mic_expected": sum(1 for t in listener.mic_emitted if began <= t <= ended),
        "speaker_expected": sum(1 for t in result["speaker_emitted"] if began <= t <= ended),
        "fps": frames / seconds, "reports_per_frame": reports / frames if frames else 0.0,
        "video_found": len(video),
        "video_exit": result["video_exit"], "video_cpu": video_cpu,
        "udp_sent": result["sent"], "udp_back": len(unique),
        "udp_duplicates": len(echoes) - len(unique),
        "jitter_p99_ms": percentile(jitter, 99) * 1000,
        "jitter_median_ms": median(jitter) * 1000,
        "rtt_median_ms": median(rtts) * 1000, "rtt_p99_ms": percentile(rtts, 99) * 1000,
    }
    if cost is not None:
        out["cost"] = vars(cost)
        out["client_cpu"] = client_cpu
    return out


def idle(launcher: list[str], env: dict[str, str], seconds: float) -> dict[str, Any]:
    """An idle session of the profile: its helpers' cost over *seconds*.

    The microphone as a session starts by default, muted (no call yet: the launcher's
    silence thread waits, nobody records); the speakers forwarder runs, as it does all
    session long, on a suspended sink that sends it nothing.
    """
    launcher = [arg for arg in launcher if arg != "--mic"]
    proc = subprocess.Popen([*launcher, "/bin/sh", "-c", "echo ready; exec sleep 600"],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], CLIENT_TIMEOUT)
        if not ready or proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the idle session did not start")
        time.sleep(2.0)  # the launcher's first snapshots and helpers settle
        window = Window(proc.pid)
        window.open(time.monotonic())
        time.sleep(seconds)
        cost, client = window.close(time.monotonic())
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        if proc.stdout is not None:
            proc.stdout.close()
    return {"cost": vars(cost), "client_cpu": client, "seconds": seconds}


def measure(seconds: float, profile: str) -> dict[str, Any]:
    """``meeting.py measure SECONDS PROFILE`` (in the host namespace): all figures, JSON."""
    run.drop_privileges(bench_user())
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    profile_dir = Path.home() / ".config" / "sandbox-launcher" / "profiles"
    profile_dir.mkdir(parents=True, exist_ok=True)
    (profile_dir / f"{profile}.toml").write_text(PROFILE_TEXT.format(port=UDP_PORT),
                                                  encoding="utf-8")
    load = [os.getloadavg()[0]]
    try:
        with tempfile.TemporaryDirectory(prefix="sl-bench-meet-") as work:
            host = Host(Path(work))
            try:
                host.start()
                env = {**host.env, "PYTHONPYCACHEPREFIX": str(Path(work) / "pyc")}
                listener = Listener(host.env)
                listener.start()
                try:
                    time.sleep(1.0)
                    jail = [str(run.BIN / "sandbox-launcher"), "run", profile, "--mic",
                            "--report", str(Path(work) / "report.json"), "--"]
                    plain = call([], env, host, listener, seconds, jailed=False)
                    boxed = call(jail, env, host, listener, seconds, jailed=True)
                    plain_fd = call([], env, host, listener, seconds, False, True, "xshm")
                    boxed_fd = call(jail, env, host, listener, seconds, True, True, "xshm")
                    shared = call(SHARED_IPC, env, host, listener, seconds, jailed=False)
                    # The media stream alone: what the jail adds, without the CPU the
                    # nested display and the sound path take from the same 2 cores.
                    alone = max(3.0, seconds / 2)
                    plain_media = call([], env, host, listener, alone, False, whole=False)
                    boxed_media = call(jail, env, host, listener, alone, True, whole=False)
                    rest = idle(jail, env, max(3.0, seconds / 2))
                finally:
                    listener.stop()
            finally:
                host.close()
    finally:
        (profile_dir / f"{profile}.toml").unlink(missing_ok=True)
    load.append(os.getloadavg()[0])
    helpers, _ = classify(os.getpid())  # nothing of ours may be left running
    return {"unconfined": plain, "sandbox": boxed, "idle": rest, "load": load,
            "xshm_unconfined": plain_fd, "xshm_sandbox": boxed_fd, "shared_ipc": shared,
            "media_unconfined": plain_media, "media_sandbox": boxed_media,
            "left": sorted(set(helpers.values()) - {"launcher"}),
            "machine": run.machine_info()}


def run_suite(seconds: float) -> dict[str, Any]:
    """Build the fake internet, measure in it, tear it all down: the figures."""
    net = fi.FakeInternet(dns_records={**fi.DNS_RECORDS, "*.zoom.us": fi.ZOOM_ADDRESS})
    profile = f"slmeet{secrets.token_hex(3)}"
    try:
        net.build()
        server = subprocess.Popen(fi.ns_argv(net.inet_ns, [sys.executable, __file__, "serve"]),
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        net.servers.append(server)
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], 20)
        if not ready or server.stdout.readline().strip() != "ready":
            raise RuntimeError("the UDP echo server did not start in the fake internet")
        done = subprocess.run(
            fi.ns_argv(net.host_ns, [sys.executable, __file__, "measure", str(seconds),
                                     profile]),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
            timeout=seconds * 6 + 600, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"the measurement failed (exit {done.returncode}; see above)")
        results: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        net.teardown()
    return results


def main(argv: list[str]) -> int:
    """``suite SECONDS`` (for run.py), and the parts it runs in the namespaces."""
    if argv[:1] == ["serve"]:
        return serve()
    if len(argv) == 3 and argv[0] == "measure":
        print(json.dumps(measure(float(argv[1]), argv[2])))
        return 0
    if len(argv) == 2 and argv[0] == "suite":
        print("meeting suite: building the fake internet …", file=sys.stderr)
        try:
            results = run_suite(float(argv[1]))
        except (OSError, RuntimeError, subprocess.SubprocessError, ValueError) as exc:
            print(f"meeting.py: error: {exc}", file=sys.stderr)
            return 1
        body = meeting_render.render(results)
        print(json.dumps({"body": body, "machine": results["machine"], "raw": results}))
        return 0
    if len(argv) == 2 and argv[0] == "render":  # re-render a saved suite output
        print("\n".join(meeting_render.render(json.loads(
            Path(argv[1]).read_text().splitlines()[-1])["raw"])))
        return 0
    print("usage: meeting.py suite SECONDS (run.py --suite meeting runs it as root)",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
