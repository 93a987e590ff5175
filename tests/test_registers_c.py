"""SECTION C registers: returns and allowances (002 篇五 第十三条; 000-二 §四),
repair calls and after-sales service (001-售后 第二章; 000-二 §五), spare
parts, tools and technical documents (000-二 §六–§七): field rules, the
repair-call workflow (WF-03), approval chains (WF-10) and page access."""
from datetime import date, datetime
from decimal import Decimal

import pytest

from conftest import user
from portal import clock

MONDAY = datetime(2026, 11, 16, 9, 0)


# Helpers ----------------------------------------------------------------------

def emp(name):
    from models import Employee
    return Employee.get(Employee.name == name).id


def add_user(username, roles, name, dept="ZJB"):
    """A login for a role no demo user holds (副总经理, 财务, 维修技术员)."""
    from models import Department, Employee
    from portal.accounts import create_user
    account = create_user(username, None, roles, password_hash="!")
    existing = Employee.get_or_none(Employee.name == name)
    if existing is not None:
        Employee.update(user=account).where(Employee.id == existing.id).execute()
    else:
        Employee.create(record_no=f"T-{username}", name=name, user=account,
                        dept=Department.get(Department.abbr == dept))
    return account


def created(response):
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def refused(response, field, text=None):
    assert response.status_code == 400, response.get_json()
    errors = response.get_json()["errors"]
    assert field in errors, errors
    if text:
        assert text in errors[field], errors[field]
    return errors[field]


def act(client, register, row_id, action, status=200, **payload):
    r = client.post(f"/api/v1/{register}/{row_id}/{action}", json=payload)
    assert r.status_code == status, (r.status_code, r.get_json())
    return r.get_json()


def patch(client, register, row_id, **values):
    current = client.get(f"/api/v1/{register}/{row_id}").get_json()
    return client.patch(f"/api/v1/{register}/{row_id}", json=dict(values, version=current["version"]))


@pytest.fixture
def customer(make, db_ctx):
    return make("customer", name="陕西省高速公路管理局")


@pytest.fixture
def complaint(make, customer):
    def create(mode="allowance", **values):
        data = dict(customer=customer, received_by=user("sales").employee, title="汽车衡计量超差",
                    content="客户反映过车称重偏小2%，要求处理。", resolution_mode=mode,
                    part_no="SCS-100-101", quantity=10, defect_qty=4)
        data.update(values)
        return make("complaint", actor="sales", **data)
    return create


# 2.E Returns, allowances, exchanges -------------------------------------------------

def test_allowance_certificate_only_for_a_complaint_resolved_by_allowance(api, complaint):
    rework = complaint("return_rework")
    body = {"complaint": rework.id, "amount": "3200", "invoice_no": "No.61000001",
            "reason": "不良品折让"}
    refused(api("sales").post("/api/v1/sales_allowance_certificate", json=body), "complaint",
            "折让、赔款")
    body["complaint"] = complaint("allowance").id
    data = created(api("sales").post("/api/v1/sales_allowance_certificate", json=body))
    assert data["customer"] == complaint("allowance").customer_id and data["state"] == "draft"


def test_allowance_amount_must_be_positive(api, complaint):
    body = {"complaint": complaint().id, "amount": "0", "invoice_no": "No.1", "reason": "折让"}
    refused(api("sales").post("/api/v1/sales_allowance_certificate", json=body), "amount", "大于零")


def test_allowance_is_signed_by_the_manager_then_the_deputy_gm_then_sealed_by_the_customer(
        api, complaint, db_ctx):
    clock.set(MONDAY)
    add_user("deputy", ("deputy_gm",), "刘振华")
    body = {"complaint": complaint().id, "amount": "3200", "invoice_no": "No.61000001",
            "reason": "不良品折让"}
    row = created(api("sales").post("/api/v1/sales_allowance_certificate", json=body))
    reg = "sales_allowance_certificate"
    act(api("sales"), reg, row["id"], "seal", 409, sealed_at="2026-11-20")     # wrong state
    act(api("sales"), reg, row["id"], "submit")
    act(api("deputy"), reg, row["id"], "approve", 403)      # the manager signs first
    data = act(api("salesmgr"), reg, row["id"], "approve")
    assert data["state"] == "pending" and data["approver_role"] == "deputy_gm"
    assert data["signed_manager"] == user("salesmgr").employee_id
    act(api("quality"), reg, row["id"], "approve", 403)     # the 总(副)经理 line
    data = act(api("deputy"), reg, row["id"], "approve")
    assert data["state"] == "approved" and data["signed_gm"] == user("deputy").employee_id
    act(api("salesmgr"), reg, row["id"], "seal", 403)       # the salesperson sends it to the customer
    r = api("sales").post(f"/api/v1/{reg}/{row['id']}/seal", json={})
    assert r.status_code == 400 and "sealed_at" in r.get_json()["errors"]
    data = act(api("sales"), reg, row["id"], "seal", sealed_at="2026-11-20")
    assert data["state"] == "executed" and data["customer_sealed_at"] == "2026-11-20"


def test_ret01_the_general_manager_signs_when_there_is_no_deputy(api, complaint, db_ctx):
    # RET-01 「呈经(副)理、总(副)经理核签」: 总经理 or 副总经理; the demo company has no deputy
    body = {"complaint": complaint().id, "amount": "3200", "invoice_no": "No.61000002",
            "reason": "不良品折让"}
    reg = "sales_allowance_certificate"
    row = created(api("sales").post(f"/api/v1/{reg}", json=body))
    act(api("sales"), reg, row["id"], "submit")
    act(api("salesmgr"), reg, row["id"], "approve")
    data = act(api("gm"), reg, row["id"], "approve")
    assert data["state"] == "approved" and data["signed_gm"] == user("gm").employee_id


def test_nobody_signs_his_own_allowance_certificate(api, complaint, db_ctx):
    add_user("mgrsales", ("salesperson", "sales_manager"), "吕东", "XS1")
    body = {"complaint": complaint().id, "amount": "800", "invoice_no": "No.2", "reason": "折让"}
    row = created(api("mgrsales").post("/api/v1/sales_allowance_certificate", json=body))
    act(api("mgrsales"), "sales_allowance_certificate", row["id"], "submit")
    r = api("mgrsales").post(f"/api/v1/sales_allowance_certificate/{row['id']}/approve")
    assert r.status_code == 403 and "自己" in r.get_json()["error"]


