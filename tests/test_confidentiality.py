"""Archive confidentiality (R-ARC) on every path, and borrowing (WF-04)."""
import re
import threading
from datetime import datetime, timedelta

import pytest

from conftest import Api, flt, user


@pytest.fixture
def files(make, db_ctx):
    """R: restricted file of 销售二部 owned by 李娜 (sales2); R3: another
    restricted file of 销售二部; S: sealed file kept by 刘静 (clerk)."""
    from models import Department, Employee
    xs2 = Department.get(Department.abbr == "XS2")
    clerk = Employee.get(Employee.name == "刘静")
    he = Employee.get(Employee.name == "何平")
    r = make("customer", actor="marketing", name="限阅客户甲", responsible_dept=xs2,
             account_owner=user("sales2").employee, confidentiality="restricted", custodian=clerk)
    r3 = make("customer", actor="marketing", name="限阅客户乙", responsible_dept=xs2,
              account_owner=he, confidentiality="restricted", custodian=clerk)
    s = make("customer", actor="marketing", name="封存客户丙", responsible_dept=xs2,
             account_owner=he, confidentiality="sealed", custodian=clerk)
    return {"R": r, "R3": r3, "S": s}


def listed(body, text):
    """Whether `text` is the content of a cell of a list table."""
    return re.search(r'<td class="col-[\w-]+">\s*' + re.escape(text) + r"\s*</td>", body) is not None


def api_sees(api, username, row):
    return api(username).get(f"/api/v1/customer/{row.id}").status_code == 200


# Who reads what without borrowing -------------------------------------------------

@pytest.mark.parametrize("username,key,expected", [
    ("sales", "R", False),        # another department's restricted file
    ("sales2", "R", True),        # the owner
    ("clerk", "R", True),         # the custodian
    ("marketing", "R", True),     # restricted: marketing head
    ("salesmgr", "R", True),      # restricted: sales manager
    ("gm", "R", True),
    ("marketing", "S", False),    # sealed: not the marketing head
    ("salesmgr", "S", False),
    ("clerk", "S", True),         # sealed: the custodian
    ("gm", "S", True),            # sealed: the general manager
    ("regional", "R", False),     # XS1 staff, not XS2
])
def test_who_reads_which_file(api, files, username, key, expected):
    assert api_sees(api, username, files[key]) is expected


def test_a_sales_rep_cannot_read_another_departments_restricted_file_on_any_endpoint(
        portal, api, files, make, db_ctx):
    r = files["R"]
    p = portal("sales")
    assert not listed(p.get("/customer/").get_data(as_text=True), "限阅客户甲")
    assert not listed(p.get("/customer/?search=限阅客户甲").get_data(as_text=True), "限阅客户甲")
    grade_b = f"/customer/?{flt('customer', 'grade')}=B"
    assert not listed(p.get(grade_b).get_data(as_text=True), "限阅客户甲")
    assert listed(portal("sales2").get(grade_b).get_data(as_text=True), "限阅客户甲")
    assert p.get(f"/customer/details/?id={r.id}").status_code == 404
    assert p.get(f"/customer/edit/?id={r.id}").status_code == 404
    lookup = p.get("/customer_visit_record/ajax/lookup/?name=customer&query=限阅").get_json()
    assert lookup == []
    c = api("sales")
    assert c.get(f"/api/v1/customer/{r.id}").status_code == 404
    assert all(item["id"] != r.id for item in c.get("/api/v1/customer?per_page=200").get_json()["items"])
    assert c.get("/api/v1/customer?q=限阅客户甲").get_json()["total"] == 0
    assert c.patch(f"/api/v1/customer/{r.id}", json={"version": 1, "grade": "A"}).status_code == 404
    # a visit record about it (by the owner) does not leak it through the filter either
    make("customer_visit_record", actor="sales2", customer=r, visitor=user("sales2").employee,
         findings="拜访")
    by_customer = f"/customer_visit_record/?{flt('customer_visit_record', 'customer')}=限阅客户甲"
    body = p.get(by_customer).get_data(as_text=True)
    assert not listed(body, "限阅客户甲")
    assert listed(portal("sales2").get(by_customer).get_data(as_text=True), "限阅客户甲")


