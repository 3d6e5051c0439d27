"""What the sessions view says about a session: its state, its uptime, and the one-line
summary of an ended session's report ("Contacted 12 hosts in 2 countries…").

The strings keep the translation context ``SessionsView`` they were written under, so
the German catalogue finds them where the view shows them.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..session.entries import SessionEntry, end_summary
from ..session.lifecycle import State
from .session_trouble import trouble_text


def state_text(state: State) -> str:
    """A lifecycle state in the user's language."""
    names = {
        State.PLANNED: QCoreApplication.translate("SessionsView", "planned"),
        State.PREPARING: QCoreApplication.translate("SessionsView", "preparing"),
        State.STARTING: QCoreApplication.translate("SessionsView", "starting"),
        State.RUNNING: QCoreApplication.translate("SessionsView", "running"),
        State.STOPPING: QCoreApplication.translate("SessionsView", "stopping"),
        State.WIPING: QCoreApplication.translate("SessionsView", "wiping"),
        State.VERIFYING: QCoreApplication.translate("SessionsView", "verifying wipe"),
        State.WIPED: QCoreApplication.translate("SessionsView", "wiped"),
        State.FAILED: QCoreApplication.translate("SessionsView", "wipe not verified"),
    }
    return names[state]


def step_text(step: str) -> str:
    """Where a slow start is (``backends.base.BOOT_STEPS``), in the user's language."""
    steps = {
        "image": QCoreApplication.translate("SessionsView", "checking the guest image"),
        "pool": QCoreApplication.translate("SessionsView", "taking a ready virtual machine"),
        "boot": QCoreApplication.translate("SessionsView", "booting the virtual machine"),
        "home": QCoreApplication.translate("SessionsView", "restoring the sign-in"),
        "window": QCoreApplication.translate("SessionsView", "opening its window"),
        "client": QCoreApplication.translate("SessionsView", "starting the client"),
    }
    return steps.get(step, step)


def entry_state_text(entry: SessionEntry) -> str:
    """A session's state, and while it starts slowly, where the start is."""
    text = state_text(entry.state)
    if entry.state is State.STARTING and entry.step:
        return QCoreApplication.translate("SessionsView", "{state}: {step}…").format(
            state=text, step=step_text(entry.step))
    return text


def summary_text(report: dict[str, object]) -> str:
    """"Contacted 12 hosts in 2 countries (DE, US), blocked 5; wipe verified."."""
    s = end_summary(dict(report))
    translate = QCoreApplication.translate
    wipe = (translate("SessionsView", "wipe verified") if s.wipe_verified
            else translate("SessionsView", "wipe NOT verified"))
    hosts = (translate("SessionsView", "1 host") if s.hosts == 1
             else translate("SessionsView", "{n} hosts").format(n=s.hosts))
    where = (translate("SessionsView", "1 country") if len(s.countries) == 1
             else translate("SessionsView", "{n} countries").format(n=len(s.countries)))
    if 0 < len(s.countries) <= 4:  # few enough to name: which ones is what users ask
        unknown = translate("SessionsView", "unknown")
        where += " ({})".format(", ".join(unknown if c == "unknown" else c
                                          for c in s.countries))
    text = translate("SessionsView", "Contacted {hosts} in {countries}, blocked {blocked}; "
                     "{wipe}.").format(hosts=hosts, countries=where, blocked=s.blocked,
                                       wipe=wipe)
    trouble = trouble_text(report)
    return f"{text} {trouble}" if trouble else text


def duration_text(seconds: float) -> str:
    """An uptime as H:MM:SS."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
