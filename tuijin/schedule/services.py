"""Schedule workflows: give a project its checklist, set the target, report progress, edit the network,
freeze a baseline, edit the calendar. Pages, the API and the CLI all call these.

Every write is validated before anything is saved (a bad target or a dependency that would close a cycle
writes nothing), runs in a transaction, and goes through `save()` so the change log records it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.accounts.choices import OrganizationKind, Role
from tuijin.accounts.models import Organization
from tuijin.core.permissions import Action, can
from tuijin.projects.models import Project
from tuijin.regions.models import name_key

from . import cpm
from .calendar import load_calendar
from .models import (
    ENTERPRISE_UNIT,
    Baseline,
    BaselineNode,
    CalendarDay,
    NodeDependency,
    NodeTemplate,
    ProjectNode,
    ScheduleSetting,
    ScheduleTarget,
    TemplateDependency,
)
from .selectors import network, project_schedule

_UNSET = object()
NODE_FIELDS = (
    "name",
    "order",
    "duration",
    "calendar",
    "responsible_unit",
    "responsible_person",
    "planned_start",
    "planned_finish",
    "note",
    "milestone",
)


def _require(user, action: str, obj) -> None:
    if user is not None and not can(user, action, obj):
        raise PermissionDenied


def may_report(user, node: ProjectNode) -> bool:
    """Progress on a node may be reported by the office (who may change the project), by the node's
    responsible department, and by the project's own enterprise — each only inside their scope."""
    if user is None:
        return True
    if can(user, Action.CHANGE, node.project):
        return True
    if not can(user, Action.VIEW, node):
        return False
    if user.role == Role.DEPARTMENT:
        return node.responsible_unit_id is not None and node.responsible_unit_id == user.organization_id
    if user.role == Role.ENTERPRISE:
        return node.project.enterprise_id == user.organization_id
    return False


def reportable_node_ids(user, project: Project, nodes) -> set[int]:
    """The ids among `nodes` (of `project`) that `user` may report progress on: the rule of `may_report`,
    decided for a whole checklist with at most two queries instead of two per node."""
    if user is None or can(user, Action.CHANGE, project):
        return {n.pk for n in nodes}
    if not can(user, Action.VIEW, project) or not can(user, Action.VIEW, ProjectNode):
        return set()
    if user.role == Role.DEPARTMENT and user.organization_id:
        return {n.pk for n in nodes if n.responsible_unit_id == user.organization_id}
    if user.role == Role.ENTERPRISE and user.organization_id and project.enterprise_id == user.organization_id:
        return {n.pk for n in nodes}
    return set()


def resolve_unit(project: Project, department: str) -> Organization | None:
    """The organisation a template's department name means for this project: 建设单位 is the project's
    enterprise; otherwise a department of the project's region or an ancestor, matched by name or by the
    end of its name (发展改革局 matches 经开区发展改革局). The nearest region wins; ambiguity gives none."""
    if not department:
        return None
    if department == ENTERPRISE_UNIT:
        return project.enterprise
    key = name_key(department)
    path = project.region.path
    candidates = [
        o
        for o in Organization.objects.filter(kind=OrganizationKind.DEPARTMENT, name_key__endswith=key).select_related(
            "region"
        )
        if path.startswith(o.region.path)
    ]
    if not candidates:
        return None
    exact = [o for o in candidates if o.name_key == key]
    pool = exact or candidates
    deepest = max(len(o.region.path) for o in pool)
    pool = [o for o in pool if len(o.region.path) == deepest]
    return pool[0] if len(pool) == 1 else None


def default_template() -> NodeTemplate:
    template = NodeTemplate.objects.filter(is_default=True).first()
    if template is None:
        raise ValidationError(_("There is no default node template."))
    return template


@transaction.atomic
def checklist_create(*, project: Project, template: NodeTemplate | None = None, user=None) -> list[ProjectNode]:
    """Give `project` its checklist (一个清单): the template's nodes and links, departments resolved."""
    _require(user, Action.CHANGE, project)
    if ProjectNode.objects.filter(project=project).exists():
        raise ValidationError(_("This project already has a checklist."))
    template = template or default_template()
    tnodes = list(template.nodes.order_by("order", "id"))
    units: dict[str, Organization | None] = {}
    made: dict[int, ProjectNode] = {}
    for tn in tnodes:
        if tn.department not in units:
            units[tn.department] = resolve_unit(project, tn.department)
        node = ProjectNode(
            project=project,
            name=tn.name,
            order=tn.order,
            duration=tn.duration,
            calendar=tn.calendar,
            responsible_unit=units[tn.department],
            milestone=tn.milestone,
        )
        node.full_clean()
        node.save()
        made[tn.pk] = node
    for link in TemplateDependency.objects.filter(successor__template=template).order_by("id"):
        NodeDependency(
            predecessor=made[link.predecessor_id], successor=made[link.successor_id], type=link.type, lag=link.lag
        ).save()
    return [made[tn.pk] for tn in tnodes]


def _today() -> datetime.date:
    return timezone.localdate()


