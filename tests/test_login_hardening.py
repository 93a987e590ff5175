"""Login hardening (Flask test client): no username enumeration (answer,
message, lock and timing), a lock that anonymous wrong passwords cannot use
to keep a user out of their own browser, every refusal audited, and no
session without a valid login time."""
import re
import statistics
import time
import uuid

import pytest

from conftest import PASSWORD, csrf_token, login, user

LOCKED = "已被锁定"


def ghost():
    """A username that is no account (fresh each time: counts are per name)."""
    return f"ghost-{uuid.uuid4().hex[:10]}"


def page_without_variables(response, username):
    """The answer with what differs by request taken out: the CSRF token, the
    CSP nonce, and the username echoed in the form."""
    body = response.get_data(as_text=True).replace(f'value="{username}"', 'value="USERNAME"')
    body = re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', body)
    return re.sub(r'nonce="[^"]+"', 'nonce=""', body)


def attempt(app, username, password="wrong-password", client=None):
    client = client or app.test_client()
    return login(client, username, password)


def login_events(username, action="login_failed"):
    from portal.audit import AuditEvent
    return list(AuditEvent.select().where(AuditEvent.action == action,
                                          AuditEvent.record_no == username))


# The same answer ---------------------------------------------------------------------------

def test_unknown_user_and_wrong_password_get_the_same_page(app):
    unknown, wrong = attempt(app, "nosuchuser"), attempt(app, "sales")
    assert unknown.status_code == wrong.status_code == 401
    assert page_without_variables(unknown, "nosuchuser") == page_without_variables(wrong, "sales")
    assert "用户名或密码错误" in unknown.get_data(as_text=True)


def test_an_inactive_user_gets_the_same_page_even_with_the_right_password(app, db_ctx):
    from portal.accounts import User
    User.update(active=False).where(User.username == "hr").execute()
    inactive, unknown = attempt(app, "hr", PASSWORD), attempt(app, "nosuchuser")
    assert inactive.status_code == unknown.status_code == 401
    assert page_without_variables(inactive, "hr") == page_without_variables(unknown, "nosuchuser")


def test_unknown_users_lock_like_real_ones(app):
    """Five failures lock a name whether or not it is an account, with the
    same page: 「已被锁定」 tells nothing about existence."""
    name = ghost()
    pages = {}
    for username in (name, "sales2"):
        client = app.test_client()
        answers = [attempt(app, username, client=client) for _ in range(6)]
        assert [r.status_code for r in answers] == [401] * 6
        assert [LOCKED in r.get_data(as_text=True) for r in answers] == [False] * 4 + [True] * 2
        pages[username] = [page_without_variables(r, username) for r in answers]
    assert pages[name] == pages["sales2"]


# The same time ------------------------------------------------------------------------------

def test_unknown_user_and_wrong_password_take_the_same_time(app, db_ctx, monkeypatch):
    """With the production password method (scrypt, not the tests' fast
    pbkdf2): an unknown name must cost a hash check too."""
    from portal.accounts import User
    from werkzeug.security import generate_password_hash
    monkeypatch.setitem(app.config, "PASSWORD_METHOD", "scrypt")
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 10_000)    # timing, not locking
    User.update(password_hash=generate_password_hash(PASSWORD, method="scrypt")).where(
        User.username == "sales").execute()
    client = app.test_client()
    token = csrf_token(client)

    def timed(username):
        start = time.perf_counter()
        r = client.post("/login", data={"username": username, "password": "wrong-password",
                                        "csrf_token": token})
        assert r.status_code == 401
        return time.perf_counter() - start
    timed(ghost()), timed("sales")              # warm up (the dummy hash is made once)
    unknown, wrong = [], []
    for _ in range(12):                         # interleaved: load changes hit both alike
        unknown.append(timed(ghost()))
        wrong.append(timed("sales"))
    assert login(client, "sales").status_code == 302       # (leaves no failures counted)
    a, b = statistics.median(unknown), statistics.median(wrong)
    assert abs(a - b) <= 0.25 * max(a, b) + 0.005, (f"unknown {a * 1000:.1f} ms",
                                                     f"wrong password {b * 1000:.1f} ms")


# A lock that cannot keep the user out ------------------------------------------------------------

def test_anonymous_failures_do_not_lock_the_admin_out_of_a_known_browser(app):
    admins_browser = app.test_client()
    assert login(admins_browser, "admin").status_code == 302        # a known client from now on
    assert admins_browser.get_cookie("portal_known_client", path="/login") is not None
    assert admins_browser.post("/logout", data={"csrf_token": csrf_token(admins_browser)}
                               ).status_code == 302
    attacker = app.test_client()
    for _ in range(8):
        r = attempt(app, "admin", client=attacker)
    assert LOCKED in r.get_data(as_text=True)
    # locked for strangers, the right password included...
    assert attempt(app, "admin", PASSWORD, client=attacker).status_code == 401
    assert attempt(app, "admin", PASSWORD).status_code == 401
    # ...but not for the administrator's own browser
    r = login(admins_browser, "admin")
    assert r.status_code == 302
    assert admins_browser.get("/").status_code == 200
    # and the lock still holds for the attacker
    assert LOCKED in attempt(app, "admin", PASSWORD, client=attacker).get_data(as_text=True)


