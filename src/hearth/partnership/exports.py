"""The dataset as an Excel workbook, CSV and JSON, from one flat list of records.

Numbers stay numbers (a percentage is a fraction formatted as a percentage in Excel), every text
cell that a spreadsheet could read as a formula is neutralised, and an export marked for
publication withholds every count of fewer than 5 children and each figure worked out from one.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from hearth.actionplans import reporting as actionplan_reporting
from hearth.lib.periods import Quarter
from hearth.partnership.dataset import Dataset, Row
from hearth.partnership.format import SMALL, SUPPRESSED, is_small
from hearth.partnership.measures import Figure, Unit
from hearth.toolkit import reporting as toolkit_reporting

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = float | int | str | date | None


def safe_text(text: str) -> str:
    """A leading apostrophe stops a spreadsheet treating "=HYPERLINK(...)" as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _figure(
    figure: Figure, unit: Unit, counts_children: bool, publication: bool
) -> dict[str, Cell]:
    value: Cell = figure.value
    numerator: Cell = figure.numerator
    denominator: Cell = figure.denominator
    if publication and counts_children:
        hidden = is_small(figure.numerator) or (
            unit == Unit.PERCENT and is_small(figure.denominator)
        )
        if is_small(figure.numerator):
            numerator = SUPPRESSED
        if unit == Unit.PERCENT and is_small(figure.denominator):
            denominator = SUPPRESSED
        if hidden:
            value = SUPPRESSED
    if isinstance(value, float):
        value = round(value, 4)
    return {"value": value, "numerator": numerator, "denominator": denominator}


def _unit_label(unit: Unit) -> str:
    return {
        Unit.PERCENT: "per cent",
        Unit.RATE: "per 10,000 children",
        Unit.COUNT: "count",
        Unit.DAYS: "days",
        Unit.SCORE: "score",
    }[unit]


def indicator_records(dataset: Dataset, *, publication: bool = False) -> list[dict[str, Cell]]:
    out: list[dict[str, Cell]] = []
    for row in dataset.rows:
        ind = row.indicator
        record: dict[str, Cell] = {
            "section": str(ind.section),
            "code": ind.code,
            "indicator": ind.name,
            "unit": _unit_label(ind.unit),
            "period_start": dataset.period.start,
            "period_end": dataset.period.end,
        }
        for prefix, figure in (
            ("", row.current.figure),
            ("previous_", row.previous),
            ("last_year_", row.last_year),
        ):
            for key, cell in _figure(figure, ind.unit, ind.counts_children, publication).items():
                record[prefix + key] = cell
        for n in range(4):
            ref = row.references[n] if n < len(row.references) else None
            record[f"reference_{n + 1}"] = ref.label if ref else None
            record[f"reference_{n + 1}_value"] = (
                round(ref.value, 4) if ref and ref.value is not None else None
            )
        record["dfe_definition"] = ind.dfe or "Hearth's own definition"
        out.append(record)
    return out


def breakdown_records(dataset: Dataset, *, publication: bool = False) -> list[dict[str, Cell]]:
    out: list[dict[str, Cell]] = []
    for row in dataset.rows:
        ind = row.indicator
        group_unit = Unit.PERCENT if ind.unit in (Unit.RATE, Unit.COUNT) else ind.unit
        for group in row.current.groups:
            record: dict[str, Cell] = {
                "code": ind.code,
                "indicator": ind.name,
                "dimension": group.dimension,
                "group": group.label,
                "measure": "share of the total"
                if group_unit != ind.unit
                else _unit_label(ind.unit),
            }
            record |= _figure(group.figure, group_unit, ind.counts_children, publication)
            out.append(record)
    return out


def trend_records(dataset: Dataset, *, publication: bool = False) -> list[dict[str, Cell]]:
    out: list[dict[str, Cell]] = []
    for row in dataset.rows:
        for period, figure in row.trend:
            record: dict[str, Cell] = {
                "code": row.indicator.code,
                "indicator": row.indicator.name,
                "period": period.label,
                "period_start": period.start,
                "period_end": period.end,
            }
            record |= _figure(
                figure, row.indicator.unit, row.indicator.counts_children, publication
            )
            out.append(record)
    return out


def rag_records(quarter: Quarter) -> list[dict[str, Cell]]:
    """The action plans' heatmap for the quarter: one row per agency and strategic objective."""
    out: list[dict[str, Cell]] = []
    for row in actionplan_reporting.heatmap(quarter):
        for cell in row["objectives"].values():
            out.append(
                {
                    "agency": row["agency"],
                    "plan_year": row["plan_year"],
                    "objective": cell["label"],
                    "rag": cell["rag"] or "not rated",
                    "previous_rag": cell["previous_rag"] or "not rated",
                    "movement": cell["movement"].replace("_", " "),
                    "actions": cell["actions"],
                    "red": cell["counts"]["red"],
                    "amber": cell["counts"]["amber"],
                    "green": cell["counts"]["green"],
                    "overdue": cell["overdue"],
                    "signed_off": row["signed_off_by"]
                    if row["signed_off_at"]
                    else "not signed off",
                }
            )
    return out


