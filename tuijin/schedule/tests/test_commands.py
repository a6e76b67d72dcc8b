"""The CLI contracts (`tuijin schedule`, `tuijin warnings`) and the API endpoint."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command
from ninja.testing import TestClient

from tuijin.core.testing import project as make_project
from tuijin.schedule import cpm, services
from tuijin.schedule.api import router
from tuijin.schedule.models import NodeDependency, ProjectNode, ScheduleTarget

D = datetime.date
NODE_KEYS = {
    "name",
    "duration",
    "calendar",
    "predecessors",
    "earliest_start",
    "earliest_finish",
    "latest_start",
    "latest_finish",
    "total_float",
    "actual_start",
    "actual_finish",
    "status",
}


def run_json(capsys, *args) -> dict:
    call_command(*args, "--json")
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def fresh(zone):
    return make_project(
        "储能电池项目",
        zone["regions"]["jingkai"],
        zone["enterprises"]["b"],
        "20000",
        leader=zone["leader"],
        signed_on=D(2023, 3, 1),
    )


def test_schedule_cli_contract(zone, fresh, capsys):
    out = run_json(capsys, "schedule", fresh.code, "--target", "投产=2024-12-31", "--as-of", "2023-03-06")
    assert out["project"] == {"id": fresh.pk, "code": fresh.code, "name": "储能电池项目"}
    assert out["target"]["node"] == "投产" and out["target"]["date"] == "2024-12-31"
    assert out["feasible"] is True and out["days_short"] == 0
    assert len(out["nodes"]) == 19
    assert all(set(n) >= NODE_KEYS for n in out["nodes"])
    nodes = {n["name"]: n for n in out["nodes"]}
    assert nodes["签约"]["actual_finish"] == "2023-03-01" and nodes["签约"]["status"] == "done"
    assert nodes["公司注册"]["earliest_start"] == "2023-03-06" and nodes["公司注册"]["earliest_finish"] == "2023-03-10"
    assert nodes["立项备案"]["earliest_start"] == "2023-03-13" and nodes["立项备案"]["calendar"] == "work"
    assert nodes["规划设计方案审查"]["predecessors"] == ["环评", "能评", "水保"]
    assert nodes["投产"]["latest_finish"] == "2024-12-31"
    assert nodes["达效"]["latest_finish"] is None  # after the target: nothing to schedule back from
    assert out["critical_path"][0] == "公司注册" and out["critical_path"][-1] == "投产"
    assert "能评" not in out["critical_path"]  # 15 working days beside 环评's 20
    assert nodes["能评"]["total_float"] - nodes["环评"]["total_float"] == 5
    # Running it again keeps the checklist and the target.
    out2 = run_json(capsys, "schedule", "储能电池项目", "--as-of", "2023-03-06")
    assert out2["nodes"] == out["nodes"]
    assert ProjectNode.objects.filter(project=fresh).count() == 19


def test_schedule_cli_infeasible_target(zone, fresh, capsys):
    out = run_json(capsys, "schedule", fresh.code, "--target", "投产=2030-01-01", "--as-of", "2023-03-06")
    earliest = D.fromisoformat({n["name"]: n for n in out["nodes"]}["投产"]["earliest_finish"])
    short = earliest - datetime.timedelta(days=30)
    out = run_json(capsys, "schedule", fresh.code, "--target", f"投产={short}", "--as-of", "2023-03-06")
    assert out["feasible"] is False and out["days_short"] == 30
    assert out["chain"] == out["critical_path"]
    red = [n["name"] for n in out["nodes"] if n["status"] == "red"]
    assert set(out["critical_path"]) <= set(red)


def test_schedule_cli_from_template(zone, fresh, capsys):
    out = run_json(
        capsys,
        "schedule",
        fresh.code,
        "--from-template",
        "拿地即开工",
        "--target",
        "开工=2023-09-30",
        "--as-of",
        "2023-03-06",
    )
    names = [n["name"] for n in out["nodes"]]
    assert "施工图预审" in names and "环评" not in names
    pre = {n["name"]: n for n in out["nodes"]}["施工图预审"]
    land = {n["name"]: n for n in out["nodes"]}["土地出让(摘牌)"]
    # SS with a 5-working-day lag: the drawings are checked while the land is on sale.
    assert D.fromisoformat(pre["earliest_start"]) > D.fromisoformat(land["earliest_start"])
    assert D.fromisoformat(pre["earliest_start"]) < D.fromisoformat(land["earliest_finish"])


def test_schedule_cli_errors_write_nothing(zone, fresh, capsys):
    with pytest.raises(CommandError) as exc:
        call_command("schedule", fresh.code, "--target", "开工=2023-01-01", "--as-of", "2023-03-06", "--json")
    assert "开工" in str(exc.value) and "2023-01-01" in str(exc.value)
    assert exc.value.returncode == 2
    assert not ProjectNode.objects.filter(project=fresh).exists()  # the checklist was rolled back too
    with pytest.raises(CommandError) as exc:
        call_command("schedule", fresh.code, "--target", "封顶=2024-01-01", "--as-of", "2023-03-06")
    assert "封顶" in str(exc.value)
    with pytest.raises(CommandError):
        call_command("schedule", "没有这个项目", "--target", "开工=2024-01-01")
    with pytest.raises(CommandError):
        call_command("schedule", fresh.code, "--target", "开工=2024-13-01")
    with pytest.raises(CommandError):
        call_command("schedule", fresh.code, "--from-template", "没有的模板")
    assert not ScheduleTarget.objects.exists()


def test_schedule_cli_cycle_error_names_the_nodes(zone, fresh, capsys):
    services.checklist_create(project=fresh)
    a = ProjectNode.objects.get(project=fresh, name="施工许可")
    b = ProjectNode.objects.get(project=fresh, name="立项备案")
    NodeDependency.objects.create(predecessor=a, successor=b)  # the service refuses cycles: write one directly
    with pytest.raises(CommandError) as exc:
        call_command("schedule", fresh.code, "--as-of", "2023-03-06")
    assert "施工许可" in str(exc.value) and "立项备案" in str(exc.value)


@pytest.fixture
def warned(zone):
    """One project in 郑州经开区 with red, yellow and green nodes on 1 March 2024, one red one in 洛阳."""
    jk, ly = zone["regions"]["jingkai"], zone["regions"]["luoyang_gx"]
    p = make_project("精密轴承项目", jk, zone["enterprises"]["a"], "8000", leader=zone["leader"])
    approve = services.node_add(
        project=p, name="审批", duration=10, calendar=cpm.WORK, responsible_unit=zone["department"]
    )
    services.node_report(node=approve, actual_start=D(2024, 2, 1), as_of=D(2024, 2, 1))
    services.node_add(project=p, name="施工", duration=20, calendar=cpm.CALENDAR, predecessors=[("审批", "FS", 0)])
    services.node_add(
        project=p,
        name="设备",
        duration=5,
        calendar=cpm.CALENDAR,
        predecessors=[("施工", "SS", 0)],
        planned_finish=D(2024, 3, 6),
    )
    services.node_add(
        project=p,
        name="验收",
        duration=5,
        calendar=cpm.CALENDAR,
        predecessors=[("设备", "FS", 0)],
        planned_finish=D(2024, 6, 30),
    )
    services.target_set(project=p, node="施工", date=D(2024, 3, 20), as_of=D(2024, 3, 1))
    q = make_project("洛阳项目", ly, zone["enterprises"]["c"], "100")
    services.node_add(project=q, name="审批", duration=10, calendar=cpm.WORK, planned_finish=D(2024, 2, 1))
    return p


def test_warnings_cli_at_a_frozen_day(zone, warned, capsys):
    out = run_json(capsys, "warnings", "--as-of", "2024-03-01", "--region", "410171")
    assert out["as_of"] == "2024-03-01"
    assert (out["red"], out["yellow"]) == (2, 1)
    got = [
        (i["project"], i["node"], i["level"], i["days_late"], i["responsible_unit"], i["leader"]) for i in out["items"]
    ]
    assert got == [
        # 审批 started 1 Feb; 10 working days across the 2024 Spring Festival would end 19 Feb, so it is
        # still open and finishes today at the earliest; 施工 then ends 21 March, a day past its target.
        ("精密轴承项目", "审批", "red", 1, "经开区发展改革局", "王明"),
        ("精密轴承项目", "施工", "red", 1, None, "王明"),
        ("精密轴承项目", "设备", "yellow", 0, None, "王明"),  # due 6 March: within 7 days
    ]
    everything = run_json(capsys, "warnings", "--as-of", "2024-03-01")
    assert everything["red"] == 3 and any(i["project"] == "洛阳项目" for i in everything["items"])


def test_warnings_follow_progress(zone, warned, capsys):
    services.node_report(
        node=ProjectNode.objects.get(project=warned, name="审批"), actual_finish=D(2024, 2, 28), as_of=D(2024, 3, 1)
    )
    out = run_json(capsys, "warnings", "--as-of", "2024-03-01", "--region", "410171")
    assert (out["red"], out["yellow"]) == (0, 2)  # 施工 now ends 19 March: 1 day of float


def test_api_schedule_endpoint_is_scoped(zone, warned):
    client = TestClient(router)
    users = zone["users"]
    response = client.get(f"/projects/{warned.pk}/schedule?as_of=2024-03-01", user=users["viewer"])
    assert response.status_code == 200
    body = response.json()
    assert body["project"]["name"] == "精密轴承项目" and body["days_short"] == 1
    assert [n["name"] for n in body["nodes"]] == ["审批", "施工", "设备", "验收"]
    assert all(set(n) >= NODE_KEYS for n in body["nodes"])
    assert client.get(f"/projects/{warned.pk}/schedule", user=users["admin_out"]).status_code == 404
    assert client.get(f"/projects/{warned.pk}/schedule", user=users["enterprise"]).status_code == 200  # its own
    assert client.get(f"/projects/{warned.pk}/schedule", user=users["enterprise_out"]).status_code == 404
