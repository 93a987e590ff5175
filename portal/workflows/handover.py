"""Handover on resignation or change of post (WF-05, R-HND) on the workflow
engine.

What an employee holds is found by query from the register metadata, not
from a hand-kept list: every foreign key to an employee that means holding.
Custody fields (`custodian`, `account_owner`, `owner`, `patrol_visitor`,
`assigned_rep`, department `head`, region `manager`, `superior`...) hold a
record as long as it exists; task fields (`handler`, `assignee`,
`current_approver`, `investigator`, `technician`...) hold it while its
workflow still runs. A register declares other holding fields with
`Register.holding_fields`; a register added later is found the same way.
Borrowed records must be returned, not transferred; pending borrow requests
of the employee are withdrawn.

`execute` moves everything in one transaction (an UPDATE per register,
field and successor, guarded by the current holder), audits every record
and marks the items moved; if anything fails nothing is moved.
"""
import io
import json
from collections import OrderedDict, defaultdict

from peewee import ForeignKeyField

import permissions
from permissions.roles import MANAGERS, STAFF

from .. import audit, clock, notify, registry, services
from ..db import write_transaction, yield_to_writers
from ..i18n import gettext, tr
from . import relations as rel
from .engine import Input, Relation, State, T, Workflow, WorkflowEvent, trail

CUSTODY_FIELDS = ("custodian", "account_owner", "owner", "patrol_visitor", "assigned_rep",
                  "collector", "head", "manager", "superior", "responsible_person_for_file",
                  "sealed_custodian")
TASK_FIELDS = ("handler", "assignee", "current_approver", "investigator", "technician",
               "dispatcher", "installation_officer", "visitor_in_charge", "reviewer")
SKIP_REGISTERS = ("handover_record", "borrow_request")


def holding_fields(spec):
    """[(field name, kind)] of a register: 'custody' or 'task' (worked out once)."""
    cached = spec.__dict__.get("_holding")
    if cached is None:
        cached = spec.__dict__["_holding"] = _holding_fields(spec)
    return cached


def _holding_fields(spec):
    from models import Employee
    explicit = getattr(spec, "holding_fields", None)
    out = []
    for field in spec.model._meta.sorted_fields:
        if not isinstance(field, ForeignKeyField) or field.rel_model is not Employee:
            continue
        if explicit is not None:
            if field.name in explicit:
                out.append((field.name, "task" if field.name in TASK_FIELDS else "custody"))
        elif field.name in CUSTODY_FIELDS:
            out.append((field.name, "custody"))
        elif field.name in TASK_FIELDS:
            out.append((field.name, "task"))
    return out


def holdings(employee_id):
    """Everything the employee holds: a list of item dicts."""
    from models import Region
    regions = {r.id: r.name for r in Region.select(Region.id, Region.name)}
    items = []
    for spec in registry.all_specs():
        if spec.name in SKIP_REGISTERS:
            continue
        Model = spec.model
        wf = spec.workflow
        for name, kind in holding_fields(spec):
            field = getattr(Model, name)
            query = Model.select().where(field == employee_id, Model.deleted_at.is_null())
            if kind == "task" and wf is not None:
                query = query.where(getattr(Model, wf.state_field).in_(wf.running_states()))
            if spec.name == "employee":
                query = query.where(Model.id != employee_id, Model.status == "active")
            for row in query:
                items.append(_item(spec, name, row, regions=regions))
    items += _borrow_items(employee_id)
    return items


def _item(spec, field, row, must_return=False, note="", regions=None):
    hint = ""
    if "region" in spec.fields and row.__data__.get("region"):
        if regions is None:
            from models import Region
            regions = {r.id: r.name for r in Region.select(Region.id, Region.name)}
        hint = regions.get(row.__data__["region"], "")
    return {"register": spec.name, "field": field, "record_id": row.id,
            "record_no": row.record_no or "", "title": str(row)[:200], "group_hint": hint,
            "must_return": must_return, "note": note}


