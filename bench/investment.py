"""Benchmarks of investment (issue 3) on SQLite and PostgreSQL, at province scale (not timed tests).

    .venv/bin/python bench/investment.py --db sqlite|postgres|both [--runs 50] [--import-runs 3]
        [--burst 3000 --workers 6 --burst-mode one|two] [--only stats,import,burst] [--regenerate]

Generates the dataset first when it is missing (bench/investment_generate.py: 20,000 projects × 5 years × 12
monthly reports = 1.2 million reports), then reports, per database:
  (a) GET /api/v1/stats/investment?year=2025&month=8 (group by batch, and by region for the province) p50/p95, for
      the province superuser and a zone admin, beside its floor: the same figures from ONE hand-written SQL query
      on the same database (checked equal to the endpoint's) summing the year's reports, a second floor: the same
      query reading the summary rows (investment_reportedyear, what the selector reads since 2026-11-26), and
      the selector alone (investment_payload);
  (b) dispatch-table import throughput: plan_dispatch + apply_dispatch of a 10,000-row table (months 1–10 of 2026
      and the cumulative column: 100,000 reports) on a fresh copy of the dataset, rows/s, beside the raw calamine
      read of the same file;
  (c) monthly-report submissions under a burst: several worker processes, each an enterprise's integration with
      its API token, POST /api/v1/investment/reports with "submit": true (one request; --burst-mode two: the
      report, then POST …/submit) for distinct projects, all at once, on a fresh copy; submissions per second
      over the burst's wall time, and the reports counted afterwards in the database (none may be lost).
Results go to bench/data/results-investment-<db>.json and are printed as a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import investment_generate as gen  # noqa: E402

TARGETS = {"stats_p95_ms": 150, "stats_vs_floor": 2.0, "import_rows_per_s": 2000, "submissions_per_s": 100}
COUNTED = ("submitted", "resubmitted", "accepted", "reopened")  # choices.COUNTED_STATUSES

# The floor: the statistics contract's figures in ONE hand-written query. Reports of the year through month M
# summed per project once (with the last k months beside), joined to the projects in scope, their plan for the
# year and their current listing (the listing chain's next_period, as the ledger's floor), the zone's forecast
# coefficients from a VALUES list; grouped by the key.
FLOOR = """
WITH coef(region_id, alpha, beta) AS (VALUES {coef}),
rep AS ({rep}),
t AS (
    SELECT {key} AS g_key, ap.amount AS plan,
           COALESCE(CASE WHEN {split_sum} = ap.amount THEN {to_month} ELSE ap.amount / 12 * %(m)s END, 0) AS ptd,
           COALESCE(rep.inv, 0) AS inv, COALESCE(rep.recent, 0) AS recent, c.alpha, c.beta
    FROM projects_project p {region_join}
    JOIN coef c ON c.region_id = p.region_id
    LEFT JOIN investment_annualplan ap ON ap.project_id = p.id AND ap.year = %(y)s
    LEFT JOIN rep ON rep.project_id = p.id
    {listing_join}
    WHERE ap.id IS NOT NULL OR rep.inv > 0
)
SELECT g_key, COUNT(*), SUM(plan), SUM(ptd), SUM(inv), SUM(alpha * inv + beta * recent),
       SUM(CASE WHEN plan > 0 AND alpha * inv + beta * recent < plan * 0.95
                 AND alpha * inv + beta * recent >= plan * 0.8 THEN 1 ELSE 0 END),
       SUM(CASE WHEN plan > 0 AND alpha * inv + beta * recent < plan * 0.8 THEN 1 ELSE 0 END)
