"""The area acceptance of issue 10 through the pages: a municipality that existed in 2018 and merged later (Uden,
into Maashorst in 2022) is on the 2018 map with its value and a note of the merger in the table beside it, and
in a trend table with a note of the change in the row of the edition where it no longer existed; the map of a
later edition shows the municipalities of that year."""
import re

from tests.trend_helpers import area, later_edition, stored


def _titles(html: str) -> dict[str, str]:
    return dict(re.findall(r"<path [^>]*><title>([^<:]+): ([^<]*)</title></path>", html))


def _row(html: str, heading: str) -> str:
    """The table row headed `heading`, its heading (with the notes in it) included."""
    return re.search(rf'<th scope="row">{re.escape(heading)}[^<]*(?:<span[^>]*>[^<]*</span>)*</th>(.*?)</tr>',
                     html, re.S).group(0)


def test_a_municipality_that_merged_later_on_the_2018_map_in_its_trend_and_not_on_the_current_map(app, login_as):
    client = login_as("reader")
    with app.app_context():
        uden_id = area("Uden").id
        uden_2018 = stored(2018, "Uden", "resilience_yes")
    assert uden_2018 is not None
    with later_edition(app, 2024, {("Maashorst", "resilience_yes"): "55", ("Brabant", "resilience_yes"): "58"}):
        old = client.get("/monitor/kaart?indicator=resilience_yes&editie=2018&niveau=gemeente").get_data(as_text=True)
        assert _titles(old)["Uden"] == "50%" and "Maashorst" not in _titles(old)
        table = old[old.index("<table>"):old.index("</table>")]
        assert '<th scope="row">Uden<span class="source-inline">Per 2022 samengevoegd tot Maashorst, met Landerd.' \
               '</span></th>' in table

        trend = client.get(f"/monitor/ontwikkeling?indicator=resilience_yes&gebied={uden_id}").get_data(as_text=True)
        table = trend[trend.index('<table class="trend-table">'):]
        assert "50%" in _row(table, "Monitor Sociale Veerkracht 2018")
        row_2024 = _row(table, "Testeditie 2024")
        assert '<td class="no-value">geen gegevens</td>' in row_2024
        assert "Uden bestond in 2024 niet meer; toen: Maashorst." in row_2024
        assert "Per 2022 samengevoegd tot Maashorst, met Landerd." in row_2024

        now = client.get("/monitor/kaart?indicator=resilience_yes&editie=2024&niveau=gemeente").get_data(as_text=True)
        titles = _titles(now)
        assert len(titles) == 56 and titles["Maashorst"] == "55%" and not {"Uden", "Landerd"} & set(titles)
        assert "Sinds 2022 ontstaan uit Uden en Landerd." in _row(now, "Maashorst")
