"""A slow start (a VM boots for seconds) shows where it is in the sessions list.

The service keeps a starting session's latest BootStep on its entry; the sessions view's
state column and summary say it in words ("starting: booting the virtual machine…"), and
nothing of it once the session runs.
"""

from __future__ import annotations

from sandbox_launcher.session.entries import SessionEntry
from sandbox_launcher.session.events import BootStep
from sandbox_launcher.session.lifecycle import Event, State
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.session_texts import entry_state_text, step_text


def test_the_entry_keeps_the_latest_step_and_the_view_words_it(
        service: SessionService) -> None:
    entry = SessionEntry("vm-1", "generic", "Generic", state=State.STARTING)
    service._entries[entry.id] = entry
    service._on_event(Event(entry.id, State.STARTING, "", BootStep("image", 0.1)))
    service._on_event(Event(entry.id, State.STARTING, "", BootStep("boot", 0.9)))
    assert entry.step == "boot"
    assert entry_state_text(entry) == "starting: booting the virtual machine…"
    entry.state = State.RUNNING
    assert entry_state_text(entry) == "running"
    # Every step the backends say has words of its own.
    from sandbox_launcher.backends.base import BOOT_STEPS
    assert all(step_text(step) != step for step in BOOT_STEPS)
