"""Client-store errors as the Clients window tells them: what to do *in the window*.

The store's errors are written for the command line ("run: sandbox-launcher client
install VENDOR --from FILE", "--sha256 HEX") and may carry raw OS errors ("[Errno -2]
Name or service not known"). A person in the app gets the same summary with the raw part
in words, and a hint that names the window's own controls; the command-line text stays
in the details, for whoever wants it.
"""

from __future__ import annotations

import copy
import re

from PySide6.QtCore import QCoreApplication

from ..core.errors import LauncherError

_RAW = (
    (re.compile(r"<?(urlopen error )?\[Errno -[235]\][^>:;]*>?"), "lookup"),
    (re.compile(r"<?(urlopen error )?\[Errno 111\][^>:;]*>?"), "refused"),
    (re.compile(r"<?(urlopen error )?\[Errno 11[03]\][^>:;]*>?|timed out"), "timeout"),
    (re.compile(r"<?(urlopen error )?\[Errno 101\][^>:;]*>?"), "unreachable"),
)


def _raw_text(kind: str) -> str:
    texts = {
        "lookup": QCoreApplication.translate(
            "ClientErrors", "the server's name could not be looked up (no network?)"),
        "refused": QCoreApplication.translate("ClientErrors",
                                              "the server refused the connection"),
        "timeout": QCoreApplication.translate("ClientErrors", "the server did not answer"),
        "unreachable": QCoreApplication.translate("ClientErrors",
                                                  "there is no network connection"),
    }
    return texts[kind]


def _window_hint(hint: str) -> str:
    if "--sha256" in hint or "--signature" in hint or "--keyring" in hint:
        return QCoreApplication.translate(
            "ClientErrors", "Enter the SHA-256 checksum the vendor publishes, or choose the "
                            "package's signature file (.asc or .sig), under \"Check the "
                            "package with\" in this window; then install the file again.")
    if "client trust" in hint:
        return QCoreApplication.translate(
            "ClientErrors", "Enter the SHA-256 checksum the vendor publishes under \"Check "
                            "the package with\" in this window, or ask your administrator "
                            "to install the vendor's key.")
    if "--from" in hint or "client install" in hint:
        return QCoreApplication.translate(
            "ClientErrors", "Check the network, or download the package with your browser "
                            "and choose it with \"Install from file…\" in this window.")
    return hint


def for_the_window(error: LauncherError) -> LauncherError:
    """*error* with raw OS errors in words and a hint for the Clients window."""
    summary = error.summary
    for pattern, kind in _RAW:
        summary = pattern.sub(_raw_text(kind), summary)
    hint = error.hint
    if "sandbox-launcher" in hint or "--" in hint:
        hint = _window_hint(hint)
    if summary == error.summary and hint == error.hint:
        return error
    details = "\n".join(part for part in (
        error.details, QCoreApplication.translate("ClientErrors", "As reported: {summary}"
                                                  ).format(summary=error.summary),
        QCoreApplication.translate("ClientErrors", "On the command line: {hint}").format(
            hint=error.hint) if error.hint != hint else "") if part)
    told = copy.copy(error)  # the same type: a Cancelled stays a Cancelled
    told.summary, told.hint, told.details = summary, hint, details
    return told


def for_the_launch(error: LauncherError) -> LauncherError:
    """A launch refused for a missing client: the hint names the app's Install button."""
    if "client install" not in error.hint:
        return error
    told = copy.copy(error)
    told.hint = QCoreApplication.translate(
        "ClientErrors", "Install it with the Install… button in place of Launch, or in "
                        "Clients > Manage clients…; its installer scripts never run.")
    told.details = "\n".join(part for part in (error.details, QCoreApplication.translate(
        "ClientErrors", "On the command line: {hint}").format(hint=error.hint)) if part)
    return told
