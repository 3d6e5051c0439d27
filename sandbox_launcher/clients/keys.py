"""Which keys may vouch for a vendor's package, and trusting a vendor's published key.

Keyrings are looked for in this order, and the first that exists is the only one used:

1. ``--keyring FILE``: the user vouches for every key in it;
2. ``/etc/sandbox-launcher/keys/VENDOR.gpg``: IT installed it and vouches for every key
   in it (so IT can follow a vendor's new key before the launcher knows its fingerprint);
3. ``<user data dir>/keys/VENDOR.gpg``: written only by :func:`trust_key` (``client
   trust``, or ``client install`` fetching the key itself), holding only the key whose
   primary fingerprint is the vendor's pin. A signature checked with it must come from
   that primary key even so, so a key slipped in beside it counts for nothing.

The pin is :attr:`Vendor.key_fingerprint`, shipped with the launcher. ``--fingerprint``
replaces it for one command: an explicit choice on the command line, like ``--keyring``,
never something the environment or a file could set behind the user's back.
"""

from __future__ import annotations

import os
import re
import tempfile
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ..core import fetch as fetching
from ..core import proc
from ..core.errors import ClientStoreError, UsageError
from ..core.paths import SYSTEM_DIR
from . import download
from .vendors import Vendor

IT_KEYS_DIR = SYSTEM_DIR / "keys"
#: A vendor's armoured public key is a few KiB; anything near this is not one.
MAX_KEY_BYTES = 1 << 20
_TIMEOUT = 60.0
_FPR_RE = re.compile(r"^(?:[0-9A-F]{40}|[0-9A-F]{64})$")

#: Told what happened when a key was fetched on the user's behalf (for the CLI or GUI).
Notify = Callable[[str], None]


def user_keys_dir() -> Path:
    """``<user data dir>/keys``: vendor keys the user trusted by their pinned fingerprint."""
    return Path(platformdirs.user_data_dir("sandbox-launcher")) / "keys"


def fingerprint(text: str) -> str:
    """*text* as a fingerprint (spaces dropped, upper case), or a usage error."""
    value = re.sub(r"\s+", "", text).upper().removeprefix("0X")
    if not _FPR_RE.match(value):
        raise UsageError(f"{text!r} is not an OpenPGP fingerprint",
                         "give the key's full fingerprint: 40 hex digits (spaces allowed)")
    return value


def pin_for(spec: Vendor, override: str | None = None) -> str | None:
    """The primary fingerprint *spec*'s packages must be signed by (None: no pin)."""
    if override:
        return fingerprint(override)
    return spec.key_fingerprint or None


@dataclass(frozen=True)
class Keyring:
    """A keyring to check signatures with, and what a good signature must also match."""

    path: Path
    pin: str | None  # required primary-key fingerprint; None: every key in it counts
    source: str  # for the install record: "--keyring", "IT", "trusted by you"


def find_keyring(vendor: str, keyring: Path | None, it_dir: Path, user_dir: Path | None,
                 pin: str | None) -> Keyring | None:
    """The keyring that vouches for *vendor*'s packages, by the order above, or None."""
    if keyring is not None:
        if not keyring.is_file():
            raise ClientStoreError(f"the keyring {keyring} does not exist",
                                   "give an exported key file: gpg --export FPR > FILE")
        return Keyring(keyring, None, "--keyring")
    if (it_dir / f"{vendor}.gpg").is_file():
        return Keyring(it_dir / f"{vendor}.gpg", None, "IT")
    mine = (user_dir if user_dir is not None else user_keys_dir()) / f"{vendor}.gpg"
    if mine.is_file() and pin is not None:
        return Keyring(mine, pin, "trusted by you")
    return None


@dataclass(frozen=True)
class TrustedKey:
    """A vendor key now trusted: where it came from and where it was written."""

    fingerprint: str
    user_id: str
    origin: str
    path: Path


