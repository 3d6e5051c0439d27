"""The disposable-VM backend for real: libvirtd in session mode as the unprivileged user,
software emulation (this host's KVM guests hang), a guest built by the project's builder.

Images come from conftest_vm.py (built once, cached by the recipe's hash).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    REPO_ROOT,
    LauncherUser,
    RunLauncher,
    as_user_argv,
    last_json,
    user_environment,
)
from conftest_vm import BOOT_TIMEOUT

from sandbox_launcher.backends.vm.image import load_image

pytestmark = [pytest.mark.integration, pytest.mark.needs_root]

VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
DRIVER = REPO_ROOT / "tests" / "integration" / "vm_driver.py"


def _driver(run_as_user: RunLauncher, *args: str) -> dict[str, Any]:
    done = run_as_user([str(VENV_PYTHON), str(DRIVER), *args], timeout=BOOT_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    return last_json(done.stdout)


def _domains(run_as_user: RunLauncher) -> list[str]:
    listed = run_as_user(["virsh", "-c", "qemu:///session", "list", "--all", "--name"],
                         path="/usr/bin:/bin")
    assert listed.returncode == 0, listed.stderr
    return listed.stdout.split()


def _qemu_of(name: str) -> list[str]:
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True)
    return [line for line in ps.stdout.splitlines() if f"guest={name}," in line]


def test_image_verify_refuses_a_modified_image(
    vm_test_image: Path, run_launcher: RunLauncher, launcher_user: LauncherUser,
    user_tmp: Path,
) -> None:
    data_home = user_tmp / "data"
    copy = data_home / "sandbox-launcher" / "images" / "test"
    shutil.copytree(vm_test_image, copy)
    subprocess.run(["chown", "-R", f"{launcher_user.uid}:{launcher_user.gid}", str(user_tmp)],
                   check=True)
    env = {"XDG_DATA_HOME": str(data_home)}
    intact = run_launcher(["image", "verify", "test"], env_extra=env)
    assert intact.returncode == 0, intact.stderr  # the control: an untouched copy passes
    initrd = copy / "initrd.img"
    initrd.chmod(0o644)
    with initrd.open("r+b") as f:
        f.seek(1000)
        f.write(b"\x00implant")
    initrd.chmod(0o444)
    refused = run_launcher(["image", "verify", "test"], env_extra=env)
    assert refused.returncode == 1
    assert "was modified: initrd.img" in refused.stderr
    assert "sandbox-launcher image build test" in refused.stderr


def test_a_command_runs_in_the_guest_and_nothing_is_left(
    vm_test_image: Path, run_as_user: RunLauncher, vm_workdir: Path,
    launcher_user: LauncherUser,
) -> None:
    script = ("import os, socket; print(open('/proc/1/cmdline').read().replace('\\0', ' ')); "
              f"print('host home visible:', os.path.exists({str(launcher_user.home)!r})); "
              "print('hostname:', socket.gethostname()); raise SystemExit(7)")
    result = _driver(run_as_user, "run", str(vm_workdir), "/usr/bin/python3", "-c", script)
    stdout = "".join(text for stream, text in result["output"] if stream == "stdout")
    assert result["status"] == 7
    assert "slt_agent.py" in stdout  # PID 1 is the guest's agent, not the host's init
    assert "host home visible: False" in stdout and "hostname: sandbox" in stdout
    state = result["state"]
    # This host: the user may not open /dev/kvm, and KVM guests hang where it may.
    assert state["accel"] == "tcg" and "using software emulation" in state["accel_detail"]
    assert state["uri"] == "qemu:///session"
    # Debian's kernel carries the PVH entry: the build unpacked it, so it boots without
    # ~6 s of a bzImage decompressing itself under TCG.
    assert load_image("test", vm_test_image.parent).kernel == vm_test_image / "vmlinux"
    assert [c for c in result["checks"] if not c["ok"]] == [], result["checks"]
    assert len(result["checks"]) == 3
    # The same, seen independently of the backend's own verify:
    assert state["domain"] not in _domains(run_as_user)
    assert _qemu_of(state["domain"]) == []
    assert list(vm_workdir.iterdir()) == []
    print(f"TCG: command done {result['run_s']:.1f} s after start, wipe {result['wipe_s']:.2f} s",
          file=sys.stderr)


def test_a_killed_launcher_leaves_nothing_after_stale_recovery(
    vm_test_image: Path, run_as_user: RunLauncher, launcher_user: LauncherUser,
    vm_workdir: Path,
) -> None:
    holder = subprocess.Popen(
        as_user_argv(launcher_user, [str(VENV_PYTHON), str(DRIVER), "hold", str(vm_workdir)]),
        env=user_environment(launcher_user), cwd=launcher_user.home,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        line = holder.stdout.readline()  # blocks until the guest's agent said hello
        assert line, holder.stderr.read() if holder.stderr else ""
        state = json.loads(line)["state"]
        domain = state["domain"]
        assert domain in _domains(run_as_user) and _qemu_of(domain)
        holder.send_signal(signal.SIGKILL)
        holder.wait(30)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(30)
        for stream in (holder.stdout, holder.stderr):
            if stream is not None:
                stream.close()
    # The domain dies with the killed launcher's libvirt connection (autodestroy)...
    deadline = time.monotonic() + 60
    while domain in _domains(run_as_user) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert domain not in _domains(run_as_user)
    assert _qemu_of(domain) == []
    # ...but its files stay until stale recovery removes them.
    assert Path(state["overlay"]).exists()
    recovered = _driver(run_as_user, "recover", str(vm_workdir))
    assert recovered["checks"] and all(c["ok"] for c in recovered["checks"]), recovered
    assert list(vm_workdir.iterdir()) == []


def test_no_libvirtd_is_a_typed_error_with_a_fix(
    run_as_user: RunLauncher, vm_workdir: Path,
) -> None:
    code = ("from sandbox_launcher.backends.vm.machine import open_connection\n"
            "from sandbox_launcher.core.errors import LauncherError\n"
            "try:\n    open_connection('qemu+unix:///session?socket=/nonexistent/sock')\n"
            "except LauncherError as e:\n"
            "    print(type(e).__name__, '|', e.summary, '|', e.hint)\n")
    done = run_as_user([str(VENV_PYTHON), "-c", code])
    assert done.stdout.startswith("VmError | cannot connect to libvirt"), done.stdout + done.stderr
    assert "apt-get install libvirt-daemon" in done.stdout



# Runs in the guest (its python3): what the hostile client would try on the network.
GUEST_NET_PROBE = r"""
import json, socket
def conn(host, port):
    try:
        with socket.create_connection((host, port), timeout=4) as s:
            return "banner:" + s.recv(100).decode().strip()
    except OSError as e:
        return f"{type(e).__name__}: {e}"
