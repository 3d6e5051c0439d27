"""The home hooks the vault stands on, with real bubblewrap as the unprivileged user.

Files seeded into the fresh home are there before the client starts; the named paths
the client left are captured after it ended, before the tmpfs home is gone; nothing
else (other paths, symlinks out of the home) comes back; a capture over the limit is
refused whole; and the wipe still verifies.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, SYSTEM_PYTHON, RunLauncher

pytestmark = pytest.mark.integration

DRIVER = REPO_ROOT / "tests" / "integration" / "home_hooks_driver.py"
VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"

#: The stand-in client: checks the seed, then writes state, a stray file and a link out.
CLIENT = r"""
import os, sys
home = os.environ["HOME"]
seeded = open(os.path.join(home, ".zoom/data/token")).read()
os.makedirs(os.path.join(home, ".zoom/data/sub"), exist_ok=True)
open(os.path.join(home, ".zoom/data/sub/state"), "w").write("state:" + seeded)
open(os.path.join(home, ".config-stray"), "w").write("not asked for")
os.makedirs(os.path.join(home, ".config"), exist_ok=True)
open(os.path.join(home, ".config/zoomus.conf"), "w").write("x" * int(sys.argv[1]))
os.symlink("/etc/passwd", os.path.join(home, ".zoom/data/passwd-link"))
sys.exit(7)
"""


@pytest.fixture
def run_hooks(run_as_user: RunLauncher, user_tmp: Path) -> Callable[..., dict[str, Any]]:
    def run(conf_size: int, limit: int = 64 << 20) -> dict[str, Any]:
        spec = user_tmp / "spec.json"
        spec.write_text(json.dumps({
            "command": [SYSTEM_PYTHON, "-c", CLIENT, str(conf_size)],
            "seed": {".zoom/data/token": "from the vault"},
            "capture": [".zoom/data", ".config/zoomus.conf", "../etc/passwd", "/etc/passwd"],
            "limit": limit}))
        spec.chmod(0o644)
        done = run_as_user([str(VENV_PYTHON), str(DRIVER), str(spec)], timeout=120)
        assert done.returncode == 0, done.stderr
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    return run


def test_seeded_files_are_there_and_named_paths_come_back(
        run_hooks: Callable[..., dict[str, Any]]) -> None:
    result = run_hooks(conf_size=10)
    assert result["status"] == 7  # the client's own status, through the capturing shell
    assert result["files"] == {
        ".zoom/data/token": "from the vault",
        ".zoom/data/sub/state": "state:from the vault",
        ".config/zoomus.conf": "x" * 10,
    }  # not the stray file, not the link, nothing outside the home
    assert result["problem"] == ""
    assert result["verified"] is True


def test_a_capture_over_the_limit_is_refused_whole(
        run_hooks: Callable[..., dict[str, Any]]) -> None:
    result = run_hooks(conf_size=300_000, limit=256 << 10)
    assert result["files"] == {}
    assert "larger than" in result["problem"]
    assert result["status"] == 7
    assert result["verified"] is True
