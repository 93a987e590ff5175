"""Section B registers: contacts, inquiries, feedback, surveys (DOMAIN.md 2.C)
and the complaint documents (2.D): their field rules, workflows and pages."""
from datetime import datetime, timedelta

import pytest

from conftest import user

NOW = datetime(2026, 11, 20, 10, 0)          # a Friday


@pytest.fixture
def frozen():
    from portal import clock
    clock.set(NOW)
    yield NOW


@pytest.fixture
def customer(make, db_ctx):
    """A customer file of the clerk's department owned by 张伟 (sales)."""
    return make("customer", name="陕西省高速公路管理局")


def dept(abbr):
    from models import Department
    return Department.get(Department.abbr == abbr)


def emp_id(username):
    return user(username).employee_id


def post(api, who, register, **data):
    return api(who).post(f"/api/v1/{register}", json=data)


def run(api, who, register, pk, action, **inputs):
    return api(who).post(f"/api/v1/{register}/{pk}/{action}", json=inputs)


def created(response):
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def errors(response):
    assert response.status_code == 400, (response.status_code, response.get_json())
    return response.get_json()["errors"]


def state(register, pk):
    from portal import registry
    return registry.get(register).model.get_by_id(pk).state


def make_complaint(make, customer, actor="sales", **values):
    """A complaint case; workflow-kept fields (accepted, closed_at...) are
    arranged directly, as the case would have them after its transitions."""
    from models import Complaint
    from portal import registry
    editable = set(registry.get("complaint").editable_fields())
    data = dict(customer=customer, received_by=user(actor).employee, title="称重数据偏差",
                content="计重收费车道称重数据偏差超过允许误差。")
    data.update({k: v for k, v in values.items() if k in editable})
    case = make("complaint", actor=actor, **data)
    kept = {k: v for k, v in values.items() if k not in editable}
    if kept:
        Complaint.update(**kept).where(Complaint.id == case.id).execute()
        case = Complaint.get_by_id(case.id)
    return case


def make_deputy():
    """主管副总经理: the demo organisation has no holder of deputy_gm."""
    from models import Employee
    from portal.accounts import create_user
    account = create_user("deputy", None, ("deputy_gm",), password_hash="x")
    Employee.create(record_no="YG-9001", name="刘振华", dept=dept("ZJB"), position="主管副总经理",
                    user=account)
    return account


# ===========================================================================
# F-25 客户来电函信息登记表
# ===========================================================================

def contact(api, customer=None, who="sales", **values):
    data = dict(time="2026-11-20 09:00:00", customer_name="王建华", customer_unit="陕西省高速公路管理局",
                customer_phone="13900000000", channel="call_in", kind="inquiry",
                issue="要求提供近三年的计量检定证书复印件。")
    if customer is not None:
        data["customer"] = customer.id
    data.update(values)
    return post(api, who, "customer_contact_log", **data)


def test_an_inquiry_is_to_be_answered_the_same_day(api, frozen):
    row = created(contact(api))
    assert row["reply_due"] == "2026-11-20 23:59:59"
    assert row["receiver"] == emp_id("sales") and row["state"] == "registered"


def test_an_inquiry_needing_information_is_answered_within_three_working_days(api, frozen):
    row = created(contact(api, needs_collection=True))
    # Friday 09:00 + 3 working days (the weekend does not count) = Wednesday 09:00
    assert row["reply_due"] == "2026-11-25 09:00:00"


def test_a_reply_later_than_a_week_needs_the_estimated_completion_date(api, frozen):
    from datetime import datetime
    from portal import clock
    row = created(contact(api, handling_opinion="资料已整理"))
    clock.set(datetime(2026, 11, 29, 10, 0))       # the reply time is the transition's, never typed
    errs = errors(run(api, "sales", "customer_contact_log", row["id"], "reply", reply_form="letter"))
    assert "预计完成" in errs["estimated_completion"]
    api("sales").patch(f"/api/v1/customer_contact_log/{row['id']}",
                       json={"version": row["version"], "estimated_completion": "2026-11-29"})
    r = run(api, "sales", "customer_contact_log", row["id"], "reply", reply_form="letter")
    assert r.status_code == 200 and r.get_json()["replied_at"] == "2026-11-29 10:00:00"


def test_the_reply_time_is_not_typed(api, frozen):
    errs = errors(contact(api, replied_at="2026-11-19 10:00:00"))
    assert "只读" in errs["replied_at"]


def test_a_reply_cannot_precede_the_call(api, frozen):
    from datetime import datetime
    from portal import clock
    row = created(contact(api, handling_opinion="已解答"))
    clock.set(datetime(2026, 11, 19, 10, 0))       # a clock behind the call's time
    assert "早于" in errors(run(api, "sales", "customer_contact_log", row["id"], "reply",
                                reply_form="letter"))["replied_at"]


def test_only_an_oral_reply_gets_a_written_confirmation(api, frozen):
    errs = errors(contact(api, reply_form="letter", written_confirmation_at="2026-11-20 12:00:00"))
    assert "口头" in errs["written_confirmation_at"]
    created(contact(api, reply_form="oral", written_confirmation_at="2026-11-20 12:00:00"))


def test_the_paper_form_items_are_filled_or_struck_through(api, frozen):
    errs = errors(contact(api, customer_phone=""))
    assert "划去" in errs["customer_phone"]
    created(contact(api, customer_phone="", na_fields=["customer_phone"]))


def test_complaint_call_becomes_a_complaint_case_linked_back(api, customer, frozen, db_ctx):
    from models import Complaint
    row = created(contact(api, customer, kind="complaint", issue="称重数据偏差，已多次反映未解决。"))
    assert row["reply_due"] is None          # the complaint runs on its own deadlines
    r = run(api, "sales", "customer_contact_log", row["id"], "to_complaint")
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    assert data["state"] == "complaint" and data["responsible_signer"] == emp_id("sales")
    case = Complaint.get_by_id(data["complaint"])
    assert case.customer_id == customer.id and case.received_by_id == emp_id("sales")
    assert case.type == "complaint" and "称重数据偏差" in case.content
    assert row["record_no"] in case.content
    # transferred once: a second click is a state conflict and creates nothing more
    assert run(api, "sales", "customer_contact_log", row["id"], "to_complaint").status_code == 409
    assert Complaint.select().count() == 1


def test_a_complaint_call_needs_the_customer_file_before_transfer(api, frozen, db_ctx):
    from models import Complaint
    row = created(contact(api, kind="complaint"))
    errs = errors(run(api, "sales", "customer_contact_log", row["id"], "to_complaint"))
    assert "客户档案" in errs["customer"]
    assert Complaint.select().count() == 0 and state("customer_contact_log", row["id"]) == "registered"


