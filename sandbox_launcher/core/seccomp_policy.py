"""Which system calls the sandbox denies, and why (pure data; the filter is built in backends).

Denied calls fail with EPERM. Nested user namespaces are not stopped here but by
bubblewrap's ``--disable-userns``; a profile that enables them also gets ``chroot``
back, because Chromium's own sandbox chroots into an empty directory. A profile may
take single calls off the list with ``sandbox.seccomp_allow``.
"""

from __future__ import annotations

#: name → why it is denied. Order is the order shown in docs and error messages.
DENIED: dict[str, str] = {
    # Reading or steering other processes; the pid namespace already hides the host's,
    # this also stops the client from tampering with its own helpers' memory.
    "ptrace": "attach to and control other processes",
    "process_vm_readv": "read another process's memory",
    "process_vm_writev": "write another process's memory",
    "kcmp": "compare kernel objects of other processes (fingerprinting)",
    # Kernel side channels and large attack surfaces that a meeting client does not need.
    "perf_event_open": "performance counters: side channels and kernel attack surface",
    "bpf": "load eBPF programs",
    "userfaultfd": "page-fault handling, a common kernel exploit primitive",
    "io_uring_setup": "io_uring: a large kernel attack surface",
    "io_uring_enter": "io_uring: a large kernel attack surface",
    "io_uring_register": "io_uring: a large kernel attack surface",
    # The kernel keyring is not namespaced: keys could leak between sandbox and host.
    "keyctl": "the kernel keyring, which is shared with the host",
    "add_key": "the kernel keyring, which is shared with the host",
    "request_key": "the kernel keyring, which is shared with the host",
    # File system and namespace changes: the sandbox's view is fixed by the launcher.
    "mount": "change the file system view",
    "umount2": "change the file system view",
    "pivot_root": "change the root file system",
    "chroot": "change the root directory",
    "move_mount": "change the file system view",
    "open_tree": "clone mount trees",
    "fsopen": "create new file systems",
    "fsconfig": "configure new file systems",
    "fsmount": "mount new file systems",
    "fspick": "reconfigure mounted file systems",
    "mount_setattr": "change mount attributes",
    "name_to_handle_at": "look files up by handle, bypassing the mount view",
    "open_by_handle_at": "open files by handle, bypassing the mount view",
    "setns": "join other namespaces",
    # Machine-wide operations, never needed by an unprivileged client.
    "kexec_load": "load a new kernel",
    "kexec_file_load": "load a new kernel",
    "reboot": "reboot the machine",
    "init_module": "load kernel modules",
    "finit_module": "load kernel modules",
    "delete_module": "unload kernel modules",
    "swapon": "enable swap",
    "swapoff": "disable swap",
    "syslog": "read the kernel log (host fingerprinting)",
    "acct": "process accounting",
    "quotactl": "disk quotas",
    "settimeofday": "set the clock",
    "clock_settime": "set the clock",
    "clock_adjtime": "adjust the clock",
    "iopl": "raw I/O port access",
    "ioperm": "raw I/O port access",
    "modify_ldt": "change the local descriptor table (exploit primitive)",
    "uselib": "obsolete library loading",
    "vhangup": "hang up the terminal",
    "lookup_dcookie": "kernel profiling cookies",
    "nfsservctl": "NFS server control",
}

DENIED_SYSCALLS: tuple[str, ...] = tuple(DENIED)

#: What ``sandbox.nested_userns = true`` takes off the list as well.
NESTED_USERNS_NEEDS: tuple[str, ...] = ("chroot",)

#: ioctl requests denied on every fd: pushing input into a terminal (TIOCSTI) or
#: reading the console selection (TIOCLINUX) would reach outside the sandbox.
DENIED_IOCTLS: dict[str, int] = {"TIOCSTI": 0x5412, "TIOCLINUX": 0x541C}
