"""Register metadata: one `Register` inner class per model in models.py.

Every view, API route, permission row, export, import template and seed
factory is generated from these specs. A spec is validated when the app
starts, so a misspelt column fails at boot rather than on a page.

    class Customer(FormRecord):
        name = CharField(verbose_name="客户名称")
        ...
        class Register:
            label = "客户档案"
            group = "customers"
            list_columns = ("record_no", "name", "grade", "region")
"""
import re

from peewee import (BooleanField, CharField, DateField, DateTimeField,
                    DecimalField, FloatField, ForeignKeyField, IntegerField,
                    TextField)

# Menu groups, in menu order (key, Chinese label).
GROUPS = (
    ("customers", "客户档案"),
    ("service", "客户服务"),
    ("complaints", "投诉处理"),
    ("after_sales", "售后服务"),
    ("reception", "接待管理"),
    ("engineering", "客户工程"),
    ("archives", "档案管理"),
    ("handover", "人事交接"),
    ("incentives", "奖惩考核"),
    ("system", "系统管理"),
)
GROUP_LABELS = dict(GROUPS)

# restore: bring a soft-deleted record back from the recycle bin (回收站)
BASE_VERBS = ("view", "create", "edit", "delete", "restore", "export")
VERB_LABELS = {
    "view": "查看", "create": "新建", "edit": "编辑", "delete": "删除", "restore": "恢复",
    "export": "导出", "import": "导入", "print": "打印",
    "govern": "调整归属/密级", "sign": "负责人签名", "ratify": "认可",
}
# verbs of the actions every record has (portal/workflows/actions.py): no
# transition may take their names
RECORD_ACTION_VERBS = ("govern", "sign", "ratify")

# Fields every record carries that users never type in.
SYSTEM_FIELDS = ("id", "version", "created_at", "created_by", "updated_at", "updated_by",
                 "deleted_at", "deleted_by")

