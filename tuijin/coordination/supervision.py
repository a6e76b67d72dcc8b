"""The supervision ladder (督办: 提醒 → 催办 → 督办 → 通报) and its numbered letters (两函一单).

`supervise(as_of=…)` is run once a day (`tuijin supervise`, the daily job). For every open task (assigned,
accepted, in progress, sent back) and every unsolved problem that has a unit and a deadline it finds the highest
rung due under its zone's `SupervisionRule` and, when the item has not reached that rung yet for its current
deadline, takes it: a `SupervisionStep`, a letter where the rung calls for one, and inbox messages.

Choices made here, on purpose:
- The rule's offsets are **calendar days** around the deadline (提醒 3 days before, 催办 on the day, 督办 7 and
  通报 15 days after, by default): deadlines are calendar dates and "7 days overdue" is what a leader counts.
- The **working-day calendar** (schedule.calendar, with public holidays and 调休 working weekends) matters in two
  places: the office issues nothing on a day off (a run on a weekend or holiday does nothing; a rung that fell
  due meanwhile is taken on the next working day), and a letter's reply is due a number of *working* days after
  it is issued (`reply_working_days`, default 5).
- Rungs are not back-filled: an item first seen 10 days overdue gets 督办 at once, not 提醒 and 催办 as well.
- Letters: 催办 sends a 提醒函 (reminder letter), 督办 a 督办函; 提醒 and 通报 are messages only (通报 goes to the
  zone's leaders as well). 交办函 are issued by hand (`letter_issue`). Numbers run per zone, kind and year:
  项目督办〔2023〕012号.
- Idempotent: one step per item, rung and deadline (a database constraint), one message per user and step.
  An extended deadline starts the ladder afresh.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.changelog import build_record, bulk_records, snapshot
from tuijin.core.choices import ChangeAction
from tuijin.regions.models import Region
from tuijin.schedule.calendar import load_calendar

from .choices import (
    LADDER,
    PROBLEM_ACTIVE_STATES,
    TASK_ACTIVE_STATES,
    LetterKind,
    NotificationKind,
    SupervisionLevel,
)
from .models import Notification, Problem, SupervisionLetter, SupervisionRule, SupervisionStep, Task
from .notifications import leaders_of, notify, office_users, unit_users
from .services import in_unit, is_office

LETTER_FOR_LEVEL = {SupervisionLevel.URGE: LetterKind.REMINDER, SupervisionLevel.SUPERVISE: LetterKind.SUPERVISION}


def rules_for(region_ids) -> dict[int, SupervisionRule]:
    """Each region's rule: its own, else its nearest ancestor's, else the defaults (unsaved)."""
    regions = list(Region.objects.filter(pk__in=list(region_ids)).only("pk", "path", "code"))
    codes = {c for r in regions for c in r.path.strip("/").split("/")}
    rules = {r.region.code: r for r in SupervisionRule.objects.select_related("region").filter(region__code__in=codes)}
    out = {}
    for r in regions:
        chain = r.path.strip("/").split("/")[::-1]
        out[r.pk] = next((rules[c] for c in chain if c in rules), None) or SupervisionRule(region=r)
    return out


def due_level(rule: SupervisionRule, deadline: datetime.date, as_of: datetime.date) -> str | None:
    """The highest rung due on `as_of` for an item with this deadline (None: nothing yet)."""
    due = None
    for level in LADDER:
        if rule.due_on(level, deadline) <= as_of:
            due = level
    return due


@dataclass
class StepTaken:
    item: str  # "task" or "problem"
    pk: int
    label: str
    unit: str
    level: str
    deadline: datetime.date
    days_overdue: int
    letter: str = ""
    notified: int = 0

    def as_dict(self) -> dict:
        return {
            "item": self.item,
            "id": self.pk,
            "label": self.label,
            "unit": self.unit,
            "level": self.level,
            "deadline": self.deadline,
            "days_overdue": self.days_overdue,
            "letter": self.letter,
            "notified": self.notified,
        }


@dataclass
class SupervisionRun:
    as_of: datetime.date
    dry_run: bool
    working_day: bool
    steps: list[StepTaken] = field(default_factory=list)

    @property
    def letters(self) -> int:
        return sum(1 for s in self.steps if s.letter)

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of,
            "dry_run": self.dry_run,
            "working_day": self.working_day,
            "steps": [s.as_dict() for s in self.steps],
            "letters": self.letters,
        }


def _date_of(ordinal: int) -> datetime.date:
    return datetime.date.fromordinal(ordinal)


def reply_deadline(issued_on: datetime.date, working_days: int) -> datetime.date:
    """`working_days` working days after the issue date (the first working day on or after it counts as day 0)."""
    cal = load_calendar()
    start = cal.next_work(issued_on.toordinal())
    return _date_of(cal.add(start, working_days))


def _next_letter_number(region_id: int, kind: str, year: int) -> int:
    top = SupervisionLetter.objects.filter(region_id=region_id, kind=kind, year=year).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


def _issue(*, kind: str, region_id: int, to_unit_id: int, issued_on, reply_days: int, task=None, problem=None):
    Region.objects.select_for_update().filter(pk=region_id).first()  # one numberer per zone at a time
    letter = SupervisionLetter(
        region_id=region_id,
        kind=kind,
        year=issued_on.year,
        number=_next_letter_number(region_id, kind, issued_on.year),
        task=task,
        problem=problem,
        to_unit_id=to_unit_id,
        issued_on=issued_on,
        reply_deadline=reply_deadline(issued_on, reply_days),
    )
    letter.save()
    return letter


def _candidates(model, active_states, as_of: datetime.date, lookahead: int):
    """The open items whose deadline is near or past (a queryset: read as plain values first, so that a run that
    has nothing new to do never builds model objects)."""
    horizon = as_of + datetime.timedelta(days=lookahead)
    qs = model.objects.filter(state__in=active_states, deadline__isnull=False, deadline__lte=horizon)
    if model is Problem:
        qs = qs.filter(assigned_unit__isnull=False)
    return qs


def _load(model, ids) -> list:
    qs = model.objects.filter(pk__in=list(ids))
    if model is Problem:
        qs = qs.select_related("assigned_unit", "region", "raised_by", "category")
    else:
        qs = qs.select_related("lead_unit", "region", "assigner")
    return list(qs.order_by("deadline", "pk"))


def _reached(model, candidates) -> dict[tuple[int, datetime.date], int]:
    """(item id, deadline) → the highest rung already taken, for the candidate items."""
    key = "task_id" if model is Task else "problem_id"
    out: dict[tuple[int, datetime.date], int] = {}
    rows = SupervisionStep.objects.filter(**{f"{key}__in": candidates.values("pk")}).values_list(
        key, "deadline", "level"
    )
    for pk, deadline, level in rows:
        rank = LADDER.index(SupervisionLevel(level))
        out[(pk, deadline)] = max(out.get((pk, deadline), -1), rank)
    return out


class _Audience:
    """Who hears about a rung, looked up once per unit and region for the whole run (not once per step)."""

    def __init__(self) -> None:
        self._units: dict[int, list] = {}
        self._offices: dict[int, list] = {}
        self._leaders: dict[int, list] = {}

    def units(self, unit_id: int) -> list:
        if unit_id not in self._units:
            self._units[unit_id] = list(unit_users([unit_id]))
        return self._units[unit_id]

    def office(self, region) -> list:
        if region.pk not in self._offices:
            self._offices[region.pk] = list(office_users(region))
        return self._offices[region.pk]

    def leaders(self, region) -> list:
        if region.pk not in self._leaders:
            self._leaders[region.pk] = list(leaders_of(region))
        return self._leaders[region.pk]

    def for_step(self, level: str, obj) -> list:
        unit_id = obj.lead_unit_id if isinstance(obj, Task) else obj.assigned_unit_id
        people = list(self.units(unit_id))
        if level == SupervisionLevel.REMINDER:
            return people
        people += [obj.assigner] if isinstance(obj, Task) else self.office(obj.region)
        if level in (SupervisionLevel.SUPERVISE, SupervisionLevel.NOTICE):
            people += self.office(obj.region)
        if level == SupervisionLevel.NOTICE:
            people += self.leaders(obj.region)
        return people


def _title(level: str, obj, days: int) -> str:
    label = SupervisionLevel(level).label
    if days < 0:
        return _("%(level)s: due in %(n)s days — %(item)s") % {"level": label, "n": -days, "item": obj}
    if days == 0:
        return _("%(level)s: due today — %(item)s") % {"level": label, "item": obj}
    return _("%(level)s: %(n)s days overdue — %(item)s") % {"level": label, "n": days, "item": obj}


def _climb(obj, rule: SupervisionRule, level: str, as_of: datetime.date) -> tuple[SupervisionStep, StepTaken]:
    """The rung's step (unsaved: the run writes all steps at once) and its letter (saved: numbered now)."""
    is_task = isinstance(obj, Task)
    unit = obj.lead_unit if is_task else obj.assigned_unit
    days = (as_of - obj.deadline).days
    letter = None
    if level in LETTER_FOR_LEVEL:
        letter = _issue(
            kind=LETTER_FOR_LEVEL[level],
            region_id=obj.region_id,
            to_unit_id=unit.pk,
            issued_on=as_of,
            reply_days=rule.reply_working_days,
            task=obj if is_task else None,
            problem=None if is_task else obj,
        )
    step = SupervisionStep(
        task=obj if is_task else None,
        problem=None if is_task else obj,
        region=obj.region,
        unit=unit,
        level=level,
        deadline=obj.deadline,
        taken_on=as_of,
        days_overdue=days,
        letter=letter,
    )
    taken = StepTaken(
        item="task" if is_task else "problem",
        pk=obj.pk,
        label=str(obj),
        unit=str(unit),
        level=level,
        deadline=obj.deadline,
        days_overdue=days,
        letter=letter.code if letter else "",
    )
    return step, taken


