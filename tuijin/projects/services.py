"""Ledger workflows. Pages, the API, the CLI and the importer all call these: one rule, one place."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tuijin.core.permissions import Action, can
from tuijin.regions.models import Region

from .choices import ListingAction
from .models import Listing, Period, Project


def derive_listing_chain(listings: list[Listing]) -> None:
    """What follows from one project's listings in period order, set on each:

    - the action: a listing in a different batch from the project's previous listing is a conversion (转化),
      otherwise it is listed (列入); removals (调出) stay removals;
    - `next_period`: the period number of the following listing (None for the latest).
    """
    previous = None
    for i, listing in enumerate(listings):
        if listing.action != ListingAction.REMOVED:
            converted = previous is not None and previous.batch != listing.batch
            listing.action = ListingAction.CONVERTED if converted else ListingAction.LISTED
        listing.next_period = listings[i + 1].period_id if i + 1 < len(listings) else None
        previous = listing


def save_checked(user, obj, action: str):
    """Save `obj` for `user` in a transaction; roll back if it ends up outside what they may touch."""
    with transaction.atomic():
        obj.full_clean()
        obj.save()
        if user is not None and not can(user, action, obj):
            raise PermissionDenied
    return obj


def period_create(*, number: int, date: datetime.date, name: str = "", user=None) -> Period:
    if user is not None and not can(user, Action.ADD, Period):
        raise PermissionDenied
    return save_checked(user, Period(number=number, date=date, name=name), Action.ADD)


def region_create(*, code: str, name: str, parent: Region | None = None, user=None) -> Region:
    return save_checked(user, Region(code=code, name=name, parent=parent), Action.ADD)


@transaction.atomic
def listing_set(
    *, project: Project, period: Period, batch: str, removed: bool = False, reason: str = "", user=None
) -> Listing:
    """List `project` in `period`'s `batch` (or remove it, with a reason); re-derive conversions."""
    if user is not None and not can(user, Action.CHANGE, project):
        raise PermissionDenied
    listings = list(project.listings.select_for_update().order_by("period_id"))
    listing = next((lst for lst in listings if lst.period_id == period.number), None)
    if listing is None:
        listing = Listing(project=project, period=period)
        listings.append(listing)
        listings.sort(key=lambda lst: lst.period_id)
    listing.batch = batch
    listing.action = ListingAction.REMOVED if removed else ListingAction.LISTED
    listing.reason = reason if removed else ""
    derive_listing_chain(listings)
    for lst in listings:
        lst.full_clean(validate_unique=lst.pk is None)
        lst.save()  # saves only write a change record when a field really changed
    return listing


@transaction.atomic
def listing_delete(*, listing: Listing, user=None) -> None:
    if user is not None and not can(user, Action.CHANGE, listing.project):
        raise PermissionDenied
    project = listing.project
    listing.delete()
    rest = list(project.listings.order_by("period_id"))
    derive_listing_chain(rest)
    for lst in rest:
        lst.save()
