"""The client store: vendors' clients unpacked as the user, read-only, one dir per version.

Layout under the store's directory (``/var/lib/sandbox-launcher/UID/clients``, out of
the login's path; else the user's data dir: :mod:`..core.store_path`)::

    zoom/6.1.0.198/     the client's files (read-only), mounted read-only in the sandbox
    zoom/state.json     which version is current, which one last started, how each was checked

A package is staged in a private directory next to the versions, verified there (the
copy we verify is the copy we unpack), unpacked, made read-only and renamed into place
in one step; on any failure the staging directory, and with it a downloaded package, is
deleted, so nothing is ever half-installed. The version that last started stays until
a newly installed one has started once (:func:`record_start`), so a broken update can
be undone by removing it.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import fcntl
import json
import os
import re
import shutil
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import store_path
from ..core.errors import ClientStoreError, UsageError
from ..core.store_path import StoreLocation
from . import download, keys, migrate, unpack, verify
from .vendors import VENDORS, Vendor

_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+~_-]{0,63}$")
_CONTROL_FIELD = re.compile(r"^([A-Za-z-]+):\s*(.*)$")
_NOT_VENDOR = "make sure you downloaded the vendor's Linux client package"


class InstallStep(enum.Enum):
    """What :meth:`ClientStore.install` is about to do, for progress and cancelling.

    A step hook may raise a ClientStoreError to stop the install before any step up to
    COMMIT: the staging directory goes, and the store is exactly as before.
    """

    COPY = "copy"  # a local package into the staging directory
    DOWNLOAD = "download"  # ... or the vendor's, from the network
    VERIFY = "verify"
    UNPACK = "unpack"  # files only: no scripts run, setuid bits dropped
    READ_ONLY = "read_only"
    COMMIT = "commit"  # moved into place and recorded: the point of no return


StepHook = Callable[[InstallStep], None]


def _no_hook(_step: InstallStep) -> None:
    return


def vendor(name: str) -> Vendor:
    """The vendor called *name*, or a usage error listing the known ones."""
    try:
        return VENDORS[name]
    except KeyError:
        raise UsageError(f"the client store does not know {name!r}",
                         f"known clients: {', '.join(sorted(VENDORS))}") from None


def store_location() -> StoreLocation:
    """Where this user's store is (:func:`core.store_path.locate`), with an old store in
    the data dir moved there first (:mod:`.migrate`)."""
    location = store_path.locate()
    if location.legacy is not None:
        location.make()
        migrate.migrate(location)
    return location


def store_root() -> Path:
    """The store's directory (see :func:`store_location`)."""
    return store_location().root


