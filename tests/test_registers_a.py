"""Section A registers (DOMAIN.md 2.A / 2.B): their field rules and workflows,
checked through the API and the HTML portal as the demo users."""
from datetime import date, datetime, timedelta

import pytest

from conftest import user

TODAY = date.today


def emp(username):
    return user(username).employee_id


def post(api, username, register, **data):
    return api(username).post(f"/api/v1/{register}", json=data)


def act(api, username, register, row_id, action, **inputs):
    return api(username).post(f"/api/v1/{register}/{row_id}/{action}", json=inputs)


def created(response):
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def ok(response):
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def errors(response):
    assert response.status_code == 400, (response.status_code, response.get_json())
    return response.get_json()["errors"]


@pytest.fixture
def customer(make, db_ctx):
    """A customer of 张伟 (sales) in 西北区 (managed by 王强, regional)."""
    def create(name="陕西省高速公路管理局", **values):
        return make("customer", name=name, **values)
    return create


# ---------------------------------------------------------------------------
# F-02 客户沟通记录
# ---------------------------------------------------------------------------

def test_major_changes_of_a_customer_are_recorded_as_major_events(api, customer):
    cust = customer()
    data = created(post(api, "sales", "customer_communication", customer=cust.id,
                        at="2026-01-05 10:00:00", channel="phone", event_type="major_change",
                        summary="客户单位更名并迁址"))
    assert data["is_major"] is True and data["recorded_by"] == emp("sales")
    data = created(post(api, "sales", "customer_communication", customer=cust.id,
                        at="2026-01-05 11:00:00", channel="fax", event_type="general",
                        summary="传真确认发货清单"))
    assert data["is_major"] is False


def test_a_communication_cannot_be_dated_in_the_future(api, customer):
    cust = customer()
    later = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    errs = errors(post(api, "sales", "customer_communication", customer=cust.id, at=later,
                       channel="phone", event_type="general", summary="回访"))
    assert "当前时间" in errs["at"]


# ---------------------------------------------------------------------------
# F-04 交易开始调查书, WF-06
# ---------------------------------------------------------------------------

NECESSARY = dict(organization="设采购部、设备部", business_content="煤炭开采", credit="资信良好",
                 relationship="老客户介绍", business_policy="稳健经营", trading_attitude="合作意愿强")


def investigation(api, db_ctx, actor="sales", **values):
    from models import Region
    data = dict(counterparty_name="陕西陕煤黄陵矿业有限公司", direction="sell",
                region=Region.get(Region.name == "西北区").id, contact_name="刘建军",
                phone="0911-5566123", address="陕西省延安市黄陵县", **NECESSARY)
    data.update(values)
    return created(post(api, actor, "trade_start_investigation", **data))


def test_a_new_trading_customer_needs_region_and_contact_details(api, db_ctx):
    errs = errors(post(api, "sales", "trade_start_investigation", counterparty_name="新客户",
                       direction="sell", **NECESSARY))
    assert set(errs) >= {"region", "contact_name", "phone", "address"}
    assert "建立客户档案" in errs["region"]


def test_the_necessary_items_are_filled_or_struck_through(api, db_ctx):
    values = dict(NECESSARY, credit="")
    from models import Region
    base = dict(counterparty_name="新客户", direction="buy", contact_name="王", phone="1",
                address="西安", region=Region.get(Region.name == "西北区").id)
    errs = errors(post(api, "sales", "trade_start_investigation", **base, **values))
    assert "不适用项" in errs["credit"]
    created(post(api, "sales", "trade_start_investigation", **base, **values, na_fields=["credit"]))


def test_supervisor_then_manager_approval_opens_a_new_trading_customer(api, db_ctx):
    from models import Customer
    from portal.audit import AuditEvent
    row = investigation(api, db_ctx)
    assert row["state"] == "draft" and row["responsible_person"] == emp("sales")
    assert ok(act(api, "sales", "trade_start_investigation", row["id"], "submit"))["state"] == \
        "awaiting_supervisor"
    data = ok(act(api, "regional", "trade_start_investigation", row["id"], "acknowledge"))
    assert data["state"] == "reported" and data["supervisor_approved_by"] == emp("regional")
    assert data["responsible_signer"] == emp("regional")
    data = ok(act(api, "salesmgr", "trade_start_investigation", row["id"], "approve"))
    assert data["state"] == "approved" and data["manager_approved_by"] == emp("salesmgr")
    cust = Customer.get_by_id(data["customer"])
    assert cust.name == "陕西陕煤黄陵矿业有限公司" and cust.lifecycle_status == "trading"
    assert cust.account_owner_id == emp("sales") and cust.credit == "资信良好"
    assert AuditEvent.select().where(AuditEvent.register == "customer", AuditEvent.action == "create",
                                     AuditEvent.record_id == cust.id).exists()


def test_approving_an_existing_prospect_makes_it_trading_with_an_audited_change(api, customer, db_ctx):
    from models import Customer
    from portal.audit import AuditEvent
    cust = customer("宁夏宝丰能源集团物流公司")          # a new file is a prospect
    row = investigation(api, db_ctx, counterparty_name=cust.name, customer=cust.id, region=None)
    act(api, "sales", "trade_start_investigation", row["id"], "submit")
    act(api, "regional", "trade_start_investigation", row["id"], "acknowledge")
    data = ok(act(api, "salesmgr", "trade_start_investigation", row["id"], "approve"))
    assert data["customer"] == cust.id
    assert Customer.get_by_id(cust.id).lifecycle_status == "trading"
    event = AuditEvent.get(AuditEvent.register == "customer", AuditEvent.action == "activate",
                           AuditEvent.record_id == cust.id)
    assert event.change_dict["lifecycle_status"] == ["prospect", "trading"]
    assert Customer.select().where(Customer.name == cust.name).count() == 1


