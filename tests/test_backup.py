"""`portal backup PATH` and `portal restore PATH [--force]` on the database of
the tests (SQLite online backup, or pg_dump / pg_restore on PostgreSQL)."""


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["portal", *args])


def test_a_restore_brings_back_what_was_changed_or_deleted_since_the_backup(
        app, api, make, db_ctx, tmp_path):
    from models import Customer
    marketing = api("marketing")           # its token is in the backup too
    kept = make("customer", name="备份前客户")
    dropped = make("customer", name="将被删除的客户")
    path = tmp_path / "portal.backup"
    result = cli(app, "backup", str(path))
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 0
    assert cli(app, "backup", str(path)).exit_code != 0        # an existing backup is kept

    assert marketing.patch(f"/api/v1/customer/{kept.id}",
                           json={"version": 1, "name": "备份后改名"}).status_code == 200
    Customer.delete().where(Customer.id == dropped.id).execute()
    make("customer", name="备份后新增")

    refused = cli(app, "restore", str(path))
    assert refused.exit_code != 0 and "--force" in refused.output
    assert Customer.get_by_id(kept.id).name == "备份后改名"         # nothing replaced

    result = cli(app, "restore", str(path), "--force")
    assert result.exit_code == 0, result.output
    names = {c.id: c.name for c in Customer.select()}
    assert names[kept.id] == "备份前客户" and names[dropped.id] == "将被删除的客户"
    assert "备份后新增" not in names.values()
    # the portal works on the restored database: the record reads and edits again
    r = marketing.get(f"/api/v1/customer/{kept.id}")
    assert r.status_code == 200 and r.get_json()["name"] == "备份前客户"
    assert marketing.patch(f"/api/v1/customer/{kept.id}",
                           json={"version": 1, "name": "恢复后再改"}).status_code == 200


def test_a_file_that_is_not_a_backup_is_refused_and_changes_nothing(app, make, db_ctx, tmp_path):
    from models import Customer
    row = make("customer", name="仍在的客户")
    junk = tmp_path / "notes.txt"
    junk.write_text("这不是备份文件\n" * 100)
    result = cli(app, "restore", str(junk), "--force")
    assert result.exit_code != 0
    assert "not a" in result.output or "pg_restore failed" in result.output
    assert Customer.get_by_id(row.id).name == "仍在的客户"
