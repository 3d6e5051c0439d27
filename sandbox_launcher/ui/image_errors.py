"""Guest image errors as the app tells them: what happened and what to do *in the app*.

The backend's errors are written for the command line ("sudo apt-get install
mmdebstrap", "sandbox-launcher image build default"). A person in the app gets the
same facts in words, with a hint that names the Guest images window; the command-line
text moves to the details, for whoever wants it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..core.errors import LauncherError
from ..session.images import (
    BuildToolMissing,
    DiskFull,
    ImageMissing,
    ImageModified,
    MirrorUnreachable,
    NoSubordinateIds,
)

translate = QCoreApplication.translate


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f}".replace(",", "\u202f")


def _words(error: LauncherError) -> tuple[str, str]:
    """(summary, hint) for a person; ("", "") when the error has no wording of its own."""
    if isinstance(error, ImageMissing):
        return (translate("ImageErrors", "The guest image “{name}” is not built yet."
                          ).format(name=error.image),
                translate("ImageErrors", "Build it in the Guest images window. It takes a "
                                         "few minutes and downloads Debian packages."))
    if isinstance(error, ImageModified):
        return (translate("ImageErrors", "The guest image “{name}” was changed after it was "
                                         "built, so it is not used.").format(name=error.image),
                translate("ImageErrors", "Rebuild it in the Guest images window."))
    if isinstance(error, BuildToolMissing):
        return (translate("ImageErrors", "The program {program} is missing; guest images "
                                         "are built with it.").format(program=error.program),
                translate("ImageErrors", "Install the package “{package}” (with your "
                                         "software centre, or ask your administrator), then "
                                         "build again.").format(package=error.package))
    if isinstance(error, NoSubordinateIds):
        return (translate("ImageErrors", "Your account has no range of subordinate user ids, "
                                         "which building a guest image without "
                                         "administrator rights needs."),
                translate("ImageErrors", "Ask your administrator to give your account a "
                                         "range in /etc/subuid and /etc/subgid."))
    if isinstance(error, DiskFull):
        return (translate("ImageErrors", "Not enough disk space: building needs about "
                                         "{needed} MiB in {where}; {free} MiB are free."
                          ).format(needed=_mib(error.needed), where=error.where,
                                   free=_mib(error.free)),
                translate("ImageErrors", "Free that much space (removing guest images you "
                                         "no longer need helps), then build again."))
    if isinstance(error, MirrorUnreachable):
        return (translate("ImageErrors", "Debian's package server ({mirror}) could not be "
                                         "reached, so the image could not be built."
                          ).format(mirror=error.mirror),
                translate("ImageErrors", "Check the network connection, then build again. "
                                         "Nothing of the build was kept."))
    return "", ""


def for_the_app(error: LauncherError) -> LauncherError:
    """*error* worded for the app; the original summary and hint stay in the details."""
    summary, hint = _words(error)
    if not summary:
        if "sandbox-launcher " not in error.hint and "sudo " not in error.hint:
            return error
        summary, hint = error.summary, translate("ImageErrors", "See the details.")
    details = "\n".join(part for part in (
        error.details,
        translate("ImageErrors", "As reported: {summary}").format(summary=error.summary),
        translate("ImageErrors", "On the command line: {hint}").format(hint=error.hint)
        if error.hint else "",
    ) if part)
    # The same type and attributes (the window still knows which image); not
    # copy.copy, which calls __init__ with the summary alone.
    told = type(error).__new__(type(error))
    told.__dict__.update(error.__dict__)
    told.args = error.args
    told.summary, told.hint, told.details = summary, hint, details
    return told
