"""The monthly reporting pages: the reporting home, one project-month's form with photos, the office's review on
the same page, the photo files and the dashboard card — per role, and every bad input refused with nothing
written (database rows, change records and stored files)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tuijin.core.models import ChangeRecord
from tuijin.core.testing import plan
from tuijin.core.testing import project as make_project
from tuijin.investment import services
from tuijin.investment.choices import ReminderKind, ReportStatus
from tuijin.investment.models import MonthlyReport, ReportPhoto, ReportReminder

from .helpers import TODAY, image_bytes, state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """The pages' "today" is 2022-09-10 (months 1-9 of 2022 may be reported; August is due by 5 September)."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


@pytest.fixture
def as_user(client, zone):
    """`as_user(role)`: the test client signed in as that role of the small zone, asking for English pages."""

    def _as(role):
        client.force_login(zone["users"][role])
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _as


def edit_url(zone, project="a", year=2022, month=8):
    return reverse("investment:report_edit", args=[zone["projects"][project].pk, year, month])


def home_url(year=2022):
    return f"{reverse('investment:report_home')}?year={year}"


def month_state(html: str, project_pk: int, month: int) -> str:
    card = html.split(f'data-project="{project_pk}"', 1)[1]
    return re.search(rf'data-month="{month}" data-state="(\w+)"', card).group(1)


def stored_files(settings) -> list:
    import pathlib

    root = pathlib.Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def jpeg(name="site.jpg", size=(800, 600)):
    return SimpleUploadedFile(name, image_bytes("JPEG", size), content_type="image/jpeg")


def report(zone, month=8, invested="500", project="a", submit=False, role="enterprise"):
    user = zone["users"][role]
    r = services.report_save(
        user=user, project=zone["projects"][project], year=2022, month=month, invested=invested, today=TODAY
    )
    if submit:
        services.report_submit(user=user, report=r)
    return r


# ---- the reporting home ------------------------------------------------------------------------------------------


def test_enterprise_home_shows_its_projects_months_and_what_it_owes_first(zone, as_user):
    a, b, c = (zone["projects"][k] for k in "abc")
    report(zone, month=7, invested="300", submit=True)
    returned = report(zone, month=6, invested="200", submit=True)
    services.report_return(user=zone["users"]["admin"], report=returned, opinion="请补充现场照片")
    report(zone, month=5, invested="100")  # a draft, past its window
    html = as_user("enterprise").get(home_url()).content.decode()
    assert a.name in html and c.name in html and b.name not in html  # its own projects only
    assert month_state(html, a.pk, 7) == "submitted"
    assert month_state(html, a.pk, 6) == "returned"
    assert month_state(html, a.pk, 5) == "draft"
    assert month_state(html, a.pk, 8) == "missing"  # due 5 September, plan 12000.50 for 2022
    assert month_state(html, a.pk, 9) == "open"  # September: being reported now, not due yet
    assert month_state(html, a.pk, 10) == "future"
    assert month_state(html, c.pk, 8) == "missing"
    # what it owes first: the returned report with the opinion, then the missing months, oldest first
    owed = html.split('id="owed"', 1)[1].split("</div>\n  </div>", 1)[0]
    kinds = re.findall(r'data-owed="(\w+)"', owed)
    assert kinds[0] == "returned" and "请补充现场照片" in owed
    assert kinds.count("missing") == 6 + 8  # a: Jan-May (May only a draft) and Aug; c: Jan-Aug
    assert edit_url(zone, month=6) in owed


def test_home_lists_a_job_s_open_reminder_and_shows_late_reports(zone, as_user):
    a = zone["projects"]["a"]
    ReportReminder.objects.create(
        project=zone["projects"]["c"], year=2021, month=12, kind=ReminderKind.MISSING, due_on=datetime.date(2022, 1, 5)
    )
    r = report(zone, month=2)
    services.report_submit(
        user=zone["users"]["enterprise"], report=r, now=datetime.datetime(2022, 3, 20, tzinfo=datetime.UTC)
    )
    html = as_user("enterprise").get(home_url()).content.decode()
    assert "2021-12" in html.split('id="owed"', 1)[1]
    card = html.split(f'data-project="{a.pk}"', 1)[1]
    assert 'data-month="2" data-state="submitted" data-late="1"' in card


