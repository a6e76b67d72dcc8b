"""The ledger's pages: the filtered project list (page, htmx fragment, .xlsx export), a project's page,
its create/edit/delete forms, its listings, and the periods.

Every read goes through `restrict(user, action)`; every write checks `can()` and saves through the services.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, ProtectedError, Q
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tuijin.core.htmx import is_htmx
from tuijin.core.models import ChangeRecord
from tuijin.core.permissions import Action, can
from tuijin.investment.models import AnnualPlan

from .. import selectors, services, tables
from ..choices import MILESTONES
from ..exporter import export_ledger
from ..filtersets import ProjectFilterSet
from ..forms import ListingForm, PeriodForm, ProjectForm
from ..models import Listing, Period, Project

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
COLUMNS_SESSION_KEY = "ledger_columns"


# --- the list ---------------------------------------------------------------------------------------------


def _filterset(request) -> ProjectFilterSet:
    return ProjectFilterSet(request.GET, selectors.project_queryset_for(request.user), request=request)


def _sorted(qs, sort: str):
    field = tables.SORT_FIELDS.get(sort.lstrip("-"))
    if not field:
        return qs.order_by("code"), ""
    prefix = "-" if sort.startswith("-") else ""
    return qs.order_by(f"{prefix}{field}", "code"), sort


def _scope_text(filterset: ProjectFilterSet) -> str:
    """Which list the page shows, in the words the office uses."""
    scope = filterset.scope
    if scope is None:
        return _("All projects in the ledger")
    if scope.period is not None:
        period = Period.objects.filter(number=scope.period).first()
        return _("List of %(period)s") % {"period": period or scope.period}
    return _("Current portfolio as of %(date)s") % {"date": scope.as_of.isoformat()}


def _chosen_columns(request) -> list[tables.Column]:
    keys = request.session.get(COLUMNS_SESSION_KEY) or tables.DEFAULT_KEYS
    chosen = [c for c in tables.PAGE_COLUMNS if c.key in keys]
    return chosen or [c for c in tables.PAGE_COLUMNS if c.default]


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


# The big model selects' option labels: `str()` of each model, read as plain values (no model instances).
_OPTION_LABELS = {"period": ("name", "number"), "region": ("name",), "leader": ("name",), "responsible_unit": ("name",)}


def _option_label(name: str, row: tuple) -> str:
    if name == "period":  # Period.__str__: its name, or 第N期
        from ..numerals import period_name

        return row[1] or period_name(row[2])
    return row[1]


def _fast_choices(form) -> None:
    """Give the model selects plain (value, label) lists read with values_list: building ~1,000 Leader and
    Organization instances for the province's filter bar cost more than rendering it. Same options, same order,
    same labels as the fields' ModelChoiceIterator; validation still uses the fields' querysets."""
    for name, label_fields in _OPTION_LABELS.items():
        field = form.fields.get(name)
        if field is None or getattr(field, "null_label", None) is not None:
            continue
        key = field.to_field_name or "pk"
        choices = [("", field.empty_label)] if field.empty_label is not None else []
        rows = field.queryset.values_list(key, *label_fields)
        choices += [(row[0], _option_label(name, row)) for row in rows]
        field.widget.choices = choices


def _page_rows(rows, page) -> list:
    """One page's projects in two steps: the page's ids (filtered, sorted, sliced, no wide joined columns), then
    those rows with everything the table shows. Joining enterprise, leader, unit … for every matching row and
    sorting them all only to keep 50 was most of the row query's time (the zone admin's 1,300 rows: ~30 ms)."""
    start = (page.number - 1) * page.paginator.per_page
    names = list(rows.query.annotation_select)
    found = list(rows.values_list("pk", *names)[start : start + page.paginator.per_page])
    if not found:
        return []
    plain = Project.objects.filter(pk__in=[row[0] for row in found])
    plain.query.select_related = rows.query.select_related
    by_id = {p.pk: p for p in plain}
    projects = []
    for pk, *values in found:
        project = by_id[pk]
        for name, value in zip(names, values, strict=True):
            setattr(project, name, value)
        projects.append(project)
    return projects


def _style_filter_form(form) -> None:
    _fast_choices(form)
    for name, field in form.fields.items():
        css = "form-select" if hasattr(field, "choices") else "form-control"
        field.widget.attrs["class"] = css
        if name == "as_of":
            field.widget.input_type = "date"
        if name == "q":
            field.widget.attrs["placeholder"] = _("Project, code, enterprise or location")
            field.widget.attrs["type"] = "search"


@login_required
@require_http_methods(["GET", "POST"])
def project_list(request):
    """The ledger: filters, sortable columns, pages and a totals row. An htmx request gets only the table."""
    if request.method == "POST":  # the column chooser
        if request.POST.get("reset"):
            request.session.pop(COLUMNS_SESSION_KEY, None)
        else:
            valid = {c.key for c in tables.PAGE_COLUMNS}
            request.session[COLUMNS_SESSION_KEY] = [k for k in request.POST.getlist("columns") if k in valid]
        return HttpResponseRedirect(request.get_full_path())

    filterset = _filterset(request)
    year = filterset.scope_date.year
    filtered = filterset.qs
    totals = selectors.ledger_totals(filtered, year)
    rows, sort = _sorted(filtered, request.GET.get("sort", ""))
    rows = selectors.with_annual_plan(rows, year).annotate(annual_plan=F("plan_year__amount"))
    paginator = Paginator(rows, _page_size(request))
    paginator.count = totals["count"]  # the totals row counted these rows already: no second scan
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = _page_rows(rows, page)
    columns = _chosen_columns(request)
    context = {
        "filterset": filterset,
        "page": page,
        "columns": columns,
        "all_columns": tables.PAGE_COLUMNS,
        "chosen_keys": {c.key for c in columns},
        "sort": sort,
        "totals": totals,
        "year": year,
        "scope_text": _scope_text(filterset),
        "page_sizes": PAGE_SIZES,
        "default_page_size": DEFAULT_PAGE_SIZE,
        "per_page": paginator.per_page,
        "query": request.GET.urlencode(),
        "can_add": can(request.user, Action.ADD, Project),
        "container_class": "container-fluid tj-wide",  # the ledger is wide: use the screen
    }
    if is_htmx(request):
        return render(request, "projects/project_list_table.html", context)
    _style_filter_form(filterset.form)
    context["industries"] = (
        selectors.project_queryset_for(request.user)
        .exclude(industry="")
        .order_by("industry")
        .values_list("industry", flat=True)
        .distinct()
    )
    return render(request, "projects/project_list.html", context)


def _export_title(request, filterset: ProjectFilterSet) -> str:
    data = filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else {}
    region = data.get("region") or request.user.region
    where = region.name if region else ""
    scope = filterset.scope
    if scope is None:
        return f"{where}“三个一批”项目台账"
    if scope.period is not None:
        return f"{where}“三个一批”项目台账（第{scope.period}期）"
    return f"{where}“三个一批”项目台账（截至{scope.as_of.isoformat()}）"


@login_required
def project_export(request):
    """Exactly the rows the ledger page shows, in the ledger template, as an .xlsx download."""
    filterset = _filterset(request)
    rows, _sort = _sorted(filterset.qs, request.GET.get("sort", ""))
    out = io.BytesIO()
    export_ledger(rows, out, title=_export_title(request, filterset))
    out.seek(0)
    scope = filterset.scope
    stamp = f"第{scope.period}期" if scope and scope.period else (scope.as_of if scope else timezone.localdate())
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"项目台账-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- one project ------------------------------------------------------------------------------------------


def _visible_project(request, pk: int) -> Project:
    return get_object_or_404(selectors.project_queryset_for(request.user), pk=pk)


def _require(user, action: str, obj) -> None:
    if not can(user, action, obj):
        raise PermissionDenied


def _timeline(project: Project) -> list[dict]:
    """The four milestones with planned and actual dates, and whether each is reached or late."""
    today = timezone.localdate()
    planned = {"started_on": project.planned_started_on, "production_on": project.planned_production_on}
    labels = {
        "signed_on": _("Signed"),
        "started_on": _("Construction started"),
        "production_on": _("In production"),
        "effective_on": _("Effective"),
    }
    steps = []
    for field, stage in MILESTONES:
        actual = getattr(project, field)
        plan = planned.get(field)
        reached = actual is not None and actual <= today
        steps.append(
            {
                "stage": stage,
                "label": labels[field],
                "actual": actual,
                "planned": plan,
                "reached": reached,
                "late": not reached and plan is not None and plan < today,
                "delay": (actual - plan).days if actual and plan else None,
            }
        )
    return steps


def project_changes(project: Project, user):
    """Change records of the project, its listings (also deleted ones) and its annual plans that `user` may read."""
    types = ContentType.objects.get_for_models(Project, Listing, AnnualPlan)
    own = Q(content_type=types[Project], object_id=project.pk)
    for model in (Listing, AnnualPlan):
        ids = list(model.objects.filter(project=project).values_list("pk", flat=True))
        ct = types[model]
        own |= Q(content_type=ct) & (
            Q(object_id__in=ids) | Q(before__project_id=project.pk) | Q(after__project_id=project.pk)
        )
    return ChangeRecord.objects.restrict(user, Action.VIEW).filter(own).select_related("content_type", "user")


@login_required
def project_detail(request, pk: int):
    project = _visible_project(request, pk)
    user = request.user
    can_change = can(user, Action.CHANGE, project)
    show_changes = can(user, Action.VIEW, ChangeRecord)
    changes = list(project_changes(project, user)[:100]) if show_changes else []
    context = {
        "project": project,
        "stage": project.stage,
        "current": selectors.with_batch(
            Project.objects.filter(pk=project.pk), selectors.Scope(as_of=timezone.localdate()), period_number=True
        ).first(),
        "listings": project.listings.select_related("period").order_by("period_id"),
        "plans": project.annual_plans.order_by("year"),
        "timeline": _timeline(project),
        "changes": changes,
        "show_changes": show_changes,
        "can_change": can_change,
        "can_delete": can(user, Action.DELETE, project),
    }
    return render(request, "projects/project_detail.html", context)


def _save_project(request, form: ProjectForm, action: str):
    """Save through `save_checked`: model validation errors go back to the form's fields."""
    try:
        return services.save_checked(request.user, form.instance, action)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def project_add(request):
    _require(request.user, Action.ADD, Project)
    initial = {}
    if request.user.region and not request.user.region.children.exists():
        initial["region"] = request.user.region
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        project = _save_project(request, form, Action.ADD)
        if project is not None:
            messages.success(request, _("Project “%(name)s” was added.") % {"name": project})
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    project = _visible_project(request, pk)
    _require(request.user, Action.CHANGE, project)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save_project(request, form, Action.CHANGE)
        if saved is not None:
            messages.success(request, _("Project “%(name)s” was saved.") % {"name": saved})
            return redirect(saved)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
