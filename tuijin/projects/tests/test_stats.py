"""Campaign statistics on a hand-made ledger with conversions, removals and a re-listing over five periods,
checked at several as-of dates against figures worked out by hand; and a property test of the portfolio rule.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuijin.core.testing import listed, organization, period, plan, project, region_tree
from tuijin.projects.models import Listing, Period, Project
from tuijin.projects.selectors import Scope, campaign_payload, campaign_stats, portfolio
from tuijin.regions.models import Region

D = datetime.date


@pytest.fixture
def ledger(db):
    """Five periods in 2022-2023 and six projects (see the module docstring of each figure below).

    A 经开区  signed P1 → started P2 → production P4      10000.10
    B 经开区  started P1, removed P3 (停建), re-listed P5     20000.20
    C 高新区  production P2                                    0.30
    D 洛阳    signed P1                              123456789.99  (亿元 scale)
    E 经开区  signed P3, removed P4                            0.10
    F 高新区  started P4 (started on P4's date)       99999999.99
    """
    r = region_tree()
    jk, gx, ly = r["jingkai"], r["gaoxin"], r["luoyang_gx"]
    ent = organization("甲公司", jk)
    p = {
        1: period(1, "2022-03-15"),
        2: period(2, "2022-06-20"),
        3: period(3, "2022-09-20"),
        4: period(4, "2022-12-20"),
        5: period(5, "2023-03-20"),
    }
    a = project("A", jk, ent, "10000.10", signed_on=D(2022, 3, 1), started_on=D(2022, 7, 1),
                production_on=D(2022, 12, 1), effective_on=D(2023, 6, 1))  # fmt: skip
    b = project("B", jk, ent, "20000.20", signed_on=D(2021, 12, 1), started_on=D(2022, 3, 10))
    c = project("C", gx, ent, "0.30", started_on=D(2021, 5, 1), production_on=D(2022, 6, 1),
                effective_on=D(2022, 12, 25))  # fmt: skip
    d = project("D", ly, ent, "123456789.99", signed_on=D(2022, 2, 1))
    e = project("E", jk, ent, "0.10", signed_on=D(2022, 9, 1))
    f = project("F", gx, ent, "99999999.99", started_on=D(2022, 12, 20))
    listed(a, p[1], "signed")
    listed(a, p[2], "started")
    listed(a, p[4], "production")
    listed(b, p[1], "started")
    listed(b, p[3], "started", removed=True, reason="停建")
    listed(b, p[5], "started")
    listed(c, p[2], "production")
    listed(d, p[1], "signed")
    listed(e, p[3], "signed")
    listed(e, p[4], "signed", removed=True, reason="企业注销")
    listed(f, p[4], "started")
    plan(a, 2022, "0.10")
    plan(a, 2023, "500.00")
    plan(b, 2022, "0.20")
    plan(b, 2023, "0.70")
    plan(c, 2022, "0.30")
    plan(d, 2022, "0.40")
    plan(f, 2022, "12345678.91")
    return {"regions": r, "periods": p}


def F(count, total, annual, signed=0, started=0, production=0, effective=0) -> dict:
    return {"count": count, "total_investment": Decimal(total), "annual_plan": Decimal(annual), "signed": signed,
            "started": started, "in_production": production, "effective": effective}  # fmt: skip


ZERO = F(0, "0.00", "0.00")


def stats(as_of, period_number=None, region=None) -> dict:
    qs = Project.objects.in_region(Region.objects.get(code=region) if region else None)
    return campaign_stats(qs, Scope(as_of=as_of, period=period_number))


def test_before_the_first_period_everything_is_zero(ledger):
    s = stats(D(2022, 3, 14))
    assert s["batches"] == {"signed": ZERO, "started": ZERO, "production": ZERO}
    assert s["total"] == ZERO


def test_on_the_first_period_date(ledger):
    s = stats(D(2022, 3, 15))
    assert s["batches"]["signed"] == F(2, "123466790.09", "0.50", signed=2)  # A, D
    assert s["batches"]["started"] == F(1, "20000.20", "0.20", signed=1, started=1)  # B
    assert s["batches"]["production"] == ZERO
    assert s["total"] == F(3, "123486790.29", "0.70", signed=3, started=1)


def test_between_periods_after_a_conversion(ledger):
    s = stats(D(2022, 8, 1))
    assert s["batches"]["signed"] == F(1, "123456789.99", "0.40", signed=1)  # D
    assert s["batches"]["started"] == F(2, "30000.30", "0.30", signed=2, started=2)  # A converted, B
    assert s["batches"]["production"] == F(1, "0.30", "0.30", started=1, production=1)  # C
    assert s["total"] == F(4, "123486790.59", "1.00", signed=3, started=3, production=1)


def test_on_the_date_of_a_removal(ledger):
    s = stats(D(2022, 9, 20))
    assert s["batches"]["signed"] == F(2, "123456790.09", "0.40", signed=2)  # D, E
    assert s["batches"]["started"] == F(1, "10000.10", "0.10", signed=1, started=1)  # A; B removed
    assert s["batches"]["production"] == F(1, "0.30", "0.30", started=1, production=1)
    assert s["total"] == F(4, "123466790.49", "0.80", signed=3, started=2, production=1)


def test_the_day_before_a_period_counts_the_previous_list(ledger):
    assert stats(D(2022, 9, 19)) == stats(D(2022, 8, 1))  # no period between: the same list, no new milestone
    assert stats(D(2022, 9, 19))["batches"]["started"]["count"] == 2


def test_at_year_end_after_removals(ledger):
    s = stats(D(2022, 12, 31))
    assert s["batches"]["signed"] == F(1, "123456789.99", "0.40", signed=1)  # D; E removed in P4
    assert s["batches"]["started"] == F(1, "99999999.99", "12345678.91", started=1)  # F
    assert s["batches"]["production"] == F(2, "10000.40", "0.40", signed=1, started=2, production=2, effective=1)
    assert s["total"] == F(4, "223466790.38", "12345679.71", signed=2, started=3, production=2, effective=1)


def test_milestones_count_on_or_before_as_of(ledger):
    # F started on P4's date exactly: counted on that day.
    assert stats(D(2022, 12, 20))["batches"]["started"]["started"] == 1
    # C became effective on 2022-12-25.
    assert stats(D(2022, 12, 24))["batches"]["production"]["effective"] == 0
    assert stats(D(2022, 12, 25))["batches"]["production"]["effective"] == 1


def test_after_a_relisting_and_annual_plan_of_the_new_year(ledger):
    s = stats(D(2023, 4, 1))
    assert s["batches"]["signed"] == F(1, "123456789.99", "0.00", signed=1)  # D has no 2023 plan
    assert s["batches"]["started"] == F(2, "100020000.19", "0.70", signed=1, started=2)  # B re-listed, F
    assert s["batches"]["production"] == F(2, "10000.40", "500.00", signed=1, started=2, production=2, effective=1)
    assert s["total"] == F(5, "223486790.58", "500.70", signed=3, started=4, production=2, effective=1)


def test_period_scope_is_that_periods_list_without_removals(ledger):
    s = stats(D(2022, 12, 31), period_number=4)
    assert s["batches"]["signed"] == ZERO  # E was removed in P4
    assert s["batches"]["started"] == F(1, "99999999.99", "12345678.91", started=1)
    assert s["batches"]["production"] == F(1, "10000.10", "0.10", signed=1, started=1, production=1)
    s3 = stats(D(2023, 4, 1), period_number=3)
    assert s3["total"] == F(1, "0.10", "0.00", signed=1)  # only E; B's removal is not counted


def test_period_scope_milestones_are_as_of_the_date(ledger):
    # Period 1's list seen from before anything started: the list is the same, the milestones are not.
    early, late = stats(D(2022, 3, 15), period_number=1), stats(D(2023, 12, 31), period_number=1)
    assert early["total"]["count"] == late["total"]["count"] == 3
    assert early["total"]["started"] == 1 and late["total"]["started"] == 2


def test_region_includes_its_subtree(ledger):
    day = D(2022, 12, 31)
    assert stats(day, region="410171")["total"] == F(1, "10000.10", "0.10", signed=1, started=1, production=1)
    zz = stats(day, region="410100")  # 郑州市 = 经开区 + 高新区
    assert zz["total"]["count"] == 3
    assert zz["total"]["total_investment"] == Decimal("100010000.39")
    assert stats(day, region="410000")["total"] == stats(day)["total"]
    assert stats(day, region="410300")["total"] == F(1, "123456789.99", "0.40", signed=1)


def test_money_sums_are_exact_on_every_database(db):
    r = region_tree()
    ent = organization("甲公司", r["jingkai"])
    p1 = period(1, "2022-03-15")
    amounts = ["0.10", "0.20", "0.30", "0.70", "1.10", "2.20", "3.30", "9999999999.99", "0.01", "0.03"]
    for i, amount in enumerate(amounts):
        p = project(f"P{i}", r["jingkai"], ent, amount)
        listed(p, p1, "signed")
        plan(p, 2022, amount)
    s = stats(D(2022, 12, 31))
    expected = sum(Decimal(a) for a in amounts)
    assert expected == Decimal("10000000007.93")
    assert s["total"]["total_investment"] == expected
    assert s["batches"]["signed"]["annual_plan"] == expected
    assert str(s["total"]["total_investment"]) == "10000000007.93"


def test_stats_command_json_equals_the_payload(ledger, capsys):
    call_command("stats", "--as-of", "2022-12-31", "--region", "410100", "--json")
    out = json.loads(capsys.readouterr().out, parse_float=Decimal)
    region = Region.objects.get(code="410100")
    expected = campaign_payload(Project.objects.in_region(region), Scope(as_of=D(2022, 12, 31)), region=region)
    assert out == expected
    assert out["scope"] == "current" and out["region"] == "410100" and out["unit"] == "万元"
    assert out["period"] is None and out["as_of"] == "2022-12-31"
    assert set(out["batches"]) == {"signed", "started", "production"}


def test_stats_command_period_scope(ledger, capsys):
    call_command("stats", "--as-of", "2022-12-31", "--period", "4", "--json")
    raw = capsys.readouterr().out
    out = json.loads(raw, parse_float=Decimal)
    assert out["scope"] == "period" and out["period"] == 4 and out["region"] is None
    assert out["total"]["count"] == 2
    assert '"total_investment":99999999.99' in raw.replace(" ", "")  # a number with its digits, not a string


# ---- property: the portfolio as of any date equals DOMAIN.md's definition ----

BATCHES = ["signed", "started", "production"]
entry = st.one_of(st.none(), st.tuples(st.sampled_from(BATCHES), st.booleans()))


def reference(history: dict, dates: dict, as_of: datetime.date) -> dict:
    """Each project's latest listing made on or before `as_of`, without removed ones: {project: batch}."""
    out = {}
    for name, listings in history.items():
        made = [(dates[n], batch, removed) for n, (batch, removed) in listings.items() if dates[n] <= as_of]
        if made:
            _day, batch, removed = max(made)
            if not removed:
                out[name] = batch
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    gaps=st.lists(st.integers(min_value=1, max_value=120), min_size=4, max_size=6),
    grid=st.lists(st.lists(entry, min_size=6, max_size=6), min_size=1, max_size=6),
)
def test_portfolio_matches_the_domain_definition(db, gaps, grid):
    with transaction.atomic():
        r = region_tree()
        ent = organization("甲公司", r["jingkai"])
        day, dates = D(2022, 1, 1), {}
        for number, gap in enumerate(gaps, start=1):
            day += datetime.timedelta(days=gap)
            dates[number] = day
            Period.objects.create(number=number, date=day)
        history: dict[str, dict] = {}
        for i, row in enumerate(grid):
            p = project(f"P{i}", r["jingkai"], ent, str(i + 1))
            history[p.name] = {}
            for number, cell in zip(dates, row, strict=False):
                if cell is not None:
                    batch, removed = cell
                    Listing.objects.create(project=p, period_id=number, batch=batch,
                                           action="removed" if removed else "listed")  # fmt: skip
                    history[p.name][number] = cell
        probes = {D(2022, 1, 1), *dates.values(), *(d - datetime.timedelta(days=1) for d in dates.values()),
                  max(dates.values()) + datetime.timedelta(days=400)}  # fmt: skip
        for as_of in sorted(probes):
            got = dict(portfolio(Project.objects.all(), Scope(as_of=as_of)).values_list("name", "batch"))
            assert got == reference(history, dates, as_of), as_of
            figures = campaign_stats(Project.objects.all(), Scope(as_of=as_of))
            for batch in BATCHES:
                names = [n for n, b in got.items() if b == batch]
                assert figures["batches"][batch]["count"] == len(names)
                assert figures["batches"][batch]["total_investment"] == sum(
                    (Decimal(int(n[1:]) + 1) for n in names), Decimal(0)
                )
        for number in dates:
            got = dict(portfolio(Project.objects.all(), Scope(as_of=D(2030, 1, 1), period=number)).values_list(
                "name", "batch"))  # fmt: skip
            want = {n: ls[number][0] for n, ls in history.items() if number in ls and not ls[number][1]}
            assert got == want
        transaction.set_rollback(True)
