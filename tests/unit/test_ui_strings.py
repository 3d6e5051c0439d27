"""The app's translatable field titles and the German catalogue stay current (no Qt)."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from sandbox_launcher.core import schema

UI = Path(__file__).resolve().parents[2] / "sandbox_launcher" / "ui"


def test_every_schema_title_is_marked_for_translation() -> None:
    marked = set(re.findall(r'QT_TRANSLATE_NOOP\("Schema", "([^"]+)"\)',
                            (UI / "fields.py").read_text()))
    assert {f.title for f in schema.FIELDS} <= marked


def test_german_catalogue_is_complete_and_compiled() -> None:
    ts = UI / "i18n" / "sandbox_launcher_de.ts"
    root = ET.parse(ts).getroot()
    untranslated = [m.findtext("source") for m in root.iter("message")
                    if m.find("translation") is None
                    or m.find("translation").get("type") in ("unfinished", "obsolete")
                    or not "".join(m.find("translation").itertext()).strip()]
    assert untranslated == []
    qm = ts.with_suffix(".qm")
    assert qm.is_file() and qm.stat().st_mtime >= ts.stat().st_mtime - 1


def test_the_built_in_profiles_texts_are_marked_for_translation() -> None:
    """ui/profile_text.py marks every built-in profile's title and description."""
    from sandbox_launcher.core.profile import load_profiles

    tree = ast.parse((UI / "profile_text.py").read_text())
    marked = {node.args[1].value for node in ast.walk(tree)
              if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "QT_TRANSLATE_NOOP"
              and isinstance(node.args[1], ast.Constant)}
    builtins = load_profiles(Path("/nonexistent/sandbox-launcher")).profiles.values()
    shipped = {text for p in builtins for text in (p.title, p["description"])}
    assert shipped == marked


def test_every_schema_description_is_marked_for_translation() -> None:
    """ui/field_help.py marks the schema's field descriptions (the fields' tooltips): the
    marked strings must stay exactly the schema's, or the tooltips fall back to English."""
    tree = ast.parse((UI / "field_help.py").read_text())
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "QT_TRANSLATE_NOOP"]
    assert all(isinstance(c.args[0], ast.Constant) and c.args[0].value == "Schema"
               and isinstance(c.args[1], ast.Constant) for c in calls)
    marked = {c.args[1].value for c in calls}
    assert marked == {f.description for f in schema.FIELDS}
