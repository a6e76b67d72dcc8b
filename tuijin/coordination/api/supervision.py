"""Supervision (督办): the board of overdue tasks and problems by unit and by leader (the same selector and grouping
as the board page), the ladder trail of a task or a problem, and the numbered letters (两函一单) — list, detail,
the addressed unit's reply, and the letter as .docx."""

from __future__ import annotations

import datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from tuijin.core.api_auth import require, visible_or_404
from tuijin.core.permissions import Action

from ..choices import LADDER
from ..documents import letter_docx, letter_filename
from ..models import Problem, SupervisionLetter, SupervisionStep, Task
from ..selectors import attach_ladder_steps, overdue_groups, supervision_board
from ..supervision import letter_reply
from ..views.common import problems_for, tasks_for
from .common import DOCX_OPENAPI, MAX_PAGE_SIZE, UnitOut, docx_response, paged

LetterKindLit = Literal["assignment", "reminder", "supervision"]
RungLit = Literal["reminder", "urge", "supervise", "notice"]


# ---- schemas ----


class LetterOut(Schema):
    id: int
    code: str = Field(..., description="项目督办〔2023〕012号")
    kind: LetterKindLit
    year: int
    number: int
    region: str = Field(..., description="region code")
    to_unit: UnitOut
    task: int | None
    problem: int | None
    subject: str = Field(..., description="the task or problem it concerns")
    rung: RungLit | None = Field(..., description="the ladder rung that issued it (None: issued by hand)")
    issued_on: datetime.date
    reply_deadline: datetime.date
    replied: bool
    reply: str
    replied_on: datetime.date | None
    replied_by: str
    late: bool = Field(..., description="not answered and past the reply deadline, today")


class LetterPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[LetterOut]


class LetterQuery(Schema):
    kind: LetterKindLit | None = None
    year: int | None = None
    replied: bool | None = Field(None, description="false: still waiting for the unit's reply")
    unit: int | None = Field(None, description="addressed unit id")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class ReplyIn(Schema):
    reply: str


class LetterBrief(Schema):
    id: int
    code: str
    kind: LetterKindLit
    reply_deadline: datetime.date
    replied_on: datetime.date | None


class StepOut(Schema):
    id: int
    level: RungLit
    deadline: datetime.date = Field(..., description="the item's deadline when the rung was taken")
    taken_on: datetime.date
    days_overdue: int = Field(..., description="negative: days left before the deadline")
    unit: UnitOut | None
    letter: LetterBrief | None


class BoardStep(Schema):
    level: RungLit
    taken_on: datetime.date
    letter: str = Field(..., description="the letter's number ('' when the rung sends none)")


class LeaderOut(Schema):
    id: int
    name: str


class BoardRow(Schema):
    item: Literal["task", "problem"]
    id: int
    label: str
    unit: UnitOut | None
    leader: LeaderOut | None = Field(..., description="the project's leader in charge")
    deadline: datetime.date
    days_overdue: int
    step: BoardStep | None = Field(..., description="the highest ladder rung taken")


class BoardGroup(Schema):
    name: str
    count: int
    tasks: int
    problems: int
    max_days: int = Field(..., description="the most days overdue in the group")
    levels: dict[str, int] = Field(..., description="items per highest rung taken")


class LadderCount(Schema):
    level: RungLit
    label: str
    count: int


class BoardOut(Schema):
    as_of: datetime.date
    total: int = Field(..., description="overdue items the caller may see (before the level filter)")
    ladder: list[LadderCount]
    items: list[BoardRow] = Field(..., description="most overdue first")
    by_unit: list[BoardGroup]
    by_leader: list[BoardGroup]


class BoardQuery(Schema):
    level: RungLit | None = Field(None, description="only the items whose highest rung is this one")


# ---- helpers ----


def _letters(user):
    return SupervisionLetter.objects.restrict(user, Action.VIEW).select_related(
        "region", "to_unit", "task", "problem", "replied_by", "step"
    )


def _letter_out(letter: SupervisionLetter, today: datetime.date) -> dict:
    obj = letter.task if letter.task_id else letter.problem
    step = getattr(letter, "step", None)
    return {
        "id": letter.pk,
        "code": letter.code,
        "kind": letter.kind,
        "year": letter.year,
        "number": letter.number,
        "region": letter.region.code,
        "to_unit": {"id": letter.to_unit_id, "name": letter.to_unit.name},
        "task": letter.task_id,
        "problem": letter.problem_id,
        "subject": str(obj),
        "rung": step.level if step else None,
        "issued_on": letter.issued_on,
        "reply_deadline": letter.reply_deadline,
        "replied": letter.replied_on is not None,
        "reply": letter.reply,
        "replied_on": letter.replied_on,
        "replied_by": str(letter.replied_by) if letter.replied_by_id else "",
        "late": letter.replied_on is None and letter.reply_deadline < today,
    }


