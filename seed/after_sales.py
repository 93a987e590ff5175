"""Demo data of SECTION C: returns, repair and after-sales, spare parts, tools, documents.

Records are filed through the real services as the demo user whose role
files them, and walked through their workflows with the clock set to the
moment of each step, so dates, deadlines and stamps read like real history.
Steps that need a role no demo user holds (副总经理, 财务) are taken only
when such a user exists.
"""
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from peewee import ForeignKeyField

from portal import calendar, clock, registry, services

SEED = 20261203

# product models of a weighing-equipment maker: model, name, whole-product warranty (months)
MODELS = (
    ("SCS-100", "SCS-100电子汽车衡", 18),
    ("DWS-40", "DWS-40动态轴重秤", 12),
    ("JZ-2000", "JZ-2000计重收费系统", 24),
    ("CX-800", "CX-800超限检测系统", 12),
    ("GCS-150", "GCS-150电子轨道衡", 18),
    ("TCS-300", "TCS-300电子台秤", 12),
)
PART_TERMS = (("SCS-100", "称重传感器", 24), ("CX-800", "称重显示仪表", 36),
              ("JZ-2000", "轮轴识别器", 12), ("GCS-150", "秤台结构件", 36))
SPARE_PARTS = (
    # part no, name, specification, class, unit, price, stock, reorder point, substitute
    ("CG-30T", "称重传感器", "柱式 30t C3", "A", "只", "1850", 24, 10, False),
    ("CG-40T", "称重传感器", "桥式 40t C3", "A", "只", "2200", 12, 8, False),
    ("XK3190-A9", "称重显示仪表", "XK3190-A9+", "A", "台", "980", 9, 5, False),
    ("JXH-8", "接线盒", "八线不锈钢", "B", "个", "260", 30, 12, False),
    ("DY-24", "电源模块", "24V 5A", "B", "块", "180", 6, 10, False),
    ("ZB-DWS", "主控板", "DWS-40用", "A", "块", "3200", 4, 3, False),
    ("LZ-SB", "轮轴识别器", "压电式", "A", "套", "5600", 3, 2, False),
    ("DG-XQ", "地感线圈", "2m×1m", "C", "套", "320", 40, 15, False),
    ("GS-12", "光栅分车器", "12光束", "A", "对", "4800", 2, 2, False),
    ("XWQ-01", "限位器", "汽车衡用", "C", "个", "45", 120, 40, False),
    ("SJX-10", "信号电缆", "六芯屏蔽 10m", "C", "根", "85", 60, 20, False),
    ("DYJ-76", "票据打印机", "针式 76mm", "B", "台", "650", 5, 4, False),
    ("FLQ-8", "防雷器", "信号防雷", "B", "个", "210", 18, 10, False),
    ("ZC-6205", "轴承", "6205-2RS", "C", "个", "28", 200, 50, False),
    ("GB-12", "秤台钢板", "12mm Q235", "C", "块", "760", 8, 4, False),
    ("SJQ-20", "数据采集器", "JZ-2000用", "A", "台", "4200", 3, 2, False),
    ("TH-A9", "称重显示仪表（替补整机）", "XK3190-A9 整机", "A", "台", "980", 3, 1, True),
    ("TH-DWS", "动态称重控制器（替补整机）", "DWS-40 整机", "A", "台", "8600", 2, 1, True),
    ("TH-TCS", "电子台秤（替补整机）", "TCS-300 整机", "B", "台", "1500", 4, 1, True),
)
SYMPTOMS = (
    ("称重显示跳数，空秤不回零", "仪表读数不稳"),
    ("过车后称重数据偏小约2%", "计量误差超差"),
    ("仪表黑屏无显示", "雷雨后设备不能开机"),
    ("动态称重轴数识别错误", "轮轴识别器误判"),
    ("打印机卡纸、票据模糊", "票据打印故障"),
    ("数据无法上传收费站服务器", "通讯中断"),
    ("秤台一角下沉，限位器松动", "秤台结构问题"),
    ("传感器信号无输出", "某一路传感器损坏"),
)
ONSITE_WORK = (
    "更换损坏的称重传感器一只，重新标定，四角误差合格，客户试秤确认。",
    "紧固接线盒端子、更换受潮信号电缆，仪表显示恢复稳定。",
    "更换防雷器与电源模块，设备恢复正常运行，建议加装接地。",
    "重新调整限位器间隙，清理秤台底部积泥，复检合格。",
    "更换打印机色带并调整走纸机构，打印正常。",
    "重装通讯程序，恢复与收费站服务器的数据上传。",
)
SHOP_WORK = (
    "拆检仪表主板，更换A/D转换芯片及电源滤波电容，老化试验24小时合格。",
    "更换主控板并升级程序，台架模拟过车500次，识别准确。",
    "轮轴识别器重新灌封并更换压电条，检测合格。",
    "仪表更换按键膜及显示屏，通电检测正常。",
)
TOOLS = (
    ("数字万用表", "FLUKE 17B+", "680"), ("钳形电流表", "UT204+", "320"),
    ("标准砝码组", "M1级 20kg×50", "26000"), ("兆欧表", "ZC-7 500V", "540"),
    ("笔记本电脑（调试用）", "ThinkPad E14", "5200"), ("示波器", "DS1102Z-E", "3100"),
    ("液压千斤顶", "50t 立式", "1200"), ("水准仪", "DS32", "1800"),
    ("电烙铁工作站", "936D", "260"), ("工具包（组合套装）", "世达 53件", "450"),
    ("扭力扳手", "20-100N·m", "380"), ("电缆测试仪", "NF-8601", "290"),
)
PROVIDERS = (
    ("陕西秦衡计量服务有限公司", "authorised", "西北区"), ("兰州陇衡衡器维修部", "repairer", "西北区"),
    ("石家庄冀衡维修服务站", "station", "华北区"), ("太原晋衡衡器服务中心", "authorised", "华北区"),
    ("南京宁衡计量维修站", "station", "华东区"), ("杭州衡达衡器维修部", "repairer", "华东区"),
    ("广州穗衡计量服务公司", "authorised", "华南区"), ("成都蓉衡维修服务站", "station", "西南区"),
    ("本公司售后服务队（西北）", "own_team", "西北区"), ("本公司售后服务队（华北）", "own_team", "华北区"),
)
FEES = (
    ("上门检测（市区）", None, "200", None, "次"), ("上门检测（郊区）", None, "300", None, "次"),
    ("汽车衡标定", "SCS-100", "800", None, "次"), ("传感器更换（含工时）", "SCS-100", "300", "1850", "只"),
    ("仪表维修", None, "150", None, "台"), ("主控板更换", "DWS-40", "500", "3200", "块"),
    ("轮轴识别器维修", "JZ-2000", "600", "5600", "套"), ("秤台调整、限位器更换", None, "350", "45", "次"),
    ("数据通讯故障处理", "JZ-2000", "400", None, "次"), ("打印机维修", None, "100", "650", "台"),
    ("防雷器更换", None, "120", "210", "个"), ("年度保养（汽车衡）", "SCS-100", "1100", None, "人天"),
)
DOCS = (
    ("tech_manual", "SCS-100电子汽车衡技术手册", "SCS-100", False),
    ("parts_manual", "SCS-100电子汽车衡零件手册", "SCS-100", False),
    ("parts_price_list", "2026年零件价目表", None, False),
    ("repair_guide", "DWS-40动态轴重秤检测、维修指导手册", "DWS-40", False),
    ("repair_guide", "JZ-2000计重收费系统检测、维修指导手册", "JZ-2000", False),
    ("tech_charts", "CX-800超限检测系统电气原理图", "CX-800", True),
    ("instructions", "GCS-150电子轨道衡技术说明书", "GCS-150", False),
    ("tech_charts", "JZ-2000数据采集器电路板图", "JZ-2000", True),
    ("periodical", "《衡器》杂志2026年合订本", None, False),
    ("reference_book", "《电子衡器检定规程》汇编", None, False),
    ("tech_manual", "DWS-40动态称重算法说明", "DWS-40", True),
    ("repair_guide", "CX-800超限检测系统检测、维修指导手册", "CX-800", False),
    ("instructions", "TCS-300电子台秤使用说明书", "TCS-300", False),
    ("parts_manual", "XK3190-A9仪表零件手册", "SCS-100", False),
)


