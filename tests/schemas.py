"""The JSON Schemas published in docs/, as validators (jsonschema from PyPI, a dev dependency);
shared by the unit and the integration tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

DOCS = Path(__file__).resolve().parents[1] / "docs"
DATA = Path(__file__).resolve().parent / "unit" / "data"


def validator(name: str) -> Draft202012Validator:
    """A validator for ``docs/NAME.schema.json`` (the schema itself checked first)."""
    schema = json.loads((DOCS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def problems(name: str, document: Any) -> list[str]:
    """Every way *document* breaks the schema, as ``path: message`` lines (empty: valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(name).iter_errors(document)]


def old_report(name: str) -> dict[str, Any]:
    """A report written before the typed report (``tests/unit/data/report-v1-NAME.json``)."""
    data: dict[str, Any] = json.loads((DATA / f"report-v1-{name}.json").read_text())
    return data
