"""Password hashing (argon2id) and the password policy."""
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

hasher = PasswordHasher(type=Type.ID)

MIN_LENGTH = 12
MAX_LENGTH = 128

# Passwords that are too common to allow, and words that belong to this context.
COMMON_PASSWORDS = {
    "123456789012", "1234567890123", "qwertyuiopas", "wachtwoord123", "wachtwoord1234",
    "welkom123456", "password1234", "passwordpassword", "iloveyou1234", "000000000000",
    "111111111111", "aaaaaaaaaaaa", "abcdefghijkl", "abc123456789", "letmein12345",
    "qwerty123456", "administrator", "zomer2024zomer", "welkomwelkom", "wachtwoordwachtwoord",
}
CONTEXT_WORDS = ("brabant", "veerkracht", "provincie", "sociale", "wachtwoord", "password")


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


# A fixed hash to verify against when the account does not exist, so timing does not tell.
DUMMY_HASH = hasher.hash("dummy-password-for-timing")


def password_problems(password: str, *, name: str = "", email: str = "") -> list[str]:
    """Dutch messages for everything wrong with a new password; empty when acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Gebruik minimaal {MIN_LENGTH} tekens.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Gebruik hoogstens {MAX_LENGTH} tekens.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        problems.append("Dit wachtwoord is te algemeen; kies een ander.")
    personal = [w for w in name.lower().split() if len(w) >= 3]
    if email:
        personal.append(email.split("@")[0].lower())
    for word in (*CONTEXT_WORDS, *personal):
        if word and word in lowered:
            problems.append("Gebruik geen woorden uit uw naam, e-mailadres of de naam van het programma.")
            break
    return problems
