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
from collections.abc import Mapping
from pathlib import Path

from ...core.check import Check
from ...core.errors import CommandNotFound, SessionError
from ...core.plan import SANDBOX_HOME, LaunchPlan
from ...core.runner import Runner, SystemRunner
from ...devices.host import Link, Mount
from ...host import procs
from ..base import BackendState, Captured, Resources
from . import cleanup, clock, enter, layout, links_view
from .bwrap import BwrapCommand, BwrapOption, FdOption, FileCopy, Flag, SetEnv
from .capture import Capture as _Capture
from .environment import runtime_dir, sandbox_env
from .seccomp import build_filter
from .spare import Spare, prepare_spare

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
    cmd.add(*(SetEnv(k, v) for k, v in sorted(sandbox_env(plan).items())))
    cmd.add(Flag("--chdir", SANDBOX_HOME))
    cmd.add(FdOption("--seccomp", seccomp_fd), FdOption("--info-fd", info_fd))
    return cmd


class NamespaceSandbox:
    """A running bwrap sandbox (implements :class:`SandboxHandle`)."""

    def __init__(self, process: subprocess.Popen[bytes], state: BackendState,
                 capture: _Capture | None = None) -> None:
        self.process = process
        self.state = state
        self._capture = capture
        self._captured = Captured()
        self._pidfd = os.pidfd_open(process.pid)
        self._status: int | None = None

    @property
    def leader_pid(self) -> int:
        """The sandbox's init (bwrap's pid 1): its death ends every process inside."""
        return int(self.state.data["leader_pid"])

    @property
    def namespaces(self) -> dict[str, int]:
        """The session's namespaces, kind → inode."""
        return dict(self.state.data["namespaces"])

    def fileno(self) -> int:
        """Readable once bwrap has exited."""
        return self._pidfd

    def members(self) -> list[int]:
        """The processes in the sandbox's pid namespace."""
        return procs.members({"pid": self.namespaces["pid"]})

    def terminate(self) -> None:
        """SIGTERM every process inside except the init, which leaves when the client does."""
        inside = [p for p in self.members() if p != self.leader_pid]
        procs.signal_all(inside, signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL the init: the kernel then kills every process in the pid namespace."""
        procs.signal_all([self.leader_pid], signal.SIGKILL)
        if self._status is None:
            with contextlib.suppress(ProcessLookupError, OSError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def wait(self) -> int:
        """Reap bwrap; it exits with the client's status (128+N for a signal N)."""
        if self._status is not None:
            return self._status
        status = self.process.wait()
        os.close(self._pidfd)
        _reap(self.leader_pid)
        if self._capture is not None:
            self._captured = self._capture.collect()
            self._capture = None
        self._status = status if status >= 0 else 128 - status
        return self._status

    def captured(self) -> Captured:
        """The home paths the session asked for, read after the client ended."""
        return self._captured


class NamespaceBackend:
    """Starts plans under bubblewrap (implements :class:`SandboxBackend`)."""

    name = "namespace"

    def __init__(self, bwrap: str | None = None, runner: Runner | None = None) -> None:
        self._bwrap = bwrap
        self._runner: Runner = runner or SystemRunner()
        #: Open namespace fds of the sandboxes this object started, by init pid, until
        #: their wipe is verified (cleanup.pin).
        self._pins: dict[int, list[int]] = {}

    def check_host(self) -> None:
        """Find bwrap (raises MissingTool with the package to install)."""
        if self._bwrap is None:
            self._bwrap = self._runner.which("bwrap", _PURPOSE)

    def notes(self, plan: LaunchPlan) -> tuple[str, ...]:
        """What this machine lacks for *plan* that the client runs without."""
        if not plan.devices.display.window_manager:
            return ()  # and `run generic` loads no device code
        from ...devices.window_manager import note

        missing = note(plan.devices.display)
        return (missing,) if missing else ()

    def runtime_dir(self, plan: LaunchPlan) -> str:
        """The client's runtime dir inside, where the device sockets are bound."""
        return runtime_dir()

    def start(self, plan: LaunchPlan, resources: Resources) -> NamespaceSandbox:
        """Start *plan* in the session's jail with its device view; returns once the
        sandbox exists (or raises, leaving nothing of its own)."""
        self.check_host()
        assert self._bwrap is not None
        _become_subreaper()
        if not _command_exists(plan):
            raise CommandNotFound(plan.command[0])
        seccomp_fd = build_filter(plan.denied_syscalls)
        with contextlib.suppress(OSError):  # without it, joining is refused later
            enter.save(resources.workdir, plan, seccomp_fd)
        capture = _Capture.make(resources) if resources.home_capture else None
        try:
            return self._start(plan, seccomp_fd, resources, capture)
        except BaseException:
            if capture is not None:
                capture.close()
            raise

    def prepare(self, plan: LaunchPlan, resources: Resources) -> Spare:
        """A spare of *plan*: its sandbox runs a stub that waits for the client's argv
        (spare.py); the normal path's code, with the stub as the command."""
        self.check_host()
        _become_subreaper()
        return prepare_spare(plan, resources, self._start, _command_exists)

    def _start(self, plan: LaunchPlan, seccomp_fd: int, resources: Resources,
               capture: _Capture | None, stub: tuple[list[str], int] | None = None,
               ) -> NamespaceSandbox:
        """Start bwrap; *stub*: run this command (with this fd inherited) instead of
        the plan's (a spare's waiting stub)."""
        assert self._bwrap is not None
        jail, devices = resources.jail, resources.devices
        # First, as it may raise (a missing tool): nothing is open yet that would leak.
        prefix = (jail.enter_argv() if jail else []) + clock.prefix(in_jail=jail is not None)
        view = [*(devices.view if devices is not None else []),
                *links_view.install(resources.workdir)]
        info_r, info_w = os.pipe2(os.O_CLOEXEC)
        cmd = build_command(plan, layout.Identity.fresh(), seccomp_fd, info_w, jail is not None,
                            view)
        cmd.add(*home_seed(resources.home_seed))
        command = list(plan.command) if stub is None else stub[0]
        if capture is not None:
            cmd.add(capture.paths_file)
            command = capture.wrap(command)
        extra = [capture.fd] if capture is not None else []
        extra += [stub[1]] if stub is not None else []
        try:
            # bwrap's own environment, not only the client's: the sandbox's pid 1 is bwrap,
            # and the client can read /proc/1/environ (same uid). Hand it only the
            # sandbox's environment, never the user's session variables.
            argv = cmd.hidden_argv(self._bwrap, command)
            process = self._runner.spawn(prefix + argv, pass_fds=cmd.fds() + extra,
                                         env=sandbox_env(plan))
        finally:
            cmd.close()
            if devices is not None:  # cmd.close() closed the share's and Wayland fds
                devices.fds = []
        try:
            leader, namespaces = _read_info(info_r, process, jailed=jail is not None)
        finally:
            os.close(info_r)
        self._pins[leader] = cleanup.pin(leader, namespaces)
        state = BackendState(self.name, STATE_VERSION, {
            "launcher_pid": os.getpid(), "leader_pid": leader, "namespaces": namespaces})
        return NamespaceSandbox(process, state, capture)

    def wipe(self, state: BackendState) -> int:
        """Kill whatever is still in (or holds on to) the session's namespaces."""
        return cleanup.kill_remaining(_namespaces(state))

    def verify(self, state: BackendState, listeners_before: Mapping[int, str]) -> list[Check]:
        """No process, namespace or listening socket of the session is left."""
        pins = self._pins.pop(int(state.data.get("leader_pid") or 0), [])
        return cleanup.verify(_namespaces(state), listeners_before,
                              release=lambda: cleanup.unpin(pins))

    def recover(self, state: BackendState) -> int:
        """After a killed launcher the sandbox died with it; kill what may have escaped."""
        return self.wipe(state)

    def join(self, state: BackendState, workdir: Path, argv: list[str]) -> int:
        """Start *argv* in the running sandbox, confined exactly like its client."""
        namespaces, leader = _namespaces(state), int(state.data.get("leader_pid") or 0)
        if not namespaces or not leader:
            raise SessionError("the session keeps no record of its sandbox",
                               "open the link in a new session")
        return enter.run_inside(leader, namespaces, enter.load(workdir), argv)

    def members(self, state: BackendState) -> list[int]:
        """The processes in the session's pid namespace."""
        pid_ns = _namespaces(state).get("pid")
        return procs.members({"pid": pid_ns}) if pid_ns is not None else []


#: Version of the state this backend records (``leader_pid``, ``namespaces``).
STATE_VERSION = 1


def _namespaces(state: BackendState) -> dict[str, int]:
    raw = state.data.get("namespaces")
    return {str(k): int(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def legacy_state(leader_pid: int, namespaces: Mapping[str, int]) -> BackendState:
    """The state of a session recorded before backends kept their own (session records
    from older launchers name ``leader_pid`` and ``namespaces`` at the top)."""
    return BackendState(NamespaceBackend.name, STATE_VERSION,
                        {"leader_pid": leader_pid, "namespaces": dict(namespaces)})


def home_seed(files: Mapping[str, bytes]) -> list[BwrapOption]:
    """Files written into the fresh home before the client starts (parents made by bwrap)."""
    return [FileCopy.of(f"{SANDBOX_HOME}/{path}", content)
            for path, content in sorted(files.items())]


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
    return shutil.which(program, path=sandbox_env(plan)["PATH"]) is not None


def _read_info(fd: int, process: subprocess.Popen[bytes],
               jailed: bool = False) -> tuple[int, dict[str, int]]:
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
    return leader, namespaces
