"""The strict meeting-link parser: the forms we know are rebuilt, everything else refused."""

from __future__ import annotations

import pytest

from sandbox_launcher.clients.links import MAX_LINK_LENGTH, parse, shown
from sandbox_launcher.core.errors import MeetingLinkError, UsageError

PWD = "aBcD1234eFgH.1"
MTID = "m" + "0123456789abcdef" * 2

ACCEPTED = [
    # (link, service, host, what the client gets)
    (f"https://zoom.us/j/1234567890?pwd={PWD}", "zoom", "zoom.us",
     f"zoommtg://zoom.us/join?action=join&confno=1234567890&pwd={PWD}"),
    (f"https://us02web.zoom.us/j/123456789?pwd={PWD}&from=addon", "zoom", "us02web.zoom.us",
     f"zoommtg://zoom.us/join?action=join&confno=123456789&pwd={PWD}"),
    ("https://ZOOM.US/w/12345678901", "zoom", "zoom.us",
     "zoommtg://zoom.us/join?action=join&confno=12345678901"),
    ("https://zoom.us:443/j/123456789", "zoom", "zoom.us",
     "zoommtg://zoom.us/join?action=join&confno=123456789"),
    (f"zoommtg://zoom.us/join?action=join&confno=123456789&pwd={PWD}", "zoom", "zoom.us",
     f"zoommtg://zoom.us/join?action=join&confno=123456789&pwd={PWD}"),
    ("zoomus://us04web.zoom.us/join?confno=987654321", "zoom", "us04web.zoom.us",
     "zoommtg://zoom.us/join?action=join&confno=987654321"),
    ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjA%40thread.v2/0"
     "?context=%7b%22Tid%22%3a%2272f988bf%22%7d", "teams", "teams.microsoft.com",
     "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjA%40thread.v2/0"
     "?context=%7B%22Tid%22%3A%2272f988bf%22%7D"),
    ("msteams:/l/meetup-join/19%3ameeting_NjA%40thread.v2/0", "teams", "teams.microsoft.com",
     "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjA%40thread.v2/0"),
    ("https://teams.microsoft.com/meet/31234567890?p=AbC123", "teams", "teams.microsoft.com",
     "https://teams.microsoft.com/meet/31234567890?p=AbC123"),
    ("https://teams.live.com/meet/9312345678", "teams", "teams.live.com",
     "https://teams.live.com/meet/9312345678"),
    ("https://acme.webex.com/meet/jane.doe", "webex", "acme.webex.com",
     "https://acme.webex.com/meet/jane.doe"),
    (f"https://acme.my.webex.com/acme/j.php?MTID={MTID}", "webex", "acme.my.webex.com",
     f"https://acme.my.webex.com/acme/j.php?MTID={MTID}"),
    ("https://meet.jit.si/QuarterlyPlanning", "web", "meet.jit.si",
     "https://meet.jit.si/QuarterlyPlanning"),
    ("https://bbb.example.org/b/abc-def-ghi", "web", "bbb.example.org",
     "https://bbb.example.org/b/abc-def-ghi"),
    ("https://cloud.example.org/index.php/call/x7k2p9qz", "web", "cloud.example.org",
     "https://cloud.example.org/index.php/call/x7k2p9qz"),
    ("https://meet.example.org", "web", "meet.example.org", "https://meet.example.org/"),
]


@pytest.mark.parametrize(("link", "service", "host", "argument"), ACCEPTED)
def test_known_forms_are_rebuilt(link: str, service: str, host: str, argument: str) -> None:
    parsed = parse(link)
    assert (parsed.service, parsed.host, parsed.client_argument) == (service, host, argument)
    assert parsed.url.startswith(f"https://{host}/")


