"""Which profile opens a meeting link: the most specific one that allows the link's host.

A profile *fits* a link when it can open it: a Zoom link needs a profile whose client is
Zoom; any other link a browser profile. How well it fits:

- 3: the host is one of the profile's own domains (``meet.jit.si`` for Jitsi Meet);
- 2: a wildcard domain of the profile covers it (``*.webex.com``);
- 1: the profile takes any meeting host (``web.any_host``: Web meeting, BigBlueButton…).

The best score wins; when several profiles share it, the app lets the person choose, and
the command line takes the service's usual profile (:data:`links.LINK_PROFILES`) or the
one ``--profile`` names. Both front ends call :func:`candidates`, so they cannot differ.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..core.errors import MeetingLinkError
from ..core.profile import Profile
from .links import LINK_PROFILES, MeetingLink

_SCHEMES = ("https://", "zoommtg://", "zoomus://", "msteams:")


def with_scheme(text: str) -> str:
    """``meet.jit.si/Room`` as ``https://meet.jit.si/Room``: a link pasted without its
    scheme (as chat programs show them) means https; anything else is left as it is."""
    stripped = text.strip()
    if not stripped or "://" in stripped or stripped.lower().startswith(_SCHEMES):
        return stripped
    head = stripped.split("/", 1)[0]
    if "." in head and ":" not in head and "@" not in head:
        return "https://" + stripped
    return stripped


@dataclass(frozen=True)
class Fit:
    """A profile that can open a link, and how specifically."""

    name: str
    title: str
    score: int


def _domain_score(host: str, domains: Iterable[str]) -> int:
    best = 0
    for domain in domains:
        if domain == host:
            return 3
        if domain.startswith("*.") and host.endswith(domain[1:]):
            best = 2
    return best


def fit(profile: Profile, link: MeetingLink) -> int:
    """How well *profile* fits *link* (0: it cannot open it)."""
    wants_zoom = link.service == "zoom"
    if (profile["client"] == "zoom") != wants_zoom:
        return 0
    if not wants_zoom and profile["client"] != "browser":
        return 0
    score = _domain_score(link.host, profile["network.domains"])
    if score:
        return score
    return 1 if not wants_zoom and profile["web.any_host"] else 0


def candidates(link: MeetingLink, profiles: Iterable[Profile]) -> list[Fit]:
    """The profiles that fit *link* equally best; the service's usual profile first."""
    fits = [Fit(p.name, p.title, fit(p, link)) for p in profiles]
    fits = [f for f in fits if f.score]
    if not fits:
        return []
    top = max(f.score for f in fits)
    usual = LINK_PROFILES.get(link.service, "")
    return sorted((f for f in fits if f.score == top),
                  key=lambda f: (f.name != usual, f.title.lower()))


def choose(link: MeetingLink, profiles: Iterable[Profile], wanted: str = "") -> str:
    """The one profile for *link*: *wanted* if it fits, else the best (usual first)."""
    listed = list(profiles)
    if wanted:
        named = [p for p in listed if p.name == wanted]
        if not named:
            raise MeetingLinkError(f"there is no profile called {wanted!r}",
                                   "see 'sandbox-launcher profiles' for the names")
        if not fit(named[0], link):
            raise MeetingLinkError(
                f"the profile {wanted!r} cannot open a {link.service} meeting on {link.host}",
                "name a profile whose client and network fit the link, or leave "
                "--profile out")
        return wanted
    found = candidates(link, listed)
    if not found:
        raise MeetingLinkError(f"no profile can open a {link.service} meeting on {link.host}",
                               "make a profile for this service (or restore the built-in "
                               "ones) in the app's profile editor")
    return found[0].name
