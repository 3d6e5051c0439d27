"""The one filter both backends read a captured home tar with (backends/home_archive.py)."""

from __future__ import annotations

import io
import tarfile

import pytest

from sandbox_launcher.backends.home_archive import read_members, safe_member, wanted


@pytest.mark.parametrize(("name", "kept"), [
    ("a/b", "a/b"), ("./a//b/", "a/b"), ("a/./b", "a/b"),
    ("/etc/passwd", None), ("//etc", None), ("../x", None), ("a/../../b", None),
    ("", None), (".", None),
])
def test_member_names_are_home_relative_or_refused(name: str, kept: str | None) -> None:
    assert safe_member(name) == kept


def test_only_the_asked_paths_and_what_lies_below_them() -> None:
    paths = (".zoom/data", ".config/zoomus.conf", "dir/")
    assert wanted(".zoom/data", paths) and wanted(".zoom/data/a/b", paths)
    assert wanted(".config/zoomus.conf", paths) and wanted("dir/x", paths)
    assert not wanted(".zoom/database", paths)  # a sibling that shares the prefix
    assert not wanted(".zoom", paths) and not wanted(".ssh/id_rsa", paths)


def _archive(*members: tarfile.TarInfo, data: bytes = b"") -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for member in members:
            archive.addfile(member, io.BytesIO(data) if member.isreg() else None)
    buffer.seek(0)
    return buffer


def _member(name: str, kind: bytes = tarfile.REGTYPE, size: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.size = kind, size
    if kind == tarfile.SYMTYPE:
        info.linkname = "/etc/shadow"
    return info


def test_regular_files_are_kept_links_named_the_rest_passed_over() -> None:
    stream = _archive(_member("./.zoom/data/token", size=3),
                      _member(".zoom/data", tarfile.DIRTYPE),
                      _member(".zoom/data/link", tarfile.SYMTYPE),
                      _member("../.zoom/data/up", size=3), _member(".ssh/id_rsa", size=3),
                      data=b"abc")
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        found = read_members(archive, (".zoom/data",))
    assert found.files == {".zoom/data/token": b"abc"}
    assert found.skipped == [".zoom/data/link"]
    captured = found.captured()
    assert captured.files == found.files and captured.skipped == (".zoom/data/link",)
    # The end counts every member, kept or not: the namespace backend's cut-off check.
    # Five headers and two earlier data blocks come before the last member's 3 bytes.
    assert found.end == (5 + 2) * 512 + 3


def test_a_damaged_archive_raises_for_the_backend_to_word() -> None:
    stream = io.BytesIO(_archive(_member("a", size=3), data=b"abc").getvalue()[:600])
    # The header is whole, the data cut: the error comes from reading the member.
    with tarfile.open(fileobj=stream, mode="r|") as archive, pytest.raises(
            (tarfile.TarError, EOFError, OSError)):
        read_members(archive, ("a",))