def test_office_home_sees_the_zone_with_plans_and_last_month_s_missing_count(zone, as_user):
    report(zone, month=8, submit=True)
    html = as_user("admin").get(home_url()).content.decode()
    a, b, c = (zone["projects"][k] for k in "abc")
    assert f'data-project="{a.pk}"' in html and f'data-project="{c.pk}"' in html
    assert f'data-project="{b.pk}"' not in html  # no plan, no report in 2022
    assert 'id="owed"' not in html
    summary = html.split('id="missing-summary"', 1)[1].split("</div>", 1)[0]
    assert "1 project has not reported 2022-8" in summary  # c (a reported August)
    assert reverse("investment:review_queue") in html
    found = as_user("admin").get(home_url() + "&q=数控").content.decode()
    assert f'data-project="{c.pk}"' in found and f'data-project="{a.pk}"' not in found


@pytest.mark.parametrize("role", ["leader", "viewer", "department"])
def test_readers_see_the_months_but_no_summary(zone, as_user, role):
    html = as_user(role).get(home_url()).content.decode()
    assert f'data-project="{zone["projects"]["a"].pk}"' in html
    assert 'id="missing-summary"' not in html and 'id="owed"' not in html


def test_out_of_scope_users_see_only_their_own(zone, as_user):
    html = as_user("enterprise_out").get(home_url()).content.decode()
    assert zone["projects"]["d"].name in html and zone["projects"]["a"].name not in html


def test_home_queries_do_not_grow_with_projects(zone, as_user):
    client = as_user("admin")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(home_url()).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(8):
        p = make_project(f"项目{i}", zone["regions"]["jingkai"], zone["enterprises"]["b"], "9000")
        plan(p, 2022, "1200")
        services.report_save(user=None, project=p, year=2022, month=3, invested="10", today=TODAY)
    assert count() <= few + 1


# ---- the dashboard card ------------------------------------------------------------------------------------------


def test_dashboard_shows_the_enterprise_what_it_owes_and_the_office_the_missing_count(zone, as_user):
    returned = report(zone, month=6, submit=True)
    services.report_return(user=zone["users"]["admin"], report=returned, opinion="金额有误")
    html = as_user("enterprise").get(reverse("projects:dashboard")).content.decode()
    card = html.split('id="reporting-owed"', 1)[1]
    assert "金额有误" in card and edit_url(zone, month=6) in card and reverse("investment:report_home") in card
    html = as_user("admin").get(reverse("projects:dashboard")).content.decode()
    assert 'id="reporting-owed"' not in html
    assert "2 projects have not reported 2022-8" in html.split('id="reporting-missing"', 1)[1]
    html = as_user("leader").get(reverse("projects:dashboard")).content.decode()
    assert 'id="reporting-owed"' not in html and 'id="reporting-missing"' not in html


# ---- one project-month -------------------------------------------------------------------------------------------


def test_the_form_shows_the_computed_cumulative_figures(zone, as_user):
    for month, amount in [(1, "100"), (2, "50.25")]:
        report(zone, month=month, invested=amount, submit=True)
    report(zone, month=3, invested="999")  # a draft: not counted for later months
    services.report_save(user=None, project=zone["projects"]["a"], year=2021, month=12, invested="1000", today=TODAY)
    services.report_submit(user=None, report=MonthlyReport.objects.get(year=2021))
    html = as_user("enterprise").get(edit_url(zone, month=4)).content.decode()
    assert 'id="report-form"' in html and 'capture="environment"' in html and 'accept="image/jpeg,image/png"' in html
    assert 'data-before-year="150.25"' in html and 'data-before-start="1150.25"' in html
    assert 'data-cumulative="year">150.25<' in html and 'data-cumulative="start">1,150.25<' in html
    assert 'name="invested"' in html and 'inputmode="decimal"' in html


