"""Reading an agency's extract, CSV or Excel, one row at a time.

CSV: the encoding is decided before any row is read, by its byte-order mark (UTF-8, UTF-16 LE
or BE) or, without one, by checking the whole file decodes as UTF-8 (a fast streamed pass); a
file that does not is read as Windows-1252, and the summary says so. XLSX: openpyxl in
`read_only` mode, which streams the sheet's XML. Neither ever holds the whole file in memory.
"""

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class UnreadableFile(Exception):
    """The file cannot be read as a table at all: the message says why, for a person."""


@dataclass
class Table:
    """The header (after the column mapping) and a stream of (row number, cells) for the rest."""

    columns: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]
    encoding: str
    notices: list[str] = field(default_factory=list)
    # How much of the file has been read, 0 to 1, where that can be known cheaply (progress).
    fraction: Callable[[], float | None] = lambda: None


def detect_encoding(path: Path) -> tuple[str, list[str]]:
    with path.open("rb") as handle:
        start = handle.read(4)
    for bom, encoding in BOMS:
        if start.startswith(bom):
            return encoding, []
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return "cp1252", [
            f"The file is not UTF-8 (byte {error.object[error.start]:#04x} cannot be read as "
            "UTF-8): it was read as Windows-1252. Ask for UTF-8 exports where the system offers them."
        ]
    return "utf-8", []


def is_excel(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"  # a zip: the only form of .xlsx


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would have held."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an NHS number typed as a number
    return str(value)


def open_table(path: Path, mapping: dict[str, str]) -> Table:
    """The file's table, its headers renamed by `mapping` (their header -> Hearth's column)."""
    try:
        if is_excel(path):
            return _excel(path, mapping)
        return _csv(path, mapping)
    except OSError as error:
        raise UnreadableFile(f"Cannot read the file: {error.strerror}.") from error


def _header(raw: list[str], mapping: dict[str, str]) -> list[str]:
    lowered = {k.strip().lower(): v for k, v in mapping.items()}
    columns = []
    for cell in raw:
        name = cell.strip().lstrip("\ufeff")
        columns.append(lowered.get(name.lower(), name.lower().replace(" ", "_")))
    if not any(columns):
        raise UnreadableFile("The first row must name the columns; it is empty.")
    return columns


def _csv(path: Path, mapping: dict[str, str]) -> Table:
    encoding, notices = detect_encoding(path)
    handle = path.open(encoding=encoding, newline="")
    try:
        sample = handle.read(64 * 1024)
        handle.seek(0)
        # Only the delimiter is sniffed, from the header; the quoting is always Excel's (a
        # field in double quotes, a quote inside it doubled). Sniffed from a header without
        # quotes, the dialect would not undouble quotes and would split such a field apart.
        try:
            delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
        reader = csv.reader(handle, csv.excel, delimiter=delimiter)
        first = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as error:
        handle.close()
        raise UnreadableFile(f"The file is not a readable CSV file: {error}.") from error
    if first is None:
        handle.close()
        raise UnreadableFile("The file is empty.")
    columns = _header(first, mapping)
    size = path.stat().st_size or 1
    raw = cast(BinaryIO, handle.buffer)

    def fraction() -> float | None:
        try:
            return raw.tell() / size  # the bytes decoded so far, a read-ahead buffer early
        except (OSError, ValueError):
            return None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        with handle:
            for number, cells in enumerate(reader, start=2):
                if not "".join(cells).strip():  # a blank row
                    continue
                yield number, dict(zip(columns, cells, strict=False))

    return Table(
        columns=columns, rows=rows(), encoding=encoding, notices=notices, fraction=fraction
    )


def _excel(path: Path, mapping: dict[str, str]) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(
            f"The file is not a readable Excel (.xlsx) workbook: {error}."
        ) from error
    sheet = book.worksheets[0]
    stream = sheet.iter_rows(values_only=True)
    first = next(stream, None)
    if first is None:
        book.close()
        raise UnreadableFile("The workbook's first sheet is empty.")
    columns = _header([cell_text(c) for c in first], mapping)
    last_row = sheet.max_row or 0  # from the sheet's dimension, when the writer recorded one
    reached = [1]

    def fraction() -> float | None:
        return reached[0] / last_row if last_row > 1 else None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for number, values in enumerate(stream, start=2):
                reached[0] = number
                cells = [cell_text(v) for v in values]
                if not any(c.strip() for c in cells):
                    continue
                yield number, dict(zip(columns, cells, strict=False))
        finally:
            book.close()

    notices = [f"Read the first sheet, {sheet.title!r}."] if len(book.sheetnames) > 1 else []
    return Table(columns=columns, rows=rows(), encoding="xlsx", notices=notices, fraction=fraction)
