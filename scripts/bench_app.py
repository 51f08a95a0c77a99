"""The app a benchmark measures: migrated and seeded, on a throw-away database.

That is SQLite in a temporary instance folder, or BENCH_DATABASE_URL: a PostgreSQL database the
benchmark may empty (its public schema is dropped first)."""
import os
import tempfile


def seeded_app(prefix: str):
    """(app, database URL): a new instance folder named after `prefix`, the schema at head, the seed loaded."""
    instance = tempfile.mkdtemp(prefix=prefix)
    os.environ["INSTANCE_PATH"] = instance
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{instance}/bench.db"
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    from programme import create_app
    from programme.core.extensions import db
    from programme.seed.loader import seed_all

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed_all()
        db.session.commit()
    return app, url
