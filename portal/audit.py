"""Append-only audit events: who did what to which record, when, from where,
with every changed field before -> after. Written by the same transaction as
the change it records; the portal offers no way to edit or delete them.

Tamper evidence:

- Each event carries `hash`, the SHA-256 of `prev_hash` (the hash of the event
  before it in id order, "" for the first) and of its own fields (CHAINED), in
  a canonical form (`chain_hash`). Changing, removing or inserting an event
  breaks the chain there; `verify()` walks it (`portal audit verify`, and the
  audit log page from its last checkpoint, `chain_status()`). Every writer
  goes through `_append`: `record`, `record_many` (imports) and `append`
  (events prepared as dicts). A row inserted another way has no hash, and the
  verification stops at it.
- Database triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) of
  `audit_event` (`install_guard`, run by `init-db` and `portal migrate`).
  Maintenance that must rewrite the table (the test database's reset) lifts
  them for one transaction with `unguarded()`.

The chain is not keyed: whoever can lift the guard can also rewrite every
hash after a change. `portal audit verify` prints the hash of the last event;
kept outside the database (the cron mail of the verification, for example), it
shows such a rewrite.
"""
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from hashlib import sha256

from flask import has_request_context, request
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .accounts import User
from .clock import now
from .db import BaseModel, db, insert_rows, is_postgres, write_transaction


class AuditEvent(BaseModel):
    at = DateTimeField(default=now, index=True)
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    actor_name = CharField(max_length=120, default="")
    ip = CharField(max_length=64, default="")
    register = CharField(max_length=60, index=True)
    record_id = IntegerField(null=True, index=True)
    record_no = CharField(max_length=60, default="")
    action = CharField(max_length=40)
    changes = TextField(null=True)     # JSON {field: [before, after]}
    comment = TextField(null=True)
    grant = CharField(max_length=200, default="")   # what allowed a confidential read
    prev_hash = CharField(max_length=64, null=True)  # the previous event's hash ("" for the first)
    hash = CharField(max_length=64, null=True)       # chain_hash(prev_hash, fields)

    class Meta:
        table_name = "audit_event"

    def save(self, *args, **kwargs):
        if self.id is not None and not kwargs.get("force_insert"):
            raise PermissionError("audit events are append-only")
        return super().save(*args, **kwargs)

    @property
    def change_dict(self) -> dict:
        return json.loads(self.changes) if self.changes else {}


class AuditCheckpoint(BaseModel):
    """The last link of the chain found intact (one row): the audit log page
    verifies only the events after it. A cache, not evidence: it is used only
    while its event still carries its hash and the count up to it matches."""
    event_id = IntegerField()
    hash = CharField(max_length=64)
    count = IntegerField()
    verified_at = DateTimeField(default=now)

    class Meta:
        table_name = "audit_checkpoint"


# The fields an event's hash covers, in the order of the canonical form.
CHAINED = ("at", "actor", "actor_name", "ip", "register", "record_id", "record_no", "action",
           "changes", "comment", "grant")
_DEFAULTS = {"actor": None, "actor_name": "", "ip": "", "record_id": None, "record_no": "",
             "changes": None, "comment": None, "grant": ""}


