"""The guest kernel as an ELF with a PVH entry point, taken out of its bzImage.

Under software emulation (TCG) a bzImage spends ~6 s decompressing itself before the
kernel's first line; QEMU boots an uncompressed ``vmlinux`` that carries a PVH entry note
directly (Debian's kernels are built with ``CONFIG_PVH``). The build takes the ELF out
of the bzImage once, on the host; a kernel without the note (or packed in a way this does
not know) is simply booted as the bzImage.
"""

from __future__ import annotations

import gzip
import lzma
import struct
import zlib
from pathlib import Path

#: ``XEN_ELFNOTE_PHYS32_ENTRY``: the 32-bit entry point QEMU's PVH loader jumps to.
_PVH_NOTE = 18
_PT_NOTE = 4
#: Payload magics a bzImage may carry and how to unpack each (zstd has no stdlib module).
_PACKERS = ((b"\xfd7zXZ\x00", "xz"), (b"\x1f\x8b\x08", "gzip"))


def _unpack(data: bytes, kind: str) -> bytes:
    if kind == "xz":
        # The payload is followed by the bzImage's trailer: stop at the stream's end.
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS).decompress(data)


def has_pvh_entry(elf: bytes) -> bool:
    """Whether *elf* is a 64-bit little-endian ELF with a Xen PVH entry note."""
    if len(elf) < 64 or elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        return False
    phoff, = struct.unpack_from("<Q", elf, 32)
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)
    for index in range(phnum):
        at = phoff + index * phentsize
        if at + 56 > len(elf):
            return False
        p_type, = struct.unpack_from("<I", elf, at)
        if p_type != _PT_NOTE:
            continue
        offset, = struct.unpack_from("<Q", elf, at + 8)
        size, = struct.unpack_from("<Q", elf, at + 32)
        if _notes_have_pvh(elf[offset:offset + size]):
            return True
    return False


def _notes_have_pvh(notes: bytes) -> bool:
    pos = 0
    while pos + 12 <= len(notes):
        namesz, descsz, kind = struct.unpack_from("<III", notes, pos)
        name = notes[pos + 12:pos + 12 + namesz].rstrip(b"\0")
        if name == b"Xen" and kind == _PVH_NOTE:
            return True
        pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def extract_pvh_kernel(bzimage: Path, target: Path) -> bool:
    """Write the ELF inside *bzimage* to *target* if it has a PVH entry; say whether it did."""
    data = bzimage.read_bytes()
    for magic, kind in _PACKERS:
        start = data.find(magic)
        while start >= 0:
            try:
                elf = _unpack(data[start:], kind)
            except (lzma.LZMAError, zlib.error, gzip.BadGzipFile, EOFError):
                elf = b""
            if has_pvh_entry(elf):
                target.write_bytes(elf)
                return True
            start = data.find(magic, start + 1)
    return False
