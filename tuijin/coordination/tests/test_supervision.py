"""The supervision ladder with a frozen clock (`as_of`) across deadlines, weekends, holidays and 调休 workdays."""

import io
import json

import pytest
from django.core.management import call_command

from tuijin.coordination import services
from tuijin.coordination.choices import LetterKind
from tuijin.coordination.models import Notification, SupervisionLetter, SupervisionRule, SupervisionStep
from tuijin.coordination.supervision import letter_issue, letter_reply, reply_deadline, supervise
from tuijin.core.models import ChangeRecord

from .helpers import D, new_problem, new_task, state

pytestmark = pytest.mark.django_db


def levels(task) -> list[str]:
    return list(task.supervision.order_by("id").values_list("level", flat=True))


def test_the_ladder_across_a_deadline_a_weekend_and_qingming(co):
    task = new_task(co, deadline=D(2023, 3, 31))  # a Friday
    assert supervise(as_of=D(2023, 3, 27)).steps == []  # Monday: 4 days before, nothing yet
    run = supervise(as_of=D(2023, 3, 28))  # 3 days before: 提醒
    assert [(s.level, s.days_overdue, s.letter) for s in run.steps] == [("reminder", -3, "")]
    assert set(Notification.objects.filter(key__startswith="step:").values_list("user__username", flat=True)) == {
        "dept_jk"
    }
    assert supervise(as_of=D(2023, 3, 28)).steps == []  # idempotent: the same day again adds nothing
    assert supervise(as_of=D(2023, 3, 30)).steps == []  # reminder already given for this deadline

    run = supervise(as_of=D(2023, 3, 31))  # on the deadline: 催办 with a 提醒函
    assert [(s.level, s.letter) for s in run.steps] == [("urge", "项目提醒〔2023〕001号")]
    letter = SupervisionLetter.objects.get()
    assert letter.kind == LetterKind.REMINDER and letter.to_unit == co["department"]
    # five working days to reply: Apr 3, 4, (5 is 清明), 6, 7, 10
    assert letter.reply_deadline == D(2023, 4, 10)

    assert supervise(as_of=D(2023, 4, 6)).steps == []  # 6 days overdue
    run = supervise(as_of=D(2023, 4, 7))  # 7 days overdue: 督办 with a 督办函
    assert [(s.level, s.days_overdue, s.letter) for s in run.steps] == [("supervise", 7, "项目督办〔2023〕001号")]

    # 15 days overdue is Saturday 15 April: the office issues nothing on a day off; Monday it does
    weekend = supervise(as_of=D(2023, 4, 15))
    assert not weekend.working_day and weekend.steps == []
    run = supervise(as_of=D(2023, 4, 17))
    assert [(s.level, s.days_overdue) for s in run.steps] == [("notice", 17)]
    # 通报 reaches the zone's leaders and the office as well as the unit
    notice = SupervisionStep.objects.get(level="notice")
    told = set(Notification.objects.filter(key=f"step:{notice.pk}").values_list("user__username", flat=True))
    assert told == {"dept_jk", "office_jk", "leader_jk"}
    assert levels(task) == ["reminder", "urge", "supervise", "notice"]
    assert supervise(as_of=D(2023, 4, 20)).steps == []  # the top of the ladder


def test_holiday_week_then_a_working_saturday(co):
    """督办 falls due on 3 October 2023 (国庆 holiday, 29 Sep – 6 Oct): taken on Saturday 7 October (调休 workday)."""
    task = new_task(co, assigned_on=D(2023, 9, 1), deadline=D(2023, 9, 26))
    supervise(as_of=D(2023, 9, 26))
    assert levels(task) == ["urge"]
    for day in range(29, 31):
        assert supervise(as_of=D(2023, 9, day)).steps == []
    for day in range(1, 7):
        assert not supervise(as_of=D(2023, 10, day)).working_day
    run = supervise(as_of=D(2023, 10, 7))
    assert run.working_day and [(s.level, s.days_overdue) for s in run.steps] == [("supervise", 11)]
    letter = SupervisionLetter.objects.get(kind=LetterKind.SUPERVISION)
    assert letter.issued_on == D(2023, 10, 7)
    # reply in 5 working days from Saturday 7 Oct (a workday): 8 (Sunday, 调休 workday), 9, 10, 11, 12
    assert letter.reply_deadline == D(2023, 10, 12)


def test_rungs_are_not_back_filled(co):
    task = new_task(co, assigned_on=D(2023, 1, 3), deadline=D(2023, 3, 1))
    run = supervise(as_of=D(2023, 3, 13))  # first seen 12 days late
    assert [s.level for s in run.steps] == ["supervise"] and levels(task) == ["supervise"]


def test_dry_run_reports_exactly_and_writes_nothing(co):
    new_task(co, deadline=D(2023, 3, 20))
    new_task(co, deadline=D(2023, 3, 27), content="第二项")  # 4 days overdue: 催办
    before = state()
    dry = supervise(as_of=D(2023, 3, 31), dry_run=True)
    assert state() == before
    real = supervise(as_of=D(2023, 3, 31))
    assert [s.as_dict() | {"id": 0} for s in dry.steps] == [s.as_dict() | {"id": 0} for s in real.steps]
    assert [s.letter for s in real.steps] == ["项目督办〔2023〕001号", "项目提醒〔2023〕001号"]


