"""Section D registers: reception (000-三), customer proposals (001-提案),
records control and archives (000-四, 002 篇十二)."""
from datetime import date, datetime, timedelta

import pytest

from conftest import user


def emp(username):
    return user(username).employee_id


def dept_id(abbr):
    from models import Department
    return Department.get(Department.abbr == abbr).id


def employee_id(name):
    from models import Employee
    return Employee.get(Employee.name == name).id


def later(days=7, hour=10):
    return (datetime.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0,
                                                          microsecond=0)


def state_of(model, pk):
    return model.get_by_id(pk).state


# ---------------------------------------------------------------------------
# F-68 接待方案
# ---------------------------------------------------------------------------

def plan_payload(**values):
    data = {"category": "group_leader", "visitor_org": "宝鸡四维集团公司",
            "visitor_contact": "集团办公室 王主任", "identities": "集团领导",
            "names": "李总、陈副总", "positions": "总经理、副总经理", "headcount": 4,
            "visit_time": later(5).isoformat(sep=" "), "purpose": "视察年度经营和新产品研发情况",
            "level": "公司一级接待", "host": None, "responsible_dept": None}
    data.update(values)
    return data


def test_group_leader_plan_fixes_reception_level_and_host(api, db_ctx):
    c = api("reception")
    r = c.post("/api/v1/reception_plan", json=plan_payload(level="", host=None,
                                                          responsible_dept=dept_id("XZ")))
    assert r.status_code == 400
    errors = r.get_json()["errors"]
    assert "接待规格" in errors["level"] and "主陪人" in errors["host"]
    r = c.post("/api/v1/reception_plan", json=plan_payload(host=emp("gm"), responsible_dept=dept_id("XZ")))
    assert r.status_code == 201, r.get_json()


def test_customer_unit_plan_needs_no_level(api, db_ctx):
    r = api("sales").post("/api/v1/reception_plan", json=plan_payload(
        category="customer_unit", level="", responsible_dept=dept_id("XS1")))
    assert r.status_code == 201, r.get_json()


def test_preparation_is_checked_before_the_visit(api, db_ctx):
    payload = plan_payload(host=emp("gm"), responsible_dept=dept_id("XZ"),
                           ready_checked_at=later(6).isoformat(sep=" "))
    r = api("reception").post("/api/v1/reception_plan", json=payload)
    assert r.status_code == 400 and "提前检查" in r.get_json()["errors"]["ready_checked_at"]
    payload["ready_checked_at"] = later(4).isoformat(sep=" ")
    assert api("reception").post("/api/v1/reception_plan", json=payload).status_code == 201


def test_identity_items_are_confirmed_or_struck_through(api, db_ctx):
    payload = plan_payload(host=emp("gm"), responsible_dept=dept_id("XZ"), visitor_contact="")
    r = api("reception").post("/api/v1/reception_plan", json=payload)
    assert r.status_code == 400 and "不适用项" in r.get_json()["errors"]["visitor_contact"]
    payload["na_fields"] = ["visitor_contact"]
    assert api("reception").post("/api/v1/reception_plan", json=payload).status_code == 201


def test_reception_plan_needs_at_least_one_visitor(api, db_ctx):
    r = api("reception").post("/api/v1/reception_plan", json=plan_payload(
        host=emp("gm"), responsible_dept=dept_id("XZ"), headcount=0))
    assert r.status_code == 400 and "headcount" in r.get_json()["errors"]


# ---------------------------------------------------------------------------
# F-70 来客登记单 (gate: 已登记 → 已准入 → 已签字离开)
# ---------------------------------------------------------------------------

def gate(api, **values):
    data = {"visitor_type": "general", "name": "顺丰快递 刘师傅", "unit": "顺丰速运宝鸡分部",
            "purpose": "收发快件", "dept_contacted": dept_id("XZ")}
    data.update(values)
    r = api("reception").post("/api/v1/visitor_registration", json=data)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_general_visitor_walks_the_gate_path(api, db_ctx):
    from models import VisitorRegistration
    pk = gate(api)
    c = api("reception")
    r = c.post(f"/api/v1/visitor_registration/{pk}/admit")
    assert r.status_code == 200 and r.get_json()["state"] == "admitted"
    assert r.get_json()["responsible_signer"] == emp("reception")
    r = c.post(f"/api/v1/visitor_registration/{pk}/leave",
               json={"visitor_signed": True, "slip_returned": True})
    assert r.status_code == 200 and r.get_json()["state"] == "left"
    row = VisitorRegistration.get_by_id(pk)
    assert row.out_at is not None and row.visitor_signed and row.slip_returned_to_gate


def test_unannounced_unit_is_admitted_only_with_department_consent(api, db_ctx):
    from models import VisitorRegistration
    pk = gate(api, visitor_type="unannounced_unit", name="赵建华", unit="咸阳市公路管理局",
              purpose="了解超限检测设备", dept_contacted=dept_id("XS1"))
    c = api("reception")
    r = c.post(f"/api/v1/visitor_registration/{pk}/admit")
    assert r.status_code == 400 and "同意" in r.get_json()["errors"]["admitted_by"]
    assert state_of(VisitorRegistration, pk) == "registered"
    r = c.post(f"/api/v1/visitor_registration/{pk}/admit", json={"admitted_by": emp("salesmgr")})
    assert r.status_code == 200 and r.get_json()["admitted_by"] == emp("salesmgr")


