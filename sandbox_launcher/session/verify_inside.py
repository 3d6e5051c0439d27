"""The network half of ``verify``, run on the fake internet's machine.

``python -m sandbox_launcher.session.verify_inside`` is started by :mod:`.verify` through
the world's ``nsenter`` prefix, reads one JSON request on stdin and prints one
:class:`~.verify_run.ProbeRun` as the last line of stdout. ``"mode": "session"`` runs the
probe through the same :class:`~.launch.Launcher` as ``run`` (the profile's network jail
is then built, with pasta and the resolver, on the fake internet); ``"control"`` runs it
unconfined. Either way this process knocks on the probe's listening port meanwhile.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ..core.errors import LauncherError
from ..core.plan import RunOptions
from ..core.policy import SystemFiles
from ..verify import fake_internet as fi
from .launch import Launcher
from .verify_run import Knocker, ProbeRun, control_probe, session_probe


def handle(request: dict[str, object]) -> ProbeRun:
    """Run what *request* asks for, knocking on its port meanwhile."""
    args = [str(a) for a in request.get("args", []) or []]  # type: ignore[attr-defined]
    port = request.get("knock_port")
    with Knocker(int(port) if isinstance(port, int) else None,
                 ("127.0.0.1", fi.HOST_ADDRESS)) as knocker:
        if request.get("mode") == "control":
            run = control_probe(args, os.environ)
        else:
            profiles_dir = request.get("profiles_dir")
            sessions_base = request.get("sessions_base")
            launcher = Launcher(
                profiles_dir=Path(str(profiles_dir)) if profiles_dir else None,
                files=SystemFiles(Path(str(request["policy_path"])),
                                  Path(str(request["admin_profiles"]))),
                sessions_base=Path(str(sessions_base)) if sessions_base else None)
            backend = request.get("backend")
            run = session_probe(launcher, str(request["profile"]), args,
                                RunOptions(backend=str(backend) if backend else None))
    run.knocks = knocker.answered
    return run


def main() -> int:
    """Read the request, answer with the run as one JSON line."""
    try:
        run = handle(json.loads(sys.stdin.read()))
    except (LauncherError, OSError, ValueError, KeyError) as exc:
        run = ProbeRun(error=f"{type(exc).__name__}: {exc}")
    sys.stdout.write(json.dumps(run.to_dict()) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
