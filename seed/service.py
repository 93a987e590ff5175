"""Demo data of SECTION B: contacts, feedback, surveys, complaint documents.

Everything is filed through the services as the demo user whose role files
that register, and walked through its workflow with the clock set to the
moment the step would have happened, so timestamps, deadlines and overdue
marks are consistent. Deterministic (random.Random with a fixed seed).
"""
import random
from contextlib import contextmanager
from datetime import datetime, time, timedelta

from portal import clock

STORES = ("宝鸡总部营业厅", "西安专卖店", "兰州专卖店", "石家庄专卖店", "南京专卖店", "成都专卖店")
PRODUCTS = ("SCS-100 电子汽车衡", "DWS-30 动态轴重秤", "JZ-60 计重收费系统", "CX-80 超限检测系统",
            "GCS-150 轨道衡", "XK3190 称重显示器", "QS-3000 称重传感器")
CALLERS = ("王建华", "李志强", "张秀英", "刘海燕", "陈国庆", "杨红梅", "赵俊杰", "黄丽娟",
           "周文斌", "吴晓东", "徐春燕", "孙卫东")

CONTACT_ISSUES = {
    "consult": ("询问动态汽车衡年度检定的办理流程和所需资料。",
                "咨询称重显示器能否与现有收费系统数据对接。",
                "询问备用称重传感器的供货周期。"),
    "feedback": ("反映秤台在雨季有积水，建议改进排水设计。",
                 "使用中发现打印单据字迹偏淡，希望更换打印头型号。",
                 "对上次上门保养的及时性表示满意，建议增加培训次数。"),
    "inquiry": ("要求提供近三年的计量检定证书复印件用于招标备案。",
                "要求报送新版超限检测系统的技术参数对比表。",
                "查询上月维修费用的发票寄送情况。"),
    "complaint": ("计重收费车道称重数据偏差超过允许误差，已多次反映未彻底解决。",
                  "维修人员约定上门时间后迟到半天，且未提前通知。",
                  "新装汽车衡传感器两周内损坏两只，要求更换整套。",
                  "称重软件升级后无法导出报表，影响月度结算。"),
    "repair": ("称重显示器黑屏，无法开机。", "动态轴重秤第二车道无称重数据。",
               "轨道衡限位器松动，称量时读数跳动。"),
}

FEEDBACK_CONTENT = (
    ("quality", "客户反映新交付的汽车衡秤台焊缝开裂，要求现场检查并出具处理方案。"),
    ("quality", "两台称重显示器在低温环境下频繁死机，客户要求更换或升级。"),
    ("other", "客户要求调整下一批货的发运方式，改为汽运直达工地。"),
    ("quality", "超限检测系统误判率偏高，客户要求技术人员现场标定。"),
    ("other", "客户对发票抬头有疑问，要求财务重新核对开票信息。"),
    ("quality", "传感器接线盒进水导致信号漂移，客户要求退换品。"),
    ("other", "客户希望出差人员下次走访时带上年度保养合同样本。"),
)

COMPLAINTS = (
    ("计重收费数据偏差", "计重收费车道称重数据与复称结果偏差超出允许误差范围，要求全面检查。",
     "quality", ["quality_defect", "tolerance"], ["free_repair"]),
    ("传感器批量损坏", "新装汽车衡传感器两周内损坏两只，怀疑批次质量问题。",
     "quality", ["quality_defect"], ["exchange", "damages"]),
    ("维修人员迟到", "维修人员约定上门时间后迟到半天，未提前通知，影响站点运营。",
     "non_quality", [], ["criticism"]),
    ("运输途中秤台变形", "秤台运抵现场时发现边框变形，疑为运输途中受损。",
     "quality", ["transport_damage"], ["exchange"]),
    ("包装破损导致仪表进水", "显示仪表外包装破损，开箱时发现仪表进水。",
     "quality", ["packaging_damage"], ["return"]),
    ("规格与合同不符", "到货的秤台尺寸与合同约定的 3×18 米不符。",
     "quality", ["spec_mismatch"], ["exchange", "price_cut"]),
    ("软件升级后无法导出报表", "称重软件升级后无法导出月度报表，影响结算。",
     "non_quality", ["other_breach"], ["free_repair"]),
    ("销售人员答复不及时", "多次询问供货进度，销售人员未及时答复。",
     "non_quality", [], ["criticism"]),
)

RESOLUTIONS = ("allowance", "return_rework", "explanation", "other")


def seed(ctx):
    rng = random.Random(20261125)
    counts = {}
    complaints = _complaints(ctx, rng)
    logs, transferred = _contact_logs(ctx, rng)
    complaints += transferred
    counts["complaints"] = len(complaints)
    counts["customer_contact_logs"] = len(logs)
    feedback = _feedback(ctx, rng)
    counts["customer_feedback_infos"] = len(feedback)
    counts["after_sales_defect_confirmations"] = _defect_confirmations(ctx, rng, feedback)
    counts["customer_change_requests"] = _change_requests(ctx, rng)
    counts["service_feedbacks"] = _service_feedback(ctx, rng)
    plans = _plans(ctx, rng)
    counts["satisfaction_survey_plans"] = len(plans)
    counts["satisfaction_surveys"] = _surveys(ctx, rng, plans)
    counts["opinion_survey_cards"] = _cards(ctx, rng)
    counts["opinion_book_entries"] = _opinion_book(ctx, rng, complaints)
    counts["quotation_records"] = _quotations(ctx, rng)
    counts["meetings"] = _meetings(ctx, rng)
    counts["complaint_investigation_reports"] = _investigations(ctx, rng, complaints)
    counts["complaint_handling_forms"] = _handling_forms(ctx, rng, complaints)
    counts["complaint_statistics"] = _statistics(ctx, rng)
    counts["abnormality_notices"] = _abnormality_notices(ctx, rng, complaints)
    counts["quality_defect_reports"] = _defect_reports(ctx, rng, complaints, logs)
    counts["complaint_petitions"] = _petitions(ctx, rng, complaints)
    counts["reward_penalty_notices"] = _reward_penalty(ctx, rng, complaints)
    counts["personnel_announcements"] = _announcements(ctx, rng, complaints)
    return counts


