"""Demo data of SECTION E: customer engineering, incentives, supplier.

The customer-engineering projects (客户用电申请表, WF-13) are played at their
own dates: the portal clock is moved to each step's day, so stamps, deadlines
and the late flags of the follow-up forms are those of a real project history.
"""
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from portal import clock, services

CONTRACTORS = (
    ("陕西华电电力工程有限公司", "电力工程施工总承包贰级"),
    ("宝鸡市秦川输变电安装有限公司", "承装(修、试)电力设施许可证三级"),
    ("西安西电配电工程有限公司", "电力工程施工总承包叁级"),
    ("甘肃陇电建设工程有限公司", "承装(修、试)电力设施许可证四级"),
    ("咸阳恒通电气安装工程公司", "承装(修、试)电力设施许可证四级"),
    ("陕西建工安装集团有限公司", "机电工程施工总承包壹级"),
    ("渭南昌盛电力设备安装有限公司", "承装(修、试)电力设施许可证五级"),
    ("汉中天汉电力工程有限公司", "电力工程施工总承包叁级"),
    ("榆林能源电力安装有限公司", "承装(修、试)电力设施许可证三级"),
    ("延安宝塔供电服务有限公司", "承装(修、试)电力设施许可证五级"),
)

# (usage nature, voltage, capacity, dual supply, residential lighting, site)
PROJECT_PROFILES = (
    ("工业用电", "high", "1250", False, False, "地磅房及称重车间"),
    ("工业用电", "high", "630", False, False, "汽车衡计量站"),
    ("工业用电", "high", "3150", True, False, "选煤厂装车站"),
    ("商业用电", "high", "315", False, False, "超限检测站"),
    ("非居民照明", "low", "8", False, True, "治超检测点值班室"),
    ("工业用电", "high", "800", False, False, "轨道衡计量房"),
    ("公路收费站用电", "high", "400", True, False, "计重收费站"),
    ("工业用电", "high", "4000", False, False, "原料厂区变电所"),
    ("商业用电", "low", "30", False, False, "衡器维修服务网点"),
    ("居民生活照明", "low", "6", False, True, "站区职工宿舍"),
    ("工业用电", "high", "2000", False, False, "成品发运站"),
    ("公路收费站用电", "high", "200", False, False, "超限检测站监控中心"),
)

# target state of each demo project (40 projects)
TARGETS = (["applied"] * 3 + ["surveyed"] * 3 + ["scheme_replied"] * 3
           + ["design_reviewed"] * 3 + ["started"] * 3 + ["inspecting"] * 3
           + ["completion_reported"] * 3 + ["accepted"] * 3 + ["contract_signed"] * 3
           + ["energised"] * 3 + ["checked"] * 8 + ["withdrawn"] * 2)
ORDER = ("applied", "surveyed", "scheme_replied", "design_reviewed", "started", "inspecting",
         "completion_reported", "accepted", "contract_signed", "energised", "checked")

WINDOWS = ("宝鸡营业厅", "金台营业窗口", "渭滨营业站", "高新区营业窗口", "陈仓营业站")
OPINIONS_FAILED = (
    "接地装置接地电阻实测5.2Ω，超过设计要求，需增设接地极后复查。",
    "变压器基础预埋件位置与批准图纸不符，需整改。",
    "电缆沟隐蔽部分未按规范做防火封堵，整改后复检。",
)
OPINIONS_PASSED = (
    "电气设备、变压器容量、继电保护、防雷设施、接地装置均符合批准的设计文件，检查合格。",
    "上次检查问题已整改完毕，复查合格，可继续安装。",
    "隐蔽工程已按规范施工，检查合格。",
)

