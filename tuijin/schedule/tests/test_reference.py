"""The office's template and calendar pages: what the office can do, every bad input refused with the nodes or
days named and nothing written, and only the project office writing."""

import datetime

import pytest
from django.urls import reverse

from tuijin.core.models import ChangeRecord
from tuijin.schedule.calendar import load_calendar
from tuijin.schedule.forms import format_predecessors, parse_predecessors
from tuijin.schedule.models import CalendarDay, CalendarYear, NodeTemplate, TemplateDependency, TemplateNode

D = datetime.date


@pytest.fixture
def short(db):
    return NodeTemplate.objects.get(name="拿地即开工")


def state():
    """Everything the pages may write, to compare before and after a refused request."""
    return (
        ChangeRecord.objects.count(),
        list(NodeTemplate.objects.order_by("pk").values_list("pk", "name", "description", "is_default")),
        list(
            TemplateNode.objects.order_by("pk").values_list("pk", "template", "name", "order", "duration", "calendar")
        ),
        list(TemplateDependency.objects.order_by("pk").values_list("predecessor", "successor", "type", "lag")),
        list(CalendarDay.objects.order_by("date").values_list("date", "is_workday", "name")),
        list(CalendarYear.objects.order_by("year").values_list("year", "source", "provisional")),
    )


def edit_data(template: NodeTemplate, change=None, extra_rows=()) -> dict:
    """The edit form as the page would post it, with `change(rows)` applied to the rows first."""
    rows = []
    for n in template.nodes.order_by("order", "id"):
        links = [
            (link.predecessor.name, link.type, link.lag)
            for link in n.predecessor_links.select_related("predecessor").order_by("predecessor__order")
        ]
        rows.append(
            {
                "id": str(n.pk),
                "name": n.name,
                "duration": str(n.duration),
                "calendar": n.calendar,
                "department": n.department,
                "milestone": n.milestone,
                "predecessors": format_predecessors(links),
            }
        )
    if change:
        change(rows)
    rows += list(extra_rows)
    data = {
        "name": template.name,
        "description": template.description,
        "nodes-TOTAL_FORMS": str(len(rows)),
        "nodes-INITIAL_FORMS": str(template.nodes.count()),
        "nodes-MIN_NUM_FORMS": "0",
        "nodes-MAX_NUM_FORMS": "1000",
    }
    if template.is_default:
        data["is_default"] = "on"
    for i, row in enumerate(rows):
        for k, v in row.items():
            if v is not None and v is not False:
                data[f"nodes-{i}-{k}"] = "on" if v is True else v
    return data


def by_name(rows, name):
    return next(r for r in rows if r["name"] == name)


def test_predecessors_are_typed_like_ms_project():
    assert parse_predecessors("立项备案, 土地出让(摘牌) SS+5；施工图预审 fs+2、四证联办") == [
        ("立项备案", "FS", 0),
        ("土地出让(摘牌)", "SS", 5),
        ("施工图预审", "FS", 2),
        ("四证联办", "FS", 0),
    ]
    assert format_predecessors([("A", "FS", 0), ("B", "SS", 5), ("C", "FS", 2)]) == "A, B SS+5, C FS+2"


def test_everyone_signed_in_sees_the_templates_only_the_office_edits(zone, short, login):
    html = login(zone["users"]["viewer"]).get(reverse("schedule:template_detail", args=[short.pk])).content.decode()
    assert "四证联办" in html and "土地出让(摘牌) SS+5" in html
    assert reverse("schedule:template_edit", args=[short.pk]) not in html
    office = login(zone["users"]["admin"]).get(reverse("schedule:template_list")).content.decode()
    assert reverse("schedule:template_edit", args=[short.pk]) in office and "标准工业项目" in office


