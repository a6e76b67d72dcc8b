"""Formulas over tuijin's data, by key: each gives, per subject, a value and the numbers behind it.

A formula reads the data of the assessment's region (its subtree) for the period [start, end] and groups it by
subject: a responsible unit (the project's `responsible_unit`; a task's lead unit; a problem's assigned unit; a
node's own unit when it is a department or office, else its project's), a leader (the project's `leader`; a task's
or problem's project's leader) or a region (the child of the assessment's region the item lies in: the cities of a
province). Subject keys: the unit's or leader's id, the region's code.

The figures come from the other apps' own definitions: investment completion from
`investment.selectors.investment_payload` (the statistics contract), the portfolio ("batch" basis) from
`projects.selectors.portfolio`, tasks closed on time and overdue from `coordination.selectors`. docs/assessment.md
states each formula.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuijin.accounts.choices import OrganizationKind
from tuijin.coordination.models import Problem, Task
from tuijin.coordination.selectors import task_figures_q
from tuijin.investment.choices import COUNTED_STATUSES, GroupBy, ReportStatus
from tuijin.investment.models import AnnualPlan, MonthlyReport
from tuijin.investment.selectors import investment_payload
from tuijin.projects.models import Project
from tuijin.projects.selectors import Scope as LedgerScope
from tuijin.projects.selectors import portfolio
from tuijin.regions.models import Region
from tuijin.schedule.choices import Milestone
from tuijin.schedule.models import ProjectNode

from .choices import SubjectKind
from .periods import PeriodSpec

CENT = Decimal("0.01")


def q2(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    return q2(Decimal(100) * part / whole) if whole else None


@dataclass
class Result:
    value: Decimal | None
    numbers: dict


@dataclass
class Context:
    """What a formula reads: the period, the region whose subtree counts, who is scored, and today (for what is
    overdue "now" in a period not yet over)."""

    period: PeriodSpec
    region: Region
    subject_kind: str
    today: datetime.date
    _depth: int = field(init=False)
    memo: dict = field(init=False, default_factory=dict)  # figures two formulas share (investment)

    def __post_init__(self):
        self._depth = len(self.region.path.strip("/").split("/"))

    @property
    def start(self) -> datetime.date:
        return self.period.start

    @property
    def end(self) -> datetime.date:
        return self.period.end

    @property
    def as_of(self) -> datetime.date:
        return min(self.end, self.today)

    def key(self, raw) -> str | None:
        """The subject key of a row's raw subject value (an id, or a region path for regions)."""
        if raw is None or raw == "":
            return None
        if self.subject_kind == SubjectKind.REGIONS:
            chain = str(raw).strip("/").split("/")
            return chain[self._depth] if len(chain) > self._depth else None
        return str(raw)

    def projects(self):
        return Project.objects.filter(region__path__startswith=self.region.path)


# How each kind of row reaches its subject, per subject kind.
PROJECT = {
    SubjectKind.UNITS: "responsible_unit_id",
    SubjectKind.LEADERS: "leader_id",
    SubjectKind.REGIONS: "region__path",
}
TASK = {
    SubjectKind.UNITS: "lead_unit_id",
    SubjectKind.LEADERS: "project__leader_id",
    SubjectKind.REGIONS: "region__path",
}
PROBLEM = {
    SubjectKind.UNITS: "assigned_unit_id",
    SubjectKind.LEADERS: "project__leader_id",
    SubjectKind.REGIONS: "region__path",
}
NODE = {
    SubjectKind.UNITS: "unit_key",
    SubjectKind.LEADERS: "project__leader_id",
    SubjectKind.REGIONS: "project__region__path",
}


def _through_project(ctx: Context) -> str:
    return "project__" + PROJECT[ctx.subject_kind]


