"""Benchmark of assessment (issue 6) at province scale, on SQLite and PostgreSQL (not a timed test).

    .venv/bin/python bench/assessment.py --db sqlite|postgres|both [--runs 3] [--regenerate]

Builds its own database (bench/data/assessment.sqlite3, PostgreSQL tuijin_bench_assessment): the province ledger of
bench/generate.py (河南省, 18 cities, 48 zones, 20,000 projects, 12 departments and 8 leaders per zone, annual
plans), plus a year of 2022 for every formula to read: the monthly reports of every project with a 2022 plan (about
nine in ten months reported, some late), 6 checklist nodes per project due in 2022 (some late, some unfinished),
300 tasks and 150 problems per zone in every state. Then times `services.assessment_compute` (formulas, rules,
ranking, and writing the scores: a recompute replaces the draft) for
  (a) `province` × the 18 cities × the year 2022 (the target: ≤ 10 s),
  (b) `zone-monthly` × every responsible unit of the 18 cities (576) × the year 2022,
  (c) `zone-monthly` × every leader of the province × the year 2022,
  (d) `zone-monthly` × the units of one zone (郑州经开区) × 2022-11,
p50 and max over --runs after one warm-up. The extra data is bulk-inserted without change records (the benchmark
measures the assessment, not the generator). Results: bench/data/results-assessment-<db>.json and a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

D = datetime.date
TARGET_S = 10.0
YEAR = 2022


def url_for(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{common.DATA / 'assessment.sqlite3'}"
    return f"{common.PG_SERVER}/tuijin_bench_assessment"


def fresh_database(db: str) -> None:
    common.DATA.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(common.DATA / "assessment.sqlite3") + suffix).unlink(missing_ok=True)
    else:
        common.pg_admin("DROP DATABASE IF EXISTS tuijin_bench_assessment WITH (FORCE)")
        common.pg_admin("CREATE DATABASE tuijin_bench_assessment")


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def enrich(seed: int = 11) -> dict:
    """A year (2022) of reports, nodes, tasks and problems on top of the generated ledger."""
    from django.db import transaction

    from tuijin.accounts.choices import OrganizationKind
    from tuijin.accounts.models import Organization, User
    from tuijin.coordination.models import Problem, ProblemCategory, Task
    from tuijin.core.bulk import insert_rows
    from tuijin.investment.models import AnnualPlan, MonthlyReport
    from tuijin.investment.summary import refresh_reported
    from tuijin.projects.models import Project
    from tuijin.regions.models import Region
    from tuijin.schedule.models import ProjectNode

    rng = random.Random(seed)
    cent = Decimal("0.01")
    counts = {}
    with transaction.atomic():
        plans = list(AnnualPlan.objects.filter(year=YEAR, amount__gt=0).values_list("project_id", "amount"))
        reports = []
        for pid, amount in plans:
            for month in range(1, 13):
                if rng.random() < 0.1:
                    continue  # not reported
                share = Decimal(rng.uniform(0.3, 1.4)).quantize(Decimal("0.001"))
                submitted = datetime.datetime(
                    YEAR + (month == 12), month % 12 + 1, rng.randint(1, 9), 9, tzinfo=datetime.UTC
                )
                reports.append(
                    MonthlyReport(
                        project_id=pid,
                        year=YEAR,
                        month=month,
                        invested=(amount / 12 * share).quantize(cent),
                        status="accepted",
                        submitted_at=submitted,
                        late=submitted.day > 5,
                    )
                )
        counts["monthly_reports"] = insert_rows(MonthlyReport, reports)
        refresh_reported(pairs={(r.project_id, r.year) for r in reports})  # the statistics' summary (core.bulk)

        nodes = []
        names = ["立项备案", "用地预审", "土地摘牌", "规划许可", "施工图审查", "施工许可"]
        for pid in Project.objects.values_list("pk", flat=True):
            for order, name in enumerate(names, start=1):
                due = _day(rng, D(YEAR, 1, 1), D(YEAR, 12, 31))
                r = rng.random()
                finished = (
                    None
                    if r < 0.2
                    else due - datetime.timedelta(days=rng.randrange(30))
                    if r < 0.75
                    else due + datetime.timedelta(days=rng.randrange(1, 60))
                )
                nodes.append(
                    ProjectNode(
                        project_id=pid, name=name, order=order, duration=10, planned_finish=due, actual_finish=finished
                    )
                )
        counts["nodes"] = insert_rows(ProjectNode, nodes)

        assigner = User.objects.filter(is_superuser=True).first()
        category = ProblemCategory.objects.order_by("order").first()
        tasks, problems = [], []
        for zone in Region.objects.filter(level="county"):
            units = list(
                Organization.objects.filter(region=zone, kind=OrganizationKind.DEPARTMENT).values_list("pk", flat=True)
            )
            projects = list(Project.objects.filter(region=zone).values_list("pk", flat=True))
            if not units or not projects:
                continue
            for _i in range(300):
                deadline = _day(rng, D(YEAR, 1, 15), D(YEAR, 12, 31))
                assigned = deadline - datetime.timedelta(days=rng.randrange(10, 60))
                r = rng.random()
                done = closed = None
                state = "accepted"
                if r < 0.65:
                    done = (
                        deadline - datetime.timedelta(days=rng.randrange(10))
                        if rng.random() < 0.75
                        else deadline + datetime.timedelta(days=rng.randrange(1, 30))
                    )
                    done = max(done, assigned)
                    closed, state = done + datetime.timedelta(days=rng.randrange(5)), "closed"
                tasks.append(
                    Task(
                        region=zone,
                        source="ad_hoc",
                        content="协调推进项目建设",
                        project_id=rng.choice(projects),
                        lead_unit_id=rng.choice(units),
                        assigned_on=assigned,
                        deadline=deadline,
                        original_deadline=deadline,
                        assigner=assigner,
                        state=state,
                        done_on=done,
                        closed_on=closed,
                    )  # fmt: skip
                )
            for _i in range(150):
                raised = _day(rng, D(YEAR, 1, 1), D(YEAR, 12, 20))
                r = rng.random()
                solved = confirmed = None
                state = "in_progress"
                if r < 0.75:
                    solved, state = raised + datetime.timedelta(days=rng.randrange(1, 60)), "solved"
                    if r < 0.6:
                        confirmed, state = solved + datetime.timedelta(days=rng.randrange(1, 10)), "confirmed"
                problems.append(
                    Problem(
                        region=zone,
                        project_id=rng.choice(projects),
                        source="office",
                        raised_on=raised,
                        category=category,
                        description="要素保障问题",
                        assigned_unit_id=rng.choice(units),
                        deadline=raised + datetime.timedelta(days=30),
                        state=state,
                        solved_on=solved,
                        confirmed_on=confirmed,
                    )  # fmt: skip
                )
        counts["tasks"] = insert_rows(Task, tasks)
        counts["problems"] = insert_rows(Problem, problems)
    return counts


def child(db: str, runs: int, regenerate: bool) -> dict:
    url = url_for(db)
    if regenerate or (db == "sqlite" and not (common.DATA / "assessment.sqlite3").exists()):
        fresh_database(db)
    try:
        common.setup_django(url)
    except Exception:  # noqa: BLE001 - the PostgreSQL database does not exist yet
        fresh_database(db)
        common.setup_django(url)
    from django.db import connection

    from tuijin.assessment import services
    from tuijin.assessment.models import Score
    from tuijin.assessment.shipped import ensure_shipped_schemes
    from tuijin.projects.models import Project
    from tuijin.regions.models import Region

    made = {}
    if not Project.objects.exists():
        import generate

        t0 = time.perf_counter()
        world = generate.World(7, 20000)
        world.build()
        made = generate.write_database(world)
        made.update(enrich())
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        made["generate_seconds"] = round(time.perf_counter() - t0, 1)
    ensure_shipped_schemes()
    province, monthly = services.scheme_by_name("province"), services.scheme_by_name("zone-monthly")
    henan, jingkai = Region.objects.get(code="410000"), Region.objects.get(code="410171")
    cases = {
        "province × 18 cities × 2022": dict(scheme=province, period="2022", region=henan),
        "zone-monthly × province's units × 2022": dict(scheme=monthly, period="2022", region=henan),
        "zone-monthly × province's leaders × 2022": dict(
            scheme=monthly, period="2022", region=henan, subjects="leaders"
        ),
        "zone-monthly × 郑州经开区 units × 2022-11": dict(scheme=monthly, period="2022-11", region=jingkai),
    }
    results = {}
    for name, kwargs in cases.items():
        samples = [s / 1000 for s in common.timed(lambda kw=kwargs: services.assessment_compute(**kw), runs, warmup=1)]
        a = services.assessment_compute(**kwargs)
        results[name] = {
            "p50_s": round(sorted(samples)[len(samples) // 2], 2),
            "max_s": round(max(samples), 2),
            "subjects": Score.objects.filter(assessment=a).count(),
            "top": list(Score.objects.filter(assessment=a).order_by("rank").values_list("subject_label", "total")[:3]),
        }
    return {"db": db, "made": made, "results": results, "machine": common.machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        out = child(args.db, args.runs, args.regenerate)
        (common.DATA / f"results-assessment-{args.db}.json").write_text(
            json.dumps(out, ensure_ascii=False, indent=2, default=str)
        )
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    rows = []
    for db in dbs:
        cmd = [sys.executable, __file__, "--db", db, "--runs", str(args.runs), "--child"]
        if args.regenerate:
            cmd.append("--regenerate")
        subprocess.run(cmd, check=True)
        out = json.loads((common.DATA / f"results-assessment-{db}.json").read_text())
        for name, r in out["results"].items():
            rows.append((db, name, r))
        print(f"{db}: {out['machine']}")
    print(f"\n| db | assessment | subjects | p50 s | max s | target ≤ {TARGET_S:g} s |")
    print("|---|---|---|---|---|---|")
    for db, name, r in rows:
        ok = "met" if r["max_s"] <= TARGET_S else "missed"
        print(f"| {db} | {name} | {r['subjects']} | {r['p50_s']} | {r['max_s']} | {ok} |")


if __name__ == "__main__":
    main()
