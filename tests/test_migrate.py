"""Schema upgrades (`portal migrate`): a database left by the previous
schema, with data in it, is brought to the current models and keeps its data.

The "previous schema" is made from the test database itself: columns, a
table and an index the current models have are taken away, as an older
version would not have had them. Every test leaves the schema complete
(the migration itself restores it)."""
import shutil

from playhouse.migrate import SchemaMigrator

from portal import migrate
from portal.db import db


def alter(*operations):
    migrator = SchemaMigrator.from_database(db.obj)
    with migrator.migration_context():
        migrator.migrate(*[op(migrator) for op in operations])


def drop_column(table, column):
    # plain SQL: the migrator's drop_column reads every foreign key of the
    # table first, which takes seconds on PostgreSQL
    return lambda m: m.sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')


def columns(table):
    return {c.name for c in db.get_columns(table)}


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["portal", *args])


def test_a_new_database_records_its_version(db_ctx):
    assert migrate.pending_steps() == []
    assert "0001_initial" in migrate.runner().applied()
    assert not migrate.plan(), migrate.plan().lines()


def test_upgrade_from_the_previous_schema_keeps_the_data(app, api, make, db_ctx):
    from models import Customer
    old = [make("customer", name=f"老客户{i}", phone=f"029-8000000{i}", fax="029-1") for i in range(2)]
    alter(drop_column("customer", "is_key_account"),
          drop_column("customer", "fax"),
          lambda m: m.drop_index("customer", "customer_deleted_at"),
          lambda m: m.drop_table("customer_anniversary"))
    assert not {"is_key_account", "fax"} & columns("customer")

    dry = cli(app, "migrate", "--dry-run")
    assert dry.exit_code == 0, dry.output
    for line in ("add column customer.is_key_account (default False)",
                 "add column customer.fax (NULL)",
                 "create table customer_anniversary",
                 "add index customer_deleted_at on customer",
                 "dry run: nothing was changed"):
        assert line in dry.output.splitlines()
    assert "is_key_account" not in columns("customer")          # a dry run changes nothing

    result = cli(app, "migrate")
    assert result.exit_code == 0, result.output
    assert f"schema upgraded to version {migrate.current_step()}" in result.output
    assert cli(app, "migrate").output.strip() == f"schema up to date (version {migrate.current_step()})"
    assert "customer_deleted_at" in {i.name for i in db.get_indexes("customer")}

    rows = {c.name: c for c in Customer.select().where(Customer.id.in_([c.id for c in old]))}
    assert [rows[c.name].phone for c in old] == ["029-80000000", "029-80000001"]
    assert rows["老客户0"].is_key_account is False and rows["老客户0"].fax is None

    # the new column and the new table work through the API
    r = api("marketing").patch(f"/api/v1/customer/{old[0].id}",
                               json={"version": 1, "is_key_account": True, "fax": "029-2"})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["is_key_account"], r.get_json()["fax"]) == (True, "029-2")
    r = api("sales").post("/api/v1/customer_anniversary", json={
        "customer": old[1].id, "occasion": "birthday", "date": "1980-05-04",
        "action": "birthday_flowers", "person": "王工"})
    assert r.status_code == 201, r.get_json()
    assert api("sales").get("/api/v1/customer_anniversary").get_json()["total"] == 1


def with_step(tmp_path, monkeypatch, name, body):
    """The project's named steps plus one more, `name`."""
    shutil.copy(migrate.MIGRATIONS / "0001_initial.py", tmp_path)
    (tmp_path / f"{name}.py").write_text(body)
    monkeypatch.setattr(migrate, "MIGRATIONS", tmp_path)


def forget(name):
    history = migrate.runner().History
    history.delete().where(history.name == name).execute()


def test_a_named_step_runs_once_before_the_additive_pass(make, db_ctx, tmp_path, monkeypatch):
    """A rename is not additive: without its step the data of the old column
    would stay behind and the new column would be added empty."""
    from models import Customer
    row = make("customer", contact_name="王工")
    alter(lambda m: m.rename_column("customer", "contact_name", "contact"))
    with_step(tmp_path, monkeypatch, "0002_contact_name",
              "def up(migrator, db):\n"
              "    if 'contact' in {c.name for c in db.get_columns('customer')}:\n"
              "        migrator.migrate(migrator.rename_column('customer', 'contact', 'contact_name'))\n")
    try:
        assert migrate.plan().lines() == ["step 0002_contact_name",
                                          "add column customer.contact_name (NULL)",
                                          "keep column customer.contact (not in the models)"]
        done = migrate.upgrade()
        assert done.steps == ["0002_contact_name"] and not done.add_columns
        assert Customer.get_by_id(row.id).contact_name == "王工"
        assert "contact" not in columns("customer")
        assert migrate.pending_steps() == [] and not migrate.plan()
    finally:
        forget("0002_contact_name")


def test_a_not_null_column_without_default_waits_for_its_named_step(
        app, db_ctx, tmp_path, monkeypatch):
    alter(drop_column("customer_anniversary", "notes"),
          drop_column("customer_anniversary", "occasion"))
    try:
        result = cli(app, "migrate")
        assert result.exit_code != 0
        assert ("cannot add customer_anniversary.occasion: NOT NULL without a default"
                in result.output)
        assert "notes" not in columns("customer_anniversary")      # nothing applied

        with_step(tmp_path, monkeypatch, "0002_anniversary_occasion",
                  "from peewee import CharField\n\n\n"
                  "def up(migrator, db):\n"
                  "    migrator.migrate(migrator.add_column(\n"
                  "        'customer_anniversary', 'occasion', CharField(default='birthday')))\n")
        done = migrate.upgrade()
        assert done.steps == ["0002_anniversary_occasion"]
        assert [f.name for f in done.add_columns] == ["notes"]
        assert {"notes", "occasion"} <= columns("customer_anniversary")
    finally:
        forget("0002_anniversary_occasion")
        if "occasion" not in columns("customer_anniversary"):
            alter(lambda m: m.drop_table("customer_anniversary"))
            migrate.upgrade()
