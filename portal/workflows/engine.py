"""One workflow engine, declared as data in the register metadata.

A workflow is states and transitions. A transition names the states it
leaves from, the state it leads to, who may take it (the matrix verb of the
same name, plus optional relations such as "the filler's superior" or "not
the filler"), the inputs it needs (a rejection reason...), guards and
effects (set fields, compute a deadline, create follow-up records, notify).

`Workflow.run(actor, row, name, inputs)` is the only way a transition
happens, for the HTML buttons, the API and the CLI alike: it checks the
permission and the state on the server inside one transaction (a stale or
duplicate click is a 409 that changes nothing, also when two arrive at once),
applies the effects, writes the timeline entry and the audit event.
"""
import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from peewee import (CharField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

import permissions
from permissions import rules

from .. import audit, services
from ..accounts import User
from ..clock import now
from ..db import BaseModel, is_postgres, write_transaction
from ..i18n import gettext, tr
from ..record import Choice


class WorkflowEvent(BaseModel):
    """The timeline of a record: who took which transition, when, from, to."""
    register = CharField(max_length=60, index=True)
    record_id = IntegerField(index=True)
    transition = CharField(max_length=40)
    from_state = CharField(max_length=40, null=True)
    to_state = CharField(max_length=40, null=True)
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    actor_name = CharField(max_length=120, default="")
    at = DateTimeField(default=now)
    comment = TextField(null=True)
    data = TextField(null=True)
    # the record's content at that moment (portal/policy.py content_hash):
    # an approval trail shows what each step saw and approved
    content_hash = CharField(max_length=64, null=True)

    class Meta:
        table_name = "workflow_event"


def trail(spec, row, transition, actor=None, from_state=None, to_state=None, comment=None,
          data=None, actor_name=None):
    """Write one step of a record's trail (流转记录)."""
    from ..policy import content_hash
    return WorkflowEvent.create(
        register=spec.name, record_id=row.id, transition=transition, from_state=from_state,
        to_state=to_state, actor=actor.id if actor is not None else None,
        actor_name=actor_name or (actor.username if actor is not None else "system"),
        comment=comment, data=data, content_hash=content_hash(spec, row))


COMMENT_MAX = 2000      # a transition's note (意见/说明)


class State:
    """A workflow state. `draft`: the responsible signature is not yet
    required (000-四 43). `locked`: no field of the record may change by an
    edit (portal/policy.py); terminal states are locked."""

    def __init__(self, code, label, terminal=False, draft=False, overdue_check=True, locked=None):
        self.code = code
        self.label = label
        self.terminal = terminal
        self.draft = draft
        self.overdue_check = overdue_check
        self.locked = terminal if locked is None else locked


class Input:
    """A value a transition asks for. `field` stores it on the record."""
    KINDS = ("text", "textarea", "date", "datetime", "decimal", "integer", "choice",
             "employee", "department", "boolean")

    def __init__(self, name, label, kind="text", required=False, choices=None, field=None,
                 max_length=2000, help=None):
        assert kind in self.KINDS, kind
        self.name = name
        self.label = label
        self.kind = kind
        self.required = required
        self.choices = choices
        self.field = field
        self.max_length = max_length
        self.help = help

    def parse(self, raw, actor=None):
        """A typed value, or raise ValueError with a Chinese message."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise ValueError(gettext("此项为必填项。"))
            return None
        if self.kind in ("text", "textarea"):
            value = str(raw).strip()
            if len(value) > self.max_length:
                raise ValueError(gettext("长度不能超过 %(n)s 个字符。", n=self.max_length))
            if services.BAD_CHARS.search(value):
                raise ValueError(services.bad_chars_message())
            return value
        if self.kind == "boolean":
            return str(raw).lower() in ("1", "true", "y", "yes", "on")
        if self.kind == "choice":
            if str(raw) not in {c for c, _ in self.choices}:
                raise ValueError(gettext("无效的选项：%(value)s", value=str(raw)[:40]))
            return str(raw)
        if self.kind in ("integer", "employee", "department"):
            try:
                value = int(raw)
            except (TypeError, ValueError):
                raise ValueError(gettext("请输入整数。"))
            if not -2 ** 62 < value < 2 ** 62:
                raise ValueError(gettext("数值超出范围。"))
            if self.kind == "integer":
                return value
            return self._lookup(value, actor)
        if self.kind == "decimal":
            try:
                value = Decimal(str(raw))
            except (InvalidOperation, ValueError):
                raise ValueError(gettext("请输入数字。"))
            if not value.is_finite() or abs(value) >= Decimal("1e12"):
                raise ValueError(gettext("数值超出范围。"))
            return value
        if self.kind == "date":
            try:
                return raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])
            except ValueError:
                raise ValueError(gettext("日期格式应为 YYYY-MM-DD。"))
        if self.kind == "datetime":
            try:
                return raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
            except ValueError:
                raise ValueError(gettext("时间格式应为 YYYY-MM-DD HH:MM。"))
        raise ValueError(self.kind)

    def _lookup(self, pk, actor):
        from models import Department, Employee
        model = Employee if self.kind == "employee" else Department
        query = permissions.rows(actor, "view", model).where(model.id == pk)
        if model is Employee:
            query = query.where(Employee.status == "active")
        row = query.first()
        if row is None:
            raise ValueError(gettext("所选记录不存在或您无权查看。"))
        return row


class Relation:
    """Who, relative to the record, may take a transition: a Python check for
    one row and the same rule as an expression for the "waiting for me" queue."""

    def __init__(self, name, check, expr=None, message=None):
        self.name = name
        self.check = check
        self.expr = expr
        self.message = message


# Transitions a user may take but that nobody waits for (withdrawing,
# cancelling, marking, escalating, reopening, ending a relationship): they
# do not put a record in anyone's 「待我处理」 queue. Neither does a
# transition that keeps the state (a periodic review, a follow-up note).
DISCRETIONARY = frozenset({
    "cancel", "withdraw", "reopen", "escalate", "mark_special", "mark_individual",
    "mark_important", "interrupt", "terminate", "dissolve", "request_disposal", "lose",
    "refresh", "redispatch", "amend", "extend"})


class T:
    """A transition. `task`: whether a record where it may be taken waits
    for the user (default: it changes the state and is not DISCRETIONARY)."""

    def __init__(self, name, label, source, target, roles=(), relations=(), inputs=(),
                 guard=None, effects=(), bulk=False, confirm=None, style="primary",
                 comment=True, hidden=False, task=None):
        self.name = name
        self.label = label
        self.sources = ("*",) if source == "*" else ((source,) if isinstance(source, str) else tuple(source))
        self.target = target
        self.roles = tuple(roles)
        self.relations = tuple(relations)
        self.inputs = tuple(inputs)
        self.guard = guard
        self.effects = tuple(effects)
        self.bulk = bulk
        self.confirm = confirm
        self.style = style
        self.comment = comment
        self.hidden = hidden
        self.task = (target is not None and name not in DISCRETIONARY) if task is None else task

    def leaves(self, state):
        return "*" in self.sources or state in self.sources


class Workflow:
    def __init__(self, states, transitions, initial=None, state_field="state", label="状态",
                 due_field=None, handler_field=None, signer_required_after_draft=True):
        self.states = {s.code: s for s in states}
        self.transitions = {t.name: t for t in transitions}
        self.initial = initial or states[0].code
        self.state_field = state_field
        self.label = label
        self.due_field = due_field
        self.handler_field = handler_field
        self.signer_required_after_draft = signer_required_after_draft
        self.spec = None
        for t in transitions:
            for s in t.sources:
                assert s == "*" or s in self.states, f"{t.name}: unknown state {s}"
            assert t.target is None or callable(t.target) or t.target in self.states, t.name

    # Declaration helpers ---------------------------------------------------
    def state_choices(self):
        return [(s.code, s.label) for s in self.states.values()]

    def make_state_field(self):
        return Choice(self.state_choices(), default=self.initial, index=True, verbose_name=self.label)

    def bind(self, spec):
        self.spec = spec
        field = spec.fields.get(self.state_field)
        if field is None:
            raise ValueError(f"{spec.name}: workflow state field {self.state_field!r} missing")
        for name in (self.due_field, self.handler_field):
            if name and name not in spec.fields:
                raise ValueError(f"{spec.name}: workflow field {name!r} missing")
        for t in self.transitions.values():
            for i in t.inputs:
                if i.field and i.field not in spec.fields:
                    raise ValueError(f"{spec.name}.{t.name}: input field {i.field!r} missing")
            from ..registry import BASE_VERBS, RECORD_ACTION_VERBS
            if t.name in BASE_VERBS + RECORD_ACTION_VERBS:
                raise ValueError(f"{spec.name}: transition name {t.name!r} is a base verb")

    def verbs(self):
        return [t.name for t in self.transitions.values()]

    def default_permissions(self):
        return {t.name: t.roles for t in self.transitions.values()}

    def transition(self, name):
        return self.transitions.get(name)

    def state_label(self, code):
        state = self.states.get(code)
        return tr(state.label) if state else (code or "")

    def running_states(self):
        """States in which a deadline still runs (for overdue marks)."""
        return [s.code for s in self.states.values() if not s.terminal and s.overdue_check]

    def is_terminal(self, code):
        state = self.states.get(code)
        return bool(state and state.terminal)

    def describe(self):
        return {
            "state_field": self.state_field,
            "states": [{"code": s.code, "label": tr(s.label), "terminal": s.terminal}
                       for s in self.states.values()],
            "transitions": [{"name": t.name, "label": tr(t.label), "from": list(t.sources),
                             "to": t.target if isinstance(t.target, str) else None,
                             "inputs": [{"name": i.name, "label": tr(i.label), "type": i.kind,
                                         "required": i.required} for i in t.inputs]}
                            for t in self.transitions.values()],
        }

    # Decisions -----------------------------------------------------------------
    def check(self, actor, row, t):
        """(allowed, reason) for `actor` taking `t` on `row` now (no inputs)."""
        spec = self.spec
        if not permissions.can(actor, t.name, spec.model):
            return False, permissions.denied_message(t.name, spec.model)
        state = getattr(row, self.state_field)
        if not t.leaves(state):
            return False, gettext("当前状态为「%(state)s」，不能执行「%(action)s」。",
                                  state=self.state_label(state), action=tr(t.label))
        for relation in t.relations:
            if not relation.check(actor, row):
                return False, tr(relation.message) if relation.message else \
                    gettext("您不是此记录的相关人员，不能执行「%(action)s」。", action=tr(t.label))
        return True, None

    def available(self, actor, row):
        """Transitions to offer as buttons on this record."""
        out = []
        for t in self.transitions.values():
            if t.hidden:
                continue
            ok, _ = self.check(actor, row, t)
            if ok:
                out.append(t)
        return out

    def queue_expression(self, actor):
        """Rows waiting for `actor`: in a state where a transition the actor
        may take leaves from (and whose relations name the actor)."""
        from functools import reduce
        from operator import or_
        Model = self.spec.model
        clauses = []
        for t in self.transitions.values():
            if t.hidden or not t.task or not permissions.can(actor, t.name, Model):
                continue
            if "*" in t.sources:
                continue
            clause = getattr(Model, self.state_field).in_(list(t.sources))
            for relation in t.relations:
                if relation.expr is None:
                    clause = None
                    break
                clause = clause & relation.expr(actor, Model)
            if clause is not None:
                clauses.append(clause)
        return reduce(or_, clauses) if clauses else rules.FALSE

    # Running ------------------------------------------------------------------
    def parse_inputs(self, t, raw, actor=None):
        values, errors = {}, {}
        raw = raw or {}
        for i in t.inputs:
            try:
                values[i.name] = i.parse(raw.get(i.name), actor)
            except ValueError as exc:
                errors[i.name] = str(exc)
        comment = raw.get("comment")
        if comment is not None:
            comment = str(comment).strip()
            if len(comment) > COMMENT_MAX:
                errors["comment"] = gettext("长度不能超过 %(n)s 个字符。", n=COMMENT_MAX)
            elif services.BAD_CHARS.search(comment):
                errors["comment"] = services.bad_chars_message()
        values["comment"] = comment or None
        if errors:
            raise services.InputError(errors)
        return values

    def run(self, actor, row, name, raw_inputs=None, on_behalf_of=None):
        """Take transition `name` on `row`; returns the record (or the record
        an effect created, e.g. the new case of a reopen).

        `on_behalf_of`: the record whose own transition, permission-checked,
        takes this step as its effect (the approved 交易开始调查书 activates
        its customer); the actor's grants are not asked again."""
        spec = self.spec
        Model = spec.model
        t = self.transitions.get(name)
        if t is None:
            raise permissions.NotFound()
        if on_behalf_of is None and not permissions.can(actor, t.name, Model):
            raise permissions.Forbidden(permissions.denied_message(t.name, Model), t.name, spec.name)
        inputs = self.parse_inputs(t, raw_inputs, actor)
        inputs["on_behalf_of"] = on_behalf_of          # guards and effects may ask
        # work an effect leaves for after the commit (long work in short
        # transactions of its own, e.g. a large handover): run in order below
        after_commit = inputs["after_commit"] = []
        with write_transaction():
            query = (permissions.rows(actor, "view", Model) if on_behalf_of is None
                     else Model.select().where(Model.deleted_at.is_null())).where(Model.id == row.id)
            if is_postgres():
                query = query.for_update()
            current = query.first()
            if current is None:
                raise permissions.NotFound()
            ok, reason = (True, None) if on_behalf_of is not None else self.check(actor, current, t)
            if on_behalf_of is not None and not t.leaves(getattr(current, self.state_field)):
                ok, reason = False, gettext("当前状态为「%(state)s」，不能执行「%(action)s」。",
                                            state=self.state_label(getattr(current, self.state_field)),
                                            action=tr(t.label))
            if not ok:
                if (on_behalf_of is not None or permissions.can(actor, t.name, Model)) and \
                        not t.leaves(getattr(current, self.state_field)):
                    raise services.Conflict(reason)
                raise permissions.Forbidden(reason, t.name, spec.name)
            before = services.snapshot(current)
            old_state = getattr(current, self.state_field)
            for i in t.inputs:
                if i.field and inputs.get(i.name) is not None:
                    setattr(current, i.field, inputs[i.name])
            if t.guard is not None:
                problems = t.guard(actor, current, inputs)
                if problems:
                    raise services.InputError(problems if isinstance(problems, dict)
                                              else {"__all__": problems})
            result = None
            for effect in t.effects:
                produced = effect(actor, current, inputs)
                if produced is not None:
                    result = produced
            target = t.target(current, inputs) if callable(t.target) else t.target
            if target is not None:
                setattr(current, self.state_field, target)
            new_state = getattr(current, self.state_field)
            self._check_signer(spec, current, new_state, actor)
            services._derive(actor, current)
            services.validate(actor, spec, current, is_new=False)
            changes = services.diff(before, services.snapshot(current))
            data = {f: getattr(current, f) for f in changes}
            data.update(version=current.version + 1, updated_at=now(), updated_by=actor.id)
            n = (Model.update(**data)
                 .where(Model.id == current.id, Model.version == current.version,
                        getattr(Model, self.state_field) == old_state).execute())
            if n != 1:
                raise services.Conflict(services.stale_message())
            current.version += 1
            services._after_save(actor, current, False)
            note = inputs.get("comment") or inputs.get("reason")
            trail(spec, current, t.name, actor, old_state, new_state,
                  comment=note if isinstance(note, str) else None,
                  data=_dump({k: v for k, v in inputs.items()
                              if k not in ("comment", "on_behalf_of", "after_commit")}))
            audit.record(actor, t.name, spec.name, current, changes=changes,
                         comment=note if isinstance(note, str) else None)
        row.__data__.update(current.__data__)
        for work in after_commit:
            produced = work()
            if produced is not None:
                current = produced
                row.__data__.update(current.__data__)
        return result if result is not None else current

    def _check_signer(self, spec, row, state, actor):
        # 000-四 43: 「負責人簽名欄目不允許空白」 once the record leaves draft.
        # The signature is derived, never typed: whoever takes the record
        # out of draft unsigned signs it (approvals sign with the approver).
        if not self.signer_required_after_draft or "responsible_signer" not in spec.fields:
            return
        st = self.states.get(state)
        if st is not None and not st.draft and state != self.initial \
                and row.__data__.get("responsible_signer") is None:
            from .effects import sign
            sign(actor, row, {})
            if row.__data__.get("responsible_signer") is None:
                raise services.InputError({"responsible_signer": gettext(
                    "记录离开草稿状态后，负责人签名栏不允许空白（签名人须为在职员工）。")})

    def timeline(self, row):
        return timeline(self.spec, row)


def timeline(spec, row):
    """The trail of a record, oldest first."""
    return list(WorkflowEvent.select().where(WorkflowEvent.register == spec.name,
                                             WorkflowEvent.record_id == row.id)
                .order_by(WorkflowEvent.id))


def _dump(values):
    def plain(v):
        if hasattr(v, "_meta"):
            return str(v)
        return audit.plain(v)
    data = {k: plain(v) for k, v in values.items() if v is not None}
    return json.dumps(data, ensure_ascii=False) if data else None