def test_only_a_complaint_call_is_transferred_as_a_complaint(api, customer, frozen):
    row = created(contact(api, customer, kind="consult"))
    assert "投诉" in errors(run(api, "sales", "customer_contact_log", row["id"], "to_complaint"))["kind"]


def test_a_complaint_call_cannot_be_simply_answered(api, customer, frozen):
    row = created(contact(api, customer, kind="complaint", handling_opinion="已解释"))
    errs = errors(run(api, "sales", "customer_contact_log", row["id"], "reply", reply_form="letter"))
    assert "转为客户投诉" in errs["kind"]


def test_a_repair_call_is_passed_on_with_its_repair_number(api, frozen):
    row = created(contact(api, kind="repair", issue="称重显示器黑屏。"))
    assert "repair_request" in errors(run(api, "sales", "customer_contact_log", row["id"], "to_repair"))
    r = run(api, "sales", "customer_contact_log", row["id"], "to_repair", repair_request="BX-2611-001")
    assert r.status_code == 200 and r.get_json()["state"] == "repair"
    assert r.get_json()["repair_request"] == "BX-2611-001"


def test_call_is_forwarded_answered_and_closed_by_the_leader(api, frozen):
    row = created(contact(api))                   # the leader is whoever closes it, never typed
    assert "接手人员" in errors(run(api, "sales", "customer_contact_log", row["id"], "forward"))["handler"]
    api("sales").patch(f"/api/v1/customer_contact_log/{row['id']}",
                       json={"version": row["version"], "handler": emp_id("quality")})
    assert run(api, "sales", "customer_contact_log", row["id"], "forward").status_code == 200
    # the handler answers; a reply needs the form of the reply and the handling opinion
    assert "reply_form" in errors(run(api, "quality", "customer_contact_log", row["id"], "reply"))
    errs = errors(run(api, "quality", "customer_contact_log", row["id"], "reply", reply_form="email"))
    assert "处理意见" in errs["handling_opinion"]
    r = run(api, "quality", "customer_contact_log", row["id"], "reply", reply_form="email",
            handling_opinion="证书复印件已整理，邮件发送。")
    assert r.status_code == 200 and r.get_json()["replied_at"] == "2026-11-20 10:00:00"
    # someone else than the named leader (or the receiver's superior) cannot close
    assert run(api, "regional", "customer_contact_log", row["id"], "close",
               final_result="已办结").status_code == 403
    assert "final_result" in errors(run(api, "salesmgr", "customer_contact_log", row["id"], "close"))
    r = run(api, "salesmgr", "customer_contact_log", row["id"], "close", final_result="客户满意。")
    assert r.status_code == 200
    data = r.get_json()
    assert data["state"] == "closed" and data["responsible_signer"] == emp_id("salesmgr")
    assert run(api, "salesmgr", "customer_contact_log", row["id"], "close",
               final_result="再次").status_code == 409


def test_an_oral_reply_is_confirmed_in_writing_before_closing(api, frozen):
    row = created(contact(api, handling_opinion="电话答复。"))
    run(api, "sales", "customer_contact_log", row["id"], "reply", reply_form="oral")
    errs = errors(run(api, "salesmgr", "customer_contact_log", row["id"], "close", final_result="已答复"))
    assert "书面" in errs["written_confirmation_at"]


def test_a_role_without_the_register_cannot_touch_calls(api, frozen):
    row = created(contact(api))
    assert run(api, "hr", "customer_contact_log", row["id"], "forward").status_code == 403
    assert contact(api, who="hr").status_code == 403


# ===========================================================================
# F-26 出差.退换品信息表 (WF-02)
# ===========================================================================

def feedback(api, customer, **values):
    data = dict(customer=customer.id, received_at="2026-11-20 08:00:00", channel="phone",
                content="客户反映新交付的汽车衡秤台焊缝开裂。")
    data.update(values)
    return post(api, "sales", "customer_feedback_info", **data)


def route(feedback_id, *abbrs):
    from models import FeedbackResponsibleDept
    for abbr in abbrs:
        FeedbackResponsibleDept.create(feedback=feedback_id, dept=dept(abbr))


def test_the_level_sets_the_handling_limit_when_saved(api, customer, frozen):
    row = created(feedback(api, customer, level="A"))
    assert row["due_at"] == "2026-11-22 08:00:00"        # A级 48 小时
    row = created(feedback(api, customer, level="B"))
    assert row["due_at"] == "2026-11-23 08:00:00"        # B级 72 小时
    assert created(feedback(api, customer))["due_at"] is None


def test_feedback_is_classified_dispatched_handled_and_replied(api, customer, frozen, db_ctx):
    from portal import clock
    row = created(feedback(api, customer))
    fid = row["id"]
    # wrong state: nothing to dispatch before classification
    assert run(api, "sales", "customer_feedback_info", fid, "dispatch").status_code == 409
    # the quality department does not classify (营业部 does)
    assert run(api, "quality", "customer_feedback_info", fid, "classify",
               category="quality", level="AA").status_code in (403, 404)
    assert "level" in errors(run(api, "sales", "customer_feedback_info", fid, "classify", category="quality"))
    r = run(api, "sales", "customer_feedback_info", fid, "classify", category="quality", level="AA")
    assert r.status_code == 200
    assert r.get_json()["due_at"] == "2026-11-21 08:00:00"       # AA级 24 小时
    assert "责任部门" in errors(run(api, "sales", "customer_feedback_info", fid, "dispatch"))["responsible_depts"]
    route(fid, "PZ", "JS")
    r = run(api, "sales", "customer_feedback_info", fid, "dispatch")
    assert r.status_code == 200 and r.get_json()["lead_dept"] == dept("PZ").id
    # a department the item was not passed to cannot take it up
    assert run(api, "service", "customer_feedback_info", fid, "start").status_code in (403, 404)
    assert run(api, "quality", "customer_feedback_info", fid, "start").status_code == 200
    errs = errors(run(api, "quality", "customer_feedback_info", fid, "return_result", handling="已更换秤台。"))
    assert "纠正预防措施" in errs["capa_ref"]
    r = run(api, "quality", "customer_feedback_info", fid, "return_result", handling="已更换秤台。",
            capa_ref="CAPA-26-011")
    assert r.status_code == 200 and r.get_json()["result_to_sales_at"] == "2026-11-20 10:00:00"
    assert "reply_content" in errors(run(api, "sales", "customer_feedback_info", fid, "reply"))
    clock.set(NOW + timedelta(days=1))              # replied after the 24 h limit
    r = run(api, "sales", "customer_feedback_info", fid, "reply", reply_content="已书面回复客户。")
    assert r.status_code == 200 and r.get_json()["overdue"] is True
    assert run(api, "sales", "customer_feedback_info", fid, "close").get_json()["state"] == "closed"


