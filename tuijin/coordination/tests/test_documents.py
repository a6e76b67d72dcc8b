"""Minutes (会议纪要) and supervision letters as .docx, read back with python-docx the way a clerk would read them."""

import io

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx.oxml.ns import qn
from docx.shared import Pt

from tuijin.coordination import services
from tuijin.coordination.choices import Attendance, LetterKind, OutcomeKind, TaskSource
from tuijin.coordination.documents import (
    cn_number,
    letter_docx,
    letter_filename,
    minutes_docx,
    minutes_filename,
)
from tuijin.coordination.supervision import letter_issue, supervise

from .helpers import D, new_problem, new_task, state

pytestmark = pytest.mark.django_db


def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def text_of(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def assert_chinese_layout(doc) -> None:
    """A4, GB/T 9704 margins, and every run (body and footer) names an East Asian font and zh-CN."""
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    runs = [r for p in [*doc.paragraphs, *section.footer.paragraphs] for r in p.runs]
    assert runs
    for run in runs:
        fonts = run._r.rPr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")), run.text
        assert run._r.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    normal = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"


def a_meeting(co, *, items: int = 2, number: int = 12):
    office = co["users"]["admin"]
    jk = co["regions"]["jingkai"]
    m = services.meeting_create(
        user=office, region=jk, date=D(2023, 3, 20), number=number, chair="王明", place="管委会三楼会议室"
    )
    services.attendee_add(user=office, meeting=m, organization=co["department"], name="李强")
    services.attendee_add(user=office, meeting=m, organization=co["department2"], attendance=Attendance.DEPUTY)
    services.attendee_add(user=office, meeting=m, name="赵六", attendance=Attendance.ABSENT)
    a = services.agenda_item_add(user=office, meeting=m, project=co["projects"]["a"], presenter="张工")
    services.outcome_add(user=office, item=a, kind=OutcomeKind.INFORMATION, text="项目主体结构已封顶")
    services.outcome_add(user=office, item=a, kind=OutcomeKind.DECISION, text="同意调整二期建设时序")
    new_task(
        co,
        content="协调办理二期施工许可证",
        coop=[co["department2"]],
        deadline=D(2023, 3, 31),
        assigned_on=D(2023, 3, 20),
        responsible_person="刘洋",
        source=TaskSource.MEETING,
        source_item=a,
    )
    b = services.agenda_item_add(user=office, meeting=m, topic="园区供电线路迁改", presenter="供电所")
    services.agenda_item_carry_over(user=office, item=b)
    for n in range(3, items + 1):
        item = services.agenda_item_add(user=office, meeting=m, project=co["projects"]["b"], topic=f"第{n}项")
        services.outcome_add(user=office, item=item, kind=OutcomeKind.DECISION, text=f"议定事项{n}")
        new_task(co, content=f"落实事项{n}", deadline=D(2023, 4, n % 28 + 1), assigned_on=D(2023, 3, 20))
    return m


def test_minutes_carry_title_number_items_tasks_and_attendance(co):
    m = a_meeting(co)
    before = state()
    doc = read(minutes_docx(m))
    assert state() == before  # generating a document writes nothing
    lines = text_of(doc)
    assert lines[0] == "郑州经开区重点项目建设周例会纪要"
    assert lines[1] == "〔2023〕第12期"
    assert lines[2] == "经开区重点项目办\t2023年3月20日"
    body = "\n".join(lines)
    assert "2023年3月20日，王明在管委会三楼会议室主持召开郑州经开区重点项目建设周例会" in body
    assert "一、新能源汽车零部件项目（汇报人：张工）" in lines
    assert "（一）会议听取：项目主体结构已封顶。" in lines
    assert "（二）会议议定：同意调整二期建设时序。" in lines
    assert (
        "（三）交办事项：协调办理二期施工许可证。牵头单位：经开区发展改革局；配合单位：经开区自然资源和规划局；"
        "责任人：刘洋；完成时限：2023年3月31日。"
    ) in lines
    assert "二、园区供电线路迁改（汇报人：供电所）" in lines
    assert lines[lines.index("二、园区供电线路迁改（汇报人：供电所）") + 1] == "该事项转下次会议继续研究。"
    assert "三、转下次会议研究事项" in lines and "1. 园区供电线路迁改（汇报人：供电所）" in lines
    assert "出席：经开区发展改革局（李强）" in lines
    assert "委托出席：经开区自然资源和规划局" in lines
    assert "缺席：赵六" in lines
    assert lines[-1] == "经开区重点项目办\t2023年3月20日印发"
    assert_chinese_layout(doc)
    title_run = doc.paragraphs[0].runs[0]
    assert title_run.font.size == Pt(22)
    assert title_run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体"
    assert doc.paragraphs[5].runs[0].font.size == Pt(16)
    assert minutes_filename(m) == "郑州经开区重点项目建设周例会纪要〔2023〕第12期.docx"


def test_minutes_of_a_twenty_item_meeting_number_every_section(co):
    m = a_meeting(co, items=20)
    lines = text_of(read(minutes_docx(m)))
    headings = [line for line in lines if "、" in line[:4] and line[: line.index("、")] in map(cn_number, range(1, 22))]
    assert [h.split("、")[0] for h in headings] == [cn_number(n) for n in range(1, 22)]  # 20 items + the backlog
    assert headings[19] == "二十、智能装备产业园（第20项）"
    assert sum("会议议定：议定事项" in line for line in lines) == 18


def test_minutes_take_the_same_queries_for_2_or_20_items(co, django_assert_max_num_queries):
    small = a_meeting(co)
    with CaptureQueriesContext(connection) as two:
        minutes_docx(small)
    big = a_meeting(co, items=20, number=13)
    with django_assert_max_num_queries(len(two)):
        minutes_docx(big)


def test_a_meeting_with_no_items_still_makes_a_valid_document(co):
    m = services.meeting_create(
        user=co["users"]["admin"], region=co["regions"]["jingkai"], date=D(2023, 5, 8), title="专项调度会"
    )
    doc = read(minutes_docx(m))
    lines = text_of(doc)
    assert lines[0] == "专项调度会纪要" and lines[1] == "〔2023〕第1期"
    assert "2023年5月8日，召开郑州经开区重点项目建设周例会。本次会议无议定事项。" in lines
    assert not any(line.startswith("一、") for line in lines)
    assert_chinese_layout(doc)
    assert minutes_filename(m) == "专项调度会纪要〔2023〕第1期.docx"


def test_supervision_letter_for_an_overdue_task(co):
    task = new_task(co, coop=[co["department2"]], deadline=D(2023, 3, 31), responsible_person="刘洋")
    supervise(as_of=D(2023, 4, 7))  # 7 days overdue: a 督办函
    letter = task.letters.get()
    doc = read(letter_docx(letter))
    lines = text_of(doc)
    assert lines[0] == "郑州经开区重点项目建设督办函"
    assert lines[1] == "项目督办〔2023〕001号"
    assert "经开区发展改革局：" in lines
    assert "你单位承办的以下交办事项已超过办理时限7天，至今尚未办结。现予督办。" in lines
    for line in (
        "一、事项内容：协调办理施工许可证。",
        "二、所属项目：新能源汽车零部件项目",
        "三、配合单位：经开区自然资源和规划局",
        "四、责任人：刘洋",
        "五、交办日期：2023年3月1日",
        "六、办理时限：2023年3月31日",
        "七、逾期天数：截至2023年4月7日已逾期7天",
    ):
        assert line in lines
    demand = next(line for line in lines if line.startswith("请你单位"))
    assert f"于{letter.reply_deadline.year}年{letter.reply_deadline.month}月{letter.reply_deadline.day}日前" in demand
    assert "书面报送经开区重点项目办" in demand
    assert lines[-3:] == ["特此函告。", "经开区重点项目办", "2023年4月7日"]
    assert_chinese_layout(doc)
    assert letter_filename(letter) == "项目督办〔2023〕001号督办函.docx"


def test_assignment_letter_and_a_letter_about_a_problem(co):
    task = new_task(co)
    letter = letter_issue(user=co["users"]["admin"], kind=LetterKind.ASSIGNMENT, task=task, issued_on=D(2023, 3, 1))
    lines = text_of(read(letter_docx(letter)))
    assert lines[:2] == ["郑州经开区重点项目建设交办函", "项目交办〔2023〕001号"]
    assert any(
        line.startswith("根据郑州经开区重点项目建设工作安排，现将以下交办事项交你单位牵头办理") for line in lines
    )
    assert not any("逾期" in line for line in lines)
    assert "于2023年3月8日前将办理情况书面报送经开区重点项目办" in "".join(lines)
    assert letter_filename(letter) == "项目交办〔2023〕001号交办函.docx"

    problem = new_problem(co)
    problem.assigned_unit, problem.deadline = co["department2"], D(2023, 3, 10)
    problem.save()
    letter = letter_issue(
        user=co["users"]["admin"], kind=LetterKind.REMINDER, problem=problem, issued_on=D(2023, 3, 13)
    )
    doc = read(letter_docx(letter))
    lines = text_of(doc)
    assert lines[:2] == ["郑州经开区重点项目建设提醒函", "项目提醒〔2023〕001号"]
    assert "经开区自然资源和规划局：" in lines
    assert "你单位承办的以下问题已超过办理时限3天，至今尚未办结。现予提醒。" in lines
    for line in (
        "一、问题描述：项目用地尚未摘牌，影响开工。",
        "三、问题类别：土地",
        "四、提出单位：河南甲汽车有限公司",
    ):
        assert line in lines
    assert "七、办理时限：2023年3月10日" in lines and "八、逾期天数：截至2023年3月13日已逾期3天" in lines
    assert_chinese_layout(doc)


def test_chinese_numerals():
    assert [cn_number(n) for n in (1, 9, 10, 11, 20, 21, 35)] == ["一", "九", "十", "十一", "二十", "二十一", "三十五"]


# ECMA-376 child order of w:pPr and w:rPr: Word reports "unreadable content" when it is broken.
_PPR = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
)
_RPR = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs em "
    "lang eastAsianLayout specVanish oMath"
)
PPR_ORDER, RPR_ORDER = _PPR.split(), _RPR.split()


def test_documents_keep_the_element_order_word_requires(co):
    task = new_task(co)
    letter = letter_issue(user=co["users"]["admin"], kind=LetterKind.ASSIGNMENT, task=task, issued_on=D(2023, 3, 1))
    for data in (minutes_docx(a_meeting(co)), letter_docx(letter)):
        doc = read(data)
        roots = [doc.element, doc.styles.element, doc.sections[0].footer._element]
        for root in roots:
            for tag, order in (("pPr", PPR_ORDER), ("rPr", RPR_ORDER)):
                for el in root.iter(qn(f"w:{tag}")):
                    names = [child.tag.split("}")[1] for child in el]
                    assert names == sorted(names, key=order.index), names
        font_table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
        assert "仿宋_GB2312".encode() in font_table.blob and 'w:altName w:val="仿宋"'.encode() in font_table.blob
