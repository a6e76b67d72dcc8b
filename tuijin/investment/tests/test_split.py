"""Annual plans and their monthly split: exact sums, no negative month, even/seasonal/manual, stale splits."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from tuijin.core.models import ChangeRecord
from tuijin.investment import services
from tuijin.investment.choices import ReportStatus, SplitMethod
from tuijin.investment.models import AnnualPlan, MonthlyReport, SeasonalProfile
from tuijin.investment.selectors import investment_payload
from tuijin.investment.split import DEFAULT_WEIGHTS, split_by_weights, split_even
from tuijin.projects.models import Project

from .helpers import state

amounts = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)
weights = st.lists(st.integers(min_value=0, max_value=1000), min_size=12, max_size=12).filter(lambda w: sum(w) > 0)


@settings(deadline=None)
@given(amounts)
def test_even_split_sums_exactly_and_is_never_negative(amount):
    months = split_even(amount)
    assert len(months) == 12
    assert sum(months) == amount
    assert all(m >= 0 and m == m.quantize(Decimal("0.01")) for m in months)
    assert len(set(months[:11])) == 1  # eleven equal months, December takes the residue
    assert 0 <= months[11] - months[0] < Decimal("0.12")


@settings(deadline=None)
@given(amounts, weights)
def test_weighted_split_sums_exactly_and_is_never_negative(amount, ws):
    months = split_by_weights(amount, ws)
    assert sum(months) == amount
    assert all(m >= 0 for m in months)
    for m, w in zip(months[:11], ws[:11], strict=True):
        if w == 0:
            assert m == 0


def test_default_profile_is_light_in_the_first_quarter_and_heavy_in_december():
    months = split_by_weights(Decimal("1200"), DEFAULT_WEIGHTS)
    assert sum(months[:3]) < Decimal("300")  # below a quarter of the year
    assert months[11] == max(months)
    assert sum(months) == Decimal("1200")


@pytest.mark.django_db
def test_a_new_plan_is_split_evenly_on_save(zone):
    plan = AnnualPlan.objects.get(project=zone["projects"]["a"], year=2022)  # made by the zone builder
    assert plan.split_method == SplitMethod.EVEN
    assert plan.months == split_even(Decimal("12000.50"))
    assert plan.months[0] == Decimal("1000.04") and plan.months[11] == Decimal("1000.06")


@pytest.mark.django_db
def test_plan_set_manual_and_seasonal(zone):
    a = zone["projects"]["a"]
    manual = [Decimal("100")] * 11 + [Decimal("900")]
    plan = services.plan_set(
        project=a, year=2023, amount="2000", split="manual", months=manual, user=zone["users"]["admin"]
    )
    assert plan.months == manual and plan.split_method == SplitMethod.MANUAL
    plan = services.plan_split(plan=plan, method=SplitMethod.SEASONAL, user=zone["users"]["admin"])
    assert plan.months == split_by_weights(Decimal("2000"), [w / sum(DEFAULT_WEIGHTS) for w in DEFAULT_WEIGHTS])
    assert sum(plan.months) == Decimal("2000.00")
    # every split was recorded with the months before and after
    records = ChangeRecord.objects.filter(object_id=plan.pk, content_type__model="annualplan", action="update")
    assert records.count() == 1 and "month_12" in records[0].after


@pytest.mark.django_db
@pytest.mark.parametrize(
    "months, message",
    [
        ([Decimal("100")] * 12, "add up to 1200.00"),
        ([Decimal("-100")] + [Decimal("200")] * 10 + [Decimal("100")], "cannot be negative"),
        ([Decimal("100")] * 11, "twelve"),
        (["abc"] + [Decimal("100")] * 11, "not an amount"),
    ],
)
def test_bad_manual_split_is_refused_and_nothing_written(zone, months, message):
    before = state()
    plan = AnnualPlan.objects.get(project=zone["projects"]["a"], year=2022)
    with pytest.raises(ValidationError) as exc:
        services.plan_split(plan=plan, method=SplitMethod.MANUAL, months=months, user=zone["users"]["admin"])
    assert message in str(exc.value) or "不是" in str(exc.value)
    assert state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["enterprise", "leader", "viewer", "department", "admin_out"])
def test_only_the_office_in_scope_sets_plans(zone, role):
    before = state()
    with pytest.raises(PermissionDenied):
        services.plan_set(project=zone["projects"]["a"], year=2022, amount="1", user=zone["users"][role])
    assert state() == before


@pytest.mark.django_db
def test_negative_or_text_plan_is_refused(zone):
    before = state()
    for amount in ("-5", "lots"):
        with pytest.raises(ValidationError):
            services.plan_set(project=zone["projects"]["a"], year=2022, amount=amount, user=zone["users"]["admin"])
    assert state() == before


@pytest.mark.django_db
def test_importer_bulk_write_leaves_a_stale_split_that_stats_treat_as_even_and_ensure_split_mends(zone):
    a = zone["projects"]["a"]
    plan = AnnualPlan.objects.get(project=a, year=2022)
    services.plan_split(plan=plan, method=SplitMethod.SEASONAL)
    # the ledger importer writes the amount alone (bulk_update)
    plan.amount = Decimal("2400")
    AnnualPlan.objects.bulk_update([plan], ["amount"])
    payload = investment_payload(Project.objects.filter(pk=a.pk), year=2022, month=6)
    assert payload["total"]["plan_to_date"] == Decimal("1200.00")  # even: 6 × 200
    # a plan with no split at all (bulk_create) is also even
    AnnualPlan.objects.bulk_create([AnnualPlan(project=a, year=2021, amount=Decimal("1200"))])
    assert AnnualPlan.objects.get(project=a, year=2021).months is None
    payload = investment_payload(Project.objects.filter(pk=a.pk), year=2021, month=3)
    assert payload["total"]["plan_to_date"] == Decimal("300.00")
    stale = list(AnnualPlan.objects.filter(project=a))
    assert services.plans_ensure_split(stale) == 2
    for p in AnnualPlan.objects.filter(project=a):
        assert p.split_is_valid and p.split_method == SplitMethod.EVEN
    assert services.plans_ensure_split(list(AnnualPlan.objects.filter(project=a))) == 0
    # one by one too
    plan = AnnualPlan.objects.get(project=a, year=2022)
    AnnualPlan.objects.filter(pk=plan.pk).update(amount=Decimal("6000"))  # a bulk write: no split
    plan.refresh_from_db()
    assert services.plan_ensure_split(plan) is True
    assert sum(AnnualPlan.objects.get(pk=plan.pk).months) == Decimal("6000.00")


@pytest.mark.django_db
def test_seasonal_split_uses_the_zone_s_own_shares_after_two_complete_years(zone):
    a, c = zone["projects"]["a"], zone["projects"]["c"]
    jk = zone["regions"]["jingkai"]
    # A zone profile edited by the office: everything in December.
    SeasonalProfile.objects.create(region=jk, weights=[0] * 11 + [1])
    plan = services.plan_set(project=a, year=2022, amount="1200", split="seasonal")
    assert plan.months == [Decimal("0.00")] * 11 + [Decimal("1200.00")]
    # Two complete years of reports: twice as much in even months.
    for year in (2020, 2021):
        for m in range(1, 13):
            MonthlyReport.objects.create(
                project=c, year=year, month=m, invested=Decimal(2 if m % 2 == 0 else 1), status=ReportStatus.ACCEPTED
            )
    plan = services.plan_set(project=a, year=2022, amount="1800", split="seasonal")
    assert plan.months[0] == Decimal("100.00") and plan.months[1] == Decimal("200.00")
    assert sum(plan.months) == Decimal("1800.00")
