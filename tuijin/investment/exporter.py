"""Export the dispatch table (月度调度表) for any month, in the layout the importer reads.

Rows are grouped by batch (the current portfolio as of the month's end), then by leader, with a subtotal row
after each leader and each batch and a grand total at the bottom (the importer skips those rows).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import IO

import xlsxwriter

from tuijin.projects.choices import Batch
from tuijin.projects.selectors import Scope, with_batch

from .choices import COUNTED_STATUSES
from .models import AnnualPlan, MonthlyReport
from .selectors import month_end

BATCH_NAMES = {Batch.SIGNED: "签约一批", Batch.STARTED: "开工一批", Batch.PRODUCTION: "投产一批", None: "未列入"}
BATCH_ORDER = [Batch.SIGNED, Batch.STARTED, Batch.PRODUCTION, None]


def headers(month: int) -> list[str]:
    return [
        "序号",
        "项目编号",
        "项目名称",
        "建设单位",
        "所属区域",
        "批次",
        "责任领导",
        "责任单位",
        "总投资(万元)",
        "年度计划投资(万元)",
        *[f"{m}月完成投资(万元)" for m in range(1, month + 1)],
        f"1-{month}月累计完成投资(万元)",
        "完成率(%)",
        "序时进度(%)",
    ]


def _rows(projects, year: int, month: int) -> list[dict]:
    projects = list(
        with_batch(projects, Scope(as_of=month_end(year, month)))
        .select_related("enterprise", "region", "leader", "responsible_unit")
        .order_by("code")
    )
    ids = [p.pk for p in projects]
    plans: dict[int, Decimal] = {}
    monthly: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        plans.update(AnnualPlan.objects.filter(project_id__in=chunk, year=year).values_list("project_id", "amount"))
        for pid, m, invested in MonthlyReport.objects.filter(
            project_id__in=chunk, year=year, month__lte=month, status__in=COUNTED_STATUSES
        ).values_list("project_id", "month", "invested"):
            monthly[pid][m] = invested
    out = []
    for p in projects:
        if p.pk not in plans and p.pk not in monthly:
            continue
        out.append(
            {
                "project": p,
                "batch": p.batch,
                "leader": p.leader.name if p.leader else "",
                "plan": plans.get(p.pk),
                "months": monthly.get(p.pk, {}),
            }
        )
    return out


def export_dispatch(projects, out: str | IO[bytes], *, year: int, month: int, title: str) -> int:
    """Write the dispatch table of `projects` (already restricted) for `year` through `month`; returns the
    number of project rows."""
    rows = _rows(projects, year, month)
    book = xlsxwriter.Workbook(out, {"in_memory": not isinstance(out, str)})
    sheet = book.add_worksheet("月度调度表")
    font = {"font_name": "宋体", "border": 1, "valign": "vcenter"}
    title_fmt = book.add_format(
        {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter", "font_name": "宋体"}
    )
    head_fmt = book.add_format({**font, "bold": True, "bg_color": "#DCE6F1", "align": "center", "text_wrap": True})
    cell_fmt = book.add_format(font)
    money_fmt = book.add_format({**font, "num_format": "#,##0.00"})
    pct_fmt = book.add_format({**font, "num_format": "0.0"})
    sub = {"bold": True, "bg_color": "#F2F2F2"}
    sub_cell = book.add_format({**font, **sub})
    sub_money = book.add_format({**font, **sub, "num_format": "#,##0.00"})
    sub_pct = book.add_format({**font, **sub, "num_format": "0.0"})
    cols = headers(month)
    sheet.merge_range(0, 0, 0, len(cols) - 1, title, title_fmt)
    sheet.set_row(0, 30)
    sheet.write_row(1, 0, cols, head_fmt)
    sheet.set_row(1, 36)
    widths = {"项目名称": 34, "建设单位": 28, "项目编号": 16}
    for i, h in enumerate(cols):
        sheet.set_column(i, i, widths.get(h, 12))
    sheet.freeze_panes(2, 3)
    elapsed = Decimal(100 * month) / 12
    money_start = cols.index("总投资(万元)")
    r = 2

    def write_figures(row: int, total, plan, months: dict, cumulative, fmt_money, fmt_pct):
        values = [total, plan, *[months.get(m) for m in range(1, month + 1)], cumulative]
        for i, v in enumerate(values):
            if v is None:
                sheet.write_blank(row, money_start + i, None, fmt_money)
            else:
                sheet.write_number(row, money_start + i, float(v), fmt_money)
        pct_col = money_start + len(values)
        if plan:
            sheet.write_number(
                row, pct_col, float((Decimal(100) * cumulative / plan).quantize(Decimal("0.1"))), fmt_pct
            )
        else:
            sheet.write_blank(row, pct_col, None, fmt_pct)
        sheet.write_number(row, pct_col + 1, float(elapsed.quantize(Decimal("0.1"))), fmt_pct)

    def subtotal(label: str, members: list[dict]):
        nonlocal r
        sheet.write_row(r, 0, ["", "", label, "", "", "", "", ""], sub_cell)
        months = {m: sum((x["months"].get(m, Decimal(0)) for x in members), Decimal(0)) for m in range(1, month + 1)}
        plan = sum((x["plan"] or Decimal(0) for x in members), Decimal(0))
        total = sum((x["project"].total_investment for x in members), Decimal(0))
        write_figures(r, total, plan, months, sum(months.values(), Decimal(0)), sub_money, sub_pct)
        r += 1

    n = 0
    by_batch: dict = defaultdict(list)
    for row in rows:
        by_batch[row["batch"]].append(row)
    for batch in BATCH_ORDER:
        members = by_batch.get(batch)
        if not members:
            continue
        by_leader: dict[str, list] = defaultdict(list)
        for row in members:
            by_leader[row["leader"]].append(row)
        for leader in sorted(by_leader, key=lambda name: (name == "", name)):
            for row in by_leader[leader]:
                n += 1
                p = row["project"]
                sheet.write_number(r, 0, n, cell_fmt)
                texts = [
                    p.code,
                    p.name,
                    p.enterprise.name,
                    p.region.name,
                    BATCH_NAMES[batch],
                    leader,
                    p.responsible_unit.name if p.responsible_unit else "",
                ]
                for i, text in enumerate(texts, start=1):
                    sheet.write_string(r, i, text, cell_fmt)
                write_figures(
                    r,
                    p.total_investment,
                    row["plan"],
                    row["months"],
                    sum(row["months"].values(), Decimal(0)),
                    money_fmt,
                    pct_fmt,
                )
                r += 1
            subtotal(f"{leader or '未明确领导'}小计", by_leader[leader])
        subtotal(f"{BATCH_NAMES[batch]}小计", members)
    subtotal("合计", rows)
    book.close()
    return len(rows)
