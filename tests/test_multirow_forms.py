"""Multi-row forms edit their child rows inline on the parent's form, in the
parent's transaction, and the child rows' changes are in the parent's audit."""
from conftest import user


def post_report(portal, make):
    cust = make("customer", name="陕西高速")
    p = portal("sales")
    emp = user("sales").employee
    data = {"visitor": emp.id, "date": "2026-11-20", "submitted_to": user("salesmgr").employee_id,
            "dept": emp.dept_id, "filled_at": "2026-11-20", "filled_by": emp.id,
            "retention_class": "three_years", "confidentiality": "internal",
            "entries-0-customer": cust.id, "entries-0-visited_at": "2026-11-20 10:00:00",
            "entries-0-opinions": "满意",
            "entries-1-customer": cust.id, "entries-1-visited_at": "2026-11-20 15:00",
            "entries-1-opinions": "希望降价"}
    return p, p.post("/patrol_daily_report/new/", data=data)


def test_child_rows_are_created_with_the_parent(portal, make, db_ctx):
    from models import PatrolDailyEntry, PatrolDailyReport
    assert "entries" in portal("sales").get("/patrol_daily_report/new/").get_data(as_text=True)
    _, r = post_report(portal, make)
    assert r.status_code == 302
    report = PatrolDailyReport.get()
    assert [e.opinions for e in report.entries.order_by(PatrolDailyEntry.id)] == ["满意", "希望降价"]


def test_child_rows_changes_are_audited_with_the_parent(portal, make, db_ctx):
    from portal.audit import AuditEvent
    post_report(portal, make)
    event = AuditEvent.get(AuditEvent.register == "patrol_daily_report")
    before, after = event.change_dict["entries"]
    assert before == [] and len(after) == 2


def test_a_bad_child_row_saves_nothing(portal, make, db_ctx):
    from models import PatrolDailyEntry, PatrolDailyReport
    cust = make("customer", name="陕西高速")
    emp = user("sales").employee
    r = portal("sales").post("/patrol_daily_report/new/", data={
        "visitor": emp.id, "date": "2026-11-20", "submitted_to": user("salesmgr").employee_id,
        "dept": emp.dept_id, "filled_at": "2026-11-20", "filled_by": emp.id,
        "retention_class": "three_years", "confidentiality": "internal",
        "entries-0-customer": cust.id, "entries-0-visited_at": "not a time"})
    assert r.status_code == 200
    assert PatrolDailyReport.select().count() == 0 and PatrolDailyEntry.select().count() == 0
