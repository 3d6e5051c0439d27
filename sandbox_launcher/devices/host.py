"""The host side of one session's device grants: started before the sandbox, stopped after.

:meth:`HostDevices.start` runs the helpers (nested X server, the window mirror of a
shared window, D-Bus proxy, the session's sound server), opens the host's Wayland socket
and the share folder and makes the downloads folder, and says what the sandbox must see as neutral
:class:`Mount` / :class:`Link` values, which the backend turns into its own options.
:meth:`HostDevices.stop` stops the helpers, deals with the downloads and returns the
report's ``devices`` object with checks that nothing of them is left.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import paths
from ..core.check import Check
from ..core.devices import (
    DOWNLOADS_INSIDE,
    INSIDE_DISPLAY,
    INSIDE_WAYLAND,
    PORTAL,
    AudioGrant,
    DevicePlan,
)
from ..core.keeper import Keeper

# Each helper's module is imported by the grant that starts it: a session without a
# display or sound (`run generic`) never loads their code.
if TYPE_CHECKING:
    from .fill import WindowFill
    from .helper import Helper
    from .portal import RestoreTokens
    from .screen import ScreenMirror
    from .share_copy import ShareView
    from .sound import SoundServer
    from .usage import PortalWatch, Use


@dataclass(frozen=True)
class Mount:
    """A host path (or an open O_PATH fd) visible inside at *dest*."""

    dest: str
    src: str = ""
    fd: int = -1
    kind: str = "ro"  # ro, rw, or dev (a device node)


@dataclass(frozen=True)
class Link:
    """A symlink inside."""

    target: str
    dest: str


def _start_sound(grant: AudioGrant, workdir: Path, title: str) -> Keeper[SoundServer]:
    from .sound import SoundServer

    return Keeper("sound-keeper", lambda: SoundServer.start(grant, workdir, title))


def _stop_sound(sound: SoundServer) -> None:
    sound.stop()


@dataclass
class HostDevices:
    """The running device grants of one session."""

    plan: DevicePlan
    workdir: Path
    own_workdir: bool
    view: list[Mount | Link] = field(default_factory=list)
    helpers: list[Helper] = field(default_factory=list)
    fds: list[int] = field(default_factory=list)
    #: Files the nested X server makes on the host (its socket and lock).
    x_files: list[Path] = field(default_factory=list)
    sound: SoundServer | None = None
    mirror: ScreenMirror | None = None
    #: The portal's restore tokens before the session (screen sharing on Wayland).
    tokens: RestoreTokens | None = None
    #: The bus proxy's message log: when a portal screen cast runs.
    portal: PortalWatch | None = None
    #: How the share folder is seen: a snapshot copy, or bound (path visible).
    share: ShareView | None = None
    #: (inode, change time) of each of x_files as the server made them.
    x_made: list[tuple[int, int]] = field(default_factory=list)
    #: The host window title of the nested display (Xephyr), when there is one.
    nested_title: str = ""
    #: Keeps a browser's windows filling the nested display (DisplayGrant.fill).
    fill: WindowFill | None = None
    #: The window manager on the nested display (DisplayGrant.window_manager).
    window_manager: Helper | None = None
    #: The thread the sound server was started from (its processes die with it).
    _sound_keeper: Keeper[SoundServer] | None = None

    @classmethod
    def start(cls, plan: DevicePlan, runtime_inside: str, workdir: Path | None = None,
              title: str = "sandbox-launcher") -> HostDevices:
        """Set up every grant of *plan*; on failure, undo what was done and raise."""
        own = workdir is None
        base = Path(tempfile.mkdtemp(prefix="devices-", dir=paths.runtime_dir())) \
            if workdir is None else workdir
        devices = cls(plan, base, own)
        try:
            devices._start(runtime_inside, title)
        except BaseException:
            devices.stop()
            raise
        return devices

    def _start(self, runtime: str, title: str) -> None:
        plan = self.plan
        if plan.audio.enabled:
            # On a keeper thread while the display starts here: both wait for a server.
            self._sound_keeper = _start_sound(plan.audio, self.workdir, title)
        self._start_display(runtime, title)
        if plan.screen.mode == PORTAL:
            from .portal import RestoreTokens

            self.tokens = RestoreTokens.snapshot(plan.host_bus)
        if plan.bus_proxied:
            from .dbus_proxy import start_proxy
            from .usage import PortalWatch

            log_r, log_w = os.pipe2(os.O_CLOEXEC) if plan.screen.mode == PORTAL else (-1, -1)
            if log_r >= 0:
                self.portal = PortalWatch(log_r)  # stop() closes it
            try:
                helper, bus = start_proxy(plan.host_bus, plan.dbus_talk, self.workdir,
                                          screencast=plan.screen.mode == PORTAL,
                                          log_to=log_w if log_w >= 0 else None)
            finally:
                if log_w >= 0:
                    os.close(log_w)
            self.helpers.append(helper)
            self.view.append(Mount(f"{runtime}/bus", str(bus)))
        if self._sound_keeper is not None:
            self.sound = self._sound_keeper.result()
            self.view.append(Mount(f"{runtime}/pulse/native", str(self.sound.client_socket)))
        if plan.camera is not None:
            cam = plan.camera
            self.view.append(Mount(f"/dev/{cam.name}", cam.node, kind="dev"))
            if cam.sysfs:
                self.view += [Mount(cam.sysfs, cam.sysfs),
                              Link(cam.sysfs, f"/sys/class/video4linux/{cam.name}")]
        if plan.share is not None:
            from .share import open_share
            from .share_copy import share_view

            fd = open_share(plan.share)
            self.fds.append(fd)
            self.share = share_view(plan.share, fd, self.workdir)
            self.view.append(Mount(plan.share.inside, self.share.src, self.share.fd,
                                   kind="rw" if plan.share.writable else "ro"))
        if plan.downloads:
            downloads = self.workdir / "downloads"
            downloads.mkdir(mode=0o700)
            self.view.append(Mount(DOWNLOADS_INSIDE, str(downloads), kind="rw"))
        if self.window_manager is not None:
            # Last: it took over the screen while the rest started.
            from .window_manager import wait_ready

            wait_ready(self.window_manager, self.workdir)

    def _start_display(self, runtime: str, title: str) -> None:
        plan = self.plan
        if plan.display.wayland:
            from .wayland import open_socket

            fd = open_socket(plan.display.wayland)
            self.fds.append(fd)
            self.view.append(Mount(f"{runtime}/{INSIDE_WAYLAND}", fd=fd))
        elif plan.display.mode == "isolated":
            from .display import start_nested
            from .stale import remember_x_files

            helper, socket, auth = start_nested(plan.display, self.workdir, title)
            self.nested_title = title
            self.helpers.append(helper)
            number = socket.rpartition("/X")[2]
            self.x_files = [Path(socket), Path(f"/tmp/.X{number}-lock")]
            self.x_made = [_identity(p) for p in self.x_files]
            remember_x_files(self.workdir, helper.process.pid, *self.x_files)
            self._x11(socket, auth, runtime)
            if plan.display.fill:
                self._start_fill(f":{number}", auth)
            if plan.display.window_manager:
                from .window_manager import start_window_manager

                self.window_manager = start_window_manager(socket, auth, self.workdir)
                if self.window_manager is not None:
                    self.helpers.append(self.window_manager)
            if plan.screen.mode == "mirror":
                from .screen import ScreenMirror
                from .window_manager import wait_ready

                if self.window_manager is not None:  # its window is one openbox manages
                    wait_ready(self.window_manager, self.workdir)

                self.mirror = ScreenMirror.start(plan.screen, plan.display, f":{number}",
                                                 auth, self.workdir)
        elif plan.display.mode == "insecure_host_x11":
            from .display import host_x11

            self._x11(*host_x11(plan.display, self.workdir), runtime)

    def _start_fill(self, nested: str, auth: Path) -> None:
        """Keep the browser's windows filling the display, from a thread that connects by
        itself (the start does not wait for it)."""
        from .fill import WindowFill

        self.fill = WindowFill.start(nested, auth)

    def show_display(self, shown: bool, title: str = "") -> bool:
        """Map or unmap (hide) the nested display's host window, renamed *title* if given
        (a spare's display waits hidden); whether it has one that was found."""
        if not self.nested_title:
            return False
        from .display import show_nested

        found = show_nested(self.plan.display, self.nested_title, shown, title)
        self.nested_title = title or self.nested_title
        return found

    def _x11(self, socket: str, auth: Path, runtime: str) -> None:
        self.view += [Mount(f"/tmp/.X11-unix/X{INSIDE_DISPLAY}", socket),
                      Mount(f"{runtime}/Xauthority", str(auth))]

    def set_mic(self, muted: bool) -> bool:
        """Switch the microphone; returns whether it is muted now (always, without audio)."""
        return self.sound.set_mic(muted) if self.sound is not None else True

    @property
    def mic_switchable(self) -> bool:
        """Whether the microphone can be switched on in this session."""
        return self.sound is not None and self.sound.grant.mic_allowed and self.sound.alive

    def screen_fd(self) -> int | None:
        """Readable when the window mirror has news (the shared window closed), or the
        bus proxy logged a message (a portal screen cast may have started or ended)."""
        watch = self.mirror if self.mirror is not None else self.portal
        if watch is None or watch.eof:
            return None
        return watch.fileno()

    def screen_events(self) -> list[dict[str, Any]]:
        """Live ``screen`` events since the last call, and ``device`` events for a portal
        screen cast starting or ending."""
        if self.mirror is not None:
            return self.mirror.events()
        return self.portal.events() if self.portal is not None else []

    def usage(self, members: Callable[[], Iterable[int]]) -> dict[str, Use]:
        """Whether the camera is open and the microphone recorded, right now.

        *members*: the session's processes. Cheap enough for every live snapshot: the
        camera costs a look at the fds of the session's processes, the microphone one
        ``pactl`` while it is on (while muted it is not in use, whatever the client does).
        """
        from .usage import CAMERA, MICROPHONE, Use, camera_use

        found: dict[str, Use] = {}
        if self.plan.camera is not None:
            found[CAMERA] = camera_use(self.plan.camera, members)
        if self.mic_switchable and self.sound is not None:
            found[MICROPHONE] = Use(not self.sound.muted and self.sound.recording())
        return found

    def _x_files_left(self) -> list[str]:
        """Our nested server's socket and lock, if still there: the very files it made
        (inode and change time), not those of a server that took the number since (the
        next session's, a spare's, another user's)."""
        left = []
        for path, made in zip(self.x_files, self.x_made, strict=False):
            try:
                info = path.stat()
            except OSError:
                continue
            if (info.st_ino, info.st_ctime_ns) == made:
                left.append(str(path))
        return left

    def release_fds(self) -> None:
        """Close the Wayland socket's and the share's fds once the sandbox has its mounts."""
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.fds = []

    def stop(self) -> dict[str, Any]:
        """Stop helpers, collect downloads, remove files; the report's ``devices`` object."""
        self.release_fds()
        audio = self.sound.stop() if self.sound is not None else None
        self.sound = None
        if self._sound_keeper is not None:  # its thread ends once the server is stopped
            self._sound_keeper.close(_stop_sound)
            self._sound_keeper = None
        if self.fill is not None:
            self.fill.stop()
            self.fill = None
        # The mirror before the nested server, which it draws on.
        screen = self.mirror.stop() if self.mirror is not None else None
        self.mirror = None
        stopped = {h.name: h.stop() for h in self.helpers}
        if self.portal is not None:
            self.portal.close()
        # After the proxy: the client can store no more tokens.
        tokens = self.tokens.remove_new() if self.tokens is not None else None
        self.tokens = None
        if screen is not None:
            stopped["mirror"] = bool(screen.pop("mirror_stopped"))
        downloads = None
        if self.plan.downloads:
            from .pending import end_downloads

            # The session's state dir is named by its id, which names its held downloads.
            downloads = end_downloads(self.workdir / "downloads", self.plan, self.workdir.name)
        for name in ("Xauthority", "bus", "xephyr.log", "dbus-proxy.log", "pulseaudio.log",
                     "speakers-play.log", "microphone-record.log", "mirror.log", "x-files"):
            with contextlib.suppress(FileNotFoundError):
                (self.workdir / name).unlink()
        if self.own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        alive = [n for n, ok in stopped.items() if not ok]
        xephyr = next((h for h in self.helpers if h.name == "xephyr"), None)
        if xephyr is not None and xephyr.process.returncode == -signal.SIGKILL:
            # Killed, it could not remove its socket and lock; a clean exit did, and then
            # the number may already be another server's.
            for stale in self._x_files_left():  # ours only, not another server's since
                with contextlib.suppress(FileNotFoundError):
                    Path(stale).unlink()
        checks = [Check("device helpers stopped", not alive,
                        f"still running: {alive}" if alive else
                        f"stopped: {', '.join(stopped)}" if stopped else "none were started")]
        if self.x_files:
            left_x = self._x_files_left()
            checks.append(Check("nested X server gone", not left_x,
                                f"still there: {left_x}" if left_x else
                                f"{self.x_files[0]} removed"))
        if downloads is not None:
            left = (self.workdir / "downloads").exists()
            checks.append(Check("downloads folder removed", not left,
                                "still there" if left else
                                f"{len(downloads['files'])} file(s), "
                                + ("kept as asked" if downloads["kept_in"] else
                                   "held for the user's decision" if downloads.get("pending_in")
                                   else "discarded")))
        if self.share is not None:
            checks.append(self.share.remove())
        if audio is not None:
            checks += audio.pop("checks")
        if tokens is not None:
            checks.append(tokens)
        return {"helpers": sorted(stopped), "downloads": downloads, "audio": audio,
                "screen": screen, "checks": checks,
                **({"share": self.share.report()} if self.share is not None else {})}


def _identity(path: Path) -> tuple[int, int]:
    """A file's inode and change time: (0, 0) when it is not there."""
    try:
        info = path.stat()
    except OSError:
        return (0, 0)
    return (info.st_ino, info.st_ctime_ns)

