"""Demo data of SECTION A: customer archives, tracking, demand, consumer files, patrol visits, care.

Every record is filed through the services layer as the demo user whose role
files it, and walked through its workflow to varied states. Deterministic:
one `random.Random` seeded with a constant, dates counted back from today."""
import random
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from portal import clock

from . import data, trade_start

RNG_SEED = 20261122


@contextmanager
def acting(username, ctx):
    """A request context logged in as `username`: transition inputs naming an
    employee are looked up under that user's row rules, as in the portal."""
    from flask import current_app
    from flask_login import login_user
    with current_app.test_request_context():
        login_user(ctx.users[username])
        yield


def run(ctx, username, row, transition, **inputs):
    with acting(username, ctx):
        return ctx.run(username, row, transition, **inputs)


def at(day, hour=10, minute=0):
    return datetime.combine(day, time(hour, minute))


def visible(ctx, username, **match):
    rows = ctx.visible_customers(username)
    return [c for c in rows if all(getattr(c, k) == v for k, v in match.items())]


# -- demo tables -------------------------------------------------------------

NEW_COUNTERPARTIES = (
    ("陕西陕煤黄陵矿业有限公司", "sell", "西北区", "煤炭开采及洗选，年外运原煤约800万吨", "刘建军", "0911-5566123",
     "陕西省延安市黄陵县店头镇"),
    ("宁夏宝丰能源集团物流公司", "sell", "西北区", "煤化工原料及产品物流", "马国栋", "0951-6061888",
     "宁夏银川市宁东镇"),
    ("内蒙古伊泰准东铁路公司", "sell", "华北区", "铁路运输、装车站计量", "王海", "0477-8569001",
     "内蒙古鄂尔多斯市准格尔旗"),
    ("山西晋城无烟煤矿业集团", "sell", "华北区", "无烟煤开采、煤层气开发", "赵志刚", "0356-3660120",
     "山西省晋城市城区北石店镇"),
    ("唐山市丰润区公路管理站", "sell", "华北区", "普通干线公路养护，新建超限检测站", "孙立新", "0315-3122456",
     "河北省唐山市丰润区丰润镇"),
    ("中铁物资西北供应链公司", "buy", "西北区", "钢材、型材供应（秤体结构件原材料）", "郭伟", "029-86330011",
     "陕西省西安市未央区凤城八路"),
    ("宝鸡石油钢管有限责任公司", "buy", "西北区", "钢管、称重传感器外壳材料", "周涛", "0917-3398200",
     "陕西省宝鸡市渭滨区姜谭路"),
    ("四川蜀道高速公路集团", "sell", "西南区", "高速公路投资建设及运营", "李明", "028-86018888",
     "四川省成都市高新区交子大道"),
    ("甘肃建投交通建设有限公司", "sell", "西北区", "公路工程施工及收费站建设", "何军", "0931-8768001",
     "甘肃省兰州市七里河区西津东路"),
    ("榆林市金鸡滩煤矿", "sell", "西北区", "煤炭开采，汽车衡需求", "高飞", "0912-3556777",
     "陕西省榆林市榆阳区金鸡滩镇"),
    ("中航电测仪器股份有限公司", "buy", "西北区", "称重传感器、仪表供应", "陈洁", "0917-3613333",
     "陕西省汉中市汉台区"),
    ("西宁特殊钢股份有限公司", "sell", "西北区", "特钢冶炼，进出厂计量", "马晓", "0971-5299001",
     "青海省西宁市城北区柴达木路"),
    ("重庆交通运输控股集团", "sell", "西南区", "高速公路及港口运营", "刘洋", "023-63010888",
     "重庆市渝中区解放碑"),
    ("保定长城物流园", "sell", "华北区", "公路货运物流园区，地磅计量", "张磊", "0312-3121888",
     "河北省保定市莲池区"),
)

COMMUNICATION_SUMMARIES = (
    ("phone", "general", "电话回访秤台使用情况，客户反映称重稳定，无异常。"),
    ("customer_visit", "business", "上门洽谈年度保养合同，客户同意下月签订。"),
    ("email", "business", "发送计重收费系统升级方案及报价，客户确认收到。"),
    ("fax", "business", "传真确认检定证书复印件及发货清单。"),
    ("reception", "business", "客户来公司考察动态汽车衡生产线，陪同参观并介绍工艺。"),
    ("phone", "major_change", "客户通知单位更名并迁址，需更新客户档案及开票信息。"),
    ("letter", "general", "寄送新年贺卡及新版产品手册。"),
    ("customer_visit", "major_change", "客户设备管理负责人调整，新负责人要求重新培训操作人员。"),
    ("phone", "business", "客户询问备品备件价格，已转售后服务中心报价。"),
    ("email", "general", "客户反馈上月检修服务满意，感谢售后人员及时到场。"),
)

