"""The bulk writers store exactly what save() would: every value type (money, dates, datetimes, JSON, nulls), and
change records identical to `build_record(...)` + `save()` — including those of a whole ledger import."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from tuijin.accounts.models import Leader, Organization
from tuijin.core.bulk import ChangeRows, insert_by_columns, insert_rows, insert_rows_with_ids, update_rows
from tuijin.core.changelog import build_record, change_context, snapshot
from tuijin.core.choices import ChangeAction, ChangeSource
from tuijin.core.models import ChangeRecord, Job
from tuijin.core.testing import organization, period, project, region_tree
from tuijin.investment.models import AnnualPlan
from tuijin.projects.importer import apply_plan, plan_import
from tuijin.projects.models import Listing, Project
from tuijin.projects.tests.builders import write_ledger

RECORD_FIELDS = [f.attname for f in ChangeRecord._meta.concrete_fields if f.attname not in ("id", "time")]


@pytest.fixture
def base(db):
    regions = region_tree()
    ent = organization("甲公司", regions["jingkai"])
    return {"regions": regions, "ent": ent, "period": period(7, "2022-12-25")}


def stored(model, pk) -> dict:
    """The row as the database returns it (raw column values, JSON as text: what was written)."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {connection.ops.quote_name(meta.db_table)} WHERE {meta.pk.column} = %s",  # noqa: S608
            [pk],
        )
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def without(row: dict, *names) -> dict:
    return {k: v for k, v in row.items() if k not in names}


def test_insert_rows_stores_what_save_stores(base):
    jk = base["regions"]["jingkai"]
    fields = dict(
        region=jk,
        enterprise=base["ent"],
        total_investment=Decimal("12345.67"),
        signed_on=datetime.date(2022, 1, 5),
        started_on=None,  # null date
        latitude=Decimal("34.123456"),
        note="",
    )
    saved = Project(code="A-1", name="项目甲", name_key="项目甲", **fields)
    saved.save()
    bulk = Project(code="A-2", name="项目甲", name_key="项目乙", **fields)
    before = timezone.now()
    assert insert_rows(Project, [bulk]) == 1
    pk = Project.objects.get(code="A-2").pk
    a, b = stored(Project, saved.pk), stored(Project, pk)
    assert without(a, "id", "code", "name_key", "created", "last_updated") == without(
        b, "id", "code", "name_key", "created", "last_updated"
    )
    again = Project.objects.get(pk=pk)
    assert again.total_investment == Decimal("12345.67") and again.started_on is None
    assert again.signed_on == datetime.date(2022, 1, 5)
    # auto_now_add / auto_now: set as save() sets them, on the object too
    assert again.created == again.last_updated == bulk.created
    assert before <= again.created <= timezone.now()


def test_insert_rows_money_nulls_and_one_time_per_call(base):
    p = project("项目甲", base["regions"]["jingkai"], base["ent"])
    plans = [
        AnnualPlan(project=p, year=2020 + i, amount=Decimal(amount)) for i, amount in enumerate(["0", "1.5", "100"])
    ]
    plans[2].ensure_split()  # months: 8.33 … 8.37; the others stay NULL
    insert_rows(AnnualPlan, plans)
    got = {ap.year: ap for ap in AnnualPlan.objects.filter(project=p)}
    assert [got[y].amount for y in (2020, 2021, 2022)] == [Decimal("0.00"), Decimal("1.50"), Decimal("100.00")]
    assert got[2020].months is None and got[2021].month_12 is None
    assert got[2022].months == [Decimal("8.33")] * 11 + [Decimal("8.37")]
    assert len({ap.created for ap in got.values()}) == 1
    # the same money stored by save() is the same integer
    p2 = project("项目乙", base["regions"]["jingkai"], base["ent"])
    AnnualPlan.objects.create(project=p2, year=2022, amount=Decimal("100"))
    a = stored(AnnualPlan, got[2022].pk)
    b = stored(AnnualPlan, AnnualPlan.objects.get(project=p2).pk)
    assert without(a, "id", "project_id", "created", "last_updated") == without(
        b, "id", "project_id", "created", "last_updated"
    )


