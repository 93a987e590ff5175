"""Every register of the regulations works through its generated admin pages:
created through the form by an allowed role, found by search, edited,
soft-deleted and restored; a role without access gets 403; and no register
page answers 500 for any demo user. The records are cloned from the demo
data, which fills every register through the real services."""
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from peewee import BooleanField, CharField, ForeignKeyField, TextField

import models
from conftest import Portal, user
from portal.fields import ListField
from portal.registry import snake

DEMO_USERS = "admin clerk sales sales2 regional salesmgr marketing gm hr quality service reception".split()
REGISTERS = sorted(getattr(obj.Register, "name", None) or snake(name)
                   for name, obj in vars(models).items()
                   if isinstance(obj, type) and "Register" in obj.__dict__)

# Registers whose rows come from the metadata or configuration, not from forms.
GENERATED = {"record_type_catalogue", "setting", "sla_rule"}
# Field values a clone must change to stay within a register's uniqueness rules
# ("one per period", "one per person and day"...).
PAST = {"month": "2019-01-01"}
CLONE_OVERRIDES = {
    "complaint_statistics": {"period_type": "monthly", "period": "2019-01"},
    "demand_monthly_report": PAST,
    "key_account_usage": PAST,
    "patrol_monthly_report": PAST,
    "service_points_monthly": PAST,
    "quarterly_ranking": {"quarter": "2019-Q1"},
    "service_daily_report": {"date": "2019-01-07"},
    "technician_daily_report": {"date": "2019-01-07"},
    "holiday": {"day": "2031-01-01"},
    "borrow_request": {"due_at": ""},
    "warranty_expiry_notice": lambda row: {"contract": str(contract_without_notice(row))},
    "service_contract": lambda row: {"contract_no": f"{row.contract_no}-复"},
    "spare_part": lambda row: {"part_no": f"{row.part_no}-复"},
    "intermediate_inspection": lambda row: {"seq": str(next_inspection(row))},
    # what follows the approval (认可) is filled in after it: a new record has neither
    "construction_change_request": {"written_notice_at": "", "implemented_at": ""},
    "equipment_order_info": {"ordered_on": ""},
    # a new trading relationship: the customer file is made on approval
    "trade_start_investigation": {"customer": ""},
    # one disposal at a time per record: another record past its retention
    "disposal_request": lambda row: free_disposal_target(),
}


def free_disposal_target():
    """A record past its retention with no disposal under way."""
    from models import DisposalRequest as D
    from portal import registry, services
    for spec in registry.all_specs():
        if "retention_until" not in spec.fields or spec.name == "disposal_request":
            continue
        Model = spec.model
        asked = D.select(D.record).where(D.register == spec.name)
        for row in Model.select().where(Model.retention_until < services.today(),
                                        Model.id.not_in(asked), Model.deleted_at.is_null()):
            if services.disposal_problem(spec, row) is None:
                return {"register": spec.name, "record": str(row.id)}
    return {}


def contract_without_notice(row):
    from models import ServiceContract, WarrantyExpiryNotice as N
    taken = N.select(N.contract)
    free = ServiceContract.select().where(ServiceContract.id.not_in(taken),
                                          ServiceContract.customer == row.__data__.get("customer"))
    found = free.first() or ServiceContract.select().where(ServiceContract.id.not_in(taken)).first()
    return found.id if found else ""


def next_inspection(row):
    from models import IntermediateInspection as I
    used = {i.seq for i in I.select(I.seq).where(I.project == row.__data__["project"])}
    return min(set(range(1, 5)) - used)


def form_value(field, value):
    if value is None:
        return None
    if isinstance(field, ForeignKeyField):
        return str(value)
    if isinstance(field, BooleanField):
        return "y" if value else None
    if isinstance(field, ListField):
        return list(value) or None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def clone_data(spec, row, form_fields, skip=(), new_unique=True):
    """Form data reproducing `row` (and its child rows), unique values changed;
    `skip`: optional references the filer cannot pick (the record derives them)."""
    data = {}
    for name in spec.editable_fields():
        if name not in form_fields or name in skip:
            continue
        field = spec.fields[name]
        raw = row.__data__.get(name) if isinstance(field, ForeignKeyField) else getattr(row, name)
        if new_unique and field.unique and isinstance(field, CharField) and raw:
            raw = f"{raw}-{row.id}复"[: field.max_length]
        value = form_value(field, raw)
        if value is not None:
            data[name] = value
    for child, fk in spec.inline_children():
        for i, line in enumerate(child.select().where(fk == row.id).order_by(child.id)):
            for f in child._meta.sorted_fields:
                if f.name in ("id", fk.name):
                    continue
                raw = line.__data__.get(f.name) if isinstance(f, ForeignKeyField) else getattr(line, f.name)
                value = form_value(f, raw)
                if value is not None:
                    data[f"{fk.backref}-{i}-{f.name}"] = value
    override = CLONE_OVERRIDES.get(spec.name, {}) if new_unique else {}
    data.update(override(row) if callable(override) else override)
    return data