class Moments:
    """Freeze the portal clock at each step's moment; restore it at the end."""

    def __init__(self):
        self.previous = clock.now() if clock._frozen is not None else None

    def at(self, moment):
        real = datetime.now().replace(microsecond=0)
        clock.set(min(moment, real))

    def restore(self):
        clock.set(self.previous)


def create_with(ctx, username, register, children=(), **values):
    """File a record (and the child rows of a multi-row form) as that user."""
    spec = registry.get(register)

    def saved(row):
        counts = {}
        for model, rows in children:
            fk = next(f for f in model._meta.sorted_fields
                      if isinstance(f, ForeignKeyField) and f.rel_model is spec.model)
            for item in rows:
                model.create(**{fk.name: row.id}, **item)
            counts[fk.backref] = [None, len(rows)]
        return counts
    row = services.create(ctx.users[username], spec.model, values, comment="演示数据",
                          on_saved=saved if children else None)
    ctx.created.setdefault(register, []).append(row)
    return row


def update(ctx, username, row, **values):
    return services.update(ctx.users[username], row, values, row.version, comment="演示数据")


def holder_of(ctx, role):
    """A demo user holding `role`, if any (副总经理 and 财务 have no demo login)."""
    for name, user in ctx.users.items():
        if user.has_role(role):
            return name
    return None


def working_moments(end_day, count, rnd, start_hour=8, end_hour=16):
    """`count` moments on working days before `end_day`, newest last."""
    out, day = [], end_day
    while len(out) < count:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            out.append(datetime.combine(day, time(rnd.randint(start_hour, end_hour),
                                                  rnd.choice((0, 10, 20, 30, 40, 50)))))
    return list(reversed(out))


def seed(ctx):
    rnd = random.Random(SEED)
    moments = Moments()
    try:
        counts = {}
        counts.update(_returns(ctx, rnd, moments))
        parts, units, contracts = _references(ctx, rnd, moments, counts)
        _repairs(ctx, rnd, moments, counts, parts, units)
        _reports(ctx, rnd, moments, counts)
        _tools_and_documents(ctx, rnd, moments, counts)
        return counts
    finally:
        moments.restore()


# ---------------------------------------------------------------------------
# 2.E Returns, allowances, exchanges
# ---------------------------------------------------------------------------

