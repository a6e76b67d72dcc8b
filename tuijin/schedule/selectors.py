"""Reads for schedules: a project's network as engine input, its schedule, the node table, the zone's warnings.

The ledger milestone dates are read from the project here, so a milestone node (签约, 开工, 投产, 达效) and the
project's date are one fact.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from tuijin.projects.models import Project

from . import cpm
from .calendar import WorkCalendar, load_calendar
from .choices import Milestone
from .models import NodeDependency, ProjectNode, ScheduleSetting, ScheduleTarget

MILESTONE_FIELDS = tuple(Milestone.values)


def rules_for(region, settings: Iterable[ScheduleSetting] | None = None) -> cpm.Rules:
    """The warning thresholds of `region`: its own setting, else its nearest ancestor's, else the defaults."""
    if settings is None:
        settings = ScheduleSetting.objects.select_related("region")
    by_path = {s.region.path: s for s in settings}
    return _rules_from(by_path, region.path if region else "")


def _rules_from(by_path: dict[str, ScheduleSetting], path: str) -> cpm.Rules:
    best = None
    for p, setting in by_path.items():
        if path.startswith(p) and (best is None or len(p) > len(best[0])):
            best = (p, setting)
    if best is None:
        return cpm.Rules()
    return cpm.Rules(yellow_float=best[1].yellow_float_days, yellow_due=best[1].yellow_due_days)


def _engine_node(row: dict, project_dates: dict) -> cpm.Node:
    start, finish = row["actual_start"], row["actual_finish"]
    if row["milestone"]:  # the project's milestone date is this node's finish
        finish = project_dates.get(row["milestone"])
        if finish is not None and start is not None and start > finish:
            start = finish
    return cpm.Node(
        name=row["name"],
        duration=row["duration"],
        calendar=row["calendar"],
        actual_start=start,
        actual_finish=finish,
        planned_finish=row["planned_finish"],
    )


_NODE_FIELDS = (
    "id",
    "project_id",
    "name",
    "order",
    "duration",
    "calendar",
    "actual_start",
    "actual_finish",
    "planned_finish",
    "milestone",
    "responsible_unit__name",
    "responsible_person",
)


def network(project: Project) -> tuple[list[dict], list[cpm.Node], list[cpm.Link], list[cpm.Target]]:
    """A project's checklist as rows (for display) and as engine input."""
    rows = list(ProjectNode.objects.filter(project=project).order_by("order", "id").values(*_NODE_FIELDS))
    dates = {f: getattr(project, f) for f in MILESTONE_FIELDS}
    nodes = [_engine_node(r, dates) for r in rows]
    links = [
        cpm.Link(p, s, t, lag)
        for p, s, t, lag in NodeDependency.objects.filter(successor__project=project)
        .order_by("successor__order", "predecessor__order", "id")
        .values_list("predecessor__name", "successor__name", "type", "lag")
    ]
    targets = [
        cpm.Target(name, date, kind)
        for name, date, kind in ScheduleTarget.objects.filter(project=project).values_list("node__name", "date", "kind")
    ]
    return rows, nodes, links, targets


def project_schedule(
    project: Project, *, as_of: datetime.date, calendar: WorkCalendar | None = None, rules: cpm.Rules | None = None
) -> tuple[list[dict], cpm.Schedule]:
    rows, nodes, links, targets = network(project)
    calendar = calendar or load_calendar()
    rules = rules or rules_for(project.region)
    return rows, cpm.schedule(nodes, links, targets, as_of=as_of, calendar=calendar, rules=rules)


def _iso(d: datetime.date | None) -> str | None:
    return d.isoformat() if d else None