FROM t GROUP BY g_key"""
REP_REPORTS = """
    SELECT project_id, SUM(invested) AS inv, SUM(CASE WHEN month > %(k)s THEN invested ELSE 0 END) AS recent
    FROM investment_monthlyreport
    WHERE year = %(y)s AND month <= %(m)s AND status IN ('submitted', 'resubmitted', 'accepted', 'reopened')
    {rep_scope}
    GROUP BY project_id"""
# The second floor (since the summary, 2026-11-26): the same query, the year's counted months read from the
# summary row of each project-year (investment_reportedyear, kept by summary.refresh_reported) instead of summed
# from the reports: what the selector now reads.
REP_SUMMARY = """
    SELECT project_id, {inv} AS inv, {recent} AS recent
    FROM investment_reportedyear
    WHERE year = %(y)s {rep_scope}"""
LISTING_JOIN = """LEFT JOIN projects_listing l ON l.project_id = p.id AND l.period_number <= %(n)s
      AND (l.next_period IS NULL OR l.next_period > %(n)s)"""
REP_SCOPE = """AND project_id IN (SELECT sp.id FROM projects_project sp JOIN regions_region sr ON sr.id = sp.region_id
                       WHERE sr.path LIKE %(path)s)"""
BATCH_KEY = "CASE WHEN l.action = 'removed' THEN NULL ELSE l.batch END"


# ---------------------------------------------------------------- workers (one database per process)


def floor_sql(
    year: int, month: int, group_by: str, region_path: str | None, coef: dict, source: str = "reports"
) -> tuple[str, dict]:
    """The floor's query: the year's counted investment summed from the reports (`source="reports"`, the first
    floor) or read from the summary rows (`source="summary"`)."""
    from tuijin.investment import forecast as fc

    months = [f"ap.month_{i}" for i in range(1, 13)]
    k = min(fc.RECENT_MONTHS, month)
    rep_scope = REP_SCOPE if region_path else ""
    if source == "summary":
        rep = REP_SUMMARY.format(
            inv=" + ".join(f"month_{i}" for i in range(1, month + 1)),
            recent=" + ".join(f"month_{i}" for i in range(month - k + 1, month + 1)),
            rep_scope=rep_scope,
        )
    else:
        rep = REP_REPORTS.format(rep_scope=rep_scope)
    sql = FLOOR.format(
        rep=rep,
        coef=", ".join(f"({rid}, {a!r}, {b!r})" for rid, (a, b) in sorted(coef.items())),
        key=BATCH_KEY if group_by == "batch" else "p.region_id",
        split_sum=" + ".join(months),
        to_month=" + ".join(months[:month]),
        region_join="JOIN regions_region rg ON rg.id = p.region_id AND rg.path LIKE %(path)s" if region_path else "",
        listing_join=LISTING_JOIN if group_by == "batch" else "",
    )
    from tuijin.investment.selectors import month_end
    from tuijin.projects.selectors import latest_period_number

    params = {
        "y": year,
        "m": month,
        "k": month - k,
        "n": latest_period_number(month_end(year, month)),
        "path": f"{region_path}%",
    }
    return sql, params


def backend_cpu_ms() -> float:
    """CPU milliseconds used so far by this connection's PostgreSQL backend (same machine: /proc), else 0."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def server_cpu_mean(fn, runs: int) -> float:
    """Mean CPU milliseconds of the PostgreSQL backend per call (its clock ticks are 10 ms: a mean over runs)."""
    fn()
    before = backend_cpu_ms()
    for _ in range(runs):
        fn()
    return round((backend_cpu_ms() - before) / runs, 1)


def cpu_timed(fn, runs: int, warmup: int = 2) -> list[float]:
    """CPU milliseconds of this process per call (SQLite runs in the process: on a loaded machine its CPU time is
    what the query costs, the wall clock adds the wait for a core)."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        out.append((time.process_time() - t0) * 1000)
    return out


def floor_rows(sql: str, params: dict) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def coefficients(year: int, month: int) -> dict:
    """α, β of each zone's forecast, as the selector computes them (from the stored profiles)."""
    from tuijin.investment import forecast as fc
    from tuijin.investment.seasonal import stored_profiles
    from tuijin.projects.models import Project

    region_ids = set(Project.objects.order_by().values_list("region_id", flat=True).distinct())
    out = {}
    for rid, profile in stored_profiles(region_ids, year).items():
        c = fc.coefficients(profile.shares, month)
        out[rid] = (c.alpha, c.beta)
    return out


def floor_groups(rows: list[tuple], group_by: str) -> dict:
    """Floor rows as comparable figures: by key (leaf region ids rolled up to cities for group_by=region)."""
    from tuijin.regions.models import Region

    if group_by == "region":
        paths = dict(Region.objects.values_list("pk", "path"))
    out: dict = {}
    for key, n, plan, ptd, inv, fcast, at_risk, off in rows:
        if group_by == "region":
            key = paths[key].strip("/").split("/")[1]  # the province's cities
        key = "" if key is None else str(key)
        g = out.setdefault(key, {"projects": 0, "plan": 0, "ptd": 0, "inv": 0, "fcast": 0.0, "at": 0, "off": 0})
        g["projects"] += n
        g["plan"] += int(plan or 0)
        g["ptd"] += int(ptd or 0)
        g["inv"] += int(inv or 0)
        g["fcast"] += float(fcast or 0)
        g["at"] += int(at_risk or 0)
        g["off"] += int(off or 0)
    return out


