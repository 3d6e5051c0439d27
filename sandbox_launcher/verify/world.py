"""The fake internet, built by an ordinary user in namespaces the launcher owns.

``sandbox-launcher verify`` may not need root, so it cannot ``ip netns add``. Instead
``unshare --user --map-current-user --net --mount --keep-caps`` gives one process (the
*world*) a user namespace of its own, with the capabilities to build networks in it:

    lan (netns)                world = "your machine" (user+net+mount ns)      inet (netns)
    192.168.77.5:80 ----- 192.168.77.1
                               192.0.2.2 ------------------------------------- 192.0.2.1
                               default via 192.0.2.1                  DNS, vendor, evil
                               127.0.0.1:8080, 192.0.2.2:8081, 198.51.100.2:8082

The same addresses and servers as the suite's root-made fake internet
(:mod:`.fake_internet`): documentation ranges plus a LAN that exists only in here, and
no route anywhere else — the world's network namespace is new and empty, so nothing
in it can reach the real network. ``/etc/resolv.conf`` is bind-mounted, in the world's
own mount namespace only, to name the fake DNS. The launcher then runs *inside* the
world (``nsenter --user --net --mount --preserve-credentials``, which the owner of a
user namespace may do), so its network jail, pasta and resolver see the fake internet
as the internet. Closing the world's stdin ends it and every namespace with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import proc
from ..core.errors import LauncherError
from . import fake_internet as fi

VENDOR_ADDRESS = fi.ZOOM_ADDRESS
#: Vendor servers answer on the ports the built-in profiles allow for the web.
VENDOR_PORTS = (443, 80)
START_TIMEOUT = 30.0
_PURPOSE = "for verify's fake internet"


class WorldError(LauncherError):
    """The fake internet could not be built."""


def records_for(domains: Sequence[str]) -> dict[str, str]:
    """DNS records: every allowed name (and wildcard parent) at the vendor's address,
    plus a name no profile allows."""
    records = {"evil.example": fi.EVIL_ADDRESS}
    for domain in domains:
        records[domain.lower()] = VENDOR_ADDRESS
    return records


def concrete_name(domains: Sequence[str]) -> str | None:
    """A name the profile allows that a client can look up (no wildcard)."""
    for domain in domains:
        if "*" not in domain:
            return domain
    for domain in domains:
        if domain.startswith("*."):
            return "www." + domain[2:]
    return None


def inet_services() -> tuple[fi.Service, ...]:
    """The internet's servers: a vendor, a server nobody allows, the router's port."""
    return (*(fi.Service("tcp", VENDOR_ADDRESS, port, f"vendor-{port}") for port in VENDOR_PORTS),
            fi.Service("tcp", fi.EVIL_ADDRESS, 443, "evil-443"),
            fi.Service("tcp", fi.ROUTER_ADDRESS, 8080, "router-8080"))


@dataclass
class World:
    """A running fake internet; :meth:`close` ends it."""

    process: subprocess.Popen[bytes]
    workdir: Path
    nsenter: str

    @classmethod
    def start(cls, records: dict[str, str]) -> World:
        """Build the world as the current user; raises :class:`WorldError` if it cannot."""
        unshare = proc.which("unshare", _PURPOSE)
        nsenter = proc.which("nsenter", _PURPOSE)
        proc.which("ip", _PURPOSE)
        workdir = Path(tempfile.mkdtemp(prefix="sl-verify-world-"))
        spec = workdir / "world.json"
        spec.write_text(json.dumps({"records": records, "workdir": str(workdir)}))
        argv = [unshare, "--user", "--map-current-user", "--net", "--mount", "--keep-caps",
                "--", sys.executable, "-m", "sandbox_launcher.verify.world", str(spec)]
        # It dies with the launcher (and its namespaces with it), even after a SIGKILL.
        process = proc.spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, die_with_parent=True)
        world = cls(process, workdir, nsenter)
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
        line = process.stdout.readline() if ready else b""
        if line.strip() != b"ready":
            world.close()
            raise WorldError("the fake internet for verify could not be built",
                             "user namespaces must be allowed for your user "
                             "(kernel.unprivileged_userns_clone=1)",
                             details=world.stderr())
        return world

    def stderr(self) -> str:
        """What the world said before it failed."""
        with contextlib.suppress(OSError):
            return (self.workdir / "world.stderr").read_text(errors="replace")
        return ""

    def enter_argv(self) -> list[str]:
        """Prefix that runs a command on the world's "machine", as the same user."""
        return [self.nsenter, f"--target={self.process.pid}", "--user", "--net", "--mount",
                "--preserve-credentials", "--"]

    def events(self) -> list[dict[str, Any]]:
        """Every DNS question and connection the fake internet's servers logged."""
        out = []
        for log in self.workdir.glob("*.log"):
            with contextlib.suppress(OSError, ValueError):
                out += [json.loads(x) for x in log.read_text().splitlines() if x.strip()]
        return out

    def close(self) -> None:
        """End the world: its servers, namespaces and files."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        with contextlib.suppress(OSError):
            for path in self.workdir.iterdir():
                path.unlink()
            self.workdir.rmdir()


# --------------------------------------------------------------------------- inside the world


@dataclass
class _Builder:
    """Runs inside the world's namespaces (capabilities there, nowhere else)."""

    workdir: Path
    records: dict[str, str]
    children: list[subprocess.Popen[str]] = field(default_factory=list)

    def ip(self, *args: str, pid: int | None = None) -> None:
        prefix = ["nsenter", f"--net=/proc/{pid}/ns/net"] if pid else []
        fi.run_checked([*prefix, "ip", *args])

    def netns(self) -> int:
        """A process holding a new network namespace until the world ends."""
        holder = subprocess.Popen(["unshare", "--net", "--", sys.executable, "-c",
                                   "import sys; sys.stdin.read()"],
                                  stdin=subprocess.PIPE, text=True)
        self.children.append(holder)
        for _ in range(100):  # until unshare has exec'd: its netns is then the new one
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/{holder.pid}/ns/net") != os.readlink(
                        "/proc/self/ns/net") and os.readlink(
                        f"/proc/{holder.pid}/exe") == os.path.realpath(sys.executable):
                    return holder.pid
            select.select([], [], [], 0.05)
        raise RuntimeError("a network namespace holder did not start")

    def serve(self, pid: int | None, name: str, services: Sequence[fi.Service],
              dns: bool = False) -> None:
        spec: dict[str, Any] = {"log": str(self.workdir / f"{name}.log"),
                                "services": [s.to_dict() for s in services]}
        if dns:
            spec["dns"] = {"address": fi.DNS_ADDRESS, "records": self.records,
                           "ttl": fi.DNS_TTL}
        path = self.workdir / f"{name}.spec.json"
        path.write_text(json.dumps(spec))
        prefix = ["nsenter", f"--net=/proc/{pid}/ns/net"] if pid else []
        server = subprocess.Popen([*prefix, sys.executable, fi.__file__, "serve", str(path)],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        self.children.append(server)
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], fi.SERVER_START_TIMEOUT)
        if not ready or server.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the {name} servers did not start")

    def build(self) -> None:
        self.ip("link", "set", "lo", "up")
        inet, lan = self.netns(), self.netns()
        self.ip("link", "add", "slv-inet", "type", "veth", "peer", "name", "slv-host",
                "netns", str(inet))
        self.ip("addr", "add", f"{fi.HOST_ADDRESS}/24", "dev", "slv-inet")
        self.ip("link", "set", "slv-inet", "up")
        self.ip("link", "set", "lo", "up", pid=inet)
        self.ip("addr", "add", f"{fi.ROUTER_ADDRESS}/24", "dev", "slv-host", pid=inet)
        self.ip("link", "set", "slv-host", "up", pid=inet)
        for address in (fi.DNS_ADDRESS, VENDOR_ADDRESS, fi.EVIL_ADDRESS):
            self.ip("addr", "add", f"{address}/32", "dev", "lo", pid=inet)
        self.ip("route", "add", "default", "via", fi.ROUTER_ADDRESS)
        self.ip("addr", "add", f"{fi.HOST_SECOND_ADDRESS}/32", "dev", "lo")
        self.ip("link", "add", "slv-lan", "type", "veth", "peer", "name", "slv-gw",
                "netns", str(lan))
        self.ip("addr", "add", f"{fi.LAN_GATEWAY}/24", "dev", "slv-lan")
        self.ip("link", "set", "slv-lan", "up")
        self.ip("addr", "add", f"{fi.LAN_HOST}/24", "dev", "slv-gw", pid=lan)
        self.ip("link", "set", "slv-gw", "up", pid=lan)
        resolv = self.workdir / "resolv.conf"
        resolv.write_text(f"nameserver {fi.DNS_ADDRESS}\n")
        resolv.chmod(0o644)
        fi.run_checked(["mount", "--bind", str(resolv), "/etc/resolv.conf"])
        self.serve(inet, "inet", inet_services(), dns=True)
        self.serve(None, "host", fi.HOST_SERVICES)
        self.serve(lan, "lan", fi.LAN_SERVICES)

    def close(self) -> None:
        for child in reversed(self.children):
            if child.poll() is None:
                child.kill()
            child.wait()


def main(argv: list[str]) -> int:
    """``python -m sandbox_launcher.verify.world SPEC``: build, say ready, wait for EOF."""
    spec = json.loads(Path(argv[0]).read_text())
    workdir = Path(spec["workdir"])
    with open(workdir / "world.stderr", "w", encoding="utf-8") as errors:
        builder = _Builder(workdir, spec["records"])
        try:
            builder.build()
        except (OSError, RuntimeError, fi.SetupError) as exc:
            errors.write(f"{type(exc).__name__}: {exc}\n")
            builder.close()
            return 1
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        sys.stdin.read()  # until the launcher closes it (or dies)
        builder.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
