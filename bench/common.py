"""What the benchmark scripts share: where the data lives, Django set-up per database, timing statistics."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "tuijin_bench"
LEDGER_XLSX = DATA / "ledger-10000.xlsx"


def manifest_path(db: str) -> Path:
    """What the generator made on `db` (as-of date, counts, the import ledger's make-up)."""
    return DATA / f"manifest-{db}.json"


def database_url(db: str, copy: bool = False) -> str:
    """The bench database (or its throw-away copy for the import benchmark) on `db`."""
    if db == "sqlite":
        return f"sqlite:///{DATA / ('import.sqlite3' if copy else 'bench.sqlite3')}"
    if db == "postgres":
        return f"{PG_SERVER}/{PG_NAME}{'_import' if copy else ''}"
    raise ValueError(db)


def setup_django(url: str) -> None:
    """Point Django at `url` and set it up (once per process)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuijin.settings")
    os.environ.setdefault("TUIJIN_JOB_RUNNER", "inline")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", verbosity=0, interactive=False)  # the schema may have moved on since generation
    if pending:
        # A migration that rewrites rows (a backfill) leaves dead rows and stale statistics behind. A live
        # database's autovacuum clears them; the bench's PostgreSQL runs with autovacuum off (SHOW autovacuum), so
        # do here what it would, as the generators do after writing the dataset.
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(f"[{DEFAULT_DB_ALIAS}] migrated ({len(pending)} migrations) and vacuumed", file=sys.stderr)


def pg_admin(sql: str) -> None:
    """Run one statement on the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def timed(fn, runs: int, warmup: int = 3) -> list[float]:
    """Milliseconds per call of `fn`, after a few warm-up calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "runs": len(samples),
        "p50": round(statistics.median(ordered), 2),
        "p95": round(p95, 2),
        "min": round(ordered[0], 2),
        "max": round(ordered[-1], 2),
    }


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    try:
        pg = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "show server_version"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pg = ""
    import sqlite3

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgres": pg,
        "loadavg": [round(x, 2) for x in load] if load else None,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }
