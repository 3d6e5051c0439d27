"""The Guest images window: every recipe and built image, its state, and Build /
Rebuild / Check / Remove. A build runs on the session layer's job (its own thread):
the window shows its steps and elapsed time and can cancel it. Closing the window keeps
a build going; quitting the app cancels it (``session/images.py`` cleans up).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import LauncherError
from ..session.images import (
    BuildJob,
    ImageRow,
    ImageService,
    ImageState,
    ImageUse,
    JobState,
)
from .bridge import ServiceBridge
from .errors import show_error
from .image_errors import for_the_app
from .tables import row_table

translate = QCoreApplication.translate

NAME, USE, STATE, SIZE, BUILT, VERSION = range(6)


class _JobSignals(QObject):
    """Carries a build's steps from its thread to the GUI thread."""

    step = Signal(object, str, str)


def state_text(row: ImageRow) -> str:
    """The state column's words."""
    texts = {
        ImageState.NOT_BUILT: translate("ImagesWindow", "not built"),
        ImageState.READY: (translate("ImagesWindow", "ready") if row.checked
                           else translate("ImagesWindow", "built")),
        ImageState.MODIFIED: translate("ImagesWindow", "modified — not used"),
        ImageState.OUTDATED: translate("ImagesWindow", "out of date"),
        ImageState.NO_RECIPE: translate("ImagesWindow", "built (its recipe is gone)"),
    }
    return texts[row.state]


def use_text(use: ImageUse) -> str:
    """The "Used for" column's words."""
    texts = {
        ImageUse.SESSIONS: translate("ImagesWindow", "VM sessions"),
        ImageUse.DISPLAY: translate("ImagesWindow", "VM sessions that show the client's "
                                                    "window"),
        ImageUse.TESTS: translate("ImagesWindow", "the launcher's own tests (small)"),
        ImageUse.OTHER: translate("ImagesWindow", "your own recipe"),
    }
    return texts[use]


def _step_text(step: str) -> str:
    texts = {
        "check": translate("ImagesWindow", "Checking the build tools"),
        "bootstrap": translate("ImagesWindow", "Installing Debian packages"),
        "convert": translate("ImagesWindow", "Writing the disk image"),
        "kernel": translate("ImagesWindow", "Preparing the kernel for a quick start"),
        "manifest": translate("ImagesWindow", "Recording checksums"),
        "done": translate("ImagesWindow", "Done"),
    }
    return texts.get(step, step)


#: mmdebstrap's lines about its own plumbing (hooks, its temp dir): paths of scratch
#: folders that say nothing to a person watching the build (the CLI still prints them).
_PLUMBING = ("running --", "running special hook", "using /", "mmdebstrap.")


def worth_showing(detail: str) -> bool:
    """Whether a build's line belongs in the window's log."""
    return not detail.startswith(_PLUMBING)


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


