"""Meetings (周例会, 专题会, 现场办公会): the list with filters, a meeting with its attendance, agenda and outcomes,
scheduling one or the year's weekly meetings, the agenda (add, reorder, draft from the ledger, carry an item to the
next meeting), attendance, outcomes (information, decision, or a task assigned from the item), and the minutes
(会议纪要) as .docx — the same services and generator as the meeting pages."""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tuijin.core.api_auth import require, visible_or_404
from tuijin.core.permissions import Action
from tuijin.projects.models import Project

from .. import services
from ..choices import TaskSource
from ..documents import minutes_docx, minutes_filename
from ..models import AgendaItem, Meeting, MeetingAttendee, Outcome, Task
from .common import DOCX_OPENAPI, MAX_PAGE_SIZE, UnitOut, docx_response, paged, region_or_404, unit_or_422

KindLit = Literal["weekly", "special", "onsite"]
AttendanceLit = Literal["present", "deputy", "excused", "absent"]


# ---- schemas ----


class MeetingSummary(Schema):
    id: int
    region: str = Field(..., description="region code")
    region_name: str
    kind: KindLit
    year: int
    number: int
    number_label: str = Field(..., description="〔2023〕第12期")
    title: str = Field(..., description="the meeting's own title ('' when it has none)")
    name: str = Field(..., description="the title, else kind and number")
    date: datetime.date
    place: str
    chair: str
    item_count: int
    task_count: int = Field(..., description="tasks assigned from its items that the caller may see")


class MeetingPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MeetingSummary]


class MeetingQuery(Schema):
    kind: KindLit | None = None
    year: int | None = None
    date_from: datetime.date | None = Field(None, alias="from", description="held on or after")
    date_to: datetime.date | None = Field(None, alias="to", description="held on or before")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class AttendeeOut(Schema):
    id: int
    name: str
    unit: UnitOut | None
    attendance: AttendanceLit


class TaskBrief(Schema):
    id: int
    content: str
    state: str
    lead_unit: UnitOut
    deadline: datetime.date
    overdue: bool
    days_overdue: int


class OutcomeOut(Schema):
    id: int
    kind: Literal["information", "decision", "task"]
    text: str
    task: TaskBrief | None


class CarriedFrom(Schema):
    item: int
    meeting: int
    number_label: str


class ItemOut(Schema):
    id: int
    meeting: int
    order: int
    project: int | None
    project_name: str
    topic: str
    presenter: str
    carried_over: bool = Field(..., description="not settled: on the backlog for the next meeting")
    carried_from: CarriedFrom | None = Field(..., description="the earlier item this one continues")
    outcomes: list[OutcomeOut]
    tasks: list[TaskBrief] = Field(..., description="every task assigned from this item that the caller may see")


class MeetingOut(MeetingSummary):
    attendees: list[AttendeeOut]
    items: list[ItemOut] = Field(..., description="the agenda, in order")


class MeetingIn(Schema):
    region: str | None = Field(None, description="region code; default the caller's region")
    date: datetime.date
    kind: KindLit = "weekly"
    number: int | None = Field(None, ge=1, description="default: next in its zone, kind and year")
    title: str = ""
    place: str = ""
    chair: str = ""


class ScheduleIn(Schema):
    region: str | None = Field(None, description="region code; default the caller's region")
    year: int = Field(..., ge=2000, le=2100)
    weekday: int = Field(
        0, ge=0, le=6, description="0 = Monday; a holiday moves the meeting to the week's next working day"
    )
    place: str = ""
    chair: str = ""


class AttendeeIn(Schema):
    name: str = ""
    unit: int | str | None = Field(None, description="unit id or exact name")
    attendance: AttendanceLit = "present"


class AttendanceIn(Schema):
    attendance: AttendanceLit


class ItemIn(Schema):
    project: int | None = None
    topic: str = ""
    presenter: str = ""
    order: int | None = Field(None, ge=1, description="default: at the end")


class OrderIn(Schema):
    items: list[int] = Field(..., description="every item id of the meeting once, in the new order")


class OutcomeIn(Schema):
    kind: Literal["information", "decision", "task"]
    text: str = Field(..., description="what was heard or decided; for a task, what is to be done")
    lead_unit: int | str | None = Field(None, description="task: unit id or exact name")
    cooperating_units: list[int | str] = []
    deadline: datetime.date | None = Field(None, description="task: required")
    responsible_person: str = ""
    assigned_on: datetime.date | None = Field(None, description="task: default today")


