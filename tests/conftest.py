"""Test fixtures: one app per session on a fresh database (SQLite in a temp
dir, or PostgreSQL when PORTAL_DATABASE_URL is set), reset to the demo
organisation before every test. Each test builds the records it needs."""
import os
import re
import tempfile

import pytest

_TMP = tempfile.mkdtemp(prefix="portal-test-")
os.environ.setdefault("PORTAL_INSTANCE", _TMP)
os.environ.setdefault("PORTAL_SECRET_KEY", "test-secret")

PASSWORD = "demo-pass"


@pytest.fixture(scope="session")
def app():
    from portal import create_app
    overrides = {"TESTING": True, "PASSWORD_METHOD": "pbkdf2:sha256:1000",
                 "DEMO_PASSWORD": PASSWORD}
    if not os.environ.get("PORTAL_DATABASE_URL"):
        overrides["DATABASE_URL"] = f"sqlite:///{_TMP}/test.db"
    app = create_app(overrides)
    from portal.cli import create_schema
    from portal.db import connection, db, is_postgres
    with app.app_context(), connection():
        if is_postgres():        # a database left by an earlier run starts clean
            db.drop_tables(list(reversed(_tables())), safe=True, cascade=True)
        create_schema()
        _baseline(app)
    return app


_BASELINE = {}
_SNAPSHOTS = {"baseline": _BASELINE}


def _tables():
    from portal import all_models
    return all_models()


def _baseline(app):
    """Seed the organisation once and remember its rows."""
    from seed import seed_organisation
    from portal.accounts import hash_password
    from portal.settings import ensure_settings
    seed_organisation(hash_password(PASSWORD))
    ensure_settings()
    for model in _tables():
        _BASELINE[model] = list(model.select().dicts())


# Tables written since the last reset, seen by a query hook on every statement
# the portal runs (None: unknown, reset everything). A reset rewrites only
# those tables, which keeps a test's setup in milliseconds on either database.
_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)'
                    r'\s+"?(\w+)"?', re.I)
_DIRTY = {"tables": None}


def _note_write(event):
    match = _WRITE.match(event.sql)
    if match and _DIRTY["tables"] is not None:
        _DIRTY["tables"].add(match.group(1))


def _track_writes():
    from portal.db import db
    if _note_write not in db.obj.query_hooks:
        db.obj.query_hooks.append(_note_write)


def reset_database(snapshot="baseline"):
    """Bring the tables back to a snapshot (None: empty). Foreign-key checks
    and actions are off while the rows are rewritten, so that rewriting one
    table never cascades into another."""
    from portal.db import db, is_postgres
    _track_writes()
    rows_of = _SNAPSHOTS[snapshot] if snapshot else {}
    dirty = _DIRTY["tables"] if snapshot else None
    tables = [m for m in _tables() if dirty is None or m._meta.table_name in dirty]
    _DIRTY["tables"] = None          # our own writes below are not changes
    if is_postgres():
        with db.atomic():
            db.execute_sql("SET LOCAL session_replication_role = replica")
            _rewrite(tables, rows_of)
            for model in tables:
                table = model._meta.table_name
                db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)")
    else:
        from contextlib import nullcontext
        from portal.audit import AuditEvent, unguarded
        db.execute_sql("PRAGMA foreign_keys = OFF")
        try:
            # the audit table refuses DELETE: its guard is lifted for the reset only
            with db.atomic(), (unguarded() if AuditEvent in tables else nullcontext()):
                _rewrite(tables, rows_of)
        finally:
            db.execute_sql("PRAGMA foreign_keys = ON")
    _DIRTY["tables"] = set()


def _rewrite(tables, rows_of):
    for model in tables:
        model.delete().execute()
        rows = rows_of.get(model)
        for i in range(0, len(rows or ()), 200):
            model.insert_many(rows[i:i + 200]).execute()


def _demo_snapshot(app):
    """The whole demo data set (seed --demo), made once per session."""
    if "demo" not in _SNAPSHOTS:
        from portal import clock
        from portal.cli import create_schema
        from seed import seed_demo
        with app.test_request_context():
            reset_database(snapshot=None)
            create_schema()
            seed_demo()
            clock.set(None)
            _SNAPSHOTS["demo"] = {m: list(m.select().dicts()) for m in _tables()}
    return "demo"


_LOADED = {"snapshot": None}


@pytest.fixture(autouse=True)
def fresh(app, request):
    """Every test starts from the demo organisation, or, marked `demo_data`,
    from the whole demo data set. Tests marked `demo_data(shared=True)` only
    add records of their own and may follow each other on the same data."""
    from portal import clock
    from portal.db import connection
    marker = request.node.get_closest_marker("demo_data")
    with app.app_context(), connection():
        snapshot = "baseline"
        if marker:
            snapshot = _demo_snapshot(app)
        shared = bool(marker and marker.kwargs.get("shared"))
        loaded = _LOADED["snapshot"]
        if loaded is not None and loaded.removesuffix("-shared") != snapshot:
            _DIRTY["tables"] = None          # another snapshot: every table differs
        if not (shared and _LOADED["snapshot"] == "demo-shared"):
            reset_database(snapshot)
        _LOADED["snapshot"] = "demo-shared" if shared else snapshot
    # login failures and rate-limit counts of earlier tests do not carry over
    app.extensions["portal_limiter"].limiter.storage.reset()
    clock.set(None)
    yield
    clock.set(None)


