"""/api/v1/ for the ledger: periods, projects, listings, statistics and imports, each role in and out of scope.

The statistics endpoint must give exactly `tuijin stats --json` (and `campaign_stats`) for the same arguments,
and the ledger list's totals must equal the statistics for the same filter.
"""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from tuijin.accounts.models import Leader, Organization
from tuijin.core.models import ChangeRecord
from tuijin.investment.models import AnnualPlan
from tuijin.projects.models import Listing, Period, Project
from tuijin.projects.selectors import Scope, campaign_stats
from tuijin.projects.tests.builders import write_ledger

pytestmark = pytest.mark.django_db

READ_ONLY = ["leader", "department", "enterprise", "viewer"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def state() -> dict:
    """Everything a write could touch, to show that a refused or invalid one wrote nothing."""
    return {
        m.__name__: sorted(m.objects.values_list("pk", "last_updated"))
        if hasattr(m, "last_updated")
        else m.objects.count()
        for m in (Project, Listing, Period, Organization, Leader, AnnualPlan, ChangeRecord)
    }


def send(client, method: str, path: str, data=None):
    return getattr(client, method)(path, data=json.dumps(data or {}), content_type="application/json")


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {p["name"] for p in response.json()["items"]}


# ---- periods --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["superuser", "admin", "leader", "department", "enterprise", "viewer", "admin_out", "enterprise_out"]
)
def test_every_role_reads_the_periods(login, zone, role):
    response = login(zone["users"][role]).get("/api/v1/periods")
    assert response.json() == [
        {"number": 1, "name": "第一期", "date": "2022-03-15"},
        {"number": 2, "name": "第二期", "date": "2022-06-20"},
    ]
    assert login(zone["users"][role]).get("/api/v1/periods/2").json()["date"] == "2022-06-20"
    assert login(zone["users"][role]).get("/api/v1/periods/9").status_code == 404


def test_admin_adds_changes_and_deletes_a_period(login, zone):
    client = login(zone["users"]["admin"])
    response = send(client, "post", "/api/v1/periods", {"number": 3, "date": "2022-09-20"})
    assert response.status_code == 201
    assert response.json() == {"number": 3, "name": "第三期", "date": "2022-09-20"}
    response = send(client, "patch", "/api/v1/periods/3", {"name": "第三期（秋季）", "date": "2022-09-25"})
    assert response.json() == {"number": 3, "name": "第三期（秋季）", "date": "2022-09-25"}
    assert client.delete("/api/v1/periods/3").status_code == 204
    actions = ChangeRecord.objects.filter(content_type__model="period").order_by("id").values_list("action", "source")
    assert list(actions)[-3:] == [("create", "api"), ("update", "api"), ("delete", "api")]


def test_period_in_use_cannot_be_deleted(login, zone):
    before = state()
    response = login(zone["users"]["admin"]).delete("/api/v1/periods/1")
    assert response.status_code == 409
    assert state() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"number": 3, "date": "2022-05-01"}, "date"),  # falls between periods 1 and 2
        ({"number": 1, "date": "2022-03-15"}, "number"),  # exists
    ],
)
def test_period_validation_writes_nothing(login, zone, payload, field):
    before = state()
    response = send(login(zone["users"]["admin"]), "post", "/api/v1/periods", payload)
    assert response.status_code == 422
    assert response.json()["errors"][field]
    assert state() == before


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_cannot_write_periods(login, zone, role):
    client = login(zone["users"][role])
    before = state()
    assert send(client, "post", "/api/v1/periods", {"number": 3, "date": "2022-09-20"}).status_code == 403
    assert send(client, "patch", "/api/v1/periods/1", {"name": "x"}).status_code == 403
    assert client.delete("/api/v1/periods/2").status_code == 403
    assert state() == before


# ---- project list ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("superuser", {"新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目", "新材料研发基地"}),
        ("admin", {"新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目"}),
        ("leader", {"新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目"}),
        ("viewer", {"新能源汽车零部件项目", "智能装备产业园", "高端数控机床项目"}),
        ("enterprise", {"新能源汽车零部件项目", "高端数控机床项目"}),
        ("admin_out", {"新材料研发基地"}),
        ("enterprise_out", {"新材料研发基地"}),
    ],
)
def test_list_shows_only_what_the_role_may_see(login, zone, role, expected):
    assert names(login(zone["users"][role]).get("/api/v1/projects")) == expected


