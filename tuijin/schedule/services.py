"""Schedule workflows: give a project its checklist, set the target, report progress, edit the network,
freeze a baseline, edit the calendar. Pages, the API and the CLI all call these.

Every write is validated before anything is saved (a bad target or a dependency that would close a cycle
writes nothing), runs in a transaction, and goes through `save()` so the change log records it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.accounts.choices import OrganizationKind, Role
from tuijin.accounts.models import Organization
from tuijin.core.models import ChangeLoggedModel
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
    CalendarYear,
    NodeDependency,
    NodeTemplate,
    ProjectNode,
    ScheduleSetting,
    ScheduleTarget,
    TemplateDependency,
    TemplateNode,
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
def checklist_create(
    *,
    project: Project,
    template: NodeTemplate | None = None,
    overrides: dict[str, dict] | None = None,
    user=None,
) -> list[ProjectNode]:
    """Give `project` its checklist (一个清单): the template's nodes and links, departments resolved.

    `overrides` maps a node name to values that replace the template's for that node (`responsible_unit`,
    `responsible_person`), e.g. where the zone calls a department by another name."""
    _require(user, Action.CHANGE, project)
    if ProjectNode.objects.filter(project=project).exists():
        raise ValidationError(_("This project already has a checklist."))
    template = template or default_template()
    tnodes = list(template.nodes.order_by("order", "id"))
    units: dict[str, Organization | None] = {}
    made: dict[int, ProjectNode] = {}
    overrides = overrides or {}
    unknown = set(overrides) - {tn.name for tn in tnodes}
    if unknown:
        raise ValidationError(_("No node named %(node)s in this checklist.") % {"node": "、".join(sorted(unknown))})
    for tn in tnodes:
        extra = overrides.get(tn.name, {})
        if "responsible_unit" not in extra and tn.department not in units:
            units[tn.department] = resolve_unit(project, tn.department)
        values = {"responsible_unit": units.get(tn.department), "responsible_person": ""}
        if set(extra) - set(values):
            raise TypeError(f"unknown node fields: {sorted(set(extra) - set(values))}")
        values.update(extra)
        node = ProjectNode(
            project=project,
            name=tn.name,
            order=tn.order,
            duration=tn.duration,
            calendar=tn.calendar,
            milestone=tn.milestone,
            **values,
        )
        # The project and the units were just read from the database, and the template's own constraints
        # make its node names and milestones unique in a checklist that was empty: asking the database
        # again for each node would only triple the time a zone's checklists take (the database still
        # enforces every constraint).
        node.full_clean(exclude={"project", "responsible_unit"}, validate_constraints=False)
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
    # A report touches only the node's dates, note and evidence: its project and unit are as they were loaded.
    node.full_clean(exclude={"project", "responsible_unit"})
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


# --- node templates (the office's reference data) -----------------------------------------------------------


@dataclass
class TemplateNodeSpec:
    """One node of a template as the office edits it. `id` is the existing node's (None for a new one);
    `predecessors` are (name, FS|SS, lag) of nodes of the same template."""

    name: str
    duration: int | None
    calendar: str = cpm.WORK
    department: str = ""
    milestone: str = ""
    predecessors: list[tuple[str, str, int]] = dataclass_field(default_factory=list)
    id: int | None = None


def _template_errors(nodes: list[TemplateNodeSpec]) -> list[str]:
    """Everything wrong with a template's nodes, each error naming the nodes (empty when it can be saved)."""
    errors: list[str] = []
    if not nodes:
        return [_("A template needs at least one node.")]
    names: set[str] = set()
    milestones: dict[str, str] = {}
    for n in nodes:
        if n.name in names:
            errors.append(_("Two nodes are named %(node)s.") % {"node": n.name})
        names.add(n.name)
        if n.duration is None:
            errors.append(_("These nodes have no duration: %(nodes)s.") % {"nodes": n.name})
        if n.milestone:
            if n.milestone in milestones:
                errors.append(
                    _("%(a)s and %(b)s both stand for the same ledger milestone.")
                    % {"a": milestones[n.milestone], "b": n.name}
                )
            milestones[n.milestone] = n.name
    for n in nodes:
        seen: set[str] = set()
        for pred, typ, lag in n.predecessors:
            if pred == n.name:
                errors.append(_("A node cannot depend on itself: %(node)s.") % {"node": n.name})
            elif pred not in names:
                errors.append(
                    _("The predecessor “%(pred)s” of “%(node)s” is not a node of this template.")
                    % {"pred": pred, "node": n.name}
                )
            elif pred in seen:
                errors.append(_("“%(pred)s” is listed twice before “%(node)s”.") % {"pred": pred, "node": n.name})
            if typ not in (cpm.FS, cpm.SS):
                errors.append(_("Unknown link type %(type)s before “%(node)s”.") % {"type": typ, "node": n.name})
            if lag < 0:
                errors.append(_("A lag cannot be negative (before “%(node)s”).") % {"node": n.name})
            seen.add(pred)
    if not errors:  # a cycle, named, from the engine's own check
        try:
            cpm.schedule(
                [cpm.Node(n.name, 1) for n in nodes],
                [cpm.Link(p, n.name, t, lag) for n in nodes for p, t, lag in n.predecessors],
                as_of=_today(),
                calendar=load_calendar(),
            )
        except cpm.ScheduleError as exc:
            errors.append(exc.message)
    return errors


