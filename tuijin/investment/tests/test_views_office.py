"""The project office's investment pages: the dashboard (its figures are the statistics contract's), the review
queue (return / accept / reopen through the services, with change records; refusals write nothing), a project's
investment tab and its plan form (a bad split is refused with the numbers and nothing is written)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tuijin.core.models import ChangeRecord
from tuijin.investment.choices import ReportStatus, Risk, SplitMethod
from tuijin.investment.models import AnnualPlan, MonthlyReport
from tuijin.investment.selectors import completion_rows, investment_payload
from tuijin.investment.tests.helpers import state
from tuijin.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    """Pages in English, so messages are asserted by their msgids (the Chinese .po comes later)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def report(project, month, amount, status=ReportStatus.ACCEPTED, year=2022, **extra):
    return MonthlyReport.objects.create(
        project=project, year=year, month=month, invested=Decimal(amount), status=status, **extra
    )


@pytest.fixture
def figures(zone):
    """a: even plan 12000.50, 500 a month Jan-Jun accepted, July submitted late (300); c: manual plan 3000
    (100 a month, 1900 in December), 200/200/300 Apr-Jun submitted, March returned; b: no plan, 50 in March;
    d (洛阳, out of the zone): plan 1000, 100 in June."""
    p = zone["projects"]
    for m in range(1, 7):
        report(p["a"], m, "500")
    report(
        p["a"],
        7,
        "300",
        ReportStatus.SUBMITTED,
        late=True,
        submitted_at=timezone.make_aware(datetime.datetime(2022, 8, 9, 10)),
        progress_note="主体结构施工",
    )
    plan_c = AnnualPlan.objects.get(project=p["c"], year=2022)
    plan_c.months = [Decimal("100")] * 11 + [Decimal("1900")]
    plan_c.split_method = SplitMethod.MANUAL
    plan_c.save()
    report(p["c"], 3, "400", ReportStatus.RETURNED, return_count=1, review_opinion="缺照片")
    for m, amount, day in [(4, "200", 3), (5, "200", 2), (6, "300", 1)]:
        report(
            p["c"],
            m,
            amount,
            ReportStatus.SUBMITTED,
            submitted_at=timezone.make_aware(datetime.datetime(2022, m + 1, day, 9)),
        )
    report(p["b"], 3, "50")
    AnnualPlan.objects.create(project=p["d"], year=2022, amount=Decimal("1000"))
    report(p["d"], 6, "100")
    return zone


def visible(user):
    return Project.objects.restrict(user, "view")


# ---- dashboard ----


def test_dashboard_shows_the_payload_figures_and_the_api_agrees(client, figures):
    admin = figures["users"]["admin"]
    client.force_login(admin)
    response = client.get(reverse("investment:dashboard"), {"year": 2022, "month": 6, "group_by": "batch"})
    assert response.status_code == 200
    expected = investment_payload(visible(admin), year=2022, month=6, group_by="batch")
    total = response.context["total"]
    assert total == expected["total"]
    # the known figures of the zone (a, b, c; not 洛阳's d)
    assert total["projects"] == 3
    assert total["annual_plan"] == Decimal("15000.50")
    assert total["plan_to_date"] == Decimal("6600.24")
    assert total["invested_to_date"] == Decimal("3750.00")
    assert total["completion_rate"] == Decimal("25.0")
    assert total["gap_points"] == Decimal("-25.0")
    html = response.content.decode()
    assert 'data-figure="annual_plan" data-value="15000.50"' in html
    assert 'data-figure="invested_to_date" data-value="3750.00"' in html
    assert 'data-figure="completion_rate">25.0%' in html
    # the API's numbers for the same reader
    api = client.get("/api/v1/stats/investment", {"year": 2022, "month": 6, "group_by": "batch"}).json()
    for key in ("annual_plan", "plan_to_date", "invested_to_date", "completion_rate", "gap_points"):
        assert Decimal(str(api["total"][key])) == total[key], key
    assert Decimal(str(api["total"]["forecast_year_end"])) == total["forecast_year_end"]
    assert api["total"]["risk"] == total["risk"]
    assert [(g["key"], g["projects"]) for g in api["groups"]] == [
        (g["key"], g["projects"]) for g in response.context["groups"]
    ]


