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


def test_the_audio_reasons_the_app_shows_are_marked_for_translation() -> None:
    """The launch panel shows devices.audio's reasons translated: the marked copies in
    ui/device_fields.py must stay the very strings the planner returns."""
    from sandbox_launcher.devices import audio

    tree = ast.parse((UI / "device_fields.py").read_text())
    marked = {node.args[1].value for node in ast.walk(tree)
              if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "QT_TRANSLATE_NOOP"
              and isinstance(node.args[1], ast.Constant)}
    assert {audio.NO_SOUND_SERVER, audio.NO_SOUND_PACKAGES, audio.NO_SPEAKERS} <= marked


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
