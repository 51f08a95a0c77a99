"""Reading and checking the rows of a monitor spreadsheet: areas, indicators, numbers and the two layouts.

Every problem is recorded in the plan (import_plan) with its row and column, in Dutch. Two layouts:
long (one value a row: edition, area code or name, indicator code, value) and wide, the
"tabellenboek" (indicators as rows, areas as columns). Empty cells mean "no value" and never remove a
stored one. Numbers are read by core.numbers.parse_number, with one rule for the decimal notation of a
file (NOTATION_RULE), so that '1.234' is never silently read the wrong way."""
import difflib
import re
from decimal import Decimal

from sqlalchemy import select

from programme.core.extensions import db
from programme.core.formatting import number
from programme.core.numbers import parse_number
from programme.monitor import queries
from programme.monitor.import_plan import Item, Plan, Problem
from programme.monitor.models import Area, MonitorIndicator
from programme.monitor.spreadsheets import Cell, Grid, is_date

NOTATION_RULE = (
    "Decimale notatie: een komma is een decimaalteken en punten scheiden duizendtallen (12,5 en 1.234,5); "
    "een punt met andere dan drie cijfers erachter is een decimaalpunt (12.5). Een getal als 1.234 of 1,234 "
    "is dubbelzinnig: het wordt gelezen volgens de notatie die de rest van het bestand gebruikt, en geweigerd "
    "als het bestand die niet laat zien. Getallen in Excel-cellen zijn getallen: daar speelt dit niet.")
NOTATIONS = {"nl": "Nederlands (decimale komma)", "en": "Engels (decimale punt)",
             "mixed": "gemengd: zowel decimale komma's als decimale punten", None: "niet af te leiden uit het bestand"}
HEADERS = {
    "edition": ("editie", "edition", "jaar", "year", "editie (jaar)"),
    "area": ("gebiedscode", "gebied", "area", "area code", "gebied (code of naam)", "cbs-code", "gemeente",
             "code gebied"),
    "indicator": ("indicatorcode", "indicator", "indicator code", "code indicator"),
    "value": ("waarde", "value"),
}
COLUMN_WORDS = {"edition": "editie", "area": "gebied", "indicator": "indicator", "value": "waarde"}
# Columns of the wide layout that describe the indicator and hold no area's values.
DESCRIPTIVE = {"indicatornaam", "naam", "name", "indicator (naam)", "omschrijving", "eenheid", "unit"}
DUTCH = re.compile(r"^\d+,(?!\d{3}$)\d+$|^\d{1,3}(\.\d{3})+,\d+$")
ENGLISH = re.compile(r"^\d+\.(?!\d{3}$)\d+$|^\d{1,3}(,\d{3})+\.\d+$")
AMBIGUOUS = re.compile(r"^\d{1,3}[.,]\d{3}$")
UNIT_WORDS = {"percent": "procent", "score": "score", "count": "aantal", "hours": "uren", "km": "kilometers"}
CODE_IN_PARENTHESES = re.compile(r"\(([A-Za-z]{2}\d{2,4})\)\s*$")


class Lookup:
    """Areas and indicators as a file may name them (code or name, any case), with close matches."""

    def __init__(self, year: int):
        self.year = year
        self.areas = db.session.scalars(select(Area)).all()
        self.indicators = db.session.scalars(select(MonitorIndicator).order_by(MonitorIndicator.position)).all()
        self.area_keys: dict[str, Area] = {}
        for area in self.areas:
            self.area_keys[area.name.lower()] = area
        for area in self.areas:  # codes win over a name that happens to look like one
            if area.cbs_code:
                self.area_keys[area.cbs_code.lower()] = area
        self.indicator_keys = {i.code.lower(): i for i in self.indicators}
        self._area_notes: dict[int, str] = {}

    def area(self, text: str) -> Area | None:
        key = text.strip().lower()
        found = self.area_keys.get(key)
        if found is None and (match := CODE_IN_PARENTHESES.search(text)):
            found = self.area_keys.get(match.group(1).lower())
        return found

    def area_suggestions(self, text: str) -> str:
        current = {a.name.lower(): a for a in self.areas if a.exists_in(self.year)}
        current.update({a.cbs_code.lower(): a for a in current.values() if a.cbs_code})
        keys = difflib.get_close_matches(text.strip().lower(), list(current), n=3, cutoff=0.75)
        found = list(dict.fromkeys(current[k] for k in keys))
        return _suggest([f"{a.name} ({a.cbs_code})" if a.cbs_code else a.name for a in found])

    def indicator_suggestions(self, text: str) -> str:
        keys = {i.code.lower(): i for i in self.indicators}
        keys.update({i.name.lower(): i for i in self.indicators})
        found = difflib.get_close_matches(text.strip().lower(), list(keys), n=3, cutoff=0.75)
        return _suggest(list(dict.fromkeys(keys[k].code for k in found)))

    def not_in_year(self, area: Area) -> str:
        """Why an area cannot have a value in this edition's year, naming what it is in that year."""
        if area.id not in self._area_notes:
            now = [a.name for a, _share in queries.counterparts(area, self.year)]
            later = area.valid_to is not None and self.year > area.valid_to
            when = (f"bestaat sinds {area.valid_to + 1} niet meer" if later
                    else f"bestaat pas sinds {area.valid_from}")
            instead = (f" In {self.year} hoort dit gebied bij {_list(now)}: geef de waarde voor "
                       f"{'die gemeente' if len(now) == 1 else 'die gemeenten'}." if now else "")
            self._area_notes[area.id] = (f"Gemeente {area.name} {when} en heeft dus geen waarde in de editie "
                                         f"{self.year}.{instead}")
        return self._area_notes[area.id]


