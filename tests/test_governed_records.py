"""Records obey the regulations: a record's state and its fields decide what
may change, on every path (form, API, import), through one write path.

The policy table walks every register with a workflow: in a locked state
(approved, closed, under approval...) no field changes by an edit, through the
form, the API or an import; in an open state the same edit is saved. The other
tests are the defects found by an audit of the portal, each named after the
rule it breaks."""
import io
import re
from datetime import datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter

import models
from conftest import Portal, user
from portal.registry import snake

DEMO_USERS = "clerk sales sales2 regional salesmgr marketing gm hr quality service reception admin".split()
WORKFLOW_REGISTERS = sorted(
    getattr(obj.Register, "name", None) or snake(name) for name, obj in vars(models).items()
    if isinstance(obj, type) and "Register" in obj.__dict__ and getattr(obj.Register, "workflow", None))


def upload(client, register, header, rows):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    for c, title in enumerate(header):
        sheet.write_string(0, c, title)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            sheet.write_string(r, c, str(value))
    book.close()
    return client.post(f"/api/v1/{register}/import",
                       data={"file": (io.BytesIO(buffer.getvalue()), "edit.xlsx")},
                       content_type="multipart/form-data")


def edits(spec, row):
    """(field, new value) pairs an edit of `row` could make now: its free text
    first (already written text before empty), then dates, numbers and flags."""
    from datetime import date
    from peewee import (BooleanField, CharField, DateField, DateTimeField, DecimalField,
                        IntegerField, TextField)
    from portal import policy
    from portal.fields import ListField, NotApplicableField
    out = []
    for name in policy.editable_now(spec, row):
        field = spec.fields[name]
        value = getattr(row, name, None)
        if isinstance(field, (ListField, NotApplicableField)) or field.choices or field.unique:
            continue
        if isinstance(field, (CharField, TextField)):
            rank = (0 if value else 2) + (type(field) is not TextField)
            out.append((rank, name, f"{value or ''}（修订）"[: getattr(field, "max_length", None) or 200]))
        elif isinstance(field, DateTimeField):
            out.append((4, name, str((value or datetime(2026, 11, 2, 9, 0)) - timedelta(hours=1))))
        elif isinstance(field, DateField):
            out.append((4, name, str((value or date(2026, 11, 2)) - timedelta(days=1))))
        elif isinstance(field, (DecimalField, IntegerField)):
            out.append((5, name, str((value or 0) + 1)))
        elif isinstance(field, BooleanField) and not field.null:
            out.append((6, name, not value))
    return [(name, value) for _, name, value in sorted(out)]


def editor_of(spec, row, verbs=("edit",)):
    import permissions
    for name in DEMO_USERS:
        actor = user(name)
        if all(permissions.can(actor, v, spec.model) for v in verbs) and \
                permissions.can(actor, "edit", spec.model, row):
            return name
    return None


# The policy table ------------------------------------------------------------------

@pytest.mark.demo_data
@pytest.mark.parametrize("register", WORKFLOW_REGISTERS)
def test_field_policy_by_state_on_every_path(app, api, register):
    """(register, state, role, field) -> refused in a locked state, saved in an
    open one, through the form, the API and an import."""
    from portal import registry
    spec = registry.get(register)
    Model, flow = spec.model, spec.workflow
    locked = [s for s in flow.states.values() if s.locked]
    assert locked, f"{register}: no state freezes the record (every workflow ends somewhere)"
    rows = list(Model.select().where(Model.deleted_at.is_null()).order_by(Model.id))
    assert rows, f"{register}: no demo record"
    open_rows = [r for r in rows if not flow.states[getattr(r, flow.state_field)].locked]
    row = open_rows[0] if open_rows else rows[0]
    if not open_rows:
        Model.update({flow.state_field: flow.initial}).where(Model.id == row.id).execute()
        row = Model.get_by_id(row.id)
    who = editor_of(spec, row)
    assert who, f"{register}: nobody may edit its record"
    c = api(who)

    # open state: an edit the register's own rules accept is saved
    tried = {}
    for field, value in edits(spec, row):
        r = c.patch(f"/api/v1/{register}/{row.id}", json={"version": row.version, field: value})
        tried[field] = r.status_code
        if r.status_code == 200:
            break
    assert r.status_code == 200, (register, tried)
    row = Model.get_by_id(row.id)
    saved = getattr(row, field)
    value = dict(edits(spec, row))[field]          # another change of the same field
    label = spec.label_of(field)

    # every locked state: the same edit is refused, on every path, and nothing changes
    for state in locked:
        Model.update({flow.state_field: state.code}).where(Model.id == row.id).execute()
        r = c.patch(f"/api/v1/{register}/{row.id}", json={"version": row.version, field: value})
        assert r.status_code == 409 and field in r.get_json()["errors"], (register, state.code, r.get_json())
        p = Portal(app, who)
        assert p.get(f"/{register}/edit/?id={row.id}").status_code == 302     # no form: details
        assert p.post(f"/{register}/edit/?id={row.id}", data={field: "已修订",
                                                             "version": row.version}).status_code == 409
        importer = editor_of(spec, row, verbs=("edit", "create"))
        if importer is not None:
            r = upload(api(importer), register, ["记录编号", label], [[row.record_no, "已修订"]])
            assert r.status_code == 400, (register, r.get_json())
            assert any(label in (e["column"] or "") or "冻结" in e["message"]
                       for e in r.get_json()["errors"]), r.get_json()["errors"]
        assert getattr(Model.get_by_id(row.id), field) == saved
        assert Model.get_by_id(row.id).version == row.version


