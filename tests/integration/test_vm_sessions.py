"""VM sessions with the session layer's hooks, for real: libvirtd in session mode as the
unprivileged user, software emulation, the default image built by the project's builder.

- Remembered sign-in: the agent seeds the guest home from the decrypted vault before the
  client starts and hands the sign-in paths back before the domain is destroyed; the
  host seals them as for namespace sessions (a real gnome-keyring, conftest_keyring.py).
- Joins: ``sandbox-launcher join ID LINK`` hands a second link to the running VM
  session's agent (its join port), which starts the client with it in the same guest.
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    REPO_ROOT,
    LauncherUser,
    RunLauncher,
    SpawnLauncher,
    as_user_argv,
    finish,
    wait_for_ready,
)
from conftest_keyring import SecretService, secret_service  # noqa: F401
from conftest_vm import BOOT_TIMEOUT
from test_vault_keyring import files_holding

pytestmark = [pytest.mark.integration, pytest.mark.needs_root]

PYTHON = str(REPO_ROOT / ".venv" / "bin" / "python")
CHILD = str(REPO_ROOT / "tests" / "integration" / "vm_session_child.py")
MARKER = "SL-VM-VAULT-7f3a9c"
CONTROL = "SL-VM-DISK-CONTROL-2b81e4"


def _domains(run_as_user: RunLauncher) -> list[str]:
    listed = run_as_user(["virsh", "-c", "qemu:///session", "list", "--all", "--name"],
                         path="/usr/bin:/bin")
    assert listed.returncode == 0, listed.stderr
    return listed.stdout.split()


def _vm_session(service: SecretService, images: Path, op: str,
                **env: str) -> tuple[dict[str, Any], str]:
    """One VM session of zoom through the launch path, as the user, with the keyring's
    bus; the runtime dir is the user's real one (a tmpfs: the guest's disk overlay)."""
    environment = {**service.env(**env), "XDG_RUNTIME_DIR": str(service.user.runtime_dir),
                   "SL_TEST_IMAGES": str(images)}
    done = subprocess.run(as_user_argv(service.user, [PYTHON, CHILD, op, "zoom"]),
                          env=environment, cwd=service.root, capture_output=True, text=True,
                          timeout=2 * BOOT_TIMEOUT + 120, stdin=subprocess.DEVNULL,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    *output, last = done.stdout.splitlines()
    return json.loads(last), "\n".join(output)


def test_sign_in_written_in_one_vm_session_is_there_in_the_next(
        vm_default_image: Path, secret_service: SecretService,  # noqa: F811
        run_as_user: RunLauncher) -> None:
    images = vm_default_image.parent
    first, output = _vm_session(secret_service, images, "write", SL_TOKEN=MARKER,
                                SL_CONTROL=CONTROL)
    assert "SIGNED-IN" in output, output
    # While the guest ran, its disk overlay (a file in the runtime dir, which need not be
    # a tmpfs) never held the sign-in: the guest home is in the guest's memory. The
    # control: what the client wrote to the guest's disk is found there.
    assert first["overlay"] == {"token": False, "control": True}, first["overlay"]
    assert first["status"] == 128 + signal.SIGTERM, first  # stopped by the user
    assert first["wiped"], first["checks"]
    assert first["saved"], first["notes"]
    # A link the client planted is not kept (the agent packs it as "not a regular file").
    assert any("planted-link: not captured" in n for n in first["notes"]), first["notes"]
    assert (secret_service.vault_dir / "zoom.vault").is_file()

    second, shown = _vm_session(secret_service, images, "read")
    assert second["domain"] != first["domain"]  # a fresh VM, never the first one again
    assert any("restored from the vault (save #1" in n for n in second["notes"]), second
    assert f"token={MARKER}" in shown and "language=de" in shown, shown
    assert "logs" not in shown and "planted-link" not in shown  # neither kept nor made
    assert second["wiped"] and second["saved"], second
    # Plain text on no disk: not in the keyring's dir, the vaults, the user's home (which
    # holds libvirt's logs and the images), nor /var/tmp. The control: the search finds
    # the marker in the encrypted vault's plain form, which only the keyring's key opens.
    disk = [secret_service.root, secret_service.user.home, Path("/var/tmp"),
            secret_service.user.runtime_dir]
    assert files_holding(MARKER.encode(), disk) == []
    export = secret_service.root / "exported" / "zoom.tar"
    export.parent.mkdir()
    export.parent.chmod(0o777)
    exported = secret_service.launcher("vault", "export", "zoom", "--to", str(export), "--yes")
    assert exported.returncode == 0, exported.stderr
    assert files_holding(MARKER.encode(), disk) == [str(export)]
    assert [d for d in _domains(run_as_user) if d in (first["domain"], second["domain"])] == []


JOIN_CLIENT = (
    'echo "link $1" >> /tmp/links; [ -e /tmp/first ] && exit 0; : > /tmp/first; '
    'echo \'{"ready": true}\'; n=0; '
    'while [ "$(wc -l < /tmp/links)" -lt 2 ] && [ $n -lt 600 ]; do sleep 0.2; n=$((n+1)); '
    'done; cat /tmp/links')
ROOM = "https://meet.example.org/room"
ROOM_SHELLY = "https://meet.example.org/r~o%24%28id%29@x:y,z?a=1&id&touch=%2Ftmp%2Fx&b=2+3"


def test_a_second_link_is_handed_to_the_running_vm_session(
        vm_default_image: Path, spawn_launcher: SpawnLauncher, run_launcher: RunLauncher,
        run_as_user: RunLauncher, launcher_user: LauncherUser, user_tmp: Path) -> None:
    report = user_tmp / "report.json"
    proc = spawn_launcher(["run", "web-meeting", "--backend", "vm", "--network", "none",
                           "--join", ROOM, "--report", str(report), "--",
                           "/bin/sh", "-c", JOIN_CLIENT, "sh"])
    wait_for_ready(proc, timeout=BOOT_TIMEOUT)
    listed = json.loads(run_launcher(["sessions", "--json"], check=True).stdout)
    session = next(s["id"] for s in listed if s["launcher_pid"] == proc.pid)
    other = run_launcher(["join", session, "https://meet.example.net/room"])
    assert other.returncode == 2 and "meet.example.net is not allowed" in other.stderr
    joined = run_launcher(["join", session, ROOM_SHELLY], check=True)
    assert f"to the running session {session}" in joined.stdout
    status, stdout, stderr = finish(proc, timeout=BOOT_TIMEOUT)
    assert status == 0, stdout + stderr
    # Both instances ran in the one guest, each with its link verbatim as one argument;
    # the link the session was not made for never arrived.
    assert stdout.splitlines()[-2:] == [f"link {ROOM}", f"link {ROOM_SHELLY}"], stdout
    assert "handed a second link" in stderr
    result = json.loads(report.read_text())
    assert result["wipe"]["verified"] is True, result["wipe"]
    pid = int(joined.stdout.rsplit("pid ", 1)[1].split()[0])
    assert [(j["service"], j["host"], j["pid"]) for j in result["joins"]["links"]] == [
        ("web", "meet.example.org", pid)]
    assert pid > 1
    assert "slt-" + session not in _domains(run_as_user)


POOL_CHILD = str(REPO_ROOT / "tests" / "integration" / "vm_pool_child.py")


def test_the_apps_warm_pool_serves_a_session_once_refills_and_quitting_leaves_nothing(
        vm_default_image: Path, run_as_user: RunLauncher, launcher_user: LauncherUser) -> None:
    done = run_as_user([PYTHON, POOL_CHILD], timeout=4 * BOOT_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    *output, last = done.stdout.splitlines()
    result = json.loads(last)
    print(json.dumps({k: result[k] for k in ("fill_s", "takes")}))  # the figures
    assert result["problem"] == "", result
    [session] = result["sessions"]
    assert session["error"] is None and session["status"] == 0, result
    assert session["wiped"], result
    assert sum("in-guest sandbox" in line for line in output) == 1, output
    # The session resumed the pooled VM: one take, timed from resume to the agent's answer.
    [handed] = result["handed_out"]
    assert handed.startswith("slt-pool-") and result["ready_before"] == [1], result
    assert len(result["takes"]) == 1 and 0 < result["takes"][0] < 30, result
    # Used once, never again: its domain is gone with its session; the pool refilled in
    # the background with a new VM, which is all the pool's dir holds.
    [waiting] = result["waiting"]
    assert waiting != handed and waiting.startswith("slt-pool-"), result
    assert handed not in result["domains_before_quit"], result
    assert waiting in result["domains_before_quit"], result
    assert result["pool_dir_before_quit"] == [waiting.removeprefix("slt-")], result
    # The app quits: the waiting VM is destroyed and wiped, the pool's dir is gone.
    assert result["shutdown_ok"], result
    assert [d for d in result["domains_after"] if d.startswith("slt-pool-")] == [], result
    assert not result["pool_dir_after_quit"], result
    assert [d for d in _domains(run_as_user) if d.startswith("slt-pool-")] == []
    qemu = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
    assert [line for line in qemu.stdout.splitlines() if "guest=slt-pool-" in line] == []
