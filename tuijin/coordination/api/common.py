"""What the coordination endpoints share: the unit schema, looking units, categories and regions up by id or
name (422 or 404 with a message), paging, and serving a generated Word file."""

from __future__ import annotations

from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema

from tuijin.accounts.models import Organization
from tuijin.core.permissions import Action
from tuijin.regions.models import Region

from ..models import ProblemCategory

MAX_PAGE_SIZE = 500
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class UnitOut(Schema):
    id: int
    name: str


def unit_or_422(value: int | str, field: str) -> Organization:
    """The unit by id or exact name; whether the caller may route work to it is the service's call (same message
    whether it does not exist or lies outside the caller's region)."""
    qs = Organization.objects.all()
    org = qs.filter(pk=value).first() if isinstance(value, int) else qs.filter(name=str(value).strip()).first()
    if org is None:
        raise ValidationError({field: _("%(unit)s is not a unit in your region.") % {"unit": value}})
    return org


def category_or_422(value: int | str) -> ProblemCategory:
    qs = ProblemCategory.objects.all()
    cat = qs.filter(pk=value).first() if isinstance(value, int) else qs.filter(name=str(value).strip()).first()
    if cat is None:
        raise ValidationError({"category": _("No problem category “%(value)s”.") % {"value": value}})
    return cat


def region_or_404(user, code: str | None):
    """The region with this code among those the caller sees (None when no code is given)."""
    if not code:
        return None
    region = Region.objects.restrict(user, Action.VIEW).filter(code=code).first()
    if region is None:
        raise Http404(_("No region with code %(code)s.") % {"code": code})
    return region


def paged(qs, params, out) -> dict:
    """One page of `qs` (params.page, params.page_size) with the total count, each row through `out`."""
    start = (params.page - 1) * params.page_size
    return {
        "count": qs.count(),
        "page": params.page,
        "page_size": params.page_size,
        "items": [out(o) for o in qs[start : start + params.page_size]],
    }


def docx_response(data: bytes, filename: str, fallback: str) -> HttpResponse:
    """A Word file as a download: the Chinese file name (RFC 5987) with an ASCII name for old clients."""
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return response


DOCX_OPENAPI = {
    "responses": {
        200: {
            "description": "Word document (.docx)",
            "content": {DOCX: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}
