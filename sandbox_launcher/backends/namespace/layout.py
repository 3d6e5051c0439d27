"""The file system and identity a namespace sandbox sees, as bwrap options.

Host system directories are read-only; everything writable is a size-limited tmpfs
that exists only in the sandbox's mount namespace, so it is gone, by the kernel's
hand, the moment the last process of the session is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ...core.plan import SANDBOX_HOME, SANDBOX_USER, LaunchPlan
from ...devices.host import Link, Mount
from .bwrap import Bind, BwrapOption, Data, Dir, FdBind, FileCopy, Symlink, Tmpfs
from .environment import runtime_dir

#: Top-level paths that merged-/usr systems keep as symlinks into /usr.
USR_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
#: The host's /etc entries a client may see (:func:`etc_view`), each for a reason:
#: libc and name lookup, certificates, fonts and time, the browsers' own settings,
#: audio, X11 and toolkit settings, and Python for clients written in it.
ETC_ALLOWLIST = (
    # libc, the loader, name and service lookup
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "nsswitch.conf", "host.conf",
    "gai.conf", "protocols", "services", "ethertypes", "rpc", "shells",
    "alternatives", "locale.alias", "mtab",
    # TLS: certificates and library settings
    "ssl", "ca-certificates", "ca-certificates.conf", "gnutls", "pki", "crypto-policies",
    # time, fonts, file types, the OS release a client reports
    "localtime", "timezone", "fonts", "mime.types", "magic", "magic.mime",
    "os-release", "debian_version", "lsb-release",
    # desktop settings: toolkits, X11, graphics, audio
    "xdg", "dconf", "gtk-2.0", "gtk-3.0", "gtk-4.0", "X11", "xml", "glvnd", "drirc",
    "vulkan", "vdpau_wrapper.cfg", "pulse", "alsa", "asound.conf", "openal",
    # the browsers the web profiles run, and Python
    "chromium", "chromium.d", "firefox-esr", "firefox", "python3", "python3.11",
)
#: Files in the sandbox's /etc that it makes itself (:func:`identity_files`,
#: :func:`resolver_config`), never the host's.
ETC_SYNTHETIC = ("machine-id", "hostname", "hosts", "passwd", "group", "resolv.conf")
#: /run is tiny: it only holds the sandbox's own runtime dir.
_RUN_SIZE = 16 << 20


@dataclass(frozen=True)
class Identity:
    """A fresh machine identity per session, so the client cannot fingerprint the host."""

    hostname: str
    machine_id: str
    boot_id: str

    @classmethod
    def fresh(cls) -> Identity:
        """Random values shaped like real ones (some clients validate the format).

        os.urandom rather than secrets/uuid: same kernel randomness, without ~8 ms of
        imports on every launch.
        """
        boot = os.urandom(16).hex()
        return cls(
            hostname=f"sandbox-{os.urandom(3).hex()}",
            machine_id=os.urandom(16).hex(),
            boot_id=f"{boot[:8]}-{boot[8:12]}-4{boot[13:16]}-a{boot[17:20]}-{boot[20:]}",
        )


def _passwd() -> tuple[str, str]:
    uid, gid = os.getuid(), os.getgid()
    passwd = (
        "root:x:0:0:root:/root:/usr/sbin/nologin\n"
        f"{SANDBOX_USER}:x:{uid}:{gid}:{SANDBOX_USER}:{SANDBOX_HOME}:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    )
    group = f"root:x:0:\n{SANDBOX_USER}:x:{gid}:\nnogroup:x:65534:\n"
    return passwd, group


def system_mounts(root: Path = Path("/")) -> list[BwrapOption]:
    """Read-only host system directories, mirroring merged-/usr symlinks."""
    options: list[BwrapOption] = [Bind("/usr", "/usr")]
    for name in USR_LINKS:
        path = root / name
        if path.is_symlink():
            options.append(Symlink(os.readlink(path), f"/{name}"))
        elif path.is_dir():
            options.append(Bind(f"/{name}", f"/{name}"))
    options += etc_view(root)
    if (root / "opt").is_dir():
        options.append(Bind("/opt", "/opt"))
    return options


def etc_view(root: Path = Path("/")) -> list[BwrapOption]:
    """An /etc of only the allowlisted host entries; symlinks stay symlinks.

    Everything else is absent: the host's /etc names its accounts (passwd-, subuid,
    group-), its machine (ssh host keys) and its user's habits (gitconfig, pip.conf).
    A symlink such as /etc/localtime is recreated, not followed, because programs read
    the time zone's name from where it points.
    """
    options: list[BwrapOption] = [Dir("/etc")]
    for name in ETC_ALLOWLIST:
        path = root / "etc" / name
        if path.is_symlink():
            options.append(Symlink(os.readlink(path), f"/etc/{name}"))
        elif path.exists():
            options.append(Bind(f"/etc/{name}", f"/etc/{name}"))
    return options


def identity_files(identity: Identity) -> list[BwrapOption]:
    """Files that would otherwise show the host's identity, replaced by fresh ones."""
    passwd, group = _passwd()
    hosts = (f"127.0.0.1\tlocalhost\n127.0.1.1\t{identity.hostname}\n"
             "::1\tlocalhost ip6-localhost ip6-loopback\n")
    return [
        Data.of("/etc/machine-id", identity.machine_id + "\n"),
        Data.of("/etc/hostname", identity.hostname + "\n"),
        Data.of("/etc/hosts", hosts),
        Data.of("/etc/passwd", passwd),
        Data.of("/etc/group", group),
        Dir("/var"),
        Dir("/var/lib"),
        Dir("/var/lib/dbus"),
        Data.of("/var/lib/dbus/machine-id", identity.machine_id + "\n"),
        Data.of("/proc/sys/kernel/random/boot_id", identity.boot_id + "\n"),
        # The host's kernel command line names its root file system (root=UUID=…), a
        # fingerprint that survives every reinstall of the client; the kernel is the same.
        Data.of("/proc/cmdline", f"BOOT_IMAGE=/boot/vmlinuz-{os.uname().release} ro quiet\n"),
    ]


