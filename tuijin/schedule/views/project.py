"""A project's schedule page (一个清单 + 挂图作战): the checklist, the target, feasibility, the Gantt, baselines;
the node, progress and baseline forms; the A3 PDF."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tuijin.core.permissions import Action, can

from .. import cpm, pdf, selectors, services
from ..choices import Milestone
from ..forms import BaselineForm, ChecklistForm, LinkFormSet, NodeForm, ReportForm, TargetForm
from ..models import CalendarDay, CalendarYear, NodeDependency, ProjectNode, ScheduleTarget
from .common import (
    chart_labels,
    day_of,
    error_text,
    json_script,
    level_badge,
    require,
    visible_node,
    visible_project,
)


def _schedule_url(project, baseline_id=None) -> str:
    url = reverse("schedule:project", args=[project.pk])
    return f"{url}?baseline={baseline_id}" if baseline_id else url


def _load(project, as_of: datetime.date):
    """The checklist rows, links and the schedule (or the error that stops it)."""
    nodes = list(ProjectNode.objects.filter(project=project).select_related("responsible_unit").order_by("order", "id"))
    links = list(
        NodeDependency.objects.filter(successor__project=project)
        .select_related("predecessor", "successor")
        .order_by("successor__order", "predecessor__order", "id")
    )
    result, error = None, None
    if nodes:
        try:
            _rows, result = selectors.project_schedule(project, as_of=as_of)
        except cpm.ScheduleError as exc:
            error = exc
    return nodes, links, result, error


def _chosen_baseline(request, project):
    baselines = list(project.baselines.all())
    wanted = request.GET.get("baseline", "")
    if wanted == "none":
        return baselines, None
    for b in baselines:
        if str(b.pk) == wanted:
            return baselines, b
    return baselines, (baselines[0] if baselines else None)


def _page(request, project, *, target_form=None, baseline_form=None, status=200):
    user = request.user
    as_of = day_of(request)
    can_change = can(user, Action.CHANGE, project)
    nodes, links, result, error = _load(project, as_of)
    baselines, baseline = _chosen_baseline(request, project)
    target = ScheduleTarget.objects.filter(project=project).select_related("node").first()
    context = {
        "project": project,
        "as_of": as_of,
        "can_change": can_change,
        "nodes": nodes,
        "error": error,
        "target": target,
        "baselines": baselines,
        "baseline": baseline,
        "container_class": "container-fluid tj-wide",
    }
    if not nodes:
        context["checklist_form"] = ChecklistForm(user=user) if can_change else None
        return render(request, "schedule/project.html", context, status=status)
    reportable = services.reportable_node_ids(user, project, nodes)
    preds: dict[int, list[str]] = {}
    for link in links:
        text = link.predecessor.name
        if link.type != cpm.FS or link.lag:
            text += f" {link.type}" + (f"+{link.lag}" if link.lag else "")
        preds.setdefault(link.successor_id, []).append(text)
    rows = []
    results = result.nodes if result else [None] * len(nodes)
    for node, r in zip(nodes, results, strict=True):
        rows.append(
            {
                "node": node,
                "r": r,
                "level": level_badge(r.status) if r else None,
                "predecessors": preds.get(node.pk, []),
                "finished_on": node.finished_on,
                "may_report": node.pk in reportable,
            }
        )
    context.update(
        {
            "rows": rows,
            "result": result,
            "project_level": level_badge(result.status) if result else None,
            "target_form": target_form
            or TargetForm(
                node_names=[n.name for n in nodes],
                initial={"node": target.node.name, "date": target.date, "kind": target.kind}
                if target
                else {"node": _default_target_node(nodes)},
            ),
            "baseline_form": baseline_form or BaselineForm(),
            "slippage": services.baseline_slippage(baseline, result) if baseline and result else [],
            "red_count": sum(1 for r in results if r and r.status == cpm.RED),
            "yellow_count": sum(1 for r in results if r and r.status == cpm.YELLOW),
            "any_reportable": bool(reportable),
            "gantt_height": 30 * len(nodes) + 96,
        }
    )
    if result:
        context["calendar_notes"] = _calendar_notes(result)
        context["gantt_json"] = json_script(selectors.project_gantt(result, nodes, links, baseline), "gantt-data")
        context["labels_json"] = json_script(chart_labels(), "gantt-labels")
    return render(request, "schedule/project.html", context, status=status)


def _calendar_notes(result: cpm.Schedule) -> dict:
    """The years the open nodes' working days fall in whose holidays are provisional or not listed at all."""
    years = set()
    for n in result.nodes:
        if n.actual_finish is None and n.calendar == cpm.WORK:
            for d in (n.earliest_start, n.earliest_finish, n.latest_start, n.latest_finish):
                if d is not None:
                    years.add(d.year)
    if not years:
        return {}
    listed = dict(CalendarYear.objects.filter(year__in=years).values_list("year", "provisional"))
    have_days = {d.year for d in CalendarDay.objects.filter(date__year__in=years).dates("date", "year")}
    return {
        "provisional": sorted(y for y in years if listed.get(y)),
        "unlisted": sorted(y for y in years if y not in have_days),
    }


