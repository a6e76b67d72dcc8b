"""Who may take which step, and the small helpers every workflow shares."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tuijin.accounts.choices import OrganizationKind, Role
from tuijin.accounts.models import Organization
from tuijin.core.permissions import Action, can

from ..models import (
    Problem,
    Task,
)

# ---- who may do what ----


def is_office(user, obj) -> bool:
    """The project office (admin role) or a superuser, with `obj` inside its region."""
    if user is None:
        return True
    if not user.is_authenticated:
        return False
    if not (user.is_superuser or user.role == Role.ADMIN):
        return False
    if obj.pk is None:  # not saved yet: `can` cannot look it up, so check its region against the user's
        region = obj.region
        return user.is_superuser or bool(user.region_id and region.path.startswith(user.region.path))
    return can(user, Action.CHANGE, obj)


def in_unit(user, org_id: int | None) -> bool:
    return user is not None and user.is_authenticated and org_id is not None and user.organization_id == org_id


def task_may_work(user, task: Task) -> bool:
    """Accept, record progress, report done, ask for more time: the lead unit's users, or the office."""
    return user is None or (in_unit(user, task.lead_unit_id) and can(user, Action.VIEW, task)) or is_office(user, task)


def task_may_review(user, task: Task) -> bool:
    """Close, send back, decide on extensions: the assigner, or the office."""
    if user is None:
        return True
    return (user.is_authenticated and user.pk == task.assigner_id) or is_office(user, task)


def problem_may_work(user, problem: Problem) -> bool:
    """Start and solve: the assigned unit's users, or the office."""
    if user is None:
        return True
    return (in_unit(user, problem.assigned_unit_id) and can(user, Action.VIEW, problem)) or is_office(user, problem)


def problem_is_raiser(user, problem: Problem) -> bool:
    """Whoever raised it: the user, or a colleague of the same organisation."""
    if user is None:
        return True
    if not user.is_authenticated:
        return False
    return user.pk == problem.raised_by_id or in_unit(user, problem.raised_by_org_id)


def _deny(message: str):
    raise PermissionDenied(message)


def _wrong_state(message: str, obj) -> ValidationError:
    return ValidationError({"state": message % {"state": obj.get_state_display()}})


def _required(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def _locked(model, obj):
    fresh = model.objects.select_for_update().get(pk=obj.pk)
    return fresh


def _sync(obj, fresh):
    obj.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_state")})
    return obj


def _as_date(value, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: _("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": value}}) from exc


def _check_unit(org: Organization, field: str) -> None:
    if org.kind == OrganizationKind.ENTERPRISE:
        raise ValidationError({field: _("Choose a department or office, not an enterprise.")})


def _task_url(task: Task) -> str:
    return f"/coordination/tasks/{task.pk}/"


def _problem_url(problem: Problem) -> str:
    return f"/coordination/problems/{problem.pk}/"
