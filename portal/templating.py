"""Template helpers shared by every page."""
from flask_babel import get_locale
from flask_login import current_user

from .i18n import tr

ACTION_LABELS = {
    "create": "新建", "edit": "修改", "delete": "删除", "restore": "恢复", "read": "查阅",
    "export": "导出", "print": "打印", "login": "登录", "logout": "退出", "lock": "锁定",
    "import": "导入", "login_failed": "登录失败", "rate_limited": "请求受限",
    "govern": "调整归属/密级", "sign": "负责人签名", "ratify": "认可", "dispose": "销毁",
    "hand_over": "交接移交", "hand_over_undone": "交接退回",
}


def current_user_roles():
    from permissions.roles import ROLE_NAMES
    if not current_user.is_authenticated:
        return ""
    return "、".join(tr(ROLE_NAMES.get(k, k)) for k in sorted(current_user.role_keys))


def html_lang():
    locale = str(get_locale() or "zh_Hans_CN")
    return {"zh_Hans_CN": "zh-CN", "zh_Hant_TW": "zh-TW"}.get(locale, "en")


def unread_notifications():
    """Unread notifications of the user: read with the user (auth.load_actor)."""
    if not current_user.is_authenticated:
        return 0
    unread = current_user.__dict__.get("_unread")
    if unread is None:
        from .notify import unread_count
        unread = current_user.__dict__["_unread"] = unread_count(current_user)
    return unread


# The main menu's HTML, by what decides it: the user's grants (every menu
# entry's visibility is a "view" grant), the language, the page's view (which
# entry is active) and the script root of the URLs. About 110 entries, each
# with its own permission check, otherwise rendered on every page.
_MENUS = {}
_MENUS_MAX = 512


def _menu_key(admin_view):
    from flask import request

    from permissions import _grants
    return (_grants(current_user), str(get_locale()), admin_view.endpoint, request.script_root)


def cached_menu(admin_view):
    return _MENUS.get(_menu_key(admin_view))


def keep_menu(admin_view, html):
    if len(_MENUS) >= _MENUS_MAX:
        _MENUS.clear()
    _MENUS[_menu_key(admin_view)] = html
    return html


# URLs of Flask-Admin's static files (some twenty on every page), by the
# admin's endpoint, the script root and the url_for arguments.
_STATIC_URLS = {}


def admin_static_url(admin_endpoint, **kwargs):
    from flask import request, url_for
    key = (admin_endpoint, request.script_root, tuple(sorted(kwargs.items())))
    url = _STATIC_URLS.get(key)
    if url is None:
        url = _STATIC_URLS[key] = url_for(f"{admin_endpoint}.static", **kwargs)
    return url


# The user's drop-down at the right of the menu bar, by what decides it: the
# user, their unread count, roles, the language and the script root. The form
# token and the page's own URL (where the language forms return) are put in
# on every page.
_USER_MENUS = {}
_TOKEN, _NEXT = "\x00token\x00", "\x00next\x00"


def _locale_forms(form_class, button_class, token, next_url):
    """One small form per language, posting the choice with the form token
    and the page to return to (the user's drop-down and the login page)."""
    from flask import url_for
    from markupsafe import escape

    from .i18n import LOCALE_NAMES
    action = escape(url_for("auth.set_locale"))
    return "".join(
        f'<form method="post" action="{action}" class="{escape(form_class)}">'
        f'<input type="hidden" name="csrf_token" value="{token}">'
        f'<input type="hidden" name="locale" value="{escape(code)}">'
        f'<input type="hidden" name="next" value="{next_url}">'
        f'<button type="submit" class="{escape(button_class)} locale-{escape(code)}">'
        f'{escape(label)}</button></form>'
        for code, label in LOCALE_NAMES.items())


def locale_forms(form_class="", button_class="btn btn-link btn-sm"):
    from flask import request
    from flask_wtf.csrf import generate_csrf
    from markupsafe import Markup, escape
    return Markup(_locale_forms(form_class, button_class, escape(generate_csrf()),
                                escape(request.full_path)))


def user_menu():
    from flask import request, url_for
    from flask_wtf.csrf import generate_csrf
    from markupsafe import Markup, escape
    if not current_user.is_authenticated:
        return ""
    unread = unread_notifications()
    key = (current_user.id, str(current_user), unread, current_user.role_keys, str(get_locale()),
           request.script_root)
    html = _USER_MENUS.get(key)
    if html is None:
        badge = f'<span class="badge badge-danger">{unread}</span>' if unread else ""
        forms = _locale_forms("px-3", "btn btn-link btn-sm p-0", _TOKEN, _NEXT)
        html = (
            '<ul class="nav navbar-nav navbar-right"><li class="nav-item dropdown">'
            '<a class="nav-link dropdown-toggle" data-toggle="dropdown" href="#" id="user-menu">'
            f'{escape(str(current_user))} {badge}</a>'
            '<div class="dropdown-menu dropdown-menu-right">'
            f'<span class="dropdown-item-text small text-muted">{escape(current_user_roles())}</span>'
            f'<a class="dropdown-item" href="{escape(url_for("notifications.index"))}" id="inbox-link">'
            f'{escape(tr("我的通知"))} {badge}</a>'
            f'<a class="dropdown-item" href="{escape(url_for("auth.change_password"))}">'
            f'{escape(tr("修改密码"))}</a>'
            f'<div class="dropdown-divider"></div>{forms}<div class="dropdown-divider"></div>'
            f'<form method="post" action="{escape(url_for("auth.logout"))}" class="px-3">'
            f'<input type="hidden" name="csrf_token" value="{_TOKEN}">'
            f'<button type="submit" class="btn btn-link btn-sm p-0" id="logout">'
            f'{escape(tr("退出登录"))}</button></form></div></li></ul>')
        if len(_USER_MENUS) >= _MENUS_MAX:
            _USER_MENUS.clear()
        _USER_MENUS[key] = html
    return Markup(html.replace(_TOKEN, escape(generate_csrf()))
                  .replace(_NEXT, escape(request.full_path)))


def action_label(action):
    return ACTION_LABELS.get(action, action)


def init_app(app):
    app.jinja_env.globals.update(current_user_roles=current_user_roles, html_lang=html_lang,
                                 action_label=action_label, unread_notifications=unread_notifications,
                                 cached_menu=cached_menu, keep_menu=keep_menu,
                                 admin_static_url=admin_static_url, user_menu=user_menu,
                                 locale_forms=locale_forms)
