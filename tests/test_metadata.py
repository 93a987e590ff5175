"""Honest metadata: what the API publishes about a register (GET
/api/v1/registers, `portal registers --json`, the OpenAPI description) is one
description, and it is enough for a client to file a valid record of every
register without reading the code."""
from datetime import datetime, timedelta

import pytest

DEMO_USERS = "clerk sales regional salesmgr marketing gm hr quality service reception admin".split()


OPS = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b,
       "<": lambda a, b: a is not None and a < b, "<=": lambda a, b: a is not None and a <= b,
       ">": lambda a, b: a is not None and a > b, ">=": lambda a, b: a is not None and a >= b}


class RecordBuilder:
    """A create body for one register made from its published description
    only (GET /api/v1/registers): the required fields, then what its one_of
    groups, required_when and required_with rules ask for given the values
    chosen, until nothing more is needed."""

    def __init__(self, client, register):
        self.client = client
        self.register = register
        self.fields = {f["name"]: f for f in register["fields"] if not f["read_only"]}
        self.defaults = {f["name"]: f["default"] for f in register["fields"] if "default" in f}
        self.body = {}

    def value(self, name):
        """The value the record will have: given, or the field's default."""
        return self.body[name] if name in self.body else self.defaults.get(name)

    def matches(self, when):
        """Whether the record meets a published condition {field: [values]}."""
        return all(self.value(name) in values for name, values in (when or {}).items())

    def given(self, name):
        return self.body.get(name) not in (None, "", [])

    def listed(self, register, params=()):
        r = self.client.get(f"/api/v1/{register}", query_string=[("per_page", 200), *params])
        return r.get_json()["items"] if r.status_code == 200 else []

    def target_ids(self, field):
        """Ids of the records a foreign key (or a reference to a record of
        the register another field names) accepts, by its published target
        rules: the target's list filtered by `target_filter` (a {"field":
        name} value is the record's own field), those meeting `target_where`,
        or the values of `target_from` when its condition holds."""
        if field.get("target_listed") is False:
            return []
        source = field.get("target_from")
        if source and self.matches(source.get("when")):
            return [item[source["field"]] for item in self.listed(source["register"])
                    if item[source["field"]]]
        target = self.body.get(field["target_named_by"]) if "target_named_by" in field \
            else field["target"]
        if not target:
            return []
        params = []
        for name, value in (field.get("target_filter") or {}).items():
            if isinstance(value, dict):
                value = self.value(value["field"])
            for one in value if isinstance(value, list) else [value]:
                params.append((name, str(one).lower() if isinstance(one, bool) else one))
        today = datetime.now().date().isoformat()
        where = [(name, OPS[op], today if value == "today" else value)
                 for name, (op, value) in (field.get("target_where") or {}).items()]
        return [item["id"] for item in self.listed(target, params)
                if all(test(item.get(name), value) for name, test, value in where)]

    def sample(self, name):
        """A value of the field made from its published description alone,
        given the record built so far (None: none to be had)."""
        field = self.fields[name]
        kind = field["type"]
        codes = [c["code"] for c in field.get("choices", ())]
        compare = field.get("compare") or {}
        other = self.value(compare.get("field"))
        candidates = [variant["example"] for variant in field.get("formats", ())
                      if self.matches(variant["when"])]
        candidates += [v for variant in field.get("allowed_when", ())
                       if self.matches(variant["when"]) for v in variant["values"]]
        candidates += field.get("allowed", [])
        if "example" in field:
            candidates.append(field["example"])
        if not candidates:
            if kind == "foreign_key" or "target_named_by" in field:
                candidates = [i for i in self.target_ids(field)
                              if not (compare.get("op") == "!=" and i == other)]
            elif kind == "list":
                candidates = [codes[:1]]
            elif codes:
                candidates = codes
            elif kind == "boolean":
                candidates = [False]
            elif kind in ("integer", "decimal", "number"):
                candidates = list(range(1, 10))
            elif kind in ("date", "datetime"):
                moment = datetime.fromisoformat(other) if isinstance(other, str) else datetime.now()
                moment += timedelta(days=1 if compare.get("op") == ">" else 0)
                candidates = [moment.date().isoformat() if kind == "date"
                              else moment.strftime("%Y-%m-%d %H:%M:%S")]
            else:
                candidates = ["测试内容"[: field.get("max_length") or 20]]
        if "unique_with" in field:
            # not a value another record with the same unique_with fields has
            params = [(n, self.value(n)) for n in field["unique_with"]]
            params += [(n, v) for n, values in field.get("unique_among", {}).items()
                       for v in values]
            taken = {item.get(name) for item in self.listed(self.register["name"], params)}
            candidates = [c for c in candidates if c not in taken]
        return candidates[0] if candidates else None

    def build(self):
        # and the fields that must be unique (their default may be taken), after
        # the fields their target_filter takes a value from
        wanted = [n for n, f in self.fields.items()
                  if f["required"] or f.get("form_required") or "unique_with" in f]
        for name in list(wanted):
            for value in (self.fields[name].get("target_filter") or {}).values():
                if isinstance(value, dict) and value["field"] in self.fields:
                    if value["field"] in wanted:
                        wanted.remove(value["field"])
                    wanted.insert(wanted.index(name), value["field"])
        for _ in range(6):
            before = dict(self.body)
            for name in wanted:
                value = self.sample(name)
                if value is None:
                    self.body.pop(name, None)
                    self.other_register_named_for(name)
                else:
                    self.body[name] = value
            for group in self.register.get("one_of", ()):
                if not self.matches(group.get("when")):
                    continue
                present = [n for n in group["fields"] if self.given(n)]
                if group.get("exclusive"):
                    for extra in present[1:]:
                        wanted.remove(extra)
                        self.body.pop(extra)
                if not present:
                    wanted.extend(next(([n] for n in group["fields"]
                                        if n in self.fields and self.sample(n) is not None), []))
            for name, field in self.fields.items():
                needed = (("required_when" in field and self.matches(field["required_when"]))
                          or any(self.given(n) for n in field.get("required_with", ())))
                if needed and name not in wanted:
                    wanted.append(name)
            if self.body == before and all(n in self.body for n in wanted):
                break
        return self.body

    def other_register_named_for(self, name):
        """A reference that finds no record: the first register the field
        naming it offers that has one."""
        field = self.fields[name]
        naming = field.get("target_named_by")
        if not naming or field.get("target_listed") is False:
            return
        for code in [c["code"] for c in self.fields[naming].get("choices", ())]:
            self.body[naming] = code
            value = self.sample(name)
            if value is not None:
                self.body[name] = value
                return


