"""One disposable VM through libvirt: boot, run a command through the agent, destroy, verify.

The domain is *transient* and started with ``VIR_DOMAIN_START_AUTODESTROY``: libvirtd
destroys it when the launcher's connection closes, so a launcher killed with SIGKILL
leaves no running guest. Its disk is a qcow2 overlay in the session's dir (the user's
runtime dir, a tmpfs) over the read-only, verified base image; the kernel boots directly
(no firmware). What is left after a kill (overlay, sockets, libvirt's log of the domain)
is removed by :func:`wipe`, which :func:`verify` then checks from the outside.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import psutil

from ...core import proc
from ...core.check import Check
from .devices import GuestDevices
from .domain import DOMAIN_PREFIX, DomainSpec, domain_xml
from .errors import AgentError, VmError
from .image import Image
from .protocol import AgentChannel, Exit, GuestError, Hello, Output, Started

DEFAULT_URI = "qemu:///session"
STATE_VERSION = 1
#: The state, saved in the session's dir before the domain exists (for stale recovery).
STATE_FILE = "vm.json"
#: Free space the overlay may grow into on the runtime dir's tmpfs.
OVERLAY_MIN_MIB = 256
#: Boot to agent-ready: ~10 s under software emulation here, much more under load.
READY_TIMEOUT = 180.0
_SESSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: The guest kernel's command line. ``panic=-1``: a guest kernel that panics (or whose
#: PID 1, the agent, dies) reboots at once, which ends the domain (``on_reboot`` destroy,
#: domain.py); Debian's default (wait forever) would leave a dead guest running and the
#: session hanging with it.
KERNEL_ARGS = "root=/dev/vda rw quiet panic=-1 init=/usr/local/sbin/slt-init"
#: (stream, data) for each chunk of the command's output.
OutputSink = Callable[[str, bytes], None]


@dataclass
class MachineState:
    """What a later launcher needs to find, wipe and verify the VM (opaque, versioned)."""

    session_id: str
    uri: str
    domain: str
    workdir: str
    overlay: str
    agent_socket: str
    net_socket: str | None = None
    join_socket: str | None = None
    #: Booted ahead by the warm pool: its dir is the pool's, removed with the VM.
    pooled: bool = False
    accel: str = "tcg"
    accel_detail: str = ""
    version: int = STATE_VERSION

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MachineState:
        """Read a saved state; refuses one of another version."""
        if data.get("version") != STATE_VERSION:
            raise VmError(f"VM session state version {data.get('version')} is not "
                          f"{STATE_VERSION}", "wipe it by hand: virsh destroy, rm the dir")
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def files(self) -> list[Path]:
        """Every file the session may leave on the host."""
        found = [Path(self.overlay), Path(self.agent_socket), libvirt_log(self.domain)]
        if self.workdir:
            found.append(Path(self.workdir) / STATE_FILE)
        if self.net_socket:
            found.append(Path(self.net_socket))
        if self.join_socket:
            found.append(Path(self.join_socket))
        return found


def libvirt_log(domain: str) -> Path:
    """Where session-mode libvirtd logs a domain's QEMU (it names the session)."""
    return Path(platformdirs.user_cache_dir("libvirt")) / "qemu" / "log" / f"{domain}.log"


def _libvirt() -> Any:
    import libvirt

    # libvirt prints every error to stderr by default; we raise typed errors instead.
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    return libvirt


def open_connection(uri: str) -> Any:
    """Connect to libvirt, or say how to get a libvirtd."""
    libvirt = _libvirt()
    try:
        return libvirt.open(uri)
    except libvirt.libvirtError as exc:
        raise VmError(
            f"cannot connect to libvirt at {uri}",
            "qemu:///session starts its own libvirtd when the packages are there: sudo "
            "apt-get install libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86; "
            "for qemu:///system start it: sudo systemctl start libvirtd",
            details=str(exc)) from exc


def choose_accel(kvm_verdict: tuple[str, str]) -> tuple[str, str]:
    """``("kvm"|"tcg", why)`` from the KVM probe's verdict (see host/kvm.py)."""
    verdict, detail = kvm_verdict
    if verdict == "works":
        return "kvm", detail
    return "tcg", f"KVM {verdict}: {detail}; using software emulation (TCG)"


