"""Strict input and clean failures: JSON types are checked exactly, text is
stored normalised, look-alike names are flagged, a busy database answers 503
with Retry-After (never 500), and a read never waits on a write."""
import threading
import time
import unicodedata

import pytest

from conftest import user


@pytest.fixture
def customer_body(db_ctx):
    from models import Employee, Region
    return {"name": "宝鸡市交通局", "grade": "B", "region": Region.get(Region.name == "西北区").id,
            "account_owner": Employee.get(Employee.name == "张伟").id, "contact_name": "王工",
            "phone": "029-88886666", "address": "西安市高新路1号"}


@pytest.mark.parametrize("field,value,message", [
    ("name", ["甲", "乙"], "字符串"),                  # a list is not taken for its first element
    ("is_key_account", "maybe", "true 或 false"),     # nor a word for a boolean
    ("is_key_account", "true", "true 或 false"),
    ("grade", None, "null"),                          # null is not an empty code
    ("region", "1", "整数"),
    ("region", True, "整数"),
    ("segments", "vip", "列表"),
    ("sales_volume", "十元", "数字"),
])
def test_json_types_are_checked_exactly(api, customer_body, field, value, message):
    from models import Customer
    r = api("clerk").post("/api/v1/customer", json=dict(customer_body, **{field: value}))
    assert r.status_code == 400 and message in r.get_json()["errors"][field], r.get_json()
    assert Customer.select().count() == 0