_REGISTRY: dict = {}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Spec:
    """The resolved metadata of one register."""

    def __init__(self, model, opts):
        self.model = model
        get = lambda key, default=None: getattr(opts, key, default)  # noqa: E731
        self.name = get("name") or snake(model.__name__)
        self.label = get("label") or model.__name__
        self.group = get("group", "system")
        self.domain_ids = tuple(get("domain_ids", ()))
        self.description = get("description", "")
        fields = model._meta.fields
        self.title_field = get("title_field") or next(
            (f for f in ("name", "title", "subject") if f in fields), "record_no")
        self.list_columns = tuple(get("list_columns") or self._default_list_columns())
        self.search = tuple(get("search") or self._default_search())
        self.filters = tuple(get("filters") or self._default_filters())
        self.default_sort = get("default_sort", ("id", True))
        self.lookup_fields = tuple(get("lookup_fields") or
                                   [f for f in ("record_no", self.title_field) if f in fields])
        # Lookups offer only rows matching (field, value), e.g. active employees.
        self.lookup_active = get("lookup_active")
        self.form_columns = get("form_columns")
        self.readonly_fields = tuple(get("readonly_fields", ()))
        # the field policy (portal/policy.py): fields beyond the usual ones
        # that decide who may read a record, or that only a workflow sets
        self.access_fields = tuple(get("access_fields", ()))
        self.decision_fields = tuple(get("decision_fields", ()))
        # fields set when a record is made and never changed (what a request asks for)
        self.fixed_fields = tuple(get("fixed_fields", ()))
        # a register without a workflow that records one approval (认可):
        # (label, fields still open after it) -- portal/workflows/actions.py
        self.endorsement = get("endorsement")
        # an example value of a field whose text has a format (e.g. "2026-Q4"),
        # published with the field's description; a callable is asked each
        # time (a value that depends on today)
        self.examples = dict(get("examples", {}))
        # What check() demands, said as data so that the published description
        # is enough to file a valid record (describe_field; validated below):
        # - patterns {field: regex}: the text's format
        # - formats {field: (other, {code: (regex, example)})}: the format
        #   chosen by another field's value
        # - allowed {field: values or callable}, or (other, {code: values}):
        #   the values accepted (a flag that must be set, a year window...)
        # - one_of: groups of fields of which at least one is given: a tuple
        #   of names, or {"fields", "exclusive" (exactly one), "when"}
        # - required_when {field: {other: value or values}}: needed when every
        #   other field has one of the values (None: not given)
        # - required_with {field: others}: needed when any of them is given
        # - rule_required: needed always, though the column may be empty
        # - compare {field: (op, other)}: ">" "<" ">=" "<=" or "!=" the other
        # - unique_with {field: others, or {"fields": others, "among": {field: values}}}:
        #   unique among the records sharing the others (and matching `among`)
        # - references {field: other}: the id of a record of the register named
        #   by the other field (a foreign key to any register)
        # - target_filters {foreign key: {field: value, values or {"field": name}}}:
        #   query parameters of the target's list selecting the records accepted
        # - target_where {foreign key: {field: (op, value)}}: what the list cannot
        #   select: compared with the value, None (filled in) or "today"
        # - target_from {foreign key: (register, field[, when])}: a sufficient
        #   choice: the value of `field` of any record of `register`
        # - unlisted_targets: references to records that the caller's lists do
        #   not offer (e.g. a record one may not read, found in the catalogue)
        def when(cond):
            return {k: list(v) if isinstance(v, (tuple, list, set, frozenset)) else [v]
                    for k, v in dict(cond or {}).items()}
        self.patterns = {k: v if v.startswith("^") else f"^(?:{v})$"
                         for k, v in dict(get("patterns", {})).items()}
        self.formats = {k: (other, {code: (p if p.startswith("^") else f"^(?:{p})$", ex)
                                    for code, (p, ex) in table.items()})
                        for k, (other, table) in dict(get("formats", {})).items()}
        self.allowed, self.allowed_when = {}, {}
        for k, v in dict(get("allowed", {})).items():
            if isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], dict):
                self.allowed_when[k] = v        # (other field, {its code: values})
            else:
                self.allowed[k] = v
        # as published: {"fields": [...]}, with "exclusive": true and "when" if given
        self.one_of = tuple(
            {key: value for key, value in (("fields", list(g.get("fields", ()))),
                                           ("exclusive", bool(g.get("exclusive"))),
                                           ("when", when(g.get("when")))) if value}
            if isinstance(g, dict) else {"fields": list(g)}
            for g in get("one_of", ()))
        self.required_when = {k: when(v) for k, v in dict(get("required_when", {})).items()}
        self.required_with = {k: tuple(v) for k, v in dict(get("required_with", {})).items()}
        self.rule_required = tuple(get("rule_required", ()))
        self.compare = dict(get("compare", {}))
        self.target_filters = {k: dict(v) for k, v in dict(get("target_filters", {})).items()}
        self.unique_with = {k: {"fields": list(v["fields"]), "among": when(v.get("among"))}
                            if isinstance(v, dict) else {"fields": list(v)}
                            for k, v in dict(get("unique_with", {})).items()}
        self.references = dict(get("references", {}))
        self.target_where = {k: {f: tuple(c) for f, c in v.items()}
                             for k, v in dict(get("target_where", {})).items()}
        self.unlisted_targets = tuple(get("unlisted_targets", ()))
        self.target_from = {k: {"register": v[0], "field": v[1],
                                **({"when": when(v[2])} if len(v) > 2 else {})}
                            for k, v in dict(get("target_from", {})).items()}
        # Row rules (permissions/rules.py): "all", "department" or "archive".
        self.row_scope = get("row_scope", "department")
        self.dept_fields = tuple(get("dept_fields") or [f for f in ("dept",) if f in fields])
        # Numbering (R-NUM): "dept" = {abbreviation of the owning department}-{serial:04d},
        # "yymm" = YYMM-{serial:02d} (complaints), "prefix" = {number_prefix}-{serial:04d}.
        self.numbering = get("numbering", "dept" if self.dept_fields else "prefix")
        self.number_prefix = get("number_prefix", self.name[:3].upper())
        # Fields the paper form requires: filled in, or struck through as not
        # applicable (000-四 43 单杠划去), never left blank.
        self.required = tuple(get("required", ()))
        self.person_fields = tuple(get("person_fields") or self._default_person_fields())
        self.owner_field = get("owner_field")
        # one more clause of the department row rule: (actor, Model) -> expression
        # of rows that name the actor elsewhere (e.g. in a child row)
        self.row_extra = _resolve(model, get("row_extra"))
        self.all_rows_roles = tuple(get("all_rows_roles", ("general_manager",)))
        self.archive = bool(get("archive", False))
        self.default_confidentiality = get("default_confidentiality", "internal")
        self.default_retention = get("default_retention", "three_years")
        self.permissions = dict(get("permissions", {}))
        # child models of a multi-row form (classes or class names in models.py)
        self.inlines = tuple(_resolve(model, c) for c in get("inlines", ()))
        self.parent_field = get("parent_field")   # child rows of a multi-row form
        self.menu = get("menu", True)
        self.workflow = _resolve(model, get("workflow"))
        self.exportable = get("exportable", True)
        # a register expected to hold very many rows: list indexes and a text
        # index (portal/scale.py)
        self.large = bool(get("large", False))
        # Paper-form details for the print view: signature lines, the copies
        # (联) of a multi-copy form as (name, where it goes), and flags such as
        # no_customer_copy 不得示客 / no_copy 严禁复印 (E-32).
        self.signatures = tuple(get("signatures", ("填表人", "负责人")))
        # documents generated from a record: {name: (label, "module:function")},
        # the function returns the xlsx bytes (e.g. the handover certificate)
        self.downloads = dict(get("downloads", {}))
        # employee fields meaning "holds this record" for handovers (default:
        # by name, see portal/workflows/handover.py)
        self.holding_fields = get("holding_fields")
        # extra content of the detail page: "module:function" (actor, row) ->
        # {"template": ..., **context}
        self.details_extra = get("details_extra")
        self.copies = tuple(get("copies", ()))
        self.flags = frozenset(get("flags", ()))
        if self.workflow is not None:
            # the state is always a list column and the first filter
            state = self.workflow.state_field
            if state not in self.list_columns:
                cols = list(self.list_columns)
                cols.insert(1 if cols[:1] == ["record_no"] else 0, state)
                self.list_columns = tuple(cols)
            if state not in self.filters:
                self.filters = (state,) + tuple(self.filters)

    # Defaults --------------------------------------------------------------
    def _user_fields(self):
        return [f for f in self.model._meta.sorted_fields if f.name not in SYSTEM_FIELDS]

    def _default_list_columns(self):
        cols = [f.name for f in self._user_fields()
                if not isinstance(f, TextField) and f.name != "na_fields"]
        return cols[:7]

    def _default_search(self):
        return [f.name for f in self._user_fields()
                if isinstance(f, (CharField, TextField)) and not f.choices
                and f.name != "na_fields"][:6]

    def _default_filters(self):
        out = []
        for f in self._user_fields():
            if f.choices or isinstance(f, (DateField, DateTimeField, BooleanField, ForeignKeyField)):
                out.append(f.name)
        return out[:8]

    def _default_person_fields(self):
        from models import Employee  # noqa: WPS433 (models imports this module)
        return [f.name for f in self.model._meta.sorted_fields
                if isinstance(f, ForeignKeyField) and f.rel_model is Employee]

    # Introspection ---------------------------------------------------------
    @property
    def fields(self):
        return self.model._meta.fields

    def field(self, name):
        return self.model._meta.fields[name]

    def label_of(self, name) -> str:
        field = self.model._meta.fields.get(name)
        if field is not None and field.verbose_name:
            return field.verbose_name
        return FIELD_LABELS.get(name, name)

    def editable_fields(self):
        """Fields a user may type in, in declaration order (the field policy
        may freeze some of them in a record's current state)."""
        cached = self.__dict__.get("_editable")
        if cached is None:
            from .policy import decision_fields
            skip = set(SYSTEM_FIELDS) | {"record_no", "retention_until", "signed_at"} \
                | set(self.readonly_fields) | decision_fields(self)
            if self.workflow:
                skip.add(self.workflow.state_field)
            if self.parent_field:
                skip.add(self.parent_field)
            names = self.form_columns or [f.name for f in self.model._meta.sorted_fields]
            cached = self.__dict__["_editable"] = [n for n in names if n not in skip]
        return list(cached)

    def inline_children(self):
        """(child model, its foreign key to this register) of a multi-row form."""
        out = []
        for child in self.inlines:
            fk = next(f for f in child._meta.sorted_fields
                      if isinstance(f, ForeignKeyField) and f.rel_model is self.model)
            out.append((child, fk))
        return out

    def verbs(self):
        from .workflows.actions import actions_of
        verbs = list(BASE_VERBS) + [a.name for a in actions_of(self)]
        if self.workflow:
            for verb in self.workflow.verbs():
                if verb not in verbs:
                    verbs.append(verb)
        return verbs

    def validate(self):
        fields = self.model._meta.fields
        for attr in ("list_columns", "search", "filters", "lookup_fields", "dept_fields",
                     "person_fields", "readonly_fields", "required", "access_fields",
                     "decision_fields", "fixed_fields"):
            for name in getattr(self, attr):
                if name not in fields:
                    raise ValueError(f"{self.name}: {attr} names unknown field {name!r}")
        for name in self.search + self.lookup_fields:
            if not isinstance(fields[name], (CharField, TextField)):
                raise ValueError(f"{self.name}: cannot search non-text field {name!r}")
        if self.group not in GROUP_LABELS:
            raise ValueError(f"{self.name}: unknown menu group {self.group!r}")
        if self.owner_field and self.owner_field not in fields:
            raise ValueError(f"{self.name}: owner_field {self.owner_field!r} unknown")
        if self.form_columns:
            for name in self.form_columns:
                if name not in fields:
                    raise ValueError(f"{self.name}: form column {name!r} unknown")
        for verb, roles in self.permissions.items():
            if not isinstance(roles, (tuple, list, set, frozenset)):
                raise ValueError(f"{self.name}: permissions[{verb!r}] must be a list of roles")
        # the rules said as data (see __init__) name real fields, codes and
        # targets, and their examples fit their formats

        def fail(message):
            raise ValueError(f"{self.name}: {message}")

        def known(name, what, model=self.model):
            if name not in model._meta.fields:
                fail(f"{what} names unknown field {name!r}")
            return model._meta.fields[name]

        def codes_of(field, values, what):
            codes = {c for c, _ in field.choices or ()}
            bad = [v for v in values if codes and v is not None and v not in codes]
            if bad:
                fail(f"{what}: {field.name} has no choice {bad[0]!r}")

        def condition(cond, what):
            for other, values in cond.items():
                codes_of(known(other, what), values, what)

        def fits(pattern, example, what):
            if example is not None and not callable(example) and \
                    not re.match(pattern, str(example)):
                fail(f"{what}: example {example!r} does not fit {pattern!r}")

        for attr in ("examples", "patterns", "formats", "allowed", "allowed_when",
                     "required_when", "required_with", "compare", "unique_with", "references",
                     "target_filters", "target_where", "target_from"):
            for name in getattr(self, attr):
                known(name, attr)
        for name in self.rule_required + self.unlisted_targets + tuple(
                n for g in self.one_of for n in g.get("fields", ())):
            known(name, "rule_required/unlisted_targets/one_of")
        for name, rule in self.unique_with.items():
            for other in rule["fields"]:
                known(other, "unique_with")
            condition(rule.get("among", {}), "unique_with")
        for name, other in self.references.items():
            known(other, "references")
        for name, pattern in self.patterns.items():
            re.compile(pattern)
            fits(pattern, self.examples.get(name), f"patterns[{name!r}]")
        for name, (other, table) in self.formats.items():
            codes_of(known(other, "formats"), list(table), f"formats[{name!r}]")
            for pattern, example in table.values():
                re.compile(pattern)
                fits(pattern, example, f"formats[{name!r}]")
        for name, (other, table) in self.allowed_when.items():
            codes_of(known(other, "allowed"), list(table), f"allowed[{name!r}]")
            for values in table.values():
                codes_of(fields[name], values, f"allowed[{name!r}]")
        for name, values in self.allowed.items():
            if not callable(values):
                codes_of(fields[name], values, f"allowed[{name!r}]")
        for group in self.one_of:
            if not group.get("fields"):
                fail("an empty one_of group")
            condition(group.get("when", {}), "one_of")
        for cond in self.required_when.values():
            condition(cond, "required_when")
        for others in self.required_with.values():
            for other in others:
                known(other, "required_with")
        for name, (op, other) in self.compare.items():
            if op not in (">", "<", ">=", "<=", "!="):
                fail(f"compare[{name!r}]: unknown operator {op!r}")
            known(other, "compare")
        for attr in ("target_filters", "target_where", "target_from", "unlisted_targets"):
            for name in getattr(self, attr):
                if not isinstance(fields[name], ForeignKeyField) and name not in self.references:
                    fail(f"{attr} names {name!r}, not a foreign key or a reference")
        for name, conditions in self.target_where.items():
            for key, (op, value) in conditions.items():
                if op not in (">", "<", ">=", "<=", "!=", "=="):
                    fail(f"target_where[{name!r}]: unknown operator {op!r}")
                if isinstance(fields[name], ForeignKeyField):
                    known(key, f"target_where[{name!r}]", fields[name].rel_model)
        for name, params in self.target_filters.items():
            if name in self.references:
                continue        # any register: its fields are known per record
            target = fields[name].rel_model
            for key, value in params.items():
                field = known(key, f"target_filters[{name!r}]", target)
                if isinstance(field, TextField) or key in SYSTEM_FIELDS:
                    fail(f"target_filters[{name!r}]: the list does not filter by {key!r}")
                if isinstance(value, dict):
                    known(value["field"], f"target_filters[{name!r}]")
                else:
                    codes_of(field, value if isinstance(value, (tuple, list)) else [value],
                             f"target_filters[{name!r}]")
        for name, source in self.target_from.items():
            spec = get(source["register"])
            if spec is None:
                fail(f"target_from[{name!r}] names unknown register {source['register']!r}")
            other = known(source["field"], f"target_from[{name!r}]", spec.model)
            if not isinstance(other, ForeignKeyField) or \
                    other.rel_model is not fields[name].rel_model:
                fail(f"target_from[{name!r}]: {source['field']!r} points elsewhere than {name!r}")
            condition(source.get("when", {}), "target_from")

    def describe(self, verbs=None) -> dict:
        """What GET /api/v1/registers and `portal registers --json` print."""
        from .i18n import tr
        return {
            "name": self.name,
            "label": tr(self.label),
            "group": self.group,
            "group_label": tr(GROUP_LABELS[self.group]),
            "url": f"/{self.name}/",
            "domain_ids": list(self.domain_ids),
            "fields": [describe_field(self, f) for f in self.model._meta.sorted_fields
                       if f.name not in ("deleted_by",)],
            "verbs": sorted(verbs) if verbs is not None else self.verbs(),
            "workflow": self.workflow.describe() if self.workflow else None,
            # groups of fields of which a record gives at least one (exactly
            # one when exclusive), when the record matches `when`
            "one_of": [dict(group) for group in self.one_of],
        }


