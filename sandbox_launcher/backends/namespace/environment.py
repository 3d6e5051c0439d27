"""The client's environment inside a namespace sandbox, rendered from a neutral plan.

The plan carries only the client's own variables (the user's language, what the profile
sets or passes on). Where things are inside — the home, the runtime dir and the device
sockets in it (display, bus, sound) — is this backend's decision, made here.
"""

from __future__ import annotations

import os

from ...core.outbound import INSIDE_BIN
from ...core.plan import SANDBOX_HOME, SANDBOX_PATH, SANDBOX_USER, LaunchPlan


def runtime_dir() -> str:
    """The client's runtime dir inside (its device sockets live there)."""
    return f"/run/user/{os.getuid()}"


def sandbox_env(plan: LaunchPlan) -> dict[str, str]:
    """Every variable the client starts with: the plan's, then this backend's fixed
    ones (a profile cannot move the home or the runtime dir), then the device grants'."""
    runtime = runtime_dir()
    env = dict(plan.env)
    # The launcher's xdg-open stand-in first (links_view.py): addresses the client opens
    # go to the launcher, which asks the person.
    env.update({"PATH": f"{INSIDE_BIN}:{SANDBOX_PATH}", "HOME": SANDBOX_HOME, "USER": SANDBOX_USER,
                "LOGNAME": SANDBOX_USER, "SHELL": "/bin/sh", "XDG_RUNTIME_DIR": runtime})
    env.update(plan.devices.env(runtime))
    return env