def _step_out(s: SupervisionStep) -> dict:
    letter = s.letter
    return {
        "id": s.pk,
        "level": s.level,
        "deadline": s.deadline,
        "taken_on": s.taken_on,
        "days_overdue": s.days_overdue,
        "unit": {"id": s.unit_id, "name": s.unit.name} if s.unit_id else None,
        "letter": {
            "id": letter.pk,
            "code": letter.code,
            "kind": letter.kind,
            "reply_deadline": letter.reply_deadline,
            "replied_on": letter.replied_on,
        }
        if letter
        else None,
    }


def _trail(obj) -> list[dict]:
    """The ladder trail of a task or problem the caller sees, oldest first (as on its page)."""
    return [_step_out(s) for s in obj.supervision.select_related("letter", "unit").order_by("taken_on", "id")]


def _board_row(r: dict) -> dict:
    obj, step = r["obj"], r["step"]
    return {
        "item": r["item"],
        "id": obj.pk,
        "label": str(obj),
        "unit": {"id": r["unit"].pk, "name": r["unit"].name} if r["unit"] else None,
        "leader": {"id": r["leader"].pk, "name": r["leader"].name} if r["leader"] else None,
        "deadline": obj.deadline,
        "days_overdue": r["days"],
        "step": {"level": step.level, "taken_on": step.taken_on, "letter": step.letter.code if step.letter else ""}
        if step
        else None,
    }


def register(router: Router) -> None:
    """Add the supervision board, ladder trail and letter endpoints to the coordination router."""

    @router.get("/coordination/supervision", response=BoardOut, summary="Supervision board")
    def board(request, params: Query[BoardQuery]):
        """Every overdue open task and unsolved problem the caller may see, with its unit, the project's leader,
        days overdue and the highest ladder rung taken; grouped by unit and by leader. The same figures as the
        supervision board page (an enterprise, which sees no tasks, is refused as there)."""
        user = request.auth
        require(user, Action.VIEW, Task)
        today = timezone.localdate()
        rows = supervision_board(tasks_for(user), problems_for(user), today)
        attach_ladder_steps(rows)
        shown = [r for r in rows if not params.level or (r["step"] and r["step"].level == params.level)]
        return {
            "as_of": today,
            "total": len(rows),
            "ladder": [
                {
                    "level": lvl.value,
                    "label": str(lvl.label),
                    "count": sum(1 for r in rows if r["step"] and r["step"].level == lvl),
                }
                for lvl in LADDER
            ],
            "items": [_board_row(r) for r in shown],
            **overdue_groups(rows),
        }

    @router.get("/coordination/tasks/{int:task_id}/steps", response=list[StepOut], summary="A task's ladder trail")
    def task_steps(request, task_id: int):
        """The supervision rungs taken for the task (提醒, 催办, 督办, 通报), with the letter each one issued."""
        return _trail(visible_or_404(Task.objects.all(), request.auth, pk=task_id))

    @router.get(
        "/coordination/problems/{int:problem_id}/steps", response=list[StepOut], summary="A problem's ladder trail"
    )
    def problem_steps(request, problem_id: int):
        """The supervision rungs taken for the problem, with the letter each one issued."""
        return _trail(visible_or_404(Problem.objects.all(), request.auth, pk=problem_id))

    @router.get("/coordination/letters", response=LetterPage, summary="List letters")
    def letter_list(request, params: Query[LetterQuery]):
        """The letters (交办函, 提醒函, 督办函) the caller may see (a department: those addressed to its unit),
        latest first."""
        qs = _letters(request.auth)
        if params.kind:
            qs = qs.filter(kind=params.kind)
        if params.year is not None:
            qs = qs.filter(year=params.year)
        if params.replied is not None:
            qs = qs.filter(replied_on__isnull=not params.replied)
        if params.unit is not None:
            qs = qs.filter(to_unit_id=params.unit)
        today = timezone.localdate()
        return paged(qs.order_by("-issued_on", "-pk"), params, lambda x: _letter_out(x, today))

    @router.get("/coordination/letters/{int:letter_id}", response=LetterOut, summary="Get a letter")
    def letter_detail(request, letter_id: int):
        """One 交办函/提醒函/督办函 with its number, addressee, reply deadline and the reply when recorded."""
        return _letter_out(visible_or_404(_letters(request.auth), request.auth, pk=letter_id), timezone.localdate())

    @router.post("/coordination/letters/{int:letter_id}/reply", response=LetterOut, summary="Record the reply")
    def letter_reply_add(request, letter_id: int, payload: ReplyIn):
        """The unit the letter is addressed to (or the project office) records its reply, once."""
        letter = visible_or_404(SupervisionLetter.objects.all(), request.auth, pk=letter_id)
        letter_reply(user=request.auth, letter=letter, reply=payload.reply)
        return _letter_out(_letters(request.auth).get(pk=letter_id), timezone.localdate())

    @router.get(
        "/coordination/letters/{int:letter_id}/letter.docx",
        summary="Download the letter (.docx)",
        openapi_extra=DOCX_OPENAPI,
    )
    def letter_download(request, letter_id: int):
        """The letter as a Word file, the same document as the letters page's download."""
        letter = visible_or_404(SupervisionLetter.objects.all(), request.auth, pk=letter_id)
        fallback = f"letter-{letter.kind}-{letter.year}-{letter.number:03d}.docx"
        return docx_response(letter_docx(letter), letter_filename(letter), fallback)
