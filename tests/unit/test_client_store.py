"""The client store with real packages, real gpg signatures and real files (no sandbox).

Every package comes from ``tests/support/fake_vendor.py``: maintainer scripts that would
write a canary, a setuid helper, a device node, files for the host's menus and cron.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest
from support.fake_vendor import (
    SigningKey,
    ar_archive,
    build_deb,
    build_tarball,
    deb_parts,
)

from sandbox_launcher.clients.store import ClientStore
from sandbox_launcher.core.errors import ClientStoreError

pytestmark = pytest.mark.skipif(shutil.which("gpg") is None or shutil.which("gpgv") is None,
                                reason="needs gpg and gpgv (packages gpg, gpgv)")


pytestmark = pytest.mark.usefixtures("no_user_keys")


def signed_deb(tmp_path: Path, key: SigningKey, package: str = "zoom") -> Path:
    parts = deb_parts(tmp_path / "canary", package=package)
    return build_deb(tmp_path / "zoom_amd64.deb", parts, key.sign(parts.signed_bytes()))


def leftovers(store: ClientStore) -> list[str]:
    """Anything in the vendor dir but the lock and state: staging dirs, versions."""
    base = store.root / "zoom"
    return sorted(p.name for p in base.iterdir() if p.name not in (".lock", "state.json")) \
        if base.exists() else []


def test_signed_deb_installs_without_scripts_or_setuid(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    deb = signed_deb(tmp_path, keypair[0])
    entry, skipped = store.install("zoom", source=deb, keyring=keypair[0].keyring)
    assert entry.version == "6.1.0.198" and entry.current
    assert entry.info["verified"] == "gpg (debsig)"
    assert entry.info["verified_by"] == keypair[0].fingerprint
    assert not (tmp_path / "canary").exists()
    text = "\n".join(skipped)
    for word in ("preinst", "postinst", "setuid", "device node", "outside opt/zoom"):
        assert word in text, skipped
    files = sorted(p.name for p in entry.path.iterdir())
    assert files == ["ZoomLauncher", "version.txt", "zoom-helper"]
    for path in [entry.path, *entry.path.iterdir()]:
        mode = path.stat().st_mode
        assert not mode & (stat.S_ISUID | stat.S_ISGID), path
        assert not mode & 0o222, f"{path} is writable ({mode:o})"
    assert (entry.path / "ZoomLauncher").stat().st_mode & 0o111
    assert leftovers(store) == ["6.1.0.198"]


def test_tarball_with_detached_signature(tmp_path: Path, store: ClientStore,
                                         keypair: tuple[SigningKey, SigningKey]) -> None:
    tarball = build_tarball(tmp_path / "zoom_x86_64.tar.xz", version="6.2.1")
    keypair[0].sign_file(tarball)
    entry, skipped = store.install("zoom", source=tarball, keyring=keypair[0].keyring)
    assert entry.version == "6.2.1" and entry.info["verified"] == "gpg (detached)"
    assert any("setuid" in s for s in skipped)


def test_tarball_with_recorded_checksum(tmp_path: Path, store: ClientStore) -> None:
    tarball = build_tarball(tmp_path / "zoom_x86_64.tar.xz", version="6.2.1")
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "zoom.sha256sums").write_text(f"{digest}  zoom_x86_64.tar.xz\n")
    entry, _ = store.install("zoom", source=tarball, trust_dir=trust)
    assert entry.info["verified"] == "sha256" and entry.info["verified_by"] == digest


def refused(store: ClientStore, match: str, **kwargs: object) -> ClientStoreError:
    with pytest.raises(ClientStoreError, match=match) as caught:
        store.install("zoom", **kwargs)  # type: ignore[arg-type]
    assert leftovers(store) == [], "something was left half-installed"
    assert store.current("zoom") is None
    return caught.value


def test_tampered_deb_is_refused(tmp_path: Path, store: ClientStore,
                                 keypair: tuple[SigningKey, SigningKey]) -> None:
    parts = deb_parts(tmp_path / "canary")
    signature = keypair[0].sign(parts.signed_bytes())
    evil = deb_parts(tmp_path / "canary", version="6.1.0.198")  # other bytes (mtimes, xz)
    tampered = type(parts)(parts.debian_binary, parts.control, evil.data + b"", "xz")
    if tampered.data == parts.data:  # same second: flip a byte in the xz payload instead
        data = bytearray(parts.data)
        data[len(data) // 2] ^= 0xFF
        tampered = type(parts)(parts.debian_binary, parts.control, bytes(data), "xz")
    deb = build_deb(tmp_path / "zoom_amd64.deb", tampered, signature)
    error = refused(store, "altered", source=deb, keyring=keypair[0].keyring)
    assert "BADSIG" in error.details
    assert not (tmp_path / "canary").exists()


def test_signature_by_an_unknown_key_is_refused(tmp_path: Path, store: ClientStore,
                                                keypair: tuple[SigningKey, SigningKey]) -> None:
    deb = signed_deb(tmp_path, keypair[1])
    refused(store, "not trusted", source=deb, keyring=keypair[0].keyring)


def test_no_trusted_keyring_is_refused_with_the_fix(tmp_path: Path, store: ClientStore,
                                                    keypair: tuple[SigningKey, SigningKey]) -> None:
    deb = signed_deb(tmp_path, keypair[0])
    error = refused(store, "no trusted signing key", source=deb, trust_dir=tmp_path / "none")
    assert "gpg --export" in error.hint and "client trust zoom" in error.hint


def test_unsigned_without_checksum_is_refused(tmp_path: Path, store: ClientStore) -> None:
    tarball = build_tarball(tmp_path / "zoom.tar.xz")
    refused(store, "no signature and no recorded checksum", source=tarball,
            trust_dir=tmp_path)


def test_wrong_checksum_is_refused(tmp_path: Path, store: ClientStore) -> None:
    tarball = build_tarball(tmp_path / "zoom.tar.xz")
    refused(store, "SHA-256 is", source=tarball, sha256="0" * 64)


def test_other_package_is_refused(tmp_path: Path, store: ClientStore,
                                  keypair: tuple[SigningKey, SigningKey]) -> None:
    deb = signed_deb(tmp_path, keypair[0], package="not-zoom")
    refused(store, "not Zoom's", source=deb, keyring=keypair[0].keyring)


def test_a_file_that_is_no_package_is_refused(tmp_path: Path, store: ClientStore) -> None:
    junk = tmp_path / "zoom_amd64.deb"
    junk.write_bytes(b"<html>Please log in</html>\n" * 10)
    digest = hashlib.sha256(junk.read_bytes()).hexdigest()
    refused(store, "neither a .deb nor a tarball", source=junk, sha256=digest)


def test_truncated_deb_is_refused(tmp_path: Path, store: ClientStore,
                                  keypair: tuple[SigningKey, SigningKey]) -> None:
    deb = signed_deb(tmp_path, keypair[0])
    cut = tmp_path / "cut.deb"
    cut.write_bytes(deb.read_bytes()[: deb.stat().st_size // 2])
    refused(store, "truncated", source=cut, keyring=keypair[0].keyring)


def test_path_out_of_the_client_dir_is_refused(tmp_path: Path, store: ClientStore) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:xz") as tar:
        for name in ("zoom/ok", "zoom/../../escaped"):
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"x\n"))
    tarball = tmp_path / "zoom.tar.xz"
    tarball.write_bytes(raw.getvalue())
    refused(store, "unsafe path", source=tarball,
            sha256=hashlib.sha256(raw.getvalue()).hexdigest())
    assert not (store.root.parent / "escaped").exists()


def test_symlink_escape_is_refused(tmp_path: Path, store: ClientStore) -> None:
    raw = io.BytesIO()
    outside = tmp_path / "outside"
    outside.mkdir()
    with tarfile.open(fileobj=raw, mode="w:xz") as tar:
        link = tarfile.TarInfo("zoom/lib")
        link.type, link.linkname = tarfile.SYMTYPE, str(outside)
        tar.addfile(link)
        info = tarfile.TarInfo("zoom/lib/planted")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"x\n"))
    tarball = tmp_path / "zoom.tar.xz"
    tarball.write_bytes(raw.getvalue())
    refused(store, "through a symlink", source=tarball,
            sha256=hashlib.sha256(raw.getvalue()).hexdigest())
    assert list(outside.iterdir()) == []


@pytest.mark.skipif(shutil.which("zstd") is None, reason="needs zstd")
def test_zstd_deb(tmp_path: Path, store: ClientStore,
                  keypair: tuple[SigningKey, SigningKey]) -> None:
    parts = deb_parts(tmp_path / "canary", compression="")

    def zstd(data: bytes) -> bytes:
        return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True,
                              check=True, timeout=60).stdout

    members = [("debian-binary", parts.debian_binary), ("control.tar.zst", zstd(parts.control)),
               ("data.tar.zst", zstd(parts.data))]
    deb = tmp_path / "zoom_amd64.deb"
    deb.write_bytes(ar_archive(members))
    keypair[0].sign_file(deb)
    entry, _ = store.install("zoom", source=deb, keyring=keypair[0].keyring)
    assert (entry.path / "ZoomLauncher").is_file()
    assert not (tmp_path / "canary").exists()


def test_previous_version_stays_until_the_new_one_started(
        tmp_path: Path, store: ClientStore) -> None:
    def install(version: str) -> None:
        tarball = build_tarball(tmp_path / f"zoom-{version}.tar.xz", version=version)
        store.install("zoom", source=tarball,
                      sha256=hashlib.sha256(tarball.read_bytes()).hexdigest())

    install("1.0")
    store.record_start("zoom", "1.0")
    install("2.0")
    assert [(i.version, i.current, i.last_started) for i in store.installed("zoom")] == [
        ("2.0", True, False), ("1.0", False, True)]
    store.record_start("zoom", "2.0")
    assert [i.version for i in store.installed("zoom")] == ["2.0"]
    install("3.0")
    assert store.remove("zoom", "3.0") == ["3.0"]
    current = store.current("zoom")
    assert current is not None and current.version == "2.0"
    state = json.loads((store.root / "zoom" / "state.json").read_text())
    assert state["current"] == "2.0" and set(state["versions"]) == {"2.0"}
    assert store.remove("zoom") == ["2.0"] and store.current("zoom") is None
    assert leftovers(store) == []
