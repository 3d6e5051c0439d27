"""The audio grant: speakers and a microphone switched from outside the sandbox.

Decided at plan time (pure): which host sound server to forward to (PulseAudio, or
PipeWire's pulse socket), whether the client's playback reaches it, and whether the
microphone may be switched on during the session and is on at the start.

How it runs (:mod:`.sound`): the client gets a PulseAudio server of its own, started by
the launcher, that knows nothing of the host's devices and cannot load modules. Its
microphone is a null sink's monitor: silence, unless the launcher runs the forwarder that
records the host's microphone into it. Muting stops that forwarder, so while muted no
sound of the microphone exists anywhere the client could reach, whatever it asks its own
server (``pactl set-source-mute 0`` unmutes silence).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping

from ..core.devices import AudioGrant

#: Why a session gets no sound, in words for a person: the app shows these translated
#: (ui/device_fields.py); `run` and `doctor` print them as they are.
NO_SOUND_SERVER = ("no sound system runs for your login (neither PulseAudio nor PipeWire "
                   "answers)")
NO_SOUND_PACKAGES = ("sound in meetings needs the packages pulseaudio and pulseaudio-utils, "
                     "which are not installed (ask whoever looks after this computer)")
NO_SPEAKERS = "this profile has no speakers, and the microphone was not asked for"

#: Host variables the forwarders need to reach the host's server (its cookie lives there).
_HOST_VARS = ("HOME", "XDG_RUNTIME_DIR", "PULSE_COOKIE")


def host_sound_server(host: Mapping[str, str]) -> str:
    """The host's sound server as ``unix:PATH``, or "" when there is none we can use.

    PULSE_SERVER first (only a local socket: a TCP server is another machine's), then
    ``$XDG_RUNTIME_DIR/pulse/native`` (PulseAudio, or PipeWire's pulse compatibility).
    """
    named = host.get("PULSE_SERVER", "").strip()
    if named:
        path = named.removeprefix("unix:")
        return f"unix:{path}" if os.path.isabs(path) and os.path.exists(path) else ""
    runtime = host.get("XDG_RUNTIME_DIR", "")
    socket = os.path.join(runtime, "pulse", "native") if runtime else ""
    return f"unix:{socket}" if socket and os.path.exists(socket) else ""


def plan_audio(speakers: bool, mic: bool | None, allow_mic: bool,
               host: Mapping[str, str]) -> tuple[AudioGrant, str | None]:
    """The grant, and why an explicit ``--mic`` cannot be had (None when it can).

    *mic*: True (``--mic``: on from the start), False (``--no-mic``: never in this
    session), None (muted, may be switched on from the app when the policy allows it).
    """
    server = host_sound_server(host)
    mic_allowed = allow_mic and mic is not False
    env = tuple((k, host[k]) for k in _HOST_VARS if host.get(k))
    if mic and not allow_mic:
        return AudioGrant(), "the system policy never grants the microphone"
    if not server:
        return AudioGrant(reason=NO_SOUND_SERVER), NO_SOUND_SERVER if mic else None
    mic_reason = ("" if mic_allowed else "--no-mic" if mic is False else
                  "the system policy never grants the microphone")
    missing = [p for p in ("pulseaudio", "pacat") if shutil.which(p, path=host.get("PATH"))
               is None]
    if missing:
        return AudioGrant(reason=NO_SOUND_PACKAGES), NO_SOUND_PACKAGES if mic else None
    if not speakers and not (mic and mic_allowed):
        return AudioGrant(reason=NO_SPEAKERS, mic_reason=mic_reason), None
    return AudioGrant(server, speakers, mic_allowed, bool(mic) and mic_allowed, env,
                      mic_reason=mic_reason), None
