"""The bwrap command line: what the sandbox sees, in the order bwrap needs."""

from __future__ import annotations

import os
from pathlib import Path

from sandbox_launcher.backends.namespace import layout
from sandbox_launcher.backends.namespace.backend import build_command
from sandbox_launcher.backends.namespace.bwrap import Data, FdOption
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.profile import load_profiles
from sandbox_launcher.session.planning import make_plan


def _argv(tmp_path: Path, name: str = "generic") -> list[str]:
    plan = make_plan(load_profiles(tmp_path).get(name), RunOptions(command=("/bin/true",)), {})
    seccomp_r, seccomp_w = os.pipe()
    os.close(seccomp_w)
    cmd = build_command(plan, layout.Identity.fresh(), seccomp_fd=seccomp_r, info_fd=seccomp_r)
    try:
        argv = cmd.argv("bwrap", list(plan.command))
    finally:
        cmd.close()  # closes every memfd and the pipe end: the command owns them
    return [("SECCOMP" if a == str(seccomp_r) else a) for a in argv]


def test_every_namespace_unshared_and_hardening_flags(tmp_path: Path) -> None:
    argv = _argv(tmp_path)
    for flag in ("--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net",
                 "--unshare-uts", "--new-session", "--die-with-parent", "--disable-userns",
                 "--clearenv"):
        assert flag in argv
    assert argv[argv.index("--cap-drop") + 1] == "ALL"
    assert argv[argv.index("--seccomp") + 1] == "SECCOMP"
    assert argv[-2:] == ["--", "/bin/true"]


def test_nested_userns_profile_keeps_userns(tmp_path: Path) -> None:
    assert "--disable-userns" not in _argv(tmp_path, "zoom")


def test_home_of_the_user_is_never_bound(tmp_path: Path) -> None:
    argv = _argv(tmp_path)
    binds = [argv[i + 1] for i, a in enumerate(argv) if a in ("--bind", "--ro-bind",
                                                              "--dev-bind")]
    assert "/usr" in binds and "/etc/ssl" in binds
    assert "/etc" not in binds  # only allowlisted entries of it (test_etc_is_an_allowlist)
    home = os.path.expanduser("~")
    assert not any(b == home or b.startswith("/home") or b == "/" for b in binds)
    assert "--bind" not in argv  # nothing of the host is writable


def test_storage_is_size_limited_tmpfs_in_order(tmp_path: Path) -> None:
    argv = _argv(tmp_path)
    tmpfs = {argv[i + 1]: argv[i - 1] for i, a in enumerate(argv) if a == "--tmpfs"}
    assert tmpfs["/home/user"] == str(1 << 30) and tmpfs["/tmp"] == str(512 << 20)
    assert tmpfs["/dev/shm"] == str(256 << 20)
    # /dev/shm must come after --dev, the boot_id overlay after --proc
    assert argv.index("--dev") < argv.index("/dev/shm")
    assert argv.index("--proc") < argv.index("/proc/sys/kernel/random/boot_id")
    assert argv.index("--proc") < argv.index("/proc/cmdline")


def test_identity_is_fresh_each_time() -> None:
    a, b = layout.Identity.fresh(), layout.Identity.fresh()
    assert a.machine_id != b.machine_id and a.hostname != b.hostname
    assert len(a.machine_id) == 32 and int(a.machine_id, 16) >= 0


def test_data_goes_through_a_memfd_not_a_file() -> None:
    data = Data.of("/etc/machine-id", "abc\n")
    try:
        assert os.readlink(f"/proc/self/fd/{data.fd}").startswith("/memfd:")
        assert os.pread(data.fd, 10, 0) == b"abc\n"
        assert data.argv()[-2:] == [str(data.fd), "/etc/machine-id"]
    finally:
        os.close(data.fd)


def test_merged_usr_symlinks_are_mirrored(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "bin").symlink_to("usr/bin")
    (root / "lib64").mkdir()
    argv = [a for o in layout.system_mounts(root) for a in o.argv()]
    assert argv[argv.index("--symlink"):][:3] == ["--symlink", "usr/bin", "/bin"]
    assert "/lib64" in argv


def test_the_root_is_made_read_only_after_the_last_mount(tmp_path: Path) -> None:
    """So the client cannot swap /bin or /lib64 under a program the session starts later."""
    argv = _argv(tmp_path, "web-meeting")
    at = argv.index("--remount-ro")
    assert argv[at + 1] == "/"
    mounts = ("--bind", "--ro-bind", "--dev-bind", "--bind-fd", "--ro-bind-fd", "--tmpfs",
              "--dir", "--symlink", "--ro-bind-data", "--file", "--proc", "--dev")
    assert max(i for i, a in enumerate(argv[:argv.index("--")]) if a in mounts) < at


def test_etc_is_an_allowlist_and_symlinks_stay_symlinks(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    (etc / "ssl" / "certs").mkdir(parents=True)
    for name in ("subuid", "passwd-", "gitconfig", "nsswitch.conf"):
        (etc / name).write_text("x\n")
    (etc / "ssh").mkdir()
    (etc / "localtime").symlink_to("/usr/share/zoneinfo/Europe/Berlin")
    options = layout.etc_view(tmp_path)
    argv = [a for option in options for a in option.argv()]
    assert argv[:4] == ["--perms", "755", "--dir", "/etc"]
    assert "/etc/ssl" in argv
    assert argv[argv.index("/etc/localtime") - 2:argv.index("/etc/localtime") + 1] == \
        ["--symlink", "/usr/share/zoneinfo/Europe/Berlin", "/etc/localtime"]
    assert "/etc/nsswitch.conf" in argv
    for absent in ("subuid", "passwd-", "gitconfig", "ssh"):
        assert f"/etc/{absent}" not in argv
    # an allowlisted name the host does not have is not made up either
    assert "/etc/firefox-esr" not in argv


def test_options_go_through_a_memfd_so_pid_1_shows_no_host_path(tmp_path: Path) -> None:
    plan = make_plan(load_profiles(tmp_path).get("generic"), RunOptions(command=("/bin/true",)),
                     {})
    cmd = build_command(plan, layout.Identity.fresh(), seccomp_fd=0, info_fd=1)
    try:
        plain = cmd.argv("bwrap", ["/bin/true"])
        hidden = cmd.hidden_argv("bwrap", ["/bin/true"])
        assert hidden[:2] == ["bwrap", "--args"] and hidden[3:] == ["--", "/bin/true"]
        fd = int(hidden[2])
        assert fd in cmd.fds()
        raw = os.pread(fd, 1 << 20, 0)
        assert raw.split(b"\0")[:-1] == [a.encode() for a in plain[1:-2]]
    finally:
        cmd.options = [o for o in cmd.options if not isinstance(o, FdOption)]  # not ours
        cmd.close()
