"""/api/v1/regions: the tree by code, each role in and out of scope, validation that writes nothing."""

import pytest

from tuijin.accounts.choices import Role
from tuijin.core.models import ChangeRecord
from tuijin.core.testing import user
from tuijin.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def city_admin(zone):
    """A project office at city level (郑州市): may add zones under its city."""
    return user("office_zz", Role.ADMIN, zone["regions"]["zhengzhou"])


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["code"] for r in response.json()]


def state():
    return sorted(Region.objects.values_list("code", "name", "path")), ChangeRecord.objects.count()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("superuser", ["410000", "410100", "410171", "410173", "410300", "410371"]),
        ("admin", ["410171"]),
        ("leader", ["410171"]),
        ("department", ["410171"]),
        ("enterprise", ["410171"]),
        ("viewer", ["410171"]),
        ("admin_out", ["410371"]),
        ("enterprise_out", ["410371"]),
    ],
)
def test_list_is_the_readers_subtree(login, zone, role, expected):
    assert codes(login(zone["users"][role]).get("/api/v1/regions")) == expected


def test_list_filters(login, zone):
    client = login(zone["users"]["superuser"])
    assert codes(client.get("/api/v1/regions?parent=410100")) == ["410171", "410173"]
    assert codes(client.get("/api/v1/regions?level=city")) == ["410100", "410300"]
    assert codes(client.get("/api/v1/regions?q=洛阳")) == ["410300", "410371"]


def test_detail_has_tree_info(login, zone):
    body = login(zone["users"]["admin"]).get("/api/v1/regions/410171").json()
    assert body == {
        "id": zone["regions"]["jingkai"].pk,
        "code": "410171",
        "name": "郑州经开区",
        "parent": "410100",
        "level": "county",
        "path": "/410000/410100/410171/",
    }


@pytest.mark.parametrize("role", ["admin_out", "enterprise_out"])
def test_detail_outside_scope_is_404(login, zone, role):
    assert login(zone["users"][role]).get("/api/v1/regions/410171").status_code == 404
    assert login(zone["users"]["admin"]).get("/api/v1/regions/999999").status_code == 404


def test_city_admin_adds_a_zone_under_its_city(login, zone, city_admin):
    response = login(city_admin).post(
        "/api/v1/regions",
        data={"code": "410172", "name": "郑州航空港区", "parent": "410100"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "id": Region.objects.get(code="410172").pk,
        "code": "410172",
        "name": "郑州航空港区",
        "parent": "410100",
        "level": "county",
        "path": "/410000/410100/410172/",
    }
    record = ChangeRecord.objects.get(content_type__model="region", action="create", object_repr="郑州航空港区")
    assert record.user == city_admin and record.source == "api"


def test_admin_cannot_add_a_region_outside_its_own(login, zone, city_admin):
    before = state()
    response = login(city_admin).post(
        "/api/v1/regions", data={"code": "411000", "name": "许昌市"}, content_type="application/json"
    )
    assert response.status_code == 403
    response = login(city_admin).post(
        "/api/v1/regions", data={"code": "410372", "name": "某区", "parent": "410300"}, content_type="application/json"
    )
    assert response.status_code == 422  # 洛阳市 is not a parent this office can see
    assert response.json()["detail"]
    assert state() == before


@pytest.mark.parametrize("role", ["leader", "department", "enterprise", "viewer"])
def test_read_only_roles_get_403_on_writes(login, zone, role):
    client = login(zone["users"][role])
    before = state()
    assert (
        client.post(
            "/api/v1/regions",
            data={"code": "410174", "name": "某区", "parent": "410171"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert (
        client.patch("/api/v1/regions/410171", data={"name": "改名"}, content_type="application/json").status_code
        == 403
    )
    assert client.delete("/api/v1/regions/410171").status_code == 403
    assert state() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"code": "41-01", "name": "坏代码", "parent": "410100"}, "code"),
        ({"code": "410171", "name": "重复代码", "parent": "410100"}, "code"),
        ({"code": "410179", "name": "郑州经开区", "parent": "410100"}, "__all__"),
        ({"code": "41017101", "name": "太深", "parent": "410171"}, "parent"),
    ],
)
def test_validation_errors_name_the_field_and_write_nothing(login, zone, payload, field):
    before = state()
    response = login(zone["users"]["superuser"]).post("/api/v1/regions", data=payload, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert all(response.json()["errors"][field])
    assert state() == before


def test_missing_field_is_422(login, zone):
    response = login(zone["users"]["superuser"]).post(
        "/api/v1/regions", data={"code": "410174"}, content_type="application/json"
    )
    assert response.status_code == 422


def test_rename_and_move(login, zone):
    client = login(zone["users"]["superuser"])
    response = client.patch(
        "/api/v1/regions/410173",
        data={"name": "郑州高新技术产业开发区", "parent": "410300"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["path"] == "/410000/410300/410173/"
    assert response.json()["parent"] == "410300"
    record = ChangeRecord.objects.filter(content_type__model="region", action="update").latest("time")
    assert record.after["name"] == "郑州高新技术产业开发区"


def test_admin_renames_its_own_region_but_not_others(login, zone):
    client = login(zone["users"]["admin"])
    assert (
        client.patch(
            "/api/v1/regions/410171", data={"name": "郑州经济技术开发区"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert Region.objects.get(code="410171").name == "郑州经济技术开发区"
    assert (
        client.patch("/api/v1/regions/410371", data={"name": "x"}, content_type="application/json").status_code == 404
    )
    assert Region.objects.get(code="410371").name == "洛阳高新区"


def test_delete_empty_region_and_refuse_one_in_use(login, zone):
    client = login(zone["users"]["superuser"])
    assert client.delete("/api/v1/regions/410173").status_code == 204
    assert not Region.objects.filter(code="410173").exists()
    assert ChangeRecord.objects.filter(content_type__model="region", action="delete").count() == 1
    before = state()
    response = client.delete("/api/v1/regions/410171")
    assert response.status_code == 409
    assert response.json()["detail"]
    assert state() == before
