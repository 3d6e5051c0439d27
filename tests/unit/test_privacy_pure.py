"""Pure parts of the sandbox's synthetic identity: pasta's options, IPv6, clock offsets."""

from __future__ import annotations

import re
import time
from pathlib import Path

from sandbox_launcher.backends.namespace import clock
from sandbox_launcher.netjail import identity

DEFAULT_V6 = ("00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
              "fd000000000000000000000000000001 00000400 00000001 00000000 00000003 eth0\n")
UNREACHABLE_V6 = ("00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
                  "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 lo\n")


def test_pasta_options_name_every_part_of_the_link() -> None:
    options = identity.NetIdentity().pasta_options(ipv6=False)
    pairs = dict(zip(options[::2], options[1::2], strict=True))
    assert pairs == {"--ns-ifname": "eth0", "--address": "10.0.2.15", "--netmask": "24",
                     "--gateway": "10.0.2.2", "--mac-addr": identity.GATEWAY_MAC}
    with_v6 = identity.NetIdentity().pasta_options(ipv6=True)
    assert with_v6[-4:] == ["--address", identity.ADDRESS6, "--gateway", identity.GATEWAY6]


def test_macs_are_locally_administered_unicast() -> None:
    for mac in (identity.GATEWAY_MAC, identity.guest_mac(), identity.guest_mac()):
        assert re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", mac)
        first = int(mac[:2], 16)
        assert first & 0x02 and not first & 0x01, mac
    assert identity.guest_mac() != identity.guest_mac()


def test_ipv6_only_with_a_default_route(tmp_path: Path) -> None:
    table = tmp_path / "ipv6_route"
    table.write_text(UNREACHABLE_V6)
    assert identity.host_has_ipv6(table) is False
    table.write_text(UNREACHABLE_V6 + DEFAULT_V6)
    assert identity.host_has_ipv6(table) is True
    assert identity.host_has_ipv6(tmp_path / "missing") is False


def test_clock_offsets_give_the_fresh_uptime_and_never_a_negative_clock() -> None:
    boottime, monotonic = clock.offsets(fresh_uptime=150)
    assert 149 <= time.clock_gettime(time.CLOCK_BOOTTIME) + boottime <= 152
    assert 149 <= time.clock_gettime(time.CLOCK_MONOTONIC) + monotonic <= 152
    for _ in range(20):
        boottime, _mono = clock.offsets()
        uptime = time.clock_gettime(time.CLOCK_BOOTTIME) + boottime
        assert clock.FRESH_UPTIME_SECONDS - 1 <= uptime <= 2 * clock.FRESH_UPTIME_SECONDS + 1


def test_clock_prefix_puts_bwrap_into_a_time_namespace(tmp_path: Path) -> None:
    own = tmp_path / "time"
    own.touch()
    outside = clock.prefix(in_jail=False, own=own)
    assert outside[0].endswith("/unshare") and outside[-1] == "--"
    assert outside[1:3] == ["--map-current-user", "--time"]
    assert outside[3] == "--boottime" and outside[5] == "--monotonic"
    inside_jail = clock.prefix(in_jail=True, own=own)
    assert "--map-current-user" not in inside_jail and "--time" in inside_jail
    # A kernel without time namespaces: the sandbox still starts (the README says so).
    assert clock.prefix(in_jail=False, own=tmp_path / "missing") == []
