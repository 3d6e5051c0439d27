"""Spare sessions (issue 17): prepared ahead, fresh for every client, closed until used.

The app's service runs as the unprivileged test user (``spare_driver.py``) and keeps a
spare of one profile; a "click" is its ``start`` call. Each test checks one promise:

- a spare holds nothing of the previous client: the second client gets a new spare with
  its own home, /tmp, hostname and machine-id, and sees none of the first one's files;
- a spare has no route out until its client starts: from inside its network namespace
  nothing is reachable (not even the allowed server), and the same probe reaches the
  allowed server once the client runs; the probe also runs unconfined (its control);
- quitting the app wipes the waiting spare: no process, namespace or state dir is left;
- a client started from a spare is confined exactly like a cold one: the hostile probe
  of ``test_escapes.py`` finds the same nothing in both.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, SYSTEM_PYTHON, LauncherUser, _chown_to
from conftest_net import HostNetns
from support.json_output import json_objects
from test_escapes import EXPECTED_ATTEMPTS, probe_arguments

from sandbox_launcher.verify.fake_internet import DNS_ADDRESS

pytestmark = pytest.mark.integration

DRIVER = REPO_ROOT / "tests" / "integration" / "spare_driver.py"
VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"

#: A profile like zoom's network, without a client to install: the click names the command.
NET_PROFILE = """\
title = "Spare test"
client = "none"

[network]
mode = "allowlist"
domains = ["zoom.us"]
ports = ["tcp/443"]

[devices]
display = "none"
speakers = false
"""

#: A profile with the nested display (Xephyr on the user's X server) and no network.
DISPLAY_PROFILE = """\
title = "Spare display test"
client = "none"

[network]
mode = "none"

[devices]
display = "isolated"
speakers = false
"""

#: Asks the DNS server argv[1] for zoom.us (A), connects to its port 443 and prints the
#: server's banner, or why it could not. Inside the jail the server is the jail's own
#: resolver on 127.0.0.1 (the sandbox's resolv.conf; nsenter keeps the host's).
CONNECT = """\
import socket, sys
query = (b"\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00"
         b"\\x04zoom\\x02us\\x00\\x00\\x01\\x00\\x01")
try:
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.settimeout(3)
    dns.sendto(query, (sys.argv[1], 53))
    address = socket.inet_ntoa(dns.recv(512)[-4:])
    s = socket.create_connection((address, 443), timeout=3)
    print("banner", s.recv(100).decode(errors="replace").strip())
except OSError as exc:
    print("failed", type(exc).__name__, exc)
