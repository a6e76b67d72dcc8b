"""Monthly reports: the review workflow, the reporting window, who may write, and every bad input refused with
nothing written."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuijin.core.models import ChangeRecord
from tuijin.investment import services
from tuijin.investment.choices import ReportStatus
from tuijin.investment.models import MonthlyReport, ReportingRule, ReportPhoto
from tuijin.investment.selectors import project_invested, report_cumulative

from .helpers import TODAY, image_bytes, state

pytestmark = pytest.mark.django_db
CST = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: str) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(10), tzinfo=CST)


def save(zone, month=8, invested="500", role="enterprise", project="a", **kw):
    return services.report_save(
        user=zone["users"][role],
        project=zone["projects"][project],
        year=2022,
        month=month,
        invested=invested,
        today=TODAY,
        **kw,
    )


def test_review_workflow_end_to_end(zone):
    ent, office = zone["users"]["enterprise"], zone["users"]["admin"]
    report = save(zone, progress_note="主体结构施工", workers=120, difficulties="用电指标不足")
    assert report.status == ReportStatus.DRAFT
    services.report_submit(user=ent, report=report, now=at("2022-09-05"))
    assert report.status == ReportStatus.SUBMITTED and report.late is False
    with pytest.raises(ValidationError):  # under review: not editable
        save(zone, invested="600")
    services.report_return(user=office, report=report, opinion="请补充现场照片")
    assert (report.status, report.return_count, report.review_opinion) == (ReportStatus.RETURNED, 1, "请补充现场照片")
    save(zone, invested="550")
    services.report_submit(user=ent, report=report, now=at("2022-09-08"))
    assert report.status == ReportStatus.RESUBMITTED and report.late is False  # lateness is the first submission's
    services.report_accept(user=office, report=report)
    assert report.status == ReportStatus.ACCEPTED and report.reviewed_by == office
    before = state()
    with pytest.raises(ValidationError, match="reopen"):
        save(zone, invested="700")
    assert state() == before
    services.report_reopen(user=office, report=report, reason="企业更正8月数据")
    assert report.status == ReportStatus.REOPENED and report.reopen_count == 1
    save(zone, invested="650")
    services.report_submit(user=ent, report=report, now=at("2022-09-20"))
    services.report_accept(user=office, report=report)
    report.refresh_from_db()
    assert report.invested == Decimal("650.00") and report.status == ReportStatus.ACCEPTED
    # the history of the figure is in the change log
    changes = ChangeRecord.objects.filter(content_type__model="monthlyreport", object_id=report.pk)
    figures = [c.after["invested"] for c in changes.order_by("time", "id") if c.after and "invested" in c.after]
    assert figures == ["500.00", "550.00", "650.00"]
    statuses = [c.after["status"] for c in changes.order_by("time", "id") if c.after and "status" in c.after]
    assert statuses == [
        "draft",
        "submitted",
        "returned",
        "resubmitted",
        "accepted",
        "reopened",
        "resubmitted",
        "accepted",
    ]


def test_late_report_is_accepted_and_marked_late_by_the_zone_window(zone):
    ent = zone["users"]["enterprise"]
    report = save(zone)
    services.report_submit(user=ent, report=report, now=at("2022-09-06"))  # default window: by the 5th
    assert report.late is True and report.status == ReportStatus.SUBMITTED
    ReportingRule.objects.create(region=zone["regions"]["jingkai"], due_day=25)
    other = save(zone, month=7)
    services.report_submit(user=ent, report=other, now=at("2022-08-20"))
    assert other.late is False


def test_a_second_report_for_the_same_month_edits_the_one_report(zone):
    first = save(zone, invested="100", progress_note="开挖")
    second = save(zone, invested="120")
    assert first.pk == second.pk
    assert MonthlyReport.objects.filter(project=zone["projects"]["a"], year=2022, month=8).count() == 1
    second.refresh_from_db()
    assert second.invested == Decimal("120.00") and second.progress_note == "开挖"
    update = ChangeRecord.objects.get(content_type__model="monthlyreport", object_id=first.pk, action="update")
    assert update.before == {"invested": "100.00"} and update.after == {"invested": "120.00"}


@pytest.mark.parametrize(
    "invested, month, message",
    [
        ("-1", 8, "cannot be negative"),
        ("abc", 8, "is not an amount"),
        ("", 8, "Give the amount"),
        (True, 8, "is not an amount"),
        ("NaN", 8, "is not an amount"),
        ("100", 10, "is in the future"),
        ("100", 13, "1 to 12"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(zone, invested, month, message):
    before = state()
    with pytest.raises(ValidationError, match=message):
        save(zone, invested=invested, month=month)
    assert state() == before


def test_cumulative_above_total_investment_is_refused_with_the_numbers(zone):
    c = zone["projects"]["c"]  # total investment 12000.10
    save(zone, project="c", month=1, invested="12000")
    before = state()
    with pytest.raises(ValidationError) as exc:
        save(zone, project="c", month=2, invested="0.20")
    text = str(exc.value)
    assert "12000.20" in text and "12000.10" in text
    assert state() == before
    save(zone, project="c", month=2, invested="0.10")  # exactly the total is fine
    assert project_invested(c) == Decimal("0.00")  # drafts do not count yet


@pytest.mark.parametrize(
    "role, project",
    [
        ("enterprise", "b"),  # another enterprise's project in the same zone
        ("enterprise_out", "a"),  # out of region
        ("leader", "a"),
        ("department", "a"),
        ("viewer", "a"),
        ("admin_out", "a"),
    ],
)
def test_someone_else_s_project_is_refused_and_nothing_written(zone, role, project):
    before = state()
    with pytest.raises(PermissionDenied):
        save(zone, role=role, project=project)
    assert state() == before


def test_only_the_office_reviews(zone):
    report = save(zone)
    services.report_submit(user=zone["users"]["enterprise"], report=report, now=at("2022-09-01"))
    before = state()
    for role in ("enterprise", "leader", "viewer", "department", "admin_out", "enterprise_out"):
        with pytest.raises(PermissionDenied):
            services.report_accept(user=zone["users"][role], report=report)
        with pytest.raises(PermissionDenied):
            services.report_return(user=zone["users"][role], report=report, opinion="x")
    with pytest.raises(ValidationError, match="opinion"):
        services.report_return(user=zone["users"]["admin"], report=report, opinion="  ")
    assert state() == before
    assert services.report_may_edit(zone["users"]["admin"], save(zone, role="admin", month=7))


def test_the_office_reports_for_any_project_in_scope_and_delete_is_for_drafts(zone):
    office = zone["users"]["admin"]
    report = save(zone, role="admin", project="b")
    services.report_submit(user=office, report=report, now=at("2022-09-01"))
    with pytest.raises(ValidationError):
        services.report_delete(user=office, report=report)
    draft = save(zone, role="admin", project="b", month=7)
    services.report_delete(user=office, report=draft)
    assert not MonthlyReport.objects.filter(pk=draft.pk).exists()


def test_cumulative_figures_are_computed_from_counted_reports(zone):
    ent, office = zone["users"]["enterprise"], zone["users"]["admin"]
    a = zone["projects"]["a"]
    for year, month, amount in [(2021, 11, "300"), (2021, 12, "700")]:
        r = services.report_save(user=ent, project=a, year=year, month=month, invested=amount, today=TODAY)
        services.report_submit(user=ent, report=r)
        services.report_accept(user=office, report=r)
    jan = save(zone, month=1, invested="100")
    services.report_submit(user=ent, report=jan)
    feb = save(zone, month=2, invested="50")  # a draft: not counted for others, but its own cumulative shows it
    mar = save(zone, month=3, invested="25")
    assert report_cumulative(mar) == {"year_to_date": Decimal("125.00"), "since_start": Decimal("1125.00")}
    assert report_cumulative(feb) == {"year_to_date": Decimal("150.00"), "since_start": Decimal("1150.00")}
    services.report_return(user=office, report=jan, opinion="核实")
    assert report_cumulative(mar)["year_to_date"] == Decimal("25.00")  # a returned figure is disputed


# ---- photos ----


def stored_files(settings) -> list:
    import pathlib

    root = pathlib.Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_photo_is_stored_without_exif_and_with_a_thumbnail(zone, settings):
    from PIL import Image

    report = save(zone)
    upload = SimpleUploadedFile("site.jpg", image_bytes("JPEG", (1600, 1200)), content_type="image/jpeg")
    photo = services.photo_add(user=zone["users"]["enterprise"], report=report, upload=upload)
    assert (photo.width, photo.height) == (1600, 1200)
    with photo.image.open("rb") as fh, Image.open(fh) as img:
        assert img.format == "JPEG"
        assert not img.getexif()  # no camera, no GPS
        assert "exif" not in img.info
    with photo.thumbnail.open("rb") as fh, Image.open(fh) as thumb:
        assert max(thumb.size) <= 480
    assert len(stored_files(settings)) == 2
    png = services.photo_add(
        user=zone["users"]["enterprise"],
        report=report,
        upload=SimpleUploadedFile("plan.png", image_bytes("PNG", exif=False)),
    )
    assert png.image.name.endswith(".png")
    services.photo_delete(user=zone["users"]["enterprise"], photo=png)
    assert not ReportPhoto.objects.filter(pk=png.pk).exists()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("notes.jpg", b"%PDF-1.4 not an image at all", "Only JPEG and PNG"),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "Only JPEG and PNG"),
        ("big.jpg", None, "limit is"),
    ],
)
def test_bad_photo_is_refused_and_nothing_stored(zone, settings, name, data, message):
    settings.TUIJIN_REPORT_PHOTO_MAX_BYTES = 50_000
    if data is None:
        data = image_bytes("PNG", (1200, 1200), exif=False) + b"\0" * 60_000
    report = save(zone)
    before = state()
    with pytest.raises(ValidationError, match=message):
        services.photo_add(user=zone["users"]["enterprise"], report=report, upload=SimpleUploadedFile(name, data))
    assert state() == before
    assert stored_files(settings) == []


def test_at_most_nine_photos_and_only_while_editable(zone, settings):
    ent = zone["users"]["enterprise"]
    report = save(zone)
    for i in range(9):
        services.photo_add(user=ent, report=report, upload=SimpleUploadedFile(f"{i}.jpg", image_bytes(exif=False)))
    before, files = state(), stored_files(settings)
    with pytest.raises(ValidationError, match="at most 9"):
        services.photo_add(user=ent, report=report, upload=SimpleUploadedFile("10.jpg", image_bytes()))
    assert state() == before and stored_files(settings) == files
    with pytest.raises(PermissionDenied):  # someone else
        services.photo_add(
            user=zone["users"]["enterprise_out"], report=report, upload=SimpleUploadedFile("x.jpg", image_bytes())
        )


# ---- property: to-date and cumulative arithmetic across corrections and reopened months -----------------------------

edits = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=9),
        st.integers(min_value=0, max_value=50_000),
        st.sampled_from(["keep", "submit", "accept", "reopen", "return"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(edits)
def test_to_date_and_cumulative_follow_every_correction(zone, steps):
    """Whatever sequence of reports, corrections, returns, acceptances and reopenings, the computed year-to-date
    and since-start figures equal the sum of the counted months, with each month counted once."""
    ent, office = zone["users"]["enterprise"], zone["users"]["admin"]
    a = zone["projects"]["a"]
    MonthlyReport.objects.filter(project=a).delete()
    for month, cents, action in steps:
        report = MonthlyReport.objects.filter(project=a, year=2022, month=month).first()
        amount = Decimal(cents) / 100
        if report is None or report.status in ("draft", "returned", "reopened"):
            report = save(zone, month=month, invested=str(amount))
        if action in ("submit", "accept", "return") and report.status in ("draft", "returned", "reopened"):
            services.report_submit(user=ent, report=report, now=at("2022-09-10"))
        if action == "accept" and report.status in ("submitted", "resubmitted"):
            services.report_accept(user=office, report=report)
        if action == "return" and report.status in ("submitted", "resubmitted"):
            services.report_return(user=office, report=report, opinion="核实")
        if action == "reopen" and report.status == "accepted":
            services.report_reopen(user=office, report=report, reason="更正")
    reports = {r.month: r for r in MonthlyReport.objects.filter(project=a, year=2022)}
    counted = {
        m: r.invested for m, r in reports.items() if r.status in ("submitted", "resubmitted", "accepted", "reopened")
    }
    assert project_invested(a, year=2022, through_month=9) == sum(counted.values(), Decimal(0))
    for m, r in reports.items():
        expected = sum((v for k, v in counted.items() if k < m), Decimal(0)) + r.invested
        assert report_cumulative(r) == {"year_to_date": expected, "since_start": expected}
    assert len(reports) == len({month for month, _c, _a in steps})