def test_visitor_leaves_only_after_signing_and_handing_the_slip_to_the_gate(api, db_ctx):
    from models import VisitorRegistration
    pk = gate(api)
    c = api("reception")
    c.post(f"/api/v1/visitor_registration/{pk}/admit")
    r = c.post(f"/api/v1/visitor_registration/{pk}/leave", json={})
    errors = r.get_json()["errors"]
    assert r.status_code == 400 and "签字" in errors["visitor_signed"] and "门卫" in errors["slip_returned_to_gate"]
    r = c.post(f"/api/v1/visitor_registration/{pk}/leave", json={"visitor_signed": True})
    assert r.status_code == 400 and "slip_returned_to_gate" in r.get_json()["errors"]
    assert state_of(VisitorRegistration, pk) == "admitted"


def test_refusing_entry_needs_a_reason(api, db_ctx):
    pk = gate(api, visitor_type="unannounced_unit", unit="某推销公司", purpose="推销办公用品")
    c = api("reception")
    r = c.post(f"/api/v1/visitor_registration/{pk}/refuse", json={})
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    r = c.post(f"/api/v1/visitor_registration/{pk}/refuse", json={"reason": "相关部门不同意接待"})
    assert r.status_code == 200 and r.get_json()["state"] == "refused"


def test_only_the_gate_admits_visitors(api, db_ctx):
    pk = gate(api, dept_contacted=dept_id("XS1"))
    r = api("salesmgr").post(f"/api/v1/visitor_registration/{pk}/admit")
    assert r.status_code == 403


def test_visitor_cannot_leave_before_being_admitted(api, db_ctx):
    pk = gate(api)
    r = api("reception").post(f"/api/v1/visitor_registration/{pk}/leave",
                              json={"visitor_signed": True, "slip_returned": True})
    assert r.status_code == 409 and "已登记" in r.get_json()["error"]


# ---------------------------------------------------------------------------
# F-69 来客接待单 (预约 → 接待方案 → 已到访 → 已离开)
# ---------------------------------------------------------------------------

def slip(api, actor="sales", **values):
    data = {"visitor_unit": "陕西省高速公路管理局", "names": "王处长、李工", "headcount": 2,
            "visit_kind": "inspection", "purpose": "考察动态汽车衡生产线", "appointment": True,
            "expected_at": later(3).isoformat(sep=" "), "host_dept": dept_id("XS1")}
    data.update(values)
    r = api(actor).post("/api/v1/visitor_reception_slip", json=data)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_customer_visit_from_appointment_to_signed_departure(api, db_ctx):
    from models import VisitorReceptionSlip
    pk = slip(api)
    r = api("sales").post(f"/api/v1/visitor_reception_slip/{pk}/arrive")
    assert r.status_code == 200 and r.get_json()["state"] == "arrived"
    assert r.get_json()["arrived_at"]
    r = api("salesmgr").post(f"/api/v1/visitor_reception_slip/{pk}/depart", json={"comment": "送行"})
    assert r.status_code == 200 and r.get_json()["state"] == "left"
    row = VisitorReceptionSlip.get_by_id(pk)
    assert row.signed_by_id == emp("salesmgr") and row.left_at is not None


def test_slip_is_signed_by_the_receiving_department_or_a_leader(api, db_ctx):
    pk = slip(api)
    api("sales").post(f"/api/v1/visitor_reception_slip/{pk}/arrive")
    # the office may record the departure, but someone of the receiving department or a leader signs
    r = api("reception").post(f"/api/v1/visitor_reception_slip/{pk}/depart")
    assert r.status_code == 400 and "签字" in r.get_json()["errors"]["signed_by"]
    r = api("reception").post(f"/api/v1/visitor_reception_slip/{pk}/depart",
                              json={"signed_by": employee_id("孙丽")})
    assert r.status_code == 400 and "接待部门人员或公司领导" in r.get_json()["errors"]["signed_by"]
    r = api("reception").post(f"/api/v1/visitor_reception_slip/{pk}/depart",
                              json={"signed_by": emp("regional")})
    assert r.status_code == 200 and r.get_json()["signed_by"] == emp("regional")


def test_a_company_leader_may_sign_the_slip(api, db_ctx):
    pk = slip(api, host_dept=dept_id("KF"), actor="service")
    api("service").post(f"/api/v1/visitor_reception_slip/{pk}/arrive")
    r = api("gm").post(f"/api/v1/visitor_reception_slip/{pk}/depart")
    assert r.status_code == 200 and r.get_json()["signed_by"] == emp("gm")


def test_unannounced_visitor_enters_only_after_gate_registration(api, db_ctx):
    pk = slip(api, appointment=False)
    r = api("sales").post(f"/api/v1/visitor_reception_slip/{pk}/arrive")
    assert r.status_code == 400 and "门卫" in r.get_json()["errors"]["gate_registration"]
    reg = gate(api, visitor_type="unannounced_unit", name="王处长", unit="陕西省高速公路管理局",
               purpose="考察", dept_contacted=dept_id("XS1"))
    api("reception").post(f"/api/v1/visitor_registration/{reg}/admit", json={"admitted_by": emp("sales")})
    r = api("sales").get(f"/api/v1/visitor_reception_slip/{pk}")
    r = api("sales").patch(f"/api/v1/visitor_reception_slip/{pk}",
                           json={"gate_registration": reg, "version": r.get_json()["version"]})
    assert r.status_code == 200, r.get_json()
    r = api("sales").post(f"/api/v1/visitor_reception_slip/{pk}/arrive")
    assert r.status_code == 200 and r.get_json()["state"] == "arrived"


