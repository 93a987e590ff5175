"""End-to-end fixtures: the real portal served over HTTP on a free local port,
driven by Debian's chromium through Playwright.

The server is the session's test app (tests/conftest.py), run by werkzeug in a
background thread. The database proxy of the portal is one per process, so a
second app on another database would re-bind it under the other tests; the
browser flows therefore use the test database itself, marked `demo_data`:
the autouse `fresh` fixture loads the demo data set before each flow and
resets what the flow wrote before the next test.
"""
import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT_MS = 15_000          # one page or element; a flow takes a few seconds in all


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, for the screenshot on failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class _QuietHandler(WSGIRequestHandler):
    """Logs only the requests that failed: a page loads a score of assets."""

    def log_request(self, code="-", size="-"):
        if str(code).isdigit() and int(code) >= 400:
            super().log_request(code, size)


@pytest.fixture(scope="session")
def live_server(app):
    """Base URL of the portal served in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"The end-to-end tests need Debian's chromium at {CHROMIUM}: install it with "
                    "`sudo apt-get install -y chromium` (`make test` does so when run as root).",
                    pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def session_of(browser, live_server, request):
    """session_of('clerk') -> a page of a new browser session logged in as
    that demo user (each user has their own cookies). On failure every page
    of the test is saved as tests/e2e/artifacts/<test>[-<user>].png."""
    contexts = []

    def open_session(username=None, password=PASSWORD):
        context = browser.new_context(base_url=live_server, locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append((username, context))
        page = context.new_page()
        if username:
            log_in(page, username, password)
        return page

    yield open_session
    failed = any(getattr(request.node, f"report_{when}", None) is not None
                 and getattr(request.node, f"report_{when}").failed for when in ("setup", "call"))
    for n, (username, context) in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            suffix = f"-{username or n}" if len(contexts) > 1 else ""
            for page in context.pages:
                page.screenshot(path=ARTIFACTS / f"{_safe(request.node.name)}{suffix}.png",
                                full_page=True)
        context.close()


def _safe(name):
    return re.sub(r"[^\w.-]+", "_", name)


def log_in(page, username, password=PASSWORD):
    """Fill the login form as a user does and wait for the home page."""
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))
