"""Word documents in the usual government layout (GB/T 9704, 党政机关公文格式): meeting minutes (会议纪要) and
supervision letters (交办函, 提醒函, 督办函).

    minutes_docx(meeting) -> bytes   minutes_filename(meeting) -> "郑州经开区重点项目建设周例会纪要〔2023〕第12期.docx"
    letter_docx(letter) -> bytes     letter_filename(letter)   -> "项目督办〔2023〕012号督办函.docx"

The documents are official Chinese papers, so their wording is Chinese whatever the user's language (like the
letter numbers in `LetterKind.word`). Layout: A4; margins top 37 mm, bottom 35, left 28, right 26; title in
方正小标宋简体 二号 (22 pt), body in 仿宋_GB2312 三号 (16 pt) at a fixed 28.95 pt line (22 lines a page), first-level
headings in 黑体, second-level in 楷体_GB2312; page numbers "— 1 —" in 宋体 四号. Every run and style names its
East Asian font (`w:eastAsia`) and language (zh-CN) — without them Word and LibreOffice pick a Latin or Japanese
font for the Chinese. The font table gives each GB font a fallback that ships with Windows (仿宋, 黑体, 楷体), and on
Linux fontconfig substitutes any installed Chinese font (WenQuanYi Micro Hei here).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tuijin.accounts.choices import OrganizationKind
from tuijin.accounts.models import Organization

from .choices import Attendance, LetterKind, MeetingKind, OutcomeKind
from .models import Meeting, SupervisionLetter

# ---- fonts and sizes ----

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# Word substitutes w:altName when a font is missing; the GB fonts are often not installed on newer machines.
FALLBACKS = {TITLE_FONT: "黑体", BODY_FONT: "仿宋", SUBHEADING_FONT: "楷体", HEADING_FONT: "SimHei"}

SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
LINE = Pt(28.95)  # 22 lines in the 225 mm text block
INDENT = Pt(32)  # two characters of 三号

MEETING_WORD = {MeetingKind.WEEKLY: "周例会", MeetingKind.SPECIAL: "专题会议", MeetingKind.ONSITE: "现场办公会"}
LETTER_WORD = {LetterKind.ASSIGNMENT: "交办函", LetterKind.REMINDER: "提醒函", LetterKind.SUPERVISION: "督办函"}
ATTENDANCE_WORD = {
    Attendance.PRESENT: "出席",
    Attendance.DEPUTY: "委托出席",
    Attendance.EXCUSED: "请假",
    Attendance.ABSENT: "缺席",
}
NUMERALS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (enough for any agenda)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")


def cn_date(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


# ---- low-level helpers ----


def _set_fonts(rpr, east_asia: str, size=None, bold: bool | None = None) -> None:
    """Name the fonts for every script on a run or style (w:rFonts) and the zh-CN language."""
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:cs"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


# w:pPr children that come after w:pBdr (ECMA-376 CT_PPrBase): Word refuses a document whose order is wrong.
_AFTER_PBDR = (
    *("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct"),
    *("w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind"),
    *("w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment"),
    *("w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
)


def _add_border(ppr, border) -> None:
    ppr.insert_element_before(border, *_AFTER_PBDR)


class _Writer:
    def __init__(self) -> None:
        self.doc = Document()
        self._setup()

    def _setup(self) -> None:
        doc = self.doc
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance, section.footer_distance = Mm(15), Mm(25)
        styles = doc.styles
        # Defaults for everything, so that table cells, headers and new paragraphs are Chinese too.
        defaults = doc.styles.element.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr_default, BODY_FONT)
        for style in styles:
            if style.type == WD_STYLE_TYPE.PARAGRAPH:  # paragraph styles: all of them, the built-in headings included
                _set_fonts(style.element.get_or_add_rPr(), BODY_FONT)
        normal = styles["Normal"]
        normal.font.size = SIZE_3
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
        fmt.widow_control = False
        self._font_table()
        self._page_numbers(section)

    def _font_table(self) -> None:
        """Declare the GB fonts (GB2312 charset) with a fallback Word uses where they are not installed."""
        part = next((r.target_part for r in self.doc.part.rels.values() if r.reltype.endswith("/fontTable")), None)
        if part is None:
            return
        from lxml import etree

        root = etree.fromstring(part.blob)
        for name in (TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_NUMBER_FONT):
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            if name in FALLBACKS:
                etree.SubElement(font, qn("w:altName")).set(qn("w:val"), FALLBACKS[name])
            etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")
            etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern" if name == HEADING_FONT else "roman")
            etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_numbers(self, section) -> None:
        """GB/T 9704: "— 1 —" in 四号, odd pages right, even pages left; one centred number is the common
        simplification for short papers."""
        footer = section.footer
        p = footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.run(p, "— ", PAGE_NUMBER_FONT, SIZE_4)
        run = self.run(p, "", PAGE_NUMBER_FONT, SIZE_4)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            elif text == "1":
                el = OxmlElement("w:t")
                el.text = text
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)
        self.run(p, " —", PAGE_NUMBER_FONT, SIZE_4)

    def run(self, paragraph, text: str, font: str = BODY_FONT, size=SIZE_3, bold: bool = False):
        run = paragraph.add_run(text)
        run.font.size = size
        run.font.bold = bold or None
        _set_fonts(run._r.get_or_add_rPr(), font)
        return run

    def para(
        self,
        *parts: tuple[str, str] | str,
        align=None,
        indent: bool = True,
        size=SIZE_3,
        line=LINE,
        before=0,
        after=0,
    ):
        """A paragraph of runs; each part is text (body font) or (text, font)."""
        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        if align is not None:
            p.alignment = align
        fmt.first_line_indent = INDENT if indent and align is None else None
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        for part in parts:
            text, font = (part, BODY_FONT) if isinstance(part, str) else part
            if text:
                self.run(p, text, font, size)
        return p

    def title(self, text: str) -> None:
        """二号小标宋, centred, with a blank 三号 line above and below (GB/T 9704 7.3.3)."""
        self.para(
            (text, TITLE_FONT), align=WD_ALIGN_PARAGRAPH.CENTER, size=SIZE_2, line=Pt(36), before=LINE.pt, after=0
        )

    def rule(self, space_after: float = 12) -> None:
        """A full-width line under the header block (black: the red 版头 belongs to printed originals)."""
        p = self.para("", indent=False, line=Pt(8), after=space_after)
        ppr = p._p.get_or_add_pPr()
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for k, v in {"w:val": "single", "w:sz": "8", "w:space": "1", "w:color": "000000"}.items():
            bottom.set(qn(k), v)
        border.append(bottom)
        _add_border(ppr, border)

    def split_line(self, left: str, right: str) -> None:
        """Left text and right text on one line (a right tab at the text block's edge)."""
        p = self.para(left, indent=False)
        width = self.doc.sections[0].page_width - Mm(28) - Mm(26)
        p.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        self.run(p, "\t" + right)

    def signature(self, unit: str, day: datetime.date) -> None:
        """Issuing unit and date at the right, four characters from the edge (GB/T 9704 7.3.5)."""
        for n, text in enumerate((unit, cn_date(day))):
            p = self.para(text, align=WD_ALIGN_PARAGRAPH.RIGHT, before=LINE.pt if n == 0 else 0)
            p.paragraph_format.right_indent = Pt(64)
            p.paragraph_format.keep_with_next = n == 0

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def issuing_unit(region) -> str:
    """The zone's project office (its first office organisation), else a name made from the zone's."""
    office = Organization.objects.filter(region=region, kind=OrganizationKind.OFFICE).order_by("pk").first()
    return office.name if office else f"{region.name}重点项目建设办公室"


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
    w.para("", indent=False)
    p = w.para("", indent=False, size=SIZE_4)
    p.paragraph_format.left_indent = Pt(14)
    p.paragraph_format.right_indent = Pt(14)
    width = w.doc.sections[0].page_width - Mm(28) - Mm(26) - Pt(28)
    p.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    w.run(p, unit, size=SIZE_4)
    w.run(p, f"\t{cn_date(day)}印发", size=SIZE_4)
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    for side in ("top", "bottom"):
        el = OxmlElement(f"w:{side}")
        for k, v in {"w:val": "single", "w:sz": "8", "w:space": "4", "w:color": "000000"}.items():
            el.set(qn(k), v)
        border.append(el)
    _add_border(ppr, border)


# ---- letters (交办函, 提醒函, 督办函) ----


def letter_filename(letter: SupervisionLetter) -> str:
    """项目督办〔2023〕012号督办函.docx"""
    return _safe(f"{letter.code}{LETTER_WORD[letter.kind]}.docx")


def _safe(name: str) -> str:
    return "".join("_" if c in '\\/:*?"<>|' else c for c in name)


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
