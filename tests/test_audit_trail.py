"""Tamper evidence of the audit trail (portal/audit.py): the database refuses
to change or delete audit events, every event is chained to the one before
by a hash, and `portal audit verify` and the audit log page find the first
broken link."""
import re
import threading
from types import SimpleNamespace

import peewee
import pytest

from conftest import user

REFUSED = (peewee.IntegrityError, peewee.OperationalError, peewee.InternalError)


@pytest.fixture(autouse=True)
def _no_checkpoint(app):
    """Each test's chain starts from the organisation's: no checkpoint of an
    earlier test's events (the table is not one the reset rewrites)."""
    from portal.audit import AuditCheckpoint
    from portal.db import connection
    with app.app_context(), connection():
        AuditCheckpoint.delete().execute()
    yield
    with app.app_context(), connection():
        AuditCheckpoint.delete().execute()


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["portal", *args])


def events():
    from portal.audit import AuditEvent
    return list(AuditEvent.select().order_by(AuditEvent.id))


def some_events(make, api):
    row = make("customer", name="链上客户", grade="B")
    api("clerk").patch(f"/api/v1/customer/{row.id}", json={"version": 1, "grade": "A"})
    make("customer", name="链上客户二")
    found = events()
    assert len(found) >= 3
    return found


def sql(statement, *params):
    from portal.db import db
    return db.execute_sql(statement, params)


# The guard ----------------------------------------------------------------------

def test_the_database_refuses_to_change_or_delete_audit_events(make, db_ctx):
    from portal.audit import AuditEvent, guard_installed
    from portal.db import db, is_postgres
    make("customer", name="不可改的记录")
    event = events()[-1]
    assert guard_installed()
    one = f"WHERE id = {db.param}"
    for statement, params in ((f"UPDATE audit_event SET comment = 'changed' {one}", (event.id,)),
                              ("UPDATE audit_event SET hash = NULL, prev_hash = NULL", ()),
                              (f"DELETE FROM audit_event {one}", (event.id,)),
                              ("DELETE FROM audit_event", ())):
        with pytest.raises(REFUSED, match="append-only"):
            sql(statement, *params)
    with pytest.raises(REFUSED):
        AuditEvent.update(actor_name="someone").where(AuditEvent.id == event.id).execute()
    with pytest.raises(REFUSED):
        AuditEvent.delete().execute()
    if is_postgres():
        with pytest.raises(REFUSED, match="append-only"):
            sql("TRUNCATE audit_event")
    again = AuditEvent.get_by_id(event.id)
    assert (again.comment, again.hash) == (event.comment, event.hash)


def test_a_connection_of_its_own_is_refused_too(app, make, db_ctx):
    """Not the portal's connection (no pragmas, foreign keys off): the
    triggers are in the database."""
    from playhouse.db_url import connect
    make("customer", name="外部连接")
    url = app.config["DATABASE_URL"]
    other = connect(url, **({"timeout": 30} if url.startswith("sqlite") else {}))
    try:
        with pytest.raises(REFUSED, match="append-only"):
            other.execute_sql("UPDATE audit_event SET comment = 'x'")
        with pytest.raises(REFUSED, match="append-only"):
            other.execute_sql("DELETE FROM audit_event")
    finally:
        other.close()
    assert events()[-1].comment != "x"


def test_the_user_of_an_event_cannot_be_deleted_either(app, db_ctx):
    """Deleting a user would set their events' actor to NULL: a change of the
    chained fields, refused like any other (users are deactivated instead)."""
    from portal import audit
    from portal.accounts import User, create_user
    someone = create_user("someone", None, [], password_hash="x")
    with app.app_context():
        audit.record(someone, "edit", "user_account", record_id=someone.id, record_no="someone")
    with pytest.raises(REFUSED, match="append-only"):
        User.delete().where(User.id == someone.id).execute()
    assert User.get_by_id(someone.id) and events()[-1].actor_id == someone.id


# The chain ----------------------------------------------------------------------

