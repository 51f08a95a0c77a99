"""Roles are compared in one place only: programme/core/permissions.py (issue 9, "one home for permissions").

Every other module and every template asks that module (is_manager(user), user.is_manager,
users_with_role(User, OWNER), an object's can_* method) instead of comparing a role itself."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "programme" / "core" / "permissions.py"

# role == x, role != x, x == user.role, .role in ..., role in (...), role not in ..., role.in_(...)
ROLE_COMPARISON = re.compile(
    r"""\brole\s*[!=]=                 # role == ..., role != ...
      | [!=]=\s*[\w.]*\brole\b(?!_)    # ... == user.role
      | \.role\s+(?:not\s+)?in\b       # user.role in ..., user.role not in ...
      | \brole\s+(?:not\s+)?in\s*[(\[{]   # role in (...), role in [...]
      | \brole\s+not\s+in\b            # role not in ROLE_LABELS
      | \brole\.in_\(                  # User.role.in_(...)
    """, re.VERBOSE)


def _comparisons(paths) -> list[str]:
    found = []
    for path in paths:
        if path == HOME:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if ROLE_COMPARISON.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_the_pattern_finds_what_it_must():
    for line in ("if user.role == MANAGER:", "{% if current_user.role == 'manager' %}", "role != user.role",
                 "MANAGER == user.role", "if current_user.role in (MANAGER, OWNER):", "if role not in ROLE_LABELS:",
                 "{% if current_user.role in ['manager'] %}", "select(User).where(User.role.in_(roles))"):
        assert ROLE_COMPARISON.search(line), line
    for line in ("\"\"\"Users and their role in the programme.\"\"\"", "user.role_label", "role_labels == x"):
        assert not ROLE_COMPARISON.search(line), line


def test_no_role_comparison_outside_the_permissions_module_in_python():
    paths = sorted((ROOT / "programme").rglob("*.py"))
    assert HOME in paths and len(paths) > 50
    assert _comparisons(paths) == []


def test_no_role_comparison_in_templates():
    paths = sorted((ROOT / "templates").rglob("*.html")) + sorted((ROOT / "templates").rglob("*.txt"))
    assert len(paths) > 30
    assert _comparisons(paths) == []


def test_the_permissions_module_is_where_roles_are_compared():
    assert ROLE_COMPARISON.search(HOME.read_text(encoding="utf-8"))