# Helpers -------------------------------------------------------------------

@contextmanager
def at(moment):
    """Run with the portal clock at `moment` (never later than the real now)."""
    saved = clock._frozen
    real = datetime.now().replace(microsecond=0)
    clock.set(min(moment, real) if moment else None)
    try:
        yield
    finally:
        clock.set(saved)


def moment(ctx, days_ago, hour=9, minute=0):
    return datetime.combine(ctx.today - timedelta(days=days_ago), time(hour, minute))


def emp(ctx, who):
    return ctx.employees[who]


def visible(ctx, username):
    cache = ctx.__dict__.setdefault("_b_visible", {})
    if username not in cache:
        cache[username] = ctx.visible_customers(username)
    return cache[username]


def cases_for(ctx, username, complaints):
    """The complaint cases of `complaints` that the user may read."""
    from models import Complaint
    import permissions
    ids = {c.id for c in complaints}
    query = permissions.rows(ctx.users[username], "view", Complaint).order_by(Complaint.id)
    return [c for c in query if c.id in ids]


# F-36 complaint cases (the cases the documents of this section refer to) -----

def _complaints(ctx, rng):
    out = []
    filers = ("sales", "sales2", "regional", "clerk")
    units = [ctx.departments[a] for a in ("PZ", "KF", "XS1", "JS")]
    for i in range(24):
        who = filers[i % len(filers)]
        customers = visible(ctx, who)
        cust = customers[(i * 5) % len(customers)]
        title, content, cause, scope, request = COMPLAINTS[i % len(COMPLAINTS)]
        received = moment(ctx, 5 + i * 14, 9 + i % 7, (i * 13) % 60)
        handled = i >= 6
        values = dict(
            received_at=received, received_by=emp(ctx, who), customer=cust,
            channel=("phone", "call_in", "letter", "visit_in", "complaint_hotline")[i % 5],
            type="complaint" if i % 6 else ("consultation", "suggestion")[i % 2],
            subject_kind="goods" if cause == "quality" else "work_service",
            title=title, content=content, cause_class=cause, scope_items=scope,
            customer_request=request, market="domestic",
            feedback_level=("AA", "A", "B")[i % 3], receiving_unit=units[i % len(units)],
            order_no=f"XS-2026-{300 + i:04d}" if cause == "quality" else None,
            quantity=(i % 4) + 1 if cause == "quality" else None,
        )
        if handled:
            values.update(
                responsible_dept=ctx.departments[("PZ", "KF", "XS1", "JS")[i % 4]],
                responsibility_ratio=(100, 60, 50, 80)[i % 4],
                finding=("minor_error", "violation", "customer_side")[i % 3],
                resolution_mode=RESOLUTIONS[i % len(RESOLUTIONS)],
                handling_opinion="已安排现场复核并更换受损部件，向客户说明原因。")
        with at(received):
            case = ctx.create(who, "complaint", **values)
        if i % 8 == 3:
            with at(received + timedelta(hours=1)):
                case = ctx.run("marketing", case, "mark_important")
        if i % 11 == 5:
            with at(received + timedelta(hours=2)):
                case = ctx.run("marketing", case, "mark_special", reason="可能引发媒体关注，列为专案优先处置")
        if handled:
            with at(received + timedelta(days=3 + i % 9, hours=4)):
                case = ctx.close_complaint(case)
        out.append(case)
    return out


# F-25 客户来电函信息登记表 --------------------------------------------------------

