"""Addresses out of the sandbox: validation, the policy's decision, the session's desk
(over a real unix socket, with a recording asker and opener), return links, the
terminal's question and the live lines. No root, no Qt."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from sandbox_launcher.cli.link_question import terminal_asker
from sandbox_launcher.cli.live_lines import line
from sandbox_launcher.core.errors import MeetingLinkError, ProfileError, ToolFailed
from sandbox_launcher.core.outbound import (
    LINKS_DIR,
    LINKS_SOCKET,
    MAX_ADDRESS,
    AddressRefused,
    LinksRule,
    Verdict,
    check_address,
)
from sandbox_launcher.core.policy import load_policy
from sandbox_launcher.session import return_links
from sandbox_launcher.session.events import LinkAnswered, LinkAsked, LiveEvent, from_dict
from sandbox_launcher.session.links_out import Answer, LinkDesk, LinkQuestion, LinksOut

SIGN_IN = "https://sso.example/login?x=1"


@pytest.mark.parametrize("url", [
    SIGN_IN, "http://sso.example:8080/a?b=c&d=%20#frag", "https://203.0.113.5/x",
    "https://xn--bcher-kva.example/", "HTTPS://SSO.EXAMPLE/Path",
])
def test_web_addresses_pass(url: str) -> None:
    address = check_address(url)
    assert address.url == url and address.web
    assert address.host == address.host.lower() and address.host in url.lower()


@pytest.mark.parametrize(("url", "why"), [
    ("file:///etc/passwd", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("data:text/html,x", "only http and https"),
    ("zoommtg://zoom.us/join?confno=1", "only http and https"),  # no client schemes given
    ("/etc/passwd", "only http and https"),
    ("", "empty"),
    ("https://sso.example/a b", "spaces"),
    ("https://sso.example/\x00", "control"),
    ("https://sso.exämple/", "non-ASCII"),
    ("https://user:pw@sso.example/", "user name"),
    ("https://sso.example@evil.example/", "user name"),
    ("https:sso.example", "must start with"),
    ("https://-bad-.example/", "not a host"),
    ("https://sso.example:x/", "port"),
    ("https://sso.example:0/", "port 0"),
    ("https:///path", "not a host"),
    ("https://a." + "b" * MAX_ADDRESS, "longer than"),
])
def test_everything_else_is_refused_with_a_reason(url: str, why: str) -> None:
    with pytest.raises(AddressRefused) as info:
        check_address(url)
    assert why in info.value.summary, info.value.summary


def test_a_request_that_is_not_text_is_refused() -> None:
    for raw in (None, 42, ["https://sso.example/"]):
        with pytest.raises(AddressRefused):
            check_address(raw)


def test_client_schemes_pass_only_when_they_are_the_clients() -> None:
    address = check_address("zoommtg://zoom.us/join?confno=1", ("zoommtg", "zoomus"))
    assert (address.scheme, address.host, address.web) == ("zoommtg", "zoom.us", False)
    with pytest.raises(AddressRefused):
        check_address("msteams://x", ("zoommtg",))


def test_parts_emphasise_the_host() -> None:
    assert check_address("https://SSO.example:443/a?h=sso.example").parts() == (
        "https://", "SSO.example", ":443/a?h=sso.example")


@pytest.mark.parametrize(("rule", "url", "verdict", "why"), [
    (LinksRule(), SIGN_IN, Verdict.ASK, ""),
    (LinksRule("allow"), SIGN_IN, Verdict.OPEN, ""),
    (LinksRule("deny"), SIGN_IN, Verdict.REFUSE, "does not let sessions open"),
    (LinksRule("allow", deny_hosts=("*.example",)), SIGN_IN, Verdict.REFUSE,
     "does not let sso.example"),
    (LinksRule("allow", allow_hosts=("idp.example",)), SIGN_IN, Verdict.REFUSE,
     "not among the hosts"),
    (LinksRule("ask", allow_hosts=("*.example",)), SIGN_IN, Verdict.ASK, ""),
    # The administrator's list of hosts does not override "deny".
    (LinksRule("deny", allow_hosts=("sso.example",)), SIGN_IN, Verdict.REFUSE, "does not"),
])
def test_the_policy_decides(rule: LinksRule, url: str, verdict: Verdict, why: str) -> None:
    got, reason = rule.decide(check_address(url))
    assert got is verdict and why in reason and bool(why) == bool(reason)


def test_a_clients_own_link_is_never_opened_outside() -> None:
    got, reason = LinksRule("allow").decide(check_address("zoommtg://zoom.us/j", ("zoommtg",)))
    assert got is Verdict.REFUSE and "belongs to the client" in reason


def test_policy_keys_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    assert load_policy(path).links == LinksRule()
    path.write_text('[links]\nopen = "allow"\nallow_hosts = ["*.example.com", "sso.example"]\n'
                    'deny_hosts = ["evil.example"]\n')
    assert load_policy(path).links == LinksRule("allow", ("*.example.com", "sso.example"),
                                                ("evil.example",))
    for bad, key in (('[links]\nopen = "sometimes"\n', "links.open"),
                     ('[links]\ndeny_hosts = ["http://x.example/"]\n', "links.deny_hosts")):
        path.write_text(bad)
        with pytest.raises(ProfileError) as info:
            load_policy(path)
        assert info.value.key == key


class Desk:
    """A desk in *tmp_path* with recording asker, opener and event sink."""

    def __init__(self, tmp: Path, rule: LinksRule, answer: Answer | None = Answer.OPEN,
                 service: str = "zoom", fail_open: bool = False,
                 hold: threading.Event | None = None) -> None:
        self.opened: list[str] = []
        self.asked: list[LinkQuestion] = []
        self.events: list[LiveEvent] = []
        self.hold = hold

        def ask(question: LinkQuestion) -> Answer:
            self.asked.append(question)
            if self.hold is not None:
                self.hold.wait(10)
            assert answer is not None
            return answer

        def open_url(url: str) -> None:
            if fail_open:
                raise ToolFailed("xdg-open could not open the address (exit status 3)")
            self.opened.append(url)

        self.tmp = tmp
        self.desk = LinkDesk(tmp, "zoom-abc", "zoom", service,
                             LinksOut(rule, ask if answer is not None else None, open_url),
                             self.events.extend)
        self._stop = False
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:  # what the session's loop does when the socket is readable
        while not self._stop:
            self.desk.accept()
            time.sleep(0.01)

    def request(self, payload: bytes) -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(20)
            sock.connect(str(self.tmp / LINKS_DIR / LINKS_SOCKET))
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            raw = b""
            while chunk := sock.recv(4096):
                raw += chunk
        return dict(json.loads(raw))

    def ask_for(self, url: str) -> dict[str, Any]:
        return self.request(json.dumps({"url": url}).encode() + b"\n")

    def close(self) -> dict[str, Any]:
        self._stop = True
        self._thread.join(5)
        return self.desk.close()


def test_desk_opens_what_the_person_agrees_to_and_reports_hosts_only(tmp_path: Path) -> None:
    desk = Desk(tmp_path, LinksRule())
    assert desk.ask_for(SIGN_IN) == {"answer": "opened", "reason": ""}
    assert desk.opened == [SIGN_IN]
    [question] = desk.asked
    assert (question.session_id, question.profile, question.request) == ("zoom-abc", "zoom", 1)
    assert question.address.url == SIGN_IN
    asked, answered = desk.events
    assert asked == LinkAsked(1, SIGN_IN, "https", "sso.example", True, asked.at)
    assert isinstance(answered, LinkAnswered)
    assert (answered.answer, answered.by, answered.host) == ("opened", "user", "sso.example")
    # It now waits for Zoom's return link, for a while.
    record = json.loads((tmp_path / return_links.RECORD).read_text())
    assert record["service"] == "zoom" and record["until"] - record["asked"] == 600
    report = desk.close()
    assert report == {"requests": [{k: v for k, v in answered.to_dict().items()
                                    if k != "type"}], "not_listed": 0}
    assert "login" not in json.dumps(report) and "x=1" not in json.dumps(report)


@pytest.mark.parametrize(("answer", "result"), [(Answer.REFUSE, "refused"),
                                                (Answer.COPY, "copied")])
def test_refused_and_copied_are_not_opened(tmp_path: Path, answer: Answer,
                                           result: str) -> None:
    desk = Desk(tmp_path, LinksRule(), answer)
    assert desk.ask_for(SIGN_IN)["answer"] == result
    assert desk.opened == []
    assert (tmp_path / return_links.RECORD).exists() is (answer is Answer.COPY)
    desk.close()


def test_without_anyone_to_ask_nothing_is_opened(tmp_path: Path) -> None:
    desk = Desk(tmp_path, LinksRule(), None)
    got = desk.ask_for(SIGN_IN)
    assert got["answer"] == "refused" and "no one to ask" in got["reason"]
    assert desk.opened == [] and not (tmp_path / return_links.RECORD).exists()
    desk.close()


def test_policy_allow_and_deny_ask_nobody(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    allow = Desk(tmp_path / "a", LinksRule("allow"), Answer.REFUSE)
    assert allow.ask_for(SIGN_IN)["answer"] == "opened" and allow.asked == []
    allow.close()
    (tmp_path / "d").mkdir()
    deny = Desk(tmp_path / "d", LinksRule("deny"), Answer.OPEN)
    assert deny.ask_for(SIGN_IN)["answer"] == "refused" and deny.asked == []
    assert deny.opened == []
    deny.close()


def test_a_browser_that_fails_is_said(tmp_path: Path) -> None:
    desk = Desk(tmp_path, LinksRule("allow"), fail_open=True)
    got = desk.ask_for(SIGN_IN)
    assert got["answer"] == "failed" and "could not open" in got["reason"]
    assert not (tmp_path / return_links.RECORD).exists()
    desk.close()


@pytest.mark.parametrize("payload", [b"not json\n", b'{"url": "file:///etc/shadow"}\n',
                                     b'{"url": 7}\n', b"[1]\n", b"\n"])
def test_bad_requests_are_refused_without_asking(tmp_path: Path, payload: bytes) -> None:
    desk = Desk(tmp_path, LinksRule("allow"))
    assert desk.request(payload)["answer"] == "refused"
    assert desk.asked == [] and desk.opened == []
    assert [type(e) for e in desk.events] == [LinkAnswered]  # nothing shown to ask
    desk.close()


def test_a_connection_that_asks_nothing_is_no_request(tmp_path: Path) -> None:
    desk = Desk(tmp_path, LinksRule("allow"))
    for _ in range(3):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(str(tmp_path / LINKS_DIR / LINKS_SOCKET))
        deadline = time.monotonic() + 10
        while desk.desk._busy or desk.desk._count < _ + 1:  # served, one at a time
            assert time.monotonic() < deadline
            time.sleep(0.01)
    assert desk.ask_for(SIGN_IN)["answer"] == "opened"  # the desk still serves
    report = desk.close()
    assert [r["host"] for r in report["requests"]] == ["sso.example"]
    assert [type(e) for e in desk.events] == [LinkAsked, LinkAnswered]


def test_one_question_at_a_time(tmp_path: Path) -> None:
    hold = threading.Event()
    desk = Desk(tmp_path, LinksRule(), Answer.OPEN, hold=hold)
    first: list[dict[str, Any]] = []
    waiting = threading.Thread(target=lambda: first.append(desk.ask_for(SIGN_IN)))
    waiting.start()
    deadline = time.monotonic() + 10
    while not desk.asked and time.monotonic() < deadline:
        time.sleep(0.01)
    second = desk.ask_for("https://other.example/")
    assert second["answer"] == "refused" and "waits for an answer" in second["reason"]
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as scan:  # asks nothing
        scan.connect(str(tmp_path / LINKS_DIR / LINKS_SOCKET))
    count = desk.desk._count
    deadline = time.monotonic() + 10
    while desk.desk._count == count and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # its (non-)answer is done: 0.2 s to read nothing
    hold.set()
    waiting.join(10)
    assert first == [{"answer": "opened", "reason": ""}] and desk.opened == [SIGN_IN]
    report = desk.close()
    assert [(r["host"], r["answer"]) for r in report["requests"]] == [
        ("", "refused"), ("sso.example", "opened")]


def test_a_session_that_ended_opens_nothing_answered_late(tmp_path: Path) -> None:
    hold = threading.Event()
    desk = Desk(tmp_path, LinksRule(), Answer.OPEN, hold=hold)
    got: list[dict[str, Any]] = []
    waiting = threading.Thread(target=lambda: got.append(desk.ask_for(SIGN_IN)))
    waiting.start()
    deadline = time.monotonic() + 10
    while not desk.asked and time.monotonic() < deadline:
        time.sleep(0.01)
    desk.close()
    hold.set()
    waiting.join(10)
    assert got[0]["answer"] == "refused" and "ended" in got[0]["reason"]
    assert desk.opened == []


@pytest.mark.parametrize("url", ["zoommtg://zoom.us/join?confno=1&token=x",
                                 "zoomus://us02web.zoom.us/sso?token=a.b-c_d",
                                 "msteams://teams.microsoft.com/l/x?tenant=1"])
def test_return_links_pass_whole(url: str) -> None:
    link = return_links.parse(url)
    assert link.url == url and link.service in ("zoom", "teams")


@pytest.mark.parametrize("url", ["https://zoom.us/j/123456789", "zoommtg://zoom.us/a b",
                                 "zoommtg://zoom.us/a'b", 'zoommtg://zoom.us/"',
                                 "zoommtg://u@zoom.us/x", "zoommtg://zo_om.us/x",
                                 "zoommtg://zoom.us/" + "a" * 5000])
def test_other_return_links_are_refused(url: str) -> None:
    with pytest.raises(MeetingLinkError):
        return_links.parse(url)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("typed", "answer"), [("o\n", Answer.OPEN), ("r\n", Answer.REFUSE),
                                               ("x\nopen\n", Answer.OPEN), ("", Answer.REFUSE),
                                               ("x\ny\nz\no\n", Answer.REFUSE)])
def test_the_terminal_asks(typed: str, answer: Answer) -> None:
    err = io.StringIO()
    ask = terminal_asker(err, FakeTerminal(typed))
    assert ask is not None
    got = ask(LinkQuestion("zoom-abc", "zoom", 1, check_address(SIGN_IN)))
    assert got is answer
    shown = err.getvalue()
    assert "zoom session zoom-abc" in shown and SIGN_IN in shown and "SSO.EXAMPLE" in shown


def test_without_a_terminal_nobody_is_asked() -> None:
    assert terminal_asker(io.StringIO(), io.StringIO("o\n")) is None


def test_events_round_trip_and_lines() -> None:
    asked = LinkAsked(1, SIGN_IN, "https", "sso.example", False, 1.5)
    answered = LinkAnswered(1, "https", "sso.example", "refused", "nobody",
                            "there was no one to ask", 2.0)
    assert from_dict(asked.to_dict()) == asked and from_dict(answered.to_dict()) == answered
    assert line(asked, verbose=False, launcher_pid=1) == (
        "sandbox-launcher: the client asks to open an address on sso.example")
    text = line(answered, verbose=False, launcher_pid=1)
    assert text is not None and "was refused (by nobody): there was no one to ask" in text
    assert 'links.open = "allow"' in text


def test_a_client_that_nags_is_not_asked_any_more_and_a_flood_is_not_shown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sandbox_launcher.session import links_out

    monkeypatch.setattr(links_out, "MAX_QUESTIONS", 2)
    monkeypatch.setattr(links_out, "MAX_RECORDED", 4)
    desk = Desk(tmp_path, LinksRule(), Answer.REFUSE)
    answers = [desk.ask_for(f"https://n{i}.example/") for i in range(6)]
    assert len(desk.asked) == 2  # the person saw two questions, no more
    assert [a["answer"] for a in answers] == ["refused"] * 6
    assert "asked more than 2 times" in answers[2]["reason"]
    # Four requests are listed and shown; the rest only counted.
    assert len([e for e in desk.events if isinstance(e, LinkAnswered)]) == 4
    report = desk.close()
    assert len(report["requests"]) == 4 and report["not_listed"] == 2
    assert [r["by"] for r in report["requests"]] == ["user", "user", "launcher", "launcher"]
