"""Launcher side of the network jail: start the holder, talk to it, account for traffic.

The sandbox joins the holder's user and network namespaces through ``nsenter`` (see
:meth:`Jail.enter_argv`); everything network-related of a session lives in them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from ..core import proc
from ..core.errors import SessionError
from ..core.plan import NetworkPlan
from . import identity, names, ruleset

_READY_TIMEOUT = 15.0
PASTA_OPTIONS = (
    # No port forwarding in either direction, and the gateway address is not mapped
    # to the host: the sandbox reaches neither the host's 127.0.0.1 nor its services.
    "--config-net", "--no-map-gw", "-t", "none", "-u", "none", "-T", "none", "-U", "none",
    "-q", "-f",
)
_PURPOSE = "for the network jail"


@dataclass
class Jail:
    """A running jail: the holder process and its control socket."""

    holder: subprocess.Popen[bytes]
    ctl: socket.socket
    pid: int
    pasta_pid: int
    events: list[dict[str, Any]] = field(default_factory=list)
    setup_seconds: float = 0.0
    #: A closed jail has its firewall and resolver but no route out until :meth:`open`.
    closed: bool = False
    #: How long :meth:`open` took (pasta attaching), seconds.
    open_seconds: float = 0.0

    @classmethod
    def start(cls, plan: NetworkPlan, closed: bool = False) -> Jail:
        """Build the jail for *plan*; raises (with nothing left running) if it cannot.

        *closed*: stop before pasta connects the namespace (a spare session's jail): it
        has no route out, not even a link, until :meth:`open`.
        """
        pasta = proc.which("pasta", _PURPOSE)
        proc.which("nsenter", _PURPOSE)
        if not os.access("/dev/net/tun", os.R_OK | os.W_OK):
            raise SessionError(
                "pasta cannot open /dev/net/tun: it is not readable and writable by you",
                "make it usable by everyone, as Debian's udev does: sudo chmod 0666 "
                "/dev/net/tun (or run 'sandbox-launcher doctor')")
        started = time.monotonic()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        argv = [sys.executable, "-I", "-m", "sandbox_launcher.netjail.holder",
                str(theirs.fileno()), str(os.getpid())]
        holder = proc.spawn(argv, pass_fds=[theirs.fileno()], env={"PATH": "/usr/bin:/bin"})
        theirs.close()
        config = {
            "uid": os.getuid(), "gid": os.getgid(),
            # The sandbox's link looks the same on every host (netjail/identity.py),
            # never like the host's uplink: pasta would copy its name, address and MAC.
            "pasta": [pasta,
                      *identity.NetIdentity().pasta_options(identity.host_has_ipv6()),
                      *PASTA_OPTIONS],
            "upstream": names.upstream_servers(),
            "ruleset": ruleset.render(plan, names.host_addresses()),
            "domains": list(plan.domains),
            "allow_countries": sorted(plan.fence.allow),
            "deny_countries": sorted(plan.fence.deny),
            "restricted": plan.fence.restricted,
            "country_overrides": plan.country_overrides,
            "closed": closed,
        }
        ours.send(json.dumps(config).encode())
        ours.settimeout(_READY_TIMEOUT)
        try:
            reply = json.loads(ours.recv(1 << 20) or b'{"type": "error", "error": "exited"}')
        except (TimeoutError, OSError, ValueError) as exc:
            reply = {"type": "error", "error": str(exc) or type(exc).__name__}
        ours.settimeout(None)
        if reply.get("type") != "ready":
            holder.kill()
            holder.wait()
            ours.close()
            raise SessionError(
                f"the network jail could not be set up: {reply.get('error')}",
                "run 'sandbox-launcher doctor'; the client was not started",
            )
        jail = cls(holder, ours, int(reply["pid"]), int(reply["pasta_pid"]), closed=closed)
        jail.setup_seconds = time.monotonic() - started
        return jail

    def open(self, timeout: float = _READY_TIMEOUT) -> None:
        """Connect a closed jail (pasta attaches); returns once it has a route out.

        Raises SessionError when it cannot (the client must not start then). Events the
        holder sends meanwhile are kept for the report.
        """
        if not self.closed:
            return
        started = time.monotonic()
        reply: dict[str, Any] = {"type": "open-error", "error": "the jail's holder is gone"}
        try:
            self.ctl.send(json.dumps({"cmd": "open"}).encode())
            deadline = started + timeout
            while time.monotonic() < deadline:
                self.ctl.settimeout(max(0.01, deadline - time.monotonic()))
                raw = self.ctl.recv(1 << 20)
                if not raw:
                    break
                event = json.loads(raw)
                if event.get("type") in ("opened", "open-error"):
                    reply = event
                    break
                self.events.append(event)
        except (OSError, ValueError) as exc:
            reply = {"type": "open-error", "error": str(exc) or type(exc).__name__}
        finally:
            self.ctl.settimeout(None)
        if reply.get("type") != "opened":
            raise SessionError(f"the network jail could not be opened: {reply.get('error')}",
                               "run 'sandbox-launcher doctor'; the client was not started")
        self.closed = False
        self.open_seconds = time.monotonic() - started

    def enter_argv(self) -> list[str]:
        """Prefix that runs a command inside the jail's user and network namespaces."""
        nsenter = proc.which("nsenter", _PURPOSE)
        # --preserve-credentials: our uid is root in the jail's user namespace already;
        # nsenter must not try setgroups, which that namespace denies.
        return [nsenter, f"--target={self.pid}", "--user", "--net",
                "--preserve-credentials", "--"]

    def fileno(self) -> int:
        """Readable when the holder has sent events."""
        return self.ctl.fileno()

    def read_events(self) -> list[dict[str, Any]]:
        """Drain pending events (DNS questions, errors); keeps them for the report."""
        new = []
        while True:
            try:
                raw = self.ctl.recv(1 << 20, socket.MSG_DONTWAIT)
            except (BlockingIOError, OSError):
                break
            if not raw:
                break
            event = json.loads(raw)
            if event.get("type") == "stats":
                continue
            new.append(event)
        self.events.extend(new)
        return new

    def stats(self, timeout: float = 3.0) -> dict[str, Any]:
        """The firewall's counters (nft JSON), asked from the holder.

        Empty when the holder is gone (killed from outside): the session must still be
        stopped, wiped and reported, only without the final counters.
        """
        try:
            self.ctl.send(json.dumps({"cmd": "stats"}).encode())
        except OSError:
            return {}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.ctl.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                raw = self.ctl.recv(1 << 22)
            except OSError:  # timeout, or the holder died (reset, broken pipe)
                break
            finally:
                self.ctl.settimeout(None)
            if not raw:
                break
            event = json.loads(raw)
            if event.get("type") == "stats":
                return dict(event["table"])
            self.events.append(event)
        return {}

    def close(self) -> None:
        """Stop the holder (pasta dies with it)."""
        # Popen's kill: not sent once its status was collected (a watch that saw it die
        # already did), when the number may be someone else's.
        self.holder.kill()
        self.holder.wait()
        # The holder is reaped, so pasta has been re-parented to us (a child subreaper)
        # and is being killed by its parent-death signal: make sure, then reap it.
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pasta_pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pasta_pid, 0)
        self.ctl.close()