def _contact_logs(ctx, rng):
    from models import Complaint
    logs, transferred = [], []
    receivers = ("service", "sales", "sales2", "clerk", "service", "regional")
    leaders = {"service": "marketing", "clerk": "marketing", "sales": "salesmgr",
               "sales2": "salesmgr", "regional": "salesmgr"}
    kinds = ("consult", "feedback", "inquiry", "complaint", "repair", "consult", "inquiry",
             "feedback", "complaint")
    for i in range(42):
        who = receivers[i % len(receivers)]
        kind = kinds[i % len(kinds)]
        if kind == "complaint" and who == "service":
            who = "clerk"            # the case needs a customer file the receiver can read
        customers = visible(ctx, who)
        cust = customers[(i * 3) % len(customers)] if customers and (kind == "complaint" or i % 3) else None
        name = CALLERS[i % len(CALLERS)]
        when = moment(ctx, 2 + i * 4, 8 + i % 9, (i * 17) % 60)
        handler = ("quality", "service", "sales", "sales2")[i % 4]
        values = dict(
            time=when, customer=cust, customer_name=name,
            customer_unit=cust.name if cust else "宝鸡市个体运输户",
            customer_phone=f"139{(i * 7919) % 100000000:08d}",
            receiver=emp(ctx, who) if who != "service" or i % 2 else emp(ctx, "杨帆"),
            channel=("hotline", "call_in", "letter", "visit_in", "mailbox", "fax", "email")[i % 7],
            kind=kind, issue=CONTACT_ISSUES[kind][i % len(CONTACT_ISSUES[kind])],
            needs_collection=kind == "inquiry" and i % 2 == 0,
            marketing_supervisor_notified=i % 3 != 2, handler=emp(ctx, handler))
        with at(when):
            row = ctx.create(who, "customer_contact_log", **values)
        logs.append(row)
        stage = i % 5
        if kind == "complaint":
            if stage < 4:
                with at(when + timedelta(minutes=40)):
                    ctx.run(who, row, "to_complaint", comment="转售后服务中心按投诉受理")
                transferred.append(Complaint.get_by_id(type(row).get_by_id(row.id).complaint_id))
            continue
        if kind == "repair":
            if stage < 3:
                with at(when + timedelta(minutes=20)):
                    ctx.run(who, row, "to_repair", repair_request=f"BX-{when:%y%m}-{i:03d}")
            continue
        if stage == 0:
            continue                        # just registered
        with at(when + timedelta(minutes=30)):
            ctx.run(who, row, "forward")
        if stage == 1:
            continue
        reply_form = ("letter", "email", "fax", "oral")[i % 4] if stage == 2 else ("letter", "email", "fax")[i % 3]
        with at(when + timedelta(hours=3 + (i % 3) * 20)):
            ctx.run(handler, row, "reply", reply_form=reply_form,
                    handling_opinion="已核实情况，按规定答复客户并做好记录。")
        if stage == 2:
            continue
        with at(when + timedelta(days=1, hours=2)):
            ctx.run(leaders[who], row, "close", leader_opinion="同意处理意见。",
                    final_result="客户对答复表示满意，已办结。")
    return logs, transferred


# F-26 出差.退换品信息表 and F-27 售后不良信息确认表 ------------------------------------

def _feedback(ctx, rng):
    from models import FeedbackResponsibleDept
    rows = []
    filers = ("sales", "sales2", "regional", "clerk")
    routes = (("PZ", "JS"), ("KF",), ("PZ",), ("XS1",), ("PZ", "KF"), ("KF", "JS"), ("PZ",))
    handlers = {"PZ": "quality", "KF": "service", "XS1": "sales"}
    for i in range(32):
        who = filers[i % len(filers)]
        customers = visible(ctx, who)
        cust = customers[(i * 7) % len(customers)]
        category, content = FEEDBACK_CONTENT[i % len(FEEDBACK_CONTENT)]
        received = moment(ctx, 3 + i * 5, 8 + i % 8, (i * 11) % 60)
        level = ("AA", "A", "B")[i % 3]
        with at(received):
            row = ctx.create(who, "customer_feedback_info", customer=cust, received_at=received,
                             channel=("phone", "fax", "email", "letter", "customer_visit", "reception")[i % 6],
                             content=content, supplier_issue=i % 9 == 4,
                             level=level if i % 4 == 1 else None)
        rows.append(row)
        route = routes[i % len(routes)]
        for n, abbr in enumerate(route):
            FeedbackResponsibleDept.create(feedback=row, dept=ctx.departments[abbr],
                                           requirement="分析原因并提出处理措施" if n == 0 else "配合处理")
        stage = i % 7
        if stage == 0:
            continue
        with at(received + timedelta(hours=1)):
            ctx.run(who, row, "classify", category=category, level=level)
        if stage == 1:
            continue
        with at(received + timedelta(hours=2)):
            ctx.run(who, row, "dispatch")
        if stage == 2:
            continue
        lead = handlers[route[0]]
        with at(received + timedelta(hours=4)):
            ctx.run(lead, row, "start", analysis="已初步分析，需进一步核查现场情况。")
        if stage == 3:
            continue
        late = i % 5 == 0            # some items go past their 24/48/72 h limit
        span = {"AA": 20, "A": 40, "B": 60}[level] + (40 if late else 0)
        with at(received + timedelta(hours=span - 6)):
            ctx.run(lead, row, "return_result", handling="已现场处理并更换不良部件，制定了改进措施。",
                    capa_ref=f"CAPA-{received:%y}-{i:03d}" if category == "quality" else None)
        if stage == 4:
            continue
        with at(received + timedelta(hours=span)):
            ctx.run(who, row, "reply", reply_content="已将处理结果电话告知客户，并发送书面说明。")
        if stage == 5:
            continue
        with at(received + timedelta(hours=span + 24)):
            ctx.run(who, row, "close")
    return rows


def _defect_confirmations(ctx, rng, feedback):
    from models import CustomerFeedbackInfo, Department
    pz = Department.get(Department.abbr == "PZ").id
    mine = [f for f in feedback if CustomerFeedbackInfo.get_by_id(f.id).lead_dept_id == pz]
    n = 0
    confirmations = ("confirmed", "not_defective", "pending", "confirmed")
    for i in range(30):
        fb = mine[i % len(mine)]
        conf = confirmations[i % len(confirmations)]
        with at(CustomerFeedbackInfo.get_by_id(fb.id).received_at + timedelta(days=1)):
            ctx.create("quality", "after_sales_defect_confirmation", feedback=fb,
                       product=PRODUCTS[i % len(PRODUCTS)],
                       problem=("秤台焊缝开裂", "显示器低温死机", "传感器信号漂移", "误判率偏高")[i % 4]
                       + ("（复查）" if i >= len(mine) else ""),
                       confirmation=conf,
                       handling_result=None if conf == "pending" else
                       ("更换不良部件，纳入纠正预防措施跟踪。" if conf == "confirmed"
                        else "经检测属安装环境问题，非产品不良，已向客户说明。"))
        n += 1
    return n


