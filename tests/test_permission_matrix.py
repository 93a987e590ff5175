"""The permission matrix as a table: register x verb -> the demo users allowed,
checked on every endpoint of the HTML portal and of the API (allowed or 403)."""
import pytest

from conftest import user

EVERYONE = set("admin clerk sales sales2 regional salesmgr marketing gm hr quality service reception".split())
SALES = {"clerk", "sales", "sales2", "regional", "salesmgr", "marketing"}

# register, verb, users allowed (DOMAIN.md 1.8 and the registers' defaults)
MATRIX = [
    ("customer", "view", SALES | {"gm"}),
    ("customer", "create", SALES),
    ("customer", "edit", SALES),
    ("customer", "delete", {"clerk", "salesmgr", "marketing"}),
    ("customer", "export", {"clerk", "salesmgr", "marketing", "gm"}),
    ("customer_visit_record", "view", SALES | {"gm"}),
    ("customer_visit_record", "create", SALES - {"marketing"}),
    ("customer_visit_record", "edit", SALES - {"marketing"}),
    ("customer_visit_record", "delete", {"clerk", "salesmgr"}),
    ("customer_visit_record", "export", {"clerk", "salesmgr", "marketing", "gm"}),
    ("department", "view", EVERYONE),
    ("department", "create", {"admin", "hr"}),
    ("department", "edit", {"admin", "hr"}),
    ("department", "delete", {"admin"}),
    ("department", "export", {"admin", "hr"}),
    ("employee", "view", EVERYONE),
    ("employee", "create", {"admin", "hr"}),
    ("employee", "edit", {"admin", "hr"}),
    ("employee", "delete", {"hr"}),
    ("employee", "export", {"admin", "hr"}),
    ("region", "view", EVERYONE),
    ("region", "create", {"admin", "marketing"}),
    ("region", "edit", {"admin", "marketing"}),
    ("region", "delete", {"admin"}),
    ("region", "export", {"clerk", "salesmgr", "marketing", "gm"}),
]

CASES = [(reg, verb, name, name in allowed)
         for reg, verb, allowed in MATRIX for name in sorted(EVERYONE)]


def sample(register, make):
    """A record of `register` that every user allowed by the matrix may see."""
    from models import Department, Employee, Region
    if register == "customer":
        return make("customer", responsible_dept=Department.get(Department.abbr == "XS1"),
                    custodian=Employee.get(Employee.name == "刘静"))
    if register == "customer_visit_record":
        return make("customer_visit_record", actor="sales", findings="设备运行正常",
                    visitor=Employee.get(Employee.name == "张伟"))
    if register == "department":       # one that nothing refers to, so that it may be deleted
        return make("department", actor="admin", name="临时项目组", abbr="LSX")
    model = {"employee": Employee, "region": Region}[register]
    return model.select().order_by(model.id.desc()).first()


def expect(response, allowed, ok=(200,)):
    if allowed:
        assert response.status_code in ok, response.get_data(as_text=True)[:400]
    else:
        assert response.status_code == 403, response.status_code


@pytest.mark.parametrize("register,verb,username,allowed", CASES)
def test_html_endpoints_follow_the_matrix(portal, make, db_ctx, register, verb, username, allowed):
    row = sample(register, make)
    p = portal(username)
    if verb == "view":
        expect(p.get(f"/{register}/"), allowed)
        expect(p.get(f"/{register}/details/?id={row.id}"), allowed)
    elif verb == "create":
        expect(p.get(f"/{register}/new/"), allowed)
    elif verb == "edit":
        expect(p.get(f"/{register}/edit/?id={row.id}"), allowed)
    elif verb == "delete":
        r = p.post(f"/{register}/delete/", data={"id": row.id})
        expect(r, allowed, ok=(302,))
        assert (type(row).get_by_id(row.id).deleted_at is not None) == allowed
    elif verb == "export":
        r = p.get(f"/{register}/export/csv/")
        expect(r, allowed)
        if allowed:
            assert row.record_no in r.get_data(as_text=True)


@pytest.mark.parametrize("register,verb,username,allowed", CASES)
def test_api_endpoints_follow_the_matrix(api, make, db_ctx, register, verb, username, allowed):
    row = sample(register, make)
    c = api(username)
    if verb == "view":
        expect(c.get(f"/api/v1/{register}"), allowed)
        expect(c.get(f"/api/v1/{register}/{row.id}"), allowed)
    elif verb == "create":
        # allowed callers get past the permission check to validation (400)
        expect(c.post(f"/api/v1/{register}", json={}), allowed, ok=(400,))
    elif verb == "edit":
        expect(c.patch(f"/api/v1/{register}/{row.id}", json={}), allowed, ok=(400,))
    elif verb == "delete":
        expect(c.delete(f"/api/v1/{register}/{row.id}"), allowed, ok=(204,))
    elif verb == "export":
        expect(c.get(f"/api/v1/{register}/export.csv"), allowed)