def resolver_config(jailed: bool) -> BwrapOption:
    """The sandbox's resolv.conf: the jail's filtering resolver, or nothing at all.

    Never the host's: its name servers would tell the client about the user's network.
    """
    text = "nameserver 127.0.0.1\n" if jailed else "# no network in this sandbox\n"
    return Data.of("/etc/resolv.conf", text)


def private_storage(plan: LaunchPlan) -> list[BwrapOption]:
    """Throwaway, size-limited home, /tmp, /dev/shm and runtime dir."""
    runtime = runtime_dir()
    return [
        Tmpfs("/tmp", plan.tmp_size, 0o1777),
        Symlink("/tmp", "/var/tmp"),
        Tmpfs("/dev/shm", plan.shm_size, 0o1777),
        Dir("/home"),
        Tmpfs(SANDBOX_HOME, plan.home_size, 0o700),
        Tmpfs("/run", _RUN_SIZE, 0o755),
        Dir("/run/user"),
        Dir(runtime, 0o700),
    ]


def hardware_view() -> list[BwrapOption]:
    """Only CPU topology from /sys: no network MACs, no DMI serials, no block devices."""
    cpu = "/sys/devices/system/cpu"
    return [Bind(cpu, cpu)] if Path(cpu).is_dir() else []


#: The fresh /opt that makes room for a store client holds only directory entries.
_OPT_SIZE = 1 << 20


def client_files(plan: LaunchPlan, opt: Path = Path("/opt")) -> list[BwrapOption]:
    """The store client's read-only directory at its vendor's path, and seeded home files.

    The host's /opt is bound read-only, so bwrap cannot make a mount point in it: a mount
    below /opt gets a small fresh /opt with the host's entries bound back (except the
    one the client takes), then the client. After :func:`private_storage`: the seeded
    files go into the home tmpfs.
    """
    options: list[BwrapOption] = []
    for src, dest in plan.client.mounts:
        target = Path(dest)
        if target.parent == Path("/opt"):
            options.append(Tmpfs("/opt", _OPT_SIZE, 0o755))
            if opt.is_dir():
                options += [Bind(str(entry), f"/opt/{entry.name}")
                            for entry in sorted(opt.iterdir()) if entry.name != target.name]
        options.append(Bind(src, dest))
    for path, content in plan.client.home_files:
        options.append(FileCopy.of(f"{SANDBOX_HOME}/{path}", content))
    return options


def device_view(view: list[Mount | Link]) -> list[BwrapOption]:
    """The device grants (display socket, bus proxy, camera, share, downloads) as options.

    They come last: they are bound over the fresh /tmp, /run, /dev and home.
    """
    options: list[BwrapOption] = []
    for item in view:
        if isinstance(item, Link):
            options.append(Symlink(item.target, item.dest))
        elif item.fd >= 0:
            options.append(FdBind(item.fd, item.dest, writable=item.kind == "rw"))
        else:
            options.append(Bind(item.src, item.dest, writable=item.kind == "rw",
                                dev=item.kind == "dev"))
    return options
