"""The JSON API, generated from the same register metadata and permissions
as the HTML portal.

Clients authenticate with `Authorization: Bearer <token>` or the session
cookie plus an X-CSRFToken header for writes. Register names are the
snake_case model names; fields are model field names; foreign keys are ids;
choices are codes. A row the caller may not read is 404 on every path.
"""
from datetime import date, datetime
from decimal import Decimal

from flask import Blueprint, g, jsonify, request
from flask_login import current_user
from peewee import (BooleanField, CharField, DateField, DateTimeField, DecimalField,
                    FloatField, ForeignKeyField, IntegerField, IntegrityError, TextField)

import permissions

from . import registry, services
from .accounts import User
from .clock import now
from .db import BaseModel
from .formdata import bind
from .i18n import gettext
from .security import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def json_error(status, message, errors=None):
    body = {"error": message, "status": status}
    if errors:
        body["errors"] = errors
    return jsonify(body), status


class BadRequest(Exception):
    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors


@bp.errorhandler(BadRequest)
def _bad_request(err):
    return json_error(400, err.message, err.errors)


@bp.before_request
def _authenticate():
    if not current_user.is_authenticated:
        return json_error(401, gettext("需要登录或有效的 API 令牌。"))
    if request.method not in ("GET", "HEAD", "OPTIONS") and g.get("api_token") is None:
        csrf.protect()     # session-cookie clients send X-CSRFToken
    if g.get("api_token") is not None:
        note_token_use(g.api_token)
    return None


TOKEN_USE_EVERY = 300       # seconds: a token's last use is kept to within five minutes


def note_token_use(token):
    """Record when a token was last used, at most every few minutes and as a
    statement of its own: a read never waits for, or fails on, a write lock
    (a busy database skips the note; the next call records it)."""
    from datetime import timedelta
    from .accounts import ApiToken
    from .clock import now
    from .db import is_busy, short_lock_wait
    moment = now()
    if token.last_used_at is not None and moment - token.last_used_at < timedelta(seconds=TOKEN_USE_EVERY):
        return
    try:
        with short_lock_wait():
            (ApiToken.update(last_used_at=moment)
             .where(ApiToken.id == token.id,
                    ApiToken.last_used_at.is_null()
                    | (ApiToken.last_used_at < moment - timedelta(seconds=TOKEN_USE_EVERY))).execute())
    except Exception as err:      # noqa: BLE001 -- only a busy database is let go
        if not is_busy(err):
            raise


def json_body():
    """The request's JSON (None if there is none). A string holding a lone
    surrogate (JSON "\ud800") is not text: 400 before anything reads it."""
    payload = request.get_json(silent=True)
    if _has_lone_surrogate(payload):
        raise BadRequest(services.bad_chars_message())
    return payload


def _has_lone_surrogate(value):
    if isinstance(value, str):
        return services.BAD_SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


# Serialization ----------------------------------------------------------------