def _list(names: list[str]) -> str:
    from programme.core.formatting import dutch_list
    return dutch_list(names)


def _suggest(names: list[str]) -> str:
    return f" Bedoelt u {_list(names).replace(' en ', ' of ')}?" if names else ""


# ---------------------------------------------------------------- numbers

def notation_of(grid: Grid) -> str | None:
    dutch = english = False
    for row in grid.rows:
        for cell in row:
            if isinstance(cell.value, str):
                text = cell.value.lstrip("-−").replace(" ", "")
                dutch = dutch or bool(DUTCH.match(text))
                english = english or bool(ENGLISH.match(text))
    if dutch and english:
        return "mixed"
    return "nl" if dutch else "en" if english else None


def read_value(cell: Cell, indicator: MonitorIndicator, notation: str | None) -> Decimal:
    """The cell's number; ValueError with a Dutch message when there is none to read."""
    value = cell.value
    if isinstance(value, bool) or is_date(value):
        raise ValueError(f"Hier hoort een getal, maar de cel bevat {'een datum' if is_date(value) else 'ja/nee'}.")
    if isinstance(value, (int, float)):
        result = Decimal(repr(value)).quantize(Decimal("0.0001")) if isinstance(value, float) else Decimal(value)
        if cell.percent_format and indicator.unit == "percent":
            result = (result * 100).quantize(Decimal("0.0001"))
        return result.normalize() if result == result.to_integral_value() else result
    text = str(value).strip()
    if indicator.unit == "percent" and text.endswith("%"):
        text = text[:-1].strip()
    bare = text.lstrip("-−").replace(" ", "")
    if AMBIGUOUS.match(bare):
        if notation == "en":
            text = text.replace(",", "").replace(".", ",")
        elif notation != "nl":
            raise ValueError(f"‘{text}’ is dubbelzinnig: in Nederlandse notatie is het {number(parse_number(text))}, "
                             f"in Engelse notatie {text.replace('.', ',') if '.' in text else text.replace(',', '')}, "
                             "en het bestand laat niet zien welke notatie het gebruikt. Schrijf het getal "
                             "zonder duizendtalscheiding (bijvoorbeeld 1234) of met een duidelijke decimaal.")
    elif notation == "en" and ENGLISH.match(bare):
        text = text.replace(",", "").replace(".", ",")
    try:
        return parse_number(text)
    except ValueError as error:
        if re.search(r"[0-9]", text):
            raise ValueError(f"‘{text}’ is geen getal dat te lezen is. {error}") from None
        raise ValueError(f"Hier hoort een getal, maar er staat tekst: ‘{text}’. Laat de cel leeg als er geen "
                         "waarde is.") from None


def range_problem(value: Decimal, indicator: MonitorIndicator) -> str | None:
    low, high = indicator.value_range
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = (f"van {number(low)} tot en met {number(high)}" if low is not None and high is not None
                  else f"minstens {number(low)}" if low is not None else f"hoogstens {number(high)}")
        unit = UNIT_WORDS.get(indicator.unit, indicator.unit_label or indicator.unit)
        return f"De waarde {number(value)} ligt buiten het bereik van deze indicator ({bounds}, {unit})."
    return None