def test_meeting_the_leaders_needs_a_reception_plan(api, db_ctx):
    pk = slip(api, leader_met=True)
    r = api("sales").post(f"/api/v1/visitor_reception_slip/{pk}/arrive")
    assert r.status_code == 400 and "接待方案" in r.get_json()["errors"]["reception_plan"]
    r = api("sales").post(f"/api/v1/visitor_reception_slip/{pk}/plan")
    assert r.status_code == 400 and "reception_plan" in r.get_json()["errors"]
    plan = api("sales").post("/api/v1/reception_plan", json=plan_payload(
        category="important_customer", host=emp("salesmgr"), responsible_dept=dept_id("XS1")))
    version = api("sales").get(f"/api/v1/visitor_reception_slip/{pk}").get_json()["version"]
    api("sales").patch(f"/api/v1/visitor_reception_slip/{pk}",
                       json={"reception_plan": plan.get_json()["id"], "version": version})
    r = api("sales").post(f"/api/v1/visitor_reception_slip/{pk}/plan")
    assert r.status_code == 200 and r.get_json()["state"] == "planned"
    r = api("sales").post(f"/api/v1/visitor_reception_slip/{pk}/arrive")
    assert r.status_code == 200 and r.get_json()["state"] == "arrived"


def test_cancelling_an_appointment_needs_a_reason(api, db_ctx):
    pk = slip(api)
    r = api("sales").post(f"/api/v1/visitor_reception_slip/{pk}/cancel", json={})
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    r = api("sales").post(f"/api/v1/visitor_reception_slip/{pk}/cancel", json={"reason": "客户行程推迟"})
    assert r.status_code == 200 and r.get_json()["state"] == "cancelled"


def test_slip_refusals_wrong_role_and_wrong_state(api, db_ctx):
    pk = slip(api)
    assert api("hr").post(f"/api/v1/visitor_reception_slip/{pk}/arrive").status_code == 403
    r = api("salesmgr").post(f"/api/v1/visitor_reception_slip/{pk}/depart")
    assert r.status_code == 409 and "预约" in r.get_json()["error"]


def test_reception_slip_counts_at_least_one_visitor(api, db_ctx):
    r = api("sales").post("/api/v1/visitor_reception_slip", json={
        "visitor_unit": "宝鸡市交通运输局", "names": "张科长", "purpose": "联系工作",
        "host_dept": dept_id("XS1"), "headcount": 0})
    assert r.status_code == 400 and "headcount" in r.get_json()["errors"]


# ---------------------------------------------------------------------------
# F-71 业务招待就餐申请 (R-RCP-08)
# ---------------------------------------------------------------------------

def meal(**values):
    data = {"type": "outside_business", "guest_unit": "咸阳市公路管理局", "purpose": "超限检测站项目技术交流",
            "meal_on": date.today().isoformat(), "guests": 6, "companions": 3, "drivers": 1,
            "standard_per_head": "120", "business_related": True}
    data.update(values)
    return data


def test_up_to_ten_guests_at_most_four_companions_drivers_excluded(api, db_ctx):
    c = api("sales")
    r = c.post("/api/v1/hospitality_request", json=meal(guests=8, companions=5))
    assert r.status_code == 400 and "不得超过4人" in r.get_json()["errors"]["companions"]
    r = c.post("/api/v1/hospitality_request", json=meal(guests=10, companions=4, drivers=3))
    assert r.status_code == 201
    assert r.get_json()["estimated_amount"] == 120 * 17
    r = c.post("/api/v1/hospitality_request", json=meal(guests=12, companions=6))
    assert r.status_code == 201


def test_no_meals_for_non_business_relations(api, db_ctx):
    r = api("sales").post("/api/v1/hospitality_request", json=meal(business_related=False))
    assert r.status_code == 400 and "非业务工作关系" in r.get_json()["errors"]["business_related"]


def test_outside_entertainment_is_approved_by_the_supervising_leader(api, db_ctx):
    pk = api("sales").post("/api/v1/hospitality_request", json=meal()).get_json()["id"]
    r = api("sales").post(f"/api/v1/hospitality_request/{pk}/submit")
    assert r.status_code == 200 and r.get_json()["current_approver"] == emp("salesmgr")
    assert api("gm").post(f"/api/v1/hospitality_request/{pk}/approve").status_code == 403
    r = api("salesmgr").post(f"/api/v1/hospitality_request/{pk}/approve")
    assert r.status_code == 200 and r.get_json()["state"] == "approved"
    r = api("sales").post(f"/api/v1/hospitality_request/{pk}/execute")
    assert r.get_json()["state"] == "executed"


def test_banquet_with_company_leaders_is_signed_by_the_main_leader(api, db_ctx):
    r = api("salesmgr").post("/api/v1/hospitality_request", json=meal(
        type="banquet_with_leader", guests=5, companions=4, standard_per_head="260"))
    assert r.status_code == 201 and r.get_json()["leader_present"] is True
    pk = r.get_json()["id"]
    r = api("salesmgr").post(f"/api/v1/hospitality_request/{pk}/submit")
    assert r.get_json()["approver_role"] == "general_manager" and r.get_json()["current_approver"] is None
    assert api("marketing").post(f"/api/v1/hospitality_request/{pk}/approve").status_code == 403
    r = api("gm").post(f"/api/v1/hospitality_request/{pk}/approve")
    assert r.status_code == 200 and r.get_json()["state"] == "approved"
    assert r.get_json()["approved_by"] == emp("gm")


def test_nobody_approves_his_own_hospitality_request(api, db_ctx):
    from models import HospitalityRequest
    pk = api("salesmgr").post("/api/v1/hospitality_request", json=meal()).get_json()["id"]
    api("salesmgr").post(f"/api/v1/hospitality_request/{pk}/submit")
    HospitalityRequest.update(current_approver=emp("salesmgr")).where(HospitalityRequest.id == pk).execute()
    r = api("salesmgr").post(f"/api/v1/hospitality_request/{pk}/approve")
    assert r.status_code == 403 and "自己" in r.get_json()["error"]


