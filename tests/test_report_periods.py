"""No report on a period that has not ended: refused unless the manager explicitly asks for a
provisional one (watermarked, with a warning on its cover, labelled in the archive); schedules never
build one. Period names read as Dutch ('het vierde kwartaal 2026'); the archive shows each report's
data version in words."""
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from programme.accounts.operations import find_user
from programme.core.formatting import dutch_date, dutch_datetime
from programme.core.extensions import db as _db
from programme.reports.models import FAILED, ReportBuild, ReportSchedule
from programme.reports.kinds import GS_QUARTERLY, PS_HALF_YEARLY
from programme.reports.spans import parse_span, span_for_kind
from programme.reports import operations, spans
from programme.reports.worker import builds, due, leases
from programme.core.formatting import AMSTERDAM
from programme.core.operations import RuleError
from programme.reports.archive import reports_dir
from tests.conftest import USERS, csrf_token
from tests.test_report_pdf import _text as pdf_text
from tests.test_report_pdf import watermark_pages
from tests.editing_helpers import signed_in
from tests.report_helpers import clean_reports  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("clean_reports")


def _today() -> date:
    return spans.today_in_amsterdam()


# ---------------------------------------------------------------- names of periods

@pytest.mark.parametrize("code, label, in_sentence, display", [
    ("2026-K1", "eerste kwartaal 2026", "het eerste kwartaal 2026", "Eerste kwartaal 2026"),
    ("2026-K4", "vierde kwartaal 2026", "het vierde kwartaal 2026", "Vierde kwartaal 2026"),
    ("2026-H2", "tweede halfjaar 2026", "het tweede halfjaar 2026", "Tweede halfjaar 2026"),
])
def test_period_names_read_as_dutch(code, label, in_sentence, display):
    period = parse_span(code)
    assert (period.label, period.in_sentence, period.display) == (label, in_sentence, display)


def test_a_period_has_ended_only_from_the_day_after_its_last_day():
    period = parse_span("2026-K4")
    assert not period.has_ended(date(2026, 12, 2))
    assert not period.has_ended(date(2026, 12, 31))
    assert period.has_ended(date(2027, 1, 1))


# ---------------------------------------------------------------- the rule

def test_a_report_on_an_unended_period_is_refused_without_the_explicit_choice(app, db):
    period = parse_span("2026-K4")
    manager = find_user(USERS["manager"][0])
    on = date(2026, 12, 2)
    count = db.session.scalar(select(func.count(ReportBuild.id)))
    with pytest.raises(RuleError) as refused:
        operations.request_report(GS_QUARTERLY, period, user=manager, today=on)
    assert str(refused.value).startswith("Het vierde kwartaal 2026 is nog niet voorbij: het loopt tot en met "
                                         "31 december 2026.")
    assert db.session.scalar(select(func.count(ReportBuild.id))) == count

    provisional = operations.request_report(GS_QUARTERLY, period, user=manager, provisional=True, today=on)
    assert provisional.is_provisional is True
    provisional.status = FAILED  # a requested report has one open build at a time
    # Once the period is over, the same request gives the final report.
    final = operations.request_report(GS_QUARTERLY, period, user=manager, provisional=True,
                                  today=date(2027, 1, 1))
    assert final.is_provisional is False
    db.session.rollback()


def test_a_schedule_never_builds_a_provisional_report(app, db):
    schedule = ReportSchedule(name="Test: direct na het kwartaal", kind=GS_QUARTERLY, days_after_period=0, hour=0,
                              starts_on=date(2090, 1, 1), is_active=False)
    db.session.add(schedule)
    db.session.flush()
    period = parse_span("2090-K1")
    # Even when asked for explicitly: a schedule builds only what has ended.
    for provisional in (False, True):
        with pytest.raises(RuleError, match="nog niet voorbij"):
            operations.request_report(GS_QUARTERLY, period, schedule=schedule, provisional=provisional,
                                  today=date(2090, 3, 31))
    db.session.rollback()


def test_the_scheduler_queues_nothing_before_the_period_has_ended(app, db):
    schedule = ReportSchedule(name="Test: om middernacht na het kwartaal", kind=GS_QUARTERLY, days_after_period=0,
                              hour=0, starts_on=date(2090, 1, 1), is_active=True)
    db.session.add(schedule)
    db.session.commit()
    amsterdam = AMSTERDAM
    assert due.tick(datetime(2090, 3, 31, 23, 59, tzinfo=amsterdam)) == []
    queued = due.tick(datetime(2090, 4, 1, 0, 0, tzinfo=amsterdam))
    assert [(b.schedule_id, b.period_code, b.is_provisional) for b in queued] == [(schedule.id, "2090-K1", False)]


