"""Login, lockout, inactive users, sessions, anonymous access, CSRF."""
from datetime import timedelta

import pytest

from conftest import PASSWORD, csrf_token, login, user

DEMO_USERNAMES = "admin clerk sales sales2 regional salesmgr marketing gm hr quality service reception".split()


def test_every_demo_user_logs_in_with_the_demo_password(app):
    for name in DEMO_USERNAMES:
        client = app.test_client()
        r = login(client, name)
        assert r.status_code == 302, name
        assert client.get("/").status_code == 200


def test_sales_and_sales2_are_two_reps_of_the_same_department(db_ctx):
    a, b = user("sales"), user("sales2")
    assert a.role_keys == b.role_keys == {"salesperson"}
    assert a.employee.dept_id == b.employee.dept_id


def test_wrong_password_is_refused_with_a_chinese_message(app):
    r = login(app.test_client(), "sales", "wrong")
    assert r.status_code == 401
    assert "用户名或密码错误" in r.get_data(as_text=True)


def test_five_failures_lock_the_account_for_fifteen_minutes(app, db_ctx):
    from portal import clock
    start = clock.now()
    clock.set(start)
    client = app.test_client()
    for _ in range(5):
        login(client, "sales2", "wrong")
    r = login(client, "sales2", PASSWORD)            # right password, still refused
    assert r.status_code == 401
    assert "锁定" in r.get_data(as_text=True)
    assert login(app.test_client(), "sales", PASSWORD).status_code == 302   # per account
    clock.set(start + timedelta(minutes=14))
    assert login(client, "sales2", PASSWORD).status_code == 401
    clock.set(start + timedelta(minutes=16))
    assert login(client, "sales2", PASSWORD).status_code == 302


def test_inactive_user_cannot_log_in(app, db_ctx):
    from portal.accounts import User
    User.update(active=False).where(User.username == "hr").execute()
    r = login(app.test_client(), "hr")
    assert r.status_code == 401
    body = r.get_data(as_text=True)
    # the same answer as a wrong password: nothing tells which accounts exist
    assert "用户名或密码错误" in body and "停用" not in body


