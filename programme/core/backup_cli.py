"""`flask backup create` and `flask backup restore`: the command line of core.backup and core.backup_restore."""
from pathlib import Path

import click
from flask.cli import AppGroup

from programme.core.backup import BackupError, create_backup
from programme.core.backup_restore import restore_backup

backup_command = AppGroup("backup", help="Back-ups maken en terugzetten (database, bewijsstukken, rapportages).")


@backup_command.command("create")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Pad van het archief (standaard: instance/backups/backup-<tijd>.tar.gz).")
def create(output: Path | None):
    """Make a consistent backup of the database, instance/uploads and instance/reports."""
    try:
        path, manifest = create_backup(output)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    rows = sum(manifest["tables"].values())
    click.echo(f"Back-up gemaakt: {path} ({rows} rijen, {len(manifest['files'])} bestanden, "
               f"revisie {manifest['alembic_revision']}).")
    click.echo("Let op: het archief bevat wachtwoord-hashes en geheimen; bewaar het versleuteld en afgeschermd.")


@backup_command.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
def restore(path: Path, yes: bool):
    """Restore a backup into an empty, migrated database and an empty instance folder."""
    if not yes:
        click.confirm(f"Back-up {path} terugzetten in de lege database?", abort=True)
    try:
        manifest = restore_backup(path)
    except BackupError as error:
        raise click.ClickException(f"{error} Er is niets teruggezet.") from error
    click.echo(f"Back-up van {manifest['created_dt']} teruggezet: {sum(manifest['tables'].values())} rijen, "
               f"revisie {manifest['alembic_revision']}.")
