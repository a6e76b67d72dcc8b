"""Each formula over data made through the other apps' services, against hand-counted figures."""

import datetime

from tuijin.assessment.formulas import REGISTRY, Context
from tuijin.assessment.periods import parse_period
from tuijin.schedule import services as schedule

from .helpers import D, problem, report, task, unit_project

TODAY = D(2023, 6, 30)


def run(key, z, period, *, kind="units", region="jingkai", params=None, today=TODAY):
    ctx = Context(period=parse_period(period), region=z["regions"][region], subject_kind=kind, today=today)
    return REGISTRY[key].evaluate(ctx, params or {})


def figures(results, *names):
    return {
        k: tuple([str(r.value) if r.value is not None else None, *[r.numbers[n] for n in names]])
        for k, r in results.items()
    }


def test_start_rate_planned_and_batch(az):
    z = az
    dept, dept2 = z["department"], z["department2"]
    a, b = z["projects"]["a"], z["projects"]["b"]
    a.planned_started_on = D(2022, 11, 10)  # started 2022-06-01: early counts
    a.save()
    b.responsible_unit, b.planned_started_on = dept2, D(2022, 11, 20)  # started 2022-03-10
    b.save()
    e = unit_project(z, "冷链物流园", dept, planned_started_on=D(2022, 11, 15))  # not started
    unit_project(z, "数据中心", dept, planned_started_on=D(2022, 12, 1))  # planned for December: not counted
    got = run("start_rate", z, "2022-11", params={"basis": "planned"})
    assert figures(got, "numerator", "denominator", "ids", "missed") == {
        str(dept.pk): ("50.00", 1, 2, sorted([a.pk, e.pk]), [e.pk]),
        str(dept2.pk): ("100.00", 1, 1, [b.pk], []),
    }
    # batch: the start batch as of 2022-11-30 is a alone (b was removed in period 2), started by then
    assert figures(run("start_rate", z, "2022-11", params={"basis": "batch"}), "ids") == {
        str(dept.pk): ("100.00", [a.pk])
    }


def test_the_chain_of_rates_by_region_from_the_portfolio(az):
    z = az
    a, c, d = z["projects"]["a"], z["projects"]["c"], z["projects"]["d"]
    # As of 2022-12-31: 郑州 has a (start batch, started) and c (commission batch, in production, not effective);
    # 洛阳 has d (sign batch, not started).
    kw = {"kind": "regions", "region": "henan"}
    assert figures(run("start_rate", z, "2022-Q4", params={"basis": "batch"}, **kw), "ids") == {
        "410100": ("100.00", [a.pk])
    }
    assert figures(run("production_rate", z, "2022-Q4", params={"basis": "batch"}, **kw), "ids") == {
        "410100": ("100.00", [c.pk])
    }
    assert figures(run("effective_rate", z, "2022-Q4", **kw), "numerator", "denominator") == {"410100": ("0.00", 0, 1)}
    assert figures(run("signed_honoured", z, "2022-Q4", **kw), "missed") == {"410300": ("0.00", [d.pk])}
    c.effective_on = D(2022, 12, 20)
    c.save()
    assert figures(run("effective_rate", z, "2022-Q4", **kw), "ids") == {"410100": ("100.00", [c.pk])}
    # In 2022-Q1 (as of 2022-03-31, period 1): a is in the sign batch and started only in June
    assert figures(run("signed_honoured", z, "2022-Q1", **kw), "missed") == {
        "410100": ("0.00", [a.pk]),
        "410300": ("0.00", [d.pk]),
    }


