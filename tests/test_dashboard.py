"""The home page: my tasks, overdue counts and charts, each count under the
row rules of the lists and equal to the list it links to."""
import html
import re

import pytest

from conftest import list_count, user

TILE = re.compile(r'<a class="[^"]*dash-tile"\s+href="([^"]+)" data-register="([^"]+)" '
                  r'data-count="(\d+)">\s*<span>([^<]+)</span>')


def tiles(body, section):
    """(label, count, url) of the tiles in one card of the home page."""
    part = body.split(f'id="{section}"')[1].split('<div class="col-lg-4 mb-3">')[0]
    return [(label, int(count), html.unescape(url)) for url, _, count, label in TILE.findall(part)]


@pytest.mark.demo_data(shared=True)
@pytest.mark.parametrize("username", ["sales", "gm", "quality"])
def test_every_tile_counts_the_rows_of_the_list_it_links_to(portal, username):
    p = portal(username)
    body = p.get("/").get_data(as_text=True)
    found = tiles(body, "waiting-for-me") + tiles(body, "my-tasks") + tiles(body, "overdue")
    assert found
    for label, count, url in found:
        assert list_count(p, url) == count, (label, url)


@pytest.mark.demo_data(shared=True)
def test_counts_differ_between_roles_as_their_row_rules_do(portal, api):
    """The sales rep of 销售一部 and the general manager see different
    overdue figures; each equals its own list and API count."""
    overdue = {}
    for username in ("sales", "gm"):
        body = portal(username).get("/").get_data(as_text=True)
        overdue[username] = {label: (count, url) for label, count, url in tiles(body, "overdue")}
    assert overdue["sales"] != overdue["gm"]
    sales_cases, gm_cases = overdue["sales"]["客户投诉"][0], overdue["gm"]["客户投诉"][0]
    assert 0 < sales_cases < gm_cases
    # the overdue complaints, counted through the API by each user's row rule
    from datetime import datetime
    from portal import clock
    from portal import registry
    running = set(registry.get("complaint").workflow.running_states())
    for username, expected in (("sales", sales_cases), ("gm", gm_cases)):
        listed = api(username).get("/api/v1/complaint?per_page=200").get_json()
        items = listed["items"]
        assert listed["total"] == len(items)
        now = clock.now()
        late = [i for i in items if i["due_at"] and datetime.fromisoformat(i["due_at"]) < now
                and i["state"] in running]
        assert len(late) == expected, username
    # repair calls are in the quality and leaders' scope, not the sales rep's
    assert "叫修登记簿" in overdue["gm"] and "叫修登记簿" not in overdue["sales"]


def test_my_tasks_count_my_cases_customers_and_loans(portal, make, db_ctx):
    from datetime import date, datetime
    from models import Complaint, Customer
    from portal import clock
    clock.set(datetime(2026, 11, 10, 9))
    me = user("sales").employee
    c = make("customer", name="本月应跟踪", grade="A", filled_at=date(2026, 10, 20))   # due 11-20
    make("customer", name="下月跟踪", grade="B", filled_at=date(2026, 11, 1))          # due 2027-02
    case = make("complaint", actor="clerk", customer=Customer.get_by_id(c.id), title="读数不稳",
                content="x", received_by=user("clerk").employee, type="complaint")
    Complaint.update(handler=me).where(Complaint.id == case.id).execute()
    p = portal("sales")
    mine = {label: count for label, count, _ in tiles(p.get("/").get_data(as_text=True), "my-tasks")}
    assert mine == {"分派给我的投诉": 1, "本月应跟踪的客户": 1, "借给我的档案（待归还）": 0}
    # another rep has none of these
    other = {label: count for label, count, _ in
             tiles(portal("sales2").get("/").get_data(as_text=True), "my-tasks")}
    assert other["分派给我的投诉"] == 0 and other["本月应跟踪的客户"] == 0


def test_charts_are_inline_svg_from_the_portal_itself(portal, make, db_ctx):
    from datetime import datetime
    from models import Customer
    from portal import clock
    clock.set(datetime(2026, 11, 10, 9))
    c = make("customer", grade="A")
    make("customer", grade="A")
    from models import Complaint
    for day, closed in ((2, datetime(2026, 11, 3, 9)), (3, datetime(2026, 11, 9, 9))):
        case = make("complaint", actor="clerk", customer=Customer.get_by_id(c.id), title="t", content="x",
                    received_by=user("clerk").employee, type="complaint",
                    received_at=datetime(2026, 11, day, 9))
        Complaint.update(closed_at=closed, due_at=datetime(2026, 11, 5, 9), state="closed").where(
            Complaint.id == case.id).execute()
    r = portal("salesmgr").get("/")
    body = r.get_data(as_text=True)
    assert body.count("<svg") == 3
    assert re.search(r"<title>2026-11 投诉：2</title>", body)
    # one of the two cases of November closed in time
    assert "<title>2026-11 按期率 50.0%（1/2）</title>" in body and ">50%</text>" in body
    assert re.search(r"<title>A类：2</title>", body)
    # no script or stylesheet from another host; the page's scripts carry the nonce
    assert not re.search(r'(src|href)="(https?:)?//', body)
    nonce = re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"]).group(1)
    assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<script[^>]*>", body))
    # each grade bar opens the customer list of that grade, with as many rows
    link = re.search(r'<a href="([^"]+)"><rect[^>]*><title>A类：2</title>', body).group(1)
    assert list_count(portal("salesmgr"), html.unescape(link)) == 2


def test_home_needs_login(app):
    r = app.test_client().get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_loans_due_back_and_overdue_loans(portal, lent_file, db_ctx):
    from datetime import timedelta
    from portal import clock
    loan = lent_file("sales")

    def board(username):
        body = portal(username).get("/").get_data(as_text=True)
        return ({label: (n, url) for label, n, url in tiles(body, "my-tasks")},
                {label: (n, url) for label, n, url in tiles(body, "overdue")})
    mine, overdue = board("sales")
    assert mine["借给我的档案（待归还）"][0] == 1 and "借阅逾期未还" not in overdue
    clock.set(loan.due_at + timedelta(hours=2))
    mine, overdue = board("sales")
    assert overdue["借阅逾期未还"][0] == 1
    assert list_count(portal("sales"), overdue["借阅逾期未还"][1]) == 1
    _, overdue = board("clerk")                 # the custodian sees it too
    assert overdue["借阅逾期未还"][0] == 1
    _, overdue = board("service")               # another department's staff do not
    assert "借阅逾期未还" not in overdue
