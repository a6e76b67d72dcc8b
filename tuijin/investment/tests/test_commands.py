"""The CLI: `tuijin plans set`, `tuijin remind-reports`, and reports_missing behind them."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tuijin.core.models import ChangeRecord
from tuijin.investment.choices import ReminderKind, ReportStatus, SplitMethod
from tuijin.investment.models import AnnualPlan, MonthlyReport, ReportingRule, ReportReminder
from tuijin.investment.services import reports_missing

from .helpers import state

pytestmark = pytest.mark.django_db


def cli(*args) -> str:
    out = io.StringIO()
    call_command(*map(str, args), "--lang", "en", stdout=out)
    return out.getvalue()


def test_plans_set_by_code_or_name(zone):
    a = zone["projects"]["a"]
    out = cli("plans", "set", a.code, "--year", 2023, "--amount", "1,200")
    assert "annual plan 1200.00 万元, split Even" in out and "12月" in out
    plan = AnnualPlan.objects.get(project=a, year=2023)
    assert plan.months == [Decimal("100.00")] * 12
    cli("plans", "set", "新能源汽车零部件项目", "--year", 2023, "--amount", "2400", "--split", "seasonal")
    plan.refresh_from_db()
    assert plan.amount == Decimal("2400.00") and plan.split_method == SplitMethod.SEASONAL
    assert plan.months[11] > plan.months[0] and sum(plan.months) == Decimal("2400.00")
    record = ChangeRecord.objects.filter(content_type__model="annualplan", object_id=plan.pk).first()
    assert record.source == "cli"
    assert "2400.00" in cli("plans", "show", a.code, "--year", 2023)


@pytest.mark.parametrize(
    "args, message",
    [
        (["不存在的项目", "--year", 2023, "--amount", "1"], "No project"),
        (["新能源汽车零部件项目", "--year", 2023, "--amount", "-1"], "cannot be negative"),
        (["新能源汽车零部件项目", "--year", 2023, "--amount", "abc"], "not an amount"),
    ],
)
def test_plans_set_refuses_bad_input_with_exit_2(zone, args, message):
    before = state()
    with pytest.raises(CommandError, match=message) as exc:
        cli("plans", "set", *args)
    assert exc.value.returncode == 2
    assert state() == before


def reported_may_and_june(zone):
    for p in (zone["projects"]["a"], zone["projects"]["c"]):
        for m in (5, 6):
            MonthlyReport.objects.create(project=p, year=2022, month=m, invested=Decimal(1), status="accepted")


def test_missing_reports_and_the_daily_reminders(zone):
    a, c = zone["projects"]["a"], zone["projects"]["c"]
    reported_may_and_june(zone)
    assert [p.name for p in reports_missing(zone["regions"]["jingkai"], 2022, 7)] == [
        "新能源汽车零部件项目",
        "高端数控机床项目",
    ]
    MonthlyReport.objects.create(project=a, year=2022, month=7, invested=Decimal(1), status=ReportStatus.DRAFT)
    assert len(reports_missing(None, 2022, 7)) == 2  # a draft is not a report yet
    # before the window closes nothing is marked
    assert "0 new" in cli("remind_reports", "--as-of", "2022-08-05")
    out = cli("remind_reports", "--as-of", "2022-08-06")
    assert "2 new" in out
    open_ = set(ReportReminder.objects.filter(resolved_at__isnull=True).values_list("project__name", "month", "kind"))
    assert open_ == {("新能源汽车零部件项目", 7, "missing"), ("高端数控机床项目", 7, "missing")}
    assert "0 new" in cli("remind_reports", "--as-of", "2022-08-07")  # idempotent
    # a submits; c's July is returned after it submitted
    MonthlyReport.objects.filter(project=a, month=7).update(status=ReportStatus.SUBMITTED)
    MonthlyReport.objects.create(project=c, year=2022, month=7, invested=Decimal(1), status=ReportStatus.RETURNED)
    cli("remind_reports", "--as-of", "2022-08-08")
    open_ = set(ReportReminder.objects.filter(resolved_at__isnull=True).values_list("project__name", "month", "kind"))
    assert open_ == {("高端数控机床项目", 7, ReminderKind.RETURNED)}


def test_zone_window_decides_when_a_report_is_missing(zone):
    reported_may_and_june(zone)
    ReportingRule.objects.create(region=zone["regions"]["jingkai"], due_day=25)
    assert "0 new" in cli("remind_reports", "--as-of", "2022-08-20")
    assert "2 new" in cli("remind_reports", "--as-of", "2022-08-26")


def test_bad_date(zone):
    with pytest.raises(CommandError):
        cli("remind_reports", "--as-of", "yesterday")
    assert datetime.date(2022, 1, 1)
