"""Simplified Chinese by default; each user can switch to Traditional Chinese
or English and the choice sticks."""
import pytest
from babel.messages.mofile import read_mo

from conftest import csrf_token, login


def test_default_language_is_simplified_chinese(portal, make):
    make("customer")
    body = portal("sales").get("/customer/").get_data(as_text=True)
    assert "客户档案" in body and "客户名称" in body
    assert 'lang="zh-CN"' in portal("sales").get("/login", follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("locale,register,column", [
    ("zh_Hant_TW", "客戶檔案", "客戶名稱"),
    ("en", "Customer", "Name"),
])
def test_switching_language_translates_labels_and_sticks(app, portal, make, locale, register, column):
    make("customer")
    p = portal("sales")
    assert "客户档案" in p.get("/customer/").get_data(as_text=True)   # the menu is kept in Chinese
    r = p.post("/locale", data={"locale": locale, "next": "/customer/"})
    assert r.status_code == 302 and r.headers["Location"] == "/customer/"
    body = p.get("/customer/").get_data(as_text=True)
    assert register in body and column in body
    menu = body[body.index("<nav"):body.index("</nav>")]
    assert register in menu and "客户档案" not in menu     # and one is kept per language
    # a new login of the same user keeps the choice
    other = app.test_client()
    login(other, "sales")
    assert column in other.get("/customer/").get_data(as_text=True)


def test_the_language_chosen_on_the_login_page_applies_after_login(app):
    import re
    client = app.test_client()
    page = client.get("/login?next=/customer/").get_data(as_text=True)
    forms = re.findall(r'<form method="post" action="/locale" class="d-inline">(.*?)</form>', page)
    assert len(forms) == 3 and 'class="btn btn-link btn-sm locale-zh_Hant_TW">繁體中文' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert all(f'value="{token}"' in f and 'name="next" value="/login?next=/customer/"' in f
               for f in forms)
    client.post("/locale", data={"locale": "zh_Hant_TW", "next": "/login",
                                 "csrf_token": csrf_token(client)})
    assert "用戶名" in client.get("/login").get_data(as_text=True)
    assert login(client, "sales").status_code == 302
    assert "客戶檔案" in client.get("/customer/").get_data(as_text=True)
    other = app.test_client()            # and it is the user's choice from now on
    login(other, "sales")
    assert "客戶檔案" in other.get("/customer/").get_data(as_text=True)


def test_unknown_locale_is_refused(portal):
    assert portal("sales").post("/locale", data={"locale": "xx"}).status_code == 400


def test_messages_follow_the_language(portal):
    p = portal("quality")
    p.post("/locale", data={"locale": "en"})
    r = p.get("/customer/")
    assert r.status_code == 403 and "You are not allowed" in r.get_data(as_text=True)


def test_dates_are_shown_as_yyyy_mm_dd(portal, make, db_ctx):
    from datetime import date
    from models import Customer
    row = make("customer", filled_at=date(2026, 2, 5))
    assert "2026-02-05" in portal("sales").get(f"/customer/details/?id={row.id}").get_data(as_text=True)


@pytest.mark.parametrize("locale", ["zh_Hant_TW", "en"])
def test_every_register_label_is_in_the_catalogue(app, locale):
    from pathlib import Path
    from portal import registry
    path = Path(app.root_path) / "translations" / locale / "LC_MESSAGES" / "messages.mo"
    with open(path, "rb") as fh:
        catalog = {m.id: m.string for m in read_mo(fh) if isinstance(m.id, str) and m.id}
    missing = []
    for spec in registry.all_specs():
        labels = [spec.label] + [spec.label_of(f.name) for f in spec.model._meta.sorted_fields]
        for field in spec.model._meta.sorted_fields:
            labels += [label for _, label in (field.choices or ())]
        missing += [l for l in labels if any("\u4e00" <= ch <= "\u9fff" for ch in l)
                    and not catalog.get(l)]
    assert missing == []


@pytest.mark.parametrize("locale", ["zh_Hant_TW", "en"])
def test_every_message_of_the_code_and_templates_is_translated(app, locale):
    # Catches a catalogue not rebuilt after new messages (scripts/build_translations.py).
    import importlib.util
    from pathlib import Path
    root = Path(app.root_path).parent
    spec = importlib.util.spec_from_file_location("build_translations", root / "scripts" / "build_translations.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    messages, _ = build.source_messages(root)
    assert len(messages) > 500
    path = Path(app.root_path) / "translations" / locale / "LC_MESSAGES" / "messages.mo"
    with open(path, "rb") as fh:
        catalog = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_mo(fh) if m.id}
    missing = sorted({m for m in messages if build.HAS_CJK.search(m) and not catalog.get(m)})
    assert missing == []


def _user_menu(body):
    start = body.index('id="user-menu"')
    return body[start:body.index('id="logout"', start)]


def test_the_user_menu_follows_the_user_their_unread_count_language_and_page(portal, db_ctx):
    """The user's drop-down is kept per user, unread count, roles and
    language; the form token and the return address are the page's own."""
    import re

    from portal import notify
    from portal.accounts import User
    clerk = portal("clerk")
    body = clerk.get("/complaint/?page_size=50").get_data(as_text=True)
    menu = _user_menu(body)
    assert "我的通知 </a>" in menu and "badge" not in menu and "退出登录" in body
    assert 'name="next" value="/complaint/?page_size=50"' in menu
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', body))
    assert len(tokens) == 1 and tokens <= set(re.findall(r'value="([^"]+)"', menu))

    notify.send([User.get(User.username == "clerk").id], "a note for the clerk")
    menu = _user_menu(clerk.get("/complaint/").get_data(as_text=True))
    assert menu.count('<span class="badge badge-danger">1</span>') == 2
    assert 'name="next" value="/complaint/?"' in menu

    other = _user_menu(portal("sales").get("/complaint/").get_data(as_text=True))
    assert "(sales)" in other and "(clerk)" not in other and "badge" not in other

    clerk.post("/locale", data={"locale": "en", "next": "/complaint/"})
    body = clerk.get("/complaint/").get_data(as_text=True)
    assert "My notifications" in _user_menu(body) and "Log out" in body
