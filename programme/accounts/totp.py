"""Time-based one-time codes (TOTP, RFC 6238): the second factor of an account (SECURITY.md 3)."""
import hmac
import re
import time

import pyotp
import segno
from flask import current_app

INTERVAL = 30  # seconds per time step, what authenticator apps use
# Codes of the previous and the next step are accepted too: clocks of phones drift.
VALID_WINDOW = 1
CODE = re.compile(r"\d{6}")


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, account_name: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, interval=INTERVAL).provisioning_uri(
        name=account_name, issuer_name=current_app.config["TOTP_ISSUER"])


def qr_code_data_uri(uri: str) -> str:
    """The QR code as an SVG data: URI (an <img>, allowed by the Content-Security-Policy)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def normalise(code: str | None) -> str:
    return re.sub(r"[\s-]", "", code or "")


def matching_step(secret: str, code: str | None, *, after: int | None = None,
                  now: float | None = None) -> int | None:
    """The time step whose code this is (within the window around now), else None. Steps at or
    before `after` (the last step used) are refused, so that a code works only once."""
    code = normalise(code)
    if not secret or not CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret, interval=INTERVAL)
    current = int((time.time() if now is None else now) // INTERVAL)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def current_code(secret: str, now: float | None = None) -> str:
    """The code an app shows at this moment (for tests and the command line)."""
    return pyotp.TOTP(secret, interval=INTERVAL).at(time.time() if now is None else now)