def _borrow_items(employee_id):
    from models import BorrowRequest
    spec = registry.get("borrow_request")
    out = []
    rows = BorrowRequest.select().where(BorrowRequest.deleted_at.is_null(),
                                        BorrowRequest.state.in_(["pending", "approved", "lent", "overdue"]),
                                        (BorrowRequest.borrower == employee_id)
                                        | (BorrowRequest.custodian == employee_id)
                                        | (BorrowRequest.current_approver == employee_id))
    for row in rows:
        if row.__data__["borrower"] == employee_id:
            if row.state in ("lent", "overdue"):
                out.append(_item(spec, "borrower", row, must_return=True,
                                 note=gettext("借阅的档案须归还，不得移交")))
            else:
                out.append(_item(spec, "borrower", row, note=gettext("未借出的借阅申请将撤销")))
        else:
            field = "custodian" if row.__data__.get("custodian") == employee_id else "current_approver"
            out.append(_item(spec, field, row))
    return out


def gather(record):
    """(Re)list the items of a handover: new holdings are added, items already
    listed are kept (with their assigned successors). Items not moved that the
    employee no longer holds are settled: a borrowed file given back meanwhile
    stays on the list as returned (the certificate shows it), anything else
    (a case closed, a record given to someone else) leaves the list, so a file
    returned after the handover started no longer blocks it."""
    from models import HandoverItem
    emp = record.__data__["employee"]
    current = {(i.register, i.field, i.record_id): i for i in
               HandoverItem.select().where(HandoverItem.handover == record.id)}
    held = holdings(emp)
    keys = {(item["register"], item["field"], item["record_id"]) for item in held}
    stale = [i for key, i in current.items() if not i.moved and key not in keys]
    returned = [i.id for i in stale if i.must_return]
    gone = [i.id for i in stale if not i.must_return]
    for i in range(0, len(returned), 500):
        (HandoverItem.update(moved=True, moved_at=clock.now())
         .where(HandoverItem.id.in_(returned[i:i + 500])).execute())
    for i in range(0, len(gone), 500):
        HandoverItem.delete().where(HandoverItem.id.in_(gone[i:i + 500])).execute()
    default = _default_successor(record)
    new = []
    for item in held:
        key = (item["register"], item["field"], item["record_id"])
        if key not in current:
            new.append(dict(item, handover=record.id, successor=default(item)))
    for i in range(0, len(new), 500):
        HandoverItem.insert_many(new[i:i + 500]).execute()
    total = HandoverItem.select().where(HandoverItem.handover == record.id).count()
    type(record).update(item_count=total).where(type(record).id == record.id).execute()
    record.item_count = total
    return len(new)


def _default_successor(record):
    """item -> the record's default successor where they may hold that kind
    of item (None otherwise: it waits for an explicit assignment)."""
    from models import Employee
    successor = Employee.get_or_none(Employee.id == record.__data__.get("default_successor"))
    allowed = {}

    def successor_for(item):
        if successor is None or item["must_return"] or _is_own_request(item):
            return None
        kind = (item["register"], item["field"])
        if kind not in allowed:
            allowed[kind] = allowed_to_hold(successor, *kind)
        return successor.id if allowed[kind] else None
    return successor_for


def _is_own_request(item):
    return item["register"] == "borrow_request" and item["field"] == "borrower"


def check_record(record, actor, is_new):
    from models import Employee, HandoverRecord
    errors = {}
    emp = Employee.get_or_none(Employee.id == record.__data__.get("employee"))
    if is_new and emp is not None and emp.status != "active":
        errors["employee"] = gettext("该员工已离职。")
    if is_new and emp is not None and HandoverRecord.select().where(
            HandoverRecord.employee == emp.id, HandoverRecord.state == "started",
            HandoverRecord.deleted_at.is_null()).exists():
        errors["employee"] = gettext("该员工已有进行中的交接单。")
    for name in ("default_successor",) if record.state == "started" else ():
        # (at execution, the items' own successors are checked: outstanding())
        succ = Employee.get_or_none(Employee.id == record.__data__.get(name))
        if succ is not None and (succ.status != "active" or succ.id == record.__data__.get("employee")):
            errors[name] = gettext("接替人必须是在职的其他员工。")
    return errors


# Assigning successors ------------------------------------------------------------

