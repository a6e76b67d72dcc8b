"""Reads that aggregate: the coordination statistics (one contract for the CLI and the API), overdue filters,
the supervision board and a unit's to-do list.

Definitions of the statistics over a window [from, to] (both optional; `to` defaults to today):
- meetings: meetings held (dated) in the window;
- tasks: the tasks *assigned* in the window (the cohort), and of them
  - closed: closed by `to`;
  - closed_on_time: closed by `to`, and reported done on or before the deadline (after any granted extension) —
    the unit's timeliness, not the assigner's review time;
  - overdue: not closed by `to` (or today, when `to` is later), past the deadline on that day, and not reported
    done by the deadline (a task done in time that waits for the assigner is not the unit's delay);
  - avg_days_to_close: mean calendar days from assignment to closing, one decimal (null when none closed);
- problems: the problems *raised* in the window, and of them solved (solved by `to`, including confirmed ones)
  and open_by_level (not solved by `to`, by their current level);
- by_unit: the task figures per lead unit, the units with most overdue first.

`coordination_breakdown` adds, over the same cohorts and with the same definitions (the statistics page): the task
figures per lead unit and per leader (the project's 包联领导) with closed late, open (neither closed nor overdue) and
the average days to close; problems by category, by level and by current state, with the average days to solve
(calendar days from raising to solving, one decimal, over the problems solved by `to`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.accounts.models import Organization

from .choices import (
    LADDER,
    PROBLEM_ACTIVE_STATES,
    TASK_ACTIVE_STATES,
    ProblemLevel,
    ProblemState,
    SupervisionLevel,
    TaskState,
)
from .models import Meeting, Problem, SupervisionStep, Task


def task_overdue_q(as_of: datetime.date) -> Q:
    """Tasks overdue on `as_of` (current state): past the deadline, not closed, not reported done in time."""
    return ~Q(state=TaskState.CLOSED) & Q(deadline__lt=as_of) & (Q(done_on__isnull=True) | Q(done_on__gt=F("deadline")))


def problem_overdue_q(as_of: datetime.date) -> Q:
    return Q(state__in=PROBLEM_ACTIVE_STATES, deadline__lt=as_of)


def _in_window(field: str, date_from: datetime.date | None, date_to: datetime.date) -> Q:
    q = Q(**{f"{field}__lte": date_to})
    if date_from is not None:
        q &= Q(**{f"{field}__gte": date_from})
    return q


def _region_q(prefix: str, region) -> Q:
    return Q(**{f"{prefix}region__path__startswith": region.path}) if region is not None else Q()


def stats_dates(
    date_to: datetime.date | None = None, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """(to, as_of): the window's end (default today) and the day overdue is judged on (never later than today)."""
    today = today or timezone.localdate()
    date_to = date_to or today
    return date_to, min(date_to, today)


def task_cohort_q(date_from: datetime.date | None, date_to: datetime.date, region=None) -> Q:
    """The tasks the statistics count: assigned in the window (and in the region's subtree)."""
    return _in_window("assigned_on", date_from, date_to) & _region_q("", region)


def problem_cohort_q(date_from: datetime.date | None, date_to: datetime.date, region=None) -> Q:
    """The problems the statistics count: raised in the window (and in the region's subtree)."""
    return _in_window("raised_on", date_from, date_to) & _region_q("", region)


# The figures of a task cohort; closed_on_time + closed_late + overdue + open = assigned.
TASK_FIGURES = ("closed", "closed_on_time", "closed_late", "overdue", "open")
PROBLEM_FIGURES = ("solved", "unsolved")


def task_figures_q(date_to: datetime.date, as_of: datetime.date) -> dict[str, Q]:
    """The filter of each task figure (TASK_FIGURES): the one definition the statistics and the list share."""
    closed = Q(closed_on__isnull=False, closed_on__lte=date_to)
    not_closed = Q(closed_on__isnull=True) | Q(closed_on__gt=as_of)
    in_time = Q(done_on__isnull=False, done_on__lte=F("deadline"))
    late = Q(deadline__lt=as_of) & ~in_time
    return {
        "closed": closed,
        "closed_on_time": closed & in_time,
        "closed_late": closed & ~in_time,
        "overdue": not_closed & late,
        "open": not_closed & ~late,
    }