def test_return_note_only_for_a_complaint_resolved_by_return(api, complaint):
    body = {"complaint": complaint("allowance").id, "reason": "传感器密封不良", "handling": "return",
            "basis": "客户抱怨处理表第四联", "part_no": "SCS-100-101", "approved_qty": 4}
    refused(api("sales").post("/api/v1/finished_goods_return_note", json=body), "complaint",
            "退货、重处理")
    body["complaint"] = complaint("return_rework").id
    body["approved_qty"] = 0
    refused(api("sales").post("/api/v1/finished_goods_return_note", json=body), "approved_qty")


@pytest.fixture
def approved_return(api, complaint, db_ctx):
    def create(approved=4, ratio=None):
        body = {"complaint": complaint("return_rework").id, "reason": "传感器密封不良",
                "handling": "return", "basis": "客户抱怨处理表第四联", "part_no": "SCS-100-101",
                "approved_qty": approved}
        if ratio is not None:
            body["over_accept_ratio"] = ratio
        row = created(api("sales").post("/api/v1/finished_goods_return_note", json=body))
        act(api("sales"), "finished_goods_return_note", row["id"], "submit")
        act(api("salesmgr"), "finished_goods_return_note", row["id"], "approve")
        return row["id"]
    return create


def test_return_is_received_by_the_warehouse_and_booked_by_accounting(api, approved_return, db_ctx):
    add_user("finance", ("finance",), "赵红", "CW")
    reg = "finished_goods_return_note"
    rid = approved_return()
    act(api("sales"), reg, rid, "receive", 403, actual_qty=4)         # 成品仓储 signs, not sales
    act(api("finance"), reg, rid, "book", 409, evidence="stamped_invoice", voucher_no="记-1")
    r = api("quality").post(f"/api/v1/{reg}/{rid}/receive", json={})
    assert r.status_code == 400 and "actual_qty" in r.get_json()["errors"]
    r = api("quality").post(f"/api/v1/{reg}/{rid}/receive", json={"actual_qty": 3})
    assert r.status_code == 400 and "请示" in r.get_json()["errors"]["note"]
    data = act(api("quality"), reg, rid, "receive", actual_qty=3, note="实收少一台，已请示按实际签收")
    assert data["state"] == "executed" and data["received_by"] == user("quality").employee_id
    r = api("finance").post(f"/api/v1/{reg}/{rid}/book",
                            json={"evidence": "return_certificate", "voucher_no": "记-2026-0101"})
    assert r.status_code == 400 and "销货退回证明单" in r.get_json()["errors"]["evidence"]
    created(api("sales").post("/api/v1/sales_return_certificate", json={
        "return_note": rid, "buyer": "陕西省高速公路管理局", "qty": 3, "unit_price": "8600",
        "buyer_stamp": True}))
    data = act(api("finance"), reg, rid, "book", evidence="return_certificate",
               voucher_no="记-2026-0101")
    assert data["voucher_no"] == "记-2026-0101" and data["booked_by"] == user("finance").employee_id
    r = api("finance").post(f"/api/v1/{reg}/{rid}/book",
                            json={"evidence": "stamped_invoice", "voucher_no": "记-2026-0102"})
    assert r.status_code == 400 and "重复" in r.get_json()["errors"]["voucher_no"]


def test_excess_return_is_booked_only_within_the_customers_over_acceptance_ratio(
        api, approved_return, db_ctx):
    add_user("finance", ("finance",), "赵红", "CW")
    reg = "finished_goods_return_note"
    within, beyond = approved_return(20, ratio="10"), approved_return(20)
    for rid in (within, beyond):
        act(api("quality"), reg, rid, "receive", actual_qty=22, note="客户多退两台，已请示")
    act(api("finance"), reg, within, "book", evidence="stamped_invoice", voucher_no="记-1")
    r = api("finance").post(f"/api/v1/{reg}/{beyond}/book",
                            json={"evidence": "stamped_invoice", "voucher_no": "记-2"})
    assert r.status_code == 400 and "超量允收比率" in r.get_json()["errors"]["voucher_no"]


def test_return_certificate_must_be_stamped_by_the_buyer(api, approved_return):
    body = {"return_note": approved_return(), "buyer": "陕西省高速公路管理局", "qty": 2,
            "unit_price": "8600", "buyer_stamp": False}
    refused(api("sales").post("/api/v1/sales_return_certificate", json=body), "buyer_stamp",
            "统一发票章")
    body.update(buyer_stamp=True, amount="100")
    refused(api("sales").post("/api/v1/sales_return_certificate", json=body), "amount", "单价")
    body.update(amount=None, qty=9)
    refused(api("sales").post("/api/v1/sales_return_certificate", json=body), "qty", "不能超过")
    body["qty"] = 2
    assert created(api("sales").post("/api/v1/sales_return_certificate", json=body))["amount"] == 17200


def test_return_exchange_record_names_the_cause_and_the_responsible(api, complaint, db_ctx):
    from models import Department
    case = complaint("return_rework")
    body = {"type": "exchange", "product": "SCS-100电子汽车衡", "cause": "发货时型号配错",
            "responsible_dept": Department.get(Department.abbr == "PZ").id,
            "responsible_person": emp("马超")}
    refused(api("sales").post("/api/v1/return_exchange_record", json=body), "customer")
    body["complaint"] = case.id
    refused(api("sales").post("/api/v1/return_exchange_record", json=body), "responsible_person",
            "责任部门")
    body["responsible_person"] = emp("高远")
    data = created(api("sales").post("/api/v1/return_exchange_record", json=body))
    assert data["customer"] == case.customer_id and data["for_performance"] is True
    body.pop("responsible_person")
    refused(api("sales").post("/api/v1/return_exchange_record", json=body), "responsible_person",
            "不适用")
    body.update(na_fields=["responsible_person"])      # attributed to the unit only (E-41)
    created(api("sales").post("/api/v1/return_exchange_record", json=body))