TRACKING_NOTES = (
    ("动态汽车衡、计重收费系统", "设备运行正常，日均过车约3200辆", "称重精度稳定在±1%以内",
     "希望售后响应时间缩短到4小时以内"),
    ("超限检测称重设备", "两套检测设备运行，一套传感器偶发漂移", "个别传感器需更换",
     "对上门服务态度满意，希望加强培训"),
    ("汽车衡、轴重仪", "进出厂计量正常，雨季秤台积水", "秤体防腐需加强",
     "建议增加年度巡检次数"),
    ("计重收费车道设备", "新开通收费站6条车道已投入使用", "数据上传稳定",
     "希望提供车道设备操作培训"),
)

DEMAND_PROJECTS = (
    ("class1", "weigh_toll", "高速公路计重收费车道改造（12条车道）"),
    ("class1", "overload_detection", "新建超限检测站称重设备采购"),
    ("class1", "weigh_toll", "收费站计重设备更新换代项目"),
    ("class1", "overload_detection", "治超非现场执法检测点建设"),
    ("class2", "ordinary_scale", "厂区100吨汽车衡更新"),
    ("class2", "ordinary_scale", "港口散货地磅扩建"),
    ("class2", "ordinary_scale", "粮库电子汽车衡及配套软件"),
    ("class2", "ordinary_scale", "物流园区地磅联网改造"),
)

COMPETITORS = ("梅特勒-托利多、耀华衡器", "上海大和衡器、万集科技", "华兰海、金钟衡器", "北京万集、中交兴路")

FOLLOWUP_NOTES = (
    "与客户设备科沟通技术参数，客户倾向于双台面方案。",
    "客户已发布招标预告，索取资格预审文件。",
    "陪同客户考察已投运项目，客户评价较好。",
    "提交技术方案及初步报价，等待客户反馈。",
    "客户预算已批复，采购计划下月上报。",
    "了解到竞争对手报价低约8%，已制定应对策略。",
)

CONSUMER_NAMES = ("王秀兰", "李桂芳", "张玉珍", "刘凤英", "陈建国", "杨淑珍", "赵永福", "黄秀英",
                  "周德明", "吴翠兰", "徐志华", "孙桂英", "马德胜", "朱玉兰")

HEALTH = ("血压偏高，长期服用降压药", "关节疼痛，行走不便", "睡眠质量差", "血糖偏高，控制饮食",
          "身体状况良好，注重保健", "心脑血管病史，定期复查")

GUESTS = (
    ("王建华", "male", date(1975, 3, 12), "陕西省高速公路管理局", "西安市", "610113", "参加设备验收会"),
    ("李秀英", "female", date(1982, 7, 21), "甘肃省公路路政执法管理局", "兰州市", "620102", "技术交流"),
    ("张志强", "male", date(1968, 11, 5), "山西潞安矿业集团", "长治市", "140402", "考察生产线"),
    ("刘海燕", "female", date(1990, 1, 30), "西安衡通衡器经销部", "西安市", "610103", "经销商年会"),
    ("陈国庆", "male", date(1979, 10, 1), "宝钢集团八一钢铁有限公司", "乌鲁木齐市", "650102", "合同谈判"),
    ("杨红梅", "female", date(1986, 5, 18), "咸阳市公路管理局", "咸阳市", "610402", "培训"),
    ("赵俊杰", "male", date(1972, 8, 9), "河北省高速公路京石管理处", "石家庄市", "130102", "设备验收"),
    ("周丽娟", "female", date(1993, 12, 24), "南京宁衡计量器具有限公司", "南京市", "320102", "代理商会议"),
    ("吴文斌", "male", date(1965, 4, 16), "攀钢集团西昌钢钒有限公司", "西昌市", "513401", "技术协议签订"),
    ("郑晓东", "male", date(1988, 9, 3), "广东省公路建设有限公司", "广州市", "440103", "项目考察"),
    ("冯春燕", "female", date(1984, 2, 27), "成都蓉城衡器贸易公司", "成都市", "510104", "经销商年会"),
    ("韩卫东", "male", date(1970, 6, 8), "唐山港京唐港区码头公司", "唐山市", "130203", "合同谈判"),
)


def resident_id(area, born, serial):
    """A syntactically valid 18-digit resident ID number for demo data."""
    from models import RESIDENT_ID_CHECK, RESIDENT_ID_WEIGHTS
    body = f"{area}{born:%Y%m%d}{serial:03d}"
    total = sum(int(d) * w for d, w in zip(body, RESIDENT_ID_WEIGHTS))
    return body + RESIDENT_ID_CHECK[total % 11]


# -- seeders -------------------------------------------------------------------

