"""The database: one proxy, bound by create_app() to the URL of the settings.

SQLite (the default) runs with WAL, foreign keys on and a busy timeout; work
that reads then writes opens its transaction with BEGIN IMMEDIATE so that two
writers queue on the lock instead of failing with "database is locked".
"""
import os
import threading
from contextlib import contextmanager

from peewee import DatabaseProxy, Model, OperationalError, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect

db = DatabaseProxy()

# Connections a process keeps open (one per thread serving a request at once).
POOL_SIZE = 32

# How long a write waits for a lock another transaction holds before the
# request gives up with 503 and Retry-After (SQLite busy_timeout, PostgreSQL
# lock_timeout). Long work is written in short transactions, so a few
# seconds is plenty; PostgreSQL also bounds any one statement.
LOCK_WAIT_MS = int(os.environ.get("PORTAL_DB_LOCK_WAIT_MS", 5000))
STATEMENT_TIMEOUT_MS = int(os.environ.get("PORTAL_DB_STATEMENT_TIMEOUT_MS", 120_000))
RETRY_AFTER_SECONDS = 5

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": LOCK_WAIT_MS,
    "synchronous": "normal",
    "cache_size": -64000,
    "temp_store": "memory",
}

# PostgreSQL errors that mean "busy, try again" (SQLSTATE): lock not
# available, statement timeout, deadlock, serialization failure, too many
# connections, cannot connect now.
BUSY_SQLSTATES = {"55P03", "57014", "40P01", "40001", "53300", "57P03"}


def is_busy(err) -> bool:
    """Whether a database error means that the database is busy (a lock held
    by someone else, a timeout), not that the request or the code is wrong."""
    if not isinstance(err, OperationalError):
        return False
    text = str(err).lower()
    if "database is locked" in text or "database table is locked" in text:
        return True
    cause = getattr(err, "orig", None) or err.__cause__ or err.__context__
    code = getattr(cause, "pgcode", None) or getattr(err, "pgcode", None)
    return code in BUSY_SQLSTATES or "could not connect" in text or "timeout" in text


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


def open_database(url: str):
    if url.startswith("sqlite"):
        # Pooled: a request takes an open connection (pragmas set, functions
        # registered, page cache warm) and gives it back at teardown; a
        # transaction left open is rolled back on return. Creating the app
        # opens none, so gunicorn's workers (forked before they import the
        # app) share no connection.
        if url.startswith("sqlite:") and ":memory:" not in url:
            url = "sqlite+pool:" + url[len("sqlite:"):]
            # `timeout` is then the wait for a free connection; the
            # busy_timeout pragma still bounds the wait for a lock. A pooled
            # connection may serve another thread than the one that opened it
            # (one thread at a time).
            options = {"max_connections": POOL_SIZE, "stale_timeout": 300, "timeout": 30,
                       "check_same_thread": False}
        else:
            options = {"timeout": 30}
        database = connect(url, pragmas=SQLITE_PRAGMAS, **options)
        from .scale import register_functions
        register_functions(database)
    else:
        # The extended class gives server-side cursors (streamed exports).
        scheme, rest = url.split("://", 1)
        if scheme in ("postgres", "postgresql"):
            url = "postgresext://" + rest
        # a lock wait and any one statement are bounded: a busy database
        # answers 503 instead of queueing requests until the workers run out
        database = connect(url, options=f"-c lock_timeout={LOCK_WAIT_MS} "
                                        f"-c statement_timeout={STATEMENT_TIMEOUT_MS}")
    db.initialize(database)
    return database


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


def is_postgres() -> bool:
    return isinstance(db.obj, PostgresqlDatabase)


