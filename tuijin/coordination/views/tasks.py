"""Tasks (交办事项): the list with its filters, assigning one, its page with every step the user may take, and a
note's attachment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuijin.core.permissions import Action, can

from .. import services
from ..choices import TASK_ACTIVE_STATES, TASK_WORKING_STATES, ExtensionState, TaskSource, TaskState
from ..forms import NO_LEADER, EvidenceForm, ExtensionForm, OpinionForm, TaskFilterForm, TaskForm, TextFileForm
from ..models import AgendaItem, Problem, Task, TaskNote
from ..selectors import stats_dates, task_cohort_q, task_figures_q, task_overdue_q
from .common import paginate, refused, require_view, run_step, tasks_for


def filter_tasks(qs, d: dict, today):
    """Apply the task list's filters (cleaned TaskFilterForm data). The window and `figure` reuse the statistics'
    definitions (selectors), so a figure's link lists exactly the tasks it counts."""
    if d["state"] == "open":
        qs = qs.filter(state__in=TASK_ACTIVE_STATES | {TaskState.REPORTED_DONE})
    elif d["state"]:
        qs = qs.filter(state=d["state"])
    if d["unit"]:
        qs = qs.filter(lead_unit=d["unit"])
    if d["project"]:
        qs = qs.filter(project=d["project"])
    if d["overdue"]:
        qs = qs.filter(task_overdue_q(today))
    if d["leader"] == NO_LEADER:
        qs = qs.filter(project__leader__isnull=True)
    elif d["leader"]:
        qs = qs.filter(project__leader_id=int(d["leader"]))
    if d["assigned_from"] or d["assigned_to"] or d["figure"] or d["region"]:
        date_to, as_of = stats_dates(d["assigned_to"], today)
        qs = qs.filter(task_cohort_q(d["assigned_from"], date_to, d["region"]))
        if d["figure"]:
            qs = qs.filter(task_figures_q(date_to, as_of)[d["figure"]])
    return qs


@login_required
@require_GET
def task_list(request):
    user = request.user
    require_view(user, Task)
    today = timezone.localdate()
    form = TaskFilterForm(request.GET or None, user=user)
    qs = tasks_for(user)
    if form.is_bound and form.is_valid():
        qs = filter_tasks(qs, form.cleaned_data, today)
    page = paginate(request, qs.order_by("deadline", "id"))
    rows = [{"task": t, "days_overdue": t.days_overdue(today)} for t in page]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "may_add": can(user, Action.ADD, Task),
        "active_filters": form.active_filters(request.GET),
        "more_filters": any(form[n].value() for n in ("leader", "assigned_from", "assigned_to", "figure", "region")),
    }
    return render(request, "coordination/task_list.html", context)


def _source_from(request):
    """A task assigned from a meeting item (?item=) or a problem (?problem=), when the user may see it."""
    item = problem = None
    user = request.user
    raw_item = request.GET.get("item") or request.POST.get("item")
    raw_problem = request.GET.get("problem") or request.POST.get("problem")
    if raw_item and raw_item.isdigit():
        item = get_object_or_404(
            AgendaItem.objects.restrict(user, Action.VIEW).select_related("meeting", "project"), pk=raw_item
        )
    elif raw_problem and raw_problem.isdigit():
        problem = get_object_or_404(Problem.objects.restrict(user, Action.VIEW), pk=raw_problem)
    return item, problem


@login_required
@require_http_methods(["GET", "POST"])
def task_add(request):
    user = request.user
    if not can(user, Action.ADD, Task):
        return refused(request, PermissionDenied(_("Only the project office and leaders assign tasks.")))
    item, problem = _source_from(request)
    initial = {}
    if item is not None and item.project_id:
        initial["project"] = item.project_id
    if problem is not None:
        initial.update(project=problem.project_id, lead_unit=problem.assigned_unit_id, deadline=problem.deadline)
    form = TaskForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        source = TaskSource.AD_HOC
        if item is not None:
            source = TaskSource.MEETING
        elif problem is not None:
            source = TaskSource.PROBLEM
        elif d["instructed_by"] is not None:
            source = TaskSource.INSTRUCTION
        try:
            task = services.task_create(
                user=user,
                content=d["content"],
                lead_unit=d["lead_unit"],
                cooperating_units=list(d["cooperating_units"]),
                deadline=d["deadline"],
                project=d["project"],
                responsible_person=d["responsible_person"],
                source=source,
                source_item=item,
                source_problem=problem,
                instructed_by=d["instructed_by"],
            )
        except PermissionDenied as exc:
            return refused(request, exc)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Task assigned to %(unit)s.") % {"unit": task.lead_unit})
            if item is not None:
                return redirect("coordination:meeting_detail", item.meeting_id)
            return redirect("coordination:task_detail", task.pk)
    context = {"form": form, "item": item, "problem": problem}
    return render(request, "coordination/task_form.html", context)


