"""The meeting stand-in client: voice both ways, 720p video and a UDP media stream at once.

Run as ``/usr/bin/python3 -c SOURCE ARGS_JSON`` (stdlib only: the host's interpreter,
the same inside the sandbox and unconfined), where SOURCE is ``meeting_stats.py``
followed by this file (:func:`meeting.client_source`), so it finds impulse onsets with
the very code the unit tests check. ARGS_JSON is ``{"seconds", "udp": [name, port],
"bps", "size", "video", "audio", "xshm_source"}`` (the media stream alone: video ""
and audio false).

For ``seconds`` it, in threads:

- records its default source (the microphone) and notes when impulses arrive;
- plays silence with an impulse every :data:`PERIOD` s to its default sink, noting when
  each impulse was written;
- sends ``bps`` of ``size``-byte UDP packets to the echo server and notes when each
  comes back (sequence number and send time ride in the packet);
- runs GStreamer's ``videotestsrc`` at 1280x720, 30 fps on $DISPLAY, drawn as *video*
  says: ``ximagesink`` (MIT-SHM by SysV segment id, else ``XPutImage``), or ``xshm``
  (``meeting_xshm.py``, its source in ``xshm_source``: MIT-SHM by file descriptor, as
  Qt's xcb backing store and Chromium draw).

It prints ``{"event": "start"}`` once everything runs, ``{"event": "stop"}`` at the
end of the window, then one JSON line with what it saw. CLOCK_MONOTONIC is the host's
inside the sandbox too (bubblewrap makes no time namespace), so its times compare with
the benchmark's own.
"""

import fcntl
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time

RATE = 48000
PERIOD = 1.0  # seconds between impulses: longer than any delay, so none is ambiguous
BLOCK = 240  # frames per write: 5 ms
IMPULSE = struct.pack("<h", 24000) * 48  # 1 ms, loud
PACAT = ["pacat", "--raw", "--format=s16le", f"--rate={RATE}", "--channels=1"]
VIDEO = ["gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "pattern=ball", "!",
         "video/x-raw,width=1280,height=720,framerate=30/1", "!", "ximagesink"]
#: argv[0] of the ``xshm`` stand-in: how the benchmark finds it among the processes.
XSHM_NAME = "meeting-xshm"
LATENCY_MS = "10"
F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, named in Python 3.10+ only on some builds
PIPE_BYTES = 4096  # the smallest pipe: one page, 42 ms of mono sound


def real_time(fd: int) -> None:
    """Make the pipe into a player small and non-blocking, as a live source behaves.

    A default pipe holds 64 KiB: 0.7 s of sound that, once queued while the player's
    stream starts, would delay every later sample. A live source drops instead.
    """
    fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES)
    os.set_blocking(fd, False)


def write(fd: int, data: bytes) -> bool:
    """Write one block (≤ PIPE_BUF: all or nothing); False when the pipe is full."""
    try:
        return os.write(fd, data) == len(data)
    except BlockingIOError:
        return False


def record_mic(stop: threading.Event, heard: list[float]) -> None:
    """Impulse onsets on the default source, until *stop*."""
    finder = OnsetFinder(RATE)  # noqa: F821 - from meeting_stats.py, prepended
    rec = subprocess.Popen([*PACAT, "--record", f"--latency-msec={LATENCY_MS}"],
                           stdout=subprocess.PIPE)
    assert rec.stdout is not None
    fd = rec.stdout.fileno()
    try:
        while not stop.is_set():
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            heard.extend(finder.feed(chunk, time.monotonic()))
    finally:
        rec.kill()
        rec.wait()


