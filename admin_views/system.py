"""System pages: user accounts, the permission matrix grid, the audit log.

They are guarded by the same matrix as the registers (pseudo-registers
`user_account`, `permission`, `audit_event`)."""
from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.actions import action
from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee import filters as pf
from flask_login import current_user
from wtforms import PasswordField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Optional, Regexp

import permissions
from permissions import Permission, roles as role_defs
from portal import audit, importer, registry
from portal.accounts import ApiToken, Role, User, UserRole, hash_password, set_roles
from portal.clock import now
from portal.db import write_transaction
from portal.i18n import gettext, lazy, tr

from .forms import RegisterForm
from .filters import plain_text
from .search import contains
from .search import terms as search_terms


def record_id(value):
    """A record id from a request, or 404 (not a number, or out of range)."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        abort(404)
    if not 0 < pk < 2 ** 63:
        abort(404)
    return pk


def action_ids(ids):
    """The ids of a list action, or 400."""
    try:
        pks = [int(i) for i in ids][:1000]
    except (TypeError, ValueError):
        abort(400)
    return [pk for pk in pks if 0 < pk < 2 ** 63]


class GuardedMixin:
    """Endpoint -> verb on a pseudo-register of the matrix."""
    register_name = None
    endpoint_verbs = {"create_view": "create", "edit_view": "edit", "export": "export",
                      "action_view": "edit", "save": "edit", "delete_view": "delete",
                      "ajax_update": "edit"}

    def is_accessible(self):
        return current_user.is_authenticated

    def is_visible(self):
        return current_user.is_authenticated and permissions.can(current_user, "view",
                                                                 self.register_name)

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    def _handle_view(self, name, **kwargs):
        if not current_user.is_authenticated:
            return self.inaccessible_callback(name)
        permissions.require(current_user, self.endpoint_verbs.get(name, "view"), self.register_name)
        return None


class TextEqual(pf.FilterEqual):
    def validate(self, value):
        return plain_text(value, 200)


class CheckboxMulti(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserView(GuardedMixin, ModelView):
    register_name = "user_account"
    form_base_class = RegisterForm
    can_delete = False          # accounts are deactivated, never deleted
    can_view_details = True
    column_list = ("username", "employee_name", "role_names", "active", "locked_until",
                   "last_login_at")
    column_searchable_list = ("username",)
    column_filters = ("active",)
    column_labels = {"username": lazy("用户名"), "employee_name": lazy("员工"),
                     "role_names": lazy("角色"), "active": lazy("启用"),
                     "locked_until": lazy("锁定至"), "last_login_at": lazy("最近登录"),
                     "created_at": lazy("创建时间"), "locale": lazy("界面语言")}
    column_details_list = ("username", "employee_name", "role_names", "active", "locked_until",
                           "last_login_at", "created_at", "locale")
    form_columns = ("username", "active")
    form_extra_fields = {
        "new_password": PasswordField(lazy("新密码"), validators=[Optional(), Length(min=8, max=128)]),
        "roles": CheckboxMulti(lazy("角色"), choices=[]),
    }
    form_args = {"username": {"label": lazy("用户名"),
                              "validators": [DataRequired(), Length(max=60),
                                             Regexp(r"^[A-Za-z0-9_.-]+$",
                                                    message=lazy("只能包含字母、数字、下划线、点和短横线"))]},
                 "active": {"label": lazy("启用")}}
    column_formatters = {
        "employee_name": lambda v, c, m, n: str(m.employee.name) if m.employee else "",
        "role_names": lambda v, c, m, n: "、".join(tr(role_defs.ROLE_NAMES.get(k, k))
                                                  for k in sorted(m.role_keys)),
    }

    def __init__(self):
        super().__init__(User, name=lazy("用户账号"), category=lazy("系统管理"),
                         endpoint="user_account", url="/user_account")

    @property
    def can_create(self):
        return permissions.can(current_user, "create", "user_account")

    @property
    def can_edit(self):
        return permissions.can(current_user, "edit", "user_account")

    def _role_choices(self):
        return [(r.key, tr(r.name)) for r in Role.select().order_by(Role.id)]

    def create_form(self, obj=None):
        form = super().create_form(obj)
        form.roles.choices = self._role_choices()
        form.new_password.validators = [DataRequired(), Length(min=8, max=128)]
        return form

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        form.roles.choices = self._role_choices()
        if request.method == "GET" and obj is not None:
            form.roles.data = sorted(obj.role_keys)
        return form

    def get_one(self, id):
        user = User.select().where(User.id == record_id(id)).first()
        if user is None:
            abort(404)
        return user

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        page = max(0, min(int(page or 0), 10 ** 6))
        search = " ".join(search_terms(search))
        return super().get_list(page, sort_column, sort_desc, search, filters, execute, page_size)

    def _save(self, form, user, created):
        before = {"username": user.username, "active": user.active,
                  "roles": sorted(user.role_keys) if user.id else []}
        if User.select().where(User.username == form.username.data,
                               User.id != (user.id or 0)).exists():
            form.username.errors = [gettext("用户名已存在。")]
            return False
        with write_transaction():
            user.username = form.username.data
            was_active = bool(user.active) if not created else True
            user.active = bool(form.active.data)
            if form.new_password.data:
                user.password_hash = hash_password(form.new_password.data)
                user.rotate_session()
            if created:
                user.rotate_session()
            if was_active and not user.active:
                user.rotate_session()
                ApiToken.update(revoked_at=now()).where(ApiToken.user == user.id,
                                                         ApiToken.revoked_at.is_null()).execute()
            user.save()
            set_roles(user, form.roles.data or [])
            after = {"username": user.username, "active": user.active,
                     "roles": sorted(form.roles.data or [])}
            changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
            if form.new_password.data:
                changes["password"] = ["***", "***"]
            audit.record(current_user, "create" if created else "edit", "user_account",
                         record_id=user.id, record_no=user.username, changes=changes)
        return user

    def create_model(self, form):
        return self._save(form, User(password_hash=""), True)

    def update_model(self, form, model):
        return bool(self._save(form, model, False))

    @action("unlock", lazy("解除锁定"), None)
    def action_unlock(self, ids):
        with write_transaction():
            for user in User.select().where(User.id.in_(action_ids(ids))):
                User.update(locked_until=None, failed_logins=0).where(User.id == user.id).execute()
                audit.record(current_user, "unlock", "user_account", record_id=user.id,
                             record_no=user.username)
        flash(gettext("已解除锁定。"), "success")

    @action("revoke_tokens", lazy("吊销 API 令牌"), None)
    def action_revoke(self, ids):
        with write_transaction():
            for user in User.select().where(User.id.in_(action_ids(ids))):
                ApiToken.update(revoked_at=now()).where(ApiToken.user == user.id,
                                                         ApiToken.revoked_at.is_null()).execute()
                audit.record(current_user, "revoke_tokens", "user_account", record_id=user.id,
                             record_no=user.username)
        flash(gettext("已吊销所选用户的 API 令牌。"), "success")


def withheld(view, context, event, name):
    """An audit event's values and comment, if the reader may read its
    record now; otherwise a note that they are withheld."""
    from flask import g
    readable = g.get("_audit_readable")
    if readable is None or not audit.shows_values(readable, event):
        return gettext("（内容涉及您无权查看的记录，不予显示）")
    return getattr(event, name) or ""


class AuditLogView(GuardedMixin, ModelView):
    """Read-only: audit events cannot be edited or deleted through the portal
    (nor in the database: portal/audit.py). The list says whether their hash
    chain holds."""
    register_name = "audit_event"
    list_template = "system/audit_list.html"
    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    page_size = 50
    column_default_sort = ("id", True)
    column_list = ("at", "actor_name", "ip", "register", "record_no", "action", "grant", "comment")
    column_details_list = ("at", "actor_name", "ip", "register", "record_id", "record_no", "action",
                           "changes", "grant", "comment")
    column_labels = {"at": lazy("时间"), "actor_name": lazy("操作人"), "ip": lazy("IP"),
                     "register": lazy("登记簿"), "record_id": lazy("记录ID"),
                     "record_no": lazy("记录编号"), "action": lazy("操作"),
                     "changes": lazy("变更内容"), "grant": lazy("访问依据"), "comment": lazy("说明")}
    column_formatters = column_formatters_export = {"changes": withheld, "comment": withheld}

    @property
    def can_export(self):
        return permissions.can(current_user, "export", "audit_event")

    column_filters = (
        TextEqual(audit.AuditEvent.register, lazy("登记簿")),
        TextEqual(audit.AuditEvent.action, lazy("操作")),
        TextEqual(audit.AuditEvent.actor_name, lazy("操作人")),
        pf.DateTimeBetweenFilter(audit.AuditEvent.at, lazy("时间")),
    )

    def __init__(self):
        super().__init__(audit.AuditEvent, name=lazy("审计日志"), category=lazy("系统管理"),
                         endpoint="audit_event", url="/audit_event")

    def _note_readable(self, events):
        from flask import g
        g._audit_readable = audit.readable_records(current_user, events)
        return events

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        query = audit.AuditEvent.select()
        if search:
            # the record number only: a comment of a record one may not read is not searchable
            for term in search_terms(search)[:5]:
                query = query.where(contains(audit.AuditEvent.record_no, term))
        for idx, _name, value in filters or ():
            flt = self._filters[idx]
            query = flt.apply(query, flt.clean(value))
        count, rows = newest_first_page(query, page, page_size or self.page_size, execute)
        if execute:
            self._note_readable(rows)
        return count, rows

    def get_one(self, id):
        event = audit.AuditEvent.select().where(audit.AuditEvent.id == record_id(id)).first()
        if event is None:
            abort(404)
        self._note_readable([event])
        return event

    def render(self, template, **kwargs):
        if template == self.list_template:
            kwargs["audit_chain"] = chain_line()
        return super().render(template, **kwargs)

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        abort(404)


def chain_line():
    """The audit log's line on its hash chain: verified from the last
    checkpoint on (audit.chain_status), so a page costs the events written
    since, not the whole table."""
    verdict, checkpoint = audit.chain_status()
    note = ""
    if checkpoint is not None:
        note = gettext("#%(id)s 及之前的事件已于 %(at)s 校验，其后逐条校验；全链重验：portal audit verify",
                       id=checkpoint.event_id, at=checkpoint.verified_at.strftime("%Y-%m-%d %H:%M"))
    kind = "danger" if not verdict.ok else "success" if verdict.complete else "warning"
    return {"kind": kind, "text": verdict.describe(), "note": note}


def newest_first_page(query, page, page_size, execute=True):
    """(count, rows) of one page of a log-like list, newest first; a page
    number out of range is clamped (never a database error)."""
    page = max(0, min(int(page or 0), 10 ** 6))
    count = query.count()
    query = query.order_by(query.model.id.desc()).limit(page_size).offset(page * page_size)
    return count, list(query) if execute else query


class ImportBatchView(GuardedMixin, ModelView):
    """Read-only list of import batches (portal/importer.py): a user sees the
    batches they ran; readers of the audit log see everyone's."""
    register_name = "import_batch"
    can_create = False
    can_edit = False
    can_delete = False
    can_export = False
    can_view_details = False
    page_size = 50
    column_sortable_list = ()
    column_list = ("id", "at", "actor_name", "register", "file_name", "rows", "created", "updated",
                   "errors", "status", "message")
    column_labels = {"id": lazy("批次"), "at": lazy("时间"), "actor_name": lazy("操作人"),
                     "register": lazy("登记簿"), "file_name": lazy("文件名"), "rows": lazy("行数"),
                     "created": lazy("新建"), "updated": lazy("更新"), "errors": lazy("错误数"),
                     "status": lazy("状态"), "message": lazy("说明")}
    column_formatters = {
        "id": lambda v, c, m, n: m.number,
        "register": lambda v, c, m, n: tr(registry.get(m.register).label) if registry.get(m.register)
        else m.register,
        "status": lambda v, c, m, n: tr(importer.STATUS_LABELS.get(m.status, m.status)),
    }

    def __init__(self):
        super().__init__(importer.ImportBatch, name=lazy("导入批次"), category=lazy("系统管理"),
                         endpoint="import_batch", url="/import_batch")

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        return newest_first_page(importer.visible_batches(current_user), page,
                                 page_size or self.page_size, execute)

    def get_one(self, id):
        abort(404)

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        abort(404)


