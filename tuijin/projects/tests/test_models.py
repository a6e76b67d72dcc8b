"""Model rules: milestone order, codes, names unique per region (NFKC), region paths, period order."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tuijin.core.testing import organization, project, region_tree
from tuijin.projects.choices import Stage
from tuijin.projects.models import Period, Project
from tuijin.regions.models import Region

D = datetime.date


@pytest.fixture
def base(db):
    r = region_tree()
    return {"r": r, "ent": organization("甲公司", r["jingkai"])}


def test_codes_are_assigned_per_region_in_sequence(base):
    jk, gx = base["r"]["jingkai"], base["r"]["gaoxin"]
    a = project("A", jk, base["ent"])
    b = project("B", jk, base["ent"])
    c = project("C", gx, base["ent"])
    assert (a.code, b.code, c.code) == ("410171-00001", "410171-00002", "410173-00001")
    kept = project("D", jk, base["ent"], code="JK-9")
    assert kept.code == "JK-9"


def test_milestones_must_be_in_order(base):
    p = Project(name="A", region=base["r"]["jingkai"], enterprise=base["ent"], total_investment=Decimal(1),
                signed_on=D(2022, 5, 1), started_on=D(2022, 4, 1))  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        p.full_clean()
    assert list(exc.value.message_dict) == ["started_on"]
    p.started_on = D(2022, 5, 1)  # the same day is fine
    p.production_on, p.effective_on = D(2022, 4, 30), None
    with pytest.raises(ValidationError) as exc:
        p.full_clean()
    assert list(exc.value.message_dict) == ["production_on"]


def test_total_investment_not_negative_and_enterprise_kind(base):
    from tuijin.accounts.choices import OrganizationKind

    dept = organization("发改局", base["r"]["jingkai"], OrganizationKind.DEPARTMENT)
    p = Project(name="A", region=base["r"]["jingkai"], enterprise=dept, total_investment=Decimal("-1"))
    with pytest.raises(ValidationError) as exc:
        p.full_clean()
    assert {"total_investment", "enterprise"} <= set(exc.value.message_dict)


def test_names_are_unique_per_region_after_folding(base):
    jk, gx = base["r"]["jingkai"], base["r"]["gaoxin"]
    project("智能装备产业园（一期）", jk, base["ent"])
    twin = Project(name="智能装备 产业园(一期)", region=jk, enterprise=base["ent"], total_investment=Decimal(1))
    twin.name_key = "智能装备产业园(一期)"
    with pytest.raises(ValidationError):
        twin.validate_constraints()
    project("智能装备产业园（一期）", gx, base["ent"])  # another region may hold the same name


def test_stage_follows_the_milestones_reached(base):
    p = project("A", base["r"]["jingkai"], base["ent"], signed_on=D(2022, 1, 1), started_on=D(2022, 6, 1),
                production_on=D(2023, 6, 1))  # fmt: skip
    assert p.stage_on(D(2021, 12, 31)) == Stage.RESERVE
    assert p.stage_on(D(2022, 1, 1)) == Stage.SIGNED
    assert p.stage_on(D(2022, 12, 31)) == Stage.STARTED
    assert p.stage_on(D(2023, 6, 1)) == Stage.PRODUCTION


def test_region_paths_levels_and_moves(base):
    r = base["r"]
    assert (r["henan"].level, r["zhengzhou"].level, r["jingkai"].level) == ("province", "city", "county")
    assert r["jingkai"].path == "/410000/410100/410171/"
    assert [a.code for a in r["jingkai"].ancestors()] == ["410000", "410100"]
    # Moving a city moves its subtree.
    hebei = Region.objects.create(code="130000", name="河北省")
    city = r["zhengzhou"]
    city.parent = hebei
    city.save()
    assert Region.objects.get(code="410171").path == "/130000/410100/410171/"


def test_region_cannot_go_under_itself(base):
    henan = base["r"]["henan"]
    henan.parent = base["r"]["jingkai"]
    with pytest.raises(ValidationError):
        henan.full_clean()


def test_period_dates_follow_numbers(db):
    Period.objects.create(number=1, date=D(2022, 3, 15))
    Period.objects.create(number=3, date=D(2022, 9, 20))
    with pytest.raises(ValidationError):
        Period(number=2, date=D(2022, 10, 1)).full_clean()
    Period(number=2, date=D(2022, 6, 20)).full_clean()
    p = Period.objects.create(number=12, date=D(2023, 1, 1))
    assert str(p) == "第十二期"
