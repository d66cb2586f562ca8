"""Structured files keep each row's header: "column: value" lines that survive chunking."""

from __future__ import annotations

from pathlib import Path

from app.files.tables import rows_with_header
from app.knowledge.loaders import load_file


def test_markdown_table_rows_become_column_value_lines() -> None:
    text = (
        "# Prices\n\n| sku | product | price_eur |\n|---|---|---|\n"
        "| ACC-STD-BX | Floor stand | 65.00 |\n| X | | 9 |"
    )
    assert rows_with_header(text).splitlines() == [
        "# Prices",
        "",
        "- sku: ACC-STD-BX; product: Floor stand; price_eur: 65.00",
        "- sku: X; price_eur: 9",
    ]


def test_a_csv_file_is_loaded_row_by_row_with_its_header(tmp_path: Path) -> None:
    file = tmp_path / "prices.csv"
    file.write_text(
        'sku,product,price_eur\nACC-CBL-C1,"USB-C cable, 1 m",9.00\nACC-STD-BX,Floor stand,65.00\n'
    )
    lines = [line for line in load_file(file).text.splitlines() if line.startswith("- ")]
    assert lines == [
        "- sku: ACC-CBL-C1; product: USB-C cable, 1 m; price_eur: 9.00",
        "- sku: ACC-STD-BX; product: Floor stand; price_eur: 65.00",
    ]
