"""A browser's windows fill the isolated display (devices/fill.py), for real.

First the filler against a real X server (Xvfb with a cookie, as Xephyr is started):
which windows it fills and which it leaves, a screen that changes size, a client that
keeps moving its window. Then the whole path: a web profile's session on the test user's
Xvfb, its client's window at the nested screen's size, and again after the session's
host window was made larger (Xephyr ``-resizeable`` follows it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import user_environment

from sandbox_launcher.devices.fill import MAX_REFILLS, WindowFill
from sandbox_launcher.devices.x11_windows import open_display
from sandbox_launcher.devices.xauth import nested_cookie, new_cookie, wild_cookie

pytestmark = pytest.mark.integration


def _until(check: Callable[[], bool], what: str | Callable[[], str],
           timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what() if callable(what) else what
        time.sleep(0.05)


def _start(argv: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes],
                                                                           str]:
    """Start an X server with ``-displayfd``: it and its display name."""
    read, write = os.pipe()
    server = subprocess.Popen([argv[0], "-displayfd", str(write), *argv[1:]],
                              pass_fds=(write,), env=env, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as numbers:
        number = numbers.readline().strip()
    assert number, f"{argv[0]} did not start"
    return server, f":{number}"


@pytest.fixture
def xserver(tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    """A nested Xephyr (800x600, following its window's size) with a cookie, as a session
    starts it, on a private Xvfb: its name, its authority file and the Xvfb's name."""
    if shutil.which("Xvfb") is None or shutil.which("Xephyr") is None:
        pytest.skip("needs Xvfb and Xephyr (scripts/setup.sh --with-test-tools)")
    auth = tmp_path / "auth"
    auth.write_bytes(wild_cookie(0, new_cookie()).pack())  # any number: a wild entry
    host, host_name = _start(["Xvfb", "-nolisten", "tcp", "-screen", "0", "1280x800x24"])
    try:
        nested, name = _start(
            ["Xephyr", "-auth", str(auth), "-nolisten", "tcp", "-resizeable", "-screen",
             "800x600", "-title", "fill test"],
            env={"DISPLAY": host_name, "PATH": "/usr/bin:/bin"})
        try:
            yield name, auth, host_name
        finally:
            nested.terminate()
            nested.wait(10)
    finally:
        host.terminate()
        host.wait(10)


def _geometry(display: Any, window: Any) -> tuple[int, int, int, int]:
    display.sync()
    g = window.get_geometry()
    return int(g.x), int(g.y), int(g.width), int(g.height)


def test_main_windows_fill_the_screen_and_follow_it_dialogs_menus_notes_do_not(
        xserver: tuple[str, Path, str]) -> None:
    from Xlib import X, Xatom

    name, auth, host_name = xserver
    with open_display(name, nested_cookie(auth)) as client:
        root = client.screen().root

        def window(override: bool = False) -> Any:
            made = root.create_window(30, 40, 300, 200, 0, X.CopyFromParent,
                                      override_redirect=override)
            return made

        before = window()
        before.map()
        client.sync()
        fill = WindowFill.start(name, auth)
        try:
            _until(lambda: _geometry(client, before) == (0, 0, 800, 600),
                   "a window mapped before the filler started was not filled")
            main, dialog, menu, note = window(), window(), window(override=True), window()
            dialog.set_wm_transient_for(main)
            kind = client.intern_atom("_NET_WM_WINDOW_TYPE")
            note.change_property(kind, Xatom.ATOM, 32, [
                client.intern_atom("_NET_WM_WINDOW_TYPE_NOTIFICATION")])
            main.change_property(kind, Xatom.ATOM, 32, [
                client.intern_atom("_NET_WM_WINDOW_TYPE_NORMAL")])
            for w in (main, dialog, menu, note):
                w.map()
            _until(lambda: _geometry(client, main) == (0, 0, 800, 600),
                   "the main window was not filled")
            time.sleep(0.3)  # the filler had its chance at the others
            assert _geometry(client, dialog) == (30, 40, 300, 200)
            assert _geometry(client, menu) == (30, 40, 300, 200)
            assert _geometry(client, note) == (30, 40, 300, 200)
            assert {before.id, main.id} <= fill.filled
            assert not {dialog.id, menu.id, note.id} & fill.filled

            # The client moves its window away: put back, a few times, then let be.
            for _ in range(MAX_REFILLS):
                main.configure(x=10, y=10, width=200, height=100)
                _until(lambda: _geometry(client, main) == (0, 0, 800, 600),
                       "a moved main window was not put back")
            main.configure(x=10, y=10, width=200, height=100)
            time.sleep(0.3)
            assert _geometry(client, main) == (10, 10, 200, 100), "no fight with a client"

            # Xephyr's host window grows, and its screen with it: filled again.
            _resize(host_name, None, "fill test", 1024, 700)
            _until(lambda: _geometry(client, before) == (0, 0, 1024, 700),
                   "a filled window did not follow the screen's new size")
            assert fill.failed == ""
        finally:
            fill.stop()
        assert not fill._thread.is_alive() and fill.failed == ""


def test_a_web_profiles_window_fills_its_session_and_follows_the_host_window(
        spawn_launcher: Callable[..., subprocess.Popen[str]], user_profile: Any,
        launcher_user: Any, host_services: Any, user_tmp: Path,
        finish_launcher: Callable[..., tuple[int, str, str]]) -> None:
    from sandbox_launcher.devices.x11_windows import host_display

    if shutil.which("Xephyr") is None or shutil.which("xwininfo") is None:
        pytest.skip("needs Xephyr and xwininfo (scripts/setup.sh --with-test-tools)")
    env = host_services.session_env
    shared = user_tmp / "fill"
    shared.mkdir()
    if launcher_user.switch:
        os.chown(shared, launcher_user.uid, launcher_user.gid)
    user_profile("fillweb", "client = 'browser'\n[network]\nmode = 'none'\n"
                 "[devices]\ndisplay = 'isolated'\ndisplay_size = '640x480'\n")
    # The "browser": one xmessage window, 300x200, its geometry asked for until the
    # test says done; each answer is written where the test reads it.
    script = (
        "xmessage -geometry 300x200+20+20 BROWSER & "
        "while [ ! -e ~/Shared/done ]; do "
        "xwininfo -name xmessage 2>/dev/null | grep -E 'Width|Height' | tr -d ' ' "
        "| tr '\\n' ' ' > ~/Shared/size.tmp; mv ~/Shared/size.tmp ~/Shared/size; "
        "sleep 0.2; done")
    proc = spawn_launcher(["run", "fillweb", "--share", f"{shared}:rw", "--",
                           "/bin/sh", "-c", script], env_extra=env)

    def size() -> str:
        try:
            return (shared / "size").read_text().strip()
        except FileNotFoundError:
            return ""

    try:
        _until(lambda: size() == "Width:640 Height:480",
               lambda: f"the window was not filled: {size()!r}", timeout=60)
        # Make the session's host window larger, as a person drags its corner.
        _resize(*host_display(user_environment(launcher_user, env_extra=env)),
                "fillweb (sandboxed)", 800, 560)
        _until(lambda: size() == "Width:800 Height:560",
               lambda: f"the window did not follow the display: {size()!r}", timeout=30)
    finally:
        (shared / "done").touch()
        status, _stdout, stderr = finish_launcher(proc)
    assert status == 0, stderr


def _resize(display: str, cookie: bytes | None, title: str, width: int, height: int) -> None:
    """Resize the host window titled *title* as a person would, by its corner."""
    with open_display(display, cookie) as host:
        found = [w for w in _all_windows(host.screen().root) if w.get_wm_name() == title]
        assert found, f"no host window titled {title!r}"
        found[0].configure(width=width, height=height)
        host.sync()


def _all_windows(root: Any) -> Iterator[Any]:
    for child in root.query_tree().children:
        yield child
        yield from _all_windows(child)


# python-xlib leaves the sockets of a failed connect (unix, then TCP) to the collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_nested_server_that_is_gone_ends_the_filler_quietly(tmp_path: Path) -> None:
    auth = tmp_path / "auth"
    auth.write_bytes(wild_cookie(0, new_cookie()).pack())
    fill = WindowFill.start(":9999", auth)  # no such server
    _until(lambda: not fill._thread.is_alive(), "the filler did not end")
    assert "cannot be opened" in fill.failed
    fill.stop()  # and stopping it afterwards is harmless
