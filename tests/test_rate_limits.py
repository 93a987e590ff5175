"""Rate limits, black-box: real HTTP against gunicorn (2 threaded workers) on
a database of the demo organisation. Every limit must hold across workers,
so the counts live in storage the workers share: the default SQLite file of
counters, and Redis (127.0.0.1:6379) for the production path.

Each test comes from its own client addresses (X-Forwarded-For, trusted with
PORTAL_PROXY_FIX=1) and counts against its own users, so that the tests'
counts never mix."""
import collections
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests             # (installed with schemathesis, a test dependency)

from conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/0"

LIMITS = {   # small windows' worth, so that each test needs few requests
    "PORTAL_RATELIMIT_LOGIN": "10 per minute",
    "PORTAL_RATELIMIT_LOOKUP": "8 per minute",
    "PORTAL_RATELIMIT_EXPORT": "3 per minute",
    "PORTAL_RATELIMIT_API": "12 per minute",
}

SEED = """
from portal import create_app
from portal.accounts import ApiToken, User, hash_password
from portal.cli import create_schema
from portal.db import connection
from portal.settings import ensure_settings
from seed import seed_organisation
app = create_app()
with app.app_context(), connection():
    create_schema()
    seed_organisation(hash_password({password!r}))
    ensure_settings()
    for name in ("clerk", "clerk", "sales"):
        print("TOKEN", name, ApiToken.issue(User.get(User.username == name)))
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn as `make run-prod` starts it (gthread workers), with an
    access log naming the worker (pid) that answered each request."""

    def __init__(self, folder, storage=None):
        self.folder = Path(folder)
        self.env = dict(os.environ, PORTAL_INSTANCE=str(self.folder),
                        PORTAL_DATABASE_URL=f"sqlite:///{self.folder}/portal.db",
                        PORTAL_SECRET_KEY="rate-limit-tests", PORTAL_PROXY_FIX="1",
                        PYTHONPATH=str(ROOT), **LIMITS)
        for name in ("PORTAL_RATELIMIT_STORAGE_URL", "PORTAL_RATE_LIMITS"):
            self.env.pop(name, None)
        if storage:
            self.env["PORTAL_RATELIMIT_STORAGE_URL"] = storage
        self.tokens = collections.defaultdict(list)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_log = self.folder / "access.log"

    def seed(self):
        out = subprocess.run([sys.executable, "-c", SEED.format(password=PASSWORD)], cwd=ROOT,
                             env=self.env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr[-3000:]
        for line in out.stdout.splitlines():
            if line.startswith("TOKEN "):
                _, name, token = line.split()
                self.tokens[name].append(token)

    def start(self):
        self.log = open(self.folder / "gunicorn.log", "w")
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--worker-class", "gthread", "--threads", "4",
             "--bind", f"127.0.0.1:{self.port}", "--access-logfile", str(self.access_log),
             "--access-logformat", "%(p)s %(s)s %(m)s %(U)s %({x-test}i)s", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            assert self.proc.poll() is None, (self.folder / "gunicorn.log").read_text()[-3000:]
            try:
                requests.get(self.url + "/login", timeout=5)
                return self
            except requests.RequestException:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

    def workers_of(self, tag):
        """The worker pids that answered the requests marked with `tag`."""
        time.sleep(0.3)         # the access log is written after the response
        pids = set()
        for line in self.access_log.read_text().splitlines():
            parts = line.split()
            if parts and parts[-1] == tag:
                pids.add(parts[0])
        return pids

    def audit_events(self, action, ip=None):
        with sqlite3.connect(self.folder / "portal.db") as conn:
            rows = conn.execute("SELECT record_no, comment, ip FROM audit_event WHERE action = ?",
                                (action,)).fetchall()
        return [(no, comment) for no, comment, at in rows if ip is None or at == ip]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("gunicorn"))
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError:
        pytest.fail("Redis is not answering on 127.0.0.1:6379 (the production storage path)")
    srv = Server(tmp_path_factory.mktemp("gunicorn-redis"), storage=REDIS_URL)
    srv.seed()
    srv.start()
    yield srv
    srv.stop()


class Client:
    """One browser at one address; every request on a new connection, so
    that the kernel hands them to either worker."""

    def __init__(self, server, tag=None):
        self.server = server
        self.tag = tag or uuid.uuid4().hex[:12]
        self.address = "10." + ".".join(str(b) for b in uuid.uuid4().bytes[:3])
        self.session = requests.Session()
        self.session.headers.update({"X-Forwarded-For": self.address, "Connection": "close",
                                     "X-Test": self.tag})

    def get(self, path, **kw):
        return self.session.get(self.server.url + path, allow_redirects=False, timeout=60, **kw)

    def login(self, username, password=PASSWORD):
        body = self.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
        return self.session.post(self.server.url + "/login", allow_redirects=False, timeout=60,
                                 data={"username": username, "password": password,
                                       "csrf_token": token})


