"""Client store jobs (no Qt): named steps, download rate, cancelling up to the commit and
never after, and removal refused while a session uses the client. Real store, real
packages (the fake vendor's tarball, trusted by a recorded SHA-256), real files."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.fake_vendor import build_tarball

from sandbox_launcher.clients.store import ClientStore
from sandbox_launcher.core.errors import ClientStoreError
from sandbox_launcher.session import store as session_store
from sandbox_launcher.session.clients import (
    INSTALL_FILE_STEPS,
    Cancelled,
    ClientService,
    Job,
    Progress,
    Step,
)
from sandbox_launcher.session.service import SessionService


def _package(tmp_path: Path, version: str) -> Path:
    """The fake vendor's tarball of *version*, built once (its bytes carry an mtime)."""
    path = tmp_path / f"zoom-{version}.tar.xz"
    return path if path.exists() else build_tarball(path, version=version)


@pytest.fixture
def world(tmp_path: Path) -> tuple[ClientService, Path, Path]:
    """A client service on a fresh store, trusting two packages by checksum."""
    trust = tmp_path / "trust"
    trust.mkdir()
    sums = [f"{hashlib.sha256(_package(tmp_path, v).read_bytes()).hexdigest()}  x\n"
            for v in ("6.1.0", "6.2.0")]
    (trust / "zoom.sha256sums").write_text("".join(sums))
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    sessions = SessionService(profiles_dir=profiles, policy_path=tmp_path / "no-policy.toml",
                              sessions_base=tmp_path / "sessions")
    service = ClientService(sessions, store=ClientStore(tmp_path / "store"), trust_dir=trust,
                            sessions_base=tmp_path / "sessions")
    return service, tmp_path / "store", tmp_path


def _snapshot(root: Path) -> dict[str, Any]:
    return {str(p.relative_to(root)): (stat.filemode(p.lstat().st_mode),
                                       p.read_bytes() if p.is_file() else b"")
            for p in sorted([root, *root.rglob("*")])}


def _job(on: Callable[[Job, Progress], None] | None = None) -> tuple[Job, list[Progress]]:
    seen: list[Progress] = []
    holder: list[Job] = []

    def listener(progress: Progress) -> None:
        seen.append(progress)
        if on is not None:
            on(holder[0], progress)

    job = Job(listener)
    holder.append(job)
    return job, seen


def test_an_install_reports_its_steps_in_order(world: tuple[ClientService, Path, Path]) -> None:
    service, _, tmp = world
    job, seen = _job()
    done = service.install_file("zoom", _package(tmp, "6.1.0"), job)
    assert done.installed.version == "6.1.0" and done.installed.info["verified"] == "sha256"
    assert any("setuid" in s for s in done.skipped)
    assert tuple(p.step for p in seen) == INSTALL_FILE_STEPS
    assert not job.cancellable and not job.cancel()  # done: nothing left to cancel


@pytest.mark.parametrize("at", [Step.COPY, Step.VERIFY, Step.UNPACK, Step.READ_ONLY])
def test_a_cancel_before_the_commit_leaves_the_store_as_before(
        world: tuple[ClientService, Path, Path], at: Step) -> None:
    service, root, tmp = world
    service.install_file("zoom", _package(tmp, "6.1.0"), Job())
    before = _snapshot(root)

    def cancel_at(job: Job, progress: Progress) -> None:
        if progress.step is at:
            assert job.cancellable and job.cancel()

    job, seen = _job(cancel_at)
    with pytest.raises(Cancelled, match="nothing was installed"):
        service.install_file("zoom", _package(tmp, "6.2.0"), job)
    assert seen[-1].step is at  # stopped before the next step began
    assert _snapshot(root) == before
    assert service.store.current("zoom") is not None
    assert service.store.current("zoom").version == "6.1.0"  # type: ignore[union-attr]


def test_a_cancel_is_refused_once_the_install_commits(
        world: tuple[ClientService, Path, Path]) -> None:
    service, _, tmp = world
    answers: list[bool] = []

    def cancel_at_commit(job: Job, progress: Progress) -> None:
        if progress.step is Step.COMMIT:
            answers.append(job.cancellable)
            answers.append(job.cancel())

    job, _ = _job(cancel_at_commit)
    done = service.install_file("zoom", _package(tmp, "6.2.0"), job)
    assert answers == [False, False]
    assert done.installed.version == "6.2.0" and not job.cancel_requested


def test_download_progress_carries_the_rate_and_takes_a_cancel() -> None:
    now = [100.0]
    seen: list[Progress] = []
    job = Job(seen.append, clock=lambda: now[0])
    job.enter(Step.DOWNLOAD)
    for got in range(0, 5 << 20, 1 << 20):
        job.on_bytes(got, 8 << 20)
        now[0] += 0.5
    last = seen[-1]
    assert last.step is Step.DOWNLOAD and last.got == 4 << 20 and last.total == 8 << 20
    assert last.rate == pytest.approx(2 << 20)  # 1 MiB every half second
    assert job.cancel()
    with pytest.raises(Cancelled):
        job.on_bytes(5 << 20, 8 << 20)


def test_progress_reports_are_throttled_but_the_last_one_arrives() -> None:
    seen: list[Progress] = []
    job = Job(seen.append, clock=lambda: 5.0)  # all at once: a fast local server
    for got in range(1, 1001):
        job.on_bytes(got, 1000)
    assert [p.got for p in seen] == [1, 1000]


def test_remove_is_refused_while_a_session_uses_the_client(
        world: tuple[ClientService, Path, Path]) -> None:
    service, root, tmp = world
    service.install_file("zoom", _package(tmp, "6.1.0"), Job())
    before = _snapshot(root)
    (tmp / "sessions").mkdir()
    record = session_store.SessionRecord(id="zoom-abc123", profile="zoom", backend="namespace",
                                         state="running", started=1.0)
    owned = session_store.OwnedSession(record, tmp / "sessions")  # holds the lock: alive
    try:
        assert service.users("zoom") == ["zoom-abc123"]
        assert service.listing()[0].users == ("zoom-abc123",)
        job, seen = _job()
        with pytest.raises(ClientStoreError, match="in use by session zoom-abc123"):
            service.remove("zoom", "6.1.0", job)
        assert [p.step for p in seen] == [Step.CHECK]
        assert _snapshot(root) == before
    finally:
        owned.release()
    job, seen = _job()
    assert service.users("zoom") == []  # the owner is gone: a stale record uses nothing
    assert service.remove("zoom", "6.1.0", job) == ["6.1.0"]
    assert [p.step for p in seen] == [Step.CHECK, Step.REMOVE, Step.DONE]
    assert service.store.installed("zoom") == []


def test_an_install_killed_half_way_is_cleaned_up_by_the_next(
        world: tuple[ClientService, Path, Path]) -> None:
    service, root, tmp = world
    stale = root / "zoom" / ".staging-killed"
    (stale / "tree" / "zoom").mkdir(parents=True)
    (stale / "download").write_bytes(b"half a package")
    (stale / "tree" / "zoom").chmod(0o555)  # as far as make_read_only had got
    service.install_file("zoom", _package(tmp, "6.1.0"), Job())
    assert sorted(p.name for p in (root / "zoom").iterdir()) == [".lock", "6.1.0",
                                                                 "state.json"]