# F-28 客户信息变更 -------------------------------------------------------------

def _change_requests(ctx, rng):
    from models import CustomerChangeNotice
    filers = ("sales", "sales2", "clerk", "regional")
    for i in range(12):
        who = filers[i % len(filers)]
        cust = visible(ctx, who)[(i * 3 + 1) % len(visible(ctx, who))]
        change = ("tech", "contract_delivery", "other")[i % 3]
        review = None if change != "contract_delivery" else ("can_meet", "cannot_meet")[i % 2]
        values = dict(customer=cust, change_type=change,
                      description={"tech": "客户要求将称量范围由 100t 调整为 120t，并增加远程数据上传。",
                                   "contract_delivery": "客户要求合同数量由 3 台增加到 5 台，交货期提前两周。",
                                   "other": "客户变更收货地址及现场联系人。"}[change],
                      contract_review=review)
        if change == "tech":
            values.update(tech_reconfirmed_by=emp(ctx, "孙浩"),
                          new_tech_agreement=f"JSXY-2026-{i:03d}",
                          production_change="调整传感器配置为 8 只 30t。",
                          qc_change="出厂检验按 120t 量程加载测试。",
                          agreement_reached_at=ctx.today - timedelta(days=10 + i))
        if review == "cannot_meet":
            values["customer_explanation"] = "产能已排满，经评审无法提前交付，已向客户解释并约定分批发货。"
        if review == "can_meet":
            values["agreement_reached_at"] = ctx.today - timedelta(days=5 + i)
        with at(moment(ctx, 20 + i * 9)):
            row = ctx.create(who, "customer_change_request", **values)
        if review == "can_meet" or change == "tech":
            for abbr in ("PZ", "JS"):
                CustomerChangeNotice.create(request=row, dept=ctx.departments[abbr],
                                            notice_ref=f"TZ-{i:03d}-{abbr}",
                                            notified_at=moment(ctx, 19 + i * 9, 15))
    return 12


# F-29 用户意见反馈表 -------------------------------------------------------------

def _service_feedback(ctx, rng):
    opinions = ("维修人员技术熟练，问题当场解决，满意。", "希望备件能提前备好，减少二次上门。",
                "服务态度好，但到达时间比约定晚一小时。", "建议提供操作人员培训。",
                "设备调试后运行稳定，感谢及时服务。")
    internal = [c for c in ctx.customers if c.confidentiality == "internal"]
    for i in range(32):
        cust = internal[(i * 5) % len(internal)]
        done = moment(ctx, 2 + i * 3, 14)
        with at(done):
            row = ctx.create("service", "service_feedback", service_ref=f"FW-{done:%y%m}-{i:03d}",
                             customer_unit=cust.name, customer_address=cust.address,
                             customer_phone=cust.phone, receiver=emp(ctx, "杨帆"),
                             opinion=opinions[i % len(opinions)], reward_suggested=i % 10 == 3)
        if i % 4 == 0:
            continue
        with at(done + timedelta(days=1, hours=-4)):
            ctx.run("service", row, "follow_up", result="电话回访客户，设备运行正常，对服务满意。")
        if i % 4 == 1:
            continue
        with at(done + timedelta(days=2)):
            ctx.run("service", row, "file")
    return 32


# F-31 顾客满意度调查计划 and F-30 用户满意度调查表 -----------------------------------

def _plans(ctx, rng):
    from models import SatisfactionSurveyPlanCustomer
    year = ctx.today.year
    plans = []
    specs = (   # filer, region, year, how far
        ("regional", "西北区", year, "evaluated"), ("clerk", "华东区", year, "executed"),
        ("sales", "华北区", year, "approved"), ("sales2", "西南区", year, "approved"),
        ("regional", "西北区", year + 1, "pending_gm"), ("clerk", "华南区", year + 1, "pending"),
        ("sales", "华北区", year + 1, "rejected"), ("sales2", "西南区", year + 1, "draft"),
    )
    for i, (who, region, plan_year, stage) in enumerate(specs):
        start = datetime(min(plan_year - 1, year), 11, 20) if plan_year == year + 1 else datetime(year, 1, 5)
        start = min(start, moment(ctx, 1))
        with at(start):
            row = ctx.create(who, "satisfaction_survey_plan",
                             title=f"{plan_year}年度{region}顾客满意度调查计划", year=plan_year,
                             method="以电话访问结合上门走访，按《顾客满意度评估程序》发放顾客满意度调查表。",
                             schedule="一季度完成A类客户，二、三季度完成B类客户，四季度汇总分析。")
        for n, cust in enumerate(visible(ctx, who)[:6]):
            SatisfactionSurveyPlanCustomer.create(plan=row, customer=cust, planned_month=(n % 12) + 1,
                                                  surveyor=emp(ctx, who))
        plans.append(row)
        if stage == "draft":
            continue
        with at(start + timedelta(days=1)):
            ctx.run(who, row, "submit", comment="请审批")
        if stage == "pending":
            continue
        if stage == "rejected":
            with at(start + timedelta(days=2)):
                ctx.run("salesmgr", row, "reject", reason="调查客户范围过窄，请补充B类客户。")
            continue
        with at(start + timedelta(days=2)):
            ctx.run("salesmgr", row, "approve", comment="同意")
        if stage == "pending_gm":
            continue
        with at(start + timedelta(days=3)):
            ctx.run("gm", row, "approve", comment="同意实施")
        if stage == "approved":
            continue
        with at(start + timedelta(days=4)):
            ctx.run(who, row, "execute")
        if stage == "executed":
            continue
        with at(start + timedelta(days=5)):
            ctx.run(who, row, "evaluate", result="已完成计划调查客户的 90%，整体满意度较上年提高。")
    return plans


