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
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from .choices import PROBLEM_ACTIVE_STATES, TASK_ACTIVE_STATES, ProblemLevel, TaskState
from .models import Meeting, Problem, Task


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


def _task_figures_q(date_to: datetime.date, as_of: datetime.date) -> dict:
    closed = Q(closed_on__isnull=False, closed_on__lte=date_to)
    not_closed = Q(closed_on__isnull=True) | Q(closed_on__gt=as_of)
    in_time = Q(done_on__isnull=False, done_on__lte=F("deadline"))
    return {
        "closed": closed,
        "closed_on_time": closed & in_time,
        "overdue": not_closed & Q(deadline__lt=as_of) & ~in_time,
    }


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

    The querysets are what the caller may see (restricted by the API, everything for the CLI)."""
    today = today or timezone.localdate()
    date_to = date_to or today
    as_of = min(date_to, today)
    tasks = tasks.filter(_in_window("assigned_on", date_from, date_to), _region_q("", region))
    problems = problems.filter(_in_window("raised_on", date_from, date_to), _region_q("", region))
    meetings = meetings.filter(_in_window("date", date_from, date_to), _region_q("", region))

    figures = _task_figures_q(date_to, as_of)
    t = tasks.aggregate(
        assigned=Count("pk"),
        **{name: Count("pk", filter=q) for name, q in figures.items()},
        span=Avg(
            ExpressionWrapper(F("closed_on") - F("assigned_on"), output_field=DurationField()), filter=figures["closed"]
        ),
    )
    avg = None  # a plain JSON number of days with one decimal
    if t["span"] is not None:
        days = Decimal(t["span"].days) + Decimal(t["span"].seconds * 10**6 + t["span"].microseconds) / 86400000000
        avg = float(days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    solved = Q(solved_on__isnull=False, solved_on__lte=date_to)
    p = problems.aggregate(
        raised=Count("pk"),
        solved=Count("pk", filter=solved),
        **{level.value: Count("pk", filter=~solved & Q(level=level)) for level in ProblemLevel},
    )
    units = (
        tasks.values("lead_unit_id", "lead_unit__name")
        .annotate(
            tasks_assigned=Count("pk"),
            tasks_closed_on_time=Count("pk", filter=figures["closed_on_time"]),
            overdue=Count("pk", filter=figures["overdue"]),
        )
        .order_by("-overdue", "-tasks_assigned", "lead_unit__name")
    )
    return {
        "meetings": meetings.count(),
        "tasks": {
            "assigned": t["assigned"],
            "closed": t["closed"],
            "closed_on_time": t["closed_on_time"],
            "overdue": t["overdue"],
            "avg_days_to_close": avg,
        },
        "problems": {
            "raised": p["raised"],
            "solved": p["solved"],
            "open_by_level": {level.value: p[level.value] for level in ProblemLevel},
        },
        "by_unit": [
            {
                "unit": u["lead_unit__name"],
                "tasks_assigned": u["tasks_assigned"],
                "tasks_closed_on_time": u["tasks_closed_on_time"],
                "overdue": u["overdue"],
            }
            for u in units
        ],
    }


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
