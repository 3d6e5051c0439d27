"""The namespace backend: the client runs under bubblewrap, unprivileged.

Every namespace is unshared; the sandbox's init (bwrap's pid 1) is the session
leader: when it dies the kernel kills every process in the pid namespace, daemons
included. ``--die-with-parent`` makes it die with the launcher, even on SIGKILL.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from ...core import proc
from ...core.errors import CommandNotFound, SessionError
from ...core.plan import SANDBOX_HOME, LaunchPlan
from ...devices.host import HostDevices, Link, Mount
from ...devices.usage import Use
from ...host import procs
from ...netjail import report as netreport
from ...netjail.geo import CountryDB
from ...netjail.jail import Jail
from ..base import SandboxInfo
from . import clock, enter, layout
from .bwrap import BwrapCommand, BwrapOption, FdOption, Flag, SetEnv
from .seccomp import build_filter

_PURPOSE = "to build the namespace sandbox (bubblewrap)"
_PR_SET_CHILD_SUBREAPER = 36


def _namespace_flags(plan: LaunchPlan, jailed: bool) -> list[BwrapOption]:
    # A jailed sandbox keeps the network namespace it is started in: the jail's.
    net = [] if jailed else ["--unshare-net"]
    flags: list[BwrapOption] = [Flag(f) for f in (
        "--unshare-user", "--unshare-ipc", "--unshare-pid", *net,
        "--unshare-uts", "--unshare-cgroup-try",
        # The client may not signal or inject into the launcher's terminal (TIOCSTI),
        # and must not outlive the launcher.
        "--new-session", "--die-with-parent",
    )]
    if not plan.nested_userns:
        flags.append(Flag("--disable-userns"))
        flags.append(Flag("--assert-userns-disabled"))
    flags.append(Flag("--cap-drop", "ALL"))
    if jailed:
        # Under nsenter we are root of the jail's user namespace; the client must not
        # be: map it back to the user's own ids in its nested namespace.
        flags += [Flag("--uid", str(os.getuid())), Flag("--gid", str(os.getgid()))]
    return flags


def build_command(plan: LaunchPlan, identity: layout.Identity, seccomp_fd: int,
                  info_fd: int, jailed: bool = False,
                  devices: list[Mount | Link] | None = None) -> BwrapCommand:
    """The whole bwrap invocation for *plan*; order matters (later mounts cover earlier)."""
    cmd = BwrapCommand()
    cmd.add(*_namespace_flags(plan, jailed))
    cmd.add(Flag("--hostname", identity.hostname))
    cmd.add(*layout.system_mounts())
    cmd.add(Flag("--proc", "/proc"), Flag("--dev", "/dev"))
    cmd.add(*layout.identity_files(identity))
    cmd.add(layout.resolver_config(jailed))
    cmd.add(*layout.private_storage(plan))
    cmd.add(*layout.client_files(plan))
    cmd.add(*layout.hardware_view())
    cmd.add(*layout.device_view(devices or []))
    # Last of the mounts: the root (where /bin, /lib64 and the mount points are) becomes
    # read-only, so the client cannot swap the symlinks and directories through which
    # anything started in the session later (a joined link) finds its programs.
    cmd.add(Flag("--remount-ro", "/"))
    cmd.add(Flag("--clearenv"))
    cmd.add(*(SetEnv(k, v) for k, v in sorted(plan.env.items())))
    cmd.add(Flag("--chdir", SANDBOX_HOME))
    cmd.add(FdOption("--seccomp", seccomp_fd), FdOption("--info-fd", info_fd))
    return cmd


class NamespaceSandbox:
    """A running bwrap sandbox (implements :class:`SandboxHandle`)."""

    def __init__(self, process: subprocess.Popen[bytes], info: SandboxInfo,
                 plan: LaunchPlan, jail: Jail | None = None,
                 devices: HostDevices | None = None) -> None:
        self.process = process
        self.info = info
        self.jail = jail
        self.devices = devices
        #: The report's ``devices`` object; final once :meth:`wait` has returned.
        self.devices_report: dict[str, Any] = {}
        self.network_report: dict[str, Any] = plan.network.to_dict()
        self._plan = plan
        self._geo: CountryDB | None = None
        self._pidfd = os.pidfd_open(process.pid)

    def network_fd(self) -> int | None:
        """Readable when the jail has events (DNS questions) to report; None without one."""
        return self.jail.fileno() if self.jail else None

    def network_events(self) -> list[dict[str, Any]]:
        """Events the jail sent since the last call."""
        return self.jail.read_events() if self.jail else []

    def network_snapshot(self) -> dict[str, Any]:
        """The network report as it stands now (the firewall's live counters)."""
        if self.jail is None:
            return self.network_report
        return self._network_report(self.jail.stats(), self.jail)

    def _network_report(self, table: dict[str, Any], jail: Jail) -> dict[str, Any]:
        if self._geo is None:
            self._geo = CountryDB(self._plan.network.country_overrides)
        summary = {**self._plan.network.to_dict(),
                   "setup_ms": round(jail.setup_seconds * 1e3, 1)}
        return netreport.build(jail.events, table, self._geo, summary)

    def device_fd(self) -> int | None:
        """Readable when a device grant has live news (a shared window closed)."""
        return self.devices.screen_fd() if self.devices is not None else None

    def device_events(self) -> list[dict[str, Any]]:
        """Live device events (``screen``, ``device``) since the last call."""
        return self.devices.screen_events() if self.devices is not None else []

    def device_usage(self) -> dict[str, Use]:
        """The camera (open by a process in the sandbox's pid namespace?) and microphone."""
        if self.devices is None:
            return {}
        pid_ns = self.info.namespaces.get("pid")
        return self.devices.usage(
            lambda: procs.members({"pid": pid_ns}) if pid_ns is not None else [])

    def fileno(self) -> int:
        """Readable once bwrap has exited."""
        return self._pidfd

    def mic_switchable(self) -> bool:
        """Whether the session has a microphone that may be switched on."""
        return self.devices is not None and self.devices.mic_switchable

    def set_mic(self, muted: bool) -> bool:
        """Start or stop the microphone's forwarder; returns whether it is muted now."""
        return self.devices.set_mic(muted) if self.devices is not None else True

    def terminate(self) -> None:
        """SIGTERM every process inside except the init, which leaves when the client does."""
        inside = [p for p in procs.members({"pid": self.info.namespaces["pid"]})
                  if p != self.info.leader_pid]
        procs.signal_all(inside, signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL the init: the kernel then kills every process in the pid namespace."""
        procs.signal_all([self.info.leader_pid], signal.SIGKILL)
        if self._pidfd < 0:  # wait() reaped bwrap (and closed its pidfd) already
            return
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def wait(self) -> int:
        """Reap bwrap; it exits with the client's status (128+N for a signal N)."""
        status = self.process.wait()
        if self._pidfd >= 0:
            os.close(self._pidfd)
            self._pidfd = -1
        _reap(self.info.leader_pid)
        if self.jail is not None:
            # The counters live in the jail's firewall: read them before it goes.
            jail, self.jail = self.jail, None
            try:
                jail.read_events()
                table = jail.stats()
            finally:
                jail.close()
            self.network_report = self._network_report(table, jail)
        if self.devices is not None:
            self.devices_report = self.devices.stop()
            self.devices = None
        return status if status >= 0 else 128 - status


class NamespaceBackend:
    """Starts plans under bubblewrap (implements :class:`SandboxBackend`)."""

    name = "namespace"

    def __init__(self, bwrap: str | None = None) -> None:
        self._bwrap = bwrap

    def check_host(self) -> None:
        """Find bwrap (raises MissingTool with the package to install)."""
        if self._bwrap is None:
            self._bwrap = proc.which("bwrap", _PURPOSE)

    def start(self, plan: LaunchPlan, workdir: Path | None = None) -> NamespaceSandbox:
        """Start *plan*; returns once the sandbox exists (or raises, leaving nothing).

        *workdir*: the session's host-side state dir, for the device helpers' sockets and
        the downloads folder (a private temporary dir when not given).
        """
        self.check_host()
        assert self._bwrap is not None
        _become_subreaper()
        if not _command_exists(plan):
            raise CommandNotFound(plan.command[0])
        devices = HostDevices.start(plan.devices, plan.env["XDG_RUNTIME_DIR"], workdir,
                                    title=f"{plan.profile} (sandboxed)")
        jail = None
        try:
            seccomp_fd = build_filter(plan.denied_syscalls)
            if workdir is not None:
                with contextlib.suppress(OSError):  # without it, joining is refused later
                    enter.save(workdir, plan, seccomp_fd)
            jail = Jail.start(plan.network) if plan.network.mode == "allowlist" else None
            return self._start(plan, seccomp_fd, jail, devices)
        except BaseException:
            if jail is not None:
                jail.close()
            devices.stop()
            raise

    def _start(self, plan: LaunchPlan, seccomp_fd: int, jail: Jail | None,
               devices: HostDevices) -> NamespaceSandbox:
        assert self._bwrap is not None
        # First, as it may raise (a missing tool): nothing is open yet that would leak.
        prefix = (jail.enter_argv() if jail else []) + clock.prefix(in_jail=jail is not None)
        info_r, info_w = os.pipe2(os.O_CLOEXEC)
        cmd = build_command(plan, layout.Identity.fresh(), seccomp_fd, info_w, jail is not None,
                            devices.view)
        try:
            # bwrap's own environment, not only the client's: the sandbox's pid 1 is bwrap,
            # and the client can read /proc/1/environ (same uid). Hand it only the
            # sandbox's environment, never the user's session variables.
            argv = cmd.hidden_argv(self._bwrap, list(plan.command))
            process = proc.spawn(prefix + argv, pass_fds=cmd.fds(), env=plan.env)
        finally:
            cmd.close()
            devices.fds = []  # cmd.close() closed the share's and Wayland fds with the others
        try:
            info = _read_info(info_r, process, jailed=jail is not None)
        finally:
            os.close(info_r)
        return NamespaceSandbox(process, info, plan, jail, devices)


def _reap(pid: int) -> None:
    """Reap the sandbox's init, which bwrap leaves to us (we are a child subreaper)."""
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return  # not ours (no subreaper): the host's init reaps it
        if done:
            return
        time.sleep(0.002)


def _become_subreaper() -> None:
    """Orphans of the sandbox are re-parented to us, so we can reap and account for them."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _command_exists(plan: LaunchPlan) -> bool:
    """Whether the command can be found inside (host /usr is the sandbox's /usr)."""
    program = plan.command[0]
    if "/" in program:
        for src, dest in plan.client.mounts:  # a store client's files live elsewhere
            if program.startswith(dest + "/"):
                return os.path.exists(src + program[len(dest):])
        return os.path.exists(program)
    return shutil.which(program, path=plan.env["PATH"]) is not None


def _read_info(fd: int, process: subprocess.Popen[bytes], jailed: bool = False) -> SandboxInfo:
    raw = b""
    while chunk := os.read(fd, 4096):
        raw += chunk
    if not raw:
        status = process.wait()
        raise SessionError(
            f"bubblewrap could not create the sandbox (exit status {status})",
            "run 'sandbox-launcher doctor': unprivileged user namespaces may be disabled",
        )
    data = json.loads(raw)
    leader = int(data["child-pid"])
    namespaces = {k.removesuffix("-namespace"): int(v) for k, v in data.items()
                  if k.endswith("-namespace")}
    user_ns = procs.namespace_of(leader, "user")
    if user_ns is not None:
        namespaces["user"] = user_ns
    # bwrap lists only the namespaces it made; a jailed sandbox's network namespace is the
    # jail's, and it is the session's as much as the others (a joiner must enter it, the
    # wipe must find what is in it). Never the launcher's own: the wipe kills its members.
    net_ns = procs.namespace_of(leader, "net") if jailed else None
    if net_ns is not None and net_ns != procs.namespace_of(os.getpid(), "net"):
        namespaces.setdefault("net", net_ns)
    # The time namespace (clock.py) is not bwrap's either; a joiner must enter it too.
    time_ns = procs.namespace_of(leader, "time")
    if time_ns is not None and time_ns != procs.namespace_of(os.getpid(), "time"):
        namespaces.setdefault("time", time_ns)
    return SandboxInfo(launcher_pid=os.getpid(), leader_pid=leader, namespaces=namespaces)
