"""Run as the unprivileged user by test_vault_keyring.py: real bubblewrap sessions through
the launch path (session/launch.py), with the vault around them as for any launch.

    vault_session_child.py write PROFILE   session 1: the client signs in ($SL_TOKEN) and
                                            runs until it is stopped; its sign-in paths are
                                            captured and sealed into the vault
    vault_session_child.py read PROFILE    session 2: the client prints what it finds

The profile is the built-in one with ``remember_signin = true`` (a user profile file in
$XDG_CONFIG_HOME). Prints the client's output, then one JSON object: the client's
status, whether the wipe was verified, the notes (the plan's and the save's), and whether
the sign-in was saved.
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

from sandbox_launcher.backends.base import BackendState
from sandbox_launcher.core import paths
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.launch import Launcher
from sandbox_launcher.session.lifecycle import Outcome, State

SIGN_IN = ('mkdir -p ~/.zoom/data ~/.zoom/logs ~/.config && '
           'printf "token=%s\\n" "$SL_TOKEN" > ~/.zoom/data/token && '
           'printf "log %s\\n" "$SL_TOKEN" > ~/.zoom/logs/zoom.log && '
           'printf "[General]\\nlanguage=de\\n" > ~/.config/zoomus.conf && '
           'ln -s /etc/passwd ~/.zoom/data/planted-link && exec sleep 600')
READ = ('cat ~/.zoom/data/token 2>&1; ls -A ~/.zoom ~/.zoom/data 2>&1; '
        'cat ~/.config/zoomus.conf 2>&1')


def _signed_in(launcher: Launcher, state: BackendState) -> bool:
    """The client has written its sign-in and sleeps (its last step)."""
    backend = launcher.registry.get(state.backend)
    for pid in backend.members(state):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "sleep":
                return True
        except OSError:
            continue
    return False


def main(op: str, profile_name: str) -> None:
    profiles = paths.user_profiles_dir()
    profiles.mkdir(parents=True, exist_ok=True)
    (profiles / f"{profile_name}.toml").write_text("remember_signin = true\n")
    launcher = Launcher()
    plan = launcher.plan(profile_name, RunOptions(
        command=("/bin/sh", "-c", SIGN_IN if op == "write" else READ), network="none"))
    plan = replace(plan, env={**plan.env, "SL_TOKEN": os.environ.get("SL_TOKEN", "")})
    running = threading.Event()
    session = launcher.session(plan, listener=lambda e: running.set() if (
        e.state is State.RUNNING and e.data is None) else None)
    result: dict[str, Outcome] = {}
    runner = threading.Thread(target=lambda: result.update(outcome=session.run()))
    runner.start()
    if op == "write":  # the user quits the client once it has signed in
        running.wait(60)
        from sandbox_launcher.session import store

        state = BackendState.from_dict(store.find_session(session.id).record.backend_state)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _signed_in(launcher, state):
            time.sleep(0.05)
        session.request_stop()
    runner.join(120)
    outcome = result["outcome"]
    after = launcher.finished(session, outcome)
    notes: list[Any] = [*session.plan.notes, *after]
    sys.stdout.flush()
    print(json.dumps({"status": outcome.status, "wiped": outcome.wipe_verified,
                      "notes": notes,
                      "saved": any(str(n).startswith("sign-in saved") for n in after)}),
          flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
