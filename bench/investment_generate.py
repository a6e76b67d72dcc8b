"""Generate the investment benchmark dataset (issue 3): the province of bench/generate.py, extended with five years
of annual plans split by month and 12 monthly reports per project and year (20,000 × 5 × 12 = 1.2 million).

    .venv/bin/python bench/investment_generate.py --db sqlite|postgres [--projects 20000] [--seed 7]

The ledger part is bench/generate.py's `World` and `write_database`, the same seed, written to this benchmark's
own database (bench/data/investment.sqlite3, PostgreSQL `tuijin_bench_inv`) so that the ledger benchmark's
database is left alone. Then, deterministic (seed 3):
- an annual plan for every project and year 2021–2025 (the ledger's amount where it has one), split by month
  (80 % by the default seasonal profile, 20 % evenly);
- a report for every project, year and month: the year's investment a share of the plan (0.6–1.15), spread by
  the usual shape (light February, heavy December) with noise, never above 85 % of the project's total since
  start; states as a zone has them in August 2025: everything accepted up to 2025-06 (some late, some returned
  once first), July mostly accepted, August submitted, returned, resubmitted or a draft, September–December
  drafts not yet submitted (still rows: 1.2 million in all);
- each zone's seasonal profile measured from 2022–2024 (`services.seasonal_profile_refresh(year=2025)`), so the
  forecast has a different α, β per zone;
- bench/data/dispatch-10000.xlsx: a province dispatch table for 2026, 10,000 projects, months 1–10 and the
  cumulative 1–10 column, for the import benchmark.
Rows are written with executemany (SQLite) / COPY (PostgreSQL) through core.bulk.insert_columns; the change log
is set aside for generation, as in generate.py (nothing measured reads it).
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import generate  # noqa: E402

YEARS = (2021, 2022, 2023, 2024, 2025)
STATS_YEAR, STATS_MONTH = 2025, 8  # what the statistics benchmark asks for
DISPATCH_YEAR, DISPATCH_MONTHS = 2026, 10
DISPATCH_ROWS = 10000
BURST_YEAR, BURST_MONTH = 2026, 11
SHAPE = (4.0, 2.5, 6.0, 7.5, 8.0, 8.5, 8.0, 7.5, 9.0, 9.5, 10.5, 21.0)
PG_NAME = "tuijin_bench_inv"
DISPATCH_XLSX = common.DATA / "dispatch-10000.xlsx"


def database_url(db: str, copy: str = "") -> str:
    """This benchmark's database on `db`, or a throw-away copy of it (`copy` = a suffix: "import", "burst")."""
    if db == "sqlite":
        return f"sqlite:///{common.DATA / (f'investment-{copy}.sqlite3' if copy else 'investment.sqlite3')}"
    return f"{common.PG_SERVER}/{PG_NAME}{f'_{copy}' if copy else ''}"


def manifest_path(db: str) -> Path:
    return common.DATA / f"manifest-investment-{db}.json"


