"""Pure parts of the network jail: name matching, ruleset, the report from counters."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox_launcher.core.plan import NetworkPlan
from sandbox_launcher.netjail import names, report, ruleset
from sandbox_launcher.netjail.geo import CountryDB


@pytest.mark.parametrize(("name", "pattern"), [
    ("zoom.us", "zoom.us"), ("ZOOM.us.", "zoom.us"), ("a.b.zoom.us", "*.zoom.us"),
    ("zoom.us.evil.example", None), ("evilzoom.us", None), ("", None), (".zoom.us", None),
])
def test_name_filter(name: str, pattern: str | None) -> None:
    assert names.NameFilter(("zoom.us", "*.zoom.us")).match(name) == pattern


def test_wildcard_alone_does_not_allow_the_apex() -> None:
    assert names.NameFilter(("*.zoom.us",)).match("zoom.us") is None


def test_upstream_servers_and_host_addresses(tmp_path: Path) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text("# x\nnameserver 198.51.100.53\nnameserver fe80::1%eth0\nnameserver bad\n")
    assert names.upstream_servers(conf) == ["198.51.100.53", "fe80::1"]
    trie = tmp_path / "fib_trie"
    trie.write_text("  |-- 192.0.2.2\n     /32 host LOCAL\n  |-- 192.0.2.255\n"
                    "     /32 link BROADCAST\n")
    inet6 = tmp_path / "if_inet6"
    inet6.write_text("fd000000000000000000000000000002 02 40 00 80 eth0\n")
    assert names.host_addresses(trie, inet6) == ["192.0.2.2", "fd00::2"]


def test_ruleset_blocks_always_and_opens_only_the_plan() -> None:
    plan = NetworkPlan("allowlist", ("zoom.us",), ("203.0.113.0/24",), ((443, 443),),
                       ((8801, 8810),))
    text = ruleset.render(plan, ["192.0.2.2", "fd00::2"])
    assert "policy drop;" in text and text.count("policy drop;") == 2
    assert "10.0.0.0/8" in text and "169.254.0.0/16" in text and "fc00::/7" in text
    assert "set host4 { type ipv4_addr; flags interval; elements = { 192.0.2.2/32 }; }" in text
    assert "elements = { 203.0.113.0/24 }" in text
    assert "set tcp_ok { type inet_service; flags interval; elements = { 443 }; }" in text
    assert "elements = { 8801-8810 }" in text
    # Nothing may come in but answers to the sandbox's own connections.
    input_chain = text[text.index("chain input"):]
    assert "accept" in input_chain and "dport" not in input_chain


def test_report_from_counters_names_the_rule_that_fired() -> None:
    def acct(name: str, ip: str, proto: str, port: int, packets: int) -> dict[str, object]:
        return {"set": {"name": name, "elem": [{"elem": {
            "val": {"concat": [ip, proto, port]},
            "counter": {"packets": packets, "bytes": packets * 60}}}]}}

    table = {"nftables": [
        acct("acct_out4", "198.51.100.10", "tcp", 443, 5),
        acct("acct_in4", "198.51.100.10", "tcp", 443, 4),
        acct("acct_always4", "192.168.77.5", "tcp", 80, 1),
        acct("acct_country4", "203.0.113.77", "tcp", 443, 1),
        acct("acct_unresolved4", "198.51.100.66", "tcp", 443, 1),
    ]}
    events = [
        {"type": "dns", "name": "zoom.us", "qtype": "A", "verdict": "allowed",
         "rule": "matches zoom.us", "answers": [
             {"ip": "198.51.100.10", "country": None, "allowed": True, "rule": "no rule"}]},
        {"type": "dns", "name": "far.zoom.us", "qtype": "A", "verdict": "allowed",
         "rule": "matches *.zoom.us", "answers": [
             {"ip": "203.0.113.77", "country": "KP", "allowed": False,
              "rule": "country KP is denied"}]},
        {"type": "dns", "name": "evil.example", "qtype": "A", "verdict": "refused",
         "rule": "not in the allowlist", "answers": []},
    ]
    geo = CountryDB({"203.0.113.0/24": "KP"})
    built = report.build(events, table, geo, {"mode": "allowlist"})
    by_ip = {c["ip"]: c for c in built["connections"]}
    allowed = by_ip["198.51.100.10"]
    assert allowed["verdict"] == "allowed" and allowed["name"] == "zoom.us"
    assert (allowed["packets_out"], allowed["packets_in"], allowed["bytes_in"]) == (5, 4, 240)
    assert by_ip["192.168.77.5"]["rule"] == "always blocked: private range"
    assert by_ip["203.0.113.77"]["country"] == "KP"
    assert "country KP is denied" in by_ip["203.0.113.77"]["rule"]
    assert by_ip["198.51.100.66"]["rule"].startswith("not resolved")
    assert [d["verdict"] for d in built["dns"]] == ["allowed", "allowed", "refused"]
    assert built["summary"] == {"hosts_contacted": 1, "countries": ["unknown"], "blocked": 3,
                                "dns_refused": 1}
    assert built["dataset"]["date"]
