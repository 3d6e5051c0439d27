"""Meeting links: a strict parser that accepts only the forms we know and rebuilds them.

A link comes from an e-mail or a web page, so from anyone. Nothing of it is handed on
as given: each accepted form is taken apart into checked pieces (meeting number,
passcode, room path) and a fresh link is built from those. Anything else is refused
with the link shown (escaped and shortened, so control characters cannot paint the
terminal). Nothing here ever goes near a shell; the pieces end up in an argv list.

Accepted:

- Zoom: ``https://zoom.us/j/ID?pwd=…``, ``https://SUB.zoom.us/j/ID`` (also ``/w/``),
  ``zoommtg://zoom.us/join?confno=ID&pwd=…`` and ``zoomus://``; the client gets
  ``zoommtg://zoom.us/join?action=join&confno=ID[&pwd=…]``.
- Teams: ``https://teams.microsoft.com/l/meetup-join/…`` (and ``msteams:/l/…``),
  ``https://teams.microsoft.com/meet/ID?p=…``, ``https://teams.live.com/meet/ID``.
- Webex: ``https://SITE.webex.com/meet/NAME``, ``…/join/NAME``, ``…/SITE/j.php?MTID=…``.
- Any other ``https://HOST/PATH`` only as a *web* link, for self-hosted services (Jitsi,
  BigBlueButton, Nextcloud Talk): DNS name, no user, no port but 443, no fragment.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from ..core.errors import MeetingLinkError

MAX_LINK_LENGTH = 2048
#: Which profile opens a link of each service (:attr:`MeetingLink.service`).
LINK_PROFILES = {"zoom": "zoom", "teams": "teams-web", "webex": "webex-web",
                 "web": "web-meeting"}
#: Printable ASCII without space, quotes, backslash, angle brackets, braces, ^ ` and |:
#: none of them appears in a link we accept, and each has fooled some URL parser.
_LINK_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DNS_NAME = re.compile(rf"^{_LABEL}(\.{_LABEL})+$")
_ZOOM_HOST = re.compile(rf"^({_LABEL}\.)?zoom\.us$")
_ZOOM_ID = re.compile(r"^\d{9,11}$")
#: Zoom passcodes in links are an encrypted token: letters, digits, '.', '_' and '-'.
_ZOOM_PWD = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
#: Query keys Zoom adds that carry nothing the client needs: dropped, not passed on.
_ZOOM_IGNORED = frozenset({"from", "omn", "_x_zm_rtaid", "_x_zm_rhtaid"})
_TEAMS_HOSTS = frozenset({"teams.microsoft.com", "teams.live.com"})
_TEAMS_SEGMENT = re.compile(r"^[A-Za-z0-9%._@:-]{1,512}$")
_TEAMS_CONTEXT = re.compile(r"^[A-Za-z0-9%._:,\"{}-]{1,1024}$")
_TEAMS_MEET_ID = re.compile(r"^\d{6,20}$")
_TEAMS_PASSCODE = re.compile(r"^[A-Za-z0-9]{1,32}$")
_WEBEX_HOST = re.compile(rf"^({_LABEL}\.)?{_LABEL}\.webex\.com$")
_WEBEX_NAME = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_WEBEX_MTID = re.compile(r"^m[0-9a-f]{32}$")
_WEB_PATH = re.compile(r"^(/[A-Za-z0-9._~%@:+,=-]*)*$")
_WEB_QUERY = re.compile(r"^[A-Za-z0-9._~%=&+-]*$")
_MAX_SHOWN = 160


@dataclass(frozen=True)
class MeetingLink:
    """A link that passed the parser, rebuilt from checked pieces.

    ``service``: zoom, teams, webex or web. ``url``: the https form a browser opens.
    ``client_argument``: what the vendor's own client is given (Zoom: zoommtg://…).
    """

    service: str
    host: str
    url: str
    client_argument: str


def shown(link: str) -> str:
    """*link* as it is safe to print: escaped, and cut to a readable length."""
    text = link.encode("unicode_escape").decode("ascii")
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"


def _refuse(link: str, why: str) -> MeetingLinkError:
    return MeetingLinkError(
        f"not a meeting link this launcher accepts: {shown(link)} ({why})",
        "copy the link from the invitation again; accepted are Zoom "
        "(https://…zoom.us/j/ID, zoommtg://), Teams (teams.microsoft.com/l/meetup-join/…), "
        "Webex (SITE.webex.com/meet/…) and https:// links to a web meeting")


def _query(link: str, query: str) -> dict[str, str]:
    """Each key once; a repeated key is refused (which one would the client take?)."""
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query),
                                   max_num_fields=16) if query else []
    found: dict[str, str] = {}
    for key, value in pairs:
        if key in found:
            raise _refuse(link, f"the parameter {key!r} appears twice")
        found[key] = value
    return found


def _zoom(link: str, parts: urllib.parse.SplitResult, host: str) -> MeetingLink:
    query = _query(link, parts.query)
    if parts.scheme in ("zoommtg", "zoomus"):
        if parts.path != "/join":
            raise _refuse(link, "a zoommtg: link must be …/join?confno=ID")
        meeting = query.pop("confno", "")
        query.pop("action", None)
    else:
        match = re.fullmatch(r"/[jw]/(\d+)", parts.path)
        if not match:
            raise _refuse(link, "a Zoom link must be https://…zoom.us/j/MEETING-ID")
        meeting = match.group(1)
    if not _ZOOM_ID.match(meeting):
        raise _refuse(link, "a Zoom meeting ID has 9 to 11 digits")
    pwd = query.pop("pwd", None)
    if pwd is not None and not _ZOOM_PWD.match(pwd):
        raise _refuse(link, "the passcode has characters Zoom does not use")
    unknown = sorted(set(query) - _ZOOM_IGNORED)
    if unknown:
        raise _refuse(link, f"unknown parameter {unknown[0]!r}")
    tail = f"&pwd={pwd}" if pwd else ""
    return MeetingLink(
        service="zoom", host=host,
        url=f"https://{host}/j/{meeting}" + (f"?pwd={pwd}" if pwd else ""),
        client_argument=f"zoommtg://zoom.us/join?action=join&confno={meeting}{tail}")


def _segments(link: str, path: str) -> list[str]:
    """The path's segments; '.' and '..' (percent-encoded too) are refused."""
    segments = path.split("/")[1:]
    if any(urllib.parse.unquote(s) in (".", "..") for s in segments):
        raise _refuse(link, "'.' and '..' are not allowed in the path")
    return segments


