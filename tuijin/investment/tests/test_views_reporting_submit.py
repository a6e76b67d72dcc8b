"""The reporting page's submit without new photos is one write (`report_save(submit=True)`): one change record per
submission, and the page's history still shows each submission; with photos they are attached first, then the
report is submitted (as before)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tuijin.core.models import ChangeRecord
from tuijin.investment import services
from tuijin.investment.choices import ReminderKind, ReportStatus
from tuijin.investment.models import MonthlyReport, ReportReminder

from .helpers import TODAY, image_bytes, state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


@pytest.fixture
def as_user(client, zone):
    def _as(role):
        client.force_login(zone["users"][role])
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _as


def edit_url(zone, month=8):
    return reverse("investment:report_edit", args=[zone["projects"]["a"].pk, 2022, month])


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