def allowed_to_hold(successor, register, field):
    """The successor may hold this kind of item: an active employee with a
    login that may edit that register (or approve, for approvals)."""
    from ..accounts import User
    if successor is None or successor.status != "active" or not successor.user_id:
        return False
    user = User.get_or_none(User.id == successor.user_id)
    if user is None or not user.active:
        return False
    spec = registry.get(register)
    if field == "current_approver" and spec.workflow is not None:
        verbs = [t for t in ("approve", "decide") if spec.workflow.transition(t)]
        return any(permissions.can(user, v, spec.model) for v in verbs)
    if spec.workflow is not None and dict(holding_fields(spec)).get(field) == "task":
        # a task (a plan to carry out, a case to handle) goes to whoever may
        # move it on, like the one who held it
        return permissions.can(user, "view", spec.model) and any(
            permissions.can(user, t.name, spec.model)
            for t in spec.workflow.transitions.values() if t.task)
    if register == "employee" or spec.row_scope == "all":
        return permissions.can(user, "view", spec.model)
    return permissions.can(user, "view", spec.model) and permissions.can(user, "edit", spec.model)


def _assign(actor, record, inputs):
    from models import HandoverItem
    successor = inputs["successor"]
    query = HandoverItem.select().where(HandoverItem.handover == record.id,
                                        HandoverItem.moved == False,  # noqa: E712
                                        HandoverItem.must_return == False)  # noqa: E712
    if inputs.get("items"):
        try:
            ids = [int(x) for x in str(inputs["items"]).replace(" ", "").split(",") if x]
        except ValueError:
            raise services.InputError({"items": gettext("移交项应为以逗号分隔的编号。")})
        query = query.where(HandoverItem.id.in_(ids))
    if inputs.get("kind"):
        query = query.where(HandoverItem.register == inputs["kind"])
    if inputs.get("group"):
        query = query.where(HandoverItem.group_hint == inputs["group"])
    if not (inputs.get("items") or inputs.get("kind") or inputs.get("group")):
        query = query.where(HandoverItem.successor.is_null())   # "everything left"
    items = [i for i in query if not (i.register == "borrow_request" and i.field == "borrower")]
    if not items:
        raise services.InputError({"items": gettext("没有可分配的移交项。")})
    if successor.id == record.__data__["employee"]:
        raise services.InputError({"successor": gettext("接收人不能是交接员工本人。")})
    kinds = {(i.register, i.field) for i in items}      # checked once per kind, not per item
    refused = sorted({tr(registry.get(register).label) for register, field in kinds
                      if not allowed_to_hold(successor, register, field)})
    if refused:
        raise services.InputError({"successor": gettext(
            "%(name)s 无权持有以下类别：%(kinds)s", name=successor.name, kinds="、".join(refused))})
    (HandoverItem.update(successor=successor.id)
     .where(HandoverItem.id.in_([i.id for i in items])).execute())


# Executing ------------------------------------------------------------------------

def outstanding(record):
    """Messages for what prevents the handover from being executed."""
    from models import HandoverItem
    problems = []
    items = list(HandoverItem.select().where(HandoverItem.handover == record.id,
                                             HandoverItem.moved == False))  # noqa: E712
    lent = [i for i in items if i.must_return]
    if lent:
        problems.append(gettext("借阅的档案须先归还：%(items)s",
                                items="、".join(i.title or i.record_no for i in lent[:10])))
    unassigned = defaultdict(int)
    for i in items:
        if not i.must_return and i.successor_id is None and not (
                i.register == "borrow_request" and i.field == "borrower"):
            unassigned[tr(registry.get(i.register).label)] += 1
    if unassigned:
        problems.append(gettext("以下移交项尚未指定接收人：%(kinds)s",
                                kinds="、".join(f"{k} {n}" for k, n in unassigned.items())))
    problems += _refused_successors(i for i in items if i.successor_id is not None)
    return problems


def _refused_successors(items):
    """Messages for successors no longer allowed to hold what they were
    given (left the company, lost the role since the assignment)."""
    from models import Employee
    allowed, refused = {}, defaultdict(set)
    for i in items:
        key = (i.successor_id, i.register, i.field)
        if key not in allowed:
            allowed[key] = allowed_to_hold(Employee.get_or_none(Employee.id == i.successor_id),
                                           i.register, i.field)
        if not allowed[key]:
            refused[i.successor_id].add(tr(registry.get(i.register).label))
    names = {e.id: e.name for e in Employee.select().where(Employee.id.in_(list(refused)))} if refused else {}
    return [gettext("%(name)s 无权持有以下类别：%(kinds)s", name=names.get(sid, sid),
                    kinds="、".join(sorted(kinds))) for sid, kinds in refused.items()]