def fetch_key(url: str, vendor: str = "VENDOR") -> bytes:
    """The key published at *url*, over HTTPS only (redirects checked the same way)."""
    download.check_url(url)
    hint = ("check the network, or download the key with a browser and run: "
            f"sandbox-launcher client trust {vendor} --from FILE")
    try:
        with fetching.opener(download.check_url).open(fetching.request(url),
                                                      timeout=_TIMEOUT) as response:
            data: bytes = response.read(MAX_KEY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise ClientStoreError(f"{url}: the server answered {exc.code} {exc.reason}",
                               hint) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ClientStoreError(f"could not fetch the key from {url}: {reason}", hint) from None
    if len(data) > MAX_KEY_BYTES:
        raise ClientStoreError(f"{url} sends more than {MAX_KEY_BYTES} bytes: not a key", hint)
    return data


def _gpg() -> str:
    return proc.which("gpg", "to read the vendor's signing key")


def _primary_keys(listing: str) -> dict[str, tuple[str, str]]:
    """``gpg --with-colons`` output -> {primary fingerprint: (validity, first user id)}."""
    keys: dict[str, tuple[str, str]] = {}
    record = validity = current = ""
    for line in listing.splitlines():
        fields = [*line.split(":"), *[""] * 10]  # short records read as empty fields
        kind = fields[0]
        if kind in ("pub", "sub"):
            record, validity, current = kind, fields[1], ""
        elif kind == "fpr" and record == "pub" and not current:
            current = fields[9].upper()  # the primary's; a subkey's fpr follows its "sub"
            keys[current] = (validity, "")
        elif kind == "uid" and current and not keys[current][1]:
            keys[current] = (keys[current][0], fields[9])
    return keys


def trust_key(spec: Vendor, *, pin: str | None, source: Path | None = None,
              url: str | None = None, user_dir: Path | None = None) -> TrustedKey:
    """Import *spec*'s key from *source* or *url* and keep it if it is the pinned one.

    The key file is read in a throwaway GnuPG home (the user's own keys never enter);
    only the key whose primary fingerprint equals *pin* is exported, to
    ``user_dir/VENDOR.gpg``. Any other key is refused and nothing is written.
    """
    if pin is None:
        raise UsageError(f"the launcher knows no signing key of {spec.title} to pin",
                         "give the fingerprint you checked: --fingerprint FPR, or ask IT to "
                         f"install the key at {IT_KEYS_DIR / (spec.name + '.gpg')}")
    if source is not None:
        if not source.is_file() or source.stat().st_size > MAX_KEY_BYTES:
            raise ClientStoreError(f"{source} is not a key file",
                                   f"save {spec.title}'s published key and give that file")
        data, origin = source.read_bytes(), str(source.resolve())
    else:
        origin = url or spec.key_url
        if not origin:
            raise UsageError(f"{spec.title} publishes no signing key the launcher knows of",
                             "give the key file: --from FILE")
        data = fetch_key(origin, spec.name)
    gpg = _gpg()
    with tempfile.TemporaryDirectory(prefix="sl-gpg-") as home:
        key_file = Path(home) / "key.in"
        key_file.write_bytes(data)
        base = [gpg, "--homedir", home, "--batch", "--no-autostart", "--no-tty"]
        proc.run([*base, "--import", str(key_file)], timeout=60, check=False)
        listing = proc.run([*base, "--with-colons", "--list-keys"], timeout=60, check=False)
        found = _primary_keys(listing.stdout)
        if pin not in found:
            shown = ", ".join(found) or "none (the file holds no OpenPGP key)"
            raise ClientStoreError(
                f"the key from {origin} is not {spec.title}'s pinned signing key: it has the "
                f"fingerprint {shown}, the pin is {pin}",
                "nothing was trusted. If the vendor announced a new key, check its "
                "fingerprint on the vendor's site and pass --fingerprint FPR, or ask IT to "
                f"install it at {IT_KEYS_DIR / (spec.name + '.gpg')}")
        validity, user_id = found[pin]
        if validity == "r":
            raise ClientStoreError(f"{spec.title}'s key {pin} is revoked",
                                   "nothing was trusted; the vendor must publish a new key")
        # Through a file: proc.run captures text, and the export is binary.
        out = Path(home) / "key.gpg"
        proc.run([*base, "--output", str(out), "--export", pin], timeout=60)
        key = out.read_bytes()
    if not key:
        raise ClientStoreError(f"gpg exported nothing for {pin}", "try again with --verbose")
    return TrustedKey(pin, user_id, origin, _write_key(spec.name, key, user_dir))


@dataclass(frozen=True)
class KeyOptions:
    """How ``client install`` finds and pins the vendor's key (all optional)."""

    fingerprint: str | None = None  # --fingerprint: replaces the vendor's pin
    key_url: str | None = None  # --key-url: where to fetch the key (default: the vendor's)
    user_dir: Path | None = None  # default: user_keys_dir()
    notify: Notify | None = None  # told when a key was fetched and pinned


def fetcher(spec: Vendor, pin: str | None,
            options: KeyOptions) -> Callable[[], Keyring] | None:
    """For the download path: fetch, pin and keep the vendor's key when none is trusted.

    None when there is nothing to fetch (the vendor publishes no key, or pins none).
    """
    if pin is None or not (options.key_url or spec.key_url):
        return None

    def fetch() -> Keyring:
        key = trust_key(spec, pin=pin, url=options.key_url, user_dir=options.user_dir)
        if options.notify is not None:
            options.notify(f"no trusted {spec.title} signing key yet: fetched {key.origin}; "
                           f"its fingerprint {key.fingerprint} is the pinned one; saved to "
                           f"{key.path}")
        return Keyring(key.path, pin, "fetched and pinned")

    return fetch


def _write_key(vendor: str, key: bytes, user_dir: Path | None) -> Path:
    """Write *key* as ``VENDOR.gpg`` in one step: a reader never sees half a keyring."""
    directory = user_dir if user_dir is not None else user_keys_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{vendor}.gpg"
    fd, tmp = tempfile.mkstemp(prefix=f".{vendor}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(key)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
