"""A fake internet in network namespaces, for testing the network jail (DESIGN §6).

Three namespaces, none connected to the real network::

    lan                   host (the user's machine)                 inet (the "internet")
    192.168.77.5 ------- 192.168.77.1
      :80 lan-80          192.0.2.2 ---------------------------------- 192.0.2.1 (router)
                          default via 192.0.2.1                          :8080 router-8080
                          resolv.conf: 198.51.100.53                   on lo:
                          127.0.0.1:8080 host-loopback-8080              198.51.100.53 DNS :53
                          192.0.2.2:8081 host-address-8081               198.51.100.10 zoom.us
                          198.51.100.2:8082 host-second-8082 (on lo)     198.51.100.66 evil.example
                                                                         203.0.113.77 far.zoom.us

The launcher runs in *host*; its only way out is *inet*, which has no route anywhere else.
Every TCP server greets with a banner naming itself (``zoom-443``), so a client can tell
which server it reached, and every server logs every connection and every DNS question, so
a test can prove that something *never* arrived.

Stdlib only: the same file is the servers' program (``python fake_internet.py serve
SPEC.json``, run inside a namespace by ``ip netns exec``) and the harness that builds it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import secrets
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------- addresses

HOST_ADDRESS = "192.0.2.2"
#: A second address of the user's machine (another interface, a VPN): not one the sandbox
#: gets a copy of, so only the jail's "host addresses" rule stands between them.
HOST_SECOND_ADDRESS = "198.51.100.2"
ROUTER_ADDRESS = "192.0.2.1"
LAN_GATEWAY = "192.168.77.1"
LAN_HOST = "192.168.77.5"
DNS_ADDRESS = "198.51.100.53"
ZOOM_ADDRESS = "198.51.100.10"
EVIL_ADDRESS = "198.51.100.66"
FAR_ADDRESS = "203.0.113.77"
#: What the fake DNS answers; anything else is NXDOMAIN. A ``*.parent`` key answers every
#: name below *parent* that has no record of its own.
DNS_RECORDS = {
    "zoom.us": ZOOM_ADDRESS,
    "www.zoom.us": ZOOM_ADDRESS,
    "far.zoom.us": FAR_ADDRESS,
    "evil.example": EVIL_ADDRESS,
}
DNS_TTL = 60
#: The only ranges these namespaces may ever hold or talk to (RFC 5737 and the fake LAN).
TEST_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "192.168.77.0/24",
              "127.0.0.0/8", "::1/128")
)


@dataclass(frozen=True)
class Service:
    """One fake server: ``proto`` is tcp (banner) or udp (echo, prefixed with the banner)."""

    proto: str
    address: str
    port: int
    banner: str

    def to_dict(self) -> dict[str, Any]:
        """The form the server program reads from its spec file."""
        return {"proto": self.proto, "address": self.address, "port": self.port,
                "banner": self.banner}


INET_SERVICES = (
    Service("tcp", ZOOM_ADDRESS, 443, "zoom-443"),
    Service("tcp", ZOOM_ADDRESS, 8080, "zoom-8080"),
    Service("tcp", ZOOM_ADDRESS, 8801, "zoom-8801"),
    Service("udp", ZOOM_ADDRESS, 8801, "zoom-udp-8801"),
    Service("tcp", EVIL_ADDRESS, 443, "evil-443"),
    Service("tcp", FAR_ADDRESS, 443, "far-443"),
    # What pasta's gateway mapping would turn into the host's loopback: it must be a
    # remote server (or nothing) for the sandbox, never the user's machine.
    Service("tcp", ROUTER_ADDRESS, 8080, "router-8080"),
)
HOST_SERVICES = (
    Service("tcp", "127.0.0.1", 8080, "host-loopback-8080"),
    Service("tcp", HOST_ADDRESS, 8081, "host-address-8081"),
    Service("tcp", HOST_SECOND_ADDRESS, 8082, "host-second-8082"),
)
LAN_SERVICES = (Service("tcp", LAN_HOST, 80, "lan-80"),)

SERVER_START_TIMEOUT = 20.0
COMMAND_TIMEOUT = 30.0


# --------------------------------------------------------------------------- DNS wire format

_QTYPE_NAMES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT",
                28: "AAAA", 33: "SRV", 41: "OPT", 65: "HTTPS", 255: "ANY"}
_FLAG_RESPONSE = 0x8000
_FLAG_RD = 0x0100
_FLAG_RA = 0x0080
_OPCODE_MASK = 0x7800
_RCODE_NXDOMAIN = 3
_RCODE_FORMERR = 1
_TYPE_A = 1
_CLASS_IN = 1


@dataclass(frozen=True)
class Question:
    """The first question of a DNS message and where it ends."""

    ident: int
    flags: int
    name: str
    qtype: int
    qclass: int
    end: int

    @property
    def type_name(self) -> str:
        """``A``, ``AAAA``… or ``TYPE<n>``."""
        return _QTYPE_NAMES.get(self.qtype, f"TYPE{self.qtype}")


def parse_question(message: bytes) -> Question:
    """Parse the header and first question; ValueError if it is not a query we can read.

    Questions never use compression pointers in practice, so none are followed: a message
    that has one is refused as malformed rather than risk a loop.
    """
    if len(message) < 12:
        raise ValueError("shorter than a DNS header")
    ident, flags, qdcount = struct.unpack("!HHH", message[:6])
    if qdcount < 1:
        raise ValueError("no question")
    labels: list[str] = []
    pos = 12
    while True:
        if pos >= len(message):
            raise ValueError("name runs past the end")
        length = message[pos]
        pos += 1
        if length == 0:
            break
        if length & 0xC0:
            raise ValueError("compression pointer in a question")
        labels.append(message[pos : pos + length].decode("ascii", "replace"))
        pos += length
    if pos + 4 > len(message):
        raise ValueError("question has no type and class")
    qtype, qclass = struct.unpack("!HH", message[pos : pos + 4])
    return Question(ident, flags, ".".join(labels), qtype, qclass, pos + 4)


def build_answer(message: bytes, question: Question, records: dict[str, str],
                 ttl: int) -> bytes:
    """Answer *question*: A records from *records*, NODATA for other types, else NXDOMAIN."""
    name = question.name.lower().rstrip(".")  # resolvers may randomise case (DNS 0x20)
    parents = [".".join(["*", *name.split(".")[i:]]) for i in range(1, name.count(".") + 1)]
    address = next((records[n] for n in (name, *parents) if n in records), None)
    rcode = 0 if address is not None else _RCODE_NXDOMAIN
    answers = b""
    if address is not None and question.qtype == _TYPE_A and question.qclass == _CLASS_IN:
        # 0xC00C points back at the question's name, right after the 12-byte header.
        answers = struct.pack("!HHHIH", 0xC00C, _TYPE_A, _CLASS_IN, ttl, 4)
        answers += socket.inet_aton(address)
    flags = (_FLAG_RESPONSE | (question.flags & (_OPCODE_MASK | _FLAG_RD)) | _FLAG_RA
             | rcode)
    header = struct.pack("!HHHHHH", question.ident, flags, 1, 1 if answers else 0, 0, 0)
    return header + message[12 : question.end] + answers


def format_error(message: bytes) -> bytes:
    """A FORMERR reply for a message we could not parse (id kept if there is one)."""
    ident = struct.unpack("!H", message[:2])[0] if len(message) >= 2 else 0
    return struct.pack("!HHHHHH", ident, _FLAG_RESPONSE | _RCODE_FORMERR, 0, 0, 0, 0)


# --------------------------------------------------------------------------- the servers


class EventLog:
    """JSON lines appended by every server thread; the tests read them afterwards."""

    def __init__(self, path: str) -> None:
        self.lock = threading.Lock()
        # Line-buffered, so a test reading right after a client finished sees everything.
        self.file = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives as long as the process

    def write(self, **event: Any) -> None:
        """Append one event with a timestamp."""
        line = json.dumps({"time": time.time(), **event}, sort_keys=True)
        with self.lock:
            self.file.write(line + "\n")


def _serve_tcp_banner(sock: socket.socket, service: dict[str, Any], log: EventLog) -> None:
    banner = (service["banner"] + "\n").encode()
    while True:
        conn, peer = sock.accept()
        log.write(kind="tcp", server=f"{service['address']}:{service['port']}",
                  banner=service["banner"], peer=peer[0])
        with contextlib.suppress(OSError):
            conn.sendall(banner)
        conn.close()


def _serve_udp_echo(sock: socket.socket, service: dict[str, Any], log: EventLog) -> None:
    prefix = (service["banner"] + " ").encode()
    while True:
        data, peer = sock.recvfrom(4096)
        log.write(kind="udp", server=f"{service['address']}:{service['port']}",
                  banner=service["banner"], peer=peer[0], size=len(data))
        with contextlib.suppress(OSError):
            sock.sendto(prefix + data, peer)


def _dns_reply(message: bytes, proto: str, peer: str, spec: dict[str, Any],
               log: EventLog) -> bytes:
    try:
        question = parse_question(message)
    except ValueError as exc:
        log.write(kind="dns", proto=proto, peer=peer, name=None, type=None, error=str(exc))
        return format_error(message)
    log.write(kind="dns", proto=proto, peer=peer, name=question.name, type=question.type_name)
    return build_answer(message, question, spec["records"], spec["ttl"])


def _serve_dns_udp(sock: socket.socket, spec: dict[str, Any], log: EventLog) -> None:
    while True:
        message, peer = sock.recvfrom(4096)
        with contextlib.suppress(OSError):
            sock.sendto(_dns_reply(message, "udp", peer[0], spec, log), peer)


def _dns_tcp_connection(conn: socket.socket, peer: str, spec: dict[str, Any],
                        log: EventLog) -> None:
    conn.settimeout(10)
    with contextlib.suppress(OSError), conn:
        while True:  # a resolver may send several length-prefixed queries on one stream
            head = conn.recv(2, socket.MSG_WAITALL)
            if len(head) < 2:
                return
            (length,) = struct.unpack("!H", head)
            message = conn.recv(length, socket.MSG_WAITALL)
            reply = _dns_reply(message, "tcp", peer, spec, log)
            conn.sendall(struct.pack("!H", len(reply)) + reply)


def _serve_dns_tcp(sock: socket.socket, spec: dict[str, Any], log: EventLog) -> None:
    while True:
        conn, peer = sock.accept()
        threading.Thread(target=_dns_tcp_connection, args=(conn, peer[0], spec, log),
                         daemon=True).start()


def _bound(proto: str, address: str, port: int) -> socket.socket:
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    sock = socket.socket(socket.AF_INET, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    if proto == "tcp":
        sock.listen(64)
    return sock


def serve(spec_path: str) -> int:
    """Bind every server of the spec, say ``ready``, and serve until killed."""
    with open(spec_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    log = EventLog(spec["log"])
    jobs: list[threading.Thread] = []
    for service in spec.get("services", []):
        sock = _bound(service["proto"], service["address"], service["port"])
        target = _serve_tcp_banner if service["proto"] == "tcp" else _serve_udp_echo
        jobs.append(threading.Thread(target=target, args=(sock, service, log), daemon=True))
    dns = spec.get("dns")
    if dns:
        jobs.append(threading.Thread(target=_serve_dns_udp, daemon=True,
                                     args=(_bound("udp", dns["address"], 53), dns, log)))
        jobs.append(threading.Thread(target=_serve_dns_tcp, daemon=True,
                                     args=(_bound("tcp", dns["address"], 53), dns, log)))
    for job in jobs:
        job.start()
    # Everything is bound: from here a connection is accepted or queued, never refused.
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        time.sleep(3600)


# --------------------------------------------------------------------------- the harness


class SetupError(RuntimeError):
    """A command that builds the fake internet failed; the message has its output."""


def run_checked(argv: Sequence[str], *, timeout: float = COMMAND_TIMEOUT) -> str:
    """Run a setup command (argv, no shell); return stdout, raise SetupError on failure."""
    done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                          check=False)
    if done.returncode != 0:
        raise SetupError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def ns_argv(namespace: str, argv: Sequence[str]) -> list[str]:
    """Prefix *argv* so it runs inside *namespace* (and sees its /etc/netns files)."""
    return ["ip", "netns", "exec", namespace, *argv]


# Run inside a namespace by try_connect: stdlib only, prints one JSON object.
_CONNECT_CODE = """
import json, socket, sys
host, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
out = {"connected": False, "banner": None, "error": None}
try:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        out["connected"] = True
        out["banner"] = sock.recv(256).decode("utf-8", "replace").strip() or None
