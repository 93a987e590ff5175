"""The OpenAPI 3.0 description of the JSON API, `GET /api/v1/openapi.json`,
generated from the register metadata like the API itself: per register its
list (with the query parameters), create, read, update, delete, restore,
export, paper-form workbook and workflow transitions, with the request and
response schemas of its fields (types, choices as enums, required fields).

Labels and descriptions are in the caller's language, like the rest of the API."""
from peewee import TextField

from . import registry
from .i18n import gettext, tr

MAX_ID = 2 ** 63 - 1
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

JSON_TYPES = {"foreign_key": "integer", "integer": "integer", "decimal": "number",
              "number": "number", "boolean": "boolean"}


def value_schema(spec, field, request=False) -> dict:
    """The JSON schema of one field's value, made from the field's one
    description (registry.describe_field)."""
    d = registry.describe_field(spec, field)
    kind = d["type"]
    codes = [c["code"] for c in d.get("choices", ())]
    if kind == "list":
        item = {"type": "string"}
        if codes:
            item["enum"] = codes
        return {"type": "array", "items": item}
    schema = {"type": JSON_TYPES.get(kind, "string")}
    if kind == "foreign_key":
        schema.update(minimum=1, maximum=MAX_ID, description=f"id ({d['target']})")
    elif codes:
        schema["enum"] = codes
    elif kind == "datetime":
        schema.update(pattern=DATETIME_PATTERN, example="2026-01-31 09:30:00")
    elif kind == "date":
        schema["format"] = "date"
    elif request and d.get("max_length"):
        schema["maxLength"] = d["max_length"]
    if "example" in d:
        schema["example"] = d["example"]
    if request:
        # what the register's rule accepts (a stored record may predate it)
        if "pattern" in d:
            schema["pattern"] = d["pattern"]
        if "allowed" in d:
            schema["enum"] = list(d["allowed"])
        if "default" in d:
            schema["default"] = d["default"]
        # rules OpenAPI 3.0 cannot state in a schema: as in GET /api/v1/registers
        for key in RULE_KEYS:
            if key in d:
                schema["x-" + key.replace("_", "-")] = d[key]
    if d["nullable"]:
        schema["nullable"] = True
        if "enum" in schema:
            schema["enum"] = schema["enum"] + [None]
    return schema


# the field rules published by registry.describe_field that become x- extensions
RULE_KEYS = ("formats", "allowed_when", "required_when", "required_with", "compare",
             "unique_with", "unique_among", "target_named_by", "target_filter", "target_where",
             "target_from", "target_listed")


def _described(spec, field, request=False):
    schema = value_schema(spec, field, request)
    schema["title"] = tr(spec.label_of(field.name))
    return schema


def record_schema(spec) -> dict:
    """A record as the API returns it (api.serialize)."""
    props = {"id": {"type": "integer"}}
    for field in spec.model._meta.sorted_fields:
        if field.name not in ("id", "deleted_by"):
            props[field.name] = _described(spec, field)
    return {"type": "object", "properties": props, "required": list(props)}


def input_schema(spec, patch=False) -> dict:
    """The body of a create (or, with `version`, an update) request."""
    props = {}
    required = []
    for name in spec.editable_fields():
        field = spec.fields[name]
        props[name] = _described(spec, field, request=True)
        if not patch and registry.required_on_create(spec, field):
            required.append(name)
    if patch:
        props["version"] = {"type": "integer", "description": gettext("当前版本号（乐观锁）")}
        required = ["version"]
    schema = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = required
    if spec.one_of and not patch:
        # at least one field of each group (exactly one when exclusive), as
        # "one_of" in GET /api/v1/registers
        schema["x-one-of"] = [dict(group) for group in spec.one_of]
    return schema