class ImagesWindow(QDialog):
    """Guest images: list, build (in the background, cancellable), check, remove."""

    #: the store changed (built, removed): whoever shows image states refreshes
    images_changed = Signal()

    def __init__(self, bridge: ServiceBridge, images: ImageService,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.images = images
        self.rows: dict[str, ImageRow] = {}
        self.job: BuildJob | None = None
        self._wanted = ""
        self._listing = 0  # the latest refresh: an older listing's answer is stale
        self._signals = _JobSignals(self)
        self._signals.step.connect(self._on_step)
        self.setObjectName("imagesWindow")
        self.setWindowTitle(self.tr("Guest images"))
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "Sessions with the VM backend start a throwaway virtual machine of a guest "
            "image. Images are built here from their recipes, without administrator "
            "rights; a build downloads Debian packages and takes a few minutes."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self._table())
        layout.addLayout(self._buttons())
        self.status = QLabel(self.tr("Reading the images…"))
        self.status.setObjectName("imagesStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        # No percentage: mmdebstrap does not tell how far it is, but the bar moves.
        self.busy = QProgressBar()
        self.busy.setObjectName("buildBusy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(self.tr("Building"))
        layout.addWidget(self.busy)
        self.log = QPlainTextEdit()
        self.log.setObjectName("buildLog")
        self.log.setReadOnly(True)
        self.log.setAccessibleName(self.tr("Build steps"))
        self.log.setMaximumBlockCount(500)
        layout.addWidget(self.log, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout.addWidget(close)
        self.clock = QTimer(self)
        self.clock.timeout.connect(self._tick)
        self._enable()
        self.refresh()

    def _table(self) -> QTableWidget:
        self.table = row_table("imageTable", self.tr("Guest images"), [
            self.tr("Image"), self.tr("Used for"), self.tr("State"), self.tr("Size"),
            self.tr("Built"), self.tr("Recipe version")])
        self.table.itemSelectionChanged.connect(self._enable)
        return self.table

    def _buttons(self) -> QHBoxLayout:
        self.build_button = QPushButton(self.tr("&Build"))
        self.build_button.setObjectName("buildImage")
        self.build_button.clicked.connect(lambda: self.build(self.selected()))
        self.check_button = QPushButton(self.tr("C&heck"))
        self.check_button.setObjectName("checkImage")
        self.check_button.setToolTip(self.tr("Recompute every checksum of the image"))
        self.check_button.clicked.connect(lambda: self.check(self.selected()))
        self.remove_button = QPushButton(self.tr("&Remove"))
        self.remove_button.setObjectName("removeImage")
        self.remove_button.clicked.connect(lambda: self.ask_remove(self.selected()))
        self.cancel_button = QPushButton(self.tr("&Cancel build"))
        self.cancel_button.setObjectName("cancelBuild")
        self.cancel_button.clicked.connect(self.cancel_build)
        row = QHBoxLayout()
        for button in (self.build_button, self.check_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        return row

    # ------------------------------------------------------------------ listing

    def refresh(self, *, quiet: bool = False) -> None:
        """Read every image's state on a worker: the manifests first (at once), then
        every checksum (seconds: 3 s for the three images here, cold). *quiet* keeps the
        status line (it tells what an action just did)."""
        if not quiet:
            self.status.setText(self.tr("Checking the images…"))
        self._listing += 1
        listing = self._listing

        def checked(rows: object) -> None:
            if isinstance(rows, list) and listing == self._listing:
                self._show_rows(rows)
                if not self._building() and not quiet:
                    self.status.setText(self.tr("%n image(s) built.", "", sum(
                        r.built_image for r in rows)))

        def read(rows: object) -> None:
            if listing != self._listing:
                return  # a newer listing is on its way: its checksums are read instead
            if isinstance(rows, list):
                self._show_rows(rows)
            self.bridge.call(self.images.rows, checked, self._failed, owner=self)

        self.bridge.call(lambda: self.images.rows(check=False), read, self._failed,
                         owner=self)

    def _show_rows(self, rows: list[ImageRow]) -> None:
        chosen = self._wanted or self.selected()
        self.rows = {row.name: row for row in rows}
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            built = row.built.astimezone().strftime("%Y-%m-%d %H:%M") if row.built else "—"
            version = "—"
            if row.recipe_version is not None:
                version = str(row.recipe_version)
                if row.built_version is not None and row.built_version != row.recipe_version:
                    version = self.tr("{built} (recipe: {now})").format(
                        built=row.built_version, now=row.recipe_version)
            cells = (row.name, use_text(row.use), state_text(row),
                     f"{row.size / 2**20:.0f} MiB" if row.size else "—", built, version)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == STATE and row.problem:
                    item.setToolTip(row.problem)
                self.table.setItem(index, col, item)
        if chosen:
            self.select(chosen)
        elif rows and not self.selected():
            self.table.selectRow(0)
        self._enable()

    def select(self, name: str) -> None:
        """Select the image *name* (remembered until the listing has arrived)."""
        for index in range(self.table.rowCount()):
            item = self.table.item(index, NAME)
            if item is not None and item.text() == name:
                self.table.selectRow(index)
                self._wanted = ""
                return
        self._wanted = name

    def selected(self) -> str:
        """The selected image's name, or ""."""
        rows = self.table.selectionModel().selectedRows()
        item = self.table.item(rows[0].row(), NAME) if rows else None
        return item.text() if item is not None else ""

    def _building(self) -> bool:
        return self.job is not None and self.job.running

    def _enable(self) -> None:
        row = self.rows.get(self.selected())
        busy = self._building()
        self.build_button.setEnabled(row is not None and row.buildable and not busy)
        self.build_button.setText(self.tr("&Build") if row is None or not row.built_image
                                  else self.tr("Re&build"))
        self.check_button.setEnabled(row is not None and row.built_image and not busy)
        self.remove_button.setEnabled(row is not None and row.built_image and not busy)
        self.cancel_button.setEnabled(busy)
        self.cancel_button.setVisible(busy)
        self.busy.setVisible(busy)

    def _failed(self, error: LauncherError) -> None:
        self.status.setText(for_the_app(error).summary)
        show_error(self, for_the_app(error), self.tr("Guest images"))
        self._enable()

    # ------------------------------------------------------------------ actions

    def build(self, name: str) -> None:
        """Start building *name* in the background."""
        if not name or self._building():
            return
        self.log.clear()
        try:
            self.job = self.images.build(name, self._signals.step.emit)
        except LauncherError as error:
            self._failed(error)
            return
        self.log.appendPlainText(self.tr("Building {name}…").format(name=name))
        self.clock.start(1000)
        self._tick()
        self._enable()

    def _tick(self) -> None:
        job = self.job
        if job is None or not job.running:
            self.clock.stop()
            return
        step = job.steps[-1][1] if job.steps else "check"
        self.status.setText(self.tr("Building {name}: {step} ({elapsed})").format(
            name=job.name, step=_step_text(step), elapsed=_elapsed(job.elapsed())))

    def _on_step(self, job: object, step: str, detail: str) -> None:
        if not isinstance(job, BuildJob) or job is not self.job:
            return
        if step:
            if worth_showing(detail):
                self.log.appendPlainText(f"[{_elapsed(job.elapsed())}] "
                                         f"{_step_text(step)}: {detail}")
            self._tick()
            return
        self.clock.stop()
        if job.state is JobState.DONE:
            self.status.setText(self.tr("{name} was built in {elapsed}.").format(
                name=job.name, elapsed=_elapsed(job.elapsed())))
        elif job.state is JobState.CANCELLED:
            self.status.setText(self.tr("The build of {name} was cancelled; nothing of it "
                                        "was kept.").format(name=job.name))
        elif job.error is not None:
            told = for_the_app(job.error)
            self.status.setText(told.summary)
            show_error(self, told, self.tr("Could not build {name}").format(name=job.name))
        self.log.appendPlainText(self.status.text())
        self._enable()
        self.images_changed.emit()
        self.refresh(quiet=True)

    def cancel_build(self) -> None:
        """Stop the running build (its processes and files go; the old image stays)."""
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Cancelling: stopping the build and removing its "
                                        "files…"))

    def check(self, name: str) -> None:
        """Recompute *name*'s checksums on a worker and say what was found."""
        if not name:
            return
        self.status.setText(self.tr("Checking {name}…").format(name=name))
        self.check_button.setEnabled(False)

        def done(row: object) -> None:
            if not isinstance(row, ImageRow):
                return
            self.rows[row.name] = row
            if row.state is ImageState.MODIFIED:
                self.status.setText(self.tr("{name} was modified: {why}. Rebuild it.").format(
                    name=name, why=row.problem))
            else:
                self.status.setText(self.tr("{name}: every file matches its checksum."
                                            ).format(name=name))
            self.refresh(quiet=True)

        self.bridge.call(lambda: self.images.verify(name), done, self._failed, owner=self)

    def ask_remove(self, name: str) -> QMessageBox | None:
        """"Remove NAME?", then remove it (the question, if one was asked)."""
        if not name:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Remove guest image"),
                          self.tr("Remove the guest image {name}? Sessions that need it "
                                  "cannot start until it is built again.").format(name=name),
                          QMessageBox.StandardButton.Cancel, self)
        remove = box.addButton(self.tr("&Remove"), QMessageBox.ButtonRole.DestructiveRole)
        remove.setObjectName("confirmRemove")
        remove.clicked.connect(lambda: self.remove(name))
        box.setObjectName("removeQuestion")
        box.open()
        return box

    def remove(self, name: str) -> None:
        """Delete the built image *name* on a worker."""
        def done(_: object) -> None:
            self.status.setText(self.tr("{name} was removed.").format(name=name))
            self.images_changed.emit()
            self.refresh(quiet=True)

        self.bridge.call(lambda: self.images.remove(name), done, self._failed, owner=self)