def insert_rows(model, names, rows, chunk=200):
    """INSERT many rows of `model` quickly: `rows` are value lists in the order
    of the field `names`, converted by each field's db_value. One statement
    per chunk, with parameters; for bulk work (imports) where building each
    value through the query builder would cost more than the insert itself."""
    database = db.obj
    fields = [model._meta.fields[n] for n in names]
    table = database.quote if isinstance(database.quote, str) else '""'
    q0, q1 = table[0], table[-1]
    columns = ", ".join(f"{q0}{f.column_name}{q1}" for f in fields)
    one = "(" + ", ".join([database.param] * len(fields)) + ")"
    head = f"INSERT INTO {q0}{model._meta.table_name}{q1} ({columns}) VALUES "
    converters = [f.db_value for f in fields]
    chunk = max(1, min(chunk, 16000 // len(fields)))     # under SQLite's parameter limit
    for i in range(0, len(rows), chunk):
        part = rows[i:i + chunk]
        params = [convert(value) for row in part for convert, value in zip(converters, row)]
        database.execute_sql(head + ", ".join([one] * len(part)), params)


_tx = threading.local()


@contextmanager
def write_transaction():
    """A transaction for read-then-write work (numbering, approvals, handover).

    On SQLite the write lock is taken at BEGIN, so concurrent writers wait for
    each other (busy_timeout) instead of deadlocking on a lock upgrade. Nested
    calls become savepoints. Work given to after_commit() runs once the
    outermost one has committed (and is dropped if it rolls back).
    """
    depth = getattr(_tx, "depth", 0)
    if depth == 0:
        _tx.after = []
    mark = len(_tx.after)
    _tx.depth = depth + 1
    try:
        with (db.atomic("IMMEDIATE") if is_sqlite() else db.atomic()):
            yield
    except BaseException:
        del _tx.after[mark:]
        raise
    finally:
        _tx.depth = depth
    if depth == 0:
        work, _tx.after = _tx.after, []
        for fn in work:
            fn()


def after_commit(fn):
    """Run `fn` once the current write transaction has committed (at once if
    there is none): long work that must not hold the lock everyone needs."""
    if getattr(_tx, "depth", 0) == 0:
        fn()
    else:
        _tx.after.append(fn)


@contextmanager
def short_lock_wait(ms=100):
    """A write that is only worth doing if the database is free at once
    (bookkeeping on a read path): wait at most `ms` for a lock."""
    if is_sqlite():
        db.execute_sql(f"PRAGMA busy_timeout = {int(ms)}")
        try:
            yield
        finally:
            db.execute_sql(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
    else:
        with db.atomic():
            db.execute_sql(f"SET LOCAL lock_timeout = {int(ms)}")
            yield


# SQLite has no queue for its write lock: a writer waiting in busy_timeout
# polls (at most every 100 ms), and long work that takes the lock again at
# once would starve it. Between its short transactions long work pauses this
# long, so that whoever waits gets in. PostgreSQL queues lock waiters itself.
YIELD_SECONDS = 0.12


def yield_to_writers():
    """Call between two transactions of long work (an import, a handover)."""
    if is_sqlite():
        import time
        time.sleep(YIELD_SECONDS)


def small_page_cache(kb):
    """This request reads many pages once (an export): SQLite gives it a page
    cache of `kb` KB, and the pooled connection gets the usual one back when
    the request ends (the streamed response included), however it ends."""
    from flask import g
    if is_sqlite():
        db.execute_sql(f"PRAGMA cache_size = -{int(kb)}")
        g.page_cache_lowered = True


def _lowered_page_cache():
    from flask import g, has_app_context
    return has_app_context() and g.pop("page_cache_lowered", False)


@contextmanager
def connection():
    """Open a connection for CLI work outside a request."""
    opened = db.is_closed()
    if opened:
        db.connect()
    try:
        yield
    finally:
        if opened and not db.is_closed():
            db.close()


def init_app(app):
    open_database(app.config["DATABASE_URL"])

    @app.before_request
    def _connect():
        if db.is_closed():
            db.connect()

    if app.config.get("QUERY_COUNT"):
        _count_queries(app)

    @app.teardown_appcontext
    def _close(exc):
        if not db.is_closed():
            if _lowered_page_cache():
                db.execute_sql(f"PRAGMA cache_size = {SQLITE_PRAGMAS['cache_size']}")
            db.close()


def _count_queries(app):
    """X-Query-Count: how many SQL statements the request ran; X-Query-Time:
    the milliseconds spent executing them."""
    from flask import g, has_request_context

    def note(event):
        if has_request_context():
            g.query_count = g.get("query_count", 0) + 1
            g.query_time = g.get("query_time", 0.0) + event.duration
    db.obj.query_hooks.append(note)

    @app.after_request
    def _header(response):
        from flask import g
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        response.headers["X-Query-Time"] = f"{g.get('query_time', 0.0) * 1000:.2f}"
        return response