def test_insert_rows_with_ids_sets_the_ids_the_rows_got(base):
    jk = base["regions"]["jingkai"]
    earlier = project("项目甲", jk, base["ent"])
    new = [
        Project(
            code=f"B-{i}",
            name=f"项目{i}",
            name_key=f"项目{i}",
            region=jk,
            enterprise=base["ent"],
            total_investment=Decimal(i),
        )
        for i in range(5)
    ]
    assert insert_rows_with_ids(Project, new) == 5
    assert all(not p._state.adding for p in new)
    assert len({p.pk for p in new} | {earlier.pk}) == 6
    assert {p.pk: p.code for p in new} == dict(Project.objects.filter(code__startswith="B-").values_list("pk", "code"))
    assert [p.pk for p in new] == sorted(p.pk for p in new) and new[0].pk > earlier.pk
    # the ids are the database's own: the next row saved the ordinary way follows them
    later = project("项目乙", jk, base["ent"])
    assert later.pk > new[-1].pk
    single = [AnnualPlan(project=later, year=2023, amount=Decimal("1.5"))]
    insert_rows_with_ids(AnnualPlan, single)
    assert AnnualPlan.objects.get(pk=single[0].pk).amount == Decimal("1.50")
    assert insert_rows_with_ids(AnnualPlan, []) == 0


def test_insert_by_columns_stores_what_save_stores(base):
    """Rows given a column at a time (a dispatch import's reports): the same stored row as save() of an instance
    with those values, the fields not given at their defaults, one time for the call."""
    from tuijin.investment.models import MonthlyReport

    jk = base["regions"]["jingkai"]
    a, b = project("项目甲", jk, base["ent"]), project("项目乙", jk, base["ent"])
    now = timezone.now()
    saved = MonthlyReport(project=b, year=2022, month=9, invested=Decimal("7.25"), status="accepted", reviewed_at=now)
    saved.save()
    fixed = {"year": 2022, "status": "accepted", "reviewed_at": now}
    varying = {"project_id": [a.pk, a.pk, b.pk], "month": [1, 2, 3], "invested": [Decimal("0"), Decimal("1.5"), 8]}
    assert insert_by_columns(MonthlyReport, 3, varying, fixed) == 3
    got = {(r.project_id, r.month): r for r in MonthlyReport.objects.exclude(pk=saved.pk)}
    assert {k: r.invested for k, r in got.items()} == {
        (a.pk, 1): Decimal("0.00"),
        (a.pk, 2): Decimal("1.50"),
        (b.pk, 3): Decimal("8.00"),
    }
    skip = ("id", "project_id", "month", "invested", "created", "last_updated")
    assert without(stored(MonthlyReport, got[b.pk, 3].pk), *skip) == without(stored(MonthlyReport, saved.pk), *skip)
    assert len({(r.created, r.last_updated) for r in got.values()}) == 1
    assert insert_by_columns(MonthlyReport, 0, {}, {}) == 0
    count = MonthlyReport.objects.count()
    with pytest.raises(ValueError, match="2 values for 3 rows"):
        insert_by_columns(MonthlyReport, 3, {"project_id": [a.pk, a.pk], "month": [4, 5, 6]}, fixed)
    assert MonthlyReport.objects.count() == count


def test_insert_rows_json_and_nullable_datetimes(db):
    started = timezone.now().replace(microsecond=123456)
    params = {"file": "台账.xlsx", "amount": "12.50", "ids": [1, 2], "nested": {"年": 2023}}
    saved = Job(kind="import", params=params, result=None, started=started, finished=None)
    saved.save()
    bulk = Job(kind="import", params=params, result=None, started=started, finished=None)
    insert_rows(Job, [bulk])
    [pk] = Job.objects.exclude(pk=saved.pk).values_list("pk", flat=True)
    a, b = stored(Job, saved.pk), stored(Job, pk)
    assert without(a, "id", "created") == without(b, "id", "created")  # JSON text identical too
    job = Job.objects.get(pk=pk)
    assert job.params == params and job.result is None and job.finished is None and job.started == started


