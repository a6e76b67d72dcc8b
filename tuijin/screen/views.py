"""The big screen page: rendered with the figures on the server, then refreshed from GET /api/v1/screen by
screen.js every few minutes without reloading (the charts' options and the figures in place)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tuijin.core.middleware import CSP
from tuijin.projects.choices import Batch
from tuijin.projects.filtersets import REACHED_CHOICES
from tuijin.projects.views.dashboard import BATCH_MILESTONES
from tuijin.schedule.views.common import json_script

from .selectors import MapState, require_view, screen_payload, screen_region

MIN_REFRESH_SECONDS = 5  # ?refresh=N may shorten the interval (a test, a demonstration), never below this


def _as_of(request) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(request.GET.get("as_of", "")) or None
    except ValueError:
        return None


def _refresh_seconds(request, default: int) -> int:
    try:
        return max(int(request.GET["refresh"]), MIN_REFRESH_SECONDS)
    except (KeyError, ValueError):
        return default


def _tile_origins(tiles: dict) -> list[str]:
    """The tile server's origins for the page's Content-Security-Policy (one per {s} letter)."""
    url = tiles["url"]
    if not url:
        return []
    urls = [url.replace("{s}", s) for s in tiles["subdomains"]] or [url]
    origins = []
    for u in urls:
        parts = urlsplit(u)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


def _labels() -> dict:
    """Words the charts draw, translated here (screen.js has no gettext)."""
    return {
        "funnel": {
            "listed": _("Listed"),
            "signed": _("Signed"),
            "started": _("Started"),
            "in_production": _("In production"),
            "effective": _("Effective"),
        },
        "month": _("Month %(m)s"),
        "plan": _("Monthly plan"),
        "invested": _("Invested"),
        "completion": _("Completion (cumulative)"),
        "elapsed": _("序时进度"),
        "yi": _("亿元"),
        "projects": _("projects"),
        "states": {
            MapState.RED: _("Red warning"),
            MapState.PRODUCING: _("In production"),
            MapState.STARTED: _("Under construction"),
            MapState.SIGNED: _("Signed, not started"),
        },
        "days_late": _("%(n)s days late"),
        "no_warnings": _("No red or yellow nodes."),
        "no_ranking": _("No unit has an annual plan yet."),
        "refreshed": _("Updated %(time)s"),
        "failed": _("Refresh failed (%(reason)s); showing the figures of %(time)s"),
        "signed_out": _("Signed out: sign in again to resume refreshing"),
        "tiles": _("Online map"),
        "offline": _("Offline outline map"),
        "without_coordinates": _("%(n)s listed projects have no coordinates and are not on the map"),
        "all_located": _("All listed projects are on the map"),
    }


@login_required
@require_GET
def index(request):
    """The command room's wall: the campaign's figures for the user's region (or `?region=CODE`)."""
    require_view(request.user)
    region = screen_region(request.user, request.GET.get("region"))
    as_of = _as_of(request)
    payload = screen_payload(request.user, region=region, as_of=as_of)
    params = {k: v for k, v in {"region": region.code if region else None, "as_of": as_of}.items() if v}
    api_url = reverse("api:screen") + (f"?{urlencode(params)}" if params else "")
    campaign = payload["campaign"]
    reached = dict(REACHED_CHOICES)
    cards = []
    for b in Batch:
        figures = campaign["batches"][b.value]
        milestones = [{"key": k, "label": reached[k], "count": figures[k]} for k in BATCH_MILESTONES[b]]
        cards.append({"key": b.value, "label": b.label, "figures": figures, "milestones": milestones})
    labels = _labels()
    legend = [{"state": s, "label": labels["states"][s], "count": payload["map"]["counts"][s]} for s in MapState.ORDER]
    refresh = _refresh_seconds(request, payload["refresh_seconds"])
    if refresh % 60:
        refresh_text = _("Refreshes every %(n)s s") % {"n": refresh}
    else:
        refresh_text = _("Refreshes every %(n)s min") % {"n": refresh // 60}
    name = payload["region"]["name"] if payload["region"] else _("All regions")
    context = {
        "payload": payload,
        "title": _("%(region)s “Three Batches” project command screen") % {"region": name},
        "cards": cards,
        "total": campaign["total"],
        "investment": payload["investment"],
        "warnings": payload["warnings"],
        "ranking": payload["ranking"],
        "map": payload["map"],
        "plan_year": payload["as_of"][:4],
        "legend": legend,
        "refresh": refresh,
        "refresh_text": refresh_text,
        "time_zone": settings.TIME_ZONE,
        "api_url": api_url,
        "payload_json": json_script(payload, "screen-data"),
        "labels_json": json_script(labels, "screen-labels"),
    }
    response = render(request, "screen/index.html", context)
    origins = _tile_origins(payload["map"]["tiles"])
    if origins:  # let the browser fetch the configured tiles (the site's policy allows only its own images)
        response["Content-Security-Policy"] = CSP.replace("img-src 'self'", "img-src 'self' " + " ".join(origins))
    return response
