"""Guest set-up for the sandbox-launcher agent: what the host gave the VM.

The host says it on the kernel command line (``slt.*`` words): a static network, the
sound card, the share folder (9p) and a display (udevd and Xorg on vt1). Failures of a
device are logged, not fatal: the client then lacks it, as on a machine without it.
Standard library only, Python 3.11; imported by ``slt_agent.py``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time


def log(text: str) -> None:
    """To the kernel log: the only place a PID 1 can write before the port is open."""
    try:
        with open("/dev/kmsg", "w", encoding="utf-8") as kmsg:
            kmsg.write(f"slt-agent: {text}\n")
    except OSError:
        pass


def kernel_args() -> dict[str, str]:
    """``slt.KEY=VALUE`` words of the kernel command line."""
    with open("/proc/cmdline", encoding="utf-8") as f:
        words = f.read().split()
    return {w[4:].split("=", 1)[0]: w.split("=", 1)[1] for w in words
            if w.startswith("slt.") and "=" in w}


def setup_network(args: dict[str, str]) -> str:
    """Static address from ``slt.net=ADDR/PREFIX,GATEWAY`` and ``slt.dns=IP``."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=False)
    if "net" not in args:
        return "none"
    address, gateway = args["net"].split(",", 1)
    for argv in (["ip", "link", "set", "eth0", "up"],
                 ["ip", "addr", "add", address, "dev", "eth0"],
                 ["ip", "route", "add", "default", "via", gateway, "dev", "eth0"]):
        subprocess.run(argv, check=True)
    if "dns" in args:
        with open("/etc/resolv.conf", "w", encoding="ascii") as f:
            f.write(f"nameserver {args['dns']}\n")
    return address


def _modprobe(*modules: str) -> None:
    for module in modules:
        subprocess.run(["modprobe", module], check=False, stderr=subprocess.DEVNULL)


def setup_devices(args: dict[str, str]) -> subprocess.Popen[bytes] | None:
    """What the host gave this VM (kernel command line): sound, share folder, display.

    Returns the X server when the VM has a display. Failures are logged, not fatal: the
    client then lacks the device, as it would on a machine without it.
    """
    if args.get("sound") == "1":
        _modprobe("snd_hda_intel")  # ICH9 HDA; no udev: devtmpfs makes /dev/snd/*
        # A fresh card's capture is switched off; no alsactl restores a state here. The
        # card appears after its codec probe, so a background shell waits for it. (The
        # microphone is muted outside the VM, whatever the guest's mixer says.)
        with contextlib.suppress(OSError):
            subprocess.Popen(
                ["/bin/sh", "-c", "for i in $(seq 200); do [ -e /proc/asound/card0 ] && break;"
                 " sleep 0.1; done; amixer -q -c 0 sset Capture 100% cap;"
                 " amixer -q -c 0 sset Master 100% unmute"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
    if "share" in args:
        try:
            tag, mode, inside = args["share"].split(",", 2)
            if mode not in ("ro", "rw") or not inside.startswith("/"):
                raise ValueError(f"bad slt.share={args['share']!r}")
            _modprobe("9pnet_virtio", "9p")
            os.makedirs(inside, exist_ok=True)
            # The host's <readonly/> is what holds; "ro" here only says so early.
            subprocess.run(["mount", "-t", "9p", "-o",
                            f"trans=virtio,version=9p2000.L,msize=262144,{mode}", tag, inside],
                           check=True)
        except (OSError, ValueError, subprocess.CalledProcessError) as exc:
            log(f"share folder not mounted: {exc}")
    if args.get("display") == "1":
        _modprobe("virtio_gpu", "virtio_input")
        # Xorg finds keyboard and pointer through udev's database: run udevd once.
        if os.path.exists("/lib/systemd/systemd-udevd"):
            subprocess.run(["/lib/systemd/systemd-udevd", "--daemon"], check=False)
            subprocess.run(["udevadm", "trigger", "--action=add"], check=False)
            subprocess.run(["udevadm", "settle", "--timeout=30"], check=False)
        try:
            # No display manager, no logind: the agent (root) runs the server on vt1.
            return subprocess.Popen(
                ["Xorg", ":0", "vt1", "-nolisten", "tcp", "-noreset", "-keeptty"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            log(f"no X server: {exc}")
    return None


def wait_for_x(server: subprocess.Popen[bytes], timeout: float = 120.0) -> bool:
    """Whether the X server listens (its socket exists) within *timeout*."""
    deadline = time.monotonic() + timeout
    while not os.path.exists("/tmp/.X11-unix/X0"):
        if server.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