def test_dashboard_charts_add_up_to_the_headline(client, figures):
    client.force_login(figures["users"]["admin"])
    response = client.get(reverse("investment:dashboard"), {"year": 2022, "month": 6})
    import json

    html = response.content.decode()
    start = html.index('id="investment-chart-data"')
    data = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    total = response.context["total"]
    assert len(data["plan"]) == 12 and len(data["actual"]) == 6
    assert Decimal(data["planCumulative"][5]) == total["plan_to_date"]
    assert Decimal(data["planCumulative"][11]) == total["annual_plan"]
    assert Decimal(data["actualCumulative"][-1]) == total["invested_to_date"]
    # a's even 1000.04 a month + c's manual 100; the returned March report of c does not count, b's 50 does
    assert data["plan"][0] == "1100.04"
    assert data["actual"][2] == "550.00"
    assert Decimal(data["forecast"][-1]) == total["forecast_year_end"]


def test_dashboard_is_scoped_to_what_the_user_sees(client, figures):
    client.force_login(figures["users"]["enterprise"])  # ent_a: projects a and c
    total = client.get(reverse("investment:dashboard"), {"year": 2022, "month": 6}).context["total"]
    assert total["projects"] == 2
    assert total["invested_to_date"] == Decimal("3700.00")
    client.force_login(figures["users"]["admin_out"])  # 洛阳: project d only
    response = client.get(reverse("investment:dashboard"), {"year": 2022, "month": 6})
    assert response.context["total"]["annual_plan"] == Decimal("1000.00")
    assert "新能源汽车零部件项目" not in response.content.decode()


def test_dashboard_defaults_to_the_latest_year_with_plans_not_in_the_future(client, figures):
    next_year = timezone.localdate().year + 1
    AnnualPlan.objects.create(project=figures["projects"]["a"], year=next_year, amount=Decimal("5000"))
    client.force_login(figures["users"]["admin"])
    response = client.get(reverse("investment:dashboard"))
    assert response.context["year"] == 2022
    assert response.context["month"] == 12  # a finished year: through December


def test_dashboard_groups_flags_and_the_projects_behind(client, figures):
    client.force_login(figures["users"]["admin"])
    response = client.get(reverse("investment:dashboard"), {"year": 2022, "month": 6, "group_by": "leader"})
    groups = {g["label"]: g for g in response.context["groups"]}
    wang = groups["王明"]  # project a: 25% done at 50% of the year: 25 points behind → yellow (10–30)
    assert (wang["projects"], wang["completion_rate"], wang["flag"]["value"]) == (1, Decimal("25.0"), "yellow")
    assert wang["url"] == f"{reverse('projects:project_list')}?leader={figures['leader'].pk}"
    rows = {r["project"].pk: r for r in completion_rows(visible(figures["users"]["admin"]), year=2022, month=6)}
    behind = response.context["behind"]
    assert behind, "the zone has projects behind"
    order = {Risk.OFF_TRACK: 0, Risk.AT_RISK: 1}
    assert [order[r["risk"]] for r in behind] == sorted(order[r["risk"]] for r in behind)  # off track first
    assert {r["project"].pk for r in behind} == {pk for pk, r in rows.items() if r["risk"] != Risk.ON_TRACK}
    html = response.content.decode()
    for r in behind:
        assert r["reason"] in html
        assert f"{reverse('investment:project', args=[r['project'].pk])}?year=2022" in html
    by_region = client.get(reverse("investment:dashboard"), {"year": 2022, "month": 6, "group_by": "region"})
    assert by_region.status_code == 200
    assert (
        by_region.context["total"]
        == investment_payload(visible(figures["users"]["admin"]), year=2022, month=6, group_by="region")["total"]
    )