def test_rejecting_a_meal_request_needs_a_reason(api, db_ctx):
    pk = api("sales").post("/api/v1/hospitality_request", json=meal()).get_json()["id"]
    api("sales").post(f"/api/v1/hospitality_request/{pk}/submit")
    r = api("salesmgr").post(f"/api/v1/hospitality_request/{pk}/reject", json={})
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    r = api("salesmgr").post(f"/api/v1/hospitality_request/{pk}/approve")
    assert r.status_code == 200
    # wrong state: an approved request is not approved again
    assert api("salesmgr").post(f"/api/v1/hospitality_request/{pk}/approve").status_code == 409


def test_per_head_standard_is_checked_only_once_configured(api, db_ctx):
    from models import Setting
    payload = meal(type="banquet_with_leader", standard_per_head="300")
    assert api("salesmgr").post("/api/v1/hospitality_request", json=payload).status_code == 201
    Setting.create(record_no="CS-9001", key="meal_standard_banquet_with_leader", value="200",
                   kind="decimal", label="宴请标准（元/人）")
    r = api("salesmgr").post("/api/v1/hospitality_request", json=payload)
    assert r.status_code == 400 and "200" in r.get_json()["errors"]["standard_per_head"]


# ---------------------------------------------------------------------------
# F-72 会务费用申请 (R-RCP-07)
# ---------------------------------------------------------------------------

def meeting(**values):
    data = {"meeting_type": "general", "meeting_title": "动态汽车衡安装调试培训",
            "meeting_date": (date.today() + timedelta(days=10)).isoformat(), "participants": 18,
            "organiser": dept_id("KF"), "expense_plan": "3600", "programme": "理论讲解半天，现场实操一天"}
    data.update(values)
    return data


def test_small_meeting_costs_need_the_general_managers_prior_approval(api, db_ctx):
    r = api("service").post("/api/v1/meeting_expense_request", json=meeting())
    assert r.status_code == 201
    pk = r.get_json()["id"]
    r = api("service").post(f"/api/v1/meeting_expense_request/{pk}/submit")
    assert r.get_json()["approver_role"] == "general_manager"
    assert api("service").post(f"/api/v1/meeting_expense_request/{pk}/approve").status_code == 403
    r = api("gm").post(f"/api/v1/meeting_expense_request/{pk}/approve")
    assert r.status_code == 200 and r.get_json()["state"] == "approved"
    assert r.get_json()["approved_by"] == emp("gm")


def test_meeting_request_without_costs_is_refused(api, db_ctx):
    r = api("service").post("/api/v1/meeting_expense_request", json=meeting(expense_plan=None))
    assert r.status_code == 400 and "费用计划" in r.get_json()["errors"]["expense_plan"]


def test_general_meetings_are_those_under_thirty_participants(api, db_ctx):
    r = api("service").post("/api/v1/meeting_expense_request", json=meeting(participants=30))
    assert r.status_code == 400 and "不足30人" in r.get_json()["errors"]["participants"]


def test_large_foreign_meeting_plan_is_drafted_by_the_office(api, db_ctx):
    r = api("reception").post("/api/v1/meeting_expense_request", json=meeting(
        meeting_type="large_foreign", participants=80, organiser=dept_id("XZ"), programme=""))
    errors = r.get_json()["errors"]
    assert r.status_code == 400 and "prepared_by" in errors and "programme" in errors
    r = api("reception").post("/api/v1/meeting_expense_request", json=meeting(
        meeting_type="large_foreign", participants=80, organiser=dept_id("XZ"),
        prepared_by=emp("reception")))
    assert r.status_code == 201


def test_meeting_costs_are_applied_for_before_the_meeting(api, db_ctx):
    from portal import clock
    r = api("service").post("/api/v1/meeting_expense_request", json=meeting(
        meeting_date=(date.today() - timedelta(days=1)).isoformat()))
    assert r.status_code == 400 and "事前" in r.get_json()["errors"]["meeting_date"]
    pk = api("service").post("/api/v1/meeting_expense_request", json=meeting()).get_json()["id"]
    clock.set(datetime.now() + timedelta(days=12))
    r = api("service").post(f"/api/v1/meeting_expense_request/{pk}/submit")
    assert r.status_code == 400 and "事前" in r.get_json()["errors"]["meeting_date"]


# ---------------------------------------------------------------------------
# F-73 客户提案表 (WF-09), F-74 提案目标和提案收集计划
# ---------------------------------------------------------------------------

@pytest.fixture
def proposal(make, api, db_ctx):
    from models import Customer
    cust = make("customer", name="陕西省高速公路管理局")

    def create(**values):
        data = {"customer": cust.id, "proposer": "王处长", "category": "after_sales",
                "title": "建议设立西北区备件库", "content": "建议在西安设立备品备件库，缩短故障修复时间。",
                "assigned_dept": dept_id("PZ")}
        data.update(values)
        r = api("sales").post("/api/v1/customer_proposal", json=data)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]
    assert Customer.get_by_id(cust.id)
    return create


