"""Handover on resignation or change of post (WF-05, R-HND; 003 §4.3;
002 篇三 二.12 「全部檔案交齊后,該員工方能離職」)."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from peewee import CharField, ForeignKeyField

from conftest import Api, login, user


@pytest.fixture
def holdings(make, api, db_ctx):
    """What 李娜 (sales2) holds: two customers (owner, patrol visitor), a file in
    her custody, an open complaint she handles, a gift request waiting for her
    approval, a tool in her custody and a borrowed (lent) file."""
    from models import Department, Employee, Region
    sales2 = user("sales2").employee
    xs2 = Department.get(Department.abbr == "XS2")
    east = Region.get(Region.name == "华东区")
    c1 = make("customer", name="南京宁衡计量", account_owner=sales2, region=east)
    c2 = make("customer", name="杭州称心衡器", patrol_visitor=sales2)
    kept = make("customer", name="保管中的档案", custodian=sales2)
    case = make("complaint", actor="clerk", customer=c2, title="读数漂移", content="x",
                received_by=user("clerk").employee)
    from models import Complaint
    Complaint.update(handler=sales2).where(Complaint.id == case.id).execute()    # as assigned
    gift = make("gift_budget_request", actor="sales", customer=c1, reason="答谢", gift="茶叶",
                budget="300")
    api("sales").post(f"/api/v1/gift_budget_request/{gift.id}/submit")
    from models import GiftBudgetRequest
    GiftBudgetRequest.update(current_approver=sales2.id).where(GiftBudgetRequest.id == gift.id).execute()
    tool = make("tool_custody", actor="service", tool="动态汽车衡检定砝码", custodian=sales2,
                registered_at=date(2026, 1, 5))
    secret = make("customer", actor="marketing", name="他部门限阅档案", responsible_dept=xs2,
                  account_owner=Employee.get(Employee.name == "何平"), confidentiality="restricted",
                  custodian=user("clerk").employee)
    loan = api("sales2").post("/api/v1/borrow_request", json={
        "register": "customer", "record": secret.id, "purpose": "consult", "reason": "核对"}).get_json()
    api("marketing").post(f"/api/v1/borrow_request/{loan['id']}/approve")
    api("clerk").post(f"/api/v1/borrow_request/{loan['id']}/lend")
    return {"c1": c1, "c2": c2, "kept": kept, "case": case, "gift": gift, "tool": tool,
            "loan": loan["id"]}


def start(api, username="sales2", reason="resignation"):
    r = api("hr").post("/api/v1/handover_record", json={
        "employee": user(username).employee_id, "reason": reason, "last_day": "2026-12-31"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def assign_all(api, handover_id):
    """Tools to the after-sales centre (a sales rep may not hold them), the rest to 张伟."""
    r = api("hr").post(f"/api/v1/handover_record/{handover_id}/assign",
                       json={"successor": user("service").employee_id, "kind": "tool_custody"})
    assert r.status_code == 200, r.get_json()
    r = api("hr").post(f"/api/v1/handover_record/{handover_id}/assign",
                       json={"successor": user("sales").employee_id})
    assert r.status_code == 200, r.get_json()


def items_of(handover_id):
    from models import HandoverItem
    return list(HandoverItem.select().where(HandoverItem.handover == handover_id))


def test_every_kind_of_held_item_is_found(api, holdings, db_ctx):
    h = start(api)
    found = {(i.register, i.field, i.record_id) for i in items_of(h["id"])}
    assert ("customer", "account_owner", holdings["c1"].id) in found
    assert ("customer", "patrol_visitor", holdings["c2"].id) in found
    assert ("customer", "custodian", holdings["kept"].id) in found
    assert ("complaint", "handler", holdings["case"].id) in found
    assert ("gift_budget_request", "current_approver", holdings["gift"].id) in found
    assert ("tool_custody", "custodian", holdings["tool"].id) in found
    assert ("borrow_request", "borrower", holdings["loan"]) in found
    assert h["item_count"] == len(found)
    lent = [i for i in items_of(h["id"]) if i.register == "borrow_request"][0]
    assert lent.must_return


def test_unreturned_borrowing_blocks_execution_and_departure(api, holdings, db_ctx):
    h = start(api)
    assign_all(api, h["id"])
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    assert r.status_code == 400 and "须先归还" in r.get_json()["error"]
    r = api("hr").post(f"/api/v1/employee/{user('sales2').employee_id}/depart")
    assert r.status_code == 409 and "未归还" in r.get_json()["error"]


def test_handover_moves_everything_in_one_transaction_and_certificate_lists_it(api, holdings, db_ctx):
    from models import Complaint, Customer, GiftBudgetRequest, ToolCustody
    from portal.audit import AuditEvent
    api("clerk").post(f"/api/v1/borrow_request/{holdings['loan']}/return", json={"condition": "intact"})
    h = start(api)
    sales = user("sales").employee_id
    assign_all(api, h["id"])
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/execute", json={"comment": "离职交接"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["state"] == "executed"
    assert Customer.get_by_id(holdings["c1"].id).account_owner_id == sales
    assert Customer.get_by_id(holdings["c2"].id).patrol_visitor_id == sales
    assert Customer.get_by_id(holdings["kept"].id).custodian_id == sales
    assert Complaint.get_by_id(holdings["case"].id).handler_id == sales
    assert GiftBudgetRequest.get_by_id(holdings["gift"].id).current_approver_id == sales
    assert ToolCustody.get_by_id(holdings["tool"].id).custodian_id == user("service").employee_id
    moved = [i for i in items_of(h["id"]) if i.moved]
    events = AuditEvent.select().where(AuditEvent.action == "hand_over")
    assert events.count() == len([i for i in moved if not i.must_return])
    cert = api("hr").get(f"/api/v1/handover_record/{h['id']}/certificate.xlsx")
    assert cert.status_code == 200
    sheet = load_workbook(io.BytesIO(cert.data)).active
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == len(items_of(h["id"]))
    assert {r[5] for r in rows} == {"李娜"} and {"张伟", "郑磊"} <= {r[6] for r in rows}
    labels = [c for r in sheet.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert "移交人签字：" in labels and "接收人签字：" in labels and "监交人签字：" in labels


def test_a_file_returned_after_the_handover_started_no_longer_blocks_it(api, holdings, db_ctx):
    h = start(api)
    assign_all(api, h["id"])
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    assert r.status_code == 400 and "须先归还" in r.get_json()["error"]
    api("clerk").post(f"/api/v1/borrow_request/{holdings['loan']}/return", json={"condition": "intact"})
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    assert r.status_code == 200, r.get_json()
    loan = [i for i in items_of(h["id"]) if i.register == "borrow_request"]
    assert [(i.must_return, i.moved) for i in loan] == [(True, True)]
    cert = api("hr").get(f"/api/v1/handover_record/{h['id']}/certificate.xlsx")
    rows = [r for r in load_workbook(io.BytesIO(cert.data)).active.iter_rows(min_row=5, values_only=True)
            if isinstance(r[0], int)]
    assert [r[7] for r in rows if r[3] == "他部门限阅档案"] == ["已归还"]


def test_refreshing_the_list_drops_what_the_employee_no_longer_holds(api, holdings, db_ctx):
    from models import Complaint
    api("clerk").post(f"/api/v1/borrow_request/{holdings['loan']}/return", json={"condition": "intact"})
    h = start(api)
    assign_all(api, h["id"])
    regional = user("regional").employee_id
    Complaint.update(handler=regional).where(Complaint.id == holdings["case"].id).execute()
    assert api("hr").post(f"/api/v1/handover_record/{h['id']}/refresh").status_code == 200
    assert ("complaint", holdings["case"].id) not in {(i.register, i.record_id) for i in items_of(h["id"])}
    assert api("hr").post(f"/api/v1/handover_record/{h['id']}/execute").status_code == 200
    assert Complaint.get_by_id(holdings["case"].id).handler_id == regional


def test_executing_a_completed_handover_again_changes_nothing(api, holdings, db_ctx):
    from portal.audit import AuditEvent
    api("clerk").post(f"/api/v1/borrow_request/{holdings['loan']}/return", json={"condition": "intact"})
    h = start(api)
    assign_all(api, h["id"])
    api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    before = AuditEvent.select().count()
    assert api("hr").post(f"/api/v1/handover_record/{h['id']}/execute").status_code == 409
    assert AuditEvent.select().count() == before


def test_a_failure_midway_moves_nothing(api, holdings, db_ctx, monkeypatch):
    from models import Complaint, Customer
    from portal.workflows import handover
    api("clerk").post(f"/api/v1/borrow_request/{holdings['loan']}/return", json={"condition": "intact"})
    h = start(api)
    assign_all(api, h["id"])
    real = handover.move_group
    calls = []

    def failing(spec, field, employee_id, successor_id, ids):
        calls.append(spec.name)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(spec, field, employee_id, successor_id, ids)
    monkeypatch.setattr(handover, "move_group", failing)
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    assert r.status_code == 500
    sales2 = user("sales2").employee_id
    assert Customer.get_by_id(holdings["c1"].id).account_owner_id == sales2
    assert Complaint.get_by_id(holdings["case"].id).handler_id == sales2
    assert not any(i.moved for i in items_of(h["id"]))
    assert api("hr").get(f"/api/v1/handover_record/{h['id']}").get_json()["state"] == "started"


def test_successor_must_be_active_and_allowed_to_hold_the_item(api, holdings, db_ctx):
    from models import Employee
    h = start(api)
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/assign",
                       json={"successor": user("quality").employee_id, "kind": "customer"})
    assert r.status_code == 400 and "无权持有" in r.get_json()["errors"]["successor"]
    Employee.update(status="departed").where(Employee.id == user("sales").employee_id).execute()
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/assign",
                       json={"successor": user("sales").employee_id, "kind": "customer"})
    assert r.status_code == 400 and "successor" in r.get_json()["errors"]


def test_customers_of_one_region_go_to_one_colleague(api, holdings, db_ctx):
    h = start(api)
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/assign",
                       json={"successor": user("regional").employee_id, "kind": "customer", "group": "华东区"})
    assert r.status_code == 200
    assigned = {(i.record_id, i.successor_id) for i in items_of(h["id"]) if i.successor_id}
    assert assigned == {(holdings["c1"].id, user("regional").employee_id)}


def test_departure_disables_login_sessions_and_tokens_at_once(app, api, holdings, db_ctx):
    api("clerk").post(f"/api/v1/borrow_request/{holdings['loan']}/return", json={"condition": "intact"})
    session = app.test_client()
    login(session, "sales2")
    token = Api(app, "sales2")
    assert token.get("/api/v1/me").status_code == 200
    h = start(api)
    assign_all(api, h["id"])
    api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    complete(api, h["id"])
    from models import Employee
    assert Employee.get_by_id(user("sales2").employee_id).status == "departed"   # at once
    assert token.get("/api/v1/me").status_code == 401
    assert session.get("/customer/").status_code == 302
    assert login(app.test_client(), "sales2").status_code == 401


def test_only_hr_starts_a_handover(api):
    r = api("salesmgr").post("/api/v1/handover_record", json={
        "employee": user("sales2").employee_id, "reason": "transfer", "last_day": "2026-12-31"})
    assert r.status_code == 403


def complete(api, handover_id):
    """Each receiver confirms, the customers are told, HR completes."""
    for who in ("service", "sales"):
        r = api(who).post(f"/api/v1/handover_record/{handover_id}/confirm")
        assert r.status_code == 200, r.get_json()
    r = api("hr").post(f"/api/v1/handover_record/{handover_id}/notify_customers",
                       json={"notice": "已电话告知新的责任人"})
    assert r.status_code == 200, r.get_json()
    r = api("hr").post(f"/api/v1/handover_record/{handover_id}/complete")
    assert r.status_code == 200 and r.get_json()["state"] == "completed", r.get_json()
    return r.get_json()


def test_each_receiver_confirms_receipt_before_hr_completes(api, holdings, db_ctx):
    # WF-05: 已接收 is confirmed by the receivers, not by HR alone
    api("clerk").post(f"/api/v1/borrow_request/{holdings['loan']}/return", json={"condition": "intact"})
    h = start(api)
    assert h["supervisor"] == user("salesmgr").employee_id
    assign_all(api, h["id"])
    api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/complete")
    assert r.status_code == 400 and "尚未确认接收" in r.get_json()["error"]
    assert api("hr").post(f"/api/v1/handover_record/{h['id']}/confirm").status_code == 403
    assert api("salesmgr").post(f"/api/v1/handover_record/{h['id']}/confirm").status_code in (403, 404)
    assert api("service").post(f"/api/v1/handover_record/{h['id']}/confirm").status_code == 200
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/complete")
    assert r.status_code == 400 and "张伟" in r.get_json()["error"]
    assert api("sales").post(f"/api/v1/handover_record/{h['id']}/confirm").status_code == 200
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/complete")
    assert r.status_code == 400 and "通知" in r.get_json()["error"]      # the customers to be told
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/notify_customers",
                       json={"notice": "已电话告知客户"})
    assert r.status_code == 200 and r.get_json()["customers_notified_at"]
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/complete")
    assert r.status_code == 200 and r.get_json()["state"] == "completed"


def test_a_leaver_takes_nothing_new_once_the_handover_is_executed(api, holdings, db_ctx):
    from models import Region
    api("clerk").post(f"/api/v1/borrow_request/{holdings['loan']}/return", json={"condition": "intact"})
    h = start(api)
    assign_all(api, h["id"])
    api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    customer = {"name": "新客户", "grade": "B", "region": Region.get(Region.name == "西北区").id,
                "account_owner": user("sales2").employee_id, "contact_name": "王工",
                "phone": "029-1", "address": "西安"}
    r = api("sales2").post("/api/v1/customer", json=customer)
    assert r.status_code == 403                      # the leaver creates nothing
    r = api("clerk").post("/api/v1/customer", json=customer)
    assert r.status_code == 400 and "离职" in r.get_json()["errors"]["account_owner"]
    customer["account_owner"] = user("sales").employee_id
    assert api("clerk").post("/api/v1/customer", json=customer).status_code == 201


def test_customer_notification_list_after_the_handover(portal, api, holdings, db_ctx):
    api("clerk").post(f"/api/v1/borrow_request/{holdings['loan']}/return", json={"condition": "intact"})
    h = start(api)
    assign_all(api, h["id"])
    api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    body = portal("hr").get(f"/reports/handover_customers/?handover={h['id']}").get_data(as_text=True)
    assert "南京宁衡计量" in body and "杭州称心衡器" in body and "李娜" in body and "张伟" in body
    x = portal("hr").get(f"/reports/handover_customers/?handover={h['id']}&format=xlsx")
    assert x.status_code == 200 and x.data[:2] == b"PK"


def test_details_page_groups_items_by_kind_with_counts(portal, api, holdings):
    h = start(api)
    page = portal("hr").get(f"/handover_record/details/?id={h['id']}").get_data(as_text=True)
    assert "移交清单" in page and "客户档案" in page and "须归还（不得移交）" in page
    assert 'data-transition="assign"' in page and 'data-transition="execute"' in page


def test_a_register_added_later_is_included_without_code_changes(api, db_ctx):
    import models
    from portal import registry
    from portal.db import BaseModel, db
    from portal.record import RecordBase

    class VehicleLoan(models.FormRecord):
        plate = CharField(max_length=20, verbose_name="车牌")
        owner = ForeignKeyField(models.Employee, backref="+", verbose_name="使用人")

        class Register:
            label = "车辆借用"
            group = "after_sales"
            numbering = "prefix"
            number_prefix = "CL"
            permissions = {"view": ("hr",)}

    db.create_tables([VehicleLoan])
    try:
        registry.add(VehicleLoan)
        VehicleLoan.create(record_no="CL-0001", plate="陕C·12345", owner=user("sales2").employee_id,
                           dept=user("sales2").employee.dept_id, filled_by=user("sales2").employee_id)
        h = start(api)
        assert ("vehicle_loan", "owner") in {(i.register, i.field) for i in items_of(h["id"])}
    finally:
        registry.remove("vehicle_loan")
        db.drop_tables([VehicleLoan])


def test_the_default_successor_gets_only_what_they_may_hold(api, holdings, db_ctx):
    # 张伟 (sales) may hold customers but not tools: the tool waits for an assignment.
    from models import Employee
    r = api("hr").post("/api/v1/handover_record", json={
        "employee": user("sales2").employee_id, "reason": "resignation", "last_day": "2026-12-31",
        "default_successor": user("sales").employee_id})
    assert r.status_code == 201, r.get_json()
    h = r.get_json()
    by_register = {}
    for item in items_of(h["id"]):
        by_register.setdefault(item.register, set()).add(item.successor_id)
    assert by_register["customer"] == {user("sales").employee_id}
    assert by_register["tool_custody"] == {None}
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    assert r.status_code == 400 and "尚未指定接收人" in str(r.get_json())

    # A successor who leaves after being assigned is refused at execution.
    api("hr").post(f"/api/v1/handover_record/{h['id']}/assign",
                   json={"successor": user("service").employee_id, "kind": "tool_custody"})
    Employee.update(status="departed").where(Employee.id == user("sales").employee_id).execute()
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    assert r.status_code == 400 and "张伟 无权持有" in str(r.get_json())


def test_a_handover_that_fails_half_way_moves_everything_back(api, holdings, monkeypatch, db_ctx):
    from models import Customer, HandoverRecord, HandoverItem
    from portal import services
    from portal.audit import AuditEvent, verify
    from portal.workflows import handover
    api("clerk").post(f"/api/v1/borrow_request/{holdings['loan']}/return", json={"condition": "intact"})
    h = start(api)
    assign_all(api, h["id"])
    monkeypatch.setattr(handover, "CHUNK", 1)           # a chunk per record
    real, calls = handover.move_group, []

    def fails_at_the_fourth(*args):
        calls.append(args)
        if len(calls) == 4:
            raise services.Conflict("记录在交接期间已被他人改动")
        return real(*args)
    monkeypatch.setattr(handover, "move_group", fails_at_the_fourth)
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    assert r.status_code == 409 and "已被他人改动" in r.get_json()["error"]
    sales2 = user("sales2").employee_id
    assert Customer.get_by_id(holdings["c1"].id).account_owner_id == sales2      # moved, then back
    assert Customer.get_by_id(holdings["c2"].id).patrol_visitor_id == sales2
    assert HandoverRecord.get_by_id(h["id"]).state == "started"
    assert not HandoverItem.select().where(HandoverItem.handover == h["id"], HandoverItem.moved == True,  # noqa: E712
                                           HandoverItem.must_return == False).exists()  # noqa: E712
    undone = AuditEvent.select().where(AuditEvent.action == "hand_over_undone").count()
    assert undone == AuditEvent.select().where(AuditEvent.action == "hand_over").count() == 3
    assert verify().ok
    # the cause gone, the same button completes it
    monkeypatch.setattr(handover, "move_group", real)
    r = api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    assert r.status_code == 200 and r.get_json()["state"] == "executed"
    assert Customer.get_by_id(holdings["c1"].id).account_owner_id == user("sales").employee_id


def test_other_writes_go_through_while_a_large_handover_runs(app, api, make, monkeypatch, db_ctx):
    """The records move in short transactions: another user's write waits at
    most one chunk, not the whole handover."""
    import threading
    import time
    from models import Customer, Employee, Region
    from portal.workflows import handover
    sales2 = user("sales2").employee
    region = Region.get(Region.name == "西北区")
    for n in range(40):
        make("customer", name=f"交接客户{n}", account_owner=sales2, region=region)
    h = start(api)
    assert api("hr").post(f"/api/v1/handover_record/{h['id']}/assign",
                          json={"successor": user("sales").employee_id}).status_code == 200
    monkeypatch.setattr(handover, "CHUNK", 4)
    real = handover.move_group

    def slow(*args):                     # each chunk holds the lock for a while
        time.sleep(0.3)
        return real(*args)
    monkeypatch.setattr(handover, "move_group", slow)
    result = {}

    def execute():
        result["r"] = api("hr").post(f"/api/v1/handover_record/{h['id']}/execute")
    runner = threading.Thread(target=execute)
    runner.start()
    time.sleep(1.0)                      # the handover is under way
    waits = []
    for n in range(3):
        started = time.monotonic()
        r = api("clerk").post("/api/v1/customer", json={
            "name": f"交接期间新建{n}", "grade": "B", "region": region.id,
            "account_owner": Employee.get(Employee.name == "张伟").id, "contact_name": "王",
            "phone": "029-1", "address": "西安"})
        waits.append(time.monotonic() - started)
        assert r.status_code == 201, r.get_json()
    runner.join(60)
    assert result["r"].status_code == 200 and result["r"].get_json()["state"] == "executed"
    assert max(waits) < 2.0, waits            # the whole handover took over 3 s
    assert Customer.select().where(Customer.account_owner == sales2.id).count() == 0
