"""Areas across municipal reorganisations: keyed on CBS code and years, with predecessors and successors."""
from sqlalchemy import func, select

from programme.initiatives.models import Initiative
from programme.monitor import geo
from programme.monitor.queries import areas_in, change_notes, counterparts
from programme.monitor.models import Area, AreaChange


def _area(db, name: str) -> Area:
    return db.session.scalar(select(Area).where(Area.name == name))


def _names(areas) -> set[str]:
    return {a.name for a in areas}


def test_each_year_has_the_municipalities_of_that_year(db):
    assert len(areas_in(2016)) == 66 and len(areas_in(2018)) == 64 and len(areas_in(2026)) == 56
    in_2018, in_2026 = _names(areas_in(2018)), _names(areas_in(2026))
    assert {"Aalburg", "Werkendam", "Woudrichem", "Haaren", "Uden", "Landerd", "Boxmeer", "Meierijstad"} <= in_2018
    assert not {"Altena", "Maashorst", "Land van Cuijk", "Schijndel"} & in_2018
    assert {"Altena", "Maashorst", "Land van Cuijk", "Meierijstad", "Vught"} <= in_2026
    assert not {"Aalburg", "Haaren", "Uden", "Boxmeer", "Grave"} & in_2026
    assert {"Schijndel", "Sint-Oedenrode", "Veghel"} <= _names(areas_in(2016))
    assert "Haaren" in _names(areas_in(2020)) and "Haaren" not in _names(areas_in(2021))
    assert _names(areas_in(2018, "corop")) == {"West-Brabant", "Midden-Brabant", "Noordoost-Brabant",
                                                "Zuidoost-Brabant"}


def test_the_areas_are_those_of_the_shipped_boundaries(db):
    """Keyed on CBS code, the years they exist as the change list gives them; the seed's names are CBS's."""
    for municipality in geo.municipalities():
        area = db.session.scalar(select(Area).where(Area.cbs_code == municipality.code))
        assert area is not None and area.kind == "municipality", municipality
        assert (area.name, area.valid_from, area.valid_to) == (municipality.name, municipality.valid_from,
                                                               municipality.valid_to)
    assert db.session.scalar(select(func.count(Area.id)).where(Area.kind == "municipality")) == 70
    assert {a.cbs_code for a in areas_in(2018, "corop")} == {"CR33", "CR34", "CR35", "CR36"}
    for year in (2016, 2018, 2019, 2021, 2026):  # the map and the table always list the same areas
        assert [s.code for s in geo.shapes("municipality", year)] == sorted(a.cbs_code for a in areas_in(year))


def test_existing_areas_keep_their_place_and_initiatives_their_areas(db):
    helmond = _area(db, "Helmond")
    assert (helmond.cbs_code, helmond.group, helmond.parent.name) == ("GM0794", "B5", "Zuidoost-Brabant")
    assert _area(db, "Uden").group == "M7" and _area(db, "Uden").valid_to == 2021
    altena = db.session.scalar(select(Initiative).where(Initiative.number == "1.1.5"))
    assert {"West-Brabant", "Aalburg", "Werkendam", "Woudrichem"} <= _names(altena.areas)
    assert all(a.exists_in(2018) for a in altena.areas)  # the municipalities of the Uitvoeringsagenda's time
    # ... and what they became: Altena, a municipality of its own since 2019 in CBS's COROP region Midden.
    for name in ("Aalburg", "Werkendam", "Woudrichem"):
        assert [(a.name, share) for a, share in counterparts(_area(db, name), 2026)] == [("Altena", 1)]
    assert _area(db, "Altena").parent.name == "Midden-Brabant" and _area(db, "Altena").valid_from == 2019


def test_predecessors_and_successors(db):
    assert db.session.scalar(select(func.count(AreaChange.id))) == 17
    haaren = [(a.name, str(share)) for a, share in counterparts(_area(db, "Haaren"), 2026)]
    assert haaren == [("Vught", "0.429"), ("Oisterwijk", "0.286"), ("Tilburg", "0.174"), ("Boxtel", "0.096")]
    assert _names(a for a, _ in counterparts(_area(db, "Altena"), 2018)) == {"Aalburg", "Werkendam", "Woudrichem"}
    assert _names(a for a, _ in counterparts(_area(db, "Land van Cuijk"), 2020)) == {
        "Boxmeer", "Cuijk", "Grave", "Mill en Sint Hubert", "Sint Anthonis"}
    assert [a.name for a, _ in counterparts(_area(db, "Schijndel"), 2026)] == ["Meierijstad"]
    assert [a.name for a, _ in counterparts(_area(db, "Vught"), 2018)] == ["Vught"]  # existed all along
    merger = [c for c in _area(db, "Uden").became]
    assert [(c.successor.name, c.year, c.kind_label) for c in merger] == [("Maashorst", 2022, "samenvoeging")]


def test_change_notes_say_where_an_area_changed(db):
    names = ("Aalburg", "Altena", "Haaren", "Vught", "Helmond")
    notes = change_notes([_area(db, n) for n in names])
    by_name = {n: notes.get(_area(db, n).id) for n in names}
    assert by_name["Aalburg"] == ["Per 2019 samengevoegd tot Altena, met Werkendam en Woudrichem."]
    assert by_name["Altena"] == ["Sinds 2019 ontstaan uit Aalburg, Werkendam en Woudrichem."]
    assert by_name["Haaren"] == ["Per 2021 opgeheven en verdeeld over Vught (43%), Oisterwijk (29%), "
                                 "Tilburg (17%) en Boxtel (10%)."]
    assert by_name["Vught"] == ["Sinds 2021 vergroot met 43% van het oppervlak van Haaren."]
    assert by_name["Helmond"] is None


def test_boundaries_of_a_year_between_the_shipped_files():
    """2019: Altena from the 2026 file, the rest from 2018; 2021: Vught with its part of Haaren (2026)."""
    in_2019 = {s.code: s.year for s in geo.shapes("municipality", 2019)}
    assert in_2019["GM1959"] == 2026 and in_2019["GM0788"] == 2018 and "GM0738" not in in_2019
    assert {s.code: s.year for s in geo.shapes("municipality", 2021)}["GM0865"] == 2026
    assert geo.attribution(geo.shapes("municipality", 2019)) == "Bron: CBS/Kadaster, 2018 en 2026"
    assert geo.attribution(geo.shapes("municipality", 2018)) == "Bron: CBS/Kadaster, 2018"
    assert [s.code for s in geo.shapes("corop", 2016)] == ["CR33", "CR34", "CR35", "CR36"]
