"""Drive the VM backend as the unprivileged user, for tests/integration/test_vm.py.

``run WORKDIR ARGV...``: boot, run ARGV in the guest, wipe, verify; print one JSON line.
``hold WORKDIR``: boot, start a long command, print the state, wait (the test kills us).
``recover WORKDIR``: stale recovery of the session saved in WORKDIR; print the checks.
``display WORKDIR``: boot with a SPICE display; report QEMU's listening sockets and what a
SPICE link request on the descriptor of ``virDomainOpenGraphicsFD`` gets back.
``link WORKDIR``: the agent starts a client with a meeting link; bad links are refused by
the host and, sent around the host's check, by the agent.
``pool WORKDIR``: a warm pool of one: fill, take (resume), run, refill, close; report.
``net WORKDIR ARGV...``: as ``run``, with a network jail that allows zoom.us on tcp/443
(run inside the fake internet's host namespace); adds the jail's events and counters.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

from sandbox_launcher.backends.base import Resources
from sandbox_launcher.backends.vm.backend import VmBackend
from sandbox_launcher.core.devices import DevicePlan


def display(workdir: Path) -> int:
    """Boot with a display, open it by descriptor, speak SPICE's first words."""
    import socket
    import struct

    import psutil

    from sandbox_launcher.backends.vm import image, machine

    vm = machine.boot(image.verify_image("test"), workdir, f"disp-{workdir.name[-6:]}",
                      display=True)
    try:
        qemu = [p for p in psutil.process_iter(["cmdline"])
                if any(a.startswith(f"guest={vm.state.domain}") for a in p.info["cmdline"] or ())]
        def listening_of(processes: list[psutil.Process]) -> list[str]:
            return [f"{c.laddr}" for p in processes for c in p.net_connections("inet")
                    if c.status == psutil.CONN_LISTEN]

        listening = listening_of(qemu)
        with socket.create_server(("127.0.0.1", 0)):  # the probe must see this one
            control_seen = listening_of([psutil.Process()])
        fd = vm.open_display()
        with socket.socket(fileno=fd) as sock:
            kind = sock.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)
            # SpiceLinkHeader (magic, major 2, minor 2, size) + SpiceLinkMess for the
            # main channel without capabilities: the server must answer with its header.
            body = struct.pack("<IBBHI", 0, 1, 0, 0, 0) + struct.pack("<I", 18)
            sock.sendall(b"REDQ" + struct.pack("<III", 2, 2, len(body)) + body)
            sock.settimeout(30)
            reply = sock.recv(16)
        print(json.dumps({"qemu_pids": [p.pid for p in qemu], "listening": listening,
                          "control": control_seen,
                          "fd_type": int(kind), "reply_magic": reply[:4].decode("latin-1"),
                          "reply_major": struct.unpack("<I", reply[4:8])[0] if len(reply) >= 8
                          else None}))
    finally:
        vm.destroy()
        machine.wipe(vm.state)
    return 0


def link(workdir: Path) -> int:
    """Hand a link to the guest's client (here /bin/echo) the way the app will."""
    from sandbox_launcher.backends.vm import image, machine
    from sandbox_launcher.backends.vm.errors import VmError
    from sandbox_launcher.backends.vm.protocol import GuestError

    vm = machine.boot(image.verify_image("test"), workdir, f"link-{workdir.name[-6:]}")
    out: list[str] = []
    try:
        vm.start_command(["/bin/echo", "client got"], {"PATH": "/usr/bin:/bin"},
                         link="https://zoom.us/j/123?pwd=abc")
        status = vm.wait_command(lambda _s, d: out.append(d.decode()))
        try:
            vm.start_command(["/bin/echo"], {}, link="http://evil.example/ x")
            host_refused = ""
        except VmError as exc:
            host_refused = exc.summary
        vm.channel.send("run", id=99, argv=["/bin/echo"], env={}, link="file:///etc/shadow")
        answer = vm.channel.receive(60)
        guest_refused = answer.message if isinstance(answer, GuestError) else repr(answer)
    finally:
        vm.destroy()
        machine.wipe(vm.state)
    print(json.dumps({"status": status, "output": "".join(out),
                      "host_refused": host_refused, "guest_refused": guest_refused}))
    return 0


