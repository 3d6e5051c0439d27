"""The hostile stand-in tries every escape of DESIGN §2 from inside a ``generic`` session.

The launcher runs as the unprivileged test user, from an environment that exports the
user's live X server, session bus, ssh-agent and a token, with a secret in the home and a
marked process running next to it. Every attempt must be made and none may work; the session must
then be wiped, verified, and leave no file or process behind.

Each probe is first run *outside* the sandbox, as the same user with the same arguments: it
must escape there. Otherwise a dead service or a wrong path would make the sandboxed run pass
for the wrong reason.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

PYTHON = "/usr/bin/python3"

#: Every attempt the probe below must report; one missing means it was never tried.
EXPECTED_ATTEMPTS = frozenset(
    {
        "read_canary",
        "list_home",
        "host_pid",
        "host_marker",
        "x11_socket",
        "x11_abstract",
        "dbus_session",
        "dbus_system",
        "dbus_abstract",
        "ssh_agent",
        "socket_scan",
        "host_macs",
        "machine_id",
        "boot_id",
        "hostname",
        "tiocsti",
        "inherited_fds",
        "foreign_fds",
        "env_secret",
        "leave_files",
        "leave_daemon",
    }
)

#: What the same probe must achieve unconfined, as the same user, to prove it can.
MUST_ESCAPE_ON_HOST = frozenset(
    {
        "read_canary",
        "list_home",
        "host_pid",
        "host_marker",
        "x11_socket",
        "x11_abstract",
        "dbus_session",
        "dbus_abstract",
        "ssh_agent",
        "socket_scan",
        "boot_id",
        "hostname",
        "env_secret",
    }
)

#: Variables a desktop session exports that would point the client at the user's services.
SESSION_VARIABLES = ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "SSH_AUTH_SOCK", "SL_SESSION_TOKEN")


@dataclass(frozen=True)
class ProbeRun:
    """One probe run inside a session: the client's own report and the launcher's."""

    marker: str
    status: int
    stdout: str
    stderr: str
    client: dict[str, Any]
    report: dict[str, Any]


def probe_arguments(services: Any, user: Any, identity: Any, marker: str | None) -> list[str]:
    """The probe's command line: every attempt, aimed at the user's real things."""
    args = [
        "probe",
        "--canary",
        str(services.canary),
        "--home",
        str(user.home),
        "--host-pid",
        str(services.host_pid),
        "--host-marker",
        services.host_marker,
        "--x11-socket",
        services.x11_socket,
        "--x11-abstract",
        services.x11_abstract,
        "--dbus-socket",
        services.dbus_socket,
        "--dbus-abstract",
        services.dbus_abstract,
        "--ssh-socket",
        services.ssh_socket,
        # With no MAC on the host any non-zero MAC inside still counts, so the list may be
        # a placeholder; likewise a host without machine-id has nothing to leak.
        "--host-macs",
        ",".join(identity.macs) or "02:00:00:00:00:00",
        "--host-machine-id",
        identity.machine_id or secrets.token_hex(16),
        "--host-boot-id",
        identity.boot_id,
        "--host-hostname",
        identity.hostname,
        "--env-secret",
        services.env_secret,
        # The launcher's own "open this address" socket, which every namespace session
        # is given for its xdg-open stand-in (test_links_out.py): asked about, not open.
        "--granted-socket",
        "/run/sandbox-launcher/links.sock",
        "--tiocsti",
        "--inherited-fds",
        "--foreign-fds",
        "--sysinfo",
    ]
    if marker is not None:
        args += ["--leave-marker", marker]
    return args


@pytest.fixture
def sandboxed_probe(
    run_launcher: Callable[..., subprocess.CompletedProcess[str]],
    client_argv: Callable[..., list[str]],
    client_json: Callable[[str], dict[str, Any]],
    host_services: Any,
    host_identity: Any,
    launcher_user: Any,
    user_tmp: Path,
    no_leftovers: Callable[[str], None],
) -> ProbeRun:
    """Run the full probe in a ``generic`` session from a session that exports everything."""
    marker = f"slesc{secrets.token_hex(6)}"
    report_path = user_tmp / "report.json"
    args = probe_arguments(host_services, launcher_user, host_identity, marker)
    done = run_launcher(
        ["run", "generic", "--report", str(report_path), "--", *client_argv(*args)],
        env_extra=host_services.session_env,
    )
    print(done.stdout)  # the client's findings, shown by pytest when a test fails
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert report_path.exists(), f"no report written; stderr:\n{done.stderr}"
    return ProbeRun(
        marker=marker,
        status=done.returncode,
        stdout=done.stdout,
        stderr=done.stderr,
        client=client_json(done.stdout),
        report=json.loads(report_path.read_text()),
    )


def test_probes_escape_when_unconfined(
    run_as_user: Callable[..., subprocess.CompletedProcess[str]],
    client_json: Callable[[str], dict[str, Any]],
    host_services: Any,
    host_identity: Any,
    launcher_user: Any,
    hostile_client_source: str,
) -> None:
    """The control: same user, same arguments, no sandbox. The escapes must work here."""
    args = probe_arguments(host_services, launcher_user, host_identity, marker=None)
    done = run_as_user(
        [PYTHON, "-c", hostile_client_source, *args], env_extra=host_services.session_env
    )
    assert done.returncode == 0, done.stderr
    escapes = set(client_json(done.stdout)["escapes"])
    must = set(MUST_ESCAPE_ON_HOST)
    if host_identity.machine_id:
        must.add("machine_id")
    if host_identity.macs:
        must.add("host_macs")
    assert must <= escapes, f"unconfined, these probes could not escape: {sorted(must - escapes)}"


def test_every_escape_is_attempted_and_none_works(sandboxed_probe: ProbeRun) -> None:
    attempts = sandboxed_probe.client["attempts"]
    missing = EXPECTED_ATTEMPTS - set(attempts)
    assert not missing, f"never attempted: {sorted(missing)}"
    escaped = {name: attempts[name]["detail"] for name in sandboxed_probe.client["escapes"]}
    # The only socket passed over is the launcher's own links socket, and it was there.
    assert "(granted, not tried: ['/run/sandbox-launcher/links.sock'])" in (
        attempts["socket_scan"]["detail"])
    assert not escaped, "the client escaped:\n" + "\n".join(
        f"  {name}: {detail}" for name, detail in sorted(escaped.items())
    )


@pytest.mark.parametrize("name", sorted(EXPECTED_ATTEMPTS))
def test_each_escape_family(sandboxed_probe: ProbeRun, name: str) -> None:
    """One line per family in the summary, so a regression names what broke."""
    attempt = sandboxed_probe.client["attempts"].get(name)
    assert attempt is not None, f"{name} was never attempted"
    assert attempt["escaped"] is False, f"{name} escaped: {attempt['detail']}"


def test_session_variables_are_not_passed_on(sandboxed_probe: ProbeRun) -> None:
    """Even unusable, $DISPLAY or $SSH_AUTH_SOCK tell the client what the user runs."""
    env_keys = set(sandboxed_probe.client["sysinfo"]["env_keys"])
    assert not env_keys & set(SESSION_VARIABLES)


def test_confinement_matches_what_the_report_claims(sandboxed_probe: ProbeRun) -> None:
    info = sandboxed_probe.client["sysinfo"]
    grants = sandboxed_probe.report["grants"]
    assert int(info["status"]["CapEff"], 16) == 0, info["status"]
    if grants.get("nested_user_namespaces") is False:
        assert info["nested_userns"].startswith("denied"), info["nested_userns"]
    if "environment" in grants:
        # PWD is set by bwrap's chdir, not handed over from the user's session.
        assert set(info["env_keys"]) - {"PWD"} <= set(grants["environment"])


def test_session_is_wiped_verified_and_leaves_nothing(
    sandboxed_probe: ProbeRun, no_leftovers: Callable[[str], None]
) -> None:
    report = sandboxed_probe.report
    assert report["profile"] == "generic"
    assert report["exit"]["status"] == 0 and report["exit"]["code"] == 0, report["exit"]
    wipe = report["wipe"]
    failed = [check for check in wipe["checks"] if not check["ok"]]
    assert wipe["verified"] is True and not failed, failed or wipe
    # The daemon ignored SIGTERM and SIGHUP and the files went everywhere writable: the
    # host must see none of them (the launcher has returned, so the session is over).
    no_leftovers(sandboxed_probe.marker)


def test_tiocsti_from_a_terminal(
    run_as_user: Callable[..., subprocess.CompletedProcess[str]],
    run_launcher: Callable[..., subprocess.CompletedProcess[str]],
    client_argv: Callable[..., list[str]],
    client_json: Callable[[str], dict[str, Any]],
) -> None:
    """Started from a terminal, the client must not type into it (CVE-2017-5226 style)."""
    probe = client_argv("probe", "--tiocsti")
    legacy = Path("/proc/sys/dev/tty/legacy_tiocsti")
    if not (legacy.exists() and legacy.read_text().strip() == "0"):
        # Control: unconfined on the same terminal, the kernel lets it through.
        control = run_as_user(probe, tty=True)
        assert client_json(control.stdout)["escapes"] == ["tiocsti"], control.stdout
    done = run_launcher(["run", "generic", "--", *probe], tty=True)
    assert done.returncode == 0, done.stderr
    attempt = client_json(done.stdout)["attempts"]["tiocsti"]
    assert attempt["escaped"] is False, attempt["detail"]


def test_two_sessions_do_not_see_each_other(
    spawn_launcher: Callable[..., subprocess.Popen[str]],
    client_argv: Callable[..., list[str]],
    client_json: Callable[[str], dict[str, Any]],
    wait_ready: Callable[..., dict[str, Any]],
    finish_launcher: Callable[..., tuple[int, str, str]],
    no_leftovers: Callable[[str], None],
) -> None:
    first, second = f"slpeera{secrets.token_hex(5)}", f"slpeerb{secrets.token_hex(5)}"
    procs = [
        spawn_launcher(
            [
                "run",
                "generic",
                "--",
                *client_argv("peer", "--marker", a, "--other", b, "--seconds", "6"),
            ]
        )
        for a, b in ((first, second), (second, first))
    ]
    for proc in procs:
        wait_ready(proc)
    # Both are up and polling; their traces must not be on the host either.
    assert not Path("/tmp", first).exists() and not Path("/tmp", second).exists()
    results = []
    for proc in procs:
        status, stdout, stderr = finish_launcher(proc)
        assert status == 0, f"stdout:\n{stdout}\nstderr:\n{stderr}"
        results.append(client_json(stdout))
    for result in results:
        assert result == {
            "mode": "peer",
            "saw_other_process": False,
            "saw_other_file": False,
            "saw_other_socket": False,
            # Its own traces it does see, so the looking works inside a sandbox.
            "sees_own": {"process": True, "file": True, "socket": True},
        }
    no_leftovers(first)
    no_leftovers(second)
