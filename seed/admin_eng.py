"""Demo data of SECTION D: reception, proposals, records and archives.

Records are filed through the real services as the demo user whose role
files them, with the portal clock moved to the day they were filed, and then
walked through their workflows (reception and gate, approvals, proposals,
archive transfers) to varied states.
"""
import random
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from portal import clock, services

# Who acts for which department in the demo.
DEPT_USERS = {"XS1": ("sales", "sales2", "regional", "salesmgr"), "KF": ("service",), "PZ": ("quality",),
              "YX": ("marketing", "clerk"), "XZ": ("reception",)}
SIGNERS = {"XS1": "salesmgr", "KF": "service", "PZ": "quality", "YX": "marketing", "XZ": "reception"}


class Timeline:
    """Moves the portal clock for the records filed in the past; never past now."""

    def __init__(self):
        self.real_now = clock.now()
        self.previous = clock._frozen

    def clamp(self, moment):
        return min(moment, self.real_now)

    @contextmanager
    def at(self, moment):
        clock.set(self.clamp(moment))
        try:
            yield
        finally:
            clock.set(self.previous)

    def past(self, moment):
        return moment <= self.real_now


def _username_of(ctx, employee_id):
    for username, user in ctx.users.items():
        if user.employee_id == employee_id:
            return username
    return None


def _approver(ctx, row):
    """The demo user who approves the current step of an approval form."""
    if row.approver_role:
        for username, user in ctx.users.items():
            if user.has_role(row.approver_role) and username != "admin":
                return username
    return _username_of(ctx, row.current_approver_id)


def _walk_approval(ctx, tl, row, moment, filer, outcome, executor=None):
    """submit → approve… → (execute) / reject, as the approvers of the chain."""
    with tl.at(moment):
        ctx.run(filer, row, "submit")
    if outcome == "pending":
        return row
    step_time = moment
    while row.state == "pending":
        step_time += timedelta(hours=5)
        who = _approver(ctx, row)
        with tl.at(step_time):
            if outcome == "rejected":
                ctx.run(who, row, "reject", reason="招待标准偏高，请按工作餐标准重新申请。"
                        if type(row).__name__ == "HospitalityRequest" else "请补充费用明细后重新提交。")
                return row
            ctx.run(who, row, "approve", comment="同意")
    if outcome == "executed" and tl.past(step_time + timedelta(days=1)):
        with tl.at(step_time + timedelta(days=1)):
            ctx.run(executor or filer, row, "execute")
    return row


def _create_with_items(ctx, username, register, items, **values):
    """A multi-row form and its child rows, in one transaction (one audit event)."""
    from portal import registry
    spec = registry.get(register)
    child, fk = spec.inline_children()[0]

    def save_items(row):
        for item in items:
            child.create(**{fk.name: row.id}, **item)
        return {fk.backref: [[], items]}
    row = services.create(ctx.users[username], spec.model, values, on_saved=save_items, comment="演示数据")
    ctx.created.setdefault(register, []).append(row)
    return row


# ---------------------------------------------------------------------------
# Reception (000-三)
# ---------------------------------------------------------------------------

GROUP_VISITS = (
    ("集团公司", "集团办公室 刘主任", "集团领导", "李建设、王志远", "集团总经理、集团副总经理", 3,
     "视察年度经营情况及动态称重新产品研发进展"),
    ("集团公司审计部", "审计部 陈部长", "集团职能部门负责人", "陈立、周敏、赵凯", "审计部部长、审计员", 3,
     "年度经营审计及内控检查"),
    ("集团公司技术中心", "技术中心 马工", "集团技术专家", "马国华、孙伟", "技术中心主任、高级工程师", 2,
     "检查计重收费设备可靠性改进项目"),
    ("集团公司安全环保部", "安环部 郭部长", "集团职能部门负责人", "郭强、杨帆", "部长、安全员", 2,
     "年度安全生产检查"),
)
IMPORTANT_VISITS = (
    ("陕西省交通运输厅", "科技处 张处长", "政府机关人员", "张立新、刘洋", "处长、主任科员", 4,
     "调研高速公路计重收费设备国产化情况"),
    ("宝鸡市市场监督管理局", "计量科 王科长", "政府机关人员", "王海、李婷", "科长、计量检定员", 3,
     "衡器制造计量器具许可现场核查"),
    ("陕西省高速公路管理局", "机电处 赵处长", "重要客户", "赵建华、孙国庆", "处长、高级工程师", 5,
     "考察动态汽车衡生产线并商谈年度采购"),
    ("甘肃省公路路政执法管理局", "装备科 吴科长", "重要客户", "吴俊杰、马红梅", "科长、工程师", 4,
     "超限检测站设备选型技术交流"),
    ("宝钢集团八一钢铁有限公司", "计量中心 郑主任", "重要客户", "郑文斌、梁秀英", "主任、计量工程师", 3,
     "轨道衡改造方案评审"),
)
UNIT_VISITS = (
    ("咸阳市公路管理局", "inspection", "考察超限检测设备运行情况"),
    ("渭南市公路局", "liaison", "商谈治超站设备维保合同"),
    ("陕西神木煤业集团有限公司", "tour", "参观汽车衡生产线"),
    ("中煤能源韩城矿业公司", "inspection", "考察无人值守称重系统"),
    ("西安衡通衡器经销部", "liaison", "年度经销协议续签"),
    ("兰州金秤衡器商行", "liaison", "备品备件采购洽谈"),
    ("宝鸡市金台区粮油收购站", "tour", "参观电子地磅产品展厅"),
    ("汉中市物流园区管理公司", "inspection", "考察动态轨道衡项目"),
    ("陕西有色金属控股集团", "liaison", "洽谈称重系统联网改造"),
    ("青海盐湖工业股份有限公司", "inspection", "考察防爆称重传感器"),
    ("保定市公路管理处", "liaison", "交流计重收费数据接口"),
    ("山西潞安矿业集团", "tour", "参观生产线并了解售后服务网络"),
)
GATE_GENERAL = (
    ("顺丰速运 刘师傅", "顺丰速运宝鸡分部", "收发快件", "XZ"),
    ("中国邮政 李师傅", "中国邮政宝鸡金台支局", "投递报刊信件", "XZ"),
    ("复印机维修 王工", "宝鸡佳能办公设备维修部", "维修行政部复印机", "XZ"),
    ("饮用水配送 赵师傅", "宝鸡清泉桶装水公司", "配送桶装水", "XZ"),
    ("电信装维 周工", "中国电信宝鸡分公司", "检修办公网络专线", "XZ"),
    ("空调维保 孙工", "宝鸡格力空调服务站", "空调季度保养", "XZ"),
    ("消防检测 钱工", "宝鸡安信消防检测公司", "年度消防设施检测", "XZ"),
    ("京东物流 马师傅", "京东物流宝鸡站", "送达采购的办公用品", "XZ"),
    ("打印耗材 何师傅", "宝鸡晨光文具店", "配送打印耗材", "XZ"),
    ("绿化养护 郭师傅", "宝鸡园林绿化公司", "厂区绿化修剪", "XZ"),
)
GATE_UNANNOUNCED = (
    ("赵建华", "咸阳市公路管理局", "了解超限检测设备价格", "XS1", True),
    ("孙立", "宝鸡市交通运输局", "递交设备故障情况说明", "XS1", True),
    ("马强", "某称重软件公司", "推销称重管理软件", "JS", False),
    ("李卫东", "渭南市公路局", "领取设备检定证书", "KF", True),
    ("高俊", "西安某劳务公司", "推销劳务派遣服务", "XZ", False),
    ("陈海燕", "兰州金秤衡器商行", "洽谈代理区域调整", "XS1", True),
    ("刘文斌", "中煤能源韩城矿业公司", "反映汽车衡称重偏差", "KF", True),
    ("王俊杰", "宝钢集团八一钢铁有限公司", "送还借用的检测砝码", "KF", True),
)


