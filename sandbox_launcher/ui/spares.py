"""The app keeps a spare session of its most used profiles (issue 17: click to client).

The service (session/spare.py) does the work on its own threads; the app says which
profiles, from its use counts, and whether the user wants spares at all
(``app.ini``: ``[sessions] spares``). Called at start and after each launch, as the
counts change.
"""

from __future__ import annotations

from .bridge import ServiceBridge
from .settings import UiSettings

#: How many of the most used profiles get a spare: each costs memory while it waits.
SPARE_PROFILES = 2


def keep_spares(bridge: ServiceBridge, settings: UiSettings) -> None:
    """Ask the service, on a worker thread, to keep spares of the most used profiles."""
    profiles = settings.most_used(SPARE_PROFILES)
    enabled = settings.spares
    service = bridge.service
    bridge.call(lambda: service.spares.keep(profiles, enabled=enabled))
