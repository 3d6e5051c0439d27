"""A stand-in meeting client that records every command line it is started with.

Like Zoom or Chromium it is a single instance per sandbox: the first process takes a
lock in /tmp and stays; every later one (a second meeting link, handed over by
``open --join-running``) writes its record next to the lock and exits, or lingers with
``--stay``. The tests run it inside the sandbox as ``/usr/bin/python3 -c "<this file>"
ARGS… LINK`` (the repository is not visible in there), so it is standalone: standard
library only.

A record is everything that tells two processes' confinement apart: the argv after the
source, pid, parent, session, namespaces, /proc/self/status (uid, gid, groups,
capabilities, no_new_privs, seccomp mode and filter count), cwd, environment, open
descriptors, what the sandbox's pid 1 is, the processes it can see, and what two
system calls the sandbox's filter denies return here.

The first process prints ``{"ready": true, "record": …}``, then one ``{"joined": …}``
line per later record, and finally ``{"mode": "link-client", "records": [...]}``, after
``--expect N`` records in all or ``--seconds S``. With ``--downloads`` it also keeps the
records in ~/Downloads/link-client.json (a test of the app can read them from there).
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import json
import os
import platform
import signal
import stat
import sys
import time
from typing import Any

STATE = "/tmp/link-client"
LOCK = f"{STATE}.lock"
NAMESPACES = ("user", "mnt", "pid", "net", "uts", "ipc", "cgroup")
STATUS_KEYS = ("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
               "NoNewPrivs", "Seccomp", "Seccomp_filters", "Umask")
#: Two calls the sandbox's filter denies, with arguments that fail differently without
#: it: perf_event_open with no attributes is EFAULT, keyctl's "get keyring id" works.
DENIED_CALLS = {"x86_64": {"perf_event_open": 298, "keyctl": 250},
                "aarch64": {"perf_event_open": 241, "keyctl": 219}}
_KEYCTL_GET_KEYRING_ID = 0
_KEY_SPEC_PROCESS_KEYRING = -2
_PR_GET_DUMPABLE = 3


def status() -> dict[str, str]:
    found = {}
    with open("/proc/self/status", encoding="utf-8") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in STATUS_KEYS:
                found[key] = value.strip()
    return found


def namespaces() -> dict[str, str]:
    found = {}
    for kind in NAMESPACES:
        try:
            found[kind] = os.readlink(f"/proc/self/ns/{kind}")
        except OSError as exc:
            found[kind] = f"error: {exc.strerror}"
    return found


def open_fds() -> dict[str, str]:
    """fd -> what it is; character devices with their numbers (/dev/null is "char 1:3",
    whatever path the kernel can show for it from here)."""
    found = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
            st = os.fstat(int(fd))
        except OSError:
            continue  # the directory listing's own descriptor, closed by now
        if stat.S_ISCHR(st.st_mode):
            target = f"char {os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
        found[fd] = target
    return found


def processes() -> list[dict[str, Any]]:
    seen = []
    for entry in sorted(os.listdir("/proc"), key=lambda e: (len(e), e)):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                argv = [a.decode(errors="replace") for a in fh.read().split(b"\0") if a]
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                state = fh.read().rpartition(")")[2].split()[0]
        except OSError:
            continue
        # The program, and for the stand-in what follows its (long) source: enough to tell
        # the processes apart, not the init's whole bwrap command line.
        argv = argv[:1] + (argv[3:] if len(argv) > 2 and argv[1] == "-c" else [])
        seen.append({"pid": int(entry), "state": state, "argv": argv})
    return seen


def denied_calls() -> dict[str, str]:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    numbers = DENIED_CALLS.get(platform.machine(), {})
    found = {}
    for name, number in numbers.items():
        if name == "keyctl":
            args: tuple[Any, ...] = (ctypes.c_long(_KEYCTL_GET_KEYRING_ID),
                                     ctypes.c_long(_KEY_SPEC_PROCESS_KEYRING), ctypes.c_long(1))
        else:
            args = (ctypes.c_void_p(None), ctypes.c_long(0), ctypes.c_long(-1),
                    ctypes.c_long(-1), ctypes.c_long(0))
        rc = libc.syscall(ctypes.c_long(number), *args)
        found[name] = "ok" if rc >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
    return found


def controlling_tty() -> str:
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError as exc:
        return f"none ({errno.errorcode.get(exc.errno or 0, '?')})"
    os.close(fd)
    return "yes"


def record(role: str) -> dict[str, Any]:
    with open("/proc/1/cmdline", "rb") as fh:
        init = [a.decode(errors="replace") for a in fh.read().split(b"\0") if a][:1]
    return {
        "role": role, "argv": sys.argv[1:], "pid": os.getpid(), "ppid": os.getppid(),
        "sid": os.getsid(0), "pgid": os.getpgid(0), "ns": namespaces(), "status": status(),
        "cwd": os.getcwd(), "env": dict(os.environ), "fds": open_fds(), "init": init,
        "processes": processes(), "denied": denied_calls(), "tty": controlling_tty(),
        "dumpable": ctypes.CDLL(None).prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0),
        "time": time.time(),
    }


def emit(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, sort_keys=True) + "\n")
    sys.stdout.flush()


def write_record(data: dict[str, Any]) -> None:
    path = f"{STATE}/{data['pid']}.json"
    with open(f"{path}.tmp", "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.rename(f"{path}.tmp", path)


def keep_in_downloads(records: list[dict[str, Any]]) -> None:
    folder = os.path.expanduser("~/Downloads")
    if os.path.isdir(folder):
        with open(f"{folder}/link-client.json.tmp", "w", encoding="utf-8") as fh:
            json.dump(records, fh)
        os.rename(f"{folder}/link-client.json.tmp", f"{folder}/link-client.json")


class Stopped(Exception):
    """SIGTERM: the session is being stopped."""


def _stop(_signum: int, _frame: object) -> None:
    raise Stopped


def serve(args: argparse.Namespace, lock: int) -> int:
    """The first instance: report, then watch for later ones (until SIGTERM, too)."""
    del lock  # held open (and locked) for as long as we run
    signal.signal(signal.SIGTERM, _stop)
    first = record("first")
    records = [first]
    emit({"ready": True, "record": first})
    if args.downloads:
        keep_in_downloads(records)
    seen: set[str] = set()
    deadline = time.monotonic() + args.seconds
    try:
        while time.monotonic() < deadline and (args.expect == 0 or len(records) < args.expect):
            for name in sorted(os.listdir(STATE)):
                if name.endswith(".json") and name not in seen:
                    seen.add(name)
                    with open(f"{STATE}/{name}", encoding="utf-8") as fh:
                        joined = json.load(fh)
                    records.append(joined)
                    emit({"joined": joined})
                    if args.downloads:
                        keep_in_downloads(records)
            time.sleep(0.05)
    except Stopped:
        pass
    emit({"mode": "link-client", "records": records})
    return 0


def forward(args: argparse.Namespace) -> int:
    """A later instance: leave the record for the first one, then go (or linger)."""
    if args.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    data = record("joined")
    write_record(data)
    time.sleep(args.stay)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="link-client")
    parser.add_argument("--expect", type=int, default=0,
                        help="records (the first one included) after which to end; 0: never")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--stay", type=float, default=0.0,
                        help="a later instance lingers this long after its record")
    parser.add_argument("--ignore-term", action="store_true",
                        help="a later instance ignores SIGTERM (it must be killed)")
    parser.add_argument("--downloads", action="store_true")
    parser.add_argument("--probe", action="store_true",
                        help="print one record and exit (the tests' unconfined control)")
    parser.add_argument("links", nargs="*")
    args, _ = parser.parse_known_args()  # a link is never an option of ours
    if args.probe:
        emit(record("probe"))
        return 0
    os.makedirs(STATE, exist_ok=True)
    lock = os.open(LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock)
        return forward(args)
    return serve(args, lock)


if __name__ == "__main__":
    sys.exit(main())
