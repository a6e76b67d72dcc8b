"""REST endpoints for schedules (a ninja Router; mounted under /api/v1/ by tuijin/api.py)."""

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from tuijin.core.permissions import Action
from tuijin.projects.models import Project

from . import cpm
from .selectors import project_schedule, schedule_payload

router = Router(tags=["schedule"])


class ProjectRef(Schema):
    id: int
    code: str
    name: str


class TargetOut(Schema):
    node: str
    date: datetime.date
    kind: str


class NodeOut(Schema):
    name: str
    duration: int | None
    calendar: str
    predecessors: list[str]
    earliest_start: datetime.date | None
    earliest_finish: datetime.date | None
    latest_start: datetime.date | None
    latest_finish: datetime.date | None
    total_float: int | None
    actual_start: datetime.date | None
    actual_finish: datetime.date | None
    status: str
    critical: bool
    days_late: int
    milestone: str | None
    responsible_unit: str | None
    responsible_person: str


class ScheduleOut(Schema):
    project: ProjectRef
    as_of: datetime.date
    target: TargetOut | None
    feasible: bool
    days_short: int
    critical_path: list[str]
    chain: list[str]
    status: str
    nodes: list[NodeOut]


class ScheduleErrorOut(Schema):
    detail: str
    nodes: list[str]


@router.get(
    "/projects/{project_id}/schedule",
    response={200: ScheduleOut, 422: ScheduleErrorOut},
    summary="A project's schedule (倒排工期 node table)",
)
def project_schedule_view(request, project_id: int, as_of: datetime.date | None = None):
    """Earliest and latest dates, total float, critical path and warning level of every node, as of a day
    (default today). 404 when the project is not in the caller's scope."""
    project = get_object_or_404(Project.objects.restrict(request.user, Action.VIEW), pk=project_id)
    try:
        rows, result = project_schedule(project, as_of=as_of or timezone.localdate())
    except cpm.ScheduleError as exc:
        return 422, {"detail": exc.message, "nodes": exc.nodes}
    return 200, schedule_payload(project, result, rows)
