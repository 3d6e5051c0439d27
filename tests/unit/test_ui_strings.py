"""The app's translatable field titles and the German catalogue stay current (no Qt)."""

from __future__ import annotations

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
