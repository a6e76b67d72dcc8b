"""The tables and charts a briefing's [[table:NAME]] and [[chart:NAME]] lines place, built from the same context
(context.py) as the sentences, so a table's figures are the text's figures. The totals row of every table is the
payload's own total (never a second sum).

A table is {"title", "columns", "widths" (mm), "align" ("l"/"c"/"r" per column), "rows" [[str]], "total" [str] or
None, "note"}; a chart is {"kind", "title", "unit", "labels", "series": [{"name", "values", "type"}], ...}. Both
are plain JSON, stored with the briefing (Briefing.data) when it is generated.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from .context import resolved
from .templatelang import pct, points, wan, yi

TABLES: dict[str, Callable[[dict], dict]] = {}
CHARTS: dict[str, Callable[[dict], dict]] = {}
RED_ROWS = 15  # the red-warning and overdue lists show the worst rows; the totals row counts them all
CHART_UNITS = 15


def table(name: str):
    def add(fn):
        TABLES[name] = fn
        return fn

    return add


def chart(name: str):
    def add(fn):
        CHARTS[name] = fn
        return fn

    return add


def _signed(value) -> str:
    if value is None:
        return "—"
    d = Decimal(value)
    return ("+" if d > 0 else "−" if d < 0 else "") + points(d)


# ---- tables ----


@table("campaign_batches")
def campaign_batches(ctx: dict) -> dict:
    ledger = resolved(ctx, "ledger")
    cols = ["批次", "项目数", "总投资", "年度计划投资", "已开工", "已投产", "已达效"]

    def row(label, f):
        return [label, str(f["count"]), yi(f["total_investment"]), yi(f["annual_plan"]), str(f["started"])] + [
            str(f["in_production"]),
            str(f["effective"]),
        ]

    return {
        "title": f"“三个一批”项目推进情况表（截至{ctx['date']['cn']}）",
        "columns": cols,
        "widths": [26, 18, 26, 30, 18, 18, 18],
        "align": ["c", "r", "r", "r", "r", "r", "r"],
        "rows": [row(b["label"], b) for b in ledger["batch_list"]],
        "total": row("合计", ledger["total"]),
        "note": "单位：个、亿元",
    }


def _investment_cols(first: str) -> list[str]:
    return [first, "项目数", "年度计划", "累计完成", "完成率", "较序时", "预计全年"]


def _investment_row(g: dict, label: str | None = None) -> list[str]:
    return [
        label or g["label"],
        str(g["projects"]),
        wan(g["annual_plan"]),
        wan(g["invested_to_date"]),
        pct(g["completion_rate"]),
        _signed(g["gap_points"]),
        wan(g["forecast_year_end"]),
    ]


def _investment_table(ctx: dict, groups: list[dict], first: str, what: str) -> dict:
    inv = resolved(ctx, "investment")
    return {
        "title": f"{inv['year']}年1—{inv['through_month']}月{what}投资完成情况表",
        "columns": _investment_cols(first),
        "widths": [24, 13, 28, 28, 16, 18, 28],  # 万元 to the cent: ten characters must fit on one line
        "align": ["l", "r", "r", "r", "r", "r", "r"],
        "rows": [_investment_row(g) for g in groups if g["projects"]],
        "total": _investment_row(inv["total"], "合计"),
        "note": f"单位：个、万元；序时进度{inv['elapsed']}%，较序时为完成率与序时进度相差的百分点",
    }


@table("investment_by_batch")
def investment_by_batch(ctx: dict) -> dict:
    inv = resolved(ctx, "investment")
    return _investment_table(ctx, inv["groups"], "批次", "分批次")


@table("investment_by_unit")
def investment_by_unit(ctx: dict) -> dict:
    inv = resolved(ctx, "investment")
    return _investment_table(ctx, inv["by_unit"], "责任单位", "各责任单位")


@table("investment_by_region")
def investment_by_region(ctx: dict) -> dict:
    inv = resolved(ctx, "investment")
    return _investment_table(ctx, inv["by_region"], "地区", "分地区")


@table("warnings_by_unit")
def warnings_by_unit(ctx: dict) -> dict:
    w = resolved(ctx, "warnings")
    return {
        "title": f"项目节点预警情况表（截至{ctx['date']['cn']}）",
        "columns": ["责任单位", "红色预警", "黄色预警", "涉及项目"],
        "widths": [64, 30, 30, 30],
        "align": ["l", "r", "r", "r"],
        "rows": [[g["name"], str(g["red"]), str(g["yellow"]), str(g["projects"])] for g in w["by_unit"]],
        "total": ["合计", str(w["red"]), str(w["yellow"]), str(w["projects"])],
        "note": "单位：个",
    }


@table("red_warnings")
def red_warnings(ctx: dict) -> dict:
    w = resolved(ctx, "warnings")
    items = w["red_items"]
    shown = items[:RED_ROWS]
    rows = [
        [str(n), i["project"], i["node"], i["responsible_unit"] or "—", str(i["days_late"])]
        for n, i in enumerate(shown, start=1)
    ]
    more = f"（列出滞后最多的{len(shown)}个）" if len(items) > len(shown) else ""
    return {
        "title": f"红色预警节点清单（截至{ctx['date']['cn']}）",
        "columns": ["序号", "项目名称", "节点", "责任单位", "滞后（天）"],
        "widths": [12, 58, 28, 40, 18],
        "align": ["c", "l", "l", "l", "r"],
        "rows": rows,
        "total": ["合计", f"红色预警节点{w['red']}个，涉及项目{w['red_projects']}个{more}", "", "", ""],
        "note": "",
    }


@table("tasks_by_unit")
def tasks_by_unit(ctx: dict) -> dict:
    """The year's cohort (tasks assigned from 1 January to the date), per lead unit."""
    co = resolved(ctx, "coordination")["year"]
    t = co["tasks"]
    return {
        "title": f"{ctx['date']['year']}年交办事项办理情况表（截至{ctx['date']['cn']}）",
        "columns": ["牵头单位", "交办事项", "按时办结", "逾期未办结"],
        "widths": [64, 30, 30, 30],
        "align": ["l", "r", "r", "r"],
        "rows": [
            [u["unit"], str(u["tasks_assigned"]), str(u["tasks_closed_on_time"]), str(u["overdue"])]
            for u in co["by_unit"]
        ],
        "total": ["合计", str(t["assigned"]), str(t["closed_on_time"]), str(t["overdue"])],
        "note": "单位：件",
    }


