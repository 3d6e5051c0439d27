"""Host checks behind ``sandbox-launcher doctor``: can this machine run sandboxes?

Each check is a small function that looks at one thing and returns a
:class:`Finding`; :func:`host.doctor.run_checks` names them, says what they are needed for, and
turns any exception into a ``fail`` — a doctor that crashes helps nobody. The parsing
and interpretation helpers are pure so that unit tests can feed them any host.

Checks of the desktop session (display, audio, keyring, runtime dir) live in
:mod:`sandbox_launcher.host.session_checks`.
"""

from __future__ import annotations

import ctypes.util
import grp
import os
import pwd
import re
import stat
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core import store_path
from ..core.check import Status
from ..core.errors import LauncherError
from ..core.runner import Runner
from .kvm import probe_kvm

#: bubblewrap 0.8.0 added ``--size`` (sized tmpfs) and ``--disable-userns``.
MIN_BWRAP_VERSION = (0, 8, 0)

SYSCTL_MAX_USERNS = "/proc/sys/user/max_user_namespaces"
SYSCTL_USERNS_CLONE = "/proc/sys/kernel/unprivileged_userns_clone"  # Debian kernels
SYSCTL_APPARMOR_USERNS = "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"  # Ubuntu

HINT_TCG = "the VM backend will use software emulation (TCG), which is slower"


@dataclass(frozen=True)
class Finding:
    """What a check function found; :func:`host.doctor.run_checks` adds the name and purpose."""

    status: Status
    summary: str
    hint: str = ""
    detail: str = ""


# --- pure helpers ------------------------------------------------------------------


def parse_bwrap_version(text: str) -> tuple[int, int, int] | None:
    """``"bubblewrap 0.8.0"`` → ``(0, 8, 0)``; None when no version is recognisable."""
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    if match is None:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def userns_sysctl_problems(
    max_user_namespaces: int | None,
    unprivileged_userns_clone: int | None,
    apparmor_restrict: int | None,
) -> list[tuple[str, str]]:
    """Which sysctls forbid unprivileged user namespaces, as ``(problem, fix)`` pairs.

    None means the sysctl does not exist on this kernel, which never forbids anything.
    """
    problems: list[tuple[str, str]] = []
    if max_user_namespaces == 0:
        problems.append((
            "user.max_user_namespaces is 0",
            "sudo sysctl -w user.max_user_namespaces=15000",
        ))
    if unprivileged_userns_clone == 0:
        problems.append((
            "kernel.unprivileged_userns_clone is 0",
            "sudo sysctl -w kernel.unprivileged_userns_clone=1",
        ))
    if apparmor_restrict is not None and apparmor_restrict != 0:
        problems.append((
            "kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu)",
            "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 "
            "(or load the package's AppArmor profile: see the 'apparmor userns' line)",
        ))
    return problems


def read_sysctl(path: str) -> int | None:
    """The integer in a /proc/sys file, or None when it does not exist or is not one."""
    try:
        with open(path, encoding="ascii") as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def _persist_note(hints: list[str]) -> str:
    return "; ".join(hints) + " (to keep it after a reboot, put the setting in /etc/sysctl.d/)"


# --- namespace backend -------------------------------------------------------------


def check_user_namespaces(runner: Runner) -> Finding:
    """Read the userns sysctls, then really create one with bwrap when it exists."""
    problems = userns_sysctl_problems(
        read_sysctl(SYSCTL_MAX_USERNS),
        read_sysctl(SYSCTL_USERNS_CLONE),
        read_sysctl(SYSCTL_APPARMOR_USERNS),
    )
    said = "; ".join(problem for problem, _ in problems)
    fix = _persist_note([hint for _, hint in problems]) if problems else ""
    try:
        bwrap = runner.which("bwrap", "to test user namespaces")
    except LauncherError:
        if problems:
            return Finding("fail", f"disabled for unprivileged users: {said}", fix)
        return Finding("warn", "the sysctls allow user namespaces; not tried, bwrap is missing",
                       "sudo apt-get install bubblewrap")
    argv = [bwrap, "--unshare-all", "--unshare-user", "--ro-bind", "/", "/", "true"]
    result = runner.run(argv, timeout=10, check=False)
    if result.returncode != 0:
        return Finding(
            "fail",
            "bwrap cannot create a user namespace" + (f": {said}" if said else ""),
            fix or "check the kernel config (CONFIG_USER_NS) and any LSM that restricts userns",
            f"$ {' '.join(argv)}\nexit status {result.returncode}\n{result.stderr.strip()}",
        )
    if os.geteuid() == 0:
        # Root is exempt from the unprivileged-userns sysctls, so success proves little.
        if problems:
            return Finding("warn", f"work for root only: {said}", fix,
                           "run doctor as the desktop user for a meaningful answer")
        return Finding("ok", "work (tested as root; the sysctls allow them for users too)")
    return Finding("ok", "work for unprivileged users (a bwrap test sandbox ran)")