def test_a_lone_surrogate_is_refused_not_a_500(api, customer_body, make, db_ctx):
    r = api("clerk").post("/api/v1/customer", data='{"name": "坏\\ud800字"}',
                          headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "控制字符" in r.get_json()["error"]
    row = make("customer")
    r = api("clerk").patch(f"/api/v1/customer/{row.id}", data='{"version": 1, "phone": "\\udfff"}',
                           headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = api("gm").post(f"/api/v1/customer/{row.id}/review", data='{"comment": "\\ud83d"}',
                       headers={"Content-Type": "application/json"})
    assert r.status_code == 400


def test_text_is_stored_nfc_without_invisible_characters(api, customer_body, db_ctx):
    from models import Customer
    decomposed = unicodedata.normalize("NFD", "Café宝鸡")
    body = dict(customer_body, name="\ufeff宝鸡\u200b交通局", contact_name=decomposed,
                address="西安市\u00a0高新路", business_scope="\u200b经营\u2060内容")
    r = api("clerk").post("/api/v1/customer", json=body)
    assert r.status_code == 201, r.get_json()
    row = Customer.get_by_id(r.get_json()["id"])
    assert row.name == "宝鸡交通局"
    assert row.contact_name == "Café宝鸡" and unicodedata.is_normalized("NFC", row.contact_name)
    assert row.address == "西安市 高新路" and row.business_scope == "经营内容"


def test_a_look_alike_name_is_flagged_on_create(api, portal, customer_body, db_ctx):
    first = api("clerk").post("/api/v1/customer", json=dict(customer_body, name="ABC衡器公司"))
    assert first.status_code == 201 and "warnings" not in first.get_json()
    r = api("clerk").post("/api/v1/customer", json=dict(customer_body, name="ＡＢＣ 衡器\u3000公司"))
    assert r.status_code == 201
    assert r.get_json()["warnings"]["similar"] == [first.get_json()["record_no"]]
    # the form says so too
    p = portal("clerk")
    page = p.get("/customer/new/").get_data(as_text=True)
    assert "csrf_token" in page


# A busy database --------------------------------------------------------------------------

def hold_the_write_lock(app, seconds):
    """Another connection holds the database's write lock (SQLite: BEGIN
    IMMEDIATE on the file; PostgreSQL: every customer row locked)."""
    from portal.db import db, is_postgres
    ready, done = threading.Event(), threading.Event()

    def hold():
        import sqlite3
        if is_postgres():
            import psycopg2
            params = db.obj.connect_params
            conn = psycopg2.connect(database=db.obj.database, **params)
            cur = conn.cursor()
            cur.execute('SELECT id FROM "customer" FOR UPDATE')
        else:
            conn = sqlite3.connect(db.obj.database, isolation_level=None, check_same_thread=False)
            conn.execute("BEGIN IMMEDIATE")
        ready.set()
        done.wait(seconds)
        conn.rollback()
        conn.close()
    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    ready.wait(10)
    return done, thread


def test_a_write_that_cannot_get_the_database_answers_503_with_retry_after(app, api, make, db_ctx):
    from portal.db import LOCK_WAIT_MS
    row = make("customer", name="被锁定的客户")
    client = api("clerk")
    done, thread = hold_the_write_lock(app, seconds=60)
    try:
        started = time.monotonic()
        r = client.patch(f"/api/v1/customer/{row.id}", json={"version": 1, "phone": "029-1"})
        took = time.monotonic() - started
    finally:
        done.set()
        thread.join(10)
    assert r.status_code == 503, (r.status_code, r.get_json())
    assert r.headers["Retry-After"].isdigit() and "稍后重试" in r.get_json()["error"]
    assert took < LOCK_WAIT_MS / 1000 + 5
    # once the lock is gone, the same request goes through
    assert client.patch(f"/api/v1/customer/{row.id}", json={"version": 1, "phone": "029-1"}).status_code == 200


def test_a_token_read_does_not_write_on_every_request(api, make, db_ctx):
    from portal.accounts import ApiToken
    from portal.db import db
    client = api("clerk")
    assert client.get("/api/v1/me").status_code == 200
    first = ApiToken.get(ApiToken.user == user("clerk").id).last_used_at
    writes = []

    def note(event):
        if event.sql.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
            writes.append(event.sql)
    db.obj.query_hooks.append(note)
    try:
        for _ in range(5):
            assert client.get("/api/v1/customer").status_code == 200
    finally:
        db.obj.query_hooks.remove(note)
    assert writes == [] and first is not None
    assert ApiToken.get(ApiToken.user == user("clerk").id).last_used_at == first


# A retried create ------------------------------------------------------------------------

def test_a_retried_create_with_an_idempotency_key_makes_one_record(api, customer_body, db_ctx):
    from models import Customer
    client = api("clerk")
    headers = {"Idempotency-Key": "create-customer-0001"}
    first = client.post("/api/v1/customer", json=customer_body, headers=headers)
    again = client.post("/api/v1/customer", json=customer_body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Customer.select().count() == 1
    # the same key for another request is a conflict, not a silent replay
    r = client.post("/api/v1/customer", json=dict(customer_body, name="另一个客户"), headers=headers)
    assert r.status_code == 409 and Customer.select().count() == 1
    # another user's key is theirs
    assert api("sales").post("/api/v1/customer", json=customer_body, headers=headers).status_code == 201


def test_the_same_create_sent_twice_at_once_makes_one_record(app, customer_body, db_ctx):
    from conftest import Api
    from models import Customer
    clients = [Api(app, "clerk"), Api(app, "clerk")]
    headers = {"Idempotency-Key": "double-click"}
    answers = []

    def send(c):
        r = c.post("/api/v1/customer", json=customer_body, headers=headers)
        answers.append((r.status_code, r.get_json()["id"]))
    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [code for code, _ in answers] == [201, 201], answers
    assert len({pk for _, pk in answers}) == 1 and Customer.select().count() == 1


def test_an_expired_form_token_keeps_what_was_typed(portal, make, db_ctx):
    from models import Customer
    row = make("customer", name="原名称客户")
    p = portal("clerk")
    page = p.get(f"/customer/edit/?id={row.id}").get_data(as_text=True)
    import re
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    r = p.client.post(f"/customer/edit/?id={row.id}", data={
        "csrf_token": "expired", "version": version, "name": "我刚输入的新名称",
        "contact_name": "新联系人", "phone": "029-1", "address": "西安"})
    body = r.get_data(as_text=True)
    assert r.status_code == 400 and "您填写的内容已保留" in body
    assert 'value="我刚输入的新名称"' in body and 'value="新联系人"' in body
    assert re.search(r'name="csrf_token" value="[^"]{20,}"', body)      # a fresh token to resubmit
    assert Customer.get_by_id(row.id).name == "原名称客户"
    r = p.client.post("/customer/new/", data={"csrf_token": "expired", "name": "新建时输入的名称"})
    assert r.status_code == 400 and 'value="新建时输入的名称"' in r.get_data(as_text=True)
