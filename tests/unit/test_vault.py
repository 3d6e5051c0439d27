"""The sign-in vault's pure logic, with an in-memory keyring (no D-Bus, no files for keys)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

from sandbox_launcher import vault
from sandbox_launcher.core.errors import VaultError
from sandbox_launcher.core.policy import Policy, load_policy
from sandbox_launcher.core.profile import Profile
from sandbox_launcher.core.schema import defaults
from sandbox_launcher.vault import archive, crypto, keys
from sandbox_launcher.vault.files import VaultFiles

MARKER = b"SIGNIN-MARKER-6f1d"
PATHS = (".zoom/data", ".config/zoomus.conf")


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict; *locked* makes every call fail as a locked Secret Service does."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.locked = False
        self.fail_sets_after: int | None = None  # fail every set after this many

    def _check(self) -> None:
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        if self.fail_sets_after is not None:
            if self.fail_sets_after <= 0:
                raise KeyringLocked("locked meanwhile")
            self.fail_sets_after -= 1
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("no such item")


@pytest.fixture
def ring() -> MemoryKeyring:
    return MemoryKeyring()


def home_tar(content: bytes = MARKER) -> bytes:
    return archive.pack([archive.Member(".zoom", True, 0o700),
                         archive.Member(".zoom/data", True, 0o700),
                         archive.Member(".zoom/data/token", False, 0o600, content),
                         archive.Member(".config", True, 0o700),
                         archive.Member(".config/zoomus.conf", False, 0o600, b"[General]\n")])


def save(ring: MemoryKeyring, base: Path, tar: bytes, profile: str = "zoom",
         **kw: Any) -> vault.SaveResult:
    return vault.save_capture(profile, tar, ring, base=base, paths=PATHS, **kw)


def open_(ring: MemoryKeyring, base: Path, profile: str = "zoom") -> vault.SeedResult:
    return vault.open_seed(profile, ring, base=base, paths=PATHS)


def test_round_trip_keeps_no_plain_text_and_counts_saves(ring: MemoryKeyring,
                                                          tmp_path: Path) -> None:
    assert open_(ring, tmp_path).tar is None  # nothing yet, and no error
    first = save(ring, tmp_path, home_tar())
    assert first.saved and first.counter == 1
    second = save(ring, tmp_path, home_tar(MARKER + b"2"))
    assert second.saved and second.counter == 2
    seed = open_(ring, tmp_path)
    assert seed.problem is None and seed.tar is not None
    members = {m.path: m.data for m in archive.read_members(seed.tar, PATHS)}
    assert members[".zoom/data/token"] == MARKER + b"2"
    on_disk = (tmp_path / "zoom.vault").read_bytes()
    assert MARKER not in on_disk and b"[General]" not in on_disk
    assert stat.S_IMODE((tmp_path / "zoom.vault").stat().st_mode) == 0o600
    item = keys.KeyItem.decode(ring.items[("sandbox-launcher", "vault:zoom")])
    assert item.counter == 2 and len(item.key) == 32
    assert item.key not in on_disk  # the key is only in the keyring


def test_nonce_is_fresh_for_every_save(ring: MemoryKeyring, tmp_path: Path) -> None:
    save(ring, tmp_path, home_tar())
    one = crypto.read_header((tmp_path / "zoom.vault").read_bytes()).nonce
    save(ring, tmp_path, home_tar())
    assert crypto.read_header((tmp_path / "zoom.vault").read_bytes()).nonce != one


@pytest.mark.parametrize("where", [-1, -20, 10])  # tag, ciphertext, header (the counter)
def test_a_flipped_byte_is_detected_and_set_aside(ring: MemoryKeyring, tmp_path: Path,
                                                  where: int) -> None:
    save(ring, tmp_path, home_tar())
    path = tmp_path / "zoom.vault"
    blob = bytearray(path.read_bytes())
    blob[where] ^= 0x01
    path.write_bytes(bytes(blob))
    seed = open_(ring, tmp_path)
    assert seed.tar is None and seed.problem is vault.Problem.TAMPERED
    assert not path.exists() and seed.set_aside is not None
    assert seed.set_aside.read_bytes() == bytes(blob)  # kept, unchanged
    assert "changed since it was saved" in seed.notes[0]


def test_a_vault_of_another_profile_is_named(ring: MemoryKeyring, tmp_path: Path) -> None:
    save(ring, tmp_path, home_tar(), profile="teams-web")
    save(ring, tmp_path, home_tar(), profile="zoom")
    os.replace(tmp_path / "teams-web.vault", tmp_path / "zoom.vault")
    seed = open_(ring, tmp_path)
    assert seed.problem is vault.Problem.OTHER_PROFILE and "'teams-web'" in seed.notes[0]


def test_a_header_renamed_to_this_profile_does_not_authenticate(ring: MemoryKeyring,
                                                                tmp_path: Path) -> None:
    save(ring, tmp_path, home_tar(), profile="zoom2")
    save(ring, tmp_path, home_tar(), profile="zoom")
    blob = (tmp_path / "zoom2.vault").read_bytes()
    (tmp_path / "zoom.vault").write_bytes(blob.replace(b"zoom2", b"zoom\0", 1)
                                          .replace(b"\x05zoom\0", b"\x04zoom", 1))
    assert open_(ring, tmp_path).problem in (vault.Problem.TAMPERED, vault.Problem.UNREADABLE)


def test_rollback_to_an_older_vault_is_detected(ring: MemoryKeyring, tmp_path: Path) -> None:
    save(ring, tmp_path, home_tar(b"old"))
    old = (tmp_path / "zoom.vault").read_bytes()
    save(ring, tmp_path, home_tar(b"new"))
    (tmp_path / "zoom.vault").write_bytes(old)
    seed = open_(ring, tmp_path)
    assert seed.problem is vault.Problem.ROLLBACK and "#1" in seed.notes[0]
    assert "#2" in seed.notes[0]


def test_crash_between_file_and_keyring_is_recovered_not_bricked(ring: MemoryKeyring,
                                                                 tmp_path: Path) -> None:
    save(ring, tmp_path, home_tar(b"one"))
    ring.fail_sets_after = 0  # step 3 (the keyring update) fails, as if killed before it
    result = save(ring, tmp_path, home_tar(b"two"))
    assert result.saved and "next start completes it" in result.notes[-1]
    ring.fail_sets_after = None
    seed = open_(ring, tmp_path)
    assert seed.problem is None and seed.tar is not None
    assert b"two" in seed.tar and "interrupted" in " ".join(seed.notes)
    assert keys.KeyItem.decode(ring.items[("sandbox-launcher", "vault:zoom")]).counter == 2


def test_a_replaced_copy_of_an_interrupted_save_is_a_rollback(ring: MemoryKeyring,
                                                              tmp_path: Path) -> None:
    """Interrupted save N+1 kept by an attacker; a later, committed save N+1; the copy
    has the keyring's counter but not its nonce."""
    save(ring, tmp_path, home_tar(b"one"))
    ring.fail_sets_after = 0
    save(ring, tmp_path, home_tar(b"orphan"))
    orphan = (tmp_path / "zoom.vault").read_bytes()
    ring.fail_sets_after = None
    (tmp_path / "zoom.vault").unlink()  # the attacker hides it; the next save is #2 again
    save(ring, tmp_path, home_tar(b"committed"))
    (tmp_path / "zoom.vault").write_bytes(orphan)
    assert open_(ring, tmp_path).problem is vault.Problem.ROLLBACK


