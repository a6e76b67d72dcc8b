"""The office's reference data for schedules: node templates (list, create or copy, edit every node with its
duration, calendar, department and predecessors) and the working-day calendar (per year: holidays and adjusted
working weekends, 调休). Everyone signed in may look; only the project office writes (`core.permissions`), and
every write goes through `services`, so it lands in the change log. A bad edit writes nothing and says why."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tuijin.core.permissions import Action, can

from .. import services
from ..forms import (
    CalendarDayForm,
    CalendarYearForm,
    TemplateAddForm,
    TemplateForm,
    TemplateNodeFormSet,
    format_predecessors,
    parse_predecessors,
)
from ..models import CalendarDay, CalendarYear, NodeTemplate, TemplateDependency
from .common import error_text, require

# --- templates ----------------------------------------------------------------------------------------------


def _template(request, pk: int) -> NodeTemplate:
    return get_object_or_404(NodeTemplate.objects.restrict(request.user, Action.VIEW), pk=pk)


def _rows(template: NodeTemplate) -> list[dict]:
    """The template's nodes in order, each with its predecessors as (name, type, lag)."""
    nodes = list(template.nodes.order_by("order", "id"))
    preds: dict[int, list[tuple[str, str, int]]] = {}
    for s, p, t, lag in (
        TemplateDependency.objects.filter(successor__template=template)
        .order_by("predecessor__order", "id")
        .values_list("successor_id", "predecessor__name", "type", "lag")
    ):
        preds.setdefault(s, []).append((p, t, lag))
    return [{"node": n, "text": format_predecessors(preds.get(n.pk, []))} for n in nodes]


@login_required
def template_list(request):
    """Every node template: the default one first, how many nodes each has."""
    templates = NodeTemplate.objects.restrict(request.user, Action.VIEW).annotate(node_count=Count("nodes"))
    return render(
        request,
        "schedule/template_list.html",
        {"templates": templates, "can_add": can(request.user, Action.ADD, NodeTemplate)},
    )