def test_each_event_is_chained_to_the_one_before_in_id_order(make, api, db_ctx):
    from portal import audit
    found = some_events(make, api)
    prev = ""
    for event in found:
        values = [getattr(event, name) for name in audit.CHAINED]
        values[1] = event.actor_id
        assert event.prev_hash == prev
        assert event.hash == audit.chain_hash(prev, values)
        prev = event.hash
    verdict = audit.verify()
    assert verdict.ok and verdict.count == len(found)
    assert (verdict.last_id, verdict.last_hash) == (found[-1].id, found[-1].hash)


def test_record_many_chains_its_events_after_the_last_one(app, make, db_ctx):
    from portal import audit
    from portal.db import db
    make("customer", name="导入之前")
    before = events()
    reads = []

    def note(event):
        if "audit_event" in event.sql and event.sql.lstrip().upper().startswith("SELECT"):
            reads.append(event.sql)
    rows = [(SimpleNamespace(id=1000 + i, record_no=f"KH-{i:04d}"),
             {"name": [None, f"导入客户{i}"], "grade": [None, "B"]} if i % 3 else None)
            for i in range(1203)]
    db.obj.query_hooks.append(note)
    try:
        with app.test_request_context(), db.atomic():
            audit.record_many(user("clerk"), "import", "customer", rows, comment="导入批次 #7")
    finally:
        db.obj.query_hooks.remove(note)
    assert len(reads) == 1                      # the chain's head, read once for 1203 events
    after = events()
    added = after[len(before):]
    assert len(added) == 1203
    assert added[0].prev_hash == before[-1].hash
    assert (added[5].record_id, added[5].record_no, added[5].comment) == (1005, "KH-0005", "导入批次 #7")
    assert added[5].change_dict == {"name": [None, "导入客户5"], "grade": [None, "B"]}
    assert added[6].changes is None
    verdict = audit.verify(batch=500)           # over several batches of the walk
    assert verdict.ok and verdict.count == len(after)


def test_append_chains_events_prepared_as_dicts(app, make, db_ctx):
    from portal import audit
    from portal.clock import now
    make("customer", name="交接之前")
    clerk = user("clerk")
    with app.app_context():
        audit.append([{"at": now(), "actor": clerk.id, "actor_name": clerk.username,
                       "register": "customer", "record_id": i, "record_no": f"KH-{i}",
                       "action": "hand_over", "changes": '{"account_owner": [1, 2]}',
                       "comment": "交接单 JJ-0001"} for i in range(3)]
                     + [{"register": "customer", "action": "hand_over", "record_id": 9,
                         "changes": {"custodian": [1, 2]}}])
    found = events()
    assert [e.action for e in found[-4:]] == ["hand_over"] * 4
    assert found[-1].change_dict == {"custodian": [1, 2]} and found[-1].actor_name == ""
    assert audit.verify().ok and audit.verify().count == len(found)


def test_two_appenders_at_once_do_not_fork_the_chain(app, make, db_ctx):
    from portal import audit
    from portal.db import connection, write_transaction
    make("customer", name="并发之前")
    start = threading.Barrier(3)
    errors = []

    def worker(n):
        try:
            with app.app_context(), connection():
                start.wait()
                for i in range(8):
                    with write_transaction():
                        audit.record(None, "read", "customer", record_id=n * 100 + i)
                        audit.record(None, "print", "customer", record_id=n * 100 + i)
        except Exception as exc:     # noqa: BLE001 - any error fails the test below
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    verdict = audit.verify()
    assert verdict.ok, verdict
    assert verdict.count == len(events())
    assert len({e.prev_hash for e in events()}) == len(events())     # no two on one link


# Verification -------------------------------------------------------------------

def tamper(statement, *params):
    """What someone able to lift the guard could do: the triggers are dropped,
    the row changed, the triggers created again."""
    from portal import audit
    from portal.db import db
    with audit.unguarded():
        db.execute_sql(statement.replace("?", db.param), params)
    assert audit.guard_installed()


