"""The portal's main flows in a real browser, as the users of the demo
organisation do them: menus, forms, workflow buttons, confirmations."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, user
from e2e.conftest import log_in
from test_cases import walk_to_investigating

pytestmark = pytest.mark.demo_data


# What a user does on any page ---------------------------------------------------------

def follow(page, target):
    """Click something that loads another page (a link, a form's button) and
    wait until that page has loaded."""
    with page.expect_event("load"):
        target.click()


def open_menu(page, group, item):
    """Open a register from the navigation bar: menu group, then entry."""
    page.wait_for_load_state()             # the menus open once the page's scripts ran
    page.locator("nav .dropdown-toggle", has_text=group).click()
    follow(page, page.locator("nav .dropdown-menu.show").get_by_role("link", name=item, exact=True))


def user_menu(page, entry):
    """Press an entry of the user's menu (a language, log out)."""
    page.wait_for_load_state()
    page.locator("#user-menu").click()
    follow(page, page.get_by_role("button", name=entry, exact=True))


def pick(page, field, typed, choice):
    """Choose a record in a search-as-you-type field (select2 over ajax)."""
    page.locator(f"#s2id_{field}").click()
    drop = page.locator(".select2-drop-active").filter(visible=True)
    drop.locator("input.select2-input").fill(typed)
    drop.locator(".select2-result-label", has_text=choice).first.click()
    expect(page.locator(f"#s2id_{field} .select2-chosen")).to_have_text(choice)


def flashes(page):
    """The flashed messages at the top of the page."""
    return page.locator(".alert-dismissable")


def press(page, action, fill=None, select=None, check=()):
    """Press a workflow button on a details page; a button with inputs opens
    its panel first, the inputs are filled and the action confirmed."""
    actions = page.locator(".workflow-actions")
    panel = actions.locator("details").filter(
        has=page.locator("summary").filter(has_text=re.compile(f"^{action}$")))
    if not panel.count():
        follow(page, actions.get_by_role("button", name=action, exact=True))
        return
    panel.locator("summary").click()
    for label, value in (fill or {}).items():
        panel.get_by_label(label).fill(value)
    for label, value in (select or {}).items():
        panel.get_by_label(label).select_option(label=value)
    for label in check:
        panel.get_by_label(label).check()
    follow(page, panel.get_by_role("button", name=f"确认{action}"))


def open_waiting(page, register, *texts):
    """From the home page's 待我处理 card, open the row showing all `texts`."""
    follow(page, page.get_by_role("link", name="客户管理门户"))
    tiles = page.locator("#waiting-for-me a.dash-tile")       # label, then the count badge
    follow(page, tiles.filter(has=page.get_by_text(register, exact=True)))
    row = page.locator("table.model-list tbody tr")
    for text in texts:
        row = row.filter(has_text=text)
    follow(page, row.get_by_title("查看记录"))


def detail(page, label):
    """The value shown next to `label` on a details page."""
    return page.locator("table.searchable tr").filter(
        has=page.locator("td:first-child").get_by_text(label, exact=True)).locator("td").nth(1)


def test_clerk_logs_in_and_registers_a_complaint(session_of):
    page = session_of("clerk")
    expect(page.locator("#user-menu")).to_contain_text("刘静")
    open_menu(page, "投诉处理", "客户投诉")
    follow(page, page.get_by_role("link", name="创建"))
    pick(page, "received_by", "刘静", "刘静")
    pick(page, "customer", "连云港", "连云港港口集团")
    page.get_by_label("投诉渠道").select_option(label="来电")
    page.get_by_label("类型").select_option(label="投诉")
    page.get_by_label("投诉事由").fill("地磅称重显示跳数")
    page.get_by_label("投诉内容").fill("客户来电：SCS-100 汽车衡空载时读数在 ±20kg 间跳动，无法结算。")
    page.get_by_label("客诉原因类别").select_option(label="质量异常(品质异常)")
    follow(page, page.get_by_role("button", name="保存", exact=True))
    expect(flashes(page)).to_contain_text("创建记录成功")
    row = page.locator("table.model-list tbody tr", has_text="地磅称重显示跳数")
    expect(row).to_have_count(1)
    expect(row.locator("td.col-state")).to_have_text("已登记")
    expect(row.locator("td.col-customer")).to_have_text("连云港港口集团")
    expect(row.locator("td.col-record_no")).to_have_text(re.compile(r"^\s*\d{4}-\d{2,}\s*$"))


def test_sales_rep_borrows_a_restricted_file_approved_by_the_marketing_head(session_of):
    # 中煤能源韩城矿业公司: a restricted customer file of 销售二部 kept by 刘静;
    # 张伟 (sales) works in 销售一部.
    customer = "中煤能源韩城矿业公司"
    sales = session_of("sales")
    open_menu(sales, "档案管理", "档案目录")
    sales.get_by_placeholder("编号或名称").fill(customer)
    follow(sales, sales.get_by_role("button", name="搜索"))
    entry = sales.locator("table.catalogue tr", has_text=customer)
    expect(entry).to_contain_text("限阅")
    expect(entry.get_by_role("link", name="查看")).to_have_count(0)
    borrow_link = entry.get_by_role("link", name="申请借阅")
    record_id = re.search(r"record=(\d+)", borrow_link.get_attribute("href")).group(1)
    sales.goto(f"/customer/details/?id={record_id}")          # a link to the file itself
    expect(sales.locator("body")).to_contain_text("记录不存在，或您无权查看。")
    sales.go_back()

    follow(sales, borrow_link)
    sales.get_by_label("借阅用途").select_option(label="查阅")
    sales.get_by_label("借阅理由").fill("核对该客户上季度开票信息")
    follow(sales, sales.get_by_role("button", name="保存", exact=True))
    expect(flashes(sales)).to_contain_text("创建记录成功")
    request = sales.locator("table.model-list tbody tr", has_text=customer).filter(has_text="张伟")
    expect(request.locator("td.col-state")).to_have_text("待审批")

    marketing = session_of("marketing")
    open_waiting(marketing, "借阅登记", customer, "张伟")
    expect(marketing.locator("#record-state")).to_have_text("待审批")
    press(marketing, "批准", fill={"意见/备注": "同意查阅，限本次核对使用"})
    expect(flashes(marketing)).to_contain_text("已完成「批准」。")
    expect(marketing.locator("#record-state")).to_have_text("已批准")

    clerk = session_of("clerk")                   # the custodian lends the file
    open_waiting(clerk, "借阅登记", customer, "张伟")
    press(clerk, "借出")
    expect(flashes(clerk)).to_contain_text("已完成「借出」。")
    expect(clerk.locator("#record-state")).to_have_text("已借出")

    open_menu(sales, "档案管理", "档案目录")
    sales.get_by_placeholder("编号或名称").fill(customer)
    follow(sales, sales.get_by_role("button", name="搜索"))
    follow(sales, sales.locator("table.catalogue tr", has_text=customer).get_by_role("link", name="查看"))
    expect(sales.locator("table.searchable")).to_contain_text(customer)
    expect(sales.locator("table.searchable")).to_contain_text("限阅")


def test_a_complaint_is_escalated_by_its_handler_and_closed_by_the_department_head(
        session_of, make, api, db_ctx):
    # A quality complaint of a customer of 销售一部 under investigation by
    # 王强 (regional); 陈明 (salesmgr) heads 销售一部.
    from models import Customer
    case = make("complaint", actor="clerk", customer=Customer.get(Customer.name == "连云港港口集团"),
                title="汽车衡称重偏差索赔", content="客户称 SCS-100 汽车衡称重偏差 0.5%，要求赔偿差价。",
                type="complaint", cause_class="quality", received_by=user("clerk").employee)
    walk_to_investigating(api, case, handler="regional")

    handler = session_of("regional")
    open_waiting(handler, "客户投诉", "汽车衡称重偏差索赔")
    expect(handler.locator("#record-state")).to_have_text("调查中")
    expect(detail(handler, "承办人")).to_have_text("王强")
    press(handler, "升级上报", fill={"升级理由": "客户坚持按差价全额赔偿，超出承办人协调范围"})
    expect(flashes(handler)).to_contain_text("已完成「升级上报」。")
    expect(detail(handler, "承办人")).to_have_text("陈明")
    expect(detail(handler, "升级层级")).to_have_text("1")
    expect(handler.locator("table.timeline tr").last).to_contain_text("升级上报")

    head = session_of("salesmgr")               # the new handler investigates and reports
    open_waiting(head, "客户投诉", "汽车衡称重偏差索赔")
    press(head, "提交调查报告", fill={
        "发生原因": "秤台基础沉降导致传感器受力不均", "具体经过": "现场复检偏差 0.5%，超出允许误差",
        "责任者": "安装班组", "结论": "质量异常成立", "对策": "重新校准并加固基础，按偏差退还差价",
        "防范措施": "安装验收增加基础沉降检测"})
    expect(head.locator("#record-state")).to_have_text("待审核")
    expect(head.locator(".workflow-actions")).not_to_contain_text("结案")     # no close before the ruling

    quality = session_of("quality")              # 质量管理科 reviews
    open_waiting(quality, "客户投诉", "汽车衡称重偏差索赔")
    press(quality, "审核", fill={"审核意见": "调查属实，对策可行"})
    expect(quality.locator("#record-state")).to_have_text("待核决")

    head.reload()                                # the sales manager rules within his authority
    press(head, "核决", select={"处理方式": "折让、赔款"}, fill={"金额（元）": "1200"})
    expect(head.locator("#record-state")).to_have_text("已核决")
    press(head, "答复客户", fill={"答复内容": "已重新校准并退还差价。",
                               "受理单位处理意见": "免费校准，按偏差退还差价"})
    expect(head.locator("#record-state")).to_have_text("已答复")
    press(head, "结案", fill={"客户对处理结果的意见": "满意"}, check=["客户接受处理结果"])
    expect(flashes(head)).to_contain_text("已完成「结案」。")
    expect(head.locator("#record-state")).to_have_text("已结案")
    expect(detail(head, "结案时间")).not_to_be_empty()


def test_hr_hands_over_a_leaving_sales_rep_who_then_can_no_longer_log_in(session_of):
    # 李娜 (sales2) leaves; her customers and tasks go to 张伟. She still has
    # a file on loan (宝鸡市金台区粮油收购站), which must come back first.
    leaving = session_of("sales2")
    hr = session_of("hr")
    open_menu(hr, "人事交接", "离职/调岗交接")
    follow(hr, hr.get_by_role("link", name="创建"))
    pick(hr, "employee", "李娜", "李娜")
    hr.get_by_label("交接原因").select_option(label="离职")
    hr.get_by_label("最后工作日").fill(date.today().isoformat())
    pick(hr, "default_successor", "张伟", "张伟")
    follow(hr, hr.get_by_role("button", name="保存", exact=True))
    expect(flashes(hr)).to_contain_text("创建记录成功")
    follow(hr, hr.locator("table.model-list tbody tr", has_text="李娜").get_by_title("查看记录"))
    expect(hr.locator("#record-state")).to_have_text("已发起")
    expect(hr.locator(".handover-problem")).to_contain_text("借阅的档案须先归还：宝鸡市金台区粮油收购站")
    handover_url = hr.url
    press(hr, "执行移交")
    expect(flashes(hr)).to_contain_text("借阅的档案须先归还")
    expect(hr.locator("#record-state")).to_have_text("已发起")

    clerk = session_of("clerk")                  # the custodian takes the file back
    open_waiting(clerk, "借阅登记", "宝鸡市金台区粮油收购站", "李娜")
    press(clerk, "归还", select={"归还状况": "完好"})
    expect(flashes(clerk)).to_contain_text("已完成「归还」。")
    expect(clerk.locator("#record-state")).to_have_text("已归还")

    hr.goto(handover_url)
    press(hr, "执行移交")
    expect(flashes(hr)).to_contain_text("已完成「执行移交」。")
    expect(hr.locator("#record-state")).to_have_text("已移交")
    customers = hr.locator("details.handover-group", has_text="客户档案 / 客户管理责任人")
    customers.locator("summary").click()
    expect(customers.locator("tbody tr").first).to_contain_text("张伟")
    expect(customers.locator("tbody tr").first).to_contain_text("已移交")

    receiver = session_of("sales")               # 张伟 signs for what he received
    open_waiting(receiver, "离职/调岗交接", "李娜")
    press(receiver, "确认接收")
    expect(flashes(receiver)).to_contain_text("已完成「确认接收」。")

    hr.goto(handover_url)                        # the customers are told, HR completes
    press(hr, "记录客户通知", fill={"通知方式与结果（已告知客户新的责任人）": "已电话告知客户，由张伟接替"})
    hr.once("dialog", lambda dialog: dialog.accept())      # 确认交接已全部完成？…停用其登录账号。
    press(hr, "完成交接")
    expect(flashes(hr)).to_contain_text("已完成「完成交接」。")
    expect(hr.locator("#record-state")).to_have_text("已完成")

    open_menu(hr, "人事交接", "员工")              # she has left: the completion did it
    hr.get_by_placeholder(re.compile("^搜索")).fill("李娜")
    follow(hr, hr.get_by_role("button", name="搜索"))
    expect(hr.locator("table.model-list tbody tr", has_text="李娜")).to_contain_text("已离职")

    leaving.reload()                             # her open session has ended
    expect(leaving).to_have_url(re.compile(r"/login"))
    again = session_of()
    again.goto("/login")
    again.get_by_label("用户名").fill("sales2")
    again.get_by_label("密码").fill(PASSWORD)
    follow(again, again.get_by_role("button", name="登录"))
    expect(again.locator("body")).to_contain_text("用户名或密码错误")      # like any refused login
    expect(again).to_have_url(re.compile(r"/login"))


def test_the_language_switch_translates_the_portal_and_is_remembered(session_of):
    page = session_of()
    page.goto("/login")
    follow(page, page.get_by_role("button", name="English"))
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="Log in"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#waiting-for-me")).to_contain_text("Waiting for me")
    expect(page.locator("nav")).to_contain_text("Complaints")
    expect(page.locator("nav")).to_contain_text("Home")

    user_menu(page, "繁體中文")
    expect(page.locator("#waiting-for-me")).to_contain_text("待我處理")
    open_menu(page, "投訴處理", "客戶投訴")
    expect(page.locator("table.model-list thead")).to_contain_text("記錄編號")
    expect(page.locator("table.model-list td.col-state").first).to_have_text("已登記")

    user_menu(page, "退出登錄")                       # the choice is the user's: it survives logout
    log_in(page, "clerk")
    expect(page.locator("#waiting-for-me")).to_contain_text("待我處理")

    user_menu(page, "简体中文")
    expect(page.locator("#waiting-for-me")).to_contain_text("待我处理")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
