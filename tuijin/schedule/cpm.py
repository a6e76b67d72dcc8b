"""The scheduling engine (倒排工期): critical path method over a node network. Pure Python, no ORM.

Input: nodes (duration in work or calendar days, actual start/finish), links (finish-to-start or
start-to-start, with a lag), targets on nodes (must finish on / finish no later than), the as-of day and a
`WorkCalendar`. Output: for every node its earliest and latest start and finish, total float (in the node's
own calendar), whether it is critical, its warning level; for the schedule, feasibility, days short, the
critical path and the chain that makes a target late.

Date conventions (docs/schedule.md explains them with examples):
- Start and finish are days, both included: a 1-day node starts and finishes on the same day; a 0-day node
  (a milestone such as 开工) happens on one day and its successors may start that same day.
- A work-day node starts and finishes on work days and counts only work days; a calendar-day node counts
  every day.
- A lag is counted in the successor's calendar: FS lag n = n whole days (work days for a work-day successor)
  between the predecessor's finish and the successor's start; SS lag n = the successor starts n days after
  the predecessor starts.
- Nodes not yet started cannot start before the as-of day; a node in progress finishes no earlier than the
  as-of day; finished nodes sit on their actual dates.
- Total float is finish float: latest finish − earliest finish, counted in the node's calendar.

Internally every date is an ordinal (`date.toordinal()`), and each node carries its start S, its finish F
(inclusive) and its release R = the first day a finish-to-start successor may start (F + 1, or F for a 0-day
node).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _

from .calendar import CalendarRangeError, WorkCalendar

WORK = "work"
CALENDAR = "calendar"
FS = "FS"
SS = "SS"
MUST_FINISH_ON = "must_finish_on"
FINISH_NO_LATER_THAN = "finish_no_later_than"

RED, YELLOW, GREEN, DONE = "red", "yellow", "green", "done"
LEVEL_RANK = {RED: 3, YELLOW: 2, GREEN: 1, DONE: 0}

_fromordinal = datetime.date.fromordinal


class ScheduleError(ValueError):
    """The network cannot be scheduled. `nodes` names the nodes at fault; `code` says why."""

    def __init__(self, code: str, message: str, nodes: Sequence[str] = ()):
        super().__init__(message)
        self.code = code
        self.message = message
        self.nodes = list(nodes)


@dataclass(slots=True)
class Node:
    name: str
    duration: int | None
    calendar: str = CALENDAR
    actual_start: datetime.date | None = None
    actual_finish: datetime.date | None = None
    planned_finish: datetime.date | None = None  # the deadline for warnings when no target reaches this node


class Link(NamedTuple):
    """A dependency. A tuple, so zone-wide readers pass the (predecessor, successor, type, lag) rows they load."""

    predecessor: str
    successor: str
    type: str = FS
    lag: int = 0


@dataclass(slots=True)
class Target:
    node: str
    date: datetime.date
    kind: str = FINISH_NO_LATER_THAN


@dataclass(frozen=True, slots=True)
class Rules:
    """Warning thresholds (a zone's ScheduleSetting): yellow when float is under `yellow_float` days or the
    node is due within `yellow_due` days."""

    yellow_float: int = 10
    yellow_due: int = 7


@dataclass(slots=True)
class NodeResult:
    name: str
    duration: int | None
    calendar: str
    predecessors: list[str]
    earliest_start: datetime.date | None
    earliest_finish: datetime.date | None
    latest_start: datetime.date | None
    latest_finish: datetime.date | None
    total_float: int | None
    actual_start: datetime.date | None
    actual_finish: datetime.date | None
    critical: bool
    days_late: int
    status: str


@dataclass(slots=True)
class TargetResult:
    node: str
    date: datetime.date
    kind: str
    earliest_finish: datetime.date | None
    days_short: int


@dataclass(slots=True)
class Schedule:
    as_of: datetime.date
    nodes: list[NodeResult]
    targets: list[TargetResult]
    feasible: bool
    days_short: int
    critical_path: list[str]
    chain: list[str] = field(default_factory=list)  # the critical chain behind the worst missed target

    @property
    def status(self) -> str:
        """The project's level: its worst node."""
        return max((n.status for n in self.nodes), key=LEVEL_RANK.__getitem__, default=GREEN)


def check_targets(nodes: Sequence[Node], targets: Sequence[Target], as_of: datetime.date) -> None:
    """A target set now must name a node of the checklist and lie on or after the as-of day (unless the
    node is already finished: then the target is history)."""
    by_name = {n.name: n for n in nodes}
    for t in targets:
        node = by_name.get(t.node)
        if node is None:
            raise ScheduleError(
                "unknown_node", _("No node named %(node)s in this checklist.") % {"node": t.node}, [t.node]
            )
        if t.date < as_of and node.actual_finish is None:
            raise ScheduleError(
                "target_in_past",
                _("The target for %(node)s (%(date)s) is before today (%(today)s).")
                % {"node": t.node, "date": t.date.isoformat(), "today": as_of.isoformat()},
                [t.node],
            )


def _topological_order(n: int, preds: list[list], succs: list[list], indeg: list[int], names: list[str]) -> list[int]:
    order = [i for i in range(n) if indeg[i] == 0]
    k = 0
    while k < len(order):
        for s, _typ, _lag in succs[order[k]]:
            indeg[s] -= 1
            if indeg[s] == 0:
                order.append(s)
        k += 1
    if len(order) < n:
        raise ScheduleError("cycle", *_describe_cycle(n, preds, indeg, names))
    return order


def _describe_cycle(n, preds, indeg, names) -> tuple[str, list[str]]:
    """Every node left unordered has a predecessor left unordered: walking back from one, a node repeats,
    and the walk between the two visits is a cycle."""
    left = {i for i in range(n) if indeg[i] > 0}
    i = min(left)
    seen: dict[int, int] = {}
    path: list[int] = []
    while i not in seen:
        seen[i] = len(path)
        path.append(i)
        i = next(p for p, _t, _l in preds[i] if p in left)
    loop = list(reversed(path[seen[i] :]))
    first = loop.index(min(loop))  # start at the node that comes first in the checklist
    loop = [names[j] for j in loop[first:] + loop[:first]]
    text = " → ".join([*loop, loop[0]])
    return _("The dependencies form a cycle: %(cycle)s.") % {"cycle": text}, loop


def schedule(
    nodes: Sequence[Node],
    links: Sequence[Link],
    targets: Sequence[Target] = (),
    *,
    as_of: datetime.date,
    calendar: WorkCalendar,
    rules: Rules = Rules(),
    paths: bool = True,
) -> Schedule:
    """Forward pass from the as-of day and the actual progress, backward pass from the targets.

    `paths=False` skips the critical path and the chain (every node's `critical` is False, both lists empty):
    the zone-wide pages need the dates and levels only, and the walk is a sixth of the engine's time."""
    try:
        return _schedule(nodes, links, targets, as_of, calendar, rules, paths)
    except CalendarRangeError as exc:
        raise ScheduleError(
            "calendar_range", _("A date falls outside the working-day calendar (%(date)s).") % {"date": exc.args[0]}
        ) from None


# The structure of a network (index, links per node, topological order) depends only on its node names and
# links, and most projects of a zone share their checklist's: a province's warnings schedule 20,000 networks made
# from a handful of templates. Entries are read-only.
_NETWORKS: dict = {}
_NETWORKS_MAX = 5_000


def _network(names: tuple, links: tuple) -> tuple:
    """(index, preds, pred_names, order) of the network, from the cache when an identical one was seen."""
    key = (names, links)
    found = _NETWORKS.get(key)
    if found is None:
        found = _build_network(names, links)
        if len(_NETWORKS) >= _NETWORKS_MAX:
            _NETWORKS.clear()
        _NETWORKS[key] = found
    return found


def _build_network(names: tuple, links: tuple) -> tuple:
    n = len(names)
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in index:
            raise ScheduleError("duplicate", _("Two nodes are named %(node)s.") % {"node": name}, [name])
        index[name] = i
    preds: list[list] = [[] for _i in range(n)]
    pred_names: list[list[str]] = [[] for _i in range(n)]  # each node's result lists them: built here, once
    succs: list[list] = [[] for _i in range(n)]
    indeg = [0] * n
    for predecessor, successor, typ, lag in links:
        p, s = index.get(predecessor), index.get(successor)
        if p is None or s is None:
            missing = predecessor if p is None else successor
            raise ScheduleError(
                "unknown_node", _("No node named %(node)s in this checklist.") % {"node": missing}, [missing]
            )
        if p == s:
            raise ScheduleError(
                "cycle",
                _("The dependencies form a cycle: %(cycle)s.") % {"cycle": f"{names[p]} → {names[p]}"},
                [names[p]],
            )
        preds[s].append((p, typ, lag))
        pred_names[s].append(names[p])
        succs[p].append((s, typ, lag))
        indeg[s] += 1
    order = _topological_order(n, preds, succs, indeg, list(names))
    return index, preds, pred_names, order


def _schedule(nodes, links, targets, as_of, cal, rules, paths=True) -> Schedule:  # noqa: C901 - one pass after another
    n = len(nodes)
    names = tuple(node.name for node in nodes)
    index, preds, pred_names, order = _network(names, tuple(links))

    dur = [node.duration for node in nodes]
    work = [node.calendar == WORK for node in nodes]
    a_start = [node.actual_start.toordinal() if node.actual_start else None for node in nodes]
    a_finish = [node.actual_finish.toordinal() if node.actual_finish else None for node in nodes]
    done = [f is not None for f in a_finish]
    missing = [names[i] for i in range(n) if dur[i] is None and not done[i]]
    if missing:
        raise ScheduleError(
            "missing_duration", _("These nodes have no duration: %(nodes)s.") % {"nodes": "、".join(missing)}, missing
        )

    target_at: dict[int, tuple[int, str]] = {}
    for t in targets:
        i = index.get(t.node)
        if i is None:
            raise ScheduleError(
                "unknown_node", _("No node named %(node)s in this checklist.") % {"node": t.node}, [t.node]
            )
        d = t.date.toordinal()
        if i not in target_at or d < target_at[i][0]:
            target_at[i] = (d, t.kind)

    next_work, prev_work, add = cal.next_work, cal.prev_work, cal.add
    today = as_of.toordinal()
    today_work = next_work(today)

    def finish_of(s: int, d: int, w: bool) -> int:
        if d <= 1:
            return s
        return add(s, d - 1) if w else s + d - 1

    def start_of(f: int, d: int, w: bool) -> int:
        if d <= 1:
            return f
        return add(f, 1 - d) if w else f - d + 1

    # Forward pass.
    es = [0] * n
    ef = [0] * n
    rel = [0] * n
    held = [False] * n  # started, or held to a must-finish-on date: no predecessor drives its start
    for i in order:
        d, w = dur[i], work[i]
        if done[i]:
            f = a_finish[i]
            s = a_start[i]
            if s is None:
                s = f if not d else min(f, start_of(prev_work(f) if w else f, d, w))
            es[i], ef[i] = s, f
            rel[i] = f if d == 0 else f + 1
            continue
        t = today
        for p, typ, lag in preds[i]:
            x = rel[p] if typ == FS else es[p]
            if lag:
                x = add(next_work(x), lag) if w else x + lag
            if x > t:
                t = x
        if a_start[i] is not None:  # in progress: started when it started, finishes today at the earliest
            held[i] = True
            s = a_start[i]
            f = finish_of(next_work(s) if w else s, d, w)
            floor = today_work if w else today
            if f < floor:
                f = floor
        else:
            s = next_work(t) if w else t
            target = target_at.get(i)
            if target is not None and target[1] == MUST_FINISH_ON:
                pinned = start_of(prev_work(target[0]) if w else target[0], d, w)
                if pinned > s:
                    s = pinned
                    held[i] = True
            f = finish_of(s, d, w)
        es[i], ef[i] = s, f
        rel[i] = f if d == 0 else f + 1

    def backward(bounds: dict[int, int]) -> tuple[list, list]:
        ls: list = [None] * n
        lf: list = [None] * n
        fb: list = [None] * n
        sb: list = [None] * n
        for i, d in bounds.items():
            fb[i] = d
        for i in reversed(order):
            if done[i]:
                continue
            d, w = dur[i], work[i]
            f_bound, s_bound = fb[i], sb[i]
            started = a_start[i] is not None
            if f_bound is None and (s_bound is None or started):
                continue
            if f_bound is not None:
                f = prev_work(f_bound) if w else f_bound
                s = start_of(f, d, w)
                if s_bound is not None and not started:
                    s2 = prev_work(s_bound) if w else s_bound
                    if s2 < s:
                        s = s2
                        f = finish_of(s, d, w)
            else:
                s = prev_work(s_bound) if w else s_bound
                f = finish_of(s, d, w)
            ls[i], lf[i] = s, f
            for p, typ, lag in preds[i]:
                if done[p]:
                    continue
                y = s
                if lag:
                    y = add(y, -lag) if w else y - lag
                if typ == FS:
                    if dur[p]:
                        y -= 1
                    if fb[p] is None or y < fb[p]:
                        fb[p] = y
                elif sb[p] is None or y < sb[p]:
                    sb[p] = y
        return ls, lf

    bounds_a = {i: d for i, (d, _kind) in target_at.items() if not done[i]}
    ls, lf = backward(bounds_a)

    between = cal.between
    floats: list = [None] * n
    for i in range(n):
        if lf[i] is not None:
            floats[i] = between(ef[i], lf[i]) if work[i] else lf[i] - ef[i]

    def drivers(i: int) -> list[int]:
        """The predecessors whose link sets node i's earliest start (the longest path runs through them)."""
        if held[i]:
            return []
        found = []
        for p, typ, lag in preds[i]:
            if done[p] or (typ == SS and a_start[p] is not None):
                continue
            x = rel[p] if typ == FS else es[p]
            if work[i]:
                x = add(next_work(x), lag)
            else:
                x += lag
            if x == es[i]:
                found.append(p)
        return found

    def longest_path(ends) -> set[int]:
        reached = set(ends)
        stack = list(ends)
        while stack:
            for p in drivers(stack.pop()):
                if p not in reached:
                    reached.add(p)
                    stack.append(p)
        return reached

    # The critical path is the longest path: from each target node back along the links that drive the
    # earliest dates. With one calendar it is exactly the nodes of zero float when the target leaves none
    # to spare; with room to spare it still shows which chain sets the date.
    critical = [False] * n
    for i in longest_path(bounds_a) if paths else ():
        critical[i] = True

    # Feasibility, per target.
    target_results = []
    days_short = 0
    worst = None
    for i, (d, kind) in sorted(target_at.items(), key=lambda item: item[0]):
        short = max(0, ef[i] - d)
        target_results.append(TargetResult(names[i], _fromordinal(d), kind, _fromordinal(ef[i]), short))
        if short > days_short:
            days_short, worst = short, i

    position = {i: k for k, i in enumerate(order)}
    critical_path = [names[i] for i in sorted((i for i in range(n) if critical[i]), key=lambda i: (es[i], position[i]))]
    chain: list[str] = []
    if worst is not None and paths:
        chain = [
            names[i]
            for i in sorted(longest_path([worst] if not done[worst] else []), key=lambda i: (es[i], position[i]))
        ]

    # Warning levels.
    yellow_float, yellow_due = rules.yellow_float, rules.yellow_due
    results = []
    for i, node in enumerate(nodes):
        late = 0
        if done[i]:
            status = DONE
        else:
            deadline = lf[i]
            slack = floats[i]
            if deadline is None and node.planned_finish is not None:
                deadline = node.planned_finish.toordinal()
                slack = between(ef[i], prev_work(deadline)) if work[i] else deadline - ef[i]
            if deadline is None:
                status = GREEN
            elif ef[i] > deadline:
                status, late = RED, ef[i] - deadline
            elif slack < yellow_float or deadline - today <= yellow_due:
                status = YELLOW
            else:
                status = GREEN
        results.append(
            NodeResult(  # positional: this runs for every node of every project in the zone
                names[i],
                dur[i],
                WORK if work[i] else CALENDAR,
                pred_names[i],
                _fromordinal(es[i]),
                _fromordinal(ef[i]),
                None if ls[i] is None else _fromordinal(ls[i]),
                None if lf[i] is None else _fromordinal(lf[i]),
                floats[i],
                node.actual_start,
                node.actual_finish,
                critical[i],
                late,
                status,
            )
        )
    return Schedule(
        as_of=as_of,
        nodes=results,
        targets=target_results,
        feasible=days_short == 0,
        days_short=days_short,
        critical_path=critical_path,
        chain=chain,
    )