@transaction.atomic
def target_set(
    *,
    project: Project,
    node: str,
    date: datetime.date,
    kind: str = cpm.FINISH_NO_LATER_THAN,
    as_of: datetime.date | None = None,
    user=None,
) -> cpm.Schedule:
    """Set the project's target (倒排工期 works back from it) and return the new schedule.

    Refused, writing nothing, when the node does not exist, the date is before today (for a node not yet
    finished), or the network cannot be scheduled (a cycle, a missing duration)."""
    _require(user, Action.CHANGE, project)
    as_of = as_of or _today()
    if kind not in (cpm.FINISH_NO_LATER_THAN, cpm.MUST_FINISH_ON):
        raise ValidationError({"kind": _("Unknown target kind: %(kind)s.") % {"kind": kind}})
    _rows, nodes, links, _targets = network(project)
    target = cpm.Target(node, date, kind)
    cpm.check_targets(nodes, [target], as_of)
    result = cpm.schedule(nodes, links, [target], as_of=as_of, calendar=load_calendar())
    row = ScheduleTarget.objects.filter(project=project).first() or ScheduleTarget(project=project)
    row.node = ProjectNode.objects.get(project=project, name=node)
    row.date, row.kind = date, kind
    row.full_clean()
    row.save()
    return result


@transaction.atomic
def target_clear(*, project: Project, user=None) -> None:
    _require(user, Action.CHANGE, project)
    for row in ScheduleTarget.objects.filter(project=project):
        row.delete()


@transaction.atomic
def node_report(
    *,
    node: ProjectNode,
    actual_start=_UNSET,
    actual_finish=_UNSET,
    note: str | None = None,
    evidence=None,
    as_of: datetime.date | None = None,
    user=None,
) -> ProjectNode:
    """Report progress on a node (actual start/finish, a note, evidence). A milestone node's finish is
    written to the project's milestone date (through `Project.save()`, so the ledger's change log shows it)."""
    if not may_report(user, node):
        raise PermissionDenied
    as_of = as_of or _today()
    start = node.actual_start if actual_start is _UNSET else actual_start
    finish = node.finished_on if actual_finish is _UNSET else actual_finish
    errors = {}
    for field, value in (("actual_start", start), ("actual_finish", finish)):
        if value is not None and value > as_of:
            errors[field] = _("%(date)s is in the future: report what has happened.") % {"date": value}
    if start is not None and finish is not None and finish < start:
        errors["actual_finish"] = _("The actual finish cannot be before the actual start.")
    if errors:
        raise ValidationError(errors)
    node.actual_start = start
    if note is not None:
        node.note = note
    if evidence is not None:
        node.evidence = evidence
    if node.milestone:
        project = node.project
        if getattr(project, node.milestone) != finish:
            setattr(project, node.milestone, finish)
            project.full_clean()
            project.save()
        node.actual_finish = None
    else:
        node.actual_finish = finish
    node.full_clean()
    node.save()
    return node


def _check_network(
    project: Project,
    *,
    drop_node: int | None = None,
    extra_links=(),
    drop_link: int | None = None,
    changed: ProjectNode | None = None,
) -> None:
    """Raise ScheduleError when the edited network could not be scheduled (cycles only: missing durations
    are allowed while the office is still filling in the checklist, and reported when scheduling)."""
    nodes = ProjectNode.objects.filter(project=project)
    names = {n.pk: n.name for n in nodes}
    if changed is not None:
        names[changed.pk] = changed.name
    if drop_node is not None:
        names.pop(drop_node, None)
    links = [
        (p, s, t, lag)
        for pk, p, s, t, lag in NodeDependency.objects.filter(successor__project=project).values_list(
            "pk", "predecessor_id", "successor_id", "type", "lag"
        )
        if pk != drop_link
    ]
    links += list(extra_links)
    engine_nodes = [cpm.Node(name, 1) for name in names.values()]
    engine_links = [cpm.Link(names[p], names[s], t, lag) for p, s, t, lag in links if p in names and s in names]
    cpm.schedule(engine_nodes, engine_links, (), as_of=_today(), calendar=load_calendar())


@transaction.atomic
def node_add(
    *,
    project: Project,
    name: str,
    duration: int | None,
    calendar: str = cpm.WORK,
    predecessors: list[tuple[str, str, int]] = (),
    user=None,
    **fields,
) -> ProjectNode:
    """Add a node to a project's checklist, after the named predecessors (name, FS|SS, lag)."""
    _require(user, Action.CHANGE, project)
    unknown = set(fields) - set(NODE_FIELDS)
    if unknown:
        raise TypeError(f"unknown node fields: {sorted(unknown)}")
    if "order" not in fields:
        last = ProjectNode.objects.filter(project=project).order_by("-order").values_list("order", flat=True).first()
        fields["order"] = (last or 0) + 1
    node = ProjectNode(project=project, name=name, duration=duration, calendar=calendar, **fields)
    node.full_clean()
    node.save()
    by_name = {n.name: n for n in ProjectNode.objects.filter(project=project)}
    for pred, typ, lag in predecessors:
        if pred not in by_name:
            raise ValidationError(_("No node named %(node)s in this checklist.") % {"node": pred})
        link = NodeDependency(predecessor=by_name[pred], successor=node, type=typ, lag=lag)
        link.full_clean()
        link.save()
    return node


