"""Tasks (交办事项): assign, accept, progress, report done, close or send back, extensions."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.accounts.models import Leader, Organization
from tuijin.core.permissions import Action, can
from tuijin.projects.models import Project
from tuijin.regions.models import Region

from ..choices import (
    TASK_ACTIVE_STATES,
    TASK_WORKING_STATES,
    ExtensionState,
    NoteKind,
    NotificationKind,
    OutcomeKind,
    TaskSource,
    TaskState,
)
from ..models import (
    AgendaItem,
    ExtensionRequest,
    Outcome,
    Problem,
    Task,
    TaskCooperation,
    TaskNote,
)
from ..notifications import notify, unit_users
from .common import (
    _as_date,
    _check_unit,
    _deny,
    _locked,
    _required,
    _sync,
    _task_url,
    _wrong_state,
    task_may_review,
    task_may_work,
)


def _attachment_max_bytes() -> int:
    return int(getattr(settings, "TUIJIN_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


# ---- tasks ----


def _task_region(user, project, source_item, source_problem) -> Region:
    if project is not None:
        return project.region
    if source_item is not None:
        return source_item.meeting.region
    if source_problem is not None:
        return source_problem.region
    if user is not None and user.region_id:
        return user.region
    raise ValidationError({"project": _("Give the project, or assign the task as a user of a region.")})


@transaction.atomic
def task_create(
    *,
    user,
    content: str,
    lead_unit: Organization,
    deadline,
    cooperating_units: Iterable[Organization] = (),
    project: Project | None = None,
    responsible_person: str = "",
    source: str = TaskSource.AD_HOC,
    source_item: AgendaItem | None = None,
    source_problem: Problem | None = None,
    instructed_by: Leader | None = None,
    assigned_on=None,
    assigner=None,
) -> Task:
    """Assign a task to a lead unit (with cooperating units) and a deadline. The office and leaders assign; the
    source must be named (the meeting item, the leader, the problem) unless it is ad hoc. From a meeting item it
    is also recorded as that item's task outcome."""
    if user is not None and not can(user, Action.ADD, Task):
        _deny(_("Only the project office and leaders assign tasks."))
    content = _required(content, "content", _("Say what is to be done."))
    _check_unit(lead_unit, "lead_unit")
    units = {u.pk: u for u in cooperating_units if u.pk != lead_unit.pk}
    for unit in units.values():
        _check_unit(unit, "cooperating_units")
    needs = {
        TaskSource.MEETING: (source_item, "source_item", _("Name the meeting item the task comes from.")),
        TaskSource.PROBLEM: (source_problem, "source_problem", _("Name the problem the task comes from.")),
        TaskSource.INSTRUCTION: (instructed_by, "instructed_by", _("Name the leader who gave the instruction.")),
    }
    if source in needs and needs[source][0] is None:
        raise ValidationError({needs[source][1]: needs[source][2]})
    region = _task_region(user, project, source_item, source_problem)
    task = Task(
        region=region,
        source=source,
        source_item=source_item,
        source_problem=source_problem,
        instructed_by=instructed_by,
        content=content,
        project=project,
        lead_unit=lead_unit,
        responsible_person=responsible_person.strip(),
        assigned_on=_as_date(assigned_on, "assigned_on") if assigned_on else timezone.localdate(),
        deadline=_as_date(deadline, "deadline"),
        assigner=assigner or user,
    )
    if task.assigner is None:
        raise ValidationError({"assigner": _("Name who assigns the task.")})
    if task.deadline < task.assigned_on:
        raise ValidationError({"deadline": _("The deadline cannot be before the day the task is assigned.")})
    if user is not None:
        if not (user.is_superuser or (user.region_id and region.path.startswith(user.region.path))):
            _deny(_("You may assign tasks only within your own region."))
        visible_units = Organization.objects.restrict(user, Action.VIEW)
        for field, org in [("lead_unit", lead_unit), *[("cooperating_units", u) for u in units.values()]]:
            if not visible_units.filter(pk=org.pk).exists():
                raise ValidationError({field: _("%(unit)s is not a unit in your region.") % {"unit": org}})
    task.original_deadline = task.deadline
    task.full_clean()
    task.save()
    for unit in units.values():
        TaskCooperation.objects.create(task=task, organization=unit)
    if source_item is not None:
        Outcome.objects.create(item=source_item, kind=OutcomeKind.TASK, text=content, task=task)
    notify(
        unit_users([lead_unit.pk, *units]),
        kind=NotificationKind.TASK,
        key=f"task:{task.pk}:assigned",
        title=_("New task for %(unit)s, due %(deadline)s") % {"unit": lead_unit, "deadline": task.deadline},
        body=content,
        url=_task_url(task),
    )
    return task


