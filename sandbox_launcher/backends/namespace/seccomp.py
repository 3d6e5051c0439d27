"""Compile the deny list of :mod:`core.seccomp_policy` into a BPF program for bwrap.

We use the system's libseccomp through ctypes rather than hand-written BPF: it knows
every architecture's syscall numbers and the x32/i386 pitfalls. Syscalls of a
foreign architecture hit libseccomp's default "bad arch" action, which kills.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
from collections.abc import Iterable
from functools import cache

from ...core.errors import HostNotCapable
from ...core.seccomp_policy import DENIED_IOCTLS

_ACT_ALLOW = 0x7FFF0000
_ACT_ERRNO = 0x00050000
_CMP_MASKED_EQ = 7
_NR_ERROR = -1


class _ArgCmp(ctypes.Structure):
    _fields_ = (
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    )


@cache
def _lib() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp")
    if name is None:
        raise HostNotCapable(
            "libseccomp is not installed; it builds the sandbox's system call filter",
            "install the Debian package libseccomp2: sudo apt-get install libseccomp2",
        )
    lib = ctypes.CDLL(name, use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = (ctypes.c_uint32,)
    lib.seccomp_release.argtypes = (ctypes.c_void_p,)
    lib.seccomp_syscall_resolve_name.argtypes = (ctypes.c_char_p,)
    lib.seccomp_rule_add_array.argtypes = (
        ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(_ArgCmp),
    )
    lib.seccomp_export_bpf.argtypes = (ctypes.c_void_p, ctypes.c_int)
    return lib


def _fail(what: str, code: int) -> HostNotCapable:
    return HostNotCapable(
        f"could not build the system call filter ({what}: {os.strerror(abs(code))})",
        "check that libseccomp2 is up to date; run 'sandbox-launcher doctor'",
    )


def build_filter(denied: Iterable[str]) -> int:
    """Return a memfd holding the BPF program, positioned at 0, for ``--seccomp``.

    Names unknown on this architecture (e.g. ``iopl`` on arm64) are skipped: the
    call does not exist there, so there is nothing to deny.
    """
    lib = _lib()
    ctx = lib.seccomp_init(_ACT_ALLOW)
    if not ctx:
        raise _fail("seccomp_init", errno.ENOMEM)
    deny = _ACT_ERRNO | errno.EPERM
    try:
        for name in denied:
            nr = lib.seccomp_syscall_resolve_name(name.encode())
            if nr == _NR_ERROR:
                continue
            rc = lib.seccomp_rule_add_array(ctx, deny, nr, 0, None)
            if rc < 0:
                raise _fail(f"rule for {name}", rc)
        ioctl_nr = lib.seccomp_syscall_resolve_name(b"ioctl")
        for request in DENIED_IOCTLS.values():
            # The request argument is an int in the kernel: compare only the low 32 bits
            # so garbage in the upper half cannot slip past the rule.
            cmp = _ArgCmp(1, _CMP_MASKED_EQ, 0xFFFFFFFF, request)
            rc = lib.seccomp_rule_add_array(ctx, deny, ioctl_nr, 1, ctypes.byref(cmp))
            if rc < 0:
                raise _fail("ioctl rule", rc)
        fd = os.memfd_create("sandbox-launcher-seccomp", os.MFD_CLOEXEC)
        rc = lib.seccomp_export_bpf(ctx, fd)
        if rc < 0:
            os.close(fd)
            raise _fail("export", rc)
        os.lseek(fd, 0, os.SEEK_SET)
        return fd
    finally:
        lib.seccomp_release(ctx)
