"""The PVH kernel is taken out of a bzImage only when it is an ELF with the PVH entry."""

from __future__ import annotations

import gzip
import lzma
import struct
from pathlib import Path

from sandbox_launcher.backends.vm.kernel import extract_pvh_kernel, has_pvh_entry


def _elf(note_type: int, name: bytes = b"Xen\0") -> bytes:
    """A minimal ELF64 with one PT_NOTE segment holding one note."""
    desc = struct.pack("<I", 0x1000000)
    note = struct.pack("<III", len(name), len(desc), note_type) + name + desc
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 32, 64)          # e_phoff
    struct.pack_into("<HH", header, 54, 56, 1)       # e_phentsize, e_phnum
    phdr = bytearray(56)
    struct.pack_into("<I", phdr, 0, 4)               # PT_NOTE
    struct.pack_into("<Q", phdr, 8, 64 + 56)         # p_offset
    struct.pack_into("<Q", phdr, 32, len(note))      # p_filesz
    return bytes(header + phdr) + note


def _bzimage(payload: bytes) -> bytes:
    """Setup code, the packed kernel, then a trailer, as a bzImage lays them out."""
    return b"\x00MZ setup" * 100 + payload + b"\x00trailer" * 10


def test_the_pvh_note_is_what_counts() -> None:
    assert has_pvh_entry(_elf(18))
    assert not has_pvh_entry(_elf(6))                # another Xen note
    assert not has_pvh_entry(_elf(18, b"GNU\0"))
    assert not has_pvh_entry(b"\x7fELF" + bytes(60))  # no program headers
    assert not has_pvh_entry(b"MZ" * 40)


def test_xz_and_gzip_kernels_are_unpacked_and_others_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "vmlinux"
    for packed in (lzma.compress(_elf(18), format=lzma.FORMAT_XZ), gzip.compress(_elf(18))):
        (tmp_path / "vmlinuz").write_bytes(_bzimage(packed))
        assert extract_pvh_kernel(tmp_path / "vmlinuz", target)
        assert target.read_bytes() == _elf(18)
        target.unlink()
    (tmp_path / "vmlinuz").write_bytes(_bzimage(lzma.compress(_elf(6), format=lzma.FORMAT_XZ)))
    assert not extract_pvh_kernel(tmp_path / "vmlinuz", target)
    (tmp_path / "vmlinuz").write_bytes(_bzimage(b"\xfd7zXZ\x00 broken"))
    assert not extract_pvh_kernel(tmp_path / "vmlinuz", target)
    assert not target.exists()