def test_list_item_and_totals_as_of_a_date(login, zone):
    response = login(zone["users"]["admin"]).get("/api/v1/projects?as_of=2022-12-31")
    body = response.json()
    assert body["count"] == 2 and body["scope"] == "current" and body["as_of"] == "2022-12-31"
    assert body["totals"] == {"count": 2, "total_investment": 62000.10, "annual_plan": 15000.50}
    a = next(p for p in body["items"] if p["code"] == zone["projects"]["a"].code)
    assert a["batch"] == "started" and a["listed_period"] == 2
    assert a["region"] == "410171" and a["region_name"] == "郑州经开区"
    assert a["enterprise"] == zone["enterprises"]["a"].pk and a["enterprise_name"] == "河南甲汽车有限公司"
    assert a["leader_name"] == "王明" and a["responsible_unit_name"] == "经开区发展改革局"
    assert a["signed_on"] == "2022-03-01" and a["started_on"] == "2022-06-01" and a["production_on"] is None
    assert a["annual_plan"] == 12000.50 and a["stage"] == "started"
    # Money is a JSON number with its two decimals; Chinese is UTF-8, never \\uXXXX.
    assert b'"total_investment":50000.00' in response.content
    assert b'"total_investment":62000.10' in response.content
    assert "新能源汽车零部件项目".encode() in response.content and b"\\u" not in response.content


def test_whole_ledger_gives_todays_batch(login, zone):
    body = login(zone["users"]["admin"]).get("/api/v1/projects").json()
    assert body["scope"] == "all" and body["as_of"] == timezone.localdate().isoformat()
    batches = {p["name"]: p["batch"] for p in body["items"]}
    assert batches == {"新能源汽车零部件项目": "started", "智能装备产业园": None, "高端数控机床项目": "production"}
    assert body["totals"]["count"] == 3 and body["totals"]["total_investment"] == 142000.35


def test_filters_are_the_ledger_pages(login, zone):
    client = login(zone["users"]["superuser"])
    assert names(client.get("/api/v1/projects?period=1&batch=signed")) == {"新能源汽车零部件项目", "新材料研发基地"}
    assert names(client.get("/api/v1/projects?period=1&batch=signed&region=410171")) == {"新能源汽车零部件项目"}
    assert names(client.get("/api/v1/projects?as_of=2022-12-31&reached=in_production")) == {"高端数控机床项目"}
    assert names(client.get("/api/v1/projects?q=数控")) == {"高端数控机床项目"}
    assert names(client.get("/api/v1/projects?industry=装备制造")) == {"智能装备产业园", "高端数控机床项目"}
    assert names(client.get(f"/api/v1/projects?leader={zone['leader'].pk}")) == {"新能源汽车零部件项目"}
    assert names(client.get(f"/api/v1/projects?enterprise={zone['enterprises']['b'].pk}")) == {"智能装备产业园"}
    assert names(client.get(f"/api/v1/projects?responsible_unit={zone['department'].pk}")) == {"新能源汽车零部件项目"}
    assert names(client.get("/api/v1/projects?investment_min=30000&investment_max=50000")) == {
        "新能源汽车零部件项目",
        "新材料研发基地",
    }


def test_sort_and_pages(login, zone):
    client = login(zone["users"]["superuser"])
    body = client.get("/api/v1/projects?sort=-total_investment&page=1&page_size=2").json()
    assert [p["name"] for p in body["items"]] == ["智能装备产业园", "新能源汽车零部件项目"]
    assert body["count"] == 4 and body["page"] == 1 and body["page_size"] == 2
    body = client.get("/api/v1/projects?sort=-total_investment&page=2&page_size=2").json()
    assert [p["name"] for p in body["items"]] == ["新材料研发基地", "高端数控机床项目"]
    assert body["totals"]["count"] == 4  # totals cover every filtered row, not the page


