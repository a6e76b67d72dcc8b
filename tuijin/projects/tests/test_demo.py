"""`tuijin demo --no-serve`: the synthetic zone loads through the importer, is realistic, and is kept on a rerun."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from tuijin.accounts.models import Leader, Organization, User
from tuijin.core.models import ChangeRecord
from tuijin.investment.models import AnnualPlan
from tuijin.projects.demo import DEPARTMENTS, INDUSTRIES
from tuijin.projects.models import Listing, Period, Project
from tuijin.projects.selectors import Scope, campaign_payload
from tuijin.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """The demo sets and checks real passwords; a cheap hasher keeps the test quick (the rules still apply)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """The demo's site photos (investment reports) go to a throw-away directory, not var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--lang", "en", stdout=out)
    return out.getvalue()


def printed_accounts(output: str) -> dict[str, str]:
    """user name -> password, read from the printed table."""
    rows = re.findall(r"^\s+(admin|leader|department|enterprise|viewer)\s+(\S+)\s", output, re.MULTILINE)
    return dict(rows)


def test_demo_loads_a_realistic_zone_through_the_importer(client):
    output = run_demo()
    assert "http://127.0.0.1:8000/" in output

    zone = Region.objects.get(code="410171")
    assert zone.name == "郑州经济技术开发区"
    assert zone.path == "/410000/410100/410171/"
    assert Project.objects.filter(region=zone).count() == 50
    assert Project.objects.count() == 56  # plus a few in the sibling zone 410172

    periods = list(Period.objects.order_by("number"))
    assert [p.name for p in periods] == ["第一期", "第二期", "第三期", "第四期", "第五期", "第六期", "第七期"]
    assert periods[0].date == datetime.date(2021, 3, 26) and periods[-1].date == datetime.date(2022, 9, 28)

    assert set(Project.objects.values_list("industry", flat=True)) == set(INDUSTRIES)
    assert Leader.objects.count() == 8
    assert all(lead.title for lead in Leader.objects.all())
    assert sorted(Organization.objects.filter(kind="department").values_list("name", flat=True)) == sorted(DEPARTMENTS)
    enterprises = Organization.objects.filter(kind="enterprise")
    assert enterprises.count() == 40
    assert all(name.endswith("有限公司") for name in enterprises.values_list("name", flat=True))

    # Amounts in range with two decimals; plans for 2021 and 2022; each project valid as the forms see it.
    for project in Project.objects.all():
        assert Decimal("5000") <= project.total_investment <= Decimal("500000")
        assert project.responsible_person and re.search(r"1\d{10}$", project.responsible_person)
        project.full_clean()
    assert {2021, 2022} == set(AnnualPlan.objects.values_list("year", flat=True))
    assert not AnnualPlan.objects.filter(amount__lte=0).exists()

    # Conversions and removals across periods, removals with a reason.
    assert Listing.objects.filter(action="converted").count() >= 10
    removed = Listing.objects.filter(action="removed")
    assert removed.count() >= 3
    assert all(lst.reason for lst in removed)

    # Milestones agree with the listings: a project listed in the commission batch went through start.
    for listing in Listing.objects.filter(batch="production").select_related("project"):
        assert listing.project.started_on and listing.project.signed_on

    # The figures everyone quotes, as of the end of 2022, are non-trivial in every batch.
    payload = campaign_payload(Project.objects.in_region(zone), Scope(as_of=datetime.date(2022, 12, 31)), region=zone)
    for batch, figures in payload["batches"].items():
        assert figures["count"] > 0, batch
        assert figures["total_investment"] > 0 and figures["annual_plan"] > 0, batch
        assert figures["signed"] == figures["count"], batch
    assert 0 < payload["batches"]["started"]["started"] <= payload["batches"]["started"]["count"]
    assert payload["batches"]["production"]["in_production"] > 0
    assert payload["batches"]["production"]["effective"] > 0
    assert payload["total"]["count"] == sum(f["count"] for f in payload["batches"].values())

    # Every write is on record as made by `tuijin demo`, the listings by the importer's path.
    records = ChangeRecord.objects.all()
    assert records.filter(content_type__model="project", action="create").count() == 56
    assert records.filter(content_type__model="listing", action="create").count() == Listing.objects.count()
    assert set(records.values_list("source", "label").distinct()) == {("cli", "tuijin demo")}

    # A user per role, signing in with the printed password; each sees its own scope.
    accounts = printed_accounts(output)
    assert set(accounts) == {"admin", "leader", "department", "enterprise", "viewer"}
    for username, password in accounts.items():
        client.logout()
        response = client.post(reverse("accounts:login"), {"username": username, "password": password})
        assert response.status_code == 302, username
        assert client.session.get("_auth_user_id") == str(User.objects.get(username=username).pk)
    users = {u.username: u for u in User.objects.all()}
    assert {u.role for u in users.values()} == {"admin", "leader", "department", "enterprise", "viewer"}
    assert Project.objects.restrict(users["admin"], "view").count() == 50
    assert Project.objects.restrict(users["viewer"], "view").count() == 56
    own = Project.objects.restrict(users["enterprise"], "view")
    assert own.count() >= 3 and {p.enterprise_id for p in own} == {users["enterprise"].organization_id}
    assert users["leader"].leader.projects.exists()
    assert users["department"].organization.kind == "department"


def test_second_run_keeps_the_data():
    run_demo()
    counts = (Project.objects.count(), Listing.objects.count(), ChangeRecord.objects.count(), User.objects.count())
    hashes = dict(User.objects.values_list("username", "password"))

    output = run_demo()

    assert "data kept" in output
    assert (
        Project.objects.count(),
        Listing.objects.count(),
        ChangeRecord.objects.count(),
        User.objects.count(),
    ) == counts
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert set(printed_accounts(output)) == {"admin", "leader", "department", "enterprise", "viewer"}


def test_the_demo_is_deterministic():
    from tuijin.projects.demo import build_stories

    first, again = build_stories(), build_stories()
    assert [(s.name, s.total, s.dates, s.listings) for s in first] == [
        (s.name, s.total, s.dates, s.listings) for s in again
    ]