def _returns(ctx, rnd, moments):
    emps = ctx.employees
    deputy = holder_of(ctx, "deputy_gm")
    finance = holder_of(ctx, "finance")
    fillers = ("sales", "sales2", "regional")
    visible = {u: [c for c in ctx.visible_customers(u) if c.confidentiality == "internal"]
               for u in fillers}
    start = ctx.today - timedelta(days=150)

    def complaint(i, username, mode):
        cust = visible[username][i % len(visible[username])]
        model = MODELS[i % len(MODELS)]
        qty = rnd.choice((2, 4, 6, 8, 10, 12))
        return ctx.create(
            username, "complaint", customer=cust, received_by=emps[username],
            channel=rnd.choice(("phone", "letter", "customer_visit")), type="complaint",
            cause_class="quality" if i % 4 else "non_quality",
            title=f"{model[1]}{'质量异常' if i % 4 else '发货差错'}",
            content=f"客户反映{model[1]}{SYMPTOMS[i % len(SYMPTOMS)][0]}，要求"
                    f"{'折让或赔偿' if mode == 'allowance' else '退货重处理'}。",
            customer_request=["price_cut", "damages"] if mode == "allowance" else ["return"],
            order_no=f"XS{2026000 + i * 13}", part_no=f"{model[0]}-{100 + i}",
            quantity=qty * 2, defect_qty=qty, delivery_amount=str(qty * 2 * 8600),
            resolution_mode="allowance" if mode == "allowance" else "return_rework",
            loss_amount=str(qty * rnd.choice((600, 800, 1200))))

    allowances, notes = [], []
    for i in range(32):
        username = fillers[i % 3]
        moments.at(datetime.combine(start + timedelta(days=4 * i), time(9, 30)))
        case = complaint(i, username, "allowance")
        moments.at(datetime.combine(start + timedelta(days=4 * i + 1), time(10, 0)))
        row = ctx.create(username, "sales_allowance_certificate", complaint=case,
                         kind="allowance" if i % 3 else "compensation",
                         amount=str(case.loss_amount),
                         invoice_no=f"No.{61000000 + i * 371:08d}",
                         reason=f"按投诉 {case.record_no} 核决结果，对不良品给予"
                                f"{'折让' if i % 3 else '赔款'}。")
        allowances.append(row)
        stage = i % 8
        if stage == 0:
            continue
        ctx.run(username, row, "submit", comment="请核签")
        if stage == 1:
            continue
        moments.at(datetime.combine(start + timedelta(days=4 * i + 2), time(11, 0)))
        if stage == 2:
            ctx.run("salesmgr", row, "reject", reason="折让金额与核决金额不符，请核对后重新提交。")
            continue
        if stage == 3:
            ctx.run(username, row, "cancel", comment="客户改为退货处理")
            continue
        ctx.run("salesmgr", row, "approve", comment="同意")
        if deputy and stage >= 5:
            ctx.run(deputy, row, "approve", comment="同意")
            if stage >= 6:
                ctx.run(username, row, "seal", sealed_at=start + timedelta(days=4 * i + 6))

    for i in range(32):
        username = fillers[(i + 1) % 3]
        moments.at(datetime.combine(start + timedelta(days=4 * i + 1), time(14, 0)))
        case = complaint(i + 40, username, "return")
        moments.at(datetime.combine(start + timedelta(days=4 * i + 2), time(9, 0)))
        approved = case.defect_qty
        row = ctx.create(username, "finished_goods_return_note", complaint=case,
                         reason=f"{case.title}：{SYMPTOMS[i % len(SYMPTOMS)][1]}，经检验属实。",
                         handling="return" if i % 3 else "rework",
                         basis=f"投诉 {case.record_no} 客户抱怨处理表第四联核定",
                         part_no=case.part_no, approved_qty=approved,
                         over_accept_ratio="5" if i % 4 == 0 else None)
        notes.append(row)
        stage = i % 7
        if stage == 0:
            continue
        ctx.run(username, row, "submit")
        if stage == 1:
            continue
        moments.at(datetime.combine(start + timedelta(days=4 * i + 3), time(10, 30)))
        if stage == 2:
            ctx.run("salesmgr", row, "reject", reason="退回依据不足，请附客户抱怨处理表第四联。")
            continue
        ctx.run("salesmgr", row, "approve")
        if stage == 3:
            continue
        moments.at(datetime.combine(start + timedelta(days=4 * i + 8), time(15, 0)))
        short = stage == 5
        ctx.run("quality", row, "receive", actual_qty=approved - 1 if short else approved,
                note="实收少一台，经业务部请示按实际数量签收。" if short else None)
        if stage >= 5:
            ctx.create(username, "sales_return_certificate", return_note=row,
                       buyer=case.customer.name, qty=row.actual_qty,
                       unit_price="8600.00", buyer_stamp=True,
                       sent_to_accounting_at=start + timedelta(days=4 * i + 9))
            if finance:
                ctx.run(finance, row, "book", evidence="return_certificate",
                        voucher_no=f"记-{2026}{i + 101:04d}")
        elif finance:
            ctx.run(finance, row, "book", evidence="stamped_invoice",
                    voucher_no=f"记-{2026}{i + 101:04d}")

    # return/exchange causes and responsibility (000-二 §四)
    responsible = (("PZ", "高远"), ("JS", "孙浩"), ("KF", "马超"), ("XS1", "sales"),
                   ("XS2", "何平"))
    causes = ("出厂检验漏检，传感器密封不良", "发货时型号配错", "运输包装不良造成仪表破损",
              "安装调试不到位导致计量超差", "客户选型不当，经协商换货", "软件版本与客户系统不兼容")
    received = [n for n in notes if n.state == "executed"]
    for i in range(32):
        moments.at(datetime.combine(start + timedelta(days=4 * i + 10), time(16, 0)))
        dept, person = responsible[i % len(responsible)]
        if i < len(received):
            note = received[i]
            username = next(u for u in fillers if note.filled_by_id == emps[u].id)
            ctx.create(username, "return_exchange_record", type="return",
                       complaint=note.complaint, return_note=note, product=note.part_no,
                       qty=note.actual_qty, cause=causes[i % len(causes)],
                       responsible_dept=ctx.departments[dept], responsible_person=emps[person],
                       for_performance=i % 5 != 0, voucher_no=note.voucher_no)
        else:
            username = fillers[i % 3]
            cust = visible[username][(i * 3) % len(visible[username])]
            model = MODELS[i % len(MODELS)]
            ctx.create(username, "return_exchange_record", type="exchange", customer=cust,
                       product=model[1], qty=rnd.choice((1, 1, 2)), cause=causes[i % len(causes)],
                       responsible_dept=ctx.departments[dept], responsible_person=emps[person],
                       for_performance=True, invoice_no=f"No.{62000000 + i * 53:08d}")
    return {"sales_allowance_certificate": len(allowances),
            "finished_goods_return_note": len(notes),
            "sales_return_certificate": len(ctx.created.get("sales_return_certificate", [])),
            "return_exchange_record": 32}


