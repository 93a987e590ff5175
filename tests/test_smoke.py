def test_login_page_in_chinese(app):
    r = app.test_client().get("/login")
    assert r.status_code == 200
    assert "登录" in r.get_data(as_text=True)


def test_customer_list_for_sales(portal, make):
    make("customer", name="宝鸡市测试客户")
    r = portal("sales").get("/customer/")
    assert r.status_code == 200
    assert "宝鸡市测试客户" in r.get_data(as_text=True)
