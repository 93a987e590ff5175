"""Borrowing (借阅, WF-04) of confidential records on the workflow engine.

待审批 → 已批准 | 已驳回 → 已借出 → 已归还 (or 已逾期 when not back in time,
已遗失 with its penalty; 续借待批 while an extension waits; 已撤销 by the
requester while pending).

- Who approves depends on the level the file has at each step (R-ARC-02/05/06):
  files of other departments → 营销部部长 only (003 §4.1); sealed → the
  general manager (002 篇三); a consumer file (顾客档案表) for a revisit → its
  custodian (顾服主管医生), for any other use → the general manager. Nobody
  approves their own request. A file re-levelled after the request goes to
  the approver of its new level; one re-levelled after the approval is not
  lent on it, and a lent loan no longer opens it (permissions/rules.py).
- The custodian (or the sales clerk / archivist who run the borrowing
  procedure, 000-四 46) lends the record and takes it back, or records its loss.
- While lent, the borrower reads that one record, read only, until due,
  even where their role does not read the register; every read is audited.
- Due: sealed records and consumer files the same day (002 篇三 二.9), other
  records `borrow_default` days; never more than `borrow_max` days; an
  extension (续借) is approved like the loan.
- Loss or damage on return carries the penalty of 002 篇三 (50–500 元) and
  flags the record for re-creation.
"""
from decimal import Decimal

import permissions
from permissions.roles import STAFF

from .. import audit, calendar, clock, notify, registry
from ..db import write_transaction
from ..i18n import gettext
from . import relations as rel
from .engine import Input, State, T, Workflow, WorkflowEvent

SAME_DAY_REGISTERS = ("consumer_archive",)
PENALTY_RANGE = (Decimal("50"), Decimal("500"))     # 002 篇三 二.10
BAD_CONDITIONS = ("soiled", "damaged", "missing", "lost")


def _approver(req, target):
    """(employee, role) who approves this request, by the level the file has
    now: a sealed file → 总经理 (002 篇三); a 顾客档案表 → its custodian for a
    revisit, 总经理 for any other use (R-ARC-06); any other file of another
    department → 营销部部长, and nobody else (003 §4.1, R-ARC-02)."""
    level = (getattr(target, "confidentiality", None) if target is not None else None) \
        or req.level or "internal"
    if req.register == "consumer_archive":
        if req.purpose == "revisit" and target is not None and target.__data__.get("custodian"):
            return target.custodian, None
        return None, "general_manager"
    if level == "sealed":
        return None, "general_manager"
    return None, "marketing_head"


def prepare(req, actor):
    """Snapshot of the record asked for, its custodian, the approver and the
    default due time (runs before every save)."""
    if req.state != "pending":
        return
    target = req.target()
    if target is None:
        return
    spec = registry.get(req.register)
    req.target_no = target.record_no
    req.title = str(target)[:200]
    req.level = getattr(target, "confidentiality", None) or "internal"
    if "custodian" in spec.fields:
        req.custodian = target.__data__.get("custodian")
    req.current_approver, req.approver_role = _approver(req, target)
    if req.due_at is None:
        now = clock.now()
        if req.level == "sealed" or req.register in SAME_DAY_REGISTERS:
            req.due_at = calendar.rule_deadline("archive_loan_consumer", now)
        else:
            req.due_at = calendar.rule_deadline("borrow_default", now)


def check_request(req, actor, is_new):
    errors = {}
    spec = registry.get(req.register)
    if spec is None or not spec.archive:
        errors["register"] = gettext("只能借阅档案类登记簿的记录。")
        return errors
    target = req.target()
    if target is None or target.deleted_at is not None:
        errors["record"] = gettext("要借阅的档案不存在。")
        return errors
    if is_new and actor is not None and permissions.can(actor, "view", spec.model, target):
        # A reader still needs an approved loan to copy a sealed or 严禁复印
        # record (R-ARC-15): only that request makes sense.
        from admin_views.export import may_copy
        if req.purpose != "copy":
            errors["record"] = gettext("您已有权查阅该档案，无需借阅。")
        elif may_copy(actor, spec, target):
            errors["record"] = gettext("您已可以复印该档案，无需借阅。")
    if req.due_at is not None:
        limit = calendar.rule_deadline("borrow_max", req.requested_at or clock.now())
        if limit is not None and req.due_at > limit:
            errors["due_at"] = gettext("借阅期限最长为 %(days)s 天。", days=(limit - (req.requested_at or clock.now())).days)
        if req.due_at <= (req.requested_at or clock.now()):
            errors["due_at"] = gettext("应还时间必须晚于申请时间。")
    return errors


