"""ReportedYear, the statistics' summary of the counted reports: after every write path (the services, the dispatch
import, the demo, a backfill) it equals a recomputation from the reports, and a refused write leaves it alone."""

import datetime
import importlib
import types
import zoneinfo
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuijin.investment import services
from tuijin.investment.choices import COUNTED_STATUSES, ReportStatus
from tuijin.investment.models import MonthlyReport, ReportedYear
from tuijin.investment.selectors import investment_payload
from tuijin.investment.summary import refresh_reported
from tuijin.projects.models import Project

from .helpers import TODAY, state, write_sheet

pytestmark = pytest.mark.django_db
CST = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2022, 9, 10, 10, tzinfo=CST)
ZERO = Decimal("0.00")


def recomputed() -> dict:
    """{(project id, year): twelve months} summed from the counted reports, as the statistics count them."""
    out: dict = defaultdict(lambda: [ZERO] * 12)
    for pid, year, month, invested in MonthlyReport.objects.filter(status__in=COUNTED_STATUSES).values_list(
        "project_id", "year", "month", "invested"
    ):
        out[(pid, year)][month - 1] += invested
    return {k: v for k, v in out.items() if any(v)}


def summary() -> dict:
    """The summary's rows that hold something (a project-year no longer counted keeps a row of zeros). Every
    comparison of it with `recomputed()` also checks each row's total over reports in any state."""
    assert totals() == recomputed_totals()
    return {(r.project_id, r.year): r.months for r in ReportedYear.objects.all() if any(r.months)}


def recomputed_totals() -> dict:
    """{(project id, year): the sum of its reports in any state} (drafts and returned ones too)."""
    out: dict = defaultdict(lambda: ZERO)
    for pid, year, invested in MonthlyReport.objects.values_list("project_id", "year", "invested"):
        out[(pid, year)] += invested
    return {k: v for k, v in out.items() if v}


def totals() -> dict:
    return {(r.project_id, r.year): r.total_any_state for r in ReportedYear.objects.all() if r.total_any_state}


def months_of(project, year=2022) -> list:
    return summary().get((project.pk, year), [ZERO] * 12)


def save(zone, month, invested, project="a", role="enterprise"):
    return services.report_save(
        user=zone["users"][role], project=zone["projects"][project], year=2022, month=month, invested=invested,
        today=TODAY,
    )  # fmt: skip


def test_every_service_write_keeps_the_summary(zone):
    ent, office = zone["users"]["enterprise"], zone["users"]["admin"]
    a = zone["projects"]["a"]
    report = save(zone, 7, "500")
    assert summary() == recomputed() == {}  # a draft is not counted (but is in the total over any state)
    assert totals() == {(a.pk, 2022): Decimal("500.00")}
    services.report_submit(user=ent, report=report, now=NOW)
    assert months_of(a)[6] == Decimal("500.00") and summary() == recomputed()
    services.report_return(user=office, report=report, opinion="核实")
    assert months_of(a)[6] == ZERO and summary() == recomputed()  # returned: disputed, not counted
    report = save(zone, 7, "480.25")
    assert months_of(a)[6] == ZERO
    services.report_submit(user=ent, report=report, now=NOW)  # resubmitted
    assert report.status == ReportStatus.RESUBMITTED
    assert months_of(a)[6] == Decimal("480.25") and summary() == recomputed()
    services.report_accept(user=office, report=report)
    assert months_of(a)[6] == Decimal("480.25") and summary() == recomputed()
    services.report_reopen(user=office, report=report, reason="更正")
    assert months_of(a)[6] == Decimal("480.25")  # reopened still counts until corrected
    save(zone, 7, "470.10")  # the correction of the reopened month
    assert months_of(a)[6] == Decimal("470.10") and summary() == recomputed()
    # another month: a draft submitted then deleted is not possible (only drafts are deleted); a draft deleted
    draft = save(zone, 8, "90")
    services.report_delete(user=ent, report=draft)
    assert not MonthlyReport.objects.filter(month=8).exists()
    assert months_of(a) == [ZERO] * 6 + [Decimal("470.10")] + [ZERO] * 5 and summary() == recomputed()