class CarryIn(Schema):
    carry: bool = Field(True, description="false: settled at this meeting after all")


# ---- helpers ----


def _meetings(user):
    return Meeting.objects.restrict(user, Action.VIEW).select_related("region")


def _task_brief(task: Task, today: datetime.date) -> dict:
    return {
        "id": task.pk,
        "content": task.content,
        "state": task.state,
        "lead_unit": {"id": task.lead_unit_id, "name": task.lead_unit.name},
        "deadline": task.deadline,
        "overdue": task.is_overdue(today),
        "days_overdue": task.days_overdue(today),
    }


def _summary(m: Meeting, task_counts: dict[int, int]) -> dict:
    return {
        "id": m.pk,
        "region": m.region.code,
        "region_name": m.region.name,
        "kind": m.kind,
        "year": m.year,
        "number": m.number,
        "number_label": m.number_label,
        "title": m.title,
        "name": str(m),
        "date": m.date,
        "place": m.place,
        "chair": m.chair,
        "item_count": m.item_count,
        "task_count": task_counts.get(m.pk, 0),
    }


def _task_counts(user, meeting_ids) -> dict[int, int]:
    """Visible tasks assigned from each meeting's items (one query for a page of meetings)."""
    rows = (
        Task.objects.restrict(user, Action.VIEW)
        .filter(source_item__meeting_id__in=list(meeting_ids))
        .values_list("source_item__meeting_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def _items(user, **lookup) -> list[AgendaItem]:
    """Agenda items in order with their outcomes and the tasks the caller may see (a fixed number of queries)."""
    tasks = Task.objects.restrict(user, Action.VIEW).select_related("lead_unit")
    return list(
        AgendaItem.objects.filter(**lookup)
        .select_related("project", "carried_from__meeting")
        .prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.select_related("task")),
            Prefetch("tasks", queryset=tasks.order_by("pk"), to_attr="visible_tasks"),
        )
        .order_by("order", "pk")
    )


def _item_out(item: AgendaItem, today: datetime.date) -> dict:
    visible = {t.pk: t for t in item.visible_tasks}
    return {
        "id": item.pk,
        "meeting": item.meeting_id,
        "order": item.order,
        "project": item.project_id,
        "project_name": item.project.name if item.project_id else "",
        "topic": item.topic,
        "presenter": item.presenter,
        "carried_over": item.carried_over,
        "carried_from": {
            "item": item.carried_from_id,
            "meeting": item.carried_from.meeting_id,
            "number_label": item.carried_from.meeting.number_label,
        }
        if item.carried_from_id
        else None,
        # a task outcome the caller may not see (another unit's task, for a department) is left out, as on the page
        "outcomes": [
            {
                "id": o.pk,
                "kind": o.kind,
                "text": o.text,
                "task": _task_brief(visible[o.task_id], today) if o.task_id else None,
            }
            for o in item.outcomes.all()
            if o.task_id is None or o.task_id in visible
        ],
        "tasks": [_task_brief(t, today) for t in item.visible_tasks],
    }


def _item_fresh(user, item_id: int) -> dict:
    return _item_out(_items(user, pk=item_id)[0], timezone.localdate())


def _meeting_out(user, meeting_id: int) -> dict:
    meeting = _meetings(user).annotate(item_count=Count("items")).get(pk=meeting_id)
    today = timezone.localdate()
    out = _summary(meeting, _task_counts(user, [meeting.pk]))
    out["attendees"] = [_attendee_out(a) for a in meeting.attendees.select_related("organization")]
    out["items"] = [_item_out(i, today) for i in _items(user, meeting=meeting)]
    return out


def _region_for(user, code: str | None):
    """The region named by code, else the caller's own; 422 when there is neither."""
    region = region_or_404(user, code) or (user.region if user.region_id else None)
    if region is None:
        raise ValidationError({"region": _("Give the region code.")})
    return region


def _attendee_out(a: MeetingAttendee) -> dict:
    return {
        "id": a.pk,
        "name": a.name,
        "unit": {"id": a.organization_id, "name": a.organization.name} if a.organization_id else None,
        "attendance": a.attendance,
    }