def test_only_a_return_links_a_return_note(api, approved_return, complaint, db_ctx):
    from models import Department, FinishedGoodsReturnNote
    note = FinishedGoodsReturnNote.get_by_id(approved_return())
    body = {"type": "exchange", "product": "DWS-40", "cause": "传感器密封不良",
            "complaint": note.complaint_id, "return_note": note.id,
            "responsible_dept": Department.get(Department.abbr == "PZ").id,
            "responsible_person": emp("高远")}
    refused(api("sales").post("/api/v1/return_exchange_record", json=body), "return_note", "退货")
    body.update(type="return", complaint=complaint("return_rework").id)
    refused(api("sales").post("/api/v1/return_exchange_record", json=body), "return_note",
            "同一案件")
    body["complaint"] = note.complaint_id
    created(api("sales").post("/api/v1/return_exchange_record", json=body))


# 2.F Repair calls (WF-03) ---------------------------------------------------------------

def call_body(**values):
    body = {"called_at": "2026-11-16 09:00:00", "received_by": emp("杨帆"),
            "customer_name": "咸阳市公路管理局", "address": "陕西省咸阳市渭城区文林路8号",
            "phone": "029-33221100", "product_model": "SCS-100", "symptom": "空秤不回零",
            "zone": "urban", "service_type": "paid"}
    body.update(values)
    return body


@pytest.fixture
def call(api, db_ctx):
    def create(**values):
        return created(api("service").post("/api/v1/repair_request", json=call_body(**values)))["id"]
    return create


def test_repair_call_needs_the_customer_and_the_symptom(api, db_ctx):
    body = call_body(customer_name="", symptom="")
    r = api("service").post("/api/v1/repair_request", json=body)
    refused(r, "customer_name", "客户")
    assert "问清" in r.get_json()["errors"]["symptom"]


def test_urban_call_must_be_reached_within_six_working_hours(api, call, db_ctx):
    clock.set(MONDAY)
    rid = call()
    data = act(api("salesmgr"), "repair_request", rid, "dispatch", technician=emp("马超"))
    assert data["state"] == "dispatched" and data["arrival_deadline"] == "2026-11-16 15:00:00"
    assert data["dispatcher"] == user("salesmgr").employee_id
    assert data["responsible_signer"] == user("salesmgr").employee_id


def test_suburban_call_gets_seven_working_hours_across_the_night(api, call, db_ctx):
    clock.set(datetime(2026, 11, 16, 14, 30))
    rid = call(called_at="2026-11-16 14:00:00", zone="suburban")
    data = act(api("service"), "repair_request", rid, "dispatch", technician=emp("马超"))
    # 14:00-17:30 = 3.5 h, then 08:30 + 3.5 h the next working day
    assert data["arrival_deadline"] == "2026-11-17 12:00:00"


def test_the_dispatch_figures_are_the_configured_sla_rules(api, call, db_ctx):
    from models import SlaRule
    SlaRule.update(value=4).where(SlaRule.key == "dispatch_urban").execute()
    clock.set(MONDAY)
    rid = call()
    data = act(api("service"), "repair_request", rid, "dispatch", technician=emp("马超"))
    assert data["arrival_deadline"] == "2026-11-16 13:00:00"


def test_dispatch_needs_a_zone_and_a_technician(api, call, db_ctx):
    rid = call(zone=None, na_fields=["zone"])
    r = api("service").post(f"/api/v1/repair_request/{rid}/dispatch", json={})
    errors = r.get_json()["errors"]
    assert r.status_code == 400 and "市区" in errors["zone"] and "technician" in errors


def test_dispatch_refusals(api, call, db_ctx):
    add_user("tech", ("technician",), "马超")
    rid = call()
    act(api("hr"), "repair_request", rid, "dispatch", 403, technician=emp("马超"))
    act(api("tech"), "repair_request", rid, "dispatch", 403, technician=emp("马超"))
    act(api("tech"), "repair_request", rid, "arrive", 409)
    act(api("service"), "repair_request", rid, "dispatch", technician=emp("马超"))
    act(api("service"), "repair_request", rid, "dispatch", 409, technician=emp("马超"))


def test_only_the_dispatched_technician_reports_arrival(api, call, db_ctx):
    add_user("tech", ("technician",), "马超")
    add_user("tech2", ("technician",), "韩冬", "KF")
    clock.set(MONDAY)
    rid = call()
    act(api("service"), "repair_request", rid, "dispatch", technician=emp("马超"))
    act(api("tech2"), "repair_request", rid, "arrive", 403)
    clock.set(datetime(2026, 11, 16, 15, 20))
    data = act(api("tech"), "repair_request", rid, "arrive")
    assert data["arrived_at"] == "2026-11-16 15:20:00" and data["arrived_late"] is True


def voucher_body(rid, **values):
    body = {"request": rid, "technician": emp("马超"), "service_type": "paid",
            "served_on": "2026-11-16", "work_done": "更换传感器一只并重新标定",
            "onsite_completed": True}
    body.update(values)
    return body


@pytest.fixture
def arrived_call(api, call, db_ctx):
    def create(**values):
        clock.set(MONDAY)
        rid = call(**values)
        act(api("service"), "repair_request", rid, "dispatch", technician=emp("马超"))
        clock.set(datetime(2026, 11, 16, 11, 0))
        act(api("service"), "repair_request", rid, "arrive")
        return rid
    return create


def test_onsite_call_cannot_be_cancelled_without_the_customers_signature(api, arrived_call, db_ctx):
    from models import ServiceVoucher
    rid = arrived_call(service_type="free")
    reg = "repair_request"
    r = api("service").post(f"/api/v1/{reg}/{rid}/complete_onsite")
    assert r.status_code == 400 and "服务凭证" in r.get_json()["errors"]["__all__"]
    vid = created(api("service").post("/api/v1/service_voucher",
                                      json=voucher_body(rid, service_type="free")))["id"]
    act(api("service"), reg, rid, "complete_onsite")
    r = api("service").post(f"/api/v1/{reg}/{rid}/customer_sign")
    assert r.status_code == 400 and "客户签字" in r.get_json()["errors"]["__all__"]
    act(api("service"), reg, rid, "cancel_call", 409)
    assert patch(api("service"), "service_voucher", vid, customer_signature=True).status_code == 200
    act(api("service"), reg, rid, "customer_sign")
    data = act(api("service"), reg, rid, "cancel_call")
    assert data["state"] == "cancelled" and data["cancelled_at"] == "2026-11-16 11:00:00"
    assert act(api("service"), reg, rid, "file")["state"] == "filed"
    assert ServiceVoucher.get_by_id(vid).filed_at == date(2026, 11, 16)


