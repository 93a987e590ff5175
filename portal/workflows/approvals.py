"""Approval chains (DOMAIN.md R-APR, WF-10): 草稿 → 待审批 → 已批准 / 已驳回
→ 已执行 → 已评估.

A chain is a list of steps. Each step names its approver: "superior" (the
filler's superior or a head of the filler's department, 「上级主管」), or a
role (anyone holding it, e.g. the general manager), and may apply only when
a condition on the record holds (configurable amounts decide the tier,
核决权限). Nobody approves their own submission.
"""
from permissions.roles import STAFF

from ..i18n import gettext
from . import effects as fx
from . import relations as rel
from .engine import Input, State, T, Workflow

APPROVAL_STATES = (
    ("draft", "草稿"), ("pending", "待审批"), ("approved", "已批准"), ("rejected", "已驳回"),
    ("executed", "已执行"), ("evaluated", "已评估"), ("cancelled", "已撤销"),
)


class Step:
    """One approval step: "superior", a role, or several roles any of which
    signs (e.g. ("deputy_gm", "general_manager") for 总(副)经理)."""

    def __init__(self, label, approver="superior", when=None):
        self.label = label
        self.roles = tuple(approver) if isinstance(approver, (tuple, list)) else (approver,)
        self.approver = self.roles[0]
        self.when = when

    def applies(self, row):
        return self.when is None or bool(self.when(row))


def resolve_superior(row, field="filled_by"):
    """The filler's direct superior, else the head of their department or of
    the nearest department above it that has a head other than the filler."""
    from models import Department, Employee
    person = Employee.get_or_none(Employee.id == row.__data__.get(field))
    if person is None:
        return None
    if person.superior_id:
        return person.superior
    dept = Department.get_or_none(Department.id == person.dept_id)
    while dept is not None:
        if dept.head_id and dept.head_id != person.id:
            return Employee.get_by_id(dept.head_id)
        dept = Department.get_or_none(Department.id == dept.parent_id) if dept.parent_id else None
    return None


def _enter_step(row, steps, start):
    """Move the chain to the first applicable step from `start`; returns
    False when no step remains (the request is approved)."""
    previous = (row.__data__.get("current_approver"), row.__data__.get("approver_role"))
    for index in range(start, len(steps)):
        step = steps[index]
        if not step.applies(row):
            continue
        row.approval_step = index
        if step.approver == "superior":
            row.current_approver = resolve_superior(row)
            row.approver_role = None
            if row.current_approver is None:
                row.approver_role = "general_manager"   # nobody above: the top decides
        else:
            row.current_approver = None
            row.approver_role = step.approver
        if start > 0 and (row.__data__.get("current_approver"), row.__data__.get("approver_role")) == previous:
            continue      # the same approver again: one signature is enough
        return True
    row.current_approver = None
    row.approver_role = None
    return False


def approval_flow(steps, creators, executors=None, evaluate=False, approve_roles=STAFF,
                  execute_label="执行", extra_transitions=()):
    """The approval workflow of one register."""
    steps = list(steps)

    def submit(actor, row, inputs):
        row.rejection_reason = None
        row.state = "pending" if _enter_step(row, steps, 0) else "approved"

    def approve(actor, row, inputs):
        fx.sign(actor, row, inputs)
        row.approved_by = actor.employee
        from ..clock import now
        row.approved_at = now()
        if not _enter_step(row, steps, (row.approval_step or 0) + 1):
            row.state = "approved"

    def amend(actor, row, inputs):
        """Back to draft for a change (变更): the earlier approval no longer
        stands (it stays in the trail with the content it approved)."""
        row.approved_by = None
        row.approved_at = None
        row.approval_step = None
        row.current_approver = None
        row.approver_role = None

    # "pending" awaits the approver's signature: the signer rule applies from approval on.
    # Under approval and once approved the content is frozen (portal/policy.py).
    states = [State("draft", "草稿", draft=True), State("pending", "待审批", draft=True, locked=True),
              State("approved", "已批准", locked=True), State("rejected", "已驳回", draft=True),
              State("executed", "已执行", terminal=not evaluate, locked=True),
              State("cancelled", "已撤销", terminal=True, draft=True)]
    if evaluate:
        states.append(State("evaluated", "已评估", terminal=True))
    transitions = [
        T("submit", "提交审批", ("draft", "rejected"), None, roles=creators,
          relations=(rel.named("filled_by", gettext("只有填表人才能提交。")),), effects=(submit,)),
        T("approve", "批准", "pending", None, roles=approve_roles,
          relations=(rel.current_approver(steps), rel.not_filler()), effects=(approve,), bulk=True),
        T("reject", "驳回", "pending", "rejected", roles=approve_roles,
          relations=(rel.current_approver(steps), rel.not_filler()),
          inputs=(Input("reason", "驳回理由", "textarea", required=True, field="rejection_reason"),),
          style="danger"),
        T("cancel", "撤销", ("draft", "pending", "rejected"), "cancelled", roles=creators,
          relations=(rel.named("filled_by", gettext("只有填表人才能撤销。")),), style="secondary"),
        T("withdraw", "撤回修改", "pending", "draft", roles=creators,
          relations=(rel.named("filled_by", gettext("只有填表人才能撤回。")),), effects=(amend,),
          style="secondary"),
        T("amend", "申请变更", "approved", "draft", roles=creators,
          relations=(rel.named("filled_by", gettext("只有填表人才能申请变更。")),),
          inputs=(Input("reason", "变更理由", "textarea", required=True),), effects=(amend,),
          style="secondary"),
        T("execute", execute_label, "approved", "executed", roles=executors or creators),
    ]
    if evaluate:
        transitions.append(T("evaluate", "结果评估", "executed", "evaluated", roles=executors or creators,
                             inputs=(Input("result", "结果评估", "textarea", required=True,
                                           field="result_evaluation"),)))
    transitions += list(extra_transitions)
    flow = Workflow(states, transitions, initial="draft")
    flow.steps = steps
    return flow