@dataclass(frozen=True)
class Installed:
    """One installed version."""

    vendor: str
    version: str
    path: Path
    current: bool
    last_started: bool
    info: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``client list --json``."""
        return {"vendor": self.vendor, "version": self.version, "path": str(self.path),
                "current": self.current, "last_started": self.last_started, **self.info}


class ClientStore:
    """Install, list, find and remove vendor clients below *root*."""

    def __init__(self, root: Path | None = None) -> None:
        # Decided on first use: a launch that runs no store client never touches it.
        self._location = None if root is None else store_path.at(root, "a store given by path")

    @property
    def location(self) -> StoreLocation:
        """Where the store is and whether that path names the user."""
        if self._location is None:
            self._location = store_location()
        return self._location

    def path_note(self) -> str | None:
        """What the report says when the store's path names the user (None: it does not)."""
        return self.location.note()

    @property
    def root(self) -> Path:
        """The store's directory."""
        return self.location.root

    # ---------------------------------------------------------------- state

    def _dir(self, name: str) -> Path:
        return self.root / vendor(name).name

    def _state(self, name: str) -> dict[str, Any]:
        path = self._dir(name) / "state.json"
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"current": None, "last_started": None, "versions": {}}
        except (OSError, ValueError) as exc:
            raise ClientStoreError(f"{path} is damaged: {exc}",
                                   f"remove it and reinstall: sandbox-launcher client "
                                   f"remove {name}") from None
        return data

    def _save(self, name: str, state: dict[str, Any]) -> None:
        path = self._dir(name) / "state.json"
        tmp = path.with_name(".state.json.tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    @contextlib.contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        directory = self._dir(name)
        self.location.make()
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(directory / ".lock", "w", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    # ---------------------------------------------------------------- queries

    def installed(self, name: str) -> list[Installed]:
        """Every installed version of *name*, current first."""
        state = self._state(name)
        found = [Installed(name, v, self._dir(name) / v, v == state["current"],
                           v == state["last_started"], info)
                 for v, info in state["versions"].items() if (self._dir(name) / v).is_dir()]
        return sorted(found, key=lambda i: (not i.current, i.version))

    def current(self, name: str) -> Installed | None:
        """The version a session of *name* gets, or None when none is installed."""
        return next((i for i in self.installed(name) if i.current), None)

    # ---------------------------------------------------------------- changes

    def install(self, name: str, *, source: Path | None = None, url: str | None = None,
                signature: Path | None = None, keyring: Path | None = None,
                sha256: str | None = None, trust_dir: Path = verify.TRUST_DIR,
                progress: download.Progress | None = None,
                step: StepHook = _no_hook,
                key_options: keys.KeyOptions | None = None) -> tuple[Installed, list[str]]:
        """Verify and unpack a package; return the installed version and what was skipped.

        From *source* (a file) or *url* (default: the vendor's). An existing version is
        left as it is. Raises ClientStoreError, leaving nothing behind. *step* hears of
        each :class:`InstallStep` before it begins. *key_options* pin the vendor's key;
        on the download path a signed package with no trusted key fetches it.
        """
        spec = vendor(name)
        with self._locked(name):
            # Under the lock no other install runs: a staging dir is a killed one's.
            for stale in self._dir(name).glob(".staging-*"):
                unpack.remove_tree(stale)
            staging = unpack.temp_dir(self._dir(name))
            try:
                return self._install(spec, staging, source, url, signature, keyring,
                                     sha256, trust_dir, progress, step,
                                     key_options or keys.KeyOptions())
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                    raise ClientStoreError(
                        f"no space left on {self.root} while installing {spec.title}; "
                        "nothing was installed", "free some disk space and try again") from None
                raise ClientStoreError(f"installing {spec.title} failed: {exc}",
                                       "nothing was installed") from None
            finally:
                unpack.remove_tree(staging)

    def _install(self, spec: Vendor, staging: Path, source: Path | None, url: str | None,
                 signature: Path | None, keyring: Path | None, sha256: str | None,
                 trust_dir: Path, progress: download.Progress | None, step: StepHook,
                 key_options: keys.KeyOptions) -> tuple[Installed, list[str]]:
        if source is not None:
            if not source.is_file():
                raise ClientStoreError(f"{source} is not a file", "give the downloaded package")
            step(InstallStep.COPY)
            package = staging / source.name
            shutil.copyfile(source, package)
            if signature is None:
                signature = next((p for p in (Path(f"{source}.asc"), Path(f"{source}.sig"))
                                  if p.is_file()), None)
            origin = str(source.resolve())
        else:
            origin = url or spec.url
            package = staging / "download"
            step(InstallStep.DOWNLOAD)
            origin = download.fetch(origin, package, progress)
        step(InstallStep.VERIFY)
        pin = keys.pin_for(spec, key_options.fingerprint)
        verdict = verify.verify(
            package, spec.name, keyring=keyring, signature=signature, sha256=sha256,
            trust_dir=trust_dir, user_keys=key_options.user_dir, pin=pin,
            fetch_key=None if source is not None else keys.fetcher(spec, pin, key_options))
        tree = staging / "tree"
        tree.mkdir()
        result = unpack.Unpacked()
        step(InstallStep.UNPACK)
        version = self._unpack(spec, package, tree, staging, result)
        final = self._dir(spec.name) / version
        state = self._state(spec.name)
        if final.exists():
            step(InstallStep.COMMIT)
            state["current"] = version
            self._save(spec.name, state)
            return self._entry(spec.name, version), ["this version was already installed"]
        step(InstallStep.READ_ONLY)
        unpack.make_read_only(tree)
        step(InstallStep.COMMIT)
        # Moving a directory to another parent rewrites its "..": it must be writable.
        tree.chmod(0o755)
        os.rename(tree, final)
        final.chmod(0o555)
        state["versions"][version] = {
            "verified": verdict.method, "verified_by": verdict.detail,
            "key_from": verdict.keyring, "source": origin,
            "installed": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": result.files, "skipped": result.skipped}
        # The version in use stays until this one has started once (record_start).
        keep = {version, state["current"]} - {None}
        state["current"] = version
        self._prune(spec.name, state, keep=keep)
        self._save(spec.name, state)
        return self._entry(spec.name, version), result.skipped

    def _unpack(self, spec: Vendor, package: Path, tree: Path, staging: Path,
                result: unpack.Unpacked) -> str:
        with package.open("rb") as stream:
            is_deb = stream.read(8) == b"!<arch>\n"
            if is_deb:
                return self._unpack_deb(spec, stream, package, tree, staging, result)
        try:
            archive = tarfile.open(package, "r:*")  # noqa: SIM115 - closed by the with below
        except (tarfile.TarError, EOFError) as exc:
            raise ClientStoreError(f"{package.name} is neither a .deb nor a tarball ({exc})",
                                   _NOT_VENDOR) from None
        with archive:
            try:
                unpack.extract(archive, spec.tar_root, tree, result)
            except (tarfile.TarError, EOFError) as exc:
                raise ClientStoreError(f"the tarball is damaged or truncated: {exc}",
                                       _NOT_VENDOR) from None
        if result.files == 0:
            raise ClientStoreError(f"the tarball has no {spec.tar_root}/ directory: it is not "
                                   f"{spec.title}'s package", _NOT_VENDOR)
        version_file = tree / "version.txt"
        text = version_file.read_text(errors="replace").strip() if version_file.is_file() else ""
        return _version(text or "sha256-" + verify.sha256_of(package)[:12])

    def _unpack_deb(self, spec: Vendor, stream: Any, package: Path, tree: Path,
                    staging: Path, result: unpack.Unpacked) -> str:
        members = {m.name: m for m in unpack.read_ar(stream, package.name)}
        control_name = next((n for n in members if n.startswith("control.tar")), None)
        data_name = next((n for n in members if n.startswith("data.tar")), None)
        if control_name is None or data_name is None:
            raise ClientStoreError(f"{package.name} lacks control or data: not a .deb",
                                   _NOT_VENDOR)
        with unpack.open_member_tar(stream, members[control_name], staging) as control:
            fields, scripts = _read_control(control)
        if fields.get("Package") != spec.package:
            raise ClientStoreError(
                f"{package.name} is the package {fields.get('Package')!r}, not "
                f"{spec.title}'s ({spec.package!r})", _NOT_VENDOR)
        for script in scripts:
            result.skip(f"maintainer script {script} (never run)")
        try:
            with unpack.open_member_tar(stream, members[data_name], staging) as data:
                unpack.extract(data, spec.deb_root, tree, result)
        except (tarfile.TarError, EOFError) as exc:
            raise ClientStoreError(f"the package's files are damaged or truncated: {exc}",
                                   _NOT_VENDOR) from None
        if result.files == 0:
            raise ClientStoreError(f"{package.name} has no files under /{spec.deb_root}",
                                   _NOT_VENDOR)
        return _version(fields.get("Version", ""))

    def _entry(self, name: str, version: str) -> Installed:
        return next(i for i in self.installed(name) if i.version == version)

    def _prune(self, name: str, state: dict[str, Any], keep: set[str]) -> None:
        """Delete every version but *keep*, the current and the one that last started."""
        keep = keep | {state["current"], state["last_started"]} - {None}
        for version in list(state["versions"]):
            if version not in keep:
                unpack.remove_tree(self._dir(name) / version)
                del state["versions"][version]

    def record_start(self, name: str, version: str) -> None:
        """*version* started a session: it is the known-good one; older ones go."""
        with self._locked(name):
            state = self._state(name)
            if version not in state["versions"] or state["last_started"] == version:
                return
            state["last_started"] = version
            self._prune(name, state, keep={version})
            self._save(name, state)

    def record_outcome(self, client: tuple[str, str] | None, status: int | None) -> None:
        """After a session of store *client* (name, version) that ended with *status*.

        126/127 (or no status) mean the client never ran: that version proves nothing.
        """
        if client is not None and status not in (None, 126, 127):
            self.record_start(*client)

    def remove(self, name: str, version: str | None = None) -> list[str]:
        """Remove one version (or all); return the versions removed."""
        with self._locked(name):
            state = self._state(name)
            versions = [version] if version else list(state["versions"])
            unknown = [v for v in versions if v not in state["versions"]]
            if unknown:
                raise UsageError(f"{name} {unknown[0]} is not installed",
                                 f"installed: {', '.join(state['versions']) or 'none'}")
            for item in versions:
                unpack.remove_tree(self._dir(name) / item)
                del state["versions"][item]
            left = sorted(state["versions"])
            if state["current"] not in state["versions"]:
                state["current"] = state["last_started"] if state["last_started"] in left \
                    else (left[-1] if left else None)
            if state["last_started"] not in state["versions"]:
                state["last_started"] = None
            self._save(name, state)
            return versions


def _read_control(control: tarfile.TarFile) -> tuple[dict[str, str], list[str]]:
    fields: dict[str, str] = {}
    scripts: list[str] = []
    for member in control:
        base = member.name.rsplit("/", 1)[-1]
        if base in unpack.MAINTAINER_SCRIPTS:
            scripts.append(base)
        elif base == "control" and member.isreg() and member.size < 1 << 20:
            raw = control.extractfile(member)
            assert raw is not None
            for line in raw.read().decode("utf-8", "replace").splitlines():
                match = _CONTROL_FIELD.match(line)
                if match:
                    fields.setdefault(match.group(1), match.group(2).strip())
    return fields, sorted(scripts)


def _version(text: str) -> str:
    """A version safe as a directory name (a Debian epoch's ':' becomes '_')."""
    version = text.strip().replace(":", "_")
    if not _VERSION_RE.match(version):
        raise ClientStoreError(f"the package's version {text!r} is not a plain version",
                               _NOT_VENDOR)
    return version
