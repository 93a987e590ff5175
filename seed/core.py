"""Demo data of the portal's own registers: holidays, gift budgets, borrow
requests and handovers, walked through their workflows at their own dates."""
import random
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from portal import clock

# 法定节假日与调休上班日 (demo calendar; the administrator keeps the real one)
HOLIDAYS = (
    ("2026-01-01", "元旦", False), ("2026-01-02", "元旦", False),
    ("2026-02-15", "春节", False), ("2026-02-16", "春节", False), ("2026-02-17", "春节", False),
    ("2026-02-18", "春节", False), ("2026-02-19", "春节", False), ("2026-02-20", "春节", False),
    ("2026-02-23", "春节", False), ("2026-02-14", "春节调休上班", True),
    ("2026-04-06", "清明节", False), ("2026-05-01", "劳动节", False), ("2026-05-04", "劳动节", False),
    ("2026-05-05", "劳动节", False), ("2026-05-09", "劳动节调休上班", True),
    ("2026-06-19", "端午节", False), ("2026-09-25", "中秋节", False),
    ("2026-10-01", "国庆节", False), ("2026-10-02", "国庆节", False), ("2026-10-05", "国庆节", False),
    ("2026-10-06", "国庆节", False), ("2026-10-07", "国庆节", False), ("2026-10-10", "国庆节调休上班", True),
    ("2027-01-01", "元旦", False),
)

GIFTS = (("春节慰问茶叶礼盒", "800"), ("中秋月饼礼盒", "600"), ("合作十周年纪念品", "2600"),
         ("新站开通贺礼（花篮）", "500"), ("年度答谢宴纪念品", "6800"), ("技术交流会资料及礼品", "1200"))


@contextmanager
def at(moment):
    saved = clock._frozen
    clock.set(moment)
    try:
        yield
    finally:
        clock.set(saved)


def seed(ctx):
    rng = random.Random(20261130)
    counts = {"holiday": _holidays(ctx)}
    counts["gift_budget_request"] = _gifts(ctx, rng)
    counts["borrow_request"] = _loans(ctx, rng)
    counts["handover_record"] = _handovers(ctx)
    counts["disposal_request"] = _disposals(ctx)
    return counts


def _disposals(ctx):
    """Records past their retention (R-REC-11): the sales clerk proposes their
    disposal; one waits, one is approved, the others are destroyed."""
    import permissions
    from portal import registry, services
    clerk = ctx.users["clerk"]
    due = []
    for spec in registry.all_specs():
        if "retention_until" not in spec.fields or spec.name == "disposal_request":
            continue
        Model = spec.model
        for row in permissions.rows(clerk, "view", Model).where(
                Model.retention_until < ctx.today).order_by(Model.id).limit(4):
            if services.disposal_problem(spec, row) is None:
                due.append((spec, row))
    for n, (spec, row) in enumerate(due[:5]):         # one due record is left to propose
        req = ctx.create("clerk", "disposal_request", register=spec.name, record=row.id,
                         reason="保存期满，经核对无继续保存价值", method="碎纸机粉碎")
        if n == 0:
            continue
        req = ctx.run("clerk", req, "submit", comment="请审批")
        if n == 1:
            continue
        req = ctx.run("gm" if spec.group != "customers" else "salesmgr", req, "approve", comment="同意销毁")
        if n == 2:
            continue
        ctx.run("clerk", req, "execute", comment="已监销")
    return len(due[:5])


def _holidays(ctx):
    from models import Holiday
    for day, name, workday in HOLIDAYS:
        ctx.create("admin", "holiday", day=date.fromisoformat(day), name=name, is_workday=workday)
    return Holiday.select().count()


def _gifts(ctx, rng):
    n = 0
    for i in range(30):
        who = ("sales", "sales2", "regional")[i % 3]
        customers = [c for c in ctx.visible_customers(who) if c.customer_kind == "unit"]
        cust = customers[(i * 7) % len(customers)]
        gift, budget = GIFTS[i % len(GIFTS)]
        start = datetime.combine(ctx.today - timedelta(days=200 - 6 * i), time(9, 30))
        with at(start):
            row = ctx.create(who, "gift_budget_request", customer=cust, gift=gift, budget=budget,
                             reason=f"{cust.name}为A/B类重点客户，{gift}用于维护合作关系。")
        stage = i % 6
        if stage == 0:
            continue
        with at(start + timedelta(hours=2)):
            row = ctx.run(who, row, "submit", comment="请审批")
        if stage == 1:
            continue
        if stage == 2:
            with at(start + timedelta(days=1)):
                ctx.run("salesmgr", row, "reject", reason="预算偏高，请按标准重新申请")
            continue
        with at(start + timedelta(days=1)):
            row = ctx.run("salesmgr", row, "approve", comment="同意")
        if row.state == "pending":            # above the amount tier: the general manager too
            with at(start + timedelta(days=2)):
                row = ctx.run("gm", row, "approve", comment="同意")
        if stage >= 4:
            with at(start + timedelta(days=5)):
                ctx.run(who, row, "execute", comment="礼品已送达")
        n += 1
    return 30


