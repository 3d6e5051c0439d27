"""The Clients window's progress panel: the job's named steps, a progress bar (bytes and
rate while downloading), the outcome, and Cancel while cancelling is safe."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import LauncherError
from ..session.clients import CANCELLABLE, Cancelled, Job, Progress, Step
from .steps import StepList, StepState
from .traffic_plot import human_bytes

#: Each step's text, marked for lupdate and translated when shown.
_STEP_TEXTS = {
    Step.COPY: QT_TRANSLATE_NOOP("ClientProgress", "Copying the package"),
    Step.DOWNLOAD: QT_TRANSLATE_NOOP("ClientProgress", "Downloading from {host}"),
    Step.VERIFY: QT_TRANSLATE_NOOP("ClientProgress",
                                   "Verifying the vendor's signature or checksum"),
    Step.UNPACK: QT_TRANSLATE_NOOP(
        "ClientProgress", "Unpacking, removing setuid bits (installer scripts never run)"),
    Step.READ_ONLY: QT_TRANSLATE_NOOP("ClientProgress", "Making it read-only"),
    Step.COMMIT: QT_TRANSLATE_NOOP("ClientProgress", "Putting it in place"),
    Step.CHECK: QT_TRANSLATE_NOOP("ClientProgress", "Checking that no session uses it"),
    Step.REMOVE: QT_TRANSLATE_NOOP("ClientProgress", "Removing its files"),
    Step.DONE: QT_TRANSLATE_NOOP("ClientProgress", "Done"),
}


def step_text(step: Step, host: str = "") -> str:
    """A job step in the user's language."""
    return QCoreApplication.translate("ClientProgress", str(_STEP_TEXTS[step])).format(
        host=host)


class JobRelay(QObject):
    """Carries a job's progress from its worker thread to the GUI thread (a queued signal)."""

    progress = Signal(object)