@pytest.mark.parametrize(
    "query",
    ["page_size=501", "page=0", "sort=bogus", "period=9", "region=999999", "batch=nonsense", "as_of=2022-13-01"],
)
def test_bad_list_parameters_are_422(login, zone, query):
    response = login(zone["users"]["admin"]).get(f"/api/v1/projects?{query}")
    assert response.status_code == 422, query
    assert response.json()["detail"]


def test_region_outside_scope_is_not_a_filter_choice(login, zone):
    response = login(zone["users"]["admin"]).get("/api/v1/projects?region=410371")
    assert response.status_code == 422
    assert "region" in response.json()["errors"]


# ---- statistics -----------------------------------------------------------------------------------------------


def cli_stats(capsys, *args) -> dict:
    capsys.readouterr()
    call_command("stats", "--json", *args)
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("query", "args"),
    [
        ("as_of=2022-01-01", ["--as-of", "2022-01-01"]),
        ("as_of=2022-04-01", ["--as-of", "2022-04-01"]),
        ("as_of=2022-06-20", ["--as-of", "2022-06-20"]),
        ("as_of=2022-12-31", ["--as-of", "2022-12-31"]),
        ("as_of=2022-12-31&period=1", ["--as-of", "2022-12-31", "--period", "1"]),
        ("as_of=2022-12-31&period=2&region=410171", ["--as-of", "2022-12-31", "--period", "2", "--region", "410171"]),
        ("as_of=2022-12-31&region=410100", ["--as-of", "2022-12-31", "--region", "410100"]),
        ("", []),
    ],
)
def test_stats_equal_the_cli_and_campaign_stats(login, zone, capsys, query, args):
    response = login(zone["users"]["superuser"]).get(f"/api/v1/stats/campaign?{query}")
    assert response.status_code == 200
    body = response.json()
    assert body == cli_stats(capsys, *args)
    as_of = timezone.localdate() if not args else __import__("datetime").date.fromisoformat(args[1])
    period = int(args[args.index("--period") + 1]) if "--period" in args else None
    expected = campaign_stats(
        Project.objects.in_region(
            zone["regions"]["zhengzhou"]
            if "410100" in args
            else zone["regions"]["jingkai"]
            if "410171" in args
            else None
        ),
        Scope(as_of=as_of, period=period),
    )
    assert body["batches"] == json.loads(json.dumps(expected["batches"], default=float))
    assert body["total"]["count"] == expected["total"]["count"]


def test_stats_contract_by_hand(login, zone):
    response = login(zone["users"]["superuser"]).get("/api/v1/stats/campaign?as_of=2022-04-01")
    body = response.json()
    assert body["as_of"] == "2022-04-01" and body["scope"] == "current" and body["period"] is None
    assert body["region"] is None and body["unit"] == "万元"
    assert body["batches"]["signed"] == {
        "count": 2,
        "total_investment": 80000.00,
        "annual_plan": 12000.50,
        "signed": 2,
        "started": 0,
        "in_production": 0,
        "effective": 0,
    }
    assert body["batches"]["started"] == {
        "count": 1,
        "total_investment": 80000.25,
        "annual_plan": 0,
        "signed": 1,
        "started": 1,
        "in_production": 0,
        "effective": 0,
    }
    assert body["batches"]["production"] == {
        "count": 1,
        "total_investment": 12000.10,
        "annual_plan": 3000,
        "signed": 1,
        "started": 1,
        "in_production": 0,
        "effective": 0,
    }
    assert body["total"]["count"] == 4 and body["total"]["total_investment"] == 172000.35
    assert b'"total_investment":172000.35' in response.content and b'"unit":"\xe4\xb8\x87\xe5\x85\x83"' in (
        response.content
    )


def test_stats_count_only_what_the_caller_sees(login, zone, capsys):
    admin = login(zone["users"]["admin"]).get("/api/v1/stats/campaign?as_of=2022-12-31").json()
    assert admin["total"]["count"] == 2  # 洛阳's project d is not counted for 郑州经开区's office
    assert admin["region"] is None
    in_region = login(zone["users"]["admin"]).get("/api/v1/stats/campaign?as_of=2022-12-31&region=410171").json()
    assert in_region == cli_stats(capsys, "--as-of", "2022-12-31", "--region", "410171")
    enterprise = login(zone["users"]["enterprise"]).get("/api/v1/stats/campaign?as_of=2022-12-31").json()
    assert enterprise["total"]["count"] == 2  # a (started) and c (production), both enterprise A's
    out = login(zone["users"]["enterprise_out"]).get("/api/v1/stats/campaign?as_of=2022-12-31").json()
    assert out["total"]["count"] == 1 and out["batches"]["signed"]["total_investment"] == 30000


