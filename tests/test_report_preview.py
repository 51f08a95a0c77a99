"""The report as a web page: same content and SVG charts as the PDF; manager and readers only."""
import pytest


@pytest.mark.parametrize("role", ["manager", "reader"])
def test_preview_shows_content_and_inline_charts(login_as, role):
    client = login_as(role)
    response = client.get("/rapportages/voorbeeld?soort=gs_kwartaal&periode=2026-K3")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "derde kwartaal 2026" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    assert "Initiatieven per status:" in page  # the chart's text alternative
    assert "€ 16.800.000" in page
    assert "Sociale Stad" in page


def test_preview_half_year_and_bad_periods(login_as):
    client = login_as("manager")
    response = client.get("/rapportages/voorbeeld?soort=ps_halfjaar&periode=2026-H1")
    assert response.status_code == 200 and "eerste halfjaar 2026" in response.text
    assert client.get("/rapportages/voorbeeld?soort=ps_halfjaar&periode=2026-K1").status_code == 404
    assert client.get("/rapportages/voorbeeld?soort=gs_kwartaal&periode=2026-K9").status_code == 404
    assert client.get("/rapportages/voorbeeld?soort=factsheet").status_code == 404


def test_owner_is_refused(login_as):
    client = login_as("owner")
    assert client.get("/rapportages/voorbeeld").status_code == 403
