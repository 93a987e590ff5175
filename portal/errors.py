"""Errors a user can cause get a page (or JSON) in their language; only bugs
produce a 500, and a 500 never shows database or stack details."""
import logging

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from peewee import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

import permissions

from .i18n import gettext
from .services import Conflict, InputError

log = logging.getLogger("portal")


def wants_json():
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def _titles():
    return {
        400: gettext("请求无效"), 401: gettext("需要登录"), 403: gettext("无权访问"),
        404: gettext("未找到"), 405: gettext("不允许的请求方法"), 409: gettext("操作冲突"),
        413: gettext("文件过大"), 500: gettext("系统错误"),
    }


def respond(code, message, errors=None):
    if wants_json():
        body = {"error": message, "status": code}
        if errors:
            body["errors"] = errors
        from flask import jsonify
        return jsonify(body), code
    return render_template("errors/error.html", code=code, title=_titles().get(code, str(code)),
                           message=message), code


def _too_large():
    from flask import current_app
    from .importer import size_message
    return size_message(current_app.config["IMPORT_MAX_BYTES"])


def caused_by_input(err):
    """Driver errors only bad input causes, wherever it slipped through:
    PostgreSQL refuses NUL in a string, SQLite integers end at 2**63."""
    text = str(err)
    return ((isinstance(err, ValueError) and "NUL (0x00)" in text)
            or (isinstance(err, OverflowError) and "SQLite INTEGER" in text))


def _form_again(message):
    """A register's create or edit form posted with an expired or missing
    CSRF token comes back filled with what was typed (nothing is saved)."""
    from flask_login import current_user
    register, _, endpoint = (request.endpoint or "").rpartition(".")
    if request.method != "POST" or endpoint not in ("create_view", "edit_view") or wants_json() \
            or not current_user.is_authenticated:
        return None
    from admin_views import VIEWS
    view = VIEWS.get(register)
    if view is None:
        return None
    permissions.require(current_user, "create" if endpoint == "create_view" else "edit", view.model)
    return view.form_again(message)


def init_app(app):
    @app.errorhandler(permissions.Forbidden)
    def forbidden(err):
        return respond(403, err.message)

    @app.errorhandler(permissions.NotFound)
    def not_found(err):
        return respond(404, gettext("记录不存在，或您无权查看。"))

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        again = _form_again(gettext("页面已过期或请求来源无效（CSRF 校验失败），未保存。"
                                    "您填写的内容已保留，请核对后再次提交。"))
        if again is not None:
            return again, 400
        return respond(400, gettext("页面已过期或请求来源无效（CSRF 校验失败），请刷新页面后重试。"))

    @app.errorhandler(InputError)
    def input_error(err):
        message = err.errors.get("__all__") or gettext("输入有误，未保存任何内容。")
        return respond(400, message, errors=err.errors)

    @app.errorhandler(Conflict)
    def conflict(err):
        return respond(409, err.message, errors=getattr(err, "errors", None))

    @app.errorhandler(IntegrityError)
    def integrity(err):
        log.warning("integrity error on %s: %s", request.path, err)
        return respond(409, gettext("数据与已有记录冲突（如编号重复或仍被引用），未保存。"))

    @app.errorhandler(DataError)
    def data_error(err):
        log.warning("data error on %s: %s", request.path, err)
        return respond(400, gettext("输入的数据格式或大小超出允许范围，未保存。"))

    @app.errorhandler(HTTPException)
    def http_error(err):
        messages = {
            400: gettext("请求参数无效。"),
            403: gettext("您没有权限执行此操作。"),
            404: gettext("页面或记录不存在，或您无权查看。"),
            405: gettext("不允许的请求方法。"),
            413: _too_large(),
        }
        return respond(err.code or 500, messages.get(err.code, err.description or ""))

    @app.errorhandler(Exception)
    def unexpected(err):
        from .db import RETRY_AFTER_SECONDS, is_busy
        if is_busy(err):
            # another transaction holds the lock (a long write, a burst): try again
            log.warning("database busy on %s: %s", request.path, err)
            response, code = respond(503, gettext("系统繁忙，数据库暂时无法完成您的请求，未保存任何内容。请稍后重试。"))
            response = app.make_response((response, code))
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        if caused_by_input(err):
            log.warning("input refused by the database driver on %s: %s", request.path, err)
            return respond(400, gettext("请求中含有不允许的字符（如 NUL）或超出范围的数值，未处理。"))
        log.exception("unhandled error on %s", request.path)
        return respond(500, gettext("系统内部错误，已记录。请稍后重试或联系管理员。"))
