"""预判: the forecast beats the naive one (to date ÷ elapsed share) on a zone with the usual December surge."""

import io
import random
from decimal import Decimal

import pytest
from django.core.management import call_command

from tuijin.accounts.models import Organization
from tuijin.investment import forecast as fc
from tuijin.investment.choices import ReportStatus, Risk
from tuijin.investment.models import MonthlyReport
from tuijin.projects.models import Project
from tuijin.regions.models import Region

pytestmark = pytest.mark.django_db

SURGE = [3, 4, 6, 7, 7, 8, 8, 8, 9, 9, 10, 21]  # how this zone really invests: a December surge


def synthetic_zone(years=(2019, 2020, 2021), projects=40, seed=7) -> Region:
    """A zone whose projects invest along SURGE with ±25% noise per month and project-level pace differences."""
    rng = random.Random(seed)
    root = Region.objects.create(code="410000", name="河南省")
    zone = Region.objects.create(
        code="410171", name="郑州经开区", parent=Region.objects.create(code="410100", name="郑州市", parent=root)
    )
    ent = Organization.objects.create(name="企业", region=zone, kind="enterprise")
    total = sum(SURGE)
    reports = []
    for i in range(projects):
        p = Project.objects.create(name=f"项目{i}", region=zone, enterprise=ent, total_investment=Decimal("1e7"))
        for year in years:
            plan = rng.randint(1000, 50000)
            pace = rng.uniform(0.7, 1.2)
            for m in range(1, 13):
                value = plan * pace * SURGE[m - 1] / total * rng.uniform(0.75, 1.25)
                reports.append(
                    MonthlyReport(
                        project=p, year=year, month=m, invested=Decimal(f"{value:.2f}"), status=ReportStatus.ACCEPTED
                    )
                )
    MonthlyReport.objects.bulk_create(reports)
    return zone


def test_method_beats_naive_with_a_december_surge():
    synthetic_zone()
    rows = fc.backtest(Project.objects.all(), 2021)
    assert [r["month"] for r in rows] == list(range(1, 12))
    for r in rows:
        assert r["projects"] == 40
        assert r["mape"] < r["naive_mape"], r
    mean = sum(r["mape"] for r in rows) / 11
    naive = sum(r["naive_mape"] for r in rows) / 11
    assert mean < naive * 0.5  # not a close call: the naive forecast misses the surge every month


def test_without_history_the_default_profile_still_beats_naive():
    synthetic_zone(years=(2021,))
    rows = fc.backtest(Project.objects.all(), 2021)
    assert sum(r["mape"] for r in rows) < sum(r["naive_mape"] for r in rows)


def test_backtest_command_prints_both_errors_per_month():
    synthetic_zone(projects=10)
    out = io.StringIO()
    call_command("forecast_backtest", "--year", "2021", "--lang", "en", stdout=out)
    text = out.getvalue()
    assert "10 projects" in text
    lines = [line.split() for line in text.splitlines() if line.strip()[:2].strip().isdigit()]
    assert [int(cols[0]) for cols in lines] == list(range(1, 12))
    assert all(float(cols[1]) < float(cols[2]) for cols in lines)


def test_forecast_is_linear_in_to_date_and_recent_and_reaches_to_date_in_december():
    shares = [w / sum(SURGE) for w in SURGE]
    c = fc.coefficients(shares, 8)
    assert c.alpha >= 1 and c.beta > 0 and c.window == 3
    assert fc.forecast(Decimal("420"), Decimal("160"), shares, 8) == Decimal(
        repr(c.alpha * 420 + c.beta * 160)
    ).quantize(Decimal("0.01"))
    assert fc.forecast(Decimal("999"), Decimal("100"), shares, 12) == Decimal("999.00")
    assert fc.risk(Decimal("96"), Decimal("100")) == Risk.ON_TRACK
    assert fc.risk(Decimal("85"), Decimal("100")) == Risk.AT_RISK
    assert fc.risk(Decimal("70"), Decimal("100")) == Risk.OFF_TRACK
    assert fc.risk(Decimal("0"), None) == Risk.ON_TRACK


def test_reason_sentence():
    from django.utils import translation

    with translation.override("en"):
        text = fc.reason(month=8, to_date=Decimal("420"), plan=Decimal("1000"), forecast_value=Decimal("710"))
    assert text == (
        "Months 1-8: 42% completed, 67% of the year elapsed; at the pace of the last 3 months, 71% "
        "expected by year end."
    )
