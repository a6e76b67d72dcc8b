"""The briefing workflow through the pages and the API: generate → edit the text → publish (then read-only);
who may do what, and that a refused step writes nothing."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tuijin.briefing.models import Briefing
from tuijin.briefing.shipped import ensure_shipped
from tuijin.core.models import ChangeRecord

pytestmark = pytest.mark.django_db


def state():
    return list(Briefing.objects.values_list("pk", "text", "state", "last_updated")), ChangeRecord.objects.count()


@pytest.fixture
def office(bz, client):
    ensure_shipped()
    client.force_login(bz["users"]["admin"])
    return client


def generate(client, bz, template="monthly"):
    response = client.post(
        reverse("briefing:briefing_generate"),
        {"template": template, "region": bz["regions"]["jingkai"].pk, "as_of": "2022-11-30"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Briefing.objects.order_by("-pk").first()


def test_generate_edit_publish(bz, office):
    b = generate(office, bz)
    assert (b.state, b.number, b.year, b.kind, b.template_version) == ("draft", 1, 2022, "monthly", 1)
    assert b.generated_by == bz["users"]["admin"]
    page = office.get(b.get_absolute_url()).content.decode()
    assert "截至11月底，全区“三个一批”项目共2个" in page
    assert 'id="text-form"' in page and 'id="publish"' in page
    assert "data:image/png;base64," in page  # the chart

    edited = b.text.replace("现将有关情况通报如下。", "现将有关情况通报如下，请各单位对照抓好落实。")
    response = office.post(b.get_absolute_url(), {"title": b.title, "text": edited})
    assert response.status_code == 302
    b.refresh_from_db()
    assert "请各单位对照抓好落实" in b.text
    record = ChangeRecord.objects.filter(content_type__model="briefing", object_id=b.pk, action="update").first()
    assert "请各单位对照抓好落实" in record.after["text"]

    # an unknown table in the edited text is refused, nothing saved
    before = state()
    response = office.post(b.get_absolute_url(), {"title": b.title, "text": b.text + "[[table:nope]]\n"})
    assert response.status_code == 422
    assert state() == before

    response = office.post(reverse("briefing:briefing_publish", args=[b.pk]))
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.state == "published" and b.docx and b.pdf and b.published_by == bz["users"]["admin"]

    # published: read-only, the files are the published ones
    before = state()
    response = office.post(b.get_absolute_url(), {"title": b.title, "text": "改写"})
    assert response.status_code == 403
    office.post(reverse("briefing:briefing_delete", args=[b.pk]))
    office.post(reverse("briefing:briefing_publish", args=[b.pk]))
    assert state() == before
    page = office.get(b.get_absolute_url()).content.decode()
    assert 'id="text-form"' not in page
    download = office.get(reverse("briefing:briefing_docx", args=[b.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b.docx.open("rb").read()
    assert "attachment" in download["Content-Disposition"]

    # the next one in the series gets the next number
    assert generate(office, bz).number == 2


def test_drafts_download_and_delete(bz, office):
    b = generate(office, bz, "weekly")
    response = office.get(reverse("briefing:briefing_pdf", args=[b.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    response = office.get(reverse("briefing:briefing_docx", args=[b.pk]))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    office.post(reverse("briefing:briefing_delete", args=[b.pk]))
    assert not Briefing.objects.filter(pk=b.pk).exists()


@pytest.mark.parametrize("role", ["leader", "department", "enterprise", "viewer", "admin_out"])
def test_others_cannot_generate_edit_or_publish(bz, office, client, role):
    b = generate(office, bz)
    client.force_login(bz["users"][role])
    before = state()
    generate_response = client.post(
        reverse("briefing:briefing_generate"),
        {"template": "monthly", "region": bz["regions"]["jingkai"].pk, "as_of": "2022-11-30"},
    )
    edit = client.post(b.get_absolute_url(), {"title": "x", "text": "改写"})
    publish = client.post(reverse("briefing:briefing_publish", args=[b.pk]))
    delete = client.post(reverse("briefing:briefing_delete", args=[b.pk]))
    assert generate_response.status_code in {403, 422}  # admin_out: the form offers no region of 经开区
    hidden = 404 if role in {"admin_out"} else 403
    assert {edit.status_code, publish.status_code, delete.status_code} <= {hidden, 403, 404}
    assert state() == before


def test_leader_reads_briefings(bz, office, client):
    b = generate(office, bz)
    client.force_login(bz["users"]["leader"])
    page = client.get(b.get_absolute_url())
    assert page.status_code == 200
    assert 'id="text-form"' not in page.content.decode()
    assert client.get(reverse("briefing:briefing_list")).status_code == 200
    assert client.get(reverse("briefing:briefing_docx", args=[b.pk])).status_code == 200


def test_api_generate_list_publish(bz, office, client):
    response = office.post(
        "/api/v1/briefings",
        data=json.dumps({"template": "weekly", "as_of": "2022-11-30", "region": "410171"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    body = json.loads(response.content)
    assert (body["number_label"], body["state"], body["region"]) == ("〔2022〕第1期", "draft", "410171")
    assert "红色预警节点" in body["text"]
    listed = json.loads(office.get("/api/v1/briefings").content)
    assert [b["id"] for b in listed] == [body["id"]]
    response = office.post(f"/api/v1/briefings/{body['id']}/publish")
    assert response.status_code == 200 and json.loads(response.content)["state"] == "published"
    response = office.post(f"/api/v1/briefings/{body['id']}/publish")
    assert response.status_code == 422
    client.force_login(bz["users"]["leader"])
    before = state()
    response = client.post(
        "/api/v1/briefings",
        data=json.dumps({"template": "weekly", "as_of": "2022-11-30"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert state() == before
