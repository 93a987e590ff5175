"""Complaint cases (WF-01, R-CMP) on the workflow engine: deadlines,
escalation, authority (核决权限), closing and reopening.

Deadline on receipt, from the rule that applies (R-CFG, `deadline_rule`):
  consultation 24 h · suggestion: the promised reply date (default 7 days) ·
  a complaint with an information level AA/A/B: 24/48/72 h (003) ·
  a quality complaint (客诉): 15 days domestic / 20 foreign (002 篇五) ·
  a special case: 7 working days, otherwise 3 working days (002 篇一).
Working days skip weekends and the Holiday register.

Escalation (000-二 §三.5 「如協調不通,應及時上報」; 004 "until a definite
answer"): handler → head of the handling department → the quality department
head (quality complaints) or the sales manager → the general manager. The
sweep escalates an overdue open case once per breach (`escalated_for_due`),
giving the new level a fresh deadline (SLA rule `escalation_step`).

Acceptance (R-CMP-13): the receiver's superior decides, never the one who
registered the case. A complaint is answered only after its investigation,
review and ruling (R-CMP-17/18/31); a consultation at once, a suggestion
after the leader's instruction.

Close (R-CMP-17, -20, -30): only once answered, by the handler's department
head or above; needs the investigation report (cause, course, responsible
party, conclusion, countermeasure, prevention), the reply and whether the
customer accepts the result (yes or no, never assumed); an amount above the
closer's authority needs a ruling (`decide`) by a high enough tier first.
Reopen (R-CMP-34): a new case linked to the closed one, once; asked again,
the answer names the case already opened.
"""
from decimal import Decimal

import permissions
from permissions.roles import LEADERS, MANAGERS, SALES

from .. import audit, calendar, clock, notify, services, settings
from ..db import write_transaction
from ..i18n import gettext, tr
from . import effects as fx
from . import relations as rel
from .engine import Input, Relation, State, T, Workflow, WorkflowEvent

OPEN_STATES = ("registered", "awaiting_decision", "accepted", "assigned", "investigating",
               "under_review", "awaiting_ruling", "ruled", "reported", "instructed", "replied")
REPORT_FIELDS = (("cause", "发生原因"), ("course", "具体经过"), ("responsible_party", "责任者"),
                 ("conclusion", "结论"), ("countermeasure", "对策"), ("prevention", "防范措施"))
TIERS = ("sales_manager", "deputy_gm", "general_manager")          # E-39, low to high
TIER_ROLES = {"sales_manager": ("sales_manager", "marketing_head"),
              "deputy_gm": ("deputy_gm",), "general_manager": ("general_manager",)}
DECIDERS = ("sales_manager", "marketing_head", "deputy_gm", "general_manager")
INTAKE = SALES + ("after_sales", "quality_dept", "admin_dept")
SUPERVISORS = ("sales_manager", "marketing_head", "quality_dept", "sales_supervisor",
               "regional_manager", "after_sales", "admin_dept") + LEADERS


# Deadlines ------------------------------------------------------------------

def deadline_rule(case):
    """The SLA rule key that applies to the case (see the module docstring)."""
    if case.type == "consultation":
        return "consult_reply"
    if case.type == "suggestion":
        return "suggestion_reply"
    if case.feedback_level:
        return f"feedback_{case.feedback_level}"
    if case.cause_class == "quality":
        return "kesu_close_foreign" if case.market == "foreign" else "kesu_close_domestic"
    return "complaint_close_special" if case.is_special_case else "complaint_close"


def compute_due(case):
    if case.type == "suggestion" and case.promised_reply_at:
        return case.promised_reply_at
    return calendar.rule_deadline(deadline_rule(case), case.received_at or clock.now())


def authority_limit(tier):
    """The highest amount a tier decides (None: no limit). 002 篇五 第十一条's
    thresholds are missing from the source: settings."""
    if tier == "general_manager":
        return None
    return settings.get(f"authority_{tier}")


def tier_of(actor):
    for tier in reversed(TIERS):
        if actor.has_role(*TIER_ROLES[tier]):
            return tier
    return None


def tier_needed(amount):
    amount = amount or Decimal(0)
    for tier in TIERS:
        limit = authority_limit(tier)
        if limit is None or amount <= limit:
            return tier
    return "general_manager"


def tier_covers(tier, needed):
    return tier is not None and TIERS.index(tier) >= TIERS.index(needed)


# Record hooks (called from models.Complaint) ---------------------------------

