"""What a running session's devices are doing, in words: the sessions list's "In use"
column and the selected session's details.

A grant is not use: the camera counts as live only while the client has it open, the
microphone only while it is on *and* the client records it, the screen while it is
shared (``SessionEntry.in_use``, from the session's ``device`` events). The strings are
the sessions view's own (its translation context).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication

from ..session.entries import SessionEntry


def _clock(since: float) -> str:
    return time.strftime("%H:%M", time.localtime(since))


def in_use_text(entry: SessionEntry) -> str:
    """The "In use" cell: the devices a running session uses now ("" otherwise)."""
    if not entry.live:
        return ""
    parts = []
    if "camera" in entry.in_use:
        parts.append(QCoreApplication.translate("SessionsView", "● camera {name}").format(
            name=entry.camera))
    if "microphone" in entry.in_use:
        parts.append(QCoreApplication.translate("SessionsView", "● microphone"))
    if "screen" in entry.in_use:
        parts.append(
            QCoreApplication.translate("SessionsView", "● screen (portal)")
            if entry.screen in (None, "portal") else
            QCoreApplication.translate("SessionsView", "● sharing “{title}”").format(
                title=entry.screen))
    return "  ".join(parts)


def _camera(entry: SessionEntry) -> str:
    since = entry.in_use.get("camera")
    if since is None:
        return QCoreApplication.translate(
            "SessionsView", "camera {name}: granted, not in use").format(name=entry.camera)
    if "camera" in entry.use_assumed:
        return QCoreApplication.translate(
            "SessionsView", "camera {name}: granted, counted as in use since {time} (a "
            "process of the session hides its open files)").format(
            name=entry.camera, time=_clock(since))
    return QCoreApplication.translate(
        "SessionsView", "camera {name}: granted, in use since {time}").format(
        name=entry.camera, time=_clock(since))


def _microphone(entry: SessionEntry) -> str:
    since = entry.in_use.get("microphone")
    if entry.mic_muted:
        return QCoreApplication.translate("SessionsView", "microphone muted")
    if since is None:
        return QCoreApplication.translate("SessionsView", "microphone ON, not in use")
    return QCoreApplication.translate(
        "SessionsView", "microphone ON, in use since {time}").format(time=_clock(since))


def _screen(entry: SessionEntry) -> str:
    since = entry.in_use.get("screen")
    what = (QCoreApplication.translate("SessionsView", "screen (portal)")
            if entry.screen == "portal" else
            QCoreApplication.translate("SessionsView", "sharing “{title}”").format(
                title=entry.screen))
    if since is None:
        return QCoreApplication.translate("SessionsView", "{what}: granted, not in use").format(
            what=what)
    return QCoreApplication.translate("SessionsView", "{what}: in use since {time}").format(
        what=what, time=_clock(since))


def device_details(entry: SessionEntry) -> str:
    """The selected session's grants and their use: "camera video0: granted, in use since
    10:32; microphone ON, not in use" ("" without grants, or once it ended)."""
    if not entry.active:
        return ""
    parts = []
    if entry.camera is not None:
        parts.append(_camera(entry))
    if entry.mic_muted is not None:
        parts.append(_microphone(entry))
    if entry.screen is not None:
        parts.append(_screen(entry))
    return "; ".join(parts)