def test_save_a_draft_then_submit_and_the_page_turns_read_only(zone, as_user, settings):
    client = as_user("enterprise")
    data = {"invested": "1200.5", "progress_note": "主体结构封顶", "workers": "86", "difficulties": "用电指标不足"}
    response = client.post(edit_url(zone), {**data, "action": "save"})
    assert response.status_code == 302 and response["Location"] == edit_url(zone)
    r = MonthlyReport.objects.get(project=zone["projects"]["a"], year=2022, month=8)
    assert (r.status, r.invested, r.workers, r.progress_note) == ("draft", Decimal("1200.50"), 86, "主体结构封顶")
    # the same month again edits the one report, the change log keeps the figure before
    response = client.post(edit_url(zone), {**data, "invested": "1300", "action": "submit", "photos": [jpeg()]})
    assert response.status_code == 302
    assert MonthlyReport.objects.filter(project=zone["projects"]["a"], year=2022, month=8).count() == 1
    r.refresh_from_db()
    assert (r.status, r.invested, r.photos.count()) == (ReportStatus.SUBMITTED, Decimal("1300.00"), 1)
    updates = ChangeRecord.objects.filter(content_type__model="monthlyreport", object_id=r.pk, action="update")
    figures = [
        (u.before["invested"], u.after["invested"]) for u in updates.order_by("time", "id") if "invested" in u.after
    ]
    assert figures == [("1200.50", "1300.00")]
    html = client.get(edit_url(zone)).content.decode()
    assert 'data-status="submitted"' in html and 'id="report-readonly"' in html and 'id="report-form"' not in html
    assert reverse("investment:photo_thumbnail", args=[r.photos.get().pk]) in html
    assert 'id="review"' not in html  # the enterprise does not review
    # and a further post is refused, nothing written
    before = state()
    response = client.post(edit_url(zone), {**data, "invested": "1", "action": "save"})
    assert response.status_code == 400
    assert "cannot be changed now" in response.content.decode()
    assert state() == before


def _post(client, zone, month=8, project="a", **data):
    return client.post(edit_url(zone, project=project, month=month), {"action": "submit", **data})


