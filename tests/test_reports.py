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


def cells(body, key, table=0):
    """The texts of column `key` in the report's nth table on the page."""
    import re
    section = body.split('<table class="table table-sm table-bordered report-table">')[table + 1]
    section = section.split("</table>")[0]
    return re.findall(r'<td class="r-' + key + r'(?: [^"]*)?">(?:<a href="[^"]*">)?([^<]*)(?:</a>)?</td>',
                      section)


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
    # each figure opens the customer list it counts
    import re
    from conftest import list_count
    links = re.findall(r'<td class="r-(A|C|total)[^"]*"><a href="([^"]+)">(\d+)</a></td>', body)
    assert len(links) == 9
    for _, url, figure in links:
        assert list_count(portal("salesmgr"), url) == int(figure), url


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


def test_statistics_by_responsible_department_and_results(portal, october, db_ctx):
    from models import Complaint
    Complaint.update(responsible_dept=october["pz"], resolution_mode="allowance").where(
        Complaint.closed_at.is_null(False)).execute()
    body = portal("quality").get(
        "/reports/complaint_statistics/?month=2026-10&group=responsible_dept").get_data(as_text=True)
    assert cells(body, "dept") == ["品质部", "未认定", "合计"]
    assert cells(body, "total") == ["2", "3", "5"] and cells(body, "share") == ["40.0%", "60.0%", "100.0%"]
    # 按处理结果统计: the two decided cases and the three still open
    assert cells(body, "result", table=1) == ["折让、赔款", "尚未核决"]
    assert cells(body, "count", table=1) == ["2", "3"]


def test_half_year_statistics_and_due_date(portal, october):
    body = portal("quality").get(
        "/reports/complaint_statistics/?month=2026-10&half_year=1").get_data(as_text=True)
    assert cells(body, "total")[-1] == "6"            # October and November cases
    assert "2026-07-01 至 2026-12-31" in body


def test_xlsx_keeps_rates_as_numbers_and_parts_as_sheets(portal, october):
    r = portal("quality").get("/reports/complaint_statistics/?month=2026-10&format=xlsx")
    book = load_workbook(io.BytesIO(r.data))
    assert [s.title for s in book.worksheets] == ["投诉统计表", "按处理结果统计"]
    sheet = book.worksheets[0]
    header = next(row for row in sheet.iter_rows() if row[0].value == "部门")
    rate = [c.value for c in header].index("按期率")
    total = next(row for row in sheet.iter_rows() if row[0].value == "合计")
    assert total[rate].value == 0.5 and total[rate].number_format == "0.0%"


def test_bad_report_parameters_fall_back_to_defaults(portal, october):
    p = portal("quality")
    for query in ("month=abc", "dept=xyz", "dept=99999999999999", "group=nope", "months=-4",
                  "months=abc", "half_year=maybe"):
        assert p.get(f"/reports/complaint_statistics/?{query}").status_code == 200, query
        assert p.get(f"/reports/case_timeliness/?{query}").status_code == 200, query


def daily_report(make, visitor, day, customers, dept=None, actor="clerk", superior=None):
    """A 巡访日报表 with one entry per customer, through the services layer."""
    from models import PatrolDailyEntry
    emp = user(visitor).employee if isinstance(visitor, str) else visitor
    values = dict(visitor=emp, date=day, submitted_to=superior or user("salesmgr").employee,
                  filled_by=emp)
    if dept is not None:
        values["dept"] = dept
    report = make("patrol_daily_report", actor=actor, **values)
    for i, (cust, opinion) in enumerate(customers):
        PatrolDailyEntry.create(report=report.id, customer=cust.id,
                                visited_at=datetime(day.year, day.month, day.day, 9 + i), opinions=opinion)
    return report