def payload_groups(body: dict) -> dict:
    def cents(v) -> int:
        return int(Decimal(str(v)) * 100)

    return {
        g["key"]: {
            "projects": g["projects"],
            "plan": cents(g["annual_plan"]),
            "ptd": cents(g["plan_to_date"]),
            "inv": cents(g["invested_to_date"]),
            "fcast": float(g["forecast_year_end"]) * 100,
            "at": g["risk"]["at_risk"],
            "off": g["risk"]["off_track"],
        }
        for g in body["groups"]
        if g["projects"]
    }


def same_figures(a: dict, b: dict) -> bool:
    """Equal counts and money (exact cents); forecasts equal to the 万元 (float sums in another order)."""
    if set(a) != set(b):
        return False
    for k in a:
        x, y = a[k], b[k]
        if any(x[f] != y[f] for f in ("projects", "plan", "ptd", "inv", "at", "off")):
            return False
        if abs(x["fcast"] - y["fcast"]) > 100 * max(1.0, x["projects"] / 1000):
            return False
    return True


PROPOSED_INDEX = "monthly_report_year_cover"


def set_proposed_index(on: bool) -> None:
    """The index proposed for MonthlyReport.Meta.indexes (a year's reports per project, with the figures the
    statistics read, so they are summed from the index alone), created or dropped on the bench database."""
    from django.db import connection

    with connection.cursor() as cur:
        if on:
            cur.execute(
                f"CREATE INDEX IF NOT EXISTS {PROPOSED_INDEX} ON investment_monthlyreport "
                "(year, project_id, month, status, invested)"
            )
            cur.execute("ANALYZE investment_monthlyreport")
        else:
            cur.execute(f"DROP INDEX IF EXISTS {PROPOSED_INDEX}")
            cur.execute("ANALYZE investment_monthlyreport")


def worker_read(db: str, runs: int, index: str = "schema") -> dict:
    common.setup_django(gen.database_url(db))
    set_proposed_index(index == "proposed")
    import orjson
    from django.db import connection
    from django.test import Client

    from tuijin.accounts.models import User
    from tuijin.investment.selectors import investment_payload
    from tuijin.projects.models import Project

    manifest = json.loads(gen.manifest_path(db).read_text())
    year, month = manifest["stats_year"], manifest["stats_month"]
    coef = coefficients(year, month)
    out: dict = {"year": year, "month": month, "counts": manifest["investment"], "index": index}
    out["distinct_coefficients"] = len(set(coef.values()))
    cases = [
        ("province superuser", "bench", "batch"),
        ("province superuser", "bench", "region"),
        ("zone admin (410171)", "bench_zone", "batch"),
    ]
    for who, username, group_by in cases:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        path = user.region.path if user.region_id else None
        sql, params = floor_sql(year, month, group_by, path, coef)
        res: dict = {"group_by": group_by}
        floor = floor_groups(floor_rows(sql, params), group_by)
        res["floor"] = common.summary(common.timed(lambda s=sql, p=params: floor_rows(s, p), runs))
        ssql, sparams = floor_sql(year, month, group_by, path, coef, source="summary")
        res["floor_summary"] = common.summary(common.timed(lambda s=ssql, p=sparams: floor_rows(s, p), runs))
        res["floor_summary_equal"] = same_figures(floor_groups(floor_rows(ssql, sparams), group_by), floor)
        url = f"/api/v1/stats/investment?year={year}&month={month}&group_by={group_by}"
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:500])
        body = orjson.loads(response.content)
        res["stats_source"] = f"GET {url}"
        res["stats"] = common.summary(common.timed(lambda c=client, u=url: c.get(u), runs))
        res["figures_equal_floor"] = same_figures(payload_groups(body), floor)
        if not res["figures_equal_floor"]:
            res["endpoint_figures"] = str(payload_groups(body))
            res["floor_figures"] = str(floor)
        res["selector_cpu"] = common.summary(
            cpu_timed(
                lambda u=user, g=group_by: investment_payload(
                    Project.objects.restrict(u, "view"), year=year, month=month, group_by=g
                ),
                runs,
            )
        )
        res["floor_cpu"] = common.summary(cpu_timed(lambda s=sql, p=params: floor_rows(s, p), runs))
        res["floor_summary_cpu"] = common.summary(cpu_timed(lambda s=ssql, p=sparams: floor_rows(s, p), runs))
        if connection.vendor == "postgresql":
            res["server_cpu_mean"] = {
                "selector": server_cpu_mean(
                    lambda u=user, g=group_by: investment_payload(
                        Project.objects.restrict(u, "view"), year=year, month=month, group_by=g
                    ),
                    runs,
                ),
                "floor": server_cpu_mean(lambda s=sql, p=params: floor_rows(s, p), runs),
                "floor_summary": server_cpu_mean(lambda s=ssql, p=sparams: floor_rows(s, p), runs),
            }
        res["selector_only"] = common.summary(
            common.timed(
                lambda u=user, g=group_by: investment_payload(
                    Project.objects.restrict(u, "view"), year=year, month=month, group_by=g
                ),
                runs,
            )
        )
        res["projects"] = body["total"]["projects"]
        out[f"{who}, by {group_by}"] = res
    out["vendor"] = connection.vendor
    return out


