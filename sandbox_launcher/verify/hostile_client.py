"""A hostile stand-in for a conferencing client: it tries every escape of DESIGN §2.

The tests run it *inside* the sandbox as ``/usr/bin/python3 -c "<this file>" MODE ARGS…``
because the repository is not visible in there, so this file must stay standalone:
standard library only, Python 3.11, no imports from the project, well under 100 KB.

Every mode prints exactly one JSON object as the last line of stdout. In ``probe`` mode it
has ``attempts`` (name -> ``{"escaped": bool, "detail": str}``) and ``escapes`` (the names
whose attempt escaped). An attempt whose option was not given is skipped, not recorded, so a
test can tell "this did not escape" from "this was never tried".

A probe must be able to report an escape, or a broken probe would pass forever; the unit
tests run it on the host, where the escapes do work, to prove that.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import errno
import fcntl
import glob
import hashlib
import json
import os
import select
import signal
import socket
import stat
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

Attempt = dict[str, Any]

#: A byte that is harmless if TIOCSTI does work (it lands in someone's input line).
_TIOCSTI_BYTE = b"\0"
_SIOCGIFHWADDR = 0x8927
_CLONE_NEWUSER = 0x10000000
_ZERO_MAC = "00:00:00:00:00:00"
#: Options whose value is a marker to look for, never a sighting of it.
_MARKER_OPTIONS = ("--host-marker", "--ptrace-marker", "--env-secret")
#: Bounds on the socket scan, so a host full of sockets cannot make the probe hang.
_SCAN_LIMIT = 200
_CONNECT_TIMEOUT = 1.0


def describe(exc: BaseException) -> str:
    """Return ``"ErrorType: message"``, the form every failed attempt reports."""
    return f"{type(exc).__name__}: {exc}"


def result(escaped: bool, detail: str) -> Attempt:
    """Build one attempt record."""
    return {"escaped": bool(escaped), "detail": detail}


def emit(payload: dict[str, Any]) -> None:
    """Print *payload* as the single, last JSON line and flush it before anything else."""
    sys.stdout.write(json.dumps(payload, sort_keys=True) + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------- processes


def iter_cmdlines() -> Iterator[tuple[int, list[str]]]:
    """Yield ``(pid, argv)`` for every process this process can see, except itself."""
    me = os.getpid()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return
    for entry in entries:
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                raw = fh.read()
        except OSError:
            continue  # it exited, or we may not look: both mean "not seen"
        argv = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
        yield int(entry), argv


def shows_marker(argv: list[str], marker: str, own_option: str) -> bool:
    """Return True if *argv* carries *marker* other than as the value of *own_option*.

    Our own process, and every wrapper above it inside the sandbox (bwrap's init, a shell),
    carry the marker only because *we* were told to look for it (``--host-marker M``).
    Removing exactly that occurrence leaves only genuine sightings.
    """
    joined = " ".join(argv)
    joined = joined.replace(f"{own_option} {marker}", " ").replace(f"{own_option}={marker}", " ")
    # Any other option of ours that carries the same marker (verify passes it to
    # --host-marker and --ptrace-marker) is just as much our own telling.
    for option in _MARKER_OPTIONS:
        joined = joined.replace(f"{option} {marker}", " ").replace(f"{option}={marker}", " ")
    return marker in joined


def find_marked_processes(marker: str, own_option: str) -> list[int]:
    """Return the pids whose command line genuinely shows *marker*."""
    return [pid for pid, argv in iter_cmdlines() if shows_marker(argv, marker, own_option)]


def spawn_marked_sleeper(marker: str, seconds: float, *, daemonize: bool) -> int:
    """Start a sleeping Python with *marker* as its argv[1] and return its pid.

    Re-exec'ing is how a title shows up in ``/proc/PID/cmdline`` without ``setproctitle``.
    Its stdio goes to /dev/null. With *daemonize* it also double-forks, calls setsid and
    ignores SIGTERM/SIGHUP: the usual way a program tries to stay after its parent ends.
    """
    code = (
        "import time,signal; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"signal.signal(signal.SIGHUP, signal.SIG_IGN); time.sleep({seconds!r})"
    )
    argv = [sys.executable or "/usr/bin/python3", "-c", code, marker]
    # The pid of the grandchild travels back through a pipe, since the middle child exits.
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    first = os.fork()
    if first == 0:  # pragma: no cover - child side
        try:
            os.close(read_end)
            if daemonize:
                os.setsid()
                if os.fork() != 0:
                    os._exit(0)
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
            # Holding our stdout would keep whoever reads it waiting for an EOF.
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.write(write_end, str(os.getpid()).encode())
            # No close: exec closes the (non-inheritable) pipe, so the parent's EOF means
            # the new command line is in place, not a copy of ours a moment before exec.
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        pid_text = fh.read().decode()
    if daemonize:
        os.waitpid(first, 0)  # the middle child; the daemon is now nobody's child of ours
    return int(pid_text) if pid_text else -1


# --------------------------------------------------------------------------- sockets


def try_connect(address: str | bytes) -> str | None:
    """Connect an AF_UNIX stream socket to *address*; None on success, else the error."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(_CONNECT_TIMEOUT)
    try:
        sock.connect(address)
    except OSError as exc:
        return describe(exc)
    finally:
        sock.close()
    return None


def connect_all(targets: list[tuple[str, str | bytes]]) -> Attempt:
    """Try each ``(label, address)``; escaped if any connects."""
    reached: list[str] = []
    failed: list[str] = []
    for label, address in targets:
        error = try_connect(address)
        if error is None:
            reached.append(label)
        else:
            failed.append(f"{label}: {error}")
    if reached:
        return result(True, "connected: " + ", ".join(reached))
    return result(False, "; ".join(failed) or "nothing to try")


def dbus_env_targets() -> list[tuple[str, str | bytes]]:
    """Return the unix addresses named by DBUS_SESSION_BUS_ADDRESS, if any."""
    value = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    targets: list[tuple[str, str | bytes]] = []
    for address in value.split(";"):
        if not address.startswith("unix:"):
            continue
        for pair in address[len("unix:") :].split(","):
            key, _, val = pair.partition("=")
            if key == "path":
                targets.append((f"$DBUS_SESSION_BUS_ADDRESS {val}", val))
            elif key == "abstract":
                targets.append((f"$DBUS_SESSION_BUS_ADDRESS @{val}", "\0" + val))
    return targets


def scan_path_sockets(roots: tuple[str, ...]) -> list[str]:
    """Return every socket file below *roots* (bounded), without following symlinks."""
    found: list[str] = []
    for root in roots:
        for dirpath, _dirs, files in os.walk(root, onerror=lambda _e: None):
            for name in files:
                path = os.path.join(dirpath, name)
                with contextlib.suppress(OSError):
                    if stat.S_ISSOCK(os.lstat(path).st_mode):
                        found.append(path)
                if len(found) >= _SCAN_LIMIT:
                    return found
    return found


def scan_abstract_sockets() -> list[str]:
    """Return the abstract socket names this network namespace lists in /proc/net/unix."""
    names: list[str] = []
    try:
        with open("/proc/net/unix", encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()[1:]
    except OSError:
        return names
    for line in lines:
        fields = line.split()
        if len(fields) >= 8 and fields[7].startswith("@"):
            names.append(fields[7][1:])
    return sorted(set(names))[:_SCAN_LIMIT]


# --------------------------------------------------------------------------- probe attempts


def attempt_read_canary(path: str) -> Attempt:
    """Read the canary directly and through every visible ``/proc/PID/root``."""
    candidates = [path]
    with contextlib.suppress(OSError):
        candidates += [f"/proc/{p}/root{path}" for p in os.listdir("/proc") if p.isdigit()]
    errors: list[str] = []
    for candidate in candidates:
        try:
            with open(candidate, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            if candidate == path:
                errors.append(describe(exc))
            continue
        digest = hashlib.sha256(data).hexdigest()[:16]
        return result(True, f"read {len(data)} bytes via {candidate} (sha256 {digest}…)")
    return result(False, "; ".join(errors) or "unreadable")


def attempt_list_home(home: str) -> Attempt:
    """List the real home; an empty or missing directory gives nothing away."""
    try:
        entries = os.listdir(home)
    except OSError as exc:
        return result(False, describe(exc))
    return result(bool(entries), f"{len(entries)} entries: {sorted(entries)[:10]}")


def attempt_host_pid(pid: int, marker: str | None) -> Attempt:
    """Look at the host pid; with a marker, its cmdline must show it to count."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        return result(False, describe(exc))
    argv = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
    if marker is None:
        return result(True, f"/proc/{pid} exists: {argv[:3]}")
    # Inside a pid namespace the same number may belong to one of our own processes.
    seen = shows_marker(argv, marker, "--host-marker")
    return result(seen, f"/proc/{pid} is {argv[:3]}")


def attempt_host_marker(marker: str) -> Attempt:
    """Scan every visible command line for the host process's marker."""
    pids = find_marked_processes(marker, "--host-marker")
    visible = sum(1 for _ in iter_cmdlines())
    return result(bool(pids), f"marker in pids {pids}; {visible} other processes visible")


def attempt_ssh_agent(path: str) -> Attempt:
    """Connect to the agent socket and to whatever $SSH_AUTH_SOCK names."""
    targets: list[tuple[str, str | bytes]] = [(path, path)]
    env_sock = os.environ.get("SSH_AUTH_SOCK")
    if env_sock:
        targets.append((f"$SSH_AUTH_SOCK {env_sock}", env_sock))
    return connect_all(targets)


def attempt_socket_scan(granted: tuple[str, ...] = ()) -> Attempt:
    """Connect to every socket file under /tmp and /run, and every abstract socket listed.

    With no grants there should be nothing to find; with grants the detail says what was
    reached, so a test can check it was only the granted one.
    """
    targets: list[tuple[str, str | bytes]] = [
        (p, p) for p in scan_path_sockets(("/tmp", "/run", "/var/run"))
    ]
    targets += [(f"@{n}", "\0" + n) for n in scan_abstract_sockets()]
    # A socket the session granted (its nested display, its filtered bus) is no escape.
    skipped = [label for label, _address in targets if label in granted]
    targets = [(label, address) for label, address in targets if label not in granted]
    attempt = connect_all(targets)
    attempt["detail"] = (f"{len(targets)} sockets found (granted, not tried: {skipped}); "
                         + attempt["detail"])
    return attempt


def mac_of(ifname: str) -> str | None:
    """Return the hardware address of *ifname* via SIOCGIFHWADDR, or None."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        request = struct.pack("256s", ifname.encode()[:15])
        reply = fcntl.ioctl(sock.fileno(), _SIOCGIFHWADDR, request)
    except OSError:
        return None
    finally:
        sock.close()
    return ":".join(f"{b:02x}" for b in reply[18:24])


def collect_macs() -> dict[str, str]:
    """Gather every MAC address visible through sysfs, ioctls and the ARP table."""
    macs: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for name in os.listdir("/sys/class/net"):
            with contextlib.suppress(OSError), open(f"/sys/class/net/{name}/address") as fh:
                macs[f"sysfs:{name}"] = fh.read().strip().lower()
    with contextlib.suppress(OSError):
        for _index, name in socket.if_nameindex():
            mac = mac_of(name)
            if mac is not None:
                macs[f"ioctl:{name}"] = mac
    # The ARP table holds the router's MAC: as good a fingerprint as our own.
    with contextlib.suppress(OSError), open("/proc/net/arp") as fh:
        for line in fh.read().splitlines()[1:]:
            fields = line.split()
            if len(fields) >= 4:
                macs[f"arp:{fields[0]}"] = fields[3].lower()
    return macs


def attempt_host_macs(host_macs: str, *, only_host: bool = False) -> Attempt:
    """Escaped if any host MAC is visible, or any non-zero MAC at all.

    *only_host*: a jailed network has an interface of its own (pasta's tap, a random
    MAC); then only the host's own MACs count.
    """
    wanted = {m.strip().lower() for m in host_macs.split(",") if m.strip()}
    macs = collect_macs()
    matches = sorted(k for k, v in macs.items() if v in wanted)
    nonzero = sorted(k for k, v in macs.items() if v and v != _ZERO_MAC)
    detail = f"matches {matches}; non-zero {nonzero}; all {macs}"
    return result(bool(matches or (nonzero and not only_host)), detail)


def read_first(paths: list[str]) -> dict[str, str]:
    """Return ``{path: stripped content or error}`` for each path."""
    values: dict[str, str] = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                values[path] = fh.read().strip()
        except OSError as exc:
            values[path] = f"<{describe(exc)}>"
    return values


def attempt_equal_ids(paths: list[str], host_value: str) -> Attempt:
    """Escaped if any of *paths* holds the host's identifier."""
    values = read_first(paths)
    leaked = [p for p, v in values.items() if v.lower() == host_value.strip().lower()]
    return result(bool(leaked), f"equal in {leaked}; read {values}")


def attempt_hostname(host_name: str) -> Attempt:
    """Compare every way of learning the host name; /etc/hosts counts if it names it."""
    seen = {
        "socket.gethostname()": socket.gethostname(),
        "os.uname().nodename": os.uname().nodename,
    }
    seen.update(read_first(["/proc/sys/kernel/hostname", "/etc/hostname"]))
    leaked = [k for k, v in seen.items() if v == host_name]
    hosts = read_first(["/etc/hosts"])["/etc/hosts"]
    tokens = {t for line in hosts.splitlines() for t in line.split("#")[0].split()}
    if host_name in tokens:
        leaked.append("/etc/hosts")
    return result(bool(leaked), f"equal in {leaked}; saw {seen}")


def attempt_tiocsti() -> Attempt:
    """Push a byte into the controlling terminal's input: the classic sandbox escape."""
    worked: list[str] = []
    failed: list[str] = []
    targets: list[tuple[str, int, bool]] = [("fd0", 0, False), ("fd1", 1, False), ("fd2", 2, False)]
    try:
        targets.append(("/dev/tty", os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY), True))
    except OSError as exc:
        failed.append(f"/dev/tty: {describe(exc)}")
    for label, fd, owned in targets:
        try:
            fcntl.ioctl(fd, termios.TIOCSTI, _TIOCSTI_BYTE)
            worked.append(label)
        except OSError as exc:
            failed.append(f"{label}: {describe(exc)}")
        finally:
            if owned:
                os.close(fd)
    return result(bool(worked), f"worked on {worked}; failed {failed}")


def risky_fds(pid: str, *, skip_stdio: bool = True) -> tuple[list[str], list[str]]:
    """Return ``(risky, all)`` descriptors of process *pid* ("self" or a number).

    A directory fd is a way out of any mount namespace (``openat(fd, "..")``); a socket or
    a regular file is access nobody granted. Pipes, ttys and anon inodes are not flagged.
    """
    risky: list[str] = []
    seen: list[str] = []
    try:
        entries = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return risky, seen
    for entry in entries:
        if skip_stdio and int(entry) <= 2:
            continue
        path = f"/proc/{pid}/fd/{entry}"
        try:
            target = os.readlink(path)
            mode = os.stat(path).st_mode  # follows the magic link to the open object
        except OSError:
            continue  # closed meanwhile, e.g. the descriptor listdir itself used
        seen.append(f"{pid}:{entry}->{target}")
        if stat.S_ISDIR(mode) or stat.S_ISSOCK(mode) or stat.S_ISREG(mode):
            risky.append(f"{pid}:{entry}->{target}")
    return risky, seen


def attempt_inherited_fds() -> Attempt:
    """Look for descriptors the launcher leaked to us beyond stdio."""
    leaked, seen = risky_fds("self")
    return result(bool(leaked), f"leaked {leaked}; all fds>2 {seen}")


def attempt_foreign_fds() -> Attempt:
    """Look through every other visible process's descriptors (``/proc/PID/fd``).

    The sandbox's own init (bwrap as pid 1) or a helper may hold what we were not given,
    and a same-uid process's fds can be reopened through /proc.
    """
    me = str(os.getpid())
    found: list[str] = []
    seen: list[str] = []
    with contextlib.suppress(OSError):
        for pid in sorted(p for p in os.listdir("/proc") if p.isdigit() and p != me):
            risky, listed = risky_fds(pid)
            found += risky
            seen += listed
    pids = sorted({entry.split(":")[0] for entry in found}, key=int)
    return result(bool(found), f"reachable in pids {pids}: {found[:20]}; all fds>2 {seen[:40]}")


def attempt_env_secret(secret: str) -> Attempt:
    """Look for a value from the user's session environment anywhere we can read.

    Our own environment, then every visible ``/proc/PID/environ`` (the sandbox's pid 1 is
    the launcher's bwrap, which keeps the environment it was started with) and cmdline.
    """
    places = [f"${k}" for k, v in os.environ.items() if secret in v]
    with contextlib.suppress(OSError):
        for pid in sorted(p for p in os.listdir("/proc") if p.isdigit()):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/environ", "rb") as fh:
                if secret.encode() in fh.read():
                    places.append(f"/proc/{pid}/environ")
    places += [f"/proc/{p}/cmdline" for p in find_marked_processes(secret, "--env-secret")]
    return result(bool(places), f"found in {places}")


def leave_files(marker: str, real_home: str | None) -> Attempt:
    """Write marker files everywhere a trace could survive; the host checks what stayed.

    Only a write into the real home is an escape we can see from in here; the others land
    in the sandbox's own tmpfs if it works, and the host's ``no_leftovers`` finds the rest.
    """
    places = [os.environ.get("HOME", ""), "/tmp", "/var/tmp", "/dev/shm"]
    places.append(os.environ.get("XDG_RUNTIME_DIR", ""))
    written: list[str] = []
    failed: list[str] = []
    for place in [p for p in places if p]:
        path = os.path.join(place, marker)
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write("left behind by the hostile client\n")
            written.append(path)
        except OSError as exc:
            failed.append(f"{path}: {describe(exc)}")
    escaped = False
    if real_home:
        path = os.path.join(real_home, marker)
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write("left in the real home by the hostile client\n")
            written.append(path)
            escaped = True
        except OSError as exc:
            failed.append(f"{path}: {describe(exc)}")
    return result(escaped, f"written {written}; failed {failed}")


def leave_daemon(marker: str) -> Attempt:
    """Start a daemon meant to outlive us; only the host can tell whether it did."""
    try:
        pid = spawn_marked_sleeper(f"{marker}-daemon", 3600, daemonize=True)
    except OSError as exc:
        return result(False, f"could not start: {describe(exc)}")
    return result(False, f"daemon pid {pid} started as {marker}-daemon; the host must check")


# ---------------------------------------------------------------------- verify's extra attempts

_PTRACE_SEIZE = 0x4206
_PTRACE_DETACH = 17
#: What bwrap's minimal /dev holds; any other device node inside was handed over.
_STANDARD_DEVICES = frozenset(
    {"null", "zero", "full", "random", "urandom", "tty", "ptmx", "console", "pts/ptmx"}
)
#: Device nodes in a VM guest that only a host device passed through would make.
_PASSTHROUGH_NODES = ("video", "media", "vfio/", "kvm", "v4l/")
#: USB vendors of the devices QEMU emulates: Linux Foundation (root hubs), QEMU.
_EMULATED_USB_VENDORS = frozenset({"1d6b", "0627", "46f4"})
_DMI_FILES = ("product_uuid", "product_serial", "board_serial", "chassis_serial",
              "product_name", "sys_vendor", "board_name", "board_vendor", "bios_version")


def attempt_x11_socket(path: str, ident: str | None) -> Attempt:
    """Connect to the host's X socket: at its own path, and wherever it was bound.

    *ident* (``DEV:INODE`` of the host's socket) finds it under another name: a bind
    mount keeps both, so ``/tmp/.X11-unix/X0`` inside can be told from a nested server.
    """
    targets: list[tuple[str, str | bytes]] = [(path, path)]
    if ident:
        with contextlib.suppress(OSError):
            for name in sorted(os.listdir("/tmp/.X11-unix")):
                other = os.path.join("/tmp/.X11-unix", name)
                st = os.stat(other)
                if f"{st.st_dev}:{st.st_ino}" == ident and other != path:
                    targets.append((f"{other} (the host's socket, bound)", other))
    return connect_all(targets)


def attempt_ptrace(marker: str) -> Attempt:
    """Seize every visible process showing the host's marker (a debugger's first step)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as exc:
        return result(False, f"no libc: {describe(exc)}")
    pids = find_marked_processes(marker, "--ptrace-marker")
    seized: list[int] = []
    failed: list[str] = []
    for pid in pids:
        if libc.ptrace(_PTRACE_SEIZE, pid, None, None) == 0:
            seized.append(pid)
            libc.ptrace(_PTRACE_DETACH, pid, None, None)
        else:
            failed.append(f"{pid}: {os.strerror(ctypes.get_errno())}")
    detail = f"seized {seized}; failed {failed}; marked pids visible {pids}"
    return result(bool(seized), detail)


def dmi_values() -> dict[str, str]:
    """The DMI (SMBIOS) identifiers this process can read: serials, UUID, model."""
    values: dict[str, str] = {}
    for name in _DMI_FILES:
        with contextlib.suppress(OSError), open(f"/sys/class/dmi/id/{name}") as fh:
            value = fh.read().strip()
            if value:
                values[name] = value
    return values


def attempt_dmi(host: list[str] | None = None) -> Attempt:
    """Escaped if any DMI identifier is readable (a fingerprint that outlives reinstalls).

    In a VM guest (*host*: the host's own values as NAME=VALUE, possibly none) the table
    is the virtual machine's, made up by QEMU: only a value that is the host's escaped.
    """
    values = dmi_values()
    if host is None:
        return result(bool(values), f"readable {sorted(values)}")
    theirs = dict(h.split("=", 1) for h in host if "=" in h)
    same = sorted(k for k, v in values.items() if theirs.get(k) == v)
    return result(bool(same), f"the host's own values seen: {same}; the guest's table: "
                              f"{ {k: values[k] for k in sorted(values)} }")


def device_nodes(root: str = "/dev") -> list[str]:
    """Every character or block device node below *root* (bounded), relative to it."""
    found: list[str] = []
    for dirpath, _dirs, files in os.walk(root, onerror=lambda _e: None):
        for name in files:
            path = os.path.join(dirpath, name)
            with contextlib.suppress(OSError):
                mode = os.lstat(path).st_mode
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
                    found.append(os.path.relpath(path, root))
            if len(found) >= _SCAN_LIMIT:
                return sorted(found)
    return sorted(found)


def attempt_devices(granted: list[str], guest: bool = False) -> Attempt:
    """Escaped if a device node is visible that is neither standard nor granted.

    In a VM guest every node is the guest kernel's, of emulated hardware; a host device
    reaches it only passed through: a camera or other media node, VFIO, KVM, or a USB
    device that is not one of QEMU's own (root hubs, tablet, keyboard).
    """
    allowed = _STANDARD_DEVICES | {g.removeprefix("/dev/") for g in granted}
    if not guest:
        extra = [n for n in device_nodes() if n not in allowed]
        return result(bool(extra), f"not granted but visible: {extra[:20]}")
    nodes = device_nodes()
    extra = [n for n in nodes if n.startswith(_PASSTHROUGH_NODES) and n not in allowed]
    for vendor in sorted(glob.glob("/sys/bus/usb/devices/*/idVendor")):
        with contextlib.suppress(OSError), open(vendor) as fh:
            if fh.read().strip() not in _EMULATED_USB_VENDORS:
                extra.append(f"usb {os.path.basename(os.path.dirname(vendor))}")
    return result(bool(extra), f"passed through from the host: {extra[:20]} (the guest's "
                               f"own {len(nodes)} emulated nodes are not the host's)")


def grant_share(path: str, mode: str) -> dict[str, Any]:
    """The share folder: readable, and writable exactly when granted read-write."""
    try:
        entries = os.listdir(path)
    except OSError as exc:
        return {"working": False, "detail": f"cannot list {path}: {describe(exc)}"}
    probe_path = os.path.join(path, f".sl-verify-{os.getpid()}")
    try:
        with open(probe_path, "w", encoding="utf-8") as fh:
            fh.write("verify\n")
        os.unlink(probe_path)
        writable = True
        why = "writable"
    except OSError as exc:
        writable = False
        why = f"not writable ({describe(exc)})"
    working = writable == (mode == "rw")
    return {"working": working, "detail": f"{len(entries)} entries; {why}; granted {mode}"}


def grant_camera(path: str) -> dict[str, Any]:
    """The granted camera's node is there and is a character device."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return {"working": False, "detail": describe(exc)}
    return {"working": stat.S_ISCHR(mode), "detail": f"{path} mode {oct(mode)}"}


def record_mic(seconds: float) -> dict[str, Any]:
    """Record the default source of whatever sound server we reach (``parec``), and
    say how loud it was: a muted microphone must record silence."""
    rate = 48000
    wanted = int(rate * seconds) * 2
    argv = ["parec", "--raw", "--format=s16le", f"--rate={rate}", "--channels=1",
            "--latency-msec=50"]
    try:
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
    except OSError as exc:
        return {"rms": None, "error": describe(exc)}
    assert child.stdout is not None
    data = b""
    deadline = time.monotonic() + seconds + 5
    with contextlib.suppress(OSError):
        while len(data) < wanted and time.monotonic() < deadline:
            ready, _, _ = select.select([child.stdout], [], [], 0.2)
            if ready:
                chunk = os.read(child.stdout.fileno(), 65536)
                if not chunk:
                    break
                data += chunk
    child.kill()
    _out, err = child.communicate()
    if len(data) < wanted // 2:
        return {"rms": None, "error": f"parec recorded {len(data)} bytes: "
                f"{err.decode(errors='replace').strip()[:200]}"}
    values = struct.unpack(f"<{len(data) // 2}h", data[: len(data) // 2 * 2])
    part = values[len(values) // 4:]  # the first quarter is buffers filling
    rms = (sum(v * v for v in part) / max(1, len(part))) ** 0.5
    return {"rms": round(rms, 2), "error": None, "bytes": len(data)}


def write_out(path: str | None, payload: dict[str, Any]) -> bool:
    """With ``--out FILE``, the JSON goes there instead of stdout (the launcher's terminal)."""
    if not path:
        return False
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(payload, sort_keys=True) + "\n")
    return True


# --------------------------------------------------------------------------- sysinfo


def nested_userns() -> str:
    """Try ``unshare(CLONE_NEWUSER)`` in a forked child (it must not change us)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as exc:
        return f"no libc: {describe(exc)}"
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child side
        code = 0 if libc.unshare(_CLONE_NEWUSER) == 0 else min(ctypes.get_errno(), 255)
        os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return "allowed"
    return f"denied: {errno.errorcode.get(code, str(code))}"


def status_lines() -> dict[str, str]:
    """Return the confinement lines of /proc/self/status."""
    wanted = ("NoNewPrivs", "Seccomp", "Seccomp_filters", "CapEff", "CapBnd", "CapAmb")
    lines: dict[str, str] = {}
    with contextlib.suppress(OSError), open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in wanted:
                lines[key] = value.strip()
    return lines


def sysinfo() -> dict[str, Any]:
    """Describe the world as the client sees it, for humans reading a report."""
    info: dict[str, Any] = {
        "uid": os.getuid(),
        "gid": os.getgid(),
        "hostname": socket.gethostname(),
        "cwd": os.getcwd(),
        "env_keys": sorted(os.environ),
        "status": status_lines(),
        "nested_userns": nested_userns(),
    }
    for key, call in (
        ("root_entries", lambda: sorted(os.listdir("/"))),
        ("proc_pids", lambda: sorted(int(p) for p in os.listdir("/proc") if p.isdigit())),
        ("dmi_entries", lambda: sorted(os.listdir("/sys/class/dmi/id"))),
    ):
        try:
            info[key] = call()
        except OSError as exc:
            info[key] = describe(exc)
    with contextlib.suppress(OSError), open("/proc/self/mountinfo") as fh:
        info["mounts"] = [line.split(" - ")[0].split()[4] for line in fh]
    return info


# --------------------------------------------------------------------------- network

#: Long enough for a fake server on the test's own veth, short enough that a jail that
#: silently drops SYNs costs seconds, not minutes.
_NET_CONNECT_TIMEOUT = 3.0
_UDP_TIMEOUT = 2.0
_EXFIL_LABEL_LENGTH = 60
_EXFIL_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
#: The probes wait on the network, not the CPU: run them side by side.
_NET_WORKERS = 16


def gai_error_name(code: int | None) -> str:
    """Name a getaddrinfo error code (``EAI_NONAME`` for NXDOMAIN), or give its number."""
    for name in dir(socket):
        if name.startswith("EAI_") and getattr(socket, name) == code:
            return name
    return str(code)


def resolve_name(name: str) -> dict[str, Any]:
    """Resolve *name* as an ordinary client would (getaddrinfo, A and AAAA)."""
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return {"ok": False, "addresses": [], "error": describe(exc),
                "gai_error": gai_error_name(exc.errno)}
    except (OSError, UnicodeError) as exc:
        return {"ok": False, "addresses": [], "error": describe(exc), "gai_error": None}
    addresses = sorted({str(info[4][0]) for info in infos})
    return {"ok": True, "addresses": addresses, "error": None, "gai_error": None}


def split_target(target: str) -> tuple[str, int]:
    """Split ``HOST:PORT`` (``[V6]:PORT`` too) into host and port."""
    host, _, port = target.rpartition(":")
    return host.strip("[]"), int(port)


def read_line(sock: socket.socket, limit: int = 256) -> bytes:
    """Read up to a newline, the server closing, or *limit* bytes; whichever comes first."""
    data = b""
    while len(data) < limit and b"\n" not in data:
        chunk = sock.recv(limit - len(data))
        if not chunk:
            break
        data += chunk
    return data


def tcp_connect(target: str) -> dict[str, Any]:
    """Connect to *target* and read the server's banner, which says which server it is.

    A name goes through getaddrinfo like any client's would; an IP literal does not touch
    DNS at all, which is how a client tries to get past a filtering resolver.
    """
    host, port = split_target(target)
    record: dict[str, Any] = {"address": None, "connected": False, "banner": None,
                              "error": None}
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        record["error"] = f"resolve: {describe(exc)}"
        return record
    family, kind, proto, _name, address = infos[0]
    record["address"] = str(address[0])
    sock = socket.socket(family, kind, proto)
    sock.settimeout(_NET_CONNECT_TIMEOUT)
    try:
        sock.connect(address)
        record["connected"] = True
        record["banner"] = read_line(sock).decode("utf-8", "replace").strip() or None
    except OSError as exc:
        record["error"] = describe(exc)
    finally:
        sock.close()
    return record


def udp_exchange(target: str) -> dict[str, Any]:
    """Send one datagram to *target* and wait for the echo; the reply names the server."""
    host, port = split_target(target)
    record: dict[str, Any] = {"address": None, "reply": None, "error": None}
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except (OSError, UnicodeError) as exc:
        record["error"] = f"resolve: {describe(exc)}"
        return record
    family, kind, proto, _name, address = infos[0]
    record["address"] = str(address[0])
    payload = f"hostile-udp-{os.urandom(4).hex()}".encode()
    sock = socket.socket(family, kind, proto)
    sock.settimeout(_UDP_TIMEOUT)
    try:
        sock.sendto(payload, address)
        reply, _peer = sock.recvfrom(2048)
        record["reply"] = reply.decode("utf-8", "replace").strip()
    except OSError as exc:
        record["error"] = describe(exc)
    finally:
        sock.close()
    return record


def dns_exfil(name: str) -> dict[str, Any]:
    """Look up ``<60 random characters>.NAME``: the classic way to leak data through DNS.

    Whether the query got out is for the test to tell from the upstream server's log; the
    label is reported so it can look for it.
    """
    label = "".join(_EXFIL_ALPHABET[b % len(_EXFIL_ALPHABET)]
                    for b in os.urandom(_EXFIL_LABEL_LENGTH))
    full = f"{label}.{name}"
    return {"name": full, "label": label, "result": resolve_name(full)}


class Listener:
    """A local server on every address, as Zoom's hidden web server on port 19421 was.

    It greets whoever connects with a banner and remembers them, so both ends can tell
    that a connection really got through.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.bound: list[str] = []
        self.errors: list[str] = []
        self.accepted: list[str] = []
        self.sockets: list[socket.socket] = []
        for family, host in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:  # or it would clash with the IPv4 socket
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                sock.bind((host, port))
                sock.listen(16)
            except OSError as exc:
                self.errors.append(f"{host}: {describe(exc)}")
                sock.close()
                continue
            self.bound.append(host)
            self.sockets.append(sock)
            threading.Thread(target=self.serve, args=(sock,), daemon=True).start()

    def serve(self, sock: socket.socket) -> None:
        """Accept until the socket is closed."""
        banner = f"hostile-listener-{self.port}\n".encode()
        while True:
            try:
                conn, peer = sock.accept()
            except OSError:
                return
            self.accepted.append(str(peer[0]))
            with contextlib.suppress(OSError):
                conn.sendall(banner)
            conn.close()

    def close(self) -> dict[str, Any]:
        """Stop listening and describe what happened."""
        for sock in self.sockets:
            sock.close()
        return {"port": self.port, "bound": self.bound, "errors": self.errors,
                "accepted": list(self.accepted)}


def interface_names() -> list[str]:
    """The network interfaces this process can see."""
    try:
        return sorted(name for _index, name in socket.if_nameindex())
    except OSError as exc:
        return [f"<{describe(exc)}>"]


def nameservers() -> list[str]:
    """The resolvers /etc/resolv.conf names (what getaddrinfo will ask)."""
    found: list[str] = []
    with contextlib.suppress(OSError), open("/etc/resolv.conf", encoding="utf-8") as fh:
        for line in fh:
            fields = line.split()
            if len(fields) >= 2 and fields[0] == "nameserver":
                found.append(fields[1])
    return found


# --------------------------------------------------------------------------- modes


def plan_verify_attempts(args: argparse.Namespace) -> list[tuple[str, Callable[[], Attempt]]]:
    """The attempts ``sandbox-launcher verify`` added: gpg-agent, ptrace, DMI, devices."""
    plan: list[tuple[str, Callable[[], Attempt]]] = []
    if args.gpg_socket:
        plan.append(("gpg_agent", partial(connect_all, [(args.gpg_socket, args.gpg_socket)])))
    if args.ptrace_marker:
        plan.append(("ptrace", partial(attempt_ptrace, args.ptrace_marker)))
    if args.dmi:
        plan.append(("dmi", partial(attempt_dmi, args.host_dmi if args.vm_guest else None)))
    if args.devices:
        plan.append(("devices", partial(attempt_devices, args.granted_dev, args.vm_guest)))
    return plan


def plan_probe(args: argparse.Namespace) -> list[tuple[str, Callable[[], Attempt]]]:
    """Return the attempts whose option was given; read-only ones before leaving traces."""
    # partial() binds arguments now; lambdas would see names rebound later in this function.
    plan: list[tuple[str, Callable[[], Attempt]]] = []
    if args.canary:
        plan.append(("read_canary", partial(attempt_read_canary, args.canary)))
    if args.home:
        plan.append(("list_home", partial(attempt_list_home, args.home)))
    if args.host_pid is not None:
        plan.append(("host_pid", partial(attempt_host_pid, args.host_pid, args.host_marker)))
    if args.host_marker:
        plan.append(("host_marker", partial(attempt_host_marker, args.host_marker)))
    if args.x11_socket:
        plan.append(("x11_socket", partial(attempt_x11_socket, args.x11_socket,
                                           args.x11_ident)))
    if args.x11_abstract:
        x11 = [(f"@{args.x11_abstract}", "\0" + args.x11_abstract)]
        plan.append(("x11_abstract", partial(connect_all, x11)))
    if args.dbus_socket:
        session = [(args.dbus_socket, args.dbus_socket), *dbus_env_targets()]
        plan.append(("dbus_session", partial(connect_all, session)))
        system = ["/run/dbus/system_bus_socket", "/var/run/dbus/system_bus_socket"]
        plan.append(("dbus_system", partial(connect_all, [(p, p) for p in system])))
    if args.dbus_abstract:
        bus = [(f"@{args.dbus_abstract}", "\0" + args.dbus_abstract)]
        plan.append(("dbus_abstract", partial(connect_all, bus)))
    if args.ssh_socket:
        plan.append(("ssh_agent", partial(attempt_ssh_agent, args.ssh_socket)))
        plan.append(("socket_scan", partial(attempt_socket_scan, tuple(args.granted_socket))))
    if args.host_macs:
        plan.append(("host_macs", partial(attempt_host_macs, args.host_macs,
                                          only_host=args.host_macs_only)))
    if args.host_machine_id:
        ids = ["/etc/machine-id", "/var/lib/dbus/machine-id"]
        plan.append(("machine_id", partial(attempt_equal_ids, ids, args.host_machine_id)))
    if args.host_boot_id:
        boot = ["/proc/sys/kernel/random/boot_id"]
        plan.append(("boot_id", partial(attempt_equal_ids, boot, args.host_boot_id)))
    if args.host_hostname:
        plan.append(("hostname", partial(attempt_hostname, args.host_hostname)))
    if args.tiocsti:
        plan.append(("tiocsti", attempt_tiocsti))
    if args.inherited_fds:
        plan.append(("inherited_fds", attempt_inherited_fds))
    if args.foreign_fds:
        plan.append(("foreign_fds", attempt_foreign_fds))
    if args.env_secret:
        plan.append(("env_secret", partial(attempt_env_secret, args.env_secret)))
    plan += plan_verify_attempts(args)
    if args.leave_marker:
        plan.append(("leave_files", partial(leave_files, args.leave_marker, args.home)))
        plan.append(("leave_daemon", partial(leave_daemon, args.leave_marker)))
    return plan


def run_probe(args: argparse.Namespace) -> int:
    """Run every planned attempt and report them all as one JSON line."""
    attempts: dict[str, Attempt] = {}
    for name, call in plan_probe(args):
        try:
            attempts[name] = call()
        except Exception as exc:  # a crashing probe must still be reported, not lost
            attempts[name] = result(False, f"probe error: {describe(exc)}")
    payload: dict[str, Any] = {
        "mode": "probe",
        "attempts": attempts,
        "escapes": sorted(n for n, a in attempts.items() if a["escaped"]),
    }
    if args.sysinfo:
        payload["sysinfo"] = sysinfo()
    grants: dict[str, Any] = {}
    if args.share_dir:
        grants["share"] = grant_share(args.share_dir, args.share_mode)
    if args.camera_dev:
        grants["camera"] = grant_camera(args.camera_dev)
    if args.record_mic:
        grants["microphone"] = record_mic(args.record_mic)
    if grants:
        payload["grants"] = grants
    if not write_out(args.out, payload):
        emit(payload)
    # Keeps the session (and the daemon with it) up for tests that kill or stop it.
    time.sleep(args.linger)
    return 0


def run_crash(_args: argparse.Namespace) -> int:
    """Die by SIGSEGV, as native clients do; the launcher must report the signal."""
    emit({"mode": "crash", "signal": int(signal.SIGSEGV)})
    signal.signal(signal.SIGSEGV, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(10)  # the signal is asynchronous; never fall through to a normal exit
    return 1


def run_exit(args: argparse.Namespace) -> int:
    """Exit with the requested code, so exit-status propagation can be checked."""
    emit({"mode": "exit", "code": args.code})
    return int(args.code)


def run_fill_home(args: argparse.Namespace) -> int:
    """Fill the directory until the filesystem refuses; exit 0 only on ENOSPC."""
    directory = args.dir or os.environ.get("HOME", ".")
    chunk = b"\xa5" * (1 << 20)
    written = 0
    error_name = "none"
    try:
        with open(os.path.join(directory, "fill-home.bin"), "wb", buffering=0) as fh:
            while True:
                written += fh.write(chunk)
    except OSError as exc:
        error_name = errno.errorcode.get(exc.errno or 0, str(exc.errno))
    emit({"mode": "fill-home", "errno": error_name, "bytes_written": written})
    return 0 if error_name == "ENOSPC" else 3


def write_markers(marker: str) -> list[str]:
    """Write a file named *marker* into $HOME and /tmp; return the paths written."""
    written: list[str] = []
    for place in (os.environ.get("HOME", ""), "/tmp"):
        if not place:
            continue
        path = os.path.join(place, marker)
        with contextlib.suppress(OSError), open(path, "w", encoding="utf-8") as fh:
            fh.write("marker\n")
            written.append(path)
    return written


def run_sleep(args: argparse.Namespace) -> int:
    """Mark, say ready, sleep: a session that tests stop or kill from outside."""
    if args.marker:
        write_markers(args.marker)
    emit({"ready": True})
    time.sleep(args.seconds)
    return 0


def saw_file(other: str) -> bool:
    """Return True if any file whose name contains *other* is visible to us."""
    roots = [os.environ.get("HOME", ""), "/tmp", "/var/tmp", "/dev/shm"]
    roots.append(os.environ.get("XDG_RUNTIME_DIR", ""))
    for root in [r for r in roots if r]:
        for _dirpath, dirs, files in os.walk(root, onerror=lambda _e: None):
            if any(other in name for name in (*dirs, *files)):
                return True
    return False


def run_peer(args: argparse.Namespace) -> int:
    """Leave traces under our marker and look for the other session's for a while."""
    write_markers(args.marker)
    # Hold the child past the poll window so the other peer can see it while polling.
    child = spawn_marked_sleeper(f"{args.marker}-child", args.seconds + 3600, daemonize=False)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(OSError):
        listener.bind("\0" + args.marker)
        listener.listen(8)
    emit({"ready": True, "child": child})
    # The same checks on our own traces must succeed, or "saw nothing" would prove nothing.
    own = {
        "process": bool(find_marked_processes(args.marker, "--marker")),
        "file": saw_file(args.marker),
        "socket": try_connect("\0" + args.marker) is None,
    }
    seen = {"saw_other_process": False, "saw_other_file": False, "saw_other_socket": False}
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        if find_marked_processes(args.other, "--other"):
            seen["saw_other_process"] = True
        if saw_file(args.other):
            seen["saw_other_file"] = True
        if try_connect("\0" + args.other) is None:
            seen["saw_other_socket"] = True
        time.sleep(0.2)
    listener.close()
    emit({"mode": "peer", **seen, "sees_own": own})
    return 0


def run_net(args: argparse.Namespace) -> int:
    """Try the network: names, TCP, UDP, a DNS leak, and a listener others might reach."""
    listener = Listener(args.listen) if args.listen is not None else None
    if listener is not None:
        # Said first, so a test can knock on the port while we go on with the rest.
        emit({"ready": True, "listening": args.listen, "bound": listener.bound})
    with ThreadPoolExecutor(max_workers=_NET_WORKERS) as pool:
        resolved = {name: pool.submit(resolve_name, name) for name in args.resolve}
        connected = {target: pool.submit(tcp_connect, target) for target in args.connect}
        echoed = {target: pool.submit(udp_exchange, target) for target in args.udp}
        exfil = pool.submit(dns_exfil, args.dns_exfil) if args.dns_exfil else None
        payload: dict[str, Any] = {
            "mode": "net",
            "interfaces": interface_names(),
            "nameservers": nameservers(),
            "resolve": {name: job.result() for name, job in resolved.items()},
            "connect": {target: job.result() for target, job in connected.items()},
            "udp": {target: job.result() for target, job in echoed.items()},
            "dns_exfil": exfil.result() if exfil is not None else None,
        }
    if listener is not None:
        time.sleep(args.linger)
        payload["listen"] = listener.close()
    if not write_out(args.out, payload):
        emit(payload)
    return 0


def add_identity_options(probe: argparse.ArgumentParser) -> None:
    """The host's identifiers the probe compares with what it sees."""
    probe.add_argument("--host-macs", help="comma-separated host MAC addresses")
    probe.add_argument("--host-machine-id", help="the host's machine-id")
    probe.add_argument("--host-boot-id", help="the host's boot_id")
    probe.add_argument("--host-hostname", help="the host's hostname")


def add_verify_options(probe: argparse.ArgumentParser) -> None:
    """The ``probe`` options that ``sandbox-launcher verify`` added."""
    probe.add_argument("--gpg-socket", help="gpg-agent socket path to connect to")
    probe.add_argument("--ptrace-marker", help="seize processes whose cmdline shows this")
    probe.add_argument("--dmi", action="store_true", help="read the DMI serials and model")
    probe.add_argument("--devices", action="store_true", help="look for device nodes")
    probe.add_argument("--x11-ident", help="DEV:INODE of the host's X socket")
    probe.add_argument("--granted-socket", action="append", default=[],
                       help="a socket path the session granted (the scan skips it)")
    probe.add_argument("--granted-dev", action="append", default=[],
                       help="a device node that was granted (not an escape)")
    probe.add_argument("--share-dir", help="grant: the share folder inside")
    probe.add_argument("--share-mode", choices=("ro", "rw"), default="ro",
                       help="grant: how the share folder was granted")
    probe.add_argument("--camera-dev", help="grant: the camera node inside")
    probe.add_argument("--record-mic", type=float, metavar="SECONDS",
                       help="record the sound server's microphone (parec) and say how loud")
    probe.add_argument("--out", help="write the JSON here instead of stdout")
    probe.add_argument("--host-macs-only", action="store_true",
                       help="only the host's MACs count (the sandbox has a network of its own)")
    probe.add_argument("--vm-guest", action="store_true",
                       help="the probe runs in a VM: its DMI table and devices are virtual")
    probe.add_argument("--host-dmi", action="append", default=[], metavar="NAME=VALUE",
                       help="in a VM: the host's own DMI values, which must not be seen")


def build_parser() -> argparse.ArgumentParser:
    """Describe the modes; the tests are the only users, so help stays short."""
    parser = argparse.ArgumentParser(prog="hostile_client", description=__doc__.splitlines()[0])
    modes = parser.add_subparsers(dest="mode", required=True)

    probe = modes.add_parser("probe", help="try the escapes of DESIGN §2")
    probe.add_argument("--canary", help="file in the real home to read")
    probe.add_argument("--home", help="the real home directory to list and write into")
    probe.add_argument("--host-pid", type=int, help="a host process to look at")
    probe.add_argument("--host-marker", help="a string in a host process's cmdline")
    probe.add_argument("--x11-socket", help="X11 socket path to connect to")
    probe.add_argument("--x11-abstract", help="abstract X11 socket name, e.g. /tmp/.X11-unix/X99")
    probe.add_argument("--dbus-socket", help="session bus socket path")
    probe.add_argument("--dbus-abstract", help="abstract session bus socket name")
    probe.add_argument("--ssh-socket", help="ssh-agent socket path (also scans for sockets)")
    add_identity_options(probe)
    probe.add_argument("--tiocsti", action="store_true", help="try TIOCSTI on stdio and tty")
    probe.add_argument("--inherited-fds", action="store_true", help="look for leaked fds")
    probe.add_argument(
        "--foreign-fds", action="store_true", help="look through other processes' fds"
    )
    probe.add_argument("--env-secret", help="a value from the user's session environment")
    probe.add_argument("--leave-marker", help="leave files and a daemon named after this")
    probe.add_argument("--sysinfo", action="store_true", help="describe the sandbox too")
    add_verify_options(probe)
    probe.add_argument(
        "--linger", type=float, default=0.0, help="stay this many seconds after reporting"
    )
    probe.set_defaults(run=run_probe)

    modes.add_parser("crash", help="die by SIGSEGV").set_defaults(run=run_crash)

    exit_mode = modes.add_parser("exit", help="exit with CODE")
    exit_mode.add_argument("code", type=int)
    exit_mode.set_defaults(run=run_exit)

    fill = modes.add_parser("fill-home", help="write until the disk is full")
    fill.add_argument("--dir", help="directory to fill (default $HOME)")
    fill.set_defaults(run=run_fill_home)

    sleep = modes.add_parser("sleep", help="say ready, then sleep")
    sleep.add_argument("seconds", type=float)
    sleep.add_argument("--marker", help="file to leave in $HOME and /tmp")
    sleep.set_defaults(run=run_sleep)

    peer = modes.add_parser("peer", help="look for another session's traces")
    peer.add_argument("--marker", required=True, help="our own marker")
    peer.add_argument("--other", required=True, help="the other session's marker")
    peer.add_argument("--seconds", type=float, default=5.0, help="how long to look")
    peer.set_defaults(run=run_peer)

    net = modes.add_parser("net", help="try names, ports and listeners on the network")
    net.add_argument("--resolve", nargs="+", default=[], metavar="NAME", help="names to look up")
    net.add_argument("--connect", nargs="+", default=[], metavar="HOST:PORT",
                     help="TCP servers to reach (name or IP); their banner is recorded")
    net.add_argument("--udp", nargs="+", default=[], metavar="HOST:PORT",
                     help="UDP echo servers to send a datagram to")
    net.add_argument("--listen", type=int, metavar="PORT",
                     help="listen on 0.0.0.0 and :: first, and say so")
    net.add_argument("--linger", type=float, default=0.0,
                     help="with --listen: keep listening this many seconds after the probes")
    net.add_argument("--dns-exfil", metavar="NAME", help="look up a long random subdomain")
    net.add_argument("--out", help="write the JSON here instead of stdout")
    net.set_defaults(run=run_net)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse *argv* and run the mode."""
    args = build_parser().parse_args(argv)
    runner: Callable[[argparse.Namespace], int] = args.run
    return runner(args)


if __name__ == "__main__":
    sys.exit(main())
