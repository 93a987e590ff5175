"""Create, edit, soft-delete and restore register records.

The one path every writer takes (admin forms, JSON API, import, seed): it
checks permission, applies defaults, numbering and field rules, writes in one
transaction with an optimistic-lock check, and records the audit event in
that same transaction.
"""
import re
from datetime import date, datetime
from decimal import Decimal

from peewee import (CharField, DecimalField, FloatField, ForeignKeyField,
                    IntegerField, TextField)

import permissions

from . import audit, numbering
from .clock import now, today
from .db import insert_rows, write_transaction
from .i18n import gettext, tr
from .registry import SYSTEM_FIELDS, child_label, spec_for

# NUL and C0/C1 control characters other than tab and line breaks; bidi
# overrides that can disguise text; lone surrogates (not text at all, which
# no database stores). They are refused with a clear message.
BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                       "\ud800-\udfff]")
BAD_SURROGATE = re.compile("[\ud800-\udfff]")
# Invisible characters that only deceive (two names that look the same):
# zero-width space and non-joiner, word joiner, byte-order mark, and a
# zero-width joiner that does not join two emoji (👨‍👩‍👧 keeps its own). Removed.
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf"
INVISIBLE = re.compile(f"[\u200b\u200c\u2060\ufeff]|(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])")
# Spaces that look like a space in a name or a code: written as one.
ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f]")


def normal_text(value, short=True):
    """Text as it is stored: Unicode NFC (a decomposed 张 and a composed one
    are one name), without invisible characters; in short fields (names,
    codes) odd spaces become plain ones."""
    import unicodedata
    value = INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    return ODD_SPACES.sub(" ", value) if short else value


# A text field (意见、说明、内容…) holds at most this many characters: longer
# input is refused with a message, never cut or stored without bound.
TEXT_MAX_LENGTH = 20_000


def max_length(field) -> int:
    if isinstance(field, CharField) and field.max_length:
        return field.max_length
    return TEXT_MAX_LENGTH


class InputError(Exception):
    """400: bad input; `errors` maps field names (or "__all__") to messages."""

    def __init__(self, errors):
        if isinstance(errors, str):
            errors = {"__all__": errors}
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Conflict(Exception):
    """409: the record changed meanwhile, or the action does not fit its state."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class Frozen(Conflict):
    """409: fields the record's state or the field policy does not let change
    (portal/policy.py); `errors` names each field with the reason."""

    def __init__(self, errors):
        super().__init__("；".join(errors.values()))
        self.errors = errors


def bad_chars_message():
    return gettext("含有不允许的控制字符（如 NUL、方向控制符），请删除后重试。")


def stale_message():
    return gettext("该记录已被他人修改（版本已变化），您的修改未保存。请刷新后重新编辑。")


# Values ----------------------------------------------------------------------

def snapshot(row, names=None) -> dict:
    """Plain values of a record's fields (FKs as ids), for audit diffs."""
    out = {}
    for name, is_fk in _value_fields(type(row)):
        if names is not None and name not in names:
            continue
        if is_fk:
            out[name] = row.__data__.get(name)
        else:
            out[name] = audit.plain(getattr(row, name))
    return out


def diff(before: dict, after: dict) -> dict:
    skip = {"version", "updated_at", "updated_by"}
    return {k: [before.get(k), v] for k, v in after.items()
            if k not in skip and before.get(k) != v}


def defaults_for(actor, spec) -> dict:
    """Sensible defaults of a new record: today, the user as filler, the
    user's department, the register's retention and confidentiality."""
    emp = actor.employee if actor is not None else None
    fields = spec.fields
    out = {}
    if emp is not None:
        for name in ("filled_by",):
            if name in fields:
                out[name] = emp
        for name in {"dept", *spec.dept_fields[:1]} & set(fields):
            out[name] = emp.dept
    if "filled_at" in fields:
        out["filled_at"] = today()
    if "retention_class" in fields:
        out["retention_class"] = spec.default_retention
    if "confidentiality" in fields:
        out["confidentiality"] = spec.default_confidentiality
    hook = getattr(spec.model, "defaults", None)
    if hook is not None:
        out.update(hook(actor) or {})
    return out


