"""/api/v1/assessment/…: the CLI's JSON plus the breakdown, who sees which breakdown, publish, adjustments."""

import json

import pytest

from tuijin.assessment import services
from tuijin.assessment.models import Adjustment, Assessment
from tuijin.core.models import ChangeRecord

from .helpers import D, task


@pytest.fixture
def tasks(az):
    z = az
    task(z, lead=z["department"], deadline=D(2022, 11, 15), done_on=D(2022, 11, 14), closed_on=D(2022, 11, 16))
    task(z, lead=z["department2"], deadline=D(2022, 11, 20))
    return z


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_compute_read_publish_through_the_api(tasks, login):
    z = tasks
    client = login(z["users"]["admin"])
    r = post(client, "/api/v1/assessment/assessments", {"scheme": "zone-monthly", "period": "2022-11"})
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["scheme"], data["period"], data["region"], data["state"], data["version"]) == (
        "zone-monthly",
        "2022-11",
        "410171",  # the office's own region by default
        "draft",
        1,
    )
    dept = next(s for s in data["subjects"] if s["key"] == str(z["department"].pk))
    assert dept["breakdown"] and [i["indicator"] for i in dept["items"]][:3] == ["Z1", "Z2", "Z3"]
    z3 = dept["items"][2]
    assert (z3["value"], z3["points"], z3["weight"], z3["numbers"]["numerator"], z3["numbers"]["denominator"]) == (
        100,
        20,
        20,
        1,
        1,
    )
    # the shipped lists take 3 each: with two units both are on the red list, none on the black
    assert data["red_list"] == [str(z["department2"].pk), str(z["department"].pk)] and data["black_list"] == []
    # the CLI's contract is the same numbers
    got = client.get(f"/api/v1/assessment/assessments/{data['id']}").json()
    assert [(s["key"], s["score"], s["rank"]) for s in got["subjects"]] == [
        (s["key"], s["score"], s["rank"]) for s in data["subjects"]
    ]
    r = post(client, f"/api/v1/assessment/assessments/{data['id']}/adjustments", {
        "subject": str(z["department"].pk), "points": "20", "reason": "重大项目招引加分"})  # fmt: skip
    assert r.status_code == 201
    assert next(s for s in r.json()["subjects"] if s["key"] == str(z["department"].pk))["score"] == 75
    assert post(client, f"/api/v1/assessment/assessments/{data['id']}/publish").json()["state"] == "published"
    before = (ChangeRecord.objects.count(), Adjustment.objects.count())
    r = post(client, f"/api/v1/assessment/assessments/{data['id']}/adjustments", {
        "subject": str(z["department"].pk), "points": "1", "reason": "补充加分"})  # fmt: skip
    assert r.status_code == 422
    r = post(client, "/api/v1/assessment/assessments", {"scheme": "zone-monthly", "period": "2022-11"})
    assert r.status_code == 422
    adj = Adjustment.objects.get()
    assert client.delete(f"/api/v1/assessment/adjustments/{adj.pk}").status_code == 422
    assert (ChangeRecord.objects.count(), Adjustment.objects.count()) == before
    schemes = {s["name"]: s for s in client.get("/api/v1/assessment/schemes").json()}
    assert schemes["zone-monthly"]["versions"][0]["frozen"] is True
    assert schemes["province"]["versions"][0]["total_weight"] == 100
    assert schemes["zone-monthly"]["versions"][0]["total_weight"] == 100


def test_everyone_sees_the_ranking_each_their_own_breakdown(tasks, client):
    z = tasks
    a = services.assessment_compute(scheme=services.scheme_by_name("zone-monthly"), period="2022-11",
                                    region=z["regions"]["jingkai"])  # fmt: skip
    url = f"/api/v1/assessment/assessments/{a.pk}"

    def seen(role):
        client.force_login(z["users"][role])
        r = client.get(url)
        if r.status_code != 200:
            return r.status_code
        return {s["key"]: (s["breakdown"], len(s["items"]), s["score"]) for s in r.json()["subjects"]}

    dept, dept2 = str(z["department"].pk), str(z["department2"].pk)
    office = seen("admin")
    assert office == {dept: (True, 7, 55), dept2: (True, 7, 70)}
    assert seen("department") == {dept: (True, 7, 55), dept2: (False, 0, 70)}  # its own unit only
    assert seen("department2") == {dept: (False, 0, 55), dept2: (True, 7, 70)}
    assert seen("viewer") == {dept: (False, 0, 55), dept2: (False, 0, 70)}
    assert seen("leader") == {dept: (False, 0, 55), dept2: (False, 0, 70)}
    assert seen("enterprise") == 404 and seen("admin_out") == 404

    # A leaders' assessment: 王明 sees his own breakdown
    b = services.assessment_compute(scheme=services.scheme_by_name("zone-monthly"), period="2022-11",
                                    region=z["regions"]["jingkai"], subjects="leaders")  # fmt: skip
    url = f"/api/v1/assessment/assessments/{b.pk}"
    me = str(z["leader"].pk)
    assert seen("leader") == {me: (True, 7, seen("admin")[me][2])}
    assert seen("department") == {me: (False, 0, seen("admin")[me][2])}


def test_bad_requests_write_nothing(tasks, login):
    z = tasks
    client = login(z["users"]["admin"])
    before = (ChangeRecord.objects.count(), Assessment.objects.count())
    for body, status in (
        ({"scheme": "nope", "period": "2022-11"}, 404),
        ({"scheme": "zone-monthly", "period": "2022-Q7"}, 422),
        ({"scheme": "zone-monthly", "period": "2022-11", "subjects": "regions"}, 422),  # 经开区 has none below
        ({"scheme": "zone-monthly", "period": "2022-11", "region": "410371"}, 404),  # 洛阳: not the office's
        ({"scheme": "zone-monthly", "period": "2022-11", "subjects": "firms"}, 422),
    ):
        r = post(client, "/api/v1/assessment/assessments", body)
        assert r.status_code == status, (body, r.content)
    assert (ChangeRecord.objects.count(), Assessment.objects.count()) == before