def seed(ctx):
    rng = random.Random(RNG_SEED)
    counts = {}
    consumers = _consumers(ctx, rng)
    counts["consumer_customers"] = len(consumers)
    counts["customer_communication"] = _communications(ctx, rng)
    counts["trade_start_investigation"] = _investigations(ctx, rng)
    counts["customer_tracking_record"] = _tracking(ctx, rng)
    counts["demand_lead"] = _demand(ctx, rng)
    counts["demand_monthly_report"] = _demand_reports(ctx)
    counts.update(_hotel(ctx, rng))
    counts["customer_anniversary"] = _anniversaries(ctx, rng)
    counts["customer_analysis"] = _analyses(ctx, rng)
    counts["health_survey"] = _surveys(ctx, rng, consumers)
    counts.update(_consumer_files(ctx, rng, consumers))
    counts.update(_key_accounts(ctx, rng))
    counts["patrol_plan"] = _patrol_plans(ctx, rng)
    counts["patrol_daily_report"] = _patrol_daily(ctx, rng)
    counts["patrol_urgent_report"] = _urgent(ctx, rng)
    counts["patrol_monthly_report"] = _patrol_monthly(ctx)
    counts["inquiry_card"] = _inquiry_cards(ctx, rng)
    counts["customer_care_approval"] = _care(ctx, rng)
    return counts


def _consumers(ctx, rng):
    """Individual consumers (个人顾客) of the health-product events (002 篇三)."""
    rows = []
    for i, name in enumerate(CONSUMER_NAMES):
        owner = ("sales", "sales2")[i % 2]
        row = ctx.create(
            "clerk", "customer", name=name, customer_kind="individual",
            channel_role="end_consumer", grade="D", region=ctx.regions["西北区"],
            account_owner=ctx.employees[owner], responsible_dept=ctx.departments["XS1"],
            contact_name=name, phone=data.phone(300 + i),
            address=data.address("西北区", 40 + i), custodian=ctx.employees["clerk"])
        trade_start(ctx.users, ctx.departments, row, "参加联谊会的顾客")
        rows.append(type(row).get_by_id(row.id))
    return rows


def _communications(ctx, rng):
    n = 0
    for i in range(40):
        who = ("sales", "sales2", "regional")[i % 3]
        customers = visible(ctx, who, customer_kind="unit")
        cust = customers[(i * 5) % len(customers)]
        channel, kind, text = COMMUNICATION_SUMMARIES[i % len(COMMUNICATION_SUMMARIES)]
        day = ctx.today - timedelta(days=2 * i + 1 + rng.randint(0, 1))
        ctx.create(who, "customer_communication", customer=cust, at=at(day, 9 + i % 8, 15),
                   channel=channel, event_type=kind, summary=text, filled_at=day,
                   is_major=kind == "major_change" or i % 11 == 0)
        n += 1
    return n


def _investigations(ctx, rng):
    prospects = [c for c in visible(ctx, "sales", lifecycle_status="prospect")] + \
        [c for c in visible(ctx, "sales2", lifecycle_status="prospect")]
    prospects = list({c.id: c for c in prospects}.values())
    plan = ["draft"] * 6 + ["submitted"] * 6 + ["reported"] * 6 + ["approved"] * 10 + ["rejected"] * 4
    n = 0
    for i, target in enumerate(plan):
        who = ("sales", "sales2")[i % 2]
        common = dict(
            organization="董事会领导下的总经理负责制，设采购部、设备部、财务部",
            business_content="主营业务稳定，近三年计量设备年采购额约200万元",
            credit="银行资信良好，近两年无拖欠货款记录",
            relationship="经老客户介绍接触，已有两次技术交流",
            business_policy="稳健经营，注重设备质量与售后服务",
            trading_attitude="合作意愿强，要求分期付款",
            filled_at=ctx.today - timedelta(days=60 - i))
        existing = [p for p in prospects if p.account_owner_id == ctx.employees[who].id]
        if i % 4 == 3 and existing and target in ("approved", "reported"):
            cust = existing[0]
            prospects.remove(cust)
            row = ctx.create(who, "trade_start_investigation", counterparty_name=cust.name,
                             direction="sell", customer=cust, **common)
        else:
            name, direction, region, content, contact, phone, address = \
                NEW_COUNTERPARTIES[i % len(NEW_COUNTERPARTIES)]
            suffix = "" if i < len(NEW_COUNTERPARTIES) else "（二期）"
            common["business_content"] = content
            row = ctx.create(who, "trade_start_investigation", counterparty_name=name + suffix,
                             direction=direction, region=ctx.regions[region], contact_name=contact,
                             phone=phone, address=address, **common)
        n += 1
        if target == "draft":
            continue
        run(ctx, who, row, "submit", comment="请主管认可")
        if target == "submitted":
            continue
        if target == "rejected":
            run(ctx, "regional", row, "reject", reason="信用情况调查不充分，请补充近两年付款记录。")
            continue
        run(ctx, "regional", row, "acknowledge", comment="情况属实，同意上报")
        if target == "approved":
            run(ctx, "salesmgr", row, "approve", comment="同意开始交易")
    return n


