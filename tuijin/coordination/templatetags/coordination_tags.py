"""Coordination bits for every page: the inbox's unread count (user menu) and days overdue / left."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def inbox_unread(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    from ..notifications import inbox

    return inbox(user, unread_only=True).count()


@register.simple_tag
def due_badge(days_overdue, days_left=None):
    """'Overdue N days' in red, 'N days left' in yellow (a week or less) or plain, for a deadline cell."""
    if days_overdue:
        return format_html(
            '<span class="badge bg-red text-red-fg tj-badge" data-overdue="{}">{}</span>',
            days_overdue,
            _("Overdue %(n)s days") % {"n": days_overdue},
        )
    if days_left is None:
        return ""
    if days_left == 0:
        return format_html('<span class="badge bg-orange-lt tj-badge">{}</span>', _("Due today"))
    color = "yellow" if days_left <= 7 else "secondary"
    return format_html(
        '<span class="badge bg-{}-lt tj-badge">{}</span>', color, _("%(n)s days left") % {"n": days_left}
    )


def _choices():
    from .. import choices

    return {
        "task": choices.TaskState,
        "problem": choices.ProblemState,
        "level": choices.ProblemLevel,
        "meeting": choices.MeetingKind,
        "attendance": choices.Attendance,
        "outcome": choices.OutcomeKind,
        "extension": choices.ExtensionState,
        "ladder": choices.SupervisionLevel,
    }


@register.filter
def cbadge(value, kind: str):
    """A badge in the coordination choice's colour: `{{ task.state|cbadge:"task" }}`."""
    if value in (None, ""):
        return ""
    try:
        member = _choices()[kind](value)
    except ValueError:
        return value
    color = getattr(member, "color", "secondary")
    return format_html('<span class="badge bg-{}-lt tj-badge">{}</span>', color, member.label)
