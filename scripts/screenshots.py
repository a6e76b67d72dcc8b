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
            for name, path, width in PAGES:
                context = browser.new_context(
                    viewport={"width": width, "height": 900}, locale="zh-CN", base_url=f"http://127.0.0.1:{port}"
                )
                page = context.new_page()
                if name != "login":
                    page.goto("/accounts/login/")
                    page.fill("input[name=username]", "admin")
                    page.fill("input[name=password]", "Tuijin#Office2022")
                    page.click("button[type=submit]")
                    page.wait_for_url(lambda url: "/accounts/login/" not in url)
                page.goto(path.format(project=project))
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(600)  # charts animate in
                page.screenshot(path=str(out / f"{name}.png"), full_page=name not in {"dashboard", "ledger"})
                print("wrote", out / f"{name}.png")
                context.close()
            browser.close()
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