def test_dashboard_with_no_data_says_so(client, zone):
    AnnualPlan.objects.all().delete()
    client.force_login(zone["users"]["viewer"])
    response = client.get(reverse("investment:dashboard"))
    assert response.status_code == 200
    assert 'id="no-plans"' in response.content.decode()


# ---- review queue ----


def test_queue_lists_submitted_reports_oldest_first_with_late_marked(client, figures):
    client.force_login(figures["users"]["admin"])
    response = client.get(reverse("investment:review_queue"), {"month": "", "state": "pending"})
    assert response.status_code == 200
    rows = [r["report"] for r in response.context["rows"]]
    assert [(r.project.name, r.month) for r in rows] == [
        ("高端数控机床项目", 4),
        ("高端数控机床项目", 5),
        ("高端数控机床项目", 6),
        ("新能源汽车零部件项目", 7),
    ]
    assert rows[-1].year_to_date == Decimal("3300.00")
    html = response.content.decode()
    late_row = html[html.index(f'data-report="{rows[-1].pk}"') :]
    assert 'data-late="1"' in late_row[: late_row.index("</form>")]
    assert response.context["pending_count"] == 4
    # out of scope: 洛阳's office sees none of these
    client.force_login(figures["users"]["admin_out"])
    assert client.get(reverse("investment:review_queue")).context["rows"] == []


def test_queue_filters_by_month_and_state_and_lists_who_has_not_reported(client, figures):
    client.force_login(figures["users"]["admin"])
    response = client.get(reverse("investment:review_queue"), {"month": "2022-03", "state": "returned"})
    assert [(r["report"].project.name, r["report"].month) for r in response.context["rows"]] == [
        ("高端数控机床项目", 3)
    ]
    # March: a and c reported (c's was returned: it is to correct, not missing); b has no plan; d is out of scope
    assert response.context["missing_rows"] == []
    july = client.get(reverse("investment:review_queue"), {"month": "2022-07", "state": "all"})
    assert [m["project"].name for m in july.context["missing_rows"]] == ["高端数控机床项目"]
    assert july.context["missing_rows"][0]["due"] == datetime.date(2022, 8, 5)
    assert july.context["missing_rows"][0]["overdue"] is True
    bad = client.get(reverse("investment:review_queue"), {"month": "2022-13"})
    assert bad.status_code == 200 and "YYYY-MM" in bad.content.decode()


@pytest.mark.parametrize("role", ["leader", "department", "enterprise", "viewer"])
def test_queue_is_the_offices(client, figures, role):
    client.force_login(figures["users"][role])
    assert client.get(reverse("investment:review_queue")).status_code == 403


def pending_a(figures):
    return MonthlyReport.objects.get(project=figures["projects"]["a"], month=7)


def test_accept_changes_the_state_and_writes_a_change_record(client, figures):
    r = pending_a(figures)
    client.force_login(figures["users"]["admin"])
    before = ChangeRecord.objects.count()
    next_url = reverse("investment:review_queue") + "?state=pending"
    response = client.post(reverse("investment:review_accept", args=[r.pk]), {"next": next_url}, follow=True)
    assert response.redirect_chain[-1][0] == next_url
    r.refresh_from_db()
    assert r.status == ReportStatus.ACCEPTED and r.reviewed_by == figures["users"]["admin"]
    assert ChangeRecord.objects.count() == before + 1
    assert "Accepted: 新能源汽车零部件项目, 2022-07." in response.content.decode()


