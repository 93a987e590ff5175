"""The workflow engine on an approval form (赠送礼品预算申请表, F-23):
main path, refusals (wrong role, wrong state, missing input, self-approval),
double submission, concurrency, timeline, bulk action with preview."""
import threading

import pytest

from conftest import flt, user


@pytest.fixture
def gift(make, db_ctx):
    from models import Customer
    cust = make("customer", name="陕西省高速公路管理局")

    def create(actor="sales", **values):
        data = dict(customer=Customer.get_by_id(cust.id), reason="年度合作答谢",
                    gift="茶叶礼盒", budget="800.00")
        data.update(values)
        return make("gift_budget_request", actor=actor, **data)
    return create


def state(row):
    return type(row).get_by_id(row.id).state


def test_main_path_submit_then_superior_approves(api, gift, db_ctx):
    row = gift()
    r = api("sales").post(f"/api/v1/gift_budget_request/{row.id}/submit")
    assert r.status_code == 200 and r.get_json()["state"] == "pending"
    # sales' superior is the sales manager (陈明)
    assert r.get_json()["current_approver"] == user("salesmgr").employee_id
    r = api("salesmgr").post(f"/api/v1/gift_budget_request/{row.id}/approve", json={"comment": "同意"})
    assert r.status_code == 200 and r.get_json()["state"] == "approved"
    data = r.get_json()
    assert data["approved_by"] == user("salesmgr").employee_id
    assert data["responsible_signer"] == user("salesmgr").employee_id
    r = api("sales").post(f"/api/v1/gift_budget_request/{row.id}/execute")
    assert r.get_json()["state"] == "executed"


def test_someone_else_than_the_superior_cannot_approve(api, gift):
    row = gift()
    api("sales").post(f"/api/v1/gift_budget_request/{row.id}/submit")
    r = api("marketing").post(f"/api/v1/gift_budget_request/{row.id}/approve")
    assert r.status_code == 403
    assert "审批人" in r.get_json()["error"]
    assert state(row) == "pending"


def test_nobody_approves_their_own_submission(api, gift, db_ctx):
    from models import GiftBudgetRequest
    row = gift(actor="regional")
    api("regional").post(f"/api/v1/gift_budget_request/{row.id}/submit")
    # even if the request were routed to the filler himself, he cannot approve it
    GiftBudgetRequest.update(current_approver=user("regional").employee_id).execute()
    r = api("regional").post(f"/api/v1/gift_budget_request/{row.id}/approve")
    assert r.status_code == 403 and "自己" in r.get_json()["error"]
    assert state(row) == "pending"


def test_big_budget_also_needs_the_general_manager(api, gift, db_ctx):
    row = gift(budget="8000.00")
    api("sales").post(f"/api/v1/gift_budget_request/{row.id}/submit")
    r = api("salesmgr").post(f"/api/v1/gift_budget_request/{row.id}/approve")
    assert r.get_json()["state"] == "pending" and r.get_json()["approver_role"] == "general_manager"
    assert api("marketing").post(f"/api/v1/gift_budget_request/{row.id}/approve").status_code == 403
    r = api("gm").post(f"/api/v1/gift_budget_request/{row.id}/approve")
    assert r.get_json()["state"] == "approved"


def test_role_without_the_verb_is_refused(api, gift):
    row = gift()
    r = api("hr").post(f"/api/v1/gift_budget_request/{row.id}/submit")
    assert r.status_code in (403, 404)


def test_wrong_state_is_409_and_changes_nothing(api, gift, db_ctx):
    from portal.workflows.engine import WorkflowEvent
    row = gift()
    r = api("salesmgr").post(f"/api/v1/gift_budget_request/{row.id}/approve")
    assert r.status_code == 409 and "草稿" in r.get_json()["error"]
    assert WorkflowEvent.select().count() == 0


def test_reject_needs_a_reason(api, gift):
    row = gift()
    api("sales").post(f"/api/v1/gift_budget_request/{row.id}/submit")
    r = api("salesmgr").post(f"/api/v1/gift_budget_request/{row.id}/reject", json={})
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    assert state(row) == "pending"
    r = api("salesmgr").post(f"/api/v1/gift_budget_request/{row.id}/reject", json={"reason": "预算过高"})
    assert r.status_code == 200 and r.get_json()["rejection_reason"] == "预算过高"
    # the filler revises and submits again
    r = api("sales").post(f"/api/v1/gift_budget_request/{row.id}/submit")
    assert r.get_json()["state"] == "pending" and r.get_json()["rejection_reason"] is None


