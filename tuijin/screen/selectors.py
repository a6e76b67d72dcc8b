"""The big screen's figures: one payload for the page's first render and for GET /api/v1/screen.

Nothing is counted here a second time: the batch figures are `campaign_payload`'s (the dashboard and
/api/v1/stats/campaign), the funnel `lifecycle_funnel`'s, investment `investment_payload`'s and the investment
charts' monthly series (the investment dashboard and /api/v1/stats/investment), warnings `zone_warnings`' (the
warning board). Every read starts from `Project.objects.restrict(user, "view")`, so a zone's screen never shows
another region's projects.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.accounts.choices import Role
from tuijin.core.permissions import Action
from tuijin.investment import charts
from tuijin.investment import forecast as fc
from tuijin.investment.choices import GroupBy
from tuijin.investment.models import ReportingRule
from tuijin.investment.selectors import default_through_month, flag, investment_payload, rules_for
from tuijin.projects.models import Project
from tuijin.projects.selectors import Scope, campaign_payload, campaign_rates, lifecycle_funnel, portfolio
from tuijin.regions.models import Region
from tuijin.schedule.selectors import warning_board, zone_warnings

ONE_DECIMAL = Decimal("0.1")
WARNING_ROWS = 12  # the projects with the worst nodes the screen lists (the board has them all)
WARNING_UNITS = 6
RANKING_ROWS = 15
# Outlines vendored from echarts@4.9.0 (tuijin/static/vendor/geo/README.md): a province file by the first two
# digits of the region code, else the country's outline (one feature per province).
GEO_FILES = {"41": "vendor/geo/henan.json"}
GEO_COUNTRY = "vendor/geo/china.json"


class MapState:
    """How a project is drawn on the map (the worst first when two apply)."""

    RED = "red"  # a red schedule warning on one of its nodes
    PRODUCING = "producing"
    STARTED = "started"
    SIGNED = "signed"  # in the list, construction not started yet

    ORDER = (RED, PRODUCING, STARTED, SIGNED)


def may_view(user) -> bool:
    """The big screen is for the office, leaders, departments and viewers; an enterprise sees only its own
    projects, so a campaign-wide wall is not for it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role != Role.ENTERPRISE


def require_view(user) -> None:
    if not may_view(user):
        raise PermissionDenied(_("The big screen is for the project office, leaders, departments and viewers."))


def screen_region(user, code: str | None) -> Region | None:
    """The region asked for by `?region=CODE` (its subtree), if the user may see it; 404 otherwise."""
    if not code:
        return None
    region = Region.objects.restrict(user, Action.VIEW).filter(code=code).first()
    if region is None:
        raise Http404(_("No region with code %(code)s.") % {"code": code})
    return region


def elapsed_percent(month: int) -> Decimal:
    """序时进度 in percent, one decimal (as `investment_payload`'s gap_points counts it)."""
    return (Decimal(100 * month) / 12).quantize(ONE_DECIMAL)


# ---- unit ranking ---------------------------------------------------------------------------------------------------


def unit_ranking(projects, *, year: int, month: int, region: Region | None = None, rule=None) -> list[dict]:
    """Responsible units ranked by their projects' investment completion against 序时进度 (the gap in points,
    best first; equal gaps share a rank: 1, 2, 2, 4), from `investment_payload` grouped by unit — the same figures
    as the investment dashboard's unit view. Units without an annual plan for `year` cannot be ranked and are
    left out, as are projects without a responsible unit.

    A stand-in until assessment scores exist: when the assessment app publishes a period's scores for the
    responsible units, the screen should show that published ranking instead (same row shape: rank, label,
    a score-like figure), and this function can go.
    """
    payload = investment_payload(projects, year=year, month=month, group_by=GroupBy.UNIT, region=region)
    rule = rule or ReportingRule()
    rows = [g for g in payload["groups"] if g["key"] and g["completion_rate"] is not None]
    rows.sort(key=lambda g: (-g["gap_points"], -g["completion_rate"], str(g["label"])))
    out: list[dict] = []
    for i, g in enumerate(rows):
        rank = out[-1]["rank"] if out and out[-1]["gap_points"] == g["gap_points"] else i + 1
        out.append(
            {
                "rank": rank,
                "key": g["key"],
                "label": str(g["label"]),
                "projects": g["projects"],
                "annual_plan": g["annual_plan"],
                "invested_to_date": g["invested_to_date"],
                "completion_rate": g["completion_rate"],
                "gap_points": g["gap_points"],
                "flag": flag(g["completion_rate"], month, rule).value,
            }
        )
    return out