def _write(climbed: list[tuple[object, SupervisionStep, StepTaken]], audience: _Audience) -> None:
    """Insert the run's steps, their change records and their inbox messages in three statements."""
    steps = SupervisionStep.objects.bulk_create([step for _obj, step, _t in climbed], batch_size=500)
    bulk_records([build_record(s, ChangeAction.CREATE, None, s._clean_snapshot(snapshot(s))) for s in steps])
    messages = []
    for (obj, _step, taken), step in zip(climbed, steps, strict=True):
        people = {u.pk: u for u in audience.for_step(step.level, obj) if u is not None}
        taken.notified = len(people)
        title = _title(step.level, obj, taken.days_overdue)[:200]
        url = f"/coordination/{'tasks' if isinstance(obj, Task) else 'problems'}/{obj.pk}/"
        key = f"step:{step.pk}"
        messages += [
            Notification(
                user_id=pk, kind=NotificationKind.SUPERVISION, key=key, title=title, body=taken.letter, url=url
            )
            for pk in people
        ]
    Notification.objects.bulk_create(messages, batch_size=1000, ignore_conflicts=True)


def supervise(*, as_of: datetime.date | None = None, dry_run: bool = False) -> SupervisionRun:
    """Run the ladder once for `as_of` (default today). `dry_run`: work out and report every step, letter number
    and message exactly, then roll it all back."""
    as_of = as_of or timezone.localdate()
    cal = load_calendar()
    run = SupervisionRun(as_of=as_of, dry_run=dry_run, working_day=cal.is_work(as_of.toordinal()))
    if not run.working_day:
        return run
    lookahead = max([3, *SupervisionRule.objects.values_list("reminder_days_before", flat=True)])
    climbed = []
    with transaction.atomic():
        for model, states in ((Task, TASK_ACTIVE_STATES), (Problem, PROBLEM_ACTIVE_STATES)):
            candidates = _candidates(model, states, as_of, lookahead)
            rows = list(candidates.values_list("pk", "region_id", "deadline"))
            rules = rules_for({region_id for _pk, region_id, _d in rows})
            reached = _reached(model, candidates)
            due = {}
            for pk, region_id, deadline in rows:
                level = due_level(rules[region_id], deadline, as_of)
                if level is not None and reached.get((pk, deadline), -1) < LADDER.index(level):
                    due[pk] = level
            for obj in _load(model, due):
                climbed.append((obj, *_climb(obj, rules[obj.region_id], due[obj.pk], as_of)))
        _write(climbed, _Audience())
        run.steps = [taken for _obj, _step, taken in climbed]
        if dry_run:
            transaction.set_rollback(True)
    return run


