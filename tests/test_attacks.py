"""Attack cases through the HTML portal and the JSON API: script payloads shown
escaped everywhere and exported as plain text, SQL-ish search, forged ids
(IDOR) on every endpoint, verbs the matrix does not grant, replayed
approvals, odd input (overlong, NUL, invisible and bidi characters, full-width
digits, emoji), hostile sort and filter parameters, CSRF, open redirects,
security headers and session cookies.

Registers covered: customer (archive rule, workflow), complaint (workflow,
copies as child rows), borrow_request (approval workflow), patrol_daily_report
(child rows)."""
import csv
import io
import re
from datetime import datetime, timedelta

import pytest

from conftest import csrf_token, list_count, login, user

XSS = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS = "javascript:alert(1)"
FORMULAS = ("=1+1", "+cmd", "-2+3", "@SUM(1)")
ESCAPED_XSS = "&lt;script&gt;alert(1)&lt;/script&gt;"


def assert_escaped(body, where=""):
    """No payload reaches the page as markup or as a link."""
    assert "<script>alert(1)" not in body, where
    assert "<img src=x" not in body, where
    assert not re.search(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:alert""", body, re.I), where


def text(response):
    return response.get_data(as_text=True)


# Records under attack ---------------------------------------------------------------

@pytest.fixture
def hostile(make, api, portal, db_ctx):
    """hostile(register) -> (row id, a user who reads it): a record of that
    register whose text fields hold script payloads and formulas."""
    from models import Customer, Department, Employee

    def customer():
        row = make("customer", name=XSS, contact_name=IMG[:60], address=JS, phone="=1+1",
                   business_scope="+cmd", main_needs="-2+3", organization="@SUM(1)")
        return row.id, "clerk"

    def complaint():
        cust = make("customer", name="宝鸡市交通运输局")
        row = make("complaint", actor="clerk", customer=Customer.get_by_id(cust.id), title=XSS,
                   content=IMG + " " + JS, type="complaint", cause_class="quality",
                   received_by=user("clerk").employee, received_at=datetime(2026, 11, 16, 10),
                   matter="=1+1")
        return row.id, "clerk"

    def borrow_request():
        restricted = make("customer", actor="marketing", name="限阅客户",
                          responsible_dept=Department.get(Department.abbr == "XS2"),
                          account_owner=Employee.get(Employee.name == "何平"),
                          confidentiality="restricted", custodian=Employee.get(Employee.name == "刘静"))
        r = api("sales").post("/api/v1/borrow_request", json={
            "register": "customer", "record": restricted.id, "purpose": "consult",
            "reason": "=1+1 " + XSS + IMG})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"], "marketing"

    def patrol_daily_report():
        cust = make("customer", name="陕西高速")
        emp = user("sales").employee
        r = portal("sales").post("/patrol_daily_report/new/", data={
            "visitor": emp.id, "date": "2026-11-20", "submitted_to": user("salesmgr").employee_id,
            "dept": emp.dept_id, "filled_at": "2026-11-20", "filled_by": emp.id,
            "retention_class": "three_years", "confidentiality": "internal",
            "entries-0-customer": cust.id, "entries-0-visited_at": "2026-11-20 10:00",
            "entries-0-opinions": XSS, "entries-0-suggestions": IMG, "entries-0-wishes": JS})
        assert r.status_code == 302, text(r)[:500]
        from models import PatrolDailyReport
        return PatrolDailyReport.select().order_by(PatrolDailyReport.id.desc()).first().id, "sales"

    builders = {"customer": customer, "complaint": complaint, "borrow_request": borrow_request,
                "patrol_daily_report": patrol_daily_report}
    return lambda register: builders[register]()


REGISTERS = ("customer", "complaint", "borrow_request", "patrol_daily_report")


# XSS ---------------------------------------------------------------------------------

@pytest.mark.parametrize("register", REGISTERS)
def test_script_payloads_are_escaped_in_list_details_edit_and_print(hostile, portal, register):
    rid, reader = hostile(register)
    p = portal(reader)
    shown = 0
    for url in (f"/{register}/", f"/{register}/details/?id={rid}", f"/{register}/print/?id={rid}",
                f"/{register}/edit/?id={rid}", f"/{register}/?search=%3Cscript%3E"):
        r = p.get(url)
        assert r.status_code in (200, 403), url        # edit may not be this reader's verb
        body = text(r)
        assert_escaped(body, url)
        shown += ESCAPED_XSS in body
    assert shown >= 2      # the payload is there, as text (details, print, and lists that show it)


def test_a_transition_note_is_escaped_on_the_timeline_and_in_the_flash(hostile, portal, trading,
                                                                      db_ctx):
    from models import Customer
    rid, _ = hostile("customer")
    trading(Customer.get_by_id(rid))
    p = portal("salesmgr")
    r = p.post("/customer/transition/review/", data={"id": rid, "comment": XSS + IMG},
               follow_redirects=True)
    assert r.status_code == 200
    body = text(r)
    assert_escaped(body)
    assert "定期调查" in body and ESCAPED_XSS in body     # flash, timeline and the name
    # an invalid choice typed into a transition comes back in the flash, escaped
    r = p.post("/customer/transition/terminate/", data={"id": rid, "reason": XSS, "bin": "past"})
    assert r.status_code == 400
    assert "无效的选项" in text(r) and ESCAPED_XSS in text(r)
    assert_escaped(text(r))


def test_invalid_filter_and_form_values_are_flashed_escaped(portal, db_ctx):
    from conftest import flt
    p = portal("sales")
    r = p.get(f"/customer/?{flt('customer', 'grade')}={XSS}")
    assert r.status_code == 200 and "筛选值无效" in text(r) and ESCAPED_XSS in text(r)
    assert_escaped(text(r))
    r = p.post("/customer/new/", data={"name": XSS, "grade": XSS, "region": XSS})
    assert r.status_code == 200 and ESCAPED_XSS in text(r)
    assert_escaped(text(r))


def test_api_returns_payloads_as_json_data_never_html(hostile, api):
    rid, reader = hostile("customer")
    r = api(reader).get(f"/api/v1/customer/{rid}")
    assert r.mimetype == "application/json" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.get_json()["name"] == XSS          # stored as typed, not mangled


@pytest.mark.parametrize("register,exporter", [
    ("customer", "clerk"), ("complaint", "salesmgr"), ("borrow_request", "marketing")])
def test_exports_hold_payloads_as_text_and_never_formulas(hostile, api, register, exporter):
    from openpyxl import load_workbook
    rid, _ = hostile(register)
    a = api(exporter)
    r = a.get(f"/api/v1/{register}/export.xlsx?id={rid}")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert any(XSS in str(c.value) for c in cells)
    assert all(c.data_type != "f" for c in cells)
    formulas = [c for c in cells if str(c.value).startswith(FORMULAS)]
    assert formulas and all(c.data_type == "s" for c in formulas)
    r = a.get(f"/api/v1/{register}/export.csv?id={rid}")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    values = [v for row in rows[1:] for v in row]
    assert any(XSS in v for v in values)
    assert not [v for v in values if v.startswith(FORMULAS)]
    assert any(v.startswith("'" + FORMULAS[0]) or v.startswith("'=") for v in values)


# SQL-ish search ------------------------------------------------------------------------

@pytest.mark.parametrize("term", ["' OR '1'='1", "1; DROP TABLE customer; --", "%", "_", "\\",
                                  "' UNION SELECT password_hash FROM user_account --"])
def test_sql_in_search_matches_only_itself(portal, api, make, term):
    make("customer", name="宝鸡市粮油站")
    make("customer", name=f"客户{term}")
    r = portal("sales").get("/customer/", query_string={"search": term})
    assert r.status_code == 200
    assert "宝鸡市粮油站" not in text(r) and "scrypt" not in text(r)
    r = api("sales").get("/api/v1/customer", query_string={"q": term})
    assert r.status_code == 200
    assert [i["name"] for i in r.get_json()["items"]] == [f"客户{term}"]


# Forged ids (IDOR) ---------------------------------------------------------------------

MARKER = "机密内容ZX9"


def lookups_of(model):
    """(register, lookup name) pairs whose forms look `model` up."""
    from admin_views import VIEWS
    return [(name, key) for name, view in VIEWS.items()
            for key, loader in view._form_ajax_refs.items() if loader.model is model]


def assert_sealed_off(app, portal, api, intruder, register, rid, transition):
    """Every path to record `rid` is 403/404 for `intruder`, shows nothing of
    it, and changes nothing."""
    from portal import registry
    spec = registry.get(register)
    Model = spec.model
    before = Model.select().where(Model.id == rid).dicts().get()
    p, a = portal(intruder), api(intruder)
    base = f"/{register}"
    responses = [
        p.get(f"{base}/details/?id={rid}"), p.get(f"{base}/edit/?id={rid}"),
        p.get(f"{base}/print/?id={rid}"), p.get(f"{base}/download/form/?id={rid}"),
        p.post(f"{base}/edit/?id={rid}", data={"version": before["version"]}),
        p.post(f"{base}/delete/", data={"id": rid}),
        p.post(f"{base}/restore/", data={"id": rid}),
        p.post(f"{base}/transition/{transition}/", data={"id": rid, "comment": "x"}),
        a.get(f"/api/v1/{register}/{rid}"),
        a.patch(f"/api/v1/{register}/{rid}", json={"version": before["version"]}),
        a.delete(f"/api/v1/{register}/{rid}"),
        a.post(f"/api/v1/{register}/{rid}/restore"),
        a.post(f"/api/v1/{register}/{rid}/{transition}", json={}),
        a.get(f"/api/v1/{register}/{rid}/form.xlsx"),
    ]
    for r in responses:
        assert r.status_code in (403, 404), (r.request.method, r.request.path, r.status_code)
        assert MARKER not in text(r)
    # lists, exports and lookups filtered on the id or the marker come back empty
    if p.get(f"{base}/").status_code == 200:
        assert list_count(p, f"{base}/?search={MARKER}") == 0
    for r in (p.post(f"{base}/action/", data={"action": "delete", "rowid": [rid]},
                     follow_redirects=True),
              a.get(f"/api/v1/{register}", query_string={"id": rid}),
              a.get(f"/api/v1/{register}", query_string={"q": MARKER}),
              a.get(f"/api/v1/{register}/export.csv", query_string={"id": rid}),
              p.get(f"{base}/export/csv/", query_string={"search": MARKER})):
        assert r.status_code in (200, 403), r.request.path
        assert MARKER not in text(r)
        if r.status_code == 200 and r.mimetype == "application/json":
            assert r.get_json()["total"] == 0
    for owner, name in lookups_of(Model)[:3]:
        r = p.get(f"/{owner}/ajax/lookup/", query_string={"name": name, "query": MARKER})
        assert r.status_code in (200, 403) and MARKER not in text(r)
        if r.status_code == 200:
            assert r.get_json() == []
    after = Model.select().where(Model.id == rid).dicts().get()
    assert after == before


@pytest.mark.parametrize("register,intruder,transition", [
    ("customer", "sales", "interrupt"),          # restricted file of 销售二部
    ("complaint", "service", "accept"),          # a case of 营销部, not the service centre's
    ("complaint", "sales2", "submit"),
    ("borrow_request", "hr", "approve"),         # another department's request
    ("patrol_daily_report", "service", "submit"),   # a register the role may not open
])
def test_forged_ids_reach_nothing_on_any_endpoint(app, portal, api, make, db_ctx,
                                                  register, intruder, transition):
    from models import Customer, Department, Employee
    from portal import registry
    xs2 = Department.get(Department.abbr == "XS2")
    if register == "customer":
        rid = make("customer", actor="marketing", name=MARKER, responsible_dept=xs2,
                   account_owner=Employee.get(Employee.name == "何平"), confidentiality="restricted",
                   custodian=Employee.get(Employee.name == "刘静")).id
    elif register == "complaint":
        cust = make("customer", name="宝鸡市交通运输局")
        rid = make("complaint", actor="clerk", customer=Customer.get_by_id(cust.id), title=MARKER,
                   content=MARKER, type="complaint", cause_class="quality",
                   received_by=user("clerk").employee, received_at=datetime(2026, 11, 16, 10),
                   matter="m").id
    elif register == "borrow_request":
        target = make("customer", actor="marketing", name="限阅客户", responsible_dept=xs2,
                      account_owner=Employee.get(Employee.name == "何平"),
                      confidentiality="restricted", custodian=Employee.get(Employee.name == "刘静"))
        r = api("sales").post("/api/v1/borrow_request", json={
            "register": "customer", "record": target.id, "purpose": "consult", "reason": MARKER})
        rid = r.get_json()["id"]
    else:
        from models import PatrolDailyEntry
        emp = user("sales").employee
        rid = make("patrol_daily_report", actor="sales", visitor=emp,
                   submitted_to=user("salesmgr").employee).id
        cust = make("customer", name="陕西高速")
        PatrolDailyEntry.create(report=rid, customer=cust.id, visited_at=datetime(2026, 11, 20, 10),
                                opinions=MARKER)
    spec = registry.get(register)
    if spec.workflow and spec.workflow.transition(transition) is None:
        transition = next(iter(spec.workflow.transitions))
    assert_sealed_off(app, portal, api, intruder, register, rid, transition)


def test_forged_child_row_ids_do_not_move_rows_between_records(portal, make, db_ctx):
    """A child row id of another record posted in a form is not re-parented."""
    from models import PatrolDailyEntry, PatrolDailyReport
    p = portal("sales")
    emp = user("sales").employee
    cust = make("customer", name="陕西高速")

    def report(opinion, extra=None):
        data = {"visitor": emp.id, "date": "2026-11-20", "submitted_to": user("salesmgr").employee_id,
                "dept": emp.dept_id, "filled_at": "2026-11-20", "filled_by": emp.id,
                "retention_class": "three_years", "confidentiality": "internal",
                "entries-0-customer": cust.id, "entries-0-visited_at": "2026-11-20 10:00",
                "entries-0-opinions": opinion}
        data.update(extra or {})
        return data
    assert p.post("/patrol_daily_report/new/", data=report("甲")).status_code == 302
    first = PatrolDailyReport.select().order_by(PatrolDailyReport.id.desc()).first()
    entry = first.entries.get()
    assert p.post("/patrol_daily_report/new/", data=report("乙")).status_code == 302
    second = PatrolDailyReport.select().order_by(PatrolDailyReport.id.desc()).first()
    r = p.post(f"/patrol_daily_report/edit/?id={second.id}",
               data=report("篡改", {"version": second.version, "entries-0-id": entry.id}))
    assert r.status_code in (200, 302, 400, 404)
    assert PatrolDailyEntry.get_by_id(entry.id).report_id == first.id
    assert PatrolDailyEntry.get_by_id(entry.id).opinions == "甲"


# Verbs the matrix does not grant -------------------------------------------------------

PEOPLE = ("admin", "clerk", "sales", "salesmgr", "gm", "hr", "quality", "service", "reception")


@pytest.mark.parametrize("register", ["complaint", "borrow_request", "patrol_daily_report"])
def test_verbs_the_matrix_does_not_grant_are_refused(hostile, api, portal, register):
    import permissions
    from portal import registry
    spec = registry.get(register)
    Model = spec.model
    rid, _ = hostile(register)
    before = Model.select().where(Model.id == rid).dicts().get()
    transitions = list(spec.workflow.transitions) if spec.workflow else []
    refused = 0
    for name in PEOPLE:
        granted = permissions.allowed_verbs(user(name), Model)
        a = api(name)
        sees = a.get(f"/api/v1/{register}/{rid}").status_code == 200
        calls = {"view": lambda: a.get(f"/api/v1/{register}"),
                 "create": lambda: a.post(f"/api/v1/{register}", json={}),
                 "edit": lambda: a.patch(f"/api/v1/{register}/{rid}", json={"version": 1}),
                 "delete": lambda: a.delete(f"/api/v1/{register}/{rid}"),
                 "export": lambda: a.get(f"/api/v1/{register}/export.csv")}
        for verb, call in calls.items():
            if verb not in granted:
                r = call()
                assert r.status_code == 403, (name, verb, r.status_code)
                assert "您没有权限" in r.get_json()["error"]
                refused += 1
        for t in transitions:
            if t not in granted:
                r = a.post(f"/api/v1/{register}/{rid}/{t}", json={})
                hidden = "view" in granted and not sees          # a row they may not read
                assert r.status_code == (404 if hidden else 403), (name, t, r.status_code)
                refused += 1
        if "create" not in granted:
            p = portal(name)
            assert p.get(f"/{register}/new/").status_code == 403
            assert p.post(f"/{register}/new/", data={}).status_code == 403
    assert refused > 20
    assert Model.select().where(Model.id == rid).dicts().get() == before


def test_the_matrix_follows_the_regulations_on_sample_verbs(db_ctx):
    import permissions
    for name, verb, register, allowed in [
            ("hr", "create", "complaint", False), ("sales", "close", "complaint", False),
            ("sales", "approve", "borrow_request", False), ("admin", "view", "customer", False),
            ("marketing", "approve", "borrow_request", True), ("salesmgr", "close", "complaint", True),
            ("service", "view", "patrol_daily_report", False)]:
        assert permissions.can(user(name), verb, register) is allowed, (name, verb, register)


# Replayed approvals ---------------------------------------------------------------------

def test_a_replayed_approval_is_409_and_leaves_one_timeline_entry(hostile, api, portal, db_ctx):
    from portal.workflows.engine import WorkflowEvent
    rid, _ = hostile("borrow_request")
    first = api("marketing").post(f"/api/v1/borrow_request/{rid}/approve", json={})
    assert first.status_code == 200
    again = api("marketing").post(f"/api/v1/borrow_request/{rid}/approve", json={})
    assert again.status_code == 409 and "不能执行" in again.get_json()["error"]
    # the same form posted twice from the browser (a double click, a replayed request)
    clerk = portal("clerk")
    assert clerk.post("/borrow_request/transition/lend/", data={"id": rid}).status_code == 302
    r = clerk.post("/borrow_request/transition/lend/", data={"id": rid})
    assert r.status_code == 409 and "不能执行" in text(r)
    events = [e.transition for e in WorkflowEvent.select().where(
        WorkflowEvent.register == "borrow_request", WorkflowEvent.record_id == rid)]
    assert events.count("approve") == 1 and events.count("lend") == 1


def test_a_replayed_trade_start_approval_is_409(hostile, portal, trading, db_ctx):
    from models import Customer, TradeStartInvestigation
    from portal.workflows.engine import WorkflowEvent
    rid, _ = hostile("customer")
    investigation = trading(Customer.get_by_id(rid))
    p = portal("salesmgr")
    assert p.post("/trade_start_investigation/transition/approve/",
                  data={"id": investigation.id}).status_code == 409     # the same click again
    assert TradeStartInvestigation.get_by_id(investigation.id).state == "approved"
    assert WorkflowEvent.select().where(WorkflowEvent.register == "customer",
                                        WorkflowEvent.record_id == rid,
                                        WorkflowEvent.transition == "activate").count() == 1


# Odd input ------------------------------------------------------------------------------

@pytest.fixture
def customer_form(db_ctx):
    from models import Department, Employee, Region
    emp = user("sales").employee
    return {"name": "新客户", "grade": "B", "customer_kind": "unit", "lifecycle_status": "prospect",
            "region": Region.get(Region.name == "西北区").id,
            "account_owner": Employee.get(Employee.name == "张伟").id,
            "responsible_dept": Department.get(Department.abbr == "XS1").id,
            "contact_name": "王工", "phone": "029-1", "address": "西安", "filled_at": "2026-11-20",
            "filled_by": emp.id, "retention_class": "long_term", "confidentiality": "internal"}


@pytest.mark.parametrize("field,value,message", [
    ("name", "长" * 201, "200"),                          # a 200-character field
    ("business_scope", "长" * 20_001, "20000"),           # a text field
    ("name", "坏\x00字符", "控制字符"),                     # NUL
    ("address", "隐藏\u202e方向", "控制字符"),              # right-to-left override
    ("contact_name", "王\u2066工", "控制字符"),            # bidi isolate
    ("agreed_rate", "十二", "数"),
])
def test_bad_text_gets_a_chinese_error_and_saves_nothing(portal, api, customer_form, db_ctx,
                                                         field, value, message):
    from models import Customer
    before = Customer.select().count()
    r = portal("sales").post("/customer/new/", data=dict(customer_form, **{field: value}))
    assert r.status_code == 200 and message in text(r)       # the form again, with the error
    payload = {k: v for k, v in customer_form.items()
               if k not in ("filled_at", "filled_by", "lifecycle_status")}
    r = api("sales").post("/api/v1/customer", json=dict(payload, **{field: value}))
    assert r.status_code == 400 and message in r.get_json()["errors"][field]
    assert Customer.select().count() == before


@pytest.mark.parametrize("value,stored", [
    ("宝鸡\u200b粮油站", "宝鸡粮油站"),      # a zero-width space only deceives: removed
    ("\ufeff宝鸡粮油站", "宝鸡粮油站"),      # so does a byte-order mark
    ("客户\u200d😀👨‍👩‍👧", "客户😀👨‍👩‍👧"),  # a joiner between emoji is kept, a stray one not
    ("ＡＢＣ１２３客户", "ＡＢＣ１２３客户"),   # full-width letters and digits: as typed
    ("عميل \u200f客户", "عميل \u200f客户"),   # a right-to-left mark (not an override)
])
def test_invisible_wide_and_emoji_text_is_cleaned_and_shown_as_text(portal, api, customer_form,
                                                                    value, stored, db_ctx):
    from models import Customer
    p = portal("sales")
    r = p.post("/customer/new/", data=dict(customer_form, name=value + XSS))
    assert r.status_code == 302
    row = Customer.select().order_by(Customer.id.desc()).first()
    assert row.name == stored + XSS
    body = text(p.get(f"/customer/details/?id={row.id}"))
    assert stored + ESCAPED_XSS in body
    assert_escaped(body)
    assert api("sales").get(f"/api/v1/customer/{row.id}").get_json()["name"] == stored + XSS


def test_full_width_digits_in_number_fields_are_read_as_numbers(portal, api, customer_form, db_ctx):
    from decimal import Decimal
    from models import Customer
    from conftest import flt
    p = portal("sales")
    assert p.post("/customer/new/", data=dict(customer_form, agreed_rate="１２.５")).status_code == 302
    row = Customer.select().order_by(Customer.id.desc()).first()
    assert row.agreed_rate == Decimal("12.5")
    r = api("sales").patch(f"/api/v1/customer/{row.id}", json={"version": "１", "sales_volume": "３００"})
    assert r.status_code == 200 and r.get_json()["sales_volume"] == 300
    assert p.get("/customer/?" + flt("customer", "next_tracking_due") + "=２０２６-１１-３０").status_code == 200


def test_overlong_or_nul_transition_notes_are_refused_not_cut(hostile, api, db_ctx):
    rid, _ = hostile("borrow_request")
    for comment, message in (("意" * 2001, "2000"), ("同意\x00", "控制字符")):
        r = api("marketing").post(f"/api/v1/borrow_request/{rid}/approve", json={"comment": comment})
        assert r.status_code == 400 and message in r.get_json()["errors"]["comment"]
    assert api("marketing").get(f"/api/v1/borrow_request/{rid}").get_json()["state"] == "pending"


def test_nul_in_a_field_a_rule_looks_up_is_a_field_error(api, db_ctx):
    r = api("service").post("/api/v1/spare_part", json={"part_no": "P\x00-1", "name": "轴承"})
    assert r.status_code == 400 and "控制字符" in r.get_json()["errors"]["part_no"]


# Sort, filter and search parameters ------------------------------------------------------

@pytest.mark.parametrize("register", ["customer", "complaint", "borrow_request"])
def test_hostile_list_parameters_are_ignored_or_reported(hostile, portal, register):
    rid, reader = hostile(register)
    p = portal(reader)
    for query in ("sort=999", "sort=-1", "sort=abc", "desc=abc", "flt0_999=1", "flt0_abc=1",
                  "flt0_0=%00", "flt0_0=" + "长" * 300, "search=%00%25_", "page=99999999999",
                  "page_size=1000000", "archived=1", "waiting=abc"):
        r = p.get(f"/{register}/?{query}")
        assert r.status_code == 200, query
    r = p.get(f"/{register}/export/csv/?sort=999&flt0_999=%00&search=%00")
    assert r.status_code in (200, 403)


@pytest.mark.parametrize("query,message", [
    ("sort=deleted_by", "排序"), ("sort=-password_hash", "排序"), ("deleted_by=1", "筛选"),
    ("no_such_column=1", "筛选"), ("content=x", "筛选"), ("id=%00", "值无效"),
    ("version=１x", "值无效"), ("created_at=2026-02-30", "值无效"),
])
def test_api_refuses_sort_and_filter_on_hidden_or_unknown_columns(api, query, message):
    r = api("salesmgr").get(f"/api/v1/complaint?{query}")
    assert r.status_code == 400 and message in r.get_json()["error"]


# CSRF ----------------------------------------------------------------------------------

def test_every_state_change_needs_the_csrf_token(app, hostile, portal, db_ctx):
    from models import Customer
    from portal.audit import AuditEvent
    rid, _ = hostile("customer")
    before = Customer.select().where(Customer.id == rid).dicts().get()
    clerk, admin = portal("clerk"), portal("admin")
    events = AuditEvent.select().count()
    posts = [
        (clerk, "/customer/new/", {"name": "伪造"}),
        (clerk, f"/customer/edit/?id={rid}", {"name": "伪造", "version": before["version"]}),
        (clerk, "/customer/delete/", {"id": rid}),
        (clerk, "/customer/restore/", {"id": rid}),
        (clerk, "/customer/action/", {"action": "delete", "rowid": rid}),
        (clerk, "/customer/transition/terminate/", {"id": rid, "reason": "dissolved", "bin": "past"}),
        (clerk, "/notifications/read-all", {}),
        (clerk, "/locale", {"locale": "en"}),
        (clerk, "/password", {"old_password": "demo-pass", "new_password": "x" * 10,
                              "new_password2": "x" * 10}),
        (admin, "/permission_matrix/", {"group": "customers"}),
        (admin, "/user_account/new/", {"username": "intruder", "new_password": "x" * 10}),
        (clerk, "/logout", {}),
    ]
    for page, url, data in posts:
        r = page.client.post(url, data=data)          # no csrf_token
        assert r.status_code == 400 and "CSRF" in text(r), url
    # session-cookie API writes need the X-CSRFToken header
    assert clerk.client.patch(f"/api/v1/customer/{rid}", json={"version": 1}).status_code == 400
    assert clerk.client.delete(f"/api/v1/customer/{rid}").status_code == 400
    assert clerk.client.post(f"/api/v1/customer/{rid}/interrupt", json={}).status_code == 400
    assert Customer.select().where(Customer.id == rid).dicts().get() == before
    assert AuditEvent.select().count() == events
    assert clerk.get("/customer/").status_code == 200          # still logged in, still Chinese


# Open redirects ----------------------------------------------------------------------------

EVIL = ["http://evil.example/", "//evil.example/x", "https:evil.example", "/\\evil.example",
        "/\t/evil.example", "javascript:alert(1)", " //evil.example"]


@pytest.mark.parametrize("target", EVIL)
def test_no_redirect_leaves_the_site(app, hostile, portal, target):
    rid, _ = hostile("customer")
    p = portal("clerk")
    responses = [
        p.post("/locale", data={"locale": "zh_Hans_CN", "next": target}),
        p.post("/notifications/read-all", data={"next": target}),
        p.post(f"/customer/delete/?url={target}", data={"id": 999999, "url": target}),
        p.post(f"/customer/transition/review/?url={target}", data={"id": rid}),
    ]
    client = app.test_client()
    responses.append(client.post("/login", data={"username": "sales", "password": "demo-pass",
                                                 "csrf_token": csrf_token(client), "next": target}))
    for r in responses:
        location = r.headers.get("Location", "")
        assert "evil.example" not in location and not location.startswith("javascript"), \
            (r.request.path, location)


# Headers, cookies, sessions ------------------------------------------------------------------

def test_security_headers_on_pages_errors_api_and_downloads(hostile, portal, api):
    rid, reader = hostile("customer")
    p = portal(reader)
    responses = [p.get("/login"), p.get("/customer/"), p.get(f"/customer/details/?id={rid}"),
                 p.get("/customer/details/?id=999999"), p.get(f"/customer/print/?id={rid}"),
                 p.get("/customer/export/csv/"), api(reader).get(f"/api/v1/customer/{rid}"),
                 api(reader).get("/api/v1/nope")]
    for r in responses:
        h = r.headers
        assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
        csp = h["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "Strict-Transport-Security" not in responses[0].headers


def test_session_cookie_is_secure_over_https_only(app):
    for base, secure in (("https://portal.example", True), ("http://portal.example", False)):
        client = app.test_client()
        page = client.get("/login", base_url=base)
        token = re.search(r'name="csrf_token" value="([^"]+)"', text(page)).group(1)
        r = client.post("/login", base_url=base, data={"username": "sales", "password": "demo-pass",
                                                       "csrf_token": token})
        cookie = [c for c in r.headers.getlist("Set-Cookie") if c.startswith("session=")][-1]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure, cookie
        if secure:
            assert "Strict-Transport-Security" in r.headers


def test_sessions_end_after_the_absolute_limit_even_when_active(app, portal, api):
    from portal import clock
    p = portal("sales")
    start = clock.now()
    hours = app.config["SESSION_ABSOLUTE_HOURS"]
    for hour in range(1, hours):                     # used every hour: never idle
        clock.set(start + timedelta(hours=hour))
        assert p.get("/customer/").status_code == 200
    clock.set(start + timedelta(hours=hours, minutes=1))
    r = p.get("/customer/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    r = p.client.get("/api/v1/me")
    assert r.status_code == 401 and r.get_json()["error"]


def test_database_error_text_is_never_shown(portal, api, customer_form, monkeypatch):
    from peewee import IntegrityError, OperationalError
    from portal import services
    secret = 'relation "customer_secret" column password_hash'

    def broken(kind):
        def fail(*args, **kwargs):
            raise kind(secret)
        return fail
    for kind, status in ((OperationalError, 500), (IntegrityError, 409)):
        monkeypatch.setattr(services, "create", broken(kind))
        r = portal("sales").post("/customer/new/", data=customer_form)
        assert r.status_code == status and secret not in text(r) and "password_hash" not in text(r)
        assert "未保存" in text(r) or "系统内部错误" in text(r)
        r = api("sales").post("/api/v1/customer", json={"name": "x"})
        assert r.status_code in (status, 400) and "password_hash" not in text(r)


def test_system_pages_and_reports_answer_bad_input_without_a_500(app, portal):
    admin, gm = portal("admin"), portal("gm")
    huge = "99999999999999999999"
    for page, url in ((admin, f"/user_account/details/?id={huge}"), (admin, "/user_account/edit/?id=abc"),
                      (admin, f"/audit_event/details/?id={huge}"), (admin, f"/user_account/?page={huge}"),
                      (admin, "/audit_event/?search=%00&flt0_0=%00"), (admin, "/user_account/?search=%00"),
                      (gm, "/reports/complaint_statistics/?month=9999-12"),
                      (gm, "/reports/patrol_monthly/?month=9999-12&format=xlsx"),
                      (gm, "/reports/case_timeliness/?months=2147483646")):
        assert page.get(url).status_code in (200, 404), url
    for rowid in ("abc", huge):
        r = admin.post("/user_account/action/", data={"action": "unlock", "rowid": rowid})
        assert r.status_code in (302, 400), rowid
    client = app.test_client()
    r = client.post("/login", data={"username": "sa\x00les", "password": "demo-pass",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 401 and "用户名或密码错误" in text(r)