def worker_import(db: str, profile: str | None = None) -> dict:
    common.setup_django(gen.database_url(db, copy="import"))
    from python_calamine import CalamineWorkbook

    from tuijin.core.changelog import change_context
    from tuijin.core.models import ChangeRecord
    from tuijin.investment.importer import apply_dispatch, plan_dispatch
    from tuijin.investment.models import MonthlyReport
    from tuijin.regions.models import Region

    set_proposed_index(False)  # this copy's schema as migrated (a stats run may have left the index on the dataset)
    manifest = json.loads(gen.manifest_path(db).read_text())
    dispatch = manifest["dispatch"]
    path = str(gen.DISPATCH_XLSX)
    province = Region.objects.get(code="410000")
    today = datetime.date(dispatch["year"], dispatch["months"] + 1, 26)
    records_before = ChangeRecord.objects.count()
    last_record = ChangeRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    reports_before = MonthlyReport.objects.count()

    def calamine():
        book = CalamineWorkbook.from_path(path)
        return book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    with change_context(source="cli", label="bench/investment.py import"):
        c0, t0 = time.process_time(), time.perf_counter()
        plan = plan_dispatch(path, region=province, year=dispatch["year"], today=today)
        t1 = time.perf_counter()
        summary = apply_dispatch(plan)
        t2, c2 = time.perf_counter(), time.process_time()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    rows = summary["rows"]
    written = {
        "reports_written": MonthlyReport.objects.count() - reports_before,
        "change_records": ChangeRecord.objects.count() - records_before,
    }
    return {
        **written,
        "write_floor_s": write_floor(dispatch["year"], last_record),
        "import_cpu_s": round(c2 - c0, 2),  # this process (SQLite's work included; not PostgreSQL's)
        "rows": rows,
        "plan_s": round(t1 - t0, 3),
        "apply_s": round(t2 - t1, 3),
        "total_s": round(t2 - t0, 3),
        "rows_per_s": round(rows / (t2 - t0)),
        "reports_per_s": round(summary["reports_new"] / (t2 - t0)),
        "summary": summary,
        "calamine_read": common.summary(common.timed(calamine, 5, warmup=1)),
    }


def write_floor(year: int, last_record: int) -> float:
    """Seconds to write the import's rows again with nothing but the database's own work: the new reports (as
    stored, moved to an unused year) and their change records (as stored) read back as tuples, then the same
    INSERTs (executemany on SQLite, COPY on PostgreSQL, through core.bulk.insert_columns) in one transaction
    with its commit. What any importer of this table must wait for: the rows and their indexes."""
    from django.db import connection, transaction

    from tuijin.core.bulk import insert_columns
    from tuijin.core.models import ChangeRecord
    from tuijin.investment.models import MonthlyReport

    def stored(model, where: str, params: list) -> tuple[list[str], list[tuple]]:
        cols = [f.column for f in model._meta.concrete_fields if not f.primary_key]
        with connection.cursor() as cur:
            # JSON as its text (what ChangeRows hands the database), the other values as they come back
            qn = connection.ops.quote_name
            names = [f"CAST({qn(c)} AS TEXT)" if c in ("before", "after") else qn(c) for c in cols]
            cur.execute(f"SELECT {', '.join(names)} FROM {model._meta.db_table} WHERE {where}", params)  # noqa: S608
            return cols, cur.fetchall()

    rep_cols, reports = stored(MonthlyReport, "year = %s", [year])
    i = rep_cols.index("year")
    reports = [(*r[:i], 2099, *r[i + 1 :]) for r in reports]
    rec_cols, records = stored(ChangeRecord, "id > %s", [last_record])
    t0 = time.perf_counter()
    with transaction.atomic():
        insert_columns(MonthlyReport, rep_cols, reports)
        insert_columns(ChangeRecord, rec_cols, records)
    return round(time.perf_counter() - t0, 3)