@dataclass(frozen=True)
class FormulaSpec:
    key: str
    label: Promise
    unit: str  # "%", "count" or "万元"
    func: Callable[[Context, dict], dict[str, Result]]
    description: Promise
    params: dict = field(default_factory=dict)  # name -> allowed values, the first the default
    absent_is_zero: bool = False  # counts and sums: a subject without rows has 0, not "no value"

    def check_params(self, params) -> dict:
        if not isinstance(params, dict):
            raise ValidationError(gettext("Formula parameters must be an object."))
        extra = sorted(set(params) - set(self.params))
        if extra:
            raise ValidationError(gettext("Unknown formula parameters: %(names)s.") % {"names": ", ".join(extra)})
        out = {}
        for name, allowed in self.params.items():
            value = params.get(name, allowed[0])
            if value not in allowed:
                raise ValidationError(
                    gettext("“%(name)s” must be one of %(choices)s.") % {"name": name, "choices": ", ".join(allowed)}
                )
            out[name] = value
        return out

    def evaluate(self, ctx: Context, params: dict) -> dict[str, Result]:
        return self.func(ctx, self.check_params(params))

    def empty(self) -> Result:
        if self.absent_is_zero:
            return Result(q2(0), {"count": 0, "ids": []})
        return Result(None, {})

    @property
    def unit_label(self) -> str:
        return {"%": "%", "count": gettext("items"), "万元": "万元"}[self.unit]


REGISTRY: dict[str, FormulaSpec] = {}


def formula(key: str, label, unit: str, description, *, params: dict | None = None, absent_is_zero: bool = False):
    def register(func):
        REGISTRY[key] = FormulaSpec(key, label, unit, func, description, params or {}, absent_is_zero)
        return func

    return register


def formula_choices() -> list[tuple[str, str]]:
    return [(k, str(s.label)) for k, s in REGISTRY.items()]


# ---- tallies ----


def _rates(ctx: Context, kind: str, rows) -> dict[str, Result]:
    """rows: (id, raw subject, met). Per subject: value = met ÷ counted in percent (2 decimals)."""
    acc: dict[str, tuple[list, list]] = {}
    for pk, raw, met in rows:
        key = ctx.key(raw)
        if key is None:
            continue
        ids, missed = acc.setdefault(key, ([], []))
        ids.append(pk)
        if not met:
            missed.append(pk)
    out = {}
    for key, (ids, missed) in acc.items():
        n, d = len(ids) - len(missed), len(ids)
        out[key] = Result(
            percent(n, d),
            {"kind": kind, "numerator": n, "denominator": d, "ids": sorted(ids), "missed": sorted(missed)},
        )
    return out


def _counts(ctx: Context, kind: str, rows, *, money: bool = False) -> dict[str, Result]:
    """rows: (id, raw subject[, amount]). Per subject: the count, or with `money` the sum of the amounts (万元)."""
    acc: dict[str, list] = {}
    for row in rows:
        key = ctx.key(row[1])
        if key is None:
            continue
        entry = acc.setdefault(key, [[], Decimal(0)])
        entry[0].append(row[0])
        if money:
            entry[1] += row[2] or 0
    out = {}
    for key, (ids, total) in acc.items():
        numbers = {"kind": kind, "count": len(ids), "ids": sorted(ids)}
        if money:
            numbers["sum"] = str(q2(total))
        out[key] = Result(q2(total if money else len(ids)), numbers)
    return out


def _met(q: Q):
    """1 where the row meets `q`, else 0 (NULL dates do not meet a comparison)."""
    return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


def _raw(qs, *fields) -> list[tuple]:
    """The rows of `qs.values_list(*fields)` as the database cursor gives them: for ids, paths and 0/1 flags, the
    per-value conversions Django would apply are only time (a province-year holds over 100,000 nodes)."""
    try:
        sql, params = qs.order_by().values_list(*fields).query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# ---- investment (investment.selectors: the statistics contract) ----

_GROUP = {SubjectKind.UNITS: GroupBy.UNIT, SubjectKind.LEADERS: GroupBy.LEADER, SubjectKind.REGIONS: GroupBy.REGION}


def _investment(ctx: Context) -> dict[str, dict]:
    if "investment" not in ctx.memo:
        ctx.memo["investment"] = _investment_figures(ctx)
    return ctx.memo["investment"]


