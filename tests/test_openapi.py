"""The OpenAPI description (/api/v1/openapi.json) and a property-based run
over it: schemathesis generates requests from the description for a few
representative operations, sends them through the WSGI app with a token, and
checks that no answer is a 5xx and every answer is one the description
documents, with a body matching its schema.

Kept cheap: three registers (the customer file with its lifecycle workflow,
complaints with the case workflow, departments as a reference register that
the caller may only read), a few examples per operation, and the record ids
narrowed to records the test made (plus one that does not exist) so that
reads, edits and transitions meet real rows."""
import copy

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

from conftest import user

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 12
MISSING_ID = 987654

OPERATIONS = [
    ("marketing", "GET", "/api/v1/customer"),
    ("marketing", "POST", "/api/v1/customer"),
    ("marketing", "GET", "/api/v1/customer/{id}"),
    ("marketing", "PATCH", "/api/v1/customer/{id}"),
    ("marketing", "DELETE", "/api/v1/customer/{id}"),
    ("marketing", "POST", "/api/v1/customer/{id}/restore"),
    ("marketing", "POST", "/api/v1/customer/{id}/terminate"),
    ("marketing", "GET", "/api/v1/customer/export.csv"),
    ("marketing", "GET", "/api/v1/customer/{id}/form.xlsx"),
    ("sales", "GET", "/api/v1/complaint"),
    ("sales", "POST", "/api/v1/complaint"),
    ("sales", "PATCH", "/api/v1/complaint/{id}"),
    ("sales", "POST", "/api/v1/complaint/{id}/submit"),
    ("sales", "POST", "/api/v1/complaint/{id}/reply"),
    ("sales", "GET", "/api/v1/department"),
    ("sales", "POST", "/api/v1/department"),
]


def test_the_description_is_generated_from_the_register_metadata(api):
    client = api("sales")
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.0")
    customer = doc["components"]["schemas"]["customer"]
    assert customer["properties"]["grade"]["enum"] == ["A", "B", "C", "D"]
    assert customer["properties"]["segments"]["type"] == "array"
    assert customer["properties"]["region"]["type"] == "integer"
    assert "name" in doc["components"]["schemas"]["customer_input"]["required"]
    assert doc["components"]["schemas"]["customer_patch"]["required"] == ["version"]
    assert "/api/v1/complaint/{id}/escalate" in doc["paths"]
    params = {p.get("name") for p in doc["paths"]["/api/v1/customer"]["get"]["parameters"]}
    assert {"sort", "grade", "region"} <= params
    assert api("sales").client.get("/api/v1/openapi.json").status_code == 401   # no token


@pytest.fixture
def records(make, db_ctx):
    """Ids the generated requests may name, per register."""
    from models import Department
    customers = [make("customer", actor="marketing", name=f"接口客户{i}").id for i in range(3)]
    complaint = make("complaint", actor="sales", customer=customers[0],
                     received_by=user("sales").employee, title="汽车衡计量超差",
                     content="客户反映过车称重偏小2%，要求处理。", resolution_mode="allowance",
                     part_no="SCS-100-101", quantity=10, defect_qty=4)
    return {"customer": customers, "complaint": [complaint.id],
            "department": [Department.select().first().id]}


_DESCRIPTION = {}      # fetched once: generating it takes most of a second


def description_of(register, full):
    """A copy of the description limited to one register's paths and schemas."""
    components = full["components"]
    doc = {key: full[key] for key in ("openapi", "info", "security")}
    doc["paths"] = copy.deepcopy({p: item for p, item in full["paths"].items()
                                  if p.startswith(f"/api/v1/{register}/") or p == f"/api/v1/{register}"})
    doc["components"] = copy.deepcopy({
        "securitySchemes": components["securitySchemes"], "responses": components["responses"],
        "parameters": components["parameters"],
        "schemas": {name: components["schemas"][name] for name in (
            "Error", register, f"{register}_input", f"{register}_patch", f"{register}_sort")}})
    return doc


def narrow_to_existing_rows(doc, register, records):
    """Record ids, foreign keys and versions drawn from rows that exist (and
    one id that does not), so that generated requests reach the code behind
    the lookups instead of stopping at "not found"."""
    from portal import registry
    spec = registry.get(register)
    for path, item in doc["paths"].items():
        if path.startswith(f"/api/v1/{register}/{{id}}"):
            for param in item["parameters"]:
                param["schema"] = {"type": "integer", "enum": records[register] + [MISSING_ID]}
    # the paper form's fields to fill in (or strike through): asked for, so
    # that some generated records are complete
    create = doc["components"]["schemas"][f"{register}_input"]
    create["required"] = sorted(set(create.get("required", [])) | set(spec.required))
    for kind in ("input", "patch"):
        props = doc["components"]["schemas"][f"{register}_{kind}"]["properties"]
        for name, prop in props.items():
            field = spec.fields.get(name)
            if field is not None and "id (" in prop.get("description", ""):
                target = field.rel_model
                ids = [r.id for r in target.select(target.id).order_by(target.id).limit(3)]
                prop["enum"] = ids + [MISSING_ID] + ([None] if prop.get("nullable") else [])
        if kind == "patch":
            props["version"].update(minimum=1, maximum=3)


@pytest.mark.parametrize("username,method,path", OPERATIONS)
def test_generated_requests_get_documented_answers_and_no_server_error(
        app, api, records, username, method, path):
    client = api(username)
    if not _DESCRIPTION:
        _DESCRIPTION.update(client.get("/api/v1/openapi.json").get_json())
    register = path.split("/")[3]
    doc = description_of(register, _DESCRIPTION)
    narrow_to_existing_rows(doc, register, records)
    schema = schemathesis.openapi.from_dict(doc)
    operation = schema[path][method]

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(app=app, headers=client.headers)
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.demo_data(shared=True)
def test_every_register_answers_its_list_as_described(app, api):
    """Every register's list on the demo data, read by the general manager,
    matches the description (the generated run above covers only a few)."""
    client = api("gm")
    doc = client.get("/api/v1/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(doc)
    from portal import registry
    seen = 0
    for spec in registry.all_specs():
        case = schema[f"/api/v1/{spec.name}"]["GET"].Case(query={"per_page": 30})
        response = case.call(app=app, headers=client.headers)
        case.validate_response(response, checks=CHECKS)
        seen += response.status_code == 200 and bool(response.json()["items"])
    assert seen > 80          # most registers have demo records the manager may read