def test_a_known_browser_that_keeps_failing_is_a_stranger_again(app):
    browser = app.test_client()
    assert login(browser, "clerk").status_code == 302
    browser.post("/logout", data={"csrf_token": csrf_token(browser)})
    answers = [attempt(app, "clerk", client=browser) for _ in range(5)]
    assert not any(LOCKED in r.get_data(as_text=True) for r in answers)   # its own count
    # five more from it count against the account, like anyone's
    answers = [attempt(app, "clerk", client=browser) for _ in range(5)]
    assert LOCKED in answers[-1].get_data(as_text=True)
    assert login(browser, "clerk").status_code == 401


def test_a_forged_or_foreign_known_client_cookie_does_not_pass_the_lock(app):
    browser = app.test_client()
    assert login(browser, "sales").status_code == 302
    value = browser.get_cookie("portal_known_client", path="/login").value
    for _ in range(5):
        attempt(app, "clerk")                                # clerk locked for strangers
    other = app.test_client()
    other.set_cookie("portal_known_client", value, path="/login")      # sales's browser
    assert LOCKED in attempt(app, "clerk", PASSWORD, client=other).get_data(as_text=True)
    other.set_cookie("portal_known_client", value[:-2] + "xx", path="/login")
    assert LOCKED in attempt(app, "clerk", PASSWORD, client=other).get_data(as_text=True)


def test_the_lock_ends_and_the_admin_can_lift_it(app, portal, db_ctx):
    from datetime import timedelta
    from portal import clock
    start = clock.now()
    clock.set(start)
    for _ in range(5):
        attempt(app, "quality")
    assert attempt(app, "quality", PASSWORD).status_code == 401
    clock.set(start + timedelta(minutes=16))
    assert attempt(app, "quality", PASSWORD).status_code == 302
    clock.set(start)
    for _ in range(5):
        attempt(app, "service")
    admin = portal("admin")
    rowid = user("service").id
    admin.post("/user_account/action/", data={"action": "unlock", "rowid": rowid})
    assert attempt(app, "service", PASSWORD).status_code == 302


# Every refusal is audited ----------------------------------------------------------------------

def test_every_refusal_is_audited(app, db_ctx):
    from portal.accounts import User
    name = ghost()
    attempt(app, "sales")                                   # wrong password
    attempt(app, name)                                      # no such user
    User.update(active=False).where(User.username == "hr").execute()
    attempt(app, "hr", PASSWORD)                            # inactive
    for _ in range(5):
        attempt(app, "sales2")
    attempt(app, "sales2", PASSWORD)                        # locked
    assert [e.comment for e in login_events("sales")] == ["密码错误"]
    assert [e.comment for e in login_events(name)] == ["用户名不存在"]
    assert [e.comment for e in login_events("hr")] == ["账号已停用"]
    assert [e.comment for e in login_events("sales2")][-1] == "账号已锁定，未核对密码"
    assert len(login_events("sales2", "lock")) == 1
    assert all(e.ip for e in login_events("sales2"))


def test_a_login_over_the_address_limit_is_refused_and_audited(app, monkeypatch, db_ctx):
    monkeypatch.setitem(app.config, "RATE_LIMITS", True)
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "3 per minute")
    address = f"192.0.2.{uuid.uuid4().int % 250 + 1}"
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    answers = [attempt(app, ghost(), client=client) for _ in range(3)]
    assert [r.status_code for r in answers] == [401] * 3
    name = ghost()
    r = attempt(app, name, client=client)
    assert r.status_code == 429
    seconds = int(r.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert f"请求过于频繁，请 {seconds} 秒后再试。" in r.get_data(as_text=True)
    from portal.audit import AuditEvent
    events = list(AuditEvent.select().where(AuditEvent.action == "rate_limited",
                                            AuditEvent.ip == address))
    assert [e.record_no for e in events] == [name]


# No session without a login time ------------------------------------------------------------------

def resigned(app, cookie, change):
    """The session cookie `cookie` decoded, changed, and signed again with the key."""
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(cookie)
    change(data)
    return serializer.dumps(data)


@pytest.mark.parametrize("change", [
    lambda data: data.pop("login_at"),
    lambda data: data.update(login_at="yesterday"),
    lambda data: data.update(login_at=None),
    lambda data: data.update(login_at=float("inf")),
    lambda data: (data.pop("login_at"), data.pop("seen_at")),
], ids=["missing", "text", "null", "infinite", "missing-both"])
def test_a_session_without_a_valid_login_time_is_no_session(app, portal, change):
    p = portal("sales")
    assert p.get("/customer/").status_code == 200
    cookie = p.client.get_cookie("session").value
    forged = app.test_client()
    forged.set_cookie("session", resigned(app, cookie, change))
    r = forged.get("/customer/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    forged.set_cookie("session", resigned(app, cookie, change))
    r = forged.get("/api/v1/me")
    assert r.status_code == 401
    # the same cookie with its login time untouched still works
    intact = app.test_client()
    intact.set_cookie("session", resigned(app, cookie, lambda data: None))
    assert intact.get("/customer/").status_code == 200
