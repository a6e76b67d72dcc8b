"""The schedule pages: each view × role (anonymous, office in/out of scope, leader, department, enterprise,
viewer), what a user sees on them, and that forbidden or bad writes change nothing."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tuijin.core.models import ChangeRecord
from tuijin.core.testing import project as make_project
from tuijin.schedule import services
from tuijin.schedule.models import Baseline, NodeDependency, ProjectNode, ScheduleTarget

D = datetime.date
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def node(project, name):
    return ProjectNode.objects.get(project=project, name=name)


@pytest.fixture
def sched(zone):
    """储能电池项目 in 郑州经开区 (enterprise b, leader 王明): signed 40 days ago, company registered, the filing
    under way, its standard checklist, and the target 投产 within two years (can be met)."""
    p = make_project(
        "储能电池项目",
        zone["regions"]["jingkai"],
        zone["enterprises"]["b"],
        "20000",
        leader=zone["leader"],
        signed_on=days(-40),
    )
    services.checklist_create(project=p)
    services.node_report(node=node(p, "公司注册"), actual_start=days(-38), actual_finish=days(-30))
    services.node_report(node=node(p, "立项备案"), actual_start=days(-10))
    services.node_change(node=node(p, "立项备案"), responsible_unit=zone["department"])
    services.target_set(project=p, node="投产", date=days(730))
    return p


def test_schedule_page_shows_checklist_dates_and_feasibility(zone, sched, login):
    client = login(zone["users"]["admin"])
    response = client.get(reverse("schedule:project", args=[sched.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="feasibility" data-feasible="1"' in html
    assert "施工许可" in html and "经开区发展改革局" in html
    data = json.loads(html.split('id="gantt-data" type="application/json">')[1].split("</script>")[0])
    assert len(data["nodes"]) == 19
    by_name = {n["name"]: n for n in data["nodes"]}
    assert by_name["公司注册"]["af"] == days(-30).isoformat()
    assert by_name["投产"]["lf"] == days(730).isoformat()
    assert any(n["critical"] for n in data["nodes"])
    assert data["links"] and all(len(link) == 4 for link in data["links"])


# --- who may see what ---------------------------------------------------------------------------------------


def _url(name, *args):
    return reverse(f"schedule:{name}", args=args)


@pytest.fixture
def ent_b(zone):
    from tuijin.accounts.choices import Role
    from tuijin.core.testing import user

    return user("ent_b", Role.ENTERPRISE, zone["regions"]["jingkai"], zone["enterprises"]["b"])


@pytest.mark.parametrize(
    "role, status",
    [
        ("superuser", 200),
        ("admin", 200),
        ("leader", 200),
        ("department", 200),
        ("viewer", 200),
        ("enterprise", 404),  # enterprise a: the project is enterprise b's
        ("admin_out", 404),
        ("enterprise_out", 404),
    ],
)
def test_project_page_per_role(zone, sched, login, role, status):
    assert login(zone["users"][role]).get(_url("project", sched.pk)).status_code == status


def test_own_enterprise_sees_its_project_and_reports_but_does_not_plan(sched, ent_b, login):
    client = login(ent_b)
    html = client.get(_url("project", sched.pk)).content.decode()
    assert 'id="target-form"' not in html and "Add node" not in html
    assert _url("node_report", node(sched, "施工许可").pk) in html


@pytest.mark.parametrize("name", ["portfolio", "warnings"])
def test_zone_pages_require_login(client, name):
    response = client.get(_url(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "name, args",
    [
        ("project", True),
        ("project_pdf", True),
        ("node_add", True),
        ("node_edit", False),
        ("node_report", False),
        ("node_delete", False),
    ],
)
def test_anonymous_is_sent_to_sign_in(client, sched, name, args):
    pk = sched.pk if args else node(sched, "环评").pk
    response = client.get(_url(name, pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_office_out_of_scope_gets_404_and_writes_nothing(zone, sched, login):
    client = login(zone["users"]["admin_out"])
    n = node(sched, "环评")
    before = ChangeRecord.objects.count()
    assert (
        client.post(
            _url("target_set", sched.pk), {"node": "投产", "date": days(100), "kind": "finish_no_later_than"}
        ).status_code
        == 404
    )
    assert client.post(_url("node_edit", n.pk), {"name": "x", "duration": 1, "calendar": "work"}).status_code == 404
    assert client.post(_url("node_report", n.pk), {"actual_start": days(-1)}).status_code == 404
    assert client.post(_url("baseline_add", sched.pk), {"name": "b"}).status_code == 404
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize("role", ["leader", "department", "viewer"])
def test_read_only_roles_get_403_on_planning_writes(zone, sched, login, role):
    client = login(zone["users"][role])
    n = node(sched, "环评")
    before = ChangeRecord.objects.count()
    target = ScheduleTarget.objects.get(project=sched)
    posts = [
        (_url("target_set", sched.pk), {"node": "投产", "date": days(100), "kind": "finish_no_later_than"}),
        (_url("target_clear", sched.pk), {}),
        (_url("baseline_add", sched.pk), {"name": "偷偷冻结"}),
        (_url("node_add", sched.pk), {"name": "新节点", "duration": 3, "calendar": "work"}),
        (_url("node_edit", n.pk), {"name": "环评", "duration": 99, "calendar": "work"}),
        (_url("node_delete", n.pk), {}),
        (_url("checklist_create", sched.pk), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert client.get(_url("node_edit", n.pk)).status_code == 403
    assert ChangeRecord.objects.count() == before
    assert ScheduleTarget.objects.get(project=sched).date == target.date
    assert node(sched, "环评").duration == 20 and not Baseline.objects.filter(project=sched).exists()


# --- the target (倒排工期) ------------------------------------------------------------------------------------


def test_moving_the_target_in_reschedules_and_turns_nodes_red(zone, sched, login):
    client = login(zone["users"]["admin"])
    page = client.get(_url("project", sched.pk)).content.decode()
    assert 'id="red-count">0<' in page
    response = client.post(
        _url("target_set", sched.pk), {"node": "投产", "date": days(200), "kind": "finish_no_later_than"}, follow=True
    )
    html = response.content.decode()
    assert ScheduleTarget.objects.get(project=sched).date == days(200)
    assert 'data-feasible="0"' in html and "→" in html
    assert 'id="red-count">0<' not in html
    assert ChangeRecord.objects.filter(content_type__model="scheduletarget").exists()


def test_a_target_in_the_past_is_refused_and_nothing_changes(zone, sched, login):
    client = login(zone["users"]["admin"])
    response = client.post(
        _url("target_set", sched.pk), {"node": "投产", "date": days(-5), "kind": "finish_no_later_than"}
    )
    assert response.status_code == 400
    assert 'id="target-error"' in response.content.decode()
    assert ScheduleTarget.objects.get(project=sched).date == days(730)


def test_a_target_on_an_unknown_node_is_refused(zone, sched, login):
    client = login(zone["users"]["admin"])
    response = client.post(
        _url("target_set", sched.pk), {"node": "不存在", "date": days(50), "kind": "finish_no_later_than"}
    )
    assert response.status_code == 400
    assert ScheduleTarget.objects.get(project=sched).node.name == "投产"


def test_target_can_be_removed(zone, sched, login):
    login(zone["users"]["admin"]).post(_url("target_clear", sched.pk))
    assert not ScheduleTarget.objects.filter(project=sched).exists()


# --- the checklist -------------------------------------------------------------------------------------------


def test_project_without_checklist_offers_the_templates_to_the_office(zone, login):
    p = zone["projects"]["a"]
    admin = login(zone["users"]["admin"])
    html = admin.get(_url("project", p.pk)).content.decode()
    assert "标准工业项目" in html and "拿地即开工" in html
    from tuijin.schedule.models import NodeTemplate

    short = NodeTemplate.objects.get(name="拿地即开工")
    response = admin.post(_url("checklist_create", p.pk), {"template": short.pk}, follow=True)
    assert response.status_code == 200
    assert ProjectNode.objects.filter(project=p).count() == short.nodes.count()
    # a second time is refused and changes nothing
    admin.post(_url("checklist_create", p.pk), {"template": short.pk})
    assert ProjectNode.objects.filter(project=p).count() == short.nodes.count()


def test_viewer_sees_no_template_form(zone, login):
    html = login(zone["users"]["viewer"]).get(_url("project", zone["projects"]["a"].pk)).content.decode()
    assert "no checklist yet" in html.lower() or "清单" in html
    assert 'name="template"' not in html


def test_office_adds_a_node_after_a_predecessor(zone, sched, login):
    client = login(zone["users"]["admin"])
    pred = node(sched, "施工许可")
    data = {
        "name": "消防设计审查",
        "duration": 10,
        "calendar": "work",
        "responsible_unit": zone["department"].pk,
        "responsible_person": "李工",
        "links-TOTAL_FORMS": 2,
        "links-INITIAL_FORMS": 0,
        "links-0-predecessor": pred.pk,
        "links-0-type": "FS",
        "links-0-lag": 2,
        "links-1-predecessor": "",
        "links-1-type": "FS",
        "links-1-lag": 0,
    }
    response = client.post(_url("node_add", sched.pk), data)
    assert response.status_code == 302
    added = node(sched, "消防设计审查")
    assert added.responsible_person == "李工" and added.duration == 10
    link = NodeDependency.objects.get(successor=added)
    assert link.predecessor == pred and link.lag == 2


def test_office_changes_duration_and_links(zone, sched, login):
    client = login(zone["users"]["admin"])
    n = node(sched, "环评")
    data = {
        "name": "环评",
        "duration": 30,
        "calendar": "work",
        "links-TOTAL_FORMS": 3,
        "links-INITIAL_FORMS": 1,
        "links-0-predecessor": node(sched, "土地出让(摘牌)").pk,
        "links-0-type": "FS",
        "links-0-lag": 0,
        "links-1-predecessor": node(sched, "立项备案").pk,
        "links-1-type": "SS",
        "links-1-lag": 3,
        "links-2-predecessor": "",
        "links-2-type": "FS",
        "links-2-lag": 0,
    }
    assert client.post(_url("node_edit", n.pk), data).status_code == 302
    assert node(sched, "环评").duration == 30
    assert sorted(n.predecessor_links.values_list("predecessor__name", "type", "lag")) == [
        ("土地出让(摘牌)", "FS", 0),
        ("立项备案", "SS", 3),
    ]


def test_a_link_that_closes_a_cycle_is_refused_and_nothing_is_saved(zone, sched, login):
    client = login(zone["users"]["admin"])
    n = node(sched, "立项备案")
    before = ChangeRecord.objects.count()
    data = {
        "name": "立项备案",
        "duration": 99,
        "calendar": "work",
        "links-TOTAL_FORMS": 2,
        "links-INITIAL_FORMS": 1,
        "links-0-predecessor": node(sched, "公司注册").pk,
        "links-0-type": "FS",
        "links-0-lag": 0,
        "links-1-predecessor": node(sched, "施工许可").pk,
        "links-1-type": "FS",
        "links-1-lag": 0,
    }
    response = client.post(_url("node_edit", n.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="form-error"' in html and "立项备案 → " in html
    assert node(sched, "立项备案").duration == 3
    assert ChangeRecord.objects.count() == before


def test_removing_nodes(zone, sched, login):
    client = login(zone["users"]["admin"])
    assert client.post(_url("node_delete", node(sched, "水保").pk)).status_code == 302
    assert not ProjectNode.objects.filter(project=sched, name="水保").exists()
    response = client.post(_url("node_delete", node(sched, "投产").pk))  # the target is on it
    assert response.status_code == 400 and ProjectNode.objects.filter(project=sched, name="投产").exists()


# --- progress reports ----------------------------------------------------------------------------------------


def test_department_reports_on_its_own_node_with_a_photo(zone, sched, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(zone["users"]["department"])
    own = node(sched, "立项备案")
    photo = SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff\xe0fakejpeg", content_type="image/jpeg")
    response = client.post(
        _url("node_report", own.pk),
        {"actual_start": days(-10), "actual_finish": days(-1), "note": "已取得备案证明", "evidence": photo},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.actual_finish == days(-1) and own.note == "已取得备案证明" and own.evidence
    assert client.get(_url("node_evidence", own.pk)).status_code == 200
    # another unit's node: forbidden, nothing written
    other = node(sched, "环评")
    assert client.get(_url("node_report", other.pk)).status_code == 403
    assert client.post(_url("node_report", other.pk), {"actual_start": days(-2)}).status_code == 403
    assert node(sched, "环评").actual_start is None


def test_enterprise_reports_start_of_construction_into_the_ledger(sched, ent_b, login):
    client = login(ent_b)
    for name in (
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
    ):
        n = node(sched, name)
        assert (
            client.post(_url("node_report", n.pk), {"actual_start": days(-9), "actual_finish": days(-5)}).status_code
            == 302
        )
    started = node(sched, "开工")
    assert (
        client.post(_url("node_report", started.pk), {"actual_start": days(-3), "actual_finish": days(-3)}).status_code
        == 302
    )
    sched.refresh_from_db()
    assert sched.started_on == days(-3)
    page = client.get(_url("project", sched.pk)).content.decode()
    assert days(-3).isoformat() in page


def test_a_report_in_the_future_is_refused(zone, sched, login):
    client = login(zone["users"]["admin"])
    n = node(sched, "环评")
    response = client.post(_url("node_report", n.pk), {"actual_start": days(3)})
    assert response.status_code == 400
    assert days(3).isoformat() in response.content.decode().split("invalid-feedback d-block")[1]
    assert node(sched, "环评").actual_start is None


def test_a_bad_evidence_file_is_refused(zone, sched, login):
    client = login(zone["users"]["admin"])
    n = node(sched, "环评")
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(_url("node_report", n.pk), {"actual_start": days(-1), "evidence": bad})
    assert response.status_code == 400
    assert node(sched, "环评").actual_start is None


def test_report_form_works_on_a_phone_page(zone, sched, login):
    html = login(zone["users"]["department"]).get(_url("node_report", node(sched, "立项备案").pk)).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'type="date"' in html and 'accept="image/*' in html


# --- baselines -----------------------------------------------------------------------------------------------


def test_freeze_a_baseline_and_see_slippage(zone, sched, login):
    client = login(zone["users"]["admin"])
    response = client.post(_url("baseline_add", sched.pk), {"name": "年初排定"})
    assert response.status_code == 302
    baseline = Baseline.objects.get(project=sched, name="年初排定")
    assert baseline.nodes.count() == 19
    # the filing takes 20 more working days than planned: the chain behind it slips
    services.node_change(node=node(sched, "立项备案"), duration=23)
    html = client.get(_url("project", sched.pk) + f"?baseline={baseline.pk}").content.decode()
    assert 'id="slippage"' in html and "+" in html.split('id="slippage"')[1]
    # the same name twice is refused
    response = client.post(_url("baseline_add", sched.pk), {"name": "年初排定"})
    assert response.status_code == 400 and Baseline.objects.filter(project=sched).count() == 1


# --- the zone: warning board and portfolio -------------------------------------------------------------------


def test_warning_board_matches_the_cli(zone, sched, login, capsys):
    services.target_set(project=sched, node="投产", date=days(200))
    call_command("warnings", "--json")
    cli = json.loads(capsys.readouterr().out)
    assert cli["red"] > 0
    html = login(zone["users"]["superuser"]).get(_url("warnings")).content.decode()
    assert f'id="board-red">{cli["red"]}<' in html
    assert f'id="board-yellow">{cli["yellow"]}<' in html
    assert "经开区发展改革局" in html  # grouped by responsible unit
    by_leader = login(zone["users"]["superuser"]).get(_url("warnings") + "?by=leader").content.decode()
    assert 'data-group="王明"' in by_leader
    assert _url("project", sched.pk) in by_leader


def test_warning_board_follows_the_scope(zone, sched, login):
    services.target_set(project=sched, node="投产", date=days(200))
    html = login(zone["users"]["admin_out"]).get(_url("warnings")).content.decode()
    assert 'id="board-red">0<' in html and "储能电池项目" not in html


def test_portfolio_shows_visible_projects_key_nodes(zone, sched, login):
    html = login(zone["users"]["admin"]).get(_url("portfolio") + "?group=leader").content.decode()
    data = json.loads(html.split('id="portfolio-data" type="application/json">')[1].split("</script>")[0])
    names = {r["name"] for r in data["rows"]}
    assert names == {"储能电池项目", "新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目"}
    row = next(r for r in data["rows"] if r["name"] == "储能电池项目")
    assert row["group"] == "王明" and row["level"] == "green"
    assert [data["key_nodes"][m[0]] for m in row["m"]] == ["签约", "开工", "主体封顶", "竣工验收", "投产", "达效"]
    ledger_only = next(r for r in data["rows"] if r["name"] == "高端数控机床项目")
    assert [m[2] for m in ledger_only["m"]] == [1, 1, 1]  # 签约, 开工, 投产 from the ledger
    out = login(zone["users"]["admin_out"]).get(_url("portfolio")).content.decode()
    assert "储能电池项目" not in out


def test_portfolio_filters_like_the_ledger(zone, sched, login):
    html = login(zone["users"]["admin"]).get(_url("portfolio") + "?q=储能").content.decode()
    data = json.loads(html.split('id="portfolio-data" type="application/json">')[1].split("</script>")[0])
    assert [r["name"] for r in data["rows"]] == ["储能电池项目"]


def test_portfolio_queries_do_not_grow_with_projects(zone, sched, login, django_assert_max_num_queries):
    client = login(zone["users"]["admin"])
    client.get(_url("portfolio"))
    for p in ("a", "b", "c"):
        services.checklist_create(project=zone["projects"][p])
    with django_assert_max_num_queries(25):
        assert client.get(_url("portfolio")).status_code == 200
