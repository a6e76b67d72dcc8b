"""Region pages: the tree in the user's scope with project counts; add and edit within one's own subtree."""

import pytest
from django.urls import reverse

from tuijin.accounts.choices import Role
from tuijin.core.models import ChangeRecord
from tuijin.core.testing import user
from tuijin.regions.models import Region

LIST = reverse("regions:region_list")
ADD = reverse("regions:region_add")


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def city_admin(zone):
    return user("office_zz", Role.ADMIN, zone["regions"]["zhengzhou"])


def test_tree_with_subtree_counts(zone, login):
    response = login(zone["users"]["superuser"]).get(LIST)
    rows = {r.code: r for r in response.context["regions"]}
    assert [r.code for r in response.context["regions"]] == ["410000", "410100", "410171", "410173", "410300", "410371"]
    assert (rows["410000"].subtree_count, rows["410100"].subtree_count, rows["410300"].subtree_count) == (4, 3, 1)
    assert (rows["410171"].direct_count, rows["410171"].indent, rows["410000"].indent) == (3, 2, 0)
    assert reverse("regions:region_edit", args=[rows["410171"].pk]) in response.content.decode()


def test_tree_is_the_users_subtree(zone, login, city_admin):
    response = login(city_admin).get(LIST)
    assert [r.code for r in response.context["regions"]] == ["410100", "410171", "410173"]
    assert response.context["regions"][0].indent == 0
    response = login(zone["users"]["enterprise"]).get(LIST)
    html = response.content.decode()
    assert [r.code for r in response.context["regions"]] == ["410171"]
    assert response.context["regions"][0].subtree_count == 2  # only the enterprise's own projects are counted
    assert ADD not in html


def test_add_region_under_own_subtree(zone, login, city_admin):
    client = login(city_admin)
    response = client.post(ADD, {"code": "410172", "name": "郑州航空港区", "parent": zone["regions"]["zhengzhou"].pk})
    assert response.status_code == 302
    region = Region.objects.get(code="410172")
    assert (region.path, region.level) == ("/410000/410100/410172/", "county")
    record = ChangeRecord.objects.get(content_type__model="region", object_id=region.pk)
    assert (record.action, record.user) == ("create", city_admin)


def test_add_region_refuses_a_parent_outside_the_subtree(zone, login, city_admin):
    records = ChangeRecord.objects.count()
    client = login(city_admin)
    response = client.post(ADD, {"code": "410302", "name": "老城区", "parent": zone["regions"]["luoyang"].pk})
    assert response.status_code == 200 and "parent" in response.context["form"].errors
    response = client.post(ADD, {"code": "419999", "name": "无上级", "parent": ""})  # no root for a city admin
    assert response.status_code == 200 and "parent" in response.context["form"].errors
    assert not Region.objects.filter(code__in=["410302", "419999"]).exists()
    assert ChangeRecord.objects.count() == records


def test_add_region_validation(zone, login):
    client = login(zone["users"]["superuser"])
    records = ChangeRecord.objects.count()
    response = client.post(ADD, {"code": "4101-71", "name": "坏代码", "parent": zone["regions"]["zhengzhou"].pk})
    assert "code" in response.context["form"].errors
    response = client.post(ADD, {"code": "410199", "name": "太深", "parent": zone["regions"]["jingkai"].pk})
    assert "parent" in response.context["form"].errors  # a fourth level
    response = client.post(ADD, {"code": "410171", "name": "重复", "parent": zone["regions"]["zhengzhou"].pk})
    assert "code" in response.context["form"].errors
    assert ChangeRecord.objects.count() == records
    response = client.post(ADD, {"code": "420000", "name": "湖北省", "parent": ""})  # a superuser may add a root
    assert response.status_code == 302 and Region.objects.get(code="420000").level == "province"


def test_edit_region(zone, login, city_admin):
    gaoxin = zone["regions"]["gaoxin"]
    client = login(city_admin)
    response = client.post(
        reverse("regions:region_edit", args=[gaoxin.pk]),
        {"code": "410173", "name": "郑州高新技术产业开发区", "parent": zone["regions"]["zhengzhou"].pk},
    )
    assert response.status_code == 302
    gaoxin.refresh_from_db()
    assert gaoxin.name == "郑州高新技术产业开发区"
    assert ChangeRecord.objects.filter(content_type__model="region", object_id=gaoxin.pk, action="update").exists()


@pytest.mark.parametrize(
    ("role", "status"), [("leader", 403), ("viewer", 403), ("enterprise", 403), ("admin_out", 404)]
)
def test_edit_and_add_need_permission(zone, login, role, status):
    jk = zone["regions"]["jingkai"]
    client = login(zone["users"][role])
    response = client.post(reverse("regions:region_edit", args=[jk.pk]), {"code": "410171", "name": "改名"})
    assert response.status_code == status
    jk.refresh_from_db()
    assert jk.name == "郑州经开区"
    if role != "admin_out":
        assert client.get(ADD).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, zone):
    assert client.get(LIST).status_code == 302
