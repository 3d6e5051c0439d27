"""What ``run`` prints on the terminal for a live event of its session (session/events.py)."""

from __future__ import annotations

from ..core.devices import PORTAL
from ..session.events import (
    BootStep,
    DeviceUse,
    Dns,
    HelperLost,
    Join,
    LinkAnswered,
    LinkAsked,
    LiveEvent,
    Mic,
    Screen,
)

_P = "sandbox-launcher: "
#: ``backends.base.BOOT_STEPS`` for the terminal (the app words them in ui/session_texts.py).
_STEPS = {"image": "checking the guest image", "pool": "taking a ready VM from the pool",
          "boot": "booting the VM", "home": "restoring the sign-in",
          "window": "opening its window", "client": "starting the client"}


def line(event: LiveEvent, *, verbose: bool, launcher_pid: int) -> str | None:
    """One line for *event*, or None when it is not worth a line (DNS unless verbose)."""
    match event:
        case Mic(muted=muted, error=error):
            why = f" ({error})" if error else ""
            return (f"{_P}microphone {'muted' if muted else 'ON'}{why}; switch it with "
                    f"kill -USR1 (on) / -USR2 (off) {launcher_pid}")
        case Screen(mode=mode) if mode == PORTAL:
            return (f"{_P}screen sharing through the desktop portal: the desktop asks you "
                    "what to share")
        case Screen(shared=True, title=title, window=window):
            return (f"{_P}sharing the window {title!r} (0x{window:x}): inside, the client can "
                    f"share the window 'Shared: {title}'")
        case Screen(reason=reason):
            return f"{_P}screen sharing ended: {reason}"
        case DeviceUse(device=device, in_use=True, assumed=assumed):
            why = f" (assumed: {assumed})" if assumed else ""
            return f"{_P}{device} in use{why}"
        case DeviceUse(device=device):
            return f"{_P}{device} not in use"
        case Join(service=service, host=host):
            return f"{_P}the client was handed a second link: a {service} meeting on {host}"
        case LinkAsked(ask=False, host=host):
            return f"{_P}the client asks to open an address on {host}"
        case LinkAnswered(answer=answer, host=host, by=by, reason=reason):
            where = f" on {host}" if host else ""
            why = f": {reason}" if reason else ""
            more = ("; the policy's links.open = \"allow\" opens addresses without asking"
                    if by == "nobody" else "")
            return f"{_P}the address{where} was {answer} (by {by}){why}{more}"
        case BootStep(step=step, at=at):
            return f"{_P}{_STEPS.get(step, step)}… ({at:.1f} s)"
        case HelperLost(effect=effect, status=status):
            return f"{_P}{effect}" + (f" ({status})" if status else "")
        case Dns() if verbose:
            return (f"{_P}dns {event.name} {event.qtype}: {event.verdict} ({event.rule}) "
                    f"{[a.ip for a in event.answers]}")
    return None
