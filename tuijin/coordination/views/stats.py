"""The coordination statistics page (协调推进统计): meetings held, tasks by lead unit and by leader, problems by
category, level and state, over a window and a region — the numbers of `coordination_payload` (the contract of
`tuijin stats coordination` and GET /api/v1/stats/coordination) and `coordination_breakdown`, counting only what the
user may see. Every figure links to the list of exactly the rows it counts."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import json_script
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tuijin.core.permissions import Action

from ..forms import NO_LEADER
from ..forms_stats import StatsForm, quick_windows
from ..models import Meeting, Problem, Task
from ..selectors import TASK_FIGURES, coordination_breakdown, coordination_payload, stats_dates
from .common import require_view

TASK_LINK_FIGURES = ("assigned", *TASK_FIGURES)


def _link(path: str, params: dict) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return path + (f"?{query}" if query else "")


class Links:
    """The list URL behind each figure: the window and region as the list's filters, plus the figure's own."""

    def __init__(self, date_from, date_to, region):
        start = date_from.isoformat() if date_from else None
        code = region.code if region is not None else None
        self.tasks = {"assigned_from": start, "assigned_to": date_to.isoformat(), "region": code}
        self.problems = {"raised_from": start, "raised_to": date_to.isoformat(), "region": code}
        self.task_path, self.problem_path = reverse("coordination:task_list"), reverse("coordination:problem_list")

    def task(self, figure: str = "assigned", **params) -> str:
        extra = {} if figure == "assigned" else {"figure": figure}
        return _link(self.task_path, {**self.tasks, **params, **extra})

    def task_row(self, **params) -> dict:
        return {f: self.task(f, **params) for f in TASK_LINK_FIGURES}

    def problem(self, **params) -> str:
        return _link(self.problem_path, {**self.problems, **params})


def _meetings_link(date_from, date_to) -> str:
    """The meeting list filters by year only: link to the year when the window lies within one."""
    if date_from and date_from.year == date_to.year:
        return _link(reverse("coordination:meeting_list"), {"year": date_to.year})
    return reverse("coordination:meeting_list")


def _chart_data(detail: dict, links: Links) -> dict:
    units = detail["by_unit"]
    categories = detail["problems"]["by_category"]
    return {
        "units": {
            "names": [u["name"] for u in units],
            "series": [
                {"key": f, "data": [u[f] for u in units], "links": [u["links"][f] for u in units]}
                for f in ("closed_on_time", "closed_late", "open", "overdue")
            ],
        },
        "categories": {
            "names": [c["name"] for c in categories],
            "series": [
                {"key": f, "data": [c[f] for c in categories], "links": [c["links"][f] for c in categories]}
                for f in ("solved", "unsolved")
            ],
        },
        "labels": {
            "closed_on_time": _("Closed on time"),
            "closed_late": _("Closed late"),
            "open": _("Open, not overdue"),
            "overdue": _("Overdue"),
            "solved": _("Solved"),
            "unsolved": _("Not solved"),
        },
    }


@login_required
@require_GET
def stats(request):
    user = request.user
    require_view(user, Task)  # an enterprise has no tasks, hence no statistics page
    today = timezone.localdate()
    windows = quick_windows(today)
    this_year = next(w for w in windows if w["key"] == "year")
    form = StatsForm(request.GET or None, user=user, initial={"from": this_year["from"], "to": this_year["to"]})
    date_from, date_to, region = this_year["from"], this_year["to"], None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if d["from"] or d["to"]:
            date_from, date_to = d["from"], d["to"] or today
        region = d["region"]
    date_to, as_of = stats_dates(date_to, today)
    window = {"date_from": date_from, "date_to": date_to, "region": region, "today": today}
    tasks = Task.objects.restrict(user, Action.VIEW)
    problems = Problem.objects.restrict(user, Action.VIEW)
    payload = coordination_payload(
        tasks=tasks, problems=problems, meetings=Meeting.objects.restrict(user, Action.VIEW), **window
    )
    detail = coordination_breakdown(tasks=tasks, problems=problems, **window)

    links = Links(date_from, date_to, region)
    for u in detail["by_unit"]:
        u["links"] = links.task_row(unit=u["id"])
    for r in detail["by_leader"]:
        r["links"] = links.task_row(leader=r["id"] if r["id"] is not None else NO_LEADER)
    pd = detail["problems"]
    for c in pd["by_category"]:
        c["links"] = {
            "raised": links.problem(category=c["id"]),
            "solved": links.problem(category=c["id"], figure="solved"),
            "unsolved": links.problem(category=c["id"], figure="unsolved"),
        }
    for lv in pd["by_level"]:
        lv["links"] = {
            "raised": links.problem(level=lv["level"]),
            "solved": links.problem(level=lv["level"], figure="solved"),
            "unsolved": links.problem(level=lv["level"], figure="unsolved"),
        }
    for s in pd["by_state"]:
        s["link"] = links.problem(state=s["state"])

    current = {"from": date_from, "to": date_to}
    for w in windows:
        params = {"from": w["from"].isoformat(), "to": w["to"].isoformat(), "region": region.code if region else None}
        w["url"] = _link(reverse("coordination:stats"), params)
        w["active"] = {"from": w["from"], "to": w["to"]} == current
    context = {
        "form": form,
        "windows": windows,
        "date_from": date_from,
        "date_to": date_to,
        "as_of": as_of,
        "region": region,
        "payload": payload,
        "detail": detail,
        "links": {
            "meetings": _meetings_link(date_from, date_to),
            "tasks": links.task_row(),
            "problems": {
                "raised": links.problem(),
                "solved": links.problem(figure="solved"),
                "unsolved": links.problem(figure="unsolved"),
            },
        },
        "open_levels": [
            {**lv, "n": payload["problems"]["open_by_level"][lv["level"]]} for lv in detail["problems"]["by_level"]
        ],
        "chart_json": json_script(_chart_data(detail, links), "coordination-stats-data"),
    }
    return render(request, "coordination/stats.html", context)
