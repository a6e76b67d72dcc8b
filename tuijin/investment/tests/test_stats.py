"""Completion against 序时进度 and the statistics contract (`investment_payload`), on a hand-made zone."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from tuijin.investment import forecast as fc
from tuijin.investment.choices import Flag, ReportStatus, Risk
from tuijin.investment.models import AnnualPlan, MonthlyReport, ReportingRule, SeasonalProfile
from tuijin.investment.selectors import completion_rows, default_through_month, investment_payload
from tuijin.investment.split import DEFAULT_WEIGHTS, shares_from_weights
from tuijin.projects.models import Project

pytestmark = pytest.mark.django_db
SHARES = shares_from_weights(DEFAULT_WEIGHTS)
G_KEYS = {
    "key",
    "label",
    "projects",
    "annual_plan",
    "plan_to_date",
    "invested_to_date",
    "completion_rate",
    "gap_points",
    "forecast_year_end",
    "risk",
}


def report(project, month, amount, status=ReportStatus.ACCEPTED, year=2022):
    return MonthlyReport.objects.create(
        project=project, year=year, month=month, invested=Decimal(amount), status=status
    )


@pytest.fixture
def figures(zone):
    """a: even plan 12000.50, 500 a month Jan-Jun accepted (+ a July draft); c: manual plan 3000 (100 a month,
    1900 in December), 200/200/300 submitted Apr-Jun (+ a returned March); b: no plan, 50 in March;
    d (洛阳, out of the zone): plan 1000, 100 in June."""
    p = zone["projects"]
    for m in range(1, 7):
        report(p["a"], m, "500")
    report(p["a"], 7, "999", ReportStatus.DRAFT)
    plan_c = AnnualPlan.objects.get(project=p["c"], year=2022)
    plan_c.months = [Decimal("100")] * 11 + [Decimal("1900")]
    plan_c.split_method = "manual"
    plan_c.save()
    report(p["c"], 3, "400", ReportStatus.RETURNED)
    for m, amount in [(4, "200"), (5, "200"), (6, "300")]:
        report(p["c"], m, amount, ReportStatus.SUBMITTED)
    report(p["b"], 3, "50")
    AnnualPlan.objects.create(project=p["d"], year=2022, amount=Decimal("1000"))
    report(p["d"], 6, "100")
    return zone


def expected_forecast(to_date, recent):
    return fc.forecast(Decimal(to_date), Decimal(recent), SHARES, 6)


def test_payload_by_batch_for_the_zone(figures):
    zone = figures
    payload = investment_payload(
        Project.objects.restrict(zone["users"]["admin"], "view"), year=2022, month=6, group_by="batch", region=None
    )
    assert (payload["year"], payload["through_month"], payload["unit"]) == (2022, 6, "万元")
    assert payload["elapsed_share"] == Decimal("0.5000")
    groups = {g["key"]: g for g in payload["groups"]}
    assert [g["key"] for g in payload["groups"]] == ["signed", "started", "production", ""]
    assert all(set(g) == G_KEYS for g in [*payload["groups"], payload["total"]])
    started, production, unlisted = groups["started"], groups["production"], groups[""]
    assert groups["signed"]["projects"] == 0
    # a: converted to the start batch in period 2
    assert started["projects"] == 1
    assert started["annual_plan"] == Decimal("12000.50")
    assert started["plan_to_date"] == Decimal("6000.24")  # 6 × 1000.04 (even split, December takes the residue)
    assert started["invested_to_date"] == Decimal("3000.00")  # the July draft does not count
    assert started["completion_rate"] == Decimal("25.0")
    assert started["gap_points"] == Decimal("-25.0")
    assert started["forecast_year_end"] == expected_forecast("3000", "1500")
    # c: its manual split; the returned March report does not count
    assert production["plan_to_date"] == Decimal("600.00")
    assert production["invested_to_date"] == Decimal("700.00")
    assert production["completion_rate"] == Decimal("23.3")
    # b: removed from the list, no plan, but it reported
    assert unlisted["label"] and unlisted["projects"] == 1 and unlisted["annual_plan"] == Decimal("0.00")
    assert unlisted["completion_rate"] is None
    total = payload["total"]
    assert total["projects"] == 3
    assert total["annual_plan"] == Decimal("15000.50")
    assert total["invested_to_date"] == Decimal("3750.00")
    assert total["plan_to_date"] == Decimal("6600.24")
    assert total["completion_rate"] == Decimal("25.0")  # 3750 / 15000.50
    assert total["forecast_year_end"] == sum(g["forecast_year_end"] for g in payload["groups"])
    assert sum(total["risk"].values()) == 3


def test_risk_counts_and_forecasts_in_sql_match_the_per_project_method(figures):
    qs = Project.objects.all()
    rows = completion_rows(qs, year=2022, month=6)
    payload = investment_payload(qs, year=2022, month=6, group_by="industry")
    expected = {r.value: 0 for r in Risk}
    for row in rows:
        expected[row["risk"].value] += 1
    assert payload["total"]["risk"] == expected
    assert abs(payload["total"]["forecast_year_end"] - sum(r["forecast_year_end"] for r in rows)) <= Decimal("0.05")
    assert payload["total"]["projects"] == len(rows) == 4
    assert {g["label"] for g in payload["groups"]} == {"汽车及零部件", "装备制造", "新材料"}


def test_each_project_is_forecast_with_its_own_zones_profile(figures):
    """Zones with different seasonal profiles: every group's forecast and risk counts are those of the per-project
    method (each project joined to its own zone's coefficients), whatever the grouping."""
    regions, p = figures["regions"], figures["projects"]
    SeasonalProfile.objects.create(region=regions["luoyang_gx"], weights=[1] * 6 + [9] * 6)  # a heavy second half
    SeasonalProfile.objects.create(region=regions["jingkai"], weights=[3] * 6 + [1] * 6)  # a light one
    qs = Project.objects.all()
    rows = {r["project"].pk: r for r in completion_rows(qs, year=2022, month=6)}
    assert rows[p["d"].pk]["forecast_year_end"] != expected_forecast("100", "100")  # not the default profile
    members = {
        "region": {"410100": [p["a"], p["b"], p["c"]], "410300": [p["d"]]},
        "batch": {"signed": [p["d"]], "started": [p["a"]], "production": [p["c"]], "": [p["b"]]},
    }
    for group_by, groups in members.items():
        payload = investment_payload(qs, year=2022, month=6, group_by=group_by)
        got = {g["key"]: g for g in payload["groups"] if g["projects"]}
        assert set(got) == set(groups), group_by
        for key, projects in groups.items():
            mine = [rows[x.pk] for x in projects]
            assert got[key]["projects"] == len(mine)
            forecast = sum(r["forecast_year_end"] for r in mine)
            assert abs(got[key]["forecast_year_end"] - forecast) <= Decimal("0.01"), (group_by, key)
            risks = {r.value: sum(1 for m in mine if m["risk"] == r) for r in Risk}
            assert got[key]["risk"] == risks, (group_by, key)


def test_groupings_and_regions(figures):
    zone = figures
    qs = Project.objects.all()
    by_leader = investment_payload(qs, year=2022, month=6, group_by="leader")
    assert [(g["label"], g["projects"]) for g in by_leader["groups"]][0] == ("王明", 1)
    by_unit = investment_payload(qs, year=2022, month=6, group_by="unit")
    assert by_unit["groups"][0]["label"] == "经开区发展改革局"
    by_region = investment_payload(qs, year=2022, month=6, group_by="region")
    assert {g["key"]: g["projects"] for g in by_region["groups"]} == {"410100": 3, "410300": 1}
    within = investment_payload(qs, year=2022, month=6, group_by="region", region=zone["regions"]["zhengzhou"])
    assert {g["key"]: g["label"] for g in within["groups"]} == {"410171": "郑州经开区"}
    assert within["total"]["invested_to_date"] == Decimal("3750.00")
    for payload in (by_leader, by_unit, by_region):
        assert payload["total"]["invested_to_date"] == Decimal("3850.00")


def test_what_an_enterprise_sees_is_its_own_projects(figures):
    ent = figures["users"]["enterprise"]
    payload = investment_payload(Project.objects.restrict(ent, "view"), year=2022, month=6)
    assert payload["total"]["projects"] == 2  # a and c
    assert payload["total"]["invested_to_date"] == Decimal("3700.00")


def test_flags_by_zone_thresholds(figures):
    rows = {r["project"].code: r for r in completion_rows(Project.objects.all(), year=2022, month=6)}
    a = figures["projects"]["a"]
    assert rows[a.code]["flag"] == Flag.YELLOW  # 25 points behind: 10-30 yellow by default
    ReportingRule.objects.create(region=figures["regions"]["zhengzhou"], yellow_points=5, red_points=20)
    rows = {r["project"].code: r for r in completion_rows(Project.objects.all(), year=2022, month=6)}
    assert rows[a.code]["flag"] == Flag.RED  # the city's stricter rule applies to the zone below it
    assert "Months 1-6: 25% completed, 50% of the year elapsed" in rows[a.code]["reason"]


def test_december_and_defaults():
    import datetime

    assert default_through_month(2021, datetime.date(2022, 3, 1)) == 12
    assert default_through_month(2022, datetime.date(2022, 3, 1)) == 2
    assert default_through_month(2022, datetime.date(2022, 1, 20)) == 1


def test_full_year_forecast_is_what_was_invested(figures):
    payload = investment_payload(Project.objects.all(), year=2022, month=12)
    assert payload["total"]["forecast_year_end"] == payload["total"]["invested_to_date"]
    assert payload["total"]["plan_to_date"] == payload["total"]["annual_plan"]
    assert payload["elapsed_share"] == Decimal("1.0000")


def test_query_count_does_not_grow_with_projects(figures, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        investment_payload(Project.objects.all(), year=2022, month=6, group_by="leader")


def test_stats_command_prints_the_payload(figures, capsys):
    """`tuijin stats investment --json` prints the same payload as the selector (and the API)."""
    out = io.StringIO()
    call_command("stats", "investment", "--year", "2022", "--month", "6", "--group-by", "batch", "--json", stdout=out)
    text = capsys.readouterr().out or out.getvalue()
    data = json.loads(text)
    expected = json.loads(json.dumps(investment_payload(Project.objects.all(), year=2022, month=6), default=str))
    assert data["total"]["invested_to_date"] == float(expected["total"]["invested_to_date"])
    assert [g["key"] for g in data["groups"]] == [g["key"] for g in expected["groups"]]
