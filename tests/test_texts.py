"""What users read: no internals on any page (file names, code keys, raw unit codes, extraction notes), the
sources named as documents, Dutch units, and each area's monitor figures once on an initiative page."""
import re

import pytest
from sqlalchemy import select

from programme.core.sourced import SEED_DOCUMENTS, cite
from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative
from tests.conftest import USERS
from tests.page_walk import internals_in, page_urls, sample_content, visible_text
from tests.progress_helpers import client_for


@pytest.fixture(scope="module")
def walk(app):
    with sample_content(app) as prefer:
        with app.app_context():  # closed before the requests: they must not share its `g` (the signed-in user)
            urls = page_urls(app, prefer) + [f"/voortgang/{prefer['other_update_id']}"]
        yield urls


@pytest.mark.parametrize("role", sorted(USERS))
def test_no_page_shows_internals(app, walk, role):
    client = client_for(app, role)
    assert len(walk) > 30, walk  # the walk reaches the app's pages, not a handful
    problems, pages = [], 0
    for url in walk:
        with client.get(url) as response:  # closed: a download keeps its file open until then
            html = response.text if response.mimetype == "text/html" else None
            status = response.status_code
        if html is None:
            continue
        pages += 1
        if status >= 500:
            problems.append(f"{url}: serverfout {status}")
        problems += [f"{url} ({status}): {p}" for p in internals_in(visible_text(html))]
    assert pages > 20
    assert problems == [], "\n".join(problems)


def test_the_walk_sees_what_it_looks_for(app, login_as):
    """The detector itself: a page with a seed file name, a code key or a raw unit fails."""
    for text in ("Bron: 000_74221da5fde4a45c.txt, Tabel 1", "zie areas.yaml", "mdi_top10", "001 Figuur 2: …",
                 "Sociaal vertrouwen (percent)", "CONFLICT Tabel 2 vs tekst"):
        assert internals_in(visible_text(f"<p>{text}</p>")), text
    assert internals_in(visible_text('<input value="willingness_to_change">'))
    assert not internals_in(visible_text("<p>Monitor Sociale Veerkracht 2018, tabel 2: 41%</p>"))
    assert not internals_in(visible_text("<script>var a_b = 1;</script><p>Goed</p>"))
    assert internals_in("Planning: gs_kwartaal") and not internals_in("Planning: Testplanning gs_kwartaal 0")


def test_every_seed_document_has_a_title_and_citations_read_as_documents():
    for name, title in SEED_DOCUMENTS.items():
        assert re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt", name) and title
        assert cite(f"{name}, Tabel 2") == f"{title}, tabel 2"
    assert cite("000_74221da5fde4a45c.txt") == "Monitor Sociale Veerkracht 2018"
    assert cite("002_da661cf59c2e13d2.txt, Figuur 3") == "Uitvoeringsagenda 2017-2020, figuur 3"
    assert cite("001_2c7b58c7acd76594.txt, Figuur 2").startswith("Bijlage bij het Statenvoorstel")
    assert cite("Tabel 4 (kolomkop) en 000_74221da5fde4a45c.txt, hoofdstuk 2") == \
        "tabel 4 (kolomkop) en Monitor Sociale Veerkracht 2018, hoofdstuk 2"
    with pytest.raises(ValueError, match="onbekend bronbestand"):
        cite("005_0123456789abcdef.txt, tabel 1")


def test_seeded_sources_are_readers_words(app, db):
    """Every stored citation names a document, never a seed file: the loader cites once, on the way in."""
    import programme.models  # noqa: F401 (every model registered)
    from programme.core.sourced import SourcedMixin
    models = SourcedMixin.__subclasses__()
    assert len(models) > 10
    for model in models:
        for source in db.session.scalars(select(model.source).where(model.source.is_not(None))):
            assert not internals_in(source), (model.__name__, source)
    from programme.monitor.models import MonitorIndicator
    for description in db.session.scalars(select(MonitorIndicator.description)):
        assert not internals_in(description or ""), description