def _surveys(ctx, rng, plans):
    from models import SatisfactionSurveyPlan
    year_start = ctx.today.replace(month=1, day=1)
    usable = [p for p in plans if SatisfactionSurveyPlan.get_by_id(p.id).state in
              ("approved", "executed", "evaluated") and p.year == ctx.today.year]
    filers = ("sales", "sales2", "regional", "clerk")
    ratings = ("良好", "一般", "较好", "很好")
    for i in range(32):
        who = filers[i % len(filers)]
        cust = visible(ctx, who)[(i * 3) % len(visible(ctx, who))]
        day = max(ctx.today - timedelta(days=2 + i * 4), year_start)
        plan = usable[i % len(usable)] if i % 5 else None
        with at(datetime.combine(day, time(10))):
            ctx.create(who, "satisfaction_survey", customer=cust, customer_name=CALLERS[i % len(CALLERS)],
                       customer_phone=cust.phone, customer_address=cust.address,
                       product_usage=f"设备使用情况{ratings[i % 4]}，日均称重约 {300 + i * 20} 车次。",
                       installation="施工安装规范，现场清理干净。" if i % 3 else "安装工期略有延误。",
                       after_sales=("响应及时，服务周到。", "备件供应偶有延迟。", "技术人员专业，问题处理彻底。")[i % 3],
                       overall_operation=("运行稳定", "偶有数据中断", "运行良好")[i % 3],
                       customer_evaluation=("非常满意", "满意", "基本满意", "满意")[i % 4],
                       company_evaluation="重点客户，继续保持季度回访。" if i % 2 else None,
                       time=day, plan=plan, surveyor=emp(ctx, who))
    return 32


# F-32 客户意见调查卡 -------------------------------------------------------------

def _cards(ctx, rng):
    levels = ("very_satisfied", "satisfied", "fair", "unsatisfied")
    rated = ("sales", "sales2", "何平", "regional")
    complaints = ("维修后三天同一故障再次出现。", "技术员到达时间比约定晚了两个小时。",
                  "答应寄送的操作手册至今未收到。", "建议提供夜间维修服务。")
    for i in range(32):
        who = ("clerk", "marketing", "clerk", "sales")[i % 4]
        cust = visible(ctx, who)[(i * 7) % len(visible(ctx, who))]
        filled = moment(ctx, 1 + i * 3, 9)
        has_remark = i % 3 == 0
        severity = ("major" if i % 6 == 0 else "ordinary") if has_remark else None
        with at(filled):
            row = ctx.create(who, "opinion_survey_card", repair_request=f"JX-{filled:%y%m%d}-{i % 7 + 1:02d}",
                             customer=cust, salesperson=emp(ctx, rated[i % 4]),
                             rating_attitude=levels[rng.randrange(3)],
                             rating_skill=levels[rng.randrange(4)],
                             rating_arrival=levels[rng.randrange(4)],
                             rating_promises=levels[rng.randrange(3)],
                             suggestion_or_complaint=complaints[i % 4] if has_remark else None,
                             severity=severity,
                             handling="已安排技术员复修并向客户致歉。" if has_remark else None,
                             visited_by=emp(ctx, "regional") if has_remark else None)
        if not has_remark or i % 4 == 3:
            continue
        if severity == "major":
            with at(filled + timedelta(hours=2)):
                ctx.run(who, row, "escalate")
            if i % 12 == 6:
                continue
            with at(filled + timedelta(hours=5)):
                ctx.run("salesmgr", row, "review", handling="优先处理，销售主管亲自上门，函告客户处理结果。")
            with at(filled + timedelta(days=1)):
                ctx.run(who, row, "notify", notified_customer_by="letter")
        else:
            with at(filled + timedelta(days=1)):
                ctx.run(who, row, "notify", notified_customer_by=("phone", "written")[i % 2])
    return 32


# F-33 顾客意见簿 -----------------------------------------------------------------

