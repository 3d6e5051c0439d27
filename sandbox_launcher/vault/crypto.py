"""The vault file format: AES-256-GCM from ``cryptography``, nothing home-made.

A vault file is ``header || ciphertext+tag``. The header is readable without the key
(so a vault from another profile can be told from a damaged one) but every byte of it
is bound into the associated data, so changing it breaks the tag::

    magic  b"SLVAULT" (7)   version (1)   counter (8, big-endian)   nonce (12)
    name length (1)   profile name (UTF-8)

The associated data is the whole header: profile name, format version and the save
counter, which the keyring keeps beside the key (rollback detection, see service.py).
A fresh random 96-bit nonce is drawn for every save; with one key per profile and far
fewer than 2**32 saves the birthday bound of random GCM nonces is never approached.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"SLVAULT"
VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
_FIXED = struct.Struct(">7sBQ12sB")  # magic, version, counter, nonce, name length


class FormatError(ValueError):
    """The bytes are not a vault of a format this version reads."""


class TagMismatch(ValueError):
    """The key does not open the vault: some byte of it changed, or another key made it."""


@dataclass(frozen=True)
class Header:
    """What a vault says about itself before it is opened (authenticated on opening)."""

    version: int
    counter: int
    nonce: bytes
    profile: str
    raw: bytes  # the header bytes exactly as stored: the associated data


def new_key() -> bytes:
    """A random 256-bit key for one profile's vault."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def _header(profile: str, counter: int, nonce: bytes) -> bytes:
    name = profile.encode("utf-8")
    if not 0 < len(name) < 256:
        raise ValueError("a profile name of 1 … 255 bytes")
    return _FIXED.pack(MAGIC, VERSION, counter, nonce, len(name)) + name


def read_header(blob: bytes) -> Header:
    """Parse the header of *blob*; raises :class:`FormatError` if it is not a vault."""
    if len(blob) < _FIXED.size or blob[: len(MAGIC)] != MAGIC:
        raise FormatError("not a sandbox-launcher vault")
    magic, version, counter, nonce, length = _FIXED.unpack_from(blob)
    del magic
    if version != VERSION:
        raise FormatError(f"vault format {version} is not known to this version")
    end = _FIXED.size + length
    if len(blob) < end + 16:  # 16: the GCM tag
        raise FormatError("the vault is truncated")
    try:
        profile = blob[_FIXED.size:end].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError("the vault's profile name is not UTF-8") from exc
    return Header(version, counter, nonce, profile, blob[:end])


def seal(key: bytes, profile: str, counter: int, plain: bytes) -> bytes:
    """Encrypt *plain* for *profile* as save number *counter*, with a fresh nonce."""
    nonce = os.urandom(NONCE_BYTES)
    header = _header(profile, counter, nonce)
    return header + AESGCM(key).encrypt(nonce, plain, header)


def unseal(key: bytes, blob: bytes) -> tuple[Header, bytes]:
    """Authenticate and decrypt *blob*; raises FormatError or :class:`TagMismatch`.

    The returned header is authenticated: its profile name and counter are what the
    key's owner wrote, and the caller compares them with what it expects.
    """
    header = read_header(blob)
    try:
        plain = AESGCM(key).decrypt(header.nonce, blob[len(header.raw):], header.raw)
    except InvalidTag as exc:
        raise TagMismatch("the vault does not authenticate") from exc
    return header, plain
