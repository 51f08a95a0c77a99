"""The manager edits what the sources hold on the initiative form: cross-over tasks, areas (a grouped
checkbox list with a filter) and partners (organisations with a type, existing or new), audited; bad input
is refused with a Dutch message and changes nothing; partners are seeded with a type."""
import html as html_lib
import itertools
import re

import pytest
from sqlalchemy import func, select

from programme.core.extensions import db as _db
from programme.initiatives import operations as ops
from programme.initiatives.models import (ORGANISATION_KINDS, CrossoverTask, Initiative, Organisation)
from programme.monitor.models import Area
from programme.seed.loader import Seeder, load_yaml
from tests.conftest import csrf_token
from tests.editing_helpers import last_audit, signed_in

_numbers = itertools.count(1)
RENAME_NAMES = ("Proef Nieuw", "proef oud", "Proef Twee", "proef twee", "Proef Drie", "proef drie")
TEST_NAMES = ("Stichting Proefpartner", "Proefopgave wonen", "Proef Conflictpartner", *RENAME_NAMES)


def _new_initiative(app) -> int:
    with app.app_context():
        item = Initiative(number=f"98.{next(_numbers)}", name="Proef bronnen", line="both", status="active")
        _db.session.add(item)
        _db.session.commit()
        return item.id


def _ids(app, model, *names) -> list[int]:
    with app.app_context():
        found = dict(_db.session.execute(select(model.name, model.id).where(model.name.in_(names))).all())
    assert set(found) == set(names), names
    return [found[name] for name in names]


def _state(app, initiative_id):
    """Everything an edit could change: the initiative's values and version, and the lists to choose from."""
    with app.app_context():
        _db.session.expire_all()
        item = _db.session.get(Initiative, initiative_id)
        counts = tuple(_db.session.scalar(select(func.count(model.id))) for model in (Organisation, CrossoverTask))
        return ops.editable_values(item), item.version, counts


def _form(client, initiative_id, **changes) -> dict:
    """The edit form as the browser would post it unchanged, with `changes` applied."""
    page = client.get(f"/initiatieven/{initiative_id}/bewerken")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_token(page),
            "version": re.search(r'name="version"[^>]*value="(\d+)"', html).group(1),
            "name": re.search(r'name="name"[^>]*value="([^"]*)"', html).group(1)}
    for name in ("status", "line"):
        data[name] = re.search(rf'<select[^>]*name="{name}".*?<option selected value="([^"]*)"', html, re.S).group(1)
    for name in ("owners", "themes", "areas", "crossover_tasks", "partners"):
        data[name] = re.findall(rf'<input checked[^>]*name="{name}"[^>]*value="(\d+)"', html)
    data.update(changes)
    return data


def _groups(html: str, field: str) -> dict[str, list[str]]:
    """The grouped checkbox list of a field: {group legend: [checkbox labels]}."""
    block = re.search(rf'<div class="checkbox-groups" id="{field}-groups">(.*?)</div>', html, re.S).group(1)
    groups = {}
    for legend, body in re.findall(r'<fieldset class="checkbox-group">\s*<legend>(.*?)</legend>(.*?)</fieldset>',
                                   block, re.S):
        assert all(f'name="{field}"' in box for box in re.findall(r'<input[^>]*type="checkbox"[^>]*>', body))
        groups[legend] = [html_lib.unescape(label)
                          for label in re.findall(r'<label for="[^"]+">([^<]*)</label>', body)]
    return groups