@require_http_methods(["GET", "POST"])
def project_delete(request, pk: int):
    project = _visible_project(request, pk)
    _require(request.user, Action.DELETE, project)
    protected = []
    if request.method == "POST":
        try:
            with transaction.atomic():
                project.delete()  # its listings and plans go with it, each with a change record
        except ProtectedError as exc:
            protected = sorted({str(o) for o in exc.protected_objects})[:20]
        else:
            messages.success(request, _("Project “%(name)s” was deleted.") % {"name": project})
            return redirect("projects:project_list")
    context = {
        "object": project,
        "title": _("Delete project"),
        "question": _("Delete the project “%(name)s” with its %(n)s listings and its annual plans?")
        % {"name": project, "n": project.listings.count()},
        "protected": protected,
        "cancel_url": project.get_absolute_url(),
    }
    return render(request, "projects/confirm_delete.html", context)


# --- listings ---------------------------------------------------------------------------------------------


def _listing_response(request, form: ListingForm, project: Project, listing: Listing | None):
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period = listing.period if listing else data["period"]
        try:
            services.listing_set(
                project=project,
                period=period,
                batch=data["batch"],
                removed=data["removed"],
                reason=data["reason"].strip(),
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The listing in %(period)s was saved.") % {"period": period})
            return redirect(project)
    return render(request, "projects/listing_form.html", {"form": form, "project": project, "listing": listing})


@login_required
@require_http_methods(["GET", "POST"])
def listing_add(request, pk: int):
    project = _visible_project(request, pk)
    _require(request.user, Action.CHANGE, project)
    form = ListingForm(request.POST or None, project=project)
    return _listing_response(request, form, project, None)


def _visible_listing(request, pk: int) -> Listing:
    return get_object_or_404(
        Listing.objects.restrict(request.user, Action.VIEW).select_related("project", "period"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_edit(request, pk: int):
    listing = _visible_listing(request, pk)
    _require(request.user, Action.CHANGE, listing.project)
    form = ListingForm(request.POST or None, project=listing.project, listing=listing)
    return _listing_response(request, form, listing.project, listing)


@login_required
@require_http_methods(["GET", "POST"])
def listing_delete(request, pk: int):
    listing = _visible_listing(request, pk)
    project = listing.project
    _require(request.user, Action.CHANGE, project)
    if request.method == "POST":
        services.listing_delete(listing=listing, user=request.user)
        messages.success(request, _("The listing in %(period)s was deleted.") % {"period": listing.period})
        return redirect(project)
    context = {
        "object": listing,
        "title": _("Delete listing"),
        "question": _("Delete the listing of “%(project)s” in %(period)s? Later conversions are worked out again.")
        % {"project": project, "period": listing.period},
        "protected": [],
        "cancel_url": project.get_absolute_url(),
    }
    return render(request, "projects/confirm_delete.html", context)


# --- periods ----------------------------------------------------------------------------------------------


@login_required
def period_list(request):
    counts = {
        row["period"].number: row["batches"]
        for row in selectors.by_period(selectors.project_queryset_for(request.user))
    }
    periods = []
    for period in Period.objects.restrict(request.user, Action.VIEW):
        batches = counts.get(period.number, {})
        period.batch_counts = [(b, batches.get(b, {}).get("count", 0)) for b in ("signed", "started", "production")]
        period.total_count = sum(n for _b, n in period.batch_counts)
        period.total_investment = sum((v.get("total_investment") or 0) for v in batches.values())
        periods.append(period)
    context = {
        "periods": periods,
        "can_add": can(request.user, Action.ADD, Period),
        "can_change": can(request.user, Action.CHANGE, Period),
    }
    return render(request, "projects/period_list.html", context)


def _next_url(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return default


@login_required
@require_http_methods(["GET", "POST"])
def period_add(request):
    _require(request.user, Action.ADD, Period)
    last = Period.objects.order_by("-number").first()
    form = PeriodForm(request.POST or None, initial={"number": (last.number + 1) if last else 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period = services.period_create(
                number=data["number"], date=data["date"], name=data["name"], user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(period)s was added.") % {"period": period})
            return redirect(_next_url(request, reverse("projects:period_list")))
    return render(request, "projects/period_form.html", {"form": form, "period": None})


@login_required
@require_http_methods(["GET", "POST"])
def period_edit(request, pk: int):
    period = get_object_or_404(Period.objects.restrict(request.user, Action.VIEW), pk=pk)
    _require(request.user, Action.CHANGE, period)
    form = PeriodForm(request.POST or None, instance=period)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_checked(request.user, form.instance, Action.CHANGE)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(period)s was saved.") % {"period": period})
            return redirect("projects:period_list")
    return render(request, "projects/period_form.html", {"form": form, "period": period})
