"""Vendors' published server IP ranges: the packaged copy, the user's refreshed copy, refresh.

The network jail lets the client reach these ranges (besides what the filtering resolver
answers for allowed names). A copy ships with the package, dated; ``refresh`` replaces it
with the vendor's current list in the user's data dir, and :func:`load_ranges` uses the
newer of the two.

Every entry is checked before it can reach nftables: a list that said ``0.0.0.0/0`` or
``192.168.0.0/16`` would quietly turn the jail into an open door to the internet or the
user's LAN, so such entries are refused with the line that holds them.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import platformdirs

from ..core import fetch as fetching
from ..core import schema
from ..core.errors import LauncherError, UsageError

log = logging.getLogger(__name__)

#: Where each vendor publishes its list: one table, in the schema (core).
VENDOR_SOURCES = schema.VENDOR_SOURCES

FETCH_TIMEOUT = 30.0
#: Zoom's list is about 1 KiB; anything near this is not a range list.
MAX_LIST_BYTES = 1 << 20
#: Broader entries than these open a large part of the internet: no vendor needs that.
_MIN_PREFIX = {4: 8, 6: 16}
#: Networks a vendor list may never open: the host itself, the user's LAN and the like.
#: Documentation ranges stay allowed: tests run fake vendor servers on them.
_FORBIDDEN: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(net), what) for net, what in (
        ("0.0.0.0/8", "this-network"), ("10.0.0.0/8", "private LAN"),
        ("100.64.0.0/10", "carrier-grade NAT"), ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"), ("172.16.0.0/12", "private LAN"),
        ("192.168.0.0/16", "private LAN"), ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"), ("::/127", "unspecified/loopback"),
        ("::ffff:0:0/96", "IPv4-mapped"), ("fc00::/7", "private LAN (ULA)"),
        ("fe80::/10", "link-local"), ("ff00::/8", "multicast"),
    ))
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class RangeListError(LauncherError):
    """A range list is malformed, unsafe, or could not be fetched."""


@dataclass(frozen=True)
class RangeSet:
    """A vendor's server ranges as of ``fetched`` (ISO date), from ``source``.

    ``origin`` says which copy this is: "packaged", or the path of the user's copy.
    """

    source: str
    fetched: str
    ranges: tuple[str, ...]
    origin: str = "packaged"

    def networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """The ranges as network objects (already validated when the set was read)."""
        return tuple(ipaddress.ip_network(r) for r in self.ranges)


def user_ranges_path(vendor: str) -> Path:
    """Where ``refresh`` keeps the user's copy: ``<user data dir>/ranges/VENDOR.json``."""
    return Path(platformdirs.user_data_dir("sandbox-launcher")) / "ranges" / f"{vendor}.json"


def _check_vendor(vendor: str) -> None:
    # Only known names: the name becomes part of a file path.
    if vendor not in VENDOR_SOURCES:
        raise UsageError(f"no published range list is known for {vendor!r}",
                         f"known vendors: {', '.join(sorted(VENDOR_SOURCES))}")


def _check_entry(text: str) -> str:
    """Return *text* as a normalised network, or raise ValueError saying what is wrong."""
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a network (ADDRESS/PREFIX): {exc}") from None
    if net.prefixlen < _MIN_PREFIX[net.version]:
        raise ValueError(f"{net} is too broad for a vendor's servers "
                         f"(shorter than /{_MIN_PREFIX[net.version]})")
    for forbidden, what in _FORBIDDEN:
        if forbidden.version == net.version and net.overlaps(forbidden):
            raise ValueError(f"{net} overlaps {forbidden} ({what}), which the jail never opens")
    return str(net)


