"""The demo zone's year of coordination (周例会 · 交办事项 · 问题清单 · 督办), so every coordination page shows data.

The story is told over the 52 weeks up to the schedule demo's PROGRESS_DAY (2026-11-20), the last day anyone
reported anything, and is meant to be read on 2026-11-26 (the day the schedule warnings are computed for): some
deadlines are just ahead, some just passed, some long overdue and chased up the ladder to 通报.

- The zone took its weekly key-project meeting (周例会) into tuijin on Monday 24 November 2025 (〔2025〕第1期) and
  has met every week since, on the week's first working day (the rule of `meetings_schedule_year`), skipping the
  Spring Festival week; a few 专题会 (land, energy, power, funding …) and 现场办公会 at project sites come between.
- Each meeting has its attendees (the leaders, the departments — a few sent deputies or were excused or absent —
  and the enterprises whose projects are discussed), its agenda (the projects with red and yellow schedule warnings
  come up most; what they discuss is the node each project stood at on the day, from the schedule demo's progress),
  and its outcomes: what was heard, what was decided, and tasks (交办事项) to a lead unit with a deadline. A few
  items are carried over to the next meeting; the last meeting leaves two on the backlog.
- Tasks also come from leaders' instructions, from problems and ad hoc. Each lives its life: accepted, progress
  notes, reported done, closed — or reported late, sent back, given more time (or refused), or left stuck; what
  would happen after PROGRESS_DAY does not happen, so the recent ones stand in every state.
- Problems (问题清单) of every category are raised by the enterprise user on its projects, by the department user,
  by the office and at meetings; routed, started, solved, confirmed (销号) with a rating or reopened; a few that the
  zone cannot solve are escalated to the city and the province.
- The last tasks and problems are given endings that leave every state on show on PROGRESS_DAY (the department
  user's unit has an overdue task, one sent back, one waiting for more time, one just accepted).
- The supervision ladder (`supervision.supervise`) runs every working day of the year at dawn, as the daily job
  would, so 提醒/催办/督办/通报 steps and numbered 提醒函/督办函 follow from the deadlines; the office issues
  交办函 by hand; units reply to many letters. Inbox messages are the services' own; users read theirs weekly.

Every write goes through the coordination services (and `supervision.py`) under the CLI change context labelled
"tuijin demo", with the day passed wherever a service takes one. Deterministic: one seed, fixed days. The words
(units, what each node is discussed for, the problems per category, stock phrases) are in `demo_texts.py`.

The services stamp some rows with the time itself (a progress note's or an inbox message's `created`, the change
record's time; `task_progress` and `task_send_back` take no date at all). So that these read as the story's day
and not as the day the demo was loaded, the loader — and only the loader — runs under a demo clock that replaces
`django.utils.timezone.now` (see `_clock`).
"""

from __future__ import annotations

import datetime
import heapq
import random
import zoneinfo
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tuijin.accounts.choices import Role
from tuijin.accounts.models import Leader, Organization, User
from tuijin.core.changelog import change_context
from tuijin.core.choices import ChangeSource
from tuijin.projects.models import Project
from tuijin.regions.models import Region
from tuijin.schedule.calendar import load_calendar
from tuijin.schedule.demo import CONTACTS, PROGRESS_DAY, demo_projects
from tuijin.schedule.models import ProjectNode

from . import notifications, services, supervision
from .choices import Attendance, LetterKind, MeetingKind, OutcomeKind, TaskSource, TaskState
from .demo_texts import (
    AD_HOC,
    ALWAYS,
    BUILD,
    CHAIR,
    CLOSE_OPINIONS,
    ESCALATION,
    EXTENSION_REASONS,
    GENERAL,
    GRANT_OPINIONS,
    HEADS,
    INSTRUCTIONS,
    INVEST,
    INVESTMENT_TASK,
    NDRC,
    NODE_CATEGORIES,
    NODE_THEME,
    NODE_UNIT,
    OFFICE,
    ONSITE,
    PLACE,
    PROBLEMS,
    RATING_COMMENTS,
    REFUSE_OPINIONS,
    REOPEN_REASONS,
    SAFETY,
    SEND_BACK_OPINIONS,
    SPECIAL,
    THEMES,
    TOP,
    TOPICS,
    Theme,
)
from .models import ProblemCategory, SupervisionLetter, Task
from .selectors import task_overdue_q

SEED = 20251124
# Steps that record no user (scheduling a meeting, its agenda and outcomes, routing, escalating, starting, issuing a
# letter) are taken by the system, as any CLI job's are (`user=None`): that spares thousands of permission look-ups.
# Steps that record who acted (notes, done-reports, extension requests and decisions, replies, raising and
# confirming a problem, assigning a task) are taken by the demo users.
SYSTEM = None
LABEL = "tuijin demo"
ZONE = "410171"
FIRST_MEETING = datetime.date(2025, 11, 24)
READ_ON = datetime.date(2026, 11, 26)  # the day the demo is meant to be read on (the schedule warnings' day)


@dataclass
class Site:
    """A project as the office sees it: its nodes' done dates, its schedule warnings as of READ_ON."""

    project: Project
    person: str
    nodes: list[tuple[str, datetime.date | None, datetime.date | None]]  # (name, started, finished), in order
    red: int = 0
    yellow: int = 0

    def focus(self, day: datetime.date) -> tuple[str, bool] | None:
        """The first node not done on `day`, and whether it had started (None: every node done)."""
        for name, start, finish in self.nodes:
            if finish is None or finish > day:
                return name, start is not None and start <= day
        return None

    def weight(self, day: datetime.date) -> int:
        """How likely the project comes up at a meeting: red warnings most, then yellow; never when all done."""
        return 0 if self.focus(day) is None else 1 + 4 * (self.red > 0) + 2 * (self.yellow > 0)