def derive(case, actor):
    if case.state in OPEN_STATES and not case.closed_at:
        due = compute_due(case)
        if due is not None and case.escalation_level == 0:
            case.due_at = due


def check(case, actor, is_new):
    errors = {}
    # 000-二 §三.4: 「屬于有償服務的需營銷主管人員確認」
    if case.service_charge == "paid":
        confirmer = case.__data__.get("charge_confirmed_by")
        if not confirmer:
            errors["charge_confirmed_by"] = gettext("有偿服务须经营销主管人员确认（000-二 §三.4）。")
        elif not _is_sales_supervisor(confirmer):
            errors["charge_confirmed_by"] = gettext("确认人必须是营销（销售）主管人员。")
    if case.type == "suggestion" and case.promised_reply_at and case.received_at \
            and case.promised_reply_at <= case.received_at:
        errors["promised_reply_at"] = gettext("承诺答复期限必须晚于受理时间。")
    return errors


def _is_sales_supervisor(employee_id):
    from models import Employee
    from ..accounts import Role, UserRole
    emp = Employee.get_or_none(Employee.id == employee_id)
    if emp is None or not emp.user_id:
        return False
    return (UserRole.select().join(Role)
            .where(UserRole.user == emp.user_id,
                   Role.key.in_(["sales_supervisor", "sales_manager", "marketing_head"])).exists())


def after_save(case, actor, is_new):
    """A repeated complaint of the same customer on the same matter proposes
    an individual case (个案, 000-二 §三.10)."""
    if not is_new or case.escalation != "normal":
        return
    from models import Complaint
    matter = (case.matter or case.title or "").strip()
    threshold = settings.get("individual_case_threshold") or 3
    count = (Complaint.select().where(Complaint.customer == case.__data__["customer"],
                                      (Complaint.matter == matter) | (Complaint.title == matter),
                                      Complaint.type == "complaint",
                                      Complaint.deleted_at.is_null()).count())
    if case.type == "complaint" and count >= threshold:
        Complaint.update(individual_case_proposed=True).where(Complaint.id == case.id).execute()
        case.individual_case_proposed = True
        notify.send(notify.users_with_role("sales_manager") + notify.users_with_role("quality_dept"),
                    gettext("客户第%(n)s次就同一事项投诉，建议列为个案：%(title)s", n=count, title=case.title),
                    register="complaint", record_id=case.id, kind="task")


# Relations --------------------------------------------------------------------

def _head_of_handler_check(actor, case):
    """The handler's department head or above (R-CMP: close)."""
    if actor.has_role("general_manager", "deputy_gm"):
        return True
    from models import Employee
    from .relations import _headed_departments
    handler = Employee.get_or_none(Employee.id == case.__data__.get("handler"))
    dept = case.__data__.get("receiving_unit") or (handler.dept_id if handler else None)
    return dept is not None and dept in _headed_departments(actor)


def _head_of_handler_expr(actor, Model):
    from .relations import _headed_departments
    if actor.has_role("general_manager", "deputy_gm"):
        from permissions import rules
        return rules.TRUE
    depts = list(_headed_departments(actor)) or [0]
    return Model.receiving_unit.in_(depts)


HEAD_OF_HANDLER = Relation("head_of_handler", _head_of_handler_check, _head_of_handler_expr,
                           gettext("只有承办部门负责人或更高层级才能结案。"))


def _handler_check(actor, case):
    return (bool(actor.employee_id) and case.__data__.get("handler") == actor.employee_id) \
        or _head_of_handler_check(actor, case)


def _handler_expr(actor, Model):
    return (Model.handler == (actor.employee_id or 0)) | _head_of_handler_expr(actor, Model)


HANDLER = Relation("handler", _handler_check, _handler_expr,
                   gettext("只有承办人或其部门负责人才能执行此操作。"))


TOP = ("general_manager", "deputy_gm")      # above every 上级主管


def _acceptor_check(actor, case):
    return (actor.has_role(*TOP) or rel.superior_of("received_by").check(actor, case)) and \
        rel.not_filler("received_by").check(actor, case)


def _acceptor_expr(actor, Model):
    from permissions import rules
    above = rules.TRUE if actor.has_role(*TOP) else rel.superior_of("received_by").expr(actor, Model)
    return above & rel.not_filler("received_by").expr(actor, Model)


