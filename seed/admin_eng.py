"""Demo data of SECTION D: reception, proposals, records and archives, engineering, incentives, supplier."""


def seed(ctx):
    return {}
