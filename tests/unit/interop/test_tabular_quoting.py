"""CSV quoting as Excel and case management systems write it: a field in double quotes may hold
the delimiter, a line break and doubled quotes, whatever delimiter the header shows."""

from pathlib import Path

import pytest

from hearth.interop import tabular


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_a_quoted_field_with_doubled_quotes_and_line_breaks_is_one_value(
    tmp_path: Path, delimiter: str
) -> None:
    path = tmp_path / "extract.csv"
    header = delimiter.join(["source_reference", "description"])
    value = f'"Said ""no""{delimiter} then:\r\nleft"'
    path.write_bytes(f"{header}\r\nE1{delimiter}{value}\r\nE2{delimiter}plain\r\n".encode())
    table = tabular.open_table(path, {})
    assert table.columns == ["source_reference", "description"]
    assert list(table.rows) == [
        (2, {"source_reference": "E1", "description": f'Said "no"{delimiter} then:\r\nleft'}),
        (3, {"source_reference": "E2", "description": "plain"}),
    ]