# R-CMP-13 (001-投诉 第七条 「呈报上级主管裁定是否能够受理」): the receiver's
# superior decides, never the one who registered the complaint
ACCEPTOR = Relation("acceptor", _acceptor_check, _acceptor_expr,
                    gettext("是否受理由受理人的上级主管裁定，登记人本人不能裁定。"))


# Effects and guards -----------------------------------------------------------------

def _accept_guard(actor, case, inputs):
    if case.type != "complaint":
        return {"__all__": gettext("咨询和建议无需受理裁定，请直接答复或上报。")}
    # DOMAIN F-36: the cause class is required for a complaint; it is decided
    # at acceptance at the latest (it also selects the deadline rule)
    if not case.cause_class and "cause_class" not in (case.na_fields or []):
        return {"cause_class": gettext("受理投诉须确定客诉原因类别（质量异常/非质量异常）。")}
    return None


def _accepted(actor, case, inputs):
    case.accepted = "accepted"
    fx.sign(actor, case, inputs)
    case.due_at = compute_due(case)


def _not_accepted(actor, case, inputs):
    case.accepted = "not_accepted"
    fx.sign(actor, case, inputs)


def _assigned(actor, case, inputs):
    case.receiving_unit = inputs["department"]
    case.handler = inputs["handler"]
    quality = settings.get("quality_dept_abbr") or "PZ"
    if inputs["department"].abbr == quality:
        # 004 §5.3: 品质部 replies to 业务部 in writing within one working day
        case.quality_reply_due = calendar.rule_deadline("quality_written_reply", clock.now())
    notify.send(notify.users_of([inputs["handler"].id]),
                gettext("投诉案件 %(no)s 已分派给您：%(title)s", no=case.record_no, title=case.title),
                register="complaint", record_id=case.id, kind="task")


def _report_guard(actor, case, inputs):
    missing = [label for name, label in REPORT_FIELDS if not getattr(case, name)]
    if missing:
        return {"__all__": gettext("调查报告尚缺：%(items)s", items="、".join(tr(m) for m in missing))}
    return None


def _decide_guard(actor, case, inputs):
    needed = tier_needed(case.loss_amount)
    mine = tier_of(actor)
    if not tier_covers(mine, needed):
        raise permissions.Forbidden(gettext(
            "金额 %(amount)s 元超出您的核决权限，须由「%(tier)s」核决。",
            amount=case.loss_amount or 0, tier=tr(dict(_tier_labels())[needed])))
    return None


def _decided(actor, case, inputs):
    case.decided_by = actor.employee
    case.decided_at = clock.now()
    case.decision_tier = tier_of(actor)
    fx.sign(actor, case, inputs)


def _tier_labels():
    from models import DECISION_TIERS
    return DECISION_TIERS


# Where each kind of case stands when it is answered (WF-01): a consultation
# at once; a suggestion after the leader's instruction (R-CMP-28); a
# complaint only after investigation, review and ruling (R-CMP-17/18/31).
REPLY_FROM = {"consultation": ("registered",), "suggestion": ("instructed",), "complaint": ("ruled",)}


def _reply_guard(actor, case, inputs):
    expected = REPLY_FROM.get(case.type, ())
    if case.state not in expected:
        return {"__all__": gettext(
            "「%(type)s」须在「%(state)s」后才能答复客户（调查、审核、核决流程不能跳过）。",
            type=tr(dict(_type_labels()).get(case.type, case.type)),
            state="、".join(COMPLAINT_FLOW.state_label(s) for s in expected))}
    if case.type == "complaint" and not case.handling_opinion:
        return {"handling_opinion": gettext("答复前须填写受理单位处理意见（001-投诉 第十五条）。")}
    return None


def _type_labels():
    from models import COMPLAINT_TYPES
    return COMPLAINT_TYPES


def _replied(actor, case, inputs):
    case.replied_at = clock.now()
    if not case.reply_method:
        case.reply_method = "written"


def close_problems(case, actor):
    """What a case still lacks before it can be closed (list of messages)."""
    problems = []
    if case.type == "complaint":
        missing = [tr(label) for name, label in REPORT_FIELDS if not getattr(case, name)]
        if missing:
            problems.append(gettext("调查报告：%(items)s", items="、".join(missing)))
        needed = tier_needed(case.loss_amount)
        if needed != "sales_manager" or case.loss_amount:
            if not (case.decision_tier and tier_covers(case.decision_tier, needed)):
                if not tier_covers(tier_of(actor), needed):
                    problems.append(gettext("金额 %(amount)s 元须先经「%(tier)s」核决",
                                            amount=case.loss_amount or 0,
                                            tier=tr(dict(_tier_labels())[needed])))
    if not case.reply_content:
        problems.append(gettext("答复内容"))
    # R-CMP-30: the result is fed back and the customer's opinion asked;
    # whether they accept it is answered (yes or no), never assumed
    if case.customer_accepts is None:
        problems.append(gettext("客户是否接受处理结果"))
    return problems