# ---------------------------------------------------------------------------
# Reference registers: spare parts, warranty terms, product units, contracts,
# expiry notices, fee schedule, service providers
# ---------------------------------------------------------------------------

def _references(ctx, rnd, moments, counts):
    emps = ctx.employees
    moments.at(datetime.combine(ctx.today - timedelta(days=400), time(9, 0)))
    parts = []
    for part_no, name, specification, abc, unit, price, stock, reorder, sub in SPARE_PARTS:
        parts.append(ctx.create("service", "spare_part", part_no=part_no, name=name,
                                specification=specification, abc_class=abc, unit=unit,
                                unit_price=price, stock_qty=stock, reorder_point=reorder,
                                is_substitute=sub,
                                purchase_plan="按季度采购，A类件保持两个月用量" if abc == "A" else None))
    for i in range(17):       # further sizes of the common parts
        base = SPARE_PARTS[i % 4]
        size = (10, 20, 50, 60)[i % 4] if base[1] == "称重传感器" else i + 2
        parts.append(ctx.create("service", "spare_part", part_no=f"{base[0]}-{i + 1:02d}",
                                name=base[1], specification=f"{base[2]}（{size}型）",
                                abc_class=base[3], unit=base[4],
                                unit_price=str(Decimal(base[5]) + 20 * i), stock_qty=(i * 7) % 25,
                                reorder_point=6))
    counts["spare_part"] = len(parts)

    terms = {}
    for model, name, months in MODELS:
        terms[(model, None)] = ctx.create(
            "service", "warranty_term", model=model, warranty_period=months,
            quality_period=months + 6, in_product_materials=True,
            valid_from=date(ctx.today.year - 3, 1, 1))
    for model, part, months in PART_TERMS:
        terms[(model, part)] = ctx.create(
            "service", "warranty_term", model=model, part=part, warranty_period=months,
            quality_period=months, in_product_materials=model != "JZ-2000",
            promo_override="2025年秋季促销期间购买的，传感器保修延长至36个月" if part == "称重传感器" else None,
            notified_after_sales_at=date(ctx.today.year - 1, 9, 1) if part == "称重传感器" else None,
            valid_from=date(ctx.today.year - 2, 1, 1))
    counts["warranty_term"] = len(terms)

    from models import ProductUnitWarranty, ServiceContractUnit
    owners = {}
    for username in ("sales", "sales2", "regional"):
        for cust in ctx.visible_customers(username):
            if cust.confidentiality == "internal":
                owners.setdefault(cust.id, (username, cust))
    customers = list(owners.values())
    units = []
    for i in range(36):
        username, cust = customers[i % len(customers)]
        model, name, _ = MODELS[i % len(MODELS)]
        sold = ctx.today - timedelta(days=60 + (i * 47) % 1000)
        installed = sold + timedelta(days=7 + i % 20)
        applicable = [{"term": terms[(model, None)].id, "note": "整机"}]
        applicable += [{"term": t.id, "note": part} for (m, part), t in terms.items()
                       if m == model and part]
        moments.at(datetime.combine(installed, time(15, 0)))
        units.append(create_with(
            ctx, "service", "product_unit", children=[(ProductUnitWarranty, applicable)],
            customer_name=cust.name, model=model, serial=f"SW{installed.year}{1000 + i * 17}",
            sold_on=sold, installed_on=installed, site=cust.address or "客户现场"))
    counts["product_unit"] = len(units)

    contracts = []
    for i in range(30):
        username, cust = customers[(i * 5) % len(customers)]
        end_on = ctx.today + timedelta(days=(i - 8) * 9)
        start_on = end_on - timedelta(days=365 * (1 + i % 2))
        own_units = [u for u in units if u.customer_name == cust.name][:2]
        moments.at(datetime.combine(min(start_on, ctx.today), time(10, 0)))
        contracts.append(create_with(
            ctx, username, "service_contract",
            children=[(ServiceContractUnit, [{"product_unit": u.id} for u in own_units])],
            contract_no=f"BY-{start_on.year}-{101 + i:03d}", customer=cust, start_on=start_on,
            end_on=end_on, fee=str(8000 + (i % 6) * 1500), signed_by=emps[username],
            fee_terms="合同签订后支付50%，半年后支付余款；合同期内更换零件按成本价收费。",
            scope="每季度上门保养一次，含检定前校准；接报修后按六/七小时派工制到达。"))
    counts["service_contract"] = len(contracts)

    notices = 0
    for i, contract in enumerate(contracts):
        from portal.calendar import add_months
        due = add_months(contract.end_on, -1)
        if i % 6 == 5 and due > ctx.today + timedelta(days=60):
            continue      # far from expiry: no notice yet
        username = next(u for u in ("sales", "sales2", "regional")
                        if contract.filled_by_id == emps[u].id)
        sent = None
        if due <= ctx.today:
            sent = min(due + timedelta(days=(i % 9) - 4), contract.end_on, ctx.today)
        moments.at(datetime.combine(sent or min(due - timedelta(days=3), ctx.today), time(11, 0)))
        ctx.create(username, "warranty_expiry_notice", contract=contract,
                   content=f"贵单位与我公司签订的商品保养合同（{contract.contract_no}）将于"
                           f"{contract.end_on.isoformat()}期满，欢迎续签。",
                   sent_at=sent, sent_by=emps[username] if sent else None,
                   renewal_intent=("客户有意续签，要求增加传感器备件" if i % 3 == 0 else None))
        notices += 1
    counts["warranty_expiry_notice"] = notices

    moments.at(datetime.combine(ctx.today - timedelta(days=380), time(9, 0)))
    for item, model, fee, base, unit in FEES:
        ctx.create("service", "service_fee_schedule", item=item, product_model=model,
                   standard_fee=fee, component_base_price=base, unit=unit,
                   valid_from=date(ctx.today.year, 1, 1))
    counts["service_fee_schedule"] = len(FEES)
    for i, (name, kind, region) in enumerate(PROVIDERS):
        ctx.create("service", "service_provider", name=name, type=kind, region=ctx.regions[region],
                   contact=f"{'王李张刘陈杨黄赵吴周'[i]}经理", phone=f"0{29 + i}-8{i}66{i:04d}",
                   address=f"{region}{name}",
                   contract=f"委托协议 WT-{2024 + i % 2}-{i + 1:02d}" if kind in ("authorised", "repairer") else None,
                   cost_contracting="按维修工单结算：工时费按收费标准70%，零件按成本价，年度考核返还5%。"
                   if kind == "station" else None,
                   network_node=kind != "own_team")
    counts["service_provider"] = len(PROVIDERS)
    return parts, units, contracts


