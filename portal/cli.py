"""flask --app wsgi portal ...: init-db, migrate, backup, restore, seed, create-user,
token, registers, sweep, audit verify."""
import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from .db import connection

cli = AppGroup("portal", help="客户管理门户：数据库、用户与演示数据。")


def create_schema():
    """Bring the schema up to date (portal/migrate.py), then the reference data."""
    from .migrate import upgrade
    upgrade()               # with the list and text indexes of the large registers
    reference_data()


def reference_data():
    """Roles, the default permissions of new registers, settings, the record catalogue."""
    import permissions
    from permissions.roles import system_specs
    from . import registry
    permissions.ensure_roles()
    permissions.seed_matrix(list(registry.all_specs()) + system_specs())
    from .settings import ensure_settings
    ensure_settings()
    from .catalogue import sync
    sync()


@cli.command("init-db")
def init_db():
    """Create the database and tables if missing (keeps existing data)."""
    from .migrate import MigrationError
    with connection():
        try:
            create_schema()
        except MigrationError as err:
            raise click.ClickException(str(err))
    click.echo("database ready")


@cli.command("migrate")
@click.option("--dry-run", is_flag=True, help="print the changes without making them")
def migrate_cmd(dry_run):
    """Upgrade the database schema to this version (keeps the data)."""
    from .migrate import MigrationError, current_step, upgrade
    with connection():
        try:
            done = upgrade(dry_run=dry_run)
        except MigrationError as err:
            raise click.ClickException(str(err))
        if not dry_run:
            reference_data()
    for line in done.lines():
        click.echo(line)
    if not done:
        click.echo(f"schema up to date (version {current_step()})")
    elif dry_run:
        click.echo("dry run: nothing was changed")
    else:
        click.echo(f"schema upgraded to version {current_step()}")


@cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_cmd(path):
    """Write a backup of the database to PATH (SQLite online backup, or pg_dump -Fc)."""
    from .backup import BackupError, backup
    with connection():
        try:
            backup(current_app.config["DATABASE_URL"], path)
        except BackupError as err:
            raise click.ClickException(str(err))
    click.echo(f"backup written to {path}")


@cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="replace a database that already has data")
def restore_cmd(path, force):
    """Replace the database with the backup at PATH (then run `portal migrate`)."""
    from .backup import BackupError, restore
    with connection():
        try:
            restore(current_app.config["DATABASE_URL"], path, force=force)
        except BackupError as err:
            raise click.ClickException(str(err))
    click.echo(f"database restored from {path}; run `portal migrate` if it is an older version")


@cli.command("seed")
@click.option("--demo", is_flag=True, help="demo users for every role and demo data")
@click.option("--if-empty", is_flag=True, help="do nothing if users already exist")
def seed(demo, if_empty):
    from .accounts import User
    with connection():
        create_schema()
        if if_empty and User.select().exists():
            click.echo("database already has users; demo data not added")
            return
        if demo:
            from seed import seed_demo
            counts = seed_demo()
            click.echo("demo data: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@cli.command("create-user")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True)
@click.password_option()
def create_user_cmd(username, roles, password):
    from permissions.roles import ROLE_NAMES
    from .accounts import User, create_user
    bad = [r for r in roles if r not in ROLE_NAMES]
    if bad:
        raise click.BadParameter(f"unknown role(s): {', '.join(bad)}; known: {', '.join(ROLE_NAMES)}")
    with connection():
        create_schema()
        if User.select().where(User.username == username).exists():
            raise click.ClickException(f"user {username} already exists")
        create_user(username, password, roles)
    click.echo(f"user {username} created")


@cli.command("token")
@click.argument("username")
@click.option("--name", default="cli")
def token_cmd(username, name):
    """Print a new API token for USERNAME (on the last line)."""
    from .accounts import ApiToken, User
    with connection():
        user = User.select().where(User.username == username).first()
        if user is None or not user.active:
            raise click.ClickException(f"no active user {username}")
        token = ApiToken.issue(user, name=name)
    click.echo(f"API token for {username} (shown once):")
    click.echo(token)


def registers_markdown():
    """The README's table of registers, generated from the metadata."""
    from . import registry
    lines = ["| 登记册 / 表单 | register | 菜单 | DOMAIN.md |", "| --- | --- | --- | --- |"]
    for s in registry.all_specs():
        lines.append(f"| {s.label} | `{s.name}` | {registry.GROUP_LABELS[s.group]} | "
                     f"{', '.join(s.domain_ids)} |")
    return "\n".join(lines) + "\n"


@cli.command("registers")
@click.option("--json", "as_json", is_flag=True)
@click.option("--markdown", is_flag=True, help="the table of the README")
def registers_cmd(as_json, markdown):
    from . import registry
    specs = registry.all_specs()
    if as_json:
        json.dump([s.describe() for s in specs], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif markdown:
        sys.stdout.write(registers_markdown())
    else:
        for s in specs:
            click.echo(f"{s.name:32} {s.group:12} {s.label} {' '.join(s.domain_ids)}")


@cli.command("sweep")
def sweep_cmd():
    """Reminders, overdue marks and escalations (idempotent; run from cron)."""
    from .sweep import run_all
    with connection():
        for name, count in run_all():
            click.echo(f"{name}: {count}")


@cli.group("audit")
def audit_cli():
    """审计日志：校验防篡改链。"""


@audit_cli.command("verify")
def audit_verify_cmd():
    """Walk the audit events' hash chain in id order (streamed); exit status 1
    at the first broken link."""
    from .audit import LINK, guard_installed, save_checkpoint, verify
    from .i18n import gettext
    with connection():
        verdict = verify()
        if verdict.ok:
            save_checkpoint(verdict)      # the audit log page goes on from here
        guarded = guard_installed()
    click.echo(verdict.describe())
    if verdict.ok:
        if verdict.last_id:
            click.echo(gettext("链尾：事件 #%(id)s，哈希 %(hash)s（留存于库外，可供日后比对）",
                               id=verdict.last_id, hash=verdict.last_hash))
    else:
        if verdict.reason == LINK:
            click.echo(gettext("该事件记录的前一哈希为 %(found)s，前一事件的哈希为 %(expected)s",
                               found=verdict.found or "-", expected=verdict.expected or "-"))
        if verdict.count:
            click.echo(gettext("此前 %(n)s 条完好（至事件 #%(id)s）", n=verdict.count,
                               id=verdict.last_id))
    if not guarded:
        click.echo(gettext("警告：审计表缺少禁止修改和删除的触发器，请运行 portal migrate"), err=True)
    if not verdict.ok:
        sys.exit(1)
