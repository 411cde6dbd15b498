"""The one table writer behind every table download: CSV and Excel, guarded, in the user's language.

Every table a user downloads (the communes ranking, the risk points shown on the map)
goes through :func:`write_table`, so they all share the same rules:

- CSV is UTF-8 with a byte-order mark, so Excel shows the Vietnamese diacritics;
- every text cell goes through :func:`hotspots.formats.guard_formula`, so a name such as
  ``=HYPERLINK(...)`` is shown as typed and never run as a formula;
- yes/no values are written as words in the user's language (*Có* / *Không*), never
  ``True``/``False``; lists are joined with ``"; "``; missing values are empty cells;
- percentages are written as percentages: ``80.6`` in CSV, a cell formatted ``0.0%`` in Excel;
- facts about the whole table (the radius used, say) are written where a reader meets them
  first: as rows above the table in Excel, as columns repeated on every row in CSV (a CSV
  file has no place above its header that every program reads).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Final, Literal

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hotspots.errors import SchemaError
from hotspots.formats import EXPORT_FORMATS, guard_formula
from hotspots.i18n import check_language, format_date, t

TableFormat = Literal["csv", "xlsx"]
#: Formats :func:`write_table` writes, in the order downloads are offered.
TABLE_FORMATS: Final = ("csv", "xlsx")
#: A note above an Excel table (or a column of a CSV file): its label and its value.
Note = tuple[str, object]

_SHEET_NAME_FORBIDDEN: Final = re.compile(r"[\[\]:*?/\\]")
_MAX_SHEET_NAME: Final = 31
_MAX_COLUMN_WIDTH: Final = 50
# Column widths are measured on the first rows only: enough to size them, cheap on long tables.
_ROWS_MEASURED: Final = 200
_EXCEL_DATE_FORMATS: Final = {"vi": "DD/MM/YYYY", "en": "DD MMM YYYY"}


def write_table(
    table: pd.DataFrame,
    *,
    fmt: str,
    lang: str,
    sheet_name: str = "",
    title: str = "",
    notes: Sequence[Note] = (),
    percent_columns: Collection[str] = (),
    decimals: Mapping[str, int] | None = None,
) -> bytes:
    r"""Write a table as CSV or Excel, guarded against formulas, with words in ``lang``.

    Parameters
    ----------
    table
        The table as it should read: its column names are the headers, already in the
        user's language (or codes, for columns kept for re-import). The index is not written.
    fmt
        ``"csv"`` or ``"xlsx"``.
    lang
        Language of the yes/no words and of dates.
    sheet_name
        Name of the Excel sheet (cut to 31 characters; Excel forbids ``[]:*?/\\``).
    title
        Excel only: a bold first line above the table.
    notes
        Facts about the whole table as ``(label, value)``: rows above the table in Excel,
        after ``title``; in CSV, one column per note, its value repeated on every row.
    percent_columns
        Columns holding percentages (0–100): written with one decimal in CSV, as a
        ``0.0%`` cell in Excel (which stores the share, 0–1).
    decimals
        Number of decimals of number columns, by column: values are rounded, and Excel
        shows that many.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    SchemaError
        When ``fmt`` is not one of :data:`TABLE_FORMATS`, or a percent or decimals column is
        not in the table.
    """
    check_language(lang)
    if fmt not in TABLE_FORMATS:
        msg = f"Cannot write a table as '{fmt}'; the formats are: {', '.join(TABLE_FORMATS)}."
        raise SchemaError(msg)
    decimals = dict(decimals or {})
    unknown = [c for c in (*percent_columns, *decimals) if c not in table.columns]
    if unknown:
        missing, columns = ", ".join(map(repr, unknown)), ", ".join(map(str, table.columns))
        msg = f"No column {missing} in the table; its columns are: {columns}."
        raise SchemaError(msg)
    headers = [str(c) for c in table.columns]
    kinds = [
        ("percent", 1) if c in percent_columns else ("number", decimals[c]) if c in decimals else ("plain", 0)
        for c in table.columns
    ]
    rows = [
        [_number(_cell(v, lang), kind, places) for v, (kind, places) in zip(row, kinds, strict=True)]
        for row in table.itertuples(index=False, name=None)
    ]
    note_cells = [(guard_formula(str(label)), _cell(value, lang)) for label, value in notes]
    if fmt == "csv":
        return _csv(headers, rows, note_cells, lang)
    return _xlsx(headers, rows, kinds, note_cells, lang, sheet_name=sheet_name, title=title)


def export_file_name(stem: str, fmt: str) -> str:
    """Return ``stem`` with the extension of ``fmt``: ``diem-nguy-co.geojson``, ``uu-tien-xa-phuong.xlsx``."""
    return f"{stem}{EXPORT_FORMATS[fmt][0]}"


# --------------------------------------------------------------------------------------
# Cells


def _cell(value: Any, lang: str) -> Any:
    """One cell: numbers and dates typed, yes/no as words, lists joined, text guarded."""
    if isinstance(value, list | tuple | np.ndarray):
        return guard_formula("; ".join(str(v) for v in value if not _missing(v)))
    if _missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return t("table.yes" if value else "table.no", lang)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp | dt.datetime):
        if value.tzinfo is None and value.time() == dt.time(0):
            return value.date()
        return guard_formula(value.isoformat())
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return guard_formula(value)


def _number(value: Any, kind: str, places: int) -> Any:
    if kind == "plain" or not isinstance(value, int | float) or isinstance(value, bool):
        return value
    return round(float(value), places)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _csv_text(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date):
        return format_date(value, lang)
    return str(value)


# --------------------------------------------------------------------------------------
# Writers


def _csv(headers: list[str], rows: list[list[Any]], notes: list[tuple[str, Any]], lang: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([guard_formula(h) for h in headers] + [label for label, _ in notes])
    note_values = [_csv_text(value, lang) for _, value in notes]
    writer.writerows([_csv_text(v, lang) for v in row] + note_values for row in rows)
    # The byte-order mark makes Excel read UTF-8 (and so the diacritics) correctly.
    return out.getvalue().encode("utf-8-sig")


def _xlsx(
    headers: list[str],
    rows: list[list[Any]],
    kinds: list[tuple[str, int]],
    notes: list[tuple[str, Any]],
    lang: str,
    *,
    sheet_name: str,
    title: str,
) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(sheet_name))
    bold = Font(bold=True)
    above = bool(title or notes)
    # Title and notes, a blank row, then the header.
    header_row = (1 if title else 0) + len(notes) + (1 if above else 0) + 1
    widths = [len(h) for h in headers]
    for row in rows[:_ROWS_MEASURED]:
        for j, value in enumerate(row):
            widths[j] = max(widths[j], len(_csv_text(value, lang)))
    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = min(width + 2, _MAX_COLUMN_WIDTH)
    sheet.freeze_panes = f"A{header_row + 1}"
    if rows:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{header_row + len(rows)}"

    def styled(value: Any, *, font: Font | None = None, number_format: str | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
        if font is not None:
            cell.font = font
        if number_format is not None:
            cell.number_format = number_format
        elif isinstance(value, dt.date):
            cell.number_format = _EXCEL_DATE_FORMATS[lang]
        return cell

    if title:
        sheet.append([styled(guard_formula(title), font=Font(bold=True, size=13))])
    for label, value in notes:
        sheet.append([styled(label, font=bold), styled(value)])
    if above:
        sheet.append([])
    sheet.append([styled(guard_formula(h), font=bold) for h in headers])
    formats = [_number_format(kind, places) for kind, places in kinds]
    for row in rows:
        cells = []
        for value, (kind, places), number_format in zip(row, kinds, formats, strict=True):
            if kind == "percent" and isinstance(value, float | int):
                value = round(value / 100, places + 2)
            cells.append(styled(value, number_format=number_format if value is not None else None))
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number_format(kind: str, places: int) -> str | None:
    zeros = "0" * places
    if kind == "percent":
        return f"0.{zeros}%" if places else "0%"
    if kind == "number":
        return f"#,##0.{zeros}" if places else "#,##0"
    return None


def _xlsx_value(value: Any) -> Any:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _sheet_title(name: str) -> str:
    cleaned = _SHEET_NAME_FORBIDDEN.sub(" ", name).strip(" '")[:_MAX_SHEET_NAME]
    return cleaned or "Sheet1"