def test_monitor_page_names_documents_and_explains_differences(login_as):
    text = visible_text(login_as("reader").get("/monitor").text)
    assert "Bron: Monitor Sociale Veerkracht 2018 (PON/Telos)" in text
    assert "Monitor Sociale Veerkracht 2018, tabel 1" in text  # an indicator's source, cited
    # The sources disagree on West-Brabant: the page says so in a reader's words, naming table and text.
    assert "Waar de bronnen verschillen of onduidelijk zijn" in text
    assert re.search(r"Tabel 1 geeft 56% veerkrachtige inwoners voor West-Brabant, de tekst van hoofdstuk 2 "
                     r"noemt 52%.*\(Bron: Monitor Sociale Veerkracht 2018, tabel 1 en hoofdstuk 2\)", text, re.S)
    # Units beside the figures, in Dutch: hours and kilometres, not bare numbers or codes.
    assert re.search(r"\b6 uur\b", text) and re.search(r"\b\d+(,\d+)? km\b", text)


def test_extraction_notes_stay_in_the_seed_data(db):
    from programme.monitor.models import SourceNote
    from programme.seed.loader import load_yaml
    data = load_yaml("monitor.yaml")
    shown = set(db.session.scalars(select(SourceNote.text).where(SourceNote.topic == "monitor")))
    assert len(shown) == len(data["reader_notes"]) > 10
    assert not shown & set(data["extraction_notes"])
    assert all(not internals_in(note) for note in shown)


def test_units_are_dutch_everywhere(app):
    from programme.core.formatting import UNITS, measure, unit_label
    from programme.impact.forms import UNIT_CHOICES
    from programme.seed.loader import load_yaml
    used = {row["unit"] for row in load_yaml("monitor.yaml")["indicators"]}
    used |= {row["unit"] for row in load_yaml("plan.yaml")["horizon_indicators"] if row.get("unit")}
    assert used <= set(UNITS), used - set(UNITS)  # every seeded unit has a Dutch label
    assert unit_label("percent") == "%" and unit_label("count") == "aantal" and unit_label(None) == ""
    assert measure(57, "percent") == "57%" and measure(5.6, "hours") == "5,6 uur" and measure(None, "km") == "–"
    assert set(UNIT_CHOICES) == {""} | set(UNITS)  # the form offers exactly the labelled units


def test_initiative_page_shows_each_area_once(app, login_as):
    """1.1.5: West-Brabant (figuur 1) and three municipalities without figures of their own, all in
    West-Brabant; 1.1.2: Roosendaal (no figures of its own) and West-Brabant. One table each."""
    client = login_as("reader")
    for number, stand_ins in (("1.1.5", ("Aalburg", "Werkendam", "Woudrichem")), ("1.1.2", ("Roosendaal",))):
        with app.app_context():
            initiative = _db.session.scalar(select(Initiative).where(Initiative.number == number))
            assert {a.name for a in initiative.areas} >= {"West-Brabant", *stand_ins}
            initiative_id = initiative.id
        html = client.get(f"/initiatieven/{initiative_id}").text
        assert html.count('<table class="monitor-profile"') == 1, number
        assert html.count("Monitor 2018: West-Brabant naast Brabant</caption>") == 1, number
        text = visible_text(html)
        names = " en ".join([", ".join(stand_ins[:-1]), stand_ins[-1]]) if len(stand_ins) > 1 else stand_ins[0]
        assert f"De monitor geeft geen eigen cijfers voor {names}; hier staan de cijfers van " \
               "West-Brabant." in text, number


def test_initiative_page_keeps_distinct_areas_apart(app, login_as):
    """1.1.10 names Bladel (no own figures: Zuidoost-Brabant) and Eindhoven (own figures): two tables."""
    with app.app_context():
        initiative_id = _db.session.scalar(select(Initiative.id).where(Initiative.number == "1.1.10"))
    html = login_as("reader").get(f"/initiatieven/{initiative_id}").text
    captions = re.findall(r"<caption[^>]*>Monitor 2018: ([^<]*) naast Brabant</caption>", html)
    assert sorted(captions) == ["Eindhoven", "Zuidoost-Brabant"]


def test_labels_inside_sentences_keep_their_abbreviations(login_as):
    from programme.core.formatting import dutch_list, in_sentence
    assert in_sentence("Voortgangsrapportage GS (kwartaal)") == "voortgangsrapportage GS (kwartaal)"
    assert in_sentence("COROP-regio") == "COROP-regio"
    assert in_sentence("Regio kleine gemeenten") == "regio kleine gemeenten"
    assert dutch_list(["Aalburg", "Werkendam", "Woudrichem"]) == "Aalburg, Werkendam en Woudrichem"
    assert dutch_list(["Zundert"]) == "Zundert"
    text = visible_text(login_as("reader").get("/monitor").text)
    assert "West-Brabant (COROP-regio)" in text and "corop-regio" not in text
    assert "Breda (gemeente, B5)" in text
