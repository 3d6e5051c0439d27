"""A data-hungry client: looks everywhere for who and where its user is (issue 11).

Stdlib only; run as ``python3 -c SOURCE MODE ARGS`` inside a sandbox or, as its own
control, unconfined as the same user. Modes:

``identity``  print what identifies this host to a client: login, home, hostname, the
              MACs and addresses of every interface (read as a client would read them).
``scan``      search every place a client can read (all of /etc, /proc's mount, network
              and process files, /sys, file names under /, uname, the environment) for
              the secrets given *hex-encoded* (so they are not in this process's own
              command line), and report where each was found; also list /etc and the
              neighbour table after the ``--connect`` targets were tried (which makes the
              kernel resolve the gateway's MAC).

One JSON object on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import ipaddress
import itertools
import json
import os
import pwd
import re
import socket
import struct
import sys
from collections.abc import Iterator
from typing import Any

_SIOCGIFHWADDR = 0x8927
_ZERO_MAC = "00:00:00:00:00:00"
_MAX_FILE = 2 << 20
_WALK_DEPTH = 4
#: File names under these are searched for the login; /proc and /sys are read below.
_NAME_ROOTS = ("/", "/home", "/run", "/tmp", "/var", "/opt", "/mnt", "/media", "/srv")
#: Process and kernel files that describe the machine, the mounts and the network.
_PROC_FILES = (
    "mountinfo", "mounts", "cgroup", "net/arp", "net/route", "net/ipv6_route", "net/if_inet6",
    "net/dev", "net/fib_trie", "net/unix", "net/tcp", "net/tcp6", "net/udp", "net/udp6",
)
_KERNEL_FILES = ("/proc/cmdline", "/proc/version", "/proc/sys/kernel/hostname",
                 "/proc/sys/kernel/domainname", "/proc/stat", "/proc/uptime")


def interface_names() -> list[str]:
    """Interfaces of this network namespace, from /proc (as any client can list them)."""
    names = []
    with contextlib.suppress(OSError), open("/proc/net/dev", encoding="ascii") as f:
        for line in list(f)[2:]:
            names.append(line.split(":")[0].strip())
    return names


def mac_of(name: str) -> str | None:
    """The hardware address of *name*, asked from the kernel (needs no /sys)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            raw = fcntl.ioctl(s, _SIOCGIFHWADDR, struct.pack("256s", name.encode()[:15]))
        except OSError:
            return None
    mac = ":".join(f"{b:02x}" for b in raw[18:24])
    return None if mac == _ZERO_MAC else mac


def addresses() -> list[str]:
    """Every non-loopback address of this namespace (fib_trie and if_inet6)."""
    found: set[str] = set()
    with contextlib.suppress(OSError), open("/proc/net/fib_trie", encoding="ascii") as f:
        for previous, line in itertools.pairwise(f.read().splitlines()):
            if "/32 host LOCAL" in line:
                found.add(previous.split()[-1])
    with contextlib.suppress(OSError), open("/proc/net/if_inet6", encoding="ascii") as f:
        for line in f:
            found.add(str(ipaddress.IPv6Address(int(line.split()[0], 16))))
    return sorted(a for a in found if not ipaddress.ip_address(a).is_loopback)


def identity() -> dict[str, Any]:
    """What identifies this host and its user, as seen from here."""
    entry = pwd.getpwuid(os.getuid())
    macs = {n: m for n in interface_names() if (m := mac_of(n))}
    return {"login": entry.pw_name, "home": entry.pw_dir, "hostname": socket.gethostname(),
            "macs": macs, "addresses": addresses()}


def _pattern(kind: str, secret: str) -> re.Pattern[str]:
    """A match for *secret* as a whole word (an address is not part of a longer one).

    A host name as the kernel has it, case and all: a two-letter one would otherwise
    turn up in every block of base64 of the certificates.
    """
    edge = {"address": r"0-9A-Fa-f.:", "mac": r"0-9A-Fa-f:",
            "hostname": r"A-Za-z0-9_+/=-"}.get(kind, r"A-Za-z0-9_-")
    flags = 0 if kind == "hostname" else re.IGNORECASE
    return re.compile(rf"(?<![{edge}]){re.escape(secret)}(?![{edge}])", flags)


def _readable_files(top: str, limit: int = 20000) -> Iterator[str]:
    for root, dirs, files in os.walk(top, onerror=lambda _e: None):
        dirs.sort()
        for name in sorted(files):
            limit -= 1
            if limit < 0:
                return
            yield os.path.join(root, name)


_STRINGS = re.compile(rb"[\x21-\x7e]{4,}")


def _read(path: str) -> str | None:
    """A file's text; of a binary file (a cache, a compressed page) its strings, as
    ``strings`` would show them (runs of four and more printable characters)."""
    try:
        if os.path.isfile(path) and os.path.getsize(path) > _MAX_FILE:
            return None
        with open(path, "rb") as f:
            raw = f.read(_MAX_FILE)
    except OSError:
        return None
    try:
        return raw.decode("utf-8").replace("\0", " ")
    except UnicodeDecodeError:
        return "\n".join(m.decode("ascii") for m in _STRINGS.findall(raw))