# ---------------------------------------------------------------------------
# 2.F Repair calls (WF-03), vouchers, receipts, goods ledger, repair tags
# ---------------------------------------------------------------------------

ONSITE_ENDS = ("completed_onsite", "signed", "invoiced", "cancelled", "filed", "filed")
TAKE_BACK_ENDS = ("taken_back", "inspected", "returned", "invoiced", "cancelled", "filed")


def _repairs(ctx, rnd, moments, counts, parts, units):
    emps = ctx.employees
    techs = (emps["马超"], emps["马超"], emps["孙浩"])
    chief = emps["service"]
    plan = (["registered"] * 4 + ["dispatched"] * 5 + ["arrived"] * 3
            + ["onsite"] * 18 + ["take_back"] * 14)
    rnd.shuffle(plan)
    # the undispatched and open calls are the newest
    plan.sort(key=lambda p: {"registered": 3, "dispatched": 2, "arrived": 1}.get(p, 0))
    calls = working_moments(ctx.today, len(plan), rnd, 8, 15)
    onsite_i = take_i = 0
    ledger_users = ("sales", "sales2", "regional")
    for i, (path, called) in enumerate(zip(plan, calls)):
        unit = units[(i * 7) % len(units)]
        symptom, problem = SYMPTOMS[i % len(SYMPTOMS)]
        in_warranty = unit.warranty_until is not None and unit.warranty_until >= called.date()
        service_type = "free" if in_warranty else ("contract" if i % 5 == 0 else "paid")
        zone = "urban" if i % 3 else "suburban"
        tech = techs[i % len(techs)]
        moments.at(called)
        req = ctx.create("service", "repair_request", called_at=called, received_by=emps["杨帆"],
                         channel=("repair_call", "phone", "call_in", "letter", "document")[i % 5],
                         customer_name=unit.customer_name, address=unit.site,
                         phone=f"029-8{(i * 7919) % 10000000:07d}", product_unit=unit,
                         symptom=symptom, problem=problem, zone=zone, service_type=service_type)
        if path == "registered":
            continue
        moments.at(called + timedelta(minutes=40))
        update(ctx, "service", req, technician=tech,
               fault_assessment="初步判断为" + problem + "，需携带" + parts[i % 8].name)
        ctx.run("salesmgr" if i % 4 == 0 else "service", req, "dispatch")
        if path == "dispatched":
            continue
        late = i % 11 == 5
        hours = (rnd.uniform(1.5, 5.0) if zone == "urban" else rnd.uniform(2.0, 6.0))
        arrived = calendar.add_working_hours(called, hours + (7 if late else 0)).replace(
            second=0, microsecond=0)
        moments.at(arrived)
        ctx.run("service", req, "arrive", arrived_at=arrived)
        if path == "arrived":
            continue
        paid = service_type == "paid"
        fee = str(rnd.choice((200, 300, 450, 800, 1200, 2300))) if paid else None
        if path == "onsite":
            end = ONSITE_ENDS[onsite_i % len(ONSITE_ENDS)]
            onsite_i += 1
            if end == "invoiced" and not paid:
                end = "cancelled"
            _onsite(ctx, moments, req, unit, tech, chief, service_type, fee, arrived, end, i)
        else:
            end = TAKE_BACK_ENDS[take_i % len(TAKE_BACK_ENDS)]
            take_i += 1
            if end == "invoiced" and not paid:
                end = "cancelled"
            _take_back(ctx, moments, req, unit, tech, chief, service_type, fee, arrived, end, i,
                       parts, ledger_users[i % 3])
    # goods customers bring to the company themselves (公司进出商品簿)
    for i in range(16):
        _walk_in(ctx, rnd, moments, units[(i * 5 + 3) % len(units)], techs[i % 3], chief, parts,
                 ledger_users[i % 3], i)
    for register in ("repair_request", "service_voucher", "goods_receipt",
                     "customer_goods_ledger", "repair_tag", "substitute_loan"):
        counts[register] = len(ctx.created.get(register, []))