class ClientProgress(QGroupBox):
    """The running job, or the last one and how it ended (nothing is lost on closing)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clientProgress")
        self.setTitle(self.tr("Progress"))
        self.job: Job | None = None
        self.relay = JobRelay(self)
        self.relay.progress.connect(self.on_progress)
        self._steps: tuple[Step, ...] = ()
        self._removing = False
        #: The step shown: Cancel follows it (the worker may be a step ahead; a cancel
        #: it can no longer take is refused by the job, and the button then says why).
        self._shown: Step | None = None
        self._refused = False
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("jobHeading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.steps = StepList()
        self.steps.setObjectName("jobSteps")
        self.steps.setAccessibleName(self.tr("Steps"))
        layout.addWidget(self.steps)
        row = QHBoxLayout()
        self.bar = QProgressBar()
        self.bar.setObjectName("jobBar")
        self.bar.setAccessibleName(self.tr("Progress of the client job"))
        row.addWidget(self.bar, 1)
        self.cancel_button = QPushButton(self.tr("&Cancel"))
        self.cancel_button.setObjectName("cancelJobButton")
        self.cancel_button.setAccessibleName(self.tr("Cancel the install"))
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self.detail = QLabel()
        self.detail.setObjectName("jobDetail")
        layout.addWidget(self.detail)
        self.result = QLabel()
        self.result.setObjectName("jobResult")
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        self._set_cancel(False, self.tr("Nothing is running."))
        self.hide()

    @property
    def running(self) -> bool:
        """Whether a job is under way."""
        return self.job is not None

    def start(self, heading: str, steps: Sequence[Step], host: str = "") -> Job:
        """Show a new job's steps; returns the Job to hand to the service."""
        self.job = Job(self.relay.progress.emit)
        self._steps = tuple(steps)
        self._removing = Step.REMOVE in steps
        self._shown, self._refused = None, False
        self.heading.setText(heading)
        self.steps.set_steps([(s.value, step_text(s, host)) for s in steps])
        self.bar.setRange(0, len(steps) - 1)
        self.bar.setValue(0)
        self.bar.setFormat("%p%")
        self.detail.setText("")
        self.result.setText("")
        self._update_cancel()
        self.show()
        return self.job

    def on_progress(self, progress: Progress) -> None:
        """A step began, or more bytes arrived."""
        if self.job is None:
            return
        self._shown = progress.step
        self.steps.advance(progress.step.value)
        if progress.step is Step.DOWNLOAD and not progress.got:
            self.bar.setRange(0, 0)  # busy until the first bytes say how much
            self.detail.setText(self.tr("Connecting…"))
        elif progress.step is Step.DOWNLOAD:
            total = progress.total
            if total:
                self.bar.setRange(0, total)
                self.bar.setValue(progress.got)
                text = self.tr("{got} of {total}").format(got=human_bytes(progress.got),
                                                         total=human_bytes(total))
            else:
                self.bar.setRange(0, 0)  # busy: the server did not say how much
                text = human_bytes(progress.got)
            self.detail.setText(self.tr("{done}, {rate}/s").format(
                done=text, rate=human_bytes(int(progress.rate))))
        else:
            if not self.job.cancel_requested:
                self.detail.setText("")
            index = self._steps.index(progress.step) if progress.step in self._steps else 0
            self.bar.setRange(0, len(self._steps) - 1)
            self.bar.setValue(index)
            self.bar.setFormat(self.tr("Step {n} of {count}").format(
                n=min(index + 1, len(self._steps) - 1), count=len(self._steps) - 1))
            if progress.step is Step.DONE:
                self.bar.setFormat(self.tr("Done"))
        self._update_cancel()

    def cancel(self) -> None:
        """Ask the job to stop at its next safe point."""
        if self.job is None:
            return
        if self.job.cancel():
            self.cancel_button.setText(self.tr("Cancelling…"))
            self.detail.setText(self.tr("Cancelling: the install stops at the next safe "
                                        "point and leaves nothing behind."))
        else:
            self._refused = True
        self._update_cancel()

    def succeeded(self, text: str) -> None:
        """The job ended well: every step done, and what it did."""
        self.steps.advance(Step.DONE.value)
        self.steps.set_state(Step.DONE.value, StepState.DONE)
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.bar.setFormat(self.tr("Done"))
        self.result.setText(text)
        self._finish()

    def failed(self, error: LauncherError) -> None:
        """The job was cancelled or failed: the step it was on is marked, with why."""
        active = self.steps.active()
        if active:
            self.steps.set_state(active, StepState.FAILED)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        if isinstance(error, Cancelled):
            self.bar.setFormat(self.tr("Cancelled"))
            self.result.setText(self.tr("Cancelled. Nothing was installed; the client "
                                        "store is as it was before."))
        else:
            self.bar.setFormat(self.tr("Failed"))
            self.result.setText(self.tr("Failed: {why}").format(why=error.summary))
        self._finish()

    def _finish(self) -> None:
        self.job = None
        self.cancel_button.setText(self.tr("&Cancel"))
        self._set_cancel(False, self.tr("Nothing is running."))

    def _update_cancel(self) -> None:
        job = self.job
        if job is None:
            self._set_cancel(False, self.tr("Nothing is running."))
        elif self._removing:
            self._set_cancel(False, self.tr(
                "Removing cannot be cancelled: a half-removed client would be neither "
                "usable nor gone."))
        elif job.cancel_requested:
            self._set_cancel(False, self.tr(
                "Cancelling: the install stops after the current step and deletes what it "
                "downloaded or unpacked."))
        elif self._refused or (self._shown is not None and self._shown not in CANCELLABLE):
            self._set_cancel(False, self.tr(
                "The new version is being put in place: stopping half-way could leave it "
                "half-installed, so it can no longer be cancelled."))
        else:
            self._set_cancel(True, self.tr(
                "Stop the install: what was downloaded or unpacked is deleted and the "
                "client store stays as it was."))

    def _set_cancel(self, enabled: bool, why: str) -> None:
        self.cancel_button.setEnabled(enabled)
        self.cancel_button.setToolTip(why)
        self.cancel_button.setAccessibleDescription(why)
