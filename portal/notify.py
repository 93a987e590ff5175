"""The in-portal notification inbox. `dedupe` makes reminders idempotent: the
same reminder for the same breach is written once, however often (or however
concurrently) the sweep runs."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .accounts import User
from .clock import now
from .db import BaseModel


class Notification(BaseModel):
    recipient = ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    kind = CharField(max_length=40, default="info")
    title = CharField(max_length=200)
    body = TextField(null=True)
    register = CharField(max_length=60, null=True)
    record_id = IntegerField(null=True)
    created_at = DateTimeField(default=now, index=True)
    read_at = DateTimeField(null=True)
    dedupe = CharField(max_length=200, null=True, unique=True)

    class Meta:
        table_name = "notification"

    @property
    def link(self):
        if self.register and self.record_id:
            return f"/{self.register}/details/?id={self.record_id}"
        return None


def users_of(employee_ids):
    from models import Employee
    ids = [e for e in employee_ids if e]
    if not ids:
        return []
    return [e.user_id for e in Employee.select(Employee.user).where(Employee.id.in_(ids),
                                                                  Employee.user.is_null(False))]


def users_with_role(role_key):
    from .accounts import Role, UserRole
    return [ur.user_id for ur in UserRole.select(UserRole.user).join(Role)
            .join_from(UserRole, User).where(Role.key == role_key, User.active == True)]  # noqa: E712


def send(user_ids, title, body=None, register=None, record_id=None, kind="info", dedupe=None):
    """Write one notification per user; with `dedupe`, at most once per key."""
    sent = 0
    for uid in dict.fromkeys(u for u in user_ids if u):
        key = f"{dedupe}:{uid}"[:200] if dedupe else None
        if key and Notification.select().where(Notification.dedupe == key).exists():
            continue
        query = Notification.insert(recipient=uid, kind=kind, title=title[:200], body=body,
                                    register=register, record_id=record_id, dedupe=key)
        if key:
            query = query.on_conflict_ignore()   # a concurrent sweep wrote it first
        query.execute()
        sent += 1
    return sent


def unread_count(user):
    return Notification.select().where(Notification.recipient == user.id,
                                       Notification.read_at.is_null()).count()