def burst_prepare(db: str, n: int, workers: int) -> dict:
    """On the burst copy: an enterprise user with an API token for each enterprise among `n` projects (distinct
    projects), and each worker's share of (token, project, amount)."""
    common.setup_django(gen.database_url(db, copy="burst"))
    import random

    from tuijin.accounts.choices import Role
    from tuijin.accounts.models import APIToken, User
    from tuijin.investment.models import MonthlyReport
    from tuijin.projects.models import Project

    rng = random.Random(5)
    projects = list(Project.objects.order_by("pk").values_list("pk", "enterprise_id", "region_id", "total_investment"))
    chosen = rng.sample(projects, n)
    tokens: dict[int, str] = {}
    for _pid, ent, region, _total in chosen:
        if ent in tokens:
            continue
        user = User(username=f"ent{ent}", role=Role.ENTERPRISE, organization_id=ent, region_id=region)
        user.set_unusable_password()
        user.save()
        tokens[ent] = APIToken.issue(user=user, name="burst")[1]
    jobs = [
        {"token": tokens[ent], "project": pid, "invested": str((total / 1000).quantize(Decimal("0.01")))}
        for pid, ent, _r, total in chosen
    ]
    shares = [jobs[i::workers] for i in range(workers)]
    before = MonthlyReport.objects.count()
    return {"shares": shares, "users": len(tokens), "reports_before": before}


def worker_burst(db: str, share_file: str, start_at: float, mode: str = "one") -> dict:
    """Submit this worker's share: one request each ("submit": true), or with `mode` "two" save then submit."""
    os.environ["DATABASE_URL"] = gen.database_url(db, copy="burst")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuijin.settings")
    sys.path.insert(0, str(common.ROOT))
    import django

    django.setup()
    from django.test import Client

    jobs = json.loads(Path(share_file).read_text())
    year, month = gen.BURST_YEAR, gen.BURST_MONTH
    client = Client()
    client.get("/api/v1/openapi.json")  # import everything before the start
    ok, failed, latencies, errors = 0, 0, [], []
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    started = time.time()
    cpu0, server0 = time.process_time(), backend_cpu_ms()
    t0 = time.perf_counter()
    for job in jobs:
        auth = {"HTTP_AUTHORIZATION": f"Bearer {job['token']}"}
        s = time.perf_counter()
        body = {"project": job["project"], "year": year, "month": month, "invested": job["invested"]}
        if mode == "one":
            body["submit"] = True
        r = client.post("/api/v1/investment/reports", body, content_type="application/json", **auth)
        if r.status_code not in (200, 201):
            failed += 1
            errors.append((r.status_code, r.content[:200].decode("utf-8", "replace")))
            continue
        if mode != "one":
            rid = r.json()["id"]
            r = client.post(f"/api/v1/investment/reports/{rid}/submit", content_type="application/json", **auth)
        if r.status_code not in (200, 201) or r.json()["status"] != "submitted":
            failed += 1
            errors.append((r.status_code, r.content[:200].decode("utf-8", "replace")))
            continue
        ok += 1
        latencies.append((time.perf_counter() - s) * 1000)
    t1 = time.perf_counter()
    cpu = (time.process_time() - cpu0) * 1000
    server = backend_cpu_ms() - server0
    return {
        "started": started,
        "client_cpu_ms": cpu,
        "server_cpu_ms": server,
        "ok": ok,
        "failed": failed,
        "errors": errors[:5],
        "seconds": t1 - t0,
        "end": time.time(),
        "latency": common.summary(latencies) if latencies else None,
    }


