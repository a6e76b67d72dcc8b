"""The coordination API: a task and a problem all the way through, filters, refusals, and the stats contract."""

import json

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from tuijin.coordination.models import Task

from .helpers import D, new_task, state
from .test_stats import ZONE, year  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def call(client, user, method, url, body=None):
    client.force_login(user)
    response = client.generic(method, url, data=json.dumps(body) if body else "", content_type="application/json")
    return response.status_code, response.json() if response.content else None


def test_a_task_through_the_api(client, co):
    office, dept, dept2 = co["users"]["admin"], co["users"]["department"], co["users"]["department2"]
    status, task = call(
        client,
        office,
        "POST",
        "/api/v1/coordination/tasks",
        {
            "content": "协调供电接入",
            "lead_unit": "经开区发展改革局",
            "cooperating_units": [co["department2"].pk],
            "deadline": "2023-04-30",
            "assigned_on": "2023-04-01",
            "project": co["projects"]["a"].pk,
            "responsible_person": "李强",
        },
    )
    assert status == 201, task
    assert task["lead_unit"]["name"] == "经开区发展改革局" and task["state"] == "assigned"
    assert [u["name"] for u in task["cooperating_units"]] == ["经开区自然资源和规划局"]
    assert task["overdue"] is True and task["region"] == "410171"
    url = f"/api/v1/coordination/tasks/{task['id']}"
    # the cooperating unit sees it, but may not accept it: 403 with the reason
    status, body = call(client, dept2, "POST", url + "/accept")
    assert status == 403 and "牵头单位" in body["detail"]  # users see Chinese first
    assert call(client, dept, "POST", url + "/accept")[1]["state"] == "accepted"
    assert call(client, dept, "POST", url + "/progress", {"text": "已对接供电公司"})[1]["state"] == "in_progress"
    status, body = call(client, dept, "POST", url + "/extensions", {"new_deadline": "2023-05-31", "reason": "待批"})
    assert status == 201 and body["state"] == "pending"
    status, body = call(client, office, "POST", f"/api/v1/coordination/extensions/{body['id']}/grant")
    assert status == 200 and body["state"] == "granted"
    assert call(client, dept, "POST", url + "/report-done", {"text": "已送电"})[1]["state"] == "reported_done"
    status, body = call(client, dept, "POST", url + "/close")
    assert status == 403
    status, body = call(client, office, "POST", url + "/close", {"opinion": "同意"})
    assert status == 200 and body["state"] == "closed" and body["deadline"] == "2023-05-31"
    assert [n["kind"] for n in body["notes"]] == ["progress", "done", "closed"]


def test_bad_input_is_422_and_writes_nothing(client, co):
    before = state()
    status, body = call(
        client,
        co["users"]["admin"],
        "POST",
        "/api/v1/coordination/tasks",
        {"content": "x", "lead_unit": "不存在的单位", "deadline": "2023-04-30"},
    )
    assert status == 422 and "lead_unit" in body["errors"]
    status, body = call(
        client,
        co["users"]["admin"],
        "POST",
        "/api/v1/coordination/tasks",
        {"content": "x", "lead_unit": "洛阳高新区住建局", "deadline": "2023-04-30", "assigned_on": "2023-04-01"},
    )
    assert status == 422 and "lead_unit" in body["errors"]  # a unit outside the caller's region
    status, body = call(
        client,
        co["users"]["enterprise"],
        "POST",
        "/api/v1/coordination/problems",
        {"category": "不存在", "description": "x"},
    )
    assert status == 422 and "category" in body["errors"]
    assert state() == before


def test_task_filters(client, co):
    late = new_task(co, deadline=D(2023, 3, 31), content="逾期")
    future = new_task(co, deadline=D(2099, 1, 1), content="未到期", lead=co["department2"], coop=[co["department"]])
    office = co["users"]["admin"]

    def ids(query):
        return [t["id"] for t in call(client, office, "GET", "/api/v1/coordination/tasks" + query)[1]["items"]]

    assert ids("") == [late.pk, future.pk]
    assert ids("?overdue=true") == [late.pk] and ids("?overdue=false") == [future.pk]
    assert ids(f"?unit={co['department'].pk}") == [late.pk, future.pk]  # leads one, cooperates on the other
    assert ids(f"?unit={co['department2'].pk}") == [future.pk]
    assert ids("?state=closed") == [] and ids("?deadline_to=2023-12-31") == [late.pk]
    # the second department sees only the one its unit works on
    seen = call(client, co["users"]["department2"], "GET", "/api/v1/coordination/tasks")[1]
    assert [t["id"] for t in seen["items"]] == [future.pk] and seen["count"] == 1


def test_a_problem_through_the_api(client, co):
    ent, office, dept = co["users"]["enterprise"], co["users"]["admin"], co["users"]["department"]
    status, p = call(
        client,
        ent,
        "POST",
        "/api/v1/coordination/problems",
        {"category": "水电气暖", "description": "天然气管网未接入", "project": co["projects"]["a"].pk},
    )
    assert status == 201 and p["source"] == "enterprise" and p["raised_by_unit"] == "河南甲汽车有限公司"
    url = f"/api/v1/coordination/problems/{p['id']}"
    assert call(client, dept, "GET", url)[0] == 404  # not routed to its unit yet
    body = call(client, office, "POST", url + "/assign", {"unit": co["department"].pk, "deadline": "2099-01-01"})[1]
    assert body["assigned_unit"]["name"] == "经开区发展改革局"
    assert call(client, office, "POST", url + "/escalate", {"note": "需市级协调"})[1]["level"] == "city"
    assert call(client, dept, "POST", url + "/solve", {"solution": "已接入"})[1]["state"] == "solved"
    assert call(client, office, "POST", url + "/confirm")[0] == 403  # only whoever raised it
    body = call(client, ent, "POST", url + "/confirm", {"rating": 5, "comment": "满意"})[1]
    assert body["state"] == "confirmed" and body["rating"] == 5
    inbox = call(client, ent, "GET", "/api/v1/coordination/notifications")[1]
    with translation.override(settings.LANGUAGE_CODE):  # titles are written in the language of the request
        wanted = gettext("Your problem is reported solved: please confirm")
    assert any(n["title"] == wanted for n in inbox)
    mine = call(client, ent, "GET", "/api/v1/coordination/problems")[1]
    assert [x["id"] for x in mine["items"]] == [p["id"]]


def test_stats_api_is_the_cli_contract(client, year):  # noqa: F811
    window = "/api/v1/stats/coordination?from=2023-01-01&to=2023-06-30"
    status, body = call(client, year["users"]["admin"], "GET", window + "&region=410171")
    assert status == 200 and body == ZONE
    # an enterprise counts only what it may see: the problems it raised, no tasks or meetings
    body = call(client, year["users"]["enterprise"], "GET", window)[1]
    assert body["meetings"] == 0 and body["tasks"]["assigned"] == 0 and body["by_unit"] == []
    assert body["problems"]["raised"] == 3  # p1, p2, p4 (the office raised p3; p5 is before the window)
    # a department: only its unit's tasks
    body = call(client, year["users"]["department"], "GET", window)[1]
    assert body["by_unit"] == [ZONE["by_unit"][0]]
    assert body["tasks"]["assigned"] == 3 and Task.objects.count() == 8
