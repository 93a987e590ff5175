"""Schema upgrades between versions: `flask --app wsgi portal migrate [--dry-run]`.

Two kinds of change:

- Additive ones are found by comparing the models (every register, from its
  metadata) with the live database (playhouse.schema_diff) and applied with
  playhouse.migrate: missing tables, missing columns (filled with the field's
  default, or NULL) and missing indexes. Tables and columns the models no
  longer have are kept and reported, never dropped.
- Everything else (a rename, a type change, data moved between columns) is a
  named step, `portal/migrations/NNNN_name.py` with `up(migrator, db)`,
  applied once and in order, and recorded in the `schema_version` table
  (playhouse.migrations.Runner). Steps run before the additive pass, so a step
  sees the previous version's schema; a step checks that what it changes
  exists (a database older than the table it touches gets the table from the
  additive pass instead).

A fresh database gets every table at once and every step recorded as applied.

Last, `upgrade()` makes sure of what the models do not describe: the large
registers' indexes (portal/scale.py) and the triggers that keep audit events
append-only (portal/audit.py); a SQLite table rebuilt by a step loses its
triggers.
"""
from dataclasses import dataclass, field
from pathlib import Path

from playhouse.migrate import SchemaMigrator
from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from .db import db

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "schema_version"


class MigrationError(Exception):
    """A change the additive pass cannot make on its own: it needs a named step."""


def runner():
    return Runner(db.obj, directory=str(MIGRATIONS), table_name=VERSION_TABLE)


@dataclass
class Plan:
    fresh: bool                       # no table of the portal exists yet
    steps: list = field(default_factory=list)           # pending named steps
    create_tables: list = field(default_factory=list)   # models
    add_columns: list = field(default_factory=list)     # model fields
    add_indexes: list = field(default_factory=list)     # (model, ModelIndex)
    extra: list = field(default_factory=list)           # kept as they are
    blocked: list = field(default_factory=list)         # NOT NULL without a default
    guard: bool = False                                 # the audit triggers are missing

    def __bool__(self):
        return bool(self.fresh or self.steps or self.create_tables or self.add_columns
                    or self.add_indexes or self.blocked or self.guard)

    def lines(self):
        if self.fresh:
            return ["create every table (fresh database) and record version "
                    f"{current_step() or '-'}"]
        out = [f"step {name}" for name in self.steps]
        out += [f"create table {m._meta.table_name}" for m in self.create_tables]
        out += [f"add column {f.model._meta.table_name}.{f.column_name}"
                + (" (NULL)" if f.null else f" (default {_default_text(f)})")
                for f in self.add_columns]
        out += [f"add index {index._name} on {m._meta.table_name}" for m, index in self.add_indexes]
        out += [f"keep {what} (not in the models)" for what in self.extra]
        out += [f"cannot add {f.model._meta.table_name}.{f.column_name}: NOT NULL without a "
                "default, write a named step in portal/migrations/" for f in self.blocked]
        if self.guard:
            out.append("create the triggers refusing UPDATE and DELETE on audit_event")
        return out


def _default_text(f):
    return f"{f.default.__name__}()" if callable(f.default) else repr(f.default)


def _models():
    from . import all_models
    return all_models()


def current_step():
    steps = [m.name for m in runner().migrations()]
    return steps[-1] if steps else None


def pending_steps():
    return [m.name for m in runner().status() if m.path is not None and not m.applied]


def _is_fresh(models):
    existing = set(db.get_tables())
    return not any(m._meta.table_name in existing for m in models)


def _model_index(model, diff_index):
    """The model's declaration of an index the database lacks."""
    for index in model._meta.fields_to_index():
        if diff_index.columns is None:
            if index._name == diff_index.name:
                return index
        elif (tuple(getattr(f, "column_name", None) for f in index._expressions)
              == tuple(diff_index.columns) and bool(index._unique) == bool(diff_index.unique)):
            return index
    raise MigrationError(f"no declaration of index {diff_index.display('add')}")


def plan(models=None) -> Plan:
    """What `migrate` would do now, changing nothing."""
    models = models or _models()
    if _is_fresh(models):
        return Plan(fresh=True)
    result = Plan(fresh=False, steps=pending_steps())
    diff = diff_models(db.obj, models)
    by_table = {m._meta.table_name: m for m in models}
    result.create_tables = list(diff.create_tables)
    for f in diff.add_columns:
        if not f.null and f.default is None:
            result.blocked.append(f)
        else:
            result.add_columns.append(f)
    # add_column indexes an indexed or unique column itself
    new_indexed = {(f.model._meta.table_name, (f.column_name,), bool(f.unique))
                   for f in result.add_columns if f.index or f.unique}
    for idx in diff.add_indexes:
        if (idx.table, tuple(idx.columns or ()), bool(idx.unique)) in new_indexed:
            continue
        model = by_table[idx.table]
        result.add_indexes.append((model, _model_index(model, idx)))
    result.extra = [f"column {t}.{c}" for t, c in diff.drop_columns]
    from .scale import managed_indexes
    managed = managed_indexes()        # the large registers' own indexes (portal/scale.py)
    result.extra += [f"index {i.table}.{i.name}" for i in diff.drop_indexes if i.name not in managed]
    from .audit import AuditCheckpoint, AuditEvent, guard_installed
    result.guard = not (AuditEvent.table_exists() and AuditCheckpoint.table_exists()
                        and guard_installed())
    return result


def upgrade(dry_run=False) -> Plan:
    """Bring the database to the models' schema, then make sure the large
    registers' indexes and text-index triggers and the audit table's guard
    exist (a SQLite table rebuilt by a migration loses its triggers); returns
    the plan it carried out."""
    todo = _upgrade(dry_run)
    if not dry_run:
        from .audit import install_guard
        from .scale import create_indexes
        create_indexes()
        install_guard()
    return todo


def _upgrade(dry_run=False) -> Plan:
    """Bring the database to the models' schema; returns the plan it carried out.

    Raises MigrationError when a column cannot be added without a named
    step: before any change, or once the pending named steps ran without
    adding it (each step is recorded as it completes)."""
    models = _models()
    todo = plan(models)
    if dry_run or not todo:
        return todo
    if todo.blocked and not todo.steps:
        raise MigrationError("\n".join(todo.lines()))
    steps = runner()
    if todo.fresh:
        with db.atomic():
            db.create_tables(models, safe=True)
        steps.fake()
        return todo
    applied = steps.up()
    if applied:
        todo = plan(models)    # the steps may have changed what is missing
        todo.steps = applied
    if todo.blocked:
        raise MigrationError("\n".join(todo.lines()))
    migrator = SchemaMigrator.from_database(db.obj)
    with migrator.migration_context():
        db.create_tables(todo.create_tables, safe=True)
        for f in todo.add_columns:
            migrator.migrate(migrator.add_column(f.model._meta.table_name, f.column_name, f))
        for model, index in todo.add_indexes:
            db.execute(model._schema._create_index(index, safe=True))
    return todo
