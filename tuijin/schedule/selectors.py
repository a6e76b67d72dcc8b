"""Reads for schedules: a project's network as engine input, its schedule, the node table, the zone's warnings.

The ledger milestone dates are read from the project here, so a milestone node (签约, 开工, 投产, 达效) and the
project's date are one fact.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import connections
from django.utils.translation import gettext as _

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


# A node row as the zone-wide readers load it: a tuple (2,000 projects are 38,000 rows; dicts cost a third more).
# Columns 1–7 are exactly what the engine needs, so they also key the memo of schedules.
_ROW_FIELDS = (
    "project_id",
    "name",
    "duration",
    "calendar",
    "actual_start",
    "actual_finish",
    "planned_finish",
    "milestone",
    "responsible_unit__name",
    "id",
)
ROW_NAME, ROW_MILESTONE, ROW_UNIT = 1, 7, 8


def _raw_rows(queryset) -> list[tuple]:
    """The rows of a `values_list` queryset straight from the cursor, without Django's per-value converters.

    A province's warnings read 400,000 node rows, and the converters cost as much as the query. Nothing here needs
    them: the columns are integers, text and dates, and both backends' drivers already return dates as dates
    (Django registers SQLite's `date` converter on the connection)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _load_networks(ids: list[int]) -> tuple[dict, dict, dict]:
    """Every node, link and target of the projects `ids`, in three queries per 2,000 projects. Links and
    targets are read by node id and named from the nodes already loaded (no joins on names). Links and targets
    are (predecessor, successor, type, lag) and (node, date, kind) tuples."""
    by_project: dict[int, list[tuple]] = defaultdict(list)
    links: dict[int, list[tuple]] = defaultdict(list)
    targets: dict[int, list[tuple]] = defaultdict(list)
    for chunk in _chunks(ids, 2000):
        names: dict[int, tuple[int, str]] = {}
        nodes = ProjectNode.objects.filter(project_id__in=chunk).order_by("project_id", "order", "id")
        for row in _raw_rows(nodes.values_list(*_ROW_FIELDS)):
            by_project[row[0]].append(row)
            names[row[9]] = (row[0], row[1])
        dependencies = NodeDependency.objects.filter(successor__project_id__in=chunk).order_by("id")
        for p, s, t, lag in _raw_rows(dependencies.values_list("predecessor_id", "successor_id", "type", "lag")):
            pid, succ = names[s]
            links[pid].append((names[p][1], succ, t, lag))
        chunk_targets = ScheduleTarget.objects.filter(project_id__in=chunk)
        for pid, node_id, date, kind in _raw_rows(chunk_targets.values_list("project_id", "node_id", "date", "kind")):
            targets[pid].append((names[node_id][1], date, kind))
    return by_project, links, targets


# Schedules of the zone-wide pages, keyed by everything the engine reads (the network, the progress, the
# milestone dates, the targets, the day, the rules and the calendar object, which is rebuilt when the calendar
# table changes). `cpm.schedule` is a pure function of that key, so an entry can never be stale: a change to a
# project only makes its key new. The portfolio and the board recompute only what changed since the last view.
# Entries are shared: readers must not change them.
_MEMO: dict = {}
_MEMO_MAX = 60_000


def _schedule_rows(rows: list[tuple], links: list[tuple], targets: list[tuple], dates: tuple, as_of, calendar, rules):
    key = (as_of, calendar, rules, dates, tuple(r[1:8] for r in rows), tuple(links), tuple(targets))
    result = _MEMO.get(key)
    if result is None:
        by_field = dict(zip(MILESTONE_FIELDS, dates, strict=True))
        nodes = []
        for _p, name, duration, cal, start, finish, planned, milestone, *_rest in rows:
            if milestone:  # the project's milestone date is this node's finish
                finish = by_field.get(milestone)
                if finish is not None and start is not None and start > finish:
                    start = finish
            nodes.append(cpm.Node(name, duration, cal, start, finish, planned))
        try:
            result = cpm.schedule(
                nodes,
                links,  # (predecessor, successor, type, lag) rows are cpm.Link's fields in order
                [cpm.Target(*t) for t in targets],
                as_of=as_of,
                calendar=calendar,
                rules=rules,
                paths=False,
            )
        except cpm.ScheduleError as exc:
            result = exc
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
        _MEMO[key] = result
    return result


def scheduled_projects(project_rows: list[dict], *, as_of: datetime.date, calendar: WorkCalendar | None = None):
    """Schedule many projects at once: yields (project row, node rows, Schedule or ScheduleError) for each
    project of `project_rows` (dicts with id, region__path and the milestone dates); node rows (tuples of
    `_ROW_FIELDS`) are empty and the schedule None for a project without a checklist."""
    calendar = calendar or load_calendar()
    by_project, links, targets = _load_networks([p["id"] for p in project_rows])
    settings = {s.region.path: s for s in ScheduleSetting.objects.select_related("region")}
    rules_by_path: dict[str, cpm.Rules] = {}
    for p in project_rows:
        rows = by_project.get(p["id"])
        if not rows:
            yield p, [], None
            continue
        path = p["region__path"]
        if path not in rules_by_path:
            rules_by_path[path] = _rules_from(settings, path)
        dates = tuple(p[f] for f in MILESTONE_FIELDS)
        result = _schedule_rows(
            rows, links.get(p["id"], []), targets.get(p["id"], []), dates, as_of, calendar, rules_by_path[path]
        )
        yield p, rows, result


def zone_warnings(projects, *, as_of: datetime.date, calendar: WorkCalendar | None = None) -> dict:
    """Red and yellow nodes of every project in `projects` (a queryset), worst first, with days late.

    Loads the whole zone in four queries and runs the engine per project (the benchmark: 20,000 projects
    in seconds). A project whose network cannot be scheduled is listed under `errors`.
    """
    project_rows = list(projects.values("id", "code", "name", "region__path", "leader__name", *MILESTONE_FIELDS))
    items, errors = [], []
    red = yellow = 0
    for p, rows, result in scheduled_projects(project_rows, as_of=as_of, calendar=calendar):
        if result is None:
            continue
        if isinstance(result, cpm.ScheduleError):
            errors.append(
                {"project": p["name"], "project_code": p["code"], "error": result.message, "nodes": result.nodes}
            )
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
                    "responsible_unit": row[ROW_UNIT],
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


# --- charts and the warning board ---------------------------------------------------------------------------

# The key nodes the portfolio Gantt shows for every project, in order. 签约/开工/投产/达效 are the ledger's
# milestones (read from the project when it has no checklist); 主体封顶 and 竣工验收 come from the checklist.
KEY_NODES = ("签约", "开工", "主体封顶", "竣工验收", "投产", "达效")
KEY_SHORT = ("签", "开", "封", "竣", "投", "达")  # the one character drawn in each key node's marker
_KEY_BY_MILESTONE = {
    Milestone.SIGNED: "签约",
    Milestone.STARTED: "开工",
    Milestone.PRODUCTION: "投产",
    Milestone.EFFECTIVE: "达效",
}


def project_gantt(result: cpm.Schedule, nodes: list[ProjectNode], links: list[NodeDependency], baseline=None) -> dict:
    """The project Gantt's data: one entry per node (forecast, actual, latest window, plan, baseline, level,
    critical) and the links as index pairs. `nodes` are the checklist's rows in the schedule's order."""
    base = {b.name: b for b in baseline.nodes.all()} if baseline is not None else {}
    index = {n.name: i for i, n in enumerate(result.nodes)}
    out = []
    for n, row in zip(result.nodes, nodes, strict=True):
        b = base.get(n.name)
        out.append(
            {
                "name": n.name,
                "unit": row.responsible_unit.name if row.responsible_unit_id else "",
                "duration": n.duration,
                "status": n.status,
                "critical": n.critical,
                "milestone": bool(row.milestone) or n.duration == 0,
                "es": _iso(n.earliest_start),
                "ef": _iso(n.earliest_finish),
                "ls": _iso(n.latest_start),
                "lf": _iso(n.latest_finish),
                "as": _iso(n.actual_start),
                "af": _iso(n.actual_finish),
                "ps": _iso(row.planned_start),
                "pf": _iso(row.planned_finish),
                "bs": _iso(b.start) if b else None,
                "bf": _iso(b.finish) if b else None,
                "float": n.total_float,
                "late": n.days_late,
            }
        )
    target = result.targets[0] if result.targets else None
    return {
        "as_of": result.as_of.isoformat(),
        "target": {"node": index.get(target.node), "date": target.date.isoformat()} if target else None,
        "nodes": out,
        "links": [
            [index[link.predecessor.name], index[link.successor.name], link.type, link.lag]
            for link in links
            if link.predecessor.name in index and link.successor.name in index
        ],
        "baseline": baseline.name if baseline is not None else None,
    }


def _ledger_key_dates(p: dict) -> list[list]:
    """Key dates of a project without a checklist: the ledger's actual dates, else its planned ones."""
    out = []
    planned = {Milestone.STARTED: p.get("planned_started_on"), Milestone.PRODUCTION: p.get("planned_production_on")}
    for field, key in _KEY_BY_MILESTONE.items():
        actual = p.get(field)
        if actual is not None:
            out.append([KEY_NODES.index(key), actual.isoformat(), 1, cpm.DONE])
        elif planned.get(field) is not None:
            out.append([KEY_NODES.index(key), planned[field].isoformat(), 0, ""])
    return out


def portfolio_gantt(projects, *, as_of: datetime.date, group: str = "") -> dict:
    """Every project's key nodes (KEY_NODES) for the portfolio Gantt, grouped by batch or leader.

    `projects` is a queryset (already restricted and filtered; annotated with `batch` when grouping by batch).
    Loads everything in a handful of queries, then schedules each project with a checklist: a key node's date
    is its actual finish, else its forecast (earliest) finish. Rows are compact lists, so 2,000 projects make a
    few hundred kilobytes of JSON."""
    from tuijin.projects.choices import Batch

    fields = ["id", "code", "name", "region__path", "leader__name", "planned_started_on", "planned_production_on"]
    if group == "batch":
        fields.append("batch")
    project_rows = list(projects.values(*fields, *MILESTONE_FIELDS))
    rows = []
    counts = {cpm.RED: 0, cpm.YELLOW: 0, cpm.GREEN: 0, cpm.DONE: 0}
    for p, node_rows, result in scheduled_projects(project_rows, as_of=as_of):
        level, short, marks = "", 0, []
        if isinstance(result, cpm.Schedule):
            level, short = result.status, result.days_short
            counts[level] += 1
            for row, n in zip(node_rows, result.nodes, strict=True):
                key = _KEY_BY_MILESTONE.get(row[ROW_MILESTONE]) if row[ROW_MILESTONE] else None
                key = key or (n.name if n.name in KEY_NODES else None)
                if key is None:
                    continue
                done = n.actual_finish is not None
                when = n.actual_finish or n.earliest_finish
                if when is not None:
                    marks.append([KEY_NODES.index(key), when.isoformat(), 1 if done else 0, n.status])
        else:
            if isinstance(result, cpm.ScheduleError):
                level = "error"
            marks = _ledger_key_dates(p)
        if group == "batch":
            name = Batch(p["batch"]).label if p.get("batch") else _("Not listed")
        elif group == "leader":
            name = p["leader__name"] or _("No leader")
        else:
            name = ""
        rows.append(
            {
                "id": p["id"],
                "code": p["code"],
                "name": p["name"],
                "group": str(name),
                "level": level,
                "short": short,
                "m": sorted(marks, key=lambda m: m[1]),
            }
        )
    if group == "batch":
        order = {label: i for i, label in enumerate([str(b.label) for b in Batch] + [str(_("Not listed"))])}
        rows.sort(key=lambda r: (order.get(r["group"], 99), r["code"]))
    elif group:
        rows.sort(key=lambda r: (r["group"] == str(_("No leader")), r["group"], r["code"]))
    else:
        rows.sort(key=lambda r: r["code"])
    return {
        "as_of": as_of.isoformat(),
        "key_nodes": list(KEY_NODES),
        "key_short": list(KEY_SHORT),
        "rows": rows,
        "counts": counts,
    }


def warning_board(payload: dict) -> dict:
    """`zone_warnings`' items grouped by responsible unit and by leader, the groups with most red first."""

    def grouped(key: str, empty: str) -> list[dict]:
        groups: dict[str, dict] = {}
        for item in payload["items"]:
            name = item[key] or empty
            g = groups.setdefault(name, {"name": name, "red": 0, "yellow": 0, "items": []})
            g[item["level"]] += 1
            g["items"].append(item)
        for g in groups.values():  # a project's nodes together, the project with the latest node first
            worst: dict[int, tuple] = {}
            for i in g["items"]:
                rank = (cpm.LEVEL_RANK[i["level"]], i["days_late"])
                worst[i["project_id"]] = max(worst.get(i["project_id"], rank), rank)
            g["items"].sort(
                key=lambda i: (
                    tuple(-v for v in worst[i["project_id"]]),
                    i["project_code"],
                    -cpm.LEVEL_RANK[i["level"]],
                    -i["days_late"],
                )
            )
            g["projects"] = len(worst)
        return sorted(groups.values(), key=lambda g: (-g["red"], -g["yellow"], g["name"]))

    return {
        "by_unit": grouped("responsible_unit", str(_("No responsible unit"))),
        "by_leader": grouped("leader", str(_("No leader"))),
    }