def _voucher(ctx, req, unit, tech, service_type, fee, day, work, **extra):
    values = dict(technician=tech, service_type=service_type, served_on=day, work_done=work,
                  fee=fee, product_unit=unit, product_model=unit.model)
    if req is not None:
        values["request"] = req
    else:
        values["customer_name"] = unit.customer_name
    values.update(extra)
    return ctx.create("service", "service_voucher", **values)


def _settle(ctx, moments, voucher, fee, when, i):
    """Fees: small ones collected on site and handed to accounting the same day,
    the others invoiced the same day (000-二 §五.11; 001-售后 第二章 第四条)."""
    if not fee:
        return
    moments.at(datetime.combine(when.date(), time(17, 10)))
    if Decimal(fee) <= 450:
        update(ctx, "service", voucher, fee_collected_on_site=True,
               handed_to_accounting_at=datetime.combine(when.date(), time(17, 10)))
    else:
        update(ctx, "service", voucher, invoice_no=f"No.{63000000 + i * 97:08d}",
               invoice_issued_at=when.date())


def _close(ctx, moments, req, when, end):
    if end in ("cancelled", "filed"):
        moments.at(when + timedelta(days=1))
        ctx.run("service", req, "cancel_call", comment="凭证已签回，注销叫修")
        if end == "filed":
            ctx.run("service", req, "file")
        if when.date() < ctx.today - timedelta(days=3):
            ctx.run("service", req, "send_register")


def _onsite(ctx, moments, req, unit, tech, chief, service_type, fee, arrived, end, i):
    moments.at(arrived + timedelta(minutes=90))
    voucher = _voucher(ctx, req, unit, tech, service_type, fee, arrived.date(),
                       ONSITE_WORK[i % len(ONSITE_WORK)], onsite_completed=True)
    ctx.run("service", req, "complete_onsite")
    if end == "completed_onsite":
        return
    signed_at = arrived + timedelta(minutes=100)
    moments.at(signed_at)
    if i % 9 == 4:
        update(ctx, "service", voucher, signature_exempted_by=chief,
               exemption_reason="客户设备负责人外出，经售后服务中心主任同意免签，已电话确认维修结果。")
    else:
        update(ctx, "service", voucher, customer_signature=True, customer_signed_at=signed_at)
    ctx.run("service", req, "customer_sign")
    if end == "signed":
        return
    _settle(ctx, moments, voucher, fee, signed_at, i)
    if fee and end in ("invoiced", "cancelled", "filed"):
        ctx.run("service", req, "invoice")
    _close(ctx, moments, req, signed_at, end)


def _repair_in_shop(ctx, moments, entry, tech, chief, parts, received, i, inspect=True):
    from models import RepairTagPart  # noqa: F401  (child rows below)
    moments.at(received + timedelta(days=1))
    used = [{"part": parts[(i + k) % 16].id, "qty": 1 + (k % 2)} for k in range(1 + i % 2)]
    tag = create_with(ctx, "service", "repair_tag",
                      children=[(RepairTagPart, used)],
                      ledger_entry=entry, technician=tech, work=SHOP_WORK[i % len(SHOP_WORK)],
                      hours=str(2 + i % 5))
    if inspect:
        moments.at(received + timedelta(days=2, hours=2))
        ctx.run("service", tag, "inspect", comment="复检合格")
    return tag


def _take_back(ctx, moments, req, unit, tech, chief, service_type, fee, arrived, end, i, parts,
               keeper):
    emps = ctx.employees
    moments.at(arrived + timedelta(minutes=60))
    goods = ("称重显示仪表", "动态称重控制器", "轮轴识别器", "票据打印机")[i % 4]
    receipt = ctx.create("service", "goods_receipt", request=req, goods=goods, qty=1,
                         issued_by=tech)
    ctx.run("service", req, "take_back")
    voucher = _voucher(ctx, req, unit, tech, service_type, fee, arrived.date(),
                       f"现场检测{goods}故障，需携回公司修护，已开具收据。", taken_back=True)
    received = arrived + timedelta(hours=3)
    moments.at(received)
    entry = ctx.create(keeper, "customer_goods_ledger", goods=goods, model=unit.model,
                       serial=unit.serial, qty=1, received_at=received, received_by=emps[keeper],
                       receipt=receipt, voucher=voucher,
                       promised_at=(received + timedelta(days=4)).date())
    if i % 3 == 0:
        spare = next(p for p in ctx.created["spare_part"] if p.is_substitute)
        loan = ctx.create("service", "substitute_loan", substitute=spare, ledger_entry=entry,
                          lent_at=received.date(), lent_by=tech)
    else:
        loan = None
    if end == "taken_back":
        _repair_in_shop(ctx, moments, entry, tech, chief, parts, received, i, inspect=False)
        return
    _repair_in_shop(ctx, moments, entry, tech, chief, parts, received, i)
    ctx.run("service", req, "inspect")
    if end == "inspected":
        return
    back = received + timedelta(days=3)
    moments.at(back)
    update(ctx, keeper, entry, returned_at=back)
    update(ctx, "service", receipt, recovered_at=back)
    update(ctx, "service", voucher, customer_signature=True, customer_signed_at=back,
           work_done=voucher.work_done + SHOP_WORK[i % len(SHOP_WORK)])
    if loan is not None:
        update(ctx, "service", loan, returned_at=back.date())
    ctx.run("service", req, "return_goods")
    if end == "returned":
        return
    _settle(ctx, moments, voucher, fee, back, i)
    if fee and end in ("invoiced", "cancelled", "filed"):
        ctx.run("service", req, "invoice")
    _close(ctx, moments, req, back, end)