def test_the_form_offers_grouped_area_and_partner_checkboxes_with_a_filter(app):
    initiative_id = _new_initiative(app)
    html = signed_in(app).get(f"/initiatieven/{initiative_id}/bewerken").get_data(as_text=True)
    assert "<select multiple" not in html and "Ctrl" not in html
    areas = _groups(html, "areas")
    assert list(areas) == ["Provincie", "COROP-regio’s", "Grote steden (B5)", "Middelgrote gemeenten (M7)",
                           "Regio’s van kleine gemeenten", "Andere gemeenten"]
    assert areas["Provincie"] == ["Brabant"]
    assert "Helmond" in areas["Grote steden (B5)"] and "Oss" in areas["Middelgrote gemeenten (M7)"]
    assert "West-Brabant" in areas["COROP-regio’s"] and "West-Brabant-West" in areas["Regio’s van kleine gemeenten"]
    with app.app_context():
        all_areas = sorted(_db.session.scalars(select(Area.name)))
        all_organisations = sorted(_db.session.scalars(select(Organisation.name)))
    assert sorted(sum(areas.values(), [])) == all_areas  # every area exactly once
    partners = _groups(html, "partners")
    assert "Gemeente Oss" in partners["Gemeente"] and "PON" in partners["Kennis- of onderwijsinstelling"]
    assert set(partners) <= set(ORGANISATION_KINDS.values())
    assert sorted(sum(partners.values(), [])) == all_organisations
    # the filter boxes: hidden until the script shows them (without JavaScript the whole list shows)
    for field, label in (("areas", "Gebieden filteren"), ("partners", "Organisaties filteren")):
        box = re.search(rf'<div class="checkbox-filter" data-checkbox-filter="{field}-groups"[^>]*>', html).group(0)
        assert " hidden" in box
        assert f'<label for="{field}-filter">{label}</label>' in html
        assert f'<input type="search" id="{field}-filter"' in html
    assert re.search(r'<script src="/static/js/checkbox-filter.js[^"]*" defer></script>', html)
    assert "<script>" not in html  # CSP: no inline script
    assert 'name="crossover_tasks"' in html and 'name="new_crossover_task"' in html
    assert 'name="new_partner_name"' in html and 'name="new_partner_kind"' in html


