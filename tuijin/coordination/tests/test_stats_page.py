"""The coordination statistics page: its headline numbers are `coordination_payload`'s (the CLI's and the API's),
every figure links to the list of exactly the rows it counts, and the figures follow the user's row scope."""

import html as htmllib
import re

import pytest
from django.urls import reverse

from tuijin.coordination import services
from tuijin.coordination.models import Meeting, Problem, Task
from tuijin.coordination.selectors import coordination_breakdown, coordination_payload
from tuijin.core.permissions import Action

from .helpers import D, new_problem, new_task

pytestmark = pytest.mark.django_db

WINDOW = {"from": "2023-01-01", "to": "2023-06-30"}


def _done(z, task, done, closed=None):
    dept = z["users"]["department"] if task.lead_unit == z["department"] else z["users"]["department2"]
    services.task_accept(user=dept, task=task)
    services.task_report_done(user=dept, task=task, text="完成", today=done)
    if closed:
        services.task_close(user=z["users"]["admin"], task=task, today=closed)


@pytest.fixture
def half(co):
    """The first half of 2023 in 经开区 (project a has leader 王明, b none) and one overdue task in 洛阳."""
    dept2, b = co["department2"], co["projects"]["b"]
    t = {}
    t["T1"] = new_task(co, assigned_on=D(2023, 1, 10), deadline=D(2023, 2, 10), content="T1 按期办结")
    _done(co, t["T1"], D(2023, 2, 8), D(2023, 2, 12))
    t["T2"] = new_task(co, assigned_on=D(2023, 2, 1), deadline=D(2023, 3, 1), content="T2 逾期办结", project=b)
    _done(co, t["T2"], D(2023, 3, 5), D(2023, 3, 7))
    t["T3"] = new_task(co, assigned_on=D(2023, 3, 1), deadline=D(2023, 4, 30), content="T3 逾期未办结")
    services.task_accept(user=co["users"]["department"], task=t["T3"])
    t["T4"] = new_task(co, assigned_on=D(2023, 4, 1), deadline=D(2023, 5, 31), content="T4 按期报结", lead=dept2)
    _done(co, t["T4"], D(2023, 5, 30))
    t["T5"] = new_task(co, assigned_on=D(2023, 5, 1), deadline=D(2023, 7, 31), content="T5 未到期", lead=dept2)
    t["T6"] = new_task(
        co, assigned_on=D(2023, 2, 1), deadline=D(2023, 3, 31), content="T6 逾期无项目", lead=dept2, project=None
    )
    t["T7"] = new_task(co, assigned_on=D(2022, 12, 15), deadline=D(2023, 1, 15), content="T7 窗口之前")
    t["T8"] = new_task(
        co,
        by="admin_out",
        lead=co["department_out"],
        project=co["projects"]["d"],
        assigned_on=D(2023, 3, 1),
        deadline=D(2023, 3, 31),
        content="T8 洛阳",
    )
    jk = co["regions"]["jingkai"]
    for day in (D(2023, 1, 9), D(2023, 1, 16), D(2023, 7, 3)):
        services.meeting_create(user=co["users"]["admin"], region=jk, date=day)
    office, dept, ent = co["users"]["admin"], co["users"]["department"], co["users"]["enterprise"]
    p = {}
    p["P1"] = new_problem(co, raised_on=D(2023, 1, 20))
    services.problem_assign(user=office, problem=p["P1"], unit=co["department"], deadline="2023-02-28")
    services.problem_solve(user=dept, problem=p["P1"], solution="已解决", today=D(2023, 2, 10))
    services.problem_confirm(user=ent, problem=p["P1"], rating=5)
    p["P2"] = new_problem(co, raised_on=D(2023, 3, 1), category="能耗")
    services.problem_escalate(user=office, problem=p["P2"], note="需市级统筹")
    p["P3"] = new_problem(co, by="admin", raised_on=D(2023, 4, 1), category="资金")
    p["P4"] = new_problem(co, raised_on=D(2023, 5, 1))
    services.problem_assign(user=office, problem=p["P4"], unit=co["department"], deadline="2023-06-30")
    services.problem_solve(user=dept, problem=p["P4"], solution="已摘牌", today=D(2023, 6, 10))
    p["P5"] = new_problem(co, raised_on=D(2022, 11, 1))
    co["t"], co["p"] = t, p
    return co


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _figure(html: str, name: str) -> str:
    m = re.search(rf'data-figure="{re.escape(name)}"[^>]*>(?:<a [^>]*>|<span [^>]*>)?([^<]+)<', html)
    assert m, name
    return m.group(1).strip()


def _payload(user, **kw):
    return coordination_payload(
        tasks=Task.objects.restrict(user, Action.VIEW),
        problems=Problem.objects.restrict(user, Action.VIEW),
        meetings=Meeting.objects.restrict(user, Action.VIEW),
        **kw,
    )


