"""Briefings under /api/v1/briefings/…: the templates, the briefings (list, one with its text), generating a draft,
publishing it. The same services as the pages and the CLI decide who may; reads go through restrict()."""

from __future__ import annotations

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tuijin.core.permissions import Action
from tuijin.regions.models import Region

from . import services
from .models import Briefing, BriefingTemplate
from .shipped import ensure_shipped

router = Router(tags=["briefing"])


class TemplateOut(Schema):
    name: str
    title: str
    kind: str
    version: int
    shipped: bool


class BriefingOut(Schema):
    id: int
    template: str
    template_version: int
    region: str
    kind: str
    as_of: datetime.date
    year: int
    number: int
    number_label: str
    title: str
    state: str
    published_at: datetime.datetime | None


class BriefingDetailOut(BriefingOut):
    issuer: str
    text: str


class BriefingQuery(Schema):
    state: str | None = Field(None, description="draft or published")
    kind: str | None = Field(None, description="monthly or weekly")
    region: str | None = Field(None, description="region code (its subtree)")


class GenerateIn(Schema):
    template: str = Field(..., description="template name, e.g. monthly")
    as_of: datetime.date
    region: str | None = Field(None, description="region code (default: the caller's region)")


def _out(b: Briefing, detail: bool = False) -> dict:
    out = {
        "id": b.pk,
        "template": b.template.name,
        "template_version": b.template_version,
        "region": b.region.code,
        "kind": b.kind,
        "as_of": b.as_of,
        "year": b.year,
        "number": b.number,
        "number_label": b.number_label,
        "title": b.title,
        "state": b.state,
        "published_at": b.published_at,
    }
    if detail:
        out.update(issuer=b.issuer, text=b.text)
    return out


def _briefings(user):
    return Briefing.objects.restrict(user, Action.VIEW).select_related("template", "region")


@router.get("/briefings/templates", response=list[TemplateOut], summary="Briefing templates")
def template_list(request):
    """The templates the caller may read (the office and leaders)."""
    ensure_shipped()
    return list(BriefingTemplate.objects.restrict(request.auth, Action.VIEW).order_by("kind", "name"))


@router.get("/briefings", response=list[BriefingOut], summary="Briefings")
def briefing_list(request, params: Query[BriefingQuery]):
    """The briefings of the caller's regions, newest first, filtered by state, kind and region."""
    qs = _briefings(request.auth)
    if params.state:
        qs = qs.filter(state=params.state)
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.region:
        region = Region.objects.restrict(request.auth, Action.VIEW).filter(code=params.region).first()
        if region is None:
            raise Http404(_("No region with code %(code)s.") % {"code": params.region})
        qs = qs.filter(region__path__startswith=region.path)
    return [_out(b) for b in qs[:500]]


@router.get("/briefings/{int:briefing_id}", response=BriefingDetailOut, summary="A briefing with its text")
def briefing_detail(request, briefing_id: int):
    """One briefing with its (edited) text, state and download links."""
    return _out(get_object_or_404(_briefings(request.auth), pk=briefing_id), detail=True)


@router.post("/briefings", response={201: BriefingDetailOut}, summary="Generate a draft briefing")
def briefing_generate(request, payload: GenerateIn):
    """Render a template for a region as of a date into a draft (next number of its series). 404: unknown
    template or region outside the caller's scope; 403: not the project office."""
    user = request.auth
    ensure_shipped()
    template = BriefingTemplate.objects.restrict(user, Action.VIEW).filter(name=payload.template).first()
    if template is None:
        raise Http404(_("No briefing template named %(name)s.") % {"name": payload.template})
    regions = Region.objects.restrict(user, Action.VIEW)
    region = regions.filter(code=payload.region).first() if payload.region else user.region or regions.first()
    if region is None:
        raise Http404(_("No region with code %(code)s.") % {"code": payload.region})
    briefing = services.briefing_generate(user=user, template=template, region=region, as_of=payload.as_of)
    return 201, _out(briefing, detail=True)


@router.post("/briefings/{int:briefing_id}/publish", response=BriefingDetailOut, summary="Publish a briefing")
def briefing_publish(request, briefing_id: int):
    """Publish a draft: its .docx and PDF are kept and the briefing is read-only from now on."""
    briefing = get_object_or_404(_briefings(request.auth), pk=briefing_id)
    return _out(services.briefing_publish(user=request.auth, briefing=briefing), detail=True)
