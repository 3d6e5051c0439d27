"""Run as the unprivileged user by test_vault_keyring.py: real bubblewrap sessions with the
vault around them, the way the session layer's home hooks will call it.

    vault_session_child.py write PROFILE   session 1: the client signs in ($SL_TOKEN) and
                                            runs until it is stopped; its home is captured
    vault_session_child.py read PROFILE    session 2: the client prints what it finds

The backend is the real namespace backend wrapped in the vault's hooks
(session/vault_hooks.py); the session is the real Session: state machine, wipe, verify.
Prints the client's output, then one JSON object.
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

from sandbox_launcher import vault
from sandbox_launcher.backends.namespace.backend import NamespaceBackend
from sandbox_launcher.core.plan import LaunchPlan, RunOptions, make_plan
from sandbox_launcher.core.profile import load_profiles
from sandbox_launcher.session.lifecycle import Session
from sandbox_launcher.session.vault_hooks import HomeHold, seeded_plan

PATHS = (".zoom/data", ".config/zoomus.conf")
SIGN_IN = ('mkdir -p ~/.zoom/data ~/.zoom/logs ~/.config && '
           'printf "token=%s\\n" "$SL_TOKEN" > ~/.zoom/data/token && '
           'printf "log %s\\n" "$SL_TOKEN" > ~/.zoom/logs/zoom.log && '
           'printf "[General]\\nlanguage=de\\n" > ~/.config/zoomus.conf && '
           'ln -s /etc/passwd ~/.zoom/data/planted-link && exec sleep 600')
READ = ('cat ~/.zoom/data/token 2>&1; ls -A ~/.zoom ~/.zoom/data 2>&1; '
        'cat ~/.config/zoomus.conf 2>&1')


class VaultBackend:
    """The namespace backend with the vault's start and end hooks."""

    name = "namespace"

    def __init__(self, profile: str) -> None:
        self.inner = NamespaceBackend()
        self.profile = profile
        self.notes: list[str] = []
        self.hold: HomeHold | None = None
        self.saved: bool | None = None

    def check_host(self) -> None:
        self.inner.check_host()

    def start(self, plan: LaunchPlan, workdir: Path | None = None) -> Any:
        seed = vault.open_seed(self.profile, paths=PATHS)
        self.notes += seed.notes
        if seed.tar is not None:
            plan = seeded_plan(plan, seed.tar)
        handle = self.inner.start(plan, workdir)
        if seed.save_allowed:
            self.hold = HomeHold.take(handle.info.leader_pid, handle.info.namespaces["mnt"])
        return _Handle(handle, self)

    def end(self) -> None:
        if self.hold is None:
            return
        try:
            tar, notes = self.hold.capture(PATHS)  # the client has exited: its home is not
        finally:                                   # in any namespace, only in our hold
            self.hold.close()
        result = vault.save_capture(self.profile, tar, paths=PATHS)
        self.notes += [*notes, *result.notes]
        self.saved = result.saved


class _Handle:
    def __init__(self, inner: Any, backend: VaultBackend) -> None:
        self._inner = inner
        self._backend = backend

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def wait(self) -> int:
        status: int = self._inner.wait()
        self._backend.end()
        return status


def main(op: str, profile_name: str) -> None:
    profile = load_profiles().get("generic")
    plan = make_plan(profile, RunOptions(command=("/bin/sh", "-c",
                                                  SIGN_IN if op == "write" else READ)))
    plan = replace(plan, profile=profile_name,
                   env={**plan.env, "SL_TOKEN": os.environ.get("SL_TOKEN", "")})
    backend = VaultBackend(profile_name)
    session = Session(plan, backend)  # type: ignore[arg-type]
    result: dict[str, Any] = {}
    runner = threading.Thread(target=lambda: result.update(outcome=session.run()))
    runner.start()
    if op == "write":  # the user quits the client once it has signed in
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            hold = backend.hold
            if hold is not None and hold.fd >= 0:
                try:
                    os.stat(".zoom/data/planted-link", dir_fd=hold.fd, follow_symlinks=False)
                    break
                except FileNotFoundError:
                    pass
            time.sleep(0.05)
        session.request_stop()
    runner.join(120)
    outcome = result["outcome"]
    sys.stdout.flush()
    print(json.dumps({"status": outcome.status, "wiped": outcome.wipe_verified,
                      "notes": backend.notes, "saved": backend.saved}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