def out_of_range(field, value) -> bool:
    """A number the column cannot store (more digits than the field allows,
    beyond a 64-bit integer, infinite or NaN)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return False
    if isinstance(field, DecimalField) and field.max_digits:
        number = Decimal(str(value))
        places = field.decimal_places or 0
        return not number.is_finite() or abs(number) >= Decimal(10) ** (field.max_digits - places)
    if isinstance(field, IntegerField):
        return not -2 ** 63 <= value < 2 ** 63
    if isinstance(field, FloatField):
        return not Decimal(str(value)).is_finite()
    return False


def empty(value) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


# Validation --------------------------------------------------------------------

_RULES = {}


def _field_rules(model):
    """Per field, what validate() checks (worked out once per model: an
    import validates many rows): (field, is a foreign key, is text, maximum
    length, allowed choices, required, unique)."""
    rules = _RULES.get(model)
    if rules is None:
        rules = []
        for field in model._meta.sorted_fields:
            rules.append((
                field, isinstance(field, ForeignKeyField), isinstance(field, (CharField, TextField)),
                max_length(field) if isinstance(field, (CharField, TextField)) else None,
                frozenset(c for c, _ in field.choices) if field.choices else None,
                (not field.null and field.default is None and field.name not in SYSTEM_FIELDS
                 and field.name != "record_no"),
                bool(field.unique) and field.name not in ("id", "record_no")))
        _RULES[model] = rules
    return rules


def _value_fields(model):
    """(name, is a foreign key) of every field, in order."""
    fields = _RULES.get((model, "names"))
    if fields is None:
        fields = _RULES[(model, "names")] = [(f.name, isinstance(f, ForeignKeyField))
                                            for f in model._meta.sorted_fields]
    return fields


def validate(actor, spec, row, is_new):
    """Field rules shared by every path. Raises InputError listing every problem."""
    errors = {}
    for field, is_fk, is_text, longest, choices, required, unique in _field_rules(type(row)):
        value = row.__data__.get(field.name) if is_fk else getattr(row, field.name, None)
        if is_text and isinstance(value, str):
            if BAD_CHARS.search(value):
                errors[field.name] = bad_chars_message()
            elif len(value) > longest:
                errors[field.name] = gettext("长度不能超过 %(n)s 个字符。", n=longest)
        if out_of_range(field, value):
            errors[field.name] = gettext("数值超出范围。")
        if choices and not empty(value):
            if value not in choices:
                errors[field.name] = gettext("无效的选项：%(value)s", value=value)
        if required and empty(value):
            errors.setdefault(field.name, gettext("此项为必填项。"))
        if unique and not empty(value) and field.name not in errors:
            Model = type(row)
            clash = Model.select(Model.id).where(field == value)
            if row.id is not None:
                clash = clash.where(Model.id != row.id)
            if clash.exists():
                errors[field.name] = gettext("已存在相同的「%(label)s」。",
                                             label=tr(spec.label_of(field.name)))
    # 000-四 43: a required item is filled in or struck through, never left blank.
    na = set(getattr(row, "na_fields", None) or [])
    for name in spec.required:
        if empty(getattr(row, name, None)) and name not in na:
            errors.setdefault(name, gettext("此项必须填写；确实无法填写时，请在「不适用项」中将其划去。"))
    check = getattr(row, "check", None)
    if check is not None:
        for name, message in (check(actor, is_new) or {}).items():
            errors.setdefault(name, message)
    if errors:
        raise InputError(errors)


def _assign(row, spec, values, by_workflow=False):
    """Set typed `values` on `row`: fields a user may type, or (a record a
    workflow effect makes) also the fields the workflow decides. Nobody who
    has left or is leaving is given a record to hold."""
    from .workflows.handover import holder_problems
    editable = set(spec.editable_fields())
    if by_workflow:
        from .policy import decision_fields
        editable |= decision_fields(spec)
    unknown = [k for k in values if k not in editable]
    if unknown:
        raise InputError({k: gettext("该字段不可修改。") for k in unknown})
    leaving = holder_problems(spec, values)
    if leaving:
        raise InputError(leaving)
    bad = {}
    for name, value in values.items():
        if isinstance(value, str):
            if BAD_CHARS.search(value):
                bad[name] = bad_chars_message()
                continue
            short = spec.fields[name].__class__ is not TextField
            value = normal_text(value, short)
            if short:
                value = value.strip()
        setattr(row, name, value)
    if bad:     # before any hook looks the value up (PostgreSQL refuses NUL)
        raise InputError(bad)


def _derive(actor, row):
    hook = getattr(row, "derive", None)
    if hook is not None:
        hook(actor)


# Writes --------------------------------------------------------------------------

def create(actor, model, values, on_saved=None, audit_action="create", comment=None,
           check_permission=True):
    """Create a record of register `model` from typed `values` (field -> value).

    `check_permission=False` is for records a workflow effect creates on the
    actor's behalf (e.g. the revisit schedule of a consumer file): the
    transition that runs the effect was permission-checked."""
    spec = spec_for(model)
    if check_permission:
        permissions.require(actor, "create", model)
        from .workflows.handover import is_leaving
        if is_leaving(actor):       # 002 篇三 二.12: a leaver hands over, takes nothing new
            raise permissions.Forbidden(gettext("您的离职交接已执行，不能再新建记录。"), "create",
                                        spec.name)
    with write_transaction():
        row = build(actor, spec, values, by_workflow=not check_permission)
        row.record_no = numbering.assign(spec, row)
        _stamp_new(actor, row)
        row.save(force_insert=True)
        extra = on_saved(row) if on_saved else None
        _default_copies(spec, row)
        _after_save(actor, row, True)
        changes = creation_changes(row)
        if extra:
            changes.update(extra)
        audit.record(actor, audit_action, spec.name, row, changes=changes, comment=comment)
    return row


def build(actor, spec, values, by_workflow=False):
    """An unsaved new record of `spec`: defaults, `values`, derived fields,
    validated (InputError otherwise). No number yet, nothing written."""
    row = spec.model()
    for name, value in defaults_for(actor, spec).items():
        setattr(row, name, value)
    _assign(row, spec, values, by_workflow)
    _derive(actor, row)
    validate(actor, spec, row, is_new=True)
    return row


def similar_records(actor, spec, row, limit=5) -> list:
    """Records the actor may read whose title looks like the new one's once
    case, spaces and full-width forms are set aside (陕西 高速 vs 陕西高速,
    ＡＢＣ vs ABC): flagged on create, so that a deceptive or accidental
    double is seen (not refused: namesakes exist)."""
    import unicodedata
    from peewee import fn
    name = spec.title_field
    field = spec.fields.get(name)
    value = getattr(row, name, None)
    # only a name says who or what a record is about (a customer, a guest, a
    # contractor); titles and subjects repeat by nature
    if not isinstance(field, CharField) or not name.endswith("name") or not isinstance(value, str):
        return []
    squeeze = str.maketrans("", "", " \t\u3000")
    keys = {unicodedata.normalize("NFKC", value).casefold().translate(squeeze),
            value.casefold().translate(squeeze)} - {""}
    if not keys:
        return []
    column = fn.LOWER(fn.REPLACE(fn.REPLACE(field, " ", ""), "\u3000", ""))
    Model = spec.model
    query = (permissions.rows(actor, "view", Model, fields=(Model.id, Model.record_no, field))
             .where(column.in_(sorted(keys))))
    if row.id is not None:
        query = query.where(Model.id != row.id)
    return [(r.record_no, getattr(r, name)) for r in query.limit(limit)]


def similar_message(similar) -> str:
    return gettext("已有相似的记录：%(items)s。请确认不是重复录入。",
                   items="、".join(f"{no}（{title}）" for no, title in similar))


def _stamp_new(actor, row):
    row.created_by = actor.id
    row.created_at = now()
    row.version = 1


_NOT_CHANGES = frozenset(("id", "version", "created_at", "created_by"))


def creation_changes(row) -> dict:
    """The audit changes of a new record: its filled-in values."""
    out = {}
    data = row.__data__
    for name, is_fk in _value_fields(type(row)):
        if data.get(name) is None or name in _NOT_CHANGES:
            continue
        v = data[name] if is_fk else audit.plain(getattr(row, name))
        if v is None or ((not v) if type(v) in (str, list) else v == False):  # noqa: E712 (0 too)
            continue
        out[name] = [None, v]
    return out


def has_save_hooks(spec) -> bool:
    """Whether a new record of `spec` has consequences beyond its own row
    (copies of a multi-copy form, a register's after_save)."""
    return bool(spec.copies) or getattr(spec.model, "after_save", None) is not None


def create_many(actor, spec, rows, audit_action="create", comment=None, chunk=200):
    """Insert built rows (see `build`) of one register: numbers reserved in one
    step per series, rows and their audit events inserted in chunks. Call
    inside a write transaction after checking the create permission.

    Registers whose saves have consequences (after_save, copies) are saved
    row by row so that those run exactly as for a form."""
    if not rows:
        return rows
    model = spec.model
    for row, number in zip(rows, numbering.assign_many(spec, rows)):
        row.record_no = number
        _stamp_new(actor, row)
    if has_save_hooks(spec):
        for row in rows:
            row.save(force_insert=True)
            _default_copies(spec, row)
            _after_save(actor, row, True)
    else:
        names = [f.name for f in model._meta.sorted_fields if f.name != "id"]
        for i in range(0, len(rows), chunk):
            part = rows[i:i + chunk]
            insert_rows(model, names, [[row.__data__.get(n) for n in names] for row in part], chunk)
            ids = dict(model.select(model.record_no, model.id)
                       .where(model.record_no.in_([row.record_no for row in part])).tuples())
            for row in part:
                row.id = ids[row.record_no]
    audit.record_many(actor, audit_action, spec.name,
                      [(row, creation_changes(row)) for row in rows], comment=comment)
    return rows


def _after_save(actor, row, is_new):
    """A register's own consequences of a save (e.g. a visit updates the
    customer's next tracking date), inside the same transaction."""
    hook = getattr(row, "after_save", None)
    if hook is not None:
        hook(actor, is_new)


def _default_copies(spec, row):
    """A multi-copy form starts with one hand-off row per declared copy (联)."""
    if not spec.copies:
        return
    for child, fk in spec.inline_children():
        if getattr(child, "is_copy_log", False):
            if not child.select().where(fk == row.id).exists():
                for number, (name, purpose) in enumerate(spec.copies, start=1):
                    child.create(record=row.id, copy_no=number, copy_name=name, purpose=purpose)


def update(actor, row, values, version, on_saved=None, audit_action="edit", comment=None,
           check_permission=True, governed=False):
    """Save `values` on `row` if it is still at `version`; else Conflict.
    A user's edit obeys the field policy (Frozen); `check_permission=False`
    is a workflow effect's change, which the regulation's chain decides
    (a change record making a document's new version effective), and
    `governed` the `govern` action's change of access fields."""
    model = type(row)
    spec = spec_for(model)
    if check_permission:
        permissions.require(actor, "edit", model, row)
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise InputError({"version": gettext("缺少或无效的版本号（version）。")})
    with write_transaction():
        current = model.select().where(model.id == row.id).first()
        if current is None or current.deleted_at is not None:
            raise permissions.NotFound()
        if current.version != version:
            raise Conflict(stale_message())
        changes = apply_edit(actor, spec, current, values, governed=governed,
                             by_workflow=not check_permission)
        if changes or on_saved:
            data = {name: getattr(current, name) for name in changes}
            data.update(version=version + 1, updated_at=now(), updated_by=actor.id)
            n = (model.update(**data)
                 .where(model.id == row.id, model.version == version).execute())
            if n != 1:
                raise Conflict(stale_message())
            current.version = version + 1
            extra = on_saved(current) if on_saved else None
            if extra:
                changes.update(extra)
            _after_save(actor, current, False)
        if changes:
            audit.record(actor, audit_action, spec.name, current, changes=changes, comment=comment)
    row.__data__.update(current.__data__)
    row.version = current.version
    return row


def apply_edit(actor, spec, current, values, governed=False, by_workflow=False) -> dict:
    """Set `values` on the loaded record `current`, derive and validate
    (InputError, or Frozen for what the field policy keeps); the changes,
    nothing written."""
    from . import policy
    before = snapshot(current)
    if not by_workflow:
        refused = policy.refusals(spec, current, policy.changed(spec, current, values), governed)
        if refused:
            raise Frozen(refused)
    _assign(current, spec, values, by_workflow)
    _derive(actor, current)
    validate(actor, spec, current, is_new=False)
    return diff(before, snapshot(current))


def delete_refusal(spec, row, quick=False):
    """Why `row` may not be deleted, or None. A record is kept (R-REC-04/11,
    002 篇十二 「不得擅自…銷毀」) when it is under a legal hold; when it is in
    force: its workflow has moved past the first state, or (a record with a
    retention period) it was entered more than `delete_grace_hours` ago, so
    that only an entry error can be taken back; or when live records refer
    to it. Records past their retention date are disposed of with approval
    (销毁), never deleted. `quick` asks only what the row itself says (the
    list's buttons, no query); the delete itself asks everything."""
    from datetime import timedelta
    from . import policy, settings
    if getattr(row, "legal_hold", False):
        return gettext("记录处于法律/审计保全中，不能删除或销毁。")
    if spec.workflow is not None and policy.state_of(spec, row) != spec.workflow.initial:
        return gettext("记录已进入流程（「%(state)s」），不能删除；如需终止请使用流程中的撤销等操作，"
                       "保存期满后可申请销毁。",
                       state=spec.workflow.state_label(policy.state_of(spec, row)))
    if "retention_class" in spec.fields and not quick:
        grace = settings.get("delete_grace_hours")
        created = row.created_at
        if grace is not None and created is not None and now() - created > timedelta(hours=grace):
            until = row.retention_until
            return gettext("记录已生效，在保存期限内（%(until)s）不能删除；只有录入后 %(h)s 小时内的录入错误"
                           "可删除，期满后请申请销毁。",
                           until=until.isoformat() if until else gettext("长期保存"), h=grace)
    if not quick:
        referring = referring_records(spec, row)
        if referring:
            return gettext("有关联记录引用此记录（%(kinds)s），不能删除。", kinds="、".join(referring))
    return None


def disposal_problem(spec, row):
    """Why `row` may not be destroyed now, or None: only after its retention
    date (R-REC-04/11), never a long-term record, never under a legal hold,
    never while its workflow still runs, never twice."""
    from . import policy
    if row.deleted_at is not None and getattr(row, "disposed_at", None) is not None:
        return gettext("该记录已销毁。")
    if getattr(row, "legal_hold", False):
        return gettext("记录处于法律/审计保全中，不能删除或销毁。")
    if getattr(row, "is_long_term", False) or row.retention_class == "long_term" \
            or row.retention_until is None:
        return gettext("该记录长期保存，不能销毁。")
    if row.retention_until >= today():
        return gettext("该记录保存至 %(until)s，保存期满前不能销毁。", until=row.retention_until.isoformat())
    if spec.workflow is not None and not spec.workflow.is_terminal(policy.state_of(spec, row)):
        return gettext("该记录的流程尚未结束（「%(state)s」），不能销毁。",
                       state=spec.workflow.state_label(policy.state_of(spec, row)))
    return None


def dispose(actor, row, comment=None):
    """Destroy a record's content (销毁), in the caller's transaction: its
    text is blanked, its child rows removed, and the row stays as a tombstone
    (number, dates, register) out of every list and of the recycle bin. The
    audit event names what was destroyed, not its content."""
    from . import policy
    model = type(row)
    spec = spec_for(model)
    values = {}
    for name in policy.content_fields(spec):
        field = spec.fields[name]
        if name == "record_no" or isinstance(field, ForeignKeyField) and not field.null:
            continue
        if field.null:
            values[name] = None
        elif isinstance(field, (CharField, TextField)) and not field.choices:
            values[name] = gettext("（已销毁 %(no)s）", no=row.record_no)[:max_length(field)]
    moment = now()
    n = (model.update(**values, deleted_at=moment, deleted_by=actor.id, disposed_at=moment,
                      version=model.version + 1)
         .where(model.id == row.id, model.disposed_at.is_null()).execute())
    if n != 1:
        raise Conflict(gettext("该记录已销毁。"))
    for child, fk in spec.inline_children():
        child.delete().where(fk == row.id).execute()
    audit.record(actor, "dispose", spec.name, row,
                 changes={"disposed_fields": [None, sorted(values)]}, comment=comment)


def referring_records(spec, row) -> list:
    """Labels of the registers whose live records point to `row` (its own
    child rows of a multi-row form are part of it and do not count)."""
    from .registry import all_specs
    own = {child for child, _ in spec.inline_children()}
    children = {child for s in all_specs() for child, _ in s.inline_children()}
    out = []
    for fk in spec.model._meta.backrefs:
        other = fk.model
        if other in own or (spec_for(other) is None and other not in children):
            continue        # its own rows, or an abstract base class (no table)
        query = other.select(other.id).where(fk == row.id)
        if "deleted_at" in other._meta.fields:
            query = query.where(other.deleted_at.is_null())
        if query.exists():
            other_spec = spec_for(other)
            out.append(tr(other_spec.label) if other_spec else child_label(other))
    return list(dict.fromkeys(out))


def clean_text(raw, limit=2000, required=True):
    """A note typed with an action (a reason, an opinion): trimmed, checked."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        if required:
            raise InputError({"reason": gettext("此项为必填项。")})
        return None
    if len(text) > limit:
        raise InputError({"reason": gettext("长度不能超过 %(n)s 个字符。", n=limit)})
    if BAD_CHARS.search(text):
        raise InputError({"reason": bad_chars_message()})
    return text


def write_decision(actor, row, values, action, comment=None, where=None):
    """Write fields a decision sets (a signature, a stamp: never typed) on
    `row`, in one short transaction with the optimistic lock and its audit
    event. `where`: values the fields must still have (a second signature
    arriving at the same time is a conflict)."""
    model = type(row)
    spec = spec_for(model)
    with write_transaction():
        checked = model.select().where(model.id == row.id).first()
        for name, value in values.items():
            setattr(checked, name, value)
        validate(actor, spec, checked, is_new=False)     # the register's own rules see the decision
        query = model.update(**values, version=model.version + 1, updated_at=now(),
                             updated_by=actor.id).where(model.id == row.id,
                                                        model.version == row.version)
        for name, value in (where or {}).items():
            field = getattr(model, name)
            query = query.where(field.is_null() if value is None else field == value)
        if query.execute() != 1:
            raise Conflict(stale_message())
        before = snapshot(row, values)
        row.__data__.update({k: getattr(v, "id", v) for k, v in values.items()})
        row.version += 1
        audit.record(actor, action, spec.name, row, changes=diff(before, snapshot(row, values)),
                     comment=comment)
    return row


def soft_delete(actor, row, comment=None):
    """Delete (recoverably, into the recycle bin) a record entered in error."""
    model = type(row)
    spec = spec_for(model)
    permissions.require(actor, "delete", model, row)
    with write_transaction():
        current = model.select().where(model.id == row.id).first()
        refusal = delete_refusal(spec, current) if current is not None else None
        if refusal:
            raise Conflict(refusal)
        n = (model.update(deleted_at=now(), deleted_by=actor.id, version=model.version + 1)
             .where(model.id == row.id, model.deleted_at.is_null()).execute())
        if n != 1:
            raise Conflict(gettext("该记录已被删除。"))
        audit.record(actor, "delete", spec.name, row, comment=comment)
    return row


def restore(actor, row, comment=None):
    """Bring back a soft-deleted record from the recycle bin (回收站)."""
    model = type(row)
    spec = spec_for(model)
    permissions.require(actor, "restore", model)
    with write_transaction():
        permissions.row(actor, "restore", model, row.id, deleted=True)
        n = (model.update(deleted_at=None, deleted_by=None, version=model.version + 1)
             .where(model.id == row.id, model.deleted_at.is_null(False)).execute())
        if n != 1:
            raise Conflict(gettext("该记录未被删除，无需恢复。"))
        audit.record(actor, "restore", spec.name, row, comment=comment)
    return row


def display(spec, name, value) -> str:
    """A field value as the user reads it (choice labels translated)."""
    return displayer(spec, name)(value)


def displayer(spec, name):
    """display() of one field as a function of the value, the field's choices
    looked up once (list pages and exports call it for every cell)."""
    field = spec.fields.get(name)
    choices = dict(field.choices) if field is not None and field.choices else None

    def show(value) -> str:
        if value is None or value == "":
            return ""
        if choices is not None:
            return tr(choices.get(value, value))
        if isinstance(value, bool):
            return gettext("是") if value else gettext("否")
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, list):
            options = dict(getattr(field, "options", None) or [])
            if hasattr(field, "choices_for"):
                options = dict(field.choices_for(spec.model))
            return "、".join(tr(options.get(v, v)) for v in value)
        return str(value)
    return show
