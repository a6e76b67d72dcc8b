"""`tuijin demo` gives the demo zone's projects their schedules: checklists from both templates, targets,
baselines and progress, so the Gantt, the portfolio and the warning board show red, yellow and green."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from tuijin.accounts.models import User
from tuijin.core.models import ChangeRecord
from tuijin.projects.demo import DEMO_END
from tuijin.projects.models import Listing, Project
from tuijin.schedule import selectors
from tuijin.schedule.demo import BASELINE_2022, BASELINE_2026, PROGRESS_DAY, build_stories, demo_projects
from tuijin.schedule.models import Baseline, ProjectNode, ScheduleTarget

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 11, 26)  # the day the demo was written for; the figures below are as of it


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo():
    call_command("demo", "--no-serve", stdout=io.StringIO())


def test_every_listed_project_of_the_zone_gets_its_schedule(demo):
    zone_projects = Project.objects.filter(region__code="410171")
    removed = set(Listing.objects.filter(action="removed", next_period__isnull=True).values_list("project", flat=True))
    with_nodes = set(ProjectNode.objects.values_list("project", flat=True))
    listed = {p.pk for p in zone_projects if p.pk not in removed}
    assert with_nodes == listed and len(listed) >= 40
    assert not with_nodes & removed
    # both shipped templates are in use: 19 nodes (标准工业项目) and 12 (拿地即开工)
    sizes = {ProjectNode.objects.filter(project=pk).count() for pk in listed}
    assert sizes == {19, 12}
    # every department node has a unit and a contact (the zone's names for 投资促进局, 水利局 … included)
    orphan = ProjectNode.objects.filter(project__in=listed, responsible_unit__isnull=True)
    assert not orphan.exists()
    assert not ProjectNode.objects.filter(project__in=listed, responsible_person="").exists()

    # targets: every project not yet effective; baselines 2026年初排定 on each, 2022年初排定 on the old ones
    open_projects = {p.pk for p in zone_projects if p.pk in listed and p.effective_on is None}
    assert set(ScheduleTarget.objects.values_list("project", flat=True)) == open_projects
    names = set(Baseline.objects.values_list("name", flat=True))
    assert names == {"2022年初排定", "2026年初排定"}
    assert Baseline.objects.filter(name="2026年初排定", as_of=BASELINE_2026).count() == len(open_projects)
    assert 3 <= Baseline.objects.filter(name="2022年初排定", as_of=BASELINE_2022).count() < len(open_projects)

    # the ledger is untouched: no milestone after the demo's end; no node reported after PROGRESS_DAY
    for field in ("started_on", "production_on", "effective_on"):
        assert not Project.objects.filter(**{f"{field}__gt": DEMO_END}).exists()
    assert not ProjectNode.objects.filter(actual_finish__gt=PROGRESS_DAY).exists()
    assert not ProjectNode.objects.filter(actual_start__gt=PROGRESS_DAY).exists()
    assert ProjectNode.objects.filter(actual_finish__year=2026).exists()  # the story goes on after 2022
    assert not ProjectNode.objects.exclude(milestone="").filter(actual_finish__isnull=False).exists()

    # every write is on record, under the demo's CLI label
    records = ChangeRecord.objects.filter(content_type__model="projectnode")
    assert records.filter(action="create").count() == ProjectNode.objects.count()
    assert set(records.values_list("label", flat=True)) == {"tuijin demo"}
    assert ChangeRecord.objects.filter(content_type__model="scheduletarget", action="update").exists()  # re-set


def test_the_demo_shows_red_yellow_and_green_as_of_today(demo, client):
    projects = Project.objects.filter(region__code="410171")
    gantt = selectors.portfolio_gantt(projects, as_of=ON)
    counts = gantt["counts"]
    assert counts["red"] >= 5 and counts["yellow"] >= 3 and counts["green"] >= 5 and counts["done"] >= 3
    warnings = selectors.zone_warnings(projects, as_of=ON)
    assert warnings["errors"] == []
    assert warnings["red"] >= 20 and warnings["yellow"] >= 10
    red = [i for i in warnings["items"] if i["level"] == "red"]
    assert all(0 < i["days_late"] < 400 for i in red)  # late by weeks or months, not by years
    assert {i["responsible_unit"] for i in red} - {None}  # grouped by real units

    client.force_login(User.objects.get(username="admin"))
    board = client.get(reverse("schedule:warnings"), {"on": ON.isoformat()})
    assert board.status_code == 200
    assert f'id="board-red">{warnings["red"]}<' in board.content.decode()
    worst = Project.objects.get(name=red[0]["project"], region__code="410171")
    page = client.get(reverse("schedule:project", args=[worst.pk]), {"on": ON.isoformat()}).content.decode()
    assert 'data-feasible="0"' in page and "2026年初排定" in page
    assert client.get(reverse("schedule:portfolio"), {"on": ON.isoformat()}).status_code == 200


def test_the_stories_are_deterministic(db):
    """The same projects give the same schedule story, node by node, run after run."""
    rows = [
        {
            "id": i,
            "code": f"410171-{i:05d}",
            "signed_on": datetime.date(2021, 1, 10) + datetime.timedelta(days=37 * i),
            "started_on": datetime.date(2021, 9, 1) if i % 3 == 0 else None,
            "production_on": datetime.date(2022, 8, 1) if i % 6 == 0 else None,
            "effective_on": None,
            "planned_production_on": None,
        }
        for i in range(1, 16)
    ]
    first, second = build_stories(rows), build_stories(rows)
    assert first == second
    assert {s.template for s in first} == {"标准工业项目", "拿地即开工"}
    for story in first:
        assert story.targets[BASELINE_2026][1] >= datetime.date(2026, 3, 31)
        for n in story.nodes.values():
            assert n.start is None or n.start <= PROGRESS_DAY
            assert n.finish is None or n.start <= n.finish <= PROGRESS_DAY
    assert demo_projects() == []  # no demo loaded: nothing to schedule