def test_proposal_from_receipt_to_the_end_of_the_benefit_period(api, proposal, db_ctx):
    from portal import clock
    from models import CustomerProposal
    base = datetime(2026, 3, 2, 9, 0)
    clock.set(base)
    pk = proposal()
    r = api("clerk").post(f"/api/v1/customer_proposal/{pk}/receive")
    assert r.status_code == 200 and r.get_json()["state"] == "received"
    assert r.get_json()["received_by"] == emp("clerk")
    assert r.get_json()["analysis_due"] == "2026-04-02 09:00:00"      # received + 1 month
    assert api("quality").post(f"/api/v1/customer_proposal/{pk}/start_analysis").status_code == 200
    r = api("quality").post(f"/api/v1/customer_proposal/{pk}/publish_result",
                            json={"research_result": "可行：西安仓库改建为备件库，常用备件储备两周用量。"})
    assert r.status_code == 200 and r.get_json()["state"] == "resulted"
    clock.set(base + timedelta(days=20))
    r = api("sales").post(f"/api/v1/customer_proposal/{pk}/notify", json={
        "adopted": "adopted", "implementation_time": "2026-05-01", "improvement_measures": "设立西安备件库"})
    assert r.status_code == 200 and r.get_json()["state"] == "notified"
    assert r.get_json()["adopted_on"] == "2026-03-22" and r.get_json()["benefit_until"] == "2027-03-22"
    assert api("sales").post(f"/api/v1/customer_proposal/{pk}/implement").status_code == 200
    assert api("sales").post(f"/api/v1/customer_proposal/{pk}/start_benefit").status_code == 200
    r = api("sales").post(f"/api/v1/customer_proposal/{pk}/close")
    assert r.status_code == 400 and "成果享有期" in r.get_json()["errors"]["__all__"]
    clock.set(datetime(2027, 3, 22, 9, 0))
    r = api("sales").post(f"/api/v1/customer_proposal/{pk}/close")
    assert r.status_code == 200 and r.get_json()["state"] == "ended"
    row = CustomerProposal.get_by_id(pk)
    assert row.share_company == 40 and row.share_customer == 60


def test_received_proposal_is_passed_to_a_relevant_department(api, proposal, db_ctx):
    pk = proposal(assigned_dept=None)
    r = api("clerk").post(f"/api/v1/customer_proposal/{pk}/receive")
    assert r.status_code == 400 and "相关部门" in r.get_json()["errors"]["assigned_dept"]
    r = api("clerk").post(f"/api/v1/customer_proposal/{pk}/receive", json={"assigned_dept": dept_id("KF")})
    assert r.status_code == 200 and r.get_json()["assigned_dept"] == dept_id("KF")


def test_analysis_over_one_month_needs_a_schedule_report(api, proposal, db_ctx):
    from portal import clock
    clock.set(datetime(2026, 3, 2, 9, 0))
    pk = proposal()
    api("clerk").post(f"/api/v1/customer_proposal/{pk}/receive")
    api("quality").post(f"/api/v1/customer_proposal/{pk}/start_analysis")
    clock.set(datetime(2026, 4, 10, 9, 0))
    r = api("quality").post(f"/api/v1/customer_proposal/{pk}/publish_result", json={"research_result": "可行"})
    assert r.status_code == 400 and "日程安排" in r.get_json()["errors"]["schedule_report"]
    r = api("quality").post(f"/api/v1/customer_proposal/{pk}/report_schedule", json={"expected_on": "2026-05-15"})
    assert r.status_code == 400 and "schedule_report" in r.get_json()["errors"]
    r = api("quality").post(f"/api/v1/customer_proposal/{pk}/report_schedule",
                            json={"schedule_report": "需做三个月现场对比试验", "expected_on": "2026-03-20"})
    assert r.status_code == 400 and "晚于" in r.get_json()["errors"]["expected_on"]
    r = api("quality").post(f"/api/v1/customer_proposal/{pk}/report_schedule",
                            json={"schedule_report": "需做现场对比试验，5月中旬出结果", "expected_on": "2026-05-15"})
    assert r.status_code == 200 and r.get_json()["state"] == "analysing"
    assert r.get_json()["scheduled_result_on"] == "2026-05-15"
    r = api("quality").post(f"/api/v1/customer_proposal/{pk}/publish_result", json={"research_result": "可行"})
    assert r.status_code == 200 and r.get_json()["state"] == "resulted"


def test_result_is_required_before_the_reply(api, proposal, db_ctx):
    pk = proposal()
    api("clerk").post(f"/api/v1/customer_proposal/{pk}/receive")
    api("quality").post(f"/api/v1/customer_proposal/{pk}/start_analysis")
    r = api("quality").post(f"/api/v1/customer_proposal/{pk}/publish_result", json={})
    assert r.status_code == 400 and "research_result" in r.get_json()["errors"]


def test_adopted_proposal_tells_the_customer_time_and_measures(api, proposal, db_ctx):
    pk = proposal()
    api("clerk").post(f"/api/v1/customer_proposal/{pk}/receive")
    api("quality").post(f"/api/v1/customer_proposal/{pk}/start_analysis")
    api("quality").post(f"/api/v1/customer_proposal/{pk}/publish_result", json={"research_result": "可行"})
    r = api("sales").post(f"/api/v1/customer_proposal/{pk}/notify", json={})
    assert r.status_code == 400 and "adopted" in r.get_json()["errors"]
    r = api("sales").post(f"/api/v1/customer_proposal/{pk}/notify", json={"adopted": "adopted"})
    errors = r.get_json()["errors"]
    assert r.status_code == 400 and "implementation_time" in errors and "improvement_measures" in errors


def test_rejected_proposal_ends_after_the_customer_is_told(api, proposal, db_ctx):
    pk = proposal()
    api("clerk").post(f"/api/v1/customer_proposal/{pk}/receive")
    api("quality").post(f"/api/v1/customer_proposal/{pk}/start_analysis")
    api("quality").post(f"/api/v1/customer_proposal/{pk}/publish_result", json={"research_result": "成本过高"})
    r = api("sales").post(f"/api/v1/customer_proposal/{pk}/notify", json={"adopted": "not_adopted"})
    assert r.status_code == 200 and r.get_json()["benefit_until"] is None
    r = api("sales").post(f"/api/v1/customer_proposal/{pk}/implement")
    assert r.status_code == 400 and "adopted" in r.get_json()["errors"]
    r = api("sales").post(f"/api/v1/customer_proposal/{pk}/close")
    assert r.status_code == 200 and r.get_json()["state"] == "ended"