def schedule_payload(project: Project, result: cpm.Schedule, rows: list[dict] | None = None) -> dict:
    """The node table (the `tuijin schedule --json` and API contract)."""
    target = result.targets[0] if result.targets else None
    units = {r["name"]: r for r in rows or []}
    nodes = []
    for n in result.nodes:
        row = units.get(n.name, {})
        nodes.append(
            {
                "name": n.name,
                "duration": n.duration,
                "calendar": n.calendar,
                "predecessors": n.predecessors,
                "earliest_start": _iso(n.earliest_start),
                "earliest_finish": _iso(n.earliest_finish),
                "latest_start": _iso(n.latest_start),
                "latest_finish": _iso(n.latest_finish),
                "total_float": n.total_float,
                "actual_start": _iso(n.actual_start),
                "actual_finish": _iso(n.actual_finish),
                "status": n.status,
                "critical": n.critical,
                "days_late": n.days_late,
                "milestone": row.get("milestone") or None,
                "responsible_unit": row.get("responsible_unit__name"),
                "responsible_person": row.get("responsible_person", ""),
            }
        )
    return {
        "project": {"id": project.pk, "code": project.code, "name": project.name},
        "as_of": result.as_of.isoformat(),
        "target": {"node": target.node, "date": target.date.isoformat(), "kind": target.kind} if target else None,
        "feasible": result.feasible,
        "days_short": result.days_short,
        "critical_path": result.critical_path,
        "chain": result.chain,
        "status": result.status,
        "nodes": nodes,
    }


def zone_warnings(projects, *, as_of: datetime.date, calendar: WorkCalendar | None = None) -> dict:
    """Red and yellow nodes of every project in `projects` (a queryset), worst first, with days late.

    Loads the whole zone in four queries and runs the engine per project (the benchmark: 20,000 projects
    in seconds). A project whose network cannot be scheduled is listed under `errors`.
    """
    calendar = calendar or load_calendar()
    project_rows = list(projects.values("id", "code", "name", "region__path", "leader__name", *MILESTONE_FIELDS))
    ids = [p["id"] for p in project_rows]
    by_project: dict[int, list[dict]] = defaultdict(list)
    links: dict[int, list[cpm.Link]] = defaultdict(list)
    targets: dict[int, list[cpm.Target]] = defaultdict(list)
    for chunk in _chunks(ids, 2000):
        for row in (
            ProjectNode.objects.filter(project_id__in=chunk).order_by("project_id", "order", "id").values(*_NODE_FIELDS)
        ):
            by_project[row["project_id"]].append(row)
        for pid, p, s, t, lag in (
            NodeDependency.objects.filter(successor__project_id__in=chunk)
            .order_by("id")
            .values_list("successor__project_id", "predecessor__name", "successor__name", "type", "lag")
        ):
            links[pid].append(cpm.Link(p, s, t, lag))
        for pid, name, date, kind in ScheduleTarget.objects.filter(project_id__in=chunk).values_list(
            "project_id", "node__name", "date", "kind"
        ):
            targets[pid].append(cpm.Target(name, date, kind))
    settings = {s.region.path: s for s in ScheduleSetting.objects.select_related("region")}
    items, errors = [], []
    red = yellow = 0
    for p in project_rows:
        rows = by_project.get(p["id"])
        if not rows:
            continue
        dates = {f: p[f] for f in MILESTONE_FIELDS}
        nodes = [_engine_node(r, dates) for r in rows]
        try:
            result = cpm.schedule(
                nodes,
                links.get(p["id"], ()),
                targets.get(p["id"], ()),
                as_of=as_of,
                calendar=calendar,
                rules=_rules_from(settings, p["region__path"]),
            )
        except cpm.ScheduleError as exc:
            errors.append({"project": p["name"], "project_code": p["code"], "error": exc.message, "nodes": exc.nodes})
            continue
        for row, n in zip(rows, result.nodes, strict=True):
            if n.status not in (cpm.RED, cpm.YELLOW):
                continue
            if n.status == cpm.RED:
                red += 1
            else:
                yellow += 1
            items.append(
                {
                    "project": p["name"],
                    "project_code": p["code"],
                    "project_id": p["id"],
                    "node": n.name,
                    "responsible_unit": row["responsible_unit__name"],
                    "leader": p["leader__name"],
                    "days_late": n.days_late,
                    "level": n.status,
                    "latest_finish": _iso(n.latest_finish),
                    "earliest_finish": _iso(n.earliest_finish),
                }
            )
    items.sort(key=lambda i: (-cpm.LEVEL_RANK[i["level"]], -i["days_late"], i["project_code"], i["node"]))
    return {"as_of": as_of.isoformat(), "red": red, "yellow": yellow, "items": items, "errors": errors}


def _chunks(seq: list, size: int):
    for i in range(0, len(seq), size):
        yield seq[i : i + size]