def child_label(child):
    """The name of a child table of a multi-row form: its docstring's first line."""
    return child.__doc__.strip().splitlines()[0].rstrip("。.") if child.__doc__ else child.__name__


def _resolve(model, ref):
    """An object named by a string: "Name" in the model's module, or
    "package.module:name" (imported lazily, so a workflow module may import
    the models)."""
    if not isinstance(ref, str):
        return ref
    import importlib
    import sys
    if ":" in ref:
        module, name = ref.split(":", 1)
        return getattr(importlib.import_module(module), name)
    return getattr(sys.modules[model.__module__], ref)


FIELD_LABELS = {
    "id": "ID", "version": "版本", "created_at": "创建时间", "created_by": "创建人",
    "updated_at": "修改时间", "updated_by": "修改人", "deleted_at": "删除时间", "deleted_by": "删除人",
}


def field_type(field) -> str:
    from .fields import ListField
    if isinstance(field, ListField):
        return "list"
    if isinstance(field, ForeignKeyField):
        return "foreign_key"
    if field.choices:
        return "choice"
    for klass, name in ((BooleanField, "boolean"), (DateTimeField, "datetime"),
                        (DateField, "date"), (DecimalField, "decimal"), (FloatField, "number"),
                        (IntegerField, "integer"), (TextField, "text"), (CharField, "string")):
        if isinstance(field, klass):
            return name
    return "string"


