"""The demo zone's schedules (挂图作战): every listed project of 郑州经开区 gets its checklist, targets, baselines
and progress, so the project page, the portfolio Gantt and the warning board show red, yellow and green.

The ledger of the demo ends on DEMO_END (2022-12-20): its milestone dates (签约, 开工, 投产, 达效) never move
after that day, and a milestone node's finish IS the ledger's date. The schedules go on: the office adopted
挂图作战, froze "2022年初排定" on the projects that were under way in January 2022, re-set its targets and froze
"2026年初排定" in January 2026, and the departments and enterprises reported progress up to PROGRESS_DAY. So the
nodes that are not ledger milestones carry dates up to 2026-11-20, the open nodes run into 2027, and the warnings
computed as of today (2026-11-26 when this was written) mean something: a project whose 投产 is forecast after its
target is red, one with less than 10 days of float yellow. docs/schedule.md ("The demo") explains the choice.

Everything goes through `services` (checklist_create, node_change, node_report, target_set, baseline_create), so
the change log shows it, under the CLI context labelled "tuijin demo". Deterministic: one seed, fixed days.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from tuijin.core.changelog import change_context
from tuijin.core.choices import ChangeSource
from tuijin.projects.choices import ListingAction
from tuijin.projects.models import Listing, Project

from . import cpm, services
from .calendar import load_calendar
from .models import ENTERPRISE_UNIT, NodeTemplate, ProjectNode, TemplateDependency, TemplateNode

SEED = 20261120
LABEL = "tuijin demo"
ZONE = "410171"
STANDARD, SHORT = "标准工业项目", "拿地即开工"

# The days the schedule story is told on. Progress is reported up to PROGRESS_DAY and never later, so the demo
# is the same whichever day it is loaded; as the days pass without reports, nodes go yellow, then red.
BASELINE_2022 = datetime.date(2022, 1, 5)
BASELINE_2026 = datetime.date(2026, 1, 5)
PROGRESS_DAY = datetime.date(2026, 11, 20)
BASELINE_NAMES = {BASELINE_2022: "2022年初排定", BASELINE_2026: "2026年初排定"}

# The template's department names that the demo zone calls otherwise (the rest match by the end of the name).
DEPARTMENT_ALIASES = {
    "投资促进局": "经开区招商局",
    "市场监督管理局": "经开区市场监管局",
    "生态环境局": "经开区生态环境分局",
    "水利局": "经开区水务公司",
}
# One contact per department, as the office's node table lists them.
CONTACTS = ["李建华", "王晓东", "张海燕", "刘志刚", "陈文静", "杨国强", "赵永辉", "周学军", "吴亚楠", "孙红霞"]

# Why a node took longer than it should have: the note the responsible unit wrote.
SLOW_NOTES = {
    "土地出让(摘牌)": "用地指标调整，土地延期挂牌",
    "用地预审与选址": "选址涉及规划调整，补充论证",
    "环评": "环评报告补充大气专项后重新报批",
    "规划设计方案审查": "方案两次修改后通过审查",
    "施工图审查": "消防专项审查意见整改",
    "主体封顶": "受资金到位影响一度停工，已复工",
    "设备安装调试": "进口设备到货延迟",
    "竣工验收": "消防验收整改中",
    "达效": "市场订单不足，产能爬坡放缓",
}
FRONT_NOTES = ["企业正在加快推进", "已列入周例会督办", "部门已开辟绿色通道", "每周调度一次"]


@dataclass
class NodeStory:
    """What happened to one node: its actual start and finish (None when not yet)."""

    name: str
    start: datetime.date | None = None
    finish: datetime.date | None = None
    note: str = ""


@dataclass
class ScheduleStory:
    """One project's schedule story: its template, what happened to each node, its targets over time."""

    project_id: int
    template: str
    nodes: dict[str, NodeStory] = field(default_factory=dict)
    targets: dict[datetime.date, tuple[str, datetime.date]] = field(default_factory=dict)  # set on -> (node, date)
    baselines: list[datetime.date] = field(default_factory=list)
    level: str = ""  # the level the target was chosen to give (red, yellow, green) as of PROGRESS_DAY


