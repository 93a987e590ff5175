"""Effects of transitions: small functions (actor, row, inputs) -> None or a
record the transition produced."""
from .. import calendar, notify
from ..clock import now


def set_fields(**values):
    """Set fields; a value may be a function (actor, row, inputs) -> value.
    The fields are the transition's to set (never typed: portal/policy.py)."""
    def effect(actor, row, inputs):
        for name, value in values.items():
            setattr(row, name, value(actor, row, inputs) if callable(value) else value)
    effect.fields = tuple(values)
    return effect


def stamp(by_field=None, at_field=None):
    """Record who (the actor's employee) and when (fields never typed)."""
    def effect(actor, row, inputs):
        if by_field:
            setattr(row, by_field, actor.employee)
        if at_field:
            setattr(row, at_field, now())
    effect.fields = tuple(f for f in (by_field, at_field) if f)
    return effect


def sign(actor, row, inputs):
    """The actor signs as the responsible person (000-四 43)."""
    if row.__data__.get("responsible_signer") is None and actor.employee is not None:
        row.responsible_signer = actor.employee
        row.signed_at = now()


def deadline(field, rule, start_field=None):
    """`field` = start + the SLA rule; `rule` is a key or a function of the row.
    A date field receives the date of the deadline."""
    def effect(actor, row, inputs):
        from peewee import DateTimeField
        key = rule(row) if callable(rule) else rule
        start = getattr(row, start_field) if start_field else now()
        if key:
            due = calendar.rule_deadline(key, start or now())
            if due is not None and not isinstance(type(row)._meta.fields[field], DateTimeField):
                due = due.date()
            setattr(row, field, due)
    return effect


def notify_employees(field_or_fn, title, kind="task"):
    """Notify the employee(s) named by a field (or returned by a function)."""
    def effect(actor, row, inputs):
        if callable(field_or_fn):
            ids = field_or_fn(row)
        else:
            ids = [row.__data__.get(field_or_fn)]
        ids = [i for i in (ids or []) if i]
        text = title(row) if callable(title) else title
        spec = type(row)._spec
        notify.send(notify.users_of(ids), text, register=spec.name, record_id=row.id, kind=kind)
    return effect


def notify_role(role, title, kind="task"):
    def effect(actor, row, inputs):
        text = title(row) if callable(title) else title
        spec = type(row)._spec
        notify.send(notify.users_with_role(role), text, register=spec.name, record_id=row.id, kind=kind)
    return effect


def create_record(register, values, comment=None, link_field=None):
    """Create follow-up record(s) of `register`; `values(actor, row, inputs)`
    returns its field values (or a list of them). With `link_field`, the row
    points to the (last) record created."""
    def effect(actor, row, inputs):
        from .. import registry, services
        spec = registry.get(register)
        data = values(actor, row, inputs)
        created = None
        for item in (data if isinstance(data, list) else [data]):
            created = services.create(actor, spec.model, item, check_permission=False,
                                      comment=comment)
        if link_field and created is not None:
            setattr(row, link_field, created)
    return effect
