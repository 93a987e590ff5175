"""`flask --app wsgi portal sweep`: reminders, overdue marks and automatic
escalations, run by cron. Every sweeper is idempotent and safe to run on two
hosts at once: each state change is an UPDATE guarded by the state it
leaves, and each reminder has a unique dedupe key."""
from . import clock

SWEEPERS = []


def sweeper(fn):
    SWEEPERS.append(fn)
    return fn


@sweeper
def overdue_loans(now):
    from .workflows.borrowing import sweep_overdue
    return sweep_overdue(now)


@sweeper
def overdue_cases(now):
    from .workflows.cases import sweep_overdue_cases
    return sweep_overdue_cases(now)


@sweeper
def due_reminders(now):
    """Records of a workflow with a deadline (`due_field`) still running past
    it: their handler (or filler) is reminded once per deadline. Complaints
    have their own escalation sweep."""
    from datetime import date, datetime
    from peewee import DateTimeField
    from . import notify, registry
    from .i18n import gettext, tr
    sent = 0
    for spec in registry.all_specs():
        wf = spec.workflow
        if wf is None or not wf.due_field or spec.name == "complaint":
            continue
        Model = spec.model
        due = getattr(Model, wf.due_field)
        limit = now if isinstance(spec.fields[wf.due_field], DateTimeField) else now.date()
        rows = (Model.select().where(getattr(Model, wf.state_field).in_(wf.running_states()),
                                     due < limit, Model.deleted_at.is_null()))
        for row in rows:
            person = row.__data__.get(wf.handler_field) if wf.handler_field else None
            person = person or row.__data__.get("filled_by")
            value = getattr(row, wf.due_field)
            stamp = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
            sent += notify.send(notify.users_of([person]),
                                gettext("「%(register)s」%(no)s 已超过期限（%(due)s）", register=tr(spec.label),
                                        no=row.record_no, due=stamp[:16]),
                                register=spec.name, record_id=row.id, kind="overdue",
                                dedupe=f"due:{spec.name}:{row.id}:{stamp}")
    return sent


@sweeper
def expired_idempotency_keys(now):
    """Idempotency keys older than a day: a retry comes within minutes."""
    from datetime import timedelta
    from .api import KEY_LIFETIME_HOURS, IdempotencyKey
    return (IdempotencyKey.delete()
            .where(IdempotencyKey.created_at < now - timedelta(hours=KEY_LIFETIME_HOURS)).execute())


def run_all(now=None):
    now = now or clock.now()
    return [(fn.__name__, fn(now)) for fn in SWEEPERS]