# Approvals are binding and derived -----------------------------------------------------

@pytest.fixture
def gift(api, make, db_ctx):
    """A gift budget request of 张伟 for 800 元, approved by his superior."""
    def made(state="approved", budget="800"):
        customer = make("customer", name="宝鸡市交通运输局")
        row = make("gift_budget_request", actor="sales", customer=customer, gift="茶叶礼盒",
                   budget=budget, reason="合作十周年")
        if state in ("pending", "approved"):
            assert api("sales").post(f"/api/v1/gift_budget_request/{row.id}/submit").status_code == 200
        if state == "approved":
            r = api("salesmgr").post(f"/api/v1/gift_budget_request/{row.id}/approve", json={"comment": "同意"})
            assert r.get_json()["state"] == "approved", r.get_json()
        return api("sales").get(f"/api/v1/gift_budget_request/{row.id}").get_json()
    return made


def test_approved_gift_budget_amount_is_frozen(api, portal, gift):
    row = gift()
    r = api("sales").patch(f"/api/v1/gift_budget_request/{row['id']}",
                           json={"version": row["version"], "budget": "80000"})
    assert r.status_code == 409 and "budget" in r.get_json()["errors"]
    assert "申请变更" in r.get_json()["errors"]["budget"]
    r = portal("sales").get(f"/gift_budget_request/edit/?id={row['id']}", follow_redirects=True)
    assert "批准的内容已冻结" in r.get_data(as_text=True)
    listing = portal("sales").get("/gift_budget_request/").get_data(as_text=True)
    assert f"/gift_budget_request/edit/?id={row['id']}" not in listing       # no pencil
    assert api("sales").get(f"/api/v1/gift_budget_request/{row['id']}").get_json()["budget"] == 800


def test_an_amendment_goes_back_through_the_chain(api, gift):
    row = gift()
    r = api("sales").post(f"/api/v1/gift_budget_request/{row['id']}/amend", json={})
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    r = api("sales").post(f"/api/v1/gift_budget_request/{row['id']}/amend", json={"reason": "客户增加到场人数"})
    data = r.get_json()
    assert data["state"] == "draft" and data["approved_by"] is None and data["current_approver"] is None
    r = api("sales").patch(f"/api/v1/gift_budget_request/{row['id']}",
                           json={"version": data["version"], "budget": "9000"})
    assert r.status_code == 200
    data = api("sales").post(f"/api/v1/gift_budget_request/{row['id']}/submit").get_json()
    assert data["state"] == "pending"              # 9,000 > the threshold: the chain again
    data = api("salesmgr").post(f"/api/v1/gift_budget_request/{row['id']}/approve").get_json()
    assert data["state"] == "pending" and data["approver_role"] == "general_manager"


def test_the_filer_cannot_name_the_approver_or_the_step(api, gift):
    row = gift(state="pending", budget="9000")
    for field, value in (("current_approver", user("sales2").employee_id), ("approval_step", 1),
                         ("approver_role", None), ("approved_by", user("sales2").employee_id)):
        r = api("sales").patch(f"/api/v1/gift_budget_request/{row['id']}",
                               json={"version": row["version"], field: value})
        assert r.status_code in (400, 409) and field in r.get_json()["errors"], (field, r.get_json())
    assert api("sales2").post(f"/api/v1/gift_budget_request/{row['id']}/approve").status_code == 403
    data = api("sales").get(f"/api/v1/gift_budget_request/{row['id']}").get_json()
    assert data["current_approver"] == user("salesmgr").employee_id and data["state"] == "pending"