@pytest.fixture
def db_ctx(app):
    """Direct model work in a test. Peewee connects on demand; no Flask
    context is pushed, so requests made by test clients keep their own `g`."""
    yield


# Users and clients ---------------------------------------------------------

def user(username):
    from portal.accounts import User
    return User.get(User.username == username)


def csrf_token(client):
    body = client.get("/login").get_data(as_text=True)
    if "csrf_token" not in body:
        body = client.get("/password").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)


def login(client, username, password=PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


class Portal:
    """A logged-in browser session: `get`, and `post` that adds the CSRF token."""

    def __init__(self, app, username):
        self.client = app.test_client()
        self.username = username
        response = login(self.client, username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self._token = None

    @property
    def token(self):
        if self._token is None:
            self._token = csrf_token(self.client)
        return self._token

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kw)


@pytest.fixture
def portal(app):
    """portal('sales') -> a logged-in session of that demo user."""
    def make(username):
        return Portal(app, username)
    return make


class Api:
    """A bearer-token API client of one demo user."""

    def __init__(self, app, username):
        from portal.accounts import ApiToken
        from portal.db import connection
        with app.app_context(), connection():
            self.token = ApiToken.issue(user(username))
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def _call(self, method, url, **kw):
        headers = dict(self.headers, **kw.pop("headers", {}))
        return getattr(self.client, method)(url, headers=headers, **kw)

    def get(self, url, **kw):
        return self._call("get", url, **kw)

    def post(self, url, json=None, **kw):
        return self._call("post", url, json=json, **kw)

    def patch(self, url, json=None, **kw):
        return self._call("patch", url, json=json, **kw)

    def delete(self, url, **kw):
        return self._call("delete", url, **kw)


@pytest.fixture
def api(app):
    def make(username):
        return Api(app, username)
    return make


# Record factories -------------------------------------------------------------

@pytest.fixture
def make(app):
    """make('customer', actor='clerk', name=...) creates a record through the
    services layer (permissions, numbering, audit) and returns it."""
    from portal import registry, services
    from portal.db import connection

    def create(register, actor="clerk", **values):
        with app.test_request_context(), connection():
            spec = registry.get(register)
            defaults = FACTORY_DEFAULTS.get(register, lambda: {})()
            defaults.update(values)
            return services.create(user(actor), spec.model, defaults)
    return create


@pytest.fixture
def trading(app):
    """trading(customer) -> the customer made a trading customer the only way
    there is: a 交易开始调查书 filed, 认可 by the sales supervisor and 承认 by
    the sales manager (R-CUS-04). Returns the approved investigation."""
    from portal.db import connection

    def activate(customer):
        from models import Department
        from seed import trade_start, users
        with app.test_request_context(), connection():
            departments = {d.abbr: d for d in Department.select()}
            return trade_start(users(), departments, customer, "交易开始调查书")
    return activate


def _customer_defaults():
    from models import Employee, Region
    return {"name": "测试客户", "grade": "B", "region": Region.get(Region.name == "西北区"),
            "account_owner": Employee.get(Employee.name == "张伟"),
            "contact_name": "王工", "phone": "029-88886666", "address": "西安市高新路1号"}


FACTORY_DEFAULTS = {
    "customer": _customer_defaults,
}


def list_count(page, url):
    """The number of rows the list shows ("列表 (N)"; no number when empty)."""
    import html
    r = page.get(html.unescape(url))
    assert r.status_code == 200, (url, r.status_code)
    body = r.get_data(as_text=True)
    assert "筛选值无效" not in body, url
    match = re.search(r'class="nav-link active">[^<(]*\((\d+)\)', body)
    return int(match.group(1)) if match else 0


def flt(register, field, nth=0, pos=0):
    """The list URL argument of the nth filter on `field` of a register
    (e.g. flt("customer", "grade") -> "flt0_3"): tests do not hard-code
    filter positions."""
    from admin_views import VIEWS
    matches = [i for i, f in enumerate(VIEWS[register]._filters) if f.column.name == field]
    return f"flt{pos}_{matches[nth]}"


@pytest.fixture
def lent_file(api, make):
    """lent_file('sales') -> a restricted customer file of 销售二部, lent to
    that user through an approved borrow request (BorrowRequest instance)."""
    def lend(borrower):
        from models import BorrowRequest, Department, Employee
        row = make("customer", actor="marketing", name="限阅客户甲",
                   responsible_dept=Department.get(Department.abbr == "XS2"),
                   account_owner=Employee.get(Employee.name == "何平"), confidentiality="restricted",
                   custodian=Employee.get(Employee.name == "刘静"))
        rid = api(borrower).post("/api/v1/borrow_request", json={
            "register": "customer", "record": row.id, "purpose": "consult",
            "reason": "核对开票信息"}).get_json()["id"]
        assert api("marketing").post(f"/api/v1/borrow_request/{rid}/approve").status_code == 200
        assert api("clerk").post(f"/api/v1/borrow_request/{rid}/lend").status_code == 200
        return BorrowRequest.get_by_id(rid)
    return lend
