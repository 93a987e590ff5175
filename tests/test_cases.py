"""Complaint cases (WF-01, R-CMP): deadlines, transitions and their guards,
escalation, sweep, close, reopen, authority limits."""
import threading
from datetime import date, datetime, timedelta

import pytest

from conftest import Api, user

MONDAY = datetime(2026, 11, 16, 10, 0)       # a Monday
FRIDAY = datetime(2026, 11, 20, 16, 0)


@pytest.fixture
def case(make, db_ctx):
    from models import Customer, Department
    cust = make("customer", name="宝鸡市交通运输局")

    def create(actor="clerk", **values):
        data = dict(customer=Customer.get_by_id(cust.id), title="动态汽车衡读数漂移",
                    content="过车时读数波动超过允许误差", type="complaint", cause_class="quality",
                    received_by=user(actor).employee, received_at=MONDAY, matter="读数漂移")
        data.update(values)
        return make("complaint", actor=actor, **data)
    return create


def get(row):
    return type(row).get_by_id(row.id)


# Deadlines ---------------------------------------------------------------------

@pytest.mark.parametrize("values,due", [
    ({"type": "consultation"}, MONDAY + timedelta(hours=24)),
    ({"feedback_level": "AA"}, MONDAY + timedelta(hours=24)),
    ({"feedback_level": "A"}, MONDAY + timedelta(hours=48)),
    ({"feedback_level": "B"}, MONDAY + timedelta(hours=72)),
    ({"cause_class": "quality", "market": "domestic"}, MONDAY + timedelta(days=15)),
    ({"cause_class": "quality", "market": "foreign"}, MONDAY + timedelta(days=20)),
    ({"cause_class": "non_quality"}, datetime(2026, 11, 19, 10, 0)),                  # 3 working days
    ({"cause_class": "non_quality", "is_special_case": True}, datetime(2026, 11, 25, 10, 0)),  # 7
    ({"cause_class": "non_quality", "received_at": FRIDAY}, datetime(2026, 11, 25, 16, 0)),   # weekend skipped
])
def test_deadline_from_the_rule_that_applies(case, values, due):
    assert case(**values).due_at == due


def test_holidays_and_working_weekends_count(case, make, db_ctx):
    from models import Holiday
    Holiday.create(record_no="JR-9001", day=date(2026, 11, 17), name="测试假日")
    Holiday.create(record_no="JR-9002", day=date(2026, 11, 21), name="调休上班", is_workday=True)
    row = case(cause_class="non_quality")
    # Tue is a holiday, Sat is a working day: Wed(1), Thu(2), Fri(3)
    assert row.due_at == datetime(2026, 11, 20, 10, 0)
    row = case(cause_class="non_quality", received_at=datetime(2026, 11, 19, 9, 0))
    # Fri(1), Sat(2, working), Mon(3)
    assert row.due_at == datetime(2026, 11, 23, 9, 0)


def test_suggestion_deadline_is_the_promised_date(case, api):
    row = case(type="suggestion", cause_class=None)
    r = api("clerk").post(f"/api/v1/complaint/{row.id}/report_to_leader",
                          json={"promised": "2026-11-30 17:00"})
    assert r.status_code == 200 and r.get_json()["due_at"] == "2026-11-30 17:00:00"


def test_time_left_and_overdue_in_the_list(portal, case):
    from portal import clock
    case(cause_class="non_quality")
    clock.set(MONDAY + timedelta(days=10))
    body = portal("clerk").get("/complaint/").get_data(as_text=True)
    assert "time-overdue" in body and "已逾期" in body
    from conftest import flt
    late = portal("clerk").get(f"/complaint/?{flt('complaint', 'due_at', nth=-1)}=1")
    assert "读数漂移" in late.get_data(as_text=True)
    assert "读数漂移" not in portal("clerk").get(
        f"/complaint/?{flt('complaint', 'due_at', nth=-1)}=0").get_data(as_text=True)