# ---------------------------------------------------------------- the two layouts

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(grid: Grid) -> tuple[int, list[Cell]]:
    for index, row in enumerate(grid.rows):
        if any(cell.value not in (None, "") for cell in row):
            return index, row
    return 0, []


def check_rows(grid: Grid, plan: Plan) -> None:
    """Read every row of the grid in the plan's layout into the plan: its problems and the items to import."""
    lookup = Lookup(plan.year)
    cells = _long(grid, plan, lookup) if plan.layout == "long" else _wide(grid, plan, lookup)
    _values(cells, plan)


def _refuse(plan: Plan, cell: Cell, heading: str, message: str, *, value_cell: Cell | None = None,
            whole_row: bool = False) -> None:
    plan.problems.append(Problem(cell.row, None if whole_row else cell.column, heading, message))
    target = value_cell or cell
    plan.refused_cells.add((target.row, target.column))
    plan.refused_rows.add(target.row)


def _long(grid: Grid, plan: Plan, lookup: Lookup) -> list[tuple[Area, MonitorIndicator, Cell]]:
    start, header = _header(grid)
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _text(cell.value).lower()
        for meaning, names in HEADERS.items():
            if name in names and meaning not in columns:
                columns[meaning] = index
    missing = [COLUMN_WORDS[meaning] for meaning in ("area", "indicator", "value") if meaning not in columns]
    if missing:
        first = header[0] if header else Cell(start + 1, "A", None)
        plan.problems.append(Problem(first.row, None, "kopregel",
                                     f"De kopregel mist de kolom{'men' if len(missing) > 1 else ''} "
                                     f"{_list([f'‘{m}’' for m in missing])}. Gebruik het sjabloon voor het lange "
                                     "formaat (editie; gebiedscode; indicatorcode; waarde)."))
        plan.refused_rows.add(first.row)
        return []
    out = []
    width = max(columns.values()) + 1
    for row in grid.rows[start + 1:]:
        if not row or all(cell.value in (None, "") for cell in row):
            continue
        row = row + [Cell(row[0].row, _letter(index), None) for index in range(len(row), width)]

        def at(meaning, row=row):
            return row[columns[meaning]]
        value_cell = at("value")
        problems_before = len(plan.problems)
        if "edition" in columns and (edition := _text(at("edition").value)) and edition != str(plan.year):
            _refuse(plan, at("edition"), "editie", f"Deze rij hoort bij editie ‘{edition}’, maar u importeert in "
                    f"de editie {plan.year}. Zet ze in een eigen bestand of pas het jaar aan.", value_cell=value_cell)
        area = _area(plan, lookup, at("area"), value_cell)
        indicator = _indicator(plan, lookup, at("indicator"), value_cell)
        if len(plan.problems) == problems_before and area is not None and indicator is not None:
            out.append((area, indicator, value_cell))
    return out


def _letter(index: int | None) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter((index or 0) + 1)


def _area(plan: Plan, lookup: Lookup, cell: Cell, value_cell: Cell) -> Area | None:
    text = _text(cell.value)
    if not text:
        _refuse(plan, cell, "gebied", "Het gebied ontbreekt: vul de CBS-code of de naam in.", value_cell=value_cell)
        return None
    area = lookup.area(text)
    if area is None:
        _refuse(plan, cell, "gebied", f"Onbekend gebied ‘{text}’.{lookup.area_suggestions(text)}",
                value_cell=value_cell)
        return None
    if not area.exists_in(plan.year):
        _refuse(plan, cell, "gebied", lookup.not_in_year(area), value_cell=value_cell)
        return None
    return area


def _indicator(plan: Plan, lookup: Lookup, cell: Cell, value_cell: Cell) -> MonitorIndicator | None:
    text = _text(cell.value)
    if not text:
        _refuse(plan, cell, "indicator", "De indicatorcode ontbreekt.", value_cell=value_cell)
        return None
    indicator = lookup.indicator_keys.get(text.lower())
    if indicator is None:
        _refuse(plan, cell, "indicator", f"Onbekende indicator ‘{text}’.{lookup.indicator_suggestions(text)} "
                "Een nieuwe indicator voegt u eerst toe onder ‘Monitorindicator toevoegen’.", value_cell=value_cell)
    return indicator