def check_bwrap(runner: Runner) -> Finding:
    """bubblewrap is installed and new enough for the options the backend uses."""
    wanted = ".".join(map(str, MIN_BWRAP_VERSION))
    try:
        bwrap = runner.which("bwrap", "to run namespace sandboxes")
    except LauncherError as exc:
        return Finding("fail", "bwrap is not installed", exc.hint)
    result = runner.run([bwrap, "--version"], timeout=10, check=False)
    version = parse_bwrap_version(result.stdout)
    if result.returncode != 0 or version is None:
        return Finding("fail", f"cannot tell the version of {bwrap}",
                       "sudo apt-get install --reinstall bubblewrap",
                       f"exit status {result.returncode}\n{result.stdout}{result.stderr}")
    shown = ".".join(map(str, version))
    if version < MIN_BWRAP_VERSION:
        return Finding(
            "fail",
            f"bubblewrap {shown} is too old; {wanted} or newer is needed "
            "(for --size and --disable-userns)",
            "install bubblewrap from Debian 12 / Ubuntu 24.04 or newer (or their backports): "
            "sudo apt-get install bubblewrap",
        )
    return Finding("ok", f"bubblewrap {shown} at {bwrap}")


def check_libseccomp() -> Finding:
    """The seccomp library the namespace backend loads to build its syscall filter."""
    found = ctypes.util.find_library("seccomp")
    if found is None:
        return Finding("fail", "not installed", "sudo apt-get install libseccomp2")
    return Finding("ok", f"{found} found")


def check_libnftables() -> Finding:
    """The nftables library the jail's holder loads to install and update its firewall."""
    found = ctypes.util.find_library("nftables")
    if found is None:
        return Finding("fail", "not installed: networked profiles cannot start",
                       "sudo apt-get install nftables")
    return Finding("ok", f"{found} found")


def check_tun(device: str = "/dev/net/tun") -> Finding:
    """pasta opens /dev/net/tun as the user; Debian's udev makes it 0666, containers may not."""
    if not os.path.exists(device):
        return Finding("fail", f"{device} does not exist: networked profiles cannot start",
                       "sudo modprobe tun")
    if not os.access(device, os.R_OK | os.W_OK):
        return Finding("fail", f"{device} is not usable by you: networked profiles cannot "
                       "start", f"sudo chmod 0666 {device} (what Debian's udev rules do)")
    return Finding("ok", f"{device} usable")


def tool_check(program: str, purpose: str,
               missing: Status = "warn") -> Callable[[Runner], Finding]:
    """A check that *program* is on PATH; *missing* is the status when it is not."""

    def check(runner: Runner) -> Finding:
        try:
            path = runner.which(program, purpose)
        except LauncherError as exc:
            return Finding(missing, "not installed", exc.hint)
        return Finding("ok", f"found at {path}")

    return check


# --- privacy ---------------------------------------------------------------------


def check_client_store(env: Mapping[str, str]) -> Finding:
    """Whether the client store's path is out of the login's (a store client's directory
    is bind-mounted, and mountinfo shows every bind mount's host path)."""
    try:
        where = store_path.locate(env, create=False)
    except LauncherError as exc:
        return Finding("fail", exc.summary, exc.hint)
    if not where.private:
        return Finding("warn", f"{where.root} names you and is visible inside the sandbox "
                               f"({where.why})", where.fix)
    moving = (f"; the store in {where.legacy} moves there on its next use"
              if where.legacy is not None else "")
    return Finding("ok", f"{where.root}: names no one{moving}")


