"""/api/v1/ for investment, per role in and out of scope: reads are restricted, writes refused write nothing."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve

from tuijin.investment.choices import ReportStatus
from tuijin.investment.models import AnnualPlan, MonthlyReport
from tuijin.investment.selectors import investment_payload
from tuijin.projects.models import Project

from .helpers import image_bytes, state

pytestmark = pytest.mark.django_db
ROLES = ["superuser", "admin", "leader", "department", "enterprise", "viewer", "admin_out", "enterprise_out"]


@pytest.fixture(autouse=True)
def _api_urls(settings):
    """Use the app's own /api/v1/ once it mounts the investment router; until then the tests' copy of it."""
    try:
        resolve("/api/v1/stats/investment")
    except Resolver404:
        settings.ROOT_URLCONF = "tuijin.investment.tests.api_urls"


@pytest.fixture
def data(zone):
    p = zone["projects"]
    for m in range(1, 7):
        MonthlyReport.objects.create(project=p["a"], year=2022, month=m, invested=Decimal("500"), status="accepted")
    MonthlyReport.objects.create(project=p["c"], year=2022, month=6, invested=Decimal("300"), status="submitted")
    AnnualPlan.objects.create(project=p["d"], year=2022, amount=Decimal("1000"))
    MonthlyReport.objects.create(project=p["d"], year=2022, month=6, invested=Decimal("100"), status="accepted")
    return zone


def send(client, method, path, data=None):
    return getattr(client, method)(path, data=json.dumps(data or {}), content_type="application/json")


# ---- statistics ----

VISIBLE = {
    "superuser": 3,
    "admin": 2,
    "leader": 2,
    "department": 2,
    "viewer": 2,
    "enterprise": 2,
    "admin_out": 1,
    "enterprise_out": 1,
}


@pytest.mark.parametrize("role", ROLES)
def test_stats_count_only_what_each_role_may_see(login, data, role):
    user = data["users"][role]
    response = login(user).get("/api/v1/stats/investment?year=2022&month=6&group_by=batch")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"]["projects"] == VISIBLE[role]
    expected = investment_payload(Project.objects.restrict(user, "view"), year=2022, month=6, group_by="batch")
    assert Decimal(str(body["total"]["invested_to_date"])) == expected["total"]["invested_to_date"]
    assert body["elapsed_share"] == 0.5 and body["unit"] == "万元"


def test_stats_anonymous_and_out_of_scope_region(client, login, data):
    assert client.get("/api/v1/stats/investment?year=2022").status_code == 401
    c = login(data["users"]["admin"])
    assert c.get("/api/v1/stats/investment?year=2022&region=410371").status_code == 404
    assert c.get("/api/v1/stats/investment?year=2022&region=410100").status_code == 404  # above its zone
    body = c.get("/api/v1/stats/investment?year=2022&month=6&group_by=region&region=410171").json()
    assert [g["label"] for g in body["groups"]] == ["郑州经开区"]
    root = login(data["users"]["superuser"])
    body = root.get("/api/v1/stats/investment?year=2022&month=6&group_by=region").json()
    assert [g["label"] for g in body["groups"]] == ["洛阳市", "郑州市"] or [g["label"] for g in body["groups"]] == [
        "郑州市",
        "洛阳市",
    ]
    assert c.get("/api/v1/stats/investment?year=2022&group_by=nonsense").status_code == 422
    assert c.get("/api/v1/stats/investment?year=2022&month=13").status_code == 422


# ---- reports ----


def test_enterprise_reports_its_own_project_and_the_office_reviews(login, data, client):
    a = data["projects"]["a"]
    ent = login(data["users"]["enterprise"])
    r = send(
        ent,
        "post",
        "/api/v1/investment/reports",
        {"project": a.pk, "year": 2022, "month": 7, "invested": "800.5", "progress_note": "主体封顶", "workers": 150},
    )
    assert r.status_code == 201, r.content
    report = r.json()
    assert report["status"] == "draft" and report["year_to_date"] == 3800.5 and report["since_start"] == 3800.5
    again = send(
        ent, "post", "/api/v1/investment/reports", {"project": a.pk, "year": 2022, "month": 7, "invested": 820}
    )
    assert again.status_code == 200 and again.json()["id"] == report["id"] and again.json()["invested"] == 820
    photo = ent.post(
        f"/api/v1/investment/reports/{report['id']}/photos",
        {"file": SimpleUploadedFile("site.jpg", image_bytes(), content_type="image/jpeg")},
    )
    assert photo.status_code == 201, photo.content
    assert photo.json()["thumbnail_url"].endswith("_thumb.jpg")
    assert send(ent, "post", f"/api/v1/investment/reports/{report['id']}/submit").json()["status"] == "submitted"
    assert send(ent, "post", f"/api/v1/investment/reports/{report['id']}/accept").status_code == 403
    client.logout()
    office = login(data["users"]["admin"])
    returned = send(office, "post", f"/api/v1/investment/reports/{report['id']}/return", {"opinion": "补充照片"})
    assert returned.json()["status"] == "returned" and returned.json()["return_count"] == 1
    client.logout()
    ent = login(data["users"]["enterprise"])
    listed = ent.get("/api/v1/investment/reports?year=2022&month=7").json()
    assert listed["count"] == 1 and listed["items"][0]["review_opinion"] == "补充照片"
    patched = send(ent, "patch", f"/api/v1/investment/reports/{report['id']}", {"invested": "830"})
    assert patched.status_code == 200 and patched.json()["invested"] == 830
    assert send(ent, "post", f"/api/v1/investment/reports/{report['id']}/submit").json()["status"] == "resubmitted"
    client.logout()
    office = login(data["users"]["admin"])
    assert send(office, "post", f"/api/v1/investment/reports/{report['id']}/accept").json()["status"] == "accepted"
    assert send(office, "post", f"/api/v1/investment/reports/{report['id']}/reopen", {"reason": ""}).status_code == 422
    reopened = send(office, "post", f"/api/v1/investment/reports/{report['id']}/reopen", {"reason": "更正"})
    assert reopened.json()["status"] == "reopened" and reopened.json()["reopen_count"] == 1


@pytest.mark.parametrize(
    "role, project, status",
    [
        ("enterprise", "b", 404),  # another enterprise's project: not even visible
        ("enterprise_out", "a", 404),
        ("admin_out", "a", 404),
        ("leader", "a", 403),
        ("department", "a", 403),
        ("viewer", "a", 403),
    ],
)
def test_reports_for_someone_else_s_project_are_refused(login, data, role, project, status):
    before = state()
    r = send(
        login(data["users"][role]),
        "post",
        "/api/v1/investment/reports",
        {"project": data["projects"][project].pk, "year": 2022, "month": 7, "invested": 1},
    )
    assert r.status_code == status, r.content
    assert state() == before


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"invested": "-3"}, "invested"),
        ({"invested": "abc"}, "invested"),
        ({"invested": 1, "month": 10, "year": 2999}, "year"),
        ({"invested": 60000}, "invested"),  # above the total investment of 50000
    ],
)
def test_bad_report_input_is_422_with_the_field_and_writes_nothing(login, data, payload, field):
    before = state()
    body = {"project": data["projects"]["a"].pk, "year": 2022, "month": 7, **payload}
    r = send(login(data["users"]["enterprise"]), "post", "/api/v1/investment/reports", body)
    assert r.status_code == 422, r.content
    assert field in r.json()["errors"]
    assert state() == before


def test_photo_that_is_not_an_image_is_422(login, data):
    report = MonthlyReport.objects.create(
        project=data["projects"]["a"], year=2022, month=7, invested=Decimal(1), status=ReportStatus.DRAFT
    )
    before = state()
    r = login(data["users"]["enterprise"]).post(
        f"/api/v1/investment/reports/{report.pk}/photos", {"file": SimpleUploadedFile("x.jpg", b"not an image")}
    )
    assert r.status_code == 422 and "file" in r.json()["errors"]
    assert state() == before


@pytest.mark.parametrize("role", ROLES)
def test_report_list_is_restricted(login, data, role):
    body = login(data["users"][role]).get("/api/v1/investment/reports?year=2022").json()
    projects = {i["project_name"] for i in body["items"]}
    user = data["users"][role]
    assert projects == set(
        Project.objects.restrict(user, "view").filter(monthly_reports__isnull=False).values_list("name", flat=True)
    )


# ---- plans, reminders, completion ----


@pytest.mark.parametrize(
    "role, status",
    [
        ("admin", 200),
        ("superuser", 200),
        ("enterprise", 403),
        ("leader", 403),
        ("viewer", 403),
        ("admin_out", 404),
        ("enterprise_out", 404),
    ],
)
def test_plans_are_set_by_the_office(login, data, role, status):
    before = state()
    a = data["projects"]["a"]
    r = send(
        login(data["users"][role]),
        "put",
        f"/api/v1/investment/plans/{a.pk}/2023",
        {"amount": "1200", "split": "seasonal"},
    )
    assert r.status_code == status, r.content
    if status == 200:
        body = r.json()
        assert body["split_method"] == "seasonal" and sum(Decimal(str(m)) for m in body["months"]) == 1200
        manual = send(
            login(data["users"][role]),
            "post",
            f"/api/v1/investment/plans/{a.pk}/2023/split",
            {"method": "manual", "months": ["100"] * 12},
        )
        assert manual.status_code == 200 and manual.json()["months"] == [100] * 12
    else:
        assert state() == before


def test_plan_reads_are_restricted(login, data):
    a = data["projects"]["a"]
    assert login(data["users"]["enterprise"]).get(f"/api/v1/investment/plans/{a.pk}/2022").status_code == 200
    assert login(data["users"]["enterprise_out"]).get(f"/api/v1/investment/plans/{a.pk}/2022").status_code == 404
    plans = login(data["users"]["admin_out"]).get("/api/v1/investment/plans?year=2022").json()
    assert [p["project_name"] for p in plans] == ["新材料研发基地"]


def test_missing_reminders_and_completion(login, data):
    import datetime

    from tuijin.investment.services import reminders_refresh

    reminders_refresh(as_of=datetime.date(2022, 8, 10))  # July for a and c, May for c (d is out of scope)
    ent = login(data["users"]["enterprise"]).get("/api/v1/investment/reminders").json()
    assert {(r["project_name"], r["month"], r["kind"]) for r in ent} == {
        ("新能源汽车零部件项目", 7, "missing"),
        ("高端数控机床项目", 7, "missing"),
        ("高端数控机床项目", 5, "missing"),
    }
    office = login(data["users"]["admin"])
    missing = office.get("/api/v1/investment/missing?year=2022&month=7").json()
    assert [m["name"] for m in missing] == ["新能源汽车零部件项目", "高端数控机床项目"]
    rows = office.get("/api/v1/investment/completion?year=2022&month=6").json()
    assert rows["through_month"] == 6
    by_name = {r["project_name"]: r for r in rows["items"]}
    assert by_name["新能源汽车零部件项目"]["flag"] == "yellow"
    assert (
        "Months 1-6" in by_name["新能源汽车零部件项目"]["reason"] or "1-6" in by_name["新能源汽车零部件项目"]["reason"]
    )
