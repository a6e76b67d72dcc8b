"""The coordination API for meetings, letters and supervision: a meeting all the way to its minutes, the year's
weekly meetings, refusals that change nothing, letters and replies, the board and the ladder trail, OpenAPI."""

import io
import json
from urllib.parse import quote

import docx
import pytest
from django.utils import timezone

from tuijin.coordination import services
from tuijin.coordination.documents import letter_filename, minutes_filename
from tuijin.coordination.models import AgendaItem, Meeting, MeetingAttendee, Outcome, SupervisionLetter, Task
from tuijin.coordination.supervision import letter_issue, supervise

from .helpers import D, new_problem, new_task, state

pytestmark = pytest.mark.django_db
API = "/api/v1/coordination"


def call(client, user, method, url, body=None):
    client.force_login(user)
    response = client.generic(method, url, data=json.dumps(body) if body else "", content_type="application/json")
    is_json = response.get("Content-Type", "").startswith("application/json")
    return response.status_code, response.json() if is_json and response.content else response


def everything() -> dict:
    """helpers.state() plus the meeting rows (attendees, agenda items, outcomes): equal = nothing written."""
    out = state()
    for m in (MeetingAttendee, AgendaItem, Outcome):
        out[m.__name__] = sorted(m.objects.values_list("pk", "last_updated"))
    return out