def test_return_needs_an_opinion_and_then_counts(client, figures):
    r = pending_a(figures)
    client.force_login(figures["users"]["admin"])
    before = state()
    response = client.post(reverse("investment:review_return", args=[r.pk]), {"opinion": "  "}, follow=True)
    assert "the opinion is required" in response.content.decode()
    assert state() == before
    response = client.post(reverse("investment:review_return", args=[r.pk]), {"opinion": "请补充现场照片"}, follow=True)
    r.refresh_from_db()
    assert (r.status, r.return_count, r.review_opinion) == (ReportStatus.RETURNED, 1, "请补充现场照片")
    assert ChangeRecord.objects.count() == before["ChangeRecord"] + 1
    # a returned report can be neither accepted nor returned again: refused, nothing written
    before = state()
    response = client.post(reverse("investment:review_accept", args=[r.pk]), follow=True)
    assert "Only a submitted report can be accepted" in response.content.decode()
    assert state() == before


def test_reopen_needs_a_reason_and_is_recorded(client, figures):
    r = MonthlyReport.objects.get(project=figures["projects"]["a"], month=3)
    client.force_login(figures["users"]["admin"])
    before = state()
    response = client.post(reverse("investment:review_reopen", args=[r.pk]), {"reason": ""}, follow=True)
    assert "Give the reason for reopening." in response.content.decode()
    assert state() == before
    client.post(reverse("investment:review_reopen", args=[r.pk]), {"reason": "企业申请更正金额"})
    r.refresh_from_db()
    assert (r.status, r.reopen_count, r.review_opinion) == (ReportStatus.REOPENED, 1, "企业申请更正金额")
    record = ChangeRecord.objects.order_by("-pk").first()
    assert record.object_id == r.pk and record.user == figures["users"]["admin"]


@pytest.mark.parametrize(("role", "status"), [("leader", 403), ("enterprise", 403), ("admin_out", 404)])
@pytest.mark.parametrize("action", ["review_accept", "review_return", "review_reopen"])
def test_review_actions_refused_write_nothing(client, figures, role, status, action):
    r = (
        pending_a(figures)
        if action != "review_reopen"
        else MonthlyReport.objects.get(project=figures["projects"]["a"], month=3)
    )
    client.force_login(figures["users"][role])
    before = state()
    response = client.post(reverse(f"investment:{action}", args=[r.pk]), {"opinion": "x", "reason": "x"})
    assert response.status_code == status
    assert state() == before


