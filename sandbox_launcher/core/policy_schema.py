"""The system policy's schema, derived from the profile schema.

Every profile field can be fixed by the administrator: ``[lock]`` sets its value
(``[lock] backend = "namespace"``, ``[lock.network] mode = "none"``). Where a set of
values or a ceiling is the natural limit, ``[allow]`` lists what a profile may choose
(choices such as ``backend`` or ``devices.display``; lists such as ``network.domains``,
whose items must then come from the administrator's list) and ``[max]`` caps a size.
The keys of the policy that came before the locks (``[network]`` countries and
overrides, ``[devices]`` allow_*) keep their meaning. Nothing here is hand-written per
profile key: a new profile field is lockable the moment it is in ``schema.FIELDS``.
"""

from __future__ import annotations

from typing import Any

from .checks import check_country_code
from .fields import Field, Schema, check_size
from .outbound import MODES, check_host_pattern
from .schema import FIELDS, NAME_RE, check_cidr

#: Where audit lines go when no journal runs and the policy names no file.
AUDIT_FILE = "/var/log/sandbox-launcher/audit.jsonl"
AUDIT_TARGETS = ("auto", "journal", "file")

#: Profile fields whose lists the policy can narrow to a set it allows (``[allow]``).
_LIST_ALLOWED = ("str_list",)


def _check_overrides(value: Any) -> str | None:
    for cidr, code in value.items():
        problem = check_cidr(cidr) or check_country_code(code)
        if problem:
            return problem
    return None


def _check_folder(value: Any) -> str | None:
    if not isinstance(value, str) or not value.startswith("/"):
        return f"{value!r} is not an absolute folder path such as /srv/secret"
    return None


def _check_profile_name(value: Any) -> str | None:
    if not isinstance(value, str) or not NAME_RE.match(value):
        return f"{value!r} is not a profile name (lower-case letters, digits, '-', '_')"
    return None


def _derived() -> list[Field]:
    """``lock.*``, ``allow.*`` and ``max.*`` for every profile field."""
    found: list[Field] = []
    for fld in FIELDS:
        found.append(Field(
            f"lock.{fld.key}", fld.kind, None, f"Lock: {fld.title}",
            f"Fixes the profile key `{fld.key}` for every profile and launch.",
            choices=fld.choices, check=fld.check, item_check=fld.item_check))
        if fld.kind == "choice":
            found.append(Field(
                f"allow.{fld.key}", "choice_list", None, f"Allowed: {fld.title}",
                f"Which values of `{fld.key}` a profile or launch may choose.",
                choices=fld.choices))
        elif fld.kind in _LIST_ALLOWED and fld.item_check is not None:
            found.append(Field(
                f"allow.{fld.key}", "str_list", None, f"Allowed: {fld.title}",
                f"The only items `{fld.key}` may hold; others are dropped with a note.",
                item_check=fld.item_check))
        elif fld.kind == "size":
            found.append(Field(
                f"max.{fld.key}", "size", None, f"At most: {fld.title}",
                f"Ceiling of `{fld.key}`; a larger value is lowered to it with a note.",
                check=check_size))
    return found


_DEVICE_SWITCHES = (
    ("allow_camera", "Camera allowed", "Whether a camera may be granted."),
    ("allow_share", "Share folder allowed", "Whether a share folder may be granted."),
    ("allow_host_x11", "Host X11 allowed",
     "Whether `devices.display = \"insecure_host_x11\"` may be used (false also locks the "
     "choice of display away from it)."),
    ("allow_dbus", "Session bus allowed",
     "Whether profiles may talk to session-bus services (false locks `devices.dbus_talk` "
     "to the empty list)."),
    ("allow_keep_downloads", "Downloads may be kept",
     "Whether downloads may be kept; false discards them all, and nobody is asked."),
    ("allow_mic", "Microphone allowed", "Whether the microphone may be switched on."),
    ("allow_screen_share", "Screen sharing allowed",
     "Whether a window or the screen may be shared."),
)

