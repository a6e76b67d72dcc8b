"""Problems (问题清单): raise, route, start, solve, confirm (销号) or reopen, rate, escalate."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.accounts.choices import Role
from tuijin.accounts.models import Organization
from tuijin.core.permissions import Action, can
from tuijin.projects.models import Project
from tuijin.regions.models import Region

from ..choices import (
    LEVEL_ORDER,
    PROBLEM_ACTIVE_STATES,
    NotificationKind,
    ProblemSource,
    ProblemState,
)
from ..models import (
    AgendaItem,
    Problem,
    ProblemCategory,
)
from ..notifications import notify, office_users, unit_users
from .common import (
    _as_date,
    _check_unit,
    _deny,
    _locked,
    _problem_url,
    _required,
    _sync,
    _wrong_state,
    is_office,
    problem_is_raiser,
    problem_may_work,
)

# ---- problems ----


def _source_for(user, source_item) -> str:
    if source_item is not None:
        return ProblemSource.MEETING
    role = getattr(user, "role", None)
    return {Role.ENTERPRISE: ProblemSource.ENTERPRISE, Role.DEPARTMENT: ProblemSource.DEPARTMENT}.get(
        role, ProblemSource.OFFICE
    )


@transaction.atomic
def problem_raise(
    *,
    user,
    category: ProblemCategory,
    description: str,
    project: Project | None = None,
    region: Region | None = None,
    assigned_unit: Organization | None = None,
    deadline=None,
    source_item: AgendaItem | None = None,
    raised_on=None,
) -> Problem:
    """Put a problem on the register. Enterprises raise problems of their own projects; routing it to a unit with
    a deadline is the office's (or a leader's) call, here or later with `problem_assign`."""
    if user is not None and not can(user, Action.ADD, Problem):
        _deny(_("You may not raise problems."))
    description = _required(description, "description", _("Describe the problem."))
    if not category.active:
        raise ValidationError({"category": _("This category is no longer in use.")})
    if project is not None and user is not None and not can(user, Action.VIEW, project):
        raise ValidationError({"project": _("Choose one of your own projects.")})
    region = project.region if project is not None else (region or getattr(user, "region", None))
    if region is None:
        raise ValidationError({"project": _("Give the project or the region the problem belongs to.")})
    if user is not None and not (user.is_superuser or (user.region_id and region.path.startswith(user.region.path))):
        _deny(_("You may raise problems only within your own region."))
    routes = assigned_unit is not None or deadline
    if routes and user is not None and not user.is_superuser and user.role not in (Role.ADMIN, Role.LEADER):
        _deny(_("Only the project office routes a problem to a unit and sets its deadline."))
    if assigned_unit is not None:
        _check_unit(assigned_unit, "assigned_unit")
        if (
            user is not None
            and not Organization.objects.restrict(user, Action.VIEW).filter(pk=assigned_unit.pk).exists()
        ):
            raise ValidationError(
                {"assigned_unit": _("%(unit)s is not a unit in your region.") % {"unit": assigned_unit}}
            )
    problem = Problem(
        region=region,
        project=project,
        source=_source_for(user, source_item),
        source_item=source_item,
        raised_by=user,
        raised_by_org=getattr(user, "organization", None),
        raised_on=_as_date(raised_on, "raised_on") if raised_on else timezone.localdate(),
        category=category,
        description=description,
        assigned_unit=assigned_unit,
        deadline=_as_date(deadline, "deadline") if deadline else None,
    )
    problem.full_clean()
    problem.save()
    notify(
        [*office_users(region), *unit_users([problem.assigned_unit_id])],
        kind=NotificationKind.PROBLEM,
        key=f"problem:{problem.pk}:raised",
        title=_("New problem (%(category)s): %(project)s") % {"category": category, "project": project or region},
        body=description,
        url=_problem_url(problem),
    )
    return problem


@transaction.atomic
def problem_assign(*, user, problem: Problem, unit: Organization, deadline) -> Problem:
    """The office routes the problem to the unit that can solve it, with a deadline."""
    fresh = _locked(Problem, problem)
    if not is_office(user, fresh):
        _deny(_("Only the project office routes a problem to a unit."))
    if fresh.state not in PROBLEM_ACTIVE_STATES:
        raise _wrong_state(_("Only an unsolved problem can be routed; this one is %(state)s."), fresh)
    _check_unit(unit, "unit")
    if user is not None and not Organization.objects.restrict(user, Action.VIEW).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("%(unit)s is not a unit in your region.") % {"unit": unit}})
    fresh.assigned_unit = unit
    fresh.deadline = _as_date(deadline, "deadline")
    if fresh.deadline < fresh.raised_on:
        raise ValidationError({"deadline": _("The deadline cannot be before the problem was raised.")})
    fresh.save()
    notify(
        unit_users([unit.pk]),
        kind=NotificationKind.PROBLEM,
        key=f"problem:{fresh.pk}:assigned:{unit.pk}:{fresh.deadline}",
        title=_("Problem for %(unit)s to solve by %(deadline)s") % {"unit": unit, "deadline": fresh.deadline},
        body=fresh.description,
        url=_problem_url(fresh),
    )
    return _sync(problem, fresh)


@transaction.atomic
def problem_start(*, user, problem: Problem) -> Problem:
    """The assigned unit starts work: open or reopened → in progress."""
    fresh = _locked(Problem, problem)
    if not problem_may_work(user, fresh):
        _deny(_("Only the unit the problem is assigned to, or the project office, may work on it."))
    if fresh.state not in (ProblemState.OPEN, ProblemState.REOPENED):
        raise _wrong_state(_("Only an open or reopened problem can be started; this one is %(state)s."), fresh)
    if fresh.assigned_unit_id is None:
        raise ValidationError({"assigned_unit": _("Route the problem to a unit first.")})
    fresh.state = ProblemState.IN_PROGRESS
    fresh.save()
    return _sync(problem, fresh)


@transaction.atomic
def problem_solve(*, user, problem: Problem, solution: str, today: datetime.date | None = None) -> Problem:
    """The assigned unit reports how it was solved: → solved, waiting for whoever raised it to confirm."""
    fresh = _locked(Problem, problem)
    if not problem_may_work(user, fresh):
        _deny(_("Only the unit the problem is assigned to, or the project office, may work on it."))
    if fresh.state not in PROBLEM_ACTIVE_STATES:
        raise _wrong_state(_("Only an unsolved problem can be marked solved; this one is %(state)s."), fresh)
    fresh.solution = _required(solution, "solution", _("Say how the problem was solved."))
    fresh.state = ProblemState.SOLVED
    fresh.solved_on = today or timezone.localdate()
    fresh.save()
    notify(
        [fresh.raised_by, *unit_users([fresh.raised_by_org_id])],
        kind=NotificationKind.PROBLEM,
        key=f"problem:{fresh.pk}:solved:{fresh.reopen_count}",
        title=_("Your problem is reported solved: please confirm"),
        body=fresh.solution,
        url=_problem_url(fresh),
    )
    return _sync(problem, fresh)


def _check_rating(rating) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate the solution from 1 to 5.")})
    return rating


@transaction.atomic
def problem_confirm(
    *, user, problem: Problem, rating: int | None = None, comment: str = "", today: datetime.date | None = None
) -> Problem:
    """Whoever raised the problem confirms the solution (销号): solved → confirmed, optionally rating it 1–5."""
    fresh = _locked(Problem, problem)
    if not problem_is_raiser(user, fresh):
        _deny(_("Only whoever raised this problem may confirm it is solved."))
    if fresh.state != ProblemState.SOLVED:
        raise _wrong_state(_("Only a solved problem can be confirmed; this one is %(state)s."), fresh)
    if rating is not None:
        fresh.rating = _check_rating(rating)
        fresh.rating_comment = (comment or "").strip()
    fresh.state = ProblemState.CONFIRMED
    fresh.confirmed_on = today or timezone.localdate()
    fresh.save()
    return _sync(problem, fresh)


@transaction.atomic
def problem_reopen(*, user, problem: Problem, reason: str) -> Problem:
    """Whoever raised it is not satisfied: solved → reopened, with the reason."""
    fresh = _locked(Problem, problem)
    if not problem_is_raiser(user, fresh):
        _deny(_("Only whoever raised this problem may reopen it."))
    if fresh.state != ProblemState.SOLVED:
        raise _wrong_state(_("Only a solved problem can be reopened; this one is %(state)s."), fresh)
    fresh.reopen_reason = _required(reason, "reason", _("Give the reason for reopening."))
    fresh.state = ProblemState.REOPENED
    fresh.solved_on = None
    fresh.reopen_count += 1
    fresh.save()
    notify(
        unit_users([fresh.assigned_unit_id]),
        kind=NotificationKind.PROBLEM,
        key=f"problem:{fresh.pk}:reopened:{fresh.reopen_count}",
        title=_("Problem reopened: %(problem)s") % {"problem": fresh},
        body=fresh.reopen_reason,
        url=_problem_url(fresh),
    )
    return _sync(problem, fresh)


@transaction.atomic
def problem_rate(*, user, problem: Problem, rating: int, comment: str = "") -> Problem:
    """Whoever raised a confirmed problem rates its solution 1–5 (may change the rating later)."""
    fresh = _locked(Problem, problem)
    if not problem_is_raiser(user, fresh):
        _deny(_("Only whoever raised this problem may rate its solution."))
    if fresh.state != ProblemState.CONFIRMED:
        raise _wrong_state(_("Only a confirmed problem can be rated; this one is %(state)s."), fresh)
    fresh.rating = _check_rating(rating)
    fresh.rating_comment = (comment or "").strip()
    fresh.save()
    return _sync(problem, fresh)


@transaction.atomic
def problem_escalate(*, user, problem: Problem, note: str, today: datetime.date | None = None) -> Problem:
    """The zone cannot solve it: one level up (区级 → 市级 → 省级), with the reason."""
    fresh = _locked(Problem, problem)
    if not is_office(user, fresh):
        _deny(_("Only the project office escalates a problem."))
    if fresh.state not in PROBLEM_ACTIVE_STATES:
        raise _wrong_state(_("Only an unsolved problem can be escalated; this one is %(state)s."), fresh)
    i = LEVEL_ORDER.index(fresh.level)
    if i + 1 >= len(LEVEL_ORDER):
        raise ValidationError({"level": _("The problem is at province level already: it cannot go higher.")})
    fresh.escalation_note = _required(note, "note", _("Say why the zone cannot solve it."))
    fresh.level = LEVEL_ORDER[i + 1]
    fresh.escalated_on = today or timezone.localdate()
    fresh.save()
    return _sync(problem, fresh)