# ---- letters by hand, and replies ----


@transaction.atomic
def letter_issue(
    *, user, kind: str, task: Task | None = None, problem: Problem | None = None, issued_on=None
) -> SupervisionLetter:
    """The office issues a letter by hand (a 交办函 for a new task, or a 提醒函/督办函 off the ladder's days)."""
    obj = task or problem
    if obj is None or (task is not None and problem is not None):
        raise ValidationError({"__all__": _("A letter concerns one task or one problem.")})
    if not is_office(user, obj):
        raise PermissionDenied(_("Only the project office issues letters."))
    unit_id = task.lead_unit_id if task is not None else problem.assigned_unit_id
    if unit_id is None:
        raise ValidationError({"problem": _("Route the problem to a unit first.")})
    issued_on = issued_on or timezone.localdate()
    rule = rules_for([obj.region_id])[obj.region_id]
    letter = _issue(
        kind=kind,
        region_id=obj.region_id,
        to_unit_id=unit_id,
        issued_on=issued_on,
        reply_days=rule.reply_working_days,
        task=task,
        problem=problem,
    )
    notify(
        unit_users([unit_id]),
        kind=NotificationKind.SUPERVISION,
        key=f"letter:{letter.pk}",
        title=_("%(letter)s: reply by %(date)s") % {"letter": letter.code, "date": letter.reply_deadline},
        body=str(obj),
    )
    return letter


@transaction.atomic
def letter_reply(*, user, letter: SupervisionLetter, reply: str, today: datetime.date | None = None):
    """The addressed unit (or the office) records its reply to a letter."""
    fresh = SupervisionLetter.objects.select_for_update().get(pk=letter.pk)
    if not (in_unit(user, fresh.to_unit_id) or is_office(user, fresh)):
        raise PermissionDenied(_("Only the unit the letter is addressed to may reply."))
    if fresh.replied_on is not None:
        raise ValidationError({"reply": _("This letter has been answered already.")})
    text = (reply or "").strip()
    if not text:
        raise ValidationError({"reply": _("Write the reply.")})
    fresh.reply = text
    fresh.replied_on = today or timezone.localdate()
    fresh.replied_by = user
    fresh.save()
    letter.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_state")})
    return letter