def test_a_classified_item_keeps_its_level(api, customer, frozen):
    row = created(feedback(api, customer))
    r = run(api, "sales", "customer_feedback_info", row["id"], "classify", category="other", level="B")
    r = api("sales").patch(f"/api/v1/customer_feedback_info/{row['id']}",
                           json={"version": r.get_json()["version"], "level": None})
    assert r.status_code == 409 and "信息等级" in r.get_json()["errors"]["level"]


def test_feedback_departments_are_entered_inline(portal, customer, db_ctx):
    from models import CustomerFeedbackInfo
    emp = user("sales").employee
    r = portal("sales").post("/customer_feedback_info/new/", data={
        "customer": customer.id, "received_at": "2026-11-20 08:00", "channel": "phone",
        "content": "显示器低温死机。", "dept": emp.dept_id, "filled_at": "2026-11-20",
        "filled_by": emp.id, "retention_class": "unspecified", "confidentiality": "internal",
        "responsible_depts-0-dept": dept("PZ").id, "responsible_depts-0-requirement": "分析原因",
        "responsible_depts-1-dept": dept("KF").id})
    assert r.status_code == 302
    row = CustomerFeedbackInfo.get()
    assert sorted(d.dept.abbr for d in row.responsible_depts) == ["KF", "PZ"]


# ===========================================================================
# F-27 售后不良信息确认表
# ===========================================================================

def dispatched_feedback(api, customer):
    row = created(feedback(api, customer))
    run(api, "sales", "customer_feedback_info", row["id"], "classify", category="quality", level="A")
    route(row["id"], "PZ")
    run(api, "sales", "customer_feedback_info", row["id"], "dispatch")
    return row


def test_a_defect_conclusion_needs_the_handling_result(api, customer, db_ctx):
    fb = dispatched_feedback(api, customer)
    base = dict(feedback=fb["id"], product="SCS-100 电子汽车衡", problem="秤台焊缝开裂")
    errs = errors(post(api, "quality", "after_sales_defect_confirmation", confirmation="confirmed", **base))
    assert "处理结果" in errs["handling_result"]
    row = created(post(api, "quality", "after_sales_defect_confirmation", confirmation="confirmed",
                       handling_result="更换秤台，纳入纠正预防措施。", **base))
    assert row["customer"] == customer.id and row["recorded_by"] == emp_id("quality")
    created(post(api, "quality", "after_sales_defect_confirmation", **base))      # 待确认


def test_a_defect_record_names_its_customer(api, db_ctx):
    errs = errors(post(api, "quality", "after_sales_defect_confirmation", problem="传感器漂移"))
    assert "客户" in errs["customer"]


def test_the_defect_record_and_its_feedback_name_the_same_customer(api, make, customer, db_ctx):
    from portal.services import InputError
    fb = dispatched_feedback(api, customer)
    other = make("customer", name="宝鸡市交通运输局")
    with pytest.raises(InputError) as exc:
        make("after_sales_defect_confirmation", actor="quality", feedback=fb["id"], customer=other,
             problem="秤台焊缝开裂")
    assert "不一致" in exc.value.errors["customer"]


def test_defect_confirmations_are_kept_by_the_quality_department(api, customer):
    fb = dispatched_feedback(api, customer)
    assert post(api, "sales", "after_sales_defect_confirmation", feedback=fb["id"],
                problem="秤台焊缝开裂").status_code == 403


# ===========================================================================
# F-28 客户信息变更
# ===========================================================================

def change(api, customer, **values):
    data = dict(customer=customer.id, change_type="contract_delivery",
                description="合同数量由 3 台增加到 5 台，交货期提前两周。")
    data.update(values)
    return post(api, "sales", "customer_change_request", **data)


def test_a_delivery_change_needs_the_contract_review_first(api, customer):
    assert "合同评审" in errors(change(api, customer))["contract_review"]
    created(change(api, customer, contract_review="can_meet"))


def test_an_unmeetable_change_is_explained_to_the_customer(api, customer):
    errs = errors(change(api, customer, contract_review="cannot_meet"))
    assert "解释" in errs["customer_explanation"]
    created(change(api, customer, contract_review="cannot_meet",
                   customer_explanation="产能已排满，约定分批发货。"))


def test_a_technical_change_is_reconfirmed_by_the_technical_department(api, customer, db_ctx):
    from models import Employee
    errs = errors(change(api, customer, change_type="tech", agreement_reached_at="2026-11-20"))
    assert "技术部" in errs["tech_reconfirmed_by"]
    created(change(api, customer, change_type="tech", agreement_reached_at="2026-11-20",
                   tech_reconfirmed_by=Employee.get(Employee.name == "孙浩").id))


# ===========================================================================
# F-29 用户意见反馈表
# ===========================================================================

def test_every_service_is_followed_up_by_phone_then_filed(api, frozen):
    row = created(post(api, "service", "service_feedback", service_ref="FW-2611-001",
                       customer_unit="宝鸡市交通运输局", customer_address="宝鸡市宝光路1号",
                       customer_phone="0917-3210000", opinion="维修及时，满意。"))
    pk = row["id"]
    assert run(api, "service", "service_feedback", pk, "file").status_code == 409
    assert run(api, "sales", "service_feedback", pk, "follow_up", result="满意").status_code in (403, 404)
    assert "result" in errors(run(api, "service", "service_feedback", pk, "follow_up"))
    r = run(api, "service", "service_feedback", pk, "follow_up", result="设备运行正常，客户满意。")
    data = r.get_json()
    assert data["phone_followup_by"] == emp_id("service") and data["phone_followup_at"] == "2026-11-20 10:00:00"
    r = run(api, "service", "service_feedback", pk, "file")
    assert r.get_json()["state"] == "filed" and r.get_json()["custodian"] == emp_id("service")


def test_service_feedback_needs_the_customer_contact_items(api):
    errs = errors(post(api, "service", "service_feedback", service_ref="FW-1", customer_unit="某单位",
                       opinion="满意"))
    assert set(errs) >= {"customer_address", "customer_phone"}


