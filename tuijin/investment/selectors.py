"""Reads that aggregate investment: cumulative figures, completion against 序时进度, forecasts, the stats contract.

Cumulative figures are computed here from the reports, never typed and never stored (the group statistics read
each project-year's counted months from ReportedYear, derived from the reports by `summary.refresh_reported` on
every write). A report's figure counts once it is reported and not sent back (choices.COUNTED_STATUSES: not a
draft, not returned).
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.db import connections
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.accounts.models import Leader, Organization
from tuijin.core.fields import CENT, MoneyField
from tuijin.projects.choices import Batch
from tuijin.projects.selectors import Scope as LedgerScope
from tuijin.projects.selectors import with_batch
from tuijin.regions.models import Region

from . import forecast as fc
from .choices import COUNTED_STATUSES, Flag, GroupBy, Risk
from .models import MONTH_FIELDS, MonthlyReport, ReportedYear, ReportingRule
from .seasonal import stored_profiles

ZERO = Decimal("0.00")


# ---- dates ----


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def default_through_month(year: int, today: datetime.date | None = None) -> int:
    """A finished year: 12. The current year: the last finished month (January counts as 1). A future year: 1."""
    today = today or timezone.localdate()
    if year < today.year:
        return 12
    if year > today.year:
        return 1
    return max(today.month - 1, 1)


def elapsed_share(month: int) -> Decimal:
    """序时进度: the share of the year elapsed, by months (through month M → M/12)."""
    return (Decimal(month) / 12).quantize(Decimal("0.0001"))


# ---- a report's cumulative figures ----------------------------------------------------------------------------------


def _counted(project_ref) -> object:
    return MonthlyReport.objects.filter(project=project_ref, status__in=COUNTED_STATUSES).order_by().values("project")


def annotate_cumulative(reports):
    """Each report with `year_to_date` and `since_start` (万元): the counted reports of its project before it,
    plus its own figure whatever its state (what the enterprise sees while filling it in)."""
    before_in_year = _counted(OuterRef("project")).filter(year=OuterRef("year"), month__lt=OuterRef("month"))
    before = _counted(OuterRef("project")).filter(
        Q(year__lt=OuterRef("year")) | Q(year=OuterRef("year"), month__lt=OuterRef("month"))
    )

    def total(sub):
        return Coalesce(Subquery(sub.annotate(s=Sum("invested")).values("s")), Value(0), output_field=MoneyField())

    return reports.annotate(
        year_to_date=ExpressionWrapper(total(before_in_year) + F("invested"), output_field=MoneyField()),
        since_start=ExpressionWrapper(total(before) + F("invested"), output_field=MoneyField()),
    )


def report_cumulative(report: MonthlyReport) -> dict:
    """{"year_to_date": …, "since_start": …} for one report (万元)."""
    row = annotate_cumulative(MonthlyReport.objects.filter(pk=report.pk)).values("year_to_date", "since_start").first()
    return {"year_to_date": row["year_to_date"], "since_start": row["since_start"]}


def project_invested(project, *, year: int | None = None, through_month: int = 12, exclude=None) -> Decimal:
    """A project's counted investment: in `year` through `through_month`, or since start when `year` is None."""
    qs = MonthlyReport.objects.filter(project=project, status__in=COUNTED_STATUSES)
    if year is not None:
        qs = qs.filter(year=year, month__lte=through_month)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.aggregate(s=Sum("invested"))["s"] or ZERO


# ---- per-project figures for a year through a month ------------------------------------------------------------------


def _total(sub):
    return Coalesce(Subquery(sub.annotate(s=Sum("invested")).values("s")), Value(0), output_field=MoneyField())


