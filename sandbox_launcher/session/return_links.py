"""The return link of a sign-in: back into the session that asked, not a new one.

A client that signs in with SSO opens the identity provider's page in the person's
browser (:mod:`.links_out`); when the sign-in is done the page opens the client's own
link (``zoommtg://zoom.us/sso?token=…``), which the desktop hands to
``sandbox-launcher open``. That link carries the sign-in token and belongs to the session
whose client asked. So once a session had an address opened (or copied), its owner
records in the session's state dir that it waits for a link of its client's schemes
(:data:`WAIT_SECONDS`); :func:`waiting_for` finds the newest such session and
:func:`hand_back` gives it the link through the join path, as its client takes it.

A return link is not a meeting link and is not rebuilt from parts: it is checked here
(:func:`parse`: the client's scheme, a DNS host, printable ASCII without quotes or
spaces, a length cap) and handed over whole, as one argument.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from ..backends.base import BackendState
from ..backends.registry import Registry
from ..core.errors import MeetingLinkError, SessionError
from ..core.outbound import CLIENT_SCHEMES
from . import join, store

RECORD = "return-link.json"
#: How long a session waits for its return link after an address was opened.
WAIT_SECONDS = 600
MAX_LENGTH = 4096
_SAFE = re.compile(r"^[A-Za-z0-9._~%=&+:/?@!$,;*()-]+$")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")


@dataclass(frozen=True)
class ReturnLink:
    """A client-scheme link that passed :func:`parse`."""

    url: str
    scheme: str
    service: str
    host: str


def scheme_of(text: str) -> str:
    """The scheme of *text*, lower-case ("" if it has none)."""
    head, sep, _ = text.partition(":")
    return head.lower() if sep and head.isalnum() else ""


def is_client_link(text: str) -> bool:
    """Whether *text* uses a meeting client's own scheme (zoommtg:, msteams:…)."""
    scheme = scheme_of(text.strip())
    return any(scheme in schemes for schemes in CLIENT_SCHEMES.values())


def parse(text: str) -> ReturnLink:
    """*text* as a return link, or MeetingLinkError saying why not."""
    scheme = scheme_of(text)
    service = next((s for s, schemes in CLIENT_SCHEMES.items() if scheme in schemes), "")
    why = ("it is not a meeting client's own link" if not service else
           f"longer than {MAX_LENGTH} characters" if len(text) > MAX_LENGTH else
           "it holds spaces, quotes, control or non-ASCII characters"
           if not _SAFE.match(text) else "")
    host = ""
    if not why:
        parts = urllib.parse.urlsplit(text)
        host = (parts.hostname or "").lower()
        if "@" in parts.netloc or (parts.netloc and not _HOST.match(host)):
            why = "its host is not a DNS name"
    if why:
        raise MeetingLinkError(f"not a return link this launcher accepts: {text[:80]} "
                               f"({why})", "copy the link again from the page that "
                               "offered it")
    return ReturnLink(text, scheme, service, host)


def remember(workdir: Path, service: str, seconds: float = WAIT_SECONDS) -> None:
    """The session (its owner, in its state dir) now waits for a *service* return link."""
    now = time.time()
    tmp = workdir / f".{RECORD}.tmp"
    tmp.write_text(json.dumps({"service": service, "asked": now, "until": now + seconds}),
                   encoding="utf-8")
    os.replace(tmp, workdir / RECORD)


def _waits(found: store.FoundSession, service: str, now: float) -> float | None:
    """When the session asked, if it waits for a *service* return link now."""
    try:
        data = json.loads((found.dir / RECORD).read_text("utf-8"))
        if data["service"] == service and float(data["until"]) >= now:
            return float(data["asked"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def waiting_for(link: ReturnLink, base: Path | None = None) -> store.FoundSession | None:
    """The running session that asked most recently and waits for *link*, if any."""
    now = time.time()
    waiting = []
    for found in store.list_sessions(base):
        if found.stale or found.record.state != "running":
            continue
        asked = _waits(found, link.service, now)
        if asked is not None:
            waiting.append((asked, found))
    return max(waiting, key=lambda w: w[0])[1] if waiting else None


def hand_back(found: store.FoundSession, link: ReturnLink,
              registry: Registry | None = None) -> join.Joined:
    """Give *link* to the client of *found* (the join path: confined like its client)."""
    join.check_joinable(found)
    handover = join.handover_of(found.dir)
    if handover.refused or not handover.argv:
        raise SessionError(f"the running {found.record.profile} session cannot take its "
                           f"return link: {handover.refused or 'its client takes none'}",
                           "sign in again inside the session")
    state = BackendState.from_dict(found.record.backend_state)
    backend = (registry or Registry()).get(state.backend or found.record.backend)
    pid = backend.join(state, found.dir, [*handover.argv, link.url])
    join.tell_owner(found.dir, {"type": "join", "service": link.service, "host": link.host,
                                "at": round(time.time(), 3), "pid": pid})
    (found.dir / RECORD).unlink(missing_ok=True)  # one return per sign-in
    return join.Joined(found.record.id, found.record.profile, link.service, link.host, pid)
