"""Language: Simplified Chinese by default; Traditional Chinese and English
selectable per user. Our own labels are written in Simplified Chinese in the
code and translated through the catalogues in portal/translations/."""
from flask import current_app, g, has_app_context, request, session
from flask_babel import Babel, get_translations, lazy_gettext, ngettext  # noqa: F401
from flask_babel import gettext as babel_gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user

from .config import LOCALES

LOCALE_NAMES = {"zh_Hans_CN": "简体中文", "zh_Hant_TW": "繁體中文", "en": "English"}

babel = Babel()


def select_locale() -> str:
    try:
        if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
            return current_user.locale
    except Exception:  # outside a request or before login is set up
        pass
    if request and session.get("locale") in LOCALES:
        return session["locale"]
    return current_app.config.get("DEFAULT_LOCALE", "zh_Hans_CN")


def tr(text) -> str:
    """Translate a label written in Simplified Chinese into the user's language."""
    if text is None:
        return ""
    text = str(text)
    return _gettext()(text) if text else text


def gettext(string, **variables) -> str:
    """Flask-Babel's gettext (the translation, formatted with `variables`)
    through the request's cached catalogue."""
    text = _gettext()(string)
    return text % variables if variables else text


def _gettext():
    """The request's gettext, found once per request and language: Flask-Babel
    looks the language and its catalogue up again on every call, and a list
    page translates a few hundred labels. A language forced for a while
    (force_locale) is another locale object, so it gets its own."""
    babel_ctx = g.get("_flask_babel") if has_app_context() else None
    locale = getattr(babel_ctx, "babel_locale", None)
    if locale is None:
        return babel_gettext
    found = getattr(babel_ctx, "portal_gettext", None)
    if found is None or found[0] is not locale:
        found = babel_ctx.portal_gettext = (locale, get_translations().ugettext)
    return found[1]


def lazy(text):
    """A label translated when it is shown, through tr() (the request's
    gettext, found once per request)."""
    return LazyString(tr, text)


def init_app(app):
    import os
    here = os.path.dirname(__file__)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=os.path.join(here, "translations"))
    app.jinja_env.globals.update(tr=tr, LOCALE_NAMES=LOCALE_NAMES)
