"""`tuijin stats coordination` and its selector against hand-counted data."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tuijin.coordination import services
from tuijin.coordination.models import Meeting, Problem, Task
from tuijin.coordination.selectors import coordination_payload

from .helpers import D, new_problem, new_task

pytestmark = pytest.mark.django_db


def _done(z, task, done, closed=None):
    dept = z["users"]["department"] if task.lead_unit == z["department"] else z["users"]["department2"]
    services.task_accept(user=dept, task=task)
    services.task_report_done(user=dept, task=task, text="完成", today=done)
    if closed:
        services.task_close(user=z["users"]["admin"], task=task, today=closed)


@pytest.fixture
def year(co):
    """The first half of 2023 in 经开区, and a little of 洛阳 (see the counts in each test)."""
    dept2 = co["department2"]
    t1 = new_task(co, assigned_on=D(2023, 1, 10), deadline=D(2023, 2, 10), content="T1")
    _done(co, t1, D(2023, 2, 8), D(2023, 2, 12))  # closed on time, 33 days
    t2 = new_task(co, assigned_on=D(2023, 2, 1), deadline=D(2023, 3, 1), content="T2")
    _done(co, t2, D(2023, 3, 5), D(2023, 3, 7))  # closed late, 34 days
    t3 = new_task(co, assigned_on=D(2023, 3, 1), deadline=D(2023, 4, 30), content="T3")
    services.task_accept(user=co["users"]["department"], task=t3)  # open, overdue on 30 June
    t4 = new_task(co, assigned_on=D(2023, 4, 1), deadline=D(2023, 5, 31), content="T4", lead=dept2)
    _done(co, t4, D(2023, 5, 30))  # done in time, waiting for the assigner: not overdue
    new_task(co, assigned_on=D(2023, 5, 1), deadline=D(2023, 7, 31), content="T5", lead=dept2)  # not due yet
    t6 = new_task(co, assigned_on=D(2023, 6, 1), deadline=D(2023, 6, 20), content="T6", lead=dept2)
    _done(co, t6, D(2023, 6, 19), D(2023, 7, 5))  # closed after the window: not closed by 30 June, not overdue
    new_task(co, assigned_on=D(2022, 12, 15), deadline=D(2023, 1, 15), content="T7")  # assigned before the window
    new_task(
        co,
        by="admin_out",
        lead=co["department_out"],
        project=co["projects"]["d"],
        assigned_on=D(2023, 3, 1),
        deadline=D(2023, 3, 31),
        content="T8 洛阳",
    )  # overdue, in 洛阳
    jk, ly = co["regions"]["jingkai"], co["regions"]["luoyang_gx"]
    for day in (D(2023, 1, 9), D(2023, 1, 16), D(2023, 7, 3)):
        services.meeting_create(user=co["users"]["admin"], region=jk, date=day)
    services.meeting_create(user=co["users"]["admin_out"], region=ly, date=D(2023, 2, 1))
    office, dept, ent = co["users"]["admin"], co["users"]["department"], co["users"]["enterprise"]
    p1 = new_problem(co, raised_on=D(2023, 1, 20))
    services.problem_assign(user=office, problem=p1, unit=co["department"], deadline="2023-02-28")
    services.problem_solve(user=dept, problem=p1, solution="已解决", today=D(2023, 2, 10))
    services.problem_confirm(user=ent, problem=p1, rating=5)  # solved
    p2 = new_problem(co, raised_on=D(2023, 3, 1), category="能耗")
    services.problem_escalate(user=office, problem=p2, note="需市级统筹")  # open, city level
    new_problem(co, by="admin", raised_on=D(2023, 4, 1), category="资金")  # open, zone level
    p4 = new_problem(co, raised_on=D(2023, 5, 1), category="水电气暖")
    services.problem_assign(user=office, problem=p4, unit=co["department"], deadline="2023-06-30")
    services.problem_solve(user=dept, problem=p4, solution="已通电", today=D(2023, 7, 10))  # solved after the window
    new_problem(co, raised_on=D(2022, 11, 1))  # raised before the window
    new_problem(co, by="enterprise_out", project=co["projects"]["d"], raised_on=D(2023, 3, 1))  # 洛阳, open
    return co


ZONE = {
    "meetings": 2,
    "tasks": {"assigned": 6, "closed": 2, "closed_on_time": 1, "overdue": 1, "avg_days_to_close": 33.5},
    "problems": {"raised": 4, "solved": 1, "open_by_level": {"zone": 2, "city": 1, "province": 0}},
    "by_unit": [
        {"unit": "经开区发展改革局", "tasks_assigned": 3, "tasks_closed_on_time": 1, "overdue": 1},
        {"unit": "经开区自然资源和规划局", "tasks_assigned": 3, "tasks_closed_on_time": 0, "overdue": 0},
    ],
}


def payload(**kw):
    return coordination_payload(
        tasks=Task.objects.all(), problems=Problem.objects.all(), meetings=Meeting.objects.all(), **kw
    )


def test_zone_half_year_hand_counted(year):
    got = payload(date_from=D(2023, 1, 1), date_to=D(2023, 6, 30), region=year["regions"]["jingkai"])
    assert got == ZONE


def test_the_whole_province_adds_luoyang(year):
    got = payload(date_from=D(2023, 1, 1), date_to=D(2023, 6, 30))
    assert got["meetings"] == 3
    assert got["tasks"] == {"assigned": 7, "closed": 2, "closed_on_time": 1, "overdue": 2, "avg_days_to_close": 33.5}
    assert got["problems"] == {"raised": 5, "solved": 1, "open_by_level": {"zone": 3, "city": 1, "province": 0}}
    assert [u["unit"] for u in got["by_unit"]] == ["经开区发展改革局", "洛阳高新区住建局", "经开区自然资源和规划局"]


def test_no_window_and_a_later_end_date(year):
    """Without --from everything assigned so far counts; with a later --to, T6 closed and p4 solved count too."""
    got = payload(date_to=D(2023, 7, 31), region=year["regions"]["jingkai"], today=D(2023, 7, 31))
    # T1–T7: T7 (deadline 15 Jan) and T3 overdue; T6 now closed on time (done 19 June, deadline 20 June)
    assert got["tasks"] == {"assigned": 7, "closed": 3, "closed_on_time": 2, "overdue": 2, "avg_days_to_close": 33.7}
    assert got["problems"] == {"raised": 5, "solved": 2, "open_by_level": {"zone": 2, "city": 1, "province": 0}}
    assert got["meetings"] == 3


def test_nothing_yet_gives_zeros_and_null_average(co):
    got = payload(date_from=D(2023, 1, 1), date_to=D(2023, 6, 30))
    assert got == {
        "meetings": 0,
        "tasks": {"assigned": 0, "closed": 0, "closed_on_time": 0, "overdue": 0, "avg_days_to_close": None},
        "problems": {"raised": 0, "solved": 0, "open_by_level": {"zone": 0, "city": 0, "province": 0}},
        "by_unit": [],
    }


def cli(*args) -> str:
    out = io.StringIO()
    call_command(*map(str, args), "--lang", "en", stdout=out)
    return out.getvalue()


def test_cli_json_is_the_contract(year, capsys):
    cli("stats", "coordination", "--from", "2023-01-01", "--to", "2023-06-30", "--region", "410171", "--json")
    assert json.loads(capsys.readouterr().out) == ZONE
    table = cli("stats", "coordination", "--from", "2023-01-01", "--to", "2023-06-30", "--region", "410171")
    assert "Meetings held: 2" in table and "6 assigned, 2 closed, 1 on time, 1 overdue" in table
    assert "open: zone 2, city 1, province 0" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2023-13-01"], "Not a date"),
        (["--from", "2023-06-01", "--to", "2023-01-01"], "is after"),
        (["--region", "999999"], "No region"),
    ],
)
def test_cli_refuses_bad_options(co, args, message):
    with pytest.raises(CommandError, match=message):
        cli("stats", "coordination", *args)
