"""Structured files keep each row's header: "column: value" lines that survive chunking."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.files.tables import rows_with_header, with_amounts
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


@pytest.mark.parametrize(
    ("row", "shown"),
    [
        ("sku: A-1; price_gbp: 4.99", "sku: A-1; price_gbp: £4.99"),
        ("product: Plus; Price (EUR): 5.99", "product: Plus; Price (EUR): €5.99"),
        ("fee_chf: 12.00", "fee_chf: 12.00 CHF"),
        ("price_gbp: on request", "price_gbp: on request"),  # not a number: left as written
        ("europe_days: 3", "europe_days: 3"),  # "europe" is no currency code
        ("gbp_to_eur: 1.17", "gbp_to_eur: 1.17"),  # two codes: an exchange rate, not an amount
        ("Refunds take 5 days: sooner for cards.", "Refunds take 5 days: sooner for cards."),
    ],
)
def test_a_number_in_a_currency_column_is_quoted_as_an_amount(row: str, shown: str) -> None:
    assert with_amounts(row) == shown