def plain(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


# Fields never shown through the API, so never filtered or sorted on either
# (a filter on a hidden column would reveal its values).
HIDDEN_FIELDS = ("deleted_by",)


def serialize(spec, row) -> dict:
    out = {"id": row.id}
    for field in spec.model._meta.sorted_fields:
        if field.name == "id" or field.name in HIDDEN_FIELDS:
            continue
        if isinstance(field, ForeignKeyField):
            out[field.name] = row.__data__.get(field.name)
        else:
            out[field.name] = plain(getattr(row, field.name))
    return out


# Lookup helpers -----------------------------------------------------------------

def spec_or_404(name):
    spec = registry.get(name)
    if spec is None:
        raise permissions.NotFound()
    return spec


def view_for(spec):
    from admin_views import VIEWS
    return VIEWS[spec.name]


def coerce_param(field, raw):
    """A query-string value typed like `field`, or BadRequest."""
    try:
        if isinstance(field, ForeignKeyField) or isinstance(field, IntegerField):
            value = int(raw)
            if not -2 ** 63 < value < 2 ** 63:
                raise ValueError
            return value
        if isinstance(field, BooleanField):
            if raw.lower() in ("1", "true", "yes", "y"):
                return True
            if raw.lower() in ("0", "false", "no", "n"):
                return False
            raise ValueError
        if isinstance(field, DateTimeField):
            return datetime.fromisoformat(raw)
        if isinstance(field, DateField):
            return date.fromisoformat(raw)
        if isinstance(field, (DecimalField, FloatField)):
            return Decimal(raw)
        if field.choices and raw not in {c for c, _ in field.choices}:
            raise ValueError
        if "\x00" in raw:
            raise ValueError
        return raw
    except (ValueError, ArithmeticError):
        raise BadRequest(gettext("参数 %(name)s 的值无效。", name=field.name),
                         {field.name: gettext("值无效：%(value)s", value=raw[:50])})


def list_query(spec, args, verb="view"):
    """Scope, search (`q`), field filters and sort (`sort=[-]field`)."""
    from admin_views import listing
    model = spec.model
    archived = args.get("archived") == "1" and permissions.can(current_user, "restore", model)
    query = (permissions.rows(current_user, "restore", model, deleted=True) if archived
             else permissions.rows(current_user, verb, model))
    if args.get("q"):
        query = listing.search(query, spec, args["q"])
    for key in args:
        if key in ("q", "page", "per_page", "sort", "archived"):
            continue
        field = spec.fields.get(key) if key not in HIDDEN_FIELDS else None
        if field is None or isinstance(field, TextField):
            raise BadRequest(gettext("不支持按 %(name)s 筛选。", name=key[:40]))
        values = [coerce_param(field, v) for v in args.getlist(key)]
        query = query.where(field.in_(values) if len(values) > 1 else field == values[0])
    sort = args.get("sort", "")
    desc = sort.startswith("-")
    name = sort.lstrip("-") or None
    if name is not None and (name not in spec.fields or name in HIDDEN_FIELDS):
        raise BadRequest(gettext("无效的排序字段：%(name)s", name=name[:40]))
    return query, [(name, desc)] if name else [spec.default_sort]


def paging(args, max_per_page):
    try:
        page = int(args.get("page", 1))
        per_page = int(args.get("per_page", 20))
    except ValueError:
        raise BadRequest(gettext("page 和 per_page 必须是整数。"))
    if page < 1 or page > 10 ** 7:
        raise BadRequest(gettext("page 超出范围。"))
    if per_page < 1 or per_page > max_per_page:
        raise BadRequest(gettext("per_page 必须在 1 到 %(n)s 之间。", n=max_per_page))
    return page, per_page


# Routes ----------------------------------------------------------------------------

@bp.get("/me")
def me():
    emp = current_user.employee
    return jsonify({
        "id": current_user.id, "username": current_user.username,
        "employee_id": emp.id if emp else None, "employee_name": emp.name if emp else None,
        "department_id": emp.dept_id if emp else None,
        "department": emp.dept.name if emp else None,
        "roles": sorted(current_user.role_keys), "locale": current_user.locale,
    })


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI description of this API, generated from the register metadata."""
    from .openapi import document
    return jsonify(document())


@bp.get("/registers")
def registers():
    out = []
    for spec in registry.all_specs():
        verbs = permissions.allowed_verbs(current_user, spec.model)
        if "view" in verbs:
            out.append(spec.describe(verbs))
    return jsonify({"registers": out})


@bp.get("/<name>")
def list_records(name):
    from flask import current_app
    from admin_views import listing
    spec = spec_or_404(name)
    permissions.require(current_user, "view", spec.model)
    query, sort = list_query(spec, request.args)
    page, per_page = paging(request.args, current_app.config["API_MAX_PER_PAGE"])
    offset = (page - 1) * per_page
    rows = list(listing.order(query, spec, sort, {}).limit(per_page).offset(offset))
    total, estimated = listing.count_with_page(query, offset, len(rows), per_page)
    from .confidential import note_reads
    note_reads(current_user, spec, rows, how="api")
    body = {"items": [serialize(spec, r) for r in rows], "total": total,
            "page": page, "per_page": per_page}
    if estimated:
        body["total_estimated"] = True      # at least `total` rows; not counted further
    return jsonify(body)


@bp.get("/<name>/export.<fmt>")
def export_records(name, fmt):
    from admin_views import export as exporter
    from admin_views import listing
    spec = spec_or_404(name)
    permissions.require(current_user, "export", spec.model)
    if fmt not in ("xlsx", "csv"):
        raise BadRequest(exporter.unsupported_message(fmt))
    args = request.args.copy()
    for key in ("page", "per_page"):
        args.pop(key, None)
    query, sort = list_query(spec, args)
    titled = listing.titled_sorted(query, spec, exporter.export_columns(spec), sort)
    description = request.query_string.decode("utf-8", "replace")[:500]
    return exporter.respond(current_user, spec, query, titled, fmt, description)


@bp.get("/import-batches")
def import_batches():
    """Import batches: the caller's own, everyone's for readers of the audit log."""
    from flask import current_app
    from .importer import ImportBatch, visible_batches
    page, per_page = paging(request.args, current_app.config["API_MAX_PER_PAGE"])
    query = visible_batches(current_user)
    register = request.args.get("register")
    if register:
        query = query.where(ImportBatch.register == register[:60])
    total = query.count()
    rows = query.order_by(ImportBatch.id.desc()).limit(per_page).offset((page - 1) * per_page)
    return jsonify({"items": [b.describe() for b in rows], "total": total, "page": page,
                    "per_page": per_page})


@bp.get("/<name>/import-template.xlsx")
def import_template(name):
    from .importer import template_workbook, template_name
    spec = spec_or_404(name)
    permissions.require(current_user, "create", spec.model)
    return _xlsx(template_workbook(current_user, spec), f"{spec.name}-import.xlsx",
                 template_name(spec))


def _xlsx(data, ascii_name, name):
    from urllib.parse import quote
    from flask import Response
    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}")
    return response


@bp.post("/<name>/import")
def import_records(name):
    """multipart `file` (xlsx or CSV); `dry_run=1` reports without writing.
    A real import writes every row or none: 201, or 400 with the errors."""
    from . import importer
    spec = spec_or_404(name)
    permissions.require(current_user, "create", spec.model)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest(gettext("请上传文件（字段名 file）。"))
    dry = (request.values.get("dry_run") or "").lower() in ("1", "true", "yes")
    try:
        token = importer.store(upload, current_user, spec)
    except importer.FileError as err:
        raise BadRequest(err.message)
    path, file_name = importer.stored(token, current_user, spec)
    try:
        run = importer.dry_run if dry else importer.import_file
        outcome = run(current_user, spec, path, file_name)
    finally:
        importer.discard(token)
    body = dict(outcome.as_json(), dry_run=dry)
    if outcome.file_error:
        body.update(error=outcome.file_error, status=400)
        return jsonify(body), 400
    if dry:
        return jsonify(body), 200
    if not outcome.ok:
        body.update(error=gettext("导入未执行：有 %(n)s 处错误，未写入任何记录。", n=outcome.error_count),
                    status=400)
        return jsonify(body), 400
    return jsonify(body), 201


@bp.get("/<name>/<int:pk>")
def get_record(name, pk):
    spec = spec_or_404(name)
    permissions.require(current_user, "view", spec.model)
    row = permissions.row(current_user, "view", spec.model, pk)
    from .confidential import note_reads
    note_reads(current_user, spec, [row], how="api")
    return jsonify(serialize(spec, row))


class IdempotencyKey(BaseModel):
    """A create request's Idempotency-Key: the same request sent again (a
    retry after a timeout) answers with the record it made, never a second
    one. Kept a day (portal sweep)."""
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    key = CharField(max_length=100)
    register = CharField(max_length=60)
    digest = CharField(max_length=64)
    record_id = IntegerField()
    created_at = DateTimeField(default=now)

    class Meta:
        table_name = "idempotency_key"
        indexes = ((("user", "key"), True),)


KEY_LIFETIME_HOURS = 24


def _idempotency_key():
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 100 or services.BAD_CHARS.search(key):
        raise BadRequest(gettext("Idempotency-Key 须为 1–100 个字符。"))
    return key


def _replayed(spec, key, digest):
    """The record an earlier request with this key made, or None."""
    found = IdempotencyKey.get_or_none(IdempotencyKey.user == current_user.id,
                                       IdempotencyKey.key == key)
    if found is None:
        return None
    if found.register != spec.name or found.digest != digest:
        raise services.Conflict(gettext("此 Idempotency-Key 已用于另一个请求，请换用新的键。"))
    response = jsonify(serialize(spec, permissions.row(current_user, "view", spec.model,
                                                       found.record_id)))
    response.headers["Idempotent-Replayed"] = "true"
    return response, 201


@bp.post("/<name>")
def create_record(name):
    spec = spec_or_404(name)
    permissions.require(current_user, "create", spec.model)
    payload = json_body()
    key = _idempotency_key()
    if key is not None:
        import hashlib
        import json
        digest = hashlib.sha256(json.dumps([spec.name, payload], sort_keys=True, ensure_ascii=False,
                                           default=str).encode("utf-8")).hexdigest()
        replayed = _replayed(spec, key, digest)
        if replayed is not None:
            return replayed
    view = view_for(spec)
    defaults = services.defaults_for(current_user, spec)
    form, _ = bind(view._create_form_class, spec, payload, base_data=defaults)
    values = {n: form[n].data for n in spec.editable_fields() if n in form}

    def remember(row):
        # the key is written with the record, in its transaction: both or neither
        IdempotencyKey.create(user=current_user.id, key=key, register=spec.name, digest=digest,
                              record_id=row.id)
    try:
        row = services.create(current_user, spec.model, values,
                              on_saved=remember if key is not None else None)
    except IntegrityError:
        # the same key arrived twice at once: the other request made the record
        replayed = _replayed(spec, key, digest) if key is not None else None
        if replayed is None:
            raise
        return replayed
    body = serialize(spec, row)
    similar = services.similar_records(current_user, spec, row)
    if similar:
        body["warnings"] = {"similar": [no for no, _ in similar],
                            "message": services.similar_message(similar)}
    return jsonify(body), 201


@bp.route("/<name>/<int:pk>", methods=["PATCH"])
def update_record(name, pk):
    spec = spec_or_404(name)
    permissions.require(current_user, "edit", spec.model)
    row = permissions.row(current_user, "edit", spec.model, pk)
    payload = json_body()
    if not isinstance(payload, dict) or "version" not in payload:
        raise BadRequest(gettext("请在请求中提供当前版本号 version（乐观锁）。"),
                         {"version": gettext("必填。")})
    view = view_for(spec)
    form, provided = bind(view._edit_form_class, spec, payload, base_obj=row,
                          extra_allowed=("version",))
    values = {n: form[n].data for n in provided}
    services.update(current_user, row, values, payload.get("version"))
    return jsonify(serialize(spec, permissions.row(current_user, "view", spec.model, pk)))


@bp.route("/<name>/<int:pk>", methods=["DELETE"])
def delete_record(name, pk):
    spec = spec_or_404(name)
    permissions.require(current_user, "delete", spec.model)
    row = permissions.row(current_user, "delete", spec.model, pk)
    services.soft_delete(current_user, row)
    return "", 204


@bp.post("/<name>/<int:pk>/restore")
def restore_record(name, pk):
    spec = spec_or_404(name)
    permissions.require(current_user, "restore", spec.model)
    row = permissions.row(current_user, "restore", spec.model, pk, deleted=True)
    services.restore(current_user, row)
    return jsonify(serialize(spec, permissions.row(current_user, "restore", spec.model, pk)))


@bp.get("/<name>/<int:pk>/<document>.xlsx")
def download_document(name, pk, document):
    from admin_views.base import document_response
    spec = spec_or_404(name)
    permissions.require(current_user, "view", spec.model)
    return document_response(spec, permissions.row(current_user, "view", spec.model, pk), document)


@bp.post("/<name>/<int:pk>/<action>")
def run_action(name, pk, action):
    """A workflow transition, or an action every record has (govern, sign)."""
    from .workflows import actions as record_actions
    spec = spec_or_404(name)
    workflow = spec.workflow
    if record_actions.get(spec, action) is None and (
            workflow is None or workflow.transition(action) is None):
        raise permissions.NotFound()
    permissions.require(current_user, "view", spec.model)
    row = permissions.row(current_user, "view", spec.model, pk)
    payload = json_body() or {}
    if not isinstance(payload, dict):
        raise BadRequest(gettext("请求体必须是 JSON 对象。"))
    result = record_actions.run(current_user, spec, row, action, payload)
    out_spec = registry.spec_for(type(result)) or spec
    return jsonify(serialize(out_spec, result))
