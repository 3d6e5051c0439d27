"""``sandbox-launcher verify --backend vm``: the hostile probe in a disposable VM, through
the guest agent (seeded into the guest home, its findings handed back by the agent's
home capture), as the unprivileged user from a live desktop session, software emulation.

``generic`` must block everything; a profile weakened on purpose (a raw address range
allowed) must show that escape through the VM's network jail while its allowed name
works, so the verifier is shown able to fail for VMs too.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_verify import WEAK_NET, gpg_agent, rows, run_verify  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.needs_root]

#: Rows a VM session cannot show here, each with why (anything else not tested fails).
NOT_TESTABLE_IN_A_VM = {
    "camera": "no camera is granted by verify",
    "microphone": "generic has no sound",
    "share": "the VM gives no share folder yet (its display and devices are another issue)",
    "allowed_name": "generic allows no name",
    "tiocsti": "needs the launcher's terminal, which the guest never sees",
    "dmi": "this machine has no DMI table to compare with",
}


def test_verify_backend_vm_blocks_everything_and_can_fail(
        vm_default_image: Path, run_launcher: Callable[..., subprocess.CompletedProcess[str]],
        host_services: Any, gpg_agent: Any,  # noqa: F811
        user_profile: Callable[[str, str], Path], no_leftovers: Callable[[str], None]) -> None:
    user_profile("weak-net", WEAK_NET)
    status, result = run_verify(run_launcher, host_services.session_env, "generic",
                                "weak-net", "--backend", "vm")
    by_name = {p["profile"]: p for p in result["profiles"]}
    generic = by_name["generic"]
    assert generic["backend"] == "vm" and generic["error"] is None, generic
    problems = []
    for name, row in rows(generic).items():
        expected = "working" if row["kind"] == "grant" else "blocked"
        if row["status"] == expected:
            continue
        if row["status"] == "not tested" and name in NOT_TESTABLE_IN_A_VM:
            continue
        problems.append(f"generic: {name} {row['status']}: {row['detail']}")
    assert not problems, "\n".join(problems)
    # The rows that matter most in a guest were really tried and blocked, not skipped.
    found = rows(generic)
    for name in ("user_files", "host_processes", "x11_socket", "session_bus", "ssh_agent",
                 "gpg_agent", "ptrace", "machine_ids", "devices", "file_left",
                 "daemon_left", "wipe"):
        assert found[name]["status"] == "blocked", found[name]
    # The weakened profile: its raw range escapes through the jail, the rest holds, and
    # its allowed name works through the same jail.
    weak = by_name["weak-net"]
    assert weak["backend"] == "vm" and weak["error"] is None, weak
    net = rows(weak)
    assert net["raw_ip"]["status"] == "ESCAPED", net["raw_ip"]
    assert net["allowed_name"]["status"] == "working", net["allowed_name"]
    for name in ("name_not_allowed", "lan", "host_loopback", "host_addresses",
                 "dns_exfiltration", "user_files"):
        assert net[name]["status"] == "blocked", net[name]
    assert status == 1 and result["passed"] is False
    no_leftovers("slleft")
    no_leftovers("sl-verify-")
