"""The app service behind the Clients window: install, update and remove vendor clients
as jobs that report named steps and download progress, and that can be cancelled while
that is safe. No Qt here: the UI runs these calls on worker threads (``ui/bridge.py``).

Cancelling is safe until the install commits (``InstallStep.COMMIT``): up to there,
everything lives in the store's staging directory, which the store deletes on any
error. A cancel is a :class:`Cancelled` error raised from the store's own step and
progress hooks, so the store's ordinary failure path does the cleaning. Removing is
never cancellable: a half-deleted client would be neither there nor gone.
"""

from __future__ import annotations

import enum
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..clients import verify
from ..clients.store import ClientStore, Installed, InstallStep
from ..clients.vendors import VENDORS, Vendor
from ..core.errors import ClientStoreError
from . import store as session_store
from .service import SessionService

#: How often download progress reaches the UI at most (a fast server sends thousands
#: of chunks a second).
PROGRESS_EVERY = 0.1
#: The download rate is measured over this many seconds.
RATE_WINDOW = 2.0


class Step(enum.Enum):
    """A job's steps, as the Clients window names them."""

    COPY = "copy"
    DOWNLOAD = "download"
    VERIFY = "verify"
    UNPACK = "unpack"
    READ_ONLY = "read_only"
    COMMIT = "commit"
    CHECK = "check"  # that no session uses the client (before removing it)
    REMOVE = "remove"
    DONE = "done"


INSTALL_FILE_STEPS = (Step.COPY, Step.VERIFY, Step.UNPACK, Step.READ_ONLY, Step.COMMIT,
                      Step.DONE)
DOWNLOAD_STEPS = (Step.DOWNLOAD, Step.VERIFY, Step.UNPACK, Step.READ_ONLY, Step.COMMIT,
                  Step.DONE)
REMOVE_STEPS = (Step.CHECK, Step.REMOVE, Step.DONE)
#: Steps a cancel may interrupt: nothing of the store has changed yet.
CANCELLABLE = frozenset({Step.COPY, Step.DOWNLOAD, Step.VERIFY, Step.UNPACK, Step.READ_ONLY})


class Cancelled(ClientStoreError):
    """The user cancelled the install; nothing was installed, the store is as before."""


@dataclass(frozen=True)
class Progress:
    """Where a job is: its step, and for a download the bytes so far and the rate."""

    step: Step
    got: int = 0
    total: int | None = None
    rate: float = 0.0  # bytes per second, over the last RATE_WINDOW seconds


JobListener = Callable[[Progress], None]