POLICY_FIELDS: tuple[Field, ...] = (
    Field("network.allow_countries", "str_list", [], "Allowed countries",
          "Only servers registered in these countries may be reached; intersects with "
          "what a profile allows.", item_check=check_country_code),
    Field("network.deny_countries", "str_list", [], "Denied countries",
          "Servers registered in these countries are always blocked; adds to what a "
          "profile denies.", item_check=check_country_code),
    Field("network.country_overrides", "str_map", {}, "Country overrides",
          "CIDR = country code: places ranges the registries do not know (or that IT "
          "wants treated differently). Only the policy may set these.",
          check=_check_overrides),
    Field("network.forbid_additions", "bool", False, "No network additions",
          "When true, user profiles cannot add names, networks, ports or vendor lists "
          "(those keys of theirs are ignored), `--network allowlist` cannot open a "
          "profile that has no network, and no link adds its host (`web.any_host` is "
          "locked to false)."),
    *(Field(f"devices.{key}", "bool", True, title, text)
      for key, title, text in _DEVICE_SWITCHES),
    Field("devices.forbid_share", "str_list", [], "Folders never shared",
          "Folders never shared, nor any folder in or above them.",
          item_check=_check_folder),
    Field("profiles.hide_user", "bool", False, "Hide user profiles",
          "When true, only the built-in profiles and the administrator's (from "
          "/etc/sandbox-launcher/profiles) exist; the user's own files are not read."),
    Field("profiles.only", "str_list", [], "Only these profiles",
          "When set, only these profiles exist (listed, launched, offered for links).",
          item_check=_check_profile_name),
    Field("audit.enabled", "bool", False, "Audit trail",
          "When true, one JSON line per session (docs/audit.schema.json): user, times, "
          "profile, backend, grants, destinations contacted, blocked counts, wipe verified; "
          "no content, no window titles, no link queries."),
    Field("audit.target", "choice", "auto", "Audit destination",
          "auto: the system journal when it runs, else the file; journal; file.",
          choices=AUDIT_TARGETS),
    Field("audit.file", "str", AUDIT_FILE, "Audit file",
          "Absolute path of the file audit lines are appended to.",
          check=lambda v: None if v.startswith("/") and "\0" not in v
          else f"{v!r} is not an absolute path"),
    Field("audit.meeting_ids", "bool", False, "Meeting IDs in the audit",
          "When true, audit lines name the meeting joined (its ID, never its passcode)."),
    Field("links.open", "choice", "ask", "Addresses a session opens",
          "What happens when a client asks to open an address outside its sandbox (sign-in "
          "with SSO, help pages): ask the user each time, allow (open it in the user's "
          "browser without asking) or deny (never).", choices=MODES),
    Field("links.allow_hosts", "str_list", [], "Hosts a session may open",
          "When set, only addresses on these hosts (`sso.example.com`, `*.example.com`) may "
          "be opened; others are refused without asking.", item_check=check_host_pattern),
    Field("links.deny_hosts", "str_list", [], "Hosts a session never opens",
          "Addresses on these hosts are always refused, whatever `links.open` says.",
          item_check=check_host_pattern),
    Field("vault.allow", "bool", True, "Remembered sign-in allowed",
          "When false, no profile may remember sign-in in an encrypted vault "
          "(`remember_signin` is refused; existing vaults are left alone)."),
    Field("vm.image", "str", "", "Mandatory VM image",
          "The guest image every VM session boots (`sandbox-launcher image list` names "
          "them); without it, the default image."),
    Field("vm.pool_size", "int", 0, "VM pool size",
          "How many paused VMs the desktop app keeps ready for VM sessions without network "
          "(0: none). Set here, it replaces the user's own setting; a laptop on battery "
          "keeps none.",
          check=lambda v: None if 0 <= v <= 16 else f"{v} is outside 0 … 16"),
    Field("sessions.spares", "bool", True, "Spare sessions allowed",
          "When false, the app keeps no spare namespace session ready for its most used "
          "profiles (a click then builds the whole sandbox; spares hold no network, but "
          "cost memory while they wait)."),
    *_derived(),
)

POLICY = Schema(POLICY_FIELDS, what="system policy")
