"""The .deb, built by ``packaging/build-deb`` and installed by apt into a clean Debian 12
root made by mmdebstrap (see :mod:`deb_root`), checked from the outside and run as the
unprivileged test user from the installed copy.

Why the installed launcher runs under bwrap pointing at the root and not under
``chroot``: the kernel refuses to create a user namespace in a chrooted process
(``unshare(CLONE_NEWUSER)`` fails with EPERM when the caller's root is not its mount
namespace's root), so bwrap, and the jail's holder, cannot work there.
:func:`test_a_plain_chroot_cannot_make_user_namespaces` shows exactly that, as the
control. An outer bwrap (run as the test user) makes the root its ``/`` with
``pivot_root``, a fresh ``/proc`` and ``/dev``; nothing of the host's ``/usr`` or of this
checkout's ``.venv`` is visible, so only the package's files can run.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import LauncherUser, as_user_argv
from deb_root import REPO_ROOT, build_deb, build_root, prebuild_packages, prune

pytestmark = [pytest.mark.integration, pytest.mark.needs_root,
              # The first test builds the package (about 30 s with pip's cache) and the
              # root (about 60 s from Debian's mirror); a cold pip cache downloads PySide6.
              pytest.mark.timeout(1200)]

APP = "/usr/lib/sandbox-launcher"
INSTALLED = {
    "usr/share/applications/sandbox-launcher.desktop": "desktop/sandbox-launcher.desktop",
    "usr/share/icons/hicolor/scalable/apps/sandbox-launcher.svg": "icons/sandbox-launcher.svg",
    "usr/share/metainfo/io.github.sandbox_launcher.SandboxLauncher.metainfo.xml":
        "metainfo/io.github.sandbox_launcher.SandboxLauncher.metainfo.xml",
    "usr/share/bash-completion/completions/sandbox-launcher": "completions/sandbox-launcher",
    "usr/share/zsh/vendor-completions/_sandbox-launcher": "completions/_sandbox-launcher",
    "usr/share/fish/vendor_completions.d/sandbox-launcher.fish":
        "completions/sandbox-launcher.fish",
    "usr/share/sandbox-launcher/apparmor/sandbox-launcher": "apparmor/sandbox-launcher",
}


@pytest.fixture(scope="module")
def deb() -> Path:
    """The package for this source."""
    prebuild_packages()
    return build_deb()


@pytest.fixture(scope="module")
def root(deb: Path) -> Path:
    """A Debian 12 root with the package installed by apt; older caches are pruned."""
    made = build_root(deb)
    prune(deb.parent)
    prune(made.parent)
    return made


def _chroot(root: Path, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["chroot", str(root), *argv], capture_output=True, text=True,
                          timeout=timeout, check=False,
                          env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"})


@pytest.fixture(scope="module")
def root_user(root: Path, launcher_user: LauncherUser) -> LauncherUser:
    """The test user, with the same uid, in the root's passwd, with a home there."""
    passwd = root / "etc" / "passwd"
    if f"\n{launcher_user.name}:" not in "\n" + passwd.read_text(encoding="utf-8"):
        with passwd.open("a", encoding="utf-8") as handle:
            handle.write(f"{launcher_user.name}:x:{launcher_user.uid}:{launcher_user.gid}::"
                         f"/home/{launcher_user.name}:/bin/sh\n")
        with (root / "etc" / "group").open("a", encoding="utf-8") as handle:
            handle.write(f"{launcher_user.name}:x:{launcher_user.gid}:\n")
    home = root / "home" / launcher_user.name
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, launcher_user.uid, launcher_user.gid)
    return launcher_user