INPUT_KINDS = {
    "text": {"type": "string"}, "textarea": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "pattern": DATETIME_PATTERN},
    "decimal": {"type": "number"}, "integer": {"type": "integer"},
    "employee": {"type": "integer", "minimum": 1, "description": "id (employee)"},
    "department": {"type": "integer", "minimum": 1, "description": "id (department)"},
    "boolean": {"type": "boolean"},
}


def transition_schema(t) -> dict:
    props = {"comment": {"type": "string", "maxLength": 2000, "title": gettext("意见/备注")}}
    required = []
    for i in t.inputs:
        if i.kind == "choice":
            schema = {"type": "string", "enum": [code for code, _ in i.choices]}
        else:
            schema = dict(INPUT_KINDS[i.kind])
        if i.kind in ("text", "textarea"):
            schema["maxLength"] = i.max_length
        schema["title"] = tr(i.label)
        props[i.name] = schema
        if i.required:
            required.append(i.name)
    schema = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


# Parameters and responses -------------------------------------------------------

def _param(name, schema, where="query", required=False, description=None):
    out = {"name": name, "in": where, "required": required, "schema": schema}
    if description:
        out["description"] = description
    return out


ID = _param("id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "path", True)


def common_parameters() -> dict:
    """Query parameters every list and export takes (components.parameters)."""
    return {
        "q": _param("q", {"type": "string", "maxLength": 200}, description=gettext("全文搜索")),
        "archived": _param("archived", {"type": "string", "enum": ["1"]},
                           description=gettext("1：已删除（归档）的记录，需删除权限")),
        "page": _param("page", {"type": "integer", "minimum": 1, "maximum": 10 ** 7}),
        "per_page": _param("per_page", {"type": "integer", "minimum": 1, "maximum": 200}),
    }


def sort_schema(spec) -> dict:
    names = [n for n in spec.fields if n != "deleted_by"]
    return {"type": "string", "enum": names + ["-" + n for n in names],
            "description": gettext("排序字段，前加 - 为倒序")}


def list_parameters(spec, paging=True) -> list:
    """The query string of api.list_query: search, archived, sort and a
    filter per declared filter field (any non-text field is accepted)."""
    common = ("q", "archived", "page", "per_page") if paging else ("q", "archived")
    params = [{"$ref": f"#/components/parameters/{name}"} for name in common]
    params.append(_param("sort", _ref(f"{spec.name}_sort")))
    for name in spec.filters:
        field = spec.fields[name]
        if isinstance(field, TextField):
            continue
        schema = value_schema(spec, field)
        schema.pop("nullable", None)
        if "enum" in schema:
            schema["enum"] = [v for v in schema["enum"] if v is not None]
        params.append(_param(name, schema, description=tr(spec.label_of(name))))
    return params


def _json(schema):
    return {"application/json": {"schema": schema}}


ERROR_CODES = ("400", "401", "403", "404", "409")


def error_responses() -> dict:
    """Shared responses (components.responses): the JSON body of errors.py."""
    from .errors import _titles
    titles = _titles()
    body = _json({"$ref": "#/components/schemas/Error"})
    return {code: {"description": titles[int(code)], "content": body} for code in ERROR_CODES}


def _responses(ok_code, ok, *errors):
    out = {ok_code: ok}
    for code in ("401", "403") + errors:
        out[code] = {"$ref": f"#/components/responses/{code}"}
    return out


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _binary(mime):
    return {mime: {"schema": {"type": "string", "format": "binary"}}}


def register_paths(spec) -> dict:
    name = spec.name
    label = tr(spec.label)
    verb = lambda key: f"{label}：{tr(registry.VERB_LABELS[key])}"  # noqa: E731
    record = _ref(name)
    one = {"description": label, "content": _json(record)}
    tag = [label]
    base = f"/api/v1/{name}"
    page = {"type": "object", "required": ["items", "total", "page", "per_page"],
            "properties": {"items": {"type": "array", "items": record},
                           "total": {"type": "integer"}, "page": {"type": "integer"},
                           "per_page": {"type": "integer"}}}
    paths = {
        base: {
            "get": {"operationId": f"list_{name}", "summary": verb("view"), "tags": tag,
                    "parameters": list_parameters(spec),
                    "responses": _responses("200", {"description": label, "content": _json(page)},
                                            "400")},
            "post": {"operationId": f"create_{name}", "summary": verb("create"), "tags": tag,
                     "requestBody": {"required": True, "content": _json(_ref(f"{name}_input"))},
                     "responses": _responses("201", one, "400", "409")},
        },
        base + "/{id}": {
            "parameters": [ID],
            "get": {"operationId": f"get_{name}", "summary": verb("view"), "tags": tag,
                    "responses": _responses("200", one, "404")},
            "patch": {"operationId": f"update_{name}", "summary": verb("edit"), "tags": tag,
                      "requestBody": {"required": True, "content": _json(_ref(f"{name}_patch"))},
                      "responses": _responses("200", one, "400", "404", "409")},
            "delete": {"operationId": f"delete_{name}", "summary": verb("delete"), "tags": tag,
                       "responses": _responses("204", {"description": verb("delete")},
                                               "404", "409")},
        },
        base + "/{id}/restore": {
            "parameters": [ID],
            "post": {"operationId": f"restore_{name}", "summary": f"{label}：{gettext('恢复')}",
                     "tags": tag, "responses": _responses("200", one, "404", "409")},
        },
        base + "/{id}/form.xlsx": {
            "parameters": [ID],
            "get": {"operationId": f"form_{name}", "summary": verb("print"), "tags": tag,
                    "responses": _responses("200", {"description": verb("print"),
                                                    "content": _binary(XLSX)}, "404")},
        },
    }
    if spec.exportable:
        for fmt, mime in (("csv", "text/csv"), ("xlsx", XLSX)):
            paths[f"{base}/export.{fmt}"] = {"get": {
                "operationId": f"export_{name}_{fmt}", "summary": f"{verb('export')} ({fmt})",
                "tags": tag, "parameters": list_parameters(spec, paging=False),
                "responses": _responses("200", {"description": verb("export"),
                                                "content": _binary(mime)}, "400")}}
    if spec.workflow is not None:
        for t in spec.workflow.transitions.values():
            paths[f"{base}/{{id}}/{t.name}"] = {
                "parameters": [ID],
                "post": {"operationId": f"{name}_{t.name}", "summary": f"{label}：{tr(t.label)}",
                         "tags": tag,
                         "requestBody": {"required": False, "content": _json(transition_schema(t))},
                         "responses": _responses("200", one, "400", "404", "409")}}
    return paths


def document() -> dict:
    anything = {"description": "OK", "content": _json({"type": "object"})}
    paths = {
        "/api/v1/me": {"get": {"operationId": "me", "responses": _responses("200", anything)}},
        "/api/v1/registers": {"get": {"operationId": "registers",
                                      "responses": _responses("200", anything)}},
        "/api/v1/openapi.json": {"get": {"operationId": "openapi",
                                         "responses": _responses("200", anything)}},
    }
    schemas = {"Error": {"type": "object", "required": ["error", "status"], "properties": {
        "error": {"type": "string"}, "status": {"type": "integer"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"}}}}}
    for spec in registry.all_specs():
        paths.update(register_paths(spec))
        schemas[spec.name] = record_schema(spec)
        schemas[f"{spec.name}_input"] = input_schema(spec)
        schemas[f"{spec.name}_patch"] = input_schema(spec, patch=True)
        schemas[f"{spec.name}_sort"] = sort_schema(spec)
    return {
        "openapi": "3.0.3",
        "info": {"title": gettext("客户管理门户") + " API", "version": "1"},
        "security": [{"token": []}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "flask --app wsgi portal token NAME"}},
            "schemas": schemas,
            "responses": error_responses(),
            "parameters": common_parameters(),
        },
        "paths": paths,
    }
