"""The single entry point for permission decisions.

    can(actor, verb, model, row=None) -> bool
    require(actor, verb, model, row=None)   # raises Forbidden / NotFound

The matrix (role x register x verb) lives in the `permission` table, seeded
from the defaults each register declares and editable by the administrator;
it is read once per request. Row visibility is `rules.row_filter()`, one
Peewee expression per register, applied to every query; a single-row check
is that same expression plus `pk == id`.
"""
from flask import g, has_request_context
from peewee import CharField, ForeignKeyField

from portal.accounts import Role
from portal.db import BaseModel
from portal.i18n import gettext, tr
from portal.registry import VERB_LABELS, spec_for

from . import rules  # noqa: F401  (re-exported)
from .roles import ROLE_NAMES, ROLES, matrix_rows


class Permission(BaseModel):
    role = ForeignKeyField(Role, backref="permissions", on_delete="CASCADE")
    register = CharField(max_length=60)
    verb = CharField(max_length=40)

    class Meta:
        table_name = "permission"
        indexes = ((("role", "register", "verb"), True),)


class SeededRegister(BaseModel):
    """Matrix defaults already written, as "register:verb" (a bare register
    name is a mark of an older version: every verb that register had then).
    A verb added later (a new transition) gets its defaults on the next
    start without overwriting the administrator's edits of the others."""
    register = CharField(max_length=60, unique=True)

    class Meta:
        table_name = "permission_seeded"


class Forbidden(Exception):
    """403: the actor may not do this. `message` says what, in the user's language."""

    def __init__(self, message, verb=None, register=None):
        super().__init__(message)
        self.message = message
        self.verb = verb
        self.register = register


class NotFound(Exception):
    """404: the record does not exist or the actor may not read it."""


def _grants(actor) -> frozenset:
    """(register, verb) pairs granted to the actor's roles; cached per request."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return frozenset()
    cache = g.setdefault("_perm_cache", {}) if has_request_context() else {}
    key = actor.id
    if key not in cache:
        query = (Permission.select(Permission.register, Permission.verb)
                 .join(Role).where(Role.key.in_(list(actor.role_keys))))
        cache[key] = frozenset((p.register, p.verb) for p in query)
    return cache[key]


def _name(model) -> str:
    if isinstance(model, str):
        return model
    spec = spec_for(model)
    return spec.name if spec else model._meta.table_name


def allowed_verbs(actor, model) -> set:
    name = _name(model)
    return {verb for reg, verb in _grants(actor) if reg == name}


def can(actor, verb, model, row=None) -> bool:
    """May `actor` do `verb` on register `model` (and on `row`, if given)?

    A file lent to the actor counts for `view` even where their role does not
    read the register (R-ARC: the loan is the permission)."""
    name = _name(model)
    if (name, verb) not in _grants(actor):
        if not (verb == "view" and not isinstance(model, str) and name in lent_registers(actor)):
            return False
    if row is None:
        return True
    return rows(actor, verb, type(row), deleted=row.__data__.get("deleted_at") is not None) \
        .where(type(row).id == row.id).exists()


def require(actor, verb, model, row=None):
    if not can(actor, verb, model):
        raise Forbidden(denied_message(verb, model), verb=verb, register=_name(model))
    if row is not None and not can(actor, verb, model, row):
        raise NotFound()


# The gate: the only way to a register's rows --------------------------------

def rows(actor, verb, model, *, deleted=False, fields=()):
    """The rows of register `model` that `actor` may `verb`: the matrix, the
    row rule, the deletion state and borrow grants, in one query.

    `deleted=True` reads the recycle bin (soft-deleted rows) instead of the
    live rows. Every list, count, detail, edit, action, export, print,
    lookup, filter option, report, tile and API call starts here."""
    query = model.select(*fields).where(clause(actor, verb, model))
    if "deleted_at" in model._meta.fields:
        query = query.where(model.deleted_at.is_null(False) if deleted else model.deleted_at.is_null())
        if deleted and "disposed_at" in model._meta.fields:
            query = query.where(model.disposed_at.is_null())    # destroyed: a tombstone only
    return query


def clause(actor, verb, model):
    """The condition of `rows()` on a row of `model` (without the deletion
    state), for a query that marks rows rather than filters them."""
    if (_name(model), verb) in _grants(actor):
        return rules.row_filter(actor, model, verb)
    if verb == "view":
        return rules.loan_clause(actor, model)      # a lent file, read only
    return rules.FALSE


def row(actor, verb, model, pk, *, deleted=False):
    """The record `pk` of `model` if `actor` may `verb` it, else NotFound
    (a record one may not read does not exist for them)."""
    found = rows(actor, verb, model, deleted=deleted).where(model.id == record_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def record_id(value) -> int:
    """A record id from a URL or a form: a positive 64-bit integer, else NotFound."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise NotFound()
    if not 0 < pk < 2 ** 63:
        raise NotFound()
    return pk


def lent_registers(actor) -> frozenset:
    """Registers in which a file is lent to the actor now (cached per request)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.employee_id:
        return frozenset()
    cache = g.setdefault("_perm_cache", {}) if has_request_context() else {}
    key = ("lent", actor.id)
    if key not in cache:
        cache[key] = rules.lent_registers(actor)
    return cache[key]


def denied_message(verb, model) -> str:
    spec = spec_for(model) if not isinstance(model, str) else None
    label = tr(spec.label) if spec else _name(model)
    verb_label = tr(VERB_LABELS.get(verb, verb)) if verb in VERB_LABELS else _verb_label(model, verb)
    return gettext("您没有权限%(verb)s「%(register)s」。", verb=verb_label, register=label)


def _verb_label(model, verb):
    spec = spec_for(model) if not isinstance(model, str) else None
    if spec and spec.workflow:
        t = spec.workflow.transition(verb)
        if t:
            return tr(t.label)
    return verb


def ensure_roles():
    for key, name, _ in ROLES:
        Role.get_or_create(key=key, defaults={"name": name})


def seed_matrix(specs, force=False):
    """Write the default matrix rows of (register, verb) pairs not seeded yet
    (or of every pair of `specs`, if force)."""
    ensure_roles()
    roles = {r.key: r.id for r in Role.select()}
    seeded = {s.register for s in SeededRegister.select()}
    present = {(p.register, p.verb) for p in Permission.select(Permission.register, Permission.verb)}
    rows, marks = [], []
    for spec in specs:
        if force:
            Permission.delete().where(Permission.register == spec.name).execute()
        defaults = {}
        for role, verb in matrix_rows(spec):
            defaults.setdefault(verb, []).append(role)
        for verb in spec.verbs():
            defaults.setdefault(verb, [])
        for verb, verb_roles in defaults.items():
            mark = f"{spec.name}:{verb}"[:60]
            legacy = spec.name in seeded and (spec.name, verb) in present
            if not force and mark in seeded:
                continue
            marks.append(mark)
            if not force and legacy:
                continue
            rows += [{"role": roles[role], "register": spec.name, "verb": verb} for role in verb_roles]
    for i in range(0, len(rows), 500):
        Permission.insert_many(rows[i:i + 500]).on_conflict_ignore().execute()
    for i in range(0, len(marks), 500):
        SeededRegister.insert_many([{"register": m} for m in marks[i:i + 500]]) \
            .on_conflict_ignore().execute()
    return len(rows)


__all__ = ["can", "require", "rows", "row", "record_id", "allowed_verbs", "Forbidden", "NotFound", "Permission",
           "ROLE_NAMES", "rules", "seed_matrix", "ensure_roles"]
