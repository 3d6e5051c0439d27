"""The sign-in vault against a real Secret Service (gnome-keyring), as the unprivileged user.

"Session 1" captures the sign-in paths of a fresh home (on tmpfs) and saves them, "session
2" opens the vault into another fresh home: the two calls the session layer makes around
a client. Tampering is done as an attacker would: on the files, as root.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import json
import os
import secrets
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_keyring import SecretService, secret_service  # noqa: F401

pytestmark = pytest.mark.integration


def sign_in(home: Path, marker: str) -> None:
    """What the client leaves in its home when the user signs in (plus a log it must not
    keep), owned by the user."""
    (home / ".zoom" / "data").mkdir(parents=True)
    (home / ".zoom" / "logs").mkdir()
    (home / ".config").mkdir()
    (home / ".zoom" / "data" / "token").write_text(f"token={marker}\n")
    (home / ".zoom" / "logs" / "zoom.log").write_text(f"log {marker}-LOG\n")
    (home / ".config" / "zoomus.conf").write_text("[General]\nlanguage=de\n")
    owner = home.stat()
    for path in home.rglob("*"):
        os.chown(path, owner.st_uid, owner.st_gid)


def files_holding(needle: bytes, roots: list[Path]) -> list[str]:
    """Regular files below *roots* that contain *needle*."""
    hits = []
    for root in roots:
        for path in [root, *root.rglob("*")] if root.is_dir() else []:
            with contextlib.suppress(OSError):
                if path.is_file() and not path.is_symlink() and needle in path.read_bytes():
                    hits.append(str(path))
    return hits


@pytest.fixture
def marker() -> str:
    return f"SL-VAULT-{secrets.token_hex(8)}"


@pytest.fixture
def saved(secret_service: SecretService, marker: str) -> Iterator[SecretService]:  # noqa: F811
    """Session 1 has run: the sign-in is in the vault."""
    home = secret_service.home("session1")
    sign_in(home, marker)
    result = secret_service.child("save", "zoom", str(home))
    assert result["saved"], result
    shutil.rmtree(home)  # the session's home goes with the session
    yield secret_service


def test_sign_in_comes_back_and_is_on_disk_only_encrypted(saved: SecretService,
                                                          marker: str) -> None:
    home2 = saved.home("session2")
    result = saved.child("open", "zoom", str(home2))
    assert result["seeded"] and result["problem"] is None, result
    assert "restored from the vault (save #1" in result["notes"][0]
    assert (home2 / ".zoom" / "data" / "token").read_text() == f"token={marker}\n"
    assert (home2 / ".config" / "zoomus.conf").read_text().startswith("[General]")
    assert not (home2 / ".zoom" / "logs").exists()  # not a sign-in path: never kept

    vault_file = saved.vault_dir / "zoom.vault"
    assert vault_file.stat().st_uid == saved.user.uid
    assert oct(vault_file.stat().st_mode & 0o777) == "0o600"
    disk = [saved.root, saved.user.home, Path("/var/tmp")]
    assert files_holding(marker.encode(), disk) == []
    # Control: the search does find it where it is, in the session's tmpfs home.
    assert files_holding(marker.encode(), [saved.shm]) == [str(home2 / ".zoom/data/token")]
    # The key is only in the keyring: neither its bytes nor its base64 are in any file
    # (gnome-keyring's own file is encrypted with the login password).
    item = saved.child("item", "zoom")
    assert item["items"] == 1
    doc = json.loads(item["secret"])
    key = base64.b64decode(doc["key"])
    assert len(key) == 32 and doc["counter"] == 1
    assert files_holding(key, disk) == [] and files_holding(doc["key"].encode(), disk) == []
    assert (saved.data_home / "keyrings" / "login.keyring").is_file()  # the real store


def test_real_sessions_sign_in_once_and_leave_no_plain_text(
        secret_service: SecretService, marker: str) -> None:  # noqa: F811
    """Session 1 (real bubblewrap) signs in and is stopped; its home is captured after the
    client exited; session 2 (a new sandbox) finds the sign-in in its fresh home."""
    first, _ = secret_service.session("write", "zoom", SL_TOKEN=marker)
    assert first["saved"] and first["wiped"], first
    assert first["status"] == 128 + signal.SIGTERM  # stopped by the user
    assert any("planted-link: not captured" in n for n in first["notes"]), first
    second, output = secret_service.session("read", "zoom")
    assert second["wiped"] and second["saved"], second
    assert any("restored from the vault (save #1" in n for n in second["notes"]), second
    assert f"token={marker}" in output and "language=de" in output
    assert "logs" not in output and "planted-link" not in output  # neither kept nor made
    disk = [secret_service.root, secret_service.user.home, Path("/var/tmp")]
    assert files_holding(marker.encode(), disk) == []
    assert (secret_service.vault_dir / "zoom.vault").is_file()
    reports = list((secret_service.root / "state").rglob("*.json"))
    assert len(reports) == 2  # both sessions reported (and the marker is in neither)


def test_second_save_counts_up_and_status_shows_it(saved: SecretService, marker: str) -> None:
    home = saved.home("session2")
    assert saved.child("open", "zoom", str(home))["seeded"]
    assert saved.child("save", "zoom", str(home))["counter"] == 2
    profiles = saved.root / "config" / "sandbox-launcher" / "profiles"
    profiles.mkdir(parents=True)
    (profiles / "zoom.toml").write_text("remember_signin = true\n")
    for path in (saved.root / "config", saved.root / "config" / "sandbox-launcher", profiles,
                 profiles / "zoom.toml"):
        shutil.chown(path, saved.user.uid, saved.user.gid)
    done = saved.launcher("vault", "status", "--json")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    assert row["profile"] == "zoom" and row["remember_signin"] and row["key"] == "present"
    assert row["size"] == (saved.vault_dir / "zoom.vault").stat().st_size
    assert json.loads(saved.child("item", "zoom")["secret"])["counter"] == 2
    text = saved.launcher("vault", "status")
    assert text.returncode == 0 and text.stdout.startswith("zoom"), text
    assert "remember=yes" in text.stdout and "key present" in text.stdout


def _flip(path: Path) -> None:
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0x40
    path.write_bytes(bytes(blob))


@pytest.mark.parametrize("attack", ["flipped-byte", "other-profile", "rollback"])
def test_tampered_vaults_are_detected_and_set_aside(saved: SecretService, marker: str,
                                                    attack: str) -> None:
    vault_file = saved.vault_dir / "zoom.vault"
    if attack == "flipped-byte":
        _flip(vault_file)
        expected, words = "tampered", "changed since it was saved"
    elif attack == "other-profile":
        other = saved.home("other")
        sign_in(other, "OTHER")
        assert saved.child("save", "teams-web", str(other))["saved"]
        shutil.copyfile(saved.vault_dir / "teams-web.vault", vault_file)
        expected, words = "other-profile", "profile 'teams-web''s, not 'zoom''s"
    else:
        old = vault_file.read_bytes()
        home = saved.home("session2")
        assert saved.child("open", "zoom", str(home))["seeded"]
        assert saved.child("save", "zoom", str(home))["saved"]  # save #2
        vault_file.write_bytes(old)  # the attacker puts save #1 back
        expected, words = "rollback", "save #1 but the keyring expects #2"
    tampered = vault_file.read_bytes()
    fresh = saved.home("after")
    result = saved.child("open", "zoom", str(fresh))
    assert result["problem"] == expected and not result["seeded"], result
    assert words in result["notes"][0] and "starts signed out" in result["notes"][0]
    assert list(fresh.iterdir()) == []  # a clean session
    assert not vault_file.exists()
    aside = Path(result["set_aside"])
    assert aside.parent == saved.vault_dir and aside.read_bytes() == tampered
    # The next session saves afresh and the one after that opens it.
    sign_in(saved.home("again"), marker)
    assert saved.child("save", "zoom", str(saved.shm / "again"))["saved"]
    assert saved.child("open", "zoom", str(saved.home("last")))["seeded"]


def test_locked_keyring_gives_a_clean_session_and_saves_nothing(saved: SecretService) -> None:
    before = (saved.vault_dir / "zoom.vault").read_bytes()
    assert saved.child("lock") == {"locked": True}
    home = saved.home("session2")
    result = saved.child("open", "zoom", str(home))
    assert result["problem"] == "unavailable" and not result["save_allowed"]
    assert "the keyring is locked and was not unlocked" in result["notes"][0]
    assert list(home.iterdir()) == []
    sign_in(saved.home("other"), "NEW")
    assert saved.child("save", "zoom", str(saved.shm / "other"))["problem"] == "unavailable"
    assert (saved.vault_dir / "zoom.vault").read_bytes() == before  # kept, not set aside
    status = saved.launcher("vault", "status", "zoom", "--json")
    assert "locked" in status.stdout, status
    # A real session: it runs, signed out, says why, saves nothing, is wiped.
    session, output = saved.session("read", "zoom")
    assert session["wiped"] and not session["saved"], session
    assert any("the keyring is locked" in n for n in session["notes"]), session
    assert session["notes"][-1] == ("sign-in not saved: the keyring was not available when "
                                    "the session started")
    assert "No such file or directory" in output and "token=" not in output
    assert (saved.vault_dir / "zoom.vault").read_bytes() == before


def test_no_keyring_gives_a_clean_session_with_the_reason(saved: SecretService) -> None:
    home = saved.home("nobus")
    result = saved.child("open", "zoom", str(home), bus=False)
    assert result["problem"] == "unavailable" and not result["save_allowed"]
    assert "no OS keyring (Secret Service, KWallet) is running" in result["notes"][0]
    assert list(home.iterdir()) == []
    assert (saved.vault_dir / "zoom.vault").exists()  # untouched for when it is back
    session, output = saved.session("read", "zoom", bus=False)
    assert session["wiped"] and not session["saved"], session
    assert any("no OS keyring" in n for n in session["notes"]) and "token=" not in output
    done = saved.launcher("vault", "forget", "zoom", bus=False)
    assert done.returncode == 1 and "its key was not" in done.stderr


def test_sigkill_during_a_save_leaves_the_previous_vault(saved: SecretService,
                                                         marker: str) -> None:
    home = saved.home("session2")
    assert saved.child("open", "zoom", str(home))["seeded"]
    (home / ".zoom" / "data" / "token").write_text("token=NEWER\n")
    saver = saved.spawn_child("hang-in-save", "zoom", str(home))
    try:
        assert saver.stdout is not None
        assert saver.stdout.readline().strip() == "ready", saver.stderr
        temporaries = list(saved.vault_dir.glob(".zoom.vault.*.tmp"))
        assert len(temporaries) == 1 and temporaries[0].stat().st_size > 0
        os.kill(saver.pid, signal.SIGKILL)
    finally:
        saver.wait(30)
        for stream in (saver.stdout, saver.stderr):
            if stream is not None:
                stream.close()
    fresh = saved.home("session3")
    result = saved.child("open", "zoom", str(fresh))
    assert result["seeded"] and result["problem"] is None, result
    assert (fresh / ".zoom" / "data" / "token").read_text() == f"token={marker}\n"
    assert list(saved.vault_dir.glob(".zoom.vault.*.tmp")) == []  # the leftover went


def test_a_full_disk_during_a_save_leaves_the_previous_vault(secret_service: SecretService,  # noqa: F811
                                                            marker: str) -> None:
    data = secret_service.data_home
    vaults = secret_service.vault_dir
    vaults.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size=256k,mode=700,uid="
                    f"{secret_service.user.uid},gid={secret_service.user.gid}", "tmpfs",
                    str(vaults)], check=True, timeout=30)
    try:
        for path in (data, data / "sandbox-launcher"):
            shutil.chown(path, secret_service.user.uid, secret_service.user.gid)
        home = secret_service.home("session1")
        sign_in(home, marker)
        assert secret_service.child("save", "zoom", str(home))["saved"]
        # The client's sign-in grew past the free space (random: it does not compress).
        (home / ".zoom" / "data" / "blob").write_bytes(os.urandom(300 << 10))
        result = secret_service.child("save", "zoom", str(home))
        assert not result["saved"] and result["problem"] == "write-failed", result
        assert os.strerror(errno.ENOSPC) in result["notes"][-1]
        assert list(vaults.glob(".*.tmp")) == []
        fresh = secret_service.home("session2")
        assert secret_service.child("open", "zoom", str(fresh))["seeded"]
        assert (fresh / ".zoom" / "data" / "token").read_text() == f"token={marker}\n"
    finally:
        subprocess.run(["umount", str(vaults)], check=True, timeout=30)


def test_forget_removes_vault_and_key(saved: SecretService) -> None:
    _flip(saved.vault_dir / "zoom.vault")
    assert saved.child("open", "zoom", str(saved.home("s2")))["problem"] == "tampered"
    sign_in(saved.home("s3"), "AGAIN")
    assert saved.child("save", "zoom", str(saved.shm / "s3"))["saved"]
    assert saved.child("item", "zoom")["items"] == 1
    done = saved.launcher("vault", "forget", "zoom")
    assert done.returncode == 0, done.stderr
    assert "key removed from the keyring" in done.stdout
    assert saved.child("item", "zoom") == {"items": 0, "secret": None}
    assert [p.name for p in saved.vault_dir.iterdir()] == []  # the set-aside one too
    result = saved.child("open", "zoom", str(saved.home("s4")))
    assert not result["seeded"] and result["problem"] is None


def test_export_needs_confirmation_and_writes_only_where_told(saved: SecretService,
                                                              marker: str) -> None:
    dest = saved.root / "export.tar"
    refused = saved.launcher("vault", "export", "zoom", "--to", str(dest))
    assert refused.returncode == 2 and "PLAIN TEXT" in refused.stderr
    assert not dest.exists()
    done = saved.launcher("vault", "export", "zoom", "--to", str(dest), "--yes")
    assert done.returncode == 0, done.stderr
    assert marker.encode() in dest.read_bytes()
    assert oct(dest.stat().st_mode & 0o777) == "0o600"