SUPPLIERS = (
    ("宝鸡华力传感器有限公司", "陕西省宝鸡市高新开发区高新大道88号", "称重传感器"),
    ("西安秦衡电子科技有限公司", "陕西省西安市高新区锦业路12号", "称重显示仪表"),
    ("陕西龙门钢铁物资供应公司", "陕西省韩城市龙门镇", "秤台钢材"),
    ("深圳市耀华仪表有限公司", "广东省深圳市宝安区西乡街道", "称重显示器"),
    ("蚌埠华东传感器厂", "安徽省蚌埠市禹会区长征路", "柱式传感器"),
    ("天津市长城接线盒厂", "天津市西青区经济开发区", "接线盒"),
    ("郑州恒力电缆有限公司", "河南省郑州市中原区建设西路", "信号电缆"),
    ("杭州中正称重系统有限公司", "浙江省杭州市余杭区文一西路", "动态称重控制器"),
    ("宝鸡市渭滨区金属结构加工厂", "陕西省宝鸡市渭滨区清姜路", "秤台结构件"),
    ("成都蜀光光电设备公司", "四川省成都市武侯区武侯大道", "车辆分离光栅"),
    ("北京精测科技有限公司", "北京市海淀区上地信息路", "轮轴识别器"),
    ("西安防雷设备有限公司", "陕西省西安市未央区凤城八路", "防雷保护器"),
    ("上海申衡机电配件公司", "上海市嘉定区曹安公路", "限位器及配件"),
    ("兰州西固涂装材料厂", "甘肃省兰州市西固区福利路", "防腐涂料"),
    ("石家庄冀衡砝码厂", "河北省石家庄市栾城区", "标准砝码"),
)

ACCEPTANCE_SITES = ("主线收费站计重收费系统", "超限检测站动态称重系统", "出口治超称重车道",
                    "汽车衡计量系统", "轴重仪称重改造项目")

NEW_ENGINEERS = (("邓凯", "服务组长"), ("曹阳", "服务工程师"), ("彭宇", "服务工程师"),
                 ("曾强", "服务工程师"), ("肖军", "服务工程师"), ("田野", "服务工程师"))