def move_group(spec, field, employee_id, successor_id, ids):
    """Move one group of records; raises Conflict if a record changed hands
    meanwhile (everything is then rolled back)."""
    Model = spec.model
    moved = 0
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        moved += (Model.update({getattr(Model, field): successor_id, Model.version: Model.version + 1,
                                Model.updated_at: clock.now()})
                  .where(Model.id.in_(chunk), getattr(Model, field) == employee_id).execute())
    if moved != len(ids):
        raise services.Conflict(gettext("「%(register)s」中有记录在交接期间已被他人改动，请刷新清单后重试。",
                                        register=tr(spec.label)))
    return moved


CHUNK = 500        # records moved per short transaction


def _execute(actor, record, inputs):
    """执行移交: the record is marked 移交中 at once; the moving itself runs
    after that commit, in short transactions (portal/workflows/engine.py
    after_commit), so that a handover of thousands of records never holds
    the lock everyone's writes and logins need."""
    record_id = record.id
    inputs["after_commit"].append(lambda: execute_in_chunks(actor, record_id))


def execute_in_chunks(actor, record_id):
    """Move everything the employee holds to the assigned successors, a
    chunk per transaction. All or nothing: if a record changed hands
    meanwhile, what this run moved is moved back (audited) and the handover
    returns to 已发起 with the reason. Safe to run again on a handover left
    移交中 (a stopped process): what is already moved stays moved."""
    from models import HandoverItem, HandoverRecord
    record = HandoverRecord.get_by_id(record_id)
    gather(record)
    problems = outstanding(record)
    if problems:
        _back_to_started(actor, record, "；".join(problems))
        raise services.InputError({"__all__": "；".join(problems)})
    emp = record.__data__["employee"]
    items = list(HandoverItem.select().where(HandoverItem.handover == record.id,
                                             HandoverItem.moved == False))  # noqa: E712
    groups = defaultdict(list)
    withdrawn = []
    for i in items:
        if i.register == "borrow_request" and i.field == "borrower":
            withdrawn.append(i)
        else:
            groups[(i.register, i.field, i.successor_id)].append(i)
    moved = []          # (spec, field, successor, items) moved by this run
    try:
        for (register, field, successor), group in groups.items():
            spec = registry.get(register)
            for start in range(0, len(group), CHUNK):
                chunk = group[start:start + CHUNK]
                with write_transaction():
                    move_group(spec, field, emp, successor, [i.record_id for i in chunk])
                    audit.append([_event(actor, record, i, {field: [emp, successor]}, "hand_over")
                                  for i in chunk])
                    (HandoverItem.update(moved=True, moved_at=clock.now())
                     .where(HandoverItem.id.in_([i.id for i in chunk])).execute())
                moved.append((spec, field, successor, chunk))
                yield_to_writers()
        with write_transaction():
            _withdraw_requests(actor, withdrawn)
            now = clock.now()
            n = (HandoverRecord.update(state="executed", executed_at=now,
                                       version=HandoverRecord.version + 1)
                 .where(HandoverRecord.id == record.id, HandoverRecord.state == "executing").execute())
            if n != 1:
                raise services.Conflict(services.stale_message())
            record = HandoverRecord.get_by_id(record.id)
            trail(HandoverRecord._spec, record, "execute", actor, "executing", "executed",
                  comment=gettext("已移交 %(n)s 项", n=sum(len(c) for *_, c in moved)))
    except Exception:
        _move_back(actor, record, emp, moved)
        _back_to_started(actor, record, gettext("移交未完成，已全部退回"))
        raise
    _tell_successors(record, groups)
    return record


def _event(actor, record, item, changes, action):
    return {"at": clock.now(), "actor": actor.id, "actor_name": actor.username, "ip": "",
            "register": item.register, "record_id": item.record_id, "record_no": item.record_no,
            "action": action, "changes": json.dumps(changes),
            "comment": gettext("交接单 %(no)s", no=record.record_no), "grant": ""}


