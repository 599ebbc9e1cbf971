"""reports.document: blocks are frozen plain values, checked when built."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from reports import (
    BarChart,
    Column,
    Document,
    Heading,
    LineChart,
    Notice,
    Paragraph,
    Series,
    Table,
    fingerprint_of,
)

COLUMNS = (Column("项目", "Project"), Column("金额", "Amount", "right"))


def test_a_row_with_the_wrong_number_of_cells_is_refused_by_index():
    with pytest.raises(ValueError, match="row 1 has 1 cells"):
        Table(COLUMNS, (("a", "1"), ("b",)))


def test_cells_must_be_preformatted_strings():
    with pytest.raises(ValueError, match="row 0"):
        Table(COLUMNS, (("a", Decimal("1.00")),))
    with pytest.raises(ValueError, match="total_row"):
        Table(COLUMNS, (), total_row=("合计", 1))


def test_highlighted_rows_must_exist():
    with pytest.raises(ValueError, match="highlight_rows"):
        Table(COLUMNS, (("a", "1"),), highlight_rows=frozenset({1}))


def test_columns_levels_tones_and_page_sizes_are_checked():
    with pytest.raises(ValueError):
        Column("a", "b", "justify")
    with pytest.raises(ValueError):
        Column("a", "b", width_weight=0)
    with pytest.raises(ValueError):
        Heading("a", "b", 4)
    with pytest.raises(ValueError):
        Notice("x", "loud")
    with pytest.raises(ValueError, match="page_size"):
        Document("t", "s", "a", "", "", "", fingerprint_of(1), (), page_size="B5")


def test_the_fingerprint_must_be_a_sha256_hex_digest():
    with pytest.raises(ValueError, match="fingerprint"):
        Document("t", "s", "a", "", "", "", "not-a-digest", ())


def test_chart_series_need_one_value_per_category():
    with pytest.raises(ValueError, match="x_labels"):
        LineChart("t", "元", ("2025Q1", "2025Q2"), (Series("s", (Decimal(1),)),))
    with pytest.raises(ValueError, match="categories"):
        BarChart("t", "元", ("a",), (Series("s", (Decimal(1), Decimal(2))),))


def test_blocks_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Paragraph("x").text = "y"
