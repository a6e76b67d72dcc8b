"""The big screen: its figures are the dashboards' and the API's, it shows only the reader's region, enterprises may
not see it, and the page carries the figures on first render."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from tuijin.core.models import ChangeRecord
from tuijin.investment.selectors import investment_payload
from tuijin.projects.models import Project
from tuijin.projects.selectors import Scope, lifecycle_funnel
from tuijin.schedule.selectors import zone_warnings
from tuijin.screen.selectors import outline_for, unit_ranking

from .conftest import MONTH, TODAY, YEAR

API = "/api/v1/screen"


def _get(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_the_screen_figures_are_the_campaign_and_investment_api_figures(client, screen_zone):
    office = screen_zone["users"]["admin"]
    screen = _get(client, office, API)
    campaign = _get(client, office, "/api/v1/stats/campaign")
    investment = _get(client, office, "/api/v1/stats/investment", year=YEAR, month=MONTH)

    assert screen["campaign"] == campaign
    assert {
        k: v for k, v in screen["investment"].items() if k not in {"flag", "elapsed_percent", "months"}
    } == investment
    # and by hand: 经开区's current list is a (start batch, converted in period 2) and c (commission batch); b was
    # taken off the list, d is 洛阳's
    assert campaign["total"]["count"] == 2
    assert Decimal(str(campaign["total"]["total_investment"])) == Decimal("62000.10")
    assert Decimal(str(campaign["total"]["annual_plan"])) == Decimal("30000.00")
    assert (screen["investment"]["year"], screen["investment"]["through_month"]) == (YEAR, MONTH)
    assert Decimal(str(investment["total"]["invested_to_date"])) == Decimal("1700.25") * MONTH


def test_the_funnel_months_and_ranking_come_from_the_same_selectors(client, screen_zone):
    office = screen_zone["users"]["admin"]
    screen = _get(client, office, API)
    visible = Project.objects.restrict(office, "view")
    scope = Scope(as_of=TODAY)
    assert [(f["key"], f["value"]) for f in screen["funnel"]] == lifecycle_funnel(visible, scope)

    months = screen["investment"]["months"]
    assert [m["month"] for m in months] == list(range(1, 13))
    last = months[MONTH - 1]
    # the cumulative completion of the last finished month is the payload's completion rate
    assert last["completion_rate"] == screen["investment"]["total"]["completion_rate"]
    assert Decimal(str(last["invested_cumulative"])) == Decimal("1700.25") * MONTH
    assert Decimal(str(months[11]["plan_cumulative"])) == Decimal("30000.00")
    assert all(m["invested"] is None for m in months[MONTH:])
    assert last["elapsed_percent"] == float((Decimal(100 * MONTH) / 12).quantize(Decimal("0.1")))

    by_unit = investment_payload(visible, year=YEAR, month=MONTH, group_by="unit")
    rows = screen["ranking"]["rows"]
    assert [r["label"] for r in rows] == ["经开区发展改革局", "经开区住房和城乡建设局"]  # a reported more of its plan
    for row in rows:
        group = next(g for g in by_unit["groups"] if g["label"] == row["label"])
        assert Decimal(str(row["completion_rate"])) == group["completion_rate"]
        assert Decimal(str(row["gap_points"])) == group["gap_points"]
    assert [r["rank"] for r in rows] == [1, 2]


def test_units_with_the_same_gap_share_a_rank_and_units_without_a_plan_are_left_out(screen_zone):
    from tuijin.core.testing import organization, plan, project

    a, c = screen_zone["projects"]["a"], screen_zone["projects"]["c"]
    jk = screen_zone["regions"]["jingkai"]
    # a and the builder's c report the same share of their plans every month: 1500 / 24000 = 375 / 6000
    a.monthly_reports.filter(year=YEAR).update(invested=Decimal("1500"))
    c.monthly_reports.filter(year=YEAR).update(invested=Decimal("375"))
    planless = organization("经开区财政局", jk, "department")
    project("无计划项目", jk, screen_zone["enterprises"]["b"], "500", responsible_unit=planless)
    third = organization("经开区招商局", jk, "department")
    p = project("招商引资项目", jk, screen_zone["enterprises"]["b"], "900", responsible_unit=third)
    plan(p, YEAR, "1000")  # nothing reported: last

    rows = unit_ranking(Project.objects.all(), year=YEAR, month=MONTH, region=jk)
    assert [(r["rank"], r["label"]) for r in rows] == [
        (1, "经开区住房和城乡建设局"),  # a tie: the same rank, then by name
        (1, "经开区发展改革局"),
        (3, "经开区招商局"),
    ]
    assert (
        rows[0]["completion_rate"] == rows[1]["completion_rate"] == (Decimal("6.25") * MONTH).quantize(Decimal("0.1"))
    )
    assert rows[2]["completion_rate"] == Decimal("0.0")
    assert rows[2]["gap_points"] == -(Decimal(100 * MONTH) / 12).quantize(Decimal("0.1"))
    assert "经开区财政局" not in [r["label"] for r in rows]  # no plan: nothing to rank it by


def test_warnings_and_map_states_come_from_the_schedule(client, screen_zone):
    office = screen_zone["users"]["admin"]
    screen = _get(client, office, API)
    expected = zone_warnings(Project.objects.restrict(office, "view"), as_of=TODAY)
    assert expected["red"] > 0
    w = screen["warnings"]
    assert (w["red"], w["yellow"]) == (expected["red"], expected["yellow"])
    # one row per project, with its worst node and how many red nodes it has
    assert [(i["project"], i["node"], i["days_late"]) for i in w["items"]] == [
        (i["project"], i["node"], i["days_late"]) for i in expected["items"][:1]
    ]
    assert w["items"][0]["red_nodes"] == expected["red"]
    assert w["red_projects"] == 1 and w["units"]

    points = {p[4]: p for p in screen["map"]["points"]}
    a, c = screen_zone["projects"]["a"], screen_zone["projects"]["c"]
    assert set(points) == {a.pk, c.pk}
    assert points[a.pk][:3] == [113.76, 34.72, "red"]  # a red node outranks "under construction"
    assert points[c.pk][2] == "producing"
    assert screen["map"]["counts"] == {"red": 1, "producing": 1, "started": 0, "signed": 0}
    assert screen["map"]["without_coordinates"] == 0  # b is off the list; only listed projects are drawn


@pytest.mark.parametrize("role", ["admin", "leader", "department", "viewer"])
def test_a_zone_user_never_sees_another_regions_projects(client, screen_zone, role):
    user = screen_zone["users"][role]
    screen = _get(client, user, API)
    d = screen_zone["projects"]["d"]
    assert d.pk not in [p[4] for p in screen["map"]["points"]]
    assert "新材料研发基地" not in json.dumps(screen, ensure_ascii=False)
    assert screen["campaign"]["total"]["count"] == 2
    assert screen["region"] == {"code": "410171", "name": "郑州经开区"}
    # asking for the other region is a 404, not its figures
    assert client.get(API, {"region": "410371"}).status_code == 404
    assert client.get(reverse("screen:index"), {"region": "410371"}).status_code == 404


def test_the_other_zones_office_sees_only_its_own(client, screen_zone):
    screen = _get(client, screen_zone["users"]["admin_out"], API)
    d = screen_zone["projects"]["d"]
    assert [p[4] for p in screen["map"]["points"]] == [d.pk]
    assert screen["campaign"]["total"]["count"] == 1
    assert [r["label"] for r in screen["ranking"]["rows"]] == []  # d has no responsible unit
    assert screen["map"]["outline"]["features"] == ["410300"]  # 洛阳市's outline


def test_a_province_user_narrows_the_screen_with_region(client, screen_zone):
    root = screen_zone["users"]["superuser"]
    whole = _get(client, root, API)
    assert {p[4] for p in whole["map"]["points"]} == {screen_zone["projects"][k].pk for k in "acd"}
    luoyang = _get(client, root, API, region="410300")
    assert [p[4] for p in luoyang["map"]["points"]] == [screen_zone["projects"]["d"].pk]
    assert luoyang["campaign"] == _get(client, root, "/api/v1/stats/campaign", region="410300")
    assert luoyang["region"]["code"] == "410300"
    page = client.get(reverse("screen:index"), {"region": "410300"}).content.decode()
    assert "洛阳市" in page and "/api/v1/screen?region=410300" in page


def test_enterprises_may_not_see_the_screen_and_looking_writes_nothing(client, screen_zone):
    before = ChangeRecord.objects.count()
    client.force_login(screen_zone["users"]["enterprise"])
    assert client.get(reverse("screen:index")).status_code == 403
    assert client.get(API).status_code == 403
    client.logout()
    assert client.get(API).status_code == 401
    response = client.get(reverse("screen:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ChangeRecord.objects.count() == before


def test_the_page_renders_the_figures_first_and_embeds_the_payload(client, screen_zone, settings):
    settings.TUIJIN_SCREEN_REFRESH_MINUTES = 3
    client.force_login(screen_zone["users"]["viewer"])
    response = client.get(reverse("screen:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-bind="campaign.total.count" data-format="count">2<' in html
    assert 'data-bind="campaign.total.total_investment" data-format="yi">6.20<' in html  # 62,000.10 万元
    assert 'data-refresh="180"' in html and 'data-api="/api/v1/screen"' in html
    payload = json.loads(html.split('id="screen-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert payload["campaign"] == _get(client, screen_zone["users"]["viewer"], API)["campaign"]
    assert '<span class="sc-name">新能源汽车零部件项目</span>' in html  # the red warning row, rendered on the server
    # no tile server: the site's own policy, images from itself only
    assert "img-src 'self' data: blob:;" in response["Content-Security-Policy"]
    assert "vendor/geo/henan.json" in html
    # a shorter interval for a demonstration, never below five seconds
    assert 'data-refresh="5"' in client.get(reverse("screen:index"), {"refresh": "1"}).content.decode()


def test_a_tile_server_is_allowed_by_the_pages_policy(client, screen_zone, settings):
    settings.TUIJIN_MAP_TILES = "https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k"
    settings.TUIJIN_MAP_SUBDOMAINS = "01"
    client.force_login(screen_zone["users"]["admin"])
    response = client.get(reverse("screen:index"))
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' https://t0.tianditu.gov.cn https://t1.tianditu.gov.cn data:" in policy
    assert "connect-src 'self';" in policy  # nothing else is opened up
    tiles = _get(client, screen_zone["users"]["admin"], API)["map"]["tiles"]
    assert tiles == {"url": settings.TUIJIN_MAP_TILES, "subdomains": ["0", "1"]}


def test_the_outline_follows_the_region(zone):
    r = zone["regions"]
    assert outline_for(r["jingkai"])["features"] == ["410100"]  # a zone: its city
    assert outline_for(r["zhengzhou"])["features"] == ["410100"]
    henan = outline_for(r["henan"])
    assert henan["features"] == [] and henan["url"].endswith("vendor/geo/henan.json")
    assert outline_for(None)["url"].endswith("vendor/geo/china.json")
    from tuijin.regions.models import Region

    hubei = Region.objects.create(code="420000", name="湖北省")
    assert outline_for(hubei)["features"] == ["420000"] and outline_for(hubei)["name"] == "china"
    assert outline_for(r["jingkai"])["focus"] == "points" and outline_for(r["zhengzhou"])["focus"] == "outline"