def test_update_rows_writes_only_the_named_fields(base):
    jk = base["regions"]["jingkai"]
    p = project("项目甲", jk, base["ent"], total="100", signed_on=datetime.date(2022, 1, 1), note="旧")
    later = timezone.now() + datetime.timedelta(days=1)
    p.total_investment = Decimal("250.50")
    p.signed_on = None
    p.started_on = datetime.date(2022, 3, 1)
    p.note = "新"  # changed on the object but not named: not written
    p.last_updated = later
    update_rows(Project, [p], ["total_investment", "signed_on", "started_on", "last_updated"])
    again = Project.objects.get(pk=p.pk)
    assert again.total_investment == Decimal("250.50")
    assert again.signed_on is None and again.started_on == datetime.date(2022, 3, 1)
    assert again.note == "旧" and again.last_updated == later

    job = Job.objects.create(kind="x", params={})
    job.params, job.result, job.heartbeat = {"a": [1, "二"]}, None, later
    update_rows(Job, [job], ["params", "result", "heartbeat"])
    again = Job.objects.get(pk=job.pk)
    assert (again.params, again.result, again.heartbeat) == ({"a": [1, "二"]}, None, later)


def records_since(start: int) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(id__gt=start).order_by("id"))


def last_id() -> int:
    return ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_change_rows_equal_build_record_and_save(base, admin_user):
    jk = base["regions"]["jingkai"]
    p = project("项目甲", jk, base["ent"], total="100")
    lst = Listing.objects.create(project=p, period=base["period"], batch="signed")
    ap = AnnualPlan.objects.create(project=p, year=2022, amount=Decimal("120"))
    lead = Leader.objects.create(name="王领导", region=jk)
    cases = [
        (p, ChangeAction.CREATE, None, snapshot(p)),
        (p, ChangeAction.UPDATE, {"total_investment": "1.00", "note": ""}, {"total_investment": "2.00", "note": ""}),
        (lst, ChangeAction.CREATE, None, snapshot(lst)),
        (ap, ChangeAction.UPDATE, {"amount": "1.00"}, {"amount": "120.00"}),
        (lead, ChangeAction.CREATE, None, snapshot(lead)),
        (base["ent"], ChangeAction.DELETE, snapshot(base["ent"]), None),
    ]
    for user, source in ((admin_user, ChangeSource.WEB), (None, ChangeSource.IMPORT)):
        with change_context(source=source, user=user, label="POST /import", request_id=uuid.uuid4()):
            start = last_id()
            for case in cases:
                build_record(*case).save()
            mid = last_id()
            rows = ChangeRows()
            for case in cases:
                rows.add(*case)
            assert rows.write() == len(cases)
        old, new = records_since(start)[: len(cases)], records_since(mid)
        assert len(new) == len(cases)
        for a, b in zip(old, new, strict=True):
            assert {f: getattr(a, f) for f in RECORD_FIELDS} == {f: getattr(b, f) for f in RECORD_FIELDS}
            assert without(stored(ChangeRecord, a.pk), "id", "time") == without(
                stored(ChangeRecord, b.pk), "id", "time"
            )
        assert len({r.time for r in new}) == 1


