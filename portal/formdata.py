"""Validate a JSON payload with the register's own form class, so the API
(and import) apply exactly the checks of the HTML form: types, required
fields, choices, lengths, lookups that obey row rules."""
from decimal import Decimal

from peewee import BooleanField, DecimalField, FloatField, ForeignKeyField, IntegerField
from werkzeug.datastructures import MultiDict

from .i18n import gettext, lazy
from .services import InputError

_ALWAYS_IGNORED = ("id",)


def json_kind(field) -> str:
    """The JSON type a field takes (as published in the OpenAPI description)."""
    from .fields import ListField, NotApplicableField
    if isinstance(field, (ListField, NotApplicableField)):
        return "list"
    if isinstance(field, (ForeignKeyField, IntegerField)):
        return "integer"
    if isinstance(field, BooleanField):
        return "boolean"
    if isinstance(field, (DecimalField, FloatField)):
        return "number"
    return "string"


_KIND_MESSAGES = {
    "list": lazy("应为字符串列表"), "integer": lazy("应为整数"),
    "boolean": lazy("应为 true 或 false"), "number": lazy("应为数字"), "string": lazy("应为字符串"),
}


def _as_strings(field, value):
    """The form data of one JSON value, its type checked exactly against the
    field's (no list taken for a scalar, no "yes" for true, no null turned
    into an empty code): ValueError names the expected type."""
    kind = json_kind(field)
    if value is None:
        if not field.null and kind != "list":
            raise ValueError(gettext("此项为必填项，不能为 null。"))
        return [""]
    if kind == "list":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
    elif kind == "boolean":
        if isinstance(value, bool):
            return ["y"] if value else ["false"]     # false: BooleanField and the yes/no/unknown field
    elif kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return [str(value)]
    elif kind == "number":
        # a decimal may come as a number or, to keep its precision, as a numeric string
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return [str(value)]
        if isinstance(value, str) and _is_number(value):
            return [value]
    elif isinstance(value, str):
        return [value]
    raise ValueError(gettext("值的类型不正确：%(kind)s。", kind=str(_KIND_MESSAGES[kind])))


def _is_number(text):
    try:
        return Decimal(text.strip()).is_finite()
    except ArithmeticError:
        return False


def bind(form_class, spec, payload, base_obj=None, base_data=None, extra_allowed=()):
    """A validated form instance for `payload` on top of `base_obj` (edit) or
    `base_data` (create defaults). Raises InputError naming every bad field.

    Returns (form, names of the fields the payload set)."""
    if not isinstance(payload, dict):
        raise InputError(gettext("请求体必须是 JSON 对象。"))
    editable = set(spec.editable_fields())
    errors = {}
    formdata = MultiDict()
    provided = []
    for key, value in payload.items():
        if key in _ALWAYS_IGNORED or key in extra_allowed:
            continue
        if key not in spec.fields:
            errors[key] = gettext("未知字段。")
            continue
        if key not in editable:
            errors[key] = gettext("该字段为只读，不能直接修改。")
            continue
        try:
            for item in _as_strings(spec.fields[key], value):
                formdata.add(key, item)
            if key not in formdata:
                formdata.setlist(key, [])
        except ValueError as err:
            errors[key] = str(err)
            continue
        provided.append(key)
    form = form_class(formdata=None, obj=base_obj, data=base_data)
    for key in provided:
        if key not in form:
            raise InputError({key: gettext("该字段不能通过此接口修改。")})
        field = form[key]
        sub = MultiDict()
        sub.setlist(field.name, formdata.getlist(key))
        field.process(sub)
    if not form.validate():
        for name, msgs in form.errors.items():
            errors.setdefault(name, "；".join(str(m) for m in msgs if isinstance(m, str))
                              or gettext("输入无效。"))
    if errors:
        raise InputError(errors)
    return form, provided
