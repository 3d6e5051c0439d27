"""The vault's archive rules: what is packed from a home, what a payload may hold."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from pathlib import Path

import pytest

from sandbox_launcher.vault import archive

MARKER = b"SIGNIN-MARKER-6f1d"
PATHS = (".zoom/data", ".config/zoomus.conf")


def raw_tar(*infos: tuple[tarfile.TarInfo, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for info, data in infos:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return out.getvalue()


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


@pytest.mark.parametrize(("name", "kind", "why"), [
    ("/etc/passwd", tarfile.REGTYPE, "not a relative path"),
    (".zoom/data/../../.bashrc", tarfile.REGTYPE, "leaves the home"),
    (".bashrc", tarfile.REGTYPE, "not one of the profile's sign-in paths"),
    (".zoom/data/link", tarfile.SYMTYPE, "link or special file"),
    (".zoom/data/hard", tarfile.LNKTYPE, "link or special file"),
    (".zoom/data/dev", tarfile.CHRTYPE, "link or special file"),
    (".zoom/data/fifo", tarfile.FIFOTYPE, "link or special file"),
])
def test_archives_breaking_the_rules_are_refused(name: str, kind: bytes, why: str) -> None:
    data = raw_tar((member(name, kind, "/etc/shadow"), b"x"))
    with pytest.raises(archive.ArchiveError, match=why):
        archive.read_members(data, PATHS)


def test_capture_never_follows_a_planted_link(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".zoom" / "data").mkdir(parents=True)
    (home / ".zoom" / "data" / "token").write_bytes(MARKER)
    secret = tmp_path / "host-secret"
    secret.write_text("host secret")
    (home / ".zoom" / "data" / "evil").symlink_to(secret)
    (home / ".config").symlink_to(tmp_path)  # a directory link on the way to zoomus.conf
    (tmp_path / "zoomus.conf").write_text("host file")
    tar, notes = archive.capture(home, PATHS)
    members = {m.path: m.data for m in archive.read_members(tar, PATHS)}
    assert members[".zoom/data/token"] == MARKER
    assert ".zoom/data/evil" not in members and ".config/zoomus.conf" not in members
    assert b"host" not in tar
    assert any("evil" in n for n in notes) and any(".config" in n for n in notes)


def test_capture_then_extract_into_a_fresh_home(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    (old / ".zoom" / "data" / "sub").mkdir(parents=True)
    (old / ".zoom" / "data" / "sub" / "f").write_bytes(MARKER)
    (old / ".zoom" / "logs").mkdir()
    (old / ".zoom" / "logs" / "big.log").write_bytes(b"log")  # not a sign-in path
    new.mkdir()
    tar, _ = archive.capture(old, PATHS)
    archive.extract(tar, new, PATHS)
    assert (new / ".zoom" / "data" / "sub" / "f").read_bytes() == MARKER
    assert not (new / ".zoom" / "logs").exists()
    assert stat.S_IMODE((new / ".zoom" / "data").stat().st_mode) == 0o700
    assert archive.as_home_files(tar, PATHS) == [(".zoom/data/sub/f", MARKER, 0o600)]


def test_capture_through_a_held_descriptor_after_the_dir_is_gone(tmp_path: Path) -> None:
    """The session layer holds the home open while the sandbox runs and captures later."""
    home = tmp_path / "home"
    (home / ".zoom" / "data").mkdir(parents=True)
    (home / ".zoom" / "data" / "token").write_bytes(MARKER)
    held = os.open(home, os.O_RDONLY | os.O_DIRECTORY)
    try:
        home.rename(tmp_path / "moved")  # the path no longer leads there
        tar, _ = archive.capture(held, PATHS)
    finally:
        os.close(held)
    assert {m.path: m.data for m in archive.read_members(tar, PATHS)}[".zoom/data/token"] \
        == MARKER


def test_capture_above_the_cap_raises(tmp_path: Path) -> None:
    (tmp_path / ".zoom" / "data").mkdir(parents=True)
    (tmp_path / ".zoom" / "data" / "f").write_bytes(b"x" * 2048)
    with pytest.raises(archive.TooLarge):
        archive.capture(tmp_path, PATHS, cap=1024)