@login_required
def template_detail(request, pk: int):
    template = _template(request, pk)
    return render(
        request,
        "schedule/template_detail.html",
        {"template": template, "rows": _rows(template), "can_change": can(request.user, Action.CHANGE, template)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_add(request):
    """A new template, empty or copied from another (then edited)."""
    require(request.user, Action.ADD, NodeTemplate)
    form = TemplateAddForm(request.POST or None, user=request.user, initial={"copy_from": request.GET.get("copy")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = services.template_create(
                name=data["name"], description=data["description"], copy_from=data["copy_from"], user=request.user
            )
        except ValidationError as exc:
            form.add_error("name", error_text(exc))
        else:
            messages.success(request, _("Template “%(name)s” was created.") % {"name": template.name})
            return redirect("schedule:template_edit", pk=template.pk)
    return render(
        request, "schedule/template_add.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


def _specs(formset) -> list[services.TemplateNodeSpec]:
    specs = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or form.is_blank():
            continue
        specs.append(
            services.TemplateNodeSpec(
                id=data.get("id"),
                name=data["name"].strip(),
                duration=data["duration"],
                calendar=data["calendar"],
                department=data.get("department") or "",
                milestone=data.get("milestone") or "",
                predecessors=parse_predecessors(data.get("predecessors", "")),
            )
        )
    return specs


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk: int):
    """Edit the whole template on one page: its fields and every node (add a row, tick one to remove it).
    Unknown predecessors, cycles, names used twice and missing durations are all reported, naming the nodes,
    and nothing is saved until the template is right."""
    template = _template(request, pk)
    require(request.user, Action.CHANGE, template)
    rows = _rows(template)
    initial = [
        {
            "id": r["node"].pk,
            "name": r["node"].name,
            "duration": r["node"].duration,
            "calendar": r["node"].calendar,
            "department": r["node"].department,
            "milestone": r["node"].milestone,
            "predecessors": r["text"],
        }
        for r in rows
    ]
    form = TemplateForm(
        request.POST or None,
        initial={"name": template.name, "description": template.description, "is_default": template.is_default},
    )
    formset = TemplateNodeFormSet(request.POST or None, initial=initial, prefix="nodes")
    errors: list[str] = []
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                services.template_save(
                    template=template,
                    nodes=_specs(formset),
                    name=data["name"],
                    description=data["description"],
                    is_default=data["is_default"],
                    user=request.user,
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("Template “%(name)s” was saved.") % {"name": template.name})
                return redirect("schedule:template_detail", pk=template.pk)
        else:
            errors = [_("Some rows need attention: see the marked fields.")]
        template.refresh_from_db()
    return render(
        request,
        "schedule/template_edit.html",
        {"template": template, "form": form, "formset": formset, "errors": errors},
        status=400 if request.method == "POST" else 200,
    )


# --- the calendar -------------------------------------------------------------------------------------------


def _year_summary() -> list[dict]:
    """Per listed year: holidays (days off), adjusted working days, where they come from, provisional or not."""
    counts = {
        row["date__year"]: row
        for row in CalendarDay.objects.values("date__year").annotate(
            off=Count("id", filter=Q(is_workday=False)), work=Count("id", filter=Q(is_workday=True))
        )
    }
    years = {y.year: y for y in CalendarYear.objects.all()}
    out = []
    for year in sorted(set(counts) | set(years)):
        info = years.get(year)
        c = counts.get(year, {})
        out.append(
            {
                "year": year,
                "off": c.get("off", 0),
                "work": c.get("work", 0),
                "source": info.source if info else "",
                "provisional": bool(info and info.provisional),
            }
        )
    return out


@login_required
def calendar_overview(request):
    """The listed years at a glance, the provisional ones marked."""
    years = _year_summary()
    this_year = timezone.localdate().year
    listed = {y["year"] for y in years}
    return render(
        request,
        "schedule/calendar.html",
        {
            "years": years,
            "provisional": [y["year"] for y in years if y["provisional"]],
            "next_unlisted": next(y for y in range(this_year, this_year + 50) if y not in listed),
            "can_change": can(request.user, Action.CHANGE, CalendarDay),
        },
    )


def _year_page(request, year: int, *, day_form=None, year_form=None, status=200):
    if not 2000 <= year <= 2060:  # the span the engine's calendar covers
        raise Http404
    info = CalendarYear.objects.filter(year=year).first()
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    weekday = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    can_change = can(request.user, Action.CHANGE, CalendarDay)
    if can_change and day_form is None:
        day_form = CalendarDayForm(year=year, initial={"date": datetime.date(year, 1, 1)})
    if can_change and year_form is None:
        year_form = CalendarYearForm(instance=info)
    return render(
        request,
        "schedule/calendar_year.html",
        {
            "year": year,
            "info": info,
            "rows": [{"day": d, "weekday": weekday[d.date.weekday()], "weekend": d.date.weekday() >= 5} for d in days],
            "off": sum(1 for d in days if not d.is_workday),
            "work": sum(1 for d in days if d.is_workday),
            "can_change": can_change,
            "day_form": day_form,
            "year_form": year_form,
            "previous": year - 1 if year > 2000 else None,
            "next": year + 1 if year < 2060 else None,
        },
        status=status,
    )


@login_required
def calendar_year(request, year: int):
    """One year's listed days: holidays off, adjusted working weekends on; everything else follows the weekend."""
    return _year_page(request, year)


@login_required
@require_POST
def calendar_day_add(request, year: int):
    require(request.user, Action.ADD, CalendarDay)
    form = CalendarDayForm(request.POST, year=year)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.calendar_day_add(
                day=data["date"], is_workday=data["is_workday"], name=data["name"], user=request.user
            )
        except ValidationError as exc:
            form.add_error("date", error_text(exc))
        else:
            messages.success(request, _("%(date)s was listed.") % {"date": data["date"].isoformat()})
            return redirect("schedule:calendar_year", year=year)
    return _year_page(request, year, day_form=form, status=400)


@login_required
@require_POST
def calendar_day_remove(request, pk: int):
    day = get_object_or_404(CalendarDay.objects.restrict(request.user, Action.VIEW), pk=pk)
    require(request.user, Action.DELETE, day)
    services.calendar_day_remove(day=day, user=request.user)
    messages.success(request, _("%(date)s follows the weekend rule again.") % {"date": day.date.isoformat()})
    return redirect("schedule:calendar_year", year=day.date.year)


@login_required
@require_POST
def calendar_year_edit(request, year: int):
    require(request.user, Action.CHANGE, CalendarDay)
    info = CalendarYear.objects.filter(year=year).first()
    form = CalendarYearForm(request.POST, instance=info)
    if form.is_valid():
        data = form.cleaned_data
        services.calendar_year_change(
            year=year, source=data["source"], provisional=data["provisional"], user=request.user
        )
        messages.success(request, _("The year %(year)s was saved.") % {"year": year})
        return redirect("schedule:calendar_year", year=year)
    return _year_page(request, year, year_form=form, status=400)
