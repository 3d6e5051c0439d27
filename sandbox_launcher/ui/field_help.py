"""The profile schema's field descriptions in the user's language.

The descriptions are the editor's and the launch panel's tooltips and the fields'
accessible descriptions. lupdate finds only literal strings, and ``core/schema.py``
stays free of Qt, so every description is repeated here, marked for the "Schema"
context (as ``fields.py`` marks the titles); a unit test keeps this list equal to the
schema's descriptions. The schema, its TOML files and the docs stay English.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from ..core.schema import Field

#: Field descriptions, for lupdate (the schema itself stays free of Qt).
_DESCRIPTIONS = (
    QT_TRANSLATE_NOOP("Schema", "Name shown in the app; the file name when empty."),
    QT_TRANSLATE_NOOP("Schema", "One line on what this profile runs."),
    QT_TRANSLATE_NOOP("Schema", "Which client the profile runs: a vendor's (zoom), a browser "
                                "(browser, chromium, firefox) or none for a command."),
    QT_TRANSLATE_NOOP("Schema", "Program and arguments started inside the sandbox; empty means "
                                "the client's own."),
    QT_TRANSLATE_NOOP("Schema", "namespace: bubblewrap on this kernel; vm: a disposable "
                                "virtual machine."),
    QT_TRANSLATE_NOOP("Schema", "Size limit of the throwaway home; writes past it fail with "
                                "'no space left'."),
    QT_TRANSLATE_NOOP("Schema", "Size limit of the throwaway /tmp (also /var/tmp)."),
    QT_TRANSLATE_NOOP("Schema", "Size limit of shared memory (/dev/shm)."),
    QT_TRANSLATE_NOOP("Schema", "Let the client create user namespaces of its own (the "
                                "sandboxes of Chromium, CEF and Firefox need this); off, it "
                                "cannot."),
    QT_TRANSLATE_NOOP("Schema", "System calls to take off the deny list for this client."),
    QT_TRANSLATE_NOOP("Schema", "Extra environment variables set inside the sandbox."),
    QT_TRANSLATE_NOOP("Schema", "Names of host environment variables passed through unchanged."),
    QT_TRANSLATE_NOOP("Schema", "allowlist: only the vendor's servers below; none: loopback "
                                "only."),
    QT_TRANSLATE_NOOP("Schema", "Names that resolve and may be reached (zoom.us, *.zoom.us)."),
    QT_TRANSLATE_NOOP("Schema", "Address ranges reached by IP without a name (media servers)."),
    QT_TRANSLATE_NOOP("Schema", "Destination ports, such as tcp/443 or udp/8801-8810."),
    QT_TRANSLATE_NOOP("Schema", "Published address lists of the vendor to allow by IP (zoom), "
                                "kept as dated data."),
    QT_TRANSLATE_NOOP("Schema", "When set, only servers registered in these countries (ISO "
                                "codes such as DE) may be reached."),
    QT_TRANSLATE_NOOP("Schema", "Servers registered in these countries are blocked even under "
                                "an allowed name."),
    QT_TRANSLATE_NOOP("Schema", "isolated: on Wayland the compositor's socket alone, else the "
                                "client's own nested X server in a window; either way it sees "
                                "only its own windows; none: no display; insecure_host_x11: "
                                "the host X server, where the client can read the screen and "
                                "every keystroke (the system policy may forbid it)."),
    QT_TRANSLATE_NOOP("Schema", "Size of the isolated display's window (WIDTHxHEIGHT)."),
    QT_TRANSLATE_NOOP("Schema", "Whether the client's sound reaches the host's speakers "
                                "(through a sound server of the session's own; the microphone "
                                "is separate, off unless switched on)."),
    QT_TRANSLATE_NOOP("Schema", "Services the client may call on the session bus, through a "
                                "filtering proxy (org.freedesktop.Notifications); never "
                                "password stores nor the whole bus."),
    QT_TRANSLATE_NOOP("Schema", "Files written into the throwaway home before the client "
                                "starts, path below the home = content (Zoom's "
                                ".config/zoomus.conf settings)."),
    QT_TRANSLATE_NOOP("Schema", "Keep the client's sign-in between sessions: the sign-in paths "
                                "are saved encrypted at the end of a session (key in your "
                                "desktop's keyring) and put back into the next fresh home; "
                                "off, every session starts signed out."),
    QT_TRANSLATE_NOOP("Schema", "Files and folders below the home that hold the client's "
                                "sign-in (Zoom: .zoom/data, .config/zoomus.conf); never caches "
                                "or logs."),
    QT_TRANSLATE_NOOP("Schema", "The page a browser client opens when no link is given (empty: "
                                "a link is needed)."),
    QT_TRANSLATE_NOOP("Schema", "Accept a link to any https:// host and allow that host "
                                "(self-hosted Jitsi, BigBlueButton, Nextcloud Talk); off, the "
                                "link's host must be an allowed domain."),
    QT_TRANSLATE_NOOP("Schema", "Which of the host's browsers runs the meeting (client = "
                                "\"browser\"): chromium, firefox (Debian's firefox-esr), or "
                                "auto: Chromium if installed, else Firefox."),
    QT_TRANSLATE_NOOP("Schema", "Extra arguments for the browser, after the launcher's own "
                                "(fresh profile, no background networking, app mode)."),
)


def field_help(fld: Field) -> str:
    """The field's description in the user's language (English when not translated)."""
    return QCoreApplication.translate("Schema", fld.description)
