"""The client's share of a launch plan, and how its running client takes a second link.

:class:`ClientSetup` is what planning decided about the client (command, read-only
mounts, seeded home files, link hosts, the store version); the client store and the
browsers that fill it live in ``clients/``. Plain data, so every layer may carry it.

A second meeting link for a client that already runs: whether it may, and its argv.

Each client takes a second link its own way, decided when the session is planned and
kept with the session (:meth:`Handover.to_dict`), so a later ``open --join-running``
asks exactly the session that runs, not the profile as it reads today:

- Zoom (a store client): its binary again with the link as the argument the client
  expects (``zoommtg://…``); Zoom hands it to the instance that runs and exits.
- Chromium: the browser again with the same ``--user-data-dir`` and the new page;
  Chromium's process singleton (a socket in that profile dir) hands it to the running
  browser, which opens a new window.
- Firefox: none. Firefox hands links to a running instance only over the session bus
  (D-Bus remoting), which the sandbox does not give it; a second Firefox on the same
  profile would only find it locked.
- ``run PROFILE --join URL -- COMMAND``: COMMAND again with the new link last, as the
  first one got it.

A link is handed over only if the session was planned for it: a store client takes
links of its own service only; a browser only links to hosts the session's allowlist
was made for (a web-meeting session made for host A is not widened to host B: that
needs a new session, with its own allowlist).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from .errors import MeetingLinkError


class MeetingLink(Protocol):
    """A meeting link that passed the strict parser (``clients.links.MeetingLink``)."""

    @property
    def service(self) -> str:
        """The service it belongs to (zoom, teams, web…)."""
        ...

    @property
    def host(self) -> str:
        """Its host name."""
        ...

    @property
    def url(self) -> str:
        """The link, rebuilt from its checked pieces."""
        ...

    @property
    def client_argument(self) -> str:
        """What the vendor's own client is given."""
        ...

#: How the link is put on the command line.
FORMS = ("client_argument", "url", "app")


def domain_allows(pattern: str, host: str) -> bool:
    """Whether an allowlist entry (``zoom.us`` or ``*.zoom.us``) covers *host*."""
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


@dataclass(frozen=True)
class Handover:
    """How the running client of a session takes a second link.

    ``argv``: the command before the link. ``form``: the link as the vendor client's
    argument, as a page URL, or as Chromium's ``--app=URL``. ``service``: a store
    client's own link service (only its links are taken). ``hosts``: for a browser,
    the allowlist entries a link's host must match. ``zoom_refused``: a browser for
    any host does not take Zoom links (they belong to the Zoom client). ``refused``:
    why this client takes no second link at all ("" when it does).
    """

    argv: tuple[str, ...] = ()
    form: str = "url"
    service: str = ""
    hosts: tuple[str, ...] = ()
    zoom_refused: bool = False
    refused: str = ""

    @classmethod
    def none(cls, why: str) -> Handover:
        """A client that takes no second link, and why."""
        return cls(refused=why)

    def argv_for(self, link: MeetingLink, profile: str, title: str = "") -> tuple[str, ...]:
        """The command that hands *link* to the running client, or MeetingLinkError."""
        what = title or profile
        if self.refused or not self.argv:
            raise MeetingLinkError(
                f"the running {what} session cannot take a second link: "
                f"{self.refused or 'its client has no way to receive one'}",
                "open the link in a new session")
        if self.service and link.service != self.service:
            raise MeetingLinkError(
                f"{link.url} is a {link.service} link; the running session is {what}, "
                f"which takes only {self.service} links",
                "open it in a new session of its own service")
        if not self.service:
            if self.zoom_refused and link.service == "zoom":
                raise MeetingLinkError(
                    f"{link.url} is a Zoom link, not one for the running {what} session",
                    "open it with: sandbox-launcher open LINK --new")
            if not any(domain_allows(p, link.host) for p in self.hosts):
                allowed = ", ".join(self.hosts) or "no host"
                raise MeetingLinkError(
                    f"{link.host} is not allowed in the running {what} session: its network "
                    f"allowlist was made for {allowed}",
                    "open the link in a new session, which gets an allowlist for its host")
        if self.form == "client_argument":
            page = link.client_argument
        elif self.form == "app":
            page = f"--app={link.url}"
        else:
            page = link.url
        return (*self.argv, page)

    def to_dict(self) -> dict[str, Any]:
        """JSON form, kept in the session's state dir."""
        return {"argv": list(self.argv), "form": self.form, "service": self.service,
                "hosts": list(self.hosts), "zoom_refused": self.zoom_refused,
                "refused": self.refused}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Handover:
        """Read :meth:`to_dict`'s form back; anything malformed takes no link."""
        try:
            form = str(data["form"])
            if form not in FORMS:
                raise ValueError(form)
            return cls(argv=tuple(str(a) for a in data["argv"]), form=form,
                       service=str(data["service"]),
                       hosts=tuple(str(h) for h in data["hosts"]),
                       zoom_refused=bool(data["zoom_refused"]), refused=str(data["refused"]))
        except (KeyError, TypeError, ValueError):
            return cls.none("the session's record of its client is unreadable")


@dataclass(frozen=True)
class ClientSetup:
    """The client's share of a launch plan."""

    command: tuple[str, ...]
    mounts: tuple[tuple[str, str], ...] = ()  # (host dir, path inside), read-only
    home_files: tuple[tuple[str, str], ...] = ()  # (path below home, content)
    domains: tuple[str, ...] = ()  # allowed on top of the profile's (the link's host)
    store_client: tuple[str, str] | None = None  # (vendor, version) mounted
    notes: tuple[str, ...] = field(default=())
    #: How the running client takes a second meeting link (``open --join-running``).
    handover: Handover = field(default_factory=lambda: Handover.none(
        "its client takes no meeting link"))

    def to_dict(self) -> dict[str, Any]:
        """For the report's grants: the client files mounted and the files seeded."""
        return {
            "store_client": "/".join(self.store_client) if self.store_client else None,
            "mounts": [f"{src} -> {dest} (read-only)" for src, dest in self.mounts],
            "home_files": [path for path, _ in self.home_files],
            "link_hosts_allowed": list(self.domains),
        }
