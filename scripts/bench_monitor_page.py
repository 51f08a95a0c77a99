"""Render speed of the monitor pages with three editions: the 2016 and 2018 editions of the seed and the fictional
example edition 2022, loaded through the import operation (`flask example-monitor`). Times GET /monitor and
GET /monitor/kaart (per municipality, per COROP region, with the initiatives' areas outlined), and an initiative's
page (its areas on the map, its trends), with the test client
as a signed-in reader: the median of --runs requests after one warm-up. Prints the figures; the requirement is
under 300 ms. Uses a throw-away SQLite database (or BENCH_DATABASE_URL, a PostgreSQL database it may empty).
Run with `make bench`; not a test (the figure depends on what else the machine is doing)."""
import argparse
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LIMIT_MS = 300
PAGES = (
    ("monitor", "/monitor"),
    ("kaart", "/monitor/kaart"),
    ("kaart gemeenten", "/monitor/kaart?indicator=resilience_yes&editie=2022&niveau=gemeente"),
    ("kaart COROP", "/monitor/kaart?indicator=resilience_yes&editie=2018&niveau=corop"),
    ("kaart omlijnd", "/monitor/kaart?indicator=resilience_yes&editie=2022&niveau=gemeente&omlijnen=initiatieven"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="bench-monitor-page-")
    os.environ["INSTANCE_PATH"] = instance
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{instance}/bench.db"
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, select, text

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    from programme import create_app
    from programme.accounts.operations import create_user
    from programme.core.extensions import db
    from programme.initiatives.models import Initiative
    from programme.monitor import queries
    from programme.seed.example_monitor import load_example_monitor
    from programme.seed.loader import seed_all

    password = "-".join(secrets.token_hex(3) for _ in range(4))  # a throw-away database: any strong password
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed_all()
        create_user("beheer@bench.example", "Beheer", "manager", password)
        create_user("lezer@bench.example", "Lezer", "reader", password, body="GS")
        db.session.commit()
        load_example_monitor()
        editions = [e.year for e in queries.published_editions()]
        altena = db.session.scalar(select(Initiative.id).where(Initiative.number == "1.1.5"))
    pages = [*PAGES, ("initiatief 1.1.5", f"/initiatieven/{altena}")]  # with its areas on the map and its trends
    client = app.test_client()
    page = client.get("/aanmelden").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/aanmelden", data={"email": "lezer@bench.example", "password": password,
                                           "csrf_token": token}).status_code == 302
    print(f"Monitorpagina's met {len(editions)} edities ({', '.join(map(str, editions))}), "
          f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}, mediaan van {args.runs} keer:")
    worst = 0.0
    for name, path in pages:
        start = time.perf_counter()
        response = client.get(path)  # warm-up: the boundary files are read once per process
        first = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (path, response.status_code)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        median = statistics.median(times)
        worst = max(worst, median)
        print(f"  {name:16} {median:6.0f} ms (max {max(times):4.0f} ms, eerste keer {first:4.0f} ms, "
              f"{len(response.data) // 1024} kB) "
              f"{path}{'' if median < LIMIT_MS else '  TE TRAAG'}")
    print(f"  eis: onder {LIMIT_MS} ms per pagina; langzaamste mediaan {worst:.0f} ms: "
          f"{'gehaald' if worst < LIMIT_MS else 'NIET gehaald'}")


if __name__ == "__main__":
    main()
