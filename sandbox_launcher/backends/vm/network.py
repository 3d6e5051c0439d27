"""The VM's NIC through the session's network jail: passt inside the jail's namespace.

The launcher starts ``passt`` with the jail's ``nsenter`` prefix, so every socket passt
opens for the guest is a socket of the jail's network namespace: the guest's traffic
meets the same default-deny nftables ruleset, filtering resolver, country fence and
connection report as a namespace session, and leaves only through the jail's pasta.
QEMU needs no network namespace at all: it reaches passt through a unix socket (a QEMU
``stream`` netdev, see domain.py). libvirt's own passt backend would start passt in the
host's namespace, outside the jail.

The guest gets the jail's address and gateway statically (kernel command line, set up by
the agent), and the gateway as its DNS server: passt forwards DNS sent there to the jail's
resolver on 127.0.0.1. ``--no-map-gw``: the gateway is never the jail's loopback for
anything else.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core import proc
from .errors import VmError

_PURPOSE = "for the VM's network (passt inside the session's jail)"
SOCKET_TIMEOUT = 10.0


@dataclass
class GuestNetwork:
    """A running passt for one VM, and what the guest must configure."""

    passt: subprocess.Popen[bytes]
    socket: Path
    address: str  # CIDR, the jail's own address
    gateway: str

    def kernel_args(self) -> str:
        """Words for the guest's kernel command line (read by the agent)."""
        return f"slt.net={self.address},{self.gateway} slt.dns={self.gateway}"

    def close(self) -> None:
        """Stop passt (it also quits by itself when QEMU disconnects: ``--one-off``)."""
        if self.passt.poll() is None:
            self.passt.kill()
        self.passt.wait()
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()


def _jail_json(enter: list[str], *args: str) -> Any:
    done = proc.run([*enter, proc.which("ip", _PURPOSE), "-j", "-4", *args], timeout=15)
    return json.loads(done.stdout or "[]")


def jail_addressing(enter: list[str]) -> tuple[str, str]:
    """(address/prefix, gateway) of the jail's interface, as pasta configured it."""
    routes = _jail_json(enter, "route", "show", "default")
    gateways = [r.get("gateway") for r in routes if isinstance(r, dict) and r.get("gateway")]
    addresses = [f"{a['local']}/{a['prefixlen']}"
                 for link in _jail_json(enter, "addr", "show", "scope", "global")
                 for a in link.get("addr_info", []) if a.get("family") == "inet"]
    if not gateways or not addresses:
        raise VmError("the session's network jail has no IPv4 address or default route",
                      "the VM needs IPv4 in the jail; run 'sandbox-launcher doctor'",
                      details=f"routes={routes} addresses={addresses}")
    ipaddress.ip_interface(addresses[0])  # pasta's copy of a host address: well-formed
    return addresses[0], str(ipaddress.ip_address(str(gateways[0])))


def start_passt(enter: list[str], workdir: Path) -> GuestNetwork:
    """Start passt inside the jail (*enter*: ``Jail.enter_argv()``), listening in *workdir*."""
    passt = proc.which("passt", _PURPOSE)
    address, gateway = jail_addressing(enter)
    sock = workdir / "passt.sock"
    argv = [*enter, passt, "--foreground", "--quiet", "--one-off", "--ipv4-only",
            "--no-map-gw", "--tcp-ports", "none", "--udp-ports", "none",
            "--socket", str(sock), "--dns", "127.0.0.1", "--dns-forward", gateway]
    child = proc.spawn(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, die_with_parent=True)
    deadline = time.monotonic() + SOCKET_TIMEOUT
    while not sock.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            _out, err = child.communicate()
            raise VmError("passt did not start in the session's network jail",
                          "see the details", details=err.decode("utf-8", "replace")[-2000:])
        time.sleep(0.01)
    return GuestNetwork(child, sock, address, gateway)
