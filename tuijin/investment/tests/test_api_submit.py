"""POST /api/v1/investment/reports with "submit": true — save and submit in one request (the reporting deadline's
burst): the same rules as the two requests, one transaction, one change record; a refusal writes nothing."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone

from tuijin.accounts.models import APIToken
from tuijin.core.models import ChangeRecord
from tuijin.investment.choices import ReminderKind, ReportStatus
from tuijin.investment.models import MonthlyReport, ReportReminder
from tuijin.investment.selectors import report_cumulative
from tuijin.investment.views.reporting import _history

from .helpers import state

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/investment/reports"


@pytest.fixture(autouse=True)
def _api_urls(settings):
    try:
        resolve("/api/v1/stats/investment")
    except Resolver404:
        settings.ROOT_URLCONF = "tuijin.investment.tests.api_urls"


def this_month() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month


def months_ago(n: int) -> tuple[int, int]:
    y, m = this_month()
    for _i in range(n):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return y, m


def post(client, body, key=None):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.post(REPORTS, json.dumps(body), content_type="application/json", **extra)


def records(report) -> list:
    return list(
        ChangeRecord.objects.filter(content_type__model="monthlyreport", object_id=report.pk).order_by("time", "id")
    )


def test_a_new_report_is_saved_and_submitted_in_one_request(client, zone):
    a, ent = zone["projects"]["a"], zone["users"]["enterprise"]
    key = APIToken.issue(user=ent, name="对接")[1]
    year, month = this_month()
    reminder = ReportReminder.objects.create(
        project=a, year=year, month=month, kind=ReminderKind.MISSING, due_on=timezone.localdate()
    )
    before = timezone.now()
    r = post(client, {"project": a.pk, "year": year, "month": month, "invested": "12.5", "submit": True}, key)
    assert r.status_code == 201, r.content
    body = r.json()
    report = MonthlyReport.objects.get(project=a, year=year, month=month)
    assert body["id"] == report.pk and body["status"] == "submitted" and body["late"] is False
    assert report.status == ReportStatus.SUBMITTED and report.invested == Decimal("12.50") and not report.late
    assert before <= report.submitted_at <= timezone.now()
    assert datetime.datetime.fromisoformat(body["submitted_at"]) == report.submitted_at
    assert body["photos"] == []
    cumulative = report_cumulative(report)
    assert (Decimal(str(body["year_to_date"])), Decimal(str(body["since_start"]))) == tuple(cumulative.values())
    # One write, one change record: created as submitted, by the token's user, through the API.
    (record,) = records(report)
    assert record.action == "create" and record.after["status"] == "submitted" and record.user == ent
    assert record.source == "api"
    # The reporting page's history shows the submission.
    assert [(h["status"], h["user"]) for h in _history(report)] == [(ReportStatus.SUBMITTED, record.user_name)]
    reminder.refresh_from_db()
    assert reminder.resolved_at is not None
    # Submitted: the month is no longer the enterprise's to change.
    again = post(client, {"project": a.pk, "year": year, "month": month, "invested": "13", "submit": True}, key)
    assert again.status_code == 422 and "__all__" in again.json()["errors"], again.content


def test_without_submit_it_stays_a_draft(login, zone):
    a = zone["projects"]["a"]
    year, month = this_month()
    r = post(login(zone["users"]["enterprise"]), {"project": a.pk, "year": year, "month": month, "invested": 1})
    assert r.status_code == 201 and r.json()["status"] == "draft" and r.json()["submitted_at"] is None


def test_a_returned_report_edited_and_submitted_is_resubmitted(login, zone):
    a = zone["projects"]["a"]
    year, month = months_ago(2)
    first = timezone.now() - datetime.timedelta(days=40)
    report = MonthlyReport.objects.create(
        project=a,
        year=year,
        month=month,
        invested=Decimal("5"),
        status=ReportStatus.RETURNED,
        return_count=1,
        review_opinion="补充照片",
        submitted_at=first,
        late=False,
    )
    created = records(report)  # the row made above
    r = post(
        login(zone["users"]["enterprise"]),
        {"project": a.pk, "year": year, "month": month, "invested": "6", "progress_note": "已补充", "submit": True},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    report.refresh_from_db()
    assert body["status"] == "resubmitted" == report.status
    assert body["return_count"] == 1 == report.return_count
    # A resubmission keeps the first submission's time and lateness (the window had closed since).
    assert report.submitted_at == first and report.late is False and body["late"] is False
    assert report.invested == Decimal("6.00") and report.progress_note == "已补充"
    (record,) = records(report)[len(created) :]  # one write, one record
    assert record.action == "update"
    assert record.before["status"] == "returned" and record.after["status"] == "resubmitted"
    assert record.after["invested"] == "6.00"
    assert [h["status"] for h in _history(report)][-1] == ReportStatus.RESUBMITTED


def test_a_first_submission_after_the_window_is_late(login, zone):
    a = zone["projects"]["a"]
    year, month = months_ago(2)  # the window (to the next month's due day) has closed
    r = post(
        login(zone["users"]["enterprise"]),
        {"project": a.pk, "year": year, "month": month, "invested": 3, "submit": True},
    )
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "submitted" and r.json()["late"] is True
    assert MonthlyReport.objects.get(project=a, year=year, month=month).late is True


@pytest.mark.parametrize(
    "payload, field",
    [
        ("future", "month"),
        ({"invested": "-3"}, "invested"),
        ({"invested": "abc"}, "invested"),
        ({"invested": 60000}, "invested"),  # above the project's total investment
    ],
)
def test_refused_input_writes_nothing(login, zone, payload, field):
    a = zone["projects"]["a"]
    year, month = this_month()
    if payload == "future":
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        payload = {"invested": 1}
    before = state()
    body = {"project": a.pk, "year": year, "month": month, "submit": True, **payload}
    r = post(login(zone["users"]["enterprise"]), body)
    assert r.status_code == 422, r.content
    assert field in r.json()["errors"]
    assert state() == before


def test_an_accepted_month_is_locked(login, zone):
    a = zone["projects"]["a"]
    year, month = months_ago(1)
    MonthlyReport.objects.create(project=a, year=year, month=month, invested=Decimal(5), status="accepted")
    before = state()
    r = post(
        login(zone["users"]["enterprise"]),
        {"project": a.pk, "year": year, "month": month, "invested": 6, "submit": True},
    )
    assert r.status_code == 422 and "__all__" in r.json()["errors"], r.content
    assert state() == before


@pytest.mark.parametrize(
    "role, project, status",
    [
        ("enterprise", "b", 404),  # another enterprise's project: not even visible
        ("enterprise_out", "a", 404),
        ("leader", "a", 403),
        ("viewer", "a", 403),
    ],
)
def test_someone_else_s_project_is_refused(client, zone, role, project, status):
    key = APIToken.issue(user=zone["users"][role], name="对接")[1]
    year, month = this_month()
    before = state()
    body = {"project": zone["projects"][project].pk, "year": year, "month": month, "invested": 1, "submit": True}
    r = post(client, body, key)
    assert r.status_code == status, r.content
    assert state() == before


def test_the_office_may_report_and_submit_for_a_project_in_scope(login, zone):
    a = zone["projects"]["a"]
    year, month = this_month()
    r = post(
        login(zone["users"]["admin"]), {"project": a.pk, "year": year, "month": month, "invested": 2, "submit": True}
    )
    assert r.status_code == 201 and r.json()["status"] == "submitted", r.content


def test_the_openapi_schema_documents_submit(client):
    schema = client.get("/api/v1/openapi.json").json()
    props = schema["components"]["schemas"]["ReportIn"]["properties"]
    assert props["submit"]["type"] == "boolean" and props["submit"]["default"] is False
    assert "one request" in props["submit"]["description"]
