"""The schema machinery shared by profiles and the system policy.

A :class:`Field` says what a key means, its type, default and allowed values; a
:class:`Schema` is a set of fields that validates a parsed TOML document into flat
``{"section.key": value}``, refusing unknown keys and wrong types with the file, line
and key named. The profile schema (``schema.py``) and the policy schema
(``policy_schema.py``) are both made of these, so one validator, one docs renderer and
one set of error messages serve both.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ProfileError

Checker = Callable[[Any], "str | None"]

#: Every kind a field may have, with how a person reads it in the docs.
KINDS = ("str", "bool", "int", "size", "choice", "choice_list", "str_list", "str_map")


@dataclass(frozen=True)
class Field:
    """One key and everything a form, the docs and the validator need."""

    key: str  # dotted: "sandbox.home_size"
    kind: str  # one of KINDS
    default: Any
    title: str
    description: str
    choices: tuple[str, ...] = ()
    check: Checker | None = None  # returns an error message, or None when fine
    item_check: Checker | None = None  # for lists and maps: checks each item (key)
    #: The RunOptions attribute that overrides this key for one launch ("" = none): the
    #: app's launch panel offers exactly these, and the policy refuses them when locked.
    launch_option: str = ""

    @property
    def section(self) -> str:
        """The TOML table the key lives in ("" for top-level keys)."""
        return self.key.rpartition(".")[0]


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?\s*$", re.IGNORECASE)
_MIN_SIZE = 1 << 20
_MAX_SIZE = 64 << 30


def parse_size(text: str | int) -> int:
    """``"512M"`` → bytes. Raises ValueError with a reason a person understands."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        match = _SIZE_RE.match(str(text))
        if not match:
            raise ValueError(f"{text!r} is not a size such as 512M or 2G")
        value = int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    if not _MIN_SIZE <= value <= _MAX_SIZE:
        raise ValueError(f"{text!r} is outside 1M … 64G")
    return value


def check_size(value: Any) -> str | None:
    """Why *value* is not a size such as ``512M``, or None."""
    try:
        parse_size(value)
    except ValueError as exc:
        return str(exc)
    return None


def describe(value: Any) -> str:
    """``a string ('x')``: how a wrong value is named in an error."""
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
             list: "a list", dict: "a table"}
    return f"{names.get(type(value), type(value).__name__)} ({value!r:.40})"


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, str) for i in value)


def type_problem(fld: Field, value: Any) -> str | None:
    """Why *value* has the wrong type for *fld*, or None."""
    expected: tuple[str, Callable[[Any], bool]] = {
        "str": ("a string", lambda v: isinstance(v, str)),
        "bool": ("true or false", lambda v: isinstance(v, bool)),
        "int": ("a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool)),
        "size": ("a size such as \"512M\"",
                 lambda v: isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))),
        "choice": (" or ".join(repr(c) for c in fld.choices), lambda v: v in fld.choices),
        "choice_list": ("a list of " + ", ".join(repr(c) for c in fld.choices),
                        lambda v: _is_str_list(v) and all(i in fld.choices for i in v)),
        "str_list": ("a list of strings", _is_str_list),
        "str_map": ("a table of strings",
                    lambda v: isinstance(v, dict) and all(isinstance(i, str) for i in v.values())),
    }[fld.kind]
    if not expected[1](value):
        return f"expected {expected[0]}, got {describe(value)}"
    return None


def locate_keys(text: str) -> dict[str, int]:
    """Map dotted keys to the line that sets them (tomllib keeps no positions)."""
    lines: dict[str, int] = {}
    table = ""
    key_re = re.compile(r"""^\s*("?)([A-Za-z0-9_.-]+)\1\s*=""")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("["):
            table = line.strip("[] ").replace('"', "")
            lines.setdefault(table, number)
            continue
        match = key_re.match(line)
        if match:
            key = f"{table}.{match.group(2)}" if table else match.group(2)
            lines.setdefault(key, number)
    return lines


_TOML_POS_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_toml(text: str, *, path: str, hint: str) -> dict[str, Any]:
    """``tomllib.loads`` whose syntax error names the file and line (a ProfileError)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        pos = _TOML_POS_RE.search(str(exc))
        # tomllib says "(at end of document)" for an unterminated construct: that is the
        # last line, which is where an editor should put the cursor.
        line = int(pos.group(1)) if pos else max(1, len(text.splitlines()))
        message = _TOML_POS_RE.sub("", str(exc)).replace("(at end of document)", "")
        raise ProfileError(f"is not valid TOML: {message.strip()}", hint, path=path,
                           line=line) from exc


def copy_default(value: Any) -> Any:
    """A default that is safe to mutate."""
    return list(value) if isinstance(value, list) else (
        dict(value) if isinstance(value, dict) else value)


class Schema:
    """A set of fields: validates documents, fills defaults, checks single values."""

    def __init__(self, fields: Iterable[Field], *, what: str) -> None:
        self.fields = tuple(fields)
        self.by_key = {f.key: f for f in self.fields}
        self.what = what  # "profile", "system policy": used in messages
        sections: set[str] = set()
        for fld in self.fields:
            parts = fld.key.split(".")[:-1]
            sections.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
        self.sections = frozenset(sections)

    def check_value(self, key: str, value: Any) -> str | None:
        """Why *value* is not acceptable for *key*, or None: one field, as an editor checks it."""
        fld = self.by_key[key]
        problem = type_problem(fld, value) or (fld.check(value) if fld.check else None)
        if problem is None and fld.item_check:
            problem = next(filter(None, (fld.item_check(i) for i in value)), None)
        return problem

    def flatten(self, doc: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
        """``(dotted key, value)`` for every value *doc* sets; tables of known sections
        are descended into (a table that is a value, such as ``sandbox.env``, is not)."""
        for name, value in doc.items():
            key = f"{prefix}{name}"
            if key in self.sections and isinstance(value, dict):
                yield from self.flatten(value, f"{key}.")
            else:
                yield key, value

    def problems(self, doc: Mapping[str, Any], *, path: str, text: str,
                 hint: str = "") -> tuple[dict[str, Any], list[ProfileError]]:
        """The keys *doc* sets, flattened, and every problem found (file, line, key)."""
        where = locate_keys(text)
        flat: dict[str, Any] = {}
        found: list[ProfileError] = []

        def fail(key: str, message: str, why: str) -> None:
            found.append(ProfileError(message, hint or why, path=path,
                                      line=where.get(key), key=key))

        for key, value in self.flatten(doc):
            fld = self.by_key.get(key)
            if key in self.sections:
                fail(key, f"expected a table [{key}], got {describe(value)}",
                     f"write it as a [{key}] section")
            elif fld is None:
                known = ", ".join(sorted(self.by_key))
                close = difflib.get_close_matches(key, self.by_key, n=1)
                guess = f" (did you mean {close[0]!r}?)" if close else ""
                fail(key, f"unknown key {key!r} in the {self.what}{guess}",
                     f"known keys are: {known}")
            elif problem := self.check_value(key, value):
                fail(key, problem, fld.description)
            else:
                flat[key] = value
        return flat, found

    def validate(self, doc: Mapping[str, Any], *, path: str, text: str,
                 hint: str = "") -> dict[str, Any]:
        """Check *doc*; return only the keys it sets, flattened.

        Raises :class:`ProfileError` naming file, line and key on the first problem.
        """
        flat, found = self.problems(doc, path=path, text=text, hint=hint)
        if found:
            raise found[0]
        return flat

    def defaults(self) -> dict[str, Any]:
        """Every key with its default value (copies, safe to mutate)."""
        return {f.key: copy_default(f.default) for f in self.fields}
