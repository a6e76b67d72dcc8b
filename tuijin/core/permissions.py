"""Row-level access, in one place.

Every page, API endpoint, export and statistic reads through `Model.objects.restrict(user, action)`.
What a role may do to a model is `POLICY`; which rows a user's scope covers is decided by the model's
`scope` (how to reach the region path and the enterprise from a row).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

from tuijin.accounts.choices import Role


class Action:
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    ALL = frozenset({VIEW, ADD, CHANGE, DELETE})


READ_ONLY = frozenset({Action.VIEW})

# model label -> role -> actions. A model missing here gets DEFAULT_POLICY.
DEFAULT_POLICY: dict[str, frozenset[str]] = {
    Role.ADMIN: Action.ALL,
    Role.LEADER: READ_ONLY,
    Role.DEPARTMENT: READ_ONLY,
    Role.ENTERPRISE: READ_ONLY,
    Role.VIEWER: READ_ONLY,
}
POLICY: dict[str, dict[str, frozenset[str]]] = {
    "core.changerecord": {Role.ADMIN: READ_ONLY, Role.LEADER: READ_ONLY, Role.VIEWER: frozenset()},
    "accounts.user": {Role.ADMIN: Action.ALL},
    "core.job": {Role.ADMIN: Action.ALL},
    # coordination: the office runs it; leaders add instructions and problems; a department works on its unit's
    # tasks and problems (which rows: Scope.units); an enterprise raises, confirms and rates its own problems.
    # Who may take which step of a workflow is decided in coordination/services.py.
    "coordination.task": {
        Role.ADMIN: Action.ALL,
        Role.LEADER: frozenset({Action.VIEW, Action.ADD, Action.CHANGE}),
        Role.DEPARTMENT: frozenset({Action.VIEW, Action.CHANGE}),
        Role.VIEWER: READ_ONLY,
    },
    "coordination.problem": {
        Role.ADMIN: Action.ALL,
        Role.LEADER: frozenset({Action.VIEW, Action.ADD, Action.CHANGE}),
        Role.DEPARTMENT: frozenset({Action.VIEW, Action.ADD, Action.CHANGE}),
        Role.ENTERPRISE: frozenset({Action.VIEW, Action.ADD, Action.CHANGE}),
        Role.VIEWER: READ_ONLY,
    },
    "coordination.supervisionletter": {
        Role.ADMIN: Action.ALL,
        Role.LEADER: READ_ONLY,
        Role.DEPARTMENT: frozenset({Action.VIEW, Action.CHANGE}),  # records its reply
        Role.VIEWER: READ_ONLY,
    },
    # briefings: the office writes, leaders read; departments, enterprises and viewers see none (they get the
    # published paper through the office).
    "briefing.briefing": {Role.ADMIN: Action.ALL, Role.LEADER: READ_ONLY},
    "briefing.briefingtemplate": {Role.ADMIN: Action.ALL, Role.LEADER: READ_ONLY},
}


@dataclass(frozen=True)
class Scope:
    """How a model's rows reach a region path and an enterprise (lookups; None = not scoped that way).

    `enterprise_only`: enterprise users see no rows of this model at all when it has no enterprise lookup.
    """

    region_path: str | None = None
    enterprise: str | None = None
    enterprise_only: bool = False
    blank_path_is_global: bool = False  # rows with an empty region path belong to everyone (e.g. periods)
    # Department users see only the rows one of these lookups ties to their own unit (a task it leads or
    # cooperates on, a problem assigned to it). Empty: departments see their whole region, as before.
    units: tuple[str, ...] = ()


def role_actions(user, model) -> frozenset[str]:
    policy = POLICY.get(model._meta.label_lower, DEFAULT_POLICY)
    return policy.get(user.role, frozenset())


def scope_q(user, model, action: str) -> Q | None:
    """The filter for the rows `user` may `action` on `model`, or None when none at all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Q()
    if action not in role_actions(user, model):
        return None
    scope: Scope = getattr(model, "scope", Scope())
    q = Q()
    if scope.region_path:
        if user.region_id is None:
            return None
        in_region = Q(**{f"{scope.region_path}__startswith": user.region.path})
        if scope.blank_path_is_global:
            in_region |= Q(**{scope.region_path: ""})
        q &= in_region
    if user.role == Role.DEPARTMENT and scope.units:
        if user.organization_id is None:
            return None
        # A subquery, not a join: a lookup across a many-relation (cooperating units) would repeat rows.
        mine = Q()
        for lookup in scope.units:
            mine |= Q(**{lookup: user.organization_id})
        q &= Q(pk__in=model._default_manager.filter(mine).values("pk"))
    if user.role == Role.ENTERPRISE:
        if scope.enterprise:
            if user.organization_id is None:
                return None
            q &= Q(**{scope.enterprise: user.organization_id})
        elif scope.enterprise_only:
            return None
    return q


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = Action.VIEW):
        q = scope_q(user, self.model, action)
        if q is None:
            return self.none()
        return self.filter(q) if q else self


def can(user, action: str, obj_or_model) -> bool:
    """May `user` do `action` on this object (or, given a model class, on some object of it)?"""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    q = scope_q(user, model, action)
    if q is None:
        return False
    if isinstance(obj_or_model, type) or obj_or_model.pk is None:
        return True
    return model._default_manager.filter(q, pk=obj_or_model.pk).exists()
