"""Offline IP → country, and the "country fence" a profile or the system policy sets.

The country of an address is the one its block is *registered* to at a Regional Internet
Registry (RIR), as the RIRs publish it in their delegated-extended statistics. That is what
the fence promises ("destinations registered in a denied country are blocked"); it is not
where a server physically stands, which no offline dataset can know. The data comes from
the PyPI package ``iptocc``, which embeds the five RIRs' files, is rebuilt when they change,
and never goes to the network at run time.

Overrides (CIDR → country) place ranges the registries do not know or that an IT department
wants treated differently (internal mirrors, test ranges). They come only from the system
policy file, never from a user profile: a profile that could relabel addresses could walk
around the fence the policy set.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.checks import ISO_3166_ALPHA2, check_country_code
from ..core.errors import ProfileError

if TYPE_CHECKING:
    from importlib import metadata

_DATASET_PACKAGE = "iptocc"


@dataclass(frozen=True)
class _Dataset:
    """The loaded lookup function and what it is."""

    lookup: Callable[[str], str | None]
    name: str
    date: str


def _build_date(dist: metadata.Distribution) -> str:
    """The day the wheel was built, from the SBOM that ``iptocc`` ships in its dist-info.

    ``iptocc`` publishes a release only when its nightly job fetched RIR files that
    changed the tables, and builds the wheel in that run, so the build day is the day of
    the registry snapshot. The package states no other date; "unknown" is the honest
    answer when the SBOM is missing.
    """
    for file in dist.files or ():
        if file.name.endswith(".cyclonedx.json"):
            try:
                sbom = json.loads(file.read_text(encoding="utf-8"))
                stamp = str(sbom["metadata"]["timestamp"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", stamp[:10]):
                return stamp[:10]
    return "unknown"


@functools.cache
def _load_dataset() -> _Dataset:
    """Import the dataset once per process; the tables are embedded in its extension."""
    # Imported here: importlib.metadata costs ~15 ms, and the schema imports this
    # module on every launch just to validate country codes.
    from importlib import metadata

    import iptocc

    dist = metadata.distribution(_DATASET_PACKAGE)
    name = f"{_DATASET_PACKAGE} {dist.version} (RIR delegated-extended statistics)"
    return _Dataset(lookup=iptocc.country_code, name=name, date=_build_date(dist))


_Net = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse_overrides(overrides: Mapping[str, str]) -> dict[int, list[tuple[int, dict[int, str]]]]:
    """Index overrides by IP version, then by prefix length (longest first).

    A lookup then masks the address once per distinct prefix length and does a dict
    probe, so the cost does not grow with the number of overrides in one length.
    """
    by_len: dict[tuple[int, int], dict[int, str]] = {}
    for cidr, country in overrides.items():
        try:
            net: _Net = ipaddress.ip_network(cidr, strict=True)
        except ValueError as exc:
            raise ProfileError(f"country override {cidr!r} is not a network: {exc}",
                               "write a network as ADDRESS/PREFIX with no host bits set, "
                               "e.g. 192.0.2.0/24", key=str(cidr)) from None
        problem = check_country_code(country)
        if problem is not None:
            raise ProfileError(f"country override {cidr}: {problem}",
                               "give an ISO 3166-1 alpha-2 code such as DE", key=str(cidr))
        by_len.setdefault((net.version, net.prefixlen), {})[int(net.network_address)] = country
    index: dict[int, list[tuple[int, dict[int, str]]]] = {4: [], 6: []}
    for (version, prefixlen), table in sorted(by_len.items(), key=lambda kv: -kv[0][1]):
        index[version].append((prefixlen, table))
    return index


class CountryDB:
    """Country of an IP address: policy overrides first, then the offline RIR dataset.

    The dataset loads on first use (``dataset``, ``dataset_date`` or ``lookup``) and is
    shared by every instance in the process.
    """

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        """*overrides* maps CIDR → country code; only the system policy may supply them.

        Raises :class:`ProfileError` naming the CIDR when one is malformed.
        """
        self._overrides = _parse_overrides(overrides or {})

    @property
    def dataset(self) -> str:
        """Name and version of the dataset, for session reports."""
        return _load_dataset().name

    @property
    def dataset_date(self) -> str:
        """ISO date of the registry snapshot in the dataset ("unknown" if not stated)."""
        return _load_dataset().date

    def lookup(self, ip: str) -> str | None:
        """Return the upper-case ISO 3166-1 alpha-2 country *ip* is registered in.

        None when no registry lists it (reserved, private, documentation ranges, unused
        space) or when the registry gives a region rather than a country (EU, AP).
        An IPv4-mapped IPv6 address is looked up as its IPv4 address.
        Raises :class:`ValueError` if *ip* is not an IP address.
        """
        addr = ipaddress.ip_address(ip)
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped
        key = int(addr)
        bits = addr.max_prefixlen
        for prefixlen, table in self._overrides[addr.version]:
            country = table.get(key >> (bits - prefixlen) << (bits - prefixlen))
            if country is not None:
                return country
        found = _load_dataset().lookup(str(addr))
        return found if found in ISO_3166_ALPHA2 else None