def burst_count(db: str) -> dict:
    common.setup_django(gen.database_url(db, copy="burst"))
    from tuijin.core.models import ChangeRecord
    from tuijin.investment.models import MonthlyReport

    qs = MonthlyReport.objects.filter(year=gen.BURST_YEAR, month=gen.BURST_MONTH)
    return {
        "reports": qs.count(),
        "submitted": qs.filter(status="submitted", submitted_at__isnull=False).count(),
        "change_records": ChangeRecord.objects.filter(content_type__model="monthlyreport").count(),
    }


# ---------------------------------------------------------------- orchestration


def dataset_ready(db: str) -> bool:
    if not gen.manifest_path(db).exists() or not gen.DISPATCH_XLSX.exists():
        return False
    if db == "sqlite":
        return (common.DATA / "investment.sqlite3").exists()
    import psycopg

    with psycopg.connect(f"{common.PG_SERVER}/postgres") as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [gen.PG_NAME]).fetchone() is not None


def fresh_copy(db: str, copy: str) -> None:
    if db == "sqlite":
        target = common.DATA / f"investment-{copy}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(common.DATA / "investment.sqlite3", target)
    else:
        common.pg_admin(f"DROP DATABASE IF EXISTS {gen.PG_NAME}_{copy} WITH (FORCE)")
        common.pg_admin(f"CREATE DATABASE {gen.PG_NAME}_{copy} TEMPLATE {gen.PG_NAME}")


