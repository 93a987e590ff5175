"""Demo data: one user per role and realistic, consistent Chinese records.

`seed_demo()` builds the organisation (departments, regions, employees, demo
users) and then fills the registers through `portal.services`, acting as the
demo user whose role files that register, so the demo exercises the same
permissions, numbering and audit as real use.
"""
import random
from datetime import date, timedelta

from flask import current_app

from portal import clock, services
from portal.accounts import User, create_user, hash_password

from . import data

DEMO_USERS = (
    # username, employee name, department abbr, roles, position
    ("admin", "系统管理员", "XX", ("admin",), "系统管理员"),
    ("clerk", "刘静", "YX", ("sales_clerk", "archivist"), "销售内勤"),
    ("sales", "张伟", "XS1", ("salesperson",), "业务员"),
    ("sales2", "李娜", "XS1", ("salesperson",), "业务员"),
    ("regional", "王强", "XS1", ("regional_manager", "sales_supervisor"), "区域经理"),
    ("salesmgr", "陈明", "XS1", ("sales_manager",), "销售经理"),
    ("marketing", "赵敏", "YX", ("marketing_head",), "营销部部长"),
    ("gm", "周建国", "ZJB", ("general_manager",), "总经理"),
    ("hr", "孙丽", "RL", ("hr",), "人力资源主管"),
    ("quality", "吴刚", "PZ", ("quality_dept",), "品质部经理"),
    ("service", "郑磊", "KF", ("after_sales",), "售后服务中心主任"),
    ("reception", "冯静", "XZ", ("admin_dept",), "行政管理部经理"),
)
# Heads of department (by username or employee name).
HEADS = {"ZJB": "gm", "YX": "marketing", "XS1": "salesmgr", "PZ": "quality", "KF": "service",
         "XZ": "reception", "RL": "hr", "XS2": "黄涛", "CW": "钱芳", "JS": "孙浩", "XX": "admin"}


def users():
    return {u.username: u for u in User.select()}


def seed_organisation(password_hash):
    """Departments, employees, demo users and regions, inserted directly
    (they are the precondition of every permission check)."""
    from models import Department, Employee, Region
    from portal.numbering import next_value

    def number(prefix):
        return f"{prefix}-{next_value('seed:' + prefix):04d}"

    depts = {}
    for name, abbr, parent in data.DEPARTMENTS:
        depts[abbr] = Department.create(record_no=number("BM"), name=name, abbr=abbr,
                                        parent=depts.get(parent))
    emps = {}
    for username, name, abbr, roles, position in DEMO_USERS:
        user = create_user(username, None, roles, password_hash=password_hash)
        emps[username] = Employee.create(record_no=number("YG"), name=name, dept=depts[abbr],
                                         position=position, user=user, phone=data.phone(len(emps)),
                                         hired_on=date(2015 + len(emps) % 8, 3, 1))
    for name, abbr, position in data.OTHER_EMPLOYEES:
        emps[name] = Employee.create(record_no=number("YG"), name=name, dept=depts[abbr],
                                     position=position, phone=data.phone(len(emps)),
                                     hired_on=date(2018, 7, 1))
    for abbr, who in HEADS.items():
        Department.update(head=emps[who]).where(Department.id == depts[abbr].id).execute()
    for username in ("sales", "sales2", "regional"):
        Employee.update(superior=emps["salesmgr"]).where(Employee.id == emps[username].id).execute()
    Employee.update(superior=emps["marketing"]).where(
        Employee.id.in_([emps["salesmgr"].id, emps["clerk"].id, emps["黄涛"].id])).execute()
    regions = {}
    for name, abbr, manager in data.REGIONS:
        regions[name] = Region.create(record_no=number("QY"), name=name, dept=depts[abbr],
                                      manager=emps[manager])
    # record numbers of later registers start after the seeded ones
    from portal.numbering import NumberSeries
    for prefix, reg in (("BM", "department"), ("YG", "employee"), ("QY", "region")):
        last = NumberSeries.get(NumberSeries.key == f"seed:{prefix}").last
        (NumberSeries.insert(key=f"{reg}:{prefix}", last=last)
         .on_conflict(conflict_target=[NumberSeries.key], update={NumberSeries.last: last}).execute())
    return depts, emps, regions


