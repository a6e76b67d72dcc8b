"""Issue 2 in a real browser: sign in, the dashboard's charts draw and its figures lead to a ledger whose totals
row equals them, the ledger filters in place (htmx), and a list is imported through upload → preview → confirm."""

import datetime

import pytest

from tuijin.core.testing import PASSWORD
from tuijin.projects.models import Project
from tuijin.projects.selectors import Scope, campaign_stats
from tuijin.projects.tests.builders import write_ledger

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AS_OF = datetime.date(2022, 12, 31)


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


def test_sign_in_dashboard_charts_and_drilldown(zone, page_for, shots):
    page = page_for(1440)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, "office_jk", PASSWORD)
    page.goto(f"/?as_of={AS_OF.isoformat()}")
    for chart in ("chart-funnel", "chart-periods", "chart-industries"):
        page.wait_for_selector(f"#{chart} canvas", state="attached")  # ECharts drew into the container
    assert errors == []
    page.screenshot(path=shots / "browser-dashboard-1440.png", full_page=True)

    expected = campaign_stats(Project.objects.restrict(zone["users"]["admin"]), Scope(as_of=AS_OF))
    card = page.locator('[data-batch="started"]')
    assert card.locator('[data-figure="count"]').inner_text().strip() == str(expected["batches"]["started"]["count"])
    card.locator('[data-figure="count"]').click()
    page.wait_for_url("**/projects/**")
    totals = page.locator("#ledger-totals")
    assert totals.get_attribute("data-count") == str(expected["batches"]["started"]["count"])
    shown_total = totals.locator('[data-total="total_investment"]').inner_text().replace(",", "")
    assert shown_total == str(expected["batches"]["started"]["total_investment"])


def test_ledger_filters_in_place(zone, page_for, shots):
    page = page_for(1440)
    sign_in(page, "office_jk", PASSWORD)
    page.goto("/projects/")
    assert page.locator("#ledger-totals").get_attribute("data-count") == "3"  # every project of 经开区
    page.fill("input[name=as_of]", AS_OF.isoformat())
    page.select_option("select[name=batch]", "started")
    page.wait_for_function("document.querySelector('#ledger-totals').dataset.count === '1'")
    assert "batch=started" in page.url  # the filtered view has its own address
    assert page.locator("#ledger-results").inner_text().count("新能源汽车零部件项目") == 1
    page.screenshot(path=shots / "browser-ledger-1440.png", full_page=True)


def test_import_upload_preview_confirm(zone, page_for, shots, tmp_path):
    path = write_ledger(
        tmp_path / "第二期补充名单.xlsx",
        [
            {
                "项目名称": "氢能重卡整车项目",
                "建设单位": "河南氢能汽车有限公司",
                "产业类别": "新能源",
                "批次": "签约一批",
                "期次": "第二期",
                "总投资(万元)": 150000,
                "年度计划投资(万元)": "20000.5",
                "签约时间": "2022年6月18日",
            },
        ],
    )
    page = page_for(1440)
    sign_in(page, "office_jk", PASSWORD)
    page.goto("/imports/")
    page.set_input_files("input[type=file]", path)
    page.select_option("select[name=region]", label="郑州经开区")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#confirm-import")
    assert "氢能重卡整车项目" in page.content()
    assert not Project.objects.filter(name="氢能重卡整车项目").exists()  # nothing written before confirming
    page.screenshot(path=shots / "browser-import-preview-1440.png", full_page=True)
    page.click("#confirm-import")
    page.wait_for_function("!document.querySelector('#confirm-import')")
    page.wait_for_timeout(300)
    project = Project.objects.get(name="氢能重卡整车项目")
    assert str(project.total_investment) == "150000.00"
    assert project.listings.get().period_id == 2


def test_phone_pages_fit_the_screen(zone, page_for, shots):
    page = page_for(390, 844)
    sign_in(page, "office_jk", PASSWORD)
    for url, name in (
        (f"/?as_of={AS_OF.isoformat()}", "dashboard"),
        ("/projects/", "ledger"),
        (f"/projects/{zone['projects']['a'].pk}/", "project"),
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=shots / f"browser-{name}-390.png", full_page=True)
        assert _no_sideways_scroll(page), f"{name} scrolls sideways on a phone"
