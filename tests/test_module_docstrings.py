"""Every module of the application starts with one line that says what it is for (a summary line,
then a blank line before any more), so that a newcomer can read the package tree like a contents page."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "programme"
MODULES = sorted(path for path in ROOT.rglob("*.py") if "versions" not in path.parts)


def test_the_sweep_sees_the_application():
    assert len(MODULES) > 80 and ROOT / "core" / "operations.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_starts_with_one_line_saying_what_it_is_for(path):
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")), clean=False)
    assert doc, f"{path.relative_to(ROOT)} has no docstring"
    lines = doc.split("\n")
    assert lines[0].strip().endswith("."), f"the first line is not a sentence of its own: {lines[0]!r}"
    assert len(lines) == 1 or not lines[1].strip(), f"the summary runs on: {lines[:2]!r}"