def text_of(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def a_meeting(co, **kw) -> Meeting:
    return services.meeting_create(user=co["users"]["admin"], region=co["regions"]["jingkai"], date=D(2023, 3, 6), **kw)


def test_a_meeting_through_the_api_to_its_minutes(client, co):
    office = co["users"]["admin"]
    status, m = call(
        client,
        office,
        "POST",
        f"{API}/meetings",
        {"date": "2023-03-06", "place": "管委会三楼会议室", "chair": "王明"},  # region: the office's own
    )
    assert status == 201, m
    assert (m["region"], m["number_label"], m["kind"], m["items"], m["attendees"]) == (
        "410171",
        "〔2023〕第1期",
        "weekly",
        [],
        [],
    )
    url = f"{API}/meetings/{m['id']}"

    status, dept = call(client, office, "POST", url + "/attendees", {"unit": "经开区发展改革局", "name": "李强"})
    assert status == 201 and dept["unit"]["name"] == "经开区发展改革局" and dept["attendance"] == "present"
    status, other = call(client, office, "POST", url + "/attendees", {"unit": co["department2"].pk})
    assert status == 201
    status, body = call(client, office, "POST", f"{API}/attendees/{other['id']}/attendance", {"attendance": "deputy"})
    assert status == 200 and body["attendance"] == "deputy"

    a, c = co["projects"]["a"], co["projects"]["c"]
    ids = []
    for payload in ({"project": a.pk, "presenter": "张工"}, {"topic": "重点项目用电保障"}, {"project": c.pk}):
        status, item = call(client, office, "POST", url + "/items", payload)
        assert status == 201, item
        ids.append(item["id"])
    assert item["order"] == 3 and item["project_name"] == "高端数控机床项目"
    status, body = call(client, office, "POST", url + "/reorder", {"items": [ids[1], ids[0], ids[2]]})
    assert status == 200
    assert [(i["id"], i["order"]) for i in body["items"]] == [(ids[1], 1), (ids[0], 2), (ids[2], 3)]

    item_url = f"{API}/items/{ids[0]}"
    status, body = call(
        client, office, "POST", item_url + "/outcomes", {"kind": "decision", "text": "本周内完成用地摘牌"}
    )
    assert status == 201 and body["task"] is None
    call(client, office, "POST", item_url + "/outcomes", {"kind": "information", "text": "项目已完成桩基施工"})
    status, outcome = call(
        client,
        office,
        "POST",
        item_url + "/outcomes",
        {
            "kind": "task",
            "text": "协调办理施工许可证",
            "lead_unit": "经开区发展改革局",
            "cooperating_units": ["经开区自然资源和规划局"],
            "deadline": "2023-03-31",
            "assigned_on": "2023-03-06",
            "responsible_person": "李强",
        },
    )
    assert status == 201, outcome
    task = Task.objects.get(pk=outcome["task"]["id"])
    assert task.source == "meeting" and task.source_item_id == ids[0] and task.project == a
    assert outcome["task"]["overdue"] is True and outcome["task"]["lead_unit"]["name"] == "经开区发展改革局"
    status, body = call(client, office, "POST", f"{API}/items/{ids[2]}/carry")
    assert status == 200 and body["carried_over"] is True

    status, m = call(client, office, "GET", url)
    assert status == 200
    assert [(x["name"], x["unit"]["name"], x["attendance"]) for x in m["attendees"]] == [
        ("李强", "经开区发展改革局", "present"),
        ("", "经开区自然资源和规划局", "deputy"),
    ]
    assert [(i["order"], i["project_name"] or i["topic"], i["presenter"]) for i in m["items"]] == [
        (1, "重点项目用电保障", ""),
        (2, "新能源汽车零部件项目", "张工"),
        (3, "高端数控机床项目", ""),
    ]
    first = m["items"][1]
    assert [o["kind"] for o in first["outcomes"]] == ["decision", "information", "task"]
    assert first["outcomes"][2]["task"]["id"] == task.pk and [t["id"] for t in first["tasks"]] == [task.pk]
    assert m["item_count"] == 3 and m["task_count"] == 1 and m["items"][2]["carried_over"] is True

    response = call(client, office, "GET", url + "/minutes.docx")[1]
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert quote(minutes_filename(Meeting.objects.get(pk=m["id"]))) in response["Content-Disposition"]
    text = text_of(response.content)
    for words in ("本周内完成用地摘牌", "协调办理施工许可证", "经开区自然资源和规划局", "高端数控机床项目"):
        assert words in text

    # the carried item comes back when the next meeting's agenda is drafted from the ledger
    status, nxt = call(client, office, "POST", f"{API}/meetings", {"date": "2023-03-13", "region": "410171"})
    assert status == 201 and nxt["number"] == 2
    status, drafted = call(client, office, "POST", f"{API}/meetings/{nxt['id']}/draft-agenda")
    assert status == 200
    carried = [i for i in drafted if i["carried_from"]]
    assert [(i["project_name"], i["carried_from"]["item"]) for i in carried] == [("高端数控机床项目", ids[2])]
    assert AgendaItem.objects.filter(meeting_id=nxt["id"]).count() == len(drafted)


def test_meeting_list_filters_paging_and_scope(client, co):
    office = co["users"]["admin"]
    m1 = a_meeting(co)
    m2 = services.meeting_create(user=office, region=co["regions"]["jingkai"], date=D(2023, 5, 8), kind="special")
    m3 = services.meeting_create(user=office, region=co["regions"]["jingkai"], date=D(2024, 1, 8))
    item = services.agenda_item_add(user=office, meeting=m1, project=co["projects"]["a"])
    new_task(co, source="meeting", source_item=item, content="本部门的")
    new_task(co, source="meeting", source_item=item, content="别的部门的", lead=co["department2"])

    def ids(user, query=""):
        body = call(client, user, "GET", f"{API}/meetings{query}")[1]
        return [x["id"] for x in body["items"]], body["count"]

    assert ids(office) == ([m3.pk, m2.pk, m1.pk], 3)  # latest first
    assert ids(office, "?kind=special") == ([m2.pk], 1)
    assert ids(office, "?year=2023") == ([m2.pk, m1.pk], 2)
    assert ids(office, "?from=2023-03-07&to=2023-12-31") == ([m2.pk], 1)
    assert ids(office, "?page=2&page_size=2") == ([m1.pk], 3)
    # a department sees the zone's meetings, but counts and reads only its own unit's tasks
    dept = co["users"]["department"]
    body = call(client, dept, "GET", f"{API}/meetings?year=2023")[1]
    assert [(x["id"], x["item_count"], x["task_count"]) for x in body["items"]] == [(m2.pk, 0, 0), (m1.pk, 1, 1)]
    assert call(client, office, "GET", f"{API}/meetings?year=2023")[1]["items"][1]["task_count"] == 2
    detail = call(client, dept, "GET", f"{API}/meetings/{m1.pk}")[1]
    outcomes = detail["items"][0]["outcomes"]
    assert [o["task"]["content"] for o in outcomes] == ["本部门的"]
    # an enterprise and another zone's office see no meetings
    for role in ("enterprise", "admin_out"):
        assert ids(co["users"][role]) == ([], 0)
        assert call(client, co["users"][role], "GET", f"{API}/meetings/{m1.pk}")[0] == 404
        assert call(client, co["users"][role], "GET", f"{API}/meetings/{m1.pk}/minutes.docx")[0] == 404


def test_the_years_weekly_meetings(client, co):
    office, dept = co["users"]["admin"], co["users"]["department"]
    before = everything()
    status, body = call(client, dept, "POST", f"{API}/meetings/schedule", {"year": 2023})
    assert status == 403 and everything() == before
    status, made = call(client, office, "POST", f"{API}/meetings/schedule", {"year": 2023, "place": "三楼会议室"})
    assert status == 200 and len(made) == 52
    assert made[0]["date"] == "2023-01-03" and made[-1]["number_label"] == "〔2023〕第52期"  # 2 January is 元旦
    before = everything()
    assert call(client, office, "POST", f"{API}/meetings/schedule", {"year": 2023}) == (200, [])  # idempotent
    # refused even when every week already has its meeting (nothing would be written anyway)
    assert call(client, dept, "POST", f"{API}/meetings/schedule", {"year": 2023})[0] == 403
    assert call(client, office, "POST", f"{API}/meetings/schedule", {"year": 2023, "weekday": 7})[0] == 422
    assert (
        call(client, co["users"]["admin_out"], "POST", f"{API}/meetings/schedule", {"region": "410171", "year": 2023})[
            0
        ]
        == 404
    )
    assert everything() == before


def _steps(co):
    """Every meeting step, with a body the office would get 2xx for."""
    meeting = a_meeting(co)
    item = services.agenda_item_add(user=None, meeting=meeting, topic="开工手续")
    attendee = services.attendee_add(user=None, meeting=meeting, name="张明")
    m, i = f"{API}/meetings/{meeting.pk}", f"{API}/items/{item.pk}"
    return [
        (m + "/attendees", {"unit": "经开区发展改革局"}),
        (f"{API}/attendees/{attendee.pk}/attendance", {"attendance": "absent"}),
        (m + "/items", {"topic": "部门自加"}),
        (m + "/reorder", {"items": [item.pk]}),
        (m + "/draft-agenda", None),
        (i + "/outcomes", {"kind": "decision", "text": "本周办结"}),
        (i + "/outcomes", {"kind": "task", "text": "办理", "lead_unit": "经开区发展改革局", "deadline": "2099-01-01"}),
        (i + "/carry", None),
        (f"{API}/meetings", {"date": "2023-03-13", "region": "410171"}),
    ]


@pytest.mark.parametrize(
    ("role", "wanted"),
    [("department", 403), ("viewer", 403), ("leader", 403), ("admin_out", 404), ("enterprise", 404)],
)
def test_refused_meeting_steps_change_nothing(client, co, role, wanted):
    new_problem(co)  # the ledger has something to draft
    for url, body in _steps(co):
        before = everything()
        status, answer = call(client, co["users"][role], "POST", url, body)
        if role == "leader" and url.endswith("/outcomes") and body["kind"] == "task":
            # leaders assign tasks (as through POST /tasks): the one step of a meeting they may take
            assert status == 201, answer
            continue
        if url == f"{API}/meetings" and role in ("admin_out", "enterprise"):
            wanted_here = 404 if role == "admin_out" else 403  # 410171 is not in 洛阳's view; ent_a sees its zone
        else:
            wanted_here = wanted
        assert status == wanted_here, (role, url, answer)
        assert everything() == before, (role, url)


def test_bad_meeting_input_is_422_and_writes_nothing(client, co):
    office = co["users"]["admin"]
    meeting = a_meeting(co)
    first = services.agenda_item_add(user=None, meeting=meeting, topic="开工手续")
    second = services.agenda_item_add(user=None, meeting=meeting, topic="用电保障")
    m, i = f"{API}/meetings/{meeting.pk}", f"{API}/items/{first.pk}"
    cases = [
        (m + "/reorder", {"items": [second.pk]}, "items"),  # one left out
        (m + "/reorder", {"items": [second.pk, first.pk, first.pk]}, "items"),
        (m + "/items", {"presenter": "张工"}, "__all__"),  # neither project nor topic
        (m + "/attendees", {"attendance": "present"}, "__all__"),  # neither name nor unit
        (m + "/attendees", {"unit": "不存在的单位"}, "unit"),
        (i + "/outcomes", {"kind": "decision", "text": "  "}, "text"),
        (i + "/outcomes", {"kind": "task", "text": "办理"}, "lead_unit"),
        (
            i + "/outcomes",
            {"kind": "task", "text": "办理", "lead_unit": "洛阳高新区住建局", "deadline": "2099-01-01"},
            "lead_unit",
        ),
        (f"{API}/meetings", {"date": "2023-03-20", "number": 1}, "__all__"),  # 第1期 is taken
    ]
    for url, body, field in cases:
        before = everything()
        status, answer = call(client, office, "POST", url, body)
        assert status == 422, (url, body, answer)
        assert field in answer["errors"], (url, answer)
        assert everything() == before, url
    # a project of another zone is not even visible to this office
    before = everything()
    assert call(client, office, "POST", m + "/items", {"project": co["projects"]["d"].pk})[0] == 404
    status, answer = call(client, office, "POST", f"{API}/attendees/0/attendance", {"attendance": "present"})
    assert status == 404 and everything() == before
    # a value outside the choices is refused by the schema
    attendee = services.attendee_add(user=None, meeting=meeting, name="张明")
    before = everything()
    assert call(client, office, "POST", f"{API}/attendees/{attendee.pk}/attendance", {"attendance": "late"})[0] == 422
    assert everything() == before


def test_letters_list_reply_and_download(client, co):
    late = new_task(co, deadline=D(2023, 3, 31), content="督促办理环评批复")
    other = new_task(co, deadline=D(2023, 3, 31), content="别的部门的", lead=co["department2"])
    supervise(as_of=D(2023, 4, 7))  # 督办: a 督办函 to each lead unit
    letter = SupervisionLetter.objects.get(task=late)
    by_hand = letter_issue(user=None, kind="assignment", task=late, issued_on=D(2023, 4, 10))
    office, dept, dept2 = co["users"]["admin"], co["users"]["department"], co["users"]["department2"]

    def codes(user, query=""):
        return [x["code"] for x in call(client, user, "GET", f"{API}/letters{query}")[1]["items"]]

    assert sorted(codes(office)) == sorted(x.code for x in SupervisionLetter.objects.all()) and len(codes(office)) == 3
    assert codes(office, "?kind=assignment") == [by_hand.code] and codes(office, "?year=2022") == []
    assert codes(dept) == [by_hand.code, letter.code]  # only its unit's, latest first
    assert codes(office, f"?unit={co['department2'].pk}") == [SupervisionLetter.objects.get(task=other).code]
    status, body = call(client, dept, "GET", f"{API}/letters/{letter.pk}")
    assert status == 200 and body["rung"] == "supervise" and body["subject"] == "督促办理环评批复"
    assert body["to_unit"]["name"] == "经开区发展改革局" and body["late"] is True and body["replied"] is False
    assert call(client, dept, "GET", f"{API}/letters/{by_hand.pk}")[1]["rung"] is None

    url = f"{API}/letters/{letter.pk}/reply"
    for user, wanted in (
        (dept2, 404),
        (co["users"]["leader"], 403),
        (co["users"]["viewer"], 403),
        (co["users"]["enterprise"], 404),
    ):
        before = everything()
        assert call(client, user, "POST", url, {"reply": "已整改"})[0] == wanted
        assert everything() == before
    before = everything()
    status, body = call(client, dept, "POST", url, {"reply": "  "})
    assert status == 422 and "reply" in body["errors"] and everything() == before
    status, body = call(client, dept, "POST", url, {"reply": "已按期整改到位"})
    assert status == 200 and body["replied"] is True and body["reply"] == "已按期整改到位" and body["late"] is False
    assert body["replied_by"] == str(dept) and body["replied_on"] == timezone.localdate().isoformat()
    before = everything()
    assert call(client, office, "POST", url, {"reply": "再答一次"})[0] == 422  # answered already
    assert everything() == before
    assert codes(dept, "?replied=true") == [letter.code] and codes(dept, "?replied=false") == [by_hand.code]

    response = call(client, dept, "GET", f"{API}/letters/{letter.pk}/letter.docx")[1]
    assert response.status_code == 200 and quote(letter_filename(letter)) in response["Content-Disposition"]
    text = text_of(response.content)
    assert letter.code in text and "督促办理环评批复" in text and "经开区发展改革局" in text
    assert call(client, dept2, "GET", f"{API}/letters/{letter.pk}/letter.docx")[0] == 404


def test_board_by_unit_and_leader_and_the_ladder_trail(client, co):
    late = new_task(co, deadline=D(2023, 3, 31), content="督促办理环评批复")
    new_task(co, deadline=D(2099, 3, 31), content="未到期")
    problem = new_problem(co, raised_on=D(2023, 3, 1))
    services.problem_assign(user=None, problem=problem, unit=co["department2"], deadline=D(2023, 4, 3))
    for day in (D(2023, 3, 28), D(2023, 3, 31), D(2023, 4, 7)):
        supervise(as_of=day)
    office = co["users"]["admin"]
    today = timezone.localdate()
    status, board = call(client, office, "GET", f"{API}/supervision")
    assert status == 200 and board["as_of"] == today.isoformat() and board["total"] == 2
    rows = {(r["item"], r["id"]): r for r in board["items"]}
    assert set(rows) == {("task", late.pk), ("problem", problem.pk)}
    task_row = rows[("task", late.pk)]
    assert task_row["days_overdue"] == (today - D(2023, 3, 31)).days and task_row["unit"]["name"] == "经开区发展改革局"
    assert task_row["leader"]["name"] == co["projects"]["a"].leader.name
    assert task_row["step"]["level"] == "supervise" and task_row["step"]["letter"].startswith("项目督办〔2023〕")
    assert [r["id"] for r in board["items"]] == [late.pk, problem.pk]  # most overdue first
    assert {g["name"]: (g["tasks"], g["problems"]) for g in board["by_unit"]} == {
        "经开区发展改革局": (1, 0),
        "经开区自然资源和规划局": (0, 1),
    }
    assert [(g["name"], g["count"], g["levels"]["supervise"]) for g in board["by_leader"]] == [
        (co["projects"]["a"].leader.name, 2, 1)
    ]
    assert {c["level"]: c["count"] for c in board["ladder"]} == {"reminder": 0, "urge": 1, "supervise": 1, "notice": 0}
    assert [r["id"] for r in call(client, office, "GET", f"{API}/supervision?level=urge")[1]["items"]] == [problem.pk]
    # a department sees its own unit's overdue items; an enterprise is refused, as on the page
    body = call(client, co["users"]["department2"], "GET", f"{API}/supervision")[1]
    assert [(r["item"], r["id"]) for r in body["items"]] == [("problem", problem.pk)]
    assert call(client, co["users"]["enterprise"], "GET", f"{API}/supervision")[0] == 403

    status, trail = call(client, office, "GET", f"{API}/tasks/{late.pk}/steps")
    assert status == 200
    assert [(s["level"], s["taken_on"], s["days_overdue"]) for s in trail] == [
        ("reminder", "2023-03-28", -3),
        ("urge", "2023-03-31", 0),
        ("supervise", "2023-04-07", 7),
    ]
    assert trail[0]["letter"] is None and trail[1]["letter"]["code"].startswith("项目提醒〔2023〕")
    assert trail[2]["letter"]["kind"] == "supervision" and trail[2]["unit"]["name"] == "经开区发展改革局"
    status, trail = call(client, co["users"]["enterprise"], "GET", f"{API}/problems/{problem.pk}/steps")
    assert status == 200 and [s["level"] for s in trail] == ["reminder", "urge"]  # whoever raised it follows it
    assert call(client, co["users"]["department2"], "GET", f"{API}/tasks/{late.pk}/steps")[0] == 404
    assert call(client, co["users"]["admin_out"], "GET", f"{API}/problems/{problem.pk}/steps")[0] == 404


def test_openapi_lists_the_new_endpoints_with_chinese_unescaped(client, co):
    client.force_login(co["users"]["admin"])
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/coordination/meetings",
        "/api/v1/coordination/meetings/schedule",
        "/api/v1/coordination/meetings/{meeting_id}/minutes.docx",
        "/api/v1/coordination/items/{item_id}/outcomes",
        "/api/v1/coordination/attendees/{attendee_id}/attendance",
        "/api/v1/coordination/supervision",
        "/api/v1/coordination/tasks/{task_id}/steps",
        "/api/v1/coordination/letters/{letter_id}/reply",
        "/api/v1/coordination/letters/{letter_id}/letter.docx",
    ):
        assert path in paths, path
    minutes = paths["/api/v1/coordination/meetings/{meeting_id}/minutes.docx"]["get"]["responses"]["200"]
    assert "application/vnd.openxmlformats-officedocument.wordprocessingml.document" in minutes["content"]
    assert "周例会".encode() in response.content and b"\\u5468" not in response.content