def test_office_copies_a_template_and_edits_its_nodes(zone, short, login):
    client = login(zone["users"]["admin"])
    response = client.post(reverse("schedule:template_add"), {"name": "拿地即开工（园区版）", "copy_from": short.pk})
    copy = NodeTemplate.objects.get(name="拿地即开工（园区版）")
    assert response.status_code == 302 and response["Location"] == reverse("schedule:template_edit", args=[copy.pk])
    assert list(copy.nodes.values_list("name", flat=True)) == list(short.nodes.values_list("name", flat=True))
    assert TemplateDependency.objects.filter(successor__template=copy).count() == 12
    assert ChangeRecord.objects.filter(content_type__model="templatenode", action="create").count() == 12

    def change(rows):
        by_name(rows, "施工图预审")["duration"] = "10"
        by_name(rows, "四证联办")["name"] = "四证联办（含不动产登记）"
        by_name(rows, "开工")["predecessors"] = "四证联办（含不动产登记）, 临时用电 SS"
        by_name(rows, "达效")["DELETE"] = True
        by_name(rows, "主体封顶")["calendar"] = "calendar"

    extra = [
        {
            "name": "临时用电",
            "duration": "7",
            "calendar": "work",
            "department": "供电公司",
            "predecessors": "立项备案 FS+3",
        }
    ]
    response = client.post(reverse("schedule:template_edit", args=[copy.pk]), edit_data(copy, change, extra))
    assert response.status_code == 302
    names = list(copy.nodes.order_by("order").values_list("name", flat=True))
    assert "达效" not in names and names[-1] == "临时用电" and "四证联办（含不动产登记）" in names
    assert copy.nodes.get(name="施工图预审").duration == 10
    preds = {
        (p, t, lag)
        for p, t, lag in TemplateDependency.objects.filter(
            successor__template=copy, successor__name="开工"
        ).values_list("predecessor__name", "type", "lag")
    }
    assert preds == {("四证联办（含不动产登记）", "FS", 0), ("临时用电", "SS", 0)}
    link = TemplateDependency.objects.get(successor__template=copy, successor__name="临时用电")
    assert (link.predecessor.name, link.type, link.lag) == ("立项备案", "FS", 3)
    rename = ChangeRecord.objects.filter(
        content_type__model="templatenode", action="update", after__name="四证联办（含不动产登记）"
    )
    assert rename.get().before["name"] == "四证联办"  # the change log shows the real old name
    # the original is untouched, and a checklist made from the copy has the new nodes
    assert short.nodes.filter(name="四证联办").exists() and short.nodes.count() == 12


def test_two_nodes_may_swap_names(zone, short, login):
    def swap(rows):  # the 150-day node becomes 设备安装调试 (after 主体封顶), the 90-day one 主体封顶 (after 开工)
        a, b = by_name(rows, "主体封顶"), by_name(rows, "设备安装调试")
        a["name"], a["predecessors"] = "设备安装调试", "主体封顶"
        b["name"], b["predecessors"] = "主体封顶", "开工"

    response = login(zone["users"]["admin"]).post(
        reverse("schedule:template_edit", args=[short.pk]), edit_data(short, swap)
    )
    assert response.status_code == 302
    assert short.nodes.get(name="设备安装调试").duration == 150
    assert short.nodes.get(name="主体封顶").duration == 90
    link = TemplateDependency.objects.get(successor__template=short, successor__name="设备安装调试")
    assert link.predecessor.name == "主体封顶"


def _cycle(rows):
    by_name(rows, "签约")["predecessors"] = "投产"


def _unknown(rows):
    by_name(rows, "四证联办")["predecessors"] = "土地出让(摘牌), 规划许可证"


def _self(rows):
    by_name(rows, "开工")["predecessors"] = "开工"


def _twice(rows):
    by_name(rows, "开工")["name"] = "四证联办"


def _no_duration(rows):
    by_name(rows, "竣工验收")["duration"] = ""


def _two_milestones(rows):
    by_name(rows, "达效")["milestone"] = "production_on"


def _blank_name(rows):
    by_name(rows, "竣工验收")["name"] = ""