def _move_back(actor, record, emp, moved):
    """Undo the chunks this run moved, chunk by chunk (each audited)."""
    from models import HandoverItem
    for spec, field, successor, chunk in reversed(moved):
        Model = spec.model
        with write_transaction():
            (Model.update({getattr(Model, field): emp, Model.version: Model.version + 1,
                           Model.updated_at: clock.now()})
             .where(Model.id.in_([i.record_id for i in chunk]), getattr(Model, field) == successor)
             .execute())
            audit.append([_event(actor, record, i, {field: [successor, emp]}, "hand_over_undone")
                          for i in chunk])
            (HandoverItem.update(moved=False, moved_at=None)
             .where(HandoverItem.id.in_([i.id for i in chunk])).execute())


def _back_to_started(actor, record, reason):
    from models import HandoverRecord
    with write_transaction():
        (HandoverRecord.update(state="started", version=HandoverRecord.version + 1)
         .where(HandoverRecord.id == record.id, HandoverRecord.state == "executing").execute())
        trail(HandoverRecord._spec, record, "execute", actor, "executing", "started", comment=reason)


def _withdraw_requests(actor, withdrawn):
    """The leaver's borrow requests not yet lent are withdrawn."""
    from models import BorrowRequest
    for i in withdrawn:
        n = (BorrowRequest.update(state="cancelled", version=BorrowRequest.version + 1)
             .where(BorrowRequest.id == i.record_id, BorrowRequest.state.in_(["pending", "approved"]))
             .execute())
        if n:
            WorkflowEvent.create(register="borrow_request", record_id=i.record_id, transition="cancel",
                                 from_state=None, to_state="cancelled", actor=actor.id,
                                 actor_name=actor.username, comment=gettext("员工交接，撤销借阅申请"))


def _tell_successors(record, groups):
    by_successor = defaultdict(int)
    for (register, field, successor), group in groups.items():
        by_successor[successor] += len(group)
    for successor, count in by_successor.items():
        notify.send(notify.users_of([successor]),
                    gettext("您已接收 %(name)s 移交的 %(n)s 项（交接单 %(no)s）",
                            name=record.employee.name, n=count, no=record.record_no),
                    register="handover_record", record_id=record.id, kind="task")


def _refresh(actor, record, inputs):
    gather(record)          # an effect returning a value would replace the record


def _unreceived(record, employee_id=None):
    """Moved items not yet confirmed by their receiver (of one receiver, if given)."""
    from models import HandoverItem
    query = HandoverItem.select().where(HandoverItem.handover == record.id,
                                        HandoverItem.moved == True,  # noqa: E712
                                        HandoverItem.must_return == False,  # noqa: E712
                                        HandoverItem.successor.is_null(False),
                                        HandoverItem.received_at.is_null())
    if employee_id is not None:
        query = query.where(HandoverItem.successor == employee_id)
    return query


def _received(actor, record, inputs):
    """The receiver confirms what they received (交接签收): each their own items."""
    from models import HandoverItem
    items = [i.id for i in _unreceived(record, actor.employee_id)]
    if not items:
        raise services.Conflict(gettext("您没有待确认接收的移交项。"))
    for i in range(0, len(items), 500):
        (HandoverItem.update(received_at=clock.now())
         .where(HandoverItem.id.in_(items[i:i + 500])).execute())


def _receiver_check(actor, record):
    return bool(actor.employee_id) and _unreceived(record, actor.employee_id).exists()


def _receiver_expr(actor, Model):
    from models import HandoverItem
    mine = (HandoverItem.select(HandoverItem.handover)
            .where(HandoverItem.successor == (actor.employee_id or 0),
                   HandoverItem.moved == True, HandoverItem.must_return == False,  # noqa: E712
                   HandoverItem.received_at.is_null()))
    return Model.id.in_(mine)


def receivers_clause(actor, Model):
    """Handovers in which the actor receives something (row rule)."""
    from models import HandoverItem
    mine = HandoverItem.select(HandoverItem.handover).where(
        HandoverItem.successor == (actor.employee_id or 0))
    return Model.id.in_(mine)


RECEIVER = Relation("receiver", _receiver_check, _receiver_expr,
                    gettext("只有接收人本人才能确认接收其移交项。"))
CUSTOMER_FIELDS = ("account_owner", "patrol_visitor")
LEAVING = ("resignation", "transfer")       # leaving the company; a job change stays


def moved_customers(record):
    """Customers whose responsible person this handover changed (003 §4.3)."""
    from models import HandoverItem
    return HandoverItem.select().where(HandoverItem.handover == record.id,
                                       HandoverItem.register == "customer",
                                       HandoverItem.moved == True,  # noqa: E712
                                       HandoverItem.field.in_(CUSTOMER_FIELDS))


