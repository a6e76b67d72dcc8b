"""Benchmarks of coordination (issue 5) on SQLite and PostgreSQL (not timed tests).

    .venv/bin/python bench/coordination.py --db sqlite|postgres|both [--runs 30] [--zones 18]

Builds its own database (bench/data/coordination.sqlite3, PostgreSQL tuijin_bench_coordination) with a
province-year of coordination: `--zones` zones (default 18), each with a zone-year of 50 weekly meetings,
500 tasks and 300 problems in every state, 10 departments with a user each, over 2023. Then, per database:
  (a) the statistics (`coordination_payload`, the contract of `tuijin stats coordination` and
      GET /api/v1/stats/coordination) for the whole year, province-wide and for one zone, p50/p95, beside the
      floor: the same figures from hand-written SQL (four queries, checked equal), and the API endpoint for the
      province superuser;
  (b) the supervision run `supervise(as_of=2023-12-01)`: as a dry run (all the work, rolled back) p50/p95, the
      real run once (steps and letters written), and the same day again (idempotent: nothing new) p50/p95;
  (c) the documents: `minutes_docx` of a 20-item meeting (information, decisions and 30 tasks, attendance of 10
      units, 2 items carried over) and `letter_docx` of a 督办函, p50/p95 with their query counts;
  (d) sending notifications: 1,000 robot messages queued by `notify()` to 50 units' WeCom and DingTalk (加签)
      robots, sent by `send_pending()` (the `tuijin send-notifications` service: claim, send, mark) to a local
      threaded HTTP receiver in its own process that checks each message's format and answers {"errcode": 0};
      messages/s beside the floor: the same 1,000 payloads POSTed with bare urllib to the same receiver.
The data is bulk-inserted (no change records: the benchmark measures reads and the ladder, not the generator).
On PostgreSQL the tables are ANALYZEd after the bulk insert, as autovacuum would do on a live database.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import random
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

D = datetime.date
YEAR_START, YEAR_END, AS_OF = D(2023, 1, 1), D(2023, 12, 31), D(2023, 12, 1)
TARGET_P95_MS = 100


def url_for(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{common.DATA / 'coordination.sqlite3'}"
    return f"{common.PG_SERVER}/tuijin_bench_coordination"


def fresh_database(db: str) -> None:
    common.DATA.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(common.DATA / "coordination.sqlite3") + suffix).unlink(missing_ok=True)
    else:
        common.pg_admin("DROP DATABASE IF EXISTS tuijin_bench_coordination")
        common.pg_admin("CREATE DATABASE tuijin_bench_coordination")


def generate(zones: int, seed: int = 5) -> dict:
    """A province-year: `zones` zones × (50 meetings, 500 tasks, 300 problems)."""
    from django.db import transaction

    from tuijin.accounts.choices import OrganizationKind, Role
    from tuijin.accounts.models import Organization, User
    from tuijin.coordination.models import Meeting, Problem, ProblemCategory, Task
    from tuijin.projects.models import Project
    from tuijin.regions.models import Region

    rnd = random.Random(seed)
    cats = list(ProblemCategory.objects.all())
    with transaction.atomic():
        province = Region.objects.create(code="410000", name="河南省")
        superuser = User.objects.create(username="root", role=Role.ADMIN, is_superuser=True, is_staff=True)
        zone_regions = []
        for z in range(zones):
            city = Region.objects.create(code=f"41{z + 1:02d}00", name=f"第{z + 1}市", parent=province)
            zone_regions.append(Region.objects.create(code=f"41{z + 1:02d}71", name=f"第{z + 1}开发区", parent=city))
        tasks, problems, meetings = [], [], []
        for zi, zone in enumerate(zone_regions):
            office = Organization.objects.create(kind=OrganizationKind.OFFICE, name=f"{zone.name}项目办", region=zone)
            admin = User.objects.create(username=f"office{zi}", role=Role.ADMIN, region=zone, organization=office)
            depts = [
                Organization.objects.create(kind=OrganizationKind.DEPARTMENT, name=f"{zone.name}部门{d}", region=zone)
                for d in range(10)
            ]
            for i, d in enumerate(depts):
                User.objects.create(username=f"dept{zi}_{i}", role=Role.DEPARTMENT, region=zone, organization=d)
            ents = [
                Organization.objects.create(kind=OrganizationKind.ENTERPRISE, name=f"{zone.name}企业{e}", region=zone)
                for e in range(30)
            ]
            projects = [
                Project.objects.create(
                    name=f"{zone.name}项目{p}", region=zone, enterprise=ents[p % 30], total_investment=10000
                )
                for p in range(60)
            ]
            for w in range(50):
                meetings.append(
                    Meeting(
                        region=zone,
                        kind="weekly",
                        year=2023,
                        number=w + 1,
                        date=D(2023, 1, 3) + datetime.timedelta(weeks=w),
                    )
                )
            for _ in range(500):
                assigned = YEAR_START + datetime.timedelta(days=rnd.randrange(330))
                deadline = assigned + datetime.timedelta(days=rnd.randrange(7, 60))
                state = rnd.choices(
                    ["closed", "reported_done", "in_progress", "accepted", "assigned", "sent_back"],
                    [60, 8, 15, 7, 7, 3],
                )[0]
                done = closed = None
                if state in ("closed", "reported_done"):
                    done = min(deadline + datetime.timedelta(days=rnd.randrange(-10, 8)), AS_OF)
                    done = max(done, assigned)
                    if state == "closed":
                        closed = min(done + datetime.timedelta(days=rnd.randrange(0, 5)), AS_OF)
                tasks.append(
                    Task(
                        region=zone,
                        content="协调事项",
                        project=rnd.choice(projects),
                        lead_unit=rnd.choice(depts),
                        assigned_on=assigned,
                        deadline=deadline,
                        original_deadline=deadline,
                        assigner=admin,
                        state=state,
                        done_on=done,
                        closed_on=closed,
                    )
                )
            for _ in range(300):
                raised = YEAR_START + datetime.timedelta(days=rnd.randrange(330))
                state = rnd.choices(["confirmed", "solved", "in_progress", "open", "reopened"], [50, 10, 20, 15, 5])[0]
                solved = None
                if state in ("confirmed", "solved"):
                    solved = min(raised + datetime.timedelta(days=rnd.randrange(3, 60)), AS_OF)
                problems.append(
                    Problem(
                        region=zone,
                        project=rnd.choice(projects),
                        source="enterprise",
                        raised_on=raised,
                        category=rnd.choice(cats),
                        description="要素保障问题",
                        level=rnd.choices(["zone", "city", "province"], [80, 15, 5])[0],
                        assigned_unit=rnd.choice(depts),
                        deadline=raised + datetime.timedelta(days=rnd.randrange(10, 60)),
                        state=state,
                        solved_on=solved,
                        confirmed_on=solved if state == "confirmed" else None,
                    )
                )
        Meeting.objects.bulk_create(meetings, batch_size=2000)
        Task.objects.bulk_create(tasks, batch_size=2000)
        Problem.objects.bulk_create(problems, batch_size=2000)
    return {"superuser": superuser.pk, "zone": zone_regions[0].code, "tasks": len(tasks), "problems": len(problems)}


def floor(vendor: str, region_path: str | None) -> dict:
    """The statistics from hand-written SQL (four queries)."""
    from django.db import connection

    days = "julianday(closed_on) - julianday(assigned_on)" if vendor == "sqlite" else "closed_on - assigned_on"
    scope = " AND r.path LIKE %s" if region_path else ""
    extra = [region_path + "%"] if region_path else []
    closed = "closed_on IS NOT NULL AND closed_on <= %s"
    in_time = "done_on IS NOT NULL AND done_on <= deadline"
    overdue = f"(closed_on IS NULL OR closed_on > %s) AND deadline < %s AND NOT ({in_time})"
    with connection.cursor() as c:
        c.execute(
            "SELECT COUNT(*) FROM coordination_meeting m JOIN regions_region r ON r.id = m.region_id "
            "WHERE m.date BETWEEN %s AND %s" + scope,
            [YEAR_START, YEAR_END, *extra],
        )
        meetings = c.fetchone()[0]
        c.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN {closed} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {closed} AND {in_time} THEN 1 ELSE 0 END), SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END), "
            f"AVG(CASE WHEN {closed} THEN {days} END) "
            "FROM coordination_task t JOIN regions_region r ON r.id = t.region_id "
            "WHERE t.assigned_on BETWEEN %s AND %s" + scope,
            [YEAR_END, YEAR_END, AS_OF, AS_OF, YEAR_END, YEAR_START, YEAR_END, *extra],
        )
        assigned, n_closed, on_time, n_overdue, avg = c.fetchone()
        c.execute(
            f"SELECT o.name, COUNT(*), SUM(CASE WHEN {closed} AND {in_time} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END) AS od "
            "FROM coordination_task t JOIN regions_region r ON r.id = t.region_id "
            "JOIN accounts_organization o ON o.id = t.lead_unit_id "
            "WHERE t.assigned_on BETWEEN %s AND %s"
            + scope
            + " GROUP BY o.id, o.name ORDER BY od DESC, COUNT(*) DESC, o.name",
            [YEAR_END, AS_OF, AS_OF, YEAR_START, YEAR_END, *extra],
        )
        units = c.fetchall()
        solved = "solved_on IS NOT NULL AND solved_on <= %s"
        c.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN {solved} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN NOT ({solved}) AND p.level = 'zone' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN NOT ({solved}) AND p.level = 'city' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN NOT ({solved}) AND p.level = 'province' THEN 1 ELSE 0 END) "
            "FROM coordination_problem p JOIN regions_region r ON r.id = p.region_id "
            "WHERE p.raised_on BETWEEN %s AND %s" + scope,
            [YEAR_END, YEAR_END, YEAR_END, YEAR_END, YEAR_START, YEAR_END, *extra],
        )
        raised, p_solved, zone, city, prov = c.fetchone()
    return {
        "meetings": meetings,
        "tasks": {
            "assigned": assigned,
            "closed": n_closed,
            "closed_on_time": on_time,
            "overdue": n_overdue,
            "avg_days_to_close": round(float(avg), 1) if avg is not None else None,
        },
        "problems": {
            "raised": raised,
            "solved": p_solved,
            "open_by_level": {"zone": zone, "city": city, "province": prov},
        },
        "by_unit": [{"unit": u, "tasks_assigned": a, "tasks_closed_on_time": o, "overdue": d} for u, a, o, d in units],
    }


def interleaved(fn, floor_fn, runs: int) -> tuple[dict, dict]:
    """Both timed in turn, run after run, so that a burst of load on a shared machine falls on both alike."""
    a, b = [], []
    for _ in range(3):
        fn(), floor_fn()
    for _ in range(runs):
        for f, out in ((fn, a), (floor_fn, b)):
            t0 = time.perf_counter()
            f()
            out.append((time.perf_counter() - t0) * 1000)
    return common.summary(a), common.summary(b)


def minutes_meeting(zone_code: str):
    """A 20-item weekly meeting of the zone built through the services: each item a project with information, a
    decision and one or two tasks (30 in all, with cooperating units), 10 units' attendance, 2 items carried over."""
    from tuijin.accounts.models import Organization, User
    from tuijin.coordination import services
    from tuijin.coordination.choices import Attendance, OutcomeKind, TaskSource
    from tuijin.projects.models import Project
    from tuijin.regions.models import Region

    zone = Region.objects.get(code=zone_code)
    office = User.objects.filter(region=zone, role="admin").first()
    depts = list(Organization.objects.filter(region=zone, kind="department").order_by("pk"))
    projects = list(Project.objects.filter(region=zone).order_by("pk")[:20])
    meeting = services.meeting_create(
        user=None, region=zone, date=D(2023, 12, 4), number=99, chair="王明", place="管委会三楼会议室"
    )
    kinds = list(Attendance.values)
    for i, d in enumerate(depts):
        services.attendee_add(user=None, meeting=meeting, organization=d, name=f"负责人{i}", attendance=kinds[i % 4])
    for i, project in enumerate(projects):
        item = services.agenda_item_add(user=None, meeting=meeting, project=project, presenter=f"汇报人{i}")
        services.outcome_add(
            user=None, item=item, kind=OutcomeKind.INFORMATION, text="项目主体结构已封顶，正在进行设备安装"
        )
        services.outcome_add(user=None, item=item, kind=OutcomeKind.DECISION, text="年底前完成竣工验收，力争投产")
        for k in range(1 if i % 2 else 2):
            services.task_create(
                user=None,
                content=f"协调解决{project.name}第{k + 1}项要素保障问题",
                lead_unit=depts[(i + k) % len(depts)],
                cooperating_units=[depts[(i + k + 1) % len(depts)], depts[(i + k + 2) % len(depts)]],
                deadline=D(2023, 12, 31),
                assigned_on=D(2023, 12, 4),
                source=TaskSource.MEETING,
                source_item=item,
                responsible_person="李强",
                assigner=office,
            )
        if i in (5, 15):
            services.agenda_item_carry_over(user=None, item=item)
    return meeting