def test_verify_reports_ok_with_the_number_of_events(app, make, api, db_ctx):
    found = some_events(make, api)
    result = cli(app, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert f"审计链校验通过（{len(found)} 条）" in result.output
    assert f"#{found[-1].id}" in result.output and found[-1].hash in result.output


def test_a_changed_event_is_the_first_broken_link(app, make, api, db_ctx):
    found = some_events(make, api)
    victim = found[1]
    tamper("UPDATE audit_event SET comment = ? WHERE id = ?", "改过的说明", victim.id)
    result = cli(app, "audit", "verify")
    assert result.exit_code != 0
    assert f"审计链在事件 #{victim.id} 处断开：内容与其哈希不符" in result.output
    assert f"此前 1 条完好（至事件 #{found[0].id}）" in result.output


def test_a_change_with_its_hash_recomputed_breaks_the_next_link(app, make, api, db_ctx):
    from portal import audit
    found = some_events(make, api)
    victim, after = found[0], found[1]
    values = [getattr(victim, name) for name in audit.CHAINED]
    values[1], values[2] = victim.actor_id, "someone-else"
    forged = audit.chain_hash(victim.prev_hash, values)
    tamper("UPDATE audit_event SET actor_name = ?, hash = ? WHERE id = ?",
           "someone-else", forged, victim.id)
    result = cli(app, "audit", "verify")
    assert result.exit_code != 0
    assert f"审计链在事件 #{after.id} 处断开：与前一事件的哈希不衔接" in result.output
    assert f"该事件记录的前一哈希为 {victim.hash}，前一事件的哈希为 {forged}" in result.output


def test_a_deleted_event_breaks_the_link_of_the_next(app, make, api, db_ctx):
    found = some_events(make, api)
    tamper("DELETE FROM audit_event WHERE id = ?", found[1].id)
    result = cli(app, "audit", "verify")
    assert result.exit_code != 0
    assert f"审计链在事件 #{found[2].id} 处断开：与前一事件的哈希不衔接" in result.output


def test_an_event_written_outside_the_chain_is_reported(app, make, api, db_ctx):
    from portal.audit import AuditEvent
    some_events(make, api)
    AuditEvent.insert(register="customer", action="hand_over", record_id=1).execute()
    outsider = events()[-1]
    result = cli(app, "audit", "verify")
    assert result.exit_code != 0
    assert f"审计链在事件 #{outsider.id} 处断开：没有链哈希" in result.output


def test_verify_warns_when_the_guard_is_missing(app, make, db_ctx):
    from portal.db import is_postgres
    make("customer", name="无触发器")
    drop = ("DROP TRIGGER audit_event_append_only ON audit_event" if is_postgres()
            else "DROP TRIGGER audit_event_no_update")
    sql(drop)
    try:
        result = cli(app, "audit", "verify")
        assert result.exit_code == 0
        assert "审计表缺少禁止修改和删除的触发器" in result.output
        dry = cli(app, "migrate", "--dry-run")
        assert "create the triggers refusing UPDATE and DELETE on audit_event" in dry.output
    finally:
        assert cli(app, "migrate").exit_code == 0
    from portal.audit import guard_installed
    assert guard_installed()


# The audit log page -------------------------------------------------------------

def chain_line(page):
    """(alert class, the line, the note under it or None) of the audit log."""
    body = page.get("/audit_event/").get_data(as_text=True)
    match = re.search(r'<div id="audit-chain" class="alert ([\w-]+)[^"]*">\s*([^<]*?)\s*'
                      r'(?:<small[^>]*>([^<]*)</small>\s*)?</div>', body)
    assert match, body[:2000]
    return match.groups()


def test_the_audit_log_page_shows_whether_the_chain_holds(app, portal, make, api, db_ctx):
    found = some_events(make, api)
    page = portal("admin")
    count = len(events())
    assert chain_line(page) == ("alert-success", f"审计链校验通过（{count} 条）", None)
    tamper("UPDATE audit_event SET record_no = ? WHERE id = ?", "KH-篡改", found[1].id)
    assert chain_line(page) == (
        "alert-danger", f"审计链在事件 #{found[1].id} 处断开：内容与其哈希不符（事件被改写）", None)


def test_the_page_goes_on_from_a_checkpoint_and_notices_a_deleted_event(
        app, portal, make, api, db_ctx, monkeypatch):
    from portal import audit
    monkeypatch.setattr(audit, "CHECKPOINT_EVERY", 2)
    found = some_events(make, api)
    page = portal("gm")
    assert chain_line(page)[2] is None                  # walked from the first, then saved
    checkpoint = audit.AuditCheckpoint.get()
    assert checkpoint.count >= len(found)
    make("customer", name="检查点之后")
    count = len(events())
    kind, text, note = chain_line(page)
    assert (kind, text) == ("alert-success", f"审计链校验通过（{count} 条）")
    assert f"#{checkpoint.event_id} 及之前的事件已于" in note

    tamper("DELETE FROM audit_event WHERE id = ?", found[1].id)   # before the checkpoint
    kind, text, note = chain_line(page)
    assert kind == "alert-danger" and note is None
    assert text.startswith(f"审计链在事件 #{found[2].id} 处断开：与前一事件的哈希不衔接")


def test_a_long_walk_is_spread_over_several_views(app, portal, make, api, db_ctx, monkeypatch):
    from portal import audit
    monkeypatch.setattr(audit, "CHECKPOINT_EVERY", 1)
    monkeypatch.setattr(audit, "PAGE_WALK_LIMIT", 2)
    some_events(make, api)
    page = portal("gm")
    found = events()
    kind, text, _ = chain_line(page)
    assert kind == "alert-warning"
    assert text == (f"审计链已校验 2 条（至事件 #{found[1].id}），其后的事件在下次打开本页时继续校验")
    lines = [chain_line(page) for _ in range(len(found))]
    assert lines[-1][:2] == ("alert-success", f"审计链校验通过（{len(found)} 条）")


def test_portal_audit_verify_moves_the_checkpoint(app, make, api, db_ctx):
    from portal import audit
    found = some_events(make, api)
    assert cli(app, "audit", "verify").exit_code == 0
    checkpoint = audit.AuditCheckpoint.get()
    assert (checkpoint.event_id, checkpoint.hash, checkpoint.count) == \
        (found[-1].id, found[-1].hash, len(found))


# Upgrade ------------------------------------------------------------------------

def test_migrate_chains_the_events_of_an_older_database_once(app, make, api, db_ctx):
    """A database of the previous version: no chain columns, no triggers.
    The named step adds the columns and chains the events there are, in id
    order; the triggers follow."""
    from portal import audit, migrate
    from portal.db import db, is_postgres
    found = some_events(make, api)
    for name in ("audit_event_append_only ON audit_event", "audit_event_no_truncate ON audit_event") \
            if is_postgres() else ("audit_event_no_update", "audit_event_no_delete"):
        sql(f"DROP TRIGGER {name}")
    for column in ("prev_hash", "hash"):
        sql(f'ALTER TABLE "audit_event" DROP COLUMN "{column}"')
    history = migrate.runner().History
    history.delete().where(history.name == "0002_audit_chain").execute()
    try:
        dry = cli(app, "migrate", "--dry-run")
        assert "step 0002_audit_chain" in dry.output.splitlines()
        assert "create the triggers refusing UPDATE and DELETE on audit_event" in dry.output
        result = cli(app, "migrate")
        assert result.exit_code == 0, result.output
        assert "schema upgraded to version 0002_audit_chain" in result.output
    finally:
        if "hash" not in {c.name for c in db.get_columns("audit_event")}:
            migrate.upgrade()
    assert audit.guard_installed()
    chained = events()
    assert [e.id for e in chained] == [e.id for e in found]
    assert [e.hash for e in chained] == [e.hash for e in found]   # the same chain as written
    assert audit.verify().ok and audit.verify().count == len(found)
    checkpoint = audit.AuditCheckpoint.get()          # the page starts from the chain's end
    assert (checkpoint.event_id, checkpoint.hash, checkpoint.count) == \
        (found[-1].id, found[-1].hash, len(found))
    again = cli(app, "migrate")
    assert again.output.strip() == "schema up to date (version 0002_audit_chain)"