def parse_range_list(text: str) -> list[str]:
    """Parse one network per line; ``#`` starts a comment; blank lines are ignored.

    Returns the networks normalised and without duplicates, in file order. Raises
    :class:`RangeListError` naming the first bad line.
    """
    seen: dict[str, None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        try:
            seen.setdefault(_check_entry(entry), None)
        except ValueError as exc:
            raise RangeListError(f"line {number}: {exc}",
                                 "a range list holds one ADDRESS/PREFIX per line, "
                                 "e.g. 170.114.0.0/16") from None
    return list(seen)


def _from_json(text: str, origin: str) -> RangeSet:
    """Read and validate the JSON form (packaged file or user copy)."""
    try:
        data = json.loads(text)
        source, fetched, ranges = data["source"], data["fetched"], data["ranges"]
        if not isinstance(source, str) or not isinstance(ranges, list):
            raise TypeError("'source' must be a string and 'ranges' a list")
        date.fromisoformat(fetched)
        checked = tuple(_check_entry(r) for r in ranges)
    except (ValueError, KeyError, TypeError) as exc:
        raise RangeListError(f"{origin}: not a valid range file: {exc}",
                             "refresh it: sandbox-launcher ranges refresh VENDOR") from None
    if not checked:
        raise RangeListError(f"{origin}: the range list is empty",
                             "refresh it: sandbox-launcher ranges refresh VENDOR")
    return RangeSet(source=source, fetched=fetched, ranges=checked, origin=origin)


def load_ranges(vendor: str = "zoom", *, user_copy: Path | None = None) -> RangeSet:
    """The vendor's ranges: the user's refreshed copy if it is at least as new, else packaged.

    *user_copy* defaults to :func:`user_ranges_path`. A user copy that cannot be read is
    logged and skipped: the packaged list is still the vendor's, only older.
    """
    _check_vendor(vendor)
    data_dir = resources.files("sandbox_launcher") / "netjail" / "data"
    packaged_text = (data_dir / f"{vendor}-ranges.json").read_text(encoding="utf-8")
    packaged = _from_json(packaged_text, "packaged")
    path = user_copy if user_copy is not None else user_ranges_path(vendor)
    if not path.is_file():
        return packaged
    try:
        user = _from_json(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError, RangeListError) as exc:
        log.warning("ignoring %s (%s); using the packaged %s list of %s",
                    path, exc, vendor, packaged.fetched)
        return packaged
    # ISO dates compare as strings. On the same day the user's copy wins: it is the one
    # they (or their IT department's mirror) asked for.
    return user if user.fetched >= packaged.fetched else packaged


def _check_url(url: str) -> None:
    """Refuse anything but HTTPS, except plain HTTP to this machine (local mirrors, tests)."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host in _LOOPBACK_HOSTS:
        return
    raise RangeListError(
        f"refusing to fetch {url}: only https:// is allowed (http:// only to localhost)",
        "an unencrypted list could be altered on the way and open the jail; "
        "use the https:// address, or download the file and give its path")


def _fetch(url: str) -> bytes:
    _check_url(url)
    # http:// is loopback only: a proxy from the environment could not reach it anyway,
    # and the request must not leave this machine.
    opener = fetching.opener(_check_url, no_proxy=urllib.parse.urlsplit(url).scheme == "http")
    hint = ("check the network; or download the list with a browser and run: "
            "sandbox-launcher ranges refresh VENDOR --from FILE")
    try:
        with opener.open(fetching.request(url), timeout=FETCH_TIMEOUT) as response:
            body: bytes = response.read(MAX_LIST_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise RangeListError(f"{url}: the server answered {exc.code} {exc.reason}", hint) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RangeListError(f"could not fetch {url}: {reason}", hint) from None
    if len(body) > MAX_LIST_BYTES:
        raise RangeListError(f"{url}: answer larger than {MAX_LIST_BYTES} bytes; "
                             "that is not a range list", hint)
    return body


def _read_source(source: str) -> tuple[str, str]:
    """Return (text, source as recorded) for a URL or a local file path."""
    if "://" in source:
        if source.startswith("file://"):
            path = Path(urllib.request.url2pathname(urllib.parse.urlsplit(source).path))
        else:
            body = _fetch(source)
            return _decode(body, source), source
    else:
        path = Path(source).expanduser()
    try:
        with path.open("rb") as stream:
            body = stream.read(MAX_LIST_BYTES + 1)
    except OSError as exc:
        raise RangeListError(f"cannot read {path}: {exc.strerror or exc}",
                             "give the path of a text file with one range per line") from None
    if len(body) > MAX_LIST_BYTES:
        raise RangeListError(f"{path} is larger than {MAX_LIST_BYTES} bytes; "
                             "that is not a range list")
    return _decode(body, str(path.resolve())), str(path.resolve())


def _decode(body: bytes, where: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise RangeListError(f"{where} is not UTF-8 text, so not a range list") from None


def _write_atomically(dest: Path, data: dict[str, object]) -> None:
    """Write *data* as JSON so a reader sees the old file or the new one, never half."""
    dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(dest.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def refresh(vendor: str, url_or_file: str | None = None, dest: Path | None = None) -> RangeSet:
    """Fetch the vendor's current list and save it as the user's copy; return it.

    *url_or_file* defaults to the vendor's published URL (:data:`VENDOR_SOURCES`); an
    ``https://`` URL, ``http://`` to localhost, or a local file (IT departments that
    mirror the list). *dest* defaults to :func:`user_ranges_path`. Nothing is written
    unless the whole list is valid and non-empty.
    """
    _check_vendor(vendor)
    source = url_or_file or VENDOR_SOURCES[vendor]
    text, recorded = _read_source(source)
    ranges = parse_range_list(text)
    if not ranges:
        raise RangeListError(f"{recorded} holds no ranges; keeping the list in use",
                             "check that the address gives the vendor's range list")
    dest = dest if dest is not None else user_ranges_path(vendor)
    fetched = datetime.now(UTC).date().isoformat()
    _write_atomically(dest, {"source": recorded, "fetched": fetched, "ranges": ranges})
    return RangeSet(source=recorded, fetched=fetched, ranges=tuple(ranges), origin=str(dest))


def compare(old: RangeSet, new: RangeSet) -> tuple[list[str], list[str]]:
    """Return (added, removed) ranges going from *old* to *new*, each sorted by address."""
    before, after = set(old.ranges), set(new.ranges)

    def order(text: str) -> tuple[int, int, int]:
        net = ipaddress.ip_network(text)
        return net.version, int(net.network_address), net.prefixlen

    return sorted(after - before, key=order), sorted(before - after, key=order)
