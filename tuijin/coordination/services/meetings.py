"""Meetings: schedule, attendees, agenda items, outcomes, the backlog."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tuijin.projects.models import Project
from tuijin.regions.models import Region

from ..choices import (
    MeetingKind,
    OutcomeKind,
)
from ..models import (
    AgendaItem,
    Meeting,
    MeetingAttendee,
    Outcome,
    Problem,
)
from .common import (
    _as_date,
    _deny,
    _required,
    is_office,
)

# ---- meetings ----


def meeting_next_number(region: Region, kind: str, year: int) -> int:
    top = Meeting.objects.filter(region=region, kind=kind, year=year).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


@transaction.atomic
def meeting_create(
    *,
    user,
    region: Region,
    date,
    kind: str = MeetingKind.WEEKLY,
    number: int | None = None,
    title: str = "",
    place: str = "",
    chair: str = "",
) -> Meeting:
    """Schedule a meeting; numbered next in its zone, kind and year unless `number` is given."""
    meeting = Meeting(region=region, kind=kind, date=_as_date(date, "date"), title=title, place=place, chair=chair)
    if user is not None and not is_office(user, meeting):
        _deny(_("Only the project office holds meetings."))
    Region.objects.select_for_update().filter(pk=region.pk).first()  # one numberer per zone at a time
    meeting.year = meeting.date.year
    meeting.number = number or meeting_next_number(region, kind, meeting.year)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def attendee_add(*, user, meeting: Meeting, name: str = "", organization=None, attendance: str = "present"):
    if not is_office(user, meeting):
        _deny(_("Only the project office holds meetings."))
    attendee = MeetingAttendee(meeting=meeting, name=name.strip(), organization=organization, attendance=attendance)
    attendee.full_clean()
    attendee.save()
    return attendee


@transaction.atomic
def agenda_item_add(
    *,
    user,
    meeting: Meeting,
    project: Project | None = None,
    topic: str = "",
    presenter: str = "",
    order: int | None = None,
    carried_from: AgendaItem | None = None,
) -> AgendaItem:
    """Put a project or a topic on the agenda (at the end unless `order` is given)."""
    if not is_office(user, meeting):
        _deny(_("Only the project office holds meetings."))
    if project is not None and not project.region.path.startswith(meeting.region.path):
        raise ValidationError({"project": _("The project is not in this meeting's region.")})
    if order is None:
        order = (meeting.items.aggregate(n=Max("order"))["n"] or 0) + 1
    item = AgendaItem(
        meeting=meeting,
        project=project,
        topic=topic.strip(),
        presenter=presenter.strip(),
        order=order,
        carried_from=carried_from,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def outcome_add(*, user, item: AgendaItem, kind: str, text: str) -> Outcome:
    """Record information or a decision on an item (a task outcome is written by `task_create`)."""
    if not is_office(user, item.meeting):
        _deny(_("Only the project office holds meetings."))
    if kind == OutcomeKind.TASK:
        raise ValidationError({"kind": _("Assign a task to record a task outcome.")})
    outcome = Outcome(item=item, kind=kind, text=_required(text, "text", _("Write the outcome.")))
    outcome.full_clean()
    outcome.save()
    return outcome


@transaction.atomic
def agenda_item_carry_over(*, user, item: AgendaItem, to: bool = True) -> AgendaItem:
    """Mark an item as not settled: it goes on the backlog for the next meeting."""
    if not is_office(user, item.meeting):
        _deny(_("Only the project office holds meetings."))
    item.carried_over = to
    item.save()
    return item


@transaction.atomic
def agenda_reorder(*, user, meeting: Meeting, item_ids: list[int]) -> list[AgendaItem]:
    """Put the meeting's agenda in the order of `item_ids`, which names every item of the meeting once."""
    if not is_office(user, meeting):
        _deny(_("Only the project office holds meetings."))
    items = {i.pk: i for i in AgendaItem.objects.select_for_update().filter(meeting=meeting)}
    ids = [int(pk) for pk in item_ids]
    if len(ids) != len(set(ids)) or set(ids) != set(items):
        raise ValidationError({"items": _("List every item of this meeting once, in the new order.")})
    for order, pk in enumerate(ids, start=1):
        if items[pk].order != order:
            items[pk].order = order
            items[pk].save()
    return [items[pk] for pk in ids]


@transaction.atomic
def attendance_record(*, user, attendee: MeetingAttendee, attendance: str) -> MeetingAttendee:
    """Record whether an invited person or unit came: present, sent a deputy, excused or absent."""
    if not is_office(user, attendee.meeting):
        _deny(_("Only the project office holds meetings."))
    attendee.attendance = attendance
    attendee.full_clean()
    attendee.save()
    return attendee


# ---- the year's weekly meetings, and drafting an agenda from the ledger ----