def _in_root(root: Path, user: LauncherUser, *argv: str,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run *argv* as *user* with *root* as ``/`` (an outer bwrap; see the module doc)."""
    runtime = f"/run/user/{user.uid}"
    outer = [
        "/usr/bin/bwrap", "--bind", str(root), "/", "--unshare-pid", "--proc", "/proc",
        "--dev", "/dev", "--dev-bind", "/dev/net/tun", "/dev/net/tun",
        "--ro-bind", "/sys", "/sys", "--tmpfs", "/tmp", "--tmpfs", "/run",
        "--dir", runtime, "--chmod", "0700", runtime, "--die-with-parent", "--clearenv",
        "--setenv", "HOME", f"/home/{user.name}", "--setenv", "USER", user.name,
        "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "XDG_RUNTIME_DIR", runtime,
        "--setenv", "LANG", "C.UTF-8", "--", *argv,
    ]
    return subprocess.run(as_user_argv(user, outer), capture_output=True, text=True,
                          timeout=timeout, check=False, env={"PATH": "/usr/bin:/bin"})


# --- installed by apt, files in place -------------------------------------------------


def test_apt_installed_it_with_its_dependencies(root: Path) -> None:
    status = _chroot(root, "dpkg-query", "-W", "-f", "${Status} ${Version}", "sandbox-launcher")
    assert status.stdout.startswith("install ok installed"), status
    broken = _chroot(root, "apt-get", "check")
    assert broken.returncode == 0, broken.stdout + broken.stderr
    for dependency in ("bubblewrap", "passt", "nftables", "xdg-dbus-proxy", "xserver-xephyr",
                       "pulseaudio-utils", "gpgv", "python3.11", "libxcb-cursor0"):
        state = _chroot(root, "dpkg-query", "-W", "-f", "${Status}", dependency)
        assert state.stdout == "install ok installed", (dependency, state)


def test_files_are_in_place_and_equal_to_resources(root: Path) -> None:
    for target, source in INSTALLED.items():
        installed = root / target
        assert installed.read_bytes() == (REPO_ROOT / "resources" / source).read_bytes(), target
    launcher = root / "usr/bin/sandbox-launcher"
    assert os.readlink(launcher) == "../lib/sandbox-launcher/bin/sandbox-launcher"
    script = (root / APP.lstrip("/") / "bin" / "sandbox-launcher").read_text(encoding="utf-8")
    assert script.startswith(f"#!{APP}/bin/python3\n")
    # The package's own interpreter, a real file: the AppArmor profile attaches to it,
    # not to /usr/bin/python3 (that would grant user namespaces to every script).
    python = root / APP.lstrip("/") / "bin" / "python3"
    assert python.is_file() and not python.is_symlink()
    profile = (REPO_ROOT / "resources/apparmor/sandbox-launcher").read_text(encoding="utf-8")
    assert re.search(rf"^profile sandbox-launcher {re.escape(APP)}/bin/python3\S* ", profile,
                     re.MULTILINE)
    # The wheel carries the entry itself where the source tree has a symlink to resources/.
    packaged = (root / APP.lstrip("/") / "lib/python3.11/site-packages/sandbox_launcher"
                / "resources/desktop/sandbox-launcher.desktop")
    assert not packaged.is_symlink()
    assert packaged.read_bytes() == (root / next(iter(INSTALLED))).read_bytes()
    # Nothing of the build tree is left in the environment's text files.
    cfg = (root / APP.lstrip("/") / "pyvenv.cfg").read_text(encoding="utf-8")
    assert "sandbox-launcher-deb." not in cfg and "debian/" not in cfg, cfg
    # Debian 12's AppArmor (3.0) cannot parse "userns,": the profile goes to /etc only
    # where build-deb finds AppArmor 4 (Ubuntu 24.04+, Debian 13).
    assert not (root / "etc/apparmor.d/sandbox-launcher").exists()
    assert not (root / "etc/sandbox-launcher").exists()
    # The base of the users' client stores (postinst): root's, sticky, 1733.
    base = (root / "var/lib/sandbox-launcher").lstat()
    assert (stat.S_ISDIR(base.st_mode), stat.S_IMODE(base.st_mode), base.st_uid) == (
        True, 0o1733, 0)


def test_desktop_entry_validates_and_registers_the_meeting_links(root: Path) -> None:
    entry = root / "usr/share/applications/sandbox-launcher.desktop"
    valid = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True,
                           text=True, timeout=30, check=False)
    assert valid.returncode == 0 and not valid.stdout.strip(), valid.stdout + valid.stderr
    text = entry.read_text(encoding="utf-8")
    mime = re.search(r"^MimeType=(.*)$", text, re.MULTILINE)
    assert mime is not None
    for scheme in ("zoommtg", "zoomus", "msteams", "webex"):
        assert f"x-scheme-handler/{scheme}" in mime.group(1).split(";")
    assert re.search(r"^Exec=sandbox-launcher %u$", text, re.MULTILINE)
    # On a desktop, desktop-file-utils' dpkg trigger adds these to mimeinfo.cache; the
    # bare root has no desktop-file-utils (a Suggests), so the entry itself is checked.
    metainfo = root / next(t for t in INSTALLED if t.startswith("usr/share/metainfo"))
    checked = subprocess.run(["appstreamcli", "validate", "--no-net", str(metainfo)],
                             capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_man_page_renders(root: Path) -> None:
    page = root / "usr/share/man/man1/sandbox-launcher.1.gz"
    assert gzip.decompress(page.read_bytes()).startswith(b".\\\" Generated by scdoc")
    shown = subprocess.run(["man", "--warnings", "-l", str(page)], capture_output=True,
                           text=True, timeout=60, check=False,
                           env={"PATH": "/usr/bin:/bin", "MANWIDTH": "100", "LANG": "C.UTF-8"})
    assert shown.returncode == 0 and not shown.stderr.strip(), shown.stderr
    text = re.sub(".\b", "", shown.stdout)  # the terminal's bold and underline overstrikes
    for heading in ("NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS", "FILES"):
        assert re.search(rf"^{heading}$", text, re.MULTILINE), heading
    assert "125" in text and "doctor [--json]" in text


def test_every_library_the_private_qt_loads_is_installed(root: Path) -> None:
    site = root / APP.lstrip("/") / "lib/python3.11/site-packages/PySide6"
    wanted = [site / "Qt/plugins/platforms/libqxcb.so",
              *(site / "Qt/lib").glob("libQt6XcbQpa.so.*"),
              *(site / "Qt/lib").glob("libQt6Widgets.so.*"),
              *(site / "Qt/lib").glob("libQt6Gui.so.*"),
              *(site / "Qt/lib").glob("libQt6DBus.so.*")]
    assert len(wanted) == 5, wanted
    for library in wanted:
        linked = _chroot(root, "ldd", "/" + str(library.relative_to(root)))
        assert linked.returncode == 0, linked.stderr
        assert "not found" not in linked.stdout, f"{library.name}:\n{linked.stdout}"
    imported = _chroot(root, f"{APP}/bin/python3", "-c",
                       "from PySide6 import QtWidgets, QtDBus; print('qt ok')")
    assert imported.stdout == "qt ok\n", imported.stderr


# --- the installed copy, run as the unprivileged user ---------------------------------


def test_a_plain_chroot_cannot_make_user_namespaces(root: Path, root_user: LauncherUser) -> None:
    """The control for running under bwrap: in a chroot the kernel refuses userns."""
    proc = root / "proc"
    subprocess.run(["mount", "-t", "proc", "proc", str(proc)], check=True, timeout=30)
    try:
        done = _chroot(root, "setpriv", f"--reuid={root_user.uid}", f"--regid={root_user.gid}",
                       "--clear-groups", "--", "env", f"HOME=/home/{root_user.name}",
                       "sandbox-launcher", "doctor", "--json")
    finally:
        subprocess.run(["umount", str(proc)], check=True, timeout=30)
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    userns = checks["user namespaces"]
    assert userns["status"] == "fail", userns
    assert "no permissions to create new namespace" in userns["detail"].lower(), userns


def test_doctor_json_from_the_installed_copy(root: Path, root_user: LauncherUser) -> None:
    done = _in_root(root, root_user, "sandbox-launcher", "doctor", "--json")
    report = json.loads(done.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert report["ready"] is True and done.returncode == 0, done.stdout
    assert checks["user namespaces"]["status"] == "ok"
    assert checks["user namespaces"]["summary"].startswith("work for unprivileged users")
    assert checks["apparmor userns"]["status"] == "ok"
    for tool in ("bubblewrap", "pasta", "nftables", "Xephyr", "xdg-dbus-proxy", "pacat"):
        assert checks[tool]["status"] == "ok", checks[tool]


@pytest.fixture
def reports(root: Path, root_user: LauncherUser) -> Iterator[Path]:
    """The user's report folder inside the root, emptied before and after."""
    folder = root / "home" / root_user.name / ".local/state/sandbox-launcher/reports"
    shutil.rmtree(folder, ignore_errors=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_run_generic_true_from_the_installed_copy(
    root: Path, root_user: LauncherUser, reports: Path
) -> None:
    done = _in_root(root, root_user, "sandbox-launcher", "run", "generic", "--", "true")
    assert done.returncode == 0, done.stderr
    (report_file,) = reports.glob("generic-*.json")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["exit"]["status"] == 0, report["exit"]
    assert report["wipe"]["verified"] is True, report["wipe"]
    # The exit-status contract of the man page, from the installed copy.
    failing = _in_root(root, root_user, "sandbox-launcher", "run", "generic", "--",
                       "sh", "-c", "exit 3")
    assert failing.returncode == 3, failing.stderr
    missing = _in_root(root, root_user, "sandbox-launcher", "run", "generic", "--",
                       "no-such-program")
    assert missing.returncode == 127, missing.stderr


# --- upgrade, remove, purge -------------------------------------------------------------

USER_FILES = (".config/sandbox-launcher/profiles/mine.toml",
              ".local/state/sandbox-launcher/reports/zoom-123456.json",
              ".local/share/sandbox-launcher/clients/zoom/6.7.5/opt/zoom/zoom")
ADMIN_POLICY = "etc/sandbox-launcher/policy.toml"


@pytest.fixture
def scratch_root(root: Path, tmp_path: Path) -> Iterator[Path]:
    """The cached root under an overlay: this test's changes vanish with it."""
    upper, work, merged = tmp_path / "upper", tmp_path / "work", tmp_path / "merged"
    for folder in (upper, work, merged):
        folder.mkdir()
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                    f"lowerdir={root},upperdir={upper},workdir={work}", str(merged)],
                   check=True, timeout=30)
    try:
        yield merged
    finally:
        subprocess.run(["umount", str(merged)], check=True, timeout=60)