# ---------------------------------------------------------------- the manager's form

def _ask(client, **data):
    page = client.get("/rapportages/aanvragen")
    form = {"kind": GS_QUARTERLY, "initiative": "", "csrf_token": csrf_token(page)}
    form.update(data)
    return client.post("/rapportages/aanvragen", data=form)


def _count(app, model) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(model.id)))


def test_the_ask_form_refuses_the_running_period_and_builds_it_only_as_provisional(app):
    current = span_for_kind(GS_QUARTERLY, _today())
    client = signed_in(app, "manager")
    form = client.get("/rapportages/aanvragen").get_data(as_text=True)
    assert f">{current.display} (loopt nog)</option>" in form
    assert "Voorlopige rapportage over een periode die nog loopt" in form

    before = _count(app, ReportBuild)
    refused = _ask(client, period=current.code)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert f"Het {current.label} is nog niet voorbij: het loopt tot en met {dutch_date(current.ends_on)}." in html
    assert 'aria-invalid="true"' in html
    assert _count(app, ReportBuild) == before

    asked = _ask(client, period=current.code, provisional="y")
    assert asked.status_code == 302
    build_id = int(re.fullmatch(r"/rapportages/opdrachten/(\d+)", asked.headers["Location"]).group(1))
    with app.app_context():
        build = _db.session.get(ReportBuild, build_id)
        assert build.is_provisional and build.period_code == current.code
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "Voorlopig</span>" in page and "het watermerk ‘VOORLOPIG’" in page


# ---------------------------------------------------------------- built, archived, read back

def test_a_provisional_build_is_watermarked_and_labelled_in_the_archive(app, db):
    """The whole way: asked for on the running quarter, built by the worker, archived; the archived
    PDF carries the watermark on every page and the warning on its cover."""
    manager = find_user(USERS["manager"][0])
    current = span_for_kind(PS_HALF_YEARLY, _today())
    build = operations.request_report(PS_HALF_YEARLY, current, user=manager, provisional=True)
    db.session.commit()
    done = builds.run_build(leases.claim(build.id, worker="test:provisional"))
    assert done.status == "done", done.error
    report = done.report
    assert report.is_provisional and report.title == f"Voorlopige informatierapportage PS, {current.label}"
    assert report.data_as_of is not None and report.filename.startswith("voorlopige-informatierapportage-ps-")
    pdf = (reports_dir() / report.stored_name).read_bytes()
    pages, marked, as_content = watermark_pages(pdf)
    assert pages > 3 and marked == pages and as_content == 0
    text = pdf_text(pdf)
    assert f"over {current.in_sentence}, dat nog loopt tot en met {dutch_date(current.ends_on)}" in text
    local_data_date = dutch_date(report.data_as_of)
    assert f"De peildatum is {local_data_date}:" in text
    assert f"peildatum is {dutch_date(current.ends_on)}" not in text

    html = signed_in(app, "reader").get("/rapportages").get_data(as_text=True)
    card = html[html.index(f'id="rapportage-{report.id}"'):]
    card = card[:card.index("</article>")]
    assert '<span class="badge badge-provisional">Voorlopig</span>' in card
    assert f"Voorlopige rapportage: gemaakt toen {current.in_sentence} nog liep" in card
    assert f"Tot en met {dutch_datetime(report.data_as_of)}" in card
    assert f"gegevensversie {report.data_version_number:,}".replace(",", ".") in card
    assert "audit:" not in html


def test_the_archive_shows_the_data_version_of_a_final_report_in_words(app, db):
    manager = find_user(USERS["manager"][0])
    period = parse_span("2091-K3")
    build = operations.request_report(GS_QUARTERLY, period, user=manager, today=period.ends_on + timedelta(days=1))
    db.session.commit()
    report = builds.run_build(leases.claim(build.id, worker="test:final")).report
    assert not report.is_provisional and report.title == "Voortgangsrapportage GS, derde kwartaal 2091"
    html = signed_in(app, "manager").get("/rapportages").get_data(as_text=True)
    card = html[html.index(f'id="rapportage-{report.id}"'):]
    card = card[:card.index("</article>")]
    assert "Voorlopig" not in card
    assert "<dd>Derde kwartaal 2091</dd>" in card
    assert f"Tot en met {dutch_datetime(report.data_as_of)}" in card