def _customers_told(actor, record, inputs):
    if not moved_customers(record).exists():
        raise services.Conflict(gettext("本次交接没有需要通知的客户。"))
    record.customers_notified_at = clock.now()
    record.customer_notice = inputs["notice"]


def completion_problems(record):
    """What a handover still lacks before it is complete (R-HND-02/05)."""
    from models import Employee
    problems = []
    waiting = defaultdict(int)
    for item in _unreceived(record):
        waiting[item.successor_id] += 1
    if waiting:
        names = {e.id: e.name for e in Employee.select().where(Employee.id.in_(list(waiting)))}
        problems.append(gettext("以下接收人尚未确认接收：%(who)s", who="、".join(
            f"{names.get(k, k)} {n}" for k, n in waiting.items())))
    if moved_customers(record).exists() and record.customers_notified_at is None:
        problems.append(gettext("尚未记录对有关客户的通知（003 §4.3）"))
    return problems


def _complete_guard(actor, record, inputs):
    problems = completion_problems(record)
    if problems:
        return {"__all__": gettext("交接尚不能完成：%(items)s", items="；".join(problems))}
    return None


def _completed(actor, record, inputs):
    """The handover is complete: a leaver departs at once (login and tokens off)."""
    from models import Employee
    record.confirmed_by = actor.employee
    record.confirmed_at = clock.now()
    if record.reason in LEAVING:
        employee = Employee.get_by_id(record.__data__["employee"])
        if employee.status == "active":
            EMPLOYEE_FLOW.run(actor, employee, "depart",
                              {"comment": gettext("交接单 %(no)s 已完成", no=record.record_no)},
                              on_behalf_of=record)


def leaving_employees() -> frozenset:
    """Employees whose leaving handover was executed, and those who left:
    from then on they may not create records nor be given any to hold
    (002 篇三 二.12 「全部檔案交齊后,該員工方能離職」); read once per request."""
    from flask import g, has_request_context
    from models import Employee, HandoverRecord
    cache = g.setdefault("_leaving", {}) if has_request_context() else {}
    if "ids" not in cache:
        leaving = HandoverRecord.select(HandoverRecord.employee).where(
            HandoverRecord.state == "executed", HandoverRecord.reason.in_(LEAVING),
            HandoverRecord.deleted_at.is_null())
        left = Employee.select(Employee.id).where(Employee.status != "active")
        cache["ids"] = frozenset(r for (r,) in leaving.union(left).tuples())
    return cache["ids"]


def holder_problems(spec, values) -> dict:
    """{field: message} for values that give a record to hold to someone who
    has left or whose leaving handover was executed (custody and task fields)."""
    fields = dict(holding_fields(spec)) if spec.name not in SKIP_REGISTERS else {}
    wanted = {name: getattr(v, "id", v) for name, v in values.items() if name in fields and v}
    if not wanted:
        return {}
    gone = leaving_employees()
    return {name: gettext("该员工已离职或正在办理离职交接，不能再接手记录。")
            for name, pk in wanted.items() if pk in gone}


def is_leaving(actor) -> bool:
    return actor is not None and bool(actor.employee_id) and actor.employee_id in leaving_employees()


def _supervisor_check(actor, record):
    return actor.has_role("hr") or (bool(actor.employee_id)
                                   and record.__data__.get("supervisor") == actor.employee_id)


def _supervisor_expr(actor, Model):
    from permissions import rules
    if actor.has_role("hr"):
        return rules.TRUE
    return Model.supervisor == (actor.employee_id or 0)


SUPERVISOR = Relation("supervisor", _supervisor_check, _supervisor_expr,
                      gettext("只有人力资源或交接员工的主管才能执行此操作。"))