def _level_now(row):
    """The file's level now, and whether it is still the level the loan was
    asked for and approved at (a file re-levelled meanwhile needs a new
    decision: the level is re-checked at every step, R-ARC)."""
    target = row.target()
    level = (getattr(target, "confidentiality", None) if target is not None else None) or "internal"
    return target, level, level == (row.level or "internal")


def _approve_guard(actor, row, inputs):
    target, level, same = _level_now(row)
    if target is None or target.deleted_at is not None:
        return {"__all__": gettext("要借阅的档案已不存在。")}
    if not same:
        # approved at the level the file has now (the relation checked its approver)
        row.level = level
        row.current_approver, row.approver_role = _approver(row, target)
    return None


def _lend_guard(actor, row, inputs):
    target, level, same = _level_now(row)
    if target is None or target.deleted_at is not None:
        return {"__all__": gettext("要借阅的档案已不存在。")}
    if not same:
        from .. import services
        raise services.Conflict(gettext(
            "该档案批准后密级已变更为「%(level)s」，原批准不再有效，须撤销后重新申请。",
            level=_level_label(level)))
    return None


def _level_label(level):
    from ..record import CONFIDENTIALITY
    from ..i18n import tr
    return tr(dict(CONFIDENTIALITY).get(level, level))


def tell_approver(req):
    """The approver finds a new request in their inbox (and 「待我处理」)."""
    role, person = req.__data__.get("approver_role"), req.__data__.get("current_approver")
    users = notify.users_with_role(role) if role else notify.users_of([person])
    notify.send(users, gettext("借阅申请待您审批：%(title)s（%(no)s）", title=req.title or "",
                               no=req.record_no or ""),
                register="borrow_request", record_id=req.id, kind="task")


def _lend(actor, row, inputs):
    row.lent_by = actor.employee
    row.lent_at = clock.now()
    if row.due_at is not None and row.due_at <= row.lent_at:
        from .. import services
        raise services.Conflict(gettext("借阅已过应还时间，不能再借出。"))
    notify.send(notify.users_of([row.__data__.get("borrower")]),
                gettext("档案「%(title)s」已借出，请于 %(due)s 前归还。", title=row.title,
                        due=row.due_at.strftime("%Y-%m-%d %H:%M")),
                register="borrow_request", record_id=row.id, kind="borrow")


def _extension_asked(actor, row, inputs):
    due = inputs["due"]
    limit = calendar.rule_deadline("borrow_max", clock.now())
    if due <= max(row.due_at or clock.now(), clock.now()):
        raise _input_error("due", gettext("续借期限须晚于现应还时间。"))
    if limit is not None and due > limit:
        raise _input_error("due", gettext("续借期限自今日起最长为 %(days)s 天。",
                                          days=(limit - clock.now()).days))
    row.extension_due_at = due
    row.current_approver, row.approver_role = _approver(row, row.target())
    tell_approver(row)


def _extension_granted(actor, row, inputs):
    row.due_at = row.extension_due_at
    row.extension_due_at = None
    row.approved_by = actor.employee
    row.approved_at = clock.now()
    row.current_approver = None
    row.approver_role = None
    notify.send(notify.users_of([row.__data__.get("borrower")]),
                gettext("档案「%(title)s」续借已批准，请于 %(due)s 前归还。", title=row.title,
                        due=row.due_at.strftime("%Y-%m-%d %H:%M")),
                register="borrow_request", record_id=row.id, kind="borrow")


def _extension_refused(actor, row, inputs):
    row.extension_due_at = None
    row.current_approver = None
    row.approver_role = None


def _back_from_extension(row, inputs):
    return "lent" if row.due_at and row.due_at > clock.now() else "overdue"