def play(stop: threading.Event, emitted: list[float], phase: float) -> None:
    """Silence paced by the clock, an impulse every PERIOD at *phase*; note write times."""
    player = subprocess.Popen([*PACAT, "--playback", f"--latency-msec={LATENCY_MS}"],
                              stdin=subprocess.PIPE)
    assert player.stdin is not None
    real_time(player.stdin.fileno())
    silence = bytes(BLOCK * 2)
    loud = IMPULSE + silence[len(IMPULSE):]
    start = time.monotonic()
    next_impulse = start + phase
    block = 0
    try:
        while not stop.is_set():
            due = start + block * BLOCK / RATE
            if (wait := due - time.monotonic()) > 0:
                time.sleep(wait)
            now = time.monotonic()
            if now >= next_impulse and write(player.stdin.fileno(), loud):
                emitted.append(now)
                next_impulse = max(next_impulse + PERIOD, now + PERIOD / 2)  # no catch-up burst
            else:
                write(player.stdin.fileno(), silence)
            block += 1
    finally:
        player.kill()
        player.wait()


def stream(stop: threading.Event, args: dict[str, object], out: dict[str, object]) -> None:
    """Send the UDP stream until *stop*; collect the echoes for a second more."""
    name, port = args["udp"]  # type: ignore[misc]
    address = socket.getaddrinfo(name, port, socket.AF_INET, socket.SOCK_DGRAM)[0][4]
    size = int(args["size"])  # type: ignore[call-overload]
    interval = size * 8 / float(args["bps"])  # type: ignore[arg-type]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(address)
    got: list[tuple[int, float, float]] = []

    def receive() -> None:
        sock.settimeout(0.2)
        while not done.is_set():
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            seq, sent = struct.unpack_from("<Qd", data)
            got.append((seq, sent, time.monotonic()))

    done = threading.Event()
    receiver = threading.Thread(target=receive)
    receiver.start()
    pad = bytes(size - 16)
    seq = 0
    start = time.monotonic()
    while not stop.is_set():
        due = start + seq * interval
        if (wait := due - time.monotonic()) > 0:
            time.sleep(wait)
        sock.send(struct.pack("<Qd", seq, time.monotonic()) + pad)
        seq += 1
    time.sleep(1.0)
    done.set()
    receiver.join()
    sock.close()
    got.sort()
    out.update(sent=seq, echoes=[[s, t, r] for s, t, r in got])


def main() -> None:
    """Start everything, say start, wait, say stop, print the results."""
    args = json.loads(sys.argv[1])
    stop = threading.Event()
    heard: list[float] = []
    emitted: list[float] = []
    media: dict[str, object] = {}
    video = None
    if args["video"] == "ximagesink":
        video = subprocess.Popen(VIDEO, stdin=subprocess.DEVNULL)
    elif args["video"] == "xshm":
        video = subprocess.Popen([XSHM_NAME, "-c", args["xshm_source"]],
                                 executable=sys.executable, stdin=subprocess.DEVNULL)
    elif args["video"]:
        raise SystemExit(f"unknown video stand-in {args['video']!r}")
    threads = [threading.Thread(target=stream, args=(stop, args, media))]
    if args["audio"]:
        threads += [threading.Thread(target=record_mic, args=(stop, heard)),
                    threading.Thread(target=play, args=(stop, emitted, PERIOD / 2))]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # streams open, video window mapped
    began = time.monotonic()
    print(json.dumps({"event": "start", "video_pid": video.pid if video else 0}), flush=True)
    time.sleep(float(args["seconds"]))
    print(json.dumps({"event": "stop"}), flush=True)
    ended = time.monotonic()
    stop.set()
    for thread in threads:
        thread.join()
    video_exit = None
    if video is not None:
        video_exit = video.poll()
        video.terminate()
        video.wait()
    # The sandbox may have a time namespace of its own: CLOCK_MONOTONIC is then offset
    # from the host's, CLOCK_REALTIME is not. The difference lets the host convert.
    clock = time.time() - time.monotonic()
    print(json.dumps({"event": "result", "clock": clock, "began": began, "ended": ended,
                      "mic_heard": heard, "speaker_emitted": emitted,
                      "video_exit": video_exit, **media}),
          flush=True)


if __name__ == "__main__":
    main()
