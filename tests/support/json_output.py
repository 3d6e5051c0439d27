"""The JSON objects a probe or a client prints among its other output lines.

The stand-ins and the hostile probe end with a JSON report line (some print progress
lines before it); the launcher's children print one object a line. Unit and integration
tests read them the same way.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any


def json_objects(text: str) -> list[dict[str, Any]]:
    """Every line of *text* that parses as a JSON object, in order; the rest is skipped."""
    found = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            value = json.loads(line)
            if isinstance(value, dict):
                found.append(value)
    return found


def last_json(stdout: str) -> dict[str, Any]:
    """The report: the last line of *stdout* that parses as a JSON object."""
    found = json_objects(stdout)
    if not found:
        raise AssertionError(f"no JSON object in stdout:\n{stdout}")
    return found[-1]