def _lost(actor, row, inputs):
    row.return_condition = "lost"
    row.recreate_required = True
    row.returned_to = actor.employee
    notify.send(notify.users_of([row.__data__.get("custodian"), row.__data__.get("borrower")]),
                gettext("档案「%(title)s」已登记遗失，需重新建档。", title=row.title),
                register="borrow_request", record_id=row.id, kind="borrow")


def _lost_guard(actor, row, inputs):
    low, high = PENALTY_RANGE
    if row.penalty is None or not low <= row.penalty <= high:
        return {"penalty": gettext("档案遗失，须按规定记录处罚金额（%(low)s–%(high)s 元，002 篇三）。",
                                   low=low, high=high)}
    return None


def _input_error(field, message):
    from .. import services
    return services.InputError({field: message})


def _approved(actor, row, inputs):
    row.approved_by = actor.employee
    row.approved_at = clock.now()
    row.decision_comment = inputs.get("comment")
    row.current_approver = None
    row.approver_role = None
    notify.send(notify.users_of([row.__data__.get("borrower"), row.__data__.get("custodian")]),
                gettext("借阅申请「%(title)s」已批准。", title=row.title),
                register="borrow_request", record_id=row.id, kind="borrow")


def _rejected(actor, row, inputs):
    row.current_approver = None
    row.approver_role = None
    notify.send(notify.users_of([row.__data__.get("borrower")]),
                gettext("借阅申请「%(title)s」被驳回：%(reason)s", title=row.title,
                        reason=row.rejection_reason or ""),
                register="borrow_request", record_id=row.id, kind="borrow")


def _returned(actor, row, inputs):
    row.returned_at = clock.now()
    row.returned_to = actor.employee
    if row.return_condition in BAD_CONDITIONS:
        row.recreate_required = True
        notify.send(notify.users_of([row.__data__.get("custodian")]),
                    gettext("档案「%(title)s」归还时%(condition)s，需重新建档。", title=row.title,
                            condition=dict(RETURN_LABELS).get(row.return_condition, "")),
                    register="borrow_request", record_id=row.id, kind="borrow")


RETURN_LABELS = (("soiled", "污损"), ("damaged", "破损"), ("missing", "缺少"), ("lost", "遗失"))


def _return_guard(actor, row, inputs):
    if row.return_condition in BAD_CONDITIONS:
        low, high = PENALTY_RANGE
        if row.penalty is None:
            return {"penalty": gettext("档案%(c)s，须按规定记录处罚金额（%(low)s–%(high)s 元）。",
                                       c=dict(RETURN_LABELS)[row.return_condition], low=low, high=high)}
        if not low <= row.penalty <= high:
            return {"penalty": gettext("处罚金额应在 %(low)s–%(high)s 元之间（002 篇三）。",
                                       low=low, high=high)}
    elif row.penalty:
        return {"penalty": gettext("档案完好归还，不应有处罚金额。")}
    return None


APPROVERS = ("marketing_head", "general_manager", "after_sales")
KEEPERS = ("sales_clerk", "archivist")
LEVEL_APPROVER = rel.Relation("level_approver", lambda actor, row: _may_approve(actor, row),
                              lambda actor, Model: _approve_expr(actor, Model),
                              gettext("按该档案的密级，您不是此借阅申请的审批人。"))
KEEPER = rel.named_or_role("custodian", *KEEPERS)