def test_letter_numbers_run_per_year_and_kind(co):
    for deadline in (D(2022, 12, 1), D(2022, 12, 2)):
        new_task(co, assigned_on=D(2022, 11, 1), deadline=deadline)
    supervise(as_of=D(2022, 12, 9))  # 8 and 7 days overdue: two 督办函 in 2022
    new_task(co, assigned_on=D(2022, 12, 20), deadline=D(2023, 1, 3))
    supervise(as_of=D(2023, 1, 3))  # 催办 in 2023: 提醒函 number 1
    new_task(co, assigned_on=D(2022, 12, 20), deadline=D(2023, 1, 4))
    supervise(as_of=D(2023, 1, 11))  # both 2023 tasks 7+ days late: 督办函 numbers 1 and 2 of 2023
    codes = sorted(str(x) for x in SupervisionLetter.objects.all())
    assert codes == [
        "项目提醒〔2023〕001号",
        "项目督办〔2022〕001号",
        "项目督办〔2022〕002号",
        "项目督办〔2023〕001号",
        "项目督办〔2023〕002号",
    ]


def test_done_or_closed_items_are_not_chased_and_an_extension_restarts_the_ladder(co):
    dept, office = co["users"]["department"], co["users"]["admin"]
    done = new_task(co, deadline=D(2023, 3, 20), content="已报完成")
    services.task_accept(user=dept, task=done)
    services.task_report_done(user=dept, task=done, text="完成", today=D(2023, 3, 19))
    extended = new_task(co, deadline=D(2023, 3, 31), content="延期")
    supervise(as_of=D(2023, 3, 31))
    assert levels(done) == [] and levels(extended) == ["urge"]
    ext = services.task_request_extension(user=dept, task=extended, new_deadline="2023-04-14", reason="等待批复")
    services.extension_grant(user=office, extension=ext)
    assert supervise(as_of=D(2023, 4, 6)).steps == []
    run = supervise(as_of=D(2023, 4, 11))  # 3 days before the new deadline
    assert [s.level for s in run.steps] == ["reminder"]
    assert levels(extended) == ["urge", "reminder"]


def test_problems_climb_too_and_a_zone_rule_applies(co):
    SupervisionRule.objects.create(
        region=co["regions"]["jingkai"],
        reminder_days_before=5,
        urge_days_after=1,
        supervise_days_after=3,
        notice_days_after=10,
        reply_working_days=3,
    )
    p = new_problem(co)
    assert supervise(as_of=D(2023, 4, 3)).steps == []  # not routed: no unit, no deadline
    services.problem_assign(user=co["users"]["admin"], problem=p, unit=co["department"], deadline="2023-04-14")
    assert [s.level for s in supervise(as_of=D(2023, 4, 10)).steps] == ["reminder"]  # 4 days before (rule: 5)
    assert supervise(as_of=D(2023, 4, 14)).steps == []  # urging is 1 day after, by this zone's rule
    run = supervise(as_of=D(2023, 4, 17))  # Monday, 3 days after: 督办
    assert [(s.item, s.level, s.letter) for s in run.steps] == [("problem", "supervise", "项目督办〔2023〕001号")]
    assert SupervisionLetter.objects.get().reply_deadline == D(2023, 4, 20)
    services.problem_solve(user=co["users"]["department"], problem=p, solution="解决")
    assert supervise(as_of=D(2023, 4, 28)).steps == []


def test_letters_by_hand_and_replies(co):
    task = new_task(co)
    letter = letter_issue(user=co["users"]["admin"], kind=LetterKind.ASSIGNMENT, task=task, issued_on=D(2023, 3, 1))
    assert letter.code == "项目交办〔2023〕001号" and letter.reply_deadline == D(2023, 3, 8)
    assert reply_deadline(D(2023, 3, 4), 1) == D(2023, 3, 7)  # issued on a Saturday: counted from Monday
    before = state()
    with pytest.raises(Exception, match="addressed to"):
        letter_reply(user=co["users"]["department2"], letter=letter, reply="收到")
    with pytest.raises(Exception, match="Only the project office"):
        letter_issue(user=co["users"]["department"], kind=LetterKind.SUPERVISION, task=task)
    assert state() == before
    letter_reply(user=co["users"]["department"], letter=letter, reply="已收到，正在办理", today=D(2023, 3, 2))
    letter.refresh_from_db()
    assert letter.replied_on == D(2023, 3, 2) and letter.replied_by == co["users"]["department"]


def cli(*args) -> str:
    out = io.StringIO()
    call_command(*map(str, args), "--lang", "en", stdout=out)
    return out.getvalue()


def test_cli_prints_what_it_did(co, capsys):
    new_task(co, deadline=D(2023, 3, 31))
    dry = cli("supervise", "--as-of", "2023-04-07", "--dry-run")
    assert "Supervision · task #" in dry and "7 days overdue · 项目督办〔2023〕001号" in dry
    assert "Dry run: nothing was written." in dry and not SupervisionStep.objects.exists()
    out = cli("supervise", "--as-of", "2023-04-07")
    assert "1 steps, 1 letters." in out and SupervisionStep.objects.count() == 1
    assert ChangeRecord.objects.filter(content_type__model="supervisionstep", source="cli").count() == 1
    assert "0 steps, 0 letters." in cli("supervise", "--as-of", "2023-04-07")
    assert "not a working day" in cli("supervise", "--as-of", "2023-04-08")
    cli("supervise", "--as-of", "2023-04-17", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["steps"][0]["level"] == "notice" and data["steps"][0]["days_overdue"] == 17
