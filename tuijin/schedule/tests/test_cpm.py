"""The engine against hand-computed schedules, and properties on random networks (no database)."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuijin.schedule import cpm
from tuijin.schedule.calendar import WorkCalendar, fixture_days
from tuijin.schedule.cpm import FS, SS, Link, Node, ScheduleError, Target

CAL = WorkCalendar({d: w for d, w, _name in fixture_days()})
D = datetime.date
DAY1 = D(2024, 3, 4)  # a Monday: day 1 of the textbook network and its as-of day


def day(n: int, first=DAY1) -> D:
    """Day n of the textbook network (day 1 = Monday 4 March 2024, the as-of day)."""
    return first + datetime.timedelta(days=n - 1)


def run(nodes, links, targets=(), as_of=DAY1, **kw):
    return cpm.schedule(nodes, links, targets, as_of=as_of, calendar=CAL, **kw)


def table(result, first=DAY1):
    """{name: (ES, EF, LS, LF, float)} in day numbers."""

    def n(d):
        return None if d is None else (d - first).days + 1

    return {
        x.name: (n(x.earliest_start), n(x.earliest_finish), n(x.latest_start), n(x.latest_finish), x.total_float)
        for x in result.nodes
    }


# A textbook activity-on-node network (calendar days):
#   A(3) → C(2), A → D(5); B(4) → E(1); C → E; D → F(2); E → F
TEXTBOOK_NODES = [Node("A", 3), Node("B", 4), Node("C", 2), Node("D", 5), Node("E", 1), Node("F", 2)]
TEXTBOOK_LINKS = [Link("A", "C"), Link("A", "D"), Link("B", "E"), Link("C", "E"), Link("D", "F"), Link("E", "F")]


def test_textbook_network_early_late_dates_and_floats():
    result = run(TEXTBOOK_NODES, TEXTBOOK_LINKS, [Target("F", day(10))])
    assert table(result) == {
        #     ES EF LS LF float
        "A": (1, 3, 1, 3, 0),
        "B": (1, 4, 4, 7, 3),
        "C": (4, 5, 6, 7, 2),
        "D": (4, 8, 4, 8, 0),
        "E": (6, 6, 8, 8, 2),
        "F": (9, 10, 9, 10, 0),
    }
    assert result.critical_path == ["A", "D", "F"]
    assert result.feasible and result.days_short == 0
    assert [n.predecessors for n in result.nodes][5] == ["D", "E"]


def test_target_with_room_to_spare_shifts_latest_dates_and_keeps_the_critical_path():
    result = run(TEXTBOOK_NODES, TEXTBOOK_LINKS, [Target("F", day(14))])
    t = table(result)
    assert t["A"] == (1, 3, 5, 7, 4)
    assert t["B"] == (1, 4, 8, 11, 7)
    assert t["F"] == (9, 10, 13, 14, 4)
    assert result.critical_path == ["A", "D", "F"]  # the longest path, whatever the slack
    assert result.feasible


def test_infeasible_target_gives_days_short_and_the_chain():
    result = run(TEXTBOOK_NODES, TEXTBOOK_LINKS, [Target("F", day(8))])
    assert not result.feasible
    assert result.days_short == 2
    assert result.chain == ["A", "D", "F"]
    t = table(result)
    assert t["A"][4] == t["D"][4] == t["F"][4] == -2
    assert t["B"][4] == 1 and t["C"][4] == 0
    status = {n.name: (n.status, n.days_late) for n in result.nodes}
    assert status["F"] == ("red", 2) and status["A"] == ("red", 2)
    assert status["B"] == ("yellow", 0)


def test_must_finish_on_holds_the_node_to_its_date():
    result = run(TEXTBOOK_NODES, TEXTBOOK_LINKS, [Target("F", day(12), cpm.MUST_FINISH_ON)])
    t = table(result)
    assert t["F"] == (11, 12, 11, 12, 0)  # not before the date, even though it could finish on day 10
    assert t["D"] == (4, 8, 6, 10, 2)
    assert result.critical_path == ["F"]
    assert result.feasible


def test_nodes_not_leading_to_the_target_have_no_latest_dates():
    result = run(TEXTBOOK_NODES, TEXTBOOK_LINKS, [Target("E", day(10))])
    t = table(result)
    assert t["D"][2:] == (None, None, None) and t["F"][2:] == (None, None, None)
    assert t["E"] == (6, 6, 10, 10, 4)
    assert result.critical_path == ["A", "C", "E"]


def test_progress_fixes_done_nodes_and_pushes_in_progress_ones_to_today():
    nodes = [
        Node("A", 3, actual_start=day(1), actual_finish=day(3)),
        Node("B", 4),
        Node("C", 2, actual_start=day(4), actual_finish=day(5)),
        Node("D", 2, actual_start=day(4)),  # should have finished on day 5: not before today (day 8) now
        Node("E", 1),
        Node("F", 2),
    ]
    result = run(nodes, TEXTBOOK_LINKS, [Target("F", day(14))], as_of=day(8))
    t = table(result)
    assert t["A"] == (1, 3, None, None, None)
    assert t["D"][:2] == (4, 8)
    assert t["B"][:2] == (8, 11)  # not started: not before today
    assert t["E"][:2] == (12, 12)
    assert t["F"] == (13, 14, 13, 14, 0)
    assert result.critical_path == ["B", "E", "F"]
    assert {n.name: n.status for n in result.nodes}["A"] == "done"


def test_spring_festival_2023_on_the_working_day_calendar():
    """2023 春节: 21–27 January off, Saturday 28 and Sunday 29 January worked (调休)."""
    nodes = [Node("X", 5, cpm.WORK), Node("Y", 3, cpm.WORK), Node("Z", 2, cpm.WORK), Node("Build", 10)]
    links = [Link("X", "Y"), Link("Y", "Z"), Link("X", "Build")]
    result = run(nodes, links, [Target("Z", D(2023, 2, 3))], as_of=D(2023, 1, 16))
    n = {x.name: x for x in result.nodes}
    assert (n["X"].earliest_start, n["X"].earliest_finish) == (D(2023, 1, 16), D(2023, 1, 20))
    assert (n["Y"].earliest_start, n["Y"].earliest_finish) == (D(2023, 1, 28), D(2023, 1, 30))
    assert (n["Z"].earliest_start, n["Z"].earliest_finish) == (D(2023, 1, 31), D(2023, 2, 1))
    # Calendar days run straight through the holiday.
    assert (n["Build"].earliest_start, n["Build"].earliest_finish) == (D(2023, 1, 21), D(2023, 1, 30))
    # Float in working days: Thursday 2 and Friday 3 February.
    assert n["Z"].total_float == 2 and n["Y"].total_float == 2 and n["X"].total_float == 2
    assert n["Y"].latest_finish == D(2023, 2, 1)
    assert n["X"].latest_finish == D(2023, 1, 29)  # a Sunday, but a working one
    assert n["Build"].latest_finish is None


def test_spring_festival_backward_pass_across_the_holiday():
    nodes = [Node("报批", 10, cpm.WORK), Node("开工", 0)]
    result = run(nodes, [Link("报批", "开工")], [Target("开工", D(2023, 2, 1))], as_of=D(2023, 1, 3))
    n = {x.name: x for x in result.nodes}
    # 10 working days ending Tuesday 31 January: 31, 30, 29, 28 Jan, then 20, 19, 18, 17, 16, 13 Jan.
    assert n["报批"].latest_finish == D(2023, 1, 31)
    assert n["报批"].latest_start == D(2023, 1, 13)
    assert n["报批"].earliest_start == D(2023, 1, 3) and n["报批"].earliest_finish == D(2023, 1, 16)
    assert n["报批"].total_float == 8  # 17–20 Jan and 28–31 Jan


def test_finish_to_start_lag_and_start_to_start():
    nodes = [Node("P", 5), Node("Q", 2), Node("W", 1, cpm.WORK), Node("S", 3), Node("End", 0)]
    links = [
        Link("P", "Q", FS, 3),  # three calendar days between P's finish and Q's start
        Link("P", "W", FS, 2),  # two working days between (the weekend does not count)
        Link("P", "S", SS, 2),  # S starts two days after P starts
        Link("Q", "End"),
        Link("W", "End"),
        Link("S", "End"),
    ]
    result = run(nodes, links, [Target("End", D(2024, 3, 14))], as_of=D(2024, 3, 4))
    n = {x.name: x for x in result.nodes}
    assert (n["P"].earliest_start, n["P"].earliest_finish) == (D(2024, 3, 4), D(2024, 3, 8))
    assert (n["Q"].earliest_start, n["Q"].earliest_finish) == (D(2024, 3, 12), D(2024, 3, 13))
    assert n["W"].earliest_start == D(2024, 3, 13)  # Mon 11 and Tue 12 are the lag
    assert (n["S"].earliest_start, n["S"].earliest_finish) == (D(2024, 3, 6), D(2024, 3, 8))
    assert n["End"].earliest_start == n["End"].earliest_finish == D(2024, 3, 14)
    assert n["S"].total_float == 5 and n["S"].latest_start == D(2024, 3, 11)
    assert result.critical_path == ["P", "Q", "W", "End"]


def test_a_zero_day_milestone_lets_its_successor_start_the_same_day():
    result = run([Node("签约", 0), Node("公司注册", 1, cpm.WORK)], [Link("签约", "公司注册")], as_of=D(2024, 3, 4))
    n = {x.name: x for x in result.nodes}
    assert n["签约"].earliest_finish == n["公司注册"].earliest_start == n["公司注册"].earliest_finish == D(2024, 3, 4)


def test_warning_levels_at_a_fixed_day():
    nodes = [
        Node("late", 5),
        Node("tight", 5),
        Node("soon", 2),
        Node("easy", 2),
        Node("done", 1, actual_start=D(2024, 3, 1), actual_finish=D(2024, 3, 1)),
        Node("end", 0),
    ]
    links = [Link("late", "end"), Link("tight", "end"), Link("soon", "end"), Link("easy", "end")]
    as_of = D(2024, 3, 4)
    result = run(nodes, links, [Target("end", D(2024, 3, 7))], as_of=as_of)
    levels = {x.name: (x.status, x.days_late) for x in result.nodes}
    assert levels["late"] == ("red", 2)  # needs to 8 March, must be done by 6 March
    assert levels["tight"] == ("red", 2)
    assert levels["soon"][0] == "yellow"  # due 6 March, within 7 days
    assert levels["done"] == ("done", 0)
    assert result.status == "red"
    result = run(nodes[3:], [Link("easy", "end")], [Target("end", D(2024, 4, 30))], as_of=as_of)
    assert {x.name: x.status for x in result.nodes}["easy"] == "green"  # 56 days of float
    result = run(
        nodes[3:], [Link("easy", "end")], [Target("end", D(2024, 4, 30))], as_of=as_of, rules=cpm.Rules(yellow_float=60)
    )
    assert {x.name: x.status for x in result.nodes}["easy"] == "yellow"


def test_planned_finish_is_the_deadline_when_no_target_reaches_a_node():
    as_of = D(2024, 3, 4)
    result = run(
        [Node("a", 5, planned_finish=D(2024, 3, 6)), Node("b", 2, planned_finish=D(2024, 6, 1))], [], as_of=as_of
    )
    assert [(x.status, x.days_late) for x in result.nodes] == [("red", 2), ("green", 0)]


def test_cycle_is_an_error_naming_its_nodes():
    nodes = [Node("开工", 0), Node("A", 1), Node("B", 1), Node("C", 1)]
    links = [Link("开工", "A"), Link("A", "B"), Link("B", "C"), Link("C", "A")]
    with pytest.raises(ScheduleError) as exc:
        run(nodes, links)
    assert exc.value.code == "cycle"
    assert sorted(exc.value.nodes) == ["A", "B", "C"]
    assert "A → B → C → A" in exc.value.message


def test_missing_duration_is_an_error_naming_the_nodes():
    nodes = [Node("A", 1), Node("环评", None), Node("水保", None), Node("done", None, actual_finish=D(2024, 3, 1))]
    with pytest.raises(ScheduleError) as exc:
        run(nodes, [])
    assert exc.value.code == "missing_duration"
    assert exc.value.nodes == ["环评", "水保"]  # a finished node needs none
    assert "环评" in exc.value.message and "水保" in exc.value.message


def test_target_before_today_is_an_error_naming_the_node():
    with pytest.raises(ScheduleError) as exc:
        cpm.check_targets(TEXTBOOK_NODES, [Target("F", D(2024, 3, 1))], D(2024, 3, 4))
    assert exc.value.code == "target_in_past" and exc.value.nodes == ["F"]
    assert "F" in exc.value.message and "2024-03-01" in exc.value.message
    with pytest.raises(ScheduleError) as exc:
        cpm.check_targets(TEXTBOOK_NODES, [Target("投产", D(2024, 5, 1))], D(2024, 3, 4))
    assert exc.value.code == "unknown_node" and exc.value.nodes == ["投产"]


def test_unknown_link_end_and_duplicate_names_are_errors():
    with pytest.raises(ScheduleError) as exc:
        run([Node("A", 1)], [Link("A", "B")])
    assert exc.value.nodes == ["B"]
    with pytest.raises(ScheduleError) as exc:
        run([Node("A", 1), Node("A", 2)], [])
    assert exc.value.code == "duplicate"


# --- Properties on random networks -------------------------------------------------------------------


@st.composite
def networks(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    calendars = draw(st.sampled_from([[cpm.WORK], [cpm.CALENDAR], [cpm.WORK, cpm.CALENDAR]]))
    nodes = [
        Node(f"n{i}", draw(st.integers(min_value=0, max_value=15)), draw(st.sampled_from(calendars))) for i in range(n)
    ]
    links = []
    for j in range(n):
        for i in range(j):
            if draw(st.integers(min_value=0, max_value=3)) == 0:
                links.append(
                    Link(
                        f"n{i}",
                        f"n{j}",
                        draw(st.sampled_from([FS, FS, SS])),
                        draw(st.integers(min_value=0, max_value=4)),
                    )
                )
    target = draw(st.integers(min_value=0, max_value=n - 1))
    as_of = draw(st.dates(min_value=D(2021, 1, 1), max_value=D(2027, 6, 30)))
    return nodes, links, f"n{target}", as_of


def _release(node, cal_node):
    return node.earliest_finish + datetime.timedelta(days=1 if cal_node.duration else 0)


def _check_precedence(result, nodes, links, early: bool):
    by = {x.name: x for x in result.nodes}
    spec = {x.name: x for x in nodes}
    for link in links:
        p, s = by[link.predecessor], by[link.successor]
        if early:
            p_start, p_finish, s_start = p.earliest_start, p.earliest_finish, s.earliest_start
        else:
            if s.latest_start is None or p.latest_start is None:
                continue
            p_start, p_finish, s_start = p.latest_start, p.latest_finish, s.latest_start
        x = p_start if link.type == SS else p_finish + datetime.timedelta(days=1 if spec[p.name].duration else 0)
        if spec[s.name].calendar == cpm.WORK:
            x = D.fromordinal(CAL.add(CAL.next_work(x.toordinal()), link.lag))
        else:
            x = x + datetime.timedelta(days=link.lag)
        assert s_start >= x, (link, p, s)


def _check_durations(result, nodes):
    for x, spec in zip(result.nodes, nodes, strict=True):
        for start, finish in ((x.earliest_start, x.earliest_finish), (x.latest_start, x.latest_finish)):
            if start is None:
                continue
            if spec.calendar == cpm.WORK:
                assert CAL.is_work(start.toordinal()) and CAL.is_work(finish.toordinal())
                assert CAL.count(start, finish) == max(spec.duration, 1)
            else:
                assert (finish - start).days + 1 == max(spec.duration, 1)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.integers(min_value=0, max_value=40))
def test_random_networks_feasible_targets(network, slack):
    nodes, links, target_node, as_of = network
    first = run(nodes, links, as_of=as_of)
    ef = {x.name: x.earliest_finish for x in first.nodes}[target_node]
    result = run(nodes, links, [Target(target_node, ef + datetime.timedelta(days=slack))], as_of=as_of)
    assert result.feasible and result.days_short == 0
    for x in result.nodes:
        assert x.earliest_start >= as_of
        if x.latest_finish is not None:
            assert x.latest_finish >= x.earliest_finish
            assert x.total_float >= 0
    _check_precedence(result, nodes, links, early=True)
    _check_precedence(result, nodes, links, early=False)
    _check_durations(result, nodes)
    assert target_node in result.critical_path


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_random_networks_zero_float_exactly_on_the_critical_path(network):
    nodes, links, target_node, as_of = network
    first = run(nodes, links, as_of=as_of)
    ef = {x.name: x.earliest_finish for x in first.nodes}[target_node]
    result = run(nodes, links, [Target(target_node, ef)], as_of=as_of)
    critical = set(result.critical_path)
    one_calendar = len({x.calendar for x in nodes}) == 1
    for x in result.nodes:
        if x.total_float == 0:
            assert x.name in critical, x
        if x.name in critical:
            assert x.total_float is not None and x.total_float >= 0
            # Across calendars a driving node can keep a weekend of float (a calendar-day node finishing on
            # Friday before a working-day one); with one calendar, the critical path has no float at all.
            if one_calendar:
                assert x.total_float == 0, x
    # The path is connected: every critical node but the target drives a critical successor.
    by = {x.name: x for x in result.nodes}
    for name in critical - {target_node}:
        assert any(link.predecessor == name and link.successor in critical for link in links), name
    assert by[target_node].total_float == 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.integers(min_value=1, max_value=30))
def test_random_networks_short_targets(network, short):
    nodes, links, target_node, as_of = network
    first = run(nodes, links, as_of=as_of)
    ef = {x.name: x.earliest_finish for x in first.nodes}[target_node]
    result = run(nodes, links, [Target(target_node, ef - datetime.timedelta(days=short))], as_of=as_of)
    assert not result.feasible and result.days_short == short
    assert result.chain and result.chain[-1] == target_node
    assert set(result.chain) <= set(result.critical_path)
    assert {x.name: x.status for x in result.nodes}[target_node] == "red"
    _check_precedence(result, nodes, links, early=False)