def seed_reception(ctx, rnd, tl):
    from models import ReceptionPlan, VisitorReceptionSlip, VisitorRegistration
    counts = {}
    emps = ctx.employees
    depts = ctx.departments
    now = tl.real_now

    # F-68 接待方案 -----------------------------------------------------------
    plans = []
    for i in range(30):
        kind = ("group_leader", "important_customer", "important_customer", "customer_unit",
                "meeting", "customer_unit")[i % 6]
        visit_time = (now - timedelta(days=170 - i * 6 + rnd.randint(0, 3))).replace(
            hour=rnd.choice((9, 10, 14, 15)), minute=0, second=0)
        if kind == "group_leader":
            org, contact, identity, names, positions, headcount, purpose = GROUP_VISITS[i % len(GROUP_VISITS)]
            actor, host, level, resp = "reception", emps["gm"], "公司一级接待", "XZ"
        elif kind == "important_customer":
            org, contact, identity, names, positions, headcount, purpose = \
                IMPORTANT_VISITS[i % len(IMPORTANT_VISITS)]
            if identity == "政府机关人员":
                actor, host, level, resp = "reception", emps["gm"], "公司一级接待", "XZ"
            else:
                actor, host, level, resp = "salesmgr", emps["salesmgr"], "公司二级接待", "XS1"
        elif kind == "meeting":
            org, contact, identity, names, positions, headcount, purpose = (
                "全国衡器行业年会参会单位", "行业协会秘书处 黄秘书", "行业协会及会员单位代表",
                "见参会名单", "各单位负责人", 60 + i, "承办行业技术研讨会")
            actor, host, level, resp = "reception", emps["gm"], "会议接待", "XZ"
        else:
            unit, _, purpose = UNIT_VISITS[i % len(UNIT_VISITS)]
            org, contact, identity, names, positions, headcount = (
                unit, "设备科 负责人", "客户单位技术人员", "王工、李工", "科长、工程师", 2 + i % 3)
            actor = ("sales", "sales2", "regional")[i % 3]
            host, level, resp = emps[actor], "部门接待", "XS1"
        values = dict(
            category=kind, visitor_org=org, visitor_contact=contact, identities=identity, names=names,
            positions=positions, headcount=headcount, visit_time=visit_time, purpose=purpose,
            level=level, host=host, materials="公司简介、产品样本、项目汇报材料" if kind != "customer_unit"
            else "产品样本、技术方案", vehicle="商务车一辆（行政管理部安排）" if i % 2 == 0 else None,
            leaders_notified=kind != "customer_unit", responsible_dept=depts[resp],
            ready_checked_at=visit_time - timedelta(days=1, hours=2),
            board_lodging_gifts="安排工作餐；赠送公司纪念品" if kind in ("group_leader", "important_customer")
            else None,
            customer={c.name: c for c in ctx.visible_customers(actor)}.get(org),
        )
        with tl.at(visit_time - timedelta(days=4)):
            plans.append(ctx.create(actor, "reception_plan", **values))
    counts["reception_plans"] = len(plans)

    # F-70 来客登记单 (gate) --------------------------------------------------
    gatekeeper = emps["林晓"]
    registrations = []
    unit_registrations = []
    for i in range(36):
        in_at = (now - timedelta(days=120 - i * 3)).replace(hour=8 + i % 8, minute=(i * 13) % 60, second=0)
        if i % 3 == 1:
            name, unit, purpose, abbr, agreed = GATE_UNANNOUNCED[(i // 3) % len(GATE_UNANNOUNCED)]
            values = dict(visitor_type="unannounced_unit", name=name, unit=unit, purpose=purpose,
                          dept_contacted=depts[abbr], headcount=1 + i % 2,
                          admitted_by=emps[SIGNERS.get(abbr, "reception")] if agreed and abbr in SIGNERS
                          else (emps["孙浩"] if agreed else None))
        elif i % 3 == 2:
            unit, kind, purpose = UNIT_VISITS[i % len(UNIT_VISITS)]
            values = dict(visitor_type="appointed_unit", name=f"{unit}来访人员", unit=unit, purpose=purpose,
                          dept_contacted=depts["XS1"], headcount=2 + i % 3)
            agreed = True
        else:
            name, unit, purpose, abbr = GATE_GENERAL[(i // 3) % len(GATE_GENERAL)]
            values = dict(visitor_type="general", name=name, unit=unit, purpose=purpose,
                          dept_contacted=depts[abbr])
            agreed = True
        values["filled_by"] = gatekeeper
        with tl.at(in_at):
            row = ctx.create("reception", "visitor_registration", **values)
        registrations.append(row)
        if i == 35:
            continue                       # just registered, waiting at the gate
        with tl.at(in_at + timedelta(minutes=10)):
            if not agreed:
                ctx.run("reception", row, "refuse", reason="相关部门不同意接待，已礼貌劝离。")
                continue
            ctx.run("reception", row, "admit")
        if values["visitor_type"] == "unannounced_unit" and values["dept_contacted"].abbr == "XS1":
            unit_registrations.append(row)
        if i >= 33:
            continue                       # still inside the company
        with tl.at(in_at + timedelta(hours=1 + i % 3)):
            ctx.run("reception", row, "leave", visitor_signed=True, slip_returned=True)
    counts["visitor_registrations"] = len(registrations)

    # F-69 来客接待单 (预约 → 接待方案 → 已到访 → 已离开) ----------------------------
    unit_plans = [p for p in plans if p.category in ("customer_unit", "important_customer")
                  and p.responsible_dept_id == depts["XS1"].id]
    slips = []
    hosts = (("XS1", "sales"), ("XS1", "sales2"), ("XS1", "regional"), ("KF", "service"),
             ("XS1", "salesmgr"), ("PZ", "quality"))
    for i in range(32):
        abbr, actor = hosts[i % len(hosts)]
        unit, kind, purpose = UNIT_VISITS[i % len(UNIT_VISITS)]
        visible = {c.name: c for c in ctx.visible_customers(actor)}
        expected = (now - timedelta(days=150 - i * 5)).replace(hour=9 + i % 6, minute=30, second=0)
        unannounced = abbr == "XS1" and i % 8 == 5 and unit_registrations
        reg = unit_registrations[i % len(unit_registrations)] if unannounced else None
        if reg is not None:
            unit, purpose = reg.unit, reg.purpose
        leader = abbr == "XS1" and i % 5 == 0 and unit_plans
        values = dict(
            visitor_unit=unit, customer=visible.get(unit), names=f"{unit}：王工、李工",
            headcount=2 + i % 4, visit_kind=kind, purpose=purpose, appointment=not unannounced,
            expected_at=expected, host_dept=depts[abbr], host=emps[actor], leader_met=bool(leader))
        if leader:
            values["reception_plan"] = unit_plans[i % len(unit_plans)]
        if unannounced:
            values.update(gate_registration=reg, names=reg.name)
        with tl.at(expected - timedelta(days=3)):
            row = ctx.create(actor, "visitor_reception_slip", **values)
        slips.append(row)
        if i in (7, 19):
            with tl.at(expected - timedelta(days=1)):
                ctx.run(actor, row, "cancel", reason="客户行程调整，来访推迟。")
            continue
        if leader:
            with tl.at(expected - timedelta(days=2)):
                ctx.run(actor, row, "plan")
        if not tl.past(expected) or i >= 30:
            continue                       # appointments still ahead
        with tl.at(expected):
            ctx.run(actor, row, "arrive")
        if i == 29:
            continue                       # the visitors are still in the company
        signer = "gm" if leader and i % 2 == 0 else SIGNERS[abbr]
        with tl.at(expected + timedelta(hours=2 + i % 3)):
            ctx.run(signer, row, "depart", comment="已送行")
    counts["visitor_reception_slips"] = len(slips)
    return counts


# ---------------------------------------------------------------------------
# Meals and meetings (000-三 三.5, 四)
# ---------------------------------------------------------------------------

MEAL_GUESTS = ("陕西省高速公路管理局", "咸阳市公路管理局", "宝鸡市交通运输局", "渭南市公路局",
               "陕西神木煤业集团有限公司", "中煤能源韩城矿业公司", "西安衡通衡器经销部",
               "兰州金秤衡器商行", "集团公司技术中心", "宝鸡市市场监督管理局")
MEAL_PURPOSES = ("项目技术交流后工作餐", "年度采购合同洽谈", "设备验收后招待", "经销商年度会议",
                 "超限检测站项目投标答疑", "售后服务座谈", "计量检定工作配合")
STANDARDS = {"working_meal": (30, 50), "outside_business": (100, 180), "banquet_with_leader": (200, 300),
             "unit_banquet": (80, 150)}


def seed_meals_and_meetings(ctx, rnd, tl):
    counts = {}
    now = tl.real_now
    filers = ("sales", "sales2", "regional", "salesmgr", "service", "quality", "reception")
    outcomes = ("executed", "executed", "executed", "approved", "pending", "rejected", "draft", "executed")
    rows = []
    for i in range(32):
        filer = filers[i % len(filers)]
        meal_type = ("outside_business", "working_meal", "banquet_with_leader", "outside_business",
                     "unit_banquet")[i % 5]
        guests = 2 + (i * 3) % 12
        companions = min(4, 1 + i % 4) if guests <= 10 else 3 + i % 4
        low, high = STANDARDS[meal_type]
        meal_on = (now - timedelta(days=160 - i * 5)).date()
        visible = {c.name: c for c in ctx.visible_customers(filer)}
        guest = MEAL_GUESTS[i % len(MEAL_GUESTS)]
        values = dict(type=meal_type, guest_unit=guest, customer=visible.get(guest),
                      purpose=MEAL_PURPOSES[i % len(MEAL_PURPOSES)], meal_on=meal_on, guests=guests,
                      companions=companions, drivers=i % 3, standard_per_head=rnd.randrange(low, high + 1, 10),
                      business_related=True, place="公司食堂" if meal_type == "working_meal" else "宝鸡宾馆")
        moment = datetime.combine(meal_on - timedelta(days=2), time(10, 0))
        with tl.at(moment):
            row = ctx.create(filer, "hospitality_request", **values)
        rows.append(row)
        outcome = outcomes[i % len(outcomes)]
        if outcome != "draft":
            _walk_approval(ctx, tl, row, moment + timedelta(hours=1), filer, outcome)
    counts["hospitality_requests"] = len(rows)

    meetings = (
        ("large_foreign", "reception", "XZ", "全国衡器行业技术研讨会", 120, 86000),
        ("large_foreign", "reception", "XZ", "海外代理商年度大会", 60, 52000),
        ("general", "service", "KF", "动态汽车衡安装调试培训", 18, 3600),
        ("general", "service", "KF", "售后服务规范培训", 22, 2400),
        ("general", "quality", "PZ", "称重传感器质量分析会", 12, 800),
        ("general", "hr", "RL", "新员工入职培训", 25, 3000),
        ("general", "salesmgr", "XS1", "西北区客户座谈会", 26, 9800),
        ("general", "reception", "XZ", "行政后勤工作会议", 15, 600),
    )
    outcomes = ("executed", "executed", "approved", "pending", "executed", "rejected", "executed", "draft")
    rows = []
    for i in range(30):
        kind, filer, abbr, title, participants, cost = meetings[i % len(meetings)]
        meeting_date = (now - timedelta(days=200 - i * 8)).date()
        values = dict(meeting_type=kind, meeting_title=f"{title}（第{i // len(meetings) + 1}期）",
                      meeting_date=meeting_date, participants=participants + i % 3,
                      organiser=ctx.departments[abbr], expense_plan=cost + 100 * (i % 5),
                      programme="会议议程、场地、茶歇及资料印制安排；" + ("外宾接送及翻译安排" if kind == "large_foreign"
                                                           else "各单位自行安排接待"),
                      prepared_by=ctx.employees["reception"] if kind == "large_foreign" else None)
        moment = datetime.combine(meeting_date - timedelta(days=15), time(9, 30))
        with tl.at(moment):
            row = ctx.create(filer, "meeting_expense_request", **values)
        rows.append(row)
        outcome = outcomes[i % len(outcomes)]
        if outcome == "executed" and not tl.past(datetime.combine(meeting_date, time(18))):
            outcome = "approved"
        if outcome != "draft":
            _walk_approval(ctx, tl, row, moment + timedelta(hours=2), filer,
                           outcome if outcome != "executed" else "approved")
            if outcome == "executed":
                with tl.at(datetime.combine(meeting_date, time(18))):
                    ctx.run(filer, row, "execute", comment="会议已按计划召开")
    counts["meeting_expense_requests"] = len(rows)
    return counts


# ---------------------------------------------------------------------------
# Customer proposals (001-提案)
# ---------------------------------------------------------------------------

PROPOSALS = (
    ("standardization", "统一秤台接口尺寸", "建议贵公司统一不同吨位秤台的安装接口尺寸，便于备件互换和更换。"),
    ("after_sales", "建议设立西北区备件库", "建议在西安设立备品备件库，缩短计重收费设备故障修复时间。"),
    ("new_materials", "采用不锈钢防腐传感器", "我单位在盐湖地区使用，建议采用316L不锈钢防腐称重传感器。"),
    ("logistics_channels", "整车配送降低运费", "建议按区域集中整车配送，降低零星发货的物流成本。"),
    ("after_sales", "增加远程诊断功能", "建议称重仪表增加远程诊断功能，减少维修人员上门次数。"),
    ("standardization", "称重数据格式标准化", "建议计重收费数据输出采用交通部推荐的统一数据格式。"),
    ("other", "操作培训视频", "建议提供操作与日常保养培训视频，便于收费站新员工学习。"),
    ("logistics_channels", "经销商网上订货", "建议开通经销商网上订货和库存查询渠道。"),
    ("new_materials", "轻量化秤台钢材", "提供一种高强度轻量化钢材信息，可降低秤台自重和运输成本。"),
    ("after_sales", "延长夜间服务热线", "建议服务热线延长至晚上十点，覆盖收费站夜班。"),
)
ANALYSTS = {"PZ": "quality", "KF": "service", "XS1": "salesmgr", "YX": "marketing"}
RESULTS = ("经研究，建议可行，改进后预计每年降低使用成本约{n}万元。",
           "经技术部与品质部联合试验，方案可行，纳入下一版产品设计。",
           "经核算，改进投入大于收益，暂不实施，感谢客户建议。")


def seed_proposals(ctx, rnd, tl):
    counts = {}
    now = tl.real_now
    filers = ("sales", "sales2", "regional", "clerk")
    rows = []
    for i in range(32):
        filer = filers[i % len(filers)]
        customers = [c for c in ctx.visible_customers(filer) if c.confidentiality == "internal"]
        customer = customers[(i * 7) % len(customers)]
        category, title, content = PROPOSALS[i % len(PROPOSALS)]
        start = (now - timedelta(days=600 - i * 18)).replace(hour=10, minute=0, second=0)
        abbr = ("PZ", "KF", "XS1", "PZ", "YX")[i % 5]
        values = dict(customer=customer, proposer=customer.contact_name or "设备科负责人", category=category,
                      title=title, content=content, submitted_at=start.date(), assigned_dept=ctx.departments[abbr],
                      company_owned=i % 4 == 0)
        with tl.at(start):
            row = ctx.create(filer, "customer_proposal", **values)
        rows.append(row)
        target = i % 8          # how far this proposal goes
        receiver = ("clerk", "marketing")[i % 2]
        t = start + timedelta(days=1 + i % 3)
        if target == 0 or not tl.past(t):
            continue
        with tl.at(t):
            ctx.run(receiver, row, "receive")
        t += timedelta(days=2)
        if target == 1 or not tl.past(t):
            continue
        analyst = ANALYSTS[abbr]
        with tl.at(t):
            ctx.run(analyst, row, "start_analysis")
        late = i % 6 == 2
        if late:
            t += timedelta(days=25)
            if not tl.past(t):
                continue
            with tl.at(t):
                ctx.run(analyst, row, "report_schedule",
                        schedule_report="需要在用户现场做三个月对比试验，完成后出具结论。",
                        expected_on=(t + timedelta(days=60)).date().isoformat())
            t += timedelta(days=55)
        else:
            t += timedelta(days=18 + i % 7)
        if target == 2 or not tl.past(t):
            continue
        adopted = i % 5 != 4
        with tl.at(t):
            ctx.run(analyst, row, "publish_result",
                    research_result=RESULTS[0 if adopted and i % 2 else (1 if adopted else 2)].format(n=2 + i % 5))
        t += timedelta(days=5)
        if target == 3 or not tl.past(t):
            continue
        inputs = {"adopted": "adopted" if adopted else "not_adopted"}
        if adopted:
            inputs.update(implementation_time=(t + timedelta(days=30)).date().isoformat(),
                          improvement_measures=f"{title}：由{ctx.departments[abbr].name}负责落实，纳入年度改进计划。")
        with tl.at(t):
            ctx.run(filer if filer != "clerk" else "marketing", row, "notify", **inputs)
        if not adopted:
            if target >= 5 and tl.past(t + timedelta(days=1)):
                with tl.at(t + timedelta(days=1)):
                    ctx.run("clerk", row, "close", comment="不采纳，已书面答复客户")
            continue
        t += timedelta(days=30)
        if target == 4 or not tl.past(t):
            continue
        with tl.at(t):
            ctx.run("clerk", row, "implement")
        t += timedelta(days=40)
        if target == 5 or not tl.past(t):
            continue
        with tl.at(t):
            ctx.run("clerk", row, "start_benefit")
        end = datetime.combine(row.benefit_until, time(10)) if row.benefit_until else None
        if target >= 6 and end and tl.past(end):
            with tl.at(end):
                ctx.run("marketing", row, "close", comment="成果享有期满，此后成果由本企业独享")
    counts["customer_proposals"] = len(rows)

    plans = []
    year = now.year
    for k in range(8):
        y, first = year - 3 + k // 2, k % 2 == 0
        half = f"{y}年{'上' if first else '下'}半年"
        start = date(y, 1 if first else 7, 1)
        moment = datetime.combine(start - timedelta(days=20), time(9))
        if not tl.past(moment):
            continue
        with tl.at(moment):
            plans.append(ctx.create(("clerk", "marketing")[k % 2], "proposal_plan", half_year=half,
                                    targets=f"征集客户提案{8 + k}件，其中售后服务类不少于3件；采纳率不低于30%。",
                                    collection_plan="随巡回访问发放统一提案表；在客户座谈会上集中征集；"
                                                    "通过服务热线收集口头建议并代为填表。",
                                    target_count=8 + k,
                                    customers_notified_at=start + timedelta(days=5) if tl.past(
                                        datetime.combine(start + timedelta(days=5), time(9))) else None))
    counts["proposal_plans"] = len(plans)
    return counts


# ---------------------------------------------------------------------------
# Records control and archives (000-四, 002 篇十二)
# ---------------------------------------------------------------------------

ROSTER = (("YX", "clerk"), ("XS1", "sales2"), ("XS2", "何平"), ("PZ", "高远"), ("KF", "杨帆"),
          ("XZ", "林晓"), ("RL", "hr"), ("CW", "钱芳"), ("JS", "孙浩"), ("ZJB", "gm"))
MONTHLY_ITEMS = {
    "XS1": (("客户访问表", "XS1-"), ("巡访日报表", "XS1-"), ("赠送礼品预算申请表", "XS1-")),
    "XS2": (("客户访问表", "XS2-"), ("业务招待就餐申请", "XS2-")),
    "PZ": (("产品质量缺陷报告单", "PZ-"), ("供应商信用评估表", "PZ-")),
    "KF": (("叫修登记簿", "KF-"), ("服务凭证", "KF-"), ("用户意见反馈表", "KF-")),
    "RL": (("人事公布单", "RL-"), ("奖惩记录", "RL-")),
    "YX": (("客户提案表", "YX-"), ("客户满意度调查表", "YX-")),
}
TRAVEL = (("sales", "XS1", "西安交通装备展会资料及客户名片"), ("sales2", "XS1", "甘肃项目招标文件及答疑纪要"),
          ("regional", "XS1", "西北区超限站项目技术交流纪要"), ("马超", "KF", "新疆现场调试记录及验收单"),
          ("杨帆", "KF", "售后服务培训讲义"), ("何平", "XS2", "华东区经销商会议资料"))


def seed_archives(ctx, rnd, tl):
    counts = {}
    emps = ctx.employees
    depts = ctx.departments
    now = tl.real_now
    today = now.date()

    # F-80 部门档案专人名单 ---------------------------------------------------
    rosters = []
    for k, (abbr, who) in enumerate(ROSTER):
        filed = date(today.year - 2, 1, 5 + k)
        with tl.at(datetime.combine(filed, time(9))):
            rosters.append(ctx.create("clerk", "archivist_roster", dept=depts[abbr], person=emps[who],
                                      filed_at=filed))
    with tl.at(datetime.combine(date(today.year - 1, 3, 1), time(9))):
        rosters.append(ctx.create("clerk", "archivist_roster", dept=depts["KF"], person=emps["马超"],
                                  previous_person=emps["杨帆"], changed_at=date(today.year - 1, 3, 1),
                                  filed_at=date(today.year - 1, 3, 1), archive_office_notified=True))
    counts["archivist_rosters"] = len(rosters)

    # F-77 归档移交单 --------------------------------------------------------
    transfers = []
    for k in range(7):                         # yearly binding every January (000-四 452)
        year = today.year - 7 + k
        moment = datetime(year + 1, 1, 8 + k % 10, 10, 0)
        if not tl.past(moment):
            continue
        items = [dict(register_name=name, record_number=f"{prefix}{year}-{n:02d}", quantity=rnd.randint(1, 4),
                      description=f"{year}年度长期保存记录，已整理装订")
                 for n, (name, prefix) in enumerate((("客户档案", "YX-"), ("重大客户跟踪服务单", "XS1-"),
                                                     ("客户投诉", ""), ("客户提案表", "YX-")), start=1)]
        with tl.at(moment):
            row = _create_with_items(ctx, "clerk", "archive_transfer", items, kind="annual_binding",
                                     from_dept=depts["YX"], from_person=emps["clerk"], to_dept=depts["XZ"],
                                     to_person=emps["reception"], period=str(year))
            ctx.run("clerk", row, "hand_over")
        with tl.at(moment + timedelta(hours=3)):
            ctx.run("reception", row, "receive", received_signature="冯静")
        transfers.append(row)
    senders = [(abbr, who) for abbr, who in ROSTER if abbr in MONTHLY_ITEMS]
    for k in range(16):                        # monthly filing before the 10th (002 篇十二)
        abbr, who = senders[k % len(senders)]
        month_start = date(today.year, today.month, 1) - timedelta(days=31 * (16 - k))
        period = f"{month_start.year}-{month_start.month:02d}"
        nxt = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
        moment = datetime.combine(nxt + timedelta(days=2 + k % 8), time(15))
        if not tl.past(moment):
            continue
        items = [dict(register_name=name, record_number=f"{prefix}{n:04d}", quantity=rnd.randint(2, 12),
                      description=f"{period} 本部门形成的{name}")
                 for n, (name, prefix) in enumerate(MONTHLY_ITEMS[abbr], start=10 * k + 1)]
        with tl.at(moment):
            row = _create_with_items(ctx, "clerk", "archive_transfer", items, kind="monthly_filing",
                                     from_dept=depts[abbr], from_person=emps[who], to_dept=depts["XZ"],
                                     to_person=emps["reception"], period=period)
        transfers.append(row)
        if k == 15:
            continue                            # prepared, not handed yet
        with tl.at(moment + timedelta(minutes=30)):
            ctx.run("clerk", row, "hand_over")
        if k == 14:
            continue                            # waiting for the office archivist's signature
        if k == 5:
            with tl.at(moment + timedelta(hours=2)):
                ctx.run("reception", row, "send_back", reason="清单缺少本月第3份记录，请补齐后重新移交。")
            with tl.at(moment + timedelta(days=1)):
                ctx.run("clerk", row, "hand_over", comment="已补齐")
        with tl.at(moment + timedelta(days=1, hours=2)):
            ctx.run("reception", row, "receive", received_signature="冯静")
    for k in range(8):                         # documents from trips, before reimbursement
        who, abbr, what = TRAVEL[k % len(TRAVEL)]
        moment = (now - timedelta(days=220 - k * 25)).replace(hour=14, minute=0, second=0)
        items = [dict(register_name="出差带回资料", record_number=f"CL-{moment:%Y%m}-{k + 1:02d}", quantity=1,
                      description=what)]
        with tl.at(moment):
            row = _create_with_items(ctx, "clerk", "archive_transfer", items, kind="travel_handover",
                                     from_dept=depts[abbr], from_person=emps[who], to_dept=depts["YX"],
                                     to_person=emps["clerk"], period=f"{moment:%Y-%m}",
                                     reimbursement_claim_ref=f"BX-{moment:%Y%m}-{k + 31:03d}")
            ctx.run("clerk", row, "hand_over")
            if k != 7:
                ctx.run("clerk", row, "receive", received_signature="刘静")
        transfers.append(row)
    counts["archive_transfers"] = len(transfers)

    # F-78 客户服务体系记录检查 (every 6 months) ------------------------------
    inspections = []
    for k in range(10):
        inspected = date(today.year, 6 if today.month >= 7 else 1, 15) - timedelta(days=182 * (9 - k))
        inspected = min(inspected, today)
        abbr = ("XS1", "XS2", "KF")[k % 3]
        with tl.at(datetime.combine(inspected, time(16))):
            inspections.append(ctx.create(
                ("clerk", "salesmgr", "marketing")[k % 3], "record_inspection",
                inspected_at=inspected, inspector=emps[("clerk", "salesmgr", "marketing")[k % 3]],
                inspected_dept=depts[abbr],
                scope=f"{depts[abbr].name}客户服务体系记录的填写、编号、保存和借阅情况",
                findings=("记录填写及时完整，个别客户访问表负责人未签名。" if k % 2 else
                          "档案柜存放整齐；发现两份记录不能填写的项目未用单杠划去。"),
                actions="已要求责任人当月补签并按000-四 43条更正，下次检查复核。"))
    counts["record_inspections"] = len(inspections)

    # F-79 文书声像档案 --------------------------------------------------------
    files = []
    subjects = (
        ("meeting_papers", "document", "ZJB", "年度经营工作会议资料（通知、报告、决议、领导讲话）", "internal"),
        ("personnel", "document", "RL", "员工人事档案（销售、售后岗位）", "restricted"),
        ("drawings", "document", "JS", "SCS-100动态汽车衡秤台工程图纸", "secret"),
        ("technical", "electronic", "JS", "计重收费系统软件技术资料及源代码备份", "secret"),
        ("fixed_assets", "document", "CW", "固定资产清单（检测、维修设备工具）", "internal"),
        ("superior_documents", "document", "ZJB", "集团公司来文（决定、规定、计划）", "internal"),
        ("outgoing_documents", "document", "XZ", "对外正式发文与来往文书", "internal"),
        ("requests_replies", "document", "XZ", "请示与批复", "internal"),
        ("work_reports", "document", "YX", "营销部年度工作报告、总结", "internal"),
        ("internal_records", "document", "XS1", "销售一部工作计划、统计报表及重要工作记录", "internal"),
        ("visits_petitions", "document", "XZ", "来人来访登记及信访工作资料", "internal"),
        ("contracts", "document", "XS1", "动态汽车衡销售合同及技术协议", "restricted"),
        ("appointments_rewards", "document", "RL", "管理人员任免、员工奖励及处分文件", "restricted"),
        ("regulations", "electronic", "XZ", "公司规章制度、实施细则及程序文件汇编", "internal"),
        ("history_media", "audiovisual", "XZ", "公司大事记、产品发布会照片及录像", "internal"),
        ("contracts", "document", "KF", "商品保养合同书及维修服务协议", "internal"),
        ("technical", "document", "KF", "维修技术手册、零件手册及零件价目表", "internal"),
        ("meeting_papers", "audiovisual", "YX", "客户座谈会录音、会议纪要", "internal"),
    )
    custodians = {"XZ": "reception", "YX": "clerk", "XS1": "clerk", "KF": "clerk"}
    for k in range(36):
        category, medium, abbr, title, level = subjects[k % len(subjects)]
        year = today.year - 1 - (k // len(subjects))
        actor = "reception" if abbr in ("ZJB", "XZ", "RL", "CW", "JS") else "clerk"
        custodian = emps[custodians.get(abbr, "reception")]
        moment = datetime(year + 1, 1 + k % 3, 9 + k % 15, 10, 0)
        with tl.at(moment):
            files.append(ctx.create(
                actor, "archive_file", year=year, volume_no=f"{year}-{depts[abbr].abbr}-{k % len(subjects) + 1:02d}",
                category=category, title=f"{year}年{title}", medium=medium, origin_dept=depts[abbr],
                custodian=custodian, location=f"档案室{1 + k % 6}号柜第{1 + k % 4}层" if medium != "electronic"
                else "档案服务器 /archive/" + str(year), pages=rnd.randint(12, 260),
                confidentiality=level,
                electronic_backup_at=(min(moment, now) - timedelta(days=3)).date()
                if medium == "electronic" else None,
                index_terms=f"{depts[abbr].name}；{year}；{title[:8]}"))
    counts["archive_files"] = len(files)
    return counts


# ---------------------------------------------------------------------------
# Controlled documents (F-83) and their amendments (F-82)
# ---------------------------------------------------------------------------

# title, doc_no, version, issuer, owner, effective date, source, referenced only, filer
POLICIES = (
    ("客户服务及产品需求信息管理办法", "SW-XS-001", "A/0", "宝鸡四维衡器有限公司", "YX", date(2010, 10, 8), "000-一", False, "clerk"),
    ("售后服务管理办法", "SW-XS-002", "A/0", "宝鸡四维衡器有限公司", "KF", date(2010, 10, 8), "000-二", False, "clerk"),
    ("客户接待管理办法", "SW-XZ-003", "A/0", "宝鸡四维衡器有限公司", "XZ", date(2010, 10, 8), "000-三", False, "reception"),
    ("客户关系服务体系控制程序文件", "SW-XS-004", "A/0", "宝鸡四维衡器有限公司", "YX", date(2010, 10, 8), "000-四", False, "clerk"),
    ("客户服务管理办法", "QD-YX-01", "A/0", "北京清大亿宁太阳能有限公司", "YX", date(2008, 1, 20), "001-服务", False, "clerk"),
    ("客户提案意见处理规定", "QD-YX-02", "A/0", "北京清大亿宁太阳能有限公司", "YX", date(2008, 1, 20), "001-提案", False, "clerk"),
    ("售后服务管理办法（清大亿宁）", "QD-YX-03", "A/0", "北京清大亿宁太阳能有限公司", "KF", date(2008, 1, 20), "001-售后", False, "clerk"),
    ("客户投诉案件处理规则", "QD-YX-04", "A/0", "北京清大亿宁太阳能有限公司", "PZ", date(2008, 1, 20), "001-投诉", False, "quality"),
    ("客户名簿处理制度", "QD-YX-05", "A/0", "北京清大亿宁太阳能有限公司", "YX", date(2008, 1, 20), "001-名簿", False, "clerk"),
    ("顾客反馈控制程序", "ABC-QP-15", "A/0", "ABC有限公司", "YX", date(2012, 3, 1), "003", False, "quality"),
    ("服务控制程序", "QP-7.5-02", "A/0", "（未署名）", "YX", date(2012, 5, 1), "004", False, "quality"),
    ("档案管理制度（文书档案）", "GL-XZ-12", "A/0", "（汇编 篇十二）", "XZ", date(2011, 6, 1), "002 篇十二", False, "reception"),
    ("纠正预防措施控制程序", "ABC-QP-16", None, "ABC有限公司", "PZ", None, "003（引用）", True, "quality"),
    ("顾客满意度评估程序", "QP-8.2-01", None, None, "YX", None, "004（引用）", True, "quality"),
    ("客户报怨处理控制程序", "QP-8.2-03", None, None, "PZ", None, "004（引用）", True, "quality"),
    ("记录控制程序", "QP-4.2-02", None, None, "XZ", None, "004（引用）", True, "quality"),
    ("销售人员管理办法", None, None, None, "YX", None, "001-服务 第八条（引用）", True, "clerk"),
    ("客户提案表彰规定", None, None, None, "YX", None, "001-提案 第七条（引用）", True, "clerk"),
    ("内销业务处理办法", None, None, None, "YX", None, "001-投诉 第八条（引用）", True, "clerk"),
    ("有关销售业务处理规定", None, None, None, "YX", None, "001-投诉 第二十条（引用）", True, "clerk"),
    ("客诉损失金额核算基准", "附件1", None, None, "PZ", None, "002 篇五（引用）", True, "quality"),
    ("客诉罚扣判定基准", None, None, None, "PZ", None, "002 篇五（引用）", True, "quality"),
    ("客诉行政处理原则", None, None, None, "RL", None, "002 篇五（引用）", True, "reception"),
    ("质量考核实施规则", None, None, None, "PZ", None, "002 篇七（引用）", True, "quality"),
    ("客服部调试项目工作系数", "附件一", None, None, "KF", None, "002 篇七（引用）", True, "clerk"),
    ("客服人员销售备品备件相关规定", "附件二", None, None, "KF", None, "002 篇七（引用）", True, "clerk"),
    ("公司图书资料管理办法", None, None, None, "XZ", None, "000-二 §七.3（引用）", True, "reception"),
    ("材料、成品仓库管理办法", None, None, None, "XZ", None, "000-二 §六.3（引用）", True, "reception"),
    ("客户档案管理规程和查阅利用细则", None, None, None, "YX", None, "000-一 第二十一条（待制订）", True, "clerk"),
    ("泰达公司收费原则和常用元器件报价", None, None, None, "KF", None, "002 篇七（引用）", True, "clerk"),
)
CHANGES = (
    ("服务控制程序", "A/1", "①", "顾客查询当天回复", "顾客查询当天回复；需收集资料的三个工作日内回复",
     "内审发现回复时限不明确"),
    ("服务控制程序", "A/2", "②", "满意度调查计划12月底前完成", "满意度调查计划12月底前完成，经业务部负责人和总经理批准",
     "管理评审决议"),
    ("顾客反馈控制程序", "A/1", "①", "信息等级分AA、A、B三级", "信息等级分AA、A、B三级，并明确24/48/72小时答复时限",
     "客户抱怨答复不及时"),
    ("客户接待管理办法", "A/1", "①", "来客人数在10人以内陪客不得超过4人", "明确司机不计入陪客人数",
     "执行中对司机是否计入有争议"),
    ("客户关系服务体系控制程序文件", "A/1", "①", "记录保存期限初定为三年", "与产品性能有关的记录保存期与产品寿命周期一致",
     "质量体系审核意见"),
    ("客户关系服务体系控制程序文件", "A/2", "②", "销售部门每6个月检查一次", "检查结果形成记录并报营销部部长",
     "记录检查缺少书面结果"),
    ("售后服务管理办法", "A/1", "①", "维修服务收费应事先声明", "收费须出示维修项目与收费标准表",
     "客户对收费标准有异议"),
    ("客户提案意见处理规定", "A/1", "①", "研究分析时间原则上不超过一个月", "超过一个月的须书面报告具体日程安排",
     "提案答复延误"),
    ("档案管理制度（文书档案）", "A/1", "①", "部门档案员每月归档", "部门档案员每月10日前归档并签字移交",
     "归档不及时"),
    ("客户投诉案件处理规则", "A/1", "①", "统计表于下月初5日内填报", "统计表于下月初5日内填报并交销售经理审核",
     "统计表未经审核即上报"),
)


def seed_policies(ctx, rnd, tl):
    from models import PolicyDocument
    counts = {}
    docs = {}
    for k, (title, doc_no, version, issuer, owner, effective, source, referenced, filer) in enumerate(POLICIES):
        filled = (effective - timedelta(days=30)) if effective else tl.real_now.date() - timedelta(days=90 - k)
        values = dict(title=title, doc_no=doc_no, doc_version=version, issuer=issuer,
                      owner_dept=ctx.departments[owner], interpreter=ctx.departments[owner],
                      prepared_by=ctx.employees[filer], referenced_only=referenced, source=source,
                      effective_on=effective, filled_at=filled,
                      file=f"文件柜A-{k + 1:02d}" if not referenced else None,
                      working_group="营销部、品质部、行政管理部" if not referenced else None)
        moment = datetime.combine(filled, time(9))
        with tl.at(moment):
            row = ctx.create(filer, "policy_document", **values)
        docs[title] = row
        if referenced and k % 3 == 0:
            continue                     # referenced documents still to be written
        outcome = "executed" if not referenced else ("approved" if k % 3 == 1 else "pending")
        _walk_approval(ctx, tl, row, moment + timedelta(hours=1), filer, outcome)
    counts["policy_documents"] = len(docs)

    changes = []
    for k, (title, version, mark, before, after, reason) in enumerate(CHANGES):
        doc = PolicyDocument.get_by_id(docs[title].id)
        filer = "quality" if doc.owner_dept.abbr == "PZ" else "clerk"
        changed = tl.real_now.date() - timedelta(days=400 - k * 35)
        with tl.at(datetime.combine(changed, time(10))):
            row = ctx.create(filer, "document_change_record", document=doc, mark=mark, version_after=version,
                             form_no=f"BG-{changed:%Y}-{k + 1:03d}", reason=reason, summary_before=before,
                             summary_after=after, changed_on=changed)
        changes.append(row)
        if k == 9:
            continue                     # drafted
        _walk_approval(ctx, tl, row, datetime.combine(changed, time(11)), filer,
                       "pending" if k == 8 else "executed")
    counts["document_change_records"] = len(changes)
    return counts


def seed(ctx):
    rnd = random.Random(20261204)
    tl = Timeline()
    counts = {}
    try:
        counts.update(seed_reception(ctx, rnd, tl))
        counts.update(seed_meals_and_meetings(ctx, rnd, tl))
        counts.update(seed_proposals(ctx, rnd, tl))
        counts.update(seed_archives(ctx, rnd, tl))
        counts.update(seed_policies(ctx, rnd, tl))
    finally:
        clock.set(tl.previous)
    return counts
