"""Where the client store lives, and moving an old one (issue 11: no login in mountinfo)."""

from __future__ import annotations

import errno
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox_launcher.clients import launch, migrate
from sandbox_launcher.clients.store import ClientStore
from sandbox_launcher.core import store_path
from sandbox_launcher.core.errors import ClientStoreError
from sandbox_launcher.core.profile import load_profiles
from sandbox_launcher.core.store_path import check_base, locate, names_user, own_dir
from sandbox_launcher.host.checks import check_client_store, check_session_files_path

LOGIN = pwd.getpwuid(os.getuid()).pw_name


@pytest.mark.parametrize(("path", "named"), [
    ("/home/alice/.local/share/sandbox-launcher/clients", True),
    ("/home/alice", True),
    ("/data/alice/store", True),
    ("/data/alice-store/x", True),   # a login is a word between - and /
    ("/data/malice/store", False),   # … not part of a longer one
    ("/data/alice2/store", False),
    ("/var/lib/sandbox-launcher/1000/clients", False),
    ("/home/bob/x", False),
])
def test_a_path_names_the_user_by_home_or_login(path: str, named: bool) -> None:
    assert names_user(Path(path), "alice", "/home/alice") is named


def test_a_short_login_is_not_found_inside_other_words() -> None:
    assert not names_user(Path("/var/lib/sandbox-launcher/1000/clients"), "a", "/home/a")
    assert names_user(Path("/srv/a/clients"), "a", "/home/a")


@pytest.fixture
def neutral() -> Iterator[Path]:
    """A folder whose path names no one (pytest's tmp_path names the login)."""
    path = Path(tempfile.mkdtemp(prefix="sl-store-", dir="/tmp"))
    yield path
    subprocess.run(["chmod", "-R", "u+w", str(path)], check=False, timeout=30)
    shutil.rmtree(path)


def _base(tmp_path: Path, mode: int = 0o1733) -> Path:
    base = tmp_path / "base"
    base.mkdir()
    base.chmod(mode)
    return base


def test_the_base_must_be_the_owners_directory_and_sticky_if_shared(tmp_path: Path) -> None:
    me = os.getuid()
    assert check_base(tmp_path / "none", me) == "missing"
    (tmp_path / "file").write_text("")
    assert check_base(tmp_path / "file", me) == "not a directory"
    base = _base(tmp_path)
    assert check_base(base, me) is None
    assert check_base(base, me + 1) == f"owned by uid {me}, not {me + 1}"
    base.chmod(0o777)
    assert "without the sticky bit" in str(check_base(base, me))
    base.chmod(0o755)  # an administrator who made every user's directory himself
    assert check_base(base, me) is None


def test_the_users_directory_is_made_0700_and_refused_when_not_safely_theirs(
        tmp_path: Path) -> None:
    me = os.getuid()
    mine = own_dir(tmp_path / "1000", me)
    assert (mine.stat().st_mode & 0o7777, mine.stat().st_uid) == (0o700, me)
    with pytest.raises(ClientStoreError, match="not to you") as caught:
        own_dir(mine, me + 1)
    assert "administrator" in caught.value.hint
    mine.chmod(0o750)
    with pytest.raises(ClientStoreError, match="mode 0750, not 0700") as caught:
        own_dir(mine, me)
    assert caught.value.hint == f"chmod 700 {mine}"
    link = tmp_path / "link"
    link.symlink_to(mine)
    with pytest.raises(ClientStoreError, match="not a directory"):
        own_dir(link, me)
    with pytest.raises(ClientStoreError, match="is missing"):
        own_dir(tmp_path / "gone", me, create=False)


def test_the_store_goes_to_the_shared_base_out_of_the_home(tmp_path: Path,
                                                           neutral: Path) -> None:
    home = tmp_path / LOGIN
    base = _base(neutral)
    where = locate({"HOME": str(home)}, base, base_owner=os.getuid())
    assert where.root == base / str(os.getuid()) / "clients"
    assert where.private and where.legacy is None and where.note() is None
    assert not (base / str(os.getuid())).exists(), "looking must not make anything"
    where.make()
    assert (base / str(os.getuid()) / "clients").is_dir()
    old = home / ".local/share/sandbox-launcher/clients"
    old.mkdir(parents=True)
    assert locate({"HOME": str(home)}, base, base_owner=os.getuid()).legacy == old


def test_without_the_base_the_store_stays_in_the_home_and_says_so(tmp_path: Path) -> None:
    home = tmp_path / LOGIN
    where = locate({"HOME": str(home)}, tmp_path / "missing")
    assert where.root == home / ".local/share/sandbox-launcher/clients"
    assert not where.private and "missing" in where.why
    assert "install -d -o root -g root -m 1733" in where.fix
    note = where.note()
    assert note is not None and str(where.root) in note and "mountinfo" in note


def test_an_explicit_data_home_is_followed_and_judged(tmp_path: Path, neutral: Path) -> None:
    home, base = tmp_path / LOGIN, _base(neutral)
    inside = locate({"HOME": str(home), "XDG_DATA_HOME": str(home / "d")}, base,
                    base_owner=os.getuid())
    assert inside.root == home / "d/sandbox-launcher/clients" and not inside.private
    assert "XDG_DATA_HOME" in inside.fix
    elsewhere = locate({"HOME": str(home), "XDG_DATA_HOME": "/srv/data"}, base,
                       base_owner=os.getuid())
    assert elsewhere.root == Path("/srv/data/sandbox-launcher/clients") and elsewhere.private
    relative = locate({"HOME": str(home), "XDG_DATA_HOME": "rel"}, base,
                      base_owner=os.getuid())
    assert relative.root == base / str(os.getuid()) / "clients"  # ignored, as XDG says


