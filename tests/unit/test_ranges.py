"""Vendor range lists: the packaged Zoom list, parsing, the user's copy, and refresh.

Refresh is exercised from local files and from an HTTP server on 127.0.0.1 only; a guard
fails any test that tries to open a connection anywhere else.
"""

from __future__ import annotations

import http.server
import io
import ipaddress
import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from sandbox_launcher.cli import ranges as ranges_cli
from sandbox_launcher.core.errors import UsageError
from sandbox_launcher.netjail import ranges
from sandbox_launcher.netjail.ranges import (
    RangeListError,
    RangeSet,
    load_ranges,
    parse_range_list,
    refresh,
)

ZOOM_URL = "https://assets.zoom.us/docs/ipranges/Zoom.txt"


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if anything under test connects to a non-loopback address."""
    real = socket.create_connection

    def guarded(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host = address[0]
        assert host in ("127.0.0.1", "localhost", "::1"), f"connection to {host} attempted"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)


@pytest.fixture(autouse=True)
def _private_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The user's copy goes under tmp_path, never into the real home."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
def packaged() -> RangeSet:
    return load_ranges("zoom", user_copy=Path("/nonexistent/zoom.json"))


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        if self.path == "/Zoom.txt":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)
        elif self.path == "/downgrade":
            # A redirect off this machine: the client must refuse it, not follow it.
            self.send_response(302)
            self.send_header("Location", "http://192.0.2.1/Zoom.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_error(404)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


# --- the packaged list ---------------------------------------------------------------

def test_packaged_zoom_list_is_dated_sourced_and_valid(packaged: RangeSet) -> None:
    assert packaged.origin == "packaged"
    assert packaged.source == ZOOM_URL
    assert date.fromisoformat(packaged.fetched) <= datetime.now(UTC).date()
    assert len(packaged.ranges) >= 20
    # Every entry survives the strict parser unchanged.
    assert parse_range_list("\n".join(packaged.ranges)) == list(packaged.ranges)
    # Zoom's own address block has been in its list for years.
    assert "170.114.0.0/16" in packaged.ranges
    assert all(net.is_global for net in packaged.networks())


def test_packaged_file_records_where_the_copy_came_from() -> None:
    from importlib import resources

    raw = json.loads((resources.files("sandbox_launcher") / "netjail" / "data" /
                      "zoom-ranges.json").read_text(encoding="utf-8"))
    assert "refresh zoom" in raw["note"]
    assert "github.com/" in raw["note"]


def test_unknown_vendor_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no published range list is known for 'skype'"):
        load_ranges("skype")
    with pytest.raises(UsageError):
        refresh("../../etc", "/dev/null")


# --- parsing -------------------------------------------------------------------------

def test_parse_skips_comments_and_blanks_and_normalises() -> None:
    text = ("# Zoom ranges\r\n"
            "\n"
            "170.114.0.0/16   # media\r\n"
            "   206.247.0.0/16\n"
            "2407:30C0:180::/48\n"
            "198.51.100.7\n"
            "170.114.0.0/16\n")
    assert parse_range_list(text) == ["170.114.0.0/16", "206.247.0.0/16",
                                      "2407:30c0:180::/48", "198.51.100.7/32"]


def test_parse_of_only_comments_is_empty() -> None:
    assert parse_range_list("# nothing here\n\n   \n") == []


@pytest.mark.parametrize(("text", "line", "why"), [
    ("170.114.0.0/16\n206.247.0.300/16\n", 2, "is not a network"),
    ("170.114.0.0/16\n\n170.114.0.1/16\n", 3, "has host bits set"),
    ("<html>Access denied</html>\n", 1, "is not a network"),
    ("0.0.0.0/0\n", 1, "too broad"),
    ("::/0\n", 1, "too broad"),
    ("# ok\n170.114.0.0/16\n192.168.1.0/24\n", 3, "private LAN"),
    ("10.0.0.0/8\n", 1, "private LAN"),
    ("127.0.0.0/8\n", 1, "loopback"),
    ("169.254.1.0/24\n", 1, "link-local"),
    ("fd12:3456::/32\n", 1, "ULA"),
    ("::ffff:0:0/96\n", 1, "IPv4-mapped"),
])
def test_parse_errors_name_the_line(text: str, line: int, why: str) -> None:
    with pytest.raises(RangeListError, match=f"^line {line}: .*{why}"):
        parse_range_list(text)


# --- the user's copy -----------------------------------------------------------------

def _write_copy(path: Path, fetched: str, ranges_: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"source": "file:///mirror/Zoom.txt", "fetched": fetched,
                                "ranges": ranges_}), encoding="utf-8")


def test_newer_user_copy_is_preferred(tmp_path: Path, packaged: RangeSet) -> None:
    copy = tmp_path / "zoom.json"
    _write_copy(copy, "2099-01-01", ["203.0.113.0/24"])
    got = load_ranges("zoom", user_copy=copy)
    assert got == RangeSet("file:///mirror/Zoom.txt", "2099-01-01", ("203.0.113.0/24",),
                           str(copy))


def test_older_user_copy_loses_to_the_packaged_list(tmp_path: Path, packaged: RangeSet) -> None:
    copy = tmp_path / "zoom.json"
    _write_copy(copy, "2000-01-01", ["203.0.113.0/24"])
    assert load_ranges("zoom", user_copy=copy) == packaged


@pytest.mark.parametrize("content", [
    "{not json",
    json.dumps({"source": "x", "fetched": "2099-01-01", "ranges": ["10.0.0.0/8"]}),
    json.dumps({"source": "x", "fetched": "yesterday", "ranges": ["203.0.113.0/24"]}),
    json.dumps({"source": "x", "fetched": "2099-01-01", "ranges": []}),
    json.dumps({"fetched": "2099-01-01", "ranges": ["203.0.113.0/24"]}),
])
def test_broken_user_copy_falls_back_to_packaged(tmp_path: Path, packaged: RangeSet,
                                                 content: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    copy = tmp_path / "zoom.json"
    copy.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="sandbox_launcher.netjail.ranges"):
        assert load_ranges("zoom", user_copy=copy) == packaged
    assert f"ignoring {copy}" in caplog.text


def test_default_user_copy_lives_in_the_user_data_dir(tmp_path: Path) -> None:
    expected = tmp_path / "xdg-data" / "sandbox-launcher" / "ranges" / "zoom.json"
    assert ranges.user_ranges_path("zoom") == expected


# --- refresh -------------------------------------------------------------------------

def test_refresh_from_a_local_file(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror" / "Zoom.txt"
    mirror.parent.mkdir()
    mirror.write_text("170.114.0.0/16\n206.247.0.0/16\n", encoding="utf-8")
    dest = tmp_path / "out" / "zoom.json"
    got = refresh("zoom", str(mirror), dest)
    assert got.ranges == ("170.114.0.0/16", "206.247.0.0/16")
    assert got.source == str(mirror)
    assert got.fetched == _today()
    assert got.origin == str(dest)
    saved = json.loads(dest.read_text(encoding="utf-8"))
    assert saved == {"source": str(mirror), "fetched": got.fetched,
                     "ranges": ["170.114.0.0/16", "206.247.0.0/16"]}
    assert load_ranges("zoom", user_copy=dest) == got
    # Written atomically: no temporary file is left beside it.
    assert [p.name for p in dest.parent.iterdir()] == ["zoom.json"]


def test_refresh_from_a_file_url(tmp_path: Path) -> None:
    mirror = tmp_path / "Zoom.txt"
    mirror.write_text("170.114.0.0/16\n", encoding="utf-8")
    got = refresh("zoom", mirror.as_uri(), tmp_path / "zoom.json")
    assert got.ranges == ("170.114.0.0/16",)


def test_refresh_defaults_to_the_user_data_dir(tmp_path: Path) -> None:
    mirror = tmp_path / "Zoom.txt"
    mirror.write_text("170.114.0.0/16\n", encoding="utf-8")
    got = refresh("zoom", str(mirror))
    assert Path(got.origin) == ranges.user_ranges_path("zoom")
    assert load_ranges("zoom") == got


@pytest.mark.parametrize(("content", "message"), [
    ("# Zoom\n\n", "holds no ranges"),
    ("170.114.0.0/16\n0.0.0.0/0\n", "line 2: "),
])
def test_failed_refresh_keeps_the_previous_copy(tmp_path: Path, content: str,
                                                message: str) -> None:
    dest = tmp_path / "zoom.json"
    _write_copy(dest, "2099-01-01", ["203.0.113.0/24"])
    before = dest.read_bytes()
    mirror = tmp_path / "Zoom.txt"
    mirror.write_text(content, encoding="utf-8")
    with pytest.raises(RangeListError, match=message):
        refresh("zoom", str(mirror), dest)
    assert dest.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Zoom.txt", "zoom.json"]


def test_refresh_from_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(RangeListError, match=r"cannot read .*nope\.txt"):
        refresh("zoom", str(tmp_path / "nope.txt"), tmp_path / "zoom.json")


def test_refresh_refuses_binary_files(tmp_path: Path) -> None:
    blob = tmp_path / "Zoom.txt"
    blob.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(RangeListError, match="not UTF-8 text"):
        refresh("zoom", str(blob), tmp_path / "zoom.json")


def test_refresh_over_http_on_loopback(tmp_path: Path,
                                       server: tuple[str, type[_Handler]]) -> None:
    base, handler = server
    handler.body = b"170.114.0.0/16\n2407:30c0:180::/48\n"
    url = f"{base}/Zoom.txt"
    got = refresh("zoom", url, tmp_path / "zoom.json")
    assert got.source == url
    assert got.ranges == ("170.114.0.0/16", "2407:30c0:180::/48")


def test_refresh_reports_http_errors(tmp_path: Path,
                                     server: tuple[str, type[_Handler]]) -> None:
    base, _ = server
    with pytest.raises(RangeListError, match="answered 404"):
        refresh("zoom", f"{base}/missing.txt", tmp_path / "zoom.json")
    assert not (tmp_path / "zoom.json").exists()


def test_refresh_refuses_a_redirect_off_loopback_over_http(
        tmp_path: Path, server: tuple[str, type[_Handler]]) -> None:
    base, _ = server
    with pytest.raises(RangeListError, match=re.escape("refusing to fetch http://192.0.2.1/Zoom.txt")):
        refresh("zoom", f"{base}/downgrade", tmp_path / "zoom.json")


@pytest.mark.parametrize("url", ["http://192.0.2.1/Zoom.txt", "http://zoom.example/Zoom.txt",
                                 "ftp://192.0.2.1/Zoom.txt", "https:///Zoom.txt"])
def test_refresh_refuses_plain_http_elsewhere_before_connecting(tmp_path: Path,
                                                                url: str) -> None:
    with pytest.raises(RangeListError, match="only https:// is allowed") as info:
        refresh("zoom", url, tmp_path / "zoom.json")
    assert "http://" in info.value.summary


def test_cli_prints_what_changed(tmp_path: Path, packaged: RangeSet) -> None:
    kept = list(packaged.ranges[2:])
    mirror = tmp_path / "Zoom.txt"
    mirror.write_text("\n".join([*kept, "203.0.113.0/24"]) + "\n", encoding="utf-8")
    out = io.StringIO()
    assert ranges_cli.main("zoom", str(mirror), out) == 0
    text = out.getvalue()
    assert f"zoom: {len(kept) + 1} ranges from {mirror} (fetched {_today()})" in text
    assert f"(packaged, {packaged.fetched}): 1 added, 2 removed" in text
    assert "  + 203.0.113.0/24" in text
    for gone in packaged.ranges[:2]:
        assert f"  - {gone}" in text
    assert f"saved to {ranges.user_ranges_path('zoom')}" in text
    # A second refresh compares with the user's copy now in use.
    out = io.StringIO()
    ranges_cli.main("zoom", str(mirror), out)
    assert f"(your previous copy, {_today()}): 0 added, 0 removed" in out.getvalue()


def test_networks_are_ip_network_objects(packaged: RangeSet) -> None:
    nets = packaged.networks()
    assert len(nets) == len(packaged.ranges)
    assert ipaddress.ip_network("170.114.0.0/16") in nets


def test_schema_knows_every_vendor_list() -> None:
    from sandbox_launcher.core import schema
    from sandbox_launcher.netjail import ranges

    assert set(schema.VENDORS) == set(ranges.VENDOR_SOURCES)