def _tracking(ctx, rng):
    from models import Region
    n = 0
    users = ("regional", "sales", "sales2", "clerk", "salesmgr")
    for i in range(36):
        who = users[i % len(users)]
        customers = [c for c in visible(ctx, who, customer_kind="unit") if c.grade in ("A", "B", "C")]
        cust = customers[(i * 3) % len(customers)]
        region = Region.get_by_id(cust.region_id)
        tracker = cust.account_owner_id
        if cust.grade == "A" and region.manager_id:
            tracker = region.manager_id
        products, usage, quality, opinion = TRACKING_NOTES[i % len(TRACKING_NOTES)]
        day = ctx.today - timedelta(days=5 * i + 3)
        values = dict(customer=cust, tracked_by=tracker, tracked_at=day, filled_at=day,
                      product_types=products, equipment_usage=usage, product_quality=quality,
                      service_opinions=opinion)
        if i % 9 == 4:
            values.update(major_info="客户明年计划新建两处治超检测站，预算已列入年度计划。",
                          reported_at=at(day, 16))
        if i % 12 == 6:
            values["phone_change"] = data.phone(500 + i)
        if i % 15 == 7:
            values["office_change"] = data.address(region.name, 80 + i)
        row = ctx.create(who, "customer_tracking_record", **values)
        n += 1
        if i % 3 != 2:
            run(ctx, who, row, "file", comment="跟踪服务结束归档")
    return n


def _demand(ctx, rng):
    n = 0
    class1_owners = ("regional", "salesmgr")
    class2_owners = ("sales", "sales2")
    for i in range(36):
        info_class, product, project = DEMAND_PROJECTS[i % len(DEMAND_PROJECTS)]
        who = class1_owners[i % 2] if info_class == "class1" else class2_owners[i % 2]
        customers = visible(ctx, who, customer_kind="unit")
        if info_class == "class1":
            customers = [c for c in customers if c.industry_segment in ("highway", "secondary_road")] \
                or customers
        else:
            customers = [c for c in customers if c.industry_segment in ("industrial", "general")] \
                or customers
        day = ctx.today - timedelta(days=7 * i + 2)
        values = dict(project=project, info_class=info_class, product=product,
                      owner=ctx.employees[who], filled_at=day,
                      description=f"{project}，预计投资约{rng.randint(30, 400)}万元。")
        if i % 7 == 5:
            values["prospect_name"] = NEW_COUNTERPARTIES[i % len(NEW_COUNTERPARTIES)][0]
        else:
            values["customer"] = customers[(i * 7) % len(customers)]
        if info_class == "class1" and i % 3 == 0:
            values.update(is_major=True, bid_time=at(ctx.today + timedelta(days=10 + i), 9, 30),
                          bidders=COMPETITORS[i % len(COMPETITORS)] + "、本公司",
                          competitor_details="对手在当地有服务网点，报价偏低；本公司技术评分领先。",
                          strategy="突出动态称重精度和本地化服务，联合设计院做好技术交流。")
        lead = ctx.create(who, "demand_lead", **values)
        n += 1
        for k in range(1 + i % 3):
            when = min(at(day + timedelta(days=3 + 4 * k), 15), clock.now() - timedelta(hours=2))
            run(ctx, who, lead, "follow_up", progress=FOLLOWUP_NOTES[(i + k) % len(FOLLOWUP_NOTES)],
                at=when, reported_to=ctx.employees["marketing"].id if info_class == "class1" else None)
        if i % 6 == 1:
            run(ctx, who, lead, "settle", note="已中标并签订合同。")
        elif i % 6 == 4:
            run(ctx, who, lead, "lose", note="客户选择了报价更低的竞争对手。")
            if i % 12 == 4:
                run(ctx, "salesmgr", lead, "close", comment="已总结失标原因，关闭。")
    return n


def _demand_reports(ctx):
    n = 0
    first = ctx.today.replace(day=1)
    for k in range(8, 0, -1):
        month = first
        for _ in range(k):
            month = (month - timedelta(days=1)).replace(day=1)
        row = ctx.create("clerk", "demand_monthly_report", month=month,
                         filled_at=min(month + timedelta(days=34), ctx.today),
                         remarks="一类信息跟踪正常，重点项目均已制定策略。")
        n += 1
        if k > 1:
            run(ctx, "clerk", row, "submit", comment="按月上报")
    return n


