"""Guest images as both front ends see them: the state of each recipe's image, and
builds that run in the background and can be cancelled.

The CLI (``sandbox-launcher image …``) and the app's Guest images window decide the
same things here: what "out of date" means, which image a build replaces, that one
name is built once at a time, and that closing the app cancels a build (the backend's
build leaves no process, no half image and no scratch file when cancelled). No Qt:
listeners are called on the build's own thread and must not block.
"""

from __future__ import annotations

import datetime
import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..backends.vm import image as images
from ..backends.vm.devices import DESKTOP_IMAGE
from ..backends.vm.errors import (
    BuildCancelled,
    BuildToolMissing,
    DiskFull,
    ImageError,
    ImageMissing,
    ImageModified,
    ImageUnusable,
    MirrorUnreachable,
    NoSubordinateIds,
)
from ..backends.vm.recipe import Recipe, images_dir, list_recipes, load_recipe
from ..core.errors import LauncherError
from .vm_pool import DEFAULT_IMAGE

__all__ = [
    "BuildCancelled", "BuildJob", "BuildToolMissing", "DiskFull", "ImageMissing",
    "ImageModified", "ImageRow", "ImageService", "ImageState", "ImageUnusable", "ImageUse",
    "JobState", "MirrorUnreachable", "NoSubordinateIds",
]


class ImageState(enum.Enum):
    """What a person can do with an image now."""

    NOT_BUILT = "not built"
    READY = "ready"
    MODIFIED = "modified"  # its files differ from its manifest: sessions refuse it
    OUTDATED = "out of date"  # built from an older recipe (or agent): works, rebuild it
    NO_RECIPE = "no recipe"  # built, but its recipe is gone: can be removed, not rebuilt


class ImageUse(enum.Enum):
    """What an image is for: a first-time user must know which one to build."""

    SESSIONS = "sessions"  # VM sessions boot it (the backend's default image)
    DISPLAY = "display"  # VM sessions that show the client's own window
    TESTS = "tests"  # the project's own tests (small, quick to build)
    OTHER = "other"  # a recipe or image of someone's own (a policy may name it)


#: The test suite's recipe (images/recipes/test.toml).
TEST_IMAGE = "test"


def image_use(name: str) -> ImageUse:
    """What sessions use the image *name* for."""
    return {DEFAULT_IMAGE: ImageUse.SESSIONS, DESKTOP_IMAGE: ImageUse.DISPLAY,
            TEST_IMAGE: ImageUse.TESTS}.get(name, ImageUse.OTHER)


@dataclass(frozen=True)
class ImageRow:
    """One line of the listing: a recipe, its built image, or both."""

    name: str
    state: ImageState
    recipe_version: int | None  # of the recipe as it is now
    built_version: int | None  # of the recipe the image was built from
    size: int  # bytes of the built image's files (0: not built)
    built: datetime.datetime | None
    problem: str = ""  # why an image is modified, in the backend's words
    checked: bool = False  # every sha256 was recomputed (not only the manifest read)

    @property
    def use(self) -> ImageUse:
        """What it is for."""
        return image_use(self.name)

    @property
    def buildable(self) -> bool:
        """Whether a recipe exists to (re)build it from."""
        return self.recipe_version is not None

    @property
    def built_image(self) -> bool:
        """Whether there is something on disk to check or remove."""
        return self.state not in (ImageState.NOT_BUILT,)


def _built_at(image: images.Image) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(str(image.manifest.get("built", "")))
    except ValueError:
        return None


def _version(image: images.Image) -> int | None:
    value = image.manifest.get("recipe_version")
    return value if isinstance(value, int) else None


class JobState(enum.Enum):
    """Where a build is."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: (job, step, detail) for each step line; then (job, "", "") once when it ended.
BuildListener = Callable[["BuildJob", str, str], None]


class BuildJob:
    """One build of one recipe on a thread of its own; :meth:`cancel` stops it and its
    processes, and :meth:`wait` returns once nothing of it is left."""

    def __init__(self, recipe: Recipe, store: Path, listener: BuildListener | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.recipe = recipe
        self.name = recipe.name
        self._store = store
        self._listener = listener
        self._clock = clock
        self._cancel = threading.Event()
        self.started = clock()
        self.ended: float | None = None
        self.state = JobState.RUNNING
        self.error: LauncherError | None = None
        self.image: images.Image | None = None
        self.steps: list[tuple[float, str, str]] = []  # (seconds since start, step, detail)
        # Not a daemon: an interpreter exiting mid-build would leave the chroot behind.
        self._thread = threading.Thread(target=self._run, name=f"image-build-{self.name}")

    def start(self) -> BuildJob:
        """Begin the build (returns at once)."""
        self._thread.start()
        return self

    def elapsed(self) -> float:
        """Seconds the build has run (until it ended)."""
        return (self.ended if self.ended is not None else self._clock()) - self.started

    @property
    def running(self) -> bool:
        """Whether the build has not ended yet."""
        return self.state is JobState.RUNNING

    def cancel(self) -> None:
        """Ask the build to stop; it kills its processes and removes its files."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the end (cleanup included); False if it is still running."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _progress(self, step: str, detail: str) -> None:
        self.steps.append((self.elapsed(), step, detail))
        if self._listener is not None:
            self._listener(self, step, detail)

    def _run(self) -> None:
        try:
            self.image = images.build_image(self.recipe, self._progress, self._store,
                                            cancel=self._cancel)
            state = JobState.DONE
        except BuildCancelled as exc:
            self.error, state = exc, JobState.CANCELLED
        except LauncherError as exc:
            self.error, state = exc, JobState.FAILED
        except Exception as exc:  # a bug: the job still ends, visibly
            self.error = LauncherError(f"the build failed: {exc!r}", "report this as a bug",
                                       details=repr(exc))
            state = JobState.FAILED
        self.ended = self._clock()
        self.state = state
        if self._listener is not None:
            self._listener(self, "", "")


