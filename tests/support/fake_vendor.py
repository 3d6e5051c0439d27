"""A fake vendor: builds Zoom-like .deb and .tar.xz packages and signs them with a test key.

The packages are hostile in the ways a real one could hurt: maintainer scripts that would
write a canary file (preinst, postinst), a setuid-root helper, a device node, files for
the host's menus and cron. The "client" is a shell script that reports what it sees:
its arguments, its seeded settings, and whether it can write its own directory.

Stdlib and gpg only, so unit and integration tests share it.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

CLIENT_SCRIPT = """#!/bin/sh
echo "stand-in-zoom version=$(cat /opt/zoom/version.txt 2>/dev/null) args=$*"
conf="$HOME/.config/zoomus.conf"
if [ -f "$conf" ]; then echo "conf: $(tr '\\n' ' ' < "$conf")"; fi
if touch /opt/zoom/written 2>/dev/null; then echo "opt: writable"; else echo "opt: read-only"; fi
for f in /opt/zoom/*; do [ -u "$f" ] && echo "setuid: $f"; done
echo "done"
"""


def canary_script(canary: Path) -> str:
    """A maintainer script that proves it ran by creating *canary*."""
    return f"#!/bin/sh\necho ran > {canary}\nexit 0\n"


def _tar(entries: list[tarfile.TarInfo | tuple[tarfile.TarInfo, bytes]],
         compression: str) -> bytes:
    raw = io.BytesIO()
    mode = {"xz": "w:xz", "gz": "w:gz", "": "w"}[compression]
    with tarfile.open(fileobj=raw, mode=mode) as tar:  # type: ignore[call-overload]
        for entry in entries:
            if isinstance(entry, tuple):
                tar.addfile(entry[0], io.BytesIO(entry[1]))
            else:
                tar.addfile(entry)
    return raw.getvalue()


def _file(name: str, data: bytes, mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(time.time())
    return info, data


def _dir(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode = tarfile.DIRTYPE, 0o755
    return info


def _device(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.devmajor, info.devminor = tarfile.CHRTYPE, 0o666, 1, 3
    return info


def client_files(root: str, version: str) -> list[tarfile.TarInfo | tuple[tarfile.TarInfo, bytes]]:
    """The stand-in client's files below *root* (./opt/zoom or zoom)."""
    return [
        _dir(f"{root}"),
        _file(f"{root}/ZoomLauncher", CLIENT_SCRIPT.encode(), 0o755),
        _file(f"{root}/version.txt", f"{version}\n".encode()),
        _file(f"{root}/zoom-helper", b"#!/bin/sh\nid\n", 0o4755),  # setuid root, as shipped
        _device(f"{root}/evil-dev"),
    ]


def ar_archive(members: list[tuple[str, bytes]]) -> bytes:
    """An ar archive (the .deb container) of *members*."""
    out = b"!<arch>\n"
    for name, data in members:
        header = (f"{name:<16}{int(time.time()):<12}{0:<6}{0:<6}{0o100644:<8o}"
                  f"{len(data):<10}`\n").encode()
        out += header + data + (b"\n" if len(data) % 2 else b"")
    return out


@dataclass(frozen=True)
class DebParts:
    """The three signed members of a .deb."""

    debian_binary: bytes
    control: bytes
    data: bytes
    compression: str

    def members(self) -> list[tuple[str, bytes]]:
        """In dpkg's order."""
        suffix = {"xz": ".xz", "gz": ".gz", "": ""}[self.compression]
        return [("debian-binary", self.debian_binary), (f"control.tar{suffix}", self.control),
                (f"data.tar{suffix}", self.data)]

    def signed_bytes(self) -> bytes:
        """What a debsig _gpgorigin signature covers."""
        return self.debian_binary + self.control + self.data


def deb_parts(canary: Path, *, package: str = "zoom", version: str = "6.1.0.198",
              compression: str = "xz", payload: bytes = b"") -> DebParts:
    """A Zoom-like .deb's members; its preinst and postinst would write *canary*."""
    control_text = (f"Package: {package}\nVersion: {version}\nArchitecture: amd64\n"
                    "Maintainer: Test Vendor <test@example.org>\nDescription: stand-in\n")
    control = _tar([_file("./control", control_text.encode()),
                    _file("./preinst", canary_script(canary).encode(), 0o755),
                    _file("./postinst", canary_script(canary).encode(), 0o755)], compression)
    extra = [_file("./opt/zoom/libpayload.so", payload)] if payload else []
    data = _tar([_dir("./opt"), *client_files("./opt/zoom", version), *extra,
                 _dir("./usr"), _file("./usr/share/applications/Zoom.desktop", b"[Desktop]\n"),
                 _file("./etc/cron.daily/zoom", canary_script(canary).encode(), 0o755)],
                compression)
    return DebParts(b"2.0\n", control, data, compression)


def build_deb(dest: Path, parts: DebParts, gpgorigin: bytes | None = None) -> Path:
    """Write the .deb; with *gpgorigin*, signed the debsigs way."""
    members = parts.members()
    if gpgorigin is not None:
        members.append(("_gpgorigin", gpgorigin))
    dest.write_bytes(ar_archive(members))
    return dest


def builder_text(members: list[tuple[str, bytes]]) -> str:
    """The text dpkg-sig signs for the builder role: each member's md5, sha1, size, name."""
    lines = ["Version: 4", "Signer: ", "Date: Mon Jun  3 10:00:00 2024", "Role: builder",
             "Files: "]
    lines += [f"\t{hashlib.md5(data).hexdigest()} {hashlib.sha1(data).hexdigest()} "
              f"{len(data)} {name}" for name, data in members]
    return "\n".join(lines) + "\n"


def build_dpkg_sig_deb(dest: Path, parts: DebParts, key: SigningKey, *,
                       extra: list[tuple[str, bytes]] | None = None) -> Path:
    """Write the .deb signed the dpkg-sig way, as Zoom ships it (``_gpgbuilder``).

    *extra* members are added after signing: unsigned, as an attacker would add them.
    """
    members = parts.members()
    signed = key.clearsign(builder_text(members))
    dest.write_bytes(ar_archive([*members, ("_gpgbuilder", signed), *(extra or [])]))
    return dest


def build_tarball(dest: Path, version: str = "6.1.0.198") -> Path:
    """Zoom's other format: zoom_x86_64.tar.xz with a zoom/ directory."""
    dest.write_bytes(_tar(client_files("zoom", version), "xz"))
    return dest


@dataclass(frozen=True)
class SigningKey:
    """A throwaway signing key in its own GNUPGHOME, and its exported public keyring."""

    home: Path
    keyring: Path
    fingerprint: str

    def sign(self, data: bytes) -> bytes:
        """A binary detached signature of *data*."""
        done = subprocess.run(["gpg", "--homedir", str(self.home), "--batch", "--yes",
                               "--detach-sign", "--output", "-"], input=data,
                              capture_output=True, check=True, timeout=60)
        return done.stdout

    def clearsign(self, text: str, digest: str = "SHA1") -> bytes:
        """*text* clearsigned, with the SHA-1 digest Zoom's signatures use by default."""
        done = subprocess.run(["gpg", "--homedir", str(self.home), "--batch", "--yes",
                               "--digest-algo", digest, "--clearsign", "--output", "-"],
                              input=text.encode(), capture_output=True, check=True, timeout=60)
        return done.stdout

    def sign_file(self, path: Path) -> Path:
        """Write ``PATH.asc`` (armoured detached signature) next to *path*."""
        subprocess.run(["gpg", "--homedir", str(self.home), "--batch", "--yes", "--armor",
                        "--detach-sign", "--output", f"{path}.asc", str(path)],
                       capture_output=True, check=True, timeout=60)
        return Path(f"{path}.asc")


def make_key(directory: Path, name: str = "Test Vendor") -> SigningKey:
    """Generate an ed25519 signing key without a passphrase (seconds, no entropy wait)."""
    home = directory / f"gnupg-{name.replace(' ', '-').lower()}"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key",
                    f"{name} <test@example.org>", "ed25519", "sign", "never"],
                   capture_output=True, check=True, timeout=120, env=env)
    listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-keys"],
                             capture_output=True, text=True, check=True, timeout=60, env=env)
    fingerprint = next(line.split(":")[9] for line in listing.stdout.splitlines()
                       if line.startswith("fpr:"))
    keyring = directory / f"{home.name}.gpg"
    exported = subprocess.run(["gpg", "--batch", "--export", fingerprint],
                              capture_output=True, check=True, timeout=60, env=env)
    keyring.write_bytes(exported.stdout)
    return SigningKey(home, keyring, fingerprint)


def stop_agent(key: SigningKey) -> None:
    """gpg leaves a gpg-agent running for its home: end it with the home."""
    subprocess.run(["gpgconf", "--homedir", str(key.home), "--kill", "all"],
                   capture_output=True, check=False, timeout=30)