@dataclass
class TaskStory:
    """A task to assign and the life it is given (its steps are events)."""

    content: str
    lead: str
    coops: tuple[str, ...]
    assigned_on: datetime.date
    deadline: datetime.date
    theme: Theme
    node: str = ""
    site: Site | None = None
    source: str = TaskSource.AD_HOC
    leader: str = ""  # the instructing leader's name
    letter: bool = False  # the office issues a 交办函 with it
    obj: Task | None = None


@dataclass
class ProblemStory:
    """A problem to raise and the life it is given."""

    category: str
    description: str
    unit: str
    solution: str
    why: str  # why the zone cannot solve it ("" = it can)
    raised_on: datetime.date
    raiser: str  # "office", "enterprise" or "department"
    site: Site
    ending: str = ""  # a forced end: open, solved, reopened (the last ones), city or province (escalated)
    obj: object = None


class _Clock:
    """`timezone.now` while the demo loads: the story's day and time of day."""

    def __init__(self) -> None:
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.at = datetime.datetime.combine(FIRST_MEETING, datetime.time(8), tzinfo=self.zone)

    def __call__(self) -> datetime.datetime:
        return self.at

    def set(self, day: datetime.date, minute: int) -> None:
        self.at = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60), tzinfo=self.zone)


@contextmanager
def _clock():
    """Replace `django.utils.timezone.now` (read by `localdate`, by auto_now fields and the change log) with the
    demo's clock while the loader runs, and only then: a note, an inbox message, a change record carries the
    story's day. The services' own date arguments are passed as well wherever they take one."""
    clock = _Clock()
    with mock.patch.object(timezone, "now", clock):
        yield clock