def test_a_customer_already_trading_needs_no_investigation(api, customer, trading):
    cust = customer()
    trading(cust)
    errs = errors(post(api, "sales", "trade_start_investigation", counterparty_name=cust.name,
                       direction="sell", customer=cust.id, **NECESSARY))
    assert "正在交易" in errs["customer"]


def test_rejection_at_either_step_returns_the_investigation_to_draft(api, db_ctx):
    row = investigation(api, db_ctx)
    rid = row["id"]
    act(api, "sales", "trade_start_investigation", rid, "submit")
    assert "reason" in errors(act(api, "regional", "trade_start_investigation", rid, "reject"))
    data = ok(act(api, "regional", "trade_start_investigation", rid, "reject", reason="信用情况不清"))
    assert data["state"] == "draft" and data["rejection_reason"] == "信用情况不清"
    act(api, "sales", "trade_start_investigation", rid, "submit")
    act(api, "regional", "trade_start_investigation", rid, "acknowledge")
    # at the manager's step only the manager rejects
    assert act(api, "regional", "trade_start_investigation", rid, "reject",
               reason="x").status_code == 403
    data = ok(act(api, "salesmgr", "trade_start_investigation", rid, "reject", reason="付款条件需重谈"))
    assert data["state"] == "draft" and data["supervisor_approved_by"] is None
    assert data["customer"] is None


def test_trade_start_refusals(api, db_ctx):
    from models import TradeStartInvestigation
    row = investigation(api, db_ctx)
    rid = row["id"]
    # wrong state: the manager cannot approve a draft
    assert act(api, "salesmgr", "trade_start_investigation", rid, "approve").status_code == 409
    act(api, "sales", "trade_start_investigation", rid, "submit")
    # wrong role: a salesperson cannot give the supervisor's 认可
    assert act(api, "sales2", "trade_start_investigation", rid, "acknowledge").status_code == 403
    # wrong role: the manager cannot skip the supervisor
    assert act(api, "salesmgr", "trade_start_investigation", rid, "approve").status_code == 409
    # nobody acknowledges his own investigation
    own = investigation(api, db_ctx, actor="regional")
    act(api, "regional", "trade_start_investigation", own["id"], "submit")
    r = act(api, "regional", "trade_start_investigation", own["id"], "acknowledge")
    assert r.status_code == 403 and "自己" in r.get_json()["error"]
    # 认可 and 承认 are two different signatures
    act(api, "regional", "trade_start_investigation", rid, "acknowledge")
    TradeStartInvestigation.update(supervisor_approved_by=emp("salesmgr")).where(
        TradeStartInvestigation.id == rid).execute()
    r = act(api, "salesmgr", "trade_start_investigation", rid, "approve")
    assert r.status_code == 403 and "不同" in r.get_json()["error"]
    assert TradeStartInvestigation.get_by_id(rid).state == "reported"


# ---------------------------------------------------------------------------
# F-05 重大客户跟踪服务单
# ---------------------------------------------------------------------------

A_ITEMS = dict(product_types="计重收费设备", equipment_usage="运行正常", product_quality="精度稳定",
               service_opinions="希望缩短响应时间")


def test_grade_a_tracking_covers_products_usage_quality_and_service(api, customer):
    cust = customer(grade="A")
    errs = errors(post(api, "sales", "customer_tracking_record", customer=cust.id,
                       tracked_at=str(TODAY())))
    assert set(errs) >= set(A_ITEMS) and "000-一 第十二条" in errs["product_types"]
    created(post(api, "sales", "customer_tracking_record", customer=cust.id, **A_ITEMS))
    # grade B: the items are not compulsory
    other = customer("咸阳市公路管理局", grade="B")
    created(post(api, "sales", "customer_tracking_record", customer=other.id))


def test_grade_a_customer_is_tracked_by_the_region_manager_or_its_owner(api, customer):
    cust = customer(grade="A")
    errs = errors(post(api, "clerk", "customer_tracking_record", customer=cust.id,
                       tracked_by=emp("sales2"), **A_ITEMS))
    assert "区域经理" in errs["tracked_by"]
    data = created(post(api, "clerk", "customer_tracking_record", customer=cust.id,
                        tracked_by=emp("regional"), **A_ITEMS))
    assert data["region"] == cust.region_id


def test_major_information_must_be_reported_with_its_time(api, customer):
    cust = customer(grade="B")
    errs = errors(post(api, "sales", "customer_tracking_record", customer=cust.id,
                       major_info="客户计划新建两处检测站"))
    assert "上报" in errs["reported_at"]
    created(post(api, "sales", "customer_tracking_record", customer=cust.id,
                 major_info="客户计划新建两处检测站",
                 reported_at=f"{TODAY()} 16:00:00"))


def test_filing_the_sheet_updates_the_customer_address_phone_and_next_tracking(api, customer, db_ctx):
    from models import Customer
    from portal.audit import AuditEvent
    from portal.calendar import add_months
    cust = customer(grade="A", phone="029-1111", address="西安市旧址1号")
    day = TODAY() - timedelta(days=3)
    row = created(post(api, "sales", "customer_tracking_record", customer=cust.id,
                       tracked_at=str(day), office_change="西安市高新区新址8号",
                       phone_change="029-2222", **A_ITEMS))
    assert Customer.get_by_id(cust.id).phone == "029-1111"     # not before filing
    data = ok(act(api, "sales", "customer_tracking_record", row["id"], "file"))
    assert data["state"] == "filed" and data["archived"] is True
    assert data["responsible_signer"] == emp("sales")
    fresh = Customer.get_by_id(cust.id)
    assert (fresh.address, fresh.phone) == ("西安市高新区新址8号", "029-2222")
    assert fresh.next_tracking_due == add_months(day, 1)       # tracking_A: monthly
    event = AuditEvent.get(AuditEvent.register == "customer", AuditEvent.action == "edit")
    assert event.change_dict["phone"] == ["029-1111", "029-2222"]