def _hotel(ctx, rng):
    profiles, opinions, prefs = [], [], []
    for i, (name, gender, born, unit, residence, area, reason) in enumerate(GUESTS):
        who = ("reception", "sales", "sales2")[i % 3]
        day = ctx.today - timedelta(days=4 * i + 1)
        values = dict(guest_name=name, gender=gender, birth_date=born, unit=unit, residence=residence,
                      contact=data.phone(700 + i), arrival_reason=reason,
                      room_rate=Decimal(rng.choice((268, 298, 358, 458))), checkin_at=at(day, 14 + i % 6),
                      payment_method=("单位结算", "现金", "微信支付")[i % 3], filled_at=day)
        if i % 5 == 4:
            values.update(id_type="passport", id_number=f"E{rng.randint(10000000, 99999999)}")
        else:
            values.update(id_type="resident_id", id_number=resident_id(area, born, 100 + i))
        profiles.append((who, ctx.create(who, "guest_profile", **values)))
    rooms = ("rooms", "catering")
    for i in range(14):
        who = ("reception", "sales", "sales2", "regional")[i % 4]
        owner, profile = profiles[i % len(profiles)]
        day = ctx.today - timedelta(days=2 * i + 1)
        dept = rooms[i % 2]
        values = dict(date=day, filled_at=day, department=dept, guest_name=profile.guest_name,
                      room_no=f"{3 + i % 4}{(i * 7) % 20 + 1:02d}" if dept == "rooms" else f"包间{i % 6 + 1}",
                      observations=("客人晚间工作较晚，需要加床头阅读灯。" if dept == "rooms"
                                    else "客人口味偏清淡，不吃辣，喜欢陕西面食。"))
        if dept == "rooms":
            values.update(pillow_count=1 + i % 3, tea_type=("绿茶", "红茶", "普洱")[i % 3],
                          tv_channel=("新闻频道", "体育频道", "财经频道")[i % 3],
                          ac_temperature=22 + i % 4)
        else:
            values.update(dish_choices="凉拌菜、清蒸鱼、臊子面", drink_brand=("西凤酒", "青岛啤酒")[i % 2],
                          condiment_requests="多放醋，不要香菜")
        opinions.append(ctx.create(who, "guest_opinion_form", **values))
    for i in range(10):
        who, profile = profiles[i]
        prefs.append(ctx.create(
            who, "guest_preference", guest=profile, guest_name=profile.guest_name,
            source_opinion=opinions[i] if opinions[i].created_by_id == ctx.users[who].id else None,
            job_position=("设备科科长", "总工程师", "采购经理", "站长", "副局长")[i % 5],
            room_type_requirement=("安静的高楼层大床房", "无烟标准间", "带办公桌的商务房")[i % 3],
            pillow_height=("low", "medium", "high")[i % 3], mattress_firmness=("firm", "medium")[i % 2],
            diet=("口味清淡", "喜面食", "喜辣")[i % 3], beverages=("绿茶", "咖啡", "西凤酒")[i % 3],
            environment="空调温度22度左右，洗澡水偏热",
            evaluation="对客房整洁度满意，希望早餐增加面食品种。"))
    return {"guest_profile": len(profiles), "guest_opinion_form": len(opinions),
            "guest_preference": len(prefs)}


def _anniversaries(ctx, rng):
    occasions = ("company_anniversary", "birthday", "store_anniversary", "wedding", "special_day",
                 "school_admission")
    actions = {"company_anniversary": "holiday_card", "birthday": "birthday_flowers",
               "store_anniversary": "revisit", "wedding": "holiday_card",
               "special_day": "event_invitation", "school_admission": "revisit"}
    n = 0
    for i in range(14):
        who = ("sales", "sales2", "regional", "clerk")[i % 4]
        cust = visible(ctx, who, customer_kind="unit")[i * 3 % 10]
        occasion = occasions[i % len(occasions)]
        day = date(2000 + i, 1 + (i * 5) % 12, 1 + (i * 7) % 27)
        if occasion == "school_admission":
            day = date(ctx.today.year + 1, 9, 1)
        ctx.create(who, "customer_anniversary", customer=cust, occasion=occasion, date=day,
                   recurring=occasion != "school_admission", action=actions[occasion],
                   person=data.person(i) if occasion in ("birthday", "wedding", "school_admission") else None,
                   notes="提前一周准备贺卡和礼品。")
        n += 1
    return n


def _analyses(ctx, rng):
    items = {
        "profile": dict(customer_level="省级高速公路管理单位", economic_risk="财政拨款，付款周期较长但风险低",
                        habits="年底集中采购，重视招标程序"),
        "loyalty": dict(recognition="对本公司计重设备认同度高", purchase_enthusiasm="近三年持续复购"),
        "profit": dict(additional_profit=Decimal("12000"), total_profit=Decimal("286000"), net_profit=Decimal("98000")),
        "future": dict(customer_count=3, customer_category="高速公路、治超站",
                       potential_capacity="规划新建收费站8处", acquisition_means="联合设计院技术交流，提供试用设备"),
        "promotion": dict(advertising="行业杂志投放", publicity="参加全国治超设备展",
                          emotional_plan="节日问候、年度客户答谢会"),
        "maintenance": dict(content="每逢厂庆、春节寄送贺卡，设备验收后一周回访。"),
    }
    n = 0
    for i in range(12):
        who = ("sales", "sales2", "regional")[i % 3]
        kind = list(items)[i % len(items)]
        cust = visible(ctx, who, customer_kind="unit")[(i * 2) % 12]
        ctx.create(who, "customer_analysis", customer=cust, analysis_type=kind,
                   period=f"{ctx.today.year - (i % 2)}年度", **items[kind])
        n += 1
    return n


