"""Reports on a known data set, under the same row rules as the lists."""
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
import io

from conftest import user


@pytest.fixture
def october(make, db_ctx):
    """Five October cases: three complaints (one quality AA), a consultation,
    a suggestion; two closed, one of them late."""
    from models import Complaint, Customer, Department
    cust = make("customer", name="咸阳市公路管理局")
    xs1 = Department.get(Department.abbr == "XS1")
    pz = Department.get(Department.abbr == "PZ")

    def c(**values):
        data = dict(customer=Customer.get_by_id(cust.id), title="读数不稳", content="x",
                    received_by=user("clerk").employee, type="complaint", cause_class="non_quality")
        data.update(values)
        return make("complaint", actor="clerk", **data)
    a = c(received_at=datetime(2026, 10, 5, 9), feedback_level="AA", cause_class="quality")
    b = c(received_at=datetime(2026, 10, 8, 9))
    d = c(received_at=datetime(2026, 10, 20, 9))
    c(received_at=datetime(2026, 10, 21, 9), type="consultation", cause_class=None)
    c(received_at=datetime(2026, 10, 22, 9), type="suggestion", cause_class=None)
    c(received_at=datetime(2026, 11, 2, 9))          # another month
    Complaint.update(receiving_unit=pz, closed_at=datetime(2026, 10, 5, 20), state="closed").where(
        Complaint.id == a.id).execute()                                           # 11 h, on time
    Complaint.update(receiving_unit=xs1, closed_at=datetime(2026, 10, 20, 9), state="closed").where(
        Complaint.id == b.id).execute()                                           # 288 h, late
    Complaint.update(receiving_unit=xs1).where(Complaint.id == d.id).execute()
    return {"pz": pz, "xs1": xs1}


def cells(body, key):
    import re
    return re.findall(r'<td class="r-' + key + r'">([^<]*)</td>', body)


def test_monthly_complaint_statistics_on_a_known_data_set(portal, october):
    body = portal("quality").get("/reports/complaint_statistics/?month=2026-10").get_data(as_text=True)
    depts = cells(body, "dept")
    assert depts[-1] == "合计"
    total = dict(zip(["dept", "total", "type_consultation", "type_suggestion", "type_complaint", "level_AA",
                      "cause_quality", "cause_non_quality", "closed", "on_time", "on_time_rate", "avg_hours"],
                     [cells(body, k)[-1] for k in ["dept", "total", "type_consultation", "type_suggestion",
                                                   "type_complaint", "level_AA", "cause_quality",
                                                   "cause_non_quality", "closed", "on_time",
                                                   "on_time_rate", "avg_hours"]]))
    assert total["total"] == "5" and total["type_complaint"] == "3"
    assert total["type_consultation"] == "1" and total["type_suggestion"] == "1"
    assert total["level_AA"] == "1" and total["cause_quality"] == "1" and total["cause_non_quality"] == "2"
    assert total["closed"] == "2" and total["on_time"] == "1" and total["on_time_rate"] == "50.0%"
    assert total["avg_hours"] == "149.5"
    assert "品质部" in depts and "销售一部" in depts
    assert "2026-11-05" in body           # due by the 5th of the next month


def test_statistics_follow_row_permissions(portal, october):
    # a sales rep of 销售一部 counts only the two cases handled by his department
    r = portal("sales").get("/reports/complaint_statistics/?month=2026-10")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert cells(body, "dept") == ["销售一部", "合计"] and cells(body, "total") == ["2", "2"]


def test_statistics_filter_by_department(portal, october):
    body = portal("quality").get(
        f"/reports/complaint_statistics/?month=2026-10&dept={october['pz'].id}").get_data(as_text=True)
    assert cells(body, "total")[-1] == "1"


def test_report_exports_to_xlsx_with_typed_cells(portal, october):
    r = portal("quality").get("/reports/complaint_statistics/?month=2026-10&format=xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    total_row = [row for row in values if row and row[0] == "合计"][0]
    assert total_row[1] == 5 and isinstance(total_row[1], int)


def test_reports_need_the_registers_view_permission(portal):
    assert portal("admin").get("/reports/complaint_statistics/").status_code == 403
    assert portal("hr").get("/reports/no_such_report/").status_code == 404


def test_customers_by_grade_and_region(portal, make, db_ctx):
    from models import Region
    make("customer", grade="A", region=Region.get(Region.name == "西北区"))
    make("customer", grade="A", region=Region.get(Region.name == "西北区"))
    make("customer", grade="C", region=Region.get(Region.name == "华北区"))
    body = portal("salesmgr").get("/reports/customers_by_grade/").get_data(as_text=True)
    assert cells(body, "region") == ["华北区", "西北区", "合计"]
    assert cells(body, "A") == ["0", "2", "2"] and cells(body, "total")[-1] == "3"


def test_tracking_due_and_overdue_per_grade(portal, make, db_ctx):
    from portal import clock
    clock.set(datetime(2026, 11, 22, 9))
    make("customer", grade="A", filled_at=date(2026, 9, 1))      # due 10-01: overdue
    make("customer", grade="A", filled_at=date(2026, 10, 25))    # due 11-25: due this month
    make("customer", grade="C", filled_at=date(2026, 11, 1))     # due next May
    body = portal("salesmgr").get("/reports/tracking_due/").get_data(as_text=True)
    assert cells(body, "overdue")[0] == "1" and cells(body, "due")[0] == "1"
    assert cells(body, "customers")[2] == "1" and cells(body, "due")[2] == "0"


def test_retention_due_lists_expired_records(portal, make, db_ctx):
    make("customer", filled_at=date(2020, 1, 1))
    make("customer", filled_at=date(2026, 1, 1))
    body = portal("clerk").get("/reports/retention_due/").get_data(as_text=True)
    assert cells(body, "register") == ["客户档案"] and cells(body, "count") == ["1"]