# ===========================================================================
# F-31 顾客满意度调查计划 and F-30 用户满意度调查表
# ===========================================================================

def plan(api, customer, who="regional", year=2027, customers=True):
    from models import SatisfactionSurveyPlanCustomer
    row = created(post(api, who, "satisfaction_survey_plan", title=f"{year}年度顾客满意度调查计划",
                       year=year, method="电话访问结合上门走访", schedule="按季度分批实施"))
    if customers:
        SatisfactionSurveyPlanCustomer.create(plan=row["id"], customer=customer.id, planned_month=3)
    return row


def test_the_plan_is_for_this_year_or_the_next(api, frozen, db_ctx):
    errs = errors(post(api, "regional", "satisfaction_survey_plan", title="计划", year=2025,
                       method="电话", schedule="全年"))
    assert "2026" in errs["year"] and "2027" in errs["year"]


def test_the_plan_is_due_before_the_end_of_december(api, customer, frozen, db_ctx):
    from models import SlaRule
    # 004 §5.2: the plan for a year is made before the end of the previous December
    assert plan(api, customer)["due_at"] == "2027-01-01 00:00:00"
    assert plan(api, customer, year=2026)["due_at"] == "2026-01-01 00:00:00"
    SlaRule.update(value=0).where(SlaRule.key == "satisfaction_plan").execute()
    assert plan(api, customer, year=2026)["due_at"] == "2025-12-01 00:00:00"    # the figure is configuration


def test_sealed_plan_needs_the_business_head_then_the_general_manager(api, customer, frozen, db_ctx):
    row = plan(api, customer)
    pk = row["id"]
    assert run(api, "salesmgr", "satisfaction_survey_plan", pk, "approve").status_code == 409
    r = run(api, "regional", "satisfaction_survey_plan", pk, "submit")
    assert r.status_code == 200 and r.get_json()["approver_role"] == "sales_manager"
    # the general manager approves only after the head of 业务部
    assert run(api, "gm", "satisfaction_survey_plan", pk, "approve").status_code == 403
    r = run(api, "salesmgr", "satisfaction_survey_plan", pk, "approve")
    assert r.get_json()["approver_role"] == "general_manager"
    assert r.get_json()["approved_by_dept_head"] == emp_id("salesmgr")
    r = run(api, "gm", "satisfaction_survey_plan", pk, "approve")
    data = r.get_json()
    assert data["state"] == "approved" and data["approved_by_gm"] == emp_id("gm")
    assert data["approved_by_dept_head"] == emp_id("salesmgr")
    assert run(api, "regional", "satisfaction_survey_plan", pk, "execute").get_json()["state"] == "executed"


def test_nobody_approves_his_own_survey_plan(api, customer, frozen):
    row = plan(api, customer, who="salesmgr")
    run(api, "salesmgr", "satisfaction_survey_plan", row["id"], "submit")
    r = run(api, "salesmgr", "satisfaction_survey_plan", row["id"], "approve")
    assert r.status_code == 403 and "自己" in r.get_json()["error"]


def test_a_rejected_plan_states_why(api, customer, frozen):
    row = plan(api, customer)
    run(api, "regional", "satisfaction_survey_plan", row["id"], "submit")
    assert "reason" in errors(run(api, "salesmgr", "satisfaction_survey_plan", row["id"], "reject"))
    assert run(api, "hr", "satisfaction_survey_plan", row["id"], "reject",
               reason="x").status_code in (403, 404)


def test_a_plan_lists_its_customers_before_submission(api, customer, frozen):
    row = plan(api, customer, customers=False)
    errs = errors(run(api, "regional", "satisfaction_survey_plan", row["id"], "submit"))
    assert "客户" in errs["customers"]
    assert state("satisfaction_survey_plan", row["id"]) == "draft"


def survey(api, customer, **values):
    data = dict(customer=customer.id, customer_name="王建华", time="2026-11-18",
                product_usage="日均称重 400 车次。", after_sales="响应及时。", overall_operation="运行稳定",
                customer_evaluation="满意")
    data.update(values)
    return post(api, "sales", "satisfaction_survey", **data)


def test_a_survey_records_the_form_items(api, customer):
    errs = errors(survey(api, customer, product_usage="", customer_evaluation=""))
    assert set(errs) == {"product_usage", "customer_evaluation"}
    row = created(survey(api, customer))
    assert row["customer_unit"] == "陕西省高速公路管理局" and row["surveyor"] == emp_id("sales")


def test_a_survey_follows_an_approved_plan_of_its_year(api, customer, frozen):
    draft = plan(api, customer, year=2026)
    assert "核准" in errors(survey(api, customer, plan=draft["id"]))["plan"]
    run(api, "regional", "satisfaction_survey_plan", draft["id"], "submit")
    run(api, "salesmgr", "satisfaction_survey_plan", draft["id"], "approve")
    run(api, "gm", "satisfaction_survey_plan", draft["id"], "approve")
    assert "年度" in errors(survey(api, customer, plan=draft["id"], time="2025-12-30"))["time"]
    created(survey(api, customer, plan=draft["id"]))


# ===========================================================================
# F-32 客户意见调查卡
# ===========================================================================

def card(api, customer, who="clerk", **values):
    data = dict(repair_request="JX-261119-01", customer=customer.id, salesperson=emp_id("sales"),
                rating_attitude="very_satisfied", rating_skill="satisfied", rating_arrival="fair",
                rating_promises="unsatisfied")
    data.update(values)
    return post(api, who, "opinion_survey_card", **data)


def test_the_four_ratings_give_the_salesperson_score(api, customer):
    row = created(card(api, customer))
    assert row["score"] == 4 + 3 + 2 + 1
    assert "rating_skill" in errors(card(api, customer, rating_skill=None))


def test_a_remark_is_judged_major_or_ordinary(api, customer):
    assert "情节" in errors(card(api, customer, suggestion_or_complaint="到达迟了两小时。"))["severity"]
    assert "suggestion_or_complaint" in errors(card(api, customer, severity="ordinary"))


