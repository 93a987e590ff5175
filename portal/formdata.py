"""Validate a JSON payload with the register's own form class, so the API
(and import) apply exactly the checks of the HTML form: types, required
fields, choices, lengths, lookups that obey row rules."""
from datetime import date, datetime
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from .i18n import gettext
from .services import InputError

_ALWAYS_IGNORED = ("id",)


def _as_strings(value):
    if value is None:
        return [""]
    if isinstance(value, bool):
        return ["y"] if value else ["false"]     # false: BooleanField and the yes/no/unknown field
    if isinstance(value, (int, float, Decimal)):
        return [str(value)]
    if isinstance(value, (date, datetime)):
        return [value.isoformat()]
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return [str(v) for v in value]
    raise ValueError


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
            for item in _as_strings(value):
                formdata.add(key, item)
            if key not in formdata:
                formdata.setlist(key, [])
        except ValueError:
            errors[key] = gettext("值的类型不正确。")
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