def test_the_statistics_read_the_summary(zone):
    ent = zone["users"]["enterprise"]
    a = zone["projects"]["a"]
    for month, amount in ((5, "100.10"), (6, "200.20"), (7, "300.30")):
        services.report_submit(user=ent, report=save(zone, month, amount), now=NOW)
    save(zone, 8, "999")  # a draft: not counted
    total = investment_payload(Project.objects.filter(pk=a.pk), year=2022, month=8)["total"]
    assert total["invested_to_date"] == Decimal("600.60")
    # through June: the summary's months 1-6 only
    assert investment_payload(Project.objects.filter(pk=a.pk), year=2022, month=6)["total"]["invested_to_date"] == (
        Decimal("300.30")
    )


def test_refused_writes_leave_the_summary_alone(zone):
    ent = zone["users"]["enterprise"]
    report = save(zone, 6, "100")
    services.report_submit(user=ent, report=report, now=NOW)
    before, rows = state(), summary()
    with pytest.raises(ValidationError):
        save(zone, 7, "-5")
    with pytest.raises(ValidationError):  # submitted: not editable
        save(zone, 6, "150")
    with pytest.raises(ValidationError, match="above the project's total investment"):
        save(zone, 7, "99999999")
    assert state() == before and summary() == rows == recomputed()
    assert rows == {(zone["projects"]["a"].pk, 2022): [ZERO] * 5 + [Decimal("100.00")] + [ZERO] * 6}


def _import(path):
    call_command("import_monthly", str(path), "--year", "2022", "--region", "410171", "--lang", "en")


def test_dispatch_import_and_a_correction_of_an_earlier_month(zone, tmp_path):
    a, c = zone["projects"]["a"], zone["projects"]["c"]
    for m in range(1, 5):
        MonthlyReport.objects.create(project=a, year=2022, month=m, invested=Decimal("100"), status="submitted")
    MonthlyReport.objects.create(project=c, year=2022, month=2, invested=Decimal("7"), status="draft")
    headers = ["项目名称", *[f"{m}月完成投资(万元)" for m in range(1, 7)]]
    path = write_sheet(
        tmp_path / "d.xlsx",
        headers,
        [["新能源汽车零部件项目", 100, 100, 100, 100, 250, 300], ["高端数控机床项目", 10, 20, None, None, None, 5]],
    )
    _import(path)
    assert months_of(a)[:6] == [Decimal(100)] * 4 + [Decimal(250), Decimal(300)]
    assert months_of(c)[:6] == [Decimal(10), Decimal(20), ZERO, ZERO, ZERO, Decimal(5)]  # c's draft: accepted now
    assert summary() == recomputed()
    # the office corrects March of a (an earlier, already counted month) and February of c
    path = write_sheet(
        tmp_path / "e.xlsx",
        headers,
        [["新能源汽车零部件项目", 100, 100, 80.5, 100, 250, 300], ["高端数控机床项目", 10, 22, None, None, None, 5]],
    )
    _import(path)
    assert months_of(a)[2] == Decimal("80.50") and months_of(c)[1] == Decimal("22.00")
    assert summary() == recomputed()


def test_a_refused_import_writes_nothing_to_the_summary(zone, tmp_path):
    a = zone["projects"]["a"]
    MonthlyReport.objects.create(project=a, year=2022, month=1, invested=Decimal("100"), status="accepted")
    path = write_sheet(
        tmp_path / "bad.xlsx",
        ["项目名称", "1月完成投资(万元)", "2月完成投资(万元)"],
        [["新能源汽车零部件项目", 100, 50], ["高端数控机床项目", 10, -1]],
    )
    before, rows = state(), summary()
    with pytest.raises(CommandError):
        _import(path)
    assert state() == before and summary() == rows == recomputed()


def test_bulk_writes_through_the_queryset(zone):
    """bulk_create, update, bulk_update and a queryset's delete bypass save(): the queryset refreshes too."""
    a, c = zone["projects"]["a"], zone["projects"]["c"]
    MonthlyReport.objects.bulk_create(
        [
            MonthlyReport(project=p, year=y, month=m, invested=Decimal(f"{m}.{y % 100}"), status=s)
            for p in (a, c)
            for y in (2021, 2022)
            for m, s in ((1, "accepted"), (2, "draft"), (3, "returned"), (4, "reopened"), (5, "resubmitted"))
        ]
    )
    assert summary() == recomputed() and len(summary()) == 4
    assert months_of(a)[:5] == [Decimal("1.22"), ZERO, ZERO, Decimal("4.22"), Decimal("5.22")]
    MonthlyReport.objects.filter(project=a, year=2021).update(status=ReportStatus.DRAFT)
    assert summary() == recomputed() and (a.pk, 2021) not in summary()
    assert ReportedYear.objects.get(project=a, year=2021).months == [ZERO] * 12  # kept, as zeros
    reports = list(MonthlyReport.objects.filter(project=c, year=2022, month__in=[2, 3]))
    for r in reports:
        r.status, r.invested = ReportStatus.SUBMITTED, Decimal("10.01")
    MonthlyReport.objects.bulk_update(reports, ["status", "invested"])
    assert months_of(c)[1:3] == [Decimal("10.01")] * 2 and summary() == recomputed()
    MonthlyReport.objects.filter(project=c, month=1).delete()
    assert months_of(c)[0] == ZERO and summary() == recomputed()


