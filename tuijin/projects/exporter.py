"""Export a ledger view to .xlsx in the ledger template, so that importing it back changes nothing."""

from __future__ import annotations

import datetime
from typing import IO

import xlsxwriter

from tuijin.investment.models import AnnualPlan

from .models import Period
from .tables import COLUMNS


def export_ledger(projects, out: str | IO[bytes], *, title: str) -> int:
    """Write `projects` (annotated with `batch` and `listed_period`) to `out`; returns the row count.

    Each row's 年度计划投资 is the plan for the calendar year of that row's period, as the importer reads it.
    """
    projects = list(projects)
    period_years = {p.number: p.date.year for p in Period.objects.all()}
    plans = {}
    ids = [p.pk for p in projects]
    for start in range(0, len(ids), 2000):
        for ap in AnnualPlan.objects.filter(project_id__in=ids[start : start + 2000]):
            plans[(ap.project_id, ap.year)] = ap.amount
    for p in projects:
        year = period_years.get(getattr(p, "listed_period", None))
        p.annual_plan = plans.get((p.pk, year)) if year else None

    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": not isinstance(out, str)})
    sheet = book.add_worksheet("项目台账")
    title_fmt = book.add_format(
        {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter", "font_name": "宋体"}
    )
    head_fmt = book.add_format(
        {
            "bold": True,
            "bg_color": "#DCE6F1",
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "font_name": "宋体",
        }
    )
    cell_fmt = book.add_format({"border": 1, "font_name": "宋体"})
    money_fmt = book.add_format({"border": 1, "num_format": "#,##0.00", "font_name": "宋体"})
    date_fmt = book.add_format({"border": 1, "num_format": "yyyy-mm-dd", "font_name": "宋体"})
    headers = ["序号"] + [c.header for c in COLUMNS]
    sheet.merge_range(0, 0, 0, len(headers) - 1, title, title_fmt)
    sheet.set_row(0, 30)
    sheet.write_row(1, 0, headers, head_fmt)
    widths = {"项目名称": 36, "建设单位": 30, "建设内容及规模": 40, "备注": 20}
    for i, h in enumerate(headers):
        sheet.set_column(i, i, widths.get(h, max(10, len(h) * 2 + 2)))
    sheet.freeze_panes(2, 3)
    for n, project in enumerate(projects, start=1):
        r = n + 1
        sheet.write_number(r, 0, n, cell_fmt)
        for i, col in enumerate(COLUMNS, start=1):
            value = col.value(project)
            if value is None or value == "":
                sheet.write_blank(r, i, None, cell_fmt)
            elif col.money:
                sheet.write_number(r, i, float(value), money_fmt)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(r, i, datetime.datetime.combine(value, datetime.time()), date_fmt)
            elif isinstance(value, int):
                sheet.write_number(r, i, value, cell_fmt)
            else:
                sheet.write_string(r, i, str(value), cell_fmt)
    sheet.autofilter(1, 0, len(projects) + 1, len(headers) - 1)
    book.close()
    return len(projects)
