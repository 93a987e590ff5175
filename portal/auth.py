"""Login, logout, password change, language choice; API bearer tokens.

- An unknown user, an inactive one and a wrong password get the same answer
  in the same time (a dummy hash is checked when there is no usable hash),
  and lock the same way: nothing tells whether an account exists.
- 5 failures within 15 minutes lock the account for 15 minutes against every
  client that has not signed in to it before. A browser where the user signed
  in gets a signed "known client" cookie (90 days) and keeps its own count of
  5 failures per 15 minutes instead: anonymous wrong passwords cannot keep the
  user out of their own browser. Every refusal is audited.
- POST /login is also limited per client address (portal/limits.py).
- Sessions hold the user's rotating session token, so logout, a password
  change or deactivation ends every open session; there is no remember-me.
- Idle and absolute session limits (a session without a valid login time has
  ended); `next=` accepts local paths only.
"""
import logging
import math
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, g, redirect,
                   render_template, request, session, url_for)
from flask_login import (LoginManager, current_user, login_required,
                         login_user, logout_user)
from itsdangerous import BadData, URLSafeTimedSerializer

from . import audit, clock
from .accounts import ApiToken, User, check_dummy_password
from .db import write_transaction
from .i18n import LOCALES, gettext
from .services import BAD_CHARS

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
log = logging.getLogger("portal")


def safe_next(target, default="/"):
    """Only a local path: no scheme, no host, no '//' or backslash tricks."""
    if not target or not isinstance(target, str):
        return default
    target = target.strip()
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default


# The user's query is the same on every request but for one value: it is
# compiled once per kind of database and field (a few milliseconds of query building
# saved on every page), with a stand-in where that value goes.
_ACTOR_QUERIES = {}
_STAND_IN = {"id": -7_310_000_000_000, "session_token": "\x00stand-in\x00"}


def _actor_query(field):
    """(query, SQL, parameters, index of the value) for `field == value`."""
    from peewee import JOIN, fn
    from models import Department, Employee
    from permissions import Permission
    from .accounts import Role, UserRole
    from .db import db, is_postgres
    from .notify import Notification
    key = (type(db.obj), field.name)        # the SQL depends on the dialect only
    if key not in _ACTOR_QUERIES:
        def joined(expr):
            return fn.string_agg(expr, ",") if is_postgres() else fn.group_concat(expr, ",")

        def text(column):
            return fn.COALESCE(column.cast("text"), "")
        roles = (Role.select(joined(Role.key)).join(UserRole)
                 .where(UserRole.user == User.id))
        grants = (Permission.select(joined(Permission.register.concat(":").concat(Permission.verb)))
                  .join(Role).join(UserRole, on=(UserRole.role == Role.id))
                  .where(UserRole.user == User.id))
        unread = (Notification.select(fn.COUNT(Notification.id))
                  .where(Notification.recipient == User.id, Notification.read_at.is_null()))
        tree = Department.select(joined(text(Department.id).concat(":").concat(text(Department.parent))
                                        .concat(":").concat(text(Department.head))))
        query = (User.select(User, Employee, roles.alias("role_list"), grants.alias("grant_list"),
                             unread.alias("unread_count"), tree.alias("department_tree"))
                 .join(Employee, JOIN.LEFT_OUTER, on=(Employee.user == User.id), attr="person")
                 .where(field == _STAND_IN[field.name]).limit(1))
        sql, params = query.sql()
        _ACTOR_QUERIES[key] = (query, sql, params, params.index(_STAND_IN[field.name]))
    return _ACTOR_QUERIES[key]


def load_actor(field, value):
    """The user whose `field` is `value`, with what every request asks about
    them, read in one query: their roles, their employee record, the
    (register, verb) pairs their roles are granted, how many of their
    notifications are unread (the count the page header shows, as the
    request began) and the department tree their row rules start from."""
    from .db import db
    query, sql, params, at = _actor_query(field)
    params = list(params)
    params[at] = field.db_value(value)
    user = next(iter(query._get_cursor_wrapper(db.execute_sql(sql, params))), None)
    if user is None:
        return None
    person = getattr(user, "person", None)
    user.__dict__["_employee"] = person if person is not None and person.id else None
    user.__dict__["_role_keys"] = frozenset(filter(None, (user.role_list or "").split(",")))
    user.__dict__["_unread"] = int(user.unread_count or 0)
    user.__dict__["_department_tree"] = [
        tuple(int(v) if v else None for v in item.split(":"))
        for item in (user.department_tree or "").split(",") if item]
    if user.active:
        g.setdefault("_perm_cache", {})[user.id] = _grant_set(user.grant_list or "")
    return user


_GRANT_SETS = {}