def is_required(field) -> bool:
    return not field.null and field.default is None and field.name != "id"


# Fields a new record gets from the user and the register when not given
# (services.defaults_for): not required in a create request.
DEFAULTED = {"dept", "filled_by", "filled_at", "retention_class", "confidentiality"}


def required_on_create(spec, field) -> bool:
    """Whether a create request must give the field (the form requires it and
    nothing fills it in, or the register's rule needs it: always, or because
    the column's default is not a value the rule accepts)."""
    if field.name not in spec.editable_fields():
        return False
    if field.name in spec.rule_required:
        return True
    allowed = spec.allowed.get(field.name)
    if allowed is not None:
        values = allowed() if callable(allowed) else allowed
        default = field.default() if callable(field.default) else field.default
        if default not in values:
            return True
    return (is_required(field) and field.name not in SYSTEM_FIELDS and field.name != "record_no"
            and field.name not in DEFAULTED and field.name not in spec.dept_fields[:1])


def field_choices(spec, field):
    """(code, label) pairs a field takes: its choices, or a list field's options."""
    if field_type(field) == "list":
        return list(field.choices_for(spec.model))
    return list(field.choices or ())


def describe_field(spec, field) -> dict:
    """The one description of a field: what GET /api/v1/registers and
    `portal registers --json` publish, and what the OpenAPI schemas are made
    of (portal/openapi.py)."""
    from .i18n import tr
    kind = field_type(field)
    out = {
        "name": field.name,
        "label": tr(spec.label_of(field.name)),
        "type": kind,
        "required": required_on_create(spec, field),
        "read_only": field.name not in spec.editable_fields(),
        "nullable": bool(field.null),
    }
    if field.name in spec.required:
        # the paper form's item: filled in, or struck through in na_fields (000-四 43)
        out["form_required"] = True
    if field.default is not None and not callable(field.default):
        out["default"] = field.default       # what a record not giving the field gets
    choices = field_choices(spec, field)
    if not choices and hasattr(field, "wtf_field"):
        # a field that makes its own select (e.g. the name of a register)
        choices = list(field.wtf_field(spec.model).kwargs.get("choices") or ())
    if choices:
        out["choices"] = [{"code": c, "label": tr(label)} for c, label in choices]
    if isinstance(field, ForeignKeyField):
        target = spec_for(field.rel_model)
        out["target"] = target.name if target else field.rel_model._meta.table_name
    if isinstance(field, CharField) and kind not in ("list", "choice"):
        out["max_length"] = field.max_length
    name = field.name
    if name in spec.examples:
        example = spec.examples[name]
        out["example"] = example() if callable(example) else example
    # what the register's rule (check()) demands, said as data (Spec.__init__)
    if name in spec.patterns:
        out["pattern"] = spec.patterns[name]
    if name in spec.formats:
        other, table = spec.formats[name]
        out["formats"] = [{"when": {other: [code]}, "pattern": pattern,
                           "example": example() if callable(example) else example}
                          for code, (pattern, example) in table.items()]
    if name in spec.allowed:
        values = spec.allowed[name]
        out["allowed"] = list(values() if callable(values) else values)
    if name in spec.allowed_when:
        other, table = spec.allowed_when[name]
        out["allowed_when"] = [{"when": {other: [code]}, "values": list(values)}
                               for code, values in table.items()]
    if name in spec.required_when:
        out["required_when"] = spec.required_when[name]
    if name in spec.required_with:
        out["required_with"] = list(spec.required_with[name])
    if name in spec.compare:
        op, other = spec.compare[name]
        out["compare"] = {"op": op, "field": other}
    if name in spec.unique_with:
        rule = spec.unique_with[name]
        out["unique_with"] = list(rule["fields"])
        if rule.get("among"):
            out["unique_among"] = rule["among"]
    if name in spec.references:
        out["target_named_by"] = spec.references[name]
    if name in spec.target_filters:
        out["target_filter"] = {k: list(v) if isinstance(v, tuple) else v
                                for k, v in spec.target_filters[name].items()}
    if name in spec.target_where:
        out["target_where"] = {k: list(c) for k, c in spec.target_where[name].items()}
    if name in spec.target_from:
        out["target_from"] = spec.target_from[name]
    if name in spec.unlisted_targets:
        out["target_listed"] = False
    return out