def pool(workdir: Path) -> int:
    """The warm pool's life, timed, with every VM verified gone at the end."""
    from sandbox_launcher.backends.vm import image, machine
    from sandbox_launcher.backends.vm.pool import WarmPool

    warm = WarmPool(image.verify_image("test"), workdir, size=1)
    started = time.monotonic()
    warm.fill()
    fill_s = time.monotonic() - started
    pooled = warm._ready[0]
    paused = pooled.domain.state()[0] == 3  # VIR_DOMAIN_PAUSED
    taken = warm.take()
    assert taken is not None
    taken.start_command(["/bin/sh", "-c", "exit 3"], {"PATH": "/usr/bin:/bin"})
    status = taken.wait_command()
    deadline = time.monotonic() + 300
    while warm.ready() < 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    refill = warm._ready[0].state.domain if warm.ready() else None
    taken.destroy()
    machine.wipe(taken.state)
    checks = machine.verify(taken.state)  # its pool dir too: the wipe removed it
    states = [vm.state for vm in warm._ready]
    warm.close()
    for state in states:
        checks += machine.verify(state)
    print(json.dumps({
        "fill_s": fill_s, "paused": paused, "take_s": taken.timings["pool_take_s"],
        "status": status, "taken": taken.state.domain, "refill": refill,
        "checks": [asdict(c) for c in checks], "left": sorted(p.name for p in workdir.iterdir()),
    }))
    return 0


def main() -> int:
    mode, workdir, argv = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    output: list[tuple[str, str]] = []
    backend = VmBackend(image="test",
                        output=lambda s, d: output.append((s, d.decode(errors="replace"))))
    if mode == "link":
        return link(workdir)
    if mode == "pool":
        return pool(workdir)
    if mode == "display":
        return display(workdir)
    if mode == "recover":
        checks = backend.recover_dir(workdir)
        print(json.dumps({"checks": None if checks is None else [asdict(c) for c in checks]}))
        return 0
    if mode == "small":  # a runtime dir too small for the overlay: the typed error
        from sandbox_launcher.core.errors import LauncherError

        try:
            backend.start(SimpleNamespace(command=("/bin/true",), env={}, image="",  # type: ignore[arg-type]
                                          devices=DevicePlan()),
                          Resources(workdir))
        except LauncherError as exc:
            print(json.dumps({"error": type(exc).__name__, "summary": exc.summary,
                              "hint": exc.hint}))
            return 0
        return 1
    plan = SimpleNamespace(command=tuple(argv or ["/bin/sleep", "600"]), env={}, image="",
                           devices=DevicePlan())
    jail = None
    if mode == "net":
        from sandbox_launcher.core.plan import NetworkPlan
        from sandbox_launcher.netjail.jail import Jail

        jail = Jail.start(NetworkPlan("allowlist", domains=("zoom.us",),
                                      tcp_ports=((443, 443),)))
    started = time.monotonic()
    handle = backend.start(plan, Resources(workdir, None, jail))  # type: ignore[arg-type]
    state = handle.state
    if mode == "hold":
        print(json.dumps({"state": state.data}), flush=True)
        time.sleep(600)
        return 1
    status = handle.wait()
    ended = time.monotonic()
    handle.kill()
    backend.wipe(state)
    wiped = time.monotonic()
    checks = backend.verify(state, {})
    jail_report: dict[str, object] = {}
    if jail is not None:
        jail_report = {"events": jail.read_events(), "stats": jail.stats()}
        jail.close()
    print(json.dumps({
        "status": status, "state": state.data, "output": output, "jail": jail_report,
        "run_s": ended - started, "wipe_s": wiped - ended,
        "checks": [asdict(c) for c in checks]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