@pytest.mark.parametrize(
    ("query", "status"), [("period=9", 404), ("region=999999", 404), ("region=410371", 404), ("as_of=2022-02-30", 422)]
)
def test_stats_bad_arguments(login, zone, query, status):
    response = login(zone["users"]["admin"]).get(f"/api/v1/stats/campaign?{query}")
    assert response.status_code == status
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("list_query", "stats_query", "batch"),
    [
        ("as_of=2022-12-31&batch=started", "as_of=2022-12-31", "started"),
        ("as_of=2022-04-01&batch=signed", "as_of=2022-04-01", "signed"),
        ("period=1&as_of=2022-12-31&batch=production", "period=1&as_of=2022-12-31", "production"),
        ("as_of=2022-12-31&batch=signed&region=410371", "as_of=2022-12-31&region=410371", "signed"),
    ],
)
def test_list_totals_equal_the_stats_figure(login, zone, list_query, stats_query, batch):
    client = login(zone["users"]["superuser"])
    totals = client.get(f"/api/v1/projects?{list_query}").json()["totals"]
    figure = client.get(f"/api/v1/stats/campaign?{stats_query}").json()["batches"][batch]
    assert totals == {k: figure[k] for k in ("count", "total_investment", "annual_plan")}
    unfiltered = client.get(f"/api/v1/projects?{list_query.replace('&batch=' + batch, '')}").json()["totals"]
    total = client.get(f"/api/v1/stats/campaign?{stats_query}").json()["total"]
    assert unfiltered == {k: total[k] for k in ("count", "total_investment", "annual_plan")}


# ---- project detail and writes --------------------------------------------------------------------------------


def test_detail_in_and_out_of_scope(login, zone):
    a, d = zone["projects"]["a"], zone["projects"]["d"]
    body = login(zone["users"]["enterprise"]).get(f"/api/v1/projects/{a.pk}").json()
    assert body["name"] == "新能源汽车零部件项目" and body["batch"] == "started"
    assert login(zone["users"]["enterprise"]).get(f"/api/v1/projects/{zone['projects']['b'].pk}").status_code == 404
    assert login(zone["users"]["admin"]).get(f"/api/v1/projects/{d.pk}").status_code == 404
    assert login(zone["users"]["admin_out"]).get(f"/api/v1/projects/{d.pk}").status_code == 200
    assert login(zone["users"]["admin"]).get("/api/v1/projects/999999").status_code == 404


def new_project(zone, **extra) -> dict:
    return {
        "name": "氢能重卡整车项目",
        "region": "410171",
        "enterprise": zone["enterprises"]["b"].pk,
        "total_investment": "150000.5",
        "industry": "汽车及零部件",
        "signed_on": "2022-10-01",
        "leader": zone["leader"].pk,
        "responsible_unit": zone["department"].pk,
        **extra,
    }


def test_admin_creates_a_project(login, zone):
    response = send(login(zone["users"]["admin"]), "post", "/api/v1/projects", new_project(zone))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "410171-00004" and body["total_investment"] == 150000.50
    assert body["enterprise_name"] == "郑州乙装备股份有限公司" and body["leader_name"] == "王明"
    assert body["batch"] is None and body["stage"] == "signed"
    project = Project.objects.get(pk=body["id"])
    assert project.total_investment == Decimal("150000.50")
    record = ChangeRecord.objects.get(content_type__model="project", object_id=project.pk)
    assert record.action == "create" and record.user == zone["users"]["admin"] and record.source == "api"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"total_investment": "-1"}, "total_investment"),
        ({"started_on": "2022-09-01"}, "started_on"),  # before signed_on
        ({"region": "410371"}, "region"),  # outside the office's region
        ({"region": "999999"}, "region"),
        ({"enterprise": 999999}, "enterprise"),
        ({"leader": 999999}, "leader"),
        ({"latitude": "123.5"}, "latitude"),
    ],
)
def test_invalid_project_writes_nothing(login, zone, extra, field):
    before = state()
    response = send(login(zone["users"]["admin"]), "post", "/api/v1/projects", new_project(zone, **extra))
    assert response.status_code == 422, response.content
    assert response.json()["errors"][field]
    assert state() == before