def test_double_submission_is_409(api, gift):
    row = gift()
    c = api("sales")
    assert c.post(f"/api/v1/gift_budget_request/{row.id}/submit").status_code == 200
    assert c.post(f"/api/v1/gift_budget_request/{row.id}/submit").status_code == 409


def test_two_approvals_at_once_give_one_transition(app, gift, db_ctx):
    from portal.workflows.engine import WorkflowEvent
    from portal.audit import AuditEvent
    row = gift()
    from conftest import Api
    Api(app, "sales").post(f"/api/v1/gift_budget_request/{row.id}/submit")
    clients = [Api(app, "salesmgr") for _ in range(4)]
    codes = []

    def hit(c):
        codes.append(c.post(f"/api/v1/gift_budget_request/{row.id}/approve").status_code)
    threads = [threading.Thread(target=hit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409, 409, 409]
    assert WorkflowEvent.select().where(WorkflowEvent.transition == "approve").count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "approve").count() == 1


def test_timeline_and_buttons_on_the_detail_page(portal, api, gift):
    row = gift()
    page = portal("sales").get(f"/gift_budget_request/details/?id={row.id}").get_data(as_text=True)
    assert 'data-transition="submit"' in page and 'data-transition="approve"' not in page
    p = portal("sales")
    r = p.post(f"/gift_budget_request/transition/submit/", data={"id": row.id, "comment": "请审批"})
    assert r.status_code == 302
    page = portal("salesmgr").get(f"/gift_budget_request/details/?id={row.id}").get_data(as_text=True)
    assert 'data-transition="approve"' in page and 'data-transition="reject"' in page
    assert "流转记录" in page and "请审批" in page and "待审批" in page


def test_html_transition_in_wrong_state_is_409(portal, gift):
    row = gift()
    r = portal("salesmgr").post("/gift_budget_request/transition/approve/", data={"id": row.id})
    assert r.status_code in (403, 409)


def test_state_is_a_list_column_and_filter(portal, gift):
    gift()
    state = flt("gift_budget_request", "state")
    body = portal("sales").get(f"/gift_budget_request/?{state}=draft").get_data(as_text=True)
    assert "草稿" in body and "茶叶礼盒" in body
    body = portal("sales").get(f"/gift_budget_request/?{state}=approved").get_data(as_text=True)
    assert "茶叶礼盒" not in body


def test_bulk_approve_previews_then_runs_in_one_transaction(portal, api, gift, db_ctx):
    rows = [gift(), gift(), gift()]
    for r in rows[:2]:
        api("sales").post(f"/api/v1/gift_budget_request/{r.id}/submit")
    p = portal("salesmgr")
    ids = [r.id for r in rows]
    preview = p.post("/gift_budget_request/action/", data={"action": "wf:approve", "rowid": ids})
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "<b>2</b>" in body
    assert state(rows[0]) == "pending"
    r = p.post("/gift_budget_request/action/", data={"action": "wf:approve", "rowid": ids,
                                                      "confirmed": "1"})
    assert r.status_code == 302
    assert [state(x) for x in rows] == ["approved", "approved", "draft"]


def test_transition_verbs_are_rows_of_the_matrix(portal):
    body = portal("admin").get("/permission_matrix/?group=customers").get_data(as_text=True)
    assert "gift_budget_request|approve" in body and "gift_budget_request|submit" in body


def test_waiting_for_me_queue(db_ctx, gift, api):
    from portal.workflows.queue import waiting_for
    row = gift()
    api("sales").post(f"/api/v1/gift_budget_request/{row.id}/submit")
    mine = {spec.name: n for spec, n in waiting_for(user("salesmgr"))}
    assert mine.get("gift_budget_request") == 1
    assert "gift_budget_request" not in {spec.name for spec, _ in waiting_for(user("sales2"))}


@pytest.mark.demo_data(shared=True)
def test_discretionary_actions_do_not_fill_the_queue(portal, db_ctx):
    """A trading customer can be interrupted or reviewed at any time, but it
    waits for nobody; a prospect waits for its 交易开始调查书, not for anyone
    in the customer register; the sales manager is waited for by disposals."""
    from models import Customer
    from portal.workflows.queue import waiting_query
    sales, manager = user("sales"), user("salesmgr")
    spec = Customer._spec
    waiting = {c.id for c in waiting_query(sales, spec)}
    assert not waiting & {c.id for c in Customer.select().where(Customer.lifecycle_status == "trading")}
    assert {c.id for c in waiting_query(manager, spec)} <= {c.id for c in Customer.select().where(
        Customer.lifecycle_status == "pending_disposal")}