def definition_records(dataset: Dataset) -> list[dict[str, Cell]]:
    return [
        {
            "code": r.indicator.code,
            "section": str(r.indicator.section),
            "indicator": r.indicator.name,
            "unit": _unit_label(r.indicator.unit),
            "definition": r.indicator.definition,
            "numerator": r.indicator.numerator,
            "denominator": r.indicator.denominator or "",
            "source": r.indicator.source,
            "dfe_definition": r.indicator.dfe or "Hearth's own definition",
            "agency_filter": r.indicator.agency_filter,
            "reference_source": "; ".join(ref.source for ref in r.references),
        }
        for r in dataset.rows
    ]


def about(dataset: Dataset, *, publication: bool) -> list[tuple[str, Cell]]:
    return [
        ("Report", "Neglect dataset, computed from Hearth's records"),
        ("Period", f"{dataset.period.label}: {dataset.period.dates_label}"),
        (
            "Compared with",
            f"{dataset.previous_period.dates_label} and {dataset.last_year_period.dates_label}",
        ),
        ("Agency", dataset.agency.name if dataset.agency else "All agencies"),
        ("Child population", dataset.population_note),
        ("Local authority for comparisons", dataset.settings.la_code or "not chosen"),
        ("Generated", timezone.localtime().strftime("%-d %B %Y %H:%M")),
        (
            "Small numbers",
            f"Marked for publication: counts of 1 to {SMALL - 1} children, and figures worked out "
            f"from them, are shown as '{SUPPRESSED}'."
            if publication
            else "Not for publication: small numbers are shown. Do not publish this file.",
        ),
    ]


# ---- formats ----------------------------------------------------------------------------------
def payload(dataset: Dataset, *, publication: bool = False) -> dict[str, Any]:
    """The whole dataset as plain data: the JSON export and the API answer."""
    return {
        "about": dict(about(dataset, publication=publication)),
        "themes": [t.text for t in dataset.themes],
        "indicators": indicator_records(dataset, publication=publication),
        "breakdowns": breakdown_records(dataset, publication=publication),
        "trend": trend_records(dataset, publication=publication),
        "definitions": definition_records(dataset),
    }


