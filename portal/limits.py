"""Rate limits (Flask-Limiter), applied here by endpoint, counted in a store
that every worker shares.

| group  | requests                                              | counted per           |
| ------ | ----------------------------------------------------- | --------------------- |
| login  | POST /login                                           | client address        |
| lookup | /<register>/ajax/lookup/                              | user (else address)   |
| export | /<register>/export/<fmt>/, /api/v1/<name>/export.<fmt> | user (else address)   |
| api    | /api/v1/*                                             | user, whichever token |

The limits are settings (RATELIMIT_LOGIN, ...; "10 per minute;100 per hour").
A refused request answers 429 with Retry-After and a message (JSON under
/api/, the error page otherwise); the first refusal of each window is audited.

The store is PORTAL_RATELIMIT_STORAGE_URL: redis://host:port/db for several
hosts, or by default `sqlite:///<instance>/ratelimit.db`, a small SQLite file
of counters that the gunicorn workers of one host share (memory:// would
count per process: each worker would allow the whole limit). The login code
(portal/auth.py) keeps its per-account and per-device failure counts in the
same store. Should the store fail, each process falls back to counting in
memory until it answers again.
"""
import logging
import math
import os
import sqlite3
import threading
import time

from flask import current_app, g, make_response, render_template, request
from flask_limiter import Limit, Limiter, RateLimitExceeded
from flask_login import current_user
from limits.storage import Storage

from .i18n import gettext

log = logging.getLogger("portal")


# The embedded store ------------------------------------------------------------------