def _walk_in(ctx, rnd, moments, unit, tech, chief, parts, keeper, i):
    emps = ctx.employees
    received = working_moments(ctx.today - timedelta(days=6 + i * 2), 1, rnd, 9, 15)[0]
    moments.at(received)
    goods = ("称重显示仪表", "电子台秤", "票据打印机", "接线盒")[i % 4]
    receipt = ctx.create("service", "goods_receipt", customer_name=unit.customer_name,
                         goods=goods, qty=1, issued_by=emps["杨帆"])
    in_warranty = unit.warranty_until is not None and unit.warranty_until >= received.date()
    service_type = "free" if in_warranty else "paid"
    fee = str((150, 300, 600)[i % 3]) if service_type == "paid" else None
    voucher = _voucher(ctx, None, unit, tech, service_type, fee, received.date(),
                       f"客户送修{goods}，检测后留厂修护。", taken_back=True)
    entry = ctx.create(keeper, "customer_goods_ledger", customer_name=unit.customer_name,
                       goods=goods, model=unit.model, qty=1, received_at=received,
                       received_by=emps[keeper], receipt=receipt, voucher=voucher,
                       promised_at=(received + timedelta(days=5)).date())
    if i % 4 == 1:
        spare = [p for p in ctx.created["spare_part"] if p.is_substitute][i % 3]
        ctx.create("service", "substitute_loan", substitute=spare, ledger_entry=entry,
                   lent_at=received.date(), lent_by=emps["杨帆"])
    if i % 5 == 0:
        return          # waiting for repair
    _repair_in_shop(ctx, moments, entry, tech, chief, parts, received, i, inspect=i % 5 != 1)
    if i % 5 == 1:
        return
    back = received + timedelta(days=3)
    moments.at(back)
    update(ctx, keeper, entry, returned_at=back)
    update(ctx, "service", receipt, recovered_at=back)
    update(ctx, "service", voucher, customer_signature=True, customer_signed_at=back)
    _settle(ctx, moments, voucher, fee, back, 100 + i)
    if i % 2 == 0:
        moments.at(back + timedelta(days=1))
        update(ctx, "service", voucher, filed_at=(back + timedelta(days=1)).date())


# ---------------------------------------------------------------------------
# Daily reports: technicians (F-54) and the service daily report (F-55)
# ---------------------------------------------------------------------------

def _reports(ctx, rnd, moments, counts):
    from models import ServiceVoucher, TechnicianDailyEntry
    emps = ctx.employees
    days = [m.date() for m in working_moments(ctx.today, 26, rnd)]
    made = 0
    for tech, span in ((emps["马超"], days), (emps["孙浩"], days[-12:])):
        for n, day in enumerate(span):
            vouchers = list(ServiceVoucher.select().where(ServiceVoucher.technician == tech.id,
                                                          ServiceVoucher.served_on == day))
            entries = [{"voucher": v.id, "category": v.service_type,
                        "hours": str(rnd.choice((1.5, 2, 2.5, 3, 4))),
                        "work": (v.work_done or "")[:60]} for v in vouchers]
            used = sum(Decimal(e["hours"]) for e in entries)
            if used < 7:
                entries.append({"category": "admin_work", "hours": str(min(Decimal("8") - used, Decimal("3"))),
                                "work": ("设备工具维护", "零件管理", "短期在职训练", "工作检查")[n % 4]})
            if not vouchers and n % 3 == 0:
                entries.append({"category": "contract", "hours": "4",
                                "work": "合同客户季度保养：汽车衡清理、紧固、校准"})
            moments.at(datetime.combine(day, time(17, 45)))
            report = create_with(ctx, "service", "technician_daily_report",
                                 children=[(TechnicianDailyEntry, entries)],
                                 technician=tech, date=day)
            made += 1
            if day < days[-2]:
                moments.at(datetime.combine(day + timedelta(days=1), time(8, 50)))
                ctx.run("service", report, "review", comment="已核阅存查")
    counts["technician_daily_report"] = made

    daily = 0
    for n, day in enumerate(days[-22:]):
        moments.at(datetime.combine(day, time(17, 55)))
        row = ctx.create("service", "service_daily_report", date=day,
                         notes="昨日未派工叫修已于今日上午优先派工。" if n % 6 == 2 else None)
        daily += 1
        if day < days[-2]:
            moments.at(datetime.combine(day + timedelta(days=1), time(9, 30)))
            ctx.run("gm", row, "countersign", comment="已阅")
            if day < days[-4]:
                ctx.run("service", row, "forward")
    counts["service_daily_report"] = daily


# ---------------------------------------------------------------------------
# 2.G Tools, incident reports, purchases, case reports, technical documents
# ---------------------------------------------------------------------------