def problem_figures_q(date_to: datetime.date) -> dict[str, Q]:
    """solved: solved by `to` (confirmed ones included); unsolved: the rest of the cohort."""
    solved = Q(solved_on__isnull=False, solved_on__lte=date_to)
    return {"solved": solved, "unsolved": ~solved}


def _days_sum(end: str, start: str, q: Q) -> Sum:
    """The summed whole days from `start` to `end` over the rows matching `q` (see _DaysBetween)."""
    return Sum(_DaysBetween(end, start), filter=q)


def _mean_days(total: int | None, n: int) -> float | None:
    """Average days (one decimal) from a sum of days over n rows, as the payload's avg_days_to_close."""
    return _days(datetime.timedelta(days=total or 0) / n) if n else None


def _days(span: datetime.timedelta | None) -> float | None:
    """A mean duration as a plain JSON number of days with one decimal (None when nothing was averaged)."""
    if span is None:
        return None
    days = Decimal(span.days) + Decimal(span.seconds * 10**6 + span.microseconds) / 86400000000
    return float(days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _task_rows(tasks: QuerySet[Task], key: str, name: str, figures: dict[str, Q]) -> list[dict]:
    """The task figures grouped by `key` (with its `name`), most overdue first, then most assigned, then by name."""
    rows = (
        tasks.values(key, name)
        .annotate(
            assigned=Count("pk"),
            **{f: Count("pk", filter=q) for f, q in figures.items()},
            days=_days_sum("closed_on", "assigned_on", figures["closed"]),
        )
        .order_by("-overdue", "-assigned", name)
    )
    return [
        {
            "id": r[key],
            "name": r[name],
            "assigned": r["assigned"],
            **{f: r[f] for f in figures},
            "avg_days_to_close": _mean_days(r["days"], r["closed"]),
        }
        for r in rows
    ]


class _DaysBetween(Func):
    """`end − start` in whole days, for two date columns, in the database's own arithmetic. (Django subtracts dates
    on SQLite through a Python function called once per row, which made the statistics twice as slow as SQL.)"""

    arity = 2
    output_field = IntegerField()
    template = "(%(expressions)s)"  # PostgreSQL: date − date is an integer number of days
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _by_name(unit_ids) -> dict[int, tuple[int, str]]:
    """Each unit's (place in name order, name): the order comes from the database, so that names sort by its
    collation, exactly as an ORDER BY name would."""
    rows = Organization.objects.filter(pk__in=list(unit_ids)).order_by("name", "pk").values_list("pk", "name")
    return {pk: (place, name) for place, (pk, name) in enumerate(rows)}


def coordination_payload(
    *,
    tasks: QuerySet[Task],
    problems: QuerySet[Problem],
    meetings: QuerySet[Meeting],
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    region=None,
    today: datetime.date | None = None,
) -> dict:
    """The statistics contract of `tuijin stats coordination --json` and GET /api/v1/stats/coordination.

    The querysets are what the caller may see (restricted by the API, everything for the CLI). Four queries: the
    task cohort in one pass grouped by lead unit (the totals are the sums of the units' figures, the average days
    to close their summed days over the closed count), the units' names, the problems, the meetings."""
    date_to, as_of = stats_dates(date_to, today)
    tasks = tasks.filter(task_cohort_q(date_from, date_to, region))
    problems = problems.filter(problem_cohort_q(date_from, date_to, region))
    meetings = meetings.filter(_in_window("date", date_from, date_to), _region_q("", region))

    figures = task_figures_q(date_to, as_of)
    counted = ("closed", "closed_on_time", "overdue")
    units = list(
        tasks.values("lead_unit_id")
        .annotate(
            assigned=Count("pk"),
            **{f: Count("pk", filter=figures[f]) for f in counted},
            days=Sum(_DaysBetween("closed_on", "assigned_on"), filter=figures["closed"]),
        )
        .order_by()
    )
    names = _by_name(u["lead_unit_id"] for u in units)
    units.sort(key=lambda u: (-u["overdue"], -u["assigned"], names[u["lead_unit_id"]][0]))
    t = {f: sum(u[f] for u in units) for f in ("assigned", *counted)}
    days = sum(u["days"] or 0 for u in units)

    solved = problem_figures_q(date_to)["solved"]
    p = problems.aggregate(
        raised=Count("pk"),
        solved=Count("pk", filter=solved),
        **{level.value: Count("pk", filter=~solved & Q(level=level)) for level in ProblemLevel},
    )
    return {
        "meetings": meetings.count(),
        "tasks": {
            "assigned": t["assigned"],
            "closed": t["closed"],
            "closed_on_time": t["closed_on_time"],
            "overdue": t["overdue"],
            "avg_days_to_close": _days(datetime.timedelta(days=days) / t["closed"]) if t["closed"] else None,
        },
        "problems": {
            "raised": p["raised"],
            "solved": p["solved"],
            "open_by_level": {level.value: p[level.value] for level in ProblemLevel},
        },
        "by_unit": [
            {
                "unit": names[u["lead_unit_id"]][1],
                "tasks_assigned": u["assigned"],
                "tasks_closed_on_time": u["closed_on_time"],
                "overdue": u["overdue"],
            }
            for u in units
        ],
    }


def coordination_breakdown(
    *,
    tasks: QuerySet[Task],
    problems: QuerySet[Problem],
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    region=None,
    today: datetime.date | None = None,
) -> dict:
    """The statistics page's detail over the payload's cohorts (same arguments, same definitions): tasks per lead
    unit and per leader, problems by category, level and state, average days to solve. Ids are given with the names
    so that each figure can link to the list behind it (a leader id of None: tasks without a project leader)."""
    date_to, as_of = stats_dates(date_to, today)
    tasks = tasks.filter(task_cohort_q(date_from, date_to, region))
    problems = problems.filter(problem_cohort_q(date_from, date_to, region))
    figures = task_figures_q(date_to, as_of)
    t = tasks.aggregate(assigned=Count("pk"), **{f: Count("pk", filter=q) for f, q in figures.items()})
    leaders = _task_rows(tasks, "project__leader_id", "project__leader__name", figures)
    leaders.sort(key=lambda r: r["id"] is None)  # tasks without a leader last

    pf = problem_figures_q(date_to)
    counts = {f: Count("pk", filter=q) for f, q in pf.items()}
    p = problems.aggregate(
        raised=Count("pk"),
        **counts,
        days=_days_sum("solved_on", "raised_on", pf["solved"]),
        **{
            f"{level.value}__{f}": Count("pk", filter=q & Q(level=level))
            for level in ProblemLevel
            for f, q in pf.items()
        },
    )
    by_level = [
        {
            "level": level.value,
            "name": level.label,
            "raised": sum(p[f"{level.value}__{f}"] for f in pf),
            **{f: p[f"{level.value}__{f}"] for f in pf},
        }
        for level in ProblemLevel
    ]
    categories = (
        problems.values("category_id", "category__name", "category__order")
        .annotate(raised=Count("pk"), **counts, days=_days_sum("solved_on", "raised_on", pf["solved"]))
        .order_by("category__order", "category__name")
    )
    states = dict(problems.values_list("state").annotate(n=Count("pk")).order_by())
    return {
        "tasks": {
            "assigned": t["assigned"],
            **{f: t[f] for f in figures},
            # share of the closed tasks that were done by their deadline, percent with one decimal
            "on_time_rate": _rate(t["closed_on_time"], t["closed"]),
        },
        "by_unit": _task_rows(tasks, "lead_unit_id", "lead_unit__name", figures),
        "by_leader": leaders,
        "problems": {
            "raised": p["raised"],
            "solved": p["solved"],
            "unsolved": p["unsolved"],
            "avg_days_to_solve": _mean_days(p["days"], p["solved"]),
            "by_category": [
                {
                    "id": c["category_id"],
                    "name": c["category__name"],
                    "raised": c["raised"],
                    "solved": c["solved"],
                    "unsolved": c["unsolved"],
                    "avg_days_to_solve": _mean_days(c["days"], c["solved"]),
                }
                for c in categories
            ],
            "by_level": by_level,
            "by_state": [{"state": s.value, "name": s.label, "count": states.get(s.value, 0)} for s in ProblemState],
        },
    }


def _rate(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def supervision_board(tasks: QuerySet[Task], problems: QuerySet[Problem], as_of: datetime.date) -> list[dict]:
    """Every overdue open task and problem with its unit, leader and days overdue, most overdue first."""
    rows = []
    for t in tasks.filter(task_overdue_q(as_of), state__in=TASK_ACTIVE_STATES).select_related(
        "lead_unit", "project__leader"
    ):
        leader = t.project.leader if t.project_id and t.project.leader_id else None
        rows.append(
            {"item": "task", "obj": t, "unit": t.lead_unit, "leader": leader, "days": (as_of - t.deadline).days}
        )
    for p in problems.filter(problem_overdue_q(as_of)).select_related("assigned_unit", "project__leader"):
        leader = p.project.leader if p.project_id and p.project.leader_id else None
        rows.append(
            {"item": "problem", "obj": p, "unit": p.assigned_unit, "leader": leader, "days": (as_of - p.deadline).days}
        )
    return sorted(rows, key=lambda r: (-r["days"], r["item"], r["obj"].pk))


def todo(user, tasks: QuerySet[Task], problems: QuerySet[Problem]) -> list:
    """A department user's to-do list: open tasks led by their unit and unsolved problems assigned to it, nearest
    deadline first (no deadline last)."""
    org = getattr(user, "organization_id", None)
    items = list(tasks.filter(lead_unit_id=org, state__in=TASK_ACTIVE_STATES)) + list(
        problems.filter(assigned_unit_id=org, state__in=PROBLEM_ACTIVE_STATES)
    )
    return sorted(items, key=lambda o: (o.deadline is None, o.deadline or datetime.date.max, o.pk))


def attach_ladder_steps(rows) -> None:
    """Each row's highest ladder step taken for its current deadline (None when the ladder has not reached it)."""
    task_ids = [r["obj"].pk for r in rows if r["item"] == "task"]
    problem_ids = [r["obj"].pk for r in rows if r["item"] == "problem"]
    best: dict[tuple[str, int], SupervisionStep] = {}
    steps = SupervisionStep.objects.filter(task_id__in=task_ids) | SupervisionStep.objects.filter(
        problem_id__in=problem_ids
    )
    for s in steps.select_related("letter"):
        key = ("task", s.task_id) if s.task_id else ("problem", s.problem_id)
        if key not in best or SupervisionLevel(s.level).rank > SupervisionLevel(best[key].level).rank:
            best[key] = s
    for r in rows:
        step = best.get((r["item"], r["obj"].pk))
        r["step"] = step
        r["url"] = reverse(f"coordination:{r['item']}_detail", args=[r["obj"].pk])


def _overdue_group(rows, key) -> list[dict]:
    groups: dict = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    out = [
        {
            "name": name,
            "count": len(items),
            "tasks": sum(1 for i in items if i["item"] == "task"),
            "problems": sum(1 for i in items if i["item"] == "problem"),
            "max_days": max(i["days"] for i in items),
            "levels": {lvl.value: sum(1 for i in items if i["step"] and i["step"].level == lvl) for lvl in LADDER},
        }
        for name, items in groups.items()
    ]
    return sorted(out, key=lambda g: (-g["count"], -g["max_days"], str(g["name"])))


def overdue_groups(rows) -> dict:
    """The board's rows (after attach_ladder_steps) by unit and by leader, the most overdue items first."""
    return {
        "by_unit": _overdue_group(rows, lambda r: r["unit"].name if r["unit"] else _("(no unit)")),
        "by_leader": _overdue_group(rows, lambda r: r["leader"].name if r["leader"] else _("(no leader)")),
    }
