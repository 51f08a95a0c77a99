"""The Sociale Veerkracht programme tracker: application factory."""
import os
from pathlib import Path

from flask import Flask

from programme.config import build_config, check_production
from programme.core.extensions import csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(build_config(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.from_mapping(test_config)
    check_production(app.config, app.debug)

    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_security(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    import programme.models  # noqa: F401  (the whole schema, for Alembic)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    from programme.core import rate_limits

    rate_limits.register(app)
    from programme.core.db_events import register_sqlite_pragmas

    with app.app_context():
        register_sqlite_pragmas(db.engine)


def register_blueprints(app: Flask) -> None:
    from programme.accounts import bp as accounts_bp
    from programme.audit import bp as audit_bp
    from programme.budget import bp as budget_bp
    from programme.dashboard import bp as dashboard_bp
    from programme.impact import bp as impact_bp
    from programme.initiatives import bp as initiatives_bp
    from programme.monitor import bp as monitor_bp
    from programme.plan import bp as plan_bp
    from programme.progress import bp as progress_bp
    from programme.reports import bp as reports_bp

    for bp in (accounts_bp, dashboard_bp, initiatives_bp, budget_bp, monitor_bp, audit_bp, progress_bp, reports_bp,
               impact_bp, plan_bp):
        app.register_blueprint(bp)


def register_template_helpers(app: Flask) -> None:
    from programme.core import formatting
    from programme.seed.example import template_context

    formatting.register(app)
    app.context_processor(template_context)  # the "Voorbeeldgegevens" banner on pages and reports


def register_security(app: Flask) -> None:
    from programme.core import security

    security.register(app)


def register_errorhandlers(app: Flask) -> None:
    from programme.core import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    from programme import cli

    cli.register(app)
