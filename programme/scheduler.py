"""`flask scheduler`: the command that starts the report scheduler process, handing it the app factory.

It lives above every domain (like cli.py) because the scheduler's build processes make their own app
with create_app, and programme.reports may not import the factory (which pulls in every layer)."""
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from programme.core.formatting import AMSTERDAM


def _local_time(_ctx, param, value):
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("gebruik JJJJ-MM-DDTUU:MM, bijvoorbeeld 2027-01-01T00:00") from None
    # Without an offset it is Amsterdam time, like the schedules' hour.
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


@click.command("scheduler")
@click.option("--clock-start", callback=_local_time, metavar="TIJD",
              help="Alleen voor tests: nepklok die op dit moment (Amsterdamse tijd) begint.")
@click.option("--clock-rate", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="Alleen voor tests: seconden nepklok per echte seconde.")
@click.option("--clock-end", callback=_local_time, metavar="TIJD",
              help="Alleen voor tests: hier blijft de nepklok staan.")
@click.option("--run-for", type=click.FloatRange(min=0, min_open=True), metavar="SECONDEN",
              help="Stop na zoveel echte seconden (standaard: tot SIGTERM of Ctrl-C).")
@with_appcontext
def scheduler_command(clock_start, clock_rate, clock_end, run_for):
    """Run the scheduler: scheduled reports once per period, and every queued report.

    One process is enough; a second one is harmless (each report is still built once)."""
    from programme import create_app
    from programme.reports.worker.logs import configure_logging
    from programme.reports.worker.process import Clock, run_scheduler

    fake = clock_start is not None or clock_end is not None or clock_rate != 1.0
    if fake and current_app.config.get("PRODUCTION"):
        raise click.ClickException("Een nepklok (--clock-*) kan niet in productie.")
    if (clock_end is not None or clock_rate != 1.0) and clock_start is None:
        raise click.ClickException("--clock-rate en --clock-end horen bij --clock-start.")
    if clock_start is not None and clock_end is not None and clock_end < clock_start:
        raise click.ClickException("--clock-end ligt vóór --clock-start.")
    configure_logging()
    clock = Clock(clock_start, clock_rate, clock_end) if clock_start is not None else Clock()
    run_scheduler(current_app._get_current_object(), create_app, clock, run_for=run_for)
