"""Printable forms: the print view and the one-form xlsx of a record, laid
out like the paper form, under the row rule of its detail page and the copy
rule of exports (R-ARC-15), and audited."""
import io
import re

import openpyxl
import pytest

from conftest import user


@pytest.fixture
def daily_report(portal, make, db_ctx):
    """A 巡访日报表 of 张伟 (sales, 销售一部) with two customer entries, signed
    by his superior (salesmgr) as the responsible person."""
    from datetime import datetime
    from models import Customer, PatrolDailyEntry, PatrolDailyReport
    a = make("customer", name="咸阳市公路管理局")
    b = make("customer", name="宝鸡钢铁集团")
    me = user("sales").employee
    boss = user("salesmgr").employee
    data = {"visitor": me.id, "date": "2026-10-08", "submitted_to": boss.id, "dept": me.dept_id,
            "filled_at": "2026-10-08", "filled_by": me.id, "retention_class": "three_years",
            "confidentiality": "internal",
            "entries-0-customer": a.id, "entries-0-visited_at": "2026-10-08 09:30:00",
            "entries-0-opinions": "称重数据稳定，希望增加远程诊断",
            "entries-1-customer": b.id, "entries-1-visited_at": "2026-10-08 14:00:00",
            "entries-1-opinions": "=HYPERLINK(\"http://x\")", "entries-1-market": "钢价回落"}
    assert portal("sales").post("/patrol_daily_report/new/", data=data).status_code == 302
    report = PatrolDailyReport.select().order_by(PatrolDailyReport.id.desc()).first()
    PatrolDailyReport.update(responsible_signer=boss, signed_at=datetime(2026, 10, 9, 10, 0)).where(
        PatrolDailyReport.id == report.id).execute()
    assert PatrolDailyEntry.select().where(PatrolDailyEntry.report == report).count() == 2
    assert Customer.get_by_id(a.id).name == "咸阳市公路管理局"
    return PatrolDailyReport.get_by_id(report.id)


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_print_view_lays_out_the_multi_row_form_like_paper(portal, daily_report):
    r = portal("sales").get(f"/patrol_daily_report/print/?id={daily_report.id}")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    text = text_of(body)
    # title with the company, record number, the fields in the grid
    assert "<h1>巡访日报表</h1>" in body and "宝鸡四维衡器有限公司" in body
    assert daily_report.record_no in text
    assert re.search(r"<th>巡回访问人员</th>\s*<td[^>]*>张伟</td>", body)
    boss = user("salesmgr").employee.name
    assert re.search(r"<th>上级主管</th>\s*<td[^>]*>" + boss + "</td>", body)
    # the child rows as a table, one line per customer visited
    table = body.split("<h2>巡访客户明细（每行一个客户）</h2>")[1].split("</table>")[0]
    assert "咸阳市公路管理局" in table and "宝鸡钢铁集团" in table and "钢价回落" in table
    assert text.count("称重数据稳定，希望增加远程诊断") == 1
    # signature lines: the visitor and the superior named on the form
    sigs = re.findall(r'<span class="sig-label">([^<]+)</span>\s*<span class="sig-name">([^<]*)</span>', body)
    assert sigs == [("巡回访问人员：", "张伟"), ("上级主管：", boss)]
    # an A4 print stylesheet, and a print button that needs no inline script
    assert "css/print.css" in body and "data-print" in body and "onclick" not in body
    css = portal("sales").get("/static/css/print.css").get_data(as_text=True)
    assert "@media print" in css and "A4" in css


def test_details_page_offers_print_and_the_form_workbook(portal, daily_report):
    body = portal("sales").get(f"/patrol_daily_report/details/?id={daily_report.id}").get_data(as_text=True)
    assert f'href="/patrol_daily_report/print/?id={daily_report.id}"' in body
    assert f"/patrol_daily_report/download/form/?id={daily_report.id}" in body
    assert ">打印</a>" in body


