"""`tuijin demo` loads two years of split plans and monthly reports that every investment page can show."""

import io
import json
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from tuijin.accounts.models import User
from tuijin.core.models import ChangeRecord
from tuijin.investment.choices import ReminderKind, ReportStatus
from tuijin.investment.models import AnnualPlan, MonthlyReport, ReportPhoto, ReportReminder, SeasonalProfile
from tuijin.investment.selectors import investment_payload
from tuijin.investment.services import reminders_open, reports_missing
from tuijin.projects.demo import DEMO_END, load_demo
from tuijin.projects.models import Project
from tuijin.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for the module (it takes seconds), photos in a throw-away media directory."""
    from django.conf import settings

    media = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            load_demo()
            yield Region.objects.get(code="410171")
            transaction.set_rollback(True)
    settings.MEDIA_ROOT = media


def test_2022_completion_is_plausible_and_every_group_has_projects(demo, capsys):
    payload = investment_payload(Project.objects.all(), year=2022, month=11, region=demo)
    total = payload["total"]
    assert total["projects"] >= 30
    assert 55 <= total["completion_rate"] <= 100  # behind 序时 (91.7%) as a zone is in November, not absurdly
    assert total["invested_to_date"] < total["plan_to_date"] <= total["annual_plan"]
    assert total["forecast_year_end"] > total["invested_to_date"]  # December still to come
    assert all(n > 0 for n in total["risk"].values()), total["risk"]  # on track, at risk and off track
    assert [g["key"] for g in payload["groups"] if g["projects"]][:3] == ["signed", "started", "production"]

    out = io.StringIO()
    call_command("stats", "investment", "--year", "2022", "--json", stdout=out)
    cli = json.loads(capsys.readouterr().out or out.getvalue())
    assert cli["year"] == 2022 and cli["groups"] and cli["total"]["projects"] >= 30
    assert sum(g["projects"] for g in cli["groups"]) == cli["total"]["projects"]


def test_reports_have_the_december_surge_and_stay_within_each_project(demo):
    by_month = dict(
        MonthlyReport.objects.filter(year=2021, project__region=demo)
        .values_list("month")
        .annotate(s=Sum("invested"))
        .order_by()
    )
    assert set(by_month) == set(range(1, 13))
    others = sum(by_month[m] for m in range(1, 12)) / 11
    assert by_month[12] > Decimal("1.5") * others  # the December surge
    assert by_month[2] < others  # the Spring Festival

    since_start = defaultdict(Decimal)
    for pid, invested in MonthlyReport.objects.values_list("project_id", "invested"):
        since_start[pid] += invested
    for project in Project.objects.filter(pk__in=since_start):
        assert since_start[project.pk] <= project.total_investment, project.code
    assert not MonthlyReport.objects.filter(year=2022, month=12).exists()  # not due before the demo's end


def test_plans_are_split_by_month_and_the_zone_has_its_own_profile(demo):
    plans = list(AnnualPlan.objects.all())
    assert {p.year for p in plans} == {2021, 2022}
    assert all(p.split_is_valid for p in plans)
    assert {p.split_method for p in plans} == {"even", "seasonal", "manual"}
    weights = SeasonalProfile.objects.get(region=demo).weights
    assert weights[11] == max(weights) and weights[1] < sum(weights) / 12  # measured from 2021: December heavy


def test_reports_in_every_state_late_returned_missing_and_waiting(demo):
    recent = MonthlyReport.objects.filter(year=2022, month__in=[10, 11])
    states = set(recent.values_list("status", flat=True))
    assert {"accepted", "submitted", "returned", "resubmitted", "draft"} <= states
    returned = MonthlyReport.objects.filter(return_count__gt=0)
    assert returned.filter(status=ReportStatus.RETURNED).exclude(review_opinion="").exists()
    assert returned.filter(status=ReportStatus.RESUBMITTED).exists()  # corrected and sent again
    assert returned.filter(status=ReportStatus.ACCEPTED).exists()
    assert MonthlyReport.objects.filter(late=True, year=2021).exists()
    assert MonthlyReport.objects.filter(late=True, year=2022, month=11).exists()
    assert reports_missing(demo, 2022, 11).exists()
    open_kinds = set(ReportReminder.objects.filter(resolved_at__isnull=True).values_list("kind", flat=True))
    assert open_kinds == {ReminderKind.MISSING, ReminderKind.RETURNED}

    # Nothing happened after the demo's last day.
    last = MonthlyReport.objects.exclude(reviewed_at=None).order_by("-reviewed_at").first()
    assert last.reviewed_at.date() <= DEMO_END
    assert MonthlyReport.objects.exclude(submitted_at=None).order_by("-submitted_at")[0].submitted_at.date() <= DEMO_END

    # Every report is on record as written by the demo.
    records = ChangeRecord.objects.filter(content_type__model="monthlyreport", action="create")
    assert records.count() == MonthlyReport.objects.count()
    assert set(records.values_list("source", "label").distinct()) == {("cli", "tuijin demo")}


def test_the_enterprise_user_has_reports_to_act_on(demo):
    user = User.objects.get(username="enterprise")
    mine = MonthlyReport.objects.restrict(user, "view")
    assert mine.exists() and set(mine.values_list("project__enterprise", flat=True)) == {user.organization_id}
    assert len(set(mine.filter(year=2022).values_list("status", flat=True))) >= 3
    assert ReportPhoto.objects.filter(report__in=mine).exists()
    assert {r.kind for r in reminders_open(user)} >= {ReminderKind.RETURNED}
