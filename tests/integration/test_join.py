"""A second meeting link into a running session, for real: bubblewrap, as the test user.

The client is the link stand-in (``tests/stand_in/link_client.py``): one instance per
sandbox, like Zoom or Chromium; each later start leaves a record of how it was started
and confined, and the first one prints every record. A join must put the second command
into the *same* session (namespaces, parent: the sandbox's init), confined exactly as the
first (uid, gid, capabilities, no_new_privs, the same seccomp filter, environment, cwd,
no inherited descriptor, no terminal), with the link as one argument; links the session
was not made for, stopped and stale sessions are refused; and a joined process that
stays is wiped with the session.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    SYSTEM_PYTHON,
    RunLauncher,
    SpawnLauncher,
    finish,
    last_json,
    wait_for_ready,
)
from conftest_net import HostNetns
from stand_in_session import session_of, stand_in_source, start_stand_in

from sandbox_launcher.host import procs

pytestmark = pytest.mark.integration

ROOM = "https://meet.example.org/room"
#: Accepted by the parser, yet full of what a shell would act on (&, ~, @, :, +, %).
ROOM_SHELLY = "https://meet.example.org/r~o%24%28id%29@x:y,z?a=1&id&touch=%2Ftmp%2Fx&b=2+3"
OTHER_HOST = "https://meet.example.net/room"
ZOOM = "https://us02web.zoom.us/j/1234567890?pwd=abc.1"
ZOOM_SECOND = "zoommtg://zoom.us/join?confno=987654321&pwd=x.y-z"
TEAMS = "https://teams.microsoft.com/meet/1234567890?p=abc"
ZERO_CAPS = "0000000000000000"


@pytest.fixture(scope="module")
def link_client() -> str:
    """The stand-in's source, run with ``python3 -c`` (the repo is not in the sandbox)."""
    return stand_in_source("link_client")


@dataclass
class Running:
    """A session of the stand-in: its launcher, id, and the first instance's record."""

    proc: subprocess.Popen[str]
    id: str
    first: dict[str, Any]
    report: Path

    def finish(self) -> tuple[int, list[dict[str, Any]], str]:
        """Wait for the launcher: (status, every record the first instance saw, stderr)."""
        status, stdout, stderr = finish(self.proc, timeout=120)
        return status, last_json(stdout).get("records", []), stderr


def start(spawn: SpawnLauncher, run_launcher: RunLauncher, link_client: str, tmp: Path,
          profile: str, link: str, *client_args: str, network: str = "none") -> Running:
    """``run PROFILE --join LINK -- python3 -c STAND-IN ARGS…`` until the client is ready."""
    started = start_stand_in(spawn, tmp, profile, link_client, *client_args,
                             network=network, join=link)
    listed = run_launcher(["sessions", "--json"], check=True).stdout
    return Running(started.proc, session_of(listed, started.proc.pid),
                   started.ready["record"], started.report)


def _processes_alive(record: dict[str, Any]) -> list[str]:
    """The programs of the live processes the record's process saw in its session."""
    return sorted(p["argv"][0] for p in record["processes"] if p["state"] != "Z")


def assert_confined_like_the_first(first: dict[str, Any], joined: dict[str, Any]) -> None:
    """Everything that tells two processes' confinement apart is the same."""
    assert joined["ns"] == first["ns"], (first["ns"], joined["ns"])  # the same session
    assert joined["init"] == first["init"] == ["/usr/bin/bwrap"]
    assert joined["ppid"] == first["ppid"] == 1  # a child of the sandbox's init
    for key in ("Uid", "Gid", "Groups", "NoNewPrivs", "Seccomp", "Seccomp_filters", "Umask"):
        assert joined["status"][key] == first["status"][key], key
    for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert joined["status"][key] == first["status"][key] == ZERO_CAPS, key
    assert joined["status"]["NoNewPrivs"] == "1" and joined["status"]["Seccomp"] == "2"
    assert int(joined["status"]["Seccomp_filters"]) >= 1
    # The filter works: what it denies fails the same way in both.
    assert joined["denied"] == first["denied"] == {"perf_event_open": "EPERM",
                                                   "keyctl": "EPERM"}
    assert joined["env"] == first["env"]  # the recorded clean environment, PWD included
    assert joined["cwd"] == first["cwd"] == "/home/user"
    assert joined["dumpable"] == first["dumpable"]
    # A session of its own, no terminal, nothing of the launcher's: /dev/null only.
    assert joined["sid"] == joined["pid"] and joined["tty"].startswith("none")
    assert joined["fds"] == {"0": "char 1:3", "1": "char 1:3", "2": "char 1:3"}