def reset_database(db: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{common.DATA / 'investment.sqlite3'}{suffix}").unlink(missing_ok=True)
    else:
        common.pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        common.pg_admin(f"CREATE DATABASE {PG_NAME}")


def due(year: int, month: int) -> datetime.date:
    return datetime.date(year + (month == 12), month % 12 + 1, 5)


def write_investment(seed: int) -> dict:
    """Plans, reports and profiles on top of the ledger; returns counts."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tuijin.core.bulk import insert_columns, prepare_column
    from tuijin.core.changelog import change_context
    from tuijin.investment import services
    from tuijin.investment.choices import ReportStatus, SplitMethod
    from tuijin.investment.models import MONTH_FIELDS, AnnualPlan, MonthlyReport
    from tuijin.investment.split import DEFAULT_WEIGHTS
    from tuijin.investment.summary import refresh_reported
    from tuijin.projects.models import Project

    rng = random.Random(seed)
    t0 = time.perf_counter()
    projects = list(Project.objects.order_by("pk").values_list("pk", "total_investment"))
    stored = {(p, y): a for p, y, a in AnnualPlan.objects.values_list("project_id", "year", "amount")}
    now = timezone.now()
    default_total = sum(DEFAULT_WEIGHTS)

    plan_rows, report_rows = [], []
    since_start_cents: dict[int, int] = {}
    for pid, total in projects:
        total_cents = int(total * 100)
        cap = total_cents * 85 // 100
        spent = 0
        for year in YEARS:
            amount = stored.get((pid, year))
            cents = int(amount * 100) if amount is not None else int(total_cents * rng.uniform(0.08, 0.2))
            cents = min(cents, total_cents // 3)
            if rng.random() < 0.2:
                method, month_cents = SplitMethod.EVEN, [cents // 12] * 11
            else:
                method = SplitMethod.SEASONAL
                month_cents = [cents * w // default_total for w in DEFAULT_WEIGHTS[:11]]
            month_cents.append(cents - sum(month_cents))
            plan_rows.append((now, now, pid, year, cents, method, *month_cents))

            factor = rng.uniform(0.6, 1.15) if rng.random() < 0.85 else rng.uniform(0.3, 0.6)
            weights = [s * rng.uniform(0.6, 1.4) for s in SHAPE]
            wsum = sum(weights)
            year_cents = int(cents * factor)
            months = [int(year_cents * w / wsum) for w in weights]
            if spent + sum(months) > cap:
                scale = max(cap - spent, 0) / max(sum(months), 1)
                months = [int(m * scale) for m in months]
            spent += sum(months)
            for month, invested in enumerate(months, start=1):
                report_rows.append((pid, year, month, invested))
        since_start_cents[pid] = spent
    t_build = time.perf_counter() - t0

    fields = {f.attname: f for f in MonthlyReport._meta.concrete_fields}
    columns = [
        "created",
        "last_updated",
        "project_id",
        "year",
        "month",
        "invested",
        "progress_note",
        "workers",
        "difficulties",
        "status",
        "submitted_at",
        "late",
        "return_count",
        "reopen_count",
        "review_opinion",
        "reviewed_by_id",
        "reviewed_at",
    ]
    moments: dict[tuple, datetime.datetime] = {}

    def moment(day: datetime.date, hour: int) -> datetime.datetime:
        key = (day, hour)
        if key not in moments:
            moments[key] = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        return moments[key]

    notes = ["主体结构施工", "钢结构吊装", "设备安装调试", "室外配套工程", "装饰装修", "场地平整"]

    def report(pid: int, year: int, month: int, invested: int) -> tuple:
        r = rng.random()
        d = due(year, month)
        status, late, returns, opinion = ReportStatus.ACCEPTED, False, 0, ""
        if (year, month) > (STATS_YEAR, STATS_MONTH):
            status = ReportStatus.DRAFT
        elif (year, month) == (STATS_YEAR, STATS_MONTH):
            status = (
                ReportStatus.SUBMITTED
                if r < 0.55
                else ReportStatus.ACCEPTED
                if r < 0.75
                else ReportStatus.RETURNED
                if r < 0.85
                else ReportStatus.RESUBMITTED
                if r < 0.9
                else ReportStatus.DRAFT
            )
            returns = int(status in (ReportStatus.RETURNED, ReportStatus.RESUBMITTED))
        elif (year, month) == (STATS_YEAR, STATS_MONTH - 1) and r < 0.1:
            status, returns = ReportStatus.RETURNED, 1
        elif r < 0.03:
            returns = 1
        if returns:
            opinion = "请核实本月完成投资"
        if status == ReportStatus.DRAFT:
            submitted = reviewed = None
        else:
            late = rng.random() < 0.1
            submitted = moment(d + datetime.timedelta(days=rng.randint(1, 10)) if late else d, rng.randint(8, 18))
            reviewed = None if status in (ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED) else submitted
        return (
            now,
            now,
            pid,
            year,
            month,
            invested,
            notes[month % len(notes)],
            (pid * 7 + month) % 300 + 20,
            "",
            status,
            submitted,
            late,
            returns,
            0,
            opinion,
            None,
            reviewed,
        )

    def prepared(rows: list[tuple], names: list[str], model, money: set[str]) -> list[tuple]:
        meta_fields = {f.attname: f for f in model._meta.concrete_fields}
        cols = list(zip(*rows, strict=True))
        out = []
        for name, col in zip(names, cols, strict=True):
            out.append(list(col) if name in money else prepare_column(meta_fields[name], list(col), connection))
        return list(zip(*out, strict=True))

    plan_columns = ["created", "last_updated", "project_id", "year", "amount", "split_method", *MONTH_FIELDS]
    t1 = time.perf_counter()
    with transaction.atomic(), change_context(source="cli", label="bench/investment_generate.py"):
        with connection.cursor() as cur:  # the ledger's plans (2021–2023) are rewritten with their split
            cur.execute(f"DELETE FROM {AnnualPlan._meta.db_table}")
        insert_columns(
            AnnualPlan,
            [AnnualPlan._meta.get_field(n).column for n in plan_columns],
            prepared(plan_rows, plan_columns, AnnualPlan, {"amount", *MONTH_FIELDS}),
        )
        # In the order a zone's reports come in: month by month, every project's report of the month together
        # (generating project by project would spread each month's rows over the whole table).
        report_rows.sort(key=lambda r: (r[1], r[2], r[0]))
        chunk = 100_000
        for start in range(0, len(report_rows), chunk):
            rows = [report(*r) for r in report_rows[start : start + chunk]]
            insert_columns(
                MonthlyReport,
                [fields[n].column for n in columns],
                prepared(rows, columns, MonthlyReport, {"invested"}),
            )
        t_summary = time.perf_counter()
        refresh_reported()  # the statistics' summary of the counted months (core.bulk bypasses the model)
        t2 = time.perf_counter()
        zones = services.seasonal_profile_refresh(year=STATS_YEAR)
    t3 = time.perf_counter()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("VACUUM ANALYZE")
        else:
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {
        "annual_plans": len(plan_rows),
        "monthly_reports": len(report_rows),
        "profiles_measured": zones,
        "build_seconds": round(t_build, 1),
        "insert_seconds": round(t_summary - t1, 1),
        "summary_seconds": round(t2 - t_summary, 1),
        "profile_seconds": round(t3 - t2, 1),
        "since_start_cents": since_start_cents,
    }


def write_dispatch(since_start_cents: dict[int, int], seed: int, path: Path = DISPATCH_XLSX) -> dict:
    """The 2026 dispatch table: 10,000 projects of the province, months 1–10 and the cumulative column."""
    import xlsxwriter

    from tuijin.projects.models import Project

    rng = random.Random(seed + 1)
    projects = list(Project.objects.order_by("pk").values_list("pk", "code", "name", "total_investment"))
    chosen = sorted(rng.sample(projects, DISPATCH_ROWS), key=lambda p: p[1])
    months = range(1, DISPATCH_MONTHS + 1)
    headers = [
        "序号",
        "项目编号",
        "项目名称",
        *[f"{m}月完成投资(万元)" for m in months],
        f"1-{DISPATCH_MONTHS}月累计完成投资(万元)",
    ]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("调度表")
    sheet.write(0, 0, f"河南省{DISPATCH_YEAR}年1-{DISPATCH_MONTHS}月重点项目投资调度表")
    sheet.write_row(1, 0, headers)
    reports = 0
    for i, (pid, code, name, total) in enumerate(chosen, start=1):
        room = int(total * 100) - since_start_cents.get(pid, 0)
        cents = [int(room * 0.008 * rng.uniform(0.5, 1.5)) for _m in months]
        reports += len(cents)
        sheet.write_row(i + 1, 0, [i, code, name, *[c / 100 for c in cents], sum(cents) / 100])
    book.close()
    return {"rows": len(chosen), "reports": reports, "year": DISPATCH_YEAR, "months": DISPATCH_MONTHS}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    common.DATA.mkdir(parents=True, exist_ok=True)
    reset_database(args.db)
    common.setup_django(database_url(args.db))
    t0 = time.perf_counter()
    world = generate.World(args.seed, args.projects)
    world.build()
    ledger = generate.write_database(world)
    t_ledger = time.perf_counter() - t0
    counts = write_investment(seed=3)
    since_start = counts.pop("since_start_cents")
    dispatch = write_dispatch(since_start, seed=3)
    manifest = {
        "db": args.db,
        "seed": args.seed,
        "stats_year": STATS_YEAR,
        "stats_month": STATS_MONTH,
        "burst": {"year": BURST_YEAR, "month": BURST_MONTH},
        "ledger": ledger,
        "ledger_seconds": round(t_ledger, 1),
        "investment": counts,
        "dispatch": dispatch,
        "dispatch_file": str(DISPATCH_XLSX.relative_to(common.ROOT)),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    manifest_path(args.db).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    print(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


if __name__ == "__main__":
    main()