def test_an_approved_exemption_replaces_the_signature(api, arrived_call, db_ctx):
    rid = arrived_call(service_type="free")
    vid = created(api("service").post("/api/v1/service_voucher",
                                      json=voucher_body(rid, service_type="free")))["id"]
    act(api("service"), "repair_request", rid, "complete_onsite")
    r = patch(api("service"), "service_voucher", vid, signature_exempted_by=emp("马超"),
              exemption_reason="客户不在现场")
    refused(r, "signature_exempted_by", "不能自己")
    r = patch(api("service"), "service_voucher", vid, signature_exempted_by=emp("郑磊"))
    refused(r, "exemption_reason", "特殊情况")
    r = patch(api("service"), "service_voucher", vid, signature_exempted_by=emp("郑磊"),
              exemption_reason="客户负责人外出，经主任同意免签")
    assert r.status_code == 200
    act(api("service"), "repair_request", rid, "customer_sign")
    assert act(api("service"), "repair_request", rid, "cancel_call")["state"] == "cancelled"


def test_paid_call_is_invoiced_the_same_day_before_it_is_cancelled(api, arrived_call, db_ctx):
    rid = arrived_call()
    vid = created(api("service").post("/api/v1/service_voucher",
                                      json=voucher_body(rid, fee="800")))["id"]
    act(api("service"), "repair_request", rid, "complete_onsite")
    patch(api("service"), "service_voucher", vid, customer_signature=True)
    act(api("service"), "repair_request", rid, "customer_sign")
    r = api("service").post(f"/api/v1/repair_request/{rid}/cancel_call")
    assert r.status_code == 400 and "有偿" in r.get_json()["errors"]["__all__"]
    r = api("service").post(f"/api/v1/repair_request/{rid}/invoice")
    assert r.status_code == 400 and "当天" in r.get_json()["errors"]["__all__"]
    refused(patch(api("service"), "service_voucher", vid, invoice_no="No.63000001",
                  invoice_issued_at="2026-11-18"), "invoice_issued_at", "当天")
    assert patch(api("service"), "service_voucher", vid, invoice_no="No.63000001",
                 invoice_issued_at="2026-11-16").status_code == 200
    act(api("sales"), "repair_request", rid, "invoice", 403)
    assert act(api("service"), "repair_request", rid, "invoice")["state"] == "invoiced"
    assert act(api("service"), "repair_request", rid, "cancel_call")["state"] == "cancelled"


@pytest.mark.parametrize("values,field,text", [
    ({"filed_at": "2026-11-16"}, "filed_at", "客户签字"),
    ({"service_type": "free", "fee": "200"}, "fee", "免费服务"),
    ({"fee_collected_on_site": True}, "fee_collected_on_site", "服务费"),
    ({"taken_back": True}, "taken_back", "只能选择其一"),
    ({"work_done": "", "customer_signature": True}, "work_done", "服务内容"),
    ({"fee": "300", "customer_signature": True, "filed_at": "2026-11-16"}, "invoice_no", "发票"),
    ({"fee": "300", "fee_collected_on_site": True, "customer_signature": True,
      "filed_at": "2026-11-16"}, "handed_to_accounting_at", "交会计"),
    ({"invoice_no": "No.1"}, "invoice_issued_at", "开票日期"),
    ({"request": None}, "customer_name", "客户"),
])
def test_service_voucher_rules(api, call, db_ctx, values, field, text):
    clock.set(MONDAY)
    body = voucher_body(call(), **values)
    if body.get("request") is None:
        body.pop("request")
        body["product_model"] = "SCS-100"
    refused(api("service").post("/api/v1/service_voucher", json=body), field, text)


def test_free_service_only_within_the_warranty_period(api, make, db_ctx):
    created(api("service").post("/api/v1/warranty_term", json={"model": "SCS-100",
                                                                "warranty_period": 18}))
    unit = created(api("service").post("/api/v1/product_unit", json={
        "customer_name": "宝鸡市交通运输局", "model": "SCS-100", "serial": "SW20231001",
        "sold_on": "2023-01-10", "installed_on": "2023-02-01"}))
    assert unit["warranty_until"] == "2024-08-01"
    r = api("service").post("/api/v1/repair_request",
                            json=call_body(product_unit=unit["id"], service_type="free"))
    refused(r, "service_type", "保修期")
    data = created(api("service").post("/api/v1/repair_request",
                                       json=call_body(product_unit=unit["id"], product_model=None)))
    assert data["product_model"] == "SCS-100"


