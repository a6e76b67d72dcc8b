"""Coordination in a real browser: a department on a 390 px phone opens its to-do list, accepts a task and reports
progress; the office (1440 px) closes a task reported done, and looks at the meeting page and the supervision board.
Every page fits a phone without sideways scrolling. Screenshots: coordination-*.png (and -phone)."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import sign_in
from tuijin.coordination import services
from tuijin.coordination.choices import TaskState
from tuijin.coordination.models import Task
from tuijin.coordination.supervision import supervise
from tuijin.coordination.tests.helpers import coordination_zone
from tuijin.core.testing import PASSWORD

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def co_data(zone, settings, tmp_path):
    """A meeting with attendees, items and outcomes; tasks in every state (some overdue and supervised); problems."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    z = coordination_zone(zone)
    office, dept, ent = z["users"]["admin"], z["users"]["department"], z["users"]["enterprise"]
    a, b, c = z["projects"]["a"], z["projects"]["b"], z["projects"]["c"]
    meeting = services.meeting_create(
        user=office,
        region=z["regions"]["jingkai"],
        date=TODAY - 14 * DAY,
        place="管委会三楼第一会议室",
        chair="王明（管委会副主任）",
    )
    for name, org, att in [
        ("王明", None, "present"),
        ("李华", z["department"], "present"),
        ("赵刚", z["department2"], "deputy"),
        ("", z["enterprises"]["a"], "present"),
        ("孙丽", z["enterprises"]["b"], "excused"),
    ]:
        services.attendee_add(user=office, meeting=meeting, name=name, organization=org, attendance=att)
    i1 = services.agenda_item_add(user=office, meeting=meeting, project=a, topic="施工许可办理进度", presenter="发改局")
    i2 = services.agenda_item_add(user=office, meeting=meeting, project=b, topic="供电线路迁改", presenter="企业")
    i3 = services.agenda_item_add(user=office, meeting=meeting, topic="四季度投资冲刺安排", presenter="项目办")
    services.outcome_add(user=office, item=i1, kind="information", text="已完成消防审查，正在办理施工许可。")
    services.outcome_add(user=office, item=i2, kind="decision", text="由发改局牵头，11月底前完成线路迁改方案。")
    services.outcome_add(user=office, item=i3, kind="decision", text="各单位每周五报送投资进度。")
    services.agenda_item_carry_over(user=office, item=i2)

    def task(content, days, item=None, project=a, lead=None, coop=()):
        return services.task_create(
            user=office,
            content=content,
            lead_unit=lead or z["department"],
            cooperating_units=list(coop),
            deadline=TODAY + days * DAY,
            assigned_on=TODAY - 40 * DAY,
            project=project,
            source="meeting" if item else "ad_hoc",
            source_item=item,
            responsible_person="李华",
        )

    t1 = task("协调办理施工许可证，确保本月开工", -18, i1, coop=[z["department2"]])
    t2 = task("完成供电线路迁改方案并报审", -9, i2, project=b)
    task("督促企业补齐环评批复材料", -2, i1)
    t4 = task("协调解决施工用水临时接入", 3, i2, project=b)
    t5 = task("核实四季度投资进度数据", 6, i3, project=c)
    task("办理规划许可变更", -12, project=c, lead=z["department2"])
    services.task_accept(user=dept, task=t1)
    services.task_progress(user=dept, task=t1, text="已受理申请，等待图审合格书。")
    services.task_accept(user=dept, task=t5)
    services.task_report_done(user=dept, task=t5, text="已核实，数据与月报一致。")
    services.task_accept(user=dept, task=t2)
    services.task_request_extension(user=dept, task=t2, new_deadline=TODAY + 20 * DAY, reason="等待供电公司批复")
    p1 = services.problem_raise(
        user=ent,
        category=z["categories"]["水电气暖"],
        description="施工用电需增容，供电公司排期较晚",
        project=a,
        raised_on=TODAY - 30 * DAY,
    )
    services.problem_assign(user=office, problem=p1, unit=z["department"], deadline=TODAY - 5 * DAY)
    p2 = services.problem_raise(user=ent, category=z["categories"]["土地"], description="二期用地尚未摘牌", project=a)
    services.problem_assign(user=office, problem=p2, unit=z["department2"], deadline=TODAY + 10 * DAY)
    services.problem_escalate(user=office, problem=p2, note="需市自然资源局协调指标")
    supervise(as_of=TODAY)
    return {"z": z, "meeting": meeting, "t1": t1, "t4": t4, "t5": t5, "p1": p1}


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 2


def test_department_on_a_phone_and_the_office_on_a_desktop(co_data, page_for, shots):
    d = co_data
    phone = page_for(390, 844)
    sign_in(phone, "dept_jk", PASSWORD)
    phone.goto("/coordination/")
    assert phone.locator("[data-kind=task]").count() >= 4
    _fits(phone, 390)
    phone.screenshot(path=str(shots / "coordination-home-phone.png"), full_page=True)

    t4 = d["t4"]
    phone.goto(f"/coordination/tasks/{t4.pk}/")
    phone.click("#step-accept button[type=submit]")
    phone.wait_for_selector("#step-progress")
    phone.fill("#step-progress textarea[name=text]", "已对接自来水公司，本周内接通。")
    phone.click("#step-progress button[type=submit]")
    phone.wait_for_selector("text=已对接自来水公司")
    t4.refresh_from_db()
    assert t4.state == TaskState.IN_PROGRESS
    _fits(phone, 390)
    phone.screenshot(path=str(shots / "coordination-task-phone.png"), full_page=True)
    for url, name in [
        (f"/coordination/meetings/{d['meeting'].pk}/", "meeting"),
        ("/coordination/supervision/", "board"),
        ("/coordination/problems/", "problems"),
        (f"/coordination/problems/{d['p1'].pk}/", "problem"),
        ("/coordination/inbox/", "inbox"),
        ("/", "dashboard"),
    ]:
        phone.goto(url)
        _fits(phone, 390)
        phone.screenshot(path=str(shots / f"coordination-{name}-phone.png"), full_page=True)

    desk = page_for(1440, 900)
    sign_in(desk, "office_jk", PASSWORD)
    t5 = d["t5"]
    desk.goto(f"/coordination/tasks/{t5.pk}/")
    desk.fill("#step-close textarea[name=opinion]", "材料齐全，同意销号。")
    desk.click("#step-close button[type=submit]:not([formaction])")
    desk.wait_for_selector("#task-state[data-state=closed]")
    assert Task.objects.get(pk=t5.pk).state == TaskState.CLOSED
    for url, name in [
        (f"/coordination/meetings/{d['meeting'].pk}/", "meeting"),
        ("/coordination/supervision/", "board"),
        ("/coordination/", "home"),
        ("/coordination/tasks/", "tasks"),
        (f"/coordination/tasks/{d['t1'].pk}/", "task"),
        ("/coordination/problems/", "problems"),
        (f"/coordination/problems/{d['p1'].pk}/", "problem"),
        ("/coordination/meetings/", "meetings"),
        ("/coordination/letters/", "letters"),
        ("/coordination/inbox/", "inbox"),
    ]:
        desk.goto(url)
        _fits(desk, 1440)
        desk.screenshot(path=str(shots / f"coordination-{name}.png"), full_page=True)
