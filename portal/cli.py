"""flask --app wsgi portal ...: init-db, seed, create-user, token, registers."""
import json
import sys

import click
from flask.cli import AppGroup

from .db import connection, db

cli = AppGroup("portal", help="客户管理门户：数据库、用户与演示数据。")


def create_schema():
    """Create missing tables, roles and the default permissions of new registers."""
    import permissions
    from permissions.roles import system_specs
    from . import all_models, registry
    tables = all_models()
    db.create_tables(tables, safe=True)
    from .scale import create_indexes
    create_indexes()
    permissions.ensure_roles()
    permissions.seed_matrix(list(registry.all_specs()) + system_specs())
    from .settings import ensure_settings
    ensure_settings()
    from .catalogue import sync
    sync()


@cli.command("init-db")
def init_db():
    """Create the database and tables if missing (keeps existing data)."""
    with connection():
        create_schema()
    click.echo("database ready")


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