def _names(top: str, depth: int) -> Iterator[str]:
    if depth < 0:
        return
    with contextlib.suppress(OSError):
        for entry in os.scandir(top):
            if entry.path in ("/proc", "/sys", "/usr", "/dev"):
                continue
            yield entry.path
            if entry.is_dir(follow_symlinks=False):
                yield from _names(entry.path, depth - 1)


def sources() -> Iterator[tuple[str, str]]:
    """(where, text) for everything a client reads to learn about its host."""
    yield "uname", " ".join(os.uname())
    yield "gethostname", socket.gethostname()
    yield "cwd", os.getcwd()
    yield "environment", "\n".join(f"{k}={v}" for k, v in os.environ.items())
    for path in _readable_files("/etc"):
        if (text := _read(path)) is not None:
            yield path, text
    for name in _PROC_FILES:
        if (text := _read(f"/proc/self/{name}")) is not None:
            yield f"/proc/self/{name}", text
    # The sandbox's init: its mount table is the namespace's, as any process there sees it.
    for name in ("mountinfo", "mounts"):
        if (text := _read(f"/proc/1/{name}")) is not None:
            yield f"/proc/1/{name}", text
    for path in _KERNEL_FILES:
        if (text := _read(path)) is not None:
            yield path, text
    for pid in sorted(p for p in os.listdir("/proc") if p.isdigit()):
        for part in ("cmdline", "environ"):
            if pid != str(os.getpid()) and (text := _read(f"/proc/{pid}/{part}")) is not None:
                yield f"/proc/{pid}/{part}", text
    for top in ("/sys/class/net", "/sys/class/dmi/id", "/sys/devices/virtual/dmi"):
        for path in _readable_files(top, 500):
            if (text := _read(path)) is not None:
                yield path, text
    seen: set[str] = set()
    for top in _NAME_ROOTS:
        for path in _names(top, _WALK_DEPTH):
            if path not in seen:
                seen.add(path)
                yield f"file name {path}", path
    for name in interface_names():
        yield f"interface {name}", f"{name} {mac_of(name) or ''}"


def scan(secrets: dict[str, list[str]]) -> dict[str, list[str]]:
    """For each kind of secret, where it was found ("PLACE: excerpt")."""
    patterns = [(kind, _pattern(kind, s)) for kind, values in secrets.items() for s in values
                if s]
    found: dict[str, list[str]] = {kind: [] for kind in secrets}
    for where, text in sources():
        for kind, pattern in patterns:
            if (match := pattern.search(text)) is not None:
                start = max(0, match.start() - 40)
                found[kind].append(f"{where}: {text[start:match.end() + 40]!r}")
    return found


def neighbours() -> list[dict[str, str]]:
    """The IPv4 neighbour table (the gateway, once something went out through it)."""
    table = []
    with contextlib.suppress(OSError), open("/proc/net/arp", encoding="ascii") as f:
        for line in list(f)[1:]:
            fields = line.split()
            if len(fields) >= 6 and fields[3] != _ZERO_MAC:
                table.append({"ip": fields[0], "mac": fields[3].lower(), "device": fields[5]})
    return table


def connect(target: str) -> str:
    """Try a TCP connection (so the kernel resolves the gateway); says how it went."""
    host, _, port = target.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=3):
            return "connected"
    except OSError as exc:
        return type(exc).__name__


def boot_time() -> dict[str, float]:
    """When the machine booted and how long ago, as /proc tells every process."""
    seen: dict[str, float] = {}
    with contextlib.suppress(OSError, ValueError), open("/proc/stat", encoding="ascii") as f:
        for line in f:
            if line.startswith("btime "):
                seen["btime"] = float(line.split()[1])
    with contextlib.suppress(OSError, ValueError), open("/proc/uptime", encoding="ascii") as f:
        seen["uptime"] = float(f.read().split()[0])
    return seen


def mount_table() -> list[dict[str, str]]:
    """This process's mounts: where each is mounted and its source's path ("root")."""
    table = []
    with contextlib.suppress(OSError), open("/proc/self/mountinfo", encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            table.append({"root": fields[3], "at": fields[4]})
    return table


def run_scan(args: argparse.Namespace) -> dict[str, Any]:
    """The ``scan`` mode."""
    tried = {t: connect(t) for t in args.connect}
    secrets = {kind: [bytes.fromhex(h).decode() for h in getattr(args, kind)]
               for kind in ("login", "hostname", "mac", "address")}
    return {"mode": "scan", "found": scan(secrets), "etc": sorted(os.listdir("/etc")),
            "connected": tried, "neighbours": neighbours(), "boot": boot_time(),
            "cmdline": _read("/proc/cmdline"), "mounts": mount_table(),
            "interfaces": {n: mac_of(n) for n in interface_names()}}


def main(argv: list[str] | None = None) -> int:
    """Entry point: one JSON object on stdout."""
    parser = argparse.ArgumentParser(prog="privacy_probe")
    sub = parser.add_subparsers(dest="mode", required=True)
    sub.add_parser("identity")
    scan_parser = sub.add_parser("scan")
    for kind in ("login", "hostname", "mac", "address"):
        scan_parser.add_argument(f"--{kind}", nargs="*", default=[], metavar="HEX")
    scan_parser.add_argument("--connect", nargs="*", default=[], metavar="HOST:PORT")
    args = parser.parse_args(argv)
    payload = identity() if args.mode == "identity" else run_scan(args)
    json.dump(payload, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