def test_an_approval_stamp_is_never_input(api, make, trading, db_ctx):
    row = make("customer")
    r = api("clerk").patch(f"/api/v1/customer/{row.id}",
                           json={"version": 1, "disposal_approved_by": user("salesmgr").employee_id})
    assert r.status_code == 400 and "disposal_approved_by" in r.get_json()["errors"]
    r = api("clerk").post("/api/v1/customer", json={
        "name": "盖章客户", "grade": "B", "region": row.region_id, "account_owner": row.account_owner_id,
        "contact_name": "王", "phone": "1", "address": "西安", "responsible_signer": user("gm").employee_id})
    assert r.status_code == 400 and "responsible_signer" in r.get_json()["errors"]


def test_the_approval_trail_records_who_when_and_the_content_approved(api, portal, gift, db_ctx):
    from portal import policy, registry
    from portal.workflows.engine import WorkflowEvent
    from models import GiftBudgetRequest
    row = gift()
    spec = registry.get("gift_budget_request")
    approve = WorkflowEvent.get(WorkflowEvent.register == "gift_budget_request",
                                WorkflowEvent.record_id == row["id"], WorkflowEvent.transition == "approve")
    assert approve.actor_name == "salesmgr" and approve.comment == "同意"
    assert approve.content_hash == policy.content_hash(spec, GiftBudgetRequest.get_by_id(row["id"]))
    page = portal("sales").get(f"/gift_budget_request/details/?id={row['id']}").get_data(as_text=True)
    assert approve.content_hash[:12] in page and "与现内容一致" in page
    # an amendment changes the content: the old approval shows that it approved something else
    api("sales").post(f"/api/v1/gift_budget_request/{row['id']}/amend", json={"reason": "调整"})
    version = GiftBudgetRequest.get_by_id(row["id"]).version
    api("sales").patch(f"/api/v1/gift_budget_request/{row['id']}", json={"version": version, "budget": "700"})
    page = portal("sales").get(f"/gift_budget_request/details/?id={row['id']}").get_data(as_text=True)
    assert "此后内容有变更" in page


# Fields that decide access are governed ------------------------------------------------

@pytest.fixture
def colleagues_file(make, db_ctx):
    """A customer of 销售一部 owned by 李娜 (sales2), in 刘静's custody."""
    from models import Department, Employee
    return make("customer", name="同部门客户", responsible_dept=Department.get(Department.abbr == "XS1"),
                account_owner=user("sales2").employee, custodian=Employee.get(Employee.name == "刘静"))


def test_a_peer_cannot_take_custody_of_or_seal_a_colleagues_file(api, colleagues_file):
    row = colleagues_file
    for field, value in (("custodian", user("sales").employee_id), ("confidentiality", "sealed"),
                         ("account_owner", user("sales").employee_id)):
        r = api("sales").patch(f"/api/v1/customer/{row.id}", json={"version": 1, field: value})
        assert r.status_code == 409 and "调整归属/密级" in r.get_json()["errors"][field], r.get_json()
    assert api("sales").post(f"/api/v1/customer/{row.id}/govern",
                             json={"confidentiality": "sealed", "reason": "x"}).status_code == 403
    assert api("sales2").get(f"/api/v1/customer/{row.id}").status_code == 200


def test_the_archive_custodian_changes_the_level_with_a_reason(api, portal, colleagues_file, db_ctx):
    from models import Customer
    from portal.audit import AuditEvent
    row = colleagues_file
    r = api("clerk").post(f"/api/v1/customer/{row.id}/govern", json={"confidentiality": "restricted"})
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    r = api("clerk").post(f"/api/v1/customer/{row.id}/govern",
                          json={"confidentiality": "restricted", "reason": "含开票与信用信息"})
    assert r.status_code == 200 and r.get_json()["confidentiality"] == "restricted"
    event = AuditEvent.get(AuditEvent.action == "govern", AuditEvent.record_id == row.id)
    assert event.change_dict["confidentiality"] == ["internal", "restricted"]
    assert event.comment == "含开票与信用信息"
    page = portal("clerk").get(f"/customer/details/?id={row.id}").get_data(as_text=True)
    assert 'data-transition="govern"' in page
    assert Customer.get_by_id(row.id).confidentiality == "restricted"


