"""Form building for registers: every foreign key is a searchable lookup that
obeys the same row rules as the lists; labels and choices are translated when
rendered; dates are YYYY-MM-DD."""
from flask_admin.contrib.peewee.ajax import QueryAjaxModelLoader
from flask_admin.contrib.peewee.form import CustomModelConverter
from flask_admin.form import BaseForm, DatePickerWidget, DateTimePickerWidget
from flask_admin.model.fields import AjaxSelectField
from flask_login import current_user
from peewee import AutoField, BooleanField
from wtforms import fields
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

import permissions
from portal.i18n import gettext, lazy
from portal.registry import spec_for

from . import search

LOOKUP_LIMIT = 30
DATETIME_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]


class ScopedLoader(QueryAjaxModelLoader):
    """Ajax lookup of a related register: only rows the user may read, not
    deleted, at most LOOKUP_LIMIT per call; a bad id is simply "not found"."""

    def __init__(self, name, model):
        spec = spec_for(model)
        fields = list(spec.lookup_fields) if spec else ["id"]
        super().__init__(name, model, fields=fields)
        self.spec = spec

    def query(self):
        model = self.model
        if self.spec is None:
            return model.select()
        query = permissions.rows(current_user, "view", model)
        if self.spec is not None and self.spec.lookup_active:
            field, value = self.spec.lookup_active
            query = query.where(getattr(model, field) == value)
        return query

    def format(self, model):
        if model is None:
            return None
        return (model.id, str(model))

    def get_one(self, pk):
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        if not 0 < pk < 2 ** 63:
            return None
        model = self.model
        # An existing value stays valid even if the lookup would no longer
        # offer it (e.g. an employee who left): only visibility is required.
        query = permissions.rows(current_user, "view", model) if self.spec is not None \
            else model.select()
        return query.where(model.id == pk).first()

    def get_list(self, term, offset=0, limit=LOOKUP_LIMIT):
        query = self.query()
        term = (term or "").strip()[:100]
        if term:
            query = search.apply(query, self._cached_fields, term)
        offset = max(0, min(int(offset or 0), 10_000))
        limit = max(1, min(int(limit or LOOKUP_LIMIT), LOOKUP_LIMIT))
        title = getattr(self.model, self.spec.title_field) if self.spec else self.model.id
        return list(query.order_by(title).offset(offset).limit(limit))


class LookupField(AjaxSelectField):
    """AjaxSelectField that reports an unknown or unreadable id as an error
    instead of silently clearing the value."""

    _submitted = None

    def process_formdata(self, valuelist):
        # remember what was submitted: filters later reset `_formdata`
        self._submitted = valuelist[0] if valuelist else None
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if self._submitted not in (None, "", "__None") and self.data is None:
            # StopValidation: the "required" validator would clear this message
            raise StopValidation(gettext("所选记录不存在或您无权查看。"))
        super().pre_validate(form)


class TriStateField(fields.SelectField):
    """是 / 否 / 未填写 for a yes-no field that may be unanswered
    (BooleanField(null=True)): a value left out stays unknown, never False
    (PITFALLS: wtf-peewee binds a missing boolean as False)."""
    TRUE = ("1", "y", "yes", "true", "on")
    FALSE = ("0", "n", "no", "false", "off")

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs["choices"] = [SelectChoice(value, label) for value, label in
                             (("", lazy("（未填写）")), ("1", lazy("是")), ("0", lazy("否")))]
        kwargs.pop("coerce", None)
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        self.data = None if value is None else bool(value)

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip().lower()
        if raw in self.TRUE:
            self.data = True
        elif raw in self.FALSE:
            self.data = False
        elif raw == "":
            self.data = None
        else:
            self.data = None
            raise ValueError(gettext("请选择“是”或“否”。"))

    def iter_choices(self):
        current = "" if self.data is None else ("1" if self.data else "0")
        for choice in self.choices:
            yield choice.value, choice.label, choice.value == current, {}

    def pre_validate(self, form):
        pass


class RegisterConverter(CustomModelConverter):
    def __init__(self, view, additional=None):
        super().__init__(view, additional)
        # peewee 4's AutoField is not Flask-Admin's PrimaryKeyField: the id of
        # an inline child row is an optional hidden field
        self.converters[AutoField] = self.handle_pk

    def handle_foreign_key(self, model, field, **kwargs):
        # child rows of a multi-row form get their own lookup names
        name = field.name if model is self.view.model else f"{model.__name__.lower()}-{field.name}"
        loader = self.view._form_ajax_refs.get(name)
        if loader is None:
            loader = ScopedLoader(name, field.rel_model)
            self.view._form_ajax_refs[name] = loader
        kwargs.setdefault("render_kw", {})["data-placeholder"] = lazy("输入关键字查找…")
        kwargs["allow_blank"] = bool(field.null)
        return field.name, LookupField(loader, **kwargs)

    def handle_date(self, model, field, **kwargs):
        kwargs["widget"] = DatePickerWidget()
        kwargs["format"] = "%Y-%m-%d"
        return field.name, fields.DateField(**kwargs)

    def handle_datetime(self, model, field, **kwargs):
        kwargs["widget"] = DateTimePickerWidget()
        kwargs["format"] = DATETIME_FORMATS
        return field.name, fields.DateTimeField(**kwargs)

    def convert(self, model, field, field_args):
        field_args = dict(field_args or {})
        spec = spec_for(model)
        label = spec.label_of(field.name) if spec else field.verbose_name or field.name
        field_args.setdefault("label", lazy(label))
        if field.help_text:
            field_args.setdefault("description", lazy(field.help_text))
        if field.choices:
            field_args.setdefault("choices", [(c, lazy(text)) for c, text in field.choices])
            if field.null:
                field_args["choices"] = [("", "")] + field_args["choices"]
        if isinstance(field, BooleanField) and field.null:
            return field.name, TriStateField(validators=list(field_args.pop("validators", [])),
                                             **field_args)
        return super().convert(model, field, field_args)


def _text_fields(fields):
    """Every field holding text, child rows of multi-row forms included."""
    for field in fields:
        if hasattr(field, "entries"):           # the rows of an inline list
            yield from _text_fields(field.entries)
        elif hasattr(field, "form"):            # one inline row
            yield from _text_fields(field.form)
        elif isinstance(field.data, str):
            yield field


class RegisterForm(BaseForm):
    """Base of every register form. CSRF is checked for every POST by
    Flask-WTF's CSRFProtect (portal/security.py); the templates render the
    token through the `csrf_token()` global.

    Control characters and overlong text are reported on the field with the
    other errors of the form, child rows included (they are saved without
    the services layer's checks)."""

    def validate(self, extra_validators=None):
        from portal import services
        valid = super().validate(extra_validators)
        for field in _text_fields(self):
            if field.name == "csrf_token":
                continue
            if services.BAD_CHARS.search(field.data):
                message = services.bad_chars_message()
            elif len(field.data) > services.TEXT_MAX_LENGTH:
                message = gettext("长度不能超过 %(n)s 个字符。", n=services.TEXT_MAX_LENGTH)
            else:
                continue
            field.errors = [*field.errors, message]
            valid = False
        return valid
