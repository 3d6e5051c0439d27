"""What a profile's client adds to a launch: its command, its files, its meeting link.

- A store client (``client = "zoom"``): the installed version's directory, mounted
  read-only where the vendor expects it (/opt/zoom); a link is given as the argument
  the client expects (``zoommtg://zoom.us/join?…``).
- A browser (``client = "browser"``; ``"chromium"`` or ``"firefox"`` pin one): the
  host's Chromium or Firefox (``web.browser``; auto = Chromium if installed, else
  Firefox) with a fresh profile in the throwaway home, no background networking, in app
  or kiosk mode on the meeting page. A link to a self-hosted service (``web.any_host``)
  adds its host to the allowlist; otherwise the link's host must already be allowed.

Each also says how its running client takes a second link (:mod:`handover`), kept with
the session for ``open --join-running``.

Only the pieces the strict parser (:mod:`links`) rebuilt ever reach the client's argv.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from ..core.client import ClientSetup, Handover, domain_allows
from ..core.errors import ClientStoreError, MeetingLinkError, MissingTool, UsageError
from . import firefox, links
from .vendors import VENDORS

if TYPE_CHECKING:
    from .store import Installed


class InstalledClients(Protocol):
    """What planning asks of the client store (:class:`store.ClientStore` is one)."""

    def current(self, name: str) -> Installed | None:
        """The installed version of vendor *name* that runs, if any."""
        ...

    def path_note(self) -> str | None:
        """What the report says when the store's path names the user (None: it does not)."""
        ...

#: Browser -> the program names it has on PATH (the Debian package is the first).
BROWSERS: dict[str, tuple[str, ...]] = {"chromium": ("chromium", "chromium-browser"),
                                        "firefox": ("firefox-esr", "firefox")}
#: Client values that run a browser: "browser" follows web.browser, the others pin one.
BROWSER_CLIENTS = ("browser", *BROWSERS)
#: The browser's profile lives in the throwaway home, so it goes with the session.
BROWSER_PROFILE = ".browser-profile"
#: Chromium's own phoning home (updates, metrics, sync, safe browsing lists) would be
#: blocked by the jail anyway; these keep it from trying, so the report shows the meeting.
CHROMIUM_FLAGS = (
    "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-breakpad",
    "--disable-domain-reliability", "--password-store=basic",
    "--disable-features=MediaRouter,OptimizationHints,Translate",
)


def _choose_browser(profile: Any) -> str:
    """The browser the profile asks for: its client pins one, or web.browser chooses."""
    client, wanted = profile["client"], profile["web.browser"]
    if client == "browser":
        return str(wanted)
    if wanted not in ("auto", client):
        raise UsageError(f"profile {profile.name!r} runs client {client!r} but sets "
                         f"web.browser = {wanted!r}",
                         'set client = "browser" to let web.browser choose')
    return str(client)


def _find_browser(name: str, path: str) -> tuple[str, str]:
    """(browser, program): *name* is chromium, firefox or auto (Chromium first)."""
    names = tuple(BROWSERS) if name == "auto" else (name,)
    for browser in names:
        for candidate in BROWSERS[browser]:
            found = shutil.which(candidate, path=path)
            if found:
                return browser, found
    if name != "auto":
        raise MissingTool(BROWSERS[name][0], BROWSERS[name][0],
                          "to run web meetings in the sandbox")
    raise MissingTool("chromium or firefox-esr", "chromium",
                      "to run web meetings in the sandbox",
                      hint="install the Debian package chromium or firefox-esr: "
                           "sudo apt-get install chromium (or firefox-esr)")


