"""The session layer's image states and build jobs (no Qt, no mmdebstrap)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from sandbox_launcher.backends.vm import build_proc
from sandbox_launcher.backends.vm import image as images
from sandbox_launcher.backends.vm.recipe import images_dir, load_recipe
from sandbox_launcher.session.images import (
    BuildCancelled,
    DiskFull,
    ImageError,
    ImageMissing,
    ImageModified,
    ImageService,
    ImageState,
    JobState,
    MirrorUnreachable,
)


def _built(store: Path, name: str, recipe_sha256: str, version: int = 1) -> Path:
    """An image folder as build_image leaves it (stand-in contents)."""
    folder = store / name
    folder.mkdir(parents=True)
    files = {}
    for fname in images.IMAGE_FILES:
        data = f"{name} {fname}".encode()
        (folder / fname).write_bytes(data)
        files[fname] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    (folder / images.MANIFEST).write_text(json.dumps({
        "name": name, "files": files, "recipe_sha256": recipe_sha256,
        "recipe_version": version, "built": "2026-12-01T10:00:00+00:00"}))
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    return folder


@pytest.fixture
def recipes(tmp_path: Path) -> Path:
    root = tmp_path / "images"
    shutil.copytree(images_dir(), root)
    return root


def test_each_state_from_the_store_and_the_recipes(tmp_path: Path, recipes: Path) -> None:
    store = tmp_path / "store"
    _built(store, "test", load_recipe("test", recipes).digest())
    _built(store, "default", "an older recipe's hash")
    modified = _built(store, "desktop", load_recipe("desktop", recipes).digest())
    modified.chmod(0o755)
    (modified / "vmlinuz").chmod(0o644)
    (modified / "vmlinuz").write_bytes(b"planted")
    (modified / "vmlinuz").chmod(0o444)
    _built(store, "gone", "whatever")
    rows = {row.name: row for row in ImageService(store, recipes).rows()}
    assert rows["test"].state is ImageState.READY and rows["test"].checked
    assert rows["test"].built_version == rows["test"].recipe_version == 1
    assert rows["test"].built is not None and rows["test"].size > 0
    assert rows["default"].state is ImageState.OUTDATED
    assert rows["desktop"].state is ImageState.MODIFIED
    assert "vmlinuz" in rows["desktop"].problem
    assert rows["desktop"].built is not None and rows["desktop"].built_version == 1
    assert rows["gone"].state is ImageState.NO_RECIPE and not rows["gone"].buildable
    # unchecked, a modified file goes unseen: only the manifest was read
    assert ImageService(store, recipes).row("desktop", check=False).state is ImageState.READY
    (recipes / "recipes" / "test.toml").write_text(
        (recipes / "recipes" / "test.toml").read_text() + "\n# changed\n")
    assert ImageService(store, recipes).row("test").state is ImageState.OUTDATED


def test_a_recipe_never_built_is_listed_and_verify_says_so(tmp_path: Path,
                                                           recipes: Path) -> None:
    service = ImageService(tmp_path / "nothing-yet", recipes)
    rows = service.rows()
    assert {r.name for r in rows} == {"default", "desktop", "test"}
    assert all(r.state is ImageState.NOT_BUILT and r.buildable for r in rows)
    with pytest.raises(ImageMissing) as missing:
        service.verify("test")
    assert missing.value.image == "test"


def test_an_image_removed_while_it_is_checked_reads_not_built(
        tmp_path: Path, recipes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A listing reading checksums while the image is removed (the window lists on one
    worker and removes on another) says "not built", not "modified" or an error."""
    store = tmp_path / "store"
    _built(store, "test", load_recipe("test", recipes).digest())
    service = ImageService(store, recipes)
    real_sha256 = images._sha256

    def removed_meanwhile(path: Path) -> str:
        if (store / "test").exists():
            service.remove("test")
        return real_sha256(path)

    monkeypatch.setattr(images, "_sha256", removed_meanwhile)
    row = service.row("test")
    assert row.state is ImageState.NOT_BUILT and not (store / "test").exists()
    assert list(store.iterdir()) == []  # the remove's hidden folder went too