FLOW = Workflow(
    [State("pending", "待审批"), State("approved", "已批准", locked=True),
     State("rejected", "已驳回", terminal=True), State("lent", "已借出", locked=True),
     State("extending", "续借待批", locked=True),
     State("returned", "已归还", terminal=True), State("cancelled", "已撤销", terminal=True),
     State("overdue", "已逾期", locked=True), State("lost", "已遗失", terminal=True)],
    [T("approve", "批准", "pending", "approved", roles=APPROVERS,
       relations=(LEVEL_APPROVER, rel.not_filler("borrower")), guard=_approve_guard,
       effects=(_approved,), bulk=True),
     T("reject", "驳回", "pending", "rejected", roles=APPROVERS,
       relations=(LEVEL_APPROVER, rel.not_filler("borrower")),
       inputs=(Input("reason", "驳回理由", "textarea", required=True, field="rejection_reason"),),
       effects=(_rejected,), style="danger"),
     T("lend", "借出", "approved", "lent", roles=STAFF, relations=(KEEPER,), guard=_lend_guard,
       effects=(_lend,)),
     T("return", "归还", ("lent", "overdue", "extending"), "returned", roles=STAFF,
       relations=(KEEPER,),
       inputs=(Input("condition", "归还状况", "choice", required=True,
                     choices=(("intact", "完好"),) + RETURN_LABELS[:3], field="return_condition"),
               Input("penalty", "处罚金额（元）", "decimal", field="penalty")),
       guard=_return_guard, effects=(_returned,)),
     T("extend", "申请续借", ("lent", "overdue"), "extending", roles=STAFF,
       relations=(rel.named("borrower", gettext("只有借阅人本人才能申请续借。")),),
       inputs=(Input("due", "续借至", "datetime", required=True),
               Input("reason", "续借理由", "textarea", required=True)),
       effects=(_extension_asked,)),
     T("approve_extension", "批准续借", "extending", "lent", roles=APPROVERS,
       relations=(LEVEL_APPROVER, rel.not_filler("borrower")), guard=_lend_guard,
       effects=(_extension_granted,)),
     T("reject_extension", "驳回续借", "extending", _back_from_extension, roles=APPROVERS,
       relations=(LEVEL_APPROVER, rel.not_filler("borrower")),
       inputs=(Input("reason", "驳回理由", "textarea", required=True),),
       effects=(_extension_refused,), style="danger"),
     T("lose", "登记遗失", ("lent", "overdue", "extending"), "lost", roles=STAFF,
       relations=(KEEPER,),
       inputs=(Input("penalty", "处罚金额（元）", "decimal", required=True, field="penalty"),),
       guard=_lost_guard, effects=(_lost,), style="danger"),
     T("cancel", "撤销", "pending", "cancelled", roles=STAFF,
       relations=(rel.named("borrower", gettext("只有借阅人本人才能撤销申请。")),), style="secondary")],
    initial="pending", signer_required_after_draft=False)


def _may_approve(actor, row):
    """The approver of the level the file has now: 营销部部长 for files of
    other departments (nobody else, 003 §4.1), 总经理 for sealed ones, the
    custodian for a 顾客档案表 lent for a revisit."""
    person, role = _approver(row, row.target())
    if role:
        return actor.has_role(role)
    person_id = getattr(person, "id", person)
    return bool(actor.employee_id) and person_id == actor.employee_id


def _approve_expr(actor, Model):
    roles = list(actor.role_keys) or [""]
    return Model.approver_role.in_(roles) | (
        Model.approver_role.is_null() & (Model.current_approver == (actor.employee_id or 0)))


def sweep_overdue(now=None):
    """Mark lent records past their due time as overdue and tell the borrower
    and the custodian. Idempotent: a loan is marked once, however many sweeps
    run, also at the same time (the UPDATE's state condition decides)."""
    from models import BorrowRequest
    now = now or clock.now()
    marked = 0
    due = list(BorrowRequest.select(BorrowRequest.id, BorrowRequest.state).where(
        BorrowRequest.state.in_(["lent", "extending"]), BorrowRequest.due_at <= now,
        BorrowRequest.deleted_at.is_null()))
    for item in due:
        with write_transaction():
            n = (BorrowRequest.update(state="overdue", extension_due_at=None,
                                      version=BorrowRequest.version + 1)
                 .where(BorrowRequest.id == item.id,
                        BorrowRequest.state.in_(["lent", "extending"])).execute())
            if n != 1:
                continue
            row = BorrowRequest.get_by_id(item.id)
            WorkflowEvent.create(register="borrow_request", record_id=row.id, transition="overdue",
                                 from_state=item.state, to_state="overdue", actor_name="system",
                                 comment=gettext("超过应还时间未归还"))
            audit.record(None, "overdue", "borrow_request", row,
                         changes={"state": ["lent", "overdue"]})
            notify.send(notify.users_of([row.__data__.get("borrower"), row.__data__.get("custodian")]),
                        gettext("借阅的档案「%(title)s」已逾期未归还。", title=row.title),
                        register="borrow_request", record_id=row.id, kind="overdue",
                        dedupe=f"borrow-overdue:{row.id}")
            marked += 1
    return marked

