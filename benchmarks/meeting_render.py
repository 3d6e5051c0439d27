"""The meeting suite's section of RESULTS.md: each figure beside its same-run baseline."""

from __future__ import annotations

from typing import Any

from meeting_procs import KINDS
from meeting_stats import median, percentile

TARGETS = {"voice_ms": 40.0, "fps": 29.0, "video_cpu_ratio": 1.25, "jitter_ms": 1.0,
           "net_cpu": 5.0, "idle_mb": 120.0, "idle_cpu": 1.0}
NET_HELPERS = ("holder + resolver", "pasta")


def _verdict(ok: bool) -> str:
    return f"**{'PASS' if ok else 'MISS'}**"


def _voice(plain: dict[str, Any], boxed: dict[str, Any], key: str, label: str) -> list[str]:
    rows = []
    for name, q in (("median", 50.0), ("p95", 95.0)):
        a, b = percentile(plain[key], q), percentile(boxed[key], q)
        expected = boxed[key.removesuffix("_ms") + "_expected"]
        rows.append(f"| {label}, {name} ms ({len(boxed[key])}/{expected} impulses) | "
                    f"{a:.1f} | {b:.1f} | {b - a:+.1f} ms | ≤ +40 ms | "
                    f"{_verdict(b - a <= TARGETS['voice_ms'])} |")
    return rows


def _media(plain: dict[str, Any], boxed: dict[str, Any], how: str) -> list[str]:
    """Loss, jitter and round trip of one pair of runs (the stream alone, or in the call)."""
    loss = [run["udp_sent"] - run["udp_back"] for run in (plain, boxed)]
    jitter = boxed["jitter_p99_ms"] - plain["jitter_p99_ms"]
    rtt = boxed["rtt_median_ms"] - plain["rtt_median_ms"]
    return [
        f"| media {how} ({boxed['seconds']:.0f} s): UDP packets lost (of sent) | "
        f"{loss[0]} / {plain['udp_sent']} | {loss[1]} / {boxed['udp_sent']} | "
        f"{loss[1] - loss[0]:+d} | none | {_verdict(loss[1] == 0)} |",
        f"| media {how}: jitter p99 (RFC 3550 D, round trip), ms | "
        f"{plain['jitter_p99_ms']:.3f} | {boxed['jitter_p99_ms']:.3f} | {jitter:+.3f} ms | "
        f"≤ +1 ms | {_verdict(jitter <= TARGETS['jitter_ms'])} |",
        f"| media {how}: round trip median, ms | {plain['rtt_median_ms']:.3f} | "
        f"{boxed['rtt_median_ms']:.3f} | {rtt:+.3f} ms | — | |",
    ]


def _path_cpu(run: dict[str, Any]) -> float:
    return float(sum(run["video_cpu"].values()))


def _video(plain: dict[str, Any], boxed: dict[str, Any], label: str) -> list[str]:
    """Frames and CPU of one video stand-in, unconfined and in the sandbox."""
    ratio = _path_cpu(boxed) / _path_cpu(plain)
    return [
        f"| video, {label}: frames a second on the host screen (damaged pixels / 1280x720) "
        f"| {plain['fps']:.1f} | {boxed['fps']:.1f} | {boxed['fps'] / plain['fps']:.0%} | "
        f"≥ 29 fps | {_verdict(boxed['fps'] >= TARGETS['fps'])} |",
        f"| video, {label}: CPU of the path, % of a core (client + X server; + Xephyr) | "
        f"{_path_cpu(plain):.1f} | {_path_cpu(boxed):.1f} | {ratio:.2f} times | "
        f"≤ 1.25 times | {_verdict(ratio <= TARGETS['video_cpu_ratio'])} |",
    ]