"""

#: Client 1 leaves marks in its home and /tmp; client 2 reports whether it sees them.
FIRST = ("import json, os, socket\n"
         "open(os.path.expanduser('~/mark-spare'), 'w').write('1')\n"
         "open('/tmp/mark-spare', 'w').write('1')\n"
         "print(json.dumps({'client': 1, 'host': socket.gethostname(),"
         " 'id': open('/etc/machine-id').read().strip()}))\n")
SECOND = ("import json, os, socket\n"
          "print(json.dumps({'client': 2, 'host': socket.gethostname(),"
          " 'id': open('/etc/machine-id').read().strip(),"
          " 'home': sorted(os.listdir(os.path.expanduser('~'))),"
          " 'tmp': sorted(os.listdir('/tmp'))}))\n")


def _spec(tmp: Path, user: LauncherUser, **spec: Any) -> Path:
    profiles = tmp / "profiles"
    profiles.mkdir(exist_ok=True)
    (profiles / "spare-net.toml").write_text(NET_PROFILE)
    (profiles / "spare-display.toml").write_text(DISPLAY_PROFILE)
    _chown_to(user, profiles / "spare-display.toml")
    path = tmp / "spec.json"
    path.write_text(json.dumps({"profiles_dir": str(profiles), **spec}))
    _chown_to(user, profiles / "spare-net.toml")
    _chown_to(user, profiles)
    _chown_to(user, path)
    return path


def _assert_quit_wiped(result: dict[str, Any]) -> None:
    assert result["quit_clean"], result
    gone = result["after_quit"]
    assert gone == {"members": [], "leader_alive": False, "state_dir": False}, gone


def test_a_spare_holds_nothing_of_the_previous_client_and_quit_wipes_it(
    run_as_user: Callable[..., subprocess.CompletedProcess[str]],
    launcher_user: LauncherUser, user_tmp: Path,
) -> None:
    spec = _spec(user_tmp, launcher_user, profile="generic", clients=[
        [SYSTEM_PYTHON, "-c", FIRST], [SYSTEM_PYTHON, "-c", SECOND]])
    done = run_as_user([str(VENV_PYTHON), str(DRIVER), str(spec)], timeout=240)
    assert done.returncode == 0, done.stderr
    lines = json_objects(done.stdout)
    first = next(x for x in lines if x.get("client") == 1)
    second = next(x for x in lines if x.get("client") == 2)
    result = lines[-1]
    runs = result["runs"]
    assert [r["end"] for r in runs] == [{"ended": True, "error": None, "status": 0,
                                         "verified": True, "failed_checks": []}] * 2, runs
    # Each client had its own spare, never touched before: fresh identity and storage.
    assert runs[0]["spare"] != runs[1]["spare"]
    assert runs[0]["before"]["namespaces"]["mnt"] != runs[1]["before"]["namespaces"]["mnt"]
    assert first["host"] != second["host"] and first["id"] != second["id"]
    assert "mark-spare" not in second["home"] and "mark-spare" not in second["tmp"], second
    _assert_quit_wiped(result)


def test_a_spare_has_no_route_out_until_its_client_starts(
    host_netns: HostNetns, launcher_user: LauncherUser, user_tmp: Path,
) -> None:
    probe = [SYSTEM_PYTHON, "-c", CONNECT, "127.0.0.1"]
    # The control: on the user's (fake) desktop the same probe, asking the desktop's DNS
    # server, reaches the server.
    control = host_netns.run([*probe[:-1], DNS_ADDRESS])
    assert control.stdout.startswith("banner zoom-443"), control.stdout + control.stderr
    client = [SYSTEM_PYTHON, "-c", "import time; time.sleep(120)"]  # until stopped
    spec = _spec(user_tmp, launcher_user, profile="spare-net", clients=[client],
                 probe=probe, probe_after=True)
    done = host_netns.run([str(VENV_PYTHON), str(DRIVER), str(spec)], timeout=240)
    assert done.returncode == 0, done.stderr
    result = json_objects(done.stdout)[-1]
    run = result["runs"][0]
    assert run["end"]["verified"], run["end"]["failed_checks"]
    # Stopped: by SIGTERM, or by SIGKILL when the grace ran out (seen on the loaded machine).
    assert run["end"]["status"] in (128 + 15, 128 + 9), run["end"]
    # Before the click: no default route in the spare's network, and nothing reachable.
    assert run["before"]["route"] is False, run
    assert run["before"]["probe"].startswith("failed"), run["before"]
    # Once its client runs: the route exists and the allowed server answers.
    assert run["after"]["route"] is True, run
    assert run["after"]["probe"].startswith("banner zoom-443"), run["after"]
    # The next spare (waiting when the app quit) was closed too, and is wiped.
    assert result["quit_spare"]["route"] is False
    assert result["quit_spare"]["probe"].startswith("failed"), result["quit_spare"]
    _assert_quit_wiped(result)


def test_a_client_from_a_spare_is_confined_like_a_cold_one(
    run_as_user: Callable[..., subprocess.CompletedProcess[str]],
    launcher_user: LauncherUser, user_tmp: Path, host_services: Any, host_identity: Any,
    hostile_client_source: str, no_leftovers: Callable[[str], None],
) -> None:
    marker = f"slspare{secrets.token_hex(6)}"
    args = probe_arguments(host_services, launcher_user, host_identity, marker)
    argv = [SYSTEM_PYTHON, "-c", hostile_client_source, *args]
    spec = _spec(user_tmp, launcher_user, profile="generic", clients=[argv], cold=argv)
    done = run_as_user([str(VENV_PYTHON), str(DRIVER), str(spec)], timeout=300,
                       env_extra=host_services.session_env)
    assert done.returncode == 0, done.stderr
    lines = json_objects(done.stdout)
    probes = [x for x in lines if "attempts" in x]
    assert len(probes) == 2, done.stdout  # the spare's client, then the cold one
    result = lines[-1]
    assert result["runs"][0]["end"]["verified"] and result["cold"]["end"]["verified"], result
    spare, cold = probes
    assert set(spare["attempts"]) >= EXPECTED_ATTEMPTS, sorted(spare["attempts"])
    assert spare["escapes"] == [] and cold["escapes"] == [], (spare["escapes"], cold["escapes"])
    # The same verdict for every attempt, in the spare and cold.
    verdicts = {name: bool(a.get("escaped")) for name, a in spare["attempts"].items()}
    assert verdicts == {name: bool(a.get("escaped")) for name, a in cold["attempts"].items()}
    _assert_quit_wiped(result)
    no_leftovers(marker)


def test_a_spares_display_waits_hidden_and_shows_with_its_client(
    run_as_user: Callable[..., subprocess.CompletedProcess[str]],
    launcher_user: LauncherUser, user_tmp: Path, host_services: Any,
) -> None:
    """No empty window of a session nobody started: the spare's Xephyr is unmapped on the
    user's display until the click, then mapped under the session's title."""
    client = [SYSTEM_PYTHON, "-c", "import time; time.sleep(120)"]  # until stopped
    spec = _spec(user_tmp, launcher_user, profile="spare-display", clients=[client],
                 probe_after=True, display=True)
    done = run_as_user([str(VENV_PYTHON), str(DRIVER), str(spec)], timeout=240,
                       env_extra=host_services.session_env)
    assert done.returncode == 0, done.stderr
    result = json_objects(done.stdout)[-1]
    run = result["runs"][0]
    assert run["end"]["verified"], run["end"]["failed_checks"]
    # Stopped: by SIGTERM, or by SIGKILL when the grace ran out (seen on the loaded machine).
    assert run["end"]["status"] in (128 + 15, 128 + 9), run["end"]
    assert run["window_before"] == "IsUnMapped", run
    assert run["window_after"] == "IsViewable", run
    _assert_quit_wiped(result)

