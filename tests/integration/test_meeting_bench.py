"""The meeting benchmark in a reduced run (a few seconds), so that it cannot rot.

Not timed and no targets asserted: ``benchmarks/meeting.py suite 3`` runs for real
(fake internet, host Xvfb and PulseAudio, a real session with every helper) and the
figures must exist and be sane: impulses arrive both ways, frames reach the host
screen, packets come back, the session's helpers are all found and cost something.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LauncherUser

pytestmark = pytest.mark.integration

MEETING = Path(__file__).resolve().parents[2] / "benchmarks" / "meeting.py"
SECONDS = 3


def test_meeting_suite_reduced_run_gives_sane_figures(launcher_user: LauncherUser) -> None:
    if os.geteuid() != 0:
        pytest.fail("the meeting suite builds a fake internet: run the tests as root (CI)")
    done = subprocess.run(
        [sys.executable, str(MEETING), "suite", str(SECONDS)],
        env={**os.environ, "SANDBOX_LAUNCHER_TEST_USER": launcher_user.name},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    raw = out["raw"]
    for kind in ("unconfined", "sandbox", "shared_ipc"):
        run = raw[kind]
        assert run["seconds"] >= SECONDS
        # At least one impulse each way, with a delay a person could have heard as one.
        for key in ("mic_ms", "speaker_ms"):
            assert run[key], (kind, key)
            assert all(0 < ms < 950 for ms in run[key]), (kind, key, run[key])
        assert run["video_found"] == 1 and run["video_exit"] is None, (kind, run)
        assert 5 < run["fps"] < 60, (kind, run["fps"])
        assert run["video_cpu"]["video client"] > 0 and run["video_cpu"]["X server"] > 0
        # ~312 packets a second; nearly all come back through either path.
        assert run["udp_sent"] > 300 * SECONDS * 0.8, run["udp_sent"]
        assert run["udp_back"] > run["udp_sent"] * 0.9, (run["udp_back"], run["udp_sent"])
        assert 0 < run["rtt_median_ms"] < 100
    for kind in ("media_unconfined", "media_sandbox"):  # the stream alone
        run = raw[kind]
        assert run["mic_ms"] == [] and run["video_found"] == 0, (kind, run)
        assert run["udp_back"] > run["udp_sent"] * 0.9 > 300 * SECONDS * 0.7, (kind, run)
    for kind in ("xshm_unconfined", "xshm_sandbox"):  # MIT-SHM by fd: its own calls
        run = raw[kind]
        # The stand-in and its gst-launch, alive at the end: an X server that refused
        # ShmAttachFd would have made the stand-in exit.
        assert run["video_found"] == 2 and run["video_exit"] is None, (kind, run)
        assert 5 < run["fps"] < 60, (kind, run["fps"])
        assert run["video_cpu"]["video client"] > 0 and run["video_cpu"]["X server"] > 0
        # One ShmPutImage a frame reaches the host whole: no strips (XPutImage gives 14;
        # fewer than one when Xephyr, busy, forwards two frames' damage at once).
        assert 0 < run["reports_per_frame"] < 1.5, (kind, run["reports_per_frame"])
    assert raw["xshm_sandbox"]["video_cpu"]["Xephyr"] > 0
    sandbox = raw["sandbox"]
    assert sandbox["video_cpu"]["Xephyr"] > 0, "the nested display drew nothing"
    # Xephyr in the client's IPC namespace (what would fix ximagesink) drew to the host.
    shared = raw["shared_ipc"]
    assert shared["video_cpu"]["Xephyr"] > 0, "the shared-IPC Xephyr drew nothing"
    for cost in (sandbox["cost"], raw["idle"]["cost"]):
        found = set(cost["processes"])
        assert {"launcher", "holder + resolver", "pasta", "Xephyr", "window manager",
                "sound server", "forwarders", "D-Bus proxy"} <= found, found
        assert all(cost["pss"][kind] > 0 for kind in ("launcher", "Xephyr", "sound server"))
    # One pacat each for the speakers and the microphone (the relays are launcher threads).
    assert sandbox["cost"]["processes"]["forwarders"] == 2
    assert raw["idle"]["cost"]["processes"]["forwarders"] == 1  # muted: speakers only
    assert raw["left"] == [], "helpers left running after the run"
    body = "\n".join(out["body"])
    for row in ("voice in:", "voice out:", "video, `ximagesink`: frames a second",
                "video, MIT-SHM by fd: frames a second", "UDP packets lost",
                "Xephyr in the client's IPC namespace (not built): CPU of the path",
                "media alone: jitter p99", "media in the call: jitter p99",
                "session helpers idle"):
        assert row in body, row