def test_filing_refusals(api, customer):
    cust = customer(grade="B")
    row = created(post(api, "sales", "customer_tracking_record", customer=cust.id))
    assert act(api, "hr", "customer_tracking_record", row["id"], "file").status_code in (403, 404)
    # the region manager sees the sheet but is neither tracker nor filler
    assert act(api, "regional", "customer_tracking_record", row["id"], "file").status_code == 403
    ok(act(api, "salesmgr", "customer_tracking_record", row["id"], "file"))
    assert act(api, "sales", "customer_tracking_record", row["id"], "file").status_code == 409


# ---------------------------------------------------------------------------
# F-07 需求信息档案, F-08 月度统计
# ---------------------------------------------------------------------------

def lead(api, customer, actor="regional", **values):
    data = dict(project="收费站计重设备更新", customer=customer.id, info_class="class1",
                product="weigh_toll")
    data.update(values)
    return post(api, actor, "demand_lead", **data)


def test_major_class_one_leads_need_bid_time_bidders_competitors_and_strategy(api, customer):
    cust = customer()
    errs = errors(lead(api, cust, is_major=True))
    assert set(errs) >= {"bid_time", "bidders", "competitor_details", "strategy"}
    assert "000-一 第十三条" in errs["bidders"]
    created(lead(api, cust, is_major=True, bid_time="2026-12-20 09:30:00", bidders="万集科技、本公司",
                 competitor_details="对手报价低", strategy="突出本地服务"))
    # 二类 major information does not need the bid details
    created(lead(api, cust, actor="sales", info_class="class2", product="ordinary_scale",
                 is_major=True, strategy="加快报价"))


def test_information_class_matches_the_product(api, customer):
    cust = customer()
    errs = errors(lead(api, cust, info_class="class1", product="ordinary_scale"))
    assert "普通衡器" in errs["product"]
    errs = errors(lead(api, cust, actor="sales", info_class="class2", product="weigh_toll"))
    assert "product" in errs


def test_class_one_leads_are_handled_by_a_sales_leader_personally(api, customer):
    cust = customer()
    errs = errors(lead(api, cust, actor="sales"))
    assert "区域经理" in errs["owner"]
    created(lead(api, cust, actor="sales", owner=emp("regional")))


def test_a_lead_names_a_customer_or_a_future_customer(api, db_ctx):
    errs = errors(post(api, "sales", "demand_lead", project="地磅", info_class="class2",
                       product="ordinary_scale"))
    assert "未来客户" in errs["customer"]
    created(post(api, "sales", "demand_lead", project="地磅", info_class="class2",
                 product="ordinary_scale", prospect_name="榆林市金鸡滩煤矿"))


def test_follow_up_is_recorded_and_the_next_weekly_follow_up_is_due(api, customer, db_ctx):
    from models import DemandFollowUp
    row = created(lead(api, customer()))
    assert row["next_followup_due"] is not None
    r = act(api, "regional", "demand_lead", row["id"], "follow_up", at="2026-11-02 15:00:00",
            reported_to=emp("marketing"))
    assert "progress" in errors(r)
    data = ok(act(api, "regional", "demand_lead", row["id"], "follow_up", at="2026-11-02 15:00:00",
                  progress="客户发布招标预告", reported_to=emp("marketing")))
    assert data["status"] == "tracking" and data["last_followup_at"] == "2026-11-02 15:00:00"
    assert data["next_followup_due"] == "2026-11-09 15:00:00"       # demand_class1_followup: 7 days
    follow = DemandFollowUp.get(DemandFollowUp.lead == row["id"])
    assert follow.by_id == emp("regional") and follow.reported_to_id == emp("marketing")


