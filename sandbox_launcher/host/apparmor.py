"""Ubuntu's user-namespace restriction and the package's AppArmor profile, for ``doctor``.

Where ``kernel.apparmor_restrict_unprivileged_userns`` is 1 (Ubuntu 24.04 and later), a
program may create a user namespace only under a profile that grants ``userns``. The
.deb installs one, ``/etc/apparmor.d/sandbox-launcher``, attached to the package's
private interpreter; the bwrap the launcher starts inherits it. What matters is not
whether the file exists but whether *this* process runs under it, which the kernel
tells us in ``/proc/self/attr/current``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .checks import SYSCTL_APPARMOR_USERNS, Finding, read_sysctl

PROFILE_NAME = "sandbox-launcher"
PROFILE_FILE = Path("/etc/apparmor.d") / PROFILE_NAME
#: The interpreter the profile attaches to (its attachment pattern, in words).
PROFILE_COVERS = "/usr/lib/sandbox-launcher/bin/python3"
LOADED_PROFILES = Path("/sys/kernel/security/apparmor/profiles")
#: The AppArmor-specific file (Linux 5.8+) first; the shared one on older kernels.
CURRENT_LABELS = (Path("/proc/self/attr/apparmor/current"), Path("/proc/self/attr/current"))


@dataclass(frozen=True)
class AppArmorState:
    """What the host says: None wherever a file does not exist or cannot be read."""

    restrict_userns: int | None
    #: Names of the loaded profiles (``/sys/kernel/security/apparmor/profiles``).
    loaded: frozenset[str] | None
    #: This process's label, e.g. ``sandbox-launcher (unconfined)`` or ``unconfined``.
    current_label: str | None
    profile_file_exists: bool


def parse_loaded_profiles(text: str) -> frozenset[str]:
    """``"name (mode)"`` lines → the profile names."""
    names = set()
    for line in text.splitlines():
        name, _, _mode = line.strip().rpartition(" (")
        names.add(name if name else line.strip())
    names.discard("")
    return frozenset(names)


def label_profile(label: str) -> str:
    """``"sandbox-launcher (unconfined)"`` → ``"sandbox-launcher"``."""
    return label.strip().strip("\0").rpartition(" (")[0] or label.strip().strip("\0")


def verdict(state: AppArmorState, executable: str) -> Finding:
    """Interpret *state* for a launcher running as *executable* (pure; unit tested)."""
    where = f"the launcher runs as {executable}"
    if not state.restrict_userns:
        said = ("no such sysctl on this kernel" if state.restrict_userns is None
                else "kernel.apparmor_restrict_unprivileged_userns is 0")
        loaded = state.loaded is not None and PROFILE_NAME in state.loaded
        return Finding("ok", f"user namespaces are not restricted by AppArmor ({said}); the "
                             f"profile is {'loaded' if loaded else 'not needed'}")
    restricted = "kernel.apparmor_restrict_unprivileged_userns is 1"
    current = label_profile(state.current_label or "")
    if current == PROFILE_NAME:
        return Finding("ok", f"{restricted}; this launcher runs under the profile "
                             f"'{PROFILE_NAME}', which allows them")
    if state.loaded is not None and PROFILE_NAME in state.loaded:
        return Finding(
            "fail", f"{restricted}; the profile '{PROFILE_NAME}' is loaded but does not "
                    f"confine this launcher ({where}, labelled {current or 'unknown'})",
            f"run the installed launcher (/usr/bin/sandbox-launcher, whose interpreter is "
            f"{PROFILE_COVERS}); a development checkout needs the restriction off: "
            "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0")
    if state.profile_file_exists:
        return Finding("fail", f"{restricted}; {PROFILE_FILE} exists but is not loaded",
                       f"sudo apparmor_parser -r {PROFILE_FILE}")
    return Finding("fail", f"{restricted} and the profile '{PROFILE_NAME}' is not installed",
                   "install the sandbox-launcher package (it ships the profile), or copy "
                   f"resources/apparmor/{PROFILE_NAME} to {PROFILE_FILE} and run "
                   f"sudo apparmor_parser -r {PROFILE_FILE}")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def read_state() -> AppArmorState:
    """Read the sysctl, the loaded profiles and this process's label from the host."""
    loaded = _read(LOADED_PROFILES)
    return AppArmorState(
        restrict_userns=read_sysctl(SYSCTL_APPARMOR_USERNS),
        loaded=None if loaded is None else parse_loaded_profiles(loaded),
        current_label=next((t for t in map(_read, CURRENT_LABELS) if t is not None), None),
        profile_file_exists=PROFILE_FILE.is_file(),
    )


def check_apparmor_userns() -> Finding:
    """``doctor``'s "apparmor userns" line."""
    import sys

    return verdict(read_state(), sys.executable)
