"""Append-only audit events: who did what to which record, when, from where,
with every changed field before -> after. Written by the same transaction as
the change it records; the portal offers no way to edit or delete them."""
import json
from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context, request
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .accounts import User
from .clock import now
from .db import BaseModel, insert_rows


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

    class Meta:
        table_name = "audit_event"

    def save(self, *args, **kwargs):
        if self.id is not None and not kwargs.get("force_insert"):
            raise PermissionError("audit events are append-only")
        return super().save(*args, **kwargs)

    @property
    def change_dict(self) -> dict:
        return json.loads(self.changes) if self.changes else {}


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
    return AuditEvent.create(
        actor=actor_id, actor_name=name, ip=ip,
        register=register,
        record_id=row.id if row is not None else record_id,
        record_no=(getattr(row, "record_no", "") or "") if row is not None else record_no,
        action=action,
        changes=json.dumps(changes, ensure_ascii=False) if changes else None,
        comment=comment, grant=grant[:200])


def record_many(actor, action, register, entries, comment=None, chunk=500):
    """One event per (row, changes) of `entries`, inserted in chunks (imports)."""
    actor_id, name, ip = _origin(actor)
    at = now()
    names = ("at", "actor", "actor_name", "ip", "register", "record_id", "record_no", "action",
             "comment", "grant", "changes")
    rows = [(at, actor_id, name, ip, register, row.id, getattr(row, "record_no", "") or "",
             action, comment, "", json.dumps(changes, ensure_ascii=False) if changes else None)
            for row, changes in entries]
    insert_rows(AuditEvent, names, rows, chunk)


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
