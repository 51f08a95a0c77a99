"""Tells Dutch messages from WTForms' English ones, for the input-limit sweeps over forms and pages.

Every message WTForms can say comes from its translation template, so a page or a message that still
carries one of them has fallen back to English.
"""
import re
from pathlib import Path

import wtforms


def _english_patterns() -> list[re.Pattern]:
    """Every message WTForms can say (its translation template), as a pattern: placeholders match anything."""
    pot = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    ids = re.findall(r'^msgid(?:_plural)? "(.+)"$', pot.read_text(encoding="utf-8"), re.M)
    patterns = [re.compile(re.sub(r"%(?:\\\(\w+\\\))?[sd]", ".*?", re.escape(m)).replace("'", "(?:'|&#39;)"))
                for m in ids]
    assert len(patterns) > 30  # the template was read
    return patterns


ENGLISH = _english_patterns()
DUTCH_WORDS = re.compile(r"\b(vul|kies|gebruik|tekens|moet|geldig|ongeldige?|een|het|de|van|niet|in)\b", re.I)


def assert_no_english(text_: str, where: str) -> None:
    found = [p.pattern for p in ENGLISH if p.search(text_)]
    assert not found, f"{where}: English WTForms text {found}"


def assert_dutch(message: str, where: str) -> None:
    assert_no_english(message, where)
    assert DUTCH_WORDS.search(message), f"{where}: not a Dutch message: {message!r}"