def _grant_set(text):
    """The (register, verb) pairs of "register:verb,..." -- the same set
    object for the same text (roles share grant lists), so that its hash,
    part of the menu's key, is computed once."""
    found = _GRANT_SETS.get(text)
    if found is None:
        if len(_GRANT_SETS) > 256:
            _GRANT_SETS.clear()
        found = _GRANT_SETS[text] = frozenset(
            tuple(item.split(":", 1)) for item in text.split(",") if item)
    return found


@login_manager.user_loader
def load_user(token):
    user = load_actor(User.session_token, token)
    if user is None or not user.active:
        return None
    return user


@login_manager.request_loader
def load_from_bearer(req):
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    row = ApiToken.lookup(header[7:].strip())
    if row is None:
        return None
    user = load_actor(User.id, row.user_id)
    if user is None or not user.active:
        return None
    g.api_token = row
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        from .api import json_error
        return json_error(401, gettext("需要登录或有效的 API 令牌。"))
    return redirect(url_for("auth.login", next=request.full_path if request.query_string
                            else request.path))


# The last request's time is written to the session cookie at most this
# often (seconds), not on every request (a new signed cookie each time); the
# idle limit is minutes, so it is kept to within this much.
SEEN_EVERY = 30


def _moment(value):
    """A usable timestamp (seconds since the epoch), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) and value > 0 else None


def check_session_age():
    """Idle and absolute session limits (checked on every request). A session
    without a valid login time has ended: a cookie re-signed without one
    must not escape the absolute limit."""
    if not current_user.is_authenticated or g.get("api_token") is not None:
        return None
    now = clock.now().timestamp()
    started = _moment(session.get("login_at"))
    seen = _moment(session.get("seen_at", started))
    cfg = current_app.config
    if (started is None or seen is None
            or now - seen > cfg["SESSION_IDLE_MINUTES"] * 60
            or now - started > cfg["SESSION_ABSOLUTE_HOURS"] * 3600):
        logout_user()
        session.clear()
        flash(gettext("会话已超时，请重新登录。"), "warning")
        if request.path.startswith("/api/"):
            from .api import json_error
            return json_error(401, gettext("会话已超时，请重新登录。"))
        return redirect(url_for("auth.login", next=request.path))
    if "seen_at" not in session or now - seen >= SEEN_EVERY:
        session["seen_at"] = now
    return None


# Failure counts live in the rate-limit store (shared by every worker):
# per typed username (known or not, the same way) and per known client.
FAILURES = "login/failures/"        # + username
NAME_LOCK = "login/locked/"         # + username that is no account
CLIENT_FAILURES = "login/client/"   # + known client's id
KNOWN_CLIENT_COOKIE = "portal_known_client"


def _store():
    from .limits import current_limiter
    return current_limiter().limiter.storage    # the in-memory fallback while the store is down


def _count(operation, key, *args, default=0):
    """A store operation; a failing store counts nothing rather than refusing
    every login (the accounts' own locks are in the database)."""
    try:
        return getattr(_store(), operation)(key, *args)
    except Exception:                   # noqa: BLE001
        log.exception("login failure store unavailable (%s %s)", operation, key)
        return default


def _window():
    return current_app.config["LOGIN_LOCK_MINUTES"] * 60


def _client_serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="portal.known-client")


def known_client(user):
    """This browser's id as a client `user` signed in from before (the signed
    cookie), or None."""
    raw = request.cookies.get(KNOWN_CLIENT_COOKIE)
    if not raw or user is None:
        return None
    try:
        data = _client_serializer().loads(
            raw, max_age=current_app.config["KNOWN_DEVICE_DAYS"] * 86400)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("u") != user.id or not isinstance(data.get("n"), str):
        return None
    return data["n"]


def remember_client(response, user, client=None):
    """Mark this browser as a known client of `user` (only /login reads it)."""
    days = current_app.config["KNOWN_DEVICE_DAYS"]
    value = _client_serializer().dumps({"u": user.id, "n": client or secrets.token_urlsafe(18)})
    response.set_cookie(KNOWN_CLIENT_COOKIE, value, max_age=days * 86400, path=url_for("auth.login"),
                        httponly=True, samesite="Lax",
                        secure=current_app.session_interface.get_cookie_secure(current_app))


def _lock_message(seconds):
    minutes = max(1, math.ceil(seconds / 60))
    return gettext("该账号因多次密码错误已被锁定，请 %(minutes)s 分钟后再试。", minutes=minutes)


def _refused(user, username, reason):
    audit.record(None, "login_failed", "user_account", record_id=user.id if user else None,
                 record_no=username[:60], comment=reason)


def _locked_for(user, username, now):
    """Seconds the account stays locked for clients it does not know, or 0.
    The store is read for every username, account or not, so that both take
    the same path."""
    name_lock = _count("get", NAME_LOCK + username)
    if user is None:
        return max(0.0, _count("get_expiry", NAME_LOCK + username, default=0) - time.time()) \
            if name_lock else 0
    if user.locked_until and user.locked_until > now:
        return (user.locked_until - now).total_seconds()
    return 0


