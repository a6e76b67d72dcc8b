"""Ledger workflows: listings (conversions derived, removals kept), periods, regions, checked saves."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.core.models import ChangeRecord
from tuijin.core.testing import period
from tuijin.projects.models import Listing, Period, Project
from tuijin.projects.services import listing_delete, listing_set, period_create, region_create, save_checked


def history(p):
    return list(p.listings.order_by("period_id").values_list("period_id", "batch", "action", "reason"))


def test_listing_set_derives_conversions(zone):
    a = zone["projects"]["a"]
    assert history(a) == [(1, "signed", "listed", ""), (2, "started", "converted", "")]
    p3 = period(3, "2022-09-20")
    listing_set(project=a, period=p3, batch="started")
    assert history(a)[-1] == (3, "started", "listed", "")  # same batch as before: still listed


def test_listing_set_in_an_earlier_period_rederives_later_ones(zone):
    c = zone["projects"]["c"]  # production in period 1
    p0 = Period.objects.create(number=3, date=datetime.date(2022, 9, 1))
    listing_set(project=c, period=p0, batch="production")
    listing_set(project=c, period=zone["periods"][1], batch="started")  # period 1 corrected to started
    assert history(c) == [(1, "started", "listed", ""), (3, "production", "converted", "")]


def test_removal_keeps_its_reason_and_relisting_clears_it(zone):
    b = zone["projects"]["b"]
    assert history(b)[-1] == (2, "started", "removed", "企业经营困难")
    listing_set(project=b, period=zone["periods"][2], batch="started")
    assert history(b)[-1] == (2, "started", "listed", "")


def test_listing_delete_rederives(zone):
    a = zone["projects"]["a"]
    first = a.listings.get(period_id=1)
    listing_delete(listing=first)
    assert history(a) == [(2, "started", "listed", "")]


def test_listing_writes_need_change_permission(zone):
    a, d = zone["projects"]["a"], zone["projects"]["d"]
    before = (Listing.objects.count(), ChangeRecord.objects.count())
    for role in ("viewer", "leader", "enterprise", "admin_out"):
        with pytest.raises(PermissionDenied):
            listing_set(project=a, period=zone["periods"][2], batch="production", user=zone["users"][role])
    with pytest.raises(PermissionDenied):
        listing_set(project=d, period=zone["periods"][2], batch="production", user=zone["users"]["admin"])
    with pytest.raises(PermissionDenied):
        listing_delete(listing=a.listings.first(), user=zone["users"]["viewer"])
    assert (Listing.objects.count(), ChangeRecord.objects.count()) == before
    listing_set(project=a, period=zone["periods"][2], batch="production", user=zone["users"]["admin"])
    assert history(a)[-1][1] == "production"


def test_period_create_keeps_numbers_and_dates_in_order(zone):
    p = period_create(number=3, date=datetime.date(2022, 9, 20))
    assert str(p) == "第三期" and p.name == "第三期"
    with pytest.raises(ValidationError) as exc:
        period_create(number=4, date=datetime.date(2022, 5, 1))  # before period 2
    assert "date" in exc.value.message_dict
    with pytest.raises(ValidationError):
        period_create(number=3, date=datetime.date(2022, 10, 1))  # number taken
    assert Period.objects.count() == 3


def test_period_create_needs_permission(zone):
    with pytest.raises(PermissionDenied):
        period_create(number=3, date=datetime.date(2022, 9, 20), user=zone["users"]["viewer"])
    assert not Period.objects.filter(number=3).exists()


def test_region_create(zone):
    r = region_create(code="410174", name="郑州航空港区", parent=zone["regions"]["zhengzhou"])
    assert (r.path, r.level) == ("/410000/410100/410174/", "county")
    with pytest.raises(ValidationError):
        region_create(code="4X", name="坏", parent=r)  # a fourth level
    with pytest.raises(ValidationError):
        region_create(code="410175", name="郑州航空港区", parent=zone["regions"]["zhengzhou"])  # same name


def test_save_checked_rolls_back_writes_out_of_scope(zone):
    admin = zone["users"]["admin"]
    p = Project(name="越界项目", region=zone["regions"]["luoyang_gx"], enterprise=zone["enterprises"]["c"],
                total_investment=1)  # fmt: skip
    before = (Project.objects.count(), ChangeRecord.objects.count())
    with pytest.raises(PermissionDenied):
        save_checked(admin, p, "add")
    assert (Project.objects.count(), ChangeRecord.objects.count()) == before
    ok = Project(name="区内项目", region=zone["regions"]["jingkai"], enterprise=zone["enterprises"]["a"],
                 total_investment=1)  # fmt: skip
    save_checked(admin, ok, "add")
    assert Project.objects.filter(name="区内项目").exists()


def test_save_checked_validates(zone):
    p = Project(name="坏项目", region=zone["regions"]["jingkai"], enterprise=zone["department"], total_investment=1)
    with pytest.raises(ValidationError) as exc:
        save_checked(zone["users"]["admin"], p, "add")
    assert "enterprise" in exc.value.message_dict
    assert not Project.objects.filter(name="坏项目").exists()