def plain(value):
    """A JSON-friendly form of a field value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "_meta"):   # a model instance: its id
        return value.id
    return str(value)


# The chain ----------------------------------------------------------------------

def _moment(value):
    """`at` in the canonical form, YYYY-MM-DD HH:MM:SS.ffffff. SQLite gives
    it back as the text the driver wrote (without the fraction when it is
    zero), PostgreSQL as a datetime."""
    if isinstance(value, datetime):
        return value.isoformat(" ", "microseconds")
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return value
        if len(value) == 19 and value[10] == " ":
            return value + ".000000"
        try:
            return datetime.fromisoformat(value).isoformat(" ", "microseconds")
        except ValueError:
            return value
    return value


def _part(value):
    # length-prefixed, so no text can pass for a field boundary
    if value is None:
        return "~"
    if isinstance(value, int):
        return f"#{value}"
    value = str(value)
    return f"{len(value)}:{value}"


def chain_hash(prev: str, values) -> str:
    """SHA-256 (hex) of the previous event's hash and an event's CHAINED
    values as the database gives them back, in a canonical text: each of
    prev, at (YYYY-MM-DD HH:MM:SS.ffffff), then the other fields in CHAINED
    order, written as `~` (NULL), `#` and the decimal digits (an integer), or
    its length in characters, `:` and the text; joined by commas; UTF-8."""
    text = ",".join([f"{len(v)}:{v}" if type(v) is str else "~" if v is None else _part(v)
                     for v in (prev, _moment(values[0]), *values[1:])])
    return sha256(text.encode("utf-8")).hexdigest()


# The lock of the chain's head on PostgreSQL, an advisory lock held to the end
# of the appending transaction. Rather than SELECT ... FOR UPDATE on a
# one-row head table: no table to keep in step with audit_event (restores,
# the test reset, inserts of an older version), no row rewritten (and
# vacuumed) per event, readers never wait, and nothing to undo on rollback.
# The head is then read from audit_event itself after the lock is granted: in
# READ COMMITTED (the portal's level) that statement sees the previous
# holder's events, committed before it let go.
_CHAIN_LOCK = 0x706F7274616C41   # "portalA": this database's only advisory lock


def _head() -> str:
    """Take the append lock, then the hash of the last event ("" if none).

    Called inside the appending transaction. On SQLite that transaction
    holds, or takes with its first write, the database's only write lock; a
    transaction whose reads are older than the last commit cannot take it
    (SQLITE_BUSY), so two appenders never both read the same head."""
    if is_postgres():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_CHAIN_LOCK,))
    row = db.execute_sql('SELECT "hash" FROM "audit_event" ORDER BY "id" DESC LIMIT 1').fetchone()
    return (row[0] or "") if row else ""


def _append(rows, chunk=500, digest=chain_hash):
    """Insert events (lists of CHAINED values, as the database will give them
    back), each chained to the one before, after the last event there is;
    `digest` is chain_hash or an equivalent faster for the rows at hand."""
    with write_transaction():          # a savepoint inside the caller's transaction
        prev = _head()
        chained = []
        for values in rows:
            link = digest(prev, values)
            chained.append((*values, prev, link))
            prev = link
        insert_rows(AuditEvent, CHAINED + ("prev_hash", "hash"), chained, chunk)


def _stored(name, value):
    """A value as the database stores and returns it (so the hash computed
    before the insert is the one a verification recomputes)."""
    field = AuditEvent._meta.fields[name]
    return field.python_value(field.db_value(value))


def append(events, chunk=500):
    """Append events given as dicts of AuditEvent fields (register and action
    required; `at` defaults to now, `changes` may be a dict): for code that
    prepares many events itself, instead of AuditEvent.insert_many."""
    moment = now()
    rows = []
    for event in events:
        unknown = set(event) - set(CHAINED)
        if unknown:
            raise ValueError(f"not fields of an audit event: {', '.join(sorted(unknown))}")
        event = {**_DEFAULTS, "at": moment, **event}
        if isinstance(event["changes"], dict):
            event["changes"] = json.dumps(event["changes"], ensure_ascii=False)
        rows.append([_stored(name, event[name]) for name in CHAINED])
    _append(rows, chunk)


def _origin(actor):
    """(actor id, actor name, ip) of an event."""
    ip = ""
    if has_request_context():
        ip = request.remote_addr or ""   # behind a proxy, ProxyFix sets it
    name = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        name = actor.username
    return (actor.id if name else None), (name or "system"), ip[:64]


def record(actor, action, register, row=None, changes=None, comment=None, grant="",
           record_id=None, record_no=""):
    actor_id, name, ip = _origin(actor)
    event = {"at": now(), "actor": actor_id, "actor_name": name, "ip": ip, "register": register,
             "record_id": row.id if row is not None else record_id,
             "record_no": (getattr(row, "record_no", "") or "") if row is not None else record_no,
             "action": action,
             "changes": json.dumps(changes, ensure_ascii=False) if changes else None,
             "comment": comment, "grant": grant[:200]}
    values = [_stored(n, event[n]) for n in CHAINED]
    with write_transaction():
        prev = _head()
        digest = chain_hash(prev, values)
        return AuditEvent.create(**dict(zip(CHAINED, values)), prev_hash=prev, hash=digest)


def record_many(actor, action, register, entries, comment=None, chunk=500):
    """One event per (row, changes) of `entries`, inserted in chunks (imports)."""
    actor_id, name, ip = _origin(actor)
    at = _stored("at", now())
    register, action = str(register), str(action)
    comment = None if comment is None else str(comment)
    rows = [(at, actor_id, name, ip, register, int(row.id), str(getattr(row, "record_no", "") or ""),
             action, json.dumps(changes, ensure_ascii=False) if changes else None, comment, "")
            for row, changes in entries]
    # chain_hash with the canonical text of the fields every row shares
    # written once: a third of the chain's cost on a large import
    head = ",".join(map(_part, (_moment(at), actor_id, name, ip, register)))
    middle, tail = _part(action), ",".join(map(_part, (comment, "")))

    def digest(prev, values):
        text = (f"{_part(prev)},{head},#{values[5]},{_part(values[6])},{middle},"
                f"{_part(values[8])},{tail}")
        return sha256(text.encode("utf-8")).hexdigest()
    _append(rows, chunk, digest)


# Verification -------------------------------------------------------------------

MISSING, LINK, CONTENT = "missing", "link", "content"


@dataclass
class Verdict:
    ok: bool
    count: int                 # events found intact, in id order
    last_id: int = 0           # the last of them (0: none)
    last_hash: str = ""
    broken_id: int | None = None
    reason: str = ""           # MISSING, LINK or CONTENT
    found: str = ""            # LINK: the prev_hash the event carries
    expected: str = ""         # LINK: the hash of the event before it
    complete: bool = True      # False: the walk stopped at its limit, intact so far

    def describe(self) -> str:
        from .i18n import gettext
        if self.ok and not self.complete:
            return gettext("审计链已校验 %(n)s 条（至事件 #%(id)s），其后的事件在下次打开本页时继续校验",
                           n=self.count, id=self.last_id)
        if self.ok:
            return gettext("审计链校验通过（%(n)s 条）", n=self.count)
        reason = {MISSING: gettext("没有链哈希（未经审计链写入）"),
                  LINK: gettext("与前一事件的哈希不衔接（其前的事件被删除、插入或改写）"),
                  CONTENT: gettext("内容与其哈希不符（事件被改写）")}[self.reason]
        return gettext("审计链在事件 #%(id)s 处断开：%(reason)s", id=self.broken_id, reason=reason)


_COLUMNS = ", ".join(f'"{AuditEvent._meta.fields[n].column_name}"'
                     for n in ("id",) + CHAINED + ("prev_hash", "hash"))


def _rows_after(last_id, batch):
    """The events after `last_id` in id order, `batch` rows per query: the
    walk keeps one batch in memory whatever the table's size."""
    sql = (f'SELECT {_COLUMNS} FROM "audit_event" WHERE "id" > {db.param} '
           f'ORDER BY "id" LIMIT {int(batch)}')
    while True:
        rows = db.execute_sql(sql, (last_id,)).fetchall()
        if not rows:
            return
        yield from rows
        last_id = rows[-1][0]


