"""A video stand-in that draws as Qt's xcb backing store and Chromium do: MIT-SHM by fd.

Run as ``python3 -c SOURCE`` (stdlib only: ctypes on the system's libxcb and
libxcb-shm, so the same program runs inside the sandbox and unconfined). It starts
``gst-launch-1.0 videotestsrc … ! fdsink`` (the same 1280x720 30 fps test pattern as
the ``ximagesink`` stand-in) and puts every frame it reads into a window on $DISPLAY
through a ``memfd`` attached with ``ShmAttachFd`` (MIT-SHM 1.2). A file descriptor
crosses IPC namespaces where a SysV segment id does not: this is the path a real
client keeps inside the sandbox, while ``ximagesink`` (SysV only) falls back to
``XPutImage`` over the socket there.

Two halves of one segment: the next frame is read into one while the X server may
still read the other; a round trip after each put says the server is done with it
(the order Qt keeps: it waits before it paints into a buffer it sent).
"""

import ctypes
import os
import signal
import subprocess
import sys

WIDTH, HEIGHT, FPS = 1280, 720, 30
FRAME = WIDTH * HEIGHT * 4  # BGRx: 32 bits a pixel, the depth-24 visual's layout
SOURCE = ["gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "pattern=ball", "!",
          f"video/x-raw,format=BGRx,width={WIDTH},height={HEIGHT},framerate={FPS}/1", "!",
          "fdsink", "fd=1", "sync=false"]
Z_PIXMAP = 2
WINDOW_CLASS_INPUT_OUTPUT = 1
CW_BACK_PIXEL = 0x2


class Screen(ctypes.Structure):
    """``xcb_screen_t`` up to the fields used here (the rest follows in memory)."""

    _fields_ = [("root", ctypes.c_uint32), ("default_colormap", ctypes.c_uint32),
                ("white_pixel", ctypes.c_uint32), ("black_pixel", ctypes.c_uint32),
                ("current_input_masks", ctypes.c_uint32),
                ("width_in_pixels", ctypes.c_uint16), ("height_in_pixels", ctypes.c_uint16),
                ("width_in_millimeters", ctypes.c_uint16),
                ("height_in_millimeters", ctypes.c_uint16),
                ("min_installed_maps", ctypes.c_uint16),
                ("max_installed_maps", ctypes.c_uint16), ("root_visual", ctypes.c_uint32),
                ("backing_stores", ctypes.c_uint8), ("save_unders", ctypes.c_uint8),
                ("root_depth", ctypes.c_uint8), ("allowed_depths_len", ctypes.c_uint8)]


class ScreenIterator(ctypes.Structure):
    """``xcb_screen_iterator_t``."""

    _fields_ = [("data", ctypes.POINTER(Screen)), ("rem", ctypes.c_int),
                ("index", ctypes.c_int)]


class ShmVersion(ctypes.Structure):
    """``xcb_shm_query_version_reply_t``."""

    _fields_ = [("response_type", ctypes.c_uint8), ("shared_pixmaps", ctypes.c_uint8),
                ("sequence", ctypes.c_uint16), ("length", ctypes.c_uint32),
                ("major_version", ctypes.c_uint16), ("minor_version", ctypes.c_uint16)]


def libraries() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    """libxcb and libxcb-shm with the signatures used here (cookies are one uint)."""
    xcb = ctypes.CDLL("libxcb.so.1")
    shm = ctypes.CDLL("libxcb-shm.so.0")
    u8, u16, u32, i16 = ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_int16
    ptr = ctypes.c_void_p
    xcb.xcb_connect.restype = ptr
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connection_has_error.argtypes = [ptr]
    xcb.xcb_get_setup.restype = ptr
    xcb.xcb_get_setup.argtypes = [ptr]
    xcb.xcb_setup_roots_iterator.restype = ScreenIterator
    xcb.xcb_setup_roots_iterator.argtypes = [ptr]
    xcb.xcb_generate_id.restype = u32
    xcb.xcb_generate_id.argtypes = [ptr]
    xcb.xcb_create_window.restype = u32
    xcb.xcb_create_window.argtypes = [ptr, u8, u32, u32, i16, i16, u16, u16, u16, u16, u32,
                                      u32, ctypes.POINTER(u32)]
    xcb.xcb_map_window.argtypes = [ptr, u32]
    xcb.xcb_create_gc.argtypes = [ptr, u32, u32, u32, ptr]
    xcb.xcb_get_input_focus.restype = u32
    xcb.xcb_get_input_focus.argtypes = [ptr]
    xcb.xcb_get_input_focus_reply.restype = ptr
    xcb.xcb_get_input_focus_reply.argtypes = [ptr, u32, ptr]
    xcb.xcb_flush.argtypes = [ptr]
    xcb.xcb_disconnect.argtypes = [ptr]
    shm.xcb_shm_query_version.restype = u32
    shm.xcb_shm_query_version.argtypes = [ptr]
    shm.xcb_shm_query_version_reply.restype = ctypes.POINTER(ShmVersion)
    shm.xcb_shm_query_version_reply.argtypes = [ptr, u32, ptr]
    shm.xcb_shm_attach_fd_checked.restype = u32
    shm.xcb_shm_attach_fd_checked.argtypes = [ptr, u32, ctypes.c_int, u8]
    shm.xcb_shm_put_image.restype = u32
    shm.xcb_shm_put_image.argtypes = [ptr, u32, u32, u16, u16, u16, u16, u16, u16, i16, i16,
                                      u8, u8, u8, u32, u32]
    xcb.xcb_request_check.restype = ptr
    xcb.xcb_request_check.argtypes = [ptr, u32]
    return xcb, shm


