"""Checks of the profile's device keys (kept in :mod:`core.checks`, which the schema
needs; re-exported here for the device code)."""

from __future__ import annotations

from ..core.checks import DENIED_NAMES, check_display_size, check_talk_name

__all__ = ["DENIED_NAMES", "check_display_size", "check_talk_name"]