# ---- pieces -----------------------------------------------------------------------------------------------------


def investment_year(projects, as_of: datetime.date) -> tuple[int, int]:
    """The year and month the investment figures cover: the investment dashboard's defaults as of `as_of`
    (the latest year with plans not after it; through the last finished month)."""
    year = charts.default_year(projects, as_of)
    return year, default_through_month(year, as_of)


def monthly_progress(qs, *, year: int, month: int, annual_plan: Decimal) -> list[dict]:
    """Month by month: the plan and what was invested (万元), and cumulative completion (invested so far ÷ the
    year's plan, %) against 序时进度 (M/12, %). Through `month` the cumulative completion ends on the payload's
    `completion_rate`; later months carry the plan only."""
    series = charts.monthly_series(qs, year=year, through_month=month)
    rows = []
    for i, plan in enumerate(series["plan"]):
        m = i + 1
        done = m <= month
        rows.append(
            {
                "month": m,
                "plan": plan,
                "plan_cumulative": series["plan_cumulative"][i],
                "invested": series["actual"][i] if done else None,
                "invested_cumulative": series["actual_cumulative"][i] if done else None,
                "completion_rate": fc.percent(series["actual_cumulative"][i], annual_plan) if done else None,
                "elapsed_percent": elapsed_percent(m),
            }
        )
    return rows


def outline_for(region: Region | None) -> dict:
    """Which vendored outline the map draws and which of its features (empty: all): a city's outline for a
    city or a zone in it (the map then closes in on the zone's projects: `focus`), the province's cities for a
    province, else the country."""
    if region is None:
        return {"url": static(GEO_COUNTRY), "features": [], "name": "china", "focus": "outline"}
    codes = region.path.strip("/").split("/")
    province = codes[0]
    path = GEO_FILES.get(province[:2])
    if path is None:
        return {"url": static(GEO_COUNTRY), "features": [province], "name": "china", "focus": "outline"}
    # A zone is a small part of its city's outline: the map closes in on its projects.
    focus = "points" if len(codes) > 2 else "outline"
    name = path.rsplit("/", 1)[-1].removesuffix(".json")
    return {"url": static(path), "features": codes[1:2], "name": name, "focus": focus}


def map_region(user, region: Region | None) -> Region | None:
    """The region whose outline the map shows: the one asked for, else the user's, else the only top region."""
    if region is not None:
        return region
    if getattr(user, "region_id", None):
        return user.region
    roots = list(Region.objects.filter(parent__isnull=True)[:2])
    return roots[0] if len(roots) == 1 else None


def tile_sources() -> dict:
    """The configured tile server (TUIJIN_MAP_TILES, Leaflet-style {s} {z} {x} {y}; empty: offline outline)."""
    url = (getattr(settings, "TUIJIN_MAP_TILES", "") or "").strip()
    subdomains = getattr(settings, "TUIJIN_MAP_SUBDOMAINS", "") or ""
    return {"url": url, "subdomains": list(subdomains) if "{s}" in url else []}


def map_points(qs, scope: Scope, red_ids: set[int]) -> dict:
    """The scope's listed projects with coordinates as [lng, lat, state, name, id]; the others are counted."""
    rows = portfolio(qs, scope).values_list(
        "id", "name", "longitude", "latitude", "started_on", "production_on", named=True
    )
    points, counts, missing = [], {s: 0 for s in MapState.ORDER}, 0
    for r in rows.order_by("id"):
        if r.id in red_ids:
            state = MapState.RED
        elif r.production_on and r.production_on <= scope.as_of:
            state = MapState.PRODUCING
        elif r.started_on and r.started_on <= scope.as_of:
            state = MapState.STARTED
        else:
            state = MapState.SIGNED
        if r.longitude is None or r.latitude is None:
            missing += 1
            continue
        counts[state] += 1
        points.append([float(r.longitude), float(r.latitude), state, r.name, r.id])
    return {"points": points, "counts": counts, "without_coordinates": missing, "listed": len(points) + missing}


