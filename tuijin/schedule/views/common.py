"""What the schedule views share: scoped look-ups, the as-of day, level badges, JSON for the charts."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tuijin.core.permissions import Action, can
from tuijin.core.renderers import dumps
from tuijin.projects.models import Project

from ..choices import Level
from ..models import ProjectNode

LEVEL_COLORS = {"red": "#d63939", "yellow": "#f59f00", "green": "#2fb344", "done": "#667382"}


def visible_project(request, pk: int) -> Project:
    """The project if the user may see it; 404 otherwise (out of scope looks like absent)."""
    qs = Project.objects.restrict(request.user, Action.VIEW).select_related("region", "enterprise", "leader")
    return get_object_or_404(qs, pk=pk)


def visible_node(request, pk: int) -> ProjectNode:
    qs = ProjectNode.objects.restrict(request.user, Action.VIEW).select_related(
        "project__region", "project__enterprise", "project__leader", "responsible_unit"
    )
    return get_object_or_404(qs, pk=pk)


def require(user, action: str, obj) -> None:
    if not can(user, action, obj):
        raise PermissionDenied


def day_of(request) -> datetime.date:
    """The day schedules are computed as of: `?on=YYYY-MM-DD`, else today."""
    value = request.GET.get("on", "")
    try:
        return datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def level_badge(level: str) -> dict:
    try:
        member = Level(level)
    except ValueError:
        return {"label": level, "color": "secondary", "value": level}
    return {"label": member.label, "color": member.color, "value": level}


def json_script(data, element_id: str) -> str:
    """Like Django's json_script, through orjson (the portfolio's 2,000 rows serialise in milliseconds)."""
    text = dumps(data).decode().replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return mark_safe(f'<script id="{element_id}" type="application/json">{text}</script>')


def error_text(exc: Exception) -> str:
    """One readable sentence from a ValidationError or a ScheduleError."""
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return getattr(exc, "message", None) or str(exc)


def chart_labels() -> dict:
    """The chart's words, translated on the server (the JS has no gettext)."""
    return {
        "today": _("Today"),
        "target": _("Target"),
        "actual": _("Actual"),
        "forecast": _("Forecast"),
        "latest": _("Latest window (backward scheduled)"),
        "baseline": _("Baseline"),
        "critical": _("Critical path"),
        "planned": _("Planned"),
        "earliest": _("Earliest"),
        "latestShort": _("Latest"),
        "float": _("Float"),
        "days": _("days"),
        "unit": _("Responsible unit"),
        "status": _("Status"),
        "late": _("days late"),
        "levels": {level.value: str(level.label) for level in Level},
        "error": _("Cannot be scheduled"),
        "projects": _("projects"),
    }
