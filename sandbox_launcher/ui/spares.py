"""The app keeps a spare session of its most used profiles (issue 17: click to client).

The service (session/spare.py) does the work on its own threads; the app says which
profiles, from its use counts, and whether the user wants spares at all (``app.ini``:
``[sessions] spares``, switched in the Profiles menu). Called at start and after each
launch, as the counts change.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtGui import QAction

from ..core.errors import LauncherError
from .bridge import ServiceBridge
from .settings import UiSettings

#: How many of the most used profiles get a spare: each costs memory while it waits.
SPARE_PROFILES = 2
#: After the app's start, when the spares are built: not while the window first draws,
#: and not at all for an app that is quit at once.
START_DELAY_MS = 5000


def keep_spares_soon(bridge: ServiceBridge, settings: UiSettings) -> None:
    """:func:`keep_spares`, a moment after the app has started."""
    QTimer.singleShot(START_DELAY_MS, bridge, lambda: keep_spares(bridge, settings))


def keep_spares(bridge: ServiceBridge, settings: UiSettings) -> None:
    """Ask the service, on a worker thread, to keep spares of the most used profiles."""
    profiles = settings.most_used(SPARE_PROFILES)
    enabled = settings.spares
    service = bridge.service
    bridge.call(lambda: service.spares.keep(profiles, enabled=enabled))


def spares_action(bridge: ServiceBridge, settings: UiSettings, parent: QObject) -> QAction:
    """The Profiles menu's switch: "Keep a meeting ready (faster start)".

    Unchecking it discards the waiting spares at once; a system policy that forbids them
    leaves the switch off and disabled, its tooltip saying why.
    """
    def tr(text: str) -> str:
        return QCoreApplication.translate("Spares", text)

    action = QAction(tr("Keep a meeting &ready (faster start)"), parent)
    action.setObjectName("keepSpares")
    action.setCheckable(True)
    action.setToolTip(tr(
        "Prepares a sandbox for your most used profiles in the background, so a click "
        "starts the meeting at once. It has no network until you start the meeting, and "
        "is never reused."))
    try:
        locked = bridge.service.policy().spares_off
    except LauncherError as exc:
        locked = exc.summary
    if locked:
        action.setChecked(False)
        action.setEnabled(False)
        action.setToolTip(tr("Not available: {why}").format(why=locked))
        return action
    action.setChecked(settings.spares)

    def switched(enabled: bool) -> None:
        settings.spares = enabled
        keep_spares(bridge, settings)

    action.toggled.connect(switched)
    return action