except OSError as exc:
    out["error"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(out))
"""


@dataclass
class FakeInternet:
    """The namespaces, their servers and logs; :meth:`build` it, always :meth:`teardown`."""

    suffix: str = field(default_factory=lambda: secrets.token_hex(3))
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sl-inet-")))
    servers: list[subprocess.Popen[str]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    etc_dir: Path | None = None
    made_etc_netns: bool = False
    #: What the internet serves; a benchmark swaps in its own servers and records.
    inet_services: tuple[Service, ...] = INET_SERVICES
    dns_records: dict[str, str] = field(default_factory=lambda: dict(DNS_RECORDS))

    @property
    def host_ns(self) -> str:
        """The user's machine: the launcher runs here."""
        return f"slnet-host-{self.suffix}"

    @property
    def inet_ns(self) -> str:
        """The internet: router, DNS and vendor servers."""
        return f"slnet-inet-{self.suffix}"

    @property
    def lan_ns(self) -> str:
        """A printer or NAS on the user's LAN."""
        return f"slnet-lan-{self.suffix}"

    @property
    def inet_log(self) -> Path:
        """Every DNS question and every connection the internet side received."""
        return self.workdir / "inet.log"

    def log_path(self, namespace: str) -> Path:
        """The event log of the servers in *namespace*."""
        return self.workdir / f"{namespace}.log"

    # ------------------------------------------------------------------ building

    def _ip(self, *args: str) -> str:
        return run_checked(["ip", *args])

    def _add_namespace(self, name: str) -> None:
        self._ip("netns", "add", name)
        self.created.append(name)
        self._ip("-n", name, "link", "set", "lo", "up")

    def _veth(self, here: str, here_if: str, there: str, there_if: str) -> None:
        # Made inside the namespaces directly, so the root namespace never holds either end.
        self._ip("-n", here, "link", "add", here_if, "type", "veth",
                 "peer", "name", there_if, "netns", there)

    def _address(self, namespace: str, interface: str, cidr: str) -> None:
        self._ip("-n", namespace, "addr", "add", cidr, "dev", interface)
        self._ip("-n", namespace, "link", "set", interface, "up")

    def build(self) -> None:
        """Make the namespaces, links, routes, resolv.conf and servers (as root)."""
        self.workdir.chmod(0o700)  # the logs are evidence: no test client may write them
        for name in (self.host_ns, self.inet_ns, self.lan_ns):
            self._add_namespace(name)
        to_inet, from_host = f"slh{self.suffix}i", f"sli{self.suffix}h"
        to_lan, from_lan = f"slh{self.suffix}l", f"sll{self.suffix}h"
        self._veth(self.host_ns, to_inet, self.inet_ns, from_host)
        self._address(self.host_ns, to_inet, f"{HOST_ADDRESS}/24")
        self._address(self.inet_ns, from_host, f"{ROUTER_ADDRESS}/24")
        self._ip("-n", self.host_ns, "route", "add", "default", "via", ROUTER_ADDRESS)
        self._ip("-n", self.host_ns, "addr", "add", f"{HOST_SECOND_ADDRESS}/32", "dev", "lo")
        # The internet's servers live on its loopback (kernels without the dummy module
        # are common in CI); 192.0.2.0/24 is reached back through the veth's connected
        # route, and nothing else is reachable at all.
        for address in (DNS_ADDRESS, ZOOM_ADDRESS, EVIL_ADDRESS, FAR_ADDRESS):
            self._ip("-n", self.inet_ns, "addr", "add", f"{address}/32", "dev", "lo")
        self._veth(self.host_ns, to_lan, self.lan_ns, from_lan)
        self._address(self.host_ns, to_lan, f"{LAN_GATEWAY}/24")
        self._address(self.lan_ns, from_lan, f"{LAN_HOST}/24")
        self._write_resolv_conf()
        self.assert_isolated()
        self._start_servers(self.inet_ns, self.inet_services, dns=True)
        self._start_servers(self.host_ns, HOST_SERVICES)
        self._start_servers(self.lan_ns, LAN_SERVICES)

    def _write_resolv_conf(self) -> None:
        # ip netns exec bind-mounts /etc/netns/NAME/* over /etc/*: the launcher's own
        # /etc/resolv.conf (its upstream) is then the fake DNS, and only that.
        parent = Path("/etc/netns")
        if not parent.exists():
            parent.mkdir(mode=0o755)
            self.made_etc_netns = True
        self.etc_dir = parent / self.host_ns
        self.etc_dir.mkdir(mode=0o755)
        resolv = self.etc_dir / "resolv.conf"
        resolv.write_text(f"nameserver {DNS_ADDRESS}\n")
        resolv.chmod(0o644)

    def assert_isolated(self) -> None:
        """Prove no namespace can route to the real network, without sending a packet.

        ``ip route get`` asks the routing table only. The host's default route leads to
        the router, so the router and the LAN are the ones that must have no way on.
        """
        for namespace in (self.inet_ns, self.lan_ns):
            done = subprocess.run(["ip", "-n", namespace, "route", "get", "8.8.8.8"],
                                  capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
                                  check=False)
            if done.returncode == 0:
                raise SetupError(f"{namespace} has a route to the real network: {done.stdout}")
        forwarding = run_checked(ns_argv(self.inet_ns, ["cat", "/proc/sys/net/ipv4/ip_forward"]))
        if forwarding.strip() != "0":
            raise SetupError(f"{self.inet_ns} forwards packets (ip_forward={forwarding.strip()})")
        for namespace in (self.host_ns, self.inet_ns, self.lan_ns):
            shown = json.loads(self._ip("-j", "-n", namespace, "addr", "show"))
            for link in shown:
                for info in link.get("addr_info", []):
                    address = ipaddress.ip_address(info["local"])
                    if address.version == 6 and address.is_link_local:
                        continue  # fe80:: on every veth; nothing routes it anywhere
                    if not any(address in net for net in TEST_NETWORKS):
                        raise SetupError(f"{namespace} holds a real address: {address}")

    def _start_servers(self, namespace: str, services: Sequence[Service], *,
                       dns: bool = False) -> None:
        log = self.inet_log if namespace == self.inet_ns else self.log_path(namespace)
        spec: dict[str, Any] = {"log": str(log),
                                "services": [s.to_dict() for s in services]}
        if dns:
            spec["dns"] = {"address": DNS_ADDRESS, "records": self.dns_records, "ttl": DNS_TTL}
        spec_path = self.workdir / f"{namespace}.spec.json"
        spec_path.write_text(json.dumps(spec))
        errors = open(self.workdir / f"{namespace}.stderr", "w")  # noqa: SIM115 - the child keeps its copy
        proc = subprocess.Popen(
            ns_argv(namespace, [sys.executable, str(Path(__file__).resolve()), "serve",
                                str(spec_path)]),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, text=True,
        )
        errors.close()
        self.servers.append(proc)
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], SERVER_START_TIMEOUT)
        line = proc.stdout.readline() if ready else ""
        if line.strip() != "ready":
            stderr = (self.workdir / f"{namespace}.stderr").read_text(errors="replace")
            raise SetupError(f"the servers in {namespace} did not start: {stderr}")

    # ------------------------------------------------------------------ tearing down

    def teardown(self) -> None:
        """Stop the servers and delete everything, whatever state build() got to."""
        for proc in self.servers:
            if proc.poll() is None:
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()
        # Deleting a namespace takes its veths and dummy with it.
        for name in reversed(self.created):
            subprocess.run(["ip", "netns", "del", name], capture_output=True,
                           timeout=COMMAND_TIMEOUT, check=False)
        if self.etc_dir is not None:
            shutil.rmtree(self.etc_dir, ignore_errors=True)
            if self.made_etc_netns:
                with contextlib.suppress(OSError):  # another run may be using it now
                    self.etc_dir.parent.rmdir()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # ------------------------------------------------------------------ using it

    def events(self, namespace: str | None = None, *, since: int = 0) -> list[dict[str, Any]]:
        """The events logged in *namespace* (default: the internet), from line *since*."""
        path = self.inet_log if namespace in (None, self.inet_ns) else self.log_path(namespace)
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()[since:]
        return [json.loads(line) for line in lines if line.strip()]

    def mark(self, namespace: str | None = None) -> int:
        """A position in a log: pass it as ``since`` to see only what came after."""
        return len(self.events(namespace))

    def dns_questions(self, *, since: int = 0) -> list[dict[str, Any]]:
        """Every question the fake DNS server received (name, type, proto, peer)."""
        return [e for e in self.events(since=since) if e["kind"] == "dns"]

    def hits(self, banner: str, namespace: str | None = None, *,
             since: int = 0) -> list[dict[str, Any]]:
        """Connections (or datagrams) that reached the server with *banner*."""
        return [e for e in self.events(namespace, since=since) if e.get("banner") == banner]

    def try_connect(self, namespace: str, address: str, port: int,
                    timeout: float = 3.0) -> dict[str, Any]:
        """Connect from *namespace* (as root, a process of that machine) and read a banner."""
        argv = ns_argv(namespace, [sys.executable, "-c", _CONNECT_CODE, address, str(port),
                                   str(timeout)])
        out = run_checked(argv, timeout=timeout + COMMAND_TIMEOUT)
        result: dict[str, Any] = json.loads(out)
        return result


@contextlib.contextmanager
def fake_internet() -> Iterator[FakeInternet]:
    """Build the fake internet and tear it down on the way out, even after a failure."""
    net = FakeInternet()
    try:
        net.build()
        yield net
    finally:
        net.teardown()


def main(argv: list[str]) -> int:
    """``serve SPEC.json``: the server program, run inside a namespace."""
    if len(argv) == 2 and argv[0] == "serve":
        return serve(argv[1])
    sys.stderr.write("usage: fake_internet.py serve SPEC.json\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
