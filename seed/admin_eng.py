"""Demo data of SECTION D: reception, proposals, records and archives."""


def seed(ctx):
    return {}
