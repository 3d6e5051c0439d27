"""Which profile a meeting link goes to, the CLI's help and hints, one app per user."""

from __future__ import annotations

import io
import socket
import threading
from pathlib import Path

import pytest

from sandbox_launcher.cli import app_start, help_text
from sandbox_launcher.cli.main import main
from sandbox_launcher.clients import links, routing
from sandbox_launcher.core.errors import MeetingLinkError
from sandbox_launcher.core.profile import Profile, load_profiles
from sandbox_launcher.session import instance


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> list[Profile]:
    """The built-in profiles alone (an empty user dir)."""
    return list(load_profiles(tmp_path_factory.mktemp("none")).profiles.values())


@pytest.mark.parametrize(("text", "wanted"), [
    ("https://meet.jit.si/Room", ["jitsi-web"]),
    ("meet.jit.si/Room", ["jitsi-web"]),
    ("https://zoom.us/j/123456789?pwd=abc", ["zoom"]),
    ("https://teams.microsoft.com/meet/1234567?p=abc", ["teams-web"]),
    ("https://acme.webex.com/meet/bob", ["webex-web"]),
    # an unknown host: every profile that takes any host, the usual one first
    ("https://bbb.example.org/rooms/x", ["web-meeting", "bigbluebutton-web", "jitsi-web",
                                         "nextcloud-talk-web"]),
])
def test_each_link_goes_to_the_most_specific_profile(profiles: list, text: str,  # type: ignore[type-arg]
                                                     wanted: list[str]) -> None:
    link = links.parse(routing.with_scheme(text))
    assert [f.name for f in routing.candidates(link, profiles)] == wanted
    assert routing.choose(link, profiles) == wanted[0]


def test_a_named_profile_must_fit_the_link(profiles: list[Profile]) -> None:
    jitsi = links.parse("https://meet.jit.si/Room")
    assert routing.choose(jitsi, profiles, "web-meeting") == "web-meeting"
    with pytest.raises(MeetingLinkError, match=r"cannot open a web meeting on meet\.jit\.si"):
        routing.choose(jitsi, profiles, "zoom")
    with pytest.raises(MeetingLinkError, match=r"no profile called 'nope'"):
        routing.choose(jitsi, profiles, "nope")
    with pytest.raises(MeetingLinkError, match="no profile can open"):
        routing.choose(jitsi, [p for p in profiles if p["client"] != "browser"])


@pytest.mark.parametrize(("text", "expected"), [
    ("meet.jit.si/Room", "https://meet.jit.si/Room"),
    ("  meet.jit.si/Room ", "https://meet.jit.si/Room"),
    ("https://meet.jit.si/Room", "https://meet.jit.si/Room"),
    ("zoommtg://zoom.us/join?confno=123456789", "zoommtg://zoom.us/join?confno=123456789"),
    ("msteams:/l/meetup-join/x", "msteams:/l/meetup-join/x"),
    ("javascript:alert(1)", "javascript:alert(1)"),  # left for the parser to refuse
    ("user@host.example/x", "user@host.example/x"),
    ("room", "room"),
])
def test_a_link_without_a_scheme_means_https(text: str, expected: str) -> None:
    assert routing.with_scheme(text) == expected


def test_bare_arguments_that_are_links() -> None:
    assert help_text.looks_like_link("https://zoom.us/j/1")
    assert help_text.looks_like_link("meet.jit.si/Room")
    assert not help_text.looks_like_link("run")
    assert not help_text.looks_like_link("--tray")
    assert not help_text.looks_like_link("profiles")


def test_run_help_describes_each_argument_with_examples(
        capsys: pytest.CaptureFixture[str]) -> None:
    for command, words in (("run", ["the profile to run", "examples:",
                                    "sandbox-launcher run jitsi-web --join"]),
                           ("open", ["the meeting link from the invitation", "--profile NAME",
                                     "examples:", "sandbox-launcher open meet.jit.si/MyRoom"])):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        shown = capsys.readouterr().out
        for word in words:
            assert word in shown, (command, word)


def test_a_mistyped_profile_gets_a_suggestion() -> None:
    err = io.StringIO()
    assert main(["run", "zom"], err=err, out=io.StringIO()) == 125
    assert "there is no profile called 'zom'; did you mean 'zoom'?" in err.getvalue()


@pytest.mark.parametrize("env", [
    {}, {"DISPLAY": ":97"}, {"WAYLAND_DISPLAY": "wayland-97", "XDG_RUNTIME_DIR": "/nonexistent"},
])
def test_without_a_display_the_app_says_so_in_one_line(env: dict[str, str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    err = io.StringIO()
    assert main([], out=io.StringIO(), err=err) == 125
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and "needs a graphical session" in lines[0], lines


def test_a_headless_qt_platform_needs_no_display() -> None:
    assert app_start.display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert app_start.display_problem({}) is not None


def test_one_app_per_user_and_the_hand_over(tmp_path: Path) -> None:
    first, second = instance.InstanceLock(tmp_path / "a.lock"), instance.InstanceLock(
        tmp_path / "a.lock")
    assert first.acquire()
    assert not second.acquire()  # one app holds it
    path = tmp_path / "a.sock"
    got: list[bytes] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)

        def serve() -> None:
            conn, _ = server.accept()
            with conn:
                got.append(conn.recv(instance.MAX_MESSAGE))

        thread = threading.Thread(target=serve)
        thread.start()
        assert instance.hand_over("meet.jit.si/Room", path, wait=5)
        thread.join(5)
    assert instance.decode(got[0]) == "meet.jit.si/Room"
    assert instance.decode(b"not json") == "" and instance.decode(b'{"link": 3}') == ""
    first.release()
    assert second.acquire()  # the next app may start
    second.release()
    assert not instance.hand_over("", tmp_path / "nobody.sock", wait=0.3)
