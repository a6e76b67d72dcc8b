"""Compute, rank, adjust, publish and freeze: whole assessments against hand-computed tables."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.accounts.choices import OrganizationKind
from tuijin.assessment import services
from tuijin.assessment.models import (
    Adjustment,
    Assessment,
    AssessmentPeriod,
    Indicator,
    SchemeVersion,
    Score,
    ScoreItem,
)
from tuijin.core.testing import organization

from .helpers import D, scheme, task, unit_project, written


def table(assessment):
    """{unit name: (total, rank, mark, [points per indicator])}"""
    out = {}
    for s in assessment.scores.prefetch_related("items"):
        out[s.subject_label] = (str(s.total), s.rank, s.mark, [str(i.points) for i in s.items.order_by("id")])
    return out


@pytest.fixture
def three_units(az):
    """Three units of 经开区 with November 2022 tasks: 发改局 1 of 3 on time (one overdue) and a project started in
    November; 自然资源和规划局 1 of 1; 住建局 1 of 2."""
    z = az
    dept, dept2 = z["department"], z["department2"]
    dept3 = organization("经开区住房和城乡建设局", z["regions"]["jingkai"], OrganizationKind.DEPARTMENT)
    z["department3"] = dept3
    task(z, lead=dept, deadline=D(2022, 11, 15), done_on=D(2022, 11, 14), closed_on=D(2022, 11, 16))
    task(z, lead=dept, deadline=D(2022, 11, 20), done_on=D(2022, 11, 25), closed_on=D(2022, 11, 26))
    task(z, lead=dept, deadline=D(2022, 11, 25))
    task(z, lead=dept2, deadline=D(2022, 11, 5), done_on=D(2022, 11, 5), closed_on=D(2022, 11, 6))
    task(z, lead=dept3, deadline=D(2022, 11, 8), done_on=D(2022, 11, 8), closed_on=D(2022, 11, 9))
    task(z, lead=dept3, deadline=D(2022, 11, 9), done_on=D(2022, 11, 19), closed_on=D(2022, 11, 19))
    unit_project(z, "冷链物流园", dept, started_on=D(2022, 11, 5))
    return z


RULES = [
    {"code": "T", "label": "交办事项按期办结率", "weight": "40", "formula": "tasks_on_time", "rule": "linear",
     "rule_params": {"low": 0, "high": 100}},
    {"code": "N", "label": "当月开工", "weight": "10", "formula": "started_count", "rule": "per_item",
     "rule_params": {"per_item": 5, "cap": 10}},
    {"code": "R", "label": "办结率排名", "weight": "20", "formula": "tasks_on_time", "rule": "rank",
     "rule_params": {"step": 10}},
    {"code": "V", "label": "逾期两项否决", "weight": "0", "formula": "tasks_overdue", "rule": "veto",
     "rule_params": {"op": ">=", "threshold": 2}},
]  # fmt: skip


def test_a_whole_assessment_by_hand(three_units):
    z = three_units
    s = scheme("test", "units", RULES, red=1, black=1)
    a = services.assessment_compute(
        scheme=s, period="2022-11", region=z["regions"]["jingkai"], user=z["users"]["admin"], today=D(2023, 1, 10)
    )
    # T: 40 × rate; N: 5 per start; R: 1st 20, 2nd 10, 3rd 0; V: one overdue task is below the threshold
    # 发改局 33.33 % → 13.33 + 5 + 0 = 18.33; 自然资源和规划局 100 % → 40 + 0 + 20 = 60; 住建局 50 % → 20 + 0 + 10 = 30
    assert table(a) == {
        "经开区自然资源和规划局": ("60.00", 1, "red", ["40.00", "0.00", "20.00", "0.00"]),
        "经开区住房和城乡建设局": ("30.00", 2, "", ["20.00", "0.00", "10.00", "0.00"]),
        "经开区发展改革局": ("18.33", 3, "black", ["13.33", "5.00", "0.00", "0.00"]),
    }
    assert a.state == "draft" and a.computed_by == z["users"]["admin"]
    item = ScoreItem.objects.get(score__subject_key=str(z["department"].pk), indicator__code="T")
    assert (str(item.value), item.numbers["numerator"], item.numbers["denominator"]) == ("33.33", 1, 3)

    # Bonus points move 发改局 up: 33.33, and 住建局 goes to the black list
    services.adjustment_add(
        assessment=a, subject=str(z["department"].pk), points="15", reason="超额完成招商任务", user=z["users"]["admin"]
    )
    assert {k: v[:3] for k, v in table(a).items()} == {
        "经开区自然资源和规划局": ("60.00", 1, "red"),
        "经开区发展改革局": ("33.33", 2, ""),
        "经开区住房和城乡建设局": ("30.00", 3, "black"),
    }
    # A veto by hand (一票否决) zeroes the total whatever the points
    services.adjustment_add(
        assessment=a, subject=str(z["department2"].pk), points="0", reason="发生安全生产事故", veto=True
    )
    assert {k: v[:3] for k, v in table(a).items()} == {
        "经开区发展改革局": ("33.33", 1, "red"),
        "经开区住房和城乡建设局": ("30.00", 2, ""),
        "经开区自然资源和规划局": ("0.00", 3, "black"),
    }
    assert Score.objects.get(assessment=a, subject_key=str(z["department2"].pk)).vetoed
    # Recomputing keeps the adjustments and gives the same table (idempotent: still one assessment)
    before = table(a)
    again = services.assessment_compute(
        scheme=s, period="2022-11", region=z["regions"]["jingkai"], user=z["users"]["admin"], today=D(2023, 1, 10)
    )
    assert again.pk == a.pk and Assessment.objects.count() == 1 and table(again) == before
    assert Score.objects.filter(assessment=a).count() == 3


def test_the_veto_indicator_zeroes_the_total(three_units):
    z = three_units
    rules = [dict(r) for r in RULES]
    rules[3]["rule_params"] = {"op": ">=", "threshold": 1}  # one overdue task is enough
    s = scheme("strict", "units", rules, red=1, black=1)
    a = services.assessment_compute(scheme=s, period="2022-11", region=z["regions"]["jingkai"], today=D(2023, 1, 10))
    dept = Score.objects.get(assessment=a, subject_key=str(z["department"].pk))
    assert (str(dept.total), str(dept.base), dept.vetoed, dept.mark, dept.rank) == ("0.00", "18.33", True, "black", 3)
    assert dept.items.get(indicator__code="V").vetoed


def test_ties_share_the_rank(three_units):
    z = three_units
    rules = [{"code": "T", "label": "按期办结", "weight": "10", "formula": "tasks_on_time", "rule": "linear",
              "rule_params": {"low": 0, "high": 50}}]  # fmt: skip
    s = scheme("ties", "units", rules, red=1, black=1)
    a = services.assessment_compute(scheme=s, period="2022-11", region=z["regions"]["jingkai"], today=D(2023, 1, 10))
    # 100 % and 50 % both reach the upper threshold: 10 each, rank 1 shared, both red; 33.33 % → 6.67, rank 3
    assert {k: v[:3] for k, v in table(a).items()} == {
        "经开区自然资源和规划局": ("10.00", 1, "red"),
        "经开区住房和城乡建设局": ("10.00", 1, "red"),
        "经开区发展改革局": ("6.67", 3, "black"),
    }


def test_published_is_read_only_and_its_version_frozen(three_units, shipped):
    z = three_units
    admin, jk = z["users"]["admin"], z["regions"]["jingkai"]
    monthly = shipped["zone-monthly"]
    a = services.assessment_compute(scheme=monthly, period="2022-11", region=jk, user=admin, today=D(2023, 1, 10))
    services.assessment_publish(assessment=a, user=admin)
    a.refresh_from_db()
    v1 = a.version
    v1.refresh_from_db()
    assert a.state == "published" and a.published_by == admin and v1.frozen

    def state():
        return (
            written(),
            list(Score.objects.values_list("subject_key", "total", "rank")),
            list(Indicator.objects.filter(version=v1).values_list("code", "weight", "rule_params")),
            Adjustment.objects.count(),
            SchemeVersion.objects.count(),
        )

    before = state()
    refused = [
        lambda: services.assessment_compute(scheme=monthly, period="2022-11", region=jk, user=admin),
        lambda: services.adjustment_add(assessment=a, subject=str(z["department"].pk), points="2", reason="加分"),
        lambda: services.assessment_publish(assessment=a, user=admin),
        lambda: services.indicator_save(version=v1, code="Z1", weight=Decimal("30")),
        lambda: services.indicator_save(version=v1, code="Z9", label="新指标", weight=Decimal("1"),
                                        formula="started_count", rule="per_item", rule_params={"per_item": 1}),
        lambda: services.scheme_new_version(scheme=monthly, reason="  "),
        lambda: Indicator.objects.filter(version=v1).first().delete(),
        lambda: a.delete(),
    ]  # fmt: skip
    for attempt in refused:
        with pytest.raises(ValidationError):
            attempt()
        assert state() == before
    ind = Indicator.objects.get(version=v1, code="Z1")
    ind.weight = Decimal("30")
    with pytest.raises(ValidationError):
        ind.save()  # whichever door: the model refuses too
    assert state() == before
    # The shipped scheme is the superuser's to change; a zone's office may not
    with pytest.raises(PermissionDenied):
        services.scheme_new_version(scheme=monthly, reason="调整权重", user=admin)
    assert state() == before

    # A correction: a new version with the reason, its indicators copied, then edited and computed afresh
    v2 = services.scheme_new_version(scheme=monthly, reason="投资指标权重调整为30分", user=z["users"]["superuser"])
    assert v2.number == 2 and not v2.frozen
    assert list(v2.indicators.values_list("code", flat=True)) == list(v1.indicators.values_list("code", flat=True))
    services.indicator_save(version=v2, code="Z1", weight=Decimal("30"), user=z["users"]["superuser"])
    b = services.assessment_compute(scheme=monthly, period="2022-11", region=jk, user=admin, today=D(2023, 1, 10))
    assert b.pk != a.pk and b.version == v2 and b.state == "draft"
    a.refresh_from_db()
    assert (
        a.state == "published"
        and list(Score.objects.filter(assessment=a).values_list("subject_key", "total", "rank")) == before[1]
    )


def test_only_the_office_computes_publishes_and_adjusts(three_units):
    z = three_units
    s = scheme("test", "units", RULES)
    jk = z["regions"]["jingkai"]
    before = (written(), Assessment.objects.count(), AssessmentPeriod.objects.count())
    for role in ("leader", "department", "viewer", "enterprise", "admin_out"):
        with pytest.raises(PermissionDenied):
            services.assessment_compute(scheme=s, period="2022-11", region=jk, user=z["users"][role])
    assert (written(), Assessment.objects.count(), AssessmentPeriod.objects.count()) == before
    a = services.assessment_compute(scheme=s, period="2022-11", region=jk, user=z["users"]["admin"])
    before = (written(), Adjustment.objects.count(), a.state)
    for role in ("leader", "department", "admin_out"):
        with pytest.raises(PermissionDenied):
            services.adjustment_add(assessment=a, subject=str(z["department"].pk), points="1", reason="x",
                                    user=z["users"][role])  # fmt: skip
        with pytest.raises(PermissionDenied):
            services.assessment_publish(assessment=a, user=z["users"][role])
    a.refresh_from_db()
    assert (written(), Adjustment.objects.count(), a.state) == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"period": "2022-13"}, "period"),
        ({"period": "Q4-2022"}, "period"),
        ({"period": "2022-Q4", "subjects": "enterprises"}, "subjects"),
        ({"period": "2022-Q4", "subjects": "regions"}, "region"),  # 经开区 has no regions below it
    ],
)
def test_bad_input_writes_nothing(three_units, kwargs, field):
    z = three_units
    s = scheme("test", "units", RULES)
    before = (written(), Assessment.objects.count(), AssessmentPeriod.objects.count())
    with pytest.raises(ValidationError) as err:
        services.assessment_compute(scheme=s, region=z["regions"]["jingkai"], **kwargs)
    assert field in err.value.message_dict
    assert (written(), Assessment.objects.count(), AssessmentPeriod.objects.count()) == before


def test_adjustment_input_is_checked(three_units):
    z = three_units
    a = services.assessment_compute(
        scheme=scheme("test", "units", RULES), period="2022-11", region=z["regions"]["jingkai"]
    )
    before = (written(), Adjustment.objects.count())
    for kwargs in (
        {"subject": "999999", "points": "1", "reason": "x"},
        {"subject": str(z["department"].pk), "points": "abc", "reason": "x"},
        {"subject": str(z["department"].pk), "points": "0", "reason": "x"},
        {"subject": str(z["department"].pk), "points": "2", "reason": " "},
    ):
        with pytest.raises(ValidationError):
            services.adjustment_add(assessment=a, **kwargs)
    assert (written(), Adjustment.objects.count()) == before
    adj = services.adjustment_add(assessment=a, subject=str(z["department"].pk), points="-2.5", reason="月报迟报")
    assert Score.objects.get(assessment=a, subject_key=str(z["department"].pk)).adjustment == Decimal("-2.50")
    services.adjustment_delete(adjustment=adj)
    assert Score.objects.get(assessment=a, subject_key=str(z["department"].pk)).adjustment == Decimal("0.00")
