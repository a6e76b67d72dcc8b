"""Tasks (交办事项) and problems (问题清单) — lists with filters, detail, create, every transition as a POST — the
caller's inbox, the problem categories, and GET /stats/coordination (the same JSON as `tuijin stats coordination
--json`)."""

from __future__ import annotations

import datetime
from typing import Literal

from django.db.models import Prefetch, Q
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from tuijin.accounts.models import Leader
from tuijin.core.api_auth import require, visible_or_404
from tuijin.core.permissions import Action
from tuijin.projects.models import Project

from .. import services
from ..choices import TASK_ACTIVE_STATES, TaskSource
from ..models import AgendaItem, ExtensionRequest, Meeting, Problem, ProblemCategory, Task, TaskCooperation, TaskNote
from ..notifications import inbox
from ..selectors import coordination_payload, problem_overdue_q, task_overdue_q
from .common import MAX_PAGE_SIZE, UnitOut, category_or_422, paged, region_or_404, unit_or_422

TaskStateLit = Literal["assigned", "accepted", "in_progress", "reported_done", "sent_back", "closed"]
ProblemStateLit = Literal["open", "in_progress", "solved", "confirmed", "reopened"]
LevelLit = Literal["zone", "city", "province"]


# ---- schemas ----


class NoteOut(Schema):
    id: int
    kind: Literal["progress", "done", "sent_back", "closed"]
    text: str
    author: str
    created: datetime.datetime
    attachment_name: str
    attachment_url: str | None


class ExtensionOut(Schema):
    id: int
    task: int
    current_deadline: datetime.date
    new_deadline: datetime.date
    reason: str
    state: Literal["pending", "granted", "refused"]
    decided_on: datetime.date | None
    opinion: str


class TaskOut(Schema):
    id: int
    content: str
    state: TaskStateLit
    source: Literal["meeting", "instruction", "problem", "ad_hoc"]
    source_item: int | None
    source_problem: int | None
    project: int | None
    project_name: str
    region: str = Field(..., description="region code")
    lead_unit: UnitOut
    cooperating_units: list[UnitOut]
    responsible_person: str
    assigner: str
    assigned_on: datetime.date
    deadline: datetime.date
    original_deadline: datetime.date
    accepted_on: datetime.date | None
    done_on: datetime.date | None
    closed_on: datetime.date | None
    overdue: bool = Field(..., description="derived from the deadline, today")
    days_overdue: int
    sent_back_count: int
    notes: list[NoteOut]
    extensions: list[ExtensionOut]


class TaskPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[TaskOut]


class TaskIn(Schema):
    content: str
    lead_unit: int | str = Field(..., description="unit id or exact name")
    cooperating_units: list[int | str] = []
    deadline: datetime.date
    project: int | None = None
    responsible_person: str = ""
    source: Literal["meeting", "instruction", "problem", "ad_hoc"] = "ad_hoc"
    source_item: int | None = Field(None, description="agenda item id (source=meeting)")
    source_problem: int | None = Field(None, description="problem id (source=problem)")
    instructed_by: int | None = Field(None, description="leader id (source=instruction)")
    assigned_on: datetime.date | None = Field(None, description="default today")


class TaskQuery(Schema):
    state: TaskStateLit | None = None
    unit: int | None = Field(None, description="lead or cooperating unit id")
    project: int | None = None
    source: Literal["meeting", "instruction", "problem", "ad_hoc"] | None = None
    overdue: bool | None = None
    open: bool | None = Field(None, description="true: still being worked on (not reported done or closed)")
    deadline_from: datetime.date | None = None
    deadline_to: datetime.date | None = None
    assigned_from: datetime.date | None = None
    assigned_to: datetime.date | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class TextIn(Schema):
    text: str


class OpinionIn(Schema):
    opinion: str = ""


class ExtensionIn(Schema):
    new_deadline: datetime.date
    reason: str