def unlisted(register):
    """Required references the caller's lists do not offer (the description
    says so): such a record is not built from the API alone."""
    return [f["name"] for f in register["fields"]
            if f.get("target_listed") is False and f["required"] and not f["read_only"]]


@pytest.mark.demo_data(shared=True)
def test_a_valid_record_of_every_register_is_built_from_the_published_metadata(api):
    done, failures, not_from_lists = set(), {}, set()
    for username in DEMO_USERS:
        client = api(username)
        for register in client.get("/api/v1/registers").get_json()["registers"]:
            name = register["name"]
            if name in done or "create" not in register["verbs"]:
                continue
            body = RecordBuilder(client, register).build()
            r = client.post(f"/api/v1/{name}", json=body)
            if unlisted(register):
                # published as not to be had from the caller's lists: without
                # it the record is refused, as described
                errors = (r.get_json() or {}).get("errors") or {}
                assert r.status_code == 400 and set(unlisted(register)) <= set(errors), name
                not_from_lists.add(name)
                continue
            if r.status_code == 201:
                done.add(name)
                failures.pop(name, None)
            else:
                failures[name] = (username, r.status_code, (r.get_json() or {}).get("errors"))
    assert not failures, "\n".join(f"{k}: {v}" for k, v in sorted(failures.items()))
    assert len(done) >= 100, (len(done), sorted(not_from_lists))


def test_a_list_field_is_published_as_a_list_with_its_choices(api):
    registers = {r["name"]: r for r in api("clerk").get("/api/v1/registers").get_json()["registers"]}
    segments = next(f for f in registers["customer"]["fields"] if f["name"] == "segments")
    assert segments["type"] == "list"
    assert {c["code"] for c in segments["choices"]} == {"vip", "returning", "long_term_partner"}
    schema = api("clerk").get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    created = schema["customer_input"]["properties"]["segments"]
    assert created["type"] == "array" and set(created["items"]["enum"]) == {
        "vip", "returning", "long_term_partner"}


def test_the_cli_prints_the_same_description_as_the_api(app, api):
    import json
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "registers", "--json"])
    assert result.exit_code == 0, result.output
    printed = {r["name"]: r for r in json.loads(result.output)}
    served = {r["name"]: r for r in api("gm").get("/api/v1/registers").get_json()["registers"]}
    for name, register in served.items():
        assert printed[name]["fields"] == register["fields"], name


@pytest.mark.parametrize("rules,problem", [
    ({"one_of": (("customer", "prospect_nmae"),)}, "unknown field 'prospect_nmae'"),
    ({"required_when": {"opinions": {"customer": None, "issued_at": None, "kind": "x"}}},
     "unknown field 'kind'"),
    ({"target_filters": {"customer": {"is_key_acount": True}}}, "unknown field 'is_key_acount'"),
    ({"target_filters": {"prospect_name": {"x": 1}}}, "not a foreign key"),
    ({"patterns": {"prospect_name": r"\d{4}"}, "examples": {"prospect_name": "2026-Q4"}},
     "does not fit"),
    ({"target_from": {"issued_by": ("region", "name")}}, "points elsewhere"),
])
def test_a_misspelt_rule_fails_at_start_up(app, rules, problem):
    from models import InquiryCard
    from portal import registry
    opts = type("Register", (), dict(vars(InquiryCard.Register), **rules))
    with pytest.raises(ValueError, match=problem):
        registry.Spec(InquiryCard, opts).validate()