@dataclass
class Machine:
    """A booted VM whose agent said hello."""

    conn: Any
    domain: Any
    channel: AgentChannel
    state: MachineState
    hello: Hello
    timings: dict[str, float] = field(default_factory=dict)
    _next_id: int = 1
    _running: int | None = None

    def start_command(self, argv: list[str], env: dict[str, str],
                      link: str | None = None) -> int:
        """Ask the agent to run *argv*; returns the guest pid."""
        if link is not None and not (link.startswith("https://") and link.isprintable()
                                     and " " not in link and len(link) <= 4096):
            raise VmError("a meeting link for the VM must be one https:// URL",
                          "check the link", details=repr(link[:200]))
        ident, self._next_id = self._next_id, self._next_id + 1
        fields: dict[str, Any] = {"id": ident, "argv": argv, "env": env}
        if link is not None:
            fields["link"] = link
        self.channel.send("run", **fields)
        answer = self.channel.receive(30.0)
        if isinstance(answer, Started) and answer.id == ident:
            self._running = ident
            return answer.pid
        if isinstance(answer, GuestError) and answer.id == ident:
            self._running = ident  # an exit with 126/127 follows
            return 0
        raise AgentError("the guest agent answered a run request out of turn",
                         "the VM was ended", details=repr(answer))

    def wait_command(self, output: OutputSink | None = None,
                     timeout: float = 365 * 86400.0) -> int:
        """Relay the command's output until it exits; returns its exit status."""
        if self._running is None:
            raise VmError("no command is running in the VM", "start one first")
        deadline = time.monotonic() + timeout
        while True:
            message = self.channel.receive(max(0.0, deadline - time.monotonic()))
            if isinstance(message, Output) and message.id == self._running:
                if output is not None:
                    output(message.stream, message.data)
            elif isinstance(message, Exit) and message.id == self._running:
                self._running = None
                return message.status
            elif isinstance(message, GuestError):
                # The exit that follows carries the status; the reason goes to stderr,
                # as a shell would say "no such file" (printable text only: hostile guest).
                if output is not None:
                    text = "".join(c for c in message.message if c.isprintable())
                    output("stderr", f"sandbox-launcher: in the VM: {text}\n".encode())
            else:
                raise AgentError("the guest agent sent a message out of turn",
                                 "the VM was ended", details=repr(message))

    def signal(self, number: int) -> None:
        """Send a signal to the running command's process group in the guest."""
        if self._running is not None:
            self.channel.send("signal", id=self._running, signal=number)

    def open_display(self) -> int:
        """A connected SPICE socket for a viewer (``virDomainOpenGraphicsFD``): the display
        listens on no port, so this descriptor is the only way in. The caller owns it."""
        try:
            return int(self.domain.openGraphicsFD(0, 0))
        except Exception as exc:
            raise VmError("the VM's display cannot be opened", "was it started with one?",
                          details=str(exc)) from exc

    def destroy(self) -> None:
        """End the VM now (no shutdown: nothing in a disposable is worth keeping)."""
        self.channel.close()
        with contextlib.suppress(Exception):
            self.domain.destroy()
        with contextlib.suppress(Exception):
            self.conn.close()


def _check_space(workdir: Path) -> None:
    stats = os.statvfs(workdir)
    free_mib = stats.f_bavail * stats.f_frsize // 2**20
    if free_mib < OVERLAY_MIN_MIB:
        raise VmError(
            f"{workdir} has {free_mib} MiB free; the VM's disk overlay needs at least "
            f"{OVERLAY_MIN_MIB} MiB",
            "free space in your runtime dir (a tmpfs whose size logind's "
            "RuntimeDirectorySize= sets, 10% of RAM by default), or end other sessions")


def boot(image: Image, workdir: Path, session_id: str, *, uri: str = DEFAULT_URI,
         accel: tuple[str, str] = ("tcg", "forced"), memory_mib: int = 512, vcpus: int = 1,
         net_socket: Path | None = None, net_args: str = "", display: bool = False,
         ready_timeout: float = READY_TIMEOUT, devices: GuestDevices | None = None) -> Machine:
    """Boot a disposable VM of *image* for *session_id*; files go in *workdir*.

    Returns once the agent said hello. On any failure everything made so far is wiped.
    """
    if not _SESSION_RE.match(session_id):
        raise VmError(f"unusable session id {session_id!r}", "a launcher bug: report it")
    started = time.monotonic()
    _check_space(workdir)
    state = MachineState(session_id=session_id, uri=uri, domain=DOMAIN_PREFIX + session_id,
                         workdir=str(workdir), overlay=str(workdir / "disk.qcow2"),
                         agent_socket=str(workdir / "agent.sock"),
                         join_socket=str(workdir / "join.sock"),
                         net_socket=str(net_socket) if net_socket else None,
                         accel=accel[0], accel_detail=accel[1])
    guest = devices or GuestDevices(display=display)
    spec = DomainSpec(
        session_id=session_id, memory_mib=memory_mib, vcpus=vcpus,
        kernel=image.kernel, initrd=image.file("initrd.img"),
        cmdline=" ".join(w for w in (KERNEL_ARGS, net_args, guest.kernel_args()) if w),
        disk=Path(state.overlay), agent_socket=Path(state.agent_socket),
        join_socket=Path(workdir / "join.sock"), kvm=accel[0] == "kvm",
        net_socket=net_socket, display=guest.display, sound_socket=guest.sound_socket,
        share=guest.share, camera=guest.camera)
    conn = open_connection(uri)
    try:
        save_state(state)
        proc.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                  str(image.file("base.qcow2")), state.overlay], timeout=30)
        libvirt = _libvirt()
        try:
            domain = conn.createXML(domain_xml(spec), libvirt.VIR_DOMAIN_START_AUTODESTROY)
        except libvirt.libvirtError as exc:
            raise VmError("libvirt could not start the VM", "see the details",
                          details=str(exc)) from exc
        created = time.monotonic()
        channel = AgentChannel.connect(Path(state.agent_socket), timeout=30.0)
        try:
            hello = channel.receive(ready_timeout)
            if not isinstance(hello, Hello):
                raise AgentError("the guest agent did not start with hello",
                                 "the VM was ended", details=repr(hello))
        except BaseException:
            channel.close()
            with contextlib.suppress(Exception):
                domain.destroy()
            raise
    except BaseException:
        with contextlib.suppress(Exception):
            conn.close()
        wipe(state)
        raise
    ready = time.monotonic()
    return Machine(conn, domain, channel, state, hello,
                   timings={"define_s": created - started, "ready_s": ready - started})


