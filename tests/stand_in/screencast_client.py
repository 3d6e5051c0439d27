"""A stand-in conferencing client that shares the screen through the desktop portal.

Run inside the sandbox with Debian's python3 and python3-jeepney (the repository is not
there: the tests pass this file's text with ``python3 -c``). It does what a real client
does for "share screen" on a Wayland desktop:

    ScreenCast.CreateSession -> SelectSources -> Start -> OpenPipeWireRemote

waiting after each of the first three for the ``org.freedesktop.portal.Request.Response``
signal, then reports the streams (PipeWire node id, size) and the fd it received. With
``--frame FILE`` it hands that fd to ``gst-launch-1.0 pipewiresrc`` and keeps one raw
frame, so the test sees real pixels arrive. It also tries, and reports, what a hostile
client would: other portal interfaces, the Secret Service, and whether it has a PipeWire
socket of its own. Every outcome is one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import stat
import subprocess
import sys
from typing import Any

from jeepney import DBusAddress, MatchRule, MessageType, message_bus, new_method_call
from jeepney.io.blocking import DBusConnection, Proxy, open_dbus_connection
from jeepney.wrappers import DBusErrorResponse

PORTAL = DBusAddress("/org/freedesktop/portal/desktop",
                     bus_name="org.freedesktop.portal.Desktop",
                     interface="org.freedesktop.portal.ScreenCast")
TIMEOUT = 20.0
SOURCE_TYPES = {"monitor": 1, "window": 2}


def _token() -> str:
    return "sl" + secrets.token_hex(6)


def _values(options: dict[str, Any]) -> dict[str, Any]:
    """An ``a{sv}`` as jeepney gives it (``{key: (signature, value)}``), unwrapped."""
    return {key: value[1] for key, value in options.items()}


def _error(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, DBusErrorResponse):
        return {"error": exc.name, "message": str(exc.data[0]) if exc.data else ""}
    return {"error": type(exc).__name__, "message": str(exc)}


class Portal:
    """The request/response dance of the ScreenCast portal over one connection."""

    def __init__(self, conn: DBusConnection) -> None:
        self.conn = conn
        self.bus = Proxy(message_bus, conn, timeout=TIMEOUT)
        sender = conn.unique_name.lstrip(":").replace(".", "_")
        self.request_base = f"/org/freedesktop/portal/desktop/request/{sender}"

    def call(self, method: str, signature: str, *args: Any) -> Any:
        reply = self.conn.send_and_get_reply(
            new_method_call(PORTAL, method, signature, args), timeout=TIMEOUT)
        if reply.header.message_type == MessageType.error:
            raise DBusErrorResponse(reply)
        return reply

    def request(self, method: str, signature: str, *args: Any) -> dict[str, Any]:
        """Call a method that answers through a Request object; its Response's results."""
        token = _token()
        path = f"{self.request_base}/{token}"
        rule = MatchRule(type="signal", interface="org.freedesktop.portal.Request",
                         member="Response", path=path)
        self.bus.AddMatch(rule)
        options = args[-1]
        options["handle_token"] = ("s", token)
        with self.conn.filter(rule) as queue:
            reply = self.call(method, signature, *args)
            handle = reply.body[0]
            if handle != path:  # an older portal picks its own path
                raise RuntimeError(f"request handle {handle} is not {path}")
            signal = self.conn.recv_until_filtered(queue, timeout=TIMEOUT)
        response, results = signal.body
        if response != 0:
            raise RuntimeError(f"{method}: the portal answered {response} "
                               "(1: the user cancelled, 2: other error)")
        return dict(results)


def _version(conn: DBusConnection) -> Any:
    props = DBusAddress(PORTAL.object_path, bus_name=PORTAL.bus_name,
                        interface="org.freedesktop.DBus.Properties")
    reply = conn.send_and_get_reply(
        new_method_call(props, "Get", "ss", (PORTAL.interface, "version")), timeout=TIMEOUT)
    if reply.header.message_type == MessageType.error:
        raise DBusErrorResponse(reply)
    return reply.body[0][1]