def _templates() -> dict[str, tuple[list, list]]:
    """Per shipped template: its nodes (in order) and links, as engine input without progress."""
    out = {}
    for template in NodeTemplate.objects.filter(name__in=[STANDARD, SHORT]):
        tnodes = list(template.nodes.order_by("order", "id"))
        links = [
            cpm.Link(p, s, t, lag)
            for p, s, t, lag in TemplateDependency.objects.filter(successor__template=template)
            .order_by("id")
            .values_list("predecessor__name", "successor__name", "type", "lag")
        ]
        out[template.name] = (tnodes, links)
    return out


def _month_end(day: datetime.date) -> datetime.date:
    first_next = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return first_next - datetime.timedelta(days=1)


def _natural(tnodes, links, start: datetime.date, calendar) -> dict[str, tuple[int, int]]:
    """Each node's (start, finish) in days after `start`, at the template's pace, with nothing done yet."""
    nodes = [cpm.Node(t.name, t.duration, t.calendar) for t in tnodes]
    result = cpm.schedule(nodes, links, (), as_of=start, calendar=calendar)
    return {
        n.name: ((n.earliest_start - start).days, (n.earliest_finish - start).days)
        for n in result.nodes
        if n.earliest_start
    }


def _spread(names: list[str], natural: dict, a: datetime.date, b: datetime.date) -> dict:
    """Lay `names` (done nodes between two events) over the days from `a` to `b`: their template pace, stretched
    or squeezed to fit, each node's start and finish on or after `a` and on or before `b`."""
    if not names:
        return {}
    lo = min(natural[n][0] for n in names)
    hi = max(natural[n][1] for n in names)
    span = max(hi - lo, 1)
    room = max((b - a).days, 0)
    out = {}
    for n in names:
        s, f = natural[n]
        start = a + datetime.timedelta(days=round((s - lo) * room / span))
        finish = a + datetime.timedelta(days=round((f - lo) * room / span))
        if finish > b:
            finish = b
        if start > finish:
            start = finish
        out[n] = (start, finish)
    return out


def _story(project: dict, tnodes, links, calendar, rng: random.Random) -> ScheduleStory:  # noqa: C901 - one story
    """What happened to `project`'s checklist: ledger milestones fixed, the other nodes laid between them, the
    current node (the front) started recently, its targets chosen for a mix of red, yellow and green."""
    names = [t.name for t in tnodes]
    milestone_of = {t.name: t.milestone for t in tnodes if t.milestone}
    duration = {t.name: t.duration or 0 for t in tnodes}
    signed = project["signed_on"]
    natural = _natural(tnodes, links, signed, calendar)
    story = ScheduleStory(project_id=project["id"], template="")
    story.nodes = {n: NodeStory(n) for n in names}
    # The ledger's milestone dates, in checklist order, and where the last one reached stands.
    reached = [(names.index(n), project[m]) for n, m in milestone_of.items() if project[m] is not None]
    reached.sort()
    last_index, last_day = reached[-1]
    # Done: every node before the last milestone reached, laid between the milestones that bound it.
    bounds = [(-1, signed), *reached]
    for (i0, a), (i1, b) in zip(bounds, bounds[1:], strict=False):
        between = [n for n in names[i0 + 1 : i1] if n not in milestone_of]
        end = max(a, b - datetime.timedelta(days=rng.randint(1, 12)))  # e.g. 施工许可 a few days before 开工
        for n, (s, f) in _spread(between, natural, a, end).items():
            story.nodes[n].start, story.nodes[n].finish = s, f
    # What happened since: nodes after the last milestone up to the front, the front in progress.
    after = [n for n in names[last_index + 1 :]]
    open_nodes = [n for n in after if n not in milestone_of]
    if after and after[0] in milestone_of and milestone_of[after[0]] == "effective_on":
        # In production, not yet effective: ramp-up (达效) began on the day of 投产.
        story.nodes[after[0]].start = last_day
        if rng.random() < 0.3:
            story.nodes[after[0]].note = SLOW_NOTES["达效"]
    elif open_nodes:
        upto = next((k for k, n in enumerate(after) if n in milestone_of), len(after))
        segment = [n for n in after[:upto] if n not in milestone_of]
        front = rng.randrange(len(segment)) if len(segment) > 1 else 0
        if segment and rng.random() < 0.25 and front:
            front -= 1  # a few projects are stuck a step earlier
        front_name = segment[front]
        days = max(duration[front_name], 1) * (7 / 5 if tnodes[names.index(front_name)].calendar == cpm.WORK else 1)
        front_start = PROGRESS_DAY - datetime.timedelta(days=rng.randint(3, max(4, round(days * 1.2))))
        done_names = segment[:front]
        end = max(last_day, front_start - datetime.timedelta(days=rng.randint(1, 20)))
        laid = _spread(done_names, natural, last_day, end)
        for n, (s, f) in laid.items():
            story.nodes[n].start, story.nodes[n].finish = s, f
        story.nodes[front_name].start = front_start
        story.nodes[front_name].note = rng.choice(FRONT_NOTES)
        # The longest done node that was stretched well past its pace says why.
        slow = [n for n in laid if n in SLOW_NOTES and (laid[n][1] - laid[n][0]).days > 2 * max(duration[n], 1)]
        if slow:
            story.nodes[slow[-1]].note = SLOW_NOTES[slow[-1]]
    return story