def plan_figures(qs, *, year: int, month: int):
    """Annotate projects with `plan_amount` (NULL without a plan) and `plan_to_date` (万元) for `year` through
    `month`: the stored monthly split when it sums to the amount; otherwise (no split, or the amount was changed
    by a bulk import) an even split: M × floor(amount ÷ 12) before December, the amount in December, exactly as
    split.split_even."""
    qs = qs.annotate(plan_row=FilteredRelation("annual_plans", condition=Q(annual_plans__year=year)))
    amount = F("plan_row__amount")
    if month >= 12:
        plan_to_date = amount
    else:
        split_sum = sum((F(f"plan_row__{f}") for f in MONTH_FIELDS[1:]), F(f"plan_row__{MONTH_FIELDS[0]}"))
        to_month = sum((F(f"plan_row__{f}") for f in MONTH_FIELDS[1:month]), F(f"plan_row__{MONTH_FIELDS[0]}"))
        qs = qs.alias(split_sum=split_sum)
        plan_to_date = Case(
            When(split_sum=amount, then=to_month), default=amount / Value(12) * Value(month), output_field=MoneyField()
        )
    return qs.annotate(
        plan_amount=F("plan_row__amount"),
        plan_to_date=Coalesce(plan_to_date, Value(0), output_field=MoneyField()),
    )


def project_figures(qs, *, year: int, month: int):
    """`plan_figures`, and `invested_to_date` and `recent` (the last ≤3 months' investment), all 万元, for `year`
    through `month`: per project, for pages (a page of projects at a time). The group figures of the statistics
    aggregate the reports once instead (`_grouped_sql`)."""
    reports = (
        MonthlyReport.objects.filter(project=OuterRef("pk"), year=year, month__lte=month, status__in=COUNTED_STATUSES)
        .order_by()
        .values("project")
    )
    k = min(fc.RECENT_MONTHS, month)
    return plan_figures(qs, year=year, month=month).annotate(
        invested_to_date=_total(reports),
        recent=_total(reports.filter(month__gt=month - k)),
    )


def _coefficients(region_ids, year: int, month: int) -> list[tuple[int, float, float]]:
    """(region id, α, β) of the forecast for each zone (from the stored profiles)."""
    out = []
    for rid, profile in sorted(stored_profiles(region_ids, year).items()):
        c = fc.coefficients(profile.shares, month)
        out.append((rid, float(c.alpha), float(c.beta)))
    return out


# ---- completion per project (pages, API) ---------------------------------------------------------------------------


def rules_for(region_ids) -> dict[int, ReportingRule]:
    """The reporting rule for each region: its own, else its nearest ancestor's, else the defaults (unsaved)."""
    return _rules_of(list(Region.objects.filter(pk__in=list(region_ids)).only("pk", "path", "code")))


def rule_of(region: Region) -> ReportingRule:
    """`rules_for` of one region already loaded (a submission has its project's): one query, not two."""
    return _rules_of([region])[region.pk]


def _rules_of(regions: list[Region]) -> dict[int, ReportingRule]:
    codes = {c for r in regions for c in r.path.strip("/").split("/")}
    rules = {r.region.code: r for r in ReportingRule.objects.select_related("region").filter(region__code__in=codes)}
    out = {}
    for r in regions:
        chain = r.path.strip("/").split("/")[::-1]
        out[r.pk] = next((rules[c] for c in chain if c in rules), None) or ReportingRule(region=r)
    return out


def flag(completion: Decimal | None, month: int, rule: ReportingRule) -> Flag:
    """Red/yellow/green by how many points completion is behind 序时进度 (the zone's thresholds)."""
    if completion is None:
        return Flag.GREEN
    behind = Decimal(100 * month) / 12 - completion
    if behind > rule.red_points:
        return Flag.RED
    return Flag.YELLOW if behind >= rule.yellow_points else Flag.GREEN