def test_proposal_refusals_wrong_role_and_wrong_state(api, proposal, db_ctx):
    pk = proposal()
    assert api("quality").post(f"/api/v1/customer_proposal/{pk}/receive").status_code == 403
    assert api("hr").post(f"/api/v1/customer_proposal/{pk}/receive").status_code == 403
    r = api("sales").post(f"/api/v1/customer_proposal/{pk}/notify", json={"adopted": "not_adopted"})
    assert r.status_code == 409 and "已提交" in r.get_json()["error"]


def test_benefit_shares_are_forty_sixty_by_default_and_total_one_hundred(api, proposal, db_ctx):
    from models import CustomerProposal
    pk = proposal()
    row = CustomerProposal.get_by_id(pk)
    assert (row.share_company, row.share_customer) == (40, 60)
    r = api("sales").patch(f"/api/v1/customer_proposal/{pk}",
                           json={"share_company": 50, "version": row.version})
    assert r.status_code == 400 and "100%" in r.get_json()["errors"]["share_customer"]


def test_proposal_plan_is_made_every_half_year(api, db_ctx):
    c = api("clerk")
    r = c.post("/api/v1/proposal_plan", json={"half_year": "2026上半年", "targets": "10件",
                                              "collection_plan": "随巡访发放提案表"})
    assert r.status_code == 400 and "上半年" in r.get_json()["errors"]["half_year"]
    r = c.post("/api/v1/proposal_plan", json={"half_year": "2026年下半年", "targets": "征集提案12件",
                                              "collection_plan": "随巡访发放提案表"})
    assert r.status_code == 201 and r.get_json()["next_plan_due"] == "2027-01-01"


# ---------------------------------------------------------------------------
# F-77 归档移交单
# ---------------------------------------------------------------------------

def transfer(api, items=2, **values):
    from models import ArchiveTransferItem
    data = {"kind": "annual_binding", "from_dept": dept_id("YX"), "from_person": emp("clerk"),
            "to_dept": dept_id("XZ"), "to_person": emp("reception"), "period": "2025"}
    data.update(values)
    r = api("clerk").post("/api/v1/archive_transfer", json=data)
    assert r.status_code == 201, r.get_json()
    pk = r.get_json()["id"]
    for i in range(items):
        ArchiveTransferItem.create(transfer=pk, register_name="客户档案", record_number=f"YX-{i + 1:04d}",
                                   quantity=1, description="长期保存的客户档案卡")
    return pk


def test_annual_binding_is_handed_over_and_signed_for(api, db_ctx):
    from models import ArchiveTransfer
    pk = transfer(api)
    r = api("clerk").post(f"/api/v1/archive_transfer/{pk}/hand_over")
    assert r.status_code == 200 and r.get_json()["state"] == "handed" and r.get_json()["handed_at"]
    r = api("reception").post(f"/api/v1/archive_transfer/{pk}/receive", json={"received_signature": "冯静"})
    assert r.status_code == 200 and r.get_json()["state"] == "received"
    row = ArchiveTransfer.get_by_id(pk)
    assert row.received_signature == "冯静" and row.received_at is not None
    assert [i.record_number for i in row.items] == ["YX-0001", "YX-0002"]


def test_only_the_receiving_person_signs_for_a_transfer(api, db_ctx):
    pk = transfer(api)
    api("clerk").post(f"/api/v1/archive_transfer/{pk}/hand_over")
    r = api("clerk").post(f"/api/v1/archive_transfer/{pk}/receive", json={"received_signature": "刘静"})
    assert r.status_code == 403 and "接收人" in r.get_json()["error"]
    r = api("reception").post(f"/api/v1/archive_transfer/{pk}/receive", json={})
    assert r.status_code == 400 and "received_signature" in r.get_json()["errors"]


def test_transfer_needs_a_list_of_items(api, db_ctx):
    pk = transfer(api, items=0)
    r = api("clerk").post(f"/api/v1/archive_transfer/{pk}/hand_over")
    assert r.status_code == 400 and "至少" in r.get_json()["errors"]["items"]


def test_transfer_refusals_wrong_state_and_wrong_role(api, db_ctx):
    pk = transfer(api)
    r = api("reception").post(f"/api/v1/archive_transfer/{pk}/receive", json={"received_signature": "冯静"})
    assert r.status_code == 409
    assert api("sales").post(f"/api/v1/archive_transfer/{pk}/hand_over").status_code == 403


def test_incomplete_transfer_is_sent_back_with_a_reason(api, db_ctx):
    pk = transfer(api)
    api("clerk").post(f"/api/v1/archive_transfer/{pk}/hand_over")
    r = api("reception").post(f"/api/v1/archive_transfer/{pk}/send_back", json={})
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    r = api("reception").post(f"/api/v1/archive_transfer/{pk}/send_back", json={"reason": "缺少2025年12月记录"})
    assert r.status_code == 200 and r.get_json()["state"] == "draft"


def test_monthly_filing_is_due_before_the_tenth(api, db_ctx):
    r = api("clerk").post("/api/v1/archive_transfer", json={
        "kind": "monthly_filing", "from_dept": dept_id("YX"), "from_person": emp("clerk"),
        "to_dept": dept_id("XZ"), "to_person": emp("reception"), "period": "十月"})
    assert r.status_code == 400 and "2026-10" in r.get_json()["errors"]["period"]
    pk = transfer(api, kind="monthly_filing", period="2026-10")
    from models import ArchiveTransfer
    assert ArchiveTransfer.get_by_id(pk).due_on == date(2026, 11, 10)


def test_travel_documents_handover_names_the_expense_claim(api, db_ctx):
    data = {"kind": "travel_handover", "from_dept": dept_id("XS1"), "from_person": emp("sales"),
            "to_dept": dept_id("YX"), "to_person": emp("clerk"), "period": "2026-11"}
    r = api("clerk").post("/api/v1/archive_transfer", json=data)
    assert r.status_code == 400 and "报销" in r.get_json()["errors"]["reimbursement_claim_ref"]
    data["reimbursement_claim_ref"] = "BX-2026-0456"
    assert api("clerk").post("/api/v1/archive_transfer", json=data).status_code == 201


