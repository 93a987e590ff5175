"""Who may take a transition, relative to the record. Each relation has a
check for one row and the same rule as a Peewee expression (for the
"waiting for me" queue)."""
from peewee import SQL

from permissions import rules

from ..i18n import gettext
from .engine import Relation


def _emp(actor):
    return actor.employee_id


def _headed_departments(actor):
    """Departments the actor heads, with those below them."""
    from models import Department
    emp = _emp(actor)
    if not emp:
        return set()
    rows = list(Department.select(Department.id, Department.parent, Department.head))
    children = {}
    for d in rows:
        children.setdefault(d.parent_id, []).append(d.id)
    out, stack = set(), [d.id for d in rows if d.head_id == emp]
    while stack:
        d = stack.pop()
        if d not in out:
            out.add(d)
            stack.extend(children.get(d, ()))
    return out


def not_filler(field="filled_by"):
    """Nobody approves their own submission."""
    def check(actor, row):
        return row.__data__.get(field) != _emp(actor) and row.__data__.get("created_by") != actor.id

    def expr(actor, Model):
        return (getattr(Model, field) != (_emp(actor) or 0)) & \
            ((Model.created_by.is_null()) | (Model.created_by != actor.id))
    return Relation("not_filler", check, expr, gettext("不能审批自己提交的单据。"))


def superior_of(field="filled_by"):
    """The person's direct superior, or a head of their department (or of a
    department above it): 「上级主管」."""
    def check(actor, row):
        from models import Employee
        person = Employee.get_or_none(Employee.id == row.__data__.get(field))
        if person is None or not _emp(actor):
            return False
        return person.superior_id == _emp(actor) or person.dept_id in _headed_departments(actor)

    def expr(actor, Model):
        from models import Employee
        emp = _emp(actor) or 0
        depts = list(_headed_departments(actor)) or [0]
        subordinates = Employee.select(Employee.id).where(
            (Employee.superior == emp) | Employee.dept.in_(depts))
        return getattr(Model, field).in_(subordinates)
    return Relation("superior", check, expr, gettext("只有填表人的上级主管才能执行此操作。"))


def named(field, message=None):
    """The employee named in `field` (custodian, handler, current approver...)."""
    def check(actor, row):
        return bool(_emp(actor)) and row.__data__.get(field) == _emp(actor)

    def expr(actor, Model):
        return getattr(Model, field) == (_emp(actor) or 0)
    return Relation(f"named:{field}", check, expr,
                    message or gettext("只有此记录指定的人员才能执行此操作。"))


def named_or_role(field, *roles):
    """The employee named in `field`, or anyone holding one of `roles`."""
    def check(actor, row):
        return actor.has_role(*roles) or (bool(_emp(actor)) and row.__data__.get(field) == _emp(actor))

    def expr(actor, Model):
        if actor.has_role(*roles):
            return rules.TRUE
        return getattr(Model, field) == (_emp(actor) or 0)
    return Relation(f"named_or_role:{field}", check, expr,
                    gettext("只有此记录指定的人员或相关负责人才能执行此操作。"))


def current_approver(steps=()):
    """The approver of the current approval step: the named person, or anyone
    holding the step's role (fields `current_approver`, `approver_role`). A
    step may name several roles, e.g. 总(副)经理 (RET-01): the first is
    stored, any of them signs."""
    alternatives = {}
    for step in steps:
        roles = step.roles
        if len(roles) > 1:
            alternatives.setdefault(roles[0], set()).update(roles)

    def signs(actor):
        mine = set(actor.role_keys)
        return mine | {first for first, roles in alternatives.items() if mine & roles}

    def check(actor, row):
        role = row.__data__.get("approver_role")
        if role:
            return role in signs(actor)
        return bool(_emp(actor)) and row.__data__.get("current_approver") == _emp(actor)

    def expr(actor, Model):
        roles = sorted(signs(actor)) or [""]
        return (Model.approver_role.in_(roles)) | \
            (Model.approver_role.is_null() & (Model.current_approver == (_emp(actor) or 0)))
    return Relation("current_approver", check, expr, gettext("您不是当前审批步骤的审批人。"))


ANYONE = Relation("anyone", lambda actor, row: True, lambda actor, Model: SQL("1 = 1"))
