"""Writing a user profile as TOML (tomllib only reads): what the profile editor saves.

Only the keys that differ from what the profile would be without the user's file are
written, so a user file over a built-in keeps following the built-in's other keys.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import schema
from .errors import ProfileError


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_value(v)}"
                                for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def dump(values: Mapping[str, Any]) -> str:
    """Flat ``{"section.key": value}`` → TOML text with one table per section."""
    top = [f"{k} = {_value(v)}" for k, v in values.items() if "." not in k]
    lines = ["# Written by the sandbox-launcher profile editor.", *top]
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        section, _, name = key.rpartition(".")
        if section:
            sections.setdefault(section, []).append(f"{name} = {_value(value)}")
    for section, body in sections.items():
        lines += ["", f"[{section}]", *body]
    return "\n".join(lines) + "\n"


def changed_keys(values: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of *values* that differ from *base*, in schema order."""
    return {f.key: values[f.key] for f in schema.FIELDS
            if f.key in values and values[f.key] != base.get(f.key)}


def save(path: Path, values: Mapping[str, Any]) -> Path:
    """Validate and write atomically; a ProfileError (nothing written) if it is refused."""
    text = dump(values)
    try:
        schema.validate(tomllib.loads(text), path=str(path), text=text)
    except tomllib.TOMLDecodeError as exc:  # a bug in dump(), not the user's input
        raise ProfileError(f"could not be written as TOML: {exc}", path=str(path)) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