def _newer_version(deb: Path) -> Path:
    """*deb* repacked as version 0.1.0+test1: an upgrade without a second build."""
    newer = deb.with_name("upgrade") / deb.name.replace("_0.1.0_", "_0.1.0+test1_")
    if newer.exists():
        return newer
    unpacked = deb.with_name("upgrade-tree")
    shutil.rmtree(unpacked, ignore_errors=True)
    subprocess.run(["dpkg-deb", "-R", str(deb), str(unpacked)], check=True, timeout=300)
    control = unpacked / "DEBIAN" / "control"
    control.write_text(re.sub(r"^Version: .*$", "Version: 0.1.0+test1",
                              control.read_text(encoding="utf-8"), flags=re.MULTILINE),
                       encoding="utf-8")
    newer.parent.mkdir(exist_ok=True)
    subprocess.run(["dpkg-deb", "-Zzstd", "--root-owner-group", "-b", str(unpacked),
                    str(newer)], check=True, timeout=300, capture_output=True)
    shutil.rmtree(unpacked)
    return newer


def _status(root: Path) -> str:
    return _chroot(root, "dpkg-query", "-W", "-f", "${Status} ${Version}",
                   "sandbox-launcher").stdout


def _store_file(root: Path, user: LauncherUser) -> Path:
    """A file of the user's client store, out of the home (core/store_path.py)."""
    return root / "var/lib/sandbox-launcher" / str(user.uid) / "clients/zoom/state.json"


