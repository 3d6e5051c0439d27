"""The guest image store as the desktop user sees it: read-only images come out whole."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from conftest import LAUNCHER, LauncherUser, RunLauncher

from sandbox_launcher.backends.vm import image as images


def _read_only_image(store: Path, name: str, user: LauncherUser) -> None:
    """An image folder as a build leaves it: 0444 files in a 0555 folder, the user's."""
    folder = store / name
    folder.mkdir(parents=True)
    files = {}
    for fname in (*images.IMAGE_FILES, *images.OPTIONAL_FILES):
        data = f"{fname} stand-in".encode()
        (folder / fname).write_bytes(data)
        files[fname] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    (folder / images.MANIFEST).write_text(json.dumps({"name": name, "files": files}))
    for path in (*folder.iterdir(), *list(folder.parents)[:3], folder):  # up to data/
        os.chown(path, user.uid, user.gid)
        path.chmod(0o555 if path == folder else 0o444 if path.parent == folder else 0o755)


@pytest.mark.integration
def test_the_user_removes_a_read_only_image_and_keeps_the_others(
    launcher_user: LauncherUser, run_as_user: RunLauncher, user_tmp: Path,
) -> None:
    data = user_tmp / "data"
    store = data / "sandbox-launcher" / "images"
    _read_only_image(store, "kept", launcher_user)
    _read_only_image(store, "gone", launcher_user)
    env = {"XDG_DATA_HOME": str(data)}
    assert run_as_user([str(LAUNCHER), "image", "verify", "gone"], env_extra=env).returncode == 0
    removed = run_as_user([str(LAUNCHER), "image", "remove", "gone"], env_extra=env)
    assert removed.returncode == 0, removed.stderr
    assert sorted(p.name for p in store.iterdir()) == ["kept"]  # no hidden leftover either
    again = run_as_user([str(LAUNCHER), "image", "remove", "gone"], env_extra=env)
    assert again.returncode != 0 and "no built guest image named 'gone'" in again.stderr