def test_probe_control_the_denied_calls_work_unconfined(
        run_as_user: RunLauncher, link_client: str) -> None:
    """Without the sandbox's filter the two calls do not fail with EPERM, so a match
    inside means the filter, not the probe."""
    done = run_as_user([SYSTEM_PYTHON, "-c", link_client, "--probe"])
    assert done.returncode == 0, done.stderr
    denied = last_json(done.stdout)["denied"]
    assert denied["perf_event_open"] != "EPERM" and denied["keyctl"] != "EPERM", denied


def test_a_second_link_runs_in_the_same_session_confined_like_the_first(
        spawn_launcher: SpawnLauncher, run_launcher: RunLauncher, link_client: str,
        user_tmp: Path) -> None:
    running = start(spawn_launcher, run_launcher, link_client, user_tmp, "web-meeting", ROOM,
                    "--expect", "2")
    joined = run_launcher(["join", running.id, ROOM_SHELLY], check=True)
    assert f"to the running session {running.id}" in joined.stdout
    status, records, stderr = running.finish()
    assert status == 0, stderr
    assert "handed a second link: a web meeting on meet.example.org" in stderr
    first, second = records
    assert first == running.first or first["pid"] == running.first["pid"]
    # The link arrived verbatim, as one argument, after exactly the first one's arguments.
    assert first["argv"][-1] == ROOM
    assert second["argv"] == [*first["argv"][:-1], ROOM_SHELLY]
    assert_confined_like_the_first(first, second)
    # Nothing else ran: the session holds its init, the first client and the joined one.
    assert _processes_alive(second) == ["/usr/bin/bwrap", "/usr/bin/python3",
                                        "/usr/bin/python3"]
    report = json.loads(running.report.read_text())
    assert report["wipe"]["verified"] is True, report["wipe"]
    links = report["joins"]["links"]
    assert [(j["service"], j["host"], j["pid"]) for j in links] == [
        ("web", "meet.example.org", second["pid"])]
    assert links[0]["at"] >= report["started"]
    assert "room" not in json.dumps(report["joins"])  # host only: no path, no query


def test_zoom_takes_zoom_links_through_open_join_running_and_refuses_others(
        spawn_launcher: SpawnLauncher, run_launcher: RunLauncher, link_client: str,
        user_tmp: Path) -> None:
    running = start(spawn_launcher, run_launcher, link_client, user_tmp, "zoom", ZOOM,
                    "--expect", "2")
    teams = run_launcher(["join", running.id, TEAMS])
    assert teams.returncode == 2 and "takes only zoom links" in teams.stderr, teams.stderr
    web = run_launcher(["join", running.id, ROOM])
    assert web.returncode == 2 and "takes only zoom links" in web.stderr, web.stderr
    # No terminal and no choice: open keeps starting a new session, so ask explicitly.
    opened = run_launcher(["open", ZOOM_SECOND, "--join-running"], check=True)
    assert f"running session {running.id}" in opened.stderr
    status, records, stderr = running.finish()
    assert status == 0, stderr
    first, second = records
    assert first["argv"][-1] == ("zoommtg://zoom.us/join?action=join&confno=1234567890"
                                 "&pwd=abc.1")
    assert second["argv"] == [*first["argv"][:-1], "zoommtg://zoom.us/join?action=join"
                              "&confno=987654321&pwd=x.y-z"]
    assert_confined_like_the_first(first, second)
    report = json.loads(running.report.read_text())
    assert [(j["service"], j["host"]) for j in report["joins"]["links"]] == [
        ("zoom", "zoom.us")]


def test_links_the_session_was_not_made_for_and_stopped_sessions_are_refused(
        spawn_launcher: SpawnLauncher, run_launcher: RunLauncher, link_client: str,
        user_tmp: Path) -> None:
    running = start(spawn_launcher, run_launcher, link_client, user_tmp, "web-meeting", ROOM)
    other = run_launcher(["join", running.id, OTHER_HOST])
    assert other.returncode == 2, other.stderr
    assert "meet.example.net is not allowed" in other.stderr
    assert "made for meet.example.org" in other.stderr and "new session" in other.stderr
    zoom = run_launcher(["join", running.id, ZOOM])
    assert zoom.returncode == 2 and "Zoom link" in zoom.stderr, zoom.stderr
    for hostile in ("https://meet.example.org/r?a=$(id)", "https://meet.example.org/r;id",
                    "https://meet.example.org/r`id`", "https://meet.example.org/r id"):
        refused = run_launcher(["join", running.id, hostile])
        assert refused.returncode == 2 and "not a meeting link" in refused.stderr
    stopped = run_launcher(["stop", running.id], check=True)
    assert "wipe verified" in stopped.stdout
    status, records, stderr = running.finish()
    assert status == 0, stderr
    assert [r["role"] for r in records] == ["first"], records  # nothing reached it
    after = run_launcher(["join", running.id, ROOM])
    assert after.returncode == 2 and "there is no session" in after.stderr, after.stderr
    report = json.loads(running.report.read_text())
    assert report["joins"]["links"] == [] and report["wipe"]["verified"] is True