def _teams(link: str, parts: urllib.parse.SplitResult, host: str) -> MeetingLink:
    query = _query(link, parts.query)
    segments = _segments(link, parts.path)
    if segments[:2] == ["l", "meetup-join"] and 2 <= len(segments) - 2 <= 3:
        if not all(_TEAMS_SEGMENT.match(s) for s in segments[2:]):
            raise _refuse(link, "unexpected characters in the Teams meeting path")
        context = query.pop("context", None)
        if context is not None and not _TEAMS_CONTEXT.match(context):
            raise _refuse(link, "unexpected characters in the Teams context")
        query.pop("anon", None)
        rebuilt = "/" + "/".join(urllib.parse.quote(s, safe="%:@") for s in segments)
        if context is not None:
            rebuilt += "?context=" + urllib.parse.quote(context, safe="")
    elif len(segments) == 2 and segments[0] == "meet" and _TEAMS_MEET_ID.match(segments[1]):
        passcode = query.pop("p", None)
        if passcode is not None and not _TEAMS_PASSCODE.match(passcode):
            raise _refuse(link, "the Teams passcode has unexpected characters")
        rebuilt = f"/meet/{segments[1]}" + (f"?p={passcode}" if passcode else "")
    else:
        raise _refuse(link, "a Teams link must be …/l/meetup-join/… or …/meet/ID")
    if query:
        raise _refuse(link, f"unknown parameter {sorted(query)[0]!r}")
    url = f"https://{host}{rebuilt}"
    return MeetingLink(service="teams", host=host, url=url, client_argument=url)


def _webex(link: str, parts: urllib.parse.SplitResult, host: str) -> MeetingLink:
    query = _query(link, parts.query)
    segments = _segments(link, parts.path)
    if len(segments) == 2 and segments[0] in ("meet", "join") and _WEBEX_NAME.match(segments[1]):
        rebuilt = f"/{segments[0]}/{segments[1]}"
    elif (len(segments) == 2 and segments[1] == "j.php" and _WEBEX_NAME.match(segments[0])
          and _WEBEX_MTID.match(mtid := query.pop("MTID", ""))):
        rebuilt = f"/{segments[0]}/j.php?MTID={mtid}"
    else:
        raise _refuse(link, "a Webex link must be SITE.webex.com/meet/NAME or …/j.php?MTID=…")
    if query:
        raise _refuse(link, f"unknown parameter {sorted(query)[0]!r}")
    url = f"https://{host}{rebuilt}"
    return MeetingLink(service="webex", host=host, url=url, client_argument=url)


def _web(link: str, parts: urllib.parse.SplitResult, host: str) -> MeetingLink:
    if not _WEB_PATH.match(parts.path) or not _WEB_QUERY.match(parts.query):
        raise _refuse(link, "unexpected characters in the path or query")
    _segments(link, parts.path)
    url = f"https://{host}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    return MeetingLink(service="web", host=host, url=url, client_argument=url)


def _host(link: str, parts: urllib.parse.SplitResult) -> str:
    netloc = parts.netloc
    if "@" in netloc:
        raise _refuse(link, "a user name or password before the host is not allowed")
    if netloc.startswith("["):
        raise _refuse(link, "the host must be a DNS name, not an address")
    host, _, port = netloc.partition(":")
    host = host.lower()
    if port and not (parts.scheme == "https" and port == "443"):
        raise _refuse(link, "a port in the link is not allowed")
    if not _DNS_NAME.match(host) or host.rsplit(".", 1)[-1].isdigit():
        raise _refuse(link, "the host must be a DNS name such as meet.example.org")
    return host


def parse(link: str) -> MeetingLink:
    """Parse *link* or raise :class:`MeetingLinkError` naming it and why it was refused."""
    if len(link) > MAX_LINK_LENGTH:
        raise _refuse(link, f"longer than {MAX_LINK_LENGTH} characters")
    if not link.isascii() or not _LINK_CHARS.match(link):
        raise _refuse(link, "it holds characters no meeting link has (spaces, quotes, "
                            "control or non-ASCII characters)")
    if link.startswith("msteams:/l/"):
        link_https = "https://teams.microsoft.com/" + link.removeprefix("msteams:/")
        return _teams(link, urllib.parse.urlsplit(link_https), "teams.microsoft.com")
    parts = urllib.parse.urlsplit(link)
    if parts.fragment or "#" in link:
        raise _refuse(link, "a '#' part is not allowed (it can carry settings for the page)")
    if parts.scheme not in ("https", "zoommtg", "zoomus"):
        raise _refuse(link, "only https:, zoommtg: and zoomus: links are accepted")
    host = _host(link, parts)
    if _ZOOM_HOST.match(host):
        return _zoom(link, parts, host)
    if parts.scheme != "https":
        raise _refuse(link, "zoommtg: links must name zoom.us")
    if host in _TEAMS_HOSTS:
        return _teams(link, parts, host)
    if _WEBEX_HOST.match(host):
        return _webex(link, parts, host)
    return _web(link, parts, host)
