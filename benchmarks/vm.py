"""Disposable-VM benchmark: cold start to agent-ready, and stop + wipe.

``python benchmarks/vm.py [--runs N]``, or ``run.py --suite vm`` (which runs ``vm.py
suite N`` and reads its last line, JSON). As root it becomes the benchmark user first
(``SANDBOX_LAUNCHER_BENCH_USER``, default run.py's), as the app runs for real users.
The guest is the ``test`` recipe's image (built first if the user has none).

In interleaved rounds:

- *bare QEMU* (the same-run baseline): ``qemu-system-x86_64`` started directly with the
  same kernel, initrd, a fresh overlay and the agent's virtio-serial port, no libvirt;
  timed from spawn to the agent's hello;
- *libvirt VM*: ``machine.boot`` as the backend does it (image verify excluded, timed
  apart), from the call to the agent's hello; then destroy + wipe, and verify;
- *libvirt VM with a display*: the same with the SPICE display, virtio GPU and tablet
  (no viewer attached: what the devices cost the boot);
- *warm pool* (after the rounds): a pool of one paused VM; from ``take`` (resume, agent
  ping) to the exit of ``/bin/true`` run in it; the pool refills before the next take.

Acceleration is labelled: KVM only when the launcher's probe says it works.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import run  # run.py, next to this file: privileges and the machine description

from sandbox_launcher.backends.vm import image as images
from sandbox_launcher.backends.vm import machine
from sandbox_launcher.backends.vm.protocol import PORT_NAME, AgentChannel
from sandbox_launcher.backends.vm.recipe import load_recipe
from sandbox_launcher.host.kvm import probe_kvm

IMAGE = "test"
READY_TIMEOUT = 300.0


def ensure_image() -> images.Image:
    """The benchmark user's test image, rebuilt when the recipe changed."""
    recipe = load_recipe(IMAGE)
    try:
        image = images.verify_image(IMAGE)
        if image.recipe_sha256 == recipe.digest():
            return image
    except images.ImageError:
        pass
    return images.build_image(recipe, lambda step, detail: print(f"build: {step}: {detail}",
                                                                  file=sys.stderr))


def bare_qemu(image: images.Image, work: Path, accel: str) -> float:
    """Seconds from spawning QEMU directly to the agent's hello."""
    overlay, sock = work / "bare.qcow2", work / "bare.sock"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                    str(image.file("base.qcow2")), str(overlay)], check=True)
    argv = ["qemu-system-x86_64", "-accel", accel, "-machine", "q35", "-m", "512",
            "-nodefaults", "-nographic", "-serial", "none", "-monitor", "none",
            "-kernel", str(image.kernel), "-initrd", str(image.file("initrd.img")),
            "-append", "root=/dev/vda rw quiet init=/usr/local/sbin/slt-init",
            "-drive", f"file={overlay},if=virtio,format=qcow2",
            "-device", "virtio-serial",
            "-chardev", f"socket,id=agent,path={sock},server=on,wait=off",
            "-device", f"virtserialport,chardev=agent,name={PORT_NAME}"]
    started = time.monotonic()
    qemu = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        channel = AgentChannel.connect(sock, timeout=30)
        channel.receive(READY_TIMEOUT)
        ready = time.monotonic() - started
        channel.close()
    finally:
        qemu.kill()
        qemu.wait()
        for path in (overlay, sock):
            path.unlink(missing_ok=True)
    return ready


def libvirt_vm(image: images.Image, work: Path, accel: tuple[str, str],
               index: int, display: bool = False) -> tuple[float, float, bool]:
    """(cold start to ready, stop + wipe, verified clean) for one backend VM."""
    started = time.monotonic()
    name = f"bench-{os.getpid()}-{index}{'-display' if display else ''}"
    vm = machine.boot(image, work, name, accel=accel, ready_timeout=READY_TIMEOUT,
                      display=display)
    ready = time.monotonic() - started
    stop = time.monotonic()
    vm.destroy()
    machine.wipe(vm.state)
    wiped = time.monotonic() - stop
    return ready, wiped, all(c.ok for c in machine.verify(vm.state))


