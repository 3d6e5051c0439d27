"""The joiner: starts one command inside a running namespace sandbox, confined like its client.

Started by the launcher (:mod:`.enter`) as ``python -I -m
sandbox_launcher.backends.namespace.joiner`` with one JSON request on stdin; it answers
one JSON object on stdout: ``{"ok": true, "pid": PID}`` (the pid inside the sandbox) or
``{"ok": false, "stage": …, "error": …}``. Standard library only: after it has entered
the sandbox's mount namespace nothing of the launcher's installation is visible, so
everything is imported first.

In order:

1. Open the namespaces of the sandbox's init (bwrap's pid 1, whose namespaces are the
   ones the client was started in; the client cannot change them, and namespaces the
   client made itself are never entered) and check each against the inode the launcher
   recorded at start: a reused pid leads nowhere.
2. Enter the topmost user namespace of the session (ours, as the user: bwrap's, or the
   network jail's above it), which gives the rights to enter the others; then the
   cgroup, IPC, UTS, network, time, PID and mount namespaces; then the client's own (nested)
   user namespace, where our uid is the client's.
3. Drop every capability (bounding, ambient, effective, permitted, inheritable), set
   no_new_privs, become undumpable until exec (the client may not ptrace or read /proc
   of a process that has no filter yet), set the client's umask.
4. Fork: a child is in the sandbox's PID namespace (setns affects children only). It
   forks the command's process and exits, so the kernel re-parents that process to the
   sandbox's init: it is a process of the session like any the client forked, dies with
   the session's PID namespace, and leaves no parent outside.
5. In the command's process: a new session (setsid), /dev/null as stdin/out/err, no
   other descriptor, the sandbox home as cwd, default signal dispositions; the program
   re-checked (no symlink on its path, a read-only mount); the session's seccomp
   filter (the very program bwrap loaded for the client) loaded last; execve with the
   client's recorded environment. Its exec status comes back over a close-on-exec pipe.
"""

from __future__ import annotations

import base64
import ctypes
import errno
import fcntl
import json
import os
import signal
import stat
import sys
from typing import Any, NoReturn

_libc = ctypes.CDLL(None, use_errno=True)

_CLONE_NEWTIME = 0x00000080
_CLONE_NEWNS = 0x00020000
_CLONE_NEWCGROUP = 0x02000000
_CLONE_NEWUTS = 0x04000000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
#: Entered in this order after the topmost user namespace; mount last (it moves our root).
_ORDER = (("cgroup", _CLONE_NEWCGROUP), ("ipc", _CLONE_NEWIPC), ("uts", _CLONE_NEWUTS),
          ("net", _CLONE_NEWNET), ("time", _CLONE_NEWTIME), ("pid", _CLONE_NEWPID),
          ("mnt", _CLONE_NEWNS))
#: Every kind a process has; those not recorded must be shared with the host.
_ALL_KINDS = ("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts")
_NS_GET_PARENT = 0xB702  # _IO(0xb7, 0x2)
_MAX_USERNS_DEPTH = 32

_PR_SET_DUMPABLE = 4
_PR_SET_SECCOMP = 22
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_SECCOMP_MODE_FILTER = 2
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

_SYS_OPENAT2 = 437  # the same number on every architecture
_AT_FDCWD = -100
_RESOLVE_NO_MAGICLINKS = 0x02
_RESOLVE_NO_SYMLINKS = 0x04


class Failed(Exception):
    """A step that did not work: which one, and the errno."""

    def __init__(self, stage: str, error: str, code: int = 0) -> None:
        super().__init__(f"{stage}: {error}")
        self.stage, self.error, self.code = stage, error, code


def _errno_call(stage: str, rc: int) -> None:
    if rc != 0:
        code = ctypes.get_errno()
        raise Failed(stage, os.strerror(code), code)


def _ulong(value: int) -> ctypes.c_ulong:
    return ctypes.c_ulong(value)


def _prctl(stage: str, option: int, arg2: int = 0, arg3: int = 0) -> None:
    _errno_call(stage, _libc.prctl(ctypes.c_int(option), _ulong(arg2), _ulong(arg3),
                                   _ulong(0), _ulong(0)))


def _setns(fd: int, nstype: int, kind: str) -> None:
    _errno_call(f"entering the {kind} namespace", _libc.setns(ctypes.c_int(fd),
                                                              ctypes.c_int(nstype)))


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32))


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


