"""The API's doors: session (with CSRF) and bearer token, 401 for anonymous callers, the change log naming the
caller, the change-record endpoint, OpenAPI and the docs page served without a CDN."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from tuijin.accounts.models import APIToken
from tuijin.core.models import ChangeRecord
from tuijin.projects.models import Period, Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The zone's users are made with set_password: a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


ENDPOINTS = [
    ("get", "/api/v1/regions"),
    ("post", "/api/v1/regions"),
    ("get", "/api/v1/regions/410171"),
    ("patch", "/api/v1/regions/410171"),
    ("delete", "/api/v1/regions/410171"),
    ("get", "/api/v1/periods"),
    ("post", "/api/v1/periods"),
    ("get", "/api/v1/periods/1"),
    ("patch", "/api/v1/periods/1"),
    ("delete", "/api/v1/periods/1"),
    ("get", "/api/v1/projects"),
    ("post", "/api/v1/projects"),
    ("get", "/api/v1/projects/{a}"),
    ("patch", "/api/v1/projects/{a}"),
    ("delete", "/api/v1/projects/{a}"),
    ("get", "/api/v1/projects/{a}/listings"),
    ("post", "/api/v1/projects/{a}/listings"),
    ("get", "/api/v1/projects/{a}/changes"),
    ("delete", "/api/v1/listings/{listing}"),
    ("get", "/api/v1/stats/campaign"),
    ("get", "/api/v1/changes"),
    ("post", "/api/v1/imports/ledger"),
]


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _path(template: str, zone) -> str:
    a = zone["projects"]["a"]
    return template.format(a=a.pk, listing=a.listings.first().pk)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_gets_401_json_and_nothing_changes(client, zone, method, path):
    before = (Project.objects.count(), Period.objects.count(), ChangeRecord.objects.count())
    response = getattr(client, method)(
        _path(path, zone), data=json.dumps({}) if method != "get" else None, content_type="application/json"
    )
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert (Project.objects.count(), Period.objects.count(), ChangeRecord.objects.count()) == before


def test_every_route_is_in_the_openapi_schema_tagged_and_documented(client, zone):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operations = {(m, p) for p, ops in schema["paths"].items() for m in ops}
    for method, path in ENDPOINTS:
        templated = re.sub(r"/\{(a|listing)\}", lambda m: "/{project_id}" if m[1] == "a" else "/{listing_id}", path)
        templated = templated.replace("/regions/410171", "/regions/{code}").replace("/periods/1", "/periods/{number}")
        assert (method, templated) in operations, (method, templated)
    for ops in schema["paths"].values():
        for op in ops.values():
            assert op["tags"] and op["summary"] and op["description"]
            assert op.get("security"), op["summary"]
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_docs_page_loads_swagger_from_the_app_not_a_cdn(client, zone, settings):
    static_dir = settings.BASE_DIR / "static"
    if static_dir not in settings.STATICFILES_DIRS:  # tuijin/static is a project-level static folder
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), asset  # same origin
        served = client.get(asset)
        assert served.status_code == 200, asset
        b"".join(served.streaming_content) if served.streaming else served.content
    assert "/api/v1/openapi.json" in html


def test_token_reads_what_its_user_may_see(client, zone):
    _token, key = APIToken.issue(user=zone["users"]["enterprise"], name="erp")
    response = client.get("/api/v1/projects", **bearer(key))
    assert response.status_code == 200
    names = {p["name"] for p in response.json()["items"]}
    assert names == {"新能源汽车零部件项目", "高端数控机床项目"}  # enterprise A's own projects only


def test_bad_expired_or_inactive_tokens_are_401(client, zone):
    assert client.get("/api/v1/projects", **bearer("not-a-key")).status_code == 401
    token, key = APIToken.issue(user=zone["users"]["admin"], name="old")
    token.expires = timezone.now() - datetime.timedelta(minutes=1)
    token.save()
    assert client.get("/api/v1/projects", **bearer(key)).status_code == 401
    _t, key2 = APIToken.issue(user=zone["users"]["viewer"], name="screen")
    viewer = zone["users"]["viewer"]
    viewer.is_active = False
    viewer.save()
    assert client.get("/api/v1/projects", **bearer(key2)).status_code == 401


def test_token_write_needs_no_csrf_and_is_recorded_under_the_tokens_user(zone):
    admin = zone["users"]["admin"]
    _token, key = APIToken.issue(user=admin, name="integration")
    client = Client(enforce_csrf_checks=True)
    a = zone["projects"]["a"]
    response = client.patch(
        f"/api/v1/projects/{a.pk}", data={"note": "经开区集成测试"}, content_type="application/json", **bearer(key)
    )
    assert response.status_code == 200, response.content
    record = ChangeRecord.objects.filter(object_id=a.pk, action="update").latest("time")
    assert record.user == admin
    assert record.user_name == admin.username
    assert record.source == "api"
    assert record.after == {"note": "经开区集成测试"}
    assert str(record.request_id) == response["X-Request-ID"]


def test_session_write_without_csrf_token_fails_and_writes_nothing(zone):
    client = Client(enforce_csrf_checks=True)
    client.force_login(zone["users"]["admin"])
    records = ChangeRecord.objects.count()
    response = client.post("/api/v1/periods", data={"number": 3, "date": "2022-09-20"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Period.objects.filter(number=3).exists()
    assert ChangeRecord.objects.count() == records


def test_session_write_with_csrf_token_succeeds_and_reads_need_none(zone):
    client = Client(enforce_csrf_checks=True)
    client.force_login(zone["users"]["admin"])
    assert client.get("/api/v1/periods").status_code == 200
    page = client.get("/api/v1/docs")  # the docs page hands the browser its CSRF token
    token = re.search(r'data-csrf-token="([^"]+)"', page.content.decode())[1]
    response = client.post(
        "/api/v1/periods",
        data={"number": 3, "date": "2022-09-20"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"number": 3, "name": "第三期", "date": "2022-09-20"}
    record = ChangeRecord.objects.get(
        object_id=Period.objects.get(number=3).pk, action="create", content_type__model="period"
    )
    assert record.user == zone["users"]["admin"] and record.source == "api"


def test_chinese_is_utf8_not_escaped(login, zone):
    response = login(zone["users"]["admin"]).get("/api/v1/regions/410171")
    assert "郑州经开区".encode() in response.content
    assert b"\\u" not in response.content


# ---- /changes -------------------------------------------------------------------------------------------------


def test_change_list_is_scoped_to_the_readers_region(login, zone):
    body = login(zone["users"]["admin"]).get("/api/v1/changes?page_size=500").json()
    paths = {r["object_repr"] for r in body["items"]}
    assert "新能源汽车零部件项目" in paths
    assert "新材料研发基地" not in paths  # 洛阳 project: out of scope
    assert body["count"] == len(body["items"])


def test_change_list_filters(login, zone):
    client = login(zone["users"]["superuser"])
    d = zone["projects"]["d"]
    body = client.get(f"/api/v1/changes?object_type=projects.project&object_id={d.pk}").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["object_type"] == "projects.project" and item["action"] == "create"
    assert item["object_repr"] == "新材料研发基地" and item["after"]["name"] == "新材料研发基地"
    assert client.get("/api/v1/changes?object_type=listing&action=delete").json()["count"] == 0
    assert client.get("/api/v1/changes?source=api").json()["count"] == 0
    assert client.get("/api/v1/changes?since=2999-01-01").json()["count"] == 0
    assert client.get("/api/v1/changes?object_type=nothing").status_code == 422
    assert client.get("/api/v1/changes?page_size=501").status_code == 422


@pytest.mark.parametrize("role", ["department", "enterprise", "viewer"])
def test_change_list_forbidden_for_roles_without_it(login, zone, role):
    assert login(zone["users"][role]).get("/api/v1/changes").status_code == 403


def test_leader_reads_changes(login, zone):
    assert login(zone["users"]["leader"]).get("/api/v1/changes").json()["count"] > 0
