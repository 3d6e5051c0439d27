"""The jail's filtering resolver and control loop (runs in the holder process).

Only names that match the profile's patterns are forwarded upstream; every other
question is answered NXDOMAIN here and never leaves the machine, so a client cannot
smuggle data out through DNS. The addresses in an allowed answer are added to the
firewall's sets for the record's TTL *before* the answer reaches the client.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import selectors
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

from dnslib import QTYPE, RCODE, DNSRecord

from ..core.fence import CountryFence
from .geo import CountryDB
from .names import NameFilter
from .nftlib import Nft, NftError
from .ruleset import TABLE

_MIN_TTL, _MAX_TTL = 30, 86400
_UPSTREAM_TIMEOUT = 5.0


class Resolver:
    """Serves DNS on the jail's loopback and answers the launcher's control requests."""

    def __init__(self, ctl: socket.socket, config: dict[str, Any], *, nft: Nft,
                 listeners: list[socket.socket], upstream: dict[int, socket.socket],
                 opener: Callable[[], None] | None = None) -> None:
        self.ctl = ctl
        #: Connects a closed jail (holder step 5) when the launcher says so; then None.
        self.opener = opener
        self.nft = nft
        self.names = NameFilter(tuple(config["domains"]))
        self.fence = CountryFence(frozenset(config["allow_countries"]),
                                  frozenset(config["deny_countries"]),
                                  config["restricted"])
        self.geo = CountryDB(config["country_overrides"])
        self.servers = [(s, 53) for s in config["upstream"]]
        self.upstream = upstream
        self.listeners = listeners
        self.pending: dict[int, tuple[float, Any, bytes, str]] = {}
        self.sel = selectors.DefaultSelector()

    def serve(self) -> None:
        """Run until the launcher closes the control socket."""
        for watched in (*self.listeners, *self.upstream.values(), self.ctl):
            self.sel.register(watched, selectors.EVENT_READ)
        while True:
            # Awake each second only while questions wait upstream (to answer those that
            # time out): an idle session's resolver sleeps.
            for key, _ in self.sel.select(1.0 if self.pending else None):
                sock = key.fileobj
                if not isinstance(sock, socket.socket):
                    continue
                if sock is self.ctl:
                    if not self._control():
                        return
                elif sock in self.upstream.values():
                    self._from_upstream(sock)
                elif sock.type == socket.SOCK_STREAM:
                    self._tcp_query(sock)
                else:
                    data, addr = sock.recvfrom(4096)
                    self._query(data, ("udp", sock, addr))
            self._expire()

    # ---------------------------------------------------------------- control
    def _send(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            self.ctl.send(json.dumps(message).encode())

    def _control(self) -> bool:
        raw = self.ctl.recv(65536)
        if not raw:
            return False
        request = json.loads(raw)
        if request.get("cmd") == "open":
            self._open()
        elif request.get("cmd") == "stats":
            self._send({"type": "stats", "table": self.nft.run_json(f"list table inet {TABLE}")})
        return True

    def _open(self) -> None:
        opener, self.opener = self.opener, None
        try:
            if opener is not None:
                opener()
        except Exception as exc:  # the launcher says why, and no client starts
            self._send({"type": "open-error", "error": f"{type(exc).__name__}: {exc}"})
            return
        self._send({"type": "opened"})

    # ---------------------------------------------------------------- queries
    def _tcp_query(self, listener: socket.socket) -> None:
        conn, _ = listener.accept()
        conn.settimeout(2.0)
        try:
            size = struct.unpack("!H", conn.recv(2))[0]
            data = b""
            while len(data) < size:
                chunk = conn.recv(size - len(data))
                if not chunk:
                    break
                data += chunk
        except (OSError, struct.error):
            conn.close()
            return
        self._query(data, ("tcp", conn, None))

    def _reply(self, client: tuple[str, Any, Any], data: bytes) -> None:
        kind, sock, addr = client
        try:
            if kind == "udp":
                sock.sendto(data, addr)
            else:
                sock.sendall(struct.pack("!H", len(data)) + data)
                sock.close()
        except OSError:
            pass

    def _query(self, data: bytes, client: tuple[str, Any, Any]) -> None:
        try:
            query = DNSRecord.parse(data)
            question = query.questions[0]
        except Exception:
            return
        name = str(question.qname).rstrip(".").lower()
        qtype = QTYPE.get(question.qtype, str(question.qtype))
        pattern = self.names.match(name)
        if pattern is None or not self.servers:
            reply = query.reply()
            reply.header.rcode = RCODE.NXDOMAIN
            self._reply(client, reply.pack())
            rule = "not in the allowlist" if pattern is None else "no upstream resolver"
            self._send({"type": "dns", "name": name, "qtype": qtype, "verdict": "refused",
                        "rule": rule, "answers": [], "time": time.time()})
            return
        # A fresh id per upstream query, so answers cannot be matched to the wrong client.
        upstream_id = int.from_bytes(os.urandom(2), "big")
        while upstream_id in self.pending:
            upstream_id = int.from_bytes(os.urandom(2), "big")
        server = self.servers[0]
        family = socket.AF_INET6 if ":" in server[0] else socket.AF_INET
        packet = upstream_id.to_bytes(2, "big") + data[2:]
        try:
            self.upstream[family].sendto(packet, server)
        except OSError as exc:
            reply = query.reply()
            reply.header.rcode = RCODE.SERVFAIL
            self._reply(client, reply.pack())
            self._send({"type": "dns", "name": name, "qtype": qtype, "verdict": "failed",
                        "rule": f"upstream unreachable: {exc.strerror}", "answers": [],
                        "time": time.time()})
            return
        self.pending[upstream_id] = (time.monotonic(), client, data[:2], f"{name}|{pattern}")

    def _from_upstream(self, sock: socket.socket) -> None:
        try:
            data, _ = sock.recvfrom(65535)
        except OSError:
            return
        if len(data) < 12:
            return
        entry = self.pending.pop(int.from_bytes(data[:2], "big"), None)
        if entry is None:
            return
        _, client, original_id, tag = entry
        name, pattern = tag.split("|", 1)
        try:
            record = DNSRecord.parse(data)
        except Exception:
            return
        qtype = QTYPE.get(record.q.qtype, str(record.q.qtype))
        answers = self._admit(record)
        self._reply(client, original_id + data[2:])
        self._send({"type": "dns", "name": name, "qtype": qtype, "verdict": "allowed",
                    "rule": f"matches {pattern}", "answers": answers, "time": time.time()})

    def _admit(self, record: DNSRecord) -> list[dict[str, Any]]:
        """Open the firewall for the answer's addresses (or fence them), before replying."""
        answers = []
        commands = []
        for rr in record.rr:
            if rr.rtype not in (QTYPE.A, QTYPE.AAAA):
                continue
            ip = str(rr.rdata)
            country = self.geo.lookup(ip)
            allowed, rule = self.fence.verdict(country)
            ttl = min(max(int(rr.ttl), _MIN_TTL), _MAX_TTL)
            family = "4" if ipaddress.ip_address(ip).version == 4 else "6"
            target = "resolved" if allowed else "fenced"
            commands.append(f"add element inet {TABLE} {target}{family} {{ {ip} timeout {ttl}s }}")
            answers.append({"ip": ip, "ttl": int(rr.ttl), "country": country,
                            "allowed": allowed, "rule": rule})
        if commands:
            try:
                self.nft.run("\n".join(commands))
            except NftError as exc:
                self._send({"type": "error", "error": f"firewall update failed: {exc}"})
        return answers

    def _expire(self) -> None:
        now = time.monotonic()
        for key, (started, client, original_id, tag) in list(self.pending.items()):
            if now - started > _UPSTREAM_TIMEOUT:
                del self.pending[key]
                header = bytearray(original_id + b"\x81\x82" + b"\x00" * 8)  # SERVFAIL
                self._reply(client, bytes(header))
                # Said, not only answered: "no answer" is what tells a person "no network".
                self._send({"type": "dns", "name": tag.partition("|")[0], "qtype": "",
                            "verdict": "unanswered", "rule": "no answer from the upstream "
                            "resolver", "answers": [], "time": time.time()})