class ImageService:
    """The image store and its recipes, for the CLI and the app."""

    def __init__(self, store: Path | None = None, recipes: Path | None = None) -> None:
        self.store = store or images.images_store()
        self.recipes = recipes or images_dir()
        self._lock = threading.Lock()
        self._jobs: dict[str, BuildJob] = {}

    def row(self, name: str, *, check: bool = True) -> ImageRow:
        """The state of *name*; *check* recomputes every checksum (seconds per GiB)."""
        recipe: Recipe | None = None
        if name in list_recipes(self.recipes):
            recipe = load_recipe(name, self.recipes)
        version = recipe.version if recipe is not None else None
        try:
            image = (images.verify_image(name, self.store) if check
                     else images.load_image(name, self.store))
        except ImageMissing:
            return ImageRow(name, ImageState.NOT_BUILT, version, None, 0, None)
        except (ImageModified, OSError) as exc:
            if not (self.store / name).is_dir():  # removed while its checksums were read
                return ImageRow(name, ImageState.NOT_BUILT, version, None, 0, None)
            if not isinstance(exc, ImageModified):
                raise
            try:  # a changed file: the manifest still tells when and from what
                told = images.load_image(name, self.store)
                built_version, built = _version(told), _built_at(told)
            except ImageError:
                built_version, built = None, None
            return ImageRow(name, ImageState.MODIFIED, version, built_version,
                            self._size(name), built, problem=exc.summary, checked=check)
        if recipe is None:
            state = ImageState.NO_RECIPE
        elif image.recipe_sha256 != recipe.digest():
            state = ImageState.OUTDATED
        else:
            state = ImageState.READY
        return ImageRow(name, state, version, _version(image), image.size, _built_at(image),
                        checked=check)

    def _size(self, name: str) -> int:
        """Bytes on disk of an image whose manifest cannot be trusted."""
        folder = self.store / name
        return sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) \
            if folder.is_dir() else 0

    def rows(self, *, check: bool = True) -> list[ImageRow]:
        """Every recipe and every built image, by name (what killed builds left is
        removed first)."""
        images.sweep_abandoned(self.store)
        names = set(list_recipes(self.recipes))
        if self.store.is_dir():
            names |= {p.name for p in self.store.iterdir()
                      if p.is_dir() and not p.name.startswith(".")}
        return [self.row(name, check=check) for name in sorted(names)]

    def verify(self, name: str) -> ImageRow:
        """Recompute *name*'s checksums (raises only when it is not built at all)."""
        row = self.row(name, check=True)
        if row.state is ImageState.NOT_BUILT:
            raise ImageMissing(name, f"the guest image {name!r} is not built",
                               "build it first")
        return row

    def remove(self, name: str) -> None:
        """Delete a built image (refused while it is being built)."""
        if self.job(name) is not None:
            raise ImageError(f"the guest image {name!r} is being built",
                             "cancel the build first, or wait for it")
        images.remove_image(name, self.store)

    def job(self, name: str) -> BuildJob | None:
        """The running build of *name*, if any."""
        with self._lock:
            job = self._jobs.get(name)
            return job if job is not None and job.running else None

    def build(self, name: str, listener: BuildListener | None = None) -> BuildJob:
        """Start building *name* (rebuilding replaces the old image only when the new one
        is complete); one build per name at a time."""
        recipe = load_recipe(name, self.recipes)
        with self._lock:
            running = self._jobs.get(name)
            if running is not None and running.running:
                raise ImageError(f"the guest image {name!r} is already being built",
                                 "wait for that build, or cancel it")
            job = BuildJob(recipe, self.store, listener)
            self._jobs[name] = job
        return job.start()

    def running_jobs(self) -> list[BuildJob]:
        """Builds that have not ended."""
        with self._lock:
            return [job for job in self._jobs.values() if job.running]

    def cancel_all(self, timeout: float = 60.0) -> bool:
        """Cancel every build and wait for their cleanup (the app does this on quit);
        False if one was still running after *timeout* seconds."""
        jobs = self.running_jobs()
        for job in jobs:
            job.cancel()
        deadline = time.monotonic() + timeout
        return all(job.wait(max(0.0, deadline - time.monotonic())) for job in jobs)
