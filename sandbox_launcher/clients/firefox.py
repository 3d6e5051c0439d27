"""Firefox (Debian's firefox-esr) as a web meeting client: its command and its user.js.

Firefox gets a fresh ``-profile DIR`` in the throwaway home (so it goes with the session),
``-no-remote`` (never hand the page to a Firefox already running outside the sandbox) and a
user.js that keeps it from the background networking a meeting does not need. The jail
would block most of it anyway; not trying keeps the report to the meeting's own traffic.

Firefox's own content sandbox (seccomp plus user, PID and network namespaces, a chroot) is
left at its default level: it needs nested user namespaces, which the web profiles grant on
purpose (``sandbox.nested_userns = true``). Without them Firefox would quietly fall back
to a weaker sandbox, so the launcher refuses that combination instead (see :func:`check`).
"""

from __future__ import annotations

from ..core.errors import UsageError

#: Each pref with the reason it is set. Values are JSON-compatible Python literals.
USER_PREFS: tuple[tuple[str, bool | int | str, str], ...] = (
    # Telemetry and health reports: uploads to incoming.telemetry.mozilla.org.
    ("datareporting.healthreport.uploadEnabled", False, "no health report uploads"),
    ("datareporting.policy.dataSubmissionEnabled", False, "no data submission at all"),
    ("toolkit.telemetry.enabled", False, "no telemetry collection"),
    ("toolkit.telemetry.unified", False, "no unified telemetry pings"),
    ("toolkit.telemetry.archive.enabled", False, "no telemetry archive in the profile"),
    ("browser.ping-centre.telemetry", False, "no activity-stream pings"),
    # Normandy and Shield studies: remotely pushed pref changes and experiments.
    ("app.normandy.enabled", False, "no remote recipes changing prefs mid-meeting"),
    ("app.normandy.api_url", "", "and nowhere to fetch them from"),
    ("app.shield.optoutstudies.enabled", False, "no studies (they install add-ons)"),
    # Captive-portal and connectivity checks: detectportal.firefox.com every start.
    ("network.captive-portal-service.enabled", False, "no captive-portal probe"),
    ("network.connectivity-service.enabled", False, "no connectivity probe"),
    # Safe browsing: list updates and download lookups go to Google.
    ("browser.safebrowsing.downloads.remote.enabled", False,
     "no download lookups sent to Google"),
    ("browser.safebrowsing.malware.enabled", False, "no list updates (blocked anyway)"),
    ("browser.safebrowsing.phishing.enabled", False, "no list updates (blocked anyway)"),
    ("browser.safebrowsing.blockedURIs.enabled", False, "no list updates (blocked anyway)"),
    # Updates: the browser is the host's package, updated by apt, not from inside.
    ("app.update.auto", False, "no application update checks"),
    ("extensions.update.enabled", False, "no add-on update checks"),
    ("extensions.getAddons.cache.enabled", False, "no add-on metadata fetches"),
    ("extensions.systemAddon.update.enabled", False, "no system add-on updates"),
    ("browser.search.update", False, "no search engine updates"),
    ("media.gmp-manager.updateEnabled", False,
     "no codec plug-in downloads (OpenH264, Widevine): WebRTC meetings work with VP8"),
    ("browser.region.update.enabled", False, "no region lookup by IP address"),
    ("browser.region.network.url", "", "and nowhere to look it up"),
    # Web push: a persistent connection to push.services.mozilla.com.
    ("dom.push.enabled", False, "no web push"),
    ("dom.push.connection.enabled", False, "no push server connection"),
    # DNS over HTTPS off (mode 5 = off by choice): names must go through the jail's
    # resolver, which answers only the allowed names; DoH would try to go around it.
    ("network.trr.mode", 5, "DNS through the jail's resolver, never DNS-over-HTTPS"),
    # First run: welcome and "what's new" pages load from mozilla.org.
    ("browser.shell.checkDefaultBrowser", False, "no default-browser question"),
    ("browser.aboutwelcome.enabled", False, "no welcome page"),
    ("startup.homepage_welcome_url", "", "no first-run page"),
    ("browser.startup.homepage_override.mstone", "ignore", "no what's-new page"),
    ("browser.newtabpage.activity-stream.feeds.topsites", False, "no sponsored tiles"),
    ("browser.newtabpage.activity-stream.feeds.section.topstories", False,
     "no Pocket stories"),
    # Remember nothing the session does not need: the profile is wiped anyway.
    ("browser.sessionstore.resume_from_crash", False, "no restore of a crashed session"),
)
#: Variables that switch Firefox's own sandboxes off; never set by a profile.
SANDBOX_OFF_ENV = (
    "MOZ_DISABLE_CONTENT_SANDBOX", "MOZ_DISABLE_GMP_SANDBOX", "MOZ_DISABLE_RDD_SANDBOX",
    "MOZ_DISABLE_SOCKET_PROCESS_SANDBOX", "MOZ_DISABLE_UTILITY_SANDBOX",
    "MOZ_SANDBOX_LOGGING_DISABLE",
)
_HEADLESS = ("-headless", "--headless", "-screenshot", "--screenshot")
#: Why a running Firefox session takes no second link. Firefox (ESR 115 on) passes a
#: link to a running instance only over the session bus; the sandbox has none of its
#: own, and the host's is never handed in. A second Firefox on the same profile would
#: only find it locked ("Firefox is already running").
NO_HANDOVER = ("Firefox takes a second link only over the session bus (D-Bus), which the "
               "sandbox does not give it")


def _literal(value: bool | int | str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def user_js() -> str:
    """The user.js seeded into the fresh profile, each pref with its reason."""
    lines = ["// Written by sandbox-launcher for one throwaway session.",
             "// security.sandbox.content.level is left at Firefox's default on purpose:",
             "// the sandbox gets the nested user namespaces it needs.", ""]
    for name, value, why in USER_PREFS:
        lines.append(f'user_pref("{name}", {_literal(value)});  // {why}')
    return "\n".join(lines) + "\n"


def check(nested_userns: bool, env: dict[str, str]) -> None:
    """Refuse a launch in which Firefox's own sandbox would be weakened or switched off."""
    if not nested_userns:
        raise UsageError(
            "Firefox's content sandbox needs nested user namespaces, which this profile "
            "does not grant", "set sandbox.nested_userns = true in the profile (the web "
            "profiles do); the launcher does not run Firefox with a weakened sandbox")
    off = sorted(set(env) & set(SANDBOX_OFF_ENV))
    if off:
        raise UsageError(f"{', '.join(off)} would switch Firefox's own sandbox off",
                         "remove it from sandbox.env / sandbox.pass_env")


def command(browser: str, profile_dir: str, extra: tuple[str, ...], url: str,
            ) -> tuple[str, ...]:
    """Firefox on *url* in kiosk mode (headless and screenshots: the page as a plain argument)."""
    page = (url,) if any(a.split("=")[0] in _HEADLESS for a in extra) else ("--kiosk", url)
    return (browser, "-no-remote", "-new-instance", "-profile", profile_dir, *extra, *page)
