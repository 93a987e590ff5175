"""What may change in a record, and how: the field policy (DESIGN.md 10).

Derived from each register's metadata and workflow, enforced by the one
write path (`services.update`) for forms, the API, import and bulk alike:

- Decision fields are never input: the approver, the approval step, who
  approved and when, the responsible signer and any field a transition stamps
  (`fx.stamp`, `fx.set_fields`) come from the workflow, not from a form.
- Access fields decide who may read a record (its custodian, owner and owning
  department, its confidentiality and retention, a legal hold): they are set
  when the record is made and change afterwards only through `govern`
  (调整归属/密级), a transition of its own for the roles the regulations name.
- A locked state (terminal, under approval, approved, closed...) freezes
  every field: approved content is changed by an amendment (申请变更) that
  goes back through the chain, never by an edit.
- A field a transition records (its input: a ruling's amount, an
  investigation's findings) may be typed only while that step is open.
"""
from peewee import ForeignKeyField

from .i18n import gettext, tr

# Fields every form record carries that decide who may read it (000-四 45,
# R-ARC): changed only through `govern`.
RECORD_ACCESS_FIELDS = ("custodian", "confidentiality", "retention_class", "is_long_term",
                        "legal_hold")
# Fields of a signature or an approval chain: always derived (R-APR, 000-四 43).
DECISION_FIELDS = ("responsible_signer", "signed_at", "approval_step", "current_approver",
                   "approver_role", "approved_by", "approved_at", "disposed_at")


def _cached(spec, key, compute):
    cache = spec.__dict__.setdefault("_policy", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def access_fields(spec) -> tuple:
    """The fields of `spec` that decide who may read its records."""
    def compute():
        names = list(RECORD_ACCESS_FIELDS)
        if spec.row_scope != "all":
            names += list(spec.dept_fields)
            if spec.owner_field:
                names.append(spec.owner_field)
        names += list(spec.access_fields)
        return tuple(n for n in dict.fromkeys(names) if n in spec.fields)
    return _cached(spec, "access", compute)


def decision_fields(spec) -> frozenset:
    """Fields no user types: signatures, approvals, what transitions stamp."""
    def compute():
        names = set(DECISION_FIELDS) | set(spec.decision_fields)
        if spec.workflow is not None:
            for t in spec.workflow.transitions.values():
                for effect in t.effects:
                    names.update(getattr(effect, "fields", ()))
        return frozenset(n for n in names if n in spec.fields)
    return _cached(spec, "decision", compute)


def step_fields(spec) -> dict:
    """{field: states in which a transition that records it may be taken}."""
    def compute():
        out = {}
        if spec.workflow is None:
            return out
        for t in spec.workflow.transitions.values():
            for i in t.inputs:
                if i.field:
                    states = out.setdefault(i.field, set())
                    states.update(spec.workflow.states if "*" in t.sources else t.sources)
        return {k: frozenset(v) for k, v in out.items()}
    return _cached(spec, "steps", compute)


def state_of(spec, row):
    return getattr(row, spec.workflow.state_field) if spec.workflow is not None else None


def is_locked(spec, row) -> bool:
    """Whether the record's state freezes all of it."""
    if spec.workflow is None:
        return False
    state = spec.workflow.states.get(state_of(spec, row))
    return bool(state and state.locked)


def refusals(spec, row, names, governed=False) -> dict:
    """{field: why it may not change now} for the fields `names` of `row`
    (as loaded, before the change). `governed`: the change is made by the
    `govern` transition or a handover, which may set access fields."""
    out = {}
    access = access_fields(spec)
    steps = step_fields(spec)
    locked = is_locked(spec, row)
    state = state_of(spec, row)
    for name in names:
        label = tr(spec.label_of(name))
        if name in spec.fixed_fields:
            out[name] = gettext("「%(field)s」在记录创建后不能修改；如需变更请另行申请。", field=label)
        elif name in access:
            if not governed:
                out[name] = gettext("「%(field)s」关系到记录的归属、密级或保存，只能通过「调整归属/密级」修改。",
                                    field=label)
        elif locked:
            out[name] = locked_message(spec, row)
        elif endorsed(spec, row) and name not in spec.endorsement[1]:
            out[name] = gettext("记录已「%(label)s」，认可的内容已冻结。", label=tr(spec.endorsement[0]))
        elif name in steps and state not in steps[name]:
            out[name] = gettext("「%(field)s」由流程中相应的步骤记录，当前状态「%(state)s」下不能修改。",
                                field=label, state=spec.workflow.state_label(state))
    return out


def endorsed(spec, row) -> bool:
    """A register without a workflow whose one approval (认可) was given."""
    return spec.endorsement is not None and row.__data__.get("approved_by") is not None


def locked_message(spec, row) -> str:
    if spec.workflow is None:
        return gettext("此记录没有可修改的内容。")
    state = spec.workflow.state_label(state_of(spec, row))
    if spec.workflow.transition("amend") is not None and state_of(spec, row) == "approved":
        return gettext("记录已「%(state)s」，批准的内容已冻结；如需修改，请「申请变更」后重新审批。",
                       state=state)
    return gettext("记录处于「%(state)s」状态，内容已冻结，不能修改。", state=state)


def frozen_fields(spec, row, names) -> dict:
    """The fields among `names` (a form's) that an edit of `row` may not change."""
    return refusals(spec, row, names)


def editable_now(spec, row) -> list:
    """The form fields an edit of `row` may still change."""
    names = spec.editable_fields()
    frozen = refusals(spec, row, names)
    return [n for n in names if n not in frozen]


def changed(spec, row, values) -> list:
    """The names of `values` that differ from the record's current values."""
    out = []
    for name, value in values.items():
        field = spec.fields.get(name)
        current = row.__data__.get(name) if isinstance(field, ForeignKeyField) else getattr(row, name, None)
        if isinstance(field, ForeignKeyField) and hasattr(value, "_meta"):
            value = value.id
        if _normal(current) != _normal(value):
            out.append(name)
    return out


def _normal(value):
    """A value as it compares: blank text and None alike, lists as lists."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, tuple):
        return list(value)
    return value


def content_fields(spec) -> tuple:
    """The fields that make up what a record says (what an approval
    approves): not the system fields, the state, the decisions, or the
    fields of custody and access."""
    def compute():
        from .registry import SYSTEM_FIELDS
        skip = set(SYSTEM_FIELDS) | decision_fields(spec) | set(access_fields(spec)) \
            | {"retention_until"}
        if spec.workflow is not None:
            skip.add(spec.workflow.state_field)
        return tuple(f.name for f in spec.model._meta.sorted_fields if f.name not in skip)
    return _cached(spec, "content", compute)


def content_hash(spec, row) -> str:
    """SHA-256 of the record's content (content_fields), recorded with each
    step of its trail: an approval shows what exactly it approved."""
    import hashlib
    import json
    from .audit import plain
    data = {}
    for name in content_fields(spec):
        field = spec.fields[name]
        data[name] = row.__data__.get(name) if isinstance(field, ForeignKeyField) \
            else plain(getattr(row, name, None))
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