def meetings_schedule_year(
    *, user, region: Region, year: int, weekday: int = 0, place: str = "", chair: str = ""
) -> list[Meeting]:
    """Schedule the weekly meeting (周例会) for every week of `year` on `weekday` (0 = Monday). A week whose day is a
    holiday meets on that week's next working day (调休 weekends included), a week without one is skipped; weeks
    that already have a weekly meeting are left alone, so running it again adds nothing."""
    from tuijin.schedule.calendar import load_calendar

    if not is_office(user, Meeting(region=region)):  # also when every week already has its meeting
        _deny(_("Only the project office holds meetings."))
    if not 0 <= int(weekday) <= 6:
        raise ValidationError({"weekday": _("The weekday is 0 (Monday) to 6 (Sunday).")})
    cal = load_calendar()
    day = datetime.date(year, 1, 1)
    day += datetime.timedelta(days=(int(weekday) - day.weekday()) % 7)
    have = {
        d.isocalendar()[:2]
        for d in Meeting.objects.filter(region=region, kind=MeetingKind.WEEKLY, year=year).values_list(
            "date", flat=True
        )
    }
    created = []
    with transaction.atomic():
        while day.year == year:
            week_end = day + datetime.timedelta(days=6 - day.weekday())
            meet = day
            while meet <= week_end and not cal.is_work(meet.toordinal()):
                meet += datetime.timedelta(days=1)
            if meet <= week_end and meet.year == year and meet.isocalendar()[:2] not in have:
                created.append(
                    meeting_create(
                        user=user, region=region, date=meet, kind=MeetingKind.WEEKLY, place=place, chair=chair
                    )
                )
            day += datetime.timedelta(days=7)
    return created


def _previous_month(day: datetime.date) -> tuple[int, int]:
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


def agenda_draft(*, user, meeting: Meeting) -> list[AgendaItem]:
    """Draft the agenda from the ledger as of the meeting's date, each project once, with why it is there:
    projects with red schedule warnings and open problems first, then the items carried over from earlier
    meetings (the backlog), then yellow warnings and projects that missed last month's report. Projects already on
    the agenda are not added again."""
    from tuijin.investment.selectors import rules_for as reporting_rules
    from tuijin.investment.services import reports_missing
    from tuijin.schedule.selectors import zone_warnings

    from ..choices import PROBLEM_ACTIVE_STATES

    if not is_office(user, meeting):
        _deny(_("Only the project office holds meetings."))
    region, as_of = meeting.region, meeting.date
    projects = Project.objects.in_region(region)
    reasons: dict[int, list[str]] = {}
    order: list[tuple[int, int]] = []  # (rank, project id)

    def add(pid: int, rank: int, reason: str) -> None:
        if pid not in reasons:
            reasons[pid] = []
            order.append((rank, pid))
        reasons[pid].append(reason)

    warnings = zone_warnings(projects, as_of=as_of)["items"]
    counts: dict[tuple[int, str], int] = {}
    for w in warnings:
        counts[(w["project_id"], w["level"])] = counts.get((w["project_id"], w["level"]), 0) + 1
    open_problems: dict[int, int] = {}
    for pid in Problem.objects.filter(
        region__path__startswith=region.path, state__in=PROBLEM_ACTIVE_STATES, project__isnull=False
    ).values_list("project_id", flat=True):
        open_problems[pid] = open_problems.get(pid, 0) + 1
    for (pid, level), n in sorted(counts.items(), key=lambda kv: kv[0][1] != "red"):
        if level == "red":
            add(pid, 0, _("red warnings: %(n)s nodes") % {"n": n})
    for pid, n in open_problems.items():
        add(pid, 1, _("open problems: %(n)s") % {"n": n})
    backlog = list(
        AgendaItem.objects.filter(
            meeting__region=region, meeting__date__lt=as_of, carried_over=True, continued_by__isnull=True
        ).select_related("meeting")
    )
    for (pid, level), n in counts.items():
        if level == "yellow":
            add(pid, 3, _("yellow warnings: %(n)s nodes") % {"n": n})
    y, m = _previous_month(as_of)
    missing = list(reports_missing(region, y, m).values_list("pk", "region_id"))
    due = reporting_rules({rid for _pid, rid in missing})
    for pid, rid in missing:
        if as_of > due[rid].due_date(y, m):
            add(pid, 4, _("no report for %(y)s-%(m)02d") % {"y": y, "m": m})
    on_agenda = set(meeting.items.exclude(project__isnull=True).values_list("project_id", flat=True))
    carried_projects = {i.project_id for i in backlog if i.project_id}
    by_id = Project.objects.in_bulk([pid for _r, pid in order])
    created = []
    with transaction.atomic():
        for rank, pid in sorted(order, key=lambda o: o[0]):
            if rank >= 3 and backlog:
                for item in backlog:
                    created.append(_carry(user, meeting, item))
                backlog = []
            if pid in on_agenda or pid in carried_projects:
                continue
            created.append(
                agenda_item_add(user=user, meeting=meeting, project=by_id[pid], topic="；".join(reasons[pid]))
            )
        for item in backlog:
            created.append(_carry(user, meeting, item))
    return created


def _carry(user, meeting: Meeting, item: AgendaItem) -> AgendaItem:
    topic = item.topic or _("carried over from %(meeting)s") % {"meeting": item.meeting.number_label}
    return agenda_item_add(
        user=user, meeting=meeting, project=item.project, topic=topic, presenter=item.presenter, carried_from=item
    )
