"""Write the example monitor edition (programme/seed/data/example/monitor-2022-voorbeeld.csv): FICTIONAL
figures for 2022, the 2018 figures moved a little at random, for the demo only (`flask example-monitor`).
Run from the repository root with the seeded database: python scripts/make_example_monitor.py"""
import random
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from programme import create_app  # noqa: E402
from programme.core.extensions import db  # noqa: E402
from programme.monitor import queries  # noqa: E402
from programme.monitor.models import MonitorEdition, MonitorIndicator, MonitorValue  # noqa: E402
from programme.monitor.spreadsheets import template_csv  # noqa: E402

YEAR = 2022
OUT = Path(__file__).resolve().parents[1] / "programme/seed/data/example/monitor-2022-voorbeeld.csv"


def main() -> None:
    app = create_app()
    with app.app_context():
        rng = random.Random(YEAR)
        edition = db.session.scalar(select(MonitorEdition).where(MonitorEdition.year == 2018))
        values = {(v.indicator_id, v.area_id): v.value for v in db.session.scalars(
            select(MonitorValue).where(MonitorValue.edition_id == edition.id))}
        indicators = [i for i in db.session.scalars(select(MonitorIndicator).order_by(MonitorIndicator.position))
                      if any(key[0] == i.id for key in values)]
        columns = []  # (area of 2022, the 2018 area its figures start from)
        for area in [queries.brabant(), *sorted(queries.areas_in(2018, "corop"), key=lambda a: a.position),
                     *queries.areas_in(2018, "municipality")]:
            if not any(key[1] == area.id for key in values):
                continue
            now = queries.counterparts(area, YEAR)
            columns.append((now[0][0] if area.kind == "municipality" else area, area))
        rows = [["# Voorbeeld, geen echte meting: verzonnen cijfers voor 2022 om de programmavolger te laten zien. "
                 "Niet van PON/Telos. Alleen geladen door `flask example-monitor`."],
                ["indicatorcode", "indicatornaam", *(f"{now.name} ({now.cbs_code})" for now, _old in columns)]]
        for indicator in indicators:
            low, high = indicator.value_range
            row = [indicator.code, indicator.name]
            for _now, old in columns:
                value = values.get((indicator.id, old.id))
                if value is None:
                    row.append("")
                    continue
                step = Decimal(rng.choice([-3, -2, -1, -1, 0, 1, 1, 2, 3, 4])) * (
                    Decimal("0.1") if value < 10 else Decimal(1))
                new = value + step
                new = max(low, new) if low is not None else new
                new = min(high, new) if high is not None else new
                row.append(f"{new.normalize():f}".replace(".", ","))
            rows.append(row)
        _add_up(rows)
        OUT.write_bytes(template_csv(rows))
        print(f"{OUT}: {len(indicators)} indicatoren x {len(columns)} gebieden")


def _add_up(rows) -> None:
    """Resilient, partly and not resilient are shares of one population: where an area has all three,
    'not' is what the other two leave of 100%, so that the invented figures still add up."""
    by_code = {row[0]: row for row in rows[2:]}
    shares = [by_code.get(code) for code in ("resilience_yes", "resilience_partly", "resilience_not")]
    if None in shares:
        return
    yes, partly, not_ = shares
    for column in range(2, len(yes)):
        if yes[column] and partly[column] and not_[column]:
            rest = 100 - Decimal(yes[column].replace(",", ".")) - Decimal(partly[column].replace(",", "."))
            not_[column] = f"{rest.normalize():f}".replace(".", ",")


if __name__ == "__main__":
    main()