@transaction.atomic
def task_accept(*, user, task: Task, today: datetime.date | None = None) -> Task:
    """The lead unit takes the task on: assigned → accepted."""
    fresh = _locked(Task, task)
    if not task_may_work(user, fresh):
        _deny(
            _("Only the lead unit (%(unit)s) or the project office may accept this task.") % {"unit": fresh.lead_unit}
        )
    if fresh.state != TaskState.ASSIGNED:
        raise _wrong_state(_("Only an assigned task can be accepted; this one is %(state)s."), fresh)
    fresh.state = TaskState.ACCEPTED
    fresh.accepted_on = today or timezone.localdate()
    fresh.save()
    return _sync(task, fresh)


def _store(task: Task, upload) -> tuple[str, str]:
    """Save an attachment through Django's storage; (stored name, original file name)."""
    limit = _attachment_max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s MB.") % {"limit": round(limit / 1048576, 1)}}
        )
    original = (getattr(upload, "name", "") or "attachment").rsplit("/", 1)[-1][:200]
    ext = original.rsplit(".", 1)[-1].lower()[:10] if "." in original else "bin"
    name = default_storage.save(f"tasks/{task.pk}/{uuid.uuid4().hex}.{ext}", upload)
    return name, original


def _note(task: Task, user, kind: str, text: str, upload=None, saved: list | None = None) -> TaskNote:
    note = TaskNote(task=task, kind=kind, author=user, text=text)
    if upload is not None:
        name, original = _store(task, upload)
        if saved is not None:
            saved.append(name)
        note.attachment.name = name
        note.attachment_name = original
    note.save()
    return note


@contextmanager
def _files_kept_only_on_success():
    """Files stored by the block are deleted again when the block fails (its rows are rolled back)."""
    saved: list[str] = []
    try:
        with transaction.atomic():
            yield saved
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise


def task_progress(*, user, task: Task, text: str, upload=None) -> TaskNote:
    """The lead unit records progress (optionally with a file): accepted or sent back → in progress."""
    with _files_kept_only_on_success() as saved:
        return _task_progress(user, task, text, upload, saved)


def _task_progress(user, task: Task, text: str, upload, saved: list) -> TaskNote:
    fresh = _locked(Task, task)
    if not task_may_work(user, fresh):
        _deny(_("Only the lead unit (%(unit)s) or the project office may record progress.") % {"unit": fresh.lead_unit})
    if fresh.state not in TASK_WORKING_STATES:
        raise _wrong_state(
            _("Progress is recorded between accepting the task and reporting it done; this one is %(state)s."),
            fresh,
        )
    text = _required(text, "text", _("Describe the progress."))
    note = _note(fresh, user, NoteKind.PROGRESS, text, upload, saved)
    if fresh.state != TaskState.IN_PROGRESS:
        fresh.state = TaskState.IN_PROGRESS
        fresh.save()
    _sync(task, fresh)
    return note


def task_report_done(*, user, task: Task, text: str, upload=None, today: datetime.date | None = None) -> Task:
    """The lead unit reports the task done, with its evidence: → reported done, waiting for the assigner."""
    with _files_kept_only_on_success() as saved:
        return _task_report_done(user, task, text, upload, today, saved)


def _task_report_done(user, task: Task, text: str, upload, today, saved: list) -> Task:
    fresh = _locked(Task, task)
    if not task_may_work(user, fresh):
        _deny(
            _("Only the lead unit (%(unit)s) or the project office may report this task done.")
            % {"unit": fresh.lead_unit}
        )
    if fresh.state not in TASK_WORKING_STATES:
        raise _wrong_state(_("Only an accepted task in progress can be reported done; this one is %(state)s."), fresh)
    text = _required(text, "text", _("Give the evidence that the task is done."))
    _note(fresh, user, NoteKind.DONE, text, upload, saved)
    fresh.state = TaskState.REPORTED_DONE
    fresh.done_on = today or timezone.localdate()
    fresh.save()
    notify(
        [fresh.assigner],
        kind=NotificationKind.TASK,
        key=f"task:{fresh.pk}:done:{fresh.sent_back_count}",
        title=_("Task reported done: %(task)s") % {"task": fresh},
        body=text,
        url=_task_url(fresh),
    )
    return _sync(task, fresh)


@transaction.atomic
def task_close(*, user, task: Task, opinion: str = "", today: datetime.date | None = None) -> Task:
    """The assigner accepts the evidence: reported done → closed."""
    fresh = _locked(Task, task)
    if not task_may_review(user, fresh):
        _deny(_("Only whoever assigned this task, or the project office, may close it."))
    if fresh.state != TaskState.REPORTED_DONE:
        raise _wrong_state(_("Only a task reported done can be closed; this one is %(state)s."), fresh)
    fresh.state = TaskState.CLOSED
    fresh.closed_on = max(today or timezone.localdate(), fresh.done_on)
    fresh.save()
    if opinion.strip():
        _note(fresh, user, NoteKind.CLOSED, opinion.strip())
    return _sync(task, fresh)


