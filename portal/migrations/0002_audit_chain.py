"""Tamper evidence of the audit trail: audit events get `prev_hash` and
`hash`, and the events already there are chained once, in event id order
(portal/audit.py). The triggers refusing UPDATE and DELETE come after the
steps (portal.migrate.upgrade)."""
from peewee import CharField


def up(migrator, db):
    if "audit_event" not in db.get_tables():
        return                     # the additive pass creates it, empty
    have = {c.name for c in db.get_columns("audit_event")}
    missing = [name for name in ("prev_hash", "hash") if name not in have]
    if missing:
        migrator.migrate(*[migrator.add_column("audit_event", name, CharField(max_length=64, null=True))
                           for name in missing])
    from portal.audit import chain_existing
    chain_existing()