class ProblemOut(Schema):
    id: int
    description: str
    category: str
    project: int | None
    project_name: str
    region: str
    source: Literal["enterprise", "department", "office", "meeting"]
    raised_by: str
    raised_by_unit: str
    raised_on: datetime.date
    level: LevelLit
    escalated_on: datetime.date | None
    escalation_note: str
    assigned_unit: UnitOut | None
    deadline: datetime.date | None
    state: ProblemStateLit
    solution: str
    solved_on: datetime.date | None
    confirmed_on: datetime.date | None
    reopen_count: int
    rating: int | None
    rating_comment: str
    overdue: bool
    tasks: list[int]


class ProblemPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProblemOut]


class ProblemIn(Schema):
    category: int | str = Field(..., description="category id or name (土地, 规划, 环评 …)")
    description: str
    project: int | None = None
    region: str | None = Field(None, description="region code, when there is no project")
    assigned_unit: int | str | None = Field(None, description="office and leaders only")
    deadline: datetime.date | None = None
    source_item: int | None = None
    raised_on: datetime.date | None = None


class ProblemQuery(Schema):
    state: ProblemStateLit | None = None
    level: LevelLit | None = None
    category: str | None = None
    unit: int | None = Field(None, description="assigned unit id")
    project: int | None = None
    overdue: bool | None = None
    raised_from: datetime.date | None = None
    raised_to: datetime.date | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class AssignIn(Schema):
    unit: int | str
    deadline: datetime.date


class SolveIn(Schema):
    solution: str


class ConfirmIn(Schema):
    rating: int | None = Field(None, description="1–5")
    comment: str = ""


class RateIn(Schema):
    rating: int
    comment: str = ""


class ReasonIn(Schema):
    reason: str


class NoteIn(Schema):
    note: str


class CategoryOut(Schema):
    id: int
    name: str
    active: bool


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created: datetime.datetime
    read: bool


class UnitFigures(Schema):
    unit: str
    tasks_assigned: int
    tasks_closed_on_time: int
    overdue: int


class TaskFigures(Schema):
    assigned: int
    closed: int
    closed_on_time: int
    overdue: int
    avg_days_to_close: float | None


class OpenByLevel(Schema):
    zone: int
    city: int
    province: int


class ProblemFigures(Schema):
    raised: int
    solved: int
    open_by_level: OpenByLevel


class CoordinationStats(Schema):
    meetings: int
    tasks: TaskFigures
    problems: ProblemFigures
    by_unit: list[UnitFigures]


class StatsQuery(Schema):
    date_from: datetime.date | None = Field(None, alias="from", description="default: from the beginning")
    date_to: datetime.date | None = Field(None, alias="to", description="default: today")
    region: str | None = Field(None, description="region code (its subtree)")


# ---- helpers ----


def _tasks(user):
    return (
        Task.objects.restrict(user, Action.VIEW)
        .select_related("project", "region", "lead_unit", "assigner")
        .prefetch_related(
            "cooperating_units",
            Prefetch("notes", queryset=TaskNote.objects.select_related("author")),
            "extensions",
        )
    )


def _note_out(n: TaskNote) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "text": n.text,
        "author": str(n.author) if n.author else "",
        "created": n.created,
        "attachment_name": n.attachment_name,
        "attachment_url": n.attachment.url if n.attachment else None,
    }


def _ext_out(e: ExtensionRequest) -> dict:
    return {
        "id": e.pk,
        "task": e.task_id,
        "current_deadline": e.current_deadline,
        "new_deadline": e.new_deadline,
        "reason": e.reason,
        "state": e.state,
        "decided_on": e.decided_on,
        "opinion": e.opinion,
    }