def _empty_docx() -> bytes:
    """What any .docx costs with python-docx: loading its default template and writing the package."""
    import io

    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def _receiver(port, ready, received, bad) -> None:
    """The robots' stand-in (its own process, so that it does not share the sender's interpreter): accepts WeCom
    (/cgi-bin/webhook/send?key=) and DingTalk (/robot/send?access_token=&timestamp=&sign=) markdown messages and
    counts those that are not in the robot's format."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            md = body.get("markdown", {})
            if self.path.startswith("/cgi-bin/webhook/send"):
                ok = body.get("msgtype") == "markdown" and md.get("content") and "key" in query
            else:
                ok = md.get("title") and md.get("text") and {"access_token", "timestamp", "sign"} <= set(query)
            with received.get_lock():
                received.value += 1
                bad.value += 0 if ok else 1
            answer = b'{"errcode": 0, "errmsg": "ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port.value), Handler)
    port.value = server.server_address[1]
    ready.set()
    server.serve_forever()


def notification_rows(runs: int, messages: int = 1000, units: int = 50) -> list:
    """(d): the queue against the bare-urllib floor, `runs` rounds of `messages` messages each."""
    from tuijin.accounts.models import Organization
    from tuijin.coordination.channels.queue import send_pending
    from tuijin.coordination.channels.senders import dingtalk_payload, dingtalk_signed_url, wecom_payload
    from tuijin.coordination.choices import ChannelKind, DeliveryState
    from tuijin.coordination.models import Channel, Delivery
    from tuijin.coordination.notifications import notify, unit_users

    ctx = multiprocessing.get_context("spawn")
    port, received, bad, ready = ctx.Value("i", 0), ctx.Value("i", 0), ctx.Value("i", 0), ctx.Event()
    server = ctx.Process(target=_receiver, args=(port, ready, received, bad), daemon=True)
    server.start()
    ready.wait(30)
    base = f"http://127.0.0.1:{port.value}"
    depts = list(Organization.objects.filter(kind="department").order_by("pk")[:units])
    for i, d in enumerate(depts):
        if i % 2:
            Channel.objects.create(
                kind=ChannelKind.WECOM, organization=d, address=f"{base}/cgi-bin/webhook/send?key=k{i}"
            )
        else:
            Channel.objects.create(
                kind=ChannelKind.DINGTALK,
                organization=d,
                address=f"{base}/robot/send?access_token=t{i}",
                secret=f"SEC{i:040d}",
            )
    users = list(unit_users([d.pk for d in depts]))
    per_unit = messages // len(depts)
    queue, floor_ms = [], []
    rate = lambda ms: messages / (ms / 1000)  # noqa: E731
    for r in range(runs):
        for k in range(per_unit):
            notify(
                users,
                kind="task",
                key=f"bench:{r}:{k}",
                title=f"第{k + 1}项交办事项即将到期",
                body="请按期办结",
                url="/x/",
            )
        pending = list(Delivery.objects.filter(state=DeliveryState.PENDING).select_related("channel"))
        assert len(pending) == messages, len(pending)
        before = received.value
        t0 = time.perf_counter()
        result = send_pending()
        queue.append((time.perf_counter() - t0) * 1000)
        assert result.sent == messages and received.value - before == messages, (result.as_dict(), received.value)
        # the floor: the same messages, already built, POSTed one by one with urllib (as the sender does)
        posts = []
        for d in pending:
            c = d.channel
            if c.kind == ChannelKind.WECOM:
                posts.append((c.address, wecom_payload(d.title, d.body, d.url)))
            else:
                posts.append((dingtalk_signed_url(c.address, c.secret), dingtalk_payload(d.title, d.body, d.url)))
        posts = [(u, json.dumps(p, ensure_ascii=False).encode()) for u, p in posts]
        t0 = time.perf_counter()
        for url, data in posts:
            req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"})
            with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - local receiver
                json.loads(resp.read())
        floor_ms.append((time.perf_counter() - t0) * 1000)
    server.kill()
    assert bad.value == 0, f"{bad.value} messages not in the robots' format"
    q, f = common.summary(queue), common.summary(floor_ms)
    return [
        (
            f"send-notifications: {messages} robot messages (WeCom + DingTalk 加签) through the queue, ms per "
            f"{messages}",
            q,
            f"{rate(q['p50']):.0f} msg/s at p50 ({q['p50'] / f['p50']:.2f}× floor)",
        ),
        (f"floor: the same {messages} POSTs with bare urllib, ms per {messages}", f, f"{rate(f['p50']):.0f} msg/s"),
    ]


def run_one(db: str, runs: int, zones: int, stats_only: bool = False) -> dict:
    """Runs in its own process per database (Django is set up once per process). `stats_only`: time the statistics
    again on the database the last full run left (its tasks and problems are what the statistics read)."""
    if not stats_only:
        fresh_database(db)
    common.setup_django(url_for(db))
    from django.db import connection
    from django.test import Client

    from tuijin.accounts.models import User
    from tuijin.coordination.models import Meeting, Problem, SupervisionLetter, SupervisionStep, Task
    from tuijin.coordination.selectors import coordination_payload
    from tuijin.coordination.supervision import supervise
    from tuijin.regions.models import Region

    if stats_only:
        zone_code = min(Task.objects.values_list("region__code", flat=True).distinct())
        superuser = User.objects.filter(is_superuser=True).order_by("pk").first()
        made = {"superuser": superuser.pk, "zone": zone_code, "reused": True}
    else:
        made = generate(zones)
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    zone = Region.objects.get(code=made["zone"])

    def stats(region=None):
        return coordination_payload(
            tasks=Task.objects.all(),
            problems=Problem.objects.all(),
            meetings=Meeting.objects.all(),
            date_from=YEAR_START,
            date_to=YEAR_END,
            region=region,
            today=AS_OF,
        )

    rows = []
    for label, region in (("province", None), (f"zone {zone.code}", zone)):
        got, want = stats(region), floor(vendor, region.path if region else None)
        selector, bare = interleaved(
            lambda r=region: stats(r), lambda r=region: floor(vendor, r.path if r else None), runs
        )
        rows.append((f"stats selector, {label}", selector, f"{selector['p50'] / bare['p50']:.2f}× floor at p50"))
        rows.append((f"floor: hand-written SQL, {label} (figures equal: {got == want})", bare))
    client = Client()
    client.force_login(User.objects.get(pk=made["superuser"]))
    url = "/api/v1/stats/coordination?from=2023-01-01&to=2023-12-31"
    assert client.get(url).status_code == 200
    rows.append((f"GET {url}, province superuser", common.summary(common.timed(lambda: client.get(url), runs))))
    if stats_only:
        return {"db": db, "machine": common.machine(), "data": made, "rows": rows}

    dry_runs = max(3, runs // 6)
    dry = common.timed(lambda: supervise(as_of=AS_OF, dry_run=True), dry_runs, warmup=1)
    rows.append(("supervise(as_of=2023-12-01, dry_run=True)", common.summary(dry)))
    first = common.timed(lambda: supervise(as_of=AS_OF), 1, warmup=0)
    steps, letters = SupervisionStep.objects.count(), SupervisionLetter.objects.count()
    rows.append((f"supervise, the day's real run ({steps} steps, {letters} letters written)", common.summary(first)))
    again = common.timed(lambda: supervise(as_of=AS_OF), max(3, runs // 3), warmup=1)
    assert SupervisionStep.objects.count() == steps
    rows.append(("supervise, same day again (nothing new)", common.summary(again)))

    from django.test.utils import CaptureQueriesContext

    from tuijin.coordination.documents import letter_docx, minutes_docx

    meeting = minutes_meeting(made["zone"])
    letter = SupervisionLetter.objects.filter(kind="supervision", task__isnull=False).order_by("pk").first()
    for label, fn in (
        (
            f"minutes_docx, 20 items, {Task.objects.filter(source_item__meeting=meeting).count()} tasks",
            lambda: minutes_docx(meeting),
        ),
        (f"letter_docx, {letter.code}", lambda: letter_docx(letter)),
    ):
        with CaptureQueriesContext(connection) as ctx:
            size = len(fn())
        rows.append(
            (
                f"{label} ({len(ctx.captured_queries)} queries, {size // 1024} KB)",
                common.summary(common.timed(fn, runs)),
            )
        )
    rows.append(
        ("floor: python-docx, an empty document opened and saved", common.summary(common.timed(_empty_docx, runs)))
    )
    rows += notification_rows(max(3, runs // 6))
    return {"db": db, "machine": common.machine(), "data": made, "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--zones", type=int, default=18)
    ap.add_argument("--stats-only", action="store_true", help="only the statistics, on the last run's database")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        result = run_one(args.child, args.runs, args.zones, args.stats_only)
        out = common.DATA / f"results-coordination-{args.child}.json"
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print("| database | measurement | p50 ms | p95 ms | target | |")
    print("|---|---|---:|---:|---|---|")
    for db in dbs:
        extra = ["--stats-only"] if args.stats_only else []
        subprocess.run(
            [sys.executable, __file__, "--child", db, "--runs", str(args.runs), "--zones", str(args.zones), *extra],
            check=True,
        )
        result = json.loads((common.DATA / f"results-coordination-{db}.json").read_text())
        for label, s, *note in result["rows"]:
            target = ""
            if label.startswith("stats selector") or label.startswith("GET"):
                target = f"≤ {TARGET_P95_MS} ms p95 ({'met' if s['p95'] <= TARGET_P95_MS else '**missed**'})"
            print(f"| {db} | {label} | {s['p50']} | {s['p95']} | {target} | {note[0] if note else ''} |")
        print(f"<!-- {db}: {result['machine']} {result['data']} -->")


if __name__ == "__main__":
    main()
