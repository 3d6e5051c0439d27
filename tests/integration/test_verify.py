"""``sandbox-launcher verify`` run as the unprivileged user, from a live desktop session.

The user's session has an X server, a session bus, an ssh-agent and a gpg-agent, a sound
server with a microphone, a canary in the home and a marked process (``host_services``,
``host_sound``), and the launcher runs on a
terminal so TIOCSTI has a target. verify builds its fake internet itself, without root.
Every built-in profile must block every escape and keep every grant working; two
profiles weakened on purpose must fail, so the verifier is shown able to fail.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import LauncherUser, as_user_argv, user_environment

pytestmark = pytest.mark.integration

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "verify.schema.json")
                    .read_text())
#: Rows this host cannot show, each with why: verify must say "not tested" for them.
NOT_TESTABLE_HERE = {
    "camera": "this machine has no camera",
}
#: Profiles without sound (so without a microphone to mute).
NO_MICROPHONE = {"generic"}
#: Profiles with no name to reach until a meeting link names one (or no network at all).
NO_ALLOWED_NAME = {"generic", "web-meeting", "bigbluebutton-web", "nextcloud-talk-web"}
VERIFY_TIMEOUT = 900  # 8 profiles x 2 sessions, some with a nested X server, on 2 busy cores

WEAK_X11 = """\
title = "Weakened on purpose: the host's X server handed over"
command = ["/bin/true"]

[network]
mode = "none"

[devices]
display = "insecure_host_x11"
speakers = false
"""
WEAK_NET = """\
title = "Weakened on purpose: a raw address range allowed"
command = ["/bin/true"]

[network]
mode = "allowlist"
domains = ["zoom.us"]
cidrs = ["198.51.100.66/32"]
ports = ["tcp/443"]

[devices]
display = "none"
speakers = false
"""


@pytest.fixture
def gpg_agent(launcher_user: LauncherUser,
              run_as_user: Callable[..., subprocess.CompletedProcess[str]]) -> Iterator[None]:
    """The user's gpg-agent, at its standard socket in the runtime dir."""
    # Its own streams to /dev/null: the daemon keeps them, and a pipe would never end.
    started = subprocess.run(as_user_argv(launcher_user, ["gpg-agent", "--daemon"]),
                             env=user_environment(launcher_user), cwd=launcher_user.home,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, timeout=60, check=False)
    assert started.returncode == 0, "gpg-agent --daemon failed"
    yield
    run_as_user(["gpgconf", "--kill", "gpg-agent"])


def run_verify(run_launcher: Callable[..., subprocess.CompletedProcess[str]],
               env: dict[str, str], *profiles: str) -> tuple[int, dict[str, Any]]:
    """``verify --json PROFILES`` on a terminal; the JSON is checked against the schema."""
    done = run_launcher(["verify", "--json", *profiles], env_extra=env, tty=True,
                        timeout=VERIFY_TIMEOUT)
    start = done.stdout.index("{")
    result: dict[str, Any] = json.loads(done.stdout[start:])
    jsonschema.validate(result, SCHEMA)
    return done.returncode, result


def rows(profile: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A profile's checks by name."""
    return {c["name"]: c for c in profile["checks"]}


def test_builtin_profiles_block_everything_and_grants_work(
        run_launcher: Callable[..., subprocess.CompletedProcess[str]],
        host_services: Any, host_sound: Any, gpg_agent: Any,
        no_leftovers: Callable[[str], None]) -> None:
    # The session also has a sound server whose microphone plays a tone: muted, the
    # client must record silence (unconfined, the probe hears the tone: its control).
    status, result = run_verify(run_launcher, {**host_services.session_env,
                                               **host_sound.env})
    names = {p["profile"] for p in result["profiles"]}
    assert {"generic", "zoom", "web-meeting", "teams-web"} <= names, names
    problems = []
    for profile in result["profiles"]:
        assert profile["error"] is None, profile
        found = rows(profile)
        # Every family of issue 16's list is in the table.
        assert {"user_files", "host_processes", "x11_socket", "x11_abstract", "session_bus",
                "ssh_agent", "gpg_agent", "tiocsti", "ptrace", "host_loopback", "lan",
                "host_addresses", "listener", "name_not_allowed", "raw_ip",
                "dns_exfiltration", "machine_ids", "dmi", "devices", "file_left",
                "daemon_left", "allowed_name", "share", "camera", "microphone"} <= set(found)
        for name, row in found.items():
            expected = "working" if row["kind"] == "grant" else "blocked"
            allowed = dict(NOT_TESTABLE_HERE)
            if not Path("/sys/class/dmi/id").exists():
                allowed["dmi"] = "this machine has no DMI table"
            if Path("/proc/sys/dev/tty/legacy_tiocsti").read_text().strip() == "0":
                allowed["tiocsti"] = "the kernel refuses TIOCSTI to everyone"
            if profile["profile"] in NO_ALLOWED_NAME:
                allowed["allowed_name"] = "no name is allowed without a link"
            if profile["profile"] in NO_MICROPHONE:
                allowed["microphone"] = "no sound in this profile"
            if row["status"] == expected:
                continue
            if row["status"] == "not tested" and name in allowed:
                continue
            problems.append(f"{profile['profile']}: {name} {row['status']}: {row['detail']}")
    assert not problems, "\n".join(problems)
    assert status == 0 and result["passed"] is True
    no_leftovers("slleft")  # the probe's files and daemons ("slleft…") are all gone
    no_leftovers("sl-verify-")  # the canary, share folders and the fake internet's files


def test_weakened_profiles_show_their_escape(
        run_launcher: Callable[..., subprocess.CompletedProcess[str]],
        host_services: Any, user_profile: Callable[[str, str], Path]) -> None:
    """The verifier can fail: the host's X11 handed over, a raw range allowed."""
    user_profile("weak-x11", WEAK_X11)
    user_profile("weak-net", WEAK_NET)
    status, result = run_verify(run_launcher, host_services.session_env, "weak-x11",
                                "weak-net")
    assert status == 1 and result["passed"] is False
    by_name = {p["profile"]: rows(p) for p in result["profiles"]}
    x11 = by_name["weak-x11"]
    assert x11["x11_socket"]["status"] == "ESCAPED", x11["x11_socket"]
    # What the weakening did not open stays blocked: the verdicts are per attempt.
    assert x11["user_files"]["status"] == "blocked", x11["user_files"]
    assert x11["raw_ip"]["status"] == "blocked", x11["raw_ip"]
    net = by_name["weak-net"]
    assert net["raw_ip"]["status"] == "ESCAPED", net["raw_ip"]
    assert net["name_not_allowed"]["status"] == "blocked", net["name_not_allowed"]
    assert net["x11_socket"]["status"] == "blocked", net["x11_socket"]
