"""Every create, update and delete of an audited model writes exactly one change record, with the context's
source and user and the changed fields only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tuijin.core.changelog import change_context
from tuijin.core.models import ChangeRecord
from tuijin.core.testing import organization, period, project, region_tree
from tuijin.projects.models import Listing, Period, Project
from tuijin.projects.tests.builders import write_ledger
from tuijin.regions.models import Region


@pytest.fixture
def base(db):
    r = region_tree()
    ent = organization("甲公司", r["jingkai"])
    return {"regions": r, "ent": ent, "period": period(1, "2022-03-15")}


def new_records(since: int) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(id__gt=since).order_by("id"))


def last_id() -> int:
    return ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0


def make(model, base):
    jk = base["regions"]["jingkai"]
    if model is Project:
        return Project(name="项目甲", region=jk, enterprise=base["ent"], total_investment=Decimal("100"))
    if model is Listing:
        p = project("项目乙", jk, base["ent"])
        return Listing(project=p, period=base["period"], batch="signed")
    if model is Period:
        return Period(number=2, date=datetime.date(2022, 6, 20))
    return Region(code="410174", name="航空港区", parent=base["regions"]["zhengzhou"])


CHANGES = {
    Project: ("total_investment", Decimal("250.50"), "250.50"),
    Listing: ("batch", "started", "started"),
    Period: ("name", "第二期（补）", "第二期（补）"),
    Region: ("name", "郑州航空港区", "郑州航空港区"),
}


@pytest.mark.parametrize("model", [Project, Listing, Period, Region])
def test_create_update_delete_each_write_one_record(base, admin_user, model):
    obj = make(model, base)
    with change_context(source="web", user=admin_user, label="POST /x"):
        start = last_id()
        obj.save()
        [created] = new_records(start)
        assert (created.action, created.source, created.user, created.label) == ("create", "web", admin_user, "POST /x")
        assert created.object_id == obj.pk and created.before is None
        assert "created" not in created.after and "last_updated" not in created.after

        field, value, stored = CHANGES[model]
        start = last_id()
        setattr(obj, field, value)
        obj.save()
        [updated] = new_records(start)
        assert updated.action == "update"
        assert set(updated.after) == set(updated.before) and field in updated.after
        assert updated.after[field] == stored
        assert "last_updated" not in updated.after

        start = last_id()
        obj.save()  # nothing changed
        assert new_records(start) == []

        start = last_id()
        pk = obj.pk
        obj.delete()
        [deleted] = new_records(start)
        assert (deleted.action, deleted.object_id, deleted.after) == ("delete", pk, None)
        assert deleted.before[field] == stored


def test_update_records_only_the_changed_fields(base):
    p = project("项目甲", base["regions"]["jingkai"], base["ent"], "100", industry="汽车")
    start = last_id()
    p = Project.objects.get(pk=p.pk)
    p.industry = "装备制造"
    p.note = "改了"
    p.save()
    [rec] = new_records(start)
    assert rec.before == {"industry": "汽车", "note": ""}
    assert rec.after == {"industry": "装备制造", "note": "改了"}
    assert [(label, old, new) for label, old, new in rec.diff()] == [
        (str(Project._meta.get_field("industry").verbose_name), "汽车", "装备制造"),
        (str(Project._meta.get_field("note").verbose_name), "", "改了"),
    ]


def test_writes_outside_a_context_are_system_writes(base):
    start = last_id()
    project("项目甲", base["regions"]["jingkai"], base["ent"])
    [rec] = new_records(start)
    assert (rec.source, rec.user, rec.user_name) == ("system", None, "")


def test_the_record_is_scoped_to_the_objects_region(base):
    start = last_id()
    project("项目甲", base["regions"]["jingkai"], base["ent"])
    [rec] = new_records(start)
    assert rec.scope_path == "/410000/410100/410171/"


def test_importer_records_under_its_context(base, tmp_path):
    from tuijin.projects.importer import apply_plan, plan_import

    path = write_ledger(tmp_path / "l.xlsx", [["项目甲", "甲公司", "签约", 1, 100]],
                        headers=["项目名称", "建设单位", "批次", "期次", "总投资(万元)"])  # fmt: skip
    start = last_id()
    with change_context(source="import", label="upload l.xlsx") as ctx:
        apply_plan(plan_import(path, region=base["regions"]["jingkai"]))
    records = new_records(start)
    assert {(r.content_type.model, r.action) for r in records} == {("project", "create"), ("listing", "create")}
    assert {(r.source, r.request_id, r.label) for r in records} == {("import", ctx.request_id, "upload l.xlsx")}


def test_import_command_records_as_cli(base, tmp_path):
    from django.core.management import call_command

    path = write_ledger(tmp_path / "l.xlsx", [["项目甲", "甲公司", "签约", 1, 100]],
                        headers=["项目名称", "建设单位", "批次", "期次", "总投资(万元)"])  # fmt: skip
    start = last_id()
    call_command("import_ledger", path, "--region", "410171", stdout=open("/dev/null", "w"))  # noqa: SIM115
    records = new_records(start)
    assert len(records) == 2
    assert {r.source for r in records} == {"cli"}
    assert all(r.label.startswith("tuijin") for r in records)


@pytest.mark.parametrize("door", ["model", "api"])
def test_deleting_a_project_records_what_its_cascade_removes(zone, client, door):
    """A project's listings and annual plans go with it; each gets its own delete record, whichever door."""
    a = zone["projects"]["a"]
    a_pk = a.pk  # delete() clears it
    listing_ids = set(a.listings.values_list("pk", flat=True))
    plan_ids = set(a.annual_plans.values_list("pk", flat=True))
    assert listing_ids and plan_ids
    if door == "api":
        client.force_login(zone["users"]["admin"])
        assert client.delete(f"/api/v1/projects/{a_pk}").status_code == 204
    else:
        with change_context(source="cli"):
            a.delete()
    deletes = ChangeRecord.objects.filter(action="delete")
    assert set(deletes.filter(content_type__model="listing").values_list("object_id", flat=True)) == listing_ids
    assert set(deletes.filter(content_type__model="annualplan").values_list("object_id", flat=True)) == plan_ids
    assert deletes.filter(content_type__model="project", object_id=a_pk).count() == 1
    assert not Listing.objects.filter(pk__in=listing_ids).exists()
