"""Backups: `flask --app wsgi portal backup PATH` and `portal restore PATH [--force]`.

SQLite: the online backup API, a consistent copy taken while the portal
serves, restored page by page into the live database file (the WAL and
other connections stay consistent). PostgreSQL: `pg_dump -Fc` to PATH and
`pg_restore --clean`, stopping at the first error (a restore that failed
half-way is run again once the cause is fixed); both must be on PATH.

A restore refuses to replace a database that has users (more than `init-db`
writes) unless forced. A backup from an older version is brought up to date
by `portal migrate` afterwards.
"""
import os
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from .db import db, is_sqlite


class BackupError(Exception):
    pass


def has_data() -> bool:
    """The database holds users, hence records worth keeping."""
    from .accounts import User
    return User.table_exists() and User.select().exists()


def backup(url: str, path) -> Path:
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name")
    if is_sqlite():
        target = None
        try:
            target = sqlite3.connect(path)
            db.connection().backup(target)
        except sqlite3.Error as err:
            path.unlink(missing_ok=True)
            raise BackupError(f"backup to {path} failed: {err}")
        finally:
            if target is not None:
                target.close()
    else:
        _run(["pg_dump", "--format=custom", f"--file={path}"], url)
    return path


def restore(url: str, path, force=False):
    path = Path(path)
    if has_data() and not force:
        raise BackupError("the database already has users and records; "
                          "restore with --force to replace them")
    if is_sqlite():
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            tables = {name for name, in source.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as err:
            raise BackupError(f"{path} is not a SQLite backup of the portal ({err})")
        from .accounts import User
        try:
            if User._meta.table_name not in tables:
                raise BackupError(f"{path} is not a backup of the portal (no table of users)")
            source.backup(db.connection())
        finally:
            source.close()
    else:
        if not db.is_closed():
            db.close()             # our own connection would hold locks on the tables
        # Object by object, stopping at the first error: in one transaction
        # every table, index and constraint stays locked to the end, which
        # can exhaust the server's lock table (max_locks_per_transaction).
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--exit-on-error", str(path)], url)


def _run(command, url):
    """Run a PostgreSQL client tool on the settings' database; the password
    goes through the environment, not the command line (visible in ps)."""
    parts = urlsplit(url)
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    netloc = parts.netloc.rsplit("@", 1)
    if len(netloc) == 2:
        netloc[0] = netloc[0].split(":", 1)[0]
    dsn = urlunsplit(("postgresql", "@".join(netloc), parts.path, parts.query, ""))
    try:
        done = subprocess.run(command + [f"--dbname={dsn}"], capture_output=True, text=True,
                              env=env)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} not found: install the PostgreSQL client tools")
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")
