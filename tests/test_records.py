"""Generic record behaviour: numbering, optimistic locking, soft delete and
restore, audit with before/after values."""
import json
import re
import threading

import pytest

from conftest import user


def edit_form_version(page):
    return re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)


def test_record_numbers_follow_the_department_abbreviation(make, db_ctx):
    from models import Department
    xs1 = Department.get(Department.abbr == "XS1")
    a = make("customer", name="甲", responsible_dept=xs1)
    b = make("customer", name="乙", responsible_dept=xs1)
    assert re.fullmatch(r"XS1-\d{4}", a.record_no)
    assert int(b.record_no[-4:]) == int(a.record_no[-4:]) + 1


def test_numbers_are_unique_under_concurrent_creation(app, db_ctx):
    from models import Customer, Employee, Region
    from portal import services
    from portal.db import connection
    region = Region.get(Region.name == "西北区")
    owner = Employee.get(Employee.name == "张伟")
    errors, created = [], []

    def worker(i):
        try:
            with app.test_request_context(), connection():
                for j in range(5):
                    row = services.create(user("clerk"), Customer, {
                        "name": f"并发客户{i}-{j}", "region": region, "account_owner": owner,
                        "contact_name": "王", "phone": "1", "address": "x"})
                    created.append(row.record_no)
        except Exception as exc:     # noqa: BLE001 - any error fails the test below
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(created) == 30 and len(set(created)) == 30
    assert Customer.select().where(Customer.name.startswith("并发客户")).count() == 30


def test_second_save_of_a_stale_form_is_refused_and_nothing_is_overwritten(portal, make, db_ctx):
    from models import Customer
    row = make("customer", name="原名称")
    first, second = portal("clerk"), portal("sales")
    page1 = first.get(f"/customer/edit/?id={row.id}").get_data(as_text=True)
    page2 = second.get(f"/customer/edit/?id={row.id}").get_data(as_text=True)
    base = {"name": "", "grade": "B", "customer_kind": "unit", "region": row.region_id,
            "account_owner": row.account_owner_id, "responsible_dept": row.responsible_dept_id,
            "lifecycle_status": "prospect", "contact_name": "王工", "phone": "1", "address": "x",
            "dept": "", "filled_at": "2026-11-01", "filled_by": row.filled_by_id,
            "retention_class": "three_years", "confidentiality": "internal"}
    r = first.post(f"/customer/edit/?id={row.id}",
                   data=dict(base, name="第一次修改", version=edit_form_version(page1)))
    assert r.status_code == 302
    r = second.post(f"/customer/edit/?id={row.id}",
                    data=dict(base, name="第二次修改", version=edit_form_version(page2)))
    assert r.status_code == 200
    assert "已被他人修改" in r.get_data(as_text=True)
    assert Customer.get_by_id(row.id).name == "第一次修改"


def test_api_patch_with_stale_version_is_409(api, make, db_ctx):
    from models import Customer
    row = make("customer", name="原名称")
    c = api("clerk")
    r = c.patch(f"/api/v1/customer/{row.id}", json={"version": row.version, "grade": "A"})
    assert r.status_code == 200 and r.get_json()["version"] == row.version + 1
    r = c.patch(f"/api/v1/customer/{row.id}", json={"version": row.version, "grade": "C"})
    assert r.status_code == 409
    assert "已被他人修改" in r.get_json()["error"]
    assert Customer.get_by_id(row.id).grade == "A"


def test_api_patch_without_version_is_refused(api, make):
    row = make("customer")
    r = api("clerk").patch(f"/api/v1/customer/{row.id}", json={"grade": "A"})
    assert r.status_code == 400 and "version" in r.get_json()["errors"]


def test_a_record_others_refer_to_is_not_deleted(portal, make, db_ctx):
    from models import Customer, CustomerVisitRecord
    row = make("customer", name="有访问记录的客户")
    visit = make("customer_visit_record", actor="sales", customer=row, findings="正常",
                 visitor=user("sales").employee)
    r = portal("clerk").post("/customer/delete/", data={"id": row.id}, follow_redirects=True)
    assert "有关联记录引用此记录（客户访问表）" in r.get_data(as_text=True)
    assert Customer.get_by_id(row.id).deleted_at is None
    assert CustomerVisitRecord.get_by_id(visit.id).deleted_at is None    # no cascade


def test_delete_is_soft_and_restorable(portal, make, db_ctx):
    from models import Customer
    row = make("customer", name="待删除客户")
    p = portal("clerk")
    assert p.post("/customer/delete/", data={"id": row.id}).status_code == 302
    assert Customer.get_by_id(row.id).deleted_at is not None
    listing = p.get("/customer/").get_data(as_text=True)
    assert "待删除客户" not in listing
    assert p.get(f"/customer/details/?id={row.id}").status_code == 404
    assert "待删除客户" in p.get("/customer/?archived=1").get_data(as_text=True)
    assert p.post("/customer/restore/", data={"id": row.id}).status_code == 302
    assert Customer.get_by_id(row.id).deleted_at is None
    assert "待删除客户" in p.get("/customer/").get_data(as_text=True)


