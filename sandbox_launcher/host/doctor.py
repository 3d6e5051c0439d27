"""Every host check, in the order doctor shows them, and running them.

The checks live in :mod:`.checks` (the host), :mod:`.session_checks` (the desktop
session) and :mod:`.apparmor`; this module only lists and runs them, so none of those
imports another's caller.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..core.check import Check
from ..core.runner import Runner, SystemRunner
from . import session_checks as session
from .apparmor import check_apparmor_userns
from .checks import (
    Finding,
    check_bwrap,
    check_client_store,
    check_kvm,
    check_libnftables,
    check_libseccomp,
    check_libvirt_module,
    check_libvirt_session,
    check_session_files_path,
    check_tun,
    check_user_namespaces,
    tool_check,
)


@dataclass(frozen=True)
class Probe:
    """What a check may look at: the desktop session's environment, and the seam through
    which it runs programs (tests hand a recording fake)."""

    env: Mapping[str, str]
    runner: Runner


CheckFunction = Callable[[Probe], Finding]


def _plain(check: Callable[[], Finding]) -> CheckFunction:
    return lambda _probe: check()


def _run(check: Callable[[Runner], Finding]) -> CheckFunction:
    return lambda probe: check(probe.runner)


def _env(check: Callable[[Mapping[str, str]], Finding]) -> CheckFunction:
    return lambda probe: check(probe.env)


def all_checks() -> list[tuple[str, str, CheckFunction]]:
    """Every check as ``(name, required_for, function)``, in the order doctor shows them."""
    return [
        ("user namespaces", "namespace backend", _run(check_user_namespaces)),
        ("apparmor userns", "namespace backend", _plain(check_apparmor_userns)),
        ("bubblewrap", "namespace backend", _run(check_bwrap)),
        ("libseccomp", "namespace backend", _plain(check_libseccomp)),
        ("runtime dir", "session state", _env(session.check_runtime_dir)),
        ("pasta", "network jail",
         _run(tool_check("pasta", "for the network jail", missing="fail"))),
        ("nsenter", "network jail",
         _run(tool_check("nsenter", "for the network jail", missing="fail"))),
        ("nftables", "network jail", _plain(check_libnftables)),
        ("/dev/net/tun", "network jail", _plain(check_tun)),
        ("xdg-dbus-proxy", "session D-Bus filtering",
         _run(tool_check("xdg-dbus-proxy", "to filter the session bus"))),
        ("Xephyr", "the isolated display",
         _run(tool_check("Xephyr", "for the isolated display (a nested X server)"))),
        ("openbox", "moving the client's windows in the isolated display",
         _run(tool_check("openbox", "as the window manager inside the isolated display"))),
        ("pulseaudio", "speakers and microphone (the session's own sound server)",
         _run(tool_check("pulseaudio", "to give each session a sound server of its own"))),
        ("pacat", "speakers and microphone (forwarding to the host)",
         _run(tool_check("pacat", "to forward sound between the session and the host"))),
        ("client store", "privacy (no login in mount paths)", _env(check_client_store)),
        ("session files", "privacy (no login in mount paths)",
         _env(check_session_files_path)),
        ("libvirt module", "vm backend", _plain(check_libvirt_module)),
        ("virsh", "vm backend", _run(tool_check("virsh", "for the VM backend"))),
        ("libvirt session", "vm backend", _plain(check_libvirt_session)),
        ("kvm", "vm backend", _plain(check_kvm)),
        ("display", "desktop app", _env(session.check_display)),
        ("audio", "speakers and microphone", _env(session.check_audio)),
        ("keyring", "encrypted persistence (vault)",
         lambda probe: session.check_keyring(probe.env, probe.runner)),
    ]


def run_one(name: str, required_for: str, check: CheckFunction, probe: Probe) -> Check:
    """Run one check; an exception becomes a ``fail`` with the traceback as detail."""
    try:
        found = check(probe)
    except Exception as exc:
        return Check.of_status(name, "fail",
                               f"the check itself failed: {type(exc).__name__}: {exc}",
                               "please report this as a bug", traceback.format_exc(),
                               required_for)
    return Check.of_status(name, found.status, found.summary, found.hint, found.detail,
                           required_for)


def run_checks(env: Mapping[str, str] | None = None,
               runner: Runner | None = None) -> list[Check]:
    """Run every host check against *env* (default: this process's environment)."""
    probe = Probe(os.environ if env is None else env, runner or SystemRunner())
    return [run_one(name, purpose, check, probe) for name, purpose, check in all_checks()]