def _opinion_book(ctx, rng, complaints):
    from models import Complaint
    opinions = ("店员介绍产品耐心细致。", "希望周末也能办理检定预约。", "等候时间过长。",
                "对电子秤维修收费标准有疑问。", "建议增加老年顾客的座椅。")
    n = 0
    for i in range(30):
        who = ("sales", "sales2", "clerk", "service", "regional")[i % 5]
        cases = [c for c in complaints if c.received_by_id == emp(ctx, who).id] if who != "service" else []
        is_complaint = bool(cases) and i % 3 == 0
        case = cases[i % len(cases)] if is_complaint else None
        cust = Complaint.get_by_id(case.id).customer if case else \
            (visible(ctx, who)[i % len(visible(ctx, who))] if visible(ctx, who) and i % 2 else None)
        with at(moment(ctx, 1 + i * 4, 16)):
            row = ctx.create(who, "opinion_book_entry", store=STORES[i % len(STORES)],
                             date=ctx.today - timedelta(days=1 + i * 4), customer=cust,
                             customer_name=None if cust else CALLERS[(i + 3) % len(CALLERS)],
                             content=case.content if case else opinions[i % len(opinions)],
                             is_complaint=is_complaint, recorded_complaint=case)
        n += 1
        if i % 3 == 2:
            continue
        checker = "marketing" if who in ("clerk", "service") else ("salesmgr", "regional")[i % 2]
        with at(moment(ctx, i * 4, 11)):
            ctx.run(checker, row, "inspect", check_opinion="记录完整，投诉均已登记。")
    return n


# F-34 报价记录 / F-35 会议记录 ---------------------------------------------------

def _quotations(ctx, rng):
    for i in range(30):
        who = ("sales", "sales2", "regional", "clerk")[i % 4]
        cust = visible(ctx, who)[(i * 5 + 2) % len(visible(ctx, who))]
        qty = 1 + i % 4
        price = (168000, 85000, 420000, 36000, 12800)[i % 5]
        with at(moment(ctx, 3 + i * 6, 15)):
            ctx.create(who, "quotation_record", customer=cust, date=ctx.today - timedelta(days=3 + i * 6),
                       items=f"{PRODUCTS[i % len(PRODUCTS)]} × {qty} 台（含安装调试、一年免费保修）",
                       amount=price * qty, basis=f"客户询价函 XJ-{i:03d}", quoted_by=emp(ctx, who))
    return 30


def _meetings(ctx, rng):
    from models import MeetingCommitment
    kinds = (("demand", "clerk", "本周需求信息工作会议"), ("customer", "salesmgr", "顾客会议：设备验收问题沟通"),
             ("production", "quality", "生产会议：顾客反馈质量问题通报"),
             ("service_topic", "marketing", "顾客服务专题会议"), ("info_analysis", "sales", "客户信息分析会议"))
    for i in range(12):
        kind, who, subject = kinds[i % len(kinds)]
        held = moment(ctx, 2 + i * 7, 14)
        cust = visible(ctx, "salesmgr")[i % len(visible(ctx, "salesmgr"))] if kind == "customer" else None
        with at(held):
            row = ctx.create(who, "meeting", meeting_type=kind, subject=subject, held_at=held,
                             host=emp(ctx, who), customer=cust,
                             participants="陈明、王强、张伟、李娜、吴刚、郑磊",
                             minutes="通报上周情况，逐项落实跟踪责任人和完成期限。",
                             materials=f"HY-{held:%y%m%d}")
        for n in range(2 if kind in ("customer", "production") else 1):
            MeetingCommitment.create(meeting=row, commitment=("两周内提交整改报告", "下月上门复检设备")[n],
                                     owner=emp(ctx, ("quality", "service")[n]),
                                     due=held.date() + timedelta(days=14 * (n + 1)),
                                     fulfilled=i > 3)
    return 12


# F-37 投诉调查报告 ---------------------------------------------------------------

def _investigations(ctx, rng, complaints):
    fillers = ("sales", "quality", "service", "sales2", "clerk")
    submitters = {"sales": "salesmgr", "sales2": "salesmgr", "quality": "quality",
                  "service": "marketing", "clerk": "marketing"}
    units = {"sales": "XS1", "sales2": "XS1", "quality": "PZ", "service": "KF", "clerk": "YX"}
    for i in range(30):
        who = fillers[i % len(fillers)]
        mine = cases_for(ctx, who, complaints)
        case = mine[i % len(mine)]
        start = case.received_at + timedelta(days=1)
        with at(start):
            row = ctx.create(who, "complaint_investigation_report", complaint=case,
                             receiving_unit=ctx.departments[units[who]],
                             method=("goods", "records", "site")[i % 3],
                             scope_true=i % 4 != 1, scope_note="数量、金额与客户所述一致。",
                             reason_valid=i % 5 != 2, request_valid=i % 3 != 0,
                             cause_investigation="抽取同批次产品复测，并调阅出厂检验记录。",
                             analysis="问题集中在同一批次，与来料质量相关。",
                             cause=("传感器来料密封不良", "安装时接线盒未做防水处理",
                                    "维修人员未按派工时间出发")[i % 3],
                             course="客户反映后次日到现场复核，确认问题并拍照取证。",
                             responsible=("生产部装配班组", "售后服务中心安装组", "售后服务中心维修人员")[i % 3],
                             conclusion="投诉属实，责任在我方。" if i % 4 else "投诉部分属实。",
                             countermeasure="更换受损部件并对同批次产品全部复检。",
                             prevention="增加来料密封性抽检，安装作业增加防水检查项。",
                             production_unit="装配车间" if i % 3 == 0 else None,
                             machine_shift="甲班" if i % 3 == 0 else None,
                             production_date=(case.received_at - timedelta(days=60)).date() if i % 3 == 0 else None,
                             investigated_at=start.date() + timedelta(days=1))
        stage = i % 5
        if stage == 0:
            continue
        with at(start + timedelta(days=2)):
            ctx.run(submitters[who], row, "submit")
        if stage == 1:
            continue
        reviewer = "reception" if who == "quality" else "quality"
        if stage == 2 and i % 10 == 2:
            with at(start + timedelta(days=3)):
                ctx.run(reviewer, row, "send_back", reason="责任者不够具体，请补充到班组。")
            continue
        with at(start + timedelta(days=3)):
            ctx.run(reviewer, row, "review")
        if stage < 4:
            continue
        with at(start + timedelta(days=4)):
            ctx.run("gm", row, "endorse", gm_comment="同意处理意见，举一反三落实防范措施。")
    return 30