def completion_rows(qs, *, year: int, month: int) -> list[dict]:
    """Completion, flag and forecast of each project of `qs` that has a plan for `year` or reported in it.

    For pages and the API (a page of projects at a time); the group figures come from `investment_payload`.
    """
    rows = list(
        project_figures(qs, year=year, month=month)
        .filter(Q(plan_row__isnull=False) | Q(invested_to_date__gt=0))
        .select_related("region", "leader", "responsible_unit", "enterprise")
    )
    region_ids = {p.region_id for p in rows}
    profiles = stored_profiles(region_ids, year)
    rules = rules_for(region_ids)
    out = []
    for p in rows:
        forecast_value = fc.forecast(p.invested_to_date, p.recent, profiles[p.region_id].shares, month)
        completion = fc.percent(p.invested_to_date, p.plan_amount)
        out.append(
            {
                "project": p,
                "annual_plan": p.plan_amount,
                "plan_to_date": p.plan_to_date,
                "invested_to_date": p.invested_to_date,
                "completion_rate": completion,
                "gap_points": None
                if completion is None
                else completion - Decimal(100 * month / 12).quantize(Decimal("0.1")),
                "flag": flag(completion, month, rules[p.region_id]),
                "forecast_year_end": forecast_value,
                "risk": fc.risk(forecast_value, p.plan_amount),
                "reason": fc.reason(
                    month=month, to_date=p.invested_to_date, plan=p.plan_amount, forecast_value=forecast_value
                ),
            }
        )
    return out


# ---- the statistics contract ----

GROUP_FIELDS = {
    GroupBy.BATCH: "batch",
    GroupBy.LEADER: "leader_id",
    GroupBy.UNIT: "responsible_unit_id",
    GroupBy.INDUSTRY: "industry",
    GroupBy.REGION: "region_id",
}


def _group_key_expr(qs, group_by: str, year: int, month: int):
    if group_by == GroupBy.BATCH:
        return with_batch(qs, LedgerScope(as_of=month_end(year, month))), F("batch")
    return qs, F(GROUP_FIELDS[group_by])


