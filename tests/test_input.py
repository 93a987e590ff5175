"""Bad input gets a clear message in the user's language and saves nothing;
only bugs produce a 500."""
import pytest

from conftest import user

GOOD = {"name": "新客户", "grade": "B", "region": None, "account_owner": None,
        "contact_name": "王工", "phone": "029-1", "address": "西安"}


@pytest.fixture
def good(db_ctx):
    from models import Employee, Region
    return dict(GOOD, region=Region.get(Region.name == "西北区").id,
                account_owner=Employee.get(Employee.name == "张伟").id)


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "必填"),
    ("grade", "Z", "选"),
    ("region", 999999, "不存在"),
    ("region", "abc", "整数"),                       # an id is a JSON integer
    ("account_owner", None, "必填"),
    ("name", "长" * 201, "200"),
    ("name", "坏\x00字符", "控制字符"),
    ("address", "隐藏\u202e方向", "控制字符"),
    ("filled_at", "2026-13-45", "日期"),
    ("agreed_rate", "十元", "数"),
    ("agreed_rate", -4.6e88, "超出范围"),            # more digits than the column holds
    ("agreed_rate", "1000000000000", "超出范围"),
    ("segments", ["vip", "不存在的标签"], "无效的选项"),
    ("is_key_account", {"a": 1}, "类型"),
    ("no_such_field", "x", "未知字段"),
    ("record_no", "XS1-9999", "只读"),
])
def test_api_rejects_bad_field_values_in_chinese(api, good, db_ctx, field, value, message):
    from models import Customer
    before = Customer.select().count()
    payload = dict(good)
    payload[field] = value
    r = api("sales").post("/api/v1/customer", json=payload)
    assert r.status_code == 400
    errors = r.get_json()["errors"]
    assert field in errors and message in errors[field], errors
    assert Customer.select().count() == before


def test_api_good_payload_creates(api, good):
    r = api("sales").post("/api/v1/customer", json=good)
    assert r.status_code == 201
    assert r.get_json()["record_no"].startswith("XS1-")


def test_api_body_must_be_an_object(api):
    r = api("sales").post("/api/v1/customer", json=[1, 2])
    assert r.status_code == 400 and "JSON" in r.get_json()["error"]
    r = api("sales").post("/api/v1/customer", data="not json", content_type="application/json")
    assert r.status_code == 400


def test_html_form_errors_are_shown_and_nothing_saved(portal, good, db_ctx):
    from models import Customer
    before = Customer.select().count()
    data = dict(good, name="", grade="Z", region="999999")
    r = portal("sales").post("/customer/new/", data=data)
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "此项为必填项" in body or "必填" in body
    assert "所选记录不存在或您无权查看" in body
    assert Customer.select().count() == before


def test_required_field_can_be_struck_through_as_not_applicable(api, good, db_ctx):
    payload = dict(good, phone="")
    r = api("sales").post("/api/v1/customer", json=payload)
    assert r.status_code == 400 and "不适用" in r.get_json()["errors"]["phone"]
    payload["na_fields"] = ["phone"]
    r = api("sales").post("/api/v1/customer", json=payload)
    assert r.status_code == 201 and r.get_json()["na_fields"] == ["phone"]


@pytest.mark.parametrize("url", [
    "/customer/details/?id=999999", "/customer/details/?id=abc", "/customer/details/?id=-1",
    "/customer/details/?id=99999999999999999999999", "/customer/edit/?id=0",
    "/customer/ajax/lookup/?name=nope&query=x",
])
def test_unknown_ids_in_urls_are_404(portal, url):
    assert portal("sales").get(url).status_code == 404


@pytest.mark.parametrize("url", [
    "/api/v1/customer/999999", "/api/v1/customer/99999999999999999999999", "/api/v1/no_such_register",
])
def test_unknown_ids_in_api_are_404(api, url):
    assert api("sales").get(url).status_code == 404


@pytest.mark.parametrize("query", [
    "page=-5", "page=abc", "page=99999999", "sort=999", "sort=-3", "sort=abc", "desc=xyz",
    "page_size=100000", "search=%25", "search=_", "search=%00abc", "search=" + "长" * 500,
    "flt0_0=not-a-grade", "flt0_12=abc", "flt0_999=1", "flt9_3=2026-99-99",
])
def test_list_parameters_out_of_range_never_500(portal, make, query):
    make("customer")
    r = portal("sales").get(f"/customer/?{query}")
    assert r.status_code == 200


@pytest.mark.parametrize("query,status", [
    ("page=0", 400), ("page=abc", 400), ("per_page=201", 400), ("per_page=0", 400),
    ("sort=nope", 400), ("grade=Z", 400), ("region=abc", 400), ("q=%00", 200),
    ("filled_at=2026-02-30", 400), ("per_page=200", 200), ("sort=-name", 200),
])
def test_api_list_parameters_are_validated(api, make, query, status):
    make("customer")
    r = api("sales").get(f"/api/v1/customer?{query}")
    assert r.status_code == status
    if status == 400:
        assert r.get_json()["error"]


def test_search_treats_percent_and_underscore_literally(portal, make):
    make("customer", name="百分之百_客户")
    make("customer", name="普通客户")
    p = portal("sales")
    assert "普通客户" not in p.get("/customer/?search=_").get_data(as_text=True)
    assert "百分之百_客户" in p.get("/customer/?search=_").get_data(as_text=True)


def test_full_width_space_separates_search_terms(portal, make):
    make("customer", name="宝鸡市粮油站", address="金台区")
    make("customer", name="宝鸡市建材", address="渭滨区")
    body = portal("sales").get("/customer/?search=宝鸡\u3000金台").get_data(as_text=True)
    assert "宝鸡市粮油站" in body and "宝鸡市建材" not in body


def test_html_in_text_is_shown_escaped(portal, make, db_ctx):
    row = make("customer", name="<script>alert(1)</script>", address="<b>粗</b>")
    p = portal("sales")
    for url in ("/customer/", f"/customer/details/?id={row.id}", f"/customer/edit/?id={row.id}"):
        body = p.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_lookup_offers_only_readable_rows_and_caps_the_limit(portal, make, db_ctx):
    from models import Customer
    make("customer", name="封存的客户", confidentiality="sealed", custodian=None)
    for i in range(40):
        make("customer", name=f"客户{i:02d}")
    p = portal("sales")
    r = p.get("/customer_visit_record/ajax/lookup/?name=customer&query=客户&limit=100000")
    items = r.get_json()
    assert len(items) <= 30
    r = p.get("/customer_visit_record/ajax/lookup/?name=customer&query=封存")
    assert r.get_json() == []
    sealed = Customer.get(Customer.name == "封存的客户")
    # forging the sealed customer's id into a form is refused
    r = p.post("/customer_visit_record/new/", data={
        "customer": sealed.id, "visitor": user("sales").employee.id, "findings": "x",
        "visited_at": "2026-11-01", "dept": user("sales").employee.dept_id,
        "filled_at": "2026-11-01", "filled_by": user("sales").employee.id,
        "retention_class": "three_years", "confidentiality": "internal"})
    assert "所选记录不存在或您无权查看" in r.get_data(as_text=True)


def test_lookup_without_query_parameter_is_not_a_500(portal):
    r = portal("sales").get("/customer_visit_record/ajax/lookup/?name=customer")
    assert r.status_code == 200 and isinstance(r.get_json(), list)


def test_lookup_needs_create_or_edit_permission(portal):
    assert portal("gm").get("/customer_visit_record/ajax/lookup/?name=customer").status_code == 403