def check_session_files_path(env: Mapping[str, str]) -> Finding:
    """Whether the runtime dir, where the downloads, the share's copy and the device
    sockets are bound from, is out of the login's path (mountinfo shows it too)."""
    runtime = env.get("XDG_RUNTIME_DIR", "")
    # Without one, core.paths.runtime_dir falls back to this (named by the uid).
    fallback = Path(f"/tmp/sandbox-launcher-{os.getuid()}")
    where = Path(runtime) if os.path.isabs(runtime) else fallback
    user = pwd.getpwuid(os.getuid())
    if store_path.names_user(where, user.pw_name, env.get("HOME") or user.pw_dir):
        return Finding("warn", f"{where} names you and is visible inside the sandbox",
                       "let logind provide XDG_RUNTIME_DIR (/run/user/UID), or point it at "
                       "a path without your login")
    return Finding("ok", f"{where}: names no one")


# --- vm backend --------------------------------------------------------------------

LIBVIRT_HINT = ("sudo apt-get install python3-libvirt (the installed package uses Debian's "
                "binding); in a development checkout: sudo apt-get install libvirt-dev "
                "pkg-config, then pip install --force-reinstall libvirt-python")
LIBVIRT_CONNECT_TIMEOUT = 10.0


def check_libvirt_module() -> Finding:
    """The libvirt Python binding can be imported."""
    try:
        import libvirt
    except ImportError as exc:
        return Finding("warn", "cannot import the libvirt Python module", LIBVIRT_HINT, str(exc))
    version = int(libvirt.getVersion())
    shown = f"{version // 1_000_000}.{version // 1000 % 1000}.{version % 1000}"
    return Finding("ok", f"libvirt-python with libvirt {shown}")


def check_libvirt_session() -> Finding:
    """``qemu:///session`` accepts a connection (the daemon starts on demand)."""
    try:
        import libvirt
    except ImportError:
        return Finding("warn", "not tried: the libvirt Python module is missing", LIBVIRT_HINT)
    # libvirt prints every error to stderr unless a handler takes them; doctor reports
    # the error itself. This is process-wide, which is fine for a one-shot command.
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    outcome: list[BaseException | None] = []

    def connect() -> None:
        try:
            libvirt.open("qemu:///session").close()
            outcome.append(None)
        except Exception as exc:
            outcome.append(exc)

    # A C call cannot be interrupted; a daemon thread at least lets doctor go on.
    worker = threading.Thread(target=connect, name="doctor-libvirt", daemon=True)
    worker.start()
    worker.join(LIBVIRT_CONNECT_TIMEOUT)
    hint = ("sudo apt-get install libvirt-daemon qemu-system-x86 "
            "(the session daemon then starts on demand for your user)")
    if not outcome:
        return Finding("warn", f"qemu:///session did not answer within "
                               f"{LIBVIRT_CONNECT_TIMEOUT:g} s", hint)
    if outcome[0] is not None:
        return Finding("warn", "cannot connect to qemu:///session", hint, str(outcome[0]))
    return Finding("ok", "connected to qemu:///session")


def kvm_access_hint(device: str = "/dev/kvm") -> str:
    """How to get access to *device*: join its group, if group members may use it."""
    join = "sudo adduser $USER kvm, then log out and in again"
    try:
        info = os.stat(device)
        group = grp.getgrgid(info.st_gid).gr_name
    except (OSError, KeyError):
        return join
    if group == "kvm" and info.st_mode & 0o060 == 0o060:
        return join
    # Without the udev rule /dev/kvm is root-only, and joining a group does nothing.
    return (f"{device} is group {group}, mode {stat.S_IMODE(info.st_mode):04o}: install the "
            "udev rule that makes it group kvm, mode 0660 (sudo apt-get install "
            f"qemu-system-x86, or sudo chgrp kvm {device} && sudo chmod 0660 {device}), then "
            f"{join}")


def check_kvm() -> Finding:
    """Run a tiny guest to see whether KVM really works (see :mod:`.kvm`)."""
    verdict, detail = probe_kvm()
    if verdict == "works":
        return Finding("ok", "KVM runs guests at hardware speed", detail=detail)
    if verdict == "no-access":
        return Finding("warn", "no permission to use /dev/kvm", kvm_access_hint(), detail)
    summaries = {
        "absent": "no /dev/kvm (hardware virtualisation off or not available)",
        "hangs": "KVM guests hang on this host",
        "fails": "KVM does not run guests correctly",
    }
    hints = {
        "absent": f"enable virtualisation in the firmware settings, or accept that {HINT_TCG}",
        "hangs": f"KVM guests hang on this host; {HINT_TCG}",
        "fails": HINT_TCG,
    }
    return Finding("warn", summaries.get(verdict, verdict), hints.get(verdict, HINT_TCG), detail)