# R-RWD (DOMAIN.md 4): code, title, kind, min, max, unit, basis, source
RULES = (
    ("R-RWD-01", "月度服务点数超基数部分计入月度绩效", "reward", None, None, "点",
     "以每月出差17个点为基数，超过部分按270元/点；见《月度服务点数》", "002 篇七 4.1"),
    ("R-RWD-01.2", "当月出现安全事故扣罚绩效点数", "penalty", None, None, "次",
     "每次扣罚2个绩效点数；见《月度服务点数》", "002 篇七 4.2"),
    ("R-RWD-02.1", "季度考核排名前3名", "reward", "1500", "1500", "次", None, "002 篇七 5.1"),
    ("R-RWD-02.2", "季度考核排名第4~8名", "reward", "1000", "1000", "次", None, "002 篇七 5.1"),
    ("R-RWD-03", "半年度/年度绩效", "reward", None, None, None,
     "参照《泰昂能源激励制度-管理职能部门》执行", "002 篇七 第六、七条"),
    ("R-RWD-04", "备品备件销售提成", "reward", None, None, None,
     "35%以上毛利按3%、50%以上毛利按5%，全额回款后计提；见《备品备件销售提成》", "002 篇七 第八条"),
    ("R-RWD-05", "收到用户表扬信(含电子邮件)", "reward", "200", "500", "次", None, "002 篇七 9.1"),
    ("R-RWD-06", "明显减少服务成本和现场整改材料", "reward", "200", "500", "次",
     "由服务工程师提出，经核查后给予奖励", "002 篇七 9.2"),
    ("R-RWD-07", "正常调试通电后半年内未发生重复服务", "reward", "30", "30", "项目",
     "每半年由客服管理部统计核算", "002 篇七 9.3"),
    ("R-RWD-08", "个人原因造成第二次服务", "penalty", None, None, "次",
     "扣除第二次服务的工作系数", "002 篇七 9.4"),
    ("R-RWD-09", "未经同意未要求客户签收《服务记录单》", "penalty", "100", "100", "次", None,
     "002 篇七 9.5"),
    ("R-RWD-10", "个人原因造成客户投诉或强烈不满", "penalty", "200", "200", "次", None,
     "002 篇七 9.6"),
    ("R-RWD-11", "服务质量投诉确认属服务人员责任", "penalty", None, None, "次",
     "按照《质量考核实施规则》执行", "002 篇七 9.7"),
    ("R-RWD-13", "《顾客档案表》丢失、破坏、缺少", "penalty", "50", "500", "次",
     "当事人必须立即补充", "002 篇三 二.10"),
    ("R-RWD-14", "客诉绩效奖金处罚(奖罚通知单)", "penalty", None, None, "次",
     "总经理批准后复印三份", "002 篇五 第十二条(二)"),
    ("R-RWD-16", "专卖店对投诉置之不理或顾客二次投诉", "penalty", None, None, "次", None,
     "002 篇十一"),
    ("R-RWD-17", "有价值的客户意见和建议", "reward", None, None, "次", None, "000-二 §三.13"),
    ("R-RWD-19", "工具丢失或损坏(正常损耗除外)", "penalty", None, None, "次", "照价赔偿",
     "000-二 §六.6"),
    ("R-RWD-20", "客户提案表彰", "reward", None, None, "次",
     "按《客户提案表彰规定》，成果收益四六分成", "001-提案 第六、七条"),
    ("R-RWD-21.1", "拾金不昧", "reward", "50", "500", "次", "视物品贵重程度", "002 篇十 奖励1"),
    ("R-RWD-21.2", "工作表现突出，多次获得客人表扬", "reward", "100", "500", "次", None,
     "002 篇十 奖励2"),
    ("R-RWD-21.3", "当日订台超过五张", "reward", "50", "200", "次", "视订台消费情况",
     "002 篇十 奖励3"),
    ("R-RWD-21.4", "提出合理化建议并被采纳", "reward", "50", "200", "次", None, "002 篇十 奖励4"),
    ("R-RWD-21.5", "爱护财物、见义勇为、做出重大贡献", "reward", "200", "500", "次", None,
     "002 篇十 奖励5"),
    ("R-RWD-21.6", "检举揭发损害酒吧利益的情况", "reward", "100", "500", "次", None,
     "002 篇十 奖励6"),
    ("R-RWD-22.01", "迟到、早退", "penalty", "30", "30", "次", "每月迟到3次算旷工一天",
     "002 篇十 处罚7"),
    ("R-RWD-22.02", "事假(须部门总监同意)", "penalty", "200", "200", "天", None, "002 篇十 处罚7"),
    ("R-RWD-22.03", "旷工", "penalty", "300", "300", "天", "当月旷工3次视自动离职",
     "002 篇十 处罚7"),
    ("R-RWD-22.04", "未经允许私自外出", "penalty", "100", "100", "次", None, "002 篇十 处罚8"),
    ("R-RWD-22.05", "违反仪容仪表规定", "penalty", "50", "50", "次", None, "002 篇十 处罚9"),
    ("R-RWD-22.06", "未完成上级领导安排", "penalty", "50", "200", "次", None, "002 篇十 处罚10"),
    ("R-RWD-22.07", "待人接物不礼貌", "penalty", "50", "200", "次", "导致客人投诉的罚款200元",
     "002 篇十 处罚11"),
    ("R-RWD-22.08", "客户维护不当导致客户流失", "penalty", "100", "300", "次", None,
     "002 篇十 处罚12"),
    ("R-RWD-22.09", "未及时满足客人服务需求(过分要求除外)", "penalty", "100", "100", "次", None,
     "002 篇十 处罚13"),
    ("R-RWD-22.10", "与同事吵架", "penalty", "100", "100", "次", "打架者无薪劝退",
     "002 篇十 处罚14"),
    ("R-RWD-22.11", "不服从上级安排", "penalty", "50", "200", "次", None, "002 篇十 处罚15"),
    ("R-RWD-22.12", "向客人索要或变相索取小费", "penalty", "200", None, "次",
     "罚款200元；工作守则第10条：两倍以上罚款", "002 篇十 处罚16、守则10"),
    ("R-RWD-22.13", "损坏酒吧财产", "penalty", None, None, "次", "处以价值两倍以上罚款",
     "002 篇十 守则8"),
    ("R-RWD-22.14", "泄露客人资料或商业机密", "penalty", None, None, "次",
     "开除处理，不退还工资及押金", "002 篇十 守则15"),
)


class _Clock:
    """Plays the demo history at its own dates (the portal clock), and puts
    the clock back afterwards."""

    def __init__(self):
        self.saved = clock._frozen

    def at(self, day, hour=10, minute=0):
        moment = datetime.combine(day, time(hour, minute))
        clock.set(moment)
        return moment

    def restore(self):
        clock.set(self.saved)


