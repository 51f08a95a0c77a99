"""The manager's import screens: upload, validation report, preview, confirm; templates; rights."""
import io
import re

from sqlalchemy import select

from programme.monitor.models import MonitorEdition, MonitorImport
from tests.conftest import csrf_token
import pytest

from programme.core.extensions import db as _db
from tests.test_monitor_import import LONG, csv_bytes


@pytest.fixture()
def database(app):
    class Database:
        session = property(lambda self: _db.session)

        def __enter__(self):
            self.context = app.app_context()
            self.context.push()
            return self

        def __exit__(self, *exc):
            _db.session.remove()
            self.context.pop()

    return Database()


def _upload(client, data: bytes, name: str = "editie.csv", layout: str = "long", year: int = 2030):
    page = client.get("/monitor/import")
    return client.post("/monitor/import", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(data), name), "layout": layout, "year": str(year),
        "name": ""}, content_type="multipart/form-data")


def test_the_whole_flow_upload_report_preview_confirm(login_as, database):
    client = login_as("manager")
    response = _upload(client, csv_bytes(LONG + "2030;Bredaa;resilience_yes;3\n"))
    assert response.status_code == 302, re.sub(r"\s+", " ", response.get_data(as_text=True)).split("inhoud")[-1][:800]
    report_url = response.headers["Location"]
    token = re.search(r"/monitor/import/([A-Za-z0-9_-]{32})$", report_url).group(1)
    report = client.get(report_url).get_data(as_text=True)
    assert "1 probleem gevonden" in report and "Bedoelt u Breda (GM0758)?" in report
    assert '<th scope="row" class="num">6</th><td>B (gebied)</td>' in report
    preview_page = client.get(f"/monitor/import/{token}/voorbeeld")
    preview = preview_page.get_data(as_text=True)
    assert "<strong>3</strong> waarden toegevoegd" in preview and "Importeer alleen de geldige waarden" in preview
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', preview).group(1)
    refused = client.post(f"/monitor/import/{token}/voorbeeld", data={
        "csrf_token": csrf_token(preview_page), "fingerprint": fingerprint})
    assert refused.status_code == 200 and "Er is niets geïmporteerd" in refused.get_data(as_text=True)
    with database as db:
        assert db.session.scalar(select(MonitorEdition).where(MonitorEdition.year == 2030)) is None
    done = client.post(f"/monitor/import/{token}/voorbeeld", data={
        "csrf_token": csrf_token(preview_page), "fingerprint": fingerprint, "only_valid": "y"})
    assert done.status_code == 302
    with database as db:
        record = db.session.scalar(select(MonitorImport).order_by(MonitorImport.id.desc()))
        assert (record.added, record.refused, record.only_valid, record.file_name) == (3, 1, True, "editie.csv")
    assert client.get(f"/monitor/import/{token}").status_code == 404  # the upload is gone after confirming
    editions = client.get("/monitor/edities").get_data(as_text=True)
    assert "Monitor Sociale Veerkracht 2030" in editions and "concept" in editions


def test_an_upload_belongs_to_whoever_uploaded_it(login_as, app):
    client = login_as("manager")
    token = _upload(client, csv_bytes(LONG)).headers["Location"].rsplit("/", 1)[1]
    other = app.test_client()
    assert client.get(f"/monitor/import/{'x' * 32}").status_code == 404
    assert client.get("/monitor/import/..%2F..%2Fconfig").status_code == 404
    from programme.monitor import uploads
    with app.test_request_context():
        assert uploads.load(token, user_id=999) is None
    assert other.get(f"/monitor/import/{token}").status_code in (302, 401, 403)


def test_a_file_in_the_wrong_encoding_gets_a_dutch_message(login_as):
    client = login_as("manager")
    data = "editie;gebied;indicatorcode;waarde\n2030;Café;x;1\n".encode("cp1252")
    location = _upload(client, data).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "Het bestand kan niet worden gelezen" in page and "niet in UTF-8 opgeslagen" in page


def test_non_managers_get_403(app):
    from tests.conftest import login
    for role in ("owner", "reader"):
        client = app.test_client()
        login(client, role)
        for url in ("/monitor/import", "/monitor/edities", "/monitor/indicatoren/nieuw",
                    "/monitor/import/sjabloon/long.csv"):
            assert client.get(url).status_code == 403, (role, url)
        assert client.post("/monitor/edities/1/status", data={"status": "withdrawn"}).status_code in (400, 403)


def test_templates_are_prefilled_with_codes(login_as):
    client = login_as("manager")
    long = client.get("/monitor/import/sjabloon/long.csv?jaar=2022")
    text = long.data.decode("utf-8-sig")
    assert text.startswith("editie;gebiedscode;gebiedsnaam;indicatorcode;indicatornaam;waarde")
    assert "2022;GM1982;Land van Cuijk;resilience_yes" in text and "GM0815" not in text  # Mill, merged in 2022
    wide = client.get("/monitor/import/sjabloon/wide.xlsx?jaar=2022")
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(wide.data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["indicatorcode", "indicatornaam", "Brabant (PV30)", "West-Brabant (CR33)"]
    assert sheet["A2"].value == "resilience_not"


def test_adding_an_indicator(login_as, database):
    client = login_as("manager")
    page = client.get("/monitor/indicatoren/nieuw")
    response = client.post("/monitor/indicatoren/nieuw", data={
        "csrf_token": csrf_token(page), "code": "test_loneliness", "name": "Ernstig eenzaam", "resource": "social",
        "unit": "percent", "direction": "lower", "correlation": "-0,3", "minimum": "", "maximum": "",
        "description": ""})
    assert response.status_code == 302
    from programme.monitor.models import MonitorIndicator
    with database as db:
        indicator = db.session.scalar(select(MonitorIndicator).where(MonitorIndicator.code == "test_loneliness"))
        assert indicator.higher_is_better is False and str(indicator.correlation) == "-0.30"
    again = client.post("/monitor/indicatoren/nieuw", data={
        "csrf_token": csrf_token(page), "code": "test_loneliness", "name": "x", "resource": "social",
        "unit": "percent", "direction": "lower"})
    assert "Er is al een monitorindicator met de code" in again.get_data(as_text=True)


def test_the_example_edition_is_imported_marked_and_never_seeded(login_as, database):
    from programme.seed.example_monitor import load_example_monitor, remove_example_monitor
    with database as db:
        assert db.session.scalar(select(MonitorEdition).where(MonitorEdition.is_example)) is None  # not by seed
        record = load_example_monitor()
        assert record.edition.is_example and record.edition.status == "published" and record.added > 200
        assert load_example_monitor() is None
    client = login_as("manager")
    try:
        for url in ("/monitor?editie=2022", "/monitor/kaart?editie=2022&indicator=resilience_yes"):
            page = client.get(url).get_data(as_text=True)
            assert "Voorbeeld, geen echte meting." in page and "(voorbeeld, geen echte meting)" in page
        assert "Maashorst" in client.get("/monitor/kaart?editie=2022&indicator=resilience_yes").get_data(as_text=True)
    finally:
        with database:
            assert remove_example_monitor() == record.added
