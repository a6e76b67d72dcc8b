"""The ledger importer against files the tests write: every alias, unit and date form, and every bad file.

Reasons are checked in English (translation.override("en")) so the tests keep passing once the Chinese
catalogue exists; the CLI tests check the default (Chinese) run on stable parts only.
"""

from __future__ import annotations

import datetime
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter
from django.utils import translation

from tuijin.accounts.models import Leader, Organization
from tuijin.core.changelog import change_context
from tuijin.core.choices import ChangeSource
from tuijin.core.importing import ImportFileError, RowErrors
from tuijin.core.models import ChangeRecord
from tuijin.core.testing import organization, period, project, region_tree
from tuijin.investment.models import AnnualPlan
from tuijin.projects.importer import apply_plan, plan_import
from tuijin.projects.models import Listing, Project
from tuijin.projects.services import listing_set
from tuijin.projects.tests.builders import write_ledger

H = ["项目名称", "建设单位", "批次", "期次", "总投资(万元)"]  # the required columns


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def base(db):
    regions = region_tree()
    periods = {6: period(6, "2022-09-20"), 7: period(7, "2022-12-25"), 8: period(8, "2023-03-20")}
    return {"regions": regions, "periods": periods}


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in (Project, Listing, Organization, Leader, AnnualPlan, ChangeRecord)}


def plan_of(path, region="410171", period_number=None):
    from tuijin.regions.models import Region

    return plan_import(str(path), region=Region.objects.get(code=region), period=period_number)


def run(path, region="410171", period_number=None):
    """Plan and apply an import the way the CLI does (source "import")."""
    with change_context(source=ChangeSource.IMPORT, label="test import"):
        plan = plan_of(path, region, period_number)
        apply_plan(plan)
    return plan


def row(name="新能源汽车零部件项目", ent="河南甲汽车有限公司", batch="签约", per=7, total=5000, **extra):
    return {"项目名称": name, "建设单位": ent, "批次": batch, "期次": per, "总投资(万元)": total, **extra}


def errors_of(path, region="410171", period_number=None) -> list:
    before = counts()
    with pytest.raises(RowErrors) as exc:
        run(path, region, period_number)
    assert counts() == before, "a refused file must write nothing"
    return exc.value.errors


def file_error(path, period_number=None) -> str:
    before = counts()
    with pytest.raises(ImportFileError) as exc:
        run(path, period_number=period_number)
    assert counts() == before
    return str(exc.value)


# ---- a good file ----


def test_first_import_creates_projects_with_every_column(base, tmp_path):
    headers = [
        "序号", "项目编号", "项目名称", "建设单位", "所属区域", "产业类别", "建设性质", "建设内容及规模", "建设地点",
        "批次", "期次", "总投资(万元)", "年度计划投资(万元)", "签约时间", "计划开工时间", "实际开工时间",
        "计划投产时间", "实际投产时间", "达效时间", "责任领导", "责任单位", "责任人", "调整情况", "备注",
    ]  # fmt: skip
    values = [
        1, "JK-001", "新能源汽车零部件项目", "河南甲汽车有限公司", "郑州经开区", "汽车及零部件", "新建",
        "年产50万套零部件", "经开区第九大街", "开工一批", "第7期", 52000.5, 12000.25, datetime.date(2022, 3, 1),
        datetime.date(2022, 5, 1), datetime.date(2022, 6, 1), datetime.date(2023, 6, 30), None, None, "王明",
        "经开区发展改革局", "张伟", None, "重点推进",
    ]  # fmt: skip
    path = write_ledger(tmp_path / "l.xlsx", [values], headers=headers)
    first_record = ChangeRecord.objects.count()
    plan = run(path)
    assert plan.warnings == []
    assert plan.summary()["new_projects"] == 1
    p = Project.objects.get(code="JK-001")
    assert (p.name, p.region.code, p.enterprise.name, p.enterprise.kind) == (
        "新能源汽车零部件项目", "410171", "河南甲汽车有限公司", "enterprise",
    )  # fmt: skip
    assert (p.industry, p.nature, p.content, p.location) == (
        "汽车及零部件",
        "新建",
        "年产50万套零部件",
        "经开区第九大街",
    )
    assert p.total_investment == Decimal("52000.50")
    assert (p.signed_on, p.planned_started_on, p.started_on) == (
        datetime.date(2022, 3, 1), datetime.date(2022, 5, 1), datetime.date(2022, 6, 1),
    )  # fmt: skip
    assert p.planned_production_on == datetime.date(2023, 6, 30)
    assert p.production_on is None and p.effective_on is None
    assert p.leader.name == "王明"
    assert (p.responsible_unit.name, p.responsible_unit.kind) == ("经开区发展改革局", "department")
    assert (p.responsible_person, p.note) == ("张伟", "重点推进")
    [lst] = p.listings.all()
    assert (lst.period_id, lst.batch, lst.action) == (7, "started", "listed")
    # Period 7 is on 2022-12-25: the plan is for 2022.
    assert list(p.annual_plans.values_list("year", "amount")) == [(2022, Decimal("12000.25"))]
    records = ChangeRecord.objects.order_by("id")[first_record:]
    assert {r.source for r in records} == {"import"}
    assert {(r.content_type.model, r.action) for r in records} == {
        ("project", "create"), ("listing", "create"), ("annualplan", "create"), ("organization", "create"),
        ("leader", "create"),
    }  # fmt: skip
    assert len(records) == 6  # project, listing, plan, enterprise, department, leader


