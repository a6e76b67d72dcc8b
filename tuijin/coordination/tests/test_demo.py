"""`tuijin demo` gives the demo zone a year of coordination: weekly meetings with attendees, agendas and outcomes,
tasks and problems in every state, the supervision ladder's steps and numbered letters, and the pages to show them."""

import datetime
import io
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tuijin.accounts.models import User
from tuijin.coordination.choices import (
    Attendance,
    ExtensionState,
    LetterKind,
    MeetingKind,
    ProblemLevel,
    ProblemSource,
    ProblemState,
    SupervisionLevel,
    TaskSource,
    TaskState,
)
from tuijin.coordination.demo import FIRST_MEETING, LABEL
from tuijin.coordination.models import (
    AgendaItem,
    ExtensionRequest,
    Meeting,
    MeetingAttendee,
    Notification,
    Problem,
    ProblemCategory,
    SupervisionLetter,
    SupervisionStep,
    Task,
    TaskNote,
)
from tuijin.coordination.selectors import coordination_payload, supervision_board, task_overdue_q
from tuijin.core.models import ChangeRecord
from tuijin.regions.models import Region
from tuijin.schedule.calendar import load_calendar
from tuijin.schedule.demo import PROGRESS_DAY

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 11, 26)  # the day the demo is read on


