"""Import speed of a monitor edition: 70 areas x 120 indicators (8,400 values), read, validated and stored,
as CSV (wide and long) and as XLSX. Prints the figures; the requirement is under 5 s each.
Uses a throw-away SQLite database (or BENCH_DATABASE_URL, a PostgreSQL database it may empty)."""
import io
import sys
import time
from pathlib import Path

from bench_app import seeded_app  # scripts/, the script's own folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

AREAS, INDICATORS, YEAR = 70, 120, 2017
LIMIT = 5.0


def main() -> None:
    from openpyxl import Workbook
    from sqlalchemy import delete, select

    from programme.accounts.operations import create_user
    from programme.core.extensions import db
    from programme.monitor import operations as ops, queries
    from programme.monitor.imports import plan_file, sha256
    from programme.monitor.models import MonitorEdition, MonitorImport, MonitorIndicator, MonitorValue
    from programme.monitor.spreadsheets import template_csv

    app, url = seeded_app("bench-monitor-")
    with app.app_context():
        manager = create_user("meter@example.org", "Meting", "manager", "zonnebloem-kastanje-2042")
        extra = INDICATORS - db.session.query(MonitorIndicator).count()
        for number in range(extra):
            ops.add_indicator({"code": f"bench_{number:03d}", "name": f"Benchmark {number}", "resource": "social",
                               "unit": "percent", "higher_is_better": True}, actor=manager)
        db.session.commit()
        areas = ([queries.brabant()] + queries.areas_in(YEAR, "corop") + queries.areas_in(YEAR, "municipality")
                 + queries.areas_in(YEAR, "small_municipalities"))[:AREAS]
        indicators = db.session.scalars(select(MonitorIndicator).order_by(MonitorIndicator.position)).all()[:INDICATORS]
        assert len(areas) == AREAS and len(indicators) == INDICATORS, (len(areas), len(indicators))

        def value(i, a, indicator):
            low, high = indicator.value_range
            low = float(low if low is not None else 0)
            high = float(high if high is not None else 100)
            return f"{low + (high - low) * ((i * 7 + a * 13) % 97) / 97:.1f}".replace(".", ",")

        wide = [["indicatorcode", "indicatornaam", *(f"{a.name} ({a.cbs_code})" if a.cbs_code else a.name
                                                   for a in areas)]]
        wide += [[ind.code, ind.name, *(value(i, a, ind) for a in range(len(areas)))]
                 for i, ind in enumerate(indicators)]
        long = [["editie", "gebiedscode", "indicatorcode", "waarde"]]
        long += [[str(YEAR), area.cbs_code or area.name, ind.code, value(i, a, ind)]
                 for i, ind in enumerate(indicators) for a, area in enumerate(areas)]
        book = Workbook()
        for row in wide:
            book.active.append([float(c.replace(",", ".")) if n > 1 and r else c
                                for n, c in enumerate(row) for r in [row is not wide[0]]])
        out = io.BytesIO()
        book.save(out)
        files = [("breed.csv", template_csv(wide), "wide"), ("lang.csv", template_csv(long), "long"),
                 ("breed.xlsx", out.getvalue(), "wide")]
        print(f"Monitorimport: {AREAS} gebieden x {INDICATORS} indicatoren = {AREAS * INDICATORS:,} waarden "
              f"({'PostgreSQL' if url.startswith('postgresql') else 'SQLite'})".replace(",", "."))
        worst = 0.0
        for name, data, layout in files:
            start = time.perf_counter()
            plan = plan_file(data, name, YEAR, layout)
            checked = time.perf_counter()
            assert not plan.problems, plan.problems[:3]
            record = ops.import_values(plan, actor=manager, file_sha256=sha256(data))
            db.session.commit()
            done = time.perf_counter()
            again = plan_file(data, name, YEAR, layout)
            assert not again.changes_anything and len(again.unchanged) == AREAS * INDICATORS
            total = done - start
            worst = max(worst, total)
            print(f"  {name:11} lezen en controleren {checked - start:5.2f} s, opslaan {done - checked:5.2f} s, "
                  f"totaal {total:5.2f} s ({record.added} toegevoegd){'' if total < LIMIT else '  TE TRAAG'}")
            edition = db.session.scalar(select(MonitorEdition).where(MonitorEdition.year == YEAR))
            db.session.execute(delete(MonitorValue).where(MonitorValue.edition_id == edition.id))
            db.session.execute(delete(MonitorImport).where(MonitorImport.edition_id == edition.id))
            db.session.delete(edition)
            db.session.commit()
        verdict = "gehaald" if worst < LIMIT else "NIET gehaald"
        print(f"  eis: onder {LIMIT:.0f} s per import; langzaamste {worst:.2f} s: {verdict}")


if __name__ == "__main__":
    main()