# F-38 顾客投诉处理表 --------------------------------------------------------------

def _handling_forms(ctx, rng, complaints):
    for i in range(10):
        who = ("clerk", "marketing", "sales", "salesmgr")[i % 4]
        mine = cases_for(ctx, who, complaints)
        case = mine[(i * 3) % len(mine)]
        start = case.received_at + timedelta(days=4)
        with at(start):
            row = ctx.create(who, "complaint_handling_form", complaint=case,
                             cause_analysis="经分析，投诉原因为产品批次质量问题叠加安装不规范。",
                             responsible_dept=ctx.departments[("PZ", "KF", "XS1")[i % 3]],
                             countermeasure="更换受损部件，承担往返运费，并对安装人员进行再培训。",
                             agreed_solution="客户、市场部与销售分公司商定：免费更换并延长保修半年。")
        if i % 2 == 0:
            continue
        with at(start + timedelta(hours=3)):
            ctx.run(who, row, "submit", comment="请主管副总经理批示")
        # the deputy general manager (刘振华) has no demo login: the forms
        # wait for his 批示
    return 10


# F-39 投诉统计表 -----------------------------------------------------------------

def _statistics(ctx, rng):
    from portal.calendar import add_months
    first = ctx.today.replace(day=1)
    n = 0
    for k in range(1, 11):
        month = add_months(first, -k)
        due = add_months(month, 1).replace(day=3)
        with at(datetime.combine(due, time(10))):
            row = ctx.create("clerk", "complaint_statistics", period_type="monthly",
                             period=f"{month:%Y-%m}",
                             responsibility_ratios="品质部 50%；售后服务中心 30%；销售一部 20%",
                             improvement_review="上月改善对策均已落实，客户回访无重复投诉。",
                             expectation_analysis="客户对响应时间的期望高于现行承诺。",
                             rectification_suggestions="缩短维修派工时间，增加备件库存。")
        n += 1
        if k == 1:
            continue                    # this month's report still being prepared
        with at(datetime.combine(due, time(15))):
            ctx.run("clerk", row, "submit")
        if k == 2:
            continue
        with at(datetime.combine(due + timedelta(days=1), time(9))):
            ctx.run("salesmgr", row, "review", comment="已审核")
    for half in (1, 2):
        year = ctx.today.year - 1
        with at(datetime(year, 6 if half == 1 else 12, 5, 10)):
            row = ctx.create("marketing", "complaint_statistics", period_type="half_year",
                             period=f"{year}-H{half}",
                             responsibility_ratios="加工单位 40%；业务部门 35%；服务部门 25%",
                             improvement_review="半年度改善项目共 6 项，已完成 5 项。")
            ctx.run("marketing", row, "submit")
        with at(datetime(year, 6 if half == 1 else 12, 8, 10)):
            ctx.run("gm", row, "review", comment="同意")
        n += 1
    return n


# F-40 异常处理单 / F-41 产品质量缺陷报告单 ------------------------------------------

def _abnormality_notices(ctx, rng, complaints):
    from models import AbnormalityNoticeUnit
    for i in range(10):
        who = ("sales", "clerk", "sales2")[i % 3]
        cust = visible(ctx, who)[(i * 4) % len(visible(ctx, who))]
        loss = i % 5 == 4
        case = None
        if loss:
            own = [c for c in cases_for(ctx, who, complaints) if c.customer_id == cust.id]
            case = own[0] if own else None
            loss = case is not None
        with at(moment(ctx, 4 + i * 8, 10)):
            row = ctx.create(who, "abnormality_notice", customer=cust, product=PRODUCTS[i % len(PRODUCTS)],
                             part_no=f"LH-{2100 + i * 7}", caused_loss=loss, complaint=case,
                             abnormality=("显示读数偶尔跳动，未影响结算。", "秤台限位间隙偏小。",
                                          "打印单据日期格式错误。")[i % 3],
                             improvement_requested="请查明原因并在下批产品中改善。")
        for abbr in (("PZ",), ("PZ", "JS"), ("KF",))[i % 3]:
            AbnormalityNoticeUnit.create(notice=row, dept=ctx.departments[abbr],
                                         notified_at=moment(ctx, 4 + i * 8, 11))
        if i % 4 == 0:
            continue
        with at(moment(ctx, 3 + i * 8, 9)):
            ctx.run(who, row, "issue")
        if i % 4 == 1:
            continue
        with at(moment(ctx, 1 + i * 8, 16)):
            ctx.run("quality", row, "record_improvement", result="已调整出厂检验项目，后续批次未再出现。")
    return 10