def test_monthly_patrol_report_from_the_daily_reports(portal, make, db_ctx):
    from models import Department, Employee, Region
    north = Region.get(Region.name == "华北区")
    a = make("customer", name="咸阳市公路管理局")
    b = make("customer", name="北京路政", region=north)
    daily_report(make, "sales", date(2026, 10, 8), [(a, "满意"), (b, "希望增加培训")], actor="sales")
    daily_report(make, "sales", date(2026, 10, 9), [(a, "")], actor="sales")
    daily_report(make, "sales2", date(2026, 10, 12), [(b, "价格偏高")], actor="sales2")
    daily_report(make, "sales", date(2026, 9, 30), [(a, "九月")], actor="sales")       # another month
    he = Employee.get(Employee.name == "何平")
    daily_report(make, he, date(2026, 10, 15), [(a, "二部")], dept=Department.get(Department.abbr == "XS2"),
                 superior=Employee.get(Employee.name == "黄涛"))
    body = portal("salesmgr").get("/reports/patrol_monthly/?month=2026-10").get_data(as_text=True)
    assert cells(body, "visitor") == ["张伟", "李娜", "合计"]
    assert cells(body, "reports") == ["2", "1", "3"]
    assert cells(body, "visits") == ["3", "1", "4"] and cells(body, "customers") == ["2", "1", "2"]
    assert "北京路政：希望增加培训" in body and "由 3 份巡访日报表汇总" in body
    assert "2026-11-05" in body                           # 呈报期限
    # the region's customers only
    body = portal("salesmgr").get(
        f"/reports/patrol_monthly/?month=2026-10&region={north.id}").get_data(as_text=True)
    assert cells(body, "visits") == ["1", "1", "2"]
    # the marketing head also reads 销售二部's report
    body = portal("marketing").get("/reports/patrol_monthly/?month=2026-10").get_data(as_text=True)
    assert cells(body, "visitor") == ["何平", "张伟", "李娜", "合计"]


def test_customers_by_grade_follow_row_permissions(portal, make, db_ctx):
    from models import Department, Employee
    xs2 = Department.get(Department.abbr == "XS2")
    make("customer", grade="A")
    make("customer", grade="B")
    make("customer", actor="marketing", grade="A", responsible_dept=xs2,
         account_owner=Employee.get(Employee.name == "何平"))
    # 张伟 reads the two files of 销售一部; the sales manager (a restricted reader) all three
    assert cells(portal("sales").get("/reports/customers_by_grade/").get_data(as_text=True),
                 "total")[-1] == "2"
    assert cells(portal("marketing").get("/reports/customers_by_grade/").get_data(as_text=True),
                 "total")[-1] == "3"


def test_tracking_due_lists_the_overdue_customers(portal, make, db_ctx):
    from portal import clock
    clock.set(datetime(2026, 11, 22, 9))
    make("customer", name="逾期客户", grade="A", filled_at=date(2026, 9, 1))      # due 10-01
    make("customer", name="本月客户", grade="A", filled_at=date(2026, 10, 25))    # due 11-25
    body = portal("salesmgr").get("/reports/tracking_due/").get_data(as_text=True)
    assert cells(body, "name", table=1) == ["逾期客户"]
    assert cells(body, "due", table=1) == ["2026-10-01"] and cells(body, "days", table=1) == ["52"]


def test_case_timeliness_per_month(portal, october):
    from portal import clock
    clock.set(datetime(2026, 11, 20, 9))
    body = portal("quality").get("/reports/case_timeliness/?months=2").get_data(as_text=True)
    assert cells(body, "month") == ["2026-10", "2026-11"]
    assert cells(body, "closed") == ["2", "0"] and cells(body, "on_time") == ["1", "0"]
    assert cells(body, "rate") == ["50.0%", "—"]


def test_borrowing_overdue_lists_loans_past_due(portal, lent_file, db_ctx):
    from portal import clock
    due = lent_file("sales").due_at
    assert cells(portal("clerk").get("/reports/borrowing_overdue/").get_data(as_text=True), "title") == []
    clock.set(due + timedelta(days=3, hours=1))
    body = portal("clerk").get("/reports/borrowing_overdue/").get_data(as_text=True)
    assert cells(body, "title") == ["限阅客户甲"] and cells(body, "days") == ["3"]
    assert cells(body, "borrower") == ["张伟"]


@pytest.mark.demo_data(shared=True)
@pytest.mark.parametrize("username", ["gm", "salesmgr", "clerk", "quality", "sales"])
def test_every_report_and_its_xlsx_answer_on_the_demo_data(portal, username):
    from portal import reports
    p = portal(username)
    for name in reports.REPORTS:
        r = p.get(f"/reports/{name}/")
        assert r.status_code in (200, 403), (name, r.status_code)
        if r.status_code == 200:
            x = p.get(f"/reports/{name}/?format=xlsx")
            assert x.status_code == 200 and load_workbook(io.BytesIO(x.data)).worksheets
