"""Command-line tasks: seed, create-user, demo-accounts, example-data, scheduler."""
import secrets
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from programme.core.extensions import db

DEMO_ACCOUNTS = [
    ("programmamanager@demo.brabant.nl", "Demo Programmamanager", "manager", None),
    ("initiatiefnemer@demo.brabant.nl", "Demo Initiatiefnemer", "owner", None),
    ("gs-lid@demo.brabant.nl", "Demo Lid Gedeputeerde Staten", "reader", "GS"),
    ("ps-lid@demo.brabant.nl", "Demo Lid Provinciale Staten", "reader", "PS"),
]
# The demo initiative owner looks after these initiatives.
DEMO_OWNER_INITIATIVES = ("1.1.2", "1.1.3")


def register(app: Flask) -> None:
    from programme.core.backup_cli import backup_command
    from programme.scheduler import scheduler_command

    app.cli.add_command(scheduler_command)
    app.cli.add_command(backup_command)
    register_example_monitor(app)

    @app.cli.command("seed")
    def seed_command():
        """Load the programme from the source data (idempotent)."""
        from programme.seed.loader import seed_all

        stats = seed_all()
        db.session.commit()
        removed = f", {stats['removed']} verwijderd" if stats["removed"] else ""
        click.echo(f"Seed klaar: {stats['created']} aangemaakt, {stats['updated']} bijgewerkt{removed}.")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", type=click.Choice(["manager", "owner", "reader"]), required=True)
    @click.option("--body", type=click.Choice(["GS", "PS"]), default=None, help="Voor lezers: GS of PS.")
    @click.password_option("--password", help="Minimaal 12 tekens.")
    def create_user_command(email, name, role, body, password):
        """Create an account."""
        from programme.accounts.operations import AccountError, create_user

        try:
            user = create_user(email, name, role, password, body=body)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(f"Account aangemaakt: {user.email} ({user.role_label}).")

    @app.cli.command("demo-accounts")
    def demo_accounts_command():
        """Create one demo account per role and write their credentials to instance/."""
        if not current_app.config["DEMO_ACCOUNTS"]:
            raise click.ClickException("Demo-accounts bestaan niet in productie.")
        path = create_demo_accounts()
        click.echo(f"Demo-accounts: de aanmeldgegevens staan in {path}")

    @app.cli.command("example-data")
    @click.option("--remove", is_flag=True, help="Verwijder de voorbeeldgegevens weer volledig.")
    def example_data_command(remove):
        """Load (or --remove) a fictional example history of progress and reports (not in production)."""
        from programme.seed.example import ExampleDataRefused, load_example_data, remove_example_data

        try:
            if remove:
                removed = remove_example_data()
                click.echo(f"Voorbeeldgegevens verwijderd: {sum(removed.values())} records." if removed
                           else "Er zijn geen voorbeeldgegevens; er is niets verwijderd.")
                return
            stats = load_example_data()
        except ExampleDataRefused as exc:
            raise click.ClickException(str(exc)) from exc
        if stats is None:
            click.echo("Voorbeeldgegevens zijn al geladen; er is niets veranderd.")
        else:
            click.echo(f"Voorbeeldgegevens geladen: {stats.get('approved', 0)} goedgekeurde, "
                       f"{stats.get('submitted', 0)} ingediende en {stats.get('draft', 0)} concept-"
                       f"voortgangsberichten, {stats.get('observations', 0)} waarnemingen bij de monitor, "
                       f"hulpbronnen van {stats.get('toetsingskader', 0)} initiatieven (toetsingskader), "
                       f"{stats.get('reports', 0)} rapportages. "
                       "Verwijderen: flask example-data --remove")


def register_example_monitor(app: Flask) -> None:
    @app.cli.command("example-monitor")
    @click.option("--remove", is_flag=True, help="Verwijder de voorbeeldeditie weer.")
    def example_monitor_command(remove):
        """Load (or --remove) a FICTIONAL monitor edition 2022, marked 'voorbeeld, geen echte meting'."""
        from programme.seed.example_monitor import load_example_monitor, remove_example_monitor
        from programme.seed.history import ExampleDataRefused

        try:
            if remove:
                click.echo(f"Voorbeeldeditie verwijderd ({remove_example_monitor()} waarden).")
                return
            record = load_example_monitor()
        except ExampleDataRefused as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo("De voorbeeldeditie is al geladen; er is niets veranderd." if record is None else
                   f"Voorbeeldeditie {record.edition.label} geladen en gepubliceerd: {record.added} waarden. "
                   "Verwijderen: flask example-monitor --remove")


def create_demo_accounts() -> Path:
    from programme.accounts.models import User
    from programme.accounts.operations import create_user
    from programme.accounts.queries import find_user
    from programme.accounts.passwords import hash_password
    from programme.core import permissions
    from programme.initiatives.models import Initiative

    path = Path(current_app.instance_path) / "demo-accounts.txt"
    lines = ["Demo-accounts (alleen voor demonstratie, nooit in productie)", ""]
    for email, name, role, body in DEMO_ACCOUNTS:
        password = "-".join(secrets.token_hex(3) for _ in range(4))  # 27 chars, random per install
        user = find_user(email)
        if user is None:
            user = create_user(email, name, role, password, body=body, is_demo=True)
        else:
            user.password_hash = hash_password(password)
        lines.append(f"{user.role_label:<22} {email:<36} {password}")
        if permissions.is_owner(user):
            for initiative in db.session.scalars(select(Initiative).where(
                    Initiative.number.in_(DEMO_OWNER_INITIATIVES))):
                if user not in initiative.owners:
                    initiative.owners.append(user)
    db.session.commit()
    assert all(isinstance(u, User) for u in [find_user(e) for e, *_ in DEMO_ACCOUNTS])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path