def test_transfer_person_belongs_to_the_handing_department(api, db_ctx):
    r = api("clerk").post("/api/v1/archive_transfer", json={
        "kind": "annual_binding", "from_dept": dept_id("PZ"), "from_person": emp("clerk"),
        "to_dept": dept_id("XZ"), "to_person": emp("reception"), "period": "2025"})
    assert r.status_code == 400 and "移交部门" in r.get_json()["errors"]["from_person"]


# ---------------------------------------------------------------------------
# F-78, F-79, F-80
# ---------------------------------------------------------------------------

def test_records_are_inspected_every_six_months(api, db_ctx):
    c = api("clerk")
    r = c.post("/api/v1/record_inspection", json={"inspected_at": "2026-03-15", "inspector": emp("clerk"),
                                                  "scope": "销售一部客户服务体系记录", "findings": "记录完整"})
    assert r.status_code == 201 and r.get_json()["next_due"] == "2026-09-15"
    r = c.post("/api/v1/record_inspection", json={
        "inspected_at": (date.today() + timedelta(days=3)).isoformat(), "inspector": emp("clerk"),
        "scope": "全部", "findings": "—"})
    assert r.status_code == 400 and "inspected_at" in r.get_json()["errors"]


def archive_file(**values):
    data = {"year": 2025, "volume_no": "2025-XS-03", "category": "contracts", "title": "2025年动态汽车衡销售合同",
            "medium": "document", "origin_dept": dept_id("XS1"), "location": "档案室 3号柜"}
    data.update(values)
    return data


def test_archive_file_is_kept_by_a_named_custodian(api, db_ctx):
    r = api("clerk").post("/api/v1/archive_file", json=archive_file())
    assert r.status_code == 201 and r.get_json()["custodian"] == emp("clerk")
    r = api("clerk").post("/api/v1/archive_file", json=archive_file(custodian=None))
    assert r.status_code == 400 and "保管人" in r.get_json()["errors"]["custodian"]


def test_electronic_archives_are_backed_up(api, db_ctx):
    r = api("clerk").post("/api/v1/archive_file", json=archive_file(medium="electronic"))
    assert r.status_code == 400 and "备份" in r.get_json()["errors"]["electronic_backup_at"]
    r = api("clerk").post("/api/v1/archive_file", json=archive_file(
        medium="electronic", electronic_backup_at=date.today().isoformat()))
    assert r.status_code == 201


def test_archive_files_follow_their_confidentiality(api, db_ctx):
    internal = api("clerk").post("/api/v1/archive_file", json=archive_file()).get_json()["id"]
    secret = api("clerk").post("/api/v1/archive_file", json=archive_file(
        category="technical", title="动态称重算法技术资料", confidentiality="secret")).get_json()["id"]
    assert api("sales").get(f"/api/v1/archive_file/{internal}").status_code == 200
    assert api("sales").get(f"/api/v1/archive_file/{secret}").status_code == 404
    assert api("gm").get(f"/api/v1/archive_file/{secret}").status_code == 200
    assert api("clerk").get(f"/api/v1/archive_file/{secret}").status_code == 200
    assert api("quality").get(f"/api/v1/archive_file/{internal}").status_code == 404


def test_department_archivist_belongs_to_the_department(api, db_ctx):
    c = api("clerk")
    r = c.post("/api/v1/archivist_roster", json={"dept": dept_id("PZ"), "person": emp("sales")})
    assert r.status_code == 400 and "本部门" in r.get_json()["errors"]["person"]
    r = c.post("/api/v1/archivist_roster", json={"dept": dept_id("PZ"), "person": employee_id("高远"),
                                                 "changed_at": "2026-06-01"})
    assert r.status_code == 400 and "原档案专人" in r.get_json()["errors"]["previous_person"]
    r = c.post("/api/v1/archivist_roster", json={"dept": dept_id("PZ"), "person": employee_id("高远"),
                                                 "filed_at": "2026-01-05"})
    assert r.status_code == 201


# ---------------------------------------------------------------------------
# F-83 制度/程序文件, F-82 文件变更记录表 (R-APR-01)
# ---------------------------------------------------------------------------

def policy(api, **values):
    data = {"title": "客户接待管理办法", "doc_no": "SW-XS-003", "doc_version": "A/0",
            "issuer": "宝鸡四维衡器有限公司", "owner_dept": dept_id("XZ")}
    data.update(values)
    r = api("clerk").post("/api/v1/policy_document", json=data)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_regulation_takes_effect_after_the_general_managers_approval(api, db_ctx):
    pk = policy(api)
    r = api("clerk").post(f"/api/v1/policy_document/{pk}/submit")
    assert r.get_json()["approver_role"] == "general_manager"
    assert api("marketing").post(f"/api/v1/policy_document/{pk}/approve").status_code == 403
    assert api("clerk").post(f"/api/v1/policy_document/{pk}/execute").status_code == 409
    r = api("gm").post(f"/api/v1/policy_document/{pk}/approve")
    assert r.status_code == 200 and r.get_json()["approved_by"] == emp("gm")
    r = api("clerk").post(f"/api/v1/policy_document/{pk}/execute")
    assert r.status_code == 200 and r.get_json()["effective_on"] == date.today().isoformat()


