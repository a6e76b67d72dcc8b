"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium) against the live server.

Screenshots land in $TUIJIN_SCREENSHOTS (default: a temporary folder) at 1440 px and 390 px width.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests themselves are still
# synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("TUIJIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: scripts/setup installs Debian's chromium package")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser, live_server):
    """`page_for(width)` opens a fresh browser context of that width (390 = phone) on the live server."""
    contexts = []

    def _open(width: int = 1440, height: int = 900):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", base_url=live_server.url, device_scale_factor=1
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go; `shots / "name.png"`."""
    folder = Path(os.environ.get("TUIJIN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
