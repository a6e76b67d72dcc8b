"""The warning board at zone scale: the overview shows each group's worst rows and links to the rest, a group's
own page is paged, the groups themselves are paged, and the filters stay in every link."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tuijin.core.models import ChangeRecord
from tuijin.core.testing import project as make_project
from tuijin.projects.models import Project
from tuijin.schedule import selectors, services
from tuijin.schedule.views import zone as zone_views

TODAY = timezone.localdate()
URL = "/schedule/warnings/"


@pytest.fixture
def late(zone):
    """Six projects of 郑州经开区 signed 40 days ago, each with the standard checklist and 投产 due in 200 days:
    too soon for 180 + 90 days of building, so each has a red chain."""
    made = []
    for k in range(6):
        p = make_project(
            f"储能电池{k}号项目",
            zone["regions"]["jingkai"],
            zone["enterprises"]["a" if k % 2 else "b"],
            "20000",
            leader=zone["leader"],
            signed_on=TODAY - datetime.timedelta(days=40),
        )
        services.checklist_create(project=p)
        services.target_set(project=p, node="投产", date=TODAY + datetime.timedelta(days=200))
        made.append(p)
    return made


def _rows(html: str) -> int:
    return len(re.findall(r'<tr class="tj-level-(?:red|yellow)"', html))


def _groups(html: str) -> list[str]:
    return re.findall(r'data-group="([^"]*)"', html)


def test_reverse_url_is_the_board():
    assert reverse("schedule:warnings") == URL


def test_overview_shows_each_groups_worst_rows_and_links_to_the_rest(zone, late, login, monkeypatch):
    monkeypatch.setattr(zone_views, "GROUP_PREVIEW_ROWS", 3)
    payload = selectors.zone_warnings(Project.objects.all(), as_of=TODAY)
    board = selectors.warning_board(payload)
    html = login(zone["users"]["admin"]).get(URL, {"on": TODAY.isoformat()}).content.decode()
    assert f'id="board-red">{payload["red"]}<' in html  # the counts are the whole zone's
    groups = _groups(html)
    assert groups == [g["name"] for g in board["by_unit"]]
    assert _rows(html) == sum(min(len(g["items"]), 3) for g in board["by_unit"]) < len(payload["items"])
    # a group with more rows links to its own page, keeping the day and the grouping
    big = next(g for g in board["by_unit"] if len(g["items"]) > 3)
    links = re.findall(r'class="tj-board-more" href="([^"]+)"', html)
    assert len(links) == sum(1 for g in board["by_unit"] if len(g["items"]) > 3)
    link = next(u for u in links if "group=" in u and f"on={TODAY.isoformat()}" in u)
    assert link.startswith("?")
    assert str(len(big["items"]) - 3) in html


def test_a_groups_page_is_paged_and_keeps_the_filters(zone, late, login, monkeypatch):
    monkeypatch.setattr(zone_views, "ROWS_PER_PAGE", 5)
    board = selectors.warning_board(selectors.zone_warnings(Project.objects.all(), as_of=TODAY))
    group = max(board["by_leader"], key=lambda g: len(g["items"]))
    assert group["name"] == "王明" and len(group["items"]) > 10
    client = login(zone["users"]["admin"])
    seen = 0
    pages = -(-len(group["items"]) // 5)
    for page in range(1, pages + 1):
        html = client.get(URL, {"by": "leader", "group": "王明", "page": page, "q": "储能"}).content.decode()
        assert _groups(html) == ["王明"]
        seen += _rows(html)
        if page < pages:
            assert _rows(html) == 5 and 'id="board-pages"' in html
            nxt = re.search(r'href="(\?[^"]*page=' + str(page + 1) + r'[^"]*)"', html).group(1)
            assert "q=" in nxt and "group=" in nxt and "by=leader" in nxt
    assert seen == len(group["items"])
    # the way back to every group keeps the filter and drops the group
    html = client.get(URL, {"by": "leader", "group": "王明", "q": "储能"}).content.decode()
    back = re.search(r'href="([^"]*)">‹ ', html).group(1)
    assert "group=" not in back and "q=" in back


def test_groups_themselves_are_paged(zone, late, login, monkeypatch):
    monkeypatch.setattr(zone_views, "GROUPS_PER_PAGE", 1)
    board = selectors.warning_board(selectors.zone_warnings(Project.objects.all(), as_of=TODAY))
    names = [g["name"] for g in board["by_unit"]]
    assert len(names) >= 2
    client = login(zone["users"]["admin"])
    shown = [_groups(client.get(URL, {"page": n}).content.decode()) for n in range(1, len(names) + 1)]
    assert shown == [[name] for name in names]


def test_unknown_group_is_404_and_looking_writes_nothing(zone, late, login):
    client = login(zone["users"]["admin"])
    before = ChangeRecord.objects.count()
    assert client.get(URL, {"group": "没有这个单位"}).status_code == 404
    assert client.get(URL, {"group": "王明", "by": "leader", "page": "x"}).status_code == 200  # a bad page: the first
    assert ChangeRecord.objects.count() == before


def test_out_of_scope_groups_are_not_reachable(zone, late, login):
    """A group name of another zone's projects is simply not there for an office out of scope."""
    assert login(zone["users"]["admin_out"]).get(URL, {"by": "leader", "group": "王明"}).status_code == 404
