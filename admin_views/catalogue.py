"""The archive catalogue (档案目录): every archive record's number, title,
level, custodian and customer name, for everyone on the staff — never the
content. From here a user opens what they may read, or asks to borrow it."""
from flask import abort, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from peewee import JOIN

import permissions
from portal import registry
from portal.i18n import lazy

from .search import apply as search_terms

PAGE = 30


def archive_specs():
    return [s for s in registry.all_specs() if s.archive]


class ArchiveCatalogueView(BaseView):
    register_name = "archive_catalogue"

    def __init__(self):
        super().__init__(name=lazy("档案目录"), category=lazy("档案管理"),
                         endpoint="archive_catalogue", url="/archive_catalogue")

    def is_accessible(self):
        return current_user.is_authenticated

    def is_visible(self):
        return current_user.is_authenticated and permissions.can(current_user, "view", self.register_name)

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    def _handle_view(self, name, **kwargs):
        if not current_user.is_authenticated:
            return self.inaccessible_callback(name)
        permissions.require(current_user, "view", self.register_name)
        return None

    @expose("/")
    def index(self):
        specs = archive_specs()
        if not specs:
            abort(404)
        name = request.args.get("register") or specs[0].name
        spec = next((s for s in specs if s.name == name), None)
        if spec is None:
            abort(404)
        try:
            page = max(0, min(int(request.args.get("page", 0)), 100_000))
        except ValueError:
            page = 0
        Model = spec.model
        from models import Customer, Employee
        custodian = Employee.alias("custodian_emp")
        title = getattr(Model, spec.title_field)
        columns = [Model.id, Model.record_no, title.alias("catalogue_title"), Model.confidentiality,
                   custodian.name.alias("custodian_name")]
        query = (Model.select(*columns)
                 .join_from(Model, custodian, JOIN.LEFT_OUTER, on=(Model.custodian == custodian.id))
                 .where(Model.deleted_at.is_null()))
        if "customer" in spec.fields and spec.fields["customer"].rel_model is Customer:
            customer = Customer.alias("catalogue_customer")
            query = (query.select_extend(customer.name.alias("customer_name"))
                     .join_from(Model, customer, JOIN.LEFT_OUTER, on=(Model.customer == customer.id)))
        search = request.args.get("search", "")
        if search:
            query = search_terms(query, [Model.record_no, title], search)
        total = query.count()
        rows = list(query.order_by(Model.id.desc()).offset(page * PAGE).limit(PAGE).objects())
        ids = [r.id for r in rows]
        readable = set()
        if ids and permissions.can(current_user, "view", Model):
            readable = {r.id for r in permissions.rows(current_user, "view", Model, fields=(Model.id,))
                        .where(Model.id.in_(ids))}
        requested = {}
        if ids and current_user.employee_id:
            from models import BorrowRequest
            for req in (BorrowRequest.select(BorrowRequest.record, BorrowRequest.state)
                        .where(BorrowRequest.register == spec.name, BorrowRequest.record.in_(ids),
                               BorrowRequest.borrower == current_user.employee_id,
                               BorrowRequest.state.in_(["pending", "approved", "lent"]),
                               BorrowRequest.deleted_at.is_null())):
                requested[req.record] = req.state
        return self.render("portal/catalogue.html", specs=specs, spec=spec, rows=rows,
                           readable=readable, requested=requested, total=total, page=page,
                           pages=(total + PAGE - 1) // PAGE, search=search,
                           can_borrow=permissions.can(current_user, "create", "borrow_request"),
                           level_label=dict(spec.fields["confidentiality"].choices))
