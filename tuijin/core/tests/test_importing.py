"""The spreadsheet machinery: folding, header location, unit factors and cell parsers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from tuijin.core.importing import (
    ColumnSpec,
    ImportFileError,
    RowError,
    cell_text,
    fold,
    locate_header,
    parse_amount,
    parse_date,
)

SPECS = [ColumnSpec("name", ("项目名称",), required=True), ColumnSpec("ent", ("建设单位", "项目单位")),
         ColumnSpec("total", ("总投资",), money=True)]  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_fold():
    assert fold(" 总投资（万元）\n") == "总投资(万元)"
    assert fold("ＡＢＣ　１２３") == "ABC123"
    assert fold(None) == ""


def test_locate_header_skips_title_rows_and_reads_units():
    rows = [["郑州经开区项目台账", "", ""], ["", None, ""], ["项目名称", "项目单位", "总投资（亿元）", "联系人"],
            ["甲", "甲公司", 1.5, "张"]]  # fmt: skip
    sheet = locate_header("台账", rows, SPECS, anchor="项目名称")
    assert sheet.header_row == 2
    assert sheet.columns["name"][0] == 0 and sheet.columns["ent"][0] == 1
    assert sheet.columns["total"] == (2, Decimal(10000))
    assert sheet.unknown == ["联系人"]
    assert list(sheet.data_rows()) == [(4, ["甲", "甲公司", 1.5, "张"])]
    assert sheet.header_of("total") == "总投资（亿元）"


def test_a_repeated_column_is_unknown():
    sheet = locate_header("s", [["项目名称", "建设单位", "项目单位"]], SPECS, anchor="项目名称")
    assert sheet.columns["ent"][0] == 1 and sheet.unknown == ["项目单位"]


def test_empty_rows_are_skipped():
    sheet = locate_header("s", [["项目名称"], ["  "], [None], ["甲"]], SPECS, anchor="项目名称")
    assert [r for r, _cells in sheet.data_rows()] == [4]


@pytest.mark.parametrize("rows", [[], [[]], [["", None]]])
def test_empty_sheet(rows):
    with pytest.raises(ImportFileError, match="empty"):
        locate_header("s", rows, SPECS, anchor="项目名称")


def test_no_header():
    with pytest.raises(ImportFileError, match="No header row"):
        locate_header("s", [["名称", "单位"]], SPECS, anchor="项目名称")


@pytest.mark.parametrize(
    "value",
    ["2022-12-25", "2022/12/25", "2022.12.25", "2022年12月25日", "2022年12月25", "２０２２－１２－２５",
     "2022-12-25T00:00:00", datetime.date(2022, 12, 25), datetime.datetime(2022, 12, 25, 0, 0), 44920, 44920.0],
)  # fmt: skip
def test_parse_date(value):
    assert parse_date(value) == datetime.date(2022, 12, 25)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2022-02-30", "no such date"),
        ("2023-02-29", "no such date"),
        ("25/12/2022", "not a date"),
        ("明年", "not a date"),
        (-5, "not a date"),
    ],
)
def test_parse_date_refuses(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "factor", "expected"),
    [(5000, 1, "5000.00"), (0.1, 1, "0.10"), ("1,234.5", 1, "1234.50"), ("５０００", 1, "5000.00"),
     (1.5, 10000, "15000.00"), (12345, Decimal("0.0001"), "1.23"), (0, 1, "0.00")],
)  # fmt: skip
def test_parse_amount(value, factor, expected):
    assert parse_amount(value, Decimal(factor)) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (-1, "negative"),
        ("-0.5", "negative"),
        ("abc", "not a number"),
        ("NaN", "not a number"),
        ("inf", "not a number"),
        (True, "not a number"),
    ],
)
def test_parse_amount_refuses(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_amount(value)


def test_cell_text():
    assert cell_text(7.0) == "7" and cell_text(7.5) == "7.5" and cell_text(None) == ""
    assert cell_text(datetime.date(2022, 1, 2)) == "2022-01-02"
    assert cell_text(" 甲 ") == "甲"


def test_row_error_text_and_dict():
    err = RowError("台账", 5, "总投资(万元)", "-5", "cannot be negative")
    assert err.as_text() == "Sheet “台账” row 5 总投资(万元) (value “-5”): cannot be negative"
    assert err.as_dict() == {"sheet": "台账", "row": 5, "column": "总投资(万元)", "value": "-5",
                             "reason": "cannot be negative"}  # fmt: skip
