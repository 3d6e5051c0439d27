"""Profile schema: validation names file, line and key; sizes, patterns, ports."""

from __future__ import annotations

import tomllib

import pytest

from sandbox_launcher.core import schema
from sandbox_launcher.core.errors import ProfileError


def _validate(text: str) -> dict[str, object]:
    return schema.validate(tomllib.loads(text), path="p.toml", text=text)


def test_valid_document_is_flattened() -> None:
    flat = _validate('title = "Z"\n[sandbox]\nhome_size = "2G"\nnested_userns = true\n')
    assert flat == {"title": "Z", "sandbox.home_size": "2G", "sandbox.nested_userns": True}


def test_unknown_key_names_file_line_and_key() -> None:
    with pytest.raises(ProfileError) as info:
        _validate('title = "Z"\n\n[sandbox]\nhome_size = "2G"\nhome_sise = "1G"\n')
    err = info.value
    assert (err.path, err.line, err.key) == ("p.toml", 5, "sandbox.home_sise")
    assert "unknown key" in err.summary and "p.toml:5" in err.summary
    assert "sandbox.home_size" in err.hint  # the known keys are listed


def test_wrong_type_says_what_was_expected() -> None:
    with pytest.raises(ProfileError) as info:
        _validate("[sandbox]\nnested_userns = \"yes\"\n")
    assert info.value.line == 2
    assert "expected true or false, got a string" in info.value.summary


def test_section_that_is_not_a_table() -> None:
    with pytest.raises(ProfileError, match=r"expected a table \[sandbox\]"):
        _validate('sandbox = "x"\n')


@pytest.mark.parametrize(("text", "size"), [("512M", 512 << 20), ("2G", 2 << 30),
                                            ("1.5G", int(1.5 * (1 << 30))), ("64MiB", 64 << 20),
                                            (16 << 20, 16 << 20)])
def test_parse_size(text: str | int, size: int) -> None:
    assert schema.parse_size(text) == size


@pytest.mark.parametrize("text", ["lots", "12T", "0", "100K", "-1M", "65G"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"size|outside"):
        schema.parse_size(text)


@pytest.mark.parametrize(("value", "ok"), [
    ("zoom.us", True), ("*.zoom.us", True), ("a-b.example.org", True),
    ("zoom", False), ("*zoom.us", False), ("*.*.zoom.us", False), ("Zoom.US", False),
    ("-a.example", False), ("zoom.us.", False), ("exa mple.com", False), ("ẕoom.us", False),
])
def test_domain_patterns(value: str, ok: bool) -> None:
    assert (schema.check_domain_pattern(value) is None) is ok


@pytest.mark.parametrize(("value", "ok"), [
    ("203.0.113.0/24", True), ("2001:db8::/32", True), ("203.0.113.1/24", False),
    ("300.0.0.0/8", False), ("zoom", False),
])
def test_cidrs(value: str, ok: bool) -> None:
    assert (schema.check_cidr(value) is None) is ok


@pytest.mark.parametrize(("value", "ok"), [
    ("tcp/443", True), ("udp/8801-8810", True), ("tcp/0", False), ("udp/10-5", False),
    ("sctp/1", False), ("tcp/70000", False), ("443", False),
])
def test_port_rules(value: str, ok: bool) -> None:
    assert (schema.check_port_rule(value) is None) is ok


def test_list_items_are_checked_with_the_key_named() -> None:
    with pytest.raises(ProfileError) as info:
        _validate('[network]\ndomains = ["zoom.us", "bad domain"]\n')
    assert info.value.key == "network.domains" and "bad domain" in info.value.summary


def test_reserved_environment_is_refused() -> None:
    with pytest.raises(ProfileError, match="DISPLAY hands the client a host resource"):
        _validate('[sandbox]\npass_env = ["DISPLAY"]\n')
    with pytest.raises(ProfileError, match="LD_PRELOAD"):
        _validate('[sandbox.env]\nLD_PRELOAD = "/tmp/x.so"\n')


def test_seccomp_allow_only_names_denied_calls() -> None:
    assert _validate('[sandbox]\nseccomp_allow = ["ptrace"]\n')
    with pytest.raises(ProfileError, match="not a system call the filter denies"):
        _validate('[sandbox]\nseccomp_allow = ["read"]\n')


def test_every_field_has_metadata_for_forms_and_docs() -> None:
    for field in schema.FIELDS:
        assert field.title and field.description.endswith(".")
        assert field.kind != "choice" or field.default in field.choices
    assert schema.defaults()["network.ports"] == ["tcp/443"]
    assert schema.defaults()["network.ports"] is not schema.defaults()["network.ports"]
