"""`.venv/bin/python bench/briefing.py [--fresh]`: the province-scale monthly briefing.

bench/data/bench.sqlite3 (河南省, 18 cities, 48 zones, 20,000 projects; made by bench/run.py) is copied, with
accepted monthly reports for Jan–May 2023 of every project with a 2023 plan and the standard checklist with a
target for every project; then the monthly briefing of 河南省 as of 2023-05-31 (the CLI's own path), timed."""

import datetime
import os
import random
import shutil
import sys
import time
from decimal import Decimal
from pathlib import Path

DB = "/tmp/brief_bench.sqlite3"
ROOT = str(Path(__file__).resolve().parents[1])
if "--fresh" in sys.argv or not os.path.exists(DB):
    shutil.copy(f"{ROOT}/bench/data/bench.sqlite3", DB)
    FRESH = True
else:
    FRESH = False
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ["DJANGO_SETTINGS_MODULE"] = "tuijin.settings"
sys.path.insert(0, ROOT)
import django  # noqa

django.setup()
from django.core.management import call_command  # noqa

call_command("migrate", verbosity=0)
if FRESH:
    from tuijin.investment.models import AnnualPlan, MonthlyReport
    from tuijin.projects.models import Project
    from tuijin.schedule.models import NodeDependency, NodeTemplate, ProjectNode, ScheduleTarget, TemplateDependency

    rng = random.Random(5)
    t = time.perf_counter()
    reports = []
    for plan in AnnualPlan.objects.filter(year=2023).only("project_id", "amount"):
        for month in range(1, 6):
            share = Decimal(rng.randint(40, 110)) / 1200
            reports.append(
                MonthlyReport(
                    project_id=plan.project_id,
                    year=2023,
                    month=month,
                    invested=(plan.amount * share).quantize(Decimal("0.01")),
                    status="accepted",
                )
            )
    MonthlyReport.objects.bulk_create(reports, batch_size=5000)
    template = NodeTemplate.objects.get(is_default=True)
    tnodes = list(template.nodes.order_by("order"))
    tlinks = list(
        TemplateDependency.objects.filter(successor__template=template).select_related("predecessor", "successor")
    )
    projects = list(Project.objects.only("id", "signed_on", "responsible_unit_id").order_by("id"))
    nodes = []
    for p in projects:
        for tn in tnodes:
            nodes.append(
                ProjectNode(
                    project_id=p.pk,
                    name=tn.name,
                    order=tn.order,
                    duration=tn.duration,
                    calendar=tn.calendar,
                    milestone=tn.milestone,
                    responsible_unit_id=None if tn.milestone else p.responsible_unit_id,
                )
            )
    ProjectNode.objects.bulk_create(nodes, batch_size=5000)
    by_key = {(n.project_id, n.name): n.pk for n in ProjectNode.objects.only("id", "project_id", "name")}
    NodeDependency.objects.bulk_create(
        [
            NodeDependency(
                predecessor_id=by_key[(p.pk, link.predecessor.name)],
                successor_id=by_key[(p.pk, link.successor.name)],
                type=link.type,
                lag=link.lag,
            )
            for p in projects
            for link in tlinks
        ],
        batch_size=5000,
    )
    ScheduleTarget.objects.bulk_create(
        [
            ScheduleTarget(
                project_id=p.pk,
                node_id=by_key[(p.pk, "投产")],
                date=datetime.date(2023, 5, 31) + datetime.timedelta(days=rng.choice([150, 300, 450, 700])),
            )
            for p in projects
        ],
        batch_size=5000,
    )
    print(f"data: {len(reports)} reports, {len(nodes)} nodes in {time.perf_counter() - t:.1f} s")

from tuijin.briefing import services, tables  # noqa
from tuijin.briefing.context import resolved  # noqa
from tuijin.briefing.documents import Paper, briefing_docx, briefing_pdf  # noqa
from tuijin.briefing.models import BriefingTemplate  # noqa
from tuijin.briefing.shipped import ensure_shipped  # noqa
from tuijin.regions.models import Region  # noqa
import json  # noqa
from django.core.serializers.json import DjangoJSONEncoder  # noqa

ensure_shipped()
region = Region.objects.get(code=sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "410000")
template = BriefingTemplate.objects.get(name="monthly")
as_of = datetime.date(2023, 5, 31)
for run in range(2):
    t0 = c0 = None
    t0, c0 = time.perf_counter(), time.process_time()
    r = services.render_template(template, region, as_of, number=5)
    steps = {}
    for name in ("ledger", "investment", "warnings", "coordination"):
        t = time.perf_counter()
        resolved(r.context, name)
        steps[name] = time.perf_counter() - t
    data = json.loads(json.dumps(tables.snapshot(r.context), cls=DjangoJSONEncoder))
    t_ctx = time.perf_counter() - t0
    paper = Paper(r.title, "〔2023〕第5期", r.context["issuer"], as_of, r.text, data)
    t = time.perf_counter()
    d = briefing_docx(paper)
    t_docx = time.perf_counter() - t
    t = time.perf_counter()
    p = briefing_pdf(paper)
    t_pdf = time.perf_counter() - t
    total = time.perf_counter() - t0
    print(
        f"run {run + 1}: figures+text+tables {t_ctx:.2f} s ({', '.join(f'{k} {v:.2f}' for k, v in steps.items())}); "
        f"docx {t_docx:.2f} s; pdf {t_pdf:.2f} s; total {total:.2f} s wall, {time.process_time() - c0:.2f} s CPU; "
        f"red {resolved(r.context, 'warnings')['red']}, units {len(resolved(r.context, 'investment')['by_unit'])}"
    )
    Path("/tmp/province.docx").write_bytes(d)
    Path("/tmp/province.pdf").write_bytes(p)
print(os.getloadavg())
