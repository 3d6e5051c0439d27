"""Remember sign-in, safely: one encrypted vault per profile, its key in the OS keyring.

The session layer calls :func:`open_seed` before the client starts (a tar archive to
unpack into the fresh home) and :func:`save_capture` with the archive of the profile's
``signin_paths`` captured before the home goes; :func:`availability` says whether a
profile may use the vault under the system policy. The CLI and the app use
:func:`status` and :func:`forget`. Layer: imports core/ only.
"""

from __future__ import annotations

from .archive import (
    SIZE_CAP,
    ArchiveError,
    TooLarge,
    as_home_files,
    capture,
    extract,
    pack,
    pack_files,
)
from .info import VaultStatus, availability, overview, status
from .keys import SERVICE
from .service import (
    ForgetResult,
    Problem,
    SaveResult,
    SeedResult,
    export_plain,
    forget,
    open_seed,
    save_capture,
)

__all__ = [
    "SERVICE", "SIZE_CAP", "ArchiveError", "ForgetResult", "Problem", "SaveResult",
    "SeedResult", "TooLarge", "VaultStatus", "as_home_files", "availability", "capture",
    "export_plain", "extract", "forget", "open_seed", "overview", "pack", "pack_files",
    "save_capture",
    "status",
]