class _OpenHow(ctypes.Structure):
    _fields_ = (("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64),
                ("resolve", ctypes.c_uint64))


def open_namespaces(leader: int, expected: dict[str, int]) -> dict[str, int]:
    """Descriptors of the init's namespaces, each checked against its recorded inode.

    The user namespace is checked in :func:`enter`: bwrap's init moves into a nested one
    after the launcher may have recorded the outer one.
    """
    fds: dict[str, int] = {}
    for kind, inode in expected.items():
        try:
            fd = os.open(f"/proc/{leader}/ns/{kind}", os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            raise Failed("finding the session", f"its init (pid {leader}) is gone: "
                         f"{exc.strerror}", exc.errno or 0) from exc
        fds[kind] = fd
        if kind != "user" and os.fstat(fd).st_ino != inode:
            raise Failed("finding the session", f"pid {leader} is no longer the session's "
                         f"init (its {kind} namespace is another one)")
    if "user" not in fds or "mnt" not in fds or "pid" not in fds:
        raise Failed("finding the session", "the session's user, mount and PID namespaces "
                     "were not recorded")
    # A namespace the launcher did not record must be one the sandbox shares with us
    # (bwrap did not make it); otherwise the command would run outside it, unconfined.
    for kind in _ALL_KINDS:
        if kind in fds:
            continue
        try:
            theirs = os.stat(f"/proc/{leader}/ns/{kind}").st_ino
            ours = os.stat(f"/proc/self/ns/{kind}").st_ino
        except FileNotFoundError:
            continue  # a kind this kernel does not have
        except OSError as exc:
            raise Failed("finding the session", exc.strerror or "", exc.errno or 0) from exc
        if theirs != ours:
            raise Failed("finding the session", f"its {kind} namespace was not recorded")
    return fds


def user_chain(inner: int) -> list[int]:
    """The session's user namespaces, innermost first, up to the child of our own."""
    own = os.stat("/proc/self/ns/user").st_ino
    chain = [inner]
    while len(chain) < _MAX_USERNS_DEPTH:
        try:
            parent = fcntl.ioctl(chain[-1], _NS_GET_PARENT)
        except OSError as exc:
            raise Failed("finding the session's user namespaces", exc.strerror or "",
                         exc.errno or 0) from exc
        if os.fstat(parent).st_ino == own:
            os.close(parent)
            return chain
        chain.append(parent)
    raise Failed("finding the session's user namespaces", "too deeply nested")


def enter(fds: dict[str, int], recorded_user: int, uid: int, gid: int) -> None:
    """Join every namespace of the session and end up as the client's uid and gid."""
    chain = user_chain(fds["user"])
    if recorded_user not in {os.fstat(fd).st_ino for fd in chain}:
        raise Failed("finding the session", "the init's user namespace is not the session's")
    _setns(chain[-1], _CLONE_NEWUSER, "topmost user")
    for kind, flag in _ORDER:
        if kind in fds:
            _setns(fds[kind], flag, kind)
    if len(chain) > 1:
        _setns(fds["user"], _CLONE_NEWUSER, "client's user")
    if (os.getuid(), os.getgid()) != (uid, gid):
        raise Failed("checking the identity", f"uid/gid {os.getuid()}/{os.getgid()} inside, "
                     f"the client has {uid}/{gid}")


def drop_privileges(last_cap: int, umask: int) -> None:
    """No capability in any set, no_new_privs, undumpable until exec."""
    for cap in range(last_cap + 1):
        _prctl("dropping the bounding set", _PR_CAPBSET_DROP, cap)
    _prctl("clearing ambient capabilities", _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _errno_call("dropping capabilities", _libc.capset(ctypes.byref(header), ctypes.byref(data)))
    _prctl("setting no_new_privs", _PR_SET_NO_NEW_PRIVS, 1)
    _prctl("making the process undumpable", _PR_SET_DUMPABLE, 0)
    os.umask(umask)


def check_program(path: str) -> None:
    """The program must be reached without a symlink, on a read-only mount, a regular file.

    The launcher chose *path* as the canonical path of a file in a read-only part of the
    sandbox (/usr, the client store); this confirms it from inside, as the client sees it.
    """
    how = _OpenHow(os.O_PATH | os.O_CLOEXEC, 0, _RESOLVE_NO_SYMLINKS | _RESOLVE_NO_MAGICLINKS)
    fd = _libc.syscall(ctypes.c_long(_SYS_OPENAT2), ctypes.c_int(_AT_FDCWD),
                       ctypes.c_char_p(path.encode()), ctypes.byref(how),
                       ctypes.c_size_t(ctypes.sizeof(how)))
    if fd < 0:
        code = ctypes.get_errno()
        raise Failed("checking the program", f"{path}: {os.strerror(code)}", code)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Failed("checking the program", f"{path} is not a regular file")
        if not os.fstatvfs(fd).f_flag & os.ST_RDONLY:
            raise Failed("checking the program", f"{path} is on a writable mount")
    finally:
        os.close(fd)


def load_filter(program: bytes) -> None:
    """Load the session's seccomp program (sock_filter entries are 8 bytes each)."""
    buffer = ctypes.create_string_buffer(program, len(program))
    prog = _SockFprog(len(program) // 8, ctypes.addressof(buffer))
    _prctl("loading the seccomp filter", _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER,
           ctypes.addressof(prog))


def _report(fd: int, line: str) -> None:
    os.write(fd, (line + "\n").encode())


def become_command(request: dict[str, Any], status: int, null: int, program: bytes) -> NoReturn:
    """The command's process: finish confining it and exec. Never returns."""
    stage = "starting"
    try:
        stage = "starting a new session"
        os.setsid()
        for target in (0, 1, 2):
            os.dup2(null, target)
        if status != 3:
            os.dup2(status, 3, inheritable=False)
        os.closerange(4, os.sysconf("SC_OPEN_MAX"))
        stage = "changing to the sandbox home"
        os.chdir(request["cwd"])
        for sig in (signal.SIGPIPE, signal.SIGXFSZ):  # Python ignores them; exec keeps that
            signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        check_program(request["path"])
        stage = "loading the seccomp filter"
        load_filter(program)
        stage = "executing the program"
        os.execve(request["path"], request["argv"], request["env"])
    except Failed as exc:
        _report(3, json.dumps({"stage": exc.stage, "error": exc.error, "errno": exc.code}))
    except OSError as exc:
        _report(3, json.dumps({"stage": stage, "error": exc.strerror or str(exc),
                               "errno": exc.errno or 0}))
    os._exit(127)


def spawn(request: dict[str, Any], null: int, program: bytes) -> int:
    """Fork into the sandbox's PID namespace; returns the command's pid there."""
    read_end, write_end = os.pipe2(os.O_CLOEXEC)
    try:
        child = os.fork()
    except OSError as exc:
        # A PID namespace whose init has died takes no new process: ENOMEM.
        raise Failed("starting a process in the session", "the session has ended"
                     if exc.errno == errno.ENOMEM else exc.strerror or "",
                     exc.errno or 0) from exc
    if child == 0:  # in the sandbox's PID namespace; its parent (us) is outside
        code = 0
        try:
            os.close(read_end)
            command = os.fork()
            if command == 0:
                become_command(request, write_end, null, program)
            _report(write_end, json.dumps({"pid": command}))
        except BaseException:  # nothing may escape a forked child
            code = 1
        os._exit(code)
    os.close(write_end)
    raw = b""
    while chunk := os.read(read_end, 65536):
        raw += chunk
    os.close(read_end)
    os.waitpid(child, 0)
    pid = None
    for line in raw.decode(errors="replace").splitlines():
        message = json.loads(line)
        if "pid" in message:
            pid = int(message["pid"])
        else:
            raise Failed(str(message["stage"]), str(message["error"]), int(message["errno"]))
    if pid is None:
        raise Failed("starting a process in the session", "the process did not start")
    return pid


def main() -> int:
    """Read the request, join, answer."""
    answer: dict[str, Any]
    try:
        request = json.loads(sys.stdin.buffer.read())
        program = base64.b64decode(request["seccomp"])
        if not program or len(program) % 8:
            raise Failed("reading the request", "no valid seccomp program")
        with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as last:
            last_cap = int(last.read())
        # Opened before entering: the sandbox's /dev is a tmpfs the client can write to.
        null = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
        recorded = {str(k): int(v) for k, v in request["namespaces"].items()}
        fds = open_namespaces(int(request["leader"]), recorded)
        enter(fds, recorded["user"], int(request["uid"]), int(request["gid"]))
        for fd in fds.values():
            os.close(fd)
        drop_privileges(last_cap, int(request["umask"]))
        answer = {"ok": True, "pid": spawn(request, null, program)}
    except Failed as exc:
        answer = {"ok": False, "stage": exc.stage, "error": exc.error, "errno": exc.code}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        answer = {"ok": False, "stage": "joining", "error": str(exc), "errno": 0}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
    return 0 if answer["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