def _headline(html: str) -> dict:
    avg = _figure(html, "tasks.avg_days_to_close")
    return {
        "meetings": int(_figure(html, "meetings")),
        "tasks": {
            "assigned": int(_figure(html, "tasks.assigned")),
            "closed": int(_figure(html, "tasks.closed")),
            "closed_on_time": int(_figure(html, "tasks.closed_on_time")),
            "overdue": int(_figure(html, "tasks.overdue")),
            "avg_days_to_close": None if avg == "—" else float(avg),
        },
        "problems": {
            "raised": int(_figure(html, "problems.raised")),
            "solved": int(_figure(html, "problems.solved")),
            "open_by_level": {
                lv: int(_figure(html, f"problems.open_by_level.{lv}")) for lv in ("zone", "city", "province")
            },
        },
    }


@pytest.mark.parametrize("role", ["superuser", "admin", "leader", "department", "department2", "viewer"])
def test_headline_numbers_are_the_payloads(half, login, role):
    user = half["users"][role]
    html = _text(login(user).get(reverse("coordination:stats"), WINDOW))
    payload = _payload(user, date_from=D(2023, 1, 1), date_to=D(2023, 6, 30))
    assert _headline(html) == {k: payload[k] for k in ("meetings", "tasks", "problems")}
    # the per-unit rows are the payload's by_unit, in its order
    units = re.findall(r'<tr data-unit="(\d+)">.*?data-figure="assigned" data-value="(\d+)"', html)
    assert [int(n) for _, n in units] == [u["tasks_assigned"] for u in payload["by_unit"]]


def test_hand_counted_office_figures(half, login):
    html = _text(login(half["users"]["admin"]).get(reverse("coordination:stats"), WINDOW))
    # T1–T6 assigned in the window; T1, T2 closed (T1 on time); T3 and T6 overdue on 30 June
    assert _headline(html)["tasks"] == {
        "assigned": 6,
        "closed": 2,
        "closed_on_time": 1,
        "overdue": 2,
        "avg_days_to_close": 33.5,
    }
    assert _headline(html)["meetings"] == 2
    assert _headline(html)["problems"]["open_by_level"] == {"zone": 1, "city": 1, "province": 0}
    # P1 solved in 21 days, P4 in 40: 30.5 on average
    assert _figure(html, "problems.avg_days_to_solve") == "30.5"
    # 洛阳 is outside the office's region (look at the visible text: a CSRF token may contain "T8")
    visible = re.sub(r"<[^>]*>", " ", html)
    assert "T8 洛阳" not in visible and "洛阳高新区住建局" not in visible


def _shown(client, url: str) -> set[str]:
    """The task contents (T1 …) or problem pks a list page shows, with its count badge checked."""
    html = _text(client.get(htmllib.unescape(url)))
    tasks = re.findall(r'data-task="(\d+)"', html)
    if tasks or 'id="task-table"' in html:
        count = int(re.search(r'id="task-count">(\d+)<', html).group(1))
        assert count == len(tasks)
        return {Task.objects.get(pk=pk).content.split()[0] for pk in tasks}
    problems = re.findall(r'data-problem="(\d+)"', html)
    assert int(re.search(r'id="problem-count">(\d+)<', html).group(1)) == len(problems)
    return {f"#{pk}" for pk in problems}


def _cell_link(html: str, row_attr: str, figure: str) -> tuple[int, str]:
    """(value, href) of a figure's cell in the row tagged `row_attr` (e.g. data-unit="3")."""
    row = re.search(rf"<tr {re.escape(row_attr)}[^>]*>(.*?)</tr>", html).group(1)
    cell = re.search(rf'data-figure="{figure}" data-value="(\d+)">(?:<a href="([^"]+)")?', row)
    return int(cell.group(1)), cell.group(2)


def test_every_task_figure_links_to_exactly_its_tasks(half, login):
    client = login(half["users"]["admin"])
    html = _text(client.get(reverse("coordination:stats"), WINDOW))
    dept, dept2, leader = half["department"], half["department2"], half["leader"]
    expected = {
        (f'data-unit="{dept.pk}"', "assigned"): {"T1", "T2", "T3"},
        (f'data-unit="{dept.pk}"', "closed"): {"T1", "T2"},
        (f'data-unit="{dept.pk}"', "closed_on_time"): {"T1"},
        (f'data-unit="{dept.pk}"', "closed_late"): {"T2"},
        (f'data-unit="{dept.pk}"', "overdue"): {"T3"},
        (f'data-unit="{dept2.pk}"', "overdue"): {"T6"},
        (f'data-unit="{dept2.pk}"', "open"): {"T4", "T5"},
        (f'data-leader="{leader.pk}"', "assigned"): {"T1", "T3", "T4", "T5"},
        (f'data-leader="{leader.pk}"', "overdue"): {"T3"},
        ('data-leader="none"', "assigned"): {"T2", "T6"},
        ('data-leader="none"', "overdue"): {"T6"},
    }
    for (row, figure), tasks in expected.items():
        value, url = _cell_link(html, row, figure)
        assert value == len(tasks), (row, figure)
        assert _shown(client, url) == tasks, (row, figure)
    # the headline cards link the same way
    overdue = re.search(
        r'href="([^"]+)"><div class="card-body"> <div class="subheader">[^<]*</div> '
        r'<div class="tj-figure[^"]*" data-figure="tasks.overdue"',
        html,
    )
    assert _shown(client, overdue.group(1)) == {"T3", "T6"}


