"""Builders for the assessment tests: data made through the other apps' services, as users make it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tuijin.accounts.choices import OrganizationKind, Role
from tuijin.assessment.models import Indicator, Scheme, SchemeVersion
from tuijin.coordination import services as co
from tuijin.coordination.models import ProblemCategory
from tuijin.core.models import ChangeRecord
from tuijin.core.testing import organization, project, user
from tuijin.investment import services as inv

D = datetime.date


def assessment_zone(z: dict) -> dict:
    """Adds 经开区自然资源和规划局 (`department2`, with its user dept2_jk) and the problem categories."""
    jk = z["regions"]["jingkai"]
    z["department2"] = organization("经开区自然资源和规划局", jk, OrganizationKind.DEPARTMENT)
    z["users"]["department2"] = user("dept2_jk", Role.DEPARTMENT, jk, z["department2"])
    for order, name in enumerate(["土地", "规划", "其他"], start=1):
        ProblemCategory.objects.get_or_create(name=name, defaults={"order": order})
    return z


def unit_project(z, name: str, unit, total="1000", **fields):
    """A project of 经开区 (ent_a's) that `unit` is responsible for."""
    return project(name, z["regions"]["jingkai"], z["enterprises"]["a"], total, responsible_unit=unit, **fields)


def task(z, *, lead, deadline, assigned_on=None, done_on=None, closed_on=None):
    """A task of project a led by `lead`, reported done and closed on the days given (None: not yet)."""
    t = co.task_create(
        user=z["users"]["admin"],
        content=f"交办事项 {deadline}",
        lead_unit=lead,
        deadline=deadline,
        assigned_on=assigned_on or deadline - datetime.timedelta(days=20),
        project=z["projects"]["a"],
    )
    if done_on or closed_on:
        co.task_accept(user=None, task=t, today=done_on)
        co.task_report_done(user=None, task=t, text="已办结", today=done_on)
    if closed_on:
        co.task_close(user=None, task=t, today=closed_on)
    t.refresh_from_db()
    return t


def problem(z, *, unit, raised_on, solved_on=None, confirmed_on=None):
    p = co.problem_raise(
        user=z["users"]["enterprise"],
        category=ProblemCategory.objects.get(name="土地"),
        description=f"用地问题 {raised_on}",
        project=z["projects"]["a"],
        raised_on=raised_on,
    )
    co.problem_assign(user=None, problem=p, unit=unit, deadline=raised_on + datetime.timedelta(days=30))
    if solved_on:
        co.problem_solve(user=None, problem=p, solution="已协调解决", today=solved_on)
    if confirmed_on:
        co.problem_confirm(user=None, problem=p, today=confirmed_on)
    p.refresh_from_db()
    return p


def report(p, year: int, month: int, invested: str, *, submitted: datetime.datetime | None = None):
    """The project's monthly report, submitted at `submitted` (default: on the 3rd of the next month)."""
    r = inv.report_save(user=None, project=p, year=year, month=month, invested=Decimal(invested))
    if submitted is None:
        y, m = (year + 1, 1) if month == 12 else (year, month + 1)
        submitted = datetime.datetime(y, m, 3, 10, 0, tzinfo=datetime.UTC)
    return inv.report_submit(user=None, report=r, now=submitted)


def scheme(name: str, kind: str, indicators: list[dict], *, red: int = 1, black: int = 1) -> Scheme:
    """A scheme of our own, version 1 with these indicators (dicts of Indicator fields)."""
    s = Scheme.objects.create(name=name, title=name, subject_kind=kind, red_list_size=red, black_list_size=black)
    v = SchemeVersion.objects.create(scheme=s, number=1)
    for order, fields in enumerate(indicators, start=1):
        ind = Indicator(version=v, order=order, **fields)
        ind.full_clean()
        ind.save()
    return s


def written() -> int:
    return ChangeRecord.objects.count()
