"""What every coordination page shares: scoped querysets, running a workflow step, the refusal page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tuijin.core.permissions import Action, can

from ..models import Meeting, Problem, Task

PAGE_SIZE = 50


def tasks_for(user):
    return Task.objects.restrict(user, Action.VIEW).select_related("lead_unit", "project", "assigner", "region")


def problems_for(user):
    return Problem.objects.restrict(user, Action.VIEW).select_related(
        "assigned_unit", "project", "category", "raised_by", "raised_by_org", "region"
    )


def meetings_for(user):
    return Meeting.objects.restrict(user, Action.VIEW).select_related("region")


def require_view(user, model) -> None:
    """A role that sees no rows of the model at all (an enterprise and meetings) gets 403, not an empty page."""
    if not can(user, Action.VIEW, model):
        raise PermissionDenied(_("You may not see this page."))


def refused(request, exc: PermissionDenied):
    """A refused step: 403, with the service's reason in words."""
    message = str(exc) or _("You may not do this.")
    return render(request, "coordination/refused.html", {"message": message}, status=403)


def error_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


def run_step(request, back: str, fn, done: str):
    """Run a service call; success → message and back to `back`; a refusal → 403 page; a rule broken → the error
    as a message, nothing written (the service is atomic)."""
    try:
        fn()
    except PermissionDenied as exc:
        return refused(request, exc)
    except ValidationError as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": error_text(exc)})
        return redirect(back)
    messages.success(request, done)
    return redirect(back)


def paginate(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