def _default_target_node(nodes) -> str:
    for n in nodes:
        if n.milestone == Milestone.PRODUCTION:
            return n.name
    return nodes[-1].name if nodes else ""


@login_required
def project_schedule(request, pk: int):
    """The checklist with computed dates, the target, feasibility, the Gantt and the baselines."""
    return _page(request, visible_project(request, pk))


@login_required
@require_POST
def checklist_create(request, pk: int):
    project = visible_project(request, pk)
    require(request.user, Action.CHANGE, project)
    form = ChecklistForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.checklist_create(project=project, template=form.cleaned_data["template"], user=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request, _("The checklist was created from “%(t)s”.") % {"t": form.cleaned_data["template"]}
            )
    else:
        messages.error(request, _("Choose a template."))
    return redirect("schedule:project", pk=project.pk)


@login_required
@require_POST
def target_set(request, pk: int):
    """倒排工期: set the target and schedule back from it. A bad target writes nothing and says why."""
    project = visible_project(request, pk)
    require(request.user, Action.CHANGE, project)
    names = list(ProjectNode.objects.filter(project=project).order_by("order", "id").values_list("name", flat=True))
    form = TargetForm(request.POST, node_names=names)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.target_set(
                project=project, node=data["node"], date=data["date"], kind=data["kind"], user=request.user
            )
        except (ValidationError, cpm.ScheduleError) as exc:
            form.add_error(None, error_text(exc))
        else:
            if result.feasible:
                messages.success(request, _("Target set: it can be met."))
            else:
                messages.warning(
                    request, _("Target set, but it cannot be met: %(n)s days short.") % {"n": result.days_short}
                )
            return redirect("schedule:project", pk=project.pk)
    return _page(request, project, target_form=form, status=400)


@login_required
@require_POST
def target_clear(request, pk: int):
    project = visible_project(request, pk)
    require(request.user, Action.CHANGE, project)
    services.target_clear(project=project, user=request.user)
    messages.success(request, _("The target was removed."))
    return redirect("schedule:project", pk=project.pk)


@login_required
@require_POST
def baseline_add(request, pk: int):
    """Freeze the current schedule as a named baseline."""
    project = visible_project(request, pk)
    require(request.user, Action.CHANGE, project)
    form = BaselineForm(request.POST)
    if form.is_valid():
        try:
            baseline = services.baseline_create(
                project=project, name=form.cleaned_data["name"].strip(), user=request.user
            )
        except (ValidationError, cpm.ScheduleError) as exc:
            form.add_error("name", error_text(exc))
        else:
            messages.success(request, _("Baseline “%(name)s” was saved.") % {"name": baseline.name})
            return redirect(_schedule_url(project, baseline.pk))
    return _page(request, project, baseline_form=form, status=400)


# --- nodes --------------------------------------------------------------------------------------------------


def _link_choices(project, exclude: int | None = None) -> list[tuple[int, str]]:
    qs = ProjectNode.objects.filter(project=project).order_by("order", "id")
    return [(pk, name) for pk, name in qs.values_list("pk", "name") if pk != exclude]


