"""The hostile stand-in inside a disposable VM (``run generic --backend vm``).

The same probe as test_escapes.py, aimed at the user's real X server, session bus,
ssh-agent, secret file and marked process, run through the guest agent. Its control (the
same probe unconfined, where it must escape) is test_escapes.py's
``test_probes_escape_when_unconfined``. A kernel lies between: nothing of the host exists
in the guest, so every attempt must fail, and after the run nothing may be left.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest_vm import BOOT_TIMEOUT
from test_escapes import EXPECTED_ATTEMPTS, probe_arguments

pytestmark = [pytest.mark.integration, pytest.mark.needs_root]

#: Needs a terminal that the launcher's stdin is; the VM has no path back to it anyway.
NOT_APPLICABLE = frozenset({"tiocsti"})


def test_the_hostile_client_in_a_vm_escapes_nothing_and_leaves_nothing(
    vm_default_image: Path, run_launcher: Callable[..., Any],
    client_argv: Callable[..., list[str]], client_json: Callable[[str], dict[str, Any]],
    host_services: Any, host_identity: Any, launcher_user: Any,
    no_leftovers: Callable[[str], None],
) -> None:
    marker = "slvmesc" + launcher_user.name.replace("-", "")
    args = [a for a in probe_arguments(host_services, launcher_user, host_identity, marker)
            if a != "--tiocsti"]
    done = run_launcher(["run", "generic", "--backend", "vm", "--", *client_argv(*args)],
                        env_extra=host_services.session_env, timeout=BOOT_TIMEOUT)
    print(done.stdout)  # the client's findings, shown by pytest when a test fails
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    client = client_json(done.stdout)
    missing = EXPECTED_ATTEMPTS - NOT_APPLICABLE - set(client["attempts"])
    assert not missing, f"never attempted: {sorted(missing)}"
    escaped = {n: client["attempts"][n]["detail"] for n in client["escapes"]}
    assert not escaped, f"the client escaped the VM: {escaped}"
    # The guest's identity is its own, and the launcher's session variables stayed out.
    assert client["sysinfo"]["env_keys"]
    assert not {"DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "SSH_AUTH_SOCK",
                "SL_SESSION_TOKEN"} & set(client["sysinfo"]["env_keys"])
    no_leftovers(marker)
