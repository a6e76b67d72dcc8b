"""The daily digest: one message per user and day listing what their unit has due soon and overdue."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from ..choices import PROBLEM_ACTIVE_STATES, TASK_ACTIVE_STATES, NotificationKind
from ..models import Problem, Task
from ..notifications import notify

DAYS_AHEAD = 3


@dataclass
class DigestResult:
    users: int = 0  # users with something due or overdue
    new: int = 0  # digests written now (the others were already in the inbox today)

    def as_dict(self) -> dict:
        return {"users": self.users, "new": self.new}


def _line(item, kind: str, as_of: datetime.date) -> str:
    days = (item.deadline - as_of).days
    if days < 0:
        when = _("%(n)s days overdue") % {"n": -days}
    elif days == 0:
        when = _("due today")
    else:
        when = _("due in %(n)s days") % {"n": days}
    return f"- {kind} #{item.pk} {str(item)[:60]} · {item.deadline:%Y-%m-%d} · {when}"


def digest_for(org_id: int, as_of: datetime.date, days_ahead: int = DAYS_AHEAD) -> list[str]:
    """The lines of a unit's digest: its open tasks (lead or cooperating) and unsolved problems due by
    as_of + days_ahead, overdue first."""
    horizon = as_of + datetime.timedelta(days=days_ahead)
    tasks = (
        Task.objects.filter(state__in=TASK_ACTIVE_STATES, deadline__lte=horizon)
        .filter(Q(lead_unit_id=org_id) | Q(cooperations__organization_id=org_id))
        .distinct()
        .order_by("deadline", "id")
    )
    problems = Problem.objects.filter(
        state__in=PROBLEM_ACTIVE_STATES, assigned_unit_id=org_id, deadline__isnull=False, deadline__lte=horizon
    ).select_related("category")
    items = [(t.deadline, 0, t.pk, _line(t, _("Task"), as_of)) for t in tasks]
    items += [(p.deadline, 1, p.pk, _line(p, _("Problem"), as_of)) for p in problems.order_by("deadline", "id")]
    return [line for *_k, line in sorted(items)]


def send_digests(*, as_of: datetime.date | None = None, days_ahead: int = DAYS_AHEAD, language: str | None = None):
    """Write today's digest into the inbox (and so the channels) of every active user whose unit has tasks or
    problems due within `days_ahead` days or overdue. Keyed `digest:<date>`: running it again the same day
    writes nothing."""
    as_of = as_of or timezone.localdate()
    result = DigestResult()
    users = get_user_model().objects.filter(is_active=True, organization__isnull=False).order_by("pk")
    by_org: dict[int, list[str]] = {}
    with override(language or get_language()):
        for user in users:
            org = user.organization_id
            if org not in by_org:
                by_org[org] = digest_for(org, as_of, days_ahead)
            lines = by_org[org]
            if not lines:
                continue
            result.users += 1
            result.new += notify(
                [user],
                kind=NotificationKind.DIGEST,
                key=f"digest:{as_of.isoformat()}",
                title=_("Daily digest %(date)s: %(n)s items due or overdue") % {"date": as_of, "n": len(lines)},
                body="\n".join(lines),
                url="/coordination/",
            )
    return result
