"""Importing a list in the browser: upload → preview (nothing written) → confirm → written, on record."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from tuijin.core.choices import ChangeSource, JobStatus
from tuijin.core.models import ChangeRecord, Job
from tuijin.investment.models import AnnualPlan
from tuijin.projects.models import Listing, Project
from tuijin.projects.tests.builders import write_ledger


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the pages' words in English (the msgids); Chinese is the default for users."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


START = reverse("projects:import_start")


def upload(client, path, region, period=None, name=None):
    with open(path, "rb") as fh:
        data = {"file": SimpleUploadedFile(name or path.name, fh.read()), "region": region.pk}
    if period:
        data["period"] = period
    return client.post(START, data)


def job_url(job) -> str:
    return reverse("projects:import_job", args=[job.pk])


@pytest.fixture
def good_file(tmp_path):
    """Period 2 again: a new project, a conversion of c (commission → start batch), a plan and an update."""
    return tmp_path_file(
        tmp_path,
        "第二期.xlsx",
        [
            {
                "项目名称": "氢能重卡整车项目",
                "建设单位": "河南丁氢能科技有限公司",
                "产业类别": "新能源",
                "批次": "签约",
                "期次": 2,
                "总投资(万元)": 150000,
                "年度计划投资(万元)": 20000,
                "签约时间": datetime.date(2022, 6, 1),
            },
            {
                "项目名称": "高端数控机床项目",
                "建设单位": "河南甲汽车有限公司",
                "批次": "开工一批",
                "期次": "第二期",
                "总投资(万元)": "12000.10",
            },
            {
                "项目名称": "新能源汽车零部件项目",
                "建设单位": "河南甲汽车有限公司",
                "批次": "开工",
                "期次": 2,
                "总投资(万元)": 52000,
                "责任领导": "王明",
            },
        ],
    )


def tmp_path_file(tmp_path, name, rows):
    path = tmp_path / name
    write_ledger(path, rows)
    return path


def counts() -> tuple:
    return (Project.objects.count(), Listing.objects.count(), AnnualPlan.objects.count(), ChangeRecord.objects.count())


def test_the_whole_flow(zone, login, good_file):
    admin = zone["users"]["admin"]
    client = login(admin)
    before = counts()

    response = upload(client, good_file, zone["regions"]["jingkai"])
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert (job.kind, job.status, job.user, job.params["phase"]) == ("ledger_import", JobStatus.DONE, admin, "preview")
    assert job.file.name.endswith(".xlsx")
    assert (job.progress, job.total) == (6, 6)  # 3 rows read, then 3 matched

    page = client.get(job_url(job))
    html = page.content.decode()
    summary = page.context["summary"]
    assert (summary["new_projects"], summary["updated_projects"], summary["converted"], summary["annual_plans"]) == (
        1,
        1,
        1,
        1,
    )
    assert "氢能重卡整车项目" in html and "Confirm import" in html
    kinds = {(c["project"], c["kind"]) for c in page.context["changes"]}
    assert ("氢能重卡整车项目", "new") in kinds
    assert ("高端数控机床项目", "converted") in kinds
    assert ("新能源汽车零部件项目", "update") in kinds
    assert counts() == before, "the preview wrote something"

    response = client.post(reverse("projects:import_confirm", args=[job.pk]))
    applied = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == job_url(applied)
    assert applied.status == JobStatus.DONE and applied.result["state"] == "applied"
    assert applied.params["preview_job"] == job.pk and applied.file.name == job.file.name
    result = client.get(job_url(applied))
    assert "Imported" in result.content.decode()

    new = Project.objects.get(name="氢能重卡整车项目")
    assert new.total_investment == Decimal("150000.00") and new.region == zone["regions"]["jingkai"]
    assert new.listings.get().batch == "signed"
    assert zone["projects"]["c"].listings.get(period=2).action == "converted"
    zone["projects"]["a"].refresh_from_db()
    assert zone["projects"]["a"].total_investment == Decimal("52000.00")
    records = ChangeRecord.objects.filter(source=ChangeSource.IMPORT)
    assert records.count() == counts()[3] - before[3] > 0
    assert set(records.values_list("user", flat=True)) == {admin.pk}
    assert set(records.values_list("user_name", flat=True)) == {admin.username}

    # A second click on the preview's button does not import twice: it shows the first write.
    again = client.post(reverse("projects:import_confirm", args=[job.pk]))
    assert again["Location"] == job_url(applied)
    assert Job.objects.count() == 2
    assert "Confirmed: see the result" in client.get(job_url(job)).content.decode()


def test_reimporting_the_same_file_changes_nothing(zone, login, good_file):
    client = login(zone["users"]["admin"])
    upload(client, good_file, zone["regions"]["jingkai"])
    client.post(reverse("projects:import_confirm", args=[Job.objects.get().pk]))
    before = counts()
    upload(client, good_file, zone["regions"]["jingkai"])
    preview = Job.objects.filter(params__phase="preview").order_by("-pk").first()
    page = client.get(job_url(preview))
    assert page.context["result"]["empty"] is True
    assert "nothing to import" in page.content.decode()
    assert "Confirm import" not in page.content.decode()
    assert counts() == before


def test_period_for_the_whole_file(zone, login, tmp_path):
    path = tmp_path_file(
        tmp_path,
        "list.xlsx",
        [{"项目名称": "智能传感器项目", "建设单位": "郑州乙装备股份有限公司", "批次": "签约", "总投资(万元)": 8000}],
    )
    client = login(zone["users"]["admin"])
    upload(client, path, zone["regions"]["jingkai"], period=2)
    job = Job.objects.get()
    assert job.params["period"] == 2 and job.result["state"] == "planned"
    client.post(reverse("projects:import_confirm", args=[job.pk]))
    assert Project.objects.get(name="智能传感器项目").listings.get().period_id == 2


def test_row_errors_are_all_listed_and_nothing_is_written(zone, login, tmp_path):
    path = tmp_path_file(
        tmp_path,
        "bad.xlsx",
        [
            {"项目名称": "甲项目", "建设单位": "某公司", "批次": "签约", "期次": 2, "总投资(万元)": -5},
            {"项目名称": "乙项目", "建设单位": "某公司", "批次": "大批", "期次": 2, "总投资(万元)": 100},
            {"项目名称": "丙项目", "建设单位": "某公司", "批次": "开工", "期次": 2, "总投资(万元)": 100},
        ],
    )
    client = login(zone["users"]["admin"])
    before = counts()
    upload(client, path, zone["regions"]["jingkai"])
    job = Job.objects.get()
    page = client.get(job_url(job))
    html = page.content.decode()
    errors = page.context["result"]["errors"]
    assert {(e["row"], e["column"], e["value"]) for e in errors} == {(3, "总投资(万元)", "-5"), (4, "批次", "大批")}
    assert "cannot be negative" in html and 'id="import-errors"' in html
    assert "Nothing was written." in html
    assert "Confirm import" not in html
    # Confirming an invalid preview (a crafted POST) writes nothing either.
    client.post(reverse("projects:import_confirm", args=[job.pk]))
    assert Job.objects.count() == 1
    assert counts() == before


def test_a_word_file_renamed_xlsx(zone, login, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)  # an old Word (OLE) file
    client = login(zone["users"]["admin"])
    before = counts()
    upload(client, path, zone["regions"]["jingkai"])
    page = client.get(job_url(Job.objects.get()))
    assert "not an .xlsx workbook" in page.content.decode()
    assert "Nothing was written." in page.content.decode()
    assert counts() == before


def test_a_docx_renamed_xlsx(zone, login, tmp_path):
    """A .docx is a zip file too: it is still refused as a whole."""
    import zipfile

    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    client = login(zone["users"]["admin"])
    before = counts()
    upload(client, path, zone["regions"]["jingkai"])
    job = Job.objects.get()
    assert job.status == JobStatus.DONE and job.result["state"] == "invalid"
    assert "not an .xlsx workbook" in job.result["file_error"]
    assert counts() == before


def test_a_file_that_is_not_named_xlsx_is_refused_by_the_form(zone, login, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("项目名称,批次\n")
    response = upload(login(zone["users"]["admin"]), path, zone["regions"]["jingkai"])
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Job.objects.exists()


def test_region_outside_the_scope_is_refused(zone, login, good_file):
    response = upload(login(zone["users"]["admin"]), good_file, zone["regions"]["luoyang_gx"])
    assert response.context["form"].errors["region"]
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", ["leader", "department", "enterprise", "viewer"])
def test_only_the_project_office_may_import(zone, login, role, good_file):
    client = login(zone["users"][role])
    job = Job.objects.create(kind="ledger_import", user=zone["users"][role], params={"phase": "preview"})
    assert client.get(START).status_code == 403
    assert upload(client, good_file, zone["regions"]["jingkai"]).status_code == 403
    assert client.get(reverse("projects:import_template")).status_code == 403
    assert client.get(job_url(job)).status_code == 403
    assert client.post(reverse("projects:import_confirm", args=[job.pk])).status_code == 403
    assert Job.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(client, zone):
    for url in (START, reverse("projects:import_template"), reverse("projects:import_job", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_user_sees_only_their_own_jobs(zone, login, good_file):
    upload(login(zone["users"]["admin"]), good_file, zone["regions"]["jingkai"])
    job = Job.objects.get()
    other = login(zone["users"]["admin_out"])
    assert other.get(job_url(job)).status_code == 404
    assert other.post(reverse("projects:import_confirm", args=[job.pk])).status_code == 404
    assert login(zone["users"]["superuser"]).get(job_url(job)).status_code == 200


def test_confirm_is_post_only(zone, login, good_file):
    client = login(zone["users"]["admin"])
    upload(client, good_file, zone["regions"]["jingkai"])
    assert client.get(reverse("projects:import_confirm", args=[Job.objects.get().pk])).status_code == 405


def test_a_running_job_polls_for_its_progress(zone, login):
    admin = zone["users"]["admin"]
    now = timezone.now()
    job = Job.objects.create(
        kind="ledger_import",
        user=admin,
        status=JobStatus.RUNNING,
        started=now,
        heartbeat=now,
        progress=1500,
        total=6000,
        params={"phase": "preview", "filename": "big.xlsx"},
    )
    client = login(admin)
    full = client.get(job_url(job)).content.decode()
    assert "<html" in full and 'hx-trigger="every 1s"' in full and "25%" in full
    fragment = client.get(job_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'hx-trigger="every 1s"' in fragment
    assert "Checking the rows against the ledger" in fragment and "25%" in fragment
    Job.objects.filter(pk=job.pk).update(progress=6000)  # every row checked; the result is being stored
    matching = client.get(job_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert "Every row checked" in matching and "progress-bar-indeterminate" in matching
    Job.objects.filter(pk=job.pk).update(
        progress=6000,
        status=JobStatus.DONE,
        finished=timezone.now(),
        result={
            "state": "planned",
            "summary": {"rows": 6000, "new_projects": 6000},
            "changes": [],
            "changes_total": 0,
            "warnings": [],
            "empty": False,
        },
    )
    done = client.get(job_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done  # polling stops with the preview
    assert "Confirm import" in done


def test_a_large_file_reports_its_progress(zone, login, tmp_path, monkeypatch):
    rows = [
        {"项目名称": f"测试项目{i:04d}", "建设单位": "某公司", "批次": "签约", "期次": 2, "总投资(万元)": 100 + i}
        for i in range(1200)
    ]
    path = tmp_path_file(tmp_path, "big.xlsx", rows)
    seen = []
    from tuijin.core import jobs

    original = jobs.progress_callback

    def spy(job, **kwargs):
        inner = original(job, every=0)

        def progress(done, total):
            inner(done, total)
            seen.append(tuple(Job.objects.filter(pk=job.pk).values_list("progress", "total").get()))

        return progress

    monkeypatch.setattr("tuijin.projects.views.imports.progress_callback", spy)
    upload(login(zone["users"]["admin"]), path, zone["regions"]["jingkai"])
    # reading the 1,200 rows is the first half of the work, matching them with the ledger the second
    assert seen == [(500, 2400), (1000, 2400), (1200, 2400), (1700, 2400), (2200, 2400), (2400, 2400)]
    job = Job.objects.get()
    assert job.result["summary"]["new_projects"] == 1200
    assert job.percent == 100


def test_a_job_whose_process_died_is_shown_as_failed(zone, login):
    admin = zone["users"]["admin"]
    old = timezone.now() - datetime.timedelta(minutes=30)
    job = Job.objects.create(
        kind="ledger_import",
        user=admin,
        status=JobStatus.RUNNING,
        started=old,
        heartbeat=old,
        params={"phase": "apply", "filename": "x.xlsx"},
    )
    html = login(admin).get(job_url(job)).content.decode()
    assert "stopped before it finished" in html and "Nothing was written." in html
    assert "hx-trigger" not in html
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_the_empty_template(zone, login, tmp_path):
    response = login(zone["users"]["admin"]).get(reverse("projects:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    assert "项目台账" in rows[0][0]
    for header in ("项目名称", "建设单位", "批次", "期次", "总投资(万元)", "年度计划投资(万元)", "调整情况"):
        assert header in rows[1]
    assert len([r for r in rows[2:] if any(c not in ("", None) for c in r)]) == 0


def test_the_filled_template_imports(zone, login, tmp_path):
    """The template's headers are the importer's: fill one row and import it."""
    client = login(zone["users"]["admin"])
    response = client.get(reverse("projects:import_template"))
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    headers = [str(h) for h in rows[1]]
    filled = tmp_path_file(
        tmp_path,
        "filled.xlsx",
        [{"项目名称": "模板项目", "建设单位": "某公司", "批次": "签约", "期次": 1, "总投资(万元)": 1}],
    )
    write_ledger(
        filled,
        [{"项目名称": "模板项目", "建设单位": "某公司", "批次": "签约", "期次": 1, "总投资(万元)": 1}],
        headers=headers,
    )
    upload(client, filled, zone["regions"]["jingkai"])
    job = Job.objects.get()
    assert job.result["state"] == "planned", job.result
    assert job.result["warnings"] == []