def test_signed_and_reserve_investment_and_started_count(az):
    z = az
    a, d = z["projects"]["a"], z["projects"]["d"]
    from tuijin.core.testing import project

    f = project("氢能装备项目", z["regions"]["gaoxin"], z["enterprises"]["b"], "2000.40")  # not signed: reserve
    kw = {"kind": "regions", "region": "henan"}
    signed = run("signed_investment", z, "2022-Q1", **kw)
    assert figures(signed, "count", "ids", "sum") == {
        "410100": ("50000.00", 1, [a.pk], "50000.00"),
        "410300": ("30000.00", 1, [d.pk], "30000.00"),
    }
    assert figures(run("reserve_investment", z, "2022-Q1", **kw), "ids") == {"410100": ("2000.40", [f.pk])}
    # signed only in 2022-02/03: at the end of 2022-01, d and a were still reserve projects
    reserve = run("reserve_investment", z, "2022-01", **kw)
    assert {k: str(r.value) for k, r in reserve.items()} == {"410100": "52000.40", "410300": "30000.00"}
    assert figures(run("started_count", z, "2022-06"), "ids") == {str(z["department"].pk): ("1.00", [a.pk])}
    assert REGISTRY["started_count"].empty().value == 0  # a unit without starts has 0, not "no value"


def test_investment_completion_and_against_schedule(az):
    z = az
    a = z["projects"]["a"]  # plan 2022: 12000.50 (dept); c: 3000 (no unit)
    report(a, 2022, 5, "4000.25")
    report(a, 2022, 9, "2000")
    # 6000.25 ÷ 12000.50 = 50.0 %; 序时 through November 11/12 = 91.7 %; 50.0 × 12 ÷ 11 = 54.545… → 54.55
    done = run("investment_completion", z, "2022-11")[str(z["department"].pk)]
    assert (str(done.value), done.numbers["invested_to_date"], done.numbers["annual_plan"]) == (
        "50.00",
        "6000.25",
        "12000.50",
    )
    assert done.numbers["elapsed"] == "91.7" and done.numbers["gap_points"] == "-41.7" and done.numbers["ids"] == [a.pk]
    assert str(run("investment_schedule", z, "2022-11")[str(z["department"].pk)].value) == "54.55"
    # by region for the year: 郑州 plans 12000.50 + 3000 = 15000.50, invested 6000.25 → 40.0 %; 洛阳 has no plan
    year = run("investment_schedule", z, "2022", kind="regions", region="henan")
    assert {k: str(r.value) for k, r in year.items()} == {"410100": "40.00"}
    assert sorted(year["410100"].numbers["ids"]) == sorted([a.pk, z["projects"]["c"].pk])


def test_nodes_finished_on_time(az):
    z = az
    a, dept, dept2 = z["projects"]["a"], z["department"], z["department2"]

    def node(name, due, finished=None, **fields):
        n = schedule.node_add(project=a, name=name, duration=5, planned_finish=due, **fields)
        if finished:
            schedule.node_report(node=n, actual_finish=finished, as_of=TODAY)
        return n

    n1 = node("立项备案", D(2022, 11, 10), D(2022, 11, 8))
    n2 = node("用地预审", D(2022, 11, 20), D(2022, 11, 25))  # late
    n3 = node("规划许可", D(2022, 11, 30))  # not finished
    node("施工许可", D(2022, 12, 5))  # due in December
    n5 = node("土地摘牌", D(2022, 11, 12), D(2022, 11, 12), responsible_unit=dept2)  # its own unit
    n6 = node("投产", D(2022, 11, 25), milestone="production_on")  # the project's milestone: not yet
    got = run("nodes_on_time", z, "2022-11")
    assert figures(got, "numerator", "denominator", "missed") == {
        str(dept.pk): ("25.00", 1, 4, sorted([n2.pk, n3.pk, n6.pk])),
        str(dept2.pk): ("100.00", 1, 1, []),
    }
    assert sorted(got[str(dept.pk)].numbers["ids"]) == sorted([n1.pk, n2.pk, n3.pk, n6.pk])
    assert got[str(dept2.pk)].numbers["ids"] == [n5.pk]
    a.production_on = D(2022, 11, 20)  # the milestone node finishes on the project's date
    a.save()
    assert str(run("nodes_on_time", z, "2022-11")[str(dept.pk)].value) == "50.00"
    assert figures(run("nodes_on_time", z, "2022-11", kind="leaders"), "denominator") == {
        str(z["leader"].pk): ("60.00", 5)  # the leader answers for all of project a's nodes: n1, n5 and n6 met
    }