def seed(ctx):
    rng = random.Random(20261126)
    timer = _Clock()
    try:
        counts = {}
        counts.update(_seed_engineering(ctx, rng, timer))
        timer.restore()
        counts.update(_seed_incentives(ctx, rng))
        counts.update(_seed_suppliers(ctx, rng))
        counts.update(_seed_acceptances(ctx, rng))
        return counts
    finally:
        timer.restore()


# 2.K customer engineering -------------------------------------------------------

def _seed_engineering(ctx, rng, timer):
    emp = ctx.employees
    today = ctx.today
    contractors = []
    for i, (name, grade) in enumerate(CONTRACTORS):
        checked = i < 8
        timer.at(today - timedelta(days=400 - 9 * i))
        contractors.append(ctx.create(
            "service", "contractor", name=name, grade=grade,
            qualification_cert=f"D{261030000 + 173 * i}", business_license=f"91610{300000 + 71 * i:06d}MA",
            contact=["王建军", "刘长青", "张海", "李宏伟", "赵磊", "孙涛", "周斌", "吴彬", "郑勇", "冯亮"][i],
            phone=f"0917-{3210000 + 113 * i}",
            checked_by=emp["marketing"] if checked else None,
            checked_at=today - timedelta(days=395 - 9 * i) if checked else None))
    qualified = contractors[:8]

    creators = ("sales", "sales2", "regional")
    counts = {"contractor": len(contractors)}
    made = {k: 0 for k in ("power_application", "internal_work_order", "supply_scheme_notice",
                           "design_review", "construction_start_report",
                           "construction_change_request", "equipment_order_info",
                           "intermediate_inspection", "completion_report", "supply_notice",
                           "power_supply_contract", "post_supply_check")}
    visible = {u: [c for c in ctx.visible_customers(u) if c.customer_kind == "unit"]
               for u in creators}
    for n, target in enumerate(TARGETS):
        who = creators[n % 3]
        customers = visible[who]
        customer = customers[(n * 5) % len(customers)]
        usage, voltage, capacity, dual, residential, site = PROJECT_PROFILES[n % len(PROJECT_PROFILES)]
        # the installation officer follows the project; 郑磊 (service) runs those built
        officer = emp["马超"] if target in ("applied", "surveyed", "withdrawn") and n % 2 \
            else emp["service"]
        # advanced projects started longer ago
        stage = ORDER.index(target) if target in ORDER else 2
        start = today - timedelta(days=40 + 22 * stage + rng.randint(0, 15))
        timer.at(start, 9, 30)
        type_ = "increase" if n % 4 == 3 else "new"
        app = ctx.create(
            who, "power_application",
            project_name=f"{customer.name}{site}{'增容' if type_ == 'increase' else '新装'}工程",
            customer=customer, type=type_, usage_nature=usage, voltage_level=voltage,
            capacity=Decimal(capacity), address=f"{customer.address or '陕西省宝鸡市'}（{site}）",
            window=WINDOWS[n % len(WINDOWS)], received_by=emp[who], installation_officer=officer,
            dual_supply_required=dual, is_residential_lighting=residential, filled_at=start)
        made["power_application"] += 1
        if target == "applied":
            continue
        if target == "withdrawn":
            if n % 2:
                timer.at(start + timedelta(days=2))
                ctx.run(who, app, "survey", survey_at=timer.at(start + timedelta(days=2), 14))
            timer.at(start + timedelta(days=6))
            ctx.run(who, app, "withdraw", reason="客户项目资金未落实，申请撤销用电申请。")
            continue

        # 第四条: the window forwards by 电子工单 / 内部工作联系单, staff survey the site
        day = start + timedelta(days=1)
        timer.at(day, 11)
        order = ctx.create(who, "internal_work_order",
                           kind="electronic" if n % 3 else "contact_sheet", application=app,
                           to_dept=ctx.departments["KF"], sent_at=timer.at(day, 11),
                           content=f"{customer.name}申请{usage}{capacity}"
                                   f"{'kVA' if voltage == 'high' else 'kW'}，请安排现场勘察。")
        made["internal_work_order"] += 1
        services.update(ctx.users[who], app, {"work_order": order}, app.version)
        day += timedelta(days=2)
        ctx.run(who, app, "survey", survey_at=timer.at(day, 14))
        if target == "surveyed":
            continue

        # 第九、十条: the supply scheme, answered in writing
        day += timedelta(days=5)
        timer.at(day)
        cap = Decimal(capacity)
        if cap >= 3000:
            mode = "dedicated_line"
        elif voltage == "low":
            mode = "low_voltage"
        elif dual:
            mode = "dual_circuit"
        else:
            mode = "dedicated_transformer"
        ctx.create("salesmgr", "supply_scheme_notice", application=app, approved_capacity=cap,
                   supply_voltage="10kV" if voltage == "high" else "0.4kV", supply_mode=mode,
                   metering_mode="高供高计" if voltage == "high" and cap >= 315 else
                   ("高供低计" if voltage == "high" else "低供低计"),
                   economics="就近接入10kV公用线路，线路走廊短，投资较省。" if mode != "dedicated_line"
                   else "由110kV变电站新出10kV专线，保证供电可靠性。",
                   replied_by="branch_marketing" if cap < 1000 else "city_company",
                   reply_form="memo" if n % 2 else "document",
                   delivered_at=timer.at(day + timedelta(days=1), 15))
        made["supply_scheme_notice"] += 1
        ctx.run("salesmgr", app, "reply_scheme")
        if target == "scheme_replied":
            continue

        # 第十二–十六条: design review at the level the capacity sets
        day += timedelta(days=10)
        timer.at(day)
        full = [code for code, _ in _submissions()] if voltage == "high" else ["design", "load_map"]
        if n % 4 == 1 and voltage == "high":
            ctx.create("salesmgr", "design_review", application=app, submissions=full[:8],
                       reviewed_at=day, participants=["designer", "customer"],
                       opinion="送审资料不全，缺隐蔽工程设计资料及配电网络布置图，请补充后重新送审。",
                       passed=False)
            made["design_review"] += 1
            day += timedelta(days=6)
            timer.at(day)
        ctx.create("salesmgr", "design_review", application=app, submissions=full,
                   reviewed_at=day, participants=["designer", "customer", "production"],
                   opinion="设计符合供电方案及相关技术规程，同意按此设计施工。", passed=True)
        made["design_review"] += 1
        ctx.run("salesmgr", app, "review_design")
        if target == "design_reviewed":
            continue

        # 第十九–二十三条: start report, equipment orders, changes
        contractor = qualified[n % len(qualified)]
        day += timedelta(days=4)
        timer.at(day)
        if n % 2 == 0:
            order = ctx.create("service", "equipment_order_info", project=app,
                               manufacturer=("西安西电变压器有限责任公司", "特变电工股份有限公司",
                                             "正泰电气股份有限公司")[n % 3],
                               model=f"SCB11-{capacity}/10" if voltage == "high" else "XL-21低压配电柜",
                               drawings_approved=True, on_recommended_list=True,
                               delivery_on=day + timedelta(days=12))
            order = ctx.run("salesmgr", order, "ratify", comment="厂家、选型认可")
            ctx.update("service", order, ordered_on=day)
            made["equipment_order_info"] += 1
        ctx.create("service", "construction_start_report", project=app, contractor=contractor,
                   start_on=day + timedelta(days=2), planned_finish_on=day + timedelta(days=32),
                   schedule=f"JD-{today.year}-{n + 1:03d}", submitted_to=emp["service"],
                   construction_plan=f"SG-{today.year}-{n + 1:03d}")
        made["construction_start_report"] += 1
        day += timedelta(days=2)
        timer.at(day, 8, 30)
        ctx.run("service", app, "start")
        if n % 3 == 2:
            timer.at(day + timedelta(days=5))
            change = ctx.create("service", "construction_change_request", project=app,
                                requested_by=contractor,
                                change="电缆路径由直埋改为电缆沟敷设。",
                                reason="施工前勘查发现原路径下有既有管线。")
            change = ctx.run("salesmgr", change, "ratify", comment="同意变更")
            ctx.update("service", change, written_notice_at=timer.at(day + timedelta(days=7), 10),
                       implemented_at=timer.at(day + timedelta(days=8), 9))
            made["construction_change_request"] += 1
        if target == "started":
            continue

        # 第二十五、二十六条: intermediate inspections until passed
        day += timedelta(days=18)
        timer.at(day)
        items = [code for code, _ in _items()]
        first_fails = n % 3 == 1
        ctx.create("service", "intermediate_inspection", project=app, seq=1, inspected_at=day,
                   installation_officer=emp["service"], usage_inspector=emp["马超"],
                   items_checked=items,
                   opinion=OPINIONS_FAILED[n % 3] if first_fails else OPINIONS_PASSED[0],
                   passed=not first_fails)
        made["intermediate_inspection"] += 1
        ctx.run("service", app, "inspect")
        if first_fails:
            day += timedelta(days=7)
            timer.at(day)
            ctx.create("service", "intermediate_inspection", project=app, seq=2, inspected_at=day,
                       installation_officer=emp["service"], usage_inspector=emp["马超"],
                       items_checked=items, opinion=OPINIONS_PASSED[1], passed=True)
            made["intermediate_inspection"] += 1
        if target == "inspecting":
            continue

        # 第二十七条: completion, report within 3 days (some contractors late)
        day += timedelta(days=8)
        timer.at(day, 17)
        ctx.run("service", app, "complete", completed_on=day)
        by = "contractor" if n % 2 == 0 else "customer"
        late = n % 6 == 0
        report_day = day + timedelta(days=5 if late else 2)
        timer.at(report_day, 10)
        ctx.create("service", "completion_report", project=app, submitted_by=by, completed_on=day,
                   submitted_at=timer.at(report_day, 10),
                   supply_application="工程已竣工，申请验收并供电。",
                   as_built_docs=f"JG-{today.year}-{n + 1:03d}",
                   accepted=target != "completion_reported")
        made["completion_report"] += 1
        if target == "completion_reported":
            continue
        day = report_day + timedelta(days=1)
        timer.at(day, 16)
        ctx.run("salesmgr", app, "accept")
        if target == "accepted":
            continue

        # 第二十八–三十条: supply date, notice, contract before energising
        # 第二十九条: residential lighting gets the meter notice within one day
        day += timedelta(days=1 if residential else 2)
        timer.at(day)
        kind = "meter_notice" if residential else "supply_notice"
        ctx.create("service", "supply_notice", project=app, kind=kind,
                   supply_date=day + timedelta(days=5), issued_at=timer.at(day, 9),
                   metering_done_at=timer.at(day + timedelta(days=1), 16) if residential else None)
        made["supply_notice"] += 1
        ctx.create(who, "power_supply_contract", customer=customer, project=app, signed_on=day,
                   agreements=f"GYD-{today.year}-{n + 1:03d}（含调度协议、电费结算协议）")
        made["power_supply_contract"] += 1
        ctx.run("salesmgr", app, "sign_contract")
        if target == "contract_signed":
            continue
        day += timedelta(days=5)
        timer.at(day, 10)
        ctx.run("service", app, "energise", supplied_on=day)
        if target == "energised":
            continue

        # 第三十一条: on-site check within one month (one of them late)
        check_day = day + timedelta(days=38 if n % 4 == 0 else 20)
        timer.at(check_day, 10)
        ctx.create("service", "post_supply_check", project=app, checked_at=timer.at(check_day, 10),
                   inspector=emp["马超"], metering_status="计量装置运行正常，封印完好。",
                   usage_status="客户用电负荷与申请容量相符，未发现违约用电。")
        made["post_supply_check"] += 1
        ctx.run("service", app, "check")
    counts.update(made)
    return counts