def register(router: Router) -> None:  # noqa: C901 - a list of endpoints
    """Add the meeting endpoints to the coordination router."""

    @router.get("/coordination/meetings", response=MeetingPage, summary="List meetings")
    def meeting_list(request, params: Query[MeetingQuery]):
        """Meetings the caller may see (none for an enterprise), latest first, with their item and task counts."""
        user = request.auth
        qs = _meetings(user).annotate(item_count=Count("items"))
        if params.kind:
            qs = qs.filter(kind=params.kind)
        if params.year is not None:
            qs = qs.filter(year=params.year)
        if params.date_from:
            qs = qs.filter(date__gte=params.date_from)
        if params.date_to:
            qs = qs.filter(date__lte=params.date_to)
        page = paged(qs.order_by("-date", "-number", "-pk"), params, lambda m: m)
        counts = _task_counts(user, [m.pk for m in page["items"]])
        page["items"] = [_summary(m, counts) for m in page["items"]]
        return page

    @router.post("/coordination/meetings", response={201: MeetingOut}, summary="Schedule a meeting")
    def meeting_add(request, payload: MeetingIn):
        """The project office schedules a meeting, numbered next in its zone, kind and year unless a number is
        given."""
        user = request.auth
        meeting = services.meeting_create(
            user=user,
            region=_region_for(user, payload.region),
            date=payload.date,
            kind=payload.kind,
            number=payload.number,
            title=payload.title.strip(),
            place=payload.place.strip(),
            chair=payload.chair.strip(),
        )
        return 201, _meeting_out(user, meeting.pk)

    @router.post(
        "/coordination/meetings/schedule", response=list[MeetingSummary], summary="Schedule the year's weekly meetings"
    )
    def meeting_schedule_year(request, payload: ScheduleIn):
        """The project office schedules the weekly meeting (周例会) for every week of the year on a weekday; a
        holiday moves it to that week's next working day (调休 weekends included). Weeks that already have one are
        left alone, so calling it again adds nothing. Answers the meetings it created."""
        user = request.auth
        made = services.meetings_schedule_year(
            user=user,
            region=_region_for(user, payload.region),
            year=payload.year,
            weekday=payload.weekday,
            place=payload.place.strip(),
            chair=payload.chair.strip(),
        )
        for m in made:
            m.item_count = 0
        return [_summary(m, {}) for m in made]

    @router.get(
        "/coordination/meetings/{int:meeting_id}",
        response=MeetingOut,
        summary="Get a meeting",
        description="A meeting with its attendance, its agenda in order (presenter, whether carried over) and each "
        "item's outcomes, including the tasks assigned from it.",
    )
    def meeting_detail(request, meeting_id: int):
        visible_or_404(Meeting.objects.all(), request.auth, pk=meeting_id)
        return _meeting_out(request.auth, meeting_id)

    def _office_step(request, meeting_id: int):
        return visible_or_404(Meeting.objects.select_related("region"), request.auth, pk=meeting_id)

    @router.post(
        "/coordination/meetings/{int:meeting_id}/attendees", response={201: AttendeeOut}, summary="Add an attendee"
    )
    def attendee_add(request, meeting_id: int, payload: AttendeeIn):
        """The project office records who was invited (a person, a unit, or both) and whether they came."""
        meeting = _office_step(request, meeting_id)
        unit = unit_or_422(payload.unit, "unit") if payload.unit not in (None, "") else None
        attendee = services.attendee_add(
            user=request.auth, meeting=meeting, name=payload.name, organization=unit, attendance=payload.attendance
        )
        return 201, _attendee_out(attendee)

    @router.post(
        "/coordination/attendees/{int:attendee_id}/attendance", response=AttendeeOut, summary="Record attendance"
    )
    def attendance_record(request, attendee_id: int, payload: AttendanceIn):
        """The project office records whether an attendee came: present, sent a deputy, excused or absent."""
        attendee = visible_or_404(
            MeetingAttendee.objects.select_related("meeting__region", "organization"), request.auth, pk=attendee_id
        )
        return _attendee_out(
            services.attendance_record(user=request.auth, attendee=attendee, attendance=payload.attendance)
        )

    @router.post("/coordination/meetings/{int:meeting_id}/items", response={201: ItemOut}, summary="Add an agenda item")
    def item_add(request, meeting_id: int, payload: ItemIn):
        """The project office puts a project (of the meeting's region) or a topic on the agenda, at the end unless
        an order is given."""
        user = request.auth
        meeting = _office_step(request, meeting_id)
        project = (
            visible_or_404(Project.objects.select_related("region"), user, pk=payload.project)
            if payload.project
            else None
        )
        item = services.agenda_item_add(
            user=user,
            meeting=meeting,
            project=project,
            topic=payload.topic,
            presenter=payload.presenter,
            order=payload.order,
        )
        return 201, _item_fresh(user, item.pk)

    @router.post("/coordination/meetings/{int:meeting_id}/reorder", response=MeetingOut, summary="Reorder the agenda")
    def item_reorder(request, meeting_id: int, payload: OrderIn):
        """The project office puts the agenda in a new order, naming every item of the meeting once."""
        meeting = _office_step(request, meeting_id)
        services.agenda_reorder(user=request.auth, meeting=meeting, item_ids=payload.items)
        return _meeting_out(request.auth, meeting_id)

    @router.post(
        "/coordination/meetings/{int:meeting_id}/draft-agenda",
        response=list[ItemOut],
        summary="Draft the agenda from the ledger",
    )
    def agenda_draft(request, meeting_id: int):
        """The project office drafts the agenda as of the meeting's date: projects with red schedule warnings and
        open problems first, then the items carried over from earlier meetings, then yellow warnings and projects
        that missed last month's report — each project once, with why it is there. Answers the items added
        (none when the ledger has nothing new)."""
        user = request.auth
        meeting = _office_step(request, meeting_id)
        created = [i.pk for i in services.agenda_draft(user=user, meeting=meeting)]
        today = timezone.localdate()
        return [_item_out(i, today) for i in _items(user, pk__in=created)]

    def _item(request, item_id: int) -> AgendaItem:
        return visible_or_404(AgendaItem.objects.select_related("meeting__region"), request.auth, pk=item_id)

    @router.post("/coordination/items/{int:item_id}/outcomes", response={201: OutcomeOut}, summary="Record an outcome")
    def outcome_add(request, item_id: int, payload: OutcomeIn):
        """What the item ended in: information heard or a decision (the project office), or a task assigned from
        the item with its lead unit and deadline (the office and leaders, as when assigning any task)."""
        user = request.auth
        item = _item(request, item_id)
        if payload.kind != "task":
            outcome = services.outcome_add(user=user, item=item, kind=payload.kind, text=payload.text)
            return 201, {"id": outcome.pk, "kind": outcome.kind, "text": outcome.text, "task": None}
        require(user, Action.ADD, Task)
        errors = {}
        if payload.lead_unit in (None, ""):
            errors["lead_unit"] = _("Name the lead unit.")
        if payload.deadline is None:
            errors["deadline"] = _("Give the deadline.")
        if errors:
            raise ValidationError(errors)
        task = services.task_create(
            user=user,
            content=payload.text,
            lead_unit=unit_or_422(payload.lead_unit, "lead_unit"),
            cooperating_units=[unit_or_422(u, "cooperating_units") for u in payload.cooperating_units],
            deadline=payload.deadline,
            project=item.project,
            responsible_person=payload.responsible_person,
            source=TaskSource.MEETING,
            source_item=item,
            assigned_on=payload.assigned_on,
        )
        outcome = Outcome.objects.select_related("task__lead_unit").get(task=task)
        return 201, {
            "id": outcome.pk,
            "kind": outcome.kind,
            "text": outcome.text,
            "task": _task_brief(outcome.task, timezone.localdate()),
        }

    @router.post("/coordination/items/{int:item_id}/carry", response=ItemOut, summary="Carry an item over")
    def item_carry(request, item_id: int, payload: CarryIn | None = None):
        """The project office marks an item as not settled: it goes on the backlog, and drafting the next
        meeting's agenda takes it up again (`carry: false` undoes it)."""
        item = _item(request, item_id)
        services.agenda_item_carry_over(user=request.auth, item=item, to=payload.carry if payload else True)
        return _item_fresh(request.auth, item_id)

    @router.get(
        "/coordination/meetings/{int:meeting_id}/minutes.docx",
        summary="Download the minutes (.docx)",
        openapi_extra=DOCX_OPENAPI,
    )
    def meeting_minutes(request, meeting_id: int):
        """The minutes (会议纪要) as a Word file, the same document as the meeting page's download: each agenda
        item with its information, decisions and tasks, the items carried over, and the attendance by unit."""
        meeting = visible_or_404(Meeting.objects.select_related("region"), request.auth, pk=meeting_id)
        fallback = f"meeting-{meeting.year}-{meeting.number:02d}.docx"
        return docx_response(minutes_docx(meeting), minutes_filename(meeting), fallback)