def _failed(user, username, client, now, reason):
    """Count a failure; the lock message if it locked the account, else None."""
    cfg = current_app.config
    if client is not None:          # a known client's failures are its own
        _count("incr", CLIENT_FAILURES + client, _window())
        _refused(user, username, reason)
        return None
    failures = _count("incr", FAILURES + username, _window())
    if failures < cfg["LOGIN_MAX_FAILURES"]:
        _refused(user, username, reason)
        return None
    _count("clear", FAILURES + username, default=None)
    comment = gettext("连续 %(n)s 次密码错误，锁定账号", n=cfg["LOGIN_MAX_FAILURES"])
    with write_transaction():
        if user is not None:
            (User.update(locked_until=now + timedelta(seconds=_window()), failed_logins=0)
             .where(User.id == user.id).execute())
        else:                       # no account: the same lock, kept in the store
            _count("incr", NAME_LOCK + username, _window())
        audit.record(None, "lock", "user_account", record_id=user.id if user else None,
                     record_no=username[:60], comment=comment)
        _refused(user, username, reason)
    return _lock_message(_window())


def attempt_login(username, password):
    """Returns (user, None) or (None, message). The same message, and the same
    work, whether the username is an account, an inactive one or nothing."""
    generic = gettext("用户名或密码错误。")
    if not username or BAD_CHARS.search(username):
        return None, generic            # (PostgreSQL refuses NUL in a query)
    user = User.select().where(User.username == username).first()
    now = clock.now()
    client = known_client(user)
    if client is not None and _count("get", CLIENT_FAILURES + client) >= \
            current_app.config["LOGIN_MAX_FAILURES"]:
        client = None                   # a known client that keeps failing is a stranger again
    locked = _locked_for(user, username, now)
    if client is None and locked:
        _refused(user, username, gettext("账号已锁定，未核对密码"))
        return None, _lock_message(locked)
    if user is not None and user.active:
        if user.check_password(password):
            if client is not None:
                _count("clear", CLIENT_FAILURES + client, default=None)
            changes = {User.last_login_at: now, User.failed_logins: 0}
            if not locked:
                _count("clear", FAILURES + username, default=None)
                changes[User.locked_until] = None
            User.update(changes).where(User.id == user.id).execute()
            user.last_login_at = now
            return user, None
        reason = gettext("密码错误")
    else:
        check_dummy_password(password)
        reason = gettext("账号已停用") if user is not None else gettext("用户名不存在")
    return None, _failed(user, username, client, now, reason) or generic


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    error = None
    username = ""
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()[:60]
        password = request.form.get("password") or ""
        user, error = attempt_login(username, password)
        if user is not None:
            chosen = session.get("locale")      # picked on the login page
            session.clear()
            login_user(user, remember=False)
            if chosen in LOCALES and chosen != user.locale:
                user.locale = chosen            # the latest choice sticks, as after login
                User.update(locale=chosen).where(User.id == user.id).execute()
            session["login_at"] = session["seen_at"] = clock.now().timestamp()
            audit.record(user, "login", "user_account", record_id=user.id, record_no=user.username)
            response = redirect(next_url)
            remember_client(response, user, known_client(user))
            return response
    return render_template("auth/login.html", error=error, username=username, next=next_url), \
        (401 if error else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = User.get_by_id(current_user.id)
    user.rotate_session()
    user.save()
    audit.record(current_user, "logout", "user_account", record_id=user.id, record_no=user.username)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    error = None
    if request.method == "POST":
        old = request.form.get("old_password") or ""
        new = request.form.get("new_password") or ""
        again = request.form.get("new_password2") or ""
        user = User.get_by_id(current_user.id)
        if not user.check_password(old):
            error = gettext("原密码不正确。")
        elif len(new) < 8:
            error = gettext("新密码至少 8 个字符。")
        elif new != again:
            error = gettext("两次输入的新密码不一致。")
        else:
            user.set_password(new)
            user.rotate_session()        # other sessions end
            user.save()
            audit.record(user, "password", "user_account", record_id=user.id, record_no=user.username)
            login_user(user)            # this session continues with the new token
            flash(gettext("密码已修改。"), "success")
            return redirect(url_for("admin.index"))
    return render_template("auth/password.html", error=error), (400 if error else 200)


@bp.route("/locale", methods=["POST"])
def set_locale():
    code = request.form.get("locale")
    if code not in LOCALES:
        abort(400)
    session["locale"] = code
    if current_user.is_authenticated:
        User.update(locale=code).where(User.id == current_user.id).execute()
    return redirect(safe_next(request.form.get("next"), url_for("admin.index")))


def init_app(app):
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
    app.before_request(check_session_age)
