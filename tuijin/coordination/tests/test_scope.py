"""Who sees which tasks and problems (core.permissions: Scope.units for departments)."""

import pytest

from tuijin.coordination.models import Problem, Task
from tuijin.core.permissions import Action, can

from .helpers import D, new_problem, new_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(co):
    led = new_task(co, content="甲：经开区发改局牵头")
    coop = new_task(co, content="乙：自规局牵头，发改局配合", lead=co["department2"], coop=[co["department"]])
    other = new_task(co, content="丙：自规局牵头", lead=co["department2"])
    out = new_task(
        co,
        content="丁：洛阳",
        by="admin_out",
        lead=co["department_out"],
        project=co["projects"]["d"],
        deadline=D(2023, 4, 1),
    )
    p_mine = new_problem(co)  # raised by ent_a
    p_dept = new_problem(
        co, by="admin", assigned_unit=co["department"], deadline="2023-04-01", project=co["projects"]["b"]
    )
    p_out = new_problem(co, by="enterprise_out", project=co["projects"]["d"])
    return {"tasks": [led, coop, other, out], "problems": [p_mine, p_dept, p_out]}


def _seen(model, user, rows_):
    ids = set(model.objects.restrict(user, Action.VIEW).values_list("pk", flat=True))
    assert model.objects.restrict(user, Action.VIEW).count() == len(ids)  # no repeated rows from the join
    return [i for i, r in enumerate(rows_) if r.pk in ids]


@pytest.mark.parametrize(
    ("role", "tasks", "problems"),
    [
        ("superuser", [0, 1, 2, 3], [0, 1, 2]),
        ("admin", [0, 1, 2], [0, 1]),
        ("leader", [0, 1, 2], [0, 1]),
        ("viewer", [0, 1, 2], [0, 1]),
        ("department", [0, 1], [1]),  # its own unit's: led or cooperating; problems assigned to it
        ("department2", [1, 2], []),
        ("enterprise", [], [0]),  # no tasks; the problems it raised
        ("admin_out", [3], [2]),
        ("enterprise_out", [], [2]),
        ("department_out", [3], []),
    ],
)
def test_who_sees_what(co, rows, role, tasks, problems):
    user = co["users"][role]
    assert _seen(Task, user, rows["tasks"]) == tasks
    assert _seen(Problem, user, rows["problems"]) == problems


def test_department_may_change_only_its_own(co, rows):
    dept = co["users"]["department"]
    assert can(dept, Action.CHANGE, rows["tasks"][0]) and not can(dept, Action.CHANGE, rows["tasks"][2])
    assert not can(dept, Action.ADD, Task) and can(co["users"]["leader"], Action.ADD, Task)
    assert can(co["users"]["enterprise"], Action.ADD, Problem) and not can(co["users"]["viewer"], Action.ADD, Problem)