# Registry ---------------------------------------------------------------

def discover(module):
    """Build a Spec for every model of `module` that declares `class Register`."""
    from peewee import Model
    found = {}
    for obj in vars(module).values():
        if isinstance(obj, type) and issubclass(obj, Model) and "Register" in obj.__dict__:
            spec = Spec(obj, obj.__dict__["Register"])
            if spec.name in found:
                raise ValueError(f"two registers named {spec.name}")
            obj._spec = spec
            found[spec.name] = spec
    _REGISTRY.clear()
    _REGISTRY.update(found)
    for spec in found.values():
        spec.validate()
        if spec.workflow:
            spec.workflow.bind(spec)
    return found


def add(model):
    """Register one more model (e.g. a register added by an extension)."""
    spec = Spec(model, model.__dict__["Register"])
    model._spec = spec
    _REGISTRY[spec.name] = spec
    spec.validate()
    if spec.workflow:
        spec.workflow.bind(spec)
    return spec


def remove(name):
    spec = _REGISTRY.pop(name, None)
    if spec is not None:
        spec.model._spec = None


def all_specs():
    order = {key: i for i, (key, _) in enumerate(GROUPS)}
    return sorted(_REGISTRY.values(), key=lambda s: (order[s.group], s.domain_ids[:1] or ("~",), s.name))


def get(name):
    return _REGISTRY.get(name)


def spec_for(model):
    spec = model.__dict__.get("_spec")
    return spec if spec is not None and spec.name in _REGISTRY else None
