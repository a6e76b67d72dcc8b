"""The dashboard: its figures are the statistics contract's, and every figure leads to a ledger that adds up to it."""

import datetime
import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from tuijin.projects.models import Project
from tuijin.projects.selectors import Scope, campaign_payload, campaign_rates


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the pages' words in English (the msgids); Chinese is the default for users."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


DATES = ["2021-12-31", "2022-03-15", "2022-04-01", "2022-07-01", "2022-12-31"]
URL = reverse("projects:dashboard")


def page_figures(response) -> dict:
    """The figures the page shows, keyed like the statistics JSON."""
    batches = {c["key"]: c["figures"] for c in response.context["cards"]}
    return {"batches": batches, "total": response.context["total"]["figures"]}


def chart_data(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="dashboard-data" type="application/json">') + len(
        '<script id="dashboard-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def follow(client, url: str) -> dict:
    """The totals row of the ledger a figure links to."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["totals"]


def test_anonymous_is_sent_to_sign_in(client, zone):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("as_of", DATES)
def test_figures_equal_the_statistics_contract(zone, login, as_of):
    date = datetime.date.fromisoformat(as_of)
    client = login(zone["users"]["admin"])
    response = client.get(URL, {"as_of": as_of})
    assert response.status_code == 200
    expected = campaign_payload(Project.objects.in_region(zone["regions"]["jingkai"]), Scope(as_of=date))
    assert page_figures(response) == {"batches": expected["batches"], "total": expected["total"]}
    rates = {r["label"]: r["value"] for r in response.context["rates"]}
    assert list(rates.values()) == list(campaign_rates(expected).values())


@pytest.mark.parametrize("as_of", DATES)
def test_superuser_sees_every_region_and_can_narrow_it(zone, login, as_of):
    date = datetime.date.fromisoformat(as_of)
    client = login(zone["users"]["superuser"])
    everything = campaign_payload(Project.objects.all(), Scope(as_of=date))
    assert page_figures(client.get(URL, {"as_of": as_of})) == {k: everything[k] for k in ("batches", "total")}
    luoyang = zone["regions"]["luoyang"]
    narrowed = campaign_payload(Project.objects.in_region(luoyang), Scope(as_of=date))
    response = client.get(URL, {"as_of": as_of, "region": luoyang.code})
    assert page_figures(response) == {k: narrowed[k] for k in ("batches", "total")}


def test_known_figures_of_the_small_zone(zone, login):
    """By hand: at the end of 2022 the zone's list holds a (start batch, converted) and c (commission batch);
    b was removed in period 2."""
    response = login(zone["users"]["admin"]).get(URL, {"as_of": "2022-12-31"})
    figures = page_figures(response)
    assert figures["batches"]["signed"]["count"] == 0
    assert figures["batches"]["started"] == {
        "count": 1,
        "total_investment": Decimal("50000.00"),
        "annual_plan": Decimal("12000.50"),
        "signed": 1,
        "started": 1,
        "in_production": 0,
        "effective": 0,
    }
    assert figures["batches"]["production"]["count"] == 1
    assert figures["batches"]["production"]["in_production"] == 1
    assert figures["total"]["total_investment"] == Decimal("62000.10")
    html = response.content.decode()
    assert "62,000.10 万元" in html  # the exact figure under the headline
    assert ">6.20</a>" in html  # the headline in 亿元
    assert "100.0%" in html  # 开工率: the one start-batch project has started


def test_period_list(zone, login):
    client = login(zone["users"]["admin"])
    response = client.get(URL, {"as_of": "2022-12-31", "period": 1})
    expected = campaign_payload(
        Project.objects.in_region(zone["regions"]["jingkai"]), Scope(as_of=datetime.date(2022, 12, 31), period=1)
    )
    assert page_figures(response)["batches"] == expected["batches"]
    assert page_figures(response)["total"]["count"] == 3  # a, b and c were all on period 1's list


def test_before_the_first_period_nothing_is_listed(zone, login):
    response = login(zone["users"]["superuser"]).get(URL, {"as_of": "2021-12-31"})
    assert response.status_code == 200
    assert response.context["total"]["figures"]["count"] == 0
    assert all(c["figures"]["count"] == 0 for c in response.context["cards"])


def test_default_date_is_today(zone, login):
    response = login(zone["users"]["viewer"]).get(URL)
    assert response.status_code == 200
    assert response.context["scope"].as_of == datetime.date.today()


@pytest.mark.parametrize(
    "role, names",
    [
        ("enterprise", {"新能源汽车零部件项目", "高端数控机床项目"}),  # ent_a's own projects only
        ("enterprise_out", {"新材料研发基地"}),
        ("admin_out", {"新材料研发基地"}),
        ("leader", {"新能源汽车零部件项目", "高端数控机床项目"}),
    ],
)
def test_each_user_sees_only_their_scope(zone, login, role, names):
    user = zone["users"][role]
    response = login(user).get(URL, {"as_of": "2022-12-31"})
    visible = Project.objects.filter(name__in=names)
    expected = campaign_payload(visible, Scope(as_of=datetime.date(2022, 12, 31)))
    assert page_figures(response) == {k: expected[k] for k in ("batches", "total")}


def test_region_outside_the_scope_is_refused(zone, login):
    client = login(zone["users"]["admin"])
    response = client.get(URL, {"as_of": "2022-12-31", "region": zone["regions"]["luoyang"].code})
    assert response.context["form"].errors["region"]
    assert response.context["total"]["figures"]["count"] == 2  # still only its own zone (a, c)
    assert "新材料研发基地" not in response.content.decode()


@pytest.mark.parametrize("as_of", ["2022-04-01", "2022-12-31"])
@pytest.mark.parametrize("params", [{}, {"period": 1}, {"region": "410171"}])
def test_every_card_figure_links_to_a_ledger_that_adds_up(zone, login, as_of, params):
    client = login(zone["users"]["superuser"])
    response = client.get(URL, {"as_of": as_of, **params})
    cards = response.context["cards"]
    for card in [*cards, {"key": "total", **response.context["total"]}]:
        totals = follow(client, card["url"])
        fig = card["figures"]
        assert totals == {
            "count": fig["count"],
            "total_investment": fig["total_investment"],
            "annual_plan": fig["annual_plan"],
        }, card["key"]
        query = parse_qs(urlsplit(card["url"]).query)
        assert query["as_of"] == [as_of]
        for key, value in params.items():
            assert query[key] == [str(value)]
    for card in cards:
        for milestone in card["milestones"]:
            assert follow(client, milestone["url"])["count"] == milestone["count"], (card["key"], milestone["key"])
    for rate in response.context["rates"]:
        assert follow(client, rate["url"])["count"] == rate["part"]
        assert follow(client, rate["whole_url"])["count"] == rate["whole"]


def test_charts_link_to_ledgers_that_add_up(zone, login):
    client = login(zone["users"]["superuser"])
    data = chart_data(client.get(URL, {"as_of": "2022-12-31"}))
    assert [s["value"] for s in data["funnel"]] == [3, 3, 2, 1, 0]  # listed a, c, d; signed; started a, c; c
    for stage in data["funnel"]:
        assert follow(client, stage["url"])["count"] == stage["value"]
    periods = data["periods"]
    assert periods["categories"] == ["第一期", "第二期"]
    for series in periods["series"]:
        for point in series["data"]:
            assert follow(client, point["url"])["count"] == point["value"]
    for point in periods["investment"]["data"]:
        totals = follow(client, point["url"])
        assert (totals["total_investment"] / 10000).quantize(Decimal("0.01")) == Decimal(point["value"])
    industries = {i["name"]: i for i in data["industries"]["data"]}
    assert industries["装备制造"]["value"] == 1  # c (b was removed)
    for item in data["industries"]["data"]:
        if item["url"]:
            assert follow(client, item["url"])["count"] == item["value"]


def test_periods_after_the_date_are_not_charted(zone, login):
    data = chart_data(login(zone["users"]["admin"]).get(URL, {"as_of": "2022-04-01"}))
    assert data["periods"]["categories"] == ["第一期"]


def test_charts_are_drawn_from_vendored_echarts(zone, login):
    html = login(zone["users"]["viewer"]).get(URL).content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert "/static/tuijin/dashboard.js" in html
    for chart in ("chart-funnel", "chart-periods", "chart-industries"):
        assert f'id="{chart}"' in html
    assert "cdn" not in html.lower()


def test_bad_date_falls_back_to_today_with_a_message(zone, login):
    response = login(zone["users"]["admin"]).get(URL, {"as_of": "2022-13-45"})
    assert response.status_code == 200
    assert response.context["form"].errors["as_of"]
    assert response.context["scope"].as_of == datetime.date.today()


def test_security_headers(zone, login):
    response = login(zone["users"]["admin"]).get(URL)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
