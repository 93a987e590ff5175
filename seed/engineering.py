"""Demo data of SECTION E: customer engineering, incentives, supplier."""


def seed(ctx):
    return {}
