"""The portfolio Gantt (挂图作战) with 2,000 projects: server time of the page and time until Chromium has drawn it.

    .venv/bin/python bench/schedule_gantt.py [--db sqlite|postgres] [--projects 2000] [--runs 10] [--regenerate]

Builds its own database (bench/data/gantt-<db>.sqlite3 or tuijin_bench_gantt on PostgreSQL): one zone with
`--projects` projects, each with the standard 19-node checklist, a target on 投产, progress on the first nodes
(some late, some at risk) and a listing in one of the three batches. Rows are written with bulk_create (the
change log is set aside for generation, as in bench/generate.py).

Reports (a) the server time of GET /schedule/portfolio/ (Django test client, p50/p95) and of the same page
grouped by leader, with the page size; (b) in Chromium (/usr/bin/chromium through Playwright, 1440×900):
navigation start → the chart's first frame (window.tjGanttDrawn, set by gantt.js on ECharts' "finished"
event), cold and warm, and the time to scroll the chart by 500 rows and redraw.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

PASSWORD = "Bench#gantt2025"
LEADERS = ["王明", "李强", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄涛", "周敏", "吴刚", "徐丽", "孙浩"]
WORDS = [
    "新能源",
    "智能装备",
    "生物医药",
    "新材料",
    "电子信息",
    "汽车零部件",
    "高端轴承",
    "储能电池",
    "光伏组件",
    "数据中心",
]
KINDS = ["产业园", "生产线", "研发中心", "制造基地", "二期项目", "智能工厂"]


def url_for(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{common.DATA / 'gantt-sqlite.sqlite3'}"
    return f"{common.PG_SERVER}/tuijin_bench_gantt"


def prepare(db: str, regenerate: bool) -> None:
    common.DATA.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        path = common.DATA / "gantt-sqlite.sqlite3"
        if regenerate and path.exists():
            path.unlink()
        fresh = not path.exists()
    else:
        import psycopg

        with psycopg.connect(f"{common.PG_SERVER}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'tuijin_bench_gantt'").fetchone()
        if exists and regenerate:
            common.pg_admin("DROP DATABASE tuijin_bench_gantt")
            exists = None
        if not exists:
            common.pg_admin("CREATE DATABASE tuijin_bench_gantt")
        fresh = not exists
    os.environ["TUIJIN_BENCH_FRESH"] = "1" if fresh else ""


def generate(projects: int) -> None:
    from django.core.management import call_command

    from tuijin.accounts.choices import OrganizationKind, Role
    from tuijin.accounts.models import Leader, Organization, User
    from tuijin.projects.models import Listing, Period, Project
    from tuijin.regions.models import Region
    from tuijin.schedule.models import NodeDependency, NodeTemplate, ProjectNode, ScheduleTarget

    call_command("migrate", verbosity=0)
    if Project.objects.count() >= projects:
        return
    t0 = time.perf_counter()
    rng = random.Random(11)
    today = datetime.date.today()
    henan = Region.objects.create(code="410000", name="河南省")
    zz = Region.objects.create(code="410100", name="郑州市", parent=henan)
    zone = Region.objects.create(code="410171", name="郑州经济技术开发区", parent=zz)
    ents = [
        Organization.objects.create(name=f"郑州{w}{k}有限公司", region=zone, kind=OrganizationKind.ENTERPRISE)
        for w in WORDS
        for k in KINDS[:3]
    ]
    dept = Organization.objects.create(name="经开区发展改革局", region=zone, kind=OrganizationKind.DEPARTMENT)
    leaders = [Leader.objects.create(name=n, region=zone, title="管委会副主任") for n in LEADERS]
    period = Period.objects.create(number=1, date=today - datetime.timedelta(days=90))
    user = User(username="bench_gantt", role=Role.ADMIN, region=zone, is_superuser=True, is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    rows = []
    for i in range(projects):
        signed = today - datetime.timedelta(days=rng.randint(20, 500))
        rows.append(
            Project(
                code=f"410171-{i + 1:05d}",
                name=f"{rng.choice(WORDS)}{rng.choice(KINDS)}{i + 1:04d}",
                region=zone,
                enterprise=rng.choice(ents),
                total_investment=rng.randint(5000, 300000),
                leader=rng.choice(leaders),
                responsible_unit=dept,
                signed_on=signed,
                industry=rng.choice(WORDS),
            )
        )
    for p in rows:
        p.name_key = p.name
    Project.objects.bulk_create(rows, batch_size=500)
    projects_db = list(Project.objects.order_by("id"))
    Listing.objects.bulk_create(
        [Listing(project=p, period=period, batch=rng.choice(["signed", "started", "production"])) for p in projects_db],
        batch_size=1000,
    )
    template = NodeTemplate.objects.get(is_default=True)
    tnodes = list(template.nodes.order_by("order"))
    from tuijin.schedule.models import TemplateDependency

    tlinks = list(TemplateDependency.objects.filter(successor__template=template))
    nodes = []
    for p in projects_db:
        done = rng.randint(0, 10)
        day = p.signed_on
        for k, tn in enumerate(tnodes):
            start = finish = None
            if 0 < k <= done and not tn.milestone:
                start = day
                finish = min(
                    today - datetime.timedelta(days=1),
                    day + datetime.timedelta(days=(tn.duration or 1) + rng.randint(0, 20)),
                )
                if finish < start:
                    start = finish = None
                else:
                    day = finish + datetime.timedelta(days=1)
            nodes.append(
                ProjectNode(
                    project=p,
                    name=tn.name,
                    order=tn.order,
                    duration=tn.duration,
                    calendar=tn.calendar,
                    milestone=tn.milestone,
                    responsible_unit=dept if not tn.milestone else None,
                    actual_start=start,
                    actual_finish=finish,
                )
            )
    ProjectNode.objects.bulk_create(nodes, batch_size=2000)
    by_key = {(n.project_id, n.name): n.pk for n in ProjectNode.objects.only("id", "project_id", "name")}
    links = []
    for p in projects_db:
        for link in tlinks:
            links.append(
                NodeDependency(
                    predecessor_id=by_key[(p.pk, link.predecessor.name)],
                    successor_id=by_key[(p.pk, link.successor.name)],
                    type=link.type,
                    lag=link.lag,
                )
            )
    NodeDependency.objects.bulk_create(links, batch_size=2000)
    ScheduleTarget.objects.bulk_create(
        [
            ScheduleTarget(
                project=p,
                node_id=by_key[(p.pk, "投产")],
                date=today + datetime.timedelta(days=rng.choice([300, 450, 600, 720, 900])),
            )
            for p in projects_db
        ],
        batch_size=1000,
    )
    print(f"generated {projects} projects in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


def server_times(runs: int) -> dict:
    from django.test import Client

    from tuijin.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="bench_gantt"))
    wall, cpu = timed_cpu(read_floor, runs)
    out = {"floor_read_networks": {**common.summary(wall), "cpu": common.summary(cpu)}}
    for label, path in (
        ("portfolio", "/schedule/portfolio/"),
        ("portfolio_by_leader", "/schedule/portfolio/?group=leader"),
        ("warning_board", "/schedule/warnings/"),
        ("warning_board_by_leader", "/schedule/warnings/?by=leader"),
    ):
        # The first request of the process schedules every project; later ones find the schedules of unchanged
        # projects in the engine's memo (selectors._MEMO), as a running server does between edits.
        t0 = time.perf_counter()
        size = len(client.get(path).content)
        first = (time.perf_counter() - t0) * 1000
        wall, cpu = timed_cpu(lambda p=path: client.get(p), runs)
        out[label] = {**common.summary(wall), "cpu": common.summary(cpu), "bytes": size, "first_ms": round(first, 1)}
    from tuijin.schedule import selectors

    selectors._MEMO.clear()  # every run cold: what a change to every project (or a new day) costs
    cold, cold_cpu = [], []
    for _ in range(max(3, runs // 2)):
        selectors._MEMO.clear()
        t0, c0 = time.perf_counter(), time.process_time()
        client.get("/schedule/portfolio/")
        cold.append((time.perf_counter() - t0) * 1000)
        cold_cpu.append((time.process_time() - c0) * 1000)
    out["portfolio_cold"] = {**common.summary(cold), "cpu": common.summary(cold_cpu)}
    return out


def timed_cpu(fn, runs: int, warmup: int = 1) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per call: on a shared machine the CPU time says what the request costs, the wall
    time what a user waits (which includes the other sessions' load)."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def read_floor() -> None:
    """The floor: the rows the page needs (every node and link of the zone), read by two hand-written queries
    through the raw cursor, nothing built from them."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT project_id, name, duration, calendar, actual_start, actual_finish, planned_finish, milestone, id "
            'FROM schedule_projectnode ORDER BY project_id, "order", id'
        )
        cur.fetchall()
        cur.execute("SELECT predecessor_id, successor_id, type, lag FROM schedule_nodedependency ORDER BY id")
        cur.fetchall()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser_times(url: str, runs: int) -> dict:
    """Start `tuijin runserver` on a free loopback port and time the chart in Chromium."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "tuijin", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=common.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(60000)
            page.goto(base + "/accounts/login/")
            page.fill("input[name=username]", "bench_gantt")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(lambda u: "/accounts/login/" not in u)
            drawn, load, scroll = [], [], []
            for _ in range(runs):
                page.goto(base + "/schedule/portfolio/")
                page.wait_for_function("window.tjGanttDrawn !== undefined")
                drawn.append(page.evaluate("window.tjGanttDrawn"))
                load.append(page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd"))
                ms = page.evaluate("""() => new Promise(resolve => {
                    const chart = echarts.getInstanceByDom(document.getElementById('portfolio-gantt'));
                    const t0 = performance.now();
                    chart.on('finished', function f() { chart.off('finished', f); resolve(performance.now() - t0); });
                    chart.dispatchAction({type: 'dataZoom', dataZoomIndex: 0, startValue: 500, endValue: 530});
                })""")
                scroll.append(ms)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "navigation_to_drawn_ms": common.summary(drawn),
        "response_end_ms": common.summary(load),
        "scroll_500_rows_redraw_ms": common.summary(scroll),
        "first_run_drawn_ms": round(drawn[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    prepare(args.db, args.regenerate)
    url = url_for(args.db)
    common.setup_django(url)
    generate(args.projects)
    result = {"db": args.db, "projects": args.projects, "machine": common.machine(), "server": server_times(args.runs)}
    if not args.no_browser:
        result["chromium"] = browser_times(url, max(3, args.runs // 2))
    out = common.DATA / f"results-gantt-{args.db}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