def test_a_major_complaint_goes_to_the_sales_manager_and_is_answered_by_letter(api, customer, frozen):
    row = created(card(api, customer, suggestion_or_complaint="同一故障修后复发。", severity="major",
                       handling="安排复修", visited_by=emp_id("regional")))
    pk = row["id"]
    errs = errors(run(api, "clerk", "opinion_survey_card", pk, "notify", notified_customer_by="phone"))
    assert "销售经理" in errs["severity"] and "函告" in errs["notified_customer_by"]
    assert run(api, "clerk", "opinion_survey_card", pk, "escalate").status_code == 200
    assert run(api, "clerk", "opinion_survey_card", pk, "notify",
               notified_customer_by="letter").status_code == 409
    assert run(api, "clerk", "opinion_survey_card", pk, "review",
               handling="同意").status_code == 403
    assert "handling" in errors(run(api, "salesmgr", "opinion_survey_card", pk, "review"))
    r = run(api, "salesmgr", "opinion_survey_card", pk, "review", handling="优先处理，函告客户。")
    assert r.get_json()["responsible_signer"] == emp_id("salesmgr")
    r = run(api, "clerk", "opinion_survey_card", pk, "notify", notified_customer_by="letter")
    assert r.get_json()["state"] == "notified" and r.get_json()["notified_at"] == "2026-11-20 10:00:00"


def test_every_complaining_customer_is_visited(api, customer):
    row = created(card(api, customer, suggestion_or_complaint="建议提供夜间服务。", severity="ordinary",
                       handling="已解释"))
    errs = errors(run(api, "clerk", "opinion_survey_card", row["id"], "notify", notified_customer_by="phone"))
    assert "走访" in errs["visited_by"]


def test_an_ordinary_remark_needs_no_escalation(api, customer):
    row = created(card(api, customer, suggestion_or_complaint="建议提供夜间服务。", severity="ordinary",
                       visited_by=emp_id("regional")))
    assert "重大" in errors(run(api, "clerk", "opinion_survey_card", row["id"], "escalate"))["severity"]
    errs = errors(run(api, "clerk", "opinion_survey_card", row["id"], "notify", notified_customer_by="phone"))
    assert "处理情况" in errs["handling"]


# ===========================================================================
# F-33 顾客意见簿
# ===========================================================================

def book(api, who="sales", **values):
    data = dict(store="西安专卖店", date="2026-11-19", customer_name="李先生", content="等候时间过长。")
    data.update(values)
    return post(api, who, "opinion_book_entry", **data)


def test_an_entry_names_the_customer(api):
    assert "顾客姓名" in errors(book(api, customer_name=""))["customer_name"]


def test_complaints_in_the_book_are_registered_without_concealment(api, make, customer):
    row = created(book(api, is_complaint=True))
    errs = errors(run(api, "salesmgr", "opinion_book_entry", row["id"], "inspect"))
    assert "瞒报" in errs["recorded_complaint"]
    assert run(api, "sales", "opinion_book_entry", row["id"], "inspect").status_code == 403
    case = make_complaint(make, customer)
    ok = created(book(api, customer=customer.id, is_complaint=True, recorded_complaint=case.id))
    r = run(api, "salesmgr", "opinion_book_entry", ok["id"], "inspect", check_opinion="已登记")
    assert r.status_code == 200 and r.get_json()["checked_by"] == emp_id("salesmgr")
    assert run(api, "salesmgr", "opinion_book_entry", ok["id"], "inspect").status_code == 409


def test_the_recorded_complaint_is_the_same_customers(api, make, customer):
    other = make("customer", name="宝鸡市交通运输局")
    case = make_complaint(make, other)
    errs = errors(book(api, customer=customer.id, is_complaint=True, recorded_complaint=case.id))
    assert "不一致" in errs["recorded_complaint"]
    assert "属投诉" in errors(book(api, customer=other.id, recorded_complaint=case.id))["is_complaint"]


# ===========================================================================
# F-34 报价记录 / F-35 会议记录
# ===========================================================================

def test_a_quotation_has_a_positive_amount_and_its_basis(api, customer):
    base = dict(customer=customer.id, date="2026-11-19", items="SCS-100 电子汽车衡 2 台",
                basis="客户询价函 XJ-001")
    assert "大于零" in errors(post(api, "sales", "quotation_record", amount="0", **base))["amount"]
    assert "basis" in errors(post(api, "sales", "quotation_record", amount="1", **dict(base, basis="")))
    row = created(post(api, "sales", "quotation_record", amount="336000", **base))
    assert row["quoted_by"] == emp_id("sales")


def test_a_customer_meeting_names_the_customer(api, customer):
    base = dict(meeting_type="customer", subject="设备验收问题沟通", held_at="2026-11-19 14:00:00",
                participants="陈明、吴刚", minutes="承诺两周内提交整改报告。")
    assert "顾客会议" in errors(post(api, "salesmgr", "meeting", **base))["customer"]
    created(post(api, "salesmgr", "meeting", customer=customer.id, **base))


def test_meeting_commitments_are_child_rows(portal, db_ctx):
    from models import Meeting
    emp = user("salesmgr").employee
    r = portal("salesmgr").post("/meeting/new/", data={
        "meeting_type": "production", "subject": "生产会议", "held_at": "2026-11-19 14:00",
        "participants": "陈明、吴刚", "minutes": "通报顾客反馈。", "dept": emp.dept_id,
        "filled_at": "2026-11-19", "filled_by": emp.id, "retention_class": "three_years",
        "confidentiality": "internal",
        "commitments-0-commitment": "两周内提交整改报告", "commitments-0-owner": emp_id("quality"),
        "commitments-0-due": "2026-12-03"})
    assert r.status_code == 302
    assert [c.commitment for c in Meeting.get().commitments] == ["两周内提交整改报告"]


# ===========================================================================
# F-37 投诉调查报告
# ===========================================================================

REPORT = dict(method="goods", cause="传感器来料密封不良", course="次日现场复核确认",
              responsible="装配班组", conclusion="投诉属实", countermeasure="更换传感器并复检同批次",
              prevention="增加来料密封性抽检")


def report(api, case, who="sales", **values):
    data = dict(REPORT, complaint=case.id, receiving_unit=dept("XS1").id, investigated_at="2026-11-18")
    data.update(values)
    return post(api, who, "complaint_investigation_report", **data)


def test_the_report_states_cause_course_responsible_conclusion_countermeasure_prevention(
        api, make, customer, db_ctx):
    from models import ComplaintInvestigationReport
    case = make_complaint(make, customer)
    errs = errors(report(api, case, cause="", prevention=""))
    assert set(errs) == {"cause", "prevention"}
    row = created(report(api, case))
    assert row["due_at"] == "2026-11-21 00:00:00"      # three days after the investigation
    copies = ComplaintInvestigationReport.get_by_id(row["id"]).copies
    assert [c.copy_name for c in copies] == ["存根", "报告", "答复", "审核"]


