"""Country lookup on the real offline dataset, policy overrides, and the country fence."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from sandbox_launcher.core.checks import check_country_code
from sandbox_launcher.core.errors import ProfileError
from sandbox_launcher.core.fence import CountryFence
from sandbox_launcher.netjail import geo
from sandbox_launcher.netjail.geo import CountryDB

# Blocks registered for decades to national research networks and universities; the
# registries will not move them to another country.
WELL_KNOWN = [
    ("130.225.0.1", "DK"),     # DeIC, the Danish research network
    ("193.174.0.1", "DE"),     # DFN, the German research network
    ("2001:638::1", "DE"),     # DFN's IPv6 block
    ("129.132.1.1", "CH"),     # ETH Zürich
    ("2001:620::1", "CH"),     # SWITCH, the Swiss research network
    ("133.11.0.1", "JP"),      # University of Tokyo
    ("128.232.0.1", "GB"),     # University of Cambridge
    ("2001:12f0::1", "BR"),    # RNP, the Brazilian research network
]

DOCUMENTATION = ["192.0.2.1", "198.51.100.7", "203.0.113.254", "2001:db8::1",
                 "2001:db8:ffff::1"]


@pytest.mark.parametrize(("ip", "country"), WELL_KNOWN)
def test_real_dataset_knows_long_standing_allocations(ip: str, country: str) -> None:
    assert CountryDB().lookup(ip) == country


@pytest.mark.parametrize("ip", [*DOCUMENTATION, "10.1.2.3", "127.0.0.1", "::1", "fe80::1",
                                "224.0.0.1", "100.64.0.1"])
def test_documentation_and_reserved_addresses_are_unknown(ip: str) -> None:
    assert CountryDB().lookup(ip) is None


def test_ipv4_mapped_ipv6_is_looked_up_as_ipv4() -> None:
    assert CountryDB().lookup("::ffff:193.174.0.1") == "DE"


@pytest.mark.parametrize("bad", ["", "zoom.us", "1.2.3", "300.1.1.1", "1.2.3.4/24"])
def test_lookup_of_something_not_an_address_raises(bad: str) -> None:
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        CountryDB().lookup(bad)


def test_dataset_names_itself_and_its_date() -> None:
    db = CountryDB()
    assert re.fullmatch(r"iptocc \d+\.\d+\.\d+ \(RIR delegated-extended statistics\)",
                        db.dataset)
    built = date.fromisoformat(db.dataset_date)
    assert date(2025, 1, 1) <= built <= datetime.now(UTC).date()


def test_registry_regions_are_not_countries(monkeypatch: pytest.MonkeyPatch) -> None:
    # The RIR files mark some blocks EU or AP; the fence speaks only of countries.
    answers = {"198.51.100.1": "EU", "198.51.100.2": "AP", "198.51.100.3": "FR"}
    fake = geo._Dataset(lookup=answers.get, name="fake", date="2026-01-01")
    monkeypatch.setattr(geo, "_load_dataset", lambda: fake)
    db = CountryDB()
    assert [db.lookup(ip) for ip in answers] == [None, None, "FR"]


def test_overrides_win_over_the_dataset() -> None:
    db = CountryDB({"193.174.0.0/16": "FR"})
    assert db.lookup("193.174.0.1") == "FR"
    assert db.lookup("193.175.0.1") == "DE"  # outside the override: the dataset answers


def test_most_specific_override_wins() -> None:
    db = CountryDB({
        "198.51.100.0/24": "DE",
        "198.51.100.128/25": "NL",
        "198.51.100.7/32": "AT",
        "2001:db8::/32": "SE",
        "2001:db8:1::/48": "NO",
    })
    assert db.lookup("198.51.100.1") == "DE"
    assert db.lookup("198.51.100.7") == "AT"
    assert db.lookup("198.51.100.200") == "NL"
    assert db.lookup("2001:db8:2::1") == "SE"
    assert db.lookup("2001:db8:1::1") == "NO"
    assert db.lookup("::ffff:198.51.100.200") == "NL"
    assert db.lookup("203.0.113.1") is None


def test_ipv4_override_does_not_leak_into_ipv6() -> None:
    # 0.0.0.0/8 and ::/8 share their integer range; the version must keep them apart.
    db = CountryDB({"0.0.0.0/8": "DE"})
    assert db.lookup("0.0.0.1") == "DE"
    assert db.lookup("::1") is None


@pytest.mark.parametrize(("overrides", "message"), [
    ({"198.51.100.1/24": "DE"}, "has host bits set"),
    ({"not-a-net": "DE"}, "is not a network"),
    ({"198.51.100.0/24": "de"}, "must be upper case"),
    ({"198.51.100.0/24": "EU"}, "not an ISO 3166-1 alpha-2"),
])
def test_bad_overrides_are_refused_naming_the_cidr(overrides: dict[str, str],
                                                  message: str) -> None:
    with pytest.raises(ProfileError, match=message) as info:
        CountryDB(overrides)
    assert info.value.key == next(iter(overrides))


@pytest.mark.parametrize("code", ["DE", "US", "JP", "CH", "AX"])
def test_real_country_codes_pass(code: str) -> None:
    assert check_country_code(code) is None


@pytest.mark.parametrize(("value", "message"), [
    ("de", "must be upper case: 'DE'"),
    ("DEU", "not a two-letter country code"),
    ("", "not a two-letter country code"),
    ("D1", "not a two-letter country code"),
    ("ÄB", "not a two-letter country code"),
    ("XX", "not an ISO 3166-1 alpha-2 country code"),
    ("EU", "not an ISO 3166-1 alpha-2 country code"),
    ("UK", "not an ISO 3166-1 alpha-2 country code"),  # the code is GB
    (49, "must be a string, not int"),
    (None, "must be a string, not NoneType"),
])
def test_bad_country_codes_are_explained(value: object, message: str) -> None:
    problem = check_country_code(value)
    assert problem is not None
    assert message in problem


def test_fence_without_rules_allows_everything() -> None:
    fence = CountryFence()
    assert fence.verdict("RU") == (True, "no country rule")
    assert fence.verdict(None) == (True, "no country rule")


def test_deny_blocks_only_the_denied_countries() -> None:
    fence = CountryFence(deny=frozenset({"CN", "RU"}))
    assert fence.verdict("CN") == (False, "country CN is denied")
    assert fence.verdict("DE") == (True, "no country rule")
    # Nothing says an unknown address is in a denied country.
    assert fence.verdict(None) == (True, "no country rule")


def test_allow_list_lets_only_its_countries_through() -> None:
    fence = CountryFence(allow=frozenset({"DE", "NL"}))
    assert fence.verdict("DE") == (True, "country DE is in the allowed list")
    assert fence.verdict("US") == (False, "country US is not in the allowed list")
    assert fence.verdict(None) == (False, "country unknown, and only DE, NL are allowed")


def test_deny_wins_over_allow() -> None:
    fence = CountryFence(allow=frozenset({"DE", "US"}), deny=frozenset({"US"}))
    assert fence.verdict("US") == (False, "country US is denied")
    assert fence.verdict("DE")[0] is True


def test_fence_refuses_invalid_codes() -> None:
    with pytest.raises(ValueError, match="denied countries list: country code 'ru' must be"):
        CountryFence(deny=frozenset({"ru"}))


def test_merge_adds_the_policy_deny_list() -> None:
    merged = CountryFence.merge(CountryFence(deny=frozenset({"CN"})),
                                CountryFence(deny=frozenset({"RU"})))
    assert merged.deny == {"CN", "RU"}
    assert not merged.restricted
    assert merged.verdict("RU") == (False, "country RU is denied")


def test_merge_intersects_allow_lists_so_a_profile_cannot_widen_the_policy() -> None:
    profile = CountryFence(allow=frozenset({"DE", "US"}))
    policy = CountryFence(allow=frozenset({"DE", "FR"}))
    merged = CountryFence.merge(profile, policy)
    assert merged.allow == {"DE"}
    assert merged.verdict("US") == (False, "country US is not in the allowed list")
    assert merged.verdict("FR") == (False, "country FR is not in the allowed list")
    assert merged.verdict("DE")[0] is True


def test_merge_keeps_a_one_sided_allow_list() -> None:
    policy_only = CountryFence.merge(CountryFence(), CountryFence(allow=frozenset({"DE"})))
    profile_only = CountryFence.merge(CountryFence(allow=frozenset({"NL"})), CountryFence())
    assert policy_only.allow == {"DE"}
    assert profile_only.allow == {"NL"}
    assert policy_only.verdict("NL")[0] is False
    assert profile_only.verdict("DE")[0] is False


def test_merge_of_disjoint_allow_lists_allows_nothing() -> None:
    merged = CountryFence.merge(CountryFence(allow=frozenset({"US"})),
                                CountryFence(allow=frozenset({"DE"})))
    assert merged.allow == frozenset()
    assert merged.restricted
    for country in ("US", "DE", None):
        allowed, rule = merged.verdict(country)
        assert allowed is False
        assert "no country is allowed" in rule


def test_policy_deny_beats_profile_allow() -> None:
    merged = CountryFence.merge(CountryFence(allow=frozenset({"DE", "CN"})),
                                CountryFence(deny=frozenset({"CN"})))
    assert merged.verdict("CN") == (False, "country CN is denied")
    assert merged.verdict("DE")[0] is True
