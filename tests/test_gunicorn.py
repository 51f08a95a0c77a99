"""Production serving: gunicorn with the shipped config serves the app, and its responses name no
server software (issue 11, finding 11)."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_the_app_without_naming_itself(app):
    port = _free_port()
    env = dict(os.environ) | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": "g" * 40, "APP_ENV": "production", "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2", "GUNICORN_ACCESSLOG": "-",
    }
    env.pop("FLASK_DEBUG", None)
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "app:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        response = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/aanmelden", timeout=5)  # noqa: S310
                break
            except OSError:
                time.sleep(0.3)
        assert response is not None, "gunicorn started no server"
        assert response.status == 200 and 'lang="nl"' in response.read().decode()
        server_header = response.headers["Server"]
        assert server_header == "webserver"
        assert "gunicorn" not in str(response.headers).lower()
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "GET /aanmelden HTTP/1.1\" 200" in output  # the access log, one line per request
    assert "csrf" not in output.lower() and "session=" not in output