def test_archived_rows_are_not_shown_to_users_without_delete(portal, make):
    row = make("customer", name="已删除客户")
    portal("clerk").post("/customer/delete/", data={"id": row.id})
    page = portal("sales").get("/customer/?archived=1").get_data(as_text=True)
    assert "已删除客户" not in page
    r = portal("sales").post("/customer/restore/", data={"id": row.id})
    assert r.status_code == 403


def test_api_delete_and_restore(api, make, db_ctx):
    row = make("customer", name="接口删除")
    c = api("clerk")
    assert c.delete(f"/api/v1/customer/{row.id}").status_code == 204
    assert c.get(f"/api/v1/customer/{row.id}").status_code == 404
    assert c.delete(f"/api/v1/customer/{row.id}").status_code == 404
    assert c.get("/api/v1/customer?archived=1").get_json()["total"] >= 1
    r = c.post(f"/api/v1/customer/{row.id}/restore")
    assert r.status_code == 200 and r.get_json()["deleted_at"] is None


def test_bulk_delete_action_is_one_scoped_transaction(portal, make, db_ctx):
    from models import Customer
    mine = make("customer", name="可删")
    other = make("customer", name="封存档案", confidentiality="sealed", actor="marketing")
    p = portal("salesmgr")           # a sealed file is not theirs to see, nor to delete
    p.post("/customer/action/", data={"action": "delete", "rowid": [mine.id, other.id]})
    assert Customer.get_by_id(mine.id).deleted_at is not None
    assert Customer.get_by_id(other.id).deleted_at is None


def test_audit_records_create_edit_delete_restore_with_before_and_after(api, make, db_ctx):
    from portal.audit import AuditEvent
    row = make("customer", name="审计客户", grade="B")
    c = api("clerk")
    c.patch(f"/api/v1/customer/{row.id}", json={"version": 1, "grade": "A", "name": "审计客户二"})
    c.delete(f"/api/v1/customer/{row.id}")
    c.post(f"/api/v1/customer/{row.id}/restore")
    events = list(AuditEvent.select().where(AuditEvent.register == "customer",
                                            AuditEvent.record_id == row.id).order_by(AuditEvent.id))
    assert [e.action for e in events] == ["create", "edit", "delete", "restore"]
    assert events[0].change_dict["name"] == [None, "审计客户"]
    changes = events[1].change_dict
    assert changes["grade"] == ["B", "A"] and changes["name"] == ["审计客户", "审计客户二"]
    # the derived next tracking date follows the grade (A: monthly)
    assert set(changes) == {"grade", "name", "next_tracking_due"}
    assert events[1].actor_name == "clerk" and events[1].record_no == row.record_no


def test_audit_events_cannot_be_changed_through_the_portal(portal, make, db_ctx):
    from portal.audit import AuditEvent
    make("customer")
    event = AuditEvent.select().first()
    p = portal("admin")
    assert p.get("/audit_event/").status_code == 200
    assert p.get(f"/audit_event/edit/?id={event.id}").status_code == 403
    assert p.post("/audit_event/delete/", data={"id": event.id}).status_code == 403
    assert AuditEvent.get_by_id(event.id)
    with pytest.raises(PermissionError):
        event.comment = "篡改"
        event.save()


def test_audit_log_is_visible_to_managers_not_to_clerks(portal):
    assert portal("gm").get("/audit_event/").status_code == 200
    assert portal("sales").get("/audit_event/").status_code == 403


def test_no_change_keeps_the_version(api, make, db_ctx):
    row = make("customer", grade="B")
    r = api("clerk").patch(f"/api/v1/customer/{row.id}", json={"version": 1, "grade": "B"})
    assert r.get_json()["version"] == 1


def test_failed_validation_changes_nothing(api, make, db_ctx):
    from models import Customer
    from portal.audit import AuditEvent
    row = make("customer", name="不变")
    before = AuditEvent.select().count()
    r = api("clerk").patch(f"/api/v1/customer/{row.id}", json={"version": 1, "name": "", "grade": "Z"})
    assert r.status_code == 400
    assert set(r.get_json()["errors"]) == {"name", "grade"}
    assert Customer.get_by_id(row.id).name == "不变"
    assert AuditEvent.select().count() == before


def test_created_and_updated_by_and_at_are_kept(api, make, db_ctx):
    row = make("customer")
    api("sales").patch(f"/api/v1/customer/{row.id}", json={"version": 1, "grade": "A"})
    data = api("sales").get(f"/api/v1/customer/{row.id}").get_json()
    assert data["created_by"] == user("clerk").id
    assert data["updated_by"] == user("sales").id
    assert data["updated_at"]
    assert json.dumps(data)
