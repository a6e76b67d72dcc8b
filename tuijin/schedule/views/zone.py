"""Zone-wide schedule pages: the portfolio Gantt (every project's key nodes, filterable like the ledger) with its
A3 PDF, and the warning board (red and yellow nodes by responsible unit and by leader)."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from tuijin.core.permissions import Action
from tuijin.projects.filtersets import ProjectFilterSet
from tuijin.projects.models import Project

from .. import pdf, selectors
from .common import LEVEL_COLORS, chart_labels, day_of, json_script

GROUPS = (("batch", gettext_lazy("By batch")), ("leader", gettext_lazy("By leader")), ("", gettext_lazy("No grouping")))


def _filterset(request) -> ProjectFilterSet:
    filterset = ProjectFilterSet(request.GET, Project.objects.restrict(request.user, Action.VIEW), request=request)
    for name, field in filterset.form.fields.items():
        field.widget.attrs["class"] = "form-select" if hasattr(field, "choices") else "form-control"
        if name == "as_of":
            field.widget.input_type = "date"
    return filterset


def _group(request) -> str:
    group = request.GET.get("group", "batch")
    return group if group in {g for g, _label in GROUPS} else "batch"


def _portfolio_data(request):
    filterset = _filterset(request)
    group = _group(request)
    data = selectors.portfolio_gantt(filterset.qs, as_of=day_of(request), group=group)
    return filterset, group, data


@login_required
def portfolio(request):
    """Every project's key nodes (签约, 开工, 主体封顶, 竣工验收, 投产, 达效) on one chart, drawn on a canvas with
    virtual scrolling, so 2,000 projects stay usable."""
    filterset, group, data = _portfolio_data(request)
    query = request.GET.copy()
    context = {
        "filterset": filterset,
        "group": group,
        "group_choices": GROUPS,
        "data": data,
        "total": len(data["rows"]),
        "key_pairs": list(zip(data["key_nodes"], data["key_short"], strict=True)),
        "counts": data["counts"],
        "gantt_json": json_script(data, "portfolio-data"),
        "labels_json": json_script(chart_labels(), "gantt-labels"),
        "query": query.urlencode(),
        "container_class": "container-fluid tj-wide",
        "level_colors": LEVEL_COLORS,
    }
    return render(request, "schedule/portfolio.html", context)


@login_required
def portfolio_pdf(request):
    """The portfolio Gantt, as filtered on the page, on A3 landscape pages."""
    _filterset_, group, data = _portfolio_data(request)
    body = pdf.portfolio_pdf(data)
    response = HttpResponse(body, content_type="application/pdf")
    name = f"挂图作战-项目总图-{data['as_of']}.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# The board at zone scale: 2,000 projects give thousands of red and yellow nodes. The overview shows each group
# with its worst rows and a link to the whole group; a group's own page is paged. Either stays a few hundred KB.
GROUP_PREVIEW_ROWS = 6
GROUPS_PER_PAGE = 24
ROWS_PER_PAGE = 100
ERRORS_SHOWN = 10


def _page_number(request) -> str:
    return request.GET.get("page") or "1"


@login_required
def warning_board(request):
    """Red and yellow nodes of the user's projects, grouped by responsible unit and by leader, worst first.
    The figures are those of `tuijin warnings --json` for the same projects and day.

    Without `group`: every group (paged, GROUPS_PER_PAGE a page) with its GROUP_PREVIEW_ROWS worst rows and a link
    to the rest. With `group=NAME`: that group's rows, ROWS_PER_PAGE a page. The filters stay in every link."""
    filterset = _filterset(request)
    as_of = day_of(request)
    payload = selectors.zone_warnings(filterset.qs, as_of=as_of)
    board = selectors.warning_board(payload)
    by = "leader" if request.GET.get("by") == "leader" else "unit"
    groups = board["by_leader"] if by == "leader" else board["by_unit"]
    wanted = request.GET.get("group")
    context = {
        "filterset": filterset,
        "payload": payload,
        "errors_shown": payload["errors"][:ERRORS_SHOWN],
        "errors_more": max(len(payload["errors"]) - ERRORS_SHOWN, 0),
        "as_of": as_of,
        "by": by,
        "unit_count": len(board["by_unit"]),
        "leader_count": len(board["by_leader"]),
        "zone_title": settings.TUIJIN_ZONE_TITLE,
        "group": None,
    }
    if wanted is not None:
        group = next((g for g in groups if g["name"] == wanted), None)
        if group is None:
            raise Http404
        page = Paginator(group["items"], ROWS_PER_PAGE).get_page(_page_number(request))
        context.update({"group": group, "page": page, "groups": [{**group, "rows": page.object_list}]})
    else:
        page = Paginator(groups, GROUPS_PER_PAGE).get_page(_page_number(request))
        context.update(
            {
                "page": page,
                "groups": [
                    {**g, "rows": g["items"][:GROUP_PREVIEW_ROWS], "more": max(len(g["items"]) - GROUP_PREVIEW_ROWS, 0)}
                    for g in page.object_list
                ],
            }
        )
    return render(request, "schedule/warning_board.html", context)
