"""Several writers at once on the same database file: 8 threads, each with its
own connection, creating and editing records through the API (numbering from
one shared series, optimistic lock, audit). On SQLite every read-then-write
transaction starts with BEGIN IMMEDIATE, so the writers queue on the lock
(busy timeout) instead of failing with "database is locked"."""
import threading

THREADS = 8
WRITES = 25          # per thread: 13 creations and 12 edits
EXPORTS = 6          # and a reader exporting the list meanwhile


def test_concurrent_writers_lose_no_write_and_never_find_the_database_locked(api, db_ctx):
    from models import Customer, Employee, Region
    from portal.audit import AuditEvent
    region = Region.get(Region.name == "西北区").id
    owner = Employee.get(Employee.name == "张伟").id
    clients = [api("marketing") for _ in range(THREADS)]
    failures = []
    start = threading.Barrier(THREADS + 1)

    def writer(n):
        client = clients[n]
        start.wait()
        created = None
        for i in range(WRITES):
            if i % 2 == 0:
                r = client.post("/api/v1/customer", json={
                    "name": f"并发客户{n}-{i}", "grade": "B", "region": region,
                    "account_owner": owner, "contact_name": "王工", "phone": "029-88886666",
                    "address": "西安市高新路1号"})
                expected = 201
                created = r.get_json() if r.status_code == 201 else None
            else:
                r = client.patch(f"/api/v1/customer/{created['id']}",
                                 json={"version": created["version"], "phone": f"029-{n}{i:04d}"})
                expected = 200
            if r.status_code != expected:
                failures.append((n, i, r.status_code, r.get_data(as_text=True)[:300]))
                return

    def exporter():
        """Exports read in one transaction and audit at the end, meanwhile."""
        client = api("marketing")
        start.wait()
        for _ in range(EXPORTS):
            r = client.get("/api/v1/customer/export.csv")
            body = r.get_data(as_text=True)          # the stream runs to its end
            if r.status_code != 200 or "客户名称" not in body:
                failures.append(("export", r.status_code, body[:300]))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    threads.append(threading.Thread(target=exporter))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not failures, failures

    rows = list(Customer.select().where(Customer.name.startswith("并发客户")))
    assert len(rows) == THREADS * 13
    assert len({r.record_no for r in rows}) == len(rows)           # no number drawn twice
    edited = {(int(r.name[4:].split("-")[0]), r.phone, r.version) for r in rows if r.version == 2}
    assert len(edited) == THREADS * 12
    assert all(phone == f"029-{n}{int(phone[-4:]):04d}" for n, phone, _ in edited)
    ids = [r.id for r in rows]
    audited = (AuditEvent.select().where(AuditEvent.register == "customer",
                                         AuditEvent.record_id.in_(ids)).count())
    assert audited == THREADS * WRITES                              # one event per write
    exports = AuditEvent.select().where(AuditEvent.register == "customer",
                                        AuditEvent.action == "export").count()
    assert exports == EXPORTS
