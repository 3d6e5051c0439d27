"""Where the launcher keeps things on the host.

Session state lives under the user's runtime dir (a tmpfs that logind wipes at
logout); profiles in the config dir; finished reports in the state dir.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

from .errors import HostNotCapable

APP = "sandbox-launcher"
#: The administrator's files (policy, profiles, vendor keys): root's, read-only for users.
SYSTEM_DIR = Path("/etc") / APP


def config_dir() -> Path:
    """The user's configuration dir (``$XDG_CONFIG_HOME/sandbox-launcher``)."""
    return Path(platformdirs.user_config_dir(APP))


def user_profiles_dir() -> Path:
    """Where user profiles (``*.toml``) override or add to the built-in ones."""
    return config_dir() / "profiles"


def reports_dir() -> Path:
    """Where the reports of finished sessions are kept for the app's history."""
    return Path(platformdirs.user_state_dir(APP)) / "reports"


def pending_downloads_dir() -> Path:
    """Where the app holds ended sessions' downloads until the user keeps or discards
    them: in the user's state dir, which no sandbox ever sees (not created here)."""
    return Path(platformdirs.user_state_dir(APP)) / "pending-downloads"


def _private_dir_ok(path: Path) -> bool:
    try:
        st = path.lstat()
    except FileNotFoundError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()


def vm_pool_dir() -> Path:
    """Where every app's warm VM pool keeps its VMs' files (the runtime dir: a tmpfs)."""
    return runtime_dir() / "vm-pool"


def runtime_dir() -> Path:
    """The launcher's private runtime dir, created 0700 if needed.

    Prefers ``$XDG_RUNTIME_DIR``; without one (no logind) falls back to
    ``/tmp/sandbox-launcher-UID``, refusing it if someone else owns that path,
    since another user could otherwise plant or read session state there.
    """
    base = os.environ.get("XDG_RUNTIME_DIR", "")
    if base and _private_dir_ok(Path(base)):
        path = Path(base) / APP
    else:
        path = Path(f"/tmp/{APP}-{os.getuid()}")
    path.mkdir(mode=0o700, exist_ok=True)
    st = path.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise HostNotCapable(
            f"{path} is not a directory owned by you",
            f"remove {path} (someone else may have created it) or set XDG_RUNTIME_DIR",
        )
    if stat.S_IMODE(st.st_mode) != 0o700:
        path.chmod(0o700)
    return path


def sessions_dir() -> Path:
    """Parent of the per-session state dirs."""
    path = runtime_dir() / "sessions"
    path.mkdir(mode=0o700, exist_ok=True)
    return path