def test_import_records_are_what_save_would_write(base, tmp_path):
    """A ledger import: new enterprise, unit, leader, projects, listings and plans; an updated project, a
    conversion and a changed plan. Each change record equals build_record() for the stored object."""
    jk = base["regions"]["jingkai"]
    old = project("老项目", jk, base["ent"], total="500")
    period(6, "2022-09-20")
    Listing.objects.create(project=old, period_id=6, batch="signed")
    AnnualPlan.objects.create(project=old, year=2022, amount=Decimal("120"))
    rows = [
        {"项目名称": "老项目", "建设单位": "甲公司", "批次": "开工", "期次": 7, "总投资(万元)": 800,
         "年度计划投资(万元)": 240, "实际开工时间": datetime.date(2022, 11, 1)},
        {"项目名称": "新项目", "建设单位": "新企业有限公司", "批次": "签约", "期次": 7, "总投资(万元)": 1234.56,
         "年度计划投资(万元)": 100, "签约时间": datetime.date(2022, 10, 5), "责任领导": "李领导",
         "责任单位": "发改局", "备注": "备注"},
    ]  # fmt: skip
    path = write_ledger(tmp_path / "l.xlsx", rows)
    start = last_id()
    with change_context(source=ChangeSource.IMPORT, label="test import"):
        plan = plan_import(path, region=jk)
        apply_plan(plan)
        ctx_records = records_since(start)
        kinds = sorted((r.content_type.model, r.action) for r in ctx_records)
        assert kinds == sorted(
            [
                ("organization", "create"),  # 新企业有限公司
                ("organization", "create"),  # 发改局
                ("leader", "create"),
                ("project", "create"),
                ("project", "update"),
                ("listing", "create"),  # 新项目, period 7
                ("listing", "create"),  # 老项目 converted in period 7
                ("annualplan", "create"),
                ("annualplan", "update"),
            ]
        )
        for rec in ctx_records:
            obj = rec.content_type.get_object_for_this_type(pk=rec.object_id)
            if rec.action == ChangeAction.CREATE:
                expected = build_record(obj, rec.action, None, obj._clean_snapshot(snapshot(obj)))
            else:
                expected = build_record(obj, rec.action, rec.before, {k: snapshot(obj)[k] for k in rec.after})
            assert {f: getattr(rec, f) for f in RECORD_FIELDS} == {f: getattr(expected, f) for f in RECORD_FIELDS}
    assert len({r.time for r in ctx_records}) == 1
    new = Project.objects.get(name="新项目")
    assert new.total_investment == Decimal("1234.56") and new.signed_on == datetime.date(2022, 10, 5)
    assert new.enterprise.name == "新企业有限公司" and new.leader.name == "李领导"
    assert Organization.objects.get(name="发改局").kind == "department"
    assert AnnualPlan.objects.get(project=old, year=2022).amount == Decimal("240.00")
    upd = next(r for r in ctx_records if r.content_type.model == "project" and r.action == "update")
    assert upd.before == {"total_investment": "500.00", "started_on": None}
    assert upd.after == {"total_investment": "800.00", "started_on": "2022-11-01"}


def test_update_rows_many(base):
    """Over a hundred rows (PostgreSQL writes them through COPY and one UPDATE … FROM): each row gets its own
    values, a row named twice its last ones, and rows not named keep theirs."""
    jk = base["regions"]["jingkai"]
    plans = [
        AnnualPlan.objects.create(project=project(f"项目{i:03d}", jk, base["ent"]), year=2022, amount=Decimal("12"))
        for i in range(130)
    ]
    untouched = plans.pop()
    for i, ap in enumerate(plans):
        ap.amount = Decimal(i) + Decimal("0.25")
        ap.months = None if i % 2 else [Decimal("1.00")] * 12
        ap.split_method = "manual"
    twice = AnnualPlan.objects.get(pk=plans[0].pk)
    twice.amount = Decimal("999.99")
    assert update_rows(AnnualPlan, [*plans, twice], ["amount", *[f"month_{m}" for m in range(1, 13)], "split_method"])
    got = {ap.pk: ap for ap in AnnualPlan.objects.all()}
    assert got[plans[0].pk].amount == Decimal("999.99") and got[plans[0].pk].months == [Decimal("1.00")] * 12
    for i, ap in enumerate(plans[1:], start=1):
        assert got[ap.pk].amount == Decimal(i) + Decimal("0.25")
        assert got[ap.pk].months == (None if i % 2 else [Decimal("1.00")] * 12)
        assert got[ap.pk].split_method == "manual"
    assert got[untouched.pk].amount == Decimal("12.00") and got[untouched.pk].split_method == "even"