def test_report_contents_cannot_be_struck_through_for_submission(api, make, customer):
    case = make_complaint(make, customer)
    row = created(report(api, case, responsible="", na_fields=["responsible"]))
    errs = errors(run(api, "salesmgr", "complaint_investigation_report", row["id"], "submit"))
    assert "第十七条" in errs["responsible"]


def test_the_report_is_reviewed_by_the_unit_head_then_the_quality_department(api, make, customer, db_ctx):
    case = make_complaint(make, customer)
    pk = created(report(api, case))["id"]
    assert run(api, "quality", "complaint_investigation_report", pk, "review").status_code == 409
    # the investigator does not approve his own report: his superior submits it
    assert run(api, "sales", "complaint_investigation_report", pk, "submit").status_code == 403
    r = run(api, "salesmgr", "complaint_investigation_report", pk, "submit")
    assert r.get_json()["unit_supervisor_reviewed_by"] == emp_id("salesmgr")
    assert run(api, "salesmgr", "complaint_investigation_report", pk, "review").status_code == 403
    assert "reason" in errors(run(api, "quality", "complaint_investigation_report", pk, "send_back"))
    r = run(api, "quality", "complaint_investigation_report", pk, "review")
    data = r.get_json()
    assert data["state"] == "reviewed" and data["quality_reviewed_by"] == emp_id("quality")
    assert "gm_comment" in errors(run(api, "gm", "complaint_investigation_report", pk, "endorse"))
    r = run(api, "gm", "complaint_investigation_report", pk, "endorse", gm_comment="同意")
    assert r.get_json()["state"] == "commented"


def test_the_quality_department_does_not_review_its_own_report(api, make, customer):
    case = make_complaint(make, customer, receiving_unit=dept("PZ"))
    pk = created(report(api, case, who="quality", receiving_unit=dept("PZ").id))["id"]
    assert run(api, "quality", "complaint_investigation_report", pk, "submit").status_code == 200
    r = run(api, "quality", "complaint_investigation_report", pk, "review")
    assert r.status_code == 403 and "自己" in r.get_json()["error"]
    assert run(api, "reception", "complaint_investigation_report", pk, "review").status_code == 200


# ===========================================================================
# F-38 顾客投诉处理表
# ===========================================================================

def handling_form(api, case, who="sales", **values):
    data = dict(complaint=case.id, cause_analysis="批次质量问题叠加安装不规范", responsible_dept=dept("PZ").id,
                countermeasure="更换受损部件", agreed_solution="免费更换并延长保修半年")
    data.update(values)
    return post(api, who, "complaint_handling_form", **data)


def test_the_handling_form_gets_the_deputy_general_managers_instruction(api, make, customer, db_ctx):
    from models import ComplaintHandlingForm
    make_deputy()
    case = make_complaint(make, customer)
    assert "agreed_solution" in errors(handling_form(api, case, agreed_solution=""))
    row = created(handling_form(api, case))
    pk = row["id"]
    assert [c.copy_name for c in ComplaintHandlingForm.get_by_id(pk).copies] == ["市场部留存", "销售分公司留存"]
    assert run(api, "deputy", "complaint_handling_form", pk, "approve").status_code == 409
    r = run(api, "sales", "complaint_handling_form", pk, "submit")
    assert r.get_json()["approver_role"] == "deputy_gm"
    # the general manager is not the 主管副总经理 of this step
    assert run(api, "gm", "complaint_handling_form", pk, "approve").status_code == 403
    r = run(api, "deputy", "complaint_handling_form", pk, "approve", comment="同意")
    data = r.get_json()
    assert data["state"] == "approved" and data["approved_by"] == user("deputy").employee_id
    assert run(api, "sales", "complaint_handling_form", pk, "execute").get_json()["state"] == "executed"


def test_a_rejected_complaint_gets_no_handling_form(api, make, customer):
    case = make_complaint(make, customer, accepted="not_accepted")
    assert "不受理" in errors(handling_form(api, case))["complaint"]


def test_the_deputy_cannot_approve_his_own_handling_form(api, make, customer, db_ctx):
    from portal.accounts import set_roles
    deputy = make_deputy()
    set_roles(deputy, ("deputy_gm", "sales_manager"))
    case = make_complaint(make, customer, actor="deputy")
    pk = created(handling_form(api, case, who="deputy"))["id"]
    run(api, "deputy", "complaint_handling_form", pk, "submit")
    r = run(api, "deputy", "complaint_handling_form", pk, "approve")
    assert r.status_code == 403 and "自己" in r.get_json()["error"]


# ===========================================================================
# F-39 投诉统计表
# ===========================================================================

def test_statistics_count_the_complaints_of_the_period(api, make, customer, frozen, db_ctx):
    import json
    make_complaint(make, customer, received_at=datetime(2026, 10, 3, 9), cause_class="quality",
                   resolution_mode="allowance", responsible_dept=dept("PZ"),
                   closed_at=datetime(2026, 10, 12, 9))
    make_complaint(make, customer, received_at=datetime(2026, 10, 20, 9), type="consultation")
    make_complaint(make, customer, received_at=datetime(2026, 9, 30, 9))       # another month
    row = created(post(api, "clerk", "complaint_statistics", period_type="monthly", period="2026-10"))
    assert row["total_count"] == 2
    assert json.loads(row["count_by_type"]) == {"投诉": 1, "咨询": 1}
    assert json.loads(row["count_by_cause"]) == {"质量异常(品质异常)": 1, "未分类": 1}
    assert json.loads(row["count_by_dept"]) == {"品质部": 1, "未认定": 1}
    assert json.loads(row["count_by_result"]) == {"折让、赔款": 1, "尚未核决": 1}
    assert row["closed_cases"].startswith("2610-")
    assert row["due_at"] == "2026-11-05 23:59:59"          # by the 5th of the next month
    assert row["prepared_by"] == emp_id("clerk")


def test_the_statistics_period_is_written_as_the_rule_says(api):
    assert "YYYY-MM" in errors(post(api, "clerk", "complaint_statistics", period_type="monthly",
                                    period="2026年10月"))["period"]
    assert "H1" in errors(post(api, "clerk", "complaint_statistics", period_type="half_year",
                               period="2026-10"))["period"]
    created(post(api, "clerk", "complaint_statistics", period_type="half_year", period="2026-H2"))


def test_one_statistics_table_per_period(api):
    created(post(api, "clerk", "complaint_statistics", period_type="monthly", period="2026-10"))
    assert "已存在" in errors(post(api, "clerk", "complaint_statistics", period_type="monthly",
                                   period="2026-10"))["period"]