def test_new_project_without_code_gets_a_region_code(base, tmp_path):
    run(write_ledger(tmp_path / "l.xlsx", [row(), row(name="智能装备产业园")]))
    assert sorted(Project.objects.values_list("code", flat=True)) == ["410171-00001", "410171-00002"]


@pytest.mark.parametrize(
    ("header", "value"),
    [("建设单位", "河南甲汽车有限公司"), ("项目单位", "河南甲汽车有限公司"), ("企业名称", "河南甲汽车有限公司")],
)
def test_enterprise_header_aliases(base, tmp_path, header, value):
    headers = ["项目名称", header, "批次", "期次", "总投资(万元)"]
    run(write_ledger(tmp_path / "l.xlsx", [["项目甲", value, "签约", 7, 100]], headers=headers))
    assert Project.objects.get().enterprise.name == "河南甲汽车有限公司"


@pytest.mark.parametrize("header", ["产业类别", "行业"])
def test_industry_header_aliases(base, tmp_path, header):
    run(write_ledger(tmp_path / "l.xlsx", [["项目甲", "甲公司", "签约", 7, 100, "装备制造"]], headers=[*H, header]))
    assert Project.objects.get().industry == "装备制造"


@pytest.mark.parametrize("header", ["批次", "类别", " 批 次 ", "批次\n"])
def test_batch_header_aliases_and_white_space(base, tmp_path, header):
    headers = ["项目名称", "建设单位", header, "期次", "总投资(万元)"]
    run(write_ledger(tmp_path / "l.xlsx", [["项目甲", "甲公司", "投产一批", 7, 100]], headers=headers))
    assert Listing.objects.get().batch == "production"


@pytest.mark.parametrize(
    ("word", "batch"),
    [("签约", "signed"), ("签约一批", "signed"), ("开工", "started"), ("开工一批", "started"), ("投产", "production"),
     ("投产一批", "production"), (" 开工一批 ", "started")],
)  # fmt: skip
def test_batch_words(base, tmp_path, word, batch):
    run(write_ledger(tmp_path / "l.xlsx", [row(batch=word)]))
    assert Listing.objects.get().batch == batch


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("总投资(万元)", 5000, "5000.00"),
        ("总投资（万元）", 5000, "5000.00"),
        ("总投资", 5000, "5000.00"),
        ("总投资(元)", 50_000_000, "5000.00"),
        ("总投资（元）", 1_234_567, "123.46"),  # 123.4567 万元, rounded half up to hundredths
        ("总投资(亿元)", 0.5, "5000.00"),
        ("总投资（亿元）", 12.3456, "123456.00"),
        ("总投资(万元)", "5,000.10", "5000.10"),
        ("总投资(万元)", "５０００", "5000.00"),  # full-width digits in a text cell
    ],
)
def test_total_investment_units(base, tmp_path, header, value, expected):
    headers = ["项目名称", "建设单位", "批次", "期次", header]
    run(write_ledger(tmp_path / "l.xlsx", [["项目甲", "甲公司", "签约", 7, value]], headers=headers))
    assert Project.objects.get().total_investment == Decimal(expected)


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("年度计划投资(万元)", 800, "800.00"),
        ("年度计划投资（亿元）", 0.08, "800.00"),
        ("年度计划投资(元)", 8_000_000, "800.00"),
    ],
)
def test_annual_plan_units(base, tmp_path, header, value, expected):
    run(write_ledger(tmp_path / "l.xlsx", [["项目甲", "甲公司", "签约", 7, 5000, value]], headers=[*H, header]))
    assert AnnualPlan.objects.get().amount == Decimal(expected)


