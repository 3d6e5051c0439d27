"""Does KVM really run a guest on this host?

``/dev/kvm`` existing proves little: on some hosts (nested virtualisation, broken
firmware, odd hypervisors) the device opens and a VM is created, but the first
``KVM_RUN`` never returns. A libvirt guest would then hang at boot with no error.
So the probe runs a five-byte real-mode guest (``mov al, 0x42; out 0x10, al; hlt``)
and checks that it exits first with the port write and then with the halt.

The guest runs in a child process so that a hang can be killed. The child is this
file run as a script with ``python -I -S``: no site-packages are needed and none can
interfere, which is why the module level of this file must stay stdlib-only (the
parent-side import of :mod:`sandbox_launcher.core.proc` happens inside
:func:`probe_kvm`).
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import mmap
import os
import platform
import subprocess
import sys
import time
from typing import Final

#: Verdicts :func:`probe_kvm` can return.
VERDICTS: Final = ("works", "absent", "no-access", "hangs", "fails")

KVM_DEVICE: Final = "/dev/kvm"

# --- ioctl numbers (linux/kvm.h), computed like the kernel's _IO/_IOR/_IOW macros ---
_IOC_NONE, _IOC_WRITE, _IOC_READ = 0, 1, 2
_KVMIO: Final = 0xAE


def _ioc(direction: int, nr: int, size: int) -> int:
    return (direction << 30) | (size << 16) | (_KVMIO << 8) | nr


class KvmUserspaceMemoryRegion(ctypes.Structure):
    """``struct kvm_userspace_memory_region``."""

    _fields_ = (
        ("slot", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("guest_phys_addr", ctypes.c_uint64),
        ("memory_size", ctypes.c_uint64),
        ("userspace_addr", ctypes.c_uint64),
    )


class KvmRegs(ctypes.Structure):
    """``struct kvm_regs`` (x86_64)."""

    _fields_ = tuple(
        (name, ctypes.c_uint64)
        for name in (
            "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
            "rip", "rflags",
        )
    )


class KvmSegment(ctypes.Structure):
    """``struct kvm_segment`` (x86_64)."""

    _fields_ = (
        ("base", ctypes.c_uint64),
        ("limit", ctypes.c_uint32),
        ("selector", ctypes.c_uint16),
        ("type", ctypes.c_uint8),
        ("present", ctypes.c_uint8),
        ("dpl", ctypes.c_uint8),
        ("db", ctypes.c_uint8),
        ("s", ctypes.c_uint8),
        ("l", ctypes.c_uint8),
        ("g", ctypes.c_uint8),
        ("avl", ctypes.c_uint8),
        ("unusable", ctypes.c_uint8),
        ("padding", ctypes.c_uint8),
    )


class KvmDtable(ctypes.Structure):
    """``struct kvm_dtable`` (x86_64)."""

    _fields_ = (
        ("base", ctypes.c_uint64),
        ("limit", ctypes.c_uint16),
        ("padding", ctypes.c_uint16 * 3),
    )


class KvmSregs(ctypes.Structure):
    """``struct kvm_sregs`` (x86_64; KVM_NR_INTERRUPTS is 256)."""

    _fields_ = (
        *((seg, KvmSegment) for seg in ("cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt")),
        ("gdt", KvmDtable),
        ("idt", KvmDtable),
        *((reg, ctypes.c_uint64) for reg in ("cr0", "cr2", "cr3", "cr4", "cr8", "efer")),
        ("apic_base", ctypes.c_uint64),
        ("interrupt_bitmap", ctypes.c_uint64 * 4),
    )


class KvmRunIo(ctypes.Structure):
    """The ``io`` member of the exit-reason union in ``struct kvm_run``."""

    _fields_ = (
        ("direction", ctypes.c_uint8),
        ("size", ctypes.c_uint8),
        ("port", ctypes.c_uint16),
        ("count", ctypes.c_uint32),
        ("data_offset", ctypes.c_uint64),
    )


class KvmRunHead(ctypes.Structure):
    """The first fields of ``struct kvm_run``, up to and including ``io``."""

    _fields_ = (
        ("request_interrupt_window", ctypes.c_uint8),
        ("immediate_exit", ctypes.c_uint8),
        ("padding1", ctypes.c_uint8 * 6),
        ("exit_reason", ctypes.c_uint32),
        ("ready_for_interrupt_injection", ctypes.c_uint8),
        ("if_flag", ctypes.c_uint8),
        ("flags", ctypes.c_uint16),
        ("cr8", ctypes.c_uint64),
        ("apic_base", ctypes.c_uint64),
        ("io", KvmRunIo),
    )


KVM_GET_API_VERSION: Final = _ioc(_IOC_NONE, 0x00, 0)
KVM_CREATE_VM: Final = _ioc(_IOC_NONE, 0x01, 0)
KVM_GET_VCPU_MMAP_SIZE: Final = _ioc(_IOC_NONE, 0x04, 0)
KVM_CREATE_VCPU: Final = _ioc(_IOC_NONE, 0x41, 0)
KVM_SET_USER_MEMORY_REGION: Final = _ioc(
    _IOC_WRITE, 0x46, ctypes.sizeof(KvmUserspaceMemoryRegion)
)
KVM_SET_TSS_ADDR: Final = _ioc(_IOC_NONE, 0x47, 0)
KVM_RUN: Final = _ioc(_IOC_NONE, 0x80, 0)
KVM_GET_REGS: Final = _ioc(_IOC_READ, 0x81, ctypes.sizeof(KvmRegs))
KVM_SET_REGS: Final = _ioc(_IOC_WRITE, 0x82, ctypes.sizeof(KvmRegs))
KVM_GET_SREGS: Final = _ioc(_IOC_READ, 0x83, ctypes.sizeof(KvmSregs))
KVM_SET_SREGS: Final = _ioc(_IOC_WRITE, 0x84, ctypes.sizeof(KvmSregs))

KVM_API_VERSION: Final = 12
KVM_EXIT_IO: Final = 2
KVM_EXIT_HLT: Final = 5
KVM_EXIT_IO_OUT: Final = 1
EXIT_NAMES: Final = {
    0: "UNKNOWN", 1: "EXCEPTION", 2: "IO", 3: "HYPERCALL", 4: "DEBUG", 5: "HLT",
    6: "MMIO", 8: "SHUTDOWN", 9: "FAIL_ENTRY", 10: "INTR", 17: "INTERNAL_ERROR",
}

#: Iterations of the guest's busy loop. With hardware virtualisation it runs natively,
#: about one iteration per cycle, so some 10-20 ms. A KVM that emulates every guest
#: instruction in software (a nested host without VT-x/AMD-V, whose kernel says
#: "kvm-pvm" at boot) took 22.6 s for it. Such a KVM passes a trivial "out; hlt"
#: test, yet a real guest never finishes booting.
LOOP_ITERATIONS: Final = 20_000_000
#: A loop slower than this counts as "hangs" even when the caller's timeout is longer:
#: 100 times the hardware figure, yet far below what emulation needs.
SLOW_LOOP_SECONDS: Final = 1.0
GUEST_START_PORT: Final = 0x10
GUEST_DONE_PORT: Final = 0x11
GUEST_BYTE: Final = 0x42
#: Real-mode code loaded at guest address 0.
GUEST_CODE: Final = b"".join((
    b"\xb0\x42",  # mov al, 0x42
    b"\xe6\x10",  # out 0x10, al          -> first exit: the guest runs at all
    b"\x66\xb9" + LOOP_ITERATIONS.to_bytes(4, "little"),  # mov ecx, LOOP_ITERATIONS
    b"\x66\x49",  # loop: dec ecx
    b"\x75\xfc",  # jnz loop
    b"\xe6\x11",  # out 0x11, al          -> second exit: the loop finished
    b"\xf4",  # hlt                          -> third exit
))
# Intel CPUs without "unrestricted guest" emulate real mode through a TSS that KVM
# needs three pages for; any address outside guest RAM will do. It must fit a C int
# because fcntl.ioctl passes integer arguments as int (kvmtool's 0xfffbd000 does not).
TSS_ADDR: Final = 0x0FFFD000


class _ProbeFailed(Exception):
    """The guest did not behave; the message says at which step."""


class _TooSlow(Exception):
    """The guest finished, but so slowly that real guests would seem to hang."""


def _create_vcpu(kvm_fd: int) -> tuple[int, mmap.mmap, mmap.mmap]:
    """Create a VM with one page of RAM holding GUEST_CODE and a vCPU in real mode at 0.

    Returns the vCPU fd, its ``kvm_run`` mapping and the guest memory (which must stay
    mapped while the guest runs).
    """
    version = fcntl.ioctl(kvm_fd, KVM_GET_API_VERSION, 0)
    if version != KVM_API_VERSION:
        raise _ProbeFailed(f"KVM API version is {version}, expected {KVM_API_VERSION}")
    vm_fd = fcntl.ioctl(kvm_fd, KVM_CREATE_VM, 0)
    fcntl.ioctl(vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR)

    memory = mmap.mmap(-1, mmap.PAGESIZE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    memory[: len(GUEST_CODE)] = GUEST_CODE
    # The temporary ctypes view is dropped at once, so the mmap stays closable.
    address = ctypes.addressof(ctypes.c_char.from_buffer(memory))
    region = KvmUserspaceMemoryRegion(
        slot=0, flags=0, guest_phys_addr=0, memory_size=mmap.PAGESIZE, userspace_addr=address
    )
    fcntl.ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, bytes(region))

    vcpu_fd = fcntl.ioctl(vm_fd, KVM_CREATE_VCPU, 0)
    run_size = fcntl.ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0)
    if run_size < ctypes.sizeof(KvmRunHead):
        raise _ProbeFailed(f"kvm_run mmap size {run_size} is too small")
    run_area = mmap.mmap(vcpu_fd, run_size, flags=mmap.MAP_SHARED)

    sregs = KvmSregs()
    fcntl.ioctl(vcpu_fd, KVM_GET_SREGS, sregs)
    sregs.cs.base = 0
    sregs.cs.selector = 0
    fcntl.ioctl(vcpu_fd, KVM_SET_SREGS, sregs)
    regs = KvmRegs()
    fcntl.ioctl(vcpu_fd, KVM_GET_REGS, regs)
    regs.rip = 0
    regs.rflags = 2  # bit 1 is reserved and must be set
    fcntl.ioctl(vcpu_fd, KVM_SET_REGS, regs)
    return vcpu_fd, run_area, memory


def _run_until_exit(vcpu_fd: int, run_area: mmap.mmap, expected: str) -> KvmRunHead:
    """KVM_RUN once; return the exit, or raise unless its reason is *expected*."""
    fcntl.ioctl(vcpu_fd, KVM_RUN, 0)
    head = KvmRunHead.from_buffer_copy(run_area)
    if _exit_name(head.exit_reason) != f"KVM_EXIT_{expected}":
        raise _ProbeFailed(f"guest exited with {_exit_name(head.exit_reason)}, "
                           f"expected KVM_EXIT_{expected}")
    return head


def _expect_out(vcpu_fd: int, run_area: mmap.mmap, port: int) -> None:
    """Run the guest until its next exit, which must be ``out port, GUEST_BYTE``."""
    io = _run_until_exit(vcpu_fd, run_area, "IO").io
    data = run_area[io.data_offset] if io.data_offset < len(run_area) else None
    if (io.direction, io.size, io.port, io.count, data) != (
        KVM_EXIT_IO_OUT, 1, port, 1, GUEST_BYTE
    ):
        raise _ProbeFailed(
            f"unexpected port access: direction={io.direction} size={io.size} "
            f"port={io.port:#x} count={io.count} data={data!r} (expected out {port:#x})"
        )


def _run_guest(kvm_fd: int) -> str:
    """Run GUEST_CODE to its halt; report progress on stdout; return a detail line."""
    vcpu_fd, run_area, _memory = _create_vcpu(kvm_fd)
    started = time.monotonic()
    _expect_out(vcpu_fd, run_area, GUEST_START_PORT)
    entered_ms = (time.monotonic() - started) * 1000
    # If the loop never ends, the parent kills us; this line tells it how far we got.
    print(json.dumps({"stage": "started", "ms": round(entered_ms, 1)}), flush=True)
    _expect_out(vcpu_fd, run_area, GUEST_DONE_PORT)
    _run_until_exit(vcpu_fd, run_area, "HLT")
    elapsed = time.monotonic() - started
    if elapsed > SLOW_LOOP_SECONDS:
        raise _TooSlow(
            f"the test guest took {elapsed:.1f} s for a {LOOP_ITERATIONS:,}-iteration "
            "loop that hardware virtualisation runs in tens of milliseconds: this KVM "
            "appears to emulate guest instructions in software"
        )
    return (f"test guest ran a {LOOP_ITERATIONS:,}-iteration loop and halted "
            f"in {elapsed * 1000:.1f} ms")


def _exit_name(reason: int) -> str:
    return f"KVM_EXIT_{EXIT_NAMES.get(reason, str(reason))}"


def _child_probe() -> tuple[str, str]:
    """The probe proper; runs in the child process and never raises."""
    if platform.machine() != "x86_64":
        return "fails", "probe only implemented for x86_64"
    try:
        kvm_fd = os.open(KVM_DEVICE, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return "absent", f"{KVM_DEVICE} does not exist"
    except PermissionError as exc:
        return "no-access", f"cannot open {KVM_DEVICE}: {exc.strerror}"
    except OSError as exc:
        return "fails", f"cannot open {KVM_DEVICE}: {exc.strerror}"
    try:
        return "works", _run_guest(kvm_fd)
    except _TooSlow as exc:
        return "hangs", str(exc)
    except _ProbeFailed as exc:
        return "fails", str(exc)
    except OSError as exc:
        return "fails", f"ioctl failed: {exc}"
    except Exception as exc:  # the verdict must reach the parent whatever went wrong
        return "fails", f"probe crashed: {type(exc).__name__}: {exc}"


def probe_kvm(timeout: float = 3.0) -> tuple[str, str]:
    """Run a tiny KVM guest in a child process; return ``(verdict, detail)``.

    *verdict* is one of :data:`VERDICTS`: ``works``; ``absent`` (no /dev/kvm);
    ``no-access`` (not allowed to open it); ``hangs`` (the guest did not finish within
    *timeout* seconds and was killed — including a KVM so slow that real guests never
    boot); ``fails`` (anything else, the detail says what). Returns within about
    *timeout* + 2 seconds.
    """
    if platform.machine() != "x86_64":
        return "fails", "probe only implemented for x86_64"
    if not os.path.exists(KVM_DEVICE):
        return "absent", f"{KVM_DEVICE} does not exist"

    from ..core import proc
    from ..core.errors import LauncherError

    argv = [sys.executable, "-I", "-S", os.path.abspath(__file__)]
    started = time.monotonic()
    try:
        child = proc.spawn(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except (LauncherError, OSError) as exc:
        return "fails", f"cannot start the probe: {exc}"
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        try:
            out, _err = child.communicate(timeout=2.0)
        except subprocess.TimeoutExpired:
            # Stuck in the kernel beyond SIGKILL; do not block the caller on it.
            for stream in (child.stdout, child.stderr):
                if stream is not None:
                    stream.close()
            out = b""
        return "hangs", describe_hang(out, timeout, killed=child.returncode is not None)
    elapsed = time.monotonic() - started
    return parse_child_output(out, err, child.returncode, elapsed)


def _json_lines(out: bytes) -> list[dict[str, object]]:
    """The JSON objects among the child's output lines; anything else is skipped."""
    found: list[dict[str, object]] = []
    for line in out.decode("utf-8", "replace").splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found