# Loans ------------------------------------------------------------------------------------

def borrowed_from_another_department(api, make, name):
    """A restricted customer file of 销售二部 and 张伟's request to read it."""
    from models import Department, Employee
    row = make("customer", actor="marketing", name=name, confidentiality="restricted",
               responsible_dept=Department.get(Department.abbr == "XS2"),
               account_owner=Employee.get(Employee.name == "何平"))
    request = api("sales").post("/api/v1/borrow_request", json={
        "register": "customer", "record": row.id, "purpose": "consult", "reason": "核对"})
    assert request.status_code == 201, request.get_json()
    return row, request.get_json()["id"]


def test_a_lent_loans_record_cannot_be_switched(api, lent_file, make, db_ctx):
    loan = lent_file("sales")
    sealed = make("customer", actor="marketing", name="封存客户")
    api("gm").post(f"/api/v1/customer/{sealed.id}/govern", json={"confidentiality": "sealed", "reason": "涉诉"})
    r = api("clerk").patch(f"/api/v1/borrow_request/{loan.id}", json={"version": loan.version,
                                                                     "record": sealed.id})
    assert r.status_code == 409 and "record" in r.get_json()["errors"]
    assert api("sales").get(f"/api/v1/customer/{sealed.id}").status_code == 404


def test_a_file_relevelled_to_sealed_is_not_opened_by_an_older_approval(api, make, db_ctx):
    row, rid = borrowed_from_another_department(api, make, "后改封存")
    # re-levelled while waiting: the marketing head is no longer the approver
    assert api("gm").post(f"/api/v1/customer/{row.id}/govern",
                          json={"confidentiality": "sealed", "reason": "涉诉"}).status_code == 200
    r = api("marketing").post(f"/api/v1/borrow_request/{rid}/approve")
    assert r.status_code == 403 and "密级" in r.get_json()["error"]
    # approved by the general manager at the sealed level, then lowered and raised again
    assert api("gm").post(f"/api/v1/borrow_request/{rid}/approve").status_code == 200
    version = api("gm").get(f"/api/v1/customer/{row.id}").get_json()["version"]
    api("gm").post(f"/api/v1/customer/{row.id}/govern", json={"confidentiality": "secret", "reason": "降级"})
    r = api("clerk").post(f"/api/v1/borrow_request/{rid}/lend")
    assert r.status_code == 409 and "重新申请" in r.get_json()["error"]
    assert version and api("sales").get(f"/api/v1/customer/{row.id}").status_code == 404


def test_a_lent_file_stops_opening_when_relevelled(api, lent_file, db_ctx):
    loan = lent_file("sales")
    assert api("sales").get(f"/api/v1/customer/{loan.record}").status_code == 200
    api("gm").post(f"/api/v1/customer/{loan.record}/govern", json={"confidentiality": "sealed", "reason": "涉诉"})
    assert api("sales").get(f"/api/v1/customer/{loan.record}").status_code == 404


def test_a_lent_customer_file_opens_for_an_hr_borrower(api, portal, lent_file, db_ctx):
    # a loan grants reading the one record even where the role does not read the register
    loan = lent_file("hr")
    assert api("hr").get(f"/api/v1/customer/{loan.record}").status_code == 200
    page = portal("hr").get(f"/customer/details/?id={loan.record}")
    assert page.status_code == 200 and "限阅客户甲" in page.get_data(as_text=True)
    listed = api("hr").get("/api/v1/customer").get_json()
    assert [item["id"] for item in listed["items"]] == [loan.record]
    assert api("hr").patch(f"/api/v1/customer/{loan.record}", json={"version": 1}).status_code == 403
    assert portal("hr").get(f"/customer/edit/?id={loan.record}").status_code == 403


def test_only_the_marketing_head_approves_a_loan_of_another_department(api, make, db_ctx):
    row, rid = borrowed_from_another_department(api, make, "他部门档案")
    for who in ("salesmgr", "gm", "clerk"):
        assert api(who).post(f"/api/v1/borrow_request/{rid}/approve").status_code == 403, who
    assert api("marketing").post(f"/api/v1/borrow_request/{rid}/approve").get_json()["state"] == "approved"


def test_the_approver_finds_a_new_loan_request_in_the_inbox(api, portal, make, db_ctx):
    row, _ = borrowed_from_another_department(api, make, "待审借阅")
    inbox = portal("marketing").get("/notifications/").get_data(as_text=True)
    assert "借阅申请待您审批" in inbox and "待审借阅" in inbox


