"""List filters generated from register metadata.

Every filter validates its value (a bad value is reported, never a 500) and
every foreign-key filter offers or matches only the related rows the user may
read, so a filter cannot be used to learn about rows outside their scope.
"""
from flask_admin.contrib.peewee import filters as pf
from flask_login import current_user
from peewee import (BooleanField, DateField, DateTimeField, DecimalField,
                    FloatField, ForeignKeyField, IntegerField)

import permissions
from portal.i18n import gettext, lazy, lazy_gettext, tr
from portal.registry import spec_for

from .search import CONTROL, contains

# Registers small enough to offer as a drop-down; larger ones are matched by name.
SELECT_SCOPES = ("all",)
MAX_OPTIONS = 300
# The drop-down options of those reference registers (departments, employees,
# regions) read the same for everyone allowed to view them; each process keeps
# them this many seconds instead of reading them on every list page.
OPTIONS_SECONDS = 30
_OPTIONS = {}


class ChoiceEqual(pf.FilterEqual):
    def validate(self, value):
        return value in {code for code, _ in self.options}

    def get_options(self, view):
        return [(code, tr(label)) for code, label in self.options]


class ChoiceNotEqual(ChoiceEqual):
    def apply(self, query, value):
        return query.where((self.column != value) | self.column.is_null())

    def operation(self):
        return lazy_gettext("不等于")


class ChoiceIn(pf.FilterInList):
    def validate(self, value):
        allowed = {code for code, _ in self.options}
        return all(v in allowed for v in self.clean(value))

    def get_options(self, view):
        return [(code, tr(label)) for code, label in self.options]


class RelatedEqual(pf.BasePeeweeFilter):
    """Foreign key equals one of the related rows the user may read."""

    def __init__(self, column, name):
        super().__init__(column, name, options=self._options)
        self.rel_model = column.rel_model

    def _scope(self):
        model = self.rel_model
        if spec_for(model) is None:
            return model.select()
        return permissions.rows(current_user, "view", model)

    def _options(self):
        import time
        model = self.rel_model
        if spec_for(model) is not None and not permissions.can(current_user, "view", model):
            return []
        cached = _OPTIONS.get(model)
        if cached is None or time.monotonic() - cached[0] > OPTIONS_SECONDS:
            spec = spec_for(model)
            title = getattr(model, spec.title_field) if spec else model.id
            rows = self._scope().order_by(title).limit(MAX_OPTIONS)
            cached = _OPTIONS[model] = (time.monotonic(), [(str(r.id), str(r)) for r in rows])
        return cached[1]

    def validate(self, value):
        try:
            return 0 < int(value) < 2 ** 63
        except (TypeError, ValueError):
            return False

    def clean(self, value):
        return int(value)

    def apply(self, query, value):
        visible = self._scope().select(self.rel_model.id).where(self.rel_model.id == value)
        return query.where(self.column.in_(visible))

    def operation(self):
        return lazy_gettext("等于")


class RelatedContains(pf.BasePeeweeFilter):
    """Foreign key whose related row's title contains the text (large registers)."""

    def __init__(self, column, name):
        super().__init__(column, name)
        self.rel_model = column.rel_model

    def validate(self, value):
        return bool(value.strip()) and plain_text(value, 100)

    def apply(self, query, value):
        model = self.rel_model
        spec = spec_for(model)
        scope = permissions.rows(current_user, "view", model) if spec else model.select()
        fields = [getattr(model, f) for f in (spec.lookup_fields if spec else ())]
        clause = None
        for field in fields:
            c = contains(field, value.strip())
            clause = c if clause is None else clause | c
        matched = scope.select(model.id).where(clause)
        return query.where(self.column.in_(matched))

    def operation(self):
        return lazy_gettext("名称包含")


def plain_text(value, max_length):
    """A filter's text: not too long, no control characters (PostgreSQL
    refuses NUL in a query; they are reported as an invalid value)."""
    return len(value) <= max_length and not CONTROL.search(value)


class TextContains(pf.BasePeeweeFilter):
    def validate(self, value):
        return plain_text(value, 200)

    def apply(self, query, value):
        return query.where(contains(self.column, value))

    def operation(self):
        return lazy_gettext("包含")


class NumberRangeMixin:
    def validate(self, value):
        try:
            self.clean(value)
            return True
        except (TypeError, ValueError, ArithmeticError):
            return False


class DecimalGreater(NumberRangeMixin, pf.FloatGreaterFilter):
    pass


class DecimalSmaller(NumberRangeMixin, pf.FloatSmallerFilter):
    pass


def build(spec):
    """The filters of a register's list, in the order of `Register.filters`."""
    out = []
    for name in spec.filters:
        field = spec.fields[name]
        label = lazy(spec.label_of(name))
        if field.choices:
            options = list(field.choices)
            out += [ChoiceEqual(field, label, options=options),
                    ChoiceNotEqual(field, label, options=options),
                    ChoiceIn(field, label, options=options)]
        elif isinstance(field, ForeignKeyField):
            target = spec_for(field.rel_model)
            if target is not None and target.row_scope in SELECT_SCOPES:
                out.append(RelatedEqual(field, label))
            else:
                out.append(RelatedContains(field, label))
        elif isinstance(field, BooleanField):
            out.append(pf.BooleanEqualFilter(field, label))
        elif isinstance(field, DateTimeField):
            out += [pf.DateTimeBetweenFilter(field, label), pf.DateTimeGreaterFilter(field, label),
                    pf.DateTimeSmallerFilter(field, label)]
        elif isinstance(field, DateField):
            out += [pf.DateBetweenFilter(field, label), pf.DateGreaterFilter(field, label),
                    pf.DateSmallerFilter(field, label)]
        elif isinstance(field, (DecimalField, FloatField, IntegerField)):
            out += [DecimalGreater(field, label), DecimalSmaller(field, label)]
        else:
            out.append(TextContains(field, label))
    return out


def options_stamp(filters):
    """When the drop-down options of these filters were read (those due are
    read again now): the list page keeps its filter definitions by it."""
    stamp = []
    for flt in filters:
        if isinstance(flt, RelatedEqual):
            flt._options()
            stamp.append(_OPTIONS.get(flt.rel_model, (None,))[0])
    return tuple(stamp)


def invalid_message(value):
    return gettext("筛选值无效：%(value)s", value=value[:50])




class OverdueFilter(pf.BasePeeweeFilter):
    """Past the deadline while the workflow still runs (yes), or not (no)."""

    def __init__(self, column, name, workflow):
        super().__init__(column, name, options=(("1", lazy_gettext("是")), ("0", lazy_gettext("否"))))
        self.workflow = workflow

    def validate(self, value):
        return value in ("0", "1")

    def get_options(self, view):
        return [("1", tr("是")), ("0", tr("否"))]

    def apply(self, query, value):
        from portal import clock
        from peewee import DateTimeField
        Model = self.column.model
        running = getattr(Model, self.workflow.state_field).in_(self.workflow.running_states())
        now = clock.now() if isinstance(self.column, DateTimeField) else clock.today()
        late = running & (self.column < now)
        return query.where(late if value == "1" else ~late)

    def operation(self):
        return lazy_gettext("等于")