def seed_demo():
    from models import Customer
    random.seed(20261122)
    today = clock.today()
    password_hash = hash_password(current_app.config["DEMO_PASSWORD"])
    depts, emps, regions = seed_organisation(password_hash)
    u = users()
    counts = {"departments": len(depts), "employees": len(emps), "regions": len(regions)}

    customers = []
    for i, (name, kind, role, grade, industry, region) in enumerate(data.CUSTOMERS):
        owner = data.OWNERS[i % len(data.OWNERS)]
        dept = depts["XS2"] if owner in ("何平", "黄涛") else depts["XS1"]
        level = "restricted" if i % 7 == 3 else ("sealed" if i % 17 == 9 else "internal")
        values = dict(
            name=name, customer_kind=kind, channel_role=role, grade=grade,
            industry_segment=industry, region=regions[region], account_owner=emps[owner],
            responsible_dept=dept, contact_name=data.person(i), phone=data.phone(100 + i),
            address=data.address(region, i), postcode=f"7{i % 10}{(i * 7) % 10}000",
            custodian=emps["clerk"], is_key_account=grade == "A",
            filled_at=today - timedelta(days=400 - 9 * i),
            invoicing_info=f"{name}\n税号 91610{300000 + i * 97:06d}XY\n开户行 中国工商银行宝鸡分行",
            business_scope=data.SCOPES[industry or "general"],
        )
        customer = services.create(u["clerk"], Customer, values, comment="演示数据")
        # the lifecycle (WF-06): the marketing head acknowledges trading customers
        status = data.LIFECYCLE_CYCLE[i % len(data.LIFECYCLE_CYCLE)]
        if status in ("trading", "former"):
            trade_start(u, depts, customer, "演示数据：老客户补办交易开始调查书")
        if status == "former":
            Customer._spec.workflow.run(u["marketing"], customer, "interrupt",
                                              {"comment": "近一年无订单"})
        if level != "internal":
            # the level changes only through 调整归属/密级 (portal/policy.py)
            from portal.workflows import actions
            customer = Customer.get_by_id(customer.id)
            actions.run(u["gm"], Customer._spec, customer, "govern",
                        {"confidentiality": level, "reason": "演示数据：密级"})
        customers.append(Customer.get_by_id(customer.id))
    counts["customers"] = len(customers)

    from models import CustomerVisitRecord
    visitors = ("sales", "sales2", "regional")
    for i in range(36):
        cust = customers[i % len(customers)]
        who = u[visitors[i % 3]]
        if cust.confidentiality != "internal":
            cust = customers[(i + 1) % len(customers)]
        services.create(who, CustomerVisitRecord, dict(
            customer=cust, visited_at=today - timedelta(days=3 * i + 1), visitor=who.employee,
            purpose=data.VISIT_PURPOSES[i % len(data.VISIT_PURPOSES)],
            findings=data.VISIT_FINDINGS[i % len(data.VISIT_FINDINGS)],
            changes="联系人电话变更，已更新客户档案。" if i % 9 == 0 else None,
            consolidated=i % 4 == 0), comment="演示数据")
    counts["visits"] = 36
    ctx = SeedContext(users=u, employees=emps, departments=depts, regions=regions,
                      customers=customers, today=today)
    from . import admin_eng, after_sales, core, customers_more, engineering, service
    for module in (customers_more, service, after_sales, admin_eng, engineering, core):
        counts.update(module.seed(ctx) or {})
    counts["complaints_closed"] = ctx.settle_complaints(older_than=timedelta(days=30))
    return counts


TRADE_START_FACTS = dict(
    organization="董事会领导下的总经理负责制", business_content="计量、称重设备的采购与使用",
    credit="银行资信良好，无拖欠货款记录", relationship="多年合作单位",
    business_policy="稳健经营，注重设备质量与售后服务", trading_attitude="合作意愿强")


def trade_start(users, departments, customer, comment):
    """A customer becomes a trading customer only through the 交易开始调查书
    chain (R-CUS-04): the sales clerk files it for 销售一部, the sales
    supervisor 认可, the sales manager 承认."""
    from models import TradeStartInvestigation
    row = services.create(users["clerk"], TradeStartInvestigation, dict(
        TRADE_START_FACTS, counterparty_name=customer.name, direction="sell", customer=customer,
        region=customer.region, contact_name=customer.contact_name, phone=customer.phone,
        address=customer.address, dept=departments["XS1"]), comment="演示数据")
    flow = TradeStartInvestigation._spec.workflow
    row = flow.run(users["clerk"], row, "submit", {"comment": comment})
    row = flow.run(users["regional"], row, "acknowledge", {"comment": "情况属实"})
    return flow.run(users["salesmgr"], row, "approve", {"comment": "同意开始交易"})