def test_follow_ups_are_edited_inline_on_the_lead(portal, customer, db_ctx):
    from models import DemandLead
    cust = customer()
    p = portal("sales")
    me = user("sales").employee
    r = p.post("/demand_lead/new/", data={
        "project": "厂区汽车衡更新", "customer": cust.id, "info_class": "class2",
        "product": "ordinary_scale", "owner": me.id, "dept": me.dept_id, "filled_at": str(TODAY()),
        "filled_by": me.id, "retention_class": "three_years", "confidentiality": "internal",
        "followups-0-at": "2026-10-10 10:00:00", "followups-0-by": me.id,
        "followups-0-progress": "初次拜访",
        "followups-1-at": "2026-10-20 10:00:00", "followups-1-by": me.id,
        "followups-1-progress": "提交报价"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    row = DemandLead.get(DemandLead.project == "厂区汽车衡更新")
    assert row.followups.count() == 2
    assert row.last_followup_at == datetime(2026, 10, 20, 10, 0)
    assert row.next_followup_due is None          # 二类: no period is given


def test_lead_workflow_refusals(api, customer):
    row = created(lead(api, customer()))
    rid = row["id"]
    assert act(api, "salesmgr", "demand_lead", rid, "close").status_code == 409
    assert act(api, "hr", "demand_lead", rid, "settle", note="x").status_code in (403, 404)
    # only the owner (or the sales manager) reports the outcome
    assert act(api, "sales", "demand_lead", rid, "settle", note="x").status_code == 403
    assert "note" in errors(act(api, "regional", "demand_lead", rid, "settle"))
    data = ok(act(api, "regional", "demand_lead", rid, "settle", note="已中标"))
    assert data["status"] == "won" and data["next_followup_due"] is None
    assert act(api, "regional", "demand_lead", rid, "follow_up", progress="x").status_code == 409
    assert ok(act(api, "salesmgr", "demand_lead", rid, "close"))["status"] == "closed"


def test_monthly_demand_statistics_count_the_leads_of_the_month(api, customer, db_ctx):
    cust = customer()
    for day, klass, product in (("2026-09-03", "class1", "weigh_toll"),
                                ("2026-09-20", "class1", "overload_detection"),
                                ("2026-09-28", "class2", "ordinary_scale"),
                                ("2026-10-02", "class2", "ordinary_scale")):
        created(lead(api, cust, actor="salesmgr", filled_at=day, info_class=klass, product=product))
    data = created(post(api, "salesmgr", "demand_monthly_report", month="2026-09-17"))
    assert data["month"] == "2026-09-01"
    assert (data["total_count"], data["class1_count"], data["class2_count"]) == (3, 2, 1)
    assert (data["weigh_toll_count"], data["tracking_count"]) == (1, 3)
    assert data["due_at"] == "2026-10-05 23:59:59"          # demand_stats: 5th of next month
    data = ok(act(api, "salesmgr", "demand_monthly_report", data["id"], "submit"))
    assert data["state"] == "submitted" and data["submitted_by"] == emp("salesmgr")
    errs = errors(post(api, "salesmgr", "demand_monthly_report", month="2026-09-01"))
    assert "已经存在" in errs["month"]


# ---------------------------------------------------------------------------
# F-09 .. F-12 guest history
# ---------------------------------------------------------------------------

def resident_id(born, serial=123):
    from seed.customers_more import resident_id as make_id
    return make_id("610302", born, serial)


def test_guest_resident_id_number_is_checked(api, db_ctx):
    born = date(1975, 3, 12)
    good = resident_id(born)
    base = dict(guest_name="王建华", id_type="resident_id", contact="13800000000",
                checkin_at="2026-11-01 14:00:00", birth_date=str(born))
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert "校验位" in errors(post(api, "reception", "guest_profile", **base, id_number=bad))["id_number"]
    assert "18位" in errors(post(api, "reception", "guest_profile", **base,
                                 id_number="61030219750312"))["id_number"]
    errs = errors(post(api, "reception", "guest_profile", **dict(base, birth_date="1976-03-12"),
                       id_number=good))
    assert "不一致" in errs["id_number"]
    data = created(post(api, "reception", "guest_profile", **base, id_number=good.lower()))
    assert data["id_number"] == good.upper() and data["confidentiality"] == "restricted"


def test_guest_profiles_are_restricted_to_their_filler_and_the_managers(api, db_ctx):
    data = created(post(api, "reception", "guest_profile", guest_name="李秀英", id_type="passport",
                        id_number="E12345678", contact="1", checkin_at="2026-11-01 14:00:00"))
    url = f"/api/v1/guest_profile/{data['id']}"
    assert api("reception").get(url).status_code == 200
    assert api("salesmgr").get(url).status_code == 200
    assert api("gm").get(url).status_code == 200
    assert api("sales").get(url).status_code == 404
    assert api("hr").get(url).status_code == 403


def test_a_guest_opinion_names_the_guest(api, db_ctx):
    errs = errors(post(api, "reception", "guest_opinion_form", department="rooms",
                       observations="客人要求加床头灯", pillow_count=-1))
    assert "客人" in errs["guest_name"] and "负数" in errs["pillow_count"]
    data = created(post(api, "reception", "guest_opinion_form", department="rooms",
                        observations="客人要求加床头灯", guest_name="张志强", room_no="808",
                        pillow_count=2))
    assert data["staff"] == emp("reception")


def test_a_guest_preference_records_at_least_one_trait(api, db_ctx):
    errs = errors(post(api, "reception", "guest_preference", guest_name="张志强"))
    assert "至少" in errs["__all__"]
    created(post(api, "reception", "guest_preference", guest_name="张志强", pillow_height="low",
                 diet="口味清淡"))


def test_customer_analysis_needs_its_items_and_consistent_profits(api, customer):
    cust = customer()
    errs = errors(post(api, "sales", "customer_analysis", customer=cust.id, analysis_type="profit"))
    assert "分析" in errs["content"]
    errs = errors(post(api, "sales", "customer_analysis", customer=cust.id, analysis_type="profit",
                       total_profit="1000", net_profit="2000"))
    assert "净利润" in errs["net_profit"]
    created(post(api, "sales", "customer_analysis", customer=cust.id, analysis_type="profit",
                 total_profit="286000", net_profit="98000"))


def test_anniversaries_compute_their_next_date(api, customer):
    cust = customer()
    past = TODAY() - timedelta(days=10)
    data = created(post(api, "sales", "customer_anniversary", customer=cust.id, occasion="birthday",
                        date=str(past.replace(year=1980)), action="birthday_flowers", person="王工"))
    nxt = date.fromisoformat(data["next_date"])
    assert nxt > TODAY() and (nxt.month, nxt.day) == (past.month, past.day)
    errs = errors(post(api, "sales", "customer_anniversary", customer=cust.id,
                       occasion="school_admission", date="2027-09-01", action="revisit",
                       recurring=True))
    assert "每年" in errs["recurring"]


# ---------------------------------------------------------------------------
# F-13 中老年健康调查表, WF-07
# ---------------------------------------------------------------------------

SURVEY = dict(name="王秀兰", gender="female", age=68, address="宝鸡市金台区", phone="13900000000",
              health_situation="血压偏高", collector_signature=True)


def survey(api, actor="sales", **values):
    return created(post(api, actor, "health_survey", **dict(SURVEY, **values)))


def test_sealed_survey_is_kept_by_the_service_manager_and_read_only_by_the_general_manager(api, db_ctx):
    row = survey(api)
    rid = row["id"]
    assert row["confidentiality"] == "restricted" and row["collector"] == emp("sales")
    data = ok(act(api, "sales", "health_survey", rid, "submit"))
    assert data["state"] == "submitted" and data["submitted_to_manager_at"]
    data = ok(act(api, "salesmgr", "health_survey", rid, "assign", assigned_rep=emp("sales2"),
                  allocation_principle="nearby", custodian=emp("service")))
    assert data["state"] == "assigned" and data["responsible_signer"] == emp("salesmgr")
    # the assigned 满意代表 reads it to note the customer; the collector no longer holds it
    assert api("sales2").get(f"/api/v1/health_survey/{rid}").status_code == 200
    assert api("sales").get(f"/api/v1/health_survey/{rid}").status_code == 404
    assert act(api, "salesmgr", "health_survey", rid, "seal").status_code == 403
    data = ok(act(api, "service", "health_survey", rid, "seal"))
    assert data["state"] == "sealed" and data["sealed"] is True and data["sealed_at"]
    assert data["confidentiality"] == "sealed" and data["custodian"] == emp("service")
    for name, code in (("sales", 404), ("sales2", 404), ("salesmgr", 404), ("marketing", 404),
                       ("gm", 200), ("service", 200)):
        assert api(name).get(f"/api/v1/health_survey/{rid}").status_code == code, name
    assert act(api, "service", "health_survey", rid, "seal").status_code == 409


def test_survey_goes_to_the_manager_only_with_the_collector_signature(api, db_ctx):
    row = survey(api, collector_signature=False)
    errs = errors(act(api, "sales", "health_survey", row["id"], "submit"))
    assert "签名" in errs["collector_signature"]


def test_surveys_are_filled_completely_and_ages_are_plausible(api, db_ctx):
    errs = errors(post(api, "sales", "health_survey", **dict(SURVEY, phone="", age=180)))
    assert "不适用项" in errs["phone"] and "年龄" in errs["age"]


def test_allocation_to_the_collector_first_and_to_a_service_custodian(api, db_ctx):
    row = survey(api)
    rid = row["id"]
    act(api, "sales", "health_survey", rid, "submit")
    errs = errors(act(api, "salesmgr", "health_survey", rid, "assign", assigned_rep=emp("sales2"),
                      allocation_principle="collector_first", custodian=emp("service")))
    assert "收集人" in errs["assigned_rep"]
    errs = errors(act(api, "salesmgr", "health_survey", rid, "assign", assigned_rep=emp("sales"),
                      allocation_principle="collector_first", custodian=emp("salesmgr")))
    assert "售后服务中心" in errs["custodian"]
    assert "custodian" in errors(act(api, "salesmgr", "health_survey", rid, "assign",
                                     assigned_rep=emp("sales"),
                                     allocation_principle="collector_first"))
    ok(act(api, "salesmgr", "health_survey", rid, "assign", assigned_rep=emp("sales"),
           allocation_principle="collector_first", custodian=emp("service")))


def test_the_manager_sends_an_incomplete_survey_back(api, db_ctx):
    row = survey(api)
    rid = row["id"]
    assert act(api, "salesmgr", "health_survey", rid, "send_back", reason="x").status_code == 409
    assert act(api, "sales", "health_survey", rid, "send_back", reason="x").status_code == 403
    act(api, "sales", "health_survey", rid, "submit")
    assert act(api, "sales", "health_survey", rid, "assign").status_code in (403, 404)
    assert "reason" in errors(act(api, "salesmgr", "health_survey", rid, "send_back"))
    data = ok(act(api, "salesmgr", "health_survey", rid, "send_back", reason="健康状况不全"))
    assert data["state"] == "collected"
    assert api("sales").get(f"/api/v1/health_survey/{rid}").status_code == 200


# ---------------------------------------------------------------------------
# F-14 顾客档案表, WF-08; F-15 回访记录
# ---------------------------------------------------------------------------

def consumer_file(api, customer, actor="sales", **values):
    cust = customer("王秀兰", customer_kind="individual", grade="D")
    data = dict(customer=cust.id, activity="social", activity_date=str(TODAY()),
                purchased="buyer", needs="关节保健", health_situation="血压偏高",
                onsite_feedback="对讲座感兴趣", products_purchased="氨基酸口服液3盒",
                custodian=emp("service"))
    data.update(values)
    return post(api, actor, "consumer_archive", **data)


def test_consumer_file_is_filled_on_the_activity_day_and_kept_by_the_doctor(api, customer):
    day = str(TODAY() - timedelta(days=2))
    errs = errors(consumer_file(api, customer, activity_date=day, custodian=None,
                                products_purchased=""))
    assert "当日" in errs["filled_at"] and "顾服主管医生" in errs["custodian"]
    assert "购买的产品" in errs["products_purchased"]
    errs = errors(consumer_file(api, customer, custodian=emp("salesmgr")))
    assert "售后服务中心" in errs["custodian"]
    data = created(consumer_file(api, customer))
    assert data["confidentiality"] == "restricted" and data["holder"] == emp("sales")
    assert data["submit_due"] == f"{TODAY() + timedelta(days=1)} 23:59:59"


def test_filing_with_the_doctor_generates_the_revisit_schedule(api, customer, db_ctx):
    from models import ConsumerRevisit
    row = created(consumer_file(api, customer))
    rid = row["id"]
    assert act(api, "salesmgr", "consumer_archive", rid, "file").status_code == 409
    ok(act(api, "sales", "consumer_archive", rid, "submit"))
    assert act(api, "sales", "consumer_archive", rid, "file").status_code in (403, 404)
    data = ok(act(api, "salesmgr", "consumer_archive", rid, "file"))
    assert data["state"] == "filed" and data["holder"] is None
    made = TODAY()
    plan = [(v.visitor_role, v.visit_no, v.due_by, v.visitor_id, v.purpose) for v in
            ConsumerRevisit.select().where(ConsumerRevisit.archive == rid)
            .order_by(ConsumerRevisit.visitor_role.desc(), ConsumerRevisit.visit_no)]
    assert plan == [
        ("rep", 1, made + timedelta(days=3), emp("sales"), "guide_use"),
        ("rep", 2, made + timedelta(days=30), emp("sales"), "ask_opinion"),
        ("rep", 3, made + timedelta(days=60), emp("sales"), "learn_effect"),
        ("doctor", 1, made + timedelta(days=15), emp("service"), "guide_use"),
        ("doctor", 2, made + timedelta(days=30), emp("service"), "learn_effect"),
        ("doctor", 3, made + timedelta(days=60), emp("service"), "resolve_objection"),
    ]
    # once with the doctor, the rep reads the file only through a loan
    assert api("sales").get(f"/api/v1/consumer_archive/{rid}").status_code == 404
    assert api("service").get(f"/api/v1/consumer_archive/{rid}").status_code == 200


def test_non_buyers_are_revisited_by_the_rep_after_3_and_15_days(api, customer, db_ctx):
    from models import ConsumerRevisit, SlaRule
    SlaRule.update(value=5).where(SlaRule.key == "revisit_rep_nonbuyer_1").execute()
    row = created(consumer_file(api, customer, purchased="non_buyer", products_purchased=""))
    act(api, "sales", "consumer_archive", row["id"], "submit")
    act(api, "service", "consumer_archive", row["id"], "file")      # the doctor receives it
    dues = [v.due_by for v in ConsumerRevisit.select().where(ConsumerRevisit.archive == row["id"])
            .order_by(ConsumerRevisit.visit_no)]
    assert dues == [TODAY() + timedelta(days=5), TODAY() + timedelta(days=15)]


def test_a_revisit_is_recorded_in_detail_by_its_visitor_and_checked_by_the_doctor(api, customer, db_ctx):
    from models import ConsumerRevisit
    row = created(consumer_file(api, customer))
    act(api, "sales", "consumer_archive", row["id"], "submit")
    act(api, "salesmgr", "consumer_archive", row["id"], "file")
    visit = ConsumerRevisit.get(ConsumerRevisit.archive == row["id"], ConsumerRevisit.visitor_role == "rep",
                                ConsumerRevisit.visit_no == 1)
    assert act(api, "sales", "consumer_revisit", visit.id, "verify").status_code == 403
    assert "notes" in errors(act(api, "sales", "consumer_revisit", visit.id, "record", method="phone"))
    assert act(api, "regional", "consumer_revisit", visit.id, "record", method="phone",
               notes="x").status_code == 403
    data = ok(act(api, "sales", "consumer_revisit", visit.id, "record", method="home",
                  notes="指导顾客服用产品，顾客睡眠改善"))
    assert data["state"] == "done" and data["done_at"] and data["method"] == "home"
    assert data["supervised_by"] == emp("service")
    data = ok(act(api, "service", "consumer_revisit", visit.id, "verify"))
    assert data["state"] == "checked" and data["checked_at"]
    # the doctor does not check his own revisits
    own = ConsumerRevisit.get(ConsumerRevisit.archive == row["id"], ConsumerRevisit.visitor_role == "doctor",
                              ConsumerRevisit.visit_no == 1)
    ok(act(api, "service", "consumer_revisit", own.id, "record", method="phone", notes="电话指导"))
    assert act(api, "service", "consumer_revisit", own.id, "verify").status_code == 403


# ---------------------------------------------------------------------------
# F-16 / F-17 key accounts
# ---------------------------------------------------------------------------

def test_usage_is_recorded_monthly_for_key_accounts_only(api, customer):
    plain = customer("渭南市公路局")
    errs = errors(post(api, "sales", "key_account_usage", customer=plain.id, month="2026-10-01",
                       volume=100))
    assert "大客户" in errs["customer"]
    key = customer(is_key_account=True)
    assert "volume" in errors(post(api, "sales", "key_account_usage", customer=key.id,
                                   month="2026-10-01"))
    data = created(post(api, "sales", "key_account_usage", customer=key.id, month="2026-10-15",
                        volume=1200, amount="56000"))
    assert data["month"] == "2026-10-01"
    errs = errors(post(api, "sales", "key_account_usage", customer=key.id, month="2026-10-31",
                       volume=1))
    assert "已经登记" in errs["month"]


def test_direct_revisits_by_the_key_account_manager_need_authorisation(api, customer):
    key = customer(is_key_account=True)
    base = dict(customer=key.id, branch="宝鸡分公司", visited_at=str(TODAY()), content="了解寄递需求")
    errs = errors(post(api, "sales", "key_account_revisit", direct_by_manager=True, **base))
    assert "授权" in errs["authorised_by"]
    row = created(post(api, "sales", "key_account_revisit", direct_by_manager=True,
                       authorised_by=emp("marketing"), **base))
    assert act(api, "sales", "key_account_revisit", row["id"], "review").status_code == 403
    data = ok(act(api, "salesmgr", "key_account_revisit", row["id"], "review", opinion="记录完整"))
    assert data["checked_by"] == emp("salesmgr") and data["check_opinion"] == "记录完整"
    assert act(api, "salesmgr", "key_account_revisit", row["id"], "review").status_code == 409


# ---------------------------------------------------------------------------
# F-18 .. F-22 patrol visits
# ---------------------------------------------------------------------------

def plan_form(me, **extra):
    data = {"unit": me.dept_id, "period_type": "month", "period": "2026-11", "made_by": me.id,
            "assignee": user("sales").employee_id, "basis": "巩固重点客户", "key_products": "动态汽车衡",
            "key_survey_items": "设备使用情况", "dept": me.dept_id, "filled_at": str(TODAY()),
            "filled_by": me.id, "retention_class": "three_years", "confidentiality": "internal"}
    data.update(extra)
    return data


def test_patrol_plan_period_follows_its_type(api, db_ctx):
    base = dict(unit=user("regional").employee.dept_id, assignee=emp("sales"), basis="方针",
                key_products="汽车衡", key_survey_items="使用情况")
    errs = errors(post(api, "regional", "patrol_plan", period_type="quarter", period="2026-11", **base))
    assert "2026-Q4" in errs["period"]
    data = created(post(api, "regional", "patrol_plan", period_type="quarter", period="2026-q4", **base))
    assert data["period"] == "2026-Q4" and data["made_by"] == emp("regional")


def test_a_patrol_plan_is_issued_with_its_schedule_and_completed_by_the_assignee(portal, api, customer, db_ctx):
    from models import PatrolPlan
    cust = customer()
    me = user("regional").employee
    empty = created(post(api, "regional", "patrol_plan", unit=me.dept_id, period_type="year",
                         period="2027", assignee=emp("sales"), basis="方针", key_products="汽车衡",
                         key_survey_items="使用情况"))
    assert "巡访活动安排" in errors(act(api, "regional", "patrol_plan", empty["id"], "issue"))["schedule"]
    r = portal("regional").post("/patrol_plan/new/", data=plan_form(
        me, **{"schedule-0-customer": cust.id, "schedule-0-planned_date": "2026-11-25",
               "schedule-0-items": "回访设备运行"}))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    plan = PatrolPlan.select().order_by(PatrolPlan.id.desc()).first()
    assert plan.schedule.count() == 1
    assert act(api, "sales", "patrol_plan", plan.id, "issue").status_code == 403
    data = ok(act(api, "regional", "patrol_plan", plan.id, "issue"))
    assert data["state"] == "issued" and data["responsible_signer"] == emp("regional")
    assert "note" in errors(act(api, "sales", "patrol_plan", plan.id, "complete"))
    assert act(api, "sales2", "patrol_plan", plan.id, "complete", note="x").status_code == 403
    assert ok(act(api, "sales", "patrol_plan", plan.id, "complete", note="均已巡访"))["state"] == "completed"


def daily_report(portal, cust, day, customers=2):
    p = portal("sales")
    me = user("sales").employee
    data = {"visitor": me.id, "date": day, "submitted_to": user("salesmgr").employee_id,
            "dept": me.dept_id, "filled_at": day, "filled_by": me.id,
            "retention_class": "three_years", "confidentiality": "internal"}
    for k in range(customers):
        data.update({f"entries-{k}-customer": cust.id, f"entries-{k}-visited_at": f"{day} 1{k}:00:00",
                     f"entries-{k}-opinions": "满意"})
    r = p.post("/patrol_daily_report/new/", data=data)
    assert r.status_code == 302


def test_monthly_patrol_report_compiles_the_daily_reports_of_the_month(portal, api, customer, db_ctx):
    cust = customer()
    daily_report(portal, cust, "2026-10-08", customers=2)
    daily_report(portal, cust, "2026-10-21", customers=1)
    daily_report(portal, cust, "2026-09-30", customers=3)
    data = created(post(api, "salesmgr", "patrol_monthly_report", month="2026-10-15",
                        region=cust.region_id, summary="重点客户均已巡访",
                        submitted_to=emp("marketing")))
    assert data["month"] == "2026-10-01"
    assert (data["daily_report_count"], data["visit_count"], data["customer_count"]) == (2, 3, 1)
    assert data["daily_reports"].count("-") == 2
    assert data["due_at"] == "2026-11-05 23:59:59"
    assert act(api, "marketing", "patrol_monthly_report", data["id"], "acknowledge").status_code == 409
    data = ok(act(api, "salesmgr", "patrol_monthly_report", data["id"], "submit"))
    assert data["state"] == "submitted" and data["submitted_at"]
    assert act(api, "salesmgr", "patrol_monthly_report", data["id"], "acknowledge").status_code == 403
    assert ok(act(api, "marketing", "patrol_monthly_report", data["id"], "acknowledge"))["state"] == "read"
    errs = errors(post(api, "salesmgr", "patrol_monthly_report", month="2026-10-01",
                       region=cust.region_id, summary="x", submitted_to=emp("marketing")))
    assert "已经存在" in errs["month"]


def test_urgent_report_is_closed_by_the_superior_with_a_handling_result(api, db_ctx):
    data = created(post(api, "sales", "patrol_urgent_report", reason="new_product",
                        details="同行推出不停车称重检测系统"))
    rid = data["id"]
    assert data["state"] == "reported" and data["reported_to"] == emp("salesmgr")
    assert act(api, "sales", "patrol_urgent_report", rid, "handle",
               handled_result="x").status_code == 403
    errs = errors(act(api, "salesmgr", "patrol_urgent_report", rid, "handle"))
    assert "handled_result" in errs
    assert act(api, "marketing", "patrol_urgent_report", rid, "handle",
               handled_result="x").status_code == 403
    data = ok(act(api, "salesmgr", "patrol_urgent_report", rid, "handle",
                  handled_result="已通报技术部制定对策"))
    assert data["state"] == "handled" and data["handled_by"] == emp("salesmgr")
    assert act(api, "salesmgr", "patrol_urgent_report", rid, "handle",
               handled_result="y").status_code == 409
    errs = errors(post(api, "sales", "patrol_urgent_report", reason="other", details="x",
                       reported_to=emp("sales")))
    assert "上级" in errs["reported_to"]


def test_a_returned_inquiry_card_carries_the_customer_opinions(api, customer):
    cust = customer()
    errs = errors(post(api, "sales", "inquiry_card", issued_at="2026-11-10", returned_at="2026-11-05"))
    assert "新客户名称" in errs["customer"] and "早于" in errs["returned_at"]
    assert "意见" in errors(post(api, "sales", "inquiry_card", customer=cust.id,
                                 issued_at="2026-11-01", returned_at="2026-11-08"))["opinions"]
    data = created(post(api, "sales", "inquiry_card", customer=cust.id, issued_at="2026-11-01",
                        returned_at="2026-11-08", opinions="称重速度快"))
    assert data["issued_by"] == emp("sales")


# ---------------------------------------------------------------------------
# F-24 客户关怀服务审批表 (WF-10)
# ---------------------------------------------------------------------------

def test_customer_care_is_approved_by_the_superior_and_evaluated_after_the_activity(api, db_ctx):
    from models import CustomerCareApproval
    data = created(post(api, "sales", "customer_care_approval", customer_name="王工",
                        customer_unit="陕西省高速公路管理局", customer_phone="029-1",
                        purpose="设备验收答谢", content="座谈并工作餐", budget="1500",
                        time="2026-12-01 10:00:00"))
    rid = data["id"]
    errs = errors(post(api, "sales", "customer_care_approval", customer_name="王工",
                       customer_unit="x", purpose="x", content="x", budget="-5"))
    assert "负数" in errs["budget"] and "time" in errs
    assert ok(act(api, "sales", "customer_care_approval", rid, "submit"))["current_approver"] == \
        emp("salesmgr")
    assert act(api, "marketing", "customer_care_approval", rid, "approve").status_code == 403
    data = ok(act(api, "salesmgr", "customer_care_approval", rid, "approve", opinion="同意，控制费用"))
    assert data["state"] == "approved" and data["leader_opinion"] == "同意，控制费用"
    assert act(api, "sales", "customer_care_approval", rid, "evaluate", result="x").status_code == 409
    ok(act(api, "sales", "customer_care_approval", rid, "execute"))
    assert "result" in errors(act(api, "sales", "customer_care_approval", rid, "evaluate"))
    data = ok(act(api, "sales", "customer_care_approval", rid, "evaluate", result="客户反响良好"))
    assert data["state"] == "evaluated" and data["result_evaluation"] == "客户反响良好"
    # the filler never approves his own request
    other = created(post(api, "sales", "customer_care_approval", customer_name="李工",
                         customer_unit="咸阳市公路管理局", customer_phone="1", purpose="x",
                         content="x", budget="100", time="2026-12-01 10:00:00"))
    act(api, "sales", "customer_care_approval", other["id"], "submit")
    CustomerCareApproval.update(current_approver=emp("sales")).where(
        CustomerCareApproval.id == other["id"]).execute()
    r = act(api, "sales", "customer_care_approval", other["id"], "approve")
    assert r.status_code == 403


# ---------------------------------------------------------------------------
# Every page of the section answers (200, or 403 without the permission)
# ---------------------------------------------------------------------------

SECTION = ("customer_communication", "trade_start_investigation", "customer_tracking_record",
           "demand_lead", "demand_monthly_report", "guest_profile", "guest_preference",
           "customer_analysis", "customer_anniversary", "guest_opinion_form", "health_survey",
           "consumer_archive", "consumer_revisit", "key_account_usage", "key_account_revisit",
           "patrol_plan", "patrol_daily_report", "patrol_monthly_report", "patrol_urgent_report",
           "inquiry_card", "customer_care_approval")


def test_every_page_of_the_section_answers_for_every_role(portal, api, customer, db_ctx):
    import permissions
    from portal import registry
    cust = customer(grade="A", is_key_account=True)
    created(post(api, "sales", "customer_communication", customer=cust.id, at="2026-11-01 10:00:00",
                 channel="phone", event_type="general", summary="回访"))
    investigation(api, db_ctx)
    created(post(api, "sales", "customer_tracking_record", customer=cust.id, **A_ITEMS))
    created(lead(api, cust))
    survey(api)
    created(consumer_file(api, customer))
    created(post(api, "sales", "patrol_urgent_report", reason="other", details="x"))
    created(post(api, "reception", "guest_opinion_form", department="rooms", observations="x",
                 guest_name="张"))
    for username in ("admin", "clerk", "sales", "salesmgr", "gm", "quality", "service",
                     "reception", "hr"):
        p = portal(username)
        for name in SECTION:
            spec = registry.get(name)
            row = permissions.rows(user(username), "view", spec.model).first()
            urls = [f"/{name}/", f"/{name}/new/"]
            if row is not None:
                urls += [f"/{name}/details/?id={row.id}", f"/{name}/edit/?id={row.id}"]
            for url in urls:
                code = p.get(url).status_code
                assert code in (200, 403), (username, url, code)