def _user_data_intact(root: Path, user: LauncherUser) -> None:
    home = root / "home" / user.name
    for name in USER_FILES:
        assert (home / name).read_text(encoding="utf-8") == f"{name}\n", name
    assert _store_file(root, user).read_text(encoding="utf-8") == "{}\n"
    assert (root / ADMIN_POLICY).read_text(encoding="utf-8") == "# the administrator's\n"


def test_upgrade_remove_and_purge_keep_users_and_admins_files(
    deb: Path, scratch_root: Path, root_user: LauncherUser
) -> None:
    root = scratch_root
    home = root / "home" / root_user.name
    for name in USER_FILES:
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_text(f"{name}\n", encoding="utf-8")
    (root / ADMIN_POLICY).parent.mkdir(parents=True)
    (root / ADMIN_POLICY).write_text("# the administrator's\n", encoding="utf-8")
    _store_file(root, root_user).parent.mkdir(parents=True)
    _store_file(root, root_user).write_text("{}\n", encoding="utf-8")

    newer = _newer_version(deb)
    shutil.copy(newer, root / "tmp" / newer.name)
    upgraded = _chroot(root, "dpkg", "-i", f"/tmp/{newer.name}", timeout=300)
    assert upgraded.returncode == 0, upgraded.stderr
    assert _status(root) == "install ok installed 0.1.0+test1"
    _user_data_intact(root, root_user)

    removed = _chroot(root, "apt-get", "remove", "-y", "sandbox-launcher", timeout=300)
    assert removed.returncode == 0, removed.stderr
    assert not (root / "usr/bin/sandbox-launcher").exists()
    _user_data_intact(root, root_user)

    shutil.copy(deb, root / "tmp" / deb.name)
    again = _chroot(root, "dpkg", "-i", f"/tmp/{deb.name}", timeout=300)
    assert again.returncode == 0, again.stderr
    purged = _chroot(root, "apt-get", "purge", "-y", "sandbox-launcher", timeout=300)
    assert purged.returncode == 0, purged.stderr
    assert _status(root) in ("", "unknown ok not-installed "), _status(root)
    # Every system file is gone, including anything written beside the package's files
    # at run time (the package ships its byte-code, so nothing should be).
    for gone in ("usr/lib/sandbox-launcher", "usr/bin/sandbox-launcher",
                 "usr/share/sandbox-launcher", *INSTALLED):
        assert not (root / gone).exists(), gone
    # The administrator's policy was never the package's: purge leaves it.
    _user_data_intact(root, root_user)