def verify(start=None, batch=2000, limit=None) -> Verdict:
    """Walk the chain in id order, from the first event or from `start`
    ((event id, its hash, number of events up to it)), to the first broken
    link, or to the end; or, given a `limit`, over that many events at most
    (an intact walk that stopped there is not `complete`)."""
    last_id, prev, count = start or (0, "", 0)
    for walked, row in enumerate(_rows_after(last_id, batch)):
        if limit is not None and walked >= limit:
            return Verdict(True, count, last_id, prev, complete=False)
        event_id, values, prev_hash, digest = row[0], row[1:-2], row[-2], row[-1]
        if not digest:
            return Verdict(False, count, last_id, prev, event_id, MISSING)
        if (prev_hash or "") != prev:
            return Verdict(False, count, last_id, prev, event_id, LINK, prev_hash or "", prev)
        if chain_hash(prev, values) != digest:
            return Verdict(False, count, last_id, prev, event_id, CONTENT)
        last_id, prev, count = event_id, digest, count + 1
    return Verdict(True, count, last_id, prev)


def save_checkpoint(verdict: Verdict):
    """Remember an intact chain's last link (a verdict with ok)."""
    if not verdict.ok or not verdict.last_id:
        return
    (AuditCheckpoint
     .insert(id=1, event_id=verdict.last_id, hash=verdict.last_hash, count=verdict.count,
             verified_at=now())
     .on_conflict(conflict_target=[AuditCheckpoint.id],
                  preserve=[AuditCheckpoint.event_id, AuditCheckpoint.hash, AuditCheckpoint.count,
                            AuditCheckpoint.verified_at])
     .execute())


