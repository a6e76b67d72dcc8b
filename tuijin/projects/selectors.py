"""Reads that aggregate the ledger. The portfolio rule lives here, once.

Current portfolio as of a date: each project's latest listing in a period held on or before that date,
without the removed ones. A period's list: the listings of that one period, without the removed ones.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
    When,
)

from tuijin.core.fields import CENT

from .choices import Batch, ListingAction
from .models import Listing, Period, Project

MILESTONE_COUNTS = {
    "signed": "signed_on",
    "started": "started_on",
    "in_production": "production_on",
    "effective": "effective_on",
}


@dataclass(frozen=True)
class Scope:
    """Which list the figures describe: the current portfolio as of a date, or one period's list."""

    as_of: datetime.date
    period: int | None = None

    @property
    def kind(self) -> str:
        return "period" if self.period is not None else "current"


def latest_period_number(as_of: datetime.date) -> int | None:
    return Period.objects.filter(date__lte=as_of).aggregate(n=Max("number"))["n"]


IN_LIST = (ListingAction.LISTED, ListingAction.CONVERTED)


def _listing_condition(scope: Scope) -> Q | None:
    """The join condition that picks each project's one listing in the scope (None: no period held yet)."""
    if scope.period is not None:
        return Q(listings__period_id=scope.period)
    last = latest_period_number(scope.as_of)
    if last is None:
        return None
    # services.derive_listing_chain keeps next_period: the listing current at period N is the one with
    # period <= N whose next listing, if any, comes after N.
    return Q(listings__period_id__lte=last) & (
        Q(listings__next_period__isnull=True) | Q(listings__next_period__gt=last)
    )


def _nothing_listed(qs, period_number: bool):
    qs = qs.annotate(batch=Value(None, output_field=CharField()))
    if period_number:
        qs = qs.annotate(listed_period=Value(None, output_field=IntegerField()))
    return qs


def with_batch(qs, scope: Scope, *, period_number: bool = False):
    """Every project of `qs`, annotated with its `batch` in the scope's list (NULL = not in it) and, on
    request (exports), the listing that decides it: `listed_period`, `listing_batch`, `listing_action`,
    `listing_reason` — so a removed project exports as 调出 with its batch and reason."""
    condition = _listing_condition(scope)
    if condition is None:
        return _nothing_listed(qs, period_number)
    qs = qs.annotate(
        listing_now=FilteredRelation("listings", condition=condition),
        batch=Case(
            When(listing_now__action=ListingAction.REMOVED, then=Value(None)),
            default=F("listing_now__batch"),
            output_field=CharField(),
        ),
    )
    if period_number:
        qs = qs.annotate(
            listed_period=F("listing_now__period_id"),
            listing_batch=F("listing_now__batch"),
            listing_action=F("listing_now__action"),
            listing_reason=F("listing_now__reason"),
        )
    return qs


def portfolio(qs, scope: Scope, *, period_number: bool = False):
    """The projects of `qs` in the scope's list, annotated with their `batch` (and `listed_period`)."""
    condition = _listing_condition(scope)
    if condition is None:
        return _nothing_listed(qs.none(), period_number)
    qs = qs.annotate(listing_now=FilteredRelation("listings", condition=condition)).filter(
        listing_now__action__in=IN_LIST
    )
    qs = qs.annotate(batch=F("listing_now__batch"))
    return qs.annotate(listed_period=F("listing_now__period_id")) if period_number else qs


def with_annual_plan(qs, year: int):
    """Join each project's plan for `year` (at most one row: the plan is unique per project and year)."""
    return qs.annotate(plan_year=FilteredRelation("annual_plans", condition=Q(annual_plans__year=year)))


def _empty_figures() -> dict:
    return {
        "count": 0,
        "total_investment": Decimal("0.00"),
        "annual_plan": Decimal("0.00"),
        "signed": 0,
        "started": 0,
        "in_production": 0,
        "effective": 0,
    }


def _clean(row: dict) -> dict:
    out = _empty_figures()
    for key in out:
        value = row.get(key)
        if value is not None:
            out[key] = value.quantize(CENT) if isinstance(value, Decimal) else value
    return out