def _defect_reports(ctx, rng, complaints, logs):
    from models import CustomerContactLog
    import permissions
    for i in range(30):
        who = ("service", "sales", "clerk")[i % 3]
        quality_cases = [c for c in cases_for(ctx, who, complaints) if c.cause_class == "quality"]
        feedback_logs = list(permissions.rows(ctx.users[who], "view", CustomerContactLog)
                             .where(CustomerContactLog.kind.in_(("feedback", "repair")))
                             .order_by(CustomerContactLog.id))
        source = {"complaint": quality_cases[i % len(quality_cases)]} if i % 2 == 0 and quality_cases else \
            {"contact_log": feedback_logs[i % len(feedback_logs)]}
        with at(moment(ctx, 2 + i * 5, 11)):
            row = ctx.create(who, "quality_defect_report", product_model=PRODUCTS[i % len(PRODUCTS)],
                             defect=("传感器密封圈老化导致进水", "显示器电源模块低温失效",
                                     "秤台焊缝强度不足", "软件报表导出模块缺陷")[i % 4],
                             function_impact="影响称量准确性" if i % 2 else "影响数据导出",
                             sent_to=("rnd", "design", "production", "tech")[i % 4], **source)
        if i % 3 == 0:
            continue
        with at(moment(ctx, 1 + i * 5, 9)):
            ctx.run(who, row, "send")
        if i % 3 == 1:
            continue
        with at(moment(ctx, i * 5, 17)):
            ctx.run("quality", row, "close", handling="已组织研发、生产分析原因。",
                    result="已修改设计图纸并更换供应商，纳入下批次生产。")
    return 30


# F-42 签呈 / F-43 奖罚通知单 / F-44 人事公布单 ----------------------------------------

def _petitions(ctx, rng, complaints):
    for i in range(8):
        who = ("quality", "service", "sales", "sales2")[i % 4]
        mine = cases_for(ctx, who, complaints)
        case = mine[(i * 5 + 1) % len(mine)]
        start = case.received_at + timedelta(days=6)
        with at(start):
            row = ctx.create(who, "complaint_petition", complaint=case,
                             objection=("责任比率认定过高，本部门仅负次要责任。",
                                        "处理方式超出核决权限，建议改为解释说明。")[i % 2])
        if i % 4 == 3:
            continue
        with at(start + timedelta(hours=2)):
            ctx.run(who, row, "submit")
        if i % 4 == 2:
            continue
        with at(start + timedelta(days=2)):
            ctx.run("gm", row, "decide", outcome=("upheld", "revised")[i % 2],
                    decision="经复核，" + ("维持原决议。" if i % 2 == 0 else "责任比率调整为 30%。"))
    return 8


def _reward_penalty(ctx, rng, complaints):
    from models import RewardPenaltyComplaint
    for i in range(10):
        who = "marketing"      # 总经理室's clerks (admin_dept) cannot read the cases: see the report
        mine = cases_for(ctx, who, complaints)
        cases = [mine[(i * 3 + k) % len(mine)] for k in range(1 + i % 2)]
        start = cases[0].received_at + timedelta(days=20)
        with at(start):
            row = ctx.create(who, "reward_penalty_notice", direction="reward" if i % 5 == 4 else "penalty",
                             unit=ctx.departments[("PZ", "KF", "XS1")[i % 3]],
                             person=emp(ctx, ("高远", "马超", "sales2")[i % 3]) if i % 2 else None,
                             cause_item=("客诉属质量异常，责任归属装配班组。", "维修迟到引起客户投诉。",
                                         "及时妥善处理重大投诉，客户来信表扬。")[i % 3],
                             bonus_penalty_amount=(200, 300, 500, 150, 800)[i % 5])
        for case in cases:
            RewardPenaltyComplaint.create(notice=row, complaint=case, note=case.title)
        if i % 5 == 0:
            continue
        with at(start + timedelta(hours=2)):
            ctx.run(who, row, "submit")
        if i % 5 == 1:
            continue
        if i % 5 == 2:
            with at(start + timedelta(days=1)):
                ctx.run("gm", row, "reject", reason="金额依据不足，请附客诉罚扣判定基准条款。")
            continue
        with at(start + timedelta(days=1)):
            ctx.run("gm", row, "approve", comment="同意")
        if i % 5 == 4:
            with at(start + timedelta(days=3)):
                ctx.run("hr", row, "execute")
    return 10


def _announcements(ctx, rng, complaints):
    for i in range(8):
        case = complaints[(i * 4 + 2) % len(complaints)]    # hr cannot read the case: cited by number
        start = moment(ctx, 10 + i * 25, 10)
        with at(start):
            row = ctx.create("hr", "personnel_announcement",
                             person=emp(ctx, ("马超", "高远", "何平", "sales2")[i % 4]),
                             sanction=f"因客诉案件 {case.record_no} 处理失职，"
                             + ("给予警告处分一次，通报批评。", "记过一次，取消当季评优资格。")[i % 2])
        if i % 4 == 3:
            continue
        with at(start + timedelta(hours=3)):
            ctx.run("hr", row, "submit")
        if i % 4 == 2:
            continue
        if i == 5:
            with at(start + timedelta(days=1)):
                ctx.run("gm", row, "reject", reason="处分依据须附客诉行政处理原则条款。")
            continue
        with at(start + timedelta(days=1)):
            ctx.run("gm", row, "approve")
        if i % 4 == 1:
            continue
        with at(start + timedelta(days=2)):
            ctx.run("hr", row, "publish", publisher=("hr", "gm_office")[i % 2])
    return 8