# The audit log page re-walks at most this many events before it moves the
# checkpoint on (a write on a page view; the CLI's full walk moves it too).
CHECKPOINT_EVERY = 1000
# and walks at most this many per view (a second or two), going on from
# there at the next view: a table without a usable checkpoint (after a
# restore, or a deletion) does not hold one page for minutes.
PAGE_WALK_LIMIT = 50_000


def chain_status():
    """(verdict, checkpoint used or None) for the audit log page: the events
    after the checkpoint are verified one by one, those up to it are counted
    (a deleted or added one sends the page back to a walk from the first).
    An event changed before the checkpoint is found by a full walk only
    (`portal audit verify`, e.g. nightly)."""
    checkpoint = AuditCheckpoint.get_or_none(AuditCheckpoint.id == 1)
    start = None
    if checkpoint is not None:
        held = (AuditEvent.select(AuditEvent.hash)
                .where(AuditEvent.id == checkpoint.event_id).scalar())
        counted = AuditEvent.select().where(AuditEvent.id <= checkpoint.event_id).count()
        if held == checkpoint.hash and counted == checkpoint.count:
            start = (checkpoint.event_id, checkpoint.hash, checkpoint.count)
        else:
            checkpoint = None
    verdict = verify(start, limit=PAGE_WALK_LIMIT)
    if verdict.ok and verdict.count - (start[2] if start else 0) >= CHECKPOINT_EVERY:
        from .db import is_busy, short_lock_wait
        try:
            with short_lock_wait():       # a page view does not queue for the write lock
                save_checkpoint(verdict)
        except Exception as err:          # noqa: BLE001 -- only a busy database is let go
            if not is_busy(err):
                raise
    return verdict, checkpoint


# The guard ----------------------------------------------------------------------