def _add(total: dict, figures: dict) -> None:
    for key, value in figures.items():
        total[key] += value


def campaign_stats(qs, scope: Scope) -> dict:
    """Figures per batch (and their total) for the projects of `qs` in the scope's list.

    `qs` is already restricted to what the reader may see and to the region asked for.
    """
    batches = {b.value: _empty_figures() for b in Batch}
    total = _empty_figures()
    for row in _campaign_rows(qs, scope):
        if row["batch"] is None:
            continue
        figures = _clean(row)
        batches[row["batch"]] = figures
        _add(total, figures)
    return {"batches": batches, "total": total}


def _campaign_rows(qs, scope: Scope) -> list[dict]:
    """The figures per batch in ONE hand-written query around `qs` (what every statistics request runs).

    The same rule as `portfolio()`: each project's listing current in the scope (by `next_period`, with the latest
    period as a subquery, not a query of its own), removed ones out; the annual plan of the date's year; the
    milestones reached by the date. Written out because building the same query through the ORM
    (FilteredRelations, filtered counts) took a third of a zone's request. Who may see what stays `qs`'s own
    SQL, placed as each database plans it best. PostgreSQL gets `FROM (qs)` and folds it into the joins. SQLite
    gets `id IN (qs)`: given the restriction as joins (region path, enterprise) it reads every listing of the
    province first and drops those outside the reader's zone (13 ms for a zone's 1,300 projects), given the
    projects as an IN list it reads only those and their listings through the (project, period) index (7 ms).
    An unrestricted `qs` is the project table itself. bench/run.py checks the figures against its floor query.
    """
    connection = connections[qs.db]
    qn = connection.ops.quote_name
    project, listing, period = Project._meta, Listing._meta, Period._meta
    plan = project.get_field("annual_plans").related_model._meta
    fields = ["id", "total_investment", *MILESTONE_COUNTS.values()]
    p = {f: "p." + qn(project.get_field(f).column) for f in fields}
    lst = {f: "l." + qn(listing.get_field(f).column) for f in ("project", "period", "next_period", "batch", "action")}
    ap = {f: "ap." + qn(plan.get_field(f).column) for f in ("project", "year", "amount")}
    restrict_sql, restrict_params = "", []
    whole_table = not (qs.query.where or qs.query.is_sliced or qs.query.combinator)
    try:
        if whole_table:
            source, source_params = f"{qn(project.db_table)} p", []
        elif connection.vendor == "sqlite":
            source, source_params = f"{qn(project.db_table)} p", []
            inner, params = qs.order_by().values("pk").query.sql_with_params()
            restrict_sql, restrict_params = f" AND {p['id']} IN ({inner})", list(params)
        else:
            inner, params = qs.order_by().values(*fields).query.sql_with_params()
            source, source_params = f"({inner}) p", list(params)
    except EmptyResultSet:  # qs.none(): no projects at all
        return []
    as_of = connection.ops.adapt_datefield_value(scope.as_of)
    if scope.period is not None:
        current, current_params = f"{lst['period']} = %s", [scope.period]
    else:
        last = (
            f"(SELECT MAX({qn(period.get_field('number').column)}) FROM {qn(period.db_table)} "
            f"WHERE {qn(period.get_field('date').column)} <= %s)"
        )
        current = f"{lst['period']} <= {last} AND ({lst['next_period']} IS NULL OR {lst['next_period']} > {last})"
        current_params = [as_of, as_of]
    reached = ", ".join(f"COUNT(*) FILTER (WHERE {p[f]} <= %s)" for f in MILESTONE_COUNTS.values())
    sql = (
        f"SELECT {lst['batch']}, COUNT(*), SUM({p['total_investment']}), SUM({ap['amount']}), {reached} "
        f"FROM {source} "
        f"JOIN {qn(listing.db_table)} l ON {lst['project']} = {p['id']} AND {current} "
        f"LEFT JOIN {qn(plan.db_table)} ap ON {ap['project']} = {p['id']} AND {ap['year']} = %s "
        f"WHERE {lst['action']} IN (%s, %s){restrict_sql} "
        f"GROUP BY {lst['batch']}"
    )
    params = [
        *[as_of] * len(MILESTONE_COUNTS),
        *source_params,
        *current_params,
        scope.as_of.year,
        *IN_LIST,
        *restrict_params,
    ]
    money, planned_money = project.get_field("total_investment"), plan.get_field("amount")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        {
            "batch": batch,
            "count": count,
            "total_investment": money.from_db_value(total, None, connection),
            "annual_plan": planned_money.from_db_value(planned, None, connection),
            **dict(zip(MILESTONE_COUNTS, reached_counts, strict=True)),
        }
        for batch, count, total, planned, *reached_counts in rows
    ]