class Story:
    """Tells the year day by day: each working day the ladder runs at 07:30, then the day's events in order."""

    def __init__(self, region: Region, clock: _Clock, seed: int) -> None:
        self.region, self.clock = region, clock
        self.rng = random.Random(seed)
        self.cal = load_calendar()
        self.events: list = []
        self.seq = 0
        self.units = {o.name: o for o in Organization.objects.filter(region=region)}
        self.leaders = {x.name: x for x in Leader.objects.filter(region=region)}
        self.categories = {c.name: c for c in ProblemCategory.objects.all()}
        users = {}
        for u in User.objects.filter(region=region, is_active=True).select_related("organization").order_by("pk"):
            users.setdefault(u.role, u)
        self.admin = users[Role.ADMIN]
        self.leader = users.get(Role.LEADER)
        self.department = users.get(Role.DEPARTMENT)
        self.enterprise = users.get(Role.ENTERPRISE)
        self.readers = list(users.values())
        self.sites = self._sites()
        self.stories: dict[str, dict[int, object]] = {"task": {}, "problem": {}}
        self.last_item: dict[int, object] = {}  # project id → its latest agenda item (to carry over)
        self.recent: set[int] = set()  # projects on last week's agenda
        self.heard: set[tuple[int, int]] = set()  # the months whose investment figures a meeting heard
        # How the last tasks end on PROGRESS_DAY, so that every state is on show (the department user's unit first).
        self.endings = {
            "department": ["end_stuck", "end_sent_back", "end_pending", "end_accepted", "unaccepted"],
            "other": ["end_reported_done", "end_accepted", "end_sent_back", "unaccepted"],
        }
        self.counts = {"meetings": 0, "tasks": 0, "problems": 0, "replies": 0}

    # ---- days and events ----

    def work(self, day: datetime.date, n: int = 0) -> datetime.date:
        """The working day `n` working days after `day` (the first working day on or after it for n = 0)."""
        return datetime.date.fromordinal(self.cal.add(self.cal.next_work(day.toordinal()), n))

    def before(self, day: datetime.date) -> datetime.date:
        """The last working day on or before `day`: deadlines fall on working days."""
        return datetime.date.fromordinal(self.cal.prev_work(day.toordinal()))

    def at(self, day: datetime.date, run: Callable[[], None], minute: int | None = None) -> None:
        """Run `run` on `day` (never if that is after PROGRESS_DAY: the story stops there)."""
        self.seq += 1
        minute = self.rng.randint(9 * 60 + 30, 17 * 60) if minute is None else minute
        heapq.heappush(self.events, (day, minute, self.seq, run))

    def steps(self, first: datetime.date, plan: list[tuple[int, Callable[[datetime.date], None]]]) -> None:
        """Chain steps: each `gap` working days after the previous one (at least one), starting from `first`."""
        day = first
        for gap, run in plan:
            day = self.work(day, max(gap, 1))
            self.at(day, lambda d=day, r=run: r(d))

    def actor(self, unit: str):
        """Who acts for a unit: the demo department user for its own unit; for the others the office, which enters
        what units without an account report (it may take every step in its zone)."""
        if self.department is not None and self.department.organization.name == unit:
            return self.department
        return self.admin

    # ---- the zone's projects ----

    def _sites(self) -> list[Site]:
        from tuijin.schedule.selectors import zone_warnings

        rows = demo_projects(self.region.code)
        projects = Project.objects.filter(pk__in=[r["id"] for r in rows]).select_related("enterprise", "leader")
        nodes: dict[int, list] = {}
        for pid, name, milestone, start, finish in (
            ProjectNode.objects.filter(project__in=projects)
            .order_by("project", "order", "id")
            .values_list("project_id", "name", "milestone", "actual_start", "actual_finish")
        ):
            nodes.setdefault(pid, []).append((name, milestone, start, finish))
        levels: dict[tuple[int, str], int] = {}
        for w in zone_warnings(projects, as_of=READ_ON)["items"]:
            levels[(w["project_id"], w["level"])] = levels.get((w["project_id"], w["level"]), 0) + 1
        sites = []
        for p in projects.order_by("code"):
            steps = []
            for name, milestone, start, finish in nodes.get(p.pk, []):
                if milestone:  # a ledger milestone is done on the ledger's date
                    finish = getattr(p, milestone)
                    start = start or finish
                steps.append((name, start, finish))
            person = (p.responsible_person or "").split(" ")[0] or p.enterprise.name
            sites.append(Site(p, person, steps, levels.get((p.pk, "red"), 0), levels.get((p.pk, "yellow"), 0)))
        return sites

    def pick(self, day: datetime.date, k: int, avoid=(), categories: tuple[str, ...] = ()) -> list[Site]:
        """`k` projects to discuss on `day`, the ones with warnings most likely; fitting `categories` if enough do."""
        pool = [s for s in self.sites if s.project.pk not in avoid and s.weight(day)]
        if categories:
            fit = [s for s in pool if set(NODE_CATEGORIES.get(s.focus(day)[0], ())) & set(categories)]
            pool = fit if len(fit) >= k else pool
        chosen: list[Site] = []
        while pool and len(chosen) < k:
            site = self.rng.choices(pool, weights=[s.weight(day) for s in pool])[0]
            chosen.append(site)
            pool.remove(site)
        return chosen

    def theme(self, site: Site | None, day: datetime.date) -> tuple[Theme, str, str]:
        """(theme, node, lead unit) of what `site` stands at on `day`."""
        focus = site.focus(day) if site else None
        node = focus[0] if focus else "达效"
        theme = THEMES[NODE_THEME[node]]
        return theme, node, NODE_UNIT.get(node, theme.unit)

    # ---- words ----

    def fill(self, text: str, **kw) -> str:
        rng = self.rng
        values = {
            "n": rng.randint(3, 40),
            "pct": rng.choice([35, 45, 60, 70, 80, 90]),
            "yi": rng.choice([1.2, 2, 3.5]),
            "tce": rng.choice([1.2, 2.6, 3.8, 5.5]),
            "mu": rng.randint(3, 16) * 10,
            "workers": rng.randint(12, 60) * 10,
            "flats": rng.randint(8, 30) * 10,
        }
        return text.format(**{**values, **kw})

    @staticmethod
    def md(day: datetime.date, year: int) -> str:
        return f"{day.month}月{day.day}日" if day.year == year else f"{day.year}年{day.month}月{day.day}日"

    @staticmethod
    def contact(unit: str) -> str:
        """The unit's contact, as the schedule demo names it on the nodes the unit answers for."""
        return CONTACTS[sum(map(ord, unit)) % len(CONTACTS)]

    @staticmethod
    def chair_of(leader: Leader | None) -> str:
        return f"{leader.title}{leader.name}" if leader else ""

    # ---- meetings ----

    def plan_meetings(self) -> None:
        """The weekly meeting on each week's first working day (a week without one has none), the 专题会 and the
        现场办公会."""
        monday, week = FIRST_MEETING, 0
        while monday <= PROGRESS_DAY:
            day = monday
            while day < monday + datetime.timedelta(days=7) and not self.cal.is_work(day.toordinal()):
                day += datetime.timedelta(days=1)
            if day < monday + datetime.timedelta(days=7) and day <= PROGRESS_DAY:
                week += 1
                self.at(day, lambda d=day, w=week: self.weekly(d, w), minute=9 * 60)
            monday += datetime.timedelta(days=7)
        for day, title, units, categories in SPECIAL:
            day = self.work(day)
            self.at(day, lambda d=day, t=title, u=units, c=categories: self.special(d, t, u, c), minute=14 * 60 + 30)
        for day in ONSITE:
            day = self.work(day)
            self.at(day, lambda d=day: self.onsite(d), minute=10 * 60)

    def attend(self, meeting, units: list[str], sites: list[Site], leaders: list[str]) -> None:
        """The leaders, the units (most heads present; a few send a deputy, are excused or absent), the enterprises."""
        add = services.attendee_add
        for name in leaders:
            add(user=SYSTEM, meeting=meeting, name=name)
        for unit in units:
            head, deputy = HEADS[unit]
            roll = self.rng.random()
            if unit == OFFICE or roll < 0.82:
                attendance, person = Attendance.PRESENT, head
            elif roll < 0.92:
                attendance, person = Attendance.DEPUTY, deputy
            elif roll < 0.97:
                attendance, person = Attendance.EXCUSED, head
            else:
                attendance, person = Attendance.ABSENT, ""
            add(user=SYSTEM, meeting=meeting, name=person, organization=self.units[unit], attendance=attendance)
        for site in sites:
            add(user=SYSTEM, meeting=meeting, name=site.person, organization=site.project.enterprise)

    def weekly(self, day: datetime.date, week: int) -> None:
        rng = self.rng
        carried = {pid: item for pid, item in self.last_item.items() if item.carried_over}
        sites = [s for s in self.sites if s.project.pk in carried]
        last = day > PROGRESS_DAY - datetime.timedelta(days=7)  # the last meeting: two items go to the next one
        sites += self.pick(day, max((4 if last else 2 + week % 2) - len(sites), 1), set(carried) | self.recent)
        chair = self.leaders.get(TOP if week % 6 == 0 else CHAIR)
        meeting = services.meeting_create(
            user=SYSTEM, region=self.region, date=day, place=PLACE, chair=self.chair_of(chair)
        )
        self.counts["meetings"] += 1
        # At the table: the chair, the office and the departments that answer for most nodes, the unit and the
        # enterprise of the first project on the agenda (the others' reports come in writing).
        lead = self.theme(sites[0], day)[2]
        units = ALWAYS + [lead] * (lead not in ALWAYS)
        self.attend(meeting, units, sites[:1] if rng.random() < 0.6 else [], [chair.name])
        for k, site in enumerate(sites):
            previous = carried.get(site.project.pk)
            carry = (last and k >= len(sites) - 2) or (not last and previous is None and rng.random() < 0.1)
            self.project_item(meeting, site, day, previous=previous, carry=carry, tasks=1 if last else None)
        if week % 4 == 2:
            self.review_item(meeting, day)
        topic = TOPICS.get(day.month)
        if topic and day.day <= 7:
            self.topic_item(meeting, day, *topic)
        if day.day >= 8 and (day.year, day.month) not in self.heard:  # the month's 2nd meeting: last month's investment
            self.heard.add((day.year, day.month))
            month = (day.replace(day=1) - datetime.timedelta(days=1)).month
            self.topic_item(meeting, day, f"{month}月份重点项目投资完成情况", NDRC, INVESTMENT_TASK, NDRC)
        self.recent = {s.project.pk for s in sites}

    def project_item(self, meeting, site: Site, day, *, previous=None, carry=False, tasks=None) -> None:
        """A project on the agenda: what the enterprise reported, what was decided, the tasks, maybe a problem."""
        rng = self.rng
        theme, node, lead = self.theme(site, day)
        focus = site.focus(day)
        topic = previous.topic if previous is not None else f"{node}{'推进情况' if focus and focus[1] else '前期准备'}"
        item = services.agenda_item_add(
            user=SYSTEM,
            meeting=meeting,
            project=site.project,
            topic=topic,
            presenter=f"{site.person}（{site.project.enterprise.name}）",
            carried_from=previous,
        )
        self.last_item[site.project.pk] = item
        info = self.fill(rng.choice(theme.info), node=node)
        services.outcome_add(
            user=SYSTEM, item=item, kind=OutcomeKind.INFORMATION, text=f"{site.project.enterprise.name}汇报：{info}"
        )
        if carry:  # not settled today: back on the agenda next week
            services.agenda_item_carry_over(user=SYSTEM, item=item)
            return
        deadline = self.before(day + datetime.timedelta(days=rng.randint(*theme.days)))
        coops = "、".join(theme.coops) or "企业"
        count = tasks if tasks is not None else rng.choices([0, 1, 2], weights=[35, 57, 8])[0]
        if count == 0 or rng.random() < 0.5:
            decision = self.fill(theme.decision, unit=lead, coops=coops, date=self.md(deadline, day.year), node=node)
            services.outcome_add(user=SYSTEM, item=item, kind=OutcomeKind.DECISION, text=decision)
        for k, content in enumerate(rng.sample(theme.tasks, min(count, len(theme.tasks)))):
            unit = lead if k == 0 else rng.choice([u for u in (*theme.coops, INVEST) if u != lead])
            story = TaskStory(
                content=self.fill(content, node=node),
                lead=unit,
                coops=tuple(u for u in theme.coops if u != unit)[:2] if k == 0 else (),
                assigned_on=day,
                deadline=deadline if k == 0 else self.before(deadline + datetime.timedelta(days=rng.randint(0, 10))),
                theme=theme,
                node=node,
                site=site,
                source=TaskSource.MEETING,
                letter=meeting.kind != MeetingKind.WEEKLY and k == 0,
            )
            self.assign(story, item=item)
        if rng.random() < 0.15:  # an obstacle reported at the meeting goes on the problem register
            category = rng.choice(theme.categories)
            self.raise_problem(self.problem_story(category, site, day, "office"), item=item)

    def review_item(self, meeting, day: datetime.date) -> None:
        """The office reports how the tasks stand, counted from the register that morning."""
        tasks = Task.objects.filter(region=self.region, assigned_on__lt=day)
        total = tasks.count()
        if not total:
            return
        closed = tasks.filter(state=TaskState.CLOSED).count()
        overdue = tasks.filter(task_overdue_q(day)).count()
        item = services.agenda_item_add(
            user=SYSTEM, meeting=meeting, topic="交办事项落实情况通报", presenter=f"{HEADS[OFFICE][0]}（{OFFICE}）"
        )
        text = f"截至{self.md(day, day.year)}，累计交办事项{total}项，已办结{closed}项，逾期未办结{overdue}项"
        services.outcome_add(user=SYSTEM, item=item, kind=OutcomeKind.INFORMATION, text=text)
        if overdue:
            decision = "对逾期未办结事项，由项目办按督办程序发函督办，责任单位主要负责同志亲自过问，限期办结"
            services.outcome_add(user=SYSTEM, item=item, kind=OutcomeKind.DECISION, text=decision)

    def topic_item(self, meeting, day: datetime.date, topic: str, presenter: str, task: str, lead: str) -> None:
        item = services.agenda_item_add(
            user=SYSTEM, meeting=meeting, topic=topic, presenter=f"{HEADS[presenter][0]}（{presenter}）"
        )
        text = f"{presenter}通报了{topic}有关情况"
        services.outcome_add(user=SYSTEM, item=item, kind=OutcomeKind.INFORMATION, text=text)
        deadline = self.before(day + datetime.timedelta(days=self.rng.randint(15, 25)))
        coops = {BUILD: (SAFETY,), NDRC: (INVEST,)}.get(lead, (BUILD,))
        self.assign(TaskStory(task, lead, coops, day, deadline, GENERAL, source=TaskSource.MEETING), item=item)

    def special(self, day: datetime.date, title: str, units: tuple[str, ...], categories: tuple[str, ...]) -> None:
        leader = self.leaders[self.rng.choice(["刘卫东", "陈晓明", "杨志强", "赵红梅"])]
        meeting = services.meeting_create(
            user=SYSTEM,
            region=self.region,
            date=day,
            kind=MeetingKind.SPECIAL,
            title=title,
            place="管委会五楼会议室",
            chair=self.chair_of(leader),
        )
        self.counts["meetings"] += 1
        sites = self.pick(day, 3, (), categories)
        self.attend(meeting, [OFFICE, *units], [], [leader.name])
        for site in sites:
            self.project_item(meeting, site, day, tasks=1)

    def onsite(self, day: datetime.date) -> None:
        site = self.pick(day, 1, self.recent)[0]
        leader = site.project.leader or self.leaders[CHAIR]
        meeting = services.meeting_create(
            user=SYSTEM,
            region=self.region,
            date=day,
            kind=MeetingKind.ONSITE,
            title=f"{site.project.name}现场办公会",
            place=f"项目现场（{site.project.location}）" if site.project.location else "项目现场",
            chair=self.chair_of(leader),
        )
        self.counts["meetings"] += 1
        theme, _node, lead = self.theme(site, day)
        units = [OFFICE, *dict.fromkeys((lead, *theme.coops[:1], INVEST))]
        self.attend(meeting, units, [site], [leader.name])
        self.project_item(meeting, site, day, tasks=2)

    # ---- tasks ----

    def plan_tasks(self) -> None:
        """Leaders' instructions every third week, the monthly report and a few ad hoc tasks."""
        day, k = datetime.date(2025, 12, 3), 0
        while day <= PROGRESS_DAY:
            when = self.work(day)
            self.at(when, lambda d=when, chair=k % 2 == 0: self.instruction(d, chair), minute=11 * 60)
            day, k = day + datetime.timedelta(days=28), k + 1
        month = datetime.date(2025, 12, 1)
        while month < PROGRESS_DAY.replace(day=1):
            day = self.work(month.replace(day=24))
            self.at(day, lambda d=day, m=month.month: self.ad_hoc(d, AD_HOC[0], m), minute=16 * 60)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        for day, spec in zip(
            (datetime.date(2026, 1, 7), datetime.date(2026, 4, 15), datetime.date(2026, 7, 22)), AD_HOC[1:], strict=True
        ):
            when = self.work(day)
            self.at(when, lambda d=when, s=spec: self.ad_hoc(d, s, d.month), minute=15 * 60)

    def instruction(self, day: datetime.date, chair: bool) -> None:
        """A leader's instruction (批示) on a project: the chair's every other time, else the project's leader's."""
        site = self.pick(day, 1)[0]
        theme, node, lead = self.theme(site, day)
        leader = site.project.leader.name if site.project.leader_id and not chair else CHAIR
        content = self.fill(self.rng.choice(INSTRUCTIONS), node=node)
        deadline = self.before(day + datetime.timedelta(days=self.rng.randint(7, 20)))
        story = TaskStory(content, lead, theme.coops[:1], day, deadline, theme, node, site, TaskSource.INSTRUCTION)
        story.leader, story.letter = leader, True
        self.assign(story)

    def ad_hoc(self, day: datetime.date, spec: tuple, month: int) -> None:
        content, lead, coops = spec
        if month == day.month and "{m}" in content:
            end = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=4)
            deadline = self.before(end)
        else:
            deadline = self.before(day + datetime.timedelta(days=self.rng.randint(10, 20)))
        self.assign(TaskStory(content.format(m=month), lead, coops, day, deadline, GENERAL))

    def assign(self, story: TaskStory, *, item=None, problem=None) -> None:
        """Assign the task (with its 交办函 when it has one) and plan its life."""
        user, instructed = self.admin, None
        if story.leader:
            instructed = self.leaders[story.leader]
            if story.leader == CHAIR and self.leader is not None:
                user = self.leader  # 王海峰 has an account: he assigns (and reviews) his own instructions
        anchored = story.site is not None or item is not None or problem is not None
        task = services.task_create(
            user=SYSTEM if anchored else user,  # a task of no project or meeting takes its region from the user
            assigner=user,
            content=story.content,
            lead_unit=self.units[story.lead],
            deadline=story.deadline,
            cooperating_units=[self.units[u] for u in story.coops],
            project=story.site.project if story.site else None,
            responsible_person=self.contact(story.lead),
            source=story.source,
            source_item=item,
            source_problem=problem,
            instructed_by=instructed,
            assigned_on=story.assigned_on,
        )
        story.obj = task
        self.stories["task"][task.pk] = story
        self.counts["tasks"] += 1
        if story.letter:
            letter = supervision.letter_issue(
                user=SYSTEM, kind=LetterKind.ASSIGNMENT, task=task, issued_on=story.assigned_on
            )
            self.reply_later(letter, story.assigned_on, 0.3)
        self.task_life(story, user)

    def task_life(self, story: TaskStory, reviewer) -> None:  # noqa: C901 - one life, told in order
        """What the lead unit and the assigner do with the task, day by day; the story is cut at PROGRESS_DAY."""
        rng, task, theme = self.rng, story.obj, story.theme
        actor = self.actor(story.lead)
        a, d = story.assigned_on, story.deadline
        mine = self.department is not None and story.lead == self.department.organization.name
        endings = self.endings["department" if mine else "other"]
        if a > PROGRESS_DAY - datetime.timedelta(days=45 if mine else 21) and endings:
            profile = endings.pop(0)
        else:
            names = ["prompt", "late", "extended", "refused", "sent_back", "stuck", "slow", "unaccepted"]
            profile = rng.choices(names, weights=[52, 13, 9, 5, 9, 6, 4, 2])[0]
            if profile in ("stuck", "unaccepted") and a < PROGRESS_DAY - datetime.timedelta(days=120):
                profile = "late"  # left undone for months, then done: nothing stays stuck for most of a year
        words = {"node": story.node}
        ext: dict = {}

        def accept(day):
            services.task_accept(user=SYSTEM, task=task, today=day)

        def note(day):
            services.task_progress(user=actor, task=task, text=self.fill(rng.choice(theme.notes), **words))

        def done(day):
            services.task_report_done(user=actor, task=task, text=self.fill(rng.choice(theme.done), **words), today=day)

        def close(day):
            opinion = rng.choice(CLOSE_OPINIONS)
            services.task_close(user=reviewer if opinion else SYSTEM, task=task, opinion=opinion, today=day)

        def send_back(day):
            services.task_send_back(user=reviewer, task=task, opinion=rng.choice(SEND_BACK_OPINIONS))

        def ask(new):
            def run(day):
                reason = rng.choice(EXTENSION_REASONS).format(date=self.md(new, day.year))
                ext["request"] = services.task_request_extension(user=actor, task=task, new_deadline=new, reason=reason)

            return run

        def decide(grant):
            def run(day):
                if grant:
                    services.extension_grant(
                        user=reviewer, extension=ext["request"], opinion=rng.choice(GRANT_OPINIONS), today=day
                    )
                else:
                    services.extension_refuse(
                        user=reviewer, extension=ext["request"], opinion=rng.choice(REFUSE_OPINIONS), today=day
                    )

            return run

        wd = self.cal.between
        span = max(wd(self.work(a).toordinal(), d.toordinal()), 2)  # working days from assignment to deadline
        before_deadline = max(span - rng.randint(0, min(5, span - 1)), 2)
        plan: list = []
        if profile == "unaccepted":
            return
        plan.append((rng.randint(4, 8) if profile == "slow" else rng.randint(1, 2), accept))
        # The forced endings reach their state a few working days before PROGRESS_DAY and go no further.
        left = max(wd(self.work(a).toordinal(), PROGRESS_DAY.toordinal()) - 2, 4)  # after accepting (1–2 days)
        if profile == "end_reported_done":  # waiting for the assigner
            plan += [(left - 1, done), (20, close)]
        elif profile == "end_sent_back":  # sent back, not yet taken up again
            plan += [(left - 3, done), (2, send_back), (20, note)]
        elif profile == "end_pending":  # more time asked for, not yet decided
            new = self.before(max(d, PROGRESS_DAY) + datetime.timedelta(days=rng.randint(20, 30)))
            plan += [(left - 3, note), (1, ask(new)), (20, decide(True))]
        elif profile == "end_accepted":  # taken on, nothing to report yet
            plan += [(left + 20, note)]
        elif profile in ("stuck", "end_stuck"):
            plan += [(max(span // 2, 1), note), (span, note), (rng.randint(10, 30), note)]
        elif profile in ("extended", "refused"):
            new = self.before(d + datetime.timedelta(days=rng.randint(14, 40)))
            asked = max(span - rng.randint(1, 4), 2)
            plan += [(asked - 1, note), (1, ask(new)), (rng.randint(1, 2), decide(profile == "extended"))]
            rest = self.cal.between(d.toordinal(), new.toordinal()) if profile == "extended" else rng.randint(0, 8)
            plan += [(max(rest - rng.randint(0, 4), 2), done), (rng.randint(1, 3), close)]
        else:
            late = rng.randint(2, 15) if profile == "late" else 0
            notes = 0 if before_deadline < 10 else 1
            for _n in range(notes):
                plan.append((max(before_deadline // (notes + 1), 1), note))
            plan.append((max(before_deadline - sum(g for g, _r in plan[1:]) - 1, 1) + late, done))
            if profile == "sent_back":
                plan += [(rng.randint(1, 2), send_back), (rng.randint(2, 5), note), (rng.randint(2, 6), done)]
            plan.append((rng.randint(1, 4), close))
        self.steps(a, plan)

    # ---- problems ----

    def problem_story(self, category: str, site: Site, day, raiser: str, escalates: bool = False) -> ProblemStory:
        choices = [p for p in PROBLEMS[category] if p[3] or not escalates]
        if raiser == "department":  # a department raises what another unit has to solve
            choices = [p for p in choices if p[1] != self.department.organization.name] or choices
        description, unit, solution, why = self.rng.choice(choices)
        return ProblemStory(category, self.fill(description), unit, solution, why, day, raiser, site)

    def plan_problems(self) -> None:
        """The register beyond what meetings raise: the office's own (one of each category), the enterprise's on its
        projects and the department's; the last ones end open, solved (waiting for confirmation) and reopened."""
        rng = self.rng
        categories = list(PROBLEMS)
        rng.shuffle(categories)
        first, last = datetime.date(2025, 12, 1), datetime.date(2026, 10, 15)
        step = (last - first) / len(categories)
        for k, category in enumerate(categories):
            day = self.work(first + step * k + datetime.timedelta(days=rng.randint(0, 6)))
            self.at(day, lambda d=day, c=category: self.raise_direct(c, d, "office"))
        # Two the zone cannot solve: one still waiting on the city, one gone up to the province.
        for day, category, ending in (
            (datetime.date(2026, 1, 12), "能耗", "province"),
            (datetime.date(2026, 3, 18), "土地", "city"),
        ):
            day = self.work(day)
            self.at(day, lambda d=day, c=category, e=ending: self.raise_direct(c, d, "office", ending=e))
        if self.enterprise is not None:
            own = [s for s in self.sites if s.project.enterprise_id == self.enterprise.organization_id]
            for day, ending in (
                (datetime.date(2025, 12, 10), ""),
                (datetime.date(2026, 2, 26), ""),
                (datetime.date(2026, 5, 13), ""),
                (datetime.date(2026, 8, 5), ""),
                (datetime.date(2026, 10, 14), "reopened"),
                (datetime.date(2026, 11, 17), "open"),
            ):
                day = self.work(day)
                self.at(day, lambda d=day, e=ending: self.raise_direct("", d, "enterprise", own, e))
        if self.department is not None:
            for day, ending in (
                (datetime.date(2026, 1, 14), ""),
                (datetime.date(2026, 4, 8), ""),
                (datetime.date(2026, 7, 8), ""),
                (datetime.date(2026, 10, 21), "solved"),
            ):
                day = self.work(day)
                self.at(day, lambda d=day, e=ending: self.raise_direct("", d, "department", None, e))

    def raise_direct(self, category: str, day, raiser: str, sites=None, ending: str = "") -> None:
        """A problem raised outside a meeting: of `category`, or of what the project stands at."""
        rng = self.rng
        if sites:
            sites = [s for s in sites if s.weight(day)] or sites
            site = rng.choice(sites)
        else:
            site = self.pick(day, 1, (), (category,) if category else ())[0]
        theme, _node, _lead = self.theme(site, day)
        if not category:
            category = rng.choice(theme.categories)
        story = self.problem_story(category, site, day, raiser, escalates=ending in ("city", "province"))
        story.ending = ending
        self.raise_problem(story)

    def raise_problem(self, story: ProblemStory, *, item=None) -> None:
        rng = self.rng
        raiser = {"office": self.admin, "enterprise": self.enterprise, "department": self.department}[story.raiser]
        routed = story.raiser == "office"
        days = rng.randint(20, 50)
        problem = services.problem_raise(
            user=raiser,
            category=self.categories[story.category],
            description=story.description,
            project=story.site.project,
            assigned_unit=self.units[story.unit] if routed else None,
            deadline=self.before(story.raised_on + datetime.timedelta(days=days)) if routed else None,
            source_item=item,
            raised_on=story.raised_on,
        )
        story.obj = problem
        self.stories["problem"][problem.pk] = story
        self.counts["problems"] += 1
        self.problem_life(story, raiser, days)

    def problem_life(self, story: ProblemStory, raiser, days: int) -> None:  # noqa: C901 - one life, told in order
        """Routed (when the raiser could not route it), started, solved, confirmed with a rating — or solved late,
        reopened, escalated to the city and the province, or stuck; the story is cut at PROGRESS_DAY."""
        rng, problem = self.rng, story.obj
        unit = self.units[story.unit]
        name = story.site.project.name.removesuffix("项目")

        def as_task(day, deadline, content, chance):
            if rng.random() < chance:  # the office also assigns the work as a task (交办事项 from the problem)
                theme = self.theme(story.site, day)[0]
                task = TaskStory(content, story.unit, (), day, deadline, theme, site=story.site)
                task.source = TaskSource.PROBLEM
                self.assign(task, problem=problem)

        def assign(extra):
            def run(day):
                deadline = self.before(day + datetime.timedelta(days=extra))
                services.problem_assign(user=SYSTEM, problem=problem, unit=unit, deadline=deadline)
                as_task(day, deadline, f"协调解决{name}{story.category}问题", 0.2)

            return run

        def start(day):
            services.problem_start(user=SYSTEM, problem=problem)

        def solve(day):
            services.problem_solve(user=SYSTEM, problem=problem, solution=story.solution, today=day)

        def confirm(rating):
            def run(day):
                comment = RATING_COMMENTS[rating]
                services.problem_confirm(user=raiser, problem=problem, rating=rating, comment=comment, today=day)

            return run

        def reopen(day):
            services.problem_reopen(user=raiser, problem=problem, reason=rng.choice(REOPEN_REASONS))

        def escalate(level):
            def run(day):
                note = ESCALATION[level].format(why=story.why)
                services.problem_escalate(user=SYSTEM, problem=problem, note=note, today=day)
                to = "市政府" if level == "city" else "省有关部门"
                content = f"起草《关于提请协调解决{name}{story.category}问题的请示》，报{to}"
                as_task(day, self.before(day + datetime.timedelta(days=10)), content, 1)

            return run

        plan: list = []
        if story.raiser != "office":
            if story.ending == "open":
                return
            plan.append((rng.randint(1, 2), assign(days)))
        elif problem.deadline:
            as_task(story.raised_on, problem.deadline, f"协调解决{name}{story.category}问题", 0.2)
        plan.append((rng.randint(1, 3), start))
        span = max(days * 5 // 7 - 3, 3)  # working days left to the deadline, roughly
        left = self.cal.between(self.work(story.raised_on).toordinal(), PROGRESS_DAY.toordinal())
        if story.ending in ("city", "province"):
            plan += [(rng.randint(8, 12), escalate("city")), (1, assign(rng.randint(60, 90)))]
            if story.ending == "province":
                plan += [(rng.randint(20, 30), escalate("province")), (1, assign(rng.randint(90, 120)))]
        elif story.ending == "reopened":
            plan += [(max(left - 10, 2), solve), (4, reopen)]
        elif story.ending == "solved":
            plan += [(max(left - 6, 2), solve), (8, confirm(4))]
        else:
            names = ["confirmed", "late", "reopened", "escalated", "stuck"]
            profile = rng.choices(names, weights=[50, 15, 10, 18, 7])[0]
            if profile == "escalated" and not story.why:
                profile = "stuck"
            if profile == "stuck" and story.raised_on < PROGRESS_DAY - datetime.timedelta(days=150):
                profile = "late"  # stuck for months, then solved: nothing stays stuck for most of a year
            if profile == "escalated":
                plan += [(rng.randint(8, 18), escalate("city")), (1, assign(rng.randint(45, 80)))]
                if rng.random() < 0.45:
                    plan += [(rng.randint(20, 35), escalate("province")), (1, assign(rng.randint(60, 110)))]
                if rng.random() < 0.5:
                    plan += [(rng.randint(30, 60), solve), (rng.randint(2, 5), confirm(rng.choice([3, 4])))]
            elif profile != "stuck":  # stuck: started, and still being worked on long after its deadline
                late = rng.randint(3, 15) if profile == "late" else 0
                plan.append((max(span - rng.randint(0, 6), 2) + late, solve))
                if profile == "reopened":
                    plan += [(rng.randint(2, 4), reopen), (rng.randint(1, 2), start), (rng.randint(5, 15), solve)]
                rating = rng.choice([5, 5, 4, 4, 4, 3]) if profile == "confirmed" else rng.choice([4, 3, 3])
                plan.append((rng.randint(1, 4), confirm(rating)))
        self.steps(story.raised_on, plan)

    # ---- letters and the inbox ----

    def reply_later(self, letter: SupervisionLetter, issued: datetime.date, chance: float) -> None:
        """The addressed unit answers the letter some working days later (or never)."""
        rng = self.rng
        if rng.random() >= chance:
            return
        day = self.work(issued, rng.randint(1, 7))
        self.at(day, lambda d=day: self.reply(letter, d))

    def reply(self, letter: SupervisionLetter, day: datetime.date) -> None:
        story = self.stories["task"].get(letter.task_id) or self.stories["problem"].get(letter.problem_id)
        theme = story.theme if isinstance(story, TaskStory) else GENERAL
        progress = self.fill(self.rng.choice(theme.notes), node=getattr(story, "node", ""))
        due = self.md(self.work(day, self.rng.randint(5, 12)), day.year)
        if letter.kind == LetterKind.ASSIGNMENT:
            text = "已收悉。我单位已明确分管负责同志和具体经办人员，将按要求在办理时限内办结并报送办理结果。"
        elif letter.kind == LetterKind.REMINDER:
            text = f"收到提醒函后，我单位立即进行专题研究。目前{progress}，预计于{due}前办结。"
        else:
            text = (
                f"收到督办函后，我单位主要负责同志召开专题会研究部署。目前{progress}。"
                f"下一步将倒排工期、挂图作战，确保于{due}前办结。"
            )
        unit = letter.to_unit.name
        supervision.letter_reply(user=self.actor(unit), letter=letter, reply=text, today=day)
        self.counts["replies"] += 1

    def ladder(self, day: datetime.date) -> None:
        """The daily job at dawn; the units answer many of the letters it issued."""
        supervision.supervise(as_of=day)
        chance = {LetterKind.REMINDER: 0.35, LetterKind.SUPERVISION: 0.6}
        for letter in SupervisionLetter.objects.filter(region=self.region, issued_on=day).select_related("to_unit"):
            if letter.kind in chance:
                self.reply_later(letter, day, chance[letter.kind])

    def read_inbox(self, day: datetime.date) -> None:
        """Users read their inbox on Monday morning (the week's last messages stay unread)."""
        for user in self.readers:
            notifications.mark_read(user)

    # ---- the year ----

    def run(self) -> dict:
        self.plan_meetings()
        self.plan_tasks()
        self.plan_problems()
        day = FIRST_MEETING
        while day <= PROGRESS_DAY:
            if self.cal.is_work(day.toordinal()):
                self.clock.set(day, 7 * 60 + 30)
                self.ladder(day)
                if day.weekday() == 0:
                    self.clock.set(day, 8 * 60 + 15)
                    self.read_inbox(day)
            while self.events and self.events[0][0] <= day:
                when, minute, _seq, run = heapq.heappop(self.events)
                assert when == day, f"an event for {when} came up on {day}"
                self.clock.set(when, minute)
                run()
            day += datetime.timedelta(days=1)
        return self.counts


def load_coordination_demo(region_code: str = ZONE, log=None, seed: int = SEED) -> dict:
    """Give the demo zone a year of coordination (see the module's docstring). Returns counts."""
    log = log or (lambda _msg: None)
    region = Region.objects.get(code=region_code)
    with transaction.atomic(), change_context(source=ChangeSource.CLI, label=LABEL), _clock() as clock:
        counts = Story(region, clock, seed).run()
    letters = SupervisionLetter.objects.filter(region=region).count()
    log(
        f"coordination: {counts['meetings']} meetings, {counts['tasks']} tasks, {counts['problems']} problems, "
        f"{letters} letters ({counts['replies']} answered), {FIRST_MEETING.isoformat()} to {PROGRESS_DAY.isoformat()}"
    )
    return {**counts, "letters": letters}
