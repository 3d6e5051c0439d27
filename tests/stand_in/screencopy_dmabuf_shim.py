"""A Wayland pass-through that lets xdg-desktop-portal-wlr 0.7.0 cast without a GPU.

Why it exists: xdg-desktop-portal-wlr 0.7.0 refuses to start a cast unless the
compositor's screencopy frame announces a DMA-BUF format as well as a shared-memory one
(``start_screencast()``: "unable to receive a valid format from wlr_screencopy";
upstream emersion/xdg-desktop-portal-wlr#289, "pixman: not supported as a renderer with
screencast_version >= 3"; offering xdpw screencopy version 2 instead does not help:
tried). On a machine without a GPU (no ``/dev/dri``)
wlroots renders with pixman, which has no DMA-BUF, so sway never sends that event. This
shim adds one ``zwlr_screencopy_frame_v1.linux_dmabuf`` event (the shm buffer's format
and size) before each ``buffer_done``; xdpw has no GPU device to allocate DMA-BUFs with
and so negotiates shared memory with PipeWire, which is what sway then fills. Only xdpw's
own connection to the compositor goes through this shim; nothing of the sandbox, the
portal, PipeWire or the proxy does. A desktop with a GPU needs none of it.

Usage: ``python3 screencopy_dmabuf_shim.py LISTEN_PATH COMPOSITOR_SOCKET``. It prints
nothing, listens on LISTEN_PATH, and forwards every message (and the file descriptors
that travel with them: shm pools, keymaps) unchanged in both directions, but for that
one added event.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import sys
import threading

MANAGER = b"zwlr_screencopy_manager_v1\0"
MAX_FDS = 28  # libwayland's limit per message batch
#: wl_shm's two special codes; every other wl_shm format code is the DRM fourcc itself.
_SHM_TO_DRM = {0: 0x34325241, 1: 0x34325258}  # ARGB8888 "AR24", XRGB8888 "XR24"
# zwlr_screencopy_frame_v1 events, and the requests that make objects we follow.
_BUFFER, _LINUX_DMABUF, _BUFFER_DONE = 0, 5, 6


class Tracker:
    """The object ids of one connection that the rewrite needs (both pumps share it)."""

    def __init__(self) -> None:
        self.registries: set[int] = set()
        self.managers: set[int] = set()
        self.frames: dict[int, tuple[int, int, int] | None] = {}  # frame -> (fourcc, w, h)

    def request(self, message: bytes) -> None:
        """Follow client -> compositor: get_registry, bind(screencopy), capture_output."""
        obj, word = struct.unpack_from("=II", message)
        opcode = word & 0xFFFF
        if obj == 1 and opcode == 1:  # wl_display.get_registry(new_id)
            self.registries.add(struct.unpack_from("=I", message, 8)[0])
        elif obj in self.registries and opcode == 0:  # wl_registry.bind(name, iface, ver, id)
            length = struct.unpack_from("=I", message, 12)[0]
            if message[16:16 + length] == MANAGER:
                self.managers.add(struct.unpack_from("=I", message, len(message) - 4)[0])
        elif obj in self.managers and opcode in (0, 2):  # capture_output(_region)(new_id, …)
            self.frames[struct.unpack_from("=I", message, 8)[0]] = None

    def event(self, message: bytes) -> list[bytes]:
        """Pass compositor -> client on, adding ``linux_dmabuf`` before ``buffer_done``."""
        obj, word = struct.unpack_from("=II", message)
        opcode = word & 0xFFFF
        if obj not in self.frames:
            return [message]
        if opcode == _BUFFER:
            shm, width, height = struct.unpack_from("=III", message, 8)
            self.frames[obj] = (_SHM_TO_DRM.get(shm, shm), width, height)
        elif opcode == _LINUX_DMABUF:
            self.frames.pop(obj, None)  # a real one: nothing to add
        elif opcode == _BUFFER_DONE:
            info = self.frames.pop(obj, None)
            if info is not None:
                claim = struct.pack("=IIIII", obj, 20 << 16 | _LINUX_DMABUF, *info)
                return [claim, message]
        return [message]


def _messages(buffer: bytearray) -> list[bytes]:
    """Pop every complete Wayland message (object, size<<16|opcode, body) off *buffer*."""
    found = []
    while len(buffer) >= 8:
        size = struct.unpack_from("=I", buffer, 4)[0] >> 16
        if size < 8 or len(buffer) < size:
            break
        found.append(bytes(buffer[:size]))
        del buffer[:size]
    return found


def _pump(src: socket.socket, dst: socket.socket, tracker: Tracker, to_client: bool) -> None:
    buffer = bytearray()
    fds: list[int] = []
    try:
        while True:
            data, new_fds, _flags, _addr = socket.recv_fds(src, 65536, MAX_FDS)
            fds += new_fds
            if not data:
                break
            buffer += data
            out: list[bytes] = []
            for message in _messages(buffer):
                if to_client:
                    out += tracker.event(message)
                else:
                    tracker.request(message)
                    out.append(message)
            payload = b"".join(out)
            if not payload:
                continue  # fds wait for the bytes of their message
            sent = socket.send_fds(dst, [payload], fds) if fds else dst.send(payload)
            for fd in fds:
                os.close(fd)
            fds = []
            dst.sendall(payload[sent:])
    except OSError:
        pass
    finally:
        for fd in fds:
            os.close(fd)
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _serve(client: socket.socket, target: str) -> None:
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(target)
    except OSError:
        client.close()
        upstream.close()
        return
    tracker = Tracker()
    threads = [threading.Thread(target=_pump, args=(client, upstream, tracker, False)),
               threading.Thread(target=_pump, args=(upstream, client, tracker, True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.close()
    upstream.close()


def main() -> int:
    listen_path, target = sys.argv[1], sys.argv[2]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(listen_path)
    server.listen(8)
    while True:
        client, _ = server.accept()
        threading.Thread(target=_serve, args=(client, target), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