def save_state(state: MachineState) -> None:
    """Write the state into the session's dir (private: the runtime dir is 0700)."""
    path = Path(state.workdir) / STATE_FILE
    path.write_text(json.dumps(state.to_dict()) + "\n", encoding="utf-8")


def load_state(workdir: Path) -> MachineState | None:
    """The state a launcher saved in *workdir*, or None when there is none."""
    try:
        data = json.loads((workdir / STATE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise VmError(f"unreadable VM state in {workdir}: {exc}",
                      "remove the session's dir by hand after virsh destroy") from exc
    if not isinstance(data, dict):
        raise VmError(f"malformed VM state in {workdir}", "remove the session's dir by hand")
    return MachineState.from_dict(data)


def recover(state: MachineState) -> list[Check]:
    """Clean up after a launcher that was killed: wipe, then prove it."""
    wipe(state)
    return verify(state)


def wipe(state: MachineState) -> None:
    """Destroy the domain if it still runs and remove every file of the session."""
    libvirt = _libvirt()
    with contextlib.suppress(VmError):
        conn = open_connection(state.uri)
        try:
            with contextlib.suppress(libvirt.libvirtError):
                conn.lookupByName(state.domain).destroy()
        finally:
            conn.close()
    # A QEMU libvirt lost track of, or a passt whose launcher died before its
    # parent-death signal could be armed: ours by their command line, so end them.
    for pid in session_processes(state):
        with contextlib.suppress(psutil.Error):
            psutil.Process(pid).kill()
    for path in state.files():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    if state.pooled and state.workdir:
        with contextlib.suppress(OSError):
            Path(state.workdir).rmdir()


def session_processes(state: MachineState) -> list[int]:
    """Our processes of this VM: its QEMU (``-name guest=DOMAIN,…``) and its passt."""
    markers = [f"guest={state.domain},", f"guest={state.domain}"]
    found = []
    for process in psutil.process_iter(["cmdline", "uids"]):
        info = process.info
        if info["uids"] is None or info["uids"].real != os.getuid():
            continue
        args = info["cmdline"] or ()
        if any(a.startswith(tuple(markers)) for a in args) or (
                state.net_socket and state.net_socket in args):
            found.append(process.pid)
    return found


def qemu_pid(state: MachineState) -> int | None:
    """The pid of the VM's QEMU (libvirt's child, not ours), None unless exactly one runs."""
    marker = f"guest={state.domain}"
    found = [p.pid for p in psutil.process_iter(["cmdline", "uids"])
             if p.info["uids"] is not None and p.info["uids"].real == os.getuid()
             and any(a == marker or a.startswith(marker + ",")
                     for a in p.info["cmdline"] or ())]
    return found[0] if len(found) == 1 else None


def verify(state: MachineState) -> list[Check]:
    """Prove from the outside that nothing of the VM is left."""
    libvirt = _libvirt()
    checks: list[Check] = []
    try:
        conn = open_connection(state.uri)
    except VmError as exc:
        checks.append(Check("no domain left", False, f"cannot ask libvirt: {exc.summary}"))
    else:
        try:
            names = [d.name() for d in conn.listAllDomains()]
        except libvirt.libvirtError as exc:
            names = [f"(libvirt error: {exc})"]
        finally:
            conn.close()
        left = [n for n in names if n == state.domain or n.startswith("(")]
        checks.append(Check("no domain left", not left,
                            f"{state.uri} lists {', '.join(left) or 'no domain ' + state.domain}"))
    pids = session_processes(state)
    checks.append(Check("no QEMU or passt process left", not pids,
                        f"pids {pids}" if pids else f"no process runs guest={state.domain}"))
    files = [str(p) for p in state.files() if p.exists() or p.is_symlink()]
    if state.pooled and state.workdir and Path(state.workdir).exists():
        files.append(state.workdir)
    checks.append(Check("no VM file left", not files,
                        ", ".join(files) if files else "overlay, sockets and log removed"))
    return checks
