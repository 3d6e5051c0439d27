"""Typed errors: each carries a one-line summary for people and a hint on what to do.

The CLI prints ``summary`` and ``hint``; the GUI shows the summary with ``details``
behind a button. Code that raises these never formats dialogs or exits itself.
"""

from __future__ import annotations


class LauncherError(Exception):
    """Base of every error the launcher reports to a person.

    ``exit_code`` is what the CLI exits with when this error ends a command that is
    not ``run`` (``run`` maps every launcher-side failure to 125, see cli).
    """

    exit_code = 1

    def __init__(self, summary: str, hint: str = "", details: str = "") -> None:
        super().__init__(summary)
        self.summary = summary
        self.hint = hint
        self.details = details

    def to_dict(self) -> dict[str, str]:
        """Machine-readable form for ``--json`` outputs and session reports."""
        return {
            "error": type(self).__name__,
            "summary": self.summary,
            "hint": self.hint,
            "details": self.details,
        }


class UsageError(LauncherError):
    """The command line asks for something that does not make sense."""

    exit_code = 2


class ProfileError(LauncherError):
    """A profile file is broken or asks for something the schema refuses.

    ``path``, ``line`` and ``key`` locate the problem as precisely as it is known.
    """

    exit_code = 2

    def __init__(
        self,
        summary: str,
        hint: str = "",
        *,
        path: str = "",
        line: int | None = None,
        key: str = "",
        details: str = "",
    ) -> None:
        where = path
        if line is not None:
            where += f":{line}"
        if key:
            where += f" [{key}]" if where else key
        super().__init__(f"{where}: {summary}" if where else summary, hint, details)
        self.path = path
        self.line = line
        self.key = key


class ProfileNotFound(LauncherError):
    """No profile of that name exists."""

    exit_code = 2


class MissingTool(LauncherError):
    """An external program the launcher needs is not installed."""

    exit_code = 69

    def __init__(self, program: str, package: str, purpose: str, *, hint: str = "") -> None:
        super().__init__(
            f"{program} is not installed; it is needed {purpose}",
            hint or f"install the Debian package {package}: sudo apt-get install {package}",
        )
        self.program = program
        self.package = package


class CommandNotFound(LauncherError):
    """The command to run inside the sandbox does not exist there."""

    exit_code = 127

    def __init__(self, program: str) -> None:
        super().__init__(
            f"{program}: no such program inside the sandbox",
            "the sandbox sees the host's /usr, /etc and /opt read-only; give a program "
            "installed there (an absolute path, or a name on /usr/local/bin:/usr/bin:/bin)",
        )


class HostNotCapable(LauncherError):
    """The host lacks a kernel feature the sandbox needs (user namespaces, seccomp…)."""

    exit_code = 69


class ToolFailed(LauncherError):
    """An external program ran but failed; ``details`` holds its command line and stderr."""


class SessionError(LauncherError):
    """Starting, stopping or wiping a session failed."""


class SessionNotFound(LauncherError):
    """No session with that id exists."""

    exit_code = 2


class MeetingLinkError(UsageError):
    """A meeting link is not one of the forms the strict parser accepts."""


class ClientStoreError(LauncherError):
    """Installing, verifying or finding a vendor client failed; nothing was left half-done."""


class VaultError(LauncherError):
    """The sign-in vault cannot be used (no keyring, a locked one, a bad vault file…).

    A session never fails because of it: the session layer starts clean and shows the
    summary as a note; ``vault`` commands exit with it.
    """


class PolicyRefused(UsageError):
    """The launch asks for something the system policy fixes otherwise."""