def test_the_backfill_of_the_migration(zone):
    """Reports written before the summary existed (or around every path: core.bulk, raw SQL) are summarised by
    the migration's backfill, the same refresh as every write."""
    from tuijin.core.bulk import insert_rows

    a, c = zone["projects"]["a"], zone["projects"]["c"]
    insert_rows(
        MonthlyReport,
        [
            MonthlyReport(project=p, year=y, month=m, invested=Decimal(f"{m}{y % 10}.5"), status=s)
            for p in (a, c)
            for y in (2020, 2022)
            for m, s in ((2, "submitted"), (6, "draft"), (7, "accepted"), (12, "reopened"))
        ],
    )
    assert ReportedYear.objects.count() == 0  # core.bulk bypasses the model
    migration = importlib.import_module("tuijin.investment.migrations.0007_reportedyear_total_any_state")
    migration.backfill(None, types.SimpleNamespace(connection=connection))
    expected = recomputed()
    assert summary() == expected and len(expected) == 4
    assert totals()[(c.pk, 2020)] == Decimal("20.50") + Decimal("60.50") + Decimal("70.50") + Decimal("120.50")
    assert months_of(c, 2020) == [ZERO, Decimal("20.50")] + [ZERO] * 4 + [Decimal("70.50")] + [ZERO] * 4 + [
        Decimal("120.50")
    ]
    # a stale row is mended by the refresh of its project-year
    ReportedYear.objects.filter(project=a, year=2022).update(month_7=Decimal("1"))
    assert summary() != recomputed()
    refresh_reported([a.pk], [2022])
    assert summary() == recomputed()


def test_the_demo_keeps_the_summary(db, settings, tmp_path):
    from tuijin.projects.demo import load_demo

    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_demo()
    expected = recomputed()
    assert len(expected) > 30 and summary() == expected


# ---- property: any sequence of report writes and reviews -----------------------------------------------------------

steps = st.lists(
    st.tuples(
        st.sampled_from(["a", "c"]),
        st.integers(min_value=1, max_value=9),
        st.integers(min_value=0, max_value=50_000),
        st.sampled_from(["save", "submit", "accept", "return", "reopen", "delete"]),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(steps)
def test_the_summary_follows_any_sequence_of_writes(zone, sequence):
    """Whatever reports are saved, corrected, submitted, returned, accepted, reopened or deleted, on two projects,
    the summary equals the counted reports summed again, and the statistics' invested figure is their sum."""
    ent, office = zone["users"]["enterprise"], zone["users"]["admin"]
    for name in ("a", "c"):
        for r in MonthlyReport.objects.filter(project=zone["projects"][name]):
            r.delete()
    for name, month, cents, action in sequence:
        project = zone["projects"][name]
        user = ent if name == "a" else office
        report = MonthlyReport.objects.filter(project=project, year=2022, month=month).first()
        editable = report is None or report.status in ("draft", "returned", "reopened")
        if action == "save" and editable:
            save(zone, month, str(Decimal(cents) / 100), project=name, role="enterprise" if name == "a" else "admin")
        elif report is None:
            continue
        elif action == "submit" and editable:
            services.report_submit(user=user, report=report, now=NOW)
        elif action == "accept" and report.status in ("submitted", "resubmitted"):
            services.report_accept(user=office, report=report)
        elif action == "return" and report.status in ("submitted", "resubmitted"):
            services.report_return(user=office, report=report, opinion="核实")
        elif action == "reopen" and report.status == "accepted":
            services.report_reopen(user=office, report=report, reason="更正")
        elif action == "delete" and report.status == "draft":
            services.report_delete(user=user, report=report)
        assert summary() == recomputed()
    counted = sum((sum(v[:9], ZERO) for v in recomputed().values()), ZERO)
    qs = Project.objects.filter(pk__in=[zone["projects"]["a"].pk, zone["projects"]["c"].pk])
    assert investment_payload(qs, year=2022, month=9)["total"]["invested_to_date"] == counted
