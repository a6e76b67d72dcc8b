"""/api/v1/projects and /api/v1/listings: the ledger, its listings and each project's change history."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tuijin.accounts.models import Leader, Organization
from tuijin.core.api_auth import require, visible_or_404
from tuijin.core.api_changes import ChangeOut
from tuijin.core.models import ChangeRecord
from tuijin.core.permissions import Action
from tuijin.investment.models import AnnualPlan
from tuijin.regions.models import Region

from ..filtersets import REACHED_CHOICES, ProjectFilterSet
from ..models import Listing, Period, Project
from ..selectors import Scope, ledger_totals, project_queryset_for, with_annual_plan, with_batch
from ..services import listing_delete, listing_set, save_checked
from ..tables import SORT_FIELDS
from .schemas import BatchName, ListingIn, ListingOut, ProjectFields, ProjectIn, ProjectOut, ProjectPage

router = Router(tags=["projects"])

MAX_PAGE_SIZE = 500


class ProjectQuery(Schema):
    """The ledger page's query parameters (one FilterSet for page, export and API), plus sort and paging."""

    q: str | None = Field(None, description="search in name, code, enterprise and location")
    as_of: datetime.date | None = Field(None, description="the current portfolio as of this date")
    period: int | None = Field(None, description="period N's list (instead of the current portfolio)")
    batch: BatchName | None = None
    reached: Literal[tuple(k for k, _label in REACHED_CHOICES)] | None = Field(  # type: ignore[valid-type]
        None, description="milestone reached by the list's date"
    )
    region: str | None = Field(None, description="region code (its subtree)")
    industry: str | None = None
    leader: int | None = Field(None, description="leader id")
    responsible_unit: int | None = Field(None, description="responsible unit id")
    enterprise: int | None = Field(None, description="enterprise id")
    investment_min: Decimal | None = Field(None, description="total investment from (万元)")
    investment_max: Decimal | None = Field(None, description="total investment to (万元)")
    sort: str | None = Field(None, description="column key, '-' for descending: " + ", ".join(SORT_FIELDS))
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


def _annotate(qs, as_of: datetime.date):
    """What an item shows beyond the stored fields: the plan for the year of `as_of`."""
    return with_annual_plan(qs, as_of.year).annotate(annual_plan=F("plan_year__amount"))


def _order(qs, sort: str | None):
    if not sort:
        return qs.order_by("code", "pk")
    key = sort.lstrip("-")
    if key not in SORT_FIELDS:
        raise ValidationError(
            {
                "sort": [
                    _("Cannot sort by “%(key)s”. Use one of: %(keys)s.") % {"key": key, "keys": ", ".join(SORT_FIELDS)}
                ]
            }
        )
    prefix = "-" if sort.startswith("-") else ""
    return qs.order_by(f"{prefix}{SORT_FIELDS[key]}", f"{prefix}pk")


@router.get("/projects", response=ProjectPage, summary="List projects (the ledger)")
def project_list(request, params: Query[ProjectQuery]):
    """The ledger, filtered exactly like the ledger page: `period=N` gives period N's list; `as_of` (or `batch`,
    `reached`, which imply today) the current portfolio as of that date; none of them the whole ledger.
    `totals` are the count and sums of every filtered row (not just this page), with the annual plan for the
    calendar year of `as_of`; they equal the statistics for the same filter."""
    user = request.auth
    filterset = ProjectFilterSet(request.GET, queryset=project_queryset_for(user), request=request)
    if not filterset.is_valid():
        raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
    filtered = filterset.qs
    scope = filterset.scope
    as_of = filterset.scope_date
    totals = ledger_totals(filtered, as_of.year)
    rows = _order(_annotate(filtered, as_of), params.sort)
    start = (params.page - 1) * params.page_size
    items = list(rows[start : start + params.page_size])
    for p in items:
        p.as_of = as_of
    return {
        "count": totals["count"],
        "page": params.page,
        "page_size": params.page_size,
        "as_of": as_of,
        "scope": scope.kind if scope else "all",
        "period": scope.period if scope else None,
        "totals": totals,
        "items": items,
    }


def _detail(user, pk: int) -> Project:
    """The project with its batch in today's portfolio and this year's plan (404 outside the user's scope)."""
    today = timezone.localdate()
    qs = _annotate(with_batch(project_queryset_for(user), Scope(as_of=today), period_number=True), today)
    project = visible_or_404(qs, user, pk=pk)
    project.as_of = today
    return project


