"""Zoom's real signature format (dpkg-sig ``_gpgbuilder``) and pinning the vendor's key.

Real gpg and gpgv, real .deb files (``tests/support/fake_vendor.py``); no sandbox. The
test key stands in for Zoom's: ``fingerprint=`` pins it as ``--fingerprint`` would.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import pytest
from support.fake_vendor import (
    SigningKey,
    ar_archive,
    build_dpkg_sig_deb,
    builder_text,
    deb_parts,
)

from sandbox_launcher.cli.main import main
from sandbox_launcher.clients import dpkgsig, keys
from sandbox_launcher.clients.store import ClientStore
from sandbox_launcher.clients.vendors import VENDORS
from sandbox_launcher.core.errors import ClientStoreError, UsageError

ZOOM_PIN = "84C365D6CC9A4886CA926BCC4F2197399706AC24"


pytestmark = pytest.mark.usefixtures("no_user_keys")


def refused(store: ClientStore, match: str, **kwargs: object) -> ClientStoreError:
    with pytest.raises(ClientStoreError, match=match) as caught:
        store.install("zoom", **kwargs)  # type: ignore[arg-type]
    assert store.current("zoom") is None
    base = store.root / "zoom"
    assert not base.exists() or {p.name for p in base.iterdir()} <= {".lock", "state.json"}
    return caught.value


def pinned(tmp_path: Path, key: SigningKey, fingerprint: str | None = None) -> dict[str, object]:
    """install() arguments: no IT keyring, the user's trust dir, *key* pinned."""
    return {"trust_dir": tmp_path / "no-it",
            "key_options": keys.KeyOptions(fingerprint=fingerprint or key.fingerprint,
                                           user_dir=tmp_path / "keys")}


def trust(tmp_path: Path, key: SigningKey) -> Path:
    """Put *key* in the user's trust dir (as ``client trust --from`` would)."""
    trusted = keys.trust_key(VENDORS["zoom"], pin=key.fingerprint, source=key.keyring,
                             user_dir=tmp_path / "keys")
    return trusted.path


# --------------------------------------------------------------------------- the parser

GOOD = ("Version: 4\nSigner: \nDate: Mon Jun  3 10:00:00 2024\nRole: builder\nFiles: \n"
        f"\t{'a' * 32} {'b' * 40} 4 debian-binary\n"
        f"\t{'C' * 32} {'d' * 40} 1234 control.tar.xz\n"
        f"\t{'e' * 32} {'f' * 40} 99999 data.tar.xz\n")


def test_builder_text_is_parsed_into_members() -> None:
    files = dpkgsig.parse_builder(GOOD)
    assert list(files) == ["debian-binary", "control.tar.xz", "data.tar.xz"]
    assert files["control.tar.xz"] == dpkgsig.SignedMember("c" * 32, "d" * 40, 1234)


def test_builder_text_tolerates_what_a_cleartext_signature_does_not_cover() -> None:
    # Trailing blanks are outside a cleartext signature; CRLF is how it canonicalises.
    text = GOOD.replace("\n", " \t\r\n")
    assert dpkgsig.parse_builder(text) == dpkgsig.parse_builder(GOOD)


@pytest.mark.parametrize(("text", "why"), [
    (GOOD.replace("Version: 4", "Version: 3"), "version '3'"),
    (GOOD.replace("Role: builder", "Role: maint"), "role 'maint'"),
    (GOOD.split("\t", 1)[0], "lists no files"),
    (GOOD + f"\t{'a' * 32} {'b' * 40} 4 debian-binary\n", "listed twice"),
    (GOOD.replace(f"{'a' * 32} ", "xyz "), "unexpected line"),
    (GOOD.replace("Files: \n", "Files: \n\n"), "unexpected line"),
    (GOOD + "Role: builder\n", "appears twice"),
    (GOOD.replace("Files: ", "Files: debian-binary"), "must be a list"),
    ("just some words\n", "unexpected line"),
])
def test_malformed_builder_text_is_refused(text: str, why: str) -> None:
    with pytest.raises(ClientStoreError, match=why):
        dpkgsig.parse_builder(text)


def test_fingerprints_are_normalised_and_checked() -> None:
    assert keys.fingerprint("84c3 65d6 cc9a 4886 ca92  6bcc 4f21 9739 9706 ac24") == ZOOM_PIN
    with pytest.raises(UsageError, match="not an OpenPGP fingerprint"):
        keys.fingerprint("9706AC24")


def test_a_mistyped_fingerprint_is_refused_before_anything_is_fetched(
        tmp_path: Path) -> None:
    err = io.StringIO()
    status = main(["client", "install", "zoom", "--url", "https://zoom.invalid/x.deb",
                   "--fingerprint", "9706 AC24"], io.StringIO(), err)
    assert status == 2 and "not an OpenPGP fingerprint" in err.getvalue(), err.getvalue()
    assert not (tmp_path / "data" / "sandbox-launcher" / "clients").exists()