def test_amendment_is_reviewed_then_approved_and_updates_the_version(api, db_ctx):
    from models import PolicyDocument
    doc = policy(api)
    r = api("clerk").post("/api/v1/document_change_record", json={
        "document": doc, "version_after": "A/0", "summary_before": "陪客不得超过4人",
        "summary_after": "陪客不得超过3人", "reason": "压缩招待费用"})
    assert r.status_code == 400 and "A/0" in r.get_json()["errors"]["version_after"]
    r = api("clerk").post("/api/v1/document_change_record", json={
        "document": doc, "version_after": "A/1", "summary_before": "陪客不得超过4人",
        "summary_after": "陪客不得超过3人", "reason": "压缩招待费用", "mark": "①"})
    assert r.status_code == 201 and r.get_json()["changed_by"] == emp("clerk")
    pk = r.get_json()["id"]
    r = api("clerk").post(f"/api/v1/document_change_record/{pk}/submit")
    assert r.get_json()["current_approver"] == emp("marketing")       # the clerk's superior reviews
    r = api("marketing").post(f"/api/v1/document_change_record/{pk}/approve")
    assert r.get_json()["state"] == "pending" and r.get_json()["reviewed_by"] == emp("marketing")
    assert r.get_json()["approver_role"] == "general_manager"
    r = api("gm").post(f"/api/v1/document_change_record/{pk}/approve")
    assert r.get_json()["state"] == "approved" and r.get_json()["approved_by"] == emp("gm")
    r = api("clerk").post(f"/api/v1/document_change_record/{pk}/execute")
    assert r.status_code == 200
    assert PolicyDocument.get_by_id(doc).doc_version == "A/1"


# ---------------------------------------------------------------------------
# Every page of the section answers (200, or 403 without access; never 500)
# ---------------------------------------------------------------------------

SECTION_D = ("reception_plan", "visitor_reception_slip", "visitor_registration", "hospitality_request",
             "meeting_expense_request", "customer_proposal", "proposal_plan", "archive_transfer",
             "record_inspection", "archive_file", "archivist_roster", "policy_document",
             "document_change_record")
USERS = ("admin", "clerk", "sales", "salesmgr", "gm", "quality", "service", "reception", "hr")


def test_menu_groups_of_the_section(db_ctx):
    from portal import registry
    groups = {name: registry.get(name).group for name in SECTION_D}
    assert {groups[n] for n in SECTION_D[:5]} == {"reception"}
    assert {groups[n] for n in SECTION_D[5:7]} == {"service"}
    assert {groups[n] for n in SECTION_D[7:]} == {"archives"}


def test_every_page_answers_for_every_role(app, portal, api, db_ctx):
    from portal.db import connection
    ids = {
        "reception_plan": api("reception").post("/api/v1/reception_plan", json=plan_payload(
            host=emp("gm"), responsible_dept=dept_id("XZ"))).get_json()["id"],
        "visitor_reception_slip": slip(api),
        "visitor_registration": gate(api),
        "hospitality_request": api("sales").post("/api/v1/hospitality_request", json=meal()).get_json()["id"],
        "meeting_expense_request": api("service").post("/api/v1/meeting_expense_request",
                                                        json=meeting()).get_json()["id"],
        "archive_transfer": transfer(api),
        "record_inspection": api("clerk").post("/api/v1/record_inspection", json={
            "inspected_at": "2026-03-15", "inspector": emp("clerk"), "scope": "全部",
            "findings": "完整"}).get_json()["id"],
        "archive_file": api("clerk").post("/api/v1/archive_file", json=archive_file()).get_json()["id"],
        "archivist_roster": api("clerk").post("/api/v1/archivist_roster", json={
            "dept": dept_id("YX"), "person": emp("clerk")}).get_json()["id"],
        "policy_document": policy(api),
        "proposal_plan": api("clerk").post("/api/v1/proposal_plan", json={
            "half_year": "2026年上半年", "targets": "10件", "collection_plan": "随访发放"}).get_json()["id"],
    }
    cust = api("clerk").post("/api/v1/customer", json={
        "name": "测试客户", "grade": "B", "region": 1, "account_owner": emp("sales"),
        "contact_name": "王工", "phone": "029-1", "address": "西安"}).get_json()["id"]
    ids["customer_proposal"] = api("sales").post("/api/v1/customer_proposal", json={
        "customer": cust, "category": "other", "content": "建议增加语音播报"}).get_json()["id"]
    ids["document_change_record"] = api("clerk").post("/api/v1/document_change_record", json={
        "document": ids["policy_document"], "version_after": "A/1", "summary_before": "旧",
        "summary_after": "新", "reason": "修订"}).get_json()["id"]
    assert all(ids.values()), ids
    for username in USERS:
        p = portal(username)
        for name in SECTION_D:
            for url in (f"/{name}/", f"/{name}/new/", f"/{name}/details/?id={ids[name]}"):
                code = p.get(url).status_code
                assert code in (200, 403, 404), (username, url, code)
            code = p.get(f"/{name}/").status_code
            assert code in (200, 403), (username, name, code)


def test_transfer_items_are_entered_on_the_transfer_form(portal, db_ctx):
    from models import ArchiveTransfer, ArchiveTransferItem
    p = portal("clerk")
    assert "items" in p.get("/archive_transfer/new/").get_data(as_text=True)
    clerk = user("clerk").employee
    r = p.post("/archive_transfer/new/", data={
        "kind": "annual_binding", "from_dept": dept_id("YX"), "from_person": clerk.id,
        "to_dept": dept_id("XZ"), "to_person": emp("reception"), "period": "2025",
        "dept": clerk.dept_id, "filled_at": "2026-01-08", "filled_by": clerk.id,
        "retention_class": "long_term", "confidentiality": "internal",
        "items-0-register_name": "客户档案", "items-0-record_number": "YX-0001", "items-0-quantity": "3",
        "items-1-register_name": "客户投诉", "items-1-record_number": "2512-01"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    row = ArchiveTransfer.get()
    assert [i.register_name for i in row.items.order_by(ArchiveTransferItem.id)] == ["客户档案", "客户投诉"]
