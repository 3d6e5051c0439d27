"""The command line loads only what a command needs (issue 17: click to client).

``--help`` and ``run generic -- /bin/true`` are on the hot path of scripts and of every
launch; the device helpers, the client store, the vault's crypto, the VM backend, the
probe and Qt are imported by the commands and grants that use them. Each check runs in
a fresh interpreter (this process has imported everything already).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

#: Modules `run generic` must not load: device helpers, client store, vault, VM, probe, Qt.
HEAVY = (
    "sandbox_launcher.devices.display", "sandbox_launcher.devices.sound",
    "sandbox_launcher.devices.dbus_proxy", "sandbox_launcher.devices.screen",
    "sandbox_launcher.devices.mirror", "sandbox_launcher.devices.helper",
    "sandbox_launcher.devices.xauth", "sandbox_launcher.devices.x11_windows",
    "sandbox_launcher.devices.stale",
    "sandbox_launcher.clients.store", "sandbox_launcher.clients.download",
    "sandbox_launcher.clients.verify", "sandbox_launcher.vault", "cryptography",
    "sandbox_launcher.backends.vm", "sandbox_launcher.verify",
    "sandbox_launcher.session.verify", "sandbox_launcher.netjail.jail",
    "sandbox_launcher.netjail.geo", "sandbox_launcher.session.service", "PySide6",
    "sandbox_launcher.ui",
)

_CHILD = r"""
import contextlib, io, json, sys
from pathlib import Path
heavy = json.loads(sys.argv[1])
what, tmp = sys.argv[2], Path(sys.argv[3])
from sandbox_launcher.cli import main as cli
if what == "help":
    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
        cli.main(["--help"])
else:
    # What `run generic -- /bin/true` does before bwrap: sweep stale sessions, parse,
    # plan, make the session, start its (empty) device grants and close them again.
    from sandbox_launcher.cli import commands
    from sandbox_launcher.core.plan import RunOptions
    from sandbox_launcher.session.resources import SessionResources
    launcher = commands.default_launcher()
    commands._clean_stale(launcher, io.StringIO())  # no VM pool, no libvirtd: no VM code
    plan = launcher.plan("generic", RunOptions(command=("/bin/true",)))
    launcher.session(plan)
    workdir = tmp / "session"
    workdir.mkdir()
    SessionResources.start(plan, workdir, "/run/user/1000").close()
loaded = sorted(h for h in heavy if any(m == h or m.startswith(h + ".") for m in sys.modules))
# The control: every name is a module that exists, so its absence means something.
import importlib.util
missing = [h for h in heavy if importlib.util.find_spec(h) is None]
print(json.dumps({"loaded": loaded, "missing": missing}))
"""


def _loaded(what: str, tmp: Path) -> dict[str, list[str]]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "XDG_RUNTIME_DIR": str(tmp),
           "XDG_CONFIG_HOME": str(tmp / "config"), "XDG_DATA_HOME": str(tmp / "data"),
           "XDG_STATE_HOME": str(tmp / "state")}
    out = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(HEAVY), what, str(tmp)],
                         capture_output=True, text=True, check=True, env=env).stdout
    result: dict[str, list[str]] = json.loads(out.splitlines()[-1])
    return result


def test_help_loads_no_command_code(tmp_path: Path) -> None:
    result = _loaded("help", tmp_path)
    assert result["loaded"] == []
    # PySide6 may be absent from a minimal install; every module of ours must exist.
    assert [m for m in result["missing"] if m.startswith("sandbox_launcher")] == []


def test_run_generic_loads_no_device_store_vault_vm_or_qt_code(tmp_path: Path) -> None:
    result = _loaded("run", tmp_path)
    assert result["loaded"] == []
    assert [m for m in result["missing"] if m.startswith("sandbox_launcher")] == []


def test_the_check_sees_a_heavy_module_when_it_is_loaded(tmp_path: Path) -> None:
    """The same probe, where it must find something: `cameras` loads the camera code and a
    store-client plan opens the client store."""
    code = ("import sys\nfrom sandbox_launcher.cli import commands\n"
            "from sandbox_launcher.core.plan import RunOptions\n"
            "from sandbox_launcher.core.errors import LauncherError\n"
            "try:\n    commands.default_launcher().plan('zoom', RunOptions())\n"
            "except LauncherError:\n    pass  # not installed: the store was asked\n"
            "print('sandbox_launcher.clients.store' in sys.modules)")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "c")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout
    assert out.strip() == "True"