# Field rules ---------------------------------------------------------------------

def test_paid_service_needs_the_sales_supervisors_confirmation(api, case, db_ctx):
    row = case()
    c = api("clerk")
    r = c.patch(f"/api/v1/complaint/{row.id}", json={"version": 1, "service_charge": "paid"})
    assert r.status_code == 400 and "营销主管" in r.get_json()["errors"]["charge_confirmed_by"]
    r = c.patch(f"/api/v1/complaint/{row.id}", json={"version": 1, "service_charge": "paid",
                                                     "charge_confirmed_by": user("sales").employee_id})
    assert r.status_code == 400 and "主管" in r.get_json()["errors"]["charge_confirmed_by"]
    r = c.patch(f"/api/v1/complaint/{row.id}", json={"version": 1, "service_charge": "paid",
                                                     "charge_confirmed_by": user("regional").employee_id})
    assert r.status_code == 200


def test_complaint_numbers_are_year_month_serials(case):
    a, b = case(), case()
    assert a.record_no == "2611-01" and b.record_no == "2611-02"


# Transitions ---------------------------------------------------------------------

def walk_to_investigating(api, row, handler="regional"):
    # the receiver (the clerk)'s superior, the head of marketing, decides acceptance
    assert api("marketing").post(f"/api/v1/complaint/{row.id}/accept").status_code == 200
    from models import Department
    dept = Department.get(Department.abbr == "XS1")
    r = api("quality").post(f"/api/v1/complaint/{row.id}/assign",
                            json={"department": dept.id, "handler": user(handler).employee_id})
    assert r.status_code == 200, r.get_json()
    assert api(handler).post(f"/api/v1/complaint/{row.id}/investigate").status_code == 200


REPORT = {"cause": "秤台基础沉降", "course": "现场检测确认", "responsible_party": "安装班组",
          "conclusion": "质量异常成立", "countermeasure": "重新校准并加固基础", "prevention": "安装验收增加沉降检测"}


def walk_to_replied(api, row, amount="2000"):
    """Investigation, review, ruling and reply: the chain before a close."""
    walk_to_investigating(api, row)
    assert api("regional").post(f"/api/v1/complaint/{row.id}/submit_investigation",
                                json=REPORT).status_code == 200
    assert api("quality").post(f"/api/v1/complaint/{row.id}/review", json={"opinion": "属实"}).status_code == 200
    r = api("salesmgr").post(f"/api/v1/complaint/{row.id}/decide",
                             json={"resolution": "allowance", "amount": amount})
    assert r.status_code == 200, r.get_json()
    r = api("regional").post(f"/api/v1/complaint/{row.id}/reply",
                             json={"reply": "已书面答复", "handling_opinion": "免费维修并折让"})
    assert r.status_code == 200 and r.get_json()["state"] == "replied", r.get_json()


def test_main_path_accept_assign_investigate_review_decide_reply_close_archive(api, case):
    row = case()
    walk_to_investigating(api, row)
    r = api("regional").post(f"/api/v1/complaint/{row.id}/submit_investigation", json={"cause": "x"})
    assert r.status_code == 400 and "调查报告尚缺" in r.get_json()["error"]
    assert api("regional").post(f"/api/v1/complaint/{row.id}/submit_investigation", json=REPORT).status_code == 200
    assert api("quality").post(f"/api/v1/complaint/{row.id}/review", json={"opinion": "同意"}).status_code == 200
    r = api("salesmgr").post(f"/api/v1/complaint/{row.id}/decide", json={"resolution": "allowance", "amount": "2000"})
    assert r.status_code == 200 and r.get_json()["decision_tier"] == "sales_manager"
    r = api("regional").post(f"/api/v1/complaint/{row.id}/reply", json={"reply": "已重新校准"})
    assert r.status_code == 400 and "handling_opinion" in r.get_json()["errors"]
    r = api("regional").post(f"/api/v1/complaint/{row.id}/reply",
                             json={"reply": "已重新校准", "handling_opinion": "免费维修并折让2000元"})
    assert r.get_json()["state"] == "replied"
    r = api("salesmgr").post(f"/api/v1/complaint/{row.id}/close",
                             json={"customer_response": "客户满意", "customer_accepts": True})
    assert r.status_code == 200 and r.get_json()["state"] == "closed" and r.get_json()["closed_at"]
    assert api("clerk").post(f"/api/v1/complaint/{row.id}/archive").get_json()["state"] == "archived"


