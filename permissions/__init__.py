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
    """Registers whose default matrix rows were written, so that a register
    added later gets its defaults without overwriting the administrator's edits."""
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
    """May `actor` do `verb` on register `model` (and on `row`, if given)?"""
    name = _name(model)
    if (name, verb) not in _grants(actor):
        return False
    if row is None:
        return True
    klass = type(row)
    return (klass.select(klass.id)
            .where(rules.row_filter(actor, klass, verb), klass.id == row.id)
            .exists())


def require(actor, verb, model, row=None):
    name = _name(model)
    if (name, verb) not in _grants(actor):
        raise Forbidden(denied_message(verb, model), verb=verb, register=name)
    if row is not None and not can(actor, verb, model, row):
        raise NotFound()


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
    """Write the default matrix rows of registers not seeded yet (or all, if force)."""
    ensure_roles()
    roles = {r.key: r.id for r in Role.select()}
    seeded = {s.register for s in SeededRegister.select()}
    rows = []
    for spec in specs:
        if spec.name in seeded and not force:
            continue
        if force:
            Permission.delete().where(Permission.register == spec.name).execute()
        for role, verb in matrix_rows(spec):
            rows.append({"role": roles[role], "register": spec.name, "verb": verb})
        SeededRegister.get_or_create(register=spec.name)
    for i in range(0, len(rows), 500):
        Permission.insert_many(rows[i:i + 500]).on_conflict_ignore().execute()
    return len(rows)


__all__ = ["can", "require", "allowed_verbs", "Forbidden", "NotFound", "Permission",
           "ROLE_NAMES", "rules", "seed_matrix", "ensure_roles"]
