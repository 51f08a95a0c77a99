"""Password hashing (argon2id) and the password policy.

The policy: length, and screening against common, breached and Dutch passwords (zxcvbn) plus the
words of this context."""
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import matching, zxcvbn

hasher = PasswordHasher(type=Type.ID)

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn's score 4: at least 10^10 guesses for an attacker who tries common passwords, words, names,
# dates, keyboard patterns and their variants first. Below that a password counts as guessable.
MIN_SCORE = 4
# zxcvbn's cost grows with the length; past this, the rest of a long pass phrase adds only strength.
SCREENED_LENGTH = 64

CONTEXT_WORDS = ("brabant", "veerkracht", "provincie", "sociale", "wachtwoord", "password", "programma",
                 "noord-brabant", "gedeputeerde", "staten")
DATA = Path(__file__).with_name("data")


def _word_list(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@cache
def _load_dutch() -> None:
    """Teach zxcvbn Dutch once per process: the common Dutch password words first, then Dutch words
    by frequency. (zxcvbn ships English password, word and name lists only.)"""
    words = list(dict.fromkeys(_word_list("common-dutch-passwords.txt") + _word_list("dutch-words.txt")))
    matching.add_frequency_lists({"dutch": words})


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


# A fixed hash to verify against when the account does not exist or is locked, so timing does not tell.
DUMMY_HASH = hasher.hash("dummy-password-for-timing")


def is_guessable(password: str, context: list[str] | tuple[str, ...] = ()) -> bool:
    _load_dutch()
    result = zxcvbn(password[:SCREENED_LENGTH], user_inputs=[w for w in context if w])
    return result["score"] < MIN_SCORE


def password_problems(password: str, *, name: str = "", email: str = "") -> list[str]:
    """Dutch messages for everything wrong with a new password; empty when acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Gebruik minimaal {MIN_LENGTH} tekens.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Gebruik hoogstens {MAX_LENGTH} tekens.")
    lowered = password.lower()
    personal = [w for w in name.lower().split() if len(w) >= 3]
    if email:
        personal.append(email.split("@")[0].lower())
    if any(word and word in lowered for word in (*CONTEXT_WORDS, *personal)):
        problems.append("Gebruik geen woorden uit uw naam, e-mailadres of de naam van het programma.")
    elif len(password) >= MIN_LENGTH and is_guessable(password, (*CONTEXT_WORDS, *personal)):
        problems.append("Dit wachtwoord is te makkelijk te raden: het lijkt op een veelgebruikt of gelekt "
                        "wachtwoord, een woord met cijfers of een toetsenbordpatroon. Kies bijvoorbeeld "
                        "een zin van vier of meer losse woorden.")
    return problems