def test_goods_taken_back_are_inspected_before_they_are_returned(api, arrived_call, db_ctx):
    from models import GoodsReceipt
    reg = "repair_request"
    rid = arrived_call()
    r = api("service").post(f"/api/v1/{reg}/{rid}/take_back")
    assert r.status_code == 400 and "收据" in r.get_json()["errors"]["__all__"]
    receipt = created(api("service").post("/api/v1/goods_receipt", json={
        "request": rid, "goods": "称重显示仪表", "qty": 1}))
    act(api("service"), reg, rid, "take_back")
    vid = created(api("service").post("/api/v1/service_voucher", json=voucher_body(
        rid, onsite_completed=False, taken_back=True, service_type="contract",
        work_done="仪表携回修护")))["id"]
    r = api("service").post(f"/api/v1/{reg}/{rid}/inspect")
    assert r.status_code == 400 and "修护卡" in r.get_json()["errors"]["__all__"]
    entry = created(api("sales").post("/api/v1/customer_goods_ledger", json={
        "goods": "称重显示仪表", "model": "XK3190-A9", "received_at": "2026-11-16 15:00:00",
        "received_by": user("sales").employee_id, "receipt": receipt["id"], "voucher": vid,
        "promised_at": "2026-11-20"}))
    assert entry["customer_name"] == "咸阳市公路管理局"
    tag = created(api("service").post("/api/v1/repair_tag", json={
        "ledger_entry": entry["id"], "technician": emp("马超"), "work": "更换A/D芯片", "hours": "3"}))
    r = api("service").post(f"/api/v1/{reg}/{rid}/inspect")
    assert r.status_code == 400 and "尚未经主管验讫" in r.get_json()["errors"]["__all__"]
    refused(patch(api("sales"), "customer_goods_ledger", entry["id"],
                  returned_at="2026-11-19 10:00:00"), "returned_at", "验讫")
    act(api("service"), "repair_tag", tag["id"], "inspect")
    act(api("service"), reg, rid, "inspect")
    r = api("service").post(f"/api/v1/{reg}/{rid}/return_goods")
    assert r.status_code == 400 and "归还商品日期" in r.get_json()["errors"]["__all__"]
    assert patch(api("sales"), "customer_goods_ledger", entry["id"],
                 returned_at="2026-11-19 10:00:00").status_code == 200
    r = api("service").post(f"/api/v1/{reg}/{rid}/return_goods")
    assert r.status_code == 400 and "作废" in r.get_json()["errors"]["__all__"]
    assert patch(api("service"), "goods_receipt", receipt["id"],
                 recovered_at="2026-11-19 10:00:00").status_code == 200
    assert GoodsReceipt.get_by_id(receipt["id"]).voided is True
    r = api("service").post(f"/api/v1/{reg}/{rid}/return_goods")
    assert r.status_code == 400 and "客户签字" in r.get_json()["errors"]["__all__"]
    patch(api("service"), "service_voucher", vid, customer_signature=True)
    assert act(api("service"), reg, rid, "return_goods")["state"] == "returned"


def test_the_supervisor_does_not_inspect_his_own_repair(api, arrived_call, db_ctx):
    add_user("tech", ("technician",), "马超")
    rid = arrived_call()
    receipt = created(api("service").post("/api/v1/goods_receipt", json={
        "request": rid, "goods": "仪表", "qty": 1}))
    entry = created(api("service").post("/api/v1/customer_goods_ledger", json={
        "goods": "仪表", "model": "A9", "received_at": "2026-11-16 15:00:00",
        "received_by": emp("郑磊"), "receipt": receipt["id"], "promised_at": "2026-11-20"}))
    own = created(api("service").post("/api/v1/repair_tag", json={
        "ledger_entry": entry["id"], "technician": emp("郑磊"), "work": "更换按键膜"}))
    r = api("service").post(f"/api/v1/repair_tag/{own['id']}/inspect")
    assert r.status_code == 403 and "本人" in r.get_json()["error"]
    other = created(api("service").post("/api/v1/repair_tag", json={
        "ledger_entry": entry["id"], "technician": emp("马超"), "work": "更换显示屏"}))
    act(api("tech"), "repair_tag", other["id"], "inspect", 403)
    data = act(api("service"), "repair_tag", other["id"], "inspect")
    assert data["inspected_by"] == emp("郑磊") and data["state"] == "inspected"
    act(api("service"), "repair_tag", other["id"], "inspect", 409)


def test_repair_tag_lists_the_parts_replaced(portal, api, arrived_call, db_ctx):
    from models import RepairTag, SparePart
    part = created(api("service").post("/api/v1/spare_part", json={
        "part_no": "CG-30T", "name": "称重传感器", "abc_class": "A", "unit": "只",
        "stock_qty": 10}))
    rid = arrived_call()
    receipt = created(api("service").post("/api/v1/goods_receipt", json={
        "request": rid, "goods": "传感器", "qty": 1}))
    entry = created(api("service").post("/api/v1/customer_goods_ledger", json={
        "goods": "传感器", "model": "CG", "received_at": "2026-11-16 15:00:00",
        "received_by": emp("郑磊"), "receipt": receipt["id"], "promised_at": "2026-11-20"}))
    p = portal("service")
    me = user("service").employee
    r = p.post("/repair_tag/new/", data={
        "ledger_entry": entry["id"], "technician": emp("马超"), "work": "更换传感器",
        "dept": me.dept_id, "filled_at": "2026-11-16", "filled_by": me.id,
        "retention_class": "three_years", "confidentiality": "internal",
        "parts-0-part": part["id"], "parts-0-qty": "2"})
    assert r.status_code == 302
    tag = RepairTag.get()
    assert [(x.part_id, x.qty) for x in tag.parts] == [(part["id"], 2)]
    assert SparePart.get_by_id(part["id"]).name == "称重传感器"


def test_goods_receipt_is_voided_when_recovered(api, db_ctx):
    body = {"customer_name": "渭南市公路局", "goods": "票据打印机", "qty": 1,
            "issued_at": "2026-11-16 10:00:00", "recovered_at": "2026-11-15 10:00:00"}
    refused(api("service").post("/api/v1/goods_receipt", json=body), "recovered_at", "早于")
    body["recovered_at"] = "2026-11-19 10:00:00"
    data = created(api("service").post("/api/v1/goods_receipt", json=body))
    assert data["voided"] is True and data["issued_by"] == emp("郑磊")


# Daily reports ----------------------------------------------------------------------------

def tech_report(portal, day="2026-11-16", tech="马超", entries=(("paid", "3"), ("admin_work", "2"))):
    p = portal("service")
    me = user("service").employee
    data = {"technician": emp(tech), "date": day, "dept": me.dept_id, "filled_at": day,
            "filled_by": me.id, "retention_class": "three_years", "confidentiality": "internal"}
    for i, (category, hours) in enumerate(entries):
        data[f"entries-{i}-category"] = category
        data[f"entries-{i}-hours"] = hours
    return p.post("/technician_daily_report/new/", data=data)


