"""Tasks (交办事项): every transition, who may take it, and every refused one writing nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tuijin.coordination import services
from tuijin.coordination.choices import ExtensionState, NoteKind, TaskSource, TaskState
from tuijin.coordination.models import Notification, Outcome, Task
from tuijin.core.models import ChangeRecord

from .helpers import D, new_task, state

pytestmark = pytest.mark.django_db


def test_the_whole_way_from_assigned_to_closed(co):
    office, dept = co["users"]["admin"], co["users"]["department"]
    task = new_task(co, coop=[co["department2"]], responsible_person="李强")
    assert task.state == TaskState.ASSIGNED and task.region == co["regions"]["jingkai"]
    assert list(task.cooperating_units.all()) == [co["department2"]]
    assert task.original_deadline == D(2023, 3, 31) and task.assigner == office
    # the lead unit and the cooperating unit hear about it
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"dept_jk", "dept2_jk"}

    services.task_accept(user=dept, task=task, today=D(2023, 3, 2))
    assert task.state == TaskState.ACCEPTED and task.accepted_on == D(2023, 3, 2)
    note = services.task_progress(
        user=dept, task=task, text="已受理申请", upload=SimpleUploadedFile("受理单.pdf", b"%PDF-1.4 x")
    )
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS
    assert note.attachment_name == "受理单.pdf" and note.attachment.read() == b"%PDF-1.4 x"
    services.task_report_done(user=dept, task=task, text="施工许可证已核发", today=D(2023, 3, 30))
    assert task.state == TaskState.REPORTED_DONE and task.done_on == D(2023, 3, 30)
    assert Notification.objects.filter(user=office, key__contains=":done:").exists()
    services.task_close(user=office, task=task, opinion="材料齐全", today=D(2023, 4, 3))
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED and task.closed_on == D(2023, 4, 3)
    assert task.closed_on_time  # reported done by the deadline; the assigner's review time is not the unit's
    assert [n.kind for n in task.notes.all()] == [NoteKind.PROGRESS, NoteKind.DONE, NoteKind.CLOSED]
    states = [
        r.after["state"]
        for r in ChangeRecord.objects.filter(content_type__model="task", object_id=task.pk).order_by("id")
        if r.after and "state" in r.after
    ]
    assert states == ["assigned", "accepted", "in_progress", "reported_done", "closed"]


def test_sent_back_then_done_again_late(co):
    office, dept = co["users"]["admin"], co["users"]["department"]
    task = new_task(co)
    services.task_accept(user=dept, task=task)
    services.task_report_done(user=dept, task=task, text="已办结", today=D(2023, 3, 20))
    services.task_send_back(user=office, task=task, opinion="缺少许可证复印件")
    assert task.state == TaskState.SENT_BACK and task.done_on is None and task.sent_back_count == 1
    assert Notification.objects.filter(user=dept, key__contains="sent_back").exists()
    assert task.is_overdue(D(2023, 4, 2))
    services.task_progress(user=dept, task=task, text="补充材料")
    services.task_report_done(user=dept, task=task, text="已补充", today=D(2023, 4, 2))
    services.task_close(user=office, task=task, today=D(2023, 4, 3))
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED and not task.closed_on_time


def test_overdue_is_derived_from_the_deadline(co):
    task = new_task(co, deadline=D(2023, 3, 31))
    assert not task.is_overdue(D(2023, 3, 31))
    assert task.is_overdue(D(2023, 4, 1)) and task.days_overdue(D(2023, 4, 10)) == 10
    services.task_accept(user=co["users"]["department"], task=task)
    services.task_report_done(user=co["users"]["department"], task=task, text="完成", today=D(2023, 3, 31))
    assert not task.is_overdue(D(2023, 4, 5))  # done on time: waiting on the assigner, not late


def test_leader_instruction_and_meeting_item_sources(co):
    leader = co["users"]["leader"]
    task = new_task(co, by="leader", source=TaskSource.INSTRUCTION, instructed_by=co["leader"])
    assert task.assigner == leader
    # the leader who assigned it closes it, like any assigner
    services.task_accept(user=co["users"]["department"], task=task)
    services.task_report_done(user=co["users"]["department"], task=task, text="完成")
    services.task_close(user=leader, task=task)
    assert task.state == TaskState.CLOSED

    meeting = services.meeting_create(user=co["users"]["admin"], region=co["regions"]["jingkai"], date=D(2023, 3, 6))
    assert meeting.number == 1 and str(meeting.number_label) == "〔2023〕第1期"
    item = services.agenda_item_add(user=co["users"]["admin"], meeting=meeting, project=co["projects"]["a"])
    t2 = new_task(co, source=TaskSource.MEETING, source_item=item)
    assert Outcome.objects.get(task=t2).item == item


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"content": "  "}, "content"),
        ({"deadline": D(2023, 2, 1)}, "deadline"),
        ({"source": TaskSource.MEETING}, "source_item"),
        ({"source": TaskSource.INSTRUCTION}, "instructed_by"),
        ({"lead": "enterprise"}, "lead_unit"),
        ({"lead": "out"}, "lead_unit"),
    ],
)
def test_bad_task_is_refused_and_nothing_written(co, kwargs, field):
    if kwargs.get("lead") == "enterprise":
        kwargs["lead"] = co["enterprises"]["a"]
    elif kwargs.get("lead") == "out":
        kwargs["lead"] = co["department_out"]
    before = state()
    with pytest.raises(ValidationError) as exc:
        new_task(co, **kwargs)
    assert field in exc.value.message_dict
    assert state() == before


@pytest.mark.parametrize("role", ["department", "enterprise", "viewer", "admin_out"])
def test_only_office_and_leaders_assign(co, role):
    before = state()
    with pytest.raises(PermissionDenied):
        new_task(co, by=role)
    assert state() == before


def _task_in(co, target: str) -> Task:
    """A task brought to `target` state by the rightful users."""
    dept, office = co["users"]["department"], co["users"]["admin"]
    task = new_task(co)
    if target == "assigned":
        return task
    services.task_accept(user=dept, task=task)
    if target == "accepted":
        return task
    if target == "in_progress":
        services.task_progress(user=dept, task=task, text="推进中")
        return task
    services.task_report_done(user=dept, task=task, text="完成", today=D(2023, 3, 20))
    if target == "reported_done":
        return task
    if target == "sent_back":
        services.task_send_back(user=office, task=task, opinion="退回")
        return task
    services.task_close(user=office, task=task)
    return task


ACTIONS = {
    "accept": lambda u, t: services.task_accept(user=u, task=t),
    "progress": lambda u, t: services.task_progress(user=u, task=t, text="进展"),
    "report_done": lambda u, t: services.task_report_done(user=u, task=t, text="完成"),
    "close": lambda u, t: services.task_close(user=u, task=t),
    "send_back": lambda u, t: services.task_send_back(user=u, task=t, opinion="退回"),
    "extension": lambda u, t: services.task_request_extension(user=u, task=t, new_deadline=D(2023, 5, 1), reason="因"),
}

# (state, action, actor, error): who may not do what, and what is refused for its state.
FORBIDDEN = [
    # a department cannot accept (or work on) another unit's task
    ("assigned", "accept", "department2", PermissionDenied),
    ("assigned", "accept", "department_out", PermissionDenied),
    ("assigned", "accept", "enterprise", PermissionDenied),
    ("assigned", "accept", "viewer", PermissionDenied),
    ("assigned", "accept", "admin_out", PermissionDenied),
    ("accepted", "progress", "department2", PermissionDenied),
    ("accepted", "report_done", "department2", PermissionDenied),
    ("accepted", "extension", "department2", PermissionDenied),
    # the lead unit cannot close or send back its own task; nor can someone else's leader
    ("reported_done", "close", "department", PermissionDenied),
    ("reported_done", "send_back", "department", PermissionDenied),
    ("reported_done", "close", "leader", PermissionDenied),
    ("reported_done", "close", "admin_out", PermissionDenied),
    ("reported_done", "close", "viewer", PermissionDenied),
    # steps out of order
    ("accepted", "accept", "department", ValidationError),
    ("assigned", "progress", "department", ValidationError),
    ("assigned", "report_done", "department", ValidationError),
    ("in_progress", "close", "admin", ValidationError),
    ("accepted", "send_back", "admin", ValidationError),
    ("reported_done", "progress", "department", ValidationError),
    ("reported_done", "extension", "department", ValidationError),
    ("closed", "progress", "department", ValidationError),
    ("closed", "close", "admin", ValidationError),
    ("closed", "send_back", "admin", ValidationError),
    ("closed", "extension", "department", ValidationError),
]


@pytest.mark.parametrize(("target", "action", "actor", "error"), FORBIDDEN)
def test_forbidden_step_changes_nothing(co, target, action, actor, error):
    task = _task_in(co, target)
    before = state()
    with pytest.raises(error) as exc:
        ACTIONS[action](co["users"][actor], task)
    assert str(exc.value)  # a message saying why
    assert state() == before
    task.refresh_from_db()
    assert task.state == target


@pytest.mark.parametrize(
    ("target", "action"),
    [("assigned", "accept"), ("accepted", "progress"), ("in_progress", "report_done"), ("reported_done", "close")],
)
def test_the_office_may_take_every_step(co, target, action):
    task = _task_in(co, target)
    ACTIONS[action](co["users"]["admin"], task)
    task.refresh_from_db()
    assert task.state != target or action == "progress"


def test_refused_upload_leaves_no_file(co):
    task = _task_in(co, "assigned")  # not accepted yet: progress is refused after the file was looked at
    before = state()
    with pytest.raises(ValidationError):
        services.task_progress(
            user=co["users"]["department"], task=task, text="进展", upload=SimpleUploadedFile("a.pdf", b"x")
        )
    assert state() == before


def test_extension_granted_moves_the_deadline(co):
    dept, office = co["users"]["department"], co["users"]["admin"]
    task = _task_in(co, "accepted")
    ext = services.task_request_extension(user=dept, task=task, new_deadline="2023-04-30", reason="等待省厅批复")
    assert ext.state == ExtensionState.PENDING and ext.current_deadline == D(2023, 3, 31)
    before = state()
    with pytest.raises(ValidationError, match="already has an extension request"):
        services.task_request_extension(user=dept, task=task, new_deadline="2023-05-30", reason="再延")
    with pytest.raises(PermissionDenied):
        services.extension_grant(user=dept, extension=ext)  # the unit cannot grant itself more time
    assert state() == before
    services.extension_grant(user=office, extension=ext, today=D(2023, 3, 28))
    task.refresh_from_db()
    assert task.deadline == D(2023, 4, 30) and task.original_deadline == D(2023, 3, 31)
    assert ext.state == ExtensionState.GRANTED and ext.decided_by == office
    with pytest.raises(ValidationError, match="decided already"):
        services.extension_refuse(user=office, extension=ext, opinion="不同意")


def test_extension_refused_keeps_the_deadline_and_needs_a_reason(co):
    dept, office = co["users"]["department"], co["users"]["admin"]
    task = _task_in(co, "in_progress")
    with pytest.raises(ValidationError, match="later than the current one"):
        services.task_request_extension(user=dept, task=task, new_deadline="2023-03-31", reason="因")
    ext = services.task_request_extension(user=dept, task=task, new_deadline="2023-04-30", reason="因")
    before = state()
    with pytest.raises(ValidationError, match="Say why"):
        services.extension_refuse(user=office, extension=ext, opinion=" ")
    assert state() == before
    services.extension_refuse(user=office, extension=ext, opinion="时间充足")
    task.refresh_from_db()
    assert task.deadline == D(2023, 3, 31) and ext.state == ExtensionState.REFUSED
