"""Exports (issue: exports, printable forms, reports, dashboard): exactly the
rows the user sees, typed cells, no formulas, audited, streamed."""
import csv
import io
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest

from conftest import flt, user


def sheet_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    return book.worksheets[0]


def records_in(sheet):
    header = [c.value for c in sheet[1]]
    column = header.index("记录编号")
    return [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]


def api_list(api, username, query=""):
    r = api(username).get(f"/api/v1/customer?per_page=200&{query}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def exportable(items):
    """R-ARC-15: sealed files are listed to their readers but exported only
    with an approval (the general manager, or a loan for copying)."""
    return [i["record_no"] for i in items if i["confidentiality"] != "sealed"]


# Roles that may export customer files, each with its own row rule.
EXPORTERS = ["clerk", "salesmgr", "gm"]


@pytest.mark.demo_data(shared=True)
@pytest.mark.parametrize("username", EXPORTERS)
def test_export_holds_exactly_the_rows_of_the_list(api, portal, username):
    listed = api_list(api, username, "grade=B&sort=name")
    numbers = ([i["record_no"] for i in listed["items"]] if username == "gm"
               else exportable(listed["items"]))
    assert numbers and listed["total"] == len(listed["items"])
    exported = records_in(sheet_of(api(username).get("/api/v1/customer/export.xlsx?grade=B&sort=name")))
    assert exported == numbers
    # the list page's export, with the page's filter and search, agrees too
    page = portal(username)
    url = f"/customer/export/xlsx/?{flt('customer', 'grade')}=B"
    assert sorted(records_in(sheet_of(page.get(url)))) == sorted(numbers)


@pytest.mark.demo_data
def test_row_rules_make_exports_differ_by_role(api, db_ctx):
    from permissions import Permission
    from portal.accounts import Role
    # sales representatives do not export customer files by default; given
    # the verb, each exports only the files of their own row rule
    Permission.create(role=Role.get(Role.key == "salesperson"), register="customer", verb="export")
    exported = {u: set(records_in(sheet_of(api(u).get("/api/v1/customer/export.xlsx"))))
                for u in ("sales", "sales2", "clerk", "salesmgr", "gm")}
    everyone = exported.pop("gm")
    for username, rows in exported.items():
        assert rows and rows < everyone
        assert rows == set(exportable(api_list(api, username)["items"]))
    assert exported["sales"] != exported["sales2"]


@pytest.mark.demo_data(shared=True)
def test_search_narrows_the_export_like_the_list(portal, api):
    listed = api_list(api, "clerk", "q=宝鸡")
    exported = records_in(sheet_of(portal("clerk").get("/customer/export/xlsx/?search=宝鸡")))
    assert sorted(exported) == sorted(exportable(listed["items"])) and exported


def test_cells_are_typed_and_strings_never_formulas(make, api, db_ctx):
    from models import Customer
    row = make("customer", name="=1+1", contact_name="@SUM(A1)", sales_volume=Decimal("1234.50"),
               is_key_account=True, address="http://example.com/x")
    # the review date is the periodic review's own (a transition), set here directly
    Customer.update(last_review_at=date(2026, 3, 1)).where(Customer.id == row.id).execute()
    sheet = sheet_of(api("gm").get("/api/v1/customer/export.xlsx?q==1%2B1"))
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2])}
    assert row["客户名称"].value == "=1+1" and row["客户名称"].data_type == "s"
    assert row["联系人姓名"].value == "@SUM(A1)" and row["联系人姓名"].data_type == "s"
    assert row["地址"].hyperlink is None
    assert row["销售额"].data_type == "n" and row["销售额"].value == 1234.5
    assert isinstance(row["最近定期调查"].value, datetime)
    assert row["最近定期调查"].value.date() == date(2026, 3, 1)
    assert isinstance(row["创建时间"].value, datetime)
    assert row["重大客户/大客户"].value == "是"
    assert row["客户等级"].value == "B类"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}2"
    assert sheet.column_dimensions["B"].width > 8
    assert header[0] == "记录编号"


def test_csv_has_bom_chinese_headers_and_neutralised_formulas(make, api, db_ctx):
    make("customer", name="=1+1", contact_name="-2+3")
    r = api("gm").get("/api/v1/customer/export.csv?q==1%2B1")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    header, row = rows[0], rows[1]
    assert "客户名称" in header
    assert row[header.index("客户名称")] == "'=1+1"
    assert row[header.index("联系人姓名")] == "'-2+3"