FLOW = Workflow(
    [State("started", "已发起", draft=True), State("executing", "移交中", locked=True),
     State("executed", "已移交", locked=True),
     State("completed", "已完成", terminal=True), State("cancelled", "已撤销", terminal=True)],
    [T("refresh", "重新生成清单", "started", None, roles=("hr",) + MANAGERS,
       relations=(SUPERVISOR,), effects=(_refresh,), comment=False),
     T("assign", "指定接收人", "started", None, roles=("hr",) + MANAGERS, relations=(SUPERVISOR,),
       inputs=(Input("successor", "接收人", "employee", required=True),
               Input("items", "移交项（编号，逗号分隔；空为全部未分配项）", "text"),
               Input("kind", "类别（登记簿）", "text"),
               Input("group", "分组（如区域）", "text")),
       effects=(_assign,)),
     # 移交中 while the records move in short transactions; a run stopped
     # half-way is taken up again by the same button
     T("execute", "执行移交", ("started", "executing"), "executing", roles=("hr",) + MANAGERS,
       relations=(SUPERVISOR,), effects=(_execute,)),
     # each receiver signs for what they received (主管部门 / 顾服主管医生 / 销售经理 / 接办人员)
     T("confirm", "确认接收", "executed", None, roles=STAFF, relations=(RECEIVER,),
       effects=(_received,), task=True),
     T("notify_customers", "记录客户通知", "executed", None, roles=("hr",) + MANAGERS,
       relations=(SUPERVISOR,),
       inputs=(Input("notice", "通知方式与结果（已告知客户新的责任人）", "textarea", required=True),),
       effects=(_customers_told,)),
     T("complete", "完成交接", "executed", "completed", roles=("hr",),
       guard=_complete_guard, effects=(_completed,),
       confirm="确认交接已全部完成？离职员工将随即办理离职，停用其登录账号。"),
     T("cancel", "撤销", "started", "cancelled", roles=("hr",), style="secondary")],
    initial="started", signer_required_after_draft=False)


# Departure ---------------------------------------------------------------------------

def depart_blockers(employee_id):
    """What the employee still holds, grouped: [(kind label, count)]."""
    counts = OrderedDict()
    for item in holdings(employee_id):
        spec = registry.get(item["register"])
        label = tr(spec.label)
        if item["must_return"]:
            label = gettext("%(label)s（未归还）", label=label)
        counts[label] = counts.get(label, 0) + 1
    return list(counts.items())


def _depart_guard(actor, employee, inputs):
    from models import HandoverRecord
    # WF-05: 「全部檔案交齊后,該員工方能離職」 -- an executed handover is completed first
    completing = inputs.get("on_behalf_of")         # the completion of that very handover
    open_handovers = HandoverRecord.select().where(
        HandoverRecord.employee == employee.id, HandoverRecord.state == "executed",
        HandoverRecord.deleted_at.is_null())
    if completing is not None:
        open_handovers = open_handovers.where(HandoverRecord.id != completing.id)
    if open_handovers.exists():
        raise services.Conflict(gettext("该员工的交接尚未完成（接收人确认、客户通知），完成交接后即办理离职。"))
    blockers = depart_blockers(employee.id)
    if blockers:
        raise services.Conflict(gettext("尚有未移交的事项，不能办理离职：%(items)s",
                                        items="；".join(f"{k} {n} 项" for k, n in blockers)))
    return None


def _departed(actor, employee, inputs):
    from ..accounts import User, deactivate
    employee.departed_on = clock.today()
    if employee.__data__.get("user"):
        user = User.get_or_none(User.id == employee.__data__["user"])
        if user is not None:
            deactivate(user)
            audit.record(actor, "deactivate", "user_account", record_id=user.id,
                         record_no=user.username, comment=gettext("员工离职，停用账号"))


EMPLOYEE_FLOW = Workflow(
    [State("active", "在职"), State("departed", "已离职", terminal=True)],
    [T("depart", "办理离职", "active", "departed", roles=("hr",), guard=_depart_guard,
       effects=(_departed,), confirm="确认该员工所有事项已移交并办理离职？停用其登录账号。")],
    initial="active", state_field="status", label="在职状态", signer_required_after_draft=False)


# Certificate and customer notice -------------------------------------------------------

