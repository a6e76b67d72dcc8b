"""/api/v1/periods: the campaign rounds (期次), keyed by number."""

from __future__ import annotations

from django.db import transaction
from ninja import Router

from tuijin.core.api_auth import require, visible_or_404
from tuijin.core.permissions import Action

from ..models import Period
from ..services import period_create, save_checked
from .schemas import PeriodIn, PeriodOut, PeriodPatch

router = Router(tags=["periods"])


@router.get("/periods", response=list[PeriodOut], summary="List periods")
def period_list(request):
    """Every campaign round (期次) in number order; numbers and dates run in the same order."""
    return Period.objects.restrict(request.auth, "view").order_by("number")


@router.post("/periods", response={201: PeriodOut}, summary="Create a period")
def period_add(request, payload: PeriodIn):
    """Add round `number` held on `date`; `name` defaults to 第N期. Its date must fall between its neighbours'."""
    require(request.auth, Action.ADD, Period)
    return 201, period_create(number=payload.number, date=payload.date, name=payload.name.strip(), user=request.auth)


@router.get("/periods/{number}", response=PeriodOut, summary="Get a period")
def period_detail(request, number: int):
    """One round by its number."""
    return visible_or_404(Period.objects.all(), request.auth, number=number)


@router.patch("/periods/{number}", response=PeriodOut, summary="Change a period")
def period_edit(request, number: int, payload: PeriodPatch):
    """Rename a round or move its date (its number is its identity: listings refer to it)."""
    period = visible_or_404(Period.objects.all(), request.auth, number=number)
    require(request.auth, Action.CHANGE, period)
    data = payload.dict(exclude_unset=True)
    if data.get("date") is not None:
        period.date = data["date"]
    if "name" in data:
        period.name = (data["name"] or "").strip()
    return save_checked(request.auth, period, Action.CHANGE)


@router.delete("/periods/{number}", response={204: None}, summary="Delete a period")
def period_delete(request, number: int):
    """Delete a round whose list is empty (409 while projects are listed in it)."""
    period = visible_or_404(Period.objects.all(), request.auth, number=number)
    require(request.auth, Action.DELETE, period)
    with transaction.atomic():
        period.delete()
    return 204, None
