"""dpkg-sig signatures: the ``_gpgbuilder`` member Zoom's .deb carries.

dpkg-sig adds to the .deb's ar archive a member ``_gpgROLE`` holding an OpenPGP
*clearsigned* text::

    Version: 4
    Signer: ...
    Date: ...
    Role: builder
    Files:
    \t<md5> <sha1> <size> debian-binary
    \t<md5> <sha1> <size> control.tar.xz
    \t<md5> <sha1> <size> data.tar.xz

The signature covers only that text; the members themselves are bound to it by their
listed size, MD5 and SHA-1. So checking one is two steps: gpgv verifies the text (and
writes out what it verified, which is the only text read here), then every member of
the archive is hashed and compared. Every member but the signature itself must be
listed, or an unsigned one could ride along; a listed member that is missing is refused
too. MD5 and SHA-1 are the format's, not our choice; both must match, and forging a
member to match a signed digest would need a second preimage of both at once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO

from ..core.errors import ClientStoreError
from .unpack import ArMember

#: The ar member dpkg-sig writes for the "builder" role, the one vendors use.
BUILDER_MEMBER = "_gpgbuilder"
#: A few members' digests and a signature: a few KiB. Read into memory, so bounded.
MAX_BUILDER_BYTES = 1 << 20
_VERSION = "4"
_FILE_LINE = re.compile(r"^[ \t]+([0-9a-fA-F]{32}) ([0-9a-fA-F]{40}) ([0-9]{1,15}) (\S+)$")
_FIELD = re.compile(r"^([A-Za-z-]+):[ \t]*(.*)$")
_REFUSED = "the package was refused and deleted; download it again from the vendor"


@dataclass(frozen=True)
class SignedMember:
    """What the signed text says one ar member is."""

    md5: str
    sha1: str
    size: int


def _malformed(why: str) -> ClientStoreError:
    return ClientStoreError(f"the package's dpkg-sig signature is malformed: {why}", _REFUSED)


def parse_builder(text: str) -> dict[str, SignedMember]:
    """The members listed in a dpkg-sig ``_gpgbuilder`` text (the part gpgv verified).

    Strict: version 4, role builder, a non-empty ``Files:`` list with each member
    once; anything else is refused rather than guessed at.
    """
    fields: dict[str, str] = {}
    files: dict[str, SignedMember] = {}
    in_files = False
    # A cleartext signature does not cover trailing whitespace (RFC 4880 §7.1): drop it.
    for raw in text.splitlines():
        line = raw.rstrip(" \t\r")
        if not line:
            in_files = False
            continue
        if line[0] in " \t":
            match = _FILE_LINE.match(line)
            if not in_files or match is None:
                raise _malformed(f"unexpected line {line.strip()!r}")
            md5, sha1, size, name = match.groups()
            if name in files:
                raise _malformed(f"{name} is listed twice")
            files[name] = SignedMember(md5.lower(), sha1.lower(), int(size))
            continue
        field = _FIELD.match(line)
        if field is None:
            raise _malformed(f"unexpected line {line!r}")
        key, value = field.group(1).lower(), field.group(2)
        if key in fields:
            raise _malformed(f"the field {field.group(1)} appears twice")
        fields[key] = value
        in_files = key == "files"
        if in_files and value:
            raise _malformed("the Files: field must be a list of lines")
    if fields.get("version") != _VERSION:
        raise _malformed(f"version {fields.get('version')!r}, expected {_VERSION}")
    if fields.get("role") != "builder":
        raise _malformed(f"role {fields.get('role')!r} in {BUILDER_MEMBER}, expected builder")
    if not files:
        raise _malformed("it lists no files")
    return files


def _digests(stream: BinaryIO, member: ArMember) -> tuple[str, str, int]:
    md5 = hashlib.md5(usedforsecurity=False)
    sha1 = hashlib.sha1(usedforsecurity=False)
    stream.seek(member.offset)
    left = member.size
    while left:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            break
        md5.update(chunk)
        sha1.update(chunk)
        left -= len(chunk)
    return md5.hexdigest(), sha1.hexdigest(), member.size - left


def check_members(stream: BinaryIO, members: Mapping[str, ArMember],
                  signed: Mapping[str, SignedMember], where: str) -> None:
    """Refuse unless *members* (all but the signature) are exactly the *signed* ones."""
    unsigned = sorted(set(members) - set(signed) - {BUILDER_MEMBER})
    if unsigned:
        raise ClientStoreError(
            f"{where} holds a member the vendor did not sign: {', '.join(unsigned)}", _REFUSED)
    missing = sorted(set(signed) - set(members))
    if missing:
        raise ClientStoreError(
            f"{where} lacks {', '.join(missing)}, which the vendor's signature lists",
            _REFUSED)
    controls = [n for n in members if n.startswith("control.tar")]
    datas = [n for n in members if n.startswith("data.tar")]
    if "debian-binary" not in members or len(controls) != 1 or len(datas) != 1:
        raise ClientStoreError(
            f"{where} is not a well-formed Debian package (it needs debian-binary, one "
            "control.tar.* and one data.tar.*)", _REFUSED)
    for name, want in signed.items():
        md5, sha1, size = _digests(stream, members[name])
        if (md5, sha1, size) != (want.md5, want.sha1, want.size):
            raise ClientStoreError(
                f"{name} in {where} does not match the vendor's signed digest: the package "
                "was altered", _REFUSED,
                details=f"signed: md5 {want.md5} sha1 {want.sha1} size {want.size}\n"
                        f"found:  md5 {md5} sha1 {sha1} size {size}")