def drop_copy(db: str, copy: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{common.DATA / f'investment-{copy}.sqlite3'}{suffix}").unlink(missing_ok=True)
    else:
        common.pg_admin(f"DROP DATABASE IF EXISTS {gen.PG_NAME}_{copy} WITH (FORCE)")


def run_worker(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"worker {args} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_burst(db: str, n: int, workers: int, mode: str = "one") -> dict:
    fresh_copy(db, "burst")
    prep = run_worker("burst-prepare", "--db", db, "--burst", str(n), "--workers", str(workers))
    files = []
    for i, share in enumerate(prep["shares"]):
        f = common.DATA / f"burst-{db}-{i}.json"
        f.write_text(json.dumps(share))
        files.append(f)
    start_at = time.time() + 8 + workers  # every worker set up and waiting before the start
    procs = [
        subprocess.Popen(
            [
                *(sys.executable, __file__, "--worker", "burst", "--db", db, "--share", str(f)),
                *("--start-at", str(start_at), "--burst-mode", mode),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    results = []
    for p in procs:
        out, err = p.communicate()
        if p.returncode != 0:
            sys.stderr.write(err)
            raise SystemExit("burst worker failed")
        results.append(json.loads(out.strip().splitlines()[-1]))
    for f in files:
        f.unlink(missing_ok=True)
    late_start = min(r["started"] for r in results) - start_at
    wall = max(r["end"] for r in results) - min(r["started"] for r in results)
    cpu_per = sum(r["client_cpu_ms"] + r["server_cpu_ms"] for r in results) / max(1, sum(r["ok"] for r in results))
    ok = sum(r["ok"] for r in results)
    counted = run_worker("burst-count", "--db", db)
    latencies = sorted(x for r in results if r["latency"] for x in (r["latency"]["p50"],))
    drop_copy(db, "burst")
    return {
        "attempted": n,
        "mode": mode,
        "workers": workers,
        "enterprise_users": prep["users"],
        "ok": ok,
        "failed": sum(r["failed"] for r in results),
        "errors": [e for r in results for e in r["errors"]][:5],
        "wall_s": round(wall, 2),
        "start_skew_s": round(late_start, 2),
        "submissions_per_s": round(ok / wall, 1),
        "cpu_ms_per_submission": round(cpu_per, 1),
        "client_cpu_ms_per_submission": round(sum(r["client_cpu_ms"] for r in results) / max(1, ok), 1),
        "capacity_per_s_on_idle_cores": round(os.cpu_count() * 1000 / cpu_per, 1) if cpu_per else None,
        "worker_p50_ms": latencies,
        "worker_p95_ms": [r["latency"]["p95"] for r in results if r["latency"]],
        "in_database": counted,
        "none_lost": counted["reports"] == n and counted["submitted"] == ok == n,
    }


def bench_db(db: str, args) -> dict:
    if args.regenerate or not dataset_ready(db):
        print(f"[{db}] generating the dataset (minutes) …", flush=True)
        subprocess.run(
            [sys.executable, str(Path(__file__).with_name("investment_generate.py")), "--db", db],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    result = {"db": db, "machine": common.machine()}
    if "stats" in args.only:
        print(f"[{db}] investment stats endpoint and floor ({args.runs} runs each) …", flush=True)
        for index in ("schema", "proposed") if args.index == "both" else (args.index,):
            key = "stats" if index == "schema" else "stats_proposed_index"
            result[key] = run_worker("read", "--db", db, "--runs", str(args.runs), "--index", index)
        if args.index != "proposed":
            run_worker("index-off", "--db", db)
    if "import" in args.only:
        imports = []
        for i in range(args.import_runs):
            print(f"[{db}] dispatch import {i + 1}/{args.import_runs} on a fresh copy …", flush=True)
            fresh_copy(db, "import")
            extra = ["--profile-file", str(common.DATA / f"dispatch-{db}.prof")] if args.profile and i == 0 else []
            imports.append(run_worker("import", "--db", db, *extra))
        drop_copy(db, "import")
        rates = sorted(r["rows_per_s"] for r in imports)
        result["import"] = {"runs": imports, "rows_per_s_median": rates[len(rates) // 2], "rows_per_s_min": rates[0]}
    if "burst" in args.only:
        print(f"[{db}] submission burst: {args.burst} reports from {args.workers} processes …", flush=True)
        result["burst"] = run_burst(db, args.burst, args.workers, args.burst_mode)
    result["machine"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    common.DATA.mkdir(parents=True, exist_ok=True)
    (common.DATA / f"results-investment-{db}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def markdown(results: list[dict]) -> str:
    lines = ["| database | measurement | p50 | p95 | target | |", "|---|---|---:|---:|---|---|"]
    for r in results:
        db = r["db"]
        for who, res in [
            (f"{w}{', proposed index' if key != 'stats' else ''}", v)
            for key in ("stats", "stats_proposed_index")
            for w, v in r.get(key, {}).items()
        ]:
            if not isinstance(res, dict) or "floor" not in res:
                continue
            floor, stats = res["floor"], res["stats"]
            ratio = stats["p95"] / floor["p95"] if floor["p95"] else 0
            ok = stats["p95"] <= TARGETS["stats_p95_ms"] and ratio <= TARGETS["stats_vs_floor"]
            lines.append(
                f"| {db} | stats, {who} ({res['projects']:,} projects): {res['stats_source']} | {stats['p50']} ms | "
                f"{stats['p95']} ms | ≤ 150 ms and ≤ 2× floor (is {ratio:.2f}×) | {verdict(ok)} |"
            )
            lines.append(
                f"| {db} | floor: one SQL query (figures equal: {res['figures_equal_floor']}) | {floor['p50']} ms | "
                f"{floor['p95']} ms | | |"
            )
            if "floor_summary" in res:
                fs = res["floor_summary"]
                sratio = stats["p95"] / fs["p95"] if fs["p95"] else 0
                lines.append(
                    f"| {db} | second floor: the same query over the summary rows (figures equal: "
                    f"{res['floor_summary_equal']}); stats ÷ it: {sratio:.2f}× | {fs['p50']} ms | {fs['p95']} ms | | |"
                )
            sel, cpu, fcpu = res["selector_only"], res["selector_cpu"], res["floor_cpu"]
            lines.append(f"| {db} | selector alone (investment_payload) | {sel['p50']} ms | {sel['p95']} ms | | |")
            lines.append(
                f"| {db} | CPU time of this process: selector / floor | {cpu['p50']} / {fcpu['p50']} ms | "
                f"{cpu['p95']} / {fcpu['p95']} ms | | |"
            )
            if "floor_summary_cpu" in res:
                scpu = res["floor_summary_cpu"]
                lines.append(
                    f"| {db} | CPU time of this process: second floor (summary) | {scpu['p50']} ms | {scpu['p95']} ms "
                    "| | |"
                )
            if "server_cpu_mean" in res:
                sc = res["server_cpu_mean"]
                lines.append(
                    f"| {db} | CPU of the PostgreSQL backend, mean per call: selector / floor / second floor | "
                    f"{sc['selector']} / {sc['floor']} / {sc.get('floor_summary', '–')} ms | | | |"
                )
        imp = r.get("import")
        if imp:
            runs = imp["runs"]
            plan = "–".join(
                f"{x:.1f}" for x in sorted({min(u["plan_s"] for u in runs), max(u["plan_s"] for u in runs)})
            )
            apply = "–".join(
                f"{x:.1f}" for x in sorted({min(u["apply_s"] for u in runs), max(u["apply_s"] for u in runs)})
            )
            ok = imp["rows_per_s_median"] >= TARGETS["import_rows_per_s"]
            lines.append(
                f"| {db} | dispatch import, {runs[0]['rows']:,} rows × 10 months ({len(runs)} runs): plan {plan} s + "
                f"apply {apply} s | median {imp['rows_per_s_median']:,} rows/s | min {imp['rows_per_s_min']:,} rows/s "
                f"| ≥ 2,000 rows/s | {verdict(ok)} |"
            )
            cal = runs[0]["calamine_read"]
            lines.append(f"| {db} | floor: calamine read of the same file | {cal['p50']} ms | {cal['p95']} ms | | |")
            if all("write_floor_s" in u for u in runs):
                floors = sorted(u["write_floor_s"] for u in runs)
                cpus = sorted(u["import_cpu_s"] for u in runs)
                lines.append(
                    f"| {db} | floor: the same {runs[0]['reports_written']:,} reports + {runs[0]['change_records']:,} "
                    f"change records written as prepared tuples (insert_columns, one transaction) | median "
                    f"{floors[len(floors) // 2]} s (≤ {round(runs[0]['rows'] / floors[len(floors) // 2]):,} rows/s) | "
                    f"min {floors[0]} s | | |"
                )
                lines.append(f"| {db} | import CPU time of this process (median) | {cpus[len(cpus) // 2]} s | | | |")
        b = r.get("burst")
        if b:
            ok = b["submissions_per_s"] >= TARGETS["submissions_per_s"] and b["none_lost"]
            how = (
                'one request each, "submit": true'
                if b.get("mode", "two") == "one"
                else "two requests each: save, then submit"
            )
            lines.append(
                f"| {db} | submission burst: {b['attempted']:,} reports ({how}) from {b['workers']} processes, "
                f"{b['enterprise_users']:,} enterprise tokens; {b['in_database']['submitted']:,} submitted in the "
                f"database, none lost: {b['none_lost']} | {b['submissions_per_s']}/s over {b['wall_s']} s | "
                f"per-worker p95 {max(b['worker_p95_ms'])} ms | ≥ 100/s, none lost | {verdict(ok)} |"
            )
            lines.append(
                f"| {db} | CPU per submission (workers + database backends): {b['cpu_ms_per_submission']} ms; "
                f"{os.cpu_count()} idle cores would sustain ≈ {b['capacity_per_s_on_idle_cores']}/s | | | | |"
            )
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--burst", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument(
        "--burst-mode",
        choices=["one", "two"],
        default="one",
        help='burst submissions: one request ("submit": true) or two (save, then submit), for comparison',
    )
    parser.add_argument("--only", default="stats,import,burst")
    parser.add_argument(
        "--index",
        choices=["schema", "proposed", "both"],
        default="both",
        help="stats on the schema as it is, with the proposed covering index, or both",
    )
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--profile-file", help=argparse.SUPPRESS)
    parser.add_argument("--share", help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        if args.worker == "read":
            out = worker_read(args.db, args.runs, args.index)
        elif args.worker == "index-off":
            common.setup_django(gen.database_url(args.db))
            set_proposed_index(False)
            out = {}
        elif args.worker == "import":
            out = worker_import(args.db, args.profile_file)
        elif args.worker == "burst-prepare":
            out = burst_prepare(args.db, args.burst, args.workers)
        elif args.worker == "burst":
            out = worker_burst(args.db, args.share, args.start_at, args.burst_mode)
        else:
            out = burst_count(args.db)
        print(json.dumps(out, ensure_ascii=False, default=str))
        return
    args.only = set(args.only.split(","))
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [bench_db(db, args) for db in dbs]
    m = results[0]["machine"]
    print(
        f"\n{m['date']} · {m['nproc']} × {m['cpu']} · {m['ram']} · Python {m['python']} · SQLite {m['sqlite']} · "
        f"PostgreSQL {m['postgres']} · load average {m['loadavg']} (after: {m['loadavg_after']})\n"
    )
    print(markdown(results))


if __name__ == "__main__":
    main()