def editable_text(spec, form_fields, row):
    """A free-text field to change in the edit step: one already filled, so
    that editing it does not switch on a rule about it being filled."""
    from portal import policy
    texts = [n for n in policy.editable_now(spec, row)
             if n in form_fields and type(spec.fields[n]) is TextField and getattr(row, n)]
    return texts[-1] if texts else None


def sample_and_actor(spec):
    """A demo record of the register and a demo user allowed to file it who
    may pick every record it refers to in the form's lookups (the filer
    first)."""
    import permissions
    from portal.registry import spec_for
    Model = spec.model

    def can_pick(actor, model, pk):
        if spec_for(model) is not None and not permissions.can(actor, "view", model):
            return False
        return permissions.rows(actor, "view", model).where(model.id == pk).exists()

    def fits(actor, row):
        skip = []
        for name in spec.editable_fields():
            field = spec.fields[name]
            if isinstance(field, ForeignKeyField) and row.__data__.get(name) is not None:
                if not can_pick(actor, field.rel_model, row.__data__[name]):
                    if not field.null:
                        return False
                    skip.append(name)
        for child, fk in spec.inline_children():
            for line in child.select().where(fk == row.id):
                for f in child._meta.sorted_fields:
                    if isinstance(f, ForeignKeyField) and f is not fk and line.__data__.get(f.name):
                        if not can_pick(actor, f.rel_model, line.__data__[f.name]):
                            return False
        return skip

    rows = list(Model.select().where(Model.deleted_at.is_null()).order_by(Model.id).limit(40))
    for row in rows:
        creator = row.created_by if row.__data__.get("created_by") else None
        candidates = ([creator.username] if creator and creator.username in DEMO_USERS else []) + DEMO_USERS
        for name in candidates:
            actor = user(name)
            skip = fits(actor, row) if permissions.can(actor, "create", Model) else False
            if skip is not False:
                return row, name, skip
    return None, None, ()


def listed_numbers(body):
    return set(re.findall(r"[A-Z]{1,4}\d?-\d{4}|\d{4}-\d{2,}", body))


