"""Is this the vendor's package? A GPG signature checked with gpgv, or a recorded SHA-256.

Zoom signs its .deb the debsigs way: an ``_gpgorigin`` member holding a detached
signature over ``debian-binary`` + ``control.tar.*`` + ``data.tar.*``. A detached
``FILE.asc``/``FILE.sig`` next to the package (or ``--signature``) is checked over the
whole file. Only keys in the *trusted keyring* count: a data file IT can replace
(``/etc/sandbox-launcher/keys/VENDOR.gpg``, exported with ``gpg --export KEYID``), or one
named with ``--keyring``. gpgv runs with a throwaway home, so the user's own GnuPG
keys and trust settings never enter into it.

Without a signature, the package must match a SHA-256 the user gave (``--sha256``) or
that IT recorded (``/etc/sandbox-launcher/keys/VENDOR.sha256sums``, sha256sum format).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core import proc
from ..core.errors import ClientStoreError, MissingTool
from .unpack import copy_exact, member_bytes, read_ar

TRUST_DIR = Path("/etc/sandbox-launcher/keys")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_REFUSED = "the package was refused and deleted; download it again from the vendor"


@dataclass(frozen=True)
class Verdict:
    """How a package was found to be genuine, for the install log and ``client list``."""

    method: str  # "gpg (debsig)", "gpg (detached)", "sha256"
    detail: str  # signing key fingerprint, or the checksum


def sha256_of(path: Path) -> str:
    """The file's SHA-256, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def trusted_keyring(vendor: str, keyring: Path | None, trust_dir: Path = TRUST_DIR) -> Path:
    """The keyring to check *vendor*'s signatures with, or a clear refusal."""
    path = keyring or trust_dir / f"{vendor}.gpg"
    if not path.is_file():
        raise ClientStoreError(
            f"no trusted signing key for {vendor} is installed ({path} does not exist)",
            f"get {vendor}'s published signing key, check its fingerprint, and export it: "
            f"gpg --export KEYID > {trust_dir / (vendor + '.gpg')} (or pass --keyring FILE); "
            "or install with --sha256 HEX of a package you checked")
    return path


def _gpgv(keyring: Path, signature: Path, data: Path) -> str:
    try:
        gpgv = proc.which("gpgv", "to check the vendor's signature on the package")
    except MissingTool as exc:
        exc.hint = "install the Debian package gpgv: sudo apt-get install gpgv"
        raise
    with tempfile.TemporaryDirectory(prefix="sl-gpgv-") as home:
        done = proc.run([gpgv, "--homedir", home, "--keyring", str(keyring.resolve()),
                         "--status-fd", "1", str(signature), str(data)], timeout=120,
                        check=False)
    if done.returncode != 0:
        status = done.stdout
        why = ("it was signed by a key that is not trusted" if "NO_PUBKEY" in status
               else "the signature does not match: the package was altered"
               if "BADSIG" in status else "the signature could not be checked")
        raise ClientStoreError(f"the package's signature is not valid: {why}", _REFUSED,
                               details=f"{status}{done.stderr}".strip())
    match = re.search(r"^\[GNUPG:\] VALIDSIG ([0-9A-F]+)", done.stdout, re.MULTILINE)
    if not match:
        raise ClientStoreError("gpgv accepted the package but reported no valid signature",
                               _REFUSED, details=done.stdout)
    return match.group(1)


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


def verify(package: Path, vendor: str, *, keyring: Path | None = None,
           signature: Path | None = None, sha256: str | None = None,
           trust_dir: Path = TRUST_DIR) -> Verdict:
    """Check *package*; return how it was verified, or raise ClientStoreError."""
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
    if signature is None:
        signature = next((p for p in (Path(f"{package}.asc"), Path(f"{package}.sig"))
                          if p.is_file()), None)
    with tempfile.TemporaryDirectory(prefix="sl-debsig-") as tmp:
        debsig = _debsig_parts(package, Path(tmp))
        if debsig is not None:
            ring = trusted_keyring(vendor, keyring, trust_dir)
            return Verdict("gpg (debsig)", _gpgv(ring, *debsig))
    if signature is not None:
        ring = trusted_keyring(vendor, keyring, trust_dir)
        return Verdict("gpg (detached)", _gpgv(ring, signature, package))
    if sha256 is not None or digest in _recorded_sums(vendor, trust_dir):
        return Verdict("sha256", digest)
    raise ClientStoreError(
        f"{package.name} has no signature and no recorded checksum, so it cannot be "
        "told from a forged one",
        "pass the checksum the vendor publishes: --sha256 HEX, or a detached signature: "
        "--signature FILE.asc")


def _debsig_parts(package: Path, tmp: Path) -> tuple[Path, Path] | None:
    """Write ``_gpgorigin`` and debian-binary + control + data of a signed .deb to *tmp*.

    Returns (signature, signed data), or None when the package carries no debsig.
    """
    with package.open("rb") as stream:
        if stream.read(8) != b"!<arch>\n":
            return None
        members = {m.name: m for m in read_ar(stream, package.name)}
        origin = members.get("_gpgorigin")
        if origin is None:
            return None
        names = ["debian-binary",
                 *sorted(n for n in members if n.startswith("control.tar")),
                 *sorted(n for n in members if n.startswith("data.tar"))]
        if len(names) != 3 or "debian-binary" not in members:
            raise ClientStoreError(f"{package.name} is not a well-formed Debian package",
                                   _REFUSED)
        sig, data = tmp / "sig", tmp / "data"
        sig.write_bytes(member_bytes(stream, origin))
        with data.open("wb") as out:
            for name in names:
                stream.seek(members[name].offset)
                copy_exact(stream, out, members[name].size)
        return sig, data