def _what_would(plain: dict[str, Any], shared: dict[str, Any]) -> list[str]:
    """The ``ximagesink`` call with Xephyr sharing the client's IPC namespace: no
    verdict, since the product does not do it (meeting_shared_ipc.py)."""
    ratio = _path_cpu(shared) / _path_cpu(plain)
    label = "video, `ximagesink`, Xephyr in the client's IPC namespace (not built)"
    return [
        f"| {label}: frames a second | {plain['fps']:.1f} | {shared['fps']:.1f} | "
        f"{shared['fps'] / plain['fps']:.0%} | ≥ 29 fps | what would |",
        f"| {label}: CPU of the path, % of a core | {_path_cpu(plain):.1f} | "
        f"{_path_cpu(shared):.1f} | {ratio:.2f} times | ≤ 1.25 times | what would |",
    ]


def _video_note(plain: dict[str, Any], boxed: dict[str, Any], label: str,
                where: str = "in the sandbox") -> str:
    """Where one stand-in's CPU went, and in how many pieces its frames reached the host."""
    video, direct = boxed["video_cpu"], plain["video_cpu"]
    return (f"- video path CPU, {label}, {where}: client {video['video client']:.1f} %, "
            f"Xephyr {video['Xephyr']:.1f} %, host Xvfb {video['X server']:.1f} %; "
            f"unconfined: client {direct['video client']:.1f} %, Xvfb "
            f"{direct['X server']:.1f} %. Damage reports a frame on the host: "
            f"{plain['reports_per_frame']:.1f} unconfined, {boxed['reports_per_frame']:.1f} "
            f"{where}.")