@pytest.mark.parametrize(
    "value",
    [
        datetime.date(2022, 12, 25),  # a real Excel date
        44920,  # the same day as an Excel serial number in a General cell
        "2022-12-25",
        "2022/12/25",
        "2022.12.25",
        "2022年12月25日",
        "2022-12-25 00:00:00",
        "２０２２年１２月２５日",
        " 2022/12/25 ",
    ],
)
@pytest.mark.parametrize(
    ("header", "field"),
    [("签约时间", "signed_on"), ("计划开工时间", "planned_started_on"), ("实际开工时间", "started_on"),
     ("计划投产时间", "planned_production_on"), ("实际投产时间", "production_on"), ("达效时间", "effective_on")],
)  # fmt: skip
def test_dates_in_every_form(base, tmp_path, value, header, field):
    run(write_ledger(tmp_path / "l.xlsx", [["项目甲", "甲公司", "签约", 7, 100, value]], headers=[*H, header]))
    assert getattr(Project.objects.get(), field) == datetime.date(2022, 12, 25)


def test_title_rows_and_merged_cells_above_the_header(base, tmp_path):
    path = tmp_path / "l.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("第七期")
    sheet.merge_range(0, 0, 0, 5, "郑州经开区第七期“三个一批”项目汇总表")
    sheet.merge_range(1, 0, 1, 2, "填报单位：经开区重点项目办")
    sheet.merge_range(1, 3, 1, 5, "单位：万元")
    # row 3 is empty; the header is on row 4, with a merged cell spanning two header rows
    sheet.merge_range(3, 0, 4, 0, "序号")
    sheet.write_row(3, 1, ["项目名称", "建设单位", "批次", "期次", "总投资（万元）"])
    sheet.write_row(5, 0, [1, "项目甲", "甲公司", "签约一批", "第七期", 100])
    sheet.write_row(6, 0, [2, "项目乙", "乙公司", "开工一批", "第七期", 200])
    book.close()
    plan = run(path)
    assert plan.sheet == "第七期"
    assert sorted(Project.objects.values_list("name", "total_investment")) == [
        ("项目乙", Decimal("200.00")), ("项目甲", Decimal("100.00")),
    ]  # fmt: skip