def test_marketing_head_cannot_touch_a_sealed_file_on_any_endpoint(portal, api, files, db_ctx):
    from models import Customer
    s = files["S"]
    p = portal("marketing")
    assert not listed(p.get("/customer/").get_data(as_text=True), "封存客户丙")
    assert p.get(f"/customer/details/?id={s.id}").status_code == 404
    assert p.post("/customer/delete/", data={"id": s.id}).status_code == 404
    p.post("/customer/action/", data={"action": "delete", "rowid": [s.id]})
    assert Customer.get_by_id(s.id).deleted_at is None
    export = p.get("/customer/export/csv/").get_data(as_text=True)
    assert "封存客户丙" not in export and "限阅客户甲" in export
    assert api("marketing").delete(f"/api/v1/customer/{s.id}").status_code == 404
    assert api("marketing").post(f"/api/v1/customer/{s.id}/activate").status_code == 404


def test_reads_of_sealed_and_restricted_content_are_audited_with_their_grant(
        portal, api, files, db_ctx):
    from portal.audit import AuditEvent
    portal("gm").get(f"/customer/details/?id={files['S'].id}")
    api("sales2").get(f"/api/v1/customer/{files['R'].id}")
    portal("clerk").get(f"/customer/edit/?id={files['S'].id}")
    reads = {(e.actor_name, e.record_id, e.grant, e.comment) for e in
             AuditEvent.select().where(AuditEvent.action == "read")}
    assert ("gm", files["S"].id, "role:general_manager", "details") in reads
    assert ("sales2", files["R"].id, "owner", "api") in reads
    assert ("clerk", files["S"].id, "custodian", "edit") in reads


def test_export_rows_of_confidential_files_are_audited(portal, files, db_ctx):
    from portal.audit import AuditEvent
    portal("gm").get("/customer/export/csv/").get_data()
    reads = [e for e in AuditEvent.select().where(AuditEvent.action == "read",
                                                  AuditEvent.comment == "export")]
    assert {e.record_id for e in reads} >= {files["R"].id, files["S"].id}
    export = AuditEvent.get(AuditEvent.action == "export")
    assert export.change_dict["rows"][1] >= 3


def test_the_catalogue_shows_titles_not_content_and_offers_borrowing(portal, files):
    page = portal("sales").get("/archive_catalogue/?register=customer").get_data(as_text=True)
    assert "限阅客户甲" in page and "封存客户丙" in page
    assert f"record={files['R'].id}" in page          # 申请借阅 link
    assert "029-88886666" not in page                  # no content (phone)


# Borrowing -------------------------------------------------------------------

def borrow(api, username, row, **extra):
    body = {"register": "customer", "record": row.id, "purpose": "consult",
            "reason": "核对开票信息", **extra}
    return api(username).post("/api/v1/borrow_request", json=body)


def test_approval_grants_exactly_the_approved_record_until_due(api, portal, files, db_ctx):
    from portal import clock
    r, r3 = files["R"], files["R3"]
    req = borrow(api, "sales", r)
    assert req.status_code == 201, req.get_json()
    data = req.get_json()
    assert data["state"] == "pending" and data["approver_role"] == "marketing_head"
    assert data["title"] == "限阅客户甲" and data["level"] == "restricted"
    rid = data["id"]
    assert api("marketing").post(f"/api/v1/borrow_request/{rid}/approve", json={"comment": "同意查阅"}).status_code == 200
    assert not api_sees(api, "sales", r)          # approved, not yet lent
    assert api("clerk").post(f"/api/v1/borrow_request/{rid}/lend").status_code == 200
    assert api_sees(api, "sales", r)
    assert not api_sees(api, "sales", r3)         # exactly the approved record
    assert portal("sales").get(f"/customer/details/?id={r.id}").status_code == 200
    assert portal("sales").get(f"/customer/edit/?id={r.id}").status_code == 404   # read only
    due = datetime.fromisoformat(api("sales").get(f"/api/v1/borrow_request/{rid}").get_json()["due_at"])
    clock.set(due + timedelta(seconds=1))         # no job runs: access ends at the due time
    assert not api_sees(api, "sales", r)
    assert portal("sales").get(f"/customer/details/?id={r.id}").status_code == 404