def _wanted_links(formset) -> dict[int, tuple[str, int]]:
    wanted = {}
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or data.get("predecessor") is None:
            continue
        wanted[data["predecessor"]] = (data["type"], data["lag"])
    return wanted


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _node_form_page(request, project, node, form, formset, status=200):
    return render(
        request,
        "schedule/node_form.html",
        {"project": project, "node": node, "form": form, "formset": formset},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def node_add(request, pk: int):
    """Add a node to the checklist, with its predecessors."""
    project = visible_project(request, pk)
    require(request.user, Action.CHANGE, project)
    choices = _link_choices(project)
    form = NodeForm(request.POST or None, user=request.user, initial={"calendar": cpm.WORK})
    formset = LinkFormSet(request.POST or None, choices=choices, prefix="links")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        names = dict(choices)
        preds = [(names[p], t, lag) for p, (t, lag) in _wanted_links(formset).items()]
        fields = {
            k: data[k] for k in ("responsible_unit", "responsible_person", "planned_start", "planned_finish", "note")
        }
        try:
            node = services.node_add(
                project=project,
                name=data["name"].strip(),
                duration=data["duration"],
                calendar=data["calendar"],
                predecessors=preds,
                user=request.user,
                **fields,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Node “%(name)s” was added.") % {"name": node.name})
            return redirect("schedule:project", pk=project.pk)
    return _node_form_page(request, project, None, form, formset, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def node_edit(request, pk: int):
    """Change a node (duration, calendar, who is responsible, plan) and its predecessors, all or nothing."""
    node = visible_node(request, pk)
    project = node.project
    require(request.user, Action.CHANGE, project)
    choices = _link_choices(project, exclude=node.pk)
    existing = {link.predecessor_id: link for link in node.predecessor_links.select_related("predecessor")}
    initial_links = [{"predecessor": p, "type": link.type, "lag": link.lag} for p, link in existing.items()]
    form = NodeForm(request.POST or None, instance=node, user=request.user)
    formset = LinkFormSet(request.POST or None, choices=choices, prefix="links", initial=initial_links)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        wanted = _wanted_links(formset)
        by_id = {n.pk: n for n in ProjectNode.objects.filter(project=project)}
        fields = {k: form.cleaned_data[k] for k in NodeForm.Meta.fields}
        fields["name"] = fields["name"].strip()
        try:
            with transaction.atomic():
                services.node_change(node=node, user=request.user, **fields)
                for pred_id, link in existing.items():
                    if pred_id not in wanted:
                        services.dependency_delete(link=link, user=request.user)
                for pred_id, (typ, lag) in wanted.items():
                    link = existing.get(pred_id)
                    if link is not None and (link.type, link.lag) == (typ, lag):
                        continue
                    services.dependency_set(
                        predecessor=by_id[pred_id], successor=node, type=typ, lag=lag, user=request.user
                    )
        except ValidationError as exc:
            _form_errors(form, exc)
        except cpm.ScheduleError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Node “%(name)s” was saved.") % {"name": node.name})
            return redirect("schedule:project", pk=project.pk)
        node.refresh_from_db()
    return _node_form_page(request, project, node, form, formset, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def node_delete(request, pk: int):
    node = visible_node(request, pk)
    project = node.project
    require(request.user, Action.CHANGE, project)
    error = ""
    if request.method == "POST":
        try:
            services.node_delete(node=node, user=request.user)
        except ValidationError as exc:
            error = error_text(exc)
        else:
            messages.success(request, _("Node “%(name)s” was removed.") % {"name": node.name})
            return redirect("schedule:project", pk=project.pk)
    return render(
        request,
        "schedule/node_delete.html",
        {"project": project, "node": node, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def node_report(request, pk: int):
    """Report progress on a node (on a phone too): the office, the node's responsible department, or the
    project's enterprise (`services.may_report`)."""
    node = visible_node(request, pk)
    project = node.project
    if not services.may_report(request.user, node):
        raise PermissionDenied
    initial = {"actual_start": node.actual_start, "actual_finish": node.finished_on, "note": node.note}
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.node_report(
                node=node,
                actual_start=data["actual_start"],
                actual_finish=data["actual_finish"],
                note=data["note"],
                evidence=data["evidence"] or None,
                user=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else "actual_finish", errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Progress on “%(name)s” was saved.") % {"name": node.name})
            return redirect("schedule:project", pk=project.pk)
        node.refresh_from_db()
    return render(
        request,
        "schedule/node_report.html",
        {"project": project, "node": node, "form": form, "container_class": "container-sm"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def node_evidence(request, pk: int):
    """The evidence file, to whoever may see the node."""
    node = visible_node(request, pk)
    if not node.evidence:
        raise Http404
    return FileResponse(node.evidence.open("rb"), as_attachment=False, filename=node.evidence.name.rsplit("/", 1)[-1])


@login_required
def project_pdf(request, pk: int):
    """The project's Gantt on A3 landscape, to hang on the wall."""
    project = visible_project(request, pk)
    as_of = day_of(request)
    nodes, links, result, error = _load(project, as_of)
    if result is None:
        messages.error(request, error_text(error) if error else _("This project has no checklist yet."))
        return redirect("schedule:project", pk=project.pk)
    _baselines, baseline = _chosen_baseline(request, project)
    data = selectors.project_gantt(result, nodes, links, baseline)
    body = pdf.project_pdf(project, result, data)
    response = HttpResponse(body, content_type="application/pdf")
    name = f"挂图作战-{project.code}-{as_of.isoformat()}.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