def test_technician_reports_one_day_once_and_is_reviewed_by_the_supervisor(portal, api, db_ctx):
    from models import TechnicianDailyReport
    add_user("tech", ("technician",), "马超")
    clock.set(datetime(2026, 11, 16, 18, 0))
    assert tech_report(portal).status_code == 302
    report = TechnicianDailyReport.get()
    assert [e.hours for e in report.entries] == [Decimal("3"), Decimal("2")]
    body = {"technician": emp("马超"), "date": "2026-11-16"}
    refused(api("service").post("/api/v1/technician_daily_report", json=body), "date", "已填写")
    body["date"] = "2026-11-18"
    refused(api("service").post("/api/v1/technician_daily_report", json=body), "date", "未来")
    act(api("tech"), "technician_daily_report", report.id, "review", 403)
    act(api("sales"), "technician_daily_report", report.id, "review", 403)
    data = act(api("service"), "technician_daily_report", report.id, "review")
    assert data["state"] == "reviewed" and data["reviewed_by"] == emp("郑磊")
    act(api("service"), "technician_daily_report", report.id, "review", 409)


def test_an_empty_technician_report_is_not_reviewed(api, db_ctx):
    clock.set(datetime(2026, 11, 16, 18, 0))
    row = created(api("service").post("/api/v1/technician_daily_report",
                                      json={"technician": emp("马超"), "date": "2026-11-16"}))
    r = api("service").post(f"/api/v1/technician_daily_report/{row['id']}/review")
    assert r.status_code == 400 and "没有工作记录" in r.get_json()["errors"]["__all__"]


def test_service_daily_report_sums_the_technicians_hours_and_needs_the_gm(portal, api, db_ctx):
    clock.set(datetime(2026, 11, 16, 18, 0))
    empty = created(api("service").post("/api/v1/service_daily_report", json={"date": "2026-11-13"}))
    r = api("gm").post(f"/api/v1/service_daily_report/{empty['id']}/countersign")
    assert r.status_code == 400 and "工时" in r.get_json()["errors"]["__all__"]
    tech_report(portal)
    tech_report(portal, tech="孙浩", entries=(("paid", "2.5"), ("free", "4")))
    data = created(api("service").post("/api/v1/service_daily_report", json={"date": "2026-11-16"}))
    assert data["hours_paid"] == 5.5 and data["hours_free"] == 4 and data["hours_admin"] == 2
    assert data["total_hours"] == 11.5 and data["technician_count"] == 2
    assert "孙浩：有偿服务 2.5" in data["summary"]
    refused(api("service").post("/api/v1/service_daily_report", json={"date": "2026-11-16"}),
            "date", "已编制")
    reg = "service_daily_report"
    act(api("service"), reg, data["id"], "countersign", 403)     # 「请总经理核签」
    act(api("salesmgr"), reg, data["id"], "countersign", 403)
    act(api("service"), reg, data["id"], "forward", 409)
    signed = act(api("gm"), reg, data["id"], "countersign")
    assert signed["countersigned_by"] == user("gm").employee_id
    tech_report(portal, tech="郑磊")          # a late report does not change signed figures
    assert act(api("service"), reg, data["id"], "forward")["total_hours"] == 11.5


# Warranty, contracts, product archive ---------------------------------------------------------

@pytest.fixture
def contract(api, customer):
    def create(**values):
        body = {"contract_no": "BY-2026-001", "customer": customer.id, "start_on": "2025-12-01",
                "end_on": "2026-12-31", "scope": "每季度上门保养一次", "fee": "9000"}
        body.update(values)
        return created(api("sales").post("/api/v1/service_contract", json=body))["id"]
    return create


def test_warranty_notice_is_due_one_month_before_expiry(api, contract, db_ctx):
    from models import SlaRule
    cid = contract()
    data = created(api("sales").post("/api/v1/warranty_expiry_notice", json={
        "contract": cid, "sent_at": "2026-12-05", "sent_by": user("sales").employee_id}))
    assert data["expires_on"] == "2026-12-31" and data["due_send_on"] == "2026-11-30"
    assert data["sent_late"] is True
    refused(api("sales").post("/api/v1/warranty_expiry_notice", json={"contract": cid}),
            "contract", "已有")
    SlaRule.update(value=2).where(SlaRule.key == "warranty_notice").execute()
    other = created(api("sales").post("/api/v1/warranty_expiry_notice",
                                      json={"contract": contract(contract_no="BY-2026-002")}))
    assert other["due_send_on"] == "2026-10-31"


def test_warranty_notice_sent_after_expiry_or_without_sender_is_refused(api, contract):
    cid = contract()
    refused(api("sales").post("/api/v1/warranty_expiry_notice", json={
        "contract": cid, "sent_at": "2027-01-05", "sent_by": user("sales").employee_id}),
        "sent_at", "期满前一个月")
    refused(api("sales").post("/api/v1/warranty_expiry_notice", json={
        "contract": cid, "sent_at": "2026-11-28"}), "sent_by", "寄送人")


def test_service_contract_end_after_start_and_unique_number(api, contract, customer):
    contract()
    body = {"contract_no": "BY-2026-001", "customer": customer.id, "start_on": "2026-12-01",
            "end_on": "2026-06-30", "scope": "保养"}
    r = api("sales").post("/api/v1/service_contract", json=body)
    refused(r, "end_on", "晚于")
    assert "已存在" in r.get_json()["errors"]["contract_no"]


def test_product_unit_rules(api, db_ctx):
    body = {"model": "DWS-40", "serial": "SW1", "sold_on": "2026-03-01", "installed_on": "2026-02-01"}
    r = api("service").post("/api/v1/product_unit", json=body)
    refused(r, "installed_on", "早于")
    assert "customer_name" in r.get_json()["errors"]


def test_promotional_warranty_change_is_notified_to_after_sales(api):
    body = {"model": "SCS-100", "part": "称重传感器", "warranty_period": 36,
            "promo_override": "秋季促销延长保修"}
    refused(api("service").post("/api/v1/warranty_term", json=body), "notified_after_sales_at",
            "通知售后")
    body["notified_after_sales_at"] = "2026-09-01"
    created(api("service").post("/api/v1/warranty_term", json=body))
    refused(api("service").post("/api/v1/warranty_term", json={"model": "X", "warranty_period": -1}),
            "warranty_period", "负数")