def _surveys(ctx, rng, consumers):
    """中老年健康调查表 in every state of WF-07."""
    plan = ["collected"] * 6 + ["submitted"] * 6 + ["assigned"] * 8 + ["sealed"] * 10 + ["sent_back"] * 2
    service = ctx.employees["service"]
    n = 0
    for i, target in enumerate(plan):
        who = ("sales", "sales2", "regional")[i % 3]
        name = CONSUMER_NAMES[i % len(CONSUMER_NAMES)] if i < len(CONSUMER_NAMES) else \
            data.SURNAMES[i % 30] + ("秀兰", "桂英", "建国", "德明")[i % 4]
        day = ctx.today - timedelta(days=45 - i)
        row = ctx.create(who, "health_survey", name=name, gender=("female", "male")[i % 2],
                         age=58 + i % 20, address=data.address("西北区", 120 + i),
                         phone=data.phone(800 + i), health_situation=HEALTH[i % len(HEALTH)],
                         print_serial=f"AX-{2026}{i + 1:04d}", collector_signature=target != "collected" or i % 2 == 0,
                         filled_by_rep_for_customer=i % 4 == 0, filled_at=day,
                         customer=consumers[i] if i < len(consumers) and consumers[i].account_owner_id
                         == ctx.employees[who].id else None)
        n += 1
        if target == "collected":
            continue
        run(ctx, who, row, "submit")
        if target == "submitted":
            continue
        if target == "sent_back":
            run(ctx, "salesmgr", row, "send_back", reason="健康状况一栏填写不全，请引导顾客补充。")
            continue
        principle = ("collector_first", "nearby", "capacity")[i % 3]
        rep = ctx.employees[who] if principle == "collector_first" else \
            ctx.employees[("sales", "sales2")[i % 2]]
        run(ctx, "salesmgr", row, "assign", assigned_rep=rep.id, allocation_principle=principle,
            custodian=service.id)
        if target == "sealed":
            run(ctx, "service", row, "seal", comment="收妥封存")
    return n


def _consumer_files(ctx, rng, consumers):
    """顾客档案表 (WF-08) and the revisits generated when they reach the doctor."""
    from models import ConsumerRevisit
    plan = ["filled"] * 6 + ["submitted"] * 8 + ["filed"] * 18
    doctors = (ctx.employees["service"], ctx.employees["杨帆"])
    products = ("氨基酸口服液3盒", "钙片2瓶、深海鱼油1瓶", "多功能按摩椅1台", "保健茶4盒")
    files = []
    for i, target in enumerate(plan):
        cust = consumers[i % len(consumers)]
        who = "sales" if cust.account_owner_id == ctx.employees["sales"].id else "sales2"
        if i % 5 == 4:
            who = "regional"
        activity_day = ctx.today - timedelta(days=(70 - 2 * i) if target == "filed" else (12 - i % 6))
        buyer = i % 3 != 2
        row = ctx.create(
            who, "consumer_archive", customer=cust, activity=("social", "travel", "dining", "other_sales")[i % 4],
            activity_date=activity_day, filled_at=activity_day, made_at=activity_day,
            purchased="buyer" if buyer else "non_buyer",
            needs="关注关节保健和睡眠改善", health_situation=HEALTH[i % len(HEALTH)],
            products_interested="氨基酸口服液、按摩椅", products_purchased=products[i % 4] if buyer else None,
            onsite_feedback=("对健康讲座很感兴趣，愿意参加下次联谊会", "旅游行程满意，希望多组织",
                             "餐饮活动反馈良好，子女陪同参加")[i % 3],
            custodian=doctors[i % 2 if target != "filed" else (0 if i % 4 else 1)],
            assigned_rep=ctx.employees[who])
        files.append(row)
        if target == "filled":
            continue
        run(ctx, who, row, "submit")
        if target == "submitted":
            continue
        run(ctx, "salesmgr", row, "file", comment="汇总交顾服主管医生保存")
    # revisits that have fallen due are recorded by their visitors
    revisits = list(ConsumerRevisit.select().where(ConsumerRevisit.due_by <= ctx.today)
                    .order_by(ConsumerRevisit.id))
    login_of = {emp.id: name for name, emp in ctx.employees.items() if name in ctx.users}
    recorded = 0
    for k, visit in enumerate(revisits):
        username = login_of.get(visit.visitor_id)
        if username is None or k % 7 == 6:
            continue            # 杨帆 has no login; some visits are still outstanding
        done = min(at(visit.due_by - timedelta(days=k % 2), 10 + k % 6), clock.now() - timedelta(hours=1))
        run(ctx, username, visit, "record", method=("phone", "home")[k % 2],
            notes=("顾客按时服用产品，睡眠有所改善，已指导服用方法。", "顾客反映关节疼痛减轻，询问新产品。",
                   "顾客外出未遇，电话联系约定下周上门。", "讲解产品服用注意事项，顾客表示满意。")[k % 4],
            done_at=done)
        recorded += 1
        if visit.supervised_by_id == ctx.employees["service"].id and k % 3 == 0:
            run(ctx, "service", visit, "verify", comment="回访记录详细，符合要求")
    return {"consumer_archive": len(files),
            "consumer_revisit": ConsumerRevisit.select().count(), "consumer_revisit_done": recorded}


