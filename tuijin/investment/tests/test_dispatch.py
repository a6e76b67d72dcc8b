"""The dispatch table (月度调度表): import (monthly and cumulative columns, dry run, idempotent, all or nothing)
and export (subtotals per batch and leader, a grand total; exporting then importing changes nothing)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tuijin.core.importing import ImportFileError, RowErrors, read_rows
from tuijin.core.models import ChangeRecord
from tuijin.investment.choices import ReportStatus
from tuijin.investment.importer import plan_dispatch
from tuijin.investment.models import AnnualPlan, MonthlyReport

from .helpers import state, write_sheet

pytestmark = pytest.mark.django_db
MONTH_HEADERS = [f"{m}月完成投资(万元)" for m in range(1, 9)]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_monthly", *map(str, args), "--lang", "en", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_monthly", *map(str, args), "--lang", "en", stdout=io.StringIO(), stderr=err)
    assert exc.value.returncode == 2
    return err.getvalue() + str(exc.value)


def invested(project, year=2022) -> dict:
    return dict(MonthlyReport.objects.filter(project=project, year=year).values_list("month", "invested"))


def test_import_monthly_columns_dry_run_then_real_then_again(zone, tmp_path):
    a, c = zone["projects"]["a"], zone["projects"]["c"]
    path = write_sheet(
        tmp_path / "d.xlsx",
        ["序号", "项目名称", "年度计划投资(万元)", *MONTH_HEADERS],
        [
            [1, "新能源汽车零部件项目", 12000.5, 100, 200, 300, 400, 500, 600, 700, 800],
            [2, "高端数控机床项目", 3000, 10, 10, 10, 10, None, None, None, 12.5],
        ],
    )
    before = state()
    out, _err = run(path, "--year", 2022, "--region", "410171", "--dry-run")
    assert state() == before
    assert "Would import 2 rows: 13 new monthly reports" in out and "2022-08: — → 800.00" in out
    out, _err = run(path, "--year", 2022, "--region", "410171")
    assert "13 new monthly reports" in out
    assert invested(a) == {m: Decimal(100 * m) for m in range(1, 9)}
    assert invested(c) == {1: Decimal(10), 2: Decimal(10), 3: Decimal(10), 4: Decimal(10), 8: Decimal("12.50")}
    assert set(MonthlyReport.objects.values_list("status", flat=True)) == {ReportStatus.ACCEPTED}
    # One change record per imported row, on its project, naming each month it wrote.
    assert not ChangeRecord.objects.filter(content_type__model="monthlyreport").exists()
    records = ChangeRecord.objects.filter(content_type__model="project", after__has_key="monthly_reports")
    assert sorted(records.values_list("object_id", flat=True)) == sorted([a.pk, c.pk])
    assert set(records.values_list("source", flat=True)) == {"cli"}
    months = {r.object_id: sorted(r.after["monthly_reports"]) for r in records}
    assert months[c.pk] == ["2022-01", "2022-02", "2022-03", "2022-04", "2022-08"]
    again = state()
    out, _err = run(path, "--year", 2022, "--region", "410171")
    assert "0 new monthly reports, 0 changed, 0 annual plans, 2 rows unchanged" in out
    assert state() == again


def test_cumulative_columns_derive_the_month_and_the_plan_column_sets_the_plan(zone, tmp_path):
    a = zone["projects"]["a"]
    for m in range(1, 7):
        MonthlyReport.objects.create(
            project=a, year=2022, month=m, invested=Decimal("100"), status=ReportStatus.SUBMITTED
        )
    path = write_sheet(
        tmp_path / "c.xlsx",
        ["项目编号", "项目名称", "年度计划投资(万元)", "1-7月累计完成投资(万元)", "1-8月累计完成投资(万元)"],
        [
            [a.code, "新能源汽车零部件项目", 13200, 650, 900],
        ],
        title=None,
    )
    run(path, "--year", 2022, "--region", "410171")
    assert invested(a) == {1: 100, 2: 100, 3: 100, 4: 100, 5: 100, 6: 100, 7: 50, 8: 250}
    plan = AnnualPlan.objects.get(project=a, year=2022)
    assert plan.amount == Decimal("13200.00") and plan.months == [Decimal("1100.00")] * 12
    # the office's figures are accepted; the months the file did not fill are left as they were
    statuses = dict(MonthlyReport.objects.filter(project=a).values_list("month", "status"))
    assert statuses == {**{m: "submitted" for m in range(1, 7)}, 7: "accepted", 8: "accepted"}


def test_amounts_in_yuan_and_full_width_headers(zone, tmp_path):
    a = zone["projects"]["a"]
    path = write_sheet(tmp_path / "y.xlsx", ["项目名称", "１月完成投资（元）"], [["新能源汽车零部件项目", 1234500]])
    run(path, "--year", 2022, "--region", "410171")
    assert invested(a) == {1: Decimal("123.45")}


@pytest.mark.parametrize(
    "headers, row, message",
    [
        (["项目名称", "1月完成投资(万元)"], ["新能源汽车零部件项目", "很多"], "not a number"),
        (["项目名称", "1月完成投资(万元)"], ["新能源汽车零部件项目", -5], "cannot be negative"),
        (["项目名称", "1月完成投资(万元)"], ["不存在的项目", 5], "no project with this name"),
        (["项目名称", "所属区域", "1月完成投资(万元)"], ["新材料研发基地", "洛阳高新区", 5], "no such region"),
        (
            ["项目名称", "1月完成投资(万元)", "1-2月累计完成投资(万元)", "2月完成投资(万元)"],
            ["新能源汽车零部件项目", 10, 30, 10],
            "differs from the sum of months 1-2 (20.00)",
        ),
        (
            ["项目名称", "1月完成投资(万元)", "1-2月累计完成投资(万元)"],
            ["新能源汽车零部件项目", 10, 5],
            "is less than months 1-1 together",
        ),
        (
            ["项目名称", "1月完成投资(万元)"],
            ["高端数控机床项目", 12000.2],
            "above the project's total investment of 12000.10",
        ),
    ],
)
def test_bad_rows_exit_2_and_write_nothing(zone, tmp_path, headers, row, message):
    # a good row beside the bad one: still nothing is written
    good = ["智能装备产业园"] + [
        None if h == "所属区域" else int(h[2]) if h.startswith("1-") else 1 for h in headers[1:]
    ]
    path = write_sheet(tmp_path / "bad.xlsx", headers, [good, row])
    before = state()
    text = refused(path, "--year", 2022, "--region", "410171")
    assert message in text and "row 4" in text and "row 3" not in text
    assert "nothing was imported" in text
    assert state() == before


def test_the_total_investment_check_counts_other_years_reports_in_any_state(zone, tmp_path):
    """Since start = this year's figures after the import + every report of the other years, drafts and returned
    ones included (as the reporting page's check counts them): one 万元 too many is refused, nothing written."""
    c = zone["projects"]["c"]  # total investment 12000.10
    MonthlyReport.objects.create(project=c, year=2021, month=5, invested=Decimal("7000"), status="accepted")
    MonthlyReport.objects.create(project=c, year=2021, month=6, invested=Decimal("2000"), status="draft")
    MonthlyReport.objects.create(project=c, year=2020, month=6, invested=Decimal("1000.10"), status="returned")
    over = write_sheet(tmp_path / "over.xlsx", ["项目名称", "1月完成投资(万元)"], [["高端数控机床项目", 2001]])
    before = state()
    text = refused(over, "--year", 2022, "--region", "410171")
    assert "cumulative investment since start would be 12001.10" in text and state() == before
    exact = write_sheet(tmp_path / "exact.xlsx", ["项目名称", "1月完成投资(万元)"], [["高端数控机床项目", 2000]])
    run(exact, "--year", 2022, "--region", "410171")
    assert invested(c) == {1: Decimal("2000.00")}


def test_duplicate_rows_and_bad_files(zone, tmp_path):
    before = state()
    path = write_sheet(
        tmp_path / "dup.xlsx",
        ["项目名称", "1月完成投资(万元)"],
        [["新能源汽车零部件项目", 1], ["新能源汽车零部件项目", 2]],
    )
    assert "already on row 3" in refused(path, "--year", 2022, "--region", "410171")
    no_cols = write_sheet(tmp_path / "nocols.xlsx", ["项目名称", "备注"], [["新能源汽车零部件项目", "x"]])
    assert "No investment columns" in refused(no_cols, "--year", 2022, "--region", "410171")
    docx = tmp_path / "report.xlsx"
    docx.write_bytes(b"PK\x03\x04 this is a renamed .docx, not a workbook")
    assert "not an .xlsx workbook" in refused(docx, "--year", 2022, "--region", "410171")
    assert "not an .xlsx" in refused(tmp_path / "x.csv", "--year", 2022, "--region", "410171")
    assert "No region" in refused(path, "--year", 2022, "--region", "999999")
    assert state() == before


def test_a_month_in_the_future_is_refused_but_template_zeros_are_ignored(zone, tmp_path):
    path = write_sheet(
        tmp_path / "f.xlsx",
        ["项目名称", "9月完成投资(万元)", "10月完成投资(万元)"],
        [["新能源汽车零部件项目", 5, 0], ["高端数控机床项目", 5, 7]],
    )
    with pytest.raises(RowErrors) as exc:
        plan_dispatch(path, region=zone["regions"]["jingkai"], year=2022, today=datetime.date(2022, 9, 10))
    assert [(e.row, e.column) for e in exc.value.errors] == [(4, "10月完成投资(万元)")]
    assert "2022-10 is in the future" in exc.value.errors[0].reason
    with pytest.raises(ImportFileError, match="has not begun"):
        plan_dispatch(path, region=zone["regions"]["jingkai"], year=2023, today=datetime.date(2022, 9, 10))


def test_export_has_subtotals_and_imports_back_unchanged(zone, tmp_path):
    a, c = zone["projects"]["a"], zone["projects"]["c"]
    for m in range(1, 9):
        MonthlyReport.objects.create(
            project=a, year=2022, month=m, invested=Decimal("100.10"), status=ReportStatus.ACCEPTED
        )
    MonthlyReport.objects.create(project=c, year=2022, month=3, invested=Decimal("55"), status="accepted")
    MonthlyReport.objects.create(project=c, year=2022, month=4, invested=Decimal("66"), status="draft")
    out = tmp_path / "out.xlsx"
    call_command(
        "export_monthly", str(out), "--year", "2022", "--month", "8", "--region", "410171", stdout=io.StringIO()
    )
    _name, rows = read_rows(str(out))
    header = rows[1]
    assert header[:10] == [
        "序号",
        "项目编号",
        "项目名称",
        "建设单位",
        "所属区域",
        "批次",
        "责任领导",
        "责任单位",
        "总投资(万元)",
        "年度计划投资(万元)",
    ]
    assert header[-3:] == ["1-8月累计完成投资(万元)", "完成率(%)", "序时进度(%)"]
    names = [r[2] for r in rows[2:]]
    assert names == [
        "新能源汽车零部件项目",
        "王明小计",
        "开工一批小计",
        "高端数控机床项目",
        "未明确领导小计",
        "投产一批小计",
        "合计",
    ]
    total = rows[-1]
    cum = header.index("1-8月累计完成投资(万元)")
    assert total[cum] == pytest.approx(800.8 + 55)
    assert rows[2][cum] == pytest.approx(800.8)
    before = state()
    text, _err = run(out, "--year", 2022, "--region", "410171")
    assert "0 new monthly reports, 0 changed, 0 annual plans, 2 rows unchanged" in text
    assert state() == before


def test_each_imported_row_is_one_change_record_on_its_project(zone, tmp_path):
    """A row of the table is one change record on its project: each month it wrote (its figure and state), and
    for a month that had a report, what it said before. The change log page reads it month by month, and the
    reporting page's history of a month shows the import."""
    a, c = zone["projects"]["a"], zone["projects"]["c"]
    old = MonthlyReport.objects.create(project=a, year=2022, month=2, invested=Decimal("50"), status="submitted")
    path = write_sheet(
        tmp_path / "d.xlsx",
        ["项目名称", *MONTH_HEADERS[:3]],
        [["新能源汽车零部件项目", 100, 200.5, 300], ["高端数控机床项目", 10, None, 0]],
    )
    run(path, "--year", 2022, "--region", "410171")
    records = ChangeRecord.objects.filter(content_type__model="project", after__has_key="monthly_reports")
    assert records.count() == 2
    ra = records.get(object_id=a.pk)
    reports = {r.month: r for r in MonthlyReport.objects.filter(project=a, year=2022)}
    assert (ra.action, ra.object_repr, ra.scope_path) == ("update", str(a), a.region.path)
    assert ra.before == {"monthly_reports": {"2022-02": {"invested": "50.00", "status": "submitted"}}}
    assert ra.after == {
        "monthly_reports": {
            f"2022-{m:02d}": {"invested": f"{reports[m].invested}", "status": "accepted"} for m in (1, 2, 3)
        }
    }
    assert reports[2].pk == old.pk and reports[2].invested == Decimal("200.50")
    rc = records.get(object_id=c.pk)
    assert sorted(rc.after["monthly_reports"]) == ["2022-01", "2022-03"] and rc.before == {"monthly_reports": {}}


def test_the_change_log_page_and_the_report_history_show_an_imported_row(client, zone, tmp_path):
    a = zone["projects"]["a"]
    MonthlyReport.objects.create(project=a, year=2022, month=2, invested=Decimal("50"), status="submitted")
    path = write_sheet(tmp_path / "d.xlsx", ["项目名称", *MONTH_HEADERS[:2]], [["新能源汽车零部件项目", 100, 200]])
    run(path, "--year", 2022, "--region", "410171")
    record = ChangeRecord.objects.get(content_type__model="project", object_id=a.pk, source="cli")
    client.force_login(zone["users"]["admin"])
    page = client.get(reverse("core:change_detail", args=[record.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = page[page.index('id="change-diff"') :]
    assert "monthly report 2022-01" in rows and "monthly report 2022-02" in rows
    assert "100.00" in rows and "200.00" in rows and "50.00" in rows and "Submitted" in rows and "Accepted" in rows
    report = MonthlyReport.objects.get(project=a, year=2022, month=2)
    history = client.get(reverse("investment:report_edit", args=[a.pk, 2022, 2]), HTTP_ACCEPT_LANGUAGE="en")
    assert history.status_code == 200
    steps = [(h["status"], h["user"]) for h in history.context["history"]]
    assert steps[-1][0] == "accepted", steps
    assert report.status == "accepted"