def _web(profile: Any, user_command: tuple[str, ...], link: links.MeetingLink | None,
         sandbox_home: str, path: str) -> ClientSetup:
    domains: tuple[str, ...] = ()
    if link is not None:
        allowed = any(domain_allows(p, link.host) for p in profile["network.domains"])
        if profile["web.any_host"]:
            if link.service in ("zoom",):
                raise MeetingLinkError(
                    f"{link.url} is a Zoom link, not one for {profile.name}",
                    "open it with: sandbox-launcher run zoom --join LINK")
            domains = () if allowed else (link.host,)
        elif not allowed:
            raise MeetingLinkError(
                f"{link.url} is not a link of {profile.title} ({link.host} is not one of its "
                "servers)", "use the profile of that service, or web-meeting for any "
                "https:// meeting page")
    url = link.url if link is not None else profile["web.url"]
    # A second link may name only the hosts this session's allowlist is made for.
    second = Handover(form="url", hosts=tuple(profile["network.domains"]) + domains,
                      zoom_refused=bool(profile["web.any_host"]))
    if user_command:
        return ClientSetup(user_command + ((url,) if link is not None else ()), domains=domains,
                           handover=replace(second, argv=user_command))
    if not url:
        raise UsageError(f"profile {profile.name!r} needs a meeting link",
                         f"sandbox-launcher run {profile.name} --join https://…")
    kind, browser = _find_browser(_choose_browser(profile), path)
    extra = tuple(profile["web.browser_args"])
    profile_dir = f"{sandbox_home}/{BROWSER_PROFILE}"
    if kind == "firefox":
        firefox.check(bool(profile["sandbox.nested_userns"]),
                      {**profile["sandbox.env"], **dict.fromkeys(profile["sandbox.pass_env"],
                                                                 "")})
        return ClientSetup(firefox.command(browser, profile_dir, extra, url),
                           home_files=((f"{BROWSER_PROFILE}/user.js", firefox.user_js()),),
                           domains=domains, handover=Handover.none(firefox.NO_HANDOVER))
    # Headless (tests, screenshots) has no app window: the page is then a plain argument.
    headless = any(a.startswith("--headless") for a in extra)
    page = url if headless else f"--app={url}"
    base = (browser, f"--user-data-dir={profile_dir}", *CHROMIUM_FLAGS, *extra)
    return ClientSetup((*base, page), domains=domains,
                       handover=replace(second, argv=base, form="url" if headless else "app"))


def _store_client(profile: Any, user_command: tuple[str, ...],
                  link: links.MeetingLink | None, store: InstalledClients | None) -> ClientSetup:
    spec = VENDORS[profile["client"]]
    if link is not None and link.service != spec.name:
        raise MeetingLinkError(f"{link.url} is not a {spec.title} link",
                               "open it with the profile of its service")
    installed = store.current(spec.name) if store is not None else None
    command = user_command or tuple(profile["command"])
    if installed is None and not user_command:
        raise ClientStoreError(
            f"{spec.title} is not installed in the client store",
            f"install it without running its scripts: sandbox-launcher client install "
            f"{spec.name} --from FILE.deb (or without --from to download it)")
    # The vendor's client again, with the link as its argument: it hands the link to
    # the instance that runs (Zoom does) and exits.
    handover = Handover(argv=command, form="client_argument", service=spec.name)
    if link is not None:
        command += (link.client_argument,)
    if installed is None:
        return ClientSetup(command, notes=(f"{spec.title} is not installed: {spec.mount} "
                                           "is empty in this session",), handover=handover)
    # No silent gap: a store whose path names the user says so in the report.
    visible = store.path_note() if store is not None else None
    return ClientSetup(command, mounts=((str(installed.path), spec.mount),),
                       store_client=(spec.name, installed.version), handover=handover,
                       notes=(visible,) if visible else ())


def setup(profile: Any, user_command: tuple[str, ...], join_url: str | None, *,
          sandbox_home: str, path: str, store: InstalledClients | None = None) -> ClientSetup:
    """The command, mounts, seeded files and extra domains *profile*'s client needs."""
    link = links.parse(join_url) if join_url else None
    client = profile["client"]
    if client in BROWSER_CLIENTS:
        result = _web(profile, user_command, link, sandbox_home, path)
    elif client in VENDORS:
        result = _store_client(profile, user_command, link, store)
    else:
        if link is not None:
            raise UsageError(f"profile {profile.name!r} runs no meeting client to hand "
                             "the link to", "use zoom, teams-web, webex-web, jitsi-web … "
                             "or web-meeting")
        result = ClientSetup(user_command or tuple(profile["command"]),
                             handover=Handover.none(f"the profile {profile.name!r} runs no "
                                                    "meeting client to hand a link to"))
    # The profile's own files last: a file it names replaces the client's seeded one.
    seeded = dict(result.home_files) | dict(profile["sandbox.home_files"])
    return replace(result, home_files=tuple(sorted(seeded.items())))
