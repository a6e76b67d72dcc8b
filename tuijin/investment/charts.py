"""Reads for the investment charts and pages: month-by-month plan and actual, the years on record, the projects
behind schedule. The per-project and group figures themselves come from `selectors` (completion_rows,
investment_payload); the series here add up to exactly the same totals (plan to date, invested to date).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, F, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from tuijin.core.fields import MoneyField

from .choices import COUNTED_STATUSES, Risk
from .models import MONTH_FIELDS, AnnualPlan, MonthlyReport
from .selectors import completion_rows

ZERO = Decimal("0.00")


def _cumulate(values: list[Decimal]) -> list[Decimal]:
    out, running = [], ZERO
    for v in values:
        running += v
        out.append(running)
    return out


def plan_by_month(projects, *, year: int) -> list[Decimal]:
    """The twelve monthly targets of `projects`' plans for `year`, summed (万元).

    A plan whose stored split no longer sums to its amount (or was never split) counts as even, exactly as
    `selectors.project_figures` does: floor(amount ÷ 12) a month and the residue in December. So the running
    total through month M equals the payload's `plan_to_date`.
    """
    split_sum = sum((F(f) for f in MONTH_FIELDS[1:]), F(MONTH_FIELDS[0]))
    plans = AnnualPlan.objects.filter(project__in=projects, year=year).order_by().alias(split_sum=split_sum)
    even = F("amount") / Value(12)  # integer hundredths: SQL integer division floors like split.split_even
    sums = {}
    for i, name in enumerate(MONTH_FIELDS, start=1):
        fallback = even if i < 12 else F("amount") - even * Value(11)
        sums[name] = Coalesce(
            Sum(Case(When(split_sum=F("amount"), then=F(name)), default=fallback, output_field=MoneyField())),
            Value(0),
            output_field=MoneyField(),
        )
    row = plans.aggregate(**sums)
    return [row[name] or ZERO for name in MONTH_FIELDS]


def actual_by_month(projects, *, year: int, through_month: int = 12) -> list[Decimal]:
    """What `projects` invested in each month of `year` through `through_month` (counted reports: reported and
    not sent back), 万元; months after it are 0."""
    rows = (
        MonthlyReport.objects.filter(
            project__in=projects, year=year, month__lte=through_month, status__in=COUNTED_STATUSES
        )
        .order_by()
        .values("month")
        .annotate(total=Sum("invested"))
    )
    out = [ZERO] * 12
    for row in rows:
        out[row["month"] - 1] = row["total"] or ZERO
    return out


def monthly_series(projects, *, year: int, through_month: int) -> dict:
    """Plan and actual per month and cumulated (the S-curve), for a chart: months 1–12 of plan, 1–M of actual."""
    plan = plan_by_month(projects, year=year)
    actual = actual_by_month(projects, year=year, through_month=through_month)
    return {
        "plan": plan,
        "actual": actual[:through_month],
        "plan_cumulative": _cumulate(plan),
        "actual_cumulative": _cumulate(actual)[:through_month],
    }


def plan_years(projects) -> list[int]:
    """Years for which any of `projects` has a plan or a report, newest first."""
    years = set(AnnualPlan.objects.filter(project__in=projects).order_by().values_list("year", flat=True).distinct())
    years |= set(
        MonthlyReport.objects.filter(project__in=projects).order_by().values_list("year", flat=True).distinct()
    )
    return sorted(years, reverse=True)


def default_year(projects, today=None) -> int:
    """The latest year with plans that is not in the future; this year when there is none."""
    today = today or timezone.localdate()
    years = (
        AnnualPlan.objects.filter(project__in=projects, year__lte=today.year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return years or today.year


def behind_rows(projects, *, year: int, month: int, limit: int | None = None) -> tuple[list[dict], int]:
    """The projects forecast to miss their plan (at risk or off track), worst first (off track, then by gap), from
    `completion_rows`; returns (the first `limit` rows, how many there are)."""
    rows = [r for r in completion_rows(projects, year=year, month=month) if r["risk"] != Risk.ON_TRACK]
    order = {Risk.OFF_TRACK: 0, Risk.AT_RISK: 1}
    rows.sort(key=lambda r: (order[r["risk"]], r["gap_points"] if r["gap_points"] is not None else 0))
    return (rows[:limit] if limit else rows), len(rows)
