"""Build ledger workbooks for tests, benchmarks and the demo (XlsxWriter, like a province's own file)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import xlsxwriter

DEFAULT_HEADERS = [
    "序号",
    "项目编号",
    "项目名称",
    "建设单位",
    "所属区域",
    "产业类别",
    "批次",
    "期次",
    "总投资(万元)",
    "年度计划投资(万元)",
    "签约时间",
    "实际开工时间",
    "实际投产时间",
    "达效时间",
    "责任领导",
    "责任单位",
    "调整情况",
    "备注",
]


def write_ledger(
    path,
    rows: Sequence[dict | Sequence],
    *,
    headers: Sequence[str] = DEFAULT_HEADERS,
    title: str | None = "郑州经开区“三个一批”项目台账",
    merged_title: bool = True,
) -> str:
    """Write `rows` (dicts keyed by header, or sequences in header order) under an optional merged title."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("台账")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    if title:
        if merged_title:
            sheet.merge_range(0, 0, 0, max(len(headers) - 1, 1), title)
        else:
            sheet.write(0, 0, title)
        r = 1
    sheet.write_row(r, 0, list(headers))
    for i, row in enumerate(rows, start=r + 1):
        values = [row.get(h) for h in headers] if isinstance(row, dict) else list(row)
        for j, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(i, j, datetime.datetime.combine(value, datetime.time()), date_fmt)
            else:
                sheet.write(i, j, value)
    book.close()
    return str(path)
