"""Large registers (complaints, customers): the text index finds two-character
and longer Chinese terms and follows every write (form, API, bulk insert,
delete); counts stop at the limit and say so; a list page runs a fixed handful
of queries whatever its size; the page query does not scan the table."""
from datetime import datetime

import pytest

from conftest import user


@pytest.fixture
def complaint(make, db_ctx):
    from models import Customer
    cust = make("customer", name="宝鸡市交通运输局")

    def create(actor="clerk", **values):
        data = dict(customer=Customer.get_by_id(cust.id), title="动态汽车衡读数漂移",
                    content="过车时读数波动超过允许误差", type="complaint", cause_class="quality",
                    received_by=user(actor).employee, received_at=datetime(2026, 11, 16, 10, 0),
                    matter="读数漂移")
        data.update(values)
        return make("complaint", actor=actor, **data)
    return create


def found(page, register, text):
    """Record numbers the list shows for a search."""
    from urllib.parse import quote
    r = page.get(f"/{register}/?search={quote(text)}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_search_finds_two_character_and_long_terms_after_create_and_edit(portal, api, complaint):
    row = complaint(title="秤台产品质量问题", content="客户反映称重传感器受潮后读数漂移，要求更换。")
    other = complaint(title="发票金额与合同不一致", content="财务核对后发现单价录入错误。")
    page = portal("clerk")
    for term in ("质量", "产品质量问题", "传感器受潮后读数漂移", "量问", "秤", row.record_no,
                 "质量 受潮"):                     # two terms, both required
        body = found(page, "complaint", term)
        assert row.record_no in body, term
        assert other.record_no not in body, term
    assert row.record_no not in found(page, "complaint", "质量差")
    assert row.record_no not in found(page, "complaint", "质量 发票")

    c = api("clerk")
    r = c.patch(f"/api/v1/complaint/{row.id}", json={"version": row.version,
                                                     "title": "显示器黑屏无法读数"})
    assert r.status_code == 200, r.get_json()
    assert row.record_no not in found(page, "complaint", "产品质量")
    assert row.record_no in found(page, "complaint", "黑屏")
    assert row.record_no in found(page, "complaint", "受潮")             # content unchanged
    assert [i["id"] for i in c.get("/api/v1/complaint?q=黑屏").get_json()["items"]] == [row.id]

    assert api("salesmgr").delete(f"/api/v1/complaint/{row.id}").status_code == 204
    assert row.record_no not in found(page, "complaint", "黑屏")
    assert c.get("/api/v1/complaint?q=黑屏").get_json()["total"] == 0


def test_rows_inserted_in_bulk_and_deleted_for_good_follow_the_index(portal, complaint, db_ctx):
    """An import writes with INSERT statements of many rows, and a purge
    deletes rows: the text index follows both."""
    from models import Complaint
    row = complaint(title="轨道衡数据上传中断")
    copy = Complaint.select().where(Complaint.id == row.id).dicts().get()
    copy.pop("id")
    copies = [dict(copy, record_no=f"2611-9{i}", title=f"批量导入的称重显示器故障{i}")
              for i in range(3)]
    Complaint.insert_many(copies).execute()
    page = portal("clerk")
    body = found(page, "complaint", "显示器故障")
    assert all(f"2611-9{i}" in body for i in range(3))
    Complaint.delete().where(Complaint.record_no == "2611-90").execute()
    body = found(page, "complaint", "显示器故障")
    assert "2611-90" not in body and "2611-91" in body


def test_customer_search_by_two_character_name_and_phone(portal, make, db_ctx):
    row = make("customer", name="汉中市物流园区管理公司", phone="0916-2268800")
    page = portal("clerk")
    assert row.record_no in found(page, "customer", "物流")
    assert row.record_no in found(page, "customer", "2268800")
    assert row.record_no not in found(page, "customer", "物资")


def test_counts_stop_at_the_limit_and_say_so(app, portal, api, complaint, monkeypatch):
    import re
    for i in range(4):
        complaint(title=f"计重收费系统故障{i}")
    monkeypatch.setitem(app.config, "LIST_COUNT_LIMIT", 3)
    body = portal("clerk").get("/complaint/").get_data(as_text=True)
    assert re.search(r'class="nav-link active">[^<(]*\(3\+ 条\)', body)
    data = api("clerk").get("/api/v1/complaint?per_page=2").get_json()
    assert data["total"] == 3 and data["total_estimated"] is True and len(data["items"]) == 2

    monkeypatch.setitem(app.config, "LIST_COUNT_LIMIT", 4)
    body = portal("clerk").get("/complaint/").get_data(as_text=True)
    assert re.search(r'class="nav-link active">[^<(]*\(4\)', body)
    data = api("clerk").get("/api/v1/complaint").get_json()
    assert data["total"] == 4 and "total_estimated" not in data


@pytest.mark.parametrize("limit, page, shown, count, counted", [
    (30, 0, 20, "(25)", True),          # a full page within the limit: counted
    (30, 1, 5, "(25)", False),          # the last page, not full: it ends the list
    (3, 1, 5, "(3+ 条)", False),         # a page past the limit: more than the limit
    (3, 0, 20, "(3+ 条)", False),        # a first page longer than the limit
    (25, 0, 20, "(25)", True),          # a full page within the limit: counted (to it)
    (24, 0, 20, "(24+ 条)", True),       # a full page: counted, up to the limit
    (30, 4, 0, "(25)", True),           # past the end: counted
])
def test_the_count_is_read_from_the_page_when_the_page_tells_it(
        app, portal, complaint, db_ctx, monkeypatch, limit, page, shown, count, counted):
    import re

    from models import Complaint
    from portal.db import db
    first = complaint(title="计重收费系统故障")
    copy = Complaint.select().where(Complaint.id == first.id).dicts().get()
    copy.pop("id")
    Complaint.insert_many([dict(copy, record_no=f"2611-9{i:02d}") for i in range(24)]).execute()
    monkeypatch.setitem(app.config, "LIST_COUNT_LIMIT", limit)
    clerk = portal("clerk")
    clerk.get("/complaint/")                          # reference drop-downs read
    statements = []
    db.obj.query_hooks.append(lambda event: statements.append(event.sql))
    try:
        body = clerk.get(f"/complaint/?page={page}&page_size=20").get_data(as_text=True)
    finally:
        db.obj.query_hooks.pop()
    assert re.search(r'class="nav-link active">[^<(]*' + re.escape(count), body)
    assert body.count('name="rowid"') == shown
    assert any(sql.upper().startswith("SELECT COUNT(") for sql in statements) is counted, statements

    api_page = page + 1
    data = clerk.get(f"/api/v1/complaint?per_page=20&page={api_page}").get_json()
    assert len(data["items"]) == shown
    assert data["total"] == int(re.sub(r"\D", "", count))
    assert data.get("total_estimated", False) is ("+" in count)


@pytest.mark.parametrize("page_size", [20, 100])
def test_a_list_page_runs_three_queries(portal, complaint, db_ctx, page_size, monkeypatch):
    from admin_views import filters
    from models import Complaint, Employee
    # the reference drop-downs, read by the first page, are kept 30 s; a slow
    # machine must not let them expire between the two pages
    monkeypatch.setattr(filters, "OPTIONS_SECONDS", 3600)
    first = complaint()
    handler = Employee.get(Employee.name == "王强")
    Complaint.update(handler=handler, receiving_unit=handler.dept).where(
        Complaint.id == first.id).execute()
    copy = Complaint.select().where(Complaint.id == first.id).dicts().get()
    copy.pop("id")
    Complaint.insert_many([dict(copy, record_no=f"2611-8{i:02d}") for i in range(120)]).execute()

    from portal.db import db
    statements = []

    def note(event):
        statements.append(event.sql)
    page = portal("clerk")
    url = f"/complaint/?page_size={page_size}"
    page.get(url)                                   # reference drop-downs are read once
    db.obj.query_hooks.append(note)
    try:
        r = page.get(url)
    finally:
        db.obj.query_hooks.remove(note)
    body = r.get_data(as_text=True)
    assert body.count("2611-8") == page_size
    assert "王强" in body                             # related titles come with the rows
    # the user (with roles, grants, unread count, department tree), the
    # bounded count, the page's rows
    assert len(statements) <= 3, "\n".join(statements)


def test_each_row_shows_its_own_values_and_buttons(portal, complaint, db_ctx):
    """Each row's buttons (written once per page with the row's id put in)
    and values belong to its record, and the time-left column still has the
    state and deadline it is computed from (the page reads only the columns
    it needs)."""
    import re
    made = {complaint(title=f"第{n}号投诉的标题").id: f"第{n}号投诉的标题" for n in range(3)}
    body = portal("clerk").get("/complaint/?search=投诉的标题").get_data(as_text=True)
    rows = [r for r in body.split("<tr")[1:] if "/complaint/details/?id=" in r]
    assert len(rows) == 3
    for row in rows:
        shown = {int(i) for i in re.findall(r"/complaint/(?:details|edit)/\?id=(\d+)&amp;", row)}
        shown |= {int(i) for i in re.findall(r'name="id" type="hidden" value="(\d+)"', row)}
        assert len(shown) == 1, row
        record = shown.pop()
        assert made.pop(record) in row
        assert 'name="rowid" class="action-checkbox" value="%d"' % record in row
        assert "time-left" in row or "time-overdue" in row     # from the state and deadline
    assert made == {}


def sqlite_only():
    import os
    return pytest.mark.skipif("postgres" in os.environ.get("PORTAL_DATABASE_URL", ""),
                              reason="EXPLAIN QUERY PLAN is SQLite's")


@sqlite_only()
def test_the_page_queries_use_indexes_not_a_scan_of_the_table(app, complaint, db_ctx):
    import sys
    from pathlib import Path
    from flask_login import login_user
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.plans import explain, list_queries
    from admin_views import VIEWS
    from portal.accounts import User
    complaint()
    view = VIEWS["complaint"]
    state = next(i for i, f in enumerate(view._filters) if f.column.name == "state")
    with app.test_request_context("/complaint/"):
        login_user(User.get(User.username == "clerk"))
        for kw in ({}, {"page": 999}, {"search": "质量"},
                   {"filters": [(state, "state", "investigating")]}):
            for query in list_queries(view, **kw):
                plan = explain(query)
                scans = [line for line in plan if line.startswith("SCAN")
                         and "USING" not in line and "VIRTUAL TABLE" not in line]
                assert not scans, (kw, plan)


def test_list_links_are_the_urls_flask_admin_writes(app, db_ctx):
    """The pager, sort and page-size links are built from the page's own URL
    once per request; each is the URL Flask-Admin's url_for call gives, with
    search, filters (escaped), sort and the portal's own arguments kept."""
    from urllib.parse import quote
    from flask_admin.model.base import BaseModelView
    from flask_login import login_user
    from admin_views import VIEWS
    from portal.accounts import User
    view = VIEWS["complaint"]
    state = next(i for i, f in enumerate(view._filters) if type(f).__name__ == "ChoiceEqual")
    text = next(i for i, f in enumerate(view._filters) if type(f).__name__ == "RelatedContains")
    urls = ["/complaint/",
            f"/complaint/?flt0_{text}={quote('宝鸡 &/+%#')}&flt1_{state}=investigating"
            f"&search={quote('质量 问题')}&sort=2&desc=1&page=4&archived=1&page_size=50"]
    checked = 0
    for url in urls:
        with app.test_request_context(url):
            login_user(User.get(User.username == "clerk"))
            args = view._get_list_extra_args()
            for variant in (args, args.clone(page=7), args.clone(page=None),
                            args.clone(sort=3, sort_desc=None), args.clone(page_size=100),
                            args.clone(search=None, filters=None)):
                ours = view._get_list_url(variant)
                assert ours == BaseModelView._get_list_url(view, variant)
                checked += 1
            if "?" in url:
                assert len(args.filters) == 2
                assert "flt0_" in view._get_list_url(args) and "flt1_" in view._get_list_url(args)
    assert checked == 12


def test_filter_definitions_follow_language_and_new_reference_rows(portal, make, db_ctx,
                                                                   monkeypatch):
    """The list's filter labels and drop-down options are kept per process,
    by language, grants and when the drop-downs were read: a new department
    shows once the drop-downs are read again, English labels in English, and
    no department to a user no longer allowed to view them."""
    import html
    import json
    import re
    from admin_views import filters

    def groups(page):
        body = page.get("/complaint/").get_data(as_text=True)
        data = re.search(r'<div id="filter-groups-data" class="d-none">(.*?)</div>', body, re.S)
        return json.loads(html.unescape(data.group(1)))

    def departments(found):
        return {label for entries in found.values() for e in entries
                if e["arg"] == str(unit) for _, label in e["options"] or ()}
    from admin_views import VIEWS
    unit = next(i for i, f in enumerate(VIEWS["complaint"]._filters)
                if f.column.name == "receiving_unit" and type(f).__name__ == "RelatedEqual")
    monkeypatch.setattr(filters, "OPTIONS_SECONDS", 3600)
    page = portal("clerk")
    first = groups(page)
    assert "状态" in first and "销售一部" in departments(first)
    make("department", actor="admin", name="新设质量追溯部", abbr="追溯")
    assert "新设质量追溯部" not in departments(groups(page))     # read within the last hour
    monkeypatch.setattr(filters, "OPTIONS_SECONDS", 0)
    assert "新设质量追溯部" in departments(groups(page))
    monkeypatch.setattr(filters, "OPTIONS_SECONDS", 3600)
    assert "状态" in groups(page)
    page.post("/locale", data={"locale": "en", "next": "/complaint/"})
    english = groups(page)
    assert "状态" not in english and "State" in english
    # kept by grants too: without the right to view departments, no department offered
    from permissions import Permission
    from portal.accounts import Role
    roles = Role.select(Role.id).where(Role.key.in_(list(user("clerk").role_keys)))
    Permission.delete().where(Permission.role.in_(roles), Permission.register == "department",
                              Permission.verb == "view").execute()
    assert departments(groups(page)) == set()


def test_list_header_links_sort_each_column_and_invert_the_current_one(portal, complaint,
                                                                         db_ctx):
    """The header written by listing.list_header: one sort link per sortable
    column, in column order, the current sort column's link inverting it;
    selecting a sort orders the rows by it."""
    import html
    import re
    from admin_views import VIEWS
    view = VIEWS["complaint"]
    complaint(title="A-标题")
    complaint(title="B-标题")
    page = portal("clerk")
    columns = [c for c, _ in view._list_columns]
    title = columns.index("title")

    def header(url):
        body = page.get(url).get_data(as_text=True)
        head = body.split("<thead>", 1)[1].split("</thead>", 1)[0]
        cells = re.findall(r'<th class="column-header col-([\w-]+)">(.*?)</th>', head, re.S)
        return body, {c: html.unescape(cell) for c, cell in cells}

    body, cells = header("/complaint/")
    assert list(cells) == columns
    for i, c in enumerate(columns):
        assert f"sort={i}&" in cells[c], (c, cells[c])
    body, cells = header(f"/complaint/?sort={title}")
    assert "fa-chevron-up" in cells["title"] and f"sort={title}&desc=1" in cells["title"]
    assert body.index("A-标题") < body.index("B-标题")
    body, cells = header(f"/complaint/?sort={title}&desc=1")
    assert "fa-chevron-down" in cells["title"] and "desc=1" not in cells["title"]
    assert body.index("B-标题") < body.index("A-标题")


def test_static_file_urls_follow_the_script_root(portal):
    """Flask-Admin's static-file URLs are kept per script root: the same page
    served under /portal links its scripts under /portal."""
    import re
    page = portal("clerk")
    plain = page.get("/complaint/").get_data(as_text=True)
    mounted = page.get("/complaint/", environ_overrides={"SCRIPT_NAME": "/portal"}).get_data(as_text=True)
    jquery = r'src="([^"]*/static/admin/vendor/jquery\.min\.js\?v=3\.5\.1)"'
    assert re.search(jquery, plain).group(1) == "/static/admin/vendor/jquery.min.js?v=3.5.1"
    assert re.search(jquery, mounted).group(1) == "/portal/static/admin/vendor/jquery.min.js?v=3.5.1"
    assert re.search(jquery, page.get("/complaint/").get_data(as_text=True)).group(1).startswith("/static/")
