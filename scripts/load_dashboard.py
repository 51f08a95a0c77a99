"""Load check: does building reports slow the web down? (issue 11, finding 9)

Serves the app on loopback with a multi-worker server (gunicorn when installed, else Werkzeug's
threaded server), signs in as a manager and times the dashboard:
  1. idle: N requests, nothing else running;
  2. while two GS reports build: the real `flask scheduler` process builds them (in its niced
     child processes) and the script keeps two builds queued or running for the whole window.
Prints p50/p95 of both and the ratio loaded/idle (goal: p95 ratio at most 1.5).

Bounded: loopback only, at most --requests requests per phase and --seconds per phase, every
process it starts is stopped at the end. Run with `make bench`; not a test (the figure depends on
what else the machine is doing).
"""
import argparse
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"  # loopback only, by design
EMAIL = "load-manager@bench.example"
PERIODS = ("2026-K1", "2026-K2", "2026-K3")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def env_for(instance: Path, database_url: str) -> dict:
    env = dict(os.environ)
    env.update({"INSTANCE_PATH": str(instance), "DATABASE_URL": database_url, "APP_ENV": "development",
                "SECRET_KEY": "load-" + "x" * 40, "FLASK_APP": "app.py", "PYTHONUNBUFFERED": "1"})
    env.pop("FLASK_DEBUG", None)
    return env


def app_for(env: dict):
    os.environ.update({key: env[key] for key in ("INSTANCE_PATH", "DATABASE_URL", "APP_ENV", "SECRET_KEY")})
    from programme import create_app

    return create_app()


def prepare(app, password: str) -> None:
    """Migrate, seed, and a manager to sign in with."""
    from flask_migrate import upgrade

    from programme.accounts.operations import create_user, find_user
    from programme.core.extensions import db
    from programme.seed.loader import seed_all

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed_all()
        if find_user(EMAIL) is None:
            create_user(EMAIL, "Belasting Manager", "manager", password)
        db.session.commit()


def queue_build(app, period_code: str) -> int:
    from programme.accounts.operations import find_user
    from programme.core.extensions import db
    from programme.reports.operations import request_report
    from programme.reports.kinds import GS_QUARTERLY
    from programme.reports.spans import parse_span

    with app.app_context():
        period = parse_span(period_code)
        build = request_report(GS_QUARTERLY, period, user=find_user(EMAIL), today=period.ends_on + timedelta(days=1))
        db.session.commit()
        return build.id


def build_states(app, ids: list[int]) -> dict[int, tuple]:
    from sqlalchemy import select

    from programme.core.extensions import db
    from programme.reports.models import ReportBuild

    with app.app_context():
        rows = db.session.execute(select(ReportBuild.id, ReportBuild.status, ReportBuild.worker, ReportBuild.started_dt,
                                         ReportBuild.finished_dt).where(ReportBuild.id.in_(ids))).all()
        db.session.remove()
    return {row.id: tuple(row)[1:] for row in rows}


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if gunicorn.exists():
        command = [str(gunicorn), "-w", str(workers), "-k", "gthread", "--threads", "4", "-b", f"{HOST}:{port}",
                   "--log-level", "warning", "app:app"]
    else:
        command = [sys.executable, "-m", "flask", "run", "--host", HOST, "--port", str(port), "--with-threads",
                   "--no-reload", "--no-debugger"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,  # noqa: S603
                            text=True, start_new_session=True)


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


class Client:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=60) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode()

    def sign_in(self, password: str) -> None:
        _status, page = self.get("/aanmelden")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"email": EMAIL, "password": password, "csrf_token": token}).encode()
        with self.opener.open(self.base + "/aanmelden", data=data, timeout=60) as response:  # noqa: S310
            if "/aanmelden" in response.url:
                raise SystemExit("aanmelden mislukt")

    def timed(self, path: str = "/") -> float:
        started = time.perf_counter()
        status, _body = self.get(path)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise SystemExit(f"dashboard answered {status}")
        return elapsed