def test_statistics_are_reviewed_by_the_sales_manager(api, frozen):
    pk = created(post(api, "clerk", "complaint_statistics", period_type="monthly", period="2026-10"))["id"]
    assert run(api, "salesmgr", "complaint_statistics", pk, "review").status_code == 409
    assert run(api, "sales", "complaint_statistics", pk, "submit").status_code in (403, 404)
    assert run(api, "clerk", "complaint_statistics", pk, "submit").status_code == 200
    assert run(api, "quality", "complaint_statistics", pk, "review").status_code in (403, 404)
    assert "reason" in errors(run(api, "salesmgr", "complaint_statistics", pk, "send_back"))
    r = run(api, "salesmgr", "complaint_statistics", pk, "review")
    data = r.get_json()
    assert data["state"] == "reviewed" and data["reviewed_by"] == emp_id("salesmgr")
    assert data["responsible_signer"] == emp_id("salesmgr")


def test_the_sales_manager_does_not_review_his_own_statistics(api):
    pk = created(post(api, "salesmgr", "complaint_statistics", period_type="monthly", period="2026-09"))["id"]
    run(api, "salesmgr", "complaint_statistics", pk, "submit")
    r = run(api, "salesmgr", "complaint_statistics", pk, "review")
    assert r.status_code == 403 and "自己" in r.get_json()["error"]


# ===========================================================================
# F-40 异常处理单 / F-41 产品质量缺陷报告单
# ===========================================================================

def test_an_abnormality_with_a_loss_is_handled_as_a_complaint(api, make, customer):
    base = dict(customer=customer.id, abnormality="读数偶尔跳动", improvement_requested="查明原因")
    assert "客诉" in errors(post(api, "sales", "abnormality_notice", caused_loss=True, **base))["complaint"]
    case = make_complaint(make, customer)
    created(post(api, "sales", "abnormality_notice", caused_loss=True, complaint=case.id, **base))


def test_an_abnormality_notice_goes_to_the_units_concerned(api, customer, db_ctx):
    from models import AbnormalityNoticeUnit
    row = created(post(api, "sales", "abnormality_notice", customer=customer.id, abnormality="限位间隙偏小",
                       improvement_requested="下批改善"))
    pk = row["id"]
    assert run(api, "quality", "abnormality_notice", pk, "record_improvement", result="x").status_code == 409
    assert "单位" in errors(run(api, "sales", "abnormality_notice", pk, "issue"))["units_notified"]
    AbnormalityNoticeUnit.create(notice=pk, dept=dept("PZ"))
    assert run(api, "sales", "abnormality_notice", pk, "issue").status_code == 200
    assert "result" in errors(run(api, "quality", "abnormality_notice", pk, "record_improvement"))
    r = run(api, "quality", "abnormality_notice", pk, "record_improvement", result="已调整检验项目")
    assert r.get_json()["state"] == "improved"
    assert run(api, "hr", "abnormality_notice", pk, "issue").status_code == 403


def test_a_defect_report_has_exactly_one_source(api, make, customer, frozen):
    case = make_complaint(make, customer)
    log = created(contact(api, customer, kind="feedback"))
    base = dict(product_model="XK3190", defect="低温死机", sent_to="rnd")
    assert "来源" in errors(post(api, "sales", "quality_defect_report", **base))["complaint"]
    errs = errors(post(api, "sales", "quality_defect_report", complaint=case.id, contact_log=log["id"], **base))
    assert "其一" in errs["contact_log"]
    row = created(post(api, "sales", "quality_defect_report", contact_log=log["id"], **base))
    assert row["customer"] == customer.id
    row = created(post(api, "sales", "quality_defect_report", complaint=case.id, **base))
    assert row["customer"] == customer.id and row["retention_class"] == "product_lifetime"


def test_the_receiving_department_closes_the_defect_report(api, make, customer, frozen):
    case = make_complaint(make, customer)
    pk = created(post(api, "sales", "quality_defect_report", complaint=case.id, product_model="XK3190",
                      defect="低温死机", sent_to="rnd"))["id"]
    assert run(api, "quality", "quality_defect_report", pk, "close", result="已改").status_code == 409
    assert run(api, "sales", "quality_defect_report", pk, "send").status_code == 200
    assert run(api, "sales", "quality_defect_report", pk, "close", result="已改").status_code == 403
    assert "result" in errors(run(api, "quality", "quality_defect_report", pk, "close"))
    r = run(api, "quality", "quality_defect_report", pk, "close", result="已修改设计")
    assert r.get_json()["closed_at"] == "2026-11-20 10:00:00"


# ===========================================================================
# F-42 签呈 / F-43 奖罚通知单 / F-44 人事公布单
# ===========================================================================

def test_an_objection_is_decided_by_the_general_manager(api, make, customer, frozen):
    case = make_complaint(make, customer, receiving_unit=dept("PZ"))
    pk = created(post(api, "quality", "complaint_petition", complaint=case.id,
                      objection="责任比率认定过高"))["id"]
    assert run(api, "gm", "complaint_petition", pk, "decide", outcome="upheld",
               decision="维持").status_code == 409
    assert run(api, "sales", "complaint_petition", pk, "submit").status_code in (403, 404)
    r = run(api, "quality", "complaint_petition", pk, "submit")
    assert r.get_json()["submitted_at"] == "2026-11-20 10:00:00"
    assert run(api, "salesmgr", "complaint_petition", pk, "decide", outcome="upheld",
               decision="维持").status_code in (403, 404)
    errs = errors(run(api, "gm", "complaint_petition", pk, "decide"))
    assert {"outcome", "decision"} <= set(errs)
    r = run(api, "gm", "complaint_petition", pk, "decide", outcome="revised", decision="责任比率调整为30%")
    data = r.get_json()
    assert data["state"] == "decided" and data["decided_by"] == emp_id("gm")


def notice(api, who="reception", **values):
    data = dict(direction="penalty", unit=dept("PZ").id, cause_item="客诉属质量异常",
                bonus_penalty_amount="300")
    data.update(values)
    return post(api, who, "reward_penalty_notice", **data)


def test_a_notice_names_the_unit_or_person_and_a_positive_amount(api):
    assert "责任单位" in errors(notice(api, unit=None))["unit"]
    assert "大于零" in errors(notice(api, bonus_penalty_amount="0"))["bonus_penalty_amount"]
    created(notice(api, unit=None, person=emp_id("sales2")))