_SQLITE_TRIGGERS = {
    "audit_event_no_update": "UPDATE",
    "audit_event_no_delete": "DELETE",
}
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = 'audit_event is append-only: ' || TG_OP || ' refused';
END
$$"""
_PG_TRIGGERS = {
    "audit_event_append_only": "BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW",
    "audit_event_no_truncate": "BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT",
}


def install_guard():
    """Triggers refusing UPDATE and DELETE of audit events, and the checkpoint
    table (idempotent). An ordinary PostgreSQL trigger does not fire under
    session_replication_role = replica (superusers only: replication, bulk
    repairs)."""
    AuditCheckpoint.create_table(safe=True)
    if is_postgres():
        db.execute_sql(_PG_FUNCTION)
        for name, when in _PG_TRIGGERS.items():
            # CREATE OR REPLACE TRIGGER needs PostgreSQL 14
            db.execute_sql(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '{name}' "
                f"AND tgrelid = 'audit_event'::regclass) THEN CREATE TRIGGER {name} {when} "
                f"EXECUTE FUNCTION portal_audit_append_only(); END IF; END $$")
    else:
        for name, verb in _SQLITE_TRIGGERS.items():
            db.execute_sql(
                f'CREATE TRIGGER IF NOT EXISTS "{name}" BEFORE {verb} ON "audit_event" '
                f"BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: {verb} refused'); END")


def guard_installed() -> bool:
    if is_postgres():
        sql = ("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass "
               "AND tgname IN ('audit_event_append_only', 'audit_event_no_truncate') "
               "AND tgenabled <> 'D'")
        wanted = len(_PG_TRIGGERS)
    else:
        sql = ("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
               "AND name IN ('audit_event_no_update', 'audit_event_no_delete')")
        wanted = len(_SQLITE_TRIGGERS)
    return db.execute_sql(sql).fetchone()[0] == wanted


_unguarded = threading.local()       # depth of nested unguarded() in this thread


@contextmanager
def unguarded():
    """One transaction in which audit events may be updated and deleted:
    the triggers are dropped at its start and created again before it
    commits (both engines change their schema transactionally, so no other
    connection sees the table unguarded; on PostgreSQL the table is locked
    meanwhile). For maintenance only: the test database's reset, a repair.
    Nested uses share the outer one."""
    depth = getattr(_unguarded, "depth", 0)
    with db.atomic():
        if depth == 0:
            names = _PG_TRIGGERS if is_postgres() else _SQLITE_TRIGGERS
            for name in names:
                db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"'
                               + (' ON "audit_event"' if is_postgres() else ""))
        _unguarded.depth = depth + 1
        try:
            yield
        finally:
            _unguarded.depth = depth
        if depth == 0:
            install_guard()


def chain_existing(batch=2000):
    """Chain every event in id order from the first (the upgrade of a database
    written before the chain; portal/migrations/0002_audit_chain.py), and
    leave a checkpoint at its end for the audit log page."""
    prev, count, last_id = "", 0, 0
    sql = f'UPDATE "audit_event" SET "prev_hash" = {db.param}, "hash" = {db.param} WHERE "id" = {db.param}'
    if is_postgres():
        from psycopg2.extras import execute_batch     # many statements per round trip

        def update(rows):
            execute_batch(db.cursor(), sql, rows, page_size=500)
    else:
        def update(rows):
            db.cursor().executemany(sql, rows)
    with unguarded():
        pending = []
        for row in _rows_after(0, batch):
            digest = chain_hash(prev, row[1:-2])
            pending.append((prev, digest, row[0]))
            prev, count, last_id = digest, count + 1, row[0]
            if len(pending) >= batch:
                update(pending)
                pending = []
        if pending:
            update(pending)
    save_checkpoint(Verdict(True, count, last_id, prev))     # its table comes with the guard


# Reading ------------------------------------------------------------------------

def readable_records(actor, events) -> set:
    """(register, record id) of the events' records that `actor` may read
    now, live or in the recycle bin: an event shows its field values and
    comment only to them (a sealed record's old values are still sealed)."""
    import permissions
    from .registry import get as get_spec
    wanted = {}
    for event in events:
        if event.record_id is not None:
            wanted.setdefault(event.register, set()).add(event.record_id)
    readable = set()
    for register, ids in wanted.items():
        spec = get_spec(register)
        if spec is None:            # accounts, permissions: the audit log's own readers
            readable.update((register, i) for i in ids)
            continue
        Model = spec.model
        for deleted, verb in ((False, "view"), (True, "restore")):
            found = permissions.rows(actor, verb, Model, deleted=deleted, fields=(Model.id,)) \
                .where(Model.id.in_(list(ids)))
            readable.update((register, pk) for (pk,) in found.tuples())
    return readable


def shows_values(readable, event) -> bool:
    return event.record_id is None or (event.register, event.record_id) in readable
