"""Actions every record has, with or without a workflow: the transitions of
the field policy (portal/policy.py) that a plain edit may not make.

- `govern` (调整归属/密级): the fields that decide who may read a record
  (custodian, owner, owning department, confidentiality, retention, legal
  hold) change only here, by the roles the regulations name (the archive
  custodians 销售内勤 / 档案员, 营销部部长, 总经理; 003 §4.1, 000-四 45-46),
  with a reason, audited.
- `sign` (负责人签名): the responsible person signs a record (000-四 43); the
  signature is the actor's, never a name typed into a form.

They are offered on the record's page next to its workflow's transitions and
run through the same routes (HTML and API), like transitions.
"""
from peewee import BooleanField, ForeignKeyField

import permissions

from .. import policy, services
from ..clock import now
from ..db import write_transaction
from ..i18n import gettext
from .engine import Input, trail

YES_NO = (("1", "是"), ("0", "否"))


class RecordAction:
    """What the details page and the routes need of an action (as of a
    transition `T`): name, label, inputs, style."""
    bulk = False
    hidden = False
    confirm = None
    comment = False
    task = False

    def __init__(self, name, label, style):
        self.name = name
        self.label = label
        self.style = style
        self.inputs = ()

    def inputs_for(self, spec):
        return ()


class Govern(RecordAction):
    def __init__(self):
        super().__init__("govern", "调整归属/密级", "secondary")

    def applies(self, spec):
        return bool(policy.access_fields(spec))

    def inputs_for(self, spec):
        """One input per access field ("leave blank: unchanged"), and the reason."""
        out = []
        for name in policy.access_fields(spec):
            field = spec.fields[name]
            label = spec.label_of(name)
            if isinstance(field, ForeignKeyField):
                kind = "employee" if field.rel_model._meta.table_name == "employee" else "department"
                out.append(Input(name, label, kind, field=name))
            elif isinstance(field, BooleanField):
                out.append(Input(name, label, "choice", choices=YES_NO, field=name))
            elif field.choices:
                out.append(Input(name, label, "choice", choices=field.choices, field=name))
        out.append(Input("reason", "调整理由", "textarea", required=True,
                         help="只选择需要调整的项目，其余留空则不变。"))
        return tuple(out)

    def available(self, actor, spec, row):
        return self.applies(spec) and permissions.can(actor, "govern", spec.model, row)

    def run(self, actor, spec, row, raw):
        permissions.require(actor, "govern", spec.model, row)
        values, errors = {}, {}
        for i in self.inputs:
            try:
                value = i.parse((raw or {}).get(i.name), actor)
            except ValueError as exc:
                errors[i.name] = str(exc)
                continue
            if value is not None and i.field:
                values[i.field] = (value == "1") if i.choices is YES_NO else value
        if errors:
            raise services.InputError(errors)
        reason = services.clean_text(raw.get("reason"))
        changes = {k: v for k, v in values.items() if k in policy.changed(spec, row, {k: v})}
        if not changes:
            raise services.InputError({"__all__": gettext("没有要调整的内容。")})
        with write_transaction():
            row = services.update(actor, row, changes, row.version, audit_action="govern",
                                  comment=reason, check_permission=False, governed=True)
            trail(spec, row, self.name, actor, comment=reason)
        return row


class Sign(RecordAction):
    def __init__(self):
        super().__init__("sign", "负责人签名", "primary")

    def applies(self, spec):
        return "responsible_signer" in spec.fields

    def available(self, actor, spec, row):
        return self.applies(spec) and row.__data__.get("responsible_signer") is None \
            and actor.employee_id is not None and permissions.can(actor, "sign", spec.model, row)

    def run(self, actor, spec, row, raw):
        permissions.require(actor, "sign", spec.model, row)
        if actor.employee_id is None:
            raise permissions.Forbidden(gettext("只有在职员工才能签名。"), "sign", spec.name)
        if row.__data__.get("responsible_signer") is not None:
            raise services.Conflict(gettext("此记录已由负责人签名。"))
        with write_transaction():
            row = services.write_decision(actor, row, {"responsible_signer": actor.employee_id,
                                                       "signed_at": now()}, "sign",
                                          where={"responsible_signer": None})
            trail(spec, row, self.name, actor)
        return row


class Endorse(RecordAction):
    """认可 / 批准 of a register without a workflow that records one approver
    (`Register.endorsement = (label, fields still open after it)`): the
    approver is the actor, never a name typed in; nobody endorses their own
    record; the endorsed content is frozen (portal/policy.py)."""

    def __init__(self):
        super().__init__("ratify", "认可", "primary")

    def applies(self, spec):
        return spec.endorsement is not None and "approved_by" in spec.fields

    def available(self, actor, spec, row):
        return self.applies(spec) and row.__data__.get("approved_by") is None \
            and actor.employee_id is not None and not self._own(actor, row) \
            and permissions.can(actor, "ratify", spec.model, row)

    @staticmethod
    def _own(actor, row):
        return row.__data__.get("filled_by") == actor.employee_id or \
            row.__data__.get("created_by") == actor.id

    def run(self, actor, spec, row, raw):
        permissions.require(actor, "ratify", spec.model, row)
        if actor.employee_id is None or self._own(actor, row):
            raise permissions.Forbidden(gettext("不能认可自己填写的记录。"), "ratify", spec.name)
        if row.__data__.get("approved_by") is not None:
            raise services.Conflict(gettext("此记录已经认可。"))
        values = {"approved_by": actor.employee_id}
        if "approved_at" in spec.fields:
            values["approved_at"] = now()
        comment = services.clean_text((raw or {}).get("comment"), required=False)
        with write_transaction():
            row = services.write_decision(actor, row, values, "ratify", comment=comment,
                                          where={"approved_by": None})
            trail(spec, row, self.name, actor, comment=comment)
        return row


def actions_of(spec):
    """The record actions of a register, each with its inputs for it."""
    bound = spec.__dict__.get("_record_actions")
    if bound is None:
        bound = []
        for action in (Govern(), Sign(), Endorse()):
            if action.applies(spec):
                action.inputs = action.inputs_for(spec)
                if action.name == "ratify":
                    action.label = spec.endorsement[0]
                    action.comment = True
                bound.append(action)
        spec.__dict__["_record_actions"] = bound
    return bound


NAMES = ("govern", "sign", "ratify")


def get(spec, name):
    return next((a for a in actions_of(spec) if a.name == name), None)


def available(actor, spec, row):
    """The record actions to offer on this record's page."""
    return [a for a in actions_of(spec) if a.available(actor, spec, row)]


def run(actor, spec, row, name, raw):
    """A record action or a workflow transition named `name` on `row` (the
    routes of the details page and the API)."""
    action = get(spec, name)
    if action is not None:
        return action.run(actor, spec, row, raw)
    return spec.workflow.run(actor, row, name, raw)