def test_problem_figures_link_to_exactly_their_problems(half, login):
    client = login(half["users"]["admin"])
    html = _text(client.get(reverse("coordination:stats"), WINDOW))
    p, cats = half["p"], half["categories"]
    land = cats["土地"].pk
    expected = {
        (f'data-category="{land}"', "raised"): {p["P1"], p["P4"]},
        (f'data-category="{land}"', "solved"): {p["P1"], p["P4"]},
        (f'data-category="{cats["资金"].pk}"', "unsolved"): {p["P3"]},
        ('data-level="city"', "unsolved"): {p["P2"]},
        ('data-level="zone"', "raised"): {p["P1"], p["P3"], p["P4"]},
        ('data-state="confirmed"', "count"): {p["P1"]},
        ('data-state="solved"', "count"): {p["P4"]},
    }
    for (row, figure), problems in expected.items():
        value, url = _cell_link(html, row, figure)
        assert value == len(problems), (row, figure)
        assert _shown(client, url) == {f"#{x.pk}" for x in problems}, (row, figure)


def test_the_breakdown_adds_up_to_the_payload(half):
    kw = {"date_from": D(2023, 1, 1), "date_to": D(2023, 6, 30), "region": half["regions"]["jingkai"]}
    payload = coordination_payload(
        tasks=Task.objects.all(), problems=Problem.objects.all(), meetings=Meeting.objects.all(), **kw
    )
    detail = coordination_breakdown(tasks=Task.objects.all(), problems=Problem.objects.all(), **kw)
    for rows in (detail["by_unit"], detail["by_leader"]):
        for f in ("assigned", "closed", "closed_on_time", "overdue"):
            assert sum(r[f] for r in rows) == payload["tasks"][f]
        for r in rows:
            assert r["closed_on_time"] + r["closed_late"] + r["overdue"] + r["open"] == r["assigned"]
    pd = detail["problems"]
    assert sum(c["raised"] for c in pd["by_category"]) == payload["problems"]["raised"]
    assert sum(s["count"] for s in pd["by_state"]) == payload["problems"]["raised"]
    assert {lv["level"]: lv["unsolved"] for lv in pd["by_level"]} == payload["problems"]["open_by_level"]
    assert [r["name"] for r in detail["by_leader"]] == ["王明", None]


def test_a_department_sees_its_own_units_figures(half, login):
    html = _text(login(half["users"]["department"]).get(reverse("coordination:stats"), WINDOW))
    assert re.findall(r'<tr data-unit="(\d+)"', html) == [str(half["department"].pk)]
    assert _headline(html)["tasks"]["assigned"] == 3


def test_an_enterprise_has_no_statistics_page(half, login):
    assert login(half["users"]["enterprise"]).get(reverse("coordination:stats")).status_code == 403


def test_region_filter_for_a_province_user(half, login):
    client = login(half["users"]["superuser"])
    html = _text(client.get(reverse("coordination:stats"), WINDOW))
    assert 'name="region"' in html and _headline(html)["tasks"]["assigned"] == 7  # with 洛阳's T8
    html = _text(client.get(reverse("coordination:stats"), {**WINDOW, "region": "410371"}))
    assert _headline(html)["tasks"] == {
        "assigned": 1,
        "closed": 0,
        "closed_on_time": 0,
        "overdue": 1,
        "avg_days_to_close": None,
    }
    value, url = _cell_link(html, f'data-unit="{half["department_out"].pk}"', "overdue")
    assert "region=410371" in url and _shown(client, url) == {"T8"}
    # a zone office has only its zone: no region choice
    html = _text(login(half["users"]["admin"]).get(reverse("coordination:stats"), WINDOW))
    assert 'name="region"' not in html


def test_quick_windows_and_a_bad_window(half, login):
    client = login(half["users"]["admin"])
    html = _text(client.get(reverse("coordination:stats")))
    for key in ("month", "quarter", "year", "last_year"):
        assert f'data-window="{key}"' in html
    assert re.search(r'class="btn btn-primary" href="[^"]+" data-window="year"', html)  # the default window
    html = _text(client.get(reverse("coordination:stats"), {"from": "2023-06-30", "to": "2023-01-01"}))
    assert 'id="stats-errors"' in html  # shown, and this year's figures instead
