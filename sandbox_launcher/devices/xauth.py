"""The Xauthority file format (as libXau reads it), and fresh cookies for nested servers.

Entries are written with the FamilyWild address, so they match whatever hostname the
sandbox has; the display number is the one the client will use inside.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

FAMILY_WILD = 0xFFFF
MIT_COOKIE = b"MIT-MAGIC-COOKIE-1"


@dataclass(frozen=True)
class XauthEntry:
    """One record of an Xauthority file."""

    family: int
    address: bytes
    number: bytes
    name: bytes
    data: bytes

    def pack(self) -> bytes:
        """Binary form: family, then four length-prefixed strings (big-endian)."""
        out = struct.pack(">H", self.family)
        for part in (self.address, self.number, self.name, self.data):
            out += struct.pack(">H", len(part)) + part
        return out


def parse(raw: bytes) -> list[XauthEntry]:
    """All complete entries of an Xauthority file (a truncated tail is ignored)."""
    entries: list[XauthEntry] = []
    pos = 0
    try:
        while pos < len(raw):
            (family,) = struct.unpack_from(">H", raw, pos)
            pos += 2
            parts = []
            for _ in range(4):
                (length,) = struct.unpack_from(">H", raw, pos)
                parts.append(raw[pos + 2:pos + 2 + length])
                pos += 2 + length
                if pos > len(raw):
                    return entries
            entries.append(XauthEntry(family, *parts))
    except struct.error:
        pass
    return entries


def wild_cookie(number: int | str, cookie: bytes) -> XauthEntry:
    """A MIT cookie for display *number* on any host."""
    return XauthEntry(FAMILY_WILD, b"", str(number).encode(), MIT_COOKIE, cookie)


def new_cookie() -> bytes:
    """16 random bytes, as xauth generates."""
    return os.urandom(16)


def host_cookie(xauthority: Path, number: str) -> bytes | None:
    """The host's MIT cookie for display *number*, or None if it has none."""
    try:
        raw = xauthority.read_bytes()
    except OSError:
        return None
    for entry in parse(raw):
        if entry.name == MIT_COOKIE and entry.number == number.encode():
            return entry.data
    return None


def nested_cookie(path: Path) -> bytes | None:
    """The MIT cookie of a nested server's authority file (one wild entry), or None."""
    for entry in parse(path.read_bytes()):
        if entry.name == MIT_COOKIE:
            return entry.data
    return None