def _wide(grid: Grid, plan: Plan, lookup: Lookup) -> list[tuple[Area, MonitorIndicator, Cell]]:
    start, header = _header(grid)
    areas: dict[int, Area] = {}
    refused_columns: set[int] = set()
    for index, cell in enumerate(header[1:], start=1):
        text = _text(cell.value)
        if not text or text.lower() in DESCRIPTIVE:
            continue
        area = lookup.area(text)
        message = (f"Onbekend gebied ‘{text}’ in de kopregel.{lookup.area_suggestions(text)}" if area is None
                   else lookup.not_in_year(area) if not area.exists_in(plan.year) else None)
        if message:
            plan.problems.append(Problem(cell.row, cell.column, "gebied in de kopregel",
                                         f"{message} De waarden in deze kolom zijn geweigerd."))
            refused_columns.add(index)
        else:
            areas[index] = area
    seen_columns: dict[int, str] = {}
    for index, area in areas.items():
        if area.id in seen_columns:
            plan.problems.append(Problem(header[index].row, header[index].column, "gebied in de kopregel",
                                         f"{area.name} staat ook in kolom {seen_columns[area.id]}: twee kolommen "
                                         "voor één gebied. De waarden in beide kolommen zijn geweigerd."))
            refused_columns.update({index, next(i for i, a in areas.items() if a.id == area.id)})
        seen_columns.setdefault(area.id, header[index].column)
    out = []
    for row in grid.rows[start + 1:]:
        if not row or all(cell.value in (None, "") for cell in row):
            continue
        filled = [cell for index, cell in enumerate(row[1:], start=1)
                  if (index in areas or index in refused_columns) and (cell.value not in (None, "")
                                                                       or cell.formula_without_result)]
        for index, cell in enumerate(row[1:], start=1):
            if index in refused_columns and cell.value not in (None, ""):
                plan.refused_cells.add((cell.row, cell.column))
                plan.refused_rows.add(cell.row)
        code = _text(row[0].value)
        indicator = lookup.indicator_keys.get(code.lower()) if code else None
        if indicator is None:
            message = (f"Onbekende indicator ‘{code}’.{lookup.indicator_suggestions(code)}" if code
                       else "De indicatorcode ontbreekt in kolom A.")
            plan.problems.append(Problem(row[0].row, "A", "indicator",
                                         f"{message} De waarden in deze rij zijn geweigerd."))
            for cell in filled:
                plan.refused_cells.add((cell.row, cell.column))
            plan.refused_rows.add(row[0].row)
            continue
        out.extend((areas[index], indicator, cell) for index, cell in enumerate(row[1:], start=1)
                   if index in areas and index not in refused_columns)
    return out


def _values(cells: list[tuple[Area, MonitorIndicator, Cell]], plan: Plan) -> None:
    first: dict[tuple[int, int], Item] = {}
    conflicting: set[tuple[int, int]] = set()
    heading = "waarde"
    for area, indicator, cell in cells:
        if cell.formula_without_result:
            _refuse(plan, cell, heading, "De cel bevat een formule zonder opgeslagen uitkomst (het bestand is niet "
                    "in een spreadsheetprogramma opgeslagen). Formules worden niet uitgerekend: open het bestand, "
                    "sla het op en upload het opnieuw, of vul de waarde zelf in.")
            continue
        if cell.value in (None, ""):
            plan.empty += 1
            continue
        try:
            value = read_value(cell, indicator, plan.notation)
        except ValueError as error:
            _refuse(plan, cell, heading, str(error))
            continue
        if (message := range_problem(value, indicator)) is not None:
            if isinstance(cell.value, str) and AMBIGUOUS.match(cell.value.lstrip("-−").replace(" ", "")):
                message += (f" ‘{cell.value}’ is gelezen volgens de notatie van het bestand "
                            f"({NOTATIONS[plan.notation]}).")
            _refuse(plan, cell, heading, message)
            continue
        key = (area.id, indicator.id)
        item = Item(area, indicator, value, cell.row, cell.column)
        if key in first:
            earlier = first[key]
            where = f"rij {earlier.row}" if plan.layout == "long" else f"cel {earlier.column}{earlier.row}"
            same = ("met dezelfde waarde" if earlier.value == value
                    else f"met een andere waarde ({number(earlier.value)})")
            _refuse(plan, cell, heading, f"Dubbel: {area.name}, {indicator.code} staat ook in {where}, {same}. "
                    + ("Alleen de eerste wordt gebruikt." if earlier.value == value
                       else "Omdat de waarden verschillen zijn beide geweigerd."))
            if earlier.value != value:
                conflicting.add(key)
            continue
        first[key] = item
    for key, item in first.items():
        if key in conflicting:
            plan.refused_cells.add((item.row, item.column))
            plan.refused_rows.add(item.row)
        else:
            plan.items.append(item)
