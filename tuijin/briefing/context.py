"""The figures a briefing template reads: a registry of context providers over the dashboards' own selectors.

Every number comes from the payload the dashboard, the CLI and the API already serve, computed the same way:

    ledger        projects.selectors.campaign_payload (+ campaign_rates)   = GET /api/v1/stats/campaign?as_of=&region=
    investment    investment.selectors.investment_payload by batch, by unit and by region, and
                  investment.charts.monthly_series                          = GET /api/v1/stats/investment?year=&month=
    warnings      schedule.selectors.zone_warnings + warning_board          = tuijin warnings --as-of --region --json
    coordination  coordination.selectors.coordination_payload over the week, the month, the year and all time
                  (+ supervision_board, the meetings of the week)          = GET /api/v1/stats/coordination?from=&to=

A provider is `function(region, as_of) -> dict` of plain data (dicts, lists, str, int, Decimal, None: no model
instances). `PROVIDERS` maps the name a template uses (`{{ ledger.total.count }}`) to it; another app adds its own
with `register("assessment", fn)` (e.g. from its AppConfig.ready), and templates can use it at once.

Providers run lazily: the context holds a memoised callable per provider, which Django's template engine calls
the first time a template reads the name, so a template that does not mention the warnings never schedules
them. The figures are the whole region's (every project in its subtree), as the CLI's statistics are: a briefing
is the office's paper for its zone, and only offices with the region in their scope generate one.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable
from decimal import Decimal

from django.utils import translation

from tuijin.core.docx import cn_date, issuing_unit

Provider = Callable[[object, datetime.date], dict]
PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider | None = None):
    """Add a context provider under `name` (usable as a decorator). Re-registering a name replaces it."""

    def add(fn: Provider) -> Provider:
        PROVIDERS[name] = fn
        return fn

    return add(provider) if provider is not None else add


# ---- dates and the region ----


def through_month(as_of: datetime.date) -> int:
    """The last month whose figures are complete on `as_of`: its own month on its last day, else the month before
    (January counts as 1, like investment.selectors.default_through_month)."""
    last_day = calendar.monthrange(as_of.year, as_of.month)[1]
    return as_of.month if as_of.day == last_day else max(as_of.month - 1, 1)


def date_context(as_of: datetime.date) -> dict:
    last_day = calendar.monthrange(as_of.year, as_of.month)[1]
    week_start = as_of - datetime.timedelta(days=6)
    return {
        "iso": as_of.isoformat(),
        "year": as_of.year,
        "month": as_of.month,
        "day": as_of.day,
        "cn": cn_date(as_of),
        "month_end": as_of.day == last_day,
        # "11月底" on the last day of the month, else "11月15日": the 截至 of the sentences
        "cut": f"{as_of.month}月底" if as_of.day == last_day else f"{as_of.month}月{as_of.day}日",
        "through_month": through_month(as_of),
        "week_start": week_start.isoformat(),
        "week_start_cn": cn_date(week_start),
        "month_start": as_of.replace(day=1).isoformat(),
        "year_start": as_of.replace(month=1, day=1).isoformat(),
    }


SCOPE_WORD = {"province": "全省", "city": "全市", "county": "全区"}


def region_context(region) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level, "scope": SCOPE_WORD[region.level]}


# ---- providers ----


def _projects(region):
    from tuijin.projects.models import Project

    return Project.objects.in_region(region)


@register("ledger")
def ledger_provider(region, as_of: datetime.date) -> dict:
    """The campaign figures per batch and in total (the statistics contract), the chain of rates, and the batches
    as a list with their Chinese names for loops."""
    from tuijin.projects.choices import Batch
    from tuijin.projects.selectors import Scope, campaign_payload, campaign_rates

    payload = campaign_payload(_projects(region), Scope(as_of=as_of), region=region)
    labels = {b.value: BATCH_WORD.get(b.value, str(b.label)) for b in Batch}
    return {
        **payload,
        "rates": campaign_rates(payload),
        "batch_list": [{"key": k, "label": labels[k], **v} for k, v in payload["batches"].items()],
    }


BATCH_WORD = {"signed": "签约一批", "started": "开工一批", "production": "投产一批"}


def _group_out(g: dict) -> dict:
    return {**g, "label": str(g["label"]), "risk": dict(g["risk"])}


@register("investment")
def investment_provider(region, as_of: datetime.date) -> dict:
    """Completion against 序时进度 and the year-end forecast for the year of `as_of` through its last complete
    month: in total, by batch, by responsible unit and by region (the level below), with each unit's flag by the
    zone's thresholds; and the month-by-month plan and actual of the dashboard's chart."""
    from tuijin.investment import charts
    from tuijin.investment.choices import GroupBy
    from tuijin.investment.selectors import flag, investment_payload, rules_for
    from tuijin.projects.models import Project

    year, month = as_of.year, through_month(as_of)
    everything = Project.objects.all()
    by_batch = investment_payload(everything, year=year, month=month, group_by=GroupBy.BATCH, region=region)
    by_unit = investment_payload(everything, year=year, month=month, group_by=GroupBy.UNIT, region=region)
    by_region = investment_payload(everything, year=year, month=month, group_by=GroupBy.REGION, region=region)
    rule = rules_for([region.pk])[region.pk]
    units = []
    for g in by_unit["groups"]:
        units.append({**_group_out(g), "flag": str(flag(g["completion_rate"], month, rule).value)})
    series = charts.monthly_series(_projects(region), year=year, through_month=month)
    total = _group_out(by_batch["total"])
    regions = [_group_out(g) for g in by_region["groups"]]
    return {
        "year": year,
        "through_month": month,
        "unit": "万元",
        "elapsed": (Decimal(100 * month) / 12).quantize(Decimal("0.1")),  # 序时进度 in percent, as gap_points uses
        "total": {**total, "flag": str(flag(total["completion_rate"], month, rule).value)},
        "groups": [_group_out(g) for g in by_batch["groups"]],
        "batches": {g["key"]: _group_out(g) for g in by_batch["groups"] if g["key"]},
        "by_unit": units,
        "units_behind": sorted(
            (u for u in units if u["gap_points"] is not None and u["gap_points"] < 0), key=lambda u: u["gap_points"]
        ),
        "units_red": [u for u in units if u["flag"] == "red" and u["projects"]],
        "by_region": regions,
        "regions_behind": sorted(
            (g for g in regions if g["gap_points"] is not None and g["gap_points"] < 0), key=lambda g: g["gap_points"]
        ),
        "monthly": {k: list(v) for k, v in series.items()},
    }


@register("warnings")
def warnings_provider(region, as_of: datetime.date) -> dict:
    """The red and yellow nodes of the region's projects as of the day (倒排工期), worst first, grouped by
    responsible unit and by leader as on the warning board."""
    from tuijin.schedule.selectors import warning_board, zone_warnings

    payload = zone_warnings(_projects(region), as_of=as_of)
    board = warning_board(payload)
    red_items = [i for i in payload["items"] if i["level"] == "red"]

    def groups(rows):
        return [{k: g[k] for k in ("name", "red", "yellow", "projects")} for g in rows]

    return {
        "red": payload["red"],
        "yellow": payload["yellow"],
        "projects": len({i["project_id"] for i in payload["items"]}),
        "red_projects": len({i["project_id"] for i in red_items}),
        "red_items": red_items,
        "red_units": [g for g in groups(board["by_unit"]) if g["red"]],
        "yellow_items": [i for i in payload["items"] if i["level"] == "yellow"],
        "by_unit": groups(board["by_unit"]),
        "by_leader": groups(board["by_leader"]),
        "errors": len(payload["errors"]),
    }


@register("coordination")
def coordination_provider(region, as_of: datetime.date) -> dict:
    """The coordination statistics over four windows ending on `as_of`: `week` (the 7 days to it), `month` (from
    the 1st), `year` (from 1 January) and `all`; the meetings of the week; the overdue tasks and problems
    (the supervision board) and the open tasks due in the next 7 days."""
    from tuijin.coordination.choices import TASK_ACTIVE_STATES
    from tuijin.coordination.documents import MEETING_WORD
    from tuijin.coordination.models import Meeting, Problem, Task
    from tuijin.coordination.selectors import coordination_payload, supervision_board

    def window(date_from: datetime.date | None) -> dict:
        payload = coordination_payload(
            tasks=Task.objects.all(),
            problems=Problem.objects.all(),
            meetings=Meeting.objects.all(),
            date_from=date_from,
            date_to=as_of,
            region=region,
        )
        problems = payload["problems"]
        problems["unsolved"] = problems["raised"] - problems["solved"]
        return payload

    week_start = as_of - datetime.timedelta(days=6)
    tasks = Task.objects.filter(region__path__startswith=region.path)
    problems = Problem.objects.filter(region__path__startswith=region.path)
    meetings = Meeting.objects.filter(region__path__startswith=region.path, date__gte=week_start, date__lte=as_of)
    overdue = []
    for row in supervision_board(tasks, problems, as_of):
        obj = row["obj"]
        overdue.append(
            {
                "item": row["item"],
                "what": "交办事项" if row["item"] == "task" else "问题",
                "content": obj.content if row["item"] == "task" else obj.description,
                "unit": row["unit"].name if row["unit"] else "",
                "leader": row["leader"].name if row["leader"] else "",
                "deadline": obj.deadline.isoformat() if obj.deadline else None,
                "days": row["days"],
            }
        )
    due = (
        tasks.filter(state__in=TASK_ACTIVE_STATES, deadline__gte=as_of, deadline__lte=as_of + datetime.timedelta(7))
        .select_related("lead_unit")
        .order_by("deadline", "pk")
    )
    return {
        "week": window(week_start),
        "month": window(as_of.replace(day=1)),
        "year": window(as_of.replace(month=1, day=1)),
        "all": window(None),
        "meetings_week": [
            {
                "date": m.date.isoformat(),
                "kind": m.kind,
                "number": m.number,
                "label": m.number_label,
                "name": m.title or f"{region.name}重点项目建设{MEETING_WORD.get(m.kind, '会议')}",
            }
            for m in meetings.order_by("date", "number")
        ],
        "overdue_items": overdue,
        "due_soon": [{"content": t.content, "unit": t.lead_unit.name, "deadline": t.deadline.isoformat()} for t in due],
    }


# ---- the context ----


class Lazy:
    """A provider's figures, computed the first time a template (or a table) asks for them."""

    def __init__(self, fn: Provider, region, as_of: datetime.date, cache: dict | None = None, name: str = ""):
        self.fn, self.region, self.as_of, self.cache, self.name = fn, region, as_of, cache, name
        self._value = None

    def __call__(self) -> dict:
        if self._value is None:
            key = (self.name, self.region.pk, self.as_of)
            if self.cache is not None and key in self.cache:
                self._value = self.cache[key]
            else:
                with translation.override("zh-hans"):  # the paper's words, whatever the reader's language
                    self._value = self.fn(self.region, self.as_of)
                if self.cache is not None:
                    self.cache[key] = self._value
        return self._value


def build_context(
    region, as_of: datetime.date, *, number: int = 0, issuer: str | None = None, cache: dict | None = None
) -> dict:
    """The template context for a briefing of `region` as of `as_of`: the date, the region, the issue number and
    the issuing unit, and every registered provider (lazily)."""
    year = as_of.year
    context = {
        "region": region_context(region),
        "date": date_context(as_of),
        "as_of": as_of.isoformat(),
        "number": number,
        "number_label": f"〔{year}〕第{number}期" if number else "",
        "issuer": issuer if issuer is not None else issuing_unit(region),
    }
    for name, fn in PROVIDERS.items():
        context[name] = Lazy(fn, region, as_of, cache, name)
    return context


def resolved(context: dict, name: str) -> dict:
    """A provider's figures from a context made by build_context (computing them if needed)."""
    value = context[name]
    return value() if callable(value) else value