def test_a_case_under_investigation_cannot_be_closed_in_one_call(api, case):
    # R-CMP-17/31: review and ruling come before the reply, the reply before the close
    row = case(cause_class="non_quality")
    walk_to_investigating(api, row)
    body = dict(REPORT, reply="已向客户书面说明", customer_response="接受", customer_accepts=True)
    r = api("salesmgr").post(f"/api/v1/complaint/{row.id}/close", json=body)
    assert r.status_code == 409, r.get_json()
    data = api("salesmgr").get(f"/api/v1/complaint/{row.id}").get_json()
    assert data["state"] == "investigating" and data["cause"] is None


def test_a_complaint_is_not_answered_before_its_ruling(api, case):
    row = case(cause_class="non_quality")
    walk_to_investigating(api, row)
    r = api("regional").post(f"/api/v1/complaint/{row.id}/reply",
                             json={"reply": "已答复", "handling_opinion": "维修"})
    assert r.status_code == 409
    api("regional").post(f"/api/v1/complaint/{row.id}/submit_investigation", json=REPORT)
    api("quality").post(f"/api/v1/complaint/{row.id}/review", json={"opinion": "属实"})
    r = api("regional").post(f"/api/v1/complaint/{row.id}/reply",
                             json={"reply": "已答复", "handling_opinion": "维修"})
    assert r.status_code == 409 and api("regional").get(
        f"/api/v1/complaint/{row.id}").get_json()["state"] == "awaiting_ruling"


def test_close_lists_what_is_missing_and_changes_nothing(api, case):
    row = case(cause_class="non_quality")
    walk_to_replied(api, row)
    r = api("salesmgr").post(f"/api/v1/complaint/{row.id}/close", json={"customer_response": "再议"})
    assert r.status_code == 400
    assert "客户是否接受处理结果" in r.get_json()["error"]
    data = api("salesmgr").get(f"/api/v1/complaint/{row.id}").get_json()
    assert data["state"] == "replied" and data["complainant_opinion"] is None


