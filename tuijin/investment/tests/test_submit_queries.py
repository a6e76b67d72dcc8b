"""What one submission through the API costs an integration (Bearer token), counted in SQL statements so that it
cannot silently grow: the one request ("submit": true, what the reporting deadline's burst sends) and the two
(save, then POST …/{id}/submit); the answer's figures are still the selectors' and no session row is left
behind."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuijin.accounts.models import APIToken
from tuijin.core.models import ChangeRecord
from tuijin.investment.models import MonthlyReport
from tuijin.investment.selectors import report_cumulative

from .helpers import state

pytestmark = pytest.mark.django_db

# The statistics' summary of the project-year (summary.refresh_reported, on every write): its upsert, and on
# PostgreSQL the advisory lock taken before it.
REFRESH_STATEMENTS = 2 if connection.vendor == "postgresql" else 1
# The token is read on every request; its `last_used` is written on its first use and then at most once a minute
# (APIToken.authenticate): in these tests the first request writes it, the next ones do not.
#
# One request, "submit": true (the token already used this minute): token, project in scope (visible_or_404:
# the service's "may report" trusts that read for an enterprise user), savepoint, lock the project, the month's
# report, the sums (total-investment check and cumulative figures), the region's rule (due date: late? the
# region came with the project), insert, change record, the summary, resolve reminders, release. A report just
# created has no photos to read.
ONE_REQUEST_STATEMENTS = 11 + REFRESH_STATEMENTS
# Two requests. Save: token (read + last_used, its first use), project in scope, savepoint, lock the project, the
# month's report, the sums, insert, change record, the summary, release.
SAVE_STATEMENTS = 10 + REFRESH_STATEMENTS
# Submit: token, report in scope, savepoint, lock the report, may report (its project, from the lock), the sums,
# the region's rule (due date; the region came with the lock), update, change record, the summary, resolve
# reminders, release, the photos.
SUBMIT_STATEMENTS = 12 + REFRESH_STATEMENTS


def _sql(captured) -> str:
    return "\n".join(q["sql"][:160] for q in captured.captured_queries)


def post(client, path, key, body=None):
    return client.post(path, body or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def setting(zone):
    a = zone["projects"]["a"]
    for m in range(1, 7):
        MonthlyReport.objects.create(project=a, year=2022, month=m, invested=Decimal("500"), status="accepted")
    MonthlyReport.objects.create(project=a, year=2021, month=12, invested=Decimal("250"), status="accepted")
    MonthlyReport.objects.create(project=a, year=2022, month=8, invested=Decimal("70"), status="submitted")
    key = APIToken.issue(user=zone["users"]["enterprise"], name="integration")[1]
    ContentType.objects.get_for_model(MonthlyReport)  # cached for the process, as in a running server
    return a, key


def test_one_submission_costs_a_fixed_number_of_statements(client, setting):
    a, key = setting
    client.get("/api/v1/openapi.json")
    with CaptureQueriesContext(connection) as saved:
        r = post(client, "/api/v1/investment/reports", key, {"project": a.pk, "year": 2022, "month": 7, "invested": 8})
    assert r.status_code == 201, r.content
    with CaptureQueriesContext(connection) as submitted:
        s = post(client, f"/api/v1/investment/reports/{r.json()['id']}/submit", key)
    assert s.status_code == 200 and s.json()["status"] == "submitted", s.content
    assert len(saved.captured_queries) == SAVE_STATEMENTS, _sql(saved)
    assert len(submitted.captured_queries) == SUBMIT_STATEMENTS, _sql(submitted)
    # Token requests neither read nor create sessions.
    assert not any("django_session" in q["sql"] for q in saved.captured_queries + submitted.captured_queries)
    assert Session.objects.count() == 0
    # One report, two change records (its history), submitted.
    report = MonthlyReport.objects.get(project=a, year=2022, month=7)
    assert report.status == "submitted" and report.invested == Decimal("8.00") and report.submitted_at is not None
    assert ChangeRecord.objects.filter(content_type__model="monthlyreport", object_id=report.pk).count() == 2


def test_one_request_submission_costs_a_fixed_number_of_statements(client, setting):
    a, key = setting
    client.get("/api/v1/openapi.json")
    assert client.get("/api/v1/investment/reports?year=2022", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    before = ChangeRecord.objects.count()
    body = {"project": a.pk, "year": 2022, "month": 7, "invested": "8.5", "submit": True}
    with CaptureQueriesContext(connection) as captured:
        r = post(client, "/api/v1/investment/reports", key, body)
    assert r.status_code == 201 and r.json()["status"] == "submitted", r.content
    assert len(captured.captured_queries) == ONE_REQUEST_STATEMENTS, _sql(captured)
    assert not any("django_session" in q["sql"] for q in captured.captured_queries)
    assert Session.objects.count() == 0
    # One report, submitted, with exactly one change record (created as submitted) and nothing else recorded.
    report = MonthlyReport.objects.get(project=a, year=2022, month=7)
    assert report.status == "submitted" and report.invested == Decimal("8.50") and report.submitted_at is not None
    assert ChangeRecord.objects.count() == before + 1
    (record,) = ChangeRecord.objects.filter(content_type__model="monthlyreport", object_id=report.pk)
    assert record.action == "create" and record.after["status"] == "submitted"
    # The answer's figures are the selectors'.
    expected = report_cumulative(report)  # counted before July (6 × 500 this year, + 250 in 2021) + its own 8.5
    assert expected == {"year_to_date": Decimal("3008.50"), "since_start": Decimal("3258.50")}
    answer = r.json()
    assert (Decimal(str(answer["year_to_date"])), Decimal(str(answer["since_start"]))) == tuple(expected.values())


def test_answers_carry_the_selectors_cumulative_figures(client, setting):
    a, key = setting
    r = post(client, "/api/v1/investment/reports", key, {"project": a.pk, "year": 2022, "month": 7, "invested": "8.5"})
    report = MonthlyReport.objects.get(pk=r.json()["id"])
    expected = report_cumulative(report)  # counted before July (6 × 500 this year, + 250 in 2021) + its own 8.5
    assert expected == {"year_to_date": Decimal("3008.50"), "since_start": Decimal("3258.50")}
    body = r.json()
    assert (Decimal(str(body["year_to_date"])), Decimal(str(body["since_start"]))) == tuple(expected.values())
    assert body["photos"] == []
    # A second report for the month edits the same one (200), figures follow.
    again = post(client, "/api/v1/investment/reports", key, {"project": a.pk, "year": 2022, "month": 7, "invested": 9})
    assert again.status_code == 200 and again.json()["id"] == report.pk
    assert Decimal(str(again.json()["since_start"])) == Decimal("3259.00")
    submitted = post(client, f"/api/v1/investment/reports/{report.pk}/submit", key).json()
    report.refresh_from_db()
    assert Decimal(str(submitted["year_to_date"])) == report_cumulative(report)["year_to_date"] == Decimal("3009.00")
    assert Decimal(str(submitted["since_start"])) == report_cumulative(report)["since_start"]


def test_total_investment_is_still_checked_at_submit(client, setting, zone):
    """The office lowered the total after the figure was saved: the submission is refused, nothing written."""
    a, key = setting
    r = post(client, "/api/v1/investment/reports", key, {"project": a.pk, "year": 2022, "month": 7, "invested": 100})
    a.total_investment = Decimal("3000")
    a.save()
    before = state()
    s = post(client, f"/api/v1/investment/reports/{r.json()['id']}/submit", key)
    assert s.status_code == 422 and "invested" in s.json()["errors"], s.content
    assert state() == before


def test_total_investment_is_checked_in_the_one_request_submission(client, setting):
    a, key = setting
    before = state()
    body = {"project": a.pk, "year": 2022, "month": 7, "invested": "50000", "submit": True}
    r = post(client, "/api/v1/investment/reports", key, body)
    assert r.status_code == 422 and "invested" in r.json()["errors"], r.content
    assert state() == before and not MonthlyReport.objects.filter(year=2022, month=7).exists()
