"""The change log pages: restricted to who may read them, filterable, with a readable field diff."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tuijin.core.changelog import change_context
from tuijin.core.models import ChangeRecord
from tuijin.projects.models import Project

LIST = reverse("core:change_list")


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _edit(project: Project, user, **fields) -> ChangeRecord:
    with change_context(source="web", user=user, label="POST /test"):
        for k, v in fields.items():
            setattr(project, k, v)
        project.save()
    return ChangeRecord.objects.filter(content_type__model="project", object_id=project.pk).first()


@pytest.mark.parametrize("role", ["enterprise", "enterprise_out", "department", "viewer"])
def test_change_log_is_forbidden_for_roles_without_it(zone, login, role):
    client = login(zone["users"][role])
    assert client.get(LIST).status_code == 403
    record = ChangeRecord.objects.first()
    assert client.get(reverse("core:change_detail", args=[record.pk])).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, zone):
    assert client.get(LIST).status_code == 302


def test_change_log_shows_only_records_in_scope(zone, login):
    response = login(zone["users"]["admin"]).get(LIST)
    reprs = {r.object_repr for r in response.context["page"].paginator.object_list}
    assert "新能源汽车零部件项目" in reprs and "第一期" in reprs  # periods belong to everyone
    assert "新材料研发基地" not in reprs and "洛阳高新区" not in reprs
    response = login(zone["users"]["admin_out"]).get(LIST)
    reprs = {r.object_repr for r in response.context["page"].paginator.object_list}
    assert "新材料研发基地" in reprs and "新能源汽车零部件项目" not in reprs


def test_change_detail_out_of_scope_is_404(zone, login):
    d = zone["projects"]["d"]
    record = ChangeRecord.objects.filter(content_type__model="project", object_id=d.pk).first()
    assert login(zone["users"]["admin"]).get(reverse("core:change_detail", args=[record.pk])).status_code == 404


def test_filters(zone, login):
    admin = zone["users"]["admin"]
    _edit(zone["projects"]["a"], admin, total_investment=Decimal("51000"))
    client = login(admin)
    records = client.get(LIST, {"action": "update"}).context["page"].object_list
    assert {r.object_repr for r in records} == {"新能源汽车零部件项目", "王明"}  # the fixture linked the leader
    records = client.get(LIST, {"user": "office_jk"}).context["page"].object_list
    assert [r.object_repr for r in records] == ["新能源汽车零部件项目"]
    response = client.get(LIST, {"source": "web", "date_from": "2000-01-01"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode() and len(response.context["page"].object_list) == 1
    from django.contrib.contenttypes.models import ContentType

    period_type = ContentType.objects.get(app_label="projects", model="period")
    records = client.get(LIST, {"type": period_type.pk}).context["page"].object_list
    assert {r.object_repr for r in records} == {"第一期", "第二期"}
    assert client.get(LIST, {"date_to": "2000-01-01"}).context["page"].paginator.count == 0


def test_change_detail_shows_readable_old_and_new(zone, login):
    admin = zone["users"]["admin"]
    a = zone["projects"]["a"]
    record = _edit(a, admin, total_investment=Decimal("51000"), enterprise=zone["enterprises"]["b"])
    html = login(admin).get(reverse("core:change_detail", args=[record.pk])).content.decode()
    diff = html[html.index('id="change-diff"') :]
    assert "50,000.00" in diff and "51,000.00" in diff
    assert "河南甲汽车有限公司" in diff and "郑州乙装备股份有限公司" in diff  # names, not ids
    assert a.get_absolute_url() in html and "office_jk" in html and "POST /test" in html


def test_changes_of_one_request(zone, login):
    admin = zone["users"]["admin"]
    record = _edit(zone["projects"]["a"], admin, industry="新能源汽车")
    response = login(admin).get(LIST, {"request": str(record.request_id)})
    assert [r.pk for r in response.context["page"].object_list] == [record.pk]