def test_doctor_warns_when_the_store_names_the_user(tmp_path: Path) -> None:
    home = tmp_path / LOGIN
    found = check_client_store({"HOME": str(home), "XDG_DATA_HOME": str(home / "d")})
    assert found.status == "warn" and "visible inside the sandbox" in found.summary
    assert "XDG_DATA_HOME" in found.hint


# --- moving an old store ---------------------------------------------------------------


def _old_store(home: Path) -> Path:
    old = home / ".local/share/sandbox-launcher/clients"
    version = old / "zoom" / "1.0"
    (version / "bin").mkdir(parents=True)
    (version / "bin" / "zoom").write_text("#!/bin/sh\n")
    (version / "bin" / "zoom").chmod(0o555)
    (version / "lib").symlink_to("bin")
    (old / "zoom" / "state.json").write_text('{"current": "1.0"}')
    (old / "zoom" / ".lock").write_text("")  # the store's own, made by every install
    version.chmod(0o555)
    return old


def _where(tmp_path: Path) -> store_path.StoreLocation:
    base = _base(tmp_path)
    where = locate({"HOME": str(tmp_path / LOGIN)}, base, base_owner=os.getuid())
    where.make()
    return where


def test_an_old_store_is_renamed_vendor_by_vendor(tmp_path: Path) -> None:
    old = _old_store(tmp_path / LOGIN)
    before = migrate.tree_digest(old / "zoom")
    where = _where(tmp_path)
    done = migrate.migrate(where)
    assert (done.moved, done.copied, done.left) == (["zoom"], [], [])
    assert migrate.tree_digest(where.root / "zoom") == before
    assert not old.exists()


def test_across_file_systems_it_is_copied_compared_then_removed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _old_store(tmp_path / LOGIN)
    before = migrate.tree_digest(old / "zoom")
    where = _where(tmp_path)
    rename = os.rename

    def cross_device(src: os.PathLike[str] | str, dest: os.PathLike[str] | str) -> None:
        if Path(src).parent == old:  # the old store is "on another file system"
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        rename(src, dest)

    monkeypatch.setattr(migrate.os, "rename", cross_device)
    done = migrate.migrate(where)
    assert (done.moved, done.copied) == ([], ["zoom"])
    assert migrate.tree_digest(where.root / "zoom") == before
    assert not old.exists() and not list(where.root.glob(".migrating-*"))


def test_a_copy_that_differs_keeps_the_original_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _old_store(tmp_path / LOGIN)
    before = migrate.tree_digest(old / "zoom")
    where = _where(tmp_path)

    def cross_device(*_args: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(migrate.os, "rename", cross_device)
    digests = iter([[("x", "", 0, "")]])
    real = migrate.tree_digest
    monkeypatch.setattr(migrate, "tree_digest", lambda p: next(digests, None) or real(p))
    with pytest.raises(ClientStoreError, match="moving your client store's zoom") as caught:
        migrate.migrate(where)
    assert "nothing was lost" in caught.value.hint
    assert real(old / "zoom") == before
    assert not (where.root / "zoom").exists() and not list(where.root.glob(".migrating-*"))


def test_a_vendor_the_new_store_has_stays_where_it_was(tmp_path: Path) -> None:
    old = _old_store(tmp_path / LOGIN)
    where = _where(tmp_path)
    (where.root / "zoom").mkdir()
    done = migrate.migrate(where)
    assert done.left == ["zoom"] and (old / "zoom" / "1.0" / "bin" / "zoom").is_file()


def _store_with_zoom(root: Path) -> ClientStore:
    (root / "zoom" / "1.0").mkdir(parents=True)
    (root / "zoom" / "state.json").write_text(
        '{"current": "1.0", "last_started": null, "versions": {"1.0": {}}}')
    return ClientStore(root)


def test_a_store_client_from_a_path_naming_the_user_is_noted(tmp_path: Path,
                                                              neutral: Path) -> None:
    zoom = load_profiles(tmp_path / "no-user-profiles").get("zoom")
    named = tmp_path / LOGIN / "clients"  # a path with the login in it
    got = launch.setup(zoom, (), None, sandbox_home="/home/user", path="/usr/bin",
                       store=_store_with_zoom(named))
    assert got.mounts == ((str(named / "zoom" / "1.0"), "/opt/zoom"),)
    assert len(got.notes) == 1 and f"host path {named} names you" in got.notes[0]
    clean = launch.setup(zoom, (), None, sandbox_home="/home/user", path="/usr/bin",
                         store=_store_with_zoom(neutral / "clients"))
    assert clean.mounts and clean.notes == ()


def test_doctor_says_whether_session_files_name_the_user(tmp_path: Path) -> None:
    home = str(tmp_path / LOGIN)
    named = check_session_files_path({"HOME": home, "XDG_RUNTIME_DIR": f"{home}/run"})
    assert named.status == "warn" and "names you" in named.summary
    assert "logind" in named.hint
    clean = check_session_files_path({"HOME": home, "XDG_RUNTIME_DIR": "/run/user/4242"})
    assert clean.status == "ok" and clean.summary == "/run/user/4242: names no one"