def warnings_summary(qs, as_of: datetime.date) -> tuple[dict, set[int]]:
    """Red and yellow nodes of the user's projects (`zone_warnings`): counts, the projects worst first (each with
    its worst node and how many red and yellow nodes it has), the units with most red (`warning_board`), and the
    ids of projects with a red node."""
    payload = zone_warnings(qs, as_of=as_of)
    board = warning_board(payload)
    red_ids = {i["project_id"] for i in payload["items"] if i["level"] == "red"}
    worst: dict[int, dict] = {}  # one row per project: its worst node (the items come worst first)
    for item in payload["items"]:
        row = worst.get(item["project_id"])
        if row is None:
            worst[item["project_id"]] = row = {**item, "nodes": 0, "red_nodes": 0, "yellow_nodes": 0}
        row[f"{item['level']}_nodes"] += 1
        row["nodes"] += 1
    return (
        {
            "as_of": payload["as_of"],
            "red": payload["red"],
            "yellow": payload["yellow"],
            "red_projects": len(red_ids),
            "items": list(worst.values())[:WARNING_ROWS],
            "units": [
                {"name": g["name"], "red": g["red"], "yellow": g["yellow"], "projects": g["projects"]}
                for g in board["by_unit"][:WARNING_UNITS]
            ],
            "errors": len(payload["errors"]),
        },
        red_ids,
    )


# ---- the payload --------------------------------------------------------------------------------------------------


def screen_payload(user, *, region: Region | None = None, as_of: datetime.date | None = None) -> dict:
    """Everything the big screen shows, for the projects `user` may see in `region` (None: all of theirs), as of
    `as_of` (default today). Money in 万元 (exact), rates in percent with one decimal."""
    require_view(user)
    as_of = as_of or timezone.localdate()
    visible = Project.objects.restrict(user, Action.VIEW)
    qs = visible.in_region(region)
    scope = Scope(as_of=as_of)

    campaign = campaign_payload(qs, scope, region=region)
    year, month = investment_year(visible, as_of)
    investment = investment_payload(visible, year=year, month=month, region=region)
    shown = map_region(user, region)
    rule = rules_for([shown.pk])[shown.pk] if shown is not None else ReportingRule()
    warnings, red_ids = warnings_summary(qs, as_of)
    ranking = unit_ranking(visible, year=year, month=month, region=region, rule=rule)
    return {
        "as_of": as_of.isoformat(),
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "region": {"code": shown.code, "name": shown.name} if shown is not None else None,
        "unit": "万元",
        "campaign": campaign,
        "rates": campaign_rates(campaign),
        "funnel": [{"key": key, "value": n} for key, n in lifecycle_funnel(qs, scope)],
        "investment": {
            **investment,
            "flag": flag(investment["total"]["completion_rate"], month, rule).value,
            "elapsed_percent": elapsed_percent(month),
            "months": monthly_progress(
                qs.order_by(), year=year, month=month, annual_plan=investment["total"]["annual_plan"]
            ),
        },
        "warnings": warnings,
        "ranking": {"year": year, "through_month": month, "count": len(ranking), "rows": ranking[:RANKING_ROWS]},
        "map": {
            **map_points(qs, scope, red_ids),
            "outline": outline_for(shown),
            "tiles": tile_sources(),
        },
        "refresh_seconds": refresh_seconds(),
    }


def refresh_seconds() -> int:
    """How often the page fetches the figures again (TUIJIN_SCREEN_REFRESH_MINUTES, at least one minute)."""
    minutes = getattr(settings, "TUIJIN_SCREEN_REFRESH_MINUTES", 5) or 5
    return max(int(float(minutes) * 60), 60)