def _close_guard(actor, case, inputs):
    problems = close_problems(case, actor)
    if problems:
        return {"__all__": gettext("尚不能结案，缺少：%(items)s", items="；".join(problems))}
    return None


def _closed(actor, case, inputs):
    case.closed_at = clock.now()
    if case.replied_at is None:
        case.replied_at = case.closed_at
    if case.due_at and case.closed_at > case.due_at:
        case.overdue = True
    fx.sign(actor, case, inputs)


def _reopen(actor, case, inputs):
    """R-CMP-34: the customer does not accept the result → a new case with the
    original attached (the new record is what the transition returns)."""
    from models import Complaint
    again = Complaint.select(Complaint.record_no).where(
        Complaint.reopened_from == case.id, Complaint.deleted_at.is_null()).first()
    if again is not None:
        raise services.Conflict(gettext("此案件已重开为 %(no)s，请在该案件中继续处理。",
                                        no=again.record_no))
    values = {name: getattr(case, name) for name in (
        "customer", "channel", "type", "subject_kind", "cause_class", "scope_items",
        "customer_request", "order_no", "part_no", "quantity", "market", "feedback_level",
        "matter", "receiving_unit", "handler")}
    values.update(title=gettext("（重开）%(title)s", title=case.title)[:200],
                  content=gettext("客户不接受原处理结果：%(reason)s\n\n原投诉：%(content)s",
                                  reason=inputs["reason"], content=case.content),
                  received_by=actor.employee, is_important=True)
    new = services.create(actor, Complaint, values, check_permission=False,
                          comment=gettext("由 %(no)s 重开", no=case.record_no))
    Complaint.update(reopened_from=case.id).where(Complaint.id == new.id).execute()
    new.reopened_from = case.id
    case.customer_accepts = False
    return new


def _escalation_target(case, level):
    """(employee, role label) responsible at escalation `level`."""
    from models import Department, Employee
    if level == 1:
        dept_id = case.__data__.get("receiving_unit")
        if dept_id is None and case.__data__.get("handler"):
            dept_id = Employee.get_by_id(case.__data__["handler"]).dept_id
        dept = Department.get_or_none(Department.id == dept_id) if dept_id else None
        if dept is not None and dept.head_id and dept.head_id != case.__data__.get("handler"):
            return Employee.get_by_id(dept.head_id), "部门负责人"
        level = 2
    if level == 2:
        role = "quality_dept" if case.cause_class == "quality" else "sales_manager"
        person = _first_with_role(role)
        if person is not None:
            return person, "品质部" if role == "quality_dept" else "销售经理"
        level = 3
    return _first_with_role("general_manager"), "总经理"


def _first_with_role(role):
    from models import Employee
    from ..accounts import Role, User, UserRole
    row = (Employee.select().join(User, on=(Employee.user == User.id))
           .join(UserRole, on=(UserRole.user == User.id)).join(Role)
           .where(Role.key == role, User.active == True, Employee.status == "active")  # noqa: E712
           .order_by(Employee.id).first())
    return row


def escalate_case(case, reason, now=None):
    """Raise the case one level: reassign, fresh deadline, notify. Returns the
    changes made (the caller records them)."""
    now = now or clock.now()
    level = min((case.escalation_level or 0) + 1, 3)
    person, label = _escalation_target(case, level)
    changes = {"escalation_level": [case.escalation_level, level]}
    case.escalation_level = level
    if person is not None:
        changes["handler"] = [case.__data__.get("handler"), person.id]
        case.handler = person
        notify.send(notify.users_of([person.id]),
                    gettext("投诉案件 %(no)s 已升级至您（%(who)s）处理：%(reason)s", no=case.record_no,
                            who=tr(label), reason=reason),
                    register="complaint", record_id=case.id, kind="escalation",
                    dedupe=f"complaint-escalation:{case.id}:{level}:{case.due_at}")
    new_due = calendar.rule_deadline("escalation_step", now)
    changes["due_at"] = [audit.plain(case.due_at), audit.plain(new_due)]
    case.escalated_for_due = case.due_at
    case.due_at = new_due
    return changes