def _tools_and_documents(ctx, rnd, moments, counts):
    from models import TechnicalDocumentDistribution
    emps = ctx.employees
    finance = holder_of(ctx, "finance")
    holders = (emps["马超"], emps["孙浩"], emps["service"], emps["杨帆"])
    moments.at(datetime.combine(ctx.today - timedelta(days=300), time(10, 0)))
    tools = []
    for i in range(32):
        name, model, value = TOOLS[i % len(TOOLS)]
        valuable = Decimal(value) >= 3000
        holder = holders[i % len(holders)]
        status = "in_use"
        extra = {}
        if i % 13 == 7:
            status = "lost"
        elif i % 11 == 3:
            status = "damaged"
        elif i % 17 == 5:
            status = "scrapped"
        elif i % 15 == 9:
            status = "handed_over"
            extra = {"handed_over_to": holders[(i + 1) % len(holders)],
                     "handed_over_at": ctx.today - timedelta(days=20 + i)}
        tools.append(ctx.create("service", "tool_custody", tool=name, model=model,
                                value=value, fixed_asset=valuable,
                                asset_no=f"GZ-{2020 + i % 6}-{i + 1:03d}" if valuable else None,
                                custodian=holder, registered_at=ctx.today - timedelta(days=300 - i * 5),
                                status=status, **extra))
    counts["tool_custody"] = len(tools)

    incidents = 0
    for i, tool in enumerate(t for t in tools if t.status in ("lost", "damaged", "scrapped")):
        kind = {"lost": "lost", "damaged": "damaged", "scrapped": "normal_wear"}[tool.status]
        if tool.fixed_asset and kind == "damaged":
            kind = "valuable_damaged"
        ctx.create("service", "tool_incident_report", tool=tool, kind=kind,
                   occurred_on=ctx.today - timedelta(days=40 + i * 9),
                   cause=("在高速公路收费站现场作业后遗失，已报告并寻找未果。" if kind == "lost" else
                          "使用多年，表笔及旋钮磨损老化，属正常损耗。" if kind == "normal_wear" else
                          "搬运途中跌落造成损坏，经检测无法修复。"),
                   compensation=None if kind == "normal_wear" else str(
                       (Decimal(tool.value) * Decimal("0.3")).quantize(Decimal("1"))),
                   decided_by=None if kind == "normal_wear" else emps["service"])
        incidents += 1
    for i in range(max(0, 10 - incidents)):
        tool = tools[(i * 3) % len(tools)]
        ctx.create("service", "tool_incident_report", tool=tool, kind="normal_wear",
                   occurred_on=ctx.today - timedelta(days=10 + i * 6),
                   cause=f"{tool.tool}长期使用，{('电池仓簧片锈蚀', '表笔绝缘层老化', '刻度磨损')[i % 3]}，属正常损耗，申请以旧换新。")
        incidents += 1
    counts["tool_incident_report"] = incidents

    purchases = 0
    for i in range(10):
        name, model, value = TOOLS[(i * 5) % len(TOOLS)]
        qty = 1 + i % 3
        moments.at(datetime.combine(ctx.today - timedelta(days=90 - i * 8), time(10, 0)))
        row = ctx.create("service", "tool_purchase_request", items=f"{name}（{model}）{qty}台",
                         quotes=f"三家询价：{value}元、{int(Decimal(value) * Decimal('1.08'))}元、"
                                f"{int(Decimal(value) * Decimal('1.15'))}元，取最低价。",
                         price=str(Decimal(value) * qty), summary=f"合计 {Decimal(value) * qty} 元，"
                                                                 f"用于{('西北', '华北', '华东')[i % 3]}售后服务队。")
        purchases += 1
        if i % 5 == 0:
            continue
        ctx.run("service", row, "submit")
        if finance and i % 5 >= 2:
            ctx.run(finance, row, "approve", comment="价格合理")
            ctx.run("marketing", row, "approve", comment="同意购置")
            if i % 5 >= 3:
                ctx.run("service", row, "purchase",
                        purchased_at=ctx.today - timedelta(days=80 - i * 8))
    counts["tool_purchase_request"] = purchases

    moments.at(datetime.combine(ctx.today - timedelta(days=200), time(14, 0)))
    cases = (("DWS-40", "雨天过车时轴数识别偶发错误", "压电传感器灌封胶老化吸水，信号漂移",
              "更换压电条并采用双组份防水胶重新灌封，加装排水槽。"),
             ("SCS-100", "夜间称重值缓慢漂移", "接线盒内冷凝水导致绝缘下降",
              "接线盒加装干燥剂并改为底部出线，增加防潮呼吸阀。"),
             ("JZ-2000", "数据采集器每周随机死机一次", "电源在货车启动时受浪涌冲击",
              "增加隔离电源与浪涌抑制模块，程序加入看门狗。"),
             ("CX-800", "仪表通讯口频繁损坏", "现场接地电阻偏大，雷击感应",
              "重做接地网至4欧以下，通讯线加装信号防雷器。"),
             ("GCS-150", "轨道衡动态计量误差偏大", "轨道过渡段不平顺，车辆冲击",
              "调整过渡轨高差，修改滤波参数，动态检定合格。"))
    for i in range(10):
        model, fault, diagnosis, solution = cases[i % len(cases)]
        ctx.create("service", "repair_case_report", technician=(emps["马超"], emps["孙浩"])[i % 2],
                   written_at=ctx.today - timedelta(days=180 - i * 15), product_model=model,
                   fault=fault, diagnosis=diagnosis, solution=solution,
                   confidentiality="secret" if i % 4 == 3 else "internal",
                   custodian=emps["孙浩"])
    counts["repair_case_report"] = 10

    from models import ServiceProvider
    nodes = list(ServiceProvider.select().where(ServiceProvider.network_node == True)  # noqa: E712
                 .order_by(ServiceProvider.id))
    for i, (kind, title, model, secret) in enumerate(DOCS):
        sent = [{"provider": p.id, "sent_at": ctx.today - timedelta(days=100 - k), "copy_count": 1}
                for k, p in enumerate(nodes)] if kind == "repair_guide" else []
        create_with(ctx, "service", "technical_document",
                    children=[(TechnicalDocumentDistribution, sent)],
                    doc_type=kind, title=title, product_model=model, doc_no=f"WX-{i + 1:03d}",
                    location=f"售后服务中心资料柜{1 + i % 3}号", technical_secret=secret,
                    custodian=emps["孙浩"] if i % 3 else emps["service"],
                    acquired_at=ctx.today - timedelta(days=400 - i * 20),
                    acquisition_request="按维修需要申请购置" if kind in ("periodical", "reference_book") else None)
    counts["technical_document"] = len(DOCS)
