"""benchmarks/run.py's RESULTS.md writer: a re-run replaces its sections and keeps the rest."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

RUN_PY = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"


def _runner() -> ModuleType:
    sys.path.insert(0, str(RUN_PY.parent))
    try:
        spec = importlib.util.spec_from_file_location("bench_run", RUN_PY)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_run"] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(RUN_PY.parent))


def test_a_rerun_replaces_its_section_and_keeps_the_others_in_order() -> None:
    run = _runner()
    before = ("# Benchmark results\n\n## VM suite\n\nold vm\n\n## Launch suite\n\nold launch\n"
              "\n## Load and fault runs\n\nsoak figures\n")
    results = io.StringIO(before)
    run.write_markdown(results, {"VM suite": ["new vm"]})
    text = results.getvalue()
    titles = [line for line in text.splitlines() if line.startswith("## ")]
    assert titles == ["## Launch suite", "## VM suite", "## Load and fault runs"]
    assert "new vm" in text and "old vm" not in text
    assert "old launch" in text and "soak figures" in text