def _negative(rows):
    by_name(rows, "竣工验收")["duration"] = "-3"


BAD_EDITS = [
    (_cycle, ["签约", "投产", "→"]),
    (_unknown, ["规划许可证", "四证联办"]),
    (_self, ["开工"]),
    (_twice, ["四证联办"]),
    (_no_duration, ["竣工验收"]),
    (_two_milestones, ["投产", "达效"]),
    (_blank_name, []),
    (_negative, []),
]


@pytest.mark.parametrize(("change", "named"), BAD_EDITS, ids=[c.__name__.strip("_") for c, _n in BAD_EDITS])
def test_bad_template_edits_name_the_nodes_and_write_nothing(zone, short, login, change, named):
    client = login(zone["users"]["admin"])
    data = edit_data(short, change)
    before = state()
    response = client.post(reverse("schedule:template_edit", args=[short.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="template-errors"' in html
    errors = html.split('id="template-errors"')[1].split("</div>")[0] + "".join(
        html.split("invalid-feedback d-block")[1:2]
    )
    for name in named:
        assert name in errors
    assert state() == before


def test_the_last_default_template_stays_default(zone, login):
    standard = NodeTemplate.objects.get(is_default=True)
    data = edit_data(standard)
    data.pop("is_default")
    before = state()
    response = login(zone["users"]["admin"]).post(reverse("schedule:template_edit", args=[standard.pk]), data)
    assert response.status_code == 400 and state() == before


def test_making_another_template_the_default(zone, short, login):
    data = edit_data(short)
    data["is_default"] = "on"
    assert (
        login(zone["users"]["admin"]).post(reverse("schedule:template_edit", args=[short.pk]), data).status_code == 302
    )
    assert list(NodeTemplate.objects.filter(is_default=True).values_list("name", flat=True)) == ["拿地即开工"]


def test_a_template_name_already_taken_is_refused(zone, short, login):
    before = state()
    response = login(zone["users"]["admin"]).post(reverse("schedule:template_add"), {"name": "拿地即开工"})
    assert response.status_code == 400 and state() == before
    data = edit_data(short)
    data["name"] = "标准工业项目"
    response = login(zone["users"]["admin"]).post(reverse("schedule:template_edit", args=[short.pk]), data)
    assert response.status_code == 400 and state() == before


@pytest.mark.parametrize("role", ["leader", "department", "enterprise", "viewer"])
def test_only_the_office_writes_templates(zone, short, login, role):
    client = login(zone["users"][role])
    before = state()
    assert client.post(reverse("schedule:template_add"), {"name": "新模板"}).status_code == 403
    assert client.post(reverse("schedule:template_edit", args=[short.pk]), edit_data(short)).status_code == 403
    assert state() == before


# --- the calendar -------------------------------------------------------------------------------------------


def test_the_calendar_marks_2027_as_provisional(zone, login):
    client = login(zone["users"]["viewer"])
    html = client.get(reverse("schedule:calendar")).content.decode()
    assert 'id="calendar-provisional"' in html and "2027" in html.split('id="calendar-provisional"')[1][:200]
    assert html.count('data-provisional="1"') == 1
    year = client.get(reverse("schedule:calendar_year", args=[2027])).content.decode()
    assert 'id="year-provisional"' in year and 'id="day-form"' not in year  # the viewer cannot edit
    assert 'id="year-provisional"' not in client.get(reverse("schedule:calendar_year", args=[2026])).content.decode()
    assert client.get(reverse("schedule:calendar_year", args=[1999])).status_code == 404


def test_office_lists_and_removes_days_and_the_schedules_follow(zone, login):
    client = login(zone["users"]["admin"])
    monday = D(2028, 1, 3)
    assert load_calendar().is_work(monday.toordinal())
    response = client.post(
        reverse("schedule:calendar_day_add", args=[2028]), {"date": "2028-01-03", "is_workday": "0", "name": "元旦"}
    )
    assert response.status_code == 302
    assert not load_calendar().is_work(monday.toordinal())
    assert CalendarYear.objects.filter(year=2028, provisional=False).exists()
    response = client.post(
        reverse("schedule:calendar_day_add", args=[2028]), {"date": "2028-01-08", "is_workday": "1", "name": "调休"}
    )
    assert response.status_code == 302 and load_calendar().is_work(D(2028, 1, 8).toordinal())
    day = CalendarDay.objects.get(date=monday)
    assert client.post(reverse("schedule:calendar_day_remove", args=[day.pk])).status_code == 302
    assert load_calendar().is_work(monday.toordinal())
    assert ChangeRecord.objects.filter(content_type__model="calendarday", action="delete", object_id=day.pk).exists()
    # the 2027 notice is out: the office says so
    response = client.post(
        reverse("schedule:calendar_year_edit", args=[2027]), {"source": "国办发明电〔2026〕5号", "provisional": ""}
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).provisional is False
    assert 'id="calendar-provisional"' not in client.get(reverse("schedule:calendar")).content.decode()


BAD_DAYS = [
    ({"date": "2028-01-01", "is_workday": "0", "name": "元旦"}, "2028-01-01"),  # a Saturday: off already
    ({"date": "2028-01-04", "is_workday": "1", "name": "调休"}, "2028-01-04"),  # a Tuesday: worked already
    ({"date": "2027-01-01", "is_workday": "0", "name": "元旦"}, "2027-01-01"),  # listed already (and not 2028)
    ({"date": "2028-02-30", "is_workday": "0", "name": ""}, ""),
    ({"date": "", "is_workday": "0", "name": ""}, ""),
    ({"date": "2028-01-05", "is_workday": "x", "name": ""}, ""),
]


@pytest.mark.parametrize(("data", "named"), BAD_DAYS)
def test_bad_days_are_refused_and_nothing_is_written(zone, login, data, named):
    before = state()
    response = login(zone["users"]["admin"]).post(reverse("schedule:calendar_day_add", args=[2028]), data)
    assert response.status_code == 400
    assert named in response.content.decode()
    assert state() == before


def test_a_day_already_listed_is_refused_in_its_own_year(zone, login):
    before = state()
    response = login(zone["users"]["admin"]).post(
        reverse("schedule:calendar_day_add", args=[2027]), {"date": "2027-01-01", "is_workday": "0"}
    )
    assert response.status_code == 400 and "2027-01-01" in response.content.decode() and state() == before


@pytest.mark.parametrize("role", ["leader", "department", "enterprise", "viewer"])
def test_only_the_office_writes_the_calendar(zone, login, role):
    client = login(zone["users"][role])
    day = CalendarDay.objects.filter(date__year=2026).first()
    before = state()
    assert (
        client.post(
            reverse("schedule:calendar_day_add", args=[2028]), {"date": "2028-01-03", "is_workday": "0"}
        ).status_code
        == 403
    )
    assert client.post(reverse("schedule:calendar_day_remove", args=[day.pk])).status_code == 403
    assert client.post(reverse("schedule:calendar_year_edit", args=[2027]), {"source": "x"}).status_code == 403
    assert state() == before


def test_a_schedule_running_into_a_provisional_year_says_so(zone, login):
    from django.utils import timezone

    from tuijin.schedule import services

    today = timezone.localdate()
    nxt = today.year + 1
    CalendarYear.objects.update_or_create(year=nxt, defaults={"provisional": True})
    project = zone["projects"]["a"]
    services.checklist_create(project=project)
    services.target_set(project=project, node="投产", date=datetime.date(nxt, 12, 31))
    html = login(zone["users"]["viewer"]).get(reverse("schedule:project", args=[project.pk])).content.decode()
    note = html.split('id="calendar-note"')[1].split("</div>")[0]
    assert str(nxt) in note and reverse("schedule:calendar") in note