def test_department_is_not_an_enterprise(login, zone):
    before = state()
    response = send(
        login(zone["users"]["admin"]), "post", "/api/v1/projects", new_project(zone, enterprise=zone["department"].pk)
    )
    assert response.status_code == 422
    assert response.json()["errors"]["enterprise"]
    assert state() == before


def test_missing_required_fields_are_422(login, zone):
    before = state()
    response = send(login(zone["users"]["admin"]), "post", "/api/v1/projects", {"name": "只有名字"})
    assert response.status_code == 422
    assert state() == before


def test_duplicate_name_in_region_is_refused(login, zone):
    before = state()
    response = send(login(zone["users"]["admin"]), "post", "/api/v1/projects", new_project(zone, name="智能装备产业园"))
    assert response.status_code in (409, 422)  # 409 until the model's clean() checks the folded name itself
    assert response.json()["detail"]
    assert state() == before


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_cannot_write_projects(login, zone, role):
    client = login(zone["users"][role])
    a = zone["projects"]["a"]  # enterprise A's own project: still read-only for the enterprise
    before = state()
    assert send(client, "post", "/api/v1/projects", new_project(zone)).status_code == 403
    assert send(client, "patch", f"/api/v1/projects/{a.pk}", {"note": "x"}).status_code == 403
    assert client.delete(f"/api/v1/projects/{a.pk}").status_code == 403
    assert (
        send(client, "post", f"/api/v1/projects/{a.pk}/listings", {"period": 2, "batch": "production"}).status_code
        == 403
    )
    assert client.delete(f"/api/v1/listings/{a.listings.first().pk}").status_code == 403
    assert state() == before


def test_enterprise_gets_404_for_another_enterprises_project(login, zone):
    client = login(zone["users"]["enterprise"])
    b = zone["projects"]["b"]
    before = state()
    assert client.get(f"/api/v1/projects/{b.pk}/listings").status_code == 404
    assert send(client, "patch", f"/api/v1/projects/{b.pk}", {"note": "x"}).status_code == 404
    assert client.delete(f"/api/v1/projects/{b.pk}").status_code == 404
    assert state() == before


def test_admin_out_of_scope_gets_404_on_every_object(login, zone):
    client = login(zone["users"]["admin_out"])
    a = zone["projects"]["a"]
    before = state()
    assert send(client, "patch", f"/api/v1/projects/{a.pk}", {"note": "x"}).status_code == 404
    assert client.delete(f"/api/v1/projects/{a.pk}").status_code == 404
    assert (
        send(client, "post", f"/api/v1/projects/{a.pk}/listings", {"period": 2, "batch": "production"}).status_code
        == 404
    )
    assert client.delete(f"/api/v1/listings/{a.listings.first().pk}").status_code == 404
    assert client.get(f"/api/v1/projects/{a.pk}/changes").status_code == 404
    assert state() == before