def certificate_xlsx(record):
    """移交清单: every item with both names, and signature lines."""
    import xlsxwriter
    from models import Employee, HandoverItem
    names = {e.id: e.name for e in Employee.select(Employee.id, Employee.name)}
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    sheet = book.add_worksheet(gettext("移交清单"))
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    sheet.write_string(0, 0, gettext("移交清单"), book.add_format({"bold": True, "font_size": 16}))
    sheet.write_string(1, 0, gettext("交接单号：%(no)s　交接员工：%(name)s　原因：%(reason)s　最后工作日：%(day)s",
                                     no=record.record_no, name=record.employee.name,
                                     reason=tr(dict(type(record).reason.choices)[record.reason]),
                                     day=record.last_day.isoformat()))
    columns = [gettext("序号"), gettext("类别"), gettext("记录编号"), gettext("名称"), gettext("持有方式"),
               gettext("移交人"), gettext("接收人"), gettext("状态")]
    widths = [6, 18, 14, 36, 14, 10, 10, 12]
    for c, (title, width) in enumerate(zip(columns, widths)):
        sheet.write_string(3, c, title, head)
        sheet.set_column(c, c, width)
    items = list(HandoverItem.select().where(HandoverItem.handover == record.id)
                 .order_by(HandoverItem.register, HandoverItem.id))
    emp = record.__data__["employee"]
    row = 4
    for n, i in enumerate(items, start=1):
        spec = registry.get(i.register)
        if i.must_return:
            status = gettext("已归还") if i.moved else gettext("须归还（不得移交）")
        else:
            status = gettext("已移交") if i.moved else gettext("未移交")
        values = [n, tr(spec.label), i.record_no, i.title, tr(spec.label_of(i.field)),
                  names.get(emp, ""), names.get(i.successor_id, "") if i.successor_id else "", status]
        for c, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(row, c, value)
            else:
                sheet.write_string(row, c, str(value or ""))
        row += 1
    row += 1
    for label in (gettext("移交人签字："), gettext("接收人签字："), gettext("监交人签字："), gettext("日期：")):
        sheet.write_string(row, 1, label, bold)
        row += 2
    book.close()
    return buffer.getvalue(), len(items)


def customer_notice_rows(actor, handover_id=None):
    """Customers whose responsible person changed by a handover (003 §4.3:
    「應由公司及時通知有關客戶」): customer, contact, phone, old and new person."""
    from models import Customer, Employee, HandoverItem, HandoverRecord
    import permissions
    names = {e.id: e.name for e in Employee.select(Employee.id, Employee.name)}
    query = (HandoverItem.select(HandoverItem, HandoverRecord.employee.alias("old_id"),
                                 HandoverRecord.record_no.alias("handover_no"))
             .join(HandoverRecord)
             .where(HandoverItem.register == "customer", HandoverItem.moved == True,  # noqa: E712
                    HandoverItem.field.in_(["account_owner", "patrol_visitor"]),
                    HandoverRecord.id.in_(permissions.rows(actor, "view", HandoverRecord,
                                                           fields=(HandoverRecord.id,)))))
    if handover_id:
        query = query.where(HandoverRecord.id == handover_id)
    rows = []
    for item in query.objects():
        customer = Customer.get_or_none(Customer.id == item.record_id)
        if customer is None:
            continue
        rows.append({"handover": item.handover_no, "customer": customer.name,
                     "contact": customer.contact_name or "", "phone": customer.phone or "",
                     "role": tr(registry.get("customer").label_of(item.field)),
                     "old": names.get(item.old_id, ""), "new": names.get(item.successor_id, "")})
    return rows


def details_extra(actor, record):
    """The items of a handover on its detail page, grouped by kind with counts."""
    from models import Employee, HandoverItem
    names = {e.id: e.name for e in Employee.select(Employee.id, Employee.name)}
    items = list(HandoverItem.select().where(HandoverItem.handover == record.id)
                 .order_by(HandoverItem.register, HandoverItem.field, HandoverItem.id))
    groups = OrderedDict()
    for i in items:
        spec = registry.get(i.register)
        key = (i.register, i.field)
        group = groups.setdefault(key, {"label": tr(spec.label), "field": tr(spec.label_of(i.field)),
                                        "register": i.register, "items": [], "moved": 0,
                                        "unassigned": 0})
        group["items"].append({"id": i.id, "record_no": i.record_no, "title": i.title,
                               "group_hint": i.group_hint, "must_return": i.must_return,
                               "successor": names.get(i.successor_id, ""), "moved": i.moved,
                               "note": i.note, "record_id": i.record_id})
        group["moved"] += int(i.moved)
        group["unassigned"] += int(i.successor_id is None and not i.must_return)
    return {"template": "portal/handover_items.html", "groups": list(groups.values()),
            "problems": outstanding(record) if record.state == "started" else []}