def test_zoom_is_pinned_to_its_published_key() -> None:
    zoom = VENDORS["zoom"]
    assert zoom.key_fingerprint == ZOOM_PIN
    assert zoom.key_url == "https://zoom.us/linux/download/pubkey"
    assert keys.pin_for(zoom) == ZOOM_PIN
    assert keys.pin_for(zoom, "aa" * 20) == "AA" * 20


# --------------------------------------------------------------------------- packages


def test_dpkg_sig_package_installs_with_the_pinned_key(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    trust(tmp_path, keypair[0])
    deb = build_dpkg_sig_deb(tmp_path / "zoom.deb", deb_parts(tmp_path / "canary"),
                             keypair[0])
    entry, skipped = store.install("zoom", source=deb, **pinned(tmp_path, keypair[0]))  # type: ignore[arg-type]
    assert entry.version == "6.1.0.198"
    assert entry.info["verified"] == "gpg (dpkg-sig builder)"
    assert entry.info["verified_by"] == keypair[0].fingerprint
    assert entry.info["key_from"] == "trusted by you"
    assert any("postinst" in s for s in skipped)
    assert not (tmp_path / "canary").exists()


def test_dpkg_sig_package_with_an_explicit_keyring(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    deb = build_dpkg_sig_deb(tmp_path / "zoom.deb", deb_parts(tmp_path / "canary"),
                             keypair[0])
    entry, _ = store.install("zoom", source=deb, keyring=keypair[0].keyring)
    assert entry.info["verified"] == "gpg (dpkg-sig builder)"
    assert entry.info["key_from"] == "--keyring"


def test_member_altered_after_signing_is_refused_by_name(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    trust(tmp_path, keypair[0])
    parts = deb_parts(tmp_path / "canary")
    signed = keypair[0].clearsign(builder_text(parts.members()))
    data = bytearray(parts.data)
    data[len(data) // 2] ^= 0xFF
    members = [*parts.members()[:2], ("data.tar.xz", bytes(data)), ("_gpgbuilder", signed)]
    deb = tmp_path / "zoom.deb"
    deb.write_bytes(ar_archive(members))
    error = refused(store, r"data\.tar\.xz in zoom\.deb does not match .* altered",
                    source=deb, **pinned(tmp_path, keypair[0]))
    assert "signed: md5" in error.details


def test_unsigned_member_riding_along_is_refused(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    trust(tmp_path, keypair[0])
    deb = build_dpkg_sig_deb(tmp_path / "zoom.deb", deb_parts(tmp_path / "canary"),
                             keypair[0], extra=[("data.tar.gz", b"evil")])
    refused(store, "a member the vendor did not sign: data.tar.gz", source=deb,
            **pinned(tmp_path, keypair[0]))


def test_signed_member_that_is_missing_is_refused(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    trust(tmp_path, keypair[0])
    parts = deb_parts(tmp_path / "canary")
    signed = keypair[0].clearsign(builder_text([*parts.members(), ("extra.txt", b"x")]))
    deb = tmp_path / "zoom.deb"
    deb.write_bytes(ar_archive([*parts.members(), ("_gpgbuilder", signed)]))
    refused(store, "lacks extra.txt, which the vendor's signature lists", source=deb,
            **pinned(tmp_path, keypair[0]))


def test_a_package_without_control_is_refused_even_if_signed(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    trust(tmp_path, keypair[0])
    parts = deb_parts(tmp_path / "canary")
    members = [parts.members()[0], parts.members()[2]]
    deb = tmp_path / "zoom.deb"
    deb.write_bytes(ar_archive([*members, ("_gpgbuilder",
                                           keypair[0].clearsign(builder_text(members)))]))
    refused(store, "not a well-formed Debian package", source=deb,
            **pinned(tmp_path, keypair[0]))


def test_forged_list_outside_the_signed_text_is_not_believed(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    trust(tmp_path, keypair[0])
    parts = deb_parts(tmp_path / "canary")
    signed = keypair[0].clearsign(builder_text(parts.members()))
    evil = type(parts)(parts.debian_binary, parts.control, parts.data + b"\0" * 512, "xz")
    # The attacker's list for the altered data, before the genuine signed block.
    forged = builder_text(evil.members()).encode() + b"\n" + signed
    deb = tmp_path / "zoom.deb"
    deb.write_bytes(ar_archive([*evil.members(), ("_gpgbuilder", forged)]))
    refused(store, "data.tar.xz in zoom.deb does not match", source=deb,
            **pinned(tmp_path, keypair[0]))


def test_signature_by_another_key_is_refused(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    trust(tmp_path, keypair[0])
    deb = build_dpkg_sig_deb(tmp_path / "zoom.deb", deb_parts(tmp_path / "canary"),
                             keypair[1])
    refused(store, "not trusted", source=deb, **pinned(tmp_path, keypair[0]))


def test_pin_holds_even_when_the_trusted_keyring_holds_other_keys(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    ring = trust(tmp_path, keypair[0])
    ring.write_bytes(ring.read_bytes() + keypair[1].keyring.read_bytes())  # slipped in
    deb = build_dpkg_sig_deb(tmp_path / "zoom.deb", deb_parts(tmp_path / "canary"),
                             keypair[1])
    error = refused(store, "not the vendor's pinned key", source=deb,
                    **pinned(tmp_path, keypair[0]))
    assert keypair[0].fingerprint in error.summary and keypair[1].fingerprint in error.summary


def test_it_keyring_is_used_without_the_pin(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    it_dir = tmp_path / "it"
    it_dir.mkdir()
    (it_dir / "zoom.gpg").write_bytes(keypair[1].keyring.read_bytes())
    deb = build_dpkg_sig_deb(tmp_path / "zoom.deb", deb_parts(tmp_path / "canary"),
                             keypair[1])
    # The vendor's own pin (Zoom's) does not bind what IT installed on purpose.
    entry, _ = store.install("zoom", source=deb, trust_dir=it_dir,
                             key_options=keys.KeyOptions(user_dir=tmp_path / "keys"))
    assert entry.info["key_from"] == "IT"
    assert entry.info["verified_by"] == keypair[1].fingerprint


def test_no_trusted_key_names_client_trust(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    deb = build_dpkg_sig_deb(tmp_path / "zoom.deb", deb_parts(tmp_path / "canary"),
                             keypair[0])
    error = refused(store, "no trusted signing key", source=deb,
                    **pinned(tmp_path, keypair[0]))
    assert "sandbox-launcher client trust zoom" in error.hint
    assert "gpg --export" in error.hint


def test_it_checksum_still_vouches_for_a_signed_package_without_a_key(
        tmp_path: Path, store: ClientStore, keypair: tuple[SigningKey, SigningKey]) -> None:
    deb = build_dpkg_sig_deb(tmp_path / "zoom.deb", deb_parts(tmp_path / "canary"),
                             keypair[0])
    it_dir = tmp_path / "it"
    it_dir.mkdir()
    digest = hashlib.sha256(deb.read_bytes()).hexdigest()
    (it_dir / "zoom.sha256sums").write_text(f"{digest}  zoom_amd64.deb\n")
    entry, _ = store.install("zoom", source=deb, trust_dir=it_dir,
                             key_options=keys.KeyOptions(user_dir=tmp_path / "keys"))
    assert entry.info["verified"] == "sha256" and entry.info["verified_by"] == digest


# --------------------------------------------------------------------------- trusting keys


def listed(keyring: Path) -> list[str]:
    """Primary fingerprints in an exported keyring file."""
    out = subprocess.run(["gpg", "--batch", "--with-colons", "--show-keys", str(keyring)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    lines = out.splitlines()
    return [lines[i + 1].split(":")[9] for i, line in enumerate(lines)
            if line.startswith("pub:")]


def test_trust_keeps_only_the_pinned_key(tmp_path: Path,
                                         keypair: tuple[SigningKey, SigningKey]) -> None:
    both = tmp_path / "both.gpg"
    both.write_bytes(keypair[1].keyring.read_bytes() + keypair[0].keyring.read_bytes())
    key = keys.trust_key(VENDORS["zoom"], pin=keypair[0].fingerprint, source=both,
                         user_dir=tmp_path / "keys")
    assert key.path == tmp_path / "keys" / "zoom.gpg"
    assert key.user_id == "Test Vendor <test@example.org>"
    assert listed(key.path) == [keypair[0].fingerprint]


def test_trust_refuses_a_key_that_is_not_pinned(tmp_path: Path,
                                                keypair: tuple[SigningKey, SigningKey]) -> None:
    with pytest.raises(ClientStoreError) as caught:
        keys.trust_key(VENDORS["zoom"], pin=ZOOM_PIN, source=keypair[1].keyring,
                       user_dir=tmp_path / "keys")
    assert keypair[1].fingerprint in caught.value.summary and ZOOM_PIN in caught.value.summary
    assert "nothing was trusted" in caught.value.hint
    assert not (tmp_path / "keys").exists()


def test_trust_refuses_a_file_that_is_no_key(tmp_path: Path) -> None:
    junk = tmp_path / "pubkey"
    junk.write_text("<html>Sign in</html>\n")
    with pytest.raises(ClientStoreError, match="holds no OpenPGP key"):
        keys.trust_key(VENDORS["zoom"], pin=ZOOM_PIN, source=junk, user_dir=tmp_path / "k")
    assert not (tmp_path / "k").exists()


def test_colon_listing_reads_primaries_not_subkeys() -> None:
    listing = ("pub:-:255:22:AAAA:1:::-:::scSC:::::ed25519:::0:\n"
               f"fpr:::::::::{'A' * 40}:\n"
               "uid:-::::1::X::Vendor <v@example.org>::::::::::0:\n"
               "sub:-:255:18:BBBB:1::::::e:::::cv25519::\n"
               f"fpr:::::::::{'B' * 40}:\n"
               "pub:r:255:22:CCCC:1:::-:::sc:::::ed25519:::0:\n"
               f"fpr:::::::::{'c' * 40}:\n")
    assert keys._primary_keys(listing) == {"A" * 40: ("-", "Vendor <v@example.org>"),
                                           "C" * 40: ("r", "")}
