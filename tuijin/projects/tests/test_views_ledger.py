"""The ledger pages: list (filters, totals, htmx, sorting, columns), export, detail, forms, listings, periods."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from tuijin.core.models import ChangeRecord
from tuijin.investment.models import AnnualPlan
from tuijin.projects.importer import plan_import
from tuijin.projects.models import Listing, Period, Project
from tuijin.projects.selectors import Scope, campaign_stats

LIST = reverse("projects:project_list")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast fixture users


def names(response) -> set[str]:
    return {p.name for p in response.context["page"].object_list}


def valid_project_data(zone, **changes) -> dict:
    data = {
        "name": "氢能装备制造项目",
        "code": "",
        "region": zone["regions"]["jingkai"].pk,
        "enterprise": zone["enterprises"]["b"].pk,
        "industry": "装备制造",
        "nature": "新建",
        "content": "",
        "location": "经开区第九大街",
        "latitude": "",
        "longitude": "",
        "total_investment": "25000.50",
        "signed_on": "2022-04-01",
        "planned_started_on": "2022-09-01",
        "started_on": "2022-09-15",
        "planned_production_on": "2023-12-31",
        "production_on": "",
        "effective_on": "",
        "leader": zone["leader"].pk,
        "responsible_unit": zone["department"].pk,
        "responsible_person": "李华",
        "note": "",
    }
    data.update(changes)
    return data


# --- list -------------------------------------------------------------------------------------------------


def test_list_requires_login(client, zone):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("superuser", {"新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目", "新材料研发基地"}),
        ("admin", {"新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目"}),
        ("viewer", {"新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目"}),
        ("enterprise", {"新能源汽车零部件项目", "高端数控机床项目"}),  # only its own enterprise's projects
        ("admin_out", {"新材料研发基地"}),
        ("enterprise_out", {"新材料研发基地"}),
    ],
)
def test_list_shows_only_projects_in_scope(zone, login, role, expected):
    response = login(zone["users"][role]).get(LIST)
    assert response.status_code == 200
    assert names(response) == expected
    assert response.context["scope_text"] == "All projects in the ledger"


def test_totals_row_equals_campaign_figure(zone, login):
    admin = zone["users"]["admin"]
    as_of = datetime.date(2022, 12, 31)
    stats = campaign_stats(Project.objects.restrict(admin, "view"), Scope(as_of=as_of))["batches"]["started"]
    response = login(admin).get(LIST, {"as_of": "2022-12-31", "batch": "started"})
    totals = response.context["totals"]
    assert totals == {
        "count": stats["count"],
        "total_investment": stats["total_investment"],
        "annual_plan": stats["annual_plan"],
    }
    # As of 2022-12-31 the start batch holds only A (converted in period 2); B was removed.
    assert names(response) == {"新能源汽车零部件项目"}
    assert totals == {"count": 1, "total_investment": Decimal("50000.00"), "annual_plan": Decimal("12000.50")}
    html = response.content.decode()
    assert "Current portfolio as of 2022-12-31" in html
    assert 'data-total="total_investment">50,000.00<' in html
    assert 'data-total="annual_plan">12,000.50<' in html


def test_totals_for_reached_milestone_and_period_list(zone, login):
    admin = zone["users"]["admin"]
    client = login(admin)
    as_of = datetime.date(2022, 12, 31)
    stats = campaign_stats(Project.objects.restrict(admin, "view"), Scope(as_of=as_of))["batches"]["started"]
    response = client.get(LIST, {"as_of": "2022-12-31", "batch": "started", "reached": "started"})
    assert response.context["totals"]["count"] == stats["started"] == 1

    response = client.get(LIST, {"period": "1"})
    assert names(response) == {"新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目"}
    assert response.context["scope_text"] == "List of 第一期"
    assert response.context["totals"]["total_investment"] == Decimal("142000.35")


def test_annual_plan_column_is_for_the_as_of_year(zone, login):
    AnnualPlan.objects.create(project=zone["projects"]["a"], year=2023, amount=Decimal("7000"))
    client = login(zone["users"]["admin"])
    row = {p.name: p for p in client.get(LIST, {"as_of": "2023-06-30"}).context["page"].object_list}
    assert row["新能源汽车零部件项目"].annual_plan == Decimal("7000.00")
    row = {p.name: p for p in client.get(LIST, {"as_of": "2022-12-31"}).context["page"].object_list}
    assert row["新能源汽车零部件项目"].annual_plan == Decimal("12000.50")


def test_search_region_and_industry_filters(zone, login):
    client = login(zone["users"]["superuser"])
    assert names(client.get(LIST, {"q": "数控"})) == {"高端数控机床项目"}
    assert names(client.get(LIST, {"q": "乙装备"})) == {"智能装备产业园"}
    assert names(client.get(LIST, {"region": "410300"})) == {"新材料研发基地"}
    assert names(client.get(LIST, {"industry": "装备制造"})) == {"智能装备产业园", "高端数控机床项目"}


def test_htmx_request_gets_only_the_table(zone, login):
    client = login(zone["users"]["admin"])
    full = client.get(LIST)
    assert "<html" in full.content.decode() and 'id="ledger-filters"' in full.content.decode()
    fragment = client.get(LIST, {"batch": "production", "as_of": "2022-12-31"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in html and 'id="ledger-filters"' not in html
    assert 'id="ledger-totals"' in html and "高端数控机床项目" in html and "智能装备产业园" not in html


def test_sorting(zone, login):
    client = login(zone["users"]["admin"])
    order = [p.name for p in client.get(LIST, {"sort": "-total_investment"}).context["page"].object_list]
    assert order == ["智能装备产业园", "新能源汽车零部件项目", "高端数控机床项目"]
    order = [p.name for p in client.get(LIST, {"sort": "total_investment"}).context["page"].object_list]
    assert order == ["高端数控机床项目", "新能源汽车零部件项目", "智能装备产业园"]
    # An unknown sort key falls back to the code order instead of failing.
    assert client.get(LIST, {"sort": "password"}).status_code == 200


def test_pagination(zone, login):
    client = login(zone["users"]["superuser"])
    response = client.get(LIST, {"per_page": "25"})
    assert response.context["page"].paginator.per_page == 25
    assert client.get(LIST, {"per_page": "100000"}).context["page"].paginator.per_page == 50


def table_head(response) -> str:
    html = response.content.decode()
    return html[
        html.index('<table class="table table-vcenter card-table table-hover tj-ledger">') : html.index("</thead>")
    ]


def test_column_choice_is_kept_in_the_session(zone, login):
    client = login(zone["users"]["admin"])
    head = table_head(client.get(LIST))
    assert ">Enterprise<" in head and ">Region<" not in head  # the default columns
    response = client.post(LIST + "?batch=signed", {"columns": ["code", "name", "region", "bogus"]})
    assert response.status_code == 302 and response["Location"].endswith("?batch=signed")
    response = client.get(LIST)
    assert [c.key for c in response.context["columns"]] == ["code", "name", "region"]
    head = table_head(response)
    assert ">Region<" in head and ">Enterprise<" not in head
    client.post(LIST, {"reset": "1"})
    assert ">Enterprise<" in table_head(client.get(LIST))


# --- export -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", [{"as_of": "2022-12-31"}, {"period": "1"}, {"period": "2"}, {"as_of": "2022-12-31", "batch": "production"}]
)
def test_export_of_a_filtered_view_imports_back_with_no_change(zone, login, query):
    response = login(zone["users"]["admin"]).get(reverse("projects:project_export"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    plan = plan_import(io.BytesIO(content), region=zone["regions"]["jingkai"])
    assert plan.is_empty, plan.describe()


def test_export_has_exactly_the_rows_of_the_page(zone, login):
    from python_calamine import CalamineWorkbook

    client = login(zone["users"]["enterprise"])
    response = client.get(reverse("projects:project_export"), {"sort": "-total_investment"})
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    header = rows[1]
    exported = [r[header.index("项目名称")] for r in rows[2:]]
    assert exported == ["新能源汽车零部件项目", "高端数控机床项目"]  # the enterprise's own, in page order


# --- detail -----------------------------------------------------------------------------------------------


def test_detail_shows_listing_history_with_conversion_and_removal(zone, login):
    client = login(zone["users"]["admin"])
    a, b = zone["projects"]["a"], zone["projects"]["b"]
    html = client.get(reverse("projects:project_detail", args=[a.pk])).content.decode()
    history = html[html.index('id="listing-history"') :]
    assert "第一期" in history and "第二期" in history and "Converted" in history
    assert reverse("projects:listing_edit", args=[a.listings.get(period_id=2).pk]) in history
    html = client.get(reverse("projects:project_detail", args=[b.pk])).content.decode()
    assert "Removed" in html and "企业经营困难" in html
    assert "Change history" in html


def test_detail_for_a_reader(zone, login):
    a = zone["projects"]["a"]
    html = login(zone["users"]["enterprise"]).get(reverse("projects:project_detail", args=[a.pk])).content.decode()
    assert "新能源汽车零部件项目" in html and "2022-06-01" in html
    assert reverse("projects:project_edit", args=[a.pk]) not in html
    assert reverse("projects:listing_add", args=[a.pk]) not in html
    assert "Change history" not in html  # enterprises do not read the change log


@pytest.mark.parametrize("role", ["admin_out", "enterprise_out"])
def test_detail_out_of_scope_is_404(zone, login, role):
    a = zone["projects"]["a"]
    assert login(zone["users"][role]).get(reverse("projects:project_detail", args=[a.pk])).status_code == 404


def test_enterprise_does_not_see_another_enterprises_project(zone, login):
    b = zone["projects"]["b"]  # same zone, another enterprise
    assert login(zone["users"]["enterprise"]).get(reverse("projects:project_detail", args=[b.pk])).status_code == 404


# --- create, edit, delete ---------------------------------------------------------------------------------


def test_create_project_writes_a_change_record(zone, login):
    admin = zone["users"]["admin"]
    response = login(admin).post(reverse("projects:project_add"), valid_project_data(zone))
    project = Project.objects.get(name="氢能装备制造项目")
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.code.startswith("410171-") and project.total_investment == Decimal("25000.50")
    record = ChangeRecord.objects.get(object_id=project.pk, content_type__model="project")
    assert (record.action, record.user, record.source) == ("create", admin, "web")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"total_investment": "-5"}, "total_investment", "Total investment cannot be negative."),
        ({"production_on": "2022-08-01"}, "production_on", "cannot be before"),
        ({"name": "高端数控机床项目"}, None, "already exists in this region"),
        ({"enterprise": "__ent_c__"}, "enterprise", "Select a valid choice"),  # out of the user's scope
        ({"signed_on": "2022-02-30"}, "signed_on", "Enter a valid date"),
    ],
)
def test_create_refuses_invalid_data_and_writes_nothing(zone, login, changes, field, message):
    if changes.get("enterprise") == "__ent_c__":
        changes["enterprise"] = zone["enterprises"]["c"].pk
    projects, records = Project.objects.count(), ChangeRecord.objects.count()
    response = login(zone["users"]["admin"]).post(reverse("projects:project_add"), valid_project_data(zone, **changes))
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors.get(field, []) if field else form.errors.get("__all__", []) + form.errors.get("name", [])
    assert any(message in str(e) for e in errors), form.errors
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert (Project.objects.count(), ChangeRecord.objects.count()) == (projects, records)


def test_create_is_forbidden_for_readers(zone, login):
    for role in ("leader", "department", "enterprise", "viewer"):
        client = login(zone["users"][role])
        assert client.get(reverse("projects:project_add")).status_code == 403
        assert client.post(reverse("projects:project_add"), valid_project_data(zone)).status_code == 403
    assert not Project.objects.filter(name="氢能装备制造项目").exists()


def test_edit_records_old_and_new(zone, login):
    a = zone["projects"]["a"]
    data = valid_project_data(zone, name=a.name, code=a.code, enterprise=a.enterprise_id, total_investment="52000")
    response = login(zone["users"]["admin"]).post(reverse("projects:project_edit", args=[a.pk]), data)
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.total_investment == Decimal("52000.00")
    record = ChangeRecord.objects.filter(object_id=a.pk, content_type__model="project", action="update").get()
    assert record.before["total_investment"] == "50000.00" and record.after["total_investment"] == "52000.00"
    html = login(zone["users"]["admin"]).get(a.get_absolute_url()).content.decode()
    assert "50,000.00" in html and "52,000.00" in html  # old → new in the change history


def test_edit_keeps_the_form_and_writes_nothing_when_invalid(zone, login):
    a = zone["projects"]["a"]
    records = ChangeRecord.objects.count()
    data = valid_project_data(zone, name=a.name, code=a.code, enterprise=a.enterprise_id, started_on="2021-01-01")
    response = login(zone["users"]["admin"]).post(reverse("projects:project_edit", args=[a.pk]), data)
    assert response.status_code == 200 and "started_on" in response.context["form"].errors
    a.refresh_from_db()
    assert a.started_on == datetime.date(2022, 6, 1) and ChangeRecord.objects.count() == records


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin_out", 404), ("enterprise_out", 404), ("enterprise", 403), ("viewer", 403), ("leader", 403)],
)
def test_edit_out_of_scope_or_without_permission_writes_nothing(zone, login, role, status):
    a = zone["projects"]["a"]
    records = ChangeRecord.objects.count()
    client = login(zone["users"][role])
    data = valid_project_data(zone, name="改名", code=a.code, enterprise=a.enterprise_id)
    assert client.get(reverse("projects:project_edit", args=[a.pk])).status_code == status
    assert client.post(reverse("projects:project_edit", args=[a.pk]), data).status_code == status
    assert client.post(reverse("projects:project_delete", args=[a.pk])).status_code == status
    a.refresh_from_db()
    assert a.name == "新能源汽车零部件项目" and ChangeRecord.objects.count() == records


def test_moving_a_project_out_of_the_users_scope_is_refused(zone, login):
    """A city admin may not move a project to a region they cannot see: the choice is refused."""
    a = zone["projects"]["a"]
    data = valid_project_data(
        zone, name=a.name, code=a.code, enterprise=a.enterprise_id, region=zone["regions"]["luoyang_gx"].pk
    )
    response = login(zone["users"]["admin"]).post(reverse("projects:project_edit", args=[a.pk]), data)
    assert response.status_code == 200 and "region" in response.context["form"].errors
    a.refresh_from_db()
    assert a.region == zone["regions"]["jingkai"]


def test_delete_project_with_confirmation(zone, login):
    c = zone["projects"]["c"]
    client = login(zone["users"]["admin"])
    response = client.get(reverse("projects:project_delete", args=[c.pk]))
    assert response.status_code == 200 and "高端数控机床项目" in response.content.decode()
    assert Project.objects.filter(pk=c.pk).exists()
    response = client.post(reverse("projects:project_delete", args=[c.pk]))
    assert response.status_code == 302 and not Project.objects.filter(pk=c.pk).exists()
    deleted = ChangeRecord.objects.filter(action="delete")
    assert {r.content_type.model for r in deleted} == {"project", "listing", "annualplan"}


# --- listings ---------------------------------------------------------------------------------------------


def test_listing_add_edit_and_delete(zone, login):
    c = zone["projects"]["c"]
    p3 = Period.objects.create(number=3, date=datetime.date(2022, 9, 20))
    client = login(zone["users"]["admin"])
    response = client.post(reverse("projects:listing_add", args=[c.pk]), {"period": 3, "batch": "production"})
    assert response.status_code == 302
    listing = Listing.objects.get(project=c, period=p3)
    assert listing.action == "listed"

    # removing needs a reason; without one nothing changes
    url = reverse("projects:listing_edit", args=[listing.pk])
    records = ChangeRecord.objects.count()
    response = client.post(url, {"batch": "production", "removed": "on", "reason": " "})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert ChangeRecord.objects.count() == records
    response = client.post(url, {"batch": "production", "removed": "on", "reason": "项目停建"})
    listing.refresh_from_db()
    assert (listing.action, listing.reason) == ("removed", "项目停建")

    response = client.post(reverse("projects:listing_delete", args=[listing.pk]))
    assert response.status_code == 302 and not Listing.objects.filter(pk=listing.pk).exists()
    assert ChangeRecord.objects.filter(action="delete", content_type__model="listing", object_id=listing.pk).exists()


def test_listing_add_refuses_a_period_already_listed(zone, login):
    a = zone["projects"]["a"]
    response = login(zone["users"]["admin"]).post(
        reverse("projects:listing_add", args=[a.pk]), {"period": 1, "batch": "production"}
    )
    assert response.status_code == 200 and "period" in response.context["form"].errors
    assert a.listings.get(period_id=1).batch == "signed"


def test_listing_conversion_is_derived(zone, login):
    c = zone["projects"]["c"]  # listed in period 1 in the commission batch
    login(zone["users"]["admin"]).post(reverse("projects:listing_add", args=[c.pk]), {"period": 2, "batch": "started"})
    assert c.listings.get(period_id=2).action == "converted"


def test_listing_views_check_permission(zone, login):
    a = zone["projects"]["a"]
    listing = a.listings.get(period_id=1)
    client = login(zone["users"]["viewer"])
    assert (
        client.post(reverse("projects:listing_add", args=[a.pk]), {"period": 2, "batch": "signed"}).status_code == 403
    )
    assert client.post(reverse("projects:listing_delete", args=[listing.pk])).status_code == 403
    client = login(zone["users"]["admin_out"])
    assert client.post(reverse("projects:listing_edit", args=[listing.pk]), {"batch": "signed"}).status_code == 404
    assert Listing.objects.filter(pk=listing.pk, batch="signed").exists()


# --- periods ----------------------------------------------------------------------------------------------


def test_period_list_counts_per_batch(zone, login):
    response = login(zone["users"]["admin"]).get(reverse("projects:period_list"))
    periods = {p.number: p for p in response.context["periods"]}
    assert periods[1].batch_counts == [("signed", 1), ("started", 1), ("production", 1)]  # D is out of scope
    assert periods[2].batch_counts == [("signed", 0), ("started", 1), ("production", 0)]  # B removed
    assert reverse("projects:period_add") in response.content.decode()


def test_period_add_and_its_validation(zone, login):
    client = login(zone["users"]["admin"])
    url = reverse("projects:period_add")
    records = ChangeRecord.objects.count()
    records_periods = ChangeRecord.objects.filter(content_type__model="period").count()
    response = client.post(url, {"number": 3, "date": "2022-05-01", "name": ""})  # before period 2
    assert response.status_code == 200 and "date" in response.context["form"].errors
    response = client.post(url, {"number": 2, "date": "2022-12-01", "name": ""})  # number taken
    assert response.status_code == 200 and "number" in response.context["form"].errors
    assert Period.objects.count() == 2 and ChangeRecord.objects.count() == records
    response = client.post(url, {"number": 3, "date": "2022-09-20", "name": ""})
    assert response.status_code == 302
    assert str(Period.objects.get(number=3)) == "第三期"
    assert ChangeRecord.objects.filter(content_type__model="period", action="create").count() == records_periods + 1


def test_period_edit_and_permissions(zone, login):
    p2 = zone["periods"][2]
    assert login(zone["users"]["leader"]).get(reverse("projects:period_add")).status_code == 403
    assert (
        login(zone["users"]["viewer"])
        .post(reverse("projects:period_edit", args=[p2.pk]), {"number": 2, "date": "2022-07-01"})
        .status_code
        == 403
    )
    response = login(zone["users"]["admin"]).post(
        reverse("projects:period_edit", args=[p2.pk]), {"number": 2, "date": "2022-07-01", "name": "第二期"}
    )
    assert response.status_code == 302
    p2.refresh_from_db()
    assert p2.date == datetime.date(2022, 7, 1)


def test_list_query_count_does_not_grow_with_rows(zone, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tuijin.core.testing import listed, project

    client = login(zone["users"]["admin"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST, {"as_of": "2022-12-31"}).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first page after signing in also saves the session's idle expiry
    before = count()
    for i in range(10):
        p = project(
            f"批量项目{i}",
            zone["regions"]["jingkai"],
            zone["enterprises"]["b"],
            "100",
            leader=zone["leader"],
            responsible_unit=zone["department"],
        )
        listed(p, zone["periods"][2], "signed")
    assert count() == before
