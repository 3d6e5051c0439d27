"""Runs one real session with home hooks, as the test user: seed files in, capture out.

Usage: python home_hooks_driver.py SPEC.json — SPEC: ``{"command": [...], "seed":
{path: text}, "capture": [paths], "limit": bytes}``. Prints one JSON line: the client's
status, the captured files (as text), the capture's problem, and whether the wipe was
verified.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sandbox_launcher.backends.registry import Registry
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.policy import SystemFiles
from sandbox_launcher.session.launch import Launcher
from sandbox_launcher.session.lifecycle import Session


def main() -> int:
    spec = json.loads(Path(sys.argv[1]).read_text())
    launcher = Launcher(Registry(), files=SystemFiles(Path("/nonexistent/policy.toml"),
                                                   Path("/nonexistent/profiles")))
    plan = launcher.plan("generic", RunOptions(command=tuple(spec["command"]),
                                               network="none"))
    limit = int(spec.get("limit", 64 << 20))

    session = Session(plan, launcher.registry.get(plan.backend),
                      home_seed={k: v.encode() for k, v in spec["seed"].items()},
                      home_capture=tuple(spec["capture"]), capture_limit=limit)
    outcome = session.run()
    print(json.dumps({
        "status": outcome.status,
        "files": {k: v.decode(errors="replace") for k, v in outcome.captured.files.items()},
        "problem": outcome.captured.problem,
        "verified": outcome.wipe_verified}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