def test_a_vault_whose_key_is_gone_is_set_aside(ring: MemoryKeyring, tmp_path: Path) -> None:
    save(ring, tmp_path, home_tar())
    ring.items.clear()
    seed = open_(ring, tmp_path)
    assert seed.problem is vault.Problem.NO_KEY and seed.set_aside is not None
    assert save(ring, tmp_path, home_tar()).saved  # a new key, a fresh vault


def test_locked_keyring_means_unavailable_and_nothing_saved(ring: MemoryKeyring,
                                                            tmp_path: Path) -> None:
    save(ring, tmp_path, home_tar(b"kept"))
    before = (tmp_path / "zoom.vault").read_bytes()
    ring.locked = True
    seed = open_(ring, tmp_path)
    assert seed.problem is vault.Problem.UNAVAILABLE and not seed.save_allowed
    assert "locked" in seed.notes[0]
    result = save(ring, tmp_path, home_tar(b"lost"))
    assert not result.saved and result.problem is vault.Problem.UNAVAILABLE
    assert (tmp_path / "zoom.vault").read_bytes() == before


def test_above_the_cap_nothing_is_saved_and_the_previous_vault_stays(
        ring: MemoryKeyring, tmp_path: Path) -> None:
    save(ring, tmp_path, home_tar(b"kept"))
    before = (tmp_path / "zoom.vault").read_bytes()
    big = archive.pack([archive.Member(".zoom/data/cache", False, 0o600,
                                       b"x" * (archive.SIZE_CAP + 1))])
    result = save(ring, tmp_path, big)
    assert not result.saved and result.problem is vault.Problem.TOO_LARGE
    assert "64.0 MiB cap" in result.notes[0]
    assert (tmp_path / "zoom.vault").read_bytes() == before


