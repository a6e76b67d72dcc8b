"""Checklists, targets, progress and the milestone ↔ ledger date rule, against the database."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tuijin.core.models import ChangeRecord
from tuijin.core.testing import project as make_project
from tuijin.schedule import cpm, services
from tuijin.schedule.calendar import fixture_days, load_calendar
from tuijin.schedule.models import (
    Baseline,
    CalendarDay,
    NodeDependency,
    NodeTemplate,
    ProjectNode,
    ScheduleTarget,
)
from tuijin.schedule.selectors import project_schedule, rules_for, schedule_payload

D = datetime.date
STANDARD = [
    "签约",
    "公司注册",
    "立项备案",
    "用地预审与选址",
    "土地出让(摘牌)",
    "环评",
    "能评",
    "水保",
    "规划设计方案审查",
    "建设用地规划许可",
    "施工图审查",
    "建设工程规划许可",
    "施工许可",
    "开工",
    "主体封顶",
    "设备安装调试",
    "竣工验收",
    "投产",
    "达效",
]


def node(project, name):
    return ProjectNode.objects.get(project=project, name=name)


@pytest.fixture
def fresh(zone):
    """A project signed on 1 March 2023 with nothing else done yet, and its standard checklist."""
    p = make_project(
        "储能电池项目",
        zone["regions"]["jingkai"],
        zone["enterprises"]["b"],
        "20000",
        leader=zone["leader"],
        signed_on=D(2023, 3, 1),
    )
    services.checklist_create(project=p)
    return p


def test_shipped_templates_and_calendar(db):
    standard = NodeTemplate.objects.get(is_default=True)
    assert standard.name == "标准工业项目"
    assert list(standard.nodes.values_list("name", flat=True)) == STANDARD
    preds = {
        n.name: sorted(n.predecessor_links.values_list("predecessor__name", flat=True)) for n in standard.nodes.all()
    }
    assert preds["规划设计方案审查"] == ["水保", "环评", "能评"]
    assert preds["环评"] == preds["能评"] == preds["水保"] == ["土地出让(摘牌)"]
    assert dict(standard.nodes.exclude(milestone="").values_list("name", "milestone")) == {
        "签约": "signed_on",
        "开工": "started_on",
        "投产": "production_on",
        "达效": "effective_on",
    }
    short = NodeTemplate.objects.get(name="拿地即开工")
    assert short.nodes.count() < standard.nodes.count()
    assert CalendarDay.objects.count() == len(fixture_days())
    assert not CalendarDay.objects.get(date=D(2023, 1, 23)).is_workday
    assert CalendarDay.objects.get(date=D(2023, 1, 28)).is_workday


def test_checklist_from_the_default_template(zone, fresh):
    nodes = list(ProjectNode.objects.filter(project=fresh).select_related("responsible_unit"))
    assert [n.name for n in nodes] == STANDARD
    units = {n.name: n.responsible_unit for n in nodes}
    assert units["立项备案"] == zone["department"]  # 发展改革局 matches 经开区发展改革局
    assert units["开工"] == zone["enterprises"]["b"]  # 建设单位 = the project's enterprise
    assert units["环评"] is None  # no 生态环境局 in this zone: the office assigns one
    assert NodeDependency.objects.filter(successor__project=fresh).count() == 20
    assert ChangeRecord.objects.filter(content_type__model="projectnode", action="create").count() == 19
    with pytest.raises(ValidationError):
        services.checklist_create(project=fresh)
    assert ProjectNode.objects.filter(project=fresh).count() == 19


def test_milestone_node_and_ledger_date_are_one_fact(zone, fresh):
    _rows, result = project_schedule(fresh, as_of=D(2023, 3, 6))
    signed = next(n for n in result.nodes if n.name == "签约")
    assert signed.actual_finish == D(2023, 3, 1) and signed.status == "done"

    # Reporting the node writes the project's date, with the ledger's change record.
    services.node_report(node=node(fresh, "开工"), actual_finish=D(2023, 6, 1), as_of=D(2023, 6, 2))
    fresh.refresh_from_db()
    assert fresh.started_on == D(2023, 6, 1)
    assert node(fresh, "开工").actual_finish is None  # the date lives on the project only
    record = ChangeRecord.objects.filter(content_type__model="project", object_id=fresh.pk, action="update").first()
    assert record.after == {"started_on": "2023-06-01"}

    # Editing the ledger shows in the schedule.
    fresh.started_on = D(2023, 6, 5)
    fresh.save()
    _rows, result = project_schedule(fresh, as_of=D(2023, 6, 10))
    started = next(n for n in result.nodes if n.name == "开工")
    assert started.actual_finish == D(2023, 6, 5) and started.status == "done"
    follow = next(n for n in result.nodes if n.name == "主体封顶")
    assert follow.earliest_start == D(2023, 6, 10)

    # Clearing the node clears the ledger.
    services.node_report(node=node(fresh, "开工"), actual_finish=None, as_of=D(2023, 6, 10))
    fresh.refresh_from_db()
    assert fresh.started_on is None


def test_milestone_report_that_breaks_the_ledger_order_writes_nothing(zone, fresh):
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.node_report(node=node(fresh, "开工"), actual_finish=D(2023, 2, 1), as_of=D(2023, 6, 2))
    assert "started_on" in exc.value.message_dict
    fresh.refresh_from_db()
    assert fresh.started_on is None
    assert ChangeRecord.objects.count() == before


def test_report_rejects_future_dates_and_nothing_is_written(zone, fresh):
    n = node(fresh, "公司注册")
    with pytest.raises(ValidationError) as exc:
        services.node_report(node=n, actual_start=D(2023, 3, 2), actual_finish=D(2023, 4, 1), as_of=D(2023, 3, 10))
    assert "actual_finish" in exc.value.message_dict
    n.refresh_from_db()
    assert n.actual_start is None and n.actual_finish is None


def test_database_refuses_a_milestone_node_with_its_own_finish(zone, fresh):
    n = node(fresh, "投产")
    n.actual_finish = D(2023, 5, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectNode.objects.filter(pk=n.pk).update(actual_finish=D(2023, 5, 1))


def test_target_set_and_its_errors_write_nothing(zone, fresh):
    as_of = D(2023, 3, 6)
    result = services.target_set(project=fresh, node="投产", date=D(2024, 12, 31), as_of=as_of)
    assert result.feasible
    target = ScheduleTarget.objects.get(project=fresh)
    assert (target.node.name, target.date, target.kind) == ("投产", D(2024, 12, 31), cpm.FINISH_NO_LATER_THAN)

    with pytest.raises(cpm.ScheduleError) as exc:
        services.target_set(project=fresh, node="开工", date=D(2023, 3, 1), as_of=as_of)
    assert exc.value.code == "target_in_past" and exc.value.nodes == ["开工"]
    with pytest.raises(cpm.ScheduleError) as exc:
        services.target_set(project=fresh, node="封顶", date=D(2024, 3, 1), as_of=as_of)
    assert exc.value.code == "unknown_node"
    services.node_change(node=node(fresh, "环评"), duration=None)
    with pytest.raises(cpm.ScheduleError) as exc:
        services.target_set(project=fresh, node="开工", date=D(2024, 3, 1), as_of=as_of)
    assert exc.value.nodes == ["环评"]
    target.refresh_from_db()
    assert (target.node.name, target.date) == ("投产", D(2024, 12, 31))


def test_dependency_that_closes_a_cycle_is_refused(zone, fresh):
    links = NodeDependency.objects.count()
    with pytest.raises(cpm.ScheduleError) as exc:
        services.dependency_set(predecessor=node(fresh, "施工许可"), successor=node(fresh, "立项备案"))
    assert exc.value.code == "cycle"
    assert "施工许可" in exc.value.nodes and "立项备案" in exc.value.nodes
    assert NodeDependency.objects.count() == links
    link = services.dependency_set(
        predecessor=node(fresh, "环评"), successor=node(fresh, "施工图审查"), type="SS", lag=3
    )
    assert (link.type, link.lag) == ("SS", 3)


def test_edit_the_checklist(zone, fresh):
    extra = services.node_add(
        project=fresh, name="电力接入", duration=30, calendar=cpm.CALENDAR, predecessors=[("开工", "FS", 0)]
    )
    services.dependency_set(predecessor=extra, successor=node(fresh, "设备安装调试"))
    services.node_change(node=node(fresh, "主体封顶"), duration=200, responsible_person="张工")
    assert node(fresh, "主体封顶").duration == 200
    services.target_set(project=fresh, node="投产", date=D(2024, 12, 31), as_of=D(2023, 3, 6))
    with pytest.raises(ValidationError):
        services.node_delete(node=node(fresh, "投产"))
    services.node_delete(node=extra)
    assert not ProjectNode.objects.filter(project=fresh, name="电力接入").exists()


def test_baseline_and_slippage(zone, fresh):
    services.target_set(project=fresh, node="投产", date=D(2024, 12, 31), as_of=D(2023, 3, 6))
    baseline = services.baseline_create(project=fresh, name="2023年初排定", as_of=D(2023, 3, 6))
    assert baseline.nodes.count() == 19
    services.node_change(node=node(fresh, "主体封顶"), duration=200)
    _rows, result = project_schedule(fresh, as_of=D(2023, 3, 6))
    slip = {r["node"]: r["slip"] for r in services.baseline_slippage(baseline, result)}
    assert slip["主体封顶"] == slip["设备安装调试"] == 20 and slip["施工许可"] == 0
    assert slip["投产"] > 0  # 竣工验收 counts working days: the holidays it now misses shift it less
    with pytest.raises(ValidationError):
        services.baseline_create(project=fresh, name="2023年初排定", as_of=D(2023, 3, 6))
    assert Baseline.objects.filter(project=fresh).count() == 1


def test_calendar_is_editable_per_year(zone):
    cal = load_calendar()
    assert not cal.is_work(D(2023, 1, 27).toordinal())
    days = [(d, w, n) for d, w, n in fixture_days(years=[2023]) if d.year == 2023]
    days.append((D(2023, 3, 8), False, "测试假日"))
    services.calendar_year_set(year=2023, days=days)
    cal = load_calendar()
    assert not cal.is_work(D(2023, 3, 8).toordinal())
    assert ChangeRecord.objects.filter(content_type__model="calendarday", action="create").count() == 1
    services.calendar_year_set(year=2023, days=[])
    assert not CalendarDay.objects.filter(date__year=2023).exists()
    assert load_calendar().is_work(D(2023, 1, 27).toordinal())  # a plain Friday now
    with pytest.raises(ValidationError):
        services.calendar_year_set(year=2024, days=[(D(2023, 5, 1), False, "x")])


def test_who_may_report_progress(zone, fresh):
    users = zone["users"]
    filing = node(fresh, "立项备案")  # responsible: 经开区发展改革局 = the department user's organisation
    soil = node(fresh, "水保")
    assert services.may_report(users["admin"], soil)
    assert services.may_report(users["department"], filing)
    assert not services.may_report(users["department"], soil)
    assert not services.may_report(users["enterprise"], soil)  # project of enterprise b, user of a
    assert not services.may_report(users["viewer"], filing)
    assert not services.may_report(users["admin_out"], filing)
    services.node_report(node=filing, actual_start=D(2023, 3, 6), as_of=D(2023, 3, 6), user=users["department"])
    with pytest.raises(PermissionDenied):
        services.node_report(node=soil, actual_start=D(2023, 3, 6), as_of=D(2023, 3, 6), user=users["department"])
    with pytest.raises(PermissionDenied):
        services.target_set(project=fresh, node="投产", date=D(2024, 12, 31), as_of=D(2023, 3, 6), user=users["leader"])
    assert not ScheduleTarget.objects.exists()


def test_zone_warning_settings_inherit(zone):
    regions = zone["regions"]
    services.setting_set(region=regions["zhengzhou"], yellow_float_days=15, yellow_due_days=5)
    assert rules_for(regions["jingkai"]) == cpm.Rules(yellow_float=15, yellow_due=5)
    assert rules_for(regions["luoyang_gx"]) == cpm.Rules()
    with pytest.raises(PermissionDenied):
        services.setting_set(
            region=regions["luoyang_gx"], yellow_float_days=1, yellow_due_days=1, user=zone["users"]["admin"]
        )


def test_payload_is_the_node_table(zone, fresh):
    services.target_set(project=fresh, node="投产", date=D(2024, 12, 31), as_of=D(2023, 3, 6))
    rows, result = project_schedule(fresh, as_of=D(2023, 3, 6))
    payload = schedule_payload(fresh, result, rows)
    assert payload["target"] == {"node": "投产", "date": "2024-12-31", "kind": "finish_no_later_than"}
    first = payload["nodes"][0]
    assert first["name"] == "签约" and first["actual_finish"] == "2023-03-01" and first["status"] == "done"
    filing = payload["nodes"][2]
    assert filing["responsible_unit"] == "经开区发展改革局" and filing["calendar"] == "work"
    assert filing["predecessors"] == ["公司注册"]
