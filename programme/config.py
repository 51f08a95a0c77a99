"""Settings: defaults here, secrets from the environment or the instance folder."""
import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """A required setting is missing or unsafe; the app refuses to start."""


def database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "programme.db")
    # Accept the common postgres:// forms and use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_secret_key(instance_path: str, production: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    if production:
        raise ConfigError(
            "SECRET_KEY ontbreekt: zet de omgevingsvariabele SECRET_KEY of maak instance/secret_key aan."
        )
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "yes", "ja", "on")


def mail_settings() -> dict:
    """SMTP for delivering reports. MAIL_USE_TLS is TLS from the first byte (port 465),
    MAIL_USE_STARTTLS upgrades a plain connection (port 587). No MAIL_SERVER: nothing is sent."""
    port_text = os.environ.get("MAIL_PORT", "").strip()
    use_tls = _flag("MAIL_USE_TLS")
    try:
        port = int(port_text) if port_text else (465 if use_tls else 25)
    except ValueError:
        raise ConfigError(f"MAIL_PORT moet een getal zijn, niet {port_text!r}.") from None
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "").strip(),
        "MAIL_PORT": port,
        "MAIL_USE_TLS": use_tls,
        "MAIL_USE_STARTTLS": _flag("MAIL_USE_STARTTLS"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", "").strip() or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "").strip() or "rapportages@sociale-veerkracht.localhost",
        "MAIL_TIMEOUT": 30,
    }


MIN_SECRET_KEY_BYTES = 32


def build_config(instance_path: str) -> dict:
    production = os.environ.get("APP_ENV", "development") == "production"
    secure = os.environ.get("HTTPS", "") == "1" or production
    return {
        "PRODUCTION": production,
        "SECRET_KEY": load_secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        # Behind HTTPS the __Host- prefix: the browser keeps the cookie only when it was set over HTTPS,
        # for this host alone (no Domain) and the whole site (Path=/), so no sibling domain can plant it.
        "SESSION_COOKIE_NAME": "__Host-session" if secure else "session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),  # absolute lifetime
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=30),
        "LOGIN_MAX_FAILURES": 10,
        "LOGIN_LOCK_DURATION": timedelta(minutes=15),
        # Failed sign-ins (any account) from one IP address within the window, before a 429.
        "LOGIN_IP_MAX_FAILURES": 20,
        "LOGIN_IP_WINDOW": timedelta(minutes=15),
        # Time between a right password and the TOTP code of an account with a second factor.
        "LOGIN_CODE_TIMEOUT": timedelta(minutes=5),
        "TOTP_ISSUER": "Sociale Veerkracht Noord-Brabant",
        "DEMO_ACCOUNTS": not production,
        "DISPLAY_TIMEZONE": "Europe/Amsterdam",
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        # Rate limits on expensive functions (core/rate_limits.py), per person: all exports and
        # downloads together, and uploads. Counted in the app's database unless a `limits` storage
        # URI is given (e.g. redis://127.0.0.1:6379/0, with the redis package installed).
        "RATE_LIMIT_EXPORTS": os.environ.get("RATE_LIMIT_EXPORTS", "").strip() or "30 per 10 minutes",
        "RATE_LIMIT_UPLOADS": os.environ.get("RATE_LIMIT_UPLOADS", "").strip() or "20 per 10 minutes",
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "").strip() or "appdb://",
        **mail_settings(),
    }


def check_production(config: dict, debug: bool) -> None:
    """Refuse to start a production app that is unsafe."""
    if not config.get("PRODUCTION"):
        return
    if debug:
        raise ConfigError("Productie start niet met debug aan (FLASK_DEBUG).")
    if not config.get("SECRET_KEY"):
        raise ConfigError("Productie start niet zonder SECRET_KEY.")
    if len(str(config["SECRET_KEY"]).encode()) < MIN_SECRET_KEY_BYTES:
        raise ConfigError(f"De SECRET_KEY is te kort: gebruik minstens {MIN_SECRET_KEY_BYTES} bytes, bijvoorbeeld "
                          "de uitvoer van: python -c 'import secrets; print(secrets.token_hex(32))'.")
