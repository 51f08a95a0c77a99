"""Real parallel requests for the concurrency tests: four web workers as gunicorn -w 4 runs them
(four apps, each with its own engine, behind threaded HTTP servers on one database), and a small
browser-like HTTP client with its own cookies and the pages' CSRF tokens. PostgreSQL only: SQLite
(the single-user development default) makes parallel writers wait in turn, which tests nothing.

Test modules load the fixture with pytest_plugins = ["tests.http_workers"] and may import the rest;
PYTEST_DONT_REWRITE keeps pytest from warning that it can no longer rewrite the asserts here."""
import html
import http.client
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
from werkzeug.serving import make_server

from programme import create_app
from tests.conftest import PASSWORD, USERS

on_postgres = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                 reason="parallelle verzoeken worden op PostgreSQL getest (make test-postgres)")


@pytest.fixture(scope="module")
def workers(app):
    """Four web workers, as gunicorn -w 4 runs them: four apps, each with its own engine and connection
    pool, each behind a threaded HTTP server on the same database. Yields their base URLs."""
    servers, apps = [], []
    for _ in range(4):
        worker = create_app({
            "TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 0, "pool_timeout": 300},
        })
        server = make_server("127.0.0.1", 0, worker, threaded=True)
        threading.Thread(target=server.serve_forever, name="worker", daemon=True).start()
        servers.append(server)
        apps.append(worker)
    yield [f"http://127.0.0.1:{server.server_port}" for server in servers]
    for server, worker in zip(servers, apps, strict=True):
        server.shutdown()
        server.server_close()
        with worker.app_context():
            from programme.core.extensions import db

            db.engine.dispose()


@dataclass
class Response:
    status: int
    location: str
    body: str

    def field(self, name: str) -> str:
        """The value of a hidden input (csrf_token, version) on this page."""
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', self.body)
        assert match, f"no {name} on the page"
        return match.group(1)

    def flashes(self, category: str = "error") -> list[str]:
        return [html.unescape(text) for text in
                re.findall(rf'<p class="flash flash-{category}"[^>]*>(.*?)</p>', self.body, re.S)]


class Browser:
    """One user's browser: keeps its cookies, follows no redirects. A copy (for another worker) takes
    the cookies along, so that one session can send parallel requests, each from its own copy."""

    def __init__(self, base_url: str, cookies: dict | None = None):
        parts = urlsplit(base_url)
        self.base_url, self.host, self.port = base_url, parts.hostname, parts.port
        self.cookies = dict(cookies or {})

    def copy(self, base_url: str | None = None) -> "Browser":
        return Browser(base_url or self.base_url, self.cookies)

    def request(self, method: str, path: str, data: dict | None = None) -> Response:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            for key, value in response.getheaders():
                if key.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    cookie_value = rest.split(";", 1)[0]
                    if cookie_value and "max-age=0" not in value.lower():
                        self.cookies[name] = cookie_value
                    else:
                        self.cookies.pop(name, None)
            location = urlsplit(response.getheader("Location") or "").path
            return Response(response.status, location, text)
        finally:
            conn.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Response:
        return self.request("POST", path, data)

    def sign_in(self, role: str) -> "Browser":
        page = self.get("/aanmelden")
        response = self.post("/aanmelden", {"email": USERS[role][0], "password": PASSWORD,
                                            "csrf_token": page.field("csrf_token")})
        assert response.status == 302, response.body[:300]
        return self


def parallel(calls):
    """Run the calls at once (a barrier releases them together); their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