def _key_accounts(ctx, rng):
    usages, revisits = 0, 0
    accounts = [c for c in visible(ctx, "sales", is_key_account=True)]
    first = ctx.today.replace(day=1)
    for k in range(6):
        month = first
        for _ in range(k + 1):
            month = (month - timedelta(days=1)).replace(day=1)
        for j, cust in enumerate(accounts[:5]):
            ctx.create(("sales", "regional")[j % 2], "key_account_usage", customer=cust, month=month,
                       volume=rng.randint(800, 5000), amount=Decimal(rng.randint(20000, 180000)),
                       notes="用邮量平稳" if j % 2 else "季度末寄递量上升", filled_at=month + timedelta(days=33))
            usages += 1
    branches = ("宝鸡分公司", "西安分公司", "兰州分公司", "榆林盟市局", "太原分公司")
    for i in range(16):
        who = ("sales", "sales2", "regional")[i % 3]
        mine = [c for c in visible(ctx, who, is_key_account=True)]
        cust = mine[i % len(mine)]
        direct = who == "regional" and i % 2 == 0
        row = ctx.create(who, "key_account_revisit", customer=cust, branch=branches[i % len(branches)],
                         visited_at=ctx.today - timedelta(days=6 * i + 2),
                         content="了解客户寄递需求变化，征询对服务时效的意见。",
                         direct_by_manager=direct,
                         authorised_by=ctx.employees["marketing"] if direct else None)
        revisits += 1
        if i % 2 == 1:
            run(ctx, "salesmgr", row, "review", opinion="记录完整，按季度继续回访。")
    return {"key_account_usage": usages, "key_account_revisit": revisits}


