"""Customer file rules: tracking cadence by grade (R-TRK-01..03) and the
customer lifecycle (WF-06, R-CUS)."""
from datetime import date

import pytest

from conftest import user


@pytest.mark.parametrize("grade,due", [("A", date(2026, 2, 10)), ("B", date(2026, 4, 10)),
                                       ("C", date(2026, 7, 10)), ("D", date(2027, 1, 10))])
def test_next_tracking_due_follows_the_grade(make, db_ctx, grade, due):
    row = make("customer", grade=grade, filled_at=date(2026, 1, 10))
    assert row.next_tracking_due == due


def test_a_visit_moves_the_next_tracking_date(make, db_ctx):
    from models import Customer
    row = make("customer", grade="A", filled_at=date(2026, 1, 10))
    make("customer_visit_record", actor="sales", customer=row, visited_at=date(2026, 3, 5),
         visitor=user("sales").employee, findings="设备运行正常")
    fresh = Customer.get_by_id(row.id)
    assert fresh.last_tracked_at == date(2026, 3, 5)
    assert fresh.next_tracking_due == date(2026, 4, 5)


def test_grade_change_recomputes_the_due_date(api, make, db_ctx):
    row = make("customer", grade="C", filled_at=date(2026, 1, 10))
    r = api("clerk").patch(f"/api/v1/customer/{row.id}", json={"version": 1, "grade": "A"})
    assert r.get_json()["next_tracking_due"] == "2026-02-10"


def test_tracking_cadence_is_configuration(api, make, db_ctx):
    from models import SlaRule
    SlaRule.update(value=2).where(SlaRule.key == "tracking_A").execute()
    row = make("customer", grade="A", filled_at=date(2026, 1, 10))
    assert row.next_tracking_due == date(2026, 3, 10)


def test_lifecycle_state_is_not_editable_directly(api, make):
    row = make("customer")
    r = api("clerk").patch(f"/api/v1/customer/{row.id}", json={"version": 1, "lifecycle_status": "trading"})
    assert r.status_code == 400 and "lifecycle_status" in r.get_json()["errors"]


def test_a_customer_trades_only_through_the_trade_start_investigation(api, make, trading):
    # R-CUS-04: no role activates a customer directly; the approved 交易开始调查书 does
    row = make("customer")
    for who in ("sales", "salesmgr", "marketing", "gm"):
        assert api(who).post(f"/api/v1/customer/{row.id}/activate").status_code == 403
    assert api("salesmgr").get(f"/api/v1/customer/{row.id}").get_json()["lifecycle_status"] == "prospect"
    investigation = trading(row)
    assert investigation.state == "approved"
    assert api("salesmgr").get(f"/api/v1/customer/{row.id}").get_json()["lifecycle_status"] == "trading"


def test_terminating_needs_reason_and_bin_and_files_the_customer_apart(api, make, trading):
    row = make("customer")
    trading(row)
    r = api("salesmgr").post(f"/api/v1/customer/{row.id}/terminate", json={})
    assert r.status_code == 400 and set(r.get_json()["errors"]) == {"reason", "bin"}
    r = api("salesmgr").post(f"/api/v1/customer/{row.id}/terminate",
                             json={"reason": "relationship_ended", "bin": "past"})
    data = r.get_json()
    assert data["lifecycle_status"] == "past" and data["closed_file_bin"] == "past"
    assert data["termination_reason"] == "relationship_ended" and data["terminated_at"]


def test_disposal_needs_the_sales_managers_approval(api, make, trading):
    row = make("customer")
    trading(row)
    api("salesmgr").post(f"/api/v1/customer/{row.id}/terminate", json={"reason": "dissolved", "bin": "suspended"})
    assert api("salesmgr").post(f"/api/v1/customer/{row.id}/dispose").status_code == 409
    assert api("clerk").post(f"/api/v1/customer/{row.id}/request_disposal").status_code == 200
    assert api("clerk").post(f"/api/v1/customer/{row.id}/dispose").status_code == 403
    r = api("salesmgr").post(f"/api/v1/customer/{row.id}/dispose")
    assert r.get_json()["lifecycle_status"] == "disposed"
    assert r.get_json()["disposal_approved_by"] == user("salesmgr").employee_id


def test_half_yearly_review_is_recorded(api, make, trading):
    row = make("customer")
    trading(row)
    r = api("sales").post(f"/api/v1/customer/{row.id}/review", json={"comment": "2月定期调查：信用良好"})
    assert r.status_code == 200 and r.get_json()["last_review_at"]