@pytest.mark.demo_data(shared=True)
@pytest.mark.parametrize("register", [r for r in REGISTERS if r not in GENERATED])
def test_register_lifecycle_through_the_admin_pages(app, register):
    import permissions
    from admin_views import VIEWS
    from portal import registry
    spec = registry.get(register)
    Model = spec.model
    assert Model.select().count() >= 1, f"{register}: the demo data leaves it empty"
    row, username, skip = sample_and_actor(spec)
    assert row is not None, f"{register}: no demo record filed by a demo user"
    form_fields = set(VIEWS[register]._create_form_class()._fields)
    p = Portal(app, username)

    # create through the form
    before = Model.select(Model.id).order_by(Model.id.desc()).scalar() or 0
    data = clone_data(spec, row, form_fields, skip)
    r = p.post(f"/{register}/new/", data=data)
    body = r.get_data(as_text=True)
    errors = re.findall(r'<li>([^<]+)</li>', body) + re.findall(r'alert-danger[^>]*>\s*<button[^>]*>[^<]*</button>\s*([^<]+)', body)
    assert r.status_code == 302, f"{register} as {username}: {errors[:6]}"
    new = Model.select().where(Model.id > before).order_by(Model.id.desc()).first()
    assert new is not None and new.created_by.username == username

    # found by search
    query = new.record_no if "record_no" in spec.search else getattr(new, spec.search[0])
    body = p.get(f"/{register}/", query_string={"search": str(query)}).get_data(as_text=True)
    shown = new.record_no if "record_no" in spec.list_columns else str(query)
    assert re.search(r'<td class="col-[\w-]+">\s*' + re.escape(shown) + r"\s*</td>", body), \
        f"{register}: search for {query!r} misses the new record"

    # edited through the form by someone allowed to, with the version it was read at
    editor = next((u for u in [username] + DEMO_USERS if permissions.can(user(u), "edit", Model, new)), None)
    assert editor is not None, f"{register}: nobody may edit it"
    if editor != username:
        p = Portal(app, editor)
    page = p.get(f"/{register}/edit/?id={new.id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    field = editable_text(spec, form_fields, new)
    changed = dict(clone_data(spec, new, form_fields, skip, new_unique=False), version=version)
    if field:
        changed[field] = (str(changed.get(field) or "") + "（已修改）")[: getattr(spec.fields[field], "max_length", None) or 1000]
    for child, fk in spec.inline_children():       # keep the cloned child rows as they are
        for i, line in enumerate(child.select().where(fk == new.id).order_by(child.id)):
            changed[f"{fk.backref}-{i}-id"] = str(line.id)
    r = p.post(f"/{register}/edit/?id={new.id}", data=changed)
    assert r.status_code == 302, f"{register}: edit refused: {re.findall(r'<li>([^<]+)</li>', r.get_data(as_text=True))[:5]}"
    fresh = Model.get_by_id(new.id)
    if field:
        assert fresh.version == new.version + 1
        assert getattr(fresh, field).endswith("（已修改）")
    else:       # nothing typed changed; child rows saved again may count as a change
        assert fresh.version in (new.version, new.version + 1)

    # soft-deleted and restored by someone allowed to
    deleter = next((u for u in DEMO_USERS if permissions.can(user(u), "delete", Model, fresh)), None)
    if deleter is not None:
        d = Portal(app, deleter)
        assert d.post(f"/{register}/delete/", data={"id": new.id}).status_code == 302
        assert Model.get_by_id(new.id).deleted_at is not None
        assert d.get(f"/{register}/details/?id={new.id}").status_code == 404
        assert d.post(f"/{register}/restore/", data={"id": new.id}).status_code == 302
        assert Model.get_by_id(new.id).deleted_at is None

    # a role without access is refused
    outsider = next((u for u in DEMO_USERS if not permissions.can(user(u), "view", Model)), None)
    if outsider is not None:
        assert Portal(app, outsider).get(f"/{register}/").status_code == 403


@pytest.mark.demo_data(shared=True)
@pytest.mark.parametrize("username", DEMO_USERS)
def test_no_register_page_answers_500(app, username):
    import permissions
    from portal import registry

    p = Portal(app, username)
    actor = user(username)
    failures = []
    for spec in registry.all_specs():
        urls = [f"/{spec.name}/"]
        if permissions.can(actor, "create", spec.model):
            urls.append(f"/{spec.name}/new/")
        if permissions.can(actor, "view", spec.model):
            row = permissions.rows(actor, "view", spec.model).order_by(spec.model.id).first()
            if row is not None:
                urls.append(f"/{spec.name}/details/?id={row.id}")
                if permissions.can(actor, "edit", spec.model, row):
                    urls.append(f"/{spec.name}/edit/?id={row.id}")
        for url in urls:
            status = p.get(url).status_code
            if status >= 500:
                failures.append((url, status))
    for url in ("/", "/archive_catalogue/", "/reports/", "/notifications/"):
        if p.get(url).status_code >= 500:
            failures.append((url, 500))
    assert failures == []


def test_every_register_is_listed_by_the_api_and_the_cli(app, api):
    import json
    names = {r["name"] for r in api("gm").get("/api/v1/registers").get_json()["registers"]}
    assert {"customer", "complaint", "borrow_request", "handover_record"} <= names
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "registers", "--json"])
    listed = {r["name"] for r in json.loads(result.output)}
    assert set(REGISTERS) <= listed


def test_readme_lists_every_register(app):
    """The README's table of registers is the one the metadata generates."""
    from pathlib import Path
    from portal.cli import registers_markdown
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- registers:begin -->\n")[1].split("<!-- registers:end -->")[0]
    assert table == registers_markdown()


@pytest.mark.demo_data(shared=True)
def test_page_size_menu_speaks_chinese_and_is_honoured(portal):
    p = portal("clerk")
    body = p.get("/complaint/").get_data(as_text=True)
    assert "每页 20 条" in body and "items" not in body
    assert body.count('name="rowid"') == 20
    body = p.get("/complaint/?page_size=50").get_data(as_text=True)
    assert body.count('name="rowid"') == 50 and "每页 50 条" in body
    # a size that is not offered falls back to the default
    assert p.get("/complaint/?page_size=100000").get_data(as_text=True).count('name="rowid"') == 20
