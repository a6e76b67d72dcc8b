"""Every figure in the default monthly (and weekly) briefing equals the same figure in the statistics API.

The briefing's text is read like a reader reads it: the numbers are parsed out of its sentences, and each is
compared with the JSON of /api/v1/stats/campaign, /api/v1/stats/investment and /api/v1/stats/coordination (and
`tuijin warnings --json` for the schedule warnings, which have no stats endpoint) for the same region and date.
"""

from __future__ import annotations

import io
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command

from tuijin.briefing import services
from tuijin.briefing.models import BriefingTemplate
from tuijin.briefing.shipped import ensure_shipped

from .conftest import AS_OF

pytestmark = pytest.mark.django_db

N = r"(\d+)"
Y = r"([\d.]+)"  # an amount or a percentage
R = r"([\d.]+%|—)"  # a rate, or — when there is nothing to divide by


def yi(value) -> str:
    return str((Decimal(str(value)) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def pct(value) -> str:
    return "—" if value is None else f"{Decimal(str(value))}%"


def rate(part: int, whole: int) -> str:
    return "—" if not whole else f"{(Decimal(100) * part / whole).quantize(Decimal('0.1'))}%"


def api(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# Dates and list numbers in the text are not figures: they are taken out before checking that no number is left
# unexplained.
NOT_FIGURES = re.compile(
    r"\d{4}年(\d{1,2}月(\d{1,2}日|份|底)?)?|\d{1,2}月(\d{1,2}日|份|底)|1—\d{1,2}月|^\d+\. |〔\d{4}〕第\d+期"
)


def check_every_number_explained(paragraph: str, patterns: list[re.Pattern]) -> None:
    rest = paragraph
    for p in patterns:
        rest = p.sub("", rest)
    rest = NOT_FIGURES.sub("", rest)
    assert not re.search(r"\d", rest), f"a figure the test does not check: {paragraph!r} → {rest!r}"


@pytest.fixture
def monthly(bz):
    ensure_shipped()
    template = BriefingTemplate.objects.get(name="monthly")
    return services.render_template(template, bz["regions"]["jingkai"], AS_OF, number=11)


def test_monthly_figures_equal_the_stats_api(bz, monthly, client, capsys):
    assert monthly.problems == []
    text = monthly.text
    client.force_login(bz["users"]["admin"])
    campaign = api(client, "/api/v1/stats/campaign?as_of=2022-11-30&region=410171")
    investment = api(client, "/api/v1/stats/investment?year=2022&month=11&region=410171")
    month = api(client, "/api/v1/stats/coordination?from=2022-11-01&to=2022-11-30&region=410171")
    year = api(client, "/api/v1/stats/coordination?from=2022-01-01&to=2022-11-30&region=410171")
    call_command("warnings", "--as-of", "2022-11-30", "--region", "410171", "--json", stdout=io.StringIO())
    warnings = json.loads(capsys.readouterr().out)
    checked: list[re.Pattern] = []

    def find(pattern: str) -> tuple[str, ...]:
        compiled = re.compile(pattern)
        checked.append(compiled)
        m = compiled.search(text)
        assert m, f"no sentence matches {pattern}\n{text}"
        return m.groups()

    # 一、the campaign
    t, b = campaign["total"], campaign["batches"]
    assert find(f"“三个一批”项目共{N}个，总投资{Y}亿元，2022年计划投资{Y}亿元") == (
        str(t["count"]),
        yi(t["total_investment"]),
        yi(t["annual_plan"]),
    )
    s, st, pr = b["signed"], b["started"], b["production"]
    assert find(
        f"签约一批项目{N}个、总投资{Y}亿元，开工一批项目{N}个、总投资{Y}亿元，投产一批项目{N}个、总投资{Y}亿元"
    ) == (
        str(s["count"]),
        yi(s["total_investment"]),
        str(st["count"]),
        yi(st["total_investment"]),
        str(pr["count"]),
        yi(pr["total_investment"]),
    )
    assert find(
        f"开工一批项目已开工{N}个，开工率{R}；投产一批项目已投产{N}个，投产率{R}，已达效{N}个，达效率{R}；"
        f"签约一批项目已开工{N}个"
    ) == (
        str(st["started"]),
        rate(st["started"], st["count"]),
        str(pr["in_production"]),
        rate(pr["in_production"], pr["count"]),
        str(pr["effective"]),
        rate(pr["effective"], pr["in_production"]),
        str(s["started"]),
    )
    assert t["count"] == 2  # a (started batch, converted) and c (production); b removed, d in 洛阳

    # 二、investment
    it = investment["total"]
    gap = Decimal(str(it["gap_points"]))
    assert find(
        f"纳入统计的{N}个项目累计完成投资{Y}亿元，占年度计划{Y}亿元的{Y}%，(高于|低于)序时进度{Y}个百分点"
        f"（序时进度{Y}%）。经预判，全年预计完成投资{Y}亿元，{N}个项目存在完不成年度计划的风险，"
        f"{N}个项目预计明显完不成年度计划"
    ) == (
        str(it["projects"]),
        yi(it["invested_to_date"]),
        yi(it["annual_plan"]),
        str(Decimal(str(it["completion_rate"]))),
        "高于" if gap > 0 else "低于",
        str(abs(gap)),
        str((Decimal(100 * 11) / 12).quantize(Decimal("0.1"))),
        yi(it["forecast_year_end"]),
        str(it["risk"]["at_risk"]),
        str(it["risk"]["off_track"]),
    )
    assert it["invested_to_date"] == 8002.5 + 3101.0  # 10 accepted months of a and c; the draft not counted
    groups = {g["key"]: g for g in investment["groups"]}
    assert find(
        f"签约一批项目完成投资{Y}亿元、完成率{R}，开工一批项目完成投资{Y}亿元、完成率{R}，"
        f"投产一批项目完成投资{Y}亿元、完成率{R}"
    ) == tuple(
        v
        for key in ("signed", "started", "production")
        for v in (yi(groups[key]["invested_to_date"]), pct(groups[key]["completion_rate"]))
    )
    units = [u for u in investment_units(client) if u["gap_points"] is not None and u["gap_points"] < 0]
    (count, listed) = find(rf"投资完成率低于序时进度的责任单位有{N}个：(.*?)。")
    assert int(count) == len(units) and units
    assert listed == "、".join(f"{u['label']}（{pct(u['completion_rate'])}）" for u in units)
    checked.append(re.compile(r"（[\d.]+%）"))

    # 三、warnings
    red = [i for i in warnings["items"] if i["level"] == "red"]
    assert red  # the checklist of a is far behind its target
    assert find(f"共有预警节点{N}个，涉及项目{N}个。其中，红色预警节点{N}个，涉及项目{N}个；黄色预警节点{N}个") == (
        str(warnings["red"] + warnings["yellow"]),
        str(len({i["project_id"] for i in warnings["items"]})),
        str(warnings["red"]),
        str(len({i["project_id"] for i in red})),
        str(warnings["yellow"]),
    )
    by_unit: dict[str, int] = {}
    for i in red:
        by_unit[i["responsible_unit"] or "未明确责任单位"] = by_unit.get(i["responsible_unit"], 0) + 1
    (listed,) = find(r"红色预警节点较多的责任单位：(.*?)。")
    for part in listed.split("、"):
        name, n = re.fullmatch(r"(.*?)(\d+)个", part).groups()
        assert by_unit[name] == int(n), part
    checked.append(re.compile(r"红色预警节点较多的责任单位：.*?。"))

    # 四、coordination: November, and the year to 30 November
    assert find(
        f"11月份，全区共召开重点项目建设协调会议{N}次，交办事项{N}件，已办结{N}件，其中按时办结{N}件；"
        f"收集项目建设问题{N}个，已解决{N}个"
    ) == tuple(
        str(v)
        for v in (
            month["meetings"],
            month["tasks"]["assigned"],
            month["tasks"]["closed"],
            month["tasks"]["closed_on_time"],
            month["problems"]["raised"],
            month["problems"]["solved"],
        )
    )
    assert (month["meetings"], month["tasks"]["assigned"], month["problems"]["raised"]) == (2, 3, 2)
    yt, yp = year["tasks"], year["problems"]
    assert find(
        f"累计召开协调会议{N}次，交办事项{N}件，已办结{N}件，按时办结率{R}；截至2022年11月30日，逾期未办结{N}件。"
        f"累计收集问题{N}个，已解决{N}个，尚未解决{N}个"
    ) == (
        str(year["meetings"]),
        str(yt["assigned"]),
        str(yt["closed"]),
        rate(yt["closed_on_time"], yt["assigned"]),
        str(yt["overdue"]),
        str(yp["raised"]),
        str(yp["solved"]),
        str(yp["raised"] - yp["solved"]),
    )
    assert (year["meetings"], yt["assigned"], yt["overdue"]) == (3, 4, 2)

    # No other number in the text: every paragraph's figures were checked above.
    for p in paragraphs(text):
        check_every_number_explained(p, checked)


def investment_units(client) -> list[dict]:
    return api(client, "/api/v1/stats/investment?year=2022&month=11&group_by=unit&region=410171")["groups"]


def test_tables_totals_rows_equal_the_api(bz, client):
    from tuijin.briefing.tables import snapshot

    rendered = services.render_template(
        BriefingTemplate(title="x", text="x"), bz["regions"]["jingkai"], AS_OF, number=1
    )
    data = snapshot(rendered.context)
    client.force_login(bz["users"]["admin"])
    campaign = api(client, "/api/v1/stats/campaign?as_of=2022-11-30&region=410171")
    units = api(client, "/api/v1/stats/investment?year=2022&month=11&group_by=unit&region=410171")
    t = campaign["total"]
    assert data["tables"]["campaign_batches"]["total"] == [
        "合计",
        str(t["count"]),
        yi(t["total_investment"]),
        yi(t["annual_plan"]),
        str(t["started"]),
        str(t["in_production"]),
        str(t["effective"]),
    ]
    table = data["tables"]["investment_by_unit"]
    total = units["total"]
    assert table["total"][:5] == [
        "合计",
        str(total["projects"]),
        f"{Decimal(str(total['annual_plan'])):.2f}",
        f"{Decimal(str(total['invested_to_date'])):.2f}",
        pct(total["completion_rate"]),
    ]
    assert [r[0] for r in table["rows"]] == [g["label"] for g in units["groups"] if g["projects"]]


def test_weekly_figures_equal_the_stats_api(bz, client):
    ensure_shipped()
    rendered = services.render_template(
        BriefingTemplate.objects.get(name="weekly"), bz["regions"]["jingkai"], AS_OF, number=3
    )
    assert rendered.problems == []
    text = rendered.text
    client.force_login(bz["users"]["admin"])
    week = api(client, "/api/v1/stats/coordination?from=2022-11-24&to=2022-11-30&region=410171")
    everything = api(client, "/api/v1/stats/coordination?to=2022-11-30&region=410171")
    assert "2022年11月28日召开郑州经开区重点项目建设周例会（〔2022〕第2期）" in text
    assert f"共交办事项{week['tasks']['assigned']}件" in text
    t, p = everything["tasks"], everything["problems"]
    assert (
        f"累计交办事项{t['assigned']}件，已办结{t['closed']}件，其中按时办结{t['closed_on_time']}件；"
        f"逾期未办结{t['overdue']}件" in text
    )
    assert (
        "未来7天内到期事项1件" in text
        and "1. 推进土地摘牌（牵头单位：经开区发展改革局，完成时限：2022年12月5日）。" in text
    )
    assert f"本周新收集项目建设问题{week['problems']['raised']}个，已解决{week['problems']['solved']}个" in text
    assert f"累计收集问题{p['raised']}个，已解决{p['solved']}个，尚未解决{p['raised'] - p['solved']}个" in text
