"""Regenerate docs/screenshots/ from the demo zone, in Chinese, at 1440 px and 390 px.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Prepares the demo data in a temporary folder (tuijin demo --no-serve), serves it on a spare port, and drives
Debian's Chromium through Playwright. Look at the PNGs before committing them.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PAGES = [  # (file name, path, width)
    ("login", "/accounts/login/", 1440),
    ("dashboard", "/?as_of=2022-12-31", 1440),
    ("dashboard-phone", "/?as_of=2022-12-31", 390),
    ("ledger", "/projects/?as_of=2022-12-31&batch=started", 1440),
    ("ledger-phone", "/projects/?as_of=2022-12-31", 390),
    ("project", "/projects/{project}/", 1440),
    ("periods", "/periods/", 1440),
    ("changes", "/changes/", 1440),
    # the office's investment pages (2022 through November: the demo ends on 2022-12-20)
    ("investment-dashboard", "/investment/?year=2022&month=11", 1440),
    ("investment-dashboard-phone", "/investment/?year=2022&month=11", 390),
    ("investment-review", "/investment/review/", 1440),
    ("investment-review-phone", "/investment/review/", 390),
    ("investment-project", "/investment/projects/{project}/?year=2021", 1440),
    # monthly reporting, as the demo's enterprise sees it (sign-in: the 4th item)
    ("investment-report-phone", "/investment/reports/?year=2022", 390, ("enterprise", "Tuijin#Ent2022")),
    ("investment-report", "/investment/reports/?year=2022", 1440, ("enterprise", "Tuijin#Ent2022")),
    ("investment-report-form-phone", "/investment/reports/{report}/", 390, ("enterprise", "Tuijin#Ent2022")),
    ("investment-report-form", "/investment/reports/{report}/", 1440, ("enterprise", "Tuijin#Ent2022")),
    # schedules (挂图作战): the demo's progress runs to 2026-11-20, its warnings are as of 2026-11-26
    ("gantt-portfolio", "/schedule/portfolio/?on=2026-11-26", 1440),
    ("warning-board", "/schedule/warnings/?on=2026-11-26", 1440),
    ("warning-board-phone", "/schedule/warnings/?on=2026-11-26", 390),
    ("schedule-templates", "/schedule/templates/", 1440),
    ("schedule-template-edit", "/schedule/templates/1/edit/", 1440),
    ("schedule-template-edit-phone", "/schedule/templates/1/edit/", 390),
    ("schedule-calendar", "/schedule/calendar/2027/", 1440),
    ("schedule-calendar-phone", "/schedule/calendar/2027/", 390),
    # coordination (the demo's year up to 2026-11-20)
    ("coordination-home", "/coordination/", 1440, ("department", "Tuijin#Dept2022")),
    ("coordination-home-phone", "/coordination/", 390, ("department", "Tuijin#Dept2022")),
    ("coordination-stats", "/coordination/stats/?date_from=2025-11-24&date_to=2026-11-26", 1440),
    ("coordination-stats-phone", "/coordination/stats/?date_from=2025-11-24&date_to=2026-11-26", 390),
    ("coordination-channels", "/coordination/channels/", 1440),
    ("coordination-meetings", "/coordination/meetings/", 1440),
    # assessment, briefings, the big screen
    ("assessment", "/assessment/", 1440),
    ("assessment-ranking", "/assessment/{assessment}/", 1440),
    ("assessment-ranking-phone", "/assessment/{assessment}/", 390),
    ("briefing", "/briefings/{briefing}/", 1440),
    ("briefing-templates", "/briefings/templates/", 1440),
    ("big-screen-demo", "/screen/", 1920),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    var = tempfile.mkdtemp(prefix="tuijin-shots-")
    env = {**os.environ, "TUIJIN_VAR_DIR": var, "DATABASE_URL": "", "TUIJIN_JOB_RUNNER": "inline"}
    tuijin = [sys.executable, "-m", "tuijin"]
    subprocess.run([*tuijin, "demo", "--no-serve"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    project = subprocess.run(
        [
            *tuijin,
            "shell",
            "-c",
            "from tuijin.projects.models import Project;"
            "print(Project.objects.filter(listings__isnull=False, started_on__isnull=False).order_by('code')[0].pk)",
        ],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    report = subprocess.run(  # the demo enterprise's latest report, a returned one if it has one
        [
            *tuijin,
            "shell",
            "-c",
            "from tuijin.accounts.models import User;from tuijin.investment.models import MonthlyReport as R;"
            "rs=list(R.objects.filter(project__enterprise_id=User.objects.get(username='enterprise').organization_id)"
            ".order_by('-year','-month','project__code'));"
            "print(next((r for r in rs if r.status=='returned'),rs[0]).pk)",
        ],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    assessment, briefing = subprocess.run(  # the demo's published month and its monthly briefing
        [
            *tuijin,
            "shell",
            "-c",
            "from tuijin.assessment.models import Assessment;from tuijin.briefing.models import Briefing;"
            "print(Assessment.objects.get(period__key='2022-11').pk, Briefing.objects.get(kind='monthly').pk)",
        ],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()[-2:]
    port = free_port()
    server = subprocess.Popen(
        [*tuijin, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name, path, width, *who in PAGES:
                username, password = who[0] if who else ("admin", "Tuijin#Office2022")
                context = browser.new_context(
                    viewport={"width": width, "height": 1080 if width >= 1920 else 900},
                    locale="zh-CN",
                    base_url=f"http://127.0.0.1:{port}",
                )
                page = context.new_page()
                if name != "login":
                    page.goto("/accounts/login/")
                    page.fill("input[name=username]", username)
                    page.fill("input[name=password]", password)
                    page.click("button[type=submit]")
                    page.wait_for_url(lambda url: "/accounts/login/" not in url)
                page.goto(path.format(project=project, report=report, assessment=assessment, briefing=briefing))
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(600)  # charts animate in
                page.screenshot(
                    path=str(out / f"{name}.png"), full_page=name not in {"dashboard", "ledger", "big-screen-demo"}
                )
                print("wrote", out / f"{name}.png")
                context.close()
            browser.close()
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