def test_fee_schedule_needs_a_fee(api):
    refused(api("service").post("/api/v1/service_fee_schedule", json={"item": "标定"}),
            "standard_fee", "至少")
    created(api("service").post("/api/v1/service_fee_schedule", json={"item": "标定",
                                                                       "standard_fee": "800"}))


@pytest.mark.parametrize("kind,field", [("authorised", "contract"), ("repairer", "contract"),
                                        ("station", "cost_contracting")])
def test_service_providers_are_bound_by_contract_or_cost_scheme(api, kind, field):
    body = {"name": "陕西秦衡计量服务有限公司", "type": kind, "contact": "王经理", "phone": "029-1"}
    refused(api("service").post("/api/v1/service_provider", json=body), field)
    body[field] = "委托协议 WT-2025-01"
    created(api("service").post("/api/v1/service_provider", json=body))


# 2.G Spare parts, tools, documents ---------------------------------------------------------------

def test_spare_part_rules(api):
    body = {"part_no": "CG-30T", "name": "称重传感器", "abc_class": "A", "unit": "只",
            "stock_qty": -1}
    refused(api("service").post("/api/v1/spare_part", json=body), "stock_qty", "负数")
    body.update(stock_qty=3, reorder_point=5)
    assert created(api("service").post("/api/v1/spare_part", json=body))["below_reorder"] is True
    refused(api("service").post("/api/v1/spare_part", json=body), "part_no", "已存在")


def test_only_a_registered_substitute_is_lent(api, db_ctx):
    plain = created(api("service").post("/api/v1/spare_part", json={
        "part_no": "JXH-8", "name": "接线盒", "abc_class": "B", "unit": "个", "stock_qty": 5}))
    sub = created(api("service").post("/api/v1/spare_part", json={
        "part_no": "TH-A9", "name": "仪表替补整机", "abc_class": "A", "unit": "台", "stock_qty": 2,
        "is_substitute": True}))
    receipt = created(api("service").post("/api/v1/goods_receipt", json={
        "customer_name": "渭南市公路局", "goods": "仪表", "qty": 1}))
    entry = created(api("service").post("/api/v1/customer_goods_ledger", json={
        "goods": "仪表", "model": "A9", "received_at": "2026-11-16 15:00:00",
        "received_by": emp("郑磊"), "receipt": receipt["id"], "promised_at": "2026-11-20"}))
    body = {"substitute": plain["id"], "ledger_entry": entry["id"], "lent_at": "2026-11-16"}
    refused(api("service").post("/api/v1/substitute_loan", json=body), "substitute", "替补")
    body.update(substitute=sub["id"], returned_at="2026-11-10")
    refused(api("service").post("/api/v1/substitute_loan", json=body), "returned_at", "早于")
    body.pop("returned_at")
    data = created(api("service").post("/api/v1/substitute_loan", json=body))
    assert data["customer_name"] == "渭南市公路局" and data["on_loan"] is True


def test_tool_custody_rules(api, db_ctx):
    from models import Employee
    body = {"tool": "标准砝码组", "value": "26000", "fixed_asset": True}
    refused(api("service").post("/api/v1/tool_custody", json=body), "custodian", "保管人")
    body.update(custodian=emp("马超"), value=None)
    refused(api("service").post("/api/v1/tool_custody", json=body), "value", "价值")
    body.update(value="26000", status="handed_over")
    r = api("service").post("/api/v1/tool_custody", json=body)
    refused(r, "handed_over_to", "接收人")
    assert "handed_over_at" in r.get_json()["errors"]
    body.update(handed_over_to=emp("马超"), handed_over_at="2026-11-10")
    refused(api("service").post("/api/v1/tool_custody", json=body), "handed_over_to", "本人")
    body.update(handed_over_to=emp("孙浩"))
    created(api("service").post("/api/v1/tool_custody", json=body))
    body.update(status="in_use", handed_over_to=None, handed_over_at=None)
    tool = created(api("service").post("/api/v1/tool_custody", json=body))
    Employee.update(status="departed").where(Employee.name == "马超").execute()
    refused(patch(api("service"), "tool_custody", tool["id"], value="25000"), "custodian", "移交")


def test_the_holder_is_the_custodian_and_sees_his_tools(api, db_ctx):
    add_user("tech", ("technician",), "孙浩")            # 技术部, outside the after-sales centre
    add_user("tech2", ("technician",), "韩冬", "JS")
    tool = created(api("service").post("/api/v1/tool_custody", json={
        "tool": "数字万用表", "custodian": emp("孙浩")}))
    assert api("tech").get(f"/api/v1/tool_custody/{tool['id']}").status_code == 200
    assert api("tech2").get(f"/api/v1/tool_custody/{tool['id']}").status_code == 404


def test_tool_incident_rules(api, db_ctx):
    tool = created(api("service").post("/api/v1/tool_custody", json={
        "tool": "数字万用表", "custodian": emp("马超")}))
    body = {"tool": tool["id"], "kind": "normal_wear", "cause": "表笔老化", "compensation": "50",
            "decided_by": emp("郑磊")}
    refused(api("service").post("/api/v1/tool_incident_report", json=body), "compensation",
            "正常损耗")
    body.update(kind="lost", decided_by=None)
    refused(api("service").post("/api/v1/tool_incident_report", json=body), "decided_by")
    body.update(cause="")
    refused(api("service").post("/api/v1/tool_incident_report", json=body), "cause")
    body.update(cause="现场遗失", decided_by=emp("郑磊"))
    created(api("service").post("/api/v1/tool_incident_report", json=body))