class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file: `sqlite:///relative/path` or
    `sqlite:////absolute/path`. Each increment is one UPSERT statement, atomic
    under SQLite's write lock, so processes and threads never lose a count.
    The counters are worth little after a crash: no fsync (synchronous=OFF)."""

    STORAGE_SCHEME = ["sqlite"]
    PURGE_EVERY = 500           # increments between deletions of expired counters

    def __init__(self, uri=None, wrap_exceptions=False, **options):
        path = (uri or "").split("://", 1)[-1]
        self.path = path[1:] if path.startswith("/") else path
        if not self.path:
            raise ValueError("sqlite:///PATH: the counters' file is missing")
        self._local = threading.local()
        self._writes = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _db(self):
        local = self._local
        # a connection is never used across a fork (gunicorn's workers) or by two threads
        if getattr(local, "pid", None) != os.getpid():
            folder = os.path.dirname(self.path)
            if folder:
                os.makedirs(folder, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, "
                         "value INTEGER NOT NULL, expires REAL NOT NULL) WITHOUT ROWID")
            local.conn, local.pid = conn, os.getpid()
        return local.conn

    def incr(self, key, expiry, amount=1):
        now = time.time()
        db = self._db()
        # an expired counter starts again: the window opens at its first hit
        value = db.execute(
            "INSERT INTO counter (key, value, expires) VALUES (?1, ?2, ?3 + ?4) "
            "ON CONFLICT (key) DO UPDATE SET "
            "value = CASE WHEN counter.expires <= ?3 THEN ?2 ELSE counter.value + ?2 END, "
            "expires = CASE WHEN counter.expires <= ?3 THEN ?3 + ?4 ELSE counter.expires END "
            "RETURNING value", (key, amount, now, float(expiry))).fetchone()[0]
        self._writes += 1
        if self._writes % self.PURGE_EVERY == 0:
            db.execute("DELETE FROM counter WHERE expires <= ?", (now,))
        return value

    def get(self, key):
        row = self._db().execute("SELECT value FROM counter WHERE key = ? AND expires > ?",
                                 (key, time.time())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key):
        now = time.time()
        row = self._db().execute("SELECT expires FROM counter WHERE key = ? AND expires > ?",
                                 (key, now)).fetchone()
        return row[0] if row else now

    def clear(self, key):
        self._db().execute("DELETE FROM counter WHERE key = ?", (key,))

    def reset(self):
        return self._db().execute("DELETE FROM counter").rowcount

    def check(self):
        try:
            self._db().execute("SELECT 1").fetchone()
            return True
        except sqlite3.Error:
            return False


# Which limits a request falls under ----------------------------------------------------------

def request_groups() -> frozenset:
    """The groups of the current request (computed once per request)."""
    found = g.get("_limit_groups")
    if found is None:
        endpoint = request.endpoint or ""
        found = set()
        if endpoint == "auth.login":
            if request.method == "POST":
                found.add("login")
        elif endpoint.endswith(".ajax_lookup"):
            found.add("lookup")
        elif endpoint == "api.export_records" or (
                endpoint.endswith(".export") and request.blueprint != "api"):
            found.add("export")
        if request.blueprint == "api":
            found.add("api")
        if not current_app.config.get("RATE_LIMITS", True):
            found = set()
        found = g._limit_groups = frozenset(found)
    return found


def client_address() -> str:
    # behind the proxy (PORTAL_PROXY_FIX), ProxyFix has put the client's address here
    return "addr:" + (request.remote_addr or "unknown")


def actor_key() -> str:
    """The signed-in user (session or API token: all of a user's tokens count
    together), else the client address."""
    user = current_user
    if user is not None and user.is_authenticated:
        return f"user:{user.id}"
    return client_address()


def _limit(group, key_function):
    return Limit(lambda: current_app.config[f"RATELIMIT_{group.upper()}"],
                 key_function=key_function, scope=group, shared=True,
                 exempt_when=lambda: group not in request_groups())


# Refusals ------------------------------------------------------------------------------------

def retry_after(limiter) -> int:
    """Seconds until the breached window ends (at least 1)."""
    current = limiter.current_limit
    try:
        return max(1, math.ceil(current.window[0] - time.time())) if current else 60
    except Exception:                   # noqa: BLE001 -- the store failed while answering
        return 60


def _audit_refusal(limiter):
    """The first refusal of a window per client and group is audited: one
    event, not one per request of a client that keeps hammering."""
    from . import audit
    current = limiter.current_limit
    if current is None:
        return
    try:
        first = limiter.limiter.storage.incr("audited/" + current.key,
                                             current.limit.get_expiry()) == 1
    except Exception:                   # noqa: BLE001 -- better one event too many than none
        first = True
    if not first:
        return
    groups = sorted(request_groups())
    if "login" in groups:
        register, record_no = "user_account", (request.form.get("username") or "")[:60]
    else:
        register = ((request.view_args or {}).get("name") or request.blueprint or "")[:60]
        record_no = ""
    actor = current_user if current_user and current_user.is_authenticated else None
    audit.record(actor, "rate_limited", register, record_no=record_no,
                 comment=gettext("请求过于频繁，已拒绝：%(limit)s（%(groups)s，%(path)s）",
                                 limit=str(current.limit), groups="、".join(groups),
                                 path=request.path[:200]))


def too_many_requests(err):
    limiter = current_limiter()
    seconds = retry_after(limiter)
    try:
        _audit_refusal(limiter)
    except Exception:                   # noqa: BLE001 -- the refusal stands without its event
        log.exception("rate-limit refusal not audited on %s", request.path)
    message = gettext("请求过于频繁，请 %(seconds)s 秒后再试。", seconds=seconds)
    from .errors import respond, wants_json
    if wants_json():
        response = make_response(respond(429, message))
    else:
        response = make_response(render_template(
            "errors/error.html", code=429, title=gettext("请求过于频繁"), message=message), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def init_app(app):
    """Call after every view is registered (the limits find them by endpoint)."""
    limiter = Limiter(client_address, default_limits=[
        _limit("login", client_address),
        _limit("lookup", actor_key),
        _limit("export", actor_key),
        _limit("api", actor_key),
    ])
    # every other request skips the limits at once (no limit is parsed for it)
    limiter.request_filter(lambda: not request_groups())
    limiter.init_app(app)
    app.extensions["portal_limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    return limiter


def current_limiter() -> Limiter:
    return current_app.extensions["portal_limiter"]
