"""The big screen in a real browser at 1920×1080 on a zone's worth of projects: the charts draw, the figures show,
a refresh fetches the endpoint and updates figures and map in place (no navigation), a reachable tile server is
drawn under the outline and an unreachable one leaves the offline outline. Screenshot: big-screen.png."""

import base64
import datetime
from decimal import Decimal

import pytest

from tests.browser.conftest import sign_in
from tuijin.accounts.choices import OrganizationKind
from tuijin.core.testing import PASSWORD, listed, organization, plan
from tuijin.core.testing import project as make_project
from tuijin.investment.models import MonthlyReport
from tuijin.schedule import services as schedule_services
from tuijin.schedule.defaults import install_calendar, install_templates
from tuijin.schedule.models import CalendarDay, NodeTemplate, TemplateDependency, TemplateNode
from tuijin.screen.tests.conftest import MONTH, TODAY, YEAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# name, batch, total (万元), lng, lat, started days ago (None: not yet), in production days ago, plan, monthly share
PROJECTS = [
    ("年产10万台新能源汽车电驱系统项目", "started", "185000", "113.742", "34.712", 300, None, "36000", "0.085"),
    ("智能网联汽车测试基地", "started", "96000", "113.801", "34.689", 420, None, "18000", "0.070"),
    ("高端装备产业园二期", "started", "120000", "113.768", "34.741", 200, None, "24000", "0.060"),
    ("生物医药中试基地", "signed", "45000", "113.815", "34.733", None, None, "6000", "0.030"),
    ("冷链物流枢纽", "signed", "38000", "113.725", "34.695", None, None, "5000", "0.020"),
    ("半导体封装测试项目", "production", "150000", "113.789", "34.704", 700, 90, "20000", "0.090"),
    ("氢燃料电池产业园", "production", "88000", "113.756", "34.676", 650, 150, "12000", "0.080"),
    ("智慧物流园", "started", "52000", "113.830", "34.716", 120, None, "10000", "0.050"),
    ("数据中心二期", "signed", "60000", "113.708", "34.728", None, None, "8000", "0.040"),
    ("锂电池正极材料项目", "production", "110000", "113.776", "34.722", 800, 260, "15000", "0.082"),
    ("光伏组件智能工厂", "started", "70000", "113.846", "34.698", 90, None, "14000", "0.055"),
    ("汽车零部件产业园", "started", "65000", None, None, 260, None, "9000", "0.075"),
]
UNITS = ["经开区住房和城乡建设局", "经开区自然资源和规划局", "经开区招商局", "经开区供电公司"]


