"""Custom Peewee fields: a list of choice codes stored as JSON text.

Used for multi-valued choices of the paper forms (customer tags, customer
requests of a complaint, ...) and for the not-applicable marks (单杠划去).
Stored as portable JSON text so SQLite and PostgreSQL behave the same.
"""
import json

from peewee import TextField
from wtforms import SelectMultipleField, widgets
from wtforms.validators import ValidationError


class ListField(TextField):
    """A JSON list of short codes. `options` (code, label) limits the values."""

    def __init__(self, options=None, **kwargs):
        kwargs.setdefault("null", True)
        self.options = tuple(options) if options else None
        super().__init__(**kwargs)

    def db_value(self, value):
        if value is None or value == []:
            return None
        if isinstance(value, str):
            value = [value]
        return json.dumps(list(value), ensure_ascii=False)

    def python_value(self, value):
        if not value:
            return []
        try:
            data = json.loads(value)
        except ValueError:
            return []
        return data if isinstance(data, list) else []

    def wtf_field(self, model, **kwargs):
        """Form field for wtf-peewee: a multi-select of the options."""
        kwargs.pop("filters", None)
        kwargs.pop("default", None)
        choices = self.choices_for(model)
        return LazyMultiSelect(choices=choices, **kwargs)

    def choices_for(self, model):
        return list(self.options or ())


class CheckboxMultiWidget(widgets.ListWidget):
    def __init__(self):
        super().__init__(prefix_label=False)


class LazyMultiSelect(SelectMultipleField):
    """Multi-select whose labels are translated at render time and whose empty
    submission means "none" rather than a validation error."""

    widget = CheckboxMultiWidget()
    option_widget = widgets.CheckboxInput()

    def iter_choices(self):
        from .i18n import tr
        for value, label, selected, render_kw in super().iter_choices():
            yield value, tr(label), selected, render_kw

    def pre_validate(self, form):
        if self.data:
            allowed = {str(c[0]) for c in self.choices}
            bad = [v for v in self.data if v not in allowed]
            if bad:
                from .i18n import gettext
                # a ValidationError is a field error (400); any other exception is a 500
                raise ValidationError(gettext("无效的选项：%(values)s", values="、".join(bad)))

    def process_data(self, value):
        self.data = list(value) if value else []


class NotApplicableField(ListField):
    """The fields struck through as not applicable (000-四 43 单杠划去).

    Its options are the register's form-required fields, known once the
    register spec is built.
    """

    def choices_for(self, model):
        spec = getattr(model, "_spec", None)
        if not spec:
            return []
        return [(name, spec.label_of(name)) for name in spec.required]