REFUSED = [
    # (link, a word the reason must contain)
    ("http://zoom.us/j/1234567890", "only https"),
    ("javascript:alert(1)", "only https"),
    ("file:///etc/passwd", "only https"),
    ("data:text/html,<script>", "characters"),
    ("ftp://zoom.us/j/1234567890", "only https"),
    ("zoommtg://evil.example/join?confno=123456789", "must name zoom.us"),
    ("https://zoom.us/j/1", "9 to 11 digits"),
    ("https://zoom.us/j/123456789012345", "9 to 11 digits"),
    ("https://zoom.us/j/123456789?pwd=a;rm%20-rf", "passcode"),
    ("https://zoom.us/j/123456789?pwd=$(id)", "passcode"),
    ("https://zoom.us/j/123456789?pwd=a`id`", "characters"),
    ("https://zoom.us/j/123456789?pwd=a|b", "characters"),
    ("https://zoom.us/j/123456789?pwd=a b", "characters"),
    ("https://zoom.us/j/123456789?pwd=a&pwd=b", "twice"),
    ("https://zoom.us/j/123456789?uname=x&pwd=a", "unknown parameter"),
    ("https://zoom.us/j/123456789;id", "Zoom link must be"),
    ("https://zoom.us/j/123456789\n--no-sandbox", "characters"),
    ("https://zoom.us/j/123456789\x00", "characters"),
    ("https://zoom.us/j/123456789 --user-data-dir=/", "characters"),
    ("https://zoom.us/j/123456789#pwd=x", "'#'"),
    ("https://zoom.us.evil.example/j/123456789", "https"),  # a web link? no: see below
    ("https://evil.example@zoom.us/j/123456789", "user name"),
    ("https://zoom.us@evil.example/j/123456789", "user name"),
    ("https://zoom.us:8443/j/123456789", "port"),
    ("https://zoom.us\\@evil.example/j/123456789", "characters"),
    ("https://z\u043e\u043em.us/j/123456789", "non-ASCII"),  # Cyrillic o
    ("https://zoom.u\u0455/j/123456789", "non-ASCII"),  # Cyrillic dze
    ("https://zoom.us/j/123456789?pwd=\uff41", "non-ASCII"),  # fullwidth a
    ("https://zoom.us/j/\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669", "non-ASCII"),
    ("https://xn--zm-ikca.us/j/123456789", "https"),  # punycode look-alike: only a web link
    ("https://198.51.100.10/j/123456789", "DNS name"),
    ("https://[::1]/room", "DNS name"),
    ("https://meet.example.org:80/room", "port"),
    ("https://localhost/room", "DNS name"),
    ("https://meet.example.org/../../etc/passwd", "'..'"),
    ("https://meet.example.org/room?x=<script>", "characters"),
    ("https://meet.example.org/room'\"", "characters"),
    ("https://meet.example.org/a;b", "unexpected characters"),
    ("https://teams.microsoft.com/l/meetup-join/../../x", "'..'"),
    ("https://teams.microsoft.com/l/meetup-join/%2e%2e/0", "'..'"),
    ("https://acme.webex.com/meet/..", "'..'"),
    ("https://meet.example.org/%2E%2E/admin", "'..'"),
    ("https://teams.microsoft.com/l/meetup-join/19%3ax/0?context=$(id)", "context"),
    ("https://teams.microsoft.com/meet/123?p=x", "Teams link must be"),
    ("https://acme.webex.com/acme/j.php?MTID=notahash", "Webex link must be"),
    ("https://acme.webex.com/meet/jane?extra=1", "unknown parameter"),
    ("msteams:/l/other/x", "Teams link must be"),
    ("", "characters"),
    ("https://zoom.us/j/123456789?pwd=" + "a" * MAX_LINK_LENGTH, "longer than"),
]
#: Refused as what they claim to be, but acceptable as plain web links (a browser profile
#: then needs the host allowed; the Zoom client never gets them).
WEB_ONLY = {"https://zoom.us.evil.example/j/123456789", "https://xn--zm-ikca.us/j/123456789"}


@pytest.mark.parametrize(("link", "reason"), REFUSED)
def test_hostile_forms_are_refused_with_the_link_shown(link: str, reason: str) -> None:
    if link in WEB_ONLY:
        parsed = parse(link)
        assert parsed.service == "web" and parsed.host != "zoom.us"
        return
    with pytest.raises(MeetingLinkError) as caught:
        parse(link)
    error = caught.value
    assert isinstance(error, UsageError)
    assert reason.lower() in error.summary.lower(), error.summary
    assert shown(link)[:40] in error.summary
    assert "\n" not in error.summary and "\x00" not in error.summary
    assert len(error.summary) < 400


def test_shown_escapes_and_shortens() -> None:
    assert shown("a\nb\x1b[31m") == "a\\nb\\x1b[31m"
    assert shown("x" * 1000).endswith("…") and len(shown("x" * 1000)) < 200