@pytest.fixture(scope="module")
def zone(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for the module (it takes a while), rolled back at the end."""
    media = str(tmp_path_factory.mktemp("media"))
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings = override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast)
    with django_db_blocker.unblock(), settings, transaction.atomic():
        call_command("demo", "--no-serve", stdout=io.StringIO())
        yield Region.objects.get(code="410171")
        transaction.set_rollback(True)


def test_a_weekly_meeting_every_week_numbered_without_gaps(zone):
    weekly = Meeting.objects.filter(region=zone, kind=MeetingKind.WEEKLY)
    assert weekly.count() >= 45
    days = list(weekly.order_by("date").values_list("date", flat=True))
    assert days[0] == FIRST_MEETING and days[-1] <= PROGRESS_DAY
    # one a week, every week that has a working day (the Spring Festival week has none)
    weeks = {d.isocalendar()[:2] for d in days}
    assert len(weeks) == len(days)
    cal = load_calendar()
    day = FIRST_MEETING
    while day <= PROGRESS_DAY:
        if cal.is_work(day.toordinal()):
            assert day.isocalendar()[:2] in weeks, day
        day += datetime.timedelta(days=1)
    # numbered 1..N per zone, kind and year, in the order they were held
    kinds = set(Meeting.objects.filter(region=zone).values_list("kind", flat=True))
    assert kinds == set(MeetingKind.values)  # 专题会 and 现场办公会 as well
    numbers = defaultdict(list)
    for kind, year, number in (
        Meeting.objects.filter(region=zone).order_by("date", "id").values_list("kind", "year", "number")
    ):
        numbers[(kind, year)].append(number)
    assert {year for _kind, year in numbers} == {2025, 2026}
    for key, seq in numbers.items():
        assert seq == list(range(1, len(seq) + 1)), key


def test_meetings_have_attendees_agendas_outcomes_and_a_backlog(zone):
    attendance = set(MeetingAttendee.objects.values_list("attendance", flat=True))
    assert attendance == set(Attendance.values)  # present, deputies, excused and absent
    for meeting in Meeting.objects.filter(region=zone):
        assert meeting.attendees.exists() and meeting.items.exists(), meeting
        orders = list(meeting.items.values_list("order", flat=True))
        assert orders == list(range(1, len(orders) + 1)), meeting
    items = AgendaItem.objects.filter(meeting__region=zone)
    assert items.filter(project__isnull=False).count() > 100 and items.filter(project__isnull=True).exists()
    assert not items.exclude(presenter="").filter(outcomes__isnull=True).exists()  # every item heard something
    kinds = set(items.values_list("outcomes__kind", flat=True))
    assert kinds == {"information", "decision", "task"}
    # items carried to the next meeting are taken up there; the last meeting leaves two on the backlog
    carried = items.filter(carried_over=True)
    assert carried.filter(continued_by__isnull=False).count() >= 3
    last = Meeting.objects.filter(region=zone, kind=MeetingKind.WEEKLY).order_by("-date").first()
    assert last.items.filter(carried_over=True, continued_by__isnull=True).count() == 2
    for item in carried.filter(continued_by__isnull=False):
        nxt = item.continued_by.get()
        assert nxt.project_id == item.project_id and nxt.meeting.date > item.meeting.date
    # decisions read like minutes: a lead unit and a date
    decision = items.filter(outcomes__kind="decision", project__isnull=False).values_list("outcomes__text", flat=True)
    assert all("牵头" in text and "前" in text for text in decision)


def test_tasks_from_every_source_in_every_state(zone):
    tasks = Task.objects.filter(region=zone)
    assert tasks.count() >= 120
    assert set(tasks.values_list("source", flat=True)) == set(TaskSource.values)
    assert set(tasks.values_list("state", flat=True)) == set(TaskState.values)
    assert tasks.filter(source=TaskSource.MEETING, source_item__isnull=True).count() == 0
    assert not tasks.filter(source=TaskSource.INSTRUCTION, instructed_by__isnull=True).exists()
    assert tasks.filter(source=TaskSource.INSTRUCTION, assigner__username="leader").exists()  # the leader's own
    # progress notes from the units, the done-reports, the assigner's opinions; every closed task was done first
    notes = set(TaskNote.objects.filter(task__region=zone).values_list("kind", flat=True))
    assert notes == {"progress", "done", "sent_back", "closed"}
    assert not tasks.filter(state=TaskState.CLOSED, done_on__isnull=True).exists()
    assert tasks.filter(state=TaskState.IN_PROGRESS, notes__kind="progress").exists()
    assert tasks.filter(state=TaskState.CLOSED, sent_back_count__gt=0).exists()
    # more time: granted (the deadline moved), refused, and one still waiting
    extensions = ExtensionRequest.objects.filter(task__region=zone)
    assert set(extensions.values_list("state", flat=True)) == set(ExtensionState.values)
    for ext in extensions.filter(state=ExtensionState.GRANTED).select_related("task"):
        assert ext.task.deadline >= ext.new_deadline > ext.task.original_deadline
    # the department user's unit has work of its own
    department = User.objects.get(username="department")
    assert tasks.filter(lead_unit=department.organization, state__in=["accepted", "in_progress"]).exists()


def test_problems_of_every_category_state_and_level(zone):
    problems = Problem.objects.filter(region=zone)
    assert problems.count() >= 30
    assert set(problems.values_list("category__name", flat=True)) == set(
        ProblemCategory.objects.filter(active=True).values_list("name", flat=True)
    )
    assert set(problems.values_list("state", flat=True)) == set(ProblemState.values)
    assert set(problems.values_list("level", flat=True)) == set(ProblemLevel.values)
    assert set(problems.values_list("source", flat=True)) == set(ProblemSource.values)
    # the enterprise raises on its own projects; confirmed ones are rated; escalations say why
    enterprise = User.objects.get(username="enterprise")
    own = problems.filter(raised_by=enterprise)
    assert own.exists() and not own.exclude(project__enterprise=enterprise.organization).exists()
    confirmed = problems.filter(state=ProblemState.CONFIRMED)
    assert confirmed.exists() and not confirmed.filter(rating__isnull=True).exists()
    assert problems.filter(reopen_count__gt=0, state=ProblemState.CONFIRMED).exists()
    escalated = problems.exclude(level=ProblemLevel.ZONE)
    assert not escalated.filter(escalated_on__isnull=True).exists()
    assert not escalated.filter(escalation_note="").exists()
    assert not problems.exclude(state=ProblemState.OPEN).filter(assigned_unit__isnull=True).exists()
    assert problems.filter(tasks__isnull=False).exists()  # tasks assigned from problems


def test_the_ladder_chased_what_is_late_with_numbered_letters(zone):
    overdue = Task.objects.filter(region=zone).filter(task_overdue_q(ON))
    assert overdue.count() >= 5
    chased = overdue.filter(supervision__level__in=[SupervisionLevel.SUPERVISE, SupervisionLevel.NOTICE])
    assert chased.distinct().count() >= 3
    # as of ON some deadlines of open tasks have just passed, some are just ahead, some passed long ago
    open_tasks = Task.objects.filter(region=zone, state__in=["assigned", "accepted", "in_progress", "sent_back"])
    deadlines = list(open_tasks.values_list("deadline", flat=True))
    assert any(ON - datetime.timedelta(days=10) <= d < ON for d in deadlines)
    assert any(ON <= d <= ON + datetime.timedelta(days=30) for d in deadlines)
    assert any(d < ON - datetime.timedelta(days=30) for d in deadlines)
    steps = SupervisionStep.objects.filter(region=zone)
    assert set(steps.values_list("level", flat=True)) == set(SupervisionLevel.values)
    assert steps.filter(problem__isnull=False).exists()
    # 催办 → 提醒函, 督办 → 督办函; 交办函 by hand; numbered per kind and year in the order issued
    letters = SupervisionLetter.objects.filter(region=zone)
    assert set(letters.values_list("kind", flat=True)) == set(LetterKind.values)
    assert not steps.filter(level=SupervisionLevel.URGE).exclude(letter__kind=LetterKind.REMINDER).exists()
    assert not steps.filter(level=SupervisionLevel.SUPERVISE).exclude(letter__kind=LetterKind.SUPERVISION).exists()
    numbers = defaultdict(list)
    for kind, year, number in letters.order_by("issued_on", "number").values_list("kind", "year", "number"):
        numbers[(kind, year)].append(number)
    for key, seq in numbers.items():
        assert seq == list(range(1, len(seq) + 1)), key
    replied = letters.filter(replied_on__isnull=False)
    assert replied.exists() and letters.filter(replied_on__isnull=True).exists()
    assert not replied.filter(replied_on__lt=F("issued_on")).exists()
    # and everyone heard: inbox messages from the services and the ladder, the older ones read
    department = User.objects.get(username="department")
    inbox = Notification.objects.filter(user=department)
    assert {"task", "supervision"} <= set(inbox.values_list("kind", flat=True))
    assert inbox.filter(read_at__isnull=False).exists()


def test_the_statistics_over_the_year_are_plausible(zone):
    payload = coordination_payload(
        tasks=Task.objects.all(),
        problems=Problem.objects.all(),
        meetings=Meeting.objects.all(),
        date_from=FIRST_MEETING,
        date_to=PROGRESS_DAY,
        region=zone,
        today=ON,
    )
    t, p = payload["tasks"], payload["problems"]
    assert payload["meetings"] >= 45
    assert t["assigned"] == Task.objects.filter(region=zone).count()
    assert 0 < t["closed_on_time"] < t["closed"] < t["assigned"]
    assert t["closed"] / t["assigned"] > 0.5  # most of the year's tasks are done
    assert 0 < t["overdue"] < t["assigned"] - t["closed"]
    assert 3 <= t["avg_days_to_close"] <= 60
    assert 0 < p["solved"] < p["raised"] == Problem.objects.filter(region=zone).count()
    assert sum(p["open_by_level"].values()) == p["raised"] - p["solved"]
    assert p["open_by_level"]["province"] >= 1
    units = {u["unit"]: u for u in payload["by_unit"]}
    assert len(units) >= 8 and units["经开区发展改革局"]["tasks_assigned"] > 0


def test_nothing_is_dated_after_the_last_day_of_reports_but_deadlines(zone):
    dated = {
        Meeting: ["date"],
        Task: ["assigned_on", "accepted_on", "done_on", "closed_on"],
        Problem: ["raised_on", "solved_on", "confirmed_on", "escalated_on"],
        ExtensionRequest: ["decided_on"],
        SupervisionStep: ["taken_on"],
        SupervisionLetter: ["issued_on", "replied_on"],
    }
    for model, fields in dated.items():
        for name in fields:
            assert not model.objects.filter(**{f"{name}__gt": PROGRESS_DAY}).exists(), (model, name)
            assert not model.objects.filter(**{f"{name}__lt": FIRST_MEETING}).exists(), (model, name)
    # the times the services stamp (notes, inbox, the change log) are the story's days too
    end = timezone.make_aware(datetime.datetime.combine(PROGRESS_DAY, datetime.time.max))
    assert not TaskNote.objects.filter(created__gt=end).exists()
    assert not Notification.objects.filter(created__gt=end).exists()
    records = ChangeRecord.objects.filter(content_type__app_label="coordination")
    assert records.exists() and not records.filter(time__gt=end).exists()
    assert set(records.values_list("label", flat=True)) == {LABEL}
    assert records.filter(content_type__model="task", action="create").count() == Task.objects.count()
    # and the clock is the real one again
    assert timezone.now.__module__ == "django.utils.timezone"
    assert timezone.now() > end


def test_the_pages_show_the_demo(zone, client):
    department = User.objects.get(username="department")
    client.force_login(department)
    today = timezone.localdate()
    todo = Task.objects.filter(lead_unit=department.organization, state__in=["assigned", "accepted", "in_progress"])
    first = todo.order_by("deadline", "pk").first()
    home = client.get(reverse("coordination:home"))
    assert home.status_code == 200 and first.content[:20] in home.content.decode()

    client.force_login(User.objects.get(username="admin"))
    in_progress = Task.objects.filter(region=zone, state=TaskState.IN_PROGRESS).order_by("deadline", "id").first()
    page = client.get(reverse("coordination:task_list"), {"state": "in_progress"})
    assert page.status_code == 200 and in_progress.content[:20] in page.content.decode()

    province = Problem.objects.filter(region=zone, level=ProblemLevel.PROVINCE).first()
    page = client.get(reverse("coordination:problem_list"), {"level": "province"})
    assert page.status_code == 200 and province.description[:20] in page.content.decode()

    last = Meeting.objects.filter(region=zone, kind=MeetingKind.WEEKLY).order_by("-date").first()
    page = client.get(reverse("coordination:meeting_list"))
    assert page.status_code == 200 and last.number_label in page.content.decode()
    page = client.get(reverse("coordination:meeting_detail", args=[last.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert all(i.project.name in html for i in last.items.filter(project__isnull=False))
    assert all(a.name in html for a in last.attendees.exclude(name=""))
    minutes = client.get(reverse("coordination:meeting_minutes", args=[last.pk]))
    assert minutes.status_code == 200 and minutes.content[:2] == b"PK"  # a .docx with the carried-over items

    rows = supervision_board(Task.objects.all(), Problem.objects.all(), today)
    page = client.get(reverse("coordination:board"))
    top = rows[0]["obj"]
    assert page.status_code == 200 and (getattr(top, "content", "") or top.description)[:20] in page.content.decode()

    letter = SupervisionLetter.objects.filter(region=zone, kind=LetterKind.SUPERVISION).order_by("-issued_on").first()
    page = client.get(reverse("coordination:letter_list"))
    assert page.status_code == 200 and letter.code in page.content.decode()
    docx = client.get(reverse("coordination:letter_docx", args=[letter.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