def _investment_figures(ctx: Context) -> dict[str, dict]:
    year, month = ctx.end.year, ctx.end.month
    payload = investment_payload(
        Project.objects.all(), year=year, month=month, group_by=_GROUP[ctx.subject_kind], region=ctx.region
    )
    # The projects those figures cover (a plan for the year, or a counted report in it), to link to them.
    reported = MonthlyReport.objects.filter(
        project=OuterRef("pk"), year=year, month__lte=month, status__in=COUNTED_STATUSES, invested__gt=0
    )
    covered = ctx.projects().filter(Q(annual_plans__year=year) | Exists(reported)).distinct()
    ids: dict[str, list] = {}
    for pk, raw in _raw(covered, "pk", PROJECT[ctx.subject_kind]):
        key = ctx.key(raw)
        if key is not None:
            ids.setdefault(key, []).append(pk)
    elapsed = (Decimal(100 * month) / 12).quantize(Decimal("0.1"))
    out = {}
    for g in payload["groups"]:
        if not g["key"]:
            continue
        out[g["key"]] = {
            "kind": "project",
            "through": f"{year}-{month:02d}",
            "projects": g["projects"],
            "annual_plan": str(g["annual_plan"]),
            "plan_to_date": str(g["plan_to_date"]),
            "invested_to_date": str(g["invested_to_date"]),
            "completion_rate": None if g["completion_rate"] is None else str(g["completion_rate"]),
            "elapsed": str(elapsed),
            "gap_points": None if g["gap_points"] is None else str(g["gap_points"]),
            "ids": sorted(ids.get(g["key"], [])),
        }
    return out


@formula(
    "investment_completion",
    _("Annual plan investment completion rate"),
    "%",
    _("Invested this year through the period's last month ÷ this year's planned investment, in percent."),
)
def investment_completion(ctx: Context, params: dict) -> dict[str, Result]:
    out = {}
    for key, n in _investment(ctx).items():
        rate = n["completion_rate"]
        out[key] = Result(None if rate is None else q2(rate), n)
    return out


@formula(
    "investment_schedule",
    _("Investment completion against 序时进度"),
    "%",
    _("The completion rate ÷ 序时进度 (the share of the year elapsed through the period's last month), in percent."),
)
def investment_schedule(ctx: Context, params: dict) -> dict[str, Result]:
    month = ctx.end.month
    out = {}
    for key, n in _investment(ctx).items():
        rate = n["completion_rate"]
        out[key] = Result(None if rate is None else q2(Decimal(rate) * 12 / month), n)
    return out


# ---- the ledger's milestones ----

BASIS = ("planned", "batch")


def _planned_or_batch(ctx: Context, params: dict, *, planned: str, actual: str, batch: str) -> dict[str, Result]:
    lookup = PROJECT[ctx.subject_kind]
    if params["basis"] == "planned":
        qs = ctx.projects().filter(**{f"{planned}__gte": ctx.start, f"{planned}__lte": ctx.end})
    else:
        qs = portfolio(ctx.projects(), LedgerScope(as_of=ctx.end)).filter(batch=batch)
    met = _met(Q(**{f"{actual}__lte": ctx.end}))
    return _rates(ctx, "project", _raw(qs.annotate(met=met), "pk", lookup, "met"))


@formula(
    "start_rate",
    _("Projects started (开工率)"),
    "%",
    _(
        "planned: of the projects planned to start in the period, those started by its end. batch: of the start "
        "batch of the portfolio as of the period's end, those started by then."
    ),
    params={"basis": BASIS},
)
def start_rate(ctx: Context, params: dict) -> dict[str, Result]:
    return _planned_or_batch(ctx, params, planned="planned_started_on", actual="started_on", batch="started")


@formula(
    "production_rate",
    _("Projects in production (投产率)"),
    "%",
    _(
        "planned: of the projects planned to go into production in the period, those in production by its end. "
        "batch: of the commission batch of the portfolio as of the period's end, those in production by then."
    ),
    params={"basis": BASIS},
)
def production_rate(ctx: Context, params: dict) -> dict[str, Result]:
    return _planned_or_batch(ctx, params, planned="planned_production_on", actual="production_on", batch="production")


