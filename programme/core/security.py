"""Response headers, sign-in requirement and session timeouts for every request."""
from datetime import UTC, datetime

from flask import Flask, g, redirect, request, session, url_for
from flask_login import current_user, logout_user

# Endpoints reachable without signing in.
PUBLIC_ENDPOINTS = {"accounts.login", "static"}

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register(app: Flask) -> None:
    @app.before_request
    def require_login_and_fresh_session():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        now = datetime.now(UTC).timestamp()
        last_seen = session.get("last_seen")
        started = session.get("started", now)
        idle = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
        lifetime = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
        if (last_seen and now - last_seen > idle) or now - started > lifetime:
            logout_user()
            session.clear()
            return redirect(url_for("accounts.login", expired=1))
        session["last_seen"] = now
        g.user = current_user
        return None

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure or app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            # Pages carry programme data: never keep them in a shared or browser cache.
            headers["Cache-Control"] = "no-store"
        return response
