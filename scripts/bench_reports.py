"""Benchmark: time and peak memory to build the GS report (content + PDF) of
  1. the seeded programme, and
  2. a generated programme of 200 initiatives with two years of quarterly approved updates.

Each measurement runs in a fresh process (so peak memory is that build's own, ru_maxrss), repeated
and summarised as the median. Run with `make bench`; not part of `make test`.
Targets on a 2-core machine: seeded under 3 s; large under 30 s and under 1 GiB."""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUARTERS = [(2025, q) for q in range(1, 5)] + [(2026, q) for q in range(1, 5)]


def make_app(db_path: Path, instance: Path):
    os.environ["INSTANCE_PATH"] = str(instance)
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    from programme import create_app

    return create_app({"SECRET_KEY": "bench"})


def prepare(db_path: Path, instance: Path, initiatives: int) -> None:
    """Migrate and seed; with initiatives > 0 add that many generated initiatives with two years
    of quarterly approved updates (lessons, risks, indicator values, spending)."""
    from flask_migrate import upgrade

    app = make_app(db_path, instance)
    with app.app_context():
        from programme.core.extensions import db
        from programme.seed.loader import seed_all

        upgrade(directory=app.extensions["migrate"].directory)
        seed_all()
        db.session.commit()
        if initiatives:
            generate(db, initiatives)


def generate(db, count: int) -> None:
    from sqlalchemy import select

    from programme.accounts.operations import create_user
    from programme.budget.models import BudgetLine, BudgetYears, FundingSource
    from programme.core.db import utcnow
    from programme.impact.models import ImpactIndicator, ImpactMeasurement, ImpactTarget
    from programme.initiatives.models import Initiative, LearningQuestion
    from programme.progress import operations as ops
    from programme.progress.models import (APPROVED, DRAFT, IndicatorValue, Lesson, ProgressUpdate, Risk, Spending)

    owner = create_user("bench-owner@example.invalid", "Bench Eigenaar", "owner", "zonnebloem-kastanje-2042")
    manager = create_user("bench-manager@example.invalid", "Bench Manager", "manager", "zonnebloem-kastanje-2042")
    periods = [p for year in (2025, 2026) for p in ops.ensure_quarters(year)]
    budget_period = db.session.scalar(select(BudgetYears).order_by(BudgetYears.first_year.desc()))
    sources = list(db.session.scalars(select(FundingSource)))
    db.session.flush()
    lights = ["op_koers", "op_koers", "aandacht", "risico"]
    for n in range(count):
        initiative = Initiative(number=f"9.{n // 100}.{n % 100}", name=f"Gegenereerd initiatief {n}",
                                line="gebiedsgericht", opgave="Een gegenereerde opgave voor de benchmark.")
        initiative.owners.append(owner)
        db.session.add(initiative)
        db.session.flush()
        questions = [LearningQuestion(initiative_id=initiative.id, position=i, question=f"Leervraag {i} van {n}?")
                     for i in range(2)]
        indicators = [ImpactIndicator(code=f"bench-{n}-{i}", initiative_id=initiative.id, name=f"Indicator {i}",
                                      unit="count", baseline_value=Decimal(10), position=i) for i in range(2)]
        lines = [BudgetLine(initiative_id=initiative.id, period_id=budget_period.id, amount=Decimal("50000.00"),
                            funding_source_id=sources[i % len(sources)].id, description="bench") for i in range(2)]
        db.session.add_all(questions + indicators + lines)
        db.session.flush()
        for indicator in indicators:
            db.session.add(ImpactTarget(indicator_id=indicator.id, period_label="2026", target_value=Decimal(30)))
        for index, period in enumerate(periods):
            update = ProgressUpdate(initiative_id=initiative.id, period_id=period.id, revision=1, status=DRAFT,
                                    traffic_light=lights[(n + index) % 4], explanation="Toelichting bij de status.",
                                    done="Activiteiten uitgevoerd. " * 5, results="Resultaten bereikt. " * 5,
                                    next_steps="Volgende stappen. " * 3, author_id=owner.id,
                                    submitted_dt=utcnow(), reviewed_by_id=manager.id, reviewed_dt=utcnow(), version=1)
            update.lessons = [Lesson(learning_question_id=questions[index % 2].id,
                                     text=f"Les {index} van initiatief {n}: wat werkte en wat niet.")]
            update.risks = [Risk(description="Capaciteit bij partners", likelihood="middel", impact="hoog",
                                 measure="Extra overleg")]
            measured = period.ends_on - timedelta(days=3)
            update.indicator_values = [IndicatorValue(impact_indicator_id=ind.id, value=Decimal(10 + index * 3),
                                                      measured_on=measured) for ind in indicators]
            update.spending = [Spending(budget_line_id=line.id, committed=Decimal("3000.00"),
                                        spent=Decimal("2500.00")) for line in lines]
            db.session.add(update)
            db.session.flush()
            update.status = APPROVED  # content first, then approval: approved content is final
            db.session.flush()
            for ind in indicators:
                db.session.add(ImpactMeasurement(indicator_id=ind.id, value=Decimal(10 + index * 3),
                                                 measured_on=measured, progress_update_id=update.id))
        if n % 20 == 19:
            db.session.commit()
    db.session.commit()