def render(r: dict[str, Any]) -> list[str]:
    """Markdown lines (readable as plain text)."""
    plain, boxed, idle = r["unconfined"], r["sandbox"], r["idle"]
    seconds = boxed["seconds"]
    call_cost, idle_cost = boxed["cost"], idle["cost"]
    net_cpu = sum(call_cost["cpu_percent"].get(k, 0.0) for k in NET_HELPERS)
    fd_plain, fd_boxed = r["xshm_unconfined"], r["xshm_sandbox"]
    idle_mb = sum(idle_cost["pss"].values()) / 1e6
    idle_cpu = sum(idle_cost["cpu_percent"].values())
    call_cpu = sum(call_cost["cpu_percent"].values())
    lines = [
        f"One run: the same stand-in client (`benchmarks/meeting_client.py`, stdlib + "
        f"`pacat` + `gst-launch-1.0`) for {seconds:.0f} s unconfined, then for "
        f"{seconds:.0f} s in `sandbox-launcher run PROFILE --mic` (nested display "
        "1296x768 with its window manager, so the framed 1280x720 window fits; speakers, "
        "microphone on, allowlist jail, D-Bus proxy), then an idle "
        f"session for {idle['seconds']:.0f} s. Both do, at once: record the microphone "
        "(an impulse a second played into the host PulseAudio's microphone), play an "
        "impulse a second (found on the host sink's monitor), 1280x720 30 fps "
        "`videotestsrc`, and 3 Mbit/s each way of 1,200-byte UDP packets "
        "to an echo server on fake zoom.us (198.51.100.10). The video is drawn two ways, "
        "each in a call of its own: `ximagesink` (MIT-SHM by SysV segment id only: in the "
        "sandbox's own IPC namespace it falls back to `XPutImage` over the socket), and "
        "`benchmarks/meeting_xshm.py` (MIT-SHM by file descriptor, `ShmAttachFd`, as Qt's "
        "xcb backing store and Chromium draw); the other rows are the `ximagesink` call's. "
        "Load average (1 min) "
        f"{r['load'][0]:.2f} at the start, {r['load'][1]:.2f} at the end (2 cores, shared).",
        "",
        "| measure | unconfined | sandbox | added / ratio | target | |",
        "|---|---:|---:|---:|---|---|",
        *_voice(plain, boxed, "mic_ms", "voice in: host microphone → client"),
        *_voice(plain, boxed, "speaker_ms", "voice out: client → host speakers"),
        *_video(plain, boxed, "`ximagesink`"),
        *_video(fd_plain, fd_boxed, "MIT-SHM by fd"),
        *_what_would(plain, r["shared_ipc"]),
        *_media(r["media_unconfined"], r["media_sandbox"], "alone"),
        *_media(plain, boxed, "in the call"),
        f"| media: CPU of pasta + holder + resolver in the call, % of a core | — | "
        f"{net_cpu:.2f} | — | ≤ 5 % | {_verdict(net_cpu <= TARGETS['net_cpu'])} |",
        f"| session helpers idle: PSS MB | — | {idle_mb:.1f} | — | ≤ 120 MB | "
        f"{_verdict(idle_mb <= TARGETS['idle_mb'])} |",
        f"| session helpers idle: CPU, % of a core | — | {idle_cpu:.2f} | — | ≤ 1 % | "
        f"{_verdict(idle_cpu <= TARGETS['idle_cpu'])} |",
        f"| session helpers in the call: CPU, % of a core | — | {call_cpu:.1f} | — | — | |",
        "",
        "| helper | processes | idle CPU % | idle PSS MB | idle RSS MB | call CPU % | "
        "call PSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    def mb(cost: dict[str, Any], key: str, kind: str) -> str:
        # 0 bytes: /proc/PID/smaps_rollup unreadable to the benchmark user (pasta makes
        # itself non-dumpable), not a process without memory.
        value = cost[key].get(kind, 0)
        return f"{value / 1e6:.1f}" if value else "n/a"

    for kind in KINDS:
        if kind not in idle_cost["processes"] and kind not in call_cost["processes"]:
            continue
        lines.append(
            f"| {kind} | {idle_cost['processes'].get(kind, 0)} | "
            f"{idle_cost['cpu_percent'].get(kind, 0.0):.2f} | {mb(idle_cost, 'pss', kind)} | "
            f"{mb(idle_cost, 'rss', kind)} | {call_cost['cpu_percent'].get(kind, 0.0):.1f} | "
            f"{mb(call_cost, 'pss', kind)} |")
    lines += [
        "",
        _video_note(plain, boxed, "`ximagesink`"),
        _video_note(fd_plain, fd_boxed, "MIT-SHM by fd"),
        _video_note(plain, r["shared_ipc"], "`ximagesink`",
                    "with Xephyr in the client's IPC namespace"),
        "- what would: the `ximagesink` call once more, unconfined, with Xephyr (the "
        "session's options) and the client in one IPC namespace of their own "
        "(`benchmarks/meeting_shared_ipc.py`), so the client's SysV MIT-SHM reaches "
        "Xephyr (Xephyr draws to the host by `XPutImage` either way). The product would "
        "have to start Xephyr in an IPC namespace the sandbox then joins, which an "
        "unprivileged launcher can make only inside a user namespace of its own (the "
        "jail's): the display would wait for the jail instead of starting beside it.",
        "- frames: the pixels the host's X server reports damaged (one DAMAGE report per "
        "rectangle drawn) over the window's 1280x720, so a frame that arrives in strips "
        "(`XPutImage` cuts it into requests, Xephyr forwards each) counts once, and a "
        "frame never drawn counts not at all.",
        f"- voice delays are impulse onset to onset: written by the player → found in the "
        f"recorder's stream (chunk read time minus the samples after it), medians "
        f"{median(plain['mic_ms']):.1f}/{median(boxed['mic_ms']):.1f} ms in and "
        f"{median(plain['speaker_ms']):.1f}/{median(boxed['speaker_ms']):.1f} ms out include "
        "both ends' own 10 ms buffers; the added figure is the sandbox's.",
        "- media alone: the stream without voice or video, unconfined and in a session of "
        "the same profile (its display and sound idle): what the jail adds; in the call: "
        "with everything else competing for the 2 cores. "
        "Jitter: |change in round-trip transit| between consecutive echoed packets "
        "(both directions' jitter together); loss counts packets whose echo never came "
        "back (either direction).",
        "- helpers: the launcher's process tree minus the sandbox (the client); PSS splits "
        "shared pages between processes, so the total is not inflated by shared libraries; "
        "n/a: not readable as the benchmark user (pasta is non-dumpable), not in the total. "
        "Idle: the microphone muted, as a session starts (the speakers' forwarder only, "
        "on a suspended sink).",
    ]
    return lines