def test_the_notice_is_approved_by_the_general_manager_and_copied_three_times(api, make, customer, db_ctx):
    from models import RewardPenaltyComplaint, RewardPenaltyNotice
    pk = created(notice(api))["id"]
    assert [c.copy_name for c in RewardPenaltyNotice.get_by_id(pk).copies] == ["自存", "会计单位查核", "处罚部门"]
    assert run(api, "gm", "reward_penalty_notice", pk, "approve").status_code == 409
    assert "客诉" in errors(run(api, "reception", "reward_penalty_notice", pk, "submit"))["complaints"]
    RewardPenaltyComplaint.create(notice=pk, complaint=make_complaint(make, customer))
    r = run(api, "reception", "reward_penalty_notice", pk, "submit")
    assert r.get_json()["approver_role"] == "general_manager"
    assert run(api, "hr", "reward_penalty_notice", pk, "approve").status_code == 403
    r = run(api, "gm", "reward_penalty_notice", pk, "approve")
    assert r.get_json()["state"] == "approved" and r.get_json()["approved_by"] == emp_id("gm")
    assert run(api, "hr", "reward_penalty_notice", pk, "execute").get_json()["state"] == "executed"


def test_the_general_manager_does_not_approve_a_notice_he_filed(api, make, customer, db_ctx):
    from models import RewardPenaltyComplaint
    from portal.accounts import set_roles
    set_roles(user("gm"), ("general_manager", "admin_dept"))
    pk = created(notice(api, who="gm"))["id"]
    RewardPenaltyComplaint.create(notice=pk, complaint=make_complaint(make, customer))
    run(api, "gm", "reward_penalty_notice", pk, "submit")
    r = run(api, "gm", "reward_penalty_notice", pk, "approve")
    assert r.status_code == 403 and "自己" in r.get_json()["error"]


def test_a_sanction_is_approved_by_the_general_manager_then_published(api, frozen):
    pk = created(post(api, "hr", "personnel_announcement", person=emp_id("sales2"),
                      sanction="警告处分一次"))["id"]
    assert run(api, "gm", "personnel_announcement", pk, "approve").status_code == 409
    assert run(api, "hr", "personnel_announcement", pk, "submit").status_code == 200
    assert run(api, "hr", "personnel_announcement", pk, "approve").status_code == 403
    assert "reason" in errors(run(api, "gm", "personnel_announcement", pk, "reject"))
    r = run(api, "gm", "personnel_announcement", pk, "approve")
    assert r.get_json()["approved_by"] == emp_id("gm")
    assert "publisher" in errors(run(api, "hr", "personnel_announcement", pk, "publish"))
    r = run(api, "hr", "personnel_announcement", pk, "publish", publisher="hr")
    data = r.get_json()
    assert data["state"] == "published" and data["published_at"] == "2026-11-20 10:00:00"


# ===========================================================================
# Pages: every list / new / details page answers 200, or 403 without access
# ===========================================================================

SECTION_B = ("customer_contact_log", "customer_feedback_info", "after_sales_defect_confirmation",
             "customer_change_request", "service_feedback", "satisfaction_survey",
             "satisfaction_survey_plan", "opinion_survey_card", "opinion_book_entry", "quotation_record",
             "meeting", "complaint_investigation_report", "complaint_handling_form",
             "complaint_statistics", "abnormality_notice", "quality_defect_report", "complaint_petition",
             "reward_penalty_notice", "personnel_announcement")
USERS = ("admin", "clerk", "sales", "salesmgr", "gm", "quality", "service", "reception", "hr")


def test_section_registers_are_in_their_menu_groups():
    from portal import registry
    groups = {name: registry.get(name).group for name in SECTION_B}
    assert {groups[n] for n in SECTION_B[:11]} == {"service"}
    assert {groups[n] for n in SECTION_B[11:]} == {"complaints"}


def test_every_page_answers_200_or_403(portal, api, make, customer, frozen, db_ctx):
    case = make_complaint(make, customer, receiving_unit=dept("PZ"))
    ids = {
        "customer_contact_log": created(contact(api, customer))["id"],
        "customer_feedback_info": created(feedback(api, customer))["id"],
        "customer_change_request": created(change(api, customer, contract_review="can_meet"))["id"],
        "satisfaction_survey": created(survey(api, customer))["id"],
        "satisfaction_survey_plan": plan(api, customer)["id"],
        "opinion_survey_card": created(card(api, customer))["id"],
        "opinion_book_entry": created(book(api))["id"],
        "quotation_record": created(post(api, "sales", "quotation_record", customer=customer.id,
                                         items="x", amount="1", basis="b"))["id"],
        "meeting": created(post(api, "clerk", "meeting", subject="周会", participants="a",
                                minutes="b"))["id"],
        "complaint_investigation_report": created(report(api, case))["id"],
        "complaint_handling_form": created(handling_form(api, case))["id"],
        "complaint_statistics": created(post(api, "clerk", "complaint_statistics", period="2026-10"))["id"],
        "abnormality_notice": created(post(api, "sales", "abnormality_notice", customer=customer.id,
                                           abnormality="x", improvement_requested="y"))["id"],
        "quality_defect_report": created(post(api, "sales", "quality_defect_report", complaint=case.id,
                                              product_model="x", defect="y"))["id"],
        "complaint_petition": created(post(api, "quality", "complaint_petition", complaint=case.id,
                                           objection="x"))["id"],
        "reward_penalty_notice": created(notice(api))["id"],
        "personnel_announcement": created(post(api, "hr", "personnel_announcement",
                                               person=emp_id("sales2"), sanction="x"))["id"],
    }
    fb = dispatched_feedback(api, customer)
    ids["after_sales_defect_confirmation"] = created(post(
        api, "quality", "after_sales_defect_confirmation", feedback=fb["id"], problem="x"))["id"]
    ids["service_feedback"] = created(post(api, "service", "service_feedback", service_ref="FW-1",
                                           customer_unit="u", customer_address="a", customer_phone="p",
                                           opinion="o"))["id"]
    assert set(ids) == set(SECTION_B)
    seen = {}
    for username in USERS:
        p = portal(username)
        for name in SECTION_B:
            for url in (f"/{name}/", f"/{name}/new/", f"/{name}/details/?id={ids[name]}"):
                code = p.get(url).status_code
                assert code in (200, 403, 404), (username, url, code)
                seen[(username, name, url.split("/")[2])] = code
    # the registers' own staff reach their pages
    assert seen[("sales", "customer_contact_log", "")] == 200
    assert seen[("quality", "complaint_investigation_report", "details")] == 200
    assert seen[("service", "service_feedback", "new")] == 200
    assert seen[("hr", "personnel_announcement", "details")] == 200
    assert seen[("hr", "customer_contact_log", "")] == 403
