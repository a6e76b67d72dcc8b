"""/api/v1/regions: the region tree (province > city > county/zone), keyed by official code."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from tuijin.core.api_auth import require, visible_or_404
from tuijin.core.permissions import Action
from tuijin.projects.services import region_create, save_checked

from .models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None  # the parent's code
    level: str
    path: str

    @staticmethod
    def resolve_parent(obj: Region) -> str | None:
        return obj.parent.code if obj.parent_id else None


class RegionIn(Schema):
    code: str
    name: str
    parent: str | None = None


class RegionPatch(Schema):
    code: str | None = None
    name: str | None = None
    parent: str | None = None


def _parent(user, code: str | None) -> Region | None:
    """The parent region by code, among those the user may see (422 when there is none)."""
    if not code:
        return None
    parent = Region.objects.restrict(user, "view").filter(code=code).first()
    if parent is None:
        raise HttpError(422, _("No region with code %(code)s.") % {"code": code})
    return parent


@router.get("/regions", response=list[RegionOut], summary="List regions")
def region_list(request, parent: str | None = None, level: str | None = None, q: str | None = None):
    """The regions the caller may see, in tree order (by path). Filter by `parent` code, `level`
    (province, city, county) or `q` (part of the name or code)."""
    qs = Region.objects.restrict(request.auth, "view").select_related("parent")
    if parent:
        qs = qs.filter(parent__code=parent)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("path")


@router.post("/regions", response={201: RegionOut}, summary="Create a region")
def region_add(request, payload: RegionIn):
    """Add a region under `parent` (a code). Its level and path follow from the parent. The new region must
    fall inside the caller's own region (403 otherwise)."""
    require(request.auth, Action.ADD, Region)
    region = region_create(
        code=payload.code.strip(),
        name=payload.name.strip(),
        parent=_parent(request.auth, payload.parent),
        user=request.auth,
    )
    return 201, region


@router.get("/regions/{code}", response=RegionOut, summary="Get a region")
def region_detail(request, code: str):
    """One region by its official code, with its parent's code, level and path."""
    return visible_or_404(Region.objects.select_related("parent"), request.auth, code=code)


@router.patch("/regions/{code}", response=RegionOut, summary="Change a region")
def region_edit(request, code: str, payload: RegionPatch):
    """Rename a region, change its code or move it under another parent; the paths of its subtree follow."""
    region = visible_or_404(Region.objects.select_related("parent"), request.auth, code=code)
    require(request.auth, Action.CHANGE, region)
    data = payload.dict(exclude_unset=True)
    if "parent" in data:
        region.parent = _parent(request.auth, data["parent"])
    for field in ("code", "name"):
        if data.get(field) is not None:
            setattr(region, field, data[field].strip())
    return save_checked(request.auth, region, Action.CHANGE)


@router.delete("/regions/{code}", response={204: None}, summary="Delete a region")
def region_delete(request, code: str):
    """Delete a region that has no subregions, projects, organisations or users (409 otherwise)."""
    region = visible_or_404(Region.objects.all(), request.auth, code=code)
    require(request.auth, Action.DELETE, region)
    with transaction.atomic():
        region.delete()
    return 204, None