def test_sealed_file_needs_the_general_managers_approval(api, files):
    rid = borrow(api, "sales", files["S"]).get_json()["id"]
    data = api("sales").get(f"/api/v1/borrow_request/{rid}").get_json()
    assert data["approver_role"] == "general_manager"
    assert api("marketing").post(f"/api/v1/borrow_request/{rid}/approve").status_code == 403
    assert api("gm").post(f"/api/v1/borrow_request/{rid}/approve").status_code == 200


def test_sealed_loans_are_due_the_same_day(api, files):
    data = borrow(api, "sales", files["S"]).get_json()
    due = datetime.fromisoformat(data["due_at"])
    requested = datetime.fromisoformat(data["requested_at"])
    assert due.date() == requested.date() and due.hour == 23


def test_loans_never_exceed_thirty_days(api, files):
    far = (datetime.now() + timedelta(days=45)).strftime("%Y-%m-%d %H:%M:%S")
    r = borrow(api, "sales", files["R"], due_at=far)
    assert r.status_code == 400 and "30" in r.get_json()["errors"]["due_at"]


def test_nobody_approves_their_own_request(api, files, db_ctx):
    from models import BorrowRequest
    rid = borrow(api, "sales", files["R"]).get_json()["id"]
    BorrowRequest.update(borrower=user("marketing").employee_id).where(BorrowRequest.id == rid).execute()
    r = api("marketing").post(f"/api/v1/borrow_request/{rid}/approve")
    assert r.status_code == 403


def test_reject_needs_a_reason(api, files):
    rid = borrow(api, "sales", files["R"]).get_json()["id"]
    assert api("marketing").post(f"/api/v1/borrow_request/{rid}/reject", json={}).status_code == 400
    r = api("marketing").post(f"/api/v1/borrow_request/{rid}/reject", json={"reason": "与工作无关"})
    assert r.get_json()["state"] == "rejected"


@pytest.mark.parametrize("setup,action,actor", [
    (["approve"], "approve", "marketing"),          # approving twice
    (["cancel"], "approve", "marketing"),           # approving a cancelled request
    ([], "return", "clerk"),                        # returning what was never lent
    (["approve"], "return", "clerk"),
])
def test_actions_not_allowed_in_the_state_are_409(api, files, setup, action, actor):
    rid = borrow(api, "sales", files["R"]).get_json()["id"]
    who = {"approve": "marketing", "cancel": "sales"}
    for step in setup:
        assert api(who[step]).post(f"/api/v1/borrow_request/{rid}/{step}").status_code == 200
    r = api(actor).post(f"/api/v1/borrow_request/{rid}/{action}", json={"condition": "intact"})
    assert r.status_code == 409 and r.get_json()["error"]


def test_only_the_borrower_cancels(api, files):
    rid = borrow(api, "sales", files["R"]).get_json()["id"]
    assert api("sales2").post(f"/api/v1/borrow_request/{rid}/cancel").status_code in (403, 404)
    assert api("sales").post(f"/api/v1/borrow_request/{rid}/cancel").get_json()["state"] == "cancelled"


def test_two_approvals_at_once_give_one_grant(app, api, files, db_ctx):
    from portal.audit import AuditEvent
    from portal.workflows.engine import WorkflowEvent
    rid = borrow(api, "sales", files["R"]).get_json()["id"]
    clients = [Api(app, "marketing"), Api(app, "marketing"), Api(app, "marketing")]
    codes = []
    threads = [threading.Thread(target=lambda c=c: codes.append(
        c.post(f"/api/v1/borrow_request/{rid}/approve").status_code)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409, 409]
    assert WorkflowEvent.select().where(WorkflowEvent.transition == "approve").count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "approve").count() == 1


def test_lost_file_is_recorded_with_a_penalty_and_flagged_for_recreation(api, files):
    rid = borrow(api, "sales", files["R"]).get_json()["id"]
    api("marketing").post(f"/api/v1/borrow_request/{rid}/approve")
    api("clerk").post(f"/api/v1/borrow_request/{rid}/lend")
    r = api("clerk").post(f"/api/v1/borrow_request/{rid}/lose", json={})
    assert r.status_code == 400 and "penalty" in r.get_json()["errors"]
    r = api("clerk").post(f"/api/v1/borrow_request/{rid}/lose", json={"penalty": "800"})
    assert r.status_code == 400
    assert api("sales").post(f"/api/v1/borrow_request/{rid}/lose", json={"penalty": "300"}).status_code == 403
    r = api("clerk").post(f"/api/v1/borrow_request/{rid}/lose", json={"penalty": "300"})
    data = r.get_json()
    assert data["state"] == "lost" and data["recreate_required"] is True and data["penalty"] == 300.0
    assert data["return_condition"] == "lost"
    assert not api_sees(api, "sales", files["R"])