def _assign(user, project: Project, data: dict) -> None:
    """Copy the payload onto the project; references are looked up among what the user may see."""
    errors: dict[str, list[str]] = {}
    lookups = {
        "region": (Region.objects.restrict(user, "view"), "code"),
        "enterprise": (Organization.objects.restrict(user, "view"), "pk"),
        "leader": (Leader.objects.restrict(user, "view"), "pk"),
        "responsible_unit": (Organization.objects.restrict(user, "view"), "pk"),
    }
    for field, value in data.items():
        if field in lookups:
            if value is None:
                if field in ("leader", "responsible_unit"):
                    setattr(project, field, None)
                else:
                    errors.setdefault(field, []).append(_("This field cannot be null."))
                continue
            qs, key = lookups[field]
            obj = qs.filter(**{key: value}).first()
            if obj is None:
                errors.setdefault(field, []).append(
                    _("No such %(field)s: %(value)s.")
                    % {"field": Project._meta.get_field(field).verbose_name, "value": value}
                )
            else:
                setattr(project, field, obj)
        elif value is None and not Project._meta.get_field(field).null:
            if Project._meta.get_field(field).blank:
                setattr(project, field, "")  # null clears a text field
            else:
                errors.setdefault(field, []).append(_("This field cannot be null."))
        else:
            setattr(project, field, value.strip() if isinstance(value, str) else value)
    if errors:
        raise ValidationError(errors)


@router.post("/projects", response={201: ProjectOut}, summary="Create a project")
def project_add(request, payload: ProjectIn):
    """Add a project to the ledger. `region` is a region code, `enterprise`, `leader` and `responsible_unit` are
    ids; all must be within the caller's scope. The code is assigned when left empty."""
    user = request.auth
    require(user, Action.ADD, Project)
    data = payload.dict(exclude_unset=True)
    data["code"] = data.get("code") or ""
    project = Project()
    _assign(user, project, data)
    save_checked(user, project, Action.ADD)
    return 201, _detail(user, project.pk)


@router.get("/projects/{int:project_id}", response=ProjectOut, summary="Get a project")
def project_detail(request, project_id: int):
    """One project, with its batch in today's portfolio and this year's annual plan."""
    return _detail(request.auth, project_id)


@router.patch("/projects/{int:project_id}", response=ProjectOut, summary="Change a project")
def project_edit(request, project_id: int, payload: ProjectFields):
    """Change the fields sent (the others stay). The project must stay inside the caller's scope."""
    user = request.auth
    project = visible_or_404(Project.objects.all(), user, pk=project_id)
    require(user, Action.CHANGE, project)
    _assign(user, project, payload.dict(exclude_unset=True))
    save_checked(user, project, Action.CHANGE)
    return _detail(user, project.pk)


@router.delete("/projects/{int:project_id}", response={204: None}, summary="Delete a project")
def project_delete(request, project_id: int):
    """Delete a project with its listings and annual plans."""
    user = request.auth
    project = visible_or_404(Project.objects.all(), user, pk=project_id)
    require(user, Action.DELETE, project)
    with transaction.atomic():
        project.delete()
    return 204, None


@router.get("/projects/{int:project_id}/listings", response=list[ListingOut], summary="A project's listings")
def project_listings(request, project_id: int):
    """The project's listing history, in period order: listed, converted (another batch than before) or
    removed (调出, with the reason)."""
    project = visible_or_404(Project.objects.all(), request.auth, pk=project_id)
    return project.listings.select_related("period").order_by("period_id")


@router.post("/projects/{int:project_id}/listings", response={201: ListingOut}, summary="List a project in a period")
def listing_add(request, project_id: int, payload: ListingIn):
    """Put the project on period `period`'s list in `batch` (or remove it with `removed` and a `reason`).
    Setting it again replaces that period's listing; conversions are re-derived over the whole history."""
    user = request.auth
    project = visible_or_404(Project.objects.all(), user, pk=project_id)
    require(user, Action.CHANGE, project)
    period = Period.objects.filter(number=payload.period).first()
    if period is None:
        raise ValidationError({"period": [_("Period %(n)s does not exist.") % {"n": payload.period}]})
    listing = listing_set(
        project=project,
        period=period,
        batch=payload.batch,
        removed=payload.removed,
        reason=payload.reason.strip(),
        user=user,
    )
    return 201, Listing.objects.select_related("period").get(pk=listing.pk)


@router.delete("/listings/{int:listing_id}", response={204: None}, summary="Delete a listing")
def listing_remove(request, listing_id: int):
    """Take one listing out of a project's history (a mistake, not a removal: use `removed` for 调出)."""
    user = request.auth
    listing = visible_or_404(Listing.objects.select_related("project"), user, pk=listing_id)
    listing_delete(listing=listing, user=user)
    return 204, None


def project_changes_q(project: Project) -> Q:
    """Change records of the project and of its listings and annual plans (deleted ones included)."""
    q = Q(content_type=ContentType.objects.get_for_model(Project), object_id=project.pk)
    for model in (Listing, AnnualPlan):
        ids = model.objects.filter(project=project).values_list("pk", flat=True)
        q |= Q(content_type=ContentType.objects.get_for_model(model)) & (
            Q(object_id__in=list(ids)) | Q(before__project_id=project.pk) | Q(after__project_id=project.pk)
        )
    return q


@router.get("/projects/{int:project_id}/changes", response=list[ChangeOut], summary="A project's change history")
def project_changes(request, project_id: int):
    """Every recorded change to the project, its listings and its annual plans, newest first."""
    user = request.auth
    project = visible_or_404(Project.objects.all(), user, pk=project_id)
    require(user, Action.VIEW, ChangeRecord)
    return ChangeRecord.objects.restrict(user, Action.VIEW).filter(project_changes_q(project)).order_by("-time", "-id")