def test_a_customer_response_left_out_of_the_form_is_not_taken_for_no(portal, case, db_ctx):
    """customer_accepts left out of a posted form stays unknown (not False),
    so the close guard sees that the customer's answer is missing."""
    row = case(cause_class="non_quality")
    p = portal("clerk")
    page = p.get(f"/complaint/edit/?id={row.id}").get_data(as_text=True)
    import re
    assert re.search(r'<select[^>]*name="customer_accepts"', page)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {"version": version, "title": "动态汽车衡读数漂移（补充）", "content": "过车时读数波动",
            "customer": str(row.customer_id), "received_by": str(row.received_by_id),
            "received_at": "2026-11-16 10:00:00", "type": "complaint", "channel": "phone",
            "market": "domestic", "dept": str(row.dept_id), "filled_at": "2026-11-16",
            "filled_by": str(row.filled_by_id)}
    r = p.post(f"/complaint/edit/?id={row.id}", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert get(row).title.endswith("（补充）") and get(row).customer_accepts is None


def test_only_the_handlers_department_head_or_above_closes(api, case):
    row = case(cause_class="non_quality")
    walk_to_replied(api, row)
    body = dict(customer_response="接受", customer_accepts=True)
    assert api("quality").post(f"/api/v1/complaint/{row.id}/close", json=body).status_code == 403
    assert api("regional").post(f"/api/v1/complaint/{row.id}/close", json=body).status_code == 403
    assert api("gm").post(f"/api/v1/complaint/{row.id}/close", json=body).status_code == 200


def test_amounts_above_authority_need_the_next_approver(api, case):
    row = case(cause_class="non_quality")
    walk_to_investigating(api, row)
    api("regional").post(f"/api/v1/complaint/{row.id}/submit_investigation", json=REPORT)
    api("quality").post(f"/api/v1/complaint/{row.id}/review")
    r = api("salesmgr").post(f"/api/v1/complaint/{row.id}/decide", json={"resolution": "allowance", "amount": "80000"})
    assert r.status_code == 403 and "总经理" in r.get_json()["error"]
    r = api("gm").post(f"/api/v1/complaint/{row.id}/decide", json={"resolution": "allowance", "amount": "80000"})
    assert r.status_code == 200 and r.get_json()["decision_tier"] == "general_manager"


def test_a_ruled_amount_is_frozen(api, case, db_ctx):
    row = case(cause_class="non_quality")
    walk_to_replied(api, row, amount="2000")
    version = api("salesmgr").get(f"/api/v1/complaint/{row.id}").get_json()["version"]
    r = api("salesmgr").patch(f"/api/v1/complaint/{row.id}", json={"version": version, "loss_amount": "30000"})
    assert r.status_code == 409 and "loss_amount" in r.get_json()["errors"]
    assert get(row).loss_amount == 2000


def test_closing_with_an_amount_above_authority_without_a_ruling_is_refused(api, case, db_ctx):
    from models import Complaint
    row = case(cause_class="non_quality")
    walk_to_replied(api, row)
    Complaint.update(loss_amount=30000, decision_tier=None).where(Complaint.id == row.id).execute()
    r = api("salesmgr").post(f"/api/v1/complaint/{row.id}/close",
                             json={"customer_response": "接受", "customer_accepts": True})
    assert r.status_code == 400 and "副总经理" in r.get_json()["error"]


def test_reject_needs_a_reason_and_is_terminal(api, case):
    row = case()
    assert api("marketing").post(f"/api/v1/complaint/{row.id}/reject", json={}).status_code == 400
    r = api("marketing").post(f"/api/v1/complaint/{row.id}/reject", json={"reason": "属客户自身操作问题"})
    assert r.get_json()["state"] == "not_accepted" and r.get_json()["accepted"] == "not_accepted"
    assert api("marketing").post(f"/api/v1/complaint/{row.id}/accept").status_code == 409


def test_acceptance_is_decided_by_the_receivers_superior(api, case):
    # R-CMP-13: 「呈报上级主管裁定」 -- not another supervisor, not the registrant
    row = case(actor="regional")                     # 王强, whose superior is 陈明 (销售经理)
    assert api("regional").post(f"/api/v1/complaint/{row.id}/accept").status_code == 403
    assert api("quality").post(f"/api/v1/complaint/{row.id}/accept").status_code == 403
    r = api("salesmgr").post(f"/api/v1/complaint/{row.id}/accept")
    assert r.status_code == 200 and r.get_json()["state"] == "accepted"


def test_sales_rep_cannot_accept_even_his_own_registration(api, case):
    row = case(actor="sales")
    assert api("sales").post(f"/api/v1/complaint/{row.id}/accept").status_code == 403


def test_consultation_takes_the_short_path(api, case):
    row = case(type="consultation", cause_class=None)
    assert api("marketing").post(f"/api/v1/complaint/{row.id}/accept").status_code == 400
    r = api("clerk").post(f"/api/v1/complaint/{row.id}/reply", json={"reply": "已电话解答操作方法"})
    assert r.status_code == 200 and r.get_json()["state"] == "replied"


def test_suggestion_goes_to_the_leaders_then_is_answered(api, case):
    row = case(type="suggestion", cause_class=None)
    api("clerk").post(f"/api/v1/complaint/{row.id}/report_to_leader", json={"promised": "2026-11-30 17:00"})
    assert api("clerk").post(f"/api/v1/complaint/{row.id}/instruct", json={"instruction": "x"}).status_code == 403
    r = api("marketing").post(f"/api/v1/complaint/{row.id}/instruct", json={"instruction": "采纳，下季度改进"})
    assert r.get_json()["state"] == "instructed"
    assert api("clerk").post(f"/api/v1/complaint/{row.id}/reply", json={"reply": "感谢建议"}).get_json()["state"] == "replied"


def test_reopen_creates_a_new_case_linked_to_the_old(api, case):
    row = case(cause_class="non_quality")
    walk_to_replied(api, row)
    r = api("salesmgr").post(f"/api/v1/complaint/{row.id}/close",
                             json={"customer_response": "不接受", "customer_accepts": False})
    assert r.status_code == 200, r.get_json()
    assert api("clerk").post(f"/api/v1/complaint/{row.id}/reopen", json={}).status_code == 400
    r = api("clerk").post(f"/api/v1/complaint/{row.id}/reopen", json={"reason": "客户认为折让不足"})
    assert r.status_code == 200
    new = r.get_json()
    assert new["id"] != row.id and new["reopened_from"] == row.id and new["state"] == "registered"
    assert "客户认为折让不足" in new["content"]
    assert api("clerk").get(f"/api/v1/complaint/{row.id}").get_json()["customer_accepts"] is False


def test_a_case_is_reopened_once_and_a_second_reopen_names_the_new_case(api, case, db_ctx):
    from models import Complaint
    row = case(cause_class="non_quality")
    walk_to_replied(api, row)
    api("salesmgr").post(f"/api/v1/complaint/{row.id}/close",
                         json={"customer_response": "不接受", "customer_accepts": False})
    first = api("clerk").post(f"/api/v1/complaint/{row.id}/reopen", json={"reason": "折让不足"}).get_json()
    r = api("clerk").post(f"/api/v1/complaint/{row.id}/reopen", json={"reason": "再次不满"})
    assert r.status_code == 409 and first["record_no"] in r.get_json()["error"]
    assert Complaint.select().where(Complaint.reopened_from == row.id).count() == 1


def test_marking_special_and_individual_cases(api, case):
    row = case()
    r = api("salesmgr").post(f"/api/v1/complaint/{row.id}/mark_special", json={"reason": "可能引发媒体曝光"})
    assert r.get_json()["escalation"] == "special" and r.get_json()["is_important"] is True
    assert api("sales").post(f"/api/v1/complaint/{row.id}/mark_individual", json={"reason": "x"}).status_code == 404


def test_third_complaint_on_the_same_matter_proposes_an_individual_case(case, db_ctx):
    from portal.notify import Notification
    case(), case()
    third = case()
    assert get(third).individual_case_proposed is True
    assert Notification.select().where(Notification.kind == "task").count() >= 1
    other = case(matter="安装延误")
    assert get(other).individual_case_proposed is False


# Escalation ----------------------------------------------------------------------

def test_escalation_chain_handler_head_quality_gm(api, case, db_ctx):
    row = case()
    walk_to_investigating(api, row)                     # handler 王强 in 销售一部
    steps = []
    for _ in range(4):
        r = api("regional").post(f"/api/v1/complaint/{row.id}/escalate", json={"reason": "协调不通"})
        assert r.status_code in (200, 403), r.get_json()
        steps.append(get(row).handler_id)
    names = [user(u).employee_id for u in ("salesmgr", "quality", "gm")]
    assert steps[:3] == names            # 部门负责人 → 品质部 (quality complaint) → 总经理


def test_non_quality_cases_escalate_to_the_sales_manager(api, case, db_ctx):
    from models import Complaint, Department
    row = case(cause_class="non_quality")
    walk_to_investigating(api, row)
    Complaint.update(escalation_level=1).where(Complaint.id == row.id).execute()
    api("regional").post(f"/api/v1/complaint/{row.id}/escalate", json={"reason": "客户不满意"})
    assert get(row).handler_id == user("salesmgr").employee_id
    assert get(row).escalation_level == 2


def test_escalation_is_on_the_timeline_and_notifies(api, portal, case, db_ctx):
    from portal.notify import Notification
    row = case()
    walk_to_investigating(api, row)
    api("regional").post(f"/api/v1/complaint/{row.id}/escalate", json={"reason": "需要部门协调"})
    page = portal("salesmgr").get(f"/complaint/details/?id={row.id}").get_data(as_text=True)
    assert "升级上报" in page and "需要部门协调" in page
    assert Notification.select().where(Notification.recipient == user("salesmgr").id,
                                       Notification.kind == "escalation").count() == 1


def test_sweep_escalates_overdue_cases_once_per_breach(app, api, case, db_ctx):
    from portal.sweep import run_all
    row = case(cause_class="non_quality")
    walk_to_investigating(api, row)
    late = get(row).due_at + timedelta(hours=1)
    assert dict(run_all(late))["overdue_cases"] == 1
    assert dict(run_all(late))["overdue_cases"] == 0          # same breach: nothing more
    escalated = get(row)
    assert escalated.escalation_level == 1 and escalated.overdue is True
    assert escalated.handler_id == user("salesmgr").employee_id
    # the new level has its own deadline; breaching it escalates again
    assert dict(run_all(escalated.due_at + timedelta(hours=1)))["overdue_cases"] == 1
    assert get(row).escalation_level == 2


def test_two_sweeps_at_once_do_not_double_anything(app, api, case, db_ctx):
    from portal.audit import AuditEvent
    from portal.db import connection
    from portal.sweep import run_all
    from portal.workflows.engine import WorkflowEvent
    rows = [case(cause_class="non_quality") for _ in range(3)]
    late = max(get(r).due_at for r in rows) + timedelta(hours=1)
    results = []

    def sweep():
        with app.app_context(), connection():
            results.append(dict(run_all(late))["overdue_cases"])
    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 3
    assert WorkflowEvent.select().where(WorkflowEvent.transition == "escalate").count() == 3
    assert AuditEvent.select().where(AuditEvent.action == "escalate").count() == 3
    assert all(get(r).escalation_level == 1 for r in rows)


def test_closed_cases_are_not_escalated(api, case):
    from portal.sweep import run_all
    row = case(cause_class="non_quality")
    walk_to_replied(api, row)
    assert api("salesmgr").post(f"/api/v1/complaint/{row.id}/close",
                                json={"customer_response": "接受", "customer_accepts": True}).status_code == 200
    assert dict(run_all(datetime(2027, 6, 1)))["overdue_cases"] == 0


def test_quality_department_written_reply_due_in_one_working_day(api, case, db_ctx):
    from models import Department
    row = case()
    api("marketing").post(f"/api/v1/complaint/{row.id}/accept")
    pz = Department.get(Department.abbr == "PZ")
    from portal import clock
    clock.set(FRIDAY)
    api("quality").post(f"/api/v1/complaint/{row.id}/assign",
                        json={"department": pz.id, "handler": user("quality").employee_id})
    assert get(row).quality_reply_due == datetime(2026, 11, 23, 16, 0)


def test_html_buttons_run_transitions(portal, case, db_ctx):
    row = case()
    p = portal("marketing")
    page = p.get(f"/complaint/details/?id={row.id}").get_data(as_text=True)
    assert 'data-transition="accept"' in page and 'data-transition="reject"' in page
    r = p.post("/complaint/transition/accept/", data={"id": row.id, "comment": "受理"})
    assert r.status_code == 302 and get(row).state == "accepted"
    r = p.post("/complaint/transition/accept/", data={"id": row.id})
    assert r.status_code == 409
