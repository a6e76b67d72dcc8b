"""A user's coordination home (the to-do list of their unit, what waits for them) and the in-app inbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuijin.accounts.choices import Role

from .. import notifications
from ..choices import PROBLEM_ACTIVE_STATES, TASK_ACTIVE_STATES, ExtensionState, ProblemState, TaskState
from ..models import ExtensionRequest, Task
from ..selectors import task_overdue_q, todo
from .common import paginate, problems_for, tasks_for


def _row(obj, today) -> dict:
    is_task = isinstance(obj, Task)
    days = (today - obj.deadline).days if obj.deadline and obj.is_overdue(today) else 0
    return {
        "obj": obj,
        "kind": "task" if is_task else "problem",
        "url": reverse("coordination:task_detail" if is_task else "coordination:problem_detail", args=[obj.pk]),
        "title": obj.content if is_task else obj.description,
        "unit": obj.lead_unit if is_task else obj.assigned_unit,
        "state": obj.state,
        "days_overdue": days,
        "days_left": (obj.deadline - today).days if obj.deadline and not days else None,
    }


def todo_rows(user, today=None) -> list[dict]:
    today = today or timezone.localdate()
    return [_row(o, today) for o in todo(user, tasks_for(user), problems_for(user))]


def _waiting_for(user) -> dict:
    """What waits on this user's decision: tasks they assigned reported done, extension requests, and (for whoever
    raised problems) solutions to confirm."""
    tasks = tasks_for(user)
    office = user.is_superuser or user.role == Role.ADMIN
    review = tasks.filter(state=TaskState.REPORTED_DONE)
    extensions = ExtensionRequest.objects.filter(state=ExtensionState.PENDING, task__in=tasks).select_related("task")
    if not office:
        review = review.filter(assigner=user)
        extensions = extensions.filter(task__assigner=user)
    raised = Q(raised_by=user) | (Q(raised_by_org_id=user.organization_id) if user.organization_id else Q(pk=None))
    confirm = problems_for(user).filter(raised, state=ProblemState.SOLVED)
    return {"review": list(review[:20]), "extensions": list(extensions[:20]), "confirm": list(confirm[:20])}


@login_required
@require_GET
def home(request):
    user = request.user
    today = timezone.localdate()
    unit_role = user.role in (Role.DEPARTMENT, Role.ENTERPRISE) and not user.is_superuser
    rows = todo_rows(user, today) if user.organization_id and user.role != Role.ENTERPRISE else []
    context = {
        "rows": rows,
        "unit_role": unit_role,
        "overdue": sum(1 for r in rows if r["days_overdue"]),
        "due_week": sum(1 for r in rows if r["days_left"] is not None and r["days_left"] <= 7),
        "unread": notifications.inbox(user, unread_only=True).count(),
        "today": today,
        **_waiting_for(user),
    }
    if not unit_role:  # the office, leaders, viewers: the region's figures, each linking to its list
        tasks = tasks_for(user).filter(state__in=TASK_ACTIVE_STATES | {TaskState.REPORTED_DONE})
        context["region_figures"] = {
            "open_tasks": tasks.count(),
            "overdue_tasks": tasks.filter(task_overdue_q(today)).count(),
            "open_problems": problems_for(user).filter(state__in=PROBLEM_ACTIVE_STATES).count(),
        }
    return render(request, "coordination/home.html", context)


def dashboard_todo(user, limit: int = 5) -> dict:
    """For the main dashboard: a department user's nearest to-dos (nothing for the other roles)."""
    if user.is_superuser or user.role != Role.DEPARTMENT or not user.organization_id:
        return {}
    rows = todo_rows(user)
    return {
        "coordination_todo": {
            "rows": rows[:limit],
            "count": len(rows),
            "overdue": sum(1 for r in rows if r["days_overdue"]),
        }
    }


@login_required
@require_GET
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    qs = notifications.inbox(request.user, unread_only=unread_only)
    context = {
        "page": paginate(request, qs),
        "unread_only": unread_only,
        "unread": notifications.inbox(request.user, unread_only=True).count(),
    }
    return render(request, "coordination/inbox.html", context)


@login_required
@require_POST
def inbox_read(request):
    """Mark one message (`id`) or all of the user's messages read; only their own are touched."""
    raw = request.POST.getlist("id")
    ids = [int(i) for i in raw if i.isdigit()] if raw else None
    n = notifications.mark_read(request.user, ids)
    if ids is None:
        messages.success(request, _("%(n)s messages marked read.") % {"n": n})
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(nxt)
    return redirect("coordination:inbox")