def sheet_values(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    return sheet, [[c.value for c in row] for row in sheet.iter_rows()]


def test_one_form_xlsx_has_the_same_layout_with_typed_cells(portal, api, daily_report):
    from datetime import datetime
    for response in (portal("sales").get(f"/patrol_daily_report/download/form/?id={daily_report.id}"),
                     api("sales").get(f"/api/v1/patrol_daily_report/{daily_report.id}/form.xlsx")):
        sheet, rows = sheet_values(response)
        flat = [v for row in rows for v in row if v is not None]
        assert "巡访日报表" in flat and daily_report.record_no in flat
        assert rows[1][0] == "巡访日报表"
        # label / value pairs, two per row
        visitor = next(row for row in rows if "巡回访问人员" in row)
        assert visitor[visitor.index("巡回访问人员") + 1] == "张伟"
        # child rows: a header line, then one line per entry; times stay typed
        header = next(i for i, row in enumerate(rows) if "客户名称" in row and "客户意见" in row)
        lines = rows[header + 1:header + 3]
        customer = rows[header].index("客户名称")
        assert [line[customer] for line in lines] == ["咸阳市公路管理局", "宝鸡钢铁集团"]
        when = rows[header].index("巡访时间")
        assert lines[0][when] == datetime(2026, 10, 8, 9, 30)
        # a formula typed into the form stays text
        opinions = rows[header].index("客户意见")
        assert lines[1][opinions] == "=HYPERLINK(\"http://x\")"
        assert sheet.cell(header + 3, opinions + 1).data_type == "s"
        assert any(isinstance(v, str) and v.startswith("上级主管") for v in flat)
        assert user("salesmgr").employee.name in flat


def test_multi_copy_form_prints_its_copies_and_routing(portal, make, db_ctx):
    from models import Customer
    cust = make("customer", name="咸阳市公路管理局")
    case = make("complaint", actor="clerk", customer=Customer.get_by_id(cust.id), title="读数不稳",
                content="地磅读数漂移", received_by=user("clerk").employee, type="complaint")
    p = portal("clerk")
    body = p.get(f"/complaint/print/?id={case.id}").get_data(as_text=True)
    # the seven copies of the 投诉记录卡 (001-投诉 第十六条) as a table, one sheet
    assert body.count('<section class="paper-form">') == 1
    copies = body.split('class="form-table copies"')[1].split("</table>")[0]
    assert copies.count("<tr>") == 8 and "第一联" in copies and "质量管理科呈报部主管审核" in copies
    assert "本表不得示客" in body
    sigs = re.findall(r'<span class="sig-label">([^<]+)：</span>\s*<span class="sig-name">([^<]*)</span>', body)
    assert [s[0] for s in sigs] == ["受理人", "受理单位负责人", "质量管理科", "部主管"]
    assert sigs[0][1] == "刘静"
    # every copy on its own page, labelled; or one chosen copy
    every = p.get(f"/complaint/print/?id={case.id}&copies=all").get_data(as_text=True)
    assert every.count('<section class="paper-form">') == 7
    assert "第七联 审核" in every
    one = p.get(f"/complaint/print/?id={case.id}&copies=2").get_data(as_text=True)
    assert one.count('<section class="paper-form">') == 1 and "第二联 通知" in one


def test_print_and_form_xlsx_are_404_for_a_row_the_user_may_not_read(portal, api, make, daily_report):
    from models import Department, Employee, PatrolDailyEntry
    # a daily report of 销售二部, filed by the sales clerk: not one for 张伟 (销售一部)
    he, huang = Employee.get(Employee.name == "何平"), Employee.get(Employee.name == "黄涛")
    other = make("patrol_daily_report", actor="clerk", visitor=he, submitted_to=huang, filled_by=he,
                 dept=Department.get(Department.abbr == "XS2"))
    PatrolDailyEntry.create(report=other.id, customer=daily_report.entries[0].customer_id,
                            visited_at=daily_report.entries[0].visited_at, opinions="x")
    assert portal("clerk").get(f"/patrol_daily_report/print/?id={other.id}").status_code == 200
    p = portal("sales")
    assert p.get(f"/patrol_daily_report/details/?id={other.id}").status_code == 404
    assert p.get(f"/patrol_daily_report/print/?id={other.id}").status_code == 404
    assert p.get(f"/patrol_daily_report/download/form/?id={other.id}").status_code == 404
    assert api("sales").get(f"/api/v1/patrol_daily_report/{other.id}/form.xlsx").status_code == 404
    # the user's own report, and bad ids
    assert p.get(f"/patrol_daily_report/print/?id={daily_report.id}").status_code == 200
    assert p.get("/patrol_daily_report/print/?id=abc").status_code == 404
    assert p.get("/patrol_daily_report/print/").status_code == 404
    # a register the user may not view at all
    assert portal("hr").get(f"/patrol_daily_report/print/?id={daily_report.id}").status_code == 403


@pytest.fixture
def sealed(make, db_ctx):
    from models import Department, Employee
    return make("customer", actor="marketing", name="封存客户丙",
                responsible_dept=Department.get(Department.abbr == "XS2"),
                account_owner=Employee.get(Employee.name == "何平"), confidentiality="sealed",
                custodian=Employee.get(Employee.name == "刘静"))


def test_sealed_record_is_not_printed_without_approval(portal, api, sealed, db_ctx):
    from portal.audit import AuditEvent
    p = portal("clerk")           # the custodian reads the sealed file ...
    details = p.get(f"/customer/details/?id={sealed.id}")
    assert details.status_code == 200
    assert "/customer/print/" not in details.get_data(as_text=True)         # no print button
    before = AuditEvent.select().where(AuditEvent.action.in_(["print", "export"])).count()
    r = p.get(f"/customer/print/?id={sealed.id}")              # ... but may not copy it
    assert r.status_code == 403 and "封存或严禁复印" in r.get_data(as_text=True)
    assert p.get(f"/customer/download/form/?id={sealed.id}").status_code == 403
    assert api("clerk").get(f"/api/v1/customer/{sealed.id}/form.xlsx").status_code == 403
    assert AuditEvent.select().where(AuditEvent.action.in_(["print", "export"])).count() == before
    # the general manager approves copies: he may print it
    assert portal("gm").get(f"/customer/print/?id={sealed.id}").status_code == 200
    assert "/customer/print/" in portal("gm").get(f"/customer/details/?id={sealed.id}").get_data(as_text=True)


def test_print_and_form_xlsx_are_audited_with_confidential_reads(portal, make, db_ctx):
    from models import Department, Employee
    from portal.audit import AuditEvent
    row = make("customer", actor="marketing", name="限阅客户甲",
               responsible_dept=Department.get(Department.abbr == "XS2"),
               account_owner=user("sales2").employee, confidentiality="restricted",
               custodian=Employee.get(Employee.name == "刘静"))
    p = portal("sales2")
    assert p.get(f"/customer/print/?id={row.id}").status_code == 200
    assert p.get(f"/customer/download/form/?id={row.id}").status_code == 200
    events = [(e.action, e.comment, e.grant) for e in AuditEvent.select().where(
        AuditEvent.register == "customer", AuditEvent.record_id == row.id,
        AuditEvent.action.in_(["print", "export", "read"])).order_by(AuditEvent.id)]
    assert events == [("read", "print", "owner"), ("print", None, ""),
                      ("read", "form", "owner"), ("export", None, "")]


def test_no_copy_form_is_printed_only_with_the_general_managers_approval(api, portal, db_ctx):
    """严禁复印 (002 篇三 一.12): the collector reads his health survey but
    may not print it or take its xlsx; the general manager may."""
    r = api("sales").post("/api/v1/health_survey", json=dict(
        name="王秀兰", gender="female", age=68, address="宝鸡市金台区", phone="13900000000",
        health_situation="血压偏高", collector_signature=True))
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    p = portal("sales")
    assert p.get(f"/health_survey/details/?id={sid}").status_code == 200
    assert p.get(f"/health_survey/print/?id={sid}").status_code == 403
    assert api("sales").get(f"/api/v1/health_survey/{sid}/form.xlsx").status_code == 403
    body = portal("gm").get(f"/health_survey/print/?id={sid}").get_data(as_text=True)
    assert "中老年健康调查表" in body and "本表严禁复印" in body and "王秀兰" in body


@pytest.mark.demo_data(shared=True)
def test_every_register_prints_one_of_its_records(portal, db_ctx):
    """The print view and the form workbook are generic: one record of each
    register of the demo data prints for the general manager."""
    from portal import registry
    p = portal("gm")
    printed = 0
    for spec in registry.all_specs():
        Model = spec.model
        row = Model.select().where(Model.deleted_at.is_null()).order_by(Model.id).first()
        if row is None:
            continue
        r = p.get(f"/{spec.name}/print/?id={row.id}")
        if r.status_code == 403:          # a register the general manager does not view
            continue
        assert r.status_code == 200, (spec.name, r.status_code)
        body = r.get_data(as_text=True)
        assert f"<h1>{spec.label}</h1>" in body, spec.name
        assert body.count('class="signature"') == len(spec.signatures), spec.name
        sheet, rows = sheet_values(p.get(f"/{spec.name}/download/form/?id={row.id}"))
        assert rows[1][0] == spec.label, spec.name
        printed += 1
    assert printed > 60


def test_a_reader_of_a_no_copy_form_asks_to_copy_it_and_prints_it_once_lent(api, portal, db_ctx):
    """The collector may read but not copy his survey: a borrow request for
    copying (复印), once approved and lent, lets him print it until due."""
    r = api("sales").post("/api/v1/health_survey", json=dict(
        name="王秀兰", gender="female", age=68, address="宝鸡市金台区", phone="13900000000",
        health_situation="血压偏高", collector_signature=True))
    sid = r.get_json()["id"]
    ask = {"register": "health_survey", "record": sid, "reason": "报销需附表"}
    r = api("sales").post("/api/v1/borrow_request", json=dict(ask, purpose="consult"))
    assert r.status_code == 400 and "无需借阅" in r.get_json()["errors"]["record"]
    r = api("sales").post("/api/v1/borrow_request", json=dict(ask, purpose="copy"))
    assert r.status_code == 201, r.get_json()
    loan = r.get_json()
    approver = {"general_manager": "gm", "marketing_head": "marketing"}[loan["approver_role"]]
    assert api(approver).post(f"/api/v1/borrow_request/{loan['id']}/approve").status_code == 200
    assert portal("sales").get(f"/health_survey/print/?id={sid}").status_code == 403   # not yet lent
    r = api("clerk").post(f"/api/v1/borrow_request/{loan['id']}/lend")
    assert r.status_code == 200, r.get_json()
    assert portal("sales").get(f"/health_survey/print/?id={sid}").status_code == 200