def error_message(response):
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return response.json()["error"]
    return re.search(r'class="error-message">([^<]*)<', response.text).group(1)


def assert_refused(response):
    assert response.status_code == 429
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= 3600
    assert error_message(response) == f"请求过于频繁，请 {seconds} 秒后再试。"


def spray(client, count):
    """`count` login attempts from one address, each on another (unknown)
    username: no account lock is involved, only the address's limit."""
    return [client.login(f"spray-{uuid.uuid4().hex[:8]}", "wrong-password") for _ in range(count)]


# Login, per client address --------------------------------------------------------------------

def test_password_spraying_from_one_address_gets_429_across_workers(server):
    client = Client(server)
    answers = spray(client, 14)
    statuses = [r.status_code for r in answers]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429] * 4, statuses
    assert_refused(answers[-1])
    assert "text/html" in answers[-1].headers["Content-Type"]
    # even the right password waits for the window, from that address only
    assert_refused(client.login("clerk"))
    assert Client(server).login("clerk").status_code == 302
    # the limit held although both workers answered: the count is shared
    assert len(server.workers_of(client.tag)) == 2


def test_a_refused_login_is_audited_once_per_window(server):
    client = Client(server)
    spray(client, 13)       # three refusals: one event, not one per request
    events = server.audit_events("rate_limited", ip=client.address)
    assert len(events) == 1, events
    record_no, comment = events[0]
    assert record_no.startswith("spray-")            # the username that was tried
    assert "/login" in comment and "10 per 1 minute" in comment


# Lookups, exports and the API, per user ----------------------------------------------------------

def test_lookups_are_limited_per_user_across_workers(server):
    client = Client(server)
    assert client.login("clerk").status_code == 302
    url = "/customer_visit_record/ajax/lookup/?name=customer&query="
    answers = [client.get(url, headers={"Accept": "application/json"}) for _ in range(11)]
    statuses = [r.status_code for r in answers]
    assert statuses[:8] == [200] * 8 and set(statuses[8:]) == {429}, statuses
    assert_refused(answers[-1])
    assert answers[-1].json()["status"] == 429
    assert len(server.workers_of(client.tag)) == 2
    # the same user from another browser shares the count; another user does not
    other_browser = Client(server)
    assert other_browser.login("clerk").status_code == 302
    assert other_browser.get(url, headers={"Accept": "application/json"}).status_code == 429
    sales = Client(server)
    assert sales.login("sales").status_code == 302
    assert sales.get(url, headers={"Accept": "application/json"}).status_code == 200


def test_exports_share_one_limit_for_pages_and_api(server):
    client = Client(server)
    assert client.login("marketing").status_code == 302
    statuses = [client.get("/customer/export/csv/").status_code for _ in range(3)]
    assert statuses == [200] * 3
    page = client.get("/customer/export/csv/")
    assert_refused(page)
    assert "text/html" in page.headers["Content-Type"]
    api = client.get("/api/v1/customer/export.csv")
    assert_refused(api)
    assert api.json()["status"] == 429


def test_the_api_is_limited_per_user_whichever_token(server):
    first, second = server.tokens["clerk"]
    client = Client(server)
    answers = []
    for i in range(14):     # two tokens of one user, taken in turn
        token = (first, second)[i % 2]
        answers.append(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}))
    statuses = [r.status_code for r in answers]
    assert statuses[:12] == [200] * 12 and statuses[12:] == [429] * 2, statuses
    assert_refused(answers[-1])
    assert len(server.workers_of(client.tag)) == 2
    # another user's token from the same address is not limited by it
    sales = server.tokens["sales"][0]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {sales}"}).status_code == 200
    refusals = server.audit_events("rate_limited")
    assert any("/api/v1/me" in (comment or "") for _, comment in refusals)


def test_pages_outside_the_limits_are_not_counted(server):
    client = Client(server)
    assert client.login("clerk").status_code == 302
    assert all(client.get("/customer/").status_code == 200 for _ in range(15))


# The production path: Redis --------------------------------------------------------------------

def test_with_redis_the_login_limit_holds_across_workers(redis_server):
    client = Client(redis_server)
    statuses = [r.status_code for r in spray(client, 12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429] * 2, statuses
    assert len(redis_server.workers_of(client.tag)) == 2
    # the accounts' failure counts are in Redis too: five failures lock, for every worker
    name = f"ghost-{uuid.uuid4().hex[:8]}"
    answers = [Client(redis_server).login(name, "wrong-password") for _ in range(6)]
    assert [r.status_code for r in answers] == [401] * 6
    assert "已被锁定" not in answers[3].text and "已被锁定" in answers[4].text
    assert "已被锁定" in answers[5].text
