"""Addresses a sandboxed client asks to open outside (sign-in with SSO, help pages).

The client's ``xdg-open`` inside the sandbox hands the address to the launcher, which
must treat it as hostile input: it will be shown to a person and, if they agree, handed
to their own browser. :func:`check_address` accepts only what a browser should get
(``http``/``https`` with a DNS name or address as host, no user name before the host,
printable ASCII, at most :data:`MAX_ADDRESS` characters) and the client's own link
schemes (``zoommtg:``…), which never leave the launcher. :class:`LinksRule` is the
system policy's say (``[links]``): open without asking, ask, or refuse, by host.

Where the pieces live inside a namespace sandbox is fixed here too, so the backend that
binds them and the session layer that listens agree without importing each other.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .client import domain_allows
from .errors import UsageError

#: Longer addresses are refused (sign-in addresses with their state are ~1-2 KiB).
MAX_ADDRESS = 4096
#: The session's state dir holds this dir; the sandbox sees it read-only at INSIDE_DIR.
LINKS_DIR = "links"
LINKS_SOCKET = "links.sock"
INSIDE_DIR = "/run/sandbox-launcher"
INSIDE_BIN = f"{INSIDE_DIR}/bin"
#: A meeting client's own link schemes, by the service that owns them.
CLIENT_SCHEMES: dict[str, tuple[str, ...]] = {
    "zoom": ("zoommtg", "zoomus"), "teams": ("msteams",), "webex": ("webex",)}
MODES = ("ask", "allow", "deny")
_PRINTABLE = re.compile(r"^[\x21-\x7e]+$")
_DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*"
                       r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


class AddressRefused(UsageError):
    """An address the sandbox asked to open that is not opened, and why."""


@dataclass(frozen=True)
class Address:
    """An address that passed :func:`check_address`."""

    url: str
    scheme: str
    host: str

    @property
    def web(self) -> bool:
        """Whether a browser opens it (http or https), not the client itself."""
        return self.scheme in ("http", "https")

    def parts(self) -> tuple[str, str, str]:
        """What comes before the host, the host, and what follows it (to show the host
        emphasised)."""
        start = self.url.lower().index(self.host, len(self.scheme) + 1)
        return self.url[:start], self.url[start:start + len(self.host)], \
            self.url[start + len(self.host):]


def _refuse(why: str) -> AddressRefused:
    return AddressRefused(f"the address was not opened: {why}",
                          "nothing to do: the client asked for something this launcher "
                          "does not hand out of the sandbox")


def _host(parts: urllib.parse.SplitResult) -> str:
    if "@" in parts.netloc:
        raise _refuse("a user name or password before the host is not allowed")
    try:
        host, port = (parts.hostname or "").rstrip("."), parts.port
    except ValueError as exc:
        raise _refuse(f"its port is not a number ({exc})") from exc
    if port == 0:
        raise _refuse("port 0 is not a port")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _DNS_NAME.match(host) or host.rsplit(".", 1)[-1].isdigit():
            raise _refuse(f"{host!r} is not a host name") from None
    return host


def check_address(raw: object, client_schemes: tuple[str, ...] = ()) -> Address:
    """The address *raw* if the sandbox may ask for it; :class:`AddressRefused` else."""
    if not isinstance(raw, str) or not raw:
        raise _refuse("it is empty")
    if len(raw) > MAX_ADDRESS:
        raise _refuse(f"it is longer than {MAX_ADDRESS} characters")
    if not _PRINTABLE.match(raw):
        raise _refuse("it holds spaces, control or non-ASCII characters")
    parts = urllib.parse.urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not raw[len(scheme):].startswith("://"):
            raise _refuse("an http address must start with http:// or https://")
        return Address(raw, scheme, _host(parts))
    if scheme and scheme in client_schemes:
        return Address(raw, scheme, (parts.hostname or "").lower())
    shown = scheme or "no scheme"
    raise _refuse(f"only http and https addresses are opened, not {shown}")


class Verdict(Enum):
    """What the policy says of an address."""

    OPEN = "open"
    ASK = "ask"
    REFUSE = "refuse"


@dataclass(frozen=True)
class LinksRule:
    """``[links]`` of the system policy: ``open`` (ask, allow, deny), and hosts."""

    mode: str = "ask"
    allow_hosts: tuple[str, ...] = ()
    deny_hosts: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, get: Any) -> LinksRule:
        """From a policy's ``get(key)``."""
        return cls(str(get("links.open")), tuple(get("links.allow_hosts")),
                   tuple(get("links.deny_hosts")))

    def decide(self, address: Address) -> tuple[Verdict, str]:
        """The verdict on *address* and, for a refusal, why (in words)."""
        if not address.web:
            return Verdict.REFUSE, (f"a {address.scheme}: link belongs to the client inside "
                                    "and is not opened outside")
        host = address.host
        if any(domain_allows(p, host) for p in self.deny_hosts):
            return Verdict.REFUSE, f"your administrator does not let {host} be opened"
        if self.allow_hosts and not any(domain_allows(p, host) for p in self.allow_hosts):
            return Verdict.REFUSE, f"{host} is not among the hosts your administrator allows"
        if self.mode == "deny":
            return Verdict.REFUSE, "your administrator does not let sessions open addresses"
        return (Verdict.OPEN if self.mode == "allow" else Verdict.ASK), ""


def check_host_pattern(value: Any) -> str | None:
    """Policy check of an ``allow_hosts``/``deny_hosts`` entry (``host`` or ``*.host``)."""
    name = value[2:] if isinstance(value, str) and value.startswith("*.") else value
    if not isinstance(name, str) or not _DNS_NAME.match(name.lower()):
        return f"{value!r} is not a host such as sso.example.com or *.example.com"
    return None