class PermissionMatrixView(GuardedMixin, BaseView):
    """The role x register x verb grid, edited by the administrator; changes
    apply on the next request."""
    register_name = "permission"

    def __init__(self):
        super().__init__(name=lazy("权限矩阵"), category=lazy("系统管理"), endpoint="permission_matrix",
                         url="/permission_matrix")

    def _targets(self, group):
        specs = [s for s in registry.all_specs() if s.group == group]
        if group == "system":
            specs += role_defs.system_specs()
        return specs

    @expose("/", methods=("GET",))
    def index(self):
        group = request.args.get("group", "customers")
        if group not in registry.GROUP_LABELS:
            abort(404)
        roles = list(Role.select().order_by(Role.id))
        targets = self._targets(group)
        granted = {(p.role_id, p.register, p.verb) for p in
                   Permission.select().where(Permission.register.in_([t.name for t in targets]))}
        rows = []
        for target in targets:
            label = target.label
            for verb in target.verbs():
                rows.append({"register": target.name, "label": label, "verb": verb,
                             "verb_label": permissions._verb_label(getattr(target, "model", target.name), verb)
                             if verb not in registry.VERB_LABELS else registry.VERB_LABELS[verb]})
        return self.render("system/matrix.html", roles=roles, rows=rows, granted=granted,
                           group=group, groups=registry.GROUPS,
                           can_edit=permissions.can(current_user, "edit", "permission"))

    @expose("/", methods=("POST",))
    def save(self):
        group = request.form.get("group", "")
        if group not in registry.GROUP_LABELS:
            abort(400)
        targets = {t.name: t for t in self._targets(group)}
        roles = {r.id: r for r in Role.select()}
        wanted = set()
        for key in request.form.getlist("perm"):
            try:
                role_id, register, verb = key.split("|", 2)
                role_id = int(role_id)
            except ValueError:
                abort(400)
            target = targets.get(register)
            if role_id not in roles or target is None or verb not in target.verbs():
                abort(400)
            wanted.add((role_id, register, verb))
        with write_transaction():
            current = {(p.role_id, p.register, p.verb): p for p in
                       Permission.select().where(Permission.register.in_(list(targets)))}
            added = wanted - set(current)
            removed = set(current) - wanted
            for role_id, register, verb in added:
                Permission.create(role=role_id, register=register, verb=verb)
            for key in removed:
                current[key].delete_instance()
            if added or removed:
                changes = {f"{roles[r].key}|{reg}|{v}": [False, True] for r, reg, v in added}
                changes.update({f"{roles[r].key}|{reg}|{v}": [True, False] for r, reg, v in removed})
                audit.record(current_user, "edit", "permission", record_no=group, changes=changes)
        flash(gettext("权限已保存，下一次请求起生效。"), "success")
        return redirect(url_for(".index", group=group))
