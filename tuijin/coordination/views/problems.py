"""The problem register (问题清单): the list with its filters, raising one, its page with every step the user may
take (route, start, solve, escalate, confirm 销号, reopen, rate)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuijin.accounts.choices import Role
from tuijin.core.permissions import Action, can

from .. import services
from ..choices import LEVEL_ORDER, PROBLEM_ACTIVE_STATES, ProblemState
from ..forms import AssignForm, NoteForm, ProblemFilterForm, ProblemForm, RatingForm, ReasonForm, SolutionForm
from ..models import Problem, Task
from ..selectors import problem_cohort_q, problem_figures_q, problem_overdue_q, stats_dates
from .common import paginate, problems_for, refused, require_view, run_step


def _routes(user) -> bool:
    return user.is_superuser or user.role in (Role.ADMIN, Role.LEADER)


def filter_problems(qs, d: dict, today):
    """Apply the problem register's filters (cleaned ProblemFilterForm data); the window and `figure` reuse the
    statistics' definitions (selectors)."""
    if d["state"] == "open":
        qs = qs.filter(state__in=PROBLEM_ACTIVE_STATES)
    elif d["state"]:
        qs = qs.filter(state=d["state"])
    for field in ("level", "category", "project"):
        if d[field]:
            qs = qs.filter(**{field: d[field]})
    if d["unit"]:
        qs = qs.filter(assigned_unit=d["unit"])
    if d["overdue"]:
        qs = qs.filter(problem_overdue_q(today))
    if d["raised_from"] or d["raised_to"] or d["figure"] or d["region"]:
        date_to, _as_of = stats_dates(d["raised_to"], today)
        qs = qs.filter(problem_cohort_q(d["raised_from"], date_to, d["region"]))
        if d["figure"]:
            qs = qs.filter(problem_figures_q(date_to)[d["figure"]])
    return qs


@login_required
@require_GET
def problem_list(request):
    user = request.user
    require_view(user, Problem)
    today = timezone.localdate()
    form = ProblemFilterForm(request.GET or None, user=user)
    qs = problems_for(user)
    if form.is_bound and form.is_valid():
        qs = filter_problems(qs, form.cleaned_data, today)
    page = paginate(request, qs)
    rows = [{"problem": p, "days_overdue": (today - p.deadline).days if p.is_overdue(today) else 0} for p in page]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "may_add": can(user, Action.ADD, Problem),
        "active_filters": form.active_filters(request.GET),
        "more_filters": any(form[n].value() for n in ("raised_from", "raised_to", "figure", "region")),
    }
    return render(request, "coordination/problem_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def problem_add(request):
    user = request.user
    if not can(user, Action.ADD, Problem):
        return refused(request, PermissionDenied(_("You may not raise problems.")))
    routes = _routes(user)
    form = ProblemForm(request.POST or None, user=user, routes=routes)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            problem = services.problem_raise(
                user=user,
                category=d["category"],
                description=d["description"],
                project=d["project"],
                assigned_unit=d.get("assigned_unit"),
                deadline=d.get("deadline"),
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
            messages.success(request, _("Problem raised."))
            return redirect("coordination:problem_detail", problem.pk)
    return render(request, "coordination/problem_form.html", {"form": form})


def problem_steps(user, p: Problem) -> dict:
    office = services.is_office(user, p)
    work = services.problem_may_work(user, p)
    raiser = services.problem_is_raiser(user, p)
    active = p.state in PROBLEM_ACTIVE_STATES
    return {
        "assign": office and active,
        "start": work and p.state in (ProblemState.OPEN, ProblemState.REOPENED) and p.assigned_unit_id is not None,
        "solve": work and active,
        "escalate": office and active and LEVEL_ORDER.index(p.level) + 1 < len(LEVEL_ORDER),
        "confirm": raiser and p.state == ProblemState.SOLVED,
        "reopen": raiser and p.state == ProblemState.SOLVED,
        "rate": raiser and p.state == ProblemState.CONFIRMED,
        "task": can(user, Action.ADD, Task) and active,
    }


@login_required
@require_GET
def problem_detail(request, pk: int):
    user = request.user
    p = get_object_or_404(problems_for(user).select_related("source_item__meeting"), pk=pk)
    today = timezone.localdate()
    steps = problem_steps(user, p)
    context = {
        "problem": p,
        "days_overdue": (today - p.deadline).days if p.is_overdue(today) else 0,
        "steps": steps,
        "tasks": list(Task.objects.restrict(user, Action.VIEW).filter(source_problem=p).select_related("lead_unit")),
        "supervision": list(p.supervision.select_related("letter").order_by("taken_on", "id")),
        "letters": list(p.letters.select_related("to_unit")),
        "forms": {
            "assign": AssignForm(user=user, initial={"unit": p.assigned_unit_id, "deadline": p.deadline})
            if steps["assign"]
            else None,
            "solution": SolutionForm(),
            "rating": RatingForm(initial={"rating": p.rating, "comment": p.rating_comment}),
            "reason": ReasonForm(),
            "note": NoteForm(),
        },
    }
    return render(request, "coordination/problem_detail.html", context)


def _rating(raw: str):
    raw = (raw or "").strip()
    if not raw:
        return None
    return int(raw) if raw.isdigit() else raw


@login_required
@require_POST
def problem_step(request, pk: int, step: str):
    user = request.user
    p = get_object_or_404(problems_for(user), pk=pk)
    back = request.path.rsplit("/step/", 1)[0] + "/"
    post = request.POST
    if step == "assign":
        form = AssignForm(post, user=user)
        if not services.is_office(user, p):
            return refused(request, PermissionDenied(_("Only the project office routes a problem to a unit.")))
        if not form.is_valid():
            messages.error(request, _("Not done: %(reason)s") % {"reason": _("Choose the unit and the deadline.")})
            return redirect(back)
        d = form.cleaned_data
        return run_step(
            request,
            back,
            lambda: services.problem_assign(user=user, problem=p, unit=d["unit"], deadline=d["deadline"]),
            _("Problem routed to %(unit)s.") % {"unit": d["unit"]},
        )
    if step == "start":
        return run_step(request, back, lambda: services.problem_start(user=user, problem=p), _("Work started."))
    if step == "solve":
        return run_step(
            request,
            back,
            lambda: services.problem_solve(user=user, problem=p, solution=post.get("solution", "")),
            _("Reported solved: waiting for whoever raised it to confirm."),
        )
    if step == "escalate":
        return run_step(
            request,
            back,
            lambda: services.problem_escalate(user=user, problem=p, note=post.get("note", "")),
            _("Problem escalated one level."),
        )
    if step == "confirm":
        return run_step(
            request,
            back,
            lambda: services.problem_confirm(
                user=user, problem=p, rating=_rating(post.get("rating")), comment=post.get("comment", "")
            ),
            _("Confirmed solved (销号)."),
        )
    if step == "reopen":
        return run_step(
            request,
            back,
            lambda: services.problem_reopen(user=user, problem=p, reason=post.get("reason", "")),
            _("Problem reopened."),
        )
    if step == "rate":
        return run_step(
            request,
            back,
            lambda: services.problem_rate(
                user=user, problem=p, rating=_rating(post.get("rating")), comment=post.get("comment", "")
            ),
            _("Thank you: the rating is saved."),
        )
    raise Http404