def wait_for(base: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/aanmelden", timeout=5).close()  # noqa: S310
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("de server startte niet")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="at most this many requests per phase")
    parser.add_argument("--seconds", type=float, default=45, help="at most this long per phase")
    parser.add_argument("--pause", type=float, default=0.05, help="pause between requests (a user, not a flood)")
    parser.add_argument("--workers", type=int, default=2, help="web server processes")
    parser.add_argument("--database-url", help="default: a fresh SQLite database in a temporary directory")
    args = parser.parse_args()
    args.requests, args.seconds = min(args.requests, 2000), min(args.seconds, 300)  # bounded whatever is asked

    workdir = Path(tempfile.mkdtemp(prefix="load-dashboard-"))
    env = env_for(workdir / "instance", args.database_url or f"sqlite:///{workdir / 'load.db'}")
    password = secrets.token_urlsafe(18)
    app = app_for(env)
    prepare(app, password)
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = scheduler = None
    try:
        server = start_server(env, port, args.workers)
        wait_for(base, 60)
        client = Client(base)
        client.sign_in(password)
        for _ in range(10):  # warm up: templates compiled, connections open
            client.timed()

        idle, loaded, deadline = [], [], time.monotonic() + args.seconds
        while len(idle) < args.requests and time.monotonic() < deadline:
            idle.append(client.timed())
            time.sleep(args.pause)

        scheduler = subprocess.Popen([sys.executable, "-m", "flask", "scheduler",  # noqa: S603
                                      "--run-for", str(args.seconds + 120)], cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        # Two builds at all times: queue two, and a new one whenever one has finished.
        ids = [queue_build(app, PERIODS[i % len(PERIODS)]) for i in range(2)]
        loaded, running_seen = [], set()
        # The window starts when two builds first run (the build processes start first), and
        # ends after --seconds; at most --seconds + 120 in all.
        deadline, hard_deadline = None, time.monotonic() + args.seconds + 120
        while len(loaded) < args.requests and time.monotonic() < min(deadline or hard_deadline, hard_deadline):
            states = build_states(app, ids)
            running = [i for i, (status, *_rest) in states.items() if status == "running"]
            unfinished = [i for i, (status, *_rest) in states.items() if status in ("queued", "running")]
            for _ in range(2 - len(unfinished)):
                ids.append(queue_build(app, PERIODS[len(ids) % len(PERIODS)]))
            if len(running) == 2:  # only requests while two builds are really running count
                deadline = deadline or time.monotonic() + args.seconds
                running_seen.update(running)
                loaded.append(client.timed())
            else:
                client.timed()
            time.sleep(args.pause)

        states = build_states(app, ids)
        done = [s for s in states.values() if s[0] == "done"]
        workers = sorted({s[1] for s in states.values() if s[1]})
        niceness = []
        for worker in workers:
            pid = int(worker.rpartition(":")[2])
            try:
                niceness.append(os.getpriority(os.PRIO_PROCESS, pid))
            except OSError:
                pass
        durations = [(s[3] - s[2]).total_seconds() for s in done if s[2] and s[3]]
    finally:
        stop(scheduler)
        stop(server)
        if scheduler is not None and (len(loaded) < 5):
            print(scheduler.stderr.read()[-3000:], file=sys.stderr)

    if len(idle) < 5 or len(loaded) < 5:
        raise SystemExit(f"te weinig metingen (idle {len(idle)}, tijdens builds {len(loaded)})")
    idle_p50, idle_p95 = percentiles(idle)
    load_p50, load_p95 = percentiles(loaded)
    print(f"dashboard idle:               n={len(idle):4d}  p50 {idle_p50 * 1000:7.1f} ms  "
          f"p95 {idle_p95 * 1000:7.1f} ms")
    print(f"dashboard, two builds running: n={len(loaded):4d}  p50 {load_p50 * 1000:7.1f} ms  "
          f"p95 {load_p95 * 1000:7.1f} ms")
    print(f"ratio loaded/idle:            p50 {load_p50 / idle_p50:.2f} x   p95 {load_p95 / idle_p95:.2f} x   "
          f"(goal p95 <= 1.5 x)")
    median_build = statistics.median(durations) if durations else 0
    print(f"builds finished in the window: {len(done)} (median {median_build:.1f} s "
          f"each), build processes {len(workers)}, their niceness {sorted(set(niceness))}, "
          f"server {'gunicorn' if Path(sys.executable).with_name('gunicorn').exists() else 'werkzeug threaded'}")
    print("note: a shared machine makes this figure noisy; run it a few times.")


if __name__ == "__main__":
    main()
