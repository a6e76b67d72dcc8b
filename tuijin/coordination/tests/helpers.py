"""Builders and a write detector for the coordination tests."""

from __future__ import annotations

import datetime
from importlib import import_module
from pathlib import Path

from django.conf import settings

from tuijin.accounts.choices import OrganizationKind, Role
from tuijin.coordination import services
from tuijin.coordination.models import (
    ExtensionRequest,
    Meeting,
    Notification,
    Problem,
    ProblemCategory,
    SupervisionLetter,
    SupervisionStep,
    Task,
    TaskCooperation,
    TaskNote,
)
from tuijin.core.models import ChangeRecord
from tuijin.core.testing import organization, user

D = datetime.date
SEEDED_CATEGORIES = import_module("tuijin.coordination.migrations.0002_problem_categories").CATEGORIES


def coordination_zone(z: dict) -> dict:
    """Adds to small_zone: 经开区自然资源和规划局 (a second department) and its user `dept2_jk`, a department in
    洛阳高新区 with `dept_ly`, and the categories."""
    jk, ly = z["regions"]["jingkai"], z["regions"]["luoyang_gx"]
    dept2 = organization("经开区自然资源和规划局", jk, OrganizationKind.DEPARTMENT)
    dept_ly = organization("洛阳高新区住建局", ly, OrganizationKind.DEPARTMENT)
    z["users"]["department2"] = user("dept2_jk", Role.DEPARTMENT, jk, dept2)
    z["users"]["department_out"] = user("dept_ly", Role.DEPARTMENT, ly, dept_ly)
    z["department2"] = dept2
    z["department_out"] = dept_ly
    # The data migration seeds them; a transactional test before this one (live server, threads) flushes tables.
    for order, name in enumerate(SEEDED_CATEGORIES, start=1):
        ProblemCategory.objects.get_or_create(name=name, defaults={"order": order})
    z["categories"] = {c.name: c for c in ProblemCategory.objects.all()}
    return z


MARCH_1, MARCH_31 = datetime.date(2023, 3, 1), datetime.date(2023, 3, 31)


def new_task(z, *, deadline=MARCH_31, assigned_on=MARCH_1, by="admin", lead=None, coop=(), **kw) -> Task:
    return services.task_create(
        user=z["users"][by],
        content=kw.pop("content", "协调办理施工许可证"),
        lead_unit=lead or z["department"],
        cooperating_units=list(coop),
        deadline=deadline,
        assigned_on=assigned_on,
        project=kw.pop("project", z["projects"]["a"]),
        **kw,
    )


def new_problem(z, *, by="enterprise", category="土地", raised_on=MARCH_1, **kw) -> Problem:
    return services.problem_raise(
        user=z["users"][by],
        category=z["categories"][category],
        description=kw.pop("description", "项目用地尚未摘牌，影响开工"),
        project=kw.pop("project", z["projects"]["a"]),
        raised_on=raised_on,
        **kw,
    )


def state() -> dict:
    """Every row a coordination write could touch, with its last change: equal before and after = nothing
    written."""
    out = {}
    for m in (Meeting, Task, TaskCooperation, TaskNote, ExtensionRequest, Problem, SupervisionStep, SupervisionLetter):
        out[m.__name__] = sorted(m.objects.values_list("pk", "last_updated"))
    out["Notification"] = sorted(Notification.objects.values_list("pk", "read_at"))
    out["ChangeRecord"] = ChangeRecord.objects.count()
    media = Path(settings.MEDIA_ROOT)
    out["files"] = sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    return out
