"""Problems (问题清单): raise, route, solve, confirm (销号) or reopen, rate, escalate; and who may not."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.coordination import services
from tuijin.coordination.choices import ProblemLevel, ProblemSource, ProblemState, TaskSource
from tuijin.coordination.models import Notification, ProblemCategory

from .helpers import D, new_problem, new_task, state

pytestmark = pytest.mark.django_db


def test_categories_are_seeded_and_editable(co):
    names = list(ProblemCategory.objects.values_list("name", flat=True))
    assert names == ["土地", "规划", "环评", "能耗", "资金", "水电气暖", "审批手续", "征迁", "施工环境", "其他"]
    ProblemCategory.objects.create(name="人才", order=11)
    assert ProblemCategory.objects.count() == 11


def test_from_raised_to_confirmed_and_rated(co):
    ent, office, dept = co["users"]["enterprise"], co["users"]["admin"], co["users"]["department"]
    p = new_problem(co)
    assert p.source == ProblemSource.ENTERPRISE and p.raised_by_org == co["enterprises"]["a"]
    assert p.level == ProblemLevel.ZONE and p.state == ProblemState.OPEN
    assert Notification.objects.filter(user=office, key=f"problem:{p.pk}:raised").exists()
    services.problem_assign(user=office, problem=p, unit=co["department"], deadline="2023-04-15")
    assert Notification.objects.filter(user=dept, key__startswith=f"problem:{p.pk}:assigned").exists()
    services.problem_start(user=dept, problem=p)
    assert p.state == ProblemState.IN_PROGRESS
    services.problem_solve(user=dept, problem=p, solution="已完成土地摘牌", today=D(2023, 4, 10))
    assert p.state == ProblemState.SOLVED and p.solved_on == D(2023, 4, 10)
    assert Notification.objects.filter(user=ent, key__startswith=f"problem:{p.pk}:solved").exists()
    services.problem_confirm(user=ent, problem=p, rating=5, comment="很满意", today=D(2023, 4, 11))
    p.refresh_from_db()
    assert p.state == ProblemState.CONFIRMED and p.confirmed_on == D(2023, 4, 11) and p.rating == 5
    services.problem_rate(user=ent, problem=p, rating=4)
    p.refresh_from_db()
    assert p.rating == 4


def test_reopened_then_solved_again(co):
    ent, dept = co["users"]["enterprise"], co["users"]["department"]
    p = new_problem(co)
    services.problem_assign(user=co["users"]["admin"], problem=p, unit=co["department"], deadline="2023-04-15")
    services.problem_solve(user=dept, problem=p, solution="已协调")
    services.problem_reopen(user=ent, problem=p, reason="仍未摘牌")
    assert p.state == ProblemState.REOPENED and p.solved_on is None and p.reopen_count == 1
    services.problem_start(user=dept, problem=p)
    services.problem_solve(user=dept, problem=p, solution="已摘牌")
    services.problem_confirm(user=ent, problem=p)
    assert p.state == ProblemState.CONFIRMED and p.rating is None


def test_escalation_goes_up_one_level_at_a_time(co):
    office = co["users"]["admin"]
    p = new_problem(co, category="能耗")
    services.problem_escalate(user=office, problem=p, note="能耗指标需市里统筹", today=D(2023, 3, 5))
    assert p.level == ProblemLevel.CITY and p.escalated_on == D(2023, 3, 5)
    services.problem_escalate(user=office, problem=p, note="需省级调剂")
    assert p.level == ProblemLevel.PROVINCE
    before = state()
    with pytest.raises(ValidationError, match="province level already"):
        services.problem_escalate(user=office, problem=p, note="再升")
    assert state() == before


def test_a_problem_spawns_a_task(co):
    p = new_problem(co, by="admin", assigned_unit=co["department"], deadline="2023-04-01")
    assert p.source == ProblemSource.OFFICE
    task = new_task(co, source=TaskSource.PROBLEM, source_problem=p)
    assert list(p.tasks.all()) == [task]


def test_department_and_meeting_sources(co):
    assert new_problem(co, by="department").source == ProblemSource.DEPARTMENT
    meeting = services.meeting_create(user=co["users"]["admin"], region=co["regions"]["jingkai"], date=D(2023, 3, 6))
    item = services.agenda_item_add(user=co["users"]["admin"], meeting=meeting, topic="用地报批")
    assert new_problem(co, by="admin", source_item=item).source == ProblemSource.MEETING


@pytest.mark.parametrize(
    ("by", "kwargs", "error"),
    [
        ("viewer", {}, PermissionDenied),
        ("enterprise", {"project": "c_of_other"}, ValidationError),  # not its own project
        ("enterprise_out", {}, ValidationError),  # project a is not theirs
        ("enterprise", {"description": " "}, ValidationError),
        ("enterprise", {"assigned_unit": "dept"}, PermissionDenied),  # routing is the office's
    ],
)
def test_bad_or_forbidden_raise_writes_nothing(co, by, kwargs, error):
    if kwargs.get("project") == "c_of_other":
        kwargs["project"] = co["projects"]["b"]
    if kwargs.get("assigned_unit") == "dept":
        kwargs["assigned_unit"] = co["department"]
    before = state()
    with pytest.raises(error):
        new_problem(co, by=by, **kwargs)
    assert state() == before


def _problem_in(co, target: str):
    ent, dept, office = co["users"]["enterprise"], co["users"]["department"], co["users"]["admin"]
    p = new_problem(co)
    if target == "open":
        return p
    services.problem_assign(user=office, problem=p, unit=co["department"], deadline="2023-04-15")
    if target == "assigned":
        return p
    services.problem_start(user=dept, problem=p)
    if target == "in_progress":
        return p
    services.problem_solve(user=dept, problem=p, solution="已解决")
    if target == "solved":
        return p
    services.problem_confirm(user=ent, problem=p)
    return p


ACTIONS = {
    "assign": lambda u, p, z: services.problem_assign(user=u, problem=p, unit=z["department2"], deadline="2023-05-01"),
    "start": lambda u, p, z: services.problem_start(user=u, problem=p),
    "solve": lambda u, p, z: services.problem_solve(user=u, problem=p, solution="解决"),
    "confirm": lambda u, p, z: services.problem_confirm(user=u, problem=p),
    "reopen": lambda u, p, z: services.problem_reopen(user=u, problem=p, reason="未解决"),
    "rate": lambda u, p, z: services.problem_rate(user=u, problem=p, rating=3),
    "escalate": lambda u, p, z: services.problem_escalate(user=u, problem=p, note="升级"),
}
FORBIDDEN = [
    # confirming (or reopening, rating) a problem one did not raise
    ("solved", "confirm", "department", PermissionDenied),
    ("solved", "confirm", "admin", PermissionDenied),
    ("solved", "confirm", "leader", PermissionDenied),
    ("solved", "confirm", "enterprise_out", PermissionDenied),
    ("solved", "reopen", "department", PermissionDenied),
    ("confirmed", "rate", "admin", PermissionDenied),
    # another unit cannot work on it; only the office routes and escalates
    ("assigned", "start", "department2", PermissionDenied),
    ("in_progress", "solve", "department2", PermissionDenied),
    ("in_progress", "solve", "enterprise", PermissionDenied),
    ("open", "assign", "department", PermissionDenied),
    ("open", "assign", "admin_out", PermissionDenied),
    ("open", "escalate", "department", PermissionDenied),
    ("open", "escalate", "enterprise", PermissionDenied),
    # out of order
    ("open", "start", "admin", ValidationError),  # not routed yet
    ("in_progress", "confirm", "enterprise", ValidationError),
    ("in_progress", "reopen", "enterprise", ValidationError),
    ("solved", "solve", "department", ValidationError),
    ("solved", "escalate", "admin", ValidationError),
    ("solved", "rate", "enterprise", ValidationError),
    ("confirmed", "confirm", "enterprise", ValidationError),
    ("confirmed", "reopen", "enterprise", ValidationError),
    ("confirmed", "assign", "admin", ValidationError),
]


@pytest.mark.parametrize(("target", "action", "actor", "error"), FORBIDDEN)
def test_forbidden_step_changes_nothing(co, target, action, actor, error):
    p = _problem_in(co, target)
    before = state()
    with pytest.raises(error) as exc:
        ACTIONS[action](co["users"][actor], p, co)
    assert str(exc.value)
    assert state() == before


@pytest.mark.parametrize("rating", [0, 6, "5", True])
def test_rating_must_be_1_to_5(co, rating):
    p = _problem_in(co, "solved")
    before = state()
    with pytest.raises(ValidationError, match="from 1 to 5"):
        services.problem_confirm(user=co["users"]["enterprise"], problem=p, rating=rating)
    assert state() == before


def test_overdue_is_derived(co):
    p = _problem_in(co, "assigned")
    assert not p.is_overdue(D(2023, 4, 15)) and p.is_overdue(D(2023, 4, 16))
    services.problem_solve(user=co["users"]["department"], problem=p, solution="解决")
    assert not p.is_overdue(D(2023, 5, 1))