class SeedContext:
    """What the register seeders share: demo users by username, employees by
    username or name, departments by abbreviation, regions by name, the demo
    customers, today, and `create(username, register, **values)` which files
    a record through portal.services as that user."""

    def __init__(self, users, employees, departments, regions, customers, today):
        self.users = users
        self.employees = employees
        self.departments = departments
        self.regions = regions
        self.customers = customers
        self.today = today
        self.created = {}

    def create(self, username, register_name, **values):
        from portal import registry
        spec = registry.get(register_name)
        row = services.create(self.users[username], spec.model, values, comment="演示数据")
        self.created.setdefault(register_name, []).append(row)
        return row

    def run(self, username, row, transition, **inputs):
        """Take a workflow transition (or a record action: govern, sign,
        endorse) as that user (demo records in various states)."""
        from portal.workflows import actions
        return actions.run(self.users[username], type(row)._spec, row, transition, inputs)

    def update(self, username, row, **values):
        """Edit a record as that user, through the one write path."""
        return services.update(self.users[username], row, values, row.version, comment="演示数据")

    def close_complaint(self, case, opinion="已安排现场复核并处理，向客户说明原因。"):
        """Walk a registered complaint through WF-01 to 已结案, as the users the
        regulations name: the marketing head accepts, the quality department
        assigns, the general manager (head of every handler) investigates and
        closes with the report, the reply and the customer's response."""
        from models import Complaint
        case = Complaint.get_by_id(case.id)
        if case.type != "complaint":
            case = self.run("clerk", case, "reply", reply="已答复客户。")
            return case
        if case.state in ("registered", "awaiting_decision"):
            case = self.run("marketing", case, "accept", comment="受理")
        if case.state == "accepted":
            dept = case.receiving_unit or self.departments["PZ"]
            handler = case.handler or self.employees["quality"]
            case = self.run("quality", case, "assign", department=dept.id, handler=handler.id)
        if case.state == "assigned":
            case = self.run("gm", case, "investigate")
        if case.state == "investigating":
            case = self.run("gm", case, "submit_investigation", cause="现场核实确认问题成因",
                            course="接到投诉后派员现场调查", responsible_party="责任部门",
                            conclusion="投诉成立，已处理", countermeasure=opinion,
                            prevention="纳入月度质量例会跟踪")
        if case.state == "under_review":
            case = self.run("quality", case, "review", opinion="调查属实，对策可行。")
        if case.state == "awaiting_ruling":
            case = self.run("gm", case, "decide",               # every amount is in his tier
                            resolution=case.resolution_mode or "explanation")
        if case.state == "ruled":
            case = self.run("marketing", case, "reply", reply="已书面答复客户处理结果。",
                            handling_opinion=case.handling_opinion or opinion)
        return self.run("gm", case, "close", customer_response="客户表示接受", customer_accepts="1")

    def settle_complaints(self, older_than):
        """Cases received before the last month were handled (WF-01) a few
        days after receipt; only recent ones are still open, as in a working
        back office."""
        from models import Complaint
        from .core import at
        cutoff = clock.now() - older_than
        old = (Complaint.select().where(Complaint.state == "registered",
                                        Complaint.received_at < cutoff)
               .order_by(Complaint.received_at))
        closed = 0
        for case in old:
            with at(case.received_at + timedelta(days=2 + case.id % 5, hours=3)):
                if not case.cause_class:      # decided by the registering clerk first
                    filer = User.get_by_id(case.created_by_id)
                    case = services.update(filer, case, {"cause_class": "non_quality"},
                                           case.version, comment="演示数据")
                self.close_complaint(case)
            closed += 1
        return closed

    def visible_customers(self, username):
        """Demo customers the user may read (internal files of their departments)."""
        import permissions
        from models import Customer
        query = permissions.rows(self.users[username], "view", Customer)
        return list(query.order_by(Customer.id))