def describe_hang(out: bytes, timeout: float, *, killed: bool = True) -> str:
    """Explain a probe that ran out of time, from the progress lines it printed."""
    started = [line for line in _json_lines(out) if line.get("stage") == "started"]
    if started:
        detail = (
            f"the test guest started ({started[0].get('ms')} ms to its first exit) but "
            f"a {LOOP_ITERATIONS:,}-iteration loop, tens of milliseconds with hardware "
            f"virtualisation, did not finish within {timeout:g} s: this KVM appears to "
            "emulate guest instructions in software, so real guests never finish booting"
        )
    else:
        detail = f"the test guest did not reach its first instruction within {timeout:g} s"
    if not killed:
        detail += "; the probe process could not be killed and was left behind"
    return detail


def parse_child_output(
    out: bytes, err: bytes, returncode: int, elapsed: float
) -> tuple[str, str]:
    """Turn the child's final JSON line into a verdict; anything malformed is ``fails``."""
    answers = [line for line in _json_lines(out) if "verdict" in line]
    if not answers:
        tail = err.decode("utf-8", "replace").strip()[-500:]
        return "fails", f"probe exited with status {returncode} without a verdict: {tail}"
    verdict, detail = str(answers[-1]["verdict"]), str(answers[-1].get("detail", ""))
    if verdict not in VERDICTS:
        return "fails", f"probe returned an unknown verdict {verdict!r}: {detail}"
    return verdict, f"{detail}; probe took {elapsed:.2f} s"


if __name__ == "__main__":
    child_verdict, child_detail = _child_probe()
    print(json.dumps({"verdict": child_verdict, "detail": child_detail}), flush=True)