def test_admin_edits_a_project(login, zone):
    a = zone["projects"]["a"]
    client = login(zone["users"]["admin"])
    response = send(
        client,
        "patch",
        f"/api/v1/projects/{a.pk}",
        {"total_investment": 52000.3, "production_on": "2022-11-30", "leader": None},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total_investment"] == 52000.30 and body["production_on"] == "2022-11-30"
    assert body["leader"] is None and body["name"] == "新能源汽车零部件项目"  # untouched fields stay
    record = ChangeRecord.objects.filter(content_type__model="project", object_id=a.pk, action="update").get()
    assert record.before["total_investment"] == "50000.00" and record.after["total_investment"] == "52000.30"
    assert record.source == "api" and record.user == zone["users"]["admin"]


def test_edit_cannot_move_a_project_out_of_scope(login, zone):
    a = zone["projects"]["a"]
    before = state()
    response = send(login(zone["users"]["admin"]), "patch", f"/api/v1/projects/{a.pk}", {"region": "410371"})
    assert response.status_code == 422
    assert state() == before


def test_invalid_edit_writes_nothing(login, zone):
    a = zone["projects"]["a"]
    before = state()
    response = send(
        login(zone["users"]["admin"]), "patch", f"/api/v1/projects/{a.pk}", {"effective_on": "2020-01-01", "name": None}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) >= {"effective_on", "name"} or "name" in response.json()["errors"]
    assert state() == before


def test_admin_deletes_a_project(login, zone):
    b = zone["projects"]["b"]
    assert login(zone["users"]["admin"]).delete(f"/api/v1/projects/{b.pk}").status_code == 204
    assert not Project.objects.filter(pk=b.pk).exists()
    record = ChangeRecord.objects.get(content_type__model="project", object_id=b.pk, action="delete")
    assert record.user == zone["users"]["admin"] and record.before["name"] == "智能装备产业园"


# ---- listings and change history ------------------------------------------------------------------------------


def test_listing_history(login, zone):
    a = zone["projects"]["a"]
    body = login(zone["users"]["enterprise"]).get(f"/api/v1/projects/{a.pk}/listings").json()
    assert [(x["period"], x["period_name"], x["period_date"], x["batch"], x["action"]) for x in body] == [
        (1, "第一期", "2022-03-15", "signed", "listed"),
        (2, "第二期", "2022-06-20", "started", "converted"),
    ]


def test_admin_lists_removes_and_deletes_listings(login, zone):
    client = login(zone["users"]["admin"])
    c = zone["projects"]["c"]
    response = send(client, "post", f"/api/v1/projects/{c.pk}/listings", {"period": 2, "batch": "production"})
    assert response.status_code == 201, response.content
    assert response.json()["action"] == "listed" and response.json()["period"] == 2
    response = send(
        client,
        "post",
        f"/api/v1/projects/{c.pk}/listings",
        {"period": 2, "batch": "production", "removed": True, "reason": "已达效，调出"},
    )
    assert response.json()["action"] == "removed" and response.json()["reason"] == "已达效，调出"
    assert Listing.objects.filter(project=c).count() == 2
    listing_id = response.json()["id"]
    assert client.delete(f"/api/v1/listings/{listing_id}").status_code == 204
    assert list(Listing.objects.filter(project=c).values_list("period_id", "batch")) == [(1, "production")]
    actions = ChangeRecord.objects.filter(content_type__model="listing", object_id=listing_id).values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["create", "delete", "update"]


def test_deleting_a_listing_re_derives_conversions(login, zone):
    a = zone["projects"]["a"]
    first = a.listings.get(period_id=1)
    assert login(zone["users"]["admin"]).delete(f"/api/v1/listings/{first.pk}").status_code == 204
    assert Listing.objects.get(project=a, period_id=2).action == "listed"  # no earlier batch to convert from


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"period": 9, "batch": "started"}, 422),
        ({"period": 2, "batch": "启动"}, 422),
        ({"batch": "started"}, 422),
    ],
)
def test_bad_listing_writes_nothing(login, zone, payload, status):
    before = state()
    response = send(
        login(zone["users"]["admin"]), "post", f"/api/v1/projects/{zone['projects']['c'].pk}/listings", payload
    )
    assert response.status_code == status
    assert state() == before


def test_project_change_history(login, zone):
    a = zone["projects"]["a"]
    client = login(zone["users"]["admin"])
    send(client, "patch", f"/api/v1/projects/{a.pk}", {"note": "加快推进"})
    body = client.get(f"/api/v1/projects/{a.pk}/changes").json()
    kinds = [(r["object_type"], r["action"]) for r in body]
    assert kinds[0] == ("projects.project", "update") and body[0]["after"] == {"note": "加快推进"}
    assert body[0]["user"] == "office_jk" and body[0]["source"] == "api"
    assert ("projects.project", "create") in kinds
    assert kinds.count(("projects.listing", "create")) == 2
    assert ("investment.annualplan", "create") in kinds
    assert all(r["object_repr"] != "智能装备产业园" for r in body)  # nothing of another project