def test_a_loan_is_extended_with_approval(api, lent_file, db_ctx):
    from portal import clock
    loan = lent_file("sales")
    due = loan.due_at + timedelta(days=2)
    r = api("sales").post(f"/api/v1/borrow_request/{loan.id}/extend", json={"due": str(due)})
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    r = api("sales2").post(f"/api/v1/borrow_request/{loan.id}/extend", json={"due": str(due), "reason": "x"})
    assert r.status_code in (403, 404)
    r = api("sales").post(f"/api/v1/borrow_request/{loan.id}/extend", json={"due": str(due), "reason": "资料未核完"})
    assert r.status_code == 200 and r.get_json()["state"] == "extending"
    assert api("sales").get(f"/api/v1/customer/{loan.record}").status_code == 200    # still lent meanwhile
    r = api("marketing").post(f"/api/v1/borrow_request/{loan.id}/approve_extension")
    assert r.status_code == 200 and r.get_json()["state"] == "lent"
    assert r.get_json()["due_at"].startswith(due.strftime("%Y-%m-%d"))
    clock.set(loan.due_at + timedelta(hours=1))         # past the old due time, before the new one
    assert api("sales").get(f"/api/v1/customer/{loan.record}").status_code == 200


# Nothing disappears -------------------------------------------------------------------------

@pytest.mark.demo_data
def test_a_live_complaint_under_retention_is_not_deleted(api, portal):
    from models import Complaint
    case = Complaint.select().where(Complaint.state == "investigating").first() or \
        Complaint.select().where(Complaint.state == "closed").first()
    r = api("salesmgr").delete(f"/api/v1/complaint/{case.id}")
    assert r.status_code == 409 and "不能删除" in r.get_json()["error"]
    r = portal("salesmgr").post("/complaint/delete/", data={"id": case.id}, follow_redirects=True)
    assert "不能删除" in r.get_data(as_text=True)
    assert Complaint.get_by_id(case.id).deleted_at is None


@pytest.mark.demo_data
def test_delete_cannot_bypass_the_disposal_of_a_customer_file(api):
    from models import Customer
    row = Customer.select().where(Customer.lifecycle_status == "prospect").order_by(Customer.id).first()
    r = api("clerk").delete(f"/api/v1/customer/{row.id}")
    assert r.status_code == 409 and "保存期限" in r.get_json()["error"] or "关联记录" in r.get_json()["error"]
    assert Customer.get_by_id(row.id).deleted_at is None


def test_an_entry_error_is_deleted_and_the_general_manager_restores_it(api, portal, make, db_ctx):
    from models import Customer
    row = make("customer", name="录入错误的客户")
    assert api("clerk").delete(f"/api/v1/customer/{row.id}").status_code == 204
    assert api("gm").get(f"/api/v1/customer/{row.id}").status_code == 404
    bin_page = portal("gm").get("/customer/?archived=1").get_data(as_text=True)
    assert "录入错误的客户" in bin_page
    assert api("gm").post(f"/api/v1/customer/{row.id}/restore").status_code == 200
    assert Customer.get_by_id(row.id).deleted_at is None


def test_a_legal_hold_stops_deletion(api, make, db_ctx):
    row = make("customer", name="诉讼中的客户")
    assert api("gm").post(f"/api/v1/customer/{row.id}/govern",
                          json={"legal_hold": "1", "reason": "涉诉，法务要求保全"}).status_code == 200
    r = api("clerk").delete(f"/api/v1/customer/{row.id}")
    assert r.status_code == 409 and "保全" in r.get_json()["error"]


def past_retention(make, **values):
    """A customer file whose three years of retention ended."""
    from datetime import date
    from models import Customer
    row = make("customer", **values)
    Customer.update(retention_until=date(2020, 1, 1), lifecycle_status="disposed").where(
        Customer.id == row.id).execute()
    return Customer.get_by_id(row.id)


