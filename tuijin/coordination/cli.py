"""`tuijin stats coordination`: the options and the table, for the shared `stats` command."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from .models import Meeting, Problem, Task
from .selectors import coordination_payload


def _date(command, value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        command.fail(_("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": value})


def stats_payload(command, options: dict, region) -> dict:
    date_from, date_to = _date(command, options.get("date_from")), _date(command, options.get("date_to"))
    if date_from and date_to and date_from > date_to:
        command.fail(_("--from %(a)s is after --to %(b)s.") % {"a": date_from, "b": date_to})
    return coordination_payload(
        tasks=Task.objects.all(),
        problems=Problem.objects.all(),
        meetings=Meeting.objects.all(),
        date_from=date_from,
        date_to=date_to,
        region=region,
    )


def print_stats(out, payload: dict) -> None:
    t, p = payload["tasks"], payload["problems"]
    out.write(_("Meetings held: %(n)s") % {"n": payload["meetings"]})
    out.write(_("Tasks: %(assigned)s assigned, %(closed)s closed, %(closed_on_time)s on time, %(overdue)s overdue") % t)
    if t["avg_days_to_close"] is not None:
        out.write(_("Average days to close: %(n)s") % {"n": t["avg_days_to_close"]})
    levels = p["open_by_level"]
    out.write(
        _("Problems: %(raised)s raised, %(solved)s solved; open: zone %(zone)s, city %(city)s, province %(province)s")
        % {**p, **levels}
    )
    for u in payload["by_unit"]:
        out.write(f"{u['unit']:24} {u['tasks_assigned']:>5} {u['tasks_closed_on_time']:>5} {u['overdue']:>5}")