def test_manager_edits_crossovers_areas_and_partners_with_audit(app):
    initiative_id = _new_initiative(app)
    client = signed_in(app)
    labour, health = _ids(app, CrossoverTask, "Arbeidsmarkt", "Smart Health")
    oss, west = _ids(app, Area, "Oss", "West-Brabant")
    pon, oss_municipality = _ids(app, Organisation, "PON", "Gemeente Oss")
    data = _form(client, initiative_id, crossover_tasks=[str(labour), str(health)], areas=[str(oss), str(west)],
                 partners=[str(pon), str(oss_municipality)])
    response = client.post(f"/initiatieven/{initiative_id}/bewerken", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    values, version, _ = _state(app, initiative_id)
    assert values["crossover_tasks"] == sorted([labour, health])
    assert values["areas"] == sorted([oss, west])
    assert values["partners"] == sorted([pon, oss_municipality])
    assert version == 2
    entry = last_audit(app, "initiative.update", initiative_id=initiative_id)
    assert entry.old_values == {"crossover_tasks": [], "areas": [], "partners": []}
    assert entry.new_values == {"crossover_tasks": ["Arbeidsmarkt", "Smart Health"],
                                "areas": ["Oss", "West-Brabant"], "partners": ["Gemeente Oss", "PON"]}

    # a new organisation with its type and a new cross-over task, added and linked in the same save;
    # one partner and one area dropped
    data = _form(client, initiative_id, partners=[str(pon)], areas=[str(oss)],
                 new_partner_name="Stichting Proefpartner", new_partner_kind="civil_society",
                 new_crossover_task="Proefopgave wonen")
    response = client.post(f"/initiatieven/{initiative_id}/bewerken", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        organisation = _db.session.scalar(select(Organisation).filter_by(name="Stichting Proefpartner"))
        assert organisation.kind == "civil_society" and organisation.kind_label == "Maatschappelijke organisatie"
        item = _db.session.get(Initiative, initiative_id)
        assert [p.name for p in item.partners] == ["PON", "Stichting Proefpartner"]
        assert [t.name for t in item.crossover_tasks] == ["Arbeidsmarkt", "Proefopgave wonen", "Smart Health"]
        assert _db.session.scalar(select(func.count(CrossoverTask.id)).filter_by(name="Proefopgave wonen")) == 1
        assert [a.name for a in item.figure_areas] == ["Oss"]
        assert item.version == 3
    entry = last_audit(app, "initiative.update", initiative_id=initiative_id)
    assert entry.old_values["partners"] == ["Gemeente Oss", "PON"]
    assert entry.new_values["partners"] == ["PON", "Stichting Proefpartner"]
    assert entry.new_values["crossover_tasks"] == ["Arbeidsmarkt", "Proefopgave wonen", "Smart Health"]
    assert entry.old_values["areas"] == ["Oss", "West-Brabant"] and entry.new_values["areas"] == ["Oss"]
    created = last_audit(app, "organisation.create", initiative_id=initiative_id)
    assert created.new_values == {"name": "Stichting Proefpartner", "kind": "Maatschappelijke organisatie"}
    assert last_audit(app, "crossover_task.create", initiative_id=initiative_id).new_values == {
        "name": "Proefopgave wonen"}

    # the initiative page shows the partners with their type, and the cross-over tasks
    html = signed_in(app, "reader").get(f"/initiatieven/{initiative_id}").get_data(as_text=True)
    partners = re.search(r'<h2 id="partners">Partners</h2>(.*?)</section>', html, re.S).group(1)
    assert "Stichting Proefpartner <span class=\"muted\">(maatschappelijke organisatie)</span>" in partners
    assert "PON <span class=\"muted\">(kennis- of onderwijsinstelling)</span>" in partners
    assert "Arbeidsmarkt, Proefopgave wonen, Smart Health" in html
    # the history of the initiative names the new organisation in Dutch
    history = signed_in(app, "reader").get(f"/initiatieven/{initiative_id}/audit").get_data(as_text=True)
    assert "Organisatie toegevoegd" in history and "Stichting Proefpartner" in history


@pytest.mark.parametrize(("changes", "message"), [
    ({"areas": ["999999"]}, "Kies alleen uit de getoonde mogelijkheden."),
    ({"areas": ["Oss"]}, "Kies alleen uit de getoonde mogelijkheden."),
    ({"partners": ["999999"]}, "Kies alleen uit de getoonde mogelijkheden."),
    ({"crossover_tasks": ["999999"]}, "Kies alleen uit de getoonde mogelijkheden."),
    ({"new_partner_name": "Stichting Zonder Soort"}, "Kies de soort van de nieuwe organisatie."),
    ({"new_partner_kind": "business"}, "Vul de naam van de nieuwe organisatie in"),
    ({"new_partner_name": "Bedrijf X", "new_partner_kind": "company"}, "Kies een soort uit de lijst."),
    ({"new_partner_name": "pon", "new_partner_kind": "knowledge"},
     "De organisatie ‘pon’ bestaat al; vink haar aan in de lijst."),
    ({"new_crossover_task": "arbeidsmarkt"}, "De cross-over-opgave ‘arbeidsmarkt’ bestaat al"),
])
def test_bad_input_is_refused_in_dutch_and_changes_nothing(app, changes, message):
    initiative_id = _new_initiative(app)
    client = signed_in(app)
    oss, = _ids(app, Area, "Oss")
    pon, = _ids(app, Organisation, "PON")
    # valid changes alongside the bad one must not be saved either
    data = _form(client, initiative_id, name="Mag niet opgeslagen worden", areas=[str(oss)], partners=[str(pon)])
    data.update(changes)
    before = _state(app, initiative_id)
    response = client.post(f"/initiatieven/{initiative_id}/bewerken", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Er is een probleem" in html and message in html
    assert _state(app, initiative_id) == before


def test_owner_and_reader_cannot_edit_sources_fields(app):
    initiative_id = _new_initiative(app)
    manager_form = _form(signed_in(app), initiative_id)
    oss, = _ids(app, Area, "Oss")
    before = _state(app, initiative_id)
    for role in ("owner", "reader"):
        client = signed_in(app, role)
        assert client.get(f"/initiatieven/{initiative_id}/bewerken").status_code == 403
        data = dict(manager_form, csrf_token=csrf_token(client.get("/")), areas=[str(oss)],
                    new_partner_name="Stichting Proefpartner", new_partner_kind="business",
                    new_crossover_task="Proefopgave wonen")
        assert client.post(f"/initiatieven/{initiative_id}/bewerken", data=data).status_code == 403
    assert _state(app, initiative_id) == before


def test_conflict_shows_the_sources_fields_and_creates_nothing(app, managers):
    initiative_id = _new_initiative(app)
    first, second = managers
    path = f"/initiatieven/{initiative_id}/bewerken"
    labour, = _ids(app, CrossoverTask, "Arbeidsmarkt")
    pon, = _ids(app, Organisation, "PON")
    helmond, = _ids(app, Area, "Helmond")
    stale = _form(second, initiative_id, partners=[str(pon)], areas=[str(helmond)],
                  new_partner_name="Proef Conflictpartner", new_partner_kind="business")
    assert first.post(path, data=_form(first, initiative_id, crossover_tasks=[str(labour)])).status_code == 302
    before = _state(app, initiative_id)
    response = second.post(path, data=stale)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    conflict = re.search(r'class="conflict".*?</table>', html, re.S).group(0)
    for label, stored, theirs in (("Cross-over met", "Arbeidsmarkt", "–"), ("Partners (organisaties)", "–", "PON"),
                                  ("Gebieden (Figuur 1)", "–", "Helmond")):
        row = re.search(rf"<tr>\s*<th[^>]*>{re.escape(label)}</th>(.*?)</tr>", conflict, re.S)
        assert row, label
        cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
        assert cells == [stored, theirs], (label, cells)
    assert 'value="Proef Conflictpartner"' in html  # their input is kept in the form
    assert _state(app, initiative_id) == before  # no organisation created


def test_seeded_partners_are_typed_organisations_of_every_initiative(db):
    initiatives = db.session.scalars(select(Initiative).where(Initiative.number.like("1.1.%"))).all()
    assert len(initiatives) == 11
    for initiative in initiatives:
        assert initiative.partners, initiative.number
        for organisation in initiative.partners:
            assert organisation.kind in ORGANISATION_KINDS and organisation.kind != "other", organisation
    by_number = {i.number: i for i in initiatives}
    assert {(o.name, o.kind_label) for o in by_number["1.1.8"].partners} == {
        ("Gemeente Oss", "Gemeente"), ("BOM", "Bedrijf"), ("Stichting Elzeneind", "Zorg en welzijn"),
        ("Wijkraad De Ruwaard", "Inwoners en inwonersinitiatief"), ("Team Vastgoed", "Provinciaal team")}
    # the two spellings of 'gemeenten' in the source are one organisation
    gemeenten = db.session.scalar(select(Organisation).filter_by(name="Gemeenten"))
    assert gemeenten in by_number["1.1.1"].partners and gemeenten in by_number["1.1.10"].partners
    assert db.session.scalar(select(Organisation).filter_by(name="gemeenten")) is None
    # the source's own wording stays
    assert by_number["1.1.8"].partners_text.startswith("Gemeente Oss, BOM, Stichting Elzeneind")
    # every organisation in the seed data has a known type
    assert {row["kind"] for row in load_yaml("initiatives.yaml")["organisations"]} <= set(ORGANISATION_KINDS)


def test_seed_renames_an_earlier_spelling_and_retires_a_merged_one(app):
    initiative_id = _new_initiative(app)
    with app.app_context():
        item = _db.session.get(Initiative, initiative_id)
        renamed = Organisation(name="proef oud", kind="other")
        merged_unused = Organisation(name="proef twee", kind="other")
        merged_used = Organisation(name="proef drie", kind="other")
        _db.session.add_all([renamed, merged_unused, merged_used, Organisation(name="Proef Twee", kind="business"),
                             Organisation(name="Proef Drie", kind="business")])
        item.partners = [renamed, merged_used]
        _db.session.commit()
        renamed_id = renamed.id
        data = {"organisations": [{"name": "Proef Nieuw", "kind": "business", "was": ["proef oud"]},
                                  {"name": "Proef Twee", "kind": "business", "was": ["proef twee"]},
                                  {"name": "Proef Drie", "kind": "business", "was": ["proef drie"]}]}
        seeder = Seeder()
        organisations = seeder.organisations(data)
        seeder.retire_renamed_organisations(data)
        _db.session.commit()
        assert organisations["Proef Nieuw"].id == renamed_id  # renamed in place: its links stay
        assert organisations["Proef Nieuw"].kind == "business"
        names = set(_db.session.scalars(select(Organisation.name).where(Organisation.name.in_(RENAME_NAMES))))
        assert names == {"Proef Nieuw", "Proef Twee", "Proef Drie", "proef drie"}  # the used one stays
        assert {p.name for p in _db.session.get(Initiative, initiative_id).partners} == {"Proef Nieuw", "proef drie"}
        again = Seeder()
        again.organisations(data)
        again.retire_renamed_organisations(data)
        assert again.changes == 0