def _loans(ctx, rng):
    """Sales reps borrow restricted files of the other sales department."""
    from models import Customer
    import permissions
    files = [c for c in Customer.select().where(Customer.confidentiality.in_(["restricted", "sealed"]))
             .order_by(Customer.id)]
    count = 0
    for i in range(30):
        who = ("sales", "sales2", "regional", "service", "quality")[i % 5]
        actor = ctx.users[who]
        readable = {c.id for c in permissions.rows(actor, "view", Customer)}
        candidates = [c for c in files if c.id not in readable]
        if not candidates:
            continue
        target = candidates[i % len(candidates)]
        start = datetime.combine(ctx.today - timedelta(days=90 - 3 * i), time(10, 0))
        with at(start):
            row = ctx.create(who, "borrow_request", register="customer", record=target.id,
                             purpose=("consult", "use", "copy")[i % 3],
                             reason=("核对开票信息", "准备投标资料需查阅客户历史", "处理投诉需了解客户设备档案")[i % 3])
        count += 1
        approver = "gm" if row.level == "sealed" else "marketing"     # 003 §4.1
        stage = i % 7
        if stage == 0:
            continue
        if stage == 1:
            with at(start + timedelta(hours=1)):
                ctx.run(who, row, "cancel", comment="已从其他途径取得资料")
            continue
        if stage == 2:
            with at(start + timedelta(hours=3)):
                ctx.run(approver, row, "reject", reason="与本部门工作无直接关系")
            continue
        with at(start + timedelta(hours=3)):
            row = ctx.run(approver, row, "approve", comment="同意，限期归还")
        if stage == 3:
            continue
        with at(start + timedelta(hours=4)):
            row = ctx.run("clerk", row, "lend")
        if stage == 4:
            continue                  # still out (overdue once the sweep runs)
        back = min(row.due_at - timedelta(hours=1), start + timedelta(days=2))
        condition = "damaged" if stage == 6 and i % 2 else "intact"
        with at(back):
            inputs = {"condition": condition}
            if condition != "intact":
                inputs["penalty"] = "100"
            ctx.run("clerk", row, "return", **inputs)
    return count


def _handovers(ctx):
    """杨帆 (服务接待员) changed post: everything he held went to 郑磊 (the consumer
    files to the sales manager 陈明) and the
    handover is confirmed; 何平 (销售二部) is leaving: his handover is under way."""
    from models import Employee
    yang = Employee.get(Employee.name == "杨帆")
    he = Employee.get(Employee.name == "何平")
    start = datetime.combine(ctx.today - timedelta(days=20), time(9, 0))
    with at(start):
        done = ctx.create("hr", "handover_record", employee=yang, reason="job_change",
                          last_day=ctx.today - timedelta(days=14),
                          default_successor=ctx.employees["service"])
    with at(start + timedelta(days=1)):       # the after-sales centre may not keep consumer files
        ctx.run("hr", done, "assign", successor=ctx.employees["salesmgr"].id, kind="consumer_archive")
        done = ctx.run("hr", done, "execute", comment="按清单移交")
    with at(start + timedelta(days=2)):
        # each receiver signs for what they received, the customers are told, HR completes
        from portal.workflows.handover import moved_customers
        from models import HandoverItem
        receivers = {i.successor_id for i in HandoverItem.select().where(HandoverItem.handover == done.id,
                                                                         HandoverItem.moved == True)}  # noqa: E712
        for username in ("service", "salesmgr", "sales", "sales2", "clerk"):
            if ctx.employees[username].id in receivers:
                done = ctx.run(username, done, "confirm", comment="已接收")
        if moved_customers(done).exists():
            done = ctx.run("hr", done, "notify_customers", notice="已电话告知客户新的责任人及联系方式")
        ctx.run("hr", done, "complete", comment="交接完成")
    with at(start + timedelta(days=3)):
        ongoing = ctx.create("hr", "handover_record", employee=he, reason="resignation",
                             last_day=ctx.today + timedelta(days=10))
        ctx.run("hr", ongoing, "assign", successor=ctx.employees["sales2"].id, kind="customer")
    return 2