def _grouped_sql(qs, *, year: int, month: int, group_by: str) -> list[tuple]:
    """One row per group: (key, projects, annual_plan, plan_to_date, invested, forecast, at_risk, off_track),
    money in hundredths of 万元 (exact integers; the forecast a float).

    The projects, their key and their plan are the ORM's (restriction, filters, the plan's join); around them
    one statement does the rest in the database: the year's counted investment per project read from its
    ReportedYear row (month_1 + … + month_M, and the last k of those months: one row per project-year instead of
    a GROUP BY over the year's reports, the statistics' own cost at province scale; `summary.refresh_reported`
    keeps it equal to the counted reports), each zone's forecast coefficients from a VALUES list, and the
    grouping.
    """
    qs = qs.order_by()
    region_ids = list(qs.values_list("region_id", flat=True).distinct())
    if not region_ids:
        return []
    coefficients = _coefficients(region_ids, year, month)
    # The reports of the projects in scope; every project's (a superuser's unfiltered queryset) without the
    # semi-join, so the database reads the year's reports in order instead of seeking them project by project.
    scope_sql, scope_params = qs.values("pk").query.sql_with_params() if qs.query.where else ("", ())
    qs, key = _group_key_expr(qs, group_by, year, month)
    inner = (
        plan_figures(qs, year=year, month=month)
        .annotate(g_key=key, p_id=F("pk"), p_region=F("region_id"))
        .values("p_id", "p_region", "g_key", "plan_amount", "plan_to_date")
    )
    projects_sql, projects_params = inner.query.sql_with_params()
    connection = connections[qs.db]
    qn = connection.ops.quote_name
    table = qn(ReportedYear._meta.db_table)
    real = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    coef_values = ", ".join([f"(%s, CAST(%s AS {real}), CAST(%s AS {real}))"] * len(coefficients))
    in_scope = f"AND project_id IN ({scope_sql})" if scope_sql else ""
    k = min(fc.RECENT_MONTHS, month)
    invested = " + ".join(qn(f) for f in MONTH_FIELDS[:month])
    recent = " + ".join(qn(f) for f in MONTH_FIELDS[month - k : month])
    # Materialized (SQLite ≥ 3.35, PostgreSQL ≥ 12): the month sums computed once per project, not at every
    # reference of inv/recent in the outer query (SQLite: ≈ 25 % of the province's CPU, bench/RESULTS.md).
    materialized = (
        "MATERIALIZED" if connection.vendor != "sqlite" or connection.Database.sqlite_version_info >= (3, 35) else ""
    )
    # The zones' coefficients drive the join (CROSS JOIN: SQLite keeps that order whatever its statistics say):
    # each zone's projects through the project table's region index. Joined the other way round SQLite scans
    # the VALUES list once per project (≈ 30 % of the province's statistics by region).
    # SQLite: the OFFSET keeps t from being flattened into the grouping, so each project's forecast is computed
    # once and the GROUP BY sorts t's five columns, not the twenty raw ones they are computed from (≈ 10 % by
    # batch). PostgreSQL plans the subquery as it would anyway.
    fence = "LIMIT -1 OFFSET 0" if connection.vendor == "sqlite" else ""
    on_track, off_track = fc.ON_TRACK_AT, fc.OFF_TRACK_BELOW
    sql = f"""
        WITH coef (region_id, alpha, beta) AS (VALUES {coef_values}),
        rep AS {materialized} (
            SELECT project_id, {invested} AS inv, {recent} AS recent
            FROM {table}
            WHERE year = %s {in_scope}
        ),
        t AS (
            SELECT p.g_key, p.plan_amount, p.plan_to_date, COALESCE(rep.inv, 0) AS inv,
                   c.alpha * COALESCE(rep.inv, 0) + c.beta * COALESCE(rep.recent, 0) AS fcast
            FROM coef c CROSS JOIN ({projects_sql}) p LEFT JOIN rep ON rep.project_id = p.p_id
            WHERE c.region_id = p.p_region AND (p.plan_amount IS NOT NULL OR rep.inv > 0)
            {fence}
        )
        SELECT g_key, COUNT(*), SUM(plan_amount), SUM(plan_to_date), SUM(inv), SUM(fcast),
               SUM(CASE WHEN plan_amount > 0 AND fcast < plan_amount * {on_track}
                         AND fcast >= plan_amount * {off_track} THEN 1 ELSE 0 END),
               SUM(CASE WHEN plan_amount > 0 AND fcast < plan_amount * {off_track} THEN 1 ELSE 0 END)
        FROM t
        GROUP BY g_key
    """  # noqa: S608 - only quoted names and numbers are formatted in; values are parameters
    params = [
        *[v for row in coefficients for v in row],
        year,
        *scope_params,
        *projects_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _money(hundredths) -> Decimal:
    return (Decimal(int(hundredths or 0)) / 100).quantize(CENT)


def _empty_group(key, label) -> dict:
    return {
        "key": key,
        "label": label,
        "projects": 0,
        "annual_plan": ZERO,
        "plan_to_date": ZERO,
        "invested_to_date": ZERO,
        "completion_rate": None,
        "gap_points": None,
        "forecast_year_end": ZERO,
        "risk": {r.value: 0 for r in Risk},
    }


def _add(group: dict, other: dict) -> None:
    for k in ("projects", "annual_plan", "plan_to_date", "invested_to_date", "forecast_year_end"):
        group[k] += other[k]
    for r in Risk:
        group["risk"][r.value] += other["risk"][r.value]


def _finish(group: dict, month: int) -> dict:
    group["completion_rate"] = fc.percent(group["invested_to_date"], group["annual_plan"])
    elapsed = (Decimal(100 * month) / 12).quantize(Decimal("0.1"))
    group["gap_points"] = None if group["completion_rate"] is None else group["completion_rate"] - elapsed
    return group


def _labels(group_by: str, keys: list) -> dict:
    if group_by == GroupBy.BATCH:
        return {b.value: str(b.label) for b in Batch}
    if group_by == GroupBy.LEADER:
        return dict(Leader.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
    if group_by == GroupBy.UNIT:
        return dict(Organization.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
    return {}


def _region_rollup(rows: list[tuple], region) -> tuple[list[tuple], dict]:
    """Leaf regions rolled up to the level below `region` (or below the deepest region holding them all)."""
    leaves = {r.pk: r.path.strip("/").split("/") for r in Region.objects.filter(pk__in=[row[0] for row in rows])}
    if region is not None:
        base = len(region.path.strip("/").split("/"))
    else:
        chains = list(leaves.values())
        base = 0
        while chains and all(len(c) > base + 1 and c[base] == chains[0][base] for c in chains):
            base += 1
    code_of = {pk: (chain[base] if len(chain) > base else chain[-1]) for pk, chain in leaves.items()}
    merged: dict[str, list] = {}
    for row in rows:
        code = code_of[row[0]]
        if code not in merged:
            merged[code] = [code, *[0] * (len(row) - 1)]
        for i in range(1, len(row)):
            merged[code][i] += row[i] or 0
    names = dict(Region.objects.filter(code__in=list(merged)).values_list("code", "name"))
    return [tuple(v) for v in merged.values()], names


def investment_payload(qs, *, year: int, month: int | None = None, group_by: str = GroupBy.BATCH, region=None) -> dict:
    """The statistics contract of `tuijin stats investment --json` and GET /api/v1/stats/investment.

    `qs`: projects the reader may see (already restricted). The figures cover the projects with an annual plan
    for `year` or a counted report in it, through month `month` (default: `default_through_month`):
    `annual_plan`, `plan_to_date` (the monthly split through M), `invested_to_date` (万元, exact);
    `completion_rate` = invested ÷ annual plan, in percent (one decimal; null without a plan);
    `gap_points` = completion_rate − 序时进度 in points (negative: behind schedule);
    `forecast_year_end` (万元) and `risk` counts from forecast.py. Groups by batch (the project's batch in the
    current portfolio as of the month's end; key null = not in the portfolio), leader, responsible unit,
    industry, or region (the level below `region`). `total` adds up every group.
    """
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    month = month or default_through_month(year)
    if not 1 <= month <= 12:
        raise ValueError("month must be 1 to 12")
    group_by = GroupBy(group_by)
    rows = _grouped_sql(qs, year=year, month=month, group_by=group_by)
    labels: dict = {}
    if group_by == GroupBy.REGION:
        rows, labels = _region_rollup(rows, region)
    else:
        labels = _labels(group_by, [r[0] for r in rows])
    groups: dict = {}
    if group_by == GroupBy.BATCH:
        groups = {b.value: _empty_group(b.value, str(b.label)) for b in Batch}
    for raw_key, n, plan, plan_to_date, invested, forecast_value, at_risk, off_track in rows:
        key = "" if raw_key in (None, "") else str(raw_key)
        label = labels.get(raw_key) or (key if group_by == GroupBy.INDUSTRY else "")
        if not label:
            label = _("Not in the current list") if group_by == GroupBy.BATCH else _("Not set")
        g = groups.setdefault(key, _empty_group(key, label))
        g["projects"] += n
        g["annual_plan"] += _money(plan)
        g["plan_to_date"] += _money(plan_to_date)
        g["invested_to_date"] += _money(invested)
        g["forecast_year_end"] += _money(round(forecast_value or 0))
        g["risk"][Risk.AT_RISK] += int(at_risk or 0)
        g["risk"][Risk.OFF_TRACK] += int(off_track or 0)
        g["risk"][Risk.ON_TRACK] += n - int(at_risk or 0) - int(off_track or 0)
    ordered = list(groups.values())
    if group_by != GroupBy.BATCH:
        ordered.sort(key=lambda g: (g["key"] == "", str(g["label"])))
    else:
        ordered.sort(key=lambda g: g["key"] == "")
    total = _empty_group("total", _("Total"))
    for g in ordered:
        _add(total, g)
        _finish(g, month)
    return {
        "year": year,
        "through_month": month,
        "unit": "万元",
        "elapsed_share": elapsed_share(month),
        "groups": ordered,
        "total": _finish(total, month),
    }
