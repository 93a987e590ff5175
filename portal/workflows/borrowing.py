"""Borrowing (借阅, WF-04) of confidential records on the workflow engine.

待审批 → 已批准 | 已驳回 → 已借出 → 已归还 (or 已逾期 when not back in time;
已撤销 by the requester while pending).

- Who approves depends on the level of the record asked for (R-ARC-02/05/06):
  internal or restricted files of other departments → the marketing head or a
  sales manager (003 §4.1); sealed → the general manager (002 篇三); a consumer
  file (顾客档案表) for a revisit → its custodian (顾服主管医生), for any other
  use → the general manager. Nobody approves their own request.
- The custodian (or the sales clerk / archivist who run the borrowing
  procedure, 000-四 46) lends the record and takes it back.
- Due: sealed records and consumer files the same day (002 篇三 二.9), other
  records `borrow_default` days; never more than `borrow_max` days.
- Loss or damage on return carries the penalty of 002 篇三 (50–500 元) and
  flags the record for re-creation.
"""
from decimal import Decimal

from permissions import rules
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
    """(employee, role) who approves this request."""
    level = req.level or "internal"
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
    req.record_no = target.record_no
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
    if is_new and actor is not None and (
            spec.model.select(spec.model.id)
            .where(rules.row_filter(actor, spec.model, "view"), spec.model.id == target.id).exists()):
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


APPROVERS = ("marketing_head", "sales_manager", "general_manager", "after_sales")
KEEPERS = ("sales_clerk", "archivist")

FLOW = Workflow(
    [State("pending", "待审批"), State("approved", "已批准"), State("rejected", "已驳回", terminal=True),
     State("lent", "已借出"), State("returned", "已归还", terminal=True),
     State("cancelled", "已撤销", terminal=True), State("overdue", "已逾期")],
    [T("approve", "批准", "pending", "approved", roles=APPROVERS,
       relations=(rel.Relation("level_approver", lambda actor, row: _may_approve(actor, row),
                               lambda actor, Model: _approve_expr(actor, Model),
                               gettext("按该档案的密级，您不是此借阅申请的审批人。")),
                  rel.not_filler("borrower")),
       effects=(_approved,), bulk=True),
     T("reject", "驳回", "pending", "rejected", roles=APPROVERS,
       relations=(rel.Relation("level_approver", lambda actor, row: _may_approve(actor, row),
                               lambda actor, Model: _approve_expr(actor, Model),
                               gettext("按该档案的密级，您不是此借阅申请的审批人。")),
                  rel.not_filler("borrower")),
       inputs=(Input("reason", "驳回理由", "textarea", required=True, field="rejection_reason"),),
       effects=(_rejected,), style="danger"),
     T("lend", "借出", "approved", "lent", roles=STAFF,
       relations=(rel.named_or_role("custodian", *KEEPERS),), effects=(_lend,)),
     T("return", "归还", ("lent", "overdue"), "returned", roles=STAFF,
       relations=(rel.named_or_role("custodian", *KEEPERS),),
       inputs=(Input("condition", "归还状况", "choice", required=True,
                     choices=(("intact", "完好"),) + RETURN_LABELS, field="return_condition"),
               Input("penalty", "处罚金额（元）", "decimal", field="penalty")),
       guard=_return_guard, effects=(_returned,)),
     T("cancel", "撤销", "pending", "cancelled", roles=STAFF,
       relations=(rel.named("borrower", gettext("只有借阅人本人才能撤销申请。")),), style="secondary")],
    initial="pending", signer_required_after_draft=False)


def _may_approve(actor, row):
    role = row.__data__.get("approver_role")
    if role:
        if role == "marketing_head":       # restricted: 营销部部长 or 销售经理
            return actor.has_role("marketing_head", "sales_manager", "general_manager")
        return actor.has_role(role)
    return bool(actor.employee_id) and row.__data__.get("current_approver") == actor.employee_id


def _approve_expr(actor, Model):
    roles = set(actor.role_keys)
    if roles.intersection({"sales_manager", "general_manager"}):
        roles.add("marketing_head")
    return Model.approver_role.in_(list(roles) or [""]) | (
        Model.approver_role.is_null() & (Model.current_approver == (actor.employee_id or 0)))


def sweep_overdue(now=None):
    """Mark lent records past their due time as overdue and tell the borrower
    and the custodian. Idempotent: a loan is marked once, however many sweeps
    run, also at the same time (the UPDATE's state condition decides)."""
    from models import BorrowRequest
    now = now or clock.now()
    marked = 0
    due = list(BorrowRequest.select(BorrowRequest.id).where(
        BorrowRequest.state == "lent", BorrowRequest.due_at <= now,
        BorrowRequest.deleted_at.is_null()))
    for item in due:
        with write_transaction():
            n = (BorrowRequest.update(state="overdue", version=BorrowRequest.version + 1)
                 .where(BorrowRequest.id == item.id, BorrowRequest.state == "lent").execute())
            if n != 1:
                continue
            row = BorrowRequest.get_by_id(item.id)
            WorkflowEvent.create(register="borrow_request", record_id=row.id, transition="overdue",
                                 from_state="lent", to_state="overdue", actor_name="system",
                                 comment=gettext("超过应还时间未归还"))
            audit.record(None, "overdue", "borrow_request", row,
                         changes={"state": ["lent", "overdue"]})
            notify.send(notify.users_of([row.__data__.get("borrower"), row.__data__.get("custodian")]),
                        gettext("借阅的档案「%(title)s」已逾期未归还。", title=row.title),
                        register="borrow_request", record_id=row.id, kind="overdue",
                        dedupe=f"borrow-overdue:{row.id}")
            marked += 1
    return marked

