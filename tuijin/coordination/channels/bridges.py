"""Hooks that route other apps' alerts into the inbox (and so to email and the group robots).

Neither investment nor schedule calls these yet; the daily job calls them after its own run:

    from tuijin.coordination.channels import route_report_reminders, route_schedule_warnings
    investment.services.reminders_refresh(as_of=today)
    route_report_reminders()
    route_schedule_warnings(schedule.selectors.zone_warnings(Project.objects.all(), as_of=today))

`tuijin send-notifications --bridges` does exactly that before sending. Each alert is keyed, so running them
again writes nothing new.
"""

from __future__ import annotations

import datetime
import hashlib

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.accounts.models import Organization

from ..choices import NotificationKind
from ..notifications import notify, office_users


def _project_url(pk: int) -> str:
    try:
        return reverse("projects:project_detail", args=[pk])
    except NoReverseMatch:
        return ""


def route_report_reminders(reminders=None) -> int:
    """Tell each enterprise about the monthly reports it owes (open `ReportReminder`s), once per reminder;
    returns how many messages were new."""
    from tuijin.investment.models import ReportReminder

    if reminders is None:
        reminders = ReportReminder.objects.filter(resolved_at__isnull=True)
    reminders = reminders.select_related("project")
    by_enterprise: dict[int, list] = {}
    for r in reminders:
        if r.project.enterprise_id:
            by_enterprise.setdefault(r.project.enterprise_id, []).append(r)
    users = get_user_model().objects.filter(organization_id__in=by_enterprise, is_active=True)
    users_by_org: dict[int, list] = {}
    for u in users:
        users_by_org.setdefault(u.organization_id, []).append(u)
    new = 0
    for org_id, rows in by_enterprise.items():
        for r in rows:
            args = {"project": r.project.name, "year": r.year, "month": r.month, "due": r.due_on}
            if r.kind == "returned":
                title = _("Monthly report %(year)s-%(month)02d of %(project)s was returned: please correct it") % args
            else:
                title = _("Monthly report %(year)s-%(month)02d of %(project)s is missing (due %(due)s)") % args
            new += notify(
                users_by_org.get(org_id, []),
                kind=NotificationKind.REPORT,
                key=f"report:{r.pk}:{r.kind}:{r.created:%Y%m%d}",
                title=title,
                url=_project_url(r.project_id),
            )
    return new


def route_schedule_warnings(payload: dict, *, as_of: datetime.date | None = None) -> int:
    """Tell the project office of each project's region, and the node's responsible unit, about every red node
    in a `schedule.selectors.zone_warnings` payload — once per project and node; returns how many were new."""
    from tuijin.projects.models import Project

    reds = [i for i in payload.get("items", []) if i.get("level") == "red"]
    if not reds:
        return 0
    as_of = as_of or timezone.localdate()
    projects = {
        p.pk: p for p in Project.objects.filter(pk__in={i["project_id"] for i in reds}).select_related("region")
    }
    units = {
        o.name: o.pk
        for o in Organization.objects.filter(
            name__in={i["responsible_unit"] for i in reds if i.get("responsible_unit")}
        )
    }
    unit_users: dict[int, list] = {}
    for u in get_user_model().objects.filter(organization_id__in=units.values(), is_active=True):
        unit_users.setdefault(u.organization_id, []).append(u)
    office: dict[int, list] = {}
    new = 0
    for i in reds:
        project = projects.get(i["project_id"])
        if project is None:
            continue
        if project.region_id not in office:
            office[project.region_id] = list(office_users(project.region))
        recipients = office[project.region_id] + unit_users.get(units.get(i.get("responsible_unit") or ""), [])
        node = hashlib.sha1(i["node"].encode()).hexdigest()[:12]  # noqa: S324 - a short key, not security
        new += notify(
            recipients,
            kind=NotificationKind.WARNING,
            key=f"red:{project.pk}:{node}",
            title=_("Red warning: %(project)s · %(node)s, %(days)s days late")
            % {"project": project.name, "node": i["node"], "days": i["days_late"]},
            body=_("Latest finish %(date)s (as of %(as_of)s).") % {"date": i.get("latest_finish"), "as_of": as_of},
            url=_project_url(project.pk),
        )
    return new