def test_tasks_closed_on_time_and_overdue(az):
    z = az
    dept, dept2 = z["department"], z["department2"]
    t1 = task(z, lead=dept, deadline=D(2022, 11, 15), done_on=D(2022, 11, 14), closed_on=D(2022, 11, 16))
    t2 = task(z, lead=dept, deadline=D(2022, 11, 20), done_on=D(2022, 11, 25), closed_on=D(2022, 11, 26))  # late
    t3 = task(z, lead=dept, deadline=D(2022, 11, 25))  # not done: overdue on 11-30
    task(z, lead=dept, deadline=D(2022, 12, 10))  # due in December
    t5 = task(z, lead=dept2, deadline=D(2022, 11, 5), done_on=D(2022, 11, 5))  # done in time, not closed yet
    got = run("tasks_on_time", z, "2022-11")
    assert figures(got, "numerator", "denominator", "missed") == {
        str(dept.pk): ("33.33", 1, 3, sorted([t2.pk, t3.pk])),
        str(dept2.pk): ("0.00", 0, 1, [t5.pk]),
    }
    assert sorted(got[str(dept.pk)].numbers["ids"]) == sorted([t1.pk, t2.pk, t3.pk])
    # overdue at the end of November: t3 only (t5 was reported done in time; t2 is closed)
    assert figures(run("tasks_overdue", z, "2022-11"), "ids") == {str(dept.pk): ("1.00", [t3.pk])}
    # …and on 2022-11-22, as far as that day goes (a period not over yet): t3 is not due yet, t2 is overdue
    early = run("tasks_overdue", z, "2022-11", today=D(2022, 11, 22))
    assert figures(early, "ids") == {str(dept.pk): ("1.00", [t2.pk])}
    assert figures(run("tasks_on_time", z, "2022-11", kind="leaders"), "denominator") == {
        str(z["leader"].pk): ("25.00", 4)
    }


def test_problems_solved_and_confirmed(az):
    z = az
    dept = z["department"]
    problem(z, unit=dept, raised_on=D(2022, 10, 1), solved_on=D(2022, 10, 15), confirmed_on=D(2022, 10, 20))  # before
    p2 = problem(z, unit=dept, raised_on=D(2022, 10, 15), solved_on=D(2022, 11, 10), confirmed_on=D(2022, 11, 12))
    p3 = problem(z, unit=dept, raised_on=D(2022, 11, 5), solved_on=D(2022, 11, 20))  # solved, not confirmed
    problem(z, unit=dept, raised_on=D(2022, 12, 2))  # raised after the period
    got = run("problems_solved", z, "2022-11")
    assert figures(got, "numerator", "denominator", "ids", "missed") == {
        str(dept.pk): ("50.00", 1, 2, sorted([p2.pk, p3.pk]), [p3.pk])
    }
    by_region = run("problems_solved", z, "2022-Q4", kind="regions", region="henan")
    # the fourth quarter holds all four: the October ones and p2 confirmed, p3 and the December one not
    assert figures(by_region, "denominator") == {"410100": ("50.00", 4)}


def test_monthly_reports_on_time(az):
    z = az
    a, dept = z["projects"]["a"], z["department"]
    from tuijin.core.testing import plan

    e = unit_project(z, "冷链物流园", dept)
    plan(e, 2022, "500")  # owes reports, sends none for November
    g = unit_project(z, "数据中心", z["department2"])
    plan(g, 2022, "800")
    report(a, 2022, 11, "100")  # on the 3rd of December: within the window (the 5th)
    report(g, 2022, 11, "50", submitted=datetime.datetime(2022, 12, 9, 9, 0, tzinfo=datetime.UTC))  # late
    report(g, 2022, 10, "50")  # October: not this period
    got = run("reports_on_time", z, "2022-11")
    assert figures(got, "numerator", "denominator", "missed") == {
        str(dept.pk): ("50.00", 1, 2, [e.pk]),
        str(z["department2"].pk): ("0.00", 0, 1, [g.pk]),
    }
    # the quarter: dept owes 3 months × 2 projects, a reported November only → 1 of 6
    assert figures(run("reports_on_time", z, "2022-Q4"), "denominator")[str(dept.pk)] == ("16.67", 6)