def _session_pids(namespaces: dict[str, int]) -> list[int]:
    return procs.members({"pid": namespaces["pid"]})


def test_a_joined_process_that_stays_is_wiped_with_the_session(
        spawn_launcher: SpawnLauncher, run_launcher: RunLauncher, link_client: str,
        user_tmp: Path, no_leftovers: Callable[[str], None]) -> None:
    marker = f"sljoin{secrets.token_hex(5)}"
    running = start(spawn_launcher, run_launcher, link_client, user_tmp, "web-meeting", ROOM,
                    "--stay", "600", "--ignore-term", "--marker", marker)
    listed = json.loads(run_launcher(["sessions", "--json"], check=True).stdout)
    namespaces = next(s["backend_state"]["data"]["namespaces"] for s in listed
                      if s["id"] == running.id)
    before = set(_session_pids(namespaces))
    run_launcher(["join", running.id, f"{ROOM}?second=1"], check=True)
    deadline = time.monotonic() + 30
    while len(set(_session_pids(namespaces)) - before) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    joined = set(_session_pids(namespaces)) - before
    assert joined, "the joined process never showed up in the session"
    stopped = run_launcher(["stop", running.id], check=True)
    assert "wipe verified" in stopped.stdout, stopped.stdout
    finish(running.proc, timeout=120)
    assert not any(procs.is_alive(pid) for pid in joined)
    assert _session_pids(namespaces) == []
    report = json.loads(running.report.read_text())
    checks = {c["name"]: c for c in report["wipe"]["checks"]}
    assert report["wipe"]["verified"] is True, report["wipe"]
    assert checks["no process left"]["ok"] and checks["namespaces released"]["ok"]
    # It ignored SIGTERM: the kernel ended it with the session's PID namespace when the
    # client (the session's first process) went, or the wipe did.
    no_leftovers(marker)


def test_a_session_whose_launcher_died_is_refused_as_stale(
        spawn_launcher: SpawnLauncher, run_launcher: RunLauncher, link_client: str,
        user_tmp: Path) -> None:
    running = start(spawn_launcher, run_launcher, link_client, user_tmp, "web-meeting", ROOM)
    os.kill(running.proc.pid, signal.SIGKILL)
    running.proc.wait(timeout=30)
    refused = run_launcher(["join", running.id, ROOM])
    assert refused.returncode == 1, refused.stderr
    assert "launcher that is gone" in refused.stderr and "wipe --stale" in refused.stderr
    wiped = run_launcher(["wipe", "--stale"], check=True)
    assert running.id in wiped.stdout and "wipe verified" in wiped.stdout


@pytest.fixture
def jailed(host_netns: HostNetns) -> Iterator[HostNetns]:
    """The launcher on the fake internet's host machine, where a jail can be built."""
    yield host_netns


def test_a_join_enters_the_network_jail_too(jailed: HostNetns, link_client: str,
                                            user_tmp: Path) -> None:
    report = user_tmp / "jailed-report.json"
    proc = jailed.spawn_launcher(["run", "web-meeting", "--join", ROOM, "--report", str(report),
                                  "--", SYSTEM_PYTHON, "-c", link_client, "--expect", "2"])
    first = wait_for_ready(proc, timeout=90)["record"]
    listed = json.loads(jailed.run_launcher(["sessions", "--json"]).stdout)
    session = next(s["id"] for s in listed if s["launcher_pid"] == proc.pid)
    done = jailed.run_launcher(["join", session, f"{ROOM}?again=1"])
    assert done.returncode == 0, done.stderr
    status, stdout, stderr = finish(proc, timeout=120)
    assert status == 0, stderr
    records = last_json(stdout)["records"]
    assert records[0]["pid"] == first["pid"]
    assert_confined_like_the_first(records[0], records[1])
    host_net = os.readlink("/proc/self/ns/net")
    assert records[1]["ns"]["net"] != host_net  # the jail's, the same as the first's
    data = json.loads(report.read_text())
    assert data["grants"]["network"]["mode"] == "allowlist"
    assert data["grants"]["network"]["domains"] == ["meet.example.org"]
    assert data["wipe"]["verified"] is True, data["wipe"]