def _days(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def campaign(zone):
    """郑州经开区 with a dozen listed projects (one without coordinates), this year's plans and reports, responsible
    units, and two projects whose 投产 targets cannot be met (red)."""
    # A live-server test flushes the database after it, migration data included: put the shipped templates and
    # the holiday calendar back first.
    install_templates(NodeTemplate, TemplateNode, TemplateDependency)
    install_calendar(CalendarDay)
    jk = zone["regions"]["jingkai"]
    units = [zone["department"]] + [organization(n, jk, OrganizationKind.DEPARTMENT) for n in UNITS]
    ents = [zone["enterprises"]["a"], zone["enterprises"]["b"]]
    period = zone["periods"][2]
    for key, lng, lat in (("a", "113.735", "34.735"), ("c", "113.795", "34.684")):
        zone["projects"][key].longitude, zone["projects"][key].latitude = Decimal(lng), Decimal(lat)
        zone["projects"][key].save()
    made = []
    for i, (name, batch, total, lng, lat, started, producing, amount, share) in enumerate(PROJECTS):
        p = make_project(
            name,
            jk,
            ents[i % 2],
            total,
            industry="装备制造",
            leader=zone["leader"],
            responsible_unit=units[i % len(units)],
            signed_on=_days(900),
            started_on=_days(started) if started else None,
            production_on=_days(producing) if producing else None,
            latitude=Decimal(lat) if lat else None,
            longitude=Decimal(lng) if lng else None,
        )
        listed(p, period, batch)
        plan(p, YEAR, amount)
        for m in range(1, MONTH + 1):
            invested = (Decimal(amount) * Decimal(share) * Decimal(1 + (m % 3) / 10)).quantize(Decimal("0.01"))
            MonthlyReport.objects.create(project=p, year=YEAR, month=m, invested=invested, status="accepted")
        made.append(p)
    for p in made[1:3]:
        schedule_services.checklist_create(project=p)
        schedule_services.target_set(project=p, node="投产", date=TODAY + datetime.timedelta(days=40))
    return made


def _text(page, path: str) -> str:
    return page.inner_text(f'[data-bind="{path}"]')


def _min_font_px(page) -> float:
    """The smallest font of any text on the board, the operator's corner link aside."""
    return page.evaluate(
        """() => {
        let min = 999;
        document.querySelectorAll('#screen *').forEach(el => {
          if (el.closest('.sc-back') || !el.offsetParent) return;
          const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
          if (own) min = Math.min(min, parseFloat(getComputedStyle(el).fontSize));
        });
        return min;
      }"""
    )


def test_the_screen_draws_and_refreshes_in_place(zone, campaign, page_for, shots):
    page = page_for(1920, 1080)
    sign_in(page, "office_jk", PASSWORD)
    page.goto("/screen/?refresh=3600")
    page.wait_for_selector("#screen[data-ready='1']", state="attached")
    page.wait_for_timeout(1200)  # the charts animate in
    page.screenshot(path=str(shots / "big-screen.png"))

    listed_now = 2 + len(PROJECTS)  # the zone's a and c, and the dozen
    assert _text(page, "campaign.total.count") == str(listed_now)
    assert _text(page, "warnings.red") != "0"
    for chart in ("sc-funnel", "sc-months", "sc-map"):
        assert page.locator(f"#{chart} canvas").count() >= 1
    points = page.evaluate("tuijinScreen.data().map.points.length")
    assert points == len(PROJECTS) + 2 - 1  # all but the one without coordinates
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    assert page.get_attribute("#screen", "data-map-mode") == "outline"  # no tile server configured
    assert "1" in page.inner_text("#sc-map-note")  # one listed project has no coordinates
    assert page.locator("#sc-ranking li.sc-rank-row").count() == 5  # every unit, a page at a time
    assert page.locator("#sc-ranking li.sc-rank-row:visible").count() >= 3
    assert _min_font_px(page) >= 17  # readable from five metres

    # a new start project is listed; the next refresh shows it without reloading the page
    page.evaluate("window.__stayed = 'yes'")
    p = make_project(
        "新建储能电站项目",
        zone["regions"]["jingkai"],
        zone["enterprises"]["b"],
        "42000",
        signed_on=_days(30),
        latitude=Decimal("34.745"),
        longitude=Decimal("113.720"),
    )
    listed(p, zone["periods"][2], "started")
    before = _text(page, "campaign.batches.started.total_investment")
    assert page.evaluate("tuijinScreen.refresh()") is True
    assert page.get_attribute("#screen", "data-refreshes") == "1"
    assert page.evaluate("window.__stayed") == "yes"  # the same document: no navigation
    assert _text(page, "campaign.total.count") == str(listed_now + 1)
    assert _text(page, "campaign.batches.started.total_investment") != before
    assert page.evaluate("tuijinScreen.data().map.points.length") == points + 1
    series = page.evaluate(
        "tuijinScreen.charts.map.getOption().series.filter(s => s.id === 'p-signed')[0].data.map(d => d.name)"
    )
    assert "新建储能电站项目" in series  # drawn as signed, not started
    assert page.inner_text("#sc-status").strip()  # "updated at …"


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def test_tiles_when_the_server_answers_the_outline_when_it_does_not(zone, campaign, page_for, settings):
    settings.TUIJIN_MAP_TILES = "https://t{s}.tiles.test/{z}/{x}/{y}.png"
    settings.TUIJIN_MAP_SUBDOMAINS = "01"
    offline = page_for(1920, 1080)
    offline.route("https://*.tiles.test/**", lambda route: route.abort())
    sign_in(offline, "office_jk", PASSWORD)
    offline.goto("/screen/?refresh=3600")
    offline.wait_for_selector("#screen[data-ready='1']", state="attached")
    offline.wait_for_timeout(500)
    assert offline.get_attribute("#screen", "data-map-mode") == "outline"

    online = page_for(1920, 1080)
    asked = []

    def tile(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PNG)

    online.route("https://*.tiles.test/**", tile)
    sign_in(online, "office_jk", PASSWORD)
    online.goto("/screen/?refresh=3600")
    online.wait_for_selector("#screen[data-map-mode='tiles']", state="attached")
    online.wait_for_timeout(800)
    assert len(asked) > 4  # the probe and the tiles of the view
    assert all("/{" not in url for url in asked)  # every placeholder filled in
    assert online.inner_text("#sc-map-mode") != offline.inner_text("#sc-map-mode")  # the badge says which