@formula(
    "effective_rate",
    _("Projects effective (达效率)"),
    "%",
    _("Of the commission batch of the portfolio as of the period's end in production by then, those effective."),
)
def effective_rate(ctx: Context, params: dict) -> dict[str, Result]:
    qs = portfolio(ctx.projects(), LedgerScope(as_of=ctx.end)).filter(batch="production", production_on__lte=ctx.end)
    met = _met(Q(effective_on__lte=ctx.end))
    return _rates(ctx, "project", _raw(qs.annotate(met=met), "pk", PROJECT[ctx.subject_kind], "met"))


@formula(
    "signed_honoured",
    _("Signed projects honoured (履约率)"),
    "%",
    _(
        "batch: of the sign batch of the portfolio as of the period's end, those started by then. planned: of the "
        "projects signed and planned to start by the period's end, those started by then."
    ),
    params={"basis": ("batch", "planned")},
)
def signed_honoured(ctx: Context, params: dict) -> dict[str, Result]:
    lookup = PROJECT[ctx.subject_kind]
    if params["basis"] == "planned":
        qs = ctx.projects().filter(signed_on__lte=ctx.end, planned_started_on__lte=ctx.end)
    else:
        qs = portfolio(ctx.projects(), LedgerScope(as_of=ctx.end)).filter(batch="signed")
    met = _met(Q(started_on__lte=ctx.end))
    return _rates(ctx, "project", _raw(qs.annotate(met=met), "pk", lookup, "met"))


@formula(
    "reserve_investment",
    _("Reserve projects' total investment (谋划储备)"),
    "万元",
    _("Total investment of the ledger's projects not yet signed at the period's end."),
    absent_is_zero=True,
)
def reserve_investment(ctx: Context, params: dict) -> dict[str, Result]:
    qs = ctx.projects().filter(Q(signed_on__isnull=True) | Q(signed_on__gt=ctx.end))
    return _counts(ctx, "project", qs.values_list("pk", PROJECT[ctx.subject_kind], "total_investment"), money=True)


@formula(
    "signed_investment",
    _("Projects signed in the period: total investment"),
    "万元",
    _("Total investment of the projects signed in the period."),
    absent_is_zero=True,
)
def signed_investment(ctx: Context, params: dict) -> dict[str, Result]:
    qs = ctx.projects().filter(signed_on__gte=ctx.start, signed_on__lte=ctx.end)
    return _counts(ctx, "project", qs.values_list("pk", PROJECT[ctx.subject_kind], "total_investment"), money=True)


@formula(
    "started_count",
    _("Projects started in the period"),
    "count",
    _("How many projects started construction in the period."),
    absent_is_zero=True,
)
def started_count(ctx: Context, params: dict) -> dict[str, Result]:
    qs = ctx.projects().filter(started_on__gte=ctx.start, started_on__lte=ctx.end)
    return _counts(ctx, "project", qs.values_list("pk", PROJECT[ctx.subject_kind]))


# ---- schedule nodes ----


@formula(
    "nodes_on_time",
    _("Nodes finished on time"),
    "%",
    _(
        "Of the checklist nodes with a planned finish in the period, those actually finished on or before it (a "
        "milestone node finishes on the project's milestone date)."
    ),
)
def nodes_on_time(ctx: Context, params: dict) -> dict[str, Result]:
    finished = Case(
        *[When(milestone=m.value, then=F(f"project__{m.value}")) for m in Milestone],
        default=F("actual_finish"),
    )
    unit = Case(
        When(
            responsible_unit__kind__in=[OrganizationKind.DEPARTMENT, OrganizationKind.OFFICE],
            then=F("responsible_unit_id"),
        ),
        default=F("project__responsible_unit_id"),
    )
    qs = ProjectNode.objects.filter(
        project__region__path__startswith=ctx.region.path, planned_finish__gte=ctx.start, planned_finish__lte=ctx.end
    ).annotate(finished=finished, unit_key=unit)
    qs = qs.annotate(met=_met(Q(finished__lte=F("planned_finish"))))
    return _rates(ctx, "node", _raw(qs, "pk", NODE[ctx.subject_kind], "met"))


# ---- coordination (coordination.selectors' definitions) ----


def _tasks(ctx: Context):
    return Task.objects.filter(region__path__startswith=ctx.region.path)