def test_a_failed_write_keeps_the_previous_vault(ring: MemoryKeyring, tmp_path: Path) -> None:
    save(ring, tmp_path, home_tar(b"kept"))

    def disk_full() -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    result = save(ring, tmp_path, home_tar(b"lost"), before_rename=disk_full)
    assert not result.saved and result.problem is vault.Problem.WRITE_FAILED
    assert "No space left" in result.notes[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".zoom.lock", "zoom.vault"]
    seed = open_(ring, tmp_path)
    assert seed.tar is not None and b"kept" in seed.tar


def test_forget_removes_vault_aside_copies_and_key(ring: MemoryKeyring, tmp_path: Path) -> None:
    save(ring, tmp_path, home_tar())
    VaultFiles("zoom", tmp_path).set_aside("test")
    save(ring, tmp_path, home_tar())
    done = vault.forget("zoom", ring, base=tmp_path)
    assert done.key_removed and len(done.removed) == 2
    assert ring.items == {} and list(tmp_path.iterdir()) == []


def test_export_writes_a_new_private_file_only(ring: MemoryKeyring, tmp_path: Path) -> None:
    save(ring, tmp_path / "v", home_tar())
    out = tmp_path / "out.tar"
    vault.export_plain("zoom", out, ring, base=tmp_path / "v")
    assert MARKER in out.read_bytes() and stat.S_IMODE(out.stat().st_mode) == 0o600
    with pytest.raises(VaultError, match="cannot write"):
        vault.export_plain("zoom", out, ring, base=tmp_path / "v")
    with pytest.raises(VaultError, match="nothing exported"):
        vault.export_plain("teams-web", tmp_path / "x.tar", ring, base=tmp_path / "v")


def test_keys_in_a_file_or_no_keyring_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    import keyring.core
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    monkeypatch.setattr(keyring.core, "init_backend", lambda: None)
    with pytest.raises(VaultError, match="no OS keyring"):
        keys.default_backend()
    monkeypatch.setattr(keyring, "get_keyring", MemoryKeyring)  # not an OS store
    with pytest.raises(VaultError, match="no OS keyring"):
        keys.default_backend()


# --- profile keys and the policy switch ---------------------------------------------

def profile(**values: Any) -> Profile:
    return Profile("zoom", {**defaults(), **values}, (), True)


def test_availability_follows_profile_and_policy(tmp_path: Path) -> None:
    assert "remember_signin = false" in str(vault.availability(profile(), Policy()))
    on = profile(remember_signin=True, signin_paths=list(PATHS))
    assert vault.availability(on, Policy()) is None
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text("[vault]\nallow = false\n")
    forbidden = load_policy(policy_file)
    assert not forbidden.allow_vault and forbidden.origin("vault.allow").endswith(":2")
    assert "system policy forbids" in str(vault.availability(on, forbidden))
    assert "no sign-in paths" in str(vault.availability(profile(remember_signin=True),
                                                        Policy()))