def _submissions():
    from models import DESIGN_SUBMISSIONS
    return DESIGN_SUBMISSIONS


def _items():
    from models import INSPECTION_ITEMS
    return INSPECTION_ITEMS


# 2.L incentives -------------------------------------------------------------------

def _seed_incentives(ctx, rng):
    emp = ctx.employees
    today = ctx.today
    kf = ctx.departments["KF"]
    engineers = [emp["马超"]]
    for i, (name, position) in enumerate(NEW_ENGINEERS):
        engineers.append(ctx.create("hr", "employee", name=name, dept=kf, position=position,
                                    superior=emp["service"], phone=f"1389170{1200 + 37 * i:04d}"))
    counts = {"employee (客服工程师)": len(NEW_ENGINEERS)}

    # F-98: six months of points for seven engineers
    first = today.replace(day=1)
    months = []
    month = first
    for _ in range(6):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    n = 0
    for m_index, month in enumerate(months):
        for e_index, engineer in enumerate(engineers):
            points = Decimal(rng.randint(12, 34)) + Decimal(rng.choice((0, 0, 5))) / 10
            accidents = 1 if (m_index * 7 + e_index) % 19 == 5 else 0
            deduction = Decimal(rng.choice((0, 0, 0, 1, 2)))
            verified = m_index >= 1
            ctx.create("service", "service_points_monthly", engineer=engineer, month=month,
                       points=points, safety_accidents=accidents,
                       second_service_deductions=deduction,
                       verified_by=emp["hr"] if verified else None,
                       verified_at=month.replace(day=28) + timedelta(days=7) if verified else None)
            n += 1
    counts["service_points_monthly"] = n

    # F-99: four quarters, eight people (seven engineers and the 客服管理部 clerk)
    people = engineers + [emp["杨帆"]]
    n = 0
    quarters = _past_quarters(today, 4)
    for quarter in quarters:
        ranks = list(range(1, len(people) + 1))
        rng.shuffle(ranks)
        for person, rank in zip(people, ranks):
            ctx.create("service", "quarterly_ranking", quarter=quarter, employee=person, rank=rank,
                       score=Decimal(100 - 3 * rank) - Decimal(rng.randint(0, 20)) / 10)
            n += 1
    counts["quarterly_ranking"] = n

    # F-100: spare-parts commissions, some not yet fully paid
    from models import quarter_months
    sales = (("宝鸡二电厂", "称重传感器4只、接线盒1只"), ("陕西北元化工集团", "称重显示仪表1台"),
             ("彬长矿业公司", "信号电缆200米、防雷保护器2只"), ("韩城龙门钢铁", "柱式传感器8只"),
             ("延长石油榆林炼化", "动态称重控制器1套"), ("宝光集团", "限位器及配件1批"),
             ("咸阳纺织集团", "称重显示器1台、打印机1台"), ("渭南化肥厂", "传感器4只"),
             ("汉中钢铁集团", "接线盒2只、信号电缆100米"), ("铜川声威水泥", "轮轴识别器1套"),
             ("神木电化公司", "车辆分离光栅1对"), ("西安高压开关厂", "标准砝码20块"))
    n = 0
    for i, (customer, sale) in enumerate(sales):
        quarter = quarters[i % len(quarters)]
        start, end = quarter_months(quarter)
        collected = i % 4 != 3
        rule = "margin_50" if i % 3 == 0 else "margin_35"
        ctx.create("service", "spare_parts_commission", quarter=quarter, customer_name=customer,
                   sale=sale, sale_amount=Decimal(rng.randint(30, 260)) * 100,
                   margin=Decimal(52 if rule == "margin_50" else 38) + Decimal(rng.randint(0, 8)),
                   pricing_rule=rule,
                   fully_collected_at=start + timedelta(days=10 + 7 * (i % 8)) if collected else None,
                   compiled_by=emp["杨帆"],
                   reviewed_by=emp["钱芳"] if collected else None,
                   )
        if collected and i % 2 == 0:
            ctx.run("gm", ctx.created["spare_parts_commission"][-1], "ratify", comment="同意")
        n += 1
    counts["spare_parts_commission"] = n

    # R-RWD rule table and the records citing it
    rules = {}
    for code, title, kind, low, high, unit, basis, source in RULES:
        rules[code] = ctx.create("hr", "reward_penalty_rule", code=code, title=title, kind=kind,
                                 min_amount=Decimal(low) if low else None,
                                 max_amount=Decimal(high) if high else None,
                                 unit=unit, basis=basis, source=source)
    counts["reward_penalty_rule"] = len(rules)
    cases = (
        ("R-RWD-05", "用户来函表扬现场调试认真负责", "用户表扬信（{c}，电子邮件）", 300),
        ("R-RWD-05", "客户致信感谢夜间抢修恢复称重", "用户表扬信（{c}）", 500),
        ("R-RWD-06", "现场改造方案优化，节省整改材料", "服务记录单及材料核查表", 400),
        ("R-RWD-07", "上半年调试项目无重复服务", "客服管理部半年统计表", None),
        ("R-RWD-09", "服务记录单未经同意未请客户签收", "服务记录单（{c}）", 100),
        ("R-RWD-10", "接线错误引起客户强烈不满", "客户投诉登记（{c}）", 200),
        ("R-RWD-06", "利用库存旧件完成维修，减少服务成本", "服务记录单及核查意见", 200),
    )
    n = 0
    customers = [c.name for c in ctx.customers]
    for i in range(32):
        code, description, evidence, amount = cases[i % len(cases)]
        person = engineers[i % len(engineers)]
        qty = 1
        if code == "R-RWD-07":
            qty = 3 + i % 5
            amount = 30 * qty
        day = today - timedelta(days=6 * i + 3)
        ctx.create("service", "reward_penalty_record", person=person, rule=rules[code],
                   occurred_on=day, quantity=qty, amount=Decimal(amount),
                   description=description,
                   evidence=evidence.format(c=customers[i % len(customers)]),
                   decided_by=emp["service"] if rules[code].kind == "penalty" or amount <= 300
                   else emp["gm"],
                   decided_at=day + timedelta(days=2),
                   verified_by=emp["hr"] if i % 3 else None,
                   payroll_month=f"{(day + timedelta(days=20)).year}-{(day + timedelta(days=20)).month:02d}")
        n += 1
    counts["reward_penalty_record"] = n
    return counts