def _task_out(task: Task, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    return {
        "id": task.pk,
        "content": task.content,
        "state": task.state,
        "source": task.source,
        "source_item": task.source_item_id,
        "source_problem": task.source_problem_id,
        "project": task.project_id,
        "project_name": task.project.name if task.project_id else "",
        "region": task.region.code,
        "lead_unit": {"id": task.lead_unit_id, "name": task.lead_unit.name},
        "cooperating_units": [{"id": u.pk, "name": u.name} for u in task.cooperating_units.all()],
        "responsible_person": task.responsible_person,
        "assigner": str(task.assigner),
        "assigned_on": task.assigned_on,
        "deadline": task.deadline,
        "original_deadline": task.original_deadline,
        "accepted_on": task.accepted_on,
        "done_on": task.done_on,
        "closed_on": task.closed_on,
        "overdue": task.is_overdue(today),
        "days_overdue": task.days_overdue(today),
        "sent_back_count": task.sent_back_count,
        "notes": [_note_out(n) for n in task.notes.all()],
        "extensions": [_ext_out(e) for e in task.extensions.all()],
    }


def _problems(user):
    return (
        Problem.objects.restrict(user, Action.VIEW)
        .select_related("project", "region", "category", "assigned_unit", "raised_by", "raised_by_org")
        .prefetch_related("tasks")
    )


def _problem_out(p: Problem) -> dict:
    return {
        "id": p.pk,
        "description": p.description,
        "category": p.category.name,
        "project": p.project_id,
        "project_name": p.project.name if p.project_id else "",
        "region": p.region.code,
        "source": p.source,
        "raised_by": str(p.raised_by) if p.raised_by else "",
        "raised_by_unit": p.raised_by_org.name if p.raised_by_org_id else "",
        "raised_on": p.raised_on,
        "level": p.level,
        "escalated_on": p.escalated_on,
        "escalation_note": p.escalation_note,
        "assigned_unit": {"id": p.assigned_unit_id, "name": p.assigned_unit.name} if p.assigned_unit_id else None,
        "deadline": p.deadline,
        "state": p.state,
        "solution": p.solution,
        "solved_on": p.solved_on,
        "confirmed_on": p.confirmed_on,
        "reopen_count": p.reopen_count,
        "rating": p.rating,
        "rating_comment": p.rating_comment,
        "overdue": p.is_overdue(),
        "tasks": [t.pk for t in p.tasks.all()],
    }


def register(router: Router) -> None:  # noqa: C901 - a list of endpoints
    """Add the task, problem, inbox and statistics endpoints to the coordination router."""

    # ---- tasks ----

    @router.get("/coordination/tasks", response=TaskPage, summary="List tasks")
    def task_list(request, params: Query[TaskQuery]):
        """Tasks the caller may see (a department: those its unit leads or cooperates on), nearest deadline
        first."""
        today = timezone.localdate()
        qs = _tasks(request.auth)
        if params.state:
            qs = qs.filter(state=params.state)
        if params.unit is not None:
            cooperating = TaskCooperation.objects.filter(organization_id=params.unit).values("task_id")
            qs = qs.filter(Q(lead_unit_id=params.unit) | Q(pk__in=cooperating))
        if params.project is not None:
            qs = qs.filter(project_id=params.project)
        if params.source:
            qs = qs.filter(source=params.source)
        if params.overdue is not None:
            qs = qs.filter(task_overdue_q(today)) if params.overdue else qs.exclude(task_overdue_q(today))
        if params.open is not None:
            qs = qs.filter(state__in=TASK_ACTIVE_STATES) if params.open else qs.exclude(state__in=TASK_ACTIVE_STATES)
        for field, key in (("deadline", "deadline"), ("assigned_on", "assigned")):
            if getattr(params, f"{key}_from"):
                qs = qs.filter(**{f"{field}__gte": getattr(params, f"{key}_from")})
            if getattr(params, f"{key}_to"):
                qs = qs.filter(**{f"{field}__lte": getattr(params, f"{key}_to")})
        return paged(qs.order_by("deadline", "pk"), params, lambda t: _task_out(t, today))

    @router.post("/coordination/tasks", response={201: TaskOut}, summary="Assign a task")
    def task_add(request, payload: TaskIn):
        """Assign a task to a lead unit with cooperating units and a deadline (the project office and leaders)."""
        user = request.auth
        require(user, Action.ADD, Task)
        project = visible_or_404(Project.objects.all(), user, pk=payload.project) if payload.project else None
        source_item = (
            visible_or_404(AgendaItem.objects.select_related("meeting__region"), user, pk=payload.source_item)
            if payload.source_item
            else None
        )
        source_problem = (
            visible_or_404(Problem.objects.all(), user, pk=payload.source_problem) if payload.source_problem else None
        )
        leader = visible_or_404(Leader.objects.all(), user, pk=payload.instructed_by) if payload.instructed_by else None
        task = services.task_create(
            user=user,
            content=payload.content,
            lead_unit=unit_or_422(payload.lead_unit, "lead_unit"),
            cooperating_units=[unit_or_422(u, "cooperating_units") for u in payload.cooperating_units],
            deadline=payload.deadline,
            project=project,
            responsible_person=payload.responsible_person,
            source=TaskSource(payload.source),
            source_item=source_item,
            source_problem=source_problem,
            instructed_by=leader,
            assigned_on=payload.assigned_on,
        )
        return 201, _task_out(_tasks(user).get(pk=task.pk))

    @router.get(
        "/coordination/tasks/{int:task_id}",
        response=TaskOut,
        summary="Get a task",
        description="A task with its cooperating units, progress notes (and attachments) and extension requests.",
    )
    def task_detail(request, task_id: int):
        return _task_out(visible_or_404(_tasks(request.auth), request.auth, pk=task_id))

    def _step(request, task_id: int, fn, **kwargs):
        task = visible_or_404(Task.objects.all(), request.auth, pk=task_id)
        fn(user=request.auth, task=task, **kwargs)
        return _task_out(_tasks(request.auth).get(pk=task_id))

    @router.post("/coordination/tasks/{int:task_id}/accept", response=TaskOut, summary="Accept a task")
    def task_accept(request, task_id: int):
        """The lead unit takes the task on (assigned → accepted)."""
        return _step(request, task_id, services.task_accept)

    @router.post("/coordination/tasks/{int:task_id}/progress", response=TaskOut, summary="Record progress")
    def task_progress(request, task_id: int, payload: TextIn):
        """The lead unit records progress (accepted or sent back → in progress)."""
        return _step(request, task_id, services.task_progress, text=payload.text)

    @router.post("/coordination/tasks/{int:task_id}/report-done", response=TaskOut, summary="Report a task done")
    def task_report_done(request, task_id: int, payload: TextIn):
        """The lead unit reports the task done with its evidence; the assigner then closes it or sends it back."""
        return _step(request, task_id, services.task_report_done, text=payload.text)

    @router.post("/coordination/tasks/{int:task_id}/close", response=TaskOut, summary="Close a task")
    def task_close(request, task_id: int, payload: OpinionIn | None = None):
        """The assigner (or the office) accepts the evidence: reported done → closed."""
        return _step(request, task_id, services.task_close, opinion=payload.opinion if payload else "")

    @router.post("/coordination/tasks/{int:task_id}/send-back", response=TaskOut, summary="Send a task back")
    def task_send_back(request, task_id: int, payload: OpinionIn):
        """The assigner (or the office) does not accept the evidence, saying what is missing (required)."""
        return _step(request, task_id, services.task_send_back, opinion=payload.opinion)

    @router.post(
        "/coordination/tasks/{int:task_id}/extensions", response={201: ExtensionOut}, summary="Ask for more time"
    )
    def task_extension(request, task_id: int, payload: ExtensionIn):
        """The lead unit asks for a later deadline, with the reason (one request waiting at a time)."""
        task = visible_or_404(Task.objects.all(), request.auth, pk=task_id)
        ext = services.task_request_extension(
            user=request.auth, task=task, new_deadline=payload.new_deadline, reason=payload.reason
        )
        return 201, _ext_out(ext)

    def _decide(request, extension_id: int, fn, opinion: str):
        ext = visible_or_404(ExtensionRequest.objects.all(), request.auth, pk=extension_id)
        return _ext_out(fn(user=request.auth, extension=ext, opinion=opinion))

    @router.post("/coordination/extensions/{int:extension_id}/grant", response=ExtensionOut, summary="Grant more time")
    def extension_grant(request, extension_id: int, payload: OpinionIn | None = None):
        """The assigner (or the office) grants the request: the task's deadline moves."""
        return _decide(request, extension_id, services.extension_grant, payload.opinion if payload else "")

    @router.post(
        "/coordination/extensions/{int:extension_id}/refuse", response=ExtensionOut, summary="Refuse more time"
    )
    def extension_refuse(request, extension_id: int, payload: OpinionIn):
        """The assigner (or the office) refuses the request, saying why (required)."""
        return _decide(request, extension_id, services.extension_refuse, payload.opinion)

    # ---- problems ----

    @router.get("/coordination/problems", response=ProblemPage, summary="List problems")
    def problem_list(request, params: Query[ProblemQuery]):
        """Problems the caller may see (an enterprise: those it raised; a department: those assigned to it or
        raised by it), newest first."""
        qs = _problems(request.auth)
        for key in ("state", "level", "project"):
            if getattr(params, key) is not None:
                qs = qs.filter(**{key: getattr(params, key)})
        if params.category:
            qs = qs.filter(category__name=params.category)
        if params.unit is not None:
            qs = qs.filter(assigned_unit_id=params.unit)
        if params.overdue is not None:
            today = timezone.localdate()
            qs = qs.filter(problem_overdue_q(today)) if params.overdue else qs.exclude(problem_overdue_q(today))
        if params.raised_from:
            qs = qs.filter(raised_on__gte=params.raised_from)
        if params.raised_to:
            qs = qs.filter(raised_on__lte=params.raised_to)
        return paged(qs.order_by("-raised_on", "-pk"), params, _problem_out)

    @router.post("/coordination/problems", response={201: ProblemOut}, summary="Raise a problem")
    def problem_add(request, payload: ProblemIn):
        """Put a problem on the register (an enterprise: about its own project). Routing it to a unit with a
        deadline is the office's (or a leader's)."""
        user = request.auth
        require(user, Action.ADD, Problem)
        project = visible_or_404(Project.objects.all(), user, pk=payload.project) if payload.project else None
        item = visible_or_404(AgendaItem.objects.all(), user, pk=payload.source_item) if payload.source_item else None
        problem = services.problem_raise(
            user=user,
            category=category_or_422(payload.category),
            description=payload.description,
            project=project,
            region=region_or_404(user, payload.region),
            assigned_unit=unit_or_422(payload.assigned_unit, "assigned_unit") if payload.assigned_unit else None,
            deadline=payload.deadline,
            source_item=item,
            raised_on=payload.raised_on,
        )
        return 201, _problem_out(_problems(user).get(pk=problem.pk))

    @router.get(
        "/coordination/problems/{int:problem_id}",
        response=ProblemOut,
        summary="Get a problem",
        description="A problem with its level, routing, solution, confirmation, rating and the tasks it spawned.",
    )
    def problem_detail(request, problem_id: int):
        return _problem_out(visible_or_404(_problems(request.auth), request.auth, pk=problem_id))

    def _pstep(request, problem_id: int, fn, **kwargs):
        problem = visible_or_404(Problem.objects.all(), request.auth, pk=problem_id)
        fn(user=request.auth, problem=problem, **kwargs)
        return _problem_out(_problems(request.auth).get(pk=problem_id))

    @router.post("/coordination/problems/{int:problem_id}/assign", response=ProblemOut, summary="Route a problem")
    def problem_assign(request, problem_id: int, payload: AssignIn):
        """The office routes the problem to the unit that can solve it, with a deadline."""
        problem = visible_or_404(Problem.objects.all(), request.auth, pk=problem_id)
        unit = unit_or_422(payload.unit, "unit")
        services.problem_assign(user=request.auth, problem=problem, unit=unit, deadline=payload.deadline)
        return _problem_out(_problems(request.auth).get(pk=problem_id))

    @router.post("/coordination/problems/{int:problem_id}/start", response=ProblemOut, summary="Start on a problem")
    def problem_start(request, problem_id: int):
        """The assigned unit starts work (open or reopened → in progress)."""
        return _pstep(request, problem_id, services.problem_start)

    @router.post("/coordination/problems/{int:problem_id}/solve", response=ProblemOut, summary="Report it solved")
    def problem_solve(request, problem_id: int, payload: SolveIn):
        """The assigned unit says how it was solved; whoever raised it then confirms or reopens it."""
        return _pstep(request, problem_id, services.problem_solve, solution=payload.solution)

    @router.post(
        "/coordination/problems/{int:problem_id}/confirm", response=ProblemOut, summary="Confirm the solution (销号)"
    )
    def problem_confirm(request, problem_id: int, payload: ConfirmIn | None = None):
        """Only whoever raised the problem confirms it solved, optionally rating the solution 1–5."""
        payload = payload or ConfirmIn()
        return _pstep(request, problem_id, services.problem_confirm, rating=payload.rating, comment=payload.comment)

    @router.post("/coordination/problems/{int:problem_id}/reopen", response=ProblemOut, summary="Reopen a problem")
    def problem_reopen(request, problem_id: int, payload: ReasonIn):
        """Whoever raised it is not satisfied with the solution (reason required)."""
        return _pstep(request, problem_id, services.problem_reopen, reason=payload.reason)

    @router.post("/coordination/problems/{int:problem_id}/rate", response=ProblemOut, summary="Rate the solution")
    def problem_rate(request, problem_id: int, payload: RateIn):
        """Whoever raised a confirmed problem rates its solution 1–5."""
        return _pstep(request, problem_id, services.problem_rate, rating=payload.rating, comment=payload.comment)

    @router.post("/coordination/problems/{int:problem_id}/escalate", response=ProblemOut, summary="Escalate")
    def problem_escalate(request, problem_id: int, payload: NoteIn):
        """The office sends the problem one level up (区级 → 市级 → 省级), saying why the zone cannot solve it."""
        return _pstep(request, problem_id, services.problem_escalate, note=payload.note)

    # ---- lists, inbox, statistics ----

    @router.get("/coordination/categories", response=list[CategoryOut], summary="Problem categories")
    def categories(request):
        """The editable list of problem categories (土地, 规划, 环评, 能耗, 资金 …)."""
        return [{"id": c.pk, "name": c.name, "active": c.active} for c in ProblemCategory.objects.all()]

    @router.get("/coordination/notifications", response=list[NotificationOut], summary="My inbox")
    def notifications(request, unread: bool = False):
        """The caller's own messages, newest first (the latest 200)."""
        return [
            {
                "id": n.pk,
                "kind": n.kind,
                "title": n.title,
                "body": n.body,
                "url": n.url,
                "created": n.created,
                "read": n.read_at is not None,
            }
            for n in inbox(request.auth, unread_only=unread)[:200]
        ]

    @router.get("/stats/coordination", response=CoordinationStats, summary="Coordination statistics")
    def stats(request, params: Query[StatsQuery]):
        """The same JSON as `tuijin stats coordination --json`: meetings held, tasks assigned / closed / closed on
        time / overdue / average days to close, problems raised / solved / open by level, and per lead unit —
        counting only what the caller may see. Definitions: tuijin/coordination/selectors.py."""
        user = request.auth
        return coordination_payload(
            tasks=Task.objects.restrict(user, Action.VIEW),
            problems=Problem.objects.restrict(user, Action.VIEW),
            meetings=Meeting.objects.restrict(user, Action.VIEW),
            date_from=params.date_from,
            date_to=params.date_to,
            region=region_or_404(user, params.region),
        )