def test_disposal_after_retention_needs_approval_and_leaves_a_tombstone(api, make, db_ctx):
    from models import Customer
    from portal.audit import AuditEvent
    row = past_retention(make, name="早已解散的客户", contact_name="王某某")
    r = api("clerk").post("/api/v1/disposal_request", json={"register": "customer", "record": row.id,
                                                            "reason": "保存期满", "method": "碎纸"})
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    assert req["title"] == "早已解散的客户" and req["target_no"] == row.record_no
    api("clerk").post(f"/api/v1/disposal_request/{req['id']}/submit")
    assert api("clerk").post(f"/api/v1/disposal_request/{req['id']}/approve").status_code == 403   # own
    assert api("gm").post(f"/api/v1/disposal_request/{req['id']}/approve").status_code == 403      # 销售经理's
    assert api("salesmgr").post(f"/api/v1/disposal_request/{req['id']}/approve").get_json()["state"] == "approved"
    r = api("clerk").post(f"/api/v1/disposal_request/{req['id']}/execute")
    assert r.status_code == 200 and r.get_json()["disposed_record_at"]
    tomb = Customer.get_by_id(row.id)
    assert tomb.deleted_at is not None and tomb.disposed_at is not None
    assert tomb.record_no == row.record_no and "已销毁" in tomb.name and tomb.contact_name is None
    assert api("gm").get(f"/api/v1/customer?archived=1").get_json()["total"] == 0     # not in the bin
    assert api("gm").post(f"/api/v1/customer/{row.id}/restore").status_code == 404
    event = AuditEvent.get(AuditEvent.action == "dispose", AuditEvent.record_id == row.id)
    assert "早已解散" not in (event.changes or "")


def test_a_record_under_retention_or_a_hold_is_not_disposed_of(api, make, db_ctx):
    fresh = make("customer", name="仍在保存期")
    r = api("clerk").post("/api/v1/disposal_request", json={"register": "customer", "record": fresh.id,
                                                            "reason": "x"})
    assert r.status_code == 400 and "保存期满前不能销毁" in r.get_json()["errors"]["record"]
    held = past_retention(make, name="保全中")
    req = api("clerk").post("/api/v1/disposal_request", json={"register": "customer", "record": held.id,
                                                              "reason": "x"}).get_json()
    api("clerk").post(f"/api/v1/disposal_request/{req['id']}/submit")
    api("salesmgr").post(f"/api/v1/disposal_request/{req['id']}/approve")
    assert api("gm").post(f"/api/v1/customer/{held.id}/govern",
                          json={"legal_hold": "1", "reason": "审计要求"}).status_code == 200
    r = api("clerk").post(f"/api/v1/disposal_request/{req['id']}/execute")
    assert r.status_code in (400, 409) and "保全" in r.get_json()["error"]


# The audit log -------------------------------------------------------------------------------

def test_audit_values_of_a_sealed_record_are_withheld_from_those_who_cannot_read_it(portal, make, api, db_ctx):
    from portal.audit import AuditEvent
    row = make("customer", actor="marketing", name="封存的客户名称", phone="029-99990000",
               custodian=user("clerk").employee)
    api("gm").post(f"/api/v1/customer/{row.id}/govern", json={"confidentiality": "sealed", "reason": "涉诉"})
    version = api("clerk").get(f"/api/v1/customer/{row.id}").get_json()["version"]
    assert api("clerk").patch(f"/api/v1/customer/{row.id}",       # the custodian keeps it
                              json={"version": version, "phone": "029-11112222"}).status_code == 200
    event = AuditEvent.get(AuditEvent.action == "edit", AuditEvent.record_id == row.id)
    for who in ("admin", "marketing", "hr", "salesmgr"):
        page = portal(who).get(f"/audit_event/details/?id={event.id}").get_data(as_text=True)
        assert "029-11112222" not in page and "不予显示" in page, who
        listing = portal(who).get("/audit_event/").get_data(as_text=True)
        assert "029-11112222" not in listing and "封存的客户名称" not in listing
    assert "029-11112222" in portal("gm").get(f"/audit_event/details/?id={event.id}").get_data(as_text=True)


def test_a_complaint_is_given_to_a_handler_only_by_assignment(api, make, db_ctx):
    # the handler reads and works the case: 分派 decides it (R-CMP-15), an edit does not
    from models import Customer
    customer = make("customer", name="分派测试客户")
    case = make("complaint", actor="clerk", customer=Customer.get_by_id(customer.id), title="读数漂移",
                content="过车时读数波动", type="complaint", received_by=user("clerk").employee)
    r = api("clerk").patch(f"/api/v1/complaint/{case.id}",
                           json={"version": case.version, "handler": user("sales2").employee_id})
    assert r.status_code == 400 and "handler" in r.get_json()["errors"]
    assert api("sales2").get(f"/api/v1/complaint/{case.id}").status_code == 404
