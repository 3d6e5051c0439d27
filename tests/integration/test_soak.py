"""Load and fault runs with small counts (CI time): benchmarks/soak.py's own code.

Start/stop cycles without network and jailed, sessions at once that must not see each
other, and launchers killed with SIGKILL at random points followed by ``wipe --stale``:
every session wiped and verified, nothing left (processes, namespaces, files, mounts,
sessions listed). The full counts are ``benchmarks/soak.py`` (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import LauncherUser

pytestmark = pytest.mark.integration

SOAK = Path(__file__).resolve().parents[2] / "benchmarks" / "soak.py"


def _soak() -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module
    spec.loader.exec_module(module)
    return module


def test_small_load_and_kill_runs_leak_nothing(launcher_user: LauncherUser) -> None:
    soak = _soak()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "HOME": str(launcher_user.home), "USER": launcher_user.name,
           "XDG_RUNTIME_DIR": str(launcher_user.runtime_dir)}
    harness = soak.Harness(launcher_user.name if os.geteuid() == 0 else None, env)
    lines = soak.run_all(harness, 4, 3, 3, 4)
    print("\n".join(lines))
    assert all("**PASS**" in line for line in lines), "\n".join(lines)