def _past_quarters(today, count):
    year, q = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(count):
        q -= 1
        if q == 0:
            year, q = year - 1, 4
        out.append(f"{year}-Q{q}")
    return out


# 2.M supplier --------------------------------------------------------------------

def _seed_suppliers(ctx, rng):
    today = ctx.today
    n = 0
    quality = ("来料抽检合格率99.6%，批次稳定。", "本期来料有2批零点漂移超差，已退换。",
               "关键尺寸全部合格，防腐层厚度达标。", "来料合格率98.2%，需加强出厂检验。")
    delivery = ("交期准时率100%。", "有1批延迟5天到货，影响装配计划。", "基本按期交货，急单响应快。")
    for i, (name, address, product) in enumerate(SUPPLIERS):
        for round_ in range(2):
            day = today - timedelta(days=380 - 365 * round_ + 11 * i)
            ctx.create("quality", "supplier_credit_evaluation", supplier_name=name,
                       supplier_address=address, contact="销售部周经理" if i % 2 else "销售部李工",
                       phone=f"0{917 + i}-{8800000 + 31 * i}",
                       review_type="initial" if round_ == 0 else "re_evaluation",
                       quality_status=f"{product}：{quality[(i + round_) % len(quality)]}",
                       delivery_status=delivery[(i * 2 + round_) % len(delivery)],
                       after_sales="接到质量反馈后48小时内到厂处理。",
                       overall_operation="装机设备运行正常，未发现由该供方零部件引起的批量故障。",
                       customer_evaluation="终端客户未反映与该零部件相关的问题。",
                       company_evaluation="合格供方，继续采购。" if (i + round_) % 5 else
                       "限期整改，暂缓增加订单。",
                       time=day, filled_at=day)
            n += 1
    return {"supplier_credit_evaluation": n}