def res(name):
    try:
        return socket.gethostbyname(name)
    except OSError as e:
        return f"error: {e}"
# The blocked ones wait out their timeout (the jail drops): all at once, not in turn.
from concurrent.futures import ThreadPoolExecutor
tries = {"zoom_443": ("zoom.us", 443), "evil_443_direct": ("198.51.100.66", 443),
         "zoom_8080": ("198.51.100.10", 8080), "router_8080": ("192.0.2.1", 8080),
         "host_address_8081": ("192.0.2.2", 8081), "host_second_8082": ("198.51.100.2", 8082),
         "lan_80": ("192.168.77.5", 80)}
found = {"resolve_zoom": res("zoom.us"), "resolve_evil": res("evil.example")}
with ThreadPoolExecutor(len(tries)) as pool:
    found.update(zip(tries, pool.map(lambda t: conn(*t), tries.values())))
print(json.dumps(found))
"""


def test_the_guest_network_goes_through_the_sessions_jail(
    vm_test_image: Path, host_netns: Any, fake_internet: Any, vm_workdir: Path,
) -> None:
    since = fake_internet.mark()
    done = host_netns.run([str(VENV_PYTHON), str(DRIVER), "net", str(vm_workdir),
                           "/usr/bin/python3", "-c", GUEST_NET_PROBE], timeout=BOOT_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    result = last_json(done.stdout)
    stdout = "".join(text for stream, text in result["output"] if stream == "stdout")
    probe = last_json(stdout)
    # The allowed name resolves through the jail's resolver and its server answers...
    assert probe["resolve_zoom"] == "198.51.100.10", probe
    assert probe["zoom_443"] == "banner:zoom-443", probe
    # ...and nothing else gets out: other names, other ports, the LAN, the host.
    assert probe["resolve_evil"].startswith("error"), probe
    for key in ("evil_443_direct", "zoom_8080", "router_8080", "host_address_8081",
                "host_second_8082", "lan_80"):
        assert not probe[key].startswith("banner:"), (key, probe)
    for banner in ("evil-443", "zoom-8080", "router-8080"):
        assert fake_internet.hits(banner, since=since) == []
    assert fake_internet.hits("zoom-443", since=since)
    # DNS left only through the jail's filtering resolver: the refused name never reached
    # the internet's DNS server (no exfiltration by lookup), the allowed one did.
    asked = {q["name"].rstrip(".") for q in fake_internet.dns_questions(since=since)}
    assert "zoom.us" in asked and "evil.example" not in asked
    # The jail saw it all: its report names both questions.
    events = json.dumps(result["jail"]["events"])
    assert "zoom.us" in events and "evil.example" in events
    assert [c for c in result["checks"] if not c["ok"]] == [], result["checks"]
    assert list(vm_workdir.iterdir()) == []


def _libvirt_leftovers(user: LauncherUser, domain_prefix: str) -> list[str]:
    log_dir = user.home / ".cache" / "libvirt" / "qemu" / "log"
    return sorted(p.name for p in log_dir.glob(f"{domain_prefix}*")) if log_dir.is_dir() else []


def test_run_generic_backend_vm_returns_the_commands_status(
    vm_default_image: Path, run_launcher: RunLauncher, run_as_user: RunLauncher,
    launcher_user: LauncherUser,
) -> None:
    done = run_launcher(["run", "generic", "--backend", "vm", "--", "/usr/bin/python3", "-c",
                         "import os; print('in', os.uname().nodename, os.getpid() > 1); "
                         "raise SystemExit(5)"], timeout=BOOT_TIMEOUT)
    assert done.returncode == 5, done.stdout + done.stderr
    assert "in sandbox True" in done.stdout
    assert "note: booting a VM (TCG" in done.stderr
    # Where the start is, as it goes (a TCG boot takes seconds): in order.
    steps = [text for text in ("checking the guest image…", "booting the VM…",
                               "starting the client…") if text in done.stderr]
    assert steps == ["checking the guest image…", "booting the VM…", "starting the client…"]
    assert done.stderr.index("booting the VM…") < done.stderr.index("starting the client…")
    missing = run_launcher(["run", "generic", "--backend", "vm", "--", "/no/such/program"],
                           timeout=BOOT_TIMEOUT)
    assert missing.returncode == 127, missing.stdout + missing.stderr
    assert [d for d in _domains(run_as_user) if d.startswith("slt-generic-")] == []
    assert _libvirt_leftovers(launcher_user, "slt-generic-") == []
    assert json.loads(run_launcher(["sessions", "--json"]).stdout) == []


def test_a_killed_vm_launcher_is_cleaned_by_wipe_stale(
    vm_default_image: Path, spawn_launcher: Any, run_launcher: RunLauncher,
    run_as_user: RunLauncher, launcher_user: LauncherUser,
) -> None:
    launcher = spawn_launcher(["run", "generic", "--backend", "vm", "--", "/bin/sleep", "600"])
    deadline = time.monotonic() + BOOT_TIMEOUT
    running: list[dict[str, Any]] = []
    while not running and time.monotonic() < deadline and launcher.poll() is None:
        time.sleep(1)
        listed = json.loads(run_launcher(["sessions", "--json"]).stdout)
        running = [s for s in listed if s["state"] == "running" and s["backend"] == "vm"]
    assert running, launcher.stderr.read() if launcher.poll() is not None else "not running"
    domain = "slt-" + running[0]["id"]
    assert domain in _domains(run_as_user) and _qemu_of(domain)
    launcher.send_signal(signal.SIGKILL)
    launcher.wait(30)
    wiped = run_launcher(["wipe", "--stale"], timeout=120)
    assert wiped.returncode == 0, wiped.stdout + wiped.stderr
    assert running[0]["id"] in wiped.stdout
    assert domain not in _domains(run_as_user)
    assert _qemu_of(domain) == []
    assert _libvirt_leftovers(launcher_user, domain) == []
    assert json.loads(run_launcher(["sessions", "--json"]).stdout) == []


def test_the_display_listens_nowhere_and_opens_by_descriptor(
    vm_test_image: Path, run_as_user: RunLauncher, vm_workdir: Path,
) -> None:
    result = _driver(run_as_user, "display", str(vm_workdir))
    assert result["qemu_pids"], result  # the check below looked at the real QEMU
    assert result["listening"] == [], result  # no TCP port, on any address
    assert len(result["control"]) == 1, result  # the same probe sees a listener that exists
    assert result["fd_type"] == 1  # SOCK_STREAM handed over by libvirt
    assert result["reply_magic"] == "REDQ" and result["reply_major"] == 2, result


def test_the_warm_pool_hands_out_a_paused_vm_once_and_refills(
    vm_test_image: Path, run_as_user: RunLauncher, vm_workdir: Path,
) -> None:
    result = _driver(run_as_user, "pool", str(vm_workdir))
    assert result["paused"] is True  # pre-booted and paused: it costs no CPU while waiting
    assert result["status"] == 3
    # A resume and one agent round trip. Issue 13's target is 1 s; 5 s leaves room for
    # the load of parallel developers on this 2-core machine (the benchmark reports it).
    assert result["take_s"] < 5.0, result
    assert result["refill"] and result["refill"] != result["taken"]  # never reused
    assert result["checks"] and all(c["ok"] for c in result["checks"]), result["checks"]
    assert result["left"] == []


def test_a_runtime_dir_too_small_for_the_overlay_is_refused_with_the_size(
    vm_test_image: Path, run_as_user: RunLauncher, launcher_user: LauncherUser,
) -> None:
    small = Path(f"/tmp/slt-vm-small-{os.getpid()}")
    small.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size=64m,mode=0700,uid={launcher_user.uid}",
                    "tmpfs", str(small)], check=True)
    try:
        workdir = small / "session"
        subprocess.run(as_user_argv(launcher_user, ["/bin/mkdir", str(workdir)]), check=True)
        result = _driver(run_as_user, "small", str(workdir))
        assert result["error"] == "VmError", result
        assert "needs at least 256 MiB" in result["summary"], result
        assert "RuntimeDirectorySize" in result["hint"]
        assert list(workdir.iterdir()) == []  # nothing made before the refusal
        assert not [d for d in _domains(run_as_user) if d.startswith("slt-session")]
    finally:
        subprocess.run(["umount", str(small)], check=True)
        small.rmdir()


def test_the_agent_starts_the_client_with_the_meeting_link_and_refuses_others(
    vm_test_image: Path, run_as_user: RunLauncher, vm_workdir: Path,
) -> None:
    result = _driver(run_as_user, "link", str(vm_workdir))
    assert result["status"] == 0
    assert result["output"] == "client got https://zoom.us/j/123?pwd=abc\n"  # one argument
    assert "https:// URL" in result["host_refused"]
    assert result["guest_refused"] == "link must be an https:// URL"
    assert list(vm_workdir.iterdir()) == []


def test_wipe_stale_destroys_a_domain_no_live_session_owns(
    vm_test_image: Path, run_as_user: RunLauncher, run_launcher: RunLauncher,
    launcher_user: LauncherUser, vm_workdir: Path,
) -> None:
    """As after a libvirtd restart (which forgets autodestroy): the domain outlives its
    session. Here the holder keeps its connection open but owns no session record."""
    holder = subprocess.Popen(
        as_user_argv(launcher_user, [str(VENV_PYTHON), str(DRIVER), "hold", str(vm_workdir)]),
        env=user_environment(launcher_user), cwd=launcher_user.home,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        line = holder.stdout.readline()
        assert line, holder.stderr.read() if holder.stderr else ""
        state = json.loads(line)["state"]
        assert state["domain"] in _domains(run_as_user)
        wiped = run_launcher(["wipe", "--stale"], timeout=120)
        assert wiped.returncode == 0, wiped.stdout + wiped.stderr
        assert f"wiped stale session {state['domain']}" in wiped.stdout
        assert "wipe verified" in wiped.stdout
        assert state["domain"] not in _domains(run_as_user)
        assert _qemu_of(state["domain"]) == []
        assert list(vm_workdir.iterdir()) == []  # its files, found through its XML
    finally:
        holder.kill()
        holder.wait(30)
        for stream in (holder.stdout, holder.stderr):
            if stream is not None:
                stream.close()
