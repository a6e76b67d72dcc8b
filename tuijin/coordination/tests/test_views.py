"""The coordination pages: the to-do home, tasks, problems, meetings, the supervision board and the inbox. Each step
form is shown only to who may take it; a refused step answers 403 (or an error message) and writes nothing."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tuijin.coordination import services
from tuijin.coordination.choices import ExtensionState, ProblemLevel, ProblemState, TaskState
from tuijin.coordination.models import (
    AgendaItem,
    ExtensionRequest,
    Meeting,
    MeetingAttendee,
    Notification,
    Outcome,
    Problem,
    SupervisionLetter,
    SupervisionStep,
    Task,
)
from tuijin.coordination.supervision import supervise

from .helpers import D, new_problem, new_task, state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    """Pages in English, so the assertions read the msgids (users see Chinese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _task(co, *, days: int, **kw) -> Task:
    """A task assigned 60 days ago, due `days` from today (negative: overdue)."""
    return new_task(co, assigned_on=TODAY - 60 * DAY, deadline=TODAY + days * DAY, **kw)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _step(client, name, obj, step, data=None, **kw):
    return client.post(reverse(f"coordination:{name}", args=[obj.pk, step]), data or {}, **kw)


# ---- the to-do home and the dashboard card ----


def test_home_lists_my_units_open_items_nearest_deadline_first_with_days_overdue(co, login):
    late = _task(co, days=-4, content="督促办理环评批复")
    soon = _task(co, days=2, content="协调供电线路迁改")
    _task(co, days=-10, content="别的单位的事项", lead=co["department2"])
    done = _task(co, days=1, content="已办结的事项")
    services.task_accept(user=None, task=done)
    services.task_report_done(user=None, task=done, text="完成")
    services.task_close(user=None, task=done)
    problem = new_problem(co, raised_on=TODAY - 30 * DAY)
    services.problem_assign(user=co["users"]["admin"], problem=problem, unit=co["department"], deadline=TODAY + 9 * DAY)

    page = login(co["users"]["department"]).get(reverse("coordination:home"))
    assert page.status_code == 200
    html = _text(page)
    order = re.findall(r'data-kind="(task|problem)" data-pk="(\d+)"', html)
    assert order == [("task", str(late.pk)), ("task", str(soon.pk)), ("problem", str(problem.pk))]
    assert "Overdue 4 days" in html and "2 days left" in html
    assert "别的单位的事项" not in html and "已办结的事项" not in html
    assert 'id="todo-overdue">1<' in html.replace(" ", "")  # one overdue item on the card


def test_dashboard_shows_a_department_its_todo_card_and_not_the_office(co, login):
    _task(co, days=-2, content="督促办理环评批复")
    client = login(co["users"]["department"])
    html = _text(client.get(reverse("projects:dashboard")))
    assert 'id="coordination-todo"' in html and "督促办理环评批复" in html
    assert reverse("coordination:home") in html
    client.force_login(co["users"]["admin"])
    assert 'id="coordination-todo"' not in _text(client.get(reverse("projects:dashboard")))


def test_home_shows_the_assigner_what_waits_for_a_decision(co, login):
    task = _task(co, days=5, content="协调供电线路迁改")
    services.task_accept(user=None, task=task)
    services.task_report_done(user=co["users"]["department"], task=task, text="已完成")
    html = _text(login(co["users"]["admin"]).get(reverse("coordination:home")))
    assert 'id="waiting"' in html and "协调供电线路迁改" in html and "Close or send back" in html


def test_home_gives_the_office_the_regions_figures_and_an_enterprise_its_problems(co, login):
    _task(co, days=-3)
    _task(co, days=4, lead=co["department2"])
    new_problem(co, raised_on=TODAY - 5 * DAY)
    html = _text(login(co["users"]["admin"]).get(reverse("coordination:home")))
    assert re.search(r'id="open-tasks">2<', html) and re.search(r'id="overdue-tasks">1<', html)
    assert re.search(r'id="open-problems">1<', html)
    client = login(co["users"]["enterprise"])
    html = _text(client.get(reverse("coordination:home")))
    assert 'id="my-problems"' in html and 'id="todo"' not in html


# ---- tasks: list, detail, steps ----


def test_task_list_filters_by_state_unit_overdue_and_project(co, login):
    late = _task(co, days=-3, content="逾期事项")
    fine = _task(co, days=10, content="未到期事项", project=co["projects"]["b"])
    other = _task(co, days=-8, content="规划局事项", lead=co["department2"])
    client = login(co["users"]["admin"])
    url = reverse("coordination:task_list")

    def shown(**params):
        html = _text(client.get(url, params))
        return {int(pk) for pk in re.findall(r'data-task="(\d+)"', html)}

    assert shown() == {late.pk, fine.pk, other.pk}
    assert shown(overdue="on") == {late.pk, other.pk}
    assert shown(unit=co["department2"].pk) == {other.pk}
    assert shown(project=co["projects"]["b"].pk) == {fine.pk}
    assert shown(state="closed") == set()
    assert shown(state="open") == {late.pk, fine.pk, other.pk}
    # a department sees its own unit's tasks only
    client.force_login(co["users"]["department"])
    assert shown() == {late.pk, fine.pk}


def test_an_enterprise_has_no_task_pages(co, login):
    task = _task(co, days=3)
    client = login(co["users"]["enterprise"])
    assert client.get(reverse("coordination:task_list")).status_code == 403
    assert client.get(reverse("coordination:task_detail", args=[task.pk])).status_code == 404


def test_task_detail_shows_each_step_only_to_who_may_take_it(co, login):
    task = _task(co, days=3, coop=[co["department2"]])
    client = login(co["users"]["department"])
    html = _text(client.get(reverse("coordination:task_detail", args=[task.pk])))
    assert 'id="step-accept"' in html and 'id="step-close"' not in html
    # the cooperating unit sees the task, but no step
    client.force_login(co["users"]["department2"])
    html = _text(client.get(reverse("coordination:task_detail", args=[task.pk])))
    assert 'id="no-steps"' in html and 'id="step-accept"' not in html
    # a viewer sees it, with nothing to do
    client.force_login(co["users"]["viewer"])
    assert 'id="no-steps"' in _text(client.get(reverse("coordination:task_detail", args=[task.pk])))
    # the other zone's department does not see it at all
    client.force_login(co["users"]["department_out"])
    assert client.get(reverse("coordination:task_detail", args=[task.pk])).status_code == 404


def test_the_whole_task_workflow_through_the_pages(co, login):
    task = _task(co, days=10)
    dept = login(co["users"]["department"])
    detail = reverse("coordination:task_detail", args=[task.pk])

    response = _step(dept, "task_step", task, "accept")
    assert response.status_code == 302 and response["Location"] == detail
    task.refresh_from_db()
    assert task.state == TaskState.ACCEPTED

    _step(dept, "task_step", task, "progress", {"text": "已受理", "file": SimpleUploadedFile("受理单.pdf", b"%PDF x")})
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS
    note = task.notes.get()
    assert note.attachment_name == "受理单.pdf"
    html = _text(dept.get(detail))
    assert "已受理" in html and reverse("coordination:note_file", args=[note.pk]) in html
    download = dept.get(reverse("coordination:note_file", args=[note.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF x"

    _step(dept, "task_step", task, "done", {"text": "许可证已核发"})
    task.refresh_from_db()
    assert task.state == TaskState.REPORTED_DONE

    office = login(co["users"]["admin"])
    html = _text(office.get(detail))
    assert 'id="step-close"' in html and 'id="step-send-back"' in html
    _step(office, "task_step", task, "send_back", {"opinion": "缺少复印件"})
    task.refresh_from_db()
    assert task.state == TaskState.SENT_BACK and task.sent_back_count == 1

    dept.force_login(co["users"]["department"])
    _step(dept, "task_step", task, "done", {"text": "已补充复印件"})
    office.force_login(co["users"]["admin"])
    _step(office, "task_step", task, "close", {"opinion": "同意销号"})
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED
    assert "The task is closed." in _text(office.get(detail))


def test_extension_asked_granted_and_refused_through_the_pages(co, login):
    task = _task(co, days=3)
    services.task_accept(user=None, task=task)
    dept = login(co["users"]["department"])
    new = TODAY + 20 * DAY
    _step(dept, "task_step", task, "extend", {"new_deadline": new.isoformat(), "reason": "等待省厅批复"})
    ext = ExtensionRequest.objects.get(task=task)
    assert ext.state == ExtensionState.PENDING
    assert 'id="step-extend"' not in _text(dept.get(reverse("coordination:task_detail", args=[task.pk])))

    office = login(co["users"]["admin"])
    assert 'id="step-grant"' in _text(office.get(reverse("coordination:task_detail", args=[task.pk])))
    _step(office, "task_step", task, "grant", {"opinion": "同意"})
    task.refresh_from_db()
    ext.refresh_from_db()
    assert ext.state == ExtensionState.GRANTED and task.deadline == new

    dept.force_login(co["users"]["department"])
    _step(dept, "task_step", task, "extend", {"new_deadline": (new + 10 * DAY).isoformat(), "reason": "再延"})
    office.force_login(co["users"]["admin"])
    before = state()
    response = _step(office, "task_step", task, "refuse", {"opinion": ""}, follow=True)
    assert "Say why the request is refused." in _text(response) and state() == before  # refused needs a reason
    _step(office, "task_step", task, "refuse", {"opinion": "不再延期"})
    task.refresh_from_db()
    assert task.deadline == new and task.extensions.filter(state=ExtensionState.REFUSED).count() == 1


def test_forbidden_task_steps_answer_403_in_words_and_change_nothing(co, login):
    task = _task(co, days=3, coop=[co["department2"]])
    client = login(co["users"]["department2"])  # a cooperating unit: sees it, may not accept it
    before = state()
    response = _step(client, "task_step", task, "accept")
    assert response.status_code == 403
    assert "Only the lead unit" in _text(response) and "Nothing was changed." in _text(response)
    assert state() == before

    services.task_accept(user=None, task=task)
    services.task_report_done(user=co["users"]["department"], task=task, text="完成")
    for role in ("department", "leader", "viewer"):  # not the assigner, not the office
        client.force_login(co["users"][role])
        before = state()
        response = _step(client, "task_step", task, "close")
        assert response.status_code == 403, role
        assert state() == before
        task.refresh_from_db()
        assert task.state == TaskState.REPORTED_DONE

    # another zone's department cannot even reach it
    client.force_login(co["users"]["department_out"])
    before = state()
    assert _step(client, "task_step", task, "close").status_code == 404
    assert state() == before


def test_a_step_in_the_wrong_state_shows_the_error_and_changes_nothing(co, login):
    task = _task(co, days=3)
    client = login(co["users"]["admin"])
    before = state()
    response = _step(client, "task_step", task, "close", follow=True)
    assert response.status_code == 200
    assert "Only a task reported done can be closed" in _text(response)
    assert state() == before
    before = state()
    services.task_accept(user=None, task=task)
    before = state()
    response = _step(client, "task_step", task, "progress", {"text": "  "}, follow=True)
    assert "Describe the progress." in _text(response) and state() == before
    assert client.post(reverse("coordination:task_step", args=[task.pk, "nonsense"])).status_code == 404


def test_task_create_form_for_the_office_and_not_for_a_department(co, login):
    client = login(co["users"]["admin"])
    url = reverse("coordination:task_add")
    assert client.get(url).status_code == 200
    data = {
        "content": "协调办理不动产权证",
        "lead_unit": co["department"].pk,
        "cooperating_units": [co["department2"].pk],
        "deadline": (TODAY + 15 * DAY).isoformat(),
        "project": co["projects"]["a"].pk,
        "responsible_person": "王伟",
    }
    response = client.post(url, data)
    task = Task.objects.get(content="协调办理不动产权证")
    assert response["Location"] == reverse("coordination:task_detail", args=[task.pk])
    assert task.assigner == co["users"]["admin"] and list(task.cooperating_units.all()) == [co["department2"]]

    before = state()
    html = _text(client.post(url, {**data, "deadline": (TODAY - 3 * DAY).isoformat(), "content": "早于今天"}))
    assert "The deadline cannot be before the day the task is assigned." in html and state() == before

    client.force_login(co["users"]["department"])
    before = state()
    assert client.get(url).status_code == 403
    assert client.post(url, {**data, "content": "部门自派"}).status_code == 403
    assert state() == before


# ---- problems ----


def test_problem_workflow_through_the_pages(co, login):
    ent = login(co["users"]["enterprise"])
    response = ent.post(
        reverse("coordination:problem_add"),
        {"project": co["projects"]["a"].pk, "category": co["categories"]["土地"].pk, "description": "用地未摘牌"},
    )
    problem = Problem.objects.get(description="用地未摘牌")
    detail = reverse("coordination:problem_detail", args=[problem.pk])
    assert response["Location"] == detail and problem.raised_by_org == co["users"]["enterprise"].organization
    assert 'id="no-steps"' in _text(ent.get(detail))  # nothing to do until it is solved

    office = login(co["users"]["admin"])
    html = _text(office.get(detail))
    assert 'id="step-assign"' in html and 'id="step-escalate"' in html and 'id="step-confirm"' not in html
    _step(office, "problem_step", problem, "assign", {"unit": co["department"].pk, "deadline": "2099-01-31"})
    _step(office, "problem_step", problem, "escalate", {"note": "需市级协调"})
    problem.refresh_from_db()
    assert problem.assigned_unit == co["department"] and problem.level == ProblemLevel.CITY

    dept = login(co["users"]["department"])
    _step(dept, "problem_step", problem, "start")
    _step(dept, "problem_step", problem, "solve", {"solution": "已完成挂牌"})
    problem.refresh_from_db()
    assert problem.state == ProblemState.SOLVED

    ent.force_login(co["users"]["enterprise"])
    html = _text(ent.get(detail))
    assert 'id="step-confirm"' in html and 'id="step-reopen"' in html
    _step(ent, "problem_step", problem, "reopen", {"reason": "仍未摘牌"})
    problem.refresh_from_db()
    assert problem.state == ProblemState.REOPENED and problem.reopen_count == 1
    dept.force_login(co["users"]["department"])
    _step(dept, "problem_step", problem, "solve", {"solution": "已摘牌"})
    ent.force_login(co["users"]["enterprise"])
    _step(ent, "problem_step", problem, "confirm", {"rating": "4", "comment": "及时"})
    problem.refresh_from_db()
    assert problem.state == ProblemState.CONFIRMED and problem.rating == 4
    _step(ent, "problem_step", problem, "rate", {"rating": "5"})
    problem.refresh_from_db()
    assert problem.rating == 5
    assert "★★★★★" in _text(ent.get(detail))


def test_forbidden_problem_steps_change_nothing(co, login):
    problem = new_problem(co, raised_on=TODAY - 5 * DAY)
    services.problem_assign(user=co["users"]["admin"], problem=problem, unit=co["department"], deadline=TODAY)
    services.problem_solve(user=co["users"]["department"], problem=problem, solution="已解决")
    client = login(co["users"]["department"])  # solved it, did not raise it
    for step, data in [("confirm", {}), ("reopen", {"reason": "x"}), ("escalate", {"note": "x"})]:
        before = state()
        response = _step(client, "problem_step", problem, step, data)
        assert response.status_code == 403, step
        assert state() == before
    problem.refresh_from_db()
    assert problem.state == ProblemState.SOLVED and problem.level == ProblemLevel.ZONE
    # another zone's enterprise cannot reach it
    client.force_login(co["users"]["enterprise_out"])
    before = state()
    assert _step(client, "problem_step", problem, "confirm").status_code == 404
    assert state() == before
    # a bad rating is refused with the reason, nothing written
    client.force_login(co["users"]["enterprise"])
    before = state()
    response = _step(client, "problem_step", problem, "confirm", {"rating": "9"}, follow=True)
    assert "Rate the solution from 1 to 5." in _text(response) and state() == before


def test_problem_list_filters_and_scope(co, login):
    mine = new_problem(co, description="企业甲的问题")
    office_raised = new_problem(co, by="admin", category="资金", description="办公室提出的问题")
    services.problem_escalate(user=co["users"]["admin"], problem=office_raised, note="需省级")
    client = login(co["users"]["admin"])
    url = reverse("coordination:problem_list")

    def shown(**params):
        return {int(pk) for pk in re.findall(r'data-problem="(\d+)"', _text(client.get(url, params)))}

    assert shown() == {mine.pk, office_raised.pk}
    assert shown(level="city") == {office_raised.pk}
    assert shown(category=co["categories"]["土地"].pk) == {mine.pk}
    assert shown(state="confirmed") == set()
    client.force_login(co["users"]["enterprise"])
    assert shown() == {mine.pk}  # an enterprise sees the problems it raised


def test_problem_add_form_errors_and_who_routes(co, login):
    client = login(co["users"]["enterprise"])
    url = reverse("coordination:problem_add")
    html = _text(client.get(url))
    assert 'name="assigned_unit"' not in html  # routing is the office's
    before = state()
    html = _text(client.post(url, {"project": co["projects"]["a"].pk, "category": co["categories"]["土地"].pk}))
    assert "This field is required." in html and state() == before
    client.force_login(co["users"]["viewer"])
    assert client.get(url).status_code == 403


# ---- meetings ----


def test_meeting_create_agenda_outcomes_and_task_from_an_item(co, login):
    client = login(co["users"]["admin"])
    response = client.post(
        reverse("coordination:meeting_add"),
        {"kind": "weekly", "date": "2023-03-06", "region": co["regions"]["jingkai"].pk, "place": "三楼会议室"},
    )
    meeting = Meeting.objects.get()
    detail = reverse("coordination:meeting_detail", args=[meeting.pk])
    assert response["Location"] == detail and meeting.number == 1
    client.post(
        reverse("coordination:meeting_step", args=[meeting.pk, "attendee"]), {"name": "张明", "attendance": "present"}
    )
    client.post(
        reverse("coordination:meeting_step", args=[meeting.pk, "item"]),
        {"project": co["projects"]["a"].pk, "topic": "开工手续", "presenter": "发改局"},
    )
    item = AgendaItem.objects.get()
    client.post(
        reverse("coordination:item_step", args=[item.pk, "outcome"]), {"kind": "decision", "text": "本周内办结"}
    )
    client.post(reverse("coordination:item_step", args=[item.pk, "carry"]))
    item.refresh_from_db()
    assert item.carried_over and MeetingAttendee.objects.get().name == "张明"

    form = client.get(reverse("coordination:task_add"), {"item": item.pk})
    assert form.status_code == 200 and "From the meeting" in _text(form)
    response = client.post(
        reverse("coordination:task_add"),
        {"item": item.pk, "content": "办理施工许可", "lead_unit": co["department"].pk, "deadline": "2099-03-20"},
    )
    assert response["Location"] == detail
    task = Task.objects.get()
    assert task.source == "meeting" and task.source_item == item
    assert Outcome.objects.filter(item=item, kind="task", task=task).exists()

    html = _text(client.get(detail))
    assert "本周内办结" in html and "办理施工许可" in html and "张明" in html and "carried over" in html
    assert 'id="draft-agenda"' in html and reverse("coordination:meeting_minutes", args=[meeting.pk]) in html


def test_agenda_drafted_from_the_ledger_puts_open_problems_on_it(co, login):
    new_problem(co, raised_on=D(2023, 3, 1))
    meeting = services.meeting_create(user=co["users"]["admin"], region=co["regions"]["jingkai"], date=D(2023, 3, 6))
    client = login(co["users"]["admin"])
    client.post(reverse("coordination:meeting_step", args=[meeting.pk, "draft"]))
    item = AgendaItem.objects.get(meeting=meeting, project=co["projects"]["a"])
    assert "open problems: 1" in item.topic


def test_only_the_office_runs_meetings_and_an_enterprise_sees_none(co, login):
    meeting = services.meeting_create(user=co["users"]["admin"], region=co["regions"]["jingkai"], date=D(2023, 3, 6))
    client = login(co["users"]["department"])
    assert client.get(reverse("coordination:meeting_list")).status_code == 200
    html = _text(client.get(reverse("coordination:meeting_detail", args=[meeting.pk])))
    assert 'id="draft-agenda"' not in html and 'id="item-form"' not in html
    assert client.get(reverse("coordination:meeting_add")).status_code == 403
    for step, data in [("item", {"topic": "部门自加"}), ("attendee", {"name": "某"}), ("draft", {})]:
        before = state()
        assert client.post(reverse("coordination:meeting_step", args=[meeting.pk, step]), data).status_code == 403
        assert state() == before and not AgendaItem.objects.exists() and not MeetingAttendee.objects.exists()
    client.force_login(co["users"]["enterprise"])
    assert client.get(reverse("coordination:meeting_list")).status_code == 403
    assert client.get(reverse("coordination:meeting_detail", args=[meeting.pk])).status_code == 404


def test_minutes_download_is_a_word_document(co, login):
    meeting = services.meeting_create(user=co["users"]["admin"], region=co["regions"]["jingkai"], date=D(2023, 3, 6))
    services.agenda_item_add(user=None, meeting=meeting, topic="开工手续")
    response = login(co["users"]["admin"]).get(reverse("coordination:meeting_minutes", args=[meeting.pk]))
    assert response.status_code in (200, 404)  # 404 only while documents.py is not there
    if response.status_code == 200:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response.content[:2] == b"PK"


# ---- supervision ----


def test_board_lists_overdue_items_by_unit_and_leader_with_days_and_the_ladder_step(co, login):
    late = new_task(co, deadline=D(2023, 3, 31), content="督促办理环评批复")
    new_task(co, deadline=D(2099, 3, 31), content="未到期")
    supervise(as_of=D(2023, 4, 20))
    step = SupervisionStep.objects.get(task=late)
    client = login(co["users"]["admin"])
    html = _text(client.get(reverse("coordination:board")))
    days = (TODAY - D(2023, 3, 31)).days
    assert f'data-item="task" data-pk="{late.pk}" data-days="{days}"' in html
    assert "未到期" not in html
    assert step.get_level_display() in html
    assert 'id="by-unit"' in html and co["department"].name in html
    leader = co["projects"]["a"].leader
    if leader is not None:
        assert leader.name in html
    # filtered by the step reached
    assert f'data-pk="{late.pk}"' in _text(client.get(reverse("coordination:board"), {"level": step.level}))
    other = "reminder" if step.level != "reminder" else "notice"
    assert f'data-pk="{late.pk}"' not in _text(client.get(reverse("coordination:board"), {"level": other}))
    # a department sees its own unit's overdue items; an enterprise none
    client.force_login(co["users"]["department2"])
    assert f'data-pk="{late.pk}"' not in _text(client.get(reverse("coordination:board")))
    client.force_login(co["users"]["enterprise"])
    assert client.get(reverse("coordination:board")).status_code == 403


def test_letters_list_reply_and_download(co, login):
    late = new_task(co, deadline=D(2023, 3, 31))
    supervise(as_of=D(2023, 4, 20))
    letter = SupervisionLetter.objects.filter(task=late).first()
    if letter is None:
        from tuijin.coordination.supervision import letter_issue

        letter = letter_issue(user=None, kind="supervision", task=late, issued_on=D(2023, 4, 20))
    client = login(co["users"]["department2"])  # not addressed to them: they do not see it
    assert letter.code not in _text(client.get(reverse("coordination:letter_list")))
    before = state()
    assert client.post(reverse("coordination:letter_reply", args=[letter.pk]), {"reply": "x"}).status_code == 404
    assert state() == before

    client.force_login(co["users"]["department"])
    html = _text(client.get(reverse("coordination:letter_list")))
    assert letter.code in html and "Record the reply" in html
    client.post(reverse("coordination:letter_reply", args=[letter.pk]), {"reply": "已按期整改"})
    letter.refresh_from_db()
    assert letter.reply == "已按期整改" and letter.replied_by == co["users"]["department"]
    response = client.get(reverse("coordination:letter_docx", args=[letter.pk]))
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.content[:2] == b"PK"


# ---- the inbox ----


def test_inbox_shows_my_messages_and_marks_them_read(co, login):
    _task(co, days=5, content="协调供电线路迁改")  # the lead unit hears about it
    mine = Notification.objects.get(user=co["users"]["department"])
    theirs = Notification.objects.create(user=co["users"]["admin"], kind="task", key="x:1", title="别人的消息")
    client = login(co["users"]["department"])
    html = _text(client.get(reverse("coordination:inbox")))
    assert mine.title in html and "别人的消息" not in html
    assert 'id="nav-inbox-count">1<' in html.replace(" ", "")  # the badge in the user menu

    client.post(reverse("coordination:inbox_read"), {"id": [mine.pk, theirs.pk]})  # someone else's id is ignored
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    assert 'id="nav-inbox-count"' not in _text(client.get(reverse("coordination:inbox")))

    Notification.objects.create(user=co["users"]["department"], kind="task", key="x:2", title="第二条")
    Notification.objects.create(user=co["users"]["department"], kind="task", key="x:3", title="第三条")
    response = client.post(reverse("coordination:inbox_read"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("coordination:inbox")  # never off the site
    assert not Notification.objects.filter(user=co["users"]["department"], read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for name in ("home", "inbox", "task_list", "problem_list", "meeting_list", "board", "letter_list"):
        response = client.get(reverse(f"coordination:{name}"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