@formula(
    "tasks_on_time",
    _("Tasks closed on time"),
    "%",
    _(
        "Of the tasks due in the period, those closed by its end and reported done on or before their deadline "
        "(after any granted extension)."
    ),
)
def tasks_on_time(ctx: Context, params: dict) -> dict[str, Result]:
    met = task_figures_q(ctx.end, ctx.as_of)["closed_on_time"]
    qs = _tasks(ctx).filter(deadline__gte=ctx.start, deadline__lte=ctx.end).annotate(met=_met(met))
    return _rates(ctx, "task", _raw(qs, "pk", TASK[ctx.subject_kind], "met"))


@formula(
    "tasks_overdue",
    _("Tasks overdue"),
    "count",
    _("How many tasks assigned by the period's end are overdue at its end (or today, if sooner)."),
    absent_is_zero=True,
)
def tasks_overdue(ctx: Context, params: dict) -> dict[str, Result]:
    overdue = task_figures_q(ctx.end, ctx.as_of)["overdue"]
    qs = _tasks(ctx).filter(overdue, assigned_on__lte=ctx.end)
    return _counts(ctx, "task", qs.values_list("pk", TASK[ctx.subject_kind]))


@formula(
    "problems_solved",
    _("Problems solved and confirmed"),
    "%",
    _(
        "Of the problems open at some time in the period (raised by its end, not confirmed before it began), those "
        "solved and confirmed (销号) by whoever raised them by its end."
    ),
)
def problems_solved(ctx: Context, params: dict) -> dict[str, Result]:
    qs = Problem.objects.filter(region__path__startswith=ctx.region.path, raised_on__lte=ctx.end).filter(
        Q(confirmed_on__isnull=True) | Q(confirmed_on__gte=ctx.start)
    )
    qs = qs.annotate(met=_met(Q(confirmed_on__lte=ctx.end)))
    return _rates(ctx, "problem", _raw(qs, "pk", PROBLEM[ctx.subject_kind], "met"))


# ---- monthly reports ----


@formula(
    "reports_on_time",
    _("Monthly reports on time"),
    "%",
    _(
        "Of the monthly reports owed for the period's months (every project with a positive annual plan owes one a "
        "month; a project that reported owes that month too), those submitted within the reporting window (not "
        "late). A missing report counts as not on time."
    ),
)
def reports_on_time(ctx: Context, params: dict) -> dict[str, Result]:
    # A period lies within one calendar year: its months are first..last of `year`.
    year, first, last = ctx.start.year, ctx.start.month, ctx.end.month
    months = last - first + 1
    planned = AnnualPlan.objects.filter(project=OuterRef("pk"), year=year, amount__gt=0)
    reports = MonthlyReport.objects.filter(year=year, month__gte=first, month__lte=last).exclude(
        status=ReportStatus.DRAFT
    )
    per_project = {
        pid: (reported, on_time)
        for pid, reported, on_time in reports.filter(project_id__in=ctx.projects().values("pk"))
        .order_by()
        .values("project_id")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(late=False)))
        .values_list("project_id", "n", "on_time")
    }
    acc: dict[str, dict] = {}
    rows = _raw(ctx.projects().annotate(has_plan=Exists(planned)), "pk", PROJECT[ctx.subject_kind], "has_plan")
    for pk, raw, has_plan in rows:
        key = ctx.key(raw)
        if key is None or not (has_plan or pk in per_project):
            continue
        reported, on_time = per_project.get(pk, (0, 0))
        owed = months if has_plan else reported  # a project without a plan owes the months it reported
        a = acc.setdefault(key, {"owed": 0, "on_time": 0, "ids": [], "missed": []})
        a["owed"] += owed
        a["on_time"] += on_time
        a["ids"].append(pk)
        if on_time < owed:
            a["missed"].append(pk)
    return {
        key: Result(
            percent(a["on_time"], a["owed"]),
            {
                "kind": "project",
                "numerator": a["on_time"],
                "denominator": a["owed"],
                "ids": sorted(a["ids"]),
                "missed": sorted(a["missed"]),
            },
        )
        for key, a in acc.items()
    }
