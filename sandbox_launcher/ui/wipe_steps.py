"""The end of a session as steps the user can follow: stopping the client, wiping,
verifying, and wiped (or not verified). A wipe is never cancellable, and says why."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from ..session.entries import SessionEntry
from ..session.lifecycle import Event, State
from .steps import StepList, StepState

#: The lifecycle states of a session's end, in order.
ENDING = (State.STOPPING, State.WIPING, State.VERIFYING, State.WIPED)
_ORDER = {state: index for index, state in enumerate(ENDING)} | {State.FAILED: 3}


def no_cancel_reason() -> str:
    """Why a wipe has no Cancel (the Stop button's tooltip while one runs)."""
    return QCoreApplication.translate(
        "WipeSteps", "A wipe cannot be cancelled: stopping it half-way would leave the "
        "session's processes or files behind.")


class WipeSteps(QWidget):
    """Steps and a bar for the selected session's stop and wipe; hidden while it runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wipeSteps")
        self.setAccessibleName(self.tr("Stop and wipe progress"))
        self._seen: dict[str, set[State]] = {}
        self._last: dict[str, State] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.steps = StepList(self._texts(), horizontal=True)
        layout.addWidget(self.steps)
        self.bar = QProgressBar()
        self.bar.setObjectName("wipeBar")
        self.bar.setAccessibleName(self.tr("Stop and wipe progress"))
        self.bar.setRange(0, len(ENDING))
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        layout.addWidget(self.bar)
        self.note = QLabel()
        self.note.setObjectName("wipeNote")
        self.note.setWordWrap(True)
        self.note.setToolTip(no_cancel_reason())
        layout.addWidget(self.note)
        self.hide()

    def _texts(self, failed: bool = False) -> list[tuple[str, str]]:
        return [(State.STOPPING.value, self.tr("Stopping the client")),
                (State.WIPING.value, self.tr("Wiping")),
                (State.VERIFYING.value, self.tr("Verifying the wipe")),
                (State.WIPED.value, self.tr("Wipe not verified") if failed
                 else self.tr("Wiped"))]

    def note_event(self, event: Event) -> None:
        """Remember which states a session went through (a client that ended by itself
        was never stopped: that step is then shown as not needed), and the last one.

        The steps follow these events, not the entry's newest state: the session's thread
        may be a step ahead of the GUI, and each step is then still shown in turn.
        """
        if event.data is None:
            self._seen.setdefault(event.session_id, set()).add(event.state)
            self._last[event.session_id] = event.state

    def show_entry(self, entry: SessionEntry | None) -> None:
        """Show *entry*'s end as steps, or hide while it has not begun to end."""
        state = self._last.get(entry.id, entry.state) if entry is not None else None
        if entry is None or state not in _ORDER:
            self.hide()
            return
        failed = state is State.FAILED
        if self.steps.text(State.WIPED.value) != dict(self._texts(failed))[State.WIPED.value]:
            self.steps.set_steps(self._texts(failed))
        current = _ORDER[state]
        seen = self._seen.get(entry.id, set())
        for index, step in enumerate(ENDING):
            if index < current:
                mark = StepState.DONE
                if step is State.STOPPING and step not in seen:
                    mark = StepState.SKIPPED  # the client ended by itself
            elif index == current:
                mark = (StepState.FAILED if failed else StepState.DONE
                        if step is State.WIPED else StepState.ACTIVE)
            else:
                mark = StepState.WAITING
            self.steps.set_state(step.value, mark)
        ended = state in (State.WIPED, State.FAILED)
        self.bar.setValue(len(ENDING) if ended else current)
        # The note stays (its text changes), so the panel does not jump when it ends.
        self.note.setText(
            self.tr("Wipe NOT verified: the session's report names what is left.")
            if failed else self.tr("Wipe verified: nothing of the session is left.")
            if ended else self.tr("A wipe cannot be cancelled."))
        self.show()
