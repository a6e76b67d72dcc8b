"""Monthly reports in a real browser: an enterprise on a 390 px phone submits last month's report with a site photo,
the office (1440 px) returns it from the review queue with an opinion, the enterprise sees the opinion, corrects the
figure and submits again, and the office accepts it on the report's page. Screenshots: investment-report(-phone).png
(the reporting home), investment-report-form(-phone).png (the form)."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.conftest import sign_in
from tuijin.core.testing import PASSWORD, plan
from tuijin.investment import services
from tuijin.investment.choices import ReportStatus
from tuijin.investment.models import MonthlyReport, due_date

CST = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = timezone.localdate()
YEAR, MONTH = (TODAY.year - 1, 12) if TODAY.month == 1 else (TODAY.year, TODAY.month - 1)  # the month to report


def _at(year: int, month: int, days_after_due: int) -> datetime.datetime:
    day = due_date(year, month, 5) + datetime.timedelta(days=days_after_due)
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=CST)


@pytest.fixture
def history(zone, settings, tmp_path):
    """This year's earlier months of projects a and c as an enterprise would have left them: accepted (one late),
    one under review; plans for the year, so the missing months show."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ent, office = zone["users"]["enterprise"], zone["users"]["admin"]
    a, c = zone["projects"]["a"], zone["projects"]["c"]
    plan(a, YEAR, "12000")
    plan(c, YEAR, "2400")
    for project, amount in ((a, "850"), (c, "160")):
        for m in range(1, MONTH):
            r = services.report_save(
                user=ent, project=project, year=YEAR, month=m, invested=Decimal(amount) + m * 10, today=TODAY
            )
            if project is c and m == MONTH - 1:
                continue  # c's previous month: still a draft
            services.report_submit(user=ent, report=r, now=_at(YEAR, m, 4 if m == 2 else -2))
            if m < MONTH - 1:
                services.report_accept(user=office, report=r)


def _jpeg(path) -> str:
    from PIL import Image

    img = Image.new("RGB", (1280, 960), (140, 170, 200))
    for x in range(0, 1280, 40):  # something to look at: a crane's stripes
        for y in range(300, 340):
            img.putpixel((x, y), (230, 160, 30))
    img.save(path, "JPEG", quality=85)
    return str(path)


@pytest.mark.browser
def test_enterprise_submits_from_a_phone_office_returns_enterprise_resubmits_office_accepts(
    zone, history, page_for, shots, tmp_path
):
    a = zone["projects"]["a"]
    form_url = f"/investment/reports/{a.pk}/{YEAR}/{MONTH}/"

    # --- the enterprise, on a phone ---
    phone = page_for(390, 844)
    sign_in(phone, "ent_a", PASSWORD)
    phone.goto(f"/investment/reports/?year={YEAR}")
    card = phone.locator(f'[data-project="{a.pk}"]')
    assert card.locator(f'[data-month="{MONTH}"]').get_attribute("data-state") in {"missing", "open"}
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392  # no sideways scrolling
    phone.screenshot(path=str(shots / "investment-report-phone.png"), full_page=True)
    card.locator(f'[data-month="{MONTH}"]').click()
    phone.wait_for_url(f"**{form_url}")

    phone.fill("input[name=invested]", "1300.5")
    phone.fill("textarea[name=progress_note]", "主体结构完成80%，钢结构厂房开始吊装")
    phone.fill("input[name=workers]", "126")
    phone.fill("textarea[name=difficulties]", "施工用电需增容，请协调供电公司")
    phone.set_input_files("input[name=photos]", _jpeg(tmp_path / "工地.jpg"))
    # the cumulative figures follow what is typed (computed, not typed)
    before = MonthlyReport.objects.filter(project=a, year=YEAR, status__in=["submitted", "accepted"])
    ytd = sum((r.invested for r in before), Decimal(0)) + Decimal("1300.50")
    assert phone.inner_text('[data-cumulative="year"]') == f"{ytd:,.2f}"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    phone.screenshot(path=str(shots / "investment-report-form-phone.png"), full_page=True)
    phone.click("button[name=action][value=submit]")
    phone.wait_for_selector("#report-status[data-status='submitted']")
    report = MonthlyReport.objects.get(project=a, year=YEAR, month=MONTH)
    assert (report.status, report.invested, report.workers, report.photos.count()) == (
        ReportStatus.SUBMITTED,
        Decimal("1300.50"),
        126,
        1,
    )
    # the photo came back through the permission-checked view
    assert phone.evaluate("document.querySelector('#photos img').naturalWidth") > 0

    # --- the office, at its desk: returns it from the review queue ---
    desk = page_for(1440, 1000)
    sign_in(desk, "office_jk", PASSWORD)
    desk.goto("/investment/review/")
    actions = desk.locator(f'[data-actions="{report.pk}"]')
    actions.locator("details summary").first.click()  # Return…
    actions.locator("textarea[name=opinion]").fill("请补充钢结构吊装现场照片，并核实本月完成额")
    actions.locator("form[action$='/return/'] button[type=submit]").click()
    desk.wait_for_load_state("load")
    report.refresh_from_db()
    assert (report.status, report.return_count) == (ReportStatus.RETURNED, 1)

    # --- the enterprise sees the opinion first thing, corrects and submits again ---
    phone.goto("/investment/reports/")
    owed = phone.locator("#owed [data-owed='returned']")
    assert "请补充钢结构吊装现场照片" in owed.first.inner_text()
    owed.first.click()
    phone.wait_for_url(f"**{form_url}")
    assert "核实本月完成额" in phone.inner_text("#review-opinion")
    assert phone.get_attribute("#report-status", "data-status") == "returned"
    phone.fill("input[name=invested]", "1280")
    phone.click("button[name=action][value=submit]")
    phone.wait_for_selector("#report-status[data-status='resubmitted']")
    report.refresh_from_db()
    assert (report.status, report.invested) == (ReportStatus.RESUBMITTED, Decimal("1280.00"))

    # --- the office opens the report and accepts it ---
    desk.goto(form_url)
    desk.screenshot(path=str(shots / "investment-report-review.png"), full_page=True)
    desk.click("#review-accept")
    desk.wait_for_selector("#report-status[data-status='accepted']")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.reviewed_by == zone["users"]["admin"]
    statuses = desk.locator("#history li").evaluate_all("els => els.map(e => e.dataset.status)")
    assert statuses == ["draft", "submitted", "returned", "resubmitted", "accepted"]

    # --- accepted: read-only for the enterprise, the month green on its home ---
    phone.goto(form_url)
    assert phone.locator("#report-form").count() == 0 and phone.locator("#report-readonly").count() == 1
    phone.goto(f"/investment/reports/?year={YEAR}")
    assert phone.get_attribute(f'[data-project="{a.pk}"] [data-month="{MONTH}"]', "data-state") == "accepted"

    # the same pages at 1440
    desk_ent = page_for(1440, 1000)
    sign_in(desk_ent, "ent_a", PASSWORD)
    desk_ent.goto(f"/investment/reports/?year={YEAR}")
    desk_ent.screenshot(path=str(shots / "investment-report.png"), full_page=True)
    desk_ent.goto(f"/investment/reports/{a.pk}/{TODAY.year}/{TODAY.month}/")  # this month: open to fill in
    desk_ent.screenshot(path=str(shots / "investment-report-form.png"), full_page=True)
