"""Engine benchmark: schedules and warnings of 20,000 projects × the standard template, on one core.

    .venv/bin/python -m tuijin.schedule.benchmark [PROJECTS]

Pure engine time (no database): the networks are built from the shipped template file with random progress
and targets, then each project is scheduled (forward pass, backward pass, float, critical path, warning
levels). Targets: one project ≤ 5 ms; 20,000 projects ≤ 10 s.
"""

from __future__ import annotations

import datetime
import random
import sys
import time


def build(count: int, seed: int = 7):
    from tuijin.schedule import cpm
    from tuijin.schedule.defaults import shipped_templates

    spec = shipped_templates()[0]
    links = [cpm.Link(p, s, *rest) for p, s, *rest in spec["links"]]
    order = [n["name"] for n in spec["nodes"]]
    rng = random.Random(seed)
    as_of = datetime.date(2024, 3, 1)
    projects = []
    for _ in range(count):
        start = as_of - datetime.timedelta(days=rng.randint(0, 400))
        done_upto = rng.randint(0, len(order) - 3)
        day = start
        nodes = []
        for k, n in enumerate(spec["nodes"]):
            node = cpm.Node(
                n["name"], n["duration"] + rng.randint(0, 3) if n["duration"] else n["duration"], n["calendar"]
            )
            if k < done_upto and day < as_of:
                node.actual_start = day
                day = min(as_of, day + datetime.timedelta(days=max(n["duration"], 0) + rng.randint(0, 10)))
                node.actual_finish = day
            nodes.append(node)
        target = cpm.Target("投产", as_of + datetime.timedelta(days=rng.randint(200, 700)))
        projects.append((nodes, links, [target]))
    return projects, as_of


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from tuijin.schedule import cpm
    from tuijin.schedule.calendar import WorkCalendar, fixture_days

    count = int(argv[1]) if len(argv) > 1 else 20_000
    cal = WorkCalendar({d: w for d, w, _ in fixture_days()})
    projects, as_of = build(count)
    nodes_total = sum(len(p[0]) for p in projects)
    one = projects[0]
    runs = 200
    t0 = time.perf_counter()
    for _ in range(runs):
        cpm.schedule(*one, as_of=as_of, calendar=cal)
    single = (time.perf_counter() - t0) / runs
    t0 = time.perf_counter()
    c0 = time.process_time()
    red = yellow = infeasible = 0
    for nodes, links, targets in projects:
        result = cpm.schedule(nodes, links, targets, as_of=as_of, calendar=cal)
        infeasible += not result.feasible
        for n in result.nodes:
            red += n.status == cpm.RED
            yellow += n.status == cpm.YELLOW
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(f"one project ({len(one[0])} nodes): {single * 1000:.3f} ms  (target ≤ 5 ms)")
    print(
        f"{count} projects, {nodes_total} nodes: {total:.2f} s wall, {cpu:.2f} s CPU  (target ≤ 10 s); "
        f"{infeasible} infeasible, {red} red and {yellow} yellow nodes"
    )


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuijin.settings")
    main(sys.argv)