def ledger_totals(qs, year: int) -> dict:
    """The totals row under a ledger view: count and sums of exactly the rows listed."""
    row = with_annual_plan(qs.order_by(), year).aggregate(
        count=Count("pk"), total_investment=Sum("total_investment"), annual_plan=Sum("plan_year__amount")
    )
    return {
        "count": row["count"],
        "total_investment": (row["total_investment"] or Decimal(0)).quantize(CENT),
        "annual_plan": (row["annual_plan"] or Decimal(0)).quantize(CENT),
    }


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def campaign_rates(stats: dict) -> dict:
    """The chain of rates the province scores, from the batch figures (one definition for every page)."""
    b = stats["batches"]
    return {
        "start_rate": rate(b["started"]["started"], b["started"]["count"]),
        "production_rate": rate(b["production"]["in_production"], b["production"]["count"]),
        "effective_rate": rate(b["production"]["effective"], b["production"]["in_production"]),
    }


def breakdown(qs, scope: Scope, field: str) -> list[dict]:
    """Count and total investment of the scope's list grouped by a project field (industry, …)."""
    rows = (
        portfolio(qs, scope)
        .order_by()
        .values(field)
        .annotate(count=Count("pk"), total_investment=Sum("total_investment"))
        .order_by("-count", field)
    )
    return [
        {"key": r[field] or "", "count": r["count"], "total_investment": (r["total_investment"] or 0)} for r in rows
    ]


def by_period(qs) -> list[dict]:
    """For every period: how many projects its list holds in each batch, and their total investment."""
    rows = (
        Listing.objects.filter(project__in=qs)
        .exclude(action=ListingAction.REMOVED)
        .order_by()
        .values("period_id", "batch")
        .annotate(count=Count("pk"), total_investment=Sum("project__total_investment"))
    )
    periods = {p.number: p for p in Period.objects.all()}
    out: dict[int, dict] = {}
    for r in rows:
        entry = out.setdefault(r["period_id"], {"period": periods[r["period_id"]], "batches": {}})
        entry["batches"][r["batch"]] = {"count": r["count"], "total_investment": r["total_investment"]}
    return [out[n] for n in sorted(out)]


def lifecycle_funnel(qs, scope: Scope) -> list[tuple[str, int]]:
    """How many projects of the scope's list have reached each milestone by the scope's date."""
    row = (
        portfolio(qs, scope)
        .order_by()
        .aggregate(
            listed=Count("pk"),
            **{k: Count("pk", filter=Q(**{f"{f}__lte": scope.as_of})) for k, f in MILESTONE_COUNTS.items()},
        )
    )
    return [(k, row[k]) for k in ("listed", *MILESTONE_COUNTS)]


def project_queryset_for(user):
    """Projects `user` may see, with what the ledger page shows of them."""
    return Project.objects.restrict(user, "view").select_related("region", "enterprise", "leader", "responsible_unit")


def campaign_payload(qs, scope: Scope, *, region=None) -> dict:
    """The statistics contract shared by `tuijin stats --json` and GET /api/v1/stats/campaign."""
    stats = campaign_stats(qs, scope)
    return {
        "as_of": scope.as_of.isoformat(),
        "scope": scope.kind,
        "period": scope.period,
        "region": region.code if region else None,
        "unit": "万元",
        "batches": stats["batches"],
        "total": stats["total"],
    }