def test_session_errors_name_the_image(tmp_path: Path) -> None:
    with pytest.raises(ImageMissing) as missing:
        images.verify_image("default", tmp_path)
    assert missing.value.image == "default"
    folder = _built(tmp_path, "test", "x")
    folder.chmod(0o755)
    (folder / images.MANIFEST).chmod(0o644)
    (folder / images.MANIFEST).write_text("{broken")
    with pytest.raises(ImageModified) as modified:
        images.verify_image("test", tmp_path)
    assert modified.value.image == "test"


def test_the_space_a_build_needs_follows_an_earlier_build(tmp_path: Path,
                                                          recipes: Path) -> None:
    recipe = load_recipe("test", recipes)
    assert images.space_needed(recipe, tmp_path) == images.DEFAULT_SPACE
    _built(tmp_path, "test", "x")
    assert images.space_needed(recipe, tmp_path) == images.MIN_SPACE  # tiny stand-in
    with pytest.raises(DiskFull) as full:
        build_proc.check_space(tmp_path, 1 << 62)
    assert full.value.needed == 1 << 62 and 0 < full.value.free < 1 << 62
    assert "MiB are needed" in full.value.summary


def test_a_build_job_reports_steps_and_its_end(tmp_path: Path, recipes: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The job around the backend's build: steps with elapsed times, one end call, the
    cancel handed down, one build per name."""
    release = threading.Event()

    def fake_build(recipe: object, progress: images.Progress, store: Path, *,
                   cancel: threading.Event) -> images.Image:
        progress("bootstrap", "packages")
        while not release.wait(0.01):
            if cancel.is_set():
                raise BuildCancelled("the build was cancelled")
        return images.Image("test", store / "test", {})

    monkeypatch.setattr(images, "build_image", fake_build)
    seen: list[tuple[str, str]] = []
    service = ImageService(tmp_path, recipes)
    job = service.build("test", lambda _job, step, detail: seen.append((step, detail)))
    with pytest.raises(ImageError, match="already being built"):
        service.build("test")
    with pytest.raises(ImageError, match="being built"):
        service.remove("test")
    release.set()
    assert job.wait(10) and job.state is JobState.DONE
    assert seen == [("bootstrap", "packages"), ("", "")]
    assert job.steps[0][1:] == ("bootstrap", "packages") and job.elapsed() >= 0
    release.clear()
    second = service.build("test")
    assert service.running_jobs() == [second]
    assert service.cancel_all(10)
    assert second.state is JobState.CANCELLED and service.job("test") is None


def test_a_failed_build_is_a_failed_job(tmp_path: Path, recipes: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> images.Image:
        raise ImageError("mmdebstrap failed with exit status 1", "see the details")

    monkeypatch.setattr(images, "build_image", broken)
    job = ImageService(tmp_path, recipes).build("test")
    assert job.wait(10) and job.state is JobState.FAILED
    assert job.error is not None and "exit status 1" in job.error.summary


def test_a_cancelled_tool_leaves_no_process(tmp_path: Path) -> None:
    """run_streamed kills the whole group, the helpers its child started included."""
    pidfile = tmp_path / "helper.pid"
    script = f"sleep 300 & echo $! > {pidfile}; echo 'I: started'; wait"
    cancel = threading.Event()
    steps: list[str] = []

    def progress(_step: str, detail: str) -> None:
        steps.append(detail)
        cancel.set()

    with pytest.raises(BuildCancelled):
        build_proc.run_streamed(["sh", "-c", script], progress, "bootstrap", cancel=cancel,
                                env={"PATH": "/usr/bin:/bin"}, needed=0, where=tmp_path)
    assert steps == ["started"]
    helper = pidfile.read_text().strip()
    alive = subprocess.run(["ps", "-o", "stat=", "-p", helper], capture_output=True,
                           text=True, check=False).stdout.strip()
    assert alive in ("", "Z"), f"the helper {helper} outlived the cancel: {alive}"


def test_a_failing_tool_out_of_space_is_a_disk_error(tmp_path: Path) -> None:
    with pytest.raises(DiskFull) as full:
        build_proc.run_streamed(
            ["sh", "-c", "echo 'E: write error: No space left on device'; exit 1"],
            lambda _s, _d: None, "bootstrap", cancel=threading.Event(),
            env={"PATH": "/usr/bin:/bin"}, needed=3 << 30, where=tmp_path)
    assert full.value.needed == 3 << 30 and "No space left" in full.value.details


def test_remove_tree_removes_read_only_leftovers(tmp_path: Path) -> None:
    work = tmp_path / ".build-test-x"
    (work / "tmp" / "deep").mkdir(parents=True)
    (work / "tmp" / "deep" / "file").write_text("x")
    (work / "tmp" / "deep" / "file").chmod(0o444)
    (work / "tmp" / "deep").chmod(0o555)
    work.chmod(0o555)
    build_proc.remove_tree(work)
    assert not work.exists()


def _hold(folder: Path) -> subprocess.Popen[str]:
    """Another process holding *folder* as a live build does (its lock)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time\n"
         "fd = os.open(sys.argv[1], os.O_RDONLY)\nfcntl.flock(fd, fcntl.LOCK_EX)\n"
         "print('held', flush=True)\ntime.sleep(120)", str(folder)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_a_killed_build_s_folders_go_at_the_next_listing(
        tmp_path: Path, recipes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a build or a removal killed with its launcher left (work folders in the
    store, mmdebstrap's scratch folder in the temp dir) is removed by the next listing;
    a live build's folders and the built images stay."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    store = tmp_path / "store"
    _built(store, "test", load_recipe("test", recipes).digest())
    dead = [store / ".build-test-dead", store / ".removing-default-dead",
            temp / f"{build_proc.SCRATCH_PREFIX}dead"]
    for folder in dead:
        (folder / "etc").mkdir(parents=True)
        (folder / "etc" / "passwd").write_text("x")
        (folder / "etc").chmod(0o555)  # read-only, as a build leaves them
    live = store / ".build-test-live"
    live.mkdir()
    young = store / ".build-test-young"
    young.mkdir()
    holder = _hold(live)
    try:
        # a folder made a moment ago may be a build that has not locked it yet
        monkeypatch.setattr(build_proc, "SWEEP_GRACE", 30.0)
        ImageService(store, recipes).rows(check=False)
        assert all(folder.exists() for folder in (*dead, live, young))
        monkeypatch.setattr(build_proc, "SWEEP_GRACE", 0.0)
        rows = {r.name: r.state for r in ImageService(store, recipes).rows(check=False)}
        assert rows["test"] is ImageState.READY
        assert not any(folder.exists() for folder in (*dead, young))
        assert live.exists()
    finally:
        holder.kill()
        holder.communicate()
    assert images.sweep_abandoned(store) == [live]  # its launcher is gone now
    assert sorted(p.name for p in store.iterdir()) == ["test"]
    assert list(temp.iterdir()) == []


def test_a_build_without_the_mirror_says_so(tmp_path: Path) -> None:
    apt = ("W: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  "
           "Temporary failure resolving 'deb.debian.org'")
    with pytest.raises(MirrorUnreachable) as unreachable:
        build_proc.run_streamed(["sh", "-c", f"echo \"{apt}\"; exit 1"],
                                lambda _s, _d: None, "bootstrap", cancel=threading.Event(),
                                env={"PATH": "/usr/bin:/bin"}, needed=0, where=tmp_path,
                                mirror="http://deb.debian.org/debian")
    assert unreachable.value.mirror == "http://deb.debian.org/debian"
    assert "Temporary failure resolving" in unreachable.value.details
    with pytest.raises(ImageError, match="exit status 3") as other:
        build_proc.run_streamed(["sh", "-c", "echo 'E: something else'; exit 3"],
                                lambda _s, _d: None, "bootstrap", cancel=threading.Event(),
                                env={"PATH": "/usr/bin:/bin"}, needed=0, where=tmp_path,
                                mirror="http://deb.debian.org/debian")
    assert not isinstance(other.value, (MirrorUnreachable, DiskFull))


def test_a_private_temp_dir_sends_the_build_scratch_where_the_unshared_root_can_walk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """libpam-tmpdir gives each user a 0700 TMPDIR: mmdebstrap's subordinate-id root could
    not enter a chroot made there (the build failed with "Permission denied")."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    open_dir = tmp_path / "open"
    open_dir.mkdir(mode=0o755)
    tmp_path.chmod(0o755)
    monkeypatch.setattr(images.tempfile, "gettempdir", lambda: str(private))
    assert images.scratch_parent() in ("/var/tmp", "/tmp")
    monkeypatch.setattr(images.tempfile, "gettempdir", lambda: str(open_dir))
    walkable = all(p.stat().st_mode & 0o001 for p in (open_dir, *open_dir.parents))
    assert images.scratch_parent() == (str(open_dir) if walkable else "/var/tmp")