def test_forbidden_page_says_what_is_not_allowed(portal):
    r = portal("quality").get("/customer/")
    assert r.status_code == 403
    assert "您没有权限查看「客户档案」" in r.get_data(as_text=True)


def test_forbidden_api_answer_is_json_in_chinese(api):
    r = api("quality").get("/api/v1/customer")
    assert r.status_code == 403
    assert "客户档案" in r.get_json()["error"]


def test_menu_hides_registers_the_user_cannot_view(portal):
    home = portal("quality").get("/").get_data(as_text=True)
    assert 'href="/customer/"' not in home
    assert 'href="/department/"' in home


def test_administrator_does_not_read_customer_files(portal, make, db_ctx):
    row = sample("customer", make)
    p = portal("admin")
    assert p.get("/customer/").status_code == 403
    assert p.get(f"/customer/details/?id={row.id}").status_code == 403


def test_matrix_change_applies_on_the_next_request(portal, db_ctx):
    from permissions import Permission
    from portal.accounts import Role
    quality = portal("quality")
    assert quality.get("/customer/").status_code == 403
    # the menu (kept per grants, language and page) follows the matrix too
    assert 'href="/customer/"' not in quality.get("/department/").get_data(as_text=True)
    admin = portal("admin")
    granted = [f"{p.role_id}|{p.register}|{p.verb}" for p in
               Permission.select().where(Permission.register.in_(
                   ["customer", "customer_visit_record", "trading_customer"]))]
    role = Role.get(Role.key == "quality_dept")
    r = admin.post("/permission_matrix/", data={"group": "customers",
                                                "perm": granted + [f"{role.id}|customer|view"]})
    assert r.status_code == 302
    assert quality.get("/customer/").status_code == 200
    assert 'href="/customer/"' in quality.get("/department/").get_data(as_text=True)


def test_only_the_administrator_edits_the_matrix(portal):
    r = portal("gm").post("/permission_matrix/", data={"group": "customers"})
    assert r.status_code == 403
    assert portal("gm").get("/permission_matrix/").status_code == 403
    assert portal("admin").get("/permission_matrix/?group=customers").status_code == 200


def test_can_is_the_single_entry_point(db_ctx):
    import permissions
    from models import Customer
    assert permissions.can(user("sales"), "create", Customer)
    assert not permissions.can(user("quality"), "view", Customer)
    assert not permissions.can(None, "view", Customer)
    with pytest.raises(permissions.Forbidden):
        permissions.require(user("hr"), "edit", Customer)


@pytest.mark.demo_data
def test_department_rule_selects_exactly_the_rows_it_describes(db_ctx):
    """The department row rule (written as one flat OR, permissions.rules.AnyOf)
    selects, for every demo user and every register with that rule, exactly
    the rows of the user's departments, naming the user in a person field, or
    created by them; leaders see every row. Checked against the rows' values,
    with one row per register that the clerk sees only as its creator."""
    from models import Department, Employee
    from permissions import rules
    from portal.registry import all_specs
    clerk = user("clerk")
    other_dept = Department.select().where(Department.id.not_in(
        list(rules.actor_departments(clerk)))).first().id
    other_emp = Employee.select().where(Employee.id != clerk.employee_id).first().id
    specs = [s for s in all_specs() if s.row_scope == "department"]
    for spec in specs:
        Model = spec.model
        first = Model.select(Model.id).order_by(Model.id).first()
        if first is not None and "created_by" in spec.fields:
            Model.update({**{f: other_dept for f in spec.dept_fields},
                          **{f: other_emp for f in spec.person_fields},
                          "created_by": clerk.id}).where(Model.id == first.id).execute()
    checked = 0
    for spec in specs:
        Model = spec.model
        rows = list(Model.select())
        for name in EVERYONE:
            actor = user(name)
            depts = rules.actor_departments(actor)
            emp = actor.employee_id

            # a register's own extra clause (e.g. a handover's receivers)
            extra = set() if spec.row_extra is None else {
                r.id for r in Model.select(Model.id).where(spec.row_extra(actor, Model))}

            def visible(row):
                if actor.role_keys & set(spec.all_rows_roles):
                    return True
                data = row.__data__
                return (any(data.get(f) in depts for f in spec.dept_fields)
                        or (emp is not None and any(data.get(f) == emp for f in spec.person_fields))
                        or ("created_by" in spec.fields and data.get("created_by") == actor.id)
                        or row.id in extra)
            expected = {r.id for r in rows if visible(r)}
            found = {r.id for r in Model.select(Model.id).where(rules.row_filter(actor, Model, "view"))}
            assert found == expected, (spec.name, name)
            checked += bool(expected) and len(expected) < len(rows)
    assert checked >= 10           # partial views (neither nothing nor everything) were compared