@table("overdue_items")
def overdue_items(ctx: dict) -> dict:
    items = resolved(ctx, "coordination")["overdue_items"]
    shown = items[:RED_ROWS]
    more = f"（列出逾期最久的{len(shown)}件）" if len(items) > len(shown) else ""
    return {
        "title": f"逾期未办结事项清单（截至{ctx['date']['cn']}）",
        "columns": ["序号", "类别", "事项内容", "责任单位", "逾期（天）"],
        "widths": [12, 20, 66, 40, 18],
        "align": ["c", "c", "l", "l", "r"],
        "rows": [
            [str(n), i["what"], i["content"], i["unit"] or "—", str(i["days"])] for n, i in enumerate(shown, start=1)
        ],
        "total": ["合计", f"{len(items)}件{more}", "", "", ""],
        "note": "",
    }


# ---- charts ----


def _f(value) -> float:
    return float(value or 0)


def _yi(value) -> float:
    return round(float(value or 0) / 10000, 2)


@chart("investment_monthly")
def investment_monthly(ctx: dict) -> dict:
    inv = resolved(ctx, "investment")
    m = inv["monthly"]
    months = [f"{i}月" for i in range(1, 13)]
    return {
        "kind": "bar_line",
        "title": f"{inv['year']}年逐月计划投资与实际完成投资",
        "unit": "亿元",
        "labels": months,
        "series": [
            {"name": "月度计划", "type": "bar", "values": [_yi(v) for v in m["plan"]]},
            {"name": "月度完成", "type": "bar", "values": [_yi(v) for v in m["actual"]]},
            {"name": "累计计划", "type": "line", "values": [_yi(v) for v in m["plan_cumulative"]]},
            {"name": "累计完成", "type": "line", "values": [_yi(v) for v in m["actual_cumulative"]]},
        ],
    }


@chart("investment_by_unit")
def investment_by_unit_chart(ctx: dict) -> dict:
    inv = resolved(ctx, "investment")
    units = [u for u in inv["by_unit"] if u["completion_rate"] is not None][:]
    units.sort(key=lambda u: u["completion_rate"])
    units = units[:CHART_UNITS]
    return {
        "kind": "hbar",
        "title": f"各责任单位年度投资完成率（1—{inv['through_month']}月）",
        "unit": "%",
        "labels": [u["label"] for u in units],
        "series": [{"name": "完成率", "type": "bar", "values": [_f(u["completion_rate"]) for u in units]}],
        "colors": [u["flag"] for u in units],
        "line": _f(inv["elapsed"]),
        "line_label": f"序时进度{inv['elapsed']}%",
    }


@chart("campaign_batches")
def campaign_batches_chart(ctx: dict) -> dict:
    ledger = resolved(ctx, "ledger")
    bl = ledger["batch_list"]
    return {
        "kind": "bar",
        "title": "“三个一批”项目推进情况",
        "unit": "个",
        "labels": [b["label"] for b in bl],
        "series": [
            {"name": "项目数", "type": "bar", "values": [b["count"] for b in bl]},
            {"name": "已开工", "type": "bar", "values": [b["started"] for b in bl]},
            {"name": "已投产", "type": "bar", "values": [b["in_production"] for b in bl]},
            {"name": "已达效", "type": "bar", "values": [b["effective"] for b in bl]},
        ],
    }


def snapshot(ctx: dict) -> dict:
    """Every table and chart for a context, as stored with a briefing."""
    return {
        "tables": {name: fn(ctx) for name, fn in TABLES.items()},
        "charts": {name: fn(ctx) for name, fn in CHARTS.items()},
    }
