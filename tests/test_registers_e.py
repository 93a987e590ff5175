"""SECTION E: customer engineering (002 篇八, WF-13), staff incentives
(002 篇七, R-RWD) and the supplier credit evaluation (000-四)."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from conftest import user

ALL_SUBMISSIONS = ["design", "load_map", "load_nature", "quality_devices", "equipment_list",
                   "process_consumption", "wiring", "power_factor", "protection", "concealed",
                   "network", "own_source", "other"]
ALL_ITEMS = ["electrical", "transformer", "protection", "lightning", "grounding", "concealed"]


def emp(username):
    return user(username).employee_id


def reload(row):
    return type(row).get_by_id(row.id)


def iso(day):
    return day.isoformat()


@pytest.fixture
def customer(make):
    return make("customer", name="陕西神木煤业集团有限公司")


@pytest.fixture
def application(make, customer, db_ctx):
    """A 客户用电申请表 filed at the window by `actor` (sales by default)."""
    def create(actor="sales", **values):
        data = dict(project_name="神木煤业选煤厂10kV新装工程", customer=customer.id, type="new",
                    usage_nature="工业用电", voltage_level="high", capacity=Decimal("630"),
                    address="陕西省榆林市神木县锦界工业园", window="宝鸡营业厅",
                    received_by=emp(actor), installation_officer=emp("service"))
        data.update(values)
        return make("power_application", actor=actor, **data)
    return create


@pytest.fixture
def contractor(make, db_ctx):
    def create(checked=True, **values):
        data = dict(name="陕西华电电力工程有限公司", qualification_cert="D261030001",
                    business_license="91610300MA6X", grade="电力工程施工总承包贰级")
        if checked:
            data.update(checked_by=emp("marketing"), checked_at=date.today())
        data.update(values)
        return make("contractor", actor="service", **data)
    return create


class Steps:
    """The documents each WF-13 step needs, filed by the people who file them."""

    def __init__(self, api, make, contractor, app):
        self.api, self.make, self.contractor, self.app = api, make, contractor, app
        self.today = date.today()

    def run(self, username, transition, **inputs):
        return self.api(username).post(f"/api/v1/power_application/{self.app.id}/{transition}",
                                       json=inputs)

    def scheme_notice(self, **values):
        data = dict(application=self.app.id, approved_capacity=Decimal("630"),
                    supply_voltage="10kV", supply_mode="dedicated_transformer",
                    metering_mode="高供高计", replied_by="branch_marketing", reply_form="memo")
        data.update(values)
        return self.make("supply_scheme_notice", actor="salesmgr", **data)

    def design_review(self, **values):
        data = dict(application=self.app.id, submissions=ALL_SUBMISSIONS, reviewed_at=self.today,
                    participants=["designer", "customer"], opinion="设计符合供电方案，同意施工。",
                    passed=True)
        data.update(values)
        return self.make("design_review", actor="salesmgr", **data)

    def start_report(self, **values):
        data = dict(project=self.app.id, contractor=self.contractor().id, start_on=self.today,
                    planned_finish_on=self.today + timedelta(days=30), schedule="JD-2026-001",
                    submitted_to=emp("service"))
        data.update(values)
        return self.make("construction_start_report", actor="service", **data)

    def inspection(self, **values):
        data = dict(project=self.app.id, seq=1, inspected_at=self.today,
                    installation_officer=emp("service"), usage_inspector=emp("service"),
                    items_checked=ALL_ITEMS, opinion="检查合格。", passed=True)
        data.update(values)
        return self.make("intermediate_inspection", actor="service", **data)

    def completion_report(self, **values):
        data = dict(project=self.app.id, submitted_by="contractor", completed_on=self.today,
                    submitted_at=datetime.now().replace(microsecond=0),
                    supply_application="申请验收并供电。", as_built_docs="JG-001", accepted=True)
        data.update(values)
        return self.make("completion_report", actor="service", **data)

    def contract(self, **values):
        data = dict(customer=self.app.customer_id, project=self.app.id, signed_on=self.today,
                    agreements="GYD-2026-001")
        data.update(values)
        return self.make("power_supply_contract", actor="sales", **data)

    def post_check(self, **values):
        data = dict(project=self.app.id, checked_at=datetime.now().replace(microsecond=0),
                    inspector=emp("service"), metering_status="计量装置运行正常。",
                    usage_status="用电情况正常。")
        data.update(values)
        return self.make("post_supply_check", actor="service", **data)

    def walk(self, to):
        """Take the flow up to state `to` (each step with its document)."""
        plan = (
            ("surveyed", lambda: None, "sales", "survey", {"survey_at": f"{iso(self.today)} 10:00"}),
            ("scheme_replied", self.scheme_notice, "salesmgr", "reply_scheme", {}),
            ("design_reviewed", self.design_review, "salesmgr", "review_design", {}),
            ("started", self.start_report, "service", "start", {}),
            ("inspecting", self.inspection, "service", "inspect", {}),
            ("completion_reported", lambda: None, "service", "complete",
             {"completed_on": iso(self.today)}),
            ("accepted", self.completion_report, "salesmgr", "accept", {}),
            ("contract_signed", self.contract, "salesmgr", "sign_contract", {}),
            ("energised", lambda: None, "service", "energise", {"supplied_on": iso(self.today)}),
            ("checked", self.post_check, "service", "check", {}),
        )
        order = ["applied"] + [step[0] for step in plan]
        for state, document, username, transition, inputs in plan:
            current = reload(self.app).state
            if current == to:
                break
            if order.index(state) <= order.index(current):
                continue
            document()
            r = self.run(username, transition, **inputs)
            assert r.status_code == 200, r.get_json()
            assert r.get_json()["state"] == state
        return reload(self.app)


@pytest.fixture
def steps(api, make, contractor, application):
    def create(app=None, **values):
        return Steps(api, make, contractor, app or application(**values))
    return create


# WF-13 customer engineering ---------------------------------------------------------

def test_customer_engineering_walks_from_application_to_post_supply_check(steps, db_ctx):
    """Each step of WF-13 is refused until its document is on file, then taken."""
    s = steps()
    today = s.today
    r = s.run("sales", "survey")
    assert r.status_code == 400 and "survey_at" in r.get_json()["errors"]
    r = s.run("sales", "survey", survey_at=f"{iso(today)} 09:30")
    assert r.status_code == 200 and r.get_json()["state"] == "surveyed"
    assert r.get_json()["responsible_signer"] == emp("sales")

    def refused_then_taken(username, transition, document, message, state, **inputs):
        r = s.run(username, transition, **inputs)
        assert r.status_code == 400, r.get_json()
        assert message in r.get_json()["error"]
        document()
        r = s.run(username, transition, **inputs)
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["state"] == state
        return r.get_json()

    refused_then_taken("salesmgr", "reply_scheme", s.scheme_notice, "供电方案通知书", "scheme_replied")
    # a failed review does not open the construction stage
    s.design_review(passed=False, submissions=["design"], opinion="资料不全，补充后重审。")
    r = s.run("salesmgr", "review_design")
    assert r.status_code == 400 and "设计审查意见书" in r.get_json()["error"]
    s.design_review()
    assert s.run("salesmgr", "review_design").get_json()["state"] == "design_reviewed"
    refused_then_taken("service", "start", s.start_report, "开工报告", "started")
    # a failed first inspection is on file, but completion waits for a passed one
    s.inspection(passed=False, opinion="接地电阻超标，整改后复查。")
    assert s.run("service", "inspect").get_json()["state"] == "inspecting"
    r = s.run("service", "complete", completed_on=iso(today))
    assert r.status_code == 400 and "中间检查尚未合格" in r.get_json()["error"]
    s.inspection(seq=2)
    data = s.run("service", "complete", completed_on=iso(today)).get_json()
    assert data["state"] == "completion_reported"
    # 第二十七条: the completion report is due 3 days after completion (SLA eng_completion_report)
    assert data["completion_report_due"] == iso(today + timedelta(days=3))
    data = refused_then_taken("salesmgr", "accept", s.completion_report, "竣工报告", "accepted")
    assert data["accepted_at"] is not None
    refused_then_taken("salesmgr", "sign_contract", s.contract, "供用电合同", "contract_signed")
    data = s.run("service", "energise", supplied_on=iso(today)).get_json()
    assert data["state"] == "energised"
    # 第三十一条: checked on site within one month of supply (SLA eng_post_supply_check)
    from portal.calendar import add_months
    assert data["post_supply_check_due"] == iso(add_months(today, 1))
    refused_then_taken("service", "check", s.post_check, "供电后现场核查", "checked")
    assert reload(s.app).state == "checked"


def test_no_meter_installation_or_energising_before_the_supply_contract(steps, db_ctx):
    """第三十条: 「與客戶簽訂《供用電合同》及有關協議后，對客戶進行裝表、供電」."""
    s = steps()
    s.walk("accepted")
    r = s.run("service", "energise", supplied_on=iso(s.today))
    assert r.status_code == 409
    assert reload(s.app).state == "accepted" and reload(s.app).supplied_on is None
    contract = s.contract()
    assert s.run("salesmgr", "sign_contract").status_code == 200
    # the contract withdrawn (archived) afterwards: energising is refused again
    r = s.api("salesmgr").delete(f"/api/v1/power_supply_contract/{contract.id}")
    assert r.status_code == 204
    r = s.run("service", "energise", supplied_on=iso(s.today))
    assert r.status_code == 400 and "供用电合同" in r.get_json()["error"]
    assert reload(s.app).state == "contract_signed"


def test_energising_before_the_contract_date_is_refused(steps, db_ctx):
    s = steps()
    s.walk("contract_signed")
    r = s.run("service", "energise", supplied_on=iso(s.today - timedelta(days=2)))
    assert r.status_code == 400 and "supplied_on" in r.get_json()["errors"]


def test_engineering_steps_are_refused_to_the_wrong_role(steps, db_ctx):
    s = steps()
    # HR has no part in customer engineering
    assert s.run("hr", "survey", survey_at=f"{iso(s.today)} 10:00").status_code in (403, 404)
    s.walk("surveyed")
    s.scheme_notice()
    # answering the scheme is the marketing department's (分公司营销部), not the window's
    r = s.run("service", "reply_scheme")
    assert r.status_code == 403
    assert reload(s.app).state == "surveyed"
    s.walk("completion_reported")
    s.completion_report()
    r = s.run("sales", "accept")
    assert r.status_code == 403
    assert reload(s.app).state == "completion_reported"


def test_an_engineering_step_in_the_wrong_state_is_409(steps, db_ctx):
    from portal.workflows.engine import WorkflowEvent
    s = steps()
    r = s.run("salesmgr", "accept")
    assert r.status_code == 409 and "已申请" in r.get_json()["error"]
    r = s.run("service", "check")
    assert r.status_code == 409
    assert WorkflowEvent.select().count() == 0


def test_completion_and_withdrawal_need_their_inputs(steps, db_ctx):
    s = steps()
    s.walk("inspecting")
    r = s.run("service", "complete")
    assert r.status_code == 400 and "completed_on" in r.get_json()["errors"]
    r = s.run("sales", "withdraw")
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    r = s.run("sales", "withdraw", reason="客户项目停建。")
    assert r.status_code == 200 and r.get_json()["state"] == "withdrawn"
    assert r.get_json()["withdrawal_reason"] == "客户项目停建。"
    assert s.run("service", "complete", completed_on=iso(s.today)).status_code == 409


def test_nobody_accepts_their_own_project(steps, db_ctx):
    from models import PowerApplication
    s = steps()
    s.walk("completion_reported")
    s.completion_report()
    # even a manager who filed the application himself cannot take its decisions
    PowerApplication.update(filled_by=emp("salesmgr")).where(PowerApplication.id == s.app.id).execute()
    r = s.run("salesmgr", "accept")
    assert r.status_code == 403 and "自己" in r.get_json()["error"]
    assert s.run("marketing", "accept").get_json()["state"] == "accepted"


def test_workflow_dates_are_read_only_on_the_application(api, application):
    app = application()
    r = api("sales").patch(f"/api/v1/power_application/{app.id}",
                           json={"version": app.version, "supplied_on": "2026-01-01"})
    assert r.status_code == 400 and "supplied_on" in r.get_json()["errors"]


def test_power_application_capacity_must_be_positive(api, customer):
    body = dict(project_name="零容量", customer=customer.id, type="new", usage_nature="工业用电",
                voltage_level="high", capacity="0", address="宝鸡", window="宝鸡营业厅",
                received_by=emp("sales"), installation_officer=emp("service"))
    r = api("sales").post("/api/v1/power_application", json=body)
    assert r.status_code == 400 and "capacity" in r.get_json()["errors"]
    body["capacity"] = "630"
    assert api("sales").post("/api/v1/power_application", json=body).status_code == 201


# Supply scheme and design review (R-ENG-02, R-ENG-03) ---------------------------------

def test_3000_kva_and_above_is_supplied_by_a_dedicated_line(api, application):
    app = application(capacity=Decimal("3150"))
    body = dict(application=app.id, approved_capacity="3150", supply_voltage="10kV",
                supply_mode="dedicated_transformer", metering_mode="高供高计",
                replied_by="city_company", reply_form="document")
    r = api("salesmgr").post("/api/v1/supply_scheme_notice", json=body)
    assert r.status_code == 400 and "专线" in r.get_json()["errors"]["supply_mode"]
    body["supply_mode"] = "dedicated_line"
    assert api("salesmgr").post("/api/v1/supply_scheme_notice", json=body).status_code == 201
    # below 3000 kVA other modes are allowed
    body.update(approved_capacity="2000", supply_mode="dual_circuit")
    assert api("salesmgr").post("/api/v1/supply_scheme_notice", json=body).status_code == 201


def test_schemes_under_1000_kva_are_answered_by_the_branch_marketing_department(api, application):
    app = application(capacity=Decimal("630"))
    body = dict(application=app.id, approved_capacity="630", supply_voltage="10kV",
                supply_mode="dedicated_transformer", metering_mode="高供高计",
                replied_by="city_company", reply_form="memo")
    r = api("salesmgr").post("/api/v1/supply_scheme_notice", json=body)
    assert r.status_code == 400 and "分公司营销部" in r.get_json()["errors"]["replied_by"]
    body["replied_by"] = "branch_marketing"
    assert api("salesmgr").post("/api/v1/supply_scheme_notice", json=body).status_code == 201


def test_changing_the_supply_scheme_needs_the_approving_department(api, application):
    app = application()
    body = dict(application=app.id, approved_capacity="630", supply_voltage="10kV",
                supply_mode="dedicated_transformer", metering_mode="高供高计",
                replied_by="branch_marketing", reply_form="memo", is_change=True)
    r = api("salesmgr").post("/api/v1/supply_scheme_notice", json=body)
    assert r.status_code == 400 and "批复部门" in r.get_json()["errors"]["change_approved_by"]
    body["change_approved_by"] = emp("marketing")
    assert api("salesmgr").post("/api/v1/supply_scheme_notice", json=body).status_code == 201


@pytest.mark.parametrize("voltage,capacity,dual,level", [
    ("low", "8", False, "supply_station"),
    ("low", "10", False, "supply_station"),
    ("low", "30", False, "branch_marketing"),
    ("high", "10", False, "branch_marketing"),
    ("high", "999", False, "branch_marketing"),
    ("high", "1000", False, "city_company"),
    ("high", "400", True, "city_company"),
])
def test_design_review_level_follows_voltage_and_capacity(api, application, voltage, capacity,
                                                          dual, level):
    app = application(voltage_level=voltage, capacity=Decimal(capacity), dual_supply_required=dual)
    r = api("salesmgr").post("/api/v1/design_review", json=dict(
        application=app.id, submissions=["design"], reviewed_at=iso(date.today()),
        participants=["designer"], opinion="同意。"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["review_level"] == level


def test_dedicated_line_customers_are_reviewed_by_the_city_company(steps, api, db_ctx):
    s = steps(capacity=Decimal("500"))
    s.scheme_notice(approved_capacity=Decimal("500"), supply_mode="dedicated_line")
    review = s.design_review()
    assert review.review_level == "city_company"


def test_review_level_is_computed_not_typed(api, application):
    app = application(voltage_level="low", capacity=Decimal("8"))
    r = api("salesmgr").post("/api/v1/design_review", json=dict(
        application=app.id, review_level="city_company", reviewed_at=iso(date.today()),
        participants=["designer"], opinion="同意。"))
    assert r.status_code == 400 and "review_level" in r.get_json()["errors"]


def test_high_voltage_design_passes_only_with_all_submissions(api, application):
    app = application()
    body = dict(application=app.id, submissions=["design", "load_map"], reviewed_at=iso(date.today()),
                participants=["designer", "customer"], opinion="同意。", passed=True)
    r = api("salesmgr").post("/api/v1/design_review", json=body)
    assert r.status_code == 400
    assert "隐蔽工程设计资料" in r.get_json()["errors"]["submissions"]
    # the 13th item (供电企业认为必须提供的其它资料) is asked only when needed
    body["submissions"] = ALL_SUBMISSIONS[:-1]
    assert api("salesmgr").post("/api/v1/design_review", json=body).status_code == 201
    low = application(voltage_level="low", capacity=Decimal("8"))
    body.update(application=low.id, submissions=["design"])
    assert api("salesmgr").post("/api/v1/design_review", json=body).status_code == 201


# Construction (第十八–二十六条) ------------------------------------------------------

def test_start_report_needs_a_qualified_contractor_and_a_reviewed_design(steps, contractor, api,
                                                                          db_ctx):
    s = steps()
    unchecked = contractor(checked=False, name="未审查施工队")
    body = dict(project=s.app.id, contractor=unchecked.id, start_on=iso(s.today),
                planned_finish_on=iso(s.today - timedelta(days=1)), schedule="JD-1",
                submitted_to=emp("service"))
    r = api("service").post("/api/v1/construction_start_report", json=body)
    errors = r.get_json()["errors"]
    assert r.status_code == 400
    assert "资质" in errors["contractor"] and "设计审查" in errors["project"]
    assert "planned_finish_on" in errors
    s.walk("design_reviewed")
    body.update(contractor=contractor().id, planned_finish_on=iso(s.today + timedelta(days=20)))
    assert api("service").post("/api/v1/construction_start_report", json=body).status_code == 201


def test_contractor_qualification_check_names_the_checker(api):
    body = dict(name="宝鸡秦川输变电", qualification_cert="D1", business_license="L1", grade="三级",
                checked_at=iso(date.today()))
    r = api("service").post("/api/v1/contractor", json=body)
    assert r.status_code == 400 and "checked_by" in r.get_json()["errors"]
    body["checked_by"] = emp("marketing")
    assert api("service").post("/api/v1/contractor", json=body).status_code == 201


def test_equipment_is_ordered_only_after_marketing_approves_model_and_drawings(api, application):
    app = application()
    body = dict(project=app.id, manufacturer="特变电工股份有限公司", model="SCB11-630/10",
                ordered_on=iso(date.today()), delivery_on=iso(date.today() + timedelta(days=10)))
    r = api("service").post("/api/v1/equipment_order_info", json=body)
    errors = r.get_json()["errors"]
    assert r.status_code == 400
    assert "营销部门" in errors["approved_by"] and "图纸" in errors["drawings_approved"]
    assert "推荐目录" in errors["on_recommended_list"]
    # the approver is never typed: 营销部门 approves by its own action (第二十一条)
    r = api("service").post("/api/v1/equipment_order_info", json=dict(body, approved_by=emp("salesmgr")))
    assert r.status_code == 400 and "只读" in r.get_json()["errors"]["approved_by"]
    body.update(drawings_approved=True, on_recommended_list=True)
    ordered = body.pop("ordered_on")
    r = api("service").post("/api/v1/equipment_order_info", json=body)     # order information first
    assert r.status_code == 201
    row = r.get_json()
    assert api("service").post(f"/api/v1/equipment_order_info/{row['id']}/ratify").status_code == 403
    r = api("salesmgr").post(f"/api/v1/equipment_order_info/{row['id']}/ratify", json={"comment": "同意选型"})
    assert r.status_code == 200 and r.get_json()["approved_by"] == emp("salesmgr")
    version = r.get_json()["version"]
    r = api("service").patch(f"/api/v1/equipment_order_info/{row['id']}",
                             json={"version": version, "ordered_on": ordered})
    assert r.status_code == 200
    # what was approved stays as approved
    r = api("service").patch(f"/api/v1/equipment_order_info/{row['id']}",
                             json={"version": r.get_json()["version"], "model": "SCB13-800/10"})
    assert r.status_code == 409 and "model" in r.get_json()["errors"]


def test_construction_changes_only_after_the_written_notice(api, application, contractor):
    app = application()
    body = dict(project=app.id, requested_by=contractor().id, change="电缆改走电缆沟",
                reason="原路径有既有管线", implemented_at="2026-03-02 09:00")
    r = api("service").post("/api/v1/construction_change_request", json=body)
    assert r.status_code == 400 and "更改书面通知" in r.get_json()["errors"]["implemented_at"]
    body["written_notice_at"] = "2026-03-01 10:00"
    r = api("service").post("/api/v1/construction_change_request", json=body)
    assert r.status_code == 400 and "审查同意" in r.get_json()["errors"]["approved_by"]
    notice = {k: body.pop(k) for k in ("written_notice_at", "implemented_at")}
    row = api("service").post("/api/v1/construction_change_request", json=body).get_json()
    r = api("salesmgr").post(f"/api/v1/construction_change_request/{row['id']}/ratify")
    assert r.status_code == 200 and r.get_json()["approved_by"] == emp("salesmgr")
    r = api("service").patch(f"/api/v1/construction_change_request/{row['id']}",
                             json=dict(notice, version=r.get_json()["version"]))
    assert r.status_code == 200, r.get_json()


def test_intermediate_inspections_are_numbered_one_to_four_with_three_copies(steps, api, db_ctx):
    from models import IntermediateInspectionCopy
    s = steps()
    body = dict(project=s.app.id, seq=1, inspected_at=iso(s.today),
                installation_officer=emp("service"), usage_inspector=emp("service"),
                items_checked=ALL_ITEMS, opinion="合格", passed=True)
    r = api("service").post("/api/v1/intermediate_inspection", json=body)
    assert r.status_code == 400 and "开工" in r.get_json()["errors"]["project"]
    s.walk("started")
    r = api("service").post("/api/v1/intermediate_inspection", json=dict(body, seq=5))
    assert r.status_code == 400 and "1-4" in r.get_json()["errors"]["seq"]
    r = api("service").post("/api/v1/intermediate_inspection",
                            json=dict(body, items_checked=["electrical", "concealed"]))
    assert r.status_code == 400 and "接地装置" in r.get_json()["errors"]["items_checked"]
    r = api("service").post("/api/v1/intermediate_inspection", json=body)
    assert r.status_code == 201
    copies = IntermediateInspectionCopy.select().where(IntermediateInspectionCopy.record == r.get_json()["id"])
    assert sorted(c.copy_name for c in copies) == sorted(["用电客户", "施工单位", "自存"])
    r = api("service").post("/api/v1/intermediate_inspection", json=body)
    assert r.status_code == 400 and "第1次" in r.get_json()["errors"]["seq"]


# Completion, supply, checks (第二十七–三十一条) -----------------------------------------

def test_contractor_report_more_than_three_days_after_completion_is_late(steps, api, db_ctx):
    s = steps()
    s.walk("completion_reported")
    done = date(2026, 3, 2)
    body = dict(project=s.app.id, submitted_by="contractor", completed_on=iso(done),
                submitted_at="2026-03-05 16:00", supply_application="申请验收", as_built_docs="JG-1")
    r = api("service").post("/api/v1/completion_report", json=body)
    assert r.status_code == 201 and r.get_json()["late"] is False
    r = api("service").post("/api/v1/completion_report", json=dict(body, submitted_at="2026-03-06 09:00"))
    assert r.status_code == 201 and r.get_json()["late"] is True
    # the customer's own report (第二十七条 first sentence) has no 3-day limit
    r = api("service").post("/api/v1/completion_report",
                            json=dict(body, submitted_by="customer", submitted_at="2026-03-20 09:00"))
    assert r.status_code == 201 and r.get_json()["late"] is False
    r = api("service").post("/api/v1/completion_report", json=dict(body, submitted_at="2026-03-01 09:00"))
    assert r.status_code == 400 and "submitted_at" in r.get_json()["errors"]


def test_completion_report_waits_for_the_intermediate_inspection(steps, api, db_ctx):
    s = steps()
    s.walk("started")
    r = api("service").post("/api/v1/completion_report", json=dict(
        project=s.app.id, submitted_by="customer", completed_on=iso(s.today),
        submitted_at=f"{iso(s.today)} 10:00", supply_application="申请", as_built_docs="JG"))
    assert r.status_code == 400 and "中间检查" in r.get_json()["errors"]["project"]


def test_post_supply_check_later_than_one_month_is_late(steps, api, db_ctx):
    s = steps()
    body = dict(project=s.app.id, checked_at=f"{iso(s.today)} 10:00", inspector=emp("service"),
                metering_status="正常", usage_status="正常")
    r = api("service").post("/api/v1/post_supply_check", json=body)
    assert r.status_code == 400 and "尚未装表供电" in r.get_json()["errors"]["project"]
    s.walk("energised")
    supplied = reload(s.app).supplied_on
    from portal.calendar import add_months
    due = add_months(supplied, 1)
    r = api("service").post("/api/v1/post_supply_check",
                            json=dict(body, checked_at=f"{iso(due)} 15:00"))
    assert r.status_code == 201 and r.get_json()["late"] is False
    r = api("service").post("/api/v1/post_supply_check",
                            json=dict(body, checked_at=f"{iso(due + timedelta(days=1))} 09:00"))
    assert r.status_code == 201 and r.get_json()["late"] is True
    r = api("service").post("/api/v1/post_supply_check",
                            json=dict(body, checked_at=f"{iso(supplied - timedelta(days=1))} 09:00"))
    assert r.status_code == 400 and "checked_at" in r.get_json()["errors"]


def test_supply_notice_after_acceptance_with_the_agreed_date(steps, api, db_ctx):
    s = steps()
    body = dict(project=s.app.id, kind="supply_notice", issued_at=f"{iso(s.today)} 09:00")
    r = api("service").post("/api/v1/supply_notice", json=body)
    errors = r.get_json()["errors"]
    assert r.status_code == 400 and "验收合格" in errors["project"] and "supply_date" in errors
    s.walk("accepted")
    body["supply_date"] = iso(s.today + timedelta(days=5))
    assert api("service").post("/api/v1/supply_notice", json=body).status_code == 201


def test_meter_notice_later_than_one_day_after_acceptance_is_late(steps, api, db_ctx):
    s = steps(is_residential_lighting=True, voltage_level="low", capacity=Decimal("6"))
    s.walk("accepted")
    accepted = reload(s.app).accepted_at.date()
    body = dict(project=s.app.id, kind="meter_notice",
                issued_at=f"{iso(accepted + timedelta(days=1))} 09:00",
                metering_done_at=f"{iso(accepted + timedelta(days=3))} 09:00")
    r = api("service").post("/api/v1/supply_notice", json=body)
    assert r.status_code == 201 and r.get_json()["late"] is False
    r = api("service").post("/api/v1/supply_notice",
                            json=dict(body, issued_at=f"{iso(accepted + timedelta(days=2))} 09:00"))
    assert r.status_code == 201 and r.get_json()["late"] is True


def test_supply_contract_only_after_acceptance_and_for_the_same_customer(steps, api, make, db_ctx):
    s = steps()
    body = dict(customer=s.app.customer_id, project=s.app.id, signed_on=iso(s.today),
                agreements="GYD-1")
    r = api("sales").post("/api/v1/power_supply_contract", json=body)
    assert r.status_code == 400 and "验收合格" in r.get_json()["errors"]["project"]
    s.walk("accepted")
    other = make("customer", name="宝鸡市交通运输局")
    r = api("sales").post("/api/v1/power_supply_contract", json=dict(body, customer=other.id))
    assert r.status_code == 400 and "不一致" in r.get_json()["errors"]["project"]
    assert api("sales").post("/api/v1/power_supply_contract", json=body).status_code == 201


# Incentives (002 篇七) ----------------------------------------------------------------

def test_monthly_points_above_the_base_are_paid_per_point(api):
    body = dict(engineer=emp("service"), month="2026-10-15", points="25",
                safety_accidents=1, second_service_deductions="1")
    r = api("service").post("/api/v1/service_points_monthly", json=body)
    data = r.get_json()
    assert r.status_code == 201
    # 25 points − 2 (one safety accident) − 1 (repeat service) − 17 base = 5 × 270元
    assert data["month"] == "2026-10-01" and data["deducted_points"] == 3
    assert data["base_points"] == 17 and data["rate"] == 270 and data["amount"] == 1350
    r = api("service").post("/api/v1/service_points_monthly", json=dict(body, month="2026-10-03"))
    assert r.status_code == 400 and "已登记" in r.get_json()["errors"]["month"]
    r = api("service").post("/api/v1/service_points_monthly",
                            json=dict(body, month="2026-09-01", points="15", safety_accidents=0))
    assert r.status_code == 201 and r.get_json()["amount"] == 0
    r = api("service").post("/api/v1/service_points_monthly",
                            json=dict(body, month="2026-08-01", points="-1"))
    assert r.status_code == 400 and "points" in r.get_json()["errors"]


def test_incentive_figures_come_from_the_settings(api, db_ctx):
    from models import Setting
    Setting.update(value="20").where(Setting.key == "points_base").execute()
    Setting.update(value="300").where(Setting.key == "points_rate").execute()
    r = api("service").post("/api/v1/service_points_monthly", json=dict(
        engineer=emp("service"), month="2026-10-01", points="25"))
    assert r.status_code == 201
    assert r.get_json()["base_points"] == 20 and r.get_json()["amount"] == 1500


@pytest.mark.parametrize("rank,award", [(1, 1500), (3, 1500), (4, 1000), (8, 1000), (9, 0)])
def test_quarterly_ranking_awards_by_rank(api, rank, award):
    r = api("hr").post("/api/v1/quarterly_ranking",
                       json=dict(quarter="2026-q3", employee=emp("service"), rank=rank))
    assert r.status_code == 201
    assert r.get_json()["award"] == award and r.get_json()["quarter"] == "2026-Q3"


def test_quarterly_ranking_needs_a_quarter_and_one_rank_per_person(api):
    body = dict(quarter="2026年三季度", employee=emp("service"), rank=0)
    r = api("hr").post("/api/v1/quarterly_ranking", json=body)
    errors = r.get_json()["errors"]
    assert r.status_code == 400 and "2026-Q3" in errors["quarter"] and "rank" in errors
    body.update(quarter="2026-Q3", rank=2)
    assert api("hr").post("/api/v1/quarterly_ranking", json=body).status_code == 201
    r = api("hr").post("/api/v1/quarterly_ranking", json=dict(body, rank=5))
    assert r.status_code == 400 and "employee" in r.get_json()["errors"]


def test_spare_parts_commission_only_after_full_payment(api):
    body = dict(quarter="2026-Q3", customer_name="宝鸡二电厂", sale="称重传感器4只",
                sale_amount="10000", margin="40", pricing_rule="margin_35",
                compiled_by=emp("service"))
    r = api("service").post("/api/v1/spare_parts_commission", json=body)
    assert r.status_code == 201 and r.get_json()["commission"] is None
    assert r.get_json()["paid_in_month"] == "2026-10"
    unpaid = r.get_json()["id"]
    r = api("gm").post(f"/api/v1/spare_parts_commission/{unpaid}/ratify")
    assert r.status_code == 400 and "全额回款" in r.get_json()["errors"]["fully_collected_at"]
    r = api("service").post("/api/v1/spare_parts_commission",
                            json=dict(body, fully_collected_at="2026-08-20"))
    assert r.status_code == 201
    r = api("gm").post(f"/api/v1/spare_parts_commission/{r.get_json()['id']}/ratify")
    data = r.get_json()
    assert r.status_code == 200 and data["approved_by"] == emp("gm")
    assert (data["rate"], data["commission"], data["individual_share"], data["department_share"]) \
        == (3, 300, 240, 60)
    r = api("service").post("/api/v1/spare_parts_commission", json=dict(
        body, quarter="2026-Q4", margin="55", pricing_rule="margin_50",
        fully_collected_at="2026-11-02"))
    assert r.get_json()["commission"] == 500 and r.get_json()["paid_in_month"] == "2027-01"


def test_spare_parts_pricing_rule_and_quarter_are_consistent(api):
    body = dict(quarter="2026-Q3", customer_name="宝鸡二电厂", sale_amount="10000", margin="40",
                pricing_rule="margin_50", compiled_by=emp("service"),
                fully_collected_at="2026-11-02")
    r = api("service").post("/api/v1/spare_parts_commission", json=body)
    errors = r.get_json()["errors"]
    assert r.status_code == 400 and "50%" in errors["margin"]
    assert "季度" in errors["fully_collected_at"]


def _rule(make, **values):
    data = dict(code="R-RWD-05", title="收到用户表扬信", kind="reward", min_amount=Decimal("200"),
                max_amount=Decimal("500"), unit="次", source="002 篇七 9.1")
    data.update(values)
    return make("reward_penalty_rule", actor="hr", **data)


def test_reward_amount_stays_within_the_rule_range(api, make, db_ctx):
    praise = _rule(make)
    body = dict(person=emp("service"), rule=praise.id, amount="600", evidence="用户表扬信",
                decided_by=emp("gm"), occurred_on="2026-10-08")
    r = api("service").post("/api/v1/reward_penalty_record", json=body)
    assert r.status_code == 400 and "200–500 元" in r.get_json()["errors"]["amount"]
    assert api("service").post("/api/v1/reward_penalty_record",
                               json=dict(body, amount="300")).status_code == 201
    # fixed amounts per time: 服务记录单未签收 100元/次, twice = 200元
    fine = _rule(make, code="R-RWD-09", title="服务记录单未签收", kind="penalty",
                 min_amount=Decimal("100"), max_amount=Decimal("100"), source="002 篇七 9.5")
    r = api("service").post("/api/v1/reward_penalty_record",
                            json=dict(body, rule=fine.id, quantity=2, amount="150"))
    assert r.status_code == 400 and "应为 200 元" in r.get_json()["errors"]["amount"]
    assert api("service").post("/api/v1/reward_penalty_record",
                               json=dict(body, rule=fine.id, quantity=2, amount="200")).status_code == 201


def test_a_retired_rule_cannot_be_cited(api, make, db_ctx):
    old = _rule(make, code="R-OLD", active=False)
    r = api("service").post("/api/v1/reward_penalty_record", json=dict(
        person=emp("service"), rule=old.id, amount="300", evidence="表扬信", decided_by=emp("gm")))
    assert r.status_code == 400 and "停用" in r.get_json()["errors"]["rule"]


def test_reward_rule_range_is_ordered(api):
    r = api("hr").post("/api/v1/reward_penalty_rule", json=dict(
        code="R-X", title="测试", kind="reward", min_amount="500", max_amount="200"))
    assert r.status_code == 400 and "max_amount" in r.get_json()["errors"]
    assert api("service").post("/api/v1/reward_penalty_rule", json=dict(
        code="R-Y", title="测试", kind="reward")).status_code == 403


# Supplier (000-四 附表) -----------------------------------------------------------------

def test_supplier_quality_and_delivery_lines_are_filled_by_quality(api):
    body = dict(supplier_name="宝鸡华力传感器有限公司", review_type="initial", contact="李工",
                phone="0917-3210000", quality_status="来料合格率99.6%", delivery_status="准时",
                company_evaluation="合格供方")
    r = api("service").post("/api/v1/supplier_credit_evaluation", json=body)
    errors = r.get_json()["errors"]
    assert r.status_code == 400 and "品管" in errors["quality_status"] and "delivery_status" in errors
    r = api("quality").post("/api/v1/supplier_credit_evaluation", json=body)
    assert r.status_code == 201
    row = r.get_json()
    # after-sales adds its own lines without touching quality's
    r = api("service").patch(f"/api/v1/supplier_credit_evaluation/{row['id']}", json=dict(
        version=row["version"], after_sales="48小时内到厂处理"))
    assert r.status_code == 200 and r.get_json()["quality_status"] == "来料合格率99.6%"
    r = api("service").patch(f"/api/v1/supplier_credit_evaluation/{row['id']}", json=dict(
        version=r.get_json()["version"], quality_status="改写"))
    assert r.status_code == 400 and "品管" in r.get_json()["errors"]["quality_status"]


# Pages ---------------------------------------------------------------------------------

REGISTERS = ("power_application", "internal_work_order", "supply_scheme_notice", "design_review",
             "construction_start_report", "construction_change_request", "equipment_order_info",
             "intermediate_inspection", "completion_report", "supply_notice",
             "power_supply_contract", "contractor", "post_supply_check", "project_acceptance",
             "service_points_monthly", "quarterly_ranking", "spare_parts_commission",
             "reward_penalty_rule", "reward_penalty_record", "supplier_credit_evaluation")
USERS = ("admin", "clerk", "sales", "salesmgr", "gm", "quality", "service", "reception", "hr")


def test_every_page_of_section_e_answers_for_every_role(portal, steps, make, contractor, db_ctx):
    from portal import registry
    s = steps()
    s.walk("checked")
    rows = {"power_application": s.app.id}
    made = {
        "internal_work_order": lambda: make("internal_work_order", actor="sales", kind="electronic",
                                            application=s.app.id, to_dept=user("service").employee.dept_id,
                                            sent_at=datetime.now(), content="请勘察"),
        "construction_change_request": lambda: make("construction_change_request", actor="service",
                                                    project=s.app.id, requested_by=contractor().id,
                                                    change="改线", reason="管线"),
        "equipment_order_info": lambda: make("equipment_order_info", actor="service", project=s.app.id,
                                             manufacturer="正泰", model="XGN", delivery_on=date.today()),
        "project_acceptance": lambda: make("project_acceptance", actor="sales", kind="final_acceptance",
                                           customer=s.app.customer_id, project_name="计重收费系统",
                                           result="合格", signatories="甲乙双方"),
        "service_points_monthly": lambda: make("service_points_monthly", actor="service",
                                               engineer=emp("service"), month=date(2026, 10, 1),
                                               points=Decimal("20")),
        "quarterly_ranking": lambda: make("quarterly_ranking", actor="service", quarter="2026-Q3",
                                          employee=emp("service"), rank=1),
        "spare_parts_commission": lambda: make("spare_parts_commission", actor="service",
                                               quarter="2026-Q3", customer_name="宝鸡二电厂",
                                               sale_amount=Decimal("1000"), pricing_rule="margin_35",
                                               compiled_by=emp("service")),
        "reward_penalty_rule": lambda: _rule(make),
        "supplier_credit_evaluation": lambda: make("supplier_credit_evaluation", actor="quality",
                                                   supplier_name="华力", review_type="initial",
                                                   contact="李工", phone="1", quality_status="好",
                                                   delivery_status="准时", company_evaluation="合格"),
    }
    for name, factory in made.items():
        rows[name] = factory().id
    rows["reward_penalty_record"] = make("reward_penalty_record", actor="service",
                                         person=emp("service"),
                                         rule=rows["reward_penalty_rule"], amount=Decimal("300"),
                                         evidence="表扬信", decided_by=emp("gm")).id
    rows["supply_notice"] = make("supply_notice", actor="service", project=s.app.id,
                                 kind="supply_notice", supply_date=date.today(),
                                 issued_at=datetime.now()).id
    for name in REGISTERS:
        if name not in rows:
            model = registry.get(name).model
            rows[name] = model.select().order_by(model.id.desc()).first().id
    failures = []
    for username in USERS:
        p = portal(username)
        for name in REGISTERS:
            for url in (f"/{name}/", f"/{name}/new/", f"/{name}/details/?id={rows[name]}"):
                code = p.get(url).status_code
                if code not in (200, 403, 404):
                    failures.append((username, url, code))
        # the people who run the flow reach its pages
    for username, name in (("service", "power_application"), ("sales", "power_application"),
                           ("salesmgr", "design_review"), ("hr", "service_points_monthly"),
                           ("quality", "supplier_credit_evaluation"), ("gm", "reward_penalty_record")):
        p = portal(username)
        assert p.get(f"/{name}/").status_code == 200, (username, name)
        assert p.get(f"/{name}/details/?id={rows[name]}").status_code == 200, (username, name)
    assert not failures, failures
