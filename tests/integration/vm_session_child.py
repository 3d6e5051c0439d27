"""Run as the unprivileged user by test_vm_sessions.py: real VM sessions (libvirt, TCG)
through the launch path (session/launch.py), with the sign-in vault around them.

    vm_session_child.py write PROFILE   session 1: the client in the guest signs in
                                         ($SL_TOKEN), says so and runs until it is
                                         stopped; the agent hands its sign-in paths back
                                         before the domain goes, and they are sealed
    vm_session_child.py read PROFILE    session 2 (a fresh VM): the client prints what
                                         it finds in its home

The profile is the built-in one with ``remember_signin = true`` (a user profile file).
Prints the client's output, then one JSON object: the client's status, whether the wipe
was verified, the notes (the plan's and the save's), whether the sign-in was saved, and
the domain the session ran in.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sandbox_launcher.backends.registry import VM, Registry
from sandbox_launcher.backends.vm.backend import VmBackend
from sandbox_launcher.core import paths
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.launch import Launcher
from sandbox_launcher.session.lifecycle import Outcome

SIGN_IN = ('mkdir -p ~/.zoom/data ~/.zoom/logs ~/.config && '
           'printf "token=%s\\n" "$SL_TOKEN" > ~/.zoom/data/token && '
           'printf "log %s\\n" "$SL_TOKEN" > ~/.zoom/logs/zoom.log && '
           'printf "[General]\\nlanguage=de\\n" > ~/.config/zoomus.conf && '
           'ln -s /etc/passwd ~/.zoom/data/planted-link && '
           # The control of the overlay search: a file on the guest's disk, flushed.
           'printf "%s\n" "$SL_CONTROL" > /var/tmp/control && sync && '
           'echo SIGNED-IN && exec sleep 600')
READ = ('cat ~/.zoom/data/token 2>&1; ls -A ~/.zoom ~/.zoom/data 2>&1; '
        'cat ~/.config/zoomus.conf 2>&1')
#: A TCG boot under the load of parallel developers.
BOOT_SECONDS = 240


def _overlay_holds(session_id: str) -> dict[str, bool]:
    """Whether the running guest's disk overlay (a file on the host) holds the sign-in
    token, and the control written to the guest's disk."""
    from sandbox_launcher.session import store

    data = store.find_session(session_id).record.backend_state.get("data", {})
    blob = Path(data["overlay"]).read_bytes()
    return {name: os.environ[var].encode() in blob
            for name, var in (("token", "SL_TOKEN"), ("control", "SL_CONTROL"))}


def main(op: str, profile_name: str) -> None:
    profiles = paths.user_profiles_dir()
    profiles.mkdir(parents=True, exist_ok=True)
    (profiles / f"{profile_name}.toml").write_text("remember_signin = true\n")
    signed_in = threading.Event()
    output: list[str] = []

    def sink(_stream: str, data: bytes) -> None:
        output.append(data.decode(errors="replace"))
        if "SIGNED-IN" in "".join(output):
            signed_in.set()

    # The keyring's test session moves XDG_DATA_HOME; the images stay in the user's store.
    store = Path(os.environ["SL_TEST_IMAGES"])
    launcher = Launcher(Registry({VM: lambda: VmBackend(output=sink, store=store)}))
    plan = launcher.plan(profile_name, RunOptions(
        backend=VM, command=("/bin/sh", "-c", SIGN_IN if op == "write" else READ),
        network="none"))
    plan = replace(plan, env={**plan.env, "SL_TOKEN": os.environ.get("SL_TOKEN", ""),
                              "SL_CONTROL": os.environ.get("SL_CONTROL", "")})
    session = launcher.session(plan)
    result: dict[str, Outcome] = {}
    runner = threading.Thread(target=lambda: result.update(outcome=session.run()))
    runner.start()
    if op == "write":  # the user quits the client once it has signed in
        deadline = time.monotonic() + BOOT_SECONDS
        while runner.is_alive() and time.monotonic() < deadline and not signed_in.wait(1):
            pass
        overlay = _overlay_holds(session.id)
        session.request_stop()
    runner.join(BOOT_SECONDS + 120)
    outcome = result["outcome"]  # a KeyError here: the session raised (see stderr)
    after = launcher.finished(session, outcome)
    notes: list[Any] = [*session.plan.notes, *after]
    print("".join(output), flush=True)
    print(json.dumps({"status": outcome.status, "wiped": outcome.wipe_verified,
                      "overlay": overlay if op == "write" else {},
                      "notes": notes, "domain": "slt-" + session.id,
                      "checks": outcome.report.get("wipe", {}).get("checks", []),
                      "saved": any(str(n).startswith("sign-in saved") for n in after)}),
          flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