def _seed_acceptances(ctx, rng):
    from models import PROJECT_ACCEPTANCE_KINDS
    today = ctx.today
    n = 0
    for who in ("sales", "sales2", "regional"):
        customers = [c for c in ctx.visible_customers(who) if c.industry_segment in
                     ("highway", "secondary_road", "industrial")]
        for i in range(10):
            customer = customers[(i * 3) % len(customers)]
            kind = PROJECT_ACCEPTANCE_KINDS[i % 3][0]
            day = today - timedelta(days=15 * i + 5 + n)
            site = ACCEPTANCE_SITES[(i + n) % len(ACCEPTANCE_SITES)]
            ctx.create(who, "project_acceptance", kind=kind, customer=customer,
                       project_name=f"{customer.name}{site}", date=day, filled_at=day,
                       result={"highway_acceptance": "称重精度、车辆分离、数据上传均达到合同技术要求，验收合格。",
                               "final_acceptance": "试运行三个月无故障，系统终验合格，同意移交使用。",
                               "highway_handover": "设备、备品备件、技术资料已清点移交，双方签字确认。"}[kind],
                       signatories="建设单位：项目负责人；施工安装单位：项目经理；监理单位：总监理工程师",
                       attachment=f"YS-{day.year}-{n + 1:03d}")
            n += 1
    return {"project_acceptance": n}
