"""Schedules in a real browser: the project's wall chart, moving the target (倒排工期), the portfolio chart and the
warning board, at 1440 px and on a 390 px phone. Screenshots: gantt-project(-phone).png,
gantt-portfolio(-phone).png, warning-board(-phone).png."""

import datetime
import random

import pytest
from django.utils import timezone

from tests.browser.conftest import sign_in
from tuijin.core.testing import PASSWORD
from tuijin.core.testing import project as make_project
from tuijin.schedule import services
from tuijin.schedule.defaults import install_calendar, install_templates
from tuijin.schedule.models import CalendarDay, NodeTemplate, ProjectNode, TemplateDependency, TemplateNode

TODAY = timezone.localdate()
NAMES = [
    "氢能装备产业园",
    "锂电池隔膜生产线",
    "智能网联汽车零部件",
    "高端轴承制造基地",
    "光伏组件智能工厂",
    "生物医药中试基地",
    "新型显示材料项目",
    "工业机器人整机制造",
    "数据中心二期",
    "冷链物流园",
    "航空零部件精密加工",
    "半导体封装测试基地",
]


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def _node(project, name):
    return ProjectNode.objects.get(project=project, name=name)


def _scheduled(zone, name, signed_ago, done, target_in, enterprise="b"):
    """A project signed `signed_ago` days ago with its first `done` nodes finished in turn."""
    p = make_project(
        name,
        zone["regions"]["jingkai"],
        zone["enterprises"][enterprise],
        "30000",
        leader=zone["leader"] if len(name) % 2 else None,
        signed_on=days(-signed_ago),
        industry="装备制造",
    )
    services.checklist_create(project=p)
    nodes = list(ProjectNode.objects.filter(project=p).order_by("order"))
    day = -signed_ago
    for n in nodes[1 : 1 + done]:
        if n.name in ("能评", "水保"):
            continue
        start, finish = days(day), days(min(-1, day + max(1, (n.duration or 1) // 2)))
        if finish < start:
            break
        services.node_report(node=n, actual_start=start, actual_finish=finish if n.milestone == "" else None)
        day = (finish - TODAY).days + 1
    services.node_change(node=_node(p, "施工许可"), responsible_unit=zone["department"])
    services.target_set(project=p, node="投产", date=days(target_in))
    return p


@pytest.fixture
def wall(zone):
    # A live-server test flushes the database after it, migration data included: put the shipped templates and
    # the holiday calendar back first.
    install_templates(NodeTemplate, TemplateNode, TemplateDependency)
    install_calendar(CalendarDay)
    random.seed(4)
    main = _scheduled(zone, "储能电池项目", 40, 1, 620)
    services.baseline_create(project=main, name="年初排定")
    others = [
        _scheduled(zone, name, random.randint(30, 200), random.randint(0, 6), random.choice([330, 420, 520, 700]))
        for name in NAMES
    ]
    return main, others


def _drawn(page):
    page.wait_for_selector("body[data-gantt-drawn='1']")


@pytest.mark.browser
def test_move_the_target_and_see_latest_dates_and_warnings_change(zone, wall, page_for, shots):
    main, _others = wall
    page = page_for(1440, 1000)
    sign_in(page, "office_jk", PASSWORD)
    page.goto(f"/schedule/projects/{main.pk}/")
    _drawn(page)
    assert page.get_attribute("#feasibility", "data-feasible") == "1"
    cell = "tr[data-node='施工许可'] td.tj-latest"
    before = page.get_attribute(cell, "data-latest-finish")
    assert before
    assert page.inner_text("#red-count") == "0"
    page.screenshot(path=str(shots / "gantt-project.png"), full_page=True)

    # The office pulls the target in by a year: the latest dates move earlier and nodes go red.
    page.fill("#target-form input[name=date]", days(250).isoformat())
    page.click("#target-form button[type=submit]")
    page.wait_for_selector("#feasibility[data-feasible='0']")
    _drawn(page)
    after = page.get_attribute(cell, "data-latest-finish")
    assert after < before
    assert int(page.inner_text("#red-count")) > 0
    assert "→" in page.inner_text("#feasibility")
    page.screenshot(path=str(shots / "gantt-project-late.png"), full_page=True)

    phone = page_for(390, 844)
    sign_in(phone, "office_jk", PASSWORD)
    phone.goto(f"/schedule/projects/{main.pk}/")
    _drawn(phone)
    assert phone.locator(".tj-node-list .list-group-item").count() == 19
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    phone.screenshot(path=str(shots / "gantt-project-phone.png"), full_page=True)


@pytest.mark.browser
def test_portfolio_chart_and_warning_board(zone, wall, page_for, shots):
    page = page_for(1440, 1000)
    sign_in(page, "office_jk", PASSWORD)
    page.goto("/schedule/portfolio/")
    _drawn(page)
    assert page.locator("#portfolio-gantt canvas").count() >= 1
    page.screenshot(path=str(shots / "gantt-portfolio.png"), full_page=True)
    page.goto("/schedule/portfolio/?group=leader")
    _drawn(page)

    page.goto("/schedule/warnings/")
    red = int(page.inner_text("#board-red"))
    yellow = int(page.inner_text("#board-yellow"))
    assert red + yellow > 0
    assert page.locator(".tj-board-group").count() >= 1
    page.screenshot(path=str(shots / "warning-board.png"), full_page=True)

    phone = page_for(390, 844)
    sign_in(phone, "office_jk", PASSWORD)
    phone.goto("/schedule/portfolio/")
    _drawn(phone)
    phone.screenshot(path=str(shots / "gantt-portfolio-phone.png"), full_page=True)
    phone.goto("/schedule/warnings/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    phone.screenshot(path=str(shots / "warning-board-phone.png"), full_page=True)