def _escalate(actor, case, inputs):
    escalate_case(case, inputs["reason"])


def _special(actor, case, inputs):
    case.escalation = "special"
    case.is_important = True


def _individual(actor, case, inputs):
    case.escalation = "individual"
    case.individual_case_proposed = False


def _spot_checked(actor, case, inputs):
    case.verified_by = actor.employee
    case.verified_at = clock.now()


def _reported(actor, case, inputs):
    if case.promised_reply_at:
        case.due_at = case.promised_reply_at


def _close_inputs():
    return tuple(Input(name, label, "textarea", field=name) for name, label in REPORT_FIELDS) + (
        Input("reply", "答复内容", "textarea", field="reply_content"),
        Input("customer_response", "客户对处理结果的意见", "textarea", field="complainant_opinion"),
        Input("customer_accepts", "客户接受处理结果", "boolean", field="customer_accepts"))


COMPLAINT_FLOW = Workflow(
    [State("registered", "已登记", draft=True), State("awaiting_decision", "待裁定", draft=True),
     State("not_accepted", "不受理", terminal=True), State("accepted", "已受理"),
     State("assigned", "已分派"), State("investigating", "调查中"), State("under_review", "待审核"),
     State("awaiting_ruling", "待核决"), State("ruled", "已核决"),
     State("reported", "已上报领导", draft=True), State("instructed", "已批示"),
     State("replied", "已答复"), State("closed", "已结案", overdue_check=False, locked=True),
     State("archived", "已归档", terminal=True)],
    [
        T("submit", "呈报裁定", "registered", "awaiting_decision", roles=INTAKE),
        T("accept", "受理", ("registered", "awaiting_decision"), "accepted", roles=SUPERVISORS,
          relations=(ACCEPTOR,),
          inputs=(Input("cause_class", "客诉原因类别", "choice", field="cause_class",
                        choices=(("quality", "质量异常(品质异常)"), ("non_quality", "非质量异常(人为因素)"))),),
          guard=_accept_guard, effects=(_accepted,)),
        T("reject", "不受理", ("registered", "awaiting_decision"), "not_accepted", roles=SUPERVISORS,
          relations=(ACCEPTOR,), inputs=(Input("reason", "不受理理由", "textarea", required=True, field="rejection_reason"),),
          effects=(_not_accepted,), style="danger"),
        T("assign", "分派", ("accepted", "assigned", "investigating"), "assigned",
          roles=("quality_dept", "sales_manager", "marketing_head", "admin_dept") + LEADERS,
          inputs=(Input("department", "受理单位", "department", required=True),
                  Input("handler", "承办人", "employee", required=True)),
          effects=(_assigned,)),
        T("investigate", "开始调查", "assigned", "investigating", roles=INTAKE + MANAGERS,
          relations=(HANDLER,)),
        T("submit_investigation", "提交调查报告", "investigating", "under_review", roles=INTAKE + MANAGERS,
          relations=(HANDLER,), inputs=tuple(Input(n, l, "textarea", field=n) for n, l in REPORT_FIELDS),
          guard=_report_guard),
        T("review", "审核", "under_review", "awaiting_ruling", roles=("quality_dept",) + MANAGERS,
          inputs=(Input("opinion", "审核意见", "textarea", field="quality_opinion"),),
          effects=(fx.stamp(),)),
        T("decide", "核决", "awaiting_ruling", "ruled", roles=DECIDERS,
          inputs=(Input("resolution", "处理方式", "choice", required=True,
                        choices=(("allowance", "折让、赔款"), ("return_rework", "退货、重处理"),
                                 ("explanation", "解释说明"), ("other", "其他")),
                        field="resolution_mode"),
                  Input("amount", "金额（元）", "decimal", field="loss_amount")),
          guard=_decide_guard, effects=(_decided,)),
        T("report_to_leader", "上报领导", "registered", "reported", roles=INTAKE,
          guard=lambda a, c, i: None if c.type == "suggestion" else {
              "__all__": gettext("只有建议需上报领导批示。")},
          inputs=(Input("promised", "承诺答复期限", "datetime", required=True, field="promised_reply_at"),),
          effects=(_reported,)),
        T("instruct", "领导批示", "reported", "instructed", roles=MANAGERS,
          inputs=(Input("instruction", "批示意见", "textarea", required=True,
                        field="manager_office_opinion"),), effects=(fx.sign,)),
        T("reply", "答复客户", ("registered", "ruled", "instructed"), "replied", roles=INTAKE + MANAGERS,
          inputs=(Input("reply", "答复内容", "textarea", required=True, field="reply_content"),
                  Input("method", "答复方式", "choice", choices=(("written", "书面"), ("oral", "口头"),
                                                           ("letter", "书信"), ("phone", "电话")),
                        field="reply_method"),
                  Input("handling_opinion", "受理单位处理意见", "textarea", field="handling_opinion")),
          guard=_reply_guard, effects=(_replied, fx.sign)),
        T("close", "结案", "replied", "closed",
          roles=("sales_manager", "marketing_head", "quality_dept", "after_sales", "admin_dept")
          + LEADERS, relations=(HEAD_OF_HANDLER,), inputs=_close_inputs(),
          guard=_close_guard, effects=(_closed,)),
        T("archive", "归档", "closed", "archived", roles=INTAKE + MANAGERS, bulk=True),
        T("reopen", "重开", ("closed", "archived"), None, roles=INTAKE + MANAGERS,
          inputs=(Input("reason", "客户不接受的理由", "textarea", required=True),),
          effects=(_reopen,)),
        T("escalate", "升级上报", OPEN_STATES, None, roles=INTAKE + MANAGERS,
          inputs=(Input("reason", "升级理由", "textarea", required=True),), effects=(_escalate,)),
        T("mark_special", "列为专案", OPEN_STATES, None, roles=MANAGERS + ("quality_dept",),
          inputs=(Input("reason", "理由（重大问题、危机、媒体曝光、法律诉讼、影响公信力）", "textarea",
                        required=True),), effects=(_special,)),
        T("mark_individual", "列为个案", OPEN_STATES, None, roles=MANAGERS + ("quality_dept",),
          inputs=(Input("reason", "理由（多次投诉处理后仍不服）", "textarea", required=True),),
          effects=(_individual,)),
        T("mark_important", "标为重要资料", "*", None, roles=MANAGERS + ("quality_dept",),
          effects=(fx.set_fields(is_important=True),)),
        T("spot_check", "抽查验证", ("closed", "archived"), None, roles=MANAGERS + ("quality_dept",),
          inputs=(Input("result", "抽查验证结果", "textarea", required=True,
                        field="verification_result"),), effects=(_spot_checked,)),
    ],
    initial="registered", due_field="due_at", handler_field="handler")


