"""Import from Excel and CSV (issue: clerks bring years of registers in
without a developer): template, dry run listing every error, one transaction,
numbering, audit with the batch, updates by record number with the
optimistic lock, limits."""
import io
import re
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter


def workbook(header, rows, formulas=None):
    """xlsx bytes: `rows` of plain values; `formulas` {(row index, column
    index): (formula, cached value)} written as real formula cells."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, title in enumerate(header):
        sheet.write_string(0, col, title)
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            if (r - 1, col) in (formulas or {}):
                formula, cached = formulas[(r - 1, col)]
                sheet.write_formula(r, col, formula, None, cached)
            elif isinstance(value, str):
                sheet.write_string(r, col, value)
            elif isinstance(value, date):
                sheet.write_datetime(r, col, value, day)
            elif value is not None:
                sheet.write(r, col, value)
    book.close()
    return buffer.getvalue()


def upload(api, username, register, data, name="data.xlsx", dry_run=False):
    form = {"file": (io.BytesIO(data), name)}
    if dry_run:
        form["dry_run"] = "1"
    return api(username).post(f"/api/v1/{register}/import", data=form,
                              content_type="multipart/form-data")


def errors_of(body):
    return {(e["row"], e["column"]): e["message"] for e in body["errors"]}


def count(model):
    return model.select().where(model.deleted_at.is_null()).count()


CUSTOMER_HEADER = ["客户名称", "客户等级", "区域", "客户管理责任人", "联系人姓名", "电话", "地址"]


def customer_rows(n, prefix="导入客户"):
    return [[f"{prefix}{i}", "B类", "西北区", "张伟", "王工", f"029-8888{i:04d}", f"西安市{i}号"]
            for i in range(1, n + 1)]


# Template -----------------------------------------------------------------------------

def test_template_lists_the_fields_choices_and_required_columns(api):
    r = api("clerk").get("/api/v1/customer/import-template.xlsx")
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.get_data()))
    data, guide = book.worksheets
    header = [c.value for c in data[1]]
    assert header[:2] == ["记录编号", "版本"]
    assert {"客户名称", "客户等级", "区域", "客户标签", "不适用项（单杠划去）"} <= set(header)
    assert "交易状态" not in header and "创建时间" not in header     # workflow state, system fields
    red = {c.value for c in data[1] if c.font.color is not None and c.font.color.rgb == "FFC00000"}
    assert {"客户名称", "区域", "客户管理责任人", "联系人姓名"} <= red and "客户等级" not in red
    rows = {row[0]: row for row in guide.iter_rows(min_row=2, values_only=True) if row[1]}
    assert rows["客户等级"][4] == "A类、B类、C类、D类"
    assert rows["客户名称"][3] == "必填"
    assert rows["联系人姓名"][3] == "必填（或在「不适用项」中划去）"
    assert "记录编号或名称" in rows["区域"][4]


# The dry run --------------------------------------------------------------------

COMM_HEADER = ["记录编号", "版本", "客户", "时间", "沟通方式", "事项类别", "内容"]


def _communication_file(existing, known, fixed=False):
    """Good rows, a bad date, an unknown choice, an unknown customer, a duplicate
    record number and a formula cell; `fixed`: the same rows corrected."""
    rows = [
        [None, None, "华宇公路工程公司", "2026/11/22 10:30", "电话", "一般沟通", None],      # formula
        [None, None, known.record_no, "2026年11月20日", "email", "业务交往", "=1+2 仍是文本"],
        [None, None, "华宇公路工程公司", "2026-11-31" if not fixed else "2026-11-30", "传真", "一般沟通", "坏日期"],
        [None, None, "华宇公路工程公司", "2026-11-18", "飞鸽传书" if not fixed else "来信", "一般沟通", "坏选项"],
        [None, None, "不存在的客户" if not fixed else "华宇公路工程公司", "2026-11-17", "电话", "一般沟通", "未知客户"],
        [existing.record_no, existing.version, known.record_no, "2026-11-16", "电话", "重大变动事项", "更新原记录"],
    ]
    if not fixed:
        rows.append([existing.record_no, existing.version, known.record_no, "2026-11-15", "电话",
                     "一般沟通", "重复编号"])
    formula = {(0, 6): ('="电话回访"&"，客户满意"', "电话回访，客户满意")}
    return workbook(COMM_HEADER, rows, formula)


def test_dry_run_lists_exactly_the_bad_rows_and_writes_nothing(api, make, db_ctx):
    from models import CustomerCommunication
    from portal.audit import AuditEvent
    from portal.importer import ImportBatch
    known = make("customer", name="华宇公路工程公司")
    existing = make("customer_communication", customer=known, channel="phone", summary="首次联系",
                    at=datetime(2026, 11, 1, 9, 0))
    before = (count(CustomerCommunication), AuditEvent.select().count(), ImportBatch.select().count())

    r = upload(api, "clerk", "customer_communication", _communication_file(existing, known), dry_run=True)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    errors = errors_of(body)
    assert set(errors) == {(4, "时间"), (5, "沟通方式"), (6, "客户"), (8, "记录编号")}
    assert "无法识别的日期" in errors[(4, "时间")]
    assert "飞鸽传书" in errors[(5, "沟通方式")]
    assert "找不到「不存在的客户」" in errors[(6, "客户")]
    assert "与第 7 行重复" in errors[(8, "记录编号")]
    assert [(p["row"], p["action"]) for p in body["plan"]] == [(2, "create"), (3, "create"), (7, "update")]
    assert body["plan"][2]["record_no"] == existing.record_no
    assert (body["create"], body["update"], body["rows"]) == (2, 1, 7)
    assert (count(CustomerCommunication), AuditEvent.select().count(),
            ImportBatch.select().count()) == before

    # the real import of the faulty file writes nothing either
    r = upload(api, "clerk", "customer_communication", _communication_file(existing, known))
    assert r.status_code == 400 and r.get_json()["error_count"] == 4
    assert count(CustomerCommunication) == before[0]
    assert CustomerCommunication.get_by_id(existing.id).summary == "首次联系"


def test_corrected_file_imports_every_row_numbered_and_audited(api, make, db_ctx):
    from models import CustomerCommunication
    from portal.audit import AuditEvent
    known = make("customer", name="华宇公路工程公司")
    existing = make("customer_communication", customer=known, channel="phone", summary="首次联系",
                    at=datetime(2026, 11, 1, 9, 0))
    r = upload(api, "clerk", "customer_communication", _communication_file(existing, known, fixed=True),
               name="沟通记录.xlsx")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["create"], body["update"], body["error_count"]) == (5, 1, 0)
    batch = body["batch"]
    assert batch["status"] == "imported" and batch["file_name"] == "沟通记录.xlsx"

    rows = list(CustomerCommunication.select().where(CustomerCommunication.id != existing.id)
                .order_by(CustomerCommunication.id))
    assert len(rows) == 5
    assert rows[0].summary == "电话回访，客户满意"            # formula read as its value
    assert rows[1].summary == "=1+2 仍是文本"                # formula-looking text kept as text
    assert rows[0].at == datetime(2026, 11, 22, 10, 30) and rows[1].at == datetime(2026, 11, 20)
    assert rows[1].channel == "email" and rows[3].channel == "letter"
    assert {r.customer_id for r in rows} == {known.id}
    # numbering, defaults and derived fields as for the form
    assert all(re.fullmatch(r"YX-\d{4}", r.record_no) for r in rows)
    assert len({r.record_no for r in rows} | {existing.record_no}) == 6
    assert all(r.recorded_by.name == "刘静" and r.retention_until is not None for r in rows)
    updated = CustomerCommunication.get_by_id(existing.id)
    assert updated.summary == "更新原记录" and updated.version == existing.version + 1
    assert updated.is_major            # derive(): a major change is a major event
    events = list(AuditEvent.select().where(AuditEvent.action == "import"))
    assert len(events) == 6 and {e.record_id for e in events} == {r.id for r in rows} | {existing.id}
    assert all(batch["number"] in e.comment and e.actor_name == "clerk" for e in events)
    # the batch is listed afterwards
    listed = api("clerk").get("/api/v1/import-batches").get_json()["items"]
    assert listed[0]["number"] == batch["number"] and listed[0]["created"] == 5


# Permissions and row rules ----------------------------------------------------------------

def test_role_without_create_permission_is_refused(api, portal):
    data = workbook(CUSTOMER_HEADER, customer_rows(1))
    assert api("service").get("/api/v1/customer/import-template.xlsx").status_code == 403
    r = upload(api, "service", "customer", data, dry_run=True)
    assert r.status_code == 403 and "新建" in r.get_json()["error"]
    page = portal("service")
    assert page.get("/customer/import/").status_code == 403
    assert page.post("/customer/import/", data={"file": (io.BytesIO(data), "a.xlsx")},
                     content_type="multipart/form-data").status_code == 403
    # the list page offers 导入 only to those who may create
    assert 'id="import-link"' not in portal("gm").get("/customer/").get_data(as_text=True)
    assert 'id="import-link"' in portal("clerk").get("/customer/").get_data(as_text=True)


def test_lookups_and_updates_follow_the_row_rules(api, make, db_ctx):
    from models import Department, Employee
    hidden = make("customer", actor="marketing", name="限阅客户乙", confidentiality="restricted",
                  responsible_dept=Department.get(Department.abbr == "XS2"),
                  account_owner=Employee.get(Employee.name == "何平"))
    data = workbook(["客户", "时间", "沟通方式", "内容"],
                    [["限阅客户乙", "2026-11-20", "电话", "看不到的客户"]])
    errors = errors_of(upload(api, "sales", "customer_communication", data, dry_run=True).get_json())
    assert "找不到「限阅客户乙」" in errors[(2, "客户")]
    # a record the user may not edit is not updated (nor revealed)
    data = workbook(["记录编号", "版本", "电话"], [[hidden.record_no, 1, "000"]])
    errors = errors_of(upload(api, "sales", "customer", data, dry_run=True).get_json())
    assert "不存在，或您无权修改" in errors[(2, "记录编号")]


# Updates by record number ------------------------------------------------------------------

def test_reimport_with_record_numbers_updates_with_the_optimistic_lock(api, db_ctx):
    from models import Customer
    r = upload(api, "clerk", "customer", workbook(CUSTOMER_HEADER, customer_rows(3)))
    assert r.status_code == 201, r.get_json()
    assert count(Customer) == 3
    # the exported list, edited and imported again, updates the same records
    export = openpyxl.load_workbook(io.BytesIO(api("clerk").get("/api/v1/customer/export.xlsx").get_data()))
    sheet = export.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    for row in rows:
        row[header.index("电话")] = "029-12345678"
    edited = workbook([str(h) for h in header], rows)
    r = upload(api, "clerk", "customer", edited, dry_run=True)
    body = r.get_json()
    assert (body["create"], body["update"], body["error_count"]) == (0, 3, 0), body["errors"]
    assert body["plan"][0]["changes"] == ["电话"]
    assert {c["reason"] for c in body["ignored_columns"]} == {"只读字段，已忽略"}
    assert upload(api, "clerk", "customer", edited).status_code == 201
    assert count(Customer) == 3
    assert {c.phone for c in Customer.select()} == {"029-12345678"}
    assert {c.version for c in Customer.select()} == {2}
    # a version given in the file must be the record's current one
    numbers = [row[header.index("记录编号")] for row in rows]
    stale = workbook(["记录编号", "版本", "电话"], [[n, 1, "029-0"] for n in numbers])
    r = upload(api, "clerk", "customer", stale)
    assert r.status_code == 400 and r.get_json()["error_count"] == 3
    assert all("版本已变化" in e["message"] for e in r.get_json()["errors"])
    assert r.get_json()["batch"]["status"] == "failed"
    assert {c.phone for c in Customer.select()} == {"029-12345678"}


def test_record_changed_after_the_preview_is_not_overwritten(api, portal, make, db_ctx):
    from models import Customer
    row = make("customer", name="预览后被修改的客户")
    page = portal("clerk")
    data = workbook(["记录编号", "电话"], [[row.record_no, "029-1111"]])
    body = page.post("/customer/import/", data={"file": (io.BytesIO(data), "a.xlsx")},
                     content_type="multipart/form-data").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', body).group(1)
    # someone saves the record between the preview and the confirmation
    r = api("sales").patch(f"/api/v1/customer/{row.id}", json={"version": 1, "phone": "029-2222"})
    assert r.status_code == 200
    r = page.post("/customer/import/confirm/", data={"token": token})
    assert r.status_code == 400 and "版本已变化" in r.get_data(as_text=True)
    assert Customer.get_by_id(row.id).phone == "029-2222"


# Formats ---------------------------------------------------------------------------------

def test_gb18030_csv_with_english_labels_codes_and_every_date_form(api, app, db_ctx):
    from flask_babel import force_locale, gettext
    from models import Customer
    with app.test_request_context(), force_locale("en"):
        english = [gettext(label) for label in ("客户名称", "客户等级", "区域")]
    header = english + ["account_owner", "联系人姓名", "电话", "地址", "填写日期", "客户标签"]
    dates = ["2026-11-22", "2026/11/22", "2026年11月22日", "46348"]
    lines = [",".join(header)]
    for i, day in enumerate(dates):
        lines.append(f"中文客户{i},{'A' if i % 2 else 'C类'},西北区,YG-0002,赵工,0917-{i},宝鸡市,{day},vip、回头客")
    data = "\n".join(lines).encode("gb18030")
    r = upload(api, "clerk", "customer", data, name="客户.csv")
    assert r.status_code == 201, r.get_json()
    rows = list(Customer.select().order_by(Customer.id))
    assert [c.name for c in rows] == ["中文客户0", "中文客户1", "中文客户2", "中文客户3"]
    assert {c.filled_at for c in rows} == {date(2026, 11, 22)}
    assert [c.grade for c in rows] == ["C", "A", "C", "A"]
    assert {c.account_owner.record_no for c in rows} == {"YG-0002"}
    assert rows[0].segments == ["vip", "returning"]


def test_excel_dates_and_numbers_are_read_as_typed(api, db_ctx):
    from models import Customer
    header = CUSTOMER_HEADER + ["填写日期", "销售额"]
    rows = [r + [d, 1234.5] for r, d in zip(customer_rows(2), [date(2026, 11, 22), 46348])]
    rows[0][5] = 13800138000          # a phone typed as a number stays its digits
    assert upload(api, "clerk", "customer", workbook(header, rows)).status_code == 201
    first, second = Customer.select().order_by(Customer.id)
    assert first.filled_at == second.filled_at == date(2026, 11, 22)
    assert first.phone == "13800138000" and first.sales_volume == Decimal("1234.5")


def test_required_column_missing_is_reported_once(api):
    header = [h for h in CUSTOMER_HEADER if h != "区域"]
    rows = [r[:2] + r[3:] for r in customer_rows(5)]
    body = upload(api, "clerk", "customer", workbook(header, rows), dry_run=True).get_json()
    assert body["error_count"] == 1
    assert body["errors"][0]["row"] == 1 and "缺少必填列：区域" in body["errors"][0]["message"]


def test_ambiguous_names_and_in_file_duplicates(api, make):
    make("customer", name="同名客户")
    make("customer", name="同名客户")
    data = workbook(["客户", "时间", "沟通方式", "内容"], [["同名客户", "2026-11-20", "电话", "x"]])
    errors = errors_of(upload(api, "clerk", "customer_communication", data, dry_run=True).get_json())
    assert "对应多条记录" in errors[(2, "客户")]
    # a unique field repeated within the file
    data = workbook(["区域名称"], [["新设区域"], ["新设区域"]])
    errors = errors_of(upload(api, "admin", "region", data, dry_run=True).get_json())
    assert set(errors) == {(3, "区域名称")} and "与第 2 行重复" in errors[(3, "区域名称")]


# Limits -----------------------------------------------------------------------------------

@pytest.fixture
def small_limits(app):
    saved = {k: app.config[k] for k in ("IMPORT_MAX_BYTES", "IMPORT_MAX_ROWS", "MAX_CONTENT_LENGTH")}
    app.config.update(IMPORT_MAX_BYTES=12000, IMPORT_MAX_ROWS=3, MAX_CONTENT_LENGTH=40000)
    yield
    app.config.update(saved)


def test_files_over_the_limits_are_refused(api, portal, small_limits, db_ctx):
    from models import Customer
    r = upload(api, "clerk", "customer", workbook(CUSTOMER_HEADER, customer_rows(4)))
    assert r.status_code == 400 and "数据行数超过上限（3 行）" in r.get_json()["error"]
    big = ("客户名称\n" + "很长的客户名称\n" * 600).encode("utf-8")
    r = upload(api, "clerk", "customer", big, name="big.csv", dry_run=True)
    assert r.status_code == 400 and "文件超过大小上限" in r.get_json()["error"]
    huge = b"x" * 50000                       # beyond the request limit: 413, in Chinese
    r = upload(api, "clerk", "customer", huge, name="huge.csv")
    assert r.status_code == 413 and "文件超过大小上限" in r.get_json()["error"]
    page = portal("clerk").post("/customer/import/", data={"file": (io.BytesIO(huge), "huge.csv")},
                                content_type="multipart/form-data")
    assert page.status_code == 413 and "文件超过大小上限" in page.get_data(as_text=True)
    assert count(Customer) == 0


def test_unreadable_files_get_a_clear_message(api):
    r = upload(api, "clerk", "customer", b"\xd0\xcf\x11\xe0" + b"\0" * 100, name="old.xls")
    assert r.status_code == 400 and ".xls" in r.get_json()["error"]
    r = upload(api, "clerk", "customer", b"PK\x03\x04broken", name="a.xlsx")
    assert r.status_code == 400 and "无法读取" in r.get_json()["error"]
    r = upload(api, "clerk", "customer", "名称,价格\n甲,1\n".encode(), name="a.csv")
    assert r.status_code == 400 and "没有找到「客户档案」的任何字段" in r.get_json()["error"]


# The pages ---------------------------------------------------------------------------------

def test_upload_preview_and_confirm_pages(portal, db_ctx):
    from models import Customer
    from portal.importer import ImportBatch
    page = portal("clerk")
    form = page.get("/customer/import/").get_data(as_text=True)
    assert "下载导入模板" in form and "/customer/import/template/" in form
    assert page.get("/customer/import/template/").status_code == 200
    data = workbook(CUSTOMER_HEADER, customer_rows(2))
    r = page.post("/customer/import/", data={"file": (io.BytesIO(data), "客户.xlsx")},
                  content_type="multipart/form-data")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "共 2 行：新建 2 条，更新 0 条，错误 0 处。" in body
    assert "导入客户1" in body and count(Customer) == 0
    token = re.search(r'name="token" value="([^"]+)"', body).group(1)
    # another user cannot confirm this upload
    other = portal("sales").post("/customer/import/confirm/", data={"token": token})
    assert other.status_code == 302 and count(Customer) == 0
    r = page.post("/customer/import/confirm/", data={"token": token})
    assert r.status_code == 302 and count(Customer) == 2
    assert page.post("/customer/import/confirm/", data={"token": token}).status_code == 302
    assert count(Customer) == 2                       # a token is used once
    batches = page.get("/import_batch/").get_data(as_text=True)
    assert "IMP-" in batches and "客户.xlsx" in batches and "已导入" in batches
    assert ImportBatch.select().count() == 1
    assert "客户.xlsx" not in portal("sales").get("/import_batch/").get_data(as_text=True)


def test_preview_page_shows_errors_and_offers_no_confirm(portal, db_ctx):
    rows = customer_rows(2)
    rows[1][1] = "E类"
    r = portal("clerk").post("/customer/import/", data={"file": (io.BytesIO(workbook(CUSTOMER_HEADER, rows)), "a.xlsx")},
                             content_type="multipart/form-data")
    body = r.get_data(as_text=True)
    assert "无效的选项：E类" in body and 'id="import-confirm"' not in body