@transaction.atomic
def task_send_back(*, user, task: Task, opinion: str) -> Task:
    """The assigner does not accept the evidence: reported done → sent back, with the reason."""
    fresh = _locked(Task, task)
    if not task_may_review(user, fresh):
        _deny(_("Only whoever assigned this task, or the project office, may send it back."))
    if fresh.state != TaskState.REPORTED_DONE:
        raise _wrong_state(_("Only a task reported done can be sent back; this one is %(state)s."), fresh)
    opinion = _required(opinion, "opinion", _("Say what is still missing: the opinion is required."))
    _note(fresh, user, NoteKind.SENT_BACK, opinion)
    fresh.state = TaskState.SENT_BACK
    fresh.done_on = None
    fresh.sent_back_count += 1
    fresh.save()
    notify(
        unit_users([fresh.lead_unit_id]),
        kind=NotificationKind.TASK,
        key=f"task:{fresh.pk}:sent_back:{fresh.sent_back_count}",
        title=_("Task sent back: %(task)s") % {"task": fresh},
        body=opinion,
        url=_task_url(fresh),
    )
    return _sync(task, fresh)


@transaction.atomic
def task_request_extension(*, user, task: Task, new_deadline, reason: str) -> ExtensionRequest:
    """The lead unit asks for a later deadline (one request waiting at a time)."""
    fresh = _locked(Task, task)
    if not task_may_work(user, fresh):
        _deny(
            _("Only the lead unit (%(unit)s) or the project office may ask for more time.") % {"unit": fresh.lead_unit}
        )
    if fresh.state not in TASK_ACTIVE_STATES:
        raise _wrong_state(
            _("More time can be asked for only while the task is being worked on; this one is %(state)s."), fresh
        )
    new_deadline = _as_date(new_deadline, "new_deadline")
    if new_deadline <= fresh.deadline:
        raise ValidationError(
            {"new_deadline": _("The new deadline must be later than the current one (%(d)s).") % {"d": fresh.deadline}}
        )
    reason = _required(reason, "reason", _("Give the reason for more time."))
    if fresh.extensions.filter(state=ExtensionState.PENDING).exists():
        raise ValidationError({"__all__": _("This task already has an extension request waiting for a decision.")})
    ext = ExtensionRequest.objects.create(
        task=fresh, requested_by=user, current_deadline=fresh.deadline, new_deadline=new_deadline, reason=reason
    )
    notify(
        [fresh.assigner],
        kind=NotificationKind.EXTENSION,
        key=f"extension:{ext.pk}:asked",
        title=_("%(unit)s asks for more time: %(task)s") % {"unit": fresh.lead_unit, "task": fresh},
        body=reason,
        url=_task_url(fresh),
    )
    return ext


def _decide(user, ext: ExtensionRequest, *, grant: bool, opinion: str, today) -> ExtensionRequest:
    fresh = ExtensionRequest.objects.select_for_update().select_related("task").get(pk=ext.pk)
    task = Task.objects.select_for_update().get(pk=fresh.task_id)
    if not task_may_review(user, task):
        _deny(_("Only whoever assigned this task, or the project office, may decide on more time."))
    if fresh.state != ExtensionState.PENDING:
        raise _wrong_state(_("This request has been decided already: %(state)s."), fresh)
    if not grant:
        opinion = _required(opinion, "opinion", _("Say why the request is refused."))
    elif task.state not in TASK_ACTIVE_STATES:
        raise _wrong_state(_("More time can be granted only while the task is being worked on; it is %(state)s."), task)
    fresh.state = ExtensionState.GRANTED if grant else ExtensionState.REFUSED
    fresh.decided_by = user
    fresh.decided_on = today or timezone.localdate()
    fresh.opinion = (opinion or "").strip()
    fresh.save()
    if grant:
        task.deadline = fresh.new_deadline
        task.save()
    notify(
        unit_users([task.lead_unit_id]),
        kind=NotificationKind.EXTENSION,
        key=f"extension:{fresh.pk}:{fresh.state}",
        title=(_("More time granted until %(d)s: %(task)s") if grant else _("More time refused: %(task)s"))
        % {"d": fresh.new_deadline, "task": task},
        body=fresh.opinion,
        url=_task_url(task),
    )
    return _sync(ext, fresh)


@transaction.atomic
def extension_grant(*, user, extension: ExtensionRequest, opinion: str = "", today=None) -> ExtensionRequest:
    """The assigner grants the request: the task's deadline moves to the new date (the original stays on record)."""
    return _decide(user, extension, grant=True, opinion=opinion, today=today)


@transaction.atomic
def extension_refuse(*, user, extension: ExtensionRequest, opinion: str, today=None) -> ExtensionRequest:
    """The assigner refuses the request, saying why; the deadline stays."""
    return _decide(user, extension, grant=False, opinion=opinion, today=today)
