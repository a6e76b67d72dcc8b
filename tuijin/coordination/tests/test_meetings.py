"""Meetings: the year's weekly meetings around holidays, numbering, outcomes, and drafting an agenda."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.coordination import services
from tuijin.coordination.choices import OutcomeKind
from tuijin.coordination.models import AgendaItem, Meeting

from .helpers import D, new_problem, state

pytestmark = pytest.mark.django_db


def test_weekly_meetings_for_2023_move_off_holidays(co):
    jk = co["regions"]["jingkai"]
    made = services.meetings_schedule_year(user=co["users"]["admin"], region=jk, year=2023, place="管委会三楼会议室")
    dates = [m.date for m in made]
    assert len(made) == 52 and [m.number for m in made] == list(range(1, 53))
    assert dates[0] == D(2023, 1, 3)  # Monday 2 January is 元旦
    assert D(2023, 1, 28) in dates  # 春节 week: Saturday 28 January is a 调休 working day
    assert D(2023, 5, 4) in dates  # 劳动节 week: Thursday
    assert D(2023, 10, 7) in dates  # 国庆 week: Saturday 7 October (调休)
    assert D(2023, 4, 3) in dates and all(d.weekday() == 0 for d in dates if d.isocalendar()[1] in (10, 20, 30))
    assert str(made[11]) == "Weekly meeting〔2023〕第12期"
    before = state()
    assert services.meetings_schedule_year(user=co["users"]["admin"], region=jk, year=2023) == []  # idempotent
    assert state() == before


@pytest.mark.parametrize("role", ["department", "leader", "admin_out"])
def test_only_the_office_holds_meetings(co, role):
    before = state()
    with pytest.raises(PermissionDenied):
        services.meeting_create(user=co["users"][role], region=co["regions"]["jingkai"], date=D(2023, 3, 6))
    assert state() == before


def test_outcomes_and_backlog(co):
    office = co["users"]["admin"]
    m = services.meeting_create(user=office, region=co["regions"]["jingkai"], date=D(2023, 3, 6), chair="王明")
    services.attendee_add(user=office, meeting=m, organization=co["department"], attendance="deputy")
    item = services.agenda_item_add(user=office, meeting=m, project=co["projects"]["a"], presenter="张工")
    services.outcome_add(user=office, item=item, kind=OutcomeKind.DECISION, text="本周内完成用地摘牌")
    before = state()
    with pytest.raises(ValidationError):
        services.outcome_add(user=office, item=item, kind=OutcomeKind.TASK, text="x")
    with pytest.raises(ValidationError):
        services.agenda_item_add(user=office, meeting=m, project=co["projects"]["d"])  # 洛阳's project
    assert state() == before
    services.agenda_item_carry_over(user=office, item=item)
    assert item.carried_over and list(m.attendees.values_list("attendance", flat=True)) == ["deputy"]


def test_agenda_drafted_from_the_ledger(co):
    """Projects with open problems first, then the backlog, then projects that missed last month's report."""
    office = co["users"]["admin"]
    jk = co["regions"]["jingkai"]
    new_problem(co, raised_on=D(2022, 9, 1))  # project a
    earlier = services.meeting_create(user=office, region=jk, date=D(2022, 9, 5))
    left = services.agenda_item_add(user=office, meeting=earlier, topic="重点项目用电保障")
    services.agenda_item_carry_over(user=office, item=left)
    meeting = services.meeting_create(user=office, region=jk, date=D(2022, 9, 13))
    items = services.agenda_draft(user=office, meeting=meeting)
    # a and c have 2022 plans and no August report (due 5 September); a also has an open problem
    assert [(i.order, i.project and i.project.name, i.topic) for i in items] == [
        (1, "新能源汽车零部件项目", "open problems: 1；no report for 2022-08"),
        (2, None, "重点项目用电保障"),
        (3, "高端数控机床项目", "no report for 2022-08"),
    ]
    assert items[1].carried_from == left
    # drafting again adds nothing: the projects are on the agenda and the backlog item is continued
    assert services.agenda_draft(user=office, meeting=meeting) == []
    assert AgendaItem.objects.filter(meeting=meeting).count() == 3 and Meeting.objects.count() == 2