def _task(request, pk: int):
    return get_object_or_404(tasks_for(request.user), pk=pk)


def task_steps(user, task, pending) -> dict:
    """Which step forms this user sees on this task (the services check again on POST)."""
    work = services.task_may_work(user, task)
    review = services.task_may_review(user, task)
    return {
        "accept": work and task.state == TaskState.ASSIGNED,
        "progress": work and task.state in TASK_WORKING_STATES,
        "done": work and task.state in TASK_WORKING_STATES,
        "extend": work and task.state in TASK_ACTIVE_STATES and pending is None,
        "close": review and task.state == TaskState.REPORTED_DONE,
        "send_back": review and task.state == TaskState.REPORTED_DONE,
        "decide": review and pending is not None and task.state in TASK_ACTIVE_STATES,
        "refuse": review and pending is not None,
    }


@login_required
@require_GET
def task_detail(request, pk: int):
    user = request.user
    task = _task(request, pk)
    today = timezone.localdate()
    extensions = list(task.extensions.select_related("requested_by", "decided_by"))
    pending = next((e for e in extensions if e.state == ExtensionState.PENDING), None)
    context = {
        "task": task,
        "today": today,
        "days_overdue": task.days_overdue(today),
        "days_left": (task.deadline - today).days if task.state in TASK_ACTIVE_STATES else None,
        "cooperating": list(task.cooperating_units.all()),
        "notes": list(task.notes.select_related("author").order_by("created", "id")),
        "extensions": extensions,
        "pending": pending,
        "steps": task_steps(user, task, pending),
        "supervision": list(task.supervision.select_related("letter").order_by("taken_on", "id")),
        "letters": list(task.letters.select_related("to_unit")),
        "forms": {
            "text": TextFileForm(),
            "evidence": EvidenceForm(),
            "opinion": OpinionForm(),
            "extension": ExtensionForm(),
        },
    }
    return render(request, "coordination/task_detail.html", context)


@login_required
@require_POST
def task_step(request, pk: int, step: str):
    user = request.user
    task = _task(request, pk)
    back = request.path.rsplit("/step/", 1)[0] + "/"
    upload = request.FILES.get("file")
    post = request.POST
    if step == "accept":
        return run_step(request, back, lambda: services.task_accept(user=user, task=task), _("Task accepted."))
    if step == "progress":
        return run_step(
            request,
            back,
            lambda: services.task_progress(user=user, task=task, text=post.get("text", ""), upload=upload),
            _("Progress recorded."),
        )
    if step == "done":
        return run_step(
            request,
            back,
            lambda: services.task_report_done(user=user, task=task, text=post.get("text", ""), upload=upload),
            _("Reported done: waiting for the assigner to close it."),
        )
    if step == "close":
        return run_step(
            request,
            back,
            lambda: services.task_close(user=user, task=task, opinion=post.get("opinion", "")),
            _("Task closed."),
        )
    if step == "send_back":
        return run_step(
            request,
            back,
            lambda: services.task_send_back(user=user, task=task, opinion=post.get("opinion", "")),
            _("Task sent back to the lead unit."),
        )
    if step == "extend":
        return run_step(
            request,
            back,
            lambda: services.task_request_extension(
                user=user, task=task, new_deadline=post.get("new_deadline", ""), reason=post.get("reason", "")
            ),
            _("More time asked for: waiting for the assigner's decision."),
        )
    if step in ("grant", "refuse"):
        ext = task.extensions.filter(state=ExtensionState.PENDING).first()
        if ext is None:
            messages.error(request, _("Not done: %(reason)s") % {"reason": _("No request is waiting for a decision.")})
            return redirect(back)
        fn = services.extension_grant if step == "grant" else services.extension_refuse
        done = _("More time granted.") if step == "grant" else _("More time refused.")
        return run_step(request, back, lambda: fn(user=user, extension=ext, opinion=post.get("opinion", "")), done)
    raise Http404


@login_required
@require_GET
def note_file(request, pk: int):
    note = get_object_or_404(TaskNote.objects.restrict(request.user, Action.VIEW), pk=pk)
    if not note.attachment:
        raise Http404
    try:
        handle = note.attachment.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=note.attachment_name or note.attachment.name)