def _frame(fd: int, node: int, out: str) -> dict[str, Any]:
    """One raw frame of *node* through the portal's PipeWire fd, and its colours.

    The stream properties say what a real client's say (a video capture of the screen):
    without ``media.type`` the session manager links the stream to nothing.
    """
    argv = ["gst-launch-1.0", "-q", "pipewiresrc", f"fd={fd}", f"path={node}",
            "stream-properties=props,media.type=Video,media.category=Capture,"
            "media.role=Screen", "num-buffers=1", "always-copy=true",
            "!", "video/x-raw,format=BGRx", "!", "filesink", f"location={out}"]
    try:
        done = subprocess.run(argv, pass_fds=(fd,), capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        return {**_error(exc), "stderr": (exc.stderr or b"")[-3000:].decode(errors="replace")}
    except OSError as exc:
        return _error(exc)
    data = b""
    if os.path.exists(out):
        with open(out, "rb") as fh:
            data = fh.read()
    pixels = len(data) // 4
    green = sum(1 for i in range(0, pixels * 4, 4)
                if data[i] < 32 and data[i + 1] > 223 and data[i + 2] < 32)  # B, G, R
    return {"status": done.returncode, "bytes": len(data), "pixels": pixels,
            "green": green, "stderr": done.stderr[-500:]}


def _other_calls(conn: DBusConnection) -> dict[str, Any]:
    """What must stay out of reach: other portal interfaces and the Secret Service."""
    tries = {
        "screenshot": (DBusAddress(PORTAL.object_path, bus_name=PORTAL.bus_name,
                                   interface="org.freedesktop.portal.Screenshot"),
                       "Screenshot", "sa{sv}", ("", {})),
        "remote_desktop": (DBusAddress(PORTAL.object_path, bus_name=PORTAL.bus_name,
                                       interface="org.freedesktop.portal.RemoteDesktop"),
                           "CreateSession", "a{sv}", ({},)),
        "secrets": (DBusAddress("/org/freedesktop/secrets", bus_name="org.freedesktop.secrets",
                                interface="org.freedesktop.Secret.Service"),
                    "SearchItems", "a{ss}", ({},)),
        "introspect_portal": (DBusAddress(PORTAL.object_path, bus_name=PORTAL.bus_name,
                                          interface="org.freedesktop.DBus.Introspectable"),
                              "Introspect", "", ()),
    }
    found: dict[str, Any] = {}
    for name, (address, method, signature, args) in tries.items():
        try:
            reply = conn.send_and_get_reply(new_method_call(address, method, signature, args),
                                            timeout=TIMEOUT)
        except Exception as exc:  # reported, whatever it is
            found[name] = _error(exc)
            continue
        if reply.header.message_type == MessageType.error:
            found[name] = _error(DBusErrorResponse(reply))
        else:
            found[name] = {"answered": True}
    return found


def _own_pipewire() -> bool:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    path = os.path.join(runtime, "pipewire-0")
    return bool(runtime) and os.path.exists(path) and stat.S_ISSOCK(os.stat(path).st_mode)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--types", choices=sorted(SOURCE_TYPES), default="monitor")
    parser.add_argument("--frame", help="keep one raw frame in this file")
    parser.add_argument("--persist", action="store_true",
                        help="ask for a restore token (persist_mode 2), as a client that "
                             "wants to share again later without the dialog would")
    args = parser.parse_args()
    result: dict[str, Any] = {"bus": os.environ.get("DBUS_SESSION_BUS_ADDRESS", ""),
                              "own_pipewire_socket": _own_pipewire(), "steps": {}}
    steps = result["steps"]
    try:
        conn = open_dbus_connection(bus="SESSION", enable_fds=True)
    except Exception as exc:  # reported in the JSON
        result["connect"] = _error(exc)
        print(json.dumps(result))
        return 0
    with conn:
        result["others"] = _other_calls(conn)
        try:
            result["version"] = _version(conn)
            steps["version"] = "ok"
            portal = Portal(conn)
            made = portal.request("CreateSession", "a{sv}",
                                  {"session_handle_token": ("s", _token())})
            session = made["session_handle"][1]
            steps["CreateSession"] = session
            select = {"types": ("u", SOURCE_TYPES[args.types]), "multiple": ("b", False),
                      "cursor_mode": ("u", 1)}
            if args.persist:
                select["persist_mode"] = ("u", 2)
            portal.request("SelectSources", "oa{sv}", session, select)
            steps["SelectSources"] = "ok"
            started = portal.request("Start", "osa{sv}", session, "", {})
            streams = [{"node": node, **_values(props)}
                       for node, props in started.get("streams", ("", []))[1]]
            steps["Start"] = "ok"
            result["streams"] = streams
            if "restore_token" in started:
                result["restore_token"] = started["restore_token"][1]
            reply = portal.call("OpenPipeWireRemote", "oa{sv}", session, {})
            fd = reply.body[0].to_raw_fd()
            info = os.fstat(fd)
            result["pipewire_fd"] = {"fd": fd, "socket": stat.S_ISSOCK(info.st_mode)}
            steps["OpenPipeWireRemote"] = "ok"
            if args.frame and streams:
                result["frame"] = _frame(fd, int(streams[0]["node"]), args.frame)
            os.close(fd)
            closer = DBusAddress(session, bus_name=PORTAL.bus_name,
                                 interface="org.freedesktop.portal.Session")
            conn.send_and_get_reply(new_method_call(closer, "Close"), timeout=TIMEOUT)
            steps["Close"] = "ok"
        except Exception as exc:  # the test reads where it stopped
            result["failed"] = _error(exc)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