def test_download_name_is_chinese_and_encoded(api):
    r = api("gm").get("/api/v1/customer/export.xlsx")
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="customer-')
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded).startswith("客户档案-")
    assert unquote(encoded).endswith(".xlsx")


def test_export_is_its_own_verb_and_is_audited(api, portal, db_ctx):
    from portal.audit import AuditEvent
    from permissions import Permission, seed_matrix
    from portal import registry
    clerk = user("clerk")
    # a role that may view but not export customers gets 403 on both paths
    Permission.delete().where(Permission.register == "customer", Permission.verb == "export").execute()
    assert api("clerk").get("/api/v1/customer").status_code == 200
    assert api("clerk").get("/api/v1/customer/export.xlsx").status_code == 403
    assert portal("clerk").get("/customer/export/csv/").status_code == 403
    assert not AuditEvent.select().where(AuditEvent.action == "export").exists()
    seed_matrix([registry.get("customer")], force=True)
    r = api("clerk").get("/api/v1/customer/export.csv?grade=A")
    assert r.status_code == 200
    lines = r.get_data(as_text=True).splitlines()
    event = AuditEvent.get(AuditEvent.action == "export")
    assert event.actor_name == clerk.username and event.register == "customer"
    assert event.change_dict["rows"][1] == len(lines) - 1
    assert event.change_dict["format"][1] == "csv"
    assert "grade=A" in event.change_dict["filters"][1]


def test_an_unknown_format_is_refused_in_chinese(api):
    r = api("gm").get("/api/v1/customer/export.pdf")
    assert r.status_code == 400 and "不支持的导出格式" in r.get_json()["error"]


def test_more_rows_than_a_sheet_holds_is_refused_before_streaming(api, make, monkeypatch, db_ctx):
    from admin_views import export
    make("customer")
    make("customer", name="另一客户")
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 1)
    r = api("gm").get("/api/v1/customer/export.xlsx")
    assert r.status_code == 400 and "CSV" in r.get_json()["error"]
    assert api("gm").get("/api/v1/customer/export.csv").status_code == 200


@pytest.mark.demo_data(shared=True)
def test_xlsx_is_streamed_while_rows_are_read(api, monkeypatch):
    """The first chunk (the zip's first entry header) leaves before the
    query is exhausted, and the workbook is complete at the end."""
    from admin_views import export
    monkeypatch.setattr(export, "CHUNK", 256)
    monkeypatch.setattr(export, "WIDTH_SAMPLE", 3)
    read = []
    original = export.result_rows

    def counting(query):
        for row in original(query):
            read.append(row["id"])
            yield row
    monkeypatch.setattr(export, "result_rows", counting)
    r = api("gm").get("/api/v1/customer/export.xlsx", buffered=False)
    assert r.is_streamed
    chunks = iter(r.response)
    first = next(chunks)
    assert first.startswith(b"PK\x03\x04")
    total = len(read)
    rest = b"".join(chunks)
    assert total < len(read)                       # rows were still being read
    book = openpyxl.load_workbook(io.BytesIO(first + rest))
    assert book.worksheets[0].max_row == len(read) + 1


@pytest.mark.skipif("postgres" in __import__("os").environ.get("PORTAL_DATABASE_URL", ""),
                    reason="SQLite's page cache")
@pytest.mark.demo_data(shared=True)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_reads_with_a_small_page_cache_and_gives_it_back(portal, fmt, db_ctx):
    # an export reads each page once, with a small page cache; the list pages
    # that the same (pooled) connection serves next keep the usual 64 MB
    from admin_views.export import EXPORT_CACHE_KB
    from portal.db import SQLITE_PRAGMAS, db
    r = portal("salesmgr").get(f"/customer/export/{fmt}/", buffered=False)
    assert r.status_code == 200
    chunks = iter(r.response)
    next(chunks)
    next(chunks)                      # the rows are being read (this thread's connection)
    assert db.execute_sql("PRAGMA cache_size").fetchone()[0] == -EXPORT_CACHE_KB
    b"".join(chunks)                  # the rest of the file
    r.close()
    db.close()
    pooled = [conn for _, _, conn in db.obj._connections]
    assert pooled
    for conn in pooled:
        assert conn.execute("PRAGMA cache_size").fetchone()[0] == SQLITE_PRAGMAS["cache_size"]
