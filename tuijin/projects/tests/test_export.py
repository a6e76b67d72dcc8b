"""Export writes the ledger template; importing an export back changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from tuijin.accounts.choices import OrganizationKind
from tuijin.accounts.models import Leader
from tuijin.core.importing import read_rows
from tuijin.core.models import ChangeRecord
from tuijin.core.testing import listed, organization, period, plan, project, region_tree
from tuijin.projects.importer import plan_import
from tuijin.projects.tables import COLUMNS
from tuijin.regions.models import Region

D = datetime.date


@pytest.fixture
def ledger(db):
    r = region_tree()
    jk, gx, ly = r["jingkai"], r["gaoxin"], r["luoyang_gx"]
    ent = organization("河南甲汽车有限公司", jk)
    ent2 = organization("洛阳丙材料有限公司", ly)
    dept = organization("经开区发展改革局", jk, OrganizationKind.DEPARTMENT)
    lead = Leader.objects.create(name="王明", region=jk)
    p = {1: period(1, "2022-03-15"), 2: period(2, "2022-06-20"), 3: period(3, "2022-12-20"),
         4: period(4, "2023-03-20")}  # fmt: skip
    full = dict(
        industry="汽车及零部件", nature="新建", content="年产50万套，含研发楼", location="第九大街", leader=lead,
        responsible_unit=dept, responsible_person="张伟", note="重点项目", signed_on=D(2022, 3, 1),
        planned_started_on=D(2022, 5, 1), started_on=D(2022, 6, 1), planned_production_on=D(2022, 12, 1),
        production_on=D(2022, 12, 10), effective_on=D(2023, 3, 1),
    )  # fmt: skip
    a = project("新能源汽车零部件项目", jk, ent, "52000.55", code="JK-A", **full)
    b = project("智能装备产业园", jk, ent, "80000.25", signed_on=D(2021, 12, 1))
    c = project("高端数控机床项目", gx, ent, "0.10", started_on=D(2022, 1, 1))
    d = project("新材料研发基地", ly, ent2, "123456789.99", signed_on=D(2022, 2, 1))
    e = project("退出的项目", jk, ent, "100")
    listed(a, p[1], "signed")
    listed(a, p[2], "started")  # converted
    listed(a, p[3], "production")  # converted again
    listed(b, p[1], "started")
    listed(b, p[2], "started", removed=True, reason="缓建")
    listed(b, p[4], "started")  # re-listed
    listed(c, p[2], "started")
    listed(d, p[1], "signed")
    listed(e, p[1], "signed")
    listed(e, p[3], "signed", removed=True, reason="企业注销")
    plan(a, 2022, "12000.50")
    plan(a, 2023, "8000")
    plan(c, 2022, "0.30")
    plan(b, 2023, "10000.01")
    return r


def export(tmp_path, *args) -> str:
    out = str(tmp_path / "out.xlsx")
    with translation.override("en"):
        call_command("export_ledger", out, *args)
    return out


def reimport(path, region="410000"):
    before = ChangeRecord.objects.count()
    plan_ = plan_import(path, region=Region.objects.get(code=region))
    assert ChangeRecord.objects.count() == before
    return plan_


def test_export_writes_the_template(ledger, tmp_path):
    path = export(tmp_path, "--as-of", "2022-12-31")
    sheet, rows = read_rows(path)
    assert sheet == "项目台账"
    assert "截至2022-12-31" in rows[0][0]  # the title row
    assert rows[1] == ["序号"] + [c.header for c in COLUMNS]
    by_name = {r[2]: dict(zip(rows[1], r, strict=True)) for r in rows[2:]}
    assert set(by_name) == {"新能源汽车零部件项目", "高端数控机床项目", "新材料研发基地"}  # b and e removed
    a = by_name["新能源汽车零部件项目"]
    assert (a["项目编号"], a["批次"], a["期次"], a["总投资(万元)"], a["年度计划投资(万元)"]) == (
        "JK-A", "投产", 3, 52000.55, 12000.5,
    )  # fmt: skip
    assert a["达效时间"] in (D(2023, 3, 1), datetime.datetime(2023, 3, 1))
    assert by_name["新材料研发基地"]["总投资(万元)"] == 123456789.99


@pytest.mark.parametrize(
    "args",
    [
        ("--as-of", "2022-12-31"),
        ("--as-of", "2022-06-20"),
        ("--as-of", "2023-12-31"),
        ("--period", "1"),
        ("--period", "2"),
        ("--period", "3"),
        ("--period", "4"),
        ("--as-of", "2022-12-31", "--region", "410171"),
    ],
)
def test_export_then_import_changes_nothing(ledger, tmp_path, args):
    path = export(tmp_path, *args)
    region = args[-1] if "--region" in args else "410000"
    plan_ = reimport(path, region)
    assert plan_.rows > 0
    assert plan_.is_empty, plan_.describe()
    assert plan_.summary()["unchanged_rows"] == plan_.rows
    assert plan_.organizations_new == [] and plan_.leaders_new == []


def test_export_amounts_round_trip_exactly(ledger, tmp_path):
    path = export(tmp_path, "--period", "1")
    plan_ = reimport(path)
    assert plan_.is_empty
    from tuijin.projects.models import Project

    assert Project.objects.get(name="新材料研发基地").total_investment == Decimal("123456789.99")


def test_empty_export_has_header_only(ledger, tmp_path):
    path = export(tmp_path, "--as-of", "2021-01-01")
    _sheet, rows = read_rows(path)
    assert rows[1][0] == "序号"
    assert [r for r in rows[2:] if any(c not in ("", None) for c in r)] == []