def _engine_nodes(tnodes, story: ScheduleStory, project: dict, until: datetime.date) -> list[cpm.Node]:
    """The checklist as the engine sees it on `until`: what had happened by then."""
    out = []
    for t in tnodes:
        s = story.nodes[t.name]
        finish = project[t.milestone] if t.milestone else s.finish
        out.append(
            cpm.Node(
                t.name,
                t.duration,
                t.calendar,
                actual_start=s.start if s.start and s.start <= until else None,
                actual_finish=finish if finish and finish <= until else None,
            )
        )
    return out


def _choose_targets(project: dict, story: ScheduleStory, tnodes, links, calendar, rng: random.Random) -> None:
    """The targets the office set: on 投产 (on 达效 for a project already producing), in January 2026, after a
    first one in January 2022 for the projects under way then. Chosen against the forecast as of PROGRESS_DAY so
    that about a third are red, a quarter yellow and the rest green."""
    producing = project["production_on"] is not None
    node = "达效" if producing else "投产"
    nodes = _engine_nodes(tnodes, story, project, PROGRESS_DAY)
    forecast = cpm.schedule(nodes, links, (), as_of=PROGRESS_DAY, calendar=calendar)
    ef = next(n.earliest_finish for n in forecast.nodes if n.name == node)
    level = rng.choices(["red", "yellow", "green"], weights=[35, 25, 40])[0]
    if level == "red":
        date = _month_end(ef - datetime.timedelta(days=rng.randint(45, 160)))
    elif level == "yellow":
        date = ef + datetime.timedelta(days=rng.randint(5, 12))
    else:
        date = _month_end(ef + datetime.timedelta(days=rng.randint(40, 200)))
    date = max(date, datetime.date(2026, 3, 31))
    story.level = level
    story.targets[BASELINE_2026] = (node, date)
    story.baselines.append(BASELINE_2026)
    # The projects under way in January 2022 (signed, nothing of the ledger's after that day): their first target.
    known = [project[f] for f in ("started_on", "production_on", "effective_on") if project[f]]
    if project["signed_on"] < BASELINE_2022 and all(d <= BASELINE_2022 for d in known) and not producing:
        first = project["planned_production_on"]
        if first is None or first <= BASELINE_2022 + datetime.timedelta(days=180):
            first = _month_end(BASELINE_2022 + datetime.timedelta(days=rng.randint(420, 640)))
        story.targets[BASELINE_2022] = ("投产", first)
        story.baselines.insert(0, BASELINE_2022)


def build_stories(projects: list[dict], seed: int = SEED) -> list[ScheduleStory]:
    """The schedule story of each project row (dicts with id, the milestone dates, planned_production_on):
    pure and deterministic, so a test can call it twice and compare."""
    templates = _templates()
    calendar = load_calendar()
    stories = []
    for p in projects:
        rng = random.Random(f"{seed}:{p['code']}")
        name = STANDARD
        # 拿地即开工 for a quarter of the projects signed in 2022 and not yet started: land sold with drawings.
        if p["started_on"] is None and p["signed_on"].year >= 2022 and rng.random() < 0.4:
            name = SHORT
        tnodes, links = templates[name]
        story = _story(p, tnodes, links, calendar, rng)
        story.template = name
        if p["effective_on"] is None:
            _choose_targets(p, story, tnodes, links, calendar, rng)
        stories.append(story)
    return stories