def test_policy_vault_section_refuses_unknown_keys_and_non_booleans(tmp_path: Path) -> None:
    from sandbox_launcher.core.errors import ProfileError

    path = tmp_path / "policy.toml"
    path.write_text("[vault]\nallow = true\nkeep = 1\n")
    with pytest.raises(ProfileError, match=r"unknown key 'vault\.keep'"):
        load_policy(path)
    path.write_text("[vault]\nallow = \"no\"\n")
    with pytest.raises(ProfileError, match="expected true or false"):
        load_policy(path)
    assert load_policy(tmp_path / "none.toml").allow_vault


def test_a_deleted_vault_is_mentioned(ring: MemoryKeyring, tmp_path: Path) -> None:
    save(ring, tmp_path, home_tar())
    (tmp_path / "zoom.vault").unlink()
    seed = open_(ring, tmp_path)
    assert seed.tar is None and "was the vault deleted?" in seed.notes[0]


def test_built_in_zoom_profile_names_its_sign_in_paths_and_is_off() -> None:
    from sandbox_launcher.core.profile import load_profiles

    zoom = load_profiles(Path("/nonexistent")).get("zoom")
    assert zoom["remember_signin"] is False
    assert zoom["signin_paths"] == [".zoom/data", ".config/zoomus.conf"]


def test_status_lists_remembering_profiles_with_size(ring: MemoryKeyring,
                                                     tmp_path: Path) -> None:
    save(ring, tmp_path, home_tar())
    rows = vault.status([profile(remember_signin=True), Profile("generic", defaults(), (), True)],
                        ring, base=tmp_path)
    assert [r.profile for r in rows] == ["zoom"]
    assert rows[0].exists and rows[0].size > 0 and rows[0].key == "present"
    assert rows[0].last_used is not None


def test_the_launch_path_seeds_the_vault_and_seals_what_the_backend_captured(
        ring: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any backend: the vault's files go in as the home seed, the capture comes back out."""
    import threading

    from support.fake_sandbox import FakeBackend, FakeResources

    from sandbox_launcher.backends.registry import Registry
    from sandbox_launcher.core.plan import RunOptions
    from sandbox_launcher.core.policy import SystemFiles
    from sandbox_launcher.session.launch import Launcher

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "p.toml").write_text(
        "remember_signin = true\nsignin_paths = ['.app']\n[network]\nmode = 'none'\n")
    (tmp_path / "sessions").mkdir()
    backend = FakeBackend()

    def one_session() -> tuple[str, ...]:
        launcher = Launcher(Registry({"fake": lambda: backend}), tmp_path / "profiles",
                            SystemFiles(tmp_path / "no-policy", tmp_path / "no-admin"),
                            tmp_path / "sessions",
                            keyring_backend=ring)
        plan = launcher.plan("p", RunOptions(command=("client",), backend="fake"))
        session = launcher.session(plan)
        session._start_resources = lambda *_: FakeResources()
        threading.Timer(0.05, session.request_stop).start()
        return (*session.plan.notes, *launcher.finished(session, session.run()))

    backend.home_after = {".app/token": b"secret", ".app/sub/state": b"x"}
    first = one_session()
    assert backend.seeded == {}
    assert ("start", "p", (".app",)) in backend.calls
    assert any(n.startswith("sign-in saved") for n in first), first
    assert b"secret" not in (tmp_path / "data" / "sandbox-launcher" / "vaults"
                             / "p.vault").read_bytes()
    backend.home_after = {}
    second = one_session()
    assert backend.seeded == {".app/token": b"secret", ".app/sub/state": b"x"}
    assert any("sign-in restored from the vault (save #1" in n for n in second), second
    assert "nothing to remember" in second[-1]