@transaction.atomic
def template_create(
    *, name: str, description: str = "", copy_from: NodeTemplate | None = None, user=None
) -> NodeTemplate:
    """A new template, empty or a copy of `copy_from` (its nodes, departments and links)."""
    _require(user, Action.ADD, NodeTemplate)
    template = NodeTemplate(name=name.strip(), description=description)
    template.full_clean()
    template.save()
    if copy_from is not None:
        made = {}
        for tn in copy_from.nodes.order_by("order", "id"):
            made[tn.pk] = TemplateNode(
                template=template,
                name=tn.name,
                order=tn.order,
                duration=tn.duration,
                calendar=tn.calendar,
                department=tn.department,
                milestone=tn.milestone,
            )
            made[tn.pk].save()
        for link in TemplateDependency.objects.filter(successor__template=copy_from).order_by("id"):
            TemplateDependency(
                predecessor=made[link.predecessor_id], successor=made[link.successor_id], type=link.type, lag=link.lag
            ).save()
    return template


@transaction.atomic
def template_save(
    *,
    template: NodeTemplate,
    nodes: list[TemplateNodeSpec],
    name: str | None = None,
    description: str | None = None,
    is_default: bool | None = None,
    user=None,
) -> NodeTemplate:
    """Save a template's nodes as listed (in this order), their links and the template's own fields.

    Every problem is reported at once — a name used twice, a missing duration, an unknown predecessor, a
    dependency cycle, each naming its nodes — and then nothing is written. Existing projects keep their
    checklists: a template is copied into a project when its checklist is created."""
    _require(user, Action.CHANGE, template)
    errors = _template_errors(nodes)
    existing = {n.pk: n for n in template.nodes.all()}
    unknown_ids = [n.id for n in nodes if n.id is not None and n.id not in existing]
    if unknown_ids:
        errors.append(_("A node was removed meanwhile: reload the page."))
    if name is not None:
        template.name = name.strip()
    if description is not None:
        template.description = description
    if is_default is not None:
        template.is_default = is_default
    if not template.is_default and not NodeTemplate.objects.filter(is_default=True).exclude(pk=template.pk).exists():
        errors.append(_("Another template must be the default before this one stops being it."))
    try:
        template.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    if template.is_default:
        for other in NodeTemplate.objects.filter(is_default=True).exclude(pk=template.pk):
            other.is_default = False
            other.save()
    template.save()
    kept = {n.id for n in nodes if n.id is not None}
    for pk, tn in existing.items():
        if pk not in kept:
            tn.delete()  # its links go with it, each recorded
    # Renames first go through a free name, so two nodes may swap names without tripping the unique constraint.
    renamed = [n for n in nodes if n.id is not None and existing[n.id].name != n.name]
    for n in renamed:
        tn = existing[n.id]
        tn.name = f"#rename {tn.pk}#"
        # Transient, in this transaction only: the save below records the rename from the loaded (real) name.
        super(ChangeLoggedModel, tn).save(update_fields=["name"])
    by_name: dict[str, TemplateNode] = {}
    for order, n in enumerate(nodes, start=1):
        tn = existing[n.id] if n.id is not None else TemplateNode(template=template)
        tn.name, tn.order, tn.duration, tn.calendar = n.name, order, n.duration, n.calendar
        tn.department, tn.milestone = n.department.strip(), n.milestone
        tn.save()
        by_name[n.name] = tn
    wanted = {(by_name[p].pk, by_name[n.name].pk): (t, lag) for n in nodes for p, t, lag in n.predecessors}
    for link in TemplateDependency.objects.filter(successor__template=template):
        key = (link.predecessor_id, link.successor_id)
        if key not in wanted:
            link.delete()
            continue
        link.type, link.lag = wanted.pop(key)
        link.save()
    for (pred, succ), (typ, lag) in wanted.items():
        TemplateDependency(predecessor_id=pred, successor_id=succ, type=typ, lag=lag).save()
    return template


# --- the working-day calendar ---------------------------------------------------------------------------------


def _weekday_name(day: datetime.date) -> str:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")][
        day.weekday()
    ]


@transaction.atomic
def calendar_day_add(*, day: datetime.date, is_workday: bool, name: str = "", user=None) -> CalendarDay:
    """List one day: a public holiday on a weekday (off) or an adjusted working weekend (调休, worked).
    A day already listed, a holiday on a weekend or a working weekday is refused: it would change nothing."""
    _require(user, Action.ADD, CalendarDay)
    weekend = day.weekday() >= 5
    if CalendarDay.objects.filter(date=day).exists():
        raise ValidationError(_("%(date)s is already listed: remove it first.") % {"date": day.isoformat()})
    if not is_workday and weekend:
        raise ValidationError(
            _("%(date)s is a %(weekday)s: it is off already.")
            % {"date": day.isoformat(), "weekday": _weekday_name(day)}
        )
    if is_workday and not weekend:
        raise ValidationError(
            _("%(date)s is a %(weekday)s: it is a working day already.")
            % {"date": day.isoformat(), "weekday": _weekday_name(day)}
        )
    row = CalendarDay(date=day, is_workday=is_workday, name=name.strip())
    row.full_clean()
    row.save()
    if not CalendarYear.objects.filter(year=day.year).exists():
        CalendarYear(year=day.year).save()
    return row


@transaction.atomic
def calendar_day_remove(*, day: CalendarDay, user=None) -> None:
    """Take a day off the list: it follows the weekend rule again."""
    _require(user, Action.DELETE, day)
    day.delete()


@transaction.atomic
def calendar_year_change(*, year: int, source: str, provisional: bool, user=None) -> CalendarYear:
    """Say where a year's days come from and whether they are provisional (e.g. once the notice is out)."""
    row = CalendarYear.objects.filter(year=year).first() or CalendarYear(year=year)
    _require(user, Action.CHANGE, row)
    row.source, row.provisional = source.strip(), provisional
    row.full_clean()
    row.save()
    return row