def round_trip(xcb: ctypes.CDLL, conn: int, cookie: int) -> None:
    """Wait for the reply to *cookie*: every request before it is done."""
    reply = xcb.xcb_get_input_focus_reply(conn, cookie, None)
    if not reply:
        raise SystemExit("meeting_xshm: the X server closed the connection")
    ctypes.CDLL(None).free(ctypes.c_void_p(reply))


def main() -> None:
    """Connect, attach a memfd, put frames from the test source until it ends."""
    # Terminated as the meeting client ends it: leave through ``finally`` (stop the source).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    xcb, shm = libraries()
    number = ctypes.c_int(0)
    conn = xcb.xcb_connect(None, ctypes.byref(number))
    if not conn or xcb.xcb_connection_has_error(conn):
        raise SystemExit("meeting_xshm: cannot open $DISPLAY")
    version = shm.xcb_shm_query_version_reply(conn, shm.xcb_shm_query_version(conn), None)
    if not version or (version.contents.major_version, version.contents.minor_version) < (1, 2):
        raise SystemExit("meeting_xshm: the X server has no MIT-SHM 1.2 (fd passing)")
    screen = xcb.xcb_setup_roots_iterator(xcb.xcb_get_setup(conn)).data.contents
    window, gc, seg = (xcb.xcb_generate_id(conn) for _ in range(3))
    black = (ctypes.c_uint32 * 1)(screen.black_pixel)
    xcb.xcb_create_window(conn, screen.root_depth, window, screen.root, 0, 0, WIDTH, HEIGHT,
                          0, WINDOW_CLASS_INPUT_OUTPUT, screen.root_visual, CW_BACK_PIXEL,
                          black)
    xcb.xcb_map_window(conn, window)
    xcb.xcb_create_gc(conn, gc, window, 0, None)
    memfd = os.memfd_create("meeting-video", os.MFD_CLOEXEC)
    os.ftruncate(memfd, 2 * FRAME)
    buffer = memoryview(__import__("mmap").mmap(memfd, 2 * FRAME))
    # libxcb closes the descriptor it sends: give it a copy, keep ours for the mapping.
    error = xcb.xcb_request_check(conn, shm.xcb_shm_attach_fd_checked(conn, seg,
                                                                      os.dup(memfd), 0))
    if error:
        raise SystemExit("meeting_xshm: ShmAttachFd refused")
    source = subprocess.Popen(SOURCE, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    assert source.stdout is not None
    frames = 0
    pending = None
    try:
        while True:
            half = frames % 2
            view = buffer[half * FRAME:(half + 1) * FRAME]
            got = 0
            while got < FRAME:
                n = os.readv(source.stdout.fileno(), [view[got:]])  # straight into the segment
                if not n:
                    return
                got += n
            if pending is not None:
                round_trip(xcb, conn, pending)  # the server is done with the other half
            shm.xcb_shm_put_image(conn, window, gc, WIDTH, HEIGHT, 0, 0, WIDTH, HEIGHT, 0, 0,
                                  screen.root_depth, Z_PIXMAP, 0, seg, half * FRAME)
            pending = xcb.xcb_get_input_focus(conn)
            xcb.xcb_flush(conn)
            frames += 1
    finally:
        source.terminate()
        source.wait()
        print(f"meeting_xshm: {frames} frames", file=sys.stderr)
        xcb.xcb_disconnect(conn)


if __name__ == "__main__":
    main()