def demo_projects(region_code: str = ZONE) -> list[dict]:
    """The zone's projects that are on the list (not taken off it) and signed: the ones the office schedules."""
    removed = set(
        Listing.objects.filter(action=ListingAction.REMOVED, next_period__isnull=True).values_list(
            "project_id", flat=True
        )
    )
    rows = Project.objects.filter(region__code=region_code, signed_on__isnull=False).order_by("code")
    fields = ("id", "code", "signed_on", "started_on", "production_on", "effective_on", "planned_production_on")
    return [p for p in rows.values(*fields) if p["id"] not in removed]


def _report(nodes: dict[str, ProjectNode], story: ScheduleStory, day: datetime.date, reported: dict) -> None:
    """Report what had happened by `day` and was not reported yet (milestone finishes are the ledger's)."""
    for name, s in story.nodes.items():
        node = nodes[name]
        start = s.start if s.start and s.start <= day else None
        finish = s.finish if s.finish and s.finish <= day and not node.milestone else None
        note = s.note if s.note and (finish is not None or day == PROGRESS_DAY) else ""
        state = (start, finish, note)
        if state == reported.get(name, (None, None, "")):
            continue
        reported[name] = state
        kwargs = {"actual_start": start, "note": note}
        if not node.milestone:
            kwargs["actual_finish"] = finish
        services.node_report(node=node, as_of=day, **kwargs)


def load_schedule_demo(*, region_code: str = ZONE, seed: int = SEED, log=None) -> dict:
    """Give the demo zone's projects their schedules (see the module's docstring). Returns counts."""
    log = log or (lambda _msg: None)
    projects = demo_projects(region_code)
    stories = build_stories(projects, seed)
    templates = {t.name: t for t in NodeTemplate.objects.filter(name__in=[STANDARD, SHORT])}
    departments: dict[str, dict[str, str]] = {STANDARD: {}, SHORT: {}}
    for t, n, d in TemplateNode.objects.filter(template__name__in=[STANDARD, SHORT]).values_list(
        "template__name", "name", "department"
    ):
        departments[t][n] = d
    by_id = {
        p.pk: p
        for p in Project.objects.filter(pk__in=[p["id"] for p in projects]).select_related("region", "enterprise")
    }
    counts = {"checklists": 0, "targets": 0, "baselines": 0}
    units: dict = {}  # a department's organisation is the same for every project of a region
    with change_context(source=ChangeSource.CLI, label=LABEL):
        for story in stories:
            project = by_id[story.project_id]
            overrides = {}
            for name, department in departments[story.template].items():
                key = project.enterprise_id if department == ENTERPRISE_UNIT else (project.region_id, department)
                if key not in units:
                    units[key] = services.resolve_unit(project, department) or services.resolve_unit(
                        project, DEPARTMENT_ALIASES.get(department, "")
                    )
                unit = units[key]
                if unit is None:
                    continue
                person = (
                    project.responsible_person
                    if unit.pk == project.enterprise_id
                    else CONTACTS[sum(map(ord, unit.name)) % len(CONTACTS)]
                )
                overrides[name] = {"responsible_unit": unit, "responsible_person": person}
            made = services.checklist_create(project=project, template=templates[story.template], overrides=overrides)
            nodes = {n.name: n for n in made}
            counts["checklists"] += 1
            reported: dict = {}
            for day in sorted(story.targets):
                _report(nodes, story, day, reported)
                node, date = story.targets[day]
                services.target_set(project=project, node=node, date=date, as_of=day)
                counts["targets"] += 1
                if day in story.baselines:
                    services.baseline_create(project=project, name=BASELINE_NAMES[day], as_of=day)
                    counts["baselines"] += 1
            _report(nodes, story, PROGRESS_DAY, reported)
        log(
            f"schedules: {counts['checklists']} checklists, {counts['targets']} targets set, "
            f"{counts['baselines']} baselines, progress up to {PROGRESS_DAY.isoformat()}"
        )
    return counts