def test_sweep_marks_overdue_loans_once_and_notifies(app, api, files, db_ctx):
    from portal.notify import Notification
    from portal.sweep import run_all
    rid = borrow(api, "sales", files["R"]).get_json()["id"]
    api("marketing").post(f"/api/v1/borrow_request/{rid}/approve")
    api("clerk").post(f"/api/v1/borrow_request/{rid}/lend")
    due = datetime.fromisoformat(api("sales").get(f"/api/v1/borrow_request/{rid}").get_json()["due_at"])
    later = due + timedelta(hours=1)
    results = []

    def sweep():
        from portal.db import connection
        with app.app_context(), connection():
            results.append(dict(run_all(later))["overdue_loans"])
    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 0, 1]
    assert dict(run_all(later))["overdue_loans"] == 0
    assert api("sales").get(f"/api/v1/borrow_request/{rid}").get_json()["state"] == "overdue"
    notes = Notification.select().where(Notification.kind == "overdue")
    assert {n.recipient_id for n in notes} == {user("sales").id, user("clerk").id}


def test_inbox_lists_the_overdue_notice(portal, api, files):
    from portal.sweep import run_all
    rid = borrow(api, "sales", files["R"]).get_json()["id"]
    api("marketing").post(f"/api/v1/borrow_request/{rid}/approve")
    api("clerk").post(f"/api/v1/borrow_request/{rid}/lend")
    due = datetime.fromisoformat(api("sales").get(f"/api/v1/borrow_request/{rid}").get_json()["due_at"])
    run_all(due + timedelta(minutes=5))
    page = portal("sales").get("/notifications/").get_data(as_text=True)
    assert "已逾期未归还" in page and "限阅客户甲" in page


def test_approvers_queue_and_my_loans(portal, api, files):
    borrow(api, "sales", files["R"])
    home = portal("marketing").get("/").get_data(as_text=True)
    assert "借阅登记" in home and "waiting=1" in home
    mine = portal("sales").get("/borrow_request/").get_data(as_text=True)
    assert "限阅客户甲" in mine
    assert "限阅客户甲" not in portal("quality").get("/borrow_request/").get_data(as_text=True)


def test_borrowing_a_readable_file_is_refused(api, files):
    r = borrow(api, "sales2", files["R"])
    assert r.status_code == 400 and "无需借阅" in r.get_json()["errors"]["record"]


def test_only_archive_registers_can_be_borrowed(api, make):
    row = make("customer_visit_record", actor="sales", visitor=user("sales").employee, findings="x")
    r = api("sales2").post("/api/v1/borrow_request", json={
        "register": "customer_visit_record", "record": row.id, "purpose": "consult", "reason": "x"})
    assert r.status_code == 400 and "register" in r.get_json()["errors"]


def test_a_file_read_on_loan_offers_no_edit_or_delete(portal, lent_file, make):
    # 张伟 edits his own customers but only reads the one lent to him.
    from models import Employee
    own = make("customer", actor="sales", name="自己的客户乙", account_owner=Employee.get(Employee.name == "张伟"))
    lent = lent_file("sales").record
    sales = portal("sales")
    details = sales.get(f"/customer/details/?id={lent}").get_data(as_text=True)
    assert f"/customer/edit/?id={lent}" not in details
    assert f"/customer/edit/?id={own.id}" in sales.get(f"/customer/details/?id={own.id}").get_data(as_text=True)
    page = sales.get("/customer/?search=客户").get_data(as_text=True)

    def row_of(record_id):
        rows = [r for r in page.split("<tr")[1:] if f"/customer/details/?id={record_id}&" in r]
        assert len(rows) == 1
        return rows[0]
    assert "/customer/edit/" not in row_of(lent) and "/customer/delete/" not in row_of(lent)
    assert "/customer/edit/" in row_of(own.id)
