"""Is this the vendor's package? A GPG signature checked with gpgv, or a recorded SHA-256.

Three signature forms are understood:

- **dpkg-sig** (what Zoom ships): an ``_gpgbuilder`` member, a clearsigned list of the
  other members' sizes and digests (:mod:`.dpkgsig`);
- **debsigs**: an ``_gpgorigin`` member holding a detached signature over
  ``debian-binary`` + ``control.tar.*`` + ``data.tar.*``;
- a detached ``FILE.asc``/``FILE.sig`` next to the package (or ``--signature``), checked
  over the whole file.

Only keys in the *trusted keyring* count; which one that is, and how the vendor's
published key is pinned by its fingerprint, is :mod:`.keys`. gpgv runs with a
throwaway home, so the user's own GnuPG keys and trust settings never enter into it.

A package whose signature cannot be checked (no trusted key) may still match a SHA-256
the user gave (``--sha256``) or that IT recorded
(``/etc/sandbox-launcher/keys/VENDOR.sha256sums``, sha256sum format).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..core import proc
from ..core.errors import ClientStoreError, MissingTool
from . import dpkgsig
from .keys import IT_KEYS_DIR, Keyring, find_keyring
from .unpack import ArMember, copy_exact, member_bytes, read_ar
from .vendors import VENDORS

TRUST_DIR = IT_KEYS_DIR
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_REFUSED = "the package was refused and deleted; download it again from the vendor"


@dataclass(frozen=True)
class Verdict:
    """How a package was found to be genuine, for the install log and ``client list``."""

    method: str  # "gpg (dpkg-sig builder)", "gpg (debsig)", "gpg (detached)", "sha256"
    detail: str  # the signing key's primary fingerprint, or the checksum
    keyring: str = ""  # whose keyring vouched: "--keyring", "IT", "trusted by you"


def sha256_of(path: Path) -> str:
    """The file's SHA-256, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _no_key(vendor: str, trust_dir: Path) -> ClientStoreError:
    spec = VENDORS.get(vendor)
    trust = (f"run: sandbox-launcher client trust {vendor} (fetches {spec.title}'s published "
             "key and checks its pinned fingerprint); or "
             if spec is not None and spec.key_url else "")
    return ClientStoreError(
        f"the package is signed, but no trusted signing key for {vendor} is installed",
        f"{trust}IT exports the key it checked: gpg --export FPR > "
        f"{trust_dir / (vendor + '.gpg')}; or pass --keyring FILE, or --sha256 HEX of a "
        "package you checked")


def _gpgv(ring: Keyring, args: list[str]) -> str:
    """Run gpgv on *args*; return the signer's primary fingerprint, or refuse."""
    try:
        gpgv = proc.which("gpgv", "to check the vendor's signature on the package")
    except MissingTool as exc:
        exc.hint = "install the Debian package gpgv: sudo apt-get install gpgv"
        raise
    with tempfile.TemporaryDirectory(prefix="sl-gpgv-") as home:
        done = proc.run([gpgv, "--homedir", home, "--keyring", str(ring.path.resolve()),
                         "--status-fd", "1", *args], timeout=120, check=False)
    status = done.stdout
    if done.returncode != 0:
        why = ("it was signed by a key that is not trusted" if "NO_PUBKEY" in status
               else "the signature does not match: the package was altered"
               if "BADSIG" in status else "the signature could not be checked")
        raise ClientStoreError(f"the package's signature is not valid: {why}", _REFUSED,
                               details=f"{status}{done.stderr}".strip())
    # VALIDSIG <fpr> <date> <ts> <expires> <ver> <reserved> <algo> <hash> <class> <primary>
    signers = []
    for line in status.splitlines():
        words = line.split()
        if words[:2] == ["[GNUPG:]", "VALIDSIG"] and len(words) >= 3:
            signers.append(words[11] if len(words) >= 12 else words[2])
    if not signers or "GOODSIG" not in status:
        raise ClientStoreError("gpgv accepted the package but reported no valid signature",
                               _REFUSED, details=status)
    if ring.pin is None:
        return signers[0]
    if ring.pin in signers:
        return ring.pin
    raise ClientStoreError(
        f"the package's signature is not valid: it was signed by the key {signers[0]}, "
        f"which is not the vendor's pinned key {ring.pin}", _REFUSED, details=status)


def _recorded_sums(vendor: str, trust_dir: Path) -> set[str]:
    path = trust_dir / f"{vendor}.sha256sums"
    if not path.is_file():
        return set()
    sums = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split()[0].lower() if line.split() else ""
        if _SHA256_RE.match(word):
            sums.add(word)
    return sums


#: Called when a signed package finds no trusted key: fetch and pin one, or raise.
FetchKey = Callable[[], Keyring]