def pool_starts(image: images.Image, work: Path, runs: int) -> list[float]:
    """Seconds from taking a paused VM to its first command's exit, *runs* times."""
    from sandbox_launcher.backends.vm.pool import WarmPool

    warm = WarmPool(image, work / "pool", size=1)
    times: list[float] = []
    try:
        for _ in range(runs):
            warm.fill()
            started = time.monotonic()
            vm = warm.take()
            assert vm is not None
            vm.start_command(["/bin/true"], {"PATH": "/usr/bin:/bin"})
            vm.wait_command()
            times.append(time.monotonic() - started)
            vm.destroy()
            machine.wipe(vm.state)
    finally:
        warm.close()
    return times


def suite(runs: int) -> dict[str, object]:
    """Measure; the section body for RESULTS.md."""
    image = ensure_image()
    t = time.monotonic()
    images.verify_image(IMAGE)
    verify_s = time.monotonic() - t
    accel = machine.choose_accel(probe_kvm(1.5))
    label = "KVM" if accel[0] == "kvm" else "TCG (software emulation)"
    bare: list[float] = []
    cold: list[float] = []
    wipe: list[float] = []
    shown: list[float] = []
    clean = True
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    work = Path(tempfile.mkdtemp(prefix="slt-bench-vm-", dir=base))
    try:
        for index in range(runs):
            bare.append(bare_qemu(image, work, accel[0]))
            ready, wiped, ok = libvirt_vm(image, work, accel, index)
            cold.append(ready)
            wipe.append(wiped)
            clean = clean and ok
            ready, wiped, ok = libvirt_vm(image, work, accel, index, display=True)
            shown.append(ready)
            clean = clean and ok
        pooled = pool_starts(image, work, runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    size = image.size / 2**20
    body = [
        f"Acceleration: **{label}** ({accel[1]}). Image `{IMAGE}` ({size:.0f} MiB); "
        f"medians of {runs} interleaved rounds.", "",
        "| measure | median s | min s | max s |", "|---|---:|---:|---:|",
        *(f"| {name} | {statistics.median(v):.2f} | {min(v):.2f} | {max(v):.2f} |"
          for name, v in (("bare QEMU, spawn to agent hello (baseline)", bare),
                          ("libvirt VM, cold start to agent-ready", cold),
                          ("libvirt VM with display (SPICE, virtio GPU), cold start to "
                           "agent-ready", shown),
                          ("warm pool: take (resume) to first command's exit", pooled),
                          ("stop + wipe (destroy, overlay, sockets, log)", wipe))),
        "",
        f"Libvirt VM / bare QEMU: {statistics.median(cold) / statistics.median(bare):.2f}x. "
        f"Image verify (sha256 of every file, before each start): {verify_s:.2f} s. "
        f"Every wipe verified clean (no domain, process or file): {'yes' if clean else 'NO'}.",
        "Anchors (issue 13): Qubes 4.3 fresh disposable 8.5-10.4 s, preloaded 4.6-4.8 s; "
        "targets: pool start <= 1 s and wipe <= 2 s (TCG), cold <= 10 s under KVM (TCG "
        "reported as measured).",
    ]
    return {"body": body, "machine": run.machine_info(), "hostname": socket.gethostname()}


def main() -> int:
    """``vm.py [--runs N]`` prints the table; ``vm.py suite N`` prints JSON for run.py."""
    if sys.argv[1:2] == ["suite"]:
        run.drop_privileges(os.environ.get("SANDBOX_LAUNCHER_BENCH_USER", run.BENCH_USER))
        result = suite(int(sys.argv[2]))
        print("\n".join(result["body"]), file=sys.stderr)  # type: ignore[arg-type]
        print(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    run.drop_privileges(os.environ.get("SANDBOX_LAUNCHER_BENCH_USER", run.BENCH_USER))
    print("\n".join(suite(args.runs)["body"]))  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