def test_review_redirect_stays_on_this_site(client, figures):
    r = pending_a(figures)
    client.force_login(figures["users"]["admin"])
    response = client.post(reverse("investment:review_accept", args=[r.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("investment:review_queue")


# ---- a project's investment tab ----


def test_project_tab_shows_plan_months_reports_and_forecast(client, figures):
    a = figures["projects"]["a"]
    client.force_login(figures["users"]["leader"])
    response = client.get(reverse("investment:project", args=[a.pk]), {"year": 2022})
    assert response.status_code == 200
    ctx = response.context
    assert ctx["month"] == 12
    expected = completion_rows(Project.objects.filter(pk=a.pk), year=2022, month=12)[0]
    assert ctx["row"]["invested_to_date"] == expected["invested_to_date"] == Decimal("3300.00")
    assert ctx["row"]["reason"] == expected["reason"]
    months = ctx["month_rows"]
    assert [m["target"] for m in months] == [Decimal("1000.04")] * 11 + [Decimal("1000.06")]
    assert months[6]["report"].status == ReportStatus.SUBMITTED and months[6]["report"].late
    assert months[7]["report"] is None
    html = response.content.decode()
    assert expected["reason"] in html
    assert 'id="plan-form"' not in html  # the leader reads; only the office sets plans
    assert "data-actions" not in html  # and reviews


def test_project_tab_for_the_office_has_the_plan_form_and_review_actions(client, figures):
    c = figures["projects"]["c"]
    client.force_login(figures["users"]["admin"])
    html = client.get(reverse("investment:project", args=[c.pk]), {"year": 2022}).content.decode()
    assert 'id="plan-form"' in html
    assert 'value="manual" class="form-check-input" id="id_split_2" required checked' in html
    assert 'name="month_12" value="1900.00"' in html
    assert html.count("data-actions=") == 4  # the three submitted months and the returned one (no action on it)


def test_project_tab_of_a_year_without_plan(client, figures):
    client.force_login(figures["users"]["admin"])
    response = client.get(reverse("investment:project", args=[figures["projects"]["a"].pk]), {"year": 2030})
    assert response.status_code == 200 and response.context["row"] is None
    assert 'id="no-plan"' in response.content.decode()


def post_plan(client, project, **data):
    body = {"year": 2022, "amount": "3000", "split": "even", **data}
    return client.post(reverse("investment:project_plan", args=[project.pk]), body)


def test_plan_even_and_seasonal_splits_are_saved(client, figures):
    c = figures["projects"]["c"]
    client.force_login(figures["users"]["admin"])
    before = ChangeRecord.objects.count()
    response = post_plan(client, c, amount="3600", split="even")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('investment:project', args=[c.pk])}?year=2022"
    plan = AnnualPlan.objects.get(project=c, year=2022)
    assert (plan.amount, plan.split_method, plan.months) == (Decimal("3600.00"), "even", [Decimal("300.00")] * 12)
    assert ChangeRecord.objects.count() == before + 1
    post_plan(client, c, amount="3600", split="seasonal")
    plan.refresh_from_db()
    assert plan.split_method == "seasonal" and sum(plan.months) == Decimal("3600.00")
    assert plan.month_12 > plan.month_1
    # a new year's plan
    post_plan(client, c, year=2023, amount="1200.00", split="even")
    assert AnnualPlan.objects.get(project=c, year=2023).month_1 == Decimal("100.00")


def test_plan_manual_split_must_sum_exactly(client, figures):
    c = figures["projects"]["c"]
    client.force_login(figures["users"]["admin"])
    months = {f"month_{m}": "250" for m in range(1, 13)}
    months["month_12"] = "250.01"
    before = state()
    response = post_plan(client, c, split="manual", **months)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The twelve monthly targets add up to 3000.01 万元, not the annual plan of 3000.00 万元." in html
    assert state() == before
    # a missing month, a negative month: refused too
    del months["month_5"]
    response = post_plan(client, c, split="manual", **months)
    assert "Give twelve monthly targets, January to December." in response.content.decode()
    months.update(month_5="300", month_6="-50", month_12="250")
    response = post_plan(client, c, split="manual", **months)
    assert "A monthly target cannot be negative." in response.content.decode()
    assert state() == before
    # the right sum is saved as typed
    months.update(month_5="250", month_6="250", month_12="250")
    months["month_1"] = "100"
    months["month_12"] = "400"
    assert post_plan(client, c, split="manual", **months).status_code == 302
    plan = AnnualPlan.objects.get(project=c, year=2022)
    assert plan.split_method == "manual" and plan.month_1 == Decimal("100.00") and plan.month_12 == Decimal("400.00")


def test_plan_bad_amount_is_refused(client, figures):
    c = figures["projects"]["c"]
    client.force_login(figures["users"]["admin"])
    before = state()
    for amount in ("-5", "abc", ""):
        response = post_plan(client, c, amount=amount)
        assert response.status_code == 200 and 'id="plan-form"' in response.content.decode()
    assert state() == before


@pytest.mark.parametrize(
    ("role", "status"), [("leader", 403), ("enterprise", 403), ("viewer", 403), ("admin_out", 404)]
)
def test_plan_refused_writes_nothing(client, figures, role, status):
    client.force_login(figures["users"][role])
    before = state()
    assert post_plan(client, figures["projects"]["a"], amount="1").status_code == status
    assert state() == before


def test_project_page_links_to_the_investment_tab(client, figures):
    a = figures["projects"]["a"]
    client.force_login(figures["users"]["viewer"])
    html = client.get(reverse("projects:project_detail", args=[a.pk])).content.decode()
    assert f'href="{reverse("investment:project", args=[a.pk])}"' in html
    assert f"{reverse('investment:project', args=[a.pk])}?year=2022" in html