def test_tool_purchase_is_priced_by_finance_then_approved_by_the_superior(api, db_ctx):
    add_user("finance", ("finance",), "赵红", "CW")
    reg = "tool_purchase_request"
    row = created(api("service").post(f"/api/v1/{reg}", json={"items": "示波器 1台"}))
    r = api("service").post(f"/api/v1/{reg}/{row['id']}/submit")
    assert r.status_code == 400 and "询价" in r.get_json()["errors"]["price"]
    patch(api("service"), reg, row["id"], quotes="三家询价，取最低价", price="3100",
          summary="合计3100元")
    data = act(api("service"), reg, row["id"], "submit")
    assert data["approver_role"] == "finance"
    act(api("marketing"), reg, row["id"], "approve", 403)      # price check first
    data = act(api("finance"), reg, row["id"], "approve")
    assert data["finance_checked_by"] == user("finance").employee_id
    assert data["current_approver"] == user("marketing").employee_id     # 郑磊's superior
    act(api("finance"), reg, row["id"], "approve", 403)
    data = act(api("marketing"), reg, row["id"], "approve")
    assert data["state"] == "approved"
    r = api("service").post(f"/api/v1/{reg}/{row['id']}/purchase", json={})
    assert r.status_code == 400 and "purchased_at" in r.get_json()["errors"]
    assert act(api("service"), reg, row["id"], "purchase",
               purchased_at="2026-11-20")["state"] == "executed"


def test_case_report_is_internal_or_secret_never_public(api, db_ctx):
    body = {"technician": emp("马超"), "product_model": "DWS-40", "fault": "雨天轴数误判",
            "diagnosis": "压电条吸水", "solution": "重新灌封", "confidentiality": "public"}
    refused(api("service").post("/api/v1/repair_case_report", json=body), "confidentiality", "内部")
    body["confidentiality"] = "secret"
    assert created(api("service").post("/api/v1/repair_case_report", json=body))[
        "confidentiality"] == "secret"


def test_secret_case_reports_stay_with_their_author(api, db_ctx):
    add_user("tech", ("technician",), "马超")
    add_user("tech2", ("technician",), "韩冬", "KF")
    body = {"technician": emp("马超"), "product_model": "DWS-40", "fault": "轴数误判",
            "diagnosis": "压电条吸水", "solution": "重新灌封"}
    open_row = created(api("service").post("/api/v1/repair_case_report", json=body))
    assert open_row["confidentiality"] == "internal"
    secret = created(api("service").post("/api/v1/repair_case_report",
                                         json=dict(body, confidentiality="secret")))
    assert api("tech2").get(f"/api/v1/repair_case_report/{open_row['id']}").status_code == 200
    assert api("tech2").get(f"/api/v1/repair_case_report/{secret['id']}").status_code == 404
    assert api("tech").get(f"/api/v1/repair_case_report/{secret['id']}").status_code == 200


def test_technical_secret_documents_are_secret_and_kept_by_the_custodian(api, db_ctx):
    add_user("tech2", ("technician",), "韩冬", "KF")
    body = {"doc_type": "tech_charts", "title": "CX-800电气原理图", "doc_no": "WX-006",
            "location": "资料柜1号", "technical_secret": True}
    refused(api("service").post("/api/v1/technical_document", json=body), "custodian", "专人")
    body["custodian"] = emp("孙浩")
    secret = created(api("service").post("/api/v1/technical_document",
                                         json=dict(body, confidentiality="internal")))
    assert secret["confidentiality"] == "secret"
    manual = created(api("service").post("/api/v1/technical_document", json=dict(
        body, title="DWS-40维修指导手册", doc_type="repair_guide", technical_secret=False)))
    assert manual["confidentiality"] == "internal"
    assert api("tech2").get(f"/api/v1/technical_document/{manual['id']}").status_code == 200
    assert api("tech2").get(f"/api/v1/technical_document/{secret['id']}").status_code == 404
    refused(api("service").post("/api/v1/technical_document", json=dict(
        body, technical_secret=False, confidentiality="public")), "confidentiality", "公开")


# Pages of every register of the section for every demo role ---------------------------------------

SECTION_C = ("sales_allowance_certificate", "finished_goods_return_note", "sales_return_certificate",
             "return_exchange_record", "repair_request", "service_voucher", "repair_tag",
             "goods_receipt", "customer_goods_ledger", "technician_daily_report",
             "service_daily_report", "warranty_expiry_notice", "service_contract", "product_unit",
             "warranty_term", "service_fee_schedule", "service_provider", "repair_case_report",
             "spare_part", "substitute_loan", "tool_custody", "tool_incident_report",
             "tool_purchase_request", "technical_document")


def test_section_c_menu_groups(app):
    from portal import registry
    groups = {name: registry.get(name).group for name in SECTION_C}
    assert {n for n, g in groups.items() if g == "complaints"} == set(SECTION_C[:4])
    assert all(g == "after_sales" for n, g in groups.items() if n not in SECTION_C[:4])


def test_every_page_answers_for_every_role(app, portal, make, db_ctx):
    """List, new and details pages: 200, or 403 without the permission (404 for a
    row outside the user's scope), never a 500."""
    import permissions
    from portal import registry
    from seed import SeedContext, users
    from seed import after_sales
    from models import Customer, Department, Employee, Region
    from portal.db import connection
    for owner in ("张伟", "李娜", "王强"):
        make("customer", name=f"{owner}负责的客户", account_owner=Employee.get(Employee.name == owner))
    with app.app_context(), connection():
        emps = {e.user.username if e.user_id else e.name: e for e in Employee.select()}
        ctx = SeedContext(users=users(), employees=emps,
                          departments={d.abbr: d for d in Department.select()},
                          regions={r.name: r for r in Region.select()},
                          customers=list(Customer.select()), today=clock.today())
        after_sales.seed(ctx)
        first = {n: registry.get(n).model.select().order_by(registry.get(n).model.id).first().id
                 for n in SECTION_C}
    for username in "admin clerk sales salesmgr gm quality service reception hr".split():
        p = portal(username)
        for name in SECTION_C:
            spec = registry.get(name)
            with app.app_context(), connection():
                account = user(username)
                can_view = permissions.can(account, "view", spec.model)
                can_create = permissions.can(account, "create", spec.model)
            assert p.get(f"/{name}/").status_code == (200 if can_view else 403), (username, name)
            assert p.get(f"/{name}/new/").status_code == (200 if can_create else 403), (username, name)
            status = p.get(f"/{name}/details/?id={first[name]}").status_code
            assert status in ((200, 404) if can_view else (403,)), (username, name, status)