def measure_once(db_path: Path, instance: Path, period_code: str) -> dict:
    """One build in this process: returns seconds, peak RSS in MiB and the PDF's page count."""
    app = make_app(db_path, instance)
    with app.app_context():
        import io

        from pypdf import PdfReader

        from programme.reports.rendering.content import build_content
        from programme.reports.kinds import GS_QUARTERLY
        from programme.reports.rendering.pdf import render_pdf
        from programme.reports.spans import parse_span

        start = time.perf_counter()
        content = build_content(GS_QUARTERLY, parse_span(period_code))
        pdf = render_pdf(content)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mib": peak, "pages": len(PdfReader(io.BytesIO(pdf)).pages),
            "bytes": len(pdf)}


def run_case(name: str, initiatives: int, period_code: str, repeats: int, workdir: Path) -> dict:
    db_path, instance = workdir / f"{name}.db", workdir / f"{name}-instance"
    instance.mkdir(exist_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--prepare", str(db_path), str(instance), str(initiatives)],  # noqa: S603 - own script
                   check=True)
    prepare_seconds = time.perf_counter() - started
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, __file__, "--measure", str(db_path), str(instance), period_code],  # noqa: S603
                             check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return {"case": name, "initiatives_added": initiatives, "prepare_s": prepare_seconds,
            "median_s": statistics.median(r["seconds"] for r in runs),
            "max_s": max(r["seconds"] for r in runs),
            "peak_mib": max(r["peak_mib"] for r in runs), "pages": runs[0]["pages"], "bytes": runs[0]["bytes"],
            "repeats": repeats}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prepare", nargs=3, metavar=("DB", "INSTANCE", "INITIATIVES"))
    parser.add_argument("--measure", nargs=3, metavar=("DB", "INSTANCE", "PERIOD"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--large-repeats", type=int, default=3)
    args = parser.parse_args()
    if args.prepare:
        prepare(Path(args.prepare[0]), Path(args.prepare[1]), int(args.prepare[2]))
        return
    if args.measure:
        print(json.dumps(measure_once(Path(args.measure[0]), Path(args.measure[1]), args.measure[2])))
        return
    with tempfile.TemporaryDirectory(prefix="sv-bench-") as tmp:
        results = [run_case("seeded", 0, "2026-K4", args.repeats, Path(tmp)),
                   run_case("large", 200, "2026-K4", args.large_repeats, Path(tmp))]
    targets = {"seeded": (3, None), "large": (30, 1024)}
    print(f"{'case':8} {'median':>9} {'max':>9} {'peak RSS':>10} {'pages':>6}  target")
    for r in results:
        seconds, mib = targets[r["case"]]
        ok = r["median_s"] < seconds and (mib is None or r["peak_mib"] < mib)
        target = f"< {seconds} s" + (f", < {mib} MiB" if mib else "")
        print(f"{r['case']:8} {r['median_s']:8.2f}s {r['max_s']:8.2f}s {r['peak_mib']:7.0f} MiB {r['pages']:6}  "
              f"{target}: {'gehaald' if ok else 'NIET gehaald'}")
    print(f"(median of {args.repeats} / {args.large_repeats} builds, each in a fresh process; "
          f"large programme generated in {results[1]['prepare_s']:.0f} s)")


if __name__ == "__main__":
    main()