def _patrol_plans(ctx, rng):
    from models import PatrolPlanItem
    periods = (("year", lambda d: f"{d.year}"), ("quarter", lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}"),
               ("month", lambda d: f"{d:%Y-%m}"))
    n = 0
    for i in range(12):
        who = ("regional", "salesmgr")[i % 2]
        kind, fmt = periods[i % 3]
        start = ctx.today - timedelta(days=30 * (i // 3))
        assignee = ctx.employees[("sales2", "sales")[i % 2]]
        row = ctx.create(who, "patrol_plan", period_type=kind, period=fmt(start), assignee=assignee,
                         basis="以巩固高速公路系统重点客户、开拓工矿企业新客户为基本方针。",
                         key_products="动态汽车衡、计重收费系统" if i % 2 else "电子汽车衡、轴重仪",
                         key_survey_items="设备使用情况、客户满意度、明年采购计划",
                         special_survey_items="竞争对手新产品动向" if i % 3 == 0 else None)
        customers = visible(ctx, who, customer_kind="unit")
        for k in range(3 + i % 3):
            PatrolPlanItem.create(plan=row.id, customer=customers[(i * 4 + k) % len(customers)].id,
                                  planned_date=start + timedelta(days=3 * k + 1),
                                  items=("回访设备运行", "收集意见", "推介新产品")[k % 3])
        n += 1
        if i % 4 != 3:
            run(ctx, who, row, "issue", comment="请按计划执行")
            if i % 4 == 0:
                run(ctx, ("sales2", "sales")[i % 2], row, "complete", note="计划内客户均已巡访，日报已呈报。")
    return n


def _patrol_daily(ctx, rng):
    from models import PatrolDailyEntry
    opinions = ("希望缩短维修响应时间", "对称重精度满意", "希望提供操作培训", "反映软件报表不够灵活")
    n = 0
    for i in range(36):
        who = ("sales", "sales2")[i % 2]
        day = ctx.today - timedelta(days=3 * i + 1)
        row = ctx.create(who, "patrol_daily_report", visitor=ctx.employees[who], date=day, filled_at=day,
                         submitted_to=ctx.employees["salesmgr"])
        customers = visible(ctx, who, customer_kind="unit")
        for k in range(2 + i % 2):
            PatrolDailyEntry.create(
                report=row.id, customer=customers[(i * 3 + k) % len(customers)].id,
                visited_at=at(day, 9 + 3 * k), opinions=opinions[(i + k) % len(opinions)],
                market="本地区今年治超设备招标项目增多", effect="客户关系巩固，获得一条需求信息" if k == 0 else "了解设备现状",
                competitors="竞争对手推出低价轴重仪" if i % 5 == 0 else None)
        n += 1
    return n


def _urgent(ctx, rng):
    from models import PatrolDailyReport
    reasons = ("policy_change", "new_product", "new_trend", "own_defect", "other")
    details = {
        "policy_change": "同行在本区域推行“以旧换新”政策，折让幅度达15%。",
        "new_product": "同行推出一体化不停车称重检测系统，已在邻省试点。",
        "new_trend": "同行开始提供24小时驻点服务，客户要求我方同等承诺。",
        "own_defect": "客户现场两台称重仪表同批次出现死机，怀疑固件缺陷。",
        "other": "客户所在路段封闭施工，设备需临时拆除保管。",
    }
    reports = list(PatrolDailyReport.select().order_by(PatrolDailyReport.id))
    n = 0
    for i in range(12):
        who = ("sales", "sales2", "regional")[i % 3]
        reason = reasons[i % len(reasons)]
        source = reports[i] if who != "regional" and reports[i].visitor_id == ctx.employees[who].id else None
        row = ctx.create(who, "patrol_urgent_report", reason=reason, details=details[reason],
                         source_daily_report=source, reported_at=at(ctx.today - timedelta(days=4 * i + 1), 17),
                         filled_at=ctx.today - timedelta(days=4 * i + 1),
                         customer=visible(ctx, who, customer_kind="unit")[i % 8])
        n += 1
        if i % 2 == 0:
            run(ctx, "salesmgr", row, "handle",
                handled_result="已协调技术部和售后服务中心制定应对方案，并通报销售公司领导。")
    return n


def _patrol_monthly(ctx):
    n = 0
    first = ctx.today.replace(day=1)
    months = []
    month = first
    for _ in range(4):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    k = 0
    for month in months:
        for region in ("西北区", "华北区"):
            row = ctx.create("regional", "patrol_monthly_report", month=month, region=ctx.regions[region],
                             summary=f"{month:%Y年%m月}{region}巡访情况：重点客户均已按计划巡访，"
                                     "客户普遍关注售后响应时间，治超项目需求增加。",
                             filled_at=min(month + timedelta(days=33), ctx.today))
            n += 1
            if k % 4 != 3:
                run(ctx, "regional", row, "submit")
                if k % 2 == 0:
                    run(ctx, "salesmgr", row, "acknowledge", comment="已阅，注意售后响应")
            k += 1
    return n


def _inquiry_cards(ctx, rng):
    opinions = ("称重速度快，希望界面更简洁。", "设备安装调试及时，希望增加培训。", "价格略高，服务满意。",
                "希望提供远程诊断功能。")
    n = 0
    for i in range(30):
        who = ("sales", "sales2", "regional")[i % 3]
        issued = ctx.today - timedelta(days=3 * i + 5)
        values = dict(issued_at=issued, filled_at=issued)
        if i % 4 == 3:
            values["prospect_name"] = NEW_COUNTERPARTIES[i % len(NEW_COUNTERPARTIES)][0]
        else:
            customers = visible(ctx, who, customer_kind="unit")
            values["customer"] = customers[(i * 5) % len(customers)]
        if i % 2 == 0:
            values.update(returned_at=min(issued + timedelta(days=7 + i % 5), ctx.today),
                          opinions=opinions[i % len(opinions)])
        ctx.create(who, "inquiry_card", **values)
        n += 1
    return n


def _care(ctx, rng):
    activities = (
        ("客户生日慰问", "赠送生日蛋糕和贺卡，电话问候", 300),
        ("春节客户走访", "走访重点客户，赠送公司台历和茶叶", 1500),
        ("设备验收答谢", "验收完成后组织客户技术人员座谈并工作餐", 2000),
        ("客户技术培训", "组织客户计量人员来公司参加称重设备维护培训", 4800),
        ("重阳节老客户关怀", "走访退休的老客户联系人，送上节日慰问", 600),
    )
    plan = ["draft"] * 4 + ["pending"] * 6 + ["approved"] * 6 + ["rejected"] * 3 + ["executed"] * 5 + \
        ["evaluated"] * 6
    n = 0
    for i, target in enumerate(plan):
        who = ("sales", "sales2", "regional")[i % 3]
        cust = visible(ctx, who, customer_kind="unit")[(i * 3) % 15]
        purpose, content, budget = activities[i % len(activities)]
        row = ctx.create(who, "customer_care_approval", customer_name=cust.contact_name or data.person(i),
                         customer_unit=cust.name, customer_phone=cust.phone, purpose=purpose,
                         content=content, budget=Decimal(budget),
                         time=at(ctx.today + timedelta(days=(i % 9) - 4), 10),
                         filled_at=ctx.today - timedelta(days=20 - i % 15))
        n += 1
        if target == "draft":
            continue
        run(ctx, who, row, "submit")
        if target == "pending":
            continue
        if target == "rejected":
            run(ctx, "salesmgr", row, "reject", reason="预算偏高，请压缩到1000元以内后重新申请。")
            continue
        run(ctx, "salesmgr", row, "approve", opinion="同意，注意控制费用并做好记录。")
        if target == "approved":
            continue
        run(ctx, who, row, "execute")
        if target == "evaluated":
            run(ctx, who, row, "evaluate", result="客户反响良好，加深了合作关系，预计带来后续订单。")
    return n