@pytest.mark.parametrize("role", ["enterprise", "viewer", "department"])
def test_change_history_forbidden_for_roles_without_the_change_log(login, zone, role):
    assert login(zone["users"][role]).get(f"/api/v1/projects/{zone['projects']['a'].pk}/changes").status_code == 403


# ---- import ---------------------------------------------------------------------------------------------------

GOOD_ROW = {
    "项目名称": "氢能重卡整车项目",
    "建设单位": "郑州乙装备股份有限公司",
    "批次": "签约一批",
    "期次": "第二期",
    "总投资(万元)": 150000.5,
    "年度计划投资(万元)": 20000,
    "签约时间": "2022年6月1日",
}


def upload(client, path, **fields):
    with open(path, "rb") as fh:
        return client.post("/api/v1/imports/ledger", data={"file": fh, "region": "410171", **fields})


def test_import_dry_run_writes_nothing(login, zone, tmp_path):
    path = write_ledger(tmp_path / "ledger.xlsx", [GOOD_ROW])
    before = state()
    response = upload(login(zone["users"]["admin"]), path, dry_run="true")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True and body["summary"]["new_projects"] == 1 and body["summary"]["rows"] == 1
    assert body["changes"][0]["project"] == "氢能重卡整车项目" and body["changes"][0]["kind"] == "new"
    assert state() == before


def test_import_applies_and_records_the_user(login, zone, tmp_path):
    path = write_ledger(tmp_path / "ledger.xlsx", [GOOD_ROW])
    response = upload(login(zone["users"]["admin"]), path)
    assert response.status_code == 200, response.content
    assert response.json()["summary"]["new_projects"] == 1
    project = Project.objects.get(name="氢能重卡整车项目")
    assert project.total_investment == Decimal("150000.50")
    assert Listing.objects.get(project=project).period_id == 2
    record = ChangeRecord.objects.get(content_type__model="project", object_id=project.pk)
    assert record.user == zone["users"]["admin"] and record.source == "import"
    again = upload(login(zone["users"]["admin"]), path).json()["summary"]
    assert again["new_projects"] == 0 and again["unchanged_rows"] == 1  # re-import changes nothing


def test_import_bad_rows_give_every_error_and_write_nothing(login, zone, tmp_path):
    rows = [GOOD_ROW, {**GOOD_ROW, "项目名称": "坏行", "总投资(万元)": -5, "批次": "启动"}]
    path = write_ledger(tmp_path / "bad.xlsx", rows)
    before = state()
    response = upload(login(zone["users"]["admin"]), path)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["sheet"], e["row"]) for e in errors} == {("台账", 4)}
    assert {e["column"] for e in errors} >= {"总投资(万元)", "批次"}
    assert all(e["reason"] and "value" in e for e in errors)
    assert state() == before


def test_import_not_a_workbook(login, zone, tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0 this is an old .doc renamed")
    before = state()
    response = upload(login(zone["users"]["admin"]), path)
    assert response.status_code == 400
    assert len(response.json()["errors"]) == 1 and response.json()["detail"]
    assert state() == before


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("enterprise", 403), ("leader", 403), ("admin_out", 404)]
)
def test_import_is_for_the_office_of_the_region(login, zone, tmp_path, role, status):
    path = write_ledger(tmp_path / "ledger.xlsx", [GOOD_ROW])
    before = state()
    assert upload(login(zone["users"][role]), path).status_code == status
    assert state() == before


# ---- query counts ---------------------------------------------------------------------------------------------


def test_list_queries_do_not_grow_with_the_page(login, zone, django_assert_max_num_queries):
    from tuijin.core.testing import listed, project

    jk = zone["regions"]["jingkai"]
    for i in range(30):
        p = project(
            f"批量项目{i:02d}",
            jk,
            zone["enterprises"]["b"],
            "100",
            leader=zone["leader"],
            responsible_unit=zone["department"],
        )
        listed(p, zone["periods"][2], "signed")
    client = login(zone["users"]["admin"])
    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/projects?period=2&page_size=100").json()
    assert body["count"] == 31
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/changes?page_size=200").json()["count"] > 60
