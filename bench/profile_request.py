"""Profile one request of the benchmark (cProfile) and show its SQL with the database's query plans.

.venv/bin/python bench/profile_request.py --db sqlite "/projects/?as_of=2023-06-30" [--user bench] [--htmx] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--user", default="bench")
    parser.add_argument("--htmx", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (QUERY PLAN / ANALYZE) every slow query")
    args = parser.parse_args()
    common.setup_django(common.database_url(args.db))
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tuijin.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=args.user))
    headers = {"HTTP_HX_REQUEST": "true"} if args.htmx else {}
    for _ in range(3):
        client.get(args.url, **headers)
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        response = client.get(args.url, **headers)
        total = (time.perf_counter() - t0) * 1000
    print(f"HTTP {response.status_code}, {len(response.content)} bytes, {total:.1f} ms, {len(queries)} queries")
    for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:8]:
        print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
        if args.explain and float(q["time"]) > 0.005:
            prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
            with connection.cursor() as cur:
                cur.execute(prefix + q["sql"])
                for row in cur.fetchall():
                    print("           ", row[-1] if connection.vendor == "sqlite" else row[0])
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(args.url, **headers)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
