"""What tuijin ships: the node templates and the holiday calendar, loaded by a data migration.

Both loaders take the model classes (the migration passes its historical models) and skip what is already
there, so running them again changes nothing. Shipped rows are reference data installed with the schema:
they are written without change records, like any other migration.
"""

from __future__ import annotations

import json
from pathlib import Path

from .calendar import FIXTURE as HOLIDAYS
from .calendar import fixture_days

TEMPLATES = Path(__file__).with_name("fixtures") / "templates.json"


def shipped_templates() -> list[dict]:
    return json.loads(TEMPLATES.read_text(encoding="utf-8"))["templates"]


def install_templates(NodeTemplate, TemplateNode, TemplateDependency) -> int:  # noqa: N803 - model classes
    """Create the shipped templates that do not exist yet (by name). Returns how many were created."""
    created = 0
    has_default = NodeTemplate.objects.filter(is_default=True).exists()
    for spec in shipped_templates():
        if NodeTemplate.objects.filter(name=spec["name"]).exists():
            continue
        template = NodeTemplate.objects.create(
            name=spec["name"],
            description=spec.get("description", ""),
            is_default=bool(spec.get("default")) and not has_default,
        )
        nodes = {}
        for order, node in enumerate(spec["nodes"], start=1):
            nodes[node["name"]] = TemplateNode.objects.create(
                template=template,
                name=node["name"],
                order=order,
                duration=node.get("duration"),
                calendar=node.get("calendar", "work"),
                department=node.get("department", ""),
                milestone=node.get("milestone", ""),
            )
        for link in spec["links"]:
            pred, succ, *rest = link
            TemplateDependency.objects.create(
                predecessor=nodes[pred],
                successor=nodes[succ],
                type=rest[0] if rest else "FS",
                lag=rest[1] if len(rest) > 1 else 0,
            )
        created += 1
    return created


def install_calendar(CalendarDay) -> int:  # noqa: N803 - a model class
    """Create the shipped holiday and adjusted-working-day rows for dates not listed yet."""
    have = set(CalendarDay.objects.values_list("date", flat=True))
    rows = [CalendarDay(date=d, is_workday=work, name=name) for d, work, name in fixture_days() if d not in have]
    CalendarDay.objects.bulk_create(rows)
    return len(rows)


def install_calendar_years(CalendarYear) -> int:  # noqa: N803 - a model class
    """Create a CalendarYear row (source, provisional) for each year of the shipped holiday file not listed yet."""
    data = json.loads(HOLIDAYS.read_text(encoding="utf-8"))["years"]
    have = set(CalendarYear.objects.values_list("year", flat=True))
    rows = [
        CalendarYear(year=int(y), source=spec.get("source", ""), provisional=bool(spec.get("provisional")))
        for y, spec in sorted(data.items())
        if int(y) not in have
    ]
    CalendarYear.objects.bulk_create(rows)
    return len(rows)