def to_json(dataset: Dataset, *, publication: bool = False) -> str:
    return json.dumps(payload(dataset, publication=publication), indent=2, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _csv_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_csv(dataset: Dataset, *, publication: bool = False) -> str:
    """One table: each indicator's headline figure, then each group of its breakdowns."""
    records = indicator_records(dataset, publication=publication)
    groups = breakdown_records(dataset, publication=publication)
    columns = list(records[0]) if records else []
    columns += ["dimension", "group", "measure"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    by_code: dict[str, list[dict[str, Cell]]] = {}
    for g in groups:
        by_code.setdefault(str(g["code"]), []).append(g)
    for record in records:
        writer.writerow({k: _csv_cell(v) for k, v in record.items()})
        for g in by_code.get(str(record["code"]), []):
            row = {
                k: record[k]
                for k in ("section", "code", "indicator", "unit", "period_start", "period_end")
            }
            row |= {
                k: g[k]
                for k in ("dimension", "group", "measure", "value", "numerator", "denominator")
            }
            writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    return buffer.getvalue()


NUMBER_FORMATS = {
    Unit.PERCENT: "0.0%",
    Unit.RATE: "#,##0.0",
    Unit.COUNT: "#,##0",
    Unit.DAYS: "#,##0",
    Unit.SCORE: "0.00",
}


def _write(ws: Any, row: int, col: int, value: Cell, number_format: str | None = None) -> None:
    if isinstance(value, str):
        value = safe_text(value)
    cell = ws.cell(row=row, column=col, value=value)
    if number_format and isinstance(value, int | float):
        cell.number_format = number_format
    if isinstance(value, date):
        cell.number_format = "dd/mm/yyyy"


def _as_excel(value: Cell, unit: Unit) -> Cell:
    """Percentages as fractions, so Excel's percentage format shows them and sums work."""
    if unit == Unit.PERCENT and isinstance(value, int | float):
        return value / 100
    return value


def _header(ws: Any, columns: list[str]) -> None:
    for col, name in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = 14 if col > 2 else 48
    ws.freeze_panes = "C2"


def _section_sheet(
    wb: Workbook, title: str, rows: list[Row], dataset: Dataset, publication: bool
) -> None:
    ws = wb.create_sheet(title[:31])
    columns = [
        "Code",
        "Indicator",
        "Value",
        "Numerator",
        "Denominator",
        f"Previous ({dataset.previous_period.label})",
        "Previous numerator",
        "Previous denominator",
        f"A year earlier ({dataset.last_year_period.label})",
        "A year earlier numerator",
        "A year earlier denominator",
        "Comparison 1",
        "Comparison 1 value",
        "Comparison 2",
        "Comparison 2 value",
        "Comparison 3",
        "Comparison 3 value",
        "Comparison 4",
        "Comparison 4 value",
        "Unit",
    ]
    _header(ws, columns)
    for r, row in enumerate(rows, start=2):
        ind = row.indicator
        fmt = NUMBER_FORMATS[ind.unit]
        _write(ws, r, 1, ind.code)
        _write(ws, r, 2, ind.name)
        col = 3
        for figure in (row.current.figure, row.previous, row.last_year):
            cells = _figure(figure, ind.unit, ind.counts_children, publication)
            _write(ws, r, col, _as_excel(cells["value"], ind.unit), fmt)
            _write(ws, r, col + 1, cells["numerator"], "#,##0")
            _write(ws, r, col + 2, cells["denominator"], "#,##0")
            col += 3
        for n in range(4):
            ref = row.references[n] if n < len(row.references) else None
            _write(ws, r, col, ref.label if ref else None)
            _write(ws, r, col + 1, _as_excel(ref.value, ind.unit) if ref else None, fmt)
            col += 2
        _write(ws, r, col, _unit_label(ind.unit))


def _table_sheet(
    wb: Workbook, title: str, records: list[dict[str, Cell]], units: dict[str, Unit] | None = None
) -> None:
    ws = wb.create_sheet(title[:31])
    if not records:
        ws.cell(row=1, column=1, value="Nothing to show for this period.")
        return
    columns = list(records[0])
    _header(ws, [c.replace("_", " ").capitalize() for c in columns])
    for r, record in enumerate(records, start=2):
        unit = None
        if units is not None:
            unit = (
                Unit.PERCENT
                if record.get("measure") == "share of the total"
                else units.get(str(record.get("code")))
            )
        for c, key in enumerate(columns, start=1):
            value = record[key]
            if key == "value" and unit is not None:
                _write(ws, r, c, _as_excel(value, unit), NUMBER_FORMATS[unit])
            else:
                _write(
                    ws,
                    r,
                    c,
                    value,
                    "#,##0" if key in ("numerator", "denominator", "count") else None,
                )


def to_xlsx(dataset: Dataset, *, publication: bool = False) -> bytes:
    wb = Workbook()
    ws = wb.create_sheet("About")
    wb.remove(wb.worksheets[0])
    for r, (key, value) in enumerate(about(dataset, publication=publication), start=1):
        ws.cell(row=r, column=1, value=key).font = Font(bold=True)
        _write(ws, r, 2, value)
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 100
    themes = wb.create_sheet("Emerging themes")
    themes.cell(row=1, column=1, value="Emerging themes (largest movement first)").font = Font(
        bold=True
    )
    for r, theme in enumerate(dataset.themes, start=2):
        _write(themes, r, 1, theme.text)
    if not dataset.themes:
        themes.cell(row=2, column=1, value="No indicator moved past the thresholds.")
    themes.column_dimensions["A"].width = 140
    for section, rows in dataset.sections():
        _section_sheet(wb, str(section), rows, dataset, publication)
    units = {r.indicator.code: r.indicator.unit for r in dataset.rows}
    breakdown_units = {
        code: (Unit.PERCENT if unit in (Unit.RATE, Unit.COUNT) else unit)
        for code, unit in units.items()
    }
    _table_sheet(
        wb, "Breakdowns", breakdown_records(dataset, publication=publication), breakdown_units
    )
    _table_sheet(wb, "Trend", trend_records(dataset, publication=publication), units)
    weekly = toolkit_reporting.tools_completed_by_week(
        dataset.period.start,
        dataset.period.end,
        agency_ids=[dataset.agency.pk] if dataset.agency else None,
    )
    _table_sheet(
        wb,
        "Tools by week",
        [
            {
                "week": w["week"],
                "tool": w["tool_name"],
                "agency": w["agency"],
                "team": w["team"],
                "count": w["count"],
            }
            for w in weekly
            if not (publication and is_small(w["count"]))
        ],
    )
    if dataset.quarter is not None:
        _table_sheet(wb, "Action plans RAG", rag_records(dataset.quarter))
    _table_sheet(wb, "Definitions", definition_records(dataset))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