@transaction.atomic
def node_change(*, node: ProjectNode, user=None, **fields) -> ProjectNode:
    """Change a node of the checklist (duration, calendar, responsible unit or person, plan, …)."""
    _require(user, Action.CHANGE, node.project)
    unknown = set(fields) - set(NODE_FIELDS)
    if unknown:
        raise TypeError(f"unknown node fields: {sorted(unknown)}")
    for k, v in fields.items():
        setattr(node, k, v)
    if node.milestone:
        node.actual_finish = None
    node.full_clean()
    node.save()
    return node


@transaction.atomic
def node_delete(*, node: ProjectNode, user=None) -> None:
    """Remove a node; its links go with it. A node a target is set on cannot be removed."""
    _require(user, Action.CHANGE, node.project)
    if ScheduleTarget.objects.filter(node=node).exists():
        raise ValidationError(_("The target is set on %(node)s: move the target first.") % {"node": node.name})
    for link in NodeDependency.objects.filter(predecessor=node) | NodeDependency.objects.filter(successor=node):
        link.delete()
    node.delete()


@transaction.atomic
def dependency_set(
    *, predecessor: ProjectNode, successor: ProjectNode, type: str = cpm.FS, lag: int = 0, user=None
) -> NodeDependency:
    """Link two nodes (or change the link's type and lag). Refused, writing nothing, if it closes a cycle."""
    _require(user, Action.CHANGE, successor.project)
    link = NodeDependency.objects.filter(predecessor=predecessor, successor=successor).first() or NodeDependency(
        predecessor=predecessor, successor=successor
    )
    link.type, link.lag = type, lag
    link.full_clean()
    _check_network(successor.project, drop_link=link.pk, extra_links=[(predecessor.pk, successor.pk, type, lag)])
    link.save()
    return link


@transaction.atomic
def dependency_delete(*, link: NodeDependency, user=None) -> None:
    _require(user, Action.CHANGE, link.successor.project)
    link.delete()


@transaction.atomic
def baseline_create(*, project: Project, name: str, as_of: datetime.date | None = None, user=None) -> Baseline:
    """Freeze the current schedule as a named baseline: each node's start and finish (actual when known,
    else earliest) and its latest finish."""
    _require(user, Action.CHANGE, project)
    as_of = as_of or _today()
    _rows, result = project_schedule(project, as_of=as_of)
    baseline = Baseline(project=project, name=name, as_of=as_of)
    baseline.full_clean()
    baseline.save()
    BaselineNode.objects.bulk_create(
        BaselineNode(
            baseline=baseline,
            name=n.name,
            start=n.actual_start or n.earliest_start,
            finish=n.actual_finish or n.earliest_finish,
            latest_finish=n.latest_finish,
        )
        for n in result.nodes
    )
    return baseline


def baseline_slippage(baseline: Baseline, result: cpm.Schedule) -> list[dict]:
    """Per node: baseline finish, current finish (actual or forecast) and the slip in calendar days."""
    base = {b.name: b for b in baseline.nodes.all()}
    rows = []
    for n in result.nodes:
        b = base.get(n.name)
        current = n.actual_finish or n.earliest_finish
        slip = (current - b.finish).days if b and b.finish and current else None
        rows.append({"node": n.name, "baseline_finish": b.finish if b else None, "finish": current, "slip": slip})
    return rows


@transaction.atomic
def calendar_year_set(*, year: int, days: list[tuple[datetime.date, bool, str]], user=None) -> None:
    """Replace one year's listed days (holidays off, adjusted weekends on) with `days`."""
    _require(user, Action.CHANGE, CalendarDay)
    wanted = {}
    for day, work, name in days:
        if day.year != year:
            raise ValidationError(_("%(date)s is not in %(year)s.") % {"date": day, "year": year})
        wanted[day] = (bool(work), name)
    for row in CalendarDay.objects.filter(date__year=year):
        if row.date not in wanted:
            row.delete()
    existing = {r.date: r for r in CalendarDay.objects.filter(date__year=year)}
    for day, (work, name) in sorted(wanted.items()):
        row = existing.get(day) or CalendarDay(date=day)
        row.is_workday, row.name = work, name
        row.full_clean(validate_unique=row.pk is None)
        row.save()


@transaction.atomic
def setting_set(*, region, yellow_float_days: int, yellow_due_days: int, user=None) -> ScheduleSetting:
    """Set a zone's warning thresholds."""
    row = ScheduleSetting.objects.filter(region=region).first() or ScheduleSetting(region=region)
    row.yellow_float_days, row.yellow_due_days = yellow_float_days, yellow_due_days
    row.full_clean()
    row.save()
    _require(user, Action.CHANGE, row)  # inside the transaction: out of scope rolls back
    return row
