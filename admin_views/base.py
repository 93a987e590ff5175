"""RegisterView: the one generic view of every register.

Flask-Admin decides little for us (PITFALLS.md); this class makes sure that
every endpoint (list, count, details, create, edit, delete, restore, actions,
export, ajax lookup, filters) asks `permissions` and reads rows only through
the gate `permissions.rows()` / `permissions.row()`, writes through `portal.services` (one transaction,
optimistic lock, soft delete, audit), and turns bad input into a clear
message instead of a 500.
"""
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.peewee import ModelView
from flask_admin.form.rules import BaseRule
from flask_admin.helpers import get_redirect_target
from flask_login import current_user
from peewee import Case, ForeignKeyField
from wtforms import fields as wtf_fields
from wtforms.validators import Optional

from datetime import datetime, time

import permissions
from portal import policy, services
from portal.db import write_transaction
from portal.i18n import gettext, lazy, ngettext, tr
from portal.registry import GROUP_LABELS, SYSTEM_FIELDS, child_label
from portal.workflows import actions as record_actions
from portal.workflows.engine import timeline

from . import filters as register_filters
from . import listing
from .forms import RegisterConverter, RegisterForm

# Flask-Admin endpoint -> permission verb ("lookup": create or edit).
ENDPOINT_VERBS = {
    "index_view": "view",
    "details_view": "view",
    "print_view": "view",
    "create_view": "create",
    "edit_view": "edit",
    "ajax_update": "edit",
    "delete_view": "delete",
    "restore_view": "restore",
    "export": "export",
    "ajax_lookup": "lookup",
    "action_view": "view",          # each action checks its own verb
    "transition_view": "view",      # each transition checks its own verb
    "import_view": "create",
    "import_confirm_view": "create",
    "import_template_view": "create",
}
# Which row rule a single-record endpoint uses.
ROW_VERBS = {"edit_view": "edit", "ajax_update": "edit", "delete_view": "delete",
             "restore_view": "restore"}

RECORD_SECTION = "记录管理"
_FILTER_GROUPS = {}      # RegisterView._get_filter_groups


def document_response(spec, row, document):
    """A document generated from a record (Register.downloads, or "form":
    the record as its paper form), as xlsx."""
    from urllib.parse import quote
    from flask import Response
    from portal import audit, clock
    from portal.registry import _resolve
    from . import printing
    if document == printing.FORM_DOCUMENT and document not in spec.downloads:
        return printing.form_workbook_response(spec, row)    # the record as its paper form
    if document not in spec.downloads:
        abort(404)
    label, ref = spec.downloads[document]
    data, count = _resolve(spec.model, ref)(row)
    audit.record(current_user, "export", spec.name, row,
                 changes={"document": [None, document], "rows": [None, count]})
    name = f"{tr(label)}-{row.record_no}-{clock.now():%Y%m%d}.xlsx"
    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{spec.name}-{document}-{row.id}.xlsx\"; filename*=UTF-8''{quote(name)}")
    return response


class HiddenVersion(BaseRule):
    """Keeps the hidden `version` field in rule-based forms; the template
    renders hidden inputs itself, so this rule outputs nothing."""

    @property
    def visible_fields(self):
        return ["version"]

    def __call__(self, form, form_opts=None, field_args=None):
        return ""


def current_endpoint():
    return (request.endpoint or "").rsplit(".", 1)[-1]


