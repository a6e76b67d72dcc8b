"""Word documents in the usual government layout (GB/T 9704, 党政机关公文格式): meeting minutes (会议纪要) and
supervision letters (交办函, 提醒函, 督办函).

    minutes_docx(meeting) -> bytes   minutes_filename(meeting) -> "郑州经开区重点项目建设周例会纪要〔2023〕第12期.docx"
    letter_docx(letter) -> bytes     letter_filename(letter)   -> "项目督办〔2023〕012号督办函.docx"

The documents are official Chinese papers, so their wording is Chinese whatever the user's language (like the
letter numbers in `LetterKind.word`). The layout (GB/T 9704: A4, margins, 小标宋/仿宋/黑体/楷体, `w:eastAsia` on every
run, page numbers) and the writer live in tuijin/core/docx.py, shared with the briefings.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from tuijin.core.docx import (  # noqa: F401 - the layout's names stay importable from here
    BODY_FONT,
    HEADING_FONT,
    INDENT,
    LINE,
    SIZE_2,
    SIZE_3,
    SIZE_4,
    SUBHEADING_FONT,
    TITLE_FONT,
    cn_date,
    cn_number,
    issuing_unit,
)
from tuijin.core.docx import Writer as _Writer
from tuijin.core.docx import safe_filename as _safe

from .choices import Attendance, LetterKind, MeetingKind, OutcomeKind
from .models import Meeting, SupervisionLetter

MEETING_WORD = {MeetingKind.WEEKLY: "周例会", MeetingKind.SPECIAL: "专题会议", MeetingKind.ONSITE: "现场办公会"}
LETTER_WORD = {LetterKind.ASSIGNMENT: "交办函", LetterKind.REMINDER: "提醒函", LetterKind.SUPERVISION: "督办函"}
ATTENDANCE_WORD = {
    Attendance.PRESENT: "出席",
    Attendance.DEPUTY: "委托出席",
    Attendance.EXCUSED: "请假",
    Attendance.ABSENT: "缺席",
}


def _units(units: Iterable) -> str:
    return "、".join(u.name for u in units)


# ---- minutes (会议纪要) ----


def minutes_title(meeting: Meeting) -> str:
    if meeting.title:
        return meeting.title if meeting.title.endswith("纪要") else f"{meeting.title}纪要"
    return f"{meeting.region.name}重点项目建设{MEETING_WORD.get(meeting.kind, '会议')}纪要"


def minutes_filename(meeting: Meeting) -> str:
    """郑州经开区重点项目建设周例会纪要〔2023〕第12期.docx"""
    return _safe(f"{minutes_title(meeting)}{meeting.number_label}.docx")


def _load_meeting(meeting: Meeting) -> Meeting:
    from django.db.models import Prefetch

    from .models import AgendaItem, MeetingAttendee, Outcome, Task

    tasks = Task.objects.select_related("lead_unit").prefetch_related("cooperating_units")
    return (
        Meeting.objects.select_related("region")
        .prefetch_related(
            Prefetch("attendees", MeetingAttendee.objects.select_related("organization")),
            Prefetch(
                "items",
                AgendaItem.objects.select_related("project", "carried_from__meeting").prefetch_related(
                    Prefetch("outcomes", Outcome.objects.prefetch_related(Prefetch("task", tasks))),
                    Prefetch("tasks", tasks),
                ),
            ),
        )
        .get(pk=meeting.pk)
    )


def _task_line(task) -> str:
    line = f"牵头单位：{task.lead_unit.name}"
    coop = _units(task.cooperating_units.all())
    if coop:
        line += f"；配合单位：{coop}"
    if task.responsible_person:
        line += f"；责任人：{task.responsible_person}"
    return line + f"；完成时限：{cn_date(task.deadline)}。"


def _end(text: str) -> str:
    text = text.strip()
    return text if text.endswith(("。", "！", "？", "；", "：", ".")) else text + "。"


def _item_heading(item) -> str:
    name = item.project.name if item.project_id else item.topic
    if item.project_id and item.topic:
        name = f"{name}（{item.topic}）"
    return name


def minutes_docx(meeting: Meeting) -> bytes:
    """The minutes of a meeting as a .docx: title, number, issuing unit and date, the opening paragraph, one section
    per agenda item (一、二、…) with its information, decisions and tasks (lead unit, cooperating units, deadline),
    the items carried over to the next meeting, and the attendance by unit."""
    meeting = _load_meeting(meeting)
    region = meeting.region
    unit = issuing_unit(region)
    w = _Writer()
    w.title(minutes_title(meeting))
    w.para(meeting.number_label, align=WD_ALIGN_PARAGRAPH.CENTER, before=0)
    w.split_line(unit, cn_date(meeting.date))
    w.rule()

    items = list(meeting.items.all())
    kind_word = MEETING_WORD.get(meeting.kind, "会议")
    opening = f"{cn_date(meeting.date)}，{meeting.chair}" + (f"在{meeting.place}" if meeting.place else "")
    opening += f"{'主持' if meeting.chair else ''}召开{region.name}重点项目建设{kind_word}"
    if items:
        opening += f"，听取{len(items)}个项目和事项的推进情况汇报，研究解决存在的问题。现将会议议定事项纪要如下："
    else:
        opening += "。本次会议无议定事项。"
    w.para(opening)

    for n, item in enumerate(items, start=1):
        heading = f"{cn_number(n)}、{_item_heading(item)}"
        p = w.para((heading, HEADING_FONT))
        p.paragraph_format.keep_with_next = True
        if item.presenter:
            w.run(p, f"（汇报人：{item.presenter}）")
        if item.carried_from_id:
            prev = item.carried_from.meeting
            w.para(f"（{prev.number_label}转入事项）", indent=True)
        outcomes = list(item.outcomes.all())
        task_ids = {o.task_id for o in outcomes if o.task_id}
        lines: list[tuple[str, str]] = []
        for o in outcomes:
            if o.kind == OutcomeKind.INFORMATION:
                lines.append(("会议听取：", _end(o.text)))
            elif o.kind == OutcomeKind.DECISION:
                lines.append(("会议议定：", _end(o.text)))
            elif o.task is not None:
                lines.append(("交办事项：", _end(o.task.content) + _task_line(o.task)))
            else:
                lines.append(("交办事项：", _end(o.text)))
        for task in item.tasks.all():  # tasks from this item whose outcome row was removed
            if task.pk not in task_ids:
                lines.append(("交办事项：", _end(task.content) + _task_line(task)))
        if not lines and not item.carried_over:
            lines.append(("", "会议听取了汇报，未形成议定事项。"))
        for k, (label, text) in enumerate(lines, start=1):
            prefix = f"（{cn_number(k)}）" if len(lines) > 1 else ""
            w.para((prefix + label, SUBHEADING_FONT), text)
        if item.carried_over:
            w.para(("", BODY_FONT), "该事项转下次会议继续研究。")

    carried = [item for item in items if item.carried_over]
    if carried:
        n = len(items) + 1
        w.para((f"{cn_number(n)}、转下次会议研究事项", HEADING_FONT)).paragraph_format.keep_with_next = True
        for k, item in enumerate(carried, start=1):
            w.para(f"{k}. {_item_heading(item)}" + (f"（汇报人：{item.presenter}）" if item.presenter else ""))

    attendees = list(meeting.attendees.all())
    if attendees:
        w.para("", indent=False)
        for value, word in ATTENDANCE_WORD.items():
            names = [_attendee(a) for a in attendees if a.attendance == value]
            if names:
                p = w.para((f"{word}：", HEADING_FONT), "、".join(names), indent=False)
                p.paragraph_format.left_indent = Pt(16 * (len(word) + 1))
                p.paragraph_format.first_line_indent = -Pt(16 * (len(word) + 1))
    _imprint(w, unit, meeting.date)
    return w.save()


def _attendee(a) -> str:
    """经开区发展改革局（李强）, or the unit or the name alone."""
    if a.organization_id and a.name:
        return f"{a.organization.name}（{a.name}）"
    return a.organization.name if a.organization_id else a.name


def _imprint(w: _Writer, unit: str, day: datetime.date) -> None:
    """The 版记 at the foot: a rule, the issuing unit and the date of printing, a rule."""
    w.imprint(unit, day)


# ---- letters (交办函, 提醒函, 督办函) ----


def letter_filename(letter: SupervisionLetter) -> str:
    """项目督办〔2023〕012号督办函.docx"""
    return _safe(f"{letter.code}{LETTER_WORD[letter.kind]}.docx")


def _matter(letter: SupervisionLetter) -> tuple[str, list[tuple[str, str]], datetime.date | None, int]:
    """(what kind of item, labelled lines, deadline, days overdue on the day of issue)."""
    lines: list[tuple[str, str]] = []
    if letter.task_id:
        task = letter.task
        deadline = task.deadline
        overdue = task.days_overdue(letter.issued_on)
        lines.append(("事项内容", _end(task.content)))
        if task.project_id:
            lines.append(("所属项目", task.project.name))
        coop = _units(task.cooperating_units.all())
        if coop:
            lines.append(("配合单位", coop))
        if task.responsible_person:
            lines.append(("责任人", task.responsible_person))
        lines.append(("交办日期", cn_date(task.assigned_on)))
        return "交办事项", lines, deadline, overdue
    problem = letter.problem
    deadline = problem.deadline
    overdue = max((letter.issued_on - deadline).days, 0) if deadline else 0
    lines.append(("问题描述", _end(problem.description)))
    if problem.project_id:
        lines.append(("所属项目", problem.project.name))
    lines.append(("问题类别", problem.category.name))
    if problem.raised_by_org_id:
        lines.append(("提出单位", problem.raised_by_org.name))
    lines.append(("提出日期", cn_date(problem.raised_on)))
    if problem.assigned_unit_id:
        lines.append(("责任单位", problem.assigned_unit.name))
    return "问题", lines, deadline, overdue


def letter_docx(letter: SupervisionLetter) -> bytes:
    """A supervision letter as a .docx: title, number, addressee, the matter (content, project, units, deadline,
    days overdue), what is asked and the reply deadline, issuing unit and date."""
    letter = (
        SupervisionLetter.objects.select_related(
            "region",
            "to_unit",
            "task__project",
            "task__lead_unit",
            "problem__project",
            "problem__category",
            "problem__raised_by_org",
            "problem__assigned_unit",
        )
        .prefetch_related("task__cooperating_units")
        .get(pk=letter.pk)
    )
    kind = LetterKind(letter.kind)
    word = LETTER_WORD[kind]
    unit = issuing_unit(letter.region)
    what, lines, deadline, overdue = _matter(letter)

    w = _Writer()
    w.title(f"{letter.region.name}重点项目建设{word}")
    w.para(letter.code, align=WD_ALIGN_PARAGRAPH.CENTER)
    w.rule(space_after=0)
    w.para(f"{letter.to_unit.name}：", indent=False, before=LINE.pt / 2)

    if kind == LetterKind.ASSIGNMENT:
        intro = f"根据{letter.region.name}重点项目建设工作安排，现将以下{what}交你单位牵头办理，请按要求抓好落实。"
    elif overdue > 0:
        intro = f"你单位承办的以下{what}已超过办理时限{overdue}天，至今尚未办结。"
        intro += "现予督办。" if kind == LetterKind.SUPERVISION else "现予提醒。"
    else:
        intro = f"你单位承办的以下{what}已到办理时限，至今尚未办结，现予提醒。"
    w.para(intro)

    numbered = [*lines, ("办理时限", cn_date(deadline) or "未定")]
    if overdue > 0:
        numbered.append(("逾期天数", f"截至{cn_date(letter.issued_on)}已逾期{overdue}天"))
    for n, (label, text) in enumerate(numbered, start=1):
        w.para((f"{cn_number(n)}、{label}：", HEADING_FONT), text)

    if kind == LetterKind.ASSIGNMENT:
        demand = "请你单位明确责任人，按时限要求办结，"
    elif kind == LetterKind.SUPERVISION:
        demand = "请你单位高度重视，主要负责同志亲自过问，制定整改措施，限期办结，"
    else:
        demand = "请你单位抓紧办理，"
    demand += f"并于{cn_date(letter.reply_deadline)}前将办理情况书面报送{unit}。"
    if kind == LetterKind.SUPERVISION:
        demand += "逾期仍未办结的，将予以通报。"
    w.para(demand)
    w.para("特此函告。").paragraph_format.keep_with_next = True
    w.signature(unit, letter.issued_on)
    return w.save()


__all__ = ["letter_docx", "letter_filename", "minutes_docx", "minutes_filename"]