def test_deactivated_user_loses_open_sessions_at_next_request(app, portal, db_ctx):
    from portal.accounts import deactivate
    hr = portal("hr")
    assert hr.get("/employee/").status_code == 200
    deactivate(user("hr"))
    r = hr.get("/employee/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_logout_needs_post_and_ends_the_session(app, portal):
    p = portal("sales")
    assert p.get("/logout").status_code == 405
    cookie = p.client.get_cookie("session").value
    assert p.post("/logout").status_code == 302
    assert p.get("/customer/").status_code == 302
    # the old session cookie is dead too: logout rotated the session token
    other = app.test_client()
    other.set_cookie("session", cookie)
    r = other.get("/customer/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_password_change_ends_other_sessions(app, portal):
    first, second = portal("sales"), portal("sales")
    r = first.post("/password", data={"old_password": PASSWORD, "new_password": "new-secret-1",
                                      "new_password2": "new-secret-1"})
    assert r.status_code == 302
    assert first.get("/customer/").status_code == 200
    assert second.get("/customer/").status_code == 302
    assert login(app.test_client(), "sales", "new-secret-1").status_code == 302


def test_passwords_are_hashed_never_stored(db_ctx):
    u = user("sales")
    assert PASSWORD not in u.password_hash
    assert u.check_password(PASSWORD)


@pytest.mark.parametrize("url", ["/", "/customer/", "/customer/details/?id=1", "/customer/new/",
                                 "/customer/export/csv/", "/permission_matrix/"])
def test_anonymous_html_requests_go_to_login(app, url):
    r = app.test_client().get(url)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login")


@pytest.mark.parametrize("method,url", [("get", "/api/v1/me"), ("get", "/api/v1/customer"),
                                        ("get", "/api/v1/customer/1"), ("post", "/api/v1/customer"),
                                        ("delete", "/api/v1/customer/1")])
def test_anonymous_api_requests_get_401(app, method, url):
    r = getattr(app.test_client(), method)(url)
    assert r.status_code == 401
    assert r.get_json()["error"]


def test_static_files_need_no_login(app):
    assert app.test_client().get("/static/css/portal.css").status_code == 200


@pytest.mark.parametrize("target", ["http://evil.example/", "//evil.example/x", "https:evil",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_next_accepts_local_paths_only(app, target):
    client = app.test_client()
    token = csrf_token(client)
    r = client.post("/login", data={"username": "sales", "password": PASSWORD,
                                    "csrf_token": token, "next": target})
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def test_next_local_path_is_followed(app):
    client = app.test_client()
    token = csrf_token(client)
    r = client.post("/login", data={"username": "sales", "password": PASSWORD,
                                    "csrf_token": token, "next": "/customer/?grade=A"})
    assert r.headers["Location"] == "/customer/?grade=A"


def test_login_without_csrf_token_is_rejected(app):
    r = app.test_client().post("/login", data={"username": "sales", "password": PASSWORD})
    assert r.status_code == 400
    assert "CSRF" in r.get_data(as_text=True)


def test_create_without_csrf_token_is_rejected_and_saves_nothing(portal, db_ctx):
    from models import Region
    p = portal("admin")
    before = Region.select().count()
    r = p.client.post("/region/new/", data={"name": "东北区"})
    assert r.status_code == 400
    assert Region.select().count() == before
    r = p.post("/region/new/", data={"name": "东北区"})
    assert r.status_code == 302
    assert Region.select().count() == before + 1


def test_logout_without_csrf_token_is_rejected(portal):
    p = portal("sales")
    assert p.client.post("/logout").status_code == 400
    assert p.get("/customer/").status_code == 200


def test_api_session_writes_need_the_csrf_header(portal):
    p = portal("sales")
    r = p.client.post("/api/v1/customer_visit_record", json={"findings": "x"})
    assert r.status_code == 400 and "CSRF" in r.get_json()["error"]
    r = p.client.post("/api/v1/customer_visit_record", json={"findings": "x"},
                      headers={"X-CSRFToken": p.token})
    assert r.status_code in (201, 400) and "CSRF" not in (r.get_json().get("error") or "")


def test_no_remember_me_cookie_is_issued(app):
    client = app.test_client()
    login(client, "sales")
    assert client.get_cookie("remember_token") is None


def test_session_cookie_is_httponly_and_lax(app):
    client = app.test_client()
    r = login(client, "sales")
    cookie = [h for h in r.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_idle_session_expires(app, portal):
    from portal import clock
    p = portal("sales")
    start = clock.now()
    clock.set(start + timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))
    r = p.get("/customer/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_activity_is_written_to_the_cookie_every_30_seconds_and_keeps_the_session(app, portal):
    """A request soon after the last one sends no new session cookie; one
    30 s or more later does, and a user who comes back just within the idle
    limit, again and again, stays logged in."""
    from portal import clock
    p = portal("sales")
    start = clock.now()
    clock.set(start)

    def cookie_sent(moment):
        clock.set(moment)
        r = p.get("/customer/")
        assert r.status_code == 200
        return any(h.startswith("session=") for h in r.headers.getlist("Set-Cookie"))
    cookie_sent(start)                  # (the first page also keeps a new CSRF token)
    assert not cookie_sent(start + timedelta(seconds=5))
    assert cookie_sent(start + timedelta(seconds=31))
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"]) - timedelta(seconds=40)
    moment = start + timedelta(seconds=31)
    for _ in range(3):                  # three idle limits in all, never idle that long
        moment += idle
        assert cookie_sent(moment)


def test_api_token_works_and_revoked_token_does_not(api, db_ctx):
    from portal.accounts import ApiToken
    client = api("sales")
    assert client.get("/api/v1/me").get_json()["username"] == "sales"
    ApiToken.update(revoked_at=ApiToken.created_at).execute()
    assert client.get("/api/v1/me").status_code == 401


def test_me_reports_employee_department_and_roles(api):
    data = api("regional").get("/api/v1/me").get_json()
    assert data["roles"] == ["regional_manager", "sales_supervisor"]
    assert data["department"] == "销售一部"
    assert data["employee_id"]
