"""Joining a running session: refusals, the program's resolution, the owner's record, the CLI.

No sandbox here (tests/integration/test_join.py runs real ones): sessions are state dirs
as the store writes them, the owner is a Session with a fake backend.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fake_sandbox import FakeBackend, FakeResources

from sandbox_launcher.backends.namespace import enter, joiner
from sandbox_launcher.backends.namespace.backend import legacy_state
from sandbox_launcher.backends.namespace.environment import sandbox_env
from sandbox_launcher.cli import join as join_cli
from sandbox_launcher.clients import links
from sandbox_launcher.core.client import Handover
from sandbox_launcher.core.errors import (
    CommandNotFound,
    MeetingLinkError,
    SessionError,
    SessionNotFound,
)
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.profile import load_profiles
from sandbox_launcher.session import join, store
from sandbox_launcher.session.events import Join
from sandbox_launcher.session.launch import Launcher, LinkRoute
from sandbox_launcher.session.lifecycle import Event, Session, State
from sandbox_launcher.session.planning import make_plan

ROOM = "https://meet.example.org/room"
OTHER_HOST = "https://meet.example.net/room"


def _spec(tmp_path: Path, mounts: tuple[tuple[str, str], ...] = ()) -> enter.EnterSpec:
    return enter.EnterSpec(env={"PATH": "/usr/local/bin:/usr/bin:/bin"}, uid=os.getuid(),
                           gid=os.getgid(), umask=0o022, cwd="/home/user", mounts=mounts,
                           seccomp=b"\0" * 8)


def _store_client(tmp_path: Path) -> Path:
    store_dir = tmp_path / "store" / "zoom" / "6.1.0"
    store_dir.mkdir(parents=True)
    launcher = store_dir / "ZoomLauncher"
    launcher.write_text("#!/bin/sh\n")
    launcher.chmod(0o755)
    (store_dir / "escape").symlink_to("/usr/bin/true")
    (store_dir / "data.txt").write_text("not a program\n")
    return store_dir


def test_programs_come_only_from_read_only_parts(tmp_path: Path) -> None:
    client = _store_client(tmp_path)
    spec = _spec(tmp_path, ((str(client), "/opt/zoom"),))
    assert enter.resolve_program("/opt/zoom/ZoomLauncher", spec) == "/opt/zoom/ZoomLauncher"
    assert enter.resolve_program("true", spec) == os.path.realpath("/usr/bin/true")
    assert enter.resolve_program("/bin/sh", spec).startswith("/usr/")  # canonical, no /bin link
    for refused in ("/opt/zoom/escape",  # a symlink out of the store
                    "/opt/zoom/data.txt", "/home/user/zoom", "/tmp/true", "./true",
                    "../usr/bin/true", "/etc/passwd", "no-such-program"):
        with pytest.raises(CommandNotFound):
            enter.resolve_program(refused, spec)


def test_the_confinement_record_round_trips_and_its_absence_refuses(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   ) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    plan = make_plan(load_profiles(tmp_path / "none").get("generic"),
                     RunOptions(command=("/bin/true",)), {})
    with pytest.raises(SessionError, match="no record of its client's confinement"):
        enter.load(tmp_path)
    memfd = os.memfd_create("bpf")
    os.write(memfd, b"12345678" * 3)
    enter.save(tmp_path, plan, memfd)
    assert os.lseek(memfd, 0, os.SEEK_CUR) == 24  # untouched for bwrap: pread only
    spec = enter.load(tmp_path)
    assert spec.seccomp == b"12345678" * 3
    assert spec.env == {**sandbox_env(plan), "PWD": "/home/user"}
    assert (spec.uid, spec.gid, spec.cwd) == (os.getuid(), os.getgid(), "/home/user")
    assert oct((tmp_path / enter.SECCOMP_FILE).stat().st_mode & 0o777) == "0o600"
    os.close(memfd)


# --------------------------------------------------------------------------- refusals


Owners = list[store.OwnedSession]


@pytest.fixture
def owners() -> Iterator[Owners]:
    """Sessions this test "owns" (their locks held), released at the end."""
    held: Owners = []
    yield held
    for owned in held:
        owned.release()


def _session(base: Path, owners: Owners, state: str = "running", *,
             profile: str = "web-meeting", handover: Handover | None = None,
             owned: bool = True) -> store.FoundSession:
    record = store.SessionRecord(id=store.new_id(profile), profile=profile, backend="namespace",
                                 state=state, started=1.0, backend_state=legacy_state(
                                     1, {"pid": 1, "mnt": 2, "user": 3}).to_dict())
    keep = store.OwnedSession(record, base)
    if handover is not None:
        (keep.dir / join.HANDOVER_FILE).write_text(json.dumps(
            {"profile": profile, "handover": handover.to_dict()}))
    if owned:
        owners.append(keep)
    else:
        keep.release()  # as if its launcher had died
    return store.find_session(record.id, base)


WEB_A = Handover(argv=("/usr/bin/true",), hosts=("meet.example.org",), zoom_refused=True)


def test_refusals_say_why(tmp_path: Path, owners: Owners) -> None:
    with pytest.raises(MeetingLinkError, match="not a meeting link"):
        join.join("x", "https://meet.example.org/$(id)", tmp_path)
    with pytest.raises(SessionNotFound):
        join.join("web-meeting-000000", ROOM, tmp_path)
    stale = _session(tmp_path, owners, owned=False, handover=WEB_A)
    with pytest.raises(SessionError, match="launcher that is gone") as caught:
        join.join(stale.record.id, ROOM, tmp_path)
    assert "wipe --stale" in caught.value.hint
    wiping = _session(tmp_path, owners, "wiping", handover=WEB_A)
    with pytest.raises(SessionError, match=r"not running \(it is wiping\)"):
        join.join(wiping.record.id, ROOM, tmp_path)
    running = _session(tmp_path, owners, handover=WEB_A)
    with pytest.raises(MeetingLinkError, match=r"made for meet\.example\.org"):
        join.join(running.record.id, OTHER_HOST, tmp_path)
    with pytest.raises(MeetingLinkError, match="Zoom link"):
        join.join(running.record.id, "https://zoom.us/j/123456789", tmp_path)
    with pytest.raises(SessionError, match="confinement"):  # the backend's record is missing
        join.join(running.record.id, ROOM, tmp_path)
    unrecorded = _session(tmp_path, owners)
    with pytest.raises(MeetingLinkError, match="older launcher"):
        join.join(unrecorded.record.id, ROOM, tmp_path)


def test_running_of_lists_live_running_sessions_newest_first(tmp_path: Path,
                                                             owners: Owners) -> None:
    first = _session(tmp_path, owners)
    stale = _session(tmp_path, owners, owned=False)
    starting = _session(tmp_path, owners, "starting")
    later = _session(tmp_path, owners)
    record = later.record
    record.started = 2.0
    (later.dir / "session.json").write_text(json.dumps(record.to_dict()))
    ids = [s.record.id for s in join.running_of("web-meeting", tmp_path)]
    assert ids == [later.record.id, first.record.id]
    assert stale.record.id not in ids and starting.record.id not in ids
    assert join.running_of("zoom", tmp_path) == []


# --------------------------------------------------------------------------- the owner's record


def test_inbox_takes_only_clean_join_events_even_under_a_long_path(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    assert len(str(deep / join.INBOX)) > 108  # too long for a socket address as it is
    inbox = join.JoinInbox(deep)
    try:
        join._tell_owner(deep, {"type": "join", "service": "web", "host": "meet.example.org",
                                "at": 1.5, "pid": 7, "path": "/room?pwd=secret"})
        join._tell_owner(deep, {"type": "join", "service": "web", "host": "bad host;id",
                                "at": 1.0, "pid": 1})
        join._tell_owner(deep, {"service": "shell", "host": "x.org", "at": 1, "pid": 1})
        join._tell_owner(deep, {"nonsense": True})
        events = inbox.read()
        assert events == [{"type": "join", "service": "web", "host": "meet.example.org",
                           "at": 1.5, "pid": 7}]
        assert inbox.report() == {"links": [{"service": "web", "host": "meet.example.org",
                                             "at": 1.5, "pid": 7}], "not_listed": 0}
    finally:
        inbox.close()


def test_the_owner_reports_each_join_live_and_in_the_report(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    plan = make_plan(load_profiles(tmp_path / "none").get("web-meeting"),
                     RunOptions(command=("/usr/bin/true",), join_url=ROOM, network="none"), {})
    base = tmp_path / "sessions"
    base.mkdir()
    joins: list[Join] = []
    session: Session

    def listen(event: Event) -> None:
        if event.state is State.RUNNING and event.data is None:
            found = store.find_session(session.id, base)
            handover = json.loads((found.dir / join.HANDOVER_FILE).read_text())
            assert handover["handover"]["hosts"] == ["meet.example.org"]
            threading.Thread(target=join._tell_owner, args=(found.dir, {
                "type": "join", "service": "web", "host": "meet.example.org", "at": 2.0,
                "pid": 9}), name="joiner").start()
        elif isinstance(event.data, Join):
            joins.append(event.data)
            session.request_stop()

    session = Session(plan, FakeBackend(), listener=listen, sessions_base=base,
                      resources=lambda *_: FakeResources())
    outcome = session.run()
    assert joins == [Join("web", "meet.example.org", 2.0, 9)]
    assert outcome.report["joins"] == {"links": [{"service": "web", "host": "meet.example.org",
                                                  "at": 2.0, "pid": 9}], "not_listed": 0}
    assert not (base / session.id).exists()


# --------------------------------------------------------------------------- the CLI's choice


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _route(link: links.MeetingLink) -> LinkRoute:
    """Where the launch path sends *link* (the running sessions as the test fakes them)."""
    return Launcher().route(link.url)


def _args(**flags: bool) -> argparse.Namespace:
    return argparse.Namespace(join_running=flags.get("join_running", False),
                              new=flags.get("new", False))


@pytest.fixture
def one_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> store.FoundSession:
    found = store.FoundSession(store.SessionRecord(
        id="web-meeting-abcdef", profile="web-meeting", backend="namespace", state="running",
        started=0.0), tmp_path, stale=False)
    monkeypatch.setattr(join, "running_of", lambda profile, base=None: [found])
    return found


def test_open_asks_on_a_terminal_and_keeps_its_old_way_without_one(
        one_running: store.FoundSession) -> None:
    link = links.parse(ROOM)
    err = io.StringIO()
    assert join_cli.choose(_route(link), _args(new=True), err) is None
    assert join_cli.choose(_route(link), _args(join_running=True), err) is one_running
    # no terminal: a new session, as before, with a note
    assert join_cli.choose(_route(link), _args(), err, io.StringIO("j\n")) is None
    assert "--join-running" in err.getvalue()
    for answer, expected in (("j\n", one_running), ("JOIN\n", one_running), ("n\n", None),
                             ("c\n", "cancel"), ("", "cancel"), ("x\n?\nmaybe\n", "cancel"),
                             ("x\nn\n", None)):
        err = io.StringIO()
        got = join_cli.choose(_route(link), _args(), err, _Terminal(answer))
        assert got == expected, answer
        assert "web-meeting-abcdef" in err.getvalue()


def test_of_several_running_sessions_the_one_made_for_the_link_is_chosen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, owners: Owners) -> None:
    made_for_b = Handover(argv=("/usr/bin/true",), hosts=("meet.example.net",))
    older = _session(tmp_path, owners, handover=made_for_b)
    newer = _session(tmp_path, owners, handover=WEB_A)
    monkeypatch.setattr(join, "running_of", lambda profile, base=None: [newer, older])
    assert join.takes(newer, links.parse(ROOM)) and not join.takes(older, links.parse(ROOM))
    pick = join_cli.choose(_route(links.parse(OTHER_HOST)), _args(join_running=True),
                           io.StringIO())
    assert pick == older
    pick = join_cli.choose(_route(links.parse(ROOM)), _args(join_running=True),
                           io.StringIO())
    assert pick == newer
    # none takes it: the newest, whose refusal then says why
    pick = join_cli.choose(_route(links.parse("https://meet.example.com/x")),
                           _args(join_running=True), io.StringIO())
    assert pick == newer


def test_join_running_without_a_running_session_is_an_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(join, "running_of", lambda profile, base=None: [])
    link = links.parse(ROOM)
    assert join_cli.choose(_route(link), _args(), io.StringIO(), _Terminal("j\n")) is None
    with pytest.raises(SessionError, match="no web-meeting session is running"):
        join_cli.choose(_route(link), _args(join_running=True), io.StringIO())


# --------------------------------------------------------------------------- the joiner's checks


def _own_namespaces(*kinds: str) -> dict[str, int]:
    return {kind: os.stat(f"/proc/self/ns/{kind}").st_ino for kind in kinds}


def test_the_joiner_finds_only_the_recorded_namespaces() -> None:
    recorded = _own_namespaces("user", "mnt", "pid")
    fds = joiner.open_namespaces(os.getpid(), recorded)  # the others are shared: fine
    assert sorted(fds) == ["mnt", "pid", "user"]
    for fd in fds.values():
        os.close(fd)
    with pytest.raises(joiner.Failed, match="no longer the session's init"):
        joiner.open_namespaces(os.getpid(), {**recorded, "mnt": recorded["mnt"] + 1})
    with pytest.raises(joiner.Failed, match="were not recorded"):
        joiner.open_namespaces(os.getpid(), _own_namespaces("user", "mnt"))
    with pytest.raises(joiner.Failed, match="is gone"):
        joiner.open_namespaces(2**22 + 17, recorded)


def test_the_joiner_enters_no_user_namespace_that_is_not_below_its_own() -> None:
    fd = os.open("/proc/self/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    try:
        with pytest.raises(joiner.Failed, match="user namespaces"):
            joiner.user_chain(fd)  # our own has no parent we may see: nothing to enter
    finally:
        os.close(fd)