@pytest.mark.parametrize(
    "data, month, message",
    [
        ({"invested": "-1"}, 8, "The amount invested cannot be negative."),
        ({"invested": "abc"}, 8, "“abc” is not an amount."),
        ({"invested": "1e400"}, 8, "is not an amount"),
        ({"invested": ""}, 8, "Give the amount invested this month in 万元."),
        ({"invested": "100", "workers": "-3"}, 8, "Workers on site must be a whole number, not negative."),
        ({"invested": "100", "workers": "很多"}, 8, "Workers on site must be a whole number, not negative."),
        ({"invested": "100"}, 10, "2022-10 is in the future: a month is reported once it has begun."),
        (
            {"invested": "49000.01"},
            8,
            "Cumulative investment since start would be 50000.01 万元, above the project&#x27;s total investment of "
            "50000.00 万元.",
        ),
    ],
)
def test_bad_input_is_shown_and_nothing_written(zone, as_user, settings, data, month, message):
    report(zone, month=1, invested="1000", submit=True)
    before, files = state(), stored_files(settings)
    response = _post(as_user("enterprise"), zone, month=month, **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert state() == before and stored_files(settings) == files
    if month <= 9:  # the figures typed are still in the form
        assert f'value="{data["invested"]}"' in html or not data["invested"]


@pytest.mark.parametrize(
    "files, message",
    [
        (
            [SimpleUploadedFile("notes.pdf", b"%PDF-1.4 not a photo")],
            "notes.pdf: Only JPEG and PNG photos are accepted.",
        ),
        ([SimpleUploadedFile("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")], "Only JPEG and PNG photos"),
        ("big", "the limit is 0.1 MB"),
        ("ten", "A report holds at most 9 photos: it has 0 and 10 more were chosen."),
        ("good-then-bad", "b.txt: Only JPEG and PNG photos are accepted."),
    ],
)
def test_a_bad_photo_stores_nothing_not_even_the_report(zone, as_user, settings, files, message):
    settings.TUIJIN_REPORT_PHOTO_MAX_BYTES = 100_000
    if files == "big":
        files = [SimpleUploadedFile("big.png", image_bytes("PNG", (1600, 1600), exif=False) + b"\0" * 120_000)]
    elif files == "ten":
        files = [jpeg(f"{i}.jpg", (64, 48)) for i in range(10)]
    elif files == "good-then-bad":
        files = [jpeg("a.jpg"), SimpleUploadedFile("b.txt", b"hello")]
    before = state()
    response = _post(as_user("enterprise"), zone, invested="100", photos=files)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state() == before
    assert stored_files(settings) == []  # the good photo's files were removed too
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize(
    "role, project, status",
    [
        ("enterprise", "b", 404),  # another enterprise's project in the zone: as if absent
        ("enterprise_out", "a", 404),
        ("admin_out", "a", 404),
        ("leader", "a", 403),  # sees the project, may not report on it
        ("viewer", "a", 403),
        ("department", "a", 403),
    ],
)
def test_someone_else_s_project_is_refused_and_nothing_written(zone, as_user, settings, role, project, status):
    before = state()
    response = _post(as_user(role), zone, project=project, invested="100", photos=[jpeg()])
    assert response.status_code == status
    assert state() == before and stored_files(settings) == []


@pytest.mark.parametrize(
    "role, status, form",
    [
        ("enterprise", 200, True),
        ("admin", 200, True),  # the office may report for any project in scope
        ("superuser", 200, True),
        ("leader", 200, False),
        ("viewer", 200, False),
        ("department", 200, False),
        ("enterprise_out", 404, False),
        ("admin_out", 404, False),
    ],
)
def test_form_page_per_role(zone, as_user, role, status, form):
    response = as_user(role).get(edit_url(zone))
    assert response.status_code == status
    if status == 200:
        assert ('id="report-form"' in response.content.decode()) is form


@pytest.mark.parametrize("args", [(2022, 13), (2022, 0), (1999, 5), (2101, 1)])
def test_impossible_months_are_not_found(zone, as_user, args):
    url = reverse("investment:report_edit", args=[zone["projects"]["a"].pk, *args])
    assert as_user("enterprise").get(url).status_code == 404


def test_a_future_month_says_so_and_offers_no_form(zone, as_user):
    html = as_user("enterprise").get(edit_url(zone, month=11)).content.decode()
    assert 'id="future"' in html and 'id="report-form"' not in html


def test_anonymous_is_sent_to_sign_in(zone, client):
    r = report(zone)
    photo = services.photo_add(user=zone["users"]["enterprise"], report=r, upload=jpeg())
    for url in [
        reverse("investment:report_home"),
        edit_url(zone),
        reverse("investment:report_detail", args=[r.pk]),
        reverse("investment:photo", args=[photo.pk]),
        reverse("investment:photo_thumbnail", args=[photo.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_report_detail_redirects_to_its_month(zone, as_user):
    r = report(zone, month=7)
    response = as_user("leader").get(reverse("investment:report_detail", args=[r.pk]))
    assert response.status_code == 302 and response["Location"] == edit_url(zone, month=7)
    assert as_user("enterprise_out").get(reverse("investment:report_detail", args=[r.pk])).status_code == 404


# ---- the review on the report's page -----------------------------------------------------------------------------


def test_office_returns_enterprise_corrects_office_accepts_and_reopens(zone, as_user):
    r = report(zone, submit=True)
    office = as_user("admin")
    html = office.get(edit_url(zone)).content.decode()
    assert 'id="review-return"' in html and 'id="review-accept"' in html
    # an empty opinion is refused by the office's action, nothing written
    before = state()
    office.post(reverse("investment:review_return", args=[r.pk]), {"opinion": " ", "next": edit_url(zone)})
    assert state() == before
    response = office.post(
        reverse("investment:review_return", args=[r.pk]), {"opinion": "请补充现场照片", "next": edit_url(zone)}
    )
    assert response.status_code == 302 and response["Location"] == edit_url(zone)
    ent = as_user("enterprise")
    html = ent.get(edit_url(zone)).content.decode()
    assert 'data-status="returned"' in html and "请补充现场照片" in html.split('id="review-opinion"', 1)[1]
    assert 'id="report-form"' in html and "returned 1 time" in html
    assert ent.post(edit_url(zone), {"invested": "520", "action": "submit", "photos": [jpeg()]}).status_code == 302
    r.refresh_from_db()
    assert (r.status, r.return_count, r.invested) == (ReportStatus.RESUBMITTED, 1, Decimal("520.00"))
    office = as_user("admin")
    office.post(reverse("investment:review_accept", args=[r.pk]), {"opinion": "", "next": edit_url(zone)})
    r.refresh_from_db()
    assert r.status == ReportStatus.ACCEPTED
    html = office.get(edit_url(zone)).content.decode()
    assert 'id="review-reopen"' in html
    history = re.findall(r'<li data-status="(\w+)"', html)
    assert history == ["draft", "submitted", "returned", "resubmitted", "accepted"]
    # accepted: read-only for the enterprise
    ent = as_user("enterprise")
    before = state()
    response = ent.post(edit_url(zone), {"invested": "1", "action": "save"})
    assert response.status_code == 400 and "ask the project office to reopen it" in response.content.decode()
    assert state() == before


@pytest.mark.parametrize("role", ["leader", "viewer", "enterprise", "admin_out"])
def test_only_the_office_sees_the_review_actions(zone, as_user, role):
    report(zone, submit=True)
    response = as_user(role).get(edit_url(zone))
    assert 'id="review-return"' not in response.content.decode()


# ---- photos ------------------------------------------------------------------------------------------------------


@pytest.fixture
def photo(zone):
    r = report(zone)
    return services.photo_add(user=zone["users"]["enterprise"], report=r, upload=jpeg(size=(1200, 900)))


@pytest.mark.parametrize(
    "role, status",
    [
        ("enterprise", 200),
        ("admin", 200),
        ("leader", 200),
        ("viewer", 200),
        ("superuser", 200),
        ("enterprise_out", 404),
        ("admin_out", 404),
    ],
)
def test_photo_bytes_only_for_who_may_see_the_project(zone, as_user, photo, role, status):
    for name in ("investment:photo", "investment:photo_thumbnail"):
        response = as_user(role).get(reverse(name, args=[photo.pk]))
        assert response.status_code == status
        if status == 200:
            body = b"".join(response.streaming_content)
            assert response["Content-Type"] == "image/jpeg"
            assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
            assert body[:2] == b"\xff\xd8"


def test_another_enterprise_of_the_zone_gets_404_for_the_photo(zone, client, photo):
    from tuijin.accounts.choices import Role
    from tuijin.core.testing import user

    ent_b = user("ent_b", Role.ENTERPRISE, zone["regions"]["jingkai"], zone["enterprises"]["b"])
    client.force_login(ent_b)
    assert client.get(reverse("investment:photo", args=[photo.pk])).status_code == 404


def test_png_photo_is_served_as_png(zone, as_user):
    r = report(zone)
    png = services.photo_add(
        user=zone["users"]["enterprise"],
        report=r,
        upload=SimpleUploadedFile("plan.png", image_bytes("PNG", exif=False)),
    )
    response = as_user("enterprise").get(reverse("investment:photo", args=[png.pk]))
    assert response["Content-Type"] == "image/png"


def test_delete_a_photo_while_editable_only(zone, as_user, photo, settings, django_capture_on_commit_callbacks):
    client = as_user("enterprise")
    other = services.photo_add(user=zone["users"]["enterprise"], report=photo.report, upload=jpeg("b.jpg"))
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the delete is committed
        response = client.post(reverse("investment:photo_delete", args=[photo.pk]))
    assert response.status_code == 302 and response["Location"] == edit_url(zone)
    assert not ReportPhoto.objects.filter(pk=photo.pk).exists()
    assert len(stored_files(settings)) == 2  # the other photo and its thumbnail
    services.report_submit(user=zone["users"]["enterprise"], report=other.report)
    before = state()
    assert client.post(reverse("investment:photo_delete", args=[other.pk])).status_code == 403
    assert state() == before and len(stored_files(settings)) == 2
    leader = as_user("leader")
    assert leader.post(reverse("investment:photo_delete", args=[other.pk])).status_code == 403
    assert as_user("enterprise_out").post(reverse("investment:photo_delete", args=[other.pk])).status_code == 404
    assert state() == before


def test_the_page_speaks_chinese_by_default(zone, client):
    client.force_login(zone["users"]["enterprise"])
    response = client.post(edit_url(zone), {"invested": "-5", "action": "save"})
    assert response.status_code == 400 and "完成投资不能为负数。" in response.content.decode()


# ---- submitting from the page: one write without new photos (report_save(submit=True)) ----


def records(report) -> list:
    return list(
        ChangeRecord.objects.filter(content_type__model="monthlyreport", object_id=report.pk).order_by("time", "id")
    )


def history(html: str) -> list[str]:
    return re.findall(r'<li data-status="(\w+)"', html)


def test_submit_without_photos_is_one_write_and_the_history_shows_it(zone, as_user):
    a = zone["projects"]["a"]
    reminder = ReportReminder.objects.create(
        project=a, year=2022, month=8, kind=ReminderKind.MISSING, due_on=datetime.date(2022, 9, 5)
    )
    client = as_user("enterprise")
    response = client.post(edit_url(zone), {"invested": "700", "progress_note": "桩基完成", "action": "submit"})
    assert response.status_code == 302, response.content
    r = MonthlyReport.objects.get(project=a, year=2022, month=8)
    assert (r.status, r.invested, r.progress_note) == (ReportStatus.SUBMITTED, Decimal("700.00"), "桩基完成")
    assert r.submitted_at is not None and r.late  # submitted now, long after 2022-09-05
    (record,) = records(r)
    assert record.action == "create" and record.after["status"] == "submitted"
    reminder.refresh_from_db()
    assert reminder.resolved_at is not None
    html = client.get(edit_url(zone)).content.decode()
    assert 'data-status="submitted"' in html and 'id="report-readonly"' in html
    assert history(html) == ["submitted"]


def test_a_returned_report_corrected_without_photos_is_resubmitted(zone, as_user):
    a, ent = zone["projects"]["a"], zone["users"]["enterprise"]
    r = services.report_save(user=ent, project=a, year=2022, month=8, invested="500", today=TODAY)
    first = timezone.make_aware(datetime.datetime(2022, 9, 2, 10))
    services.report_submit(user=ent, report=r, now=first)
    services.report_return(user=zone["users"]["admin"], report=r, opinion="数字有误")
    seen = len(records(r))
    client = as_user("enterprise")
    assert client.post(edit_url(zone), {"invested": "520", "action": "submit"}).status_code == 302
    r.refresh_from_db()
    assert (r.status, r.return_count, r.invested) == (ReportStatus.RESUBMITTED, 1, Decimal("520.00"))
    assert r.submitted_at == first and not r.late  # the first submission's time and lateness are kept
    (record,) = records(r)[seen:]
    assert record.after["status"] == "resubmitted" and record.after["invested"] == "520.00"
    html = client.get(edit_url(zone)).content.decode()
    assert history(html) == ["draft", "submitted", "returned", "resubmitted"]


def test_submit_with_photos_attaches_them_first(zone, as_user, settings):
    client = as_user("enterprise")
    photo = SimpleUploadedFile("site.jpg", image_bytes("JPEG", (800, 600)), content_type="image/jpeg")
    response = client.post(edit_url(zone), {"invested": "700", "action": "submit", "photos": [photo]})
    assert response.status_code == 302, response.content
    r = MonthlyReport.objects.get(project=zone["projects"]["a"], year=2022, month=8)
    assert r.status == ReportStatus.SUBMITTED and r.photos.count() == 1
    assert history(client.get(edit_url(zone)).content.decode()) == ["draft", "submitted"]


def test_a_refused_submission_writes_nothing(zone, as_user):
    before = state()
    response = as_user("enterprise").post(edit_url(zone, month=10), {"invested": "100", "action": "submit"})
    assert response.status_code == 400
    assert "2022-10 is in the future" in response.content.decode()
    assert state() == before
