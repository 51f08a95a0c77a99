"""`make audit` never reports a pass that checked nothing (issue 11, finding 11)."""
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit.py"
spec = importlib.util.spec_from_file_location("audit_script", SCRIPT)
audit_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_script)


def test_nothing_checked_is_said_and_not_a_pass():
    lines, code = audit_script.summarise([
        {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited: flask (3.1.3)"},
        {"name": "jinja2", "skip_reason": "Dependency not found on PyPI and could not be audited: jinja2 (3.1.6)"},
    ])
    text = "\n".join(lines)
    assert "NIET GECONTROLEERD: 2 van 2" in text and "GEEN UITSLAG" in text
    assert "0 met een bekende" not in text and code == 0


def test_a_known_vulnerability_fails():
    lines, code = audit_script.summarise([
        {"name": "flask", "version": "3.1.3", "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["3.1.4"]}]},
        {"name": "jinja2", "version": "3.1.6", "vulns": []},
    ])
    assert code == 1
    assert lines[0] == "pip-audit: KWETSBAAR flask 3.1.3: PYSEC-0000-1 (opgelost in: 3.1.4)"
    assert "2 van 2 pakketten gecontroleerd, 1 met een bekende kwetsbaarheid." in lines[1]


def test_a_partial_check_names_what_was_not_checked():
    lines, code = audit_script.summarise([
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "zopfli", "skip_reason": "Dependency not found on PyPI and could not be audited: zopfli (0.4.3)"},
    ])
    assert code == 0 and "1 van 2 pakketten gecontroleerd, 0 met" in lines[0]
    assert "NIET GECONTROLEERD: 1 van 2" in lines[1] and "GEEN UITSLAG" not in "\n".join(lines)
