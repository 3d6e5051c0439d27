"""The jail holder: owns a session's network namespace, its firewall and its resolver.

Started by the launcher as ``python -I -m sandbox_launcher.netjail.holder FD``; FD is
a SEQPACKET socket to the launcher (config in, events out). In order, it:

1. forks a child that will become pasta (it must stay in the host's namespaces);
2. creates the upstream DNS sockets while still in the host's network namespace
   (sockets keep the namespace they were made in: the resolver can forward queries
   that the client, inside the jail, could never send);
3. unshares a user and a network namespace, becomes root in them only;
4. loads the default-deny nftables ruleset, then binds the resolver on 127.0.0.1:53;
5. only then lets pasta connect the namespace to the host: there is no moment when
   the namespace has a route out and no firewall.

A *closed* jail (a spare session's, config ``"closed": true``) stops before step 5: it
says ready with no route out at all, and pasta attaches only when the launcher sends
``{"cmd": "open"}`` as its client starts.

Both the holder and pasta die with SIGKILL when their parent dies, so a launcher
killed with SIGKILL leaves neither behind.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import signal
import socket
import struct
import sys
import time
from typing import Any

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_PR_SET_PDEATHSIG = 1
_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1
_PASTA_READY_SECONDS = 10.0

_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent(parent: int) -> None:
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _enter_namespaces(uid: int, gid: int) -> None:
    if _libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare: {os.strerror(err)}")
    with open("/proc/self/setgroups", "w", encoding="ascii") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w", encoding="ascii") as f:
        f.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w", encoding="ascii") as f:
        f.write(f"0 {gid} 1")


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifreq = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s, _SIOCGIFFLAGS, ifreq))[1]
        fcntl.ioctl(s, _SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | _IFF_UP))


def _has_route_out() -> bool:
    """Whether pasta has configured the namespace (a default route exists)."""
    try:
        with open("/proc/net/route", encoding="ascii") as table:
            if any(line.split()[1] == "00000000" for line in list(table)[1:]):
                return True
        with open("/proc/net/ipv6_route", encoding="ascii") as table:
            return any(line.split()[0] == "0" * 32 and line.split()[9] != "lo"
                       for line in table)
    except (OSError, IndexError):
        return False


def _fork_pasta(pasta_argv: list[str], log_fd: int) -> tuple[int, int]:
    """Fork the future pasta now (host namespaces); it execs when the go pipe is written.

    Its output goes to *log_fd* (a memfd): pasta's chatter must not reach the user's
    terminal, but its last words explain a failed set-up.
    """
    go_r, go_w = os.pipe()
    me = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(go_w)
            os.dup2(log_fd, 1)
            os.dup2(log_fd, 2)
            _die_with_parent(me)
            if os.read(go_r, 1) != b"g":
                os._exit(0)
            # Python ignores SIGPIPE and SIGXFSZ, and exec keeps "ignored"; pasta then
            # fails to install its handlers. Give it the defaults, as subprocess would.
            for sig in (signal.SIGPIPE, signal.SIGXFSZ):
                signal.signal(sig, signal.SIG_DFL)
            os.execv(pasta_argv[0], [*pasta_argv, str(me)])
        finally:
            os._exit(127)
    os.close(go_r)
    return pid, go_w


def _bind_resolver() -> list[socket.socket]:
    sockets = []
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        udp = socket.socket(family, socket.SOCK_DGRAM)
        udp.bind((address, 53))
        tcp = socket.socket(family, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((address, 53))
        tcp.listen(16)
        sockets += [udp, tcp]
    return sockets


def _upstream_sockets(servers: list[str]) -> dict[int, socket.socket]:
    made: dict[int, socket.socket] = {}
    for family in {socket.AF_INET6 if ":" in s else socket.AF_INET for s in servers}:
        sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.setblocking(False)
        made[family] = sock
    return made


def setup(ctl: socket.socket, config: dict[str, Any]) -> dict[str, Any]:
    """Build the jail; returns what the resolver needs. Raises on any failure."""
    from .nftlib import Nft

    log_fd = os.memfd_create("pasta-log")
    pasta_pid, go = _fork_pasta(config["pasta"], log_fd)
    upstream = _upstream_sockets(config["upstream"])
    _enter_namespaces(config["uid"], config["gid"])
    _loopback_up()
    nft = Nft()
    nft.run(config["ruleset"])
    listeners = _bind_resolver()
    parts: dict[str, Any] = {"nft": nft, "listeners": listeners, "upstream": upstream}

    def connect() -> None:
        _connect(go, pasta_pid, log_fd)

    if config.get("closed"):
        parts["opener"] = connect  # step 5 waits for the launcher's "open"
    else:
        connect()
    ctl.send(json.dumps({"type": "ready", "pid": os.getpid(), "pasta_pid": pasta_pid}).encode())
    return parts


def _connect(go: int, pasta_pid: int, log_fd: int) -> None:
    """Step 5: let pasta connect the namespace; returns once it has a route out."""
    os.write(go, b"g")
    os.close(go)
    deadline = time.monotonic() + _PASTA_READY_SECONDS
    while not _has_route_out():
        done, status = os.waitpid(pasta_pid, os.WNOHANG)
        if done:
            said = os.pread(log_fd, 4096, 0).decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"pasta exited during set-up (status {status >> 8}): "
                               f"{said[-1] if said else 'no message'}")
        if time.monotonic() > deadline:
            raise RuntimeError("pasta did not configure the namespace in time")
        time.sleep(0.001)


def main() -> int:
    """Entry point of the holder process."""
    ctl = socket.socket(fileno=int(sys.argv[1]))
    _die_with_parent(int(sys.argv[2]))
    config = json.loads(ctl.recv(1 << 20))
    try:
        parts = setup(ctl, config)
    except Exception as exc:
        ctl.send(json.dumps({"type": "error", "error": f"{type(exc).__name__}: {exc}"}).encode())
        return 1
    from .resolver import Resolver

    Resolver(ctl, config, **parts).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