class RegisterView(ModelView):
    list_template = "register/list.html"
    details_template = "register/details.html"
    create_template = "register/create.html"
    edit_template = "register/edit.html"
    form_base_class = RegisterForm
    model_form_converter = RegisterConverter
    can_view_details = True
    # Flask-Admin's page-size menu formats "20 items" before translating it,
    # so it never reads Chinese: list.html renders its own (page_size_options).
    can_set_page_size = False
    page_size = 20
    page_size_options = (20, 50, 100)
    column_display_pk = False
    column_editable_list = ()
    simple_list_pager = False

    def __init__(self, spec):
        self.spec = spec
        model = spec.model
        fields = model._meta.fields
        self.column_list = list(spec.list_columns)
        self.column_sortable_list = list(spec.list_columns)
        self.column_searchable_list = list(spec.search)
        self.column_filters = register_filters.build(spec)
        self.column_labels = {name: lazy(spec.label_of(name)) for name in fields}
        self.column_details_list = self._details_columns_of(spec)
        self.column_export_list = [n for n in fields if n not in ("deleted_by",)]
        self.column_formatters = {name: self._formatter(name) for name in fields}
        workflow = spec.workflow
        if workflow is not None and workflow.due_field:
            # time left / overdue, sortable by the deadline, overdue rows stand out
            self.column_list.insert(self.column_list.index(workflow.due_field) + 1
                                    if workflow.due_field in self.column_list else len(self.column_list),
                                    "time_left")
            self.column_sortable_list.append("time_left")
            self.column_labels["time_left"] = lazy("剩余时间")
            self.column_formatters["time_left"] = self._time_left
            self.column_filters.append(register_filters.OverdueFilter(
                getattr(model, workflow.due_field), lazy("是否逾期"), workflow))
        self.form_columns = spec.editable_fields()
        self.form_ajax_refs = {}
        self.form_create_rules = self.form_edit_rules = self._form_rules(spec)
        self.inline_models = [(child, {"form_label": lazy(child_label(child))})
                              for child, _ in spec.inline_children()] or None
        super().__init__(model, name=lazy(spec.label), category=lazy(GROUP_LABELS[spec.group]),
                         endpoint=spec.name, url=f"/{spec.name}")

    # Metadata -> Flask-Admin ------------------------------------------------
    @staticmethod
    def _details_columns_of(spec):
        names = ["record_no"] if "record_no" in spec.fields else []
        names += [n for n in spec.fields if n not in SYSTEM_FIELDS and n not in names]
        names += ["created_at", "created_by", "updated_at", "updated_by", "version"]
        return names

    @staticmethod
    def _form_rules(spec):
        from flask_admin.form import rules as form_rules
        from models import RECORD_FIELDS
        names = spec.editable_fields()
        own = [n for n in names if n not in RECORD_FIELDS]
        own += [fk.backref for _, fk in spec.inline_children()]
        record = [n for n in names if n in RECORD_FIELDS]
        if not record:
            return None
        return [form_rules.FieldSet(own, lazy(spec.label)),
                form_rules.FieldSet(record, lazy(RECORD_SECTION)), HiddenVersion()]

    def _formatter(self, name):
        spec = self.spec
        field = spec.fields[name]
        is_fk = isinstance(field, ForeignKeyField)
        attr = listing.title_attr(name)
        show = services.displayer(spec, name)

        # Returns text (a str), so Flask-Admin's type formatters never apply
        # and list.html may call it directly (listing.list_rows).
        def fmt(view, context, row, _name):
            if is_fk:
                title = getattr(row, attr, None)
                if title is None and row.__data__.get(name) is not None:
                    related = getattr(row, name)
                    title = str(related) if related is not None else ""
                return title or ""
            return show(getattr(row, name, None))
        return fmt

    def _time_left(self, view, context, row, name):
        from markupsafe import Markup
        from portal import calendar, clock
        workflow = self.spec.workflow
        due = getattr(row, workflow.due_field)
        if due is None or getattr(row, workflow.state_field) not in workflow.running_states():
            return ""
        if not isinstance(due, datetime):          # a date: due by the end of that day
            due = datetime.combine(due, time(23, 59, 59))
        late = due < clock.now()
        return Markup('<span class="{}">{}</span>').format(
            "time-overdue" if late else "time-left", calendar.time_left(due))

    def get_edit_form(self):
        base = super().get_edit_form()

        class EditForm(base):
            # optimistic lock: the version the user started editing from
            version = wtf_fields.HiddenField(validators=[Optional()])
        return EditForm

    # Permissions ------------------------------------------------------------
    def _can(self, verb):
        return permissions.can(current_user, verb, self.model)

    @property
    def can_create(self):
        return self._can("create")

    @property
    def can_edit(self):
        return self._can("edit")

    @property
    def can_delete(self):
        return self._can("delete")

    @property
    def can_restore(self):
        return self._can("restore")

    @property
    def can_export(self):
        return self.spec.exportable and self._can("export")

    def is_accessible(self):
        return current_user.is_authenticated

    def is_visible(self):
        return self.spec.menu and current_user.is_authenticated and self._can("view")

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    def _handle_view(self, name, **kwargs):
        if not current_user.is_authenticated:
            return self.inaccessible_callback(name)
        verb = ENDPOINT_VERBS.get(name, "view")
        if name == "index_view" and self.showing_archived():
            verb = "restore"            # the recycle bin (回收站)
        if verb == "lookup":
            if not (self._can("create") or self._can("edit")):
                raise permissions.Forbidden(permissions.denied_message("edit", self.model))
        else:
            permissions.require(current_user, verb, self.model)
        return None

    # Queries: every read goes through the row rule ----------------------------
    def showing_archived(self):
        """The recycle bin (回收站): soft-deleted rows, for those who may restore them."""
        return request.args.get("archived") == "1" and self._can("restore")

    def get_query(self):
        """The rows of this page (the gate: permissions.rows)."""
        if self.showing_archived():
            return permissions.rows(current_user, "restore", self.model, deleted=True)
        query = permissions.rows(current_user, ROW_VERBS.get(current_endpoint(), "view"), self.model)
        if request.args.get("waiting") == "1" and self.spec.workflow is not None:
            query = query.where(self.spec.workflow.queue_expression(current_user))
        return query

    def get_one(self, id):
        """The record `id` if the user may use it for this endpoint's verb;
        otherwise 404, never the unscoped row (PITFALLS: get_one bypass)."""
        endpoint = current_endpoint()
        if endpoint == "restore_view":
            return permissions.row(current_user, "restore", self.model, id, deleted=True)
        return permissions.row(current_user, ROW_VERBS.get(endpoint, "view"), self.model, id)

    def get_safe_page_size(self, page_size):
        if page_size in self.page_size_options:
            return page_size
        return self.page_size

    def sort_spec(self, sort_column, sort_desc):
        if sort_column == "time_left":
            sort_column = self.spec.workflow.due_field
        if sort_column is not None and (sort_column in self.spec.list_columns
                                        or sort_column in self.spec.fields):
            return [(sort_column, bool(sort_desc))]
        name, desc = self.spec.default_sort
        return [(name, desc)]

    def _get_list_url(self, view_args):
        """The list URL with `view_args` (pager, sort and page-size links),
        as Flask-Admin's url_for call writes it; the page's own URL is built
        once per request and the arguments appended (a list page has some
        thirty such links)."""
        from flask import g
        from urllib.parse import urlencode
        bases = g.setdefault("_list_urls", {})
        base = bases.get(self.endpoint)
        if base is None:
            base = bases[self.endpoint] = self.get_url(".index_view")
        args = {"page": view_args.page or None, "sort": view_args.sort,
                "desc": 1 if view_args.sort_desc else None, "search": view_args.search,
                **view_args.extra_args, "page_size": self.get_safe_page_size(view_args.page_size),
                **self._get_filters(view_args.filters)}
        query = urlencode([(k, v) for k, v in args.items() if v is not None],
                          safe="!$'()*,/:;?@")           # werkzeug's query encoding
        return f"{base}?{query}" if query else base

    def filtered_query(self, search, filters):
        """The rows the user may read, searched and filtered: the list, its
        count and the export."""
        query = self.get_query()
        if search:
            query = listing.search(query, self.spec, search)
        for idx, _name, value in filters or ():
            flt = self._filters[idx]
            query = flt.apply(query, flt.clean(value))
        return query

    def list_query(self, search, filters, sort_column=None, sort_desc=None, titles=None):
        """(filtered query, the same with related titles and sort)."""
        query = self.filtered_query(search, filters)
        return query, listing.titled_sorted(query, self.spec, titles or self.column_list,
                                            self.sort_spec(sort_column, sort_desc))

    def list_fields(self):
        """The fields a list row reads: its columns, the id and version, and
        the state and deadline the time-left column is computed from."""
        spec = self.spec
        names = ["id", "version", *self.column_list]
        if spec.workflow is not None:
            names += [spec.workflow.state_field, spec.workflow.due_field]
        return [spec.fields[n] for n in dict.fromkeys(names) if n in spec.fields]

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True,
                 page_size=None):
        from flask import g
        query = self.filtered_query(search, filters)
        page_size = self.page_size if page_size is None else page_size
        page = max(0, min(int(page or 0), 10 ** 7))
        sort = self.sort_spec(sort_column, sort_desc)
        if page_size:
            titled = listing.page(query, self.spec, self.column_list, sort, page_size,
                                  page * page_size, self.list_fields())
        else:
            titled = listing.titled_sorted(query, self.spec, self.column_list, sort)
        if self.spec.row_scope == "archive":
            # A file read through a loan is read only: its row shows no edit or
            # delete button (register/list.html), decided in the same query.
            edit_rule = permissions.clause(current_user, "edit", self.model)
            titled = titled.select_extend(Case(None, [(edit_rule, 1)], 0).alias("_may_change"))
        if not execute:
            count, g.list_count_estimated = listing.bounded_count(query)
            return count, titled.objects()
        rows = list(titled.objects())
        self._mark_buttons(rows)
        # counted after the page, and only when the page does not tell
        count, g.list_count_estimated = listing.count_with_page(
            query, page * page_size if page_size else 0, len(rows), page_size or len(rows) + 1)
        return count, rows

    def _mark_buttons(self, rows):
        """Which rows of a list page get the edit and delete buttons: not a
        file only read on loan (`_may_change`, from the page query), not a
        record its state freezes or keeps (policy, services.delete_refusal)."""
        for row in rows:
            may = getattr(row, "_may_change", 1) != 0
            row._may_edit = may and bool(policy.editable_now(self.spec, row))
            row._may_delete = may and services.delete_refusal(self.spec, row, quick=True) is None

    export_types = ["xlsx", "csv"]

    @expose("/export/<export_type>/")
    def export(self, export_type):
        from . import export as exporter
        if export_type not in self.export_types:
            abort(404)
        args = self._get_list_extra_args()
        column = self._get_column_by_idx(args.sort)
        query, titled = self.list_query(args.search, args.filters, column[0] if column else None,
                                        args.sort_desc, titles=exporter.export_columns(self.spec))
        description = request.query_string.decode("utf-8", "replace")[:500]
        return exporter.respond(current_user, self.spec, query, titled, export_type, description)

    def _refresh_filters_cache(self):
        # Flask-Admin evaluates filter options once at start-up; ours depend
        # on the user, so only the argument table is cached here.
        self._filters = self.get_filters()
        self._filter_groups = None
        _FILTER_GROUPS.clear()
        self._filter_args = ({self.get_filter_arg(i, f): (i, f) for i, f in enumerate(self._filters)}
                             if self._filters else None)

    def _get_filter_groups(self):
        """The filters' labels and options, for the user's language and
        grants (which related registers they may read) and as fresh as the
        drop-down options (filters.options_stamp); kept per process."""
        if not self._filters:
            return None
        from flask_babel import get_locale
        from permissions import _grants
        key = (self.endpoint, str(get_locale()), _grants(current_user),
               register_filters.options_stamp(self._filters))
        groups = _FILTER_GROUPS.get(key)
        if groups is None:
            if len(_FILTER_GROUPS) >= 512:
                _FILTER_GROUPS.clear()
            groups = _FILTER_GROUPS[key] = self._read_filter_groups()
        return groups

    def _read_filter_groups(self):
        from collections import OrderedDict
        groups = OrderedDict()
        for i, flt in enumerate(self._filters):
            label = str(flt.name)
            options = flt.get_options(self)
            groups.setdefault(label, []).append({
                "index": i, "arg": self.get_filter_arg(i, flt),
                "operation": str(flt.operation()),
                "options": [(k, str(v)) for k, v in options] if options else None,
                "type": flt.data_type,
            })
        return groups

    def search_placeholder(self):
        names = "、".join(tr(self.spec.label_of(n)) for n in self.spec.search[:4])
        return gettext("搜索：%(fields)s", fields=names)

    def get_invalid_value_msg(self, value, filter):
        return register_filters.invalid_message(value)

    # Writes: through portal.services ----------------------------------------
    def _form_values(self, form):
        frozen = getattr(form, "_frozen", {})
        return {name: form[name].data for name in self.spec.editable_fields()
                if name in form and name not in frozen}

    def _freeze(self, form, row):
        """Fields the field policy keeps (portal/policy.py) are shown read
        only with the reason, and their posted values are ignored: the
        record's own values stand."""
        names = [n for n in self.spec.editable_fields() if n in form]
        frozen = policy.frozen_fields(self.spec, row, names)
        for name, reason in frozen.items():
            field = form[name]
            if request.method == "POST":
                field.process(None, getattr(row, name))
            field.render_kw = dict(field.render_kw or {}, disabled=True)
            field.description = reason
        form._frozen = frozen
        return form

    def _show_errors(self, form, error):
        for name, message in error.errors.items():
            if name in form:
                form[name].errors = list(form[name].errors or []) + [message]
            else:
                flash(message, "error")
        flash(gettext("保存失败，请检查标出的字段。"), "error")

    def _save_inlines(self, form):
        """Save the child rows of a multi-row form inside the parent's
        transaction; their before/after values go into the parent's audit."""
        def rows_of(row):
            out = {}
            for child, fk in self.spec.inline_children():
                rows = child.select().where(fk == row.id).order_by(child.id)
                out[fk.backref] = [{k: v for k, v in services.snapshot(r).items() if k != fk.name}
                                   for r in rows]
            return out

        def saved(row):
            from flask_admin.contrib.peewee.form import save_inline
            before = rows_of(row)
            save_inline(form, row)
            after = rows_of(row)
            return {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        return saved

    def create_form(self, obj=None):
        form = super().create_form(obj)
        if request.method == "GET":
            for name, value in services.defaults_for(current_user, self.spec).items():
                if name in form and not form[name].data:
                    form[name].data = value
            # links may prefill fields: /borrow_request/new/?register=customer&record=12
            from werkzeug.datastructures import MultiDict
            for name in self.spec.editable_fields():
                if name in request.args and name in form:
                    form[name].process(MultiDict({name: request.args[name][:200]}))
        return form

    def form_again(self, message):
        """The create or edit form again, filled with what was posted, and
        `message` (a post refused before it reached the form, e.g. an expired
        CSRF token): nothing saved, nothing typed lost."""
        from flask_admin.helpers import get_redirect_target
        from flask_admin.model.helpers import get_mdict_item_or_list
        from flask_admin.form import FormOpts
        flash(message, "error")
        return_url = get_redirect_target() or self.get_url(".index_view")
        if current_endpoint() == "create_view":
            form = self.create_form()
            opts = FormOpts(widget_args=self.form_widget_args, form_rules=self._form_create_rules)
            return self.render(self.create_template, form=form, form_opts=opts, return_url=return_url)
        row = self.get_one(get_mdict_item_or_list(request.args, "id"))
        form = self.edit_form(obj=row)
        opts = FormOpts(widget_args=self.form_widget_args, form_rules=self._form_edit_rules)
        return self.render(self.edit_template, model=row, form=form, form_opts=opts,
                           return_url=return_url)

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if obj is not None:
            self._freeze(form, obj)
        if request.method == "GET" and obj is not None:
            from portal.confidential import note_read
            note_read(current_user, obj, "edit")
        return form

    def create_model(self, form):
        try:
            row = services.create(current_user, self.model, self._form_values(form),
                                  on_saved=self._save_inlines(form) if self.inline_models else None)
        except services.InputError as err:
            self._show_errors(form, err)
            return False
        similar = services.similar_records(current_user, self.spec, row)
        if similar:
            flash(services.similar_message(similar), "warning")
        return row

    def update_model(self, form, model):
        try:
            services.update(current_user, model, self._form_values(form), form.version.data,
                            on_saved=self._save_inlines(form) if self.inline_models else None)
            return True
        except services.InputError as err:
            self._show_errors(form, err)
        except services.Conflict as err:
            flash(err.message, "error")
        return False

    def delete_model(self, model):
        try:
            services.soft_delete(current_user, model)
            return True
        except services.Conflict as err:
            flash(err.message, "error")
            return False

    # Actions: on rows re-read through the row rule, in one transaction --------
    def is_action_allowed(self, name):
        if name == "delete":
            return not self.showing_archived() and self._can("delete")
        if name == "restore":
            return self.showing_archived() and self._can("restore")
        return super().is_action_allowed(name)

    def _rows_for_action(self, ids, verb, deleted=False):
        """The selected rows the user may `verb` (never raw ids: PITFALLS)."""
        try:
            pks = [int(i) for i in ids][:1000]
        except (TypeError, ValueError):
            abort(400)
        return list(permissions.rows(current_user, verb, self.model, deleted=deleted)
                    .where(self.model.id.in_(pks)))

    @action("delete", lazy("删除"), lazy("确定要删除所选记录吗？只有录入错误的记录可以删除，删除后可在“回收站”中恢复。"))
    def action_delete(self, ids):
        permissions.require(current_user, "delete", self.model)
        rows = self._rows_for_action(ids, "delete")
        with write_transaction():
            for row in rows:
                services.soft_delete(current_user, row)
        flash(ngettext("已删除 %(num)s 条记录。", "已删除 %(num)s 条记录。", len(rows)),
              "success")

    @action("restore", lazy("恢复"), lazy("确定要恢复所选记录吗？"))
    def action_restore(self, ids):
        permissions.require(current_user, "restore", self.model)
        rows = self._rows_for_action(ids, "restore", deleted=True)
        with write_transaction():
            for row in rows:
                services.restore(current_user, row)
        flash(ngettext("已恢复 %(num)s 条记录。", "已恢复 %(num)s 条记录。", len(rows)),
              "success")

    @expose("/restore/", methods=("POST",))
    def restore_view(self):
        return_url = get_redirect_target() or self.get_url(".index_view")
        row = self.get_one(request.form.get("id"))
        if row.deleted_at is None:
            flash(gettext("该记录未被删除，无需恢复。"), "warning")
        else:
            services.restore(current_user, row)
            flash(gettext("记录已恢复。"), "success")
        return redirect(return_url)

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        abort(404)   # no inline list editing: every edit goes through the form

    @expose("/ajax/lookup/")
    def ajax_lookup(self):
        import json
        from flask import Response
        name = request.args.get("name", "")
        loader = self._form_ajax_refs.get(name)
        if loader is None:
            abort(404)
        try:
            offset = int(request.args.get("offset", 0) or 0)
            limit = int(request.args.get("limit", 10) or 10)
        except ValueError:
            abort(400)
        rows = loader.get_list(request.args.get("query", ""), offset, limit)
        return Response(json.dumps([loader.format(r) for r in rows], ensure_ascii=False),
                        mimetype="application/json")

    # Pages ----------------------------------------------------------------------
    def _input_options(self, inp):
        """Choices of an employee/department input of a transition: the
        active rows the user may read."""
        from models import Department, Employee
        model = Employee if inp.kind == "employee" else Department
        query = permissions.rows(current_user, "view", model)
        if model is Employee:
            query = query.where(Employee.status == "active")
        return [(r.id, str(r)) for r in query.order_by(model.name).limit(500)]

    def render(self, template, **kwargs):
        from flask import current_app, g
        if template == self.list_template and g.get("list_count_estimated"):
            # counted up to the limit only: "1000+ 条", and a previous/next pager
            kwargs["count"] = gettext("%(n)s+ 条", n=current_app.config["LIST_COUNT_LIMIT"])
            kwargs["num_pages"] = None
        kwargs.setdefault("spec", self.spec)
        kwargs.setdefault("list_header", listing.list_header)
        kwargs.setdefault("list_rows", listing.list_rows)
        kwargs.setdefault("input_options", self._input_options)
        kwargs.setdefault("showing_archived", self.showing_archived())
        return super().render(template, **kwargs)

    @expose("/details/")
    def details_view(self):
        from flask_admin.model.helpers import get_mdict_item_or_list
        return_url = get_redirect_target() or self.get_url(".index_view")
        id = get_mdict_item_or_list(request.args, "id")
        if id is None:
            return redirect(return_url)
        row = self.get_one(id)
        from portal.confidential import note_read
        note_read(current_user, row, "details")
        return self.render_details(row, return_url)

    def may_change(self, row):
        """May the user edit this row? Not a file they only read on loan, not
        a record whose state leaves nothing to edit."""
        return bool(policy.editable_now(self.spec, row)) and \
            permissions.can(current_user, "edit", self.model, row)

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        """A record its state freezes whole has no edit form: the details
        page says why (a post answers 409 and changes nothing)."""
        pk = request.args.get("id")
        if pk is not None:
            row = self.get_one(pk)
            if not policy.editable_now(self.spec, row):
                message = policy.locked_message(self.spec, row)
                if request.method != "POST":
                    flash(message, "warning")
                    return redirect(url_for(".details_view", id=row.id))
                raise services.Frozen({"__all__": message})
        return super().edit_view()

    def render_details(self, row, return_url=None):
        from portal import audit
        history = (audit.AuditEvent.select()
                   .where(audit.AuditEvent.register == self.spec.name,
                          audit.AuditEvent.record_id == row.id,
                          audit.AuditEvent.action != "read")
                   .order_by(audit.AuditEvent.id.desc()).limit(50))
        workflow = self.spec.workflow
        extra = None
        if self.spec.details_extra:
            from portal.registry import _resolve
            extra = _resolve(self.model, self.spec.details_extra)(current_user, row)
        from .export import may_copy
        return self.render(self.details_template, model=row, extra=extra,
                           may_change=self.may_change(row),
                           may_copy=may_copy(current_user, self.spec, row),
                           details_columns=self._details_columns,
                           get_value=self.get_detail_value,
                           return_url=return_url or self.get_url(".index_view"),
                           history=list(history), workflow=workflow,
                           transitions=(workflow.available(current_user, row) if workflow else [])
                           + record_actions.available(current_user, self.spec, row),
                           timeline=timeline(self.spec, row), action_name=self._step_label,
                           content_hash=policy.content_hash(self.spec, row),
                           state_label=workflow.state_label(getattr(row, workflow.state_field))
                           if workflow else None)

    def _step_label(self, name):
        """The label of a step of the trail: a transition or a record action."""
        step = record_actions.get(self.spec, name) or (
            self.spec.workflow.transition(name) if self.spec.workflow else None)
        return tr(step.label) if step is not None else name

    @expose("/print/")
    def print_view(self):
        """The record laid out like its paper form, for printing (A4)."""
        from . import printing
        row = self.get_one(request.args.get("id"))
        form = printing.paper_form(self.spec, row, "print")
        return self.render("register/print.html", form=form, model=row,
                           sheets=form.sheets(request.args.get("copies")))

    @expose("/download/<document>/")
    def download_view(self, document):
        row = self.get_one(request.args.get("id"))
        return document_response(self.spec, row, document)

    # Import from Excel / CSV (portal/importer.py) ----------------------------
    @expose("/import/", methods=("GET", "POST"))
    def import_view(self):
        """Upload a file; the answer is the dry run: what each row would do
        and every error. Nothing is written until confirmed."""
        from portal import importer
        if request.method == "GET":
            return self._import_page()
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(gettext("请选择要导入的文件。"), "error")
            return self._import_page(), 400
        try:
            token = importer.store(upload, current_user, self.spec)
        except importer.FileError as err:
            flash(err.message, "error")
            return self._import_page(), 400
        path, name = importer.stored(token, current_user, self.spec)
        outcome = importer.dry_run(current_user, self.spec, path, name)
        if outcome.ok:
            importer.keep_versions(token, outcome)
        else:
            importer.discard(token)
            token = None
        return self._import_page(outcome, token)

    @expose("/import/confirm/", methods=("POST",))
    def import_confirm_view(self):
        from portal import importer
        token = request.form.get("token")
        found = importer.stored(token, current_user, self.spec)
        if found is None:
            flash(gettext("上传的文件已失效，请重新上传。"), "error")
            return redirect(url_for(".import_view"))
        path, name = found
        try:
            outcome = importer.import_file(current_user, self.spec, path, name,
                                           versions=importer.kept_versions(token))
        finally:
            importer.discard(token)
        if not outcome.ok:
            flash(gettext("导入未执行：有 %(n)s 处错误，未写入任何记录。",
                          n=outcome.error_count or 1), "error")
            return self._import_page(outcome), 400
        flash(gettext("已导入 %(rows)s 行：新建 %(created)s 条，更新 %(updated)s 条（批次 %(no)s）。",
                      rows=outcome.rows, created=outcome.created, updated=outcome.updated,
                      no=outcome.batch.number), "success")
        return redirect(self.get_url(".index_view"))

    @expose("/import/template/")
    def import_template_view(self):
        from portal.api import _xlsx
        from portal.importer import template_name, template_workbook
        return _xlsx(template_workbook(current_user, self.spec), f"{self.spec.name}-import.xlsx",
                     template_name(self.spec))

    def _import_page(self, outcome=None, token=None):
        from portal import importer
        max_bytes, max_rows = importer.limits()
        return self.render("register/import.html", outcome=outcome, token=token,
                           max_size=importer.size_text(max_bytes), max_rows=max_rows,
                           preview_rows=importer.PREVIEW_ROWS, max_errors=importer.MAX_ERRORS)

    # Workflow transitions ----------------------------------------------------
    @expose("/transition/<transition>/", methods=("POST",))
    def transition_view(self, transition):
        name = transition
        workflow = self.spec.workflow
        action = record_actions.get(self.spec, name)
        if action is None and (workflow is None or workflow.transition(name) is None):
            abort(404)
        row = self.get_one(request.form.get("id"))
        back = url_for(".details_view", id=row.id)
        try:
            result = record_actions.run(current_user, self.spec, row, name, request.form)
        except services.InputError as err:
            for message in err.errors.values():
                flash(message, "error")
            return self.render_details(self.get_one(row.id)), 400
        except services.Conflict as err:
            flash(err.message, "error")
            return self.render_details(self.get_one(row.id)), 409
        flash(gettext("已完成「%(action)s」。", action=tr((action or workflow.transition(name)).label)),
              "success")
        if type(result) is not self.model:
            from portal.registry import spec_for
            other = spec_for(type(result))
            if other is not None:
                return redirect(url_for(f"{other.name}.details_view", id=result.id))
        return redirect(back)

    def get_actions_list(self):
        actions, confirmations = super().get_actions_list()
        workflow = self.spec.workflow
        if workflow is not None and not self.showing_archived():
            for t in workflow.transitions.values():
                if t.bulk and not t.hidden and self._can(t.name):
                    actions.append((f"wf:{t.name}", tr(t.label)))
        return actions, confirmations

    def handle_action(self, return_view=None):
        action_name = request.form.get("action", "")
        if not action_name.startswith("wf:"):
            return super().handle_action(return_view)
        return self.bulk_transition(action_name[3:])

    def bulk_transition(self, name):
        """A transition on many rows: first a preview (how many selected rows
        it applies to), then, confirmed, all of them in one transaction."""
        workflow = self.spec.workflow
        t = workflow.transition(name) if workflow else None
        if t is None or not t.bulk:
            abort(404)
        permissions.require(current_user, t.name, self.model)
        rows = self._rows_for_action(request.form.getlist("rowid"), "view")
        eligible = [r for r in rows if workflow.check(current_user, r, t)[0]]
        return_url = get_redirect_target() or self.get_url(".index_view")
        if request.form.get("confirmed") != "1":
            return self.render("register/bulk_preview.html", transition=t, rows=rows,
                               eligible=eligible, return_url=return_url)
        if not eligible:
            flash(gettext("所选记录都不能执行此操作。"), "warning")
            return redirect(return_url)
        try:
            with write_transaction():
                for row in eligible:
                    workflow.run(current_user, row, name, request.form)
        except (services.InputError, services.Conflict) as err:
            message = err.message if isinstance(err, services.Conflict) else "；".join(err.errors.values())
            flash(gettext("批量操作未执行（全部回滚）：%(reason)s", reason=message), "error")
            return redirect(return_url)
        flash(gettext("已对 %(n)s 条记录执行「%(action)s」。", n=len(eligible), action=tr(t.label)),
              "success")
        return redirect(return_url)
