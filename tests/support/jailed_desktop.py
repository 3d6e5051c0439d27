"""A desktop session inside the network jail, as the integration tests set it up.

The profile: an allowlist to ``zoom.us:443`` (the fake internet's vendor), the nested
display and one name on the session bus, so one session has the jail, Xephyr and the bus
proxy. The bus names' owner: a small program on the user's session bus (outside the
jail) that owns Notifications and a fake Secret Service and answers ``Ping`` with
``pong``, so a client's call shows whether the proxy passed it. Stdlib only: the process
is started by whoever knows how to run it as the test user (``conftest_host``).
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator, Mapping, Sequence

JAILED_DESKTOP = """\
[network]
mode = "allowlist"
domains = ["zoom.us"]
ports = ["tcp/443"]

[devices]
display = "isolated"
display_size = "800x600"
dbus_talk = ["org.freedesktop.Notifications"]
"""

#: The names the owner takes: the first is granted by JAILED_DESKTOP, the second never.
BUS_NAMES = ("org.freedesktop.Notifications", "org.freedesktop.secrets")

#: Owns the names given as arguments; says "ready" once it does.
FAKE_BUS_OWNER = """
import sys
from gi.repository import Gio, GLib
node = Gio.DBusNodeInfo.new_for_xml(
    "<node><interface name='org.example.Fake'><method name='Ping'>"
    "<arg type='s' direction='out'/></method></interface></node>")
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
def call(conn, sender, path, iface, method, params, invocation):
    invocation.return_value(GLib.Variant("(s)", ("pong",)))
bus.register_object("/org/example", node.interfaces[0], call, None, None)
for name in sys.argv[1:]:
    bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                  "RequestName", GLib.Variant("(su)", (name, 4)), None, 0, -1, None)
print("ready", flush=True)
GLib.MainLoop().run()
"""


def owner_argv(python: str, names: Sequence[str] = BUS_NAMES) -> list[str]:
    """The owner's command line (to be run as the user, on the user's bus)."""
    return [python, "-c", FAKE_BUS_OWNER, *names]


@contextlib.contextmanager
def bus_names_owned(argv: Sequence[str], env: Mapping[str, str]
                    ) -> Iterator[subprocess.Popen[str]]:
    """Run the owner (*argv*, from :func:`owner_argv`) until the block ends."""
    owner = subprocess.Popen(list(argv), env=dict(env), stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == "ready", (
            "the fake bus owner did not start")
        yield owner
    finally:
        owner.kill()
        owner.wait(10)
        if owner.stdout is not None:
            owner.stdout.close()