def sweep_overdue_cases(now=None):
    """Escalate open cases past their deadline, once per breach; safe when two
    sweeps run at once (the UPDATE is conditioned on the breached deadline)."""
    from models import Complaint
    now = now or clock.now()
    done = 0
    candidates = list(Complaint.select(Complaint.id).where(
        Complaint.state.in_(list(OPEN_STATES)), Complaint.due_at < now,
        Complaint.deleted_at.is_null(),
        Complaint.escalated_for_due.is_null() | (Complaint.escalated_for_due != Complaint.due_at)))
    for item in candidates:
        with write_transaction():
            case = Complaint.get_by_id(item.id)
            if case.due_at is None or case.due_at >= now or case.escalated_for_due == case.due_at:
                continue
            breached = case.due_at
            before_version = case.version
            changes = escalate_case(case, gettext("逾期未处理，系统自动升级"), now)
            n = (Complaint.update(escalation_level=case.escalation_level, handler=case.handler,
                                  due_at=case.due_at, escalated_for_due=breached, overdue=True,
                                  version=Complaint.version + 1)
                 .where(Complaint.id == case.id, Complaint.due_at == breached,
                        Complaint.version == before_version).execute())
            if n != 1:
                continue
            WorkflowEvent.create(register="complaint", record_id=case.id, transition="escalate",
                                 from_state=case.state, to_state=case.state, actor_name="system",
                                 comment=gettext("逾期自动升级（期限 %(due)s）",
                                                 due=breached.strftime("%Y-%m-%d %H:%M")))
            changes["overdue"] = [False, True]
            audit.record(None, "escalate", "complaint", case, changes=changes,
                         comment=gettext("逾期自动升级"))
            registered_by = case.__data__.get("received_by")
            notify.send(notify.users_of([registered_by]),
                        gettext("投诉案件 %(no)s 已逾期（逾期反应）", no=case.record_no),
                        register="complaint", record_id=case.id, kind="overdue",
                        dedupe=f"complaint-overdue:{case.id}:{breached.isoformat()}")
            done += 1
    return done
