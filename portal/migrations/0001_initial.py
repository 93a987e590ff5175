"""The schema of version 0.1, created from the models (nothing to change)."""


def up(migrator, db):
    pass
