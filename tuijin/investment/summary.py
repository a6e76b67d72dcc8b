"""ReportedYear, the statistics' summary of the counted reports: kept right by ONE function, `refresh_reported`.

Every write to MonthlyReport rows goes through it in the write's own transaction: `MonthlyReport.save()` and
`delete()` (so every service: save, submit, return, accept, reopen, delete), the reports' queryset
(`models.ReportQuerySet`: update, bulk_create, bulk_update, delete), and explicitly each writer through
core.bulk (executemany / COPY: the dispatch importer, the demo, the bench generators). A new writer that bypasses
both the model and its queryset (core.bulk, raw SQL) must call it for the project-years it wrote.

It recomputes, set-based: for the project-years asked, each month's sum of the reports in COUNTED_STATUSES, and
upserts it (INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE: SQLite ≥ 3.24 and PostgreSQL alike), in
hundredths of 万元 as MoneyField stores them (exact integers, no float). Rows are never deleted here (a
project-year whose reports are no longer counted keeps a row of zeros), so a concurrent refresh never finds its
row gone. On PostgreSQL a transaction-level advisory lock per (year, project bucket) is taken first, so two
transactions refreshing the same project-year one after the other each read the other's committed reports
(under READ COMMITTED the recomputation's snapshot is taken after the lock); it is the write's last step, after
its row locks, and buckets are locked in order, so it adds no deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections

from .choices import COUNTED_STATUSES
from .models import MONTH_FIELDS, MonthlyReport, ReportedYear

REPORTS = MonthlyReport._meta.db_table
SUMMARY = ReportedYear._meta.db_table
CHUNK = 500  # project ids per statement on SQLite (well under its parameter limit)
LOCK_SPACE = 0x7475696E  # "tuin": advisory lock keys of this table (the bucket in the low bits)
LOCK_BUCKETS = 256  # projects share a lock by id modulo this: a province import takes ≤ 256 locks a year


def _lock_key(project_id: int, year: int) -> int:
    return (LOCK_SPACE << 24) | (year << 10) | (project_id % LOCK_BUCKETS)


def refresh_reported(
    project_ids: Iterable[int] | None = None,
    years: Iterable[int] | None = None,
    *,
    pairs: Iterable[tuple[int, int]] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Recompute ReportedYear for the given project-years from the reports: `pairs` of (project id, year), or
    every (project in `project_ids`, year in `years`), None meaning all (the backfill: `refresh_reported()`)."""
    if pairs is not None:
        by_year: dict[int, set[int]] = defaultdict(set)
        for pid, year in pairs:
            if pid is not None and year is not None:
                by_year[int(year)].add(int(pid))
        for year, pids in sorted(by_year.items()):
            _refresh(sorted(pids), [year], using)
        return
    year_list = None if years is None else sorted({int(y) for y in years})
    if year_list == []:
        return
    if project_ids is None:
        _refresh(None, year_list, using)
        return
    ids = sorted({int(p) for p in project_ids})
    chunk = max(len(ids), 1) if connections[using].vendor == "postgresql" else CHUNK  # there: one array
    for start in range(0, len(ids), chunk):
        _refresh(ids[start : start + chunk], year_list, using)


def _rows_of(table: str, ids: list[int] | None, years: list[int] | None, vendor: str) -> tuple[str, list]:
    """FROM … WHERE … of `table`'s rows (alias t) for the project-years asked. On PostgreSQL the ids are one
    array joined to the table: an index look-up per project whatever the planner believes of the year (its
    statistics lag behind a bulk import, and an id list filtered over the year's rows then cost seconds). On
    SQLite an IN list (a chunk at a time: `refresh_reported`)."""
    where = [f"t.year IN ({', '.join(['%s'] * len(years))})"] if years is not None else ["1 = 1"]
    params = list(years or [])
    if ids is None:
        return f"FROM {table} t WHERE {where[0]}", params
    if vendor == "postgresql":
        return f"FROM unnest(%s::bigint[]) AS k(id) JOIN {table} t ON t.project_id = k.id WHERE {where[0]}", [
            ids,
            *params,
        ]
    return f"FROM {table} t WHERE t.project_id IN ({', '.join(['%s'] * len(ids))}) AND {where[0]}", [*ids, *params]


def _refresh(ids: list[int] | None, years: list[int] | None, using: str) -> None:
    connection = connections[using]
    if ids is not None and not ids:
        return
    reports_from, reports_params = _rows_of(REPORTS, ids, years, connection.vendor)
    summary_from, summary_params = _rows_of(SUMMARY, ids, years, connection.vendor)
    counted = sorted(COUNTED_STATUSES)
    in_counted = ", ".join(["%s"] * len(counted))
    sums = ", ".join(
        f"COALESCE(SUM(CASE WHEN month = {m} AND status IN ({in_counted}) THEN invested END), 0)" for m in range(1, 13)
    )
    sums += ", COALESCE(SUM(invested), 0)"  # total_any_state: every report of the year, whatever its state
    columns = ", ".join([*MONTH_FIELDS, "total_any_state"])
    updates = ", ".join(f"{c} = excluded.{c}" for c in [*MONTH_FIELDS, "total_any_state"])
    # The project-years to write: those with a report, and those already summarised (their reports may be gone:
    # a row of NULLs that sums to zeros). One aggregate over both, no join between them.
    sql = f"""
        INSERT INTO {SUMMARY} (project_id, year, {columns})
        SELECT project_id, year, {sums}
        FROM (
            SELECT t.project_id, t.year, t.month, t.status, t.invested {reports_from}
            UNION ALL SELECT t.project_id, t.year, NULL, NULL, NULL {summary_from}
        ) u
        WHERE 1 = 1
        GROUP BY project_id, year
        ON CONFLICT (project_id, year) DO UPDATE SET {updates}"""  # noqa: S608 - only names and numbers formatted
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if ids is None or years is None:  # every project or every year: lock the table instead
                cursor.execute(f"LOCK TABLE {SUMMARY} IN SHARE ROW EXCLUSIVE MODE")
            else:
                keys_ = sorted({_lock_key(p, y) for p in ids for y in years})
                cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", [keys_])
        cursor.execute(sql, [*(counted * 12), *reports_params, *summary_params])
