"""Fixtures the client-store unit tests share: signing keys and a store of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fake_vendor import SigningKey, make_key, stop_agent

from sandbox_launcher.clients.store import ClientStore


@pytest.fixture(scope="module")
def keypair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SigningKey, SigningKey]]:
    """The vendor's test key, and a stranger's (one pair per test module: gpg is slow)."""
    where = tmp_path_factory.mktemp("keys")
    vendor, stranger = make_key(where, "Test Vendor"), make_key(where, "Someone Else")
    yield vendor, stranger
    stop_agent(vendor)
    stop_agent(stranger)


@pytest.fixture
def no_user_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys the developer trusted (``client trust``) must not decide these tests."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def store(tmp_path: Path) -> ClientStore:
    """An empty client store in the test's own folder."""
    return ClientStore(tmp_path / "store")