def test_title_row_errors_use_excel_row_numbers(base, tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", [row(), row(name="项目乙", batch="签到")])  # title on row 1
    [err] = errors_of(path)
    assert (err.sheet, err.row, err.column, err.value) == ("台账", 4, "批次", "签到")


@pytest.mark.parametrize("value", [7, "7", "第7期", "第七期", "7期", "第７期", "７", " 第 七 期 "])
def test_period_forms(base, tmp_path, value):
    run(write_ledger(tmp_path / "l.xlsx", [row(per=value)]))
    assert Listing.objects.get().period_id == 7


def test_period_option_for_the_whole_file(base, tmp_path):
    headers = ["项目名称", "建设单位", "批次", "总投资(万元)"]
    run(write_ledger(tmp_path / "l.xlsx", [["项目甲", "甲公司", "签约", 100]], headers=headers), period_number=8)
    assert Listing.objects.get().period_id == 8


def test_period_option_fills_empty_period_cells(base, tmp_path):
    run(write_ledger(tmp_path / "l.xlsx", [row(per=None), row(name="项目乙", per="第8期")]), period_number=8)
    assert sorted(Listing.objects.values_list("period_id", flat=True)) == [8, 8]


def test_period_option_contradicted_by_a_cell(base, tmp_path):
    [err] = errors_of(write_ledger(tmp_path / "l.xlsx", [row(per=7)]), period_number=8)
    assert (err.row, err.column, err.value) == (3, "期次", "7")


def test_names_match_across_full_width_half_width_and_spaces(base, tmp_path):
    jk = base["regions"]["jingkai"]
    ent = organization("河南甲汽车有限公司（郑州）", jk)
    p = project("智能装备产业园（一期）", jk, ent, "1000", code="JK-9")
    before = counts()
    plan = run(write_ledger(tmp_path / "l.xlsx", [row(name=" 智能装备 产业园(一期)", ent="河南甲汽车 有限公司(郑州)")]))
    assert plan.summary()["new_projects"] == 0
    assert counts()["Project"] == before["Project"]
    assert counts()["Organization"] == before["Organization"]  # no new enterprise
    p.refresh_from_db()
    assert p.name == "智能装备产业园（一期）"  # the stored name is kept
    assert p.enterprise == ent
    assert p.listings.get().period_id == 7


def test_header_with_full_width_brackets_and_letters(base, tmp_path):
    headers = ["项目名称", "建设单位", "批次", "期次", "总投资（万元）", "年度计划投资 （ 万元 ）"]
    run(write_ledger(tmp_path / "l.xlsx", [["项目甲", "甲公司", "签约", 7, "１２３.４", "１０"]], headers=headers))
    assert Project.objects.get().total_investment == Decimal("123.40")
    assert AnnualPlan.objects.get().amount == Decimal("10.00")


def test_region_column_by_name_or_code(base, tmp_path):
    rows = [row(name="项目甲", 所属区域="郑州高新区"), row(name="项目乙", 所属区域=410171), row(name="项目丙")]
    run(write_ledger(tmp_path / "l.xlsx", rows, headers=[*H, "所属区域"]), region="410100")
    assert dict(Project.objects.values_list("name", "region__code")) == {
        "项目甲": "410173", "项目乙": "410171", "项目丙": "410100",
    }  # fmt: skip


def test_region_outside_the_import_region_is_an_error(base, tmp_path):
    [err] = errors_of(write_ledger(tmp_path / "l.xlsx", [row(所属区域="洛阳高新区")], headers=[*H, "所属区域"]))
    assert (err.row, err.column, err.value) == (3, "所属区域", "洛阳高新区")
    assert "no such region" in err.reason


def test_unknown_columns_are_warnings(base, tmp_path):
    plan = run(write_ledger(tmp_path / "l.xlsx", [row(联系电话="0371-1234")], headers=[*H, "联系电话"]))
    assert Project.objects.count() == 1
    assert len(plan.warnings) == 1 and "联系电话" in plan.warnings[0]


# ---- listings over periods ----


def test_conversion_and_removal_across_periods(base, tmp_path):
    run(write_ledger(tmp_path / "p6.xlsx", [row(name="项目甲", per=6), row(name="项目乙", per=6)]))
    plan = run(
        write_ledger(
            tmp_path / "p7.xlsx",
            [row(name="项目甲", batch="开工一批", per=7), row(name="项目乙", per=7, 调整情况="调出：企业经营困难")],
        )
    )
    assert plan.summary()["converted"] == 1 and plan.summary()["removed"] == 1
    history = {
        (name, n): (batch, action, reason)
        for name, n, batch, action, reason in Listing.objects.values_list(
            "project__name", "period_id", "batch", "action", "reason"
        )
    }
    assert history == {
        ("项目甲", 6): ("signed", "listed", ""),
        ("项目甲", 7): ("started", "converted", ""),
        ("项目乙", 6): ("signed", "listed", ""),
        ("项目乙", 7): ("signed", "removed", "企业经营困难"),
    }


@pytest.mark.parametrize("text", ["调出", "调出:停建", "调出（停建）", "调出，停建"])
def test_removal_forms(base, tmp_path, text):
    run(write_ledger(tmp_path / "p6.xlsx", [row(per=6)]))
    run(write_ledger(tmp_path / "p7.xlsx", [row(per=7, 调整情况=text)]))
    lst = Listing.objects.get(period_id=7)
    assert lst.action == "removed"
    assert lst.reason == ("" if text == "调出" else "停建")


def test_relisting_after_removal_in_the_same_file_period(base, tmp_path):
    run(write_ledger(tmp_path / "a.xlsx", [row(per=6)]))
    run(write_ledger(tmp_path / "b.xlsx", [row(per=7, 调整情况="调出：缓建")]))
    run(write_ledger(tmp_path / "c.xlsx", [row(per=7)]))  # the corrected list puts it back
    assert Listing.objects.get(period_id=7).action == "listed"
    assert Listing.objects.get(period_id=7).reason == ""


def test_importing_an_earlier_period_rederives_later_conversions(base, tmp_path):
    run(write_ledger(tmp_path / "p7.xlsx", [row(batch="开工", per=7)]))
    assert Listing.objects.get(period_id=7).action == "listed"
    plan = run(write_ledger(tmp_path / "p6.xlsx", [row(batch="签约", per=6)]))
    assert Listing.objects.get(period_id=7).action == "converted"
    assert plan.summary()["listings_changed"] == 1


# ---- re-import, dry run, empty cells, annual plans ----


def _full_file(tmp_path, name="full.xlsx", per=7, batch="开工一批", adjustment=None):
    return write_ledger(
        tmp_path / name,
        [
            row(
                name="项目甲",
                batch=batch,
                per=per,
                total="52,000.50",
                年度计划投资="１２０００",
                签约时间="2022年3月1日",
                实际开工时间=datetime.date(2022, 6, 1),
                责任领导="王明",
                责任单位="发改局",
                所属区域="郑州经开区",
                产业类别="汽车",
                调整情况=adjustment,
                备注="重点",
            ),
            row(
                name="项目乙",
                ent="乙公司",
                batch="投产一批",
                per=per,
                total=1.5,
                达效时间="2022.12.1",
                实际投产时间="2022/11/1",
            ),
        ],
        headers=[
            *H,
            "年度计划投资",
            "签约时间",
            "实际开工时间",
            "实际投产时间",
            "达效时间",
            "责任领导",
            "责任单位",
            "所属区域",
            "产业类别",
            "调整情况",
            "备注",
        ],
    )


def test_reimporting_the_same_file_changes_nothing(base, tmp_path):
    run(write_ledger(tmp_path / "p6.xlsx", [row(name="项目甲", per=6)]))
    path = _full_file(tmp_path)
    run(path)
    before = counts()
    snapshot = list(Project.objects.order_by("pk").values())
    plan = run(path)
    assert plan.is_empty
    assert plan.summary()["unchanged_rows"] == 2
    assert plan.describe() == []
    assert counts() == before  # no new change records either
    assert list(Project.objects.order_by("pk").values()) == snapshot


def test_reimport_of_a_removal_changes_nothing(base, tmp_path):
    run(write_ledger(tmp_path / "p6.xlsx", [row(per=6)]))
    path = write_ledger(tmp_path / "p7.xlsx", [row(per=7, 调整情况="调出：停建")])
    run(path)
    before = counts()
    assert run(path).is_empty
    assert counts() == before


def test_dry_run_plan_writes_nothing(base, tmp_path):
    run(write_ledger(tmp_path / "p6.xlsx", [row(name="项目甲", per=6), row(name="项目乙", per=6)]))
    before = counts()
    rows = [row(name="项目甲", batch="开工", per=7), row(name="项目乙", 调整情况="调出：停建"), row(name="项目丙")]
    plan = plan_of(write_ledger(tmp_path / "p7.xlsx", rows))
    assert counts() == before
    kinds = {(line["kind"], line["project"]) for line in plan.describe()}
    assert kinds == {("converted", "项目甲"), ("removed", "项目乙"), ("new", "项目丙")}
    assert Project.objects.filter(name="项目丙").count() == 0


def test_empty_cells_keep_stored_values(base, tmp_path):
    _ = _full_file(tmp_path)
    run(_)
    p = Project.objects.get(name="项目甲")
    stored = {f: getattr(p, f) for f in ("industry", "signed_on", "started_on", "leader_id", "responsible_unit_id",
                                         "note", "region_id", "total_investment", "enterprise_id")}  # fmt: skip
    # The next period's list names only the project, its batch and period: nothing else may change.
    run(write_ledger(tmp_path / "thin.xlsx", [["项目甲", None, "开工", 8, None]], headers=H))
    p.refresh_from_db()
    assert {f: getattr(p, f) for f in stored} == stored
    assert p.listings.get(period_id=8).batch == "started"
    assert AnnualPlan.objects.filter(project=p).count() == 1


def test_empty_cells_in_present_columns_keep_stored_values(base, tmp_path):
    run(_full_file(tmp_path))
    p = Project.objects.get(name="项目甲")
    before_records = ChangeRecord.objects.count()
    headers = [*H, "年度计划投资", "签约时间", "实际开工时间", "责任领导", "责任单位", "产业类别", "备注"]
    run(write_ledger(tmp_path / "blank.xlsx", [["项目甲", None, "开工", 7, None]], headers=headers))
    p2 = Project.objects.get(pk=p.pk)
    assert p2.total_investment == p.total_investment and p2.enterprise_id == p.enterprise_id
    assert (p2.signed_on, p2.started_on, p2.industry, p2.note) == (p.signed_on, p.started_on, p.industry, p.note)
    assert (p2.leader_id, p2.responsible_unit_id) == (p.leader_id, p.responsible_unit_id)
    assert ChangeRecord.objects.count() == before_records


def test_changed_cells_update_the_project_with_one_record(base, tmp_path):
    run(_full_file(tmp_path))
    p = Project.objects.get(name="项目甲")
    before_records = ChangeRecord.objects.count()
    plan = run(write_ledger(tmp_path / "u.xlsx", [row(name="项目甲", batch="开工", per=7, total=60000)]))
    assert plan.summary()["updated_projects"] == 1
    p.refresh_from_db()
    assert p.total_investment == Decimal("60000.00")
    [rec] = ChangeRecord.objects.order_by("-id")[: ChangeRecord.objects.count() - before_records]
    assert (rec.action, rec.source, rec.object_id) == ("update", "import", p.pk)
    assert rec.before == {"total_investment": "52000.50"}
    assert rec.after == {"total_investment": "60000.00"}


def test_annual_plan_is_for_the_year_of_the_period(base, tmp_path):
    headers = [*H, "年度计划投资(万元)"]
    plan = "年度计划投资(万元)"
    run(write_ledger(tmp_path / "p7.xlsx", [row(per=7, **{plan: 800})], headers=headers))  # 2022-12-25
    run(write_ledger(tmp_path / "p8.xlsx", [row(per=8, **{plan: 1500})], headers=headers))  # 2023-03-20
    assert list(AnnualPlan.objects.order_by("year").values_list("year", "amount")) == [
        (2022, Decimal("800.00")), (2023, Decimal("1500.00")),
    ]  # fmt: skip
    result = run(write_ledger(tmp_path / "p8b.xlsx", [row(per=8, **{plan: 1600})], headers=headers))
    assert result.summary()["annual_plans"] == 1
    assert AnnualPlan.objects.get(year=2023).amount == Decimal("1600.00")
    rec = ChangeRecord.objects.filter(content_type__model="annualplan", action="update").get()
    # the new amount no longer fits the old even split: the months are split again, and recorded with it
    months = [f"month_{m}" for m in range(1, 13)]
    assert rec.before == {"amount": "1500.00", **dict.fromkeys(months, "125.00")}
    assert rec.after == {"amount": "1600.00", **dict.fromkeys(months[:-1], "133.33"), "month_12": "133.37"}


def test_import_records_hold_changed_fields_only(base, tmp_path):
    run(_full_file(tmp_path))
    run(write_ledger(tmp_path / "u.xlsx", [row(name="项目甲", batch="开工", per=7, total=None, 备注="已开工")],
                     headers=[*H, "备注"]))  # fmt: skip
    rec = ChangeRecord.objects.filter(content_type__model="project", action="update").get()
    assert rec.before == {"note": "重点"} and rec.after == {"note": "已开工"}
    created = ChangeRecord.objects.get(action="create", content_type__model="project", object_repr="项目甲")
    assert "created" not in created.after and "last_updated" not in created.after
    assert created.after["name"] == "项目甲"


def test_a_listing_change_is_recorded_with_its_changed_fields(base, tmp_path):
    run(write_ledger(tmp_path / "a.xlsx", [row(per=7)]))
    run(write_ledger(tmp_path / "b.xlsx", [row(per=7, 调整情况="调出：缓建")]))
    rec = ChangeRecord.objects.filter(content_type__model="listing", action="update").get()
    assert rec.before == {"action": "listed", "reason": ""}
    assert rec.after == {"action": "removed", "reason": "缓建"}


def test_import_links_existing_stored_listings(base, tmp_path):
    """A project listed through the services (not an import) is matched and its listing kept."""
    jk = base["regions"]["jingkai"]
    p = project("项目甲", jk, organization("甲公司", jk), "100")
    listing_set(project=p, period=base["periods"][6], batch="signed")
    run(write_ledger(tmp_path / "l.xlsx", [row(name="项目甲", ent="甲公司", batch="开工", per=7, total=100)]))
    assert list(p.listings.values_list("period_id", "batch", "action")) == [
        (6, "signed", "listed"), (7, "started", "converted"),
    ]  # fmt: skip


# ---- bad files: each gives its error and writes nothing ----


@pytest.mark.parametrize("missing", ["项目名称", "建设单位", "批次", "总投资(万元)"])
def test_missing_required_column(base, tmp_path, missing):
    headers = [h for h in H if h != missing]
    values = [v for h, v in zip(H, ["项目甲", "甲公司", "签约", 7, 100], strict=True) if h != missing]
    path = write_ledger(tmp_path / "l.xlsx", [values], headers=headers)
    if missing == "项目名称":  # without it there is no header row at all
        assert "No header row" in file_error(path)
        return
    errs = errors_of(path)
    assert [(e.row, e.column, e.reason) for e in errs] == [
        (2, missing.removesuffix("(万元)"), "required column is missing")
    ]


def test_missing_period_column_without_period_option(base, tmp_path):
    path = write_ledger(
        tmp_path / "l.xlsx", [["项目甲", "甲公司", "签约", 100]], headers=["项目名称", "建设单位", "批次", "总投资"]
    )
    [err] = errors_of(path)
    assert (err.row, err.column) == (2, "期次")
    assert "--period" in err.reason


@pytest.mark.parametrize(
    ("cells", "column", "value", "reason"),
    [
        ({"总投资(万元)": -5}, "总投资(万元)", "-5", "cannot be negative"),
        ({"总投资(万元)": "五千"}, "总投资(万元)", "五千", "not a number"),
        ({"总投资(万元)": "约5000"}, "总投资(万元)", "约5000", "not a number"),
        ({"年度计划投资(万元)": -1}, "年度计划投资(万元)", "-1", "cannot be negative"),
        ({"批次": "储备"}, "批次", "储备", "unknown batch"),
        ({"批次": None}, "批次", "", "batch is empty"),
        ({"签约时间": "2022-02-30"}, "签约时间", "2022-02-30", "no such date"),
        ({"签约时间": "2022年13月1日"}, "签约时间", "2022年13月1日", "no such date"),
        ({"签约时间": "下个月"}, "签约时间", "下个月", "not a date"),
        ({"期次": "第九十九期"}, "期次", "第九十九期", "period 99 does not exist"),
        ({"期次": 99}, "期次", "99", "period 99 does not exist"),
        ({"期次": "上期"}, "期次", "上期", "not a period"),
        ({"期次": None}, "期次", "", "period is empty"),
        ({"项目名称": None}, "项目名称", "", "project name is empty"),
        ({"调整情况": "待定"}, "调整情况", "待定", "unknown adjustment"),
        ({"所属区域": "火星"}, "所属区域", "火星", "no such region"),
        ({"实际开工时间": "2021-01-01"}, "实际开工时间", "2021-01-01", "cannot be before"),
        ({"产业类别": "长" * 51}, "产业类别", "长" * 51, "at most 50 characters"),
    ],
)
def test_bad_cell(base, tmp_path, cells, column, value, reason):
    headers = [*H, "年度计划投资(万元)", "签约时间", "实际开工时间", "调整情况", "所属区域", "产业类别"]
    good = row(签约时间="2022-03-01", 实际开工时间="2022-06-01", **{"年度计划投资(万元)": 1})
    data = {**good, **cells}
    path = write_ledger(tmp_path / "l.xlsx", [row(name="好项目"), data], headers=headers)
    [err] = errors_of(path)
    assert (err.sheet, err.row, err.column, err.value) == ("台账", 4, column, value)
    assert reason in err.reason


def test_new_project_needs_an_enterprise_and_total(base, tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", [row(ent=None), row(name="项目乙", total=None)])
    errs = errors_of(path)
    assert {(e.row, e.column) for e in errs} == {(3, "建设单位"), (4, "总投资(万元)")}
    assert all("new project needs" in e.reason for e in errs)


@pytest.mark.parametrize(
    "rows",
    [
        [row(name="项目甲"), row(name="项目甲", batch="开工")],
        [row(name="项目甲"), row(name="项目 甲")],  # the same name after folding
        [row(name="项目甲", 项目编号="X1"), row(name="项目乙", 项目编号="X1")],
        [row(name="项目甲", 项目编号="X1"), row(name="项目甲")],
    ],
)
def test_duplicate_rows(base, tmp_path, rows):
    errs = errors_of(write_ledger(tmp_path / "l.xlsx", rows, headers=[*H, "项目编号"]))
    assert [(e.row, e.column) for e in errs] == [(4, "项目名称")]
    assert "already on row 3" in errs[0].reason


def test_removing_an_unknown_project(base, tmp_path):
    [err] = errors_of(write_ledger(tmp_path / "l.xlsx", [row(name="不存在的项目", 调整情况="调出：停建")]))
    assert (err.row, err.column) == (3, "调整情况")
    assert "not in the ledger" in err.reason


def test_several_errors_in_one_file_are_all_reported(base, tmp_path):
    headers = [*H, "签约时间"]
    rows = [
        row(name="好项目"),
        row(name="项目甲", total=-1),
        row(name="项目乙", batch="未知", 签约时间="2022-02-30"),
        row(name="项目丙", per="第九十期"),
        row(name="好项目"),
    ]
    errs = errors_of(write_ledger(tmp_path / "l.xlsx", rows, headers=headers))
    assert [(e.row, e.column) for e in errs] == [
        (4, "总投资(万元)"), (5, "批次"), (5, "签约时间"), (6, "期次"), (7, "项目名称"),
    ]  # fmt: skip


def test_one_bad_row_among_many_writes_nothing(base, tmp_path):
    rows = [row(name=f"项目{i}") for i in range(50)] + [row(name="坏项目", total="n/a")]
    [err] = errors_of(write_ledger(tmp_path / "l.xlsx", rows))
    assert err.row == 53


def test_period_option_that_does_not_exist(base, tmp_path):
    message = file_error(write_ledger(tmp_path / "l.xlsx", [row()]), period_number=42)
    assert "Period 42 does not exist" in message


def test_empty_file(base, tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "not an .xlsx" in file_error(path)


def test_workbook_without_any_rows(base, tmp_path):
    path = tmp_path / "blank.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Sheet1")
    book.close()
    assert "is empty" in file_error(path)


def test_header_but_no_data(base, tmp_path):
    assert "no projects under it" in file_error(write_ledger(tmp_path / "l.xlsx", []))


def test_no_header_row(base, tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", [["甲", "乙"]], headers=["名称", "单位"])
    assert "No header row" in file_error(path)


def test_docx_renamed_xlsx(base, tmp_path):
    path = tmp_path / "报告.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document><w:body/></w:document>')
    assert "not an .xlsx" in file_error(path)


def test_text_file_renamed_xlsx(base, tmp_path):
    path = tmp_path / "l.xlsx"
    path.write_text("项目名称,建设单位,批次,期次,总投资\n项目甲,甲公司,签约,7,100\n", encoding="utf-8")
    assert "not an .xlsx" in file_error(path)


def test_file_like_source(base, tmp_path):
    """The web upload passes a file object, not a path."""
    path = write_ledger(tmp_path / "l.xlsx", [row()])
    from tuijin.regions.models import Region

    with open(path, "rb") as fh:
        plan = plan_import(fh, region=Region.objects.get(code="410171"))
    assert plan.summary()["new_projects"] == 1