def verify(package: Path, vendor: str, *, keyring: Path | None = None,
           signature: Path | None = None, sha256: str | None = None,
           trust_dir: Path = TRUST_DIR, user_keys: Path | None = None,
           pin: str | None = None, fetch_key: FetchKey | None = None) -> Verdict:
    """Check *package*; return how it was verified, or raise ClientStoreError.

    *pin* is the primary fingerprint a key the user trusted must have (see
    :mod:`.keys`); *fetch_key* is asked for a keyring when the package is signed and
    none is trusted yet (the download path), instead of refusing.
    """
    digest = sha256_of(package)
    if sha256 is not None:
        want = sha256.strip().lower()
        if not _SHA256_RE.match(want):
            raise ClientStoreError(f"{sha256!r} is not a SHA-256 (64 hex digits)",
                                   "copy the checksum from the vendor's page again")
        if want != digest:
            raise ClientStoreError(
                f"the package's SHA-256 is {digest}, not the {want} you gave",
                _REFUSED)
    vouched = sha256 is not None or digest in _recorded_sums(vendor, trust_dir)
    if signature is None:
        signature = next((p for p in (Path(f"{package}.asc"), Path(f"{package}.sig"))
                          if p.is_file()), None)
    with tempfile.TemporaryDirectory(prefix="sl-verify-") as tmp:
        embedded = _embedded(package, Path(tmp))
        if embedded is None and signature is None:
            if vouched:
                return Verdict("sha256", digest)
            raise ClientStoreError(
                f"{package.name} has no signature and no recorded checksum, so it cannot be "
                "told from a forged one",
                "pass the checksum the vendor publishes: --sha256 HEX, or a detached "
                "signature: --signature FILE.asc")
        ring = find_keyring(vendor, keyring, trust_dir, user_keys, pin)
        if ring is None:
            if vouched:  # IT's recorded checksum, or the user's, stands in for a key
                return Verdict("sha256", digest)
            if fetch_key is None:
                raise _no_key(vendor, trust_dir)
            ring = fetch_key()
        if embedded == dpkgsig.BUILDER_MEMBER:
            return Verdict("gpg (dpkg-sig builder)", _check_builder(package, ring, Path(tmp)),
                           ring.source)
        if embedded is not None:
            fpr = _gpgv(ring, [str(Path(tmp) / "sig"), str(Path(tmp) / "data")])
            return Verdict("gpg (debsig)", fpr, ring.source)
        assert signature is not None
        return Verdict("gpg (detached)", _gpgv(ring, [str(signature), str(package)]),
                       ring.source)


def _members(package: Path, stream: BinaryIO) -> dict[str, ArMember]:
    members: dict[str, ArMember] = {}
    for member in read_ar(stream, package.name):
        if member.name in members:
            # Which copy would be checked and which unpacked is anyone's guess.
            raise ClientStoreError(f"{package.name} has two members called {member.name}",
                                   _REFUSED)
        members[member.name] = member
    return members


def _embedded(package: Path, tmp: Path) -> str | None:
    """Which signature member a .deb carries, its parts written to *tmp*; None: none.

    For ``_gpgbuilder``: *tmp*/builder.asc. For ``_gpgorigin``: *tmp*/sig and
    *tmp*/data (debian-binary + control + data, what the signature covers).
    """
    with package.open("rb") as stream:
        if stream.read(8) != b"!<arch>\n":
            return None
        members = _members(package, stream)
        builder = members.get(dpkgsig.BUILDER_MEMBER)
        if builder is not None:
            if builder.size > dpkgsig.MAX_BUILDER_BYTES:
                raise ClientStoreError(f"{package.name}: its {builder.name} member is "
                                       f"{builder.size} bytes, far too big for a signature",
                                       _REFUSED)
            (tmp / "builder.asc").write_bytes(member_bytes(stream, builder))
            return dpkgsig.BUILDER_MEMBER
        origin = members.get("_gpgorigin")
        if origin is None:
            return None
        names = ["debian-binary",
                 *sorted(n for n in members if n.startswith("control.tar")),
                 *sorted(n for n in members if n.startswith("data.tar"))]
        if len(names) != 3 or "debian-binary" not in members:
            raise ClientStoreError(f"{package.name} is not a well-formed Debian package",
                                   _REFUSED)
        (tmp / "sig").write_bytes(member_bytes(stream, origin))
        with (tmp / "data").open("wb") as data:
            for name in names:
                stream.seek(members[name].offset)
                copy_exact(stream, data, members[name].size)
        return "_gpgorigin"


def _check_builder(package: Path, ring: Keyring, tmp: Path) -> str:
    """gpgv the ``_gpgbuilder`` text, then hold every member to what it lists."""
    verified = tmp / "builder.txt"
    # --output: the digests are read from the text gpgv verified, never from the
    # member as it stands (text around the signed block is not covered by it).
    fpr = _gpgv(ring, ["--output", str(verified), str(tmp / "builder.asc")])
    signed = dpkgsig.parse_builder(verified.read_text(encoding="utf-8", errors="replace"))
    with package.open("rb") as stream:
        dpkgsig.check_members(stream, _members(package, stream), signed, package.name)
    return fpr