class Job:
    """One install, update or removal: reports progress, and takes a cancel while safe.

    The listener is called on the worker thread that runs the job; it must not block.
    """

    def __init__(self, listener: JobListener | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._listener = listener
        self._clock = clock
        self._lock = threading.Lock()
        self.step: Step | None = None
        self.cancel_requested = False
        self._last_sent = 0.0
        self._samples: deque[tuple[float, int]] = deque()

    @property
    def cancellable(self) -> bool:
        """Whether a cancel would still be honoured (not yet committing, not removing)."""
        with self._lock:
            return not self.cancel_requested and (self.step is None or
                                                  self.step in CANCELLABLE)

    def cancel(self) -> bool:
        """Ask the job to stop at its next safe point; False once it is past cancelling."""
        with self._lock:
            if self.step is not None and self.step not in CANCELLABLE:
                return False
            self.cancel_requested = True
            return True

    def enter(self, step: Step) -> None:
        """Begin *step*; raises :class:`Cancelled` if a cancel came first."""
        with self._lock:
            # Checked and switched under one lock: a cancel either lands before the
            # commit (and stops it) or is refused; it never races with it.
            if self.cancel_requested and self.step in (None, *CANCELLABLE):
                raise Cancelled("cancelled: nothing was installed",
                                "the client store is as it was before")
            self.step = step
        self._send(Progress(step))

    def on_store_step(self, step: InstallStep) -> None:
        """The store's step hook."""
        self.enter(Step(step.value))

    def on_bytes(self, got: int, total: int | None) -> None:
        """The download's progress hook: rate, throttled reports, and the cancel."""
        if self.cancel_requested:
            self.enter(Step.DOWNLOAD)  # raises Cancelled
        now = self._clock()
        self._samples.append((now, got))
        while len(self._samples) > 2 and now - self._samples[0][0] > RATE_WINDOW:
            self._samples.popleft()
        first_time, first_got = self._samples[0]
        rate = (got - first_got) / (now - first_time) if now > first_time else 0.0
        if now - self._last_sent >= PROGRESS_EVERY or got == total:
            self._last_sent = now
            self._send(Progress(Step.DOWNLOAD, got, total, rate))

    def _send(self, progress: Progress) -> None:
        if self._listener is not None:
            self._listener(progress)


@dataclass(frozen=True)
class Installation:
    """What an install left: the version, and what of the package was not installed."""

    installed: Installed
    skipped: tuple[str, ...]


@dataclass(frozen=True)
class VendorListing:
    """One vendor's installed versions and the sessions that use its client now."""

    vendor: Vendor
    versions: tuple[Installed, ...]
    users: tuple[str, ...] = field(default=())


class ClientService:
    """The client store as the app sees it: listings, and jobs with progress."""

    def __init__(self, sessions: SessionService, *, store: ClientStore | None = None,
                 trust_dir: Path = verify.TRUST_DIR, urls: Mapping[str, str] | None = None,
                 sessions_base: Path | None = None) -> None:
        self._sessions = sessions
        self.store = store or ClientStore()
        self.trust_dir = trust_dir
        self._urls = dict(urls or {})
        self._sessions_base = sessions_base

    def url(self, name: str) -> str:
        """Where Download gets *name*'s package from (the vendor's, unless configured)."""
        return self._urls.get(name) or VENDORS[name].url

    def listing(self) -> list[VendorListing]:
        """Every vendor the store knows, with its versions and current users."""
        return [VendorListing(spec, tuple(self.store.installed(name)), tuple(self.users(name)))
                for name, spec in sorted(VENDORS.items())]

    def users(self, name: str) -> list[str]:
        """Sessions running a profile whose client is *name*: the app's own, and any
        other launcher's on this host (from the session records)."""
        profiles = self._sessions.profiles().profiles
        uses = {p.name for p in profiles.values() if p["client"] == name}
        found = {e.id for e in self._sessions.entries() if e.active and e.profile in uses}
        found.update(s.record.id for s in session_store.list_sessions(self._sessions_base)
                     if not s.stale and s.record.profile in uses)
        # A waiting spare runs no client yet: it is dropped, not waited for (remove).
        return sorted(found - self._sessions.spares.ids())

    def install_file(self, name: str, source: Path, job: Job, *, sha256: str | None = None,
                     signature: Path | None = None) -> Installation:
        """Install *name* from a downloaded package (its signature or a recorded checksum
        must check out; *sha256*/*signature*: the ones the person gave, as the CLI's
        ``--sha256``/``--signature``)."""
        return self._install(name, job, source=source, sha256=sha256, signature=signature)

    def download(self, name: str, job: Job) -> Installation:
        """Download *name*'s current package and install it."""
        return self._install(name, job, url=self.url(name))

    def _install(self, name: str, job: Job, *, source: Path | None = None,
                 url: str | None = None, sha256: str | None = None,
                 signature: Path | None = None) -> Installation:
        entry, skipped = self.store.install(
            name, source=source, url=url, trust_dir=self.trust_dir, sha256=sha256,
            signature=signature,
            progress=job.on_bytes, step=job.on_store_step)
        job.enter(Step.DONE)
        return Installation(entry, tuple(skipped))

    def remove(self, name: str, version: str, job: Job) -> list[str]:
        """Remove one version; refused while a session uses *name*'s client."""
        job.enter(Step.CHECK)
        users = self.users(name)
        if users:
            raise ClientStoreError(
                f"{VENDORS[name].title} is in use by session {', '.join(users)}; "
                "nothing was removed",
                "stop the session (Stop & Wipe), then remove the client")
        job.enter(Step.REMOVE)
        profiles = self._sessions.profiles().profiles
        self._sessions.spares.drop({p.name for p in profiles.values() if p["client"] == name})
        removed = self.store.remove(name, version)
        job.enter(Step.DONE)
        return removed
