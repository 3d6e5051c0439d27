"""The committed profile reference is what the schema renders."""

from __future__ import annotations

from pathlib import Path

from sandbox_launcher.core import docs, policy_docs, schema
from sandbox_launcher.core.policy_schema import POLICY


def test_committed_reference_is_current() -> None:
    committed = Path(__file__).parents[2] / "docs" / "profiles.md"
    assert committed.read_text() == docs.render(), (
        "regenerate: python -m sandbox_launcher.core.docs > docs/profiles.md")


def test_every_key_is_documented() -> None:
    page = docs.render()
    assert all(f"`{field.key}`" in page for field in schema.FIELDS)
    assert "`ptrace`" in page and "TIOCSTI" in page


def test_committed_policy_reference_is_current() -> None:
    committed = Path(__file__).parents[2] / "docs" / "policy.md"
    assert committed.read_text() == policy_docs.render(), (
        "regenerate: python -m sandbox_launcher.core.policy_docs > docs/policy.md")


def test_every_policy_key_is_documented() -> None:
    page = policy_docs.render()
    assert all(f"`{field.key}`" in page for field in POLICY.fields)
    # Every profile key is lockable, so each has its lock row.
    assert all(f"`lock.{field.key}`" in page for field in schema.FIELDS)
